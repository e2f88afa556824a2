//! The edit popup's plumbing every form shares: keys and text input, Save (which asks
//! the open form for its request), the replace-faces question, closing, and `o` on a
//! duplicate refusal.

use crossterm::event::KeyEvent;

use super::collection::collection_request;
use super::form::{Editor, EditorKind, NAME};
use super::person::{enroll_request, update_request};
use crate::tui::app::{App, Loading, Popup};
use crate::tui::editform::KeyEffect;
use crate::tui::effect::{Effect, PersonSave};
use crate::tui::keymap::Command;

impl App {
    pub(super) fn load_collections_if_missing(&mut self) -> Vec<Effect> {
        if matches!(self.collections.load, Loading::Loaded(_) | Loading::Loading) {
            Vec::new()
        } else {
            vec![self.load_collections()]
        }
    }

    /// True while the open form's text field has the keys.
    pub fn editor_typing(&self) -> bool {
        self.popup == Some(Popup::Editor) && self.editor.as_ref().is_some_and(|e| e.form.editing)
    }

    pub(in crate::tui::app) fn editor_key(&mut self, key: KeyEvent) {
        if let Some(e) = self.editor.as_mut() {
            e.form.type_key(key);
        }
    }

    /// Closes the form and returns to where it was opened from.
    pub(in crate::tui::app) fn close_editor(&mut self) {
        self.popup = self.editor.take().and_then(|e| e.back);
    }

    pub(in crate::tui::app) fn on_editor_command(&mut self, cmd: Command) -> Vec<Effect> {
        let Some(e) = self.editor.as_mut() else {
            self.popup = None;
            return Vec::new();
        };
        let form = &mut e.form;
        if form.editing {
            match cmd {
                Command::Done => form.stop_editing(),
                Command::FocusNext => form.move_by(1),
                Command::FocusPrev => form.move_by(-1),
                Command::Save => return self.save_editor(),
                _ => {}
            }
            return Vec::new();
        }
        let outcome = match cmd {
            Command::Cancel => {
                self.close_editor();
                return Vec::new();
            }
            Command::Up => {
                form.move_by(-1);
                KeyEffect::Nothing
            }
            Command::Down => {
                form.move_by(1);
                KeyEffect::Nothing
            }
            Command::Enter => form.enter(),
            Command::Cycle | Command::Right => form.toggle(true),
            Command::Left => form.toggle(false),
            Command::Save => KeyEffect::Submit,
            Command::OpenExisting => return self.open_existing(),
            _ => KeyEffect::Nothing,
        };
        match outcome {
            KeyEffect::Submit => self.save_editor(),
            KeyEffect::Changed => {
                e.error = None;
                Vec::new()
            }
            KeyEffect::Nothing => Vec::new(),
        }
    }

    /// Validates the form; with no problem left, sends it (or asks first).
    fn save_editor(&mut self) -> Vec<Effect> {
        let thresholds = self.form.params();
        let Some(e) = self.editor.as_mut() else {
            return Vec::new();
        };
        e.form.stop_editing();
        if e.saving {
            return Vec::new();
        }
        let effect = match &e.kind {
            EditorKind::Enroll => enroll_request(e, thresholds),
            EditorKind::EditPerson { original } => {
                let original = original.clone();
                update_request(e, &original)
            }
            EditorKind::Collection { .. } => collection_request(e, &self.collections.load),
        };
        let effect = match effect {
            Ok(Some(effect)) => effect,
            Ok(None) => {
                self.notice = Some("nothing changed".into());
                return Vec::new();
            }
            Err(words) => {
                e.error = Some(words);
                return Vec::new();
            }
        };
        if let Some(warning) = digits_to_confirm(e) {
            e.error = Some(warning);
            return Vec::new();
        }
        if matches!(&effect, Effect::SavePerson { request: PersonSave::Update { .. }, images } if !images.is_empty())
        {
            e.pending = Some(effect);
            self.popup = Some(Popup::ConfirmReplaceFaces);
            return Vec::new();
        }
        e.saving = true;
        e.error = None;
        e.existing = None;
        vec![effect]
    }

    /// The answer to the replace-faces question.
    pub(in crate::tui::app) fn on_confirm_replace(&mut self, yes: bool) -> Vec<Effect> {
        self.popup = Some(Popup::Editor);
        let Some(e) = self.editor.as_mut() else {
            return Vec::new();
        };
        match e.pending.take() {
            Some(effect) if yes => {
                e.saving = true;
                e.error = None;
                vec![effect]
            }
            _ => Vec::new(),
        }
    }

    /// `o`: the person a duplicate refusal named, in the detail popup.
    fn open_existing(&mut self) -> Vec<Effect> {
        let Some(p) = self.editor.as_ref().and_then(|e| e.existing.clone()) else {
            self.notice = Some("no existing person to open".into());
            return Vec::new();
        };
        let id = p.id.clone();
        self.popup = Some(Popup::Detail {
            person_id: id.clone(),
            scroll: 0,
        });
        if p.name.is_some() {
            self.persons.insert(id, p);
            Vec::new()
        } else {
            // A duplicate answer may carry only the id: fetch the record.
            self.persons.remove(&id);
            vec![Effect::FetchPerson { id }]
        }
    }
}

/// Verifik strips digits from names: the first save of a name with digits only warns
/// (in the form's error line); saving the same name again sends it.
fn digits_to_confirm(e: &mut Editor) -> Option<String> {
    let name = e.form.text(NAME);
    match &e.kind {
        EditorKind::Collection { .. } => return None,
        EditorKind::EditPerson { original } if original.name.as_deref() == Some(&name) => {
            return None
        }
        _ => {}
    }
    let warning = crate::api::model::name_digits_warning(&name)?;
    if e.name_warned.as_deref() == Some(name.as_str()) {
        return None;
    }
    e.name_warned = Some(name);
    Some(format!("{warning}: Ctrl-s again saves it"))
}
