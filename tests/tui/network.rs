//! The effect runner against a real HTTP server on 127.0.0.1: search, cancel,
//! collections, person lookups, probe preparation and history saving; collection
//! writes against the real sandbox (its own temporary store).

use crate::common::wait_until_async;
use crate::sandbox_common;
use crate::tui_support;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::KeyCode;
use liveface::api::model::{CollectionInput, PersonQuery, SearchParams};
use liveface::api::{Client, ClientConfig};
use liveface::history::HistoryStore;
use liveface::tui::action::Action;
use liveface::tui::app::{error_words, App, Loading};
use liveface::tui::effect::Effect;
use liveface::tui::runner::Runner;
use tokio::sync::mpsc;
use tui_support::server::{self, Counters};

async fn next(rx: &mut mpsc::UnboundedReceiver<Action>) -> Action {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("no action within 10 s")
        .expect("channel closed")
}

async fn setup(dir: &std::path::Path) -> (Runner, mpsc::UnboundedReceiver<Action>, Counters) {
    let counters = Counters::default();
    let base = server::start(counters.clone()).await;
    let client = Client::new(ClientConfig::new(base, None)).unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    let runner = Runner::new(client, tx, 1600, HistoryStore::new(dir.join("h.jsonl")));
    (runner, rx, counters)
}

#[tokio::test]
async fn search_collections_and_persons_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let (mut runner, mut rx, counters) = setup(dir.path()).await;
    runner.run(Effect::Search {
        id: 3,
        image: Arc::from("aGVsbG8="),
        params: SearchParams {
            min_score: 0.8,
            ..SearchParams::default()
        },
    });
    let Action::SearchDone { id, result, .. } = next(&mut rx).await else {
        panic!()
    };
    let out = result.unwrap();
    assert_eq!(id, 3);
    assert_eq!(
        out.persons
            .iter()
            .map(|m| m.id.as_str())
            .collect::<Vec<_>>(),
        ["p1", "p2"]
    );
    assert_eq!(out.liveness_score, Some(0.93));
    assert_eq!(counters.searches(), 1);

    runner.run(Effect::LoadCollections);
    let Action::CollectionsLoaded(Ok(cols)) = next(&mut rx).await else {
        panic!()
    };
    assert_eq!(cols.len(), 2);

    runner.run(Effect::FetchPerson { id: "p2".into() });
    let Action::PersonLoaded { id, result } = next(&mut rx).await else {
        panic!()
    };
    assert_eq!(
        (id.as_str(), result.unwrap().name.as_deref()),
        ("p2", Some("Luis Pérez"))
    );
    runner.run(Effect::FetchPerson {
        id: "nobody".into(),
    });
    let Action::PersonLoaded { result, .. } = next(&mut rx).await else {
        panic!()
    };
    assert!(result.unwrap_err().contains("not found"));
}

#[tokio::test]
async fn cancel_aborts_the_search_task() {
    let dir = tempfile::tempdir().unwrap();
    let (mut runner, mut rx, counters) = setup(dir.path()).await;
    counters.delay_ms.store(1500, Ordering::SeqCst);
    runner.run(Effect::Search {
        id: 1,
        image: Arc::from("aGVsbG8="),
        params: SearchParams::default(),
    });
    // Cancel once the request is at the server (not after a guessed time: a late request
    // would make the count below 0, an early answer would make the test pass for nothing).
    let at_server = counters.clone();
    wait_until_async(
        "the search to reach the server",
        Duration::from_secs(10),
        || at_server.searches() == 1,
    )
    .await;
    runner.run(Effect::CancelSearch { id: 1 });
    // Absence can only be waited for: twice the server's delay, then nothing may have come.
    let got = tokio::time::timeout(Duration::from_secs(3), rx.recv()).await;
    assert!(got.is_err(), "a cancelled search must not report: {got:?}");
    assert_eq!(counters.searches(), 1);
}

#[tokio::test]
async fn unreachable_server_reports_plain_words() {
    let dir = tempfile::tempdir().unwrap();
    let client = Client::new(ClientConfig::new("http://127.0.0.1:9", None)).unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut runner = Runner::new(client, tx, 1600, HistoryStore::new(dir.path().join("h")));
    runner.run(Effect::LoadCollections);
    let Action::CollectionsLoaded(Err(e)) = next(&mut rx).await else {
        panic!()
    };
    assert!(e.contains("127.0.0.1"), "{e}");
}

#[tokio::test]
async fn probe_preparation_and_history_saving_run_off_the_loop() {
    let dir = tempfile::tempdir().unwrap();
    let (mut runner, mut rx, _) = setup(dir.path()).await;
    let img = dir.path().join("face.png");
    image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 3, y as u8 * 5, 90]))
        .save(&img)
        .unwrap();
    runner.run(Effect::PrepareProbe {
        seq: 4,
        path: img.clone(),
    });
    let Action::ProbeReady { seq, result, .. } = next(&mut rx).await else {
        panic!()
    };
    let info = result.unwrap();
    assert_eq!(
        (seq, info.original, info.stamp.path.clone()),
        (4, (64, 48), img)
    );
    assert!(info.jpeg_bytes > 0 && !info.base64.is_empty());
    assert!(
        info.preview.is_some(),
        "a half-block preview is made with the probe"
    );
    runner.run(Effect::PrepareProbe {
        seq: 5,
        path: dir.path().join("missing.png"),
    });
    let Action::ProbeReady { result, .. } = next(&mut rx).await else {
        panic!()
    };
    assert!(result.is_err());
    runner.run(Effect::ReadDir {
        seq: 9,
        dir: dir.path().to_path_buf(),
    });
    let Action::DirLoaded { seq, result, .. } = next(&mut rx).await else {
        panic!()
    };
    assert_eq!((seq, result.unwrap()[0].name.as_str()), (9, "face.png"));
}

#[tokio::test]
async fn persons_list_and_delete_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let (mut runner, mut rx, _) = setup(dir.path()).await;
    runner.run(Effect::ListPersons {
        seq: 7,
        query: PersonQuery::default(),
    });
    let Action::PersonsLoaded { seq, result } = next(&mut rx).await else {
        panic!()
    };
    assert_eq!(seq, 7);
    let page = result.unwrap();
    assert_eq!(page.items.len(), 4);
    assert_eq!(page.items[0].name.as_deref(), Some("Ana Gómez"));
    assert_eq!(page.pagination.and_then(|p| p.total), Some(4));
    runner.run(Effect::DeletePerson {
        id: "p2".into(),
        collection: None,
    });
    let Action::PersonDeleted { id, result, .. } = next(&mut rx).await else {
        panic!()
    };
    assert_eq!(id, "p2");
    result.unwrap();
    runner.run(Effect::DeletePerson {
        id: "nobody".into(),
        collection: None,
    });
    let Action::PersonDeleted { result, .. } = next(&mut rx).await else {
        panic!()
    };
    let words = result.unwrap_err().to_string();
    assert!(words.to_lowercase().contains("not found"), "{words}");
}

fn sandbox_runner(h: &sandbox_common::Harness) -> (Runner, mpsc::UnboundedReceiver<Action>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let store = HistoryStore::new(h.dir.path().join("h.jsonl"));
    (Runner::new(h.client.clone(), tx, 1600, store), rx)
}

#[tokio::test]
async fn collection_create_rename_delete_through_the_runner_against_the_sandbox() {
    let h = sandbox_common::harness().await;
    let (mut runner, mut rx) = sandbox_runner(&h);
    runner.run(Effect::CreateCollection {
        input: CollectionInput {
            name: "Night shift".into(),
            description: Some("after 22:00".into()),
        },
    });
    let Action::CollectionCreated(result) = next(&mut rx).await else {
        panic!()
    };
    let made = result.unwrap();
    assert_eq!(
        (made.name.as_str(), made.description.as_deref()),
        ("Night shift", Some("after 22:00"))
    );
    let ana = h
        .client
        .create_person(&sandbox_common::person("Ana Gómez", 3, &[&made.id]))
        .await
        .unwrap();

    // A rename without a description keeps the old one.
    runner.run(Effect::UpdateCollection {
        id: made.id.clone(),
        input: CollectionInput {
            name: "Late shift".into(),
            description: None,
        },
    });
    let Action::CollectionUpdated { id, result } = next(&mut rx).await else {
        panic!()
    };
    let renamed = result.unwrap();
    assert_eq!(id, made.id);
    assert_eq!(
        (renamed.name.as_str(), renamed.description.as_deref()),
        ("Late shift", Some("after 22:00"))
    );
    assert_eq!(renamed.code, made.code, "the search key survives a rename");

    runner.run(Effect::DeleteCollection {
        id: made.id.clone(),
    });
    let Action::CollectionDeleted { id, result } = next(&mut rx).await else {
        panic!()
    };
    assert_eq!(id, made.id);
    result.unwrap();
    // What the delete question promises: the person stays, only out of the collection.
    let ana = h.client.get_person(&ana.id).await.unwrap();
    assert!(ana.collections.is_empty(), "{:?}", ana.collections);
    runner.run(Effect::LoadCollections);
    let Action::CollectionsLoaded(Ok(list)) = next(&mut rx).await else {
        panic!()
    };
    assert!(list.is_empty(), "{list:?}");

    // Gone now: a second delete and a rename answer 404 in plain words.
    runner.run(Effect::DeleteCollection {
        id: made.id.clone(),
    });
    let Action::CollectionDeleted { result, .. } = next(&mut rx).await else {
        panic!()
    };
    let e = result.unwrap_err();
    assert_eq!(e.status(), Some(404));
    assert!(error_words(&e).contains("collection not found"), "{e}");
    runner.run(Effect::UpdateCollection {
        id: made.id.clone(),
        input: CollectionInput {
            name: "Again".into(),
            description: None,
        },
    });
    let Action::CollectionUpdated { result, .. } = next(&mut rx).await else {
        panic!()
    };
    assert_eq!(result.unwrap_err().status(), Some(404));
}

/// True for the effects whose answer comes back as one action.
fn answers(e: &Effect) -> bool {
    matches!(
        e,
        Effect::LoadCollections
            | Effect::CreateCollection { .. }
            | Effect::UpdateCollection { .. }
            | Effect::DeleteCollection { .. }
    )
}

/// Runs `fx` and feeds every answer back into the app until nothing is outstanding.
async fn settle(
    app: &mut App,
    runner: &mut Runner,
    rx: &mut mpsc::UnboundedReceiver<Action>,
    fx: Vec<Effect>,
) {
    let mut outstanding = 0;
    let mut queue = fx;
    loop {
        for e in queue.drain(..).filter(answers) {
            outstanding += 1;
            runner.run(e);
        }
        if outstanding == 0 {
            return;
        }
        let action = next(rx).await;
        outstanding -= 1;
        queue = app.update(action);
    }
}

fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    tui_support::press(app, code)
}

#[tokio::test]
async fn the_dashboard_creates_and_deletes_a_collection_in_the_sandbox() {
    let h = sandbox_common::harness().await;
    let (mut runner, mut rx) = sandbox_runner(&h);
    let (mut app, _) = tui_support::app_with(Vec::new());
    settle(
        &mut app,
        &mut runner,
        &mut rx,
        vec![Effect::LoadCollections],
    )
    .await;
    assert_eq!(app.collections.load, Loading::Loaded(Vec::new()));

    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Char('a'));
    press(&mut app, KeyCode::Enter);
    tui_support::type_text(&mut app, "Visitors");
    press(&mut app, KeyCode::Enter);
    let fx = press(&mut app, KeyCode::F(2));
    settle(&mut app, &mut runner, &mut rx, fx).await;
    assert_eq!(app.notice.as_deref(), Some("created collection Visitors"));
    let Loading::Loaded(list) = &app.collections.load else {
        panic!("{:?}", app.collections.load)
    };
    assert_eq!(list.len(), 1, "the list was reloaded from the sandbox");
    assert_eq!(app.collections.selected, 1, "the cursor is on it");

    // Chosen in the search form, then deleted: the form goes back to all collections.
    press(&mut app, KeyCode::Enter);
    assert!(!app.form.collection.value().is_empty());
    press(&mut app, KeyCode::Char('d'));
    let fx = press(&mut app, KeyCode::Char('y'));
    settle(&mut app, &mut runner, &mut rx, fx).await;
    assert_eq!(app.popup, None);
    assert_eq!(app.form.collection.value(), "");
    assert_eq!(app.collections.load, Loading::Loaded(Vec::new()));
    assert!(h.client.list_collections().await.unwrap().is_empty());
}

#[tokio::test]
async fn copy_as_curl_writes_the_body_and_the_command_gets_the_runs_answer() {
    let h = sandbox_common::harness().await;
    let (mut runner, mut rx) = sandbox_runner(&h);
    // A real probe file, enrolled, then searched as the dashboard would record it.
    let probe_path = h.dir.path().join("probe.jpg");
    image::load_from_memory(
        &base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            sandbox_common::image(7),
        )
        .unwrap(),
    )
    .unwrap()
    .save(&probe_path)
    .unwrap();
    let prepared = liveface::probe::prepare(&probe_path, 1600).unwrap();
    h.client
        .create_person(&sandbox_common::person("Ana", 7, &[]))
        .await
        .unwrap();
    let params = SearchParams::default();
    let direct = h
        .client
        .search_live_face(&prepared.base64, &params)
        .await
        .unwrap();
    assert!(!direct.persons.is_empty());
    let mut run = tui_support::run(9, params.min_score, &[]);
    run.probe = liveface::history::ProbeStamp::of(&probe_path).unwrap();
    run.params = params.clone();
    runner.run(Effect::CurlOf(Box::new(run)));
    let Action::CurlReady(Ok(command)) = next(&mut rx).await else {
        panic!("no command")
    };
    // A sandbox takes any token: the command defaults one, and never holds a value.
    assert!(command.contains("${VERIFIK_TOKEN:-sandbox}"), "{command}");
    assert!(!command.contains("test-token"));
    let body = h.dir.path().join("curl/probe-9.json");
    assert!(body.exists(), "the body is a file beside the history");
    let out = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(&command)
        .env("VERIFIK_TOKEN", "test-token")
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let via_curl = liveface::api::model::SearchOutcome::from_data(&v["data"], &params).unwrap();
    let ids = |o: &liveface::api::model::SearchOutcome| -> Vec<String> {
        o.persons.iter().map(|m| m.id.clone()).collect()
    };
    assert_eq!(ids(&via_curl), ids(&direct));
}
