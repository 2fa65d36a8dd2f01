//! Comparisons of columns whose types only the schema knows (sql/translate/operators.rs
//! writes `pg_compare_key(x, 'type')` around each operand): put in the statement's text
//! when it is prepared, so that an interval column compares by its span
//! (`pg_interval_key(x)`: `'1 mon' > '4 days'`, not text order), an array column as
//! PostgreSQL orders arrays (`pg_array_key(x)`), a jsonb column in jsonb's order and
//! equality (`pg_jsonb_key(x)`: `{"a":1,"b":2} > {"p":1}`, `1.0 = 1`), and any other
//! column stays itself
//! (`(x)`), its index still usable. EXPLAIN expands its statement the same way.
//! `pg_array_value(x, 'type')` around `array_agg`'s argument is `pg_array_nestable(x)`
//! for an array (its elements nest, as PostgreSQL's array_agg of arrays adds a
//! dimension); `pg_json_value(x, 'type')` around a json builder's argument is
//! `pg_array_as_json(x)` for an array, `pg_json(x)` / `pg_jsonb(x)` for json / jsonb (it goes in as JSON, not as a
//! string);
//! `pg_order_max(x, 'type')` is `pg_interval_max(x)`, `pg_array_max(x)` or SQLite's
//! `max(x)` (min alike). `pg_subscript_pick(a, b, 'type')` around a column's subscript
//! is `iif(0, a, b)` for a jsonb column (b is jsonb's subscript), `iif(1, a, b)` for any
//! other (a is an array's). `pg_type_check(x, 'op', 'type', 'type')` around a
//! comparison of two columns is `(x)`, or 42883 when PostgreSQL has no such operator
//! for their types (`bigint = text`); `pg_dt_promote(x, 'other type', 'type')` is x cast
//! to the other side's type when PostgreSQL promotes it there (date → timestamp →
//! timestamptz), else `(x)`. The expansion is kept per connection with the
//! schema version it was read at, and read again once the schema changes.

use std::borrow::Cow;

use crate::protocol::PgError;
use crate::sql::lexer::{significant, Token, TokenKind};
use crate::sql::translate::grouping::GROUP_CHECK_MARKER;
use crate::sql::translate::{
    json_mark, no_operator, ARRAY_VALUE_MARKER, COMPARE_MARKER, DT_PROMOTE_MARKER,
    JSON_VALUE_MARKER, ORDER_KEY_MARKER, ORDER_MAX_MARKER, ORDER_MIN_MARKER, SUBSCRIPT_MARKER,
    TYPE_CHECK_MARKER,
};
use crate::sql::types::{self, Ty};

use rusqlite::Connection;

/// `sql` with each comparison marker replaced by what its operand's type compares by;
/// None when it has none.
pub fn expand(conn: &Connection, sql: &str) -> Result<Option<String>, PgError> {
    if !has_markers(sql) {
        return Ok(None);
    }
    let schema = Tables(conn);
    let tokens: Vec<Token> = significant(sql).collect();
    // (start, end, replacement) of each edit, in order.
    let mut edits: Vec<(usize, usize, Cow<'static, str>)> = Vec::new();
    for (k, t) in tokens.iter().enumerate() {
        let word = &sql[t.start..t.end];
        let kind = [
            COMPARE_MARKER,
            ORDER_KEY_MARKER,
            ARRAY_VALUE_MARKER,
            JSON_VALUE_MARKER,
            ORDER_MIN_MARKER,
            ORDER_MAX_MARKER,
            SUBSCRIPT_MARKER,
            TYPE_CHECK_MARKER,
            DT_PROMOTE_MARKER,
            GROUP_CHECK_MARKER,
        ]
        .into_iter()
        .find(|m| word.eq_ignore_ascii_case(m));
        let marker = t.kind == TokenKind::Word
            && kind.is_some()
            && tokens.get(k + 1).is_some_and(|o| o.kind == TokenKind::Open);
        if !marker {
            continue;
        }
        let Some(close) = matching_close(&tokens, k + 1) else {
            continue;
        };
        if kind == Some(GROUP_CHECK_MARKER) {
            // `pg_group_check('spec')` → `1`, or 42803 (grouping.rs).
            match tokens.get(k + 2) {
                Some(spec) if spec.kind == TokenKind::Quoted && close == k + 3 => {
                    let spec = sql[spec.start + 1..spec.end - 1].replace("''", "'");
                    super::grouping::check(conn, &spec)?;
                    // Gone from the text (a view's stored definition): `WHERE marker`
                    // or `marker AND`, else `1`.
                    let word_at = |i: usize, w: &str| {
                        tokens
                            .get(i)
                            .is_some_and(|t| sql[t.start..t.end].eq_ignore_ascii_case(w))
                    };
                    if word_at(close + 1, "AND") {
                        edits.push((t.start, tokens[close + 2].start, "".into()));
                    } else if k > 0 && word_at(k - 1, "WHERE") {
                        edits.push((tokens[k - 1].start, tokens[close].end, "".into()));
                    } else {
                        edits.push((t.start, tokens[close].end, "1".into()));
                    }
                }
                _ => {}
            }
            continue;
        }
        // … , 'type' )
        let (Some(comma), Some(spec)) = (tokens.get(close - 2), tokens.get(close - 1)) else {
            continue;
        };
        if &sql[comma.start..comma.end] != "," || spec.kind != TokenKind::Quoted {
            continue;
        }
        let spec_at = (spec.start, spec.end);
        let quoted = &sql[spec.start..spec.end];
        let spec = quoted[1..quoted.len() - 1].replace("''", "'");
        let resolved = Ty::decode(&spec).and_then(|ty| types::resolve(&ty, &schema));
        let interval = resolved.as_deref().is_some_and(|t| base(t) == "interval");
        let array = resolved.as_deref().is_some_and(|t| t.ends_with("[]"));
        let jsonb = resolved.as_deref().is_some_and(|t| base(t) == "jsonb");
        let numeric = resolved.as_deref().is_some_and(|t| base(t) == "numeric");
        if kind == Some(TYPE_CHECK_MARKER) {
            // `pg_type_check(x, 'op', 'other type', 'type')` → `(x)`, or 42883.
            let quoted = |i: usize| {
                tokens
                    .get(i)
                    .filter(|t| t.kind == TokenKind::Quoted)
                    .map(|t| sql[t.start + 1..t.end - 1].replace("''", "'"))
            };
            let comma_at = |i: usize| &sql[tokens[i].start..tokens[i].end] == ",";
            if close < k + 8 || !comma_at(close - 6) || !comma_at(close - 4) {
                continue;
            }
            let (Some(op), Some(other)) = (quoted(close - 5), quoted(close - 3)) else {
                continue;
            };
            let other = Ty::decode(&other).and_then(|ty| types::resolve(&ty, &schema));
            if let (Some(l), Some(r)) = (resolved.as_deref(), other.as_deref()) {
                if !comparable(l, r) {
                    return Err(no_operator(l, &op, r));
                }
            }
            edits.push((t.start, t.end, "".into()));
            edits.push((tokens[close - 6].start, tokens[close].start, "".into()));
            continue;
        }
        if kind == Some(DT_PROMOTE_MARKER) {
            // `pg_dt_promote(x, 'other type', 'type')` → x cast to the later of the two
            // (date < timestamp < timestamptz), or `(x)`.
            let comma_at = |i: usize| &sql[tokens[i].start..tokens[i].end] == ",";
            if close < k + 6 || !comma_at(close - 4) || tokens[close - 3].kind != TokenKind::Quoted
            {
                continue;
            }
            let other = &sql[tokens[close - 3].start + 1..tokens[close - 3].end - 1];
            let other =
                Ty::decode(&other.replace("''", "'")).and_then(|ty| types::resolve(&ty, &schema));
            let rank = |t: Option<&str>| match t.map(base) {
                Some("date") => Some(0),
                Some("timestamp") => Some(1),
                Some("timestamptz") => Some(2),
                _ => None,
            };
            let tail = tokens[close - 4].start;
            match (rank(resolved.as_deref()), rank(other.as_deref())) {
                // A date is midnight local time: pg_local as a cast to timestamp has it.
                (Some(0), Some(1)) => {
                    edits.push((t.start, tokens[k + 1].end, "pg_cast(pg_local(".into()));
                    edits.push((tail, tokens[close].end, "), 'timestamp')".into()));
                }
                (Some(own), Some(2)) if own < 2 => {
                    edits.push((t.start, t.end, "pg_cast".into()));
                    edits.push((tail, tokens[close].start, ", 'timestamptz'".into()));
                }
                _ => {
                    edits.push((t.start, t.end, "".into()));
                    edits.push((tail, tokens[close].start, "".into()));
                }
            }
            continue;
        }
        if kind == Some(SUBSCRIPT_MARKER) {
            // `pg_subscript_pick(a, b, 'type')` → `iif(0, a, b)`: only the branch taken is
            // evaluated, b (jsonb's) for a jsonb column, a (an array's) for any other.
            let pick = if jsonb { "iif(0, " } else { "iif(1, " };
            edits.push((t.start, tokens[k + 1].end, pick.into()));
            // A `name` is subscripted as its bytes, from 0 (pg_dump's `typname[0]`).
            let getter = tokens
                .get(k + 2)
                .filter(|g| &sql[g.start..g.end] == "pg_array_get");
            if let (Some(g), Some("name")) = (getter, resolved.as_deref()) {
                edits.push((g.start, g.end, "pg_name_get".into()));
            }
            edits.push((comma.start, tokens[close].start, "".into()));
            continue;
        }
        if matches!(kind, Some(COMPARE_MARKER | ORDER_KEY_MARKER))
            && numeric
            && !is_column(sql, &tokens[k + 2..close - 2])
        {
            // A numeric value that is not a column (a literal, a sum, a quotient): text of
            // TEXT affinity under the numeric collation, as a numeric column is, so that
            // it compares as a number with a column, a literal or another value.
            edits.push((t.start, t.end, "CAST".into()));
            edits.push((
                comma.start,
                tokens[close].end,
                " AS TEXT) COLLATE pg_numeric".into(),
            ));
            continue;
        }
        // An enum orders by its labels' declaration order: `pg_enum_key(x, 'type')`.
        let enum_type = match (kind, resolved.as_deref()) {
            (Some(ORDER_KEY_MARKER), Some(t)) if !t.ends_with("[]") => {
                crate::engine::objects::enum_oid(conn, t)
                    .ok()
                    .flatten()
                    .map(|_| t.to_string())
            }
            _ => None,
        };
        if let Some(name) = enum_type {
            edits.push((t.start, t.end, "pg_enum_key".into()));
            edits.push((
                spec_at.0,
                spec_at.1,
                format!("'{}'", name.replace('\'', "''")).into(),
            ));
            continue;
        }
        if kind == Some(ARRAY_VALUE_MARKER) && array {
            // `pg_array_nestable(x, 'int4[]')`: an array (a literal read as that type).
            let name = resolved.as_deref().unwrap_or_default().replace('\'', "''");
            edits.push((t.start, t.end, "pg_array_nestable".into()));
            edits.push((spec_at.0, spec_at.1, format!("'{name}'").into()));
            continue;
        }
        let key = match kind {
            Some(COMPARE_MARKER | ORDER_KEY_MARKER) if interval => "pg_interval_key",
            Some(COMPARE_MARKER | ORDER_KEY_MARKER) if array => "pg_array_key",
            Some(COMPARE_MARKER | ORDER_KEY_MARKER) if jsonb => "pg_jsonb_key",
            Some(JSON_VALUE_MARKER) => resolved.as_deref().and_then(json_mark).unwrap_or(""),
            Some(ORDER_MIN_MARKER) if interval && windowed(sql, &tokens, close) => {
                "pg_interval_min_w"
            }
            Some(ORDER_MIN_MARKER) if interval => "pg_interval_min",
            Some(ORDER_MIN_MARKER) if array && windowed(sql, &tokens, close) => "pg_array_min_w",
            Some(ORDER_MIN_MARKER) if array => "pg_array_min",
            Some(ORDER_MIN_MARKER) => "min",
            Some(ORDER_MAX_MARKER) if interval && windowed(sql, &tokens, close) => {
                "pg_interval_max_w"
            }
            Some(ORDER_MAX_MARKER) if interval => "pg_interval_max",
            Some(ORDER_MAX_MARKER) if array && windowed(sql, &tokens, close) => "pg_array_max_w",
            Some(ORDER_MAX_MARKER) if array => "pg_array_max",
            Some(ORDER_MAX_MARKER) => "max",
            _ => "",
        };
        edits.push((t.start, t.end, key.into()));
        edits.push((comma.start, tokens[close].start, "".into()));
    }
    if edits.is_empty() {
        return Ok(None);
    }
    edits.sort_by_key(|e| e.0);
    let mut out = String::with_capacity(sql.len());
    let mut copied = 0;
    for (start, end, with) in edits {
        out.push_str(&sql[copied..start]);
        out.push_str(&with);
        copied = end;
    }
    out.push_str(&sql[copied..]);
    Ok(Some(out))
}

/// Declared column types as the connection sees them (a table, a view, a catalog table).
struct Tables<'a>(&'a Connection);

impl types::Schema for Tables<'_> {
    fn columns(&self, table: &str) -> Option<Vec<(String, String)>> {
        let mut q = self
            .0
            .prepare_cached("select name, type from pragma_table_info(?1)")
            .ok()?;
        let found: Vec<(String, String)> = q
            .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))
            .ok()?
            .filter_map(Result::ok)
            .collect();
        Some(found)
            .filter(|c| !c.is_empty())
            .or_else(|| super::catalog::columns(table))
    }
    fn param(&self, _n: usize) -> Option<String> {
        None
    }
}

/// Whether `sql` may hold a marker.
pub fn has_markers(sql: &str) -> bool {
    // Each marker begins `pg_`: a plain statement is read once, not once per marker.
    sql.contains("pg_")
        && [
            COMPARE_MARKER,
            ORDER_KEY_MARKER,
            ARRAY_VALUE_MARKER,
            JSON_VALUE_MARKER,
            ORDER_MIN_MARKER,
            ORDER_MAX_MARKER,
            SUBSCRIPT_MARKER,
            TYPE_CHECK_MARKER,
            DT_PROMOTE_MARKER,
            GROUP_CHECK_MARKER,
        ]
        .iter()
        .any(|m| sql.contains(m))
}

/// Whether PostgreSQL compares declared types `l` and `r`: false for two of different
/// kinds among numbers, strings, dates/timestamps and booleans (it has no `bigint =
/// text`, and no implicit cast between them); any other type is left to run.
fn comparable(l: &str, r: &str) -> bool {
    let kind = |t: &str| match base(t) {
        "int2" | "int4" | "int8" | "numeric" | "float4" | "float8" => Some(0),
        "text" | "varchar" | "bpchar" => Some(1),
        "date" | "timestamp" | "timestamptz" => Some(2),
        "bool" => Some(3),
        _ => None,
    };
    match (kind(l), kind(r)) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

/// Whether `operand` is a column reference (`n`, `t.n`, `"T"."n"`).
fn is_column(sql: &str, operand: &[Token]) -> bool {
    let text = |t: &Token| &sql[t.start..t.end];
    !operand.is_empty()
        && !text(&operand[0]).starts_with(|c: char| c.is_ascii_digit())
        && operand.iter().all(|t| match t.kind {
            TokenKind::Word => true,
            TokenKind::Quoted => text(t).starts_with('"'),
            TokenKind::Other => text(t) == ".",
            _ => false,
        })
}

/// Whether the call closed at `close` is a window function's: `OVER` follows (after a
/// `FILTER (…)`, if any).
fn windowed(sql: &str, tokens: &[Token], close: usize) -> bool {
    let word = |i: usize| tokens.get(i).map(|t| &sql[t.start..t.end]);
    let mut next = close + 1;
    if word(next).is_some_and(|w| w.eq_ignore_ascii_case("filter"))
        && tokens
            .get(next + 1)
            .is_some_and(|t| t.kind == TokenKind::Open)
    {
        match matching_close(tokens, next + 1) {
            Some(end) => next = end + 1,
            None => return false,
        }
    }
    word(next).is_some_and(|w| w.eq_ignore_ascii_case("over"))
}

/// The index of the `)` closing the `(` at `open`.
fn matching_close(tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// A type name without its modifier (`interval(3)` is `interval`).
fn base(t: &str) -> &str {
    t.split('(').next().unwrap_or(t).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_become_what_the_column_type_compares_by() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("create table t (i interval, a int4[], n int4)")
            .unwrap();
        let expand = |sql: &str| expand(&conn, sql).unwrap();
        assert_eq!(
            expand(
                "SELECT * FROM t WHERE pg_compare_key(i, 'C1:i[1:t]') > pg_compare_key(pg_coerce('4 days', 'C1:i[1:t]'), 'C1:i[1:t]') \
                 ORDER BY pg_compare_key(a, 'C1:a[1:t]'), pg_compare_key(n, 'C1:n[1:t]')"
            )
            .as_deref(),
            Some(
                "SELECT * FROM t WHERE pg_interval_key(i) > pg_interval_key(pg_coerce('4 days', 'C1:i[1:t]')) \
                 ORDER BY pg_array_key(a), (n)"
            )
        );
        // Nested markers, and a column no table has: as written.
        assert_eq!(
            expand("SELECT pg_compare_key(f(pg_compare_key(n, 'C1:n[1:t]')), 'C1:x[1:u]')")
                .as_deref(),
            Some("SELECT (f((n)))")
        );
        assert_eq!(
            expand(
                "SELECT pg_order_max(i, 'C1:i[1:t]'), pg_order_min(a, 'C1:a[1:t]'), \
                 pg_order_max(n, 'C1:n[1:t]'), pg_array_value(a, 'C1:a[1:t]') FROM t"
            )
            .as_deref(),
            Some("SELECT pg_interval_max(i), pg_array_min(a), max(n), pg_array_nestable(a, 'int4[]') FROM t")
        );
        assert_eq!(expand("SELECT 1"), None);
    }

    #[test]
    fn every_marker_begins_pg_() {
        // has_markers looks for `pg_` first.
        for m in [
            COMPARE_MARKER,
            ORDER_KEY_MARKER,
            ARRAY_VALUE_MARKER,
            JSON_VALUE_MARKER,
            ORDER_MIN_MARKER,
            ORDER_MAX_MARKER,
            SUBSCRIPT_MARKER,
            TYPE_CHECK_MARKER,
            DT_PROMOTE_MARKER,
        ] {
            assert!(
                m.starts_with("pg_") && has_markers(&format!("SELECT {m}(x)")),
                "{m}"
            );
        }
        assert!(!has_markers("SELECT 1"));
    }

    #[test]
    fn type_checks_refuse_columns_postgres_does_not_compare() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("create table t (i int8, s text, v varchar(3), d date, ts timestamp)")
            .unwrap();
        let spec = |c: &str| format!("C{}:{c}[1:t]", c.len());
        let check = |l: &str, r: &str| {
            expand(
                &conn,
                &format!(
                    "SELECT 1 FROM t WHERE pg_type_check({l} = {r}, '=', '{}', '{}')",
                    spec(r),
                    spec(l)
                ),
            )
        };
        assert_eq!(
            check("s", "v").unwrap().as_deref(),
            Some("SELECT 1 FROM t WHERE (s = v)")
        );
        assert!(check("d", "ts").is_ok());
        let e = check("i", "s").unwrap_err();
        assert_eq!(e.code, crate::protocol::SqlState::UNDEFINED_FUNCTION);
        assert_eq!(e.message, "operator does not exist: bigint = text");
        assert!(check("d", "v").is_err());
        // A column no table has: left to run.
        assert!(check("i", "nosuch").is_ok());
    }

    #[test]
    fn dates_and_timestamps_are_promoted_to_the_later_type() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("create table t (d date, ts timestamp, tz timestamptz, i int4)")
            .unwrap();
        let spec = |c: &str| format!("C{}:{c}[1:t]", c.len());
        let promote = |own: &str, other: &str| {
            expand(
                &conn,
                &format!(
                    "SELECT pg_dt_promote({own}, '{}', '{}') FROM t",
                    spec(other),
                    spec(own)
                ),
            )
            .unwrap()
            .unwrap()
        };
        assert_eq!(
            promote("d", "ts"),
            "SELECT pg_cast(pg_local(d), 'timestamp') FROM t"
        );
        assert_eq!(
            promote("d", "tz"),
            "SELECT pg_cast(d, 'timestamptz') FROM t"
        );
        assert_eq!(
            promote("ts", "tz"),
            "SELECT pg_cast(ts, 'timestamptz') FROM t"
        );
        assert_eq!(promote("ts", "d"), "SELECT (ts) FROM t");
        assert_eq!(promote("i", "d"), "SELECT (i) FROM t");
        assert_eq!(promote("d", "d"), "SELECT (d) FROM t");
    }
}
