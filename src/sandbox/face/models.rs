//! The four model files: where they live, their pinned SHA-256s, and whether a
//! directory holds all of them intact (what `liveface models status` prints).

use std::fmt;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Environment variable naming the models directory (below `--models`, above the default).
pub const ENV_MODELS: &str = "LIVEFACE_MODELS";

/// One model file the face engine needs, pinned by content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelFile {
    pub name: &'static str,
    /// What the model does, for status output.
    pub job: &'static str,
    /// Lower-case hex SHA-256 of the exact file that was verified against reference outputs.
    pub sha256: &'static str,
    /// Size in bytes.
    pub size: u64,
    /// The commit-pinned upstream URL `liveface models install` downloads it from.
    pub url: &'static str,
    /// The upstream project and path, in words.
    pub source: &'static str,
    pub licence: &'static str,
}

impl ModelFile {
    /// The file as the installer sees it.
    pub fn pinned(&self) -> crate::install::PinnedFile {
        crate::install::PinnedFile {
            name: self.name,
            url: self.url,
            size: self.size,
            sha256: self.sha256,
        }
    }
}

pub const YUNET: ModelFile = ModelFile {
    name: "yunet_s_640_640.onnx",
    job: "face detector (YuNet)",
    sha256: "8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4",
    size: 232_589,
    url: "https://raw.githubusercontent.com/ShiqiYu/libfacedetection.train/0047ac24afb1a50a0c6105001c89d1b5b805dbf1/onnx/yunet_s_640_640.onnx",
    source: "ShiqiYu/libfacedetection.train onnx/yunet_s_640_640.onnx",
    licence: "Apache-2.0",
};
pub const MINIFASNET_V2: ModelFile = ModelFile {
    name: "minifasnet_v2_2.7_80x80.onnx",
    job: "liveness, crop scale 2.7 (MiniFASNetV2)",
    sha256: "7886c41bcbcc1be00cf8700eddbd8cbd4b1ad138e69010790de2a57a3b01d7e5",
    size: 1_743_495,
    url: "https://raw.githubusercontent.com/PragatheeshP/Facial_recognition_Attendance_System-with-SCRFD-MobileFaceNet-MiniFASNet/e8fb986504d07c121ebed35340e9fc1fe43dec2b/resources/anti_spoof_models/2.7_80x80_MiniFASNetV2.onnx",
    source: "ONNX conversion of minivision-ai/Silent-Face-Anti-Spoofing 2.7_80x80_MiniFASNetV2",
    licence: "Apache-2.0",
};
pub const MINIFASNET_V1SE: ModelFile = ModelFile {
    name: "minifasnet_v1se_4.0_80x80.onnx",
    job: "liveness, crop scale 4.0 (MiniFASNetV1SE)",
    sha256: "e67aedf72df3e1912dbf6baa5f7406b8b30c3cb43234170a70dd9d143fea358e",
    size: 1_742_663,
    url: "https://raw.githubusercontent.com/PragatheeshP/Facial_recognition_Attendance_System-with-SCRFD-MobileFaceNet-MiniFASNet/e8fb986504d07c121ebed35340e9fc1fe43dec2b/resources/anti_spoof_models/4_0_0_80x80_MiniFASNetV1SE.onnx",
    source: "ONNX conversion of minivision-ai/Silent-Face-Anti-Spoofing 4_0_0_80x80_MiniFASNetV1SE",
    licence: "Apache-2.0",
};
pub const MOBILEFACENET: ModelFile = ModelFile {
    name: "mobilefacenet_128.onnx",
    job: "face embedding, 128-d (MobileFaceNet)",
    sha256: "b7120c095d60094f28a4a54ba6a8bf51b297a6273fb40ef6350dfec1f63d9507",
    size: 3_998_070,
    url: "https://raw.githubusercontent.com/foamliu/MobileFaceNet/a6cc9032a659b615f477833e1a70b5e7931bcccc/weights/MobileFaceNet.onnx",
    source: "foamliu/MobileFaceNet weights/MobileFaceNet.onnx",
    licence: "Apache-2.0 (code; trained on MS-Celeb-1M, a withdrawn research data set)",
};

/// Every file the face engine needs, in load order.
pub const ALL: [ModelFile; 4] = [YUNET, MINIFASNET_V2, MINIFASNET_V1SE, MOBILEFACENET];

/// [`ALL`] as the installer sees them.
pub fn pinned_all() -> Vec<crate::install::PinnedFile> {
    ALL.iter().map(ModelFile::pinned).collect()
}

/// Why the face engine could not be loaded. Every variant names the file and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("model file {} is missing", path.display())]
    Missing { path: PathBuf },
    #[error("model file {} cannot be read: {reason}", path.display())]
    Unreadable { path: PathBuf, reason: String },
    #[error(
        "model file {} has the wrong SHA-256 (expected {expected}, found {found}): \
         corrupt, truncated or a different model",
        path.display()
    )]
    WrongHash {
        path: PathBuf,
        expected: &'static str,
        found: String,
    },
    #[error("model file {} could not be loaded by the inference engine: {reason}", path.display())]
    Invalid { path: PathBuf, reason: String },
}

/// The models directory: `--models` flag, else `LIVEFACE_MODELS`, else `<data dir>/liveface/models`.
pub fn resolve_dir(flag: Option<PathBuf>) -> PathBuf {
    resolve_dir_with(flag, &|k| std::env::var_os(k).map(PathBuf::from))
}

/// [`resolve_dir`] with an injectable environment, for tests.
pub fn resolve_dir_with(flag: Option<PathBuf>, env: &dyn Fn(&str) -> Option<PathBuf>) -> PathBuf {
    flag.filter(|p| !p.as_os_str().is_empty())
        .or_else(|| env(ENV_MODELS).filter(|p| !p.as_os_str().is_empty()))
        .unwrap_or_else(|| crate::config::data_dir().join("models"))
}

/// Reads a model file and checks it against its pinned hash; returns the verified bytes
/// (so what is loaded is exactly what was checked).
pub fn read_verified(dir: &Path, file: ModelFile) -> Result<Vec<u8>, ModelError> {
    let path = dir.join(file.name);
    let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
        ErrorKind::NotFound => ModelError::Missing { path: path.clone() },
        _ => ModelError::Unreadable {
            path: path.clone(),
            reason: e.to_string(),
        },
    })?;
    let found = sha256_hex(&bytes);
    if found != file.sha256 {
        return Err(ModelError::WrongHash {
            path,
            expected: file.sha256,
            found,
        });
    }
    Ok(bytes)
}

/// Lower-case hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The state of one model file in a directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileState {
    Verified,
    Missing,
    WrongHash { found: String },
    Unreadable(String),
}

/// What a models directory holds, file by file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelsStatus {
    pub dir: PathBuf,
    pub files: Vec<(ModelFile, FileState)>,
}

impl ModelsStatus {
    /// True when all four files are present and verified, so the face engine can run.
    pub fn ready(&self) -> bool {
        self.files.iter().all(|(_, s)| *s == FileState::Verified)
    }
}

/// Checks every model file in `dir` (reads and hashes them: about 8 MB).
pub fn status(dir: &Path) -> ModelsStatus {
    let files = ALL
        .iter()
        .map(|&file| {
            let state = match read_verified(dir, file) {
                Ok(_) => FileState::Verified,
                Err(ModelError::Missing { .. }) => FileState::Missing,
                Err(ModelError::WrongHash { found, .. }) => FileState::WrongHash { found },
                Err(e) => FileState::Unreadable(e.to_string()),
            };
            (file, state)
        })
        .collect();
    ModelsStatus {
        dir: dir.to_path_buf(),
        files,
    }
}

impl fmt::Display for ModelsStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "models directory: {}", self.dir.display())?;
        for (file, state) in &self.files {
            let word = match state {
                FileState::Verified => "present, verified".to_string(),
                FileState::Missing => "MISSING".to_string(),
                FileState::WrongHash { found } => {
                    format!("WRONG HASH (found {found}, expected {})", file.sha256)
                }
                FileState::Unreadable(reason) => format!("UNREADABLE ({reason})"),
            };
            writeln!(f, "  {:<32} {:<42} {word}", file.name, file.job)?;
        }
        if self.ready() {
            write!(
                f,
                "engine: face models (all {} files present and verified)",
                self.files.len()
            )
        } else {
            let bad = self
                .files
                .iter()
                .filter(|(_, s)| *s != FileState::Verified)
                .count();
            write!(
                f,
                "engine: pixel fallback ({bad} of {} model files missing or invalid; \
                 run `liveface models install`, or put the verified files in this directory, \
                 or point --models / {ENV_MODELS} at them)",
                self.files.len()
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_beats_env_beats_default() {
        let env = |k: &str| (k == ENV_MODELS).then(|| PathBuf::from("/from/env"));
        let none = |_: &str| None;
        assert_eq!(
            resolve_dir_with(Some("/from/flag".into()), &env),
            PathBuf::from("/from/flag")
        );
        assert_eq!(resolve_dir_with(None, &env), PathBuf::from("/from/env"));
        assert_eq!(
            resolve_dir_with(None, &none),
            crate::config::data_dir().join("models")
        );
        // An empty value counts as "not given".
        let empty = |_: &str| Some(PathBuf::new());
        assert_eq!(
            resolve_dir_with(Some(PathBuf::new()), &empty),
            crate::config::data_dir().join("models")
        );
    }

    #[test]
    fn hashes_are_pinned_lowercase_hex() {
        for f in ALL {
            assert_eq!(f.sha256.len(), 64, "{}", f.name);
            assert!(f
                .sha256
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        }
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn status_reports_missing_and_wrong_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(YUNET.name), b"not a model").unwrap();
        let st = status(dir.path());
        assert!(!st.ready());
        assert!(matches!(st.files[0].1, FileState::WrongHash { .. }));
        assert_eq!(st.files[1].1, FileState::Missing);
        let text = st.to_string();
        assert!(text.contains("WRONG HASH"), "{text}");
        assert!(text.contains("MISSING"), "{text}");
        assert!(text.contains("pixel fallback"), "{text}");
        assert!(matches!(
            read_verified(dir.path(), MOBILEFACENET),
            Err(ModelError::Missing { .. })
        ));
    }
}
