//! Where NULLs sort. PostgreSQL treats NULL as larger than every value: last in
//! ascending order, first in descending; SQLite the other way round. Every ORDER BY
//! without an explicit `NULLS FIRST/LAST` (of a query, a window or an aggregate) gets
//! PostgreSQL's, which SQLite (3.30+) understands and still reads from an index.
//! `ORDER BY x USING <` / `USING >` (the parser's `pg_order_using(x, '<')`, sql/dialect.rs)
//! is `x ASC` / `x DESC` ([`using`]): `>` sorts as DESC does, NULLs first.

use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentClause, FunctionArguments,
    NamedWindowExpr, OrderByExpr, OrderByKind, Query, SetExpr, Statement, Value, VisitMut,
    VisitorMut, WindowType,
};

use crate::protocol::{PgError, SqlState};

/// The parser's mark of `x USING op` (sql/dialect.rs).
pub const USING_MARKER: &str = "pg_order_using";

/// Every `ORDER BY x USING <|>` of `stmt` as ASC / DESC; the mark anywhere else is
/// PostgreSQL's syntax error.
pub(super) fn using(stmt: &mut Statement) -> Result<(), PgError> {
    match stmt.visit(&mut Using) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(e) => Err(e),
    }
}

struct Using;

impl VisitorMut for Using {
    type Break = PgError;

    fn pre_visit_query(&mut self, q: &mut Query) -> ControlFlow<PgError> {
        if let Some(order) = &mut q.order_by {
            if let OrderByKind::Expressions(exprs) = &mut order.kind {
                unmark(exprs);
            }
        }
        if let SetExpr::Select(s) = q.body.as_mut() {
            for w in &mut s.named_window {
                if let NamedWindowExpr::WindowSpec(spec) = &mut w.1 {
                    unmark(&mut spec.order_by);
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<PgError> {
        match e {
            Expr::Function(f) if f.name.to_string() == USING_MARKER => ControlFlow::Break(
                PgError::new(SqlState::SYNTAX_ERROR, "syntax error at or near \"USING\""),
            ),
            Expr::Function(f) => {
                if let Some(WindowType::WindowSpec(spec)) = &mut f.over {
                    unmark(&mut spec.order_by);
                }
                if let FunctionArguments::List(list) = &mut f.args {
                    for clause in &mut list.clauses {
                        if let FunctionArgumentClause::OrderBy(order) = clause {
                            unmark(order);
                        }
                    }
                }
                ControlFlow::Continue(())
            }
            _ => ControlFlow::Continue(()),
        }
    }
}

/// `pg_order_using(x, '<')` items (without ASC/DESC: the parser took none after USING)
/// as `x ASC`, `'>'` as `x DESC`.
fn unmark(order: &mut [OrderByExpr]) {
    for o in order {
        let Expr::Function(f) = &mut o.expr else {
            continue;
        };
        if f.name.to_string() != USING_MARKER || o.options.asc.is_some() {
            continue;
        }
        let FunctionArguments::List(list) = &mut f.args else {
            continue;
        };
        let [FunctionArg::Unnamed(FunctionArgExpr::Expr(x)), FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(op)))] =
            list.args.as_mut_slice()
        else {
            continue;
        };
        let descending = matches!(&op.value, Value::SingleQuotedString(s) if s == ">");
        let x = std::mem::replace(x, Expr::value(Value::Null));
        o.expr = x;
        o.options.asc = Some(!descending);
    }
}

/// `order` with PostgreSQL's NULL placement made explicit.
fn explicit(order: &mut [OrderByExpr]) {
    for o in order {
        if o.options.nulls_first.is_none() {
            // ASC (the default): NULLS LAST; DESC: NULLS FIRST.
            o.options.nulls_first = Some(o.options.asc == Some(false));
        }
    }
}

/// A query's ORDER BY and its SELECT's named windows.
pub(super) fn query(q: &mut Query) {
    if let Some(order) = &mut q.order_by {
        if let OrderByKind::Expressions(exprs) = &mut order.kind {
            explicit(exprs);
        }
    }
    if let SetExpr::Select(s) = q.body.as_mut() {
        for w in &mut s.named_window {
            if let NamedWindowExpr::WindowSpec(spec) = &mut w.1 {
                explicit(&mut spec.order_by);
            }
        }
    }
}

/// A call's `OVER (ORDER BY …)` and `agg(x ORDER BY …)`.
pub(super) fn call(f: &mut Function) {
    if let Some(WindowType::WindowSpec(spec)) = &mut f.over {
        explicit(&mut spec.order_by);
    }
    if let FunctionArguments::List(list) = &mut f.args {
        for clause in &mut list.clauses {
            if let FunctionArgumentClause::OrderBy(order) = clause {
                explicit(order);
            }
        }
    }
}
