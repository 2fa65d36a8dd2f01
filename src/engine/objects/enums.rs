//! Enum types (CREATE TYPE … AS ENUM): rows of `_litewire_enums` — per type one header
//! row (label NULL; its rowid gives the type's OID) and one row per label with its
//! `sortorder` (PostgreSQL's `enumsortorder`: ADD VALUE BEFORE/AFTER takes the midpoint).
//! A column of an enum type stores the label's text; its CHECK calls `litewire_enum_check`,
//! which reads the current labels, so labels added later are accepted at once.
//!
//! A type name that is no enum (an unknown word SQLite reads by affinity) passes these
//! checks as before: only names in the table are enums.

use std::collections::{HashMap, HashSet};

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OptionalExtension};

use super::{exists, notice, Internal, PREFIX};
use crate::engine::error::raise;
use crate::protocol::{PgError, SqlState};

/// OIDs of enum types: this plus the header row's rowid; labels (`pg_enum.oid`): plus
/// [`LABEL_OIDS`] too.
pub const ENUM_OID: i64 = 1_400_000_000;
const LABEL_OIDS: i64 = 50_000_000;

/// Whether `oid` is in the range of enum types' OIDs.
pub fn is_enum_oid(oid: u32) -> bool {
    (ENUM_OID..ENUM_OID + LABEL_OIDS).contains(&i64::from(oid))
}

/// SQLite's subtype for JSON text (`J`): an array's form (engine/array.rs).
const JSON_SUBTYPE: u32 = 74;

/// PostgreSQL's limit on a label (NAMEDATALEN - 1 bytes).
const MAX_LABEL: usize = 63;

/// The header rowid of enum type `name`, if it is one.
fn find(conn: &Connection, name: &str) -> rusqlite::Result<Option<i64>> {
    if !exists(conn, "main", "enums")? {
        return Ok(None);
    }
    conn.prepare_cached(&format!(
        "SELECT rowid FROM main.{PREFIX}enums WHERE type = ?1 AND label IS NULL"
    ))?
    .query_row([name], |r| r.get(0))
    .optional()
}

/// The OID of enum type `name` (a column's declared type), if it is one.
pub fn oid_of(conn: &Connection, name: &str) -> rusqlite::Result<Option<u32>> {
    Ok(find(conn, name)?.map(|rowid| (ENUM_OID + rowid) as u32))
}

/// The PostgreSQL type of a column declared `decl` (or a type name resolved for a
/// result): an enum's own OID with its labels as text, else the built-in type it names.
pub fn declared_type(conn: &Connection, decl: &str) -> crate::engine::types::PgType {
    use crate::engine::types::{self, PgType};
    if !types::names_a_type(decl) {
        if let Ok(Some(oid)) = oid_of(conn, decl) {
            return PgType {
                oid,
                ..PgType::TEXT
            };
        }
    }
    types::from_decltype(decl)
}

/// The labels of enum type `name` in their order, or None when it is no enum.
fn labels(conn: &Connection, name: &str) -> rusqlite::Result<Option<Vec<(String, f64)>>> {
    if find(conn, name)?.is_none() {
        return Ok(None);
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT label, sortorder FROM main.{PREFIX}enums \
         WHERE type = ?1 AND label IS NOT NULL ORDER BY sortorder"
    ))?;
    let rows = stmt.query_map([name], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map(Some)
}

/// A type's name as PostgreSQL prints it in messages (`quote_identifier`): quoted unless
/// lower case letters, digits and underscores.
fn shown(name: &str) -> String {
    let plain = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

fn error(code: SqlState, message: String) -> rusqlite::Error {
    raise(PgError::new(code, message))
}

fn not_a_label(label: &str) -> rusqlite::Error {
    error(
        SqlState::INVALID_PARAMETER_VALUE,
        format!("\"{label}\" is not an existing enum label"),
    )
}

fn check_label(label: &str) -> rusqlite::Result<()> {
    if label.len() > MAX_LABEL {
        return Err(raise(
            PgError::new(
                SqlState::INVALID_NAME,
                format!("invalid enum label \"{label}\""),
            )
            .with_detail("Labels must be 63 bytes or less."),
        ));
    }
    Ok(())
}

/// Whether a type named `name` exists: an enum or a built-in type.
fn taken(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    Ok(find(conn, name)?.is_some()
        || super::composites::is_composite(conn, name)?
        || super::domains::is_domain(conn, name)?
        || crate::engine::types::names_a_type(name))
}

fn already_exists(name: &str) -> rusqlite::Error {
    error(
        SqlState::DUPLICATE_OBJECT,
        format!("type \"{name}\" already exists"),
    )
}

fn missing_type(name: &str) -> rusqlite::Error {
    error(
        SqlState::UNDEFINED_OBJECT,
        format!("type \"{name}\" does not exist"),
    )
}

/// The (table, column) pairs whose declared type is enum `name`.
fn columns_of(conn: &Connection, name: &str) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT s.name, p.name FROM sqlite_schema s, pragma_table_info(s.name) p \
         WHERE s.type = 'table' AND p.type = ?1 ORDER BY s.rowid, p.cid",
    )?;
    let rows = stmt.query_map([name], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// `litewire_create_enum(unless_exists, name, label, …)`: CREATE TYPE name AS ENUM
/// (labels); `unless_exists` 1: nothing when it exists (a DO block that ignores
/// duplicate_object).
fn create(ctx: &mut Context<'_>) -> rusqlite::Result<i64> {
    // SAFETY: the connection running this very statement, used on this thread for
    // nested statements while the function runs.
    let conn = unsafe { ctx.get_connection()? };
    let name: String = ctx.get(1)?;
    if find(&conn, &name)?.is_some() && ctx.get::<bool>(0)? {
        return Ok(0);
    }
    if taken(&conn, &name)? {
        return Err(already_exists(&name));
    }
    let _internal = Internal::begin();
    let insert =
        format!("INSERT INTO main.{PREFIX}enums (type, label, sortorder) VALUES (?1, ?2, ?3)");
    conn.execute(
        &insert,
        rusqlite::params![name, None::<String>, None::<f64>],
    )?;
    let oid = ENUM_OID + conn.last_insert_rowid();
    for i in 2..ctx.len() {
        let label: String = ctx.get(i)?;
        check_label(&label)?;
        let added = conn.execute(
            &format!(
                "INSERT OR IGNORE INTO main.{PREFIX}enums (type, label, sortorder) \
                 VALUES (?1, ?2, ?3)"
            ),
            rusqlite::params![name, label, (i - 1) as f64],
        )?;
        if added == 0 {
            return Err(raise(
                PgError::new(
                    SqlState::UNIQUE_VIOLATION,
                    "duplicate key value violates unique constraint \"pg_enum_typid_label_index\"",
                )
                .with_detail(format!(
                    "Key (enumtypid, enumlabel)=({oid}, {label}) already exists."
                )),
            ));
        }
    }
    Ok(1)
}

/// `litewire_drop_type(name, if_exists, cascade)`: DROP TYPE of an enum no column uses
/// (CASCADE would drop the columns: not done).
fn drop_type(ctx: &mut Context<'_>) -> rusqlite::Result<Option<String>> {
    // SAFETY: as in `create`.
    let conn = unsafe { ctx.get_connection()? };
    let name: String = ctx.get(0)?;
    if find(&conn, &name)?.is_none() {
        let cascade = ctx.get::<bool>(2)?;
        if super::composites::drop(&conn, &name, &shown(&name), cascade)?
            || super::domains::drop(&conn, &name, &shown(&name), cascade)?
        {
            return Ok(None);
        }
        if ctx.get::<bool>(1)? {
            return Ok(Some(notice(
                SqlState::SUCCESSFUL_COMPLETION,
                format!("type \"{name}\" does not exist, skipping"),
            )));
        }
        return Err(missing_type(&name));
    }
    super::composites::refuse_dependents(&conn, &name, &shown(&name), ctx.get(2)?)?;
    let users = columns_of(&conn, &name)?;
    if !users.is_empty() {
        if ctx.get::<bool>(2)? {
            return Err(raise(crate::sql::translate::unsupported(
                "DROP TYPE … CASCADE of a type that columns use (it would drop the columns)",
            )));
        }
        let detail = users
            .iter()
            .map(|(t, c)| format!("column {c} of table {t} depends on type {}", shown(&name)))
            .collect::<Vec<_>>()
            .join("\n");
        return Err(raise(
            PgError::new(
                SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
                format!(
                    "cannot drop type {} because other objects depend on it",
                    shown(&name)
                ),
            )
            .with_detail(detail)
            .with_hint("Use DROP ... CASCADE to drop the dependent objects too."),
        ));
    }
    let _internal = Internal::begin();
    conn.execute(
        &format!("DELETE FROM main.{PREFIX}enums WHERE type = ?1"),
        [&name],
    )?;
    Ok(None)
}

/// `litewire_enum_add(name, label, if_not_exists, before, after)`: ALTER TYPE … ADD VALUE.
fn add_value(ctx: &mut Context<'_>) -> rusqlite::Result<Option<String>> {
    // SAFETY: as in `create`.
    let conn = unsafe { ctx.get_connection()? };
    let name: String = ctx.get(0)?;
    let label: String = ctx.get(1)?;
    let before: Option<String> = ctx.get(3)?;
    let after: Option<String> = ctx.get(4)?;
    let labels = labels(&conn, &name)?.ok_or_else(|| missing_type(&name))?;
    check_label(&label)?;
    if labels.iter().any(|(l, _)| *l == label) {
        let message = format!("enum label \"{label}\" already exists");
        if ctx.get::<bool>(2)? {
            return Ok(Some(notice(
                SqlState::DUPLICATE_OBJECT,
                format!("{message}, skipping"),
            )));
        }
        return Err(error(SqlState::DUPLICATE_OBJECT, message));
    }
    let order = |l: &str| {
        labels
            .iter()
            .position(|(x, _)| x == l)
            .ok_or_else(|| not_a_label(l))
    };
    let sortorder = match (before, after) {
        (Some(b), _) => {
            let at = order(&b)?;
            match at.checked_sub(1) {
                Some(prev) => (labels[prev].1 + labels[at].1) / 2.0,
                None => labels[at].1 - 1.0,
            }
        }
        (None, Some(a)) => {
            let at = order(&a)?;
            match labels.get(at + 1) {
                Some(next) => (labels[at].1 + next.1) / 2.0,
                None => labels[at].1 + 1.0,
            }
        }
        (None, None) => labels.last().map_or(1.0, |l| l.1 + 1.0),
    };
    let _internal = Internal::begin();
    conn.execute(
        &format!("INSERT INTO main.{PREFIX}enums (type, label, sortorder) VALUES (?1, ?2, ?3)"),
        rusqlite::params![name, label, sortorder],
    )?;
    Ok(None)
}

/// `litewire_enum_rename_value(name, old, new)`: ALTER TYPE … RENAME VALUE; the stored
/// values of the type's columns follow (PostgreSQL stores the label's OID).
fn rename_value(ctx: &mut Context<'_>) -> rusqlite::Result<i64> {
    // SAFETY: as in `create`.
    let conn = unsafe { ctx.get_connection()? };
    let name: String = ctx.get(0)?;
    let old: String = ctx.get(1)?;
    let new: String = ctx.get(2)?;
    let labels = labels(&conn, &name)?.ok_or_else(|| missing_type(&name))?;
    check_label(&new)?;
    if !labels.iter().any(|(l, _)| *l == old) {
        return Err(not_a_label(&old));
    }
    if labels.iter().any(|(l, _)| *l == new) {
        return Err(error(
            SqlState::DUPLICATE_OBJECT,
            format!("enum label \"{new}\" already exists"),
        ));
    }
    let _internal = Internal::begin();
    conn.execute(
        &format!("UPDATE main.{PREFIX}enums SET label = ?3 WHERE type = ?1 AND label = ?2"),
        [&name, &old, &new],
    )?;
    let ident = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    for (table, column) in columns_of(&conn, &name)? {
        conn.execute(
            &format!(
                "UPDATE main.{} SET {c} = ?2 WHERE {c} = ?1",
                ident(&table),
                c = ident(&column)
            ),
            [&old, &new],
        )?;
    }
    Ok(1)
}

/// `litewire_rename_type(name, new)`: ALTER TYPE … RENAME TO, for a type no column uses
/// (a column's declared type would need its table rebuilt).
fn rename_type(ctx: &mut Context<'_>) -> rusqlite::Result<i64> {
    // SAFETY: as in `create`.
    let conn = unsafe { ctx.get_connection()? };
    let name: String = ctx.get(0)?;
    let new: String = ctx.get(1)?;
    if find(&conn, &name)?.is_none() {
        return Err(missing_type(&name));
    }
    if taken(&conn, &new)? {
        return Err(already_exists(&new));
    }
    if !columns_of(&conn, &name)?.is_empty() {
        return Err(raise(crate::sql::translate::unsupported(
            "ALTER TYPE … RENAME TO of a type that columns use",
        )));
    }
    let _internal = Internal::begin();
    conn.execute(
        &format!("UPDATE main.{PREFIX}enums SET type = ?2 WHERE type = ?1"),
        [&name, &new],
    )?;
    Ok(1)
}

/// `litewire_type_owner(name, role)`: ALTER TYPE … OWNER TO: litewire's one role owns
/// every object, so only the session's user is accepted (42704 for any other role).
fn type_owner(ctx: &mut Context<'_>) -> rusqlite::Result<i64> {
    // SAFETY: as in `create`: nested reads.
    let conn = unsafe { ctx.get_connection()? };
    let name: String = ctx.get(0)?;
    let role: String = ctx.get(1)?;
    if find(&conn, &name)?.is_none() {
        return Err(missing_type(&name));
    }
    super::owner_is_user(&conn, &role)?;
    Ok(1)
}

/// A stored value as a label's text (a column's affinity may have made a label that
/// reads as a number one); None for NULL.
fn label(v: ValueRef<'_>) -> Option<String> {
    Some(match v {
        ValueRef::Null => return None,
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Text(t) | ValueRef::Blob(t) => String::from_utf8_lossy(t).into_owned(),
    })
}

/// `value` as input of enum `name` (`enum_in`): the label, or 22P02. Values of a type
/// that is no enum pass as text. The labels are read once per statement (SQLite keeps
/// them with the constant `name` argument): a CHECK runs this per row.
fn input(ctx: &Context<'_>, value: usize, name: usize) -> rusqlite::Result<Option<String>> {
    let Some(v) = label(ctx.get_raw(value)) else {
        return Ok(None);
    };
    let labels = ctx.get_or_create_aux(name as i32, |n| -> rusqlite::Result<_> {
        let name = String::from_utf8_lossy(n.as_bytes()?).into_owned();
        // SAFETY: as in `create`: one nested read.
        let conn = unsafe { ctx.get_connection()? };
        let labels = labels(&conn, &name)?;
        if labels.is_none()
            && (super::composites::is_composite(&conn, &name)?
                || super::domains::is_domain(&conn, &name)?)
        {
            // A value of a composite type or domain: its input rules are not applied.
            return Err(raise(crate::sql::translate::unsupported(format!(
                "a value of type {name} here"
            ))));
        }
        Ok(labels.map(|l| (name, l.into_iter().map(|(l, _)| l).collect::<HashSet<_>>())))
    })?;
    if let Some((name, labels)) = &*labels {
        if !labels.contains(&v) {
            return Err(invalid_input(name, &v));
        }
    }
    Ok(Some(v))
}

fn invalid_input(name: &str, value: &str) -> rusqlite::Error {
    error(
        SqlState::INVALID_TEXT_REPRESENTATION,
        format!("invalid input value for enum {}: \"{value}\"", shown(name)),
    )
}

/// Refuses `value` (22P02) when `name` is an enum without that label.
pub fn check_input(conn: &Connection, name: &str, value: &str) -> rusqlite::Result<()> {
    if find(conn, name)?.is_none() {
        return Ok(());
    }
    let known: Option<i64> = conn
        .prepare_cached(&format!(
            "SELECT 1 FROM main.{PREFIX}enums WHERE type = ?1 AND label = ?2"
        ))?
        .query_row([name, value], |r| r.get(0))
        .optional()?;
    match known {
        Some(_) => Ok(()),
        None => Err(invalid_input(name, value)),
    }
}

/// `pg_enum_key(value, 'e')`: where `value` sorts among enum `e`'s labels (its
/// `enumsortorder`), which ORDER BY and `<`/`>` compare (engine/compare.rs); a label
/// the type lacks is 22P02, a type that is no enum leaves the value as it is.
pub(crate) fn sort_key(ctx: &Context<'_>, value: usize, name: usize) -> rusqlite::Result<Value> {
    let Some(v) = label(ctx.get_raw(value)) else {
        return Ok(Value::Null);
    };
    let orders = ctx.get_or_create_aux(name as i32, |n| -> rusqlite::Result<_> {
        let name = String::from_utf8_lossy(n.as_bytes()?).into_owned();
        // SAFETY: as in `create`: one nested read.
        let conn = unsafe { ctx.get_connection()? };
        let labels = labels(&conn, &name)?;
        Ok(labels.map(|l| (name, l.into_iter().collect::<HashMap<String, f64>>())))
    })?;
    match &*orders {
        Some((name, orders)) => match orders.get(&v) {
            Some(order) => Ok(Value::Real(*order)),
            None => Err(invalid_input(name, &v)),
        },
        None => Ok(Value::Text(v)),
    }
}

/// `enum_range(NULL::e)` / `enum_first` / `enum_last`, by the type's name (the
/// translator's `pg_enum_range('e')`).
fn range(ctx: &Context<'_>, which: &str) -> rusqlite::Result<Option<String>> {
    let name: String = ctx.get(0)?;
    // SAFETY: as in `create`: one nested read.
    let conn = unsafe { ctx.get_connection()? };
    let labels = labels(&conn, &name)?.ok_or_else(|| missing_type(&name))?;
    Ok(match which {
        "first" => labels.first().map(|l| l.0.clone()),
        "last" => labels.last().map(|l| l.0.clone()),
        // An array: its JSON text (engine/array.rs).
        _ => {
            let mut out = String::from("[");
            for (i, (label, _)) in labels.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                crate::engine::array::push_json_string(&mut out, label);
            }
            out.push(']');
            Some(out)
        }
    })
}

/// `pg_type` rows of the enum types (catalog/tables.rs), from `_litewire_enums`.
pub fn type_rows(public: i64) -> String {
    format!(
        "SELECT {ENUM_OID} + e.rowid, e.type, {public}, 10, 4, 1, 'e', 'E', 0, 1, ',', 0, \
         NULL, 0, 0, 'enum_in', 'enum_out', 'enum_recv', 'enum_send', NULL, NULL, NULL, 'i', \
         'p', 0, 0, -1, 0, 0, NULL, NULL, NULL FROM main.{PREFIX}enums e WHERE e.label IS NULL"
    )
}

/// `pg_enum`'s rows.
pub fn label_rows() -> String {
    format!(
        "SELECT {ENUM_OID} + {LABEL_OIDS} + l.rowid, {ENUM_OID} + h.rowid, l.sortorder, l.label \
         FROM main.{PREFIX}enums l JOIN main.{PREFIX}enums h \
         ON h.type = l.type AND h.label IS NULL WHERE l.label IS NOT NULL"
    )
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let direct = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY;
    // Called by the CHECKs of enum columns in the user's schema: innocuous (trusted_schema
    // is off) and deterministic (SQLite allows no other in a CHECK).
    let check = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_INNOCUOUS
        | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("litewire_create_enum", -1, direct, create)?;
    conn.create_scalar_function("litewire_drop_type", 3, direct, drop_type)?;
    conn.create_scalar_function("litewire_enum_add", 5, direct, add_value)?;
    conn.create_scalar_function("litewire_enum_rename_value", 3, direct, rename_value)?;
    conn.create_scalar_function("litewire_rename_type", 2, direct, rename_type)?;
    conn.create_scalar_function("litewire_type_owner", 2, direct, type_owner)?;
    conn.create_scalar_function("litewire_enum_check", 2, check, |ctx| {
        input(ctx, 0, 1).map(|_| true)
    })?;
    conn.create_scalar_function("pg_enum_in", 2, check, |ctx| input(ctx, 0, 1))?;
    conn.create_scalar_function("pg_enum_key", 2, check, |ctx| sort_key(ctx, 0, 1))?;
    for which in ["first", "last"] {
        conn.create_scalar_function(
            format!("pg_enum_{which}").as_str(),
            1,
            FunctionFlags::SQLITE_UTF8,
            move |ctx| range(ctx, which),
        )?;
    }
    // An array: JSON text with SQLite's JSON subtype, as the array functions read it.
    conn.create_scalar_function(
        "pg_enum_range",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_RESULT_SUBTYPE,
        |ctx| Ok((range(ctx, "range")?, Some(JSON_SUBTYPE))),
    )?;
    Ok(())
}

/// The name of enum type `oid`, if it is one (`format_type`, `::regtype`).
pub fn name_of(conn: &Connection, oid: i64) -> rusqlite::Result<Option<String>> {
    if !is_enum_oid(oid as u32) || !exists(conn, "main", "enums")? {
        return Ok(None);
    }
    conn.prepare_cached(&format!(
        "SELECT type FROM main.{PREFIX}enums WHERE rowid = ?1 AND label IS NULL"
    ))?
    .query_row([oid - ENUM_OID], |r| r.get(0))
    .optional()
}
