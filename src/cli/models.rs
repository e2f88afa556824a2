//! `liveface models status` (which sandbox engine runs, and why) and `liveface models
//! install` (download the four pinned files, or copy them from a mirror or a folder).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use crate::install::{self, Event, InstallError, InstallOptions, InstallReport, Source};
use crate::sandbox::face::models::{self, FileState};

/// Exit code of `models install` when the local disk refused (unwritable, full).
pub const EXIT_LOCAL: i32 = 1;
/// Exit code of `models install` when a file could not be fetched or was not the pinned one.
pub const EXIT_DOWNLOAD: i32 = 5;

/// Prints every model file's state, size, licence and source, and the engine that
/// follows; exit 0 when the face engine can run, 1 when the sandbox falls back to the
/// pixel engine.
pub fn status(flag: Option<PathBuf>, as_json: bool) -> i32 {
    let dir = models::resolve_dir(flag);
    let status = models::status(&dir);
    if as_json {
        let files: Vec<_> = status
            .files
            .iter()
            .map(|(f, state)| {
                let (word, found) = match state {
                    FileState::Verified => ("verified", None),
                    FileState::Missing => ("missing", None),
                    FileState::WrongHash { found } => ("wrong", Some(found.clone())),
                    FileState::Unreadable(_) => ("unreadable", None),
                };
                json!({
                    "name": f.name,
                    "job": f.job,
                    "state": word,
                    "size": f.size,
                    "sha256": f.sha256,
                    "found_sha256": found,
                    "licence": f.licence,
                    "source": f.source,
                    "url": f.url,
                })
            })
            .collect();
        let out = json!({
            "dir": dir,
            "ready": status.ready(),
            "engine": if status.ready() { "face models" } else { "pixel fallback" },
            "files": files,
        });
        println!("{out:#}");
    } else {
        println!("{status}");
        println!("sources (installed by `liveface models install`):");
        for f in models::ALL {
            println!(
                "  {:<32} {:>9} bytes  {}  {}",
                f.name, f.size, f.licence, f.url
            );
        }
        if !status.ready() {
            println!(
                "the pixel engine is not a face recognizer: run `liveface models install` \
                 (or see the README, \"Face models\")"
            );
        }
    }
    if status.ready() {
        0
    } else {
        1
    }
}

/// `models install`: fetches the missing or wrong files into the models directory.
pub async fn install(flag: Option<PathBuf>, from: Option<String>, as_json: bool) -> i32 {
    let dir = models::resolve_dir(flag);
    let source = Source::from_option(from.as_deref());
    if let Source::Dir(d) = &source {
        if !d.is_dir() {
            let msg = format!("--from {}: no such directory", d.display());
            return fail(as_json, &dir, &source, &msg, crate::cli::EXIT_BAD_INPUT);
        }
    }
    let files = models::pinned_all();
    let show = !as_json && std::io::stdout().is_terminal();
    let bars = Bars::new(&files, show);
    let opts = InstallOptions {
        source: source.clone(),
        from_flag: "--from",
    };
    let result = install::install(&files, &dir, &opts, &|e| bars.on(e)).await;
    bars.finish();
    match result {
        Ok(report) => {
            print_report(&report, &source, as_json);
            0
        }
        Err(e) => {
            let code = exit_code(&e);
            fail(as_json, &dir, &source, &e.to_string(), code)
        }
    }
}

/// The exit code an install failure maps to.
pub fn exit_code(e: &InstallError) -> i32 {
    if e.is_download() {
        EXIT_DOWNLOAD
    } else {
        EXIT_LOCAL
    }
}

fn fail(as_json: bool, dir: &Path, source: &Source, msg: &str, code: i32) -> i32 {
    if as_json {
        let out = json!({
            "ok": false,
            "dir": dir,
            "source": source.describe(),
            "error": msg,
        });
        println!("{out:#}");
    }
    crate::cli::report(&format!("models install: {msg}"));
    code
}

fn print_report(report: &InstallReport, source: &Source, as_json: bool) {
    let ready = models::status(&report.dir).ready();
    if as_json {
        let files: Vec<_> = report
            .files
            .iter()
            .map(|(f, outcome)| {
                json!({ "name": f.name, "outcome": outcome, "size": f.size, "sha256": f.sha256 })
            })
            .collect();
        let out = json!({
            "ok": true,
            "dir": report.dir,
            "source": source.describe(),
            "ready": ready,
            "files": files,
        });
        println!("{out:#}");
        return;
    }
    for (f, outcome) in &report.files {
        let word = match outcome {
            install::FileOutcome::AlreadyVerified => "already there, verified",
            install::FileOutcome::Installed => "installed, verified",
        };
        println!("  {:<32} {:>9} bytes  {word}", f.name, f.size);
    }
    println!(
        "the face models are in {} (from {}): the sandbox now runs the face engine",
        report.dir.display(),
        source.describe()
    );
}

/// One progress bar per file and one for the total, drawn only on a terminal.
pub(crate) struct Bars {
    multi: MultiProgress,
    total: ProgressBar,
    current: Mutex<Option<ProgressBar>>,
    /// Bytes of the files finished (or skipped) before the current one.
    before: Mutex<u64>,
}

impl Bars {
    pub(crate) fn new(files: &[install::PinnedFile], show: bool) -> Bars {
        let target = if show {
            ProgressDrawTarget::stdout()
        } else {
            ProgressDrawTarget::hidden()
        };
        let multi = MultiProgress::with_draw_target(target);
        let total = multi.add(ProgressBar::new(files.iter().map(|f| f.size).sum()));
        total.set_style(style("total"));
        Bars {
            multi,
            total,
            current: Mutex::new(None),
            before: Mutex::new(0),
        }
    }

    pub(crate) fn on(&self, event: Event<'_>) {
        let mut before = self.before.lock().unwrap_or_else(|e| e.into_inner());
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        match event {
            Event::Skipped { file } => {
                *before += file.size;
                self.total.set_position(*before);
            }
            Event::Started { file } => {
                let bar = self
                    .multi
                    .insert_before(&self.total, ProgressBar::new(file.size));
                bar.set_style(style(file.name));
                *current = Some(bar);
            }
            Event::Progress { done, .. } => {
                if let Some(bar) = current.as_ref() {
                    bar.set_position(done);
                }
                self.total.set_position(*before + done);
            }
            Event::Installed { file } => {
                *before += file.size;
                self.total.set_position(*before);
                // The summary lines say what was installed; the bar goes.
                if let Some(bar) = current.take() {
                    bar.finish_and_clear();
                }
            }
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = self
            .current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            bar.abandon();
        }
        self.total.finish_and_clear();
    }
}

fn style(label: &str) -> ProgressStyle {
    ProgressStyle::with_template(&format!(
        "{label:<32} [{{bar:30}}] {{bytes:>10}}/{{total_bytes:<10}} {{bytes_per_sec:>12}} eta {{eta}}"
    ))
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ")
}
