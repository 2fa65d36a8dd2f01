//! COMMENT ON: one row per commented object in `_litewire_comments` (kind `r` for a
//! relation — table, view, index or sequence — with `attribute` '' or a column's name;
//! kind `c` for a constraint: `name` its table, `attribute` its name),
//! shown through `pg_description`, `obj_description` and `col_description`.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::{Connection, OptionalExtension};

use super::{exists, Internal, PREFIX};
use crate::engine::error::raise;
use crate::protocol::{PgError, SqlState};

/// `pg_description`'s rows: comments on tables, views, indexes, their columns and
/// sequences. Object OIDs as the catalog gives them.
pub fn description_rows(first_user_oid: i64) -> String {
    let sequence_oid = super::sequences::SEQUENCE_OID;
    format!(
        "SELECT {first_user_oid} + s.rowid, 1259, CASE c.attribute WHEN '' THEN 0 ELSE \
         (SELECT p.cid + 1 FROM pragma_table_info(s.name) p WHERE p.name = c.attribute) END, \
         c.description FROM main.{PREFIX}comments c JOIN sqlite_schema s ON s.name = c.name \
         WHERE c.kind = 'r' \
         UNION ALL \
         SELECT {sequence_oid} + q.rowid, 1259, 0, c.description \
         FROM main.{PREFIX}comments c JOIN main.{PREFIX}sequences q ON q.name = c.name \
         WHERE c.kind = 'r' AND c.attribute = '' \
         UNION ALL \
         SELECT k.oid, 2606, 0, c.description \
         FROM main.{PREFIX}comments c JOIN sqlite_schema s ON s.name = c.name \
         JOIN pg_constraint k ON k.conrelid = {first_user_oid} + s.rowid \
         AND k.conname = c.attribute WHERE c.kind = 'c'"
    )
}

/// Removes the comments on relation `name`, its columns and (`r`) its constraints (it
/// was dropped).
pub(super) fn forget(conn: &Connection, kind: &str, name: &str) -> rusqlite::Result<()> {
    if exists(conn, "main", "comments")? {
        let _internal = Internal::begin();
        conn.execute(
            &format!(
                "DELETE FROM main.{PREFIX}comments WHERE (kind = ?1 OR kind = 'c' AND ?1 = 'r') \
                 AND name = ?2"
            ),
            [kind, name],
        )?;
    }
    Ok(())
}

/// The SQLite name of the index pg_class calls `name` when it is a key's automatic
/// index (`t_pkey` is `sqlite_autoindex_t_1`); None for any other name.
fn key_index(conn: &Connection, name: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT s.name FROM pg_class c JOIN sqlite_schema s \
         ON s.rowid = c.oid - ?2 AND s.type = 'index' \
         WHERE c.relname = ?1 AND c.relkind = 'i'",
        rusqlite::params![name, crate::engine::catalog::FIRST_USER_OID],
        |r| r.get(0),
    )
    .optional()
}

/// `COMMENT ON CONSTRAINT c ON t`: 42P01 without the table, 42704 without the
/// constraint.
fn check_constraint(conn: &Connection, table: &str, name: &str) -> Result<(), PgError> {
    let to_pg = |e: rusqlite::Error| crate::engine::error::to_pg(&e);
    let rowid: Option<i64> = conn
        .query_row(
            "SELECT rowid FROM sqlite_schema WHERE type = 'table' AND name = ?1",
            [table],
            |r| r.get(0),
        )
        .optional()
        .map_err(to_pg)?;
    let Some(rowid) = rowid else {
        return Err(PgError::new(
            SqlState::UNDEFINED_TABLE,
            format!("relation \"{table}\" does not exist"),
        ));
    };
    let found = conn
        .query_row(
            "SELECT 1 FROM pg_constraint WHERE conrelid = ?1 AND conname = ?2",
            rusqlite::params![crate::engine::catalog::FIRST_USER_OID + rowid, name],
            |_| Ok(()),
        )
        .optional()
        .map_err(to_pg)?;
    found.ok_or_else(|| {
        PgError::new(
            SqlState::UNDEFINED_OBJECT,
            format!("constraint \"{name}\" for table \"{table}\" does not exist"),
        )
    })
}

/// `litewire_comment(kind, name, attribute, text)`: COMMENT ON; `kind` is `table`,
/// `column`, `index`, `sequence` or `view`, and a NULL or empty text removes the comment.
fn comment(ctx: &mut Context<'_>) -> rusqlite::Result<i64> {
    // SAFETY: the connection running this very statement, used on this thread for
    // nested statements while the function runs.
    let conn = unsafe { ctx.get_connection()? };
    let kind: String = ctx.get(0)?;
    let mut name: String = ctx.get(1)?;
    let attribute: String = ctx.get(2)?;
    let text: Option<String> = ctx.get(3)?;
    if kind == "constraint" {
        check_constraint(&conn, &name, &attribute).map_err(raise)?;
        return store(&conn, "c", &name, &attribute, text);
    }
    if kind == "index" {
        if let Some(stored) = key_index(&conn, &name)? {
            name = stored;
        }
    }
    let found: Option<String> = conn
        .query_row(
            "SELECT type FROM sqlite_schema WHERE name = ?1",
            [&name],
            |r| r.get(0),
        )
        .optional()?;
    let ok = match kind.as_str() {
        "table" | "column" => matches!(found.as_deref(), Some("table" | "view")),
        "view" => found.as_deref() == Some("view"),
        "index" => found.as_deref() == Some("index"),
        _ => super::sequences::oid_of(&conn, &name)?.is_some(),
    };
    if !ok {
        let (code, message) = match (kind.as_str(), found.as_deref()) {
            ("sequence" | "index" | "view", Some(_)) => (
                SqlState::WRONG_OBJECT_TYPE,
                format!(
                    "\"{name}\" is not {} {kind}",
                    if kind == "index" { "an" } else { "a" }
                ),
            ),
            _ => (
                SqlState::UNDEFINED_TABLE,
                format!("relation \"{name}\" does not exist"),
            ),
        };
        return Err(raise(PgError::new(code, message)));
    }
    if kind == "column" {
        let has: i64 = conn.query_row(
            "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2",
            [&name, &attribute],
            |r| r.get(0),
        )?;
        if has == 0 {
            return Err(raise(PgError::new(
                SqlState::UNDEFINED_COLUMN,
                format!("column \"{attribute}\" of relation \"{name}\" does not exist"),
            )));
        }
    }
    store(&conn, "r", &name, &attribute, text)
}

/// Sets (or, NULL or empty, removes) the comment of kind `kind` on `name`/`attribute`.
fn store(
    conn: &Connection,
    kind: &str,
    name: &str,
    attribute: &str,
    text: Option<String>,
) -> rusqlite::Result<i64> {
    let _internal = Internal::begin();
    conn.execute(
        &format!(
            "DELETE FROM main.{PREFIX}comments WHERE kind = ?1 AND name = ?2 AND attribute = ?3"
        ),
        [kind, name, attribute],
    )?;
    if let Some(text) = text.filter(|t| !t.is_empty()) {
        conn.execute(
            &format!(
                "INSERT INTO main.{PREFIX}comments (kind, name, attribute, description) \
                 VALUES (?1, ?2, ?3, ?4)"
            ),
            [kind, name, attribute, &text],
        )?;
    }
    Ok(1)
}

/// A description from `pg_description` (`obj_description`, `col_description`).
fn lookup(ctx: &Context<'_>, oid: i64, subid: i64) -> rusqlite::Result<Option<String>> {
    // SAFETY: as in `comment`: one nested read.
    let conn = unsafe { ctx.get_connection()? };
    conn.query_row(
        "SELECT description FROM pg_description WHERE objoid = ?1 AND objsubid = ?2",
        [oid, subid],
        |r| r.get(0),
    )
    .optional()
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let reads = FunctionFlags::SQLITE_UTF8;
    conn.create_scalar_function(
        "litewire_comment",
        4,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY,
        comment,
    )?;
    for args in [1, 2] {
        conn.create_scalar_function("obj_description", args, reads, |ctx| {
            match ctx.get::<Option<i64>>(0)? {
                Some(oid) => lookup(ctx, oid, 0),
                None => Ok(None),
            }
        })?;
    }
    conn.create_scalar_function("col_description", 2, reads, |ctx| {
        match (ctx.get::<Option<i64>>(0)?, ctx.get::<Option<i64>>(1)?) {
            (Some(oid), Some(n)) => lookup(ctx, oid, n),
            _ => Ok(None),
        }
    })?;
    Ok(())
}
