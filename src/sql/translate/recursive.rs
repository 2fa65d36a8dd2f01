//! PostgreSQL's rules for recursive CTEs that SQLite does not enforce: never a self
//! reference on the nullable side of an outer join (42P19); no ORDER BY, OFFSET or LIMIT
//! around the UNION (0A000: SQLite would stop the recursion early or sort its queue); no
//! data-modifying statement that reads itself (42P19); a column whose type the recursive
//! term changes (42804: SQLite has no column types and would go on).

use std::ops::ControlFlow;

use sqlparser::ast::{
    visit_relations, Ident, JoinOperator, LimitClause, Query, SetExpr, SetOperator, TableFactor,
    TableWithJoins,
};

use super::setops::{known, union_type};
use crate::protocol::{PgError, SqlState};
use crate::sql::types::Column;

/// Checks each CTE of `q`'s `WITH RECURSIVE`.
pub(super) fn check(q: &Query) -> Result<(), PgError> {
    let Some(with) = q.with.as_ref().filter(|w| w.recursive) else {
        return Ok(());
    };
    for cte in &with.cte_tables {
        let name = folded(&cte.alias.name);
        if reads_itself(&cte.query, &name) {
            if matches!(
                cte.query.body.as_ref(),
                SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_) | SetExpr::Merge(_)
            ) {
                return Err(PgError::new(
                    SqlState::INVALID_RECURSION,
                    format!(
                        "recursive query \"{name}\" must not contain data-modifying statements"
                    ),
                ));
            }
            decoration(&cte.query)?;
        }
        let SetExpr::SetOperation {
            op: SetOperator::Union,
            left,
            right,
            ..
        } = cte.query.body.as_ref()
        else {
            continue;
        };
        if reads_itself(&cte.query, &name) {
            term_types(&name, &cte.query, left, right)?;
        }
        let SetExpr::Select(select) = right.as_ref() else {
            continue;
        };
        for from in &select.from {
            if in_outer_join(from, &name) {
                return Err(PgError::new(
                    SqlState::INVALID_RECURSION,
                    format!("recursive reference to query \"{name}\" must not appear within an outer join"),
                ));
            }
        }
    }
    Ok(())
}

/// parse_cte.c's check that the recursive term keeps each column's type from the
/// non-recursive term (a type with another modifier is another type). Only types the
/// text alone tells (literals, casts) are compared; anything else is left to run.
fn term_types(name: &str, q: &Query, left: &SetExpr, right: &SetExpr) -> Result<(), PgError> {
    let typed = |body: &SetExpr| -> Vec<Option<String>> {
        let mut term = q.clone();
        term.body = Box::new(body.clone());
        let stmt = sqlparser::ast::Statement::Query(Box::new(term));
        let columns = crate::sql::types::analyze(&stmt)
            .columns
            .unwrap_or_default();
        columns
            .into_iter()
            .map(|c| match c {
                Column::Expr { ty, .. } => known(&ty),
                Column::All(_) => None,
            })
            .collect()
    };
    let (first, then) = (typed(left), typed(right));
    for (i, (a, b)) in first.iter().zip(&then).enumerate() {
        let (Some(a), Some(b)) = (a, b) else { continue };
        if a == b {
            continue;
        }
        let Some(overall) = union_type(a, b) else {
            continue;
        };
        if overall != *a {
            return Err(PgError::new(
                SqlState::DATATYPE_MISMATCH,
                format!(
                    "recursive query \"{name}\" column {} has type {} in non-recursive term but type {} overall",
                    i + 1,
                    shown(a),
                    shown(&overall)
                ),
            )
            .with_hint("Cast the output of the non-recursive term to the correct type."));
        }
    }
    Ok(())
}

/// PostgreSQL's name of a type, modifier included (`integer`, `numeric(3,0)`).
fn shown(t: &str) -> String {
    let ty = crate::engine::types::from_decltype(t);
    crate::engine::catalog::types::format_type(ty.oid, ty.modifier).unwrap_or_else(|| t.into())
}

/// Whether `q` names the table `name` anywhere (a recursive CTE's self reference).
fn reads_itself(q: &Query, name: &str) -> bool {
    visit_relations(q, |r| {
        if r.0.len() == 1 && r.0[0].as_ident().is_some_and(|i| folded(i) == name) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .is_break()
}

/// parse_cte.c's checks of what sits atop a recursive query's UNION, in its order.
fn decoration(q: &Query) -> Result<(), PgError> {
    let (offset, limit) = match &q.limit_clause {
        Some(LimitClause::LimitOffset { limit, offset, .. }) => (offset.is_some(), limit.is_some()),
        Some(LimitClause::OffsetCommaLimit { .. }) => (true, true),
        None => (false, false),
    };
    let what = if q.order_by.is_some() {
        "ORDER BY"
    } else if offset {
        "OFFSET"
    } else if limit || q.fetch.is_some() {
        "LIMIT"
    } else if !q.locks.is_empty() {
        "FOR UPDATE/SHARE"
    } else {
        return Ok(());
    };
    Err(PgError::new(
        SqlState::FEATURE_NOT_SUPPORTED,
        format!("{what} in a recursive query is not implemented"),
    ))
}

fn folded(i: &Ident) -> String {
    match i.quote_style {
        Some(_) => i.value.clone(),
        None => i.value.to_lowercase(),
    }
}

/// Whether `name` is on the nullable side of one of `from`'s outer joins.
fn in_outer_join(from: &TableWithJoins, name: &str) -> bool {
    let mut before = names(&from.relation, name);
    for join in &from.joins {
        let this = names(&join.relation, name);
        let nullable_right = matches!(
            join.join_operator,
            JoinOperator::Left(_) | JoinOperator::LeftOuter(_) | JoinOperator::FullOuter(_)
        );
        let nullable_left = matches!(
            join.join_operator,
            JoinOperator::Right(_) | JoinOperator::RightOuter(_) | JoinOperator::FullOuter(_)
        );
        if (nullable_right && this) || (nullable_left && before) {
            return true;
        }
        before |= this;
    }
    false
}

/// Whether `t` is (or, nested, holds) the table `name`.
fn names(t: &TableFactor, name: &str) -> bool {
    match t {
        TableFactor::Table { name: n, .. } => {
            n.0.len() == 1 && n.0[0].as_ident().is_some_and(|i| folded(i) == name)
        }
        TableFactor::NestedJoin {
            table_with_joins, ..
        } => {
            names(&table_with_joins.relation, name)
                || table_with_joins
                    .joins
                    .iter()
                    .any(|j| names(&j.relation, name))
                || in_outer_join(table_with_joins, name)
        }
        _ => false,
    }
}

/// `CREATE [OR REPLACE] [TEMP] RECURSIVE VIEW v (c, …) AS q`, which the grammar lacks, as
/// what PostgreSQL defines it to be: `CREATE VIEW v AS WITH RECURSIVE v (c, …) AS (q)
/// SELECT c, … FROM v`. None when `text` is not one such statement.
pub(crate) fn recursive_view(text: &str) -> Option<String> {
    use crate::sql::lexer::{significant, TokenKind};
    let lower = text.get(..text.len().min(64))?.to_ascii_lowercase();
    if !lower.trim_start().starts_with("create") || !lower.contains("recursive") {
        return None;
    }
    if crate::sql::lexer::split(text).len() != 1 {
        return None;
    }
    let tokens: Vec<_> = significant(text).collect();
    let word = |i: usize| {
        tokens
            .get(i)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| text[t.start..t.end].to_ascii_lowercase())
    };
    let mut i = 1;
    if word(1).as_deref() == Some("or") && word(2).as_deref() == Some("replace") {
        i = 3;
    }
    if matches!(word(i).as_deref(), Some("temp" | "temporary")) {
        i += 1;
    }
    if word(0).as_deref() != Some("create")
        || word(i).as_deref() != Some("recursive")
        || word(i + 1).as_deref() != Some("view")
    {
        return None;
    }
    let recursive = tokens[i];
    // The name: one or more parts joined by dots.
    let name_start = tokens.get(i + 2)?.start;
    let mut j = i + 2;
    while tokens
        .get(j + 1)
        .is_some_and(|t| &text[t.start..t.end] == ".")
    {
        j += 2;
    }
    let last = tokens.get(j)?;
    if !matches!(last.kind, TokenKind::Word | TokenKind::Quoted) {
        return None;
    }
    let (name, last_name) = (&text[name_start..last.end], &text[last.start..last.end]);
    let open = tokens.get(j + 1).filter(|t| t.kind == TokenKind::Open)?;
    let close = tokens[j + 1..]
        .iter()
        .find(|t| t.kind == TokenKind::Close)?;
    let close_at = tokens.iter().position(|t| t.start == close.start)?;
    if word(close_at + 1).as_deref() != Some("as") {
        return None;
    }
    let columns = &text[open.end..close.start];
    let query = text[tokens[close_at + 1].end..]
        .trim()
        .trim_end_matches(';');
    Some(format!(
        "{}VIEW {name} AS WITH RECURSIVE {last_name} ({columns}) AS ({query}) \
         SELECT {columns} FROM {last_name}",
        &text[..recursive.start]
    ))
}
