//! What `liveface eval` writes: the report (text or `--json`) on stdout, `--csv` and
//! `--plot` files, checked to be writable before anything is sent.

use std::path::{Path, PathBuf};

use super::args::EvalArgs;
use super::feedback::report;
use crate::eval::report::{to_csv, to_json, to_text, Evaluation};

/// `--csv` and `--plot` can be written (checked before anything is sent).
pub(super) fn check_outputs(args: &EvalArgs) -> Result<(), String> {
    for (path, ext) in [(&args.csv, None), (&args.plot, Some("svg"))] {
        if let Some(p) = path {
            check_output(p, ext)?;
        }
    }
    Ok(())
}

/// Prints the report (text or `--json`) and writes `--csv` and `--plot`; the exit code
/// is 1 when a file could not be written.
pub(super) fn write_outputs(args: &EvalArgs, evaluation: &Evaluation) -> i32 {
    let measures = evaluation.measures();
    if args.json {
        println!("{}", to_json(evaluation, &measures));
    } else {
        print!("{}", to_text(evaluation, &measures));
    }
    let mut code = 0;
    if let Some(path) = &args.csv {
        if let Err(e) = to_csv(evaluation).and_then(|b| write(path, &b)) {
            report(&e);
            code = 1;
        }
    }
    if let Some(path) = &args.plot {
        if let Err(e) =
            crate::eval::plot::svg(evaluation, &measures).and_then(|s| write(path, s.as_bytes()))
        {
            report(&e);
            code = 1;
        }
    }
    code
}

/// An output file must be creatable: its folder exists (checked before anything is sent).
fn check_output(path: &Path, ext: Option<&str>) -> Result<(), String> {
    if let Some(ext) = ext {
        if !path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case(ext))
        {
            return Err(format!("{} must end in .{ext}", path.display()));
        }
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(format!(
            "cannot write {}: the folder {} does not exist",
            path.display(),
            parent.display()
        ));
    }
    if path.is_dir() {
        return Err(format!("cannot write {}: it is a folder", path.display()));
    }
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
