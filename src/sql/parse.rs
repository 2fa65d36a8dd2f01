//! The one PostgreSQL parser: `sqlparser` with its PostgreSQL dialect (`dialect.rs`) (the choice and its
//! figures: docs/PARSER.md). Every statement that reaches SQLite is read into a tree
//! here; a statement the grammar does not accept is PostgreSQL's 42601, never passed on
//! as text.

use sqlparser::ast::Statement;
use sqlparser::parser::{Parser, ParserError};

use crate::protocol::{PgError, SqlState};

/// The statements of `text`. `max_depth` bounds the parser's recursion (parentheses,
/// subqueries), which is also what bounds the tree's depth for the passes that walk it.
pub fn parse(text: &str, max_depth: usize) -> Result<Vec<Statement>, PgError> {
    // INSERT's OVERRIDING clause, which the grammar lacks, is blanked out: the session
    // honours SYSTEM VALUE around the statement (engine/objects); USER VALUE is refused.
    let blanked = match super::translate::dml::overriding(text) {
        Some((_, false)) => return Err(super::translate::unsupported("OVERRIDING USER VALUE")),
        Some((at, true)) => Some(format!(
            "{}{}{}",
            &text[..at.start],
            " ".repeat(at.len()),
            &text[at.end..]
        )),
        None => None,
    };
    let text = blanked.as_deref().unwrap_or(text);
    let decoded = super::unicode::decode_escapes(text)?;
    let text = decoded.as_deref().unwrap_or(text);
    let continued = super::lexer::continued_strings(text);
    let text = continued.as_deref().unwrap_or(text);
    // A recursive WITH's SEARCH and CYCLE clauses, which the grammar lacks: rewritten as
    // PostgreSQL rewrites them.
    let searched = super::translate::search_cycle::rewrite(text)?;
    let text = searched.as_deref().unwrap_or(text);
    // `a JOIN b USING (c) AS x`: the join's alias, which the grammar lacks.
    let aliased = super::translate::join_alias::rewrite(text)?;
    let text = aliased.as_deref().unwrap_or(text);
    // `select union select`: SELECTs of nothing, which the grammar lacks.
    let bare = super::translate::bare_selects(text);
    let text = bare.as_deref().unwrap_or(text);
    // A window frame's EXCLUDE clause, which the grammar lacks, goes into the window's name.
    // So does CREATE RECURSIVE VIEW, written as the view PostgreSQL defines it to be.
    let stripped = super::translate::strip_exclude(text);
    let text = stripped.as_deref().unwrap_or(text);
    let casts = super::translate::strip_offset_casts(text);
    let text = casts.as_deref().unwrap_or(text);
    let view = super::translate::recursive_view(text);
    let text = view.as_deref().unwrap_or(text);
    let only = only_relations(text);
    let text = only.as_deref().unwrap_or(text);
    let arrays = array_keyword_types(text);
    let text = arrays.as_deref().unwrap_or(text);
    let listed = unnamed_column_lists(text);
    let text = listed.as_deref().unwrap_or(text);
    let matched = foreign_key_match(text)?;
    let text = matched.as_deref().unwrap_or(text);
    let identity = super::translate::identity_sequence_names(text)?;
    let text = identity.as_deref().unwrap_or(text);
    // `SET a[1] = …`: the grammar takes a column name; the subscripts are put back after.
    let (assigned, taken) = match super::translate::assign::blank(text) {
        Some((t, taken)) => (Some(t), taken),
        None => (None, Vec::new()),
    };
    let text = assigned.as_deref().unwrap_or(text);
    let mut stmts = Parser::new(&super::dialect::Postgres)
        .with_recursion_limit(max_depth)
        .try_with_sql(text)
        .and_then(|mut p| p.parse_statements())
        .map_err(|e| unsupported_form(text).unwrap_or_else(|| syntax_error(e, max_depth)))?;
    if !taken.is_empty() {
        super::translate::assign::attach(&mut stmts, taken)?;
    }
    string_aliases(&stmts)?;
    Ok(stmts)
}

/// A result column named by a string, `SELECT 'a' 'b'` or `SELECT 1 AS 'x'`, which
/// the grammar accepts and PostgreSQL's does not (its alias is a name).
fn string_aliases(stmts: &[Statement]) -> Result<(), PgError> {
    use sqlparser::ast::{Query, SelectItem, SetExpr, Visit, Visitor};
    use std::ops::ControlFlow;
    struct Find;
    fn body(set: &SetExpr) -> ControlFlow<String> {
        match set {
            SetExpr::Select(s) => {
                for item in &s.projection {
                    if let SelectItem::ExprWithAlias { alias, .. } = item {
                        if alias.quote_style == Some('\'') {
                            return ControlFlow::Break(alias.value.clone());
                        }
                    }
                }
                ControlFlow::Continue(())
            }
            SetExpr::SetOperation { left, right, .. } => {
                body(left)?;
                body(right)
            }
            _ => ControlFlow::Continue(()),
        }
    }
    impl Visitor for Find {
        type Break = String;
        fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<String> {
            body(&q.body)
        }
    }
    for stmt in stmts {
        if let ControlFlow::Break(alias) = stmt.visit(&mut Find) {
            return Err(PgError::new(
                SqlState::SYNTAX_ERROR,
                format!(
                    "syntax error at or near \"'{}'\"",
                    alias.replace('\'', "''")
                ),
            ));
        }
    }
    Ok(())
}

/// A foreign key's `MATCH SIMPLE` (the default), which the grammar lacks, blanked (same
/// length, so the text's offsets stay). `MATCH FULL` is 0A000: it differs from SIMPLE
/// in rows only for a key of several columns, but the catalogs (`confmatchtype`,
/// `pg_get_constraintdef`) would show SIMPLE; `MATCH PARTIAL` is PostgreSQL's own
/// 0A000. None when there are none.
fn foreign_key_match(text: &str) -> Result<Option<String>, PgError> {
    use super::lexer::{significant, TokenKind};
    if !text
        .as_bytes()
        .windows(5)
        .any(|w| w.eq_ignore_ascii_case(b"match"))
    {
        return Ok(None);
    }
    let tokens: Vec<_> = significant(text).collect();
    let is = |i: usize, w: &str| {
        tokens.get(i).is_some_and(|t| {
            t.kind == TokenKind::Word && text[t.start..t.end].eq_ignore_ascii_case(w)
        })
    };
    let mut out: Option<String> = None;
    for i in 1..tokens.len() {
        if !is(i, "match") || !(0..i).any(|j| is(j, "references")) {
            continue;
        }
        if is(i + 1, "full") || is(i + 1, "partial") {
            let how = &text[tokens[i + 1].start..tokens[i + 1].end];
            return Err(super::translate::unsupported(format!(
                "MATCH {}",
                how.to_uppercase()
            )));
        }
        if is(i + 1, "simple") {
            let (start, end) = (tokens[i].start, tokens[i + 1].end);
            out.get_or_insert_with(|| text.to_string())
                .replace_range(start..end, &" ".repeat(end - start));
        }
    }
    Ok(out)
}

/// The SQL standard's array types in a table definition, `text ARRAY` and `int
/// ARRAY[4]` (TypeORM writes the first), as `text[]` (PostgreSQL ignores the size too);
/// the grammar lacks them. Only in CREATE/ALTER TABLE, after a type's name or its
/// modifier, and the same length, so the text's offsets stay. None when there are none.
/// `FROM ONLY t`, `UPDATE ONLY t`, `JOIN ONLY t`, which the grammar reads as a table
/// `only` aliased `t`: ONLY is blanked out. It only leaves out a table's inheritance
/// children, and litewire's tables have none (INHERITS and partitions are refused).
/// ONLY is reserved in PostgreSQL, so after these words it can be nothing else.
fn only_relations(text: &str) -> Option<String> {
    use super::lexer::{significant, TokenKind};
    if !text
        .as_bytes()
        .windows(4)
        .any(|w| w.eq_ignore_ascii_case(b"only"))
    {
        return None;
    }
    let tokens: Vec<_> = significant(text).collect();
    let t = |i: usize| tokens.get(i).map_or("", |x| &text[x.start..x.end]);
    let mut out: Option<String> = None;
    for i in 1..tokens.len() {
        let only = tokens[i].kind == TokenKind::Word && t(i).eq_ignore_ascii_case("only");
        let after = ["from", "join", "update", ","]
            .iter()
            .any(|w| t(i - 1).eq_ignore_ascii_case(w));
        let name = tokens.get(i + 1).is_some_and(|n| {
            n.kind == TokenKind::Word
                || (n.kind == TokenKind::Quoted && text[n.start..].starts_with('"'))
        });
        if only && after && name {
            let s = out.get_or_insert_with(|| text.to_string());
            s.replace_range(tokens[i].start..tokens[i].end, "    ");
        }
    }
    out
}

fn array_keyword_types(text: &str) -> Option<String> {
    use super::lexer::{significant, TokenKind};
    const NOT_TYPES: [&str; 14] = [
        "default", "check", "and", "or", "not", "then", "else", "when", "in", "is", "as", "using",
        "select", "array",
    ];
    // Only a table definition is read further: every other statement pays four tokens.
    let mut head = super::lexer::words(text);
    let ddl = head
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case("create") || w.eq_ignore_ascii_case("alter"))
        && head.take(3).any(|w| w.eq_ignore_ascii_case("table"));
    if !ddl {
        return None;
    }
    let tokens: Vec<_> = significant(text).collect();
    let word = |i: usize| {
        tokens
            .get(i)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| &text[t.start..t.end])
    };
    let mut out: Option<String> = None;
    for (i, t) in tokens.iter().enumerate().skip(1) {
        let is_array = word(i).is_some_and(|w| w.eq_ignore_ascii_case("array"));
        let after_type = match tokens[i - 1].kind {
            TokenKind::Close => true,
            TokenKind::Word => {
                word(i - 1).is_some_and(|w| !NOT_TYPES.iter().any(|n| w.eq_ignore_ascii_case(n)))
            }
            _ => false,
        };
        if !is_array || !after_type {
            continue;
        }
        // `ARRAY[4]`: SQLite's lexer reads `[4]` as one quoted name.
        let end = match tokens.get(i + 1) {
            Some(n) if n.kind == TokenKind::Quoted && text[n.start..].starts_with('[') => n.end,
            _ => t.end,
        };
        let s = out.get_or_insert_with(|| text.to_string());
        s.replace_range(
            t.start..end,
            &format!("[]{}", " ".repeat(end - t.start - 2)),
        );
    }
    out
}

/// A record function's column definition list without an alias, `f(…) AS (x int, y
/// text)`, which the grammar lacks: the alias `_` is put in place of `AS` (same length,
/// so the text's offsets stay). Only in statements naming a `…record…` function, and
/// only where `AS (` follows a call and opens a list of `name type`.
fn unnamed_column_lists(text: &str) -> Option<String> {
    use super::lexer::{significant, TokenKind};
    if !text
        .as_bytes()
        .windows(6)
        .any(|w| w.eq_ignore_ascii_case(b"record"))
    {
        return None;
    }
    let tokens: Vec<_> = significant(text).collect();
    let is_word = |i: usize, not: &[&str]| {
        tokens.get(i).is_some_and(|t| {
            t.kind == TokenKind::Quoted && text[t.start..].starts_with('"')
                || t.kind == TokenKind::Word
                    && !not
                        .iter()
                        .any(|n| text[t.start..t.end].eq_ignore_ascii_case(n))
        })
    };
    let mut out: Option<String> = None;
    for i in 1..tokens.len() {
        let t = tokens[i];
        let list = t.kind == TokenKind::Word
            && text[t.start..t.end].eq_ignore_ascii_case("as")
            && tokens[i - 1].kind == TokenKind::Close
            && tokens.get(i + 1).is_some_and(|o| o.kind == TokenKind::Open)
            && is_word(i + 2, &["select", "values", "with", "table"])
            && is_word(i + 3, &[]);
        if list {
            let s = out.get_or_insert_with(|| text.to_string());
            s.replace_range(t.start..t.end, "_ ");
        }
    }
    out
}

/// PostgreSQL forms the grammar lacks and litewire could not honour anyway: 0A000
/// naming them rather than a syntax error. `CREATE TABLE … PARTITION OF`, and INSERT
/// into an array element or a composite field (`INSERT INTO t (a[1], f.x)`).
fn unsupported_form(text: &str) -> Option<PgError> {
    use super::lexer::{significant, TokenKind};
    let words: Vec<(TokenKind, &str)> = significant(text)
        .take(64)
        .map(|t| (t.kind, &text[t.start..t.end]))
        .collect();
    let is = |i: usize, w: &str| words.get(i).is_some_and(|(_, x)| x.eq_ignore_ascii_case(w));
    let what = if is(0, "create") && (1..words.len()).any(|i| is(i, "partition") && is(i + 1, "of"))
    {
        "CREATE TABLE … PARTITION OF"
    } else if is(0, "insert") && is(1, "into") {
        // The column list: after the name, up to its closing parenthesis.
        let open = words.iter().position(|(k, _)| *k == TokenKind::Open)?;
        if open < 3 || is(open - 1, "values") || is(open - 1, "select") {
            return None;
        }
        let close = open
            + words[open..]
                .iter()
                .position(|(k, _)| *k == TokenKind::Close)?;
        let inner = &words[open + 1..close];
        // SQLite's lexer reads `[1]` as one quoted name.
        let subscripted = inner
            .windows(2)
            .any(|w| w[0].0 != TokenKind::Other && (w[1].1.starts_with('[') || w[1].1 == "."));
        if !subscripted || words.get(close + 1).is_none() {
            return None;
        }
        "INSERT into an array element or a composite field"
    } else {
        return None;
    };
    Some(PgError::new(
        SqlState::FEATURE_NOT_SUPPORTED,
        format!("{what} is not supported by litewire"),
    ))
}

/// Runs `f`, which parses, walks, prints or drops a statement nested `depth` levels deep
/// (`lexer::shape`), on a stack sized for that depth: those passes recurse once per level,
/// and a thread's own stack (2 MiB) would overflow on a deep statement.
pub fn on_stack_for<T>(depth: usize, f: impl FnOnce() -> T) -> T {
    if depth <= SHALLOW {
        return f();
    }
    stacker::grow(STACK_BASE + STACK_PER_LEVEL * depth, f)
}

// Unoptimised code has far larger frames: a debug build needs about 0.75 MiB at depth one
// and 1.5 MiB at depth five (the visitor is generic, so it is compiled at the
// caller's opt-level); an optimised one a small fraction of that.
const SHALLOW: usize = if cfg!(debug_assertions) { 1 } else { 16 };
const STACK_BASE: usize = if cfg!(debug_assertions) {
    2 << 20
} else {
    1 << 20
};
const STACK_PER_LEVEL: usize = if cfg!(debug_assertions) {
    256 << 10
} else {
    64 << 10
};

/// Exactly one statement (a prepared statement's text, a translated part).
pub fn parse_one(text: &str, max_depth: usize) -> Result<Statement, PgError> {
    let mut all = parse(text, max_depth)?;
    match all.len() {
        1 => Ok(all.remove(0)),
        0 => Err(PgError::new(SqlState::SYNTAX_ERROR, "empty statement")),
        _ => Err(PgError::new(
            SqlState::SYNTAX_ERROR,
            "cannot insert multiple commands into a prepared statement",
        )),
    }
}

/// PostgreSQL's wording (`syntax error at or near "x"`), with the parser's own account
/// as the detail: what it expected is often the quickest way to the cause.
fn syntax_error(e: ParserError, max_depth: usize) -> PgError {
    let text = match e {
        ParserError::RecursionLimitExceeded => {
            return PgError::new(
                SqlState::STATEMENT_TOO_COMPLEX,
                "stack depth limit exceeded",
            )
            .with_hint(format!(
                "litewire accepts at most {max_depth} nested expressions \
                     (--max-nesting-depth)."
            ))
        }
        ParserError::TokenizerError(t) | ParserError::ParserError(t) => t,
    };
    let near = text
        .split_once("found: ")
        .map(|(_, rest)| rest.split(" at Line:").next().unwrap_or(rest).trim());
    let message = match near {
        Some("EOF") | None if text.contains("EOF") => "syntax error at end of input".to_string(),
        Some(token) => format!("syntax error at or near \"{token}\""),
        None => "syntax error".to_string(),
    };
    PgError::new(SqlState::SYNTAX_ERROR, message).with_detail(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_key_match_simple_is_blanked_full_refused() {
        let blank = |sql: &str| {
            foreign_key_match(sql)
                .map(|o| o.map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ")))
        };
        assert_eq!(
            blank("create table a (x numeric(10,2) references b(y) match simple)").unwrap(),
            Some("create table a (x numeric(10,2) references b(y) )".into())
        );
        assert_eq!(blank("select match from t").unwrap(), None);
        for refused in [
            "alter table a add foreign key (x) references b match full not valid",
            "create table a (x int references b match partial)",
        ] {
            assert_eq!(blank(refused).unwrap_err().code.0, "0A000", "{refused}");
        }
    }

    #[test]
    fn errors_read_like_postgresql() {
        let e = parse("selec 1", 50).unwrap_err();
        assert_eq!(e.code, SqlState::SYNTAX_ERROR);
        assert_eq!(e.message, "syntax error at or near \"selec\"");
        let e = parse("select (1", 50).unwrap_err();
        assert_eq!(e.message, "syntax error at end of input");
        let deep = format!("select {}1{}", "(".repeat(60), ")".repeat(60));
        assert_eq!(
            parse(&deep, 50).unwrap_err().code,
            SqlState::STATEMENT_TOO_COMPLEX
        );
        assert_eq!(parse("select 1; select 2", 50).unwrap().len(), 2);
        let e = parse("select 'a' 'b'", 50).unwrap_err();
        assert_eq!(e.message, "syntax error at or near \"'b'\"");
        assert!(parse("select 1 as \"b\"", 50).is_ok());
    }

    #[test]
    fn column_definition_lists_without_alias_get_one() {
        let f = unnamed_column_lists;
        assert_eq!(
            f("select * from json_to_record('{}') AS (a int, \"B\" text)").as_deref(),
            Some("select * from json_to_record('{}') _  (a int, \"B\" text)")
        );
        // A CTE's query, a type's attributes, statements without a record function.
        assert_eq!(
            f("with x(a) as (select 1) select * from json_to_record(j) x(a int)"),
            None
        );
        assert_eq!(f("create type record_t as (a int)"), None);
        assert_eq!(f("select * from f(1) as (a int)"), None);
    }

    #[test]
    fn forms_litewire_cannot_honour_are_0a000() {
        for text in [
            "create table p1 partition of p for values in (1)",
            "insert into t (f2[1], f2[2]) select 1, 2",
            "insert into t (f3.if1, f3.if2) select 1, 2",
        ] {
            assert_eq!(
                parse(text, 50).unwrap_err().code,
                SqlState::FEATURE_NOT_SUPPORTED
            );
        }
        // Other syntax errors stay 42601.
        assert_eq!(
            parse("insert into t (a b) values (1)", 50)
                .unwrap_err()
                .code,
            SqlState::SYNTAX_ERROR
        );
    }

    #[test]
    fn only_before_a_relation_is_blanked() {
        assert_eq!(
            only_relations("delete from ONLY t where a = 1").as_deref(),
            Some("delete from      t where a = 1")
        );
        assert_eq!(
            only_relations("update only \"T\" set a = 1").as_deref(),
            Some("update      \"T\" set a = 1")
        );
        assert_eq!(
            only_relations("select * from a, only b join only c on true").as_deref(),
            Some("select * from a,      b join      c on true")
        );
        // Not a relation's ONLY: left to the grammar.
        for sql in [
            "select 1 fetch first 1 rows only",
            "set transaction read only",
            "select 'from only t'",
            "alter table only t add column b int",
            "select * from \"only\" o",
        ] {
            assert_eq!(only_relations(sql), None, "{sql}");
        }
    }
}
