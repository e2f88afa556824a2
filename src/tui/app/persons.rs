//! The persons list popup (`P`): paging, name filter, delete.

use tui_input::Input;

use crate::api::model::{Page, Pagination, Person, PersonQuery};
use crate::api::ApiError;

use super::{collection_key, contains_ignore_case, error_words, person_label, App, Loading, Popup};

/// The status filter's values, in `s` order (`None`: any).
pub const STATUSES: [Option<&str>; 4] = [None, Some("active"), Some("inactive"), Some("pending")];
use crate::tui::effect::Effect;
use crate::tui::keymap::Command;

/// Rows per page of the persons list, as `L` cycles them (the API allows 1–100).
pub const PAGE_SIZES: [u64; 4] = [10, 20, 50, 100];
/// The page size the list starts with.
pub const PERSONS_PAGE: u64 = 20;

/// The persons list popup (`P`): one server page at a time, filtered locally by name.
#[derive(Debug, Default)]
pub struct PersonList {
    /// The page shown, or being loaded (1-based).
    pub page: u64,
    /// Id of the newest list request; older answers are dropped.
    pub seq: u64,
    pub loading: bool,
    /// The last failure, in plain words.
    pub error: Option<String>,
    pub items: Vec<Person>,
    pub pagination: Option<Pagination>,
    /// Index into `visible()`.
    pub selected: usize,
    pub filter: Input,
    pub filtering: bool,
    /// Ids whose delete request is in flight.
    pub deleting: Vec<String>,
    /// The collection filter (id or code; `None`: all).
    pub collection: Option<String>,
    /// Rows per page asked for; 0 means `PERSONS_PAGE`.
    pub page_size: u64,
    /// The status filter (`None`: any).
    pub status: Option<&'static str>,
    /// The search form's collection when the list last followed it.
    pub(super) followed_form: Option<String>,
    /// Reopen the list when the detail popup it opened closes.
    pub(super) reopen: bool,
}

impl PersonList {
    /// Indexes into `items` of the persons whose name matches the filter.
    pub fn visible(&self) -> Vec<usize> {
        let needle = self.filter.value().to_lowercase();
        self.items
            .iter()
            .enumerate()
            .filter(|(_, p)| contains_ignore_case(person_label(p), &needle))
            .map(|(i, _)| i)
            .collect()
    }

    pub fn current(&self) -> Option<&Person> {
        self.visible().get(self.selected).map(|i| &self.items[*i])
    }

    /// The number of pages, when the server says (or its total implies it).
    pub fn pages(&self) -> Option<u64> {
        let p = self.pagination?;
        p.pages.or_else(|| {
            let limit = if p.limit == 0 { self.limit() } else { p.limit };
            p.total.map(|t| t.div_ceil(limit).max(1))
        })
    }

    /// "page 2 of 5 · 93 persons", or just "page 2" without pagination.
    pub fn page_label(&self) -> String {
        if let Some(note) = crate::api::model::past_last_page(self.page, self.pages()) {
            return note;
        }
        let mut s = format!("page {}", self.page);
        if let Some(pages) = self.pages() {
            s.push_str(&format!(" of {pages}"));
        }
        if let Some(total) = self.pagination.and_then(|p| p.total) {
            s.push_str(&format!(
                " · {total} person{}",
                if total == 1 { "" } else { "s" }
            ));
        }
        s
    }

    /// Puts a saved person in the list: a new one first, an edited one in its place.
    pub fn upsert(&mut self, p: Person, created: bool) {
        self.filter = Input::default();
        match self.items.iter().position(|q| q.id == p.id) {
            Some(i) => {
                self.items[i] = p;
                self.selected = i;
            }
            None if created => {
                self.items.insert(0, p);
                self.selected = 0;
                if let Some(total) = self.pagination.as_mut().and_then(|p| p.total.as_mut()) {
                    *total += 1;
                }
            }
            None => {}
        }
    }

    pub fn limit(&self) -> u64 {
        if self.page_size == 0 {
            PERSONS_PAGE
        } else {
            self.page_size
        }
    }

    fn has_next(&self) -> bool {
        match self.pages() {
            Some(pages) => self.page < pages,
            // Without pagination: a full page suggests there is more.
            None => self.items.len() as u64 >= self.limit(),
        }
    }
}

impl App {
    /// `P`: show the list, loading the current page when nothing is loaded yet.
    pub(super) fn open_persons(&mut self) -> Vec<Effect> {
        self.popup = Some(Popup::Persons);
        self.person_list.reopen = false;
        let form = self.form_collection();
        if form != self.person_list.followed_form {
            // Another collection was chosen in the form since: start over on its first page.
            self.person_list.followed_form = form.clone();
            self.person_list.collection = form;
            self.person_list.items.clear();
            self.person_list.pagination = None;
            return vec![self.load_persons(1)];
        }
        if self.person_list.items.is_empty() && !self.person_list.loading {
            let page = self.person_list.page.max(1);
            return vec![self.load_persons(page)];
        }
        Vec::new()
    }

    /// The collection chosen in the form, if any.
    pub(super) fn form_collection(&self) -> Option<String> {
        let c = self.form.collection.value().trim();
        (!c.is_empty()).then(|| c.to_string())
    }

    /// Asks for one page; a newer request supersedes any in flight, so paging never waits.
    fn load_persons(&mut self, page: u64) -> Effect {
        let l = &mut self.person_list;
        l.seq += 1;
        l.page = page;
        l.loading = true;
        l.error = None;
        Effect::ListPersons {
            seq: l.seq,
            query: PersonQuery {
                page,
                limit: l.limit(),
                collection: l.collection.clone(),
                status: l.status.map(str::to_string),
            },
        }
    }

    /// The name of a collection the lists refer to by id or code.
    pub fn collection_name(&self, key: &str) -> String {
        match &self.collections.load {
            Loading::Loaded(list) => list
                .iter()
                .find(|c| c.id == key || c.code.as_deref() == Some(key))
                .map(|c| c.name.clone())
                .filter(|n| !n.is_empty()),
            _ => None,
        }
        .unwrap_or_else(|| key.to_string())
    }

    /// `c`: all collections, then each loaded one in turn.
    fn cycle_collection_filter(&mut self) -> Vec<Effect> {
        let keys: Vec<Option<String>> = match &self.collections.load {
            Loading::Loaded(list) => std::iter::once(None)
                .chain(list.iter().map(|c| Some(collection_key(c).to_string())))
                .collect(),
            _ => {
                self.notice = Some("collections are not loaded yet".into());
                return vec![self.load_collections()];
            }
        };
        let l = &mut self.person_list;
        let next = keys
            .iter()
            .position(|k| *k == l.collection)
            .map_or(0, |i| (i + 1) % keys.len());
        l.collection = keys[next].clone();
        l.items.clear();
        l.pagination = None;
        vec![self.load_persons(1)]
    }

    /// `L`: the next page size; starts over on page 1.
    fn cycle_page_size(&mut self) -> Vec<Effect> {
        let l = &mut self.person_list;
        let i = PAGE_SIZES.iter().position(|s| *s == l.limit()).unwrap_or(0);
        l.page_size = PAGE_SIZES[(i + 1) % PAGE_SIZES.len()];
        self.notice = Some(format!("{} persons per page", l.page_size));
        l.items.clear();
        l.pagination = None;
        vec![self.load_persons(1)]
    }

    /// `s`: any status, then each documented one.
    fn cycle_status_filter(&mut self) -> Vec<Effect> {
        let l = &mut self.person_list;
        let i = STATUSES.iter().position(|s| *s == l.status).unwrap_or(0);
        l.status = STATUSES[(i + 1) % STATUSES.len()];
        l.items.clear();
        l.pagination = None;
        vec![self.load_persons(1)]
    }

    /// Sends a delete (or a detach from `collection`) for the confirmed person.
    pub(super) fn delete_person(
        &mut self,
        id: String,
        collection: Option<String>,
    ) -> Option<Effect> {
        self.popup = Some(Popup::Persons);
        let l = &mut self.person_list;
        l.error = None;
        if l.deleting.contains(&id) {
            return None;
        }
        l.deleting.push(id.clone());
        Some(Effect::DeletePerson { id, collection })
    }

    pub(super) fn on_persons_command(&mut self, cmd: Command) -> Vec<Effect> {
        let l = &mut self.person_list;
        match cmd {
            Command::Cancel => self.popup = None,
            Command::Done => l.filtering = false,
            Command::Filter => l.filtering = true,
            Command::Up => l.selected = l.selected.saturating_sub(1),
            Command::Down => {
                let n = l.visible().len();
                l.selected = (l.selected + 1).min(n.saturating_sub(1));
            }
            Command::NextPage => {
                if l.has_next() {
                    let page = l.page + 1;
                    return vec![self.load_persons(page)];
                }
                self.notice = Some("no next page".into());
            }
            Command::PrevPage => {
                if l.page > 1 {
                    let page = l.page - 1;
                    return vec![self.load_persons(page)];
                }
                self.notice = Some("already on the first page".into());
            }
            Command::Retry => {
                let page = l.page.max(1);
                return vec![self.load_persons(page)];
            }
            Command::Enter => {
                if let Some(p) = l.current().cloned() {
                    l.reopen = true;
                    let id = p.id.clone();
                    self.persons.insert(id.clone(), p);
                    self.popup = Some(Popup::Detail {
                        person_id: id,
                        scroll: 0,
                    });
                }
            }
            Command::Delete => {
                let Some((id, name)) = l
                    .current()
                    .map(|p| (p.id.clone(), person_label(p).to_string()))
                else {
                    return Vec::new();
                };
                let collection = l.collection.clone().map(|c| {
                    let name = self.collection_name(&c);
                    (c, name)
                });
                self.popup = Some(Popup::ConfirmDelete {
                    id,
                    name,
                    collection,
                });
            }
            Command::New => return self.open_enroll(),
            Command::Edit => {
                if let Some(p) = l.current().cloned() {
                    return self.open_edit_person(p);
                }
            }
            Command::StatusFilter => return self.cycle_status_filter(),
            Command::PageSize => return self.cycle_page_size(),
            Command::CollectionFilter => return self.cycle_collection_filter(),
            _ => {}
        }
        Vec::new()
    }

    pub(super) fn on_persons_loaded(&mut self, seq: u64, result: Result<Page<Person>, ApiError>) {
        let l = &mut self.person_list;
        if seq != l.seq {
            return; // a newer page was asked for
        }
        l.loading = false;
        match result {
            Ok(page) => {
                l.items = page.items;
                l.pagination = page.pagination;
                l.selected = 0;
                l.error = None;
            }
            Err(e) => l.error = Some(error_words(&e)),
        }
    }

    pub(super) fn on_person_deleted(
        &mut self,
        id: String,
        detached_from: Option<String>,
        result: Result<(), ApiError>,
    ) {
        let from = detached_from.map(|c| self.collection_name(&c));
        let l = &mut self.person_list;
        l.deleting.retain(|d| *d != id);
        match result {
            Ok(()) => {
                let name = l
                    .items
                    .iter()
                    .find(|p| p.id == id)
                    .map(|p| person_label(p).to_string())
                    .unwrap_or_else(|| id.clone());
                let before = l.items.len();
                l.items.retain(|p| p.id != id);
                if l.items.len() < before {
                    if let Some(total) = l.pagination.as_mut().and_then(|p| p.total.as_mut()) {
                        *total = total.saturating_sub(1);
                    }
                }
                let n = l.visible().len();
                l.selected = l.selected.min(n.saturating_sub(1));
                self.persons.remove(&id);
                self.gallery_changed();
                self.notice = Some(match from {
                    Some(c) => format!("detached {name} from {c}"),
                    None => format!("deleted {name}"),
                });
            }
            Err(e) => {
                let words = format!("cannot delete {id}: {}", error_words(&e));
                l.error = Some(words);
            }
        }
    }
}
