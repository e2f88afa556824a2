use clap::Parser;

use liveface::cli::args::ModelsAction;
use liveface::cli::{self, Cli, Command};

fn main() {
    let cli = Cli::parse();
    // Log lines (the embedded sandbox's, background panics) go through `tracing`.
    liveface::logging::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("liveface: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    let code = runtime.block_on(async {
        match &cli.command {
            Some(Command::Search(args)) => cli::search::run(&cli.global, args).await,
            Some(Command::Collections(args)) => cli::collections::run(&cli.global, args).await,
            Some(Command::Persons(args)) => cli::persons::run(&cli.global, args).await,
            Some(Command::Eval(args)) => cli::eval::run(&cli.global, args).await,
            Some(Command::Sandbox(args)) => {
                liveface::cli::sandbox::run(args.clone(), cli.global.models.clone()).await
            }
            Some(Command::History { action }) => history(&cli, action),
            Some(Command::Profiles { action }) => cli::profiles::run(&cli.global.flags(), action),
            Some(Command::Models { action }) => match action {
                ModelsAction::Status { json } => {
                    cli::models::status(cli.global.models.clone(), *json)
                }
                ModelsAction::Install { from, json } => {
                    cli::models::install(cli.global.models.clone(), from.clone(), *json).await
                }
            },
            None => dashboard(&cli).await,
        }
    });
    // Don't wait for lingering background tasks (e.g. an embedded server) on the way out.
    runtime.shutdown_background();
    std::process::exit(code);
}

/// `liveface history …`: needs only the config (for `max_side`), never a connection.
fn history(cli: &Cli, action: &cli::history::HistoryAction) -> i32 {
    let config = match liveface::config::load(&cli.global.flags()) {
        Ok(c) => c,
        Err(e) => {
            cli::report(&e);
            return cli::EXIT_BAD_INPUT;
        }
    };
    cli::history::run(&liveface::config::history_path(), action, config.max_side)
}

/// No subcommand: the dashboard, against the configured server or the embedded sandbox.
async fn dashboard(cli: &Cli) -> i32 {
    let images = match liveface::preview::ImageMode::parse(&cli.tui.images) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("liveface: {e}");
            return cli::EXIT_BAD_INPUT;
        }
    };
    let mut flags = cli.global.flags();
    if cli.tui.theme.is_some() {
        flags.theme = cli.tui.theme.clone();
    }
    let flags_used = flags.clone();
    let (config, conn) = match cli::open(&cli.global, flags).await {
        Ok(c) => c,
        Err(code) => return code,
    };
    // A new user on the embedded sandbox starts where its demo probes are.
    let demo_probes = match &conn.backend {
        liveface::connect::Backend::Sandbox {
            probes_dir: Some(dir),
            ..
        } if cli.tui.image.is_none() => Some(dir.clone()),
        _ => None,
    };
    let start_dir = cli
        .tui
        .dir
        .clone()
        .or(demo_probes)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| ".".into());
    let opts = liveface::tui::TuiOptions {
        client: conn.client.clone(),
        backend: conn.backend.clone(),
        backend_key: conn.backend_key(),
        refilter: config.refilter,
        profile: config.profile.clone(),
        token_masked: conn.token_masked.clone(),
        defaults: config.defaults.clone(),
        start_dir,
        initial_image: cli.tui.image.clone(),
        theme: config.theme.clone(),
        history_path: liveface::config::history_path(),
        history_max_runs: config.history_max_runs,
        log_path: liveface::config::data_dir().join(liveface::logging::LOG_FILE),
        max_side: config.max_side,
        // Config warnings last: the status bar shows the newest (a token file readable
        // by others must not hide behind a connection note).
        notes: conn.notes.iter().chain(&config.warnings).cloned().collect(),
        images,
        profiles: liveface::config::profile_names(&flags_used).unwrap_or_default(),
        reconnect: liveface::tui::reconnect::Reconnect {
            flags: flags_used,
            models: cli.global.models.clone(),
        },
        engine_switch: liveface::tui::engine::EngineSwitch::offered_for(
            &config,
            &conn,
            cli.global.models.clone(),
        ),
        // The dashboard keeps it alive (it owns an embedded sandbox) and replaces it
        // when the engine switches.
        connection: Some(conn),
    };
    let result = liveface::tui::run(opts).await;
    match result {
        Ok(()) => 0,
        Err(e) => {
            cli::report(&format!("the dashboard failed: {e}"));
            1
        }
    }
}
