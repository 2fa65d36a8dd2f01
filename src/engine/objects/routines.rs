//! SQL-language functions (`sql::translate::routines`): one row of `_litewire_functions`
//! per function — name, argument count and types (`;`-separated), return type, and the body as SQLite
//! text with its arguments written `$1…$n` — and their inlining: when SQLite does not know
//! a function a statement calls, each call of a function of that name is replaced by its
//! body with the call's arguments in place of `$n`, and the statement prepared again
//! (bodies may call other functions: each round inlines one name, at most
//! [`MAX_ROUNDS`] rounds, so recursion ends in an error).
//!
//! One function per name and argument count: PostgreSQL's overloading by argument types
//! would need the arguments' types where litewire only has the text.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::{Connection, OptionalExtension};

use super::{exists, notice, Internal, PREFIX};
use crate::engine::error::raise;
use crate::protocol::{PgError, SqlState};
use crate::sql::lexer::{Lexer, TokenKind};

/// Inlining rounds one statement may take (a function calling another counts one more).
pub const MAX_ROUNDS: usize = 16;

/// A statement grown past this by inlining is refused (bodies calling others twice
/// double it at each level).
const MAX_INLINED_LEN: usize = 1 << 20;

fn error(code: SqlState, message: String) -> rusqlite::Error {
    raise(PgError::new(code, message))
}

fn shown(types: &str) -> String {
    types
        .split(';')
        .filter(|t| !t.is_empty())
        .map(crate::sql::translate::shown_type)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `litewire_create_function(name, nargs, argtypes, rettype, body, replace, strict,
/// volatility, prosrc, argnames, definition)`.
fn create(ctx: &mut Context<'_>) -> rusqlite::Result<i64> {
    // SAFETY: the connection running this very statement, used on this thread for
    // nested statements while the function runs.
    let conn = unsafe { ctx.get_connection()? };
    let name: String = ctx.get(0)?;
    let nargs: i64 = ctx.get(1)?;
    let argtypes: String = ctx.get(2)?;
    let rettype: String = ctx.get(3)?;
    let replace: bool = ctx.get(5)?;
    let old: Option<(String, String)> = conn
        .prepare_cached(&format!(
            "SELECT argtypes, rettype FROM main.{PREFIX}functions WHERE name = ?1 AND nargs = ?2"
        ))?
        .query_row(rusqlite::params![name, nargs], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    if let Some((old_args, old_ret)) = old {
        if old_args != argtypes {
            return Err(error(
                SqlState::FEATURE_NOT_SUPPORTED,
                format!(
                    "a second function \"{name}\" with {nargs} arguments (overloading by \
                     argument type) is not supported by litewire"
                ),
            ));
        }
        if !replace {
            return Err(error(
                SqlState::DUPLICATE_FUNCTION,
                format!("function \"{name}\" already exists with same argument types"),
            ));
        }
        if old_ret != rettype {
            return Err(raise(
                PgError::new(
                    SqlState::INVALID_FUNCTION_DEFINITION,
                    "cannot change return type of existing function",
                )
                .with_hint(format!(
                    "Use DROP FUNCTION {name}({}) first.",
                    shown(&argtypes)
                )),
            ));
        }
    }
    let _internal = Internal::begin();
    conn.execute(
        &format!(
            "INSERT OR REPLACE INTO main.{PREFIX}functions \
             (name, nargs, argtypes, rettype, body, strict, volatility, prosrc) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        ),
        rusqlite::params![
            name,
            nargs,
            argtypes,
            rettype,
            ctx.get::<String>(4)?,
            ctx.get::<i64>(6)?,
            ctx.get::<String>(7)?,
            ctx.get::<String>(8)?
        ],
    )?;
    super::ensure(&conn, "main.function_texts").map_err(raise)?;
    conn.execute(
        &format!(
            "INSERT OR REPLACE INTO main.{PREFIX}function_texts \
             (name, nargs, argnames, definition) VALUES (?1, ?2, ?3, ?4)"
        ),
        rusqlite::params![name, nargs, ctx.get::<String>(9)?, ctx.get::<String>(10)?],
    )?;
    Ok(1)
}

/// The function DROP or ALTER FUNCTION names: its argument count; None when there is
/// none (and `missing` allows that), else PostgreSQL's errors.
fn chosen(
    conn: &Connection,
    name: &str,
    nargs: i64,
    argtypes: Option<&str>,
) -> rusqlite::Result<Result<i64, PgError>> {
    let found: Vec<(i64, String)> = if exists(conn, "main", "functions")? {
        let mut q = conn.prepare_cached(&format!(
            "SELECT nargs, argtypes FROM main.{PREFIX}functions WHERE name = ?1"
        ))?;
        let rows = q.query_map([name], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    } else {
        Vec::new()
    };
    let chosen: Vec<&(i64, String)> = found
        .iter()
        .filter(|(n, t)| nargs < 0 || (*n == nargs && Some(t.as_str()) == argtypes))
        .collect();
    Ok(match chosen.as_slice() {
        [] if nargs < 0 => Err(PgError::new(
            SqlState::UNDEFINED_FUNCTION,
            format!("could not find a function named \"{name}\""),
        )),
        [] => Err(PgError::new(
            SqlState::UNDEFINED_FUNCTION,
            format!("function {} does not exist", signature(name, argtypes)),
        )),
        [(n, _)] => Ok(*n),
        _ => Err(PgError::new(
            SqlState::AMBIGUOUS_FUNCTION,
            format!("function name \"{name}\" is not unique"),
        )
        .with_hint("Specify the argument list to select the function unambiguously.")),
    })
}

fn signature(name: &str, argtypes: Option<&str>) -> String {
    format!("{name}({})", shown(argtypes.unwrap_or("")))
}

/// The first table, view, index or trigger whose definition calls a function named
/// `name` (its kind and name): PostgreSQL records that dependency, SQLite keeps the
/// call as text, so dropping the function would leave it failing.
fn dependent(conn: &Connection, name: &str) -> rusqlite::Result<Option<(String, String)>> {
    for schema in ["main", "temp"] {
        let mut q = conn.prepare(&format!(
            "SELECT type, name, sql FROM {schema}.sqlite_schema WHERE sql IS NOT NULL \
             AND name NOT LIKE '{PREFIX}%' ORDER BY rowid"
        ))?;
        let mut rows = q.query([])?;
        while let Some(r) = rows.next()? {
            let sql: String = r.get(2)?;
            if calls(&sql, name) {
                return Ok(Some((r.get(0)?, r.get(1)?)));
            }
        }
    }
    Ok(None)
}

/// Whether `sql` calls a function named `name` (a word or quoted name before `(`).
fn calls(sql: &str, name: &str) -> bool {
    let mut previous: Option<String> = None;
    for t in crate::sql::lexer::significant(sql) {
        let text = &sql[t.start..t.end];
        if text == "(" && previous.as_deref() == Some(name) {
            return true;
        }
        previous = match t.kind {
            TokenKind::Word => Some(text.to_ascii_lowercase()),
            TokenKind::Quoted => Some(crate::sql::lexer::fold_ident(text)),
            _ => None,
        };
    }
    false
}

/// `litewire_drop_function(name, nargs (-1: no list), argtypes, if_exists, cascade)`.
fn drop_function(ctx: &mut Context<'_>) -> rusqlite::Result<Option<String>> {
    // SAFETY: as in `create`.
    let conn = unsafe { ctx.get_connection()? };
    let name: String = ctx.get(0)?;
    let nargs: i64 = ctx.get(1)?;
    let argtypes: Option<String> = ctx.get(2)?;
    let if_exists: bool = ctx.get(3)?;
    let cascade: bool = ctx.get(4)?;
    match chosen(&conn, &name, nargs, argtypes.as_deref())? {
        Ok(n) => {
            if let Some((kind, object)) = dependent(&conn, &name)? {
                let types: String = conn.query_row(
                    &format!(
                        "SELECT argtypes FROM main.{PREFIX}functions WHERE name = ?1 AND nargs = ?2"
                    ),
                    rusqlite::params![name, n],
                    |r| r.get(0),
                )?;
                let function = signature(&name, Some(&types));
                if cascade {
                    return Err(error(
                        SqlState::FEATURE_NOT_SUPPORTED,
                        format!(
                            "DROP FUNCTION … CASCADE of a function {kind} \"{object}\" uses is not supported by litewire"
                        ),
                    ));
                }
                return Err(raise(
                    PgError::new(
                        SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
                        format!(
                            "cannot drop function {function} because other objects depend on it"
                        ),
                    )
                    .with_detail(format!("{kind} {object} depends on function {function}"))
                    .with_hint("Use DROP ... CASCADE to drop the dependent objects too."),
                ));
            }
            let _internal = Internal::begin();
            for table in ["functions", "function_texts"] {
                if exists(&conn, "main", table)? {
                    conn.execute(
                        &format!("DELETE FROM main.{PREFIX}{table} WHERE name = ?1 AND nargs = ?2"),
                        rusqlite::params![name, n],
                    )?;
                }
            }
            Ok(None)
        }
        Err(e) if if_exists && e.code == SqlState::UNDEFINED_FUNCTION => Ok(Some(notice(
            SqlState::SUCCESSFUL_COMPLETION,
            format!(
                "function {} does not exist, skipping",
                signature(&name, argtypes.as_deref())
            ),
        ))),
        Err(e) => Err(raise(e)),
    }
}

/// `litewire_alter_function(name, nargs, argtypes, strict, volatility, new_name)`, NULL
/// for what stays.
fn alter_function(ctx: &mut Context<'_>) -> rusqlite::Result<i64> {
    // SAFETY: as in `create`.
    let conn = unsafe { ctx.get_connection()? };
    let name: String = ctx.get(0)?;
    let argtypes: Option<String> = ctx.get(2)?;
    let n = chosen(&conn, &name, ctx.get(1)?, argtypes.as_deref())?.map_err(raise)?;
    let strict: Option<i64> = ctx.get(3)?;
    let volatility: Option<String> = ctx.get(4)?;
    let rename: Option<String> = ctx.get(5)?;
    if let Some(to) = &rename {
        let types: String = conn.query_row(
            &format!("SELECT argtypes FROM main.{PREFIX}functions WHERE name = ?1 AND nargs = ?2"),
            rusqlite::params![name, n],
            |r| r.get(0),
        )?;
        if chosen(&conn, to, n, Some(&types))?.is_ok() {
            return Err(error(
                SqlState::DUPLICATE_FUNCTION,
                format!(
                    "function {} already exists in schema \"public\"",
                    signature(to, Some(&types))
                ),
            ));
        }
    }
    let _internal = Internal::begin();
    conn.execute(
        &format!(
            "UPDATE main.{PREFIX}functions SET strict = coalesce(?3, strict), \
             volatility = coalesce(?4, volatility), name = coalesce(?5, name) \
             WHERE name = ?1 AND nargs = ?2"
        ),
        rusqlite::params![name, n, strict, volatility, rename],
    )?;
    if rename.is_some() && exists(&conn, "main", "function_texts")? {
        conn.execute(
            &format!(
                "UPDATE main.{PREFIX}function_texts SET name = ?3 WHERE name = ?1 AND nargs = ?2"
            ),
            rusqlite::params![name, n, rename],
        )?;
    }
    Ok(1)
}

/// OIDs of SQL functions: this plus the row's rowid.
pub const FUNCTION_OID: i64 = 1_800_000_000;

/// `pg_proc`'s rows (language sql: OID 14); the columns after `proacl` as
/// catalog/tables.rs lists them (volatility, strictness, and PostgreSQL's defaults).
pub fn proc_rows(public: i64) -> String {
    format!(
        "SELECT {FUNCTION_OID} + f.rowid, f.name, {public}, 10, 14, 'f', 0, \
         coalesce(to_regtype(f.rettype), 0), f.nargs, litewire_arg_oids(f.argtypes), f.prosrc, NULL, \
         f.volatility, f.strict, 0, 0, 'u', 100, 0, 0, '-', 0, NULL, NULL, NULL, NULL, NULL, \
         NULL, NULL FROM main.{PREFIX}functions f"
    )
}

/// What pg_dump reads of SQL function `oid` (pg_get_function_arguments and the like):
/// its argument types and names, return type and SQL-standard body, when it is one of
/// litewire's.
fn definition(conn: &Connection, oid: i64) -> rusqlite::Result<Option<[String; 4]>> {
    if !exists(conn, "main", "functions")? {
        return Ok(None);
    }
    let texts = if exists(conn, "main", "function_texts")? {
        format!(
            "(SELECT argnames FROM main.{PREFIX}function_texts t WHERE t.name = f.name \
             AND t.nargs = f.nargs), (SELECT definition FROM main.{PREFIX}function_texts t \
             WHERE t.name = f.name AND t.nargs = f.nargs)"
        )
    } else {
        "NULL, NULL".into()
    };
    conn.query_row(
        &format!(
            "SELECT f.argtypes, f.rettype, {texts} FROM main.{PREFIX}functions f \
             WHERE f.rowid = ?1"
        ),
        [oid - FUNCTION_OID],
        |r| {
            Ok([
                r.get(0)?,
                r.get(1)?,
                r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                r.get::<_, Option<String>>(3)?.unwrap_or_default(),
            ])
        },
    )
    .optional()
}

/// `pg_get_function_arguments(oid)`: `a integer, text` (a name where it was given).
fn arguments_text(types: &str, names: &str) -> String {
    let mut names = names.split(';');
    types
        .split(';')
        .filter(|t| !t.is_empty())
        .map(|t| {
            let shown = crate::sql::translate::shown_type(t);
            match names.next().filter(|n| !n.is_empty()) {
                Some(n) => format!(
                    "{} {shown}",
                    crate::engine::pgfuncs::strings::quote_ident(n)
                ),
                None => shown,
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let direct = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY;
    // pg_proc.proargtypes: the argument types' OIDs, separated by spaces (an oidvector).
    conn.create_scalar_function(
        "litewire_arg_oids",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let types: String = ctx.get(0)?;
            Ok(types
                .split(';')
                .filter(|t| !t.is_empty())
                .map(|t| {
                    crate::engine::catalog::to_regtype(t)
                        .unwrap_or(0)
                        .to_string()
                })
                .collect::<Vec<_>>()
                .join(" "))
        },
    )?;
    conn.create_scalar_function("litewire_create_function", 11, direct, create)?;
    // ALTER FUNCTION … OWNER TO: litewire's one role owns every object, so only the
    // session's user is accepted (42704 for any other role), as ALTER TYPE does.
    conn.create_scalar_function("litewire_owner_is_user", 1, direct, |ctx| {
        // SAFETY: as in `create`: nested reads.
        let conn = unsafe { ctx.get_connection()? };
        super::owner_is_user(&conn, &ctx.get::<String>(0)?)?;
        Ok(1)
    })?;
    // What pg_dump reads of a function (the built-in ones pg_proc lists have no
    // arguments and return trigger).
    let stable = FunctionFlags::SQLITE_UTF8;
    for (name, part) in [
        ("pg_get_function_arguments", 0),
        ("pg_get_function_identity_arguments", 0),
        ("pg_get_function_result", 1),
        ("pg_get_function_sqlbody", 2),
    ] {
        conn.create_scalar_function(name, 1, stable, move |ctx| {
            let Some(oid) = ctx.get::<Option<i64>>(0)? else {
                return Ok(None);
            };
            // SAFETY: as in `create`: nested reads.
            let conn = unsafe { ctx.get_connection()? };
            let Some([types, rettype, names, body]) = definition(&conn, oid)? else {
                return Ok(match part {
                    0 => Some(String::new()),
                    1 => Some("trigger".to_string()),
                    _ => None,
                });
            };
            Ok(match part {
                0 => Some(arguments_text(&types, &names)),
                1 => Some(crate::sql::translate::shown_type(&rettype)),
                _ => Some(body).filter(|b| !b.is_empty()),
            })
        })?;
    }
    conn.create_scalar_function("litewire_view_calls_no_function", 1, direct, |ctx| {
        // SAFETY: as in `create`: nested reads.
        let conn = unsafe { ctx.get_connection()? };
        view_calls_no_function(&conn, &ctx.get::<String>(0)?).map_err(raise)?;
        Ok(1)
    })?;
    conn.create_scalar_function("litewire_drop_function", 5, direct, drop_function)?;
    conn.create_scalar_function("litewire_alter_function", 6, direct, alter_function)?;
    Ok(())
}

/// The return type of function `name` taking `nargs` arguments, or with `arg` the type
/// of that argument (statement typing).
pub fn return_type(
    conn: &Connection,
    name: &str,
    nargs: usize,
    arg: Option<usize>,
) -> Option<String> {
    if !exists(conn, "main", "functions").ok()? {
        return None;
    }
    let (rettype, argtypes): (String, String) = conn
        .prepare_cached(&format!(
            "SELECT rettype, argtypes FROM main.{PREFIX}functions WHERE nargs = ?2 AND \
             (name = ?1 OR (lower(name) = lower(?1) AND name = lower(name)))"
        ))
        .ok()?
        .query_row(rusqlite::params![name, nargs as i64], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()
        .ok()??;
    match arg {
        None => Some(rettype),
        Some(i) => argtypes.split(';').nth(i).map(String::from),
    }
}

/// The bodies of the functions named `name` (unquoted names match in any case), by
/// argument count.
fn bodies(conn: &Connection, name: &str) -> rusqlite::Result<Vec<(usize, String, bool)>> {
    if !exists(conn, "main", "functions")? {
        return Ok(Vec::new());
    }
    let mut q = conn.prepare_cached(&format!(
        "SELECT nargs, body, strict FROM main.{PREFIX}functions WHERE name = ?1 \
         OR (lower(name) = lower(?1) AND name = lower(name))"
    ))?;
    let rows = q.query_map([name], |r| {
        Ok((r.get::<_, i64>(0)? as usize, r.get(1)?, r.get(2)?))
    })?;
    rows.collect()
}

/// `sql` with each call of `name` (which SQLite reported it lacks) replaced by the body
/// of the function of that name and argument count; None when litewire has no function
/// of that name. `round` counts the rounds so far (see the module doc).
pub fn inline(
    conn: &Connection,
    sql: &str,
    name: &str,
    round: usize,
) -> Result<Option<String>, PgError> {
    let defs = bodies(conn, name).map_err(|e| crate::engine::error::to_pg(&e))?;
    if defs.is_empty() {
        return Ok(None);
    }
    if round >= MAX_ROUNDS {
        return Err(PgError::new(
            SqlState::FEATURE_NOT_SUPPORTED,
            format!(
                "SQL functions calling each other more than {MAX_ROUNDS} deep (function \
                 \"{name}\" recursive?) are not supported by litewire, which inlines them"
            ),
        ));
    }
    let tokens: Vec<_> = Lexer::new(sql).collect();
    let mut out = String::with_capacity(sql.len() * 2);
    let mut copied = 0;
    let mut i = 0;
    let mut last_significant: Option<usize> = None;
    while i < tokens.len() {
        let t = tokens[i];
        let text = &sql[t.start..t.end];
        let is_name = match t.kind {
            TokenKind::Word => text.eq_ignore_ascii_case(name),
            TokenKind::Quoted => {
                text.starts_with('"') && text[1..text.len() - 1].replace("\"\"", "\"") == name
            }
            _ => false,
        };
        let after_dot =
            last_significant.is_some_and(|k| &sql[tokens[k].start..tokens[k].end] == ".");
        if is_name && !after_dot {
            // The call's `(`: the next significant token.
            let mut j = i + 1;
            while j < tokens.len() && tokens[j].kind == TokenKind::Space {
                j += 1;
            }
            if j < tokens.len() && tokens[j].kind == TokenKind::Open {
                let (args, end) = arguments(sql, &tokens, j)?;
                let (_, body, strict) =
                    defs.iter()
                        .find(|(n, _, _)| *n == args.len())
                        .ok_or_else(|| {
                            PgError::new(
                                SqlState::UNDEFINED_FUNCTION,
                                format!(
                                    "function {name}({}) does not exist",
                                    vec!["unknown"; args.len()].join(", ")
                                ),
                            )
                            .with_hint(
                                "No function matches the given name and argument types. You \
                             might need to add explicit type casts.",
                            )
                        })?;
                check_volatile(name, body, &args)?;
                out.push_str(&sql[copied..t.start]);
                out.push('(');
                if *strict && !args.is_empty() {
                    // STRICT: NULL when an argument is, the body not evaluated.
                    let nulls: Vec<String> =
                        args.iter().map(|a| format!("({a}) IS NULL")).collect();
                    out.push_str(&format!(
                        "CASE WHEN {} THEN NULL ELSE {} END",
                        nulls.join(" OR "),
                        substituted(body, &args)
                    ));
                } else {
                    out.push_str(&substituted(body, &args));
                }
                out.push(')');
                copied = end;
                if out.len() > MAX_INLINED_LEN {
                    return Err(PgError::new(
                        SqlState::PROGRAM_LIMIT_EXCEEDED,
                        "statement too large after inlining its SQL functions",
                    ));
                }
                i = tokens.partition_point(|t| t.start < end);
                last_significant = None;
                continue;
            }
        }
        if t.kind != TokenKind::Space {
            last_significant = Some(i);
        }
        i += 1;
    }
    if copied == 0 {
        // SQLite met the call in a view, a DEFAULT or a CHECK: not this text.
        return Err(not_from_stored(name));
    }
    out.push_str(&sql[copied..]);
    Ok(Some(out))
}

/// The refusal of a call SQLite meets in a stored definition (a view, a DEFAULT, a CHECK).
fn not_from_stored(name: &str) -> PgError {
    PgError::new(
        SqlState::FEATURE_NOT_SUPPORTED,
        format!(
            "calling SQL function \"{name}\" from a view, a default or a constraint is not \
             supported by litewire (it inlines SQL functions into the statement that calls \
             them)"
        ),
    )
}

/// Whether `e` is that refusal.
pub fn calls_sql_function(e: &PgError) -> bool {
    e.code == SqlState::FEATURE_NOT_SUPPORTED && e.message.starts_with("calling SQL function ")
}

/// Run by CREATE OR REPLACE VIEW (translate/views.rs), before SQLite reads the new
/// query's columns: 0A000 when the view's query calls one of litewire's SQL
/// functions (engine/new_view.rs checks a new view by compiling it).
fn view_calls_no_function(conn: &Connection, view: &str) -> Result<(), PgError> {
    let to_pg = |e: rusqlite::Error| crate::engine::error::to_pg(&e);
    if !exists(conn, "main", "functions").map_err(to_pg)? {
        return Ok(());
    }
    let sql: Option<String> = conn
        .query_row(
            "SELECT sql FROM temp.sqlite_schema WHERE type = 'view' AND name = ?1 \
             UNION ALL SELECT sql FROM main.sqlite_schema WHERE type = 'view' AND name = ?1",
            [view],
            |r| r.get(0),
        )
        .optional()
        .map_err(to_pg)?;
    let Some(sql) = sql else {
        return Ok(());
    };
    let mut q = conn
        .prepare(&format!("SELECT DISTINCT name FROM main.{PREFIX}functions"))
        .map_err(to_pg)?;
    let names: Vec<String> = q
        .query_map([], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(to_pg)?;
    let tokens: Vec<_> = Lexer::new(&sql)
        .filter(|t| t.kind != TokenKind::Space)
        .collect();
    for (i, t) in tokens.iter().enumerate() {
        let text = &sql[t.start..t.end];
        let called = tokens.get(i + 1).is_some_and(|n| n.kind == TokenKind::Open);
        let qualified = i > 0 && &sql[tokens[i - 1].start..tokens[i - 1].end] == ".";
        if !called || qualified {
            continue;
        }
        let name = names.iter().find(|n| match t.kind {
            // An unquoted call names a lower-case function in any case.
            TokenKind::Word => *n == &n.to_lowercase() && text.eq_ignore_ascii_case(n),
            TokenKind::Quoted => {
                text.starts_with('"') && text[1..text.len() - 1].replace("\"\"", "\"") == **n
            }
            _ => false,
        });
        if let Some(name) = name {
            return Err(not_from_stored(name));
        }
    }
    Ok(())
}

/// The arguments of the call whose `(` is `tokens[open]`, each as text, and the byte
/// where the call ends.
fn arguments<'a>(
    sql: &'a str,
    tokens: &[crate::sql::lexer::Token],
    open: usize,
) -> Result<(Vec<&'a str>, usize), PgError> {
    let mut depth = 0usize;
    let mut args = Vec::new();
    let mut start = tokens[open].end;
    for t in &tokens[open..] {
        match t.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => {
                depth -= 1;
                if depth == 0 {
                    let last = sql[start..t.start].trim();
                    if !last.is_empty() || !args.is_empty() {
                        args.push(last);
                    }
                    return Ok((args, t.end));
                }
            }
            TokenKind::Other if depth == 1 && &sql[t.start..t.end] == "," => {
                args.push(sql[start..t.start].trim());
                start = t.end;
            }
            _ => {}
        }
    }
    Err(PgError::new(
        SqlState::SYNTAX_ERROR,
        "unterminated function call",
    ))
}

/// Functions whose every call may answer differently: an argument calling one is
/// evaluated once per use in the body, where PostgreSQL (which then does not inline)
/// evaluates it once.
const VOLATILE: &[&str] = &[
    "random",
    "nextval",
    "setval",
    "uuid",
    "clock_timestamp",
    "timeofday",
];

/// Refuses an argument that calls a volatile function where the body uses it twice.
fn check_volatile(name: &str, body: &str, args: &[&str]) -> Result<(), PgError> {
    for (i, arg) in args.iter().enumerate() {
        let lower = arg.to_ascii_lowercase();
        if !VOLATILE.iter().any(|v| lower.contains(v)) {
            continue;
        }
        let marker = format!("${}", i + 1);
        let uses = Lexer::new(body)
            .filter(|t| t.kind == TokenKind::Word && body[t.start..t.end] == marker)
            .count();
        if uses > 1 {
            return Err(PgError::new(
                SqlState::FEATURE_NOT_SUPPORTED,
                format!(
                    "a volatile argument to SQL function \"{name}\", which uses it more than \
                     once, is not supported by litewire (it inlines the function)"
                ),
            ));
        }
    }
    Ok(())
}

/// `body` with `$n` replaced by the n-th argument.
fn substituted(body: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(body.len() + args.iter().map(|a| a.len()).sum::<usize>());
    let mut copied = 0;
    for t in Lexer::new(body) {
        let text = &body[t.start..t.end];
        if t.kind != TokenKind::Word {
            continue;
        }
        let Some(n) = text.strip_prefix('$').and_then(|d| d.parse::<usize>().ok()) else {
            continue;
        };
        let Some(arg) = args.get(n.wrapping_sub(1)) else {
            continue;
        };
        out.push_str(&body[copied..t.start]);
        out.push('(');
        out.push_str(arg);
        out.push(')');
        copied = t.end;
    }
    out.push_str(&body[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_volatile_argument_used_twice_is_refused() {
        assert!(check_volatile("f", "$1 + $1", &["random()"]).is_err());
        assert!(check_volatile("f", "$1 + 1", &["random()"]).is_ok());
        assert!(check_volatile("f", "$1 + $1", &["x"]).is_ok());
    }

    #[test]
    fn arguments_take_the_place_of_parameters() {
        assert_eq!(
            substituted("CAST($1 AS INTEGER) + $2 + $12", &["a(1, 2)", "'$1'"]),
            "CAST((a(1, 2)) AS INTEGER) + ('$1') + $12"
        );
    }

    #[test]
    fn calls_are_found_by_their_tokens() {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        super::super::run_batch(
            &conn,
            &format!(
                "{}+main.functions SELECT litewire_create_function('plusone', 1, 'int4', \
                 'int4', '$1 + 1', 0, 0, 'v', '', '', '')",
                super::super::MARKER
            ),
        )
        .unwrap();
        let got = inline(
            &conn,
            "SELECT plusone(x), t.plusone(1), 'plusone(2)', PlusOne ( (3), 4 ) FROM t",
            "plusone",
            0,
        );
        // Two arguments: no such function.
        assert_eq!(got.unwrap_err().code, SqlState::UNDEFINED_FUNCTION);
        let got = inline(
            &conn,
            "SELECT plusone(plusone(x)), \"plusone\"(2)",
            "plusone",
            0,
        )
        .unwrap()
        .unwrap();
        assert_eq!(got, "SELECT ((plusone(x)) + 1), ((2) + 1)");
        assert!(inline(&conn, "SELECT other(1)", "other", 0)
            .unwrap()
            .is_none());
        assert_eq!(
            inline(&conn, "SELECT plusone(1)", "plusone", MAX_ROUNDS)
                .unwrap_err()
                .code,
            SqlState::FEATURE_NOT_SUPPORTED
        );
    }
}
