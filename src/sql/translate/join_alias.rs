//! `a JOIN b USING (c, …) AS x`, whose alias the parser lacks, rewritten in the text
//! before parsing: the alias goes and `x.c` is the merged column — the left table's for
//! an inner or left join, the right one's for a right join (PostgreSQL's merged column
//! equals it there); `x.*` in a select list is the merged columns. Only where the join's
//! sides are plain tables (with or without an alias) and the join stands bare in FROM;
//! elsewhere (a full join, a join in parentheses, `x.*` inside an expression, FOR
//! UPDATE OF x) 0A000 — or PostgreSQL's own error where it has one.

use super::unsupported;
use crate::protocol::{PgError, SqlState};
use crate::sql::lexer::{fold_ident, significant, Token, TokenKind};

/// `text` with its join aliases rewritten; None when it has none.
pub fn rewrite(text: &str) -> Result<Option<String>, PgError> {
    let bytes = text.as_bytes();
    if !bytes.windows(5).any(|w| w.eq_ignore_ascii_case(b"using")) {
        return Ok(None);
    }
    let tokens: Vec<Token> = significant(text).collect();
    let t = |i: usize| tokens.get(i).map_or("", |x| &text[x.start..x.end]);
    let is = |i: usize, w: &str| t(i).eq_ignore_ascii_case(w);
    for u in 0..tokens.len() {
        if !is(u, "using") || t(u + 1) != "(" {
            continue;
        }
        // `USING (a, b)`: names and commas only (not a USING subquery or expression).
        let mut close = u + 2;
        let mut columns = Vec::new();
        let mut names_only = true;
        while close < tokens.len() && t(close) != ")" {
            if matches!(tokens[close].kind, TokenKind::Word | TokenKind::Quoted) {
                columns.push(fold_ident(t(close)));
            } else if t(close) != "," {
                names_only = false;
            }
            close += 1;
        }
        if !names_only || !is(close + 1, "as") {
            continue;
        }
        let alias_at = close + 2;
        let alias = fold_ident(t(alias_at));
        if alias.is_empty() {
            return Err(PgError::syntax_near("end of input"));
        }
        let join = Join::read(text, &tokens, u).ok_or_else(|| unsupported("this join's alias"))?;
        if join.names.contains(&alias) {
            return Err(PgError::new(
                SqlState::DUPLICATE_ALIAS,
                format!("table name \"{alias}\" specified more than once"),
            ));
        }
        let Some(merged) = join.merged else {
            return Err(unsupported("the alias of a FULL JOIN … USING"));
        };
        // A join in parentheses: its alias is hidden by the parentheses' own (42P01) or
        // stands beside them; not read here.
        if join.parenthesized {
            return Err(unsupported("the alias of a JOIN … USING in parentheses"));
        }
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut i = 0;
        while i < tokens.len() {
            if i == close + 1 {
                // ` AS x` goes.
                out.push_str(&text[copied..tokens[close].end]);
                copied = tokens[alias_at].end;
                i = alias_at + 1;
                continue;
            }
            if i != alias_at && i >= 1 && is(i - 1, "of") && fold_ident(t(i)) == alias {
                return Err(unsupported("FOR UPDATE OF a join's alias"));
            }
            let qualified = fold_ident(t(i)) == alias
                && matches!(tokens[i].kind, TokenKind::Word | TokenKind::Quoted)
                && t(i + 1) == ".";
            if !qualified {
                i += 1;
                continue;
            }
            let replacement = if t(i + 2) == "*" {
                let in_list = matches!(
                    t(i.wrapping_sub(1)).to_ascii_lowercase().as_str(),
                    "select" | ","
                ) && matches!(t(i + 3).to_ascii_lowercase().as_str(), "from" | ",");
                if !in_list {
                    return Err(unsupported("a join alias's `*` inside an expression"));
                }
                columns
                    .iter()
                    .map(|c| format!("{merged}.{}", crate::sql::lexer::quote_ident(c)))
                    .collect::<Vec<_>>()
                    .join(", ")
            } else {
                let column = fold_ident(t(i + 2));
                if !columns.contains(&column) {
                    return Err(PgError::new(
                        SqlState::UNDEFINED_COLUMN,
                        format!("column {alias}.{column} does not exist"),
                    ));
                }
                format!("{merged}.{}", crate::sql::lexer::quote_ident(&column))
            };
            out.push_str(&text[copied..tokens[i].start]);
            out.push_str(&replacement);
            copied = tokens[i + 2].end;
            i += 3;
        }
        out.push_str(&text[copied..]);
        return Ok(Some(out));
    }
    Ok(None)
}

/// The join a USING clause belongs to: its sides' names, the side its merged columns
/// are read from (None for a full join), whether it is in parentheses.
struct Join {
    names: Vec<String>,
    merged: Option<String>,
    parenthesized: bool,
}

impl Join {
    /// Reads back from the USING at `u`: `left [AS] [l] [kind] JOIN right [AS] [r] USING`.
    fn read(text: &str, tokens: &[Token], u: usize) -> Option<Join> {
        let t = |i: usize| text[tokens[i].start..tokens[i].end].to_ascii_lowercase();
        let ident = |i: usize| matches!(tokens[i].kind, TokenKind::Word | TokenKind::Quoted);
        // A side: `name [[AS] alias]` ending just before `end`; its shown name and start.
        let side = |end: usize| -> Option<(String, usize)> {
            let mut i = end.checked_sub(1)?;
            if !ident(i) {
                return None;
            }
            let last = fold_ident(&text[tokens[i].start..tokens[i].end]);
            let before = i.checked_sub(1)?;
            if t(before) == "as" {
                let name = before.checked_sub(1)?;
                return ident(name).then_some((last, name));
            }
            const NOT_NAMES: &[&str] = &[
                "from", "join", "inner", "left", "right", "full", "outer", "cross", ",", "(",
                "natural",
            ];
            if ident(before) && !NOT_NAMES.contains(&t(before).as_str()) {
                i = before;
            }
            Some((last, i))
        };
        let (right, right_start) = side(u)?;
        let join = right_start.checked_sub(1)?;
        if t(join) != "join" {
            return None;
        }
        let mut k = join.checked_sub(1)?;
        if t(k) == "outer" {
            k = k.checked_sub(1)?;
        }
        let kind = t(k);
        let (kind, left_end) = match kind.as_str() {
            "inner" | "left" | "right" | "full" => (kind, k),
            _ => ("inner".to_string(), join),
        };
        let (left, left_start) = side(left_end)?;
        let before = left_start.checked_sub(1)?;
        let parenthesized = t(before) == "(";
        if !(t(before) == "from" || t(before) == "," || parenthesized) {
            return None;
        }
        let merged = match kind.as_str() {
            "right" => Some(crate::sql::lexer::quote_ident(&right)),
            "full" => None,
            _ => Some(crate::sql::lexer::quote_ident(&left)),
        };
        Some(Join {
            names: vec![left, right],
            merged,
            parenthesized,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(sql: &str) -> String {
        rewrite(sql).unwrap().unwrap()
    }

    #[test]
    fn the_alias_names_the_merged_columns() {
        assert_eq!(
            rewritten("SELECT * FROM J1_TBL JOIN J2_TBL USING (i) AS x WHERE x.i = 1"),
            "SELECT * FROM J1_TBL JOIN J2_TBL USING (i) WHERE \"j1_tbl\".\"i\" = 1"
        );
        assert_eq!(
            rewritten("SELECT x.* FROM J1_TBL a RIGHT JOIN J2_TBL b USING (i) AS x"),
            "SELECT \"b\".\"i\" FROM J1_TBL a RIGHT JOIN J2_TBL b USING (i)"
        );
        assert_eq!(rewrite("select * from a join b using (i)").unwrap(), None);
    }

    #[test]
    fn postgresql_errors_and_refusals() {
        let e = |sql: &str| rewrite(sql).unwrap_err();
        assert_eq!(
            e("SELECT * FROM J1_TBL JOIN J2_TBL USING (i) AS x WHERE x.t = 'one'").message,
            "column x.t does not exist"
        );
        assert_eq!(
            e("SELECT * FROM J1_TBL a1 JOIN J2_TBL a2 USING (i) AS a1").message,
            "table name \"a1\" specified more than once"
        );
        for refused in [
            "SELECT * FROM (J1_TBL JOIN J2_TBL USING (i) AS x) AS xx WHERE x.i = 1",
            "SELECT row_to_json(x.*) FROM J1_TBL JOIN J2_TBL USING (i) AS x",
            "SELECT * FROM a FULL JOIN b USING (i) AS x",
            "select * from t1 join t2 using (a) as foo, t3 for update of foo",
        ] {
            assert_eq!(
                e(refused).code,
                SqlState::FEATURE_NOT_SUPPORTED,
                "{refused}"
            );
        }
    }
}
