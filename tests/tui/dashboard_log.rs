//! While the dashboard owns the screen, a panic on a background thread and the embedded
//! sandbox's log lines go to the log file, not to stderr (which is the screen); after it,
//! stderr again. Runs the scenario in a child process of this test binary so its real
//! stderr can be read.

use std::path::Path;

use crate::common::this_test_alone;

const CHILD: &str = "LIVEFACE_LOG_TEST_CHILD";
const TEST: &str = "background_panics_and_sandbox_lines_go_to_the_log_file";

#[test]
fn background_panics_and_sandbox_lines_go_to_the_log_file() {
    if let Ok(path) = std::env::var(CHILD) {
        child(Path::new(&path));
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let log_path = tmp.path().join("data/liveface.log");
    let out = this_test_alone(module_path!(), TEST)
        .env(CHILD, &log_path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed:\n{stderr}");
    let log = std::fs::read_to_string(&log_path).expect("the log file was written");
    assert!(
        log.contains("panic on background thread 'worker'")
            && log.contains("boom in the background"),
        "{log}"
    );
    assert!(
        log.contains("sandbox: GET /v2/face-recognition/collections 200 "),
        "{log}"
    );
    assert!(
        !stderr.contains("boom"),
        "the panic reached stderr:\n{stderr}"
    );
    assert!(
        !stderr.contains("sandbox: GET /v2/face-recognition/collections"),
        "a sandbox line reached stderr:\n{stderr}"
    );
    assert!(
        stderr.contains("sandbox: GET /v2/face-recognition/persons 200 "),
        "after the dashboard, lines go to stderr again:\n{stderr}"
    );
    assert!(!log.contains("/persons"), "{log}");
}

/// The scenario: a dashboard's diversion, a panicking thread, a logged request; then the
/// diversion ends and one more request is logged.
fn child(log_path: &Path) {
    liveface::logging::init();
    liveface::tui::install_panic_hook();
    let data = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut opts = liveface::sandbox::SandboxOptions::local(data.path());
    opts.log = true;
    opts.token = Some("t".into());
    let sandbox = rt.block_on(liveface::sandbox::start(opts)).unwrap();
    let get = |path: &str| {
        let url = format!("{}/v2/face-recognition/{path}", sandbox.base_url);
        rt.block_on(async {
            reqwest::Client::new()
                .get(url)
                .bearer_auth("t")
                .send()
                .await
                .unwrap()
                .status()
        })
    };

    let log = liveface::logging::divert(log_path.to_path_buf());
    let worker = std::thread::Builder::new()
        .name("worker".into())
        .spawn(|| panic!("boom in the background"))
        .unwrap();
    assert!(worker.join().is_err());
    assert_eq!(get("collections").as_u16(), 200);
    assert_eq!(log.logged(), 2, "the panic and the request line");
    assert!(log.summary().unwrap().contains("2 lines were logged to"));
    drop(log);

    assert_eq!(get("persons").as_u16(), 200);
}
