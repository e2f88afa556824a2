//! Where log lines go. liveface logs through `tracing` (the embedded sandbox's request and
//! failure lines, panics on background threads): to stderr as plain lines, except while
//! the dashboard owns the screen — then a [`Diversion`] sends them to a file in the data
//! directory, so nothing prints over the dashboard, and counts them for the status bar.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer as _;

/// The file a running dashboard logs to, in the data directory.
pub const LOG_FILE: &str = "liveface.log";

/// Installs the process-wide subscriber: liveface's own events at INFO and above, each as
/// one plain line (`sandbox: GET /v2/… 200 3ms`), routed as described above. Calling it
/// again does nothing.
pub fn init() {
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(Router)
        .with_ansi(false)
        .without_time()
        .with_level(false)
        .with_target(false);
    let filter = Targets::new().with_target("liveface", LevelFilter::INFO);
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(filter))
        .try_init();
}

/// The open diversion, if any: at most one dashboard runs at a time.
static SINK: Mutex<Option<Sink>> = Mutex::new(None);

fn sink() -> MutexGuard<'static, Option<Sink>> {
    // A panic while a line was being written must not silence every later line.
    SINK.lock().unwrap_or_else(|e| e.into_inner())
}

struct Sink {
    path: PathBuf,
    /// Opened on the first line, so a quiet session leaves no empty file behind.
    file: Option<RollingFileAppender>,
    logged: Arc<AtomicUsize>,
    notify: Arc<Notify>,
}

impl Sink {
    fn write(&mut self, line: &[u8]) {
        if self.file.is_none() {
            self.file = open(&self.path).ok();
        }
        if let Some(f) = self.file.as_mut() {
            let stamp = chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
            let _ = f.write_all(format!("{stamp} ").as_bytes());
            let _ = f.write_all(line);
            let _ = f.flush();
        }
        self.logged.fetch_add(1, Ordering::SeqCst);
        self.notify.notify_one();
    }
}

fn open(path: &Path) -> io::Result<RollingFileAppender> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| LOG_FILE.to_string());
    std::fs::create_dir_all(dir)?;
    RollingFileAppender::builder()
        .rotation(Rotation::NEVER)
        .filename_prefix(name)
        .build(dir)
        .map_err(io::Error::other)
}

/// True while a [`Diversion`] is active (a dashboard owns the screen).
pub fn is_diverted() -> bool {
    sink().is_some()
}

/// Log lines go to a file instead of stderr for as long as this lives.
pub struct Diversion {
    path: PathBuf,
    logged: Arc<AtomicUsize>,
    notify: Arc<Notify>,
}

/// Sends every log line to `path` (appended, created with its directory on the first
/// line) until the returned value is dropped; then stderr again.
pub fn divert(path: PathBuf) -> Diversion {
    let logged = Arc::new(AtomicUsize::new(0));
    let notify = Arc::new(Notify::new());
    *sink() = Some(Sink {
        path: path.clone(),
        file: None,
        logged: logged.clone(),
        notify: notify.clone(),
    });
    Diversion {
        path,
        logged,
        notify,
    }
}

impl Diversion {
    /// The log file (it exists once a line was written).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Lines written to the file so far.
    pub fn logged(&self) -> usize {
        self.logged.load(Ordering::SeqCst)
    }

    /// Resolves after the next line is logged (or at once if one came since the last call).
    pub async fn line_logged(&self) {
        self.notify.notified().await
    }

    /// `liveface: 2 lines were logged to …` for the exit, if anything was logged.
    pub fn summary(&self) -> Option<String> {
        match self.logged() {
            0 => None,
            1 => Some(format!(
                "liveface: 1 line was logged to {}",
                self.path.display()
            )),
            n => Some(format!(
                "liveface: {n} lines were logged to {}",
                self.path.display()
            )),
        }
    }
}

impl Drop for Diversion {
    fn drop(&mut self) {
        *sink() = None;
    }
}

/// `tracing`'s writer: one `Line` per event, routed when it is complete.
struct Router;

impl<'a> MakeWriter<'a> for Router {
    type Writer = Line;

    fn make_writer(&'a self) -> Line {
        Line(Vec::new())
    }
}

/// One formatted event; written out whole on drop, so a line never splits between
/// stderr and the file.
struct Line(Vec<u8>);

impl Write for Line {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        if self.0.is_empty() {
            return;
        }
        match sink().as_mut() {
            Some(s) => s.write(&self.0),
            None => {
                let _ = io::stderr().write_all(&self.0);
            }
        }
    }
}
