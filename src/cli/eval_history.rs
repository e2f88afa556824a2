//! `liveface eval --history`: the runs labelled in the history, evaluated as a set with
//! no request (see `crate::eval::from_history`).

use super::args::{EvalArgs, GlobalArgs};
use super::eval_output::{check_outputs, write_outputs};
use super::{report, EXIT_BAD_INPUT};
use crate::eval::from_history::{evaluate, Selection};
use crate::history::HistoryStore;

/// Runs `eval --history`; returns the exit code (0, 1 when an output file could not be
/// written, 2 for bad input or no labelled run to evaluate).
pub fn run(global: &GlobalArgs, args: &EvalArgs) -> i32 {
    match prepare(global, args) {
        Ok(code) => code,
        Err(e) => {
            report(&e);
            EXIT_BAD_INPUT
        }
    }
}

fn prepare(global: &GlobalArgs, args: &EvalArgs) -> Result<i32, String> {
    // The configuration gives the thresholds the report shows and checks the flags as
    // `eval SET` does; nothing is connected.
    let flags = crate::config::Flags {
        os: args.os.clone(),
        search_mode: args.search_mode.clone(),
        collection_id: args.collection.clone(),
        ..global.flags()
    };
    let config = crate::config::load(&flags)?;
    check_outputs(args)?;
    // The back end this configuration would use (no request, no sandbox started): the
    // thresholds are chosen for it.
    let backend_key = crate::connect::expected_backend_key(&config, global.models.clone())?;
    let selection = Selection {
        backend_key: Some(backend_key),
        // A flag picks the runs; without one, the newest labelled run's value does.
        os: args.os.is_some().then_some(config.defaults.os),
        search_mode: args
            .search_mode
            .is_some()
            .then_some(config.defaults.search_mode),
        collection: args
            .collection
            .is_some()
            .then(|| config.defaults.collection_id.clone()),
    };
    let path = crate::config::history_path();
    let loaded = HistoryStore::new(&path)
        .load()
        .map_err(|e| format!("cannot read the history {}: {e}", path.display()))?;
    for w in &loaded.warnings {
        report(&format!("warning: {w}"));
    }
    let current = (
        config.defaults.min_score,
        config.defaults.liveness_min_score,
    );
    let chosen = evaluate(&loaded.runs, &path, &selection, current)?;
    for line in &chosen.left_out {
        eprintln!("liveface: {line}");
    }
    Ok(write_outputs(args, &chosen.evaluation))
}
