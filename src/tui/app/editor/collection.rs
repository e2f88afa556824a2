//! Pane 3 manages collections: `a` new, `e` rename/describe, `d` delete (asks first).
//! The forms are the shared edit popup (`Editor`); answers come back as `Collection*`
//! actions, and every success reloads the list so the search form's selector, the
//! persons list filter and the enrol form's check list all see the change.

use tui_input::Input;

use crate::api::model::{Collection, CollectionInput};
use crate::api::ApiError;
use crate::tui::editform::{EditForm, FormField};
use crate::tui::effect::Effect;
use crate::tui::keymap::Command;

use super::form::{Editor, EditorKind, NAME};
use crate::tui::app::{collection_key, collection_label, error_words, App, Loading, Popup};

pub const DESCRIPTION: &str = "Description";

/// The delete question for one collection, and its request once `y` sent it.
#[derive(Clone, Debug, PartialEq)]
pub struct CollectionDelete {
    pub collection: Collection,
    /// True while the request runs.
    pub sending: bool,
    /// The last failure, in plain words; `y` tries again.
    pub error: Option<String>,
}

impl App {
    /// The collection under the cursor in pane 3 (`None` on "all collections").
    fn selected_collection(&self) -> Option<Collection> {
        self.collections
            .visible()
            .get(self.collections.selected)
            .copied()
            .flatten()
            .cloned()
    }

    /// `a`, `e` and `d` in pane 3.
    pub(in crate::tui::app) fn on_collection_command(&mut self, cmd: Command) -> Vec<Effect> {
        if cmd == Command::New {
            self.open_collection_form(None);
            return Vec::new();
        }
        let Some(c) = self.selected_collection() else {
            self.notice = Some(
                match self.collections.load {
                    Loading::Loaded(_) => "move to a collection first: this row means all of them",
                    _ => "collections are not loaded yet (r reloads)",
                }
                .into(),
            );
            return Vec::new();
        };
        match cmd {
            Command::Edit => self.open_collection_form(Some(c)),
            Command::Delete => self.ask_delete_collection(c),
            _ => {}
        }
        Vec::new()
    }

    /// The form: empty for a new collection, else filled with what the server last sent.
    fn open_collection_form(&mut self, original: Option<Collection>) {
        let text = |f: fn(&Collection) -> Option<&str>| {
            original.as_ref().and_then(f).unwrap_or("").to_string()
        };
        let form = EditForm::new(vec![
            FormField::text(NAME, &text(|c| Some(&c.name)), "required"),
            FormField::text(DESCRIPTION, &text(|c| c.description.as_deref()), "optional"),
            FormField::button("Save"),
        ]);
        let kind = EditorKind::Collection {
            original: original.map(Box::new),
        };
        self.editor = Some(Editor::new(kind, form, Vec::new(), self.popup.clone()));
        self.popup = Some(Popup::Editor);
    }

    fn ask_delete_collection(&mut self, collection: Collection) {
        if self.collections.delete.as_ref().is_some_and(|d| d.sending) {
            self.notice = Some("a collection delete is still running".into());
            return;
        }
        self.collections.delete = Some(CollectionDelete {
            collection,
            sending: false,
            error: None,
        });
        self.popup = Some(Popup::ConfirmDeleteCollection);
    }

    /// `y` sends the delete (again, after a failure); `n`/Esc closes the question. A
    /// request already sent still reports when it ends.
    pub(in crate::tui::app) fn on_delete_collection_command(
        &mut self,
        cmd: Command,
    ) -> Vec<Effect> {
        let Some(d) = self.collections.delete.as_mut() else {
            self.popup = None;
            return Vec::new();
        };
        match cmd {
            Command::Yes if !d.sending => {
                d.sending = true;
                d.error = None;
                vec![Effect::DeleteCollection {
                    id: d.collection.id.clone(),
                }]
            }
            Command::No | Command::Cancel => {
                if !d.sending {
                    self.collections.delete = None;
                }
                self.popup = None;
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// The collection form waiting for this answer (`None` id: the new-collection form).
    fn waiting_collection_form(&mut self, id: Option<&str>) -> Option<&mut Editor> {
        self.editor.as_mut().filter(|e| {
            e.saving
                && matches!(&e.kind, EditorKind::Collection { original }
                    if original.as_ref().map(|c| c.id.as_str()) == id)
        })
    }

    /// Marks the form's failure in plain words; the form keeps what was typed.
    fn collection_form_failed(&mut self, id: Option<&str>, what: &str, err: &ApiError) {
        let words = error_words(err);
        match self.waiting_collection_form(id) {
            Some(e) => {
                e.saving = false;
                e.error = Some(words);
            }
            // The form was closed while the request ran: say it in the status bar.
            None => self.last_error = Some(format!("{what}: {words}")),
        }
    }

    pub(in crate::tui::app) fn on_collection_created(
        &mut self,
        result: Result<Collection, ApiError>,
    ) -> Vec<Effect> {
        match result {
            Ok(c) => {
                if self.waiting_collection_form(None).is_some() {
                    self.close_editor();
                }
                self.notice = Some(format!("created collection {}", collection_label(&c)));
                self.collections.reselect = Some(c.id);
                vec![self.load_collections()]
            }
            Err(err) => {
                self.collection_form_failed(None, "collection not created", &err);
                Vec::new()
            }
        }
    }

    pub(in crate::tui::app) fn on_collection_updated(
        &mut self,
        id: String,
        result: Result<Collection, ApiError>,
    ) -> Vec<Effect> {
        let from_form = match self.waiting_collection_form(Some(&id)).map(|e| &e.kind) {
            Some(EditorKind::Collection { original: Some(c) }) => Some((**c).clone()),
            _ => None,
        };
        let before = from_form.or_else(|| self.loaded_collection(&id));
        let old_name = before
            .as_ref()
            .map_or(id.clone(), |c| collection_label(c).into());
        match result {
            Ok(c) => {
                if self.waiting_collection_form(Some(&id)).is_some() {
                    self.close_editor();
                }
                let name = collection_label(&c);
                let mut notice = if name == old_name {
                    format!("saved collection {name}")
                } else {
                    format!("renamed {old_name} to {name}")
                };
                // The form keeps the id or code, which a rename does not change.
                if names(self.form_collection().as_deref(), &c) {
                    notice.push_str(" (still chosen in the search form)");
                }
                self.notice = Some(notice);
                self.collections.reselect = Some(c.id);
                vec![self.load_collections()]
            }
            Err(err) => {
                self.collection_form_failed(Some(&id), &format!("{old_name} not saved"), &err);
                self.reload_if_gone(&err)
            }
        }
    }

    pub(in crate::tui::app) fn on_collection_deleted(
        &mut self,
        id: String,
        result: Result<(), ApiError>,
    ) -> Vec<Effect> {
        let asked = self
            .collections
            .delete
            .take_if(|d| d.collection.id == id)
            .map(|d| d.collection);
        let question_open = asked.is_some() && self.popup == Some(Popup::ConfirmDeleteCollection);
        let Some(gone) = asked.or_else(|| self.loaded_collection(&id)) else {
            // Nothing known about it: just make the list current.
            return vec![self.load_collections()];
        };
        let name = collection_label(&gone).to_string();
        if let Err(err) = result {
            let words = error_words(&err);
            if question_open {
                self.collections.delete = Some(CollectionDelete {
                    collection: gone,
                    sending: false,
                    error: Some(words),
                });
            } else {
                self.last_error = Some(format!("collection {name} not deleted: {words}"));
            }
            return self.reload_if_gone(&err);
        }
        // Its persons were in earlier results; those runs must not be re-filtered.
        self.gallery_changed();
        if question_open {
            self.popup = None;
        }
        let mut notice = format!("deleted collection {name}; its persons stay enrolled");
        if names(self.form_collection().as_deref(), &gone) {
            self.form.collection = Input::default();
            notice.push_str(" · the search form now searches all collections");
        }
        let l = &mut self.person_list;
        if names(l.collection.as_deref(), &gone) {
            // A filter on a collection that no longer exists would only fail: drop it.
            l.collection = None;
            l.items.clear();
            l.pagination = None;
            l.page = 1;
            notice.push_str(" · the persons list shows all collections");
        }
        if names(l.followed_form.as_deref(), &gone) {
            l.followed_form = None;
        }
        self.notice = Some(notice);
        vec![self.load_collections()]
    }

    /// A 404 means the list shows a collection that is gone: reload it.
    fn reload_if_gone(&mut self, err: &ApiError) -> Vec<Effect> {
        if err.status() == Some(404) {
            vec![self.load_collections()]
        } else {
            Vec::new()
        }
    }

    fn loaded_collection(&self, id: &str) -> Option<Collection> {
        match &self.collections.load {
            Loading::Loaded(list) => list.iter().find(|c| c.id == id).cloned(),
            _ => None,
        }
    }

    /// After a reload, the cursor goes back to the collection just created or saved.
    pub(in crate::tui::app) fn reselect_collection(&mut self) {
        let Some(id) = self.collections.reselect.take() else {
            return;
        };
        if let Some(i) = self
            .collections
            .visible()
            .iter()
            .position(|c| c.is_some_and(|c| c.id == id))
        {
            self.collections.selected = i;
        }
    }
}

/// The create or update request of a collection form, `None` when nothing changed, or
/// the problems in plain words (marked on the fields too). Nothing is sent on a problem.
pub(super) fn collection_request(
    e: &mut Editor,
    loaded: &Loading<Vec<Collection>>,
) -> Result<Option<Effect>, String> {
    let EditorKind::Collection { original } = &e.kind else {
        return Ok(None);
    };
    let original = original.as_deref().cloned();
    let form = &mut e.form;
    form.set_error(NAME, None);
    form.set_error(DESCRIPTION, None);
    let name = form.text(NAME);
    let description = form.text(DESCRIPTION);
    let old_description = original
        .as_ref()
        .and_then(|c| c.description.clone())
        .unwrap_or_default();
    if name.is_empty() {
        form.set_error(NAME, Some("required".into()));
    } else if let Some(other) = same_name(&name, original.as_ref(), loaded) {
        // The selector, the filters and the check lists show names only.
        form.set_error(
            NAME,
            Some(format!("another collection is already called {other}")),
        );
    }
    if description.is_empty() && !old_description.is_empty() {
        // The API rejects an empty description and keeps the old one when it is left out.
        form.set_error(
            DESCRIPTION,
            Some("cannot be emptied (the API refuses it): type a new one".into()),
        );
    }
    if form.has_errors() {
        return Err("fix the marked fields".into());
    }
    let changed_description = (description != old_description).then_some(description);
    Ok(match original {
        None => Some(Effect::CreateCollection {
            input: CollectionInput {
                name,
                description: changed_description,
            },
        }),
        Some(c) if c.name == name && changed_description.is_none() => None,
        // The API wants the name on every update, changed or not.
        Some(c) => Some(Effect::UpdateCollection {
            id: c.id,
            input: CollectionInput {
                name,
                description: changed_description,
            },
        }),
    })
}

/// True when `key` (an id or code, as the search form and the persons list keep it)
/// names `c`.
fn names(key: Option<&str>, c: &Collection) -> bool {
    key.is_some_and(|k| k == c.id || k == collection_key(c))
}

/// The name of another loaded collection called `name` (ignoring case), if any.
fn same_name(
    name: &str,
    original: Option<&Collection>,
    loaded: &Loading<Vec<Collection>>,
) -> Option<String> {
    let Loading::Loaded(list) = loaded else {
        return None;
    };
    let lower = name.to_lowercase();
    list.iter()
        .filter(|c| original.is_none_or(|o| o.id != c.id))
        .find(|c| c.name.trim().to_lowercase() == lower)
        .map(|c| c.name.clone())
}
