//! The real `liveface` binary against a scripted server on 127.0.0.1: exit codes, JSON
//! output, plain error lines, and that bad input sends nothing.

use crate::support;

use std::path::PathBuf;
use std::process::Output;

use serde_json::{json, Value};
use support::{liveface_command, refused_addr, Step, TestServer};

const TOKEN: &str = "cli_SECRET_token_0123456789";

struct Env {
    home: tempfile::TempDir,
    probe: PathBuf,
}

impl Env {
    fn new() -> Env {
        let home = tempfile::tempdir().unwrap();
        let probe = home.path().join("probe.jpg");
        let img = image::RgbImage::from_fn(320, 240, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
        });
        img.save(&probe).unwrap();
        Env { home, probe }
    }

    /// Runs the binary with an isolated config/data dir and the given server.
    async fn run(&self, base_url: Option<&str>, args: &[&str]) -> Output {
        self.run_with(base_url, &[], args).await
    }

    /// As [`Env::run`], with extra environment variables (set after the defaults).
    async fn run_with(
        &self,
        base_url: Option<&str>,
        vars: &[(&str, &str)],
        args: &[&str],
    ) -> Output {
        let mut cmd = liveface_command(self.home.path(), base_url.map(|url| (url, TOKEN)));
        cmd.args(args);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        cmd.output().await.unwrap()
    }

    fn probe(&self) -> &str {
        self.probe.to_str().unwrap()
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn assert_secret_free(o: &Output) {
    for text in [stdout(o), stderr(o)] {
        assert!(!text.contains(TOKEN), "token leaked: {text}");
        assert!(!text.contains("/9j/"), "image base64 leaked: {text}");
    }
}

fn full_hit() -> Value {
    json!({
        "id": "ga8sn",
        "data": {
            "persons": [
                {"id": "651743f2b2eaf872c3541417", "name": "Mateo Verifik", "score": 0.9971,
                 "gender": "M", "date_of_birth": "1995-05-07", "nationality": "Colombian",
                 "thumbnails": [{"id": "t1", "thumbnail": "not base64!"}], "collections": []},
                {"id": "651743f2b2eaf872c3541418", "score": 0.81}
            ],
            "liveness_score": 0.98
        },
        "signature": {"message": "Certified by Verifik.co", "dateTime": "September 29, 2023 11:40 PM"}
    })
}

#[tokio::test]
async fn search_json_prints_query_liveness_matches_and_sends_the_documented_body() {
    let env = Env::new();
    let server = TestServer::start([Step::json(200, full_hit())]).await;
    let out = env
        .run(
            Some(&server.url()),
            &[
                "search",
                "--image",
                env.probe(),
                "--min-score",
                "0.8",
                "--json",
            ],
        )
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
    assert_eq!(v["liveness_score"], json!(0.98));
    assert_eq!(v["query"]["min_score"], json!(0.8));
    assert_eq!(v["query"]["os"], json!("DESKTOP"));
    assert!(v["query"].get("image_base64").is_none());
    let matches = v["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 2);
    assert_eq!(matches[0]["name"], json!("Mateo Verifik"));
    assert_eq!(matches[0]["date_of_birth"], json!("1995-05-07"));
    assert_eq!(matches[1]["id"], json!("651743f2b2eaf872c3541418"));
    assert!(v["elapsed_ms"].is_u64());
    assert!(v.get("face").is_none(), "no box from this server: no key");

    let req = server.single_request();
    assert_eq!(req.path, "/v2/face-recognition/search-live-face");
    let body = req.json();
    assert_eq!(body["min_score"], json!(0.8));
    assert_eq!(body["liveness_min_score"], json!(0.65));
    assert_eq!(body["search_mode"], json!("FAST"));
    assert!(body.get("collection_id").is_none());
    assert!(
        body["image"].as_str().unwrap().starts_with("/9j/"),
        "raw JPEG base64"
    );
    assert_secret_free(&out);
}

#[tokio::test]
async fn search_table_explains_zero_matches_and_exits_zero() {
    let env = Env::new();
    let server = TestServer::start([Step::json(
        200,
        json!({"data": {"persons": [], "liveness_score": 0.9}}),
    )])
    .await;
    let out = env
        .run(Some(&server.url()), &["search", "--image", env.probe()])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("no match at or above 0.75"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("liveness 0.900"), "{}", stdout(&out));
}

#[tokio::test]
async fn search_shows_the_sandbox_face_box_in_text_and_json() {
    let env = Env::new();
    let answer = json!({"data": {
        "persons": [], "liveness_score": 0.9,
        "face": {"x": 100.4, "y": 20, "width": 120.6, "height": 150, "confidence": 0.93}
    }});
    let server =
        TestServer::start([Step::json(200, answer.clone()), Step::json(200, answer)]).await;
    let out = env
        .run(Some(&server.url()), &["search", "--image", env.probe()])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("face at x 100, y 20, 121×150 px of the upload"),
        "{}",
        stdout(&out)
    );
    let out = env
        .run(
            Some(&server.url()),
            &["search", "--image", env.probe(), "--json"],
        )
        .await;
    let v: Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
    assert_eq!(
        v["face"],
        json!({"x": 100.4, "y": 20.0, "width": 120.6, "height": 150.0})
    );
}

#[tokio::test]
async fn each_documented_error_has_its_exit_code_and_a_plain_line() {
    let cases: Vec<(Step, i32, &str)> = vec![
        (
            Step::json(
                409,
                json!({"code": "ERROR", "message": "liveness_failed: score 0.42 is not above 0.65", "data": {"liveness_score": 0.42}}),
            ),
            3,
            "liveness failed",
        ),
        (
            Step::json(
                401,
                json!({"code": "UNAUTHORIZED", "message": "Authentication required"}),
            ),
            4,
            "VERIFIK_TOKEN",
        ),
        (
            Step::json(
                403,
                json!({"code": "FORBIDDEN", "message": "token_expired"}),
            ),
            4,
            "token expired",
        ),
        (
            Step::json(
                409,
                json!({"code": "MissingParameter", "message": "\"os\" is required"}),
            ),
            6,
            "\"os\" is required",
        ),
        (
            Step::json(
                404,
                json!({"code": "ERROR", "message": "invalid_collection"}),
            ),
            6,
            "collection not found",
        ),
        (
            Step::body(200, "text/html", "<html><body>gateway</body></html>"),
            6,
            "HTML",
        ),
    ];
    let env = Env::new();
    for (step, code, words) in cases {
        let server = TestServer::start([step]).await;
        let out = env
            .run(Some(&server.url()), &["search", "--image", env.probe()])
            .await;
        assert_eq!(out.status.code(), Some(code), "{words}: {}", stderr(&out));
        assert!(stderr(&out).contains(words), "{words}: {}", stderr(&out));
        assert!(stderr(&out).lines().count() <= 2, "{}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"));
        assert_secret_free(&out);
        assert_eq!(server.requests().len(), 1, "not retried: {words}");
    }
}

#[tokio::test]
async fn a_search_that_got_a_500_exits_5_and_is_not_repeated() {
    let env = Env::new();
    let err = || Step::json(500, json!({"code": "ERROR", "message": "internal_error"}));
    let server = TestServer::start([err(), err(), err(), err()]).await;
    let out = env
        .run(Some(&server.url()), &["search", "--image", env.probe()])
        .await;
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    // Billed: the server may have searched, so the search is sent once.
    assert_eq!(server.requests().len(), 1);
    // A list is not billed work: retried twice.
    let out = env.run(Some(&server.url()), &["collections"]).await;
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert_eq!(server.requests().len(), 4);
    let refused = refused_addr().await;
    let out = env
        .run(
            Some(&format!("http://{refused}")),
            &["search", "--image", env.probe()],
        )
        .await;
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
}

#[tokio::test]
async fn bad_input_exits_2_and_sends_nothing() {
    let env = Env::new();
    let server = TestServer::start([]).await;
    let url = server.url();
    let corrupt = env.home.path().join("corrupt.png");
    std::fs::write(&corrupt, b"\x89PNG\r\n\x1a\nnot really").unwrap();
    let text = env.home.path().join("notes.jpg");
    std::fs::write(&text, "hello").unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["search", "--image", env.probe(), "--min-score", "1.2"],
        vec![
            "search",
            "--image",
            env.probe(),
            "--liveness-min-score",
            "0.3",
        ],
        vec!["search", "--image", env.probe(), "--min-score", "abc"],
        vec!["search", "--image", env.probe(), "--os", "WINDOWS"],
        vec!["search", "--image", env.probe(), "--search-mode", "SLOW"],
        vec!["search", "--image", "/nonexistent/probe.jpg"],
        vec!["search", "--image", corrupt.to_str().unwrap()],
        vec!["search", "--image", text.to_str().unwrap()],
        vec!["search"],
        vec![
            "persons",
            "create",
            "--name",
            "A",
            "--image",
            env.probe(),
            "--dob",
            "1990-02-30",
        ],
        vec![
            "persons",
            "create",
            "--name",
            "A",
            "--image",
            env.probe(),
            "--gender",
            "X",
        ],
        vec!["persons", "get", "../etc/passwd"],
        vec!["persons", "list", "--limit", "500"],
        vec!["persons", "update", "abc123"],
        vec!["persons", "delete", "abc123"],
        vec!["collections", "delete", "abc123"],
    ];
    for args in cases {
        let out = env.run(Some(&url), &args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty(), "{args:?} says why");
        assert!(!stderr(&out).contains("panicked"), "{args:?}");
    }
    assert_eq!(server.requests().len(), 0, "nothing was sent");
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused_unless_allowed() {
    let env = Env::new();
    let out = env
        .run(
            Some("http://api.example.com"),
            &["search", "--image", env.probe()],
        )
        .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--allow-insecure"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn persons_and_collections_commands_print_json() {
    let env = Env::new();
    let server = TestServer::start([
        Step::json(
            200,
            json!({"data": [{"_id": "c1", "name": "Staff", "code": "4f2c…", "description": "office"}]}),
        ),
        Step::json(
            200,
            json!({"data": [{"_id": "p1", "name": "Ana", "date_of_birth": {"year": 1990, "month": 1, "day": 15}}],
                   "pagination": {"page": 1, "limit": 20, "total": 1, "pages": 1}}),
        ),
        Step::json(
            200,
            json!({"data": {"_id": "p2", "name": "New Person", "gender": "F", "date_of_birth": "1991-03-04"}}),
        ),
        Step::json(200, json!({"data": {"_id": "p2"}})),
    ])
    .await;
    let url = server.url();
    let out = env.run(Some(&url), &["collections", "--json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let cols: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(cols[0]["name"], json!("Staff"));

    let out = env.run(Some(&url), &["persons", "list", "--json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(page["persons"][0]["date_of_birth"], json!("1990-01-15"));
    assert_eq!(page["pagination"]["total"], json!(1));

    let out = env
        .run(
            Some(&url),
            &[
                "persons",
                "create",
                "--name",
                "New Person",
                "--image",
                env.probe(),
                "--gender",
                "f",
                "--dob",
                "1991-03-04",
                "--collection",
                "c1",
                "--json",
            ],
        )
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let created: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(created["id"], json!("p2"));

    let out = env
        .run(Some(&url), &["persons", "delete", "p2", "--yes"])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("deleted p2"));

    let reqs = server.requests();
    assert_eq!(reqs.len(), 4);
    let create = reqs[2].json();
    assert_eq!(create["gender"], json!("F"));
    assert_eq!(create["date_of_birth"], json!("1991-03-04"));
    assert_eq!(create["collections"], json!(["c1"]));
    assert_eq!(create["images"].as_array().unwrap().len(), 1);
    assert_eq!(reqs[3].method, "DELETE");
    assert_secret_free(&out);
}

#[tokio::test]
async fn server_text_never_reaches_the_terminal_as_escape_sequences() {
    let env = Env::new();
    let evil = "Eve\u{1b}[2J\u{1b}]0;PWNED\u{7}";
    let server = TestServer::start([
        Step::json(
            200,
            json!({"data": {"persons": [{"id": "p1", "name": evil, "score": 0.9,
                                          "nationality": "\u{9b}31m"}],
                            "liveness_score": 0.9}}),
        ),
        Step::json(
            200,
            json!({"data": {"persons": [{"id": "p1", "name": evil, "score": 0.9}],
                                        "liveness_score": 0.9}}),
        ),
        Step::json(
            409,
            json!({"code": "ERROR", "message": format!("bad {evil}")}),
        ),
    ])
    .await;
    let table = env
        .run(Some(&server.url()), &["search", "--image", env.probe()])
        .await;
    assert_eq!(table.status.code(), Some(0), "{}", stderr(&table));
    let json_out = env
        .run(
            Some(&server.url()),
            &["search", "--image", env.probe(), "--json"],
        )
        .await;
    let error = env
        .run(Some(&server.url()), &["search", "--image", env.probe()])
        .await;
    assert_eq!(error.status.code(), Some(6));
    for o in [&table, &error] {
        for text in [stdout(o), stderr(o)] {
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{9b}'),
                "a control character reached the terminal: {text:?}"
            );
        }
    }
    assert!(
        stdout(&table).contains("Eve?[2J?]0;PWNED?"),
        "{}",
        stdout(&table)
    );
    // --json stays exact: the name round-trips byte for byte.
    let v: Value = serde_json::from_str(&stdout(&json_out)).unwrap();
    assert_eq!(v["matches"][0]["name"], json!(evil));
    assert!(
        !stdout(&json_out).contains('\u{1b}'),
        "JSON escapes it as \\u001b"
    );
}

#[tokio::test]
async fn out_of_range_scores_exit_6_naming_the_field() {
    let env = Env::new();
    let server = TestServer::start([
        Step::json(
            200,
            json!({"data": {"persons": [{"id": "p1", "score": 1.7}], "liveness_score": 0.9}}),
        ),
        Step::json(
            200,
            json!({"data": {"persons": [], "liveness_score": "1.5"}}),
        ),
        Step::json(
            200,
            json!({"data": {"persons": [{"id": "p1", "score": 0.91}, {"id": "p2", "score": 0.6}],
                                        "liveness_score": 0.65}}),
        ),
    ])
    .await;
    let out = env
        .run(Some(&server.url()), &["search", "--image", env.probe()])
        .await;
    assert_eq!(out.status.code(), Some(6), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("persons[0].score is 1.7"),
        "{}",
        stderr(&out)
    );
    let out = env
        .run(Some(&server.url()), &["search", "--image", env.probe()])
        .await;
    assert_eq!(out.status.code(), Some(6), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("liveness_score is 1.5"),
        "{}",
        stderr(&out)
    );
    // A liveness at the threshold is not a pass; a hit below min_score is no match.
    let out = env
        .run(Some(&server.url()), &["search", "--image", env.probe()])
        .await;
    let text = stdout(&out);
    assert!(!text.contains("passed"), "{text}");
    assert!(text.contains("NOT above 0.65"), "{text}");
    assert!(
        text.contains("flagged: the server also sent 1 hit below min_score 0.75"),
        "{text}"
    );
    assert!(text.contains("1 match ·"), "{text}");
}

#[tokio::test]
async fn a_token_that_cannot_be_a_header_exits_2_and_sends_nothing() {
    let env = Env::new();
    let server = TestServer::start([]).await;
    for bad in ["abc\ndef_0123456789", "abc\u{1}def", "tok en"] {
        let out = env
            .run_with(
                Some(&server.url()),
                &[("VERIFIK_TOKEN", bad)],
                &["search", "--image", env.probe()],
            )
            .await;
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("the token contains"),
            "{}",
            stderr(&out)
        );
        assert!(!stderr(&out).contains("def"), "the token is never shown");
    }
    assert_eq!(server.requests().len(), 0);
}

#[tokio::test]
async fn a_create_that_timed_out_is_looked_up_not_repeated() {
    let env = Env::new();
    let now = chrono::Utc::now().to_rfc3339();
    let server = TestServer::start([
        Step::stall_ms(3_000),
        Step::json(
            200,
            json!({"data": [{"_id": "new1", "name": "Ana", "date_of_birth": "1990-01-15",
                                          "createdAt": now}],
                                "pagination": {"page": 1, "pages": 1, "limit": 100, "total": 1}}),
        ),
        Step::stall_ms(3_000),
        Step::json(
            200,
            json!({"data": [], "pagination": {"page": 1, "pages": 1, "limit": 100, "total": 0}}),
        ),
    ])
    .await;
    let args = [
        "persons",
        "create",
        "--name",
        "Ana",
        "--dob",
        "1990-01-15",
        "--image",
        env.probe(),
        "--timeout",
        "1",
    ];
    let out = env.run(Some(&server.url()), &args).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("created (confirmed): id new1"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("new1"), "{}", stdout(&out));
    let out = env.run(Some(&server.url()), &args).await;
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(stderr(&out).contains("not created"), "{}", stderr(&out));
    let methods: Vec<String> = server.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(
        methods,
        ["POST", "GET", "POST", "GET"],
        "each create sent once"
    );
}

// ---- history outside the dashboard ----------------------------------------------

fn history_file(env: &Env) -> PathBuf {
    env.home.path().join("data/liveface/history.jsonl")
}

fn stored_run(id: u64, probe: &std::path::Path, backend_key: &str) -> liveface::history::Run {
    use liveface::history::{ProbeStamp, Run, RunMatch, RunOutcome, Truth};
    let m = |id: &str, score: f64, name: Option<&str>| RunMatch {
        id: id.into(),
        score,
        name: name.map(str::to_owned),
    };
    Run {
        id,
        time: chrono::DateTime::from_timestamp(1_764_000_000 + id as i64 * 3600, 0).unwrap(),
        probe: ProbeStamp::of(probe).unwrap(),
        params: liveface::api::model::SearchParams::default(),
        backend: "SANDBOX · pixel fallback".into(),
        profile: Some("prod".into()),
        backend_key: Some(backend_key.into()),
        liveness_score: Some(0.91),
        matches: vec![
            m("p1", 0.97, Some("Ana, \"the\" first")),
            m("p2", 0.8, None),
        ],
        flagged: vec![m("p9", 0.61, Some("Flag"))],
        percent_scale: false,
        elapsed_ms: 240,
        outcome: if id.is_multiple_of(2) {
            RunOutcome::LivenessFailed { score: Some(0.3) }
        } else {
            RunOutcome::Ok
        },
        refiltered_from: None,
        face: None,
        truth: match id % 3 {
            1 => Some(Truth::Enrolled {
                expected: "p1".into(),
            }),
            2 => Some(Truth::Attack),
            _ => None,
        },
    }
}

fn write_history(env: &Env, runs: &[liveface::history::Run]) {
    let path = history_file(env);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    liveface::history::HistoryStore::new(&path)
        .rewrite(runs)
        .unwrap();
}

#[tokio::test]
async fn a_headless_search_is_kept_in_the_history_unless_told_not_to() {
    use liveface::history::{HistoryStore, RunOutcome};
    let env = Env::new();
    let server = TestServer::start([
        Step::json(
            200,
            json!({"data": {"persons": [{"id": "p1", "score": 0.93, "name": "Ana"}],
                            "liveness_score": 0.9}}),
        ),
        Step::json(
            409,
            json!({"code": "ERROR", "message": "liveness_failed", "data": {"liveness_score": 0.42}}),
        ),
        Step::json(200, json!({"data": {"persons": [], "liveness_score": 0.9}})),
    ])
    .await;
    let out = env
        .run(
            Some(&server.url()),
            &["search", "--image", env.probe(), "--json"],
        )
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["history_run"], json!(1));
    let out = env
        .run(Some(&server.url()), &["search", "--image", env.probe()])
        .await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let out = env
        .run(
            Some(&server.url()),
            &["search", "--image", env.probe(), "--no-history"],
        )
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stdout(&out).contains("run #"), "{}", stdout(&out));

    let runs = HistoryStore::new(history_file(&env)).load().unwrap().runs;
    assert_eq!(runs.len(), 2, "the --no-history search is not kept");
    let (ok, failed) = (&runs[0], &runs[1]);
    assert_eq!((ok.id, failed.id), (1, 2));
    assert_eq!(ok.outcome, RunOutcome::Ok);
    assert_eq!(ok.matches[0].id, "p1");
    assert_eq!(ok.matches[0].name.as_deref(), Some("Ana"));
    assert_eq!(ok.probe.path, env.probe);
    let key = ok.backend_key.as_deref().unwrap();
    assert!(key.starts_with(&server.url()), "{key}");
    assert!(!key.contains(TOKEN), "the token is never stored: {key}");
    assert_eq!(
        failed.outcome,
        RunOutcome::LivenessFailed { score: Some(0.42) }
    );
    // The run can be labelled like the dashboard's.
    let out = env.run(None, &["history", "label", "2", "attack"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[tokio::test]
async fn a_history_that_cannot_be_written_warns_and_the_answer_still_prints() {
    let env = Env::new();
    // The data folder is a file: neither the history nor its lock can be made.
    std::fs::write(env.home.path().join("data"), b"not a folder").unwrap();
    let server = TestServer::start([Step::json(
        200,
        json!({"data": {"persons": [], "liveness_score": 0.9}}),
    )])
    .await;
    let out = env
        .run(Some(&server.url()), &["search", "--image", env.probe()])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("no match at or above 0.75"));
    assert!(
        stderr(&out).contains("the search was not kept in the history"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn history_export_round_trips_every_field_of_every_run() {
    let env = Env::new();
    let runs: Vec<_> = (1..=3)
        .map(|i| stored_run(i, &env.probe, "sandbox:embedded:pixel fallback"))
        .collect();
    write_history(&env, &runs);
    let out = env
        .run(None, &["history", "export", "--format", "json"])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let back: Vec<liveface::history::Run> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(back, runs, "every field of every run");
    let csv_path = env.home.path().join("h.csv");
    let out = env
        .run(
            None,
            &[
                "history",
                "export",
                "--format",
                "csv",
                "--output",
                csv_path.to_str().unwrap(),
            ],
        )
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, liveface::history::export::CSV_HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(
        rows.len(),
        9,
        "three runs × (two matches + one flagged hit)"
    );
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[0][col("match_name")], "Ana, \"the\" first");
    assert_eq!(&rows[2][col("match_kind")], "flagged");
    assert_eq!(&rows[3][col("outcome")], "liveness failed 0.30");
    assert_eq!(&rows[0][col("truth")], "enrolled p1");
    assert_eq!(&rows[3][col("truth")], "attack");
    assert_eq!(&rows[6][col("truth")], "");
    assert_eq!(&rows[0][col("probe_path")], env.probe());
    assert_eq!(&rows[0][col("time")], runs[0].time.to_rfc3339().as_str());
    let out = env
        .run(None, &["history", "list", "--json", "--limit", "2"])
        .await;
    let listed: Vec<liveface::history::Run> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(listed, runs[1..].to_vec(), "the newest two");
}

#[tokio::test]
async fn eval_history_measures_the_labelled_runs_without_a_request() {
    use liveface::history::Truth;
    let env = Env::new();
    let runs: Vec<_> = (1..=5)
        .map(|i| {
            // The back end this configuration uses (no models here: the pixel engine).
            let mut r = stored_run(i, &env.probe, "sandbox:embedded:pixel fallback");
            r.probe.path = format!("/probes/{i}.jpg").into();
            r.truth = match i {
                1 => Some(Truth::Enrolled {
                    expected: "p1".into(),
                }),
                2 => Some(Truth::Attack),
                3 => Some(Truth::NotEnrolled),
                4 => Some(Truth::Enrolled {
                    expected: "p2".into(),
                }),
                _ => None,
            };
            r
        })
        .collect();
    write_history(&env, &runs);
    let out = env.run(None, &["eval", "--history", "--json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["requests_sent"], 0);
    assert_eq!(v["counts"]["mated"], 2);
    assert_eq!(v["counts"]["nonmated"], 1);
    assert_eq!(v["counts"]["attack"], 1);
    // The runs were searched at min_score 0.75 and liveness_min_score 0.65: the
    // measures start there.
    assert_eq!(v["points"][0]["min_score"], 0.75);
    assert_eq!(v["liveness_points"][0]["liveness_min_score"], 0.65);
    let at_080 = v["points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| (p["min_score"].as_f64().unwrap() - 0.8).abs() < 1e-9)
        .unwrap();
    // Run 1 finds p1 first; run 4 failed liveness (a miss); run 3, not enrolled,
    // matches p1 at 0.97.
    assert_eq!(
        (&at_080["fnir_errors"], &at_080["mated"]),
        (&1.into(), &2.into())
    );
    assert_eq!(
        (&at_080["fpir_errors"], &at_080["nonmated"]),
        (&1.into(), &1.into())
    );
    let live = &v["liveness_points"][0];
    assert_eq!(live["apcer_errors"], 0);
    assert_eq!(live["bpcer_errors"], 1);

    // Runs of another back end are not what this configuration uses: named, exit 2.
    let elsewhere: Vec<_> = runs
        .iter()
        .cloned()
        .map(|mut r| {
            r.backend_key = Some("https://api.verifik.co#0123456789ab".into());
            r.backend = "api.verifik.co".into();
            r
        })
        .collect();
    write_history(&env, &elsewhere);
    let out = env.run(None, &["eval", "--history"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("labelled runs are of: api.verifik.co (4)"),
        "{}",
        stderr(&out)
    );
    // Nothing labelled: says how to label, exit 2.
    let bare: Vec<_> = runs
        .into_iter()
        .map(|mut r| {
            r.truth = None;
            r
        })
        .collect();
    write_history(&env, &bare);
    let out = env.run(None, &["eval", "--history"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("liveface history label"),
        "{}",
        stderr(&out)
    );
    // A set and --history together are refused.
    let out = env.run(None, &["eval", "--history", "some/set"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[tokio::test]
async fn history_label_records_the_truth_for_eval() {
    let env = Env::new();
    let mut runs: Vec<_> = (1..=3).map(|i| stored_run(i, &env.probe, "k")).collect();
    for r in &mut runs {
        r.truth = None;
    }
    runs[2].refiltered_from = Some(1);
    write_history(&env, &runs);
    let label = |id: &str, truth: &str| {
        let (id, truth) = (id.to_owned(), truth.to_owned());
        let env = &env;
        async move { env.run(None, &["history", "label", &id, &truth]).await }
    };
    let out = label("2", "top").await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "run #2: enrolled p1");
    // Run 3 was re-filtered from run 1: the label goes to the search that was sent.
    let out = label("3", "not-enrolled").await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("run #1 (run #3 was re-filtered from it)"));
    let out = label("2", "maybe").await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("enrolled=ID"), "{}", stderr(&out));
    let out = label("9", "attack").await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no run #9"), "{}", stderr(&out));
    let stored = liveface::history::HistoryStore::new(history_file(&env))
        .load()
        .unwrap();
    let truths: Vec<_> = stored.runs.iter().map(|r| r.truth.clone()).collect();
    use liveface::history::Truth;
    assert_eq!(
        truths,
        [
            Some(Truth::NotEnrolled),
            Some(Truth::Enrolled {
                expected: "p1".into()
            }),
            Some(Truth::NotEnrolled)
        ]
    );
    let out = env.run(None, &["history", "show", "2"]).await;
    assert!(stdout(&out).contains("enrolled p1"), "{}", stdout(&out));
}

#[tokio::test]
async fn history_prune_keeps_what_it_says_and_asks_first() {
    let env = Env::new();
    let runs: Vec<_> = (1..=5).map(|i| stored_run(i, &env.probe, "k")).collect();
    write_history(&env, &runs);
    // No terminal and no --yes: refused, nothing changed.
    let out = env.run(None, &["history", "prune", "--keep", "2"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("refusing without --yes"),
        "{}",
        stderr(&out)
    );
    let left = liveface::history::HistoryStore::new(history_file(&env))
        .load()
        .unwrap();
    assert_eq!(left.runs.len(), 5);
    let out = env
        .run(None, &["history", "prune", "--keep", "2", "--yes"])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let left = liveface::history::HistoryStore::new(history_file(&env))
        .load()
        .unwrap();
    let ids: Vec<u64> = left.runs.iter().map(|r| r.id).collect();
    assert_eq!(ids, [4, 5], "the newest two are kept");
    // --before: run 5 is at 1_764_018_000 (2025-11-24 21:00 UTC); a later day removes all.
    let out = env
        .run_with(
            None,
            &[("TZ", "UTC")],
            &["history", "prune", "--before", "2025-11-25", "--yes"],
        )
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let left = liveface::history::HistoryStore::new(history_file(&env))
        .load()
        .unwrap();
    assert!(left.runs.is_empty());
    let out = env
        .run(
            None,
            &["history", "prune", "--before", "yesterday", "--yes"],
        )
        .await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn history_curl_repeats_the_run_against_the_sandbox() {
    let env = Env::new();
    let data = tempfile::tempdir().unwrap();
    let mut opts = liveface::sandbox::SandboxOptions::local(data.path());
    opts.token = Some(TOKEN.into());
    let sandbox = liveface::sandbox::start(opts).await.unwrap();
    let mut cfg =
        liveface::api::ClientConfig::new(&sandbox.base_url, liveface::api::Token::new(TOKEN));
    cfg.retries = 0;
    let client = liveface::api::Client::new(cfg).unwrap();
    let probe = liveface::probe::prepare(&env.probe, 1600).unwrap();
    client
        .create_person(&liveface::api::model::NewPerson {
            name: "Ana".into(),
            images: vec![probe.base64.clone()],
            ..Default::default()
        })
        .await
        .unwrap();
    let direct = client
        .search_live_face(
            &probe.base64,
            &liveface::api::model::SearchParams::default(),
        )
        .await
        .unwrap();
    write_history(
        &env,
        &[stored_run(
            1,
            &env.probe,
            &format!("{}#abc", sandbox.base_url),
        )],
    );
    let dir = env.home.path().join("req");
    std::fs::create_dir_all(&dir).unwrap();
    let out = env
        .run(
            None,
            &["history", "curl", "1", "--dir", dir.to_str().unwrap()],
        )
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let command = stdout(&out);
    assert!(
        !command.contains(TOKEN) && !command.contains("/9j/"),
        "{command}"
    );
    let answer = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(&command)
        .env("VERIFIK_TOKEN", TOKEN)
        .output()
        .await
        .unwrap();
    assert!(
        answer.status.success(),
        "{}",
        String::from_utf8_lossy(&answer.stderr)
    );
    let v: Value = serde_json::from_slice(&answer.stdout).unwrap();
    let via_curl = liveface::api::model::SearchOutcome::from_data(
        &v["data"],
        &liveface::api::model::SearchParams::default(),
    )
    .unwrap();
    let ids = |o: &liveface::api::model::SearchOutcome| -> Vec<(String, f64)> {
        o.persons.iter().map(|m| (m.id.clone(), m.score)).collect()
    };
    assert!(!direct.persons.is_empty());
    assert_eq!(
        ids(&via_curl),
        ids(&direct),
        "the same answer as the client's request"
    );
}
