//! `format(fmt, args…)` as PostgreSQL reads it: `%[n$][-][width]{s,I,L}`, `%%`, width
//! from an argument with `*` or `*n$`.

use super::strings::{quote_ident, quote_literal};
use crate::protocol::{PgError, SqlState};

fn bad(msg: impl Into<String>) -> PgError {
    PgError::new(SqlState::INVALID_PARAMETER_VALUE, msg).with_hint("For a single \"%\" use \"%%\".")
}

fn too_few() -> PgError {
    PgError::new(
        SqlState::INVALID_PARAMETER_VALUE,
        "too few arguments for format()",
    )
}

/// Formats `fmt` with `args` (their text; None is NULL); `limit` bounds the result.
pub fn format(fmt: &str, args: &[Option<String>], limit: usize) -> Result<String, PgError> {
    let mut out = String::with_capacity(fmt.len());
    let mut chars = fmt.chars().peekable();
    let mut next_arg = 0usize;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            out.push('%');
            continue;
        }
        // Position (`n$`) or width digits.
        let mut position = None;
        let mut left = false;
        let mut width: Option<i64> = None;
        let number = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
            let mut n: Option<i64> = None;
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                chars.next();
                n = Some(
                    n.unwrap_or(0)
                        .checked_mul(10)
                        .and_then(|v| v.checked_add(i64::from(d)))
                        .ok_or_else(|| bad("number is out of range"))?,
                );
            }
            Ok::<_, PgError>(n)
        };
        if let Some(n) = number(&mut chars)? {
            if chars.peek() == Some(&'$') {
                chars.next();
                if n == 0 {
                    return Err(bad(
                        "format specifies argument 0, but arguments are numbered from 1",
                    ));
                }
                position = Some(n as usize);
            } else {
                width = Some(n);
            }
        }
        if width.is_none() {
            if chars.peek() == Some(&'-') {
                chars.next();
                left = true;
            }
            if chars.peek() == Some(&'*') {
                chars.next();
                let index = match number(&mut chars)? {
                    Some(n) => {
                        if chars.next() != Some('$') {
                            return Err(bad("unterminated format() type specifier"));
                        }
                        if n == 0 {
                            return Err(bad(
                                "format specifies argument 0, but arguments are numbered from 1",
                            ));
                        }
                        usize::try_from(n).unwrap_or(usize::MAX)
                    }
                    None => {
                        next_arg += 1;
                        next_arg
                    }
                };
                next_arg = index;
                let w = args.get(index - 1).ok_or_else(too_few)?;
                let w: i64 = match w {
                    None => 0,
                    Some(t) => t.trim().parse().map_err(|_| {
                        PgError::new(
                            SqlState::INVALID_TEXT_REPRESENTATION,
                            format!("invalid input syntax for type integer: \"{t}\""),
                        )
                    })?,
                };
                if w < 0 {
                    left = true;
                }
                width = Some(w.abs());
            } else {
                width = number(&mut chars)?;
            }
        }
        let Some(kind) = chars.next() else {
            return Err(bad("unterminated format() type specifier"));
        };
        if !matches!(kind, 's' | 'I' | 'L') {
            return Err(bad(format!(
                "unrecognized format() type specifier \"{kind}\""
            )));
        }
        let index = match position {
            Some(p) => p,
            None => next_arg + 1,
        };
        next_arg = index;
        let value = args.get(index - 1).ok_or_else(too_few)?;
        let text = match (kind, value) {
            ('s', None) => String::new(),
            ('s', Some(v)) => v.clone(),
            ('I', None) => {
                return Err(PgError::new(
                    SqlState("22004"),
                    "null values cannot be formatted as an SQL identifier",
                ))
            }
            ('I', Some(v)) => quote_ident(v),
            (_, None) => "NULL".to_string(),
            (_, Some(v)) => quote_literal(v),
        };
        let w = usize::try_from(width.unwrap_or(0)).unwrap_or(usize::MAX);
        let pad = w.saturating_sub(text.chars().count());
        if out.len().saturating_add(text.len()).saturating_add(pad) > limit {
            return Err(PgError::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                "requested length too large",
            ));
        }
        if left {
            out.push_str(&text);
        }
        out.extend(std::iter::repeat_n(' ', pad));
        if !left {
            out.push_str(&text);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(fmt: &str, args: &[Option<&str>]) -> Result<String, PgError> {
        let args: Vec<Option<String>> = args.iter().map(|a| a.map(str::to_string)).collect();
        format(fmt, &args, 1 << 20)
    }

    #[test]
    fn as_postgres_formats() {
        assert_eq!(
            f("%s %I %L %%", &[Some("a"), Some("B c"), Some("it's")]).unwrap(),
            "a \"B c\" 'it''s' %"
        );
        assert_eq!(f("%L", &[None]).unwrap(), "NULL");
        assert_eq!(f("%2$s %1$s", &[Some("a"), Some("b")]).unwrap(), "b a");
        assert_eq!(f("%1$s %s", &[Some("a"), Some("b")]).unwrap(), "a b");
        assert_eq!(
            f("%-5s|%5s|", &[Some("a"), Some("b")]).unwrap(),
            "a    |    b|"
        );
        assert_eq!(f("%*s|", &[Some("4"), Some("a")]).unwrap(), "   a|");
        assert_eq!(f("%-*s|", &[Some("4"), Some("a")]).unwrap(), "a   |");
        assert!(f("%s", &[]).is_err());
        assert!(f("%z", &[Some("1")]).is_err());
        assert!(f("%", &[Some("1")]).is_err());
        assert!(f("%*0$s", &[Some("1")]).is_err());
        assert!(f("%*99999999999$s", &[Some("1")]).is_err());
        assert!(f("%99999999999999999999s", &[Some("1")]).is_err());
    }
}
