//! Result column names as PostgreSQL gives them (its `FigureColname`): SQLite names an
//! unaliased expression by its text (`count(*)`, `CAST(x AS INTEGER)`), PostgreSQL by the
//! function (`count`), the cast's type (`int4`), `case`, or `?column?`. Clients that read
//! columns by name (`row["count"]`) depend on it.

use super::expr::select_list;
use super::{TokenKind, Toks};

/// For each result column of a SELECT: the PostgreSQL name of an unaliased expression,
/// or None where SQLite's name is already right (an alias, a plain column). None as a
/// whole when the select list cannot be matched to columns (`*`) or the statement is not
/// a query.
pub fn column_names(sql: &str) -> Option<Vec<Option<String>>> {
    if !is_query(sql) {
        return None;
    }
    Some(names_of(sql, &select_list(sql)?))
}

fn is_query(sql: &str) -> bool {
    super::super::lexer::words(sql)
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case("select") || w.eq_ignore_ascii_case("with"))
}

/// [`column_names`] for a select list already read with `select_list` from `sql`.
pub fn names_of(sql: &str, list: &[(String, bool)]) -> Vec<Option<String>> {
    let query = is_query(sql);
    list.iter()
        .map(|(expr, aliased)| {
            if !query || *aliased {
                return None;
            }
            let (name, strength) = figure(expr);
            // A plain column keeps SQLite's name (the column as declared).
            (strength != Strength::Column).then_some(name)
        })
        .collect()
}

#[derive(PartialEq, Eq, PartialOrd, Ord, Clone, Copy)]
enum Strength {
    /// `?column?`
    None,
    /// `case`, or a cast's type name.
    Weak,
    /// A function or keyword name.
    Strong,
    /// A column reference, as the whole expression (SQLite names it the same way).
    Column,
}

/// PostgreSQL's internal name of a type as written after `::` or `AS`.
fn type_name(written: &str) -> String {
    let lower = written.to_ascii_lowercase();
    let base = lower.split(['(', '[']).next().unwrap_or("").trim();
    let base = base.rsplit('.').next().unwrap_or(base).trim_matches('"');
    match base {
        "int" | "integer" => "int4",
        "bigint" => "int8",
        "smallint" => "int2",
        "real" => "float4",
        "double precision" | "float" => "float8",
        "boolean" => "bool",
        "decimal" => "numeric",
        "character varying" => "varchar",
        "char" | "character" => "bpchar",
        "timestamp with time zone" => "timestamptz",
        "timestamp without time zone" => "timestamp",
        "time without time zone" => "time",
        other => other,
    }
    .to_string()
}

/// Expressions read deeper than this are unnamed: each level re-reads its text.
const MAX_DEPTH: usize = 32;

fn figure(expr: &str) -> (String, Strength) {
    figure_at(expr, 0)
}

fn figure_at(expr: &str, depth: usize) -> (String, Strength) {
    if depth > MAX_DEPTH {
        return ("?column?".to_string(), Strength::None);
    }
    let figure = |e: &str| figure_at(e, depth + 1);
    let unnamed = || ("?column?".to_string(), Strength::None);
    let tk = Toks::new(expr);
    let n = tk.t.len();
    if n == 0 {
        return unnamed();
    }
    // Outer parentheses (not a subquery), all levels at once (one rescan, not one each).
    let mut outer = 0;
    while outer < n / 2 && tk.close_of(outer) == Some(n - 1 - outer) {
        if tk.is_word(outer + 1, "select") {
            return unnamed();
        }
        outer += 1;
    }
    if outer > 0 {
        return figure(&expr[tk.t[outer - 1].end..tk.t[n - outer].start]);
    }
    // A cast at depth 0, the last one binding loosest: `x::type`. A chain `x::a::b` is
    // named by `x` if that is a strong name, else by its last type: the chain is walked
    // in a loop, not by recursion, so a long one neither recurses deeply nor rescans.
    let cast_before = |end: usize| {
        (1..end.saturating_sub(2))
            .rev()
            .find(|&i| tk.text(i) == ":" && tk.text(i + 1) == ":" && tk.depth(i) == 0)
    };
    if let Some(last) = cast_before(n) {
        let mut first = last;
        while let Some(i) = cast_before(first) {
            first = i;
        }
        let inner = figure(&expr[..tk.t[first].start]);
        if inner.1 > Strength::Weak {
            return (inner.0, Strength::Strong);
        }
        return (type_name(&expr[tk.t[last + 2].start..]), Strength::Weak);
    }
    // CAST(x AS type)
    if tk.is_word(0, "cast") && tk.kind(1) == Some(TokenKind::Open) && tk.close_of(1) == Some(n - 1)
    {
        if let Some(as_at) = (3..n.saturating_sub(2))
            .rev()
            .find(|&i| tk.is_word(i, "as") && tk.depth(i) == 1)
        {
            let inner = figure(&expr[tk.t[2].start..tk.t[as_at - 1].end]);
            if inner.1 > Strength::Weak {
                return (inner.0, Strength::Strong);
            }
            return (
                type_name(&expr[tk.t[as_at + 1].start..tk.t[n - 2].end]),
                Strength::Weak,
            );
        }
    }
    if tk.is_word(0, "case") && tk.is_word(n - 1, "end") {
        return ("case".into(), Strength::Weak);
    }
    // Operators anywhere at depth 0 make an unnamed expression.
    let operator = (0..n).any(|i| {
        tk.depth(i) == 0
            && match tk.kind(i) {
                Some(TokenKind::Other) => tk.text(i) != ".",
                Some(TokenKind::Word) => ["and", "or", "not", "is", "in", "like", "between"]
                    .iter()
                    .any(|w| tk.is_word(i, w)),
                _ => false,
            }
    });
    if operator {
        return unnamed();
    }
    // A (possibly qualified) function call: its name.
    let call = (0..n).find(|&i| tk.kind(i) == Some(TokenKind::Open));
    if let Some(open) = call {
        // A window or filtered aggregate is named by its function too.
        let end = tk.close_of(open);
        let whole = end == Some(n - 1)
            || end.is_some_and(|e| tk.is_word(e + 1, "over") || tk.is_word(e + 1, "filter"));
        if open >= 1 && whole {
            let name = tk.text(open - 1);
            return match tk.kind(open - 1) {
                Some(TokenKind::Quoted) => (name.trim_matches('"').to_string(), Strength::Strong),
                Some(TokenKind::Word) => (name.to_ascii_lowercase(), Strength::Strong),
                _ => unnamed(),
            };
        }
        return unnamed();
    }
    let last = tk.text(n - 1);
    match tk.kind(n - 1) {
        Some(TokenKind::Word) if n == 1 => {
            let lower = last.to_ascii_lowercase();
            match lower.as_str() {
                "true" | "false" => ("bool".into(), Strength::Weak),
                "null" => unnamed(),
                "current_user" | "session_user" | "current_role" | "current_catalog"
                | "current_schema" | "current_timestamp" | "current_date" | "current_time"
                | "localtime" | "localtimestamp" | "user" => (lower, Strength::Strong),
                _ if last.starts_with('$') || last.bytes().all(|b| b.is_ascii_digit()) => unnamed(),
                _ => (lower, Strength::Column),
            }
        }
        // `t.col`, `"Col"`
        Some(TokenKind::Word) if n == 3 && tk.text(1) == "." => {
            if last.bytes().all(|b| b.is_ascii_digit()) {
                unnamed() // 1.5
            } else {
                (last.to_ascii_lowercase(), Strength::Column)
            }
        }
        Some(TokenKind::Quoted) if last.starts_with('"') && (n == 1 || tk.text(n - 2) == ".") => {
            (last.trim_matches('"').to_string(), Strength::Column)
        }
        _ => unnamed(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(sql: &str) -> Vec<Option<String>> {
        column_names(sql).unwrap()
    }

    #[test]
    fn like_postgres() {
        let n = |s: &str| Some(s.to_string());
        assert_eq!(
            names(
                "select count(*), pg_catalog.version(), 1, 'a'::text, a::int, t.b, \
                 1 + 2, case when x then 1 end, (sum(x))::int8, cast(1 as integer), \
                 true, current_user, $1, 2.5 from t"
            ),
            vec![
                n("count"),
                n("version"),
                n("?column?"),
                n("text"),
                n("a"),
                None,
                n("?column?"),
                n("case"),
                n("sum"),
                n("int4"),
                n("bool"),
                n("current_user"),
                n("?column?"),
                n("?column?"),
            ]
        );
        assert_eq!(
            names(
                "select 'x'::character varying(3), 1.5::double precision, x as y, \
                 count(*) over (partition by a) from t"
            ),
            vec![n("varchar"), n("float8"), None, n("count")]
        );
        assert_eq!(column_names("select * from t"), None);
        assert_eq!(column_names("insert into t select 1"), None);
    }
}
