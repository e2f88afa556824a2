//! Collections: list, find by id or code, create, update, delete; and their members.

use std::collections::HashSet;

use rusqlite::{params, Connection};

use super::{CollectionRow, Store, StoreError};

use super::rows::{collection_row, find_collection};
use super::{new_object_id, now_iso};

impl Store {
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
}

pub(super) fn collection_members(
    db: &Connection,
    collection_id: &str,
) -> Result<HashSet<String>, StoreError> {
    let mut stmt =
        db.prepare("SELECT person_id FROM person_collections WHERE collection_id = ?1")?;
    let ids = stmt
        .query_map(params![collection_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(ids)
}
