//! The sandbox's durable state: SQLite (WAL, `synchronous=FULL`) for persons,
//! collections, enrolled faces (thumbnail + vector + engine id), and the in-memory
//! [`VectorIndex`] rebuilt from it at startup.
//!
//! Every write is one transaction committed before the caller answers, so an
//! answered write survives `kill -9`. The index is updated under the same lock as
//! the database, so the two never disagree.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

use rusqlite::Connection;

mod collections;
mod persons;
mod rows;
mod schema;
mod vectors;

use super::index::VectorIndex;
pub use vectors::{InTransaction, WriteCheck};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage error: {0}")]
    Sql(rusqlite::Error),
    /// The database file or its directory is no longer the one opened (deleted,
    /// moved or replaced while the server ran): a write would be lost.
    #[error("store_unavailable: {0}")]
    Gone(String),
    /// SQLite refuses writes (read-only file, directory or file system).
    #[error("store_read_only: {0}")]
    ReadOnly(String),
    /// The disk (or quota) is full.
    #[error("store_full: {0}")]
    Full(String),
    #[error("cannot create the data directory {0}")]
    Dir(String),
    /// The store holds vectors of another engine.
    #[error("engine_mismatch: this store holds vectors of {stored}")]
    EngineMismatch { stored: String },
    #[error("storage error: {0}")]
    Other(String),
    /// A person with the same name and date of birth shares a collection.
    #[error("person_already_set")]
    DuplicatePerson(Box<PersonRow>),
    /// A face in the collection scores at least the threshold against a new one.
    #[error("duplicated_person")]
    DuplicateFace { person: String, score: f64 },
}

impl From<rusqlite::Error> for StoreError {
    /// Read-only and full stores are named: they are the user's to fix, not a bug.
    fn from(e: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly(format!(
                "the store cannot be written ({e}); check the permissions of the data directory and its file system"
            )),
            Some(ErrorCode::DiskFull) => {
                StoreError::Full(format!("the disk holding the store is full ({e})"))
            }
            _ => StoreError::Sql(e),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CollectionRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ThumbRow {
    pub id: String,
    pub jpeg: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub gender: Option<String>,
    pub date_of_birth: Option<String>,
    pub nationality: Option<String>,
    pub notes: Option<String>,
    pub status: String,
    pub collections: Vec<CollectionRow>,
    pub thumbnails: Vec<ThumbRow>,
    pub created_at: String,
    pub updated_at: String,
}

/// One enrolled image, analysed.
#[derive(Clone, Debug)]
pub struct FaceInput {
    pub thumbnail: Vec<u8>,
    pub vector: Vec<f32>,
}

#[derive(Clone, Debug, Default)]
pub struct PersonFields {
    pub name: Option<String>,
    pub gender: Option<String>,
    pub date_of_birth: Option<String>,
    pub nationality: Option<String>,
    pub notes: Option<String>,
    /// Collection `_id`s (already resolved).
    pub collections: Option<Vec<String>>,
    /// Replaces every enrolled face when set.
    pub faces: Option<Vec<FaceInput>>,
}

/// What a person list asks for.
#[derive(Clone, Debug)]
pub struct ListQuery<'a> {
    pub page: u64,
    pub limit: u64,
    pub collection: Option<&'a str>,
    pub status: Option<&'a str>,
}

pub struct Store {
    db: Mutex<Connection>,
    index: RwLock<VectorIndex>,
    /// The files opened, as they were then: checked before every operation.
    files: Vec<(PathBuf, FileId)>,
}
/// Which file a path named when the store opened it (device and inode on Unix).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileId(u64, u64);

impl FileId {
    fn of(path: &Path) -> std::io::Result<FileId> {
        let meta = std::fs::metadata(path)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Ok(FileId(meta.dev(), meta.ino()))
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            Ok(FileId(0, 0))
        }
    }
}

/// The database file inside a data directory.
pub const DB_FILE: &str = "sandbox.sqlite3";

/// Mongo-like 24-hex id: 8 hex of seconds, 16 random hex.
pub fn new_object_id() -> String {
    let secs = chrono::Utc::now().timestamp() as u32;
    let random = uuid::Uuid::new_v4().as_u128() as u64;
    format!("{secs:08x}{random:016x}")
}

/// `2023-09-29T21:38:59.306976Z`: microseconds, UTC.
pub fn now_iso() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::SearchMode;

    fn face(v: &[f32]) -> FaceInput {
        FaceInput {
            thumbnail: vec![1, 2, 3],
            vector: v.to_vec(),
        }
    }

    #[test]
    fn persons_collections_and_vectors_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let c = store.create_collection("Staff", Some("s")).unwrap();
        let p = store
            .create_person(
                PersonFields {
                    name: Some("Ana".into()),
                    date_of_birth: Some("1990-01-02".into()),
                    collections: Some(vec![c.id.clone()]),
                    faces: Some(vec![face(&[1.0, 0.0])]),
                    ..PersonFields::default()
                },
                "pixel-v1",
            )
            .unwrap();
        assert_eq!(p.id.len(), 24);
        assert_eq!(p.collections[0].code, c.code);
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.vector_count(), 1);
        let hits = store
            .search(&[1.0, 0.0], SearchMode::Accurate, 10, Some(&c.id))
            .unwrap();
        assert_eq!(hits[0].person.as_ref(), p.id);
        assert!(store
            .find_duplicate("ana", "1990-01-02", std::slice::from_ref(&c.id), None)
            .unwrap()
            .is_some());
        assert!(matches!(
            store.check_engine("face-v1"),
            Err(StoreError::EngineMismatch { .. })
        ));
        let other = PersonFields {
            name: Some("Bo".into()),
            faces: Some(vec![face(&[0.0, 1.0])]),
            ..PersonFields::default()
        };
        assert!(matches!(
            store.create_person(other, "face-v1"),
            Err(StoreError::EngineMismatch { .. })
        ));
        assert_eq!(
            store.counts().unwrap().0,
            1,
            "the refused person was rolled back"
        );
        assert!(store.delete_person(&p.id).unwrap());
        assert_eq!(store.vector_count(), 0);
        assert!(
            store.check_engine("face-v1").is_ok(),
            "an emptied store takes any engine"
        );
    }

    #[test]
    fn a_read_only_store_is_named_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        // What SQLite answers on a read-only file or file system (root ignores chmod).
        store
            .db()
            .unwrap()
            .pragma_update(None, "query_only", "ON")
            .unwrap();
        let err = store.create_collection("Staff", None).unwrap_err();
        assert!(matches!(err, StoreError::ReadOnly(_)), "{err:?}");
        assert!(err.to_string().starts_with("store_read_only: "), "{err}");
    }

    #[test]
    fn a_deleted_or_replaced_store_file_refuses_every_operation() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let store = Store::open(&data).unwrap();
        store.create_collection("Before", None).unwrap();
        std::fs::remove_dir_all(&data).unwrap();
        for err in [
            store.create_collection("After", None).unwrap_err(),
            store.list_collections().unwrap_err(),
            store
                .search(&[1.0, 0.0], SearchMode::Fast, 1, None)
                .map(|_| ())
                .unwrap_err(),
        ] {
            assert!(matches!(err, StoreError::Gone(_)), "{err:?}");
            assert!(err.to_string().contains("data directory"), "{err}");
        }
        // A new store at the same path is another file: the old handle stays refused.
        let _new = Store::open(&data).unwrap();
        let err = store.create_collection("After", None).unwrap_err();
        assert!(err.to_string().contains("replaced"), "{err}");
    }
}
