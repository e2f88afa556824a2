//! The labelled probe set: a folder laid out by truth, or a CSV manifest.
//!
//! ```text
//! SET/
//!   <person>/        photos of an enrolled person (mated searches): the person's id,
//!                    or their exact name when it is unique on the server
//!   _not_enrolled/   live photos of people who are not enrolled (non-mated searches)
//!   _attacks/        presentation attacks: prints, screens, masks
//! ```
//!
//! or a CSV file with the header `path,expected,kind` (`kind` is `mated`, `nonmated` or
//! `attack`; `expected` is required for `mated` and must be empty otherwise; relative
//! paths are relative to the manifest's folder). Only the files directly inside each
//! folder are read; files whose extension is not an image's are ignored.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::api::model::Person;

/// The folder of non-mated probes.
pub const NOT_ENROLLED_DIR: &str = "_not_enrolled";
/// The folder of presentation attacks.
pub const ATTACKS_DIR: &str = "_attacks";
/// Extensions read as images (lower case).
pub const IMAGE_EXTENSIONS: [&str; 8] = ["jpg", "jpeg", "png", "webp", "bmp", "gif", "tif", "tiff"];

/// What a probe is, by truth.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A bona fide photo of an enrolled person: the search should find them.
    Mated,
    /// A bona fide photo of someone not enrolled: the search should find no one.
    Nonmated,
    /// A presentation attack: liveness should reject it.
    Attack,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Mated => "mated",
            Kind::Nonmated => "nonmated",
            Kind::Attack => "attack",
        }
    }

    /// `mated`, `nonmated` (also `non-mated`, `non_mated`) or `attack`, any case.
    pub fn parse(s: &str) -> Option<Kind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "mated" => Some(Kind::Mated),
            "nonmated" | "non-mated" | "non_mated" => Some(Kind::Nonmated),
            "attack" => Some(Kind::Attack),
            _ => None,
        }
    }

    /// Bona fide: a live person in front of the camera (mated or non-mated).
    pub fn is_bona_fide(self) -> bool {
        !matches!(self, Kind::Attack)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One labelled probe as the set names it (before name resolution).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelledProbe {
    pub path: PathBuf,
    pub kind: Kind,
    /// The person's id or unique name as written in the set (`mated` only).
    pub label: Option<String>,
}

/// A whole set: its probes sorted by path, and what was left out while reading it.
#[derive(Clone, Debug, Default)]
pub struct LabelledSet {
    /// The folder or manifest the set was read from.
    pub source: PathBuf,
    pub probes: Vec<LabelledProbe>,
    /// Entries that could not be used, with the reason (never sent).
    pub ignored: Vec<(PathBuf, String)>,
}

/// Reads a set from a folder (the layout above) or a `.csv` manifest.
///
/// # Errors
/// A plain message when the path cannot be read, a manifest line is malformed (its
/// line number named), or the set holds no probe at all.
pub fn load(path: &Path) -> Result<LabelledSet, String> {
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut set = if meta.is_dir() {
        load_folder(path)?
    } else {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        load_manifest(&text, base, path)?
    };
    set.probes.sort_by(|a, b| a.path.cmp(&b.path));
    if set.probes.is_empty() {
        return Err(format!(
            "{} holds no probe: expected <person>/, {NOT_ENROLLED_DIR}/ or {ATTACKS_DIR}/ folders of images, or a CSV manifest path,expected,kind",
            path.display()
        ));
    }
    Ok(set)
}

fn is_image(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

fn sorted_entries(dir: &Path) -> Result<Vec<(PathBuf, bool)>, String> {
    let read = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for entry in read {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue; // hidden files: .DS_Store, editors' swap files
        }
        let path = entry.path();
        let is_dir = std::fs::metadata(&path)
            .map(|m| m.is_dir())
            .unwrap_or(false);
        out.push((path, is_dir));
    }
    out.sort();
    Ok(out)
}

fn load_folder(root: &Path) -> Result<LabelledSet, String> {
    let mut set = LabelledSet {
        source: root.to_path_buf(),
        ..LabelledSet::default()
    };
    for (dir, is_dir) in sorted_entries(root)? {
        if !is_dir {
            if is_image(&dir) {
                set.ignored
                    .push((dir, "not inside a labelled folder".into()));
            }
            continue;
        }
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (kind, label) = match name.as_str() {
            NOT_ENROLLED_DIR => (Kind::Nonmated, None),
            ATTACKS_DIR => (Kind::Attack, None),
            n if n.starts_with('_') => {
                set.ignored.push((
                    dir.clone(),
                    format!(
                        "unknown folder (only {NOT_ENROLLED_DIR} and {ATTACKS_DIR} start with _)"
                    ),
                ));
                continue;
            }
            n => (Kind::Mated, Some(n.to_owned())),
        };
        for (path, is_sub) in sorted_entries(&dir)? {
            if is_sub {
                set.ignored
                    .push((path, "a folder inside a labelled folder (not read)".into()));
            } else if is_image(&path) {
                set.probes.push(LabelledProbe {
                    path,
                    kind,
                    label: label.clone(),
                });
            }
        }
    }
    Ok(set)
}

/// Parses a manifest's text; `base` resolves relative paths, `shown` names it in errors.
pub fn load_manifest(text: &str, base: &Path, shown: &Path) -> Result<LabelledSet, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| format!("{}: {e}", shown.display()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                format!(
                    "{}: the header must name the columns path,expected,kind (no `{name}` column)",
                    shown.display()
                )
            })
    };
    let (p, e, k) = (column("path")?, column("expected")?, column("kind")?);
    let mut set = LabelledSet {
        source: shown.to_path_buf(),
        ..LabelledSet::default()
    };
    for record in reader.records() {
        let record = record.map_err(|e| format!("{}: {e}", shown.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        let at = |msg: String| format!("{} line {line}: {msg}", shown.display());
        let path = record.get(p).unwrap_or("");
        if path.is_empty() {
            return Err(at("the path is empty".into()));
        }
        let kind_text = record.get(k).unwrap_or("");
        let kind = Kind::parse(kind_text).ok_or_else(|| {
            at(format!(
                "kind `{kind_text}` is not mated, nonmated or attack"
            ))
        })?;
        let expected = record.get(e).unwrap_or("");
        let label = match (kind, expected.is_empty()) {
            (Kind::Mated, true) => {
                return Err(at(
                    "a mated probe needs `expected` (the person's id or unique name)".into(),
                ))
            }
            (Kind::Mated, false) => Some(expected.to_owned()),
            (_, true) => None,
            (kind, false) => {
                return Err(at(format!(
                    "a {kind} probe must have an empty `expected` (got `{expected}`)"
                )))
            }
        };
        let path = Path::new(path);
        let path = if path.is_absolute() {
            path.to_path_buf()
        } else {
            base.join(path)
        };
        set.probes.push(LabelledProbe { path, kind, label });
    }
    Ok(set)
}

/// Why labels could not be resolved: every unknown and every ambiguous one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResolveError {
    /// Labels matching no person's id or exact name.
    pub unknown: Vec<String>,
    /// Labels that are the exact name of several persons, with their ids.
    pub ambiguous: Vec<(String, Vec<String>)>,
    /// Where the persons were looked up (e.g. "collection abc"), for the message.
    pub scope: String,
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the set names persons that cannot be resolved in {}",
            self.scope
        )?;
        if !self.unknown.is_empty() {
            write!(
                f,
                "\n  unknown (no person has this id or exact name): {}",
                self.unknown.join(", ")
            )?;
        }
        for (name, ids) in &self.ambiguous {
            write!(
                f,
                "\n  ambiguous: `{name}` is the name of {} persons ({}); name the folder by id instead",
                ids.len(),
                ids.join(", ")
            )?;
        }
        Ok(())
    }
}

/// Resolves every distinct label against the server's persons: an exact id first, then
/// a unique exact name. Returns label → person id.
///
/// # Errors
/// [`ResolveError`] listing all unknown and ambiguous labels (nothing may be sent then).
pub fn resolve<'a>(
    labels: impl IntoIterator<Item = &'a str>,
    persons: &[Person],
    scope: &str,
) -> Result<BTreeMap<String, String>, ResolveError> {
    let mut resolved = BTreeMap::new();
    let mut err = ResolveError {
        scope: scope.to_owned(),
        ..ResolveError::default()
    };
    for label in labels {
        if resolved.contains_key(label)
            || err.unknown.iter().any(|u| u == label)
            || err.ambiguous.iter().any(|(a, _)| a == label)
        {
            continue;
        }
        if persons.iter().any(|p| p.id == label) {
            resolved.insert(label.to_owned(), label.to_owned());
            continue;
        }
        let named: Vec<String> = persons
            .iter()
            .filter(|p| p.name.as_deref() == Some(label))
            .map(|p| p.id.clone())
            .collect();
        match named.len() {
            0 => err.unknown.push(label.to_owned()),
            1 => {
                resolved.insert(label.to_owned(), named[0].clone());
            }
            _ => err.ambiguous.push((label.to_owned(), named)),
        }
    }
    if err.unknown.is_empty() && err.ambiguous.is_empty() {
        Ok(resolved)
    } else {
        Err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str, name: &str) -> Person {
        Person {
            id: id.into(),
            name: Some(name.into()),
            ..Person::default()
        }
    }

    #[test]
    fn a_folder_set_is_read_by_its_layout() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (sub, file) in [
            ("Ada Lovelace", "a.jpg"),
            ("Ada Lovelace", "b.PNG"),
            ("Ada Lovelace", "notes.txt"),
            ("p42", "x.jpeg"),
            ("_not_enrolled", "n1.webp"),
            ("_attacks", "print.jpg"),
            ("_other", "z.jpg"),
        ] {
            std::fs::create_dir_all(root.join(sub)).unwrap();
            std::fs::write(root.join(sub).join(file), b"x").unwrap();
        }
        std::fs::write(root.join("loose.jpg"), b"x").unwrap();
        let set = load(root).unwrap();
        let got: Vec<(String, Kind, Option<String>)> = set
            .probes
            .iter()
            .map(|p| {
                (
                    p.path.strip_prefix(root).unwrap().display().to_string(),
                    p.kind,
                    p.label.clone(),
                )
            })
            .collect();
        let ada = Some("Ada Lovelace".to_string());
        assert_eq!(
            got,
            vec![
                ("Ada Lovelace/a.jpg".into(), Kind::Mated, ada.clone()),
                ("Ada Lovelace/b.PNG".into(), Kind::Mated, ada),
                ("_attacks/print.jpg".into(), Kind::Attack, None),
                ("_not_enrolled/n1.webp".into(), Kind::Nonmated, None),
                ("p42/x.jpeg".into(), Kind::Mated, Some("p42".into())),
            ]
        );
        let ignored: Vec<_> = set
            .ignored
            .iter()
            .map(|(p, _)| p.strip_prefix(root).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            ignored,
            vec![PathBuf::from("_other"), PathBuf::from("loose.jpg")]
        );
    }

    #[test]
    fn an_empty_set_is_an_error_in_plain_words() {
        let dir = tempfile::tempdir().unwrap();
        let e = load(dir.path()).unwrap_err();
        assert!(e.contains("holds no probe"), "{e}");
        let e = load(&dir.path().join("missing")).unwrap_err();
        assert!(e.contains("cannot read"), "{e}");
    }

    #[test]
    fn a_manifest_is_read_with_paths_relative_to_it() {
        let text =
            "path,expected,kind\nimgs/a.jpg,Ada,mated\n/abs/n.jpg,,nonmated\n b.jpg , , ATTACK \n";
        let set = load_manifest(text, Path::new("/sets/one"), Path::new("m.csv")).unwrap();
        assert_eq!(set.probes.len(), 3);
        assert_eq!(set.probes[0].path, PathBuf::from("/sets/one/imgs/a.jpg"));
        assert_eq!(set.probes[0].label.as_deref(), Some("Ada"));
        assert_eq!(set.probes[1].path, PathBuf::from("/abs/n.jpg"));
        assert_eq!(set.probes[1].kind, Kind::Nonmated);
        assert_eq!(set.probes[2].kind, Kind::Attack);
    }

    #[test]
    fn manifest_mistakes_name_the_line() {
        let base = Path::new("/s");
        let m = Path::new("m.csv");
        let e = load_manifest("path,expected,kind\na.jpg,,mated\n", base, m).unwrap_err();
        assert!(
            e.contains("line 2") && e.contains("needs `expected`"),
            "{e}"
        );
        let e = load_manifest(
            "path,expected,kind\na.jpg,x,mated\nb.jpg,,genuine\n",
            base,
            m,
        )
        .unwrap_err();
        assert!(e.contains("line 3") && e.contains("`genuine`"), "{e}");
        let e = load_manifest("path,expected,kind\na.jpg,Bob,attack\n", base, m).unwrap_err();
        assert!(e.contains("empty `expected`"), "{e}");
        let e = load_manifest("file,who\na.jpg,x\n", base, m).unwrap_err();
        assert!(e.contains("no `path` column"), "{e}");
    }

    #[test]
    fn labels_resolve_by_id_then_unique_name_and_all_failures_are_listed() {
        let persons = [
            person("p1", "Ada"),
            person("p2", "Bob"),
            person("p3", "Bob"),
            person("p4", "p1"), // a name that is another person's id: the id wins
        ];
        let ok = resolve(["Ada", "p2", "p1"], &persons, "all persons").unwrap();
        assert_eq!(ok["Ada"], "p1");
        assert_eq!(ok["p2"], "p2");
        assert_eq!(ok["p1"], "p1");
        let e = resolve(
            ["Ada", "Bob", "Zoe", "ada", "Zoe"],
            &persons,
            "collection c1",
        )
        .unwrap_err();
        assert_eq!(e.unknown, vec!["Zoe".to_string(), "ada".to_string()]);
        assert_eq!(
            e.ambiguous,
            vec![("Bob".to_string(), vec!["p2".to_string(), "p3".to_string()])]
        );
        let text = e.to_string();
        assert!(
            text.contains("collection c1") && text.contains("Zoe, ada") && text.contains("p2, p3"),
            "{text}"
        );
    }
}
