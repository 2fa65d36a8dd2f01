//! PostgreSQL arrays for SQLite, which has none. Arrays here are JSON text (their stored
//! form, see `engine/array.rs`; `pg_array_json` also reads PostgreSQL's array text), read
//! with `json_each`: `= ANY (...)` / `<> ALL (...)`, `ARRAY[...]`, `ARRAY(SELECT ...)`,
//! `array_agg`, subscripts `a[i]`, the array functions (as `pg_…` calls,
//! engine/pgfuncs/arrays.rs), array operators where the tree shows an array operand, and
//! set-returning functions (`generate_series`, `unnest`, `regexp_matches`,
//! `generate_subscripts`) in FROM, with `WITH ORDINALITY` and column aliases, or alone in
//! a select list (moved into FROM), as the engine's table-valued functions (engine/srf.rs).

use std::ops::ControlFlow;

use sqlparser::ast::{
    AccessExpr, Array, BinaryOperator, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArguments, GroupByExpr, Ident, ObjectName, Query, SelectItem, SetExpr, Statement,
    Subscript, TableAlias, TableFactor, TableFunctionArgs, TableWithJoins, Value, VisitMut,
    VisitorMut,
};

use super::{call, plain_args, raw, string, unsupported};
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
            // A NULL array gives NULL, not false.
            other => expression(&format!(
                "(CASE WHEN ({other}) IS NULL THEN NULL ELSE ({left}) {}IN ({}) END)",
                if negated { "NOT " } else { "" },
                values_of(&other)?
            ))?,
        });
    }
    let (source, null_array) = match right {
        Expr::Subquery(q) => (format!("({q})"), None),
        a @ Expr::Array(_) => (elements(&a), None),
        other => (elements(&other), Some(other)),
    };
    // max/min of the comparisons, NULL when none decides but some are NULL; an empty
    // array gives false for ANY and true for ALL.
    let (decides, verdict, otherwise) = if all {
        ("min(c) = 0", "0", "1")
    } else {
        ("max(c)", "1", "0")
    };
    // Printed before translation and read back, so the walk translates the parts.
    let test = format!(
        "(SELECT CASE WHEN {decides} THEN {verdict} WHEN count(*) > count(c) THEN NULL \
         ELSE {otherwise} END FROM (SELECT ({left}) {op} value AS c FROM {source}))"
    );
    expression(&match null_array {
        Some(a) => format!("(CASE WHEN ({a}) IS NULL THEN NULL ELSE {test} END)"),
        None => test,
    })
}

/// The array of `x [NOT] [I]LIKE ALL (array)`, which sqlparser reads as a call of a
/// function `all`.
fn like_all_array(pattern: &Expr) -> Option<&Expr> {
    let Expr::Function(f) = pattern else {
        return None;
    };
    if !f.name.to_string().eq_ignore_ascii_case("all") {
        return None;
    }
    match plain_args(f)?.as_slice() {
        [array] if !matches!(array, Expr::Subquery(_)) => Some(array),
        _ => None,
    }
}

/// Whether `e` is `x [NOT] [I]LIKE ALL (array)`.
pub(super) fn is_like_all(e: &Expr) -> bool {
    match e {
        Expr::Like {
            any: false,
            pattern,
            ..
        }
        | Expr::ILike {
            any: false,
            pattern,
            ..
        } => like_all_array(pattern).is_some(),
        _ => false,
    }
}

/// `x [NOT] [I]LIKE ANY (array)`: true when some pattern matches (NULL when none does
/// but some comparison is NULL), as PostgreSQL's ANY; `… ALL (array)`: true when every
/// pattern matches (NULL when none fails but some comparison is NULL). Called before the
/// operands are rewritten, like [`any_all`]; `LIKE ANY (SELECT …)` is left as it is.
pub(super) fn like_any(e: Expr) -> Result<Expr, PgError> {
    let all = is_like_all(&e);
    let (negated, like, expr, pattern, escape) = match e {
        Expr::Like {
            negated,
            expr,
            pattern,
            escape_char,
            ..
        } => (negated, "LIKE", expr, pattern, escape_char),
        Expr::ILike {
            negated,
            expr,
            pattern,
            escape_char,
            ..
        } => (negated, "ILIKE", expr, pattern, escape_char),
        other => return Ok(other),
    };
    let array = match (all, *pattern) {
        (true, p) => like_all_array(&p).cloned().unwrap_or(p),
        (false, Expr::Nested(inner)) if !matches!(*inner, Expr::Subquery(_)) => *inner,
        _ => return Err(unsupported(format!("{like} ANY over a subquery"))),
    };
    let not = if negated { "NOT " } else { "" };
    let escape = escape.map(|e| format!(" ESCAPE {e}")).unwrap_or_default();
    let verdict = if all {
        "CASE WHEN min(c) = 0 THEN 0 WHEN count(*) > count(c) THEN NULL ELSE 1 END"
    } else {
        "CASE WHEN max(c) THEN 1 WHEN count(*) > count(c) THEN NULL ELSE 0 END"
    };
    expression(&format!(
        "(SELECT {verdict} \
         FROM (SELECT {not}({expr}) {like} value{escape} AS c FROM {}))",
        elements(&array)
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
    call("json_array", a.elem.into_iter().map(element).collect())
}

/// An element for SQLite's JSON arrays: a value that may be a bytea goes through
/// `pg_array_elem`, which writes it as its hex text (SQLite reads a blob as JSONB:
/// `ARRAY['\x01'::bytea]` was `{true}`); literals and nested arrays as they are.
fn element(e: Expr) -> Expr {
    let nested = matches!(&e, Expr::Function(f)
        if matches!(f.name.to_string().as_str(), "json_array" | "json"));
    if matches!(e, Expr::Value(_)) || nested {
        e
    } else {
        call("pg_array_elem", vec![e])
    }
}

/// `a[i]` (1-based, as PostgreSQL arrays) → the element of the JSON array.
pub(super) fn subscript(root: Expr, chain: Vec<AccessExpr>) -> Result<Expr, PgError> {
    // `t.a[1]` parses as `t` then `.a` then `[1]`: the qualified column is the root.
    let mut e = root;
    let mut chain = chain.into_iter().peekable();
    while let Some(AccessExpr::Dot(Expr::Identifier(field))) = chain.peek() {
        e = match e {
            Expr::Identifier(t) => Expr::CompoundIdentifier(vec![t, field.clone()]),
            Expr::CompoundIdentifier(mut parts) => {
                parts.push(field.clone());
                Expr::CompoundIdentifier(parts)
            }
            _ => break,
        };
        chain.next();
    }
    let chain: Vec<AccessExpr> = chain.collect();
    let depth = chain
        .iter()
        .filter(|a| matches!(a, AccessExpr::Subscript(_)))
        .count();
    if depth > 6 {
        return Err(PgError::new(
            crate::protocol::SqlState::PROGRAM_LIMIT_EXCEEDED,
            format!("number of array dimensions ({depth}) exceeds the maximum allowed (6)"),
        ));
    }
    let first = if is_catalog_vector(&e) { 0 } else { 1 };
    for access in chain {
        e = match access {
            AccessExpr::Subscript(Subscript::Index { index }) => raw(format!(
                "json_extract(pg_array_json({e}), '$[' || (({index}) - {first}) || ']')"
            )),
            AccessExpr::Subscript(Subscript::Slice { .. }) => {
                return Err(unsupported("an array slice"))
            }
            AccessExpr::Dot(_) => return Err(unsupported("a composite field selection")),
        };
    }
    Ok(e)
}

/// The catalog's int2vector / oidvector columns (`pg_index.indkey`, ...), whose subscripts
/// start at 0 in PostgreSQL. Their values are JSON arrays like any other (lower bound 1);
/// the translator has no types, so it knows them by name: a user column so named is
/// subscripted from 0 too (COMPAT.md).
pub(super) fn is_catalog_vector(e: &Expr) -> bool {
    let name = match e {
        Expr::Identifier(i) => i,
        Expr::CompoundIdentifier(parts) => match parts.last() {
            Some(i) => i,
            None => return false,
        },
        Expr::Nested(inner) => return is_catalog_vector(inner),
        _ => return false,
    };
    matches!(
        name.value.to_ascii_lowercase().as_str(),
        "indkey" | "indcollation" | "indclass" | "indoption"
    )
}

/// A cast of a catalog vector (`indkey::text`): to a string type its text as PostgreSQL
/// prints it (`1 2`, not the JSON held); to an array refused, as arrays here cannot
/// keep its lower bound 0 (PostgreSQL: `[0:1]={1,2}`). Other casts are handed back.
pub(super) fn vector_cast(
    operand: Expr,
    t: &sqlparser::ast::DataType,
) -> Result<Result<Expr, Expr>, PgError> {
    if !is_catalog_vector(&operand) {
        return Ok(Err(operand));
    }
    let name = super::casts::type_name(t);
    let base = name.split('(').next().unwrap_or("").trim();
    if name.ends_with(']') {
        return Err(unsupported(format!(
            "a cast of an int2vector or oidvector to {name}"
        )));
    }
    Ok(match base {
        "text" | "varchar" | "character varying" | "name" | "bpchar" | "char" | "character" => {
            Ok(call("pg_vector_text", vec![operand]))
        }
        "int2vector" | "oidvector" => Ok(operand),
        _ => Err(operand),
    })
}

/// PostgreSQL's array functions, as the `pg_…` SQL functions of engine/pgfuncs/arrays.rs.
const FUNCTIONS: &[&str] = &[
    "array_cat",
    "array_append",
    "array_prepend",
    "array_position",
    "array_positions",
    "array_remove",
    "array_replace",
    "array_ndims",
    "array_dims",
    "array_lower",
    "array_upper",
    "array_length",
    "cardinality",
    "array_to_string",
    "string_to_array",
    "regexp_split_to_array",
    "array_fill",
];

/// Array functions; `ARRAY(SELECT ...)` as a JSON array; `array_agg`. None when `name`
/// is not one of them.
pub(super) fn function(name: &str, f: &mut Function) -> Result<Option<Expr>, PgError> {
    if name == "array" {
        if let FunctionArguments::Subquery(q) = &f.args {
            return Ok(Some(raw(format!(
                "(WITH _array(v) AS ({q}) SELECT json_group_array(v) FROM _array)"
            ))));
        }
        return Ok(None);
    }
    if name == "array_agg" {
        // json_group_array keeps ORDER BY, FILTER and OVER; over no rows PostgreSQL's
        // array_agg is NULL, and `[]` is no other input's result (one row gives one
        // element, NULL or not).
        let mut agg = f.clone();
        agg.name = ObjectName::from(vec![Ident::new("json_group_array")]);
        if let FunctionArguments::List(list) = &mut agg.args {
            if let [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] = list.args.as_mut_slice() {
                if !matches!(arg, Expr::Function(g) if g.name.to_string() == "pg_array_value") {
                    let taken = std::mem::replace(arg, Expr::Value(Value::Null.into()));
                    *arg = element(taken);
                }
            }
        }
        // Of arrays (operators.rs made the argument JSON): one more dimension, with
        // PostgreSQL's refusals of ragged, empty and NULL arrays.
        // `json(x)`: certainly arrays; `pg_array_value(x, …)`: a column that may be one.
        let nested = plain_args(f).and_then(|a| match a.as_slice() {
            [Expr::Function(g)] => match g.name.to_string().as_str() {
                "json" => Some("1"),
                "pg_array_value" => Some("0"),
                _ => None,
            },
            _ => None,
        });
        let agg = match nested.filter(|_| f.over.is_none()) {
            Some(certain) => call(
                "pg_array_nested",
                vec![
                    Expr::Function(agg),
                    Expr::Value(Value::Number(certain.into(), false).into()),
                ],
            ),
            None => Expr::Function(agg),
        };
        return Ok(Some(call("nullif", vec![agg, super::string("[]")])));
    }
    if SET_RETURNING.contains(&name) {
        return Err(unsupported(format!(
            "{name}() inside an expression (in FROM or alone in the select list it is supported)"
        )));
    }
    if !FUNCTIONS.contains(&name) {
        return Ok(None);
    }
    f.name = ObjectName::from(vec![Ident::new(format!("pg_{name}"))]);
    // A catalog vector's bounds count from 0.
    if matches!(name, "array_lower" | "array_upper")
        && plain_args(f).is_some_and(|a| a.first().is_some_and(|e| is_catalog_vector(e)))
    {
        return Ok(Some(raw(format!("({} - 1)", Expr::Function(f.clone())))));
    }
    Ok(Some(Expr::Function(f.clone())))
}

/// Whether the (rewritten) expression certainly is an array: `ARRAY[…]`, `ARRAY(SELECT
/// …)`, a `::type[]` cast, or an array function's result.
pub(super) fn is_array(e: &Expr) -> bool {
    match e {
        Expr::Nested(inner) => is_array(inner),
        Expr::Identifier(i) => i.value.starts_with("(WITH _array(v) AS"),
        Expr::Function(f) => {
            let name = f.name.to_string().to_ascii_lowercase();
            matches!(
                name.as_str(),
                "json_array"
                    | "pg_array_json"
                    | "pg_array_cat"
                    | "pg_array_append"
                    | "pg_array_prepend"
                    | "pg_array_positions"
                    | "pg_array_remove"
                    | "pg_array_replace"
                    | "pg_string_to_array"
                    | "pg_regexp_split_to_array"
                    | "pg_enum_range"
                    | "pg_array_fill"
            ) || (name == "nullif"
                // array_agg(x), as `function` writes it
                && plain_args(f).is_some_and(|a| {
                    matches!(a.first(), Some(Expr::Function(g))
                        if matches!(g.name.to_string().as_str(), "json_group_array" | "pg_array_nested"))
                }))
                || (name == "pg_cast"
                    && plain_args(f).is_some_and(|a| {
                        matches!(a.get(1), Some(Expr::Value(v))
                        if matches!(&v.value, Value::SingleQuotedString(t) if t.ends_with("[]")))
                    }))
        }
        _ => false,
    }
}

fn is_string_literal(e: &Expr) -> bool {
    matches!(e, Expr::Value(v) if matches!(v.value, Value::SingleQuotedString(_)))
}

fn is_null(e: &Expr) -> bool {
    matches!(e, Expr::Value(v) if matches!(v.value, Value::Null))
}

/// Array operators where the tree shows an operand is an array (operands rewritten):
/// `@>`, `<@`, `&&`, `||` (array with array, element or untyped literal), comparisons.
/// The operands back when neither is certainly an array or the operator is another.
pub(super) fn operator(
    left: Expr,
    op: BinaryOperator,
    right: Expr,
) -> Result<Expr, Box<(Expr, BinaryOperator, Expr)>> {
    let (l, r) = (is_array(&left), is_array(&right));
    // `&&` is an array operator whatever its operands show (ranges and geometric types,
    // PostgreSQL's other `&&`, do not exist here).
    if !l && !r && op != BinaryOperator::PGOverlap {
        return Err(Box::new((left, op, right)));
    }
    // An untyped literal or NULL beside an array is an array of its type.
    let arrayish = |e: &Expr, known: bool| known || is_string_literal(e) || is_null(e);
    let cmp = |op: BinaryOperator, left: Expr, right: Expr| Expr::BinaryOp {
        left: Box::new(call("pg_array_cmp", vec![left, right])),
        op,
        right: Box::new(Expr::Value(Value::Number("0".into(), false).into())),
    };
    Ok(match op {
        BinaryOperator::AtArrow => call("pg_array_contains", vec![left, right]),
        BinaryOperator::ArrowAt => call("pg_array_contains", vec![right, left]),
        BinaryOperator::PGOverlap => call("pg_array_overlap", vec![left, right]),
        BinaryOperator::StringConcat => {
            if arrayish(&left, l) && arrayish(&right, r) {
                call("pg_array_cat", vec![left, right])
            } else if l {
                call("pg_array_append", vec![left, right])
            } else {
                call("pg_array_prepend", vec![left, right])
            }
        }
        BinaryOperator::Eq
        | BinaryOperator::NotEq
        | BinaryOperator::Lt
        | BinaryOperator::LtEq
        | BinaryOperator::Gt
        | BinaryOperator::GtEq => cmp(op, left, right),
        op => return Err(Box::new((left, op, right))),
    })
}

/// Set-returning functions alone in a select list (`SELECT unnest(a) FROM t`) become a
/// source in FROM (`FROM t, unnest(a) AS _srf1`, rewritten by [`set_returning_sources`])
/// and the item its column, keeping the function's name. PostgreSQL runs several such
/// functions in lockstep and runs them after grouping: both are refused.
pub(super) fn select_list_sources(stmt: &mut Statement) -> Result<(), PgError> {
    struct Lift(usize);
    impl VisitorMut for Lift {
        type Break = PgError;
        fn pre_visit_query(&mut self, q: &mut Query) -> ControlFlow<PgError> {
            match lift(q, &mut self.0) {
                Ok(()) => ControlFlow::Continue(()),
                Err(e) => ControlFlow::Break(e),
            }
        }
    }
    match stmt.visit(&mut Lift(0)) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(e) => Err(e),
    }
}

/// Whether a select list calls an aggregate or window function (a query that is then
/// one row per group, which a source in FROM would multiply before grouping).
fn aggregates(items: &[SelectItem]) -> bool {
    const AGGREGATES: &[&str] = &[
        "count",
        "sum",
        "avg",
        "min",
        "max",
        "array_agg",
        "string_agg",
        "json_agg",
        "jsonb_agg",
        "json_object_agg",
        "jsonb_object_agg",
        "bool_and",
        "bool_or",
        "every",
        "bit_and",
        "bit_or",
        "stddev",
        "variance",
        "group_concat",
        "json_group_array",
    ];
    items.iter().any(|item| {
        sqlparser::ast::visit_expressions(item, |e| match e {
            Expr::Function(f)
                if f.over.is_some() || {
                    let name = f.name.to_string().to_ascii_lowercase();
                    AGGREGATES.contains(&name.as_str())
                        || super::TYPED_AGGREGATES.contains(&name.as_str())
                } =>
            {
                ControlFlow::Break(())
            }
            _ => ControlFlow::Continue(()),
        })
        .is_break()
    })
}

fn lift(q: &mut Query, counter: &mut usize) -> Result<(), PgError> {
    let SetExpr::Select(select) = q.body.as_mut() else {
        return Ok(());
    };
    let srf = |e: &Expr| match e {
        Expr::Function(f) if f.over.is_none() && f.filter.is_none() => {
            let name = f.name.to_string().to_ascii_lowercase();
            let name = name
                .strip_prefix("pg_catalog.")
                .unwrap_or(&name)
                .to_string();
            (SET_RETURNING.contains(&name.as_str())
                || super::json::SELECT_LIST_SOURCES.contains(&name.as_str()))
            .then_some(name)
        }
        _ => None,
    };
    let found: Vec<usize> = select
        .projection
        .iter()
        .enumerate()
        .filter(|(_, item)| match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                srf(e).is_some()
            }
            _ => false,
        })
        .map(|(k, _)| k)
        .collect();
    if found.is_empty() {
        return Ok(());
    }
    let grouped = !matches!(&select.group_by, GroupByExpr::Expressions(g, _) if g.is_empty())
        || select.having.is_some()
        || aggregates(&select.projection);
    if grouped {
        return Err(unsupported(
            "a set-returning function in a grouped select list",
        ));
    }
    *counter += 1;
    let alias = format!("_srf{counter}");
    let [k] = found.as_slice() else {
        return lockstep(select, &found, alias, srf);
    };
    let item = std::mem::replace(
        &mut select.projection[*k],
        SelectItem::Wildcard(Default::default()),
    );
    let (expr, name) = match item {
        SelectItem::UnnamedExpr(e) => {
            let name = srf(&e).unwrap_or_default();
            (e, Ident::new(name))
        }
        SelectItem::ExprWithAlias { expr, alias } => (expr, alias),
        _ => return Ok(()),
    };
    let Expr::Function(f) = expr else {
        return Ok(());
    };
    let FunctionArguments::List(list) = f.args else {
        return Err(unsupported("this set-returning function call"));
    };
    select.projection[*k] = SelectItem::ExprWithAlias {
        expr: Expr::Identifier(Ident::new(alias.clone())),
        alias: name,
    };
    let mut relation = table_function(f.name, list.args, alias.clone());
    if let TableFactor::Table {
        alias: Some(a),
        name,
        ..
    } = &mut relation
    {
        // The source's one column is named by its alias (json_array_elements' would be
        // `value`), as the select item refers to it.
        let f = name.to_string().to_ascii_lowercase();
        if super::json::SELECT_LIST_SOURCES.contains(&f.as_str()) {
            a.columns = vec![sqlparser::ast::TableAliasColumnDef::from_name(alias)];
        }
    }
    select.from.push(TableWithJoins {
        relation,
        joins: vec![],
    });
    Ok(())
}

/// Several set-returning functions in one select list (`unnest(indkey) AS attnum,
/// generate_subscripts(indkey, 1) AS ord`, as SQLAlchemy's inspector writes): PostgreSQL
/// runs them in lockstep, one row per element of the longest. They become one source,
/// `pg_zip(…) AS alias` in FROM (rewritten to pg_rows), each item its own element of the row.
fn lockstep(
    select: &mut sqlparser::ast::Select,
    found: &[usize],
    alias: String,
    srf: impl Fn(&Expr) -> Option<String>,
) -> Result<(), PgError> {
    let mut arrays = Vec::new();
    for (position, &k) in found.iter().enumerate() {
        let (expr, name) = match &select.projection[k] {
            SelectItem::UnnamedExpr(e) => (e.clone(), Ident::new(srf(e).unwrap_or_default())),
            SelectItem::ExprWithAlias { expr, alias } => (expr.clone(), alias.clone()),
            _ => return Ok(()),
        };
        let function = srf(&expr).unwrap_or_default();
        let Expr::Function(f) = expr else {
            return Ok(());
        };
        let args = match f.args {
            FunctionArguments::List(list)
                if !super::json::SELECT_LIST_SOURCES.contains(&function.as_str()) =>
            {
                list.args
                    .into_iter()
                    .map(|a| match a {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Ok(e),
                        _ => Err(unsupported(format!("this call of {function}"))),
                    })
                    .collect::<Result<Vec<_>, _>>()?
            }
            _ => {
                return Err(unsupported(format!(
                    "{function} beside another set-returning function in a select list"
                )))
            }
        };
        arrays.push(json_array_of(&function, args));
        let element = call(
            "json_extract",
            vec![
                Expr::CompoundIdentifier(vec![Ident::new(alias.clone()), Ident::new(VALUE)]),
                string(&format!("$[{position}]")),
            ],
        );
        select.projection[k] = SelectItem::ExprWithAlias {
            expr: element,
            alias: name,
        };
    }
    select.from.push(TableWithJoins {
        // Made `pg_rows(pg_zip(…))` with the other sources (rewrite_source).
        relation: table_function(
            ObjectName::from(vec![Ident::new("pg_zip")]),
            arrays
                .into_iter()
                .map(|a| FunctionArg::Unnamed(FunctionArgExpr::Expr(a)))
                .collect(),
            alias,
        ),
        joins: vec![],
    });
    Ok(())
}

/// Set-returning functions rewritten in FROM: per source, its alias and its columns'
/// names with the SQLite expression each stands for, and whether it sits in a query's
/// FROM (rather than an UPDATE's or DELETE's). While the main walk is inside queries,
/// `visible` holds the rewritten sources' aliases in each one's FROM, innermost last: a
/// query's source columns are not the columns of an enclosing query that selects from it
/// as a derived table (`SELECT key FROM (SELECT * FROM unnest(…) u(key)) d`).
#[derive(Default)]
pub(super) struct Sources {
    all: Vec<(Source, bool)>,
    visible: Vec<Vec<String>>,
}

impl Sources {
    /// The expression for column `column` (of `table`, when qualified), if a rewritten
    /// source in scope provides it.
    pub(super) fn column(&self, table: Option<&str>, column: &str) -> Option<Expr> {
        self.all
            .iter()
            .filter(|((alias, _), in_query)| {
                !in_query || self.visible.iter().flatten().any(|v| v == alias)
            })
            .map(|(source, _)| source)
            .filter(|(alias, _)| table.is_none_or(|t| t.eq_ignore_ascii_case(alias)))
            .flat_map(|(_, cols)| cols)
            .find(|(name, _)| name.eq_ignore_ascii_case(column))
            .map(|(_, with)| raw(with.clone()))
    }

    /// The rewritten source called `alias`.
    fn named(&self, alias: &str) -> Option<&Source> {
        self.all
            .iter()
            .map(|(source, _)| source)
            .find(|(s, _)| s == alias)
    }

    /// The walk enters query `q`: its FROM's rewritten sources come into scope.
    pub(super) fn enter(&mut self, q: &Query) {
        fn aliases(body: &SetExpr, out: &mut Vec<String>) {
            match body {
                SetExpr::Select(select) => {
                    for from in &select.from {
                        let relations = std::iter::once(&from.relation)
                            .chain(from.joins.iter().map(|j| &j.relation));
                        for r in relations {
                            if let TableFactor::Table {
                                alias: Some(a),
                                args: Some(_),
                                ..
                            } = r
                            {
                                out.push(a.name.value.clone());
                            }
                        }
                    }
                }
                SetExpr::SetOperation { left, right, .. } => {
                    aliases(left, out);
                    aliases(right, out);
                }
                _ => {}
            }
        }
        let mut found = Vec::new();
        aliases(&q.body, &mut found);
        self.visible.push(found);
    }

    /// The walk leaves the query it last entered.
    pub(super) fn leave(&mut self) {
        self.visible.pop();
    }
}

/// Rewrites set-returning functions in FROM, `f(...) [WITH ORDINALITY] [AS] a [(c1
/// [, c2])]`, to the engine's table-valued functions (`pg_generate_series(...) AS a`, or
/// `pg_rows(...) AS a` over their elements as a JSON array); their columns (`c1`, or `a`
/// itself without a list; `c2` the ordinality) are `a._lw_value` and `a._lw_ord`, which
/// the main walk puts wherever the statement names them.
pub(super) fn set_returning_sources(stmt: &mut Statement) -> Result<Sources, PgError> {
    /// The sources found, and how many queries the walk is inside.
    struct Collect(Sources, usize);
    impl VisitorMut for Collect {
        type Break = PgError;
        fn pre_visit_query(&mut self, _: &mut Query) -> ControlFlow<PgError> {
            self.1 += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, q: &mut Query) -> ControlFlow<PgError> {
            self.1 -= 1;
            expand_wildcard(q, &self.0);
            ControlFlow::Continue(())
        }
        fn pre_visit_table_factor(&mut self, t: &mut TableFactor) -> ControlFlow<PgError> {
            match rewrite_source(t) {
                Ok(Some(source)) => self.0.all.push((source, self.1 > 0)),
                Ok(None) => {}
                Err(e) => return ControlFlow::Break(e),
            }
            ControlFlow::Continue(())
        }
    }
    let mut c = Collect(Sources::default(), 0);
    match stmt.visit(&mut c) {
        ControlFlow::Continue(()) => Ok(c.0),
        ControlFlow::Break(e) => Err(e),
    }
}

type Source = (String, Vec<(String, String)>);

const TABLE_FUNCTIONS: [&str; 3] = ["pg_rows", "pg_generate_series", "json_each"];

/// `SELECT * FROM unnest(…) AS u(x)`: where every source in FROM is a rewritten one, `*`
/// is their columns (SQLite's would be json_each's); in each SELECT of a set operation too.
fn expand_wildcard(q: &mut Query, sources: &Sources) {
    expand_in(q.body.as_mut(), sources);
}

fn expand_in(body: &mut SetExpr, sources: &Sources) {
    match body {
        SetExpr::Select(select) => expand_select(select, sources),
        SetExpr::SetOperation { left, right, .. } => {
            expand_in(left, sources);
            expand_in(right, sources);
        }
        _ => {}
    }
}

fn expand_select(select: &mut sqlparser::ast::Select, sources: &Sources) {
    if !matches!(select.projection.as_slice(), [SelectItem::Wildcard(_)]) {
        expand_qualified(select, sources);
        return;
    }
    let mut columns = Vec::new();
    for from in std::iter::once(&select.from).flatten() {
        // `a JOIN b USING (k)`: `*` lists k once; `a.*, b.*` would not.
        if from.joins.iter().any(|j| merges_columns(&j.join_operator)) {
            return;
        }
        let relations =
            std::iter::once(&from.relation).chain(from.joins.iter().map(|j| &j.relation));
        for r in relations {
            let (name, alias) = match r {
                TableFactor::Table {
                    name,
                    alias,
                    args: None,
                    ..
                } => (name, alias.as_ref().map(|a| &a.name)),
                TableFactor::Table {
                    name,
                    alias: Some(alias),
                    ..
                } => (name, Some(&alias.name)),
                TableFactor::Derived {
                    alias: Some(alias), ..
                } => {
                    columns.push(qualified_wildcard(ObjectName::from(vec![alias
                        .name
                        .clone()])));
                    continue;
                }
                _ => return,
            };
            let found = alias.and_then(|a| sources.named(&a.value));
            match found {
                Some((_, cols)) if TABLE_FUNCTIONS.contains(&name.to_string().as_str()) => {
                    columns.extend(named_columns(cols))
                }
                // Another table: its own columns.
                _ => columns.push(qualified_wildcard(match alias {
                    Some(a) => ObjectName::from(vec![a.clone()]),
                    None => name.clone(),
                })),
            }
        }
    }
    // Only where a function's hidden columns (json_each's key, type...) would show.
    if !columns
        .iter()
        .any(|c| matches!(c, SelectItem::ExprWithAlias { .. }))
    {
        return;
    }
    if !columns.is_empty() {
        select.projection = columns;
    }
}

/// `u.*` of a rewritten source: its columns (the function's own would show otherwise).
fn expand_qualified(select: &mut sqlparser::ast::Select, sources: &Sources) {
    use sqlparser::ast::SelectItemQualifiedWildcardKind as Kind;
    let of_source = |item: &SelectItem| match item {
        SelectItem::QualifiedWildcard(Kind::ObjectName(n), _) => match n.0.as_slice() {
            [part] => part.as_ident().and_then(|i| sources.named(&i.value)),
            _ => None,
        },
        _ => None,
    };
    if !select.projection.iter().any(|i| of_source(i).is_some()) {
        return;
    }
    let mut projection = Vec::with_capacity(select.projection.len());
    for item in std::mem::take(&mut select.projection) {
        match of_source(&item) {
            Some((_, cols)) => projection.extend(named_columns(cols)),
            None => projection.push(item),
        }
    }
    select.projection = projection;
}

/// A source's columns as select items, each under its name.
fn named_columns(cols: &[(String, String)]) -> impl Iterator<Item = SelectItem> + '_ {
    cols.iter().map(|(c, with)| SelectItem::ExprWithAlias {
        expr: raw(with.clone()),
        alias: Ident::new(c.clone()),
    })
}

fn qualified_wildcard(name: ObjectName) -> SelectItem {
    SelectItem::QualifiedWildcard(
        sqlparser::ast::SelectItemQualifiedWildcardKind::ObjectName(name),
        Default::default(),
    )
}

/// Whether a join merges its equal columns (USING, NATURAL).
fn merges_columns(op: &sqlparser::ast::JoinOperator) -> bool {
    use sqlparser::ast::{JoinConstraint, JoinOperator as J};
    match op {
        J::Join(c)
        | J::Inner(c)
        | J::Left(c)
        | J::LeftOuter(c)
        | J::Right(c)
        | J::RightOuter(c)
        | J::FullOuter(c) => matches!(c, JoinConstraint::Using(_) | JoinConstraint::Natural),
        _ => false,
    }
}

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
            if !SET_RETURNING.contains(&f.as_str())
                && !matches!(f.as_str(), "pg_partition_ancestors" | "pg_zip")
                && sqlite_table_function(&f)
            {
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
    let zipped = function == "unnest" && args.len() > 1;
    let width = args.len();
    // generate_series streams its rows; the others are the elements of a JSON array, a
    // function that is not set-returning its one value (`FROM current_schema()`).
    let scalar = !SET_RETURNING.contains(&function.as_str())
        && !matches!(function.as_str(), "pg_partition_ancestors" | "pg_zip");
    let (table, args) = if function == "generate_series" {
        ("pg_generate_series", args)
    } else if scalar {
        (
            "pg_rows",
            vec![call("json_array", vec![call(&function, args)])],
        )
    } else {
        ("pg_rows", vec![json_array_of(&function, args)])
    };
    let (alias, names) = match alias {
        Some(a) => {
            let names: Vec<String> = a.columns.iter().map(|c| c.name.value.clone()).collect();
            (a.name.value, names)
        }
        None => (function.clone(), vec![]),
    };
    let first = names.first().cloned().unwrap_or_else(|| alias.clone());
    let mut cols = if zipped {
        // `unnest(a, b) AS t(x, y)`: each row a JSON array of one element per argument.
        (0..width)
            .map(|k| {
                let name = names.get(k).cloned().unwrap_or_else(|| "unnest".into());
                (name, format!("json_extract({alias}.{VALUE}, '$[{k}]')"))
            })
            .collect()
    } else if function == "regexp_matches" {
        // Each row is an array: json() marks it as JSON, as json_each's rows were, so that
        // array_agg nests it instead of quoting it.
        vec![(first, format!("json({alias}.{VALUE})"))]
    } else {
        vec![(first, format!("{alias}.{VALUE}"))]
    };
    let ordinal_at = if zipped { width } else { 1 };
    if ordinality {
        let name = names.get(ordinal_at).map_or("ordinality", String::as_str);
        cols.push((name.to_string(), format!("{alias}.{ORDINAL}")));
    }
    *t = table_function(
        ObjectName::from(vec![Ident::new(table)]),
        args.into_iter()
            .map(|a| FunctionArg::Unnamed(FunctionArgExpr::Expr(a)))
            .collect(),
        alias.clone(),
    );
    Ok(Some((alias, cols)))
}

/// Whether `FROM name(…)` is one of SQLite's table-valued functions (or litewire's), to
/// be left as it is; any other function in FROM gives one row of its value, as
/// PostgreSQL runs a scalar function there.
fn sqlite_table_function(name: &str) -> bool {
    // The LATERAL rewrite writes `"json_each"` (translate/queries.rs).
    let name = name.trim_matches('"');
    matches!(
        name,
        "json_each" | "json_tree" | "pg_rows" | "pg_generate_series" | "dbstat"
    ) || name.starts_with("pragma_")
        || name.contains('.')
}

/// The set-returning functions a statement may call, in FROM or alone in a select list.
const SET_RETURNING: [&str; 6] = [
    "generate_series",
    "unnest",
    "regexp_matches",
    "generate_subscripts",
    "string_to_table",
    "regexp_split_to_table",
];

/// The columns of the engine's table-valued functions (engine/srf.rs): a row's value and
/// its 1-based position, named so that they never collide with a table's columns.
const VALUE: &str = "_lw_value";
const ORDINAL: &str = "_lw_ord";

/// `name(args) AS alias` in a FROM clause.
/// A set-returning function's rows as the JSON array the engine's function makes of them.
fn json_array_of(function: &str, args: Vec<Expr>) -> Expr {
    match function {
        "generate_series" => call("pg_series", args),
        // Every element of a multi-dimensional array; several arrays side by side.
        "unnest" => call("pg_unnest", args),
        // The engine's function takes the lower bound after `reverse`.
        "generate_subscripts" if args.first().is_some_and(is_catalog_vector) => {
            let mut args = args;
            if args.len() == 2 {
                args.push(Expr::Value(Value::Boolean(false).into()));
            }
            args.push(Expr::Value(Value::Number("0".into(), false).into()));
            call("pg_generate_subscripts", args)
        }
        "regexp_matches" | "generate_subscripts" => call(&format!("pg_{function}"), args),
        // A string's parts: the array function's elements.
        "string_to_table" | "regexp_split_to_table" => call(
            "pg_array_json",
            vec![call(&function.replace("_table", "_array"), args)],
        ),
        "pg_zip" => call(function, args),
        _ => call("pg_array_json", vec![call(function, args)]),
    }
}

fn table_function(name: ObjectName, args: Vec<FunctionArg>, alias: String) -> TableFactor {
    TableFactor::Table {
        name,
        alias: Some(TableAlias {
            name: Ident::new(alias),
            columns: vec![],
        }),
        args: Some(TableFunctionArgs {
            args,
            settings: None,
        }),
        with_hints: vec![],
        version: None,
        with_ordinality: false,
        partitions: vec![],
        json_path: None,
        sample: None,
        index_hints: vec![],
    }
}
