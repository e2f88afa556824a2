//! The history file: append-only JSON lines under an advisory lock, and run ids no two
//! processes hand out twice.

use std::fs::{self, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::run::Run;

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
        let _lock = self.lock()?;
        self.rewrite_unlocked(runs)
    }

    /// Loads the history, lets `change` decide what it becomes, and rewrites it, all under
    /// the writers' lock: a run another process appends meanwhile waits for the rewrite
    /// and lands after it, never lost in between (prune, labels, the dashboard's cap).
    /// `change` returns `None` to leave the file as it is. Damaged lines are reported by
    /// [`HistoryStore::load`] and are not carried into a rewritten file.
    ///
    /// # Errors
    /// Any I/O error loading or writing; the history file is then unchanged.
    pub fn edit<T>(&self, change: impl FnOnce(Loaded) -> (Option<Vec<Run>>, T)) -> io::Result<T> {
        let _lock = self.lock()?;
        let (runs, value) = change(self.load()?);
        if let Some(runs) = runs {
            self.rewrite_unlocked(&runs)?;
        }
        Ok(value)
    }

    fn rewrite_unlocked(&self, runs: &[Run]) -> io::Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::testdata::*;

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
    fn a_run_appended_during_an_edit_is_never_lost() {
        use std::sync::mpsc;
        use std::time::Duration;
        let dir = tempfile::tempdir().unwrap();
        let store = HistoryStore::new(dir.path().join("h.jsonl"));
        for id in 1..=3 {
            store.append(&run(id, 0.75, &[])).unwrap();
        }
        let (inside_tx, inside_rx) = mpsc::channel();
        let (go_tx, go_rx) = mpsc::channel::<()>();
        let editor = {
            let store = store.clone();
            std::thread::spawn(move || {
                store
                    .edit(|loaded| {
                        inside_tx.send(()).unwrap();
                        // Another process appends while the new content is decided.
                        go_rx.recv().unwrap();
                        let kept = loaded.runs.into_iter().filter(|r| r.id != 1).collect();
                        (Some(kept), ())
                    })
                    .unwrap()
            })
        };
        inside_rx.recv().unwrap();
        let (appended_tx, appended_rx) = mpsc::channel();
        let appender = {
            let store = store.clone();
            std::thread::spawn(move || {
                store.append(&run(4, 0.75, &[])).unwrap();
                appended_tx.send(()).unwrap();
            })
        };
        // The append must wait for the edit (an unlocked edit would let it through and
        // then write over it); this wait is the behaviour under test.
        assert!(
            appended_rx
                .recv_timeout(Duration::from_millis(300))
                .is_err(),
            "an append went through while an edit held the history"
        );
        go_tx.send(()).unwrap();
        editor.join().unwrap();
        appender.join().unwrap();
        let ids: Vec<u64> = store.load().unwrap().runs.iter().map(|r| r.id).collect();
        assert_eq!(ids, [2, 3, 4]);
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
}
