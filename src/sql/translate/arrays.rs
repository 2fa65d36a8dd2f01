//! PostgreSQL arrays for SQLite, which has none. Arrays here are JSON text (their stored
//! form, see `engine/array.rs`; `pg_array_json` also reads PostgreSQL's array text), read
//! with `json_each`: `= ANY (...)` / `<> ALL (...)`, `ARRAY[...]`, `ARRAY(SELECT ...)`,
//! `array_agg`, subscripts `a[i]`, the array functions (as `pg_…` calls,
//! engine/pgfuncs/arrays.rs) and array operators where the tree shows an array operand.
//! Set-returning functions are srf.rs's.

use sqlparser::ast::{
    AccessExpr, Array, BinaryOperator, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArguments, Ident, ObjectName, Query, Statement, Subscript, Value,
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

/// `ARRAY[a, b]` → `json_array(a, b)` (elements already rewritten). An array of
/// int2vector or oidvector values has them as their text (`vector_elements`): a vector
/// is held as a JSON array, which would make it a dimension.
pub(super) fn literal(a: Array) -> Expr {
    // Elements typed as arrays (translate/operators.rs): PostgreSQL's checks that they
    // are of one shape (`pg_array_of_arrays`).
    let typed = a.elem.iter().any(|e| {
        matches!(e, Expr::Function(f)
            if matches!(f.name.to_string().as_str(), "pg_array_nestable" | "pg_array_value"))
    });
    let array = call("json_array", a.elem.into_iter().map(element).collect());
    if typed {
        call("pg_array_of_arrays", vec![array])
    } else {
        array
    }
}

/// `ARRAY[a, b]::t[]`: each element cast to t, as PostgreSQL casts an array element by
/// element (the untyped literals of `ARRAY['today']::timestamptz[]` are read as
/// timestamptz, not kept as text); nested `ARRAY[…]`s alike.
pub(super) fn cast_elements(operand: &mut Expr, data_type: &sqlparser::ast::DataType) {
    let Expr::Array(a) = operand else {
        return;
    };
    if !matches!(data_type, sqlparser::ast::DataType::Array(_)) {
        return;
    }
    fn cast_all(a: &mut Array, elem: &sqlparser::ast::DataType) {
        for e in a.elem.iter_mut() {
            if let Expr::Array(inner) = e {
                cast_all(inner, elem);
                continue;
            }
            let taken = std::mem::replace(e, Expr::Value(Value::Null.into()));
            *e = Expr::Cast {
                kind: sqlparser::ast::CastKind::DoubleColon,
                expr: Box::new(taken),
                data_type: elem.clone(),
                format: None,
            };
        }
    }
    cast_all(a, &super::variadic::elem_data_type(data_type));
}

/// `ARRAY[…]` or `ARRAY(SELECT …)` of int2vector or oidvector values: each one as its
/// text (`pg_vector_text`, `'1 2'`), the element an array of vectors holds (see
/// [`literal`]); called before the elements are rewritten.
pub(super) fn vector_elements(e: &mut Expr) {
    let as_text = |x: &mut Expr| {
        if is_vector(x) {
            let taken = std::mem::replace(x, Expr::Value(Value::Null.into()));
            *x = call("pg_vector_text", vec![taken]);
        }
    };
    match e {
        Expr::Array(a) => a.elem.iter_mut().for_each(as_text),
        // `ARRAY(SELECT x::int2vector …)`
        Expr::Function(f) if f.name.to_string().eq_ignore_ascii_case("array") => {
            let FunctionArguments::Subquery(q) = &mut f.args else {
                return;
            };
            let sqlparser::ast::SetExpr::Select(s) = q.body.as_mut() else {
                return;
            };
            if let Some(
                sqlparser::ast::SelectItem::UnnamedExpr(x)
                | sqlparser::ast::SelectItem::ExprWithAlias { expr: x, .. },
            ) = s.projection.first_mut()
            {
                as_text(x);
            }
        }
        _ => {}
    }
}

/// Whether `e` is certainly an int2vector or oidvector (a cast to one, a catalog column).
pub(super) fn is_vector(e: &Expr) -> bool {
    match e {
        Expr::Cast { data_type, .. } => matches!(
            super::casts::type_name(data_type).as_str(),
            "int2vector" | "oidvector"
        ),
        Expr::Nested(inner) => is_vector(inner),
        other => is_catalog_vector(other),
    }
}

/// `ARRAY[…]::int2vector`: PostgreSQL's check that the array is a valid vector (one
/// dimension, no NULLs), 42804 otherwise.
pub(super) fn vector_of_array(operand: &Expr, t: &sqlparser::ast::DataType) -> Result<(), PgError> {
    let name = super::casts::type_name(t);
    if !matches!(name.as_str(), "int2vector" | "oidvector") {
        return Ok(());
    }
    let Expr::Array(a) = operand else {
        return Ok(());
    };
    let invalid = a.elem.is_empty()
        || a.elem.iter().any(|e| {
            matches!(e, Expr::Array(_)) || matches!(e, Expr::Value(v) if v.value == Value::Null)
        });
    if invalid {
        return Err(PgError::new(
            crate::protocol::SqlState::DATATYPE_MISMATCH,
            format!("array is not a valid {name}"),
        ));
    }
    Ok(())
}

/// An element for SQLite's JSON arrays: a value that may be a bytea goes through
/// `pg_array_elem`, which writes it as its hex text (SQLite reads a blob as JSONB:
/// `ARRAY['\x01'::bytea]` was `{true}`); literals and nested arrays as they are.
fn element(e: Expr) -> Expr {
    let nested = matches!(&e, Expr::Function(f)
        if matches!(f.name.to_string().as_str(), "json_array" | "json" | "pg_array_nestable"));
    if matches!(e, Expr::Value(_)) || nested {
        e
    } else if is_array_cast(&e) {
        // `'{1,2}'::int[]`: an array, so one more dimension (not a string).
        call("pg_array_nestable", vec![e])
    } else {
        call("pg_array_elem", vec![e])
    }
}

/// Whether `e` is `pg_cast(x, 't[]')`: certainly an array.
fn is_array_cast(e: &Expr) -> bool {
    let Expr::Function(f) = e else {
        return false;
    };
    f.name.to_string() == "pg_cast"
        && plain_args(f).is_some_and(|a| {
            matches!(a.as_slice(), [_, Expr::Value(v)]
                if matches!(&v.value, Value::SingleQuotedString(t) if t.ends_with("[]")))
        })
}

/// `t.a[1]` parses as `t` then `.a` then `[1]`: the qualified column is the root.
pub(super) fn qualified_root(root: Expr, chain: Vec<AccessExpr>) -> (Expr, Vec<AccessExpr>) {
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
    (e, chain.collect())
}

/// `a[i][j]` (1-based, as PostgreSQL arrays) → `pg_array_get(a, 1, i, j)` (engine/slice.rs).
pub(super) fn subscript(root: Expr, chain: Vec<AccessExpr>) -> Result<Expr, PgError> {
    let (e, chain) = qualified_root(root, chain);
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
    if chain
        .iter()
        .any(|a| matches!(a, AccessExpr::Subscript(Subscript::Slice { .. })))
    {
        return slice(e, chain);
    }
    let first = if is_catalog_vector(&e) { 0 } else { 1 };
    let first = Expr::Value(Value::Number(first.to_string(), false).into());
    let mut args = vec![e, first];
    for access in chain {
        match access {
            AccessExpr::Subscript(Subscript::Index { index }) => args.push(index),
            AccessExpr::Subscript(Subscript::Slice { .. }) => {
                return Err(unsupported("an array slice"))
            }
            AccessExpr::Dot(_) => return Err(unsupported("a composite field selection")),
        }
    }
    Ok(call("pg_array_get", args))
}

/// `a[1:2][3]` → `pg_array_slice(a, 'si', 1, 2, 3)` (engine/slice.rs reads the shape).
fn slice(e: Expr, chain: Vec<AccessExpr>) -> Result<Expr, PgError> {
    if is_catalog_vector(&e) {
        return Err(unsupported("a slice of an int2vector or oidvector"));
    }
    let (shape, bounds) = slice_subscripts(chain)?;
    let mut args = vec![e, string(&shape)];
    args.extend(bounds);
    Ok(call("pg_array_slice", args))
}

/// The shape (one letter a subscript: `i` an index, `s` both bounds, `l` the lower only,
/// `u` the upper only, `n` neither) and the bounds given, in order.
pub(super) fn slice_subscripts(chain: Vec<AccessExpr>) -> Result<(String, Vec<Expr>), PgError> {
    let mut shape = String::new();
    let mut bounds = Vec::new();
    for access in chain {
        match access {
            AccessExpr::Subscript(Subscript::Index { index }) => {
                shape.push('i');
                bounds.push(index);
            }
            AccessExpr::Subscript(Subscript::Slice {
                lower_bound,
                upper_bound,
                stride: None,
            }) => {
                shape.push(match (&lower_bound, &upper_bound) {
                    (Some(_), Some(_)) => 's',
                    (Some(_), None) => 'l',
                    (None, Some(_)) => 'u',
                    (None, None) => 'n',
                });
                bounds.extend(lower_bound);
                bounds.extend(upper_bound);
            }
            AccessExpr::Subscript(Subscript::Slice { .. }) => {
                return Err(unsupported("an array slice with a stride"))
            }
            AccessExpr::Dot(_) => return Err(unsupported("a composite field selection")),
        }
    }
    Ok((shape, bounds))
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
    "trim_array",
];

/// `ARRAY(SELECT x …)` where x is an array (operators.rs renames the call): the arrays
/// nested, one more dimension.
pub(super) const ARRAY_OF_ARRAYS: &str = "pg_array_of_arrays";

/// Array functions; `ARRAY(SELECT ...)` as a JSON array; `array_agg`. None when `name`
/// is not one of them.
pub(super) fn function(name: &str, f: &mut Function) -> Result<Option<Expr>, PgError> {
    if name == ARRAY_OF_ARRAYS {
        if let FunctionArguments::Subquery(q) = &f.args {
            return Ok(Some(raw(format!(
                "(WITH _array(v) AS ({q}) SELECT pg_array_nested(json_group_array(json(v)), 1) FROM _array)"
            ))));
        }
    }
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
        // `pg_array_nestable(x)`: certainly arrays; `pg_array_value(x, …)`: a column
        // that may be one.
        let nested = plain_args(f).and_then(|a| match a.as_slice() {
            [Expr::Function(g)] => match g.name.to_string().as_str() {
                "pg_array_nestable" => Some("1"),
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
    if super::srf::SET_RETURNING.contains(&name) {
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
                    | "pg_trim_array"
                    | "pg_array_of_arrays"
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

/// A string literal or NULL: beside an array, an array of its type.
pub(super) fn is_untyped_constant(e: &Expr) -> bool {
    is_string_literal(e) || is_null(e)
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
    let arrayish = |e: &Expr, known: bool| known || is_untyped_constant(e);
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
