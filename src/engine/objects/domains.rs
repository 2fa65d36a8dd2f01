//! Domains (CREATE DOMAIN name AS type [NOT NULL] [CHECK (…)]): rows of
//! `_litewire_domains` — per domain a header row (seq 0: the base type as written, NOT
//! NULL) and one row per CHECK: its constraint name and the
//! SQLite query of the value bound as parameter 1, translated when the domain was
//! created (sql/translate/domains.rs). A value of the domain is made by
//! the record functions (a composite type's attribute); a column or cast of a domain
//! is refused (0A000, objects/enums.rs: `plain_type`).

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension};

use super::{exists, notice, Internal, PREFIX};
use crate::engine::error::raise;
use crate::protocol::{PgError, SqlState};

/// A domain's definition.
pub struct Domain {
    pub base: String,
    pub not_null: bool,
    /// (constraint name, SQLite query).
    pub checks: Vec<(String, String)>,
}

/// The rowid of domain `name`, if it is one.
fn find(conn: &Connection, name: &str) -> rusqlite::Result<Option<i64>> {
    if !exists(conn, "main", "domains")? {
        return Ok(None);
    }
    conn.prepare_cached(&format!(
        "SELECT rowid FROM main.{PREFIX}domains WHERE name = ?1 AND seq = 0"
    ))?
    .query_row([name], |r| r.get(0))
    .optional()
}

/// The domains whose base type is `name` (or an array of it).
pub(super) fn based_on(conn: &Connection, name: &str) -> rusqlite::Result<Vec<String>> {
    if !exists(conn, "main", "domains")? {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare(&format!(
        "SELECT name, base FROM main.{PREFIX}domains WHERE seq = 0 ORDER BY rowid"
    ))?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (domain, base) = row?;
        let (element, _) = super::composites::element_type(&base);
        if super::relation_name(&element).as_deref() == Some(name) {
            out.push(domain);
        }
    }
    Ok(out)
}

/// Whether `name` is a domain.
pub fn is_domain(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    Ok(find(conn, name)?.is_some())
}

/// Domain `name`'s definition, None when it is none.
pub fn domain(conn: &Connection, name: &str) -> rusqlite::Result<Option<Domain>> {
    if !exists(conn, "main", "domains")? {
        return Ok(None);
    }
    let header: Option<(String, bool)> = conn
        .prepare_cached(&format!(
            "SELECT base, not_null FROM main.{PREFIX}domains WHERE name = ?1 AND seq = 0"
        ))?
        .query_row([name], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((base, not_null)) = header else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT constraint_name, query FROM main.{PREFIX}domains \
         WHERE name = ?1 AND seq > 0 ORDER BY seq"
    ))?;
    let checks = stmt
        .query_map([name], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(Domain {
        base,
        not_null,
        checks,
    }))
}

/// Refuses `value` for domain `name` as PostgreSQL's domain_check does: NULL under NOT
/// NULL (23502), a CHECK that is false (23514).
pub fn check(conn: &Connection, name: &str, d: &Domain, value: &SqlValue) -> Result<(), PgError> {
    if d.not_null && *value == SqlValue::Null {
        return Err(PgError::new(
            SqlState::NOT_NULL_VIOLATION,
            format!("domain {name} does not allow null values"),
        ));
    }
    for (constraint, sql) in &d.checks {
        let to_pg = |e: rusqlite::Error| crate::engine::error::to_pg(&e);
        let ok: Option<bool> = conn
            .prepare_cached(sql)
            .map_err(to_pg)?
            .query_row([value], |r| r.get(0))
            .map_err(to_pg)?;
        if ok == Some(false) {
            return Err(PgError::new(
                SqlState::CHECK_VIOLATION,
                format!("value for domain {name} violates check constraint \"{constraint}\""),
            ));
        }
    }
    Ok(())
}

fn error(code: SqlState, message: String) -> rusqlite::Error {
    raise(PgError::new(code, message))
}

/// `litewire_create_domain(name, base, not_null, constraint, query, …)`: CREATE DOMAIN.
fn create(ctx: &mut Context<'_>) -> rusqlite::Result<i64> {
    // SAFETY: the connection running this very statement, used on this thread for
    // nested statements while the function runs.
    let conn = unsafe { ctx.get_connection()? };
    let name: String = ctx.get(0)?;
    let base: String = ctx.get(1)?;
    let not_null: bool = ctx.get(2)?;
    if super::composites::type_taken(&conn, &name)? {
        return Err(error(
            SqlState::DUPLICATE_OBJECT,
            format!("type \"{name}\" already exists"),
        ));
    }
    if !super::composites::type_exists(&conn, &base)? {
        let (element, _) = super::composites::element_type(&base);
        return Err(error(
            SqlState::UNDEFINED_OBJECT,
            format!("type \"{element}\" does not exist"),
        ));
    }
    let mut checks: Vec<(String, String)> = Vec::new();
    for i in (3..ctx.len()).step_by(2) {
        let (constraint, query): (String, String) = (ctx.get(i)?, ctx.get(i + 1)?);
        // Each CHECK compiles now: an unknown column or function is the CREATE's error.
        if let Err(e) = conn.prepare(&query) {
            let message = e.to_string();
            if let Some(rest) = message.split("no such column: ").nth(1) {
                let column = rest.split_whitespace().next().unwrap_or(rest);
                return Err(error(
                    SqlState::UNDEFINED_COLUMN,
                    format!("column \"{column}\" does not exist"),
                ));
            }
            return Err(e);
        }
        checks.push((constraint, query));
    }
    let _internal = Internal::begin();
    let insert = format!(
        "INSERT INTO main.{PREFIX}domains (name, seq, base, not_null, constraint_name, query) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    );
    conn.execute(
        &insert,
        rusqlite::params![name, 0, base, not_null, None::<String>, None::<String>],
    )?;
    for (i, (constraint, query)) in checks.iter().enumerate() {
        conn.execute(
            &insert,
            rusqlite::params![
                name,
                (i + 1) as i64,
                None::<String>,
                None::<bool>,
                constraint,
                query
            ],
        )?;
    }
    Ok(1)
}

/// DROP TYPE / DROP DOMAIN of domain `name`: false when it is none; 2BP01 while a
/// composite type's attribute has it.
pub(super) fn drop(
    conn: &Connection,
    name: &str,
    shown: &str,
    cascade: bool,
) -> rusqlite::Result<bool> {
    if find(conn, name)?.is_none() {
        return Ok(false);
    }
    super::composites::refuse_dependents(conn, name, shown, cascade)?;
    let _internal = Internal::begin();
    conn.execute(
        &format!("DELETE FROM main.{PREFIX}domains WHERE name = ?1"),
        [name],
    )?;
    Ok(true)
}

/// `litewire_drop_domain(name, if_exists, cascade)`: DROP DOMAIN.
fn drop_domain(ctx: &mut Context<'_>) -> rusqlite::Result<Option<String>> {
    // SAFETY: as in `create`.
    let conn = unsafe { ctx.get_connection()? };
    let name: String = ctx.get(0)?;
    if drop(&conn, &name, &name, ctx.get(2)?)? {
        return Ok(None);
    }
    if super::composites::type_taken(&conn, &name)? {
        return Err(error(
            SqlState::WRONG_OBJECT_TYPE,
            format!("\"{name}\" is not a domain"),
        ));
    }
    if ctx.get::<bool>(1)? {
        return Ok(Some(notice(
            SqlState::SUCCESSFUL_COMPLETION,
            format!("type \"{name}\" does not exist, skipping"),
        )));
    }
    Err(error(
        SqlState::UNDEFINED_OBJECT,
        format!("type \"{name}\" does not exist"),
    ))
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let direct = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY;
    conn.create_scalar_function("litewire_create_domain", -1, direct, create)?;
    conn.create_scalar_function("litewire_drop_domain", 3, direct, drop_domain)
}
