//! Composite types (CREATE TYPE name AS (a int, b text)): rows of `_litewire_composites`
//! — per type one header row (attnum 0, name NULL; its rowid gives the type's OID) and
//! one row per attribute with its name and type as written. The record functions read
//! them (engine/jsonb/record.rs, `record_columns`) like a table's row type.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::{Connection, OptionalExtension};

use super::{exists, Internal, PREFIX};
use crate::engine::error::raise;
use crate::protocol::{PgError, SqlState};

/// OIDs of composite types: this plus the header row's rowid.
pub const COMPOSITE_OID: i64 = 1_460_000_000;

/// The header rowid of composite type `name`, if it is one.
fn find(conn: &Connection, name: &str) -> rusqlite::Result<Option<i64>> {
    if !exists(conn, "main", "composites")? {
        return Ok(None);
    }
    conn.prepare_cached(&format!(
        "SELECT rowid FROM main.{PREFIX}composites WHERE type = ?1 AND attnum = 0"
    ))?
    .query_row([name], |r| r.get(0))
    .optional()
}

/// Whether `name` is a composite type.
pub fn is_composite(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    Ok(find(conn, name)?.is_some())
}

/// The attributes (name, type) of composite type `name` in order, None when it is none.
pub fn attributes(
    conn: &Connection,
    name: &str,
) -> rusqlite::Result<Option<Vec<(String, String)>>> {
    if find(conn, name)?.is_none() {
        return Ok(None);
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT name, datatype FROM main.{PREFIX}composites \
         WHERE type = ?1 AND attnum > 0 ORDER BY attnum"
    ))?;
    let rows = stmt.query_map([name], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map(Some)
}

/// The type an attribute's type names without its array brackets (`int[][]`, `_int4`,
/// `jpop[]` → `int`, `int4`, `jpop`), and whether it was an array.
pub fn element_type(ty: &str) -> (String, bool) {
    let lower = ty.trim();
    if let Some((base, _)) = lower.split_once('[') {
        return (base.trim().to_string(), true);
    }
    if let Some(base) = lower.strip_prefix('_') {
        return (base.to_string(), true);
    }
    (lower.to_string(), false)
}

/// Whether a table or view `name` exists (its row type is a type too).
fn relation_exists(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM sqlite_schema WHERE type IN ('table', 'view') AND name = ?1 \
             COLLATE NOCASE",
        )?
        .query_row([name], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Whether a type named `name` exists (CREATE TYPE / DOMAIN of it is 42710): an enum,
/// composite type, domain, table or view; a built-in type's name is refused too.
pub(super) fn type_taken(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    Ok(super::enums::oid_of(conn, name)?.is_some()
        || find(conn, name)?.is_some()
        || super::domains::is_domain(conn, name)?
        || relation_exists(conn, name)?
        || crate::engine::types::names_a_type(name)
        || crate::engine::catalog::to_regtype(name).is_some())
}

/// Whether the type written `ty` exists: built in, an enum, a composite type, a domain
/// or a table's row type (arrays of these too).
pub fn type_exists(conn: &Connection, ty: &str) -> rusqlite::Result<bool> {
    let lower = ty.trim().to_ascii_lowercase();
    let lower = lower.strip_prefix("pg_catalog.").unwrap_or(&lower);
    if crate::engine::catalog::to_regtype(lower).is_some()
        || crate::engine::types::names_a_type(lower)
    {
        return Ok(true);
    }
    let (base, _) = element_type(lower);
    if crate::engine::catalog::to_regtype(&base).is_some()
        || crate::engine::types::names_a_type(&base)
    {
        return Ok(true);
    }
    let Some(name) = super::relation_name(&element_type(ty.trim()).0) else {
        return Ok(false);
    };
    Ok(super::enums::oid_of(conn, &name)?.is_some()
        || find(conn, &name)?.is_some()
        || super::domains::is_domain(conn, &name)?
        || relation_exists(conn, &name)?)
}

fn error(code: SqlState, message: String) -> rusqlite::Error {
    raise(PgError::new(code, message))
}

/// `litewire_create_composite(name, attribute, type, …)`: CREATE TYPE name AS (…).
fn create(ctx: &mut Context<'_>) -> rusqlite::Result<i64> {
    // SAFETY: the connection running this very statement, used on this thread for
    // nested statements while the function runs.
    let conn = unsafe { ctx.get_connection()? };
    let name: String = ctx.get(0)?;
    if crate::engine::types::names_a_type(&name)
        || crate::engine::catalog::to_regtype(&name).is_some()
    {
        // PostgreSQL creates public.name beside pg_catalog's, which every unqualified
        // use still means.
        return Err(raise(crate::sql::translate::unsupported(format!(
            "a composite type named like the built-in type {name}"
        ))));
    }
    if type_taken(&conn, &name)? {
        return Err(error(
            SqlState::DUPLICATE_OBJECT,
            format!("type \"{name}\" already exists"),
        ));
    }
    let mut attributes: Vec<(String, String)> = Vec::new();
    for i in (1..ctx.len()).step_by(2) {
        let attribute: String = ctx.get(i)?;
        let ty: String = ctx.get(i + 1)?;
        if attributes.iter().any(|(a, _)| *a == attribute) {
            return Err(error(
                SqlState::DUPLICATE_COLUMN,
                format!("column \"{attribute}\" specified more than once"),
            ));
        }
        let (element, _) = element_type(&ty);
        if crate::sql::translate::PSEUDO_TYPES.contains(&element.as_str()) {
            return Err(error(
                SqlState::INVALID_TABLE_DEFINITION,
                format!("column \"{attribute}\" has pseudo-type {element}"),
            ));
        }
        if !type_exists(&conn, &ty)? {
            let (base, _) = element_type(&ty);
            return Err(error(
                SqlState::UNDEFINED_OBJECT,
                format!("type \"{base}\" does not exist"),
            ));
        }
        // `_int4` is kept as `int4[]`, the form declared column types take.
        let ty = match (ty.strip_prefix('_'), ty.contains('[')) {
            (Some(base), false) => format!("{base}[]"),
            _ => ty,
        };
        attributes.push((attribute, ty));
    }
    let _internal = Internal::begin();
    let insert = format!(
        "INSERT INTO main.{PREFIX}composites (type, attnum, name, datatype) \
         VALUES (?1, ?2, ?3, ?4)"
    );
    conn.execute(
        &insert,
        rusqlite::params![name, 0, None::<String>, None::<String>],
    )?;
    for (i, (attribute, ty)) in attributes.iter().enumerate() {
        conn.execute(
            &insert,
            rusqlite::params![name, (i + 1) as i64, attribute, ty],
        )?;
    }
    Ok(1)
}

/// DROP TYPE of composite type `name`: false when it is none. Refused (2BP01) while
/// another composite type's attribute or a table's column has it.
pub(super) fn drop(
    conn: &Connection,
    name: &str,
    shown: &str,
    cascade: bool,
) -> rusqlite::Result<bool> {
    if find(conn, name)?.is_none() {
        return Ok(false);
    }
    refuse_dependents(conn, name, shown, cascade)?;
    let _internal = Internal::begin();
    conn.execute(
        &format!("DELETE FROM main.{PREFIX}composites WHERE type = ?1"),
        [name],
    )?;
    Ok(true)
}

/// 2BP01 when a composite type's attribute or a domain has type `name` (DROP TYPE). With
/// CASCADE the domains are dropped too; a composite type's attribute is 0A000 (dropping
/// an attribute is not done).
pub(super) fn refuse_dependents(
    conn: &Connection,
    name: &str,
    shown: &str,
    cascade: bool,
) -> rusqlite::Result<()> {
    let domains = super::domains::based_on(conn, name)?;
    let mut users = domains
        .iter()
        .map(|d| format!("type {d} depends on type {shown}"))
        .collect::<Vec<_>>();
    if !exists(conn, "main", "composites")? {
        // CASCADE drops the domains over the type (and what depends on them in turn).
        if cascade {
            for d in &domains {
                super::domains::drop(conn, d, d, true)?;
            }
            return Ok(());
        }
        return refuse(users, shown, cascade);
    }
    let mut stmt = conn.prepare(&format!(
        "SELECT type, name, datatype FROM main.{PREFIX}composites WHERE attnum > 0 \
         ORDER BY rowid"
    ))?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    for row in rows {
        let (ty, attribute, datatype): (String, String, String) = row?;
        let (base, _) = element_type(&datatype);
        if super::relation_name(&base).as_deref() == Some(name) {
            users.push(format!(
                "column {attribute} of composite type {ty} depends on type {shown}"
            ));
        }
    }
    if cascade && users.len() == domains.len() {
        for d in &domains {
            super::domains::drop(conn, d, d, true)?;
        }
        return Ok(());
    }
    refuse(users, shown, cascade)
}

/// 2BP01 naming `users` (0A000 under CASCADE); nothing when there are none.
fn refuse(users: Vec<String>, shown: &str, cascade: bool) -> rusqlite::Result<()> {
    if !users.is_empty() && cascade {
        return Err(raise(crate::sql::translate::unsupported(
            "DROP … CASCADE of a type that a composite type uses",
        )));
    }
    if !users.is_empty() {
        return Err(raise(
            PgError::new(
                SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
                format!("cannot drop type {shown} because other objects depend on it"),
            )
            .with_detail(users.join("\n"))
            .with_hint("Use DROP ... CASCADE to drop the dependent objects too."),
        ));
    }
    Ok(())
}

/// The OID of composite type `name`, if it is one.
pub fn oid_of(conn: &Connection, name: &str) -> rusqlite::Result<Option<u32>> {
    Ok(find(conn, name)?.map(|rowid| (COMPOSITE_OID + rowid) as u32))
}

/// The name of composite type `oid`, if it is one (`format_type`, `::regtype`).
pub fn name_of(conn: &Connection, oid: i64) -> rusqlite::Result<Option<String>> {
    if !(COMPOSITE_OID..COMPOSITE_OID + 40_000_000).contains(&oid)
        || !exists(conn, "main", "composites")?
    {
        return Ok(None);
    }
    conn.prepare_cached(&format!(
        "SELECT type FROM main.{PREFIX}composites WHERE rowid = ?1 AND attnum = 0"
    ))?
    .query_row([oid - COMPOSITE_OID], |r| r.get(0))
    .optional()
}

/// `pg_type` rows of the composite types (catalog/tables.rs).
pub fn type_rows(public: i64) -> String {
    format!(
        "SELECT {COMPOSITE_OID} + c.rowid, c.type, {public}, 10, -1, 0, 'c', 'C', 0, 1, ',', \
         0, NULL, 0, 0, 'record_in', 'record_out', 'record_recv', 'record_send', NULL, NULL, \
         NULL, 'd', 'x', 0, 0, -1, 0, 0, NULL, NULL, NULL FROM main.{PREFIX}composites c \
         WHERE c.attnum = 0"
    )
}

/// `litewire_plain_column_type(name)`, run after CREATE TABLE for a column of a type
/// litewire does not know: 0A000 when it names a composite type or a domain (their
/// values' input rules and checks are not applied to columns). With a second argument
/// (ALTER TABLE's new and retyped columns), 42704 when it names no type at all (neither
/// an enum nor one of PostgreSQL's own, which hold text); CREATE TABLE still takes such
/// a name (COMPAT.md).
fn plain_column_type(ctx: &mut Context<'_>) -> rusqlite::Result<i64> {
    // SAFETY: as in `create`: nested reads.
    let conn = unsafe { ctx.get_connection()? };
    let name: String = ctx.get(0)?;
    // A table's or view's name is its row type too, as composite as CREATE TYPE's.
    let relation = conn
        .query_row(
            "SELECT 1 FROM sqlite_schema WHERE type IN ('table', 'view') AND name = ?1 \
             UNION ALL SELECT 1 FROM temp.sqlite_schema \
             WHERE type IN ('table', 'view') AND name = ?1",
            [&name],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    let what = if relation || find(&conn, &name)?.is_some() {
        "a composite type"
    } else if super::domains::is_domain(&conn, &name)? {
        "a domain"
    } else if ctx.len() < 2
        || super::enums::oid_of(&conn, &name)?.is_some()
        || crate::engine::types::names_a_type(&name)
        || crate::engine::catalog::to_regtype(&name).is_some()
        || crate::engine::catalog::types::postgres_has_type(&name.to_ascii_lowercase())
    {
        return Ok(1);
    } else {
        // No such type: PostgreSQL's 42704 (SQLite would keep any name and hold text).
        return Err(raise(PgError::new(
            SqlState::UNDEFINED_OBJECT,
            format!("type \"{name}\" does not exist"),
        )));
    };
    Err(raise(crate::sql::translate::unsupported(format!(
        "a column of {what} ({name})"
    ))))
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let direct = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY;
    conn.create_scalar_function("litewire_create_composite", -1, direct, create)?;
    conn.create_scalar_function("litewire_plain_column_type", 1, direct, plain_column_type)?;
    conn.create_scalar_function("litewire_plain_column_type", 2, direct, plain_column_type)
}
