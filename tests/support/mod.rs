//! A scripted HTTP/1.1 server on 127.0.0.1 for integration tests.
//!
//! Hand-written on a tokio `TcpListener` (not axum) so a script can also stall,
//! drop the connection, cut a response short or send raw garbage — the failures a
//! real client must survive. Every request is recorded (method, path, query,
//! headers, body) so tests assert on what the server actually received.
//!
//! Each connection serves exactly one request and answers with `Connection: close`,
//! so one client call attempt is one connection and retries are easy to count.
//! Requests are answered from the script in arrival order; when the script runs
//! out the server answers 599 with a JSON body saying so, which fails any test
//! that did not expect the extra request.

#![allow(dead_code)] // each test crate uses a different part of this module

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Largest request head accepted (request line + headers).
const MAX_HEAD: usize = 64 * 1024;

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Step {
    /// A complete response.
    Reply {
        status: u16,
        content_type: Option<String>,
        body: Vec<u8>,
    },
    /// Reads the request, then says nothing for this long and closes.
    Stall(Duration),
    /// Reads the request and closes the connection without a byte of answer.
    Close,
    /// Sends the status line and headers declaring `declared_len` body bytes, then
    /// only `body`, then closes: a connection lost mid-response.
    Truncate {
        status: u16,
        declared_len: usize,
        body: Vec<u8>,
    },
    /// Sends these bytes verbatim (no status line is added), then closes.
    Raw(Vec<u8>),
}

impl Step {
    /// A JSON answer.
    pub fn json(status: u16, body: Value) -> Step {
        Step::Reply {
            status,
            content_type: Some("application/json; charset=utf-8".into()),
            body: serde_json::to_vec(&body).expect("a JSON value serialises"),
        }
    }

    /// An answer with any content type and body.
    pub fn body(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Step {
        Step::Reply {
            status,
            content_type: Some(content_type.into()),
            body: body.into(),
        }
    }

    /// An answer with no body and no content type.
    pub fn empty(status: u16) -> Step {
        Step::Reply {
            status,
            content_type: None,
            body: Vec::new(),
        }
    }

    pub fn stall_ms(ms: u64) -> Step {
        Step::Stall(Duration::from_millis(ms))
    }
}

/// One request as the server received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// The path without the query string.
    pub path: String,
    /// The raw query string (after `?`), if any.
    pub query: Option<String>,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// How many headers of that name arrived.
    pub fn header_count(&self, name: &str) -> usize {
        let name = name.to_ascii_lowercase();
        self.headers.iter().filter(|(k, _)| *k == name).count()
    }

    /// The body parsed as JSON; panics with the raw text when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "request body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The query as decoded `(key, value)` pairs, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        let Some(q) = &self.query else {
            return Vec::new();
        };
        q.split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (percent_decode(k), percent_decode(v))
            })
            .collect()
    }
}

/// A running scripted server; stops when dropped.
pub struct TestServer {
    addr: SocketAddr,
    script: Arc<Mutex<VecDeque<Step>>>,
    requests: Arc<Mutex<Vec<Recorded>>>,
    task: JoinHandle<()>,
}

impl TestServer {
    /// Binds 127.0.0.1 on a free port and serves `steps` in order.
    pub async fn start(steps: impl IntoIterator<Item = Step>) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let script = Arc::new(Mutex::new(steps.into_iter().collect::<VecDeque<_>>()));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let task = tokio::spawn(accept_loop(listener, script.clone(), requests.clone()));
        TestServer {
            addr,
            script,
            requests,
            task,
        }
    }

    /// `http://127.0.0.1:PORT`, the base URL to give a client.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Appends a step to the script.
    pub fn push(&self, step: Step) {
        self.script.lock().unwrap().push_back(step);
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// The only request received; panics if there were none or several.
    pub fn single_request(&self) -> Recorded {
        let r = self.requests();
        assert_eq!(r.len(), 1, "expected exactly one request, got {r:#?}");
        r.into_iter().next().unwrap()
    }

    /// Steps not yet used.
    pub fn remaining(&self) -> usize {
        self.script.lock().unwrap().len()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// An address nothing listens on (bound, then released), for "connection refused".
pub async fn refused_addr() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    drop(l);
    addr
}

async fn accept_loop(
    listener: TcpListener,
    script: Arc<Mutex<VecDeque<Step>>>,
    requests: Arc<Mutex<Vec<Recorded>>>,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let (script, requests) = (script.clone(), requests.clone());
        tokio::spawn(async move {
            let _ = serve_one(stream, script, requests).await;
        });
    }
}

async fn serve_one(
    mut stream: TcpStream,
    script: Arc<Mutex<VecDeque<Step>>>,
    requests: Arc<Mutex<Vec<Recorded>>>,
) -> std::io::Result<()> {
    let Some(request) = read_request(&mut stream).await? else {
        return Ok(()); // the client connected and left (e.g. a pool probe)
    };
    // Record and pick the step under the script lock, so the n-th recorded request
    // is always the one that got the n-th step, even with concurrent connections.
    let step = {
        let mut script = script.lock().unwrap();
        requests.lock().unwrap().push(request);
        script.pop_front()
    };
    match step {
        Some(Step::Reply {
            status,
            content_type,
            body,
        }) => {
            let head = head(status, content_type.as_deref(), body.len());
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&body).await?;
        }
        Some(Step::Stall(d)) => tokio::time::sleep(d).await,
        Some(Step::Close) => {}
        Some(Step::Truncate {
            status,
            declared_len,
            body,
        }) => {
            let head = head(status, Some("application/json"), declared_len);
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&body).await?;
            stream.flush().await?;
        }
        Some(Step::Raw(bytes)) => stream.write_all(&bytes).await?,
        None => {
            let body =
                br#"{"message":"test server: no scripted response left","code":"UNSCRIPTED"}"#;
            let head = head(599, Some("application/json"), body.len());
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(body).await?;
        }
    }
    stream.flush().await?;
    let _ = stream.shutdown().await;
    Ok(())
}

fn head(status: u16, content_type: Option<&str>, len: usize) -> String {
    let mut h = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    if let Some(ct) = content_type {
        h.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    h.push_str(&format!(
        "Content-Length: {len}\r\nConnection: close\r\n\r\n"
    ));
    h
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        412 => "Precondition Failed",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Reads one request: head, then a `Content-Length` or chunked body.
/// `None` when the peer closed before sending a full head.
async fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<Recorded>> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return Err(std::io::Error::other("request head too large"));
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut rest = buf[head_end + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default();
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
        None => (target.to_owned(), None),
    };
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let body = if get("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        read_chunked(stream, rest).await?
    } else {
        let len: usize = get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        while rest.len() < len {
            let mut chunk = vec![0u8; (len - rest.len()).min(64 * 1024)];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(None);
            }
            rest.extend_from_slice(&chunk[..n]);
        }
        rest.truncate(len);
        rest
    };
    Ok(Some(Recorded {
        method,
        path,
        query,
        headers,
        body,
    }))
}

async fn read_chunked(stream: &mut TcpStream, mut buf: Vec<u8>) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        // Make sure a full size line is buffered.
        let line_end = loop {
            if let Some(i) = find(&buf, b"\r\n") {
                break i;
            }
            fill(stream, &mut buf).await?;
        };
        let size_text = String::from_utf8_lossy(&buf[..line_end]);
        let size_hex = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_hex, 16)
            .map_err(|_| std::io::Error::other("bad chunk size"))?;
        buf.drain(..line_end + 2);
        while buf.len() < size + 2 {
            fill(stream, &mut buf).await?;
        }
        if size == 0 {
            return Ok(body); // (trailers are not supported; none are sent by reqwest)
        }
        body.extend_from_slice(&buf[..size]);
        buf.drain(..size + 2);
    }
}

async fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<()> {
    let mut chunk = [0u8; 4096];
    let n = stream.read(&mut chunk).await?;
    if n == 0 {
        return Err(std::io::Error::other("closed mid-body"));
    }
    buf.extend_from_slice(&chunk[..n]);
    Ok(())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Decodes `%XX` escapes and `+` (as a space, form style).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The real `liveface` binary with a clean environment and its config and data under
/// `home` (so no user file is read or written), stdin closed; with `server`, pointed at
/// it as `(base URL, token)`.
pub fn liveface_command(
    home: &std::path::Path,
    server: Option<(&str, &str)>,
) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_liveface"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .stdin(std::process::Stdio::null());
    if let Some((url, token)) = server {
        cmd.env("LIVEFACE_BASE_URL", url)
            .env("VERIFIK_TOKEN", token);
    }
    cmd
}
