//! `liveface history …`: the dashboard's history outside the dashboard — list, show,
//! export (JSON or CSV), prune, and a run as a `curl` command.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};
use clap::{Subcommand, ValueEnum};
use serde_json::json;

use super::output::table;
use super::{confirm, report, EXIT_BAD_INPUT};
use crate::api::client::search_body;
use crate::api::curl::{base_url_of_key, curl_command, TokenRef};
use crate::history::export::{self, outcome_words};
use crate::history::{HistoryStore, LabelSpec, ProbeStamp, Run, RunMatch};
use crate::printable::printable;

#[derive(Subcommand, Debug, Clone)]
pub enum HistoryAction {
    /// The newest runs, newest last
    List {
        /// How many runs (default 20; 0 = all)
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// One JSON array of runs instead of a table
        #[arg(long)]
        json: bool,
    },
    /// One run with every field and its matches
    Show {
        id: u64,
        #[arg(long)]
        json: bool,
    },
    /// Every run: JSON (every field) or CSV (one row per run and match)
    Export {
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Write here instead of stdout
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Remove old runs (asks first on a terminal; --yes for scripts)
    Prune {
        /// Keep only the newest N runs
        #[arg(
            long,
            value_name = "N",
            conflicts_with = "before",
            required_unless_present = "before"
        )]
        keep: Option<usize>,
        /// Remove runs from before this day (YYYY-MM-DD, local time)
        #[arg(long, value_name = "DATE")]
        before: Option<String>,
        #[arg(long)]
        yes: bool,
    },
    /// Record the truth of run N's probe, for `liveface eval --history`: top (the top
    /// match is the person), enrolled=ID (another enrolled person), not-enrolled, attack,
    /// or none (remove the label)
    Label {
        /// The run's number (`history list`)
        id: u64,
        /// top | enrolled=ID (or the exact name of one of the run's matches) |
        /// not-enrolled | attack | none
        #[arg(value_name = "TRUTH")]
        truth: String,
    },
    /// Print a curl command that repeats run N's request (the image goes to a file)
    Curl {
        id: u64,
        /// Where to write the request body `probe-N.json` (default: the current directory)
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
    Csv,
}

/// Runs one history command on the history at `path`; returns the exit code.
pub fn run(path: &Path, action: &HistoryAction, max_side: u32) -> i32 {
    let store = HistoryStore::new(path);
    let loaded = match store.load() {
        Ok(l) => l,
        Err(e) => {
            report(&format!("cannot read the history {}: {e}", path.display()));
            return EXIT_BAD_INPUT;
        }
    };
    for w in &loaded.warnings {
        report(&format!("warning: {w}"));
    }
    let mut runs = loaded.runs;
    runs.sort_by_key(|r| r.id);
    let result = match action {
        HistoryAction::List { limit, json } => {
            let from = if *limit == 0 {
                0
            } else {
                runs.len().saturating_sub(*limit)
            };
            list(&runs[from..], *json);
            Ok(())
        }
        HistoryAction::Show { id, json } => find(&runs, *id).map(|r| show(r, *json)),
        HistoryAction::Export { format, output } => export(&runs, *format, output.as_deref()),
        HistoryAction::Prune { keep, before, yes } => {
            prune(&store, &runs, *keep, before.as_deref(), *yes)
        }
        HistoryAction::Label { id, truth } => label(&store, *id, truth),
        HistoryAction::Curl { id, dir } => {
            find(&runs, *id).and_then(|r| curl(r, dir.as_deref(), max_side))
        }
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            report(&e);
            EXIT_BAD_INPUT
        }
    }
}

/// Labels run `id` under the history's lock (a run another dashboard appends meanwhile
/// is kept).
fn label(store: &HistoryStore, id: u64, truth: &str) -> Result<(), String> {
    let spec = LabelSpec::parse(truth)?;
    let done = store.label(id, &spec)?;
    let whose = if done.run_id == id {
        format!("run #{id}")
    } else {
        format!("run #{} (run #{id} was re-filtered from it)", done.run_id)
    };
    match &done.truth {
        Some(t) => println!("{whose}: {}", printable(&t.words())),
        None => println!("{whose}: label removed"),
    }
    if let Some(note) = &done.note {
        report(&format!("warning: {note}"));
    }
    Ok(())
}

fn find(runs: &[Run], id: u64) -> Result<&Run, String> {
    runs.iter()
        .find(|r| r.id == id)
        .ok_or_else(|| match runs.last() {
            Some(last) => format!(
                "no run #{id} in the history (runs #{}–#{})",
                runs[0].id, last.id
            ),
            None => "the history is empty".into(),
        })
}

fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn list(runs: &[Run], json: bool) {
    if json {
        println!("{}", json!(runs));
        return;
    }
    if runs.is_empty() {
        println!("the history is empty");
        return;
    }
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                local(r.time),
                r.probe_name(),
                format!("{:.2}", r.params.liveness_min_score),
                format!("{:.2}", r.params.min_score),
                r.matches.len().to_string(),
                r.top_score().map_or("-".into(), |s| format!("{s:.3}")),
                outcome_words(r),
                r.backend.clone(),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &["ID", "TIME", "PROBE", "LIVE", "MIN", "MATCHES", "TOP", "OUTCOME", "BACKEND"],
            &rows
        )
    );
}

fn show(r: &Run, json: bool) {
    if json {
        println!("{}", json!(r));
        return;
    }
    let row = |k: &str, v: String| println!("{k:<18} {}", printable(&v));
    row("run", format!("#{}", r.id));
    row("time", local(r.time));
    row("probe", r.probe.path.display().to_string());
    row("profile", r.profile.clone().unwrap_or_else(|| "-".into()));
    row("back end", r.backend.clone());
    row("os", r.params.os.to_string());
    row(
        "liveness_min_score",
        r.params.liveness_min_score.to_string(),
    );
    row("min_score", r.params.min_score.to_string());
    row("search_mode", r.params.search_mode.to_string());
    row(
        "collection",
        r.params
            .collection_id
            .clone()
            .unwrap_or_else(|| "all".into()),
    );
    row("outcome", outcome_words(r));
    row(
        "liveness score",
        r.liveness_score.map_or("-".into(), |s| format!("{s:.3}")),
    );
    row("elapsed", format!("{} ms", r.elapsed_ms));
    row(
        "truth",
        r.truth
            .as_ref()
            .map_or_else(|| "not labelled".into(), |t| t.words()),
    );
    let rows = |ms: &[RunMatch]| -> Vec<Vec<String>> {
        ms.iter()
            .enumerate()
            .map(|(i, m)| {
                vec![
                    (i + 1).to_string(),
                    format!("{:.4}", m.score),
                    m.name.clone().unwrap_or_else(|| "-".into()),
                    m.id.clone(),
                ]
            })
            .collect()
    };
    if !r.matches.is_empty() {
        print!(
            "{}",
            table(&["#", "SCORE", "NAME", "ID"], &rows(&r.matches))
        );
    }
    if !r.flagged.is_empty() {
        println!("flagged (sent below min_score, not matches):");
        print!(
            "{}",
            table(&["#", "SCORE", "NAME", "ID"], &rows(&r.flagged))
        );
    }
}

fn export(runs: &[Run], format: ExportFormat, output: Option<&Path>) -> Result<(), String> {
    let bytes = match format {
        ExportFormat::Json => export::to_json(runs)?,
        ExportFormat::Csv => export::to_csv(runs)?,
    };
    match output {
        Some(path) => {
            std::fs::write(path, &bytes)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            eprintln!(
                "liveface: {} runs written to {}",
                runs.len(),
                path.display()
            );
            Ok(())
        }
        None => std::io::stdout()
            .write_all(&bytes)
            .map_err(|e| format!("cannot write the export: {e}")),
    }
}

fn prune(
    store: &HistoryStore,
    runs: &[Run],
    keep: Option<usize>,
    before: Option<&str>,
    yes: bool,
) -> Result<(), String> {
    let rule = PruneRule::parse(keep, before)?;
    let removed = runs.len() - rule.kept(runs.to_vec()).len();
    if removed == 0 {
        println!("nothing to prune: {} runs kept", runs.len());
        return Ok(());
    }
    if !yes {
        confirm(&format!(
            "remove {removed} of {} runs from {}?",
            runs.len(),
            store.path().display()
        ))?;
    }
    // The rule is applied again to the history as it is under the lock: runs another
    // dashboard added while the question was open are judged by it too, never lost.
    let (removed, kept) = store
        .edit(|loaded| {
            let before = loaded.runs.len();
            let kept = rule.kept(loaded.runs);
            let counts = (before - kept.len(), kept.len());
            (Some(kept), counts)
        })
        .map_err(|e| format!("cannot rewrite {}: {e}", store.path().display()))?;
    println!("removed {removed} runs; {kept} kept");
    Ok(())
}

/// What `history prune` keeps: the newest N runs, or the runs from a day on.
enum PruneRule {
    Keep(usize),
    Since(DateTime<Utc>),
}

impl PruneRule {
    fn parse(keep: Option<usize>, before: Option<&str>) -> Result<PruneRule, String> {
        match (keep, before) {
            (Some(n), _) => Ok(PruneRule::Keep(n)),
            (None, Some(day)) => {
                let date = NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
                    .map_err(|_| format!("--before must be a date as YYYY-MM-DD (got {day:?})"))?;
                let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
                let cut = Local
                    .from_local_datetime(&midnight)
                    .earliest()
                    .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc));
                Ok(PruneRule::Since(cut))
            }
            (None, None) => Err("say what to prune: --keep N or --before DATE".into()),
        }
    }

    /// The runs kept, in file order.
    fn kept(&self, mut runs: Vec<Run>) -> Vec<Run> {
        match self {
            PruneRule::Keep(n) => runs.split_off(runs.len().saturating_sub(*n)),
            PruneRule::Since(cut) => runs.into_iter().filter(|r| r.time >= *cut).collect(),
        }
    }
}

/// Writes run `r`'s request body beside (`probe-N.json`) and prints the curl command.
fn curl(r: &Run, dir: Option<&Path>, max_side: u32) -> Result<(), String> {
    let probe = crate::probe::prepare(&r.probe.path, max_side).map_err(|e| e.to_string())?;
    if ProbeStamp::of(&r.probe.path).ok().as_ref() != Some(&r.probe) {
        report(&format!(
            "warning: {} changed since run #{}: the request uses the file as it is now",
            r.probe.path.display(),
            r.id
        ));
    }
    let dir = dir.map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let body_path = dir.join(format!("probe-{}.json", r.id));
    std::fs::write(&body_path, search_body(&probe.base64, &r.params))
        .map_err(|e| format!("cannot write {}: {e}", body_path.display()))?;
    let (base, token) = base_url_of(r);
    println!("{}", curl_command(&base, &body_path, token));
    Ok(())
}

/// The base URL a run went to, from its back-end key (`URL#fingerprint`); the
/// embedded sandbox has no fixed address, so its runs get `sandbox serve`'s default.
fn base_url_of(r: &Run) -> (String, TokenRef) {
    match base_url_of_key(r.backend_key.as_deref()) {
        Some(url) => (url.to_owned(), TokenRef::Env),
        None => {
            report(
                &"note: this run went to the embedded sandbox, which has no fixed address: \
                 start `liveface sandbox serve` (http://127.0.0.1:8787) to run the command",
            );
            ("http://127.0.0.1:8787".into(), TokenRef::EnvOrAny)
        }
    }
}
