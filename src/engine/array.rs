//! PostgreSQL arrays, which SQLite lacks. An array value inside SQLite is JSON text (nested
//! arrays for dimensions, lower bounds always 1): what array parameters become (a text
//! literal `{1,2}` or PostgreSQL's binary array format), what literals written into array
//! columns are stored as (`pg_store`), what `ARRAY[…]` builds and what `json_each` reads
//! (the SQL rewriter turns `x = ANY($1)` into `x IN (SELECT value FROM
//! json_each(pg_array_json($1)))`). Results of an array type are printed back in
//! PostgreSQL's text form (`array_out`: `{1,NULL,"b c"}`) or binary form here.
//! JSON is hand-written here: the values are already typed, only escaping is needed.
//! Both readers do work linear in the parameter's length: a binary array's element count
//! (the product of its dimensions) is checked against PostgreSQL's maximum and against the
//! bytes actually present before anything is built.

use super::input;
use super::jsonb::value::{self as json, Json};
use super::stmt::Value;
use super::types::oid;
use crate::protocol::{PgError, SqlState};

/// PostgreSQL's `MaxArraySize`: the most elements an array may have.
pub(crate) const MAX_ARRAY_SIZE: i64 = 134_217_727;
/// PostgreSQL's `MAXDIM`.
const MAX_DIMS: i32 = 6;

fn malformed(what: &str) -> PgError {
    PgError::new(
        SqlState::INVALID_TEXT_REPRESENTATION,
        format!("malformed array literal: \"{what}\""),
    )
}

pub(crate) fn too_large() -> PgError {
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

/// `s` as a JSON string literal.
pub(crate) fn push_json_string(out: &mut String, s: &str) {
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

/// A text-format array literal (`{1,2}`, `{"a b",NULL}`, `{{1,2},{3,4}}`, `[0:1]={1,2}`)
/// of elements of type `elem` in the stored form, read as PostgreSQL's `array_in` reads
/// it: dimensions must be regular (`{{1},{2,3}}` is malformed) and match the declared
/// ones, each element is read with the element type's input rules (22P02 on a bad one).
/// Lower bounds other than 1 are kept as the stored form's dimension prefix.
pub fn text_to_json(s: &str, elem: u32) -> Result<String, PgError> {
    let src = s.trim();
    let (declared, body) = bounds(src)?;
    let json = body_to_json(src, body, elem)?;
    let Some(declared) = declared else {
        return Ok(json);
    };
    let value = json::parse(&json)?;
    let actual = dims(&value).unwrap_or_default();
    let lengths: Vec<i64> = declared.iter().map(|(lo, hi)| hi - lo + 1).collect();
    if lengths.len() != actual.len() || lengths.iter().zip(&actual).any(|(l, a)| *l != *a as i64) {
        return Err(
            malformed(src).with_detail("Specified array dimensions do not match array contents.")
        );
    }
    if let Some((lower, _)) = declared.iter().find(|(_, hi)| *hi == i64::from(i32::MAX)) {
        return Err(PgError::new(
            SqlState::PROGRAM_LIMIT_EXCEEDED,
            format!("array lower bound is too large: {lower}"),
        ));
    }
    let lower: Vec<i64> = declared.iter().map(|(lo, _)| *lo).collect();
    Ok(Bounded { lower, value }.stored())
}

/// The body of an array literal (`{…}`) as JSON text.
fn body_to_json(src: &str, body: &str, elem: u32) -> Result<String, PgError> {
    let mut chars = body.char_indices().peekable();
    let mut out = String::with_capacity(body.len() + 2);
    // Elements (or sub-arrays) so far in each open level; the length each level must
    // have (set by its first closed array); the depth scalars are at.
    let mut counts: Vec<usize> = Vec::new();
    let mut lengths: Vec<Option<usize>> = Vec::new();
    let mut scalar_depth: Option<usize> = None;
    let mut closed = false;
    let mut item = String::new();
    while let Some((i, c)) = chars.next() {
        let depth = counts.len();
        match c {
            // Only whitespace may follow the outermost closing brace.
            c if c.is_whitespace() => {}
            _ if closed => return Err(malformed(src)),
            '{' => {
                if scalar_depth.is_some_and(|d| depth >= d) {
                    return Err(malformed(src));
                }
                if let Some(n) = counts.last_mut() {
                    if *n > 0 {
                        out.push(',');
                    }
                    *n += 1;
                }
                if depth + 1 > MAX_DIMS as usize {
                    return Err(PgError::new(
                        SqlState::PROGRAM_LIMIT_EXCEEDED,
                        format!(
                            "number of array dimensions ({}) exceeds the maximum allowed ({MAX_DIMS})",
                            depth + 1
                        ),
                    ));
                }
                out.push('[');
                counts.push(0);
                if lengths.len() < counts.len() {
                    lengths.push(None);
                }
                expect_separator(&mut chars, false);
            }
            '}' => {
                let n = counts.pop().ok_or_else(|| malformed(src))?;
                // Only the outermost array may be empty (`{}`, not `{{},{}}`).
                if n == 0 && depth > 1 {
                    return Err(malformed(src));
                }
                if n > 0 && *lengths[depth - 1].get_or_insert(n) != n {
                    return Err(malformed(src));
                }
                out.push(']');
                closed = counts.is_empty();
                if !closed && !expect_separator(&mut chars, true) {
                    return Err(malformed(src));
                }
            }
            _ if depth == 0 => return Err(malformed(src)),
            ',' => return Err(malformed(src)),
            _ => {
                if *scalar_depth.get_or_insert(depth) != depth {
                    return Err(malformed(src));
                }
                item.clear();
                let quoted = c == '"';
                if quoted {
                    loop {
                        match chars.next() {
                            Some((_, '\\')) => {
                                item.push(chars.next().ok_or_else(|| malformed(src))?.1)
                            }
                            Some((_, '"')) => break,
                            Some((_, c)) => item.push(c),
                            None => return Err(malformed(src)),
                        }
                    }
                } else {
                    // Up to an unescaped `,` or `}`; unescaped trailing blanks dropped.
                    let mut escaped = false;
                    let mut keep = 0;
                    let mut next = Some((i, c));
                    while let Some((_, n)) = next {
                        match n {
                            '{' | '"' => return Err(malformed(src)),
                            '\\' => {
                                escaped = true;
                                item.push(chars.next().ok_or_else(|| malformed(src))?.1);
                                keep = item.len();
                            }
                            n => {
                                item.push(n);
                                if !n.is_whitespace() {
                                    keep = item.len();
                                }
                            }
                        }
                        next = match chars.peek() {
                            Some(&(_, ',' | '}')) | None => None,
                            Some(_) => chars.next(),
                        };
                    }
                    item.truncate(keep);
                    if !escaped && item.eq_ignore_ascii_case("null") {
                        item.clear();
                    }
                }
                let counted = counts.last_mut().ok_or_else(|| malformed(src))?;
                if *counted > 0 {
                    out.push(',');
                }
                *counted += 1;
                if !quoted && item.is_empty() {
                    out.push_str("null");
                } else if elem == 0 && !quoted && plain_integer(&item) {
                    // Element type unknown (`x = ANY('{1,2}')`): an integer stays one, so
                    // that it equals a number; a column's affinity converts it back to
                    // the same text for a text column.
                    out.push_str(&item);
                } else {
                    push_json(
                        &mut out,
                        &input::decode(elem, false, Some(item.as_bytes()))?,
                    );
                }
                if !expect_separator(&mut chars, true) {
                    return Err(malformed(src));
                }
            }
        }
    }
    if !closed {
        return Err(malformed(src));
    }
    Ok(out)
}

/// An integer written as JSON and SQLite write it back (`-12`, not `012` or `+1`), small
/// enough to be exact as a double.
fn plain_integer(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty()
        && digits.len() <= 15
        && digits.bytes().all(|c| c.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
}

/// Skips whitespace; after an element, the next character must close its array or be a
/// comma (consumed, and then an element must follow). False when neither.
fn expect_separator(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    after_element: bool,
) -> bool {
    while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
        chars.next();
    }
    if !after_element {
        return true;
    }
    match chars.peek() {
        Some((_, '}')) => true,
        Some((_, ',')) => {
            chars.next();
            while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
                chars.next();
            }
            !matches!(chars.peek(), Some((_, '}' | ',')) | None)
        }
        _ => false,
    }
}

/// A dimension's (lower, upper) bounds.
type Span = (i64, i64);

/// The literal's declared dimensions (`[0:2]={…}`, `[1:2][1:1]=…`, `[3]` for `[1:3]`) as
/// (lower, upper) pairs, and the body after them; checked as array_in checks them.
fn bounds(src: &str) -> Result<(Option<Vec<Span>>, &str), PgError> {
    if !src.starts_with('[') {
        return Ok((None, src));
    }
    let mut declared = Vec::new();
    let mut rest = src;
    let introduce = || {
        malformed(src).with_detail("\"[\" must introduce explicitly-specified array dimensions.")
    };
    while let Some(inner) = rest.strip_prefix('[') {
        let end = inner.find(']').ok_or_else(introduce)?;
        let dim = &inner[..end];
        let (lower, upper) = dim.split_once(':').unwrap_or(("1", dim));
        let int = |t: &str| -> Result<i64, PgError> {
            let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return Err(introduce());
            }
            t.parse::<i32>().map(i64::from).map_err(|_| introduce())
        };
        let (lower, upper) = (int(lower)?, int(upper)?);
        if upper < lower {
            return Err(PgError::new(
                SqlState::ARRAY_SUBSCRIPT_ERROR,
                "upper bound cannot be less than lower bound",
            ));
        }
        if declared.len() == MAX_DIMS as usize {
            return Err(PgError::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                format!(
                    "number of array dimensions ({}) exceeds the maximum allowed ({MAX_DIMS})",
                    declared.len() + 1
                ),
            ));
        }
        declared.push((lower, upper));
        rest = inner[end + 1..].trim_start();
    }
    let body = rest
        .strip_prefix('=')
        .ok_or_else(|| malformed(src).with_detail("Missing \"=\" after array dimensions."))?
        .trim_start();
    if !body.starts_with('{') {
        return Err(malformed(src).with_detail("Array contents must start with \"{\"."));
    }
    Ok((Some(declared), body))
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
    let mut lower = Vec::with_capacity(ndim as usize);
    let mut items: i32 = 1;
    for d in 0..ndim as usize {
        let (len, lower_bound) = (int(12 + 8 * d)?, int(16 + 8 * d)?);
        items = (len >= 0)
            .then(|| items.checked_mul(len))
            .flatten()
            .ok_or_else(too_large)?;
        if len.checked_add(lower_bound).is_none() {
            return Err(PgError::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                format!("array lower bound is too large: {lower_bound}"),
            ));
        }
        dims.push(len as usize);
        lower.push(i64::from(lower_bound));
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
    if lower.iter().all(|l| *l == 1) {
        return Ok(out);
    }
    Ok(Bounded {
        lower,
        value: json::parse(&out)?,
    }
    .stored())
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

/// An array's element type: its OID and the array column's typmod (`char(4)[]` pads,
/// `numeric(5,2)[]` keeps two decimals).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elem {
    pub oid: u32,
    pub typmod: i32,
}

/// An array value with its lower bounds, one per dimension; `lower` is empty when every
/// bound is 1 (the usual case).
#[derive(Debug, Clone, PartialEq)]
pub struct Bounded {
    pub lower: Vec<i64>,
    pub value: Json,
}

impl Bounded {
    /// An array whose lower bounds are all 1.
    pub fn plain(value: Json) -> Bounded {
        Bounded {
            lower: vec![],
            value,
        }
    }

    /// The lower bound of dimension `d` (0-based).
    pub fn lower(&self, d: usize) -> i64 {
        self.lower.get(d).copied().unwrap_or(1)
    }

    /// Whether some lower bound is not 1.
    pub fn is_shifted(&self) -> bool {
        self.lower.iter().any(|l| *l != 1)
    }

    /// The stored form: JSON text, after PostgreSQL's dimension decoration
    /// (`[0:1]=[1,2]`) only when some lower bound is not 1, so that every array with the
    /// default bounds keeps plain JSON.
    pub fn stored(&self) -> String {
        let mut out = String::new();
        if self.is_shifted() {
            out.push_str(&self.decoration());
            out.push('=');
        }
        super::pgfuncs::write_json(&self.value, &mut out);
        out
    }

    /// `[lo:hi]` per dimension (array_dims' text); empty for an empty array.
    pub fn decoration(&self) -> String {
        let mut out = String::new();
        for (d, n) in dims(&self.value).unwrap_or_default().iter().enumerate() {
            let lo = self.lower(d);
            out.push_str(&format!("[{lo}:{}]", lo + *n as i64 - 1));
        }
        out
    }
}

/// An array's stored form split into its lower bounds (None when it has no dimension
/// decoration) and its JSON text.
fn split_stored(s: &str) -> (Option<Vec<i64>>, &str) {
    let t = s.trim_start();
    if !t.starts_with('[') {
        return (None, t);
    }
    let mut lower = Vec::new();
    let mut rest = t;
    while let Some(inner) = rest.strip_prefix('[') {
        let Some((lo, after)) = inner.split_once(':') else {
            return (None, t);
        };
        let Some((hi, after)) = after.split_once(']') else {
            return (None, t);
        };
        match (lo.parse::<i64>(), hi.parse::<i64>()) {
            (Ok(lo), Ok(_)) => lower.push(lo),
            _ => return (None, t),
        }
        rest = after;
    }
    match rest.strip_prefix('=') {
        Some(json) if json.starts_with('[') => (Some(lower), json),
        _ => (None, t),
    }
}

/// An array value as SQLite holds it, with its lower bounds: JSON text (after a
/// dimension decoration when a bound is not 1), or PostgreSQL's array text (written
/// before arrays were stored as JSON), read with text elements. None when `s` is neither.
pub fn read(s: &str) -> Option<Bounded> {
    let (lower, t) = split_stored(s);
    if let Some(lower) = lower {
        let value = json::parse(t).ok()?;
        let n = dims(&value)?.len();
        return (matches!(value, Json::Array(_)) && n == lower.len() && n > 0)
            .then_some(Bounded { lower, value });
    }
    if is_json(t) {
        let value = json::parse(t).ok()?;
        return matches!(value, Json::Array(_)).then_some(Bounded::plain(value));
    }
    if t.starts_with('{') || t.starts_with('[') {
        return read(&text_to_json(t, oid::TEXT).ok()?);
    }
    None
}

/// An array value's elements and dimensions, its lower bounds dropped: for readers to
/// whom they do not matter (elements, containment, JSON conversions). None when `s` is
/// no array.
pub fn parse(s: &str) -> Option<Json> {
    read(s).map(|b| b.value)
}

/// An array value (its stored form or a text literal of `elem`s) as its elements and
/// dimensions, its lower bounds dropped: PostgreSQL's input errors for a bad literal.
pub fn value_of(s: &str, elem: u32) -> Result<Json, PgError> {
    let stored;
    let t = if is_json(s) {
        s
    } else {
        stored = text_to_json(s, elem)?;
        &stored
    };
    json::parse(split_stored(t).1)
}

/// The JSON text of a stored array, after its dimension decoration if any.
pub fn json_part(stored: &str) -> &str {
    split_stored(stored).1
}

/// Whether `s` is an array's stored form (JSON, after a dimension decoration when a
/// lower bound is not 1) rather than PostgreSQL's text, which may also start with `[`:
/// its dimension decoration `[1:3]={…}`.
pub fn is_json(s: &str) -> bool {
    let s = s.trim_start();
    if !s.starts_with('[') {
        return false;
    }
    let mut rest = s;
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(end) = inner.find(']') else {
            return true;
        };
        let bound = |c: char| c.is_ascii_digit() || matches!(c, ':' | '-' | '+' | ' ');
        if !inner[..end].chars().all(bound) {
            return true;
        }
        rest = inner[end + 1..].trim_start();
    }
    match rest.strip_prefix('=') {
        Some(body) => body.trim_start().starts_with('['),
        None => true,
    }
}

/// Runs `f` with enough stack for one more level of recursion.
fn deep<T>(f: impl FnOnce() -> T) -> T {
    stacker::maybe_grow(32 * 1024, 1024 * 1024, f)
}

/// An int2vector / oidvector held as a JSON array of integers in PostgreSQL's text
/// form, space-separated (`1 2`); None when `s` is not such an array.
pub fn vector_text(s: &str) -> Option<String> {
    let elements: Option<Vec<String>> = flatten(&parse(s)?)
        .into_iter()
        .map(|e| match e {
            Json::Num(n) => Some(n.clone()),
            _ => None,
        })
        .collect();
    Some(elements?.join(" "))
}

/// Writes `a` in PostgreSQL's array text form (`array_out`): its dimension decoration
/// first when a lower bound is not 1 (`[0:1]={1,2}`).
pub fn write_bounded_text(a: &Bounded, elem: Elem, out: &mut String) {
    if a.is_shifted() {
        out.push_str(&a.decoration());
        out.push('=');
    }
    write_text(&a.value, elem, out);
}

/// Writes `v` in PostgreSQL's array text form (`array_out`): `{1,NULL,"b c"}`, nested
/// braces for dimensions, elements quoted when empty, `NULL`, or holding `{},"\` or
/// blanks.
pub fn write_text(v: &Json, elem: Elem, out: &mut String) {
    match v {
        Json::Array(items) => {
            out.push('{');
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                if let Json::Array(_) = item {
                    deep(|| write_text(item, elem, out));
                } else {
                    write_element(item, elem, out);
                }
            }
            out.push('}');
        }
        other => write_element(other, elem, out),
    }
}

fn write_element(v: &Json, elem: Elem, out: &mut String) {
    let Some(text) = element_text(v, elem) else {
        return out.push_str("NULL");
    };
    let needs_quotes = text.is_empty()
        || text.eq_ignore_ascii_case("null")
        || text.chars().any(|c| {
            matches!(c, '{' | '}' | ',' | '"' | '\\') || c.is_ascii_whitespace() || c == '\x0b'
        });
    if !needs_quotes {
        return out.push_str(&text);
    }
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// One element as its type prints it; None for NULL.
pub fn element_text(v: &Json, elem: Elem) -> Option<String> {
    Some(match v {
        Json::Null => return None,
        Json::Bool(b) if elem.oid == oid::BOOL => if *b { "t" } else { "f" }.into(),
        Json::Bool(b) => b.to_string(),
        Json::Num(n) => match elem.oid {
            oid::BOOL => if n == "0" { "f" } else { "t" }.into(),
            oid::FLOAT4 | oid::FLOAT8 => match n.parse::<f64>() {
                Ok(f) => {
                    let mut b = bytes::BytesMut::new();
                    super::types::write_float8(f, &mut b);
                    String::from_utf8_lossy(&b).into_owned()
                }
                Err(_) => n.clone(),
            },
            oid::NUMERIC if elem.typmod >= 4 => match n.parse::<f64>() {
                Ok(f) if !n.contains(['e', 'E']) => {
                    format!(
                        "{f:.*}",
                        crate::engine::pgfuncs::decimal::typmod_parts(elem.typmod)
                            .1
                            .max(0) as usize
                    )
                }
                _ => n.clone(),
            },
            _ => n.clone(),
        },
        Json::Str(s) if elem.oid == oid::BPCHAR && elem.typmod > 4 => {
            let pad = (elem.typmod as usize - 4).saturating_sub(s.chars().count());
            format!("{s}{}", " ".repeat(pad))
        }
        Json::Str(s) if elem.oid == oid::INTERVAL => {
            super::datetime::restyle_interval(s).unwrap_or_else(|| s.clone())
        }
        // A BC date's stored form printed as its type prints it (`0044-03-15 BC`).
        Json::Str(s)
            if matches!(elem.oid, oid::DATE | oid::TIMESTAMP | oid::TIMESTAMPTZ)
                && super::datetime::is_stored_bc(s.as_bytes()) =>
        {
            let mut b = bytes::BytesMut::new();
            let t = super::types::from_decltype(super::types::name_of(elem.oid).unwrap_or(""));
            super::types::write_text(
                t.render,
                rusqlite::types::ValueRef::Text(s.as_bytes()),
                &mut b,
            );
            String::from_utf8_lossy(&b).into_owned()
        }
        Json::Str(s) => s.clone(),
        other => json::print(other),
    })
}

/// The lengths of `v`'s dimensions; None when they are not regular (`[[1],[2,3]]`), or
/// more than PostgreSQL allows. `[]` has none.
pub fn dims(v: &Json) -> Option<Vec<usize>> {
    let mut dims = Vec::new();
    let mut at = v;
    while let Json::Array(items) = at {
        if items.is_empty() {
            break;
        }
        dims.push(items.len());
        at = &items[0];
    }
    if dims.len() > MAX_DIMS as usize {
        return None;
    }
    // Every array at depth d must have dims[d] items, and only the last level scalars.
    fn regular(v: &Json, dims: &[usize]) -> bool {
        match (v, dims.split_first()) {
            (Json::Array(items), Some((n, rest))) => {
                items.len() == *n && items.iter().all(|i| regular(i, rest))
            }
            (Json::Array(_), None) => false,
            (_, Some(_)) => false,
            (_, None) => true,
        }
    }
    if !dims.is_empty() && !regular(v, &dims) {
        return None;
    }
    Some(dims)
}

/// Checks the elements of `json` (an array of `elem`s) against the element type's
/// length, `typmod` (a `char(5)[]` or `varchar(5)[]` column's): 22001 for one longer,
/// as PostgreSQL's element coercion (blanks past the length are allowed).
pub fn check_lengths(json: &str, elem: u32, typmod: i32) -> Result<(), PgError> {
    let name = match elem {
        oid::BPCHAR => "character",
        oid::VARCHAR => "character varying",
        _ => return Ok(()),
    };
    let Ok(length) = usize::try_from(typmod - 4) else {
        return Ok(());
    };
    let Some(v) = parse(json) else {
        return Ok(());
    };
    for e in flatten(&v) {
        if let Json::Str(s) = e {
            if s.trim_end_matches(' ').chars().count() > length {
                return Err(PgError::new(
                    SqlState::STRING_DATA_RIGHT_TRUNCATION,
                    format!("value too long for type {name}({length})"),
                ));
            }
        }
    }
    Ok(())
}

/// The scalars of `v` in order (row-major).
pub fn flatten(v: &Json) -> Vec<&Json> {
    let mut out = Vec::new();
    let mut stack = vec![v];
    while let Some(x) = stack.pop() {
        match x {
            Json::Array(items) => stack.extend(items.iter().rev()),
            scalar => out.push(scalar),
        }
    }
    out
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
    fn literals_are_read_as_array_in_reads_them() {
        // Irregular dimensions, stray characters, empty inner arrays: 22P02.
        for bad in [
            "{{1,{2}},{2,3}}",
            "{{},{}}",
            r#"{{"1 2" x},{3}}"#,
            "{{1},{2,3}}",
            "{1,{2}}",
            "{1,,2}",
            "{1,}",
            "{{1},2}",
        ] {
            assert_eq!(
                text_to_json(bad, oid::TEXT).unwrap_err().code,
                SqlState::INVALID_TEXT_REPRESENTATION,
                "{bad}"
            );
        }
        assert_eq!(
            text_to_json(r#"{ { "," } , { 3 } }"#, oid::TEXT).unwrap(),
            r#"[[","],["3"]]"#
        );
        assert_eq!(
            text_to_json(r#"  {   {  "  0 second  "   ,  0 second  }   }"#, oid::TEXT).unwrap(),
            r#"[["  0 second  ","0 second"]]"#
        );
        assert_eq!(
            text_to_json(r#"{a\,b,"NULL",\N}"#, oid::TEXT).unwrap(),
            r#"["a,b","NULL","N"]"#
        );
        assert_eq!(text_to_json("[1:2]={1,2}", oid::INT4).unwrap(), "[1,2]");
        // Lower bounds other than 1 are kept as the stored form's decoration.
        assert_eq!(
            text_to_json("[0:1]={1,2}", oid::INT4).unwrap(),
            "[0:1]=[1,2]"
        );
        assert_eq!(
            text_to_json(" [0:1][-1:-1] = {{1},{2}}", oid::INT4).unwrap(),
            "[0:1][-1:-1]=[[1],[2]]"
        );
        assert_eq!(text_to_json("[2]={1,2}", oid::INT4).unwrap(), "[1,2]");
        // Declared dimensions must be the contents' (array_in's checks and codes).
        for (bad, code) in [
            ("[1:3]={1,2}", SqlState::INVALID_TEXT_REPRESENTATION),
            ("[1:2]={{1,2},{3,4}}", SqlState::INVALID_TEXT_REPRESENTATION),
            ("[1:1]={}", SqlState::INVALID_TEXT_REPRESENTATION),
            ("[0:1]{1,2}", SqlState::INVALID_TEXT_REPRESENTATION),
            ("[a:1]={1,2}", SqlState::INVALID_TEXT_REPRESENTATION),
            ("[3:1]={}", SqlState::ARRAY_SUBSCRIPT_ERROR),
            (
                "[2147483647:2147483647]={1}",
                SqlState::PROGRAM_LIMIT_EXCEEDED,
            ),
        ] {
            assert_eq!(
                text_to_json(bad, oid::INT4).unwrap_err().code,
                code,
                "{bad}"
            );
        }
        assert_eq!(
            text_to_json("{{{{{{{1}}}}}}}", oid::INT4).unwrap_err().code,
            SqlState::PROGRAM_LIMIT_EXCEEDED
        );
        // Element type unknown: integers stay numbers, anything else text.
        assert_eq!(
            text_to_json("{1,-2,01,x,\"3\"}", 0).unwrap(),
            r#"[1,-2,"01","x","3"]"#
        );
    }

    fn out(json: &str, elem: u32, typmod: i32) -> String {
        let mut s = String::new();
        write_text(&parse(json).unwrap(), Elem { oid: elem, typmod }, &mut s);
        s
    }

    #[test]
    fn text_output_is_array_outs() {
        assert_eq!(
            out(
                r#"["a","b c",null,"","NULL","q\"x","{","a\\b"]"#,
                oid::TEXT,
                -1
            ),
            r#"{a,"b c",NULL,"","NULL","q\"x","{","a\\b"}"#
        );
        assert_eq!(out("[[1,2],[3,4]]", oid::INT4, -1), "{{1,2},{3,4}}");
        assert_eq!(out("[]", oid::INT4, -1), "{}");
        assert_eq!(out("[1,0]", oid::BOOL, -1), "{t,f}");
        assert_eq!(out("[1.0,2.5]", oid::FLOAT8, -1), "{1,2.5}");
        assert_eq!(out(r#"["ab"]"#, oid::BPCHAR, 8), r#"{"ab  "}"#);
        // PostgreSQL's own text form (stored before arrays were JSON) is read too.
        assert_eq!(out(r#"{a,"b c"}"#, oid::TEXT, -1), r#"{a,"b c"}"#);
        assert!(parse("not an array").is_none());
        assert_eq!(out(r#"["a=b"]"#, oid::TEXT, -1), "{a=b}");
        assert!(is_json("[1,2]") && is_json("[[1]]") && is_json("[]") && is_json(r#"["[1:2]="]"#));
        assert!(!is_json("[1:2]={1,2}") && !is_json("[2]={1,2}") && !is_json("[1:1][1:2]={{1,2}}"));
        // The stored form of an array with other lower bounds, read and printed.
        assert!(is_json("[0:1]=[1,2]"));
        let shifted = read("[0:1][2:2]=[[1],[2]]").unwrap();
        assert_eq!((shifted.lower(0), shifted.lower(1)), (0, 2));
        let mut s = String::new();
        write_bounded_text(
            &shifted,
            Elem {
                oid: oid::INT4,
                typmod: -1,
            },
            &mut s,
        );
        assert_eq!(s, "[0:1][2:2]={{1},{2}}");
        assert_eq!(read("[1,2]").unwrap().stored(), "[1,2]");
        assert_eq!(parse("[0:1]=[1,2]").unwrap(), parse("[1,2]").unwrap());
    }

    #[test]
    fn dimensions() {
        assert_eq!(
            dims(&parse("[[1,2],[3,4],[5,6]]").unwrap()),
            Some(vec![3, 2])
        );
        assert_eq!(dims(&parse("[]").unwrap()), Some(vec![]));
        assert_eq!(dims(&parse("[[1],[2,3]]").unwrap()), None);
        assert_eq!(dims(&parse("[[1],2]").unwrap()), None);
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
