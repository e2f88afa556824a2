//! The face models' install offer, app side: `M` starts the install (or cancels it), the
//! gauge follows its progress, and a finished install switches the embedded sandbox to
//! the face engine (the runner side is `tui/engine.rs`).

use std::path::PathBuf;
use std::time::Duration;

use super::App;
use crate::install::Source;
use crate::tui::action::{Action, SwitchedEngine};
use crate::tui::effect::Effect;

/// The offer and its install, while the embedded sandbox runs the pixel engine because
/// the face models are missing. `None` on `App` otherwise (cloud, face engine).
#[derive(Clone, Debug, PartialEq)]
pub struct ModelsInstall {
    /// Where the models go.
    pub dir: PathBuf,
    pub source: Source,
    /// Bytes of the four files.
    pub total: u64,
    pub phase: ModelsPhase,
    /// Numbers each install, so progress of a cancelled one is ignored.
    pub seq: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ModelsPhase {
    /// "M installs them".
    Offered,
    /// `done` of `total` bytes arrived, `elapsed` after the start.
    Installing { done: u64, elapsed: Duration },
    /// The models are in place; the face engine and its demo are starting.
    Switching,
}

impl ModelsInstall {
    pub fn offered(dir: PathBuf, source: Source, total: u64) -> ModelsInstall {
        ModelsInstall {
            dir,
            source,
            total,
            phase: ModelsPhase::Offered,
            seq: 0,
        }
    }

    /// Bytes per second so far, once something arrived.
    pub fn rate(&self) -> Option<f64> {
        match self.phase {
            ModelsPhase::Installing { done, elapsed } if done > 0 && !elapsed.is_zero() => {
                Some(done as f64 / elapsed.as_secs_f64())
            }
            _ => None,
        }
    }

    /// Time left at the rate so far.
    pub fn eta(&self) -> Option<Duration> {
        let ModelsPhase::Installing { done, .. } = self.phase else {
            return None;
        };
        let rate = self.rate()?;
        Some(Duration::from_secs_f64(
            self.total.saturating_sub(done) as f64 / rate,
        ))
    }

    /// True while something moves (the gauge, the engine starting).
    pub fn is_busy(&self) -> bool {
        self.phase != ModelsPhase::Offered
    }

    pub fn is_installing(&self) -> bool {
        matches!(self.phase, ModelsPhase::Installing { .. })
    }
}

impl App {
    /// The install's and the switch's actions.
    pub(super) fn on_models_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::ModelsProgress {
                seq,
                done,
                total,
                elapsed,
            } => {
                self.on_models_progress(seq, done, total, elapsed);
                Vec::new()
            }
            Action::ModelsInstalled { seq, result } => self.on_models_installed(seq, result),
            Action::EngineSwitched(result) => self.on_engine_switched(result),
            _ => Vec::new(),
        }
    }

    /// `M`: install the face models, or cancel the install that runs.
    pub(super) fn toggle_models_install(&mut self) -> Vec<Effect> {
        let Some(m) = self.models.as_mut() else {
            self.notice = Some(
                if self
                    .backend_key
                    .starts_with(crate::connect::EMBEDDED_KEY_PREFIX)
                {
                    "the embedded sandbox already runs the face engine".into()
                } else {
                    "M installs the face models for the embedded sandbox; this dashboard uses a server"
                    .into()
                },
            );
            return Vec::new();
        };
        match m.phase {
            ModelsPhase::Offered => {
                m.seq += 1;
                m.phase = ModelsPhase::Installing {
                    done: 0,
                    elapsed: Duration::ZERO,
                };
                self.notice = Some(format!(
                    "installing the face models into {} (M or Esc cancels)",
                    m.dir.display()
                ));
                vec![Effect::InstallModels {
                    seq: m.seq,
                    dir: m.dir.clone(),
                    source: m.source.clone(),
                }]
            }
            ModelsPhase::Installing { .. } => self.cancel_models_install(),
            ModelsPhase::Switching => {
                self.notice =
                    Some("the face models are installed; the face engine is starting".into());
                Vec::new()
            }
        }
    }

    /// Stops the install; nothing half-installed stays under a final name.
    pub(super) fn cancel_models_install(&mut self) -> Vec<Effect> {
        match self.models.as_mut() {
            Some(m) if m.is_installing() => {
                m.phase = ModelsPhase::Offered;
                self.notice = Some(
                    "install cancelled: nothing half-installed under a model's name (M starts it again)".into(),
                );
                vec![Effect::CancelModelsInstall]
            }
            _ => Vec::new(),
        }
    }

    pub(super) fn on_models_progress(
        &mut self,
        seq: u64,
        done: u64,
        total: u64,
        elapsed: Duration,
    ) {
        if let Some(m) = self
            .models
            .as_mut()
            .filter(|m| m.seq == seq && m.is_installing())
        {
            m.total = total;
            m.phase = ModelsPhase::Installing { done, elapsed };
        }
    }

    pub(super) fn on_models_installed(
        &mut self,
        seq: u64,
        result: Result<(), String>,
    ) -> Vec<Effect> {
        let Some(m) = self
            .models
            .as_mut()
            .filter(|m| m.seq == seq && m.is_installing())
        else {
            return Vec::new();
        };
        match result {
            Ok(()) => {
                m.phase = ModelsPhase::Switching;
                self.notice = Some(
                    "face models installed: starting the face engine and its demo gallery …".into(),
                );
                vec![Effect::SwitchToFaceEngine]
            }
            Err(e) => {
                m.phase = ModelsPhase::Offered;
                self.last_error = Some(format!("face models not installed: {e}"));
                Vec::new()
            }
        }
    }

    /// The face-engine sandbox is ready: cancel the search in flight (it went to the old
    /// one), adopt the new connection, reload what came from the old store.
    pub(super) fn on_engine_switched(
        &mut self,
        result: Result<SwitchedEngine, String>,
    ) -> Vec<Effect> {
        self.models = None;
        let s = match result {
            Ok(s) => s,
            Err(e) => {
                self.last_error = Some(format!(
                    "the face models are installed, but the face engine did not start: {e} \
                     (restart the dashboard)"
                ));
                return Vec::new();
            }
        };
        let mut fx = self.cancel_search();
        fx.push(Effect::AdoptEngine);
        self.backend_label = s.label;
        self.backend_key = s.backend_key;
        self.persons.clear();
        self.collections.reselect = None;
        fx.push(self.load_collections());
        if let Some(dir) = s.probes_dir {
            fx.push(self.open_dir(dir, None));
        }
        self.notice = Some(s.note);
        fx
    }
}
