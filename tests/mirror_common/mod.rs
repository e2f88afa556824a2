//! A tiny file server on 127.0.0.1 for the install tests: serves a directory's files
//! under `/NAME`, and can be told to misbehave for one file (404, corrupt bytes, close
//! or stall mid-file). Raw HTTP/1.1 so that every fault is exactly what is asked for.

#![allow(dead_code)] // each test file uses a different subset

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// How the server answers for one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    NotFound,
    /// The right length, one byte flipped in the middle.
    Corrupt,
    /// Announce the full length, send half, close the connection.
    CloseMidFile,
    /// Announce the full length, send half, then keep the connection open and silent.
    StallMidFile,
}

#[derive(Default)]
struct State {
    faults: HashMap<String, Fault>,
    requests: Vec<String>,
}

/// The running mirror; dropped with the test's runtime.
#[derive(Clone)]
pub struct Mirror {
    pub base_url: String,
    state: Arc<Mutex<State>>,
}

impl Mirror {
    /// Serves the files of `root` on an ephemeral port.
    pub async fn start(root: &Path) -> Mirror {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let root: PathBuf = root.to_path_buf();
        let st = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(serve(sock, root.clone(), st.clone()));
            }
        });
        Mirror { base_url, state }
    }

    pub fn fault(&self, name: &str, fault: Fault) {
        self.state
            .lock()
            .unwrap()
            .faults
            .insert(name.to_owned(), fault);
    }

    pub fn clear_faults(&self) {
        self.state.lock().unwrap().faults.clear();
    }

    /// File names requested so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().requests.clone()
    }
}

async fn serve(mut sock: tokio::net::TcpStream, root: PathBuf, state: Arc<Mutex<State>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let target = head.split_whitespace().nth(1).unwrap_or("/");
    // As a proxy, the server gets the absolute URL: keep its path's last segment.
    let path = match target.split_once("://") {
        Some((_, rest)) => rest.rsplit('/').next().unwrap_or(""),
        None => target,
    }
    .to_owned();
    let name = path.trim_start_matches('/').to_owned();
    let fault = {
        let mut st = state.lock().unwrap();
        st.requests.push(name.clone());
        st.faults.get(&name).copied()
    };
    let body = if name.contains('/') || name.contains("..") || name.is_empty() {
        None
    } else {
        std::fs::read(root.join(&name)).ok()
    };
    let (Some(mut body), false) = (body, fault == Some(Fault::NotFound)) else {
        let _ = sock
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found")
            .await;
        return;
    };
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = sock.write_all(head.as_bytes()).await;
    match fault {
        Some(Fault::Corrupt) => {
            let mid = body.len() / 2;
            body[mid] ^= 0xff;
            let _ = sock.write_all(&body).await;
        }
        Some(Fault::CloseMidFile) => {
            let _ = sock.write_all(&body[..body.len() / 2]).await;
            let _ = sock.flush().await;
            return;
        }
        Some(Fault::StallMidFile) => {
            let _ = sock.write_all(&body[..body.len() / 2]).await;
            let _ = sock.flush().await;
            tokio::time::sleep(std::time::Duration::from_secs(600)).await;
            return;
        }
        _ => {
            let _ = sock.write_all(&body).await;
        }
    }
    let _ = sock.shutdown().await;
}

/// The shared models folder (beside the clone in CI).
pub fn shared_models() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/models"))
}

/// The shared demo photo pack.
pub fn shared_pack() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/demo-gallery"
    ))
}

/// True when `dir` holds every named file; otherwise records a skip and returns false —
/// or panics when CI demands the models (`LIVEFACE_REQUIRE_MODELS=1`).
pub fn have(dir: &Path, names: &[&str]) -> bool {
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !dir.join(n).is_file())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!("not found in {}: {}", dir.display(), missing.join(", "));
    crate::common::skip(crate::common::Missing::Models, &msg);
    false
}

/// Runs the real binary with an isolated home, config and data directory.
pub fn command(home: &Path, args: &[&str]) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_liveface"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("NO_PROXY", "127.0.0.1,localhost")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    cmd
}
