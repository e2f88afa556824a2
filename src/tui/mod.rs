//! The dashboard: terminal setup and restore (normal exit, Ctrl-c, SIGINT, SIGQUIT,
//! SIGTERM, SIGHUP, panics), the event loop, and the effect runner. While it owns the
//! screen, log lines and background panics go to a file (`crate::logging`), never over it.
//!
//! Data flows one way: terminal events and finished background tasks become `Action`s on
//! one channel; `App::update` changes state and returns `Effect`s; the runner starts them
//! off the render path; before each frame the picture step (`pictures`) asks for the
//! pictures the frame shows; `panes::render` draws the state and those pictures and
//! nothing else.

pub mod action;
pub mod app;
pub mod clock;
pub mod editform;
pub mod effect;
pub mod engine;
pub mod eval_runner;
pub mod fsview;
mod history_jobs;
pub mod keyburst;
pub mod keymap;
pub mod panes;
pub mod paste;
pub mod pictures;
pub mod probe_preview;
pub mod reconnect;
pub mod runner;
pub mod theme;

use std::io::{self, Stdout};
use std::mem::ManuallyDrop;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::thread::ThreadId;
use std::time::Duration;

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste, Event, EventStream};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use futures::StreamExt;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;
use tokio::sync::mpsc;

use crate::api::model::SearchParams;
use crate::api::Client;
use crate::connect::Backend;
use crate::history::HistoryStore;
use crate::logging::{self, Diversion};

use action::Action;
use app::{App, AppInit};
use effect::Effect;
use pictures::PictureStep;
use runner::Runner;
use theme::ColorMode;

/// Everything the dashboard needs from the caller.
pub struct TuiOptions {
    pub client: Client,
    pub backend: Backend,
    /// Exactly which back end (see `Connection::backend_key`): decides which stored runs
    /// may be re-filtered.
    pub backend_key: String,
    pub refilter: crate::config::Refilter,
    /// The config profile in use, if any.
    pub profile: Option<String>,
    /// `••••abcd`, never the token.
    pub token_masked: Option<String>,
    pub defaults: SearchParams,
    pub start_dir: PathBuf,
    pub initial_image: Option<PathBuf>,
    pub theme: Option<String>,
    pub history_path: PathBuf,
    /// The history's cap: at start, runs beyond it are pruned, oldest first.
    pub history_max_runs: usize,
    /// Where log lines go while the dashboard owns the screen.
    pub log_path: PathBuf,
    pub max_side: u32,
    /// Notes to show in the status bar at start (config warnings …).
    pub notes: Vec<String>,
    /// `--images`: how to draw pictures (auto-detected, forced, or off).
    pub images: crate::preview::ImageMode,
    /// The configured profiles, for the picker (`Ctrl-p`; `sandbox` is added).
    pub profiles: Vec<String>,
    /// How a profile switch connects (the start's flags and models).
    pub reconnect: reconnect::Reconnect,
    /// The connection `client` belongs to, kept alive (and replaced when the engine
    /// switches) by the dashboard; `None` when the caller keeps it.
    pub connection: Option<crate::connect::Connection>,
    /// The face models' install offer and engine switch (embedded sandbox on the pixel
    /// engine only; see [`engine::EngineSwitch::offered_for`]).
    pub engine_switch: Option<engine::EngineSwitch>,
}

/// Builds the app (history, themes) without touching the terminal.
pub fn prepare(opts: &TuiOptions) -> (App, Vec<Effect>) {
    let mut warnings = opts.notes.clone();
    let store = HistoryStore::new(&opts.history_path);
    let mut max_id = 0;
    let mut runs = match store.load() {
        Ok(l) => {
            warnings.extend(l.warnings);
            max_id = l.max_id;
            l.runs
        }
        Err(e) => {
            warnings.push(format!(
                "history {} not readable: {e}",
                opts.history_path.display()
            ));
            Vec::new()
        }
    };
    runs.sort_by_key(|r| r.id);
    if runs.len() > opts.history_max_runs {
        // Under the lock, on the file as it is then: another dashboard's runs stay.
        let cap = opts.history_max_runs;
        let pruned = store.edit(|mut loaded| {
            loaded.runs.sort_by_key(|r| r.id);
            let drop = loaded.runs.len().saturating_sub(cap);
            let kept = loaded.runs.split_off(drop);
            (Some(kept.clone()), (drop, kept))
        });
        match pruned {
            Ok((drop, kept)) => {
                warnings.push(format!(
                    "history pruned: the {drop} oldest runs removed (history_max_runs = {cap})"
                ));
                runs = kept;
            }
            Err(e) => warnings.push(format!("history over its cap, not pruned: {e}")),
        }
    }
    let mode = ColorMode::detect(&|k| std::env::var(k).ok());
    let user_dir = theme::user_theme_dir();
    let themes: Vec<_> = theme::theme_names(user_dir.as_deref())
        .iter()
        .map(|n| theme::load(n, user_dir.as_deref(), mode))
        .collect();
    let (theme, problem) = theme::load(
        opts.theme.as_deref().unwrap_or("default"),
        user_dir.as_deref(),
        mode,
    );
    warnings.extend(problem);
    let start_dir = std::fs::canonicalize(&opts.start_dir).unwrap_or(opts.start_dir.clone());
    let (mut app, effects) = App::new(
        AppInit {
            start_dir,
            defaults: opts.defaults.clone(),
            theme,
            themes,
            backend_label: opts.backend.label(),
            backend_key: opts.backend_key.clone(),
            refilter: opts.refilter,
            profile: opts.profile.clone(),
            token_masked: opts.token_masked.clone(),
            runs,
            warnings,
            tz: clock::Zone::Local,
        },
        opts.initial_image.clone(),
    );
    app.profiles = opts.profiles.clone();
    // Ids above every run (damaged lines too), unique among dashboards sharing the file.
    app.run_ids = crate::history::RunIds::shared(store, max_id);
    let mut effects = effects;
    app.models = opts.engine_switch.as_ref().map(|s| {
        let mut m = app::ModelsInstall::offered(
            s.models_dir.clone(),
            s.models_source.clone(),
            engine::models_bytes(),
        );
        if s.demo_only {
            // The face engine's first start: its demo, in the background.
            m.phase = app::ModelsPhase::Switching;
            effects.push(Effect::SwitchToFaceEngine);
        }
        m
    });
    (app, effects)
}

/// Runs the dashboard until the user quits. The terminal is restored on every way out;
/// then, if anything was logged meanwhile, the log's path is printed on stderr.
pub async fn run(opts: TuiOptions) -> io::Result<()> {
    // Before anything touches the terminal: from here on these signals end the loop.
    let signals = Signals::new()?;
    let log = logging::divert(opts.log_path.clone());
    let result = run_on_screen(opts, signals, &log).await;
    let summary = log.summary();
    drop(log);
    if let Some(summary) = summary {
        eprintln!("{summary}");
    }
    result
}

async fn run_on_screen(mut opts: TuiOptions, signals: Signals, log: &Diversion) -> io::Result<()> {
    let (mut app, effects) = prepare(&opts);
    // The graphics query must finish before the event reader starts, or it eats the reply.
    let mode = opts.images;
    let (picker, described) =
        tokio::task::spawn_blocking(move || crate::preview::make_picker(mode))
            .await
            .map_err(io::Error::other)?;
    app.preview = crate::preview::PreviewCache::new(picker);
    // Verifik bills every call: the status bar counts them (the sandbox is free).
    if !opts.backend.is_sandbox() {
        app.billed_requests = Some(opts.client.request_counter());
    }
    app.images = described;
    let (tx, rx) = mpsc::unbounded_channel();
    let runner = Runner::new(
        opts.client.clone(),
        tx.clone(),
        opts.max_side,
        HistoryStore::new(&opts.history_path),
    )
    .with_export_dir(std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")))
    .with_reconnect(opts.reconnect.clone())
    .with_engine_switch(opts.connection.take(), opts.engine_switch.take());
    install_panic_hook();
    let _guard = TerminalGuard::enter()?;
    // Never dropped: ratatui's drop shows the cursor and prints "Failed to show the
    // cursor" when that fails, as it does once the terminal is gone (a closed pane).
    // `TerminalGuard` shows the cursor itself, quietly.
    let mut terminal = ManuallyDrop::new(Terminal::new(CrosstermBackend::new(io::stdout()))?);
    terminal.clear()?;
    let context = LoopContext {
        runner,
        channel: (tx, rx),
        signals,
        log,
    };
    event_loop(&mut terminal, app, effects, context).await
}

/// What the event loop listens to besides the terminal, and what it starts work with.
struct LoopContext<'a> {
    runner: Runner,
    channel: (
        mpsc::UnboundedSender<Action>,
        mpsc::UnboundedReceiver<Action>,
    ),
    signals: Signals,
    log: &'a Diversion,
}

/// `app.update(action)`, then the open popup's scroll kept within its content at the
/// app's screen size (a measure only the drawing code knows, so the app does not ask it
/// itself: the app never imports the panes). The event loop and the tests update
/// through this.
pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let effects = app.update(action);
    let (width, height) = app.screen;
    let max = panes::popup_scroll_max(app, Rect::new(0, 0, width, height));
    app.clamp_popup_scroll(max);
    effects
}

/// One frame: the request step for its pictures (which `stat`s files and records
/// decodes), then the draw (which reads only the state and those pictures), then the
/// decodes the step recorded are started; each comes back as an action.
fn draw_frame(
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    app: &mut App,
    step: &mut PictureStep,
    tx: &mpsc::UnboundedSender<Action>,
) -> io::Result<()> {
    terminal.autoresize()?;
    let size = terminal.size()?;
    let pictures = step.run(app, Rect::new(0, 0, size.width, size.height));
    terminal.draw(|f| panes::render(app, &pictures, f))?;
    for job in app.preview.take_jobs() {
        let tx = tx.clone();
        job.spawn(move |done| {
            let _ = tx.send(Action::Preview(done));
        });
    }
    Ok(())
}

async fn event_loop(
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    mut app: App,
    effects: Vec<Effect>,
    context: LoopContext<'_>,
) -> io::Result<()> {
    let LoopContext {
        mut runner,
        channel: (tx, mut rx),
        mut signals,
        log,
    } = context;
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    for e in effects {
        runner.run(e);
    }
    let size = terminal.size()?;
    update(
        &mut app,
        Action::Resize {
            width: size.width,
            height: size.height,
        },
    );
    let mut step = PictureStep::default();
    draw_frame(terminal, &mut app, &mut step, &tx)?;
    loop {
        let mut batch = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => keyburst::actions(read_burst(ev, &mut events).await?),
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            },
            Some(a) = rx.recv() => vec![a],
            _ = tick.tick(), if app.is_busy() => vec![Action::Tick],
            _ = signals.recv() => vec![Action::Terminate],
            _ = log.line_logged() => vec![Action::Logged {
                lines: log.logged(),
                path: log.path().to_path_buf(),
            }],
        };
        // Handle everything already queued before drawing once.
        while let Ok(a) = rx.try_recv() {
            batch.push(a);
        }
        for action in batch {
            if matches!(action, Action::Resize { .. }) {
                terminal.autoresize()?;
            }
            for effect in update(&mut app, action) {
                runner.run(effect);
            }
        }
        if app.quit {
            runner.abort_all();
            return Ok(());
        }
        draw_frame(terminal, &mut app, &mut step, &tx)?;
    }
}

/// `first` and every terminal event the same read already delivered: a key split into
/// characters can only be repaired while its pieces are together.
async fn read_burst(first: Event, events: &mut EventStream) -> io::Result<Vec<Event>> {
    let mut burst = vec![first];
    // A zero timeout polls once with this task's waker, so nothing waits and no wake-up
    // is lost (a bare `now_or_never` would leave the stream holding a no-op waker).
    while let Ok(next) = tokio::time::timeout(Duration::ZERO, events.next()).await {
        match next {
            Some(Ok(ev)) => burst.push(ev),
            Some(Err(e)) => return Err(e),
            None => break,
        }
    }
    Ok(burst)
}

/// SIGINT, SIGQUIT, SIGTERM and SIGHUP as one stream: each ends the dashboard the way `q`
/// does, restoring the terminal (Ctrl-c on other platforms).
struct Signals {
    #[cfg(unix)]
    streams: Vec<tokio::signal::unix::Signal>,
}

impl Signals {
    fn new() -> io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let kinds = [
                SignalKind::interrupt(),
                SignalKind::quit(),
                SignalKind::terminate(),
                SignalKind::hangup(),
            ];
            let streams = kinds.into_iter().map(signal).collect::<io::Result<_>>()?;
            Ok(Signals { streams })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            let waits = self.streams.iter_mut().map(|s| Box::pin(s.recv()));
            futures::future::select_all(waits).await;
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

static TERMINAL_ACTIVE: AtomicBool = AtomicBool::new(false);
static UI_THREAD: OnceLock<ThreadId> = OnceLock::new();

/// Raw mode + alternate screen + bracketed paste for as long as it lives.
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> io::Result<TerminalGuard> {
        let _ = UI_THREAD.set(std::thread::current().id());
        enable_raw_mode()?;
        TERMINAL_ACTIVE.store(true, Ordering::SeqCst);
        // Bracketed paste: a paste arrives as one `Event::Paste`, text for the focused
        // field, instead of keys that would run commands.
        if let Err(e) = execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste) {
            restore_terminal();
            return Err(e);
        }
        Ok(TerminalGuard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Leaves the alternate screen and raw mode; safe to call more than once.
pub fn restore_terminal() {
    if TERMINAL_ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = execute!(
            io::stdout(),
            DisableBracketedPaste,
            LeaveAlternateScreen,
            crossterm::cursor::Show
        );
        let _ = disable_raw_mode();
    }
}

/// Restores the terminal before the panic message is printed — but only for panics on
/// the UI thread: a panicking background task must not tear the screen down under a
/// UI that keeps running. Its message goes to the log file instead of over the screen
/// (the status bar then says where).
pub fn install_panic_hook() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if UI_THREAD.get() == Some(&std::thread::current().id()) {
                restore_terminal();
            } else if logging::is_diverted() {
                let thread = std::thread::current();
                let name = thread.name().unwrap_or("unnamed");
                tracing::error!("panic on background thread '{name}': {info}");
                return;
            }
            previous(info);
        }));
    });
}
