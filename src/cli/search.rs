//! `liveface search`: one live 1:N search, as a table or one JSON object.

use std::path::Path;
use std::time::Instant;

use serde_json::json;

use super::args::{GlobalArgs, SearchArgs};
use super::output::{matches_table, person_json};
use super::{open, report, EXIT_BAD_INPUT};
use crate::api::model::{FaceBox, SearchOutcome};
use crate::api::scores::liveness_passed;
use crate::api::ApiError;
use crate::config::Flags;
use crate::history::{run_of_search, HistoryStore, SearchMade};
use crate::probe;

pub async fn run(global: &GlobalArgs, args: &SearchArgs) -> i32 {
    let flags = Flags {
        os: args.os.clone(),
        liveness_min_score: args.liveness_min_score.clone(),
        min_score: args.min_score.clone(),
        search_mode: args.search_mode.clone(),
        collection_id: args.collection.clone(),
        max_side: args.max_side,
        ..global.flags()
    };
    // Validate everything local before connecting (which may start a sandbox).
    let config = match crate::config::load(&flags) {
        Ok(c) => c,
        Err(e) => {
            report(&e);
            return EXIT_BAD_INPUT;
        }
    };
    let params = config.defaults.clone();
    let path = args.image.clone();
    let max_side = config.max_side;
    let probe = match tokio::task::spawn_blocking(move || probe::prepare(&path, max_side)).await {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => {
            report(&e);
            return EXIT_BAD_INPUT;
        }
        Err(e) => {
            report(&format!("probe preparation failed: {e}"));
            return 1;
        }
    };
    let (config, conn) = match open(global, flags).await {
        Ok(c) => c,
        Err(code) => return code,
    };
    let started = Instant::now();
    let result = conn.client.search_live_face(&probe.base64, &params).await;
    let elapsed_ms = started.elapsed().as_millis() as u64;
    let mut kept = None;
    if !args.no_history {
        let made = SearchMade {
            probe: probe.stamp.clone(),
            params: params.clone(),
            sent: probe.sent,
            backend: conn.backend.label(),
            profile: config.profile.clone(),
            backend_key: conn.backend_key(),
            elapsed_ms,
        };
        kept = keep_in_history(&crate::config::history_path(), made, &result);
    }
    match result {
        Ok(outcome) => {
            if args.json {
                println!(
                    "{}",
                    outcome_json(
                        args,
                        &params,
                        &conn.backend.label(),
                        &outcome,
                        elapsed_ms,
                        conn.client.requests_sent(),
                        kept,
                    )
                );
            } else {
                print_table(&params, &outcome, elapsed_ms, &conn.backend.label(), kept);
            }
            0
        }
        Err(e) => {
            report(&e);
            if e.is_liveness_failure() {
                if let Some(s) = e.liveness_score() {
                    eprintln!(
                        "liveface: liveness score {s:.3} is not above the threshold {:.2}",
                        params.liveness_min_score
                    );
                }
            }
            e.exit_code()
        }
    }
}

/// Appends the search to the history file as its next run (under the history's lock,
/// beside any dashboard using it). A failure is a warning: the answer is still printed.
/// Returns the run's id when it was kept.
fn keep_in_history(
    path: &Path,
    made: SearchMade,
    result: &Result<SearchOutcome, ApiError>,
) -> Option<u64> {
    let store = HistoryStore::new(path);
    let saved = store.reserve_id(1).and_then(|id| {
        let run = run_of_search(id, chrono::Utc::now(), made, result, ApiError::to_string);
        store.append(&run).map(|()| id)
    });
    match saved {
        Ok(id) => Some(id),
        Err(e) => {
            eprintln!(
                "liveface: warning: the search was not kept in the history ({}): {e}",
                path.display()
            );
            None
        }
    }
}

fn outcome_json(
    args: &SearchArgs,
    params: &crate::api::model::SearchParams,
    backend: &str,
    outcome: &SearchOutcome,
    elapsed_ms: u64,
    requests_sent: u64,
    history_run: Option<u64>,
) -> serde_json::Value {
    let mut v = json!({
        "query": {
            "image": args.image.display().to_string(),
            "os": params.os,
            "liveness_min_score": params.liveness_min_score,
            "min_score": params.min_score,
            "search_mode": params.search_mode,
            "collection_id": params.collection_id,
        },
        "backend": backend,
        "liveness_score": outcome.liveness_score,
        "matches": outcome.persons.iter().map(|m| {
            let mut v = m.person.as_ref().map(person_json).unwrap_or_else(|| json!({}));
            v["id"] = json!(m.id);
            v["score"] = json!(m.score);
            v
        }).collect::<Vec<_>>(),
        "liveness_passed": outcome.liveness_score.map(|s| liveness_passed(s, params.liveness_min_score)),
        "requests_sent": requests_sent,
        "elapsed_ms": elapsed_ms,
    });
    // Hits the server sent below min_score: kept apart, never in "matches".
    if !outcome.below_min_score.is_empty() {
        v["below_min_score"] = json!(outcome
            .below_min_score
            .iter()
            .map(|m| json!({"id": m.id, "score": m.score, "name": m.name()}))
            .collect::<Vec<_>>());
    }
    if let Some(id) = history_run {
        v["history_run"] = json!(id);
    }
    if outcome.percent_scale {
        v["score_scale"] = json!("0-100, divided by 100");
    }
    // Only servers that send a face box (the sandbox) add the key: Verifik's output is unchanged.
    if let Some(face) = &outcome.face {
        v["face"] = json!(face);
    }
    v
}

fn print_table(
    params: &crate::api::model::SearchParams,
    outcome: &SearchOutcome,
    elapsed_ms: u64,
    backend: &str,
    history_run: Option<u64>,
) {
    if outcome.percent_scale {
        println!("note: the server sent scores on 0–100; they are shown divided by 100");
    }
    let threshold = params.liveness_min_score;
    match outcome.liveness_score {
        Some(s) if !outcome.liveness_contradicts(params) => {
            println!("liveness {s:.3} (passed: above {threshold:.2})")
        }
        Some(s) => println!(
            "liveness {s:.3} — NOT above {threshold:.2}, yet the server answered with results (flagged: check the server)"
        ),
        None => println!("liveness: not reported by the server"),
    }
    if let Some(f) = &outcome.face {
        println!("{}", face_line(f));
    }
    if outcome.persons.is_empty() {
        println!("no match at or above {:.2}", params.min_score);
    } else {
        print!("{}", matches_table(&outcome.persons));
    }
    if !outcome.below_min_score.is_empty() {
        println!(
            "flagged: the server also sent {} hit{} below min_score {:.2} (not matches):",
            outcome.below_min_score.len(),
            if outcome.below_min_score.len() == 1 {
                ""
            } else {
                "s"
            },
            params.min_score
        );
        print!("{}", matches_table(&outcome.below_min_score));
    }
    let kept = history_run
        .map(|id| format!(" · run #{id}"))
        .unwrap_or_default();
    println!(
        "{} match{} · {} · {} ms{kept}",
        outcome.persons.len(),
        if outcome.persons.len() == 1 { "" } else { "es" },
        backend,
        elapsed_ms
    );
}

/// `face at x 370, y 91, 243×331 px of the upload`.
fn face_line(f: &FaceBox) -> String {
    format!(
        "face at x {:.0}, y {:.0}, {:.0}×{:.0} px of the upload",
        f.x, f.y, f.width, f.height
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_face_line_rounds_to_whole_pixels() {
        let f = FaceBox {
            x: 369.5,
            y: 90.94,
            width: 242.7,
            height: 330.5,
        };
        assert_eq!(
            face_line(&f),
            "face at x 370, y 91, 243×330 px of the upload"
        );
    }
}
