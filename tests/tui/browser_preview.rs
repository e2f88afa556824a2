//! The image under the cursor beside the file browser, and the faces in the results
//! rows: snapshots (half blocks in `TestBackend`) at 80×24 and 160×50, the placeholder
//! while a picture decodes, a bad file's reason, the column hidden when the terminal is
//! too small; and, at the update level, that moving the cursor asks for the new picture
//! while pictures scrolled past are coalesced away instead of decoded one per key.

use crate::tui_support;

use std::io::Cursor;
use std::path::{Path, PathBuf};

use crossterm::event::KeyCode;
use image::{DynamicImage, Rgb, RgbImage};
use liveface::api::model::Thumbnail;
use liveface::preview::{PreviewCache, PreviewJob, SourceId};
use liveface::tui::action::Action;
use liveface::tui::app::{App, ResultsView};
use liveface::tui::fsview::{Entry, EntryKind};
use liveface::tui::pictures::PictureStep;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;
use tui_support::*;

/// A folder name longer than the browser's title room at any tested size: the title
/// shows only its tail, so snapshots do not depend on where the temp dir is.
const FOLDER: &str = "photos/a-folder-of-probe-photos-for-the-browser-preview";

/// Four quadrants: red, green / blue, white (easy to find in cell colours), each
/// darkening a little downwards so every half-block cell shows in a snapshot.
fn quadrants(w: u32, h: u32) -> Vec<u8> {
    png(RgbImage::from_fn(w, h, |x, y| {
        let Rgb(c) = match (x < w / 2, y < h / 2) {
            (true, true) => Rgb([255u8, 0, 0]),
            (false, true) => Rgb([0, 255, 0]),
            (true, false) => Rgb([0, 0, 255]),
            (false, false) => Rgb([255, 255, 255]),
        };
        let shade = (y * 60 / h) as u8;
        Rgb(c.map(|v| v.saturating_sub(shade)))
    }))
}

fn png(img: RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// A real JPEG cut in half: its name says image, its bytes are not a whole one.
fn truncated_jpeg() -> Vec<u8> {
    let img = DynamicImage::ImageRgb8(RgbImage::from_fn(64, 64, |x, y| {
        Rgb([(x * 4) as u8, (y * 4) as u8, 90])
    }));
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg)
        .unwrap();
    out.truncate(out.len() / 2);
    out
}

/// A folder with a directory, a good image, a truncated one and a text file, listed
/// in the browser (fixed sizes and times, so the columns are the same on every run).
fn browsing() -> (tempfile::TempDir, PathBuf, App) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(FOLDER);
    std::fs::create_dir_all(dir.join("gallery")).unwrap();
    std::fs::write(dir.join("alice.png"), quadrants(40, 48)).unwrap();
    std::fs::write(dir.join("broken.jpg"), truncated_jpeg()).unwrap();
    std::fs::write(dir.join("notes.txt"), b"not a face").unwrap();
    let entries = vec![
        entry("gallery", EntryKind::Dir, 4096),
        entry("alice.png", EntryKind::File, 48_213),
        entry("broken.jpg", EntryKind::File, 1_204_311),
        entry("notes.txt", EntryKind::File, 312),
    ];
    let mut app = app();
    app.preview = PreviewCache::new(Some(ratatui_image::picker::Picker::halfblocks()));
    list(&mut app, &dir, entries);
    (tmp, dir, app)
}

fn list(app: &mut App, dir: &Path, entries: Vec<Entry>) {
    let seq = app.browser.seq;
    app.update(Action::DirLoaded {
        seq,
        dir: dir.to_path_buf(),
        result: Ok(entries),
    });
}

/// Moves the browser's cursor to `name`.
fn select(app: &mut App, name: &str) {
    for _ in 0..app.browser.visible.len() {
        press(app, KeyCode::Up);
    }
    for _ in 0..app.browser.visible.len() {
        if app.browser.current().map(|e| e.name.as_str()) == Some(name) {
            return;
        }
        press(app, KeyCode::Down);
    }
    panic!("{name} is not listed");
}

/// The request step of a `w`×`h` frame, as the event loop runs it; returns the jobs it
/// recorded (not yet run).
fn step(app: &mut App, steps: &mut PictureStep, w: u16, h: u16) -> Vec<PreviewJob> {
    steps.run(app, Rect::new(0, 0, w, h));
    app.preview.take_jobs()
}

/// Runs `jobs` here and feeds their results back as the runner would.
fn finish(app: &mut App, jobs: Vec<PreviewJob>) {
    for job in jobs {
        liveface::tui::update(app, Action::Preview(job.run()));
    }
}

/// Request, decode, request again: the frame once every picture is ready.
fn settled(app: &mut App, w: u16, h: u16) -> String {
    let mut steps = PictureStep::default();
    for _ in 0..4 {
        let jobs = step(app, &mut steps, w, h);
        finish(app, jobs);
    }
    render(app, w, h)
}

fn buffer(app: &App, w: u16, h: u16) -> Buffer {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    let pictures = liveface::tui::pictures::view(app, t.get_frame().area());
    t.draw(|f| liveface::tui::panes::render(app, &pictures, f))
        .unwrap();
    t.backend().buffer().clone()
}

/// The colours the cells of `area` show (half blocks: fg and bg are the two dots).
fn colours(buf: &Buffer, area: Rect) -> Vec<(u8, u8, u8)> {
    let mut out = Vec::new();
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            for c in [buf[(x, y)].fg, buf[(x, y)].bg] {
                if let Color::Rgb(r, g, b) = c {
                    out.push((r, g, b));
                }
            }
        }
    }
    out
}

fn has_colour(colours: &[(u8, u8, u8)], want: (u8, u8, u8)) -> bool {
    let near = |a: u8, b: u8| a.abs_diff(b) < 40;
    colours
        .iter()
        .any(|c| near(c.0, want.0) && near(c.1, want.1) && near(c.2, want.2))
}

fn job_path(job: &PreviewJob) -> PathBuf {
    match &job.key().source {
        SourceId::File { path, .. } => path.clone(),
        other => panic!("a file job expected, got {other:?}"),
    }
}

#[test]
fn the_highlighted_image_shows_beside_the_names_at_80x24() {
    let (_tmp, _, mut app) = browsing();
    select(&mut app, "alice.png");
    let text = settled(&mut app, 80, 24);
    insta::assert_snapshot!("browser_preview_80x24", text);
    // The picture itself, in the column right of the names (rows 1–6, columns 21–32):
    // the quadrants' colours, and none of them left of it.
    let buf = buffer(&app, 80, 24);
    let column = colours(&buf, Rect::new(21, 1, 12, 6));
    for quadrant in [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)] {
        assert!(has_colour(&column, quadrant), "{quadrant:?} in {column:?}");
    }
    let names = colours(&buf, Rect::new(1, 1, 19, 6));
    assert!(
        !has_colour(&names, (255, 0, 0)),
        "the picture stays in its column"
    );
}

#[test]
fn the_highlighted_image_shows_beside_the_names_at_160x50() {
    let (_tmp, _, mut app) = browsing();
    select(&mut app, "alice.png");
    let text = settled(&mut app, 160, 50);
    insta::assert_snapshot!("browser_preview_160x50", text);
    let buf = buffer(&app, 160, 50);
    // 62 columns inside the pane: the column is 2/5 of them, right-aligned.
    let column = colours(&buf, Rect::new(39, 1, 24, 26));
    assert!(has_colour(&column, (0, 0, 255)), "{column:?}");
}

#[test]
fn a_placeholder_shows_while_the_picture_decodes() {
    let (_tmp, _, mut app) = browsing();
    select(&mut app, "alice.png");
    let jobs = step(&mut app, &mut PictureStep::default(), 80, 24);
    assert_eq!(jobs.len(), 1, "one decode for the highlighted image");
    let text = render(&app, 80, 24);
    assert!(text.contains("loading…"), "{text}");
    insta::assert_snapshot!("browser_preview_loading_80x24", text);
    // Once it lands, the picture replaces the placeholder.
    finish(&mut app, jobs);
    assert!(!render(&app, 80, 24).contains("loading…"));
}

#[test]
fn a_bad_file_says_why_it_cannot_be_shown() {
    let (_tmp, _, mut app) = browsing();
    select(&mut app, "broken.jpg");
    let text = settled(&mut app, 160, 50);
    assert!(
        text.contains("cannot preview: the") && text.contains("image is truncated"),
        "{text}"
    );
    insta::assert_snapshot!("browser_preview_bad_file_160x50", text);
}

#[test]
fn a_file_that_is_not_an_image_gets_one_line_and_no_decode() {
    let (_tmp, _, mut app) = browsing();
    select(&mut app, "notes.txt");
    let jobs = step(&mut app, &mut PictureStep::default(), 80, 24);
    assert!(jobs.is_empty(), "nothing to decode for a text file");
    let text = render(&app, 80, 24);
    let line = text.lines().nth(1).unwrap();
    assert!(
        line.contains("gallery/") && line.contains("not an image"),
        "{text}"
    );
    // A directory shows nothing at all.
    select(&mut app, "gallery");
    let text = render(&app, 80, 24);
    assert!(
        !text.contains("not an image") && !text.contains("loading…"),
        "{text}"
    );
}

#[test]
fn the_preview_is_hidden_when_the_terminal_is_too_small_or_images_are_off() {
    let (_tmp, _, mut app) = browsing();
    select(&mut app, "alice.png");
    // 60×20 (the smallest dashboard) leaves the browser two rows: no column.
    let jobs = step(&mut app, &mut PictureStep::default(), 60, 20);
    assert!(jobs.is_empty(), "no decode for a picture that is not shown");
    let text = render(&app, 60, 20);
    assert!(!text.contains("loading…"), "{text}");
    insta::assert_snapshot!("browser_preview_hidden_60x20", text);

    // With `--images off` the names keep the whole pane at any size.
    app.preview = PreviewCache::new(None);
    assert!(step(&mut app, &mut PictureStep::default(), 80, 24).is_empty());
    let text = render(&app, 80, 24);
    let row = text.lines().find(|l| l.contains("alice.png")).unwrap();
    assert!(row.contains("47.1 KB"), "the size column is back: {row}");
}

#[test]
fn moving_the_cursor_asks_for_the_new_picture() {
    let tmp = tempfile::tempdir().unwrap();
    let names = ["a.png", "b.png", "c.png"];
    for (i, n) in names.iter().enumerate() {
        std::fs::write(tmp.path().join(n), quadrants(20 + i as u32, 20)).unwrap();
    }
    let mut app = app();
    app.preview = PreviewCache::new(Some(ratatui_image::picker::Picker::halfblocks()));
    list(
        &mut app,
        tmp.path(),
        names
            .iter()
            .map(|n| entry(n, EntryKind::File, 100))
            .collect(),
    );
    let mut steps = PictureStep::default();
    let jobs = step(&mut app, &mut steps, 80, 24);
    assert_eq!(
        jobs.iter().map(job_path).collect::<Vec<_>>(),
        [tmp.path().join("a.png")]
    );
    finish(&mut app, jobs);
    press(&mut app, KeyCode::Down);
    let jobs = step(&mut app, &mut steps, 80, 24);
    assert_eq!(
        jobs.iter().map(job_path).collect::<Vec<_>>(),
        [tmp.path().join("b.png")]
    );
    finish(&mut app, jobs);
    // Back up: the first picture is still cached, so nothing is decoded again.
    press(&mut app, KeyCode::Up);
    assert!(step(&mut app, &mut steps, 80, 24).is_empty());
    assert!(!render(&app, 80, 24).contains("loading…"));
}

#[test]
fn holding_down_decodes_the_picture_the_cursor_rests_on_not_every_one_passed() {
    const FILES: usize = 100;
    let tmp = tempfile::tempdir().unwrap();
    let bytes = quadrants(24, 24);
    let names: Vec<String> = (0..FILES).map(|i| format!("IMG_{i:04}.png")).collect();
    for n in &names {
        std::fs::write(tmp.path().join(n), &bytes).unwrap();
    }
    let mut app = app();
    app.preview = PreviewCache::new(Some(ratatui_image::picker::Picker::halfblocks()));
    list(
        &mut app,
        tmp.path(),
        names
            .iter()
            .map(|n| entry(n, EntryKind::File, 100))
            .collect(),
    );
    let mut steps = PictureStep::default();
    // The first picture is decoded and cached.
    let first = step(&mut app, &mut steps, 80, 24);
    finish(&mut app, first);
    let first_key = liveface::tui::pictures::view(&app, Rect::new(0, 0, 80, 24));
    assert_eq!(first_key.len(), 1);

    // ↓ held: a frame after every key, and no decode finishes meanwhile (they are slow).
    let mut started = Vec::new();
    for _ in 1..FILES {
        press(&mut app, KeyCode::Down);
        started.extend(step(&mut app, &mut steps, 80, 24));
    }
    let resting = tmp.path().join(&names[FILES - 1]);
    assert_eq!(
        started.len(),
        1,
        "one decode for the pictures passed over, not one per key: {:?}",
        started.iter().map(job_path).collect::<Vec<_>>()
    );
    assert_ne!(job_path(&started[0]), resting);
    assert!(
        app.preview.len() <= 3,
        "no queue of waiting pictures builds up behind the cursor: {} entries",
        app.preview.len()
    );

    // The stale decode ends; the next frame starts the one under the cursor, and only it.
    finish(&mut app, started);
    let next = step(&mut app, &mut steps, 80, 24);
    assert_eq!(next.iter().map(job_path).collect::<Vec<_>>(), [resting]);
    finish(&mut app, next);
    assert!(step(&mut app, &mut steps, 80, 24).is_empty());
    let text = render(&app, 80, 24);
    assert!(!text.contains("loading…"), "{text}");

    // Scrolling through more files than the cache holds left the first picture cached:
    // waiting entries for pictures passed over never pushed it out.
    for _ in 1..FILES {
        press(&mut app, KeyCode::Up);
    }
    assert!(
        step(&mut app, &mut steps, 80, 24).is_empty(),
        "the first picture is decoded again: it was evicted"
    );
}

/// A face-sized picture of one colour, darkening downwards.
fn thumbnail(rgb: [u8; 3]) -> Thumbnail {
    let img = RgbImage::from_fn(32, 32, |_, y| Rgb(rgb.map(|v| v.saturating_sub(y as u8))));
    Thumbnail {
        id: None,
        image: Ok(png(img)),
    }
}

/// A run of three matches whose persons are loaded: two with a face, one without.
fn results_app() -> App {
    let (mut app, _) = app_with(vec![run(
        1,
        0.7,
        &[("p1", 0.93), ("p2", 0.88), ("p3", 0.81)],
    )]);
    app.preview = PreviewCache::new(Some(ratatui_image::picker::Picker::halfblocks()));
    let mut ana = person("p1", "Ana Gómez");
    ana.thumbnails = vec![thumbnail([250, 20, 20])];
    let mut bea = person("p2", "Bea Ruiz");
    bea.thumbnails = vec![thumbnail([20, 20, 250])];
    app.persons.insert("p1".into(), ana);
    app.persons.insert("p2".into(), bea);
    app.persons.insert("p3".into(), person("p3", "Cleo Paz"));
    app.results = ResultsView::Run(1);
    app
}

#[test]
fn results_rows_carry_the_match_faces_on_a_tall_terminal() {
    let mut app = results_app();
    let jobs = step(&mut app, &mut PictureStep::default(), 120, 40);
    let mut keyed: Vec<_> = jobs
        .iter()
        .map(|j| match &j.key().source {
            SourceId::Thumbnail { person, index, .. } => (person.clone(), *index),
            other => panic!("{other:?}"),
        })
        .collect();
    keyed.sort();
    assert_eq!(
        keyed,
        [("p1".to_string(), 0), ("p2".to_string(), 0)],
        "the faces of the rows, by person id and thumbnail index"
    );
    finish(&mut app, jobs);
    let text = settled(&mut app, 120, 40);
    insta::assert_snapshot!("results_thumbnails_120x40", text);
    // Each face in its row: Ana's red in the first, Bea's blue in the second.
    let buf = buffer(&app, 120, 40);
    let table = (49, 2); // inside the results pane, below its liveness line
    let first = colours(&buf, Rect::new(table.0, table.1 + 1, 8, 4));
    let second = colours(&buf, Rect::new(table.0, table.1 + 5, 8, 4));
    assert!(has_colour(&first, (250, 20, 20)), "{first:?}");
    assert!(has_colour(&second, (20, 20, 250)), "{second:?}");

    // A shorter terminal keeps one text line per match and decodes nothing.
    let mut short = results_app();
    assert!(step(&mut short, &mut PictureStep::default(), 120, 39).is_empty());
    let text = render(&short, 120, 39);
    assert!(
        text.contains("Ana Gómez") && text.contains("Cleo Paz"),
        "{text}"
    );
}
