//! Running a labelled set: each probe prepared and searched once at the floor
//! thresholds, a few at a time, every result journaled as it arrives.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures::StreamExt;

use super::journal::{self, Journal, Journaled, Searched};
use super::measures::{Candidate, ProbeResult};
use super::report::EvalProbe;
use super::set::{Kind, LabelledSet};
use crate::api::model::{Person, PersonQuery, SearchOutcome, SearchParams, THRESHOLD_MIN};
use crate::api::{ApiError, Client};
use crate::history::ProbeStamp;

/// The parameters every probe is searched with: the caller's `os`, `search_mode` and
/// collection, at the lowest thresholds the API accepts (0.5 / 0.5), so that every
/// threshold at or above them can be evaluated locally.
pub fn floor_params(params: &SearchParams) -> SearchParams {
    SearchParams {
        liveness_min_score: THRESHOLD_MIN,
        min_score: THRESHOLD_MIN,
        ..params.clone()
    }
}

/// Checks that a file can be a probe without decoding it all (its size and image
/// header), and stamps it. Cheap enough to run on the whole set before asking to send.
///
/// # Errors
/// Why the file cannot be sent, in plain words.
pub fn check_readable(path: &Path) -> Result<ProbeStamp, String> {
    let stamp = ProbeStamp::of(path).map_err(|e| format!("cannot read it: {e}"))?;
    if stamp.size > crate::probe::MAX_FILE_BYTES {
        return Err("larger than 30 MB".into());
    }
    image::ImageReader::open(path)
        .map_err(|e| format!("cannot read it: {e}"))?
        .with_guessed_format()
        .map_err(|e| format!("cannot read it: {e}"))?
        .into_dimensions()
        .map_err(|e| format!("not a readable image: {e}"))?;
    Ok(stamp)
}

/// What a search gave, from the client's answer: an outcome, or a liveness failure
/// (a result, with its score when the server sent one). Other errors stay errors.
pub fn searched_of(result: Result<SearchOutcome, ApiError>) -> Result<Searched, ApiError> {
    match result {
        Ok(o) => Ok(Searched {
            liveness_score: o.liveness_score,
            liveness_passed_floor: true,
            candidates: o
                .persons
                .iter()
                .map(|m| Candidate {
                    id: m.id.clone(),
                    name: m.name().map(str::to_owned),
                    score: m.score,
                })
                .collect(),
        }),
        Err(e) if e.is_liveness_failure() => Ok(Searched {
            liveness_score: e.liveness_score(),
            liveness_passed_floor: false,
            candidates: Vec::new(),
        }),
        Err(e) => Err(e),
    }
}

/// One probe to search.
#[derive(Clone, Debug)]
pub struct Job {
    /// Its index in the set (results come back in any order).
    pub index: usize,
    pub path: PathBuf,
    pub stamp: ProbeStamp,
}

/// How one job ended.
#[derive(Debug)]
pub enum JobEnd {
    /// The search gave a result (journaled).
    Searched(Searched),
    /// The image could not be prepared: never sent.
    Unreadable(String),
    /// The search failed (not journaled: a rerun tries again).
    Failed(ApiError),
}

impl JobEnd {
    /// Whether a request was sent for it.
    pub fn sent(&self) -> bool {
        !matches!(self, JobEnd::Unreadable(_))
    }
}

/// Stops a run: `stop` finishes the searches in flight and starts no more.
#[derive(Clone, Default)]
pub struct StopFlag(Arc<AtomicBool>);

impl StopFlag {
    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// How the probes are searched.
#[derive(Clone, Debug)]
pub struct SearchPlan {
    pub client: Client,
    /// `os`, `search_mode` and collection; the thresholds are replaced by the floor.
    pub params: SearchParams,
    /// Longest side of the uploaded images.
    pub max_side: u32,
    /// Searches in flight at once (at least 1).
    pub concurrency: usize,
}

/// Searches `jobs`, at most `plan.concurrency` at a time, journaling each result and calling
/// `on_end` for every finished job. Stops starting new jobs once `stop` is set (the
/// caller sets it on Ctrl-c, or here on an authentication failure, which would fail
/// every other search too). Returns the finished jobs, in finishing order, and the
/// first journal write error, if any (the run goes on: the results are still reported).
pub async fn run_jobs(
    plan: &SearchPlan,
    jobs: Vec<Job>,
    journal: &mut Journal,
    stop: &StopFlag,
    mut on_end: impl FnMut(&Job, &JobEnd),
) -> (Vec<(Job, JobEnd)>, Option<std::io::Error>) {
    let params = floor_params(&plan.params);
    let max_side = plan.max_side;
    let source = futures::stream::iter(jobs).take_while(|_| {
        let go = !stop.is_stopped();
        async move { go }
    });
    let finished = source
        .map(|job| {
            let client = plan.client.clone();
            let params = params.clone();
            async move {
                let path = job.path.clone();
                let prepared =
                    tokio::task::spawn_blocking(move || crate::probe::prepare(&path, max_side))
                        .await;
                let probe = match prepared {
                    Ok(Ok(p)) => p,
                    Ok(Err(e)) => return (job, JobEnd::Unreadable(e.to_string())),
                    Err(e) => return (job, JobEnd::Unreadable(format!("preparation failed: {e}"))),
                };
                let end = match searched_of(client.search_live_face(&probe.base64, &params).await) {
                    Ok(s) => JobEnd::Searched(s),
                    Err(e) => JobEnd::Failed(e),
                };
                (job, end)
            }
        })
        .buffer_unordered(plan.concurrency.max(1));
    let mut finished = std::pin::pin!(finished);
    let mut out = Vec::new();
    let mut journal_error = None;
    while let Some((job, end)) = finished.next().await {
        match &end {
            JobEnd::Searched(s) => {
                if let Err(e) = journal.append(&job.stamp, s) {
                    journal_error.get_or_insert(e);
                }
            }
            JobEnd::Failed(e) if e.kind() == crate::api::error::ErrorKind::Auth => stop.stop(),
            _ => {}
        }
        on_end(&job, &end);
        out.push((job, end));
    }
    (out, journal_error)
}

/// Most persons read to resolve a set's names.
pub const MAX_PERSONS: u64 = 100_000;

/// Every person (of a collection), page by page, up to [`MAX_PERSONS`]: what a set's
/// names are resolved against before anything is sent.
///
/// # Errors
/// The first failed page.
pub async fn all_persons(
    client: &Client,
    collection: Option<&str>,
) -> Result<Vec<Person>, ApiError> {
    let mut query = PersonQuery {
        page: 1,
        limit: 100,
        collection: collection.map(str::to_owned),
        status: None,
    };
    let mut all = Vec::new();
    loop {
        let page = client.list_persons(&query).await?;
        let got = page.items.len() as u64;
        all.extend(page.items);
        let more = match page.pagination.and_then(|p| p.pages) {
            Some(pages) => query.page < pages,
            None => got == query.limit,
        };
        if !more || got == 0 || all.len() as u64 >= MAX_PERSONS {
            return Ok(all);
        }
        query.page += 1;
    }
}

/// A searched probe as the measures read it: its kind, the mate's id (mated) and what
/// the search gave.
pub fn result_of(kind: Kind, expected: Option<String>, s: &Searched) -> ProbeResult {
    ProbeResult {
        kind,
        expected,
        liveness_score: s.liveness_score,
        liveness_passed_floor: Some(s.liveness_passed_floor),
        candidates: s.candidates.clone(),
        error: None,
    }
}

/// The probes of a set as an evaluation starts: each probe's entry (a result resumed from
/// the journal, or a note saying why it has none yet), its mate's id, and the searches
/// still to send. The CLI and the dashboard's Evaluate screen start alike.
#[derive(Debug)]
pub struct SetPlan {
    /// In set order; `note` is "unreadable, never sent: …" or "not run (stopped before
    /// it)" until a job's result replaces it.
    pub probes: Vec<EvalProbe>,
    /// Each probe's mate (the id its label resolved to), in set order.
    pub expected: Vec<Option<String>>,
    pub jobs: Vec<Job>,
}

/// Plans a set: `checks` (one per probe, from [`check_readable`]) keeps unreadable
/// probes from ever being sent; a probe the journal answered for the same unchanged file
/// is resumed; the rest become jobs. `ids` maps the set's labels to person ids.
pub fn plan_set(
    labelled: &LabelledSet,
    checks: Vec<Result<ProbeStamp, String>>,
    ids: &std::collections::BTreeMap<String, String>,
    done: &Journaled,
) -> SetPlan {
    let mut plan = SetPlan {
        probes: Vec::with_capacity(labelled.probes.len()),
        expected: Vec::with_capacity(labelled.probes.len()),
        jobs: Vec::new(),
    };
    for (index, (p, check)) in labelled.probes.iter().zip(checks).enumerate() {
        let mate = p.label.as_ref().and_then(|l| ids.get(l)).cloned();
        let mut probe = EvalProbe {
            path: p.path.clone(),
            kind: p.kind,
            label: p.label.clone(),
            result: None,
            note: None,
            resumed: false,
        };
        match check {
            Err(why) => probe.note = Some(format!("unreadable, never sent: {why}")),
            Ok(stamp) => match done.get(&stamp.path) {
                Some((was, searched)) if journal::still_valid(was, &stamp) => {
                    probe.result = Some(result_of(p.kind, mate.clone(), searched));
                    probe.resumed = true;
                }
                _ => {
                    probe.note = Some("not run (stopped before it)".into());
                    plan.jobs.push(Job {
                        index,
                        path: p.path.clone(),
                        stamp,
                    });
                }
            },
        }
        plan.probes.push(probe);
        plan.expected.push(mate);
    }
    plan
}
