//! A gallery from a folder of photos (`liveface sandbox demo --from DIR`): one person
//! per file stem, `name_1.jpg`, `name_2.jpg` … being several photos of one person.
//! This is how the face engine gets a demo: synthetic demo images hold no face.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::engine::Engine;
use super::routes::thumbnail;
use super::store::{FaceInput, ListQuery, PersonFields, Store};
use super::SandboxError;
use crate::vocabulary::SearchMode;

/// The collection photo galleries are enrolled into.
pub const PHOTOS: &str = "Photos";
/// The API takes at most three faces per person.
const MAX_FACES: usize = 3;

/// What enrolment from a folder did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GallerySummary {
    /// Persons created, by name, with how many photos each.
    pub enrolled: Vec<(String, usize)>,
    /// Persons that were already there (same name in the collection): skipped.
    pub existing: Vec<String>,
    /// Files that could not be used, with the reason.
    pub skipped: Vec<(PathBuf, String)>,
}

/// `obama_2` → `obama`; `biden_2_group` and `leslie` stay as they are.
pub fn person_key(stem: &str) -> &str {
    match stem.rsplit_once('_') {
        Some((name, n))
            if !name.is_empty() && !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) =>
        {
            name
        }
        _ => stem,
    }
}

/// `van_der_berg` → `Van Der Berg`.
pub fn display_name(key: &str) -> String {
    key.split(['_', '-', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_image(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .map(|e| {
            matches!(
                e.to_ascii_lowercase().as_str(),
                "jpg" | "jpeg" | "png" | "webp" | "bmp"
            )
        })
        .unwrap_or(false)
}

/// Enrolls every person found in `photos` into the `Photos` collection of the store in
/// `data_dir`, analysing each photo with `engine`. Photos the engine refuses (no face,
/// two faces, unreadable) are skipped with their reason; persons already enrolled
/// under the same name are left alone, so running it twice is harmless.
pub fn seed_from_photos(
    data_dir: &Path,
    photos: &Path,
    engine: &dyn Engine,
) -> Result<GallerySummary, SandboxError> {
    let entries = std::fs::read_dir(photos)
        .map_err(|e| SandboxError::Io(format!("cannot read {}: {e}", photos.display())))?;
    let mut groups: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_file() || !is_image(&path) {
            continue;
        }
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        groups
            .entry(person_key(stem).to_owned())
            .or_default()
            .push(path);
    }
    if groups.is_empty() {
        return Err(SandboxError::Io(format!(
            "no photos (jpg, jpeg, png, webp, bmp) in {}",
            photos.display()
        )));
    }
    let store = Store::open(data_dir)?;
    store.check_engine(engine.id())?;
    let collection = match store
        .list_collections()?
        .into_iter()
        .find(|c| c.name == PHOTOS)
    {
        Some(c) => c,
        None => {
            store.create_collection(PHOTOS, Some("Persons enrolled from a folder of photos"))?
        }
    };
    let known = names_in(&store, &collection.id)?;
    let mut summary = GallerySummary::default();
    for (key, mut files) in groups {
        let name = display_name(&key);
        if known.contains(&name) {
            summary.existing.push(name);
            continue;
        }
        files.sort();
        let mut faces = Vec::new();
        for file in files {
            if faces.len() == MAX_FACES {
                summary
                    .skipped
                    .push((file, format!("{name} already has {MAX_FACES} photos")));
                continue;
            }
            let analysed = std::fs::read(&file)
                .map_err(|e| e.to_string())
                .and_then(|b| crate::imageio::decode_oriented(&b).map_err(|e| e.to_string()))
                .and_then(|img| {
                    engine
                        .analyze(&img, SearchMode::Accurate)
                        .map(|a| (thumbnail(&img), a.vector))
                        .map_err(|e| e.to_string())
                });
            match analysed {
                Ok((thumbnail, vector)) => faces.push(FaceInput { thumbnail, vector }),
                Err(reason) => summary.skipped.push((file, reason)),
            }
        }
        if faces.is_empty() {
            continue;
        }
        let count = faces.len();
        store.create_person(
            PersonFields {
                name: Some(name.clone()),
                notes: Some(format!("enrolled from {}", photos.display())),
                collections: Some(vec![collection.id.clone()]),
                faces: Some(faces),
                ..PersonFields::default()
            },
            engine.id(),
        )?;
        summary.enrolled.push((name, count));
    }
    Ok(summary)
}

/// Names of every person in a collection, page by page.
fn names_in(store: &Store, collection: &str) -> Result<Vec<String>, SandboxError> {
    let mut names = Vec::new();
    for page in 1.. {
        let query = ListQuery {
            page,
            limit: 100,
            collection: Some(collection),
            status: None,
        };
        let (rows, total) = store.list_persons(&query)?;
        let done = rows.is_empty();
        names.extend(rows.into_iter().map(|r| r.name));
        if done || names.len() as u64 >= total {
            break;
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_stems_group_into_one_person() {
        assert_eq!(person_key("obama_1"), "obama");
        assert_eq!(person_key("obama_12"), "obama");
        assert_eq!(person_key("biden_2_group"), "biden_2_group");
        assert_eq!(person_key("leslie"), "leslie");
        assert_eq!(person_key("_1"), "_1");
        assert_eq!(display_name("van_der_berg"), "Van Der Berg");
        assert_eq!(display_name("obama"), "Obama");
    }
}
