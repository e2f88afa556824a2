//! Scores in answers: read them exactly, judge them by one rule, never guess a scale.
//!
//! The API documents every score on 0–1 (`verifik-api.md` §2.1: `score` "similarity
//! 0..1", `liveness_score` e.g. 0.92). A value outside 0–1 is therefore unexpected, with
//! one exception: an answer whose scores are *all* on 0–100 (at least one above 1) and
//! that is consistent with the request once divided by 100 (every match at or above
//! `min_score`, a liveness that passed). Anything else is refused with the field named,
//! rather than shown as a made-up number.

use serde_json::Value;

use crate::vocabulary::number;

/// Verifik's liveness rule: a probe passes only when its score is **strictly above**
/// the threshold (`verifik-api.md` §2.2, "Passes only if `liveness_score > min_score`").
/// Every screen and command uses this one function.
pub fn liveness_passed(score: f64, threshold: f64) -> bool {
    score > threshold
}

/// A match is kept when its similarity is at or above `min_score` (the server's own
/// filter, "only scores above `min_score` are returned", taken inclusively).
pub fn reaches_min_score(score: f64, min_score: f64) -> bool {
    score >= min_score
}

/// A number or numeric string that is finite, as the server wrote it (no rescaling).
pub fn raw_score(v: &Value) -> Option<f64> {
    number(v).filter(|x| x.is_finite())
}

/// A score that is documented to be on 0–1, or `None` (used where no request context
/// can make sense of another scale, e.g. the score inside an error answer).
pub fn unit_score(v: &Value) -> Option<f64> {
    raw_score(v).filter(|x| (0.0..=1.0).contains(x))
}

/// The scale an answer's scores were found on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// 0–1, as documented.
    Unit,
    /// 0–100, divided by 100 (the answer is consistent with the request that way).
    Percent,
}

/// One score of an answer, with the JSON path that names it in messages.
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    pub field: String,
    pub value: f64,
    /// A match score (judged against `min_score`) rather than the liveness score.
    pub is_match: bool,
}

/// Decides the scale of an answer's scores against the request's thresholds.
///
/// # Errors
/// A message naming the first offending field when a score is outside 0–1 and the
/// answer is not a consistent 0–100 answer (see the module docs).
pub fn judge_scale(
    scores: &[Scored],
    liveness_min_score: f64,
    min_score: f64,
) -> Result<Scale, String> {
    let Some(bad) = scores.iter().find(|s| !(0.0..=1.0).contains(&s.value)) else {
        return Ok(Scale::Unit);
    };
    let all_percent = scores.iter().all(|s| (0.0..=100.0).contains(&s.value));
    let consistent = scores.iter().all(|s| {
        let v = s.value / 100.0;
        if s.is_match {
            reaches_min_score(v, min_score)
        } else {
            liveness_passed(v, liveness_min_score)
        }
    });
    if all_percent && consistent {
        Ok(Scale::Percent)
    } else {
        Err(format!(
            "{} is {}, outside 0–1 (and the answer is not consistently on a 0–100 scale)",
            bad.field, bad.value
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(field: &str, value: f64) -> Scored {
        Scored {
            field: field.into(),
            value,
            is_match: true,
        }
    }

    fn l(value: f64) -> Scored {
        Scored {
            field: "liveness_score".into(),
            value,
            is_match: false,
        }
    }

    #[test]
    fn passing_is_strictly_above_the_threshold() {
        assert!(!liveness_passed(0.65, 0.65));
        assert!(liveness_passed(0.6500001, 0.65));
        assert!(!liveness_passed(0.64, 0.65));
        assert!(reaches_min_score(0.75, 0.75));
        assert!(!reaches_min_score(0.7499, 0.75));
    }

    #[test]
    fn unit_answers_stay_as_they_are() {
        assert_eq!(
            judge_scale(&[l(0.9), m("persons[0].score", 0.8)], 0.65, 0.75),
            Ok(Scale::Unit)
        );
        assert_eq!(judge_scale(&[], 0.65, 0.75), Ok(Scale::Unit));
    }

    #[test]
    fn a_consistent_percent_answer_is_converted() {
        let s = [
            l(92.0),
            m("persons[0].score", 87.5),
            m("persons[1].score", 80.0),
        ];
        assert_eq!(judge_scale(&s, 0.65, 0.75), Ok(Scale::Percent));
    }

    #[test]
    fn out_of_range_scores_are_refused_with_the_field_named() {
        // 1.7 as a percentage would be 0.017: below min_score, so not a 0–100 answer.
        let e = judge_scale(&[l(0.9), m("persons[0].score", 1.7)], 0.65, 0.75).unwrap_err();
        assert!(e.contains("persons[0].score is 1.7"), "{e}");
        let e = judge_scale(&[m("persons[0].score", 150.0)], 0.65, 0.75).unwrap_err();
        assert!(e.contains("persons[0].score is 150"), "{e}");
        // A liveness of 1.5 would be 0.015 on 0–100: not a pass, so refused.
        let e = judge_scale(&[l(1.5)], 0.65, 0.75).unwrap_err();
        assert!(e.contains("liveness_score is 1.5"), "{e}");
        // Mixed scales: liveness on 0–1, matches on 0–100.
        assert!(judge_scale(&[l(0.9), m("persons[0].score", 88.0)], 0.65, 0.75).is_err());
        assert!(judge_scale(&[m("persons[0].score", -0.1)], 0.65, 0.75).is_err());
    }

    #[test]
    fn raw_and_unit_scores() {
        assert_eq!(raw_score(&json!("1.5")), Some(1.5));
        assert_eq!(raw_score(&json!("NaN")), None);
        assert_eq!(raw_score(&json!(true)), None);
        assert_eq!(unit_score(&json!("0.4")), Some(0.4));
        assert_eq!(unit_score(&json!(1.5)), None);
        assert_eq!(unit_score(&json!(-0.1)), None);
    }
}
