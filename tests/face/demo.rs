//! The real-photo demo end to end: install the models from a mirror on 127.0.0.1, run
//! `liveface sandbox demo` against a mirror of the photo pack, then `liveface search` on
//! every written probe gives what its README (and `expected.json`) says — and what its
//! folder promises: a person's folder → that person first, `_not_enrolled` → nobody,
//! `_attacks` → liveness failed (exit 3), `_refused` → refused.

use crate::mirror_common;

use std::path::Path;
use std::process::Output;

use liveface::sandbox::face::models::ALL;
use liveface::sandbox::face_demo::{PACK, PERSONS};
use mirror_common::{command, have, shared_models, shared_pack, Mirror};
use serde_json::Value;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

async fn run(home: &Path, args: &[&str]) -> Output {
    command(home, args).output().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn install_demo_then_every_probe_searches_as_its_readme_says() {
    let model_names: Vec<&str> = ALL.iter().map(|f| f.name).collect();
    let pack_names: Vec<&str> = PACK.iter().map(|p| p.file.name).collect();
    if !have(&shared_models(), &model_names) || !have(&shared_pack(), &pack_names) {
        return;
    }
    let models_mirror = Mirror::start(&shared_models()).await;
    let pack_mirror = Mirror::start(&shared_pack()).await;
    let home = tempfile::tempdir().unwrap();
    let models = home.path().join("models");
    let m = models.to_str().unwrap();

    let out = run(
        home.path(),
        &[
            "--models",
            m,
            "models",
            "install",
            "--from",
            &models_mirror.base_url,
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));

    let out = run(
        home.path(),
        &[
            "--models",
            m,
            "sandbox",
            "demo",
            "--pack-from",
            &pack_mirror.base_url,
        ],
    )
    .await;
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    for person in PERSONS {
        assert!(
            stdout(&out).contains(&format!("enrolled {person} from")),
            "{}",
            stdout(&out)
        );
    }
    assert_eq!(pack_mirror.requests().len(), PACK.len());

    let probes = home.path().join("data/liveface/sandbox-face/probes");
    let readme = std::fs::read_to_string(probes.join("README.md")).unwrap();
    let expected: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(probes.join("expected.json")).unwrap())
            .unwrap();
    let mut labels: Vec<&str> = expected
        .iter()
        .map(|e| e["label"].as_str().unwrap())
        .collect();
    labels.dedup();
    let mut want: Vec<&str> = PERSONS.to_vec();
    want.extend(["_attacks", "_not_enrolled", "_refused"]);
    want.sort();
    assert_eq!(
        labels, want,
        "one folder per person, and the three special folders"
    );

    for e in &expected {
        let file = e["file"].as_str().unwrap();
        let label = e["label"].as_str().unwrap();
        assert!(probes.join(file).is_file(), "{file}");
        assert!(
            readme.contains(&format!("`{file}`")),
            "the README lists {file}"
        );
        // What the folder promises.
        let promised = match label {
            "_not_enrolled" => "no_match",
            "_attacks" => "liveness_failed",
            "_refused" => "refused",
            _ => "match",
        };
        assert_eq!(e["expect"], promised, "{file}: {e}");
        if promised == "match" {
            assert_eq!(e["person"], label, "{file}");
        }

        // What a search gives.
        let mut args: Vec<String> = vec!["--models".into(), m.into()];
        args.extend(["search".into(), "--search-mode".into()]);
        args.push(e["search_mode"].as_str().unwrap().into());
        let liveness = e["liveness_min_score"].as_f64().unwrap();
        if liveness != 0.65 {
            args.extend(["--liveness-min-score".into(), liveness.to_string()]);
        }
        args.extend([
            "--image".into(),
            probes.join(file).display().to_string(),
            "--json".into(),
        ]);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(home.path(), &argv).await;
        match promised {
            "match" | "no_match" => {
                assert_eq!(out.status.code(), Some(0), "{file}: {}", stderr(&out));
                let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
                let matches = v["matches"].as_array().unwrap();
                if promised == "match" {
                    assert!(!matches.is_empty(), "{file}: no match: {v}");
                    assert_eq!(matches[0]["name"], label, "{file}: {v}");
                } else {
                    assert!(matches.is_empty(), "{file}: {v}");
                }
            }
            "liveness_failed" => {
                assert_eq!(
                    out.status.code(),
                    Some(3),
                    "{file}: {}{}",
                    stdout(&out),
                    stderr(&out)
                );
            }
            _ => {
                assert_ne!(out.status.code(), Some(0), "{file}");
                assert!(
                    stderr(&out).contains("more than one face"),
                    "{file}: {}",
                    stderr(&out)
                );
            }
        }
    }

    // Again: the pack is already verified (nothing fetched), the store already seeded.
    let out = run(
        home.path(),
        &[
            "--models",
            m,
            "sandbox",
            "demo",
            "--pack-from",
            &pack_mirror.base_url,
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("already in the store"),
        "{}",
        stdout(&out)
    );
    assert_eq!(pack_mirror.requests().len(), PACK.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_pack_source_says_what_to_do() {
    let model_names: Vec<&str> = ALL.iter().map(|f| f.name).collect();
    if !have(&shared_models(), &model_names) {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let m = shared_models();
    let out = run(
        home.path(),
        &[
            "--models",
            m.to_str().unwrap(),
            "sandbox",
            "demo",
            "--pack-from",
            &format!("http://{refused}"),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("cannot reach") && err.contains("--pack-from"),
        "{err}"
    );
}
