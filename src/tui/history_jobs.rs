//! What the runner does with the history file and runs off the render path (blocking,
//! on tokio's blocking pool): curl request bodies and exports.

use std::path::PathBuf;

use crate::api::curl::TokenRef;

/// Writes run `run`'s request body to `dir/probe-N.json` and returns the curl command
/// that sends it to `base` (blocking: the probe is prepared again from its file).
pub(super) fn curl_of(
    run: &crate::history::Run,
    dir: &std::path::Path,
    base: &str,
    token: TokenRef,
    max_side: u32,
) -> Result<String, String> {
    let probe = crate::probe::prepare(&run.probe.path, max_side).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let body = dir.join(format!("probe-{}.json", run.id));
    std::fs::write(
        &body,
        crate::api::client::search_body(&probe.base64, &run.params),
    )
    .map_err(|e| format!("cannot write {}: {e}", body.display()))?;
    Ok(crate::api::curl::curl_command(base, &body, token))
}

/// Writes `runs` once per format to new files in `dir` (blocking); the paths written.
pub(super) fn export_runs(
    dir: &std::path::Path,
    runs: &[crate::history::Run],
    stem: &str,
    formats: &[crate::history::export::Format],
) -> Result<Vec<PathBuf>, String> {
    use crate::history::export::write_new;
    formats
        .iter()
        .map(|f| {
            let bytes = f.render(runs)?;
            write_new(dir, stem, f.ext(), &bytes).map_err(|e| {
                format!(
                    "export not written: cannot create {stem}.{} in {}: {e}",
                    f.ext(),
                    dir.display()
                )
            })
        })
        .collect()
}
