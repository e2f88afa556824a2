//! Pane 3's state: the collections as loaded, the filter, the cursor and the delete
//! question.

use tui_input::Input;

use super::editor::CollectionDelete;
use super::state::Loading;
use crate::api::model::Collection;

/// The collections pane: what loaded, what the filter keeps, where the cursor is.
#[derive(Debug)]
pub struct Collections {
    pub load: Loading<Vec<Collection>>,
    pub filter: Input,
    pub filtering: bool,
    /// Index into `visible()`; 0 is "all collections".
    pub selected: usize,
    /// The delete question of pane 3 (`Popup::ConfirmDeleteCollection`) and its request.
    pub delete: Option<CollectionDelete>,
    /// The collection (by id) to put the cursor on when the list next loads.
    pub reselect: Option<String>,
}

impl Collections {
    /// `None` first ("all collections"), then the collections matching the filter.
    pub fn visible(&self) -> Vec<Option<&Collection>> {
        let needle = self.filter.value().to_lowercase();
        let mut out = vec![None];
        if let Loading::Loaded(list) = &self.load {
            out.extend(
                list.iter()
                    .filter(|c| {
                        needle.is_empty()
                            || c.name.to_lowercase().contains(&needle)
                            || c.id.to_lowercase().contains(&needle)
                    })
                    .map(Some),
            );
        }
        out
    }
}
