//! Face engine timings: model load, each pipeline stage, one probe end to end (decode →
//! detect → liveness → embed → brute-force search over 10 000 enrolled faces) in FAST and
//! ACCURATE, reported as medians and as ratios against baselines measured in this run.
//!
//! Run: `cargo bench --bench face_pipeline` (release), or with the dev profile,
//! `cargo bench --profile dev --bench face_pipeline` (dependencies, tract included, are
//! built at opt-level 3 there). Needs `../shared/models` or `LIVEFACE_MODELS`.

// Tests and benches may panic: that is how they fail (the lints guard `src/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use liveface::api::model::SearchMode;
use liveface::sandbox::engine::{cosine, l2_normalize, Engine};
use liveface::sandbox::face::{align, detect, models, FaceEngine};

const RUNS: usize = 7;
const GALLERY: usize = 10_000;
const BUDGET: Duration = Duration::from_millis(250);

/// CPU time this thread has run (Linux `/proc/thread-self/schedstat`, ns). On a shared
/// machine wall time includes waiting for a core; CPU time is the work itself. Inference
/// is single-threaded here, so the two agree on an idle machine.
fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// A median wall time and the median CPU time of the same runs.
#[derive(Clone, Copy)]
struct Timing {
    wall: Duration,
    cpu: Option<Duration>,
}

/// Times `RUNS` calls after one warm-up call.
fn median<T>(mut f: impl FnMut() -> T) -> Timing {
    black_box(f());
    let (mut walls, mut cpus) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let (t, c) = (Instant::now(), thread_cpu());
        black_box(f());
        walls.push(t.elapsed());
        if let (Some(c0), Some(c1)) = (c, thread_cpu()) {
            cpus.push(c1.saturating_sub(c0));
        }
    }
    walls.sort();
    cpus.sort();
    Timing {
        wall: walls[RUNS / 2],
        cpu: cpus.get(RUNS / 2).copied(),
    }
}

fn ms(t: Timing) -> String {
    let cpu = t
        .cpu
        .map(|c| format!("{:8.1} ms cpu", c.as_secs_f64() * 1e3))
        .unwrap_or_default();
    format!("{:8.1} ms wall {cpu}", t.wall.as_secs_f64() * 1e3)
}

/// `a / b`, on CPU time when both have it (steadier on a busy machine), else wall time.
fn ratio(a: Timing, b: Timing) -> f64 {
    match (a.cpu, b.cpu) {
        (Some(x), Some(y)) => x.as_secs_f64() / y.as_secs_f64(),
        _ => a.wall.as_secs_f64() / b.wall.as_secs_f64(),
    }
}

/// 10 000 random unit vectors (xorshift: reproducible, no extra crate).
fn gallery(dim: usize) -> Vec<Vec<f32>> {
    let mut s = 0x9e37_79b9_u32;
    (0..GALLERY)
        .map(|_| {
            let mut v: Vec<f32> = (0..dim)
                .map(|_| {
                    s ^= s << 13;
                    s ^= s >> 17;
                    s ^= s << 5;
                    s as f32 / u32::MAX as f32 - 0.5
                })
                .collect();
            l2_normalize(&mut v);
            v
        })
        .collect()
}

/// The photo at the top left of a black square of its long side.
fn on_black_square(rgb: &image::RgbImage) -> image::RgbImage {
    let side = rgb.width().max(rgb.height());
    let mut square = image::RgbImage::new(side, side);
    image::imageops::replace(&mut square, rgb, 0, 0);
    square
}

/// Brute-force 1:N search: the best 5 (index, cosine) pairs.
fn search(gallery: &[Vec<f32>], probe: &[f32]) -> Vec<(usize, f32)> {
    let mut scored: Vec<(usize, f32)> = gallery
        .iter()
        .enumerate()
        .map(|(i, v)| (i, cosine(probe, v)))
        .collect();
    let k = 5.min(scored.len());
    scored.select_nth_unstable_by(k.saturating_sub(1), |a, b| b.1.total_cmp(&a.1));
    scored.truncate(k);
    scored
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let dir = std::env::var_os(models::ENV_MODELS)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("models"));
    if !models::status(&dir).ready() {
        println!("SKIPPED: models not found at {}", dir.display());
        return;
    }
    let profile = if cfg!(debug_assertions) {
        "dev (deps opt-level 3)"
    } else {
        "release"
    };
    println!("face_pipeline — profile: {profile}, {RUNS} runs per figure, medians");
    println!("ratios use CPU time when available (the machine is shared)\n");

    let t = Instant::now();
    let engine = FaceEngine::load(&dir).expect("loading models");
    let first_load = Timing {
        wall: t.elapsed(),
        cpu: None,
    };
    let load = median(|| FaceEngine::load(&dir).unwrap());
    let hash_only = median(|| assert!(models::status(&dir).ready()));
    println!(
        "load all models (verify + optimise)  first {}  median {}",
        ms(first_load),
        ms(load)
    );
    println!("  of which SHA-256 verification      {}", ms(hash_only));

    for probe in ["obama_1.jpg", "live_real_1.jpg"] {
        let bytes = std::fs::read(root.join("fixtures/faces").join(probe)).unwrap();
        let img = liveface::imageio::decode_oriented(&bytes).unwrap();
        let rgb = img.to_rgb8();
        println!(
            "\nprobe {probe} ({}×{}, {} KB)",
            img.width(),
            img.height(),
            bytes.len() / 1024
        );

        let decode = median(|| liveface::imageio::decode_oriented(&bytes).unwrap());
        // The baseline: the detector's input before it followed the photo's aspect ratio,
        // a 640 × 640 letterbox (the photo on a black square, as `detect` used to pad it).
        let square = on_black_square(&rgb);
        let det_square = median(|| {
            engine
                .detector(SearchMode::Accurate)
                .detect(&square)
                .unwrap()
        });
        let det640 = median(|| engine.detector(SearchMode::Accurate).detect(&rgb).unwrap());
        let det320 = median(|| engine.detector(SearchMode::Fast).detect(&rgb).unwrap());
        let ((in_w, in_h), _) = engine
            .detector(SearchMode::Accurate)
            .input_for(rgb.width(), rgb.height());
        let faces = engine.detector(SearchMode::Accurate).detect(&rgb).unwrap();
        let face = detect::choose(&faces).unwrap();
        let live = median(|| engine.liveness().score(&rgb, &face).unwrap());
        let aligned = align::align(&rgb, &face.landmarks).unwrap();
        let align_t = median(|| align::align(&rgb, &face.landmarks));
        let embed = median(|| engine.embedder().embed(&aligned).unwrap());
        let embed2 = median(|| engine.embedder().embed_with_mirror(&aligned).unwrap());
        println!("  decode + EXIF                      {}", ms(decode));
        println!("  detect 640×640 letterbox (before)  {}", ms(det_square));
        println!(
            "  detect {in_w}×{in_h} (ACCURATE)          {}   {:.2}× of the letterbox",
            ms(det640),
            ratio(det640, det_square)
        );
        println!(
            "  detect long side 320 (FAST)        {}   {:.2}× of ACCURATE's",
            ms(det320),
            ratio(det320, det640)
        );
        println!("  liveness (2 models)                {}", ms(live));
        println!("  align                              {}", ms(align_t));
        println!("  embed (FAST)                       {}", ms(embed));
        println!("  embed + mirror (ACCURATE)          {}", ms(embed2));

        let gallery = gallery(engine.dim());
        let probe_vec = engine.analyze(&img, SearchMode::Fast).unwrap().vector;
        let search_t = median(|| search(&gallery, &probe_vec));
        println!("  search 10k × 128-d (brute force)   {}", ms(search_t));

        let e2e = |mode: SearchMode| {
            median(|| {
                let img = liveface::imageio::decode_oriented(&bytes).unwrap();
                let a = engine.analyze(&img, mode).unwrap();
                let best = search(&gallery, &a.vector);
                assert!(engine.score(best[0].1) <= 1.0);
            })
        };
        let fast = e2e(SearchMode::Fast);
        let accurate = e2e(SearchMode::Accurate);
        // ACCURATE as before: the same steps with the detector on the letterbox.
        let before = median(|| {
            let img = liveface::imageio::decode_oriented(&bytes).unwrap();
            let square = image::DynamicImage::ImageRgb8(on_black_square(&img.to_rgb8()));
            let a = engine.analyze(&square, SearchMode::Accurate).unwrap();
            let best = search(&gallery, &a.vector);
            assert!(engine.score(best[0].1) <= 1.0);
        });
        let budget = Timing {
            wall: BUDGET,
            cpu: Some(BUDGET),
        };
        println!(
            "  END TO END ACCURATE, letterbox     {}   (before; includes padding the photo)",
            ms(before)
        );
        println!(
            "  END TO END ACCURATE                {}   {:.2}× of the 250 ms budget, {:.2}× of before",
            ms(accurate),
            ratio(accurate, budget),
            ratio(accurate, before)
        );
        println!("  END TO END FAST                    {}   {:.2}× of the 250 ms budget, {:.2}× of ACCURATE", ms(fast), ratio(fast, budget), ratio(fast, accurate));
    }
}
