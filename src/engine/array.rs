//! Array parameters. SQLite has no arrays, so an array bound by a client (text `{1,2}` or
//! PostgreSQL's binary array format) becomes JSON text, which `json_each` reads: the SQL
//! rewriter turns `x = ANY($1)` into `x IN (SELECT value FROM json_each(pg_array_json($1)))`.
//! JSON is hand-written here: the values are already typed, only escaping is needed.
//! Both readers do work linear in the parameter's length: a binary array's element count
//! (the product of its dimensions) is checked against PostgreSQL's maximum and against the
//! bytes actually present before anything is built.

use super::input;
use super::stmt::Value;
use crate::protocol::{PgError, SqlState};

/// PostgreSQL's `MaxArraySize`: the most elements an array may have.
const MAX_ARRAY_SIZE: i64 = 134_217_727;
/// PostgreSQL's `MAXDIM`.
const MAX_DIMS: i32 = 6;

fn malformed(what: &str) -> PgError {
    PgError::new(
        SqlState::INVALID_TEXT_REPRESENTATION,
        format!("malformed array literal: \"{what}\""),
    )
}

fn too_large() -> PgError {
    PgError::new(
        SqlState::PROGRAM_LIMIT_EXCEEDED,
        format!("array size exceeds the maximum allowed ({MAX_ARRAY_SIZE})"),
    )
}

/// Appends `v` as a JSON value (blobs as bytea hex text, NaN and infinities as null).
fn push_json(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Integer(i) => out.push_str(&i.to_string()),
        Value::Real(f) if f.is_finite() => out.push_str(&format!("{f:?}")),
        Value::Real(_) => out.push_str("null"),
        Value::Text(s) => push_json_string(out, s),
        Value::Blob(b) => {
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            push_json_string(out, &format!("\\x{hex}"));
        }
    }
}

fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A text-format array literal (`{1,2}`, `{"a b",NULL}`, `{{1,2},{3,4}}`) of elements of
/// type `elem` as JSON text.
pub fn text_to_json(s: &str, elem: u32) -> Result<String, PgError> {
    let mut chars = s.trim().char_indices().peekable();
    let mut out = String::with_capacity(s.len() + 2);
    let mut depth = 0usize;
    // Whether the next element needs a comma before it.
    let mut need_comma = false;
    let src = s.trim();
    while let Some((i, c)) = chars.next() {
        match c {
            // Only whitespace may follow the outermost closing brace.
            _ if depth == 0 && need_comma && !c.is_whitespace() => return Err(malformed(src)),
            '{' => {
                if need_comma {
                    out.push(',');
                }
                out.push('[');
                depth += 1;
                need_comma = false;
            }
            '}' => {
                depth = depth.checked_sub(1).ok_or_else(|| malformed(src))?;
                out.push(']');
                need_comma = true;
            }
            ',' if depth > 0 => {}
            c if c.is_whitespace() => {}
            _ if depth == 0 => return Err(malformed(src)),
            '"' => {
                let mut item = String::new();
                loop {
                    match chars.next() {
                        Some((_, '\\')) => item.push(chars.next().ok_or_else(|| malformed(src))?.1),
                        Some((_, '"')) => break,
                        Some((_, c)) => item.push(c),
                        None => return Err(malformed(src)),
                    }
                }
                if need_comma {
                    out.push(',');
                }
                push_json(
                    &mut out,
                    &input::decode(elem, false, Some(item.as_bytes()))?,
                );
                need_comma = true;
            }
            _ => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, n)) = chars.peek() {
                    if n == ',' || n == '}' {
                        break;
                    }
                    end = j + n.len_utf8();
                    chars.next();
                }
                let item = src[i..end].trim();
                if need_comma {
                    out.push(',');
                }
                if item.eq_ignore_ascii_case("null") {
                    out.push_str("null");
                } else {
                    push_json(
                        &mut out,
                        &input::decode(elem, false, Some(item.as_bytes()))?,
                    );
                }
                need_comma = true;
            }
        }
    }
    if depth != 0 || !out.starts_with('[') {
        return Err(malformed(src));
    }
    Ok(out)
}

/// PostgreSQL's binary array format (ndim, has-null flag, element OID, per dimension
/// length and lower bound, then length-prefixed elements) of elements of type `elem`, as
/// JSON text. Checked as PostgreSQL's `array_recv` checks it.
pub fn binary_to_json(b: &[u8], elem: u32) -> Result<String, PgError> {
    let short = || {
        PgError::new(
            SqlState::PROTOCOL_VIOLATION,
            "insufficient data left in message",
        )
    };
    let int = |at: usize| -> Result<i32, PgError> {
        b.get(at..at + 4)
            .map(|x| i32::from_be_bytes([x[0], x[1], x[2], x[3]]))
            .ok_or_else(short)
    };
    let ndim = int(0)?;
    let flags = int(4)?;
    let given_elem = int(8)? as u32;
    if ndim < 0 {
        return Err(PgError::new(
            SqlState::INVALID_BINARY_REPRESENTATION,
            format!("invalid number of dimensions: {ndim}"),
        ));
    }
    if ndim > MAX_DIMS {
        return Err(PgError::new(
            SqlState::PROGRAM_LIMIT_EXCEEDED,
            format!("number of array dimensions ({ndim}) exceeds the maximum allowed ({MAX_DIMS})"),
        ));
    }
    if flags != 0 && flags != 1 {
        return Err(PgError::new(
            SqlState::INVALID_BINARY_REPRESENTATION,
            "invalid array flags",
        ));
    }
    if given_elem != elem {
        return Err(PgError::new(
            SqlState::DATATYPE_MISMATCH,
            "wrong element type",
        ));
    }
    // Dimensions and lower bounds, checked as PostgreSQL's ArrayGetNItems and
    // ArrayCheckBounds do: the running product must fit an int32, the total
    // MaxArraySize, and no upper bound may overflow.
    let mut dims = Vec::with_capacity(ndim as usize);
    let mut items: i32 = 1;
    for d in 0..ndim as usize {
        let (len, lower) = (int(12 + 8 * d)?, int(16 + 8 * d)?);
        items = (len >= 0)
            .then(|| items.checked_mul(len))
            .flatten()
            .ok_or_else(too_large)?;
        if len.checked_add(lower).is_none() {
            return Err(PgError::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                format!("array lower bound is too large: {lower}"),
            ));
        }
        dims.push(len as usize);
    }
    if items as i64 > MAX_ARRAY_SIZE {
        return Err(too_large());
    }
    let mut at = 12 + 8 * ndim as usize;
    // An element takes at least its 4-byte length: more than fit is a short message.
    if ndim == 0 || items == 0 {
        return if at == b.len() {
            Ok("[]".into())
        } else {
            Err(short())
        };
    }
    if items as usize > (b.len() - at) / 4 {
        return Err(short());
    }
    let mut out = String::new();
    write_dim(b, &dims, elem, &mut at, &mut out, &int)?;
    if at != b.len() {
        return Err(PgError::new(
            SqlState::INVALID_BINARY_REPRESENTATION,
            "incorrect binary data format in bind parameter",
        ));
    }
    Ok(out)
}

fn write_dim(
    b: &[u8],
    dims: &[usize],
    elem: u32,
    at: &mut usize,
    out: &mut String,
    int: &dyn Fn(usize) -> Result<i32, PgError>,
) -> Result<(), PgError> {
    out.push('[');
    for k in 0..dims[0] {
        if k > 0 {
            out.push(',');
        }
        if dims.len() > 1 {
            write_dim(b, &dims[1..], elem, at, out, int)?;
            continue;
        }
        let len = int(*at)?;
        *at += 4;
        if len < 0 {
            out.push_str("null");
            continue;
        }
        let item = b
            .get(*at..)
            .and_then(|rest| rest.get(..len as usize))
            .ok_or_else(|| {
                PgError::new(
                    SqlState::PROTOCOL_VIOLATION,
                    "insufficient data left in message",
                )
            })?;
        *at += len as usize;
        push_json(out, &input::decode(elem, true, Some(item))?);
    }
    out.push(']');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::types::oid;

    #[test]
    fn text_literals() {
        assert_eq!(text_to_json("{1, 2,3}", oid::INT4).unwrap(), "[1,2,3]");
        assert_eq!(
            text_to_json(r#"{"a b",NULL,c,"q\"x"}"#, oid::TEXT).unwrap(),
            r#"["a b",null,"c","q\"x"]"#
        );
        assert_eq!(
            text_to_json("{{1,2},{3,4}}", oid::INT8).unwrap(),
            "[[1,2],[3,4]]"
        );
        assert_eq!(text_to_json("{}", oid::INT4).unwrap(), "[]");
        assert_eq!(text_to_json("{t,f}", oid::BOOL).unwrap(), "[1,0]");
        assert!(text_to_json("{1,2", oid::INT4).is_err());
        assert!(text_to_json("1,2", oid::INT4).is_err());
        assert!(text_to_json("{x}", oid::INT4).is_err());
        assert!(text_to_json("{1,2}}", oid::INT4).is_err());
        assert!(text_to_json("{1}{2}", oid::INT4).is_err());
        assert!(text_to_json("{1} x", oid::INT4).is_err());
        assert_eq!(text_to_json(" {1} ", oid::INT4).unwrap(), "[1]");
        assert_eq!(
            text_to_json("{1,2", oid::INT4).unwrap_err().message,
            "malformed array literal: \"{1,2\""
        );
    }

    #[test]
    fn binary_arrays() {
        let mut b = Vec::new();
        for v in [1i32, 0, oid::INT4 as i32, 3, 1] {
            b.extend_from_slice(&v.to_be_bytes());
        }
        for item in [Some(7i32), None, Some(-1)] {
            match item {
                Some(v) => {
                    b.extend_from_slice(&4i32.to_be_bytes());
                    b.extend_from_slice(&v.to_be_bytes());
                }
                None => b.extend_from_slice(&(-1i32).to_be_bytes()),
            }
        }
        assert_eq!(binary_to_json(&b, oid::INT4).unwrap(), "[7,null,-1]");
        assert!(binary_to_json(&b[..b.len() - 1], oid::INT4).is_err());
        let mut empty = [0u8; 12];
        empty[8..].copy_from_slice(&oid::INT4.to_be_bytes());
        assert_eq!(binary_to_json(&empty, oid::INT4).unwrap(), "[]");
        assert_eq!(
            binary_to_json(&b, oid::INT8).unwrap_err().code,
            SqlState::DATATYPE_MISMATCH
        );
    }

    fn header(dims: &[i32], elem: u32) -> Vec<u8> {
        header_lb(dims, 0, elem)
    }

    fn header_lb(dims: &[i32], lower: i32, elem: u32) -> Vec<u8> {
        let mut b = Vec::new();
        for v in [dims.len() as i32, 0, elem as i32] {
            b.extend_from_slice(&v.to_be_bytes());
        }
        for d in dims {
            b.extend_from_slice(&d.to_be_bytes());
            b.extend_from_slice(&lower.to_be_bytes());
        }
        b
    }

    #[test]
    fn dimensions_are_checked_before_any_work() {
        // The issue's reproduction: dims [2147483647, 0] is an empty array, built at once.
        assert_eq!(
            binary_to_json(&header(&[i32::MAX, 0], oid::INT4), oid::INT4).unwrap(),
            "[]"
        );
        // With lower bound 1, its upper bound overflows: 54000 as in PostgreSQL.
        assert_eq!(
            binary_to_json(&header_lb(&[i32::MAX, 0], 1, oid::INT4), oid::INT4)
                .unwrap_err()
                .code,
            SqlState::PROGRAM_LIMIT_EXCEEDED
        );
        // A product beyond MaxArraySize, or overflowing: 54000.
        for dims in [
            &[i32::MAX, 2][..],
            &[65536, 65536, 65536],
            &[-1],
            &[134_217_728],
        ] {
            assert_eq!(
                binary_to_json(&header(dims, oid::INT4), oid::INT4)
                    .unwrap_err()
                    .code,
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                "{dims:?}"
            );
        }
        // More elements than the bytes present can hold: refused before looping.
        assert_eq!(
            binary_to_json(&header(&[1000, 1000], oid::INT4), oid::INT4)
                .unwrap_err()
                .code,
            SqlState::PROTOCOL_VIOLATION
        );
        assert_eq!(
            binary_to_json(&header(&[1, 1, 1, 1, 1, 1, 1], oid::INT4), oid::INT4)
                .unwrap_err()
                .code,
            SqlState::PROGRAM_LIMIT_EXCEEDED
        );
    }
}
