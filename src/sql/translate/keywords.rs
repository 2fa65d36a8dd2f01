//! Aliases that are SQLite keywords, quoted. PostgreSQL takes any word after `AS`
//! (`SELECT … AS primary, … AS unique`, as Sequelize's index introspection writes);
//! SQLite's grammar does not (`near "primary": syntax error`). An unquoted alias is
//! folded to lower case first, as PostgreSQL folds it.

use std::ops::ControlFlow;

use sqlparser::ast::{
    Ident, Query, SelectItem, SetExpr, Statement, TableAlias, TableFactor, VisitMut, VisitorMut,
};

pub(super) fn quote_aliases(stmt: &mut Statement) {
    let _ = stmt.visit(&mut Aliases);
}

struct Aliases;

impl VisitorMut for Aliases {
    type Break = ();

    fn pre_visit_query(&mut self, q: &mut Query) -> ControlFlow<()> {
        if let Some(with) = &mut q.with {
            for cte in &mut with.cte_tables {
                table_alias(&mut cte.alias);
            }
        }
        if let SetExpr::Select(select) = q.body.as_mut() {
            for item in &mut select.projection {
                if let SelectItem::ExprWithAlias { alias, .. } = item {
                    quote(alias);
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, t: &mut TableFactor) -> ControlFlow<()> {
        let alias = match t {
            TableFactor::Table { alias, .. }
            | TableFactor::Derived { alias, .. }
            | TableFactor::NestedJoin { alias, .. }
            | TableFactor::UNNEST { alias, .. }
            | TableFactor::Function { alias, .. } => alias,
            _ => return ControlFlow::Continue(()),
        };
        if let Some(a) = alias {
            table_alias(a);
        }
        ControlFlow::Continue(())
    }
}

fn table_alias(a: &mut TableAlias) {
    quote(&mut a.name);
    for c in &mut a.columns {
        quote(&mut c.name);
    }
}

fn quote(i: &mut Ident) {
    if i.quote_style.is_none() && is_keyword(&i.value) {
        i.value = i.value.to_lowercase();
        i.quote_style = Some('"');
    }
}

/// Whether SQLite's parser reserves `word` (sqlite3_keyword_check).
fn is_keyword(word: &str) -> bool {
    let Ok(len) = std::ffi::c_int::try_from(word.len()) else {
        return false;
    };
    // SAFETY: the pointer and length describe `word`'s bytes, which SQLite only reads.
    unsafe { rusqlite::ffi::sqlite3_keyword_check(word.as_ptr().cast(), len) != 0 }
}

/// PostgreSQL's reserved key words (kwlist.h's RESERVED_KEYWORD): no column may be
/// named one unquoted (create.rs), and quote_ident quotes them (engine/pgfuncs/strings.rs).
pub(crate) const POSTGRES_RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "initially",
    "intersect",
    "into",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "localtimestamp",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
];

#[cfg(test)]
mod tests {
    #[test]
    fn only_keywords_are_quoted() {
        assert!(super::is_keyword("PRIMARY") && super::is_keyword("unique"));
        assert!(!super::is_keyword("email") && !super::is_keyword(""));
    }
}
