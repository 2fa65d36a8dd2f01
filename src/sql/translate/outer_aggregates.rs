//! PostgreSQL's level of an ordered-set aggregate (parse_agg.c): an aggregate belongs to
//! the query level of the columns its aggregated arguments name — for `percentile_disc(a)
//! WITHIN GROUP (ORDER BY x)`, those of the ORDER BY. When they are all an outer query's,
//! the aggregate is that query's, and its direct arguments may not name a column of the
//! subquery it is written in: 42803. SQLite would evaluate it in the subquery instead.
//!
//! Decided from the tree alone, where it can be: the subquery's FROM items must all have
//! columns the tree names (a derived table or VALUES with its column list, a function
//! with one); a table's columns need the schema, and such a subquery is let through.

use std::collections::HashSet;
use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, Function, FunctionArguments, Ident, Query, Select, SelectItem, SetExpr, Statement,
    TableFactor, TableWithJoins, Visit, Visitor,
};

use crate::protocol::{PgError, SqlState};

/// 42803 for an outer-level ordered-set aggregate with a lower-level direct argument.
pub(super) fn check(stmt: &Statement) -> Result<(), PgError> {
    // Most statements have no WITHIN GROUP: nothing more is read for them.
    if !Visit::visit(stmt, &mut AnyWithinGroup).is_break() {
        return Ok(());
    }
    match Visit::visit(stmt, &mut Subqueries { depth: 0 }) {
        ControlFlow::Break(e) => Err(e),
        ControlFlow::Continue(()) => Ok(()),
    }
}

struct AnyWithinGroup;

impl Visitor for AnyWithinGroup {
    type Break = ();
    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        match e {
            Expr::Function(f) if !f.within_group.is_empty() => ControlFlow::Break(()),
            _ => ControlFlow::Continue(()),
        }
    }
}

struct Subqueries {
    depth: usize,
}

impl Visitor for Subqueries {
    type Break = PgError;
    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<PgError> {
        self.depth += 1;
        if self.depth > 1 {
            if let SetExpr::Select(s) = q.body.as_ref() {
                if let Some(local) = Local::of(s) {
                    local.check(s)?;
                }
            }
        }
        ControlFlow::Continue(())
    }
    fn post_visit_query(&mut self, _: &Query) -> ControlFlow<PgError> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }
}

/// A subquery's own FROM items: their names and all their columns.
struct Local {
    names: HashSet<String>,
    columns: HashSet<String>,
}

impl Local {
    /// None when a FROM item's columns are not in the tree.
    fn of(s: &Select) -> Option<Local> {
        let mut local = Local {
            names: HashSet::new(),
            columns: HashSet::new(),
        };
        for TableWithJoins { relation, joins } in &s.from {
            local.add(relation)?;
            for j in joins {
                local.add(&j.relation)?;
            }
        }
        Some(local)
    }

    fn add(&mut self, t: &TableFactor) -> Option<()> {
        let alias = match t {
            TableFactor::Derived { alias, .. } => alias.as_ref()?,
            TableFactor::Table {
                alias,
                args: Some(_),
                ..
            } => alias.as_ref()?,
            _ => return None,
        };
        if alias.columns.is_empty() {
            return None;
        }
        self.names.insert(fold(&alias.name));
        self.columns
            .extend(alias.columns.iter().map(|c| fold(&c.name)));
        Some(())
    }

    /// Whether `e` names a column of this level: Some(true) it does, Some(false) it is
    /// an outer query's, None it is not a column.
    fn is_local(&self, e: &Expr) -> Option<bool> {
        match e {
            // `current_date` and the like read as identifiers: no column.
            Expr::Identifier(i)
                if i.quote_style.is_none() && NOT_COLUMNS.contains(&fold(i).as_str()) =>
            {
                None
            }
            Expr::Identifier(i) => Some(self.columns.contains(&fold(i))),
            Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                [q, _] => Some(self.names.contains(&fold(q))),
                // Schema-qualified: taken as this level's (no error is raised on it).
                _ => Some(true),
            },
            _ => None,
        }
    }

    fn check(&self, s: &Select) -> ControlFlow<PgError> {
        let items = s.projection.iter().filter_map(|i| match i {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => Some(e),
            _ => None,
        });
        for e in items.chain(s.having.iter()) {
            let mut calls = Calls(Vec::new(), 0);
            let _ = Visit::visit(e, &mut calls);
            for f in calls.0 {
                let ordered: Vec<Option<bool>> = f
                    .within_group
                    .iter()
                    .flat_map(|o| self.columns_of(&o.expr))
                    .collect();
                let outer = !ordered.is_empty() && ordered.iter().all(|l| *l == Some(false));
                let direct = match &f.args {
                    FunctionArguments::List(l) => l
                        .args
                        .iter()
                        .any(|a| self.columns_of_arg(a).contains(&Some(true))),
                    _ => false,
                };
                if outer && direct {
                    return ControlFlow::Break(PgError::new(
                        SqlState::GROUPING_ERROR,
                        "outer-level aggregate cannot contain a lower-level variable in its \
                         direct arguments",
                    ));
                }
            }
        }
        ControlFlow::Continue(())
    }

    /// The columns `e` names, outside subqueries: whether each is this level's.
    fn columns_of(&self, e: &Expr) -> Vec<Option<bool>> {
        struct Columns<'a>(&'a Local, Vec<Option<bool>>, usize);
        impl Visitor for Columns<'_> {
            type Break = ();
            fn pre_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
                self.2 += 1;
                ControlFlow::Continue(())
            }
            fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
                self.2 -= 1;
                ControlFlow::Continue(())
            }
            fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
                if self.2 == 0 {
                    if let Some(l) = self.0.is_local(e) {
                        self.1.push(Some(l));
                    }
                }
                ControlFlow::Continue(())
            }
        }
        let mut c = Columns(self, Vec::new(), 0);
        let _ = Visit::visit(e, &mut c);
        c.1
    }

    fn columns_of_arg(&self, a: &sqlparser::ast::FunctionArg) -> Vec<Option<bool>> {
        use sqlparser::ast::{FunctionArg, FunctionArgExpr};
        match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e))
            | FunctionArg::Named {
                arg: FunctionArgExpr::Expr(e),
                ..
            } => self.columns_of(e),
            _ => Vec::new(),
        }
    }
}

/// The ordered-set aggregate calls in an expression, outside subqueries (a subquery's
/// are checked at its own level).
struct Calls(Vec<Function>, usize);

impl Visitor for Calls {
    type Break = ();
    fn pre_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
        self.1 += 1;
        ControlFlow::Continue(())
    }
    fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
        self.1 -= 1;
        ControlFlow::Continue(())
    }
    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        match e {
            Expr::Function(f) if self.1 == 0 && !f.within_group.is_empty() => {
                self.0.push(f.clone())
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

/// SQL's value functions written without parentheses.
const NOT_COLUMNS: &[&str] = &[
    "current_date",
    "current_time",
    "current_timestamp",
    "localtime",
    "localtimestamp",
    "current_user",
    "current_role",
    "session_user",
    "user",
    "current_catalog",
    "current_schema",
];

/// An identifier as PostgreSQL folds it.
fn fold(i: &Ident) -> String {
    match i.quote_style {
        Some(_) => i.value.clone(),
        None => i.value.to_lowercase(),
    }
}
