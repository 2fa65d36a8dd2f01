//! PostgreSQL's rules for where a recursive CTE may name itself that SQLite does not
//! enforce: never on the nullable side of an outer join (42P19), which SQLite would run
//! and answer.

use sqlparser::ast::{
    Ident, JoinOperator, Query, SetExpr, SetOperator, TableFactor, TableWithJoins,
};

use crate::protocol::{PgError, SqlState};

/// Checks each CTE of `q`'s `WITH RECURSIVE`.
pub(super) fn check(q: &Query) -> Result<(), PgError> {
    let Some(with) = q.with.as_ref().filter(|w| w.recursive) else {
        return Ok(());
    };
    for cte in &with.cte_tables {
        let name = folded(&cte.alias.name);
        let SetExpr::SetOperation {
            op: SetOperator::Union,
            right,
            ..
        } = cte.query.body.as_ref()
        else {
            continue;
        };
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
