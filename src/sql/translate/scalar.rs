//! Scalar subqueries: PostgreSQL fails one that returns more than one row (21000, "more
//! than one row returned by a subquery used as an expression"); SQLite silently takes
//! the first. A subquery that may return more rows is read through `pg_single` (one
//! column: an aggregate that fails on a second row) or, for a row of several columns
//! (`SET (a, b) = (SELECT …)`), a row count checked by `pg_one_row` (engine/subquery.rs).
//! Subqueries that cannot return two rows (an aggregate without GROUP BY, LIMIT 1, no
//! FROM) are left alone: no cost where none is needed.

use sqlparser::ast::{
    Expr, FunctionArguments, GroupByExpr, Ident, LimitClause, Query, SelectItem, SetExpr,
    Statement, TableFactor, Value,
};

/// `q` (already translated) read so that a second row is an error; None when it cannot
/// return two rows or its columns cannot be named (`SELECT *`).
pub(super) fn checked(q: &mut Box<Query>) -> Option<Expr> {
    if single_row(q) {
        return None;
    }
    let names = name_columns(q)?;
    let template = match names.as_slice() {
        [one] => format!("SELECT pg_single({one}) FROM (SELECT 1)"),
        several => format!(
            "SELECT {} FROM (SELECT *, count(*) OVER () AS _litewire_n FROM (SELECT 1)) \
             WHERE pg_one_row(_litewire_n)",
            several.join(", ")
        ),
    };
    let Ok(Statement::Query(mut outer)) = crate::sql::parse::parse_one(&template, 16) else {
        return None;
    };
    // The innermost `(SELECT 1)` becomes the subquery.
    let mut slot = derived(&mut outer)?;
    if names.len() > 1 {
        slot = derived(slot)?;
    }
    std::mem::swap(slot, q);
    Some(Expr::Subquery(outer))
}

/// The subquery in the first FROM item of `q`.
fn derived(q: &mut Query) -> Option<&mut Box<Query>> {
    let SetExpr::Select(s) = q.body.as_mut() else {
        return None;
    };
    match &mut s.from.first_mut()?.relation {
        TableFactor::Derived { subquery, .. } => Some(subquery),
        _ => None,
    }
}

/// Whether `q` cannot return more than one row.
fn single_row(q: &Query) -> bool {
    if let Some(LimitClause::LimitOffset {
        limit: Some(Expr::Value(v)),
        ..
    }) = &q.limit_clause
    {
        if matches!(&v.value, Value::Number(n, _) if n == "1" || n == "0") {
            return true;
        }
    }
    let SetExpr::Select(s) = q.body.as_ref() else {
        return false;
    };
    let grouped = match &s.group_by {
        GroupByExpr::Expressions(e, _) => !e.is_empty(),
        GroupByExpr::All(_) => true,
    };
    if grouped {
        return false;
    }
    if s.from.is_empty() {
        return true;
    }
    s.projection.iter().all(|item| match item {
        SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => aggregated(e),
        _ => false,
    })
}

/// Whether `e` is computed from aggregates (over the whole input, no GROUP BY): one row.
fn aggregated(e: &Expr) -> bool {
    match e {
        Expr::Function(f) => {
            let name = f.name.to_string().to_ascii_lowercase();
            let args = match &f.args {
                FunctionArguments::List(l) => l.args.len(),
                _ => 0,
            };
            let aggregate = AGGREGATES.contains(&name.as_str())
                || super::TYPED_AGGREGATES.contains(&name.as_str())
                || (matches!(name.as_str(), "min" | "max") && args == 1)
                || super::AGGREGATES
                    .iter()
                    .any(|(pg, lite)| *pg == name || *lite == name);
            if f.over.is_some() {
                return false;
            }
            // Or a function of aggregates and constants (`count(*) + 1` is pg_int(…)).
            aggregate
                || super::plain_args(f).is_some_and(|args| {
                    args.iter().all(|a| aggregated(a) || constant(a))
                        && args.iter().any(|a| aggregated(a))
                })
        }
        Expr::Nested(e) | Expr::Cast { expr: e, .. } | Expr::UnaryOp { expr: e, .. } => {
            aggregated(e)
        }
        Expr::BinaryOp { left, right, .. } => {
            (aggregated(left) || constant(left)) && (aggregated(right) || constant(right))
        }
        Expr::Case {
            operand,
            conditions,
            else_result,
            ..
        } => {
            let parts: Vec<&Expr> = operand
                .as_deref()
                .into_iter()
                .chain(conditions.iter().flat_map(|c| [&c.condition, &c.result]))
                .chain(else_result.as_deref())
                .collect();
            parts.iter().all(|e| aggregated(e) || constant(e))
                && parts.iter().any(|e| aggregated(e))
        }
        _ => false,
    }
}

fn constant(e: &Expr) -> bool {
    matches!(e, Expr::Value(_))
}

/// SQLite's and litewire's aggregates of one row per group (min/max only with one
/// argument: with more they are scalar).
const AGGREGATES: &[&str] = &[
    "count",
    "sum",
    "total",
    "avg",
    "group_concat",
    "json_group_array",
    "json_group_object",
    "jsonb_group_array",
    "jsonb_group_object",
];

/// The names of `q`'s output columns, aliasing unnamed ones; None for a `*`.
fn name_columns(q: &mut Query) -> Option<Vec<String>> {
    let mut body = q.body.as_mut();
    loop {
        match body {
            SetExpr::SetOperation { left, .. } => body = left.as_mut(),
            SetExpr::Query(inner) => body = inner.body.as_mut(),
            _ => break,
        }
    }
    match body {
        SetExpr::Select(s) => {
            let mut names = Vec::with_capacity(s.projection.len());
            for (i, item) in s.projection.iter_mut().enumerate() {
                let alias = match item {
                    SelectItem::ExprWithAlias { alias, .. } => alias.clone(),
                    SelectItem::UnnamedExpr(e) => {
                        let alias = Ident::with_quote('"', format!("_litewire_{}", i + 1));
                        let expr = std::mem::replace(e, Expr::Value(Value::Null.into()));
                        *item = SelectItem::ExprWithAlias {
                            expr,
                            alias: alias.clone(),
                        };
                        alias
                    }
                    _ => return None,
                };
                names.push(alias.to_string());
            }
            Some(names)
        }
        // SQLite names VALUES columns column1, column2…
        SetExpr::Values(v) => {
            let width = v.rows.first().map_or(0, Vec::len);
            Some((1..=width).map(|i| format!("column{i}")).collect())
        }
        _ => None,
    }
}
