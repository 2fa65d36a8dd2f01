//! PostgreSQL arrays for SQLite, which has none. Arrays here are JSON text (array
//! parameters are bound so, see `engine/array.rs`; `pg_array_json` reads either form),
//! read with `json_each`: `= ANY (...)` / `<> ALL (...)`, `ARRAY[...]`, `ARRAY(SELECT
//! ...)`, `array_to_string()` and friends, subscripts `a[i]`, and set-returning
//! functions in FROM (`generate_series`, `unnest`, with `WITH ORDINALITY` and column
//! aliases).

use std::ops::ControlFlow;

use sqlparser::ast::{
    AccessExpr, Array, BinaryOperator, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArguments, Ident, ObjectName, Query, Statement, Subscript, TableAlias, TableFactor,
    TableFunctionArgs, VisitMut, VisitorMut,
};

use super::{call, plain_args, raw, unsupported};
use crate::protocol::PgError;

/// The elements of array expression `a` as a `json_each` source.
fn elements(a: &dyn std::fmt::Display) -> String {
    format!("json_each(pg_array_json({a}))")
}

/// `x op ANY (...)` / `x op ALL (...)`, which SQLite lacks. Called before the operands
/// are rewritten, so an `ARRAY[...]` is still recognisable:
/// - `= ANY (ARRAY[a, b])` → `x IN (a, b)`, `<> ALL` → `NOT IN`;
/// - a subquery → `x IN (SELECT ...)` / `NOT IN`;
/// - an array value (a parameter, a column) → `x IN (SELECT value FROM json_each(…))`;
/// - other operators: a subquery over the elements with PostgreSQL's NULL rules.
pub(super) fn any_all(e: Expr) -> Result<Expr, PgError> {
    let (left, op, right, all) = match e {
        Expr::AnyOp {
            left,
            compare_op,
            right,
            ..
        } => (left, compare_op, right, false),
        Expr::AllOp {
            left,
            compare_op,
            right,
        } => (left, compare_op, right, true),
        other => return Ok(other),
    };
    let membership = match (&op, all) {
        (BinaryOperator::Eq, false) => Some(false),
        (BinaryOperator::NotEq, true) => Some(true),
        _ => None,
    };
    let right = match *right {
        Expr::Nested(inner) => *inner,
        other => other,
    };
    if let Some(negated) = membership {
        return Ok(match right {
            Expr::Array(Array { elem, .. }) => Expr::InList {
                expr: left,
                list: elem,
                negated,
            },
            Expr::Subquery(q) => Expr::InSubquery {
                expr: left,
                subquery: q,
                negated,
            },
            other => Expr::InSubquery {
                expr: left,
                subquery: Box::new(values_of(&other)?),
                negated,
            },
        });
    }
    let source = match right {
        Expr::Subquery(q) => format!("({q})"),
        other => elements(&other),
    };
    // max/min of the comparisons, NULL when none decides but some are NULL; an empty
    // array gives false for ANY and true for ALL.
    let (decides, verdict, otherwise) = if all {
        ("min(c) = 0", "0", "1")
    } else {
        ("max(c)", "1", "0")
    };
    // Printed before translation and read back, so the walk translates the parts.
    expression(&format!(
        "(SELECT CASE WHEN {decides} THEN {verdict} WHEN count(*) > count(c) THEN NULL \
         ELSE {otherwise} END FROM (SELECT ({left}) {op} value AS c FROM {source}))"
    ))
}

/// The tree of one PostgreSQL expression written by the translator.
fn expression(sql: &str) -> Result<Expr, PgError> {
    let select = crate::sql::parse::parse_one(&format!("SELECT {sql}"), 64)?;
    if let Statement::Query(q) = select {
        if let sqlparser::ast::SetExpr::Select(s) = *q.body {
            if let Some(sqlparser::ast::SelectItem::UnnamedExpr(e)) =
                s.projection.into_iter().next()
            {
                return Ok(e);
            }
        }
    }
    Err(unsupported("this array expression"))
}

/// `SELECT value FROM json_each(pg_array_json(a))` as a query.
fn values_of(a: &Expr) -> Result<Query, PgError> {
    let sql = format!("SELECT value FROM {}", elements(a));
    match crate::sql::parse::parse_one(&sql, 64)? {
        Statement::Query(q) => Ok(*q),
        _ => Err(unsupported("this array expression")),
    }
}

/// `ARRAY[a, b]` → `json_array(a, b)` (elements already rewritten).
pub(super) fn literal(a: Array) -> Expr {
    call("json_array", a.elem)
}

/// `a[i]` (1-based, as PostgreSQL arrays) → the element of the JSON array.
pub(super) fn subscript(root: Expr, chain: Vec<AccessExpr>) -> Result<Expr, PgError> {
    let mut e = root;
    for access in chain {
        e = match access {
            AccessExpr::Subscript(Subscript::Index { index }) => raw(format!(
                "json_extract(pg_array_json({e}), '$[' || (({index}) - 1) || ']')"
            )),
            AccessExpr::Subscript(Subscript::Slice { .. }) => {
                return Err(unsupported("an array slice"))
            }
            AccessExpr::Dot(_) => return Err(unsupported("a composite field selection")),
        };
    }
    Ok(e)
}

/// Array functions over the elements; `ARRAY(SELECT ...)` as a JSON array. None when
/// `name` is not one of them.
pub(super) fn function(name: &str, f: &mut Function) -> Result<Option<Expr>, PgError> {
    if name == "array" {
        if let FunctionArguments::Subquery(q) = &f.args {
            return Ok(Some(raw(format!(
                "(WITH _array(v) AS ({q}) SELECT json_group_array(v) FROM _array)"
            ))));
        }
        return Ok(None);
    }
    if !matches!(
        name,
        "array_to_string" | "array_upper" | "array_length" | "cardinality"
    ) {
        return Ok(None);
    }
    let Some(args) = plain_args(f) else {
        return Ok(None);
    };
    Ok(Some(raw(match (name, args.as_slice()) {
        ("array_to_string", [a, sep]) => {
            format!("(SELECT group_concat(value, {sep}) FROM {})", elements(a))
        }
        ("array_to_string", [a, sep, null]) => format!(
            "(SELECT group_concat(coalesce(value, {null}), {sep}) FROM {})",
            elements(a)
        ),
        ("array_upper" | "array_length", [a, _]) => {
            format!("(SELECT nullif(count(*), 0) FROM {})", elements(a))
        }
        // NULL for a NULL array, 0 for an empty one.
        ("cardinality", [a]) => format!(
            "(SELECT CASE WHEN ({a}) IS NULL THEN NULL ELSE count(*) END FROM {})",
            elements(a)
        ),
        _ => return Ok(None),
    })))
}

/// Set-returning functions rewritten in FROM: per source, its alias and its columns'
/// names with the SQLite expression each stands for.
#[derive(Default)]
pub(super) struct Sources(Vec<(String, Vec<(String, String)>)>);

impl Sources {
    /// The expression for column `column` (of `table`, when qualified), if a rewritten
    /// source provides it.
    pub(super) fn column(&self, table: Option<&str>, column: &str) -> Option<Expr> {
        self.0
            .iter()
            .filter(|(alias, _)| table.is_none_or(|t| t.eq_ignore_ascii_case(alias)))
            .flat_map(|(_, cols)| cols)
            .find(|(name, _)| name.eq_ignore_ascii_case(column))
            .map(|(_, with)| raw(with.clone()))
    }
}

/// Rewrites set-returning functions in FROM, `f(...) [WITH ORDINALITY] [AS] a [(c1
/// [, c2])]`, to `json_each(...) AS a` over their elements as a JSON array; their
/// columns (`c1`, or `a` itself without a list; `c2` the ordinality) are `a.value` and
/// `(a.key + 1)`, which the main walk puts wherever the statement names them.
pub(super) fn set_returning_sources(stmt: &mut Statement) -> Result<Sources, PgError> {
    struct Collect(Sources);
    impl VisitorMut for Collect {
        type Break = PgError;
        fn pre_visit_table_factor(&mut self, t: &mut TableFactor) -> ControlFlow<PgError> {
            match rewrite_source(t) {
                Ok(Some(source)) => self.0 .0.push(source),
                Ok(None) => {}
                Err(e) => return ControlFlow::Break(e),
            }
            ControlFlow::Continue(())
        }
    }
    let mut c = Collect(Sources::default());
    match stmt.visit(&mut c) {
        ControlFlow::Continue(()) => Ok(c.0),
        ControlFlow::Break(e) => Err(e),
    }
}

type Source = (String, Vec<(String, String)>);

fn rewrite_source(t: &mut TableFactor) -> Result<Option<Source>, PgError> {
    if let Some(source) = super::json::source(t)? {
        return Ok(Some(source));
    }
    let (function, args, ordinality, alias) = match t {
        TableFactor::Table {
            name,
            args: Some(args),
            with_ordinality,
            alias,
            ..
        } => {
            let f = name.to_string().to_ascii_lowercase();
            let f = f.strip_prefix("pg_catalog.").unwrap_or(&f).to_string();
            if !matches!(
                f.as_str(),
                "generate_series" | "unnest" | "pg_partition_ancestors"
            ) {
                return Ok(None);
            }
            let args = args
                .args
                .iter()
                .map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Ok(e.clone()),
                    _ => Err(unsupported(format!("this call of {f}"))),
                })
                .collect::<Result<Vec<_>, _>>()?;
            (f, args, *with_ordinality, alias.take())
        }
        TableFactor::UNNEST {
            alias,
            array_exprs,
            with_ordinality,
            ..
        } => (
            "unnest".to_string(),
            std::mem::take(array_exprs),
            *with_ordinality,
            alias.take(),
        ),
        _ => return Ok(None),
    };
    let source = match function.as_str() {
        "generate_series" => call("pg_series", args),
        "unnest" => call("pg_array_json", args),
        _ => call("pg_array_json", vec![call(&function, args)]),
    };
    let (alias, names) = match alias {
        Some(a) => {
            let names: Vec<String> = a.columns.iter().map(|c| c.name.value.clone()).collect();
            (a.name.value, names)
        }
        None => (function.clone(), vec![]),
    };
    let first = names.first().cloned().unwrap_or_else(|| alias.clone());
    let mut cols = vec![(first, format!("{alias}.value"))];
    if let (true, Some(n)) = (ordinality, names.get(1)) {
        cols.push((n.clone(), format!("({alias}.key + 1)")));
    }
    *t = TableFactor::Table {
        name: ObjectName::from(vec![Ident::new("json_each")]),
        alias: Some(TableAlias {
            name: Ident::new(alias.clone()),
            columns: vec![],
        }),
        args: Some(TableFunctionArgs {
            args: vec![FunctionArg::Unnamed(FunctionArgExpr::Expr(source))],
            settings: None,
        }),
        with_hints: vec![],
        version: None,
        with_ordinality: false,
        partitions: vec![],
        json_path: None,
        sample: None,
        index_hints: vec![],
    };
    Ok(Some((alias, cols)))
}
