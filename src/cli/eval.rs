//! `liveface eval SET`: search every probe of a labelled set once and report FNIR, FPIR,
//! APCER and BPCER for every threshold (see `crate::eval`).

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::args::{EvalArgs, GlobalArgs};
use super::eval_output::{check_outputs, write_outputs};
use super::{confirm, open, report, EXIT_BAD_INPUT};
use crate::api::ApiError;
use crate::config::Flags;
use crate::eval::journal::{self, Journal};
use crate::eval::measures::ProbeResult;
use crate::eval::report::Evaluation;
use crate::eval::run::{
    all_persons, check_readable, floor_params, plan_set, result_of, run_jobs, Job, JobEnd,
    SearchPlan, SetPlan, StopFlag,
};
use crate::eval::set;

/// Exit code of an evaluation stopped with Ctrl-c (what it did is still reported).
pub const EXIT_INTERRUPTED: i32 = 130;

pub async fn run(global: &GlobalArgs, args: &EvalArgs) -> i32 {
    let set = match (&args.set, args.history) {
        (Some(set), false) => set,
        _ => return super::eval_history::run(global, args),
    };
    let flags = Flags {
        os: args.os.clone(),
        search_mode: args.search_mode.clone(),
        collection_id: args.collection.clone(),
        max_side: args.max_side,
        ..global.flags()
    };
    // Everything local first: nothing is sent (nor a sandbox started) for bad input.
    if let Err(e) = crate::config::load(&flags) {
        report(&e);
        return EXIT_BAD_INPUT;
    }
    if let Err(e) = check_outputs(args) {
        report(&e);
        return EXIT_BAD_INPUT;
    }
    let set_path = match std::fs::canonicalize(set) {
        Ok(p) => p,
        Err(e) => {
            report(&format!("cannot read {}: {e}", set.display()));
            return EXIT_BAD_INPUT;
        }
    };
    let loaded = {
        let p = set_path.clone();
        tokio::task::spawn_blocking(move || {
            set::load(&p).map(|s| {
                let checks: Vec<_> = s.probes.iter().map(|p| check_readable(&p.path)).collect();
                (s, checks)
            })
        })
        .await
    };
    let (labelled, checks) = match loaded {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => {
            report(&e);
            return EXIT_BAD_INPUT;
        }
        Err(e) => {
            report(&format!("reading the set failed: {e}"));
            return 1;
        }
    };
    for (path, why) in &labelled.ignored {
        eprintln!("liveface: ignored {}: {why}", path.display());
    }

    let (config, conn) = match open(global, flags).await {
        Ok(c) => c,
        Err(code) => return code,
    };
    let client = conn.client.clone();

    // Names before anything is sent.
    let labels: BTreeSet<&str> = labelled
        .probes
        .iter()
        .filter_map(|p| p.label.as_deref())
        .collect();
    let collection = config.defaults.collection_id.clone();
    let ids = if labels.is_empty() {
        Default::default()
    } else {
        let persons = match all_persons(&client, collection.as_deref()).await {
            Ok(p) => p,
            Err(e) => {
                report(&format!(
                    "cannot list the persons to resolve the set's names: {e}"
                ));
                return e.exit_code();
            }
        };
        let scope = collection.as_deref().map_or_else(
            || "the server's persons".to_owned(),
            |c| format!("collection {c}"),
        );
        match set::resolve(labels.iter().copied(), &persons, &scope) {
            Ok(ids) => ids,
            Err(e) => {
                report(&e);
                return EXIT_BAD_INPUT;
            }
        }
    };

    let params = floor_params(&config.defaults);
    let key = journal::key(&set_path, &params, config.max_side, &conn.backend_key());
    let journal_dir = crate::config::data_dir().join("eval");
    let (mut journal, done) = match Journal::open(&journal_dir, &key, args.fresh) {
        Ok(j) => j,
        Err(e) => {
            report(&format!(
                "cannot open the evaluation journal in {}: {e}",
                journal_dir.display()
            ));
            return 1;
        }
    };

    let SetPlan {
        mut probes,
        expected: expected_of,
        jobs,
    } = plan_set(&labelled, checks, &ids, &done);
    for p in &probes {
        if let Some(why) = p
            .note
            .as_deref()
            .and_then(|n| n.strip_prefix("unreadable, never sent: "))
        {
            eprintln!("liveface: skipped {}: {why}", p.path.display());
        }
    }

    let resumed = probes.iter().filter(|p| p.resumed).count();
    if resumed > 0 {
        eprintln!(
            "liveface: resuming: {resumed} probe{} already searched with these parameters (journal {}); --fresh starts over",
            if resumed == 1 { " was" } else { "s were" },
            journal.path().display()
        );
    }
    if !jobs.is_empty() && !conn.backend.is_sandbox() && !args.yes {
        let n = jobs.len();
        let question = format!(
            "{n} request{s} ({n} credit{s}) will be sent to {} — continue?",
            conn.backend.label(),
            s = if n == 1 { "" } else { "s" }
        );
        if let Err(e) = confirm(&question) {
            report(&e);
            return EXIT_BAD_INPUT;
        }
    }

    let started = std::time::Instant::now();
    let bar = progress_bar(jobs.len() as u64);
    let stop = StopFlag::default();
    let abandon = Arc::new(tokio::sync::Notify::new());
    let watcher = tokio::spawn({
        let (stop, abandon, bar) = (stop.clone(), abandon.clone(), bar.clone());
        async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop.stop();
                bar.suspend(|| {
                    eprintln!("\nliveface: stopping — finishing the searches in flight (Ctrl-c again to abandon them)")
                });
            }
            if tokio::signal::ctrl_c().await.is_ok() {
                abandon.notify_one();
            }
        }
    });
    let mut requests_sent = 0u64;
    let mut first_failure: Option<ApiError> = None;
    let total_jobs = jobs.len();
    let journal_error = {
        let on_end = |job: &Job, end: &JobEnd| {
            bar.inc(1);
            requests_sent += u64::from(end.sent());
            let probe = &mut probes[job.index];
            let expected = expected_of[job.index].clone();
            probe.note = None;
            match end {
                JobEnd::Searched(s) => probe.result = Some(result_of(probe.kind, expected, s)),
                JobEnd::Unreadable(why) => {
                    probe.note = Some(format!("unreadable, never sent: {why}"))
                }
                JobEnd::Failed(e) => {
                    probe.result = Some(ProbeResult {
                        kind: probe.kind,
                        expected,
                        liveness_score: None,
                        liveness_passed_floor: None,
                        candidates: Vec::new(),
                        error: Some(crate::printable::printable(&e.to_string()).into_owned()),
                    });
                    if first_failure.is_none() {
                        first_failure = Some(e.clone());
                    }
                }
            }
        };
        let plan = SearchPlan {
            client: client.clone(),
            params: params.clone(),
            max_side: config.max_side,
            concurrency: usize::from(args.jobs),
        };
        let running = run_jobs(&plan, jobs, &mut journal, &stop, on_end);
        tokio::select! {
            (_, journal_error) = running => journal_error,
            _ = abandon.notified() => None,
        }
    };
    watcher.abort();
    bar.finish_and_clear();
    if let Some(e) = journal_error {
        eprintln!(
            "liveface: warning: the journal could not be written ({e}): a rerun will search those probes again"
        );
    }

    let evaluation = Evaluation {
        set: set_path,
        backend: conn.backend.label(),
        params: params.clone(),
        current: (
            config.defaults.min_score,
            config.defaults.liveness_min_score,
        ),
        complete: probes
            .iter()
            .all(|p| !p.note.as_deref().is_some_and(|n| n.starts_with("not run"))),
        requests_sent,
        elapsed_ms: started.elapsed().as_millis() as u64,
        probes,
    };
    let counts = evaluation.counts();
    if counts.failed > 0 {
        if let Some(e) = &first_failure {
            report(&format!(
                "{} of {total_jobs} searches failed and are in no measure (a rerun retries them); the first: {e}",
                counts.failed
            ));
        }
    }
    let code = write_outputs(args, &evaluation);
    // A stop for an authentication failure, or any failed search, is not a clean run:
    // the figures miss those probes. Scripts get the failure's code (after the report).
    match first_failure {
        Some(e) if e.kind() == crate::api::ErrorKind::Auth || evaluation.complete => e.exit_code(),
        _ if !evaluation.complete => EXIT_INTERRUPTED,
        _ => code,
    }
}

fn progress_bar(len: u64) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if !std::io::stderr().is_terminal() || len == 0 {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    if let Ok(style) =
        ProgressStyle::with_template("{bar:30} {pos}/{len} searches · {per_sec} · ETA {eta}")
    {
        bar.set_style(style);
    }
    bar
}
