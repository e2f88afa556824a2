//! What a key can mean: the contexts a binding applies in, the commands, and a
//! binding (key, modifiers, context, command, help text).

use crossterm::event::{KeyCode, KeyModifiers};

use crate::tui::action::Pane;

/// Where a binding applies. Pane contexts are tried before `Global`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ctx {
    Global,
    Browser,
    Form,
    Collections,
    Results,
    History,
    /// A text input has the keys (form field, filter).
    Input,
    /// A popup is open (help, compare, sweep, detail).
    Popup,
    /// A yes/no question (quit while searching, replace faces).
    Confirm,
    /// The persons list popup.
    Persons,
    /// A delete question (person or collection).
    ConfirmDelete,
    /// An edit form popup (person, collection) while no text field has the keys.
    Editor,
    /// The label choice of a run.
    Label,
    /// The Evaluate screen.
    Evaluate,
    /// A list to choose from (the profile picker).
    Picker,
}

impl Ctx {
    pub fn of(pane: Pane) -> Ctx {
        match pane {
            Pane::Browser => Ctx::Browser,
            Pane::Form => Ctx::Form,
            Pane::Collections => Ctx::Collections,
            Pane::Results => Ctx::Results,
            Pane::History => Ctx::History,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Ctx::Global => "Everywhere",
            Ctx::Browser => "1 Files",
            Ctx::Form => "2 Search form",
            Ctx::Collections => "3 Collections",
            Ctx::Results => "4 Results",
            Ctx::History => "5 History",
            Ctx::Input => "Text inputs",
            Ctx::Popup => "Popups",
            Ctx::Confirm => "Questions (quit, replace faces)",
            Ctx::Persons => "Persons list",
            Ctx::ConfirmDelete => "Delete question",
            Ctx::Editor => "Edit forms",
            Ctx::Label => "Label a run",
            Ctx::Evaluate => "Evaluate screen",
            Ctx::Picker => "Profile picker",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    FocusNext,
    FocusPrev,
    Focus(Pane),
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Left,
    Right,
    /// Open / pick / choose / load, depending on the pane.
    Enter,
    /// Browser: parent directory.
    Parent,
    Filter,
    ToggleHidden,
    /// Form: cycle an enum or start editing a text field.
    Cycle,
    Search,
    ForceSearch,
    Cancel,
    Help,
    CycleTheme,
    Quit,
    ForceQuit,
    Retry,
    Mark,
    Rerun,
    Sweep,
    /// History: the run's request as a curl command (popup + clipboard).
    CopyCurl,
    /// Open the profile picker.
    SwitchProfile,
    /// Results: the shown run; history: every run — to files named by the dashboard.
    Export,
    /// Form: show the probe as half blocks.
    Preview,
    /// Input: finish editing.
    Done,
    /// Confirm: yes / no.
    Yes,
    No,
    /// Open the persons list.
    Persons,
    /// Persons list: next / previous page.
    NextPage,
    PrevPage,
    /// Delete the selected item (asks first).
    Delete,
    /// Open a form for a new item (enrol a person, create a collection).
    New,
    /// Open the edit form for the selected item.
    Edit,
    /// Delete-person question: detach from the listed collection only.
    Detach,
    /// Persons list: cycle the status / collection filter.
    StatusFilter,
    CollectionFilter,
    /// Persons list: the next page size.
    PageSize,
    /// Browser: mark an image as a face to enrol.
    MarkImage,
    /// Edit form: send it.
    Save,
    /// Edit form: open the existing person a duplicate refusal named.
    OpenExisting,
    /// Install the face models (embedded sandbox on the pixel engine), or cancel that.
    InstallModels,
    /// Results / history: record the truth of the run (a label).
    Label,
    /// Open the Evaluate screen.
    Evaluate,
    /// Browser: evaluate the highlighted folder as a labelled set.
    EvaluateSet,
    /// Evaluate screen: evaluate the labelled runs of the history.
    EvalHistory,
    /// Evaluate screen: move the `liveness_min_score` cursor.
    LivenessDown,
    LivenessUp,
    /// Evaluate screen: put the cursors' thresholds into the search form.
    CopyToForm,
}

#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub code: KeyCode,
    pub mods: KeyModifiers,
    pub ctx: Ctx,
    pub cmd: Command,
    pub desc: &'static str,
}

pub(super) const fn b(code: KeyCode, ctx: Ctx, cmd: Command, desc: &'static str) -> Binding {
    Binding {
        code,
        mods: KeyModifiers::NONE,
        ctx,
        cmd,
        desc,
    }
}

pub(super) const fn m(
    code: KeyCode,
    mods: KeyModifiers,
    ctx: Ctx,
    cmd: Command,
    desc: &'static str,
) -> Binding {
    Binding {
        code,
        mods,
        ctx,
        cmd,
        desc,
    }
}
