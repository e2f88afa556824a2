//! The standalone server as a user runs it: `liveface sandbox serve`, its log lines,
//! and a `kill -9` after which every answered write is still there.

use crate::common::wait_until_async;
use crate::sandbox_common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use liveface::api::model::{CollectionInput, PersonQuery};
use sandbox_common::*;

const TOKEN: &str = "durability-secret-token";

/// Starts `liveface sandbox serve` on an ephemeral port; returns it and its base URL.
fn serve(data: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_liveface"))
        .args(["sandbox", "serve", "--addr", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(["--token", TOKEN])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_owned();
    (child, url)
}

#[tokio::test]
async fn every_answered_write_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url) = serve(dir.path());
    let client = client_for(&url, Some(TOKEN));
    let coll = client
        .create_collection(&CollectionInput {
            name: "Durable".into(),
            description: None,
        })
        .await
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..12u64 {
        ids.push(
            client
                .create_person(&person(
                    &format!("Person {}", ["a", "b", "c", "d"][i as usize % 4]),
                    300 + i,
                    &[&coll.id],
                ))
                .await
                .unwrap()
                .id,
        );
    }
    // The last answer is in; kill without any chance to flush.
    child.kill().unwrap();
    child.wait().unwrap();

    let (mut child, url) = serve(dir.path());
    let client = client_for(&url, Some(TOKEN));
    let listed = client
        .list_persons(&PersonQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    for id in &ids {
        assert!(listed.items.iter().any(|p| &p.id == id), "{id} lost");
    }
    let mut scoped = params(0.9);
    scoped.collection_id = Some(coll.id.clone());
    let found = client.search_live_face(&image(311), &scoped).await.unwrap();
    assert_eq!(
        found.persons[0].id, ids[11],
        "vectors are back in the index"
    );

    // One log line per request, without the token or the body.
    let wrong = client_for(&url, Some("not-the-token"));
    assert_eq!(
        wrong.list_collections().await.unwrap_err().status(),
        Some(401)
    );
    // The line of the last request is written after its answer: wait for it, then stop.
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = log.clone();
    let reader = std::thread::spawn(move || {
        let mut line = String::new();
        while stderr.read_line(&mut line).is_ok_and(|n| n > 0) {
            sink.lock().unwrap().push_str(&std::mem::take(&mut line));
        }
    });
    let seen = log.clone();
    wait_until_async("the 401's log line", Duration::from_secs(10), || {
        seen.lock().unwrap().contains("collections 401 ")
    })
    .await;
    child.kill().unwrap();
    child.wait().unwrap();
    reader.join().unwrap();
    let log = log.lock().unwrap().clone();
    assert!(
        log.contains("sandbox: GET /v2/face-recognition/persons 200 "),
        "{log}"
    );
    assert!(
        log.contains("sandbox: POST /v2/face-recognition/search-live-face 200 "),
        "{log}"
    );
    assert!(
        log.contains("sandbox: GET /v2/face-recognition/collections 401 "),
        "{log}"
    );
    assert!(
        !log.contains(TOKEN) && !log.contains("not-the-token"),
        "{log}"
    );
    assert!(!log.contains("/9j/"), "no image data in the log");
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, _) = serve(dir.path());
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn demo_writes_probes_and_a_readme() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_liveface"))
        .args(["sandbox", "demo", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("created 6 demo persons"), "{text}");
    assert!(text.contains("spoof_grey.jpg: fails liveness"), "{text}");
    assert!(text.contains("stranger.jpg: matches nobody"), "{text}");
    let readme = std::fs::read_to_string(dir.path().join("probes/README.txt")).unwrap();
    assert!(readme.contains("match_alice_exact.jpg") && readme.contains("not a face recognizer"));
    let again = Command::new(env!("CARGO_BIN_EXE_liveface"))
        .args(["sandbox", "demo", "--reset", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("created 6 demo persons"));
}
