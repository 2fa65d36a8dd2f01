//! Functions and the special call forms of PostgreSQL's grammar (`extract(f FROM x)`,
//! `AT TIME ZONE`, `position(a IN b)`, `substring(… FROM … FOR …)`, `trim(…)`,
//! `overlay(…)`) as calls of SQLite functions with PostgreSQL's meaning: the `pg_…`
//! functions of engine/pgfuncs/, where SQLite lacks the function or means another thing
//! by its name (`upper` of SQLite is ASCII-only, `substr` reads negative positions
//! from the end, `format` is printf).

use sqlparser::ast::{
    CeilFloorKind, DateTimeField, Expr, Function, FunctionArguments, Ident, ObjectName,
    TrimWhereField, UnaryOperator, Value,
};

use super::{call, plain_args, string, unsupported, Settings};
use crate::protocol::PgError;

/// The session's TimeZone as a literal: the functions that read a timestamptz's local
/// fields take it as their last argument (SQLite cannot see the session).
fn zone(settings: &dyn Settings) -> Expr {
    string(&settings.get("TimeZone").unwrap_or_else(|| "UTC".into()))
}

/// Functions whose result depends on the session's TimeZone.
const ZONED: &[&str] = &[
    "date_part",
    "date_trunc",
    "age",
    "to_char",
    "make_timestamptz",
];

/// A special call form, rewritten; 0A000 for one litewire cannot run exactly.
pub(super) fn special(e: Expr, settings: &dyn Settings) -> Result<Expr, PgError> {
    Ok(match e {
        Expr::Ceil {
            expr,
            field: CeilFloorKind::DateTimeField(DateTimeField::NoDateTime),
        } => call("pg_ceil", vec![*expr]),
        Expr::Floor {
            expr,
            field: CeilFloorKind::DateTimeField(DateTimeField::NoDateTime),
        } => call("pg_floor", vec![*expr]),
        // `|/ x`, `||/ x`, `@ x`.
        Expr::UnaryOp { op, expr } => match op {
            UnaryOperator::PGSquareRoot => math_call("sqrt", "pg_sqrt", vec![*expr])?,
            UnaryOperator::PGCubeRoot => call("pg_cbrt", vec![*expr]),
            UnaryOperator::PGAbs => call("abs", vec![*expr]),
            op => return Err(unsupported(format!("the {op} operator"))),
        },
        Expr::Extract { field, expr, .. } => {
            let unit = match &field {
                DateTimeField::Custom(i) => i.value.clone(),
                DateTimeField::Week(_) => "week".into(),
                other => other.to_string().to_ascii_lowercase(),
            };
            call("pg_extract", vec![string(&unit), *expr, zone(settings)])
        }
        Expr::AtTimeZone {
            timestamp,
            time_zone,
        } => call(
            "pg_at_time_zone",
            vec![literal_timestamptz(*timestamp), *time_zone],
        ),
        Expr::Position { expr, r#in } => call("pg_strpos", vec![*r#in, *expr]),
        Expr::Substring {
            expr,
            substring_from,
            substring_for,
            ..
        } => match (substring_from, substring_for) {
            (Some(pattern), None) if is_string(&pattern) => {
                call("pg_substring_regex", vec![*expr, *pattern])
            }
            (Some(pattern), Some(_)) if is_string(&pattern) => {
                return Err(unsupported("substring(x FROM pattern FOR escape)"))
            }
            (from, count) => {
                let from =
                    from.map_or(Expr::Value(Value::Number("1".into(), false).into()), |f| *f);
                let mut args = vec![*expr, from];
                args.extend(count.map(|c| *c));
                call("pg_substr", args)
            }
        },
        Expr::Trim {
            expr,
            trim_where,
            trim_what,
            trim_characters,
        } => {
            let name = match trim_where {
                None | Some(TrimWhereField::Both) => "pg_btrim",
                Some(TrimWhereField::Leading) => "pg_ltrim",
                Some(TrimWhereField::Trailing) => "pg_rtrim",
            };
            let mut args = vec![*expr];
            args.extend(trim_what.map(|w| *w));
            args.extend(trim_characters.unwrap_or_default());
            if args.len() > 2 {
                return Err(unsupported("trim with more than one character list"));
            }
            call(name, args)
        }
        Expr::Overlay {
            expr,
            overlay_what,
            overlay_from,
            overlay_for,
        } => {
            let mut args = vec![*expr, *overlay_what, *overlay_from];
            args.extend(overlay_for.map(|f| *f));
            call("pg_overlay", args)
        }
        other => return Err(unsupported(format!("{other}"))),
    })
}

/// An untyped string before `AT TIME ZONE` / in `timezone(z, x)` is a timestamptz, as
/// PostgreSQL resolves it (the preferred type of its category): read in the session's
/// zone.
fn literal_timestamptz(e: Expr) -> Expr {
    if is_string(&e) {
        call("pg_timestamptz", vec![e])
    } else {
        e
    }
}

fn is_string(e: &Expr) -> bool {
    matches!(e, Expr::Value(v) if matches!(v.value, Value::SingleQuotedString(_)))
}

/// Functions renamed to their `pg_` version, with the argument counts it takes.
const RENAMED: &[(&str, &[usize])] = &[
    ("split_part", &[3]),
    ("lpad", &[2, 3]),
    ("rpad", &[2, 3]),
    ("initcap", &[1]),
    // SQLite's own unistr() joins no surrogate pairs and refuses nothing.
    ("unistr", &[1]),
    ("strpos", &[2]),
    ("left", &[2]),
    ("right", &[2]),
    ("repeat", &[2]),
    ("reverse", &[1]),
    ("translate", &[3]),
    ("chr", &[1]),
    ("ascii", &[1]),
    ("format", &[]),
    ("concat", &[]),
    ("concat_ws", &[]),
    ("md5", &[1]),
    ("regexp_replace", &[3, 4, 5, 6]),
    ("regexp_count", &[2, 3, 4]),
    ("regexp_instr", &[2, 3, 4, 5, 6, 7]),
    ("regexp_substr", &[2, 3, 4, 5, 6]),
    ("regexp_like", &[2, 3]),
    ("justify_days", &[1]),
    ("justify_hours", &[1]),
    ("justify_interval", &[1]),
    ("starts_with", &[2]),
    ("quote_ident", &[1]),
    ("quote_literal", &[1]),
    ("quote_nullable", &[1]),
    ("to_hex", &[1]),
    ("upper", &[1]),
    ("lower", &[1]),
    ("substr", &[2, 3]),
    ("substring", &[2, 3]),
    ("btrim", &[1, 2]),
    ("ltrim", &[1, 2]),
    ("rtrim", &[1, 2]),
    ("overlay", &[3, 4]),
    ("date_part", &[2]),
    ("date_trunc", &[2, 3]),
    ("age", &[1, 2]),
    ("make_date", &[3]),
    ("make_time", &[3]),
    ("make_timestamp", &[6]),
    ("make_timestamptz", &[6, 7]),
    ("to_timestamp", &[1]),
    ("to_char", &[2]),
    ("encode", &[2]),
    ("date_bin", &[3]),
    ("decode", &[2]),
];

/// Math functions (engine/pgfuncs/math.rs), with the argument counts they take. They
/// compute in double precision: float8's answer, and numeric's where that one is
/// exact (`ceil`, `floor`, `trunc`, `sign`, `div`...).
const MATH: &[(&str, &[usize])] = &[
    ("sqrt", &[1]),
    ("cbrt", &[1]),
    ("exp", &[1]),
    ("ln", &[1]),
    ("log", &[1]),
    ("log10", &[1]),
    ("power", &[2]),
    ("pow", &[2]),
    ("trunc", &[1]),
    ("ceil", &[1]),
    ("ceiling", &[1]),
    ("floor", &[1]),
    ("sign", &[1]),
    ("div", &[2]),
    ("mod", &[2]),
    ("gcd", &[2]),
    ("lcm", &[2]),
    ("factorial", &[1]),
    ("min_scale", &[1]),
    ("trim_scale", &[1]),
    ("width_bucket", &[2, 4]),
    ("pi", &[0]),
    ("degrees", &[1]),
    ("radians", &[1]),
    ("sin", &[1]),
    ("cos", &[1]),
    ("tan", &[1]),
    ("cot", &[1]),
    ("asin", &[1]),
    ("acos", &[1]),
    ("atan", &[1]),
    ("atan2", &[2]),
    ("sind", &[1]),
    ("cosd", &[1]),
    ("tand", &[1]),
    ("cotd", &[1]),
    ("asind", &[1]),
    ("acosd", &[1]),
    ("atand", &[1]),
    ("atan2d", &[2]),
    ("sinh", &[1]),
    ("cosh", &[1]),
    ("tanh", &[1]),
    ("asinh", &[1]),
    ("acosh", &[1]),
    ("atanh", &[1]),
    ("to_number", &[2]),
    ("float4send", &[1]),
    ("float8send", &[1]),
];

/// Functions whose numeric form answers with PostgreSQL's numeric digits and scale
/// (`sqrt(2.0)` is `1.414213562373095`, `power(2.0, 3)` is `8.0000000000000000`). The
/// typing pass sends calls whose argument types it knows to the exact numeric versions
/// (numeric_math.rs); a visible numeric argument that still reaches this, in a form it
/// does not type (a window's `var_pop(x::numeric) OVER …`), would be computed in double
/// precision, so it is refused rather than answered with other digits.
const NUMERIC_DIFFERS: &[&str] = &[
    "sqrt",
    "exp",
    "ln",
    "log",
    "log10",
    "power",
    "pow",
    "gcd",
    "lcm",
    "var_pop",
    "var_samp",
    "variance",
    "stddev",
    "stddev_pop",
    "stddev_samp",
];

/// Whether `e` (already translated) is visibly a numeric: a decimal literal, a cast to
/// numeric, or arithmetic on one. Columns and parameters are not seen (COMPAT.md).
fn is_numeric(e: &Expr) -> bool {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse::<i64>().is_err(),
            _ => false,
        },
        Expr::Nested(e) | Expr::UnaryOp { expr: e, .. } => is_numeric(e),
        Expr::BinaryOp { left, right, .. } => {
            (is_numeric(left) || is_numeric(right)) && !is_float(left) && !is_float(right)
        }
        Expr::Function(f) => {
            let name = f.name.to_string();
            match plain_args(f).as_deref() {
                Some([_, t]) if name == "pg_cast" => {
                    matches!(t, Expr::Value(v) if matches!(&v.value, Value::SingleQuotedString(s) if s == "numeric"))
                }
                Some(args)
                    if name.starts_with("pg_") && MATH.iter().any(|(m, _)| name[3..] == **m) =>
                {
                    args.iter().any(|a| is_numeric(a))
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// Whether `e` (already translated) is visibly an int4 or int2: a literal in int4's
/// range or a cast to one.
fn is_int4(e: &Expr) -> bool {
    match e {
        Expr::Value(v) => matches!(&v.value, Value::Number(n, _) if n.parse::<i32>().is_ok()),
        Expr::Nested(e) => is_int4(e),
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => is_int4(expr),
        Expr::Function(f) if f.name.to_string() == "pg_cast" => matches!(
            plain_args(f).as_deref(),
            Some([_, Expr::Value(v)]) if matches!(&v.value, Value::SingleQuotedString(t) if t == "int4" || t == "int2")
        ),
        _ => false,
    }
}

fn is_float(e: &Expr) -> bool {
    matches!(e, Expr::Function(f) if f.name.to_string() == "pg_float")
}

/// `a ^ b`: `power(a, b)`, refused for a visible numeric as `power()` is.
pub(super) fn power_operator(left: Expr, right: Expr) -> Result<Expr, PgError> {
    math_call("power", "pg_power", vec![left, right])
}

/// `sqlite(args)`, or 0A000 when `name`'s numeric form would answer differently.
fn math_call(name: &str, sqlite: &str, args: Vec<Expr>) -> Result<Expr, PgError> {
    refuse_numeric(name, args.iter())?;
    Ok(call(sqlite, args))
}

fn refuse_numeric<'a>(name: &str, mut args: impl Iterator<Item = &'a Expr>) -> Result<(), PgError> {
    if NUMERIC_DIFFERS.contains(&name) && args.any(is_numeric) {
        return Err(unsupported(format!("{name}() of a numeric")));
    }
    Ok(())
}

/// A call's decimal literal arguments as numeric's text, their written scale kept.
fn decimal_args(f: &mut Function) {
    if let FunctionArguments::List(list) = &mut f.args {
        for arg in &mut list.args {
            if let sqlparser::ast::FunctionArg::Unnamed(sqlparser::ast::FunctionArgExpr::Expr(e)) =
                arg
            {
                let taken = std::mem::replace(e, Expr::value(Value::Null));
                *e = super::operators::decimal_text(taken);
            }
        }
    }
}

/// A math function or statistical aggregate, checked and renamed to its `pg_` version.
fn math(name: &str, f: &mut Function, argc: Option<usize>) -> Result<Option<Expr>, PgError> {
    let args = plain_args(f).unwrap_or_default();
    refuse_numeric(name, args.iter().copied())?;
    match (name, argc) {
        // log(b, x) exists only for numeric.
        ("log", Some(2)) => return Err(unsupported(format!("{name}() of a numeric"))),
        // trunc(x, n) and scale(x) too: exact on numeric's digits (math.rs).
        ("trunc", Some(2)) | ("scale", Some(1)) => {
            if name == "scale" {
                decimal_args(f);
            }
            f.name = ObjectName::from(vec![Ident::new(format!("pg_numeric_{name}"))]);
            return Ok(None);
        }
        ("log", Some(1)) => {
            f.name = ObjectName::from(vec![Ident::new("pg_log10")]);
            return Ok(None);
        }
        _ => {}
    }
    // Function-style casts; round(x, n), numeric's only.
    match (name, argc) {
        ("round", Some(2)) => {
            if args.first().is_some_and(|a| is_float(a)) {
                return Err(PgError::new(
                    crate::protocol::SqlState::UNDEFINED_FUNCTION,
                    "function round(double precision, integer) does not exist",
                ));
            }
            f.name = ObjectName::from(vec![Ident::new("pg_round")]);
            return Ok(None);
        }
        // round(x) of a numeric keeps NaN and the infinities.
        ("round", Some(1)) => {
            f.name = ObjectName::from(vec![Ident::new("pg_round")]);
            return Ok(None);
        }
        // width_bucket(x, thresholds) compares x with the elements: a text x has none
        // (PostgreSQL's thresholds are never text-typed by a number array).
        ("width_bucket", Some(2))
            if args.first().is_some_and(|a| {
                matches!(a, Expr::Cast { data_type, .. } if matches!(data_type,
                    sqlparser::ast::DataType::Text | sqlparser::ast::DataType::Varchar(_)))
            }) =>
        {
            return Err(PgError::new(
                crate::protocol::SqlState::UNDEFINED_FUNCTION,
                "function width_bucket(text, anycompatiblearray) does not exist",
            ));
        }
        ("float8", Some(1)) => {
            f.name = ObjectName::from(vec![Ident::new("pg_float")]);
            return Ok(None);
        }
        ("float4", Some(1)) => {
            f.name = ObjectName::from(vec![Ident::new("pg_float4")]);
            return Ok(None);
        }
        _ => {}
    }
    let Some((_, counts)) = MATH.iter().find(|(n, _)| *n == name) else {
        return Ok(None);
    };
    let Some(argc) = argc.filter(|c| counts.contains(c)) else {
        return Err(PgError::new(
            crate::protocol::SqlState::UNDEFINED_FUNCTION,
            format!("function {name} with these arguments does not exist"),
        ));
    };
    let int4 = matches!(name, "gcd" | "lcm") && args.iter().all(|a| is_int4(a));
    let sqlite = match name {
        // int4's function: its result must fit an int4.
        "gcd" | "lcm" if int4 => format!("pg_{name}_int4"),
        "pow" => "pg_power".to_string(),
        "ceiling" => "pg_ceil".to_string(),
        other => format!("pg_{other}"),
    };
    f.name = ObjectName::from(vec![Ident::new(sqlite)]);
    if name == "mod" {
        // numeric's mod keeps the larger scale: `mod(70.0, 70)` is `0.0`.
        decimal_args(f);
    }
    if argc == 0 {
        // pi(): SQLite's call needs its parentheses kept.
        f.args = FunctionArguments::List(sqlparser::ast::FunctionArgumentList {
            duplicate_treatment: None,
            args: vec![],
            clauses: vec![],
        });
    }
    Ok(None)
}

/// Functions of text only: PostgreSQL casts no number to text implicitly, so
/// `length(42)` is 42883 (SQLite would count the digits).
const TEXT_ONLY: &[&str] = &[
    "length",
    "char_length",
    "character_length",
    "octet_length",
    "bit_length",
    "upper",
    "lower",
    "initcap",
    "reverse",
    "btrim",
    "ltrim",
    "rtrim",
    "lpad",
    "rpad",
    "repeat",
    "left",
    "right",
    "strpos",
    "replace",
    "split_part",
    "translate",
    "ascii",
    "md5",
    "textcat",
];

/// 42883 for a text-only function whose first argument is a number literal.
fn number_to_text_function(name: &str, f: &Function) -> Result<(), PgError> {
    if !TEXT_ONLY.contains(&name) {
        return Ok(());
    }
    let Some(Some(first)) = plain_args(f).map(|a| a.first().copied()) else {
        return Ok(());
    };
    let number = match first {
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => &**expr,
        e => e,
    };
    let Expr::Value(v) = number else {
        return Ok(());
    };
    let Value::Number(n, _) = &v.value else {
        return Ok(());
    };
    let ty = if n.parse::<i32>().is_ok() {
        "integer"
    } else if n.parse::<i64>().is_ok() {
        "bigint"
    } else {
        "numeric"
    };
    let message = match plain_args(f).map_or(1, |a| a.len()) {
        1 => format!("function {name}({ty}) does not exist"),
        _ => format!("function {name} with a first argument of type {ty} does not exist"),
    };
    Err(
        PgError::new(crate::protocol::SqlState::UNDEFINED_FUNCTION, message).with_hint(
            "No function matches the given name and argument types. You might need to add \
         explicit type casts.",
        ),
    )
}

/// `make_interval(years, months, weeks, days, hours, mins, secs)`, by position or name,
/// each 0 when left out: `pg_make_interval` of all seven.
fn make_interval(f: &Function) -> Result<Expr, PgError> {
    const NAMES: [&str; 7] = ["years", "months", "weeks", "days", "hours", "mins", "secs"];
    let args = match &f.args {
        FunctionArguments::List(list) => &list.args[..],
        _ => &[],
    };
    let slots = super::named_args(args, &NAMES).ok_or_else(|| {
        PgError::new(
            crate::protocol::SqlState::UNDEFINED_FUNCTION,
            "function make_interval with these arguments does not exist",
        )
    })?;
    let zero = || Expr::Value(Value::Number("0".into(), false).into());
    let args = slots.into_iter().map(|s| s.unwrap_or_else(zero)).collect();
    Ok(call("pg_make_interval", args))
}

/// A call of `name` (lower case, unqualified) rewritten; None leaves it as it is.
pub(super) fn function(
    name: &str,
    f: &mut Function,
    settings: &dyn Settings,
) -> Result<Option<Expr>, PgError> {
    let argc = plain_args(f).map(|a| a.len());
    if name == "random" && argc == Some(0) && f.over.is_none() {
        // PostgreSQL's random() is a double in [0, 1); SQLite's a signed 64-bit integer
        // (`random() < 0` half the time). 53 random bits make the double exactly.
        return Ok(Some(super::raw(
            "((random() & 9007199254740991) / 9007199254740992.0)".into(),
        )));
    }
    if let Some(e) = math(name, f, argc)? {
        return Ok(Some(e));
    }
    number_to_text_function(name, f)?;
    if argc == Some(0) && matches!(name, "concat" | "concat_ws" | "format") {
        return Err(PgError::new(
            crate::protocol::SqlState::UNDEFINED_FUNCTION,
            format!("function {name}() does not exist"),
        ));
    }
    if name == "make_interval" {
        return make_interval(f).map(Some);
    }
    if let Some((_, counts)) = RENAMED.iter().find(|(n, _)| *n == name) {
        let Some(argc) = argc else {
            return Err(unsupported(format!("{name}() with these arguments")));
        };
        if !counts.is_empty() && !counts.contains(&argc) {
            return Err(unsupported(format!("{name}() with {argc} arguments")));
        }
        let sqlite = match name {
            "substring" => "pg_substr".to_string(),
            other => format!("pg_{other}"),
        };
        if ZONED.contains(&name) {
            let mut args: Vec<Expr> = plain_args(f)
                .unwrap_or_default()
                .into_iter()
                .cloned()
                .collect();
            args.push(zone(settings));
            return Ok(Some(call(&sqlite, args)));
        }
        if matches!(name, "concat" | "concat_ws" | "format") {
            // A boolean literal is text `t`/`f` to them, not SQLite's 1/0.
            if let FunctionArguments::List(list) = &mut f.args {
                for arg in &mut list.args {
                    if let sqlparser::ast::FunctionArg::Unnamed(
                        sqlparser::ast::FunctionArgExpr::Expr(Expr::Value(v)),
                    ) = arg
                    {
                        if let Value::Boolean(b) = v.value {
                            v.value = Value::SingleQuotedString(if b { "t" } else { "f" }.into());
                        }
                    }
                }
            }
        }
        f.name = ObjectName::from(vec![Ident::new(sqlite)]);
        return Ok(None);
    }
    Ok(match name {
        // uuid-ossp's v4 is the same random UUID.
        "gen_random_uuid" | "uuid_generate_v4" if argc == Some(0) => Some(call(
            "pg_uuid",
            vec![call(
                "randomblob",
                vec![Expr::Value(Value::Number("16".into(), false).into())],
            )],
        )),
        // now() is the transaction's start (engine/datetime.rs); these two read the clock.
        "clock_timestamp" | "statement_timestamp" if argc == Some(0) => {
            Some(call("pg_clock_timestamp", vec![]))
        }
        "transaction_timestamp" if argc == Some(0) => Some(call("now", vec![])),
        // Characters, as SQLite's length() counts them in text.
        "char_length" | "character_length" if argc == Some(1) => {
            f.name = ObjectName::from(vec![Ident::new("length")]);
            None
        }
        "timezone" => match plain_args(f).as_deref() {
            Some([zone, ts]) => Some(call(
                "pg_at_time_zone",
                vec![literal_timestamptz((*ts).clone()), (*zone).clone()],
            )),
            _ => return Err(unsupported("timezone() with these arguments")),
        },
        _ => None,
    })
}

#[cfg(test)]
#[path = "functions_tests.rs"]
mod tests;
