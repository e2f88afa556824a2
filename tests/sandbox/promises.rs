//! The sandbox keeps its promises: early answers reach clients that write before they
//! read, a write it cannot keep is refused (503), SIGTERM has a deadline, a failed
//! start says so with its own exit code, and duplicate checks hold under concurrency.

use crate::common::wait_until;
use crate::sandbox_common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream as StdTcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use liveface::api::model::{CollectionInput, DateOfBirth, NewLivePerson, SearchMode};
use sandbox_common::*;

const MB: usize = 1024 * 1024;

/// Writes the whole request before reading anything, as Python's urllib and Node's
/// fetch do (the head, then the body in 64 KB writes); returns the status code the
/// answer starts with, or how the exchange failed.
fn write_then_read(addr: &str, head: &str, body_len: usize) -> String {
    let mut stream = StdTcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let sent = stream.write_all(head.as_bytes()).and_then(|_| {
        let chunk = vec![b'x'; 64 * 1024];
        let mut left = body_len;
        while left > 0 {
            let n = left.min(chunk.len());
            stream.write_all(&chunk[..n])?;
            left -= n;
        }
        Ok(())
    });
    if let Err(e) = sent {
        return format!("write failed: {}", e.kind());
    }
    let mut answer = Vec::new();
    if let Err(e) = stream.read_to_end(&mut answer) {
        if answer.is_empty() {
            return format!("read failed: {}", e.kind());
        }
    }
    let text = String::from_utf8_lossy(&answer);
    text.split(' ')
        .nth(1)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("no status line: {text:?}"))
}

/// `n` clients at once, each sending `head` and a body of `body_len` bytes.
fn many_at_once(addr: &str, n: usize, head: &str, body_len: usize) -> BTreeMap<String, usize> {
    let threads: Vec<_> = (0..n)
        .map(|_| {
            let (addr, head) = (addr.to_owned(), head.to_owned());
            std::thread::spawn(move || write_then_read(&addr, &head, body_len))
        })
        .collect();
    let mut seen = BTreeMap::new();
    for t in threads {
        *seen.entry(t.join().unwrap()).or_default() += 1;
    }
    seen
}

fn post_head(path: &str, auth: Option<&str>, body_len: usize) -> String {
    let auth = auth
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    format!(
        "POST /v2/face-recognition{path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Content-Type: application/json\r\nContent-Length: {body_len}\r\nConnection: close\r\n\r\n"
    )
}

#[test]
fn every_early_answer_reaches_a_client_that_writes_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url) = serve(dir.path(), "127.0.0.1:0");
    let addr = url.unwrap().trim_start_matches("http://").to_owned();
    let n = 200;
    let seen = many_at_once(&addr, n, &post_head("/search-live-face", None, MB), MB);
    assert_eq!(
        seen.get("401"),
        Some(&n),
        "every unauthenticated 1 MB POST must see its 401: {seen:?}"
    );
    // The other early answers, each with a body nobody reads.
    let patch = post_head("/persons/abc", Some("t"), MB).replacen("POST", "PATCH", 1);
    for (want, head) in [
        ("404", post_head("/no-such-route", Some("t"), MB)),
        ("405", patch),
    ] {
        let seen = many_at_once(&addr, 50, &head, MB);
        assert_eq!(seen.get(want), Some(&50), "{want}: {seen:?}");
    }
    // 413: over the 20 MB limit; the server stops reading it at 20 MB.
    let big = 24 * MB;
    let seen = many_at_once(&addr, 4, &post_head("/persons", Some("t"), big), big);
    assert_eq!(seen.get("413"), Some(&4), "413: {seen:?}");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Starts the real `liveface sandbox serve` on an ephemeral port.
fn serve(data: &std::path::Path, addr: &str) -> (Served, Option<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_liveface"))
        .args(["sandbox", "serve", "--addr", addr, "--data"])
        .arg(data)
        .args(["--token", "t"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().strip_prefix("listening on ").map(str::to_owned);
    (Served(child), url)
}

/// The server process, killed when the test ends, even by a failed assertion.
struct Served(Child);

impl std::ops::Deref for Served {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Served {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn stderr_of(child: &mut Child) -> String {
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    log
}

#[tokio::test]
async fn a_deleted_data_directory_answers_503_not_a_write_it_cannot_keep() {
    let parent = tempfile::tempdir().unwrap();
    let data = parent.path().join("store");
    let (mut child, url) = serve(&data, "127.0.0.1:0");
    let url = url.expect("listening");
    let client = client_for(&url, Some("t"));
    let coll = client
        .create_collection(&CollectionInput {
            name: "Kept".into(),
            description: None,
        })
        .await
        .unwrap();
    client
        .create_person(&person("Before", 1, &[&coll.id]))
        .await
        .unwrap();

    std::fs::remove_dir_all(&data).unwrap();
    let body = serde_json::to_vec(&person("After", 2, &[])).unwrap();
    let (status, answer) = raw(
        &url,
        reqwest::Method::POST,
        "/persons",
        Some("t"),
        Some(body),
    )
    .await;
    assert_eq!(status, 503, "{answer}");
    let message = answer["message"].as_str().unwrap();
    assert!(
        message.starts_with("store_unavailable:") && message.contains("is gone"),
        "{message}"
    );
    let search = serde_json::json!({
        "image": image(1), "os": "DESKTOP", "liveness_min_score": 0.5,
        "min_score": 0.5, "search_mode": "FAST",
    });
    let (status, answer) = raw(
        &url,
        reqwest::Method::POST,
        "/search-live-face",
        Some("t"),
        Some(serde_json::to_vec(&search).unwrap()),
    )
    .await;
    assert_eq!(status, 503, "searches too: {answer}");
    let (status, _) = raw(&url, reqwest::Method::GET, "/collections", Some("t"), None).await;
    assert_eq!(status, 503, "and reads");

    // A store replaced under the server (a restore, `demo --reset` elsewhere) is not
    // written through the old file either.
    child.kill().unwrap();
    child.wait().unwrap();
    let (mut child, url) = serve(&data, "127.0.0.1:0");
    let url = url.expect("listening");
    let db = data.join("sandbox.sqlite3");
    std::fs::rename(&db, data.join("moved.sqlite3")).unwrap();
    std::fs::write(&db, b"").unwrap();
    let body = serde_json::to_vec(&person("Later", 3, &[])).unwrap();
    let (status, answer) = raw(
        &url,
        reqwest::Method::POST,
        "/persons",
        Some("t"),
        Some(body),
    )
    .await;
    assert_eq!(status, 503, "{answer}");
    assert!(
        answer["message"].as_str().unwrap().contains("replaced"),
        "{answer}"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let log = stderr_of(&mut child);
    assert!(log.contains("store_unavailable"), "{log}");
}

/// Bytes the server has not read yet from the connection `client_port` → `server_port` on
/// 127.0.0.1 (its socket's `rx_queue` in `/proc/net/tcp`); `None` while there is no such
/// socket.
fn unread_at_server(server_port: u16, client_port: u16) -> Option<u64> {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    let local = format!("0100007F:{server_port:04X}");
    let remote = format!("0100007F:{client_port:04X}");
    table.lines().skip(1).find_map(|row| {
        let f: Vec<&str> = row.split_whitespace().collect();
        let (_, rx) = f.get(4)?.split_once(':')?;
        (f.get(1) == Some(&local.as_str()) && f.get(2) == Some(&remote.as_str()))
            .then(|| u64::from_str_radix(rx, 16).unwrap())
    })
}

#[test]
fn sigterm_with_a_half_sent_request_stops_within_the_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url) = serve(dir.path(), "127.0.0.1:0");
    let addr = url.unwrap().trim_start_matches("http://").to_owned();
    // A client that sends half a request and then holds the connection open.
    let mut slow = StdTcpStream::connect(&addr).unwrap();
    slow.write_all(
        b"POST /v2/face-recognition/persons HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nContent-Length: 1000\r\n\r\n{\"name\":",
    )
    .unwrap();
    // The signal must find the request half read by the server, not waiting to be accepted.
    let server_port = slow.peer_addr().unwrap().port();
    let client_port = slow.local_addr().unwrap().port();
    wait_until(
        "the server to read the half request",
        Duration::from_secs(10),
        || unread_at_server(server_port, client_port) == Some(0),
    );
    let started = Instant::now();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    // No new connections once the signal is in, well before the half request's 5 s end.
    wait_until(
        "the server to stop accepting after SIGTERM",
        Duration::from_secs(3),
        || StdTcpStream::connect(&addr).is_err(),
    );
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(15) {
            child.kill().unwrap();
            panic!("still running {:?} after SIGTERM", started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let took = started.elapsed();
    assert!(status.success(), "{status:?}");
    assert!(
        took >= Duration::from_secs(4) && took < Duration::from_millis(6500),
        "the half-sent request gets its 5 s, no more: {took:?}"
    );
    let log = stderr_of(&mut child);
    assert!(log.contains("were cut off"), "{log}");
    drop(slow);
}

#[test]
fn a_sandbox_that_cannot_start_says_so_with_its_own_exit_code() {
    // The port is taken.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_liveface"))
        .args(["sandbox", "serve", "--addr", &addr, "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(7), "{err}");
    assert!(
        err.contains("could not start") && err.contains(&addr),
        "{err}"
    );

    // The embedded sandbox of `liveface search`: its data directory cannot be made.
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("data")).unwrap();
    std::fs::write(
        home.path().join("data/liveface"),
        b"a file, not a directory",
    )
    .unwrap();
    let probe = home.path().join("probe.jpg");
    image::RgbImage::from_pixel(64, 64, image::Rgb([120, 90, 60]))
        .save(&probe)
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_liveface"))
        .args(["search", "--image"])
        .arg(&probe)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(7), "not 2 (bad input): {err}");
    assert!(err.contains("embedded sandbox could not start"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_of_one_person_make_one_person() {
    let h = harness().await;
    let coll = h
        .client
        .create_collection(&CollectionInput {
            name: "Race".into(),
            description: None,
        })
        .await
        .unwrap();
    // Same name and date of birth in one collection, different faces: one wins.
    let creates = (0..8u64).map(|i| {
        let client = h.client.clone();
        let mut p = person("Twin", 50 + i * 7, &[&coll.id]);
        p.date_of_birth = DateOfBirth::new(1991, 2, 3);
        async move { client.create_person(&p).await }
    });
    let results = futures::future::join_all(creates).await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "{results:?}");
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(r.status(), Some(412), "{r}");
        assert_eq!(r.message(), Some("person_already_set"), "{r}");
    }

    // Create-with-liveness: the same face under different names, in parallel.
    let live = (0..8u64).map(|i| {
        let client = h.client.clone();
        let p = NewLivePerson {
            name: format!(
                "Face {}",
                ["a", "b", "c", "d", "e", "f", "g", "h"][i as usize]
            ),
            images: vec![image(900)],
            gender: "F".into(),
            date_of_birth: DateOfBirth::new(1980, 1, 1 + i as u32).unwrap(),
            nationality: None,
            collection_id: coll.id.clone(),
            liveness_min_score: 0.5,
            min_score: 0.8,
            search_mode: SearchMode::Accurate,
        };
        async move { client.create_person_live(&p).await }
    });
    let results = futures::future::join_all(live).await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "{results:?}");
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(r.status(), Some(409), "{r}");
        assert!(r.message().unwrap().contains("duplicated_person"), "{r}");
    }

    // Two updates that would each make a namesake of the other: one is refused.
    let a = h
        .client
        .create_person(&person("Ana", 70, &[&coll.id]))
        .await
        .unwrap();
    let b = h
        .client
        .create_person(&person("Bea", 71, &[&coll.id]))
        .await
        .unwrap();
    let same = liveface::api::model::PersonUpdate {
        name: Some("Ana Bea".into()),
        date_of_birth: DateOfBirth::new(1970, 7, 7),
        ..Default::default()
    };
    let (ra, rb) = tokio::join!(
        h.client.update_person(&a.id, &same),
        h.client.update_person(&b.id, &same)
    );
    assert_eq!(
        [ra.is_ok(), rb.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{ra:?} {rb:?}"
    );
}
