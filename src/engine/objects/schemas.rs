//! Schemas besides `public` (sql/translate/schemas.rs): one row each in
//! `_litewire_schemas` (its rowid gives the schema's OID). Their relations are SQLite's
//! tables, views and indexes named `schema.name`; DROP SCHEMA … CASCADE drops them here.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::{Connection, OptionalExtension};

use super::{exists, PREFIX};
use crate::engine::error::{raise, to_pg};
use crate::protocol::{PgError, Severity, SqlState};
use crate::sql::translate::schemas::DROP_PART;

/// OIDs of user schemas: this plus the row's rowid (below the relations' 16384 + rowid
/// would collide; PostgreSQL's own are below 16384 too).
pub const SCHEMA_OID: i64 = 1_470_000_000;

/// The catalog's rows of the user schemas (oid, nspname, nspowner, nspacl).
pub fn namespace_rows() -> String {
    format!("SELECT {SCHEMA_OID} + rowid, name, 10, NULL FROM main.{PREFIX}schemas")
}

/// SQL for the namespace OID of the SQLite relation name `e` (an expression): its
/// schema's when it is `schema.name` of a schema that exists, else public's.
pub fn namespace_of(e: &str) -> String {
    format!(
        "coalesce((SELECT {SCHEMA_OID} + n.rowid FROM main.{PREFIX}schemas n \
         WHERE instr({e}, '.') > 0 AND n.name = substr({e}, 1, instr({e}, '.') - 1)), 2200)"
    )
}

/// SQL for the schema name of the SQLite relation name `e`.
pub fn schema_name_of(e: &str) -> String {
    format!(
        "coalesce((SELECT n.name FROM main.{PREFIX}schemas n \
         WHERE instr({e}, '.') > 0 AND n.name = substr({e}, 1, instr({e}, '.') - 1)), 'public')"
    )
}

/// SQL for the name within its schema of the SQLite relation name `e` (`s.t` → `t`).
pub fn relname_of(e: &str) -> String {
    format!(
        "CASE WHEN {} = 'public' THEN {e} ELSE substr({e}, instr({e}, '.') + 1) END",
        schema_name_of(e)
    )
}

/// A SQLite relation name as PostgreSQL shows it: `s.t` (each part quoted if needed)
/// for a user schema's, `t` for public's.
pub fn shown(name: &str) -> String {
    use crate::engine::pgfuncs::strings::quote_ident;
    match crate::sql::translate::schemas::schema_of(name) {
        Some(s) => format!("{}.{}", quote_ident(s), quote_ident(&name[s.len() + 1..])),
        None => quote_ident(name),
    }
}

/// Whether schema `name` exists.
fn find(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    if !exists(conn, "main", "schemas")? {
        return Ok(false);
    }
    Ok(conn
        .prepare_cached(&format!(
            "SELECT 1 FROM main.{PREFIX}schemas WHERE name = ?1"
        ))?
        .query_row([name], |_| Ok(()))
        .optional()?
        .is_some())
}

fn no_schema(name: &str) -> PgError {
    PgError::new(
        SqlState::INVALID_SCHEMA_NAME,
        format!("schema \"{name}\" does not exist"),
    )
}

/// `litewire_create_schema(name, if_not_exists, owner)`: the schema's row; an existing
/// one is 42P06, or with IF NOT EXISTS a notice (returned as text, objects/mod.rs).
fn create(ctx: &mut Context<'_>) -> rusqlite::Result<Option<String>> {
    // SAFETY: the connection running this very statement, used on this thread for
    // nested statements while the function runs.
    let conn = unsafe { ctx.get_connection()? };
    let name: String = ctx.get(0)?;
    let if_not_exists: bool = ctx.get(1)?;
    let owner: String = ctx.get(2)?;
    if find(&conn, &name)? {
        let message = format!("schema \"{name}\" already exists");
        if if_not_exists {
            return Ok(Some(format!(
                "{} {message}, skipping",
                SqlState::DUPLICATE_SCHEMA.0
            )));
        }
        return Err(raise(PgError::new(SqlState::DUPLICATE_SCHEMA, message)));
    }
    conn.execute(
        &format!("INSERT INTO main.{PREFIX}schemas (name, owner) VALUES (?1, ?2)"),
        [&name, &owner],
    )?;
    Ok(None)
}

/// `litewire_schema_exists(name)`, run with a statement creating a relation in it: 3F000
/// when it does not exist (the batch then rolls the relation back).
fn exists_check(ctx: &mut Context<'_>) -> rusqlite::Result<i64> {
    // SAFETY: as in `create`.
    let conn = unsafe { ctx.get_connection()? };
    let name: String = ctx.get(0)?;
    if find(&conn, &name)? {
        Ok(1)
    } else {
        Err(raise(no_schema(&name)))
    }
}

/// A relation of a schema: kind as PostgreSQL's messages say it, and SQLite name.
struct Member {
    kind: &'static str,
    name: String,
}

/// A LIKE pattern (escape `\\`) matching the SQLite names of schema `name`'s relations.
fn members_pattern(name: &str) -> String {
    let escaped = name
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("{escaped}.%")
}

/// The relations and sequences in schema `name`, in the order they were made.
fn members(conn: &Connection, name: &str) -> rusqlite::Result<Vec<Member>> {
    let pattern = members_pattern(name);
    let mut out = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT type, name FROM main.sqlite_schema WHERE type IN ('view', 'table') \
         AND name LIKE ?1 ESCAPE '\\' ORDER BY rowid",
    )?;
    let rows = stmt.query_map([&pattern], |r| {
        Ok(Member {
            kind: if r.get::<_, String>(0)? == "view" {
                "view"
            } else {
                "table"
            },
            name: r.get(1)?,
        })
    })?;
    for m in rows {
        out.push(m?);
    }
    if exists(conn, "main", "sequences")? {
        let mut stmt = conn.prepare(&format!(
            "SELECT name FROM main.{PREFIX}sequences WHERE name LIKE ?1 ESCAPE '\\' \
             AND (owned_table IS NULL OR owned_table NOT LIKE ?1 ESCAPE '\\') ORDER BY rowid"
        ))?;
        let rows = stmt.query_map([&pattern], |r| r.get::<_, String>(0))?;
        for n in rows {
            out.push(Member {
                kind: "sequence",
                name: n?,
            });
        }
    }
    Ok(out)
}

/// Tables outside the schema whose foreign keys reference one of its tables.
fn referenced_from_outside(conn: &Connection, schema: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT s.name FROM main.sqlite_schema s, pragma_foreign_key_list(s.name) f \
         WHERE s.type = 'table' AND f.\"table\" LIKE ?1 ESCAPE '\\' \
         AND s.name NOT LIKE ?1 ESCAPE '\\' LIMIT 1",
        [members_pattern(schema)],
        |r| r.get(0),
    )
    .optional()
}

/// DROP SCHEMA's part (`DROP_PART` + IF EXISTS + CASCADE + name): RESTRICT refuses a
/// schema holding relations (2BP01, as PostgreSQL); CASCADE drops them first.
pub fn drop(conn: &Connection, spec: &str, notices: &mut Vec<PgError>) -> Result<(), PgError> {
    let (flags, name) = spec.split_at(2.min(spec.len()));
    let (if_exists, cascade) = (flags.starts_with('1'), flags.ends_with('1'));
    let pg = |e: rusqlite::Error| to_pg(&e);
    if !find(conn, name).map_err(pg)? {
        if if_exists {
            notices.push(PgError {
                severity: Severity::Notice,
                ..PgError::new(
                    SqlState::SUCCESSFUL_COMPLETION,
                    format!("schema \"{name}\" does not exist, skipping"),
                )
            });
            return Ok(());
        }
        return Err(no_schema(name));
    }
    let members = members(conn, name).map_err(pg)?;
    let shown = |m: &Member| format!("{} {}", m.kind, shown(&m.name));
    if !members.is_empty() {
        let lines: Vec<String> = members.iter().map(shown).collect();
        if !cascade {
            let detail: Vec<String> = lines
                .iter()
                .map(|l| format!("{l} depends on schema {name}"))
                .collect();
            return Err(PgError::new(
                SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
                format!("cannot drop schema {name} because other objects depend on it"),
            )
            .with_detail(detail.join("\n"))
            .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
        }
        if let Some(table) = referenced_from_outside(conn, name).map_err(pg)? {
            return Err(crate::sql::translate::unsupported(format!(
                "DROP SCHEMA … CASCADE of a schema whose tables the foreign keys of \
                 \"{table}\" reference"
            )));
        }
        let notice = if lines.len() == 1 {
            PgError::new(
                SqlState::SUCCESSFUL_COMPLETION,
                format!("drop cascades to {}", lines[0]),
            )
        } else {
            PgError::new(
                SqlState::SUCCESSFUL_COMPLETION,
                format!("drop cascades to {} other objects", lines.len()),
            )
            .with_detail(
                lines
                    .iter()
                    .map(|l| format!("drop cascades to {l}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        };
        notices.push(PgError {
            severity: Severity::Notice,
            ..notice
        });
    }
    // Foreign keys between the schema's tables are checked at the end of the
    // transaction while they go: dropping a referenced table first then finds no
    // violation left once the referencing one is gone (SQLite's implicit DELETE).
    let deferred: bool = conn
        .query_row("PRAGMA defer_foreign_keys", [], |r| r.get(0))
        .map_err(pg)?;
    conn.execute_batch("PRAGMA defer_foreign_keys = ON")
        .map_err(pg)?;
    let dropped = drop_members(conn, &members);
    if !deferred {
        conn.execute_batch("PRAGMA defer_foreign_keys = OFF")
            .map_err(pg)?;
    }
    dropped?;
    conn.execute(
        &format!("DELETE FROM main.{PREFIX}schemas WHERE name = ?1"),
        [name],
    )
    .map_err(pg)?;
    Ok(())
}

fn drop_members(conn: &Connection, members: &[Member]) -> Result<(), PgError> {
    let pg = |e: rusqlite::Error| to_pg(&e);
    let quoted = |n: &str| format!("\"{}\"", n.replace('"', "\"\""));
    let literal = |n: &str| format!("'{}'", n.replace('\'', "''"));
    // Views first: they may read the tables.
    let views = members.iter().filter(|m| m.kind == "view");
    for m in views.chain(members.iter().filter(|m| m.kind != "view")) {
        let sql = match m.kind {
            "view" => format!("DROP VIEW {}", quoted(&m.name)),
            "table" => format!(
                "DROP TABLE {}; SELECT litewire_drop_owned({})",
                quoted(&m.name),
                literal(&m.name)
            ),
            _ => format!("SELECT litewire_drop_sequence({}, 1, 1)", literal(&m.name)),
        };
        conn.execute_batch(&sql).map_err(pg)?;
    }
    Ok(())
}

/// Whether batch part `sql` is DROP SCHEMA's; its spec.
pub fn drop_part(sql: &str) -> Option<&str> {
    sql.strip_prefix(DROP_PART)
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let direct = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY;
    conn.create_scalar_function("litewire_create_schema", 3, direct, create)?;
    conn.create_scalar_function("litewire_schema_exists", 1, direct, exists_check)
}
