//! `Ctrl-p`: the profile picker and the switch to the chosen profile. The search in
//! flight is cancelled first; the connection is made in the background
//! (`crate::tui::reconnect`); once it stands the collections and persons reload from
//! it, the status bar names it, later runs record it, and the request counters start
//! again for it. A failure keeps the current connection and says why.

use crate::config::SANDBOX_PROFILE;
use crate::tui::effect::Effect;
use crate::tui::reconnect::{ConnectTo, Connected};

use super::{App, Loading, Popup};

impl App {
    /// The picker's choices: the configured profiles, then the built-in `sandbox`.
    pub fn profile_choices(&self) -> Vec<String> {
        let mut names = self.profiles.clone();
        if !names.iter().any(|n| n == SANDBOX_PROFILE) {
            names.push(SANDBOX_PROFILE.to_owned());
        }
        names
    }

    /// `Ctrl-p`: opens the picker on the current profile, and reads the config file's
    /// profiles again (one added meanwhile with `liveface profiles add` shows up).
    pub(super) fn open_profiles(&mut self) -> Vec<Effect> {
        self.popup = Some(Popup::Profiles {
            selected: self.current_choice(),
        });
        vec![Effect::ListProfiles]
    }

    fn current_choice(&self) -> usize {
        self.profile_choices()
            .iter()
            .position(|n| Some(n) == self.profile.as_ref())
            .unwrap_or(0)
    }

    /// The profiles as the file holds them now; the open picker keeps its cursor in range.
    pub(super) fn on_profiles_listed(&mut self, result: Result<Vec<String>, String>) {
        match result {
            Ok(names) => {
                self.profiles = names;
                let last = self.profile_choices().len().saturating_sub(1);
                if let Some(Popup::Profiles { selected }) = &mut self.popup {
                    *selected = (*selected).min(last);
                }
            }
            Err(e) => self.last_error = Some(format!("profiles not re-read: {e}")),
        }
    }

    /// A key in the picker: move, choose (Enter) or close.
    pub(super) fn on_profiles_command(
        &mut self,
        selected: usize,
        cmd: crate::tui::keymap::Command,
    ) -> Vec<Effect> {
        use crate::tui::keymap::Command;
        let last = self.profile_choices().len().saturating_sub(1);
        match cmd {
            Command::Up => {
                self.popup = Some(Popup::Profiles {
                    selected: selected.saturating_sub(1),
                })
            }
            Command::Down => {
                self.popup = Some(Popup::Profiles {
                    selected: (selected + 1).min(last),
                })
            }
            Command::Enter => {
                self.popup = None;
                if let Some(name) = self.profile_choices().get(selected).cloned() {
                    return self.switch_profile(name);
                }
            }
            Command::Cancel => self.popup = None,
            _ => {}
        }
        Vec::new()
    }

    /// Cancels the search in flight, then asks for a connection as `--profile NAME`.
    pub fn switch_profile(&mut self, name: String) -> Vec<Effect> {
        let mut fx = self.cancel_search();
        self.connect_seq += 1;
        self.connecting = Some(name.clone());
        self.notice = Some(format!("connecting with profile {name} …"));
        fx.push(Effect::Connect {
            seq: self.connect_seq,
            to: ConnectTo::Profile(name),
        });
        fx
    }

    /// The answer to the newest switch (older ones are dropped, their connection with
    /// them): adopt it, or keep the current one and say why.
    pub(super) fn on_connected(
        &mut self,
        seq: u64,
        to: ConnectTo,
        result: Result<Box<Connected>, String>,
    ) -> Vec<Effect> {
        if seq != self.connect_seq {
            return Vec::new();
        }
        self.connecting = None;
        let name = to.profile().unwrap_or("?").to_owned();
        let c = match result {
            Ok(c) => c,
            Err(e) => {
                let current = self.profile.as_deref().unwrap_or("no profile");
                self.last_error = Some(format!(
                    "profile {name} not connected ({e}); still on {current} ({})",
                    self.backend_label
                ));
                return Vec::new();
            }
        };
        // A search started while connecting went to the old back end: drop its answer.
        let mut fx = self.cancel_search();
        // The face-models offer belongs to the embedded sandbox (on the pixel engine, as it
        // was when offered): on another back end an install would switch away from the
        // profile just chosen.
        if !c
            .backend_key
            .starts_with(crate::connect::EMBEDDED_KEY_PREFIX)
        {
            fx.extend(self.cancel_models_install());
            self.models = None;
        }
        let c = *c;
        self.profile = c.profile;
        self.backend_label = c.backend_label;
        self.backend_key = c.backend_key;
        self.token_masked = c.token_masked;
        self.refilter = c.refilter;
        self.billed_requests = c.billed_requests;
        self.form.set(&c.defaults);
        // The counters count this profile's requests: "saved" starts again too.
        self.counter_floor = crate::history::next_id(&self.runs);
        self.eval_saved = 0;
        // Nothing of the old back end's gallery stays on screen.
        self.persons.clear();
        // Its `seq` keeps counting, so a late page of the old list is never taken.
        self.person_list = super::PersonList {
            page: 1,
            seq: self.person_list.seq,
            ..super::PersonList::default()
        };
        self.collections.load = Loading::Idle;
        self.collections.selected = 0;
        self.collections.reselect = None;
        if matches!(self.popup, Some(Popup::Persons | Popup::Detail { .. })) {
            self.popup = None;
        }
        self.notice = Some(match c.notes.last() {
            Some(note) => format!("now on profile {name} ({}) — {note}", self.backend_label),
            None => format!("now on profile {name} ({})", self.backend_label),
        });
        fx.push(Effect::UseConnection(c.handle));
        fx.push(self.load_collections());
        fx
    }
}
