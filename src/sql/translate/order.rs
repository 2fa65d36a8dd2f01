//! Where NULLs sort. PostgreSQL treats NULL as larger than every value: last in
//! ascending order, first in descending; SQLite the other way round. Every ORDER BY
//! without an explicit `NULLS FIRST/LAST` (of a query, a window or an aggregate) gets
//! PostgreSQL's, which SQLite (3.30+) understands and still reads from an index.
//! The ORDER BY of a set operation names only its result columns, as PostgreSQL
//! requires (SQLite would also match a column of a later SELECT). LIMIT, OFFSET and
//! FETCH FIRST as SQLite spells them.

use sqlparser::ast::{
    Expr, Function, FunctionArgumentClause, FunctionArguments, NamedWindowExpr, OrderByExpr,
    OrderByKind, Query, SelectItem, SetExpr, WindowType,
};

use super::unsupported;
use crate::protocol::{PgError, SqlState};

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

/// A set operation's ORDER BY: a name must be one of its result columns (those of the
/// leftmost SELECT), or PostgreSQL's 42703. Not checked where a result column's name is
/// not plain here (`*`, an unnamed expression).
pub(super) fn set_operation(q: &Query) -> Result<(), PgError> {
    let Some(OrderByKind::Expressions(exprs)) = q.order_by.as_ref().map(|o| &o.kind) else {
        return Ok(());
    };
    let mut left = q.body.as_ref();
    if !matches!(left, SetExpr::SetOperation { .. }) {
        return Ok(());
    }
    while let SetExpr::SetOperation { left: l, .. } = left {
        left = l;
    }
    let SetExpr::Select(select) = left else {
        return Ok(());
    };
    let mut names = Vec::new();
    for item in &select.projection {
        names.push(match item {
            SelectItem::ExprWithAlias { alias, .. } => alias,
            SelectItem::UnnamedExpr(Expr::Identifier(i)) => i,
            SelectItem::UnnamedExpr(Expr::CompoundIdentifier(parts)) => match parts.last() {
                Some(i) => i,
                None => return Ok(()),
            },
            _ => return Ok(()),
        });
    }
    let folded = |i: &sqlparser::ast::Ident| match i.quote_style {
        Some(_) => i.value.clone(),
        None => i.value.to_lowercase(),
    };
    for o in exprs {
        if let Expr::Identifier(i) = &o.expr {
            let name = folded(i);
            if !names.iter().any(|n| folded(n) == name) {
                return Err(PgError::new(
                    SqlState::UNDEFINED_COLUMN,
                    format!("column \"{name}\" does not exist"),
                ));
            }
        }
    }
    Ok(())
}

/// `FETCH FIRST n ROWS ONLY` → `LIMIT n`; `OFFSET n [ROWS]` without a limit (or with
/// `LIMIT ALL`) → `LIMIT -1 OFFSET n` (SQLite wants a LIMIT before an OFFSET).
pub(super) fn limit(q: &mut Query) -> Result<(), PgError> {
    use sqlparser::ast::{LimitClause, OffsetRows, Value};
    let fetch = match q.fetch.take() {
        Some(f) if f.with_ties => return Err(unsupported("FETCH FIRST … WITH TIES")),
        Some(f) if f.percent => return Err(unsupported("FETCH FIRST … PERCENT")),
        Some(f) => Some(
            f.quantity
                .unwrap_or_else(|| Expr::Value(Value::Number("1".into(), false).into())),
        ),
        None => None,
    };
    if fetch.is_none() && q.limit_clause.is_none() {
        return Ok(());
    }
    let clause = q.limit_clause.get_or_insert(LimitClause::LimitOffset {
        limit: None,
        offset: None,
        limit_by: Vec::new(),
    });
    if let LimitClause::LimitOffset { limit, offset, .. } = clause {
        if let Some(n) = fetch {
            *limit = Some(n);
        }
        if let Some(l) = limit {
            checked(l, "0")?;
        }
        if let Some(o) = offset {
            o.rows = OffsetRows::None;
            checked(&mut o.value, "1")?;
            if limit.is_none() {
                *limit = Some(Expr::Value(Value::Number("-1".into(), false).into()));
            }
        }
    }
    Ok(())
}

/// A LIMIT (`which` "0") or OFFSET ("1") count as PostgreSQL reads it: a negative one is
/// an error (SQLite would read it as no limit), NULL is no limit / no offset (SQLite:
/// a datatype mismatch). A non-negative integer literal stays as it is; anything else
/// goes through `pg_limit(count, which)` (engine/pgfuncs).
fn checked(count: &mut Expr, which: &str) -> Result<(), PgError> {
    use sqlparser::ast::{UnaryOperator, Value};
    let negative = matches!(count, Expr::UnaryOp { op: UnaryOperator::Minus, expr }
        if matches!(expr.as_ref(), Expr::Value(v) if matches!(v.value, Value::Number(..))));
    if negative {
        let (code, what) = if which == "0" {
            ("2201W", "LIMIT")
        } else {
            ("2201X", "OFFSET")
        };
        return Err(PgError::new(
            SqlState(code),
            format!("{what} must not be negative"),
        ));
    }
    if matches!(count, Expr::Value(v) if matches!(&v.value, Value::Number(n, _) if n.bytes().all(|b| b.is_ascii_digit())))
    {
        return Ok(());
    }
    let c = std::mem::replace(count, Expr::Value(Value::Null.into()));
    *count = super::call(
        "pg_limit",
        vec![c, Expr::Value(Value::Number(which.into(), false).into())],
    );
    Ok(())
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
