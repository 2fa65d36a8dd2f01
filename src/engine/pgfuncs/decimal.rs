//! numeric's values, exact: PostgreSQL's decimal numbers with a display scale (`1.50`
//! keeps its two decimals), NaN and ±Infinity. litewire stores a numeric as its
//! canonical text (what PostgreSQL prints) in a column of TEXT affinity whose collation
//! (`pg_numeric`, [`collate`]) compares numerically; arithmetic, rounding and scales
//! follow PostgreSQL's numeric.c (round half away from zero, `select_div_scale`).

use std::cmp::Ordering;

use num_bigint::{BigInt, Sign};
use num_traits::{Signed, ToPrimitive, Zero};

use crate::protocol::{PgError, SqlState};

/// PostgreSQL's `NUMERIC_MAX_DISPLAY_SCALE`: the scale limit of a division.
pub const MAX_SCALE: u32 = 1000;
/// PostgreSQL's `NUMERIC_DSCALE_MAX`: the largest scale a numeric has (a product's,
/// round's and trunc's limit).
const DSCALE_MAX: u32 = 16_383;
/// PostgreSQL's `NUMERIC_MIN_SIG_DIGITS`: a quotient has at least this many digits.
const MIN_SIG_DIGITS: i64 = 16;
/// numeric's input limits: 131072 digits before the point, 16383 after.
const MAX_INT_DIGITS: i64 = 131_072;
const MAX_INPUT_SCALE: i64 = 16_383;

/// A finite numeric: `value × 10^-scale`, `scale` its display scale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dec {
    pub value: BigInt,
    pub scale: u32,
}

/// A numeric value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Num {
    NaN,
    /// +Infinity (true) or -Infinity.
    Inf(bool),
    Fin(Dec),
}

fn pow10(n: u32) -> BigInt {
    num_traits::pow(BigInt::from(10u8), n as usize)
}

impl Dec {
    pub fn from_i64(i: i64) -> Dec {
        Dec {
            value: BigInt::from(i),
            scale: 0,
        }
    }

    /// The same number at a larger scale.
    fn widened(&self, scale: u32) -> BigInt {
        &self.value * pow10(scale.saturating_sub(self.scale))
    }

    /// Rounded (half away from zero) or padded to `scale` decimals; a negative scale
    /// rounds to tens, hundreds... (the result's display scale is then 0).
    pub fn round(&self, scale: i64) -> Dec {
        let scale = scale.min(i64::from(DSCALE_MAX));
        if scale >= self.scale as i64 {
            let scale = scale as u32;
            return Dec {
                value: self.widened(scale),
                scale,
            };
        }
        let drop = (self.scale as i64 - scale) as u32;
        let unit = pow10(drop);
        let (q, r) = (&self.value / &unit, &self.value % &unit);
        let twice = r.abs() * 2u8;
        let mut q = q;
        if twice >= unit {
            q += if self.value.is_negative() { -1 } else { 1 };
        }
        Dec::at_scale(q, scale)
    }

    /// Truncated towards zero to `scale` decimals.
    pub fn trunc(&self, scale: i64) -> Dec {
        let scale = scale.min(i64::from(DSCALE_MAX));
        if scale >= self.scale as i64 {
            return self.round(scale);
        }
        let unit = pow10((self.scale as i64 - scale) as u32);
        Dec::at_scale(&self.value / unit, scale)
    }

    /// `q` in units of 10^-scale, scale possibly negative: back at display scale >= 0.
    fn at_scale(q: BigInt, scale: i64) -> Dec {
        if scale >= 0 {
            Dec {
                value: q,
                scale: scale as u32,
            }
        } else {
            Dec {
                value: q * pow10((-scale) as u32),
                scale: 0,
            }
        }
    }

    pub fn is_zero(&self) -> bool {
        self.value.is_zero()
    }

    pub fn is_negative(&self) -> bool {
        self.value.is_negative()
    }

    pub fn cmp(&self, other: &Dec) -> Ordering {
        let scale = self.scale.max(other.scale);
        self.widened(scale).cmp(&other.widened(scale))
    }

    pub fn add(&self, other: &Dec) -> Dec {
        let scale = self.scale.max(other.scale);
        Dec {
            value: self.widened(scale) + other.widened(scale),
            scale,
        }
    }

    pub fn neg(&self) -> Dec {
        Dec {
            value: -&self.value,
            scale: self.scale,
        }
    }

    pub fn sub(&self, other: &Dec) -> Dec {
        self.add(&other.neg())
    }

    /// PostgreSQL's product: the scales add (capped at [`MAX_SCALE`], rounded).
    /// The product at the sum of the scales, uncut (an aggregate's working value, as a
    /// NumericVar holds it: numeric.c's do_numeric_accum).
    pub fn mul_exact(&self, other: &Dec) -> Dec {
        Dec {
            value: &self.value * &other.value,
            scale: self.scale + other.scale,
        }
    }

    pub fn mul(&self, other: &Dec) -> Dec {
        let exact = self.mul_exact(other);
        if exact.scale > DSCALE_MAX {
            exact.round(i64::from(DSCALE_MAX))
        } else {
            exact
        }
    }

    /// `self / other` rounded to `scale` decimals; None for a zero divisor.
    pub fn div_at(&self, other: &Dec, scale: u32) -> Option<Dec> {
        if other.is_zero() {
            return None;
        }
        // self/other = (a / 10^sa) / (b / 10^sb); one extra digit to round with.
        let shift = scale as i64 + 1 + other.scale as i64 - self.scale as i64;
        let (num, den) = if shift >= 0 {
            (&self.value * pow10(shift as u32), other.value.clone())
        } else {
            (self.value.clone(), &other.value * pow10((-shift) as u32))
        };
        let q = num / den;
        Some(
            Dec {
                value: q,
                scale: scale + 1,
            }
            .round(scale as i64),
        )
    }

    /// PostgreSQL's `select_div_scale`: enough decimals for 16 significant digits, and
    /// at least either operand's scale.
    pub fn div_scale(&self, other: &Dec) -> u32 {
        let (w1, d1) = self.first_group();
        let (w2, d2) = other.first_group();
        let mut qweight = w1 - w2;
        if d1 <= d2 {
            qweight -= 1;
        }
        let scale = (MIN_SIG_DIGITS - qweight * 4)
            .max(self.scale as i64)
            .max(other.scale as i64)
            .max(0);
        scale.min(MAX_SCALE as i64) as u32
    }

    /// The weight (power of 10000) and value of the first non-zero base-10000 digit, as
    /// PostgreSQL's NumericVar holds it; (0, 0) for zero.
    fn first_group(&self) -> (i64, u32) {
        if self.is_zero() {
            return (0, 0);
        }
        let digits = self.value.abs().to_string();
        let exp10 = digits.len() as i64 - 1 - self.scale as i64;
        let weight = exp10.div_euclid(4);
        let width = (exp10 - 4 * weight + 1) as usize;
        let mut first: u32 = 0;
        for i in 0..width {
            let d = digits.as_bytes().get(i).map_or(0, |b| (b - b'0') as u32);
            first = first * 10 + d;
        }
        (weight, first)
    }

    /// PostgreSQL's quotient: at [`Dec::div_scale`] decimals.
    pub fn div(&self, other: &Dec) -> Option<Dec> {
        self.div_at(other, self.div_scale(other))
    }

    /// PostgreSQL's `div()`: the quotient truncated toward zero, scale 0; None for a
    /// zero divisor.
    pub fn div_trunc(&self, other: &Dec) -> Option<Dec> {
        if other.is_zero() {
            return None;
        }
        let scale = self.scale.max(other.scale);
        Some(Dec {
            value: self.widened(scale) / other.widened(scale),
            scale: 0,
        })
    }

    /// PostgreSQL's `%`: the remainder of the quotient truncated toward zero, at the
    /// larger scale; None for a zero divisor.
    pub fn rem(&self, other: &Dec) -> Option<Dec> {
        if other.is_zero() {
            return None;
        }
        let scale = self.scale.max(other.scale);
        Some(Dec {
            value: self.widened(scale) % other.widened(scale),
            scale,
        })
    }

    /// The nearest double.
    pub fn to_f64(&self) -> f64 {
        format!("{}e-{}", self.value, self.scale)
            .parse()
            .unwrap_or(f64::NAN)
    }

    /// Rounded half away from zero to an integer; None beyond i64.
    pub fn to_i64(&self) -> Option<i64> {
        self.round(0).value.to_i64()
    }

    /// Digits before the point (0 for a value below 1), for a precision check.
    pub fn int_digits(&self) -> u32 {
        let digits = self.value.abs().to_string();
        (digits.len() as i64 - self.scale as i64).max(0) as u32
    }
}

impl std::fmt::Display for Dec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let digits = self.value.abs().to_string();
        let scale = self.scale as usize;
        if self.value.sign() == Sign::Minus {
            f.write_str("-")?;
        }
        if scale == 0 {
            return f.write_str(&digits);
        }
        if digits.len() > scale {
            let (int, frac) = digits.split_at(digits.len() - scale);
            write!(f, "{int}.{frac}")
        } else {
            write!(f, "0.{}{digits}", "0".repeat(scale - digits.len()))
        }
    }
}

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Num::NaN => f.write_str("NaN"),
            Num::Inf(true) => f.write_str("Infinity"),
            Num::Inf(false) => f.write_str("-Infinity"),
            Num::Fin(d) => d.fmt(f),
        }
    }
}

impl Num {
    /// numeric's input syntax (numeric_in): blanks around, a sign, digits with a point,
    /// an exponent; `NaN`, `Infinity`, `inf` in any case. None when it is not a number
    /// or beyond numeric's range.
    pub fn parse(text: &str) -> Option<Num> {
        let t = text.trim_matches(|c: char| c.is_ascii_whitespace());
        if t.eq_ignore_ascii_case("nan") {
            return Some(Num::NaN);
        }
        let (negative, t) = match t.as_bytes().first() {
            Some(b'-') => (true, &t[1..]),
            Some(b'+') => (false, &t[1..]),
            _ => (false, t),
        };
        if t.eq_ignore_ascii_case("infinity") || t.eq_ignore_ascii_case("inf") {
            return Some(Num::Inf(!negative));
        }
        let (mantissa, exponent) = match t.find(['e', 'E']) {
            Some(i) => {
                let e = &t[i + 1..];
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                // Beyond any numeric's range either way; bounded before it is used.
                let e: i64 = e.parse().unwrap_or(if e.starts_with('-') {
                    -1_000_000
                } else {
                    1_000_000
                });
                (&t[..i], e.clamp(-1_000_000, 1_000_000))
            }
            None => (t, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if (int.is_empty() && frac.is_empty())
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let scale = frac.len() as i64 - exponent;
        let significant = int.trim_start_matches('0').len() as i64 + exponent;
        if scale > MAX_INPUT_SCALE || significant > MAX_INT_DIGITS {
            return None;
        }
        let mut value: BigInt = format!("{int}{frac}").parse().unwrap_or_default();
        let scale = if scale < 0 {
            value *= pow10((-scale) as u32);
            0
        } else {
            scale as u32
        };
        if negative {
            value = -value;
        }
        Some(Num::Fin(Dec { value, scale }))
    }

    /// A double as numeric, as PostgreSQL's float8_numeric makes it: 15 significant
    /// digits (`%.15g`: no trailing zeros), NaN and infinities as themselves.
    pub fn from_f64(f: f64) -> Num {
        if f.is_nan() {
            return Num::NaN;
        } else if f.is_infinite() {
            return Num::Inf(f > 0.0);
        }
        match Num::parse(&format!("{f:.14e}")) {
            Some(Num::Fin(mut d)) => {
                let ten = BigInt::from(10u8);
                while d.scale > 0 && (&d.value % &ten).is_zero() {
                    d.value /= &ten;
                    d.scale -= 1;
                }
                Num::Fin(d)
            }
            _ => Num::NaN,
        }
    }

    /// A value read from a numeric column: its text as written, except SQLite's own
    /// text of a double (`1.0e-10`, made by the column's TEXT affinity), which is the
    /// double's numeric (`0.0000000001`); None for text that is not a number.
    pub fn stored(text: &str) -> Option<Num> {
        if text.contains(['e', 'E']) && !text.contains(['n', 'N']) {
            // Beyond a double's range (`1e340`) it is no double's text: numeric's input.
            match text.trim().parse::<f64>() {
                Ok(f) if f.is_finite() => return Some(Num::from_f64(f)),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        Num::parse(text)
    }

    /// numeric's order: NaN above everything (and equal to itself), then +Infinity.
    pub fn cmp(&self, other: &Num) -> Ordering {
        let rank = |n: &Num| match n {
            Num::Inf(false) => 0,
            Num::Fin(_) => 1,
            Num::Inf(true) => 2,
            Num::NaN => 3,
        };
        match (self, other) {
            (Num::Fin(a), Num::Fin(b)) => a.cmp(b),
            _ => rank(self).cmp(&rank(other)),
        }
    }

    /// The value at a `numeric(precision, scale)` column's scale; 22003 when its
    /// integer digits exceed `precision - scale` (infinities too, as PostgreSQL 15).
    pub fn with_typmod(&self, precision: u32, scale: i32) -> Result<Num, PgError> {
        match self {
            Num::NaN => Ok(Num::NaN),
            Num::Inf(_) => Err(PgError::new(
                SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
                "numeric field overflow",
            )
            .with_detail(format!(
                "A field with precision {precision}, scale {scale} cannot hold an infinite value."
            ))),
            Num::Fin(d) => {
                let r = d.round(i64::from(scale));
                let limit = i64::from(precision) - i64::from(scale);
                // Digits before the point, negative for leading zeros after it (a scale
                // above the precision: numeric(3,6) holds below 0.001).
                let digits = r.value.magnitude().to_string().len() as i64 - i64::from(r.scale);
                if !r.is_zero() && digits > limit {
                    return Err(PgError::new(
                        SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
                        "numeric field overflow",
                    )
                    .with_detail(format!(
                        "A field with precision {precision}, scale {scale} must round to an absolute value less than {}.",
                        if limit == 0 { "1".to_string() } else { format!("10^{limit}") }
                    )));
                }
                Ok(Num::Fin(r))
            }
        }
    }
}

/// A numeric argument as SQLite holds it: an integer, a double (a numeric computed in
/// double precision, or an old file's numeric column) or the exact text; None for NULL,
/// a blob or text that is not a number.
pub fn of_value(v: rusqlite::types::ValueRef<'_>) -> Option<Num> {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Integer(i) => Some(Num::Fin(Dec::from_i64(i))),
        ValueRef::Real(f) => Some(Num::from_f64(f)),
        ValueRef::Text(t) => Num::stored(std::str::from_utf8(t).ok()?),
        _ => None,
    }
}

/// numeric's typmod `((p << 16) | (s & 0x7ff)) + 4` read back: (precision, scale), the
/// scale an 11-bit signed number (PostgreSQL 15: -1000 to 1000).
pub fn typmod_parts(typmod: i32) -> (u32, i32) {
    let t = typmod - 4;
    let scale = ((t & 0x7ff) ^ 0x400) - 0x400;
    (((t >> 16) & 0xffff) as u32, scale)
}

/// A numeric result as SQLite keeps it: an integer or a double where that holds it and
/// prints it as numeric does (digits and scale), else its exact text (`0.30`), which
/// numeric columns store as it is and numeric comparisons read as a number.
pub fn to_value(n: &Num) -> rusqlite::types::Value {
    use rusqlite::types::Value;
    if let Num::Fin(d) = n {
        if d.scale == 0 {
            if let Some(i) = d.value.to_i64() {
                return Value::Integer(i);
            }
        }
        let f = d.to_f64();
        // Up to 13 digits: a double stored into a numeric column (TEXT affinity) is
        // written back with them; SQLite's text of a longer one may carry 17 digits
        // (`2.00000000000001` became `2.0000000000000102`).
        let short = d.value.magnitude().to_string().len() <= 13;
        if short && f.is_finite() && Num::from_f64(f).to_string() == d.to_string() && d.scale > 0 {
            return Value::Real(f);
        }
    }
    Value::Text(n.to_string())
}

/// The `pg_numeric` collation of numeric columns: stored numerics compared as numbers
/// (`1.50` = `1.5`, `9` < `10`); text that is not a number sorts after, by its bytes.
pub fn collate(a: &str, b: &str) -> Ordering {
    match (Num::parse(a), Num::parse(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Dec {
        match Num::parse(s) {
            Some(Num::Fin(d)) => d,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn input_keeps_digits_and_scale() {
        assert_eq!(
            n("12345678901234567890.123").to_string(),
            "12345678901234567890.123"
        );
        assert_eq!(n(" 1.50 ").to_string(), "1.50");
        assert_eq!(n("-0.0").to_string(), "0.0");
        assert_eq!(n("1e3").to_string(), "1000");
        assert_eq!(n("1.5e-3").to_string(), "0.0015");
        assert_eq!(n(".5").to_string(), "0.5");
        assert_eq!(n("5.").to_string(), "5");
        assert_eq!(Num::parse("nan"), Some(Num::NaN));
        assert_eq!(Num::parse("-inf"), Some(Num::Inf(false)));
        for bad in ["", ".", "1e", "abc", "1.2.3", "- 1", "1e1.5"] {
            assert_eq!(Num::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn arithmetic_with_postgres_scales() {
        assert_eq!(n("0.10").add(&n("0.20")).to_string(), "0.30");
        assert_eq!(n("1.1").mul(&n("1.1")).to_string(), "1.21");
        assert_eq!(
            n("130.30").div_at(&n("4"), 16).unwrap().to_string(),
            "32.5750000000000000"
        );
        assert_eq!(
            n("130.30").div(&n("4")).unwrap().to_string(),
            "32.5750000000000000"
        );
        assert_eq!(
            n("1").div(&n("3")).unwrap().to_string(),
            "0.33333333333333333333"
        );
        assert_eq!(
            n("7").div(&n("2")).unwrap().to_string(),
            "3.5000000000000000"
        );
        assert_eq!(
            n("2").div(&n("3")).unwrap().to_string(),
            "0.66666666666666666667"
        );
        assert_eq!(n("1").div(&n("0")), None);
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(n("2.5").round(0).to_string(), "3");
        assert_eq!(n("-2.5").round(0).to_string(), "-3");
        assert_eq!(n("1.005").round(2).to_string(), "1.01");
        assert_eq!(n("1234.5").round(-2).to_string(), "1200");
        assert_eq!(n("-1.25").trunc(1).to_string(), "-1.2");
    }

    #[test]
    fn typmod_rounds_then_checks_precision() {
        let p = |s: &str, precision, scale| {
            Num::parse(s)
                .unwrap()
                .with_typmod(precision, scale)
                .map(|v| v.to_string())
                .map_err(|e| e.message)
        };
        assert_eq!(p("1.234", 10, 2), Ok("1.23".to_string()));
        assert_eq!(p("99.995", 4, 2), Err("numeric field overflow".to_string()));
        assert_eq!(p("0.001", 2, 2), Ok("0.00".to_string()));
    }

    #[test]
    fn collation_orders_numerically() {
        assert_eq!(collate("1.50", "1.5"), Ordering::Equal);
        assert_eq!(collate("9", "10"), Ordering::Less);
        assert_eq!(collate("-Infinity", "-1e300"), Ordering::Less);
        assert_eq!(collate("NaN", "Infinity"), Ordering::Greater);
        assert_eq!(collate("1.0e+20", "100000000000000000000"), Ordering::Equal);
    }

    #[test]
    fn doubles_become_numeric_as_postgres_converts_them() {
        assert_eq!(Num::from_f64(0.1 + 0.2).to_string(), "0.3");
        assert_eq!(Num::from_f64(100.0).to_string(), "100");
        assert_eq!(Num::from_f64(-1e-10).to_string(), "-0.0000000001");
        assert_eq!(Num::from_f64(1.0 / 3.0).to_string(), "0.333333333333333");
        assert_eq!(
            Num::stored("-1.0e-10").unwrap().to_string(),
            "-0.0000000001"
        );
        assert_eq!(Num::stored("1.50").unwrap().to_string(), "1.50");
    }
}
