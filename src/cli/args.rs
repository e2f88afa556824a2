//! The command line, as clap sees it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::Flags;

pub const EXIT_CODES: &str = "\
Exit codes:
  0  success (including a search with zero matches)
  1  unexpected internal failure
  2  bad input (unreadable image, out-of-range threshold, bad flag): nothing was sent
  3  liveness rejected by the server
  4  authentication or authorization failed (401/403)
  5  network failure, timeout or server error (5xx)
  6  any other API error (404, 409, 412, unexpected answer)
  7  the sandbox could not start (port, data directory, store, face models): nothing was sent";

#[derive(Parser, Debug)]
#[command(
    name = "liveface",
    version,
    about = "Live 1:N face search from the terminal: a dashboard, a headless CLI and a local sandbox",
    long_about = "Live 1:N face search from the terminal.\n\n\
        Without a subcommand, opens the dashboard. With no token and no base URL configured, \
        everything runs against the embedded sandbox (a local Verifik-compatible server).\n\n\
        Configuration: flags > environment (VERIFIK_TOKEN, LIVEFACE_BASE_URL) > \
        <config dir>/liveface/config.toml > defaults.",
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(flatten)]
    pub tui: TuiArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags every command understands.
#[derive(Args, Debug, Clone, Default)]
pub struct GlobalArgs {
    /// API base URL, e.g. https://api.verifik.co or http://127.0.0.1:8787 [env: LIVEFACE_BASE_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// Use this profile of the config file (`sandbox` always exists) [env: LIVEFACE_PROFILE]
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Read this config file instead of <config dir>/liveface/config.toml
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Allow plain http:// to a host other than loopback (sends the token unencrypted)
    #[arg(long, global = true)]
    pub allow_insecure: bool,
    /// Time budget of each call in seconds, 1–600, retries and their waits included (default 30)
    #[arg(
        long,
        global = true,
        value_name = "SECS",
        allow_negative_numbers = true
    )]
    pub timeout: Option<i64>,
    /// Directory with the face models for the embedded sandbox [env: LIVEFACE_MODELS]
    #[arg(long, global = true, value_name = "DIR")]
    pub models: Option<PathBuf>,
}

/// Flags of the dashboard (no subcommand).
#[derive(Args, Debug, Clone, Default)]
pub struct TuiArgs {
    /// Open the dashboard with this probe image picked
    #[arg(long, value_name = "FILE")]
    pub image: Option<PathBuf>,
    /// Start the file browser in this directory (default: the current one)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Theme name: default, light, high-contrast, mono, or one in <config dir>/liveface/themes/
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
    /// How to draw images: auto, kitty, sixel, iterm2, halfblocks or off
    #[arg(long, value_name = "MODE", default_value = "auto")]
    pub images: String,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run one live 1:N search and print the matches (for scripts and pipes)
    #[command(after_help = EXIT_CODES)]
    Search(SearchArgs),
    /// List collections (or create, update, delete them)
    #[command(after_help = EXIT_CODES)]
    Collections(CollectionsArgs),
    /// List, inspect, enroll, edit and delete persons
    #[command(after_help = EXIT_CODES)]
    Persons(PersonsArgs),
    /// Run the local Verifik-compatible sandbox server, or fill it with a demo gallery
    Sandbox(super::sandbox::SandboxArgs),
    /// The dashboard's search history: list, show, export, prune, or a run as curl
    History {
        #[command(subcommand)]
        action: crate::cli::history::HistoryAction,
    },
    /// The config file's profiles: list them, or add / update one in config.toml
    Profiles {
        #[command(subcommand)]
        action: crate::cli::profiles::ProfilesAction,
    },
    /// Evaluate thresholds on a labelled probe set: FNIR, FPIR, APCER, BPCER per threshold
    #[command(after_help = EVAL_HELP)]
    Eval(EvalArgs),
    /// Install the face models, or show which sandbox engine is active and why
    Models {
        #[command(subcommand)]
        action: ModelsAction,
    },
}

#[derive(Subcommand, Debug, Clone)]
pub enum ModelsAction {
    /// Check the four face-model files against their pinned SHA-256 hashes; list their
    /// sizes, licences and sources
    Status {
        /// Print one JSON object instead of text
        #[arg(long)]
        json: bool,
    },
    /// Download the four face-model files from their pinned upstream URLs (or copy them
    /// from --from), verify each SHA-256, and put them into the models directory
    Install {
        /// A local directory, or an http(s) base URL, holding the same file names (an
        /// offline mirror, a company proxy, an air-gapped copy)
        #[arg(long, value_name = "SOURCE")]
        from: Option<String>,
        /// Print a JSON summary instead of text
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug, Clone)]
pub struct SearchArgs {
    /// The probe image (JPEG, PNG, WebP, BMP, GIF or TIFF, found by content; at most 30 MB)
    #[arg(long, value_name = "PATH")]
    pub image: PathBuf,
    /// Capture platform: ANDROID, IOS or DESKTOP (default DESKTOP)
    #[arg(long, value_name = "OS")]
    pub os: Option<String>,
    /// Liveness threshold, 0.5–1.0 (default 0.65)
    #[arg(long, value_name = "SCORE", allow_negative_numbers = true)]
    pub liveness_min_score: Option<String>,
    /// Match threshold, 0.5–1.0 (default 0.75)
    #[arg(long, value_name = "SCORE", allow_negative_numbers = true)]
    pub min_score: Option<String>,
    /// FAST or ACCURATE (default FAST)
    #[arg(long, value_name = "MODE")]
    pub search_mode: Option<String>,
    /// Limit the search to one collection
    #[arg(long, value_name = "ID")]
    pub collection: Option<String>,
    /// Longest side of the uploaded image in pixels, 64–8192 (default 1600; never upscaled)
    #[arg(long, value_name = "PX", allow_negative_numbers = true)]
    pub max_side: Option<i64>,
    /// Print one JSON object instead of a table
    #[arg(long)]
    pub json: bool,
    /// Do not keep the search in the history (kept by default, as the dashboard's are)
    #[arg(long)]
    pub no_history: bool,
}

/// The layout of a labelled set and the exit codes, after `liveface eval --help`.
pub const EVAL_HELP: &str = "\
The labelled set, a folder:
  SET/<person>/        photos of an enrolled person (the person's id, or unique exact name)
  SET/_not_enrolled/   live photos of people who are not enrolled
  SET/_attacks/        presentation attacks (prints, screens, masks)
or a CSV manifest with the header path,expected,kind (kind: mated, nonmated, attack).

Every probe is searched once at liveness_min_score 0.5 and min_score 0.5; every threshold
from 0.50 to 1.00 is then evaluated locally. Results are journaled in the data folder:
running the same set again resumes (--fresh starts over).

Exit codes: 0 done · 2 bad input (nothing sent) · 4 authentication failed ·
5 or 6 some searches failed (the report leaves them out; a rerun retries them) ·
130 stopped with Ctrl-c (what was done is reported)";

/// `liveface eval`.
#[derive(Args, Debug, Clone)]
pub struct EvalArgs {
    /// The labelled set: a folder laid out by truth, or a CSV manifest path,expected,kind
    #[arg(value_name = "SET", required_unless_present = "history")]
    pub set: Option<PathBuf>,
    /// Evaluate the runs labelled in the history (`liveface history label`) instead of a
    /// set: no request is sent
    #[arg(long, conflicts_with_all = ["set", "yes", "fresh", "max_side"])]
    pub history: bool,
    /// Search only this collection (names are resolved among its persons)
    #[arg(long, value_name = "ID")]
    pub collection: Option<String>,
    /// FAST or ACCURATE (default FAST)
    #[arg(long, value_name = "MODE")]
    pub search_mode: Option<String>,
    /// Capture platform: ANDROID, IOS or DESKTOP (default DESKTOP)
    #[arg(long, value_name = "OS")]
    pub os: Option<String>,
    /// Searches in flight at once, 1–32
    #[arg(long, value_name = "N", default_value_t = 4, allow_negative_numbers = true,
          value_parser = clap::value_parser!(u16).range(1..=32))]
    pub jobs: u16,
    /// Don't ask before sending billed requests to a real API
    #[arg(long)]
    pub yes: bool,
    /// Forget the journal of earlier runs of this set and search every probe again
    #[arg(long)]
    pub fresh: bool,
    /// Print one JSON object (the stable schema in the README) instead of the report
    #[arg(long)]
    pub json: bool,
    /// Also write one CSV row per probe to this file
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Also draw the DET curve and the score histograms to this SVG file
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
    /// Longest side of the uploaded images in pixels, 64–8192 (default 1600; never upscaled)
    #[arg(long, value_name = "PX", allow_negative_numbers = true)]
    pub max_side: Option<i64>,
}

#[derive(Args, Debug, Clone)]
pub struct CollectionsArgs {
    /// Print JSON instead of a table
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub action: Option<CollectionsAction>,
}

#[derive(Subcommand, Debug, Clone)]
pub enum CollectionsAction {
    /// List collections (the default)
    List,
    /// Create a collection
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        description: Option<String>,
    },
    /// Rename or describe a collection (the API requires the name on every update)
    Update {
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        description: Option<String>,
    },
    /// Delete a collection (asks first unless --yes)
    Delete {
        id: String,
        /// Don't ask for confirmation
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Args, Debug, Clone)]
pub struct PersonsArgs {
    /// Print JSON instead of a table
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub action: PersonsAction,
}

/// The editable fields of a person, shared by `create` and `update`.
#[derive(Args, Debug, Clone, Default)]
pub struct PersonFields {
    /// M or F
    #[arg(long)]
    pub gender: Option<String>,
    /// Date of birth, YYYY-MM-DD
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub dob: Option<String>,
    #[arg(long)]
    pub nationality: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
}

#[derive(Subcommand, Debug, Clone)]
pub enum PersonsAction {
    /// List persons, a page at a time
    List {
        #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
        page: i64,
        /// 1–100
        #[arg(long, default_value_t = 20, allow_negative_numbers = true)]
        limit: i64,
        #[arg(long, value_name = "ID")]
        collection: Option<String>,
        /// active, inactive or pending
        #[arg(long)]
        status: Option<String>,
    },
    /// Show one person
    Get { id: String },
    /// Enroll a person from 1–3 face images
    Create {
        #[arg(long)]
        name: String,
        /// A face image: JPEG, PNG, WebP, BMP, GIF or TIFF (repeat for up to 3)
        #[arg(long = "image", value_name = "FILE", required = true)]
        images: Vec<PathBuf>,
        /// Collection to enroll into (repeatable)
        #[arg(long = "collection", value_name = "ID")]
        collections: Vec<String>,
        #[command(flatten)]
        fields: PersonFields,
    },
    /// Change a person; only the given fields are sent. --image replaces all faces.
    Update {
        id: String,
        #[arg(long)]
        name: Option<String>,
        /// New face images: JPEG, PNG, WebP, BMP, GIF or TIFF (replace all faces; up to 3)
        #[arg(long = "image", value_name = "FILE")]
        images: Vec<PathBuf>,
        /// Replace the person's collections (repeatable)
        #[arg(long = "collection", value_name = "ID")]
        collections: Vec<String>,
        #[command(flatten)]
        fields: PersonFields,
    },
    /// Delete a person, or with --collection only detach them from it
    Delete {
        id: String,
        #[arg(long, value_name = "ID")]
        collection: Option<String>,
        /// Don't ask for confirmation
        #[arg(long)]
        yes: bool,
    },
}

impl GlobalArgs {
    /// The config flags these arguments set.
    pub fn flags(&self) -> Flags {
        Flags {
            config: self.config.clone(),
            profile: self.profile.clone(),
            base_url: self.base_url.clone(),
            allow_insecure: self.allow_insecure,
            timeout_secs: self.timeout,
            ..Flags::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// The help names the formats of the one list, so the two cannot drift apart.
    #[test]
    fn help_texts_name_the_supported_formats() {
        let names = crate::imageio::format_names();
        let mut cli = Cli::command();
        for path in [
            &["search"][..],
            &["persons", "create"],
            &["persons", "update"],
        ] {
            let mut cmd = &mut cli;
            for p in path {
                cmd = cmd.find_subcommand_mut(p).unwrap();
            }
            let help = cmd.render_long_help().to_string();
            assert!(help.contains(&names), "{path:?}: {help}");
        }
        let readme = include_str!("../../README.md");
        for f in crate::imageio::FORMATS {
            for ext in f.extensions {
                assert!(readme.contains(&format!(".{ext}")), "README lacks .{ext}");
            }
        }
    }
}
