//! Result values in PostgreSQL binary format, converted from what SQLite stored to the
//! type the column was described with. A value that cannot be represented in that type
//! is an error (as PostgreSQL would never have stored it), not a wrong answer.

use bytes::{BufMut, BytesMut};
use rusqlite::types::ValueRef;

use super::datetime;
use super::types::{oid, write_text, PgType, Render};
use crate::protocol::{PgError, SqlState};

fn cannot(value: &ValueRef<'_>, ty: &str) -> PgError {
    let shown = match value {
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Blob(_) => "<blob>".into(),
        ValueRef::Null => "NULL".into(),
    };
    PgError::new(
        SqlState::INVALID_TEXT_REPRESENTATION,
        format!("invalid input syntax for type {ty}: \"{shown}\""),
    )
}

fn as_text<'a>(v: &ValueRef<'a>) -> Option<&'a str> {
    match v {
        ValueRef::Text(t) => std::str::from_utf8(t).ok().map(str::trim),
        _ => None,
    }
}

fn as_i64(v: &ValueRef<'_>, ty: &str) -> Result<i64, PgError> {
    match v {
        ValueRef::Integer(i) => Ok(*i),
        ValueRef::Real(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Ok(*f as i64),
        _ => as_text(v)
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| cannot(v, ty)),
    }
}

fn as_f64(v: &ValueRef<'_>, ty: &str) -> Result<f64, PgError> {
    match v {
        ValueRef::Integer(i) => Ok(*i as f64),
        ValueRef::Real(f) => Ok(*f),
        _ => as_text(v)
            .and_then(|t| match t.to_ascii_lowercase().as_str() {
                "nan" => Some(f64::NAN),
                "infinity" => Some(f64::INFINITY),
                "-infinity" => Some(f64::NEG_INFINITY),
                s => s.parse().ok(),
            })
            .ok_or_else(|| cannot(v, ty)),
    }
}

fn out_of_range(ty: &str) -> PgError {
    PgError::new(
        SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
        format!("value out of range for type {ty}"),
    )
}

/// Writes a non-NULL value in binary format for a column of type `ty`.
pub fn write_binary(ty: &PgType, v: ValueRef<'_>, out: &mut BytesMut) -> Result<(), PgError> {
    match ty.render {
        Render::Array(elem, typmod) => return write_array(elem, typmod, 1, v, out),
        // int2vector / oidvector: array_send's format with lower bound 0.
        Render::Vector(elem) => return write_array(elem, -1, 0, v, out),
        _ => {}
    }
    match ty.oid {
        oid::BOOL => {
            let b = match v {
                ValueRef::Integer(i) => i != 0,
                ValueRef::Real(f) => f != 0.0,
                _ => as_text(&v)
                    .and_then(super::input::parse_bool)
                    .ok_or_else(|| cannot(&v, "boolean"))?,
            };
            out.put_u8(b as u8);
        }
        oid::INT2 => {
            let i = as_i64(&v, "smallint")?;
            out.put_i16(i16::try_from(i).map_err(|_| out_of_range("smallint"))?);
        }
        oid::INT4 => {
            let i = as_i64(&v, "integer")?;
            out.put_i32(i32::try_from(i).map_err(|_| out_of_range("integer"))?);
        }
        oid::OID => {
            let i = as_i64(&v, "oid")?;
            out.put_u32(u32::try_from(i).map_err(|_| out_of_range("oid"))?);
        }
        oid::INT8 => out.put_i64(as_i64(&v, "bigint")?),
        oid::FLOAT4 => out.put_f32(as_f64(&v, "real")? as f32),
        oid::FLOAT8 => out.put_f64(as_f64(&v, "double precision")?),
        oid::NUMERIC => {
            let text = match v {
                ValueRef::Real(f) if f.is_nan() => "NaN".into(),
                ValueRef::Integer(_) | ValueRef::Real(_) | ValueRef::Text(_) => {
                    // The text form carries the declared scale (numeric(10,2) → 3.00).
                    let mut t = BytesMut::new();
                    write_text(ty.render, v, &mut t);
                    String::from_utf8_lossy(&t).into_owned()
                }
                _ => as_text(&v)
                    .ok_or_else(|| cannot(&v, "numeric"))?
                    .to_string(),
            };
            let mut buf = Vec::with_capacity(16);
            super::numeric::to_binary(&text, &mut buf).ok_or_else(|| cannot(&v, "numeric"))?;
            out.put_slice(&buf);
        }
        oid::BYTEA => match v {
            ValueRef::Blob(b) | ValueRef::Text(b) => out.put_slice(b),
            _ => write_text(Render::Plain, v, out),
        },
        oid::UUID => {
            let bytes = match v {
                ValueRef::Blob(b) if b.len() == 16 => b.to_vec(),
                _ => parse_uuid(as_text(&v).unwrap_or("")).ok_or_else(|| cannot(&v, "uuid"))?,
            };
            out.put_slice(&bytes);
        }
        oid::DATE => {
            let d = as_text(&v)
                .and_then(|t| {
                    // The date part (a stored BC date has its `/` first).
                    let n = 10 + datetime::is_stored_bc(t.as_bytes()) as usize;
                    datetime::parse_date(t.get(..n).unwrap_or(t)).ok()
                })
                .ok_or_else(|| cannot(&v, "date"))?;
            out.put_i32(d);
        }
        oid::TIME => {
            let t = as_text(&v)
                .and_then(|t| datetime::parse_time(t).ok())
                .ok_or_else(|| cannot(&v, "time"))?;
            out.put_i64(t);
        }
        oid::TIMESTAMP | oid::TIMESTAMPTZ => {
            let micros = match v {
                // Integers are taken as Unix time in seconds.
                ValueRef::Integer(s) => s
                    .checked_mul(1_000_000)
                    .and_then(|m| m.checked_sub(datetime::PG_EPOCH_OFFSET_MICROS))
                    .ok_or_else(|| {
                        PgError::new(SqlState::DATETIME_FIELD_OVERFLOW, "timestamp out of range")
                    })?,
                _ => as_text(&v)
                    .and_then(|t| datetime::parse_timestamp(t).ok())
                    .ok_or_else(|| cannot(&v, "timestamp"))?,
            };
            out.put_i64(micros);
        }
        oid::JSONB => {
            out.put_u8(1);
            write_text(Render::Plain, v, out);
        }
        oid::INTERVAL => {
            let iv = match v {
                // A number is taken as seconds.
                ValueRef::Integer(s) => Some(datetime::Interval {
                    micros: s.checked_mul(1_000_000).ok_or_else(|| {
                        PgError::new(SqlState::INTERVAL_FIELD_OVERFLOW, "interval out of range")
                    })?,
                    ..Default::default()
                }),
                ValueRef::Real(s) => Some(datetime::Interval {
                    micros: (s * 1e6) as i64,
                    ..Default::default()
                }),
                _ => as_text(&v).and_then(|t| datetime::parse_interval(t).ok()),
            }
            .ok_or_else(|| cannot(&v, "interval"))?;
            out.put_i64(iv.micros);
            out.put_i32(iv.days);
            out.put_i32(iv.months);
        }
        // text, varchar, bpchar, name, json, unknown: the text form's bytes.
        _ => write_text(ty.render, v, out),
    }
    Ok(())
}

/// An array (JSON text in SQLite, engine/array.rs) in PostgreSQL's binary array format:
/// ndim, has-nulls flag, element OID, per dimension its length and lower bound, then
/// each element length-prefixed (-1 for NULL) in the element type's binary form.
fn write_array(
    elem: u32,
    typmod: i32,
    lower_bound: i32,
    v: ValueRef<'_>,
    out: &mut BytesMut,
) -> Result<(), PgError> {
    use super::array;
    use super::jsonb::value::Json;
    let array = as_text(&v)
        .and_then(array::read)
        .ok_or_else(|| cannot(&v, "array"))?;
    let value = &array.value;
    let dims = array::dims(value).ok_or_else(|| {
        PgError::new(
            SqlState::ARRAY_SUBSCRIPT_ERROR,
            "multidimensional arrays must have array expressions with matching dimensions",
        )
    })?;
    let items = array::flatten(value);
    let elem_type = PgType {
        modifier: typmod,
        ..super::types::from_decltype(super::types::name_of(elem).unwrap_or("text"))
    };
    out.put_i32(dims.len() as i32);
    out.put_i32(items.iter().any(|i| **i == Json::Null) as i32);
    out.put_u32(elem);
    for (k, d) in dims.iter().enumerate() {
        out.put_i32(*d as i32);
        // A catalog vector counts from 0; an array from its own bounds.
        let lower = if array.is_shifted() {
            array.lower(k) as i32
        } else {
            lower_bound
        };
        out.put_i32(lower);
    }
    if dims.is_empty() {
        return Ok(());
    }
    let e = array::Elem { oid: elem, typmod };
    for item in items {
        let Some(text) = array::element_text(item, e) else {
            out.put_i32(-1);
            continue;
        };
        // The element as SQLite would hold it: numbers as numbers, the rest as text.
        let value = match item {
            Json::Num(n) => n
                .parse::<i64>()
                .map(ValueRef::Integer)
                .or_else(|_| n.parse::<f64>().map(ValueRef::Real))
                .unwrap_or(ValueRef::Text(text.as_bytes())),
            Json::Bool(b) => ValueRef::Integer(*b as i64),
            _ => ValueRef::Text(text.as_bytes()),
        };
        let at = out.len();
        out.put_i32(0);
        write_binary(&elem_type, value, out)?;
        let len = (out.len() - at - 4) as i32;
        out[at..at + 4].copy_from_slice(&len.to_be_bytes());
    }
    Ok(())
}

fn parse_uuid(s: &str) -> Option<Vec<u8>> {
    let hex: Vec<u8> = s
        .trim_matches(|c| c == '{' || c == '}')
        .bytes()
        .filter(|b| *b != b'-')
        .collect();
    if hex.len() != 32 {
        return None;
    }
    hex.chunks(2)
        .map(|p| {
            let h = (p[0] as char).to_digit(16)?;
            let l = (p[1] as char).to_digit(16)?;
            Some((h * 16 + l) as u8)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::types::from_decltype;

    fn bin(decl: &str, v: ValueRef<'_>) -> Result<Vec<u8>, PgError> {
        let mut out = BytesMut::new();
        write_binary(&from_decltype(decl), v, &mut out)?;
        Ok(out.to_vec())
    }

    #[test]
    fn encodes_by_described_type() {
        assert_eq!(
            bin("int", ValueRef::Integer(7)).unwrap(),
            7i32.to_be_bytes()
        );
        assert_eq!(
            bin("bigint", ValueRef::Integer(7)).unwrap(),
            7i64.to_be_bytes()
        );
        assert_eq!(bin("boolean", ValueRef::Integer(1)).unwrap(), [1]);
        assert_eq!(
            bin("float8", ValueRef::Real(1.5)).unwrap(),
            1.5f64.to_be_bytes()
        );
        assert_eq!(
            bin("timestamp", ValueRef::Text(b"2000-01-01 00:00:01")).unwrap(),
            1_000_000i64.to_be_bytes()
        );
        assert_eq!(
            bin("date", ValueRef::Text(b"2000-01-02")).unwrap(),
            1i32.to_be_bytes()
        );
        assert_eq!(bin("text", ValueRef::Integer(5)).unwrap(), b"5");
        assert_eq!(
            bin(
                "uuid",
                ValueRef::Text(b"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
            )
            .unwrap()[..2],
            [0xa0, 0xee]
        );
    }

    #[test]
    fn arrays_send_their_lower_bounds() {
        let header = |ndim: i32, dims: &[(i32, i32)]| {
            let mut b = Vec::new();
            for v in [ndim, 0, crate::engine::types::oid::INT4 as i32] {
                b.extend(v.to_be_bytes());
            }
            for (len, lower) in dims {
                b.extend(len.to_be_bytes());
                b.extend(lower.to_be_bytes());
            }
            b
        };
        let shifted = bin("int[]", ValueRef::Text(b"[0:1]=[7,8]")).unwrap();
        assert_eq!(shifted[..20], header(1, &[(2, 0)])[..]);
        assert_eq!(
            shifted[20..],
            [0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0, 8]
        );
        let plain = bin("int[]", ValueRef::Text(b"[7]")).unwrap();
        assert_eq!(plain[..20], header(1, &[(1, 1)])[..]);
        // And binary input keeps them in the stored form.
        assert_eq!(
            crate::engine::array::binary_to_json(&shifted, crate::engine::types::oid::INT4)
                .unwrap(),
            "[0:1]=[7,8]"
        );
    }

    #[test]
    fn refuses_values_that_do_not_fit() {
        assert_eq!(
            bin("int", ValueRef::Integer(1 << 40)).unwrap_err().code,
            SqlState::NUMERIC_VALUE_OUT_OF_RANGE
        );
        assert_eq!(
            bin("int", ValueRef::Text(b"abc")).unwrap_err().code,
            SqlState::INVALID_TEXT_REPRESENTATION
        );
    }
}
