//! Where NULLs sort. PostgreSQL treats NULL as larger than every value: last in
//! ascending order, first in descending; SQLite the other way round. Every ORDER BY
//! without an explicit `NULLS FIRST/LAST` (of a query, a window or an aggregate) gets
//! PostgreSQL's, which SQLite (3.30+) understands and still reads from an index.

use sqlparser::ast::{
    Function, FunctionArgumentClause, FunctionArguments, NamedWindowExpr, OrderByExpr, OrderByKind,
    Query, SetExpr, WindowType,
};

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
