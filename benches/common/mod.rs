//! Timing helpers shared by the bench binaries (`harness = false`): each bench times
//! its case and a baseline in the same run and prints the ratio.

#![allow(dead_code)] // each bench uses a different subset

use std::time::{Duration, Instant};

/// `--iters N` (or `BENCH_ITERS`), else `default`. Unknown flags (cargo passes `--bench`)
/// are ignored.
pub fn iterations(default: usize) -> usize {
    let mut args = std::env::args().skip(1);
    let mut n = std::env::var("BENCH_ITERS")
        .ok()
        .and_then(|v| v.parse().ok());
    while let Some(a) = args.next() {
        if a == "--iters" {
            n = args.next().and_then(|v| v.parse().ok());
        }
    }
    n.unwrap_or(default).max(1)
}

/// One warm-up run, then `iters` timed runs, in milliseconds.
pub fn time(iters: usize, mut f: impl FnMut()) -> Vec<f64> {
    f();
    (0..iters)
        .map(|_| {
            let t = Instant::now();
            f();
            ms(t.elapsed())
        })
        .collect()
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub fn sorted(xs: &[f64]) -> Vec<f64> {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

pub fn median(xs: &[f64]) -> f64 {
    let v = sorted(xs);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}
