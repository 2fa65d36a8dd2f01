//! sqrt, exp, ln, log, power (and `^`) and the variances of numeric: PostgreSQL answers
//! them in numeric, with its own digits and display scale (`sqrt(4.2)` is
//! `2.049390153191920`), so a call whose arguments the tree types as numeric becomes
//! `pg_numeric_sqrt(x)`… (engine/pgfuncs/numeric_math.rs, numeric_stats.rs); one whose
//! argument is a column is chosen once its type is read (`pg_is_numeric`). Float and
//! integer arguments keep the float8 functions (math.rs). `nullif` of numerics too:
//! a numeric held as its text equals the same number.

use sqlparser::ast::helpers::attached_token::AttachedToken;
use sqlparser::ast::{BinaryOperator, CaseWhen, Expr, Function, Ident, ObjectName};

use super::{call, string};
use crate::sql::types::{self, Ty};

/// The functions typed by their arguments (sql/types records them).
pub(crate) const TYPED: &[&str] = &[
    "sqrt",
    "exp",
    "ln",
    "log",
    "log10",
    "power",
    "pow",
    "var_pop",
    "var_samp",
    "variance",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    // Compares numerics as numbers (`nullif(0.0000, 0)` is NULL).
    "nullif",
    // Exact (SQLite's abs of numeric's text is a double).
    "abs",
    "gcd",
    "lcm",
];

/// Whether `f` is one of [`TYPED`].
pub(super) fn is_typed(f: &Function) -> bool {
    f.name
        .0
        .last()
        .is_some_and(|p| TYPED.contains(&p.to_string().to_ascii_lowercase().as_str()))
}

/// Which function the argument types choose.
enum Choice {
    Numeric,
    /// A column's type decides (the spec of the arguments' common type).
    Schema,
    /// float8's (or not known): left as written.
    Float,
}

fn choose(types: &[Ty], aggregate: bool) -> Choice {
    let mut numeric = false;
    let mut schema = false;
    for t in types {
        match t {
            Ty::Literal | Ty::Param(_) => {}
            Ty::Unknown | Ty::Routine { .. } | Ty::RoutineArg { .. } => return Choice::Float,
            _ => match types::resolve(t, &super::operators::NoSchema) {
                Some(name) => match name.split('(').next().unwrap_or("") {
                    "numeric" => numeric = true,
                    // The aggregates of integers are numeric's; sqrt(int) is float8's.
                    "int2" | "int4" | "int8" => numeric |= aggregate,
                    _ => return Choice::Float,
                },
                None => schema = true,
            },
        }
    }
    if schema {
        Choice::Schema
    } else if numeric {
        Choice::Numeric
    } else {
        Choice::Float
    }
}

/// The engine's numeric function for `name` with `argc` arguments.
fn numeric_name(name: &str, argc: usize) -> String {
    match (name, argc) {
        ("log", 1) | ("log10", _) => "pg_numeric_log10".into(),
        ("pow", _) => "pg_numeric_power".into(),
        (other, _) => format!("pg_numeric_{other}"),
    }
}

/// A call of one of [`TYPED`], its arguments typed `args` (`Ty::Common`).
pub(super) fn function(f: Function, args: &Ty) -> Expr {
    let Ty::Common(types) = args else {
        return Expr::Function(f);
    };
    let name = f
        .name
        .0
        .last()
        .map(|p| p.to_string().to_ascii_lowercase())
        .unwrap_or_default();
    let aggregate = name.starts_with("var") || name.starts_with("stddev");
    // With OVER, the aggregates' window forms (`…_over`: frames whose head moves).
    let over = if aggregate && f.over.is_some() {
        "_over"
    } else {
        ""
    };
    let mut numeric = f.clone();
    numeric.name = ObjectName::from(vec![Ident::new(format!(
        "{}{over}",
        numeric_name(&name, types.len())
    ))]);
    // log(b, x) exists only for numeric.
    if name == "log" && types.len() == 2 {
        return Expr::Function(numeric);
    }
    match choose(types, aggregate) {
        Choice::Numeric => Expr::Function(numeric),
        Choice::Float => Expr::Function(f),
        Choice::Schema if aggregate => {
            // Both aggregates run: float8's must not refuse the integers it is given.
            let mut float = f;
            let base = match name.as_str() {
                "variance" => "var_samp",
                "stddev" => "stddev_samp",
                other => other,
            };
            float.name = ObjectName::from(vec![Ident::new(format!("pg_{base}_float{over}"))]);
            chosen(Expr::Function(numeric), Expr::Function(float), args, true)
        }
        Choice::Schema => chosen(Expr::Function(numeric), Expr::Function(f), args, false),
    }
}

/// `a ^ b`, its operands typed `left` and `right`.
pub(super) fn power(a: Expr, b: Expr, left: &Ty, right: &Ty) -> Expr {
    let written = Expr::BinaryOp {
        left: Box::new(a.clone()),
        op: BinaryOperator::PGExp,
        right: Box::new(b.clone()),
    };
    let types = Ty::Common(vec![left.clone(), right.clone()]);
    let numeric = call("pg_numeric_power", vec![a, b]);
    match choose(&[left.clone(), right.clone()], false) {
        Choice::Numeric => numeric,
        Choice::Float => written,
        Choice::Schema => chosen(numeric, written, &types, false),
    }
}

/// `CASE WHEN pg_is_numeric(type) THEN numeric ELSE float END`.
fn chosen(numeric: Expr, float: Expr, types: &Ty, integers: bool) -> Expr {
    Expr::Case {
        case_token: AttachedToken::empty(),
        end_token: AttachedToken::empty(),
        operand: None,
        conditions: vec![CaseWhen {
            condition: call(
                "pg_is_numeric",
                vec![
                    string(&types.encode()),
                    Expr::value(sqlparser::ast::Value::Number(
                        u8::from(integers).to_string(),
                        false,
                    )),
                ],
            ),
            result: numeric,
        }],
        else_result: Some(Box::new(float)),
    }
}
