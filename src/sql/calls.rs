//! Session-state calls answered before SQLite runs a statement: `current_setting('x')`
//! and `set_config('x', 'v', is_local)` act on parameters the database cannot see, so
//! calls with literal arguments are replaced by their value.
use std::borrow::Cow;

use super::lexer::{Lexer, Token, TokenKind};
use super::rewrite::contains_ignore_case;
use crate::protocol::PgError;

/// Replaces calls `name('literal', ...)` of the functions in `names` by what `f` returns
/// for their literal arguments (left unchanged when `f` returns None or an argument is not
/// a literal). Used for functions that act on session state the database cannot see,
/// such as `current_setting` and `set_config`.
pub fn replace_calls<'a>(
    sql: &'a str,
    names: &[&str],
    mut f: impl FnMut(&str, &[String]) -> Result<Option<String>, PgError>,
) -> Result<Cow<'a, str>, PgError> {
    if !names.iter().any(|n| contains_ignore_case(sql, n)) {
        return Ok(Cow::Borrowed(sql));
    }
    let toks: Vec<Token> = Lexer::new(sql).collect();
    let sig: Vec<usize> = (0..toks.len())
        .filter(|&i| toks[i].kind != TokenKind::Space)
        .collect();
    let text = |i: usize| &sql[toks[i].start..toks[i].end];
    let mut out = String::with_capacity(sql.len());
    let mut copied = 0;
    let mut k = 0;
    while k < sig.len() {
        let i = sig[k];
        let is_call = toks[i].kind == TokenKind::Word
            && names.iter().any(|n| text(i).eq_ignore_ascii_case(n))
            && sig
                .get(k + 1)
                .is_some_and(|&j| toks[j].kind == TokenKind::Open);
        if !is_call {
            k += 1;
            continue;
        }
        // Arguments: literals separated by commas, up to the closing parenthesis.
        let mut args = Vec::new();
        let mut m = k + 2;
        let mut ok = true;
        loop {
            let Some(&j) = sig.get(m) else {
                ok = false;
                break;
            };
            match toks[j].kind {
                TokenKind::Close => break,
                TokenKind::Other if text(j) == "," => {}
                TokenKind::Quoted if text(j).starts_with('\'') => {
                    // An unterminated literal (rejected later) is no argument.
                    let Some(inner) = text(j)[1..].strip_suffix('\'') else {
                        ok = false;
                        break;
                    };
                    args.push(inner.replace("''", "'"));
                }
                TokenKind::Word if !text(j).starts_with('$') => args.push(text(j).to_string()),
                _ => {
                    ok = false;
                    break;
                }
            }
            m += 1;
        }
        if ok {
            if let Some(value) = f(&text(i).to_ascii_lowercase(), &args)? {
                let close = sig[m];
                out.push_str(&sql[copied..toks[i].start]);
                out.push('\'');
                out.push_str(&value.replace('\'', "''"));
                out.push('\'');
                copied = toks[close].end;
                k = m + 1;
                continue;
            }
        }
        k += 1;
    }
    if copied == 0 {
        return Ok(Cow::Borrowed(sql));
    }
    out.push_str(&sql[copied..]);
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_literal_calls() {
        let r = replace_calls(
            "SELECT current_setting('jit') AS cur, set_config('jit', 'off', false) AS new",
            &["current_setting", "set_config"],
            |name, args| Ok(Some(format!("{name}:{}", args.join("|")))),
        )
        .unwrap();
        assert_eq!(
            r,
            "SELECT 'current_setting:jit' AS cur, 'set_config:jit|off|false' AS new"
        );
        let untouched = replace_calls(
            "select current_setting($1)",
            &["current_setting"],
            |_, _| Ok(Some("x".into())),
        )
        .unwrap();
        assert!(matches!(untouched, Cow::Borrowed(_)));
    }
}
