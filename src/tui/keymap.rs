//! The one keymap: the dispatcher, the status-bar hints and the help overlay all read
//! this table, so they can never disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Pane;

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
}

#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub code: KeyCode,
    pub mods: KeyModifiers,
    pub ctx: Ctx,
    pub cmd: Command,
    pub desc: &'static str,
}

const fn b(code: KeyCode, ctx: Ctx, cmd: Command, desc: &'static str) -> Binding {
    Binding {
        code,
        mods: KeyModifiers::NONE,
        ctx,
        cmd,
        desc,
    }
}

const fn m(
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

use Command as C;
use Ctx::*;
use KeyCode::*;

/// Every key the app knows, in help order. A key with an empty description is an
/// alias shown next to the previous binding of the same command.
pub const BINDINGS: &[Binding] = &[
    m(
        Char('c'),
        KeyModifiers::CONTROL,
        Global,
        C::ForceQuit,
        "quit now",
    ),
    b(F(5), Global, C::Search, "run the search"),
    m(Char('r'), KeyModifiers::CONTROL, Global, C::Search, ""),
    m(
        F(5),
        KeyModifiers::SHIFT,
        Global,
        C::ForceSearch,
        "run with a real request (no re-filter)",
    ),
    b(Esc, Global, C::Cancel, "cancel the search in flight"),
    b(Tab, Global, C::FocusNext, "next pane"),
    b(BackTab, Global, C::FocusPrev, "previous pane"),
    b(Char('1'), Global, C::Focus(Pane::Browser), "files"),
    b(Char('2'), Global, C::Focus(Pane::Form), "search form"),
    b(
        Char('3'),
        Global,
        C::Focus(Pane::Collections),
        "collections",
    ),
    b(Char('4'), Global, C::Focus(Pane::Results), "results"),
    b(Char('5'), Global, C::Focus(Pane::History), "history"),
    b(Up, Global, C::Up, "move up"),
    b(Char('k'), Global, C::Up, ""),
    b(Down, Global, C::Down, "move down"),
    b(Char('j'), Global, C::Down, ""),
    b(PageUp, Global, C::PageUp, "page up"),
    b(PageDown, Global, C::PageDown, "page down"),
    b(Home, Global, C::Top, "first"),
    b(Char('g'), Global, C::Top, ""),
    b(End, Global, C::Bottom, "last"),
    b(Char('G'), Global, C::Bottom, ""),
    b(Char('?'), Global, C::Help, "help"),
    b(F(1), Global, C::Help, ""),
    b(Char('T'), Global, C::CycleTheme, "next theme"),
    b(Char('P'), Global, C::Persons, "persons list"),
    b(
        Char('q'),
        Global,
        C::Quit,
        "quit (asks first while a search runs)",
    ),
    // files
    b(Enter, Browser, C::Enter, "open dir / pick image"),
    b(Right, Browser, C::Enter, ""),
    b(Char('l'), Browser, C::Enter, ""),
    b(Backspace, Browser, C::Parent, "parent directory"),
    b(Char('h'), Browser, C::Parent, ""),
    b(Left, Browser, C::Parent, ""),
    b(Char('/'), Browser, C::Filter, "filter"),
    b(
        Char('.'),
        Browser,
        C::ToggleHidden,
        "show/hide hidden files",
    ),
    b(
        Char('m'),
        Browser,
        C::MarkImage,
        "mark/unmark image as a face to enrol (up to 3)",
    ),
    // form
    b(Left, Form, C::Left, "previous value"),
    b(Char('h'), Form, C::Left, ""),
    b(Right, Form, C::Right, "next value"),
    b(Char('l'), Form, C::Right, ""),
    b(Char(' '), Form, C::Cycle, "cycle value"),
    b(Enter, Form, C::Enter, "edit field"),
    b(Char('p'), Form, C::Preview, "probe preview"),
    // collections
    b(Enter, Collections, C::Enter, "choose collection"),
    b(Char('/'), Collections, C::Filter, "filter"),
    b(Char('r'), Collections, C::Retry, "reload"),
    b(Char('a'), Collections, C::New, "new collection"),
    b(
        Char('e'),
        Collections,
        C::Edit,
        "rename / describe the collection",
    ),
    b(
        Char('d'),
        Collections,
        C::Delete,
        "delete the collection (asks first; its persons stay enrolled)",
    ),
    // results
    b(Enter, Results, C::Enter, "full record"),
    // history
    b(Enter, History, C::Enter, "load run into the form"),
    b(Char('R'), History, C::Rerun, "re-run as is"),
    b(Char('c'), History, C::Mark, "mark / compare"),
    b(Char('s'), History, C::Sweep, "threshold sweep"),
    b(
        Char('y'),
        History,
        C::CopyCurl,
        "copy the run as a curl command",
    ),
    // text inputs
    b(Enter, Input, C::Done, "finish editing"),
    b(Esc, Input, C::Done, ""),
    b(Tab, Input, C::FocusNext, "next pane"),
    b(BackTab, Input, C::FocusPrev, "previous pane"),
    b(F(5), Input, C::Search, "run the search"),
    m(Char('r'), KeyModifiers::CONTROL, Input, C::Search, ""),
    m(
        F(5),
        KeyModifiers::SHIFT,
        Input,
        C::ForceSearch,
        "run with a real request",
    ),
    m(
        Char('s'),
        KeyModifiers::CONTROL,
        Input,
        C::Save,
        "save (edit forms)",
    ),
    b(F(2), Input, C::Save, ""),
    m(
        Char('c'),
        KeyModifiers::CONTROL,
        Input,
        C::ForceQuit,
        "quit now",
    ),
    // popups
    b(Esc, Popup, C::Cancel, "close"),
    b(Char('q'), Popup, C::Cancel, ""),
    b(Enter, Popup, C::Cancel, ""),
    b(Char('?'), Popup, C::Cancel, ""),
    b(F(1), Popup, C::Cancel, ""),
    b(Up, Popup, C::Up, "scroll up"),
    b(Char('k'), Popup, C::Up, ""),
    b(Down, Popup, C::Down, "scroll down"),
    b(Char('j'), Popup, C::Down, ""),
    m(
        Char('c'),
        KeyModifiers::CONTROL,
        Popup,
        C::ForceQuit,
        "quit now",
    ),
    b(Char('P'), Popup, C::Persons, "persons list"),
    b(Char('e'), Popup, C::Edit, "edit the person (person record)"),
    // persons list
    b(Esc, Persons, C::Cancel, "close"),
    b(Char('q'), Persons, C::Cancel, ""),
    b(Up, Persons, C::Up, "move up"),
    b(Char('k'), Persons, C::Up, ""),
    b(Down, Persons, C::Down, "move down"),
    b(Char('j'), Persons, C::Down, ""),
    b(Enter, Persons, C::Enter, "full record"),
    b(Char('n'), Persons, C::NextPage, "next page"),
    b(Char('p'), Persons, C::PrevPage, "previous page"),
    b(Char('/'), Persons, C::Filter, "filter by name"),
    b(Char('a'), Persons, C::New, "enrol a new person"),
    b(Char('e'), Persons, C::Edit, "edit the person"),
    b(Char('d'), Persons, C::Delete, "delete (asks first)"),
    b(Char('s'), Persons, C::StatusFilter, "filter by status"),
    b(
        Char('c'),
        Persons,
        C::CollectionFilter,
        "filter by collection",
    ),
    b(
        Char('L'),
        Persons,
        C::PageSize,
        "rows per page (10/20/50/100)",
    ),
    b(Char('r'), Persons, C::Retry, "reload"),
    m(
        Char('c'),
        KeyModifiers::CONTROL,
        Persons,
        C::ForceQuit,
        "quit now",
    ),
    // delete question
    b(Char('y'), ConfirmDelete, C::Yes, "delete"),
    b(
        Char('c'),
        ConfirmDelete,
        C::Detach,
        "detach from the listed collection only",
    ),
    b(Char('n'), ConfirmDelete, C::No, "keep"),
    b(Esc, ConfirmDelete, C::No, ""),
    m(
        Char('c'),
        KeyModifiers::CONTROL,
        ConfirmDelete,
        C::ForceQuit,
        "quit now",
    ),
    // edit forms
    b(Up, Editor, C::Up, "previous field"),
    b(Char('k'), Editor, C::Up, ""),
    b(BackTab, Editor, C::Up, ""),
    b(Down, Editor, C::Down, "next field"),
    b(Char('j'), Editor, C::Down, ""),
    b(Tab, Editor, C::Down, ""),
    b(Enter, Editor, C::Enter, "edit / choose / toggle / save"),
    b(Char(' '), Editor, C::Cycle, "toggle a check / next value"),
    b(Right, Editor, C::Right, "next value"),
    b(Char('l'), Editor, C::Right, ""),
    b(Left, Editor, C::Left, "previous value"),
    b(Char('h'), Editor, C::Left, ""),
    m(Char('s'), KeyModifiers::CONTROL, Editor, C::Save, "save"),
    b(F(2), Editor, C::Save, ""),
    b(
        Char('o'),
        Editor,
        C::OpenExisting,
        "open the existing person a duplicate names",
    ),
    b(Esc, Editor, C::Cancel, "close without saving"),
    m(
        Char('c'),
        KeyModifiers::CONTROL,
        Editor,
        C::ForceQuit,
        "quit now",
    ),
    // yes/no questions
    b(Char('y'), Confirm, C::Yes, "yes"),
    b(Enter, Confirm, C::Yes, ""),
    b(Char('n'), Confirm, C::No, "no"),
    b(Esc, Confirm, C::No, ""),
    m(
        Char('c'),
        KeyModifiers::CONTROL,
        Confirm,
        C::ForceQuit,
        "quit now",
    ),
];

/// Shift is part of the character for letters and symbols (`R`, `?`) and of BackTab,
/// and terminals disagree about reporting it there; it only counts for other keys.
fn normalise(key: &KeyEvent) -> (KeyCode, KeyModifiers) {
    let mut mods =
        key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::SHIFT | KeyModifiers::ALT);
    if matches!(key.code, Char(_) | BackTab) {
        mods.remove(KeyModifiers::SHIFT);
    }
    (key.code, mods)
}

fn matches(b: &Binding, code: KeyCode, mods: KeyModifiers) -> bool {
    b.code == code && b.mods == mods
}

/// The command for a key in the given contexts, most specific first.
pub fn lookup(key: &KeyEvent, ctxs: &[Ctx]) -> Option<Command> {
    let (code, mods) = normalise(key);
    ctxs.iter().find_map(|ctx| {
        BINDINGS
            .iter()
            .find(|b| b.ctx == *ctx && matches(b, code, mods))
            .map(|b| b.cmd)
    })
}

/// A key's name as the help and the hints print it.
pub fn key_name(code: KeyCode, mods: KeyModifiers) -> String {
    let base = match code {
        Char(' ') => "Space".to_string(),
        Char(c) => c.to_string(),
        F(n) => format!("F{n}"),
        Enter => "Enter".into(),
        Esc => "Esc".into(),
        Tab => "Tab".into(),
        BackTab => "Shift-Tab".into(),
        Backspace => "Backspace".into(),
        Up => "↑".into(),
        Down => "↓".into(),
        Left => "←".into(),
        Right => "→".into(),
        PageUp => "PgUp".into(),
        PageDown => "PgDn".into(),
        Home => "Home".into(),
        End => "End".into(),
        other => format!("{other:?}"),
    };
    let mut prefix = String::new();
    if mods.contains(KeyModifiers::CONTROL) {
        prefix.push_str("Ctrl-");
    }
    if mods.contains(KeyModifiers::SHIFT) {
        prefix.push_str("Shift-");
    }
    prefix + &base
}

/// One help line: every key of a command in a context, and its description.
#[derive(Clone, Debug, PartialEq)]
pub struct HelpLine {
    pub keys: String,
    pub desc: &'static str,
}

/// Help lines for one context, aliases joined with `/`.
pub fn help_lines(ctx: Ctx) -> Vec<HelpLine> {
    help_lines_of(ctx).into_iter().map(|(_, l)| l).collect()
}

/// Help lines for one context with the command each one runs.
pub fn help_lines_of(ctx: Ctx) -> Vec<(Command, HelpLine)> {
    let mut out: Vec<(Command, HelpLine)> = Vec::new();
    for b in BINDINGS.iter().filter(|b| b.ctx == ctx) {
        let name = key_name(b.code, b.mods);
        match out.iter_mut().find(|(c, _)| *c == b.cmd) {
            Some((_, line)) => {
                line.keys.push('/');
                line.keys.push_str(&name);
            }
            None => out.push((
                b.cmd,
                HelpLine {
                    keys: name,
                    desc: b.desc,
                },
            )),
        }
    }
    out
}

/// The contexts the help overlay lists, in order.
pub const HELP_CONTEXTS: [Ctx; 12] = [
    Global,
    Browser,
    Form,
    Collections,
    Results,
    History,
    Input,
    Popup,
    Persons,
    Editor,
    ConfirmDelete,
    Confirm,
];

/// The keys as a Markdown table, for the README (a test keeps the README in step).
pub fn markdown_table() -> String {
    let mut out = String::from("| where | keys | what |\n| --- | --- | --- |\n");
    for ctx in HELP_CONTEXTS {
        for l in help_lines(ctx) {
            let keys: Vec<String> = l
                .keys
                .split('/')
                .map(|k| {
                    if k.is_empty() {
                        "`/`".to_string()
                    } else {
                        format!("`{k}`")
                    }
                })
                .collect();
            // "/" itself splits into two empty parts; keep one.
            let mut keys_text = keys.join(" ");
            keys_text = keys_text.replace("`/` `/`", "`/`");
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                ctx.title(),
                keys_text,
                l.desc
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn pane_keys_win_over_global_ones() {
        let h = key(Char('h'), KeyModifiers::NONE);
        assert_eq!(lookup(&h, &[Browser, Global]), Some(C::Parent));
        assert_eq!(lookup(&h, &[Form, Global]), Some(C::Left));
        assert_eq!(lookup(&h, &[Results, Global]), None);
    }

    #[test]
    fn shift_only_matters_for_non_characters() {
        assert_eq!(
            lookup(&key(Char('R'), KeyModifiers::SHIFT), &[History, Global]),
            Some(C::Rerun)
        );
        assert_eq!(
            lookup(&key(F(5), KeyModifiers::SHIFT), &[Global]),
            Some(C::ForceSearch)
        );
        assert_eq!(
            lookup(&key(F(5), KeyModifiers::NONE), &[Global]),
            Some(C::Search)
        );
        assert_eq!(
            lookup(&key(Char('c'), KeyModifiers::CONTROL), &[Input]),
            Some(C::ForceQuit)
        );
    }

    #[test]
    fn help_joins_aliases() {
        let lines = help_lines(Global);
        let search = lines.iter().find(|l| l.desc == "run the search").unwrap();
        assert_eq!(search.keys, "F5/Ctrl-r");
        assert!(lines.iter().all(|l| !l.desc.is_empty()));
    }
}
