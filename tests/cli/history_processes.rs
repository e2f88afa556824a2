//! Two dashboards on one history file: every run survives, every id is unique.
//!
//! The test re-executes its own binary as the "dashboards": with `HISTORY_CHILD` set,
//! the test body is a child that does what the dashboard does per run (reserve an id,
//! append the run), as fast as it can.

use std::collections::HashSet;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use chrono::DateTime;
use liveface::api::model::SearchParams;
use liveface::history::{HistoryStore, ProbeStamp, Run, RunIds, RunMatch, RunOutcome};

use crate::common::{test_name, wait_until};

const CHILD_ENV: &str = "HISTORY_CHILD";
const RUNS_PER_CHILD: u64 = 150;
const CHILDREN: usize = 2;

fn run(id: u64, tag: &str) -> Run {
    Run {
        id,
        time: DateTime::from_timestamp(1_764_100_000, 0).unwrap(),
        probe: ProbeStamp {
            path: format!("/probes/{tag}.jpg").into(),
            size: 1234,
            mtime_ms: Some(5),
        },
        params: SearchParams::default(),
        backend: "SANDBOX".into(),
        profile: None,
        backend_key: Some("sandbox:embedded:test".into()),
        liveness_score: Some(0.9),
        // A few hundred bytes per line, like a real run with matches.
        matches: (0..5)
            .map(|i| RunMatch {
                id: format!("{tag}-person-{i:03}-0123456789abcdef"),
                score: 0.9 - 0.01 * i as f64,
                name: Some(format!("Person {i} of {tag}")),
            })
            .collect(),
        flagged: Vec::new(),
        percent_scale: false,
        elapsed_ms: 12,
        outcome: RunOutcome::Ok,
        refiltered_from: None,
        face: None,
        truth: None,
    }
}

/// One dashboard: loads the history once, then records runs as the app does.
fn child(path: &Path, tag: &str) {
    // Both start together: each says it is ready, then waits for the parent's go file.
    std::fs::write(path.with_extension(format!("ready-{tag}")), b"").unwrap();
    let go = path.with_extension("go");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !go.exists() {
        assert!(std::time::Instant::now() < deadline, "no go file");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let store = HistoryStore::new(path);
    let loaded = store.load().unwrap();
    let mut runs = loaded.runs;
    let mut ids = RunIds::shared(store.clone(), loaded.max_id);
    for n in 0..RUNS_PER_CHILD {
        let r = run(ids.next(&runs), &format!("{tag}-{n}"));
        store.append(&r).unwrap();
        runs.push(r);
    }
}

#[test]
fn two_processes_appending_at_once_keep_every_run_with_a_unique_id() {
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        let (path, tag) = spec.split_once('|').unwrap();
        child(Path::new(path), tag);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.jsonl");
    // An earlier session crashed mid-write: run 7 is good, run 8 half written.
    let store = HistoryStore::new(&path);
    store.append(&run(7, "before")).unwrap();
    let whole = serde_json::to_string(&run(8, "crashed")).unwrap();
    let mut f = OpenOptions::new().append(true).open(&path).unwrap();
    f.write_all(&whole.as_bytes()[..whole.len() / 2]).unwrap();
    drop(f);

    let me = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..CHILDREN)
        .map(|i| {
            Command::new(&me)
                .args([
                    "--exact",
                    &test_name(
                        module_path!(),
                        "two_processes_appending_at_once_keep_every_run_with_a_unique_id",
                    ),
                    "--test-threads=1",
                ])
                .env(CHILD_ENV, format!("{}|child{i}", path.display()))
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    wait_until(
        "every child to be ready",
        std::time::Duration::from_secs(30),
        || (0..CHILDREN).all(|i| path.with_extension(format!("ready-child{i}")).exists()),
    );
    std::fs::write(path.with_extension("go"), b"").unwrap();
    for mut c in children {
        assert!(c.wait().unwrap().success(), "a child failed");
    }

    let loaded = store.load().unwrap();
    assert_eq!(loaded.damaged_lines, vec![2], "{:?}", loaded.warnings);
    let expected = 1 + CHILDREN * RUNS_PER_CHILD as usize;
    assert_eq!(loaded.runs.len(), expected, "runs lost");
    let ids: HashSet<u64> = loaded.runs.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), expected, "ids shared by two runs");
    assert!(
        loaded.runs.iter().filter(|r| r.id != 7).all(|r| r.id > 8),
        "an id at or below the damaged run 8 was handed out again"
    );
    for i in 0..CHILDREN {
        let mine: Vec<u64> = loaded
            .runs
            .iter()
            .filter(|r| {
                r.probe
                    .path
                    .to_string_lossy()
                    .contains(&format!("child{i}-"))
            })
            .map(|r| r.id)
            .collect();
        assert_eq!(mine.len(), RUNS_PER_CHILD as usize, "child{i}");
        assert!(mine.windows(2).all(|w| w[0] < w[1]), "child{i}: ids rise");
    }
    // They really ran at once: the file holds their runs interleaved.
    let owners: Vec<bool> = loaded
        .runs
        .iter()
        .filter(|r| r.id != 7)
        .map(|r| r.probe.path.to_string_lossy().contains("child0-"))
        .collect();
    let switches = owners.windows(2).filter(|w| w[0] != w[1]).count();
    eprintln!("the two writers took turns {switches} times");
}
