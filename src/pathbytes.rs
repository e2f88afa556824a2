//! Paths in JSON without losing bytes. A file named with Latin-1 bytes (`caf\xE9.jpg`)
//! is no UTF-8 string, and serde refuses to write such a `PathBuf`; this writes a UTF-8
//! path as a plain string (as before) and any other as `{"unix_bytes": [99, 97, …]}`, and
//! reads both back to the very same path. Use with `#[serde(with = "crate::pathbytes")]`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Stored {
    Text(String),
    Bytes { unix_bytes: Vec<u8> },
}

/// Writes `path` as a string when it is UTF-8, else as its raw bytes.
///
/// # Errors
/// Only the serializer's own; on non-Unix systems a non-UTF-8 path is written lossily.
pub fn serialize<S: Serializer>(path: &Path, s: S) -> Result<S::Ok, S::Error> {
    match path.to_str() {
        Some(text) => Stored::Text(text.to_owned()).serialize(s),
        None => {
            #[cfg(unix)]
            {
                use std::os::unix::ffi::OsStrExt;
                Stored::Bytes {
                    unix_bytes: path.as_os_str().as_bytes().to_vec(),
                }
                .serialize(s)
            }
            #[cfg(not(unix))]
            {
                Stored::Text(path.to_string_lossy().into_owned()).serialize(s)
            }
        }
    }
}

/// Reads a path written by [`serialize`] (or any plain string).
///
/// # Errors
/// When the value is neither a string nor `{"unix_bytes": [...]}`.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PathBuf, D::Error> {
    Ok(match Stored::deserialize(d)? {
        Stored::Text(text) => PathBuf::from(text),
        Stored::Bytes { unix_bytes } => {
            #[cfg(unix)]
            {
                use std::os::unix::ffi::OsStringExt;
                PathBuf::from(std::ffi::OsString::from_vec(unix_bytes))
            }
            #[cfg(not(unix))]
            {
                PathBuf::from(String::from_utf8_lossy(&unix_bytes).into_owned())
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Holder {
        #[serde(with = "super")]
        path: PathBuf,
    }

    #[test]
    fn utf8_paths_stay_plain_strings() {
        let h = Holder {
            path: "/data/王小明.jpg".into(),
        };
        let text = serde_json::to_string(&h).unwrap();
        assert_eq!(text, r#"{"path":"/data/王小明.jpg"}"#);
        assert_eq!(serde_json::from_str::<Holder>(&text).unwrap(), h);
    }

    #[test]
    #[cfg(unix)]
    fn latin1_bytes_survive_a_round_trip() {
        use std::os::unix::ffi::OsStrExt;
        let raw = std::ffi::OsStr::from_bytes(b"/tmp/dir_\xFF\xFE/caf\xE9.jpg");
        let h = Holder { path: raw.into() };
        let text = serde_json::to_string(&h).unwrap();
        assert!(text.contains("unix_bytes"), "{text}");
        let back: Holder = serde_json::from_str(&text).unwrap();
        assert_eq!(back.path.as_os_str().as_bytes(), raw.as_bytes());
    }
}
