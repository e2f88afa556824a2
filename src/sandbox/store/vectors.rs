//! Enrolled faces as vectors: the blobs they are stored as, the in-memory index, search
//! (optionally within a collection), and the duplicate checks writes run.

use std::collections::HashSet;

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::{FaceInput, PersonRow, Store, StoreError};
use crate::sandbox::index::{Hit, VectorIndex};
use crate::vocabulary::SearchMode;

use super::collections::collection_members;
use super::rows::load_person;

pub(super) fn vector_blob(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

pub(super) fn blob_vector(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

impl Store {
    pub(super) fn index_mut(&self) -> std::sync::RwLockWriteGuard<'_, VectorIndex> {
        self.index.write().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn index(&self) -> std::sync::RwLockReadGuard<'_, VectorIndex> {
        self.index.read().unwrap_or_else(|p| p.into_inner())
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
pub(super) fn find_duplicate(
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

/// The store as a check inside a write transaction sees it: the write lock is held
/// and the transaction open, so nothing can change between the check and the write.
pub struct InTransaction<'a> {
    pub(super) db: &'a Connection,
    pub(super) store: &'a Store,
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

pub(super) fn no_check(_: &InTransaction) -> Result<(), StoreError> {
    Ok(())
}

pub(super) fn insert_faces(
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

/// The engine of the stored vectors. The `meta` row records the last engine that
/// enrolled; the faces decide, so an emptied store accepts any engine again.
pub(super) fn stored_engine(db: &Connection) -> Result<Option<String>, StoreError> {
    Ok(db
        .query_row("SELECT engine FROM faces ORDER BY seq LIMIT 1", [], |r| {
            r.get(0)
        })
        .optional()?)
}
