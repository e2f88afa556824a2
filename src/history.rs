//! The search history: every run of this and earlier sessions, as append-only JSON lines.
//!
//! A run keeps only what is needed to show, compare and re-filter it: the parameters,
//! the probe's path and file stamp, `{id, score, name}` per match and, when the server
//! sent one, the face box as fractions of the probe. Never the token, never image bytes
//! or thumbnails.

use std::fs::{self, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::api::model::SearchParams;
use crate::api::scores::reaches_min_score;
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
    /// Unique and increasing across sessions and processes (see [`RunIds`]).
    pub id: u64,
    pub time: DateTime<Utc>,
    pub probe: ProbeStamp,
    pub params: SearchParams,
    /// Where the request went (`SANDBOX · …` or the API host).
    pub backend: String,
    /// The config profile the run was made with, when one was in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Which back end answered, exactly: base URL and token fingerprint (never the
    /// token), or the embedded sandbox and its engine. Only a run with the same key may
    /// answer a query locally; runs saved before it existed have none and never do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_key: Option<String>,
    #[serde(default)]
    pub liveness_score: Option<f64>,
    /// Matches at or above the run's `min_score`, best first.
    #[serde(default)]
    pub matches: Vec<RunMatch>,
    /// Hits the server sent below `min_score` anyway: shown flagged, never as matches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flagged: Vec<RunMatch>,
    /// The server's scores were on 0–100 and were divided by 100.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub percent_scale: bool,
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

/// An append-only JSONL file of runs, shared safely by several dashboards.
///
/// Writers take an advisory lock on `<file>.lock` (which also keeps the last id
/// handed out), so two processes never interleave a line or hand out one id twice.
#[derive(Clone, Debug)]
pub struct HistoryStore {
    path: PathBuf,
}

/// What `load` found: the runs in file order, and the damaged lines it skipped.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    pub runs: Vec<Run>,
    /// Plain words for the status bar: a few damaged lines by number, then (last) how
    /// many there were in all. Empty when every line was good.
    pub warnings: Vec<String>,
    /// 1-based numbers of the lines that held no readable run.
    pub damaged_lines: Vec<usize>,
    /// The highest id the file mentions, damaged lines included: new runs go above it.
    pub max_id: u64,
}

/// Damaged lines named one by one in `Loaded::warnings`; the rest are only counted.
const NAMED_DAMAGED_LINES: usize = 3;

impl HistoryStore {
    pub fn new(path: impl Into<PathBuf>) -> HistoryStore {
        HistoryStore { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The advisory lock file next to the history; it holds the last id handed out.
    pub fn lock_path(&self) -> PathBuf {
        let mut name = self.path.file_name().unwrap_or_default().to_owned();
        name.push(".lock");
        self.path.with_file_name(name)
    }

    /// Reads every run. A missing file is an empty history. A damaged line (a crash
    /// mid-write, an edit by hand) is skipped and reported, never rewritten; a run that
    /// an older version appended onto a damaged line is recovered from it, and the ids
    /// a damaged line mentions stay reserved (see [`Loaded::max_id`]).
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
                Ok(run) => {
                    loaded.max_id = loaded.max_id.max(run.id);
                    loaded.runs.push(run);
                }
                Err(e) => {
                    loaded.max_id = loaded.max_id.max(ids_mentioned(&text).max().unwrap_or(0));
                    let recovered = recover_glued(&text);
                    if loaded.damaged_lines.len() < NAMED_DAMAGED_LINES {
                        let kept = match &recovered {
                            Some(run) => format!("; run #{} after the damage kept", run.id),
                            None => String::new(),
                        };
                        loaded
                            .warnings
                            .push(format!("history line {} damaged ({e}){kept}", n + 1));
                    }
                    loaded.damaged_lines.push(n + 1);
                    loaded.runs.extend(recovered);
                }
            }
        }
        if !loaded.damaged_lines.is_empty() {
            let n = loaded.damaged_lines.len();
            loaded.warnings.push(format!(
                "history {}: {n} damaged line{} skipped (the file is left as it is)",
                self.path.display(),
                if n == 1 { "" } else { "s" }
            ));
        }
        Ok(loaded)
    }

    /// Appends one run as a line, creating the file and its directory when needed.
    /// Holds the lock while writing; when the file does not end with a newline (a
    /// crash mid-write), the run starts a fresh line instead of joining the broken one.
    pub fn append(&self, run: &Run) -> io::Result<()> {
        let mut line = serde_json::to_string(run).map_err(io::Error::other)?;
        line.push('\n');
        let mut lock = self.lock()?;
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(&self.path)?;
        if !ends_with_newline(&mut file)? {
            line.insert(0, '\n');
        }
        // One write per line, so a reader never sees half of this record before a good one.
        file.write_all(line.as_bytes())?;
        // Ids handed out by an older version (or a test) stay reserved too.
        if run.id > read_counter(&mut lock)? {
            write_counter(&mut lock, run.id)?;
        }
        Ok(())
    }

    /// Hands out a run id at least `at_least` and above every id handed out before,
    /// by this or any other process sharing the history (under the lock).
    pub fn reserve_id(&self, at_least: u64) -> io::Result<u64> {
        let mut lock = self.lock()?;
        let id = (read_counter(&mut lock)? + 1).max(at_least);
        write_counter(&mut lock, id)?;
        Ok(id)
    }

    /// The lock file, opened and locked exclusively; dropping it unlocks.
    fn lock(&self) -> io::Result<fs::File> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(self.lock_path())?;
        // Fully qualified: newer std has an inherent `File::lock` that MSRV 1.88 lacks.
        fs4::FileExt::lock(&file)?;
        Ok(file)
    }
}

fn ends_with_newline(file: &mut fs::File) -> io::Result<bool> {
    if file.metadata()?.len() == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0u8];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

/// The last id handed out, as the lock file keeps it (0 when empty or unreadable).
fn read_counter(lock: &mut fs::File) -> io::Result<u64> {
    let mut text = String::new();
    lock.seek(SeekFrom::Start(0))?;
    lock.read_to_string(&mut text)?;
    Ok(text.trim().parse().unwrap_or(0))
}

fn write_counter(lock: &mut fs::File, id: u64) -> io::Result<()> {
    lock.set_len(0)?;
    lock.seek(SeekFrom::Start(0))?;
    lock.write_all(format!("{id}\n").as_bytes())
}

/// Every `{"id":N` in a damaged line: a run's id is its first key.
fn ids_mentioned(text: &str) -> impl Iterator<Item = u64> + '_ {
    text.match_indices(RUN_START).filter_map(|(at, _)| {
        let digits: String = text[at + RUN_START.len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    })
}

const RUN_START: &str = r#"{"id":"#;

/// A whole run written after the damage on the same line (what an older version did
/// after a crash mid-write): from the first `{"id":` after the start that parses.
fn recover_glued(text: &str) -> Option<Run> {
    text.match_indices(RUN_START)
        .filter(|(at, _)| *at > 0)
        .find_map(|(at, _)| serde_json::from_str::<Run>(&text[at..]).ok())
}

/// Hands out run ids: above every run loaded, and, with a shared history, above
/// every id any other process sharing it handed out (two dashboards on one file).
#[derive(Clone, Debug)]
pub struct RunIds {
    store: Option<HistoryStore>,
    /// The smallest id still free as far as this process knows.
    floor: u64,
}

impl Default for RunIds {
    fn default() -> Self {
        RunIds::local()
    }
}

impl RunIds {
    /// Ids known only to this process: one more than the highest run it holds.
    pub fn local() -> RunIds {
        RunIds {
            store: None,
            floor: 1,
        }
    }

    /// Ids reserved through `store`'s lock, starting above `loaded.max_id`.
    pub fn shared(store: HistoryStore, max_id: u64) -> RunIds {
        RunIds {
            store: Some(store),
            floor: max_id + 1,
        }
    }

    /// The id for a new run. When the lock file cannot be used (a read-only data
    /// directory), falls back to the local id; saving the run will then say why.
    pub fn next(&mut self, runs: &[Run]) -> u64 {
        let local = next_id(runs).max(self.floor);
        let id = match &self.store {
            Some(store) => store.reserve_id(local).unwrap_or(local),
            None => local,
        };
        self.floor = id + 1;
        id
    }
}

impl HistoryStore {
    /// Replaces the file with exactly `runs`, atomically: written to a temporary file in
    /// the same directory, flushed to disk, then renamed over the history (a crash leaves
    /// the old file or the new one, never half of either).
    ///
    /// # Errors
    /// Any I/O error; the history file is then unchanged.
    pub fn rewrite(&self, runs: &[Run]) -> io::Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let tmp = self.path.with_extension("jsonl.tmp");
        let result = (|| {
            let mut file = fs::File::create(&tmp)?;
            let mut text = String::new();
            for run in runs {
                text.push_str(&serde_json::to_string(run).map_err(io::Error::other)?);
                text.push('\n');
            }
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            fs::rename(&tmp, &self.path)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
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
        r.passes_a =
            r.a.is_some_and(|s| reaches_min_score(s, a.params.min_score));
        r.passes_b =
            r.b.is_some_and(|s| reaches_min_score(s, b.params.min_score));
    }
    rows.sort_by(|x, y| {
        let key = |r: &CompareRow| r.a.into_iter().chain(r.b).fold(f64::MIN, f64::max);
        key(y).total_cmp(&key(x)).then_with(|| x.id.cmp(&y.id))
    });
    rows
}

/// Which stored runs may answer a query locally: same back end, and fresh.
#[derive(Clone, Debug, PartialEq)]
pub struct RefilterScope<'a> {
    /// The back end the query would go to ([`Run::backend_key`]).
    pub backend_key: &'a str,
    /// Runs with an id at or above this one are fresh (this session, after the last
    /// change to the gallery made here).
    pub fresh_from_id: u64,
    /// Older runs are fresh too when younger than this (`refilter_max_age`), unless
    /// they predate `stale_before_id` (a gallery change made here).
    pub max_age: Option<chrono::Duration>,
    pub stale_before_id: u64,
    pub now: DateTime<Utc>,
}

impl RefilterScope<'_> {
    fn admits(&self, run: &Run) -> bool {
        if run.backend_key.as_deref() != Some(self.backend_key) {
            return false;
        }
        if run.id >= self.fresh_from_id {
            return true;
        }
        run.id >= self.stale_before_id
            && self
                .max_age
                .is_some_and(|age| self.now.signed_duration_since(run.time) <= age)
    }
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
        .filter(|m| reaches_min_score(m.score, params.min_score))
        .cloned()
        .collect();
    kept.sort_by(|x, y| y.score.total_cmp(&x.score));
    Some(kept)
}

/// The newest run in `scope` that `refilter` accepts, with its result.
pub fn find_refilter<'a>(
    runs: &'a [Run],
    scope: &RefilterScope<'_>,
    probe: &ProbeStamp,
    params: &SearchParams,
) -> Option<(&'a Run, Vec<RunMatch>)> {
    runs.iter()
        .rev()
        .filter(|r| scope.admits(r))
        .find_map(|r| refilter(r, probe, params).map(|m| (r, m)))
}

/// "12 s", "3 min", "27 h" (up to two days), "4 days": how old a run is, for labels.
pub fn age_words(age: chrono::Duration) -> String {
    let s = age.num_seconds().max(0);
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min", s / 60),
        3600..=172_799 => format!("{} h", s / 3600),
        _ => format!("{} days", s / 86_400),
    }
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
            profile: None,
            backend_key: Some(KEY.into()),
            liveness_score: Some(0.9),
            matches: scores
                .iter()
                .map(|(id, s)| RunMatch {
                    id: id.to_string(),
                    score: *s,
                    name: None,
                })
                .collect(),
            flagged: Vec::new(),
            percent_scale: false,
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
        assert_eq!(loaded.damaged_lines, vec![2, 3]);
        assert!(
            loaded.warnings[0].contains("line 2"),
            "{:?}",
            loaded.warnings
        );
        assert!(
            loaded
                .warnings
                .last()
                .unwrap()
                .contains("2 damaged lines skipped"),
            "{:?}",
            loaded.warnings
        );
        assert_eq!(next_id(&loaded.runs), 3);
    }

    /// A crash mid-write leaves a last line without its newline.
    fn crash_mid_write(store: &HistoryStore, id: u64) -> String {
        let whole = serde_json::to_string(&run(id, 0.75, &[("x", 0.8)])).unwrap();
        let half = whole[..whole.len() / 2].to_owned();
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(store.path())
            .unwrap();
        f.write_all(half.as_bytes()).unwrap();
        half
    }

    #[test]
    fn a_run_after_a_crash_mid_write_starts_a_fresh_line_and_survives() {
        let dir = tempfile::tempdir().unwrap();
        let store = HistoryStore::new(dir.path().join("history.jsonl"));
        store.append(&run(1, 0.75, &[])).unwrap();
        let half = crash_mid_write(&store, 2);
        let before = store.load().unwrap();
        assert_eq!(before.damaged_lines, vec![2]);
        assert_eq!(before.max_id, 2, "the damaged line's id stays reserved");
        let mut ids = RunIds::shared(store.clone(), before.max_id);
        let id = ids.next(&before.runs);
        assert_eq!(id, 3);
        store.append(&run(id, 0.8, &[("y", 0.9)])).unwrap();
        let after = store.load().unwrap();
        assert_eq!(
            after.runs.iter().map(|r| r.id).collect::<Vec<_>>(),
            [1, 3],
            "{:?}",
            after.warnings
        );
        assert_eq!(after.damaged_lines, vec![2]);
        // Loading never rewrites: the damaged bytes are still there for a human to see.
        let text = fs::read_to_string(store.path()).unwrap();
        assert!(text.contains(&format!("{half}\n")), "{text}");
        assert_eq!(store.load().unwrap().runs.len(), 2, "stable across loads");
    }

    #[test]
    fn ids_never_restart_after_a_damaged_tail() {
        let dir = tempfile::tempdir().unwrap();
        let store = HistoryStore::new(dir.path().join("history.jsonl"));
        // Only a damaged line, and no lock file (an older version wrote it).
        crash_mid_write(&store, 41);
        let loaded = store.load().unwrap();
        assert!(loaded.runs.is_empty());
        assert_eq!(loaded.max_id, 41);
        assert_eq!(RunIds::shared(store, loaded.max_id).next(&[]), 42);
    }

    #[test]
    fn a_run_an_older_version_glued_onto_a_damaged_line_is_recovered() {
        let dir = tempfile::tempdir().unwrap();
        let store = HistoryStore::new(dir.path().join("history.jsonl"));
        crash_mid_write(&store, 6);
        let good = run(7, 0.8, &[("y", 0.9)]);
        let mut f = OpenOptions::new().append(true).open(store.path()).unwrap();
        writeln!(f, "{}", serde_json::to_string(&good).unwrap()).unwrap();
        let loaded = store.load().unwrap();
        assert_eq!(loaded.runs, vec![good]);
        assert_eq!(loaded.damaged_lines, vec![1]);
        assert!(
            loaded.warnings[0].contains("run #7"),
            "{:?}",
            loaded.warnings
        );
        assert_eq!(loaded.max_id, 7);
    }

    #[test]
    fn shared_ids_stay_above_what_another_process_reserved() {
        let dir = tempfile::tempdir().unwrap();
        let store = HistoryStore::new(dir.path().join("history.jsonl"));
        // Two dashboards that loaded the same (empty) history.
        let mut a = RunIds::shared(store.clone(), 0);
        let mut b = RunIds::shared(store.clone(), 0);
        let got = [a.next(&[]), b.next(&[]), b.next(&[]), a.next(&[])];
        assert_eq!(got, [1, 2, 3, 4]);
        // An id written without reserving (an older version) is reserved by the append.
        store.append(&run(10, 0.75, &[])).unwrap();
        assert_eq!(a.next(&[]), 11);
        assert_eq!(RunIds::local().next(&[run(5, 0.7, &[])]), 6);
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
        let scope = session_scope(KEY, 1);
        assert_eq!(find_refilter(&runs, &scope, &stamp(), &p).unwrap().0.id, 8);
    }

    const KEY: &str = "https://api.example#0123456789ab";

    fn session_scope(key: &str, fresh_from_id: u64) -> RefilterScope<'_> {
        RefilterScope {
            backend_key: key,
            fresh_from_id,
            max_age: None,
            stale_before_id: 0,
            now: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        }
    }

    #[test]
    fn another_back_end_never_answers_a_query() {
        let r = run(7, 0.6, &[("a", 0.95)]);
        let p = r.params.clone();
        let runs = vec![r.clone()];
        assert!(find_refilter(&runs, &session_scope(KEY, 1), &stamp(), &p).is_some());
        let sandbox = session_scope("sandbox:embedded:pixel fallback", 1);
        assert!(find_refilter(&runs, &sandbox, &stamp(), &p).is_none());
        let other_token = session_scope("https://api.example#ffffffffffff", 1);
        assert!(find_refilter(&runs, &other_token, &stamp(), &p).is_none());
        // Runs saved before back ends were recorded never answer.
        let legacy = vec![Run {
            backend_key: None,
            ..r
        }];
        assert!(find_refilter(&legacy, &session_scope(KEY, 1), &stamp(), &p).is_none());
    }

    #[test]
    fn only_fresh_runs_answer_a_query() {
        let r = run(7, 0.6, &[("a", 0.95)]);
        let p = r.params.clone();
        let runs = vec![r.clone()];
        // Yesterday's run (before this session) is not fresh by default.
        let mut scope = session_scope(KEY, 8);
        assert!(find_refilter(&runs, &scope, &stamp(), &p).is_none());
        // refilter_max_age widens it: 2 minutes old, 5 allowed.
        scope.now = r.time + chrono::Duration::minutes(2);
        scope.max_age = Some(chrono::Duration::minutes(5));
        assert!(find_refilter(&runs, &scope, &stamp(), &p).is_some());
        scope.now = r.time + chrono::Duration::minutes(6);
        assert!(find_refilter(&runs, &scope, &stamp(), &p).is_none());
        // A gallery change made here makes older runs stale whatever their age.
        scope.now = r.time + chrono::Duration::minutes(2);
        scope.stale_before_id = 8;
        assert!(find_refilter(&runs, &scope, &stamp(), &p).is_none());
    }

    #[test]
    fn ages_are_in_words() {
        assert_eq!(age_words(chrono::Duration::seconds(12)), "12 s");
        assert_eq!(age_words(chrono::Duration::minutes(3)), "3 min");
        assert_eq!(age_words(chrono::Duration::hours(2)), "2 h");
        assert_eq!(age_words(chrono::Duration::hours(27)), "27 h");
        assert_eq!(age_words(chrono::Duration::days(4)), "4 days");
        assert_eq!(age_words(chrono::Duration::seconds(-5)), "0 s");
    }
}
