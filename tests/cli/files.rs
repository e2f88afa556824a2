//! The real `liveface` binary against a scripted server on 127.0.0.1, for what files and
//! flags can do wrong: cut-off photos, FIFOs where a file should be, negative numbers,
//! a page past the end, digits in names, wide names in tables. Bad input exits 2 and the
//! server's request count proves that nothing was sent.

use crate::common::{skip, Missing};
use crate::support;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use serde_json::json;
use support::{liveface_command, Step, TestServer};

const TOKEN: &str = "cli_files_SECRET_token_0123";
/// A command that hangs (on a FIFO) fails the test after this long instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(30);

struct Env {
    home: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            home: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    /// Runs the binary with an isolated config/data dir; panics if it does not end
    /// within [`PATIENCE`] (the child is killed then).
    async fn run(&self, base_url: &str, args: &[&std::ffi::OsStr]) -> Output {
        let mut cmd = liveface_command(self.home.path(), Some((base_url, TOKEN)));
        cmd.args(args).kill_on_drop(true);
        match tokio::time::timeout(PATIENCE, cmd.output()).await {
            Ok(out) => out.unwrap(),
            Err(_) => panic!("liveface {args:?} still running after {PATIENCE:?}: it hangs"),
        }
    }

    async fn run_str(&self, base_url: &str, args: &[&str]) -> Output {
        let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
        self.run(base_url, &args).await
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn no_match() -> Step {
    Step::json(
        200,
        json!({"id": "x", "data": {"persons": [], "liveness_score": 0.97}}),
    )
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

fn faces_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/faces")
}

fn encoded(format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(200, 150, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x * y) % 256) as u8])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), format)
        .unwrap();
    out
}

#[tokio::test]
async fn cut_off_photos_exit_2_as_truncated_and_send_nothing() {
    let env = Env::new();
    let server = TestServer::start([no_match(), no_match()]).await;
    let url = server.url();
    let mut originals: Vec<(String, Vec<u8>)> = Vec::new();
    let faces = faces_dir();
    for name in ["obama_1.jpg", "leslie_1.jpg"] {
        match std::fs::read(faces.join(name)) {
            Ok(bytes) => originals.push((name.into(), bytes)),
            Err(_) => skip(
                Missing::Models,
                &format!("{name}: no ../shared/fixtures/faces"),
            ),
        }
    }
    // Generated files stand in when the photos are missing, and cover PNG, WebP and GIF.
    originals.push(("made.jpg".into(), encoded(image::ImageFormat::Jpeg)));
    originals.push(("made.png".into(), encoded(image::ImageFormat::Png)));
    originals.push(("made.webp".into(), encoded(image::ImageFormat::WebP)));
    originals.push(("made.gif".into(), encoded(image::ImageFormat::Gif)));
    for (name, bytes) in &originals {
        // `head -c N`: a half, most of it, all but the last two bytes (the JPEG EOI).
        for keep in [
            bytes.len() / 4,
            bytes.len() / 2,
            bytes.len() * 9 / 10,
            bytes.len() - 2,
        ] {
            let cut = env.path(&format!("cut_{keep}_{name}"));
            std::fs::write(&cut, &bytes[..keep]).unwrap();
            let out = env
                .run_str(&url, &["search", "--image", cut.to_str().unwrap()])
                .await;
            assert_eq!(
                out.status.code(),
                Some(2),
                "{name} cut at {keep}: {}",
                stderr(&out)
            );
            assert!(
                stderr(&out).contains("the image is truncated or corrupt"),
                "{name} cut at {keep}: {}",
                stderr(&out)
            );
            assert!(
                stderr(&out).contains(&format!("cut_{keep}_{name}")),
                "names the file"
            );
        }
    }
    assert_eq!(server.requests().len(), 0, "a cut-off photo sends nothing");

    // The whole photo is searched, and so is one with bytes after its end marker.
    let whole = &originals[0];
    let path = env.path(&whole.0);
    std::fs::write(&path, &whole.1).unwrap();
    let out = env
        .run_str(&url, &["search", "--image", path.to_str().unwrap()])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut trailer = whole.1.clone();
    trailer.extend_from_slice(b"\0\0camera trailer");
    let path = env.path("trailer.jpg");
    std::fs::write(&path, trailer).unwrap();
    let out = env
        .run_str(&url, &["search", "--image", path.to_str().unwrap()])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_truncated_face_image_stops_an_enrolment_before_anything_is_sent() {
    let env = Env::new();
    let server = TestServer::start([]).await;
    let bytes = encoded(image::ImageFormat::Jpeg);
    let good = env.path("good.jpg");
    std::fs::write(&good, &bytes).unwrap();
    let cut = env.path("cut.jpg");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let out = env
        .run_str(
            &server.url(),
            &[
                "persons",
                "create",
                "--name",
                "Ana",
                "--image",
                good.to_str().unwrap(),
                "--image",
                cut.to_str().unwrap(),
            ],
        )
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("cut.jpg"), "{}", stderr(&out));
    assert!(stderr(&out).contains("truncated or corrupt"));
    assert_eq!(server.requests().len(), 0);
}

#[tokio::test]
async fn fifos_are_refused_by_name_instead_of_hanging() {
    let env = Env::new();
    let server = TestServer::start([]).await;
    let url = server.url();
    let pipe = env.path("p.jpg");
    mkfifo(&pipe);
    let pipe_s = pipe.to_str().unwrap();
    for args in [
        vec!["search", "--image", pipe_s],
        vec!["persons", "create", "--name", "Ana", "--image", pipe_s],
        vec!["persons", "update", "p1", "--image", pipe_s],
    ] {
        let out = env.run_str(&url, &args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(pipe_s), "{args:?} names the file: {err}");
        assert!(err.contains("named pipe (FIFO)"), "{args:?}: {err}");
    }

    // A FIFO at the default config path used to hang every command.
    let config_dir = env.path("config/liveface");
    std::fs::create_dir_all(&config_dir).unwrap();
    mkfifo(&config_dir.join("config.toml"));
    for args in [vec!["collections", "list"], vec!["persons", "list"]] {
        let out = env.run_str(&url, &args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("config.toml"), "{err}");
        assert!(err.contains("named pipe"), "{err}");
    }
    let other = env.path("other.toml");
    mkfifo(&other);
    let out = env
        .run_str(&url, &["collections", "--config", other.to_str().unwrap()])
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("other.toml"));
    assert_eq!(server.requests().len(), 0);
}

#[tokio::test]
#[cfg(unix)]
async fn a_probe_whose_name_is_not_utf8_is_searched() {
    use std::os::unix::ffi::OsStrExt;
    let env = Env::new();
    let server = TestServer::start([no_match()]).await;
    let name = std::ffi::OsStr::from_bytes(b"caf\xE9.jpg");
    let path = env.home.path().join(name);
    std::fs::write(&path, encoded(image::ImageFormat::Jpeg)).unwrap();
    let args = [
        std::ffi::OsStr::new("search"),
        std::ffi::OsStr::new("--image"),
        path.as_os_str(),
    ];
    let out = env.run(&server.url(), &args).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn negative_numbers_reach_the_range_checks() {
    let env = Env::new();
    let server = TestServer::start([]).await;
    let url = server.url();
    let probe = env.path("probe.jpg");
    std::fs::write(&probe, encoded(image::ImageFormat::Jpeg)).unwrap();
    let probe = probe.to_str().unwrap();
    let cases: [(Vec<&str>, &str); 7] = [
        (
            vec!["search", "--image", probe, "--min-score", "-0.7"],
            "min_score must be between 0.5 and 1.0 (got -0.7)",
        ),
        (
            vec!["search", "--image", probe, "--liveness-min-score", "-1"],
            "liveness_min_score must be between 0.5 and 1.0",
        ),
        (
            vec!["search", "--image", probe, "--max-side", "-3"],
            "max_side must be between 64 and 8192 pixels (got -3)",
        ),
        (
            vec!["search", "--image", probe, "--timeout", "-5"],
            "timeout must be between 1 and 600 seconds (got -5)",
        ),
        (
            vec!["collections", "--timeout", "-5"],
            "timeout must be between 1 and 600 seconds (got -5)",
        ),
        (
            vec!["persons", "list", "--page", "-1"],
            "--page starts at 1 (got -1)",
        ),
        (
            vec!["persons", "list", "--limit", "-5"],
            "--limit must be between 1 and 100 (got -5)",
        ),
    ];
    for (args, says) in cases {
        let out = env.run_str(&url, &args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("unexpected argument"), "{args:?}");
    }
    assert_eq!(server.requests().len(), 0);
}

#[tokio::test]
async fn a_page_past_the_end_says_how_many_pages_there_are() {
    let env = Env::new();
    let server = TestServer::start([Step::json(
        200,
        json!({"data": [], "pagination": {"page": 4, "limit": 20, "total": 30, "pages": 2}}),
    )])
    .await;
    let out = env
        .run_str(&server.url(), &["persons", "list", "--page", "4"])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("no persons on page 4 (there are 2 pages)"),
        "{text}"
    );
    assert!(!text.contains("page 4 of 2"), "{text}");
}

#[tokio::test]
async fn digits_in_a_name_are_warned_about_before_sending() {
    let env = Env::new();
    let server = TestServer::start([Step::json(
        200,
        json!({"data": {"_id": "p9", "name": "Agent"}}),
    )])
    .await;
    let url = server.url();
    let probe = env.path("probe.jpg");
    std::fs::write(&probe, encoded(image::ImageFormat::Jpeg)).unwrap();
    let probe = probe.to_str().unwrap();
    let out = env
        .run_str(
            &url,
            &["persons", "create", "--name", "Agent 007", "--image", probe],
        )
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: 'Agent 007' will be stored as 'Agent'"),
        "{}",
        stderr(&out)
    );
    assert_eq!(server.requests().len(), 1);
    // Digits only would be stored empty: refused, nothing sent.
    let out = env
        .run_str(&url, &["persons", "update", "p9", "--name", "007"])
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("only digits"), "{}", stderr(&out));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn persons_list_keeps_columns_aligned_with_wide_and_combining_names() {
    let env = Env::new();
    let server = TestServer::start([Step::json(
        200,
        json!({"data": [
            {"_id": "p1", "name": "Ana", "nationality": "Colombia", "gender": "F"},
            {"_id": "p2", "name": "王小明", "nationality": "中国", "gender": "M"},
            {"_id": "p3", "name": "Zoe\u{308}", "nationality": "France", "gender": "F"}
        ], "pagination": {"page": 1, "limit": 20, "total": 3, "pages": 1}}),
    )])
    .await;
    let out = env.run_str(&server.url(), &["persons", "list"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    // The gender column starts in the same terminal cell on every row.
    let starts: Vec<usize> = text
        .lines()
        .skip(1)
        .take(3)
        .map(|l| {
            let at = l.find(" F ").or_else(|| l.find(" M ")).unwrap();
            liveface::textwidth::width(&l[..at])
        })
        .collect();
    assert_eq!(starts, vec![starts[0]; 3], "{text}");
}
