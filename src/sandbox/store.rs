//! The sandbox's durable state: SQLite (WAL, `synchronous=FULL`) for persons,
//! collections, enrolled faces (thumbnail + vector + engine id), and the in-memory
//! [`VectorIndex`] rebuilt from it at startup.
//!
//! Every write is one transaction committed before the caller answers, so an
//! answered write survives `kill -9`. The index is updated under the same lock as
//! the database, so the two never disagree.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use super::index::{Hit, VectorIndex};
use crate::vocabulary::SearchMode;

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

const SCHEMA: &str = "
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

/// The database file inside a data directory.
pub const DB_FILE: &str = "sandbox.sqlite3";

/// SQLite's write-ahead log next to a database file.
fn wal_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_owned();
    name.push("-wal");
    db.with_file_name(name)
}

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

fn vector_blob(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn blob_vector(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
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
    fn db(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
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

    fn index_mut(&self) -> std::sync::RwLockWriteGuard<'_, VectorIndex> {
        self.index.write().unwrap_or_else(|p| p.into_inner())
    }

    fn index(&self) -> std::sync::RwLockReadGuard<'_, VectorIndex> {
        self.index.read().unwrap_or_else(|p| p.into_inner())
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

    // ---- collections --------------------------------------------------------

    pub fn list_collections(&self) -> Result<Vec<CollectionRow>, StoreError> {
        let db = self.db()?;
        let mut stmt = db.prepare(
            "SELECT id, code, name, description, created_at, updated_at FROM collections ORDER BY seq",
        )?;
        let rows = stmt.query_map([], collection_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A collection by `_id` or `code`.
    pub fn find_collection(&self, key: &str) -> Result<Option<CollectionRow>, StoreError> {
        find_collection(&*self.db()?, key)
    }

    pub fn create_collection(
        &self,
        name: &str,
        description: Option<&str>,
    ) -> Result<CollectionRow, StoreError> {
        let now = now_iso();
        let row = CollectionRow {
            id: new_object_id(),
            code: uuid::Uuid::new_v4().to_string(),
            name: name.to_owned(),
            description: description.map(str::to_owned),
            created_at: now.clone(),
            updated_at: now,
        };
        self.db()?.execute(
            "INSERT INTO collections (id, code, name, description, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![row.id, row.code, row.name, row.description, row.created_at, row.updated_at],
        )?;
        Ok(row)
    }

    /// Renames/describes a collection; with `people`, makes them its exact members.
    pub fn update_collection(
        &self,
        id: &str,
        name: &str,
        description: Option<&str>,
        people: Option<&[String]>,
    ) -> Result<Option<CollectionRow>, StoreError> {
        let mut db = self.db()?;
        let tx = db.transaction()?;
        let Some(current) = find_collection(&tx, id)? else {
            return Ok(None);
        };
        let description = description
            .map(str::to_owned)
            .or(current.description.clone());
        tx.execute(
            "UPDATE collections SET name = ?2, description = ?3, updated_at = ?4 WHERE id = ?1",
            params![current.id, name, description, now_iso()],
        )?;
        if let Some(people) = people {
            tx.execute(
                "DELETE FROM person_collections WHERE collection_id = ?1",
                params![current.id],
            )?;
            for p in people {
                tx.execute(
                    "INSERT OR IGNORE INTO person_collections (person_id, collection_id)
                     SELECT id, ?2 FROM persons WHERE id = ?1",
                    params![p, current.id],
                )?;
            }
        }
        let row = find_collection(&tx, &current.id)?;
        // Again just before the commit: the window for a deletion is now microseconds.
        self.check_files()?;
        tx.commit()?;
        Ok(row)
    }

    /// Hard delete; persons stay, detached from it. Answers the deleted record.
    pub fn delete_collection(&self, id: &str) -> Result<Option<CollectionRow>, StoreError> {
        let db = self.db()?;
        let Some(row) = find_collection(&db, id)? else {
            return Ok(None);
        };
        db.execute("DELETE FROM collections WHERE id = ?1", params![row.id])?;
        Ok(Some(row))
    }

    // ---- persons ------------------------------------------------------------

    pub fn person(&self, id: &str) -> Result<Option<PersonRow>, StoreError> {
        load_person(&*self.db()?, id)
    }

    /// Person records in the order of `ids`, skipping any deleted meanwhile.
    pub fn persons(&self, ids: &[&str]) -> Result<Vec<PersonRow>, StoreError> {
        let db = self.db()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(p) = load_person(&db, id)? {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// One page of persons (oldest first) and the total matching the filters.
    pub fn list_persons(&self, q: &ListQuery) -> Result<(Vec<PersonRow>, u64), StoreError> {
        let db = self.db()?;
        let filter = "FROM persons p WHERE (?1 IS NULL OR p.status = ?1)
             AND (?2 IS NULL OR EXISTS (SELECT 1 FROM person_collections pc WHERE pc.person_id = p.id AND pc.collection_id = ?2))";
        let total: i64 = db.query_row(
            &format!("SELECT COUNT(*) {filter}"),
            params![q.status, q.collection],
            |r| r.get(0),
        )?;
        let offset = (q.page.saturating_sub(1))
            .saturating_mul(q.limit)
            .min(i64::MAX as u64) as i64;
        let ids: Vec<String> = {
            let mut stmt = db.prepare(&format!(
                "SELECT p.id {filter} ORDER BY p.seq LIMIT ?3 OFFSET ?4"
            ))?;
            let rows = stmt.query_map(
                params![q.status, q.collection, q.limit as i64, offset],
                |r| r.get(0),
            )?;
            rows.collect::<Result<_, _>>()?
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(p) = load_person(&db, &id)? {
                out.push(p);
            }
        }
        Ok((out, total as u64))
    }

    /// A person with this name (case-insensitive) and date of birth sharing one of
    /// `collections` (or, with none, also in no collection), other than `except`.
    pub fn find_duplicate(
        &self,
        name: &str,
        date_of_birth: &str,
        collections: &[String],
        except: Option<&str>,
    ) -> Result<Option<PersonRow>, StoreError> {
        find_duplicate(&*self.db()?, name, date_of_birth, collections, except)
    }

    /// Creates a person with their faces; `engine` names the vectors' engine.
    pub fn create_person(
        &self,
        fields: PersonFields,
        engine: &str,
    ) -> Result<PersonRow, StoreError> {
        self.create_person_checked(fields, engine, &no_check)
    }

    /// [`Store::create_person`] once `check` (e.g. for duplicates) passed inside the
    /// same transaction, so two concurrent creates cannot both pass it.
    pub fn create_person_checked(
        &self,
        fields: PersonFields,
        engine: &str,
        check: WriteCheck,
    ) -> Result<PersonRow, StoreError> {
        let mut db = self.db()?;
        // IMMEDIATE: the write lock is taken before the check reads (other processes too).
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        check(&InTransaction {
            db: &tx,
            store: self,
        })?;
        let id = new_object_id();
        let now = now_iso();
        tx.execute(
            "INSERT INTO persons (id, name, gender, date_of_birth, nationality, notes, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            params![id, fields.name.unwrap_or_default(), fields.gender, fields.date_of_birth, fields.nationality, fields.notes, now],
        )?;
        for c in fields.collections.unwrap_or_default() {
            tx.execute(
                "INSERT OR IGNORE INTO person_collections (person_id, collection_id) VALUES (?1, ?2)",
                params![id, c],
            )?;
        }
        let faces = fields.faces.unwrap_or_default();
        insert_faces(&tx, &id, &faces, engine)?;
        let row =
            load_person(&tx, &id)?.ok_or_else(|| StoreError::Other("person vanished".into()))?;
        // Index under the database lock, after the commit: the two never disagree.
        // Again just before the commit: the window for a deletion is now microseconds.
        self.check_files()?;
        tx.commit()?;
        let mut index = self.index_mut();
        for f in &faces {
            index.insert(&id, &f.vector).map_err(StoreError::Other)?;
        }
        Ok(row)
    }

    /// Applies the fields that are set; `faces` replace all enrolled faces.
    pub fn update_person(
        &self,
        id: &str,
        fields: PersonFields,
        engine: &str,
    ) -> Result<Option<PersonRow>, StoreError> {
        self.update_person_checked(id, fields, engine, &|_: &PersonRow, _: &InTransaction| {
            Ok(())
        })
    }

    /// [`Store::update_person`] once `check` passed inside the same transaction; it
    /// sees the person as stored before the update.
    pub fn update_person_checked(
        &self,
        id: &str,
        fields: PersonFields,
        engine: &str,
        check: &dyn Fn(&PersonRow, &InTransaction) -> Result<(), StoreError>,
    ) -> Result<Option<PersonRow>, StoreError> {
        let mut db = self.db()?;
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(current) = load_person(&tx, id)? else {
            return Ok(None);
        };
        check(
            &current,
            &InTransaction {
                db: &tx,
                store: self,
            },
        )?;
        let set = |column: &str, value: &Option<String>| -> Result<(), StoreError> {
            if let Some(v) = value {
                tx.execute(
                    &format!("UPDATE persons SET {column} = ?2 WHERE id = ?1"),
                    params![id, v],
                )?;
            }
            Ok(())
        };
        set("name", &fields.name)?;
        set("gender", &fields.gender)?;
        set("date_of_birth", &fields.date_of_birth)?;
        set("nationality", &fields.nationality)?;
        set("notes", &fields.notes)?;
        tx.execute(
            "UPDATE persons SET updated_at = ?2 WHERE id = ?1",
            params![id, now_iso()],
        )?;
        if let Some(collections) = &fields.collections {
            tx.execute(
                "DELETE FROM person_collections WHERE person_id = ?1",
                params![id],
            )?;
            for c in collections {
                tx.execute(
                    "INSERT OR IGNORE INTO person_collections (person_id, collection_id) VALUES (?1, ?2)",
                    params![id, c],
                )?;
            }
        }
        if let Some(faces) = &fields.faces {
            tx.execute("DELETE FROM faces WHERE person_id = ?1", params![id])?;
            insert_faces(&tx, id, faces, engine)?;
        }
        let row = load_person(&tx, id)?;
        // Again just before the commit: the window for a deletion is now microseconds.
        self.check_files()?;
        tx.commit()?;
        if let Some(faces) = &fields.faces {
            let mut index = self.index_mut();
            index.remove_person(id);
            for f in faces {
                index.insert(id, &f.vector).map_err(StoreError::Other)?;
            }
        }
        Ok(row)
    }

    /// Deletes a person, faces and memberships. False when unknown.
    pub fn delete_person(&self, id: &str) -> Result<bool, StoreError> {
        let db = self.db()?;
        let n = db.execute("DELETE FROM persons WHERE id = ?1", params![id])?;
        if n > 0 {
            self.index_mut().remove_person(id);
        }
        Ok(n > 0)
    }

    /// Removes a person from one collection; the record stays.
    pub fn detach_person(&self, id: &str, collection_id: &str) -> Result<(), StoreError> {
        let db = self.db()?;
        db.execute(
            "DELETE FROM person_collections WHERE person_id = ?1 AND collection_id = ?2",
            params![id, collection_id],
        )?;
        db.execute(
            "UPDATE persons SET updated_at = ?2 WHERE id = ?1",
            params![id, now_iso()],
        )?;
        Ok(())
    }

    // ---- search -------------------------------------------------------------

    /// The `k` best persons for `query`, optionally only members of `collection_id`.
    pub fn search(
        &self,
        query: &[f32],
        mode: SearchMode,
        k: usize,
        collection_id: Option<&str>,
    ) -> Result<Vec<Hit>, StoreError> {
        let members = match collection_id {
            Some(c) => Some(collection_members(&*self.db()?, c)?),
            // The index is in memory, but a search answered from a deleted store
            // would not be an answer about the store the user has.
            None => {
                self.check_files()?;
                None
            }
        };
        Ok(self.search_members(query, mode, k, members.as_ref()))
    }

    /// The index part of a search: `members` (when set) are the only persons allowed.
    fn search_members(
        &self,
        query: &[f32],
        mode: SearchMode,
        k: usize,
        members: Option<&HashSet<String>>,
    ) -> Vec<Hit> {
        let allowed = |p: &str| members.is_none_or(|m| m.contains(p));
        if let Some(m) = members {
            let index = self.index();
            // A small collection is scanned exactly through its members' faces: faster
            // than the IVF, and it cannot miss members in unprobed lists.
            if mode == SearchMode::Accurate || m.len() * 10 <= index.len() {
                return index.search_among(query, k, m.iter().map(String::as_str));
            }
        }
        if mode == SearchMode::Fast && self.index().needs_rebuild() {
            let mut index = self.index_mut();
            if index.needs_rebuild() {
                index.rebuild();
            }
        }
        let index = self.index();
        match mode {
            SearchMode::Accurate => index.search_exact(query, k, &allowed),
            SearchMode::Fast => index.search_fast(query, k, &allowed),
        }
    }

    /// Live vectors in the index.
    pub fn vector_count(&self) -> usize {
        self.index().len()
    }
}

/// [`Store::find_duplicate`] on a connection already held.
fn find_duplicate(
    db: &Connection,
    name: &str,
    date_of_birth: &str,
    collections: &[String],
    except: Option<&str>,
) -> Result<Option<PersonRow>, StoreError> {
    let mut stmt = db.prepare(
        "SELECT id FROM persons WHERE lower(name) = lower(?1) AND date_of_birth = ?2 AND id IS NOT ?3 ORDER BY seq",
    )?;
    let ids: Vec<String> = stmt
        .query_map(params![name, date_of_birth, except], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    drop(stmt);
    for id in ids {
        if let Some(p) = load_person(db, &id)? {
            let shared = if collections.is_empty() {
                p.collections.is_empty()
            } else {
                p.collections.iter().any(|c| collections.contains(&c.id))
            };
            if shared {
                return Ok(Some(p));
            }
        }
    }
    Ok(None)
}

fn collection_members(db: &Connection, collection_id: &str) -> Result<HashSet<String>, StoreError> {
    let mut stmt =
        db.prepare("SELECT person_id FROM person_collections WHERE collection_id = ?1")?;
    let ids = stmt
        .query_map(params![collection_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(ids)
}

/// The store as a check inside a write transaction sees it: the write lock is held
/// and the transaction open, so nothing can change between the check and the write.
pub struct InTransaction<'a> {
    db: &'a Connection,
    store: &'a Store,
}

impl InTransaction<'_> {
    /// [`Store::find_duplicate`], inside the transaction.
    pub fn find_duplicate(
        &self,
        name: &str,
        date_of_birth: &str,
        collections: &[String],
        except: Option<&str>,
    ) -> Result<Option<PersonRow>, StoreError> {
        find_duplicate(self.db, name, date_of_birth, collections, except)
    }

    /// [`Store::search`], inside the transaction.
    pub fn search(
        &self,
        query: &[f32],
        mode: SearchMode,
        k: usize,
        collection_id: Option<&str>,
    ) -> Result<Vec<Hit>, StoreError> {
        let members = match collection_id {
            Some(c) => Some(collection_members(self.db, c)?),
            None => None,
        };
        Ok(self.store.search_members(query, mode, k, members.as_ref()))
    }
}

/// A check run inside a write's transaction; its error aborts the write.
pub type WriteCheck<'c> = &'c dyn Fn(&InTransaction) -> Result<(), StoreError>;

fn no_check(_: &InTransaction) -> Result<(), StoreError> {
    Ok(())
}

/// The engine of the stored vectors. The `meta` row records the last engine that
/// enrolled; the faces decide, so an emptied store accepts any engine again.
fn stored_engine(db: &Connection) -> Result<Option<String>, StoreError> {
    Ok(db
        .query_row("SELECT engine FROM faces ORDER BY seq LIMIT 1", [], |r| {
            r.get(0)
        })
        .optional()?)
}

fn insert_faces(
    tx: &Transaction,
    person: &str,
    faces: &[FaceInput],
    engine: &str,
) -> Result<(), StoreError> {
    if faces.is_empty() {
        return Ok(());
    }
    // Checked inside the transaction: no other writer can slip in vectors of another engine.
    if let Some(stored) = stored_engine(tx)? {
        if stored != engine {
            return Err(StoreError::EngineMismatch { stored });
        }
    }
    tx.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('engine', ?1)",
        params![engine],
    )?;
    for f in faces {
        tx.execute(
            "INSERT INTO faces (id, person_id, engine, vector, thumbnail) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![uuid::Uuid::new_v4().to_string(), person, engine, vector_blob(&f.vector), f.thumbnail],
        )?;
    }
    Ok(())
}

fn collection_row(r: &rusqlite::Row) -> rusqlite::Result<CollectionRow> {
    Ok(CollectionRow {
        id: r.get(0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
    })
}

fn find_collection(db: &Connection, key: &str) -> Result<Option<CollectionRow>, StoreError> {
    Ok(db
        .query_row(
            "SELECT id, code, name, description, created_at, updated_at FROM collections WHERE id = ?1 OR code = ?1",
            params![key],
            collection_row,
        )
        .optional()?)
}

fn load_person(db: &Connection, id: &str) -> Result<Option<PersonRow>, StoreError> {
    let row = db
        .query_row(
            "SELECT id, name, gender, date_of_birth, nationality, notes, status, created_at, updated_at FROM persons WHERE id = ?1",
            params![id],
            |r| {
                Ok(PersonRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    gender: r.get(2)?,
                    date_of_birth: r.get(3)?,
                    nationality: r.get(4)?,
                    notes: r.get(5)?,
                    status: r.get(6)?,
                    created_at: r.get(7)?,
                    updated_at: r.get(8)?,
                    collections: Vec::new(),
                    thumbnails: Vec::new(),
                })
            },
        )
        .optional()?;
    let Some(mut p) = row else { return Ok(None) };
    let mut stmt = db.prepare_cached(
        "SELECT c.id, c.code, c.name, c.description, c.created_at, c.updated_at
         FROM person_collections pc JOIN collections c ON c.id = pc.collection_id
         WHERE pc.person_id = ?1 ORDER BY c.seq",
    )?;
    p.collections = stmt
        .query_map(params![id], collection_row)?
        .collect::<Result<_, _>>()?;
    let mut stmt =
        db.prepare_cached("SELECT id, thumbnail FROM faces WHERE person_id = ?1 ORDER BY seq")?;
    p.thumbnails = stmt
        .query_map(params![id], |r| {
            Ok(ThumbRow {
                id: r.get(0)?,
                jpeg: r.get(1)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(Some(p))
}

/// Shared handle.
pub type SharedStore = Arc<Store>;

#[cfg(test)]
mod tests {
    use super::*;

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
