//! The effect runner against a real HTTP server on 127.0.0.1: search, cancel,
//! collections, person lookups, probe preparation and history saving.

mod tui_support;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use liveface::api::model::{PersonQuery, SearchParams};
use liveface::api::{Client, ClientConfig};
use liveface::history::HistoryStore;
use liveface::tui::action::Action;
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
    tokio::time::sleep(Duration::from_millis(200)).await;
    runner.run(Effect::CancelSearch { id: 1 });
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
