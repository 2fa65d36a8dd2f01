//! PostgreSQL's date/time, string, math and array functions, as the SQL functions the translator
//! calls (sql/translate/functions.rs renames `split_part(…)` to `pg_split_part(…)`,
//! `extract(f FROM x)` to `pg_extract('f', x)`…). Every name is `pg_`-prefixed, so none
//! shadows a SQLite built-in, and they are registered with the catalog functions on a
//! connection's first unknown function (engine/stmt.rs): a connection that never calls
//! one pays nothing for them. Results that build strings are bounded by the connection's
//! SQLITE_LIMIT_LENGTH (PostgreSQL's 54000 past it).

mod array_nesting;
mod arrays;
mod bytea_bits;
pub(crate) mod dates;
pub(crate) mod decimal;
mod distinct_agg;
mod extremes;
mod float_agg;
mod format;
mod hashes;
mod interval_agg;
mod math;
mod number_format;
mod numeric_agg;
mod numeric_math;
mod numeric_stats;
mod operators;
pub(crate) use arrays::write_json;
pub(crate) use arrays::JSON_SUBTYPE;
pub(crate) use operators::add_interval_in;
mod ordered_set;
mod regex;
mod sort_place;
pub(crate) mod strings;

pub use strings::quote_ident as quote_identifier;
mod to_char;
mod views;
mod window;

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::limits::Limit;
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;

use super::datetime::{self as dt, MICROS_PER_DAY};
use super::error::raise;
use crate::protocol::{PgError, SqlState};
use dates::Temporal;

type Res<T> = rusqlite::Result<T>;

/// A value's text as PostgreSQL would print it (numbers, text; blobs as bytea hex).
fn text_of(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => {
            let mut b = bytes::BytesMut::new();
            super::types::write_float8(f, &mut b);
            Some(String::from_utf8_lossy(&b).into_owned())
        }
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => {
            let mut out = String::with_capacity(2 + 2 * b.len());
            out.push_str("\\x");
            for byte in b {
                out.push_str(&format!("{byte:02x}"));
            }
            Some(out)
        }
    }
}

fn text(ctx: &Context<'_>, i: usize) -> Option<String> {
    text_of(ctx.get_raw(i))
}

/// An integer argument; text must read as one (PostgreSQL's 22P02 otherwise).
fn int(ctx: &Context<'_>, i: usize) -> Res<Option<i64>> {
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i),
        ValueRef::Real(f) if f.is_finite() && f.abs() < 9.2e18 => Some(f.round() as i64),
        other => {
            let t = text_of(other).unwrap_or_default();
            Some(t.trim().parse().map_err(|_| {
                raise(PgError::new(
                    SqlState::INVALID_TEXT_REPRESENTATION,
                    format!("invalid input syntax for type integer: \"{t}\""),
                ))
            })?)
        }
    })
}

fn float(ctx: &Context<'_>, i: usize) -> Res<Option<f64>> {
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i as f64),
        ValueRef::Real(f) => Some(f),
        other => {
            let t = text_of(other).unwrap_or_default();
            Some(super::input::parse_float(&t).ok_or_else(|| {
                raise(PgError::new(
                    SqlState::INVALID_TEXT_REPRESENTATION,
                    format!("invalid input syntax for type double precision: \"{t}\""),
                ))
            })?)
        }
    })
}

fn any_null(ctx: &Context<'_>) -> bool {
    (0..ctx.len()).any(|i| matches!(ctx.get_raw(i), ValueRef::Null))
}

/// ±1 when argument `i` is a stored `infinity` / `-infinity`.
/// `to_char(x, format)` of a finite date/time value, a number or an interval.
fn to_char_value(ctx: &Context<'_>) -> Res<String> {
    let (micros, offset, abbrev) = match ctx.get_raw(0) {
        // A numeric held as its text: its exact digits (the words infinity and
        // -infinity are dates' first).
        v @ ValueRef::Text(_) if infinite(ctx, 0).is_none() && numeric_text(v).is_some() => {
            let Some(x) = numeric_text(v) else {
                return Ok(String::new());
            };
            return pg(number_format::to_char(
                number_format::Number::Numeric(x),
                &s(ctx, 1),
            ));
        }
        ValueRef::Text(_) => match temporal(ctx, 0, "to_char")? {
            Some(Temporal::Date(d)) => (i64::from(d) * MICROS_PER_DAY, None, None),
            Some(Temporal::Timestamp(t)) => (t, None, None),
            Some(Temporal::TimestampTz(t)) => {
                let zone = pg(dates::session_zone(&s(ctx, 2)))?;
                let offset = i64::from(zone.offset_at(t)) * 1_000_000;
                (t, Some(offset), zone.abbreviation_at(t))
            }
            Some(Temporal::Interval(iv)) => return pg(to_char::format_interval(iv, &s(ctx, 1))),
            // A time is formatted as an interval (PostgreSQL casts it so).
            Some(Temporal::Time(micros)) => {
                let iv = dt::Interval {
                    micros,
                    ..Default::default()
                };
                return pg(to_char::format_interval(iv, &s(ctx, 1)));
            }
            None => return Ok(String::new()),
        },
        ValueRef::Integer(i) => {
            return pg(number_format::to_char(
                number_format::Number::Int(i),
                &s(ctx, 1),
            ))
        }
        ValueRef::Real(f) => {
            return pg(number_format::to_char(
                number_format::Number::Real(f),
                &s(ctx, 1),
            ))
        }
        _ => return Err(raise(unsupported("to_char() of a bytea"))),
    };
    Ok(to_char::format(
        micros,
        offset,
        abbrev.as_deref(),
        &s(ctx, 1),
    ))
}

/// concat(), concat_ws() and format() take their arguments untyped (translate/
/// functions.rs), so a BC date's stored form (`/9955-03-15`, engine/datetime.rs) cannot
/// be told from text: refused rather than printed as stored.
fn no_stored_bc(ctx: &Context<'_>, function: &str) -> Res<()> {
    for i in 0..ctx.len() {
        if let ValueRef::Text(t) = ctx.get_raw(i) {
            if dt::is_stored_bc(t) && std::str::from_utf8(t).is_ok_and(|s| dates::read(s).is_ok()) {
                return Err(raise(unsupported(format!(
                    "{function} of a BC date or timestamp"
                ))));
            }
        }
    }
    Ok(())
}

fn infinite(ctx: &Context<'_>, i: usize) -> Option<i8> {
    match ctx.get_raw(i) {
        ValueRef::Text(t) => std::str::from_utf8(t).ok().and_then(dates::infinity_sign),
        _ => None,
    }
}

fn temporal(ctx: &Context<'_>, i: usize, function: &str) -> Res<Option<Temporal>> {
    match ctx.get_raw(i) {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => dates::read(&String::from_utf8_lossy(t))
            .map(Some)
            .map_err(raise),
        _ => Err(raise(PgError::new(
            SqlState::UNDEFINED_FUNCTION,
            format!("function {function}(unknown, numeric) does not exist"),
        ))),
    }
}

/// A timestamp (a date is midnight) as microseconds since 2000-01-01.
fn instant(t: Temporal, function: &str) -> Result<i64, PgError> {
    match t {
        Temporal::Date(d) => Ok(i64::from(d) * MICROS_PER_DAY),
        Temporal::Timestamp(t) | Temporal::TimestampTz(t) => Ok(t),
        _ => Err(PgError::new(
            SqlState::UNDEFINED_FUNCTION,
            format!("function {function}() does not exist for this argument type"),
        )),
    }
}

fn now_micros() -> i64 {
    dt::now_micros()
}

/// `f` with PostgreSQL's STRICT rule: any NULL argument gives NULL. A bytea argument is
/// refused (42883, as PostgreSQL has no such function) rather than read as its hex text.
fn strict<T>(
    f: impl Fn(&Context<'_>) -> Res<T> + Send + 'static,
) -> impl Fn(&mut Context<'_>) -> Res<Option<T>> + Send + 'static {
    move |ctx| {
        if (0..ctx.len()).any(|i| matches!(ctx.get_raw(i), ValueRef::Blob(_))) {
            return Err(raise(PgError::new(
                SqlState::UNDEFINED_FUNCTION,
                "function does not exist for a bytea argument",
            )));
        }
        strict_bytes(&f)(ctx)
    }
}

/// [`strict`] for a function that reads bytea arguments itself.
fn strict_bytes<T>(
    f: impl Fn(&Context<'_>) -> Res<T>,
) -> impl Fn(&mut Context<'_>) -> Res<Option<T>> {
    move |ctx| {
        if any_null(ctx) {
            Ok(None)
        } else {
            f(ctx).map(Some)
        }
    }
}

/// The text of non-null argument `i` (under [`strict`]).
fn s(ctx: &Context<'_>, i: usize) -> String {
    text(ctx, i).unwrap_or_default()
}

/// Integer argument `i`, non-null under [`strict`].
fn n(ctx: &Context<'_>, i: usize) -> Res<i64> {
    Ok(int(ctx, i)?.unwrap_or(0))
}

/// Text that is a finite numeric (a numeric column's stored value), exact.
fn numeric_text(v: ValueRef<'_>) -> Option<decimal::Dec> {
    let ValueRef::Text(t) = v else {
        return None;
    };
    match std::str::from_utf8(t).ok().and_then(decimal::Num::parse) {
        Some(decimal::Num::Fin(d)) => Some(d),
        _ => None,
    }
}

/// Argument 0 at the numeric(p, s) of arguments 1 and 2 (22003 when it does not fit);
/// None for NULL, a missing modifier or text that is no number (numeric's own input
/// refused it, or SQLite's affinity did).
fn numeric_at_typmod(ctx: &Context<'_>) -> Res<Option<decimal::Num>> {
    let (Some(p), Some(s)) = (int(ctx, 1)?, int(ctx, 2)?) else {
        return Ok(None);
    };
    let value = match ctx.get_raw(0) {
        ValueRef::Null => return Ok(None),
        ValueRef::Integer(i) => decimal::Num::Fin(decimal::Dec::from_i64(i)),
        ValueRef::Real(f) => decimal::Num::from_f64(f),
        other => match decimal::Num::parse(&text_of(other).unwrap_or_default()) {
            Some(n) => n,
            None => return Ok(None),
        },
    };
    pg(value.with_typmod(p.clamp(1, 1000) as u32, s.clamp(-1000, 1000) as i32)).map(Some)
}

fn pg<T>(r: Result<T, PgError>) -> Res<T> {
    r.map_err(raise)
}

/// Registers the functions on `conn`.
pub fn register(conn: &Connection) -> Res<()> {
    let pure = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS;
    let volatile = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS;
    let limit = usize::try_from(conn.limit(Limit::SQLITE_LIMIT_LENGTH)?).unwrap_or(1 << 20);
    arrays::register(conn, limit)?;

    conn.create_scalar_function("pg_sleep", 1, volatile, |ctx| {
        super::functions::pg_sleep(ctx)
    })?;
    // Operators chosen by their operands' types (sql/translate/operators.rs).
    conn.create_scalar_function("pg_op", 5, pure, |ctx| operators::pg_op(ctx))?;
    conn.create_scalar_function("pg_int", 3, pure, |ctx| operators::pg_int(ctx))?;
    conn.create_scalar_function("pg_interval_key", 1, pure, |ctx| {
        operators::pg_interval_key(ctx)
    })?;
    conn.create_scalar_function("pg_type_of", 1, pure, |ctx| operators::pg_type_of(ctx))?;
    conn.create_scalar_function("pg_coerce", 2, pure, |ctx| operators::pg_coerce(ctx))?;
    for args in [1, 2] {
        conn.create_scalar_function("pg_round_even", args, pure, |ctx| {
            operators::pg_round_even(ctx)
        })?;
    }
    for args in [1, 2] {
        conn.create_scalar_function("pg_float4_digits", args, pure, |ctx| {
            operators::pg_float4_digits(ctx)
        })?;
    }
    conn.create_scalar_function("pg_neg", 2, pure, |ctx| operators::pg_neg(ctx))?;
    conn.create_scalar_function("pg_text_out", 2, pure, |ctx| operators::pg_text_out(ctx))?;
    // The markers' meaning where engine/compare.rs did not replace them (a view's
    // stored text): intervals, arrays and jsonb by their keys.
    for marker in ["pg_compare_key", "pg_order_key"] {
        conn.create_scalar_function(marker, 2, pure, |ctx| operators::pg_compare_key(ctx))?;
    }
    // A type check or date/time promotion compare.rs did not make (an ALTER TABLE's row
    // tests): the value.
    conn.create_scalar_function(crate::sql::translate::TYPE_CHECK_MARKER, 4, pure, |ctx| {
        operators::pg_type_check(ctx)
    })?;
    // A grouping check compare.rs did not make: true.
    conn.create_scalar_function(
        crate::sql::translate::grouping::GROUP_CHECK_MARKER,
        1,
        pure,
        |_| Ok(1),
    )?;
    conn.create_scalar_function(crate::sql::translate::DT_PROMOTE_MARKER, 3, pure, |ctx| {
        operators::pg_type_check(ctx)
    })?;
    conn.create_scalar_function("pg_array_value", 2, pure, |ctx| {
        operators::pg_array_value(ctx)
    })?;
    conn.create_scalar_function("pg_is_interval", 1, pure, |ctx| {
        operators::pg_is_interval(ctx)
    })?;
    conn.create_scalar_function("pg_is_bytea", 1, pure, |ctx| operators::pg_is_bytea(ctx))?;
    // string_agg of bytea: group_concat's text holds the joined bytes (a blob's, kept).
    conn.create_scalar_function("pg_joined_bytes", 1, pure, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Text(t) | ValueRef::Blob(t) => Some(t.to_vec()),
            _ => None,
        })
    })?;
    interval_agg::register(conn, pure)?;
    float_agg::register(conn, pure)?;
    distinct_agg::register(conn, pure)?;
    numeric_agg::register(conn, pure)?;
    numeric_math::register(conn, pure)?;
    numeric_stats::register(conn, pure)?;
    conn.create_scalar_function("pg_is_numeric", 2, pure, |ctx| {
        operators::pg_is_numeric(ctx)
    })?;
    extremes::register(conn, pure)?;
    hashes::register(conn, pure)?;
    sort_place::register(conn, pure)?;

    math::register(conn)?;
    ordered_set::register(conn)?;
    window::register(conn)?;
    views::register(conn)?;
    // Dates and times.
    // The session's TimeZone comes last (the translator adds it).
    conn.create_scalar_function("pg_extract", 3, pure, |ctx| {
        if let (Some(unit), Some(sign)) = (text(ctx, 0), infinite(ctx, 1)) {
            return pg(
                dates::infinite_part(&unit, sign).map(|p| p.map(|p| number_or_text(p.numeric)))
            );
        }
        let (Some(unit), Some(v)) = (text(ctx, 0), temporal(ctx, 1, "extract")?) else {
            return Ok(None);
        };
        pg(dates::part(&unit, v, false, &s(ctx, 2)).map(|p| Some(number_or_text(p.numeric))))
    })?;
    // `pg_numeric_fits(x, p, s)`: a numeric(p,s) column's CHECK (translate/mod.rs
    // value_check): 22003 when x, rounded to s decimals, has more than p - s integer
    // digits or is infinite; true otherwise.
    conn.create_scalar_function("pg_numeric_fits", 3, pure, |ctx| {
        numeric_at_typmod(ctx)?;
        Ok(true)
    })?;
    // `pg_numeric_typmod(x, p, s)`: `x::numeric(p,s)`, rounded to s decimals (numeric's
    // text), 22003 as pg_numeric_fits; x itself when it is no number.
    conn.create_scalar_function("pg_numeric_typmod", 3, pure, |ctx| {
        Ok(match numeric_at_typmod(ctx)? {
            Some(n) => SqlValue::Text(n.to_string()),
            None => crate::engine::functions::owned(ctx.get_raw(0)),
        })
    })?;
    // `pg_number(x)`: a numeric kept as text (EXTRACT's) as the number it is, to compare.
    conn.create_scalar_function("pg_number", 1, pure, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Text(t) => {
                let t = std::str::from_utf8(t).unwrap_or("");
                match (t.parse::<i64>(), t.parse::<f64>()) {
                    (Ok(i), _) => SqlValue::Integer(i),
                    (_, Ok(f)) => SqlValue::Real(f),
                    _ => SqlValue::Text(t.to_string()),
                }
            }
            other => crate::engine::functions::owned(other),
        })
    })?;
    conn.create_scalar_function("pg_date_part", 3, pure, |ctx| {
        if let (Some(unit), Some(sign)) = (text(ctx, 0), infinite(ctx, 1)) {
            return pg(dates::infinite_part(&unit, sign).map(|p| p.map(|p| p.float)));
        }
        let (Some(unit), Some(v)) = (text(ctx, 0), temporal(ctx, 1, "date_part")?) else {
            return Ok(None);
        };
        pg(dates::part(&unit, v, true, &s(ctx, 2)).map(|p| Some(p.float)))
    })?;
    // date_trunc(f, x[, zone]): a zone given is the third argument.
    for args in [3, 4] {
        conn.create_scalar_function("pg_date_trunc", args, pure, |ctx| {
            // Truncating an infinity leaves it.
            if let Some(sign) = infinite(ctx, 1) {
                return Ok(Some(
                    if sign > 0 { "infinity" } else { "-infinity" }.to_string(),
                ));
            }
            let (Some(unit), Some(v)) = (text(ctx, 0), temporal(ctx, 1, "date_trunc")?) else {
                return Ok(None);
            };
            let zone = if ctx.len() == 4 {
                let Some(zone) = text(ctx, 2) else {
                    return Ok(None);
                };
                pg(dates::conversion_zone(&zone))?
            } else {
                pg(dates::session_zone(&s(ctx, 2)))?
            };
            pg(dates::trunc(&unit, v, &zone).map(Some))
        })?;
    }
    // num_nulls / num_nonnulls(VARIADIC "any"): how many arguments are (not) NULL.
    for (name, nulls) in [("num_nulls", true), ("num_nonnulls", false)] {
        conn.create_scalar_function(name, -1, pure, move |ctx| {
            if ctx.is_empty() {
                return Err(super::error::raise(PgError::new(
                    SqlState::UNDEFINED_FUNCTION,
                    format!("function {name}() does not exist"),
                )));
            }
            let n = (0..ctx.len())
                .filter(|&i| matches!(ctx.get_raw(i), ValueRef::Null) == nulls)
                .count();
            Ok(n as i64)
        })?;
    }
    // booleq / boolne, the functions behind boolean `=` and `<>` (strict).
    for (name, equal) in [("booleq", true), ("boolne", false)] {
        conn.create_scalar_function(name, 2, pure, move |ctx| {
            let a = math::bool_arg(ctx.get_raw(0))?;
            let b = math::bool_arg(ctx.get_raw(1))?;
            Ok(a.zip(b).map(|(a, b)| (a == b) == equal))
        })?;
    }
    // sha224 … sha512(bytea): the digest as bytea; text is digested as its UTF-8 bytes.
    for (name, hash) in [
        ("sha224", 224),
        ("sha256", 256),
        ("sha384", 384),
        ("sha512", 512),
    ] {
        conn.create_scalar_function(name, 1, pure, move |ctx| {
            use sha2::Digest;
            let bytes: Vec<u8> = match ctx.get_raw(0) {
                ValueRef::Null => return Ok(None),
                ValueRef::Blob(b) => b.to_vec(),
                other => text_of(other).unwrap_or_default().into_bytes(),
            };
            Ok(Some(match hash {
                224 => sha2::Sha224::digest(&bytes).to_vec(),
                256 => sha2::Sha256::digest(&bytes).to_vec(),
                384 => sha2::Sha384::digest(&bytes).to_vec(),
                _ => sha2::Sha512::digest(&bytes).to_vec(),
            }))
        })?;
    }
    // bytea's bits and bytes.
    let bytes = |v: ValueRef<'_>| match v {
        ValueRef::Blob(b) => b.to_vec(),
        other => text_of(other).unwrap_or_default().into_bytes(),
    };
    conn.create_scalar_function(
        "get_bit",
        2,
        pure,
        strict_bytes(move |ctx| pg(bytea_bits::get_bit(&bytes(ctx.get_raw(0)), n(ctx, 1)?))),
    )?;
    conn.create_scalar_function(
        "get_byte",
        2,
        pure,
        strict_bytes(move |ctx| pg(bytea_bits::get_byte(&bytes(ctx.get_raw(0)), n(ctx, 1)?))),
    )?;
    conn.create_scalar_function(
        "set_bit",
        3,
        pure,
        strict_bytes(move |ctx| {
            pg(bytea_bits::set_bit(
                &bytes(ctx.get_raw(0)),
                n(ctx, 1)?,
                n(ctx, 2)?,
            ))
        }),
    )?;
    conn.create_scalar_function(
        "set_byte",
        3,
        pure,
        strict_bytes(move |ctx| {
            pg(bytea_bits::set_byte(
                &bytes(ctx.get_raw(0)),
                n(ctx, 1)?,
                n(ctx, 2)?,
            ))
        }),
    )?;
    conn.create_scalar_function(
        "bit_count",
        1,
        pure,
        strict_bytes(move |ctx| Ok(bytea_bits::bit_count(&bytes(ctx.get_raw(0))))),
    )?;
    // isfinite(date | timestamp | timestamptz | interval): only the stored infinities are not.
    conn.create_scalar_function("isfinite", 1, pure, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Null => None,
            _ => Some(infinite(ctx, 0).is_none()),
        })
    })?;
    for args in [2, 3] {
        conn.create_scalar_function("pg_age", args, volatile, |ctx| {
            let zone = pg(dates::session_zone(&s(ctx, ctx.len() - 1)))?;
            // A timestamptz is compared in the session's local time.
            let local = |i: usize| -> Res<Option<i64>> {
                Ok(match temporal(ctx, i, "age")? {
                    None => None,
                    Some(Temporal::TimestampTz(t)) => Some(zone.to_local(t)),
                    Some(other) => Some(pg(instant(other, "age"))?),
                })
            };
            let Some(a) = local(0)? else {
                return Ok(None);
            };
            let (x, y) = if ctx.len() == 2 {
                // age(x): from today's midnight.
                let today = now_micros().div_euclid(MICROS_PER_DAY) * MICROS_PER_DAY;
                (today, a)
            } else {
                let Some(b) = local(1)? else {
                    return Ok(None);
                };
                (a, b)
            };
            pg(dates::age(x, y).map(Some))
        })?;
    }
    conn.create_scalar_function(
        "to_date",
        2,
        pure,
        strict(|ctx| pg(dates::to_date(&s(ctx, 0), &s(ctx, 1)).map(dt::format_date))),
    )?;
    conn.create_scalar_function(
        "pg_make_date",
        3,
        pure,
        strict(|ctx| pg(dates::make_date(n(ctx, 0)?, n(ctx, 1)?, n(ctx, 2)?).map(dt::format_date))),
    )?;
    conn.create_scalar_function(
        "pg_make_time",
        3,
        pure,
        strict(|ctx| {
            let sec = float(ctx, 2)?.unwrap_or(0.0);
            pg(dates::make_time(n(ctx, 0)?, n(ctx, 1)?, sec).map(dt::format_time))
        }),
    )?;
    conn.create_scalar_function(
        "pg_make_timestamp",
        6,
        pure,
        strict(|ctx| {
            let (y, mo, d) = (n(ctx, 0)?, n(ctx, 1)?, n(ctx, 2)?);
            let days = pg(dates::make_date(y, mo, d))?;
            let sec = float(ctx, 5)?.unwrap_or(0.0);
            let time = pg(dates::make_time(n(ctx, 3)?, n(ctx, 4)?, sec))?;
            let micros = i64::from(days) * MICROS_PER_DAY + time;
            Ok(dt::format_timestamp_micros(micros, false))
        }),
    )?;
    // `x::timestamp(p)`, `time(p) '…'`: rounded to p fractional digits.
    conn.create_scalar_function(
        "pg_precision",
        2,
        pure,
        strict(|ctx| Ok(dates::with_precision(&s(ctx, 0), n(ctx, 1)?))),
    )?;
    // make_timestamptz(y, m, d, h, mi, s[, zone]) and the session's TimeZone.
    for args in [7, 8] {
        conn.create_scalar_function(
            "pg_make_timestamptz",
            args,
            pure,
            strict(|ctx| {
                let (y, mo, d) = (n(ctx, 0)?, n(ctx, 1)?, n(ctx, 2)?);
                let days = pg(dates::make_date(y, mo, d))?;
                let sec = float(ctx, 5)?.unwrap_or(0.0);
                let time = pg(dates::make_time(n(ctx, 3)?, n(ctx, 4)?, sec))?;
                let local = i64::from(days) * MICROS_PER_DAY + time;
                let zone = if ctx.len() == 8 {
                    pg(dates::sane_zone(&s(ctx, 6)))?
                } else {
                    pg(dates::session_zone(&s(ctx, 6)))?
                };
                let utc = pg(dates::make_timestamptz(local, &zone))?;
                Ok(dt::format_timestamp_micros(utc, true))
            }),
        )?;
    }
    conn.create_scalar_function("pg_at_time_zone", 2, pure, |ctx| {
        if let (Some(sign), Some(_)) = (infinite(ctx, 0), text(ctx, 1)) {
            return Ok(Some(
                if sign > 0 { "infinity" } else { "-infinity" }.to_string(),
            ));
        }
        let (Some(v), Some(zone)) = (temporal(ctx, 0, "timezone")?, text(ctx, 1)) else {
            return Ok(None);
        };
        let zone = pg(dates::conversion_zone(&zone))?;
        let out_of_range = |_| {
            raise(PgError::new(
                SqlState::DATETIME_FIELD_OVERFLOW,
                "timestamp out of range",
            ))
        };
        Ok(Some(match v {
            // Local time in the zone → the instant, shown as timestamptz.
            Temporal::Timestamp(t) => dt::format_timestamp_micros(
                dt::check_timestamp(zone.to_utc(t)).map_err(out_of_range)?,
                true,
            ),
            Temporal::TimestampTz(t) => dt::format_timestamp_micros(
                dt::check_timestamp(zone.to_local(t)).map_err(out_of_range)?,
                false,
            ),
            // A date is midnight in the session's zone.
            Temporal::Date(d) => {
                let utc = dt::session().to_utc(i64::from(d) * MICROS_PER_DAY);
                dt::format_timestamp_micros(zone.to_local(utc), false)
            }
            _ => return Err(raise(unsupported("AT TIME ZONE for a time or interval"))),
        }))
    })?;
    conn.create_scalar_function(
        "pg_to_timestamp",
        1,
        pure,
        strict(|ctx| {
            let secs = float(ctx, 0)?.unwrap_or(0.0);
            // PostgreSQL's float8_timestamptz: the infinities map to timestamptz's.
            if secs.is_infinite() {
                let t = if secs > 0.0 { "infinity" } else { "-infinity" };
                return Ok(t.to_string());
            }
            if secs.is_nan() {
                return Err(raise(PgError::new(
                    SqlState::DATETIME_FIELD_OVERFLOW,
                    "timestamp cannot be NaN",
                )));
            }
            let micros = (secs * 1e6).round();
            let shown = text_of(ValueRef::Real(secs)).unwrap_or_default();
            let bad = || {
                raise(PgError::new(
                    SqlState::DATETIME_FIELD_OVERFLOW,
                    format!("timestamp out of range: \"{shown}\""),
                ))
            };
            if !micros.is_finite() || micros.abs() > 9.2e18 {
                return Err(bad());
            }
            let t = (micros as i64)
                .checked_sub(dt::PG_EPOCH_OFFSET_MICROS)
                .ok_or_else(bad)?;
            let t = dt::check_timestamp(t).map_err(|_| bad())?;
            Ok(dt::format_timestamp_micros(t, true))
        }),
    )?;

    conn.create_scalar_function(
        "pg_date_bin",
        3,
        pure,
        strict(|ctx| {
            // PostgreSQL's timestamp_bin: an infinite source is its own bin; an
            // infinite origin is an error.
            if infinite(ctx, 1).is_some() {
                return Ok(s(ctx, 1));
            }
            if infinite(ctx, 2).is_some() {
                return Err(raise(PgError::new(
                    SqlState::DATETIME_FIELD_OVERFLOW,
                    "origin out of range",
                )));
            }
            let stride = match temporal(ctx, 0, "date_bin")? {
                Some(Temporal::Interval(iv)) => iv,
                // An interval under a day is stored as a clock time.
                Some(Temporal::Time(micros)) => dt::Interval {
                    micros,
                    ..Default::default()
                },
                _ => {
                    return Err(raise(PgError::new(
                        SqlState::UNDEFINED_FUNCTION,
                        "function date_bin() does not exist for these argument types",
                    )))
                }
            };
            let (source, zoned) = match temporal(ctx, 1, "date_bin")? {
                Some(Temporal::TimestampTz(t)) => (t, true),
                Some(other) => (pg(instant(other, "date_bin"))?, false),
                None => return Ok(String::new()),
            };
            let origin = match temporal(ctx, 2, "date_bin")? {
                Some(other) => pg(instant(other, "date_bin"))?,
                None => return Ok(String::new()),
            };
            let binned = pg(dates::bin(stride, source, origin))?;
            Ok(dt::format_timestamp_micros(binned, zoned))
        }),
    )?;
    // An infinite date or timestamp has no fields to format: NULL, as in PostgreSQL.
    conn.create_scalar_function(
        "pg_to_char",
        3,
        pure,
        strict(|ctx| match infinite(ctx, 0) {
            Some(_) => Ok(None),
            None => to_char_value(ctx).map(Some),
        }),
    )?;

    // Strings.
    let text1 = |name: &'static str, f: fn(&str) -> String| {
        conn.create_scalar_function(name, 1, pure, strict(move |ctx| Ok(f(&s(ctx, 0)))))
    };
    text1("pg_initcap", strings::initcap)?;
    conn.create_scalar_function(
        "pg_unistr",
        1,
        pure,
        strict(|ctx| strings::unistr(&s(ctx, 0)).map_err(raise)),
    )?;
    text1("pg_reverse", |x| x.chars().rev().collect())?;
    text1("pg_upper", str::to_uppercase)?;
    text1("pg_lower", str::to_lowercase)?;
    text1("pg_quote_ident", strings::quote_ident)?;
    // SUBSTRING(x SIMILAR p ESCAPE e) (sql/dialect.rs): the part of x between p's two
    // `e"` separators (after the one, or all of the match without any); NULL when x
    // does not match. Strict.
    conn.create_scalar_function("pg_substring_similar", 3, pure, |ctx| {
        let (Some(x), Some(p), Some(e)) = (text(ctx, 0), text(ctx, 1), text(ctx, 2)) else {
            return Ok(None);
        };
        let mut pattern = pg(strings::similar_to_escape(&p, Some(&e)))?;
        // PostgreSQL matches the part before the first separator as few characters as
        // possible: its quantifiers lazy (U swaps greed).
        if pattern.contains("){1,1}?(") {
            pattern = pattern.replacen("^(?:", "^(?U:", 1);
        }
        let re = regex_lite::Regex::new(&pattern).map_err(|err| {
            super::error::raise(PgError::new(
                SqlState::INVALID_REGULAR_EXPRESSION,
                format!("invalid regular expression: {err}"),
            ))
        })?;
        Ok(re.captures(&x).map(|c| {
            c.get(1)
                .or_else(|| c.get(0))
                .map_or(String::new(), |m| m.as_str().to_string())
        }))
    })?;
    // similar_to_escape(pattern [, escape]): SIMILAR TO's pattern as a POSIX one (strict).
    for args in [1, 2] {
        conn.create_scalar_function("similar_to_escape", args, pure, |ctx| {
            let Some(pattern) = text(ctx, 0) else {
                return Ok(None);
            };
            let escape = match ctx.len() {
                1 => None,
                _ => match text(ctx, 1) {
                    Some(e) => Some(e),
                    None => return Ok(None),
                },
            };
            pg(strings::similar_to_escape(&pattern, escape.as_deref()).map(Some))
        })?;
    }
    text1("pg_quote_literal", strings::quote_literal)?;
    // md5(text) digests the UTF-8 text, md5(bytea) the bytes.
    conn.create_scalar_function("pg_md5", 1, pure, |ctx| {
        use md5::Digest;
        let digest = match ctx.get_raw(0) {
            ValueRef::Null => return Ok(None),
            ValueRef::Blob(b) => md5::Md5::digest(b),
            other => md5::Md5::digest(text_of(other).unwrap_or_default().as_bytes()),
        };
        Ok(Some(
            digest
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>(),
        ))
    })?;
    conn.create_scalar_function("pg_quote_nullable", 1, pure, |ctx| {
        Ok(text(ctx, 0).map_or("NULL".to_string(), |v| strings::quote_literal(&v)))
    })?;
    conn.create_scalar_function(
        "pg_ascii",
        1,
        pure,
        strict(|ctx| Ok(strings::ascii(&s(ctx, 0)))),
    )?;
    conn.create_scalar_function(
        "pg_chr",
        1,
        pure,
        strict(|ctx| pg(strings::chr(n(ctx, 0)?))),
    )?;
    conn.create_scalar_function(
        "pg_to_hex",
        1,
        pure,
        strict(|ctx| Ok(strings::to_hex(n(ctx, 0)?))),
    )?;
    conn.create_scalar_function(
        "pg_split_part",
        3,
        pure,
        strict(|ctx| pg(strings::split_part(&s(ctx, 0), &s(ctx, 1), n(ctx, 2)?))),
    )?;
    for (name, left) in [("pg_lpad", true), ("pg_rpad", false)] {
        for args in [2, 3] {
            conn.create_scalar_function(
                name,
                args,
                pure,
                strict(move |ctx| {
                    let fill = if ctx.len() == 3 {
                        s(ctx, 2)
                    } else {
                        " ".into()
                    };
                    pg(strings::pad(&s(ctx, 0), n(ctx, 1)?, &fill, left, limit))
                }),
            )?;
        }
    }
    conn.create_scalar_function(
        "pg_strpos",
        2,
        pure,
        strict(|ctx| Ok(strings::strpos(&s(ctx, 0), &s(ctx, 1)))),
    )?;
    for args in [2, 3] {
        conn.create_scalar_function(
            "pg_substr",
            args,
            pure,
            strict_bytes(|ctx| {
                let count = if ctx.len() == 3 {
                    Some(n(ctx, 2)?)
                } else {
                    None
                };
                let start = n(ctx, 1)?;
                Ok(match ctx.get_raw(0) {
                    ValueRef::Blob(b) => {
                        let (from, len) = pg(strings::byte_range(b.len(), start, count))?;
                        SqlValue::Blob(b[from..from + len].to_vec())
                    }
                    _ => SqlValue::Text(pg(strings::substr(&s(ctx, 0), start, count))?),
                })
            }),
        )?;
    }
    // trim(): characters of text, bytes of bytea.
    for (name, lead, trail) in [
        ("pg_btrim", true, true),
        ("pg_ltrim", true, false),
        ("pg_rtrim", false, true),
    ] {
        for args in [1, 2] {
            conn.create_scalar_function(
                name,
                args,
                pure,
                strict_bytes(move |ctx| {
                    Ok(match (ctx.get_raw(0), ctx.len()) {
                        (ValueRef::Blob(b), 2) => {
                            let set = match ctx.get_raw(1) {
                                ValueRef::Blob(set) => set.to_vec(),
                                other => text_of(other).unwrap_or_default().into_bytes(),
                            };
                            let mut b = b;
                            while lead && b.first().is_some_and(|x| set.contains(x)) {
                                b = &b[1..];
                            }
                            while trail && b.last().is_some_and(|x| set.contains(x)) {
                                b = &b[..b.len() - 1];
                            }
                            SqlValue::Blob(b.to_vec())
                        }
                        _ => {
                            let set = if ctx.len() == 2 {
                                s(ctx, 1)
                            } else {
                                " ".into()
                            };
                            let t = s(ctx, 0);
                            let strip = |c: char| set.contains(c);
                            let t = if lead {
                                t.trim_start_matches(strip)
                            } else {
                                &t
                            };
                            let t = if trail { t.trim_end_matches(strip) } else { t };
                            SqlValue::Text(t.to_string())
                        }
                    })
                }),
            )?;
        }
    }
    conn.create_scalar_function("pg_substring_regex", 2, pure, |ctx| {
        let Some(subject) = text(ctx, 0) else {
            return Ok(None);
        };
        if matches!(ctx.get_raw(1), ValueRef::Null) {
            return Ok(None);
        }
        let re = ctx.get_or_create_aux(1, |v| -> Res<regex_lite::Regex> {
            pg(strings::regex(
                &text_of(v).unwrap_or_default(),
                strings::RegexMode::default(),
            ))
        })?;
        Ok(strings::substring_regex(&subject, &re))
    })?;
    for args in [3, 4] {
        conn.create_scalar_function(
            "pg_overlay",
            args,
            pure,
            strict_bytes(|ctx| {
                let count = if ctx.len() == 4 {
                    Some(n(ctx, 3)?)
                } else {
                    None
                };
                let from = n(ctx, 2)?;
                Ok(match (ctx.get_raw(0), ctx.get_raw(1)) {
                    (ValueRef::Blob(b), ValueRef::Blob(with)) => {
                        let count = count.unwrap_or(with.len() as i64);
                        let (h, hl) = pg(strings::byte_range(
                            b.len(),
                            1,
                            Some(from.saturating_sub(1)),
                        ))?;
                        let (t, tl) = pg(strings::byte_range(
                            b.len(),
                            from.saturating_add(count),
                            None,
                        ))?;
                        SqlValue::Blob([&b[h..h + hl], with, &b[t..t + tl]].concat())
                    }
                    _ => SqlValue::Text(pg(strings::overlay(&s(ctx, 0), &s(ctx, 1), from, count))?),
                })
            }),
        )?;
    }
    conn.create_scalar_function(
        "pg_left",
        2,
        pure,
        strict(|ctx| Ok(strings::left(&s(ctx, 0), n(ctx, 1)?))),
    )?;
    conn.create_scalar_function(
        "pg_right",
        2,
        pure,
        strict(|ctx| Ok(strings::right(&s(ctx, 0), n(ctx, 1)?))),
    )?;
    conn.create_scalar_function(
        "pg_repeat",
        2,
        pure,
        strict(move |ctx| pg(strings::repeat(&s(ctx, 0), n(ctx, 1)?, limit))),
    )?;
    conn.create_scalar_function(
        "pg_translate",
        3,
        pure,
        strict(|ctx| Ok(strings::translate(&s(ctx, 0), &s(ctx, 1), &s(ctx, 2)))),
    )?;
    conn.create_scalar_function(
        "pg_starts_with",
        2,
        pure,
        strict(|ctx| Ok(s(ctx, 0).starts_with(&s(ctx, 1)))),
    )?;
    // regexp_replace(s, p, r [, start [, N]] [, flags]): a number in the fourth place
    // is the start, text the flags.
    for args in 3..=6 {
        conn.create_scalar_function(
            "pg_regexp_replace",
            args,
            pure,
            strict(|ctx| {
                let positional = ctx.len() > 4
                    || (ctx.len() == 4 && matches!(ctx.get_raw(3), ValueRef::Integer(_)));
                let (start, count, flags) = if positional {
                    let flags = if ctx.len() == 6 {
                        s(ctx, 5)
                    } else {
                        String::new()
                    };
                    let count = if ctx.len() >= 5 { n(ctx, 4)? } else { 1 };
                    (n(ctx, 3)?, count, flags)
                } else {
                    (
                        1,
                        1,
                        if ctx.len() == 4 {
                            s(ctx, 3)
                        } else {
                            String::new()
                        },
                    )
                };
                let (global, insensitive) = pg(strings::regex_flags(&flags))?;
                let subject = s(ctx, 0);
                let search = pg(regex::Search::new(&subject, &s(ctx, 1), start, insensitive))?;
                // An explicit N wins over the `g` flag.
                let all = global && ctx.len() < 5;
                pg(search.replace(&s(ctx, 2), if all { 0 } else { count }))
            }),
        )?;
    }
    for args in 2..=4 {
        conn.create_scalar_function(
            "pg_regexp_count",
            args,
            pure,
            strict(|ctx| {
                let start = if ctx.len() >= 3 { n(ctx, 2)? } else { 1 };
                let flags = if ctx.len() == 4 {
                    s(ctx, 3)
                } else {
                    String::new()
                };
                let insensitive = pg(regex::single_flags("regexp_count", &flags))?;
                let subject = s(ctx, 0);
                Ok(pg(regex::Search::new(&subject, &s(ctx, 1), start, insensitive))?.count())
            }),
        )?;
    }
    for args in 2..=7 {
        conn.create_scalar_function(
            "pg_regexp_instr",
            args,
            pure,
            strict(|ctx| {
                let arg = |i: usize, default: i64| -> Res<i64> {
                    if ctx.len() > i {
                        n(ctx, i)
                    } else {
                        Ok(default)
                    }
                };
                let flags = if ctx.len() > 5 {
                    s(ctx, 5)
                } else {
                    String::new()
                };
                let insensitive = pg(regex::single_flags("regexp_instr", &flags))?;
                let subject = s(ctx, 0);
                let search = pg(regex::Search::new(
                    &subject,
                    &s(ctx, 1),
                    arg(2, 1)?,
                    insensitive,
                ))?;
                pg(search.instr(arg(3, 1)?, arg(4, 0)?, arg(6, 0)?))
            }),
        )?;
    }
    for args in 2..=6 {
        conn.create_scalar_function("pg_regexp_substr", args, pure, |ctx| {
            if any_null(ctx) {
                return Ok(None);
            }
            let arg = |i: usize, default: i64| -> Res<i64> {
                if ctx.len() > i {
                    n(ctx, i)
                } else {
                    Ok(default)
                }
            };
            let flags = if ctx.len() > 4 {
                s(ctx, 4)
            } else {
                String::new()
            };
            let insensitive = pg(regex::single_flags("regexp_substr", &flags))?;
            let subject = s(ctx, 0);
            let search = pg(regex::Search::new(
                &subject,
                &s(ctx, 1),
                arg(2, 1)?,
                insensitive,
            ))?;
            pg(search.substr(arg(3, 1)?, arg(5, 0)?))
        })?;
    }
    for args in [2, 3] {
        conn.create_scalar_function(
            "pg_regexp_like",
            args,
            pure,
            strict(|ctx| {
                let flags = if ctx.len() == 3 {
                    s(ctx, 2)
                } else {
                    String::new()
                };
                let insensitive = pg(regex::single_flags("regexp_like", &flags))?;
                Ok(pg(strings::regex(&s(ctx, 1), insensitive))?.is_match(&s(ctx, 0)))
            }),
        )?;
    }
    // justify_days / justify_hours / justify_interval: PostgreSQL's 30-day months and
    // 24-hour days, signs made consistent.
    for (name, days, hours) in [
        ("pg_justify_days", true, false),
        ("pg_justify_hours", false, true),
        ("pg_justify_interval", true, true),
    ] {
        conn.create_scalar_function(
            name,
            1,
            pure,
            strict(move |ctx| {
                let iv = match pg(dates::read(&s(ctx, 0)))? {
                    Temporal::Interval(iv) => iv,
                    Temporal::Time(micros) => dt::Interval {
                        micros,
                        ..Default::default()
                    },
                    _ => {
                        return Err(raise(PgError::new(
                            SqlState::UNDEFINED_FUNCTION,
                            format!("function {}(unknown) does not exist", &name[3..]),
                        )))
                    }
                };
                pg(dates::justify(iv, days, hours).map(dt::format_interval))
            }),
        )?;
    }
    // make_interval(...): the translator passes all seven fields (translate/functions.rs).
    conn.create_scalar_function(
        "pg_make_interval",
        7,
        pure,
        strict(|ctx| {
            let mut fields = [0i64; 6];
            for (i, f) in fields.iter_mut().enumerate() {
                *f = n(ctx, i)?;
            }
            let secs = float(ctx, 6)?.unwrap_or(0.0);
            pg(dates::make_interval(fields, secs).map(dt::format_interval))
        }),
    )?;
    // A timestamp(tz) in JSON (to_json, the json builders): ISO 8601 with `T`, a
    // timestamptz in the session's zone with its `±HH:MM` offset.
    conn.create_scalar_function(
        "pg_datetime_json",
        1,
        pure,
        strict(|ctx| {
            if infinite(ctx, 0).is_some() {
                return Ok(s(ctx, 0));
            }
            Ok(match temporal(ctx, 0, "to_json")? {
                Some(Temporal::TimestampTz(t)) => dt::format_timestamptz_json(t, &dt::session()),
                Some(Temporal::Timestamp(t)) => dt::timestamp_out(t).replacen(' ', "T", 1),
                Some(Temporal::Date(d)) => dt::date_out(d),
                _ => s(ctx, 0),
            })
        }),
    )?;
    conn.create_scalar_function(
        "pg_encode",
        2,
        pure,
        strict_bytes(|ctx| {
            let bytes = match ctx.get_raw(0) {
                ValueRef::Blob(b) => b.to_vec(),
                other => pg(super::input::bytea_from_text(
                    text_of(other).unwrap_or_default().as_bytes(),
                ))?,
            };
            pg(strings::encode(&bytes, &s(ctx, 1)))
        }),
    )?;
    conn.create_scalar_function(
        "pg_decode",
        2,
        pure,
        strict(|ctx| pg(strings::decode(&s(ctx, 0), &s(ctx, 1)))),
    )?;
    conn.create_scalar_function("pg_concat", -1, pure, move |ctx| {
        no_stored_bc(ctx, "concat()")?;
        let parts: Vec<String> = (0..ctx.len()).filter_map(|i| text(ctx, i)).collect();
        bounded(parts.concat(), limit)
    })?;
    conn.create_scalar_function("pg_concat_ws", -1, pure, move |ctx| {
        if ctx.is_empty() {
            return Err(raise(PgError::new(
                SqlState::UNDEFINED_FUNCTION,
                "function concat_ws() does not exist",
            )));
        }
        no_stored_bc(ctx, "concat_ws()")?;
        let Some(sep) = text(ctx, 0) else {
            return Ok(None);
        };
        let parts: Vec<String> = (1..ctx.len()).filter_map(|i| text(ctx, i)).collect();
        bounded(parts.join(&sep), limit).map(Some)
    })?;
    conn.create_scalar_function("pg_format", -1, pure, move |ctx| {
        if ctx.is_empty() {
            return Err(raise(PgError::new(
                SqlState::UNDEFINED_FUNCTION,
                "function format() does not exist",
            )));
        }
        no_stored_bc(ctx, "format()")?;
        let Some(fmt) = text(ctx, 0) else {
            return Ok(None);
        };
        let args: Vec<Option<String>> = (1..ctx.len()).map(|i| text(ctx, i)).collect();
        pg(format::format(&fmt, &args, limit)).map(Some)
    })?;
    // gen_random_uuid(): the translator passes randomblob(16), SQLite's CSPRNG.
    conn.create_scalar_function("pg_uuid", 1, volatile, |ctx| {
        let ValueRef::Blob(b) = ctx.get_raw(0) else {
            return Ok(None);
        };
        let mut b: [u8; 16] = b.try_into().unwrap_or([0; 16]);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        Ok(Some(format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )))
    })?;
    Ok(())
}

/// 0A000 for a form litewire cannot compute with PostgreSQL's meaning.
fn unsupported(what: impl std::fmt::Display) -> PgError {
    PgError::new(
        SqlState::FEATURE_NOT_SUPPORTED,
        format!("{what} is not supported by litewire"),
    )
}

fn bounded(s: String, limit: usize) -> Res<String> {
    if s.len() > limit {
        return Err(raise(PgError::new(
            SqlState::PROGRAM_LIMIT_EXCEEDED,
            "requested length too large",
        )));
    }
    Ok(s)
}

/// A numeric's text as an INTEGER when it has no fraction (it then prints, compares and
/// sorts as PostgreSQL's numeric does), ±Infinity as a REAL (which prints so, and which
/// SQLite's `round` keeps: it reads text as 0), otherwise the text (which keeps its
/// scale).
fn number_or_text(t: String) -> SqlValue {
    if let Ok(i) = t.parse::<i64>() {
        return SqlValue::Integer(i);
    }
    match t.as_str() {
        "Infinity" => SqlValue::Real(f64::INFINITY),
        "-Infinity" => SqlValue::Real(f64::NEG_INFINITY),
        _ => SqlValue::Text(t),
    }
}
