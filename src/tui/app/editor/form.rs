//! The pieces every form of the edit popup shares: what the open form edits
//! ([`EditorKind`]), the [`Editor`] that holds it, and the field names.

use std::path::PathBuf;

use crate::api::model::{Collection, Person};
use crate::tui::app::{collection_label, person_label, Popup};
use crate::tui::editform::EditForm;
use crate::tui::effect::Effect;

pub const NAME: &str = "Name";
pub const GENDER: &str = "Gender";
pub const BORN: &str = "Born";
pub const NATIONALITY: &str = "Nationality";
pub const NOTES: &str = "Notes";
pub const COLLECTIONS: &str = "Collections";
pub const FACES: &str = "Faces";
pub const METHOD: &str = "Method";

pub(super) const GENDERS: [&str; 3] = ["—", "M", "F"];

/// Why an emptied field of a person that had a value is refused: the documented
/// `PUT /persons/{id}` is partial, an absent field keeps its value, and an empty
/// one is invalid (Verifik's Joi schemas, and the sandbox, answer 409).
pub const CANNOT_CLEAR: &str = "cannot be emptied: the API has no way to clear it";
/// The placeholder an emptied field shows, saying the same before Save.
pub(super) const KEEPS_VALUE: &str = "the API cannot clear this: type a new value";
pub(super) const KEEPS_DATE: &str = "YYYY-MM-DD · the API cannot clear this";
pub(super) const METHODS: [&str; 2] = ["plain create", "create with liveness check"];

/// What the open form edits.
#[derive(Clone, Debug)]
pub enum EditorKind {
    /// A new person from 1–3 face images.
    Enroll,
    /// An existing person, as the server last sent it.
    EditPerson { original: Box<Person> },
    /// A collection: `None` creates one, `Some` renames/describes it.
    Collection { original: Option<Box<Collection>> },
}

#[derive(Clone, Debug)]
pub struct Editor {
    pub kind: EditorKind,
    pub form: EditForm,
    /// Face images a save uploads (enrol: the faces; edit: the replacements offered).
    pub images: Vec<PathBuf>,
    pub saving: bool,
    /// The last failure, in plain words.
    pub error: Option<String>,
    /// The person a duplicate refusal named; `o` opens it.
    pub existing: Option<Person>,
    /// How similar the refused face was to theirs, when the server says.
    pub existing_score: Option<f64>,
    /// A save that waits for a yes (replacing faces).
    pub pending: Option<Effect>,
    /// The popup Esc returns to.
    pub back: Option<Popup>,
    /// The name whose digit warning was shown: a second save sends it as it is.
    pub name_warned: Option<String>,
}

impl Editor {
    pub fn title(&self) -> String {
        match &self.kind {
            EditorKind::Enroll => "Enrol a person".to_string(),
            EditorKind::EditPerson { original } => format!("Edit {}", person_label(original)),
            EditorKind::Collection { original: None } => "New collection".to_string(),
            EditorKind::Collection { original: Some(c) } => {
                format!("Edit collection {}", collection_label(c))
            }
        }
    }

    /// What a save writes, for the status bar: the name typed, or the kind of record.
    pub fn subject(&self) -> String {
        let name = self.form.text(NAME);
        if name.is_empty() {
            match self.kind {
                EditorKind::Collection { .. } => "collection".to_string(),
                _ => "person".to_string(),
            }
        } else {
            name
        }
    }

    pub(in crate::tui::app) fn new(
        kind: EditorKind,
        form: EditForm,
        images: Vec<PathBuf>,
        back: Option<Popup>,
    ) -> Editor {
        Editor {
            kind,
            form,
            images,
            saving: false,
            error: None,
            existing: None,
            existing_score: None,
            pending: None,
            back,
            name_warned: None,
        }
    }
}
