//! PostgreSQL array syntax, for SQLite, which has no arrays. Arrays here are JSON text
//! (array parameters are bound so, see `engine/array.rs`), read with `json_each`:
//! `= ANY (...)` / `<> ALL (...)`, `ARRAY(SELECT ...)`, `array_to_string()` and
//! friends, set-returning functions in FROM (`generate_series`, `unnest`, with `WITH
//! ORDINALITY` and column aliases) and subscripts `a[i]`. Each pass returns None when the
//! statement has nothing for it.

use super::lexer::{TokenKind, Toks};
use super::rewrite::{contains_ignore_case, to_sqlite};

/// Replacements (token range → text) applied to `sql`; None when there are none.
fn apply(sql: &str, toks: &Toks<'_>, edits: Vec<(usize, usize, String)>) -> Option<String> {
    if edits.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(sql.len() + 64);
    let mut copied = 0;
    for (a, b, with) in edits {
        out.push_str(&sql[copied..toks.t[a].start]);
        out.push_str(&with);
        copied = toks.t[b].end;
    }
    out.push_str(&sql[copied..]);
    Some(out)
}

/// `x = ANY (...)` and `x <> ALL (...)`, which SQLite lacks:
/// - `ARRAY[a, b]` → `x IN (a, b)` / `x NOT IN (a, b)` (SQLAlchemy's `has_table`);
/// - a subquery → `x IN (SELECT ...)`;
/// - any other expression, e.g. an array parameter → `x IN (SELECT value FROM
///   json_each(pg_array_json(e)))` (array parameters are bound as JSON text).
///
/// SQLite's lexer reads `[...]` as one quoted identifier, so the list inside an ARRAY
/// literal is rewritten on its own.
pub(super) fn any_of_array(sql: &str) -> Option<String> {
    if !["any", "all", "some"]
        .iter()
        .any(|q| contains_ignore_case(sql, q))
    {
        return None;
    }
    let tk = Toks::new(sql);
    let toks = &tk.t;
    let text = |i: usize| tk.text(i);
    let mut out = String::new();
    let mut copied = 0;
    for i in 1..toks.len() {
        let quantifier = text(i);
        let negated = if ["any", "some"]
            .iter()
            .any(|q| quantifier.eq_ignore_ascii_case(q))
        {
            false
        } else if quantifier.eq_ignore_ascii_case("all") {
            true
        } else {
            continue;
        };
        // The operator: `=` for ANY, `<>` / `!=` for ALL.
        let op_start = if negated {
            (i >= 2 && ["<>", "!="].contains(&format!("{}{}", text(i - 2), text(i - 1)).as_str()))
                .then(|| i - 2)
        } else {
            (text(i - 1) == "=" && !["<", ">", "!"].contains(&text(i.wrapping_sub(2))))
                .then(|| i - 1)
        };
        let Some(op_start) = op_start else { continue };
        if text(i + 1) != "(" || toks[op_start].start < copied {
            continue;
        }
        // The parenthesis closing the operand.
        let Some(close) = tk.close_of(i + 1) else {
            continue;
        };
        if close == i + 2 {
            continue;
        }
        let operand = &sql[toks[i + 2].start..toks[close - 1].end];
        let list = text(i + 3);
        let set = if close == i + 4
            && text(i + 2).eq_ignore_ascii_case("array")
            && list.starts_with('[')
            && list.ends_with(']')
        {
            to_sqlite(&list[1..list.len() - 1]).into_owned()
        } else if text(i + 2).eq_ignore_ascii_case("select") {
            operand.to_string()
        } else {
            format!("SELECT value FROM json_each(pg_array_json({operand}))")
        };
        out.push_str(&sql[copied..toks[op_start].start]);
        out.push_str(if negated { "NOT IN (" } else { "IN (" });
        out.push_str(&set);
        out.push(')');
        copied = toks[close].end;
    }
    (copied > 0).then(|| {
        out.push_str(&sql[copied..]);
        out
    })
}

/// `ARRAY(SELECT x ...)` → the subquery's values as a JSON array.
pub(super) fn array_subqueries(sql: &str) -> Option<String> {
    if !contains_ignore_case(sql, "array") {
        return None;
    }
    let tk = Toks::new(sql);
    let mut edits = Vec::new();
    let mut i = 0;
    while i + 2 < tk.t.len() {
        if tk.is_word(i, "array") && tk.text(i + 1) == "(" && tk.is_word(i + 2, "select") {
            if let Some(close) = tk.close_of(i + 1) {
                let inner = tk.span(i + 2, close - 1);
                let name = format!("_array{}", edits.len());
                edits.push((
                    i,
                    close,
                    format!(
                        "(WITH {name}(v) AS ({}) SELECT json_group_array(v) FROM {name})",
                        to_sqlite(inner)
                    ),
                ));
                i = close + 1;
                continue;
            }
        }
        i += 1;
    }
    apply(sql, &tk, edits)
}

/// `array_to_string(a, sep [, null])`, `array_upper(a, 1)`, `array_length(a, 1)` and
/// `cardinality(a)` as subqueries over the array's elements.
pub(super) fn array_functions(sql: &str) -> Option<String> {
    if !["array_", "cardinality"]
        .iter()
        .any(|f| contains_ignore_case(sql, f))
    {
        return None;
    }
    let tk = Toks::new(sql);
    let mut edits = Vec::new();
    let mut i = 0;
    while i + 1 < tk.t.len() {
        let f = tk.text(i).to_ascii_lowercase();
        let known = [
            "array_to_string",
            "array_upper",
            "array_length",
            "cardinality",
        ];
        let close = (tk.t[i].kind == TokenKind::Word
            && known.contains(&f.as_str())
            && tk.text(i + 1) == "(")
            .then(|| tk.close_of(i + 1))
            .flatten();
        let Some(close) = close else {
            i += 1;
            continue;
        };
        let args: Vec<String> = tk
            .args(i + 1, close)
            .into_iter()
            .map(|a| to_sqlite(a).into_owned())
            .collect();
        let elements = |a: &str| format!("json_each(pg_array_json({a}))");
        let with = match (f.as_str(), args.as_slice()) {
            ("array_to_string", [a, sep]) => {
                format!("(SELECT group_concat(value, {sep}) FROM {})", elements(a))
            }
            ("array_to_string", [a, sep, null]) => format!(
                "(SELECT group_concat(coalesce(value, {null}), {sep}) FROM {})",
                elements(a)
            ),
            ("array_upper" | "array_length", [a, _]) => {
                format!("(SELECT nullif(count(*), 0) FROM {})", elements(a))
            }
            ("cardinality", [a]) => format!("(SELECT count(*) FROM {})", elements(a)),
            _ => {
                i += 1;
                continue;
            }
        };
        edits.push((i, close, with));
        i = close + 1;
    }
    apply(sql, &tk, edits)
}

/// Set-returning functions in FROM, `f(...) [WITH ORDINALITY] [AS] a [(c1 [, c2])]`,
/// become `json_each(...) AS a` over their elements as a JSON array; their columns
/// (`c1`, or `a` itself without a list; `c2` the ordinality) are rewritten to
/// `a.value` and `(a.key + 1)` wherever the statement names them.
pub(super) fn set_returning_functions(sql: &str) -> Option<String> {
    const FUNCTIONS: &[&str] = &["generate_series", "unnest", "pg_partition_ancestors"];
    if !FUNCTIONS.iter().any(|f| contains_ignore_case(sql, f)) {
        return None;
    }
    let tk = Toks::new(sql);
    let mut edits = Vec::new();
    // (alias, [(column, replacement)]) of each rewritten function.
    let mut columns: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let mut i = 1;
    while i + 1 < tk.t.len() {
        let in_from =
            tk.is_word(i - 1, "from") || tk.is_word(i - 1, "join") || tk.text(i - 1) == ",";
        let f = tk.text(i).to_ascii_lowercase();
        if !(in_from && FUNCTIONS.contains(&f.as_str()) && tk.text(i + 1) == "(") {
            i += 1;
            continue;
        }
        let Some(close) = tk.close_of(i + 1) else {
            break;
        };
        let mut j = close + 1;
        let ordinality = tk.is_word(j, "with") && tk.is_word(j + 1, "ordinality");
        if ordinality {
            j += 2;
        }
        if tk.is_word(j, "as") {
            j += 1;
        }
        let alias_ok = tk.t.get(j).is_some_and(|t| t.kind == TokenKind::Word)
            && ![
                "where", "on", "join", "left", "cross", "inner", "order", "group", "limit",
            ]
            .iter()
            .any(|k| tk.is_word(j, k));
        if !alias_ok {
            i += 1;
            continue;
        }
        let alias = tk.text(j).to_string();
        let mut names = vec![alias.clone()];
        let mut end = j;
        if tk.text(j + 1) == "(" {
            if let Some(c) = tk.close_of(j + 1) {
                names = tk
                    .args(j + 1, c)
                    .iter()
                    .map(|n| n.trim().to_string())
                    .collect();
                end = c;
            }
        }
        let args = if close > i + 2 {
            to_sqlite(tk.span(i + 2, close - 1))
        } else {
            "".into()
        };
        let source = match f.as_str() {
            "generate_series" => format!("pg_series({args})"),
            "unnest" => format!("pg_array_json({args})"),
            _ => format!("pg_array_json({f}({args}))"),
        };
        let Some(first) = names.first() else {
            i += 1;
            continue;
        };
        let mut cols = vec![(first.clone(), format!("{alias}.value"))];
        if let (true, Some(n)) = (ordinality, names.get(1)) {
            cols.push((n.clone(), format!("({alias}.key + 1)")));
        }
        columns.push((alias.clone(), cols));
        edits.push((i, end, format!("json_each({source}) AS {alias}")));
        i = end + 1;
    }
    if edits.is_empty() {
        return None;
    }
    // Column references: `a.c` and bare `c` (not the alias definitions just made).
    let edited: Vec<(usize, usize)> = edits.iter().map(|(a, b, _)| (*a, *b)).collect();
    for k in 0..tk.t.len() {
        if tk.t[k].kind != TokenKind::Word || edited.iter().any(|(a, b)| (*a..=*b).contains(&k)) {
            continue;
        }
        let word = tk.text(k);
        for (alias, cols) in &columns {
            for (col, with) in cols {
                if !word.eq_ignore_ascii_case(col) {
                    continue;
                }
                let qualified =
                    k >= 2 && tk.text(k - 1) == "." && tk.text(k - 2).eq_ignore_ascii_case(alias);
                let bare = tk.text(k.wrapping_sub(1)) != "."
                    && tk.text(k + 1) != "."
                    && tk.text(k + 1) != "(";
                if qualified {
                    edits.push((k - 2, k, with.clone()));
                } else if bare {
                    edits.push((k, k, with.clone()));
                }
            }
        }
    }
    edits.sort_by_key(|e| e.0);
    edits.dedup_by_key(|e| e.0);
    apply(sql, &tk, edits)
}

/// `a[i]` (1-based, as PostgreSQL arrays) → the element of the JSON array, and the
/// literal `ARRAY[a, b]` → `json_array(a, b)`. SQLite's lexer reads `[i]` as a quoted
/// identifier right after the operand.
pub(super) fn subscripts(sql: &str) -> Option<String> {
    if !sql.contains('[') {
        return None;
    }
    let tk = Toks::new(sql);
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for k in 1..tk.t.len() {
        let t = &tk.t[k];
        let index = tk.text(k);
        if !(t.kind == TokenKind::Quoted
            && index.len() >= 2
            && index.starts_with('[')
            && index.ends_with(']')
            && tk.t[k - 1].end == t.start)
        {
            continue;
        }
        let inner = &index[1..index.len() - 1];
        // An array literal `ARRAY[a, b]`: a JSON array.
        if tk.is_word(k - 1, "array") {
            edits.push((k - 1, k, format!("json_array({})", to_sqlite(inner))));
            continue;
        }
        if inner.contains(':') || inner.trim().is_empty() {
            continue; // a slice, or `type[]`
        }
        // The operand: `(...)`, or a column `a` / `t.a`.
        let start = match tk.t[k - 1].kind {
            TokenKind::Close => tk.open_of(k - 1),
            TokenKind::Word if k >= 3 && tk.text(k - 2) == "." => Some(k - 3),
            TokenKind::Word => Some(k - 1),
            _ => None,
        };
        let Some(start) = start else { continue };
        if edits.last().is_some_and(|e| e.1 >= start) {
            continue;
        }
        let operand = to_sqlite(tk.span(start, k - 1)).into_owned();
        edits.push((
            start,
            k,
            format!(
                "json_extract(pg_array_json({operand}), '$[' || (({}) - 1) || ']')",
                to_sqlite(inner)
            ),
        ));
    }
    apply(sql, &tk, edits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_of_array_literals() {
        assert_eq!(
            to_sqlite("select 1 where k = ANY (ARRAY[$1::VARCHAR, $2::VARCHAR]) and x"),
            "select 1 where k IN (CAST($1 AS TEXT), CAST($2 AS TEXT)) and x"
        );
        assert_eq!(
            to_sqlite("select 1 where k <> all(array['a','b'])"),
            "select 1 where k NOT IN ('a','b')"
        );
        assert_eq!(
            to_sqlite("select 1 where k != ALL (ARRAY[])"),
            "select 1 where k NOT IN ()"
        );
        assert_eq!(
            to_sqlite("select 1 where id = any($1) and k <> ALL (select k from t)"),
            "select 1 where id IN (SELECT value FROM json_each(pg_array_json($1))) \
             and k NOT IN (select k from t)"
        );
        // Not an equality: not an IN list (and SQLite has no ANY).
        assert_eq!(
            to_sqlite("select 1 where k > ANY (ARRAY[1])"),
            "select 1 where k > ANY (json_array(1))"
        );
    }

    #[test]
    fn array_subqueries_and_functions() {
        assert_eq!(
            to_sqlite("select array_to_string(array(select name from t order by 1), ',')"),
            "select (SELECT group_concat(value, ',') FROM json_each(pg_array_json(\
             (WITH _array0(v) AS (select name from t order by 1) \
             SELECT json_group_array(v) FROM _array0))))"
        );
        assert_eq!(
            to_sqlite("select array_upper(x, 1), cardinality(y) from t"),
            "select (SELECT nullif(count(*), 0) FROM json_each(pg_array_json(x))), \
             (SELECT count(*) FROM json_each(pg_array_json(y))) from t"
        );
    }

    #[test]
    fn set_returning_functions_in_from() {
        assert_eq!(
            to_sqlite("select s from generate_series(1, 3) s where s > 1"),
            "select s.value from json_each(pg_series(1, 3)) AS s where s.value > 1"
        );
        assert_eq!(
            to_sqlite(
                "select a.relid from pg_partition_ancestors(t.x) WITH ORDINALITY AS a(relid, depth) \
                 order by a.depth"
            ),
            "select a.value from json_each(pg_array_json(pg_partition_ancestors(t.x))) AS a \
             order by (a.key + 1)"
        );
        assert_eq!(
            to_sqlite("select x from unnest($1) as u(x)"),
            "select u.value from json_each(pg_array_json($1)) AS u"
        );
    }

    #[test]
    fn subscripts_are_one_based() {
        assert_eq!(
            to_sqlite("select prattrs[s] from t where (f(x))[2] = 1"),
            "select json_extract(pg_array_json(prattrs), '$[' || ((s) - 1) || ']') from t \
             where json_extract(pg_array_json((f(x))), '$[' || ((2) - 1) || ']') = 1"
        );
        // A cast to an array type is not a subscript; a literal is a JSON array.
        assert_eq!(to_sqlite("select $1::int4[]"), "select $1");
        assert_eq!(
            to_sqlite("select ARRAY['a', $1::text]"),
            "select json_array('a', CAST($1 AS TEXT))"
        );
    }
}
