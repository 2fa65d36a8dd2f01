//! String functions with PostgreSQL's results and errors: positions count characters,
//! lengths that would build an oversized string are refused before anything is built.

use crate::protocol::{PgError, SqlState};

fn err(code: SqlState, msg: impl Into<String>) -> PgError {
    PgError::new(code, msg)
}

fn too_large() -> PgError {
    err(
        SqlState::PROGRAM_LIMIT_EXCEEDED,
        "requested length too large",
    )
}

/// `count` characters of at most `max_char` bytes each must stay within `limit` bytes.
pub fn check_len(count: i64, max_char: usize, limit: usize) -> Result<usize, PgError> {
    let n = usize::try_from(count.max(0)).map_err(|_| too_large())?;
    match n.checked_mul(max_char.max(1)) {
        Some(bytes) if bytes <= limit => Ok(n),
        _ => Err(too_large()),
    }
}

fn max_char(s: &str) -> usize {
    s.chars().map(char::len_utf8).max().unwrap_or(1)
}

/// PostgreSQL's `substring(s FROM start FOR count)`: positions before 1 count.
pub fn substr(s: &str, start: i64, count: Option<i64>) -> Result<String, PgError> {
    let end = match count {
        Some(c) if c < 0 => {
            return Err(err(
                SqlState("22011"),
                "negative substring length not allowed",
            ))
        }
        Some(c) => Some(start.saturating_add(c)),
        None => None,
    };
    let from = start.max(1);
    if end.is_some_and(|e| e <= from) {
        return Ok(String::new());
    }
    let skip = usize::try_from(from - 1).unwrap_or(usize::MAX);
    let take = end.map_or(usize::MAX, |e| {
        usize::try_from(e - from).unwrap_or(usize::MAX)
    });
    Ok(s.chars().skip(skip).take(take).collect())
}

/// The byte range `substring(bytea FROM start FOR count)` takes from `len` bytes.
pub fn byte_range(len: usize, start: i64, count: Option<i64>) -> Result<(usize, usize), PgError> {
    if count.is_some_and(|c| c < 0) {
        return Err(err(
            SqlState("22011"),
            "negative substring length not allowed",
        ));
    }
    let end = count.map_or(i64::MAX, |c| start.saturating_add(c));
    let from = start.max(1);
    let clamp = |x: i64| usize::try_from(x - 1).unwrap_or(0).min(len);
    let (a, b) = (clamp(from), clamp(end.max(from)));
    Ok((a, b - a))
}

pub fn overlay(s: &str, with: &str, from: i64, count: Option<i64>) -> Result<String, PgError> {
    let count = count.unwrap_or(with.chars().count() as i64);
    let head = substr(s, 1, Some(from.saturating_sub(1)))?;
    let tail = substr(s, from.saturating_add(count), None)?;
    Ok(format!("{head}{with}{tail}"))
}

pub fn split_part(s: &str, delim: &str, n: i64) -> Result<String, PgError> {
    if n == 0 {
        return Err(err(
            SqlState::INVALID_PARAMETER_VALUE,
            "field position must not be zero",
        ));
    }
    if delim.is_empty() {
        return Ok(if n == 1 || n == -1 {
            s.to_string()
        } else {
            String::new()
        });
    }
    let parts: Vec<&str> = s.split(delim).collect();
    let i = if n > 0 {
        usize::try_from(n - 1).ok()
    } else {
        usize::try_from(-n)
            .ok()
            .and_then(|k| parts.len().checked_sub(k))
    };
    Ok(i.and_then(|i| parts.get(i))
        .copied()
        .unwrap_or("")
        .to_string())
}

/// `lpad`/`rpad`: to `len` characters, cut or filled with `fill` repeated.
pub fn pad(s: &str, len: i64, fill: &str, left: bool, limit: usize) -> Result<String, PgError> {
    let len = check_len(len, max_char(s).max(max_char(fill)), limit)?;
    let have = s.chars().count();
    if have >= len || fill.is_empty() {
        return Ok(s.chars().take(len).collect());
    }
    let filler: String = fill.chars().cycle().take(len - have).collect();
    Ok(if left {
        filler + s
    } else {
        format!("{s}{filler}")
    })
}

pub fn initcap(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_word = false;
    for c in s.chars() {
        if in_word {
            out.extend(c.to_lowercase());
        } else {
            out.extend(c.to_uppercase());
        }
        in_word = c.is_alphanumeric();
    }
    out
}

/// 1-based character position of `sub` in `s`, 0 when absent.
pub fn strpos(s: &str, sub: &str) -> i64 {
    match s.find(sub) {
        Some(byte) => s[..byte].chars().count() as i64 + 1,
        None => 0,
    }
}

pub fn left(s: &str, n: i64) -> String {
    let count = s.chars().count() as i64;
    let take = if n >= 0 { n } else { (count + n).max(0) };
    s.chars().take(take as usize).collect()
}

pub fn right(s: &str, n: i64) -> String {
    let count = s.chars().count() as i64;
    let skip = if n >= 0 {
        (count - n).max(0)
    } else {
        (-n).min(count)
    };
    s.chars().skip(skip as usize).collect()
}

pub fn repeat(s: &str, n: i64, limit: usize) -> Result<String, PgError> {
    let n = usize::try_from(n.max(0)).map_err(|_| too_large())?;
    match n.checked_mul(s.len()) {
        Some(bytes) if bytes <= limit => Ok(s.repeat(n)),
        _ => Err(too_large()),
    }
}

pub fn translate(s: &str, from: &str, to: &str) -> String {
    let from: Vec<char> = from.chars().collect();
    let to: Vec<char> = to.chars().collect();
    s.chars()
        .filter_map(|c| match from.iter().position(|&f| f == c) {
            Some(i) => to.get(i).copied(),
            None => Some(c),
        })
        .collect()
}

pub fn chr(code: i64) -> Result<String, PgError> {
    if code < 0 {
        return Err(err(
            SqlState::INVALID_PARAMETER_VALUE,
            "character number must be positive",
        ));
    }
    if code == 0 {
        return Err(err(
            SqlState::PROGRAM_LIMIT_EXCEEDED,
            "null character not permitted",
        ));
    }
    if code > 0x10FFFF {
        return Err(err(
            SqlState::PROGRAM_LIMIT_EXCEEDED,
            format!("requested character too large for encoding: {code}"),
        ));
    }
    char::from_u32(code as u32)
        .map(String::from)
        .ok_or_else(|| {
            err(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                format!("requested character not valid for encoding: {code}"),
            )
        })
}

pub fn ascii(s: &str) -> i64 {
    s.chars().next().map_or(0, |c| i64::from(u32::from(c)))
}

/// The column-name and type/function-name keywords quote_ident quotes besides the
/// reserved ones (`POSTGRES_RESERVED`).
const QUOTED_KEYWORDS: &[&str] = &[
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "char",
    "character",
    "coalesce",
    "collation",
    "concurrently",
    "cross",
    "current_schema",
    "dec",
    "decimal",
    "exists",
    "extract",
    "float",
    "freeze",
    "full",
    "greatest",
    "grouping",
    "ilike",
    "inner",
    "inout",
    "int",
    "integer",
    "interval",
    "is",
    "isnull",
    "join",
    "json_array",
    "json_arrayagg",
    "json_object",
    "json_objectagg",
    "least",
    "left",
    "like",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "notnull",
    "nullif",
    "numeric",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "position",
    "precision",
    "real",
    "right",
    "row",
    "setof",
    "similar",
    "smallint",
    "substring",
    "system_user",
    "tablesample",
    "time",
    "timestamp",
    "treat",
    "trim",
    "values",
    "varchar",
    "verbose",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

pub fn quote_ident(s: &str) -> String {
    let simple = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && !QUOTED_KEYWORDS.contains(&s)
        && !crate::sql::translate::keywords::POSTGRES_RESERVED.contains(&s);
    if simple {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('"', "\"\""))
    }
}

pub fn quote_literal(s: &str) -> String {
    let body = s.replace('\'', "''");
    if s.contains('\\') {
        format!("E'{}'", body.replace('\\', "\\\\"))
    } else {
        format!("'{body}'")
    }
}

/// `to_hex(int)`: a negative value that fits `integer` is shown as one, as PostgreSQL
/// types an integer literal.
pub fn to_hex(i: i64) -> String {
    match i32::try_from(i) {
        Ok(small) => format!("{:x}", small as u32),
        Err(_) => format!("{:x}", i as u64),
    }
}

/// How a pattern is read: PostgreSQL's regular-expression options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RegexMode {
    /// `i` (`c` undoes it).
    pub insensitive: bool,
    /// `n`, `m`, `p`: `.` does not match a newline (by default it does).
    lines_dot: bool,
    /// `n`, `m`, `w`: `^` and `$` match at each line's start and end.
    lines_anchor: bool,
    /// `x`: white space and `#` comments in the pattern are ignored.
    expanded: bool,
    /// `q`: the pattern is a literal string.
    literal: bool,
}

/// A regular-expression option string (`'gi'`): whether it is global, and the mode.
pub fn regex_flags(flags: &str) -> Result<(bool, RegexMode), PgError> {
    let mut global = false;
    let mut mode = RegexMode::default();
    for c in flags.chars() {
        match c {
            'g' => global = true,
            'i' => mode.insensitive = true,
            'c' => mode.insensitive = false,
            'n' | 'm' => (mode.lines_dot, mode.lines_anchor) = (true, true),
            'p' => (mode.lines_dot, mode.lines_anchor) = (true, false),
            'w' => (mode.lines_dot, mode.lines_anchor) = (false, true),
            's' => (mode.lines_dot, mode.lines_anchor) = (false, false),
            'x' => mode.expanded = true,
            't' => mode.expanded = false,
            'q' => mode.literal = true,
            // Basic and extended syntax differ from the advanced one regex-lite follows.
            'b' | 'e' => {
                return Err(err(
                    SqlState::FEATURE_NOT_SUPPORTED,
                    format!("regular expression option \"{c}\" is not supported by litewire"),
                ))
            }
            _ => {
                return Err(err(
                    SqlState::INVALID_PARAMETER_VALUE,
                    format!("invalid regular expression option: \"{c}\""),
                ))
            }
        }
    }
    Ok((global, mode))
}

/// `pattern` compiled as PostgreSQL reads it in `mode` (by default `.` matches a newline).
pub fn regex(pattern: &str, mode: RegexMode) -> Result<regex_lite::Regex, PgError> {
    // Newline-sensitive, PostgreSQL's `[^a]` does not match a newline; regex-lite's does.
    if mode.lines_dot && !mode.literal && pattern.contains("[^") {
        return Err(err(
            SqlState::FEATURE_NOT_SUPPORTED,
            "a negated bracket expression in newline-sensitive mode is not supported by litewire",
        ));
    }
    let escaped;
    let pattern = if mode.literal {
        escaped = regex_lite::escape(pattern);
        escaped.as_str()
    } else {
        pattern
    };
    regex_lite::RegexBuilder::new(pattern)
        .case_insensitive(mode.insensitive)
        .dot_matches_new_line(!mode.lines_dot)
        .multi_line(mode.lines_anchor)
        .ignore_whitespace(mode.expanded && !mode.literal)
        .build()
        .map_err(|e| {
            err(
                SqlState("2201B"),
                format!("invalid regular expression: {e}"),
            )
        })
}

/// PostgreSQL's replacement text (`\1`…`\9`, `\&`, `\\`) in regex-lite's syntax.
pub fn replacement(r: &str) -> String {
    let mut out = String::with_capacity(r.len());
    let mut chars = r.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' => out.push_str("$$"),
            '\\' => match chars.peek().copied() {
                Some(d @ '1'..='9') => {
                    chars.next();
                    out.push_str(&format!("${{{d}}}"));
                }
                Some('&') => {
                    chars.next();
                    out.push_str("${0}");
                }
                Some('\\') => {
                    chars.next();
                    out.push('\\');
                }
                _ => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    out
}

/// `substring(s FROM pattern)`: the first match, or its first parenthesized part.
pub fn substring_regex(s: &str, re: &regex_lite::Regex) -> Option<String> {
    let caps = re.captures(s)?;
    let m = if re.captures_len() > 1 {
        caps.get(1)
    } else {
        caps.get(0)
    };
    m.map(|m| m.as_str().to_string())
}

fn unknown_encoding(name: &str) -> PgError {
    err(
        SqlState::INVALID_PARAMETER_VALUE,
        format!("unrecognized encoding: \"{name}\""),
    )
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `encode(bytes, 'hex' | 'base64' | 'escape')` as PostgreSQL writes them (base64 in
/// lines of 76 characters).
pub fn encode(b: &[u8], format: &str) -> Result<String, PgError> {
    let mut out = String::with_capacity(b.len() * 2);
    match format.to_ascii_lowercase().as_str() {
        "hex" => {
            for byte in b {
                out.push_str(&format!("{byte:02x}"));
            }
        }
        "base64" => {
            for (i, chunk) in b.chunks(3).enumerate() {
                if i > 0 && i % 19 == 0 {
                    out.push('\n');
                }
                let n = chunk.iter().fold(0u32, |acc, &x| acc << 8 | u32::from(x))
                    << (8 * (3 - chunk.len()));
                for k in 0..4 {
                    if k <= chunk.len() {
                        out.push(char::from(BASE64[(n >> (18 - 6 * k) & 63) as usize]));
                    } else {
                        out.push('=');
                    }
                }
            }
        }
        "escape" => {
            for &byte in b {
                match byte {
                    b'\\' => out.push_str("\\\\"),
                    0 | 0x80..=0xff => out.push_str(&format!("\\{byte:03o}")),
                    _ => out.push(char::from(byte)),
                }
            }
        }
        _ => return Err(unknown_encoding(format)),
    }
    Ok(out)
}

/// `decode(text, 'hex' | 'base64' | 'escape')`.
pub fn decode(s: &str, format: &str) -> Result<Vec<u8>, PgError> {
    let bad = |msg: String| err(SqlState::INVALID_PARAMETER_VALUE, msg);
    match format.to_ascii_lowercase().as_str() {
        "hex" => {
            let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
            let value = |c: u8| {
                char::from(c)
                    .to_digit(16)
                    .map(|d| d as u8)
                    .ok_or_else(|| bad(format!("invalid hexadecimal digit: \"{}\"", char::from(c))))
            };
            if digits.len() % 2 == 1 {
                return Err(bad("invalid hexadecimal data: odd number of digits".into()));
            }
            digits
                .chunks(2)
                .map(|p| Ok(value(p[0])? << 4 | value(p[1])?))
                .collect()
        }
        "base64" => {
            let mut out = Vec::with_capacity(s.len() * 3 / 4);
            let (mut acc, mut bits, mut pad) = (0u32, 0, 0);
            for c in s.bytes().filter(|b| !b.is_ascii_whitespace()) {
                if c == b'=' {
                    pad += 1;
                    continue;
                }
                let Some(v) = BASE64.iter().position(|&x| x == c).filter(|_| pad == 0) else {
                    return Err(bad(format!(
                        "invalid symbol \"{}\" found while decoding base64 sequence",
                        char::from(c)
                    )));
                };
                acc = acc << 6 | v as u32;
                bits += 6;
                if bits >= 8 {
                    bits -= 8;
                    out.push((acc >> bits) as u8);
                    acc &= (1 << bits) - 1;
                }
            }
            if bits >= 6 || pad > 2 {
                return Err(bad("invalid base64 end sequence".into()));
            }
            Ok(out)
        }
        "escape" => {
            let b = s.as_bytes();
            let mut out = Vec::with_capacity(b.len());
            let mut i = 0;
            while i < b.len() {
                if b[i] != b'\\' {
                    out.push(b[i]);
                    i += 1;
                } else if b.get(i + 1) == Some(&b'\\') {
                    out.push(b'\\');
                    i += 2;
                } else if let Some(o) = b
                    .get(i + 1..i + 4)
                    .filter(|o| o[0] <= b'3' && o.iter().all(|d| (b'0'..=b'7').contains(d)))
                {
                    out.push((o[0] - b'0') << 6 | (o[1] - b'0') << 3 | (o[2] - b'0'));
                    i += 4;
                } else {
                    return Err(err(
                        SqlState::INVALID_TEXT_REPRESENTATION,
                        "invalid input syntax for type bytea",
                    ));
                }
            }
            Ok(out)
        }
        _ => Err(unknown_encoding(format)),
    }
}

/// `similar_to_escape(pattern [, escape])`: a SQL regular expression (SIMILAR TO) as the
/// POSIX one PostgreSQL matches it with (`similar_escape_internal`): `%` → `.*`, `_` →
/// `.`, `(` non-capturing, the escape character (default `\`, none when empty) quoting
/// the next one, `escape"` separating the parts SUBSTRING … SIMILAR returns; anchored.
pub fn similar_to_escape(pattern: &str, escape: Option<&str>) -> Result<String, PgError> {
    let escape = match escape {
        None => Some('\\'),
        Some(e) => {
            let mut chars = e.chars();
            match (chars.next(), chars.next()) {
                (None, _) => None,
                (Some(c), None) => Some(c),
                _ => {
                    return Err(PgError::new(
                        SqlState::INVALID_ESCAPE_STRING,
                        "invalid escape string",
                    )
                    .with_hint("Escape string must be empty or one character."))
                }
            }
        }
    };
    let mut r = String::with_capacity(pattern.len() + 8);
    r.push_str("^(?:");
    let (mut quotes, mut after_escape, mut in_class) = (0, false, false);
    for c in pattern.chars() {
        if after_escape {
            if c == '"' && !in_class {
                match quotes {
                    0 => r.push_str("){1,1}?("),
                    1 => r.push_str("){1,1}(?:"),
                    _ => {
                        return Err(PgError::new(
                            SqlState::INVALID_USE_OF_ESCAPE_CHARACTER,
                            "SQL regular expression may not contain more than two escape-double-quote separators",
                        ))
                    }
                }
                quotes += 1;
            } else {
                r.push('\\');
                r.push(c);
            }
            after_escape = false;
        } else if Some(c) == escape {
            after_escape = true;
        } else if in_class {
            if c == '\\' {
                r.push('\\');
            }
            r.push(c);
            if c == ']' {
                in_class = false;
            }
        } else {
            match c {
                '[' => {
                    r.push(c);
                    in_class = true;
                }
                '%' => r.push_str(".*"),
                '_' => r.push('.'),
                '(' => r.push_str("(?:"),
                '\\' | '.' | '^' | '$' => {
                    r.push('\\');
                    r.push(c);
                }
                _ => r.push(c),
            }
        }
    }
    r.push_str(")$");
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_postgres_answers() {
        assert_eq!(split_part("a,b,c", ",", -1).unwrap(), "c");
        assert_eq!(split_part("a,b,c", ",", 5).unwrap(), "");
        assert!(split_part("a", ",", 0).is_err());
        assert_eq!(pad("hi", 5, "xy", true, 100).unwrap(), "xyxhi");
        assert_eq!(pad("hello", 2, " ", true, 100).unwrap(), "he");
        assert_eq!(pad("hi", 5, "xy", false, 100).unwrap(), "hixyx");
        assert_eq!(pad("hi", 5, "", true, 100).unwrap(), "hi");
        assert_eq!(
            pad("x", 2_000_000_000, " ", true, 1_000_000)
                .unwrap_err()
                .code,
            SqlState::PROGRAM_LIMIT_EXCEEDED
        );
        assert_eq!(
            initcap("hi THOMAS o'neil 3abc_de"),
            "Hi Thomas O'Neil 3abc_De"
        );
        assert_eq!(initcap("ÉCOLE élève"), "École Élève");
        assert_eq!(strpos("high", "ig"), 2);
        assert_eq!(strpos("high", ""), 1);
        assert_eq!(substr("hello", 2, Some(3)).unwrap(), "ell");
        assert_eq!(substr("hello", -1, Some(3)).unwrap(), "h");
        assert!(substr("hello", 1, Some(-1)).is_err());
        assert_eq!(overlay("Txxxxas", "hom", 2, Some(4)).unwrap(), "Thomas");
        assert_eq!(overlay("abc", "X", 2, Some(-1)).unwrap(), "aXabc");
        assert_eq!(left("abcde", -2), "abc");
        assert_eq!(right("abcde", -2), "cde");
        assert_eq!(translate("12345", "143", "ax"), "a2x5");
        assert_eq!(translate("abcabc", "aab", "xyz"), "xzcxzc");
        assert_eq!(quote_ident("Foo bar"), "\"Foo bar\"");
        assert_eq!(quote_ident("text"), "text");
        assert_eq!(quote_ident("select"), "\"select\"");
        assert_eq!(quote_literal("a\\b"), "E'a\\\\b'");
        assert_eq!(to_hex(-1), "ffffffff");
        assert_eq!(replacement("X\\1Y$\\&"), "X${1}Y$$${0}");
        let b = [0x12, 0x34, 0x56, 0x78, 0x90, 0xab, 0xcd, 0xef, 0x00];
        assert_eq!(encode(&b, "hex").unwrap(), "1234567890abcdef00");
        assert_eq!(encode(&b, "base64").unwrap(), "EjRWeJCrze8A");
        assert_eq!(
            encode(&b, "escape").unwrap(),
            "\u{12}4Vx\\220\\253\\315\\357\\000"
        );
        for f in ["hex", "base64", "escape"] {
            assert_eq!(decode(&encode(&b, f).unwrap(), f).unwrap(), b);
        }
        assert!(decode("1", "hex").is_err());
        assert!(encode(&b, "rot13").is_err());
    }
}

/// PostgreSQL's `unistr(text)`: `\\`, `\XXXX`, `\uXXXX`, `\+XXXXXX` and `\UXXXXXXXX`
/// escapes, UTF-16 surrogate pairs joined, with PostgreSQL's errors (a lone or
/// unfinished surrogate, a code point past U+10FFFF, any other backslash).
pub fn unistr(s: &str) -> Result<String, PgError> {
    let bad_pair = || err(SqlState::SYNTAX_ERROR, "invalid Unicode surrogate pair");
    let b = s.as_bytes();
    let hex = |at: usize, n: usize| -> Option<u32> {
        let digits = b.get(at..at + n)?;
        digits
            .iter()
            .all(u8::is_ascii_hexdigit)
            .then(|| u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok())?
    };
    let mut out = String::with_capacity(s.len());
    let mut pair_first: Option<u32> = None;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            if pair_first.is_some() {
                return Err(bad_pair());
            }
            // Copies the whole character starting here.
            let ch = s[i..].chars().next().unwrap_or_default();
            out.push(ch);
            i += ch.len_utf8().max(1);
            continue;
        }
        if b.get(i + 1) == Some(&b'\\') {
            if pair_first.is_some() {
                return Err(bad_pair());
            }
            out.push('\\');
            i += 2;
            continue;
        }
        let (code, len) = if let Some(c) = hex(i + 1, 4) {
            (c, 5)
        } else if let (Some(b'u'), Some(c)) = (b.get(i + 1), hex(i + 2, 4)) {
            (c, 6)
        } else if let (Some(b'+'), Some(c)) = (b.get(i + 1), hex(i + 2, 6)) {
            (c, 8)
        } else if let (Some(b'U'), Some(c)) = (b.get(i + 1), hex(i + 2, 8)) {
            (c, 10)
        } else {
            return Err(err(SqlState::SYNTAX_ERROR, "invalid Unicode escape")
                .with_hint("Unicode escapes must be \\XXXX, \\+XXXXXX, \\uXXXX, or \\UXXXXXXXX."));
        };
        i += len;
        if code == 0 || code > 0x10FFFF {
            return Err(err(
                SqlState::INVALID_PARAMETER_VALUE,
                format!("invalid Unicode code point: {code:04X}"),
            ));
        }
        let second = (0xDC00..=0xDFFF).contains(&code);
        let code = match pair_first.take() {
            Some(first) if second => 0x10000 + ((first - 0xD800) << 10) + (code - 0xDC00),
            Some(_) => return Err(bad_pair()),
            None if second => return Err(bad_pair()),
            None => code,
        };
        if (0xD800..=0xDBFF).contains(&code) {
            pair_first = Some(code);
        } else {
            out.push(char::from_u32(code).ok_or_else(bad_pair)?);
        }
    }
    if pair_first.is_some() {
        return Err(bad_pair());
    }
    Ok(out)
}

#[cfg(test)]
mod unistr_tests {
    use super::unistr;

    #[test]
    fn escapes_and_errors_as_postgres() {
        assert_eq!(
            unistr(r"d\0061t\+000061 \\ \u0061 \U00000061 \d83d\de00").unwrap(),
            "data \\ a a \u{1F600}"
        );
        for bad in [
            r"\db99",
            r"\db99\0061",
            r"\+00db99\+000061",
            r"\udb99\u0061",
            r"\dc00",
        ] {
            assert_eq!(
                unistr(bad).unwrap_err().message,
                "invalid Unicode surrogate pair",
                "{bad}"
            );
        }
        assert_eq!(
            unistr(r"\+2FFFFF").unwrap_err().message,
            "invalid Unicode code point: 2FFFFF"
        );
        assert_eq!(unistr(r"\U002FFFFF").unwrap_err().code.0, "22023");
        assert_eq!(
            unistr(r"\xyz").unwrap_err().message,
            "invalid Unicode escape"
        );
    }
}
