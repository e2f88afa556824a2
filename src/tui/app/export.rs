//! The export key (`x`): the shown run (results pane) or the whole history (history
//! pane) to files the dashboard names, written by the runner.

use crate::history::export::Format as ExportFormat;
use crate::history::Run;
use crate::tui::action::Pane;
use crate::tui::effect::Effect;

use super::App;

impl App {
    /// `x`: asks the runner to write the export; the status bar says where when it is
    /// done (`Action::Exported`).
    pub(super) fn export(&mut self) -> Vec<Effect> {
        let (runs, stem, formats): (Vec<Run>, String, Vec<ExportFormat>) = match self.focus {
            Pane::Results => match self.shown_run() {
                Some(r) => (
                    vec![r.clone()],
                    format!("liveface-run-{}", r.id),
                    vec![ExportFormat::Json],
                ),
                None => {
                    self.last_error = Some("no run shown to export".into());
                    return Vec::new();
                }
            },
            _ if self.runs.is_empty() => {
                self.last_error = Some("the history is empty: nothing to export".into());
                return Vec::new();
            }
            _ => {
                let now = self.tz.local((self.clock)());
                (
                    self.runs.clone(),
                    format!("liveface-history-{}", now.format("%Y%m%d-%H%M")),
                    vec![ExportFormat::Csv, ExportFormat::Json],
                )
            }
        };
        self.notice = Some(format!("exporting {} run(s) …", runs.len()));
        vec![Effect::Export {
            runs,
            stem,
            formats,
        }]
    }

    /// The export's answer: the files written, or why not.
    pub(super) fn on_exported(&mut self, result: Result<Vec<std::path::PathBuf>, String>) {
        match result {
            Ok(paths) => {
                let names: Vec<String> = paths
                    .iter()
                    .map(|p| crate::printable::printable(&p.display().to_string()).into_owned())
                    .collect();
                self.notice = Some(format!("exported to {}", names.join(" and ")));
            }
            Err(e) => self.last_error = Some(e),
        }
    }
}
