//! The measures of an evaluation, as pure functions over per-probe results.
//!
//! Identification (1:N), after NIST IR 8271, *Face Recognition Vendor Test (FRVT) Part 2:
//! Identification* (Grother, Ngan, Hanaoka, 2019), §3, for each `min_score` T:
//! - **FNIR** (false negative identification rate): the share of *mated* searches whose
//!   mate is not the rank-1 candidate with a score ≥ T (`fnir`), or is nowhere in the
//!   candidate list with a score ≥ T (`fnir_any`, "any rank");
//! - **FPIR** (false positive identification rate): the share of *non-mated* searches that
//!   return at least one candidate with a score ≥ T;
//! - `wrong_top`: the share of mated searches whose top candidate (≥ T) is someone else.
//!
//! Presentation attack detection, after ISO/IEC 30107-3:2017 *Biometric presentation attack
//! detection — Part 3: Testing and reporting*, §13, for each `liveness_min_score` L (a probe
//! *passes* when its liveness score is strictly above L, Verifik's rule, see
//! [`liveness_passed`]):
//! - **APCER** (attack presentation classification error rate): the share of attacks that
//!   pass;
//! - **BPCER** (bona fide presentation classification error rate): the share of bona fide
//!   probes (mated and non-mated) that fail.
//!
//! Every probe was searched once at the floor thresholds (0.50 / 0.50), so every threshold
//! at or above the floor is evaluated here without a request. A probe that failed liveness
//! at the floor returned no candidate: for the identification measures it is a miss when
//! mated (FRVT counts failures to process as misses) and no false positive when non-mated.
//! A probe whose search failed for another reason (network, server error) is in no
//! measure. Thresholds are whole hundredths (`step` 50–100) so no float drift creeps into
//! the grid; each comparison uses the one rule of [`crate::api::scores`].

use serde::{Deserialize, Serialize};

use super::set::Kind;
use super::stats::{trials_needed, Rate};
use crate::api::scores::{liveness_passed, reaches_min_score};

/// The threshold grid in hundredths: 0.50, 0.51, …, 1.00.
pub const FIRST_STEP: u32 = 50;
pub const LAST_STEP: u32 = 100;
const STEPS: usize = (LAST_STEP - FIRST_STEP + 1) as usize;

/// The threshold of a grid step (`80` → 0.80, the double nearest to 0.8).
pub fn threshold(step: u32) -> f64 {
    f64::from(step) / 100.0
}

/// One candidate of a search, at or above the floor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    pub score: f64,
}

/// One probe's labelled result, as the measures need it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProbeResult {
    pub kind: Kind,
    /// The mate's person id (mated probes only).
    pub expected: Option<String>,
    /// The liveness score on 0–1, when the server gave one (also from a liveness failure).
    pub liveness_score: Option<f64>,
    /// Whether the probe passed liveness at the floor (0.50); `None` when unknown.
    pub liveness_passed_floor: Option<bool>,
    /// Candidates at or above the floor `min_score`, in the server's order.
    pub candidates: Vec<Candidate>,
    /// Why the search gave no result (not a liveness failure): excluded from the measures.
    pub error: Option<String>,
}

impl ProbeResult {
    /// The top candidate: the highest score, the server's order breaking ties.
    pub fn top(&self) -> Option<&Candidate> {
        self.candidates
            .iter()
            .fold(None, |best: Option<&Candidate>, c| match best {
                Some(b) if b.score >= c.score => Some(b),
                _ => Some(c),
            })
    }

    /// The mate's best score among the candidates (mated probes).
    pub fn mate_score(&self) -> Option<f64> {
        let mate = self.expected.as_deref()?;
        self.candidates
            .iter()
            .filter(|c| c.id == mate)
            .map(|c| c.score)
            .reduce(f64::max)
    }

    /// Whether the top candidate is the mate.
    pub fn top_is_mate(&self) -> bool {
        matches!((self.top(), self.expected.as_deref()), (Some(t), Some(m)) if t.id == m)
    }

    /// Whether the probe passes liveness at `l` (≥ the floor): `None` when unknown.
    pub fn passes_liveness(&self, l: f64) -> Option<bool> {
        match (self.liveness_score, self.liveness_passed_floor) {
            (_, Some(false)) => Some(false),
            (Some(s), _) => Some(liveness_passed(s, l)),
            (None, _) => None,
        }
    }

    fn in_identification(&self) -> bool {
        self.error.is_none()
    }
}

/// The identification measures at one `min_score`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MatchPoint {
    pub min_score: f64,
    /// Rank-1 FNIR over mated searches.
    pub fnir: Rate,
    /// Any-rank FNIR over mated searches.
    pub fnir_any: Rate,
    /// FPIR over non-mated searches.
    pub fpir: Rate,
    /// Mated searches whose top candidate ≥ T is someone else.
    pub wrong_top: Rate,
}

/// The liveness measures at one `liveness_min_score`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LivenessPoint {
    pub liveness_min_score: f64,
    /// Attacks that pass (over attacks with a known liveness result).
    pub apcer: Rate,
    /// Bona fide probes that fail (over bona fide probes with a known liveness result).
    pub bpcer: Rate,
}

/// The identification measures at any `min_score`, by their definitions (one pass).
pub fn match_point(results: &[ProbeResult], min_score: f64) -> MatchPoint {
    let (mut mated, mut miss, mut miss_any, mut wrong) = (0, 0, 0, 0);
    let (mut nonmated, mut false_pos) = (0, 0);
    for r in results.iter().filter(|r| r.in_identification()) {
        let top = r.top().filter(|t| reaches_min_score(t.score, min_score));
        match r.kind {
            Kind::Mated => {
                mated += 1;
                let mate = r.expected.as_deref();
                let hit = top.is_some_and(|t| Some(t.id.as_str()) == mate);
                miss += u64::from(!hit);
                if top.is_some_and(|t| Some(t.id.as_str()) != mate) {
                    wrong += 1;
                }
                if !r
                    .mate_score()
                    .is_some_and(|s| reaches_min_score(s, min_score))
                {
                    miss_any += 1;
                }
            }
            Kind::Nonmated => {
                nonmated += 1;
                if top.is_some() {
                    false_pos += 1;
                }
            }
            Kind::Attack => {}
        }
    }
    MatchPoint {
        min_score,
        fnir: Rate::new(miss, mated),
        fnir_any: Rate::new(miss_any, mated),
        fpir: Rate::new(false_pos, nonmated),
        wrong_top: Rate::new(wrong, mated),
    }
}

/// The liveness measures at any `liveness_min_score`, by their definitions (one pass).
pub fn liveness_point(results: &[ProbeResult], liveness_min_score: f64) -> LivenessPoint {
    let (mut attacks, mut passed, mut bona_fide, mut failed) = (0, 0, 0, 0);
    for r in results {
        let Some(pass) = r.passes_liveness(liveness_min_score) else {
            continue;
        };
        if r.kind.is_bona_fide() {
            bona_fide += 1;
            failed += u64::from(!pass);
        } else {
            attacks += 1;
            passed += u64::from(pass);
        }
    }
    LivenessPoint {
        liveness_min_score,
        apcer: Rate::new(passed, attacks),
        bpcer: Rate::new(failed, bona_fide),
    }
}

/// The highest grid step whose threshold `score` meets under `rule` (`FIRST_STEP - 1`
/// when it meets none). The steps a score meets are always a prefix of the grid.
fn last_step_met(score: f64, rule: fn(f64, f64) -> bool) -> u32 {
    if !score.is_finite() {
        return FIRST_STEP - 1;
    }
    let mut step = ((score * 100.0)
        .floor()
        .clamp(f64::from(FIRST_STEP - 1), f64::from(LAST_STEP))) as u32;
    // The estimate is within one of the answer: settle it with the rule itself.
    while step < LAST_STEP && rule(score, threshold(step + 1)) {
        step += 1;
    }
    while step >= FIRST_STEP && !rule(score, threshold(step)) {
        step -= 1;
    }
    step
}

/// Counts per "last step met" (index 0 = none met), turned into "how many meet step s".
#[derive(Clone)]
struct StepCounts([u64; STEPS + 1]);

impl StepCounts {
    fn new() -> StepCounts {
        StepCounts([0; STEPS + 1])
    }

    fn add(&mut self, last_met: u32) {
        self.0[(last_met + 1 - FIRST_STEP) as usize] += 1;
    }

    /// `meeting[i]`: how many met grid step `FIRST_STEP + i`.
    fn meeting(&self) -> [u64; STEPS] {
        let mut out = [0; STEPS];
        let mut acc = 0;
        for i in (0..STEPS).rev() {
            acc += self.0[i + 1];
            out[i] = acc;
        }
        out
    }
}

/// Every measure on the whole grid, computed in one pass over the results plus one over
/// the grid (the same figures as [`match_point`] / [`liveness_point`] at each step).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Curves {
    /// One per `min_score` 0.50…1.00.
    pub points: Vec<MatchPoint>,
    /// One per `liveness_min_score` 0.50…1.00.
    pub liveness_points: Vec<LivenessPoint>,
}

/// Computes [`Curves`] for a set of results.
pub fn curves(results: &[ProbeResult]) -> Curves {
    let none = FIRST_STEP - 1;
    let (mut mated, mut nonmated, mut attacks, mut bona_fide) = (0u64, 0u64, 0u64, 0u64);
    let mut rank1_hit = StepCounts::new();
    let mut any_hit = StepCounts::new();
    let mut wrong = StepCounts::new();
    let mut false_pos = StepCounts::new();
    let mut attack_pass = StepCounts::new();
    let mut bona_fide_pass = StepCounts::new();
    for r in results {
        if r.in_identification() {
            let top = r
                .top()
                .map_or(none, |t| last_step_met(t.score, reaches_min_score));
            match r.kind {
                Kind::Mated => {
                    mated += 1;
                    let top_is_mate = r.top_is_mate();
                    rank1_hit.add(if top_is_mate { top } else { none });
                    wrong.add(if top_is_mate { none } else { top });
                    any_hit.add(
                        r.mate_score()
                            .map_or(none, |s| last_step_met(s, reaches_min_score)),
                    );
                }
                Kind::Nonmated => {
                    nonmated += 1;
                    false_pos.add(top);
                }
                Kind::Attack => {}
            }
        }
        let passes_to = match (r.liveness_score, r.liveness_passed_floor) {
            (_, Some(false)) => none,
            (Some(s), _) => last_step_met(s, liveness_passed),
            (None, _) => continue, // unknown: in no liveness measure
        };
        if r.kind.is_bona_fide() {
            bona_fide += 1;
            bona_fide_pass.add(passes_to);
        } else {
            attacks += 1;
            attack_pass.add(passes_to);
        }
    }
    let (rank1_hit, any_hit, wrong, false_pos) = (
        rank1_hit.meeting(),
        any_hit.meeting(),
        wrong.meeting(),
        false_pos.meeting(),
    );
    let (attack_pass, bona_fide_pass) = (attack_pass.meeting(), bona_fide_pass.meeting());
    let points = (0..STEPS)
        .map(|i| MatchPoint {
            min_score: threshold(FIRST_STEP + i as u32),
            fnir: Rate::new(mated - rank1_hit[i], mated),
            fnir_any: Rate::new(mated - any_hit[i], mated),
            fpir: Rate::new(false_pos[i], nonmated),
            wrong_top: Rate::new(wrong[i], mated),
        })
        .collect();
    let liveness_points = (0..STEPS)
        .map(|i| LivenessPoint {
            liveness_min_score: threshold(FIRST_STEP + i as u32),
            apcer: Rate::new(attack_pass[i], attacks),
            bpcer: Rate::new(bona_fide - bona_fide_pass[i], bona_fide),
        })
        .collect();
    Curves {
        points,
        liveness_points,
    }
}

/// The lowest threshold on the grid meeting a target error rate, and what it costs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OperatingPoint {
    /// `fpir` (choosing `min_score`) or `apcer` (choosing `liveness_min_score`).
    pub measure: &'static str,
    /// The target rate on 0–1 (0.01 = 1 %).
    pub target: f64,
    /// The lowest threshold whose measured rate is ≤ the target; `None` when none is.
    pub threshold: Option<f64>,
    /// The measured rate there.
    pub rate: Option<Rate>,
    /// What the threshold costs there: `fnir` for an `fpir` target, `bpcer` for `apcer`.
    pub cost: Option<Rate>,
    /// Whether the set shows the target at 95 % confidence at that threshold (the upper
    /// bound of the interval is ≤ the target). False means "not supported by this set".
    pub supported: bool,
    /// The lowest threshold whose *upper bound* is ≤ the target, when one is.
    pub threshold_at_95: Option<f64>,
    /// The fewest trials that could show the target at 95 % (with zero errors).
    pub trials_needed: u64,
    /// The trials the set has for this measure.
    pub trials: u64,
}

fn operating_point<'a>(
    measure: &'static str,
    target: f64,
    grid: impl Iterator<Item = (f64, &'a Rate, &'a Rate)> + Clone,
) -> OperatingPoint {
    let meets = |r: &Rate| r.trials > 0 && (r.errors as f64) <= target * r.trials as f64;
    let found = grid.clone().find(|(_, rate, _)| meets(rate));
    let confident = grid
        .clone()
        .find(|(_, rate, _)| rate.upper().is_some_and(|u| u <= target));
    let trials = grid.clone().next().map_or(0, |(_, r, _)| r.trials);
    OperatingPoint {
        measure,
        target,
        threshold: found.map(|f| f.0),
        rate: found.map(|f| *f.1),
        cost: found.map(|f| *f.2),
        supported: found.is_some_and(|f| f.1.upper().is_some_and(|u| u <= target)),
        threshold_at_95: confident.map(|c| c.0),
        trials_needed: trials_needed(target),
        trials,
    }
}

/// The FPIR targets of the operating points: 1 %, 0.3 %, 0.1 %.
pub const FPIR_TARGETS: [f64; 3] = [0.01, 0.003, 0.001];
/// The APCER target of the liveness operating point: 1 %.
pub const APCER_TARGET: f64 = 0.01;

/// The operating points: the lowest `min_score` with FPIR ≤ each of [`FPIR_TARGETS`]
/// (with its FNIR), and the lowest `liveness_min_score` with APCER ≤ [`APCER_TARGET`]
/// (with its BPCER).
pub fn operating_points(curves: &Curves) -> Vec<OperatingPoint> {
    let mut out: Vec<OperatingPoint> = FPIR_TARGETS
        .iter()
        .map(|&t| {
            operating_point(
                "fpir",
                t,
                curves
                    .points
                    .iter()
                    .map(|p| (p.min_score, &p.fpir, &p.fnir)),
            )
        })
        .collect();
    out.push(operating_point(
        "apcer",
        APCER_TARGET,
        curves
            .liveness_points
            .iter()
            .map(|p| (p.liveness_min_score, &p.apcer, &p.bpcer)),
    ));
    out
}

#[cfg(test)]
mod tests;
