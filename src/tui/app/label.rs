//! The label key (`L` in the results and history panes): the user says what a run's
//! probe really was, and the runner stores it in the history (`Effect::SaveLabel`).
//! Labelled runs feed `liveface eval --history` and the Evaluate screen.

use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

use crate::history::{LabelSpec, Labelled, Run};
use crate::tui::effect::Effect;
use crate::tui::keymap::Command;

use super::state::Popup;
use super::App;

/// Other matches offered as "another enrolled person" (the rest: type the id).
const MAX_OTHER_MATCHES: usize = 6;

/// One line of the label choice.
#[derive(Clone, Debug, PartialEq)]
pub enum LabelOption {
    /// The run's top match is the right person.
    Top {
        id: String,
        name: Option<String>,
    },
    /// Another of the run's matches is the right person.
    Other {
        id: String,
        name: Option<String>,
        score: f64,
    },
    /// Another enrolled person, by an id typed in.
    TypeId,
    NotEnrolled,
    Attack,
    /// Remove the label.
    Clear,
}

impl LabelOption {
    /// What choosing it stores (`TypeId` needs the typed id).
    pub fn spec(&self) -> Option<LabelSpec> {
        Some(match self {
            LabelOption::Top { .. } => LabelSpec::Top,
            LabelOption::Other { id, .. } => LabelSpec::Enrolled(id.clone()),
            LabelOption::TypeId => return None,
            LabelOption::NotEnrolled => LabelSpec::NotEnrolled,
            LabelOption::Attack => LabelSpec::Attack,
            LabelOption::Clear => LabelSpec::Clear,
        })
    }
}

/// The open label choice (`Popup::Label`) for run `run`.
#[derive(Clone, Debug)]
pub struct LabelChoice {
    pub run: u64,
    pub options: Vec<LabelOption>,
    pub selected: usize,
    /// The id field of "another enrolled person" has the keys.
    pub typing: bool,
    pub input: Input,
}

/// The choices for `run`: its top match, its other matches, a typed id, not enrolled,
/// an attack, and (when it has one) removing the label.
pub fn options_for(run: &Run) -> Vec<LabelOption> {
    let mut by_score: Vec<_> = run.matches.iter().collect();
    by_score.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut out = Vec::new();
    if let Some(top) = by_score.first() {
        out.push(LabelOption::Top {
            id: top.id.clone(),
            name: top.name.clone(),
        });
    }
    out.extend(
        by_score
            .iter()
            .skip(1)
            .take(MAX_OTHER_MATCHES)
            .map(|m| LabelOption::Other {
                id: m.id.clone(),
                name: m.name.clone(),
                score: m.score,
            }),
    );
    out.extend([
        LabelOption::TypeId,
        LabelOption::NotEnrolled,
        LabelOption::Attack,
    ]);
    if run.truth.is_some() {
        out.push(LabelOption::Clear);
    }
    out
}

impl App {
    /// `L`: opens the label choice for `run_id`.
    pub(super) fn open_label(&mut self, run_id: Option<u64>) {
        let Some(run) = run_id.and_then(|id| self.run(id)) else {
            self.notice = Some("no run to label here".into());
            return;
        };
        let mut options = options_for(run);
        // Names the run did not carry, from fetched person records.
        for o in &mut options {
            if let LabelOption::Top { id, name } | LabelOption::Other { id, name, .. } = o {
                if name.is_none() {
                    *name = self.persons.get(id).and_then(|p| p.name.clone());
                }
            }
        }
        self.label = Some(LabelChoice {
            run: run.id,
            options,
            selected: 0,
            typing: false,
            input: Input::default(),
        });
        self.popup = Some(Popup::Label);
    }

    /// True while the typed-id field of the label choice has the keys.
    pub(super) fn label_typing(&self) -> bool {
        self.popup == Some(Popup::Label) && self.label.as_ref().is_some_and(|l| l.typing)
    }

    /// A key for the typed-id field: Esc leaves the field (keeping the choice open),
    /// Enter saves the id, other keys edit it.
    pub(super) fn label_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(choice) = self.label.as_mut() else {
            return Vec::new();
        };
        match key.code {
            KeyCode::Esc => choice.typing = false,
            KeyCode::Enter => {
                let id = choice.input.value().trim().to_owned();
                if id.is_empty() {
                    choice.typing = false;
                } else {
                    return self.save_label(LabelSpec::Enrolled(id));
                }
            }
            _ => {
                choice.input.handle_event(&Event::Key(key));
            }
        }
        Vec::new()
    }

    pub(super) fn on_label_command(&mut self, cmd: Command) -> Vec<Effect> {
        let Some(choice) = self.label.as_mut() else {
            self.popup = None;
            return Vec::new();
        };
        let n = choice.options.len();
        match cmd {
            Command::Up => choice.selected = choice.selected.saturating_sub(1),
            Command::Down => choice.selected = (choice.selected + 1).min(n.saturating_sub(1)),
            Command::Enter => match choice.options.get(choice.selected).map(|o| o.spec()) {
                Some(Some(spec)) => return self.save_label(spec),
                Some(None) => choice.typing = true,
                None => {}
            },
            Command::Cancel => {
                self.label = None;
                self.popup = None;
            }
            _ => {}
        }
        Vec::new()
    }

    fn save_label(&mut self, spec: LabelSpec) -> Vec<Effect> {
        let Some(choice) = self.label.take() else {
            return Vec::new();
        };
        self.popup = None;
        self.notice = Some(format!("labelling run #{} …", choice.run));
        vec![Effect::SaveLabel {
            run: choice.run,
            spec,
        }]
    }

    /// The history file holds the label: the app's copies of the run (and of the runs
    /// that share its search) take it too.
    pub(super) fn on_label_saved(&mut self, run: u64, result: Result<Labelled, String>) {
        match result {
            Ok(done) => {
                for r in self.runs.iter_mut().filter(|r| {
                    r.id == run || r.id == done.run_id || r.refiltered_from == Some(done.run_id)
                }) {
                    r.truth = done.truth.clone();
                }
                let what = done
                    .truth
                    .as_ref()
                    .map_or_else(|| "label removed".to_owned(), |t| t.words());
                let source = if done.run_id == run {
                    String::new()
                } else {
                    format!(" (on run #{}, the search it re-filtered)", done.run_id)
                };
                self.notice = Some(format!("run #{run}: {what}{source}"));
            }
            Err(e) => self.last_error = Some(format!("run #{run} not labelled: {e}")),
        }
    }
}
