//! Reading a [`Ty`] against the [`Schema`] the engine supplies: declared column types,
//! common types of CASE/UNION branches, number promotion, aggregates' result types, and
//! `*` expanded to the columns of the tables it covers.

use super::*;

/// The columns a statement returns, each as (PostgreSQL name, type name), with `*`
/// expanded through the schema. None when the statement returns no rows or its columns
/// cannot be listed (an unknown table).
pub fn resolve_columns(
    typing: &Typing,
    schema: &dyn Schema,
) -> Option<Vec<(String, Option<String>)>> {
    let mut out = Vec::new();
    for c in typing.columns.as_ref()? {
        expand(c, schema, &mut out, 0)?;
    }
    Some(out)
}

pub(super) fn expand(
    c: &Column,
    schema: &dyn Schema,
    out: &mut Vec<(String, Option<String>)>,
    depth: usize,
) -> Option<()> {
    if depth > MAX_DEPTH {
        return None;
    }
    match c {
        Column::Expr { name, ty } => out.push((name.clone(), resolve(ty, schema))),
        Column::All(Source {
            kind: SourceKind::Table(t),
            ..
        }) => {
            for (name, decl) in schema.columns(t)? {
                out.push((name, declared(&decl)));
            }
        }
        Column::All(Source {
            kind: SourceKind::Derived(cols),
            ..
        }) => {
            for c in cols {
                expand(c, schema, out, depth + 1)?;
            }
        }
    }
    Some(())
}

/// The PostgreSQL type name `ty` stands for in `schema`, modifiers kept where PostgreSQL
/// keeps them; None when unknown.
pub fn resolve(ty: &Ty, schema: &dyn Schema) -> Option<String> {
    resolve_at(ty, schema, 0)
}

pub(super) fn resolve_at(ty: &Ty, schema: &dyn Schema, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    let r = |t: &Ty| resolve_at(t, schema, depth + 1);
    match ty {
        Ty::Unknown => None,
        Ty::Routine { name, nargs } => schema.routine(name, *nargs),
        Ty::RoutineArg { name, nargs, index } => schema.routine_arg(name, *nargs, *index),
        Ty::Literal => Some("text".into()),
        Ty::Named(n) => Some(n.clone()),
        Ty::Column { tables, column } => tables
            .iter()
            .find_map(|t| schema.column_type(t, column))
            .and_then(|decl| declared(&decl)),
        Ty::Nth { table, index } => schema
            .columns(table)?
            .into_iter()
            .nth(*index)
            .and_then(|(_, decl)| declared(&decl)),
        Ty::Param(n) => schema.param(*n),
        Ty::First(all) => all.iter().find_map(r),
        Ty::Common(all) => common(all.iter().filter(|t| **t != Ty::Literal).map(r))
            .or_else(|| all.contains(&Ty::Literal).then(|| "text".into())),
        Ty::Op(op, a, b) => operator(*op, a, b, &r),
        Ty::Of(f, a) => {
            let a = r(a)?;
            follow(*f, &a)
        }
    }
}

/// A declared column type in PostgreSQL's spelling; None when there is none.
pub(super) fn declared(decl: &str) -> Option<String> {
    let decl = decl.trim();
    if decl.is_empty() {
        return None;
    }
    // SQLite keeps a declared type unquoted: a mixed-case name no built-in type has (an
    // enum's, `enum_Users_kind`) keeps its case (SQLite's own `NUM`, `INT` do not).
    let c = canonical(decl);
    Some(
        if !decl.contains(['(', '[', ' '])
            && decl.contains(|ch: char| ch.is_ascii_lowercase())
            && c == decl.to_ascii_lowercase()
            && !super::builtins::BUILTIN.contains(&c.as_str())
        {
            decl.to_string()
        } else {
            c
        },
    )
}

/// The common type of several (PostgreSQL's UNION/CASE resolution, simplified): numbers
/// promote, anything else is the first known type; modifiers survive only if all agree.
pub(super) fn common(types: impl Iterator<Item = Option<String>>) -> Option<String> {
    let mut result: Option<String> = None;
    for t in types {
        let t = t?;
        result = Some(match result {
            None => t,
            Some(r) if r == t => r,
            Some(r) => match (rank(base(&r)), rank(base(&t))) {
                (Some(a), Some(b)) => promote(base(&r), base(&t), a, b).to_string(),
                _ => base(&r).to_string(),
            },
        });
    }
    result
}

/// Numeric types in PostgreSQL's promotion order.
pub(super) fn rank(t: &str) -> Option<u8> {
    Some(match t {
        "int2" => 1,
        "int4" => 2,
        "int8" => 3,
        "numeric" => 4,
        "float4" => 5,
        "float8" => 6,
        _ => return None,
    })
}

/// The type two numeric operands meet at: float4 only with float4, float8 with any
/// other float, else the wider.
pub(super) fn promote<'a>(a: &'a str, b: &'a str, ra: u8, rb: u8) -> &'a str {
    if (ra >= 5 || rb >= 5) && ra != rb {
        return "float8";
    }
    if ra >= rb {
        a
    } else {
        b
    }
}

pub(super) fn operator(
    op: Op,
    a: &Ty,
    b: &Ty,
    r: &dyn Fn(&Ty) -> Option<String>,
) -> Option<String> {
    if op == Op::Concat {
        let (ta, tb) = (r(a), r(b));
        for t in [&ta, &tb].into_iter().flatten() {
            if t.ends_with("[]") || base(t) == "jsonb" {
                return Some(t.clone());
            }
        }
        return Some("text".into());
    }
    // An untyped literal takes the other operand's type (`n + '1'`).
    let (ta, tb) = match (a, b) {
        (Ty::Literal, b) => (r(b)?, r(b)?),
        (a, Ty::Literal) => (r(a)?, r(a)?),
        (a, b) => (r(a)?, r(b)?),
    };
    let (x, y) = (base(&ta), base(&tb));
    if let (Some(ra), Some(rb)) = (rank(x), rank(y)) {
        return Some(promote(x, y, ra, rb).to_string());
    }
    let time = |t: &str| matches!(t, "timestamp" | "timestamptz");
    let int = |t: &str| matches!(t, "int2" | "int4" | "int8");
    Some(
        match (op, x, y) {
            (Op::Minus, "date", "date") => "int4",
            (Op::Plus | Op::Minus, "date", i) | (Op::Plus, i, "date") if int(i) => "date",
            (Op::Plus | Op::Minus, "date", "interval") | (Op::Plus, "interval", "date") => {
                "timestamp"
            }
            (Op::Plus, "date", "time") | (Op::Plus, "time", "date") => "timestamp",
            (Op::Minus, t, u) if time(t) && time(u) => "interval",
            // The date is its midnight (engine: pgfuncs/operators.rs).
            (Op::Minus, "date", "timestamp") | (Op::Minus, "timestamp", "date") => "interval",
            (Op::Plus | Op::Minus, t, "interval") if time(t) => t,
            (Op::Plus, "interval", t) if time(t) => t,
            (Op::Plus | Op::Minus, "time", "interval") => "time",
            (Op::Minus, "time", "time") => "interval",
            (_, "interval", "interval") => "interval",
            (Op::Times, "interval", n) | (Op::Times, n, "interval") if rank(n).is_some() => {
                "interval"
            }
            _ => return None,
        }
        .to_string(),
    )
}

pub(super) fn follow(f: Follow, a: &str) -> Option<String> {
    let b = base(a);
    Some(match f {
        Follow::Sum => match b {
            "int2" | "int4" => "int8".into(),
            "int8" => "numeric".into(),
            // The sum keeps its inputs' scale, rendered from the modifier.
            "numeric" => a.into(),
            "float4" | "float8" | "interval" | "money" => b.into(),
            _ => return None,
        },
        Follow::Avg => match b {
            "int2" | "int4" | "int8" | "numeric" => "numeric".into(),
            "float4" | "float8" => "float8".into(),
            "interval" => "interval".into(),
            _ => return None,
        },
        Follow::Math => match b {
            "numeric" => "numeric".into(),
            "int2" | "int4" | "int8" | "float4" | "float8" => "float8".into(),
            _ => return None,
        },
        Follow::ArrayOf | Follow::Aggregated | Follow::Nested if !a.ends_with("[]") => {
            format!("{b}[]")
        }
        // array_agg and ARRAY[…] of arrays nest them (translate/operators.rs).
        Follow::Aggregated | Follow::Nested => a.into(),
        // ARRAY(SELECT array …): its values are not nested (they stay text), so the
        // result stays untyped (its JSON text).
        Follow::ArrayOf => return None,
        // A jsonb subscript is jsonb.
        Follow::ElementOf if a == "jsonb" => a.into(),
        // The catalog's vectors are arrays of int2 / oid.
        Follow::ElementOf if a == "int2vector" => "int2".into(),
        Follow::ElementOf if a == "oidvector" => "oid".into(),
        Follow::ElementOf => base(a.strip_suffix("[]")?).to_string(),
        // PostgreSQL drops the modifier (max of a numeric(10,2) is numeric), but its
        // values keep their scale or padding, which litewire renders from the modifier.
        Follow::Bare if matches!(b, "bpchar" | "numeric") => a.into(),
        Follow::Bare => b.into(),
        Follow::Truncated if b == "date" => "timestamptz".into(),
        Follow::Truncated => b.into(),
        Follow::Joined if b == "bytea" => b.into(),
        Follow::Joined => "text".into(),
    })
}

/// The result type of `left op right` for operands already resolved (None: an untyped
/// literal or parameter, which takes the other operand's type).
pub fn operator_type(
    op: &sqlparser::ast::BinaryOperator,
    left: Option<&str>,
    right: Option<&str>,
) -> Option<String> {
    let ty = |t: Option<&str>| t.map_or(Ty::Literal, |t| Ty::Named(t.to_string()));
    match binary_type(op, ty(left), ty(right)) {
        Ty::Op(o, a, b) => operator(o, &a, &b, &|t| match t {
            Ty::Named(n) => Some(n.clone()),
            _ => None,
        }),
        _ => None,
    }
}
