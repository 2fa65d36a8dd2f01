//! Sequences: one row each in `_litewire_sequences` (`temp.` for TEMP ones), advanced by
//! `nextval` on the connection running the statement, in its transaction (a rolled-back
//! nextval is given out again: the rows that used it were rolled back too). A session's
//! `currval`/`lastval` are kept here by session pid, as PostgreSQL keeps them per backend.

use std::collections::HashMap;
use std::sync::Mutex;

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};

use super::{exists, notice, relation_name, Internal, PREFIX};
use crate::engine::error::raise;
use crate::engine::functions::SharedSession;
use crate::protocol::{PgError, SqlState};

/// OIDs of sequences: this plus the row's rowid (`temp`: plus [`TEMP_OIDS`] too).
pub const SEQUENCE_OID: i64 = 1_500_000_000;
const TEMP_OIDS: i64 = 100_000_000;

/// One sequence's row.
struct Seq {
    schema: &'static str,
    rowid: i64,
    name: String,
    ty: String,
    min: i64,
    max: i64,
    increment: i64,
    cycle: bool,
    last_value: i64,
    is_called: bool,
}

impl Seq {
    fn key(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }
}

/// Each session's currval per sequence and the sequence of its last nextval.
#[derive(Default)]
struct SessionValues {
    current: HashMap<String, i64>,
    last: Option<String>,
}

thread_local! {
    /// The values nextval handed out on this thread and no identity check has taken
    /// yet, by sequence name: a GENERATED ALWAYS column accepts only these.
    static ISSUED: std::cell::RefCell<Vec<(String, Issued)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The values of one sequence drawn in a row and not yet taken: `next`, then each
/// `step` up to `last`. SQLite draws every DEFAULT of a multi-row VALUES before the
/// first row's BEFORE INSERT trigger runs (it materialises the rows of a table with
/// triggers), and the triggers then take them in the order drawn; a draw that does not
/// continue the run starts a new one, so this stays one entry per sequence.
#[derive(Clone, Copy)]
struct Issued {
    next: i64,
    last: i64,
    step: Option<i64>,
}

impl Issued {
    /// Whether `value` is one of the run's values not yet taken.
    fn holds(&self, value: i64) -> bool {
        match self.step {
            None => value == self.next,
            Some(step) => {
                let (lo, hi) = if step > 0 {
                    (self.next, self.last)
                } else {
                    (self.last, self.next)
                };
                (lo..=hi).contains(&value)
                    && (i128::from(value) - i128::from(self.next)) % i128::from(step) == 0
            }
        }
    }
}

thread_local! {
    /// Set while a statement that overrides GENERATED ALWAYS runs on this thread.
    static OVERRIDING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// While alive, GENERATED ALWAYS columns take the values given on this thread, as
/// PostgreSQL's `INSERT … OVERRIDING SYSTEM VALUE` and `COPY FROM` (which always writes
/// the values it reads) do.
pub struct OverridingSystemValue {
    _set: super::Flag,
}

impl OverridingSystemValue {
    pub fn begin() -> OverridingSystemValue {
        OverridingSystemValue {
            _set: super::Flag::set(&OVERRIDING),
        }
    }
}

static SESSIONS: Mutex<Option<HashMap<i32, SessionValues>>> = Mutex::new(None);

fn with_session<R>(pid: i32, f: impl FnOnce(&mut SessionValues) -> R) -> R {
    let mut all = SESSIONS.lock().unwrap_or_else(|p| p.into_inner());
    f(all.get_or_insert_with(HashMap::new).entry(pid).or_default())
}

/// Forgets what session `pid` saw (it has ended).
pub fn forget_session(pid: i32) {
    let mut all = SESSIONS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(map) = all.as_mut() {
        map.remove(&pid);
        if map.is_empty() {
            *all = None;
        }
    }
}

const COLUMNS: &str = "rowid, name, type, min, max, increment, cycle, last_value, is_called";

fn read(schema: &'static str, r: &rusqlite::Row<'_>) -> rusqlite::Result<Seq> {
    Ok(Seq {
        schema,
        rowid: r.get(0)?,
        name: r.get(1)?,
        ty: r.get(2)?,
        min: r.get(3)?,
        max: r.get(4)?,
        increment: r.get(5)?,
        cycle: r.get(6)?,
        last_value: r.get(7)?,
        is_called: r.get(8)?,
    })
}

/// The sequence named `name` (temp ones first, as PostgreSQL's search path has them).
fn find(conn: &Connection, name: &str) -> rusqlite::Result<Option<Seq>> {
    for schema in ["temp", "main"] {
        if !exists(conn, schema, "sequences")? {
            continue;
        }
        let found = conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM {schema}.{PREFIX}sequences WHERE name = ?1"),
                [name],
                |r| read(schema, r),
            )
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// The sequence with OID `oid`.
fn find_oid(conn: &Connection, oid: i64) -> rusqlite::Result<Option<Seq>> {
    let (schema, rowid) = if oid >= SEQUENCE_OID + TEMP_OIDS {
        ("temp", oid - SEQUENCE_OID - TEMP_OIDS)
    } else {
        ("main", oid - SEQUENCE_OID)
    };
    if !exists(conn, schema, "sequences")? {
        return Ok(None);
    }
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM {schema}.{PREFIX}sequences WHERE rowid = ?1"),
        [rowid],
        |r| read(schema, r),
    )
    .optional()
}

/// `FROM s` of a sequence `s` SQLite reported missing (`missing`: `s` or `main.s`):
/// PostgreSQL reads a sequence as a one-row relation (last_value, log_cnt, is_called;
/// pg_dump reads it so). Each such table reference in `sql` becomes a subquery over the
/// sequence's row; None when `missing` is no sequence or is not read in a FROM/JOIN.
pub fn as_relation(conn: &Connection, sql: &str, missing: &str) -> Option<String> {
    use crate::sql::lexer::{significant, TokenKind};
    let name = missing.strip_prefix("main.").unwrap_or(missing);
    let s = find(conn, name).ok()??;
    let tokens: Vec<_> = significant(sql).collect();
    let text = |i: usize| tokens.get(i).map_or("", |t| &sql[t.start..t.end]);
    let unquote = |t: &str| t.trim_matches('"').to_string();
    let relation = format!(
        "(SELECT last_value, 0 AS log_cnt, is_called + 0 AS is_called \
         FROM {}.{PREFIX}sequences WHERE rowid = {})",
        s.schema, s.rowid
    );
    let mut edits = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let before = text(i.wrapping_sub(1)).to_ascii_uppercase();
        if !matches!(before.as_str(), "FROM" | "JOIN" | ",") || t.kind == TokenKind::Other {
            continue;
        }
        // `main.s` or `s` (quoted or not).
        let (end, written) = if text(i + 1) == "." {
            if !unquote(text(i)).eq_ignore_ascii_case(s.schema) {
                continue;
            }
            (i + 2, unquote(text(i + 2)))
        } else {
            (i, unquote(text(i)))
        };
        if written != name {
            continue;
        }
        let Some(last) = tokens.get(end) else {
            continue;
        };
        // Its own name as the alias, unless the statement gives one.
        let next = text(end + 1).to_ascii_uppercase();
        let aliased = next == "AS"
            || tokens.get(end + 1).is_some_and(|n| {
                matches!(n.kind, TokenKind::Word | TokenKind::Quoted)
                    && !matches!(
                        next.as_str(),
                        "WHERE"
                            | "JOIN"
                            | "LEFT"
                            | "RIGHT"
                            | "INNER"
                            | "CROSS"
                            | "FULL"
                            | "NATURAL"
                            | "ON"
                            | "USING"
                            | "GROUP"
                            | "ORDER"
                            | "LIMIT"
                            | "OFFSET"
                            | "UNION"
                            | "INTERSECT"
                            | "EXCEPT"
                            | "WINDOW"
                            | "HAVING"
                            | "FOR"
                            | "RETURNING"
                    )
            });
        let replacement = if aliased {
            relation.clone()
        } else {
            format!("{relation} AS {}", crate::sql::lexer::quote_ident(name))
        };
        edits.push((t.start, last.end, replacement));
    }
    if edits.is_empty() {
        return None;
    }
    let mut out = sql.to_string();
    for (start, end, r) in edits.into_iter().rev() {
        out.replace_range(start..end, &r);
    }
    Some(out)
}

/// The columns of sequence `name` read as a relation ([`as_relation`]), for typing.
pub fn relation_columns(conn: &Connection, name: &str) -> Option<Vec<(String, String)>> {
    find(conn, name).ok()??;
    Some(vec![
        ("last_value".into(), "int8".into()),
        ("log_cnt".into(), "int8".into()),
        // (is_called typed from here: the subquery gives it as an expression, not the
        // reserved table's INTEGER column.)
        ("is_called".into(), "bool".into()),
    ])
}

/// The OID of sequence `name`, for `'s'::regclass`.
pub fn oid_of(conn: &Connection, name: &str) -> rusqlite::Result<Option<i64>> {
    Ok(find(conn, name)?.map(|s| oid(&s)))
}

/// The name of the sequence with OID `oid`, for `x::regclass` printed.
pub fn name_of(conn: &Connection, oid: i64) -> rusqlite::Result<Option<String>> {
    if oid < SEQUENCE_OID {
        return Ok(None);
    }
    Ok(find_oid(conn, oid)?.map(|s| s.name))
}

fn oid(s: &Seq) -> i64 {
    SEQUENCE_OID + s.rowid + if s.schema == "temp" { TEMP_OIDS } else { 0 }
}

/// The sequence a function's first argument names (text as regclass reads it, or an
/// OID from `'s'::regclass`), or PostgreSQL's error.
fn argument(ctx: &Context<'_>, conn: &Connection) -> rusqlite::Result<Seq> {
    let (found, shown) = match ctx.get_raw(0) {
        ValueRef::Integer(oid) => (find_oid(conn, oid)?, oid.to_string()),
        ValueRef::Text(t) => {
            let text = String::from_utf8_lossy(t).into_owned();
            match relation_name(&text) {
                Some(name) => match find(conn, &name)? {
                    Some(s) => (Some(s), text),
                    None if is_relation(conn, &name)? => {
                        return Err(raise(PgError::new(
                            SqlState::WRONG_OBJECT_TYPE,
                            format!("\"{name}\" is not a sequence"),
                        )))
                    }
                    None => (None, text),
                },
                None => (None, text),
            }
        }
        _ => return Err(rusqlite::Error::InvalidQuery),
    };
    found.ok_or_else(|| {
        raise(PgError::new(
            SqlState::UNDEFINED_TABLE,
            format!("relation \"{shown}\" does not exist"),
        ))
    })
}

/// Whether `name` is a table, view or index.
fn is_relation(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE name = ?1",
        [name],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

fn pid(session: &SharedSession) -> i32 {
    session.lock().map(|s| s.pid).unwrap_or(0)
}

fn store(conn: &Connection, s: &Seq, value: i64, is_called: bool) -> rusqlite::Result<()> {
    let _internal = Internal::begin();
    conn.execute(
        &format!(
            "UPDATE {}.{PREFIX}sequences SET last_value = ?1, is_called = ?2 WHERE rowid = ?3",
            s.schema
        ),
        rusqlite::params![value, is_called, s.rowid],
    )?;
    Ok(())
}

/// nextval's common case in one statement (it runs per inserted row): a sequence named
/// by text whose next value is within its bounds. None when that is not the case.
fn next_in_bounds(
    ctx: &Context<'_>,
    conn: &Connection,
    session: &SharedSession,
) -> rusqlite::Result<Option<(String, i64)>> {
    let ValueRef::Text(t) = ctx.get_raw(0) else {
        return Ok(None);
    };
    let Some(name) = relation_name(&String::from_utf8_lossy(t)) else {
        return Ok(None);
    };
    if exists(conn, "temp", "sequences")? || !exists(conn, "main", "sequences")? {
        return Ok(None);
    }
    let _internal = Internal::begin();
    let mut info = session
        .lock()
        .map_err(|_| rusqlite::Error::InvalidParameterName("session".into()))?;
    if info.nested.is_none() {
        // SAFETY: a second, non-owning handle on the connection running this statement,
        // used only on the thread running it; dropped before the connection closes.
        info.nested = Some(unsafe { Connection::from_handle(conn.handle())? });
    }
    let Some(nested) = info.nested.as_ref() else {
        return Ok(None);
    };
    let value = nested
        .prepare_cached(&format!(
            "UPDATE main.{PREFIX}sequences SET is_called = 1, last_value = \
             CASE WHEN is_called THEN last_value + increment ELSE last_value END \
             WHERE name = ?1 AND (NOT is_called \
             OR (increment > 0 AND last_value <= max - increment) \
             OR (increment < 0 AND last_value >= min - increment)) \
             RETURNING last_value"
        ))?
        .query_row([&name], |r| r.get::<_, i64>(0))
        .optional()?;
    drop(info);
    Ok(value.map(|v| (format!("main.{name}"), v)))
}

fn nextval(ctx: &Context<'_>, session: &SharedSession) -> rusqlite::Result<i64> {
    // SAFETY: the connection running this very statement, used on this thread for
    // nested statements while the function runs (as catalog lookups do).
    let conn = unsafe { ctx.get_connection()? };
    if let Some((key, value)) = next_in_bounds(ctx, &conn, session)? {
        let name = key["main.".len()..].to_string();
        drawn(session, key, name, value);
        return Ok(value);
    }
    let s = argument(ctx, &conn)?;
    let next = if !s.is_called {
        Some(s.last_value)
    } else {
        s.last_value.checked_add(s.increment)
    };
    let value = match next {
        Some(v) if v >= s.min && v <= s.max => v,
        _ if s.cycle => {
            if s.increment > 0 {
                s.min
            } else {
                s.max
            }
        }
        _ => {
            let (which, bound) = if s.increment > 0 {
                ("maximum", s.max)
            } else {
                ("minimum", s.min)
            };
            return Err(raise(PgError::new(
                SqlState::SEQUENCE_GENERATOR_LIMIT_EXCEEDED,
                format!(
                    "nextval: reached {which} value of sequence \"{}\" ({bound})",
                    s.name
                ),
            )));
        }
    };
    store(&conn, &s, value, true)?;
    drawn(session, s.key(), s.name, value);
    Ok(value)
}

/// Records a value nextval drew: the session's currval and lastval, and the value an
/// identity column's check accepts.
fn drawn(session: &SharedSession, key: String, name: String, value: i64) {
    with_session(pid(session), |v| {
        v.current.insert(key.clone(), value);
        v.last = Some(key);
    });
    ISSUED.with(|i| {
        let mut i = i.borrow_mut();
        let fresh = Issued {
            next: value,
            last: value,
            step: None,
        };
        match i.iter_mut().find(|(n, _)| *n == name) {
            Some((_, run)) => {
                let step = run.step.unwrap_or(value.wrapping_sub(run.last));
                *run = if step != 0 && run.last.checked_add(step) == Some(value) {
                    Issued {
                        next: run.next,
                        last: value,
                        step: Some(step),
                    }
                } else {
                    fresh
                };
            }
            None => i.push((name, fresh)),
        }
    });
}

fn currval(ctx: &Context<'_>, session: &SharedSession) -> rusqlite::Result<i64> {
    // SAFETY: as in `nextval`.
    let conn = unsafe { ctx.get_connection()? };
    let s = argument(ctx, &conn)?;
    with_session(pid(session), |v| v.current.get(&s.key()).copied()).ok_or_else(|| {
        raise(PgError::new(
            SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
            format!(
                "currval of sequence \"{}\" is not yet defined in this session",
                s.name
            ),
        ))
    })
}

fn lastval(session: &SharedSession) -> rusqlite::Result<i64> {
    with_session(pid(session), |v| {
        v.last.as_ref().and_then(|k| v.current.get(k).copied())
    })
    .ok_or_else(|| {
        raise(PgError::new(
            SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
            "lastval is not yet defined in this session",
        ))
    })
}

fn setval(ctx: &Context<'_>, session: &SharedSession) -> rusqlite::Result<Option<i64>> {
    // SAFETY: as in `nextval`.
    let conn = unsafe { ctx.get_connection()? };
    let s = argument(ctx, &conn)?;
    let Some(value) = ctx.get::<Option<i64>>(1)? else {
        return Ok(None);
    };
    let is_called = if ctx.len() > 2 {
        match ctx.get::<Option<bool>>(2)? {
            Some(b) => b,
            None => return Ok(None),
        }
    } else {
        true
    };
    if value < s.min || value > s.max {
        return Err(raise(PgError::new(
            SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
            format!(
                "setval: value {value} is out of bounds for sequence \"{}\" ({}..{})",
                s.name, s.min, s.max
            ),
        )));
    }
    store(&conn, &s, value, is_called)?;
    if is_called {
        with_session(pid(session), |v| {
            v.current.insert(s.key(), value);
        });
    }
    Ok(Some(value))
}

/// The range of a sequence type.
fn bounds(ty: &str) -> Option<(i64, i64)> {
    Some(match ty {
        "smallint" => (i16::MIN.into(), i16::MAX.into()),
        "integer" => (i32::MIN.into(), i32::MAX.into()),
        "bigint" => (i64::MIN, i64::MAX),
        _ => return None,
    })
}

fn invalid(message: String) -> rusqlite::Error {
    raise(PgError::new(SqlState::INVALID_PARAMETER_VALUE, message))
}

/// A sequence's settings, checked as PostgreSQL's init_params checks them.
struct Settings {
    ty: String,
    start: i64,
    increment: i64,
    min: i64,
    max: i64,
    cache: i64,
    cycle: bool,
}

/// Settings from what a statement gave (None: the default or, for ALTER, the old value).
#[allow(clippy::too_many_arguments)]
fn settings(
    ty: Option<String>,
    start: Option<i64>,
    increment: Option<i64>,
    min: Option<i64>,
    max: Option<i64>,
    cache: Option<i64>,
    cycle: Option<bool>,
    old: Option<&Settings>,
) -> rusqlite::Result<Settings> {
    let ty = ty
        .or_else(|| old.map(|o| o.ty.clone()))
        .unwrap_or_else(|| "bigint".into());
    let (type_min, type_max) = bounds(&ty)
        .ok_or_else(|| invalid("sequence type must be smallint, integer, or bigint".into()))?;
    let increment = increment.or(old.map(|o| o.increment)).unwrap_or(1);
    if increment == 0 {
        return Err(invalid("INCREMENT must not be zero".into()));
    }
    let max = max
        .or(old.map(|o| o.max))
        .unwrap_or(if increment > 0 { type_max } else { -1 });
    let min = min
        .or(old.map(|o| o.min))
        .unwrap_or(if increment > 0 { 1 } else { type_min });
    if max < type_min || max > type_max {
        return Err(invalid(format!(
            "MAXVALUE ({max}) is out of range for sequence data type {ty}"
        )));
    }
    if min < type_min || min > type_max {
        return Err(invalid(format!(
            "MINVALUE ({min}) is out of range for sequence data type {ty}"
        )));
    }
    if min >= max {
        return Err(invalid(format!(
            "MINVALUE ({min}) must be less than MAXVALUE ({max})"
        )));
    }
    let start = start
        .or(old.map(|o| o.start))
        .unwrap_or(if increment > 0 { min } else { max });
    if start < min {
        return Err(invalid(format!(
            "START value ({start}) cannot be less than MINVALUE ({min})"
        )));
    }
    if start > max {
        return Err(invalid(format!(
            "START value ({start}) cannot be greater than MAXVALUE ({max})"
        )));
    }
    let cache = cache.or(old.map(|o| o.cache)).unwrap_or(1);
    if cache <= 0 {
        return Err(invalid(format!(
            "CACHE ({cache}) must be greater than zero"
        )));
    }
    Ok(Settings {
        ty,
        start,
        increment,
        min,
        max,
        cache,
        cycle: cycle.or(old.map(|o| o.cycle)).unwrap_or(false),
    })
}

/// `litewire_create_sequence(schema, name, type, start, increment, min, max, cache,
/// cycle, owned_table, owned_column, identity, if_not_exists)`: CREATE SEQUENCE, and the
/// sequence of an identity or serial column. NULL, or the notice when it existed
/// (IF NOT EXISTS).
fn create(ctx: &mut Context<'_>) -> rusqlite::Result<Option<String>> {
    // SAFETY: as in `nextval`.
    let conn = unsafe { ctx.get_connection()? };
    let schema: String = ctx.get(0)?;
    let schema = if schema == "temp" { "temp" } else { "main" };
    let name: String = ctx.get(1)?;
    let taken = find(&conn, &name)?.is_some_and(|s| s.schema == schema)
        || (schema == "main" && is_relation(&conn, &name)?);
    if taken {
        if ctx.get::<bool>(12)? {
            // A serial column's sequence under CREATE TABLE IF NOT EXISTS: no notice.
            let own = ctx.get::<Option<String>>(9)?.is_none();
            return Ok(own.then(|| {
                notice(
                    SqlState::DUPLICATE_TABLE,
                    format!("relation \"{name}\" already exists, skipping"),
                )
            }));
        }
        return Err(raise(PgError::new(
            SqlState::DUPLICATE_TABLE,
            format!("relation \"{name}\" already exists"),
        )));
    }
    let s = settings(
        ctx.get(2)?,
        ctx.get(3)?,
        ctx.get(4)?,
        ctx.get(5)?,
        ctx.get(6)?,
        ctx.get(7)?,
        ctx.get(8)?,
        None,
    )?;
    let _internal = Internal::begin();
    conn.execute(
        &format!(
            "INSERT INTO {schema}.{PREFIX}sequences (name, type, start, increment, min, max, \
             cache, cycle, last_value, is_called, owned_table, owned_column, identity) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?3, 0, ?9, ?10, ?11)"
        ),
        rusqlite::params![
            name,
            s.ty,
            s.start,
            s.increment,
            s.min,
            s.max,
            s.cache,
            s.cycle,
            ctx.get::<Option<String>>(9)?,
            ctx.get::<Option<String>>(10)?,
            ctx.get::<Option<String>>(11)?,
        ],
    )?;
    Ok(None)
}

/// A sequence that is not there: with IF EXISTS (argument 1) PostgreSQL's skip notice,
/// else 42P01 (`what`: the word PostgreSQL's message uses).
fn missing(ctx: &Context<'_>, what: &str, name: &str) -> rusqlite::Result<Option<String>> {
    if ctx.get::<bool>(1)? {
        return Ok(Some(notice(
            SqlState::SUCCESSFUL_COMPLETION,
            format!("{what} \"{name}\" does not exist, skipping"),
        )));
    }
    Err(raise(PgError::new(
        SqlState::UNDEFINED_TABLE,
        format!("{what} \"{name}\" does not exist"),
    )))
}

/// `litewire_alter_sequence(name, if_exists, type, start, restart, increment, min, max,
/// cache, cycle, owned_table, owned_column)`: ALTER SEQUENCE. `restart`: NULL (no
/// RESTART), or the value to restart at (the start value for a bare RESTART is passed as
/// the text 'start'). `owned_table` '' is OWNED BY NONE.
fn alter(ctx: &mut Context<'_>) -> rusqlite::Result<Option<String>> {
    // SAFETY: as in `nextval`.
    let conn = unsafe { ctx.get_connection()? };
    let name: String = ctx.get(0)?;
    let Some(s) = find(&conn, &name)? else {
        return missing(ctx, "relation", &name);
    };
    let (start, cache): (i64, i64) = conn.query_row(
        &format!(
            "SELECT start, cache FROM {}.{PREFIX}sequences WHERE rowid = ?1",
            s.schema
        ),
        [s.rowid],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let old = Settings {
        ty: s.ty.clone(),
        start,
        increment: s.increment,
        min: s.min,
        max: s.max,
        cache,
        cycle: s.cycle,
    };
    let new = settings(
        ctx.get(2)?,
        ctx.get(3)?,
        ctx.get(5)?,
        ctx.get(6)?,
        ctx.get(7)?,
        ctx.get(8)?,
        ctx.get(9)?,
        Some(&old),
    )?;
    let (last_value, is_called) = match ctx.get_raw(4) {
        ValueRef::Null => (s.last_value, s.is_called),
        ValueRef::Integer(v) => (v, false),
        _ => (new.start, false),
    };
    if last_value < new.min {
        return Err(invalid(format!(
            "RESTART value ({last_value}) cannot be less than MINVALUE ({})",
            new.min
        )));
    }
    if last_value > new.max {
        return Err(invalid(format!(
            "RESTART value ({last_value}) cannot be greater than MAXVALUE ({})",
            new.max
        )));
    }
    let owned: Option<Option<String>> = ctx.get(10)?;
    let owned = owned.map(|t| t.filter(|t| !t.is_empty()));
    let _internal = Internal::begin();
    conn.execute(
        &format!(
            "UPDATE {}.{PREFIX}sequences SET type = ?1, start = ?2, increment = ?3, min = ?4, \
             max = ?5, cache = ?6, cycle = ?7, last_value = ?8, is_called = ?9 WHERE rowid = ?10",
            s.schema
        ),
        rusqlite::params![
            new.ty,
            new.start,
            new.increment,
            new.min,
            new.max,
            new.cache,
            new.cycle,
            last_value,
            is_called,
            s.rowid
        ],
    )?;
    if let Some(table) = owned {
        let column: Option<String> = ctx.get(11)?;
        conn.execute(
            &format!(
                "UPDATE {}.{PREFIX}sequences SET owned_table = ?1, owned_column = ?2 \
                 WHERE rowid = ?3",
                s.schema
            ),
            rusqlite::params![table, table.as_ref().and(column), s.rowid],
        )?;
    }
    Ok(None)
}

/// `litewire_drop_sequence(name, if_exists, cascade)`: NULL, or the notice when there
/// was none (IF EXISTS). A sequence an identity column or a column's DEFAULT uses stays
/// (2BP01; litewire cannot drop a DEFAULT, so CASCADE is 0A000 there).
fn drop_sequence(ctx: &mut Context<'_>) -> rusqlite::Result<Option<String>> {
    // SAFETY: as in `nextval`.
    let conn = unsafe { ctx.get_connection()? };
    let name: String = ctx.get(0)?;
    let Some(s) = find(&conn, &name)? else {
        return missing(ctx, "sequence", &name);
    };
    let _internal = Internal::begin();
    conn.execute(
        &format!(
            "DELETE FROM {}.{PREFIX}sequences WHERE rowid = ?1",
            s.schema
        ),
        [s.rowid],
    )?;
    super::comments::forget(&conn, "r", &name)?;
    Ok(None)
}

/// `litewire_drop_owned(table[, schema])`: a dropped table's sequences (OWNED BY it) go
/// with it; with `schema` (`temp`), only that schema's.
fn drop_owned(ctx: &mut Context<'_>) -> rusqlite::Result<i64> {
    // SAFETY: as in `nextval`.
    let conn = unsafe { ctx.get_connection()? };
    let table: String = ctx.get(0)?;
    let only: Option<String> = if ctx.len() > 1 { ctx.get(1)? } else { None };
    let _internal = Internal::begin();
    let mut n = 0;
    for schema in ["temp", "main"]
        .into_iter()
        .filter(|s| only.as_deref().is_none_or(|o| o == *s))
    {
        if exists(&conn, schema, "sequences")? {
            n += conn.execute(
                &format!("DELETE FROM {schema}.{PREFIX}sequences WHERE owned_table = ?1"),
                [&table],
            )?;
        }
    }
    // A temporary table's own (server/on_commit.rs) leaves the file's alone.
    if only.is_none() {
        super::comments::forget(&conn, "r", &table)?;
        super::relations::forget(&conn, &table)?;
    }
    Ok(n as i64)
}

/// `pg_get_serial_sequence('t', 'c')`: `public.t_c_seq`, NULL when the column owns none.
fn serial_sequence(ctx: &mut Context<'_>) -> rusqlite::Result<Option<String>> {
    // SAFETY: as in `nextval`.
    let conn = unsafe { ctx.get_connection()? };
    let (Some(table), Some(column)) =
        (ctx.get::<Option<String>>(0)?, ctx.get::<Option<String>>(1)?)
    else {
        return Ok(None);
    };
    let Some(table) = relation_name(&table) else {
        return Ok(None);
    };
    for schema in ["temp", "main"] {
        if !exists(&conn, schema, "sequences")? {
            continue;
        }
        let name: Option<String> = conn
            .query_row(
                &format!(
                    "SELECT name FROM {schema}.{PREFIX}sequences \
                     WHERE owned_table = ?1 AND owned_column = ?2"
                ),
                [&table, &column],
                |r| r.get(0),
            )
            .optional()?;
        let in_user_schema = |n: &&str| crate::sql::translate::schemas::schema_of(n).is_some();
        if let Some(n) = name.as_deref().filter(in_user_schema) {
            return Ok(Some(super::schemas::shown(n)));
        }
        if let Some(n) = name {
            let quoted = if n
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                n
            } else {
                format!("\"{}\"", n.replace('"', "\"\""))
            };
            let nsp = if schema == "temp" {
                "pg_temp"
            } else {
                "public"
            };
            return Ok(Some(format!("{nsp}.{quoted}")));
        }
    }
    Ok(None)
}

/// `litewire_identity_insert(sequence, value, column)`, run by a GENERATED ALWAYS
/// column's BEFORE INSERT trigger: the value must be the one its DEFAULT just drew.
fn identity_insert(ctx: &mut Context<'_>) -> rusqlite::Result<i64> {
    if OVERRIDING.with(std::cell::Cell::get) {
        return Ok(1);
    }
    let sequence: String = ctx.get(0)?;
    let value: Option<i64> = ctx.get(1)?;
    let drawn = ISSUED.with(|i| {
        let mut i = i.borrow_mut();
        let value = value?;
        let at = i
            .iter()
            .position(|(n, run)| *n == sequence && run.holds(value))?;
        // Taken, with the values drawn before it (a draw no row used, as a SELECT
        // nextval(…) of the same sequence).
        let run = &mut i[at].1;
        match run.step {
            Some(step) if value != run.last => run.next = value.wrapping_add(step),
            _ => {
                i.swap_remove(at);
            }
        }
        Some(())
    });
    if drawn.is_some() {
        return Ok(1);
    }
    let column: String = ctx.get(2)?;
    Err(raise(
        PgError::new(
            SqlState::GENERATED_ALWAYS,
            format!("cannot insert a non-DEFAULT value into column \"{column}\""),
        )
        .with_detail(format!(
            "Column \"{column}\" is an identity column defined as GENERATED ALWAYS."
        ))
        .with_hint("Use OVERRIDING SYSTEM VALUE to override."),
    ))
}

/// `litewire_identity_update(column)`: a GENERATED ALWAYS column's value was changed.
fn identity_update(ctx: &mut Context<'_>) -> rusqlite::Result<i64> {
    let column: String = ctx.get(0)?;
    Err(raise(
        PgError::new(
            SqlState::GENERATED_ALWAYS,
            format!("column \"{column}\" can only be updated to DEFAULT"),
        )
        .with_detail(format!(
            "Column \"{column}\" is an identity column defined as GENERATED ALWAYS."
        )),
    ))
}

pub(super) fn register(conn: &Connection, session: SharedSession) -> rusqlite::Result<()> {
    // Sequence functions change state: never constant-folded. Innocuous so that a
    // column's DEFAULT may call them (PostgreSQL's serial and identity columns do).
    let writes = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS;
    let direct = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY;
    let s = session.clone();
    conn.create_scalar_function("nextval", 1, writes, move |ctx| nextval(ctx, &s))?;
    let s = session.clone();
    conn.create_scalar_function("currval", 1, writes, move |ctx| currval(ctx, &s))?;
    let s = session.clone();
    conn.create_scalar_function("lastval", 0, writes, move |_| lastval(&s))?;
    for args in [2, 3] {
        let s = session.clone();
        conn.create_scalar_function("setval", args, writes, move |ctx| setval(ctx, &s))?;
    }
    conn.create_scalar_function("pg_get_serial_sequence", 2, writes, serial_sequence)?;
    conn.create_scalar_function("litewire_create_sequence", 13, direct, create)?;
    conn.create_scalar_function("litewire_alter_sequence", 12, direct, alter)?;
    conn.create_scalar_function("litewire_drop_sequence", 3, direct, drop_sequence)?;
    for args in [1, 2] {
        conn.create_scalar_function("litewire_drop_owned", args, direct, drop_owned)?;
    }
    // Called by triggers in the user's schema: innocuous, as trusted_schema is off.
    conn.create_scalar_function("litewire_identity_insert", 3, writes, identity_insert)?;
    conn.create_scalar_function("litewire_identity_update", 1, writes, identity_update)?;
    Ok(())
}
