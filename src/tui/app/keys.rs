//! The key dispatch: a key event becomes a command (through the keymap) or text for
//! the focused input, and each command changes the state of the pane or popup it
//! belongs to.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

use crate::tui::action::Pane;
use crate::tui::effect::Effect;
use crate::tui::keymap::{self, Command, Ctx};

use super::search::Field;
use super::state::{collection_key, Popup, ProbeState, ResultsView};
use super::App;

/// How many rows PageUp/PageDown move.
const PAGE: usize = 10;

impl App {
    pub(super) fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        // No binding uses Alt. Terminals send Esc-then-key typed quickly (or over a slow
        // SSH link) as Alt+key, so treat it as exactly that: Esc, then the key.
        if key.modifiers.contains(KeyModifiers::ALT) {
            let mut fx = self.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
            let mut plain = key;
            plain.modifiers.remove(KeyModifiers::ALT);
            fx.extend(self.on_key(plain));
            return fx;
        }
        // The label's id field reads Esc and Enter itself (leave the field / save).
        if self.label_typing() && !key.modifiers.contains(KeyModifiers::CONTROL) {
            return self.label_key(key);
        }
        let ctxs = self.contexts();
        match keymap::lookup(&key, &ctxs) {
            Some(cmd) => self.on_command(cmd),
            None if ctxs == [Ctx::Input] => {
                self.edit_input(key);
                Vec::new()
            }
            None => Vec::new(),
        }
    }

    /// A key that goes into the focused text input.
    pub(super) fn edit_input(&mut self, key: KeyEvent) {
        let event = Event::Key(key);
        if self.popup == Some(Popup::Editor) {
            self.editor_key(key);
            return;
        }
        if self.popup == Some(Popup::Persons) {
            if self.person_list.filter.handle_event(&event).is_some() {
                self.person_list.selected = 0;
            }
            return;
        }
        match self.focus {
            Pane::Browser if self.browser.filter.handle_event(&event).is_some() => {
                self.browser.selected = 0;
                self.browser.refresh_visible();
            }
            Pane::Collections if self.collections.filter.handle_event(&event).is_some() => {
                self.collections.selected = 0;
            }
            Pane::Form => {
                if let Some(input) = self.form.input_mut() {
                    input.handle_event(&event);
                }
            }
            _ => {}
        }
    }

    pub fn on_command(&mut self, cmd: Command) -> Vec<Effect> {
        // Commands valid everywhere first.
        match cmd {
            Command::ForceQuit => return self.quit_now(),
            Command::Search => return self.start_search(false),
            Command::ForceSearch => return self.start_search(true),
            Command::Persons => return self.open_persons(),
            Command::SwitchProfile => return self.open_profiles(),
            _ => {}
        }
        if let Some(popup) = self.popup.clone() {
            return self.on_popup_command(popup, cmd);
        }
        if self.in_text_input() {
            match cmd {
                Command::Done => self.leave_input(),
                Command::FocusNext | Command::FocusPrev => {
                    self.leave_input();
                    self.move_focus(cmd == Command::FocusNext);
                }
                _ => {}
            }
            return Vec::new();
        }
        match cmd {
            Command::FocusNext => self.move_focus(true),
            Command::FocusPrev => self.move_focus(false),
            Command::Focus(p) => self.focus = p,
            Command::Cancel => {
                if self.in_flight.is_some() {
                    return self.cancel_search();
                }
                return self.cancel_models_install();
            }
            Command::InstallModels => return self.toggle_models_install(),
            Command::Help => self.popup = Some(Popup::Help { scroll: 0 }),
            Command::Evaluate => return self.open_evaluate(),
            Command::CycleTheme => self.cycle_theme(),
            Command::Quit => {
                if self.in_flight.is_some() {
                    self.popup = Some(Popup::ConfirmQuit);
                } else {
                    return self.quit_now();
                }
            }
            Command::Up => self.move_selection(-1),
            Command::Down => self.move_selection(1),
            Command::PageUp => self.move_selection(-(PAGE as isize)),
            Command::PageDown => self.move_selection(PAGE as isize),
            Command::Top => self.move_selection(isize::MIN / 2),
            Command::Bottom => self.move_selection(isize::MAX / 2),
            _ => return self.on_pane_command(cmd),
        }
        Vec::new()
    }

    /// `T`: the next theme; a broken one falls back to the default and says why.
    pub(super) fn cycle_theme(&mut self) {
        if self.themes.is_empty() {
            return;
        }
        let i = self
            .themes
            .iter()
            .position(|(t, _)| t.name == self.theme.name)
            .map_or(0, |i| (i + 1) % self.themes.len());
        let (theme, problem) = self.themes[i].clone();
        self.notice = Some(format!("theme: {}", theme.name));
        if problem.is_some() {
            self.last_error = problem;
        }
        self.theme = theme;
    }

    pub(super) fn on_popup_command(&mut self, popup: Popup, cmd: Command) -> Vec<Effect> {
        match (popup, cmd) {
            (Popup::Persons, cmd) => return self.on_persons_command(cmd),
            (Popup::Label, cmd) => return self.on_label_command(cmd),
            (Popup::Evaluate, cmd) => return self.on_evaluate_command(cmd),
            (Popup::EvalPair { .. }, Command::Cancel) => self.popup = Some(Popup::Evaluate),
            (Popup::Profiles { selected }, cmd) => return self.on_profiles_command(selected, cmd),
            (Popup::ConfirmDelete { id, .. }, Command::Yes) => {
                return self.delete_person(id, None).into_iter().collect();
            }
            (
                Popup::ConfirmDelete {
                    id,
                    collection: Some((c, _)),
                    ..
                },
                Command::Detach,
            ) => {
                return self.delete_person(id, Some(c)).into_iter().collect();
            }
            (Popup::ConfirmDelete { .. }, Command::No | Command::Cancel) => {
                self.popup = Some(Popup::Persons)
            }
            (Popup::Editor, cmd) => return self.on_editor_command(cmd),
            (Popup::ConfirmDeleteCollection, cmd) => return self.on_delete_collection_command(cmd),
            (Popup::ConfirmReplaceFaces, Command::Yes) => return self.on_confirm_replace(true),
            (Popup::ConfirmReplaceFaces, Command::No | Command::Cancel) => {
                return self.on_confirm_replace(false)
            }
            (Popup::Detail { person_id, .. }, Command::Edit) => {
                if let Some(p) = self.persons.get(&person_id).cloned() {
                    return self.open_edit_person(p);
                }
                self.notice = Some("the record is still loading".into());
            }
            (Popup::Detail { .. }, Command::Cancel) if self.editor.is_some() => {
                self.popup = Some(Popup::Editor);
            }
            (Popup::Detail { .. }, Command::Cancel) if self.person_list.reopen => {
                self.person_list.reopen = false;
                self.popup = Some(Popup::Persons);
            }
            (Popup::ConfirmQuit, Command::Yes) => return self.quit_now(),
            (Popup::ConfirmQuit, Command::No) => self.popup = None,
            (_, Command::Cancel) => self.popup = None,
            (p, Command::Up | Command::Down) => {
                let down = cmd == Command::Down;
                let step = |s: usize| {
                    if down {
                        s + 1
                    } else {
                        s.saturating_sub(1)
                    }
                };
                self.popup = Some(match p {
                    Popup::Help { scroll } => Popup::Help {
                        scroll: step(scroll),
                    },
                    Popup::Detail { person_id, scroll } => Popup::Detail {
                        person_id,
                        scroll: step(scroll),
                    },
                    Popup::Compare { a, b, scroll } => Popup::Compare {
                        a,
                        b,
                        scroll: step(scroll),
                    },
                    other => other,
                });
                // Scrolling stops where the content ends (`crate::tui::update` clamps it
                // after this), so ↑ answers at once.
            }
            _ => {}
        }
        Vec::new()
    }

    /// Keeps the open popup's scroll within `max`: how far its content scrolls at the
    /// current terminal size, which only the drawing code can measure, so the caller
    /// ([`crate::tui::update`]) asks it after each action.
    pub fn clamp_popup_scroll(&mut self, max: usize) {
        if let Some(
            Popup::Help { scroll } | Popup::Detail { scroll, .. } | Popup::Compare { scroll, .. },
        ) = &mut self.popup
        {
            *scroll = (*scroll).min(max);
        }
    }

    pub(super) fn leave_input(&mut self) {
        self.browser.filtering = false;
        self.form.editing = false;
        self.collections.filtering = false;
    }

    pub(super) fn move_focus(&mut self, forward: bool) {
        let i = self.focus.number() - 1;
        let n = Pane::ALL.len();
        self.focus = Pane::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
    }

    pub(super) fn move_selection(&mut self, delta: isize) {
        let (sel, len) = match self.focus {
            Pane::Browser => (&mut self.browser.selected, self.browser.visible.len()),
            Pane::Form => (&mut self.form.field, Field::ALL.len()),
            Pane::Collections => {
                let len = self.collections.visible().len();
                (&mut self.collections.selected, len)
            }
            Pane::Results => {
                let len = self.shown_run().map_or(0, |r| r.matches.len());
                (&mut self.results_selected, len)
            }
            Pane::History => (&mut self.history_selected, self.runs.len()),
        };
        if len == 0 {
            *sel = 0;
            return;
        }
        let target = (*sel as isize).saturating_add(delta);
        *sel = target.clamp(0, len as isize - 1) as usize;
    }

    pub(super) fn on_pane_command(&mut self, cmd: Command) -> Vec<Effect> {
        match (self.focus, cmd) {
            (Pane::Browser, Command::Enter) => return self.browser_enter(),
            (Pane::Browser, Command::Parent) => {
                let dir = self.browser.dir.clone();
                if let Some(parent) = dir.parent() {
                    let from = dir.file_name().map(|n| n.to_os_string());
                    return vec![self.open_dir(parent.to_path_buf(), from)];
                }
            }
            (Pane::Browser, Command::Filter) => self.browser.filtering = true,
            (Pane::Browser, Command::MarkImage) => self.mark_image(),
            (Pane::Browser, Command::EvaluateSet) => return self.browser_evaluate(),
            (Pane::Browser, Command::ToggleHidden) => {
                self.browser.show_hidden = !self.browser.show_hidden;
                self.browser.refresh_visible();
            }
            (Pane::Form, Command::Left) => self.form.cycle(false),
            (Pane::Form, Command::Right | Command::Cycle) => {
                if self.form.field().is_text() {
                    self.form.editing = true;
                } else {
                    self.form.cycle(true);
                }
            }
            (Pane::Form, Command::Enter) => {
                if self.form.field().is_text() {
                    self.form.editing = true;
                } else {
                    self.form.cycle(true);
                }
            }
            (Pane::Form, Command::Preview) => match &self.probe {
                ProbeState::Ready(info) if info.preview.is_some() => {
                    self.popup = Some(Popup::Preview)
                }
                ProbeState::Ready(_) => self.notice = Some("no preview for this probe".into()),
                _ => self.notice = Some("pick a probe first (Enter on an image in 1)".into()),
            },
            (Pane::Collections, Command::Filter) => self.collections.filtering = true,
            (Pane::Collections, Command::Retry) => return vec![self.load_collections()],
            (Pane::Collections, Command::New | Command::Edit | Command::Delete) => {
                return self.on_collection_command(cmd)
            }
            (Pane::Collections, Command::Enter) => {
                let chosen = self
                    .collections
                    .visible()
                    .get(self.collections.selected)
                    .map(|c| c.map(|c| collection_key(c).to_string()));
                if let Some(id) = chosen {
                    self.form.collection = Input::new(id.unwrap_or_default());
                }
            }
            (Pane::Results, Command::Enter) => {
                if let Some(m) = self
                    .shown_run()
                    .and_then(|r| r.matches.get(self.results_selected))
                {
                    let id = m.id.clone();
                    let fx = self.fetch_missing_persons([&id]);
                    self.popup = Some(Popup::Detail {
                        person_id: id,
                        scroll: 0,
                    });
                    return fx;
                }
            }
            (Pane::History, Command::Enter) => {
                if let Some(run) = self.selected_run().cloned() {
                    self.form.set(&run.params);
                    self.results = ResultsView::Run(run.id);
                    self.results_selected = 0;
                    self.notice = Some(format!("run #{} loaded into the form", run.id));
                    return vec![self.pick_probe(run.probe.path.clone())];
                }
            }
            (Pane::History, Command::Rerun) => {
                if let Some(run) = self.selected_run().cloned() {
                    self.form.set(&run.params);
                    self.pending_rerun = Some((run.params.clone(), false));
                    return vec![self.pick_probe(run.probe.path.clone())];
                }
            }
            (Pane::History, Command::Mark) => {
                let Some(id) = self.selected_run().map(|r| r.id) else {
                    return Vec::new();
                };
                match self.marked.take() {
                    Some(a) if a != id => {
                        self.popup = Some(Popup::Compare {
                            a,
                            b: id,
                            scroll: 0,
                        })
                    }
                    Some(_) => {}
                    None => self.marked = Some(id),
                }
            }
            (Pane::History, Command::Sweep) => {
                if let Some(id) = self.selected_run().map(|r| r.id) {
                    self.popup = Some(Popup::Sweep { run: id });
                }
            }
            // The pane shows the previous run under the spinner, but the user means the
            // search being made: labelling now would label the wrong run.
            (Pane::Results, Command::Label) if self.in_flight.is_some() => {
                self.notice = Some(
                    "a search is running: label its run when it has finished \
                     (History labels earlier runs)"
                        .into(),
                );
            }
            (Pane::Results, Command::Label) => {
                let id = self.shown_run().map(|r| r.id);
                self.open_label(id);
            }
            (Pane::History, Command::Label) => {
                let id = self.selected_run().map(|r| r.id);
                self.open_label(id);
            }
            (Pane::Results | Pane::History, Command::Export) => return self.export(),
            (Pane::History, Command::CopyCurl) => {
                if let Some(run) = self.selected_run().cloned() {
                    return self.curl_of(run);
                }
            }
            _ => {}
        }
        Vec::new()
    }
}
