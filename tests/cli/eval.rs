//! `liveface eval` end to end: the real binary against the scripted server on 127.0.0.1.
//! Every rate of the `--json` output is checked against the scripted scores, and an
//! interrupted run resumes without searching a probe twice.

use crate::common::wait_until_async;
use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use support::{liveface_command, Step, TestServer};

const TOKEN: &str = "eval_SECRET_token_0123456789";

struct Env {
    home: tempfile::TempDir,
    set: PathBuf,
}

/// A distinct small image per probe (so each request body names its probe).
fn write_image(path: &Path, seed: u32) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let img = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([
            ((x * 3 + seed * 40) % 256) as u8,
            ((y * 5 + seed * 17) % 256) as u8,
            ((x + y + seed * 90) % 256) as u8,
        ])
    });
    img.save(path).unwrap();
}

impl Env {
    fn new(files: &[&str]) -> Env {
        let home = tempfile::tempdir().unwrap();
        let set = home.path().join("set");
        for (i, f) in files.iter().enumerate() {
            write_image(&set.join(f), i as u32);
        }
        Env { home, set }
    }

    fn command(&self, url: &str, args: &[&str]) -> tokio::process::Command {
        self.command_on(&self.set, url, args)
    }

    /// `liveface eval SET …` on another set path (e.g. a manifest).
    fn command_on(&self, set: &Path, url: &str, args: &[&str]) -> tokio::process::Command {
        let mut cmd = liveface_command(self.home.path(), Some((url, TOKEN)));
        cmd.arg("eval")
            .arg(set)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    async fn run(&self, url: &str, args: &[&str]) -> Output {
        self.command(url, args).output().await.unwrap()
    }

    /// The base64 the client sends for a probe of the set.
    fn body_of(&self, file: &str) -> String {
        liveface::probe::prepare(&self.set.join(file), 1600)
            .unwrap()
            .base64
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn hit(persons: Value, liveness: f64) -> Step {
    Step::json(
        200,
        json!({"data": {"persons": persons, "liveness_score": liveness}}),
    )
}

fn liveness_failed(score: f64) -> Step {
    Step::json(
        409,
        json!({"code": "ERROR", "message": format!("liveness_failed: score {score} is not above 0.5"),
               "data": {"liveness_score": score}}),
    )
}

fn searches(server: &TestServer) -> Vec<support::Recorded> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/search-live-face"))
        .collect()
}

/// The set, in the order the probes are searched with `--jobs 1` (sorted paths).
const FILES: [&str; 7] = [
    "Ada/1.png",
    "Ada/2.png",
    "Ada/broken.jpg",
    "_attacks/1.png",
    "_not_enrolled/1.png",
    "_not_enrolled/2.png",
    "p2/1.png",
];

fn rate(v: &Value, key: &str) -> (Option<f64>, u64) {
    (
        v[key].as_f64(),
        v[&format!("{key}_errors")].as_u64().unwrap(),
    )
}

fn expect_rate(v: &Value, key: &str, errors: u64, trials: u64, at: &str) {
    let (value, got_errors) = rate(v, key);
    assert_eq!(got_errors, errors, "{key} errors at {at}");
    assert_eq!(value, Some(errors as f64 / trials as f64), "{key} at {at}");
    let ci = liveface::eval::stats::clopper_pearson(errors, trials, 0.95).unwrap();
    // (serde_json's default float parsing may be one ulp off the printed value)
    let got = v[&format!("{key}_ci")].as_array().unwrap();
    assert_eq!(
        got.len(),
        2,
        "{key}_ci at {at}: a [low, high] pair: {got:?}"
    );
    for (g, want) in got.iter().zip(ci) {
        assert!(
            (g.as_f64().unwrap() - want).abs() < 1e-12,
            "{key}_ci at {at}: {got:?} vs {ci:?}"
        );
    }
}

#[tokio::test]
async fn every_rate_in_the_json_follows_from_the_scripted_scores() {
    let env = Env::new(&FILES);
    std::fs::write(env.set.join("Ada/broken.jpg"), b"not an image").unwrap();
    let server = TestServer::start([
        Step::json(
            200,
            json!({"data": [{"id": "p1", "name": "Ada"}, {"id": "p2", "name": "Bob"}]}),
        ),
        // Ada/1: the mate on top at 0.91.
        hit(json!([{"id": "p1", "name": "Ada", "score": 0.91}]), 0.95),
        // Ada/2: someone else on top (0.80), the mate second (0.70).
        hit(
            json!([{"id": "p2", "score": 0.80}, {"id": "p1", "score": 0.70}]),
            0.70,
        ),
        // (broken.jpg is never sent) _attacks/1: passes liveness at 0.62.
        hit(json!([]), 0.62),
        // _not_enrolled/1: a false match at 0.66.
        hit(json!([{"id": "p1", "score": 0.66}]), 0.88),
        // _not_enrolled/2: fails liveness even at the floor.
        liveness_failed(0.41),
        // p2/1: the mate at 0.75.
        hit(json!([{"id": "p2", "score": 0.75}]), 0.99),
    ])
    .await;
    let csv = env.home.path().join("probes.csv");
    let plot = env.home.path().join("det.svg");
    let out = env
        .run(
            &server.url(),
            &[
                "--json",
                "--jobs",
                "1",
                "--yes",
                "--search-mode",
                "accurate",
                "--csv",
                csv.to_str().unwrap(),
                "--plot",
                plot.to_str().unwrap(),
            ],
        )
        .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("broken.jpg"),
        "the skipped file is reported: {stderr}"
    );
    for t in [text(&out.stdout), stderr.clone()] {
        assert!(!t.contains(TOKEN));
    }
    let v: Value = serde_json::from_str(&text(&out.stdout)).expect("one JSON object");

    // Six searches, each once, at the floor thresholds with the chosen mode.
    let sent = searches(&server);
    assert_eq!(sent.len(), 6);
    for r in &sent {
        let b = r.json();
        assert_eq!(b["liveness_min_score"], json!(0.5));
        assert_eq!(b["min_score"], json!(0.5));
        assert_eq!(b["search_mode"], json!("ACCURATE"));
    }
    assert_eq!(v["requests_sent"], json!(6));
    assert_eq!(v["complete"], json!(true));
    let c = &v["counts"];
    assert_eq!(
        (
            &c["mated"],
            &c["nonmated"],
            &c["attack"],
            &c["skipped"],
            &c["failed"]
        ),
        (&json!(3), &json!(2), &json!(1), &json!(1), &json!(0))
    );

    // Every min_score from 0.50 to 1.00, by hand from the scores above (in hundredths):
    // Ada/1 hit ≤ 91 · Ada/2 wrong top ≤ 80, mate anywhere ≤ 70 · p2/1 hit ≤ 75 ·
    // _not_enrolled/1 false match ≤ 66.
    let points = v["points"].as_array().unwrap();
    assert_eq!(points.len(), 51);
    for (i, p) in points.iter().enumerate() {
        let t = 50 + i as u64;
        let at = format!("min_score {t}");
        assert_eq!(p["min_score"], json!(t as f64 / 100.0));
        let fnir = 1 + u64::from(t > 91) + u64::from(t > 75);
        let fnir_any = u64::from(t > 91) + u64::from(t > 70) + u64::from(t > 75);
        expect_rate(p, "fnir", fnir, 3, &at);
        expect_rate(p, "fnir_any", fnir_any, 3, &at);
        expect_rate(p, "wrong_top", u64::from(t <= 80), 3, &at);
        expect_rate(p, "fpir", u64::from(t <= 66), 2, &at);
        assert_eq!(
            (p["mated"].as_u64(), p["nonmated"].as_u64()),
            (Some(3), Some(2))
        );
    }
    // Every liveness_min_score: passing is strictly above. Bona fide scores 0.95, 0.70,
    // 0.88, 0.99 and one failure at the floor; the attack 0.62.
    let lpoints = v["liveness_points"].as_array().unwrap();
    assert_eq!(lpoints.len(), 51);
    for (i, p) in lpoints.iter().enumerate() {
        let l = 50 + i as u64;
        let at = format!("liveness_min_score {l}");
        let bpcer = 1 + [95, 70, 88, 99].iter().filter(|&&s| s <= l).count() as u64;
        expect_rate(p, "bpcer", bpcer, 5, &at);
        expect_rate(p, "apcer", u64::from(l < 62), 1, &at);
    }
    // The operating points: fpir ≤ 1 % first at 0.67 (fnir 1/3 there), not supported by
    // two non-mated searches; apcer ≤ 1 % first at 0.62.
    let ops = v["operating_points"].as_array().unwrap();
    assert_eq!(ops.len(), 4);
    assert_eq!(ops[0]["measure"], json!("fpir"));
    assert_eq!(ops[0]["min_score"], json!(0.67));
    assert_eq!(ops[0]["fnir_errors"], json!(1));
    assert_eq!(ops[0]["supported"], json!(false));
    assert_eq!(ops[0]["trials_needed"], json!(368));
    assert_eq!(ops[3]["measure"], json!("apcer"));
    assert_eq!(ops[3]["liveness_min_score"], json!(0.62));
    assert_eq!(ops[3]["bpcer_errors"], json!(1)); // only the failure at the floor
                                                  // The configured thresholds (defaults 0.75 / 0.65).
    assert_eq!(v["current"]["min_score"]["fnir_errors"], json!(1));
    assert_eq!(v["current"]["liveness_min_score"]["bpcer_errors"], json!(1));

    // The probes, in set order.
    let probes = v["probes"].as_array().unwrap();
    assert_eq!(probes.len(), 7);
    assert_eq!(probes[0]["kind"], json!("mated"));
    assert_eq!(probes[0]["expected"], json!("p1"));
    assert_eq!(probes[0]["label"], json!("Ada"));
    assert_eq!(
        probes[0]["candidates"][0],
        json!({"id": "p1", "name": "Ada", "score": 0.91})
    );
    assert!(probes[2]["error"].as_str().unwrap().contains("unreadable"));
    assert_eq!(probes[5]["liveness_score"], json!(0.41));
    assert_eq!(probes[5]["liveness_passed_floor"], json!(false));
    assert_eq!(probes[6]["expected"], json!("p2"));

    let rows = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(rows.lines().count(), 8, "{rows}");
    assert!(
        rows.starts_with("path,kind,expected,liveness_score"),
        "{rows}"
    );
    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(
        svg.contains("<svg") && svg.contains("DET"),
        "{}",
        &svg[..200.min(svg.len())]
    );
}

#[tokio::test]
async fn an_interrupted_run_resumes_without_searching_a_probe_twice() {
    let files = [
        "_not_enrolled/a.png",
        "_not_enrolled/b.png",
        "_not_enrolled/c.png",
        "_not_enrolled/d.png",
        "_not_enrolled/e.png",
    ];
    let env = Env::new(&files);
    let server = TestServer::start([
        hit(json!([]), 0.9),
        hit(json!([{"id": "p1", "score": 0.6}]), 0.9),
        Step::stall_ms(60_000),
    ])
    .await;
    let mut child = env
        .command(&server.url(), &["--json", "--jobs", "1", "--yes"])
        .spawn()
        .unwrap();
    // Its stderr, read as it comes: the first Ctrl-c is answered there.
    let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let reader = tokio::spawn({
        let (sink, mut pipe) = (stderr.clone(), child.stderr.take().unwrap());
        async move {
            use tokio::io::AsyncReadExt;
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = pipe.read(&mut buf).await {
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        }
    });
    // Wait for the third search to be in flight, then Ctrl-c twice (stop, then abandon).
    wait_until_async("the third search", Duration::from_secs(60), || {
        searches(&server).len() >= 3
    })
    .await;
    let pid = child.id().unwrap().to_string();
    let interrupt = || {
        let status = std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap();
        assert!(status.success());
    };
    interrupt();
    // The second Ctrl-c only once the first was taken (two at once may arrive as one).
    wait_until_async("the first Ctrl-c's notice", Duration::from_secs(20), || {
        stderr.lock().unwrap().contains("liveface: stopping")
    })
    .await;
    interrupt();
    let out = tokio::time::timeout(Duration::from_secs(20), child.wait_with_output())
        .await
        .expect("the run stops on Ctrl-c")
        .unwrap();
    reader.await.unwrap();
    let err = stderr.lock().unwrap().clone();
    assert_eq!(out.status.code(), Some(130), "{err}");
    let first: Value = serde_json::from_str(&text(&out.stdout)).expect("the partial report");
    assert_eq!(first["complete"], json!(false));
    assert_eq!(first["counts"]["nonmated"], json!(2));
    assert_eq!(first["points"][0]["fpir_errors"], json!(1));

    // The rerun searches only what has no result yet.
    let before = searches(&server).len();
    server.push(hit(json!([]), 0.9));
    server.push(hit(json!([]), 0.9));
    server.push(hit(json!([]), 0.9));
    let out = env
        .run(&server.url(), &["--json", "--jobs", "1", "--yes"])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("resuming: 2 probes were already searched"),
        "{}",
        text(&out.stderr)
    );
    let v: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(v["complete"], json!(true));
    assert_eq!(v["requests_sent"], json!(3));
    assert_eq!(v["counts"]["resumed"], json!(2));
    assert_eq!(v["counts"]["nonmated"], json!(5));
    assert_eq!(v["points"][0]["fpir_errors"], json!(1)); // b's false match, from the journal
    assert_eq!(searches(&server).len(), before + 3);
    // Per probe: a and b once in all; c twice (its first search never answered); d, e once.
    let sent: Vec<String> = searches(&server)
        .iter()
        .map(|r| r.json()["image"].as_str().unwrap().to_owned())
        .collect();
    let times = |f: &str| {
        let b = env.body_of(f);
        sent.iter().filter(|s| **s == b).count()
    };
    assert_eq!(
        files.map(times),
        [1, 1, 2, 1, 1],
        "searches per probe across both runs"
    );

    // --fresh searches everything again.
    for _ in 0..5 {
        server.push(hit(json!([]), 0.9));
    }
    let out = env
        .run(
            &server.url(),
            &["--json", "--jobs", "2", "--yes", "--fresh"],
        )
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(v["requests_sent"], json!(5));
    assert_eq!(v["counts"]["resumed"], json!(0));
}

#[tokio::test]
async fn a_real_api_asks_first_and_bad_names_stop_before_any_search() {
    let env = Env::new(&["Zoe/1.png", "Bob/1.png", "_not_enrolled/1.png"]);
    let server = TestServer::start([Step::json(
        200,
        json!({"data": [{"id": "p2", "name": "Bob"}, {"id": "p3", "name": "Bob"}]}),
    )])
    .await;
    let out = env.run(&server.url(), &["--yes"]).await;
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("unknown") && err.contains("Zoe"), "{err}");
    assert!(err.contains("ambiguous") && err.contains("p2, p3"), "{err}");
    assert!(searches(&server).is_empty());

    // Without --yes and without a terminal to ask on: refused, nothing sent.
    let env = Env::new(&["_not_enrolled/1.png", "_attacks/1.png"]);
    let server = TestServer::start([]).await;
    let out = env.run(&server.url(), &[]).await;
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("2 requests (2 credits) will be sent"), "{err}");
    assert!(err.contains("--yes"), "{err}");
    assert!(server.requests().is_empty());

    // An output path that cannot be written is refused before anything is sent.
    let out = env
        .run(
            &server.url(),
            &["--yes", "--plot", "/nonexistent/dir/x.svg"],
        )
        .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("does not exist"));
    let out = env.run(&server.url(), &["--yes", "--plot", "x.png"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_failed_search_is_left_out_reported_and_retried_by_the_next_run() {
    let env = Env::new(&["_not_enrolled/a.png", "_not_enrolled/b.png"]);
    let server = TestServer::start([
        hit(json!([]), 0.9),
        Step::json(500, json!({"code": "ERROR", "message": "boom"})),
    ])
    .await;
    let out = env
        .run(&server.url(), &["--json", "--jobs", "1", "--yes"])
        .await;
    // The report is printed; the exit code says the figures miss a probe.
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("1 of 2 searches failed"),
        "{}",
        text(&out.stderr)
    );
    let v: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(v["counts"]["failed"], json!(1));
    assert_eq!(v["counts"]["nonmated"], json!(1));
    assert_eq!(v["points"][0]["nonmated"], json!(1));
    assert!(v["probes"][1]["error"].is_string());
    assert_eq!(searches(&server).len(), 2); // a 500 to a POST is not retried

    server.push(hit(json!([]), 0.9));
    let out = env
        .run(&server.url(), &["--json", "--jobs", "1", "--yes"])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(v["requests_sent"], json!(1));
    assert_eq!(v["counts"]["resumed"], json!(1));
    assert_eq!(v["counts"]["failed"], json!(0));
}

#[tokio::test]
async fn a_csv_manifest_is_a_set_too() {
    let env = Env::new(&["imgs/a.png", "imgs/b.png"]);
    let manifest = env.set.join("set.csv");
    std::fs::write(
        &manifest,
        "path,expected,kind\nimgs/a.png,p7,mated\nimgs/missing.png,,nonmated\nimgs/b.png,,attack\n",
    )
    .unwrap();
    let server = TestServer::start([
        Step::json(200, json!({"data": [{"id": "p7", "name": "Zed"}]})),
        hit(json!([{"id": "p7", "score": 0.93}]), 0.97),
        hit(json!([]), 0.81),
    ])
    .await;
    let out = env
        .command_on(
            &manifest,
            &server.url(),
            &["--json", "--jobs", "1", "--yes"],
        )
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("missing.png"),
        "{}",
        text(&out.stderr)
    );
    let v: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(v["requests_sent"], json!(2));
    let c = &v["counts"];
    assert_eq!(
        (&c["mated"], &c["attack"], &c["skipped"]),
        (&json!(1), &json!(1), &json!(1))
    );
    assert_eq!(v["points"][43]["fnir_errors"], json!(0)); // 0.93: still found
    assert_eq!(v["points"][44]["fnir_errors"], json!(1)); // 0.94: missed
    assert_eq!(v["liveness_points"][30]["apcer_errors"], json!(1)); // 0.81 > 0.80
    assert_eq!(v["liveness_points"][31]["apcer_errors"], json!(0)); // 0.81 = 0.81 fails
}

#[tokio::test]
async fn an_authentication_failure_stops_the_run_at_once() {
    let env = Env::new(&["_attacks/a.png", "_attacks/b.png", "_attacks/c.png"]);
    let server = TestServer::start([Step::json(
        401,
        json!({"code": "UNAUTHORIZED", "message": "Authentication required"}),
    )])
    .await;
    let out = env
        .run(&server.url(), &["--json", "--jobs", "1", "--yes"])
        .await;
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert_eq!(searches(&server).len(), 1, "no search after a 401");
    let v: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(v["complete"], json!(false));
    assert_eq!(v["counts"]["failed"], json!(1));
    assert_eq!(v["counts"]["not_run"], json!(2));
    assert!(!text(&out.stderr).contains(TOKEN));
}
