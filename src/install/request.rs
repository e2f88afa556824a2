//! What an install is asked to do (the source, the flag that names it) and what it
//! reports, while it runs and at the end.

use std::path::PathBuf;

use super::pinned::PinnedFile;

/// Where the files come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// Each file's own pinned upstream URL.
    Upstream,
    /// A local directory holding the same file names (an offline or air-gapped copy).
    Dir(PathBuf),
    /// An `http(s)://` base URL under which the same file names are found (a mirror).
    Mirror(String),
}

impl Source {
    /// `http://…` or `https://…` is a mirror; anything else is a local directory.
    pub fn parse(text: &str) -> Source {
        let t = text.trim();
        let lower = t.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Source::Mirror(t.trim_end_matches('/').to_owned())
        } else {
            Source::Dir(PathBuf::from(t))
        }
    }

    /// `None` → [`Source::Upstream`].
    pub fn from_option(text: Option<&str>) -> Source {
        text.filter(|t| !t.trim().is_empty())
            .map(Source::parse)
            .unwrap_or(Source::Upstream)
    }

    /// In words, for messages and the JSON summary.
    pub fn describe(&self) -> String {
        match self {
            Source::Upstream => "the pinned upstream URLs".into(),
            Source::Dir(d) => d.display().to_string(),
            Source::Mirror(u) => u.clone(),
        }
    }
}

/// What an install reports while it works (for progress bars and the dashboard's gauge).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// The file was already there with the pinned hash: nothing to do.
    Skipped { file: &'a PinnedFile },
    /// The transfer of a file starts.
    Started { file: &'a PinnedFile },
    /// `done` bytes of the file have arrived (of `file.size`).
    Progress { file: &'a PinnedFile, done: u64 },
    /// The file is verified and in place.
    Installed { file: &'a PinnedFile },
}

/// What happened to one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileOutcome {
    AlreadyVerified,
    Installed,
}

/// The result of a successful install, file by file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstallReport {
    pub dir: PathBuf,
    pub files: Vec<(PinnedFile, FileOutcome)>,
}

/// How an install runs.
#[derive(Clone, Debug)]
pub struct InstallOptions {
    pub source: Source,
    /// The flag that picks another source, named in messages (`--from`, `--pack-from`).
    pub from_flag: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_parse_by_scheme() {
        assert_eq!(
            Source::parse("https://mirror.example/models/"),
            Source::Mirror("https://mirror.example/models".into())
        );
        assert_eq!(
            Source::parse("HTTP://127.0.0.1:9/x"),
            Source::Mirror("HTTP://127.0.0.1:9/x".into())
        );
        assert_eq!(
            Source::parse("/srv/models"),
            Source::Dir("/srv/models".into())
        );
        assert_eq!(Source::from_option(Some("  ")), Source::Upstream);
        assert_eq!(Source::from_option(None), Source::Upstream);
    }
}
