//! The face models' install offer in the dashboard: the status bar offers `M` while the
//! embedded sandbox runs the pixel engine because the models are missing, shows a gauge
//! while they install (the dashboard stays usable), cancels on `M`/Esc, says why an
//! install failed, and switches to the face engine when it finishes — first at the level
//! of `update`, then the whole flow with the real runner against mirrors on 127.0.0.1.

use crate::mirror_common::{have, shared_models, shared_pack, Mirror};
use crate::tui_support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::KeyCode;
use liveface::history::HistoryStore;
use liveface::install::Source;
use liveface::tui::action::{Action, SwitchedEngine};
use liveface::tui::app::{App, ModelsInstall, ModelsPhase};
use liveface::tui::effect::Effect;
use liveface::tui::engine::EngineSwitch;
use liveface::tui::runner::Runner;
use tui_support::*;

const TOTAL: u64 = 7_716_817;

fn offered() -> App {
    let mut app = app();
    app.models = Some(ModelsInstall::offered(
        PathBuf::from("/home/u/.local/share/liveface/models"),
        Source::Upstream,
        TOTAL,
    ));
    app
}

fn status_line(app: &App, w: u16) -> String {
    render(app, w, 24).lines().last().unwrap_or("").to_owned()
}

#[test]
fn the_status_bar_offers_the_install_only_when_the_models_are_missing() {
    let app = offered();
    insta::assert_snapshot!("install_offer_120x24", render(&app, 120, 24));
    let line = status_line(&app, 120);
    assert!(
        line.contains("pixel engine: face models missing — M installs them (≈ 8 MB)"),
        "{line}"
    );
    // Beside a message that needs the room, the offer is short and the message whole.
    let mut busy = offered();
    let logged =
        "a problem logged to /tmp/.tmpAbCdEf/data/liveface/liveface.log (shown again on exit)";
    busy.last_error = Some(logged.into());
    let line = status_line(&busy, 160);
    assert!(
        line.contains(&format!("│ M: install face models │ {logged}")),
        "{line}"
    );
    // The face engine, or a cloud profile: no offer (`App::models` is `None`).
    let plain = app_with(Vec::new()).0;
    assert!(!status_line(&plain, 120).contains("M installs"));
}

#[test]
fn the_gauge_shows_bytes_rate_and_time_left_mid_install() {
    let mut app = offered();
    let fx = press(&mut app, KeyCode::Char('M'));
    let seq = match fx.as_slice() {
        [Effect::InstallModels { seq, dir, source }] => {
            assert_eq!(dir, &PathBuf::from("/home/u/.local/share/liveface/models"));
            assert_eq!(source, &Source::Upstream);
            *seq
        }
        other => panic!("{other:?}"),
    };
    assert!(app.is_busy(), "the gauge animates");
    app.update(Action::ModelsProgress {
        seq,
        done: 3_000_000,
        total: TOTAL,
        elapsed: Duration::from_secs(2),
    });
    insta::assert_snapshot!("install_gauge_120x24", render(&app, 120, 24));
    let line = status_line(&app, 120);
    assert!(
        line.contains("face models ███░░░░░░░ 3.0/7.7 MB · 1.5 MB/s · 4s left · M cancels"),
        "{line}"
    );
    // The dashboard stays usable meanwhile.
    press(&mut app, KeyCode::Char('3'));
    assert_eq!(app.focus, liveface::tui::action::Pane::Collections);
    assert!(app.models.as_ref().unwrap().is_installing());
}

#[test]
fn m_or_esc_cancels_and_a_cancelled_install_reports_nothing_more() {
    let mut app = offered();
    press(&mut app, KeyCode::Char('M'));
    assert_eq!(
        press(&mut app, KeyCode::Char('M')),
        vec![Effect::CancelModelsInstall]
    );
    assert_eq!(app.models.as_ref().unwrap().phase, ModelsPhase::Offered);
    assert!(app.notice.as_deref().unwrap().contains("install cancelled"));
    // Late news of the cancelled install changes nothing.
    app.update(Action::ModelsProgress {
        seq: 1,
        done: 5,
        total: TOTAL,
        elapsed: Duration::from_secs(1),
    });
    assert!(app
        .update(Action::ModelsInstalled {
            seq: 1,
            result: Ok(())
        })
        .is_empty());
    assert_eq!(app.models.as_ref().unwrap().phase, ModelsPhase::Offered);

    // The second install is cancelled by Esc (no search in flight).
    let fx = press(&mut app, KeyCode::Char('M'));
    assert!(
        matches!(fx[..], [Effect::InstallModels { seq: 2, .. }]),
        "{fx:?}"
    );
    assert_eq!(
        press(&mut app, KeyCode::Esc),
        vec![Effect::CancelModelsInstall]
    );
}

#[test]
fn a_failed_install_says_why_in_plain_words_and_offers_again() {
    let mut app = offered();
    press(&mut app, KeyCode::Char('M'));
    let why = "cannot reach the pinned upstream URLs (dns error): copy the files by hand into \
               /m, or use `liveface models install --from` with a directory or a mirror URL";
    assert!(app
        .update(Action::ModelsInstalled {
            seq: 1,
            result: Err(why.into()),
        })
        .is_empty());
    assert_eq!(
        app.last_error.as_deref(),
        Some(format!("face models not installed: {why}").as_str())
    );
    assert_eq!(app.models.as_ref().unwrap().phase, ModelsPhase::Offered);
    assert!(status_line(&app, 200).contains("face models not installed"));
}

#[test]
fn a_finished_install_switches_engines_after_cancelling_the_search_in_flight() {
    let mut app = offered();
    press(&mut app, KeyCode::Char('M'));
    assert_eq!(
        app.update(Action::ModelsInstalled {
            seq: 1,
            result: Ok(())
        }),
        vec![Effect::SwitchToFaceEngine]
    );
    assert!(status_line(&app, 120).contains("starting the face engine"));
    ready_probe(&mut app);
    let search = liveface::tui::update(&mut app, Action::Key(key(KeyCode::F(5))));
    let Some(Effect::Search { id, .. }) = search.first() else {
        panic!("{search:?}")
    };
    let id = *id;
    let fx = app.update(Action::EngineSwitched(Ok(SwitchedEngine {
        label: "SANDBOX · face models".into(),
        backend_key: "sandbox:embedded:face models".into(),
        probes_dir: Some(PathBuf::from("/d/sandbox-face/probes")),
        note: "face models installed: the embedded sandbox now runs the face engine".into(),
    })));
    assert_eq!(fx[0], Effect::CancelSearch { id }, "{fx:?}");
    assert_eq!(fx[1], Effect::AdoptEngine);
    assert_eq!(fx[2], Effect::LoadCollections);
    assert!(
        matches!(&fx[3], Effect::ReadDir { dir, .. } if dir == &PathBuf::from("/d/sandbox-face/probes")),
        "{fx:?}"
    );
    assert!(app.in_flight.is_none());
    assert!(app.models.is_none());
    assert_eq!(app.backend_key, "sandbox:embedded:face models");
    let line = status_line(&app, 160);
    assert!(line.contains("SANDBOX · face models"), "{line}");
    assert!(!line.contains("M installs"), "{line}");
}

fn key(code: KeyCode) -> crossterm::event::KeyEvent {
    crossterm::event::KeyEvent::new(code, crossterm::event::KeyModifiers::NONE)
}

/// The whole flow with the real runner: a pixel-engine embedded sandbox, `M`, the models
/// from a mirror, the demo pack from another, then the face engine answers, the demo
/// collection loads, the probes folder opens, and the old sandbox is stopped.
#[tokio::test(flavor = "multi_thread")]
async fn install_from_a_mirror_then_the_face_engine_and_its_demo_take_over() {
    use liveface::sandbox::face::models::ALL;
    use liveface::sandbox::face_demo::PACK;
    let model_names: Vec<&str> = ALL.iter().map(|f| f.name).collect();
    let pack_names: Vec<&str> = PACK.iter().map(|p| p.file.name).collect();
    if !have(&shared_models(), &model_names) || !have(&shared_pack(), &pack_names) {
        return;
    }
    let models_mirror = Mirror::start(&shared_models()).await;
    let pack_mirror = Mirror::start(&shared_pack()).await;
    let home = tempfile::tempdir().unwrap();
    let cfg_file = home.path().join("config.toml");
    std::fs::write(&cfg_file, "").unwrap();
    let flags = liveface::config::Flags {
        config: Some(cfg_file),
        ..Default::default()
    };
    let config = liveface::config::resolve(&flags, &|_| None).unwrap();
    let pixel = liveface::connect::embedded::connect_at(
        &config,
        home.path().join("sandbox"),
        liveface::sandbox::EngineSlot::ready(Arc::new(liveface::sandbox::PixelEngine)),
    )
    .await
    .unwrap();
    let old_base = pixel.client.base_url().to_owned();
    let models_dir = home.path().join("models");
    let face_data = home.path().join("sandbox-face");
    let switch = EngineSwitch {
        config: config.clone(),
        models_dir: models_dir.clone(),
        models_source: Source::Mirror(models_mirror.base_url.clone()),
        face_data_dir: face_data.clone(),
        pack_source: Source::Mirror(pack_mirror.base_url.clone()),
        demo_only: false,
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut runner = Runner::new(
        pixel.client.clone(),
        tx,
        1600,
        HistoryStore::new(home.path().join("h.jsonl")),
    )
    .with_engine_switch(Some(pixel), Some(switch));
    let mut app = offered();
    app.models.as_mut().unwrap().dir = models_dir.clone();
    app.models.as_mut().unwrap().source = Source::Mirror(models_mirror.base_url.clone());

    for e in press(&mut app, KeyCode::Char('M')) {
        runner.run(e);
    }
    let mut saw_gauge = false;
    let mut collections = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let probes = face_data.join("probes");
    while collections.is_none() || app.browser.dir != probes {
        let action = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("the switch finishes in time")
            .unwrap();
        if let Action::ModelsProgress { done, total, .. } = &action {
            saw_gauge |= *done > 0 && done <= total;
        }
        let switched_now = matches!(action, Action::EngineSwitched(_));
        let loaded = match &action {
            Action::CollectionsLoaded(r) if app.models.is_none() => Some(r.clone()),
            _ => None,
        };
        for e in app.update(action) {
            runner.run(e);
        }
        if switched_now {
            assert!(app.last_error.is_none(), "{:?}", app.last_error);
        }
        if loaded.is_some() {
            collections = loaded;
        }
    }
    assert!(saw_gauge, "progress reached the app");
    assert_eq!(app.backend_label, "SANDBOX · face models");
    assert_ne!(
        runner.base_url(),
        old_base,
        "the client moved to the new sandbox"
    );
    let names: Vec<String> = collections
        .unwrap()
        .expect("the face sandbox answers")
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, vec![liveface::sandbox::face_demo::COLLECTION]);
    assert!(liveface::sandbox::face::models::status(&models_dir).ready());
    assert!(face_data.join("probes/README.md").is_file());
    assert_eq!(app.browser.dir, face_data.join("probes"));
    assert!(
        app.notice.as_deref().unwrap().contains("face engine"),
        "{:?}",
        app.notice
    );
    // The old sandbox was stopped (it may take a moment to close its listener).
    let mut old = Ok(());
    for _ in 0..50 {
        old = tokio::net::TcpStream::connect(old_base.trim_start_matches("http://"))
            .await
            .map(|_| ());
        if old.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        old.is_err(),
        "the pixel sandbox still listens at {old_base}"
    );
}

/// The face engine's first start on an empty store: the dashboard asks for the demo at
/// once (no key), fetches the pack from the mirror, enrols it, restarts its sandbox on
/// that store and shows the demo collection and probes.
#[tokio::test(flavor = "multi_thread")]
async fn the_face_engines_first_start_enrols_the_demo_in_the_background() {
    use liveface::sandbox::face::models::ALL;
    use liveface::sandbox::face_demo::PACK;
    let model_names: Vec<&str> = ALL.iter().map(|f| f.name).collect();
    let pack_names: Vec<&str> = PACK.iter().map(|p| p.file.name).collect();
    if !have(&shared_models(), &model_names) || !have(&shared_pack(), &pack_names) {
        return;
    }
    let pack_mirror = Mirror::start(&shared_pack()).await;
    let home = tempfile::tempdir().unwrap();
    let cfg_file = home.path().join("config.toml");
    std::fs::write(&cfg_file, "").unwrap();
    let flags = liveface::config::Flags {
        config: Some(cfg_file),
        ..Default::default()
    };
    let config = liveface::config::resolve(&flags, &|_| None).unwrap();
    let face_data = home.path().join("sandbox-face");
    let choice = liveface::sandbox::choose::choose_engine_in(&shared_models());
    assert!(choice.face);
    let conn = liveface::connect::embedded::connect_face(&config, face_data.clone(), choice)
        .await
        .unwrap();
    let switch = EngineSwitch {
        config: config.clone(),
        models_dir: shared_models(),
        models_source: Source::Upstream,
        face_data_dir: face_data.clone(),
        pack_source: Source::Mirror(pack_mirror.base_url.clone()),
        demo_only: true,
    };
    let opts = liveface::tui::TuiOptions {
        client: conn.client.clone(),
        backend: conn.backend.clone(),
        backend_key: conn.backend_key(),
        refilter: config.refilter,
        profile: None,
        token_masked: None,
        defaults: config.defaults.clone(),
        start_dir: home.path().to_path_buf(),
        initial_image: None,
        theme: None,
        history_path: home.path().join("h.jsonl"),
        history_max_runs: 100,
        log_path: home.path().join("log"),
        max_side: 1600,
        notes: Vec::new(),
        images: liveface::preview::ImageMode::Off,
        connection: None,
        engine_switch: Some(switch.clone()),
        profiles: Vec::new(),
        reconnect: Default::default(),
    };
    let (mut app, effects) = liveface::tui::prepare(&opts);
    assert!(effects.contains(&Effect::SwitchToFaceEngine), "{effects:?}");
    assert_eq!(app.models.as_ref().unwrap().phase, ModelsPhase::Switching);
    assert!(status_line(&app, 120).contains("starting the face engine"));

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut runner = Runner::new(
        conn.client.clone(),
        tx,
        1600,
        HistoryStore::new(home.path().join("h.jsonl")),
    )
    .with_engine_switch(Some(conn), Some(switch));
    for e in effects {
        runner.run(e);
    }
    let probes = face_data.join("probes");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let mut names = Vec::new();
    while names.is_empty() || app.browser.dir != probes {
        let action = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("the demo is enrolled in time")
            .unwrap();
        if let Action::CollectionsLoaded(Ok(list)) = &action {
            names = list.iter().map(|c| c.name.clone()).collect();
        }
        for e in app.update(action) {
            runner.run(e);
        }
    }
    assert!(app.models.is_none());
    assert_eq!(names, vec![liveface::sandbox::face_demo::COLLECTION]);
    assert!(
        app.notice
            .as_deref()
            .unwrap()
            .contains("demo gallery is enrolled"),
        "{:?}",
        app.notice
    );
    assert_eq!(pack_mirror.requests().len(), PACK.len());
}

/// No network (nothing listens at the mirror): the runner's install ends with plain words
/// that say where to copy the files and what points the dashboard at a mirror.
#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_mirror_ends_the_install_with_what_to_do() {
    let home = tempfile::tempdir().unwrap();
    let client =
        liveface::api::Client::new(liveface::api::ClientConfig::new("http://127.0.0.1:9", None))
            .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut runner = Runner::new(client, tx, 1600, HistoryStore::new(home.path().join("h")));
    let models = home.path().join("models");
    runner.run(Effect::InstallModels {
        seq: 7,
        dir: models.clone(),
        source: Source::Mirror("http://127.0.0.1:9".into()),
    });
    let action = loop {
        let a = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .unwrap()
            .unwrap();
        if !matches!(a, Action::ModelsProgress { .. }) {
            break a;
        }
    };
    let Action::ModelsInstalled {
        seq: 7,
        result: Err(why),
    } = action
    else {
        panic!("{action:?}")
    };
    assert!(why.starts_with("cannot reach 127.0.0.1:9 ("), "{why}");
    assert!(
        why.contains(&format!("copy the files by hand into {}", models.display()))
            && why.contains("LIVEFACE_MODELS_FROM"),
        "{why}"
    );
    for f in liveface::sandbox::face::models::ALL {
        assert!(!models.join(f.name).exists());
    }
}
