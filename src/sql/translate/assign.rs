//! Subscripted assignment targets, `UPDATE t SET j['a'][0] = v` and `SET a[2] = v` (also
//! in `ON CONFLICT … DO UPDATE SET`), which the grammar lacks (it takes a column name).
//! Before parsing, [`blank`] takes the subscripts out of the text (spaces, same length);
//! after, [`attach`] puts them back into the tree as the assigned value:
//! `j = pg_subscript_assign(j, v, s1, s2, …)`. Two targets in the same column chain
//! (`a[1] = 5, a[2] = 6`: the second call reads the first's result), as PostgreSQL
//! applies them in turn. [`name_column`] adds the table and column the engine reads the
//! declared type from (engine/subscript.rs: jsonb's rules or an array's).

use sqlparser::ast::{
    AccessExpr, Assignment, AssignmentTarget, Expr, FunctionArg, FunctionArgExpr,
    FunctionArguments, OnConflictAction, OnInsert, SetExpr, Statement, Subscript,
};
use sqlparser::parser::Parser;

use super::{call, string, unsupported};
use crate::protocol::{PgError, SqlState};
use crate::sql::lexer::{significant, TokenKind};

/// The engine's functions (engine/subscript.rs): an element's assignment, a slice's.
pub const MARKER: &str = "pg_subscript_assign";
pub const SLICE_MARKER: &str = "pg_subscript_assign_slice";

/// A target's subscripts taken out of the text: where its column's name starts
/// (line and character column, 1-based, as the parser counts) and the subscripts' text.
pub struct Taken {
    line: u64,
    column: u64,
    subscripts: String,
}

/// The text with the subscripts of each `SET name[…]… =` blanked, and what was taken;
/// None when there is none (every statement without a `[` pays one scan of its bytes).
pub fn blank(text: &str) -> Option<(String, Vec<Taken>)> {
    if !text.contains('[') {
        return None;
    }
    let head = crate::sql::lexer::words(text).next()?;
    if !["update", "insert", "with", "explain", "prepare"]
        .iter()
        .any(|w| head.eq_ignore_ascii_case(w))
    {
        return None;
    }
    let tokens: Vec<_> = significant(text).collect();
    let src = |i: usize| tokens.get(i).map(|t| &text[t.start..t.end]);
    let is_name = |i: usize| {
        tokens.get(i).is_some_and(|t| {
            t.kind == TokenKind::Word
                || (t.kind == TokenKind::Quoted && text[t.start..].starts_with('"'))
        })
    };
    let is_bracket = |i: usize| {
        tokens
            .get(i)
            .is_some_and(|t| t.kind == TokenKind::Quoted && text[t.start..].starts_with('['))
    };
    let mut out: Option<String> = None;
    let mut taken = Vec::new();
    let mut depth = 0usize;
    // The depth of the SET list being read, if any; of an INSERT's column list.
    let mut set: Option<usize> = None;
    let mut columns: Option<usize> = None;
    // Just after `INSERT INTO name`: its column list may follow.
    let mut after_into = false;
    let mut after_into_at: Option<usize> = None;
    for (i, t) in tokens.iter().enumerate() {
        let word = src(i).unwrap_or_default();
        let into_name = after_into;
        after_into = false;
        let starts_target = match t.kind {
            TokenKind::Open => {
                depth += 1;
                if into_name {
                    columns = Some(depth);
                }
                into_name
            }
            TokenKind::Close => {
                depth = depth.saturating_sub(1);
                if set.is_some_and(|d| depth < d) {
                    set = None;
                }
                if columns.is_some_and(|d| depth < d) {
                    columns = None;
                }
                false
            }
            TokenKind::Semi => {
                set = None;
                columns = None;
                false
            }
            TokenKind::Word
                if word.eq_ignore_ascii_case("into")
                    && i > 0
                    && src(i - 1).is_some_and(|w| w.eq_ignore_ascii_case("insert")) =>
            {
                // `INTO name [. name]`: the token after the name may open the list.
                let mut k = i + 1;
                while src(k + 1) == Some(".") && is_name(k + 2) {
                    k += 2;
                }
                if is_name(k) {
                    after_into_at = Some(k);
                }
                false
            }
            TokenKind::Other if word == "," && columns == Some(depth) => true,
            TokenKind::Word if word.eq_ignore_ascii_case("set") => {
                set = Some(depth);
                true
            }
            TokenKind::Word
                if set == Some(depth)
                    && ["where", "from", "returning"]
                        .iter()
                        .any(|w| word.eq_ignore_ascii_case(w)) =>
            {
                set = None;
                false
            }
            TokenKind::Other => word == "," && set == Some(depth),
            _ => false,
        };
        if after_into_at == Some(i) {
            after_into = true;
            after_into_at = None;
        }
        if !starts_target {
            continue;
        }
        let in_columns = columns == Some(depth);
        // name [. name]… [subscript]… =
        let mut k = i + 1;
        if !is_name(k) {
            continue;
        }
        while src(k + 1) == Some(".") && is_name(k + 2) {
            k += 2;
        }
        let first = k + 1;
        let mut end = first;
        while is_bracket(end) {
            end += 1;
        }
        let ends = if in_columns {
            matches!(src(end), Some("," | ")"))
        } else {
            src(end) == Some("=")
        };
        if end == first || !ends {
            continue;
        }
        let (from, to) = (tokens[first].start, tokens[end - 1].end);
        let s = out.get_or_insert_with(|| text.to_string());
        let blanked: String = text[from..to]
            .bytes()
            .map(|b| if b == b'\n' { '\n' } else { ' ' })
            .collect();
        s.replace_range(from..to, &blanked);
        let (line, column) = location(text, tokens[i + 1].start);
        taken.push(Taken {
            line,
            column,
            subscripts: text[from..to].to_string(),
        });
    }
    out.map(|s| (s, taken))
}

/// The parser's location (line, character column, 1-based) of byte `at`.
fn location(text: &str, at: usize) -> (u64, u64) {
    let before = &text[..at];
    let line = before.matches('\n').count() as u64 + 1;
    let start = before.rfind('\n').map_or(0, |n| n + 1);
    (line, before[start..].chars().count() as u64 + 1)
}

/// Puts the taken subscripts back into `stmts` as assigned values. A target not found
/// again is a syntax error (never an assignment to the whole column).
pub fn attach(stmts: &mut [Statement], mut taken: Vec<Taken>) -> Result<(), PgError> {
    for stmt in stmts.iter_mut() {
        attach_one(stmt, &mut taken)?;
    }
    match taken.first() {
        None => Ok(()),
        Some(t) => Err(PgError::new(
            SqlState::SYNTAX_ERROR,
            format!("syntax error at or near \"{}\"", t.subscripts),
        )),
    }
}

fn attach_one(stmt: &mut Statement, taken: &mut Vec<Taken>) -> Result<(), PgError> {
    {
        match stmt {
            Statement::Explain { statement, .. } | Statement::Prepare { statement, .. } => {
                attach_one(statement, taken)?
            }
            // WITH … UPDATE
            Statement::Query(q) => {
                if let SetExpr::Update(inner) = q.body.as_mut() {
                    attach_one(inner, taken)?;
                }
            }
            Statement::Update { assignments, .. } => rewrite(assignments, taken)?,
            Statement::Insert(insert) => {
                columns(insert, taken)?;
                if let Some(OnInsert::OnConflict(c)) = &mut insert.on {
                    if let OnConflictAction::DoUpdate(u) = &mut c.action {
                        rewrite(&mut u.assignments, taken)?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// `INSERT INTO t (a[1], a[2:3], b) VALUES (x, y, z)`: the subscripted columns' values
/// assigned into a NULL array (PostgreSQL's base for an INSERT), a column named twice
/// chained (`(x, y)` into one value), as for UPDATE.
fn columns(insert: &mut sqlparser::ast::Insert, taken: &mut Vec<Taken>) -> Result<(), PgError> {
    let mut targets: Vec<(usize, &'static str, Vec<Expr>)> = Vec::new();
    for (i, c) in insert.columns.iter().enumerate() {
        let at = c.span.start;
        if let Some(k) = taken
            .iter()
            .position(|t| t.line == at.line && t.column == at.column)
        {
            let t = taken.remove(k);
            let (marker, args) = subscripts(&t.subscripts)?;
            targets.push((i, marker, args));
        }
    }
    if targets.is_empty() {
        return Ok(());
    }
    let Some(SetExpr::Values(values)) = insert.source.as_mut().map(|q| q.body.as_mut()) else {
        return Err(unsupported(
            "INSERT into an array element from a query or DEFAULT VALUES",
        ));
    };
    // Each target's column: the first position naming it keeps the chained value.
    let name = |i: usize| insert.columns[i].value.to_lowercase();
    let keep: Vec<usize> = (0..insert.columns.len())
        .map(|i| (0..i).find(|&j| name(j) == name(i)).unwrap_or(i))
        .collect();
    for (i, j) in keep.iter().enumerate() {
        let plain = |k: usize| !targets.iter().any(|(t, ..)| *t == k);
        if *j != i && (plain(i) || plain(*j)) {
            return Err(PgError::new(
                SqlState::DUPLICATE_COLUMN,
                format!(
                    "multiple assignments to same column \"{}\"",
                    insert.columns[i].value
                ),
            ));
        }
    }
    for row in &mut values.rows {
        for (i, marker, args) in &targets {
            let Some(v) = row.get_mut(*i) else { continue };
            let value = std::mem::replace(v, Expr::value(sqlparser::ast::Value::Null));
            let base = if keep[*i] == *i {
                Expr::value(sqlparser::ast::Value::Null)
            } else {
                std::mem::replace(&mut row[keep[*i]], Expr::value(sqlparser::ast::Value::Null))
            };
            let mut all = vec![base, value];
            all.extend(args.iter().cloned());
            row[keep[*i]] = call(marker, all);
        }
        let mut k = 0;
        row.retain(|_| {
            k += 1;
            keep.get(k - 1).is_none_or(|&j| j == k - 1)
        });
    }
    let mut k = 0;
    insert.columns.retain(|_| {
        k += 1;
        keep[k - 1] == k - 1
    });
    Ok(())
}

fn rewrite(list: &mut Vec<Assignment>, taken: &mut Vec<Taken>) -> Result<(), PgError> {
    let mut out: Vec<Assignment> = Vec::with_capacity(list.len());
    for mut a in list.drain(..) {
        let AssignmentTarget::ColumnName(name) = &a.target else {
            out.push(a);
            continue;
        };
        let Some(first) = name.0.first().and_then(|p| p.as_ident()) else {
            out.push(a);
            continue;
        };
        let at = first.span.start;
        let Some(k) = taken
            .iter()
            .position(|t| t.line == at.line && t.column == at.column)
        else {
            out.push(a);
            continue;
        };
        let t = taken.remove(k);
        let column = name
            .0
            .last()
            .and_then(|p| p.as_ident())
            .cloned()
            .unwrap_or_else(|| first.clone());
        let (marker, indexes) = subscripts(&t.subscripts)?;
        let same = |b: &Assignment| {
            matches!(&b.target, AssignmentTarget::ColumnName(n)
                if n.0.last().and_then(|p| p.as_ident()).is_some_and(|i| i.value == column.value))
                && is_marker(&b.value)
        };
        // A second target in the same column reads the first's result.
        let (base, slot) = match out.iter().position(same) {
            Some(p) => (
                std::mem::replace(&mut out[p].value, Expr::value(sqlparser::ast::Value::Null)),
                Some(p),
            ),
            None => (Expr::Identifier(column.clone()), None),
        };
        let value = std::mem::replace(&mut a.value, Expr::value(sqlparser::ast::Value::Null));
        let mut args = vec![base, value];
        args.extend(indexes);
        let marked = call(marker, args);
        match slot {
            Some(p) => out[p].value = marked,
            None => {
                a.value = marked;
                out.push(a);
            }
        }
    }
    *list = out;
    Ok(())
}

/// The engine function assigning to `[a][b]…` and its subscript arguments: the index
/// expressions, or with a slice among them the shape and bounds (translate/arrays.rs).
fn subscripts(text: &str) -> Result<(&'static str, Vec<Expr>), PgError> {
    let source = format!("x{text}");
    let parsed = Parser::new(&crate::sql::dialect::Postgres)
        .try_with_sql(&source)
        .and_then(|mut p| p.parse_expr())
        .map_err(|_| {
            PgError::new(
                SqlState::SYNTAX_ERROR,
                format!("syntax error at or near \"{text}\""),
            )
        })?;
    let Expr::CompoundFieldAccess { access_chain, .. } = parsed else {
        return Err(PgError::new(
            SqlState::SYNTAX_ERROR,
            format!("syntax error at or near \"{text}\""),
        ));
    };
    if access_chain
        .iter()
        .any(|a| matches!(a, AccessExpr::Subscript(Subscript::Slice { .. })))
    {
        let (shape, mut bounds) = super::arrays::slice_subscripts(access_chain)?;
        bounds.insert(0, string(&shape));
        return Ok((SLICE_MARKER, bounds));
    }
    let indexes = access_chain
        .into_iter()
        .map(|a| match a {
            AccessExpr::Subscript(Subscript::Index { index }) => Ok(index),
            _ => Err(unsupported("assignment to a composite field")),
        })
        .collect::<Result<_, _>>()?;
    Ok((MARKER, indexes))
}

fn is_marker(e: &Expr) -> bool {
    matches!(e, Expr::Function(f) if [MARKER, SLICE_MARKER].contains(&f.name.to_string().as_str()))
}

/// `pg_subscript_assign(old, v, s…)` (and those it chains) with the table and column
/// added after `v`: `pg_subscript_assign(old, v, 'table', 'column', s…)`. Whether
/// `value` was one.
pub(super) fn name_column(value: &mut Expr, table: &str, column: &str) -> bool {
    if !is_marker(value) {
        return false;
    }
    let Expr::Function(f) = value else {
        return false;
    };
    let FunctionArguments::List(list) = &mut f.args else {
        return false;
    };
    for (at, s) in [(2, table), (3, column)] {
        list.args
            .insert(at, FunctionArg::Unnamed(FunctionArgExpr::Expr(string(s))));
    }
    if let Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(inner))) = list.args.first_mut() {
        name_column(inner, table, column);
    }
    true
}
