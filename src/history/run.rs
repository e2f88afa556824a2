//! What one run records: its probe, parameters, outcome and matches.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::api::model::SearchParams;
use crate::face_region::FaceRegion;

/// Identifies the exact file a probe came from: same path, same size, same mtime.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProbeStamp {
    /// The real path, bytes and all (a non-UTF-8 name is stored as its bytes).
    #[serde(with = "crate::pathbytes")]
    pub path: PathBuf,
    pub size: u64,
    /// Modification time in milliseconds since the Unix epoch, when the OS gives one.
    #[serde(default)]
    pub mtime_ms: Option<i64>,
}

impl ProbeStamp {
    /// Stamps a file as it is on disk now.
    pub fn of(path: &Path) -> io::Result<ProbeStamp> {
        Ok(ProbeStamp::from_meta(path, &fs::metadata(path)?))
    }

    /// Stamps a file from metadata already read.
    pub fn from_meta(path: &Path, meta: &fs::Metadata) -> ProbeStamp {
        ProbeStamp::from_parts(path, meta.modified().ok(), meta.len())
    }

    pub fn from_parts(path: &Path, mtime: Option<SystemTime>, size: u64) -> ProbeStamp {
        let mtime_ms = mtime
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_millis() as i64);
        ProbeStamp {
            path: path.to_path_buf(),
            size,
            mtime_ms,
        }
    }
}

/// One match as history keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunMatch {
    pub id: String,
    pub score: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RunOutcome {
    Ok,
    LivenessFailed { score: Option<f64> },
    Error { message: String },
    Cancelled,
}

impl RunOutcome {
    pub fn label(&self) -> String {
        match self {
            RunOutcome::Ok => "ok".into(),
            RunOutcome::LivenessFailed { score: Some(s) } => format!("liveness failed {s:.2}"),
            RunOutcome::LivenessFailed { score: None } => "liveness failed".into(),
            RunOutcome::Error { message } => format!("error: {message}"),
            RunOutcome::Cancelled => "cancelled".into(),
        }
    }
}

/// What the user says a run's probe really was. Runs of everyday work labelled this way
/// form a labelled set of their own (`liveface eval --history`), with the truths of
/// ISO/IEC 19795-1's mated and non-mated searches and ISO/IEC 30107-3's attacks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "truth", rename_all = "snake_case")]
pub enum Truth {
    /// An enrolled person, by id: a mated search.
    Enrolled { expected: String },
    /// Someone not enrolled: a non-mated search.
    NotEnrolled,
    /// A presentation attack (a printed photo, a screen, a mask).
    Attack,
}

impl Truth {
    /// Short words for tables: `enrolled ID`, `not enrolled`, `attack`.
    pub fn words(&self) -> String {
        match self {
            Truth::Enrolled { expected } => format!("enrolled {expected}"),
            Truth::NotEnrolled => "not enrolled".into(),
            Truth::Attack => "attack".into(),
        }
    }
}

/// One search, as run (or re-filtered locally from an earlier run).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// Unique and increasing across sessions and processes (see [`RunIds`]).
    pub id: u64,
    pub time: DateTime<Utc>,
    pub probe: ProbeStamp,
    pub params: SearchParams,
    /// Where the request went (`SANDBOX · …` or the API host).
    pub backend: String,
    /// The config profile the run was made with, when one was in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Which back end answered, exactly: base URL and token fingerprint (never the
    /// token), or the embedded sandbox and its engine. Only a run with the same key may
    /// answer a query locally; runs saved before it existed have none and never do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_key: Option<String>,
    #[serde(default)]
    pub liveness_score: Option<f64>,
    /// Matches at or above the run's `min_score`, best first.
    #[serde(default)]
    pub matches: Vec<RunMatch>,
    /// Hits the server sent below `min_score` anyway: shown flagged, never as matches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flagged: Vec<RunMatch>,
    /// The server's scores were on 0–100 and were divided by 100.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub percent_scale: bool,
    pub elapsed_ms: u64,
    pub outcome: RunOutcome,
    /// Set when no request was sent: the matches were filtered from this run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refiltered_from: Option<u64>,
    /// Where the searched face is in the probe, when the server said (the sandbox does).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::face_region::deserialize_lenient"
    )]
    pub face: Option<FaceRegion>,
    /// The truth of the probe, when the user labelled the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truth: Option<Truth>,
}

impl Run {
    pub fn top_score(&self) -> Option<f64> {
        self.matches.iter().map(|m| m.score).reduce(f64::max)
    }

    pub fn probe_name(&self) -> String {
        self.probe
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.probe.path.display().to_string())
    }
}
