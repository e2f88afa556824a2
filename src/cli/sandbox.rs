//! `liveface sandbox serve` and `liveface sandbox demo`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::sandbox::choose::{choose_engine, embedded_data_dir, wait_ready, EngineChoice};
use crate::sandbox::gallery::seed_from_photos;
use crate::sandbox::{default_data_dir, probes_dir, seed_demo, start, SandboxOptions};

#[derive(Args, Debug, Clone)]
pub struct SandboxArgs {
    #[command(subcommand)]
    pub action: SandboxAction,
}

#[derive(Subcommand, Debug, Clone)]
pub enum SandboxAction {
    /// Run the sandbox as a standalone Verifik-compatible server (for curl, SDKs, scripts)
    Serve(ServeArgs),
    /// Fill the store with demo persons and write labelled probe images next to them:
    /// real photos with the face engine, synthetic images with the pixel engine
    Demo(DemoArgs),
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free one)
    #[arg(long, default_value = "127.0.0.1:8787", value_name = "HOST:PORT")]
    pub addr: SocketAddr,
    /// Data directory (default: <data dir>/liveface/sandbox)
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Accept only this bearer token (default: any non-empty token)
    #[arg(
        long,
        value_name = "TOKEN",
        env = "LIVEFACE_SANDBOX_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
    /// Data directory (default: <data dir>/liveface/sandbox-face with the face engine,
    /// <data dir>/liveface/sandbox with the pixel engine)
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Where the face engine's demo photo pack comes from: a local directory or an
    /// http(s) base URL holding the pack's file names (default: the pinned upstream URLs)
    #[arg(long, value_name = "SOURCE")]
    pub pack_from: Option<String>,
    /// Delete the store (persons, collections, faces) and the probes first
    #[arg(long)]
    pub reset: bool,
    /// Enroll a folder of your own photos instead of the demo gallery: one person per
    /// file stem, `name_1.jpg`, `name_2.jpg` … being photos of one person
    #[arg(long, value_name = "DIR")]
    pub from: Option<PathBuf>,
}

/// Runs `sandbox serve|demo`; `models` is the global `--models` flag.
pub async fn run(args: SandboxArgs, models: Option<PathBuf>) -> i32 {
    let choice = match tokio::task::spawn_blocking(move || choose_engine(models)).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("liveface sandbox: choosing the engine failed: {e}");
            return 1;
        }
    };
    match args.action {
        SandboxAction::Serve(a) => serve(a, choice).await,
        SandboxAction::Demo(a) => demo(a, choice).await,
    }
}

async fn serve(args: ServeArgs, choice: EngineChoice) -> i32 {
    let data_dir = args.data.unwrap_or_else(|| embedded_data_dir(choice.face));
    eprintln!("sandbox: engine: {}", choice.note);
    let opts = SandboxOptions {
        addr: args.addr,
        data_dir: data_dir.clone(),
        token: args
            .token
            .filter(|t| !t.trim().is_empty())
            .map(|t| t.trim().to_owned()),
        engine: choice.slot,
        log: true,
    };
    let token_note = if opts.token.is_some() {
        "only the configured token"
    } else {
        "any non-empty bearer token"
    };
    let stop = shutdown_signal();
    let running = match start(opts).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("liveface sandbox: the sandbox could not start: {e}");
            return crate::api::ErrorKind::Sandbox.exit_code();
        }
    };
    // The first stdout line: scripts and tests read the port from it.
    println!("listening on {}", running.base_url);
    eprintln!(
        "sandbox: data in {}; engine: {} (not a face recognizer unless face models are loaded); accepting {token_note}",
        data_dir.display(),
        running.engine_label()
    );
    stop.await;
    eprintln!(
        "sandbox: stopping (no new connections; in-flight requests get {} s)",
        crate::sandbox::SHUTDOWN_GRACE.as_secs()
    );
    if !running.shutdown().await {
        eprintln!(
            "sandbox: requests still running after {} s were cut off",
            crate::sandbox::SHUTDOWN_GRACE.as_secs()
        );
    }
    0
}

/// `sandbox demo --from DIR`: enroll a folder of photos with the chosen engine.
async fn demo_from_photos(args: DemoArgs, photos: PathBuf, choice: EngineChoice) -> i32 {
    let data_dir = args.data.unwrap_or_else(|| embedded_data_dir(choice.face));
    eprintln!("sandbox: engine: {}", choice.note);
    let result = tokio::task::spawn_blocking(move || {
        let engine = wait_ready(&choice.slot)?;
        if args.reset {
            reset(&data_dir).map_err(|e| format!("cannot reset {}: {e}", data_dir.display()))?;
        }
        seed_from_photos(&data_dir, &photos, engine.as_ref())
            .map(|s| (s, data_dir))
            .map_err(|e| e.to_string())
    })
    .await;
    match result {
        Ok(Ok((summary, data_dir))) => {
            for (name, photos) in &summary.enrolled {
                println!(
                    "enrolled {name} ({photos} photo{})",
                    if *photos == 1 { "" } else { "s" }
                );
            }
            for name in &summary.existing {
                println!("already enrolled: {name}");
            }
            for (file, why) in &summary.skipped {
                println!("skipped {}: {why}", file.display());
            }
            println!(
                "{} persons enrolled into the \"Photos\" collection of {}",
                summary.enrolled.len(),
                data_dir.display()
            );
            0
        }
        Ok(Err(e)) => {
            eprintln!("liveface sandbox demo: {e}");
            1
        }
        Err(e) => {
            eprintln!("liveface sandbox demo: internal failure: {e}");
            1
        }
    }
}

/// Waits for Ctrl-C or SIGTERM. The handlers are installed when this is called,
/// not when it is first awaited, so a signal right after "listening" is not lost.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let term = signal(SignalKind::terminate());
        let int = signal(SignalKind::interrupt());
        async move {
            match (term, int) {
                (Ok(mut term), Ok(mut int)) => {
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = int.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Removes the store files and the probes of a data directory.
pub fn reset(data_dir: &std::path::Path) -> std::io::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let p = data_dir.join(format!("{}{suffix}", crate::sandbox::store::DB_FILE));
        match std::fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    match std::fs::remove_dir_all(probes_dir(data_dir)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

async fn demo(args: DemoArgs, choice: EngineChoice) -> i32 {
    if let Some(photos) = args.from.clone() {
        return demo_from_photos(args, photos, choice).await;
    }
    if choice.face {
        return face_demo(args, choice).await;
    }
    // Synthetic images hold no face: the synthetic demo is always a pixel-engine store.
    if args.pack_from.is_some() {
        eprintln!(
            "sandbox: --pack-from is for the face engine's demo of real photos; the face models are not installed ({}), so this is the synthetic pixel-engine demo: run `liveface models install` first",
            choice.note
        );
    }
    let data_dir = args.data.unwrap_or_else(default_data_dir);
    let result = tokio::task::spawn_blocking(move || {
        if args.reset {
            reset(&data_dir).map_err(|e| format!("cannot reset {}: {e}", data_dir.display()))?;
        }
        seed_demo(&data_dir, &probes_dir(&data_dir)).map_err(|e| e.to_string())
    })
    .await;
    match result {
        Ok(Ok(summary)) => {
            if summary.already_seeded {
                println!("the demo gallery was already in the store (use --reset to start over)");
            } else {
                println!(
                    "created {} demo persons in 2 collections",
                    summary.persons_created
                );
            }
            println!("probes in {}:", summary.probes_dir.display());
            for (file, expect) in &summary.probes {
                println!("  {file}: {expect}");
            }
            0
        }
        Ok(Err(e)) => {
            eprintln!("liveface sandbox demo: {e}");
            1
        }
        Err(e) => {
            eprintln!("liveface sandbox demo: internal failure: {e}");
            1
        }
    }
}

/// The face engine's demo: fetch the pinned photo pack (skipped when already verified),
/// enrol the three persons, write the labelled probes.
async fn face_demo(args: DemoArgs, choice: EngineChoice) -> i32 {
    use crate::install::{self, InstallOptions, Source};
    use crate::sandbox::face_demo::{pack_dir, pack_files, seed_face_demo};
    use std::io::IsTerminal;

    let data_dir = args.data.unwrap_or_else(|| embedded_data_dir(true));
    eprintln!("sandbox: engine: {}", choice.note);
    if args.reset {
        if let Err(e) = reset(&data_dir) {
            eprintln!(
                "liveface sandbox demo: cannot reset {}: {e}",
                data_dir.display()
            );
            return 1;
        }
    }
    let source = Source::from_option(args.pack_from.as_deref());
    if let Source::Dir(d) = &source {
        if !d.is_dir() {
            eprintln!(
                "liveface sandbox demo: --pack-from {}: no such directory",
                d.display()
            );
            return super::EXIT_BAD_INPUT;
        }
    }
    let pack = pack_dir(&data_dir);
    let files = pack_files();
    let bars = super::models::Bars::new(&files, std::io::stdout().is_terminal());
    let opts = InstallOptions {
        source,
        from_flag: "--pack-from",
    };
    let fetched = install::install(&files, &pack, &opts, &|e| bars.on(e)).await;
    bars.finish();
    if let Err(e) = fetched {
        eprintln!("liveface sandbox demo: the demo photos: {e}");
        return super::models::exit_code(&e);
    }
    let probes = probes_dir(&data_dir);
    let result = tokio::task::spawn_blocking(move || {
        let engine = wait_ready(&choice.slot)?;
        seed_face_demo(&data_dir, &pack, &probes, engine.as_ref()).map_err(|e| e.to_string())
    })
    .await;
    match result {
        Ok(Ok(summary)) => {
            if summary.already_seeded {
                println!("the demo persons were already in the store (use --reset to start over)");
            }
            for (name, photos) in &summary.enrolled {
                println!("enrolled {name} from {}", photos.join(", "));
            }
            println!(
                "probes in {} (see README.md there):",
                summary.probes_dir.display()
            );
            for p in &summary.probes {
                println!("  {}: {}", p.file, p.sentence());
            }
            0
        }
        Ok(Err(e)) => {
            eprintln!("liveface sandbox demo: {e}");
            1
        }
        Err(e) => {
            eprintln!("liveface sandbox demo: internal failure: {e}");
            1
        }
    }
}
