//! Operators whose meaning depends on their operands' types, and `pg_typeof`.
//!
//! SQLite's `+` on two integers silently becomes a float on overflow, its `/` by zero is
//! NULL, and on date or interval text it does arithmetic on the leading digits
//! (`'2024-01-01'::date + 1` gave 2025). PostgreSQL chooses each operator by its operands'
//! types. Those types come from the tree (`sql::types::operand_types`, before anything
//! is rewritten, found again by where the operator is written); where they are certain
//! to keep SQLite's meaning (floats, numeric, text) the operator stays, otherwise it
//! becomes `pg_op('+', a, b, 'left type', 'right type')`, the engine's function with
//! PostgreSQL's meaning (engine/pgfuncs/operators.rs). A type that needs the schema (a
//! column's) travels as its type expression (`Ty::encode`) and is resolved by the
//! engine on the connection running the statement, so the translation stays the same
//! text for every database and is cached by it.

use std::collections::HashMap;
use std::ops::ControlFlow;

use sqlparser::ast::helpers::attached_token::AttachedToken;
use sqlparser::ast::{
    BinaryOperator, CaseWhen, DataType, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArguments, Ident, ObjectName, Statement, UnaryOperator, VisitMut, VisitorMut,
};
use sqlparser::tokenizer::Span;

use super::{call, string};
use crate::protocol::{PgError, SqlState};
use crate::sql::types::{self, Ty};

/// Operators nested deeper than this keep SQLite's meaning: finding an operator again
/// costs time in proportion to its subtree, so only the shallow ones are looked up
/// (types::operand_types types no deeper ones either).
const MAX_DEPTH: usize = 64;

/// Rewrites the typed operators of `stmt` (before any other rewriting). An operator
/// that does not exist for types the tree itself names is PostgreSQL's 42883, as when
/// PostgreSQL plans the statement (not only once a row reaches it).
pub(super) fn typed(stmt: &mut Statement) -> Result<(), PgError> {
    let found = types::operand_types(stmt);
    if found.is_empty() {
        return Ok(());
    }
    let mut typer = Typer {
        found: found
            .into_iter()
            .map(|o| (o.at, (o.left, o.right)))
            .collect(),
        pending: Vec::new(),
        depth: 0,
    };
    match stmt.visit(&mut typer) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(e) => Err(e),
    }
}

struct Typer {
    found: HashMap<Span, (Ty, Ty)>,
    /// For each operator or call being visited: its operands' types, if it was typed.
    pending: Vec<Option<(Ty, Ty)>>,
    depth: usize,
}

impl VisitorMut for Typer {
    type Break = PgError;

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<PgError> {
        self.depth += 1;
        if is_candidate(expr) {
            let types = (self.depth <= MAX_DEPTH)
                .then(|| self.found.remove(&types::subscript_at(expr)))
                .flatten();
            self.pending.push(types);
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<PgError> {
        self.depth -= 1;
        if !is_candidate(expr) {
            return ControlFlow::Continue(());
        }
        let Some((left, right)) = self.pending.pop().flatten() else {
            return ControlFlow::Continue(());
        };
        let taken = std::mem::replace(expr, Expr::value(sqlparser::ast::Value::Null));
        *expr = match taken {
            Expr::BinaryOp {
                left: a,
                op,
                right: b,
            } if types::comparison(&op) => {
                if let Err(e) = comparable(&op, &left, &right) {
                    return ControlFlow::Break(e);
                }
                let (a, b) = (coerced(*a, &right), coerced(*b, &left));
                let (a, b) = (extract_number(a), extract_number(b));
                // Intervals compare by their span (a month is 30 days), not as text.
                let interval = |t: &Ty| matches!(known(t), Known::Type(n) if n == "interval");
                let marker = if matches!(op, BinaryOperator::Eq | BinaryOperator::NotEq) {
                    super::COMPARE_MARKER
                } else {
                    super::ORDER_KEY_MARKER
                };
                let keyed = |e: Expr, t: &Ty| call(marker, vec![e, string(&t.encode())]);
                let (a, b) = if interval(&left) || interval(&right) {
                    (
                        call("pg_interval_key", vec![a]),
                        call("pg_interval_key", vec![b]),
                    )
                } else {
                    // A column (an interval, an array?) beside a column, a literal or a
                    // parameter: compared by its type, read when the statement is
                    // prepared (engine/compare.rs).
                    match (known(&left), known(&right)) {
                        (Known::Schema, Known::Schema) => (keyed(a, &left), keyed(b, &right)),
                        (Known::Schema, Known::Untyped) => (keyed(a, &left), keyed(b, &left)),
                        (Known::Untyped, Known::Schema) => (keyed(a, &right), keyed(b, &right)),
                        // A value only the schema types beside a number (`price * qty >
                        // 60`): compared as numeric when it is one (engine/compare.rs).
                        // (A column needs none: its affinity and collation do it.)
                        (Known::Schema, r) if exact_number_type(&r) && !is_column(&a) => {
                            (keyed(a, &left), keyed(b, &left))
                        }
                        (l, Known::Schema) if exact_number_type(&l) && !is_column(&b) => {
                            (keyed(a, &right), keyed(b, &right))
                        }
                        (l, r) if numeric_compared(&l, &r) => (numeric_key(a), numeric_key(b)),
                        _ => (a, b),
                    }
                };
                // Outside the keys: a key's operand stays the bare column it reads.
                let (a, b) = promoted(a, b, &left, &right);
                let compared = Expr::BinaryOp {
                    left: Box::new(a),
                    op: op.clone(),
                    right: Box::new(b),
                };
                type_checked(compared, &op.to_string(), &left, &right)
            }
            e @ Expr::InSubquery { .. } => type_checked(e, "=", &left, &right),
            // `x IN (a, b)` is `x = a OR x = b`: a string literal is read as x's type, and
            // x and items of one date/time type are promoted as in those comparisons.
            Expr::InList {
                expr: x,
                list,
                negated,
            } => {
                let types = match &right {
                    Ty::Common(t) if t.len() == list.len() => t.as_slice(),
                    _ => &[],
                };
                let one_type = types.first().filter(|first| {
                    types.iter().all(|t| t == *first || same_dt_type(t, first))
                        && dt_rank(&known(first)).is_some()
                });
                let mut x = *x;
                let list = list
                    .into_iter()
                    .map(|item| {
                        let item = coerced(item, &left);
                        match one_type {
                            Some(t) => {
                                let placeholder = Expr::value(sqlparser::ast::Value::Null);
                                promoted(placeholder, item, &left, t).1
                            }
                            None => item,
                        }
                    })
                    .collect();
                if let Some(t) = one_type {
                    let placeholder = Expr::value(sqlparser::ast::Value::Null);
                    x = promoted(x, placeholder, &left, t).0;
                }
                Expr::InList {
                    expr: Box::new(x),
                    list,
                    negated,
                }
            }
            // `x BETWEEN a AND b` is `x >= a AND x <= b`: x and bounds of one date/time
            // type are promoted as in those comparisons.
            Expr::Between {
                expr: x,
                negated,
                low,
                high,
            } => {
                // A string literal bound is read as x's type, as in a comparison.
                let (low, high) = (
                    Box::new(coerced(*low, &left)),
                    Box::new(coerced(*high, &left)),
                );
                let bound = match &right {
                    Ty::Common(b) if b.len() == 2 && same_dt_type(&b[0], &b[1]) => Some(&b[0]),
                    _ => None,
                };
                match bound {
                    Some(bound) => {
                        let (x, low) = promoted(*x, *low, &left, bound);
                        let placeholder = Expr::value(sqlparser::ast::Value::Null);
                        let (_, high) = promoted(placeholder, *high, &left, bound);
                        Expr::Between {
                            expr: Box::new(x),
                            negated,
                            low: Box::new(low),
                            high: Box::new(high),
                        }
                    }
                    None => Expr::Between {
                        expr: x,
                        negated,
                        low,
                        high,
                    },
                }
            }
            Expr::BinaryOp {
                left: a,
                op: BinaryOperator::PGExp,
                right: b,
            } => super::numeric_math::power(*a, *b, &left, &right),
            Expr::BinaryOp {
                left: a,
                op,
                right: b,
            } if types::containment(&op) => containment(*a, op, *b, &left, &right),
            // `x || y` with a string on one side: the other is written as its type's
            // text output (`true || 'x'` is `truex`, SQLite would write `1x`).
            Expr::BinaryOp {
                left: a,
                op: BinaryOperator::StringConcat,
                right: b,
            } => {
                if let Err(e) = exists(&BinaryOperator::StringConcat, &left, &right) {
                    return ControlFlow::Break(e);
                }
                // An array's or jsonb's `||` is theirs (arrays.rs, json.rs).
                let container = |t: &Ty| matches!(known(t), Known::Type(n) if n.ends_with("[]") || n == "json" || n == "jsonb");
                let schema = |t: &Ty| matches!(known(t), Known::Schema);
                let array = |t: &Ty| matches!(known(t), Known::Type(n) if n.ends_with("[]"));
                if array(&left) || array(&right) {
                    // An array the tree types (a derived table's or CTE's column, not only
                    // `ARRAY[…]`): array_cat, or array_append / array_prepend of an
                    // element; an untyped literal beside an array is an array.
                    let arrayish =
                        |t: &Ty, e: &Expr| array(t) || super::arrays::is_untyped_constant(e);
                    let name = if arrayish(&left, &a) && arrayish(&right, &b) {
                        "pg_array_cat"
                    } else if array(&left) {
                        "pg_array_append"
                    } else {
                        "pg_array_prepend"
                    };
                    call(name, vec![*a, *b])
                } else if container(&left) || container(&right) {
                    Expr::BinaryOp {
                        left: a,
                        op: BinaryOperator::StringConcat,
                        right: b,
                    }
                } else if schema(&left) || schema(&right) {
                    // A column: array, jsonb or text `||`, chosen once its type is read.
                    call(
                        "pg_concat_op",
                        vec![*a, *b, string(&left.encode()), string(&right.encode())],
                    )
                } else {
                    Expr::BinaryOp {
                        left: Box::new(as_text(*a, &left)),
                        op: BinaryOperator::StringConcat,
                        right: Box::new(as_text(*b, &right)),
                    }
                }
            }
            Expr::BinaryOp {
                left: a,
                op,
                right: b,
            } => {
                if let Err(e) = exists(&op, &left, &right) {
                    return ControlFlow::Break(e);
                }
                if let Some(code) = integer_code(&op, &left, &right) {
                    // Both integers by the tree: the engine's checked arithmetic directly.
                    *expr = call("pg_int", vec![*a, *b, number(code)]);
                    return ControlFlow::Continue(());
                }
                // Exact arithmetic whose operand types the tree names: a decimal literal
                // keeps its written scale (`70.0 % 70` is `0.0`, `0.10 + 0.20` `0.30`).
                // (A column's type is the engine's to read: pg_op reads numeric's text as
                // a float for a float column.)
                let exact = |t: &Ty| {
                    let k = known(t);
                    matches!(k, Known::Untyped | Known::Schema) || exact_number_type(&k)
                };
                let (a, b) = if exact(&left) && exact(&right) {
                    (Box::new(decimal_text(*a)), Box::new(decimal_text(*b)))
                } else {
                    (a, b)
                };
                match operator(&op, &left, &right) {
                    // A numeric result is numeric's text: under the numeric collation it
                    // sorts, groups and takes min/max as a number (a number or a date's
                    // text is unaffected: a collation orders only text, and text that is
                    // not a number by its bytes).
                    Some(name) if may_be_numeric(&left) && may_be_numeric(&right) => {
                        Expr::Collate {
                            expr: Box::new(call(
                                "pg_op",
                                vec![
                                    string(name),
                                    *a,
                                    *b,
                                    string(&left.encode()),
                                    string(&right.encode()),
                                ],
                            )),
                            collation: ObjectName::from(vec![Ident::new(super::NUMERIC_COLLATION)]),
                        }
                    }
                    Some(name) => call(
                        "pg_op",
                        vec![
                            string(name),
                            *a,
                            *b,
                            string(&left.encode()),
                            string(&right.encode()),
                        ],
                    ),
                    None => Expr::BinaryOp {
                        left: a,
                        op,
                        right: b,
                    },
                }
            }
            Expr::CompoundFieldAccess { root, access_chain } => {
                subscripted(*root, access_chain, &left)
            }
            Expr::Array(a) => nested_elements(a, &left),
            // An ORDER BY column sorts as its type compares (engine/compare.rs).
            column @ (Expr::Identifier(_) | Expr::CompoundIdentifier(_)) => match known(&left) {
                Known::Schema => call(
                    super::ORDER_KEY_MARKER,
                    vec![column, string(&left.encode())],
                ),
                // A numeric of a VALUES list or a CTE may hold integers beside text
                // (`-Infinity`, `1.50`): SQLite sorts every number before any text.
                Known::Type(t) if t.split('(').next() == Some("numeric") => numeric_text(column),
                // An interval by its span (a month is 30 days), as it compares.
                Known::Type(t) if t.split('(').next() == Some("interval") => {
                    call("pg_interval_key", vec![column])
                }
                _ => column,
            },
            Expr::Function(f) if is_function(&f, "array_agg") => nested_arrays(f, &left),
            // `ARRAY(SELECT array …)`: one more dimension (translate/arrays.rs).
            Expr::Function(mut f)
                if is_function(&f, "array")
                    && matches!(f.args, FunctionArguments::Subquery(_))
                    && (matches!(
                        &left,
                        Ty::Of(types::Follow::ArrayOf | types::Follow::Nested, _)
                    ) || matches!(known(&left), Known::Type(t) if t.ends_with("[]"))) =>
            {
                f.name = ObjectName::from(vec![Ident::new(super::arrays::ARRAY_OF_ARRAYS)]);
                Expr::Function(f)
            }
            Expr::Function(f) if is_function(&f, "array") => Expr::Function(f),
            Expr::Function(f) if is_json_builder(&f) => json_arguments(f, &left),
            Expr::Function(f) if is_function(&f, "string_agg") => joined_bytes(f, &left),
            Expr::Function(f) if is_function(&f, "min") || is_function(&f, "max") => {
                ordered_extreme(f, &left)
            }
            Expr::Function(f) if super::numeric_math::is_typed(&f) => {
                super::numeric_math::function(f, &left)
            }
            Expr::Function(f) if !is_function(&f, "pg_typeof") => interval_aggregate(f, &left),
            // pg_typeof(x): the engine names the type (it knows the schema). Its argument
            // is not evaluated, so one that returns a set (a row each) is refused.
            Expr::Function(f) if returns_set(&f) => {
                return ControlFlow::Break(super::unsupported(
                    "pg_typeof() of a set-returning function",
                ))
            }
            Expr::Function(_) => call("pg_type_of", vec![string(&left.encode())]),
            // Not a number literal: `-1` stays a constant (a DEFAULT needs one).
            Expr::UnaryOp { op, expr: operand } if !matches!(*operand, Expr::Value(_)) => {
                match known(&left) {
                    Known::Type(t)
                        if matches!(
                            t.split('(').next().unwrap_or(""),
                            "interval" | "int2" | "int4" | "int8" | "numeric"
                        ) =>
                    {
                        negated(*operand, &left)
                    }
                    Known::Schema => negated(*operand, &left),
                    _ => Expr::UnaryOp { op, expr: operand },
                }
            }
            // A boolean cast to a string type is `true` / `false`, not SQLite's 1 / 0,
            // an interval is printed in the session's IntervalStyle; a float rounds half
            // to even when cast to an integer (numeric: half away from zero, which
            // pg_cast does).
            Expr::Cast {
                kind,
                expr: operand,
                data_type,
                format,
            } => {
                let numeric_target =
                    types::type_name(&data_type).split('(').next() == Some("numeric");
                let (function, wanted): (&str, &[&str]) = if is_integer(&data_type) {
                    ("pg_round_even", &["float4", "float8", "numeric"])
                } else if numeric_target {
                    // float4's digits, not its double's (float4_numeric).
                    ("pg_float4_digits", &["float4"])
                } else {
                    ("pg_text_out", &[])
                };
                let text_out = |t: &str| function == "pg_text_out" && printed_differently(t);
                let catalog = super::arrays::is_catalog_vector(&operand);
                let operand = match known(&left) {
                    Known::Type(t) if wanted.contains(&t.as_str()) || text_out(&t) => {
                        call(function, vec![*operand, string(&left.encode())])
                    }
                    // A catalog vector (pg_index.indkey) prints itself (arrays.rs).
                    Known::Schema if !catalog => {
                        call(function, vec![*operand, string(&left.encode())])
                    }
                    _ => *operand,
                };
                Expr::Cast {
                    kind,
                    expr: Box::new(operand),
                    data_type,
                    format,
                }
            }
            other => other,
        };
        ControlFlow::Continue(())
    }
}

/// `e` (a comparison or `IN (SELECT …)`) of two columns, checked when the statement is
/// prepared: PostgreSQL has no `bigint = text` (engine/compare.rs).
/// Only declared column types are checked, so nothing litewire types loosely (an
/// expression, a literal) is refused.
fn type_checked(e: Expr, op: &str, left: &Ty, right: &Ty) -> Expr {
    fn declared(t: &Ty) -> bool {
        match t {
            Ty::Column { .. } | Ty::Nth { .. } => true,
            // An unqualified name: the column of the first table that has it.
            Ty::First(all) => !all.is_empty() && all.iter().all(declared),
            _ => false,
        }
    }
    if !declared(left) || !declared(right) {
        return e;
    }
    call(
        super::TYPE_CHECK_MARKER,
        vec![
            e,
            string(op),
            string(&right.encode()),
            string(&left.encode()),
        ],
    )
}

/// A date compared with a timestamp, or a timestamp with a timestamptz: PostgreSQL
/// compares them as the later type (a date is its midnight, a timestamp its instant in
/// the session's zone), where their stored texts would not (`2024-01-01` is less than
/// `2024-01-01 00:00:00`). Types the tree names: a cast; a column's: `pg_dt_promote`
/// around each side, for the engine to cast once it has read both (engine/compare.rs).
fn promoted(a: Expr, b: Expr, left: &Ty, right: &Ty) -> (Expr, Expr) {
    let (l, r) = (known(left), known(right));
    let (lr, rr) = (dt_rank(&l), dt_rank(&r));
    match (lr, rr) {
        (Some(x), Some(y)) if x < y => (dt_cast(a, y), b),
        (Some(x), Some(y)) if y < x => (a, dt_cast(b, x)),
        (Some(_), Some(_)) => (a, b),
        _ => {
            let schema = |k: &Known| matches!(k, Known::Schema);
            let datelike = |k: &Known, rank: Option<u8>| schema(k) || rank.is_some();
            if (schema(&l) || schema(&r)) && datelike(&l, lr) && datelike(&r, rr) {
                let mark = |e: Expr, other: &Ty, own: &Ty| {
                    call(
                        super::DT_PROMOTE_MARKER,
                        vec![e, string(&other.encode()), string(&own.encode())],
                    )
                };
                (mark(a, right, left), mark(b, left, right))
            } else {
                (a, b)
            }
        }
    }
}

/// Whether two BETWEEN bounds are of one date/time type the tree names, or of one type
/// only the schema knows (the same column twice): bounds of two columns' types are not
/// promoted, as their types may differ.
fn same_dt_type(a: &Ty, b: &Ty) -> bool {
    let schema = matches!(known(a), Known::Schema);
    let (ra, rb) = (dt_rank(&known(a)), dt_rank(&known(b)));
    (ra.is_some() && ra == rb) || (schema && a == b)
}

/// date < timestamp < timestamptz: the order in which PostgreSQL promotes them.
fn dt_rank(k: &Known) -> Option<u8> {
    match k {
        Known::Type(t) => match t.split('(').next().unwrap_or("") {
            "date" => Some(0),
            "timestamp" => Some(1),
            "timestamptz" => Some(2),
            _ => None,
        },
        _ => None,
    }
}

fn dt_cast(e: Expr, rank: u8) -> Expr {
    let name = if rank == 1 {
        "timestamp"
    } else {
        "timestamptz"
    };
    Expr::Cast {
        kind: sqlparser::ast::CastKind::DoubleColon,
        expr: Box::new(e),
        data_type: DataType::Custom(ObjectName::from(vec![Ident::new(name)]), vec![]),
        format: None,
    }
}

/// A string literal compared with a value of type `other` (not a string type): read
/// with that type's input rules, as PostgreSQL reads an `unknown` constant, so that
/// `ts = '2024-01-01'` finds `2024-01-01 00:00:00` and `b = 'yes'` finds true; the
/// engine resolves a column's type (`pg_coerce`). SQLite computes a call with constant
/// arguments once, and an index on the column stays usable.
fn coerced(e: Expr, other: &Ty) -> Expr {
    if !types::string_literal(&e) {
        return e;
    }
    let text_like = |t: &str| {
        let b = t.split('(').next().unwrap_or(t);
        matches!(b, "text" | "varchar" | "bpchar" | "name")
    };
    match known(other) {
        Known::Type(t) if !text_like(&t) => call("pg_coerce", vec![e, string(&other.encode())]),
        Known::Schema => call("pg_coerce", vec![e, string(&other.encode())]),
        _ => e,
    }
}

/// Whether a comparison is numeric's (PostgreSQL compares numeric with an integer, a
/// literal or a numeric as numeric; with a float as float8): a numeric may be its exact
/// text (engine/pgfuncs/decimal.rs), which SQLite would otherwise order after numbers.
fn numeric_compared(l: &Known, r: &Known) -> bool {
    let numeric = |k: &Known| matches!(k, Known::Type(t) if t.split('(').next() == Some("numeric"));
    let exact = |k: &Known| match k {
        Known::Type(t) => matches!(
            t.split('(').next().unwrap_or(""),
            "numeric" | "int2" | "int4" | "int8"
        ),
        Known::Untyped => true,
        _ => false,
    };
    (numeric(l) || numeric(r)) && exact(l) && exact(r)
}

/// Whether an operand of type `t` may make an arithmetic result numeric (a date, an
/// interval or a timestamp does not).
fn may_be_numeric(t: &Ty) -> bool {
    match known(t) {
        Known::Type(t) => matches!(
            t.split('(').next().unwrap_or(""),
            "numeric" | "int2" | "int4" | "int8" | "float4" | "float8"
        ),
        _ => true,
    }
}

fn is_column(e: &Expr) -> bool {
    matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
}

fn exact_number_type(k: &Known) -> bool {
    matches!(k, Known::Type(t) if matches!(
        t.split('(').next().unwrap_or(""),
        "numeric" | "int2" | "int4" | "int8"
    ))
}

/// A decimal literal (`70.0`, `-1.50`) as numeric's text, `pg_cast('70.0', 'numeric')`:
/// SQLite would read it as a double, which drops the written scale. Anything else is
/// left as it is.
pub(super) fn decimal_text(e: Expr) -> Expr {
    let literal = |e: &Expr| match e {
        Expr::Value(v) => match &v.value {
            sqlparser::ast::Value::Number(n, _)
                if n.contains('.') && n.bytes().all(|c| c.is_ascii_digit() || c == b'.') =>
            {
                Some(n.clone())
            }
            _ => None,
        },
        _ => None,
    };
    let text = match &e {
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => literal(expr).map(|n| format!("-{n}")),
        e => literal(e),
    };
    match text {
        Some(n) => call("pg_cast", vec![string(&n), string("numeric")]),
        None => e,
    }
}

/// A numeric operand compared: text of TEXT affinity under the numeric collation, as
/// a numeric column is (a column itself is left as it is, its index usable).
fn numeric_key(e: Expr) -> Expr {
    if matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_)) {
        return e;
    }
    numeric_text(e)
}

/// `CAST(e AS TEXT) COLLATE pg_numeric`: ordered as numeric whether e holds a number or
/// numeric's text.
fn numeric_text(e: Expr) -> Expr {
    Expr::Collate {
        expr: Box::new(Expr::Cast {
            kind: sqlparser::ast::CastKind::Cast,
            expr: Box::new(e),
            data_type: DataType::Text,
            format: None,
        }),
        collation: ObjectName::from(vec![Ident::new(super::NUMERIC_COLLATION)]),
    }
}

/// EXTRACT answers a fractional numeric as text, to keep PostgreSQL's scale
/// (`1.500000`); compared, it is its number (text never equals, and always exceeds, a
/// number in SQLite).
fn extract_number(e: Expr) -> Expr {
    let mut inner = &e;
    while let Expr::Nested(x) = inner {
        inner = x;
    }
    if matches!(inner, Expr::Extract { .. }) {
        call("pg_number", vec![e])
    } else {
        e
    }
}

/// An arithmetic operator, a comparison, a unary minus, a cast to an integer or string
/// type, a `pg_typeof(x)` call, a `sum(x)` / `avg(x)` / `array_agg(x)` aggregate or an
/// ORDER BY column.
fn is_candidate(e: &Expr) -> bool {
    match e {
        // `ARRAY[…]`: its elements' types (arrays nest).
        Expr::Array(a) => !a.elem.is_empty(),
        Expr::Cast {
            data_type, expr, ..
        } => {
            is_integer(data_type)
                || (matches!(
                    types::type_name(data_type).split('(').next(),
                    Some("text" | "varchar" | "bpchar" | "name")
                    // `varchar(2)[]` is an array cast (element by element: arrays.rs).
                ) && !types::type_name(data_type).ends_with(']'))
                // A column to numeric (a float4's digits), as sql/types records it.
                || (types::type_name(data_type).split('(').next() == Some("numeric")
                    && matches!(**expr, Expr::Identifier(_) | Expr::CompoundIdentifier(_)))
        }
        Expr::BinaryOp { op, .. } => {
            types::arithmetic(op)
                || types::comparison(op)
                || types::containment(op)
                || *op == BinaryOperator::StringConcat
                || *op == BinaryOperator::PGExp
        }
        Expr::UnaryOp { op, .. } => *op == UnaryOperator::Minus,
        Expr::InSubquery { .. } | Expr::Between { .. } | Expr::InList { .. } => true,
        // A column in a plain SELECT's ORDER BY (only those are typed).
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => true,
        // A subscript: of an array or of jsonb (0-based, keys)?
        Expr::CompoundFieldAccess { access_chain, .. } => access_chain
            .iter()
            .any(|a| matches!(a, sqlparser::ast::AccessExpr::Subscript(_))),
        Expr::Function(f) => {
            [
                "pg_typeof",
                "sum",
                "avg",
                "array_agg",
                "min",
                "max",
                "array",
                "string_agg",
            ]
            .iter()
            .any(|name| is_function(f, name))
                || is_json_builder(f)
                || super::numeric_math::is_typed(f)
        }
        _ => false,
    }
}

fn is_integer(t: &DataType) -> bool {
    matches!(types::type_name(t).as_str(), "int2" | "int4" | "int8")
}

/// Whether a call's arguments hold a set-returning function (`unnest(a)`) outside any
/// subquery.
fn returns_set(f: &Function) -> bool {
    /// Subqueries entered so far, and whether a set-returning call was seen outside them.
    struct Finder(usize, bool);
    impl sqlparser::ast::Visitor for Finder {
        type Break = ();
        fn pre_visit_query(&mut self, _: &sqlparser::ast::Query) -> ControlFlow<()> {
            self.0 += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &sqlparser::ast::Query) -> ControlFlow<()> {
            self.0 -= 1;
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            if let Expr::Function(g) = e {
                if self.0 == 0 && super::srf::SET_RETURNING.iter().any(|n| is_function(g, n)) {
                    self.1 = true;
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        }
    }
    let mut finder = Finder(0, false);
    let _ = sqlparser::ast::Visit::visit(&f.args, &mut finder);
    finder.1
}

fn is_function(f: &Function, name: &str) -> bool {
    f.name
        .0
        .last()
        .is_some_and(|p| p.to_string().eq_ignore_ascii_case(name))
}

/// A column's `@>` / `<@` (an array's or a jsonb's: the engine reads which, as
/// `pg_contains(container, contained, type, type)`); anything else as written.
fn containment(a: Expr, op: BinaryOperator, b: Expr, left: &Ty, right: &Ty) -> Expr {
    let column = matches!(
        (known(left), known(right)),
        (Known::Schema, Known::Untyped | Known::Schema) | (Known::Untyped, Known::Schema)
    );
    if !column {
        return Expr::BinaryOp {
            left: Box::new(a),
            op,
            right: Box::new(b),
        };
    }
    let ((container, ct), (contained, dt)) = if op == BinaryOperator::AtArrow {
        ((a, left), (b, right))
    } else {
        ((b, right), (a, left))
    };
    let types = [string(&ct.encode()), string(&dt.encode())];
    call(
        "pg_contains",
        [vec![container, contained], types.to_vec()].concat(),
    )
}

/// `-x` of an interval or integer (or of a column, whose type the engine reads):
/// `pg_neg`, which negates an interval's fields and an integer with its type's range
/// check.
fn negated(operand: Expr, ty: &Ty) -> Expr {
    call("pg_neg", vec![operand, string(&ty.encode())])
}

/// `min(x)` / `max(x)` of intervals or arrays: by their order (`pg_interval_max`,
/// `pg_array_min`…), not their text; for a column, `pg_order_max(x, 'type')`, which the
/// engine makes one of those or SQLite's own `max(x)` (engine/compare.rs). Not with
/// other than one argument (SQLite's scalar min/max).
fn ordered_extreme(mut f: Function, ty: &Ty) -> Expr {
    let max = is_function(&f, "max");
    let single = plain_args_len(&f) == Some(1);
    let kind = match known(ty) {
        _ if !single => None,
        Known::Type(t) if t == "interval" => Some("pg_interval"),
        Known::Type(t) if t.ends_with("[]") => Some("pg_array"),
        Known::Schema => Some("pg_order"),
        _ => None,
    };
    let Some(kind) = kind else {
        return Expr::Function(f);
    };
    // A window's (`OVER`) keeps its frame's values; the aggregate only the best.
    let window = if f.over.is_some() && kind != "pg_order" {
        "_w"
    } else {
        ""
    };
    let name = format!("{kind}_{}{window}", if max { "max" } else { "min" });
    f.name = ObjectName::from(vec![Ident::new(name)]);
    if kind == "pg_order" {
        if let FunctionArguments::List(list) = &mut f.args {
            list.args
                .push(FunctionArg::Unnamed(FunctionArgExpr::Expr(string(
                    &ty.encode(),
                ))));
        }
    }
    Expr::Function(f)
}

fn plain_args_len(f: &Function) -> Option<usize> {
    match &f.args {
        FunctionArguments::List(list) => Some(list.args.len()),
        _ => None,
    }
}

/// `x[k]…`: jsonb's subscript when x is jsonb (its root read as jsonb, json.rs), an
/// array's otherwise (arrays.rs); for a column, both, one picked when the statement is
/// prepared (engine/compare.rs).
fn subscripted(root: Expr, chain: Vec<sqlparser::ast::AccessExpr>, ty: &Ty) -> Expr {
    let (root, chain) = super::arrays::qualified_root(root, chain);
    let access = |root: Expr| Expr::CompoundFieldAccess {
        root: Box::new(root),
        access_chain: chain.clone(),
    };
    match known(ty) {
        // A jsonb call is already known as jsonb (json.rs); a column is not.
        Known::Type(t)
            if t == "jsonb"
                && matches!(root, Expr::Identifier(_) | Expr::CompoundIdentifier(_)) =>
        {
            access(call("pg_jsonb", vec![root]))
        }
        Known::Schema => call(
            super::SUBSCRIPT_MARKER,
            vec![
                access(root.clone()),
                access(call("pg_jsonb", vec![root])),
                string(&ty.encode()),
            ],
        ),
        _ => access(root),
    }
}

/// `ARRAY[a, b]` typed `types` (one list): an element that is an array goes in as JSON
/// (`pg_array_nestable`), one more dimension rather than a string, as in PostgreSQL; a
/// column the engine decides (`pg_array_value`, engine/compare.rs). `ARRAY[…]` elements
/// nest already (translate/arrays.rs).
fn nested_elements(mut a: sqlparser::ast::Array, types: &Ty) -> Expr {
    let Ty::Common(types) = types else {
        return Expr::Array(a);
    };
    // A string literal beside an array is an array of that type (a column's: read when
    // the statement is prepared).
    let array_type = types.iter().find_map(|t| match known(t) {
        Known::Type(n) if n.ends_with("[]") => Some((Some(n), t)),
        Known::Schema => Some((None, t)),
        _ => None,
    });
    for (e, ty) in a.elem.iter_mut().zip(types) {
        if let (Some((name, other)), true) = (&array_type, types::string_literal(e)) {
            let taken = std::mem::replace(e, Expr::value(sqlparser::ast::Value::Null));
            *e = match name {
                Some(n) => call(
                    "pg_array_nestable",
                    vec![call("pg_cast", vec![taken, string(n)])],
                ),
                None => call(
                    super::ARRAY_VALUE_MARKER,
                    vec![taken, string(&other.encode())],
                ),
            };
            continue;
        }
        if matches!(e, Expr::Array(_) | Expr::Value(_)) {
            continue;
        }
        let wrap = match known(ty) {
            Known::Type(t) if t.ends_with("[]") => "pg_array_nestable",
            Known::Schema => super::ARRAY_VALUE_MARKER,
            _ => continue,
        };
        let taken = std::mem::replace(e, Expr::value(sqlparser::ast::Value::Null));
        *e = match wrap {
            "pg_array_nestable" => call(wrap, vec![taken]),
            _ => call(wrap, vec![taken, string(&ty.encode())]),
        };
    }
    Expr::Array(a)
}

/// `string_agg(x, sep)` of bytea is bytea: SQLite's group_concat joins the bytes but
/// answers text. For a column, the engine decides (`pg_is_bytea`).
fn joined_bytes(f: Function, ty: &Ty) -> Expr {
    let blob = |e: Expr| call("pg_joined_bytes", vec![e]);
    match known(ty) {
        Known::Type(t) if t == "bytea" => blob(Expr::Function(f)),
        Known::Schema => Expr::Case {
            case_token: AttachedToken::empty(),
            end_token: AttachedToken::empty(),
            operand: None,
            conditions: vec![CaseWhen {
                condition: call("pg_is_bytea", vec![string(&ty.encode())]),
                result: blob(Expr::Function(f.clone())),
            }],
            else_result: Some(Box::new(Expr::Function(f))),
        },
        _ => Expr::Function(f),
    }
}

/// `array_agg(x)` of arrays: x as JSON (`pg_array_nestable(x)`), so that the arrays nest into one
/// more dimension instead of being kept as strings; for a column, the engine decides
/// (`pg_array_value`, engine/compare.rs).
fn nested_arrays(mut f: Function, ty: &Ty) -> Expr {
    let wrap = |e: Expr| match known(ty) {
        Known::Type(t) if t.ends_with("[]") => call("pg_array_nestable", vec![e]),
        Known::Schema => call(super::ARRAY_VALUE_MARKER, vec![e, string(&ty.encode())]),
        _ => e,
    };
    if let FunctionArguments::List(list) = &mut f.args {
        if let [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] = list.args.as_mut_slice() {
            let taken = std::mem::replace(arg, Expr::value(sqlparser::ast::Value::Null));
            *arg = wrap(taken);
        }
    }
    Expr::Function(f)
}

fn is_json_builder(f: &Function) -> bool {
    types::JSON_BUILDERS.iter().any(|name| is_function(f, name))
}

/// A json builder's arguments (`json_build_array(a, b)`, `json_agg(x)`…) typed `args`
/// (types: one list): an array, json or jsonb value as JSON ([`json_mark`]), so that it
/// goes in as an array or object rather than as a string, as in PostgreSQL; a column
/// the engine decides (`pg_json_value`, engine/compare.rs). A value read back from a
/// subquery has lost SQLite's JSON mark, so json results are marked again.
fn json_arguments(mut f: Function, args: &Ty) -> Expr {
    let Ty::Common(types) = args else {
        return Expr::Function(f);
    };
    // An object's keys are left as they are: the builders refuse an array or json key
    // (22023) by its JSON mark, which a cast to an array gives.
    let keyed = [
        "json_build_object",
        "jsonb_build_object",
        "json_object_agg",
        "jsonb_object_agg",
    ]
    .iter()
    .any(|name| is_function(&f, name));
    let row = is_function(&f, "pg_row_to_json");
    if let FunctionArguments::List(list) = &mut f.args {
        for (k, (arg, ty)) in list.args.iter_mut().zip(types).enumerate() {
            let FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) = arg else {
                continue;
            };
            // A literal's own JSON is written by json.rs (`true` as `json('true')`);
            // pg_row_to_json(pretty, key, value, …) has its keys at odd places.
            let key = if row { k % 2 == 1 } else { keyed && k % 2 == 0 };
            if key || matches!(e, Expr::Value(_)) {
                continue;
            }
            let wrapped = match known(ty) {
                Known::Type(t) if json_mark(&t).is_some() => {
                    let taken = std::mem::replace(e, Expr::value(sqlparser::ast::Value::Null));
                    call(json_mark(&t).unwrap_or("json"), vec![taken])
                }
                Known::Schema => {
                    let taken = std::mem::replace(e, Expr::value(sqlparser::ast::Value::Null));
                    call(super::JSON_VALUE_MARKER, vec![taken, string(&ty.encode())])
                }
                _ => continue,
            };
            *e = wrapped;
        }
    }
    Expr::Function(f)
}

/// What puts a value of type `t` into JSON as PostgreSQL's json builders do: an array
/// as its JSON array (`json`), json with its text as written (`pg_json`), jsonb as
/// jsonb prints (`pg_jsonb`), a boolean as `true`/`false` (`pg_json_bool`, not SQLite's
/// 1/0); None for any other type (a scalar).
pub(crate) fn json_mark(t: &str) -> Option<&'static str> {
    match t {
        _ if t.ends_with("[]") => Some("pg_array_as_json"),
        "json" => Some("pg_json"),
        "jsonb" => Some("pg_jsonb"),
        "bool" => Some("pg_json_bool"),
        _ if t.split('(').next() == Some("numeric") => Some("pg_numeric_json"),
        _ if matches!(
            t.split('(').next(),
            Some("timestamp" | "timestamptz" | "date")
        ) =>
        {
            Some("pg_datetime_json")
        }
        _ => None,
    }
}

/// `sum(x)` / `avg(x)` of intervals: `pg_interval_sum` / `pg_interval_avg` (SQLite's
/// would add the text's leading digits). For a column, whose type only the engine
/// knows, both are written and `pg_is_interval` picks one.
fn interval_aggregate(f: Function, ty: &Ty) -> Expr {
    let mut interval = f.clone();
    let sum = is_function(&f, "sum");
    let name = if sum {
        "pg_interval_sum"
    } else {
        "pg_interval_avg"
    };
    interval.name = ObjectName::from(vec![Ident::new(name)]);
    // numeric's exact sum and avg take the type too (a numeric(p,s) value's scale);
    // SQLite has DISTINCT for one-argument aggregates only, so that form stays SQLite's.
    let numeric = numeric_aggregate(&f, sum, ty);
    let spec = string(&ty.encode());
    match known(ty) {
        Known::Type(t) if t == "interval" => Expr::Function(interval),
        // A float's: NaN and cancelling infinities as float8pl gives them (not a window:
        // the frame's sum stays SQLite's).
        Known::Type(t) if matches!(t.as_str(), "float4" | "float8") && f.over.is_none() => {
            let mut float = f;
            float.name = ObjectName::from(vec![Ident::new(if sum {
                "pg_float_sum"
            } else {
                "pg_float_avg"
            })]);
            Expr::Function(float)
        }
        // avg of integers is numeric too (`2.5000000000000000`).
        Known::Type(t)
            if numeric.is_some()
                && (t.split('(').next() == Some("numeric")
                    || (!sum && matches!(t.as_str(), "int2" | "int4" | "int8"))) =>
        {
            Expr::Function(numeric.unwrap_or(f))
        }
        Known::Schema => {
            let mut conditions = vec![CaseWhen {
                condition: call("pg_is_interval", vec![spec.clone()]),
                result: Expr::Function(interval),
            }];
            if let Some(numeric) = numeric {
                let exact = number(u32::from(!sum));
                conditions.push(CaseWhen {
                    condition: call("pg_is_numeric", vec![spec, exact]),
                    result: Expr::Function(numeric),
                });
            }
            Expr::Case {
                case_token: AttachedToken::empty(),
                end_token: AttachedToken::empty(),
                operand: None,
                conditions,
                else_result: Some(Box::new(Expr::Function(f))),
            }
        }
        _ => Expr::Function(f),
    }
}

/// `pg_numeric_sum(x, 'type')` / `pg_numeric_avg(x, 'type')` for `f`; None for a
/// DISTINCT aggregate or another argument list.
fn numeric_aggregate(f: &Function, sum: bool, ty: &Ty) -> Option<Function> {
    let mut numeric = f.clone();
    numeric.name = ObjectName::from(vec![Ident::new(if sum {
        "pg_numeric_sum"
    } else {
        "pg_numeric_avg"
    })]);
    let FunctionArguments::List(list) = &mut numeric.args else {
        return None;
    };
    if list.duplicate_treatment.is_some() || list.args.len() != 1 || !list.clauses.is_empty() {
        return None;
    }
    list.args
        .push(FunctionArg::Unnamed(FunctionArgExpr::Expr(string(
            &ty.encode(),
        ))));
    Some(numeric)
}

/// The operator's name for `pg_op` when its operand types may give it a meaning other
/// than SQLite's; None when SQLite's operator is PostgreSQL's (both operands certainly
/// floats or numeric, adding or subtracting or multiplying) or nothing is known.
fn operator(op: &BinaryOperator, left: &Ty, right: &Ty) -> Option<&'static str> {
    let name = match op {
        BinaryOperator::Plus => "+",
        BinaryOperator::Minus => "-",
        BinaryOperator::Multiply => "*",
        BinaryOperator::Divide => "/",
        BinaryOperator::Modulo => "%",
        _ => return None,
    };
    let (l, r) = (known(left), known(right));
    match (&l, &r) {
        // Nothing known about either: SQLite's meaning, as before.
        (Known::Nothing, _) | (_, Known::Nothing) => None,
        (Known::Untyped, Known::Untyped) => None,
        (Known::Type(a), Known::Type(b)) if native(a, b) => None,
        (Known::Type(a), Known::Untyped) | (Known::Untyped, Known::Type(a)) if native(a, a) => None,
        _ => Some(name),
    }
}

/// PostgreSQL's 42883 for a comparison whose operand types the tree knows (a cast, a
/// typed literal: no column) and that are in different families, which no implicit cast
/// joins: `true <= 3`, `'a'::text = 1`, `date '2020-01-01' > 5`. An untyped literal
/// takes the other side's type; anything else is left as it was.
fn comparable(op: &BinaryOperator, left: &Ty, right: &Ty) -> Result<(), PgError> {
    let (Known::Type(l), Known::Type(r)) = (known(left), known(right)) else {
        return Ok(());
    };
    let family = |t: &str| match t.split('(').next().unwrap_or(t) {
        "int2" | "int4" | "int8" | "numeric" | "float4" | "float8" => Some(0),
        "text" | "varchar" | "bpchar" => Some(1),
        "bool" => Some(2),
        "date" | "timestamp" | "timestamptz" => Some(3),
        // time casts to interval implicitly.
        "time" | "interval" => Some(4),
        _ => None,
    };
    match (family(&l), family(&r)) {
        (Some(a), Some(b)) if a != b => Err(PgError::new(
            SqlState::UNDEFINED_FUNCTION,
            format!(
                "operator does not exist: {} {op} {}",
                type_name(&l),
                type_name(&r)
            ),
        )
        .with_hint(
            "No operator matches the given name and argument types. You might need to add \
             explicit type casts.",
        )),
        _ => Ok(()),
    }
}

/// PostgreSQL's name of a built-in type the tree names (`integer`, `boolean`).
fn type_name(t: &str) -> String {
    match t.split('(').next().unwrap_or(t) {
        "int2" => "smallint",
        "int4" => "integer",
        "int8" => "bigint",
        "float4" => "real",
        "float8" => "double precision",
        "varchar" => "character varying",
        "bpchar" => "character",
        "bool" => "boolean",
        "time" => "time without time zone",
        "timestamp" => "timestamp without time zone",
        "timestamptz" => "timestamp with time zone",
        other => other,
    }
    .to_string()
}

/// PostgreSQL's 42883 when `op` certainly has no meaning for its operands: both types
/// are known without the schema, each a number, string, boolean, date or time, and no
/// operator takes them.
fn exists(op: &BinaryOperator, left: &Ty, right: &Ty) -> Result<(), PgError> {
    let modelled = |t: &str| {
        let b = t.split('(').next().unwrap_or(t);
        matches!(
            b,
            "int2"
                | "int4"
                | "int8"
                | "numeric"
                | "float4"
                | "float8"
                | "text"
                | "varchar"
                | "bpchar"
                | "bool"
                | "date"
                | "time"
                | "timestamp"
                | "timestamptz"
                | "interval"
        )
    };
    let (l, r) = match (known(left), known(right)) {
        (Known::Type(l), Known::Type(r)) => (l, r),
        (Known::Type(l), Known::Untyped) => (l.clone(), l),
        _ => return Ok(()),
    };
    let float = |t: &str| t.starts_with("float");
    // PostgreSQL has no `%` for floating point.
    let float_modulo = *op == BinaryOperator::Modulo && (float(&l) || float(&r));
    // `||` needs a string on one side (an untyped literal is one): `3 || 4.0` has none.
    let stringy = |t: &str| matches!(t.split('(').next(), Some("text" | "varchar" | "bpchar"));
    let untyped = matches!(known(right), Known::Untyped);
    let concat_without_text =
        *op == BinaryOperator::StringConcat && !untyped && !stringy(&l) && !stringy(&r);
    if !modelled(&l)
        || !modelled(&r)
        || (types::operator_type(op, Some(&l), Some(&r)).is_some()
            && !float_modulo
            && !concat_without_text)
    {
        return Ok(());
    }
    Err(no_operator(&l, &op.to_string(), &r))
}

/// PostgreSQL's 42883 for an operator `op` that does not exist for types `l` and `r`
/// (litewire's names: `int8`, `varchar(3)`), which it names as PostgreSQL does.
pub(crate) fn no_operator(l: &str, op: &str, r: &str) -> PgError {
    PgError::new(
        SqlState::UNDEFINED_FUNCTION,
        format!(
            "operator does not exist: {} {op} {}",
            type_name(l),
            type_name(r)
        ),
    )
    .with_hint(
        "No operator matches the given name and argument types. You might need to add \
         explicit type casts.",
    )
}

/// An operand of `||` whose type the tree names and whose SQLite text is not
/// PostgreSQL's (a boolean, a float, a timestamptz...): printed as PostgreSQL prints
/// the type. Strings, json and operands of unknown type stay as they are.
fn as_text(e: Expr, t: &Ty) -> Expr {
    match known(t) {
        Known::Type(name) if printed_differently(&name) => {
            call("pg_text_out", vec![e, string(&t.encode())])
        }
        _ => e,
    }
}

/// Types whose stored SQLite value is not their PostgreSQL text (what `x::text` and
/// `x || ''` show): pg_text_out prints them with their output function.
fn printed_differently(t: &str) -> bool {
    matches!(
        t.split('(').next().unwrap_or(t),
        "bool"
            | "interval"
            | "float4"
            | "float8"
            | "numeric"
            | "timestamptz"
            | "bytea"
            // A BC date's stored form is not its text (engine/datetime.rs).
            | "date"
            | "timestamp"
    ) || t.ends_with("[]")
}

/// `pg_int`'s code for `op` on two operands the tree types as integers: the operator's
/// place in `+ - * / %` times ten plus the wider operand's width in bytes.
fn integer_code(op: &BinaryOperator, left: &Ty, right: &Ty) -> Option<u32> {
    let width = |t: &Ty| match known(t) {
        Known::Type(n) => match n.as_str() {
            "int2" => Some(2),
            "int4" => Some(4),
            "int8" => Some(8),
            _ => None,
        },
        _ => None,
    };
    let op = match op {
        BinaryOperator::Plus => 1,
        BinaryOperator::Minus => 2,
        BinaryOperator::Multiply => 3,
        BinaryOperator::Divide => 4,
        BinaryOperator::Modulo => 5,
        _ => return None,
    };
    Some(op * 10 + width(left)?.max(width(right)?))
}

fn number(n: u32) -> Expr {
    Expr::value(sqlparser::ast::Value::Number(n.to_string(), false))
}

enum Known {
    /// A type known without the schema.
    Type(String),
    /// A literal or parameter: it takes the other operand's type.
    Untyped,
    /// Known once the schema is read (a column's type).
    Schema,
    /// Not known at all.
    Nothing,
}

fn known(t: &Ty) -> Known {
    match t {
        Ty::Literal | Ty::Param(_) => Known::Untyped,
        Ty::Unknown | Ty::Routine { .. } | Ty::RoutineArg { .. } => Known::Nothing,
        _ => match types::resolve(t, &NoSchema) {
            Some(name) => Known::Type(name),
            None if needs_schema(t) => Known::Schema,
            None => Known::Nothing,
        },
    }
}

/// Whether resolving `t` would read the schema.
fn needs_schema(t: &Ty) -> bool {
    match t {
        Ty::Column { .. } | Ty::Nth { .. } => true,
        Ty::First(all) | Ty::Common(all) => all.iter().any(needs_schema),
        Ty::Op(_, a, b) => needs_schema(a) || needs_schema(b),
        Ty::Of(_, a) => needs_schema(a),
        _ => false,
    }
}

/// Types whose arithmetic SQLite computes as PostgreSQL does: anything that is not a
/// number, date, time or array (and json's operators, translated before this).
fn native(a: &str, b: &str) -> bool {
    let base = |t: &str| t.split('(').next().unwrap_or(t).to_string();
    let (a, b) = (base(a), base(b));
    // numeric with numeric is pg_op's: it adds and multiplies decimal digits. Floats are
    // too: SQLite's own arithmetic makes NaN (`'Infinity' - 'Infinity'`) NULL and
    // overflows to Infinity where PostgreSQL says 22003.
    let special = |t: &str| {
        matches!(
            t,
            "int2"
                | "int4"
                | "int8"
                | "date"
                | "time"
                | "timetz"
                | "timestamp"
                | "timestamptz"
                | "interval"
                | "float4"
                | "float8"
                | "numeric"
        ) || t.ends_with("[]")
    };
    // json/jsonb operators are the json translator's (translate/json.rs).
    let json = |t: &str| matches!(t, "json" | "jsonb");
    (!special(&a) && !special(&b)) || json(&a) || json(&b)
}

/// Resolution without a database: only types the tree itself names.
pub(super) struct NoSchema;

impl types::Schema for NoSchema {
    fn columns(&self, _table: &str) -> Option<Vec<(String, String)>> {
        None
    }
    fn param(&self, _n: usize) -> Option<String> {
        None
    }
}
