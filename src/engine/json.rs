//! JSON syntax check for `json`/`jsonb` input, as PostgreSQL's parser reads it (RFC 8259:
//! any value at top level, numbers of any size, nesting of any depth). Iterative with an
//! explicit stack, so its time and memory are linear in the input; nothing is built.
//! (serde_json would refuse numbers beyond f64 and nesting beyond 128, which PostgreSQL
//! accepts.)

/// Why the text is not JSON: PostgreSQL's DETAIL line.
pub type Detail = String;

const END: &str = "The input string ended unexpectedly.";

fn token(b: &[u8], i: usize) -> Detail {
    // The offending token, cut at a character boundary.
    let rest = String::from_utf8_lossy(&b[i.min(b.len())..]);
    let tok: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace() && !",:[]{}".contains(*c))
        .take(20)
        .collect();
    let tok = if tok.is_empty() {
        rest.chars().next().map(String::from).unwrap_or_default()
    } else {
        tok
    };
    format!("Token \"{tok}\" is invalid.")
}

fn ws(b: &[u8], i: &mut usize) {
    while matches!(b.get(*i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        *i += 1;
    }
}

fn digits(b: &[u8], i: &mut usize) -> usize {
    let start = *i;
    while b.get(*i).is_some_and(u8::is_ascii_digit) {
        *i += 1;
    }
    *i - start
}

fn number(b: &[u8], i: &mut usize) -> Result<(), Detail> {
    let start = *i;
    if b.get(*i) == Some(&b'-') {
        *i += 1;
    }
    match b.get(*i) {
        Some(b'0') => *i += 1,
        Some(b'1'..=b'9') => {
            digits(b, i);
        }
        _ => return Err(token(b, start)),
    }
    if b.get(*i) == Some(&b'.') {
        *i += 1;
        if digits(b, i) == 0 {
            return Err(token(b, start));
        }
    }
    if matches!(b.get(*i), Some(b'e' | b'E')) {
        *i += 1;
        if matches!(b.get(*i), Some(b'+' | b'-')) {
            *i += 1;
        }
        if digits(b, i) == 0 {
            return Err(token(b, start));
        }
    }
    // A number runs into a letter or digit: `1x`, `01`.
    if b.get(*i).is_some_and(|c| c.is_ascii_alphanumeric()) {
        return Err(token(b, start));
    }
    Ok(())
}

fn string(b: &[u8], i: &mut usize) -> Result<(), Detail> {
    if b.get(*i) != Some(&b'"') {
        return Err(match b.get(*i) {
            None => END.into(),
            Some(_) => format!("Expected string, but found \"{}\".", first(b, *i)),
        });
    }
    *i += 1;
    loop {
        match b.get(*i) {
            None => return Err(END.into()),
            Some(b'"') => {
                *i += 1;
                return Ok(());
            }
            Some(b'\\') => match b.get(*i + 1) {
                None => return Err(END.into()),
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => *i += 2,
                Some(b'u') => {
                    let hex = b.get(*i + 2..*i + 6).ok_or_else(|| END.to_string())?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return Err("\"\\u\" must be followed by four hexadecimal digits.".into());
                    }
                    *i += 6;
                }
                Some(_) => {
                    return Err(format!(
                        "Escape sequence \"\\{}\" is invalid.",
                        first(b, *i + 1)
                    ))
                }
            },
            Some(c) if *c < 0x20 => {
                return Err(format!("Character with value 0x{c:02x} must be escaped."))
            }
            Some(_) => *i += 1,
        }
    }
}

fn first(b: &[u8], i: usize) -> String {
    String::from_utf8_lossy(b.get(i..).unwrap_or_default())
        .chars()
        .next()
        .map(String::from)
        .unwrap_or_default()
}

/// Checks that `s` is one JSON value (with surrounding whitespace).
pub fn check(s: &str) -> Result<(), Detail> {
    let b = s.as_bytes();
    let mut i = 0;
    // Open containers: b'[' or b'{'.
    let mut stack: Vec<u8> = Vec::new();
    loop {
        // A value is expected here.
        ws(b, &mut i);
        match b.get(i) {
            None => return Err(END.into()),
            Some(b'[') => {
                i += 1;
                ws(b, &mut i);
                if b.get(i) != Some(&b']') {
                    stack.push(b'[');
                    continue;
                }
                i += 1;
            }
            Some(b'{') => {
                i += 1;
                ws(b, &mut i);
                if b.get(i) != Some(&b'}') {
                    stack.push(b'{');
                    member_key(b, &mut i)?;
                    continue;
                }
                i += 1;
            }
            Some(b'"') => string(b, &mut i)?,
            Some(b'-' | b'0'..=b'9') => number(b, &mut i)?,
            Some(_) => {
                let lit = ["true", "false", "null"]
                    .into_iter()
                    .find(|l| b[i..].starts_with(l.as_bytes()));
                match lit {
                    Some(l) if !b.get(i + l.len()).is_some_and(u8::is_ascii_alphanumeric) => {
                        i += l.len()
                    }
                    _ => return Err(token(b, i)),
                }
            }
        }
        // After a value: close containers until a `,` asks for the next value.
        loop {
            ws(b, &mut i);
            let Some(&open) = stack.last() else {
                return match b.get(i) {
                    None => Ok(()),
                    Some(_) => Err(format!(
                        "Expected end of input, but found \"{}\".",
                        first(b, i)
                    )),
                };
            };
            let close = if open == b'[' { b']' } else { b'}' };
            match b.get(i) {
                None => return Err(END.into()),
                Some(b',') => {
                    i += 1;
                    if open == b'{' {
                        ws(b, &mut i);
                        member_key(b, &mut i)?;
                    }
                    break;
                }
                Some(c) if *c == close => {
                    i += 1;
                    stack.pop();
                }
                Some(_) => {
                    return Err(format!(
                        "Expected \",\" or \"{}\", but found \"{}\".",
                        close as char,
                        first(b, i)
                    ))
                }
            }
        }
    }
}

/// An object member's `"key" :`.
fn member_key(b: &[u8], i: &mut usize) -> Result<(), Detail> {
    string(b, i)?;
    ws(b, i);
    match b.get(*i) {
        Some(b':') => {
            *i += 1;
            Ok(())
        }
        None => Err(END.into()),
        Some(_) => Err(format!("Expected \":\", but found \"{}\".", first(b, *i))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_postgres_accepts() {
        let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        for s in [
            "1",
            " {\"a\": [1, 2.5e3, true, null, \"x\\u00e9\"]} ",
            "[]",
            "{}",
            "\"\"",
            "-0.5E-3",
            "1e400",
            &deep,
            "{\"a\":{\"b\":[{},{\"c\":null}]}}",
        ] {
            assert_eq!(check(s), Ok(()), "{}", &s[..s.len().min(40)]);
        }
    }

    #[test]
    fn refuses_what_postgres_refuses() {
        assert_eq!(check("{").unwrap_err(), END);
        assert_eq!(
            check("{\"a\":1,}").unwrap_err(),
            "Expected string, but found \"}\"."
        );
        for s in [
            "",
            "[1,]",
            "[1 2]",
            "01",
            "1.",
            ".5",
            "+1",
            "tru",
            "truex",
            "nul",
            "[1]]",
            "{\"a\" 1}",
            "{1:2}",
            "\"a",
            "\"\\x\"",
            "\"\\u12\"",
            "\"a\nb\"",
            "NaN",
            "[1}",
            "1 2",
            "\u{e9}",
        ] {
            assert!(check(s).is_err(), "{s}");
        }
    }
}
