//! The edit-form popup: one `Editor` at a time. This file owns the plumbing every form
//! shares (keys, text input, closing) and the person forms (enrol, edit); Save turns the
//! form into an effect, and the answer comes back as `PersonSaved`. The collection form
//! lives in `collection_editor.rs`.

use std::path::PathBuf;

use crossterm::event::KeyEvent;

use crate::api::model::{Collection, DateOfBirth, NewLivePerson, NewPerson, Person, PersonUpdate};
use crate::api::ApiError;
use crate::probe::MAX_FACES;
use crate::tui::editform::{Check, EditForm, FormField, Outcome};
use crate::tui::effect::{Effect, PersonSave};
use crate::tui::keymap::Command;

use super::collection_editor::collection_request;
use super::{
    collection_label, error_words, file_name, person_label, App, Loading, Popup, ProbeState,
};

pub const NAME: &str = "Name";
pub const GENDER: &str = "Gender";
pub const BORN: &str = "Born";
pub const NATIONALITY: &str = "Nationality";
pub const NOTES: &str = "Notes";
pub const COLLECTIONS: &str = "Collections";
pub const FACES: &str = "Faces";
pub const METHOD: &str = "Method";

const GENDERS: [&str; 3] = ["—", "M", "F"];

/// Why an emptied field of a person that had a value is refused: the documented
/// `PUT /persons/{id}` is partial, an absent field keeps its value, and an empty
/// one is invalid (Verifik's Joi schemas, and the sandbox, answer 409).
pub const CANNOT_CLEAR: &str = "cannot be emptied: the API has no way to clear it";
/// The placeholder an emptied field shows, saying the same before Save.
const KEEPS_VALUE: &str = "the API cannot clear this: type a new value";
const KEEPS_DATE: &str = "YYYY-MM-DD · the API cannot clear this";
const METHODS: [&str; 2] = ["plain create", "create with liveness check"];

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

    pub(super) fn new(
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

impl App {
    /// The images a person form uses: the ones marked in Files, or else the picked probe.
    pub fn face_images(&self) -> Vec<PathBuf> {
        if !self.browser.marked.is_empty() {
            return self.browser.marked.clone();
        }
        match &self.probe {
            ProbeState::Ready(info) => vec![info.stamp.path.clone()],
            _ => Vec::new(),
        }
    }

    /// Every loaded collection as a check item, keyed by id; `on` decides the ticks.
    fn collection_checks(&self, on: impl Fn(&crate::api::model::Collection) -> bool) -> Vec<Check> {
        match &self.collections.load {
            Loading::Loaded(list) => list
                .iter()
                .map(|c| Check {
                    key: c.id.clone(),
                    label: if c.name.is_empty() {
                        c.id.clone()
                    } else {
                        c.name.clone()
                    },
                    on: on(c),
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// `a` in the persons list: enrol the marked images (or the probe).
    pub(super) fn open_enroll(&mut self) -> Vec<Effect> {
        let images = self.face_images();
        // Pre-tick the collection the list shows, else the one the search form uses.
        let chosen = self
            .person_list
            .collection
            .clone()
            .or_else(|| self.form_collection());
        let only_one = matches!(&self.collections.load, Loading::Loaded(l) if l.len() == 1);
        let checks = self.collection_checks(|c| {
            only_one
                || chosen
                    .as_deref()
                    .is_some_and(|k| k == c.id || Some(k) == c.code.as_deref())
        });
        let mut faces = FormField::info(FACES, images.iter().map(|p| file_name(p)).collect());
        if images.is_empty() {
            faces.error = Some("mark 1–3 images in Files (m), or pick a probe".into());
        }
        let form = EditForm::new(vec![
            faces,
            FormField::text(NAME, "", "required"),
            FormField::choice(GENDER, &GENDERS, 0),
            FormField::text(BORN, "", "YYYY-MM-DD"),
            FormField::text(NATIONALITY, "", ""),
            FormField::text(NOTES, "", ""),
            FormField::checks(COLLECTIONS, checks),
            FormField::choice(METHOD, &METHODS, 0),
            FormField::button("Enrol"),
        ]);
        self.editor = Some(Editor::new(
            EditorKind::Enroll,
            form,
            images,
            self.popup.clone(),
        ));
        self.popup = Some(Popup::Editor);
        self.load_collections_if_missing()
    }

    /// `e` on a person: a form filled with what the server last sent.
    pub(super) fn open_edit_person(&mut self, p: Person) -> Vec<Effect> {
        let images = self.face_images();
        let in_person = |c: &crate::api::model::Collection| {
            p.collections
                .iter()
                .any(|r| r.id == c.id || (r.code.is_some() && r.code == c.code))
        };
        let checks = self.collection_checks(in_person);
        let gender = GENDERS
            .iter()
            .position(|g| Some(*g) == p.gender.as_deref())
            .unwrap_or(0);
        // Lists may omit thumbnails: a count of 0 would be a guess, not a fact.
        let keep = match p.thumbnails.len() {
            0 => "keep the current faces".to_string(),
            n => format!("keep the current faces ({n})"),
        };
        let faces = if images.is_empty() {
            FormField::info(
                FACES,
                vec![format!("{keep} · mark images in Files (m) to replace them")],
            )
        } else {
            let names: Vec<String> = images.iter().map(|p| file_name(p)).collect();
            FormField::choice(
                FACES,
                &[&keep, &format!("replace with {}", names.join(", "))],
                0,
            )
        };
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        // A field with a value can be changed, not emptied (see CANNOT_CLEAR).
        let hint = |v: &Option<String>| {
            if text(v).trim().is_empty() {
                ""
            } else {
                KEEPS_VALUE
            }
        };
        let born_hint = if p.date_of_birth.is_some() {
            KEEPS_DATE
        } else {
            "YYYY-MM-DD"
        };
        let form = EditForm::new(vec![
            FormField::text(NAME, &text(&p.name), "required"),
            FormField::choice(GENDER, &GENDERS, gender),
            FormField::text(
                BORN,
                &p.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
                born_hint,
            ),
            FormField::text(NATIONALITY, &text(&p.nationality), hint(&p.nationality)),
            FormField::text(NOTES, &text(&p.notes), hint(&p.notes)),
            FormField::checks(COLLECTIONS, checks),
            faces,
            FormField::button("Save"),
        ]);
        let kind = EditorKind::EditPerson {
            original: Box::new(p),
        };
        self.editor = Some(Editor::new(kind, form, images, self.popup.clone()));
        self.popup = Some(Popup::Editor);
        self.load_collections_if_missing()
    }

    fn load_collections_if_missing(&mut self) -> Vec<Effect> {
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

    pub(super) fn editor_key(&mut self, key: KeyEvent) {
        if let Some(e) = self.editor.as_mut() {
            e.form.type_key(key);
        }
    }

    /// Closes the form and returns to where it was opened from.
    pub(super) fn close_editor(&mut self) {
        self.popup = self.editor.take().and_then(|e| e.back);
    }

    pub(super) fn on_editor_command(&mut self, cmd: Command) -> Vec<Effect> {
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
                Outcome::Nothing
            }
            Command::Down => {
                form.move_by(1);
                Outcome::Nothing
            }
            Command::Enter => form.enter(),
            Command::Cycle | Command::Right => form.toggle(true),
            Command::Left => form.toggle(false),
            Command::Save => Outcome::Submit,
            Command::OpenExisting => return self.open_existing(),
            _ => Outcome::Nothing,
        };
        match outcome {
            Outcome::Submit => self.save_editor(),
            Outcome::Changed => {
                e.error = None;
                Vec::new()
            }
            Outcome::Nothing => Vec::new(),
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
    pub(super) fn on_confirm_replace(&mut self, yes: bool) -> Vec<Effect> {
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

    pub(super) fn on_person_saved(&mut self, result: Result<Person, ApiError>) {
        let Some(e) = self.editor.as_mut() else {
            return;
        };
        e.saving = false;
        match result {
            Ok(p) => {
                let created = matches!(e.kind, EditorKind::Enroll);
                self.notice = Some(format!(
                    "{} {}",
                    if created { "enrolled" } else { "saved" },
                    person_label(&p)
                ));
                // The marked images are now someone's faces: start the next pick afresh.
                let replaced = matches!(e.kind, EditorKind::EditPerson { .. })
                    && e.form.choice(FACES) == 1
                    && !e.images.is_empty();
                if created || replaced {
                    self.browser.marked.clear();
                }
                self.person_list.upsert(p.clone(), created);
                self.gallery_changed();
                self.persons.insert(p.id.clone(), p);
                self.close_editor();
            }
            Err(err) => {
                e.existing = err.data().and_then(Person::from_value);
                e.existing_score = err
                    .data()
                    .and_then(|d| d.get("score"))
                    .and_then(crate::api::scores::unit_score);
                e.error = Some(error_words(&err));
            }
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

/// The person fields both forms share, checked. Errors go on the fields.
struct Fields {
    name: String,
    gender: Option<String>,
    born: Option<DateOfBirth>,
    nationality: String,
    notes: String,
    collections: Vec<String>,
}

fn read_fields(form: &mut EditForm) -> Option<Fields> {
    let name = form.text(NAME);
    if name.is_empty() {
        form.set_error(NAME, Some("required".into()));
    }
    let born_text = form.text(BORN);
    let born = if born_text.is_empty() {
        None
    } else {
        let d = DateOfBirth::parse_date(&born_text);
        if d.is_none() {
            form.set_error(BORN, Some("a real date as YYYY-MM-DD".into()));
        }
        d
    };
    let gender = match GENDERS[form.choice(GENDER).min(2)] {
        "—" => None,
        g => Some(g.to_string()),
    };
    if form.has_errors() {
        return None;
    }
    Some(Fields {
        name,
        gender,
        born,
        nationality: form.text(NATIONALITY),
        notes: form.text(NOTES),
        collections: form.checked(COLLECTIONS),
    })
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// The enrol request, or the problems in plain words.
fn enroll_request(
    e: &mut Editor,
    thresholds: Result<crate::api::model::SearchParams, String>,
) -> Result<Option<Effect>, String> {
    if e.images.is_empty() || e.images.len() > MAX_FACES {
        e.form
            .set_error(FACES, Some(format!("needs 1–{MAX_FACES} images")));
    }
    let live = e.form.choice(METHOD) == 1;
    let fields = read_fields(&mut e.form);
    let fix = || "fix the marked fields".to_string();
    let f = fields.ok_or_else(fix)?;
    if e.form.has_errors() {
        return Err(fix());
    }
    let images = e.images.clone();
    let request = if live {
        let params = thresholds.map_err(|t| format!("search form: {t}"))?;
        if f.gender.is_none() {
            e.form
                .set_error(GENDER, Some("required with liveness".into()));
        }
        if f.born.is_none() {
            e.form
                .set_error(BORN, Some("required with liveness".into()));
        }
        if f.collections.len() != 1 {
            e.form
                .set_error(COLLECTIONS, Some("choose exactly one with liveness".into()));
        }
        let (Some(gender), Some(born), [collection]) = (f.gender, f.born, f.collections.as_slice())
        else {
            return Err(fix());
        };
        PersonSave::CreateLive(NewLivePerson {
            name: f.name,
            images: Vec::new(),
            gender,
            date_of_birth: born,
            nationality: non_empty(f.nationality),
            collection_id: collection.clone(),
            liveness_min_score: params.liveness_min_score,
            min_score: params.min_score,
            search_mode: params.search_mode,
        })
    } else {
        PersonSave::Create(NewPerson {
            name: f.name,
            images: Vec::new(),
            gender: f.gender,
            date_of_birth: f.born,
            nationality: non_empty(f.nationality),
            collections: f.collections,
            notes: non_empty(f.notes),
        })
    };
    Ok(Some(Effect::SavePerson { request, images }))
}

/// A partial update with only the fields that differ from `original`; `None` if none do.
/// Every optional field follows one rule: a value can be changed, never emptied (the API
/// cannot clear it), and an emptied one is refused on the field before anything is sent.
fn update_request(e: &mut Editor, original: &Person) -> Result<Option<Effect>, String> {
    let f = read_fields(&mut e.form).ok_or_else(|| "fix the marked fields".to_string())?;
    let had = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
    let emptied = [
        (GENDER, had(&original.gender) && f.gender.is_none()),
        (BORN, original.date_of_birth.is_some() && f.born.is_none()),
        (
            NATIONALITY,
            had(&original.nationality) && f.nationality.is_empty(),
        ),
        (NOTES, had(&original.notes) && f.notes.is_empty()),
    ];
    let mut refused = Vec::new();
    for (label, _) in emptied.iter().filter(|(_, emptied)| *emptied) {
        e.form.set_error(label, Some(CANNOT_CLEAR.into()));
        refused.push(label.to_lowercase());
    }
    if !refused.is_empty() {
        return Err(format!(
            "{} {CANNOT_CLEAR}; keep the old value or type a new one",
            refused.join(", ")
        ));
    }
    let changed = |new: &str, old: &Option<String>| {
        (new != old.as_deref().unwrap_or("").trim()).then(|| new.to_string())
    };
    let mut update = PersonUpdate {
        name: changed(&f.name, &original.name),
        gender: f.gender.filter(|g| Some(g) != original.gender.as_ref()),
        date_of_birth: f.born.filter(|d| Some(*d) != original.date_of_birth),
        nationality: changed(&f.nationality, &original.nationality),
        notes: changed(&f.notes, &original.notes),
        ..PersonUpdate::default()
    };
    let before: Vec<&str> = original.collections.iter().map(|r| r.id.as_str()).collect();
    let mut after_sorted: Vec<&str> = f.collections.iter().map(String::as_str).collect();
    let mut before_sorted = before.clone();
    after_sorted.sort_unstable();
    before_sorted.sort_unstable();
    // Only when collections could be loaded: an empty list then means "none ticked".
    let known = !matches!(e.form.field(COLLECTIONS).map(|f| &f.value), Some(crate::tui::editform::Value::Checks(c)) if c.is_empty());
    if known && after_sorted != before_sorted {
        update.collections = Some(f.collections);
    }
    let replace = e.form.choice(FACES) == 1 && !e.images.is_empty();
    let images = if replace {
        e.images.clone()
    } else {
        Vec::new()
    };
    if update.is_empty() && images.is_empty() {
        return Ok(None);
    }
    Ok(Some(Effect::SavePerson {
        request: PersonSave::Update {
            id: original.id.clone(),
            update,
        },
        images,
    }))
}
