//! A manual check in a real terminal (e.g. inside tmux), not run by default:
//!
//! ```text
//! tmux new -d -s pv -x 120 -y 40 \
//!   'LIVEFACE_IMAGES=auto cargo test --test tui preview_tty -- --ignored --nocapture; sleep 30'
//! tmux capture-pane -p -t pv      # half-blocks, placeholders, side by side
//! cat /tmp/liveface-preview-tty.log  # the picker's description and how long the query took
//! ```
//!
//! It asks the terminal for its graphics protocol *before* anything reads input,
//! then draws for a few seconds with jobs running on tokio's blocking pool: the
//! probe preview (a generated picture, or `LIVEFACE_PREVIEW_IMAGE`), a bad
//! thumbnail's placeholder, and the side-by-side view.

use std::io::Cursor;
use std::time::{Duration, Instant};

use image::{DynamicImage, Rgb, RgbImage};
use liveface::api::model::Thumbnail;
use liveface::preview::widgets::{preview_cells, SideBySide};
use liveface::preview::{
    make_picker, render_preview, render_side_by_side, ImageMode, PreviewCache, PreviewState,
};
use ratatui::layout::Rect;

#[test]
#[ignore = "needs a real terminal: see the file's header"]
fn draws_in_a_real_terminal() {
    let mode = ImageMode::parse(&std::env::var("LIVEFACE_IMAGES").unwrap_or("auto".into()))
        .expect("LIVEFACE_IMAGES");
    let dir = tempfile::tempdir().unwrap();
    let path = match std::env::var_os("LIVEFACE_PREVIEW_IMAGE") {
        Some(p) => p.into(),
        None => {
            let img = RgbImage::from_fn(300, 400, |x, y| {
                let d = ((x as f32 - 150.0).powi(2) + (y as f32 - 170.0).powi(2)).sqrt();
                if d < 110.0 {
                    Rgb([220, 170, 140])
                } else {
                    Rgb([40, 60 + (y / 4) as u8, 120])
                }
            });
            let p = dir.path().join("face.png");
            DynamicImage::ImageRgb8(img).save(&p).unwrap();
            p
        }
    };
    let mut png = Vec::new();
    image::open(&path)
        .unwrap()
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();

    let t = Instant::now();
    let (picker, description) = make_picker(mode);
    let log = format!(
        "{description} (decided in {} ms)\n",
        t.elapsed().as_millis()
    );
    std::fs::write(std::env::temp_dir().join("liveface-preview-tty.log"), &log).unwrap();

    let rt = tokio::runtime::Runtime::new().unwrap();
    let _guard = rt.enter();
    let (tx, rx) = std::sync::mpsc::channel();
    let mut cache = PreviewCache::new(picker);
    let good = Thumbnail {
        id: None,
        image: Ok(png),
    };
    let bad = Thumbnail::from_value(&serde_json::json!({"thumbnail": "%%%"}));
    let mut term = ratatui::init();
    let start = Instant::now();
    let mut slowest = Duration::ZERO;
    let mut ready = false;
    while start.elapsed() < Duration::from_secs(6) {
        while let Ok(done) = rx.try_recv() {
            cache.complete(done);
        }
        let frame_start = Instant::now();
        term.draw(|f| {
            let a = f.area();
            let top = Rect::new(0, 0, a.width / 2, a.height / 2);
            let s = cache.request_file(&path, preview_cells(top));
            ready = s.is_ready();
            render_preview(f, top, &s);
            let right = Rect::new(a.width / 2, 0, a.width - a.width / 2, a.height / 2);
            let s = cache.request_thumbnail("bad", 0, Some(&bad), preview_cells(right));
            render_preview(f, right, &s);
            let bottom = Rect::new(0, a.height / 2, a.width, a.height - a.height / 2);
            let (p, m) = match SideBySide::new(bottom) {
                Some(l) => (
                    cache.request_file(&path, preview_cells(l.probe)),
                    cache.request_thumbnail("good", 0, Some(&good), preview_cells(l.matched)),
                ),
                None => (PreviewState::Loading, PreviewState::Loading),
            };
            render_side_by_side(f, bottom, &p, &m, 0.912, "Ana Pérez");
        })
        .unwrap();
        slowest = slowest.max(frame_start.elapsed());
        for job in cache.take_jobs() {
            let tx = tx.clone();
            job.spawn(move |done| {
                let _ = tx.send(done);
            });
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    ratatui::restore();
    println!("{log}slowest frame {:.2} ms", slowest.as_secs_f64() * 1e3);
    assert_eq!(
        ready,
        mode != ImageMode::Off,
        "the probe preview must be ready unless images are off"
    );
}
