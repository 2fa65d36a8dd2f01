//! PostgreSQL's math functions and statistical aggregates, as `pg_…` SQL functions
//! (SQLite is built without its own math functions). They compute in double precision
//! with float.c's rules and errors: 22003 for overflow/underflow and out-of-range
//! input, 2201E/2201F for log and power, 22012 for division by zero. A NaN result is
//! returned as the text `NaN` (SQLite would turn a NaN real into NULL); the float
//! readers here take that text back as NaN. Integer functions (`gcd`, `div`,
//! `factorial`...) work on i64 with PostgreSQL's overflow checks. The translator
//! refuses (0A000) the numeric forms whose answer would differ in digits or scale.

use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;

use super::{float, int, pg, strict, Res};
use crate::protocol::{PgError, SqlState};

/// From here on a double no longer holds every integer.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// PostgreSQL's `RADIANS_PER_DEGREE`.
const RADIANS_PER_DEGREE: f64 = 0.017_453_292_519_943_295;

fn err(code: SqlState, message: &str) -> PgError {
    PgError::new(code, message)
}

pub(super) fn overflow() -> PgError {
    err(
        SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
        "value out of range: overflow",
    )
}

fn underflow() -> PgError {
    err(
        SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
        "value out of range: underflow",
    )
}

fn out_of_range() -> PgError {
    err(
        SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
        "input is out of range",
    )
}

fn bigint_out_of_range() -> PgError {
    err(SqlState::NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range")
}

fn division_by_zero() -> PgError {
    err(SqlState::DIVISION_BY_ZERO, "division by zero")
}

/// A float result as SQLite can hold it: NaN as the text `NaN`.
pub(super) fn real(f: f64) -> SqlValue {
    if f.is_nan() {
        SqlValue::Text("NaN".into())
    } else {
        SqlValue::Real(f)
    }
}

/// float.c's check after a computation: infinity from finite input is overflow, zero
/// from non-zero input underflow.
fn checked(result: f64, inf_ok: bool, zero_ok: bool) -> Result<f64, PgError> {
    if result.is_infinite() && !inf_ok {
        return Err(overflow());
    }
    if result == 0.0 && !zero_ok {
        return Err(underflow());
    }
    Ok(result)
}

pub(super) fn sqrt(x: f64) -> Result<f64, PgError> {
    if x < 0.0 {
        return Err(err(
            SqlState::INVALID_ARGUMENT_FOR_POWER,
            "cannot take square root of a negative number",
        ));
    }
    Ok(x.sqrt())
}

/// `ln`, `log10`: the base's logarithm function.
fn log(x: f64, f: fn(f64) -> f64) -> Result<f64, PgError> {
    if x == 0.0 {
        return Err(err(
            SqlState::INVALID_ARGUMENT_FOR_LOG,
            "cannot take logarithm of zero",
        ));
    }
    if x < 0.0 {
        return Err(err(
            SqlState::INVALID_ARGUMENT_FOR_LOG,
            "cannot take logarithm of a negative number",
        ));
    }
    Ok(f(x))
}

fn exp(x: f64) -> Result<f64, PgError> {
    if x.is_nan() || x.is_infinite() {
        return Ok(x.exp());
    }
    checked(x.exp(), false, false)
}

/// PostgreSQL's `dpow`: POSIX's rules for NaN and infinities, its own errors.
pub(super) fn power(x: f64, y: f64) -> Result<f64, PgError> {
    if x.is_nan() {
        return Ok(if y == 0.0 { 1.0 } else { f64::NAN });
    }
    if y.is_nan() {
        return Ok(if x == 1.0 { 1.0 } else { f64::NAN });
    }
    if x == 0.0 && y < 0.0 {
        return Err(err(
            SqlState::INVALID_ARGUMENT_FOR_POWER,
            "zero raised to a negative power is undefined",
        ));
    }
    if x < 0.0 && y.floor() != y {
        return Err(err(
            SqlState::INVALID_ARGUMENT_FOR_POWER,
            "a negative number raised to a non-integer power yields a complex result",
        ));
    }
    if y.is_infinite() || x.is_infinite() {
        // pow() follows POSIX here, as PostgreSQL does.
        return Ok(x.powf(y));
    }
    let r = x.powf(y);
    checked(r, false, x == 0.0)
}

pub(super) fn float_trunc(x: f64) -> f64 {
    x.trunc()
}

fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        x // 0, or NaN
    }
}

/// A trigonometric function's argument: finite (NaN passes through).
fn finite(x: f64) -> Result<f64, PgError> {
    if x.is_infinite() {
        return Err(out_of_range());
    }
    Ok(x)
}

fn unit(x: f64) -> Result<f64, PgError> {
    if x.abs() > 1.0 {
        return Err(out_of_range());
    }
    Ok(x)
}

// Degree-based functions, as float.c computes them so that 30°, 45°, 60°, 90° come out
// exact.
fn sind_0_to_30(x: f64) -> f64 {
    let sin_30 = (30.0 * RADIANS_PER_DEGREE).sin();
    ((x * RADIANS_PER_DEGREE).sin() / sin_30) / 2.0
}

fn cosd_0_to_60(x: f64) -> f64 {
    let one_minus_cos_60 = 1.0 - (60.0 * RADIANS_PER_DEGREE).cos();
    1.0 - ((1.0 - (x * RADIANS_PER_DEGREE).cos()) / one_minus_cos_60) / 2.0
}

fn sind_q1(x: f64) -> f64 {
    if x <= 30.0 {
        sind_0_to_30(x)
    } else {
        cosd_0_to_60(90.0 - x)
    }
}

fn cosd_q1(x: f64) -> f64 {
    if x <= 60.0 {
        cosd_0_to_60(x)
    } else {
        sind_0_to_30(90.0 - x)
    }
}

fn sind(x: f64) -> Result<f64, PgError> {
    if x.is_nan() {
        return Ok(x);
    }
    let mut a = finite(x)? % 360.0;
    let mut sign = 1.0;
    if a < 0.0 {
        a = -a;
        sign = -sign;
    }
    if a > 180.0 {
        a = 360.0 - a;
        sign = -sign;
    }
    if a > 90.0 {
        a = 180.0 - a;
    }
    Ok(sign * sind_q1(a))
}

fn cosd(x: f64) -> Result<f64, PgError> {
    if x.is_nan() {
        return Ok(x);
    }
    let mut a = (finite(x)? % 360.0).abs();
    let mut sign = 1.0;
    if a > 180.0 {
        a = 360.0 - a;
    }
    if a > 90.0 {
        a = 180.0 - a;
        sign = -sign;
    }
    Ok(sign * cosd_q1(a))
}

/// `tand` (`cot` false) and `cotd` (`cot` true).
fn tand(x: f64, cot: bool) -> Result<f64, PgError> {
    if x.is_nan() {
        return Ok(x);
    }
    let mut a = finite(x)? % 360.0;
    let mut sign = 1.0;
    if a < 0.0 {
        a = -a;
        sign = -sign;
    }
    if a > 180.0 {
        a = 360.0 - a;
        sign = -sign;
    }
    if a > 90.0 {
        a = 180.0 - a;
        sign = -sign;
    }
    let (num, den) = if cot {
        (cosd_q1(a), sind_q1(a))
    } else {
        (sind_q1(a), cosd_q1(a))
    };
    let at_45 = if cot {
        cosd_q1(45.0) / sind_q1(45.0)
    } else {
        sind_q1(45.0) / cosd_q1(45.0)
    };
    let r = sign * ((num / den) / at_45);
    // No minus zero.
    Ok(if r == 0.0 { 0.0 } else { r })
}

fn asind_q1(x: f64) -> f64 {
    if x <= 0.5 {
        (x.asin() / 0.5f64.asin()) * 30.0
    } else {
        90.0 - (x.acos() / 0.5f64.acos()) * 60.0
    }
}

fn acosd_q1(x: f64) -> f64 {
    if x <= 0.5 {
        90.0 - (x.asin() / 0.5f64.asin()) * 30.0
    } else {
        (x.acos() / 0.5f64.acos()) * 60.0
    }
}

fn asind(x: f64) -> Result<f64, PgError> {
    if x.is_nan() {
        return Ok(x);
    }
    let x = unit(x)?;
    Ok(if x >= 0.0 { asind_q1(x) } else { -asind_q1(-x) })
}

fn acosd(x: f64) -> Result<f64, PgError> {
    if x.is_nan() {
        return Ok(x);
    }
    let x = unit(x)?;
    Ok(if x >= 0.0 {
        acosd_q1(x)
    } else {
        90.0 + asind_q1(-x)
    })
}

fn width_bucket(x: f64, low: f64, high: f64, count: i64) -> Result<i64, PgError> {
    let bad = |m: &str| err(SqlState::INVALID_ARGUMENT_FOR_WIDTH_BUCKET, m);
    if count <= 0 {
        return Err(bad("count must be greater than zero"));
    }
    if x.is_nan() || low.is_nan() || high.is_nan() {
        return Err(bad("operand, lower bound, and upper bound cannot be NaN"));
    }
    if low.is_infinite() || high.is_infinite() {
        return Err(bad("lower and upper bounds must be finite"));
    }
    if low == high {
        return Err(bad("lower bound cannot equal upper bound"));
    }
    let count_f = count as f64;
    let bucket = if low < high {
        if x < low {
            0
        } else if x >= high {
            count.checked_add(1).ok_or_else(int4_out_of_range)?
        } else {
            ((count_f * ((x - low) / (high - low))) as i64) + 1
        }
    } else if x > low {
        0
    } else if x <= high {
        count.checked_add(1).ok_or_else(int4_out_of_range)?
    } else {
        ((count_f * ((low - x) / (low - high))) as i64) + 1
    };
    Ok(bucket)
}

fn int4_out_of_range() -> PgError {
    err(SqlState::NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range")
}

fn gcd(a: i64, b: i64) -> Result<i64, PgError> {
    // In i128, so that i64::MIN's magnitude is representable until the end.
    let (mut x, mut y) = (i128::from(a).abs(), i128::from(b).abs());
    while y != 0 {
        (x, y) = (y, x % y);
    }
    i64::try_from(x).map_err(|_| bigint_out_of_range())
}

fn lcm(a: i64, b: i64) -> Result<i64, PgError> {
    if a == 0 || b == 0 {
        return Ok(0);
    }
    let g = gcd(a, b)? as i128;
    let l = (i128::from(a) / g * i128::from(b)).abs();
    i64::try_from(l).map_err(|_| bigint_out_of_range())
}

fn factorial(n: i64) -> Result<i64, PgError> {
    if n < 0 {
        return Err(err(
            SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
            "factorial of a negative number is undefined",
        ));
    }
    (1..=n)
        .try_fold(1i64, |acc, k| acc.checked_mul(k))
        .ok_or_else(|| {
            // numeric holds it; a double would not, so refuse rather than round.
            err(
                SqlState::FEATURE_NOT_SUPPORTED,
                "factorial() beyond 20 is not supported by litewire",
            )
        })
}

/// The shortest decimal text of `f` and how many significant digits it has.
fn shortest(f: f64) -> (String, usize) {
    let s = format!("{f:e}");
    let mantissa = s.split('e').next().unwrap_or("");
    let digits = mantissa.chars().filter(char::is_ascii_digit).count();
    (s, digits)
}

/// `d` without the trailing zeros of its decimals (trim_scale; its scale is min_scale).
fn trimmed(d: &super::decimal::Dec) -> super::decimal::Dec {
    let mut d = d.clone();
    let ten = num_bigint::BigInt::from(10u8);
    while d.scale > 0 && (&d.value % &ten) == num_bigint::BigInt::from(0u8) {
        d.value /= &ten;
        d.scale -= 1;
    }
    d
}

/// `min_scale(x)`: the decimals of `x` without trailing zeros. A value with more
/// significant digits than a double keeps exactly is refused, not guessed.
fn min_scale(f: f64) -> Result<i64, PgError> {
    if f == 0.0 {
        return Ok(0);
    }
    let (s, digits) = shortest(f);
    // Beyond 15 digits a double does not tell the numeric's digits (up to 15, a float8
    // cast to numeric has the same: float8_numeric prints 15).
    if digits > 15 {
        return Err(err(
            SqlState::FEATURE_NOT_SUPPORTED,
            "min_scale() and trim_scale() of a numeric beyond 15 digits are not supported by litewire",
        ));
    }
    let exp: i64 = s
        .split('e')
        .nth(1)
        .and_then(|e| e.parse().ok())
        .unwrap_or(0);
    Ok((digits as i64 - 1 - exp).max(0))
}

/// The scalar float functions of one argument.
type F1 = fn(f64) -> Result<f64, PgError>;

const FLOAT1: &[(&str, F1)] = &[
    ("pg_sqrt", sqrt),
    ("pg_cbrt", |x| Ok(x.cbrt())),
    ("pg_exp", exp),
    ("pg_ln", |x| log(x, f64::ln)),
    ("pg_log10", |x| log(x, f64::log10)),
    ("pg_trunc", |x| Ok(float_trunc(x))),
    ("pg_ceil", |x| Ok(x.ceil())),
    ("pg_floor", |x| Ok(x.floor())),
    ("pg_sign", |x| Ok(sign(x))),
    ("pg_sin", |x| Ok(finite(x)?.sin())),
    ("pg_cos", |x| Ok(finite(x)?.cos())),
    ("pg_tan", |x| Ok(finite(x)?.tan())),
    ("pg_cot", |x| Ok(1.0 / finite(x)?.tan())),
    ("pg_asin", |x| Ok(unit(x)?.asin())),
    ("pg_acos", |x| Ok(unit(x)?.acos())),
    ("pg_atan", |x| Ok(x.atan())),
    ("pg_sind", sind),
    ("pg_cosd", cosd),
    ("pg_tand", |x| tand(x, false)),
    ("pg_cotd", |x| tand(x, true)),
    ("pg_asind", asind),
    ("pg_acosd", acosd),
    ("pg_atand", |x| Ok(x.atan() / 1f64.atan() * 45.0)),
    ("pg_sinh", |x| Ok(x.sinh())),
    ("pg_cosh", |x| Ok(x.cosh())),
    ("pg_tanh", |x| Ok(x.tanh())),
    ("pg_asinh", |x| Ok(x.asinh())),
    ("pg_acosh", |x| {
        if x < 1.0 {
            return Err(out_of_range());
        }
        Ok(x.acosh())
    }),
    ("pg_atanh", |x| {
        if x.abs() > 1.0 {
            return Err(out_of_range());
        }
        Ok(x.atanh())
    }),
    ("pg_degrees", |x| {
        let r = x / RADIANS_PER_DEGREE;
        checked(r, x.is_infinite(), x == 0.0 || !x.is_finite())
    }),
    ("pg_radians", |x| {
        let r = x * RADIANS_PER_DEGREE;
        checked(r, x.is_infinite(), x == 0.0 || !x.is_finite())
    }),
];

/// Float argument `i`, non-null under [`strict`].
fn f(ctx: &Context<'_>, i: usize) -> Res<f64> {
    Ok(float(ctx, i)?.unwrap_or(0.0))
}

fn i(ctx: &Context<'_>, i: usize) -> Res<i64> {
    Ok(int(ctx, i)?.unwrap_or(0))
}

/// Registers the functions on `conn`.
pub(super) fn register(conn: &Connection) -> Res<()> {
    let pure = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS;
    for &(name, fun) in FLOAT1 {
        conn.create_scalar_function(
            name,
            1,
            pure,
            strict(move |ctx| pg(fun(f(ctx, 0)?)).map(real)),
        )?;
    }
    conn.create_scalar_function("pg_pi", 0, pure, |_| Ok(std::f64::consts::PI))?;
    // `x::float4`: rounded to float4, with float4's range.
    conn.create_scalar_function("pg_float4", 1, pure, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Null => SqlValue::Null,
            ValueRef::Integer(i) => SqlValue::Real(f64::from(i as f32)),
            ValueRef::Real(f) => SqlValue::Real(pg(crate::engine::input::to_float4(f))?),
            ValueRef::Text(t) | ValueRef::Blob(t) => {
                let s = String::from_utf8_lossy(t);
                real(pg(crate::engine::input::float_in(&s, true))?)
            }
        })
    })?;
    conn.create_scalar_function(
        "pg_power",
        2,
        pure,
        strict(|ctx| pg(power(f(ctx, 0)?, f(ctx, 1)?)).map(real)),
    )?;
    conn.create_scalar_function(
        "pg_atan2",
        2,
        pure,
        strict(|ctx| Ok(real(f(ctx, 0)?.atan2(f(ctx, 1)?)))),
    )?;
    conn.create_scalar_function(
        "pg_atan2d",
        2,
        pure,
        strict(|ctx| Ok(real(f(ctx, 0)?.atan2(f(ctx, 1)?) / 1f64.atan() * 45.0))),
    )?;
    conn.create_scalar_function(
        "pg_width_bucket",
        4,
        pure,
        strict(|ctx| pg(width_bucket(f(ctx, 0)?, f(ctx, 1)?, f(ctx, 2)?, i(ctx, 3)?))),
    )?;
    // Integer functions: exact, with bigint's range.
    conn.create_scalar_function(
        "pg_gcd",
        2,
        pure,
        strict(|ctx| pg(gcd(i(ctx, 0)?, i(ctx, 1)?))),
    )?;
    conn.create_scalar_function(
        "pg_lcm",
        2,
        pure,
        strict(|ctx| pg(lcm(i(ctx, 0)?, i(ctx, 1)?))),
    )?;
    for (name, fun) in [
        ("pg_gcd_int4", gcd as fn(i64, i64) -> _),
        ("pg_lcm_int4", lcm),
    ] {
        conn.create_scalar_function(
            name,
            2,
            pure,
            strict(move |ctx| {
                let r = pg(fun(i(ctx, 0)?, i(ctx, 1)?))?;
                i32::try_from(r).map_err(|_| super::raise(int4_out_of_range()))
            }),
        )?;
    }
    conn.create_scalar_function(
        "pg_factorial",
        1,
        pure,
        strict(|ctx| pg(factorial(i(ctx, 0)?))),
    )?;
    conn.create_scalar_function(
        "pg_min_scale",
        1,
        pure,
        strict(|ctx| {
            if let Some(d) = super::numeric_text(ctx.get_raw(0)) {
                return Ok(Some(i64::from(trimmed(&d).scale)));
            }
            // NaN and infinities have no scale: NULL.
            let x = f(ctx, 0)?;
            if !x.is_finite() {
                return Ok(None);
            }
            pg(min_scale(x)).map(Some)
        }),
    )?;
    conn.create_scalar_function(
        "pg_trim_scale",
        1,
        pure,
        strict(|ctx| {
            if let Some(d) = super::numeric_text(ctx.get_raw(0)) {
                return Ok(SqlValue::Text(trimmed(&d).to_string()));
            }
            let x = f(ctx, 0)?;
            if !x.is_finite() {
                return Ok(real(x));
            }
            pg(min_scale(x))?;
            Ok(match (ctx.get_raw(0), super::decimal::Num::from_f64(x)) {
                (ValueRef::Integer(n), _) => SqlValue::Integer(n),
                // Its digits as numeric prints them (`1e100` has all its zeros).
                (_, super::decimal::Num::Fin(d)) => {
                    super::decimal::to_value(&super::decimal::Num::Fin(trimmed(&d)))
                }
                _ => real(x),
            })
        }),
    )?;
    // div(a, b) and mod(a, b): integers stay integers (truncating toward zero, as
    // PostgreSQL does); reals are numeric's, for which div is the truncated quotient.
    for name in ["pg_div", "pg_mod"] {
        let div = name == "pg_div";
        conn.create_scalar_function(
            name,
            2,
            pure,
            strict(move |ctx| match (ctx.get_raw(0), ctx.get_raw(1)) {
                (ValueRef::Integer(a), ValueRef::Integer(b)) => {
                    if b == 0 {
                        return Err(super::raise(division_by_zero()));
                    }
                    Ok(SqlValue::Integer(if div {
                        a.checked_div(b)
                            .ok_or_else(|| super::raise(bigint_out_of_range()))?
                    } else {
                        a.checked_rem(b).unwrap_or(0)
                    }))
                }
                (x, y) => {
                    use super::decimal::{of_value, Num};
                    // numeric's: exact (div the truncated quotient, scale 0; mod at the
                    // larger scale). NaN before any division by zero, as PostgreSQL.
                    let (nx, ny) = (of_value(x), of_value(y));
                    if matches!(nx, Some(Num::NaN)) || matches!(ny, Some(Num::NaN)) {
                        return Ok(SqlValue::Text("NaN".into()));
                    }
                    let zero = |n: &Option<Num>| matches!(n, Some(Num::Fin(d)) if d.is_zero());
                    match (nx, ny) {
                        (Some(Num::Fin(p)), Some(Num::Fin(q))) => {
                            let r = if div { p.div_trunc(&q) } else { p.rem(&q) };
                            return match r {
                                Some(d) => Ok(SqlValue::Text(d.to_string())),
                                None => Err(super::raise(division_by_zero())),
                            };
                        }
                        // numeric.c's infinities: an infinite dividend divides to ±∞
                        // (mod NaN), a finite one by ±∞ to 0 (mod itself).
                        (x @ Some(Num::Inf(_)), y) | (x, y @ Some(Num::Inf(_))) => {
                            if zero(&y) {
                                return Err(super::raise(division_by_zero()));
                            }
                            let text = match (x, y) {
                                (Some(Num::Inf(_)), Some(Num::Inf(_))) => "NaN".to_string(),
                                (Some(Num::Inf(positive)), Some(Num::Fin(q))) if div => {
                                    let up = positive != q.is_negative();
                                    Num::Inf(up).to_string()
                                }
                                (Some(Num::Inf(_)), _) => "NaN".to_string(),
                                (Some(Num::Fin(_)), _) if div => "0".to_string(),
                                (Some(Num::Fin(p)), _) => p.to_string(),
                                _ => "NaN".to_string(),
                            };
                            return Ok(SqlValue::Text(text));
                        }
                        _ => {}
                    }
                    let (a, b) = (f(ctx, 0)?, f(ctx, 1)?);
                    if b == 0.0 {
                        return Err(super::raise(division_by_zero()));
                    }
                    if a.abs() >= EXACT || b.abs() >= EXACT {
                        // A double no longer holds every integer: numeric's exact
                        // quotient cannot be had here.
                        return Err(super::raise(err(
                            SqlState::FEATURE_NOT_SUPPORTED,
                            "div() and mod() of numerics from 2^53 on are not supported by litewire",
                        )));
                    }
                    let q = (a / b).trunc();
                    Ok(real(if div { q } else { a - q * b }))
                }
            }),
        )?;
    }
    // trunc(x, n) and scale(x): numeric's only, exact.
    conn.create_scalar_function(
        "pg_numeric_trunc",
        2,
        pure,
        strict(|ctx| {
            let n = i(ctx, 1)?;
            Ok(match super::decimal::of_value(ctx.get_raw(0)) {
                Some(super::decimal::Num::Fin(d)) => SqlValue::Text(d.trunc(n).to_string()),
                Some(other) => SqlValue::Text(other.to_string()),
                None => real(f(ctx, 0)?.trunc()),
            })
        }),
    )?;
    conn.create_scalar_function(
        "pg_numeric_scale",
        1,
        pure,
        strict(|ctx| {
            Ok(match super::decimal::of_value(ctx.get_raw(0)) {
                Some(super::decimal::Num::Fin(d)) => SqlValue::Integer(i64::from(d.scale)),
                _ => SqlValue::Null,
            })
        }),
    )?;
    // round(x, n): numeric's rounding (PostgreSQL has no round(float8, int)).
    conn.create_scalar_function(
        "pg_round",
        2,
        pure,
        strict(|ctx| {
            let n = i(ctx, 1)?;
            Ok(match ctx.get_raw(0) {
                // An integer is rounded as a numeric: `round(5, 2)` is 5.00.
                ValueRef::Integer(x) if n > 0 => {
                    SqlValue::Text(super::decimal::Dec::from_i64(x).round(n).to_string())
                }
                ValueRef::Integer(x) if n >= 0 => SqlValue::Integer(x),
                ValueRef::Integer(x) if n > -19 => {
                    let unit = 10i128.pow(n.unsigned_abs() as u32);
                    let x = i128::from(x);
                    let q = (x.abs() + unit / 2) / unit * unit;
                    let q = if x < 0 { -q } else { q };
                    i64::try_from(q)
                        .map(SqlValue::Integer)
                        .unwrap_or(SqlValue::Real(q as f64))
                }
                ValueRef::Integer(_) => SqlValue::Integer(0),
                // numeric's round, exact: half away from zero, at scale max(n, 0).
                v => match super::decimal::of_value(v) {
                    // numeric's text, as numeric arithmetic gives (operators.rs).
                    Some(super::decimal::Num::Fin(d)) => {
                        let r = d.round(n);
                        // Past numeric's 131072 integer digits (a carry): 22003.
                        if r.int_digits() > 131_072 {
                            return Err(super::raise(crate::engine::numeric::overflow()));
                        }
                        SqlValue::Text(r.to_string())
                    }
                    Some(other) => SqlValue::Text(other.to_string()),
                    None => real(super::number_format::round(f(ctx, 0)?, n)),
                },
            })
        }),
    )?;
    // round(x): a numeric's text exactly (NaN and the infinities kept, where SQLite's
    // round reads 0); a double as SQLite rounds it.
    conn.create_scalar_function(
        "pg_round",
        1,
        pure,
        strict(|ctx| {
            Ok(match ctx.get_raw(0) {
                ValueRef::Integer(x) => SqlValue::Integer(x),
                ValueRef::Real(x) => SqlValue::Real(x.round()),
                v => match super::decimal::of_value(v) {
                    Some(super::decimal::Num::Fin(d)) => {
                        super::decimal::to_value(&super::decimal::Num::Fin(d.round(0)))
                    }
                    Some(other) => SqlValue::Text(other.to_string()),
                    None => real(f(ctx, 0)?.round()),
                },
            })
        }),
    )?;
    // float4send/float8send: the binary send format.
    conn.create_scalar_function(
        "pg_float4send",
        1,
        pure,
        strict(|ctx| Ok((f(ctx, 0)? as f32).to_be_bytes().to_vec())),
    )?;
    conn.create_scalar_function(
        "pg_float8send",
        1,
        pure,
        strict(|ctx| Ok(f(ctx, 0)?.to_be_bytes().to_vec())),
    )?;
    // to_number(text, format): numeric's text, kept where a number prints the same.
    conn.create_scalar_function(
        "pg_to_number",
        2,
        pure,
        strict(|ctx| {
            let text = pg(super::number_format::to_number(&super::s(ctx, 0), &super::s(ctx, 1)))?;
            if !text.contains('.') {
                if let Ok(i) = text.parse::<i64>() {
                    return Ok(SqlValue::Integer(i));
                }
            } else if let Ok(f) = text.parse::<f64>() {
                let mut shown = bytes::BytesMut::new();
                crate::engine::types::write_numeric(f, &mut shown);
                if shown == text.as_bytes() {
                    return Ok(SqlValue::Real(f));
                }
            }
            // Else numeric's exact text (`0.0`, more digits than a double holds).
            match super::decimal::Num::parse(&text) {
                Some(n) => Ok(super::decimal::to_value(&n)),
                None => Err(super::raise(err(
                    SqlState::FEATURE_NOT_SUPPORTED,
                    &format!("to_number() giving {text} is not supported by litewire (a number would print it differently)"),
                ))),
            }
        }),
    )?;
    // Statistical aggregates, float8 arithmetic as float.c's (Youngs-Cramer).
    for &(name, args, stat) in STATS {
        conn.create_aggregate_function(name, args, pure, Stats(stat, false))?;
        // `…_float`: the branch the translator writes beside numeric's for a column
        // whose type the schema tells (translate/numeric_math.rs); for an integer or
        // numeric column numeric's branch answers and this one's is never shown.
        if args == 1 {
            let lenient = format!("{name}_float");
            conn.create_aggregate_function(lenient.as_str(), 1, pure, Stats(stat, true))?;
        }
    }
    for (name, all) in [("pg_bool_and", true), ("pg_bool_or", false)] {
        conn.create_aggregate_function(name, 1, pure, BoolAgg(all))?;
    }
    for (name, op) in [
        ("pg_bit_and", BitOp::And),
        ("pg_bit_or", BitOp::Or),
        ("pg_bit_xor", BitOp::Xor),
    ] {
        conn.create_aggregate_function(name, 1, pure, BitAgg(op))?;
    }
    Ok(())
}

/// Which statistic a [`Stats`] aggregate reports.
#[derive(Clone, Copy)]
pub(super) enum Stat {
    VarPop,
    VarSamp,
    StddevPop,
    StddevSamp,
    Count,
    Sxx,
    Syy,
    Sxy,
    AvgX,
    AvgY,
    Slope,
    Intercept,
    R2,
    CovarPop,
    CovarSamp,
    Corr,
}

pub(super) const STATS: &[(&str, i32, Stat)] = &[
    ("pg_var_pop", 1, Stat::VarPop),
    ("pg_var_samp", 1, Stat::VarSamp),
    ("pg_stddev_pop", 1, Stat::StddevPop),
    ("pg_stddev_samp", 1, Stat::StddevSamp),
    ("pg_regr_count", 2, Stat::Count),
    ("pg_regr_sxx", 2, Stat::Sxx),
    ("pg_regr_syy", 2, Stat::Syy),
    ("pg_regr_sxy", 2, Stat::Sxy),
    ("pg_regr_avgx", 2, Stat::AvgX),
    ("pg_regr_avgy", 2, Stat::AvgY),
    ("pg_regr_slope", 2, Stat::Slope),
    ("pg_regr_intercept", 2, Stat::Intercept),
    ("pg_regr_r2", 2, Stat::R2),
    ("pg_covar_pop", 2, Stat::CovarPop),
    ("pg_covar_samp", 2, Stat::CovarSamp),
    ("pg_corr", 2, Stat::Corr),
];

/// float.c's transition state: N, Sx, Sxx (and Sy, Syy, Sxy for two arguments),
/// updated with the Youngs-Cramer algorithm.
#[derive(Default)]
pub(super) struct Acc {
    n: f64,
    sx: f64,
    sxx: f64,
    sy: f64,
    syy: f64,
    sxy: f64,
}

impl Acc {
    /// float8_accum.
    pub(super) fn add1(&mut self, x: f64) -> Result<(), PgError> {
        let n = self.n + 1.0;
        let sx = self.sx + x;
        if self.n > 0.0 {
            let tmp = x * n - sx;
            self.sxx += tmp * tmp / (n * self.n);
            if sx.is_infinite() || self.sxx.is_infinite() {
                if !self.sx.is_infinite() && !x.is_infinite() {
                    return Err(overflow());
                }
                self.sxx = f64::NAN;
            }
        } else if !x.is_finite() {
            // A first NaN or infinity makes Sxx NaN.
            self.sxx = f64::NAN;
        }
        self.n = n;
        self.sx = sx;
        Ok(())
    }

    /// float8_regr_accum.
    pub(super) fn add2(&mut self, y: f64, x: f64) -> Result<(), PgError> {
        let n = self.n + 1.0;
        let sx = self.sx + x;
        let sy = self.sy + y;
        if self.n > 0.0 {
            let tx = x * n - sx;
            let ty = y * n - sy;
            let scale = 1.0 / (n * self.n);
            self.sxx += tx * tx * scale;
            self.syy += ty * ty * scale;
            self.sxy += tx * ty * scale;
            let x_finite = !self.sx.is_infinite() && !x.is_infinite();
            let y_finite = !self.sy.is_infinite() && !y.is_infinite();
            if sx.is_infinite() || self.sxx.is_infinite() {
                if x_finite {
                    return Err(overflow());
                }
                self.sxx = f64::NAN;
            }
            if sy.is_infinite() || self.syy.is_infinite() {
                if y_finite {
                    return Err(overflow());
                }
                self.syy = f64::NAN;
            }
            if self.sxy.is_infinite() {
                if x_finite && y_finite {
                    return Err(overflow());
                }
                self.sxy = f64::NAN;
            }
        } else {
            if !x.is_finite() {
                self.sxx = f64::NAN;
                self.sxy = f64::NAN;
            }
            if !y.is_finite() {
                self.syy = f64::NAN;
                self.sxy = f64::NAN;
            }
        }
        self.n = n;
        self.sx = sx;
        self.sy = sy;
        Ok(())
    }

    pub(super) fn result(&self, stat: Stat) -> Option<f64> {
        let n = self.n;
        let nonzero = |v: f64| if n < 1.0 { None } else { Some(v) };
        match stat {
            Stat::Count => Some(n),
            Stat::VarPop | Stat::StddevPop => {
                let v = nonzero(self.sxx / n)?;
                Some(if matches!(stat, Stat::StddevPop) {
                    v.sqrt()
                } else {
                    v
                })
            }
            Stat::VarSamp | Stat::StddevSamp => {
                if n <= 1.0 {
                    return None;
                }
                let v = self.sxx / (n - 1.0);
                Some(if matches!(stat, Stat::StddevSamp) {
                    v.sqrt()
                } else {
                    v
                })
            }
            Stat::Sxx => nonzero(self.sxx),
            Stat::Syy => nonzero(self.syy),
            Stat::Sxy => nonzero(self.sxy),
            Stat::AvgX => nonzero(self.sx / n),
            Stat::AvgY => nonzero(self.sy / n),
            Stat::CovarPop => nonzero(self.sxy / n),
            Stat::CovarSamp => {
                if n <= 1.0 {
                    return None;
                }
                Some(self.sxy / (n - 1.0))
            }
            Stat::Slope => {
                if n < 1.0 || self.sxx == 0.0 {
                    return None;
                }
                Some(self.sxy / self.sxx)
            }
            Stat::Intercept => {
                if n < 1.0 || self.sxx == 0.0 {
                    return None;
                }
                Some((self.sy - self.sx * self.sxy / self.sxx) / n)
            }
            Stat::R2 => {
                if n < 1.0 || self.sxx == 0.0 {
                    return None;
                }
                if self.syy == 0.0 {
                    return Some(1.0);
                }
                Some((self.sxy * self.sxy) / (self.sxx * self.syy))
            }
            Stat::Corr => {
                if n < 1.0 || self.sxx == 0.0 || self.syy == 0.0 {
                    return None;
                }
                Some(self.sxy / (self.sxx * self.syy).sqrt())
            }
        }
    }
}

/// A statistic; `.1`: integers and numerics are skipped, not refused.
struct Stats(Stat, bool);

/// An integer, or a numeric stored as its text with decimals (a float's text is `NaN`,
/// `Infinity` or a literal's digits): PostgreSQL's statistics of them are numeric's,
/// with more digits than a double has.
pub(super) fn exact_argument(v: ValueRef<'_>) -> bool {
    let numeric_text = matches!(v, ValueRef::Text(t) if t.contains(&b'.'))
        && matches!(
            super::decimal::of_value(v),
            Some(super::decimal::Num::Fin(_))
        );
    matches!(v, ValueRef::Integer(_)) || numeric_text
}

impl Aggregate<Acc, Option<SqlValue>> for Stats {
    fn init(&self, _: &mut Context<'_>) -> Res<Acc> {
        Ok(Acc::default())
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Acc) -> Res<()> {
        let one_arg = ctx.len() == 1;
        if one_arg && exact_argument(ctx.get_raw(0)) {
            if self.1 {
                return Ok(());
            }
            // An integer or numeric argument: PostgreSQL answers in numeric, with more
            // digits than a double has.
            return Err(super::raise(err(
                SqlState::FEATURE_NOT_SUPPORTED,
                "variance and standard deviation of integers or numeric are not supported by litewire (only of float4/float8)",
            )));
        }
        // Rows with a NULL argument are skipped, as by any strict transition function.
        let Some(y) = float(ctx, 0)? else {
            return Ok(());
        };
        if one_arg {
            return pg(acc.add1(y));
        }
        let Some(x) = float(ctx, 1)? else {
            return Ok(());
        };
        pg(acc.add2(y, x))
    }

    fn finalize(&self, _: &mut Context<'_>, acc: Option<Acc>) -> Res<Option<SqlValue>> {
        let acc = acc.unwrap_or_default();
        Ok(match self.0 {
            // regr_count is a bigint, 0 over no rows.
            Stat::Count => Some(SqlValue::Integer(acc.n as i64)),
            stat => acc.result(stat).map(real),
        })
    }
}

/// `bool_and`/`every` (true) and `bool_or` (false); NULL over no non-null rows.
struct BoolAgg(bool);

impl Aggregate<Option<bool>, Option<bool>> for BoolAgg {
    fn init(&self, _: &mut Context<'_>) -> Res<Option<bool>> {
        Ok(None)
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Option<bool>) -> Res<()> {
        let Some(v) = bool_arg(ctx.get_raw(0))? else {
            return Ok(());
        };
        *acc = Some(match acc {
            None => v,
            Some(a) if self.0 => *a && v,
            Some(a) => *a || v,
        });
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, acc: Option<Option<bool>>) -> Res<Option<bool>> {
        Ok(acc.flatten())
    }
}

/// A boolean as SQLite holds it (0/1), or PostgreSQL's boolean text.
pub(super) fn bool_arg(v: ValueRef<'_>) -> Res<Option<bool>> {
    Ok(match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i != 0),
        ValueRef::Real(f) => Some(f != 0.0),
        ValueRef::Text(t) => {
            let t = String::from_utf8_lossy(t);
            Some(crate::engine::input::parse_bool(&t).ok_or_else(|| {
                super::raise(PgError::new(
                    SqlState::INVALID_TEXT_REPRESENTATION,
                    format!("invalid input syntax for type boolean: \"{t}\""),
                ))
            })?)
        }
        ValueRef::Blob(_) => {
            return Err(super::raise(err(
                SqlState::UNDEFINED_FUNCTION,
                "function bool_and(bytea) does not exist",
            )))
        }
    })
}

#[derive(Clone, Copy)]
enum BitOp {
    And,
    Or,
    Xor,
}

struct BitAgg(BitOp);

impl Aggregate<Option<i64>, Option<i64>> for BitAgg {
    fn init(&self, _: &mut Context<'_>) -> Res<Option<i64>> {
        Ok(None)
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Option<i64>) -> Res<()> {
        let v =
            match ctx.get_raw(0) {
                ValueRef::Null => return Ok(()),
                ValueRef::Integer(v) => v,
                _ => return Err(super::raise(err(
                    SqlState::FEATURE_NOT_SUPPORTED,
                    "bit_and()/bit_or()/bit_xor() of a non-integer is not supported by litewire",
                ))),
            };
        *acc = Some(match (acc.take(), self.0) {
            (None, _) => v,
            (Some(a), BitOp::And) => a & v,
            (Some(a), BitOp::Or) => a | v,
            (Some(a), BitOp::Xor) => a ^ v,
        });
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, acc: Option<Option<i64>>) -> Res<Option<i64>> {
        Ok(acc.flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degrees_are_exact_at_special_angles() {
        assert_eq!(sind(30.0).unwrap(), 0.5);
        assert_eq!(cosd(60.0).unwrap(), 0.5);
        assert_eq!(tand(45.0, false).unwrap(), 1.0);
        assert_eq!(tand(45.0, true).unwrap(), 1.0);
        assert_eq!(asind(0.5).unwrap(), 30.0);
        assert_eq!(acosd(0.5).unwrap(), 60.0);
        assert_eq!(sind(-90.0).unwrap(), -1.0);
        assert_eq!(cosd(180.0).unwrap(), -1.0);
        assert!(sind(f64::INFINITY).is_err());
        assert!(asind(2.0).is_err());
    }

    #[test]
    fn power_follows_dpow() {
        assert_eq!(power(2.0, 10.0).unwrap(), 1024.0);
        assert_eq!(power(f64::NAN, 0.0).unwrap(), 1.0);
        assert_eq!(power(1.0, f64::NAN).unwrap(), 1.0);
        assert_eq!(power(-1.0, f64::INFINITY).unwrap(), 1.0);
        assert_eq!(power(0.0, 0.0).unwrap(), 1.0);
        let code = |x, y| power(x, y).unwrap_err().code;
        assert_eq!(code(0.0, -1.0), SqlState::INVALID_ARGUMENT_FOR_POWER);
        assert_eq!(code(-8.0, 0.5), SqlState::INVALID_ARGUMENT_FOR_POWER);
        assert_eq!(code(10.0, 400.0), SqlState::NUMERIC_VALUE_OUT_OF_RANGE);
        assert_eq!(
            power(10.0, -400.0).unwrap_err().message,
            "value out of range: underflow"
        );
    }

    #[test]
    fn integer_functions_keep_bigint_range() {
        assert_eq!(gcd(61866666, 6410818).unwrap(), 1466);
        assert_eq!(gcd(-330, 462).unwrap(), 66);
        assert_eq!(gcd(i64::MIN, 1).unwrap(), 1);
        assert!(gcd(i64::MIN, 0).is_err());
        assert_eq!(lcm(330, -462).unwrap(), 2310);
        assert_eq!(lcm(0, 5).unwrap(), 0);
        assert!(lcm(i64::MAX, 2).is_err());
        assert_eq!(factorial(20).unwrap(), 2432902008176640000);
        assert_eq!(factorial(0).unwrap(), 1);
        assert_eq!(
            factorial(21).unwrap_err().code,
            SqlState::FEATURE_NOT_SUPPORTED
        );
        assert_eq!(
            factorial(-1).unwrap_err().code,
            SqlState::NUMERIC_VALUE_OUT_OF_RANGE
        );
    }

    #[test]
    fn width_bucket_as_postgres() {
        assert_eq!(width_bucket(5.35, 0.024, 10.06, 5).unwrap(), 3);
        assert_eq!(width_bucket(-1.0, 0.0, 10.0, 5).unwrap(), 0);
        assert_eq!(width_bucket(10.0, 0.0, 10.0, 5).unwrap(), 6);
        assert_eq!(width_bucket(5.0, 10.0, 0.0, 5).unwrap(), 3);
        assert!(width_bucket(5.0, 0.0, 0.0, 3).is_err());
        assert!(width_bucket(f64::NAN, 0.0, 1.0, 3).is_err());
    }

    #[test]
    fn min_scale_counts_decimals() {
        assert_eq!(min_scale(1.5).unwrap(), 1);
        assert_eq!(min_scale(100.0).unwrap(), 0);
        assert_eq!(min_scale(0.00012).unwrap(), 5);
        assert!(min_scale(0.1 + 0.2).is_err());
    }

    #[test]
    fn variance_is_youngs_cramer() {
        let mut a = Acc::default();
        for x in [1.0, 2.0, 4.0] {
            a.add1(x).unwrap();
        }
        assert_eq!(a.result(Stat::VarPop).unwrap(), 1.5555555555555556);
        let mut one = Acc::default();
        one.add1(f64::INFINITY).unwrap();
        assert!(one.result(Stat::VarPop).unwrap().is_nan());
        assert!(one.result(Stat::VarSamp).is_none());
    }
}
