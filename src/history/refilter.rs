//! When a stored run may answer a new query locally: same back end, fresh, same probe
//! file and parameters, and a `min_score` at least the run's.

use chrono::{DateTime, Utc};

use crate::api::model::SearchParams;
use crate::api::scores::reaches_min_score;

use super::run::{ProbeStamp, Run, RunMatch, RunOutcome};

/// Which stored runs may answer a query locally: same back end, and fresh.
#[derive(Clone, Debug, PartialEq)]
pub struct RefilterScope<'a> {
    /// The back end the query would go to ([`Run::backend_key`]).
    pub backend_key: &'a str,
    /// The profile the query is made with ([`Run::profile`]): a run of another profile
    /// never answers, even on the same back end, so a run never mixes profiles.
    pub profile: Option<&'a str>,
    /// Runs with an id at or above this one are fresh (this session, after the last
    /// change to the gallery made here).
    pub fresh_from_id: u64,
    /// Older runs are fresh too when younger than this (`refilter_max_age`), unless
    /// they predate `stale_before_id` (a gallery change made here).
    pub max_age: Option<chrono::Duration>,
    pub stale_before_id: u64,
    pub now: DateTime<Utc>,
}

impl RefilterScope<'_> {
    fn admits(&self, run: &Run) -> bool {
        if run.backend_key.as_deref() != Some(self.backend_key)
            || run.profile.as_deref() != self.profile
        {
            return false;
        }
        if run.id >= self.fresh_from_id {
            return true;
        }
        run.id >= self.stale_before_id
            && self
                .max_age
                .is_some_and(|age| self.now.signed_duration_since(run.time) <= age)
    }
}

/// The matches of a new query computed from a stored run without a request: valid only
/// when the run succeeded, the probe is the same file (path, size, mtime), every
/// parameter but `min_score` is equal, and the new `min_score` is at least the run's.
pub fn refilter(run: &Run, probe: &ProbeStamp, params: &SearchParams) -> Option<Vec<RunMatch>> {
    if run.outcome != RunOutcome::Ok || run.probe != *probe {
        return None;
    }
    let p = &run.params;
    let same_rest = p.os == params.os
        && p.liveness_min_score == params.liveness_min_score
        && p.search_mode == params.search_mode
        && p.collection_id == params.collection_id;
    if !same_rest || params.min_score < p.min_score {
        return None;
    }
    let mut kept: Vec<RunMatch> = run
        .matches
        .iter()
        .filter(|m| reaches_min_score(m.score, params.min_score))
        .cloned()
        .collect();
    kept.sort_by(|x, y| y.score.total_cmp(&x.score));
    Some(kept)
}

/// The newest run in `scope` that `refilter` accepts, with its result.
pub fn find_refilter<'a>(
    runs: &'a [Run],
    scope: &RefilterScope<'_>,
    probe: &ProbeStamp,
    params: &SearchParams,
) -> Option<(&'a Run, Vec<RunMatch>)> {
    runs.iter()
        .rev()
        .filter(|r| scope.admits(r))
        .find_map(|r| refilter(r, probe, params).map(|m| (r, m)))
}

/// "12 s", "3 min", "27 h" (up to two days), "4 days": how old a run is, for labels.
pub fn age_words(age: chrono::Duration) -> String {
    let s = age.num_seconds().max(0);
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min", s / 60),
        3600..=172_799 => format!("{} h", s / 3600),
        _ => format!("{} days", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::{Os, SearchMode};
    use crate::history::testdata::*;

    #[test]
    fn refilter_only_for_stricter_same_query() {
        let r = run(7, 0.6, &[("a", 0.95), ("b", 0.7)]);
        let mut p = r.params.clone();
        p.min_score = 0.8;
        assert_eq!(refilter(&r, &stamp(), &p).unwrap().len(), 1);
        p.min_score = 0.6;
        assert_eq!(refilter(&r, &stamp(), &p).unwrap().len(), 2);
        p.min_score = 0.55;
        assert!(
            refilter(&r, &stamp(), &p).is_none(),
            "looser needs a request"
        );
        p.min_score = 0.8;
        p.os = Os::Ios;
        assert!(refilter(&r, &stamp(), &p).is_none());
        p.os = r.params.os;
        p.search_mode = SearchMode::Accurate;
        assert!(refilter(&r, &stamp(), &p).is_none());
        p.search_mode = r.params.search_mode;
        let mut touched = stamp();
        touched.mtime_ms = Some(6);
        assert!(refilter(&r, &touched, &p).is_none(), "file changed");
        let mut failed = r.clone();
        failed.outcome = RunOutcome::LivenessFailed { score: Some(0.3) };
        assert!(refilter(&failed, &stamp(), &p).is_none());
        let runs = vec![r.clone(), run(8, 0.7, &[("a", 0.95)])];
        let scope = session_scope(KEY, 1);
        assert_eq!(find_refilter(&runs, &scope, &stamp(), &p).unwrap().0.id, 8);
    }

    fn session_scope(key: &str, fresh_from_id: u64) -> RefilterScope<'_> {
        RefilterScope {
            backend_key: key,
            profile: None,
            fresh_from_id,
            max_age: None,
            stale_before_id: 0,
            now: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        }
    }

    #[test]
    fn a_run_of_another_profile_never_answers_a_query() {
        let mut r = run(7, 0.6, &[("a", 0.95)]);
        r.profile = Some("prod".into());
        let p = r.params.clone();
        let runs = vec![r];
        let mut scope = session_scope(KEY, 1);
        assert!(find_refilter(&runs, &scope, &stamp(), &p).is_none());
        scope.profile = Some("staging");
        assert!(find_refilter(&runs, &scope, &stamp(), &p).is_none());
        scope.profile = Some("prod");
        assert!(find_refilter(&runs, &scope, &stamp(), &p).is_some());
    }

    #[test]
    fn another_back_end_never_answers_a_query() {
        let r = run(7, 0.6, &[("a", 0.95)]);
        let p = r.params.clone();
        let runs = vec![r.clone()];
        assert!(find_refilter(&runs, &session_scope(KEY, 1), &stamp(), &p).is_some());
        let sandbox = session_scope("sandbox:embedded:pixel fallback", 1);
        assert!(find_refilter(&runs, &sandbox, &stamp(), &p).is_none());
        let other_token = session_scope("https://api.example#ffffffffffff", 1);
        assert!(find_refilter(&runs, &other_token, &stamp(), &p).is_none());
        // Runs saved before back ends were recorded never answer.
        let legacy = vec![Run {
            backend_key: None,
            ..r
        }];
        assert!(find_refilter(&legacy, &session_scope(KEY, 1), &stamp(), &p).is_none());
    }

    #[test]
    fn only_fresh_runs_answer_a_query() {
        let r = run(7, 0.6, &[("a", 0.95)]);
        let p = r.params.clone();
        let runs = vec![r.clone()];
        // Yesterday's run (before this session) is not fresh by default.
        let mut scope = session_scope(KEY, 8);
        assert!(find_refilter(&runs, &scope, &stamp(), &p).is_none());
        // refilter_max_age widens it: 2 minutes old, 5 allowed.
        scope.now = r.time + chrono::Duration::minutes(2);
        scope.max_age = Some(chrono::Duration::minutes(5));
        assert!(find_refilter(&runs, &scope, &stamp(), &p).is_some());
        scope.now = r.time + chrono::Duration::minutes(6);
        assert!(find_refilter(&runs, &scope, &stamp(), &p).is_none());
        // A gallery change made here makes older runs stale whatever their age.
        scope.now = r.time + chrono::Duration::minutes(2);
        scope.stale_before_id = 8;
        assert!(find_refilter(&runs, &scope, &stamp(), &p).is_none());
    }

    #[test]
    fn ages_are_in_words() {
        assert_eq!(age_words(chrono::Duration::seconds(12)), "12 s");
        assert_eq!(age_words(chrono::Duration::minutes(3)), "3 min");
        assert_eq!(age_words(chrono::Duration::hours(2)), "2 h");
        assert_eq!(age_words(chrono::Duration::hours(27)), "27 h");
        assert_eq!(age_words(chrono::Duration::days(4)), "4 days");
        assert_eq!(age_words(chrono::Duration::seconds(-5)), "0 s");
    }
}
