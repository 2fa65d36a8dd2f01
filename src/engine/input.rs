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

fn utf8(b: &[u8]) -> Result<&str, PgError> {
    std::str::from_utf8(b).map_err(|_| {
        PgError::new(
            SqlState::CHARACTER_NOT_IN_REPERTOIRE,
            "invalid byte sequence for encoding \"UTF8\"",
        )
    })
}

/// Decodes one Bind parameter of type `type_oid` (0: unknown, taken as text).
pub fn decode(type_oid: u32, binary: bool, bytes: Option<&[u8]>) -> Result<Value, PgError> {
    let Some(b) = bytes else {
        return Ok(Value::Null);
    };
    if let Some(elem) = super::catalog::element_of(type_oid) {
        return if binary {
            super::array::binary_to_json(b)
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

fn decode_text(type_oid: u32, b: &[u8]) -> Result<Value, PgError> {
    let s = utf8(b)?;
    match type_oid {
        oid::INT2 | oid::INT4 | oid::INT8 | oid::OID => s
            .trim()
            .parse::<i64>()
            .map(Value::Integer)
            .map_err(|_| syntax("integer", b)),
        oid::FLOAT4 | oid::FLOAT8 => parse_float(s)
            .map(float_value)
            .ok_or_else(|| syntax("double precision", b)),
        oid::NUMERIC => numeric_value(s.trim()).ok_or_else(|| syntax("numeric", b)),
        oid::BOOL => parse_bool(s)
            .map(|v| Value::Integer(v as i64))
            .ok_or_else(|| syntax("boolean", b)),
        oid::BYTEA => bytea_from_text(b).map(Value::Blob),
        oid::TIMESTAMPTZ => datetime::parse_timestamp(s)
            .map(|t| Value::Text(datetime::format_timestamp_micros(t, true)))
            .ok_or_else(|| syntax("timestamp with time zone", b)),
        // PostgreSQL ignores a zone given for a timestamp without time zone.
        oid::TIMESTAMP => datetime::parse_timestamp_local(s)
            .map(|t| Value::Text(datetime::format_timestamp_micros(t, false)))
            .ok_or_else(|| syntax("timestamp", b)),
        oid::INTERVAL => datetime::parse_interval(s)
            .map(|iv| Value::Text(datetime::format_interval(iv)))
            .ok_or_else(|| syntax("interval", b)),
        oid::DATE => datetime::parse_date(s.get(..10).unwrap_or(s))
            .map(|d| Value::Text(datetime::format_date(d)))
            .ok_or_else(|| syntax("date", b)),
        _ => Ok(Value::Text(s.to_string())),
    }
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

pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "t" | "true" | "y" | "yes" | "on" | "1" => Some(true),
        "f" | "false" | "n" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

/// A numeric value as SQLite stores it: an integer when whole, else a real.
fn numeric_value(s: &str) -> Option<Value> {
    if let Ok(i) = s.parse::<i64>() {
        return Some(Value::Integer(i));
    }
    match s.to_ascii_lowercase().as_str() {
        "nan" => return Some(Value::Real(f64::NAN)),
        "infinity" => return Some(Value::Real(f64::INFINITY)),
        "-infinity" => return Some(Value::Real(f64::NEG_INFINITY)),
        _ => {}
    }
    let f: f64 = s.parse().ok()?;
    Some(Value::Real(f))
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

fn be<const N: usize>(b: &[u8], name: &str) -> Result<[u8; N], PgError> {
    b.try_into().map_err(|_| bad_binary(name))
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
            Some((1, rest)) => Value::Text(utf8(rest)?.to_string()),
            _ => return Err(bad_binary("jsonb")),
        },
        oid::UUID => {
            let u: [u8; 16] = be(b, "uuid")?;
            Value::Text(format_uuid(&u))
        }
        oid::DATE => Value::Text(datetime::format_date(i32::from_be_bytes(be(b, "date")?))),
        oid::TIME => Value::Text(datetime::format_time(i64::from_be_bytes(be(b, "time")?))),
        oid::TIMESTAMP => Value::Text(datetime::format_timestamp_micros(
            i64::from_be_bytes(be(b, "timestamp")?),
            false,
        )),
        oid::TIMESTAMPTZ => Value::Text(datetime::format_timestamp_micros(
            i64::from_be_bytes(be(b, "timestamptz")?),
            true,
        )),
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
            let text = super::numeric::from_binary(b).ok_or_else(|| bad_binary("numeric"))?;
            numeric_value(&text).unwrap_or(Value::Text(text))
        }
        oid::TEXT | oid::VARCHAR | oid::BPCHAR | oid::NAME | oid::JSON | oid::UNKNOWN | 0 => {
            Value::Text(utf8(b)?.to_string())
        }
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
}
