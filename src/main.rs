use clap::Parser;

use liveface::cli::args::ModelsAction;
use liveface::cli::{self, Cli, Command};

fn main() {
    let cli = Cli::parse();
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
            Some(Command::Sandbox(args)) => {
                liveface::sandbox::cli::run(args.clone(), cli.global.models.clone()).await
            }
            Some(Command::Models {
                action: ModelsAction::Status,
            }) => cli::models::status(cli.global.models.clone()),
            None => {
                eprintln!("liveface: the dashboard is not wired yet");
                1
            }
        }
    });
    // Don't wait for lingering background tasks (e.g. an embedded server) on the way out.
    runtime.shutdown_background();
    std::process::exit(code);
}
