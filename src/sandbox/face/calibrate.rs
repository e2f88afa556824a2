//! Cosine similarity → the API's 0–1 match `score`.
//!
//! A logistic curve, monotone increasing in the cosine:
//!
//! ```text
//! score(c) = 1 / (1 + exp(−STEEPNESS · (c − MIDPOINT)))
//! ```
//!
//! It is placed so that the documented default `min_score` 0.75 falls at cosine
//! [`COSINE_AT_DEFAULT_MIN_SCORE`] = 0.40, inside the gap between different-identity and
//! same-identity cosines. Over all fixture pairs (`tests/face/calibration.rs`: 11 photos,
//! 7 identities, 6 same-identity and 49 different-identity pairs) different identities
//! reach at most 0.19 and the same identity is at least 0.62; the models README reports
//! ≤ 0.23 and ≥ 0.52 on a slightly different set. 0.40 sits in the middle of the worst
//! case (0.23–0.52). Score 0.5 sits at [`MIDPOINT`], 0.9 at cosine ≈ 0.51, 0.95 at ≈ 0.58.

/// Cosine at which the score equals 0.75, the documented default `min_score`.
pub const COSINE_AT_DEFAULT_MIN_SCORE: f32 = 0.40;
/// How fast the score rises with the cosine (per unit of cosine).
pub const STEEPNESS: f32 = 10.0;
/// Cosine at which the score is 0.5: ln(3)/STEEPNESS below the 0.75 point.
pub const MIDPOINT: f32 = COSINE_AT_DEFAULT_MIN_SCORE - 0.109_861_23; // ln 3 / 10

/// The match score of two faces whose descriptors have cosine similarity `cosine`.
pub fn score(cosine: f32) -> f64 {
    let c = if cosine.is_nan() {
        -1.0
    } else {
        cosine.clamp(-1.0, 1.0)
    };
    1.0 / (1.0 + (-(STEEPNESS as f64) * (c as f64 - MIDPOINT as f64)).exp())
}

/// The cosine a score corresponds to (the inverse of [`score`]), for explaining a
/// `min_score` in cosine terms.
pub fn cosine_for_score(score: f64) -> f32 {
    let s = score.clamp(1e-9, 1.0 - 1e-9);
    (MIDPOINT as f64 + (s / (1.0 - s)).ln() / STEEPNESS as f64) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_min_score_sits_at_the_documented_cosine() {
        assert!((score(COSINE_AT_DEFAULT_MIN_SCORE) - 0.75).abs() < 1e-4);
        assert!((cosine_for_score(0.75) - COSINE_AT_DEFAULT_MIN_SCORE).abs() < 1e-4);
        assert!((score(MIDPOINT) - 0.5).abs() < 1e-6);
    }

    #[test]
    fn monotone_and_bounded() {
        let mut last = -1.0;
        for i in -100..=100 {
            let s = score(i as f32 / 100.0);
            assert!(s > last && (0.0..=1.0).contains(&s));
            last = s;
        }
        assert_eq!(score(f32::NAN), score(-1.0));
        assert_eq!(score(5.0), score(1.0));
    }

    #[test]
    fn observed_distributions_fall_on_the_right_sides() {
        // Worst different-identity and worst same-identity cosines seen on the fixtures.
        assert!(score(0.23) < 0.75);
        assert!(score(0.52) > 0.75);
    }
}
