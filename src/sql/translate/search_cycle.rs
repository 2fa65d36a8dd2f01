//! `WITH RECURSIVE q AS (…) SEARCH … SET s` and `CYCLE a, b SET m [TO v DEFAULT d]
//! USING p`, which the parser lacks, rewritten in the text before parsing — as
//! PostgreSQL rewrites them (rewriteSearchAndCycle.c), when the query never reads the
//! columns they add: SEARCH then changes nothing (its sequence column only orders), and
//! CYCLE becomes the plain recursive query with a cycle mark and a path of the rows seen.
//! The path is litewire's own text (each row's columns, length-prefixed), never shown.
//! A query that reads the added columns (or `*`) is 0A000: they would be arrays of
//! records, which litewire lacks.

use super::unsupported;
use crate::protocol::PgError;
use crate::sql::lexer::{fold_ident, significant, Token, TokenKind};

/// `text` with its SEARCH/CYCLE clauses rewritten; None when it has none.
pub fn rewrite(text: &str) -> Result<Option<String>, PgError> {
    let lower = text.as_bytes();
    let has = |w: &[u8]| lower.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w));
    // The clauses belong to WITH RECURSIVE only: other texts are not tokenized here.
    if !has(b"recursive") || (!has(b"search") && !has(b"cycle")) {
        return Ok(None);
    }
    let tokens: Vec<Token> = significant(text).collect();
    let word = |i: usize| -> String {
        tokens
            .get(i)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| text[t.start..t.end].to_ascii_lowercase())
            .unwrap_or_default()
    };
    for k in 0..tokens.len() {
        if tokens[k].kind != TokenKind::Close
            || !["search", "cycle"].contains(&word(k + 1).as_str())
        {
            continue;
        }
        let Some(cte) = Cte::read(text, &tokens, k) else {
            continue;
        };
        let (clauses, end) = Clauses::read(text, &tokens, k + 1)?;
        return Ok(Some(cte.rewritten(text, &tokens, &clauses, end)?));
    }
    Ok(None)
}

/// A CTE a clause follows: its name, column list and body, as token positions.
struct Cte {
    name: String,
    /// The token of its name.
    name_at: usize,
    columns: Option<Vec<String>>,
    open: usize,
    close: usize,
}

impl Cte {
    fn read(text: &str, tokens: &[Token], close: usize) -> Option<Cte> {
        let mut depth = 0usize;
        let mut open = None;
        for i in (0..=close).rev() {
            match tokens[i].kind {
                TokenKind::Close => depth += 1,
                TokenKind::Open => {
                    depth -= 1;
                    if depth == 0 {
                        open = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let open = open?;
        let w = |i: usize| text[tokens[i].start..tokens[i].end].to_ascii_lowercase();
        let mut i = open.checked_sub(1)?;
        if w(i) == "materialized" {
            i = i.checked_sub(1)?;
            if w(i) == "not" {
                i = i.checked_sub(1)?;
            }
        }
        if w(i) != "as" {
            return None;
        }
        i = i.checked_sub(1)?;
        let columns = if tokens[i].kind == TokenKind::Close {
            let mut names = Vec::new();
            loop {
                i = i.checked_sub(1)?;
                match tokens[i].kind {
                    TokenKind::Open => break,
                    TokenKind::Word | TokenKind::Quoted => {
                        names.push(fold_ident(&text[tokens[i].start..tokens[i].end]))
                    }
                    _ => {}
                }
            }
            names.reverse();
            i = i.checked_sub(1)?;
            Some(names)
        } else {
            None
        };
        Some(Cte {
            name: fold_ident(&text[tokens[i].start..tokens[i].end]),
            name_at: i,
            columns,
            open,
            close,
        })
    }

    fn rewritten(
        &self,
        text: &str,
        tokens: &[Token],
        c: &Clauses,
        end: usize,
    ) -> Result<String, PgError> {
        let added: Vec<&str> = [
            c.search_set.as_deref(),
            c.cycle.as_ref().map(|y| y.mark.as_str()),
        ]
        .into_iter()
        .flatten()
        .chain(c.cycle.as_ref().map(|y| y.path.as_str()))
        .collect();
        // The rest of the statement must not read what the clauses add.
        let outside = tokens[..self.name_at].iter().chain(&tokens[end..]);
        let mut previous: Option<&Token> = None;
        for t in outside {
            let s = &text[t.start..t.end];
            let star = s == "*" && previous.is_none_or(|p| p.kind != TokenKind::Open);
            if star || added.iter().any(|a| fold_ident(s) == *a) {
                return Err(unsupported(
                    "reading the columns SEARCH or CYCLE adds (arrays of records)",
                ));
            }
            previous = Some(t);
        }
        let body = &text[tokens[self.open].end..tokens[self.close].start];
        if let Some(y) = &c.cycle {
            if y.mark == y.path {
                return Err(syntax(
                    "cycle mark column name and cycle path column name are the same".into(),
                ));
            }
            if c.search_set.as_ref() == Some(&y.mark) {
                return Err(syntax(
                    "search sequence column name and cycle mark column name are the same".into(),
                ));
            }
        }
        if let (Ok(columns), false) = (self.column_names(body), c.search_by.is_empty()) {
            if let Some(by) = c.search_by.iter().find(|b| !columns.contains(b)) {
                return Err(syntax(format!(
                    "search column \"{by}\" not in WITH query column list"
                )));
            }
        }
        let head_end = tokens[self.close].start;
        let tail_start = tokens.get(end).map_or(text.len(), |t| t.start);
        let Some(cycle) = &c.cycle else {
            // SEARCH alone: its column orders nothing the query reads.
            return Ok(format!("{} {}", &text[..head_end + 1], &text[tail_start..]));
        };
        let columns = self.column_names(body)?;
        for c in &cycle.columns {
            if !columns.contains(c) {
                return Err(syntax(format!(
                    "cycle column \"{c}\" not in WITH query column list"
                )));
            }
        }
        let (left, union, right) = split_union(body)?;
        let inner = quoted(&format!("_lw_cycle {}", self.name));
        let right = recursive_term(right, &self.name, &inner, cycle)?;
        let list = columns
            .iter()
            .map(|c| quoted(c))
            .collect::<Vec<_>>()
            .join(", ");
        let key = key(None, &cycle.columns);
        Ok(format!(
            "{}{inner}({list}, _lw_prev_path) AS (SELECT *, '' FROM ({left}) \
             AS _lw_cycle_l({list}) {union} {right}), \
             {}({list}, {m}, {p}) AS (SELECT {list}, CASE WHEN \
             strpos(_lw_prev_path, {key}) > 0 THEN {mv} ELSE {md} END, \
             _lw_prev_path || {key} FROM {inner}) {}",
            &text[..tokens[self.name_at].start],
            quoted(&self.name),
            &text[tail_start..],
            m = quoted(&cycle.mark),
            p = quoted(&cycle.path),
            mv = cycle.mark_value,
            md = cycle.mark_default,
        ))
    }

    /// The CTE's column names: its list, or its non-recursive term's.
    fn column_names(&self, body: &str) -> Result<Vec<String>, PgError> {
        if let Some(c) = &self.columns {
            return Ok(c.clone());
        }
        let (left, _, _) = split_union(body)?;
        let stmt = crate::sql::parse::parse_one(left, 64)?;
        use sqlparser::ast::{Expr, SelectItem, SetExpr, Statement};
        let Statement::Query(q) = stmt else {
            return Err(left_side());
        };
        let SetExpr::Select(s) = q.body.as_ref() else {
            return Err(unsupported("CYCLE over a WITH query without a column list"));
        };
        s.projection
            .iter()
            .map(|item| match item {
                SelectItem::ExprWithAlias { alias, .. } => Ok(fold_ident(&alias.to_string())),
                SelectItem::UnnamedExpr(Expr::Identifier(i)) => Ok(fold_ident(&i.to_string())),
                SelectItem::UnnamedExpr(Expr::CompoundIdentifier(p)) => Ok(fold_ident(
                    &p.last().map(ToString::to_string).unwrap_or_default(),
                )),
                _ => Err(unsupported("CYCLE over a WITH query without a column list")),
            })
            .collect()
    }
}

fn quoted(name: &str) -> String {
    crate::sql::lexer::quote_ident(name)
}

fn syntax(message: String) -> PgError {
    PgError::new(crate::protocol::SqlState::SYNTAX_ERROR, message)
}

fn left_side() -> PgError {
    PgError::new(
        crate::protocol::SqlState::SYNTAX_ERROR,
        "with a SEARCH or CYCLE clause, the left side of the UNION must be a SELECT",
    )
}

/// The body's terms around its top-level UNION [ALL | DISTINCT].
fn split_union(body: &str) -> Result<(&str, &str, &str), PgError> {
    let mut depth = 0usize;
    let tokens: Vec<Token> = significant(body).collect();
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => depth = depth.saturating_sub(1),
            TokenKind::Word if depth == 0 && body[t.start..t.end].eq_ignore_ascii_case("union") => {
                let mut end = t.end;
                if let Some(q) = tokens.get(i + 1) {
                    let w = &body[q.start..q.end];
                    if w.eq_ignore_ascii_case("all") || w.eq_ignore_ascii_case("distinct") {
                        end = q.end;
                    }
                }
                return Ok((&body[..t.start], &body[t.start..end], &body[end..]));
            }
            _ => {}
        }
    }
    Err(PgError::new(
        crate::protocol::SqlState::SYNTAX_ERROR,
        "with a SEARCH or CYCLE clause, the recursive query must be a UNION",
    ))
}

/// A row's key on the path: its cycle columns, each length-prefixed (so that the text
/// is the row's alone), between chr(1) and chr(2); NULL as `-`.
fn key(qualifier: Option<&str>, columns: &[String]) -> String {
    let fields: Vec<String> = columns
        .iter()
        .map(|c| {
            let v = match qualifier {
                Some(q) => format!("{q}.{}", quoted(c)),
                None => quoted(c),
            };
            format!("coalesce(length({v}::text) || ':' || {v}::text, '-')")
        })
        .collect();
    format!("(chr(1) || {} || chr(2))", fields.join(" || ',' || "))
}

/// The recursive term reading the inner CTE (`inner`) in place of `cte`, with the path
/// of the rows before it (the previous row's path and key) as its last column, and
/// going no further from a row already on its path (PostgreSQL's `NOT is_cycle`).
fn recursive_term(right: &str, cte: &str, inner: &str, y: &Cycle) -> Result<String, PgError> {
    let tokens: Vec<Token> = significant(right).collect();
    let w = |t: &Token| right[t.start..t.end].to_ascii_lowercase();
    let refused = || unsupported("CYCLE with this recursive term");
    const CLAUSES: &[&str] = &[
        "where", "join", "inner", "left", "right", "full", "cross", "on", "using", "group",
        "order", "limit", "offset", "natural", "window", "having", "union", "lateral", "fetch",
    ];
    const AFTER_WHERE: &[&str] = &[
        "group", "order", "limit", "offset", "window", "having", "fetch",
    ];
    let mut depth = 0usize;
    let mut from = None;
    let mut reference: Option<(usize, Option<String>)> = None;
    let mut where_at = None;
    let mut where_end = right.len();
    for (i, t) in tokens.iter().enumerate() {
        let text = &right[t.start..t.end];
        if [y.mark.as_str(), y.path.as_str()].contains(&fold_ident(text).as_str()) {
            // The added columns are the outer CTE's, not the recursion's.
            return Err(refused());
        }
        match t.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => depth = depth.saturating_sub(1),
            TokenKind::Other if depth == 0 && from.is_none() && text == "*" => {
                // `*` over the recursive reference would read the path too.
                let qualified = i >= 2 && &right[tokens[i - 1].start..tokens[i - 1].end] == ".";
                if !qualified || fold_ident(&right[tokens[i - 2].start..tokens[i - 2].end]) == cte {
                    return Err(refused());
                }
            }
            TokenKind::Word | TokenKind::Quoted if depth == 0 => {
                let word = w(t);
                if from.is_none() && word == "from" {
                    from = Some(i);
                } else if from.is_some() && reference.is_none() && fold_ident(text) == cte {
                    let mut j = i + 1;
                    if tokens.get(j).is_some_and(|x| w(x) == "as") {
                        j += 1;
                    }
                    let alias = tokens
                        .get(j)
                        .filter(|x| {
                            matches!(x.kind, TokenKind::Word | TokenKind::Quoted)
                                && !CLAUSES.contains(&w(x).as_str())
                        })
                        .map(|x| fold_ident(&right[x.start..x.end]));
                    reference = Some((i, alias));
                } else if from.is_some() && word == "where" && where_at.is_none() {
                    where_at = Some(i);
                } else if AFTER_WHERE.contains(&word.as_str()) && where_end == right.len() {
                    where_end = t.start;
                }
            }
            _ => {}
        }
    }
    let (Some(from), Some((at, alias))) = (from, reference) else {
        return Err(refused());
    };
    let shown = alias.clone().unwrap_or_else(|| cte.to_string());
    let r = quoted(&shown);
    let key = key(Some(&r), &y.columns);
    let renamed = match alias {
        Some(_) => inner.to_string(),
        None => format!("{inner} AS {r}"),
    };
    let keep_going = format!("strpos({r}._lw_prev_path, {key}) = 0");
    let (from_start, ref_start, ref_end) = (tokens[from].start, tokens[at].start, tokens[at].end);
    let mut out = format!(
        "{}, {r}._lw_prev_path || {key} {}{renamed}",
        &right[..from_start],
        &right[from_start..ref_start]
    );
    match where_at {
        Some(wi) => {
            let after_where = tokens[wi].end;
            out.push_str(&right[ref_end..after_where]);
            out.push_str(&format!(
                " {keep_going} AND ({}) ",
                &right[after_where..where_end]
            ));
        }
        None => {
            out.push_str(&right[ref_end..where_end]);
            out.push_str(&format!(" WHERE {keep_going} "));
        }
    }
    out.push_str(&right[where_end..]);
    Ok(out)
}

struct Cycle {
    columns: Vec<String>,
    mark: String,
    mark_value: String,
    mark_default: String,
    path: String,
}

struct Clauses {
    search_by: Vec<String>,
    search_set: Option<String>,
    cycle: Option<Cycle>,
}

impl Clauses {
    /// The clauses from token `at`; with the token after them.
    fn read(text: &str, tokens: &[Token], mut at: usize) -> Result<(Clauses, usize), PgError> {
        let t = |i: usize| tokens.get(i).map_or("", |t| &text[t.start..t.end]);
        let is = |i: usize, w: &str| t(i).eq_ignore_ascii_case(w);
        let near = |i: usize| {
            PgError::syntax_near(if t(i).is_empty() {
                "end of input"
            } else {
                t(i)
            })
        };
        let idents = |at: &mut usize| -> Result<Vec<String>, PgError> {
            let mut out = vec![];
            loop {
                match tokens.get(*at) {
                    Some(x) if matches!(x.kind, TokenKind::Word | TokenKind::Quoted) => {
                        out.push(fold_ident(t(*at)));
                        *at += 1;
                    }
                    _ => return Err(near(*at)),
                }
                if t(*at) != "," {
                    return Ok(out);
                }
                *at += 1;
            }
        };
        let mut c = Clauses {
            search_by: Vec::new(),
            search_set: None,
            cycle: None,
        };
        if is(at, "search") {
            if !(is(at + 1, "depth") || is(at + 1, "breadth"))
                || !is(at + 2, "first")
                || !is(at + 3, "by")
            {
                return Err(near(at + 1));
            }
            at += 4;
            c.search_by = idents(&mut at)?;
            if !is(at, "set") {
                return Err(near(at));
            }
            at += 1;
            c.search_set = Some(idents(&mut at)?.remove(0));
        }
        if is(at, "cycle") {
            at += 1;
            let columns = idents(&mut at)?;
            if !is(at, "set") {
                return Err(near(at));
            }
            at += 1;
            let mark = idents(&mut at)?.remove(0);
            let (mut mark_value, mut mark_default) = ("true".to_string(), "false".to_string());
            if is(at, "to") {
                mark_value = t(at + 1).to_string();
                if !is(at + 2, "default") {
                    return Err(near(at + 2));
                }
                mark_default = t(at + 3).to_string();
                at += 4;
            }
            if !is(at, "using") {
                return Err(near(at));
            }
            at += 1;
            let path = idents(&mut at)?.remove(0);
            c.cycle = Some(Cycle {
                columns,
                mark,
                mark_value,
                mark_default,
                path,
            });
        }
        Ok((c, at))
    }
}

#[cfg(test)]
#[path = "search_cycle_tests.rs"]
mod tests;
