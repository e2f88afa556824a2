//! The image layer's cost per frame, against baselines measured in the same run.
//!
//! Run: `cargo bench --bench preview_frame` (or `-- --iters N`; default 200 frames).
//! To reuse the dev build's optimised dependencies instead of a release build:
//! `cargo bench --profile dev --config 'profile.dev.opt-level=3' --bench preview_frame`.
//!
//! A 200×60 dashboard-like frame, half-blocks protocol, warm cache:
//! * `text`: the frame's text panes only (file list, results list) — the baseline;
//! * `images`: the same plus a probe preview, 10 match thumbnails in the results
//!   list and the probe/match side-by-side, every picture requested from the
//!   cache (one `stat` for the probe file, a fingerprint per thumbnail) and drawn;
//! * `*+flush`: the same frames, then every non-blank cell encoded as escape
//!   sequences by the crossterm backend into a byte sink (the worst case: a full
//!   repaint, as after a resize; normal frames only send the cells that changed);
//!
//! and, off the render path, the cold job for a 24 MP JPEG (read, decode, EXIF,
//! downscale, encode to half-blocks) against a plain `image::load_from_memory`.

// Tests and benches may panic: that is how they fail (the lints guard `src/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use std::path::Path;
use std::time::Instant;

use image::{DynamicImage, Rgb, RgbImage};
use liveface::api::model::Thumbnail;
use liveface::preview::widgets::{draw_preview, draw_side_by_side, preview_cells, SideBySide};
use liveface::preview::PreviewCache;
use liveface::probe;
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, List, Paragraph, Widget};
use ratatui_image::picker::Picker;

const W: u16 = 200;
const H: u16 = 60;
const THUMBS: usize = 10;

mod common;
use common::{iterations, median, ms, sorted, time};

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let iters = if benching { iterations(200) } else { 3 };
    let (pw, ph) = if benching { (6000, 4000) } else { (600, 400) };
    if !benching {
        println!("smoke run only (figures come from `cargo bench --bench preview_frame`)");
    }

    let dir = tempfile::tempdir().expect("temp dir");
    let photo = probe::encode_jpeg(&photo_like(pw, ph)).expect("encode the test photo");
    let probe_path = dir.path().join("probe.jpg");
    std::fs::write(&probe_path, &photo).expect("write the test photo");
    let thumbs: Vec<Thumbnail> = (0..THUMBS)
        .map(|i| Thumbnail {
            id: None,
            image: Ok(probe::encode_jpeg(&photo_like(160 + i as u32, 200)).unwrap()),
        })
        .collect();

    let layout = Layout::new();
    let mut cache = PreviewCache::new(Some(Picker::halfblocks()));
    // Warm the cache: request, run the jobs here, until everything is ready.
    let t = Instant::now();
    for _ in 0..(THUMBS + 2) {
        let mut buf = Buffer::empty(Rect::new(0, 0, W, H));
        image_frame(&mut buf, &layout, &mut cache, &probe_path, &thumbs);
        for job in cache.take_jobs() {
            cache.complete(job.run());
        }
    }
    println!(
        "warm-up (all cold decodes, {} pictures): {:.0} ms",
        cache.len(),
        ms(t.elapsed())
    );
    assert!(cache.take_jobs().is_empty() && cache.in_flight() == 0);

    let text = time(iters, || {
        let mut buf = Buffer::empty(Rect::new(0, 0, W, H));
        text_frame(&mut buf, &layout);
        black_box(buf);
    });
    let images = time(iters, || {
        let mut buf = Buffer::empty(Rect::new(0, 0, W, H));
        image_frame(&mut buf, &layout, &mut cache, &probe_path, &thumbs);
        black_box(buf);
    });
    assert!(
        cache.take_jobs().is_empty(),
        "the timed frames were all cache hits"
    );

    // A full repaint: every cell that differs from a blank screen is encoded as
    // escape sequences by the crossterm backend (into a sink, not a terminal).
    let mut backend = CrosstermBackend::new(std::io::sink());
    let blank = Buffer::empty(Rect::new(0, 0, W, H));
    let mut flush = |buf: &Buffer| {
        backend.draw(blank.diff(buf).into_iter()).unwrap();
        Backend::flush(&mut backend).unwrap();
    };
    let text_flush = time(iters, || {
        let mut buf = Buffer::empty(Rect::new(0, 0, W, H));
        text_frame(&mut buf, &layout);
        flush(&buf);
    });
    let images_flush = time(iters, || {
        let mut buf = Buffer::empty(Rect::new(0, 0, W, H));
        image_frame(&mut buf, &layout, &mut cache, &probe_path, &thumbs);
        flush(&buf);
    });

    let cold_iters = if benching { 5 } else { 1 };
    let decode = time(cold_iters, || {
        black_box(image::load_from_memory(&photo).expect("decode"));
    });
    let cold = time(cold_iters, || {
        let mut c = PreviewCache::new(Some(Picker::halfblocks()));
        c.request_file(&probe_path, preview_cells(layout.probe));
        let job = c.take_jobs().pop().expect("a job");
        let done = job.run();
        c.complete(done);
        assert!(c
            .request_file(&probe_path, preview_cells(layout.probe))
            .is_ready());
    });

    println!();
    println!("{W}×{H} frame, half-blocks, {iters} frames each; probe pane {}×{} cells, {THUMBS} thumbnails {}×{} cells, side-by-side {}×{}",
        layout.probe.width, layout.probe.height, layout.thumb_w, layout.thumb_h,
        layout.side.width, layout.side.height);
    println!(
        "{:<14} {:>10} {:>10} {:>10} {:>10}  ratio",
        "frame", "min ms", "median ms", "p99 ms", "max ms"
    );
    row("text", &text, "1.00× (baseline)".into());
    row(
        "images",
        &images,
        format!("{:.2}× text", median(&images) / median(&text)),
    );
    row(
        "text+flush",
        &text_flush,
        format!("{:.2}× text", median(&text_flush) / median(&text)),
    );
    row(
        "images+flush",
        &images_flush,
        format!(
            "{:.2}× text+flush",
            median(&images_flush) / median(&text_flush)
        ),
    );
    // Tails (p99, max) on a shared machine are mostly the scheduler: compare
    // them with the text-only frames' tails from the same run.
    println!(
        "budget: 16 ms per frame; images+flush median {:.2} ms ({:.0}% of it), p99 {:.2} ms \
         (text-only p99 in the same run: {:.2} ms)",
        median(&images_flush),
        median(&images_flush) / 16.0 * 100.0,
        p99(&images_flush),
        p99(&text_flush),
    );
    println!();
    println!(
        "off the render path, {pw}×{ph} JPEG ({:.1} MB), {cold_iters} runs:",
        photo.len() as f64 / 1e6
    );
    row(
        "decode",
        &decode,
        "1.00× (baseline: image::load_from_memory)".into(),
    );
    row(
        "preview job",
        &cold,
        format!(
            "{:.2}× decode (read + safe decode + EXIF + downscale + encode)",
            median(&cold) / median(&decode)
        ),
    );
}

/// Where the dashboard-like frame puts things.
struct Layout {
    files: Rect,
    probe: Rect,
    results: Rect,
    thumb_w: u16,
    thumb_h: u16,
    side: Rect,
}

impl Layout {
    fn new() -> Layout {
        Layout {
            files: Rect::new(0, 0, 50, 30),
            probe: Rect::new(51, 1, 48, 28),
            results: Rect::new(100, 0, 100, 30),
            thumb_w: 6,
            thumb_h: 3,
            side: Rect::new(0, 31, W, H - 31),
        }
    }

    fn thumb(&self, i: usize) -> Rect {
        Rect::new(
            self.results.x + 1,
            self.results.y + 1 + i as u16 * self.thumb_h,
            self.thumb_w,
            self.thumb_h - 1,
        )
    }
}

fn text_frame(buf: &mut Buffer, l: &Layout) {
    let files: Vec<Line> = (0..40)
        .map(|i| Line::from(format!("  IMG_{i:04}.jpg   2.4 MB")))
        .collect();
    List::new(files)
        .block(Block::default().borders(Borders::ALL).title("files"))
        .render(l.files, buf);
    Block::default()
        .borders(Borders::ALL)
        .title("probe")
        .render(
            Rect::new(
                l.probe.x - 1,
                l.probe.y - 1,
                l.probe.width + 2,
                l.probe.height + 2,
            ),
            buf,
        );
    Block::default()
        .borders(Borders::ALL)
        .title("results")
        .render(l.results, buf);
    for i in 0..THUMBS {
        let t = l.thumb(i);
        Paragraph::new(format!(
            "Person number {i}   score 0.{:03}   id 64f0c0ffee{i:02}",
            990 - i * 7
        ))
        .render(
            Rect::new(t.right() + 1, t.y, l.results.width - t.width - 3, 1),
            buf,
        );
    }
    Paragraph::new("status: sandbox · 10 matches · 412 ms").render(Rect::new(0, H - 1, W, 1), buf);
}

fn image_frame(
    buf: &mut Buffer,
    l: &Layout,
    cache: &mut PreviewCache,
    probe_path: &Path,
    thumbs: &[Thumbnail],
) {
    text_frame(buf, l);
    let state = cache.request_file(probe_path, preview_cells(l.probe));
    draw_preview(buf, l.probe, &state);
    for (i, t) in thumbs.iter().enumerate() {
        let area = l.thumb(i);
        let s = cache.request_thumbnail(&format!("person-{i}"), 0, Some(t), preview_cells(area));
        draw_preview(buf, area, &s);
    }
    let side = SideBySide::new(l.side).expect("room");
    let probe = cache.request_file(probe_path, preview_cells(side.probe));
    let matched =
        cache.request_thumbnail("person-0", 0, thumbs.first(), preview_cells(side.matched));
    draw_side_by_side(buf, l.side, &probe, &matched, 0.873, "Person number 0");
}

fn p99(xs: &[f64]) -> f64 {
    let v = sorted(xs);
    v[((v.len() as f64 * 0.99).ceil() as usize).clamp(1, v.len()) - 1]
}

fn max(xs: &[f64]) -> f64 {
    xs.iter().copied().fold(0.0, f64::max)
}

fn row(name: &str, xs: &[f64], ratio: String) {
    println!(
        "{name:<14} {:>10.3} {:>10.3} {:>10.3} {:>10.3}  {ratio}",
        sorted(xs)[0],
        median(xs),
        p99(xs),
        max(xs)
    );
}

/// A deterministic photo-like image: gradients, soft blobs, texture and noise,
/// so the JPEG codec does real work (the same recipe as benches/probe.rs).
fn photo_like(w: u32, h: u32) -> DynamicImage {
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let img = RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
        let d2 = ((fx - 0.5) * 1.5).powi(2) + (fy - 0.4).powi(2);
        let k = (1.0 - d2 / 0.04).max(0.0);
        let c = [
            70.0 + 120.0 * (1.0 - fy) + 30.0 * fx,
            90.0 + 100.0 * (1.0 - fy),
            140.0 + 90.0 * (1.0 - fy) - 60.0 * fy,
        ];
        let skin = [210.0, 160.0, 130.0];
        let ripple = (((x / 7) ^ (y / 5)) & 15) as f32 - 7.5;
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let px = |i: usize, n: u64| {
            let v = c[i] + (skin[i] - c[i]) * k;
            (v + ripple + (n & 31) as f32 * 0.6 - 9.3).clamp(0.0, 255.0) as u8
        };
        Rgb([px(0, rng), px(1, rng >> 8), px(2, rng >> 16)])
    });
    DynamicImage::ImageRgb8(img)
}
