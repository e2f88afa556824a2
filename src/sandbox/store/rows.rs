//! Reading rows: a person with its collections and thumbnails, a collection by id or code.

use rusqlite::{params, Connection, OptionalExtension};

use super::{CollectionRow, PersonRow, StoreError, ThumbRow};

pub(super) fn collection_row(r: &rusqlite::Row) -> rusqlite::Result<CollectionRow> {
    Ok(CollectionRow {
        id: r.get(0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
    })
}

pub(super) fn find_collection(
    db: &Connection,
    key: &str,
) -> Result<Option<CollectionRow>, StoreError> {
    Ok(db
        .query_row(
            "SELECT id, code, name, description, created_at, updated_at FROM collections WHERE id = ?1 OR code = ?1",
            params![key],
            collection_row,
        )
        .optional()?)
}

pub(super) fn load_person(db: &Connection, id: &str) -> Result<Option<PersonRow>, StoreError> {
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
