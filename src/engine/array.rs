//! Array parameters. SQLite has no arrays, so an array bound by a client (text `{1,2}` or
//! PostgreSQL's binary array format) becomes JSON text, which `json_each` reads: the SQL
//! rewriter turns `x = ANY($1)` into `x IN (SELECT value FROM json_each(pg_array_json($1)))`.
//! JSON is hand-written here: the values are already typed, only escaping is needed.

use super::input;
use super::stmt::Value;
use crate::protocol::{PgError, SqlState};

fn malformed(what: &str) -> PgError {
    PgError::new(
        SqlState::INVALID_TEXT_REPRESENTATION,
        format!("malformed array literal: {what}"),
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
/// length and lower bound, then length-prefixed elements) as JSON text.
pub fn binary_to_json(b: &[u8]) -> Result<String, PgError> {
    let bad = || {
        PgError::new(
            SqlState::INVALID_BINARY_REPRESENTATION,
            "insufficient data left in message for an array",
        )
    };
    let int = |at: usize| -> Result<i32, PgError> {
        b.get(at..at + 4)
            .map(|x| i32::from_be_bytes([x[0], x[1], x[2], x[3]]))
            .ok_or_else(bad)
    };
    let ndim = int(0)?;
    let elem = int(8)? as u32;
    if ndim == 0 {
        return Ok("[]".into());
    }
    if !(1..=6).contains(&ndim) {
        return Err(bad());
    }
    let dims: Vec<usize> = (0..ndim as usize)
        .map(|d| int(12 + 8 * d).map(|n| n.max(0) as usize))
        .collect::<Result<_, _>>()?;
    let mut at = 12 + 8 * ndim as usize;
    let mut out = String::new();
    write_dim(b, &dims, elem, &mut at, &mut out, &int)?;
    if at != b.len() {
        return Err(bad());
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
        let item = b.get(*at..*at + len as usize).ok_or_else(|| {
            PgError::new(
                SqlState::INVALID_BINARY_REPRESENTATION,
                "array element runs past the end of the parameter",
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
        assert_eq!(binary_to_json(&b).unwrap(), "[7,null,-1]");
        assert!(binary_to_json(&b[..b.len() - 1]).is_err());
        let empty = [0u8; 12];
        assert_eq!(binary_to_json(&empty).unwrap(), "[]");
    }
}
