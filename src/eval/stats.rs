//! Exact binomial confidence intervals (Clopper–Pearson) for error rates.
//!
//! An error rate measured on `n` trials is a binomial proportion; with few errors the
//! normal approximation is wrong (it gives "0 %" for zero errors). Clopper and Pearson
//! (1934) invert the binomial test exactly, through quantiles of the beta distribution:
//! with `k` errors in `n` trials and `α = 0.05`,
//! `lower = B⁻¹(α/2; k, n − k + 1)` (0 when `k = 0`) and
//! `upper = B⁻¹(1 − α/2; k + 1, n − k)` (1 when `k = n`).
//! This is the interval R's `binom.test` reports and the one ISO/IEC 19795-1 and NIST's
//! FRVT reports use for small error counts. The beta quantile comes from `statrs`.

use serde::Serialize;
use statrs::distribution::{Beta, ContinuousCDF};

/// The confidence level of every interval liveface reports.
pub const CONFIDENCE: f64 = 0.95;

/// A measured error rate: `errors / trials`, its exact 95 % interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Rate {
    pub errors: u64,
    pub trials: u64,
}

impl Rate {
    pub fn new(errors: u64, trials: u64) -> Rate {
        debug_assert!(errors <= trials);
        Rate { errors, trials }
    }

    /// `errors / trials` on 0–1, or `None` when there were no trials.
    pub fn value(&self) -> Option<f64> {
        (self.trials > 0).then(|| self.errors as f64 / self.trials as f64)
    }

    /// The exact two-sided 95 % interval `[lower, upper]` on 0–1, or `None` without trials.
    pub fn ci(&self) -> Option<[f64; 2]> {
        clopper_pearson(self.errors, self.trials, CONFIDENCE)
    }

    /// The interval's upper bound, `None` without trials.
    pub fn upper(&self) -> Option<f64> {
        self.ci().map(|c| c[1])
    }

    /// `"3 / 120 = 2.5 % (0.5–7.1 % at 95 %)"`, `"0 / 120 (≤ 3.0 % at 95 %)"` or
    /// `"no trials"`: never a bare "0 %".
    pub fn describe(&self) -> String {
        let (Some(v), Some([lo, hi])) = (self.value(), self.ci()) else {
            return "no trials".into();
        };
        if self.errors == 0 {
            format!("0 / {} (≤ {} at 95 %)", self.trials, percent(hi))
        } else {
            format!(
                "{} / {} = {} ({}–{} at 95 %)",
                self.errors,
                self.trials,
                percent(v),
                percent_bare(lo),
                percent(hi)
            )
        }
    }
}

/// A share on 0–1 as a percentage with one decimal (two below 1 %): `2.5 %`, `0.27 %`.
pub fn percent(x: f64) -> String {
    format!("{} %", percent_bare(x))
}

fn percent_bare(x: f64) -> String {
    let p = x * 100.0;
    if p > 0.0 && p < 1.0 {
        format!("{p:.2}")
    } else {
        format!("{p:.1}")
    }
}

/// The exact (Clopper–Pearson) two-sided interval for `errors` out of `trials` at
/// `confidence` (e.g. 0.95), as `[lower, upper]` on 0–1. `None` when `trials` is 0 or
/// `errors > trials`.
pub fn clopper_pearson(errors: u64, trials: u64, confidence: f64) -> Option<[f64; 2]> {
    if trials == 0 || errors > trials {
        return None;
    }
    let alpha = 1.0 - confidence;
    let (k, n) = (errors as f64, trials as f64);
    let lower = if errors == 0 {
        0.0
    } else {
        Beta::new(k, n - k + 1.0).ok()?.inverse_cdf(alpha / 2.0)
    };
    let upper = if errors == trials {
        1.0
    } else {
        Beta::new(k + 1.0, n - k)
            .ok()?
            .inverse_cdf(1.0 - alpha / 2.0)
    };
    Some([lower, upper])
}

/// The fewest trials that can show a rate of at most `target` at 95 % confidence, i.e.
/// whose upper bound with zero errors is ≤ `target` (`1 − 0.025^(1/n) ≤ target`).
/// About 3.7 / target: 368 for 1 %, 1 228 for 0.3 %, 3 688 for 0.1 %.
pub fn trials_needed(target: f64) -> u64 {
    if target <= 0.0 || !target.is_finite() {
        return u64::MAX;
    }
    if target >= 1.0 {
        return 1;
    }
    let alpha_half = (1.0 - CONFIDENCE) / 2.0;
    let mut n = (alpha_half.ln() / (1.0 - target).ln()).ceil().max(1.0) as u64;
    // The closed form can be off by one in floating point: settle on the exact bound.
    while n > 1 && zero_error_upper(n - 1) <= target {
        n -= 1;
    }
    while zero_error_upper(n) > target {
        n += 1;
    }
    n
}

fn zero_error_upper(n: u64) -> f64 {
    clopper_pearson(0, n, CONFIDENCE).map_or(1.0, |c| c[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// Figures printed by R 4.x, `binom.test(x, n)$conf.int` (the Clopper–Pearson
    /// interval), to the 7 digits R prints:
    /// - `binom.test(682, 925)` — the example of R's own `?binom.test` help page
    ///   (Mendel's peas): 0.7076683 0.7654066;
    /// - `binom.test(5, 20)`: 0.08657147 0.49104587;
    /// - `binom.test(1, 10)`: 0.002528579 0.445016117.
    #[test]
    fn matches_published_clopper_pearson_figures() {
        let cases: [(u64, u64, f64, f64); 3] = [
            (682, 925, 0.7076683, 0.7654066),
            (5, 20, 0.08657147, 0.49104587),
            (1, 10, 0.002528579, 0.445016117),
        ];
        for (k, n, lo, hi) in cases {
            let [l, h] = clopper_pearson(k, n, 0.95).unwrap();
            assert!(close(l, lo, 5e-8), "{k}/{n}: lower {l} vs {lo}");
            assert!(close(h, hi, 5e-8), "{k}/{n}: upper {h} vs {hi}");
        }
    }

    #[test]
    fn zero_errors_have_the_closed_form_upper_bound() {
        for n in [1u64, 3, 30, 367, 5000] {
            let [l, h] = clopper_pearson(0, n, 0.95).unwrap();
            assert_eq!(l, 0.0);
            let closed = 1.0 - 0.025f64.powf(1.0 / n as f64);
            assert!(close(h, closed, 1e-12), "n={n}: {h} vs {closed}");
        }
        // All errors mirror zero errors.
        let [l, h] = clopper_pearson(7, 7, 0.95).unwrap();
        assert_eq!(h, 1.0);
        assert!(close(l, 0.025f64.powf(1.0 / 7.0), 1e-12));
    }

    #[test]
    fn no_trials_has_no_rate_and_no_interval() {
        assert_eq!(clopper_pearson(0, 0, 0.95), None);
        assert_eq!(Rate::new(0, 0).value(), None);
        assert_eq!(Rate::new(0, 0).describe(), "no trials");
    }

    #[test]
    fn zero_errors_are_never_a_bare_zero_percent() {
        assert_eq!(Rate::new(0, 120).describe(), "0 / 120 (≤ 3.0 % at 95 %)");
        assert_eq!(
            Rate::new(5, 20).describe(),
            "5 / 20 = 25.0 % (8.7–49.1 % at 95 %)"
        );
        assert_eq!(
            Rate::new(1, 1000).describe(),
            "1 / 1000 = 0.10 % (0.00–0.56 % at 95 %)"
        );
    }

    #[test]
    fn trials_needed_is_the_smallest_n_whose_zero_error_bound_meets_the_target() {
        for target in [0.01, 0.003, 0.001, 0.05] {
            let n = trials_needed(target);
            assert!(zero_error_upper(n) <= target, "{target}: {n}");
            assert!(zero_error_upper(n - 1) > target, "{target}: {n}");
        }
        assert_eq!(trials_needed(0.01), 368);
        assert_eq!(trials_needed(0.001), 3688);
    }
}
