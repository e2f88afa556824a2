//! The person forms: enrol a new person from face images, edit an existing one. Each
//! builds its form, and on Save its request (checked in plain words); the answer comes
//! back as `PersonSaved`.

use std::path::PathBuf;

use crate::api::model::{DateOfBirth, NewLivePerson, NewPerson, Person, PersonUpdate};
use crate::api::ApiError;
use crate::probe::MAX_FACES;
use crate::tui::editform::{Check, EditForm, FormField};
use crate::tui::effect::{Effect, PersonSave};

use super::form::{
    Editor, EditorKind, BORN, CANNOT_CLEAR, COLLECTIONS, FACES, GENDER, GENDERS, KEEPS_DATE,
    KEEPS_VALUE, METHOD, METHODS, NAME, NATIONALITY, NOTES,
};
use crate::tui::app::{error_words, file_name, person_label, App, Loading, Popup, ProbeState};

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
    pub(in crate::tui::app) fn open_enroll(&mut self) -> Vec<Effect> {
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
    pub(in crate::tui::app) fn open_edit_person(&mut self, p: Person) -> Vec<Effect> {
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

    pub(in crate::tui::app) fn on_person_saved(&mut self, result: Result<Person, ApiError>) {
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
pub(super) fn enroll_request(
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
pub(super) fn update_request(e: &mut Editor, original: &Person) -> Result<Option<Effect>, String> {
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
