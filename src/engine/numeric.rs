//! PostgreSQL's binary `numeric`: sign, weight and base-10000 digits, to and from decimal
//! text. Both directions check PostgreSQL's limits (weight within an int16, display scale
//! at most 16383) before doing any work proportional to them, so a value's cost is
//! bounded by its own length.

use crate::protocol::{PgError, SqlState};

const NUMERIC_POS: u16 = 0x0000;
const NUMERIC_NEG: u16 = 0x4000;
const NUMERIC_NAN: u16 = 0xC000;
const NUMERIC_PINF: u16 = 0xD000;
const NUMERIC_NINF: u16 = 0xF000;
/// PostgreSQL's `NUMERIC_DSCALE_MASK` / `NUMERIC_MAX_DISPLAY_SCALE`.
const MAX_DSCALE: i64 = 0x3FFF;
/// One base-10000 digit holds four decimal digits.
const DEC_DIGITS: i64 = 4;
/// Up to this many leading groups, an integer may still fit an i64 (10000^5 > 2^63).
const INT_GROUPS: i32 = 5;

/// PostgreSQL's error for a numeric that does not fit its format.
pub fn overflow() -> PgError {
    PgError::new(
        SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
        "value overflows numeric format",
    )
}

/// Encodes decimal text (`-12.5`, `1e3`, `NaN`, `Infinity`) in numeric binary format;
/// None when the text is not a number or exceeds numeric's range.
pub fn to_binary(text: &str, out: &mut Vec<u8>) -> Option<()> {
    let t = text.trim();
    let special = |sign: u16, out: &mut Vec<u8>| {
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(&sign.to_be_bytes());
        out.extend_from_slice(&[0, 0]);
        Some(())
    };
    if t.eq_ignore_ascii_case("nan") {
        return special(NUMERIC_NAN, out);
    }
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if t.eq_ignore_ascii_case("infinity") || t.eq_ignore_ascii_case("inf") {
        return special(if neg { NUMERIC_NINF } else { NUMERIC_PINF }, out);
    }
    let (mant, exp) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], t[i + 1..].parse::<i64>().ok()?),
        None => (t, 0),
    };
    let (int_part, frac_part) = mant.split_once('.').unwrap_or((mant, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let all = [int_part.as_bytes(), frac_part.as_bytes()].concat();
    if !all.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // Bounded before anything proportional to the exponent happens.
    let exp = exp.clamp(-(1 << 40), 1 << 40);
    let dscale = (frac_part.len() as i64 - exp).max(0);
    if dscale > MAX_DSCALE {
        return None;
    }
    // `point`: how many of the digits stand before the decimal point.
    let lead = all.iter().take_while(|&&d| d == b'0').count();
    let digits = &all[lead..];
    let digits = &digits[..digits.len() - digits.iter().rev().take_while(|&&d| d == b'0').count()];
    let point = int_part.len() as i64 + exp - lead as i64;
    let mut groups: Vec<u16> = Vec::new();
    let mut weight = 0i64;
    if !digits.is_empty() {
        // The first digit's power of ten is point - 1; its group's power of 10000:
        weight = (point - 1).div_euclid(DEC_DIGITS);
        if weight > i16::MAX as i64 || weight < i16::MIN as i64 {
            return None;
        }
        // Zeros before the first digit so that groups align on powers of 10000.
        let pad = (DEC_DIGITS * weight + DEC_DIGITS - point) as usize;
        let padded: Vec<u8> = std::iter::repeat_n(b'0', pad)
            .chain(digits.iter().copied())
            .collect();
        groups = padded
            .chunks(DEC_DIGITS as usize)
            .map(|c| {
                let mut g = c.iter().fold(0u16, |a, &d| a * 10 + (d - b'0') as u16);
                for _ in c.len()..DEC_DIGITS as usize {
                    g *= 10;
                }
                g
            })
            .collect();
    }
    let ndigits = u16::try_from(groups.len()).ok()?;
    out.extend_from_slice(&ndigits.to_be_bytes());
    out.extend_from_slice(&(weight as i16).to_be_bytes());
    let sign = if neg && !groups.is_empty() {
        NUMERIC_NEG
    } else {
        NUMERIC_POS
    };
    out.extend_from_slice(&sign.to_be_bytes());
    out.extend_from_slice(&(dscale as u16).to_be_bytes());
    for g in groups {
        out.extend_from_slice(&g.to_be_bytes());
    }
    Some(())
}

fn invalid(what: &str) -> PgError {
    PgError::new(
        SqlState::INVALID_BINARY_REPRESENTATION,
        format!("invalid {what} in external \"numeric\" value"),
    )
}

/// Decodes numeric binary format, checked as PostgreSQL's `numeric_recv` does, into
/// text that reads as the value: plain digits for an integer that may fit an i64
/// (`-12`), else scientific notation (`0.00120005e4`). Its length is proportional to
/// the input's, whatever the weight.
pub fn from_binary(b: &[u8]) -> Result<String, PgError> {
    let short = || {
        PgError::new(
            SqlState::PROTOCOL_VIOLATION,
            "insufficient data left in message",
        )
    };
    let word = |i: usize| -> Option<u16> { Some(u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?])) };
    let ndigits = word(0).ok_or_else(short)? as usize;
    let weight = word(2).ok_or_else(short)? as i16 as i32;
    let sign = word(4).ok_or_else(short)?;
    let dscale = word(6).ok_or_else(short)?;
    let groups: Vec<u16> = (0..ndigits)
        .map(|i| word(8 + 2 * i))
        .collect::<Option<_>>()
        .ok_or_else(short)?;
    if b.len() != 8 + 2 * ndigits {
        return Err(PgError::new(
            SqlState::INVALID_BINARY_REPRESENTATION,
            "incorrect binary data format in bind parameter",
        ));
    }
    let neg = match sign {
        NUMERIC_POS => "",
        NUMERIC_NEG => "-",
        NUMERIC_NAN => return Ok("NaN".into()),
        NUMERIC_PINF => return Ok("Infinity".into()),
        NUMERIC_NINF => return Ok("-Infinity".into()),
        _ => return Err(invalid("sign")),
    };
    if i64::from(dscale) > MAX_DSCALE {
        return Err(invalid("scale"));
    }
    if groups.iter().any(|&g| g >= 10_000) {
        return Err(invalid("digit"));
    }
    if groups.iter().all(|&g| g == 0) {
        return Ok("0".into());
    }
    if dscale == 0 && weight < INT_GROUPS {
        // An integer (digits below the point are cut, as the display scale says).
        if weight < 0 {
            return Ok("0".into());
        }
        let mut digits = String::new();
        for pos in 0..=weight {
            let g = groups.get(pos as usize).copied().unwrap_or(0);
            digits.push_str(&format!("{g:04}"));
        }
        let digits = digits.trim_start_matches('0');
        return Ok(if digits.is_empty() {
            "0".into()
        } else {
            format!("{neg}{digits}")
        });
    }
    let mut s = format!("{neg}0.");
    for g in &groups {
        s.push_str(&format!("{g:04}"));
    }
    s.push_str(&format!("e{}", (weight + 1) * DEC_DIGITS as i32));
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bin(s: &str) -> Vec<u8> {
        let mut b = Vec::new();
        to_binary(s, &mut b).unwrap();
        b
    }

    fn value(s: &str) -> f64 {
        from_binary(&bin(s)).unwrap().parse().unwrap()
    }

    #[test]
    fn round_trip() {
        for s in ["0", "1", "-1", "10000", "99999999", "-123456789"] {
            assert_eq!(from_binary(&bin(s)).unwrap(), s, "{s}");
        }
        for (s, v) in [
            ("12.5", 12.5),
            ("123456789.000123", 123456789.000123),
            ("0.0001", 0.0001),
            ("-0.5", -0.5),
            ("1e3", 1000.0),
            ("1.5e-7", 1.5e-7),
            ("1e100", 1e100),
        ] {
            assert_eq!(value(s), v, "{s}");
        }
        assert_eq!(from_binary(&bin("NaN")).unwrap(), "NaN");
        assert_eq!(from_binary(&bin("-Infinity")).unwrap(), "-Infinity");
    }

    #[test]
    fn matches_postgres_bytes() {
        // select 12.5::numeric in binary: ndigits 2, weight 0, sign 0, dscale 1, [12, 5000].
        assert_eq!(bin("12.5"), [0, 2, 0, 0, 0, 0, 0, 1, 0, 12, 0x13, 0x88]);
        // 100000: one group 10, weight 1.
        assert_eq!(bin("100000"), [0, 1, 0, 1, 0, 0, 0, 0, 0, 10]);
        // 0.00012: weight -1, group 1 then 2000, dscale 5.
        assert_eq!(
            bin("0.00012"),
            [0, 2, 0xff, 0xff, 0, 0, 0, 5, 0, 1, 0x07, 0xd0]
        );
    }

    #[test]
    fn limits_are_postgres_limits() {
        assert!(to_binary("1e131071", &mut Vec::new()).is_some());
        assert!(to_binary("1e131072", &mut Vec::new()).is_none());
        assert!(to_binary("1e-16383", &mut Vec::new()).is_some());
        assert!(to_binary("1e-16384", &mut Vec::new()).is_none());
        assert!(to_binary("1e-9223372036854775808", &mut Vec::new()).is_none());
        assert!(to_binary("1e9223372036854775807", &mut Vec::new()).is_none());
    }

    #[test]
    fn refuses_what_numeric_recv_refuses() {
        let code = |b: &[u8]| from_binary(b).unwrap_err().code;
        // Bad sign, scale above 16383, digit 10000, short and long bodies.
        assert_eq!(
            code(&[0, 0, 0, 0, 0x12, 0x34, 0, 0]),
            SqlState::INVALID_BINARY_REPRESENTATION
        );
        assert_eq!(
            code(&[0, 0, 0, 0, 0, 0, 0x40, 0]),
            SqlState::INVALID_BINARY_REPRESENTATION
        );
        assert_eq!(
            code(&[0, 1, 0, 0, 0, 0, 0, 0, 0x27, 0x10]),
            SqlState::INVALID_BINARY_REPRESENTATION
        );
        assert_eq!(
            code(&[0, 2, 0, 0, 0, 0, 0, 0, 0, 1]),
            SqlState::PROTOCOL_VIOLATION
        );
        assert_eq!(
            code(&[0, 0, 0, 0, 0, 0, 0, 0, 0]),
            SqlState::INVALID_BINARY_REPRESENTATION
        );
    }

    #[test]
    fn a_huge_weight_costs_nothing() {
        // weight 32767 with one digit: short scientific text, not 131,072 digits.
        let s = from_binary(&[0, 1, 0x7f, 0xff, 0, 0, 0, 0, 0, 1]).unwrap();
        assert_eq!(s, "0.0001e131072");
        let s = from_binary(&[0, 1, 0x80, 0, 0, 0, 0x3f, 0xff, 0, 1]).unwrap();
        assert_eq!(s, "0.0001e-131068");
    }
}
