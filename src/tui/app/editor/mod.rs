//! The edit-form popup: one `Editor` at a time, one file per form.
//!
//! - `form`: what every form shares (the `Editor`, what it edits, the field names);
//! - `popup`: the plumbing (keys, text input, Save, the replace-faces question, closing);
//! - `person`: the person forms (enrol, edit) and their requests;
//! - `collection`: the collection form and pane 3's writes (create, rename, delete).

mod collection;
mod form;
mod person;
mod popup;

pub use collection::CollectionDelete;
pub use form::{Editor, EditorKind};
