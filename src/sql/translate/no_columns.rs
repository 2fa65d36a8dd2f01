//! A statement's SELECT with no columns (`select from t`, `select from a union select
//! from b`): PostgreSQL's rows of no values. SQLite wants a column, so each such SELECT
//! gets [`NO_COLUMN`], which the engine leaves out of the result (engine/exec.rs,
//! `result_columns`). Elsewhere (a subquery) a SELECT with no columns stays refused.

use sqlparser::ast::{Expr, Ident, SelectItem, SetExpr, Statement};

use crate::protocol::SqlState;

/// A statement that is such a query gets its marker column.
pub(super) fn fill(stmt: &mut Statement) {
    if let Statement::Query(q) = stmt {
        if all_without_columns(&q.body) {
            fill_without_columns(&mut q.body);
        }
    }
}

/// The name of the one column a statement's SELECT with no columns gets (SQLite wants
/// one); the engine leaves it out of the result (engine/exec.rs, `result_columns`).
pub const NO_COLUMN: &str = "_lw_no_column";

/// Whether a statement's body is a SELECT with no columns, or set operations of them
/// only (`select from a union select from b`); not a syntax error's reading
/// (`select from from`, `queries::no_columns`).
fn all_without_columns(body: &SetExpr) -> bool {
    match body {
        SetExpr::Select(s) => {
            s.projection.is_empty()
                && super::queries::no_columns(s).code == SqlState::FEATURE_NOT_SUPPORTED
        }
        SetExpr::SetOperation { left, right, .. } => {
            all_without_columns(left) && all_without_columns(right)
        }
        SetExpr::Query(q) => all_without_columns(&q.body),
        _ => false,
    }
}

fn fill_without_columns(body: &mut SetExpr) {
    match body {
        SetExpr::Select(s) => {
            s.projection = vec![SelectItem::ExprWithAlias {
                expr: Expr::value(sqlparser::ast::Value::Null),
                alias: Ident::with_quote('"', NO_COLUMN),
            }];
        }
        SetExpr::SetOperation { left, right, .. } => {
            fill_without_columns(left);
            fill_without_columns(right);
        }
        SetExpr::Query(q) => fill_without_columns(&mut q.body),
        _ => {}
    }
}
