//! Snapshots of the image layer with the half-blocks protocol in `TestBackend`:
//! deterministic because `Picker::halfblocks()` fixes the font size.

use std::io::Cursor;

use image::{DynamicImage, Rgb, RgbImage};
use liveface::api::model::Thumbnail;
use liveface::preview::widgets::{preview_cells, SideBySide};
use liveface::preview::{
    render_placeholder, render_preview, render_side_by_side, PreviewCache, PreviewState, Wanted,
};
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::Terminal;
use ratatui_image::picker::Picker;

/// Four flat quadrants: red, green / blue, white — easy to check cell colours.
fn quadrants(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| match (x < w / 2, y < h / 2) {
        (true, true) => Rgb([255, 0, 0]),
        (false, true) => Rgb([0, 255, 0]),
        (true, false) => Rgb([0, 0, 255]),
        (false, false) => Rgb([255, 255, 255]),
    });
    png(img)
}

/// A vertical grey ramp: a second picture that looks different from the first.
fn ramp(w: u32, h: u32) -> Vec<u8> {
    png(RgbImage::from_fn(w, h, |_, y| {
        let v = (y * 255 / h.max(1)) as u8;
        Rgb([v, v, v])
    }))
}

fn png(img: RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn thumb(bytes: Vec<u8>) -> Thumbnail {
    Thumbnail {
        id: None,
        image: Ok(bytes),
    }
}

fn settle(cache: &mut PreviewCache) {
    for job in cache.take_jobs() {
        cache.complete(job.run());
    }
}

fn draw(w: u16, h: u16, f: impl FnOnce(&mut ratatui::Frame)) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(f).unwrap();
    t
}

#[test]
fn placeholder_wraps_and_centres_the_reason() {
    let t = draw(30, 7, |f| {
        render_placeholder(
            f,
            f.area(),
            "cannot preview: the image is corrupt: unexpected end of file",
        )
    });
    insta::assert_snapshot!(t.backend());
}

#[test]
fn placeholder_is_readable_when_tiny() {
    let t = draw(4, 2, |f| render_placeholder(f, f.area(), "no thumbnail"));
    let text = format!("{}", t.backend());
    assert!(text.contains("no") && text.contains("thu…"), "{text}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn loading_shows_a_placeholder() {
    let t = draw(20, 5, |f| {
        render_preview(f, f.area(), &PreviewState::Loading)
    });
    insta::assert_snapshot!(t.backend());
}

#[test]
fn a_small_image_in_half_blocks() {
    let mut cache = PreviewCache::new(Some(Picker::halfblocks()));
    let area = Rect::new(0, 0, 16, 8);
    let t0 = thumb(quadrants(64, 64));
    cache.request_thumbnail("p", 0, Some(&t0), preview_cells(area));
    settle(&mut cache);
    let state = cache.request_thumbnail("p", 0, Some(&t0), preview_cells(area));
    let t = draw(16, 8, |f| render_preview(f, area, &state));
    let buf = t.backend().buffer();
    // A square picture fills 16×8 cells (cells are 1:2), centred.
    let PreviewState::Ready(p) = &state else {
        panic!("{state:?}")
    };
    let size = p.size();
    let x0 = (16 - size.width) / 2;
    let cell = |x: u16, y: u16| buf[(x, y)].clone();
    // Top-left is red, bottom-right white (upper half-block = fg, lower = bg).
    assert_eq!(cell(x0, 0).fg, Color::Rgb(255, 0, 0));
    assert_eq!(
        cell(x0 + size.width - 1, size.height - 1).bg,
        Color::Rgb(255, 255, 255)
    );
    assert_eq!(cell(x0, size.height - 1).bg, Color::Rgb(0, 0, 255));
    insta::assert_debug_snapshot!(buf);
}

fn side_by_side(w: u16, h: u16) -> Terminal<TestBackend> {
    let mut cache = PreviewCache::new(Some(Picker::halfblocks()));
    let area = Rect::new(0, 0, w, h);
    let layout = SideBySide::new(area).expect("room for two pictures");
    let probe = thumb(quadrants(120, 160));
    let matched = thumb(ramp(100, 100));
    let states = |c: &mut PreviewCache| {
        (
            c.request_thumbnail("probe", 0, Some(&probe), preview_cells(layout.probe)),
            c.request_thumbnail("ana", 0, Some(&matched), preview_cells(layout.matched)),
        )
    };
    states(&mut cache);
    settle(&mut cache);
    let (a, b) = states(&mut cache);
    assert!(a.is_ready() && b.is_ready(), "{a:?} {b:?}");
    draw(w, h, |f| {
        render_side_by_side(f, f.area(), &a, &b, 0.87349, "Ana Pérez")
    })
}

#[test]
fn side_by_side_at_80x24() {
    let t = side_by_side(80, 24);
    let text = format!("{}", t.backend());
    assert!(text.contains("probe") && text.contains("Ana Pérez") && text.contains("0.873"));
    insta::assert_snapshot!(t.backend());
}

#[test]
fn side_by_side_at_120x40() {
    let t = side_by_side(120, 40);
    let buf = t.backend().buffer();
    // The score sits in the middle column, between the two pictures.
    let layout = SideBySide::new(Rect::new(0, 0, 120, 40)).unwrap();
    let row: String = (layout.score.x..layout.score.right())
        .map(|x| {
            buf[(x, layout.score.y + (layout.score.height - 2) / 2 + 1)]
                .symbol()
                .to_string()
        })
        .collect();
    assert_eq!(row.trim(), "0.873");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn side_by_side_with_placeholders_when_pictures_are_missing() {
    let t = draw(60, 12, |f| {
        render_side_by_side(
            f,
            f.area(),
            &PreviewState::Failed("cannot preview: no such file".into()),
            &PreviewState::Failed("thumbnail is not valid base64".into()),
            0.5,
            "Bob",
        )
    });
    let text = format!("{}", t.backend());
    assert!(
        text.contains("cannot preview:") && text.contains("not valid"),
        "{text}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn a_corrupt_image_file_renders_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("face.jpg");
    let mut bytes = quadrants(64, 64);
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&path, bytes).unwrap();
    let mut cache = PreviewCache::new(Some(Picker::halfblocks()));
    let area = Rect::new(0, 0, 40, 8);
    cache.request_file(&path, preview_cells(area));
    settle(&mut cache);
    let state = cache.request_file(&path, preview_cells(area));
    let t = draw(40, 8, |f| render_preview(f, area, &state));
    let text = format!("{}", t.backend());
    assert!(text.contains("cannot preview:"), "{text}");
    assert!(text.contains("corrupt"), "{text}");
}

#[test]
fn wanted_pictures_show_loading_then_the_picture() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("probe.png");
    std::fs::write(&path, quadrants(64, 64)).unwrap();
    let mut cache = PreviewCache::new(Some(Picker::halfblocks()));
    let matched = thumb(ramp(50, 50));
    let top = Rect::new(0, 0, 20, 8);
    let side = Rect::new(0, 8, 60, 12);
    let l = SideBySide::new(side).unwrap();
    let wanted = vec![
        Wanted::file(&path, preview_cells(top), None),
        Wanted::file(&path, preview_cells(l.probe), None),
        Wanted::thumbnail("ana", 0, preview_cells(l.matched)),
    ];
    // The request step, then a draw that reads only what it returned.
    let frame = |cache: &mut PreviewCache| {
        let pictures = cache.request_wanted(wanted.clone(), |_, _| Some(&matched));
        draw(60, 20, |f| {
            render_preview(f, top, &pictures.get(&wanted[0]));
            render_side_by_side(
                f,
                side,
                &pictures.get(&wanted[1]),
                &pictures.get(&wanted[2]),
                0.7,
                "Ana",
            );
        })
    };
    let first = format!("{}", frame(&mut cache).backend());
    assert_eq!(first.matches("loading…").count(), 3, "{first}");
    for _ in 0..3 {
        settle(&mut cache);
        frame(&mut cache);
    }
    let t = frame(&mut cache);
    let text = format!("{}", t.backend());
    assert!(!text.contains("loading…"), "{text}");
    // The probe preview's top-left quadrant is red.
    assert_eq!(t.backend().buffer()[(2, 0)].fg, Color::Rgb(255, 0, 0));
}
