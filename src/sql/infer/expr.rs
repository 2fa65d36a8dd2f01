//! Result expression types from the statement text: the select list, literals,
//! casts, operators, CASE and well-known functions.

use super::{is_keyword, type_after, TokenKind, Toks};

/// The result expressions of a SELECT, one text per output column, or None when they
/// cannot be matched to columns (e.g. `*`).
pub fn select_items(sql: &str) -> Option<Vec<String>> {
    Some(select_list(sql)?.into_iter().map(|(e, _)| e).collect())
}

/// Like [`select_items`], with whether each expression has an alias.
pub fn select_list(sql: &str) -> Option<Vec<(String, bool)>> {
    let tk = Toks::new(sql);
    // The first SELECT at depth 0 (after any WITH ... clauses).
    let mut depth = 0i32;
    let mut start = None;
    for i in 0..tk.t.len() {
        match tk.kind(i)? {
            TokenKind::Open => depth += 1,
            TokenKind::Close => depth -= 1,
            TokenKind::Word if depth == 0 && tk.is_word(i, "select") => {
                start = Some(i + 1);
                break;
            }
            _ => {}
        }
    }
    let mut i = start?;
    if tk.is_word(i, "distinct") || tk.is_word(i, "all") {
        i += 1;
    }
    let mut items = Vec::new();
    let mut item_start = i;
    let mut depth = 0;
    const ENDS: &[&str] = &[
        "from",
        "where",
        "group",
        "order",
        "limit",
        "union",
        "except",
        "intersect",
        "having",
        "window",
        "offset",
    ];
    while i <= tk.t.len() {
        let end_here = i == tk.t.len()
            || (depth == 0
                && tk.kind(i) == Some(TokenKind::Word)
                && ENDS.iter().any(|e| tk.is_word(i, e)));
        if end_here || (depth == 0 && tk.text(i) == ",") {
            if item_start >= i {
                return None;
            }
            let (a, b) = (tk.t[item_start].start, tk.t[i - 1].end);
            let mut item = &tk.sql[a..b];
            let mut aliased = true;
            // Drop an alias: `expr AS name` / `expr name`.
            let last = i - 1;
            if last > item_start && tk.is_word(last - 1, "as") {
                item = &tk.sql[a..tk.t[last - 1].start];
            } else if last > item_start
                && matches!(
                    tk.kind(last),
                    Some(TokenKind::Word) | Some(TokenKind::Quoted)
                )
                && !is_keyword(tk.text(last))
                // The end of a type name: `x::double precision`, `... with time zone`.
                && !["precision", "varying", "zone"].iter().any(|w| tk.is_word(last, w))
                && matches!(
                    tk.kind(last - 1),
                    Some(TokenKind::Word) | Some(TokenKind::Close) | Some(TokenKind::Quoted)
                )
                && !tk.text(last - 1).eq_ignore_ascii_case("end")
                && tk.param(last - 1).is_none()
                && !is_keyword(tk.text(last - 1))
            {
                item = &tk.sql[a..tk.t[last - 1].end];
            } else {
                aliased = false;
            }
            let item = item.trim();
            if item == "*" || item.ends_with(".*") {
                return None;
            }
            items.push((item.to_string(), aliased));
            if end_here {
                break;
            }
            item_start = i + 1;
        } else if tk.kind(i) == Some(TokenKind::Open) {
            depth += 1;
        } else if tk.kind(i) == Some(TokenKind::Close) {
            depth -= 1;
        }
        i += 1;
    }
    Some(items)
}

/// The PostgreSQL type name of an expression, when its text shows it.
pub fn expr_type(expr: &str) -> Option<String> {
    expr_type_with(expr, &|_| None)
}

/// Like [`expr_type`], with `column` giving the declared type of a column name.
pub fn expr_type_with(expr: &str, column: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    typed(expr, column, 0)
}

/// Sub-expressions read deeper than this are left untyped: each level re-reads its text
/// and takes stack (on a worker), and real statements nest far less.
const MAX_DEPTH: usize = 32;

fn typed(expr: &str, column: &dyn Fn(&str) -> Option<String>, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    let expr_type_with = |e: &str, c: &dyn Fn(&str) -> Option<String>| typed(e, c, depth + 1);
    let tk = Toks::new(expr);
    let n = tk.t.len();
    if n == 0 {
        return None;
    }
    // Tokens a..b as text; empty where an operand is missing (`x %`, `THEN END`).
    let sub = |a: usize, b: usize| -> &str {
        if a >= b || b > n {
            return "";
        }
        &expr[tk.t[a].start..tk.t[b - 1].end]
    };
    // Outer parentheses, all levels at once (one rescan, not one each).
    let mut outer = 0;
    while outer < n / 2 && tk.close_of(outer) == Some(n - 1 - outer) {
        outer += 1;
    }
    if outer > 0 {
        return expr_type_with(&expr[tk.t[outer - 1].end..tk.t[n - outer].start], column);
    }
    // Operators at depth 0, loosest first: boolean ones, then `||`, then arithmetic.
    let mut d = 0;
    let mut arith = Vec::new();
    let mut concat = false;
    let mut in_case = 0;
    for i in 0..n {
        match tk.kind(i)? {
            TokenKind::Open => d += 1,
            TokenKind::Close => d -= 1,
            TokenKind::Word if d == 0 && tk.is_word(i, "case") => in_case += 1,
            TokenKind::Word if d == 0 && tk.is_word(i, "end") => in_case -= 1,
            _ if d != 0 || in_case != 0 => {}
            TokenKind::Other if ["=", "<", ">", "!"].contains(&tk.text(i)) => {
                return Some("bool".into())
            }
            TokenKind::Word
                if [
                    "and", "or", "not", "is", "in", "like", "ilike", "between", "exists", "glob",
                    "regexp",
                ]
                .iter()
                .any(|k| tk.is_word(i, k)) =>
            {
                return Some("bool".into())
            }
            TokenKind::Other if tk.text(i) == "|" && tk.text(i + 1) == "|" => concat = true,
            TokenKind::Other if "+-*/%".contains(tk.text(i)) && i > 0 => {
                // Binary only: the previous token ends an operand.
                let prev = tk.kind(i - 1);
                let prev_op = prev == Some(TokenKind::Other) && tk.text(i - 1) != ")";
                if !prev_op {
                    arith.push(i);
                }
            }
            _ => {}
        }
    }
    if concat {
        return Some("text".into());
    }
    if !arith.is_empty() {
        let mut bounds = vec![0];
        for &op in &arith {
            bounds.push(op);
            bounds.push(op + 1);
        }
        bounds.push(n);
        let mut result: Option<String> = None;
        for pair in bounds.chunks(2) {
            let t = expr_type_with(sub(pair[0], pair[1].max(pair[0] + 1)), column)?;
            result = Some(match result {
                None => t,
                Some(r) => promote(&r, &t)?,
            });
        }
        return result;
    }
    // Trailing `::type` at depth 0.
    if let Some(i) = (0..n.saturating_sub(2))
        .rev()
        .find(|&i| tk.text(i) == ":" && tk.text(i + 1) == ":" && tk.depth(i) == 0)
    {
        return Some(type_after(&tk, i + 2));
    }
    if n == 1 {
        let t = tk.text(0);
        return match tk.kind(0)? {
            TokenKind::Word if t.bytes().all(|b| b.is_ascii_digit()) => Some(
                if t.parse::<i32>().is_ok() {
                    "int4"
                } else {
                    "int8"
                }
                .into(),
            ),
            TokenKind::Word
                if t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false") =>
            {
                Some("bool".into())
            }
            TokenKind::Word if t.eq_ignore_ascii_case("current_timestamp") => {
                Some("timestamptz".into())
            }
            TokenKind::Word if t.eq_ignore_ascii_case("current_date") => Some("date".into()),
            TokenKind::Word if t.eq_ignore_ascii_case("current_time") => Some("time".into()),
            TokenKind::Word
                if [
                    "current_user",
                    "session_user",
                    "current_role",
                    "current_schema",
                    "current_catalog",
                ]
                .iter()
                .any(|f| t.eq_ignore_ascii_case(f)) =>
            {
                Some("name".into())
            }
            TokenKind::Quoted if t.starts_with('\'') => Some("text".into()),
            // A column, or a parameter (`$1`): the caller knows their types.
            TokenKind::Word if !is_keyword(t) => column(t),
            TokenKind::Quoted if t.starts_with('"') => column(t.trim_matches('"')),
            _ => None,
        };
    }
    // `t.col`
    if n == 3 && tk.text(1) == "." && tk.kind(2) != Some(TokenKind::Open) {
        if tk.text(0).bytes().all(|b| b.is_ascii_digit()) {
            return Some("numeric".into()); // a decimal literal: 1.5
        }
        return column(tk.text(2).trim_matches('"'));
    }
    // A leading minus on a number.
    if tk.text(0) == "-" {
        return expr_type_with(&expr[tk.t[1].start..], column);
    }
    // CAST(x AS type) as the whole expression.
    if tk.is_word(0, "cast") && tk.close_of(1) == Some(n - 1) {
        let as_at = (2..n - 1)
            .rev()
            .find(|&i| tk.is_word(i, "as") && tk.depth(i) == 1)?;
        return Some(type_after(&tk, as_at + 1));
    }
    // CASE ... END: the type of its first THEN result.
    if tk.is_word(0, "case") && tk.is_word(n - 1, "end") {
        let then = (1..n).find(|&i| tk.is_word(i, "then") && tk.depth(i) == 0)?;
        let stop = (then + 1..n).find(|&i| {
            tk.depth(i) == 0
                && (tk.is_word(i, "when") || tk.is_word(i, "else") || tk.is_word(i, "end"))
        })?;
        return expr_type_with(sub(then + 1, stop), column);
    }
    // A schema-qualified function: `pg_catalog.f(...)`.
    if n > 3 && tk.kind(0) == Some(TokenKind::Word) && tk.text(1) == "." {
        return expr_type_with(&expr[tk.t[2].start..], column);
    }
    // A function call as the whole expression.
    if tk.kind(0) == Some(TokenKind::Word)
        && tk.kind(1) == Some(TokenKind::Open)
        && tk.close_of(1) == Some(n - 1)
    {
        let f = tk.text(0).to_ascii_lowercase();
        if let Some(t) = function_type(&f) {
            return Some(t.into());
        }
        // Functions whose type follows their first argument.
        let first_arg = first_argument(&tk, expr)?;
        let arg = expr_type_with(first_arg, column);
        return match f.as_str() {
            "max" | "min" | "abs" | "coalesce" | "ifnull" | "nullif" | "greatest" | "least" => arg,
            "sum" => match arg?.as_str() {
                "int2" | "int4" | "integer" | "smallint" | "int" => Some("int8".into()),
                "int8" | "bigint" | "numeric" => Some("numeric".into()),
                a if is_float(a) => Some("float8".into()),
                _ => None,
            },
            "round" | "ceil" | "ceiling" | "floor" | "trunc" => match arg?.as_str() {
                a if is_float(a) => Some("float8".into()),
                "numeric" => Some("numeric".into()),
                _ => None,
            },
            _ => None,
        };
    }
    None
}

fn is_float(t: &str) -> bool {
    matches!(
        t,
        "float8" | "float4" | "real" | "double precision" | "float" | "double"
    )
}

/// The text of a call's first argument (`f(a, b)` → `a`).
fn first_argument<'a>(tk: &Toks<'a>, expr: &'a str) -> Option<&'a str> {
    let open = 1;
    let close = tk.close_of(open)?;
    let end = (open + 1..close)
        .find(|&i| tk.text(i) == "," && tk.depth(i) == 1)
        .unwrap_or(close);
    if end == open + 1 {
        return None;
    }
    let s = &expr[tk.t[open + 1].start..tk.t[end - 1].end];
    if s.trim() == "*" || s.to_ascii_lowercase().starts_with("distinct ") {
        return s.get(9..).filter(|_| s.len() > 9);
    }
    Some(s)
}

/// The type of `a op b` from the types of `a` and `b` (PostgreSQL's numeric promotion).
fn promote(a: &str, b: &str) -> Option<String> {
    fn rank(t: &str) -> Option<u8> {
        Some(match t {
            "int2" | "smallint" => 1,
            "int4" | "int" | "integer" => 2,
            "int8" | "bigint" => 3,
            "numeric" | "decimal" => 4,
            t if is_float(t) => 5,
            _ => return None,
        })
    }
    let base = |t: &str| t.split('(').next().unwrap_or(t).trim().to_string();
    let (a, b) = (base(a), base(b));
    let (ra, rb) = (rank(&a)?, rank(&b)?);
    Some(if ra >= rb { a } else { b })
}

fn function_type(f: &str) -> Option<&'static str> {
    Some(match f {
        "count" => "int8",
        "length" | "char_length" | "character_length" | "octet_length" | "pg_backend_pid"
        | "strpos" | "position" | "ascii" | "regexp_count" | "regexp_instr" => "int4",
        "random" | "total" => "float8",
        "avg" => "numeric",
        "lower" | "upper" | "trim" | "ltrim" | "rtrim" | "substr" | "substring" | "replace"
        | "concat" | "concat_ws" | "version" | "quote_literal" | "quote_ident" | "format"
        | "repeat" | "lpad" | "rpad" | "md5" | "hex" | "group_concat" | "string_agg" | "printf"
        | "char" | "typeof" | "sqlite_version" | "current_setting" | "set_config"
        | "split_part" | "initcap" | "left" | "right" | "reverse" | "translate" | "chr"
        | "btrim" | "regexp_replace" | "overlay" | "to_hex" | "quote_nullable"
        | "regexp_substr" | "to_char" | "encode" => "text",
        "decode" => "bytea",
        "regexp_like" => "bool",
        "justify_days" | "justify_hours" | "justify_interval" => "interval",
        "extract" => "numeric",
        "date_part" => "float8",
        "starts_with" => "bool",
        "age" => "interval",
        "make_date" => "date",
        "make_time" => "time",
        "make_timestamp" => "timestamp",
        "to_timestamp" => "timestamptz",
        "gen_random_uuid" => "uuid",
        "current_database" | "current_schema" | "current_user" | "session_user"
        | "current_catalog" | "current_role" => "name",
        "now" | "statement_timestamp" | "transaction_timestamp" | "clock_timestamp" => {
            "timestamptz"
        }
        "date" => "date",
        "datetime" => "timestamp",
        "exists" => "bool",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_expression_types() {
        let t = |e: &str| expr_type(e);
        assert_eq!(t("1").as_deref(), Some("int4"));
        assert_eq!(t("10000000000").as_deref(), Some("int8"));
        assert_eq!(t("1.5").as_deref(), Some("numeric"));
        assert_eq!(t("'x'").as_deref(), Some("text"));
        assert_eq!(t("count(*)").as_deref(), Some("int8"));
        assert_eq!(t("$1::int8").as_deref(), Some("int8"));
        assert_eq!(t("CAST(a AS varchar(10))").as_deref(), Some("varchar(10)"));
        assert_eq!(t("a = 1").as_deref(), Some("bool"));
        assert_eq!(t("version()").as_deref(), Some("text"));
        assert_eq!(t("pg_catalog.version()").as_deref(), Some("text"));
        assert_eq!(t("a + b"), None);
        assert_eq!(t("40 + 2").as_deref(), Some("int4"));
        assert_eq!(t("1.5 + 1").as_deref(), Some("numeric"));
        assert_eq!(
            t("case when a = 1 then 'x' else 'y' end").as_deref(),
            Some("text")
        );
        assert_eq!(
            t("'2024-01-01'::date = '2024-01-01'::date").as_deref(),
            Some("bool")
        );
        assert_eq!(t("1::int = 1").as_deref(), Some("bool"));
        assert_eq!(t("-5").as_deref(), Some("int4"));
        let cols = |c: &str| match c {
            "n" => Some("integer".to_string()),
            "b" => Some("bigint".to_string()),
            "f" => Some("double precision".to_string()),
            _ => None,
        };
        let tc = |e: &str| expr_type_with(e, &cols);
        assert_eq!(tc("n + 1").as_deref(), Some("integer"));
        assert_eq!(tc("b * 2").as_deref(), Some("bigint"));
        assert_eq!(tc("f / 2").as_deref(), Some("double precision"));
        assert_eq!(tc("sum(n)").as_deref(), Some("int8"));
        assert_eq!(tc("sum(b)").as_deref(), Some("numeric"));
        assert_eq!(tc("max(f)").as_deref(), Some("double precision"));
        assert_eq!(tc("coalesce(b, 0)").as_deref(), Some("bigint"));
        assert_eq!(tc("abs(-3)").as_deref(), Some("int4"));
        assert_eq!(tc("t.n").as_deref(), Some("integer"));
        assert_eq!(t("(1)").as_deref(), Some("int4"));
        assert_eq!(
            t("x::timestamp with time zone").as_deref(),
            Some("timestamp with time zone")
        );
    }

    #[test]
    fn select_lists() {
        assert_eq!(
            select_items("select 1, count(*) as n, a b, f(x, y) from t where z").unwrap(),
            vec!["1", "count(*)", "a", "f(x, y)"]
        );
        assert_eq!(select_items("select * from t"), None);
        assert_eq!(
            select_items("with c as (select 5) select x from c").unwrap(),
            vec!["x"]
        );
        assert_eq!(
            select_items("select case when a then 1 else 2 end from t").unwrap(),
            vec!["case when a then 1 else 2 end"]
        );
    }
}
