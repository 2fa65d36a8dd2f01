//! Static typing from SQL text, for what SQLite cannot tell before running a statement:
//! the type of result expressions (SQLite knows declared types of plain columns only)
//! and of `$n` parameters (SQLite knows only how many there are).
//!
//! The rules are lexical and deliberately small; COMPAT.md lists them. Anything they do
//! not recognise is left to the caller's fallback (text).

use super::lexer::{significant, Token, TokenKind};

/// What a parameter's type can be learned from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamHint {
    /// A type name written in the statement (`$1::int4`, `CAST($1 AS text)`, LIMIT).
    Type(String),
    /// Compared with, assigned to or combined with this column (`col = $1`).
    Column(String),
    /// The k-th value of an INSERT into `table` (with the column list, if given).
    Insert {
        table: String,
        columns: Option<Vec<String>>,
        position: usize,
    },
}

struct Toks<'a> {
    sql: &'a str,
    t: Vec<Token>,
}

impl<'a> Toks<'a> {
    fn new(sql: &'a str) -> Self {
        Toks {
            sql,
            t: significant(sql).collect(),
        }
    }
    fn text(&self, i: usize) -> &'a str {
        self.t.get(i).map_or("", |t| &self.sql[t.start..t.end])
    }
    fn is_word(&self, i: usize, w: &str) -> bool {
        self.t.get(i).is_some_and(|t| t.kind == TokenKind::Word)
            && self.text(i).eq_ignore_ascii_case(w)
    }
    fn kind(&self, i: usize) -> Option<TokenKind> {
        self.t.get(i).map(|t| t.kind)
    }
    /// The parameter number of token i, if it is `$n`.
    fn param(&self, i: usize) -> Option<usize> {
        let s = self.text(i);
        if self.kind(i) == Some(TokenKind::Word) {
            s.strip_prefix('$')?.parse().ok()
        } else {
            None
        }
    }
    /// A column reference ending at token i (`col` or `t.col`), as the column name.
    fn column_at(&self, i: usize) -> Option<String> {
        match self.kind(i)? {
            TokenKind::Word if self.param(i).is_none() && !is_keyword(self.text(i)) => {
                if self
                    .text(i)
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'.')
                {
                    return None;
                }
                Some(self.text(i).to_string())
            }
            TokenKind::Quoted if self.text(i).starts_with('"') => {
                Some(self.text(i).trim_matches('"').to_string())
            }
            _ => None,
        }
    }
    /// The index of the first token of an operator ending at i (`=`, `<>`, `<=`, `!=`...).
    fn operator_before(&self, i: usize) -> Option<usize> {
        let op =
            |j: usize| self.kind(j) == Some(TokenKind::Other) && "=<>!+-*/%".contains(self.text(j));
        if i == 0 || !op(i - 1) {
            if i >= 1 && (self.is_word(i - 1, "like") || self.is_word(i - 1, "ilike")) {
                return Some(i - 1);
            }
            return None;
        }
        let mut j = i - 1;
        while j > 0 && op(j - 1) && self.t[j - 1].end == self.t[j].start {
            j -= 1;
        }
        Some(j)
    }
    fn operator_after(&self, i: usize) -> Option<usize> {
        let op =
            |j: usize| self.kind(j) == Some(TokenKind::Other) && "=<>!+-*/%".contains(self.text(j));
        if self.is_word(i, "like") || self.is_word(i, "ilike") {
            return Some(i + 1);
        }
        if !op(i) {
            return None;
        }
        let mut j = i;
        while op(j + 1) && self.t[j].end == self.t[j + 1].start {
            j += 1;
        }
        Some(j + 1)
    }
}

const KEYWORDS: &[&str] = &[
    "select",
    "from",
    "where",
    "and",
    "or",
    "not",
    "null",
    "is",
    "in",
    "like",
    "ilike",
    "set",
    "values",
    "limit",
    "offset",
    "on",
    "as",
    "by",
    "order",
    "group",
    "having",
    "case",
    "when",
    "then",
    "else",
    "end",
    "between",
    "exists",
    "true",
    "false",
    "insert",
    "update",
    "delete",
    "into",
    "returning",
    "join",
    "left",
    "right",
    "inner",
    "outer",
    "cross",
    "union",
    "all",
    "distinct",
    "with",
    "any",
    "some",
    "cast",
];

fn is_keyword(w: &str) -> bool {
    KEYWORDS.iter().any(|k| w.eq_ignore_ascii_case(k))
}

/// Hints for each `$n` parameter (n is 1-based), in order of appearance.
pub fn param_hints(sql: &str) -> Vec<(usize, ParamHint)> {
    let tk = Toks::new(sql);
    let mut hints = Vec::new();
    insert_hints(&tk, &mut hints);
    for i in 0..tk.t.len() {
        let Some(n) = tk.param(i) else { continue };
        // `$n::type`
        if tk.text(i + 1) == ":" && tk.text(i + 2) == ":" {
            hints.push((n, ParamHint::Type(tk.text(i + 3).to_ascii_lowercase())));
            continue;
        }
        // CAST($n AS type)
        if i >= 2
            && tk.kind(i - 1) == Some(TokenKind::Open)
            && tk.is_word(i - 2, "cast")
            && tk.is_word(i + 1, "as")
        {
            hints.push((n, ParamHint::Type(tk.text(i + 2).to_ascii_lowercase())));
            continue;
        }
        if i >= 1 && (tk.is_word(i - 1, "limit") || tk.is_word(i - 1, "offset")) {
            hints.push((n, ParamHint::Type("int8".into())));
            continue;
        }
        // col <op> $n
        if let Some(op) = tk.operator_before(i) {
            if let Some(c) = op.checked_sub(1).and_then(|j| tk.column_at(j)) {
                hints.push((n, ParamHint::Column(c)));
                continue;
            }
        }
        // $n <op> col
        if let Some(after) = tk.operator_after(i + 1) {
            if let Some(c) = tk.column_at(after) {
                if tk.text(after + 1) != "(" {
                    hints.push((n, ParamHint::Column(c)));
                    continue;
                }
            }
        }
        // col IN (..., $n, ...) and col BETWEEN $n AND $m
        if let Some(c) = in_or_between_column(&tk, i) {
            hints.push((n, ParamHint::Column(c)));
            continue;
        }
        // $n <op> literal, literal <op> $n: the literal's type (`$1 + 1` is int4).
        let literal = |first: usize, last: usize| -> &str {
            match (tk.t.get(first), tk.t.get(last)) {
                (Some(a), Some(b)) => &sql[a.start..b.end],
                _ => "",
            }
        };
        let after = tk.operator_after(i + 1).map(|j| {
            // A decimal literal is three tokens: 2 . 5
            if tk.text(j + 1) == "." {
                literal(j, j + 2)
            } else {
                literal(j, j)
            }
        });
        let before = tk
            .operator_before(i)
            .and_then(|op| op.checked_sub(1))
            .map(|j| {
                if j >= 2 && tk.text(j - 1) == "." {
                    literal(j - 2, j)
                } else {
                    literal(j, j)
                }
            });
        if let Some(t) = after.or(before).and_then(expr_type) {
            if t != "bool" {
                hints.push((n, ParamHint::Type(t)));
            }
        }
    }
    hints
}

fn in_or_between_column(tk: &Toks<'_>, i: usize) -> Option<String> {
    // Walk back over `$a, $b, (` to IN.
    let mut j = i;
    while j > 0 {
        j -= 1;
        match tk.kind(j)? {
            TokenKind::Open if j >= 2 && tk.is_word(j - 1, "in") => return tk.column_at(j - 2),
            TokenKind::Other if tk.text(j) == "," => continue,
            TokenKind::Word if tk.param(j).is_some() => continue,
            TokenKind::Word if tk.is_word(j, "between") => return tk.column_at(j - 1),
            TokenKind::Word if tk.is_word(j, "and") && j >= 2 && tk.is_word(j - 2, "between") => {
                return tk.column_at(j - 3)
            }
            _ => return None,
        }
    }
    None
}

/// `INSERT INTO t [(a, b)] VALUES ($1, $2), ...`: each `$n` that is a whole value.
fn insert_hints(tk: &Toks<'_>, hints: &mut Vec<(usize, ParamHint)>) {
    let Some(start) =
        (0..tk.t.len()).find(|&i| tk.is_word(i, "insert") || tk.is_word(i, "replace"))
    else {
        return;
    };
    let Some(into) = (start..tk.t.len()).find(|&i| tk.is_word(i, "into")) else {
        return;
    };
    let mut i = into + 1;
    let mut table = tk.text(i).trim_matches('"').to_string();
    if tk.text(i + 1) == "." {
        i += 2;
        table = tk.text(i).trim_matches('"').to_string();
    }
    i += 1;
    let mut columns = None;
    if tk.kind(i) == Some(TokenKind::Open) {
        let mut cols = Vec::new();
        i += 1;
        while i < tk.t.len() && tk.kind(i) != Some(TokenKind::Close) {
            if tk.text(i) != "," {
                cols.push(tk.text(i).trim_matches('"').to_string());
            }
            i += 1;
        }
        columns = Some(cols);
        i += 1;
    }
    if !tk.is_word(i, "values") {
        return;
    }
    i += 1;
    // Each tuple: ( item, item, ... )
    while tk.kind(i) == Some(TokenKind::Open) {
        i += 1;
        let mut position = 0;
        let mut depth = 0;
        let mut item_start = i;
        while i < tk.t.len() {
            match tk.kind(i) {
                Some(TokenKind::Open) => depth += 1,
                Some(TokenKind::Close) if depth > 0 => depth -= 1,
                Some(TokenKind::Close) | Some(TokenKind::Other)
                    if depth == 0 && (tk.text(i) == "," || tk.text(i) == ")") =>
                {
                    if i == item_start + 1 {
                        if let Some(n) = tk.param(item_start) {
                            hints.push((
                                n,
                                ParamHint::Insert {
                                    table: table.clone(),
                                    columns: columns.clone(),
                                    position,
                                },
                            ));
                        }
                    }
                    position += 1;
                    item_start = i + 1;
                    if tk.text(i) == ")" {
                        break;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        i += 1;
        if tk.text(i) == "," {
            i += 1;
        }
    }
}

/// The result expressions of a SELECT, one text per output column, or None when they
/// cannot be matched to columns (e.g. `*`).
pub fn select_items(sql: &str) -> Option<Vec<String>> {
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
                && matches!(
                    tk.kind(last - 1),
                    Some(TokenKind::Word) | Some(TokenKind::Close) | Some(TokenKind::Quoted)
                )
                && !tk.text(last - 1).eq_ignore_ascii_case("end")
                && tk.param(last - 1).is_none()
                && !is_keyword(tk.text(last - 1))
            {
                item = &tk.sql[a..tk.t[last - 1].end];
            }
            let item = item.trim();
            if item == "*" || item.ends_with(".*") {
                return None;
            }
            items.push(item.to_string());
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
    let tk = Toks::new(expr);
    let n = tk.t.len();
    if n == 0 {
        return None;
    }
    let sub = |a: usize, b: usize| -> &str { &expr[tk.t[a].start..tk.t[b - 1].end] };
    // Outer parentheses.
    if n >= 2
        && tk.kind(0) == Some(TokenKind::Open)
        && tk.kind(n - 1) == Some(TokenKind::Close)
        && matching(&tk, 0) == Some(n - 1)
    {
        return expr_type_with(&expr[tk.t[0].end..tk.t[n - 1].start], column);
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
        .find(|&i| tk.text(i) == ":" && tk.text(i + 1) == ":" && depth_at(&tk, i) == 0)
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
    if tk.is_word(0, "cast") && matching(&tk, 1) == Some(n - 1) {
        let as_at = (2..n - 1)
            .rev()
            .find(|&i| tk.is_word(i, "as") && depth_at(&tk, i) == 1)?;
        return Some(type_after(&tk, as_at + 1));
    }
    // CASE ... END: the type of its first THEN result.
    if tk.is_word(0, "case") && tk.is_word(n - 1, "end") {
        let then = (1..n).find(|&i| tk.is_word(i, "then") && depth_at(&tk, i) == 0)?;
        let stop = (then + 1..n).find(|&i| {
            depth_at(&tk, i) == 0
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
        && matching(&tk, 1) == Some(n - 1)
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
    let close = matching(tk, open)?;
    let end = (open + 1..close)
        .find(|&i| tk.text(i) == "," && depth_at(tk, i) == 1)
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
        | "strpos" | "position" => "int4",
        "random" | "total" => "float8",
        "avg" => "numeric",
        "lower" | "upper" | "trim" | "ltrim" | "rtrim" | "substr" | "substring" | "replace"
        | "concat" | "concat_ws" | "version" | "quote_literal" | "quote_ident" | "format"
        | "repeat" | "lpad" | "rpad" | "md5" | "hex" | "group_concat" | "string_agg" | "printf"
        | "char" | "typeof" | "sqlite_version" | "current_setting" | "set_config" => "text",
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

fn matching(tk: &Toks<'_>, open: usize) -> Option<usize> {
    let mut d = 0;
    for i in open..tk.t.len() {
        match tk.kind(i)? {
            TokenKind::Open => d += 1,
            TokenKind::Close => {
                d -= 1;
                if d == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn depth_at(tk: &Toks<'_>, at: usize) -> i32 {
    let mut d = 0;
    for i in 0..at {
        match tk.kind(i) {
            Some(TokenKind::Open) => d += 1,
            Some(TokenKind::Close) => d -= 1,
            _ => {}
        }
    }
    d
}

/// A type name starting at token i (multi-word names joined, modifiers kept).
fn type_after(tk: &Toks<'_>, i: usize) -> String {
    let mut words = Vec::new();
    let mut j = i;
    while tk.kind(j) == Some(TokenKind::Word) {
        let w = tk.text(j).to_ascii_lowercase();
        if !words.is_empty()
            && !["precision", "varying", "with", "without", "time", "zone"].contains(&w.as_str())
        {
            break;
        }
        words.push(w);
        j += 1;
        if tk.text(j) == "." {
            words.clear();
            j += 1;
        }
    }
    let mut ty = words.join(" ");
    if tk.kind(j) == Some(TokenKind::Open) {
        if let Some(close) = matching(tk, j) {
            ty.push_str(&tk.sql[tk.t[j].start..tk.t[close].end]);
        }
    }
    ty
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

    #[test]
    fn parameter_hints() {
        let h = param_hints("select * from t where id = $1 and $2 < score limit $3");
        assert_eq!(
            h,
            vec![
                (1, ParamHint::Column("id".into())),
                (2, ParamHint::Column("score".into())),
                (3, ParamHint::Type("int8".into())),
            ]
        );
        let h = param_hints("insert into t (a, b) values ($1, $2)");
        assert_eq!(
            h[1],
            (
                2,
                ParamHint::Insert {
                    table: "t".into(),
                    columns: Some(vec!["a".into(), "b".into()]),
                    position: 1
                }
            )
        );
        let h = param_hints("UPDATE acc SET abalance = abalance + $1 WHERE aid = $2");
        assert_eq!(
            h,
            vec![
                (1, ParamHint::Column("abalance".into())),
                (2, ParamHint::Column("aid".into()))
            ]
        );
        assert_eq!(
            param_hints("select $1::text"),
            vec![(1, ParamHint::Type("text".into()))]
        );
        assert_eq!(
            param_hints("select $1 + 1"),
            vec![(1, ParamHint::Type("int4".into()))]
        );
        assert_eq!(
            param_hints("select 2.5 * $1"),
            vec![(1, ParamHint::Type("numeric".into()))]
        );
        assert_eq!(
            param_hints("select * from t where a in ($1, $2)")[1],
            (2, ParamHint::Column("a".into()))
        );
    }
}
