//! A table's settings that PostgreSQL keeps in its catalog and SQLite has no place for,
//! one row per table in `_litewire_relations`: UNLOGGED (`pg_class.relpersistence`
//! `u`, for the table and its indexes), the index CLUSTER marks
//! (`pg_index.indisclustered`) and the replica identity (`pg_class.relreplident`,
//! `pg_index.indisreplident`). No answer depends on them: every table here is
//! crash-safe, and SQLite orders no rows by a clustered index. Written by CREATE
//! UNLOGGED TABLE, ALTER TABLE and CLUSTER (`litewire_relation(table, what, index)`),
//! read by the catalog (catalog/tables.rs), forgotten with DROP TABLE.
//!
//! A temporary table's ON COMMIT DELETE ROWS or DROP is kept the same way, in the
//! session's own `temp._litewire_on_commit` (`litewire_on_commit(table, action)`); the
//! session carries it out whenever a transaction ends (server/on_commit.rs).

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

use super::{ensure, exists, Internal, PREFIX};
use crate::engine::error::{raise, to_pg};
use crate::protocol::{PgError, SqlState};
use crate::sql::alter::RelationChange;

/// Records `change` for `table` (which exists: ALTER TABLE found it).
pub fn apply(conn: &Connection, table: &str, change: &RelationChange) -> Result<(), PgError> {
    let (column, value): (&str, Value) = match change {
        RelationChange::Logged(logged) => ("unlogged", Value::Integer(i64::from(!logged))),
        RelationChange::ClusterOn(index) => {
            index_of(conn, table, index)?;
            ("cluster_index", Value::Text(index.clone()))
        }
        RelationChange::WithoutCluster => ("cluster_index", Value::Null),
        RelationChange::ReplicaIdentity(kind, index) => {
            if let Some(index) = index {
                replica_index(conn, table, index)?;
            }
            set(
                conn,
                table,
                "replident_index",
                index.clone().map_or(Value::Null, Value::Text),
            )?;
            ("replident", Value::Text(kind.to_string()))
        }
    };
    set(conn, table, column, value)
}

fn set(conn: &Connection, table: &str, column: &str, value: Value) -> Result<(), PgError> {
    let _internal = Internal::begin();
    ensure(conn, "main.relations")?;
    conn.execute(
        &format!(
            "INSERT INTO main.{PREFIX}relations (name, {column}) VALUES (?1, ?2) \
             ON CONFLICT (name) DO UPDATE SET {column} = excluded.{column}"
        ),
        rusqlite::params![table, value],
    )
    .map_err(|e| to_pg(&e))?;
    Ok(())
}

/// Whether `index` is unique, when it is an index of `table` (as pg_class names it);
/// PostgreSQL's errors otherwise.
fn index_of(conn: &Connection, table: &str, index: &str) -> Result<bool, PgError> {
    let found: Option<(String, bool)> = conn
        .query_row(
            "SELECT t.relname, i.indisunique FROM pg_class c JOIN pg_index i \
             ON i.indexrelid = c.oid JOIN pg_class t ON t.oid = i.indrelid \
             WHERE c.relname = ?1 AND c.relkind = 'i'",
            [index],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(|e| to_pg(&e))?;
    match found {
        Some((t, unique)) if t == table => Ok(unique),
        Some(_) => Err(PgError::new(
            SqlState::WRONG_OBJECT_TYPE,
            format!("\"{index}\" is not an index for table \"{table}\""),
        )),
        None => Err(PgError::new(
            SqlState::UNDEFINED_OBJECT,
            format!("index \"{index}\" for table \"{table}\" does not exist"),
        )),
    }
}

/// PostgreSQL's conditions on a replica identity index: unique, every key column NOT NULL.
fn replica_index(conn: &Connection, table: &str, index: &str) -> Result<(), PgError> {
    if !index_of(conn, table, index)? {
        return Err(PgError::new(
            SqlState::WRONG_OBJECT_TYPE,
            format!("cannot use non-unique index \"{index}\" as replica identity"),
        ));
    }
    let nullable: Option<String> = conn
        .query_row(
            "SELECT a.attname FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid \
             JOIN json_each(i.indkey) k JOIN pg_attribute a ON a.attrelid = i.indrelid \
             AND a.attnum = k.value WHERE c.relname = ?1 AND c.relkind = 'i' \
             AND NOT a.attnotnull ORDER BY k.key LIMIT 1",
            [index],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| to_pg(&e))?;
    match nullable {
        Some(column) => Err(PgError::new(
            SqlState::WRONG_OBJECT_TYPE,
            format!(
                "index \"{index}\" cannot be used as replica identity because column \"{column}\" is nullable"
            ),
        )),
        None => Ok(()),
    }
}

/// Whether `table` was made UNLOGGED.
pub fn is_unlogged(conn: &Connection, table: &str) -> rusqlite::Result<bool> {
    if !exists(conn, "main", "relations")? {
        return Ok(false);
    }
    Ok(conn
        .query_row(
            &format!("SELECT unlogged FROM main.{PREFIX}relations WHERE name = ?1"),
            [table],
            |r| r.get::<_, bool>(0),
        )
        .optional()?
        .unwrap_or(false))
}

/// Forgets a dropped table's row.
pub(super) fn forget(conn: &Connection, table: &str) -> rusqlite::Result<()> {
    for (schema, short) in [("main", "relations"), ("temp", "on_commit")] {
        if exists(conn, schema, short)? {
            let _internal = Internal::begin();
            conn.execute(
                &format!("DELETE FROM {schema}.{PREFIX}{short} WHERE name = ?1"),
                [table],
            )?;
        }
    }
    Ok(())
}

/// The session's table of ON COMMIT actions: name, action (`delete` or `drop`).
pub const ON_COMMIT_TABLE: &str = "temp._litewire_on_commit";

/// `litewire_on_commit(table, action)`: CREATE TEMP TABLE … ON COMMIT DELETE ROWS
/// (`delete`) or ON COMMIT DROP (`drop`), after the table is made.
fn on_commit(ctx: &mut Context<'_>) -> rusqlite::Result<i64> {
    // SAFETY: as in `relation`.
    let conn = unsafe { ctx.get_connection()? };
    let table: String = ctx.get(0)?;
    let action: String = ctx.get(1)?;
    let _internal = Internal::begin();
    ensure(&conn, "temp.on_commit").map_err(raise)?;
    conn.execute(
        &format!("INSERT OR REPLACE INTO {ON_COMMIT_TABLE} (name, action) VALUES (?1, ?2)"),
        [table, action],
    )?;
    Ok(1)
}

/// `litewire_relation(table, what, index)`: `unlogged` (before CREATE UNLOGGED TABLE),
/// `cluster` (CLUSTER t [USING i]: i, else the index marked before).
fn relation(ctx: &mut Context<'_>) -> rusqlite::Result<i64> {
    // SAFETY: called by an internal batch on the connection running it, on this thread.
    let conn = unsafe { ctx.get_connection()? };
    let table: String = ctx.get(0)?;
    let what: String = ctx.get(1)?;
    let index: Option<String> = ctx.get(2)?;
    let change = match (what.as_str(), index) {
        // Before its CREATE TABLE: a table that exists already keeps its persistence.
        ("unlogged", _) if is_table(&conn, &table)? => return Ok(0),
        ("unlogged", _) => {
            set(&conn, &table, "unlogged", Value::Integer(1)).map_err(raise)?;
            return Ok(1);
        }
        (_, Some(index)) => RelationChange::ClusterOn(index),
        (_, None) => {
            let marked = is_table(&conn, &table)?
                .then(|| clustered(&conn, &table))
                .transpose()?
                .flatten();
            let Some(index) = marked else {
                return Err(raise(no_clustered_index(&conn, &table)?));
            };
            RelationChange::ClusterOn(index)
        }
    };
    if !is_table(&conn, &table)? {
        return Err(raise(PgError::new(
            SqlState::UNDEFINED_TABLE,
            format!("relation \"{table}\" does not exist"),
        )));
    }
    apply(&conn, &table, &change).map_err(raise)?;
    Ok(1)
}

fn is_table(conn: &Connection, table: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
        [table],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

fn clustered(conn: &Connection, table: &str) -> rusqlite::Result<Option<String>> {
    if !exists(conn, "main", "relations")? {
        return Ok(None);
    }
    Ok(conn
        .query_row(
            &format!("SELECT cluster_index FROM main.{PREFIX}relations WHERE name = ?1"),
            [table],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

fn no_clustered_index(conn: &Connection, table: &str) -> rusqlite::Result<PgError> {
    Ok(if is_table(conn, table)? {
        PgError::new(
            SqlState::UNDEFINED_OBJECT,
            format!("there is no previously clustered index for table \"{table}\""),
        )
    } else {
        PgError::new(
            SqlState::UNDEFINED_TABLE,
            format!("relation \"{table}\" does not exist"),
        )
    })
}

/// Follows a renamed table or index (`litewire_relation_renamed(old, new)`, which ALTER
/// TABLE / ALTER INDEX … RENAME run): its row, and the marks naming the index.
pub fn renamed(conn: &Connection, old: &str, new: &str) -> rusqlite::Result<()> {
    let _internal = Internal::begin();
    if exists(conn, "temp", "on_commit")? {
        conn.execute(
            &format!("UPDATE {ON_COMMIT_TABLE} SET name = ?2 WHERE name = ?1"),
            [old, new],
        )?;
    }
    if !exists(conn, "main", "relations")? {
        return Ok(());
    }
    for column in ["name", "cluster_index", "replident_index"] {
        conn.execute(
            &format!("UPDATE main.{PREFIX}relations SET {column} = ?2 WHERE {column} = ?1"),
            [old, new],
        )?;
    }
    Ok(())
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let direct = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY;
    conn.create_scalar_function("litewire_relation", 3, direct, relation)?;
    conn.create_scalar_function("litewire_on_commit", 2, direct, on_commit)?;
    conn.create_scalar_function("litewire_relation_renamed", 2, direct, |ctx| {
        // SAFETY: as in `relation`.
        let conn = unsafe { ctx.get_connection()? };
        renamed(&conn, &ctx.get::<String>(0)?, &ctx.get::<String>(1)?)?;
        Ok(1)
    })
}
