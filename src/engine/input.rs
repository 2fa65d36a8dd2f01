//! Bind parameters: PostgreSQL text or binary values of a given type, turned into the
//! SQLite values they are stored as (integers, reals, ISO text, blobs).

use super::datetime;
use super::stmt::Value;
use super::types::oid;
use crate::protocol::{PgError, SqlState};

fn syntax(type_name: &str, value: &[u8]) -> PgError {
    PgError::new(
        SqlState::INVALID_TEXT_REPRESENTATION,
        format!(
            "invalid input syntax for type {type_name}: \"{}\"",
            String::from_utf8_lossy(value)
        ),
    )
}

fn bad_binary(type_name: &str) -> PgError {
    PgError::new(
        SqlState::INVALID_BINARY_REPRESENTATION,
        format!("incorrect binary data format in bind parameter of type {type_name}"),
    )
}

fn out_of_range(what: String) -> PgError {
    PgError::new(SqlState::NUMERIC_VALUE_OUT_OF_RANGE, what)
}

/// Text as PostgreSQL accepts it in a UTF8 database: valid UTF-8 without NUL bytes.
fn utf8(b: &[u8]) -> Result<&str, PgError> {
    let s = crate::protocol::utf8(b)?;
    if s.contains('\0') {
        return Err(PgError::bad_encoding(&[0]));
    }
    Ok(s)
}

/// Decodes one Bind parameter of type `type_oid` (0: unknown, taken as text). The work
/// is linear in the value's length (this runs on the IO thread).
pub fn decode(type_oid: u32, binary: bool, bytes: Option<&[u8]>) -> Result<Value, PgError> {
    let Some(b) = bytes else {
        return Ok(Value::Null);
    };
    if let Some(elem) = super::catalog::element_of(type_oid) {
        return if binary {
            super::array::binary_to_json(b, elem)
        } else {
            super::array::text_to_json(utf8(b)?, elem)
        }
        .map(Value::Text);
    }
    if binary {
        decode_binary(type_oid, b)
    } else {
        decode_text(type_oid, b)
    }
}

/// PostgreSQL's name of an integer type and its range.
pub fn int_type(type_oid: u32) -> (&'static str, i64, i64) {
    match type_oid {
        oid::INT2 => ("smallint", i16::MIN.into(), i16::MAX.into()),
        oid::INT4 => ("integer", i32::MIN.into(), i32::MAX.into()),
        // oidin also reads negative numbers, as their unsigned 32-bit value.
        oid::OID => ("oid", i32::MIN.into(), u32::MAX.into()),
        _ => ("bigint", i64::MIN, i64::MAX),
    }
}

/// The common case of [`parse_int`] for int2/int4/int8, without UTF-8 checks or
/// trimming: an optional `-` and 1 to 18 ASCII digits, in the type's range. None for
/// anything else (including oid, whose negative input wraps), which `decode` then reads
/// with PostgreSQL's full rules and errors. COPY FROM reads most integers this way.
pub fn plain_int(type_oid: u32, b: &[u8]) -> Option<i64> {
    if !matches!(type_oid, oid::INT2 | oid::INT4 | oid::INT8) {
        return None;
    }
    let (negative, digits) = match b {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut v: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(d - b'0');
    }
    let v = if negative { -v } else { v };
    let (_, min, max) = int_type(type_oid);
    (min..=max).contains(&v).then_some(v)
}

/// PostgreSQL's integer input (`int2in`, `int4in`, `int8in`, `oidin`): surrounding
/// whitespace, an optional sign, decimal digits; out of the type's range is 22003.
pub fn parse_int(type_oid: u32, s: &str) -> Result<i64, PgError> {
    let (name, min, max) = int_type(type_oid);
    let t = s.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(syntax(name, s.as_bytes()));
    }
    let range = || out_of_range(format!("value \"{s}\" is out of range for type {name}"));
    // More than 20 significant digits cannot be in range; i128 holds the rest.
    let significant = digits.trim_start_matches('0');
    if significant.len() > 20 {
        return Err(range());
    }
    let v: i128 = t.parse().map_err(|_| range())?;
    if v < min as i128 || v > max as i128 {
        return Err(range());
    }
    Ok(if type_oid == oid::OID {
        v as i64 & 0xffff_ffff
    } else {
        v as i64
    })
}

/// PostgreSQL's uuid input: 32 hex digits, a `-` allowed after any group of four,
/// optionally in braces; nothing else (not even spaces).
pub fn parse_uuid(s: &str) -> Option<[u8; 16]> {
    let b = s.as_bytes();
    let b = match b.strip_prefix(b"{") {
        Some(inner) => inner.strip_suffix(b"}")?,
        None => b,
    };
    let mut out = [0u8; 16];
    let mut i = 0;
    for (k, byte) in out.iter_mut().enumerate() {
        let pair = b.get(i..i + 2)?;
        let hex = |c: u8| (c as char).to_digit(16);
        *byte = (hex(pair[0])? * 16 + hex(pair[1])?) as u8;
        i += 2;
        if k % 2 == 1 && k < 15 && b.get(i) == Some(&b'-') {
            i += 1;
        }
    }
    (i == b.len()).then_some(out)
}

/// Whether [`decode`] reads text of this type as the text itself: a `Value::Text` of the
/// same bytes once they are checked as UTF-8 without NUL (see [`text_as_is`]). COPY FROM
/// then binds a field without converting or copying it. Must name every type
/// `decode_text` converts; a unit test holds the two together.
pub fn kept_as_text(type_oid: u32) -> bool {
    super::catalog::element_of(type_oid).is_none()
        && !matches!(
            type_oid,
            oid::INT2
                | oid::INT4
                | oid::INT8
                | oid::OID
                | oid::FLOAT4
                | oid::FLOAT8
                | oid::NUMERIC
                | oid::BOOL
                | oid::BYTEA
                | oid::TIMESTAMPTZ
                | oid::TIMESTAMP
                | oid::INTERVAL
                | oid::DATE
                | oid::TIME
                | oid::UUID
                | oid::JSON
                | oid::JSONB
        )
}

/// The text of a [`kept_as_text`] value, checked as `decode` checks it.
pub fn text_as_is(b: &[u8]) -> Result<&str, PgError> {
    utf8(b)
}

/// [`decode`] of text for a type known not to be an array (COPY FROM checks once per
/// column, not once per value).
pub fn decode_scalar_text(type_oid: u32, b: &[u8]) -> Result<Value, PgError> {
    debug_assert!(super::catalog::element_of(type_oid).is_none());
    decode_text(type_oid, b)
}

fn decode_text(type_oid: u32, b: &[u8]) -> Result<Value, PgError> {
    let s = utf8(b)?;
    let dt = |e: datetime::DtError, name: &str| e.to_pg(name, s);
    match type_oid {
        oid::INT2 | oid::INT4 | oid::INT8 | oid::OID => parse_int(type_oid, s).map(Value::Integer),
        oid::FLOAT4 | oid::FLOAT8 => float_in(s, type_oid == oid::FLOAT4).map(float_value),
        oid::NUMERIC => numeric_value(s.trim()),
        oid::BOOL => parse_bool(s)
            .map(|v| Value::Integer(v as i64))
            .ok_or_else(|| syntax("boolean", b)),
        oid::BYTEA => bytea_from_text(b).map(Value::Blob),
        oid::TIMESTAMPTZ => datetime::timestamp_in(s, true)
            .map(|t| Value::Text(datetime::format_timestamp_micros(t, true)))
            .map_err(|e| dt(e, "timestamp with time zone")),
        // PostgreSQL ignores a zone given for a timestamp without time zone.
        oid::TIMESTAMP => datetime::timestamp_in(s, false)
            .map(|t| Value::Text(datetime::format_timestamp_micros(t, false)))
            .map_err(|e| dt(e, "timestamp")),
        oid::INTERVAL => datetime::parse_interval(s)
            .map(|iv| Value::Text(datetime::format_interval(iv)))
            .map_err(|e| dt(e, "interval")),
        oid::DATE => datetime::date_in(s)
            .map(|d| Value::Text(datetime::format_date(d)))
            .map_err(|e| dt(e, "date")),
        oid::TIME => datetime::time_in(s)
            .map(|t| Value::Text(datetime::format_time(t)))
            .map_err(|e| dt(e, "time")),
        oid::UUID => parse_uuid(s)
            .map(|u| Value::Text(format_uuid(&u)))
            .ok_or_else(|| syntax("uuid", b)),
        oid::JSON => {
            super::json::check(s).map_err(|detail| json_error(&detail))?;
            Ok(Value::Text(s.to_string()))
        }
        // Stored as jsonb prints, as PostgreSQL stores it.
        oid::JSONB => super::jsonb::normalise(s).map(Value::Text),
        _ => Ok(Value::Text(s.to_string())),
    }
}

/// PostgreSQL's error for text that is not JSON.
pub fn json_error(detail: &str) -> PgError {
    let mut e = PgError::new(
        SqlState::INVALID_TEXT_REPRESENTATION,
        "invalid input syntax for type json",
    );
    e.detail = Some(detail.to_string());
    e
}

/// A float as SQLite stores it. SQLite turns a NaN into NULL, so NaN is kept as the text
/// `NaN` (a REAL column keeps text it cannot read as a number), which float output reads
/// back as NaN.
pub fn float_value(f: f64) -> Value {
    if f.is_nan() {
        Value::Text("NaN".into())
    } else {
        Value::Real(f)
    }
}

pub fn parse_float(s: &str) -> Option<f64> {
    match s.trim().to_ascii_lowercase().as_str() {
        "nan" => Some(f64::NAN),
        "infinity" | "+infinity" | "inf" => Some(f64::INFINITY),
        "-infinity" | "-inf" => Some(f64::NEG_INFINITY),
        t => t.parse().ok(),
    }
}

/// float4/float8 text input as PostgreSQL reads it: `NaN`, `Infinity`, and 22003 for a
/// number that overflows to infinity or underflows to zero (a float4 is read as one, so
/// it is rounded once, to float4's precision).
pub fn float_in(s: &str, float4: bool) -> Result<f64, PgError> {
    let name = if float4 { "real" } else { "double precision" };
    let t = s.trim();
    let f = match t.to_ascii_lowercase().as_str() {
        "nan" | "infinity" | "+infinity" | "inf" | "+inf" | "-infinity" | "-inf" => {
            return Ok(parse_float(t).unwrap_or(f64::NAN))
        }
        _ if float4 => t.parse::<f32>().map(f64::from).ok(),
        _ => t.parse::<f64>().ok(),
    }
    .ok_or_else(|| syntax(name, s.as_bytes()))?;
    let mantissa = t.split(['e', 'E']).next().unwrap_or("");
    let nonzero = mantissa.bytes().any(|c| matches!(c, b'1'..=b'9'));
    if f.is_infinite() || (f == 0.0 && nonzero) {
        return Err(out_of_range(format!(
            "\"{t}\" is out of range for type {name}"
        )));
    }
    Ok(f)
}

/// A float8 as float4 (float.c's dtof): 22003 when it overflows or underflows.
pub fn to_float4(f: f64) -> Result<f64, PgError> {
    let r = f as f32;
    if r.is_infinite() && f.is_finite() {
        return Err(out_of_range("value out of range: overflow".into()));
    }
    if r == 0.0 && f != 0.0 {
        return Err(out_of_range("value out of range: underflow".into()));
    }
    Ok(f64::from(r))
}

pub fn parse_bool(s: &str) -> Option<bool> {
    // PostgreSQL's parse_bool_with_len: any prefix of true/false/yes/no, of on/off from
    // two letters (`o` alone is ambiguous), 1 and 0.
    let s = s.trim().to_ascii_lowercase();
    let prefix = |word: &str, min: usize| s.len() >= min && word.starts_with(s.as_str());
    if prefix("true", 1) || prefix("yes", 1) || prefix("on", 2) || s == "1" {
        Some(true)
    } else if prefix("false", 1) || prefix("no", 1) || prefix("off", 2) || s == "0" {
        Some(false)
    } else {
        None
    }
}

/// A numeric value as SQLite stores it: an integer when whole and in i64's range, else a
/// real (NaN as float8 keeps it); a finite number beyond a real's range is 22003.
fn numeric_value(s: &str) -> Result<Value, PgError> {
    if let Ok(i) = s.parse::<i64>() {
        return Ok(Value::Integer(i));
    }
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s).to_ascii_lowercase();
    if unsigned == "nan" || unsigned == "infinity" || unsigned == "inf" {
        let f = if unsigned == "nan" {
            f64::NAN
        } else if s.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
        return Ok(float_value(f));
    }
    // Rust's float syntax, less its words (checked above) and with digits required.
    if !unsigned.bytes().any(|c| c.is_ascii_digit())
        || !unsigned
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'+' | b'-'))
    {
        return Err(syntax("numeric", s.as_bytes()));
    }
    let f: f64 = s.parse().map_err(|_| syntax("numeric", s.as_bytes()))?;
    // Beyond numeric's own range (weight, display scale): 22003.
    if super::numeric::to_binary(s, &mut Vec::new()).is_none() {
        return Err(super::numeric::overflow());
    }
    use super::pgfuncs::decimal::Num;
    let exact = Num::parse(s).ok_or_else(|| syntax("numeric", s.as_bytes()))?;
    // A double where it holds the number and prints it as written; else the exact text
    // (more digits than a double holds, a scale it drops: `0.10`), which numeric
    // columns keep as it is (their TEXT affinity) and compare as numbers.
    let _ = f;
    Ok(match super::pgfuncs::decimal::to_value(&exact) {
        rusqlite::types::Value::Integer(i) => Value::Integer(i),
        rusqlite::types::Value::Real(f) => Value::Real(f),
        _ => Value::Text(exact.to_string()),
    })
}

/// bytea text input: hex format (`\x0aff`) or the escape format (`\\`, `\ooo`).
pub fn bytea_from_text(b: &[u8]) -> Result<Vec<u8>, PgError> {
    if let Some(hex) = b.strip_prefix(b"\\x") {
        let digits: Vec<u8> = hex
            .iter()
            .copied()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        if !digits.len().is_multiple_of(2) {
            return Err(syntax("bytea", b));
        }
        return digits
            .chunks(2)
            .map(|p| {
                let h = (p[0] as char).to_digit(16);
                let l = (p[1] as char).to_digit(16);
                match (h, l) {
                    (Some(h), Some(l)) => Ok((h * 16 + l) as u8),
                    _ => Err(syntax("bytea", b)),
                }
            })
            .collect();
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
        } else if b.get(i + 1) == Some(&b'\\') {
            out.push(b'\\');
            i += 2;
        } else if let Some(o) = b.get(i + 1..i + 4) {
            let s = std::str::from_utf8(o).map_err(|_| syntax("bytea", b))?;
            out.push(u8::from_str_radix(s, 8).map_err(|_| syntax("bytea", b))?);
            i += 4;
        } else {
            return Err(syntax("bytea", b));
        }
    }
    Ok(out)
}

/// A fixed-size binary value: too short is PostgreSQL's 08P01 (the receive function
/// ran out of data), too long its 22P03.
fn be<const N: usize>(b: &[u8], name: &str) -> Result<[u8; N], PgError> {
    if b.len() < N {
        return Err(PgError::new(
            SqlState::PROTOCOL_VIOLATION,
            "insufficient data left in message",
        ));
    }
    b.try_into().map_err(|_| bad_binary(name))
}

/// PostgreSQL's error for a binary date/time value outside its type's range.
fn binary_range(_: datetime::DtError, name: &str) -> PgError {
    PgError::new(
        SqlState::DATETIME_FIELD_OVERFLOW,
        format!("{name} out of range"),
    )
}

fn decode_binary(type_oid: u32, b: &[u8]) -> Result<Value, PgError> {
    Ok(match type_oid {
        oid::BOOL => Value::Integer((be::<1>(b, "boolean")?[0] != 0) as i64),
        oid::INT2 => Value::Integer(i16::from_be_bytes(be(b, "smallint")?) as i64),
        oid::INT4 => Value::Integer(i32::from_be_bytes(be(b, "integer")?) as i64),
        oid::OID => Value::Integer(u32::from_be_bytes(be(b, "oid")?) as i64),
        oid::INT8 => Value::Integer(i64::from_be_bytes(be(b, "bigint")?)),
        oid::FLOAT4 => float_value(f32::from_be_bytes(be(b, "real")?) as f64),
        oid::FLOAT8 => float_value(f64::from_be_bytes(be(b, "double precision")?)),
        oid::BYTEA => Value::Blob(b.to_vec()),
        oid::JSONB => match b.split_first() {
            Some((1, rest)) => Value::Text(super::jsonb::normalise(utf8(rest)?)?),
            _ => return Err(bad_binary("jsonb")),
        },
        oid::JSON => {
            let s = utf8(b)?;
            super::json::check(s).map_err(|d| json_error(&d))?;
            Value::Text(s.to_string())
        }
        oid::UUID => {
            let u: [u8; 16] = be(b, "uuid")?;
            Value::Text(format_uuid(&u))
        }
        oid::DATE => {
            let days = datetime::check_date(i32::from_be_bytes(be(b, "date")?))
                .map_err(|e| binary_range(e, "date"))?;
            Value::Text(datetime::format_date(days))
        }
        oid::TIME => {
            let t = datetime::check_time(i64::from_be_bytes(be(b, "time")?))
                .map_err(|e| binary_range(e, "time"))?;
            Value::Text(datetime::format_time(t))
        }
        oid::TIMESTAMP | oid::TIMESTAMPTZ => {
            let t = datetime::check_timestamp(i64::from_be_bytes(be(b, "timestamp")?))
                .map_err(|e| binary_range(e, "timestamp"))?;
            Value::Text(datetime::format_timestamp_micros(
                t,
                type_oid == oid::TIMESTAMPTZ,
            ))
        }
        oid::INTERVAL => {
            let b: [u8; 16] = be(b, "interval")?;
            let iv = datetime::Interval {
                micros: i64::from_be_bytes(b[..8].try_into().unwrap_or_default()),
                days: i32::from_be_bytes(b[8..12].try_into().unwrap_or_default()),
                months: i32::from_be_bytes(b[12..].try_into().unwrap_or_default()),
            };
            Value::Text(datetime::format_interval(iv))
        }
        oid::NUMERIC => {
            // numeric_recv: the display scale given, digits it would hide cut away.
            let text = super::numeric::from_binary(b)?;
            let dscale = b.get(6..8).map_or(0, |d| u16::from_be_bytes([d[0], d[1]]));
            match super::pgfuncs::decimal::Num::parse(&text) {
                Some(super::pgfuncs::decimal::Num::Fin(d)) => {
                    numeric_value(&d.trunc(i64::from(dscale)).to_string())?
                }
                _ => numeric_value(&text)?,
            }
        }
        oid::TEXT | oid::VARCHAR | oid::BPCHAR | oid::NAME | oid::UNKNOWN | 0 => {
            Value::Text(utf8(b)?.to_string())
        }
        // An enum's binary form is its label's text (enum_recv); the column checks it.
        other if super::objects::is_enum_oid(other) => Value::Text(utf8(b)?.to_string()),
        other => {
            return Err(PgError::new(
                SqlState::FEATURE_NOT_SUPPORTED,
                format!("binary format for parameters of type {other} is not supported"),
            ))
        }
    })
}

pub fn format_uuid(u: &[u8; 16]) -> String {
    let h: String = u.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_int_agrees_with_decode() {
        let samples: [&[u8]; 16] = [
            b"0",
            b"-0",
            b"007",
            b"32767",
            b"32768",
            b"-32768",
            b"-32769",
            b"2147483647",
            b"2147483648",
            b"-2147483648",
            b"999999999999999999",
            b"1234567890123456789",
            b" 1",
            b"+1",
            b"1x",
            b"-",
        ];
        for oid in [oid::INT2, oid::INT4, oid::INT8] {
            for s in samples {
                if let Some(v) = plain_int(oid, s) {
                    assert_eq!(decode(oid, false, Some(s)).ok(), Some(Value::Integer(v)));
                }
            }
        }
        assert_eq!(plain_int(oid::INT4, b"-42"), Some(-42));
        assert_eq!(plain_int(oid::INT2, b"32768"), None);
        assert_eq!(plain_int(oid::INT4, b" 1"), None);
        assert_eq!(plain_int(oid::OID, b"-1"), None);
        assert_eq!(
            plain_int(oid::INT8, b"999999999999999999"),
            Some(999999999999999999)
        );
    }

    #[test]
    fn kept_as_text_means_decoded_as_is() {
        let samples: [&[u8]; 6] = [b"x1", b" 1 ", b"1", b"t", b"{1}", b"2020-01-01"];
        for oid in 0..5000u32 {
            if !kept_as_text(oid) {
                continue;
            }
            for s in samples {
                let want = Value::Text(String::from_utf8(s.to_vec()).unwrap());
                assert_eq!(decode(oid, false, Some(s)).ok(), Some(want), "type {oid}");
            }
        }
        assert!(text_as_is(b"ab").is_ok());
        assert!(text_as_is(b"a\0b").is_err() && text_as_is(b"a\xffb").is_err());
        assert!(kept_as_text(0) && kept_as_text(oid::TEXT) && !kept_as_text(oid::INT4));
    }

    #[test]
    fn text_params() {
        assert_eq!(
            decode(oid::INT4, false, Some(b"42")).unwrap(),
            Value::Integer(42)
        );
        assert_eq!(
            decode(oid::BOOL, false, Some(b"true")).unwrap(),
            Value::Integer(1)
        );
        assert_eq!(
            decode(oid::BYTEA, false, Some(b"\\x00ff")).unwrap(),
            Value::Blob(vec![0, 255])
        );
        assert_eq!(
            decode(0, false, Some(b"hi")).unwrap(),
            Value::Text("hi".into())
        );
        assert_eq!(decode(oid::INT4, false, None).unwrap(), Value::Null);
        assert_eq!(
            decode(oid::FLOAT8, false, Some(b"NaN")).unwrap(),
            Value::Text("NaN".into())
        );
        assert_eq!(
            decode(oid::FLOAT8, true, Some(&f64::NAN.to_be_bytes())).unwrap(),
            Value::Text("NaN".into())
        );
        let e = decode(oid::INT4, false, Some(b"x")).unwrap_err();
        assert_eq!(e.code, SqlState::INVALID_TEXT_REPRESENTATION);
    }

    #[test]
    fn binary_params() {
        assert_eq!(
            decode(oid::INT2, true, Some(&[0, 7])).unwrap(),
            Value::Integer(7)
        );
        assert_eq!(
            decode(oid::FLOAT8, true, Some(&1.5f64.to_be_bytes())).unwrap(),
            Value::Real(1.5)
        );
        assert_eq!(
            decode(oid::TIMESTAMP, true, Some(&0i64.to_be_bytes())).unwrap(),
            Value::Text("2000-01-01 00:00:00".into())
        );
        assert!(decode(oid::INT4, true, Some(&[0, 1])).is_err());
        assert_eq!(
            decode(oid::JSONB, true, Some(b"\x01{}")).unwrap(),
            Value::Text("{}".into())
        );
    }

    #[test]
    fn timestamps_drop_a_given_zone() {
        assert_eq!(
            decode(
                oid::TIMESTAMP,
                false,
                Some(b"2024-02-29T13:45:06.500+00:00")
            )
            .unwrap(),
            Value::Text("2024-02-29 13:45:06.5".into())
        );
        assert_eq!(
            decode(oid::TIMESTAMP, false, Some(b"2024-02-29 13:45:06.005+01")).unwrap(),
            Value::Text("2024-02-29 13:45:06.005".into())
        );
    }

    const INT4_ARRAY: u32 = 1007;

    fn code(type_oid: u32, binary: bool, b: &[u8]) -> &'static str {
        decode(type_oid, binary, Some(b)).unwrap_err().code.0
    }

    #[test]
    fn text_input_refused_as_postgres_refuses_it() {
        assert_eq!(code(oid::DATE, false, b"2024-02-30"), "22008");
        assert_eq!(code(oid::DATE, false, b"garbage"), "22007");
        assert_eq!(code(oid::INT2, false, b"40000"), "22003");
        assert_eq!(code(oid::INT4, false, b"2147483648"), "22003");
        assert_eq!(code(oid::INT8, false, b"9223372036854775808"), "22003");
        assert_eq!(
            code(oid::INT8, false, b"99999999999999999999999999999"),
            "22003"
        );
        assert_eq!(code(oid::INT4, false, b"1.5"), "22P02");
        assert_eq!(code(oid::INT4, false, b""), "22P02");
        assert_eq!(code(oid::UUID, false, b"zzz"), "22P02");
        assert_eq!(
            code(oid::UUID, false, b" 12345678-1234-1234-1234-123456789abc"),
            "22P02"
        );
        assert_eq!(code(oid::JSON, false, b"{"), "22P02");
        assert_eq!(code(oid::JSONB, false, b"{\"a\":1,}"), "22P02");
        assert_eq!(code(INT4_ARRAY, false, b"{1,2"), "22P02");
        assert_eq!(code(oid::NUMERIC, false, b"abc"), "22P02");
        assert_eq!(code(oid::NUMERIC, false, b"1e132000"), "22003");
        assert_eq!(code(oid::NUMERIC, false, b"1e-100000000"), "22003");
        assert_eq!(code(oid::FLOAT8, false, b"1e400"), "22003");
        assert_eq!(code(oid::FLOAT4, false, b"1e39"), "22003");
        assert_eq!(code(oid::TEXT, false, b"a\0b"), "22021");
        assert_eq!(code(oid::TEXT, false, b"\xff"), "22021");
        assert_eq!(code(oid::INTERVAL, false, b"2147483648 days"), "22015");
        assert_eq!(code(oid::TIME, false, b"24:00:01"), "22008");
        assert_eq!(
            decode(oid::INT2, false, Some(b" -32768 ")).unwrap(),
            Value::Integer(-32768)
        );
        assert_eq!(
            decode(
                oid::UUID,
                false,
                Some(b"{12345678123412341234123456789ABC}")
            )
            .unwrap(),
            Value::Text("12345678-1234-1234-1234-123456789abc".into())
        );
        assert_eq!(
            decode(oid::FLOAT8, false, Some(b"-Infinity")).unwrap(),
            Value::Real(f64::NEG_INFINITY)
        );
        assert_eq!(
            decode(oid::DATE, false, Some(b"2024-02-29 13:00")).unwrap(),
            Value::Text("2024-02-29".into())
        );
    }

    #[test]
    fn binary_input_refused_as_postgres_refuses_it() {
        // numeric: bad sign, bad digit, scale above 16383.
        assert_eq!(
            code(oid::NUMERIC, true, &[0, 0, 0, 0, 0x12, 0x34, 0, 0]),
            "22P03"
        );
        assert_eq!(
            code(oid::NUMERIC, true, &[0, 1, 0, 0, 0, 0, 0, 0, 0xff, 0xff]),
            "22P03"
        );
        assert_eq!(
            code(oid::NUMERIC, true, &[0, 0, 0, 0, 0, 0, 0x40, 0]),
            "22P03"
        );
        // Too short is the receive function running out of data, too long 22P03.
        assert_eq!(code(oid::INT4, true, &[0, 1]), "08P01");
        assert_eq!(code(oid::INT4, true, &[0, 0, 0, 0, 1]), "22P03");
        assert_eq!(
            code(oid::DATE, true, &(i32::MAX - 1).to_be_bytes()),
            "22008"
        );
        assert_eq!(
            code(oid::TIMESTAMP, true, &(i64::MAX - 1).to_be_bytes()),
            "22008"
        );
        // The extremes are PostgreSQL's infinities.
        assert_eq!(
            decode(oid::DATE, true, Some(&i32::MAX.to_be_bytes())).unwrap(),
            Value::Text("infinity".into())
        );
        assert_eq!(
            decode(oid::TIMESTAMP, true, Some(&i64::MIN.to_be_bytes())).unwrap(),
            Value::Text("-infinity".into())
        );
        assert_eq!(code(oid::TIME, true, &(-1i64).to_be_bytes()), "22008");
        assert_eq!(code(oid::JSONB, true, b"\x01{"), "22P02");
        // An int8[] where int4[] was described.
        let mut arr = Vec::new();
        for v in [1i32, 0, oid::INT8 as i32, 1, 1, 8] {
            arr.extend_from_slice(&v.to_be_bytes());
        }
        arr.extend_from_slice(&7i64.to_be_bytes());
        assert_eq!(code(INT4_ARRAY, true, &arr), "42804");
        assert_eq!(
            decode(
                oid::NUMERIC,
                true,
                Some(&[0, 2, 0, 0, 0x40, 0, 0, 1, 0, 12, 0x13, 0x88])
            )
            .unwrap(),
            Value::Real(-12.5)
        );
        assert_eq!(
            decode(oid::NUMERIC, true, Some(&[0, 1, 0, 1, 0, 0, 0, 0, 0, 10])).unwrap(),
            Value::Integer(100_000)
        );
    }
}
