//! `liveface eval` against the embedded face sandbox: probes per second with one and two
//! searches in flight, and how much of a probe's time is liveface's own (preparing the
//! upload, HTTP, JSON, the sandbox's store and index) against the face engine's.
//!
//! Run: `cargo bench --bench eval_run` (or, reusing the dev build's optimised
//! dependencies, `cargo bench --profile dev --config 'profile.dev.opt-level=3' --bench
//! eval_run`). Needs the face models and the demo photos in `../shared` (else it says
//! `SKIPPED` and exits).
//!
//! In one process it loads the models once, starts the embedded sandbox on them,
//! enrols the three demo identities, then searches the demo probes through the real
//! client and the evaluation runner (`eval::run::run_jobs`, a fresh journal each time)
//! with `--jobs 1` and `--jobs 2`. The engine's own time is `Engine::analyze` on the very
//! images the sandbox receives, timed alone; liveface's share is the rest of a probe's
//! wall time at `--jobs 1`.

// Tests and benches may panic: that is how they fail (the lints guard `src/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use base64::Engine as _;
use liveface::api::model::{NewPerson, SearchMode, SearchParams};
use liveface::eval::journal::Journal;
use liveface::eval::run::{check_readable, run_jobs, Job, JobEnd, SearchPlan, StopFlag};
use liveface::probe;
use liveface::sandbox::engine::Engine;
use liveface::sandbox::face::{models, FaceEngine};
use liveface::sandbox::EngineSlot;

mod common;
use common::{iterations, median, ms};

/// The enrolment photo of each identity (as the gallery's README measured).
const ENROL: [(&str, &str); 3] = [
    ("Guido van Rossum", "guido_van_rossum1.jpg"),
    ("Paul Allen", "paul_allen.jpg"),
    ("Steve Wozniak", "steve_wozniak3.jpg"),
];
const MAX_SIDE: u32 = 1600;

fn main() {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let dir = std::env::var_os(models::ENV_MODELS)
        .map(PathBuf::from)
        .unwrap_or_else(|| shared.join("models"));
    let gallery = shared.join("fixtures/demo-gallery");
    if !models::status(&dir).ready() || !gallery.is_dir() {
        println!(
            "SKIPPED: needs the face models ({}) and the demo photos ({})",
            dir.display(),
            gallery.display()
        );
        return;
    }
    let benching = std::env::args().any(|a| a == "--bench");
    let rounds = if benching { iterations(3) } else { 1 };
    let engine = Arc::new(FaceEngine::load(&dir).expect("loading the models"));
    let probes = probe_paths(&gallery);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let (per_probe_1, per_probe_2) = runtime.block_on(async {
        let conn = start_sandbox(&engine, data.path()).await;
        enrol(&conn.client, &gallery).await;
        let mut walls = [Vec::new(), Vec::new()];
        for round in 0..rounds {
            for (slot, jobs) in [1usize, 2].into_iter().enumerate() {
                let journal_dir = data.path().join(format!("journal-{round}-{jobs}"));
                let t = Instant::now();
                search_all(&conn.client, &probes, jobs, &journal_dir).await;
                walls[slot].push(ms(t.elapsed()) / probes.len() as f64);
            }
        }
        (median(&walls[0]), median(&walls[1]))
    });
    // The engine alone, on the images the sandbox receives (the prepared uploads).
    let uploads: Vec<_> = probes
        .iter()
        .map(|p| {
            let b64 = probe::prepare(p, MAX_SIDE).expect("prepare").base64;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap();
            liveface::imageio::decode_oriented(&bytes).unwrap()
        })
        .collect();
    let engine_ms: Vec<f64> = (0..rounds.max(3))
        .map(|_| {
            let t = Instant::now();
            for img in &uploads {
                let _ = engine.analyze(img, SearchMode::Fast);
            }
            ms(t.elapsed()) / uploads.len() as f64
        })
        .collect();
    let engine_per_probe = median(&engine_ms);
    let profile = if cfg!(debug_assertions) {
        "dev (deps opt-level 3)"
    } else {
        "release"
    };
    println!(
        "eval_run — profile {profile}, {} probes (the demo gallery), FAST, {rounds} round(s), medians",
        probes.len()
    );
    println!(
        "--jobs 1: {per_probe_1:.0} ms per probe = {:.2} probes/s",
        1e3 / per_probe_1
    );
    println!(
        "--jobs 2: {per_probe_2:.0} ms per probe = {:.2} probes/s ({:.2}× --jobs 1)",
        1e3 / per_probe_2,
        per_probe_1 / per_probe_2
    );
    println!(
        "the face engine alone: {engine_per_probe:.0} ms per probe; liveface's own share at --jobs 1: \
         {:.0} ms ({:.0} % of a probe's time)",
        per_probe_1 - engine_per_probe,
        100.0 * (per_probe_1 - engine_per_probe) / per_probe_1
    );
}

/// Every demo photo but the enrolment ones.
fn probe_paths(gallery: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(gallery)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jpg"))
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            !ENROL.iter().any(|(_, photo)| *photo == name)
        })
        .collect();
    out.sort();
    out
}

async fn start_sandbox(engine: &Arc<FaceEngine>, data: &Path) -> liveface::connect::Connection {
    // An empty config file of its own: nothing of the user's is read.
    std::fs::write(data.join("no-config.toml"), "").unwrap();
    let config = liveface::config::resolve(
        &liveface::config::Flags {
            config: Some(data.join("no-config.toml")),
            ..Default::default()
        },
        &|_| None,
    )
    .unwrap();
    let slot = EngineSlot::ready(engine.clone() as Arc<dyn Engine>);
    liveface::connect::embedded::connect_at(&config, data.join("sandbox"), slot)
        .await
        .expect("start the embedded sandbox")
}

async fn enrol(client: &liveface::api::Client, gallery: &Path) {
    for (name, photo) in ENROL {
        let images = probe::prepare_faces(&[gallery.join(photo)], MAX_SIDE).unwrap();
        client
            .create_person(&NewPerson {
                name: name.into(),
                images,
                ..NewPerson::default()
            })
            .await
            .expect("enrol");
    }
}

/// Searches every probe once with `jobs` in flight, as `liveface eval` does.
async fn search_all(client: &liveface::api::Client, probes: &[PathBuf], jobs: usize, dir: &Path) {
    let (mut journal, _) = Journal::open(dir, "bench", true).unwrap();
    let plan = SearchPlan {
        client: client.clone(),
        params: SearchParams::default(),
        max_side: MAX_SIDE,
        concurrency: jobs,
    };
    let work: Vec<Job> = probes
        .iter()
        .enumerate()
        .map(|(index, p)| Job {
            index,
            path: p.clone(),
            stamp: check_readable(p).unwrap(),
        })
        .collect();
    let (done, _) = run_jobs(&plan, work, &mut journal, &StopFlag::default(), |_, _| {}).await;
    assert_eq!(done.len(), probes.len());
    // Every probe reaches the engine: a liveness failure is a result, and a refusal (the
    // two-person photo) is an answer of the server too.
    for (job, end) in &done {
        match end {
            JobEnd::Searched(_) => {}
            JobEnd::Failed(e) if e.status().is_some() => {}
            other => panic!("{}: {other:?}", job.path.display()),
        }
    }
}
