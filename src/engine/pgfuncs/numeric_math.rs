//! numeric's sqrt, exp, ln, log and power, ported from PostgreSQL 15's numeric.c
//! (`sqrt_var`, `exp_var`, `ln_var`, `log_var`, `power_var`, `power_var_int` and the
//! result-scale rules of `numeric_sqrt`, `numeric_exp`, `numeric_ln`): the same
//! working precisions and display scales, so the digits printed are PostgreSQL's.
//! Products and quotients are exact then rounded where numeric.c rounds (its
//! `mul_var` drops digits far below the rounding point, which can only matter in a
//! last digit that is a tie). Every loop is bounded by numeric's limits: a result
//! beyond numeric's range is 22003 before any big work.

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::Value as SqlValue;
use rusqlite::Connection;

use super::decimal::{of_value, Dec, Num};
use super::Res;
use crate::protocol::{PgError, SqlState};

/// `NUMERIC_MIN_SIG_DIGITS`: a result has at least this many significant digits.
const MIN_SIG_DIGITS: i64 = 16;
/// `NUMERIC_MAX_DISPLAY_SCALE`: the largest result scale these functions choose.
const MAX_DISPLAY_SCALE: i64 = 1000;
/// `NUMERIC_MAX_RESULT_SCALE` (exp's input limit is three times it).
const MAX_RESULT_SCALE: f64 = 2000.0;
// numeric.c's own literals (not the full-precision constants): the scales derived
// from them truncate exactly as PostgreSQL's do.
#[allow(clippy::approx_constant)]
const LOG10_E: f64 = 0.434294481903252;
#[allow(clippy::approx_constant)]
const LOG10_2: f64 = 0.301029995663981;
#[allow(clippy::approx_constant)]
const LN_10: f64 = 2.302585092994046;
/// numeric's largest weight (base-10000 digits before the point, less one).
const WEIGHT_MAX: i64 = i16::MAX as i64;

fn dec(s: &str) -> Dec {
    match Num::parse(s) {
        Some(Num::Fin(d)) => d,
        _ => Dec::from_i64(0),
    }
}

fn overflow() -> PgError {
    crate::engine::numeric::overflow()
}

fn log_error(what: &str) -> PgError {
    PgError::new(
        SqlState::INVALID_ARGUMENT_FOR_LOG,
        format!("cannot take logarithm of {what}"),
    )
}

fn power_error(message: &str) -> PgError {
    PgError::new(SqlState::INVALID_ARGUMENT_FOR_POWER, message)
}

fn division_by_zero() -> PgError {
    PgError::new(SqlState::DIVISION_BY_ZERO, "division by zero")
}

/// `rscale` kept within numeric's display scales, as every caller here does.
fn clamp_scale(rscale: i64) -> i64 {
    rscale.clamp(0, MAX_DISPLAY_SCALE)
}

/// PostgreSQL's NumericVar view of a value: the weight (power of 10000) of its first
/// non-zero base-10000 digit and its first four such digits; weight 0 for zero.
fn nbase(d: &Dec) -> (i64, [u32; 4]) {
    if d.is_zero() {
        return (0, [0; 4]);
    }
    let digits = d.value.abs().to_string();
    let exp10 = digits.len() as i64 - 1 - i64::from(d.scale);
    let weight = exp10.div_euclid(4);
    // Zeros before the first digit so that groups align on powers of 10000.
    let pad = (3 - (exp10 - 4 * weight)) as usize;
    let padded: Vec<u32> = std::iter::repeat_n(0, pad)
        .chain(digits.bytes().take(16).map(|b| u32::from(b - b'0')))
        .collect();
    let mut groups = [0u32; 4];
    for (k, g) in groups.iter_mut().enumerate() {
        for i in 0..4 {
            *g = *g * 10 + padded.get(4 * k + i).copied().unwrap_or(0);
        }
    }
    (weight, groups)
}

fn weight(d: &Dec) -> i64 {
    nbase(d).0
}

/// Whether `d` has no fraction (PostgreSQL looks at its stored digits, not its scale).
fn is_integral(d: &Dec) -> bool {
    d.scale == 0 || (&d.value % pow10(d.scale)).is_zero()
}

fn pow10(n: u32) -> BigInt {
    num_traits::pow(BigInt::from(10u8), n as usize)
}

/// `round_var`: at `rscale` decimals (a negative one rounds before the point).
fn round(d: &Dec, rscale: i64) -> Dec {
    d.round(rscale)
}

/// `mul_var(a, b, rscale)`.
fn mul(a: &Dec, b: &Dec, rscale: i64) -> Dec {
    let exact = Dec {
        value: &a.value * &b.value,
        scale: a.scale + b.scale,
    };
    round(&exact, rscale.max(0))
}

/// `div_var(a, b, rscale, round)`; the divisor is never zero here.
fn div(a: &Dec, b: &Dec, rscale: i64) -> Result<Dec, PgError> {
    a.div_at(b, rscale.max(0) as u32)
        .ok_or_else(division_by_zero)
}

/// `sqrt_var`: the square root rounded to `rscale` decimals (negative: before the point).
pub(super) fn sqrt_var(x: &Dec, rscale: i64) -> Dec {
    // floor(sqrt(x) × 10^(rscale+1)), then rounded at one digit less: that is sqrt(x)
    // rounded half up at rscale.
    let e = 2 * (rscale + 1) - i64::from(x.scale);
    let radicand = if e >= 0 {
        &x.value * pow10(e as u32)
    } else {
        &x.value / pow10((-e) as u32)
    };
    let t = radicand.sqrt();
    let (q, r) = (&t / 10u8, &t % 10u8);
    let q = if r >= BigInt::from(5u8) { q + 1u8 } else { q };
    if rscale >= 0 {
        Dec {
            value: q,
            scale: rscale as u32,
        }
    } else {
        Dec {
            value: q * pow10((-rscale) as u32),
            scale: 0,
        }
    }
}

/// `exp_var`: e^x at `rscale` decimals.
fn exp_var(arg: &Dec, rscale: i64) -> Result<Dec, PgError> {
    let mut x = arg.clone();
    let mut val = x.to_f64();
    if val.abs() >= MAX_RESULT_SCALE * 3.0 {
        if val > 0.0 {
            return Err(overflow());
        }
        return Ok(Dec::from_i64(0).round(rscale));
    }
    let dweight = (val * LOG10_E) as i64;
    // Reduce x to about ±0.01 by halving, for a fast Taylor series.
    let mut ndiv2 = 0i64;
    if val.abs() > 0.01 {
        ndiv2 = 1;
        val /= 2.0;
        while val.abs() > 0.01 {
            ndiv2 += 1;
            val /= 2.0;
        }
        let local_rscale = i64::from(x.scale) + ndiv2;
        x = div(&x, &Dec::from_i64(1 << ndiv2), local_rscale)?;
    }
    let sig_digits = 1 + dweight + rscale + (ndiv2 as f64 * LOG10_2) as i64;
    let sig_digits = sig_digits.max(0) + 8;
    let local_rscale = sig_digits - 1;
    let one = Dec::from_i64(1);
    let mut result = one.add(&x);
    let mut elem = mul(&x, &x, local_rscale);
    let mut ni = 2i64;
    elem = div(&elem, &Dec::from_i64(ni), local_rscale)?;
    while !elem.is_zero() {
        result = result.add(&elem);
        elem = mul(&elem, &x, local_rscale);
        ni += 1;
        elem = div(&elem, &Dec::from_i64(ni), local_rscale)?;
    }
    // Undo the halving: the weight doubles with each squaring.
    for _ in 0..ndiv2 {
        let local_rscale = (sig_digits - weight(&result) * 2 * 4).max(0);
        result = mul(&result, &result, local_rscale);
        if weight(&result) > 2 * WEIGHT_MAX {
            return Err(overflow());
        }
    }
    Ok(round(&result, rscale))
}

/// `estimate_ln_dweight`: the decimal weight of ln(var), roughly.
fn estimate_ln_dweight(var: &Dec) -> i64 {
    if var.value.is_negative() || var.is_zero() {
        return 0;
    }
    let one = Dec::from_i64(1);
    if var.cmp(&dec("0.9")).is_ge() && var.cmp(&dec("1.1")).is_le() {
        // ln(1 + x) ~ x.
        let x = var.sub(&one);
        if x.is_zero() {
            return 0;
        }
        let (w, d) = nbase(&x);
        return w * 4 + f64::from(d[0]).log10() as i64;
    }
    let (w, d) = nbase(var);
    let mut digits = f64::from(d[0]);
    let mut dweight = w * 4;
    if !is_single_group(var) {
        digits = digits * 10000.0 + f64::from(d[1]);
        dweight -= 4;
    }
    let ln_var = digits.ln() + dweight as f64 * LN_10;
    ln_var.abs().log10() as i64
}

/// Whether `var` has one base-10000 digit (PostgreSQL's `ndigits == 1`).
fn is_single_group(var: &Dec) -> bool {
    let (w, _) = nbase(var);
    // The value's last non-zero decimal digit lies in the first group.
    let digits = var.value.abs().to_string();
    let trailing = digits.bytes().rev().take_while(|&b| b == b'0').count() as i64;
    let last_exp10 = trailing - i64::from(var.scale);
    last_exp10 >= 4 * w
}

/// `ln_var`: ln(arg) at `rscale` decimals.
fn ln_var(arg: &Dec, rscale: i64) -> Result<Dec, PgError> {
    if arg.is_zero() {
        return Err(log_error("zero"));
    }
    if arg.value.is_negative() {
        return Err(log_error("a negative number"));
    }
    let mut x = arg.clone();
    let two = Dec::from_i64(2);
    let mut fact = two.clone();
    // Into 0.9 < x < 1.1 by square roots, keeping rscale+8 significant digits.
    let mut nsqrt = 0i64;
    let (low, high) = (dec("0.9"), dec("1.1"));
    while x.cmp(&low).is_le() {
        let local_rscale = rscale - weight(&x) * 4 / 2 + 8;
        x = sqrt_var(&x, local_rscale);
        fact = mul(&fact, &two, 0);
        nsqrt += 1;
    }
    while x.cmp(&high).is_ge() {
        let local_rscale = rscale - weight(&x) * 4 / 2 + 8;
        x = sqrt_var(&x, local_rscale);
        fact = mul(&fact, &two, 0);
        nsqrt += 1;
    }
    // z + z^3/3 + z^5/5 + … with z = (x-1)/(x+1).
    let local_rscale = rscale + ((nsqrt + 1) as f64 * LOG10_2) as i64 + 8;
    let one = Dec::from_i64(1);
    let mut result = div(&x.sub(&one), &x.add(&one), local_rscale)?;
    let mut xx = result.clone();
    let z2 = mul(&result, &result, local_rscale);
    let mut ni = 1i64;
    loop {
        ni += 2;
        xx = mul(&xx, &z2, local_rscale);
        let elem = div(&xx, &Dec::from_i64(ni), local_rscale)?;
        if elem.is_zero() {
            break;
        }
        result = result.add(&elem);
        if weight(&elem) < weight(&result) - local_rscale * 2 / 4 {
            break;
        }
    }
    Ok(mul(&result, &fact, rscale))
}

/// `log_var`: log of `num` in `base`, at the scale it chooses.
fn log_var(base: &Dec, num: &Dec) -> Result<Dec, PgError> {
    let ln_base_dweight = estimate_ln_dweight(base);
    let ln_num_dweight = estimate_ln_dweight(num);
    let result_dweight = ln_num_dweight - ln_base_dweight;
    let rscale = (MIN_SIG_DIGITS - result_dweight)
        .max(i64::from(base.scale))
        .max(i64::from(num.scale));
    let rscale = clamp_scale(rscale);
    let ln_base_rscale = (rscale + result_dweight - ln_base_dweight + 8).max(0);
    let ln_num_rscale = (rscale + result_dweight - ln_num_dweight + 8).max(0);
    let ln_base = ln_var(base, ln_base_rscale)?;
    let ln_num = ln_var(num, ln_num_rscale)?;
    div(&ln_num, &ln_base, rscale)
}

/// `power_var_int`: base^exp for an int4 exponent, at `rscale`.
fn power_var_int(base: &Dec, exp: i64, rscale: i64) -> Result<Dec, PgError> {
    match exp {
        0 => return Ok(Dec::from_i64(1).round(rscale)),
        1 => return Ok(round(base, rscale)),
        -1 => return div(&Dec::from_i64(1), base, rscale),
        2 => return Ok(mul(base, base, rscale)),
        _ => {}
    }
    if base.is_zero() {
        if exp < 0 {
            return Err(division_by_zero());
        }
        return Ok(Dec::from_i64(0).round(rscale));
    }
    // The result's decimal weight, roughly, from base's first 16 digits.
    let (w, d) = nbase(base);
    let mut f = f64::from(d[0]);
    let mut p = w * 4;
    let groups = base_groups(base);
    for digit in d.iter().take(groups.min(4)).skip(1) {
        f = f * 10000.0 + f64::from(*digit);
        p -= 4;
    }
    let f = exp as f64 * (f.log10() + p as f64);
    if f > 3.0 * f64::from(i16::MAX) * 4.0 {
        return Err(overflow());
    }
    if f + 1.0 < -(rscale as f64) || f + 1.0 < -(MAX_DISPLAY_SCALE as f64) {
        return Ok(Dec::from_i64(0).round(rscale));
    }
    let mut sig_digits = 1 + rscale + f as i64;
    sig_digits += (exp as f64).abs().ln() as i64 + 8;
    let neg = exp < 0;
    let mut mask = exp.unsigned_abs();
    let mut base_prod = base.clone();
    let mut result = if mask & 1 == 1 {
        base.clone()
    } else {
        Dec::from_i64(1)
    };
    loop {
        mask >>= 1;
        if mask == 0 {
            break;
        }
        let local_rscale = (sig_digits - 2 * weight(&base_prod) * 4)
            .min(2 * i64::from(base_prod.scale))
            .max(0);
        base_prod = mul(&base_prod, &base_prod, local_rscale);
        if mask & 1 == 1 {
            let local_rscale = (sig_digits - (weight(&base_prod) + weight(&result)) * 4)
                .min(i64::from(base_prod.scale) + i64::from(result.scale))
                .max(0);
            result = mul(&base_prod, &result, local_rscale);
        }
        // Beyond numeric's weight the result overflows (or, for exp < 0, is 0).
        if weight(&base_prod) > WEIGHT_MAX || weight(&result) > WEIGHT_MAX {
            if !neg {
                return Err(overflow());
            }
            return Ok(Dec::from_i64(0).round(rscale));
        }
    }
    if neg {
        div(&Dec::from_i64(1), &result, rscale)
    } else {
        Ok(round(&result, rscale))
    }
}

/// How many base-10000 digits `d` stores (without trailing zero groups).
fn base_groups(d: &Dec) -> usize {
    if d.is_zero() {
        return 0;
    }
    let (w, _) = nbase(d);
    let digits = d.value.abs().to_string();
    let trailing = digits.bytes().rev().take_while(|&b| b == b'0').count() as i64;
    let last_exp10 = trailing - i64::from(d.scale);
    (w - last_exp10.div_euclid(4) + 1) as usize
}

/// `power_var`: base^exp at the scale it chooses.
fn power_var(base: &Dec, exp: &Dec) -> Result<Dec, PgError> {
    if is_integral(exp) {
        if let Some(e) = exp.round(0).value.to_i64() {
            if i32::try_from(e).is_ok() {
                let rscale = clamp_scale(MIN_SIG_DIGITS.max(i64::from(base.scale)));
                return power_var_int(base, e, rscale);
            }
        }
    }
    if base.is_zero() {
        return Ok(Dec::from_i64(0).round(MIN_SIG_DIGITS));
    }
    let negative = base.value.is_negative();
    if negative && !is_integral(exp) {
        return Err(power_error(
            "a negative number raised to a non-integer power yields a complex result",
        ));
    }
    let odd = negative && (&exp.round(0).value % 2u8) != BigInt::zero();
    let base = &Dec {
        value: base.value.abs(),
        scale: base.scale,
    };
    // A low-precision exp × ln(base) first: the result's weight, and an early overflow.
    let ln_dweight = estimate_ln_dweight(base);
    let local_rscale = (8 - ln_dweight).max(0);
    let ln_base = ln_var(base, local_rscale)?;
    let ln_num = mul(&ln_base, exp, local_rscale);
    let val = ln_num.to_f64();
    if val.abs() > MAX_RESULT_SCALE * 3.01 {
        if val > 0.0 {
            return Err(overflow());
        }
        return Ok(Dec::from_i64(0).round(MAX_DISPLAY_SCALE));
    }
    let val = val * LOG10_E;
    let rscale = (MIN_SIG_DIGITS - val as i64)
        .max(i64::from(base.scale))
        .max(i64::from(exp.scale));
    let rscale = clamp_scale(rscale);
    let sig_digits = (rscale + val as i64).max(0);
    let local_rscale = (sig_digits - ln_dweight + 8).max(0);
    let ln_base = ln_var(base, local_rscale)?;
    let ln_num = mul(&ln_base, exp, local_rscale);
    let result = exp_var(&ln_num, rscale)?;
    Ok(if odd { result.neg() } else { result })
}

/// 22003 for a result beyond numeric's range (PostgreSQL's make_result).
fn checked(d: Dec) -> Result<Num, PgError> {
    if weight(&d) > WEIGHT_MAX {
        return Err(overflow());
    }
    Ok(Num::Fin(d))
}

/// `gcd(a, b)` / `lcm(a, b)` of numerics: at the larger display scale, never negative;
/// NaN for NaN or an infinity (numeric_gcd, numeric_lcm).
fn gcd_lcm(a: &Num, b: &Num, lcm: bool) -> Result<Num, PgError> {
    let (Num::Fin(a), Num::Fin(b)) = (a, b) else {
        return Ok(Num::NaN);
    };
    let scale = a.scale.max(b.scale);
    let (x, y) = (
        a.round(i64::from(scale)).value,
        b.round(i64::from(scale)).value,
    );
    let (mut p, mut q) = (x.abs(), y.abs());
    while !q.is_zero() {
        let r = &p % &q;
        p = q;
        q = r;
    }
    let value = if !lcm {
        p
    } else if x.is_zero() || y.is_zero() {
        BigInt::zero()
    } else {
        // a·b / gcd(a, b), each in units of 10^-scale: x / gcd × y units.
        (x / &p * y).abs()
    };
    checked(Dec { value, scale })
}

/// -1, 0 or 1 (0 for NaN too).
fn sign(v: &Num) -> i32 {
    match v {
        Num::Inf(true) => 1,
        Num::Inf(false) => -1,
        Num::Fin(d) if d.value.is_negative() => -1,
        Num::Fin(d) if d.is_zero() => 0,
        Num::Fin(_) => 1,
        Num::NaN => 0,
    }
}

/// `sqrt(numeric)`.
pub fn sqrt(x: &Num) -> Result<Num, PgError> {
    let d = match x {
        Num::NaN | Num::Inf(true) => return Ok(x.clone()),
        Num::Inf(false) => {
            return Err(power_error("cannot take square root of a negative number"));
        }
        Num::Fin(d) => d,
    };
    if d.value.is_negative() {
        return Err(power_error("cannot take square root of a negative number"));
    }
    let sweight = (weight(d) + 1) * 4 / 2 - 1;
    let rscale = clamp_scale((MIN_SIG_DIGITS - sweight).max(i64::from(d.scale)));
    checked(sqrt_var(d, rscale))
}

/// `exp(numeric)`.
pub fn exp(x: &Num) -> Result<Num, PgError> {
    let d = match x {
        Num::NaN | Num::Inf(true) => return Ok(x.clone()),
        Num::Inf(false) => return Ok(Num::Fin(Dec::from_i64(0))),
        Num::Fin(d) => d,
    };
    let val = (d.to_f64() * LOG10_E).clamp(-MAX_RESULT_SCALE, MAX_RESULT_SCALE);
    let rscale = clamp_scale((MIN_SIG_DIGITS - val as i64).max(i64::from(d.scale)));
    checked(exp_var(d, rscale)?)
}

/// `ln(numeric)`.
pub fn ln(x: &Num) -> Result<Num, PgError> {
    let d = match x {
        Num::NaN | Num::Inf(true) => return Ok(x.clone()),
        Num::Inf(false) => return Err(log_error("a negative number")),
        Num::Fin(d) => d,
    };
    let rscale = clamp_scale((MIN_SIG_DIGITS - estimate_ln_dweight(d)).max(i64::from(d.scale)));
    checked(ln_var(d, rscale)?)
}

/// `log(base, x)` of numerics (`log(x)` and `log10(x)` are `log(10, x)`).
pub fn log(base: &Num, x: &Num) -> Result<Num, PgError> {
    let (b, n) = match (base, x) {
        (Num::Fin(b), Num::Fin(n)) => (b, n),
        (Num::NaN, _) | (_, Num::NaN) => return Ok(Num::NaN),
        _ => {
            if sign(base) < 0 || sign(x) < 0 {
                return Err(log_error("a negative number"));
            }
            if sign(base) == 0 || sign(x) == 0 {
                return Err(log_error("zero"));
            }
            return Ok(match (base, x) {
                (Num::Inf(_), Num::Inf(_)) => Num::NaN,
                (Num::Inf(_), _) => Num::Fin(Dec::from_i64(0)),
                _ => Num::Inf(true),
            });
        }
    };
    for d in [b, n] {
        if d.is_zero() {
            return Err(log_error("zero"));
        }
        if d.value.is_negative() {
            return Err(log_error("a negative number"));
        }
    }
    checked(log_var(b, n)?)
}

/// `power(numeric, numeric)` / `numeric ^ numeric`, with POSIX pow's special values.
pub fn power(base: &Num, exp: &Num) -> Result<Num, PgError> {
    let one = || Num::Fin(Dec::from_i64(1));
    let zero = || Num::Fin(Dec::from_i64(0));
    let is = |n: &Num, v: i64| matches!(n, Num::Fin(d) if d.cmp(&Dec::from_i64(v)).is_eq());
    let integral = |n: &Num| matches!(n, Num::Fin(d) if is_integral(d));
    if matches!(base, Num::NaN) {
        return Ok(if is(exp, 0) { one() } else { Num::NaN });
    }
    if matches!(exp, Num::NaN) {
        return Ok(if is(base, 1) { one() } else { Num::NaN });
    }
    let (s1, s2) = (sign(base), sign(exp));
    if s1 == 0 && s2 < 0 {
        return Err(power_error("zero raised to a negative power is undefined"));
    }
    let (b, e) = match (base, exp) {
        (Num::Fin(b), Num::Fin(e)) => (b, e),
        _ => {
            if s1 < 0 && !integral(exp) && !matches!(exp, Num::Inf(_)) {
                return Err(power_error(
                    "a negative number raised to a non-integer power yields a complex result",
                ));
            }
            if is(base, 1) || s2 == 0 {
                return Ok(one());
            }
            if s1 == 0 && s2 > 0 {
                return Ok(zero());
            }
            if let Num::Inf(_) = exp {
                let abs_gt_one = match base {
                    Num::Fin(d) => {
                        if is(base, -1) {
                            return Ok(one());
                        }
                        d.value.abs() > pow10(d.scale)
                    }
                    _ => true,
                };
                return Ok(if abs_gt_one == (s2 > 0) {
                    Num::Inf(true)
                } else {
                    zero()
                });
            }
            if let Num::Inf(true) = base {
                return Ok(if s2 > 0 { Num::Inf(true) } else { zero() });
            }
            // -Infinity to a finite power.
            if s2 < 0 {
                return Ok(zero());
            }
            let odd = matches!(exp, Num::Fin(d) if is_integral(d) && (&d.round(0).value % 2u8) != BigInt::zero());
            return Ok(Num::Inf(!odd));
        }
    };
    checked(power_var(b, e)?)
}

/// Registers `pg_numeric_sqrt`, `_exp`, `_ln`, `_log10`, `_abs` (one argument),
/// `pg_numeric_log`, `_power`, `_gcd`, `_lcm` and `pg_numeric_nullif` (two): numeric's functions, which the
/// translator calls for numeric arguments (translate/functions.rs).
pub(super) fn register(conn: &Connection, flags: FunctionFlags) -> Res<()> {
    type F1 = fn(&Num) -> Result<Num, PgError>;
    let one: [(&str, F1); 5] = [
        ("pg_numeric_abs", |x| {
            Ok(match x {
                Num::Fin(d) if d.value.is_negative() => Num::Fin(d.neg()),
                Num::Inf(_) => Num::Inf(true),
                other => other.clone(),
            })
        }),
        ("pg_numeric_sqrt", sqrt),
        ("pg_numeric_exp", exp),
        ("pg_numeric_ln", ln),
        ("pg_numeric_log10", |x| log(&Num::Fin(Dec::from_i64(10)), x)),
    ];
    for (name, fun) in one {
        conn.create_scalar_function(
            name,
            1,
            flags,
            super::strict(move |ctx| {
                let x = arg(ctx, 0)?;
                super::pg(fun(&x)).map(|r| SqlValue::Text(r.to_string()))
            }),
        )?;
    }
    type F2 = fn(&Num, &Num) -> Result<Num, PgError>;
    let two: [(&str, F2); 4] = [
        ("pg_numeric_log", log),
        ("pg_numeric_power", power),
        ("pg_numeric_gcd", |a, b| gcd_lcm(a, b, false)),
        ("pg_numeric_lcm", |a, b| gcd_lcm(a, b, true)),
    ];
    for (name, fun) in two {
        conn.create_scalar_function(
            name,
            2,
            flags,
            super::strict(move |ctx| {
                let (a, b) = (arg(ctx, 0)?, arg(ctx, 1)?);
                super::pg(fun(&a, &b)).map(|r| SqlValue::Text(r.to_string()))
            }),
        )?;
    }
    conn.create_scalar_function("pg_numeric_nullif", 2, flags, nullif)?;
    Ok(())
}

/// `nullif(a, b)` of numerics (`pg_numeric_nullif`): as SQLite's, except that a
/// numeric held as its text (`0.0000`) beside a number (`0`) is compared as a number.
fn nullif(ctx: &mut Context<'_>) -> Res<SqlValue> {
    use rusqlite::types::ValueRef;
    let (a, b) = (ctx.get_raw(0), ctx.get_raw(1));
    let number = |v: ValueRef<'_>| matches!(v, ValueRef::Integer(_) | ValueRef::Real(_));
    let text = |v: ValueRef<'_>| matches!(v, ValueRef::Text(_));
    let equal = match (a, b) {
        (ValueRef::Null, _) | (_, ValueRef::Null) => false,
        _ if (text(a) && number(b)) || (number(a) && text(b)) => match (of_value(a), of_value(b)) {
            (Some(x), Some(y)) => x.cmp(&y).is_eq(),
            _ => false,
        },
        (ValueRef::Integer(x), ValueRef::Real(y)) | (ValueRef::Real(y), ValueRef::Integer(x)) => {
            x as f64 == y
        }
        (x, y) => x == y,
    };
    Ok(match a {
        _ if equal => SqlValue::Null,
        ValueRef::Null => SqlValue::Null,
        ValueRef::Integer(i) => SqlValue::Integer(i),
        ValueRef::Real(f) => SqlValue::Real(f),
        ValueRef::Text(t) => SqlValue::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => SqlValue::Blob(b.to_vec()),
    })
}

/// Argument `i` as a numeric; 22P02 for text that is not one.
fn arg(ctx: &Context<'_>, i: usize) -> Res<Num> {
    let v = ctx.get_raw(i);
    of_value(v).ok_or_else(|| {
        let text = String::from_utf8_lossy(v.as_bytes().unwrap_or_default()).into_owned();
        super::raise(PgError::new(
            SqlState::INVALID_TEXT_REPRESENTATION,
            format!("invalid input syntax for type numeric: \"{text}\""),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Num {
        Num::parse(s).unwrap()
    }

    fn show(r: Result<Num, PgError>) -> String {
        match r {
            Ok(v) => v.to_string(),
            Err(e) => format!("{}: {}", e.code.0, e.message),
        }
    }

    #[test]
    fn sqrt_scales_as_postgres() {
        assert_eq!(show(sqrt(&n("0"))), "0.000000000000000");
        assert_eq!(show(sqrt(&n("1"))), "1.000000000000000");
        assert_eq!(show(sqrt(&n("4.2"))), "2.049390153191920");
        assert_eq!(
            show(sqrt(&n("-1"))),
            "2201F: cannot take square root of a negative number"
        );
    }

    #[test]
    fn logarithms_as_postgres() {
        assert_eq!(show(ln(&n("1"))), "0.0000000000000000");
        assert_eq!(show(ln(&n("4.2"))), "1.4350845252893226");
        assert_eq!(show(log(&n("10"), &n("4.2"))), "0.6232492903979005");
        assert_eq!(show(log(&n("10"), &n("1"))), "0.0000000000000000");
        assert_eq!(show(ln(&n("0"))), "2201E: cannot take logarithm of zero");
        assert_eq!(show(log(&n("1"), &n("2"))), "22012: division by zero");
    }

    #[test]
    fn exp_as_postgres() {
        assert_eq!(show(exp(&n("1"))), "2.7182818284590452");
        assert_eq!(show(exp(&n("0"))), "1.0000000000000000");
        assert_eq!(
            show(exp(&n("6000"))),
            "22003: value overflows numeric format"
        );
    }

    #[test]
    fn power_as_postgres() {
        assert_eq!(show(power(&n("-2"), &n("3"))), "-8.0000000000000000");
        assert_eq!(show(power(&n("-2"), &n("-1"))), "-0.5000000000000000");
        assert_eq!(
            show(power(&n("3.789"), &n("21"))),
            "1409343026052.8716016316022141"
        );
        assert_eq!(
            show(power(&n("0.12"), &n("-20"))),
            "2608405330458882702.5529619561355838"
        );
        assert_eq!(
            show(power(&n("1.000000000123"), &n("-2147483648"))),
            "0.7678656556403084"
        );
        assert_eq!(show(power(&n("32.1"), &n("9.8"))), "580429286790711.10");
        assert_eq!(
            show(power(&n("32.1"), &n("-9.8"))),
            "0.000000000000001722862754788209"
        );
        assert_eq!(
            show(power(&n("12.3"), &n("-45.6"))),
            "0.00000000000000000000000000000000000000000000000001996764828785491"
        );
        assert_eq!(
            show(power(&n("10.0"), &n("-2147483648"))),
            "0.0000000000000000"
        );
        assert_eq!(
            show(power(&n("-1.0"), &n("1000000000000001"))),
            "-1.0000000000000000"
        );
        assert_eq!(show(power(&n("0.0"), &n("12.34"))), "0.0000000000000000");
        assert_eq!(show(power(&n("-inf"), &n("3"))), "-Infinity");
        assert_eq!(show(power(&n("-1"), &n("inf"))), "1");
        assert_eq!(
            show(power(&n("0"), &n("-1"))),
            "2201F: zero raised to a negative power is undefined"
        );
    }
}
