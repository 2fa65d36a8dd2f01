//! What INSERT and UPDATE need from the schema (sql/translate/dml.rs writes the markers):
//! `DEFAULT` is the column's own default, put in the statement's text when it is
//! prepared (`pg_column_default(…)` → `(default)` or NULL), as is an INSERT's implicit
//! column list (`pg_insert_columns(…)` → the table's first columns), so that a row may be
//! shorter than the table, and the columns `CREATE TABLE … (LIKE source)` copies
//! (`pg_like_columns(…)`). `pg_upsert_once` fails a multi-row `ON CONFLICT DO UPDATE`
//! whose rows propose one key twice (PostgreSQL's 21000).

use std::collections::HashSet;
use std::sync::Mutex;

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::error::raise;
use super::stmt::Conn;
use crate::protocol::{PgError, SqlState};
use crate::sql::translate::dml::{column_list, COLUMNS_MARKER, DEFAULT_MARKER};
use crate::sql::translate::like::LIKE_MARKER;
use crate::sql::translate::value_check;

/// `sql` with the markers replaced from the schema; None when it has none.
pub fn expand(conn: &Conn, sql: &str) -> Result<Option<String>, PgError> {
    if !sql.contains(DEFAULT_MARKER) && !sql.contains(COLUMNS_MARKER) && !sql.contains(LIKE_MARKER)
    {
        return Ok(None);
    }
    use crate::sql::lexer::{significant, TokenKind};
    let tokens: Vec<_> = significant(sql).collect();
    let mut out = String::with_capacity(sql.len());
    let mut copied = 0;
    let mut k = 0;
    while k < tokens.len() {
        let t = tokens[k];
        let word = &sql[t.start..t.end];
        let marker = t.kind == TokenKind::Word
            && [DEFAULT_MARKER, COLUMNS_MARKER, LIKE_MARKER]
                .iter()
                .any(|m| word.eq_ignore_ascii_case(m));
        // marker ( 'schema' , 'table' , column )
        let args = tokens.get(k + 1..k + 8);
        let Some([open, schema, comma1, table, comma2, column, close]) = args else {
            k += 1;
            continue;
        };
        if !marker
            || open.kind != TokenKind::Open
            || schema.kind != TokenKind::Quoted
            || table.kind != TokenKind::Quoted
            || &sql[comma1.start..comma1.end] != ","
            || &sql[comma2.start..comma2.end] != ","
            || close.kind != TokenKind::Close
        {
            k += 1;
            continue;
        }
        let text = |t: &crate::sql::lexer::Token| {
            let q = &sql[t.start..t.end];
            q[1..q.len() - 1].replace("''", "'")
        };
        let (schema, table) = (text(schema), text(table));
        let columns = columns(conn, &schema, &table);
        let column_text = &sql[column.start..column.end];
        let replacement = if word.eq_ignore_ascii_case(LIKE_MARKER) {
            if columns.is_empty() {
                return Err(PgError::new(
                    SqlState::UNDEFINED_TABLE,
                    format!("relation \"{table}\" does not exist"),
                ));
            }
            like_columns(&columns, column_text == "1")
        } else if word.eq_ignore_ascii_case(COLUMNS_MARKER) {
            let n: usize = column_text.parse().unwrap_or(0);
            if columns.is_empty() {
                return Err(PgError::new(
                    SqlState::UNDEFINED_TABLE,
                    format!("relation \"{table}\" does not exist"),
                ));
            }
            if n > columns.len() {
                return Err(PgError::new(
                    SqlState::SYNTAX_ERROR,
                    "INSERT has more expressions than target columns",
                ));
            }
            let names: Vec<String> = columns[..n].iter().map(|c| c.name.clone()).collect();
            column_list(&names)
        } else {
            let found = if column.kind == TokenKind::Quoted {
                let name = text(column);
                columns.iter().find(|c| c.name.eq_ignore_ascii_case(&name))
            } else {
                column_text
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| columns.get(i))
            };
            match found.and_then(|c| c.default.as_deref()) {
                Some(default) => format!("({default})"),
                None => "NULL".to_string(),
            }
        };
        out.push_str(&sql[copied..t.start]);
        out.push_str(&replacement);
        copied = close.end;
        k += 8;
    }
    out.push_str(&sql[copied..]);
    Ok(Some(out))
}

/// `INSERT INTO t VALUES (…)` (or `SELECT …`) whose rows are shorter than the table, which SQLite
/// refuses ("table t has 3 columns but 2 values were supplied") and PostgreSQL fills
/// with the defaults: the text with the table's first columns named. None for any
/// other error or text.
pub fn short_rows(conn: &Conn, sql: &str, message: &str) -> Option<String> {
    let supplied: usize = message
        .strip_suffix(" values were supplied")?
        .rsplit(' ')
        .next()?
        .parse()
        .ok()?;
    use crate::sql::lexer::{significant, TokenKind};
    let mut tokens = significant(sql);
    let (insert, into) = (tokens.next()?, tokens.next()?);
    if !sql[insert.start..insert.end].eq_ignore_ascii_case("insert")
        || !sql[into.start..into.end].eq_ignore_ascii_case("into")
    {
        return None;
    }
    // The name: words and quoted names joined by dots, up to VALUES.
    let mut parts = Vec::new();
    let mut end = into.end;
    for t in tokens {
        let text = &sql[t.start..t.end];
        match t.kind {
            // `VALUES (…)`, or a query: `SELECT …`, `WITH c AS (…) SELECT …`.
            TokenKind::Word
                if ["values", "select", "with"]
                    .iter()
                    .any(|w| text.eq_ignore_ascii_case(w)) =>
            {
                break
            }
            TokenKind::Word | TokenKind::Quoted => parts.push(text),
            TokenKind::Other if text == "." => {}
            _ => return None,
        }
        end = t.end;
    }
    let unquote = |p: &str| match p.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => p.to_string(),
    };
    let (schema, table) = match parts.as_slice() {
        [t] => (String::new(), unquote(t)),
        [s, t] => (unquote(s), unquote(t)),
        _ => return None,
    };
    let columns = columns(conn, &schema, &table);
    if supplied >= columns.len() {
        return None;
    }
    let names: Vec<String> = columns[..supplied].iter().map(|c| c.name.clone()).collect();
    Some(format!(
        "{} ({}){}",
        &sql[..end],
        column_list(&names),
        &sql[end..]
    ))
}

/// A column as the schema declares it.
struct Column {
    name: String,
    declared: String,
    not_null: bool,
    default: Option<String>,
}

/// A table's columns in order.
fn columns(conn: &Conn, schema: &str, table: &str) -> Vec<Column> {
    let query = if schema.is_empty() {
        "select name, type, \"notnull\", dflt_value from pragma_table_info(?1) \
         where ?2 = '' order by cid"
    } else {
        "select name, type, \"notnull\", dflt_value from pragma_table_info(?1, ?2) order by cid"
    };
    let Ok(mut q) = conn.sqlite().prepare(query) else {
        return Vec::new();
    };
    q.query_map([table, schema], |r| {
        Ok(Column {
            name: r.get(0)?,
            declared: r.get(1)?,
            not_null: r.get(2)?,
            default: r.get(3)?,
        })
    })
    .map(|rows| rows.filter_map(Result::ok).collect())
    .unwrap_or_default()
}

/// The column definitions `CREATE TABLE … (LIKE source)` copies: names, types with their
/// value checks, NOT NULL, and the defaults when `defaults`.
fn like_columns(columns: &[Column], defaults: bool) -> String {
    let mut out = Vec::with_capacity(columns.len());
    for c in columns {
        let ident = sqlparser::ast::Ident::with_quote('"', c.name.as_str());
        let mut def = format!("{ident} {}", c.declared);
        if c.not_null {
            def.push_str(" NOT NULL");
        }
        if let (true, Some(d)) = (defaults, &c.default) {
            def.push_str(&format!(" DEFAULT ({d})"));
        }
        // A name litewire does not know is quoted: an enum's name keeps its case.
        let written = if crate::engine::types::names_a_type(&c.declared) {
            c.declared.clone()
        } else {
            format!("\"{}\"", c.declared.replace('"', "\"\""))
        };
        if let Some(check) = value_check(&ident, &written) {
            def.push_str(&format!(" {check}"));
        }
        out.push(def);
    }
    out.join(", ")
}

/// Registers `pg_upsert_once`.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "pg_upsert_once",
        -1,
        FunctionFlags::SQLITE_UTF8,
        upsert_once,
    )
}

/// One statement's proposed keys: the key columns' positions in the row, the keys seen.
struct Seen {
    positions: Vec<usize>,
    keys: Mutex<HashSet<Vec<String>>>,
}

/// `pg_upsert_once('schema', 'table', 'key,columns', 'insert,columns' or '', row…)`:
/// true, or 21000 when an earlier row of this statement proposed the same key (a key with
/// a NULL never conflicts). The positions are found once per statement, and the keys kept
/// with its constant arguments (SQLite drops them when the statement is reset).
fn upsert_once(ctx: &mut Context<'_>) -> rusqlite::Result<bool> {
    let seen = ctx.get_or_create_aux(2, |_| -> rusqlite::Result<Seen> {
        let schema: String = ctx.get(0)?;
        let table: String = ctx.get(1)?;
        let keys: String = ctx.get(2)?;
        let listed: String = ctx.get(3)?;
        let names: Vec<String> = if listed.is_empty() {
            let query = if schema.is_empty() {
                "select group_concat(name, ',') from \
                 (select name from pragma_table_info(?1) where ?2 = '' order by cid)"
            } else {
                "select group_concat(name, ',') from \
                 (select name from pragma_table_info(?1, ?2) order by cid)"
            };
            let all: Option<Option<String>> =
                super::functions::nested_value(ctx, query, (table, schema))?;
            all.flatten()
                .unwrap_or_default()
                .split(',')
                .map(str::to_string)
                .collect()
        } else {
            listed.split(',').map(str::to_string).collect()
        };
        let positions = keys
            .split(',')
            .filter_map(|k| names.iter().position(|n| n.eq_ignore_ascii_case(k)))
            .collect();
        Ok(Seen {
            positions,
            keys: Mutex::new(HashSet::new()),
        })
    })?;
    let mut key = Vec::with_capacity(seen.positions.len());
    for &p in &seen.positions {
        let Some(i) = (p + 4 < ctx.len()).then_some(p + 4) else {
            return Ok(true);
        };
        key.push(match ctx.get_raw(i) {
            ValueRef::Null => return Ok(true),
            ValueRef::Integer(n) => n.to_string(),
            ValueRef::Real(f) => f.to_string(),
            ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
            ValueRef::Blob(b) => format!("{b:?}"),
        });
    }
    if key.is_empty() {
        return Ok(true);
    }
    let mut keys = seen.keys.lock().unwrap_or_else(|p| p.into_inner());
    if !keys.insert(key) {
        return Err(raise(
            PgError::new(
                SqlState::CARDINALITY_VIOLATION,
                "ON CONFLICT DO UPDATE command cannot affect row a second time",
            )
            .with_hint(
                "Ensure that no rows proposed for insertion within the same command have \
                 duplicate constrained values.",
            ),
        ));
    }
    Ok(true)
}
