//! Opening the store: the schema, the files it must keep writing to, and the engine
//! whose vectors it holds.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, RwLock};

use rusqlite::Connection;

use super::{FileId, Store, StoreError, DB_FILE};
use crate::sandbox::index::VectorIndex;

use super::vectors::{blob_vector, stored_engine};

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS collections (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, code TEXT UNIQUE NOT NULL,
  name TEXT NOT NULL, description TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS persons (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, name TEXT NOT NULL,
  gender TEXT, date_of_birth TEXT, nationality TEXT, notes TEXT,
  status TEXT NOT NULL DEFAULT 'active', created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS person_collections (
  person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
  collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  PRIMARY KEY (person_id, collection_id));
CREATE INDEX IF NOT EXISTS pc_collection ON person_collections(collection_id);
CREATE TABLE IF NOT EXISTS faces (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL,
  person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
  engine TEXT NOT NULL, vector BLOB NOT NULL, thumbnail BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS faces_person ON faces(person_id);
";

/// SQLite's write-ahead log next to a database file.
pub(super) fn wal_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_owned();
    name.push("-wal");
    db.with_file_name(name)
}

impl Store {
    /// Opens (or creates) the store in `dir` and loads its vectors.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Dir(format!("{}: {e}", dir.display())))?;
        let db_path = dir.join(DB_FILE);
        let conn = Connection::open(&db_path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // FULL: the WAL is fsynced at every commit, so an answered write survives kill -9.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.execute_batch(SCHEMA)?;
        let mut index = VectorIndex::new();
        {
            let mut stmt = conn.prepare("SELECT person_id, vector FROM faces ORDER BY seq")?;
            let rows = stmt.query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
            })?;
            for row in rows {
                let (person, blob) = row?;
                index
                    .insert(&person, &blob_vector(&blob))
                    .map_err(StoreError::Other)?;
            }
        }
        // The database and its write-ahead log (which exists from here on while the
        // connection is open): every answered write lives in one of them.
        let mut files = Vec::new();
        for path in [db_path.clone(), wal_path(&db_path)] {
            let id = FileId::of(&path)
                .map_err(|e| StoreError::Other(format!("{}: {e}", path.display())))?;
            files.push((path, id));
        }
        Ok(Store {
            db: Mutex::new(conn),
            index: RwLock::new(index),
            files,
        })
    }

    /// The connection, once the files it writes are still the ones at their paths.
    /// SQLite keeps writing into a deleted (unlinked) file without a complaint, and
    /// everything written there is gone at the next start: refuse instead.
    pub(super) fn db(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        // A panic while holding the lock leaves SQLite consistent (transactions roll back).
        let db = self.db.lock().unwrap_or_else(|p| p.into_inner());
        self.check_files()?;
        Ok(db)
    }

    /// `Gone` when a store file was deleted, moved or replaced since opening.
    pub fn check_files(&self) -> Result<(), StoreError> {
        for (path, opened) in &self.files {
            match FileId::of(path) {
                Ok(now) if now == *opened => {}
                Ok(_) => {
                    return Err(StoreError::Gone(format!(
                        "{} was replaced by another file while the server ran; restart the server to use it",
                        path.display()
                    )))
                }
                Err(e) => {
                    let dir = path.parent().unwrap_or(path);
                    let what = if dir.exists() {
                        format!("{} is gone ({e})", path.display())
                    } else {
                        format!("the data directory {} is gone", dir.display())
                    };
                    return Err(StoreError::Gone(format!(
                        "{what}: nothing can be stored; restart the server to create a new store"
                    )));
                }
            }
        }
        Ok(())
    }

    /// The engine whose vectors this store holds, if it holds any.
    pub fn stored_engine(&self) -> Result<Option<String>, StoreError> {
        stored_engine(&*self.db()?)
    }

    /// Fails with `EngineMismatch` when the store holds another engine's vectors.
    pub fn check_engine(&self, engine: &str) -> Result<(), StoreError> {
        match self.stored_engine()? {
            Some(stored) if stored != engine => Err(StoreError::EngineMismatch { stored }),
            _ => Ok(()),
        }
    }

    pub fn counts(&self) -> Result<(u64, u64, u64), StoreError> {
        let db = self.db()?;
        let count = |sql: &str| {
            db.query_row(sql, [], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
        };
        Ok((
            count("SELECT COUNT(*) FROM persons")?,
            count("SELECT COUNT(*) FROM collections")?,
            count("SELECT COUNT(*) FROM faces")?,
        ))
    }
}
