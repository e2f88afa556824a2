//! The searched face's box on the probe, as the terminal shows it: rendered into
//! `TestBackend` with half blocks and checked cell by cell (a text snapshot cannot show
//! colour). Each half cell ("dot") is classed as probe, box or other by its colour.

use crate::tui_support;

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, Rgb, RgbImage};
use liveface::face_region::FaceRegion;
use liveface::history::ProbeStamp;
use liveface::preview::{render_preview, FaceMark, Pictures, PreviewCache, PreviewState};
use liveface::tui::action::ProbeInfo;
use liveface::tui::app::{App, Popup, ProbeState, ResultsView};
use liveface::tui::panes;
use liveface::tui::pictures::PictureStep;
use liveface::tui::theme::face_box_rgb;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::{Rect, Size};
use ratatui::style::Color;
use ratatui::Terminal;
use ratatui_image::picker::{Picker, ProtocolType};
use tui_support::*;

/// The probe: one flat colour no theme uses, so its dots are easy to tell apart.
const PROBE: [u8; 3] = [128, 64, 160];
/// A face in the upper middle of a portrait, as the sandbox finds them.
const FACE: FaceRegion = FaceRegion {
    x: 0.25,
    y: 0.2,
    width: 0.5,
    height: 0.45,
};

fn probe_image() -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_pixel(120, 160, Rgb(PROBE)))
}

fn write_probe(dir: &Path) -> ProbeStamp {
    let path = dir.join("probe.png");
    let mut bytes = Vec::new();
    probe_image()
        .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
        .unwrap();
    std::fs::write(&path, bytes).unwrap();
    ProbeStamp::of(&path).unwrap()
}

fn dist(a: [u8; 3], b: [u8; 3]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (f64::from(*x) - f64::from(y)).powi(2))
        .sum::<f64>()
        .sqrt()
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Dot {
    Probe,
    Box,
}

/// Every half-block dot inside `within` that is probe- or box-coloured, at
/// (x, 2·y + half). Half blocks set the upper half as `fg` under `▀`, as `bg` under `▄`.
fn dots_in(buf: &Buffer, within: Rect, box_rgb: [u8; 3]) -> Vec<(u16, u16, Dot)> {
    let near = |c: [u8; 3], to: [u8; 3], other: [u8; 3]| dist(c, to) < 0.5 * dist(to, other);
    let mut out = Vec::new();
    for y in within.top()..within.bottom() {
        for x in within.left()..within.right() {
            let cell = &buf[(x, y)];
            let (Color::Rgb(fr, fg, fb), Color::Rgb(br, bg, bb)) = (cell.fg, cell.bg) else {
                continue;
            };
            let (upper, lower) = match cell.symbol() {
                "▀" | " " => ([fr, fg, fb], [br, bg, bb]),
                "▄" => ([br, bg, bb], [fr, fg, fb]),
                _ => continue,
            };
            for (half, c) in [(0, upper), (1, lower)] {
                let kind = if near(c, box_rgb, PROBE) {
                    Some(Dot::Box)
                } else if near(c, PROBE, box_rgb) {
                    Some(Dot::Probe)
                } else {
                    None
                };
                if let Some(k) = kind {
                    out.push((x, 2 * y + half, k));
                }
            }
        }
    }
    out
}

fn dots(buf: &Buffer, box_rgb: [u8; 3]) -> Vec<(u16, u16, Dot)> {
    dots_in(buf, buf.area, box_rgb)
}

/// Asserts the box dots outline `face` within the picture (the probe dots' bounding
/// box), one dot of rounding either way, with each side mostly drawn.
fn assert_outline(dots: &[(u16, u16, Dot)], face: &FaceRegion) {
    let boxed: Vec<(i32, i32)> = dots
        .iter()
        .filter(|d| d.2 == Dot::Box)
        .map(|d| (i32::from(d.0), i32::from(d.1)))
        .collect();
    assert!(!boxed.is_empty(), "no box-coloured dot");
    let probe = dots.iter().filter(|d| d.2 == Dot::Probe);
    let xs = probe.clone().map(|d| i32::from(d.0));
    let ys = probe.map(|d| i32::from(d.1));
    let (x0, x1) = (xs.clone().min().unwrap(), xs.max().unwrap() + 1);
    let (y0, y1) = (ys.clone().min().unwrap(), ys.max().unwrap() + 1);
    let at = |from: i32, to: i32, f: f64| from + (f * f64::from(to - from)).floor() as i32;
    let (l, r) = (at(x0, x1, face.x), at(x0, x1, face.right()));
    let (t, b) = (at(y0, y1, face.y), at(y0, y1, face.bottom()));
    let near = |v: i32, edge: i32| (v - edge).abs() <= 1;
    for &(x, y) in &boxed {
        let on_side = (near(x, l) || near(x, r)) && (t - 1..=b + 1).contains(&y);
        let on_top = (near(y, t) || near(y, b)) && (l - 1..=r + 1).contains(&x);
        assert!(
            on_side || on_top,
            "box dot ({x}, {y}) off the outline {l}..{r} × {t}..{b} of picture {x0}..{x1} × {y0}..{y1}"
        );
    }
    // Each side: at least 80 % of its dots drawn (one dot of slack across it).
    let column_drawn = |x: i32| {
        let hit = (t..=b)
            .filter(|y| boxed.iter().any(|(bx, by)| (bx - x).abs() <= 1 && by == y))
            .count();
        hit * 10 >= (b - t + 1) as usize * 8
    };
    let row_drawn = |y: i32| {
        let hit = (l..=r)
            .filter(|x| boxed.iter().any(|(bx, by)| bx == x && (by - y).abs() <= 1))
            .count();
        hit * 10 >= (r - l + 1) as usize * 8
    };
    assert!(column_drawn(l), "left side missing");
    assert!(column_drawn(r), "right side missing");
    assert!(row_drawn(t), "top side missing");
    assert!(row_drawn(b), "bottom side missing");
}

fn box_dots(dots: &[(u16, u16, Dot)]) -> usize {
    dots.iter().filter(|d| d.2 == Dot::Box).count()
}

fn settle(cache: &mut PreviewCache) {
    for job in cache.take_jobs() {
        cache.complete(job.run());
    }
}

fn draw_state(state: &PreviewState, w: u16, h: u16) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| render_preview(f, f.area(), state)).unwrap();
    t.backend().buffer().clone()
}

// ---- the cache ---------------------------------------------------------------------

const GREEN: [u8; 3] = [0, 255, 95];

#[test]
fn the_box_is_drawn_into_the_pixels_and_keyed_apart_from_the_plain_picture() {
    let dir = tempfile::tempdir().unwrap();
    let stamp = write_probe(dir.path());
    let mut cache = PreviewCache::new(Some(Picker::halfblocks()));
    let cells = Size::new(30, 12);
    let mark = FaceMark::new(&FACE, GREEN);
    cache.request_probe(&stamp, Some(mark), cells);
    cache.request_probe(&stamp, None, cells);
    settle(&mut cache);
    assert_eq!(cache.len(), 2, "boxed and plain are separate entries");

    let boxed = dots(
        &draw_state(&cache.request_probe(&stamp, Some(mark), cells), 30, 12),
        GREEN,
    );
    assert_outline(&boxed, &FACE);
    // The same file for a run without a box: not one box-coloured dot.
    let plain = dots(
        &draw_state(&cache.request_probe(&stamp, None, cells), 30, 12),
        GREEN,
    );
    assert!(plain.len() > 100, "the picture is drawn");
    assert_eq!(box_dots(&plain), 0);
    assert!(
        cache.request_file(&stamp.path, cells).is_ready(),
        "a plain file request shares the plain entry"
    );
    assert_eq!(cache.len(), 2);
}

#[test]
fn a_probe_changed_since_the_run_is_shown_without_its_box() {
    let dir = tempfile::tempdir().unwrap();
    let mut stamp = write_probe(dir.path());
    // The run searched an earlier version of the file.
    stamp.mtime_ms = stamp.mtime_ms.map(|m| m - 60_000);
    let mut cache = PreviewCache::new(Some(Picker::halfblocks()));
    let cells = Size::new(30, 12);
    let mark = FaceMark::new(&FACE, GREEN);
    cache.request_probe(&stamp, Some(mark), cells);
    settle(&mut cache);
    let shown = dots(
        &draw_state(&cache.request_probe(&stamp, Some(mark), cells), 30, 12),
        GREEN,
    );
    assert!(shown.len() > 100, "the picture is drawn");
    assert_eq!(box_dots(&shown), 0, "the box belonged to another version");
}

#[test]
fn every_graphics_protocol_encodes_the_boxed_probe() {
    let dir = tempfile::tempdir().unwrap();
    let stamp = write_probe(dir.path());
    for protocol in [
        ProtocolType::Kitty,
        ProtocolType::Sixel,
        ProtocolType::Iterm2,
    ] {
        let mut picker = Picker::halfblocks();
        picker.set_protocol_type(protocol);
        let mut cache = PreviewCache::new(Some(picker));
        let mark = FaceMark::new(&FACE, GREEN);
        cache.request_probe(&stamp, Some(mark), Size::new(20, 10));
        settle(&mut cache);
        let state = cache.request_probe(&stamp, Some(mark), Size::new(20, 10));
        assert!(state.is_ready(), "{protocol:?}: {state:?}");
    }
}

// ---- the dashboard -------------------------------------------------------------------

/// One frame as the dashboard draws it: the request step, then the draw.
fn render_buf(app: &mut App, w: u16, h: u16) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let pictures = PictureStep::default().run(app, Rect::new(0, 0, w, h));
    t.draw(|f| panes::render(app, &pictures, f)).unwrap();
    t.backend().buffer().clone()
}

/// Two runs of the same probe file, the first with a face box, the second without; the
/// person detail of a match open, pictures decoded.
fn dashboard(stamp: &ProbeStamp) -> App {
    let mut with_box = run(1, 0.7, &[("p1", 0.93)]);
    with_box.probe = stamp.clone();
    with_box.face = Some(FACE);
    let mut without = run(2, 0.7, &[("p1", 0.91)]);
    without.probe = stamp.clone();
    let (mut app, _) = app_with(vec![with_box, without]);
    app.preview = PreviewCache::new(Some(Picker::halfblocks()));
    app.persons.insert("p1".into(), person("p1", "Ana Gómez"));
    app.results = ResultsView::Run(1);
    app.popup = Some(Popup::Detail {
        person_id: "p1".into(),
        scroll: 0,
    });
    app
}

fn render_settled(app: &mut App, w: u16, h: u16) -> Buffer {
    render_buf(app, w, h);
    settle(&mut app.preview);
    render_buf(app, w, h)
}

/// The dots of the open popup only (the panes behind it have coloured cells too).
fn popup_dots(buf: &Buffer, popup: (u16, u16), box_rgb: [u8; 3]) -> Vec<(u16, u16, Dot)> {
    dots_in(buf, panes::popup_area(buf.area, popup.0, popup.1), box_rgb)
}

/// The person detail's popup size when wide, and the probe popup's.
const DETAIL: (u16, u16) = (120, 20);
const PREVIEW: (u16, u16) = (34, 18);

#[test]
fn the_person_detail_draws_the_runs_box_on_the_probe_and_only_for_that_run() {
    let dir = tempfile::tempdir().unwrap();
    let stamp = write_probe(dir.path());
    let mut app = dashboard(&stamp);
    let rgb = face_box_rgb(&app.theme);

    let screen = popup_dots(&render_settled(&mut app, 120, 40), DETAIL, rgb);
    assert!(
        screen.len() > 200,
        "the probe is drawn: {} dots",
        screen.len()
    );
    assert_outline(&screen, &FACE);

    // The other run of the same file has no box: none may leak from the cache.
    app.results = ResultsView::Run(2);
    let screen = popup_dots(&render_settled(&mut app, 120, 40), DETAIL, rgb);
    assert!(screen.len() > 200);
    assert_eq!(box_dots(&screen), 0);

    // Back to the first run, in another theme: the box follows the theme's colour.
    app.results = ResultsView::Run(1);
    app.theme.face_box = Color::Rgb(255, 0, 255);
    let screen = popup_dots(&render_settled(&mut app, 120, 40), DETAIL, [255, 0, 255]);
    assert_outline(&screen, &FACE);
}

fn probe_info(stamp: &ProbeStamp) -> ProbeInfo {
    ProbeInfo {
        stamp: stamp.clone(),
        original: (120, 160),
        sent: (120, 160),
        jpeg_bytes: 1_000,
        base64: "aGVsbG8=".into(),
        preview: liveface::tui::runner::preview_of(probe_image()),
    }
}

#[test]
fn the_probe_popup_draws_the_box_of_the_shown_run_of_that_probe() {
    let dir = tempfile::tempdir().unwrap();
    let stamp = write_probe(dir.path());
    let mut app = dashboard(&stamp);
    let rgb = face_box_rgb(&app.theme);
    app.probe = ProbeState::Ready(probe_info(&stamp));
    app.popup = Some(Popup::Preview);

    let screen = popup_dots(&render_buf(&mut app, 120, 40), PREVIEW, rgb);
    assert!(screen.len() > 200, "the preview is drawn");
    assert_outline(&screen, &FACE);

    // A run without a box.
    app.results = ResultsView::Run(2);
    assert_eq!(
        box_dots(&popup_dots(&render_buf(&mut app, 120, 40), PREVIEW, rgb)),
        0
    );

    // The shown run has a box but searched another file: not this probe's box.
    let mut other = stamp.clone();
    other.path = dir.path().join("someone-else.png");
    let mut foreign = run(3, 0.7, &[]);
    foreign.probe = other;
    foreign.face = Some(FACE);
    app.runs.push(foreign);
    app.results = ResultsView::Run(3);
    let screen = popup_dots(&render_buf(&mut app, 120, 40), PREVIEW, rgb);
    assert!(screen.len() > 200);
    assert_eq!(box_dots(&screen), 0);

    // And back: the boxed picture again (made once, then reused).
    app.results = ResultsView::Run(1);
    assert_outline(
        &popup_dots(&render_buf(&mut app, 120, 40), PREVIEW, rgb),
        &FACE,
    );
}

// ---- drawing only draws ----------------------------------------------------------------

/// Draws `app` with `pictures` (what a request step returned) and nothing else.
fn draw_only(app: &App, pictures: &Pictures, w: u16, h: u16) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| panes::render(app, pictures, f)).unwrap();
    t.backend().buffer().clone()
}

#[test]
fn drawing_reads_no_file_and_leaves_the_picture_cache_alone() {
    // By construction: the draw gets shared references to the state and the step's
    // pictures, and the cache has no interior mutability to change through them.
    let _: fn(&App, &Pictures, &mut ratatui::Frame) = panes::render;

    let dir = tempfile::tempdir().unwrap();
    let stamp = write_probe(dir.path());
    let mut app = dashboard(&stamp);
    let area = Rect::new(0, 0, 120, 40);
    let mut step = PictureStep::default();
    step.run(&mut app, area);
    settle(&mut app.preview);
    let pictures = step.run(&mut app, area);
    // The detail's probe and thumbnail, and the match's face in the results row under
    // the popup (40 rows are tall enough for faces in the list).
    assert_eq!(
        pictures.len(),
        3,
        "the probe, the thumbnail and the row's face: {pictures:?}"
    );
    let before = draw_only(&app, &pictures, 120, 40);
    assert!(popup_dots(&before, DETAIL, face_box_rgb(&app.theme)).len() > 200);
    let entries = app.preview.len();

    // Between the step and the draw the probe is replaced by another picture, then
    // removed: the frame is the same, no decode is asked for, no entry changes.
    let other = DynamicImage::ImageRgb8(RgbImage::from_pixel(90, 90, Rgb([9, 9, 9])));
    other.save(&stamp.path).unwrap();
    assert_eq!(draw_only(&app, &pictures, 120, 40), before);
    std::fs::remove_file(&stamp.path).unwrap();
    assert_eq!(draw_only(&app, &pictures, 120, 40), before);
    assert!(
        app.preview.take_jobs().is_empty(),
        "drawing asked for a decode"
    );
    assert_eq!(app.preview.len(), entries);
    assert_eq!(app.preview.in_flight(), 0);

    // The next step sees the file gone, and the frame after it says so.
    let pictures = step.run(&mut app, area);
    let after = draw_only(&app, &pictures, 120, 40);
    let text: String = after.content().iter().map(|c| c.symbol()).collect();
    assert!(text.contains("cannot preview: no"), "{text}");
}
