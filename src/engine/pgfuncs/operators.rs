//! `pg_op(op, a, b, left type, right type)`: the arithmetic operators with PostgreSQL's
//! meaning, chosen by the operands' types (sql/translate/operators.rs writes the calls):
//! integer arithmetic that fails on overflow (22003) instead of turning into a float,
//! division by zero that fails (22012) instead of giving NULL, numeric division that
//! does not truncate integers, and date/time arithmetic (`date + 1`, `timestamp -
//! interval`, `interval * 1.5`…). The types come as type expressions
//! (`sql::types::Ty::encode`) resolved here against the schema of the connection
//! running the statement, once per statement (kept with the constant arguments).
//! `pg_type_of(type)` is `pg_typeof(x)` resolved the same way.

use std::sync::Arc;

use rusqlite::functions::{Context, SubType};
use rusqlite::types::{Value as SqlValue, ValueRef};

use super::{dt, raise, text_of, Res, MICROS_PER_DAY};
use crate::engine::datetime::Interval;
use crate::engine::functions::owned;
use crate::protocol::{PgError, SqlState};
use crate::sql::types::{self, Ty};

/// What is known of an operand's type once resolved.
#[derive(Debug, Clone, PartialEq)]
enum Operand {
    /// A literal or parameter: it takes the other operand's type.
    Untyped,
    /// A type name without modifiers (`int4`, `date`).
    Type(String),
    /// Not known (a column without a declared type): SQLite's meaning.
    Unknown,
}

/// The schema of the connection running the statement.
struct Live<'a, 'c> {
    ctx: &'a Context<'c>,
}

impl types::Schema for Live<'_, '_> {
    fn columns(&self, table: &str) -> Option<Vec<(String, String)>> {
        crate::engine::functions::live_columns(self.ctx, table)
            .ok()
            .flatten()
    }
    fn column_type(&self, table: &str, column: &str) -> Option<String> {
        match crate::engine::functions::declared_type(self.ctx, table, column) {
            Some(decl) => Some(decl.unwrap_or_default()),
            None => self
                .columns(table)?
                .into_iter()
                .find(|(c, _)| c.eq_ignore_ascii_case(column))
                .map(|(_, decl)| decl),
        }
    }
    fn param(&self, _n: usize) -> Option<String> {
        None
    }
}

/// Argument `i`'s type expression, resolved once per statement.
fn operand(ctx: &Context<'_>, i: i32) -> Res<Arc<Operand>> {
    ctx.get_or_create_aux(i, |v| -> Res<Operand> {
        let spec = match v {
            ValueRef::Text(t) => std::str::from_utf8(t).unwrap_or(""),
            _ => "",
        };
        Ok(match Ty::decode(spec) {
            Some(Ty::Literal | Ty::Param(_)) => Operand::Untyped,
            Some(ty) => match types::resolve(&ty, &Live { ctx }) {
                Some(t) => Operand::Type(base(&t)),
                None => Operand::Unknown,
            },
            None => Operand::Unknown,
        })
    })
}

/// A type name without its modifier: `numeric(10,2)` is `numeric`, `varchar(5)[]` is
/// `varchar[]`.
fn base(t: &str) -> String {
    match (t.find('('), t.find(')')) {
        (Some(open), Some(close)) if open < close => {
            format!("{}{}", t[..open].trim_end(), &t[close + 1..])
        }
        _ => t.trim().to_string(),
    }
}

/// `pg_op(op, a, b, left type, right type)`; jsonb results keep SQLite's JSON subtype.
pub(super) fn pg_op(ctx: &Context<'_>) -> Res<(SqlValue, SubType)> {
    let op = match ctx.get_raw(0) {
        ValueRef::Text(t) => std::str::from_utf8(t).unwrap_or(""),
        _ => "",
    };
    let (a, b) = (ctx.get_raw(1), ctx.get_raw(2));
    if matches!(a, ValueRef::Null) || matches!(b, ValueRef::Null) {
        return Ok((SqlValue::Null, None));
    }
    let (l, r) = (operand(ctx, 3)?, operand(ctx, 4)?);
    let (l, r) = match (&*l, &*r) {
        (Operand::Type(x), Operand::Type(y)) => (x.as_str(), y.as_str()),
        // A decimal literal beside a numeric is numeric (its value a double here).
        (Operand::Type(x), Operand::Untyped) if x == "numeric" => (x.as_str(), x.as_str()),
        (Operand::Untyped, Operand::Type(x)) if x == "numeric" => (x.as_str(), x.as_str()),
        (Operand::Type(x), Operand::Untyped) => (x.as_str(), bound(b).unwrap_or(x)),
        // `'…' - j`: jsonb has no such operator; the literal is text.
        (Operand::Untyped, Operand::Type(x)) if x == "jsonb" => ("text", x.as_str()),
        (Operand::Untyped, Operand::Type(x)) => (bound(a).unwrap_or(x), x.as_str()),
        _ => return Ok((native(op, a, b).map_err(raise)?, None)),
    };
    if op == "-" && l == "jsonb" {
        // `j - 'key'`, `j - 0`, `j - '{a,b}'::text[]`: an untyped literal is a key.
        let (s, subtype) = crate::engine::jsonb::minus(ctx, 1, 2, r.ends_with("[]"))?;
        return Ok((s.map_or(SqlValue::Null, SqlValue::Text), subtype));
    }
    let exact = |t: &str| matches!(t, "numeric" | "int2" | "int4" | "int8");
    if (l == "numeric" || r == "numeric") && exact(l) && exact(r) {
        let scales = ctx.get_or_create_aux(0, |_| -> Res<(Option<u32>, Option<u32>)> {
            Ok((typmod_scale(ctx, 3), typmod_scale(ctx, 4)))
        })?;
        return Ok((numeric(op, a, b, *scales).map_err(raise)?, None));
    }
    Ok((apply(op, l, r, a, b).map_err(raise)?, None))
}

/// The scale of a `numeric(p,s)` operand (argument `i`'s type): its stored value is
/// read at that scale, as PostgreSQL stores it.
pub(super) fn typmod_scale(ctx: &Context<'_>, i: i32) -> Option<u32> {
    let spec = match ctx.get_raw(i as usize) {
        ValueRef::Text(t) => std::str::from_utf8(t).ok()?,
        _ => return None,
    };
    let t = types::resolve(&Ty::decode(spec)?, &Live { ctx })?;
    let modifier = t.strip_prefix("numeric(")?.strip_suffix(')')?;
    modifier
        .split_once(',')
        .map_or(Some(0), |(_, s)| s.trim().parse().ok())
}

/// `pg_coerce(literal, type)`: a string literal compared with a value of `type`, read
/// as a Bind parameter of that type is (engine/input.rs: the same refusals, the same
/// stored form); kept as it is for string types and types not known.
pub(super) fn pg_coerce(ctx: &Context<'_>) -> Res<SqlValue> {
    let value = ctx.get_raw(0);
    let ValueRef::Text(text) = value else {
        return Ok(owned(value));
    };
    let Operand::Type(t) = &*operand(ctx, 1)? else {
        return Ok(owned(value));
    };
    if !crate::engine::types::names_a_type(t) {
        // SAFETY: the connection running this statement: one nested read.
        let conn = unsafe { ctx.get_connection()? };
        if crate::engine::objects::enum_oid(&conn, t)?.is_some() {
            // An enum's label is checked and compared as its text (COMPAT.md: enum order).
            crate::engine::objects::check_enum_input(&conn, t, &String::from_utf8_lossy(text))?;
            return Ok(owned(value));
        }
    }
    let oid = crate::engine::types::from_decltype(t).oid;
    // `num` is SQLite's own declared type for a CREATE TABLE AS column of numeric
    // affinity (a `name` column's too): not known to be a number.
    if matches!(t.as_str(), "text" | "varchar" | "bpchar" | "name" | "num") || oid == 0 {
        return Ok(owned(value));
    }
    let value = crate::engine::input::decode(oid, false, Some(text)).map_err(raise)?;
    Ok(crate::engine::functions::stored(value))
}

/// `pg_round_even(x [, type])`: a float rounded half to even, as PostgreSQL's float to
/// integer casts round; with a type, only when it is a floating-point type.
pub(super) fn pg_round_even(ctx: &Context<'_>) -> Res<SqlValue> {
    let value = ctx.get_raw(0);
    let float = ctx.len() == 1
        || matches!(&*operand(ctx, 1)?, Operand::Type(t) if matches!(t.as_str(), "float4" | "float8"));
    let numeric = ctx.len() > 1 && matches!(&*operand(ctx, 1)?, Operand::Type(t) if t == "numeric");
    Ok(match value {
        ValueRef::Real(f) if float => SqlValue::Real(f.round_ties_even()),
        // A numeric stored as its text rounds half away from zero (numeric_int8).
        ValueRef::Text(t) if numeric => {
            use super::decimal::Num;
            match std::str::from_utf8(t).ok().and_then(Num::parse) {
                Some(Num::Fin(d)) => d.to_i64().map_or_else(|| owned(value), SqlValue::Integer),
                _ => owned(value),
            }
        }
        other => owned(other),
    })
}

/// `pg_float4_digits(x [, type])`: a float4 as numeric reads it (float4_numeric keeps
/// FLT_DIG = 6 significant digits, not the double's 17); with a type, only when it is
/// float4. The double it gives converts to numeric with exactly those digits.
pub(super) fn pg_float4_digits(ctx: &Context<'_>) -> Res<SqlValue> {
    let value = ctx.get_raw(0);
    let float4 = ctx.len() == 1 || matches!(&*operand(ctx, 1)?, Operand::Type(t) if t == "float4");
    Ok(match value {
        ValueRef::Real(f) if float4 && f.is_finite() => {
            SqlValue::Real(format!("{f:.5e}").parse().unwrap_or(f))
        }
        other => owned(other),
    })
}

/// The type of an untyped operand's value when it is a number: a parameter bound as a
/// double is float8 (`id * $1` with 2.5), one bound as an integer is int8 (its Parse
/// type may be wider than the other operand's). Text takes the other operand's type, as
/// PostgreSQL's unknown literal does.
fn bound(v: ValueRef<'_>) -> Option<&'static str> {
    match v {
        ValueRef::Real(_) => Some("float8"),
        ValueRef::Integer(_) => Some("int8"),
        _ => None,
    }
}

/// `pg_int(a, b, code)`: integer arithmetic for operands the tree types as integers
/// (sql/translate/operators.rs `integer_code`: the operator's place in `+ - * / %` times
/// ten plus the width), without resolving types.
pub(super) fn pg_int(ctx: &Context<'_>) -> Res<SqlValue> {
    let (a, b) = (ctx.get_raw(0), ctx.get_raw(1));
    if matches!(a, ValueRef::Null) || matches!(b, ValueRef::Null) {
        return Ok(SqlValue::Null);
    }
    let code = match ctx.get_raw(2) {
        ValueRef::Integer(c) => c,
        _ => 0,
    };
    let op = match code / 10 {
        1 => "+",
        2 => "-",
        3 => "*",
        4 => "/",
        _ => "%",
    };
    let (width, name) = match code % 10 {
        2 => (2, "int2"),
        4 => (4, "int4"),
        _ => (8, "int8"),
    };
    integer(
        op,
        int(a, name).map_err(raise)?,
        int(b, name).map_err(raise)?,
        width,
    )
    .map_err(raise)
}

/// `pg_interval_key(interval)`: a key that sorts as PostgreSQL compares intervals, by
/// their span with a month as 30 days and a day as 24 hours (interval_cmp_value): the
/// 128-bit span, offset to unsigned, big-endian, so that blobs compare in its order.
pub(super) fn pg_interval_key(ctx: &Context<'_>) -> Res<SqlValue> {
    let v = ctx.get_raw(0);
    if matches!(v, ValueRef::Null) {
        return Ok(SqlValue::Null);
    }
    let iv = interval(v).map_err(raise)?;
    Ok(SqlValue::Blob(span_key(iv)))
}

/// pg_interval_key's key of an interval.
pub(super) fn span_key(iv: Interval) -> Vec<u8> {
    let days = i128::from(iv.months) * 30 + i128::from(iv.days);
    let span = days * i128::from(MICROS_PER_DAY) + i128::from(iv.micros);
    let key = (span as u128) ^ (1u128 << 127);
    key.to_be_bytes().to_vec()
}

/// `pg_neg(x, type)`: `-x` as x's type negates: an interval field by field, an integer
/// with its type's range check (`-(-2147483648)::int4` is 22003); anything else as
/// SQLite negates it.
pub(super) fn pg_neg(ctx: &Context<'_>) -> Res<SqlValue> {
    let v = ctx.get_raw(0);
    let t = match &*operand(ctx, 1)? {
        Operand::Type(t) => t.clone(),
        _ => String::new(),
    };
    let negated = match (v, t.as_str()) {
        (ValueRef::Null, _) => Ok(SqlValue::Null),
        (_, "interval") => interval(v).and_then(negate).map(interval_text),
        // numeric's text negated exactly (SQLite's minus would make a double of it).
        (ValueRef::Text(_), "numeric") => match super::decimal::of_value(v) {
            Some(super::decimal::Num::Fin(d)) => Ok(SqlValue::Text(d.neg().to_string())),
            Some(super::decimal::Num::Inf(p)) => {
                Ok(SqlValue::Text(super::decimal::Num::Inf(!p).to_string()))
            }
            _ => Ok(owned(v)),
        },
        (_, t) if int_width(t).is_some() => {
            int(v, t).and_then(|i| integer("-", 0, i, int_width(t).unwrap_or(8)))
        }
        (ValueRef::Real(f), _) => Ok(SqlValue::Real(-f)),
        (ValueRef::Integer(i), _) => Ok(i
            .checked_neg()
            .map_or(SqlValue::Real(-(i as f64)), SqlValue::Integer)),
        (other, _) => native("-", ValueRef::Integer(0), other),
    };
    negated.map_err(raise)
}

/// `pg_text_out(x, type)`: a value cast to a string type as its type's output prints
/// it where that is not its stored form: a boolean is `true` / `false` (boolout), an
/// interval is in the session's IntervalStyle; anything else as it is.
pub(super) fn pg_text_out(ctx: &Context<'_>) -> Res<SqlValue> {
    let v = ctx.get_raw(0);
    Ok(match (v, &*operand(ctx, 1)?) {
        (ValueRef::Null, _) => SqlValue::Null,
        // bool's cast to text is `true` (its output function says `t`).
        (ValueRef::Integer(i), Operand::Type(t)) if t == "bool" => {
            SqlValue::Text(if i == 0 { "false" } else { "true" }.into())
        }
        (ValueRef::Text(s), Operand::Type(t)) if t == "interval" => {
            match std::str::from_utf8(s).ok().and_then(dt::restyle_interval) {
                Some(styled) => SqlValue::Text(styled),
                None => owned(v),
            }
        }
        // Any other type: its output, as a result column of that type prints
        // (`1e+20`, `2020-01-01 10:00:00+00` in the session's zone, `\x0102`, `{1,2}`).
        (v, Operand::Type(t)) if !matches!(t.as_str(), "text" | "varchar" | "bpchar" | "name") => {
            let pg = crate::engine::types::from_decltype(t);
            let mut out = bytes::BytesMut::new();
            crate::engine::types::write_result_text(&pg, v, Default::default(), &mut out);
            SqlValue::Text(String::from_utf8_lossy(&out).into_owned())
        }
        (other, _) => owned(other),
    })
}

/// `pg_concat_op(a, b, left type, right type)`: `||` by the operands' resolved types —
/// an array's (cat, append, prepend), jsonb's, or text's, each side printed as its type
/// prints (`true || 'x'` is `truex`).
pub(super) fn pg_concat_op(ctx: &Context<'_>) -> Res<(Option<String>, SubType)> {
    let (lo, ro) = (operand(ctx, 2)?, operand(ctx, 3)?);
    let name = |o: &Operand| match o {
        Operand::Type(t) => t.clone(),
        _ => String::new(),
    };
    let (l, r) = (name(&lo), name(&ro));
    // An untyped literal beside an array is an array of its type (array_cat).
    let untyped = |o: &Operand| matches!(o, Operand::Untyped);
    let la = l.ends_with("[]") || (untyped(&lo) && r.ends_with("[]"));
    let ra = r.ends_with("[]") || (untyped(&ro) && l.ends_with("[]"));
    if la || ra {
        return super::arrays::concat(ctx, la, ra);
    }
    if l == "jsonb" || r == "jsonb" {
        use crate::engine::jsonb::{value, JSON_SUBTYPE};
        let json = |i: usize| -> Res<Option<value::Json>> {
            match text_of(ctx.get_raw(i)) {
                Some(s) => value::parse(&s).map(Some).map_err(raise),
                None => Ok(None),
            }
        };
        return Ok(match (json(0)?, json(1)?) {
            (Some(a), Some(b)) => (Some(value::print(&value::concat(a, b))), Some(JSON_SUBTYPE)),
            _ => (None, None),
        });
    }
    // PostgreSQL's `||` of text needs a string (or an untyped literal) on one side.
    let stringy = |o: &Operand, t: &str| {
        !matches!(o, Operand::Type(_)) || matches!(t, "text" | "varchar" | "bpchar" | "name")
    };
    if !stringy(&lo, &l) && !stringy(&ro, &r) {
        return Err(raise(
            PgError::new(
                SqlState::UNDEFINED_FUNCTION,
                format!(
                    "operator does not exist: {} || {}",
                    display_name(&l),
                    display_name(&r)
                ),
            )
            .with_hint(
                "No operator matches the given name and argument types. You might need to \
                 add explicit type casts.",
            ),
        ));
    }
    let text = |i: usize, t: &str| -> Option<String> {
        let v = ctx.get_raw(i);
        match v {
            ValueRef::Null => None,
            ValueRef::Integer(n) if t == "bool" => {
                Some(if n == 0 { "false" } else { "true" }.to_string())
            }
            ValueRef::Text(s) if t.is_empty() || matches!(t, "text" | "varchar" | "bpchar") => {
                Some(String::from_utf8_lossy(s).into_owned())
            }
            v if t.is_empty() => text_of(v),
            v => {
                let pg = crate::engine::types::from_decltype(t);
                let mut out = bytes::BytesMut::new();
                crate::engine::types::write_result_text(&pg, v, Default::default(), &mut out);
                Some(String::from_utf8_lossy(&out).into_owned())
            }
        }
    };
    Ok(match (text(0, &l), text(1, &r)) {
        (Some(a), Some(b)) => (Some(a + &b), None),
        _ => (None, None),
    })
}

/// `pg_is_interval(type)`: whether the type expression resolves to interval (which
/// aggregate of `sum(column)` / `avg(column)` answers: translate/operators.rs).
/// `pg_is_numeric('type', integers)`: whether a value the schema types is numeric (or,
/// with `integers` 1, an integer: avg's result is numeric for them too); sum and avg
/// are then numeric's exact ones (numeric_agg.rs).
pub(super) fn pg_is_numeric(ctx: &Context<'_>) -> Res<bool> {
    let integers = matches!(ctx.get_raw(1), ValueRef::Integer(1));
    Ok(matches!(&*operand(ctx, 0)?, Operand::Type(t)
        if t == "numeric" || (integers && matches!(t.as_str(), "int2" | "int4" | "int8"))))
}

pub(super) fn pg_is_interval(ctx: &Context<'_>) -> Res<bool> {
    Ok(matches!(&*operand(ctx, 0)?, Operand::Type(t) if t == "interval"))
}

/// `pg_is_bytea(type)`: whether string_agg's argument is bytea (its result is then).
pub(super) fn pg_is_bytea(ctx: &Context<'_>) -> Res<bool> {
    Ok(matches!(&*operand(ctx, 0)?, Operand::Type(t) if t == "bytea"))
}

/// The interval a `pg_interval_sum` / `pg_interval_avg` step reads: None when the value
/// is not an interval's text (the aggregate is then not the one `pg_is_interval` picks,
/// and its answer is never shown).
pub(super) fn interval_value(v: ValueRef<'_>) -> Option<Interval> {
    match v {
        ValueRef::Text(_) => interval(v).ok(),
        _ => None,
    }
}

/// Interval sum (interval_pl), with PostgreSQL's 22008 on overflow.
pub(super) fn interval_plus(a: Interval, b: Interval) -> Result<Interval, PgError> {
    add_intervals(a, b)
}

/// Interval difference (interval_mi), as a row leaves a window frame.
pub(super) fn interval_minus(a: Interval, b: Interval) -> Result<Interval, PgError> {
    add_intervals(a, negate(b)?)
}

/// Interval divided by a count (interval_div), as avg(interval) ends.
pub(super) fn interval_divided(iv: Interval, n: f64) -> Result<Interval, PgError> {
    scale(iv, n, true)
}

/// `pg_compare_key(x, type)`: what a comparison of a column compares, as
/// engine/compare.rs writes it in place when the statement is prepared: an interval's
/// span key, an array's or a jsonb's order key, else the value (an enum's label: its
/// declaration order is compare.rs's only). Only SQL kept in the schema (a view,
/// a CHECK written before the comparison was expanded) calls this function itself.
/// `pg_type_check(x, …)` where engine/compare.rs did not replace it: x.
pub(super) fn pg_type_check(ctx: &Context<'_>) -> Res<SqlValue> {
    Ok(owned(ctx.get_raw(0)))
}

pub(super) fn pg_compare_key(ctx: &Context<'_>) -> Res<SqlValue> {
    let v = ctx.get_raw(0);
    if matches!(v, ValueRef::Null) {
        return Ok(SqlValue::Null);
    }
    match &*operand(ctx, 1)? {
        Operand::Type(t) if t == "interval" => pg_interval_key(ctx),
        Operand::Type(t) if t.ends_with("[]") => {
            let text = text(v);
            let array = crate::engine::array::read(&text).ok_or_else(|| {
                raise(PgError::new(
                    SqlState::INVALID_TEXT_REPRESENTATION,
                    format!("malformed array literal: \"{text}\""),
                ))
            })?;
            Ok(SqlValue::Blob(super::arrays::array_key(&array)))
        }
        Operand::Type(t) if t == "jsonb" => {
            let j = crate::engine::jsonb::value::parse(&text(v)).map_err(raise)?;
            let mut key = Vec::new();
            crate::engine::jsonb::value::sort_key(&j, &mut key);
            Ok(SqlValue::Blob(key))
        }
        _ => Ok(owned(v)),
    }
}

/// `pg_array_value(x, type)`: `array_agg`'s argument, as JSON (which nests) when the
/// type is an array; engine/compare.rs writes `json(x)` in its place when it can.
pub(super) fn pg_array_value(ctx: &Context<'_>) -> Res<(SqlValue, SubType)> {
    let v = ctx.get_raw(0);
    let array = matches!(&*operand(ctx, 1)?, Operand::Type(t) if t.ends_with("[]"));
    Ok(match v {
        ValueRef::Text(_) if array => (owned(v), Some(super::arrays::JSON_SUBTYPE)),
        other => (owned(other), None),
    })
}

/// Argument `i`'s type expression resolved to a type name; None for a literal or a
/// type not known.
pub(super) fn resolved_type(ctx: &Context<'_>, i: i32) -> Res<Option<String>> {
    Ok(match &*operand(ctx, i)? {
        Operand::Type(t) => Some(t.clone()),
        _ => None,
    })
}

/// `pg_type_of(type)`: PostgreSQL's name of the type (`pg_typeof`).
pub(super) fn pg_type_of(ctx: &Context<'_>) -> Res<String> {
    match &*operand(ctx, 0)? {
        Operand::Untyped => Ok("unknown".into()),
        Operand::Type(t) => Ok(display_name(t)),
        Operand::Unknown => Err(raise(super::unsupported(
            "pg_typeof() of an expression of unknown type",
        ))),
    }
}

fn int_width(t: &str) -> Option<u8> {
    match t {
        "int2" => Some(2),
        "int4" => Some(4),
        "int8" => Some(8),
        _ => None,
    }
}

fn is_number(t: &str) -> bool {
    matches!(
        t,
        "int2" | "int4" | "int8" | "numeric" | "float4" | "float8" | "oid"
    )
}

fn apply(
    op: &str,
    l: &str,
    r: &str,
    a: ValueRef<'_>,
    b: ValueRef<'_>,
) -> Result<SqlValue, PgError> {
    if let (Some(x), Some(y)) = (int_width(l), int_width(r)) {
        return integer(op, int(a, l)?, int(b, r)?, x.max(y));
    }
    if is_number(l) && is_number(r) {
        return number(op, a, b, l, r);
    }
    if let Some(v) = temporal(op, l, r, a, b)? {
        return Ok(v);
    }
    Err(no_operator(op, l, r))
}

/// PostgreSQL's name of a type (`integer`, `double precision[]`).
fn display_name(t: &str) -> String {
    let (element, array) = match t.strip_suffix("[]") {
        Some(e) => (e, "[]"),
        None => (t, ""),
    };
    // A name litewire does not know (an enum's) is shown as it is.
    if !crate::engine::types::names_a_type(element) {
        return format!("{element}{array}");
    }
    let oid = crate::engine::types::from_decltype(element).oid;
    let name = crate::engine::catalog::types::format_type(oid, -1);
    format!("{}{array}", name.as_deref().unwrap_or(element))
}

fn no_operator(op: &str, l: &str, r: &str) -> PgError {
    PgError::new(
        SqlState::UNDEFINED_FUNCTION,
        format!(
            "operator does not exist: {} {op} {}",
            display_name(l),
            display_name(r)
        ),
    )
    .with_hint(
        "No operator matches the given name and argument types. You might need to add \
         explicit type casts.",
    )
}

fn division_by_zero() -> PgError {
    PgError::new(SqlState::DIVISION_BY_ZERO, "division by zero")
}

/// An integer operand (stored as an integer; text or an integral real read as one).
fn int(v: ValueRef<'_>, t: &str) -> Result<i64, PgError> {
    match v {
        ValueRef::Integer(i) => return Ok(i),
        ValueRef::Real(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => return Ok(f as i64),
        ValueRef::Text(s) => {
            if let Ok(i) = std::str::from_utf8(s).unwrap_or("").trim().parse() {
                return Ok(i);
            }
        }
        _ => {}
    }
    let name = match t {
        "int2" => "smallint",
        "int8" => "bigint",
        _ => "integer",
    };
    Err(PgError::new(
        SqlState::INVALID_TEXT_REPRESENTATION,
        format!(
            "invalid input syntax for type {name}: \"{}\"",
            text_of(v).unwrap_or_default()
        ),
    ))
}

/// `int2`/`int4`/`int8` arithmetic in the wider operand's width.
fn integer(op: &str, a: i64, b: i64, width: u8) -> Result<SqlValue, PgError> {
    let out_of_range = || {
        let name = match width {
            2 => "smallint",
            4 => "integer",
            _ => "bigint",
        };
        PgError::new(
            SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
            format!("{name} out of range"),
        )
    };
    let v = match op {
        "+" => a.checked_add(b),
        "-" => a.checked_sub(b),
        "*" => a.checked_mul(b),
        "/" if b == 0 => return Err(division_by_zero()),
        "/" => a.checked_div(b),
        "%" if b == 0 => return Err(division_by_zero()),
        // i64::MIN % -1 overflows in Rust; PostgreSQL answers 0.
        "%" => Some(a.checked_rem(b).unwrap_or(0)),
        _ => return Err(no_operator(op, "int8", "int8")),
    }
    .ok_or_else(out_of_range)?;
    let fits = match width {
        2 => i16::try_from(v).is_ok(),
        4 => i32::try_from(v).is_ok(),
        _ => true,
    };
    if !fits {
        return Err(out_of_range());
    }
    Ok(SqlValue::Integer(v))
}

/// A number operand as a double.
fn float(v: ValueRef<'_>) -> Result<f64, PgError> {
    Ok(match v {
        ValueRef::Integer(i) => i as f64,
        ValueRef::Real(f) => f,
        other => {
            let t = text_of(other).unwrap_or_default();
            t.trim().parse().map_err(|_| {
                PgError::new(
                    SqlState::INVALID_TEXT_REPRESENTATION,
                    format!("invalid input syntax for type numeric: \"{t}\""),
                )
            })?
        }
    })
}

/// Arithmetic where an operand is numeric or floating point: SQLite's, except that
/// dividing by zero is an error and dividing integral numerics does not truncate.
fn number(
    op: &str,
    a: ValueRef<'_>,
    b: ValueRef<'_>,
    l: &str,
    r: &str,
) -> Result<SqlValue, PgError> {
    let is_float = |t: &str| matches!(t, "float4" | "float8");
    let floats = is_float(l) || is_float(r);
    if let (ValueRef::Integer(x), ValueRef::Integer(y), false) = (a, b, floats) {
        // Numeric values SQLite keeps as integers: exact while they fit.
        let exact = match op {
            "+" => x.checked_add(y),
            "-" => x.checked_sub(y),
            "*" => x.checked_mul(y),
            "%" if y == 0 => return Err(division_by_zero()),
            "%" => x.checked_rem(y),
            _ => None,
        };
        if let Some(v) = exact {
            return Ok(SqlValue::Integer(v));
        }
    }
    let (x, y) = (float(a)?, float(b)?);
    let v = match op {
        "+" => x + y,
        "-" => x - y,
        "*" => x * y,
        // float8_div: NaN divided by zero is NaN.
        "/" | "%" if y == 0.0 && !x.is_nan() => return Err(division_by_zero()),
        "/" | "%" if y == 0.0 => f64::NAN,
        "/" => x / y,
        "%" => x % y,
        _ => return Err(no_operator(op, l, r)),
    };
    // float4 with float4 is float4: computed in its precision, its range checked.
    let v = if l == "float4" && r == "float4" {
        f64::from(v as f32)
    } else {
        v
    };
    if v.is_infinite() && x.is_finite() && y.is_finite() {
        let message = if floats {
            "value out of range: overflow"
        } else {
            "value overflows numeric format"
        };
        return Err(PgError::new(SqlState::NUMERIC_VALUE_OUT_OF_RANGE, message));
    }
    // NaN (`'Infinity'::float8 / 'Infinity'`, `'NaN' * 1`) is kept: SQLite would make it NULL.
    Ok(super::math::real(v))
}

/// numeric's arithmetic, exact (decimal.rs), with PostgreSQL's result scales; the
/// result is always numeric's text, so that values of one expression order alike (a
/// pg_op call carries the numeric collation: translate/operators.rs).
fn numeric(
    op: &str,
    a: ValueRef<'_>,
    b: ValueRef<'_>,
    (sa, sb): (Option<u32>, Option<u32>),
) -> Result<SqlValue, PgError> {
    use super::decimal::{of_value, Num};
    let operand = |v: ValueRef<'_>, scale: Option<u32>| {
        let n = of_value(v).ok_or_else(|| {
            let t = text_of(v).unwrap_or_default();
            PgError::new(
                SqlState::INVALID_TEXT_REPRESENTATION,
                format!("invalid input syntax for type numeric: \"{t}\""),
            )
        })?;
        Ok::<_, PgError>(match (n, scale) {
            (Num::Fin(d), Some(s)) => Num::Fin(d.round(i64::from(s))),
            (n, _) => n,
        })
    };
    let (x, y) = (operand(a, sa)?, operand(b, sb)?);
    let zero = matches!(&y, Num::Fin(d) if d.is_zero());
    if zero && matches!(op, "/" | "%") && x != Num::NaN {
        return Err(division_by_zero());
    }
    let result = match (&x, &y) {
        (Num::Fin(p), Num::Fin(q)) => Num::Fin(match op {
            "+" => p.add(q),
            "-" => p.sub(q),
            "*" => p.mul(q),
            "/" => p.div(q).ok_or_else(division_by_zero)?,
            "%" => p.rem(q).ok_or_else(division_by_zero)?,
            _ => return Err(no_operator(op, "numeric", "numeric")),
        }),
        // NaN and the infinities as IEEE arithmetic has them (numeric.c agrees).
        _ => {
            let f = |n: &Num| match n {
                Num::Fin(d) => d.to_f64(),
                Num::NaN => f64::NAN,
                Num::Inf(positive) => {
                    if *positive {
                        f64::INFINITY
                    } else {
                        f64::NEG_INFINITY
                    }
                }
            };
            let (p, q) = (f(&x), f(&y));
            Num::from_f64(match op {
                "+" => p + q,
                "-" => p - q,
                "*" => p * q,
                "/" => p / q,
                _ if p.is_infinite() => f64::NAN,
                _ => p % q,
            })
        }
    };
    Ok(SqlValue::Text(result.to_string()))
}

/// SQLite's own arithmetic, for operands whose types are not known, except that a
/// division by zero is PostgreSQL's error rather than NULL.
fn native(op: &str, a: ValueRef<'_>, b: ValueRef<'_>) -> Result<SqlValue, PgError> {
    let num = |v: ValueRef<'_>| -> SqlValue {
        match v {
            ValueRef::Integer(i) => SqlValue::Integer(i),
            ValueRef::Real(f) => SqlValue::Real(f),
            other => {
                let t = text_of(other).unwrap_or_default();
                let t = t.trim();
                t.parse::<i64>()
                    .map(SqlValue::Integer)
                    .or_else(|_| t.parse::<f64>().map(SqlValue::Real))
                    .unwrap_or(SqlValue::Integer(0))
            }
        }
    };
    match (num(a), num(b)) {
        (SqlValue::Integer(x), SqlValue::Integer(y)) => {
            let v = match op {
                "+" => x.checked_add(y),
                "-" => x.checked_sub(y),
                "*" => x.checked_mul(y),
                "/" | "%" if y == 0 => return Err(division_by_zero()),
                "/" => x.checked_div(y),
                "%" => Some(x.checked_rem(y).unwrap_or(0)),
                _ => None,
            };
            match v {
                Some(v) => Ok(SqlValue::Integer(v)),
                None => reals(op, x as f64, y as f64),
            }
        }
        (x, y) => {
            let f = |v: SqlValue| match v {
                SqlValue::Integer(i) => i as f64,
                SqlValue::Real(f) => f,
                _ => 0.0,
            };
            reals(op, f(x), f(y))
        }
    }
}

fn reals(op: &str, x: f64, y: f64) -> Result<SqlValue, PgError> {
    Ok(super::math::real(match op {
        "+" => x + y,
        "-" => x - y,
        "*" => x * y,
        "/" | "%" if y == 0.0 => return Err(division_by_zero()),
        "/" => x / y,
        _ => x % y,
    }))
}

/// A date/time operand read from its stored text.
fn text(v: ValueRef<'_>) -> String {
    text_of(v).unwrap_or_default()
}

fn date(v: ValueRef<'_>) -> Result<i64, PgError> {
    let s = text(v);
    dt::date_in(&dt::stored_in(&s))
        .map(i64::from)
        .map_err(|e| e.to_pg("date", &s))
}

fn timestamp(v: ValueRef<'_>, zoned: bool) -> Result<i64, PgError> {
    let s = text(v);
    let s = dt::stored_in(&s);
    if zoned {
        dt::timestamp_in(&s, true).map_err(|e| e.to_pg("timestamp with time zone", &s))
    } else {
        dt::timestamp_in(&s, false).map_err(|e| e.to_pg("timestamp without time zone", &s))
    }
}

fn time(v: ValueRef<'_>) -> Result<i64, PgError> {
    let s = text(v);
    dt::time_in(&s).map_err(|e| e.to_pg("time without time zone", &s))
}

fn interval(v: ValueRef<'_>) -> Result<Interval, PgError> {
    let s = text(v);
    dt::parse_interval(&s).map_err(|e| e.to_pg("interval", &s))
}

fn interval_out_of_range() -> PgError {
    PgError::new(SqlState::DATETIME_FIELD_OVERFLOW, "interval out of range")
}

fn timestamp_out_of_range() -> PgError {
    PgError::new(SqlState::DATETIME_FIELD_OVERFLOW, "timestamp out of range")
}

fn date_out_of_range() -> PgError {
    PgError::new(SqlState::DATETIME_FIELD_OVERFLOW, "date out of range")
}

fn negate(iv: Interval) -> Result<Interval, PgError> {
    Ok(Interval {
        months: iv.months.checked_neg().ok_or_else(interval_out_of_range)?,
        days: iv.days.checked_neg().ok_or_else(interval_out_of_range)?,
        micros: iv.micros.checked_neg().ok_or_else(interval_out_of_range)?,
    })
}

/// PostgreSQL's timestamp + interval: months on the calendar (the day clamped to the
/// month's last), then days, then microseconds.
fn add_interval(ts: i64, iv: Interval) -> Result<i64, PgError> {
    add_interval_in(ts, iv, None)
}

/// `ts + iv`; for a timestamptz (`zone`: the session's), months and days step in local
/// time and the offset is found again after each (timestamptz_pl_interval), so a day
/// across a DST change is 23 or 25 hours.
pub(crate) fn add_interval_in(
    ts: i64,
    iv: Interval,
    zone: Option<&dt::Zone>,
) -> Result<i64, PgError> {
    let Some(zone) = zone.filter(|z| **z != dt::Zone::UTC) else {
        return add_local(ts, iv);
    };
    let mut t = ts;
    for step in [
        Interval {
            months: iv.months,
            days: 0,
            micros: 0,
        },
        Interval {
            months: 0,
            days: iv.days,
            micros: 0,
        },
    ] {
        if step != Interval::default() {
            t = zone.to_utc(add_local(zone.to_local(t), step)?);
        }
    }
    let t = t
        .checked_add(iv.micros)
        .ok_or_else(timestamp_out_of_range)?;
    dt::check_timestamp(t).map_err(|_| timestamp_out_of_range())
}

/// `ts + iv` on the calendar without zones.
fn add_local(ts: i64, iv: Interval) -> Result<i64, PgError> {
    let mut t = ts;
    if iv.months != 0 {
        let days = t.div_euclid(MICROS_PER_DAY);
        let clock = t.rem_euclid(MICROS_PER_DAY);
        let (y, m, d) = dt::civil_from_days(days + dt::PG_EPOCH_DAYS);
        let total = y * 12 + (m - 1) + i64::from(iv.months);
        let (y, m) = (total.div_euclid(12), total.rem_euclid(12) + 1);
        if !(-4713..=294_277).contains(&y) {
            return Err(timestamp_out_of_range());
        }
        let d = d.min(dt::days_in_month(y, m));
        t = (dt::days_from_civil(y, m, d) - dt::PG_EPOCH_DAYS) * MICROS_PER_DAY + clock;
    }
    t = i64::from(iv.days)
        .checked_mul(MICROS_PER_DAY)
        .and_then(|d| t.checked_add(d))
        .and_then(|t| t.checked_add(iv.micros))
        .ok_or_else(timestamp_out_of_range)?;
    dt::check_timestamp(t).map_err(|_| timestamp_out_of_range())
}

/// A difference of two timestamps as PostgreSQL gives it: days and time, no months.
fn difference(a: i64, b: i64) -> Result<Interval, PgError> {
    let diff = a.checked_sub(b).ok_or_else(interval_out_of_range)?;
    let days = diff / MICROS_PER_DAY;
    Ok(Interval {
        months: 0,
        days: i32::try_from(days).map_err(|_| interval_out_of_range())?,
        micros: diff - days * MICROS_PER_DAY,
    })
}

/// PostgreSQL's interval_mul / interval_div: fractions of months spill into days (30
/// to a month), fractions of days into time.
fn scale(iv: Interval, factor: f64, divide: bool) -> Result<Interval, PgError> {
    if divide && factor == 0.0 {
        return Err(division_by_zero());
    }
    let f = |x: f64| if divide { x / factor } else { x * factor };
    let tsround = |x: f64| (x * 1e6).round_ties_even() / 1e6;
    let fits_i32 = |x: f64| x.is_finite() && x >= i32::MIN as f64 && x <= i32::MAX as f64;
    let months_f = f(f64::from(iv.months));
    let days_f = f(f64::from(iv.days));
    if !fits_i32(months_f) || !fits_i32(days_f) {
        return Err(interval_out_of_range());
    }
    let months = months_f.trunc() as i32;
    let mut days = days_f.trunc() as i32;
    let month_remainder_days = tsround((months_f - f64::from(months)) * 30.0);
    let mut sec_remainder = tsround(
        (days_f - f64::from(days) + month_remainder_days - month_remainder_days.trunc()) * 86_400.0,
    );
    if sec_remainder.abs() >= 86_400.0 {
        let whole = (sec_remainder / 86_400.0).trunc();
        days = days
            .checked_add(whole as i32)
            .ok_or_else(interval_out_of_range)?;
        sec_remainder -= whole * 86_400.0;
    }
    days = days
        .checked_add(month_remainder_days.trunc() as i32)
        .ok_or_else(interval_out_of_range)?;
    let micros = (f(iv.micros as f64) + sec_remainder * 1e6).round_ties_even();
    if !(micros.is_finite() && micros >= i64::MIN as f64 && micros < i64::MAX as f64) {
        return Err(interval_out_of_range());
    }
    Ok(Interval {
        months,
        days,
        micros: micros as i64,
    })
}

fn add_intervals(a: Interval, b: Interval) -> Result<Interval, PgError> {
    Ok(Interval {
        months: a
            .months
            .checked_add(b.months)
            .ok_or_else(interval_out_of_range)?,
        days: a
            .days
            .checked_add(b.days)
            .ok_or_else(interval_out_of_range)?,
        micros: a
            .micros
            .checked_add(b.micros)
            .ok_or_else(interval_out_of_range)?,
    })
}

fn ts_text(micros: i64, zoned: bool) -> SqlValue {
    SqlValue::Text(dt::format_timestamp_micros(micros, zoned))
}

fn interval_text(iv: Interval) -> SqlValue {
    SqlValue::Text(dt::format_interval(iv))
}

/// A date as the timestamp at its midnight (date2timestamp): 22008 past timestamp's
/// range (a date may be a million years later).
fn date_micros(v: ValueRef<'_>) -> Result<i64, PgError> {
    date(v)?
        .checked_mul(MICROS_PER_DAY)
        .and_then(|t| dt::check_timestamp(t).ok())
        .ok_or_else(|| {
            PgError::new(
                SqlState::DATETIME_FIELD_OVERFLOW,
                "date out of range for timestamp",
            )
        })
}

/// Arithmetic with an infinite date or timestamp, as PostgreSQL 15 does it: adding an
/// interval, a number of days or a time keeps the infinity; subtracting two of them is
/// an error. None when no operand is infinite (or the operator does not exist).
fn infinite_arithmetic(
    op: &str,
    l: &str,
    r: &str,
    a: ValueRef<'_>,
    b: ValueRef<'_>,
) -> Result<Option<SqlValue>, PgError> {
    let dated = |t: &str| matches!(t, "date" | "timestamp" | "timestamptz");
    let infinite =
        |v: ValueRef<'_>, t: &str| dated(t) && super::dates::infinity_sign(&text(v)).is_some();
    let (left, right) = (infinite(a, l), infinite(b, r));
    if !left && !right {
        return Ok(None);
    }
    if op == "-" && dated(l) && dated(r) {
        let what = if l == "date" && r == "date" {
            "dates"
        } else {
            "timestamps"
        };
        return Err(PgError::new(
            SqlState::DATETIME_FIELD_OVERFLOW,
            format!("cannot subtract infinite {what}"),
        ));
    }
    // The other operand: what may be added to (or, on the right, subtracted from) it.
    let (word, other, infinite_type) = if left { (a, r, l) } else { (b, l, r) };
    let addend = match other {
        "interval" => true,
        "time" => infinite_type == "date",
        t => int_width(t).is_some() && infinite_type == "date",
    };
    if !addend || (op == "-" && !left) || !matches!(op, "+" | "-") {
        return Ok(None);
    }
    Ok(Some(SqlValue::Text(text(word).trim().to_string())))
}

/// Date/time arithmetic; None when no such operator exists for these types.
fn temporal(
    op: &str,
    l: &str,
    r: &str,
    a: ValueRef<'_>,
    b: ValueRef<'_>,
) -> Result<Option<SqlValue>, PgError> {
    if let Some(v) = infinite_arithmetic(op, l, r, a, b)? {
        return Ok(Some(v));
    }
    let is_ts = |t: &str| matches!(t, "timestamp" | "timestamptz");
    let int = |t: &str| int_width(t).is_some();
    let v = match (op, l, r) {
        ("+" | "-", "date", i) if int(i) => {
            let n = super::operators::int(b, i)?;
            let n = if op == "-" {
                n.checked_neg().ok_or_else(date_out_of_range)?
            } else {
                n
            };
            let d = date(a)?
                .checked_add(n)
                .and_then(|d| i32::try_from(d).ok())
                .ok_or_else(date_out_of_range)?;
            let d = dt::check_date(d).map_err(|_| date_out_of_range())?;
            SqlValue::Text(dt::format_date(d))
        }
        ("+", i, "date") if int(i) => return temporal(op, r, l, b, a),
        ("-", "date", "date") => SqlValue::Integer(date(a)? - date(b)?),
        ("+" | "-", "date", "interval") => {
            let iv = interval(b)?;
            let iv = if op == "-" { negate(iv)? } else { iv };
            ts_text(add_interval(date_micros(a)?, iv)?, false)
        }
        ("+", "interval", "date") => return temporal(op, r, l, b, a),
        ("+", "date", "time") => ts_text(date_micros(a)? + time(b)?, false),
        ("+", "time", "date") => return temporal(op, r, l, b, a),
        ("+" | "-", t, "interval") if is_ts(t) => {
            let iv = interval(b)?;
            let iv = if op == "-" { negate(iv)? } else { iv };
            let zoned = t == "timestamptz";
            // A timestamptz steps months and days in the session's local time.
            let zone = zoned.then(dt::session);
            ts_text(
                add_interval_in(timestamp(a, zoned)?, iv, zone.as_ref())?,
                zoned,
            )
        }
        ("+", "interval", t) if is_ts(t) => return temporal(op, r, l, b, a),
        ("-", t, u) if is_ts(t) && t == u => {
            let zoned = t == "timestamptz";
            interval_text(difference(timestamp(a, zoned)?, timestamp(b, zoned)?)?)
        }
        ("-", "timestamp", "date") => {
            interval_text(difference(timestamp(a, false)?, date_micros(b)?)?)
        }
        ("-", "date", "timestamp") => {
            interval_text(difference(date_micros(a)?, timestamp(b, false)?)?)
        }
        ("+" | "-", "time", "interval") => {
            let iv = interval(b)?;
            let shift = if op == "-" { -iv.micros } else { iv.micros };
            let t = (time(a)? + shift.rem_euclid(MICROS_PER_DAY)).rem_euclid(MICROS_PER_DAY);
            SqlValue::Text(dt::format_time(t))
        }
        ("+", "interval", "time") => return temporal(op, r, l, b, a),
        ("-", "time", "time") => interval_text(Interval {
            months: 0,
            days: 0,
            micros: time(a)? - time(b)?,
        }),
        ("+", "interval", "interval") => interval_text(add_intervals(interval(a)?, interval(b)?)?),
        ("-", "interval", "interval") => {
            interval_text(add_intervals(interval(a)?, negate(interval(b)?)?)?)
        }
        ("*", "interval", n) if is_number(n) => {
            interval_text(scale(interval(a)?, float(b)?, false)?)
        }
        ("*", n, "interval") if is_number(n) => {
            interval_text(scale(interval(b)?, float(a)?, false)?)
        }
        ("/", "interval", n) if is_number(n) => {
            interval_text(scale(interval(a)?, float(b)?, true)?)
        }
        _ => return Ok(None),
    };
    Ok(Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(s: &str) -> Interval {
        dt::parse_interval(s).unwrap()
    }

    #[test]
    fn integers_fail_on_overflow_and_zero() {
        assert_eq!(integer("+", 1, 2, 4).unwrap(), SqlValue::Integer(3));
        let e = integer("+", i64::from(i32::MAX), 1, 4).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (SqlState::NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range")
        );
        assert_eq!(
            integer("/", -32768, -1, 2).unwrap_err().message,
            "smallint out of range"
        );
        assert_eq!(
            integer("*", i64::MAX, 2, 8).unwrap_err().message,
            "bigint out of range"
        );
        assert_eq!(
            integer("/", 1, 0, 4).unwrap_err().code,
            SqlState::DIVISION_BY_ZERO
        );
        assert_eq!(integer("%", i64::MIN, -1, 8).unwrap(), SqlValue::Integer(0));
        assert_eq!(integer("/", -7, 2, 4).unwrap(), SqlValue::Integer(-3));
    }

    #[test]
    fn intervals_scale_like_postgres() {
        // select interval '1 day' * 1.5, interval '3 days' / 2, interval '1 mon' / 7
        assert_eq!(
            dt::format_interval(scale(iv("1 day"), 1.5, false).unwrap()),
            "1 day 12:00:00"
        );
        assert_eq!(
            dt::format_interval(scale(iv("3 days"), 2.0, true).unwrap()),
            "1 day 12:00:00"
        );
        assert_eq!(
            dt::format_interval(scale(iv("1 mon"), 7.0, true).unwrap()),
            "4 days 06:51:25.6896"
        );
        assert_eq!(
            scale(iv("1 day"), 0.0, true).unwrap_err().code,
            SqlState::DIVISION_BY_ZERO
        );
    }

    #[test]
    fn timestamps_add_months_on_the_calendar() {
        let jan31 = dt::parse_timestamp_local("2024-01-31 10:00:00").unwrap();
        let t = add_interval(jan31, iv("1 mon")).unwrap();
        assert_eq!(dt::format_timestamp_micros(t, false), "2024-02-29 10:00:00");
        let d = difference(
            dt::parse_timestamp_local("2024-03-01").unwrap(),
            dt::parse_timestamp_local("2024-01-01 12:00").unwrap(),
        )
        .unwrap();
        assert_eq!(dt::format_interval(d), "59 days 12:00:00");
    }
}
