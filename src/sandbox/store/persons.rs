//! Persons: read one or many, list by page, create and update (with a check inside the
//! write's transaction), delete, detach from a collection.

use rusqlite::{params, TransactionBehavior};

use super::{ListQuery, PersonFields, PersonRow, Store, StoreError};

use super::rows::load_person;
use super::vectors::{find_duplicate, insert_faces, no_check, InTransaction, WriteCheck};
use super::{new_object_id, now_iso};

impl Store {
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
}
