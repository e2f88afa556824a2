//! The history's export formats, shared by `liveface history export` and the
//! dashboard's export key: JSON (every field of every run) and CSV (one row per run and
//! match), and writing an export to a new file without overwriting one.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::run::{Run, RunOutcome};

/// The CSV columns: one row per run and match (a run without matches is one row).
pub const CSV_HEADER: [&str; 21] = [
    "run_id",
    "time",
    "profile",
    "backend",
    "backend_key",
    "probe_path",
    "os",
    "liveness_min_score",
    "min_score",
    "search_mode",
    "collection_id",
    "outcome",
    "liveness_score",
    "refiltered_from",
    "elapsed_ms",
    "truth",
    "match_kind",
    "match_rank",
    "match_id",
    "match_name",
    "match_score",
];

/// A run's outcome in words: `ok`, `re-filtered from #N`, `liveness failed 0.30`, …
pub fn outcome_words(r: &Run) -> String {
    match (&r.outcome, r.refiltered_from) {
        (RunOutcome::Ok, Some(src)) => format!("re-filtered from #{src}"),
        (o, _) => o.label(),
    }
}

/// The CSV rows of one run (see [`CSV_HEADER`]): one per match, then one per flagged
/// hit; a run with neither is one row with empty match cells.
pub fn csv_rows(r: &Run) -> Vec<Vec<String>> {
    let run_cells = vec![
        r.id.to_string(),
        r.time.to_rfc3339(),
        r.profile.clone().unwrap_or_default(),
        r.backend.clone(),
        r.backend_key.clone().unwrap_or_default(),
        r.probe.path.to_string_lossy().into_owned(),
        r.params.os.to_string(),
        r.params.liveness_min_score.to_string(),
        r.params.min_score.to_string(),
        r.params.search_mode.to_string(),
        r.params.collection_id.clone().unwrap_or_default(),
        outcome_words(r),
        r.liveness_score.map(|s| s.to_string()).unwrap_or_default(),
        r.refiltered_from.map(|s| s.to_string()).unwrap_or_default(),
        r.elapsed_ms.to_string(),
        r.truth.as_ref().map(|t| t.words()).unwrap_or_default(),
    ];
    let hits = r
        .matches
        .iter()
        .enumerate()
        .map(|(i, m)| ("match", i, m))
        .chain(r.flagged.iter().enumerate().map(|(i, m)| ("flagged", i, m)));
    let mut rows: Vec<Vec<String>> = hits
        .map(|(kind, i, m)| {
            let mut row = run_cells.clone();
            row.extend([
                kind.to_owned(),
                (i + 1).to_string(),
                m.id.clone(),
                m.name.clone().unwrap_or_default(),
                m.score.to_string(),
            ]);
            row
        })
        .collect();
    if rows.is_empty() {
        let mut row = run_cells;
        row.extend(std::iter::repeat_n(String::new(), 5));
        rows.push(row);
    }
    rows
}

/// Every field of every run, as one pretty JSON array ending in a newline.
///
/// # Errors
/// Only if serde cannot serialize a run (it always can; the error is kept as words).
pub fn to_json(runs: &[Run]) -> Result<Vec<u8>, String> {
    let mut v = serde_json::to_vec_pretty(runs).map_err(|e| e.to_string())?;
    v.push(b'\n');
    Ok(v)
}

/// The header and every run's [`csv_rows`], as CSV bytes (RFC 4180 quoting).
///
/// # Errors
/// Only if the CSV writer fails on memory (kept as words).
pub fn to_csv(runs: &[Run]) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER).map_err(|e| e.to_string())?;
    for r in runs {
        for row in csv_rows(r) {
            w.write_record(&row).map_err(|e| e.to_string())?;
        }
    }
    w.into_inner().map_err(|e| e.to_string())
}

/// An export format, with the file extension it is written under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

impl Format {
    /// `json` or `csv`.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }

    /// The runs in this format ([`to_json`] or [`to_csv`]).
    ///
    /// # Errors
    /// As those functions.
    pub fn render(self, runs: &[Run]) -> Result<Vec<u8>, String> {
        match self {
            Format::Json => to_json(runs),
            Format::Csv => to_csv(runs),
        }
    }
}

/// Writes `bytes` to a new file `dir/STEM.EXT`, or `STEM-2.EXT`, `STEM-3.EXT`, … when
/// the name is taken: an existing file is never overwritten (the name is claimed with
/// `create_new`, so two writers never share one). Returns the path written.
///
/// # Errors
/// The I/O error of creating or writing the file (a file left half-written is removed).
pub fn write_new(dir: &Path, stem: &str, ext: &str, bytes: &[u8]) -> io::Result<PathBuf> {
    for n in 1u32.. {
        let name = if n == 1 {
            format!("{stem}.{ext}")
        } else {
            format!("{stem}-{n}.{ext}")
        };
        let path = dir.join(name);
        let mut file = match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        };
        if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
        return Ok(path);
    }
    Err(io::Error::other("no free file name"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_new_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let a = write_new(dir.path(), "x", "csv", b"one").unwrap();
        let b = write_new(dir.path(), "x", "csv", b"two").unwrap();
        let c = write_new(dir.path(), "x", "csv", b"three").unwrap();
        assert_eq!(a, dir.path().join("x.csv"));
        assert_eq!(b, dir.path().join("x-2.csv"));
        assert_eq!(c, dir.path().join("x-3.csv"));
        assert_eq!(std::fs::read(&a).unwrap(), b"one");
        assert_eq!(std::fs::read(&c).unwrap(), b"three");
    }

    #[test]
    fn a_run_without_matches_is_one_row() {
        let r = crate::history::testdata::run(1, 0.5, &[]);
        let rows = csv_rows(&r);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].len(), CSV_HEADER.len());
    }
}
