//! The search history: every run of this and earlier sessions, as append-only JSON lines.
//!
//! A run keeps only what is needed to show, compare and re-filter it: the parameters,
//! the probe's path and file stamp, `{id, score, name}` per match and, when the server
//! sent one, the face box as fractions of the probe. Never the token, never image bytes
//! or thumbnails.

use std::fs::{self, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::api::model::SearchParams;
use crate::face_region::FaceRegion;

/// Identifies the exact file a probe came from: same path, same size, same mtime.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeStamp {
    /// The real path, bytes and all (a non-UTF-8 name is stored as its bytes).
    #[serde(with = "crate::pathbytes")]
    pub path: PathBuf,
    pub size: u64,
    /// Modification time in milliseconds since the Unix epoch, when the OS gives one.
    #[serde(default)]
    pub mtime_ms: Option<i64>,
}

impl ProbeStamp {
    /// Stamps a file as it is on disk now.
    pub fn of(path: &Path) -> io::Result<ProbeStamp> {
        Ok(ProbeStamp::from_meta(path, &fs::metadata(path)?))
    }

    /// Stamps a file from metadata already read.
    pub fn from_meta(path: &Path, meta: &fs::Metadata) -> ProbeStamp {
        ProbeStamp::from_parts(path, meta.modified().ok(), meta.len())
    }

    pub fn from_parts(path: &Path, mtime: Option<SystemTime>, size: u64) -> ProbeStamp {
        let mtime_ms = mtime
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_millis() as i64);
        ProbeStamp {
            path: path.to_path_buf(),
            size,
            mtime_ms,
        }
    }
}

/// One match as history keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunMatch {
    pub id: String,
    pub score: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    LivenessFailed { score: Option<f64> },
    Error { message: String },
    Cancelled,
}

impl Outcome {
    pub fn label(&self) -> String {
        match self {
            Outcome::Ok => "ok".into(),
            Outcome::LivenessFailed { score: Some(s) } => format!("liveness failed {s:.2}"),
            Outcome::LivenessFailed { score: None } => "liveness failed".into(),
            Outcome::Error { message } => format!("error: {message}"),
            Outcome::Cancelled => "cancelled".into(),
        }
    }
}

/// One search, as run (or re-filtered locally from an earlier run).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// Monotonic across sessions: one more than the highest id in the file.
    pub id: u64,
    pub time: DateTime<Utc>,
    pub probe: ProbeStamp,
    pub params: SearchParams,
    /// Where the request went (`SANDBOX · …` or the API host).
    pub backend: String,
    #[serde(default)]
    pub liveness_score: Option<f64>,
    #[serde(default)]
    pub matches: Vec<RunMatch>,
    pub elapsed_ms: u64,
    pub outcome: Outcome,
    /// Set when no request was sent: the matches were filtered from this run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refiltered_from: Option<u64>,
    /// Where the searched face is in the probe, when the server said (the sandbox does).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::face_region::deserialize_lenient"
    )]
    pub face: Option<FaceRegion>,
}

impl Run {
    pub fn top_score(&self) -> Option<f64> {
        self.matches.iter().map(|m| m.score).reduce(f64::max)
    }

    pub fn probe_name(&self) -> String {
        self.probe
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.probe.path.display().to_string())
    }
}

/// An append-only JSONL file of runs.
#[derive(Clone, Debug)]
pub struct HistoryStore {
    path: PathBuf,
}

/// What `load` found: the runs in file order, and one warning per skipped line.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    pub runs: Vec<Run>,
    pub warnings: Vec<String>,
}

impl HistoryStore {
    pub fn new(path: impl Into<PathBuf>) -> HistoryStore {
        HistoryStore { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads every run. A missing file is an empty history; a damaged line is skipped
    /// with a warning naming its line number.
    pub fn load(&self) -> io::Result<Loaded> {
        // A FIFO in its place would block open() forever: refused by type first.
        let file = match crate::filetype::open_regular(&self.path) {
            Ok((f, _)) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Loaded::default()),
            Err(e) => return Err(e),
        };
        let mut loaded = Loaded::default();
        for (n, line) in BufReader::new(file).split(b'\n').enumerate() {
            let line = line?;
            let text = String::from_utf8_lossy(&line);
            if text.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Run>(&text) {
                Ok(run) => loaded.runs.push(run),
                Err(e) => loaded
                    .warnings
                    .push(format!("history line {} skipped (damaged: {e})", n + 1)),
            }
        }
        Ok(loaded)
    }

    /// Appends one run as a line, creating the file and its directory when needed.
    pub fn append(&self, run: &Run) -> io::Result<()> {
        if let Some(dir) = self.path.parent() {
            fs::create_dir_all(dir)?;
        }
        let mut line = serde_json::to_string(run).map_err(io::Error::other)?;
        line.push('\n');
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        // One write per line so a crash never leaves half a record before a good one.
        file.write_all(line.as_bytes())
    }
}

/// The next run id after the given runs.
pub fn next_id(runs: &[Run]) -> u64 {
    runs.iter().map(|r| r.id).max().unwrap_or(0) + 1
}

/// The `min_score` steps of the threshold sweep: 0.50, 0.55 … 1.00.
pub fn sweep_steps() -> Vec<f64> {
    (0..=10).map(|i| 0.5 + 0.05 * i as f64).collect()
}

/// One bar of the sweep: how many matches remain at `threshold`. `exact` is false
/// below the run's own `min_score`, where the server sent nothing lower, so the
/// count is only a lower bound.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPoint {
    pub threshold: f64,
    pub count: usize,
    pub exact: bool,
}

pub fn sweep(run: &Run) -> Vec<SweepPoint> {
    sweep_steps()
        .into_iter()
        .map(|t| SweepPoint {
            threshold: t,
            count: run.matches.iter().filter(|m| m.score >= t - 1e-9).count(),
            exact: t + 1e-9 >= run.params.min_score,
        })
        .collect()
}

/// One person in the compare view.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareRow {
    pub id: String,
    pub name: Option<String>,
    pub a: Option<f64>,
    pub b: Option<f64>,
    /// Whether the person's score in each run reaches that run's `min_score`.
    pub passes_a: bool,
    pub passes_b: bool,
}

impl CompareRow {
    pub fn delta(&self) -> Option<f64> {
        Some(self.b? - self.a?)
    }

    /// Plain words for who crossed which threshold.
    pub fn crossing(&self) -> &'static str {
        match (self.passes_a, self.passes_b) {
            (true, true) => "both",
            (true, false) => "A only",
            (false, true) => "B only",
            (false, false) => "neither",
        }
    }
}

/// One row per person seen in either run, best combined score first.
pub fn compare(a: &Run, b: &Run) -> Vec<CompareRow> {
    let mut rows: Vec<CompareRow> = Vec::new();
    for m in &a.matches {
        rows.push(CompareRow {
            id: m.id.clone(),
            name: m.name.clone(),
            a: Some(m.score),
            b: None,
            passes_a: false,
            passes_b: false,
        });
    }
    for m in &b.matches {
        match rows.iter_mut().find(|r| r.id == m.id) {
            Some(r) => {
                r.b = Some(m.score);
                r.name = r.name.take().or_else(|| m.name.clone());
            }
            None => rows.push(CompareRow {
                id: m.id.clone(),
                name: m.name.clone(),
                a: None,
                b: Some(m.score),
                passes_a: false,
                passes_b: false,
            }),
        }
    }
    for r in &mut rows {
        r.passes_a = r.a.is_some_and(|s| s >= a.params.min_score);
        r.passes_b = r.b.is_some_and(|s| s >= b.params.min_score);
    }
    rows.sort_by(|x, y| {
        let key = |r: &CompareRow| r.a.into_iter().chain(r.b).fold(f64::MIN, f64::max);
        key(y).total_cmp(&key(x)).then_with(|| x.id.cmp(&y.id))
    });
    rows
}

/// The matches of a new query computed from a stored run without a request: valid only
/// when the run succeeded, the probe is the same file (path, size, mtime), every
/// parameter but `min_score` is equal, and the new `min_score` is at least the run's.
pub fn refilter(run: &Run, probe: &ProbeStamp, params: &SearchParams) -> Option<Vec<RunMatch>> {
    if run.outcome != Outcome::Ok || run.probe != *probe {
        return None;
    }
    let p = &run.params;
    let same_rest = p.os == params.os
        && p.liveness_min_score == params.liveness_min_score
        && p.search_mode == params.search_mode
        && p.collection_id == params.collection_id;
    if !same_rest || params.min_score < p.min_score {
        return None;
    }
    let mut kept: Vec<RunMatch> = run
        .matches
        .iter()
        .filter(|m| m.score >= params.min_score)
        .cloned()
        .collect();
    kept.sort_by(|x, y| y.score.total_cmp(&x.score));
    Some(kept)
}

/// The newest run `refilter` accepts, with its result.
pub fn find_refilter<'a>(
    runs: &'a [Run],
    probe: &ProbeStamp,
    params: &SearchParams,
) -> Option<(&'a Run, Vec<RunMatch>)> {
    runs.iter()
        .rev()
        .find_map(|r| refilter(r, probe, params).map(|m| (r, m)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::{Os, SearchMode};

    fn stamp() -> ProbeStamp {
        ProbeStamp {
            path: "/p/a.jpg".into(),
            size: 10,
            mtime_ms: Some(5),
        }
    }

    fn run(id: u64, min: f64, scores: &[(&str, f64)]) -> Run {
        Run {
            id,
            time: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            probe: stamp(),
            params: SearchParams {
                min_score: min,
                ..SearchParams::default()
            },
            backend: "SANDBOX".into(),
            liveness_score: Some(0.9),
            matches: scores
                .iter()
                .map(|(id, s)| RunMatch {
                    id: id.to_string(),
                    score: *s,
                    name: None,
                })
                .collect(),
            elapsed_ms: 12,
            outcome: Outcome::Ok,
            refiltered_from: None,
            face: None,
        }
    }

    fn region() -> FaceRegion {
        FaceRegion {
            x: 0.3125,
            y: 0.1,
            width: 0.375,
            height: 0.45,
        }
    }

    #[test]
    fn the_face_box_round_trips_and_is_left_out_when_absent() {
        let dir = tempfile::tempdir().unwrap();
        let store = HistoryStore::new(dir.path().join("h.jsonl"));
        let without = run(1, 0.75, &[("x", 0.8)]);
        let with = Run {
            id: 2,
            face: Some(region()),
            ..without.clone()
        };
        store.append(&without).unwrap();
        store.append(&with).unwrap();
        let text = fs::read_to_string(store.path()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(!lines[0].contains("face"), "{}", lines[0]);
        assert!(
            lines[1].contains(r#""face":{"x":0.3125,"y":0.1,"width":0.375,"height":0.45}"#),
            "{}",
            lines[1]
        );
        let loaded = store.load().unwrap();
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        assert_eq!(loaded.runs, vec![without, with]);
    }

    #[test]
    fn history_written_before_face_boxes_still_loads() {
        // A line exactly as the previous version wrote it: no `face` key.
        let old = r#"{"id":4,"time":"2025-11-20T10:00:00Z","probe":{"path":"/p/a.jpg","size":10,"mtime_ms":5},"params":{"os":"DESKTOP","liveness_min_score":0.65,"min_score":0.75,"search_mode":"FAST"},"backend":"SANDBOX","liveness_score":0.9,"matches":[{"id":"x","score":0.8}],"elapsed_ms":12,"outcome":{"kind":"ok"}}"#;
        let dir = tempfile::tempdir().unwrap();
        let store = HistoryStore::new(dir.path().join("h.jsonl"));
        fs::write(store.path(), format!("{old}\n")).unwrap();
        let loaded = store.load().unwrap();
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        assert_eq!(loaded.runs.len(), 1);
        assert_eq!(loaded.runs[0].face, None);
        assert_eq!(loaded.runs[0].matches.len(), 1);
    }

    #[test]
    fn a_damaged_face_box_loses_the_box_not_the_run() {
        let mut v = serde_json::to_value(run(3, 0.75, &[("x", 0.8)])).unwrap();
        for bad in [
            serde_json::json!("nope"),
            serde_json::json!({"x": 0.5, "y": 0.5, "width": 0.9, "height": 0.1}),
            serde_json::json!({"x": 0.1}),
            serde_json::Value::Null,
        ] {
            v["face"] = bad.clone();
            let back: Run =
                serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{bad}: {e}"));
            assert_eq!(back.face, None, "{bad}");
        }
    }

    #[test]
    fn store_round_trips_and_skips_damaged_lines() {
        let dir = tempfile::tempdir().unwrap();
        let store = HistoryStore::new(dir.path().join("sub/history.jsonl"));
        assert!(store.load().unwrap().runs.is_empty());
        store.append(&run(1, 0.75, &[("x", 0.8)])).unwrap();
        let mut f = OpenOptions::new().append(true).open(store.path()).unwrap();
        f.write_all(b"{not json\n\xff\xfe\n").unwrap();
        store.append(&run(2, 0.8, &[])).unwrap();
        let loaded = store.load().unwrap();
        assert_eq!(loaded.runs.len(), 2);
        assert_eq!(loaded.runs[0], run(1, 0.75, &[("x", 0.8)]));
        assert_eq!(loaded.warnings.len(), 2);
        assert!(
            loaded.warnings[0].contains("line 2"),
            "{:?}",
            loaded.warnings
        );
        assert_eq!(next_id(&loaded.runs), 3);
    }

    #[test]
    fn stored_lines_hold_no_token_or_image() {
        let dir = tempfile::tempdir().unwrap();
        let store = HistoryStore::new(dir.path().join("h.jsonl"));
        store.append(&run(1, 0.75, &[("x", 0.8)])).unwrap();
        let text = fs::read_to_string(store.path()).unwrap();
        assert!(
            !text.contains("token") && !text.contains("base64"),
            "{text}"
        );
    }

    #[test]
    fn sweep_counts_every_step() {
        let r = run(1, 0.6, &[("a", 0.95), ("b", 0.7), ("c", 0.62)]);
        let s = sweep(&r);
        assert_eq!(s.len(), 11);
        assert_eq!((s[0].count, s[0].exact), (3, false));
        assert_eq!((s[2].count, s[2].exact), (3, true)); // 0.60
        assert_eq!(s[3].count, 2); // 0.65
        assert_eq!(s[9].count, 1); // 0.95
        assert_eq!(s[10].count, 0);
    }

    #[test]
    fn compare_joins_both_runs() {
        let a = run(1, 0.6, &[("p", 0.9), ("q", 0.65)]);
        let b = run(2, 0.8, &[("p", 0.92), ("r", 0.85)]);
        let rows = compare(&a, &b);
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["p", "r", "q"]);
        assert!((rows[0].delta().unwrap() - 0.02).abs() < 1e-9);
        assert_eq!(rows[0].crossing(), "both");
        assert_eq!(rows[2].crossing(), "A only");
        assert_eq!(rows[1].a, None);
    }

    #[test]
    fn refilter_only_for_stricter_same_query() {
        let r = run(7, 0.6, &[("a", 0.95), ("b", 0.7)]);
        let mut p = r.params.clone();
        p.min_score = 0.8;
        assert_eq!(refilter(&r, &stamp(), &p).unwrap().len(), 1);
        p.min_score = 0.6;
        assert_eq!(refilter(&r, &stamp(), &p).unwrap().len(), 2);
        p.min_score = 0.55;
        assert!(
            refilter(&r, &stamp(), &p).is_none(),
            "looser needs a request"
        );
        p.min_score = 0.8;
        p.os = Os::Ios;
        assert!(refilter(&r, &stamp(), &p).is_none());
        p.os = r.params.os;
        p.search_mode = SearchMode::Accurate;
        assert!(refilter(&r, &stamp(), &p).is_none());
        p.search_mode = r.params.search_mode;
        let mut touched = stamp();
        touched.mtime_ms = Some(6);
        assert!(refilter(&r, &touched, &p).is_none(), "file changed");
        let mut failed = r.clone();
        failed.outcome = Outcome::LivenessFailed { score: Some(0.3) };
        assert!(refilter(&failed, &stamp(), &p).is_none());
        let runs = vec![r.clone(), run(8, 0.7, &[("a", 0.95)])];
        assert_eq!(find_refilter(&runs, &stamp(), &p).unwrap().0.id, 8);
    }
}
