//! Switching the dashboard to another connection, as one Effect/Action pair any feature
//! can use: `Effect::Connect { seq, to }` asks the runner to connect in the background
//! ([`connect`]); `Action::Connected { seq, to, result }` brings the new connection back
//! to the app, which adopts it (state, status bar) and hands it to the runner with
//! `Effect::UseConnection`. A failure leaves the current connection in place.
//!
//! The profile switch (`Ctrl-p`) uses it with [`ConnectTo::Profile`]; another kind of
//! target (say, a sandbox with a given engine) is one more variant and one more arm in
//! [`connect`].

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::api::client::RequestCounter;
use crate::api::model::SearchParams;
use crate::config::{Flags, Refilter};
use crate::connect::{Connection, EmbedOptions};

/// Where to connect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectTo {
    /// Exactly as `--profile NAME` would: the config resolved with that profile (`sandbox`
    /// starts an embedded sandbox).
    Profile(String),
}

impl ConnectTo {
    /// The profile the connection is made with, when it is one.
    pub fn profile(&self) -> Option<&str> {
        match self {
            ConnectTo::Profile(p) => Some(p),
        }
    }
}

/// What the runner needs to connect as the command line would: the flags liveface was
/// started with (the profile replaced per switch) and the face models' folder.
#[derive(Clone, Debug, Default)]
pub struct Reconnect {
    pub flags: Flags,
    pub models: Option<PathBuf>,
}

/// A connection made in the background, with what the app shows of it.
#[derive(Clone, Debug)]
pub struct Connected {
    /// The connection itself, for the runner (`Effect::UseConnection`).
    pub handle: ConnectionHandle,
    pub profile: Option<String>,
    /// The status bar's back-end label (`SANDBOX · …` or the host).
    pub backend_label: String,
    /// See `Connection::backend_key`.
    pub backend_key: String,
    /// `••••abcd`, never the token.
    pub token_masked: Option<String>,
    /// The profile's search defaults, for the form.
    pub defaults: SearchParams,
    pub refilter: Refilter,
    /// Requests sent by the new client (`None` for the sandbox, which is free).
    pub billed_requests: Option<RequestCounter>,
    /// Config warnings and connection notes, for the status bar.
    pub notes: Vec<String>,
}

/// A connection passed from the runner through the app back to the runner. Taken once;
/// equal only to itself (effects compare in tests).
#[derive(Clone)]
pub struct ConnectionHandle(Arc<Mutex<Option<Connection>>>);

impl ConnectionHandle {
    pub fn new(conn: Connection) -> ConnectionHandle {
        ConnectionHandle(Arc::new(Mutex::new(Some(conn))))
    }

    /// The connection, the first time; `None` after.
    pub fn take(&self) -> Option<Connection> {
        self.0.lock().ok().and_then(|mut c| c.take())
    }
}

impl PartialEq for ConnectionHandle {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for ConnectionHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ConnectionHandle")
    }
}

/// Connects to `to` (blocking parts off the runtime). The error is plain words.
///
/// # Errors
/// The config does not resolve with that profile (unknown profile, bad value), the
/// token command fails, or the embedded sandbox does not start.
pub async fn connect(to: &ConnectTo, with: &Reconnect) -> Result<Connected, String> {
    let ConnectTo::Profile(name) = to;
    let mut flags = with.flags.clone();
    flags.profile = Some(name.clone());
    // Reading the file and running a token command block.
    let config = tokio::task::spawn_blocking(move || crate::config::load(&flags))
        .await
        .map_err(|e| e.to_string())??;
    let embed = EmbedOptions {
        models: with.models.clone(),
        wait_for_engine: false,
    };
    let conn = crate::connect::connect(&config, &embed)
        .await
        .map_err(|e| e.to_string())?;
    let billed_requests = (!conn.backend.is_sandbox()).then(|| conn.client.request_counter());
    Ok(Connected {
        profile: config.profile.clone(),
        backend_label: conn.backend.label(),
        backend_key: conn.backend_key(),
        token_masked: conn.token_masked.clone(),
        defaults: config.defaults.clone(),
        refilter: config.refilter,
        billed_requests,
        notes: config.warnings.iter().chain(&conn.notes).cloned().collect(),
        handle: ConnectionHandle::new(conn),
    })
}
