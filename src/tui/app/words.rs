//! Small words the app and the panes share: an error for the status bar, a person's
//! label, a file's name.

use std::path::Path;

use crate::api::model::Person;
use crate::api::{ApiError, ErrorKind};

/// The words shown for a failed search: the client's plain explanation, with the
/// token advice where authentication failed.
pub fn error_words(e: &ApiError) -> String {
    let text = e.to_string();
    if e.kind() == ErrorKind::Auth && !text.contains("VERIFIK_TOKEN") {
        format!("{text} (set VERIFIK_TOKEN)")
    } else {
        text
    }
}

/// A person's name, else the id.
pub fn person_label(p: &Person) -> &str {
    p.name.as_deref().unwrap_or(&p.id)
}

/// The last path component, for compact lists.
pub fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}
