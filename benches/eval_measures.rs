//! Every measure of `liveface eval` for 100,000 labelled results: FNIR / FNIR-any / FPIR /
//! wrong-top on all 51 `min_score` steps, APCER / BPCER on all 51 `liveness_min_score`
//! steps, and the operating points with their Clopper–Pearson bounds. Target: ≤ 50 ms.
//! Reported as a ratio to a plain pass over the same data (reading each result's top
//! score and mate score once), timed in the same run.
//! Run: `cargo bench --bench eval_measures` (`--iters N`, `LIVEFACE_BENCH_N` to resize).

// Tests and benches may panic: that is how they fail (the lints guard `src/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use liveface::eval::measures::{curves, operating_points, Candidate, ProbeResult};
use liveface::eval::set::Kind;
use liveface::sandbox::synth::SplitMix;

/// Results shaped like a real set: 40 % mated, 40 % non-mated, 20 % attacks, up to five
/// candidates each, scores on 0.50–1.00, one in twenty failing liveness at the floor.
fn results(n: usize) -> Vec<ProbeResult> {
    let mut rng = SplitMix::new(7);
    (0..n)
        .map(|i| {
            let kind = match i % 5 {
                0 | 1 => Kind::Mated,
                2 | 3 => Kind::Nonmated,
                _ => Kind::Attack,
            };
            let live = rng.range(0.3, 1.0) as f64;
            let passed = live > 0.5;
            let count = if passed {
                (rng.next_u64() % 6) as usize
            } else {
                0
            };
            let candidates = (0..count)
                .map(|_| Candidate {
                    id: format!("p{}", rng.next_u64() % 1000),
                    name: None,
                    score: rng.range(0.5, 1.0) as f64,
                })
                .collect();
            ProbeResult {
                kind,
                expected: (kind == Kind::Mated).then(|| format!("p{}", rng.next_u64() % 1000)),
                liveness_score: Some(live),
                liveness_passed_floor: Some(passed),
                candidates,
                error: None,
            }
        })
        .collect()
}

fn main() {
    let n: usize = std::env::var("LIVEFACE_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let iters = common::iterations(20);
    let data = results(n);
    let mut sink = 0.0;
    let plain = common::time(iters, || {
        // The baseline: one read of what every measure needs from each result.
        sink += data
            .iter()
            .map(|r| r.top().map_or(0.0, |t| t.score) + r.mate_score().unwrap_or(0.0))
            .sum::<f64>();
    });
    let all = common::time(iters, || {
        let c = curves(&data);
        let ops = operating_points(&c);
        sink += c.points.len() as f64 + ops.len() as f64;
    });
    let (p, a) = (common::median(&plain), common::median(&all));
    println!(
        "eval measures, {n} results, 51 + 51 steps: {a:.2} ms median (target ≤ 50 ms: {}) · \
         plain pass {p:.2} ms · ratio {:.2}× · ({iters} runs, checksum {sink:.0})",
        if a <= 50.0 { "met" } else { "MISSED" },
        a / p
    );
}
