//! PostgreSQL objects SQLite has no home for — sequences (and the identity and serial
//! columns built on them) and comments — kept inside the database file, in tables under
//! the reserved prefix `_litewire_` (COMPAT.md, "Objects SQLite lacks"). They are created
//! on first use, so a file that never used such an object gets nothing; they change in the
//! same transactions as the data.
//!
//! Statements on these objects are translated (`sql::translate::objects`) into an
//! *internal batch*: [`MARKER`], then parts separated by NUL (a character no client text
//! can hold), each a SQLite statement, optionally preceded by `+schema.table ` (create
//! that reserved table first) or `=` (the client's own statement, e.g. the CREATE TABLE
//! that declared a serial column: not run as litewire's). [`run_batch`] runs the parts in one savepoint. Writes to a
//! reserved table are allowed only while litewire itself runs them ([`Internal`]): the
//! authorizer refuses them to a client's own statements.
//!
//! `sequences.rs` holds the sequence functions (nextval, setval, ...), `enums.rs` enum
//! types (CREATE TYPE … AS ENUM, the checks of their columns), `composites.rs` composite
//! types (CREATE TYPE … AS (…)), `domains.rs` domains, `comments.rs` COMMENT ON
//! and its readers, `routines.rs` SQL-language functions and their inlining, `roles.rs`
//! CREATE/DROP ROLE.

mod comments;
mod composites;
mod domains;
mod enums;
mod relations;
mod roles;
mod routines;
pub mod rules;
pub mod schemas;
mod sequences;

use std::cell::Cell;

use rusqlite::Connection;

use crate::protocol::{PgError, SqlState};

pub use comments::description_rows;
pub use composites::{
    attributes as composite_attributes, element_type, is_composite, name_of as composite_name,
    oid_of as composite_oid, type_exists, type_rows as composite_type_rows,
};
pub use domains::{check as check_domain, domain, Domain};
pub use enums::{
    check_input as check_enum_input, declared_type, is_enum_oid, label_rows as enum_label_rows,
    name_of as enum_name, oid_of as enum_oid, type_rows as enum_type_rows, ENUM_OID,
};
pub use relations::{
    apply as change_relation, is_unlogged, renamed as relation_renamed, ON_COMMIT_TABLE,
};
pub use roles::{is_role, role_rows, user_rows};
pub use routines::{
    calls_sql_function, inline as inline_functions, proc_rows as function_rows,
    return_type as function_type,
};
pub use sequences::{
    as_relation as sequence_as_relation, forget_session, name_of as sequence_name,
    oid_of as sequence_oid, relation_columns as sequence_columns, OverridingSystemValue,
    SEQUENCE_OID,
};

/// Every reserved table's name starts with this.
pub const PREFIX: &str = "_litewire_";

/// The start of an internal batch's text (see the module doc).
pub const MARKER: &str = "/*litewire objects*/";

/// The start of the SQLite text of an `INSERT … OVERRIDING SYSTEM VALUE`: while it runs,
/// GENERATED ALWAYS columns take the values given ([`OverridingSystemValue`]).
pub const OVERRIDING: &str = "/*litewire overriding system value*/";

/// The reserved tables: short name and columns.
const RESERVED: &[(&str, &str)] = &[
    (
        "sequences",
        "name TEXT PRIMARY KEY, type TEXT NOT NULL, start INTEGER NOT NULL, \
         increment INTEGER NOT NULL, min INTEGER NOT NULL, max INTEGER NOT NULL, \
         cache INTEGER NOT NULL, cycle INTEGER NOT NULL, last_value INTEGER NOT NULL, \
         is_called INTEGER NOT NULL, owned_table TEXT, owned_column TEXT, identity TEXT",
    ),
    (
        "comments",
        "kind TEXT NOT NULL, name TEXT NOT NULL, attribute TEXT NOT NULL, \
         description TEXT NOT NULL, PRIMARY KEY (kind, name, attribute)",
    ),
    (
        "composites",
        "type TEXT NOT NULL, attnum INTEGER NOT NULL, name TEXT, datatype TEXT, \
         PRIMARY KEY (type, attnum)",
    ),
    (
        "domains",
        "name TEXT NOT NULL, seq INTEGER NOT NULL, base TEXT, not_null INTEGER, \
         constraint_name TEXT, query TEXT, PRIMARY KEY (name, seq)",
    ),
    (
        "roles",
        "name TEXT PRIMARY KEY, super INTEGER NOT NULL, inherit INTEGER NOT NULL, \
         createrole INTEGER NOT NULL, createdb INTEGER NOT NULL, login INTEGER NOT NULL, \
         replication INTEGER NOT NULL, connlimit INTEGER NOT NULL, bypassrls INTEGER NOT NULL",
    ),
    (
        "relations",
        "name TEXT PRIMARY KEY, unlogged INTEGER NOT NULL DEFAULT 0, cluster_index TEXT, \
         replident TEXT NOT NULL DEFAULT 'd', replident_index TEXT",
    ),
    (
        "enums",
        "type TEXT NOT NULL, label TEXT, sortorder REAL, PRIMARY KEY (type, label)",
    ),
    ("schemas", "name TEXT PRIMARY KEY, owner TEXT NOT NULL"),
    // A SQL function's definition as written, for pg_dump: its arguments' names
    // (`;`-separated, empty for none) and a RETURN / BEGIN ATOMIC body (routines.rs).
    (
        "function_texts",
        "name TEXT NOT NULL, nargs INTEGER NOT NULL, argnames TEXT NOT NULL, \
         definition TEXT NOT NULL, PRIMARY KEY (name, nargs)",
    ),
    // In `temp`: the session's ON COMMIT DELETE ROWS (`delete`) and DROP (`drop`) tables.
    ("on_commit", "name TEXT PRIMARY KEY, action TEXT NOT NULL"),
    (
        "functions",
        "name TEXT NOT NULL, nargs INTEGER NOT NULL, argtypes TEXT NOT NULL, \
         rettype TEXT NOT NULL, body TEXT NOT NULL, strict INTEGER NOT NULL, \
         volatility TEXT NOT NULL, prosrc TEXT NOT NULL, PRIMARY KEY (name, nargs)",
    ),
];

/// `… OWNER TO role` of an object: litewire's one role owns every object, so only the
/// session's user is accepted; any other role is PostgreSQL's 42704.
fn owner_is_user(conn: &Connection, role: &str) -> rusqlite::Result<()> {
    let user: String = conn.query_row("SELECT current_user()", [], |r| r.get(0))?;
    if role != user {
        return Err(super::error::raise(PgError::new(
            SqlState::UNDEFINED_OBJECT,
            format!("role \"{role}\" does not exist"),
        )));
    }
    Ok(())
}

/// Whether `sql` is an internal batch.
pub fn is_batch(sql: &str) -> bool {
    sql.starts_with(MARKER)
}

/// Whether a statement SQLite reports as read-only still writes: it calls a function
/// that advances or sets a sequence, or locks rows (FOR UPDATE), so it needs the write
/// lock like any write.
pub fn writes(sql: &str) -> bool {
    // SELECT … FOR UPDATE / FOR SHARE holds the write lock (sql/translate/locking.rs).
    if sql.starts_with(crate::sql::translate::locking::MARKER) {
        return true;
    }
    let bytes = sql.as_bytes();
    bytes.windows(4).enumerate().any(|(i, w)| {
        w.eq_ignore_ascii_case(b"val(")
            && (bytes[..i].to_ascii_lowercase().ends_with(b"next")
                || bytes[..i].to_ascii_lowercase().ends_with(b"set"))
    })
}

/// A thread's flag, set while the value is alive and restored when it is dropped.
pub struct Flag {
    key: &'static std::thread::LocalKey<Cell<bool>>,
    was: bool,
}

impl Flag {
    fn set(key: &'static std::thread::LocalKey<Cell<bool>>) -> Flag {
        Flag {
            key,
            was: key.with(|c| c.replace(true)),
        }
    }
}

impl Drop for Flag {
    fn drop(&mut self) {
        let was = self.was;
        self.key.with(|c| c.set(was));
    }
}

thread_local! {
    /// Set while litewire's own statements on the reserved tables run on this thread.
    static INTERNAL: Cell<bool> = const { Cell::new(false) };
}

/// While alive, writes to the reserved tables on this thread are litewire's own.
pub struct Internal {
    _set: Flag,
}

impl Internal {
    pub fn begin() -> Internal {
        Internal {
            _set: Flag::set(&INTERNAL),
        }
    }
}

/// Whether the authorizer may let a write to `table` through: not a reserved table, or
/// litewire's own statement.
pub fn may_write(table: &str) -> bool {
    !is_reserved(table) || INTERNAL.with(Cell::get)
}

/// Whether litewire's own statements are running on this thread ([`Internal`]).
pub fn is_internal() -> bool {
    INTERNAL.with(Cell::get)
}

/// Whether `name` is in the reserved namespace.
pub fn is_reserved(name: &str) -> bool {
    name.len() >= PREFIX.len() && name[..PREFIX.len()].eq_ignore_ascii_case(PREFIX)
}

/// Runs an internal batch on `conn`: all its parts or none. Returns the notices its
/// functions gave (`relation "s" already exists, skipping`).
pub fn run_batch(conn: &Connection, sql: &str) -> Result<Vec<PgError>, PgError> {
    let to_pg = |e: rusqlite::Error| super::error::to_pg(&e);
    conn.execute_batch("SAVEPOINT _litewire_objects")
        .map_err(to_pg)?;
    let mut notices = Vec::new();
    let result = run_parts(conn, &sql[MARKER.len()..], &mut notices);
    let end = match result {
        Ok(()) => "RELEASE _litewire_objects",
        Err(_) => "ROLLBACK TO _litewire_objects; RELEASE _litewire_objects",
    };
    let ended = conn.execute_batch(end).map_err(to_pg);
    result.and(ended).map(|()| notices)
}

/// A notice a batch function returns instead of doing its work (IF [NOT] EXISTS):
/// `SQLSTATE message`.
fn notice(code: SqlState, message: String) -> String {
    format!("{} {message}", code.0)
}

use crate::sql::translate::rules::{CREATE_PART as RULE_PART, DROP_PART as DROP_RULE_PART};

fn run_parts(conn: &Connection, parts: &str, notices: &mut Vec<PgError>) -> Result<(), PgError> {
    for part in parts.split('\0') {
        let mut sql = part.trim();
        // `=`: the client's own statement (CREATE TABLE, DROP TABLE), run as any other.
        let client = sql.starts_with('=');
        let _internal = (!client).then(Internal::begin);
        if let Some(spec) = sql.strip_prefix(RULE_PART) {
            rules::create(conn, spec)?;
            continue;
        }
        if let Some(spec) = sql.strip_prefix(DROP_RULE_PART) {
            rules::drop(conn, spec, notices)?;
            continue;
        }
        if let Some(spec) = schemas::drop_part(sql) {
            schemas::drop(conn, spec, notices)?;
            continue;
        }
        if client {
            sql = &sql[1..];
        } else if let Some(rest) = sql.strip_prefix('+') {
            let (table, rest) = rest.split_once(' ').unwrap_or((rest, ""));
            ensure(conn, table)?;
            sql = rest;
        }
        if sql.is_empty() {
            continue;
        }
        let mut stmt = conn.prepare(sql).map_err(|e| super::error::to_pg(&e))?;
        let mut rows = stmt.raw_query();
        while let Some(row) = rows.next().map_err(|e| super::error::to_pg(&e))? {
            if let Ok(rusqlite::types::ValueRef::Text(t)) = row.get_ref(0) {
                let t = String::from_utf8_lossy(t);
                let (code, message) = t.split_once(' ').unwrap_or(("00000", &t));
                let code = [
                    SqlState::DUPLICATE_TABLE,
                    SqlState::DUPLICATE_OBJECT,
                    SqlState::DUPLICATE_SCHEMA,
                ]
                .into_iter()
                .find(|c| c.0 == code)
                .unwrap_or(SqlState::SUCCESSFUL_COMPLETION);
                notices.push(PgError {
                    severity: crate::protocol::Severity::Notice,
                    ..PgError::new(code, message)
                });
            }
        }
    }
    Ok(())
}

/// Creates reserved table `schema.short` (e.g. `main.sequences`) if it does not exist.
fn ensure(conn: &Connection, qualified: &str) -> Result<(), PgError> {
    let (schema, short) = qualified.split_once('.').unwrap_or(("main", qualified));
    let columns = RESERVED
        .iter()
        .find(|(n, _)| *n == short)
        .map(|(_, c)| *c)
        .ok_or_else(|| PgError::new(SqlState::INTERNAL_ERROR, "unknown reserved table"))?;
    let schema = if schema == "temp" { "temp" } else { "main" };
    conn.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS {schema}.{PREFIX}{short} ({columns})"
    ))
    .map_err(|e| super::error::to_pg(&e))
}

/// Whether reserved table `short` exists in `schema` (`main` or `temp`): read from the
/// schema SQLite holds in memory, without compiling a statement (nextval runs this per
/// row).
fn exists(conn: &Connection, schema: &str, short: &str) -> rusqlite::Result<bool> {
    let schema = if schema == "temp" { "temp" } else { "main" };
    conn.table_exists(Some(schema), &format!("{PREFIX}{short}"))
}

/// For a catalog scan: `sql` with each reserved table that does not exist replaced by an
/// empty row set of the same columns, so catalogs read them without creating them.
pub fn stand_ins(conn: &Connection, mut sql: String) -> rusqlite::Result<String> {
    for (short, columns) in RESERVED {
        for schema in ["main", "temp"] {
            let name = format!("{schema}.{PREFIX}{short}");
            if !sql.contains(&name) || exists(conn, schema, short)? {
                continue;
            }
            let names: Vec<String> = std::iter::once("NULL AS rowid".to_string())
                .chain(
                    columns
                        .split(", ")
                        .filter(|c| c.contains(' ') && !c.starts_with("PRIMARY KEY"))
                        .map(|c| format!("NULL AS {}", c.split(' ').next().unwrap_or(c))),
                )
                .collect();
            sql = sql.replace(&name, &format!("(SELECT {} LIMIT 0)", names.join(", ")));
        }
    }
    Ok(sql)
}

/// Registers the object functions (with the catalog's: on first use).
pub fn register(
    conn: &Connection,
    session: super::functions::SharedSession,
) -> rusqlite::Result<()> {
    sequences::register(conn, session)?;
    enums::register(conn)?;
    composites::register(conn)?;
    domains::register(conn)?;
    routines::register(conn)?;
    roles::register(conn)?;
    rules::register(conn)?;
    relations::register(conn)?;
    schemas::register(conn)?;
    comments::register(conn)
}

/// A relation name as `regclass` input reads it: `public.s`, `"S"`, `s` (folded to
/// lower case unless quoted). None when the schema is not one litewire has.
pub fn relation_name(text: &str) -> Option<String> {
    let mut parts = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let (part, after) = if let Some(quoted) = rest.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                if c == '"' {
                    if quoted[i + 1..].starts_with('"') {
                        out.push('"');
                        chars.next();
                    } else {
                        end = Some(i + 1);
                        break;
                    }
                } else {
                    out.push(c);
                }
            }
            (out, &quoted[end?..])
        } else {
            let end = rest.find('.').unwrap_or(rest.len());
            (rest[..end].trim().to_lowercase(), &rest[end..])
        };
        parts.push(part);
        rest = after.trim_start();
        rest = match rest.strip_prefix('.') {
            Some(r) => r.trim_start(),
            None if rest.is_empty() => rest,
            None => return None,
        };
    }
    match parts.len() {
        1 => parts.pop(),
        2 if ["public", "pg_temp"].contains(&parts[0].as_str()) => parts.pop(),
        2 if crate::sql::translate::schemas::is_user_schema(&parts[0]) => {
            Some(crate::sql::translate::schemas::joined(&parts[0], &parts[1]))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relation_names_read_like_regclass() {
        assert_eq!(relation_name("s").as_deref(), Some("s"));
        assert_eq!(relation_name("S").as_deref(), Some("s"));
        assert_eq!(relation_name("\"S\"").as_deref(), Some("S"));
        assert_eq!(relation_name("public.Seq").as_deref(), Some("seq"));
        assert_eq!(relation_name("public.\"a\"\"b\"").as_deref(), Some("a\"b"));
        assert_eq!(relation_name("other.s").as_deref(), Some("other.s"));
        assert_eq!(relation_name("pg_toast.s"), None);
        assert_eq!(relation_name("\"unterminated"), None);
    }

    /// nextval keeps its compiled statement on the connection; the connection still
    /// closes (SQLite refuses to while statements are alive: rusqlite would panic).
    #[test]
    fn a_connection_with_cached_sequence_statements_closes() {
        let sqlite = Connection::open_in_memory().unwrap();
        let session = crate::engine::functions::SharedSession::default();
        let mut conn = crate::engine::stmt::Conn::new(
            sqlite,
            4,
            session.clone(),
            std::sync::Arc::new(crate::engine::authorizer::AuthNotes::default()),
        );
        conn.ensure_catalog().unwrap();
        run_batch(
            conn.sqlite(),
            &format!(
                "{MARKER}+main.sequences SELECT litewire_create_sequence('main', 's', NULL, \
                 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0)"
            ),
        )
        .unwrap();
        let n: i64 = conn
            .sqlite()
            .query_row("SELECT nextval('s') + nextval('s')", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 3);
        assert!(session.lock().unwrap().nested.is_some());
        drop(conn);
        assert!(session.lock().unwrap().nested.is_none());
    }

    #[test]
    fn sequence_functions_need_the_write_lock() {
        assert!(writes("SELECT nextval('s')"));
        assert!(writes("select NEXTVAL('s')"));
        assert!(writes("select setval('s', 3)"));
        assert!(!writes("select currval('s')"));
        assert!(!writes("select 1"));
    }
}
