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
//! downscale, encode to half-blocks) against a plain `image::load_from_memory`;
//!
//! and `held ↓`: the real dashboard (`App`, the picture step, `panes::render`, drawn
//! through the crossterm backend into a byte sink) at 160×50 with the cursor held down
//! through 200 photos (3000×2000 JPEGs) in the file browser, one ↓ every 33 ms (real
//! sleeps, as key repeat delivers them), decodes on tokio's blocking pool as the event
//! loop runs them, and a frame for each key and each finished decode, as the event loop
//! draws them. It reports the worst, 99th percentile and median frame against the same
//! scrolling with the preview hidden (`--images off`), the decodes started, and how long
//! after the last key the photo the cursor rests on is on screen.

// Tests and benches may panic: that is how they fail (the lints guard `src/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use image::{DynamicImage, Rgb, RgbImage};
use liveface::api::model::Thumbnail;
use liveface::preview::widgets::{draw_preview, draw_side_by_side, preview_cells, SideBySide};
use liveface::preview::PreviewCache;
use liveface::preview::PreviewDone;
use liveface::probe;
use liveface::tui::action::Action;
use liveface::tui::app::{App, AppInit};
use liveface::tui::pictures::PictureStep;
use liveface::tui::{panes, theme};
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, List, Paragraph, Widget};
use ratatui::{Terminal, TerminalOptions, Viewport};
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
    println!();
    held_down(benching);
}

// ---- held ↓ through a folder of photos ------------------------------------------------

/// The dashboard size of the held-down run: the browser's preview column is 24×26 cells.
const SCROLL_W: u16 = 160;
const SCROLL_H: u16 = 50;
/// Key repeat: one ↓ every 33 ms (30 per second, a common repeat rate).
const KEY_REPEAT: Duration = Duration::from_millis(33);
/// How long to wait for the resting photo before calling it lost.
const REST_LIMIT: Duration = Duration::from_secs(20);

/// What one held-down run measured.
struct Scroll {
    /// Every frame, in ms: update(s) + picture step + draw + flush + starting decodes.
    frames: Vec<f64>,
    keys: usize,
    decodes: usize,
    /// From the last key to the frame that shows the resting photo (`None`: hidden).
    resting: Option<Duration>,
}

fn held_down(benching: bool) {
    let files = if benching { 200 } else { 12 };
    let (pw, ph) = if benching { (3000, 2000) } else { (600, 400) };
    let dir = tempfile::tempdir().expect("temp dir");
    let photo = probe::encode_jpeg(&photo_like(pw, ph)).expect("encode the test photo");
    for i in 0..files {
        let name = format!("IMG_{:04}.jpg", 4000 + i);
        std::fs::write(dir.path().join(name), &photo).expect("write a photo");
    }
    let shown = scroll(dir.path(), files, Some(Picker::halfblocks()));
    let hidden = scroll(dir.path(), files, None);
    println!(
        "held ↓ through {files} photos ({pw}×{ph} JPEG, {:.1} MB each), one key every {} ms, \
         {SCROLL_W}×{SCROLL_H} dashboard, half-blocks; a frame per key and per finished decode \
         (update + picture step + draw + flush):",
        photo.len() as f64 / 1e6,
        KEY_REPEAT.as_millis()
    );
    println!(
        "{:<22} {:>7} {:>10} {:>10} {:>10}  decodes",
        "case", "frames", "median ms", "p99 ms", "max ms"
    );
    for (name, s) in [("preview shown", &shown), ("hidden (baseline)", &hidden)] {
        println!(
            "{name:<22} {:>7} {:>10.3} {:>10.3} {:>10.3}  {} for {} keys",
            s.frames.len(),
            median(&s.frames),
            p99(&s.frames),
            max(&s.frames),
            s.decodes,
            s.keys
        );
    }
    println!(
        "ratio shown/hidden: median {:.2}×, p99 {:.2}×, worst {:.2}×; budget 16 ms: worst frame {}",
        median(&shown.frames) / median(&hidden.frames),
        p99(&shown.frames) / p99(&hidden.frames),
        max(&shown.frames) / max(&hidden.frames),
        if max(&shown.frames) <= 16.0 {
            "inside"
        } else {
            "OVER"
        }
    );
    match shown.resting {
        Some(d) => println!(
            "the photo the cursor rests on is on screen {:.0} ms after the last key",
            ms(d)
        ),
        None => println!(
            "the photo the cursor rests on was NOT shown within {} s",
            REST_LIMIT.as_secs()
        ),
    }
}

fn scroll_init(dir: &Path) -> AppInit {
    AppInit {
        start_dir: dir.to_path_buf(),
        defaults: Default::default(),
        theme: theme::load("default", None, theme::ColorMode::TrueColor).0,
        themes: Vec::new(),
        backend_label: "SANDBOX".into(),
        backend_key: "sandbox:embedded:bench".into(),
        profile: None,
        refilter: liveface::config::Refilter::Session,
        token_masked: None,
        runs: Vec::new(),
        warnings: Vec::new(),
        tz: chrono::FixedOffset::east_opt(0).unwrap().into(),
    }
}

/// The event loop's frame: the picture step, the draw, then the decodes the step asked
/// for are started on the blocking pool. Returns whether the browser's picture is ready.
struct Looper {
    app: App,
    step: PictureStep,
    term: Terminal<CrosstermBackend<std::io::Sink>>,
    tx: mpsc::Sender<PreviewDone>,
    decodes: usize,
}

impl Looper {
    fn frame(&mut self) -> bool {
        let area = Rect::new(0, 0, SCROLL_W, SCROLL_H);
        let pictures = self.step.run(&mut self.app, area);
        let app = &self.app;
        self.term
            .draw(|f| panes::render(app, &pictures, f))
            .expect("draw");
        for job in self.app.preview.take_jobs() {
            self.decodes += 1;
            let tx = self.tx.clone();
            job.spawn(move |done| {
                let _ = tx.send(done);
            });
        }
        panes::browser::wanted(&self.app, panes::areas(area).browser)
            .is_some_and(|w| pictures.get(&w).is_ready())
    }

    fn key(&mut self, code: crossterm::event::KeyCode) {
        let key = crossterm::event::KeyEvent::new(code, crossterm::event::KeyModifiers::NONE);
        liveface::tui::update(&mut self.app, Action::Key(key));
    }

    /// Finished decodes: each batch is handled and drawn as the event loop does.
    fn finished(&mut self, first: PreviewDone, rx: &mpsc::Receiver<PreviewDone>) {
        liveface::tui::update(&mut self.app, Action::Preview(first));
        while let Ok(done) = rx.try_recv() {
            liveface::tui::update(&mut self.app, Action::Preview(done));
        }
    }
}

fn scroll(dir: &Path, files: usize, picker: Option<Picker>) -> Scroll {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let _enter = rt.enter();
    let (mut app, _) = App::new(scroll_init(dir), None);
    app.preview = liveface::preview::PreviewCache::new(picker);
    let seq = app.browser.seq;
    let listing = liveface::tui::fsview::read_dir_sorted(dir).expect("list the photos");
    liveface::tui::update(
        &mut app,
        Action::DirLoaded {
            seq,
            dir: PathBuf::from(dir),
            result: Ok(listing),
        },
    );
    liveface::tui::update(
        &mut app,
        Action::Resize {
            width: SCROLL_W,
            height: SCROLL_H,
        },
    );
    let term = Terminal::with_options(
        CrosstermBackend::new(std::io::sink()),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, SCROLL_W, SCROLL_H)),
        },
    )
    .expect("a terminal");
    let (tx, rx) = mpsc::channel();
    let mut l = Looper {
        app,
        step: PictureStep::default(),
        term,
        tx,
        decodes: 0,
    };
    // The first photo on screen before the key goes down (not timed).
    let mut ready = l.frame();
    while !ready && l.app.preview.in_flight() > 0 {
        let done = rx.recv().expect("a decode");
        l.finished(done, &rx);
        ready = l.frame();
    }
    l.decodes = 0;

    let mut frames = Vec::new();
    let start = Instant::now();
    let mut last_key = start;
    let keys = files - 1;
    for k in 1..=keys {
        let due = start + KEY_REPEAT * k as u32;
        // Until the next key: a frame for each finished decode, as the loop wakes for it.
        while let Some(wait) = due.checked_duration_since(Instant::now()) {
            match rx.recv_timeout(wait) {
                Ok(done) => {
                    let t = Instant::now();
                    l.finished(done, &rx);
                    l.frame();
                    frames.push(ms(t.elapsed()));
                }
                Err(_) => break,
            }
        }
        let t = Instant::now();
        last_key = t;
        l.key(crossterm::event::KeyCode::Down);
        ready = l.frame();
        frames.push(ms(t.elapsed()));
    }
    // Resting: frames for finished decodes until the photo under the cursor shows.
    let rested = last_key;
    let mut resting = None;
    if l.app.preview.enabled() {
        while !ready {
            let Some(left) = REST_LIMIT.checked_sub(rested.elapsed()) else {
                break;
            };
            let Ok(done) = rx.recv_timeout(left) else {
                break;
            };
            let t = Instant::now();
            l.finished(done, &rx);
            ready = l.frame();
            frames.push(ms(t.elapsed()));
        }
        resting = ready.then(|| rested.elapsed());
    }
    Scroll {
        frames,
        keys,
        decodes: l.decodes,
        resting,
    }
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
