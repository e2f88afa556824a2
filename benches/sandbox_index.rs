//! FAST (IVF) against ACCURATE (exact scan) at 100k vectors: latency as a ratio
//! measured in the same run, and recall@10 of FAST against ACCURATE.
//!
//! The vectors are pixel-engine descriptors of synthetic portraits: 2,000 rendered
//! "identities", and 100k gallery vectors that each blend two identities and add
//! noise (a dense, realistic-ish neighbourhood structure). Queries are noisy copies
//! of stored vectors. Run: `cargo bench --bench sandbox_index` (LIVEFACE_BENCH_N to resize).

// Tests and benches may panic: that is how they fail (the lints guard `src/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use liveface::api::model::SearchMode;
use liveface::sandbox::engine::{l2_normalize, Engine};
use liveface::sandbox::index::{IvfParams, VectorIndex};
use liveface::sandbox::synth::{portrait, SplitMix, Variant};
use liveface::sandbox::PixelEngine;

fn main() {
    let n: usize = std::env::var("LIVEFACE_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let queries = 200;
    let t = Instant::now();
    let bases: Vec<Vec<f32>> = (0..2000u64)
        .map(|s| {
            PixelEngine
                .analyze(&portrait(s, &Variant::default()), SearchMode::Accurate)
                .unwrap()
                .vector
        })
        .collect();
    let mut rng = SplitMix::new(11);
    let noisy = |v: &[f32], amount: f32, rng: &mut SplitMix| {
        let mut out: Vec<f32> = v.iter().map(|x| x + rng.range(-amount, amount)).collect();
        l2_normalize(&mut out);
        out
    };
    let gallery: Vec<Vec<f32>> = (0..n)
        .map(|_| {
            let a = &bases[(rng.next_u64() % 2000) as usize];
            let b = &bases[(rng.next_u64() % 2000) as usize];
            let w = rng.range(0.6, 1.0);
            let mixed: Vec<f32> = a
                .iter()
                .zip(b)
                .map(|(x, y)| w * x + (1.0 - w) * y)
                .collect();
            noisy(&mixed, 0.02, &mut rng)
        })
        .collect();
    let probes: Vec<Vec<f32>> = (0..queries)
        .map(|_| {
            noisy(
                &gallery[(rng.next_u64() % n as u64) as usize].clone(),
                0.02,
                &mut rng,
            )
        })
        .collect();
    println!(
        "data: {n} vectors of {} floats, {queries} queries (generated in {:.1}s)",
        bases[0].len(),
        t.elapsed().as_secs_f64()
    );

    let build = |params: IvfParams| {
        let mut ix = VectorIndex::with_params(params);
        for (i, v) in gallery.iter().enumerate() {
            ix.insert(&format!("p{i}"), v).unwrap();
        }
        let t = Instant::now();
        ix.rebuild();
        (ix, t.elapsed().as_secs_f64())
    };
    let (ix, _) = build(IvfParams::default());
    let t = Instant::now();
    let exact: Vec<_> = probes
        .iter()
        .map(|q| ix.search_exact(q, 10, &|_| true))
        .collect();
    let exact_ms = t.elapsed().as_secs_f64() * 1000.0 / queries as f64;
    println!("ACCURATE (exact scan): {exact_ms:.2} ms/query");
    for (lists_factor, probe_fraction) in [(0.5, 0.02), (0.5, 0.05), (0.5, 0.1), (1.0, 0.05)] {
        let params = IvfParams {
            lists_factor,
            probe_fraction,
            min_probe: 8,
        };
        let (ix, build_s) = build(params);
        let t = Instant::now();
        let fast: Vec<_> = probes
            .iter()
            .map(|q| ix.search_fast(q, 10, &|_| true))
            .collect();
        let fast_ms = t.elapsed().as_secs_f64() * 1000.0 / queries as f64;
        let found: usize = fast
            .iter()
            .zip(&exact)
            .map(|(f, e)| {
                f.iter()
                    .filter(|h| e.iter().any(|x| x.person == h.person))
                    .count()
            })
            .sum();
        let total: usize = exact.iter().map(Vec::len).sum();
        let default = if (lists_factor, probe_fraction) == (0.5, 0.05) {
            "  ← default"
        } else {
            ""
        };
        println!(
            "FAST lists={:.1}·√n probe={:>4.0}%: {fast_ms:.2} ms/query, {:.1}× faster than ACCURATE, recall@10 {:.3}, build {build_s:.1}s{default}",
            lists_factor,
            probe_fraction * 100.0,
            exact_ms / fast_ms,
            found as f64 / total as f64
        );
    }
}
