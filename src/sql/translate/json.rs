//! json and jsonb: PostgreSQL's operators (`->`, `->>`, `#>`, `#>>`, `@>`, `<@`, `?`,
//! `?|`, `?&`, `#-`, and `||`, `-` on jsonb) as calls of engine/jsonb's functions, and
//! the json functions' arguments as they need them.
//!
//! Whether an operand is json or jsonb is known only from the tree: a cast, or a json
//! function's result. An operand of unknown type is read as json (its text as written):
//! jsonb is stored as it prints, so the answer is the same.

use std::ops::ControlFlow;

use sqlparser::ast::{
    AccessExpr, BinaryOperator, DataType, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArguments, Ident, ObjectName, Statement, Subscript, TableAlias, TableFactor,
    TableFunctionArgs, Value, Visit, Visitor,
};

use super::{call, string, unsupported};
use crate::protocol::{PgError, SqlState};

#[derive(Clone, Copy, PartialEq, Debug)]
enum Flavour {
    Json,
    Jsonb,
}

/// Functions (after translation) whose result is jsonb.
const JSONB_RESULTS: &[&str] = &[
    "pg_jsonb",
    "pg_jsonb_object",
    "pg_jsonb_set_lax",
    "to_jsonb",
    "jsonb_build_object",
    "jsonb_build_array",
    "jsonb_agg",
    "jsonb_object_agg",
    "jsonb_set",
    "jsonb_insert",
    "jsonb_strip_nulls",
    "jsonb_extract_path",
    "pg_jsonb_get",
    "pg_jsonb_subscript",
    "pg_jsonb_path",
    "pg_jsonb_concat",
    "pg_jsonb_delete",
    "pg_jsonb_delete_keys",
    "pg_jsonb_delete_path",
];

/// Functions (after translation) whose result is json.
const JSON_RESULTS: &[&str] = &[
    "pg_json",
    "pg_json_object",
    "pg_array_to_json",
    "pg_row_to_json",
    "to_json",
    "json_build_object",
    "json_build_array",
    "json_agg",
    "json_object_agg",
    "json_strip_nulls",
    "json_extract_path",
    "pg_json_get",
    "pg_json_path",
];

/// The functions that turn SQL values into JSON: a boolean argument must reach them as
/// JSON `true`, not SQLite's 1.
const BUILDERS: &[&str] = &[
    "json_build_object",
    "jsonb_build_object",
    "json_build_array",
    "jsonb_build_array",
    "to_json",
    "to_jsonb",
    "json_agg",
    "jsonb_agg",
    "json_object_agg",
    "jsonb_object_agg",
];

fn function_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Function(f) => Some(f.name.to_string().to_ascii_lowercase()),
        _ => None,
    }
}

/// The type of a (translated) operand, when the tree shows it.
fn flavour(e: &Expr) -> Option<Flavour> {
    if let Expr::Nested(inner) = e {
        return flavour(inner);
    }
    let name = function_name(e)?;
    if JSONB_RESULTS.contains(&name.as_str()) {
        Some(Flavour::Jsonb)
    } else if JSON_RESULTS.contains(&name.as_str()) {
        Some(Flavour::Json)
    } else {
        None
    }
}

/// An array value (after translation): `ARRAY[...]` or a cast to an array type.
fn is_array(e: &Expr) -> bool {
    match e {
        Expr::Nested(inner) => is_array(inner),
        Expr::Function(f) => {
            let name = f.name.to_string().to_ascii_lowercase();
            name == "json_array"
                || name == "pg_array_json"
                || (name == "pg_cast"
                    && super::plain_args(f).is_some_and(|a| {
                        matches!(a.get(1), Some(Expr::Value(v))
                            if matches!(&v.value, Value::SingleQuotedString(t) if t.ends_with("[]")))
                    }))
        }
        _ => false,
    }
}

/// The type name of `pg_cast(x, 'type')` (a translated cast).
fn cast_type(e: &Expr) -> Option<String> {
    let Expr::Function(f) = e else {
        return None;
    };
    if !f.name.to_string().eq_ignore_ascii_case("pg_cast") {
        return None;
    }
    match super::plain_args(f)?.get(1) {
        Some(Expr::Value(v)) => match &v.value {
            Value::SingleQuotedString(t) => Some(t.to_ascii_lowercase()),
            _ => None,
        },
        _ => None,
    }
}

fn is_string_literal(e: &Expr) -> bool {
    matches!(e, Expr::Value(v) if matches!(v.value, Value::SingleQuotedString(_)))
}

/// A JSON operator rewritten (`Ok(Ok(expr))`), or the operands handed back
/// (`Ok(Err(..))`) when `op` is not one.
#[allow(clippy::type_complexity)]
pub(super) fn operator(
    left: Expr,
    op: BinaryOperator,
    right: Expr,
) -> Result<Result<Expr, (Expr, BinaryOperator, Expr)>, PgError> {
    let prefix = match flavour(&left) {
        Some(Flavour::Jsonb) => "pg_jsonb",
        _ => "pg_json",
    };
    let f = |name: &str| format!("{prefix}_{name}");
    let arrays = is_array(&left) || is_array(&right);
    let e = match op {
        BinaryOperator::Arrow => call(&f("get"), vec![left, right]),
        BinaryOperator::LongArrow => call(&f("get_text"), vec![left, right]),
        BinaryOperator::HashArrow => call(&f("path"), vec![left, right]),
        BinaryOperator::HashLongArrow => call(&f("path_text"), vec![left, right]),
        // `@>` and `<@` also compare arrays (translate/arrays.rs).
        BinaryOperator::AtArrow if !arrays => call("pg_jsonb_contains", vec![left, right]),
        BinaryOperator::ArrowAt if !arrays => call("pg_jsonb_contains", vec![right, left]),
        BinaryOperator::Question => call("pg_jsonb_exists", vec![left, right]),
        BinaryOperator::QuestionPipe => call("pg_jsonb_exists_any", vec![left, right]),
        BinaryOperator::QuestionAnd => call("pg_jsonb_exists_all", vec![left, right]),
        BinaryOperator::HashMinus => call("pg_jsonb_delete_path", vec![left, right]),
        // Silent, as PostgreSQL's operators are.
        BinaryOperator::AtQuestion => call(
            "pg_jsonb_path_exists",
            vec![
                left,
                right,
                string("{}"),
                Expr::Value(Value::Boolean(true).into()),
            ],
        ),
        BinaryOperator::AtAt => call(
            "pg_jsonb_path_match",
            vec![
                left,
                right,
                string("{}"),
                Expr::Value(Value::Boolean(true).into()),
            ],
        ),
        // `||` and `-` are jsonb's only when an operand is certainly jsonb (and the other
        // jsonb or an untyped literal); otherwise they concatenate text or subtract.
        BinaryOperator::StringConcat
            if (flavour(&left) == Some(Flavour::Jsonb)
                && (flavour(&right) == Some(Flavour::Jsonb) || is_string_literal(&right)))
                || (flavour(&right) == Some(Flavour::Jsonb) && is_string_literal(&left)) =>
        {
            call("pg_jsonb_concat", vec![left, right])
        }
        BinaryOperator::Minus if flavour(&left) == Some(Flavour::Jsonb) => {
            if is_array(&right) {
                call("pg_jsonb_delete_keys", vec![left, right])
            } else {
                call("pg_jsonb_delete", vec![left, right])
            }
        }
        // jsonb's order, not text's, where an operand is certainly jsonb (json itself
        // has no comparison operators in PostgreSQL, so the other operand is jsonb too).
        BinaryOperator::Lt
        | BinaryOperator::LtEq
        | BinaryOperator::Gt
        | BinaryOperator::GtEq
        | BinaryOperator::Eq
        | BinaryOperator::NotEq
            if flavour(&left) == Some(Flavour::Jsonb)
                || flavour(&right) == Some(Flavour::Jsonb) =>
        {
            Expr::BinaryOp {
                left: Box::new(call("pg_jsonb_cmp", vec![left, right])),
                op,
                right: Box::new(Expr::Value(Value::Number("0".into(), false).into())),
            }
        }
        op => return Ok(Err((left, op, right))),
    };
    Ok(Ok(e))
}

/// A whole-row reference to a subquery in FROM, as json's argument (`json_agg(agg) FROM
/// (SELECT a, b …) AS agg`, `to_json(obj)`, `row_to_json(obj)`: Kysely's `jsonArrayFrom`
/// and `jsonObjectFrom`), as the row's object: `pg_row_to_json(false, 'a', agg.a, 'b',
/// agg.b)`, which row_to_json of a record prints. Only where the subquery's column names
/// are known (each item named or a column); before the typed pass, so that each value
/// goes in as its type says (operators.rs).
pub(super) fn whole_rows(stmt: &mut Statement) {
    use sqlparser::ast::{SelectItem, SetExpr, VisitMut, VisitorMut};
    struct Queries;
    impl VisitorMut for Queries {
        type Break = ();
        fn pre_visit_query(&mut self, q: &mut sqlparser::ast::Query) -> ControlFlow<()> {
            let SetExpr::Select(s) = q.body.as_mut() else {
                return ControlFlow::Continue(());
            };
            let mut rows: Vec<(Ident, Vec<String>)> = Vec::new();
            for item in &s.from {
                let relations =
                    std::iter::once(&item.relation).chain(item.joins.iter().map(|j| &j.relation));
                for r in relations {
                    if let TableFactor::Derived {
                        subquery,
                        alias: Some(alias),
                        ..
                    } = r
                    {
                        let names = if alias.columns.is_empty() {
                            super::queries::exact_names(&subquery.body)
                        } else {
                            Some(alias.columns.iter().map(|c| c.name.value.clone()).collect())
                        };
                        if let Some(names) = names {
                            rows.push((alias.name.clone(), names));
                        }
                    }
                }
            }
            if rows.is_empty() {
                return ControlFlow::Continue(());
            }
            let mut items = Items {
                rows: &rows,
                depth: 0,
            };
            for item in &mut s.projection {
                if let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } = item
                {
                    let _ = e.visit(&mut items);
                }
            }
            ControlFlow::Continue(())
        }
    }
    /// The select list's own expressions (not those of subqueries in it).
    struct Items<'r> {
        rows: &'r [(Ident, Vec<String>)],
        depth: usize,
    }
    impl VisitorMut for Items<'_> {
        type Break = ();
        fn pre_visit_query(&mut self, _: &mut sqlparser::ast::Query) -> ControlFlow<()> {
            self.depth += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &mut sqlparser::ast::Query) -> ControlFlow<()> {
            self.depth -= 1;
            ControlFlow::Continue(())
        }
        fn post_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<()> {
            if self.depth > 0 {
                return ControlFlow::Continue(());
            }
            let Expr::Function(f) = e else {
                return ControlFlow::Continue(());
            };
            let name = f.name.to_string().to_ascii_lowercase();
            if !["json_agg", "to_json", "row_to_json"].contains(&name.as_str()) {
                return ControlFlow::Continue(());
            }
            let FunctionArguments::List(list) = &mut f.args else {
                return ControlFlow::Continue(());
            };
            let Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Identifier(x)))) =
                list.args.first_mut().map(|a| &mut *a)
            else {
                return ControlFlow::Continue(());
            };
            let folded = |i: &Ident| match i.quote_style {
                Some(_) => i.value.clone(),
                None => i.value.to_ascii_lowercase(),
            };
            let Some((alias, names)) = self.rows.iter().find(|(a, _)| folded(a) == folded(x))
            else {
                return ControlFlow::Continue(());
            };
            let mut args = vec![Expr::Value(Value::Boolean(false).into())];
            for n in names {
                args.push(string(n));
                args.push(Expr::CompoundIdentifier(vec![
                    alias.clone(),
                    Ident::with_quote('"', n),
                ]));
            }
            let object = call("pg_row_to_json", args);
            if name == "row_to_json" && list.args.len() == 1 {
                *e = object;
            } else if let Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))) =
                list.args.first_mut()
            {
                *arg = object;
            }
            ControlFlow::Continue(())
        }
    }
    let _ = stmt.visit(&mut Queries);
}

/// A boolean literal as JSON `true`/`false` (SQLite's would be 1/0), a decimal literal
/// kept as numeric's text (`1.50`) as the JSON number it is; others as they are.
fn json_boolean(e: Expr) -> Expr {
    match &e {
        Expr::Value(v) => match &v.value {
            Value::Boolean(b) => call("json", vec![string(if *b { "true" } else { "false" })]),
            Value::Number(n, _) => match super::exact_number(n) {
                Some(text) => call("json", vec![string(&text)]),
                None => e,
            },
            _ => e,
        },
        _ => e,
    }
}

/// The operators' functions under PostgreSQL's names (`jsonb_contains(a, b)` is
/// `a @> b`), and the functions SQLite names otherwise, as engine/jsonb's calls.
fn renamed(name: &str, f: &Function) -> Result<Option<Expr>, PgError> {
    let Some(args) = super::plain_args(f) else {
        return Ok(None);
    };
    let mut args: Vec<Expr> = args.into_iter().cloned().collect();
    let two = args.len() == 2;
    let e = match name {
        "jsonb_contains" if two => call("pg_jsonb_contains", args),
        "jsonb_contained" if two => {
            args.reverse();
            call("pg_jsonb_contains", args)
        }
        "jsonb_exists" if two => call("pg_jsonb_exists", args),
        "jsonb_exists_any" if two => call("pg_jsonb_exists_any", args),
        "jsonb_exists_all" if two => call("pg_jsonb_exists_all", args),
        "jsonb_concat" if two => call("pg_jsonb_concat", args),
        "jsonb_delete_path" if two => call("pg_jsonb_delete_path", args),
        "jsonb_delete" if two && is_array(&args[1]) => call("pg_jsonb_delete_keys", args),
        "jsonb_delete" if two => call("pg_jsonb_delete", args),
        // SQLite's json_object has another meaning; PostgreSQL's reads text arrays.
        "json_object" | "jsonb_object" if (1..=2).contains(&args.len()) => {
            call(&format!("pg_{name}"), args)
        }
        "array_to_json" if (1..=2).contains(&args.len()) => {
            // Booleans are stored as 1/0: only a cast shows that an array holds them.
            if cast_type(&args[0]).is_some_and(|t| t == "bool[]" || t == "boolean[]") {
                return Ok(Some(call(
                    "pg_array_to_json",
                    vec![
                        call("pg_bool_array_json", vec![args[0].clone()]),
                        args.get(1)
                            .cloned()
                            .unwrap_or(Expr::Value(Value::Boolean(false).into())),
                    ],
                )));
            }
            call("pg_array_to_json", args)
        }
        "row_to_json" if (1..=2).contains(&args.len()) => {
            let pretty = args
                .get(1)
                .cloned()
                .unwrap_or(Expr::Value(Value::Boolean(false).into()));
            let Expr::Function(row) = &args[0] else {
                return Err(unsupported("row_to_json() of a table's row"));
            };
            let fields = match super::plain_args(row) {
                Some(fields) if row.name.to_string().eq_ignore_ascii_case("row") => fields,
                _ => return Err(unsupported("row_to_json() of a table's row")),
            };
            let mut call_args = vec![pretty];
            for (i, v) in fields.into_iter().enumerate() {
                call_args.push(string(&format!("f{}", i + 1)));
                // Only values whose JSON form the tree shows: a value of another type
                // (a boolean column is 1, an array is its JSON text) would be misread.
                let field = match v {
                    Expr::Value(_) => json_boolean(v.clone()),
                    _ if flavour(v).is_some() => v.clone(),
                    _ if is_array(v) => call("pg_array_to_json", vec![v.clone()]),
                    _ => return Err(unsupported("row_to_json() of this value")),
                };
                call_args.push(field);
            }
            call("pg_row_to_json", call_args)
        }
        _ => return Ok(None),
    };
    Ok(Some(e))
}

/// `jsonb_set_lax(target, path, new [, create_if_missing] [, null_value_treatment])`,
/// arguments by position or name, as the engine's five-argument call.
fn set_lax(f: &Function) -> Result<Expr, PgError> {
    let FunctionArguments::List(list) = &f.args else {
        return Err(unsupported("this call of jsonb_set_lax"));
    };
    const NAMES: [&str; 5] = [
        "jsonb_in",
        "path",
        "replacement",
        "create_if_missing",
        "null_value_treatment",
    ];
    let slots = super::named_args(&list.args, &NAMES).ok_or_else(no_set_lax)?;
    let Ok([Some(target), Some(path), Some(new), create, treatment]) =
        <[Option<Expr>; 5]>::try_from(slots)
    else {
        return Err(no_set_lax());
    };
    Ok(call(
        "pg_jsonb_set_lax",
        vec![
            target,
            path,
            new,
            create.unwrap_or(Expr::Value(Value::Boolean(true).into())),
            treatment.unwrap_or_else(|| string("use_json_null")),
        ],
    ))
}

fn no_set_lax() -> PgError {
    PgError::new(
        SqlState::UNDEFINED_FUNCTION,
        "function jsonb_set_lax with these arguments does not exist",
    )
}

/// The jsonpath functions: `jsonb_path_exists(target, path [, vars [, silent]])`...
/// (the `_tz` forms alike: litewire's paths have no datetime) as
/// `pg_jsonb_path_…(target, path, vars, silent)` (engine/jsonb/path).
fn path_function(name: &str, f: &Function) -> Result<Option<Expr>, PgError> {
    let base = name.strip_suffix("_tz").unwrap_or(name);
    let engine = match base {
        "jsonb_path_exists" => "pg_jsonb_path_exists",
        "jsonb_path_match" => "pg_jsonb_path_match",
        "jsonb_path_query_array" => "pg_jsonb_path_query_array",
        "jsonb_path_query_first" => "pg_jsonb_path_query_first",
        "jsonb_path_query" => "pg_jsonb_path_rows",
        _ => return Ok(None),
    };
    Ok(Some(call(engine, path_args(name, f)?)))
}

/// A jsonpath function's four arguments, by position or name, defaults filled in.
fn path_args(name: &str, f: &Function) -> Result<Vec<Expr>, PgError> {
    let FunctionArguments::List(list) = &f.args else {
        return Err(no_function(name));
    };
    path_arg_list(name, &list.args)
}

fn path_arg_list(name: &str, args: &[FunctionArg]) -> Result<Vec<Expr>, PgError> {
    const NAMES: [&str; 4] = ["target", "path", "vars", "silent"];
    let slots = super::named_args(args, &NAMES).ok_or_else(|| no_function(name))?;
    let Ok([Some(target), Some(path), vars, silent]) = <[Option<Expr>; 4]>::try_from(slots) else {
        return Err(no_function(name));
    };
    Ok(vec![
        target,
        path,
        vars.unwrap_or_else(|| string("{}")),
        silent.unwrap_or(Expr::Value(Value::Boolean(false).into())),
    ])
}

fn no_function(name: &str) -> PgError {
    PgError::new(
        SqlState::UNDEFINED_FUNCTION,
        format!("function {name} with these arguments does not exist"),
    )
}

/// A cast of a json or jsonb value to a number or boolean (`j::int4`): jsonb's own
/// casts (`pg_jsonb_cast`), which read a JSON number or boolean; json has none (42846).
/// The operand is handed back for any other cast.
pub(super) fn cast(operand: Expr, t: &DataType) -> Result<Result<Expr, Expr>, PgError> {
    let name = super::casts::type_name(t);
    let base = name.split('(').next().unwrap_or("").trim();
    let target = match base {
        "int2" | "smallint" => "smallint",
        "int" | "int4" | "integer" => "integer",
        "int8" | "bigint" => "bigint",
        "float4" | "real" => "real",
        "float8" | "float" | "double precision" => "double precision",
        "numeric" | "decimal" => "numeric",
        "bool" | "boolean" => "boolean",
        _ => return Ok(Err(operand)),
    };
    match flavour(&operand) {
        Some(Flavour::Jsonb) => Ok(Ok(call("pg_jsonb_cast", vec![operand, string(target)]))),
        Some(Flavour::Json) => Err(PgError::new(
            SqlState("42846"),
            format!("cannot cast type json to {target}"),
        )),
        None => Ok(Err(operand)),
    }
}

/// A JSON function rewritten; None leaves it as it is.
pub(super) fn function(name: &str, f: &mut Function) -> Result<Option<Expr>, PgError> {
    if name == "jsonb_set_lax" {
        return set_lax(f).map(Some);
    }
    if name.starts_with("jsonb_path_query") && f.over.is_none() {
        // jsonb_path_query outside FROM or a select list's top level: one row per call
        // cannot be honoured.
        if name.trim_end_matches("_tz") == "jsonb_path_query" {
            return Err(unsupported(format!("{name}() here")));
        }
    }
    if let Some(e) = path_function(name, f)? {
        return Ok(Some(e));
    }
    if let Some(e) = renamed(name, f)? {
        return Ok(Some(e));
    }
    match name {
        "json_object" | "jsonb_object" | "row_to_json" => {
            return Err(unsupported(format!("this call of {name}()")))
        }
        "json_populate_recordset"
        | "jsonb_populate_recordset"
        | "json_to_record"
        | "jsonb_to_record"
        | "json_to_recordset"
        | "jsonb_to_recordset" => return Err(unsupported(format!("{name}()"))),
        _ => {}
    }
    if name == "json_build_object" || name == "jsonb_build_object" {
        if let Some(args) = super::plain_args(f) {
            if args
                .iter()
                .step_by(2)
                .any(|k| is_array(k) || flavour(k).is_some())
            {
                return Err(PgError::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    "key value must be scalar, not array, composite, or json",
                ));
            }
        }
    }
    if name == "to_json" || name == "to_jsonb" {
        if let Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))) = match &mut f.args {
            FunctionArguments::List(list) if list.args.len() == 1 => list.args.first_mut(),
            _ => None,
        } {
            // PostgreSQL writes a timestamp in JSON in ISO 8601 (`T` between date and
            // time); a timestamptz also in the session's zone, with a `±HH:MM` offset.
            // (A column's type the engine knows: operators.rs json_mark.)
            if matches!(
                function_name(arg).as_deref(),
                Some("pg_timestamp" | "pg_timestamptz" | "pg_date")
            ) {
                *arg = call("pg_datetime_json", vec![arg.clone()]);
            }
        }
    }
    if BUILDERS.contains(&name) {
        if let FunctionArguments::List(list) = &mut f.args {
            for arg in &mut list.args {
                if let FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) = arg {
                    *e = json_boolean(std::mem::replace(e, Expr::Value(Value::Null.into())));
                }
            }
        }
    }
    // An aggregate's result cannot carry the JSON mark itself (engine/jsonb).
    let mark = match name {
        "json_agg" | "json_object_agg" => "pg_json",
        "jsonb_agg" | "jsonb_object_agg" => "pg_jsonb",
        _ => return Ok(None),
    };
    if f.over.is_some() {
        return Err(unsupported(format!("{name}() as a window function")));
    }
    Ok(Some(call(mark, vec![Expr::Function(f.clone())])))
}

/// `j[k]` on a json or jsonb value: `->` one step at a time. The operands handed back
/// when `root` is not known to be json.
#[allow(clippy::type_complexity)]
pub(super) fn subscript(
    root: Expr,
    chain: Vec<AccessExpr>,
) -> Result<Result<Expr, (Expr, Vec<AccessExpr>)>, PgError> {
    let prefix = match flavour(&root) {
        // A subscript reads an array with a text key as a number, an object with a
        // number as text (`j['1']`, `j[1]`).
        Some(Flavour::Jsonb) => "pg_jsonb_subscript",
        // PostgreSQL 15 has no json subscripts.
        Some(Flavour::Json) => return Err(unsupported("a json subscript")),
        None => return Ok(Err((root, chain))),
    };
    let sliced = chain
        .iter()
        .any(|a| matches!(a, AccessExpr::Subscript(Subscript::Slice { .. })));
    // A column's jsonb branch (operators.rs `subscripted`) fails only if taken.
    if sliced && matches!(&root, Expr::Function(f) if f.name.to_string() == "pg_jsonb") {
        return Ok(Ok(call("pg_jsonb_slice", vec![root])));
    }
    let mut e = root;
    for access in chain {
        e = match access {
            // `j[1.0]`: a numeric subscript is neither an index nor a key.
            AccessExpr::Subscript(Subscript::Index {
                index: Expr::Value(v),
            }) if matches!(&v.value, Value::Number(n, _) if n.contains(['.', 'e', 'E'])) => {
                return Err(PgError::new(
                    SqlState::DATATYPE_MISMATCH,
                    "subscript type numeric is not supported",
                )
                .with_hint("jsonb subscript must be coercible to either integer or text."));
            }
            AccessExpr::Subscript(Subscript::Index { index }) => call(prefix, vec![e, index]),
            _ => return Err(unsupported("a jsonb slice")),
        };
    }
    Ok(Ok(e))
}

/// A rewritten source: its alias, and its columns' names with their SQLite expressions.
type Source = (String, Vec<(String, String)>);

/// The set-returning json functions: PostgreSQL's name, its columns' names.
const SOURCES: &[(&str, &[&str])] = &[
    ("json_each", &["key", "value"]),
    ("jsonb_each", &["key", "value"]),
    ("json_each_text", &["key", "value"]),
    ("jsonb_each_text", &["key", "value"]),
    ("json_array_elements", &["value"]),
    ("jsonb_array_elements", &["value"]),
    ("json_array_elements_text", &["value"]),
    ("jsonb_array_elements_text", &["value"]),
    ("json_object_keys", &[]),
    ("jsonb_object_keys", &[]),
    ("jsonb_path_query", &[]),
    ("jsonb_path_query_tz", &[]),
];

/// The set-returning json functions a select list may call (`_each` gives the pair as
/// a record's text).
pub(super) const SELECT_LIST_SOURCES: &[&str] = &[
    "json_each",
    "jsonb_each",
    "json_each_text",
    "jsonb_each_text",
    "json_array_elements",
    "jsonb_array_elements",
    "json_array_elements_text",
    "jsonb_array_elements_text",
    "json_object_keys",
    "jsonb_object_keys",
    "jsonb_path_query",
    "jsonb_path_query_tz",
];

/// A set-returning json function in FROM (`jsonb_each(x) AS e(k, v)`) as SQLite's
/// json_each over the rows engine/jsonb lists (`pg_jsonb_each(x, 'jsonb_each')`). With
/// arguments that name no column it becomes a subquery with exactly PostgreSQL's
/// columns; otherwise (`FROM t, jsonb_each(t.j)`) json_each itself, its columns given
/// as expressions (the alias and its columns' SQLite expressions, as arrays.rs does).
pub(super) fn source(t: &mut TableFactor) -> Result<Option<Source>, PgError> {
    let TableFactor::Table {
        name,
        args: Some(args),
        alias: alias_slot,
        with_ordinality,
        ..
    } = t
    else {
        return Ok(None);
    };
    let f = name.to_string().to_ascii_lowercase();
    let f = f.strip_prefix("pg_catalog.").unwrap_or(&f).to_string();
    if RECORD_FUNCTIONS.contains(&f.as_str()) {
        return record_source(t, &f);
    }
    let Some((_, columns)) = SOURCES.iter().find(|(n, _)| *n == f) else {
        return Ok(None);
    };
    let rows = if f.starts_with("jsonb_path_query") {
        let path_args = path_arg_list(&f, &args.args)?;
        if path_args
            .iter()
            .any(|a| function_name(a).is_some_and(|n| n.starts_with("pg_json")))
        {
            // Already rewritten.
            return Ok(None);
        }
        call("pg_jsonb_path_rows", path_args)
    } else {
        let [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] = args.args.as_slice() else {
            return Err(unsupported(format!("this call of {f}")));
        };
        // Already rewritten (the subquery below is walked too).
        if function_name(arg).is_some_and(|n| n.starts_with("pg_json")) {
            return Ok(None);
        }
        let flavour = if f.starts_with("jsonb") {
            "pg_jsonb_each"
        } else {
            "pg_json_each"
        };
        call(flavour, vec![arg.clone(), string(&f)])
    };
    if *with_ordinality {
        return Err(unsupported(format!("{f} WITH ORDINALITY")));
    }
    let arg = &rows;
    let alias = alias_slot.take();
    let alias_name = alias.as_ref().map_or(f.clone(), |a| a.name.value.clone());
    let given: Vec<String> = alias
        .as_ref()
        .map(|a| a.columns.iter().map(|c| c.name.value.clone()).collect())
        .unwrap_or_default();
    let defaults: Vec<String> = if columns.is_empty() {
        vec![alias_name.clone()]
    } else {
        columns.iter().map(|c| c.to_string()).collect()
    };
    // `SELECT jsonb_each(j)` (lifted from the select list as `_srfN`): one column, the
    // pair as a record's text `(key,value)`.
    let record = defaults.len() == 2 && alias_name.starts_with("_srf") && given.len() == 1;
    let names: Vec<String> = if record {
        given.clone()
    } else {
        (0..defaults.len())
            .map(|i| given.get(i).cloned().unwrap_or_else(|| defaults[i].clone()))
            .collect()
    };
    let element = |row: &str, i: usize| {
        if record {
            format!(
                "pg_record_text(json_extract({row}.value, '$[0]'), json_extract({row}.value, '$[1]'))"
            )
        } else if names.len() == 2 {
            format!("json_extract({row}.value, '$[{i}]')")
        } else {
            format!("{row}.value")
        }
    };
    if !names_a_column(arg) {
        let select: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{} AS {}", element("_rows", i), Ident::with_quote('"', n)))
            .collect();
        let sql = format!(
            "SELECT {} FROM json_each({rows}) AS _rows ORDER BY _rows.key",
            select.join(", ")
        );
        let Statement::Query(q) = crate::sql::parse::parse_one(&sql, 64)? else {
            return Err(unsupported(format!("this call of {f}")));
        };
        *t = TableFactor::Derived {
            lateral: false,
            subquery: q,
            alias: Some(TableAlias {
                name: Ident::new(alias_name.clone()),
                columns: vec![],
            }),
        };
        return Ok(Some((alias_name, vec![])));
    }
    let cols = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), element(&alias_name, i)))
        .collect();
    *name = ObjectName::from(vec![Ident::new("json_each")]);
    *args = TableFunctionArgs {
        args: vec![FunctionArg::Unnamed(FunctionArgExpr::Expr(rows))],
        settings: None,
    };
    *alias_slot = Some(TableAlias {
        name: Ident::new(alias_name.clone()),
        columns: vec![],
    });
    Ok(Some((alias_name, cols)))
}

/// The functions that turn JSON objects into rows of a record type.
pub(crate) const RECORD_FUNCTIONS: &[&str] = &[
    "json_populate_record",
    "jsonb_populate_record",
    "json_populate_recordset",
    "jsonb_populate_recordset",
    "json_to_record",
    "jsonb_to_record",
    "json_to_recordset",
    "jsonb_to_recordset",
];

/// The columns of a record function's rows.
pub(crate) enum RecordColumns<'a> {
    /// A column definition list: `AS x(a int, b text)`.
    Listed(Vec<(String, &'a DataType)>),
    /// The columns of a table (or composite type), known only to the schema.
    OfType(String),
}

/// The row type of a record function in FROM (`f` its lower-case name, `args` its
/// arguments): from the column definition list, else from the base argument's type
/// (`null::t`). Also read by the typing of result columns (sql/types).
pub(crate) fn record_columns<'a>(
    f: &str,
    args: &[&'a Expr],
    alias: Option<&'a TableAlias>,
) -> Result<RecordColumns<'a>, PgError> {
    let listed: Vec<(String, &DataType)> = alias
        .map(|a| {
            a.columns
                .iter()
                .filter_map(|c| Some((c.name.value.clone(), c.data_type.as_ref()?)))
                .collect()
        })
        .unwrap_or_default();
    if !listed.is_empty() && alias.is_some_and(|a| listed.len() == a.columns.len()) {
        return Ok(RecordColumns::Listed(listed));
    }
    let needed = || {
        PgError::new(
            SqlState::SYNTAX_ERROR,
            "a column definition list is required for functions returning \"record\"",
        )
    };
    if !f.contains("populate") {
        return Err(needed());
    }
    match args.first().map(|e| strip_nested(e)) {
        Some(Expr::Cast { data_type, .. }) => {
            let name = super::casts::type_name(data_type);
            if name == "record" {
                Err(needed())
            } else {
                Ok(RecordColumns::OfType(name))
            }
        }
        _ => Err(unsupported(format!("{f} with this base record"))),
    }
}

fn strip_nested(e: &Expr) -> &Expr {
    match e {
        Expr::Nested(inner) => strip_nested(inner),
        other => other,
    }
}

/// `json[b]_populate_record(base, j)` outside FROM, and a field of it
/// (`(json_populate_record(…)).a`), as `pg_json[b]_populate(function, type, anonymous,
/// base, j, field)` (engine/jsonb/record.rs): the record's text or the field's value.
/// Rewritten before the walk, while the base record is as written.
pub(super) fn populate_call(expr: &mut Expr) -> Result<(), PgError> {
    let field = match expr {
        Expr::CompoundFieldAccess { root, access_chain } => {
            let [AccessExpr::Dot(Expr::Identifier(field))] = access_chain.as_slice() else {
                return Ok(());
            };
            let Expr::Function(f) = strip_nested(root) else {
                return Ok(());
            };
            if !is_populate_record(f) {
                return Ok(());
            }
            Some(match field.quote_style {
                Some(_) => field.value.clone(),
                None => field.value.to_lowercase(),
            })
        }
        Expr::Function(f) if is_populate_record(f) => None,
        _ => return Ok(()),
    };
    let f = match expr {
        Expr::CompoundFieldAccess { root, .. } => match strip_nested(root) {
            Expr::Function(f) => f.clone(),
            _ => return Ok(()),
        },
        Expr::Function(f) => f.clone(),
        _ => return Ok(()),
    };
    let name = f.name.to_string().to_ascii_lowercase();
    let name = name
        .strip_prefix("pg_catalog.")
        .unwrap_or(&name)
        .to_string();
    let Some(args) = super::plain_args(&f) else {
        return Err(unsupported(format!("this call of {name}")));
    };
    let [base, json] = args.as_slice() else {
        return Err(PgError::new(
            SqlState::UNDEFINED_FUNCTION,
            format!(
                "function {name} with {} arguments does not exist",
                args.len()
            ),
        ));
    };
    let null = || Expr::Value(Value::Null.into());
    let (type_name, anonymous, values) = match strip_nested(base) {
        Expr::Cast { data_type, .. } => {
            let t = super::casts::type_name(data_type);
            if t == "record" {
                return Err(unsupported(format!("{name} of an anonymous record type")));
            }
            (string(&t), null(), base_values(base)?)
        }
        Expr::Function(r) if r.name.to_string().eq_ignore_ascii_case("row") => {
            let values: Vec<Expr> = super::plain_args(r)
                .ok_or_else(|| unsupported("this base record"))?
                .into_iter()
                .cloned()
                .collect();
            (null(), anonymous_types(&values)?, Some(values))
        }
        Expr::Tuple(values) => (null(), anonymous_types(values)?, Some(values.clone())),
        _ => return Err(unsupported(format!("{name} with this base record"))),
    };
    let base_sql = match values {
        Some(v) => call("json_array", v),
        None => null(),
    };
    let function = if name.starts_with("jsonb") {
        "pg_jsonb_populate"
    } else {
        "pg_json_populate"
    };
    *expr = call(
        function,
        vec![
            string(&name),
            type_name,
            anonymous,
            base_sql,
            (*json).clone(),
            field.map_or_else(null, |f| string(&f)),
        ],
    );
    Ok(())
}

fn is_populate_record(f: &Function) -> bool {
    let name = f.name.to_string().to_ascii_lowercase();
    let name = name.strip_prefix("pg_catalog.").unwrap_or(&name);
    name == "json_populate_record" || name == "jsonb_populate_record"
}

/// The columns of an anonymous record `row(1, 'a')` as PostgreSQL types them: f1, f2…,
/// an integer literal int4, a decimal one numeric, a string or NULL text (unknown), a
/// cast its type.
fn anonymous_types(values: &[Expr]) -> Result<Expr, PgError> {
    let mut out = String::from("[");
    for (i, v) in values.iter().enumerate() {
        let ty = match strip_nested(v) {
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) if n.contains(['.', 'e', 'E']) => "numeric".to_string(),
                Value::Number(n, _) if n.parse::<i32>().is_ok() => "int4".to_string(),
                Value::Number(n, _) if n.parse::<i64>().is_ok() => "int8".to_string(),
                Value::Number(..) => "numeric".to_string(),
                Value::SingleQuotedString(_) | Value::Null => "text".to_string(),
                Value::Boolean(_) => "bool".to_string(),
                _ => return Err(unsupported("this base record")),
            },
            Expr::Cast { data_type, .. } => super::casts::type_name(data_type),
            _ => return Err(unsupported("this base record")),
        };
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!("[\"f{}\",\"{ty}\"]", i + 1));
    }
    out.push(']');
    Ok(string(&out))
}

/// The base record's values (`row(1, 2)::t`), None for `null::t`. A nested record
/// (`row('x', 3)::u`) is its record text (`pg_record_text`), read with its type's rules
/// where it is used.
fn base_values(e: &Expr) -> Result<Option<Vec<Expr>>, PgError> {
    let Expr::Cast { expr, .. } = strip_nested(e) else {
        return Err(unsupported("this base record"));
    };
    let nested = |v: &Expr| -> Expr {
        let inner = match strip_nested(v) {
            Expr::Cast { expr, .. } => strip_nested(expr),
            other => other,
        };
        match inner {
            Expr::Function(f) if f.name.to_string().eq_ignore_ascii_case("row") => {
                match super::plain_args(f) {
                    Some(args) => call("pg_record_text", args.into_iter().cloned().collect()),
                    None => v.clone(),
                }
            }
            _ => v.clone(),
        }
    };
    match strip_nested(expr) {
        Expr::Value(v) if matches!(v.value, Value::Null) => Ok(None),
        Expr::Function(f) if f.name.to_string().eq_ignore_ascii_case("row") => {
            match super::plain_args(f) {
                Some(args) => Ok(Some(args.into_iter().map(nested).collect())),
                None => Err(unsupported("this base record")),
            }
        }
        Expr::Tuple(items) => Ok(Some(items.iter().map(nested).collect())),
        _ => Err(unsupported("this base record")),
    }
}

fn sql_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// `json_to_record(j) AS x(a int, b text)`, `json_populate_recordset(null::t, j) AS q`...
/// as rows of `pg_json_records` (engine/jsonb/record.rs), each column read by
/// `pg_record_value` with its type; a table's columns are filled in when the statement
/// is prepared (`pg_record_columns('t')`).
fn record_source(t: &mut TableFactor, f: &str) -> Result<Option<Source>, PgError> {
    let TableFactor::Table {
        args: Some(args),
        alias: alias_slot,
        with_ordinality,
        ..
    } = t
    else {
        return Ok(None);
    };
    let args: Vec<&Expr> = args
        .args
        .iter()
        .map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Ok(e),
            _ => Err(unsupported(format!("this call of {f}"))),
        })
        .collect::<Result<_, _>>()?;
    let populate = f.contains("populate");
    let (json, base) = match (populate, args.as_slice()) {
        (false, [j]) => (*j, None),
        (true, [b, j]) => (*j, Some(*b)),
        _ => {
            return Err(PgError::new(
                SqlState::UNDEFINED_FUNCTION,
                format!("function {f} with {} arguments does not exist", args.len()),
            ))
        }
    };
    // Already rewritten (the subquery below is walked too).
    if function_name(json).is_some_and(|n| n.starts_with("pg_json")) {
        return Ok(None);
    }
    if *with_ordinality {
        return Err(unsupported(format!("{f} WITH ORDINALITY")));
    }
    let columns = record_columns(f, &args, alias_slot.as_ref())?;
    let base_values = match base {
        Some(b) => base_values(b)?,
        None => None,
    };
    let records = if f.starts_with("jsonb") {
        "pg_jsonb_records"
    } else {
        "pg_json_records"
    };
    let rows = call(records, vec![json.clone(), string(f)]);
    let alias_name = alias_slot
        .as_ref()
        .map_or(f.to_string(), |a| a.name.value.clone());
    let value = |row: &str, base: &str, i: usize, name: &str, ty: &DataType| {
        format!(
            "pg_record_value({row}.value, {}, {}, {base}, {i})",
            sql_string(name),
            sql_string(&super::casts::type_name(ty)),
        )
    };
    if names_a_column(json)
        || base_values
            .as_ref()
            .is_some_and(|v| v.iter().any(names_a_column))
    {
        // Beside the tables it reads (`FROM t, json_to_record(t.j) AS x(a int)`): json_each
        // itself, its columns given as expressions.
        let (RecordColumns::Listed(listed), None) = (&columns, &base_values) else {
            return Err(unsupported(format!(
                "{f} over a column with a base record's type"
            )));
        };
        let cols = listed
            .iter()
            .enumerate()
            .map(|(i, (n, ty))| (n.clone(), value(&alias_name, "NULL", i, n, ty)))
            .collect();
        *t = TableFactor::Table {
            name: ObjectName::from(vec![Ident::new("json_each")]),
            alias: Some(TableAlias {
                name: Ident::new(alias_name.clone()),
                columns: vec![],
            }),
            args: Some(TableFunctionArgs {
                args: vec![FunctionArg::Unnamed(FunctionArgExpr::Expr(rows))],
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
        return Ok(Some((alias_name, cols)));
    }
    let select = match &columns {
        RecordColumns::Listed(listed) => listed
            .iter()
            .enumerate()
            .map(|(i, (n, ty))| {
                format!(
                    "{} AS {}",
                    value("_r", "_b.b", i, n, ty),
                    Ident::with_quote('"', n)
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
        RecordColumns::OfType(name) => format!("pg_record_columns({})", sql_string(name)),
    };
    let base_sql = match &base_values {
        Some(v) => call("json_array", v.clone()).to_string(),
        None => "NULL".to_string(),
    };
    let sql = format!(
        "SELECT {select} FROM json_each({rows}) AS _r, (SELECT {base_sql} AS b) AS _b \
         ORDER BY _r.key"
    );
    let Statement::Query(q) = crate::sql::parse::parse_one(&sql, 64)? else {
        return Err(unsupported(format!("this call of {f}")));
    };
    *t = TableFactor::Derived {
        lateral: false,
        subquery: q,
        alias: Some(TableAlias {
            name: Ident::new(alias_name.clone()),
            columns: vec![],
        }),
    };
    Ok(Some((alias_name, vec![])))
}

/// Whether `e` refers to a column (or anything else a row gives).
fn names_a_column(e: &Expr) -> bool {
    struct Finder;
    impl Visitor for Finder {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            match e {
                Expr::Identifier(_) | Expr::CompoundIdentifier(_) => ControlFlow::Break(()),
                _ => ControlFlow::Continue(()),
            }
        }
    }
    e.visit(&mut Finder).is_break()
}

#[cfg(test)]
mod tests {
    use super::super::{to_sqlite, Settings};
    use crate::protocol::PgError;
    use crate::sql::parse::parse_one;

    struct NoSettings;
    impl Settings for NoSettings {
        fn get(&self, _: &str) -> Option<String> {
            None
        }
        fn set(&mut self, _: &str, v: &str) -> Result<String, PgError> {
            Ok(v.to_string())
        }
    }

    fn translated(pg: &str) -> Result<String, PgError> {
        to_sqlite(parse_one(pg, 64)?, &mut NoSettings)
    }

    #[test]
    fn operators_become_calls() {
        for (pg, sqlite) in [
            (
                "SELECT '{\"a\":1}'::jsonb -> 'a'",
                "SELECT pg_jsonb_get(pg_jsonb('{\"a\":1}'), 'a')",
            ),
            ("SELECT j ->> 0 FROM t", "SELECT pg_json_get_text(j, 0) FROM t"),
            (
                "SELECT j #> '{a,b}', j #>> '{a}' FROM t",
                "SELECT pg_json_path(j, '{a,b}'), pg_json_path_text(j, '{a}') FROM t",
            ),
            (
                "SELECT * FROM t WHERE j @> '{\"a\":1}' AND '{}' <@ j",
                "SELECT * FROM t WHERE pg_contains(j, '{\"a\":1}', 'C1:j[1:t]', '''') AND pg_contains(j, '{}', 'C1:j[1:t]', '''')",
            ),
            (
                "SELECT j ? 'a', j ?| ARRAY['a'], j ?& '{a}' FROM t",
                "SELECT pg_jsonb_exists(j, 'a'), pg_jsonb_exists_any(j, json_array('a')), \
                 pg_jsonb_exists_all(j, '{a}') FROM t",
            ),
            (
                "SELECT '[1]'::jsonb || '[2]', j::jsonb - 'a', j::jsonb - '{a}'::text[] FROM t",
                "SELECT pg_jsonb_concat(pg_jsonb('[1]'), '[2]'), pg_jsonb_delete(pg_jsonb(j), 'a'), \
                 pg_jsonb_delete_keys(pg_jsonb(j), pg_cast('{a}', 'text[]')) FROM t",
            ),
            // A column's `||` is chosen once its type is read (text, jsonb or array).
            (
                "SELECT a || 'x' FROM t",
                "SELECT pg_concat_op(a, 'x', 'C1:a[1:t]', '''') FROM t",
            ),
            (
                "SELECT ('{\"a\":1}'::jsonb)['a'], jsonb_agg(x) FROM t",
                "SELECT pg_jsonb_subscript((pg_jsonb('{\"a\":1}')), 'a'), pg_jsonb(jsonb_agg(pg_json_value(x, 'C1:x[1:t]'))) FROM t",
            ),
            (
                "SELECT x, y FROM t, jsonb_each(t.j) AS e(x, y)",
                "SELECT json_extract(e.value, '$[0]') AS x, json_extract(e.value, '$[1]') AS y \
                 FROM t, json_each(pg_jsonb_each(t.j, 'jsonb_each')) AS e",
            ),
            (
                "SELECT * FROM json_array_elements('[1]')",
                "SELECT * FROM (SELECT _rows.value AS \"value\" FROM json_each(pg_json_each('[1]', \
                 'json_array_elements')) AS _rows ORDER BY _rows.key NULLS LAST) AS json_array_elements",
            ),
            (
                "SELECT json_build_object('a', true, 'b', 1)",
                "SELECT json_build_object('a', json('true'), 'b', 1)",
            ),
        ] {
            assert_eq!(translated(pg).unwrap(), sqlite, "{pg}");
        }
    }

    #[test]
    fn records_and_paths_become_calls() {
        for (pg, sqlite) in [
            (
                "SELECT * FROM json_to_record('{}') AS x(a int, b text[])",
                "SELECT * FROM (SELECT pg_record_value(_r.value, 'a', 'int', _b.b, 0) AS \"a\", \
                 pg_record_value(_r.value, 'b', 'text[]', _b.b, 1) AS \"b\" FROM \
                 json_each(pg_json_records('{}', 'json_to_record')) AS _r, (SELECT NULL AS b) AS _b \
                 ORDER BY _r.key NULLS LAST) AS x",
            ),
            (
                // A table's columns are filled in when the statement is prepared.
                "SELECT * FROM jsonb_populate_record(null::t, '{}') q",
                "SELECT * FROM (SELECT pg_record_columns('t') FROM \
                 json_each(pg_jsonb_records('{}', 'jsonb_populate_record')) AS _r, \
                 (SELECT NULL AS b) AS _b ORDER BY _r.key NULLS LAST) AS q",
            ),
            (
                // Outside FROM: the record's text, or one field of it.
                "SELECT json_populate_record(null::jpop, j), \
                 (jsonb_populate_record(row(1, 'a')::jpop, j)).\"B\" FROM t",
                "SELECT pg_json_populate('json_populate_record', 'jpop', NULL, NULL, j, NULL), \
                 pg_jsonb_populate('jsonb_populate_record', 'jpop', NULL, json_array(1, 'a'), j, \
                 'B') FROM t",
            ),
            (
                // An anonymous row's columns are f1… typed as PostgreSQL types the values.
                "SELECT json_populate_record(row(1, 2.5, 'x', null), '{}')",
                "SELECT pg_json_populate('json_populate_record', NULL, \
                 '[[\"f1\",\"int4\"],[\"f2\",\"numeric\"],[\"f3\",\"text\"],[\"f4\",\"text\"]]', \
                 json_array(1, 2.5, 'x', NULL), '{}', NULL)",
            ),
            (
                "SELECT j @? '$.a', j @@ '$.a == 1' FROM t",
                "SELECT pg_jsonb_path_exists(j, '$.a', '{}', true), \
                 pg_jsonb_path_match(j, '$.a == 1', '{}', true) FROM t",
            ),
            (
                "SELECT jsonb_path_query_first(j, '$.a', silent => true) FROM t",
                "SELECT pg_jsonb_path_query_first(j, '$.a', '{}', true) FROM t",
            ),
        ] {
            assert_eq!(translated(pg).unwrap(), sqlite, "{pg}");
        }
    }

    #[test]
    fn whole_rows_of_subqueries_become_objects() {
        assert_eq!(
            translated("SELECT json_agg(agg) FROM (SELECT a, b AS c FROM t) AS agg").unwrap(),
            "SELECT pg_json(json_agg(pg_json(pg_row_to_json(false, 'a', pg_json_value(agg.\"a\", 'C1:a[1:t]'), \
             'c', pg_json_value(agg.\"c\", 'C1:b[1:t]'))))) FROM (SELECT a, b AS c FROM t) AS agg"
        );
        // row_to_json of the row is the object itself.
        assert_eq!(
            translated("SELECT row_to_json(o) FROM (SELECT 1 AS x) o").unwrap(),
            "SELECT pg_row_to_json(false, 'x', o.\"x\") FROM (SELECT 1 AS x) AS o"
        );
    }

    #[test]
    fn what_cannot_be_honoured_is_refused() {
        for pg in [
            "SELECT row_to_json(t) FROM t",
            "SELECT jsonb_path_query(j, '$') + 1 FROM t",
            "SELECT * FROM json_populate_record(null::t, t.j) AS r, t",
            "SELECT json_populate_record(null::record, '{}')",
            "SELECT json_populate_record(row(now()), '{}')",
        ] {
            assert_eq!(translated(pg).unwrap_err().code.0, "0A000", "{pg}");
        }
    }
}
