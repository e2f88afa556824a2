//! End to end: the dashboard with an empty models directory offers `M`; with
//! `LIVEFACE_MODELS_FROM` and `LIVEFACE_PACK_FROM` pointing at mirrors on 127.0.0.1 it
//! installs the models with a gauge (a mirror that stalls mid-file keeps it on screen),
//! `M` cancels with nothing half-installed, `M` again finishes, and the dashboard — never
//! restarted — names the face engine, lists the demo collection and shows its probes.

use crate::dashboard::{launch_env, need_tmux, Tmux};
use crate::mirror_common::{have, shared_models, shared_pack, Fault, Mirror};

use std::time::{Duration, Instant};

use liveface::sandbox::face::models::{ALL, MOBILEFACENET};
use liveface::sandbox::face_demo::PACK;

/// [`Tmux::wait_for`] with a budget of its own: loading the face engine twice and
/// enrolling the demo takes longer than a keypress.
fn wait_long(tmux: &Tmux, needle: &str, secs: u64) -> String {
    let start = Instant::now();
    loop {
        let s = tmux.screen();
        if s.contains(needle) {
            return s;
        }
        if start.elapsed() > Duration::from_secs(secs) {
            panic!("timed out waiting for {needle:?}; screen:\n{s}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn status_line(screen: &str) -> String {
    screen
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or("")
        .to_owned()
}

#[test]
fn m_installs_the_models_from_a_mirror_and_the_dashboard_switches_to_the_face_engine() {
    if !need_tmux() {
        return;
    }
    let model_names: Vec<&str> = ALL.iter().map(|f| f.name).collect();
    let pack_names: Vec<&str> = PACK.iter().map(|p| p.file.name).collect();
    if !have(&shared_models(), &model_names) || !have(&shared_pack(), &pack_names) {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let models_mirror = rt.block_on(Mirror::start(&shared_models()));
    let pack_mirror = rt.block_on(Mirror::start(&shared_pack()));
    // The biggest file stalls half-way: the gauge stays on screen until we cancel.
    models_mirror.fault(MOBILEFACENET.name, Fault::StallMidFile);

    let tmp = tempfile::tempdir().unwrap();
    let env = format!(
        "-u LIVEFACE_MODELS LIVEFACE_MODELS_FROM='{}' LIVEFACE_PACK_FROM='{}'",
        models_mirror.base_url, pack_mirror.base_url
    );
    let tmux = launch_env(tmp.path(), "install", &env, "");
    // Beside the start note (which keeps its room) the offer is short.
    let screen = tmux.wait_for("M: install face models");
    assert!(
        status_line(&screen).contains("SANDBOX · pixel fallback │ M: install face models │"),
        "{screen}"
    );

    tmux.keys(&["M"]);
    let screen = wait_long(&tmux, "MB/s", 30);
    let line = status_line(&screen);
    assert!(
        line.contains("face models ") && line.contains(" MB"),
        "{line}"
    );
    // Still usable meanwhile: focus moves.
    tmux.keys(&["3"]);
    tmux.wait_for("3 Collections");

    tmux.keys(&["M"]);
    tmux.wait_for("install cancelled");
    let models = tmp.path().join("data/liveface/models");
    assert!(
        !models.join(MOBILEFACENET.name).exists(),
        "the stalled file is not installed under its name"
    );

    models_mirror.clear_faults();
    tmux.keys(&["M"]);
    let screen = wait_long(&tmux, "SANDBOX · face models", 240);
    assert!(!screen.contains("install face models"), "{screen}");
    let screen = wait_long(&tmux, "Demo people", 60);
    assert!(
        screen.contains("sandbox-face/probes"),
        "the file browser shows the demo probes:\n{screen}"
    );
    assert!(liveface::sandbox::face::models::status(&models).ready());

    tmux.keys(&["q"]);
    let screen = tmux.wait_for("CHECKED");
    assert!(screen.contains("EXIT=0"), "{screen}");
    drop(rt);
}
