//! One run's threshold sweep, and two runs side by side.

use crate::api::scores::reaches_min_score;

use super::run::Run;

/// The `min_score` steps of the threshold sweep: 0.50, 0.55 … 1.00.
pub fn sweep_steps() -> Vec<f64> {
    (0..=10).map(|i| 0.5 + 0.05 * i as f64).collect()
}

/// One bar of the sweep: how many matches remain at `threshold`. `exact` is false
/// below the run's own `min_score`, where the server sent nothing lower, so the
/// count is only a lower bound.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPoint {
    pub threshold: f64,
    pub count: usize,
    pub exact: bool,
}

pub fn sweep(run: &Run) -> Vec<SweepPoint> {
    sweep_steps()
        .into_iter()
        .map(|t| SweepPoint {
            threshold: t,
            count: run.matches.iter().filter(|m| m.score >= t - 1e-9).count(),
            exact: t + 1e-9 >= run.params.min_score,
        })
        .collect()
}

/// One person in the compare view.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareRow {
    pub id: String,
    pub name: Option<String>,
    pub a: Option<f64>,
    pub b: Option<f64>,
    /// Whether the person's score in each run reaches that run's `min_score`.
    pub passes_a: bool,
    pub passes_b: bool,
}

impl CompareRow {
    pub fn delta(&self) -> Option<f64> {
        Some(self.b? - self.a?)
    }

    /// Plain words for who crossed which threshold.
    pub fn crossing(&self) -> &'static str {
        match (self.passes_a, self.passes_b) {
            (true, true) => "both",
            (true, false) => "A only",
            (false, true) => "B only",
            (false, false) => "neither",
        }
    }
}

/// One row per person seen in either run, best combined score first.
pub fn compare(a: &Run, b: &Run) -> Vec<CompareRow> {
    let mut rows: Vec<CompareRow> = Vec::new();
    for m in &a.matches {
        rows.push(CompareRow {
            id: m.id.clone(),
            name: m.name.clone(),
            a: Some(m.score),
            b: None,
            passes_a: false,
            passes_b: false,
        });
    }
    for m in &b.matches {
        match rows.iter_mut().find(|r| r.id == m.id) {
            Some(r) => {
                r.b = Some(m.score);
                r.name = r.name.take().or_else(|| m.name.clone());
            }
            None => rows.push(CompareRow {
                id: m.id.clone(),
                name: m.name.clone(),
                a: None,
                b: Some(m.score),
                passes_a: false,
                passes_b: false,
            }),
        }
    }
    for r in &mut rows {
        r.passes_a =
            r.a.is_some_and(|s| reaches_min_score(s, a.params.min_score));
        r.passes_b =
            r.b.is_some_and(|s| reaches_min_score(s, b.params.min_score));
    }
    rows.sort_by(|x, y| {
        let key = |r: &CompareRow| r.a.into_iter().chain(r.b).fold(f64::MIN, f64::max);
        key(y).total_cmp(&key(x)).then_with(|| x.id.cmp(&y.id))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::testdata::*;

    #[test]
    fn sweep_counts_every_step() {
        let r = run(1, 0.6, &[("a", 0.95), ("b", 0.7), ("c", 0.62)]);
        let s = sweep(&r);
        assert_eq!(s.len(), 11);
        assert_eq!((s[0].count, s[0].exact), (3, false));
        assert_eq!((s[2].count, s[2].exact), (3, true)); // 0.60
        assert_eq!(s[3].count, 2); // 0.65
        assert_eq!(s[9].count, 1); // 0.95
        assert_eq!(s[10].count, 0);
    }

    #[test]
    fn compare_joins_both_runs() {
        let a = run(1, 0.6, &[("p", 0.9), ("q", 0.65)]);
        let b = run(2, 0.8, &[("p", 0.92), ("r", 0.85)]);
        let rows = compare(&a, &b);
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["p", "r", "q"]);
        assert!((rows[0].delta().unwrap() - 0.02).abs() < 1e-9);
        assert_eq!(rows[0].crossing(), "both");
        assert_eq!(rows[2].crossing(), "A only");
        assert_eq!(rows[1].a, None);
    }
}
