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
mod tests;
