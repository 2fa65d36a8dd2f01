//! `f(a, VARIADIC arr)`: the array's elements as the call's last arguments, as PostgreSQL
//! passes them to a variadic function. The parser reads `VARIADIC arr` as
//! `pg_variadic(arr)` (sql/dialect.rs); here, before anything else reads the tree, a
//! written-out array (`ARRAY[…]`, `'{…}'::t[]`, of any dimensions: flattened) is spread
//! into the call, and a NULL array makes the call NULL (`format` gets no arguments, as
//! PostgreSQL's does). Any other array, or a function litewire does not know as
//! variadic, is 0A000; `VARIADIC` anywhere but a call's last argument is 42601.

use std::ops::ControlFlow;

use sqlparser::ast::{
    DataType, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Statement, Value, VisitMut,
    VisitorMut,
};

use super::{string, unsupported};
use crate::engine::jsonb::value::{self as json, Json};
use crate::protocol::{PgError, SqlState};

/// The parser's mark of `VARIADIC x`.
pub const MARKER: &str = "pg_variadic";

/// PostgreSQL's functions with a VARIADIC parameter that litewire has, with the number
/// of arguments before it.
const VARIADIC_FUNCTIONS: &[(&str, usize)] = &[
    ("concat", 0),
    ("concat_ws", 1),
    ("format", 1),
    ("json_build_array", 0),
    ("json_build_object", 0),
    ("jsonb_build_array", 0),
    ("jsonb_build_object", 0),
    ("num_nulls", 0),
    ("num_nonnulls", 0),
    ("json_extract_path", 1),
    ("json_extract_path_text", 1),
    ("jsonb_extract_path", 1),
    ("jsonb_extract_path_text", 1),
];

pub(super) fn spread(stmt: &mut Statement) -> Result<(), PgError> {
    match stmt.visit(&mut Spread) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(e) => Err(e),
    }
}

struct Spread;

fn syntax_error(near: &str) -> PgError {
    PgError::new(
        SqlState::SYNTAX_ERROR,
        format!("syntax error at or near \"{near}\""),
    )
}

fn is_marker(e: &Expr) -> bool {
    matches!(e, Expr::Function(f) if f.name.to_string() == MARKER)
}

fn marked(arg: &FunctionArg) -> Option<&Expr> {
    match arg {
        FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Function(f)))
            if f.name.to_string() == MARKER =>
        {
            match &f.args {
                FunctionArguments::List(l) => match l.args.as_slice() {
                    [FunctionArg::Unnamed(FunctionArgExpr::Expr(e))] => Some(e),
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}

impl VisitorMut for Spread {
    type Break = PgError;

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<PgError> {
        match step(expr) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => ControlFlow::Break(e),
        }
    }
}

fn step(expr: &mut Expr) -> Result<(), PgError> {
    // A mark not taken by its call (below) stands where PostgreSQL's grammar has none.
    if is_marker(expr) {
        return Err(syntax_error("VARIADIC"));
    }
    let Expr::Function(f) = expr else {
        return Ok(());
    };
    let FunctionArguments::List(list) = &mut f.args else {
        return Ok(());
    };
    let Some(at) = list.args.iter().position(|a| marked(a).is_some()) else {
        return Ok(());
    };
    if at + 1 != list.args.len() {
        return Err(syntax_error(","));
    }
    let name = f.name.to_string().to_ascii_lowercase();
    let name = name
        .strip_prefix("pg_catalog.")
        .unwrap_or(&name)
        .to_string();
    let Some(&(_, fixed)) = VARIADIC_FUNCTIONS.iter().find(|(n, _)| *n == name) else {
        return Err(unsupported(format!("VARIADIC in a call of {name}()")));
    };
    // The array holds all the variadic arguments: none may precede it.
    if at != fixed {
        return Err(PgError::new(
            SqlState::UNDEFINED_FUNCTION,
            format!("function {name} with these arguments does not exist"),
        ));
    }
    let array = marked(&list.args[at])
        .cloned()
        .unwrap_or(Expr::value(Value::Null));
    match elements(&array)? {
        // An empty array: what the function gives for no variadic arguments.
        Some(items) if items.is_empty() => match name.as_str() {
            // concat(NULL) is '', concat_ws(sep, NULL) '' (NULL for a NULL sep).
            "concat" | "concat_ws" => {
                list.args[at] =
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::value(Value::Null)))
            }
            "num_nulls" | "num_nonnulls" => {
                *expr = Expr::value(Value::Number("0".into(), false));
            }
            n if n.contains("extract_path") => {
                return Err(unsupported(format!("VARIADIC with an empty path in {n}()")));
            }
            _ => list.args.truncate(at),
        },
        Some(items) => {
            list.args.truncate(at);
            list.args.extend(
                items
                    .into_iter()
                    .map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e))),
            );
        }
        // A NULL array: format() has no arguments to format; the others are NULL.
        None if name == "format" => list.args.truncate(at),
        None => *expr = Expr::value(Value::Null),
    }
    Ok(())
}

/// The elements of a written-out array, flattened; None for a NULL array.
fn elements(e: &Expr) -> Result<Option<Vec<Expr>>, PgError> {
    match e {
        Expr::Nested(inner) => elements(inner),
        Expr::Value(v) if matches!(v.value, Value::Null) => Ok(None),
        Expr::Array(a) => {
            let mut out = Vec::new();
            for item in &a.elem {
                match item {
                    Expr::Array(_) => out.extend(elements(item)?.unwrap_or_default()),
                    other => out.push(other.clone()),
                }
            }
            Ok(Some(out))
        }
        Expr::Cast {
            expr, data_type, ..
        } if matches!(data_type, DataType::Array(_)) => {
            let elem = element_type(data_type);
            match expr.as_ref() {
                Expr::Value(v) if matches!(v.value, Value::Null) => Ok(None),
                Expr::Value(v) => match &v.value {
                    Value::SingleQuotedString(s) | Value::EscapedStringLiteral(s) => {
                        literal(s, &elem).map(Some)
                    }
                    _ => Err(not_written_out()),
                },
                // ARRAY[…]::t[]: each element cast to t.
                inner @ Expr::Array(_) => Ok(elements(inner)?.map(|items| {
                    items
                        .into_iter()
                        .map(|e| Expr::Cast {
                            kind: sqlparser::ast::CastKind::DoubleColon,
                            expr: Box::new(e),
                            data_type: elem_data_type(data_type),
                            format: None,
                        })
                        .collect()
                })),
                _ => Err(not_written_out()),
            }
        }
        Expr::Value(_) | Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Function(_) => {
            Err(not_written_out())
        }
        _ => Err(not_written_out()),
    }
}

fn not_written_out() -> PgError {
    unsupported("VARIADIC with an array other than ARRAY[…], '{…}'::type[] or NULL")
}

pub(super) fn elem_data_type(t: &DataType) -> DataType {
    match t {
        DataType::Array(sqlparser::ast::ArrayElemTypeDef::SquareBracket(inner, _))
        | DataType::Array(sqlparser::ast::ArrayElemTypeDef::AngleBracket(inner))
        | DataType::Array(sqlparser::ast::ArrayElemTypeDef::Parenthesis(inner)) => {
            elem_data_type(inner)
        }
        other => other.clone(),
    }
}

/// The element type's name (`int4` of `int[][]`).
fn element_type(t: &DataType) -> String {
    crate::sql::types::type_name(&elem_data_type(t))
}

/// `'{…}'` read as an array of `elem` (PostgreSQL's array input), its elements as
/// literals of their kind: numbers, strings, booleans, NULL.
fn literal(s: &str, elem: &str) -> Result<Vec<Expr>, PgError> {
    let oid = crate::engine::catalog::to_regtype(elem).unwrap_or(crate::engine::types::oid::TEXT);
    let parsed = crate::engine::array::value_of(s, oid)?;
    let mut out = Vec::new();
    flatten(&parsed, &mut out);
    Ok(out)
}

fn flatten(v: &Json, out: &mut Vec<Expr>) {
    match v {
        Json::Array(items) => items.iter().for_each(|i| flatten(i, out)),
        Json::Null => out.push(Expr::value(Value::Null)),
        Json::Bool(b) => out.push(Expr::value(Value::Boolean(*b))),
        Json::Num(n) => out.push(Expr::value(Value::Number(n.clone(), false))),
        Json::Str(s) => out.push(string(s)),
        Json::Object(_) => out.push(string(&json::print(v))),
    }
}
