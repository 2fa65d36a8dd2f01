//! `SELECT … HAVING c` without GROUP BY: one group over the whole input, as PostgreSQL
//! reads it (SQLite wants an aggregate in the list), and 42803 for a column outside an
//! aggregate there.

use std::ops::ControlFlow;

use sqlparser::ast::{Expr, Function, Ident, Query, SelectItem, SetExpr, Statement, TableFactor};

use crate::protocol::{PgError, SqlState};

/// `SELECT … HAVING c` without GROUP BY is one group over the whole input in
/// PostgreSQL (also when the input is empty), whether or not the list aggregates; SQLite
/// wants an aggregate in the list. So a list without one is computed beside
/// `count(*)` and read back from it: `SELECT "h1" FROM (SELECT e1 AS "h1", count(*)
/// FROM … HAVING c)` (result names come from the PostgreSQL text, not from this). A
/// column outside an aggregate is PostgreSQL's 42803 (SQLite would take any row's).
pub(super) fn without_grouping(q: &mut Query) -> Result<(), PgError> {
    let SetExpr::Select(s) = q.body.as_mut() else {
        return Ok(());
    };
    let grouped =
        !matches!(&s.group_by, sqlparser::ast::GroupByExpr::Expressions(e, _) if e.is_empty());
    if grouped || s.having.is_none() {
        return Ok(());
    }
    let mut list = Aggregation::default();
    for item in &s.projection {
        match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                let _ = sqlparser::ast::Visit::visit(e, &mut list);
            }
            _ => list.bare_column = Some("*".into()),
        }
    }
    let mut having = Aggregation::default();
    if let Some(h) = &s.having {
        let _ = sqlparser::ast::Visit::visit(h, &mut having);
    }
    if let Some(mut column) = list.bare_column.or(having.bare_column) {
        // PostgreSQL names the column by its FROM item: `t.c` (one item: that one).
        if !column.contains('.') {
            if let [only] = s.from.as_slice() {
                let name = match &only.relation {
                    _ if !only.joins.is_empty() => None,
                    TableFactor::Table { alias: Some(a), .. }
                    | TableFactor::Derived { alias: Some(a), .. } => Some(a.name.value.clone()),
                    TableFactor::Table { name, .. } => name.0.last().map(|p| p.to_string()),
                    _ => None,
                };
                if let Some(name) = name {
                    column = format!("{}.{column}", name.replace('"', ""));
                }
            }
        }
        return Err(PgError::new(
            SqlState::GROUPING_ERROR,
            format!(
                "column \"{column}\" must appear in the GROUP BY clause or be used in an aggregate function"
            ),
        ));
    }
    if list.aggregate {
        return Ok(());
    }
    let names: Vec<String> = (1..=s.projection.len())
        .map(|i| format!("\"_having {i}\""))
        .collect();
    for (item, name) in s.projection.iter_mut().zip(&names) {
        let expr = match std::mem::replace(item, SelectItem::Wildcard(Default::default())) {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => e,
            other => {
                *item = other;
                continue;
            }
        };
        *item = SelectItem::ExprWithAlias {
            expr,
            alias: Ident::with_quote('"', name.trim_matches('"')),
        };
    }
    let Statement::Query(count) = crate::sql::parse::parse_one("SELECT count(*)", 8)? else {
        return Ok(());
    };
    if let SetExpr::Select(c) = *count.body {
        s.projection.extend(c.projection);
    }
    let inner = std::mem::replace(q.body.as_mut(), super::queries::empty_body());
    let mut outer = super::queries::query_of_text(&format!(
        "SELECT {} FROM (SELECT 1) AS \"_having\"",
        names.join(", ")
    ))?;
    if let SetExpr::Select(o) = outer.body.as_mut() {
        if let TableFactor::Derived { subquery, .. } = &mut o.from[0].relation {
            *subquery = super::queries::query_of(inner);
        }
    }
    *q.body = *outer.body;
    Ok(())
}

/// What a SELECT's list and HAVING hold: an aggregate call, a column outside one (a
/// subquery is its own scope: its columns and aggregates are its own).
#[derive(Default)]
struct Aggregation {
    aggregate: bool,
    bare_column: Option<String>,
    in_aggregate: usize,
    in_subquery: usize,
}

impl sqlparser::ast::Visitor for Aggregation {
    type Break = ();

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        let outer = self.in_subquery == 0;
        match e {
            Expr::Function(f) if f.over.is_none() && is_aggregate(f) => {
                self.aggregate |= outer;
                self.in_aggregate += 1;
            }
            Expr::Identifier(_) | Expr::CompoundIdentifier(_)
                if outer && self.in_aggregate == 0 && self.bare_column.is_none() =>
            {
                self.bare_column = Some(e.to_string().replace('"', ""));
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        if matches!(e, Expr::Function(f) if f.over.is_none() && is_aggregate(f)) {
            self.in_aggregate -= 1;
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
        self.in_subquery += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
        self.in_subquery -= 1;
        ControlFlow::Continue(())
    }
}

fn is_aggregate(f: &Function) -> bool {
    let name = f.name.to_string().to_ascii_lowercase();
    super::is_pg_aggregate(&name) || super::TYPED_AGGREGATES.contains(&name.as_str())
}
