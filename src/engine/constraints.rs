//! PostgreSQL's words for SQLite's constraint failures, which name a table's columns
//! (`UNIQUE constraint failed: t.a, t.b`) or a constraint without its table (`CHECK
//! constraint failed: c`): the constraint and table are looked up in the schema on the
//! connection the statement failed on. Where the lookup finds nothing certain, SQLite's
//! message stays (the SQLSTATE is PostgreSQL's either way: engine/error.rs). A failed
//! foreign key is not named by SQLite at all, so its message stays SQLite's.

use rusqlite::{ffi, Connection, OptionalExtension};

use crate::protocol::PgError;
use crate::sql::alter::{self, Check};

/// `e` (from SQLite's extended code `code` and message) in PostgreSQL's words.
pub fn reword(db: &Connection, code: i32, e: PgError) -> PgError {
    let message = match code {
        ffi::SQLITE_CONSTRAINT_NOTNULL => e
            .message
            .strip_prefix("NOT NULL constraint failed: ")
            .and_then(|c| c.split_once('.'))
            .map(|(table, column)| {
                format!(
                    "null value in column \"{column}\" of relation \"{table}\" violates not-null constraint"
                )
            }),
        ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => e
            .message
            .strip_prefix("UNIQUE constraint failed: ")
            .and_then(|rest| unique_name(db, rest))
            .map(|name| format!("duplicate key value violates unique constraint \"{name}\"")),
        ffi::SQLITE_CONSTRAINT_CHECK => e
            .message
            .strip_prefix("CHECK constraint failed: ")
            .and_then(|failed| check_named(db, failed))
            .map(|(table, name)| {
                format!("new row for relation \"{table}\" violates check constraint \"{name}\"")
            }),
        _ => None,
    };
    match message {
        Some(message) => PgError { message, ..e },
        None => e,
    }
}

/// The name of the unique index or key SQLite's `t.a, t.b` (or `index 'i'`) names.
fn unique_name(db: &Connection, failed: &str) -> Option<String> {
    if let Some(index) = failed
        .strip_prefix("index '")
        .and_then(|i| i.strip_suffix('\''))
    {
        return Some(index.to_string());
    }
    let mut table = None;
    let mut columns = Vec::new();
    for part in failed.split(", ") {
        let (t, c) = part.split_once('.')?;
        if table.is_some_and(|seen| seen != t) {
            return None;
        }
        table = Some(t);
        columns.push(c.to_string());
    }
    let table = table?;
    // An index of its own (CREATE UNIQUE INDEX) carries its name.
    let indexes = strings(
        db,
        "SELECT name FROM pragma_index_list(?1) WHERE \"unique\" AND origin = 'c'",
        table,
    )?;
    for index in indexes {
        // An expression key has no name: '' matches no column.
        let keys = "SELECT ifnull(name, '') FROM pragma_index_info(?1) ORDER BY seqno";
        if strings(db, keys, &index)? == columns {
            return Some(index);
        }
    }
    // Else a key of the table's definition, under PostgreSQL's name for it.
    let ct = alter::parse_definition(&definition(db, table)?)?;
    alter::named_constraints(ct, table)
        .into_iter()
        .find_map(|c| match c {
            Check::Unique { name, columns: key } if key == columns => Some(name),
            _ => None,
        })
}

/// The table and name of the CHECK constraint SQLite names `failed`: its name, or its
/// expression when it has none (PostgreSQL's name for it then), in one table only.
fn check_named(db: &Connection, failed: &str) -> Option<(String, String)> {
    let mut stmt = db
        .prepare(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND instr(sql, ?1) \
             UNION ALL SELECT name, sql FROM sqlite_temp_schema WHERE type = 'table' \
             AND instr(sql, ?1)",
        )
        .ok()?;
    let tables: Vec<(String, String)> = stmt
        .query_map([failed], |r| Ok((r.get(0)?, r.get(1)?)))
        .ok()?
        .collect::<Result<_, _>>()
        .ok()?;
    let mut found = tables.into_iter().flat_map(|(table, sql)| {
        let checks = alter::parse_definition(&sql)
            .map(|ct| alter::named_constraints(ct, &table))
            .unwrap_or_default();
        checks.into_iter().filter_map(move |c| match c {
            Check::Check { name, expr, .. } if name == failed || expr == failed => {
                Some((table.clone(), name))
            }
            _ => None,
        })
    });
    match (found.next(), found.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

fn definition(db: &Connection, table: &str) -> Option<String> {
    db.query_row(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1 \
         UNION ALL SELECT sql FROM sqlite_temp_schema WHERE type = 'table' AND name = ?1",
        [table],
        |r| r.get(0),
    )
    .optional()
    .ok()
    .flatten()
}

fn strings(db: &Connection, sql: &str, arg: &str) -> Option<Vec<String>> {
    let mut stmt = db.prepare(sql).ok()?;
    let rows = stmt.query_map([arg], |r| r.get::<_, String>(0)).ok()?;
    rows.collect::<Result<_, _>>().ok()
}
