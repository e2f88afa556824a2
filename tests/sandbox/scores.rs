//! The pixel engine's documented score targets, measured on generated images.

use image::imageops::FilterType;
use image::DynamicImage;
use liveface::api::model::SearchMode;
use liveface::sandbox::engine::{cosine, Engine};
use liveface::sandbox::synth::{self, Variant};
use liveface::sandbox::PixelEngine;

fn score(a: &DynamicImage, b: &DynamicImage) -> f64 {
    let e = PixelEngine;
    let va = e.analyze(a, SearchMode::Accurate).unwrap().vector;
    let vb = e.analyze(b, SearchMode::Accurate).unwrap().vector;
    e.score(cosine(&va, &vb))
}

fn reencoded(img: &DynamicImage, quality: u8) -> DynamicImage {
    image::load_from_memory(&synth::jpeg(img, quality)).unwrap()
}

fn brighten(img: &DynamicImage, by: i32) -> DynamicImage {
    DynamicImage::ImageRgb8(image::imageops::colorops::brighten(&img.to_rgb8(), by))
}

#[test]
fn the_same_image_scores_at_least_0_99() {
    for seed in [1, 2, 3, 50, 999] {
        let img = synth::portrait(seed, &Variant::default());
        let s = score(&img, &img);
        assert!(s >= 0.99, "seed {seed}: {s}");
        let s = score(&img, &DynamicImage::ImageRgb8(img.to_rgb8()));
        assert!(s >= 0.99, "seed {seed}: {s}");
    }
}

#[test]
fn reencoded_resized_or_slightly_brightened_images_score_at_least_0_90() {
    let mut worst: f64 = 1.0;
    for seed in 1..=20u64 {
        let img = synth::portrait(seed, &Variant::default());
        let changes = [
            ("jpeg q60", reencoded(&img, 60)),
            ("resized 75%", img.resize(150, 180, FilterType::Lanczos3)),
            ("resized 140%", img.resize(280, 336, FilterType::CatmullRom)),
            ("brightened +15", brighten(&img, 15)),
            ("darkened -15", brighten(&img, -15)),
            (
                "resized + jpeg q75",
                reencoded(&img.resize(160, 192, FilterType::Triangle), 75),
            ),
        ];
        for (what, changed) in changes {
            let s = score(&img, &changed);
            worst = worst.min(s);
            assert!(s >= 0.90, "seed {seed}, {what}: {s}");
        }
    }
    eprintln!("worst score of a re-encoded/resized/brightened copy: {worst:.3}");
}

#[test]
fn unrelated_images_mostly_score_below_0_5() {
    let vectors: Vec<Vec<f32>> = (100..140u64)
        .map(|s| {
            PixelEngine
                .analyze(
                    &synth::portrait(s, &Variant::default()),
                    SearchMode::Accurate,
                )
                .unwrap()
                .vector
        })
        .collect();
    let (mut below, mut total, mut max) = (0, 0, 0f64);
    for i in 0..vectors.len() {
        for j in i + 1..vectors.len() {
            let s = PixelEngine.score(cosine(&vectors[i], &vectors[j]));
            total += 1;
            below += usize::from(s < 0.5);
            max = max.max(s);
        }
    }
    let fraction = below as f64 / total as f64;
    eprintln!("unrelated pairs below 0.5: {below}/{total} ({fraction:.3}); highest {max:.3}");
    assert!(
        fraction >= 0.9,
        "only {fraction} of unrelated pairs below 0.5"
    );
}

#[test]
fn liveness_passes_portraits_and_fails_grey_tiny_and_blurred_images() {
    let e = PixelEngine;
    let live = |img: &DynamicImage| e.analyze(img, SearchMode::Fast).unwrap().liveness_score;
    for seed in 1..=20u64 {
        let img = synth::portrait(seed, &Variant::default());
        assert!(live(&img) > 0.65, "seed {seed}: portrait {}", live(&img));
        let grey = DynamicImage::ImageLuma8(img.to_luma8());
        assert!(live(&grey) <= 0.65, "seed {seed}: grey {}", live(&grey));
        let tiny = img.resize(40, 48, FilterType::Triangle);
        assert!(live(&tiny) <= 0.65, "seed {seed}: tiny {}", live(&tiny));
        let blurred = img.blur(4.0);
        assert!(
            live(&blurred) <= 0.65,
            "seed {seed}: blurred {}",
            live(&blurred)
        );
    }
}
