//! A statement's SELECT with no columns (`select from t`, `select from a union select
//! from b`): PostgreSQL's rows of no values. SQLite wants a column, so each such SELECT
//! gets [`NO_COLUMN`], which the engine leaves out of the result (engine/exec.rs,
//! `result_columns`). Elsewhere (a subquery) a SELECT with no columns stays refused.

use sqlparser::ast::{Expr, Ident, SelectItem, SetExpr, Statement};

use crate::protocol::SqlState;

/// `select`, `select union select`…: SELECTs of nothing at all, which the parser does
/// not take (it wants a select list), written with the marker column. Only when every
/// SELECT of the statement is one: `select union select 1` stays PostgreSQL's error.
pub fn bare_selects(text: &str) -> Option<String> {
    use crate::sql::lexer::{significant, TokenKind};
    // Read lazily: any other statement stops at its second word.
    let select = format!("SELECT NULL AS \"{NO_COLUMN}\"");
    let mut out = String::new();
    let mut want_select = true;
    let mut after_op = false;
    for t in significant(text).filter(|t| t.kind != TokenKind::Semi) {
        let w = &text[t.start..t.end];
        if want_select {
            if !w.eq_ignore_ascii_case("select") {
                return None;
            }
            out.push_str(&select);
            want_select = false;
            after_op = false;
        } else if after_op && (w.eq_ignore_ascii_case("all") || w.eq_ignore_ascii_case("distinct"))
        {
            out.push_str(w);
            after_op = false;
            want_select = true;
        } else if !after_op
            && ["union", "intersect", "except"]
                .iter()
                .any(|o| w.eq_ignore_ascii_case(o))
        {
            out.push_str(w);
            after_op = true;
            want_select = false;
        } else if after_op && w.eq_ignore_ascii_case("select") {
            out.push_str(&select);
            after_op = false;
        } else {
            return None;
        }
        out.push(' ');
    }
    if out.is_empty() || want_select || after_op {
        return None;
    }
    out.pop();
    Some(out)
}

/// A statement that is such a query gets its marker column.
pub(super) fn fill(stmt: &mut Statement) {
    if let Statement::Query(q) = stmt {
        if all_without_columns(&q.body) {
            fill_without_columns(&mut q.body);
        }
    }
}

/// The name of the one column a statement's SELECT with no columns gets (SQLite wants
/// one); the engine leaves it out of the result (engine/exec.rs, `result_columns`).
pub const NO_COLUMN: &str = "_lw_no_column";

/// Whether a statement's body is a SELECT with no columns, or set operations of them
/// only (`select from a union select from b`); not a syntax error's reading
/// (`select from from`, `queries::no_columns`).
fn all_without_columns(body: &SetExpr) -> bool {
    match body {
        SetExpr::Select(s) => {
            s.projection.is_empty()
                && super::queries::no_columns(s).code == SqlState::FEATURE_NOT_SUPPORTED
        }
        SetExpr::SetOperation { left, right, .. } => {
            all_without_columns(left) && all_without_columns(right)
        }
        SetExpr::Query(q) => all_without_columns(&q.body),
        _ => false,
    }
}

fn fill_without_columns(body: &mut SetExpr) {
    match body {
        SetExpr::Select(s) => {
            s.projection = vec![SelectItem::ExprWithAlias {
                expr: Expr::value(sqlparser::ast::Value::Null),
                alias: Ident::with_quote('"', NO_COLUMN),
            }];
        }
        SetExpr::SetOperation { left, right, .. } => {
            fill_without_columns(left);
            fill_without_columns(right);
        }
        SetExpr::Query(q) => fill_without_columns(&mut q.body),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_selects_get_the_marker() {
        assert_eq!(
            bare_selects("select union all select;").as_deref(),
            Some("SELECT NULL AS \"_lw_no_column\" union all SELECT NULL AS \"_lw_no_column\"")
        );
        assert!(bare_selects("SELECT").is_some());
        assert_eq!(bare_selects("select union select 1"), None);
        assert_eq!(bare_selects("select 1"), None);
        assert_eq!(bare_selects(""), None);
    }
}
