//! Errors PostgreSQL raises while planning, by folding constant expressions: `1/0`
//! written with two number literals is 22012 even where no row reaches it (`SELECT
//! CASE WHEN i > 100 THEN 1/0 ELSE 0 END FROM t` over rows that never take the branch).
//! SQLite evaluates it only for a row that does, so the statement is refused here.
//!
//! PostgreSQL first drops the branches of a CASE whose condition folds to false (and
//! those after one that folds to true), so a CASE with a constant condition is left to
//! run as it is: which branches survive would need that condition evaluated.

use std::ops::ControlFlow;

use sqlparser::ast::{BinaryOperator, Expr, Statement, Value, Visit, Visitor};

use crate::protocol::{PgError, SqlState};

/// Only statements PostgreSQL plans now: a view's or a default's expression is folded
/// when it is used.
pub(super) fn check(stmt: &Statement) -> Result<(), PgError> {
    let planned = matches!(
        stmt,
        Statement::Query(_)
            | Statement::Insert(_)
            | Statement::Update { .. }
            | Statement::Delete(_)
    );
    if !planned {
        return Ok(());
    }
    match stmt.visit(&mut Folder { undecided: 0 }) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(e) => Err(e),
    }
}

struct Folder {
    /// How many CASEs with a constant condition enclose the expression being visited.
    undecided: usize,
}

impl Visitor for Folder {
    type Break = PgError;

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<PgError> {
        match expr {
            Expr::Case { .. } if constant_case(expr) => self.undecided += 1,
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Divide | BinaryOperator::Modulo,
                right,
            } if self.undecided == 0 && is_number(left) && is_zero(right) => {
                return ControlFlow::Break(PgError::new(
                    SqlState::DIVISION_BY_ZERO,
                    "division by zero",
                ));
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &Expr) -> ControlFlow<PgError> {
        if constant_case(expr) {
            self.undecided -= 1;
        }
        ControlFlow::Continue(())
    }
}

/// A CASE one of whose conditions is constant (with a constant operand, if any).
fn constant_case(e: &Expr) -> bool {
    let Expr::Case {
        operand,
        conditions,
        ..
    } = e
    else {
        return false;
    };
    operand.as_deref().is_none_or(constant) && conditions.iter().any(|c| constant(&c.condition))
}

/// Whether `e` is made of literals and operators only (it folds to a constant).
fn constant(e: &Expr) -> bool {
    match e {
        Expr::Value(_) => true,
        Expr::Nested(e) | Expr::UnaryOp { expr: e, .. } => constant(e),
        Expr::BinaryOp { left, right, .. } => constant(left) && constant(right),
        Expr::IsNull(e) | Expr::IsNotNull(e) | Expr::IsTrue(e) | Expr::IsFalse(e) => constant(e),
        Expr::Cast { expr, .. } => constant(expr),
        _ => false,
    }
}

fn number(e: &Expr) -> Option<f64> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        Expr::Nested(e) => number(e),
        _ => None,
    }
}

fn is_number(e: &Expr) -> bool {
    number(e).is_some()
}

fn is_zero(e: &Expr) -> bool {
    number(e) == Some(0.0)
}

#[cfg(test)]
mod tests {
    use super::check;

    fn run(sql: &str) -> Result<(), String> {
        let stmt = crate::sql::parse::parse_one(sql, 100).unwrap();
        check(&stmt).map_err(|e| e.code.0.to_string())
    }

    #[test]
    fn literal_division_by_zero_is_refused_unless_a_constant_case_may_skip_it() {
        assert_eq!(run("SELECT 1/0 FROM t WHERE false"), Err("22012".into()));
        assert_eq!(
            run("SELECT CASE WHEN i > 100 THEN 1/0 ELSE 0 END FROM t"),
            Err("22012".into())
        );
        assert_eq!(run("SELECT 5 % 0"), Err("22012".into()));
        assert_eq!(
            run("SELECT CASE WHEN 1=0 THEN 1/0 WHEN 1=1 THEN 1 ELSE 2/0 END"),
            Ok(())
        );
        assert_eq!(
            run("SELECT CASE 1 WHEN 0 THEN 1/0 WHEN 1 THEN 1 ELSE 2/0 END"),
            Ok(())
        );
        assert_eq!(run("SELECT i / 0, 1 / i FROM t"), Ok(()));
        assert_eq!(run("CREATE VIEW v AS SELECT 1/0"), Ok(()));
    }
}
