//! The runner's half of the Evaluate screen: a labelled set read, its names resolved
//! against the server's persons and its journal opened (`Effect::PrepareEval`), then,
//! once the app has asked the user where requests are billed, every probe not already
//! journaled searched once at the floor thresholds (`Effect::RunEval`), progress sent
//! back after each probe, `Effect::StopEval` finishing the searches in flight and keeping
//! what is done. The history is never written: the evaluation is one result for the
//! screen, its per-probe results are in the journal.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::mpsc;

use crate::api::model::SearchParams;
use crate::api::Client;
use crate::eval::journal::{self, Journal};
use crate::eval::measures::ProbeResult;
use crate::eval::report::{EvalProbe, Evaluation};
use crate::eval::run::{
    all_persons, check_readable, floor_params, plan_set, result_of, run_jobs, Job, JobEnd,
    SearchPlan, SetPlan, StopFlag,
};
use crate::eval::set;

use super::action::{Action, EvalReady};
use super::app::error_words;
use super::effect::EvalRequest;

/// Searches in flight at once during an evaluation (the CLI's `--jobs` default).
pub const EVAL_JOBS: usize = 4;

/// A set ready to run: kept by the runner between `PrepareEval` and `RunEval`.
pub struct Prepared {
    request: EvalRequest,
    set: PathBuf,
    params: SearchParams,
    journal: Journal,
    probes: Vec<EvalProbe>,
    expected: Vec<Option<String>>,
    jobs: Vec<Job>,
}

/// The evaluations of this session: prepared, and the stop flags of those running.
#[derive(Default, Clone)]
pub struct Evals {
    prepared: Arc<Mutex<HashMap<u64, Prepared>>>,
    running: Arc<Mutex<HashMap<u64, StopFlag>>>,
}

impl Evals {
    /// Reads and checks the set, resolves its names, opens its journal; answers with
    /// `Action::EvalPrepared`.
    pub fn prepare(
        &self,
        seq: u64,
        request: EvalRequest,
        client: Client,
        max_side: u32,
        dir: PathBuf,
        tx: mpsc::UnboundedSender<Action>,
    ) {
        let evals = self.clone();
        tokio::spawn(async move {
            let result = match prepare(&request, &client, max_side, &dir).await {
                Ok(p) => {
                    let ready = EvalReady {
                        probes: p.probes.len(),
                        to_send: p.jobs.len(),
                        resumed: p.probes.iter().filter(|p| p.resumed).count(),
                        skipped: p.probes.iter().filter(|p| is_skipped(p)).count(),
                    };
                    if let Ok(mut map) = evals.prepared.lock() {
                        map.insert(seq, p);
                    }
                    Ok(ready)
                }
                Err(e) => Err(e),
            };
            let _ = tx.send(Action::EvalPrepared { seq, result });
        });
    }

    /// Runs a prepared set; `EvalProgress` after each probe, `EvalDone` at the end (or
    /// once a stop has let the searches in flight finish).
    pub fn run(&self, seq: u64, client: Client, max_side: u32, tx: mpsc::UnboundedSender<Action>) {
        let Some(prepared) = self.prepared.lock().ok().and_then(|mut m| m.remove(&seq)) else {
            return;
        };
        let stop = StopFlag::default();
        if let Ok(mut m) = self.running.lock() {
            m.insert(seq, stop.clone());
        }
        let running = self.running.clone();
        tokio::spawn(async move {
            let (evaluation, warning) = run(seq, prepared, client, max_side, &stop, &tx).await;
            if let Ok(mut m) = running.lock() {
                m.remove(&seq);
            }
            let _ = tx.send(Action::EvalDone {
                seq,
                evaluation: Box::new(evaluation),
                warning,
            });
        });
    }

    /// Stops a running evaluation (what is done is kept) or forgets a prepared one.
    pub fn stop(&self, seq: u64) {
        if let Some(flag) = self.running.lock().ok().and_then(|m| m.get(&seq).cloned()) {
            flag.stop();
        }
        if let Ok(mut m) = self.prepared.lock() {
            m.remove(&seq);
        }
    }

    /// Stops every evaluation (the dashboard quits).
    pub fn stop_all(&self) {
        if let Ok(m) = self.running.lock() {
            m.values().for_each(StopFlag::stop);
        }
    }
}

fn is_skipped(p: &EvalProbe) -> bool {
    p.result.is_none()
        && p.note
            .as_deref()
            .is_some_and(|n| n.starts_with("unreadable"))
}

async fn prepare(
    request: &EvalRequest,
    client: &Client,
    max_side: u32,
    dir: &Path,
) -> Result<Prepared, String> {
    let set_path = std::fs::canonicalize(&request.set)
        .map_err(|e| format!("cannot read {}: {e}", request.set.display()))?;
    let loaded = {
        let p = set_path.clone();
        tokio::task::spawn_blocking(move || {
            set::load(&p).map(|s| {
                let checks: Vec<_> = s.probes.iter().map(|p| check_readable(&p.path)).collect();
                (s, checks)
            })
        })
        .await
        .map_err(|e| format!("reading the set failed: {e}"))??
    };
    let (labelled, checks) = loaded;
    // Names before anything is sent.
    let labels: BTreeSet<&str> = labelled
        .probes
        .iter()
        .filter_map(|p| p.label.as_deref())
        .collect();
    let collection = request.params.collection_id.clone();
    let ids = if labels.is_empty() {
        Default::default()
    } else {
        let persons = all_persons(client, collection.as_deref())
            .await
            .map_err(|e| {
                format!(
                    "cannot list the persons to resolve the set's names: {}",
                    error_words(&e)
                )
            })?;
        let scope = collection.as_deref().map_or_else(
            || "the server's persons".to_owned(),
            |c| format!("collection {c}"),
        );
        set::resolve(labels.iter().copied(), &persons, &scope).map_err(|e| e.to_string())?
    };
    let params = floor_params(&request.params);
    let key = journal::key(&set_path, &params, max_side, &request.backend_key);
    let (journal, done) = Journal::open(dir, &key, false).map_err(|e| {
        format!(
            "cannot open the evaluation journal in {}: {e}",
            dir.display()
        )
    })?;
    let SetPlan {
        probes,
        expected,
        jobs,
    } = plan_set(&labelled, checks, &ids, &done);
    Ok(Prepared {
        request: request.clone(),
        set: set_path,
        params,
        journal,
        probes,
        expected,
        jobs,
    })
}

async fn run(
    seq: u64,
    prepared: Prepared,
    client: Client,
    max_side: u32,
    stop: &StopFlag,
    tx: &mpsc::UnboundedSender<Action>,
) -> (Evaluation, Option<String>) {
    let Prepared {
        request,
        set,
        params,
        mut journal,
        mut probes,
        expected,
        jobs,
    } = prepared;
    let started = Instant::now();
    let total = jobs.len();
    let mut done = 0;
    let mut requests_sent = 0u64;
    let mut first_failure: Option<String> = None;
    let plan = SearchPlan {
        client,
        params: params.clone(),
        max_side,
        concurrency: EVAL_JOBS,
    };
    let (_, journal_error) = run_jobs(&plan, jobs, &mut journal, stop, |job, end| {
        done += 1;
        requests_sent += u64::from(end.sent());
        let _ = tx.send(Action::EvalProgress { seq, done, total });
        let probe = &mut probes[job.index];
        let mate = expected[job.index].clone();
        probe.note = None;
        match end {
            JobEnd::Searched(s) => probe.result = Some(result_of(probe.kind, mate, s)),
            JobEnd::Unreadable(why) => probe.note = Some(format!("unreadable, never sent: {why}")),
            JobEnd::Failed(e) => {
                let words = crate::printable::printable(&error_words(e)).into_owned();
                first_failure.get_or_insert_with(|| words.clone());
                probe.result = Some(ProbeResult {
                    kind: probe.kind,
                    expected: mate,
                    liveness_score: None,
                    liveness_passed_floor: None,
                    candidates: Vec::new(),
                    error: Some(words),
                });
            }
        }
    })
    .await;
    let complete = probes
        .iter()
        .all(|p| !p.note.as_deref().is_some_and(|n| n.starts_with("not run")));
    let evaluation = Evaluation {
        set,
        backend: request.backend_label,
        params,
        current: (request.params.min_score, request.params.liveness_min_score),
        complete,
        requests_sent,
        elapsed_ms: started.elapsed().as_millis() as u64,
        probes,
    };
    let warning = match (journal_error, first_failure) {
        (_, Some(e)) => Some(format!(
            "some searches failed and are in no measure (evaluating again retries them); the first: {e}"
        )),
        (Some(e), None) => Some(format!(
            "the journal could not be written ({e}): evaluating again searches those probes again"
        )),
        (None, None) => None,
    };
    (evaluation, warning)
}
