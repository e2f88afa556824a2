//! The evaluation journal: each probe's search result, appended as it arrives, so an
//! interrupted evaluation resumes without sending a search twice.
//!
//! One JSON-lines file per (set, search parameters, back end) in `<data dir>/eval/`,
//! named by a hash of that key (the back end key holds a token *fingerprint*, never the
//! token; the file holds no image either). A line records a probe's path and file stamp
//! and what its search gave; a probe whose file changed since (size or mtime) is searched
//! again. Only results are journaled (answers and liveness failures), never failures
//! such as timeouts, which a rerun retries. A torn last line (the process killed mid
//! write) is ignored.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::measures::Candidate;
use crate::api::model::SearchParams;
use crate::history::ProbeStamp;

/// What one search gave, as the journal keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Searched {
    pub liveness_score: Option<f64>,
    /// False for a liveness failure at the floor (then there are no candidates).
    pub liveness_passed_floor: bool,
    pub candidates: Vec<Candidate>,
}

#[derive(Serialize, Deserialize)]
struct Line {
    probe: ProbeStamp,
    result: Searched,
}

/// The journal's identity: which set, searched how, against which back end.
pub fn key(set: &Path, params: &SearchParams, max_side: u32, backend_key: &str) -> String {
    let text = serde_json::json!({
        "set": set.display().to_string(),
        "os": params.os,
        "search_mode": params.search_mode,
        "collection_id": params.collection_id,
        "liveness_min_score": params.liveness_min_score,
        "min_score": params.min_score,
        "max_side": max_side,
        "backend": backend_key,
    })
    .to_string();
    let digest = Sha256::digest(text.as_bytes());
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

/// What a journal holds: by probe path, the file stamp searched and its result.
pub type Journaled = HashMap<PathBuf, (ProbeStamp, Searched)>;

/// An open journal, appending.
pub struct Journal {
    path: PathBuf,
    file: File,
}

impl Journal {
    /// Opens (creating) `<dir>/<key>.jsonl`, and returns what it already holds by probe
    /// path; `fresh` empties it first.
    ///
    /// # Errors
    /// The folder or file cannot be created or read.
    pub fn open(dir: &Path, key: &str, fresh: bool) -> io::Result<(Journal, Journaled)> {
        fs::create_dir_all(dir)?;
        let path = dir.join(format!("{key}.jsonl"));
        let mut done = HashMap::new();
        if fresh {
            File::create(&path)?;
        } else if path.exists() {
            for line in BufReader::new(File::open(&path)?).lines() {
                let line = line?;
                // A line that does not parse is a torn write: skip it (and search again).
                if let Ok(l) = serde_json::from_str::<Line>(&line) {
                    done.insert(l.probe.path.clone(), (l.probe, l.result));
                }
            }
        }
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        Ok((Journal { path, file }, done))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one result, flushed at once (a crash right after keeps it). A torn
    /// previous line is closed with a newline first by always writing whole lines.
    ///
    /// # Errors
    /// The write failed (disk full, permissions).
    pub fn append(&mut self, probe: &ProbeStamp, result: &Searched) -> io::Result<()> {
        let mut line = serde_json::to_string(&Line {
            probe: probe.clone(),
            result: result.clone(),
        })
        .map_err(io::Error::other)?;
        line.insert(0, '\n'); // ends any torn line before this one; empty lines are skipped
        self.file.write_all(line.as_bytes())?;
        self.file.flush()
    }
}

/// Whether a journaled result still stands for the file as it is now.
pub fn still_valid(journaled: &ProbeStamp, now: &ProbeStamp) -> bool {
    journaled == now
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(p: &str, size: u64) -> ProbeStamp {
        ProbeStamp {
            path: p.into(),
            size,
            mtime_ms: Some(1),
        }
    }

    fn searched(score: f64) -> Searched {
        Searched {
            liveness_score: Some(score),
            liveness_passed_floor: true,
            candidates: vec![],
        }
    }

    #[test]
    fn results_survive_a_reopen_and_a_torn_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let (mut j, done) = Journal::open(dir.path(), "k", false).unwrap();
        assert!(done.is_empty());
        j.append(&stamp("/a.jpg", 10), &searched(0.9)).unwrap();
        j.append(&stamp("/b.jpg", 20), &searched(0.8)).unwrap();
        // A write cut short by a kill.
        let mut f = OpenOptions::new().append(true).open(j.path()).unwrap();
        f.write_all(b"\n{\"probe\":{\"path\":\"/c.jpg\",\"si")
            .unwrap();
        drop(j);
        let (mut j, done) = Journal::open(dir.path(), "k", false).unwrap();
        assert_eq!(done.len(), 2);
        assert_eq!(done[Path::new("/b.jpg")].1, searched(0.8));
        // Appending after the torn line still gives a readable line.
        j.append(&stamp("/c.jpg", 30), &searched(0.7)).unwrap();
        let (_, done) = Journal::open(dir.path(), "k", false).unwrap();
        assert_eq!(done.len(), 3);
        // --fresh forgets everything.
        let (_, done) = Journal::open(dir.path(), "k", true).unwrap();
        assert!(done.is_empty());
    }

    #[test]
    fn the_key_changes_with_every_parameter_and_the_back_end() {
        let p = SearchParams::default();
        let base = key(Path::new("/set"), &p, 1600, "embedded-sandbox:face models");
        assert_eq!(base.len(), 24);
        let mut other = p.clone();
        other.search_mode = crate::api::model::SearchMode::Accurate;
        assert_ne!(
            base,
            key(
                Path::new("/set"),
                &other,
                1600,
                "embedded-sandbox:face models"
            )
        );
        assert_ne!(
            base,
            key(Path::new("/set2"), &p, 1600, "embedded-sandbox:face models")
        );
        assert_ne!(
            base,
            key(Path::new("/set"), &p, 800, "embedded-sandbox:face models")
        );
        assert_ne!(
            base,
            key(Path::new("/set"), &p, 1600, "https://api.verifik.co#ab12")
        );
        assert!(still_valid(&stamp("/a", 1), &stamp("/a", 1)));
        assert!(!still_valid(&stamp("/a", 1), &stamp("/a", 2)));
    }
}
