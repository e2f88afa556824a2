//! Helpers shared by the sandbox integration tests: a server on 127.0.0.1 with its
//! own temporary store, a client for it, and synthetic images.
#![allow(dead_code)]

use std::time::Duration;

use liveface::api::model::{NewPerson, SearchParams};
use liveface::api::{Client, ClientConfig, Token};
use liveface::sandbox::synth::{self, Variant};
use liveface::sandbox::{start, RunningSandbox, SandboxOptions};

pub struct Harness {
    pub dir: tempfile::TempDir,
    pub sandbox: RunningSandbox,
    pub client: Client,
}

pub fn client_for(base_url: &str, token: Option<&str>) -> Client {
    let mut cfg = ClientConfig::new(base_url, token.and_then(Token::new));
    cfg.retries = 0;
    cfg.timeout = Duration::from_secs(60);
    Client::new(cfg).unwrap()
}

pub async fn harness() -> Harness {
    harness_with(|_| {}).await
}

pub async fn harness_with(tweak: impl FnOnce(&mut SandboxOptions)) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = SandboxOptions::local(dir.path());
    tweak(&mut opts);
    let sandbox = start(opts).await.unwrap();
    let client = client_for(&sandbox.base_url, Some("test-token"));
    Harness {
        dir,
        sandbox,
        client,
    }
}

pub fn image(seed: u64) -> String {
    synth::jpeg_base64(&synth::portrait(seed, &Variant::default()))
}

pub fn variant(seed: u64, v: Variant) -> String {
    synth::jpeg_base64(&synth::portrait(seed, &v))
}

pub fn grey(seed: u64) -> String {
    let img = synth::portrait(seed, &Variant::default());
    synth::jpeg_base64(&image::DynamicImage::ImageLuma8(img.to_luma8()))
}

pub fn person(name: &str, seed: u64, collections: &[&str]) -> NewPerson {
    NewPerson {
        name: name.into(),
        images: vec![image(seed)],
        gender: Some("F".into()),
        date_of_birth: liveface::api::model::DateOfBirth::new(1990, 1, 1 + (seed % 28) as u32),
        nationality: Some("Testish".into()),
        collections: collections.iter().map(|c| c.to_string()).collect(),
        notes: None,
    }
}

pub fn params(min_score: f64) -> SearchParams {
    SearchParams {
        min_score,
        ..SearchParams::default()
    }
}

/// A raw call, for what the typed client refuses to send.
pub async fn raw(
    base_url: &str,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Vec<u8>>,
) -> (u16, serde_json::Value) {
    let mut req = reqwest::Client::new()
        .request(method, format!("{base_url}/v2/face-recognition{path}"))
        .header("content-type", "application/json");
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.body(b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}
