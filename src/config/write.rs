//! Writing `config.toml` (`liveface profiles add`): a profile created or updated with
//! `toml_edit`, so the user's comments and layout stay; written atomically (a temporary
//! file in the same directory, created 0600, synced, renamed over the old one), with the
//! old file's mode kept, and never a token in a file other users can read.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use toml_edit::{value, DocumentMut, Item, Table};

use super::file::{FileConfig, SANDBOX_PROFILE};

/// What `profiles add` sets in `[profiles.NAME]`; `None` leaves a key as it is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProfileEdit {
    pub name: String,
    pub base_url: String,
    /// Stored in the file (replaces a `token_command`).
    pub token: Option<String>,
    /// Stored instead of a token (replaces a `token`).
    pub token_command: Option<String>,
    pub min_score: Option<f64>,
    pub liveness_min_score: Option<f64>,
    pub search_mode: Option<String>,
    pub collection_id: Option<String>,
    pub timeout_secs: Option<i64>,
    /// `--allow-insecure`: plain `http://` to a host other than loopback, recorded in the
    /// profile (`allow_insecure = true`).
    pub allow_insecure: bool,
}

/// What [`add_profile`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub path: PathBuf,
    /// The file did not exist before.
    pub created: bool,
    /// The profile existed and was updated.
    pub updated: bool,
    /// The file was readable by others and now holds a token: its mode was narrowed to
    /// 0600 (the words say so).
    pub mode_fixed: Option<String>,
}

/// Creates or updates profile `edit.name` in the config file at `path`.
///
/// # Errors
/// Plain words, and the file untouched, when: the name is not `[A-Za-z0-9_-]+` or is the
/// built-in `sandbox`; the existing file cannot be read or is not valid TOML; the result
/// would not be a valid config (a bad threshold, URL or search mode); the file cannot be
/// written. A token's value never appears in an error.
pub fn add_profile(path: &Path, edit: &ProfileEdit) -> Result<Written, String> {
    check_name(&edit.name)?;
    let old = match crate::filetype::read_regular_to_string(path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let mut doc: DocumentMut =
        old.as_deref()
            .unwrap_or("")
            .parse()
            .map_err(|e: toml_edit::TomlError| {
                format!("{} is not valid TOML: {}", path.display(), e.message())
            })?;
    if !doc.contains_key("profiles") {
        let mut t = Table::new();
        t.set_implicit(true);
        doc.insert("profiles", Item::Table(t));
    }
    let profiles = doc["profiles"]
        .as_table_mut()
        .ok_or_else(|| format!("{}: `profiles` is not a table", path.display()))?;
    let updated = profiles.contains_key(&edit.name);
    if !updated {
        profiles.insert(&edit.name, Item::Table(Table::new()));
    }
    let p = profiles[edit.name.as_str()]
        .as_table_mut()
        .ok_or_else(|| format!("{}: profiles.{} is not a table", path.display(), edit.name))?;
    p["base_url"] = value(edit.base_url.trim());
    if let Some(t) = &edit.token {
        p["token"] = value(t.trim());
        p.remove("token_command");
    }
    if let Some(c) = &edit.token_command {
        p["token_command"] = value(c.as_str());
        p.remove("token");
    }
    if let Some(v) = edit.min_score {
        p["min_score"] = value(v);
    }
    if let Some(v) = edit.liveness_min_score {
        p["liveness_min_score"] = value(v);
    }
    if let Some(v) = &edit.search_mode {
        p["search_mode"] = value(v.as_str());
    }
    if let Some(v) = &edit.collection_id {
        p["collection_id"] = value(v.as_str());
    }
    if let Some(v) = edit.timeout_secs {
        p["timeout_secs"] = value(v);
    }
    if edit.allow_insecure {
        p["allow_insecure"] = value(true);
    }
    let text = doc.to_string();
    let holds_token = check_result(&text, &edit.name)?;
    // A symlinked config (dotfiles kept elsewhere) is updated where it points, and the
    // link stays a link.
    let target = match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => fs::canonicalize(path)
            .map_err(|e| format!("cannot follow the link {}: {e}", path.display()))?,
        _ => path.to_path_buf(),
    };
    let (mode, mode_fixed) = mode_for(&target, old.is_some(), holds_token);
    write_atomic(&target, text.as_bytes(), mode)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(Written {
        path: path.to_path_buf(),
        created: old.is_none(),
        updated,
        mode_fixed,
    })
}

fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "a profile name is letters, digits, - and _ only (got {:?})",
            crate::printable::printable(name)
        ));
    }
    if name == SANDBOX_PROFILE {
        return Err("`sandbox` is built in (the embedded sandbox); choose another name".into());
    }
    Ok(())
}

/// The edited file must still be a config liveface accepts, and the profile must
/// resolve; returns whether the file holds a token. Errors never quote a token.
fn check_result(text: &str, name: &str) -> Result<bool, String> {
    let file: FileConfig = toml::from_str(text)
        .map_err(|e| format!("the result would be invalid: {}", e.message()))?;
    let p = &file.profiles[name];
    if let Some(url) = &p.base_url {
        super::check_url(
            url,
            p.allow_insecure.or(file.allow_insecure).unwrap_or(false),
        )?;
    }
    for (field, v) in [
        ("min_score", p.min_score),
        ("liveness_min_score", p.liveness_min_score),
    ] {
        if let Some(v) = v {
            crate::api::model::validate_threshold(field, v)?;
        }
    }
    if let Some(m) = &p.search_mode {
        crate::api::model::SearchMode::parse(m)
            .ok_or_else(|| format!("search_mode must be FAST or ACCURATE (got {m:?})"))?;
    }
    if let Some(t) = &p.token {
        crate::api::Token::parse(t).map_err(|_| {
            "the token is not valid (it must be one line of printable ASCII)".to_owned()
        })?;
    }
    Ok(file.token.is_some() || file.profiles.values().any(|p| p.token.is_some()))
}

/// The mode to write with: a new file 0600; an existing one keeps its mode, narrowed to
/// its owner's bits when it would hold a token readable by others (and the words say so).
#[cfg(unix)]
fn mode_for(path: &Path, exists: bool, holds_token: bool) -> (u32, Option<String>) {
    use std::os::unix::fs::PermissionsExt;
    let old = match fs::metadata(path) {
        Ok(m) if exists => m.permissions().mode() & 0o777,
        _ => return (0o600, None),
    };
    if holds_token && old & 0o077 != 0 {
        let new = old & 0o700 | 0o600;
        let words = format!(
            "{} was readable by other users (mode {old:o}) and now holds a token: its mode is now {new:o}",
            path.display()
        );
        return (new, Some(words));
    }
    (old, None)
}

#[cfg(not(unix))]
fn mode_for(_: &Path, _: bool, _: bool) -> (u32, Option<String>) {
    (0o600, None)
}

/// Writes `bytes` to a temporary file beside `path` (created with `mode`), syncs it, and
/// renames it over `path`: a reader sees the old file or the new one, never half of one.
fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config.toml".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Never readable by others, not even for a moment.
        opts.mode(0o600);
    }
    let _ = fs::remove_file(&tmp); // a leftover of a crashed run of this process id
    let result = (|| {
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(fs::Permissions::from_mode(mode))?;
        }
        #[cfg(not(unix))]
        let _ = mode;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        // The rename itself reaches the disk with the directory.
        if let Ok(d) = fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}
