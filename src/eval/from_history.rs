//! `liveface eval --history`: the runs a user labelled while working (see
//! `crate::history::Truth`) evaluated as a labelled set, with no request at all.
//!
//! A run only says what its server returned at its own thresholds: matches at or above
//! its `min_score`, and a search only when liveness passed its `liveness_min_score`. So
//! the runs evaluated together are read at common *floors*, the strictest thresholds
//! among them: every run then holds everything a search at the floors would have given,
//! and the measures cover the thresholds from the floors up (a search at the API's own
//! floor, as `eval SET` sends, covers 0.50 up).

use std::collections::BTreeMap;
use std::path::Path;

use crate::api::model::SearchParams;
use crate::api::scores::liveness_passed;
use crate::history::{Run, RunOutcome, Truth};

use super::measures::{Candidate, ProbeResult};
use super::report::{EvalProbe, Evaluation};
use super::set::Kind;

/// Which labelled runs to evaluate together: runs must share the back end and every
/// search parameter but the thresholds. `None` takes the newest labelled run's value.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// The back end (`Run::backend_key`): the one in use, so thresholds are chosen for
    /// the engine or account they will be used with.
    pub backend_key: Option<String>,
    pub os: Option<crate::api::model::Os>,
    pub search_mode: Option<crate::api::model::SearchMode>,
    /// `Some(None)` asks for searches of all persons (no collection).
    pub collection: Option<Option<String>>,
}

/// The evaluation of the chosen runs, and why other labelled runs were left out.
#[derive(Clone, Debug)]
pub struct FromHistory {
    pub evaluation: Evaluation,
    /// Plain words, one per reason, with counts.
    pub left_out: Vec<String>,
}

/// Builds the evaluation of the labelled runs in `runs` (a history, any order).
/// `current` is `(min_score, liveness_min_score)` from the configuration.
///
/// A re-filtered run is a local view of the run it came from, which holds its label: it
/// is read only when that run is gone. Of several searches of the same probe file, the
/// least strict one is read (it holds the most), so one strict search does not raise the
/// floors of the whole evaluation.
///
/// # Errors
/// Plain words when no run is labelled, or none is left after the selection (naming the
/// back ends that do have labelled runs).
pub fn evaluate(
    runs: &[Run],
    history: &Path,
    selection: &Selection,
    current: (f64, f64),
) -> Result<FromHistory, String> {
    let mut labelled: Vec<&Run> = runs.iter().filter(|r| r.truth.is_some()).collect();
    if labelled.is_empty() {
        return Err(format!(
            "no labelled runs in {}: label runs with `liveface history label N TRUTH` \
             (or the dashboard's label key) first",
            history.display()
        ));
    }
    let present: std::collections::HashSet<u64> = runs.iter().map(|r| r.id).collect();
    // Least strict first, then newest: the first run of a probe file is the one read.
    labelled.sort_by(|a, b| {
        (a.params.min_score, a.params.liveness_min_score)
            .partial_cmp(&(b.params.min_score, b.params.liveness_min_score))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(b.id.cmp(&a.id))
    });
    let key = match &selection.backend_key {
        Some(k) => k.clone(),
        None => labelled
            .iter()
            .max_by_key(|r| r.id)
            .map(|r| backend_of(r))
            .unwrap_or_default(),
    };
    // The newest labelled run of that back end gives the other parameters.
    let Some(newest) = labelled
        .iter()
        .filter(|r| backend_of(r) == key)
        .max_by_key(|r| r.id)
        .copied()
    else {
        let mut others: BTreeMap<String, usize> = BTreeMap::new();
        for r in &labelled {
            *others.entry(r.backend.clone()).or_default() += 1;
        }
        let list: Vec<String> = others.iter().map(|(b, n)| format!("{b} ({n})")).collect();
        return Err(format!(
            "no labelled run of the back end in use; labelled runs are of: {} \
             (choose that back end, e.g. with --profile or --models, to evaluate them)",
            list.join(", ")
        ));
    };
    let os = selection.os.unwrap_or(newest.params.os);
    let mode = selection.search_mode.unwrap_or(newest.params.search_mode);
    let collection = selection
        .collection
        .clone()
        .unwrap_or_else(|| newest.params.collection_id.clone());

    let mut left_out: BTreeMap<String, usize> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    let mut chosen = Vec::new();
    for run in labelled {
        let reason = if run
            .refiltered_from
            .is_some_and(|source| present.contains(&source))
        {
            Some("re-filtered views of a run that is read instead".to_owned())
        } else if backend_of(run) != key {
            Some(format!("another back end ({})", run.backend))
        } else if run.params.os != os
            || run.params.search_mode != mode
            || run.params.collection_id != collection
        {
            Some("other os, search mode or collection".to_owned())
        } else if matches!(
            run.outcome,
            RunOutcome::Error { .. } | RunOutcome::Cancelled
        ) {
            Some("failed or cancelled searches".to_owned())
        } else if !seen.insert(run.probe.clone()) {
            Some("stricter or older searches of the same probe file".to_owned())
        } else {
            None
        };
        match reason {
            Some(r) => *left_out.entry(r).or_default() += 1,
            None => chosen.push(run),
        }
    }
    if chosen.is_empty() {
        return Err("no labelled run matches the selection".into());
    }
    let floor_min = chosen
        .iter()
        .map(|r| r.params.min_score)
        .fold(0.0, f64::max);
    let floor_live = chosen
        .iter()
        .map(|r| r.params.liveness_min_score)
        .fold(0.0, f64::max);
    chosen.sort_by_key(|r| r.id); // oldest first, as the history lists them
    let probes = chosen.iter().map(|run| probe_of(run, floor_live)).collect();
    let evaluation = Evaluation {
        set: history.to_path_buf(),
        backend: newest.backend.clone(),
        params: SearchParams {
            os,
            search_mode: mode,
            collection_id: collection,
            liveness_min_score: floor_live,
            min_score: floor_min,
        },
        current,
        complete: true,
        requests_sent: 0,
        elapsed_ms: 0,
        probes,
    };
    Ok(FromHistory {
        evaluation,
        left_out: left_out
            .into_iter()
            .map(|(why, n)| format!("{n} labelled run{} left out: {why}", plural(n)))
            .collect(),
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The back end a run answered from (runs saved before keys existed: their label).
fn backend_of(run: &Run) -> String {
    run.backend_key
        .clone()
        .unwrap_or_else(|| format!("{} (no key)", run.backend))
}

/// One labelled run as a probe result at the liveness floor `floor_live`.
fn probe_of(run: &Run, floor_live: f64) -> EvalProbe {
    let (kind, expected) = match &run.truth {
        Some(Truth::Enrolled { expected }) => (Kind::Mated, Some(expected.clone())),
        Some(Truth::Attack) => (Kind::Attack, None),
        _ => (Kind::Nonmated, None),
    };
    let (liveness_score, passed) = match &run.outcome {
        // Failed at its own threshold, which is at most the floor: fails there too.
        RunOutcome::LivenessFailed { score } => (*score, Some(false)),
        _ => (
            run.liveness_score,
            run.liveness_score.map(|s| liveness_passed(s, floor_live)),
        ),
    };
    // A probe that fails liveness at the floor would not have been searched there.
    let candidates = if passed == Some(false) {
        Vec::new()
    } else {
        run.matches
            .iter()
            .map(|m| Candidate {
                id: m.id.clone(),
                name: m.name.clone(),
                score: m.score,
            })
            .collect()
    };
    EvalProbe {
        path: run.probe.path.clone(),
        kind,
        label: expected.clone(),
        result: Some(ProbeResult {
            kind,
            expected,
            liveness_score,
            liveness_passed_floor: passed,
            candidates,
            error: None,
        }),
        note: None,
        resumed: false,
    }
}

#[cfg(test)]
mod tests;
