//! The file browser and the persons list with names that are not plain ASCII: wide
//! (CJK, emoji) and combining names keep the columns in place, names that are not UTF-8
//! are picked by their real bytes, every supported format is picked, and a FIFO is
//! listed but never opened.

use crate::tui_support;

use std::path::Path;

use crossterm::event::KeyCode;
use liveface::api::model::{Page, Pagination};
use liveface::tui::action::Action;
use liveface::tui::app::App;
use liveface::tui::effect::Effect;
use liveface::tui::fsview::{read_dir_sorted, EntryKind};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tui_support::*;

const CJK: &str = "王小明の写真_とても長い名前のファイル_001.jpg";
const FAMILY: &str = "👨\u{200d}👩\u{200d}👧_family.jpg";
const NFD_ZOE: &str = "Zoe\u{308}.jpg";

/// Each row of the screen as one string per cell (a wide character's second cell is
/// empty), so columns can be compared by cell index.
fn cells(app: &App, w: u16, h: u16) -> Vec<Vec<String>> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let pictures = liveface::tui::pictures::view(app, t.get_frame().area());
    t.draw(|f| liveface::tui::panes::render(app, &pictures, f))
        .unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect())
        .collect()
}

/// The screen as a terminal shows it: the cell a wide character covers is not printed
/// again, so a snapshot reads as the real layout (aligned where the screen is).
fn screen_text(app: &App, w: u16, h: u16) -> String {
    let mut out = String::new();
    for row in cells(app, w, h) {
        let mut line = String::new();
        let mut skip = 0;
        for c in row {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            skip = liveface::textwidth::width(&c).saturating_sub(1);
            line.push_str(&c);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The cell index where `needle` starts in the row, matching cell by cell from `from`.
fn column_of(row: &[String], needle: &str, from: usize) -> Option<usize> {
    let chars: Vec<String> = needle.chars().map(String::from).collect();
    (from..row.len().saturating_sub(chars.len() - 1))
        .find(|&x| chars.iter().enumerate().all(|(i, c)| row[x + i] == *c))
}

fn browser_with_wide_names() -> App {
    let mut app = app();
    let seq = app.browser.seq;
    let names = [CJK, FAMILY, NFD_ZOE, "plain.jpg"];
    let entries = names
        .iter()
        .map(|n| entry(n, EntryKind::File, 48_213))
        .collect();
    app.update(Action::DirLoaded {
        seq,
        dir: DIR.into(),
        result: Ok(entries),
    });
    app
}

#[test]
fn wide_and_combining_file_names_keep_size_and_date_in_their_columns() {
    let app = browser_with_wide_names();
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = cells(&app, w, h);
        let rows: Vec<&Vec<String>> = screen
            .iter()
            .filter(|r| column_of(r, "47.1 KB", 0).is_some())
            .collect();
        assert_eq!(rows.len(), 4, "every file row shows its size at {w}×{h}");
        let size_at: Vec<usize> = rows
            .iter()
            .map(|r| column_of(r, "47.1 KB", 0).unwrap())
            .collect();
        assert_eq!(size_at, vec![size_at[0]; 4], "size column at {w}×{h}");
        // The date column shows from 44 cells of pane width (the 120-column layout).
        let date_at: Vec<usize> = rows
            .iter()
            .filter_map(|r| column_of(r, "11-13", size_at[0]))
            .collect();
        if w >= 120 {
            assert_eq!(date_at, vec![date_at[0]; 4], "date column at {w}×{h}");
        }
        // The long CJK name is cut with an ellipsis, not mid-character.
        assert!(rows[0].iter().any(|c| c == "…"), "{:?}", rows[0]);
        insta::assert_snapshot!(
            format!("browser_wide_names_{w}x{h}"),
            screen_text(&app, w, h)
        );
    }
}

#[test]
fn persons_list_columns_hold_with_cjk_and_nfd_names() {
    let mut app = app();
    let fx = press(&mut app, KeyCode::Char('P'));
    let Some(Effect::ListPersons { seq, .. }) = fx.into_iter().next() else {
        panic!("no list request")
    };
    let mut items = vec![
        person("p1", "Ana Gómez"),
        person("p2", "王小明"),
        person("p3", "Zoe\u{308} Martin"),
        person("p4", "👩\u{200d}💻 Dev"),
    ];
    items[1].nationality = Some("中国".into());
    items[2].nationality = Some("Franc\u{327}aise".into()); // NFD ç
    app.update(Action::PersonsLoaded {
        seq,
        result: Ok(Page {
            items,
            pagination: Some(Pagination {
                page: 1,
                limit: 20,
                total: Some(4),
                pages: Some(1),
            }),
        }),
    });
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = cells(&app, w, h);
        let born: Vec<usize> = screen
            .iter()
            .filter_map(|r| column_of(r, "1990-01-15", 0))
            .collect();
        assert_eq!(born.len(), 4, "{w}×{h}");
        assert_eq!(born, vec![born[0]; 4], "born column at {w}×{h}");
        insta::assert_snapshot!(
            format!("persons_wide_names_{w}x{h}"),
            screen_text(&app, w, h)
        );
    }
}

#[test]
fn a_page_past_the_end_is_named_as_such_in_the_persons_list() {
    let mut app = app();
    let fx = press(&mut app, KeyCode::Char('P'));
    let Some(Effect::ListPersons { seq, .. }) = fx.into_iter().next() else {
        panic!("no list request")
    };
    app.person_list.page = 4;
    app.update(Action::PersonsLoaded {
        seq,
        result: Ok(Page {
            items: Vec::new(),
            pagination: Some(Pagination {
                page: 4,
                limit: 20,
                total: Some(30),
                pages: Some(2),
            }),
        }),
    });
    let screen = render(&app, 120, 40);
    assert!(
        screen.contains("no persons on page 4 (there are 2 pages)"),
        "{screen}"
    );
    assert!(!screen.contains("page 4 of 2"), "{screen}");
}

/// Loads a real directory into the browser, as the runner would.
fn browse(app: &mut App, dir: &Path) {
    let seq = app.browser.seq;
    app.update(Action::DirLoaded {
        seq,
        dir: dir.to_path_buf(),
        result: read_dir_sorted(dir),
    });
    press(app, KeyCode::Char('1'));
}

fn select(app: &mut App, shown: &str) {
    press(app, KeyCode::Home);
    for _ in 0..app.browser.visible.len() {
        if app.browser.current().map(|e| e.name.as_str()) == Some(shown) {
            return;
        }
        press(app, KeyCode::Down);
    }
    panic!("{shown} is not listed");
}

#[test]
#[cfg(unix)]
fn names_that_are_not_utf8_are_picked_and_opened_by_their_real_bytes() {
    use std::os::unix::ffi::OsStrExt;
    let d = tempfile::tempdir().unwrap();
    let file = d.path().join(std::ffi::OsStr::from_bytes(b"caf\xE9.jpg"));
    std::fs::write(&file, b"not decoded here").unwrap();
    let dir = d.path().join(std::ffi::OsStr::from_bytes(b"dir_\xFF\xFE"));
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("inside.png"), b"x").unwrap();

    let mut app = app();
    browse(&mut app, d.path());
    // Shown with replacement characters …
    select(&mut app, "caf\u{FFFD}.jpg");
    assert!(app.browser.current().unwrap().is_image());
    // … picked by the real bytes.
    let fx = press(&mut app, KeyCode::Enter);
    let Some(Effect::PrepareProbe { path, .. }) = fx.first() else {
        panic!("no probe picked: {fx:?} {:?}", app.browser.message)
    };
    assert_eq!(path.as_os_str().as_bytes(), file.as_os_str().as_bytes());
    assert!(path.exists(), "the picked path is the file on disk");

    select(&mut app, "dir_\u{FFFD}\u{FFFD}");
    let fx = press(&mut app, KeyCode::Enter);
    let Some(Effect::ReadDir { dir: opened, .. }) = fx.first().cloned() else {
        panic!("directory not opened: {fx:?}")
    };
    assert_eq!(opened, dir);
    // The runner lists it: no "it does not exist".
    browse(&mut app, &opened);
    assert_eq!(app.browser.dir, dir);
    assert_eq!(app.browser.entries[0].name, "inside.png");
    // Going back up puts the cursor on the directory we came from.
    let fx = press(&mut app, KeyCode::Backspace);
    let Some(Effect::ReadDir { seq, dir: parent }) = fx.first().cloned() else {
        panic!("no parent listing: {fx:?}")
    };
    app.update(Action::DirLoaded {
        seq,
        dir: parent.clone(),
        result: read_dir_sorted(&parent),
    });
    assert_eq!(
        app.browser.current().unwrap().file_name,
        dir.file_name().unwrap()
    );
}

#[test]
fn every_supported_format_is_highlighted_and_picked() {
    let d = tempfile::tempdir().unwrap();
    let names = [
        "anim.gif",
        "scan.tif",
        "photo.jfif",
        "scan.TIFF",
        "pic.webp",
    ];
    for n in names {
        std::fs::write(d.path().join(n), b"x").unwrap();
    }
    std::fs::write(d.path().join("notes.txt"), b"x").unwrap();
    let mut app = app();
    browse(&mut app, d.path());
    for n in names {
        select(&mut app, n);
        assert!(app.browser.current().unwrap().is_image(), "{n}");
        let fx = press(&mut app, KeyCode::Enter);
        assert!(
            matches!(fx.first(), Some(Effect::PrepareProbe { path, .. }) if path.ends_with(n)),
            "{n}: {fx:?} {:?}",
            app.browser.message
        );
    }
    select(&mut app, "notes.txt");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    let msg = app.browser.message.clone().unwrap();
    assert!(
        msg.contains("gif") && msg.contains("tif") && msg.contains("jfif"),
        "{msg}"
    );
}

#[test]
#[cfg(unix)]
fn a_fifo_is_listed_but_never_opened() {
    let d = tempfile::tempdir().unwrap();
    let pipe = d.path().join("p.jpg");
    let ok = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let mut app = app();
    browse(&mut app, d.path());
    select(&mut app, "p.jpg");
    let e = app.browser.current().unwrap().clone();
    assert_eq!(e.kind, EntryKind::Special);
    assert!(!e.is_image());
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    let msg = app.browser.message.clone().unwrap();
    assert!(msg.contains("p.jpg") && msg.contains("named pipe"), "{msg}");
    press(&mut app, KeyCode::Char('m'));
    assert!(app.browser.marked.is_empty());
}

#[test]
#[cfg(unix)]
fn the_history_keeps_a_non_utf8_probe_path_and_refuses_a_fifo() {
    use liveface::history::HistoryStore;
    use std::os::unix::ffi::OsStrExt;
    let d = tempfile::tempdir().unwrap();
    let store = HistoryStore::new(d.path().join("history.jsonl"));
    let mut r = run(1, 0.75, &[("p1", 0.9)]);
    r.probe.path = d
        .path()
        .join(std::ffi::OsStr::from_bytes(b"dir_\xFF\xFE/caf\xE9.jpg"));
    store.append(&r).unwrap();
    let loaded = store.load().unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(
        loaded.runs[0].probe.path.as_os_str().as_bytes(),
        r.probe.path.as_os_str().as_bytes(),
        "a re-run opens the very same file"
    );

    let pipe = d.path().join("piped.jsonl");
    assert!(std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap()
        .success());
    let e = HistoryStore::new(&pipe).load().unwrap_err();
    assert!(e.to_string().contains("named pipe"), "{e}");
}

#[test]
fn results_clip_wide_names_with_an_ellipsis_and_keep_the_score_column() {
    let (mut app, _) = app_with(Vec::new());
    ready_probe(&mut app);
    search_and_answer(
        &mut app,
        outcome(0.93, &[("p1", 0.971), ("p2", 0.884), ("p3", 0.79)]),
    );
    let names = [
        "王小明の写真に写っているとても長い名前の人物さん",
        "Zoe\u{308} Martin",
        "👨\u{200d}👩\u{200d}👧 Family",
    ];
    for (i, n) in names.iter().enumerate() {
        let id = format!("p{}", i + 1);
        let mut p = person(&id, n);
        p.nationality = Some("中华人民共和国国籍".into());
        app.update(Action::PersonLoaded { id, result: Ok(p) });
    }
    for (w, h) in [(80, 24), (120, 40), (200, 50)] {
        let screen = cells(&app, w, h);
        let scores: Vec<usize> = ["0.971", "0.884", "0.790"]
            .iter()
            .filter_map(|s| screen.iter().find_map(|r| column_of(r, s, 0)))
            .collect();
        assert_eq!(scores.len(), 3, "{w}×{h}\n{}", screen_text(&app, w, h));
        assert_eq!(scores, vec![scores[0]; 3], "score column at {w}×{h}");
        let cjk_row = screen
            .iter()
            .find(|r| column_of(r, "0.971", 0).is_some())
            .unwrap();
        assert!(
            cjk_row.iter().any(|c| c == "…"),
            "cut with an ellipsis at {w}×{h}\n{}",
            screen_text(&app, w, h)
        );
    }
}
