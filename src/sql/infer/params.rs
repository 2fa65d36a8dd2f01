//! Parameter types from the statement text: `col = $1`, `INSERT ... VALUES ($1)`,
//! `LIMIT $1`, `$1::type`, `$1 + 1`.

use super::expr::expr_type;
use super::{TokenKind, Toks};

/// What a parameter's type can be learned from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamHint {
    /// A type name written in the statement (`$1::int4`, `CAST($1 AS text)`, LIMIT).
    Type(String),
    /// Compared with, assigned to or combined with this column (`col = $1`).
    Column(String),
    /// An array of the named column's type (`col = ANY($n)`).
    ArrayOf(String),
    /// The k-th value of an INSERT into `table` (with the column list, if given).
    Insert {
        table: String,
        columns: Option<Vec<String>>,
        position: usize,
    },
}

/// Hints for each `$n` parameter (n is 1-based), in order of appearance.
pub fn param_hints(sql: &str) -> Vec<(usize, ParamHint)> {
    let tk = Toks::new(sql);
    let mut hints = Vec::new();
    insert_hints(&tk, &mut hints);
    for i in 0..tk.t.len() {
        let Some(n) = tk.param(i) else { continue };
        // `$n::type`, `$n::type[]` (SQLite's lexer reads `[]` as one token)
        if tk.text(i + 1) == ":" && tk.text(i + 2) == ":" {
            let mut t = tk.text(i + 3).to_ascii_lowercase();
            if tk.text(i + 4).starts_with('[') {
                t.push_str("[]");
            }
            hints.push((n, ParamHint::Type(t)));
            continue;
        }
        // col = ANY($n), col <> ALL($n): an array of the column's type.
        if i >= 3
            && tk.text(i - 1) == "("
            && ["any", "some", "all"].iter().any(|q| tk.is_word(i - 2, q))
            && tk.text(i + 1) == ")"
        {
            if let Some(c) = tk
                .operator_before(i - 2)
                .and_then(|op| op.checked_sub(1))
                .and_then(|j| tk.column_at(j))
            {
                hints.push((n, ParamHint::ArrayOf(c)));
                continue;
            }
        }
        // CAST($n AS type)
        if i >= 2
            && tk.kind(i - 1) == Some(TokenKind::Open)
            && tk.is_word(i - 2, "cast")
            && tk.is_word(i + 1, "as")
        {
            hints.push((n, ParamHint::Type(tk.text(i + 2).to_ascii_lowercase())));
            continue;
        }
        if i >= 1 && (tk.is_word(i - 1, "limit") || tk.is_word(i - 1, "offset")) {
            hints.push((n, ParamHint::Type("int8".into())));
            continue;
        }
        // col <op> $n
        if let Some(op) = tk.operator_before(i) {
            if let Some(c) = op.checked_sub(1).and_then(|j| tk.column_at(j)) {
                hints.push((n, ParamHint::Column(c)));
                continue;
            }
        }
        // $n <op> col
        if let Some(after) = tk.operator_after(i + 1) {
            if let Some(c) = tk.column_at(after) {
                if tk.text(after + 1) != "(" {
                    hints.push((n, ParamHint::Column(c)));
                    continue;
                }
            }
        }
        // col IN (..., $n, ...) and col BETWEEN $n AND $m
        if let Some(c) = in_or_between_column(&tk, i) {
            hints.push((n, ParamHint::Column(c)));
            continue;
        }
        // $n <op> literal, literal <op> $n: the literal's type (`$1 + 1` is int4).
        let literal = |first: usize, last: usize| -> &str {
            match (tk.t.get(first), tk.t.get(last)) {
                (Some(a), Some(b)) => &sql[a.start..b.end],
                _ => "",
            }
        };
        let after = tk.operator_after(i + 1).map(|j| {
            // A decimal literal is three tokens: 2 . 5
            if tk.text(j + 1) == "." {
                literal(j, j + 2)
            } else {
                literal(j, j)
            }
        });
        let before = tk
            .operator_before(i)
            .and_then(|op| op.checked_sub(1))
            .map(|j| {
                if j >= 2 && tk.text(j - 1) == "." {
                    literal(j - 2, j)
                } else {
                    literal(j, j)
                }
            });
        if let Some(t) = after.or(before).and_then(expr_type) {
            if t != "bool" {
                hints.push((n, ParamHint::Type(t)));
            }
        }
    }
    hints
}

fn in_or_between_column(tk: &Toks<'_>, i: usize) -> Option<String> {
    // Walk back over `$a, $b, (` to IN.
    let mut j = i;
    while j > 0 {
        j -= 1;
        match tk.kind(j)? {
            TokenKind::Open if j >= 2 && tk.is_word(j - 1, "in") => return tk.column_at(j - 2),
            TokenKind::Other if tk.text(j) == "," => continue,
            TokenKind::Word if tk.param(j).is_some() => continue,
            TokenKind::Word if tk.is_word(j, "between") => return tk.column_at(j - 1),
            TokenKind::Word if tk.is_word(j, "and") && j >= 2 && tk.is_word(j - 2, "between") => {
                return tk.column_at(j - 3)
            }
            _ => return None,
        }
    }
    None
}

/// `INSERT INTO t [(a, b)] VALUES ($1, $2), ...`: each `$n` that is a whole value.
fn insert_hints(tk: &Toks<'_>, hints: &mut Vec<(usize, ParamHint)>) {
    let Some(start) =
        (0..tk.t.len()).find(|&i| tk.is_word(i, "insert") || tk.is_word(i, "replace"))
    else {
        return;
    };
    let Some(into) = (start..tk.t.len()).find(|&i| tk.is_word(i, "into")) else {
        return;
    };
    let mut i = into + 1;
    let mut table = tk.text(i).trim_matches('"').to_string();
    if tk.text(i + 1) == "." {
        i += 2;
        table = tk.text(i).trim_matches('"').to_string();
    }
    i += 1;
    let mut columns = None;
    if tk.kind(i) == Some(TokenKind::Open) {
        let mut cols = Vec::new();
        i += 1;
        while i < tk.t.len() && tk.kind(i) != Some(TokenKind::Close) {
            if tk.text(i) != "," {
                cols.push(tk.text(i).trim_matches('"').to_string());
            }
            i += 1;
        }
        columns = Some(cols);
        i += 1;
    }
    if !tk.is_word(i, "values") {
        return;
    }
    i += 1;
    // Each tuple: ( item, item, ... )
    while tk.kind(i) == Some(TokenKind::Open) {
        i += 1;
        let mut position = 0;
        let mut depth = 0;
        let mut item_start = i;
        while i < tk.t.len() {
            match tk.kind(i) {
                Some(TokenKind::Open) => depth += 1,
                Some(TokenKind::Close) if depth > 0 => depth -= 1,
                Some(TokenKind::Close) | Some(TokenKind::Other)
                    if depth == 0 && (tk.text(i) == "," || tk.text(i) == ")") =>
                {
                    if i == item_start + 1 {
                        if let Some(n) = tk.param(item_start) {
                            hints.push((
                                n,
                                ParamHint::Insert {
                                    table: table.clone(),
                                    columns: columns.clone(),
                                    position,
                                },
                            ));
                        }
                    }
                    position += 1;
                    item_start = i + 1;
                    if tk.text(i) == ")" {
                        break;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        i += 1;
        if tk.text(i) == "," {
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_hints() {
        let h = param_hints("select * from t where id = $1 and $2 < score limit $3");
        assert_eq!(
            h,
            vec![
                (1, ParamHint::Column("id".into())),
                (2, ParamHint::Column("score".into())),
                (3, ParamHint::Type("int8".into())),
            ]
        );
        let h = param_hints("insert into t (a, b) values ($1, $2)");
        assert_eq!(
            h[1],
            (
                2,
                ParamHint::Insert {
                    table: "t".into(),
                    columns: Some(vec!["a".into(), "b".into()]),
                    position: 1
                }
            )
        );
        let h = param_hints("UPDATE acc SET abalance = abalance + $1 WHERE aid = $2");
        assert_eq!(
            h,
            vec![
                (1, ParamHint::Column("abalance".into())),
                (2, ParamHint::Column("aid".into()))
            ]
        );
        assert_eq!(
            param_hints("select $1::text"),
            vec![(1, ParamHint::Type("text".into()))]
        );
        assert_eq!(
            param_hints("select $1 + 1"),
            vec![(1, ParamHint::Type("int4".into()))]
        );
        assert_eq!(
            param_hints("select 2.5 * $1"),
            vec![(1, ParamHint::Type("numeric".into()))]
        );
        assert_eq!(
            param_hints("select * from t where a in ($1, $2)")[1],
            (2, ParamHint::Column("a".into()))
        );
    }
}
