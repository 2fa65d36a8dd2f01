//! `x LIKE 'literal'` as `x GLOB '…'`. litewire makes LIKE case-sensitive with SQLite's
//! `case_sensitive_like`, which replaces SQLite's like() by a function SQLite does not
//! count as deterministic: a partial index (`WHERE fruit LIKE '%berry'`) or a CHECK
//! with LIKE is then refused. GLOB is case-sensitive and deterministic, and SQLite
//! uses an index for a GLOB with a literal prefix as it does for LIKE.

use sqlparser::ast::{Expr, Value};

/// The GLOB pattern of a LIKE whose pattern and escape are string literals (`%` → `*`,
/// `_` → `?`, GLOB's own `*`, `?` and `[` bracketed); None for any other LIKE, and for
/// a pattern ending in its escape character (kept as LIKE, with SQLite's answer).
pub(super) fn glob(pattern: &Expr, escape: &Option<Value>) -> Option<String> {
    let Expr::Value(v) = pattern else {
        return None;
    };
    let Value::SingleQuotedString(p) = &v.value else {
        return None;
    };
    let escape = match escape {
        Some(Value::SingleQuotedString(e)) => {
            let mut chars = e.chars();
            match (chars.next(), chars.next()) {
                (None, _) => None,
                (Some(c), None) => Some(c),
                _ => return None,
            }
        }
        None => None,
        Some(_) => return None,
    };
    let mut out = String::with_capacity(p.len() + 4);
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        let literal = if Some(c) == escape {
            chars.next()?
        } else {
            match c {
                '%' => {
                    out.push('*');
                    continue;
                }
                '_' => {
                    out.push('?');
                    continue;
                }
                c => c,
            }
        };
        match literal {
            '*' | '?' | '[' => {
                out.push('[');
                out.push(literal);
                out.push(']');
            }
            c => out.push(c),
        }
    }
    Some(out)
}
