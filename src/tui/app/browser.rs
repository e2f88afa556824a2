//! The file browser: listing, filtering, picking a probe, marking faces to enrol.

use std::ffi::OsString;
use std::path::PathBuf;

use tui_input::Input;

use crate::tui::effect::Effect;
use crate::tui::fsview::{Entry, EntryKind};

use super::App;

/// The file browser's state. `visible` indexes `entries` after the hidden and text
/// filters, so a 100k-entry directory is filtered once per keystroke, never per frame.
#[derive(Debug)]
pub struct Browser {
    pub dir: PathBuf,
    pub entries: Vec<Entry>,
    pub visible: Vec<usize>,
    pub selected: usize,
    pub show_hidden: bool,
    pub filter: Input,
    pub filtering: bool,
    pub loading: bool,
    pub message: Option<String>,
    pub seq: u64,
    /// The entry to select once the listing arrives (the dir we came up from), by its
    /// real name.
    pub(super) reselect: Option<OsString>,
    /// Images marked (`m`) as faces to enrol, in marking order.
    pub marked: Vec<PathBuf>,
}

impl Browser {
    pub(super) fn new(dir: PathBuf) -> Browser {
        Browser {
            dir,
            entries: Vec::new(),
            visible: Vec::new(),
            selected: 0,
            show_hidden: false,
            filter: Input::default(),
            filtering: false,
            loading: false,
            message: None,
            seq: 0,
            reselect: None,
            marked: Vec::new(),
        }
    }

    pub fn refresh_visible(&mut self) {
        let needle = self.filter.value().to_lowercase();
        self.visible = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| self.show_hidden || !e.is_hidden())
            .filter(|(_, e)| contains_ignore_case(&e.name, &needle))
            .map(|(i, _)| i)
            .collect();
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
    }

    pub fn current(&self) -> Option<&Entry> {
        self.visible.get(self.selected).map(|i| &self.entries[*i])
    }
}

/// Case-insensitive substring test; `needle` is already lower case. ASCII needles (the
/// usual case) are matched without allocating, which keeps filtering 100k names fast.
pub fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if needle.is_ascii() {
        let n = needle.as_bytes();
        return hay
            .as_bytes()
            .windows(n.len())
            .any(|w| w.eq_ignore_ascii_case(n));
    }
    hay.to_lowercase().contains(needle)
}

impl App {
    pub(super) fn open_dir(&mut self, dir: PathBuf, reselect: Option<OsString>) -> Effect {
        self.browser.seq += 1;
        self.browser.loading = true;
        self.browser.reselect = reselect;
        Effect::ReadDir {
            seq: self.browser.seq,
            dir,
        }
    }

    pub(super) fn browser_enter(&mut self) -> Vec<Effect> {
        let Some(entry) = self.browser.current().cloned() else {
            return Vec::new();
        };
        // The real name, not the display one: a non-UTF-8 name must survive to open().
        let path = self.browser.dir.join(&entry.file_name);
        match entry.kind {
            EntryKind::Dir => vec![self.open_dir(path, None)],
            EntryKind::BrokenLink | EntryKind::Special => {
                self.browser.message = Some(format!(
                    "{}: {}",
                    entry.name,
                    entry.problem.as_deref().unwrap_or("unusable")
                ));
                Vec::new()
            }
            EntryKind::File if entry.is_image() => vec![self.pick_probe(path)],
            EntryKind::File => {
                self.browser.message = Some(format!(
                    "{} is not an image ({})",
                    entry.name,
                    crate::imageio::extension_list()
                ));
                Vec::new()
            }
        }
    }

    /// `E`: the highlighted folder (or `.csv` manifest) evaluated as a labelled set.
    pub(super) fn browser_evaluate(&mut self) -> Vec<Effect> {
        let Some(entry) = self.browser.current().cloned() else {
            return Vec::new();
        };
        let path = self.browser.dir.join(&entry.file_name);
        let manifest = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        match entry.kind {
            EntryKind::Dir => self.evaluate_set(path),
            EntryKind::File if manifest => self.evaluate_set(path),
            _ => {
                self.browser.message = Some(format!(
                    "E evaluates a labelled set: a folder (<person>/, _not_enrolled/, _attacks/) or a .csv manifest, not {}",
                    entry.name
                ));
                Vec::new()
            }
        }
    }

    /// `m`: marks the image under the cursor as a face to enrol, or unmarks it.
    pub(super) fn mark_image(&mut self) {
        let Some(entry) = self.browser.current() else {
            return;
        };
        if !entry.is_image() {
            self.notice = Some(format!(
                "{} is not an image: only images can be faces",
                entry.name
            ));
            return;
        }
        let path = self.browser.dir.join(&entry.file_name);
        let marked = &mut self.browser.marked;
        if let Some(i) = marked.iter().position(|p| *p == path) {
            marked.remove(i);
        } else if marked.len() >= crate::probe::MAX_FACES {
            self.notice = Some(format!(
                "at most {} faces: unmark one first",
                crate::probe::MAX_FACES
            ));
            return;
        } else {
            marked.push(path);
        }
        self.notice = Some(format!(
            "{} face image{} marked for enrolment (P, then a)",
            marked.len(),
            if marked.len() == 1 { "" } else { "s" }
        ));
    }

    pub(super) fn on_dir_loaded(
        &mut self,
        seq: u64,
        dir: PathBuf,
        result: Result<Vec<Entry>, String>,
    ) {
        if seq != self.browser.seq {
            return; // a newer listing was asked for
        }
        self.browser.loading = false;
        match result {
            Ok(entries) => {
                self.browser.dir = dir;
                self.browser.entries = entries;
                self.browser.filter = Input::default();
                self.browser.filtering = false;
                self.browser.message = None;
                self.browser.selected = 0;
                self.browser.refresh_visible();
                if let Some(name) = self.browser.reselect.take() {
                    if let Some(pos) = self
                        .browser
                        .visible
                        .iter()
                        .position(|i| self.browser.entries[*i].file_name == name)
                    {
                        self.browser.selected = pos;
                    }
                }
            }
            // Stay where we are and say why.
            Err(e) => self.browser.message = Some(e),
        }
    }
}
