//! Probe preparation of a 24-megapixel JPEG, against same-run baselines.
//!
//! Run: `cargo bench --bench probe` (or `-- --iters N`; default 5). To reuse the
//! dev build's optimised dependencies instead of a full release build:
//! `cargo bench --profile dev --config 'profile.dev.opt-level=3' --bench probe`.
//!
//! It makes a photo-like 6000×4000 JPEG in memory (gradients, soft shapes and
//! sensor-like noise, so the encoder and decoder do real work), writes it to a temp
//! file, and times:
//! * `decode`: `image::load_from_memory` of the file's bytes (the baseline: a plain
//!   full decode, by zune-jpeg);
//! * `scaled`: `imageio::decode_oriented_within(bytes, 1600)`, the DCT-scaled JPEG
//!   decode (1/2, 1/4 or 1/8 size straight from the coefficients) the probe path uses;
//! * `prepare`: `probe::prepare(path, 1600)`, i.e. read, safe decode + EXIF,
//!   downscale, JPEG encode, base64 (what `liveface search` does per probe);
//! * `prep_before`: the same steps as the code before `fast_image_resize` and
//!   `jpeg-encoder` (scaled decode, `image`'s area averaging, `image`'s JPEG encoder);
//! * `prep_full`: today's steps after a full-size decode (the code before the
//!   DCT-scaled decode);
//! * `down_half`: `probe::downscale` of the scaled decode (3000×2000 → 1600 px), the
//!   step inside `prepare`; `area_half`: `image`'s area averaging of it (the step before);
//! * `downscale`: `probe::downscale` of the full 6000×4000 decode (a bilinear filter
//!   whose support widens with the reduction, by `fast_image_resize`);
//! * `area`: `image`'s `thumbnail_exact` (area averaging) to the same size;
//! * `triangle`, `lanczos3`: `image`'s `resize_exact` with those filters;
//! * `encode`: `probe::encode_jpeg` of the 1600 px result (`jpeg-encoder`, two halves on
//!   two threads);
//! * `encode_img`: `image`'s own `JpegEncoder` at the same quality (the encoder before);
//!
//! and how close each resize is to Lanczos3's (PSNR), how close the uploads (today's
//! and before) are to a Lanczos3 resize of the full decode and to each other, and the
//! peak resident memory of one `prepare` in a fresh child process (Linux `VmHWM`).
//!
//! Figures are medians; ratios are against the baseline measured in this run, so
//! they hold on any machine (absolute ms do not).
//! On a machine shared with other builds the two-thread steps gain little; running the
//! built bench binary at real-time priority (`chrt -f 10 target/debug/deps/probe-HASH
//! --bench`, as root) holds the other work off for its ~20 s.

// Tests and benches may panic: that is how they fail (the lints guard `src/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Instant;

use image::imageops::FilterType;
use image::{DynamicImage, Rgb, RgbImage};
use liveface::probe;

/// The measured case: a 24 MP photo sent at the default 1600 px.
const FULL: (u32, u32, u32) = (6000, 4000, 1600);
/// Outside `cargo bench` (e.g. `cargo test --benches`) only a quick smoke run.
const SMOKE: (u32, u32, u32) = (600, 400, 160);

mod common;
use common::{iterations, median, ms, time};

/// Set in the child process that measures one `prepare`'s peak memory.
const CHILD_ENV: &str = "LIVEFACE_PROBE_BENCH_CHILD";

fn main() {
    if let Ok(path) = std::env::var(CHILD_ENV) {
        return peak_of_one_prepare(&path);
    }
    // `cargo bench` passes `--bench`; anything else is a smoke run, not a measurement.
    let benching = std::env::args().any(|a| a == "--bench");
    let (width, height, max_side) = if benching { FULL } else { SMOKE };
    let iters = if benching { iterations(5) } else { 1 };
    if !benching {
        println!("smoke run only (figures come from `cargo bench --bench probe`)");
    }
    println!("probe preparation benchmark: {width}×{height} JPEG, max side {max_side}, {iters} timed iterations each (+1 warm-up)");
    let (w, h) = (
        max_side,
        (f64::from(height) * f64::from(max_side) / f64::from(width)).round() as u32,
    );

    let t = Instant::now();
    // Made by `image`'s encoder, as it was before `jpeg-encoder`, so the input is the
    // same across versions of the probe path.
    let jpeg = encode_as_before(&photo_like(width, height));
    println!(
        "test photo: {:.1} MB JPEG, made in {:.0} ms",
        jpeg.len() as f64 / 1e6,
        ms(t.elapsed())
    );
    assert!(
        (jpeg.len() as u64) < probe::MAX_FILE_BYTES,
        "the test photo must stay under the probe size limit"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("photo.jpg");
    std::fs::write(&path, &jpeg).expect("write the test photo");

    let decode = time(iters, || {
        black_box(image::load_from_memory(&jpeg).expect("decode"));
    });
    let scaled = time(iters, || {
        black_box(liveface::imageio::decode_oriented_within(&jpeg, max_side).expect("decode"));
    });
    let prepare = time(iters, || {
        let p = probe::prepare(&path, max_side).expect("prepare");
        assert_eq!(p.sent, (w, h));
        black_box(p);
    });
    let prep_before = time(iters, || {
        black_box(prepare_as_before(&path, max_side));
    });
    let prep_full = time(iters, || {
        black_box(prepare_with_full_decode(&path, max_side));
    });

    let half = liveface::imageio::decode_oriented_within(&jpeg, max_side)
        .expect("decode")
        .image;
    // The resizes take the image by value; the clone is timed separately and subtracted.
    let clone_half = time(iters, || {
        black_box(half.clone());
    });
    let down_half = time(iters, || {
        black_box(probe::downscale(half.clone(), max_side));
    });
    let down_half = minus(&down_half, &clone_half);
    let area_half = time(iters, || {
        black_box(area_average(half.clone(), max_side));
    });
    let area_half = minus(&area_half, &clone_half);

    let img = image::load_from_memory(&jpeg).expect("decode");
    let ours = probe::downscale(img.clone(), max_side);
    assert_eq!((ours.width(), ours.height()), (w, h));
    let clone = time(iters, || {
        black_box(img.clone());
    });
    let downscale = time(iters, || {
        black_box(probe::downscale(img.clone(), max_side));
    });
    let downscale = minus(&downscale, &clone);
    let area = time(iters, || {
        black_box(img.thumbnail_exact(w, h));
    });
    let triangle = time(iters, || {
        black_box(img.resize_exact(w, h, FilterType::Triangle));
    });
    let lanczos3 = time(iters, || {
        black_box(img.resize_exact(w, h, FilterType::Lanczos3));
    });
    let encode = time(iters, || {
        black_box(probe::encode_jpeg(&ours).expect("encode"));
    });
    let encode_img = time(iters, || {
        black_box(encode_as_before(&ours));
    });
    let upload = decode_upload(&probe::prepare(&path, max_side).expect("prepare").base64);
    let before = prepare_as_before(&path, max_side);
    let full_upload = prepare_with_full_decode(&path, max_side);
    let reference = img.resize_exact(w, h, FilterType::Lanczos3);

    let ratio = |a: &[f64], b: &[f64], of: &str| format!("{:.2}× {of}", median(a) / median(b));
    println!();
    println!("{:<11} {:>10} {:>10}  ratio", "step", "median ms", "min ms");
    row("decode", &decode, "1.00× (baseline: decode only)".into());
    row("scaled", &scaled, ratio(&scaled, &decode, "decode"));
    row("prepare", &prepare, ratio(&prepare, &decode, "decode"));
    row(
        "prep_before",
        &prep_before,
        ratio(&prep_before, &decode, "decode"),
    );
    row(
        "prep_full",
        &prep_full,
        ratio(&prep_full, &decode, "decode"),
    );
    row(
        "down_half",
        &down_half,
        ratio(&down_half, &decode, "decode"),
    );
    row(
        "area_half",
        &area_half,
        ratio(&area_half, &down_half, "down_half"),
    );
    row(
        "downscale",
        &downscale,
        ratio(&downscale, &decode, "decode"),
    );
    row("area", &area, ratio(&area, &downscale, "downscale"));
    row(
        "triangle",
        &triangle,
        ratio(&triangle, &downscale, "downscale"),
    );
    row(
        "lanczos3",
        &lanczos3,
        ratio(&lanczos3, &downscale, "downscale"),
    );
    row("encode", &encode, ratio(&encode, &decode, "decode"));
    row(
        "encode_img",
        &encode_img,
        ratio(&encode_img, &encode, "encode"),
    );
    println!();
    println!(
        "prepare = {:.2}× the code before (prep_before), {:.2}× the full-decode path, \
         {:.2}× a plain decode",
        median(&prepare) / median(&prep_before),
        median(&prepare) / median(&prep_full),
        median(&prepare) / median(&decode),
    );
    println!(
        "upload vs a Lanczos3 resize of the full decode (PSNR, higher is closer): \
         today {:.1} dB, before {:.1} dB; today vs before {:.1} dB, vs the full-decode \
         path's {:.1} dB",
        psnr(&upload, &reference),
        psnr(&before, &reference),
        psnr(&upload, &before),
        psnr(&upload, &full_upload),
    );
    match peak_in_child(&path) {
        Some(kb) => println!(
            "peak resident memory of one prepare (fresh process): {:.0} MB",
            kb as f64 / 1024.0
        ),
        None => println!("peak resident memory: not measured (needs Linux /proc)"),
    }
    println!(
        "resize quality vs Lanczos3 (PSNR, higher is closer): probe::downscale {:.1} dB, \
         area averaging {:.1} dB, triangle {:.1} dB",
        psnr(&ours, &reference),
        psnr(&img.thumbnail_exact(w, h), &reference),
        psnr(&img.resize_exact(w, h, FilterType::Triangle), &reference)
    );
    let sent = probe::prepare(&path, max_side).expect("prepare");
    println!(
        "upload: {:.1} MB file → {}×{} JPEG of {:.0} kB ({} base64 chars); before: {:.0} kB",
        jpeg.len() as f64 / 1e6,
        sent.sent.0,
        sent.sent.1,
        sent.jpeg_bytes as f64 / 1e3,
        sent.base64.len(),
        encode_as_before(&area_average(half.clone(), max_side)).len() as f64 / 1e3,
    );
}

/// Each time less the median of `baseline` (e.g. a clone the timed closure needs).
fn minus(xs: &[f64], baseline: &[f64]) -> Vec<f64> {
    xs.iter().map(|t| t - median(baseline)).collect()
}

/// The downscale before `fast_image_resize`: `image`'s area averaging (`thumbnail`).
fn area_average(img: DynamicImage, max_side: u32) -> DynamicImage {
    let longest = img.width().max(img.height());
    let scale = f64::from(max_side) / f64::from(longest);
    let w = ((f64::from(img.width()) * scale).round() as u32).max(1);
    let h = ((f64::from(img.height()) * scale).round() as u32).max(1);
    img.thumbnail_exact(w, h)
}

/// The encoder before `jpeg-encoder`: `image`'s own, same quality, 4:4:4.
fn encode_as_before(img: &DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, probe::JPEG_QUALITY)
        .encode_image(&img.to_rgb8())
        .expect("encode");
    out
}

/// The probe path before `fast_image_resize` and `jpeg-encoder`, decoded again.
fn prepare_as_before(path: &std::path::Path, max_side: u32) -> DynamicImage {
    use base64::Engine;
    let bytes = std::fs::read(path).expect("read");
    let img = liveface::imageio::decode_oriented_within(&bytes, max_side)
        .expect("decode")
        .image;
    let jpeg = encode_as_before(&area_average(img, max_side));
    decode_upload(&base64::engine::general_purpose::STANDARD.encode(jpeg))
}

/// The probe path with today's steps after a full-size decode (as before the DCT-scaled
/// decode), decoded again.
fn prepare_with_full_decode(path: &std::path::Path, max_side: u32) -> DynamicImage {
    let bytes = std::fs::read(path).expect("read");
    let img = liveface::imageio::decode_oriented(&bytes).expect("decode");
    let small = probe::downscale(img, max_side);
    let jpeg = probe::encode_jpeg(&small).expect("encode");
    image::load_from_memory(&jpeg).expect("decode the upload")
}

fn decode_upload(base64: &str) -> DynamicImage {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .expect("base64");
    image::load_from_memory(&bytes).expect("decode the upload")
}

/// Runs this bench again as a child that does one `prepare` and reports its peak memory.
fn peak_in_child(path: &std::path::Path) -> Option<u64> {
    let out = std::process::Command::new(std::env::current_exe().ok()?)
        .env(CHILD_ENV, path)
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

/// The child's work: one `prepare` at 1600 px, then `VmHWM` (peak resident set, kB).
fn peak_of_one_prepare(path: &str) {
    black_box(probe::prepare(std::path::Path::new(path), 1600).expect("prepare"));
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(kb) = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    {
        println!("{kb}");
    }
}

fn row(name: &str, xs: &[f64], ratio: String) {
    let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
    println!("{name:<11} {:>10.1} {:>10.1}  {ratio}", median(xs), min);
}

/// Peak signal-to-noise ratio between two same-sized images, in dB.
fn psnr(a: &DynamicImage, b: &DynamicImage) -> f64 {
    let (a, b) = (a.to_rgb8(), b.to_rgb8());
    assert_eq!(a.dimensions(), b.dimensions());
    let se: f64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(&x, &y)| (x as f64 - y as f64).powi(2))
        .sum();
    let mse = se / a.as_raw().len() as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0 * 255.0 / mse).log10()
    }
}

/// A deterministic photo-like image: a sky-to-ground gradient, a few soft blobs
/// (faces, lamps), fine texture and per-pixel noise like a phone sensor's.
fn photo_like(w: u32, h: u32) -> DynamicImage {
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let blobs: [(f32, f32, f32, [f32; 3]); 4] = [
        (0.30, 0.40, 0.12, [210.0, 160.0, 130.0]),
        (0.65, 0.35, 0.10, [190.0, 140.0, 110.0]),
        (0.80, 0.75, 0.20, [60.0, 90.0, 40.0]),
        (0.15, 0.80, 0.15, [90.0, 70.0, 50.0]),
    ];
    let img = RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
        let mut c = [
            70.0 + 120.0 * (1.0 - fy) + 30.0 * fx,
            90.0 + 100.0 * (1.0 - fy),
            140.0 + 90.0 * (1.0 - fy) - 60.0 * fy,
        ];
        for (bx, by, r, col) in blobs {
            let d2 = ((fx - bx) * 1.5).powi(2) + (fy - by).powi(2);
            let k = (1.0 - d2 / (r * r)).max(0.0);
            for i in 0..3 {
                c[i] += (col[i] - c[i]) * k;
            }
        }
        // Texture: a cheap ripple, then xorshift noise of about ±10 levels.
        let ripple = (((x / 7) ^ (y / 5)) & 15) as f32 - 7.5;
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let px =
            |v: f32, n: u64| (v + ripple + (n & 31) as f32 * 0.6 - 9.3).clamp(0.0, 255.0) as u8;
        Rgb([px(c[0], rng), px(c[1], rng >> 8), px(c[2], rng >> 16)])
    });
    DynamicImage::ImageRgb8(img)
}
