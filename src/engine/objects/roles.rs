//! CREATE ROLE / CREATE USER / DROP ROLE: one row per role in `_litewire_roles`, shown
//! through `pg_roles` and `pg_user` beside the session's user. litewire has no privilege
//! system (COMPAT.md, "Roles"): a role is a name and its attributes, nothing can be done
//! as it (SET ROLE to it is 0A000, server/simple.rs) and GRANT/REVOKE are 0A000, so no
//! later statement can depend on what a role would be allowed.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::{Connection, OptionalExtension};

use super::{exists, notice, Internal, PREFIX};
use crate::engine::error::raise;
use crate::protocol::{PgError, SqlState};

/// A created role's OID: this plus its rowid (the session's user is 10).
pub const ROLE_OID: i64 = 1_900_000_000;

/// The rows `pg_roles` adds to the session's user: the created roles, in its columns.
pub fn role_rows() -> String {
    format!(
        "SELECT {ROLE_OID} + rowid, name, super, inherit, createrole, createdb, login, \
         replication, connlimit, '********', NULL, bypassrls, NULL FROM main.{PREFIX}roles"
    )
}

/// The rows `pg_user` adds: the created roles that may log in.
pub fn user_rows() -> String {
    format!(
        "SELECT name, {ROLE_OID} + rowid, createdb, super, replication, bypassrls, \
         '********', NULL, NULL FROM main.{PREFIX}roles WHERE login"
    )
}

/// Whether role `name` was created here (not the session's user).
pub fn is_role(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    if !exists(conn, "main", "roles")? {
        return Ok(false);
    }
    Ok(conn
        .query_row(
            &format!("SELECT 1 FROM main.{PREFIX}roles WHERE name = ?1"),
            [name],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn current_user(conn: &Connection) -> rusqlite::Result<String> {
    conn.query_row("SELECT current_user()", [], |r| r.get(0))
}

/// `litewire_create_role(name, super, inherit, createrole, createdb, login, replication,
/// connlimit, bypassrls)`: CREATE ROLE / CREATE USER; 42710 when the name is taken (by a
/// role or the session's user).
fn create(ctx: &mut Context<'_>) -> rusqlite::Result<i64> {
    // SAFETY: the connection running this very statement, used on this thread for
    // nested statements while the function runs.
    let conn = unsafe { ctx.get_connection()? };
    let name: String = ctx.get(0)?;
    if name == current_user(&conn)? || is_role(&conn, &name)? {
        return Err(raise(PgError::new(
            SqlState::DUPLICATE_OBJECT,
            format!("role \"{name}\" already exists"),
        )));
    }
    let flags: Vec<i64> = (1..9).map(|i| ctx.get(i)).collect::<Result<_, _>>()?;
    let _internal = Internal::begin();
    conn.execute(
        &format!(
            "INSERT INTO main.{PREFIX}roles (name, super, inherit, createrole, createdb, \
             login, replication, connlimit, bypassrls) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        ),
        rusqlite::params![
            name, flags[0], flags[1], flags[2], flags[3], flags[4], flags[5], flags[6], flags[7]
        ],
    )?;
    Ok(1)
}

/// `litewire_drop_role(name, if_exists)`: DROP ROLE / DROP USER. Returns a notice (IF
/// EXISTS of a missing role) or NULL.
fn drop(ctx: &mut Context<'_>) -> rusqlite::Result<Option<String>> {
    // SAFETY: as in `create`.
    let conn = unsafe { ctx.get_connection()? };
    let name: String = ctx.get(0)?;
    let if_exists: bool = ctx.get(1)?;
    if name == current_user(&conn)? {
        return Err(raise(PgError::new(
            SqlState::OBJECT_IN_USE,
            "current user cannot be dropped",
        )));
    }
    if !is_role(&conn, &name)? {
        let message = format!("role \"{name}\" does not exist");
        if if_exists {
            return Ok(Some(notice(
                SqlState::SUCCESSFUL_COMPLETION,
                format!("{message}, skipping"),
            )));
        }
        return Err(raise(PgError::new(SqlState::UNDEFINED_OBJECT, message)));
    }
    let _internal = Internal::begin();
    conn.execute(
        &format!("DELETE FROM main.{PREFIX}roles WHERE name = ?1"),
        [&name],
    )?;
    Ok(None)
}

/// `litewire_role_exists(name)`: 1 for a role created here (SET ROLE's check).
fn role_exists(ctx: &mut Context<'_>) -> rusqlite::Result<i64> {
    // SAFETY: as in `create`.
    let conn = unsafe { ctx.get_connection()? };
    let name: String = ctx.get(0)?;
    Ok(i64::from(is_role(&conn, &name)?))
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let direct = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY;
    conn.create_scalar_function("litewire_create_role", 9, direct, create)?;
    conn.create_scalar_function("litewire_drop_role", 2, direct, drop)?;
    conn.create_scalar_function("litewire_role_exists", 1, direct, role_exists)
}
