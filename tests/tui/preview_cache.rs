//! The preview cache: hits after completion, staleness, LRU eviction, failures
//! kept with their reason, the in-flight bound, and thumbnails' placeholders.

use std::io::Cursor;
use std::path::Path;
use std::time::{Duration, SystemTime};

use image::{DynamicImage, Rgb, RgbImage};
use liveface::api::model::Thumbnail;
use liveface::preview::{PreviewCache, PreviewState};
use ratatui::layout::Size;
use ratatui_image::picker::Picker;

const CELLS: Size = Size::new(20, 10);

fn png_bytes(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| {
        Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 128])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn cache() -> PreviewCache {
    PreviewCache::new(Some(Picker::halfblocks()))
}

/// Runs every pending job on this thread and feeds the results back.
fn run_jobs(cache: &mut PreviewCache) -> usize {
    let jobs = cache.take_jobs();
    let n = jobs.len();
    for job in jobs {
        let done = job.run();
        cache.complete(done);
    }
    n
}

#[test]
fn a_file_is_loading_then_ready_then_a_hit_without_new_work() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "a.png", &png_bytes(64, 48));
    let mut c = cache();
    assert!(matches!(
        c.request_file(&path, CELLS),
        PreviewState::Loading
    ));
    // Asking again while it loads must not start a second decode.
    assert!(matches!(
        c.request_file(&path, CELLS),
        PreviewState::Loading
    ));
    assert_eq!(run_jobs(&mut c), 1);
    let PreviewState::Ready(p) = c.request_file(&path, CELLS) else {
        panic!("expected a picture");
    };
    assert!(p.size().width <= CELLS.width && p.size().height <= CELLS.height);
    assert!(p.size().width > 0 && p.size().height > 0);
    assert_eq!(run_jobs(&mut c), 0, "a hit needs no job");
    assert_eq!(c.in_flight(), 0);
}

#[test]
fn a_different_size_is_a_different_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "a.png", &png_bytes(64, 48));
    let mut c = cache();
    c.request_file(&path, CELLS);
    run_jobs(&mut c);
    assert!(matches!(
        c.request_file(&path, Size::new(40, 20)),
        PreviewState::Loading
    ));
    assert_eq!(run_jobs(&mut c), 1);
    // Both sizes now stay available: going back to the small pane is instant.
    assert!(c.request_file(&path, CELLS).is_ready());
    assert_eq!(c.len(), 2);
}

#[test]
fn a_changed_file_invalidates_its_entries_and_late_results_are_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "a.png", &png_bytes(64, 48));
    let mut c = cache();
    c.request_file(&path, CELLS);
    let old_job = c.take_jobs().pop().expect("a job");

    // The file is replaced (new length, mtime moved on) before the decode ends.
    std::fs::write(&path, png_bytes(32, 32)).unwrap();
    let later = SystemTime::now() + Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(later)
        .unwrap();

    // The old job sees the change and reports itself stale.
    let done = old_job.run();
    assert!(format!("{done:?}").contains("Stale"), "{done:?}");
    c.complete(done);

    assert!(matches!(
        c.request_file(&path, CELLS),
        PreviewState::Loading
    ));
    assert_eq!(c.len(), 1, "the old version's entry is gone");
    assert_eq!(run_jobs(&mut c), 1);
    assert!(c.request_file(&path, CELLS).is_ready());
}

#[test]
fn a_result_for_an_invalidated_key_does_not_resurrect_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "a.png", &png_bytes(64, 48));
    let mut c = cache();
    let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
    let t1 = SystemTime::UNIX_EPOCH + Duration::from_secs(2_000);
    let len = std::fs::metadata(&path).unwrap().len();
    c.request_file_with_meta(&path, Some(t0), len, CELLS);
    let job = c.take_jobs().pop().unwrap();
    let stale_key = job.key().clone();
    // The browser now reports a newer mtime: the t0 entry is invalidated.
    c.request_file_with_meta(&path, Some(t1), len, CELLS);
    assert!(c.peek(&stale_key).is_none());
    c.complete(job.run());
    assert!(
        c.peek(&stale_key).is_none(),
        "a late result must be dropped"
    );
}

#[test]
fn least_recently_used_entries_are_evicted() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = PreviewCache::with_limits(Some(Picker::halfblocks()), 3, 8);
    let paths: Vec<_> = (0..4)
        .map(|i| write(dir.path(), &format!("{i}.png"), &png_bytes(16 + i, 16)))
        .collect();
    for p in &paths[..3] {
        c.request_file(p, CELLS);
    }
    run_jobs(&mut c);
    // Touch 0 so 1 becomes the least recently used, then add a fourth.
    assert!(c.request_file(&paths[0], CELLS).is_ready());
    c.request_file(&paths[3], CELLS);
    run_jobs(&mut c);
    assert_eq!(c.len(), 3);
    assert!(c.request_file(&paths[0], CELLS).is_ready());
    assert!(c.request_file(&paths[2], CELLS).is_ready());
    assert!(c.request_file(&paths[3], CELLS).is_ready());
    assert!(
        matches!(c.request_file(&paths[1], CELLS), PreviewState::Loading),
        "the evicted entry is decoded again"
    );
}

#[test]
fn a_corrupt_file_fails_once_and_the_reason_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut truncated = png_bytes(64, 64);
    truncated.truncate(truncated.len() / 2);
    let corrupt = write(dir.path(), "broken.png", &truncated);
    let text = write(dir.path(), "notes.png", b"just some text");
    let mut c = cache();
    c.request_file(&corrupt, CELLS);
    c.request_file(&text, CELLS);
    assert_eq!(run_jobs(&mut c), 2);
    let PreviewState::Failed(reason) = c.request_file(&corrupt, CELLS) else {
        panic!("expected a failure");
    };
    assert!(
        reason.starts_with("cannot preview: the image is truncated or corrupt"),
        "{reason}"
    );
    let PreviewState::Failed(reason) = c.request_file(&text, CELLS) else {
        panic!("expected a failure");
    };
    assert!(
        reason.starts_with("cannot preview: not an image"),
        "{reason}"
    );
    assert_eq!(
        run_jobs(&mut c),
        0,
        "a failure is cached, not retried every frame"
    );
}

#[test]
fn missing_files_directories_and_images_off_answer_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cache();
    let PreviewState::Failed(r) = c.request_file(&dir.path().join("gone.jpg"), CELLS) else {
        panic!()
    };
    assert_eq!(r, "cannot preview: no such file");
    let PreviewState::Failed(r) = c.request_file(dir.path(), CELLS) else {
        panic!()
    };
    assert!(r.contains("directory"), "{r}");
    assert!(c.take_jobs().is_empty());

    let path = write(dir.path(), "a.png", &png_bytes(8, 8));
    let mut off = PreviewCache::new(None);
    let PreviewState::Failed(r) = off.request_file(&path, CELLS) else {
        panic!()
    };
    assert!(r.contains("off"), "{r}");
    assert!(off.take_jobs().is_empty());
}

#[test]
fn no_more_than_the_in_flight_limit_decode_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = PreviewCache::with_limits(Some(Picker::halfblocks()), 64, 2);
    let paths: Vec<_> = (0..5)
        .map(|i| write(dir.path(), &format!("{i}.png"), &png_bytes(8, 8 + i)))
        .collect();
    for p in &paths {
        assert!(matches!(c.request_file(p, CELLS), PreviewState::Loading));
    }
    let first = c.take_jobs();
    assert_eq!(first.len(), 2);
    assert_eq!(c.in_flight(), 2);
    for job in first {
        c.complete(job.run());
    }
    // Files still wanted get their turn on the next request.
    for p in &paths {
        c.request_file(p, CELLS);
    }
    assert_eq!(c.take_jobs().len(), 2);
}

#[test]
fn thumbnails_decode_in_the_background_and_bad_ones_become_placeholders() {
    let mut c = cache();
    let good = Thumbnail {
        id: None,
        image: Ok(png_bytes(40, 40)),
    };
    assert!(matches!(
        c.request_thumbnail("p1", 0, Some(&good), CELLS),
        PreviewState::Loading
    ));
    assert_eq!(run_jobs(&mut c), 1);
    assert!(c.request_thumbnail("p1", 0, Some(&good), CELLS).is_ready());

    // What the API model produces for bad base64 and for a missing thumbnail.
    let bad_b64 = Thumbnail::from_value(&serde_json::json!({"thumbnail": "%%%not base64%%%"}));
    let PreviewState::Failed(r) = c.request_thumbnail("p1", 1, Some(&bad_b64), CELLS) else {
        panic!()
    };
    assert_eq!(r, "thumbnail is not valid base64");
    let PreviewState::Failed(r) = c.request_thumbnail("p1", 2, None, CELLS) else {
        panic!()
    };
    assert_eq!(r, "no thumbnail");

    // Valid base64 of bytes that are no image.
    let not_image = Thumbnail {
        id: None,
        image: Ok(b"GIF89a but not really".to_vec()),
    };
    c.request_thumbnail("p2", 0, Some(&not_image), CELLS);
    run_jobs(&mut c);
    let PreviewState::Failed(r) = c.request_thumbnail("p2", 0, Some(&not_image), CELLS) else {
        panic!()
    };
    assert!(r.starts_with("thumbnail is not an image: "), "{r}");

    // A re-fetched person with a new picture is a miss, not the old picture.
    let newer = Thumbnail {
        id: None,
        image: Ok(png_bytes(41, 40)),
    };
    assert!(matches!(
        c.request_thumbnail("p1", 0, Some(&newer), CELLS),
        PreviewState::Loading
    ));
}

#[tokio::test]
async fn spawned_jobs_deliver_their_result_through_a_channel() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "a.png", &png_bytes(64, 48));
    let mut c = cache();
    c.request_file(&path, CELLS);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for job in c.take_jobs() {
        let tx = tx.clone();
        job.spawn(move |done| {
            let _ = tx.send(done);
        });
    }
    let done = tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("the job finishes")
        .expect("a result");
    c.complete(done);
    assert!(c.request_file(&path, CELLS).is_ready());
}
