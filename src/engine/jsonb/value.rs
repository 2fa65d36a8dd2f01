//! JSON values as PostgreSQL's jsonb holds them: a tree whose objects have sorted, unique
//! keys (by length, then bytes; the last of duplicates wins) and whose numbers are
//! numeric text (`1e2` → `100`), printed as jsonb prints (`{"a": 1, "b": [1, 2]}`). The
//! json type keeps its text as written: [`children`] reads one level of it as slices.
//! Recursion grows the stack as it goes (stacker), so any nesting depth is safe.

use std::ops::Range;

use crate::protocol::{PgError, SqlState};

/// A JSON value; numbers are kept as text (any size, as numeric).
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Drop for Json {
    // Iterative, so that dropping a deeply nested value cannot overflow the stack.
    fn drop(&mut self) {
        let mut pending: Vec<Json> = Vec::new();
        take_children(self, &mut pending);
        while let Some(mut v) = pending.pop() {
            take_children(&mut v, &mut pending);
        }
    }
}

fn take_children(v: &mut Json, into: &mut Vec<Json>) {
    match v {
        Json::Array(items) => into.append(items),
        Json::Object(members) => into.extend(members.drain(..).map(|(_, v)| v)),
        _ => {}
    }
}

/// Runs `f` with enough stack for one more level of recursion.
pub(super) fn deep<T>(f: impl FnOnce() -> T) -> T {
    stacker::maybe_grow(32 * 1024, 1024 * 1024, f)
}

fn invalid(detail: String) -> PgError {
    super::super::input::json_error(&detail)
}

/// Parses `s` (PostgreSQL's errors for text that is not JSON) as jsonb: keys sorted
/// and unique, numbers as numeric text.
pub fn parse(s: &str) -> Result<Json, PgError> {
    super::super::json::check(s).map_err(invalid)?;
    let mut p = Parser {
        b: s.as_bytes(),
        s,
        i: 0,
    };
    p.value()
}

struct Parser<'a> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    // The text is known to be valid JSON (checked first).
    fn value(&mut self) -> Result<Json, PgError> {
        self.ws();
        match self.b.get(self.i) {
            Some(b'{') => {
                self.i += 1;
                let mut members = Vec::new();
                loop {
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b'}') => {
                            self.i += 1;
                            break;
                        }
                        Some(b',') => self.i += 1,
                        _ => {
                            let k = self.string()?;
                            self.ws();
                            self.i += 1; // ':'
                            let v = deep(|| self.value())?;
                            members.push((k, v));
                        }
                    }
                }
                Ok(object(members))
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b']') => {
                            self.i += 1;
                            break;
                        }
                        Some(b',') => self.i += 1,
                        _ => items.push(deep(|| self.value())?),
                    }
                }
                Ok(Json::Array(items))
            }
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(b't') => {
                self.i += 4;
                Ok(Json::Bool(true))
            }
            Some(b'f') => {
                self.i += 5;
                Ok(Json::Bool(false))
            }
            Some(b'n') => {
                self.i += 4;
                Ok(Json::Null)
            }
            _ => {
                let start = self.i;
                while self
                    .b
                    .get(self.i)
                    .is_some_and(|c| matches!(c, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                {
                    self.i += 1;
                }
                Ok(Json::Num(numeric(&self.s[start..self.i])?))
            }
        }
    }

    fn string(&mut self) -> Result<String, PgError> {
        let start = self.i;
        self.i += 1;
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b'"' => break,
                b'\\' => self.i += 2,
                _ => self.i += 1,
            }
        }
        self.i += 1;
        unescape(&self.s[start + 1..self.i - 1])
    }
}

/// The value of a JSON string's contents (between the quotes, already checked).
pub fn unescape(s: &str) -> Result<String, PgError> {
    if !s.contains('\\') {
        return Ok(s.to_string());
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, e)) = chars.next() else { break };
        out.push(match e {
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let hex = |at: usize| {
                    s.get(at..at + 4)
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                };
                let code = hex(i + 2).unwrap_or(0);
                for _ in 0..4 {
                    chars.next();
                }
                let c = if (0xD800..0xDC00).contains(&code) {
                    // A surrogate pair: `\uD83D\uDE00`.
                    let low = (s.get(i + 6..i + 8) == Some("\\u"))
                        .then(|| hex(i + 8))
                        .flatten()
                        .filter(|l| (0xDC00..0xE000).contains(l));
                    let Some(low) = low else {
                        return Err(unicode_error(
                            "Unicode high surrogate must not be followed by another high surrogate.",
                        ));
                    };
                    for _ in 0..6 {
                        chars.next();
                    }
                    char::from_u32(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))
                } else if (0xDC00..0xE000).contains(&code) {
                    return Err(unicode_error(
                        "Unicode low surrogate must follow a high surrogate.",
                    ));
                } else if code == 0 {
                    let mut e = PgError::new(
                        SqlState::UNTRANSLATABLE_CHARACTER,
                        "unsupported Unicode escape sequence",
                    );
                    e.detail = Some("\\u0000 cannot be converted to text.".into());
                    return Err(e);
                } else {
                    char::from_u32(code)
                };
                c.unwrap_or('\u{fffd}')
            }
            other => other,
        });
    }
    Ok(out)
}

fn unicode_error(detail: &str) -> PgError {
    invalid(detail.to_string())
}

/// An object's members sorted by key (length, then bytes), the last of equal keys kept.
fn object(mut members: Vec<(String, Json)>) -> Json {
    // Stable: equal keys stay in input order, so the last is the one to keep.
    members.sort_by(|a, b| key_order(&a.0, &b.0));
    let mut out: Vec<(String, Json)> = Vec::with_capacity(members.len());
    for m in members {
        match out.last_mut() {
            Some(last) if last.0 == m.0 => *last = m,
            _ => out.push(m),
        }
    }
    Json::Object(out)
}

fn key_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| a.as_bytes().cmp(b.as_bytes()))
}

/// The longest number text jsonb builds (`1e1000` has 1001 digits); PostgreSQL's numeric
/// allows far more, but a short input must not ask for unbounded output.
const MAX_NUMBER_DIGITS: i64 = 100_000;

/// A JSON number as numeric prints it: exponent applied, no sign on zero
/// (`1.3e2` → `130`, `1E-2` → `0.01`, `-0` → `0`).
pub fn numeric(s: &str) -> Result<String, PgError> {
    let (neg, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (mantissa, exp) = match rest.find(['e', 'E']) {
        Some(p) => (
            &rest[..p],
            rest[p + 1..]
                .parse::<i64>()
                .map_err(|_| super::super::numeric::overflow())?,
        ),
        None => (rest, 0),
    };
    if exp == 0 {
        let zero = mantissa.bytes().all(|c| c == b'0' || c == b'.');
        return Ok(if neg && !zero {
            format!("-{mantissa}")
        } else {
            mantissa.to_string()
        });
    }
    if exp.abs() > MAX_NUMBER_DIGITS {
        return Err(super::super::numeric::overflow());
    }
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: String = format!("{int}{frac}");
    let point = int.len() as i64 + exp; // position of the decimal point in `digits`
    let (whole, fraction) = if point <= 0 {
        (
            "0".to_string(),
            format!("{}{digits}", "0".repeat((-point) as usize)),
        )
    } else if point as usize >= digits.len() {
        (
            format!("{digits}{}", "0".repeat(point as usize - digits.len())),
            String::new(),
        )
    } else {
        (
            digits[..point as usize].to_string(),
            digits[point as usize..].to_string(),
        )
    };
    let whole = whole.trim_start_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    let zero = whole == "0" && fraction.bytes().all(|c| c == b'0');
    let mut out = String::new();
    if neg && !zero {
        out.push('-');
    }
    out.push_str(whole);
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(&fraction);
    }
    Ok(out)
}

/// A number's value for comparison: digits without leading or trailing zeros and the
/// exponent of the first (`1.50` and `1.5` are equal).
fn number_key(s: &str) -> (bool, String, i64) {
    let (neg, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    let digits = format!("{int}{frac}");
    let lead = digits.len() - digits.trim_start_matches('0').len();
    let significant = digits.trim_matches('0').to_string();
    if significant.is_empty() {
        return (false, String::new(), 0);
    }
    (neg, significant, int.len() as i64 - lead as i64)
}

/// Equality as jsonb compares: numbers by value, objects by members.
pub fn equal(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Num(x), Json::Num(y)) => number_key(x) == number_key(y),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| deep(|| equal(a, b)))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(a, b)| a.0 == b.0 && deep(|| equal(&a.1, &b.1)))
        }
        _ => a == b,
    }
}

/// jsonb's btree order (`<`, `>`, ORDER BY): Object > Array > Boolean > Number > String >
/// Null; objects by pair count then pairs in storage order, arrays by length then
/// elements (a raw scalar below any array), numbers by value, strings bytewise (the C
/// collation litewire reports).
pub fn compare(a: &Json, b: &Json) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    fn rank(v: &Json) -> u8 {
        match v {
            Json::Null => 0,
            Json::Str(_) => 1,
            Json::Num(_) => 2,
            Json::Bool(_) => 3,
            Json::Array(_) => 4,
            Json::Object(_) => 5,
        }
    }
    fn number(s: &str) -> (i8, String, i64) {
        let (neg, digits, exp) = number_key(s);
        let sign = match (digits.is_empty(), neg) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        };
        (sign, digits, exp)
    }
    match (a, b) {
        (Json::Num(x), Json::Num(y)) => {
            let (x, y) = (number(x), number(y));
            let magnitude = x.2.cmp(&y.2).then_with(|| x.1.cmp(&y.1));
            x.0.cmp(&y.0).then(match x.0 {
                1 => magnitude,
                -1 => magnitude.reverse(),
                _ => Ordering::Equal,
            })
        }
        (Json::Str(x), Json::Str(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Json::Bool(x), Json::Bool(y)) => x.cmp(y),
        (Json::Array(x), Json::Array(y)) => x.len().cmp(&y.len()).then_with(|| {
            x.iter()
                .zip(y)
                .map(|(a, b)| deep(|| compare(a, b)))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        }),
        (Json::Object(x), Json::Object(y)) => x.len().cmp(&y.len()).then_with(|| {
            x.iter()
                .zip(y)
                .map(|(a, b)| {
                    a.0.as_bytes()
                        .cmp(b.0.as_bytes())
                        .then_with(|| deep(|| compare(&a.1, &b.1)))
                })
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        }),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// A byte string whose order (memcmp, as SQLite compares blobs) is [`compare`]'s and
/// which is equal exactly when [`equal`] holds: what a jsonb column is compared and
/// sorted by (`pg_jsonb_key`, engine/compare.rs). Every part is self-delimiting, so a
/// container's parts compare one after another: a type tag in [`compare`]'s rank order,
/// then a string's bytes (0 escaped, ended by 0 0), a number's sign, exponent and
/// digits (all inverted when negative), a container's length then its members.
pub fn sort_key(v: &Json, out: &mut Vec<u8>) {
    fn text(s: &str, out: &mut Vec<u8>) {
        for &b in s.as_bytes() {
            out.push(b);
            if b == 0 {
                out.push(1);
            }
        }
        out.extend_from_slice(&[0, 0]);
    }
    match v {
        Json::Null => out.push(1),
        Json::Str(s) => {
            out.push(2);
            text(s, out);
        }
        Json::Num(n) => {
            out.push(3);
            let (neg, digits, exp) = number_key(n);
            if digits.is_empty() {
                out.push(1);
                return;
            }
            out.push(if neg { 0 } else { 2 });
            let start = out.len();
            // The exponent biased to sort as unsigned, then the digits ended by 0.
            out.extend_from_slice(&((exp as u64) ^ (1 << 63)).to_be_bytes());
            out.extend_from_slice(digits.as_bytes());
            out.push(0);
            if neg {
                out[start..].iter_mut().for_each(|b| *b = !*b);
            }
        }
        Json::Bool(b) => out.extend_from_slice(&[4, u8::from(*b)]),
        Json::Array(items) => {
            out.push(5);
            out.extend_from_slice(&(items.len() as u64).to_be_bytes());
            for item in items {
                deep(|| sort_key(item, out));
            }
        }
        Json::Object(members) => {
            out.push(6);
            out.extend_from_slice(&(members.len() as u64).to_be_bytes());
            for (k, item) in members {
                text(k, out);
                deep(|| sort_key(item, out));
            }
        }
    }
}

/// jsonb's text: `{"a": 1, "b": [1, 2]}`.
pub fn print(v: &Json) -> String {
    let mut out = String::new();
    write(v, &mut out);
    out
}

fn write(v: &Json, out: &mut String) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Num(n) => out.push_str(n),
        Json::Str(s) => quote(s, out),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                deep(|| write(item, out));
            }
            out.push(']');
        }
        Json::Object(members) => {
            out.push('{');
            for (i, (k, v)) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                quote(k, out);
                out.push_str(": ");
                deep(|| write(v, out));
            }
            out.push('}');
        }
    }
}

/// `jsonb_pretty`'s text: four spaces per level, one member or element per line.
pub fn pretty(v: &Json) -> String {
    let mut out = String::new();
    write_pretty(v, 0, &mut out);
    out
}

fn write_pretty(v: &Json, level: usize, out: &mut String) {
    let indent = |out: &mut String, n: usize| out.push_str(&"    ".repeat(n));
    match v {
        Json::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                indent(out, level + 1);
                deep(|| write_pretty(item, level + 1, out));
            }
            if !items.is_empty() {
                out.push('\n');
            }
            indent(out, level);
            out.push(']');
        }
        Json::Object(members) => {
            out.push_str("{\n");
            for (i, (k, v)) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                indent(out, level + 1);
                quote(k, out);
                out.push_str(": ");
                deep(|| write_pretty(v, level + 1, out));
            }
            if !members.is_empty() {
                out.push('\n');
            }
            indent(out, level);
            out.push('}');
        }
        scalar => write(scalar, out),
    }
}

/// `s` as a JSON string, escaped as PostgreSQL escapes.
pub fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `jsonb_typeof`'s name for the value's kind.
pub fn type_name(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Num(_) => "number",
        Json::Str(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

/// One step of a path: an object's member, or an array's element (`-1` the last).
pub fn step<'v>(v: &'v Json, key: &str) -> Option<&'v Json> {
    match v {
        Json::Object(members) => members
            .binary_search_by(|(k, _)| key_order(k, key))
            .ok()
            .map(|i| &members[i].1),
        Json::Array(items) => {
            index(items.len(), key.trim().parse::<i64>().ok()?).map(|i| &items[i])
        }
        _ => None,
    }
}

/// An object's member `key` (None for anything but an object).
pub fn step_key<'v>(v: &'v Json, key: &str) -> Option<&'v Json> {
    match v {
        Json::Object(_) => step(v, key),
        _ => None,
    }
}

/// Element `i` of `len` (negative: from the end).
pub fn index(len: usize, i: i64) -> Option<usize> {
    let i = if i < 0 { len as i64 + i } else { i };
    (0..len as i64).contains(&i).then_some(i as usize)
}

/// `a @> b`: every member and element of `b` is in `a`.
pub fn contains(a: &Json, b: &Json, top: bool) -> bool {
    match (a, b) {
        (Json::Object(_), Json::Object(y)) => y.iter().all(|(k, vb)| {
            step(a, k).is_some_and(|va| match (va, vb) {
                (Json::Object(_), Json::Object(_)) | (Json::Array(_), Json::Array(_)) => {
                    deep(|| contains(va, vb, false))
                }
                _ => equal(va, vb),
            })
        }),
        (Json::Array(x), Json::Array(y)) => y.iter().all(|eb| {
            x.iter().any(|ea| match (ea, eb) {
                (Json::Object(_), Json::Object(_)) | (Json::Array(_), Json::Array(_)) => {
                    deep(|| contains(ea, eb, false))
                }
                _ => equal(ea, eb),
            })
        }),
        // A top-level array contains a scalar that is one of its elements.
        (Json::Array(x), scalar) if top && !matches!(scalar, Json::Object(_)) => {
            x.iter().any(|e| equal(e, scalar))
        }
        (Json::Array(_) | Json::Object(_), _) | (_, Json::Array(_) | Json::Object(_)) => false,
        _ => equal(a, b),
    }
}

/// `j ? key`: a member's key, or a string element or value equal to it.
pub fn exists(j: &Json, key: &str) -> bool {
    match j {
        Json::Object(_) => step(j, key).is_some(),
        Json::Array(items) => items.iter().any(|e| matches!(e, Json::Str(s) if s == key)),
        Json::Str(s) => s == key,
        _ => false,
    }
}

/// `a || b`: objects merged (b's members win), arrays joined, a scalar as an element.
pub fn concat(mut a: Json, mut b: Json) -> Json {
    match (&mut a, &mut b) {
        (Json::Object(x), Json::Object(y)) => {
            x.append(y);
            object(std::mem::take(x))
        }
        (Json::Array(x), Json::Array(y)) => {
            x.append(y);
            Json::Array(std::mem::take(x))
        }
        (Json::Array(x), _) => {
            x.push(b);
            Json::Array(std::mem::take(x))
        }
        (_, Json::Array(y)) => {
            y.insert(0, a);
            Json::Array(std::mem::take(y))
        }
        _ => Json::Array(vec![a, b]),
    }
}

fn invalid_parameter(msg: &str) -> PgError {
    PgError::new(SqlState::INVALID_PARAMETER_VALUE, msg)
}

/// `j - key`: the member `key` removed, or from an array the string elements equal to it.
pub fn delete_key(mut j: Json, keys: &[String]) -> Result<Json, PgError> {
    match &mut j {
        Json::Object(members) => members.retain(|(k, _)| !keys.contains(k)),
        Json::Array(items) => items.retain(|e| !matches!(e, Json::Str(s) if keys.contains(s))),
        _ => return Err(invalid_parameter("cannot delete from scalar")),
    }
    Ok(j)
}

/// `j - i`: element `i` removed (negative: from the end).
pub fn delete_index(mut j: Json, i: i64) -> Result<Json, PgError> {
    match &mut j {
        Json::Array(items) => {
            if let Some(i) = index(items.len(), i) {
                items.remove(i);
            }
            Ok(j)
        }
        Json::Object(_) => Err(invalid_parameter(
            "cannot delete from object using integer index",
        )),
        _ => Err(invalid_parameter("cannot delete from scalar")),
    }
}

/// What [`set_path`] does at the path's end.
#[derive(Clone, Copy, PartialEq)]
pub enum SetMode {
    /// `jsonb_set`: replace, or add when `create` and missing.
    Set { create: bool },
    /// `jsonb_insert`: add before (or after) an element; a member must not exist.
    Insert { after: bool },
    /// `#-`: remove.
    Delete,
}

/// `jsonb_set`, `jsonb_insert` and `#-` at `path`.
pub fn set_path(
    j: &mut Json,
    path: &[String],
    new: Option<Json>,
    mode: SetMode,
) -> Result<(), PgError> {
    let Some((first, rest)) = path.split_first() else {
        return Ok(());
    };
    match j {
        Json::Object(members) => {
            let found = members.binary_search_by(|(k, _)| key_order(k, first));
            match (found, rest.is_empty()) {
                (Ok(i), false) => deep(|| set_path(&mut members[i].1, rest, new, mode)),
                (Ok(i), true) => match mode {
                    SetMode::Set { .. } => {
                        members[i].1 = new.unwrap_or(Json::Null);
                        Ok(())
                    }
                    SetMode::Insert { .. } => {
                        let mut e = invalid_parameter("cannot replace existing key");
                        e.hint =
                            Some("Try using the function jsonb_set to replace key value.".into());
                        Err(e)
                    }
                    SetMode::Delete => {
                        members.remove(i);
                        Ok(())
                    }
                },
                (Err(i), true)
                    if mode != SetMode::Set { create: false } && mode != SetMode::Delete =>
                {
                    members.insert(i, (first.clone(), new.unwrap_or(Json::Null)));
                    Ok(())
                }
                (Err(_), _) => Ok(()),
            }
        }
        Json::Array(items) => {
            let Ok(n) = first.trim().parse::<i64>() else {
                return Err(PgError::new(
                    SqlState::INVALID_TEXT_REPRESENTATION,
                    format!(
                        "path element at position {} is not an integer: \"{first}\"",
                        1
                    ),
                ));
            };
            let len = items.len();
            match (index(len, n), rest.is_empty()) {
                (Some(i), false) => deep(|| set_path(&mut items[i], rest, new, mode)),
                (Some(i), true) => {
                    match mode {
                        SetMode::Set { .. } => items[i] = new.unwrap_or(Json::Null),
                        SetMode::Insert { after } => {
                            items.insert(i + after as usize, new.unwrap_or(Json::Null))
                        }
                        SetMode::Delete => {
                            items.remove(i);
                        }
                    }
                    Ok(())
                }
                // Out of range: added at the start or the end.
                (None, true)
                    if matches!(mode, SetMode::Set { create: true } | SetMode::Insert { .. }) =>
                {
                    let at = if n < 0 { 0 } else { len };
                    items.insert(at, new.unwrap_or(Json::Null));
                    Ok(())
                }
                (None, _) => Ok(()),
            }
        }
        _ if mode == SetMode::Delete => Err(invalid_parameter("cannot delete path in scalar")),
        _ => Err(invalid_parameter("cannot set path in scalar")),
    }
}

/// Subscripted assignment, `j[k]… = new` (PostgreSQL's setPath with its subscript
/// flags): missing levels are created (an array where the next subscript reads as an
/// integer, else an object), arrays are padded with nulls up to the index, a negative
/// index counts from the end. A NULL `j` starts as an empty array when the first
/// subscript is an integer, else an empty object.
pub fn assign(j: Option<Json>, path: &[(String, bool)], new: Json) -> Result<Json, PgError> {
    let mut j = j.unwrap_or_else(|| match path.first() {
        Some((_, true)) => Json::Array(vec![]),
        _ => Json::Object(vec![]),
    });
    let keys: Vec<&str> = path.iter().map(|(k, _)| k.as_str()).collect();
    if keys.iter().any(|k| {
        k.trim()
            .parse::<i64>()
            .is_ok_and(|n| n > MAX_PADDING as i64)
    }) {
        return Err(too_far());
    }
    assign_at(&mut j, &keys, 1, new)?;
    Ok(j)
}

fn assign_at(j: &mut Json, path: &[&str], position: usize, new: Json) -> Result<(), PgError> {
    let Some((&first, rest)) = path.split_first() else {
        *j = new;
        return Ok(());
    };
    match j {
        Json::Object(members) => match members.binary_search_by(|(k, _)| key_order(k, first)) {
            Ok(i) if rest.is_empty() => members[i].1 = new,
            Ok(i) => deep(|| assign_at(&mut members[i].1, rest, position + 1, new))?,
            Err(i) => members.insert(i, (first.to_string(), created(rest, new))),
        },
        Json::Array(items) => {
            let Ok(n) = first.trim().parse::<i64>() else {
                return Err(PgError::new(
                    SqlState::INVALID_TEXT_REPRESENTATION,
                    format!("path element at position {position} is not an integer: \"{first}\""),
                ));
            };
            let len = items.len() as i64;
            let at = if n < 0 { n + len } else { n };
            if at < 0 {
                return Err(invalid_parameter(&format!(
                    "path element at position {position} is out of range: {n}"
                )));
            }
            match usize::try_from(at).ok().filter(|&i| i < items.len()) {
                Some(i) if rest.is_empty() => items[i] = new,
                Some(i) => deep(|| assign_at(&mut items[i], rest, position + 1, new))?,
                None => {
                    let at = usize::try_from(at).unwrap_or(usize::MAX);
                    if at > MAX_PADDING {
                        return Err(too_far());
                    }
                    items.resize(at, Json::Null);
                    items.push(created(rest, new));
                }
            }
        }
        _ => {
            let mut e = invalid_parameter("cannot replace existing key");
            e.detail = Some(
                "The path assumes key is a composite object, but it is a scalar value.".into(),
            );
            return Err(e);
        }
    }
    Ok(())
}

/// The most nulls one subscripted assignment pads an array with: PostgreSQL would build
/// up to its 256 MB jsonb limit, which costs litewire several times that in memory.
pub const MAX_PADDING: usize = 1_000_000;

pub fn too_far() -> PgError {
    PgError::new(
        SqlState::FEATURE_NOT_SUPPORTED,
        format!("a subscripted assignment padding an array past {MAX_PADDING} elements is not supported by litewire"),
    )
}

/// The levels `path` names below a missing member, holding `new`.
fn created(path: &[&str], new: Json) -> Json {
    let Some((&first, rest)) = path.split_first() else {
        return new;
    };
    let inner = deep(|| created(rest, new));
    match first.trim().parse::<i32>() {
        Ok(n) => {
            // Checked by `assign` beforehand.
            let mut items = vec![Json::Null; usize::try_from(n).unwrap_or(0).min(MAX_PADDING)];
            items.push(inner);
            Json::Array(items)
        }
        Err(_) => Json::Object(vec![(first.to_string(), inner)]),
    }
}

/// `jsonb_strip_nulls`: object members whose value is null removed, at every level.
pub fn strip_nulls(j: &mut Json) {
    match j {
        Json::Object(members) => {
            members.retain(|(_, v)| *v != Json::Null);
            for (_, v) in members.iter_mut() {
                deep(|| strip_nulls(v));
            }
        }
        Json::Array(items) => {
            for v in items.iter_mut() {
                deep(|| strip_nulls(v));
            }
        }
        _ => {}
    }
}

/// A member's key (None for an array element) and the range of its value's text.
pub type Child = (Option<String>, Range<usize>);

/// The json type's text one level down: an object's members (`Some(key)`) or an array's
/// elements (`None`), each as the byte range of its text as written. Empty for a
/// scalar. `s` is valid JSON.
pub fn children(s: &str) -> Result<Vec<Child>, PgError> {
    let b = s.as_bytes();
    let mut i = skip_ws(b, 0);
    let object = match b.get(i) {
        Some(b'{') => true,
        Some(b'[') => false,
        _ => return Ok(vec![]),
    };
    i += 1;
    let mut out = Vec::new();
    loop {
        i = skip_ws(b, i);
        match b.get(i) {
            None | Some(b'}' | b']') => return Ok(out),
            Some(b',') => {
                i += 1;
                continue;
            }
            _ => {}
        }
        let key = if object {
            let end = skip_value(b, i);
            let k = unescape(&s[i + 1..end - 1])?;
            i = skip_ws(b, end) + 1; // past ':'
            i = skip_ws(b, i);
            Some(k)
        } else {
            None
        };
        let end = skip_value(b, i);
        out.push((key, i..end));
        i = end;
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The end of the value starting at `i` (valid JSON), without recursion.
fn skip_value(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    loop {
        match b.get(i) {
            None => return i,
            Some(b'"') => {
                i += 1;
                while let Some(&c) = b.get(i) {
                    i += if c == b'\\' { 2 } else { 1 };
                    if c == b'"' {
                        break;
                    }
                }
            }
            Some(b'{' | b'[') => {
                depth += 1;
                i += 1;
            }
            Some(b'}' | b']') => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            Some(_) if depth == 0 => {
                // A scalar at the top: up to a delimiter.
                while b.get(i).is_some_and(|c| {
                    !matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                }) {
                    i += 1;
                }
                return i;
            }
            Some(_) => i += 1,
        }
        if depth == 0 {
            return i;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        print(&parse(s).unwrap())
    }

    #[test]
    fn sort_keys_order_as_compare_and_equal_as_equal() {
        let values = [
            "null",
            r#""""#,
            r#""a""#,
            r#""ab""#,
            r#""b""#,
            "-100",
            "-1.5",
            "-1.25",
            "-1",
            "-0.001",
            "0",
            "0.0",
            "0.001",
            "1",
            "1.0",
            "1.25",
            "1.5",
            "10",
            "100",
            "1e20",
            "false",
            "true",
            "[]",
            "[1]",
            "[null]",
            "[1, 2]",
            "[2]",
            "[[1]]",
            "{}",
            r#"{"a": 1}"#,
            r#"{"a": 1.0}"#,
            r#"{"p": 1}"#,
            r#"{"b": 0}"#,
            r#"{"aa": 1}"#,
            r#"{"a": 1, "b": 2}"#,
            r#"{"a": [1, {"c": "x"}]}"#,
        ];
        let parsed: Vec<Json> = values.iter().map(|v| parse(v).unwrap()).collect();
        let key = |v: &Json| {
            let mut k = Vec::new();
            sort_key(v, &mut k);
            k
        };
        for (a, x) in values.iter().zip(&parsed) {
            for (b, y) in values.iter().zip(&parsed) {
                assert_eq!(key(x).cmp(&key(y)), compare(x, y), "{a} vs {b}");
                assert_eq!(key(x) == key(y), equal(x, y), "{a} = {b}");
            }
        }
    }

    #[test]
    fn prints_as_jsonb() {
        assert_eq!(
            norm(r#"{"b":1,"a":[1,2],"aa":{}}"#),
            r#"{"a": [1, 2], "b": 1, "aa": {}}"#
        );
        assert_eq!(norm(r#"{"a":1,"a":2}"#), r#"{"a": 2}"#);
        assert_eq!(norm("1e2"), "100");
        assert_eq!(norm("1.3e2"), "130");
        assert_eq!(norm("1E-2"), "0.01");
        assert_eq!(norm("-0"), "0");
        assert_eq!(norm("1.50"), "1.50");
        assert_eq!(norm(r#""\u00e9\n""#), r#""é\n""#);
        assert_eq!(norm(" [ ] "), "[]");
        let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(norm(&deep).len(), deep.len());
    }

    #[test]
    fn pretty_prints() {
        assert_eq!(
            pretty(&parse(r#"{"a":[1,{"b":2}],"c":{}}"#).unwrap()),
            "{\n    \"a\": [\n        1,\n        {\n            \"b\": 2\n        }\n    ],\n    \"c\": {\n    }\n}"
        );
    }

    #[test]
    fn containment() {
        let c = |a: &str, b: &str| contains(&parse(a).unwrap(), &parse(b).unwrap(), true);
        assert!(c(r#"{"a":1,"b":[1,2]}"#, r#"{"b":[2]}"#));
        assert!(!c(r#"{"a":1}"#, r#"{"a":2}"#));
        assert!(c("[1,2]", "1"));
        assert!(c("[1.0]", "[1]"));
        assert!(!c("[[1]]", "1"));
    }

    #[test]
    fn json_children_are_slices() {
        let s = r#"{"a" :  [1,  2], "b":"x"}"#;
        let c = children(s).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(&s[c[0].1.clone()], "[1,  2]");
        assert_eq!(&s[c[1].1.clone()], "\"x\"");
    }
}
