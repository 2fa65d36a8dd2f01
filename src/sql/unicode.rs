//! PostgreSQL's Unicode escapes, `U&'d\0061t\+000061'` and `U&"…"` with an optional
//! `UESCAPE 'c'`, which the grammar lacks: each is rewritten to the plain literal or
//! quoted name it stands for (`'data'`), padded with spaces to its written length so
//! the text's offsets after it stay. Errors are PostgreSQL's (42601).

use super::lexer::{with_dollar_strings, Token, TokenKind};
use crate::protocol::{PgError, SqlState};

/// Whether `sql` holds a Unicode-escaped string literal (`U&'…'`), which PostgreSQL
/// refuses while standard_conforming_strings is off.
pub fn has_escapes(sql: &str) -> bool {
    let bytes = sql.as_bytes();
    sql.contains("&'")
        && with_dollar_strings(sql).any(|t| {
            t.kind == TokenKind::Quoted
                && bytes[t.start] == b'\''
                && t.start >= 2
                && bytes[t.start - 1] == b'&'
                && bytes[t.start - 2].eq_ignore_ascii_case(&b'u')
                && (t.start == 2 || !is_word_byte(bytes[t.start - 3]))
        })
}

/// The text with every Unicode-escaped literal and name decoded; None when there is none.
pub fn decode_escapes(sql: &str) -> Result<Option<String>, PgError> {
    if !sql.contains('&') {
        return Ok(None);
    }
    let tokens: Vec<Token> = with_dollar_strings(sql).collect();
    let text = |t: &Token| &sql[t.start..t.end];
    let mut out: Option<String> = None;
    let mut i = 0;
    while i + 2 < tokens.len() {
        let (u, amp, quoted) = (&tokens[i], &tokens[i + 1], &tokens[i + 2]);
        let escaped = u.kind == TokenKind::Word
            && text(u).eq_ignore_ascii_case("u")
            && text(amp) == "&"
            && quoted.kind == TokenKind::Quoted
            && matches!(text(quoted).as_bytes().first(), Some(b'\'' | b'"'))
            && u.end == amp.start
            && amp.end == quoted.start
            && (u.start == 0 || !is_word_byte(sql.as_bytes()[u.start - 1]));
        if !escaped {
            i += 1;
            continue;
        }
        // Adjacent quoted tokens are one literal with a doubled quote inside.
        let mut last = i + 2;
        while tokens
            .get(last + 1)
            .is_some_and(|t| t.kind == TokenKind::Quoted && t.start == tokens[last].end)
        {
            last += 1;
        }
        let quote = sql.as_bytes()[quoted.start] as char;
        let body = &sql[quoted.start + 1..tokens[last].end - 1];
        let body = body.replace(&format!("{quote}{quote}"), &quote.to_string());
        // `UESCAPE 'c'`, after white space.
        let mut next = last + 1;
        while tokens.get(next).is_some_and(|t| t.kind == TokenKind::Space) {
            next += 1;
        }
        let mut end = tokens[last].end;
        let mut escape = '\\';
        if tokens
            .get(next)
            .is_some_and(|t| t.kind == TokenKind::Word && text(t).eq_ignore_ascii_case("uescape"))
        {
            let mut c = next + 1;
            while tokens.get(c).is_some_and(|t| t.kind == TokenKind::Space) {
                c += 1;
            }
            let simple = tokens.get(c).filter(|t| {
                t.kind == TokenKind::Quoted && text(t).starts_with('\'') && text(t).len() == 3
            });
            let Some(given) = simple else {
                let near = tokens.get(c).map_or("", |t| text(t));
                return Err(syntax(format!(
                    "UESCAPE must be followed by a simple string literal at or near \"{near}\""
                )));
            };
            escape = text(given).as_bytes()[1] as char;
            if escape.is_ascii_hexdigit()
                || matches!(escape, '+' | '\'' | '"')
                || escape.is_ascii_whitespace()
            {
                return Err(syntax(format!(
                    "invalid Unicode escape character at or near \"{}\"",
                    text(given)
                )));
            }
            end = given.end;
            next = c + 1;
        }
        let decoded = decode(&body, escape)?;
        let doubled = decoded.replace(quote, &format!("{quote}{quote}"));
        let replacement = format!("{quote}{doubled}{quote}");
        let written = end - u.start;
        // Never longer than written (an escape is longer than what it stands for), so
        // the padding keeps every offset.
        let pad = written.saturating_sub(replacement.len());
        out.get_or_insert_with(|| sql.to_string())
            .replace_range(u.start..end, &format!("{replacement}{}", " ".repeat(pad)));
        i = next;
    }
    Ok(out)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

fn syntax(message: String) -> PgError {
    PgError::new(SqlState::SYNTAX_ERROR, message)
}

/// The characters `body` stands for: `<e>XXXX`, `<e>+XXXXXX`, `<e><e>`; a UTF-16
/// surrogate pair is one character.
fn decode(body: &str, escape: char) -> Result<String, PgError> {
    let invalid = || syntax("invalid Unicode escape".into());
    let surrogate = || syntax("invalid Unicode surrogate pair".into());
    let chars: Vec<char> = body.chars().collect();
    let mut out = String::with_capacity(body.len());
    let mut high: Option<u32> = None;
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != escape {
            if high.is_some() {
                return Err(surrogate());
            }
            out.push(chars[i]);
            i += 1;
            continue;
        }
        if chars.get(i + 1) == Some(&escape) {
            if high.is_some() {
                return Err(surrogate());
            }
            out.push(escape);
            i += 2;
            continue;
        }
        let (start, len) = if chars.get(i + 1) == Some(&'+') {
            (i + 2, 6)
        } else {
            (i + 1, 4)
        };
        let digits: String = chars.iter().skip(start).take(len).collect();
        if digits.len() != len || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(invalid());
        }
        let code = u32::from_str_radix(&digits, 16).map_err(|_| invalid())?;
        i = start + len;
        match (high.take(), code) {
            (None, 0xD800..=0xDBFF) => high = Some(code),
            (Some(h), 0xDC00..=0xDFFF) => {
                let c = 0x10000 + ((h - 0xD800) << 10) + (code - 0xDC00);
                out.push(char::from_u32(c).ok_or_else(invalid)?);
            }
            (Some(_), _) | (None, 0xDC00..=0xDFFF) => return Err(surrogate()),
            (None, 0) => return Err(invalid()),
            (None, c) => out.push(char::from_u32(c).ok_or_else(invalid)?),
        }
    }
    if high.is_some() {
        return Err(surrogate());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::decode_escapes;

    fn ok(sql: &str) -> String {
        decode_escapes(sql).unwrap().unwrap()
    }

    #[test]
    fn escapes_become_plain_literals_of_the_same_length() {
        let sql = r#"SELECT U&'d\0061t\+000061' AS U&"d\0061t\+000061""#;
        let got = ok(sql);
        assert_eq!(got.len(), sql.len());
        assert_eq!(
            got.split_whitespace().collect::<Vec<_>>(),
            ["SELECT", "'data'", "AS", "\"data\""]
        );
        let got = ok(r"SELECT U&'d!0061t\+000061' UESCAPE '!' AS x");
        assert!(got.starts_with(r"SELECT 'dat\+000061' "), "{got}");
        assert!(ok(r"SELECT U&' \' UESCAPE '!' AS x").starts_with(r"SELECT ' \' "));
        assert!(ok(r"SELECT u&'a''b\0041'").starts_with("SELECT 'a''bA'"));
        assert!(ok(r"SELECT U&'\D83D\DE00'").starts_with("SELECT '\u{1F600}'"));
        assert_eq!(decode_escapes("SELECT 'U&x', a&b").unwrap(), None);
        assert!(super::has_escapes("SELECT U&'x'"));
        assert!(!super::has_escapes("SELECT 'U&''x'''"));
    }

    #[test]
    fn wrong_escapes_are_postgresql_errors() {
        for (sql, message) in [
            (r"SELECT U&'wrong: \061'", "invalid Unicode escape"),
            (r"SELECT U&'wrong: \+0061'", "invalid Unicode escape"),
            (r"SELECT U&'wrong: \db99'", "invalid Unicode surrogate pair"),
            (
                r"SELECT U&'wrong: \db99\0061'",
                "invalid Unicode surrogate pair",
            ),
            (r"SELECT U&'wrong: \+2FFFFF'", "invalid Unicode escape"),
            (
                r"SELECT U&'wrong: +0061' UESCAPE '+'",
                "invalid Unicode escape character at or near \"'+'\"",
            ),
            (
                r"SELECT U&'wrong: +0061' UESCAPE +",
                "UESCAPE must be followed by a simple string literal at or near \"+\"",
            ),
        ] {
            let e = decode_escapes(sql).unwrap_err();
            assert_eq!((e.code.0, e.message.as_str()), ("42601", message), "{sql}");
        }
    }
}
