//! PostgreSQL's grouping check (parseCheckAggregates): in a grouped SELECT (GROUP BY,
//! HAVING or an aggregate), a column of the query's own FROM outside an aggregate and
//! outside a GROUP BY expression is 42803; SQLite would take any row's value.
//!
//! What the tree alone decides is decided here: references that match a GROUP BY
//! expression or column, aggregates' arguments, outer references (qualified by a name
//! not in this FROM). What needs the schema — which FROM item an unqualified column
//! belongs to, and PostgreSQL's functional dependency (grouping by a table's PRIMARY
//! KEY allows its other columns) — is left to a marker in the SELECT's WHERE,
//! `pg_group_check('spec')`, that engine/grouping.rs reads when the statement is
//! prepared: `1`, or the error. Anything not understood is let through.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

use sqlparser::ast::{
    BinaryOperator, Expr, Function, Ident, ObjectName, ObjectNamePart, OrderByExpr, OrderByKind,
    Query, Select, SelectItem, SelectItemQualifiedWildcardKind, SetExpr, Statement, TableFactor,
    Value, Visit, VisitMut, Visitor, VisitorMut,
};

/// The marker's function name (engine/grouping.rs reads it; pgfuncs registers it as 1).
pub const GROUP_CHECK_MARKER: &str = "pg_group_check";
/// Separators of the marker's spec: records, then fields.
pub const RECORD: char = '\u{1e}';
pub const FIELD: char = '\u{1f}';
/// Before a table's name among a subquery's columns: all of that table's columns.
pub const STAR: char = '\u{1d}';

/// Adds the marker to each grouped SELECT of `stmt` that has columns left to check.
pub(super) fn check(stmt: &mut Statement) {
    // Most statements group nothing: nothing more is read for them.
    if !Visit::visit(&*stmt, &mut Grouped).is_break() {
        return;
    }
    let mut ctes = Ctes::default();
    let _ = Visit::visit(&*stmt, &mut ctes);
    let _ = VisitMut::visit(stmt, &mut Levels { ctes: &ctes.0 });
}

/// Breaks at the first SELECT with GROUP BY, HAVING or an aggregate in its list.
struct Grouped;

impl Visitor for Grouped {
    type Break = ();
    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
        let order = match &q.order_by {
            Some(o) => match &o.kind {
                OrderByKind::Expressions(e) => e.as_slice(),
                OrderByKind::All(_) => &[],
            },
            None => &[],
        };
        let mut bodies = vec![q.body.as_ref()];
        while let Some(body) = bodies.pop() {
            match body {
                SetExpr::Select(s) => {
                    let grouping = match &s.group_by {
                        sqlparser::ast::GroupByExpr::Expressions(e, _) => !e.is_empty(),
                        sqlparser::ast::GroupByExpr::All(_) => false,
                    };
                    if grouping
                        || s.having.is_some()
                        || has_aggregate(s.projection.iter().filter_map(|i| match i {
                            SelectItem::UnnamedExpr(e)
                            | SelectItem::ExprWithAlias { expr: e, .. } => Some(e),
                            _ => None,
                        }))
                        || has_aggregate(order.iter().map(|o| &o.expr))
                    {
                        return ControlFlow::Break(());
                    }
                }
                SetExpr::SetOperation { left, right, .. } => {
                    bodies.push(left.as_ref());
                    bodies.push(right.as_ref());
                }
                _ => {}
            }
        }
        ControlFlow::Continue(())
    }
}

/// Every CTE's name and, where known, its column names.
#[derive(Default)]
struct Ctes(HashMap<String, Option<Vec<String>>>);

impl Visitor for Ctes {
    type Break = ();
    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
        for cte in q.with.iter().flat_map(|w| &w.cte_tables) {
            let columns = derived_columns(&cte.query, &cte.alias.columns);
            self.0.insert(fold(&cte.alias.name), columns);
        }
        ControlFlow::Continue(())
    }
}

struct Levels<'a> {
    ctes: &'a HashMap<String, Option<Vec<String>>>,
}

impl VisitorMut for Levels<'_> {
    type Break = ();
    fn pre_visit_query(&mut self, q: &mut Query) -> ControlFlow<()> {
        let order: Vec<OrderByExpr> = match &q.order_by {
            Some(o) => match &o.kind {
                OrderByKind::Expressions(e) => e.clone(),
                OrderByKind::All(_) => Vec::new(),
            },
            None => Vec::new(),
        };
        let mut bodies = vec![(q.body.as_mut(), true)];
        while let Some((body, own_order)) = bodies.pop() {
            match body {
                SetExpr::Select(s) => {
                    let order = if own_order { order.as_slice() } else { &[] };
                    if let Some(spec) = select(s, order, self.ctes) {
                        mark(s, &spec);
                    }
                }
                SetExpr::SetOperation { left, right, .. } => {
                    bodies.push((left.as_mut(), false));
                    bodies.push((right.as_mut(), false));
                }
                _ => {}
            }
        }
        ControlFlow::Continue(())
    }
}

/// `pg_group_check('spec') AND (where)`.
fn mark(s: &mut Select, spec: &str) {
    let marker = Expr::Function(Function {
        name: ObjectName::from(vec![Ident::new(GROUP_CHECK_MARKER)]),
        uses_odbc_syntax: false,
        parameters: sqlparser::ast::FunctionArguments::None,
        args: sqlparser::ast::FunctionArguments::List(sqlparser::ast::FunctionArgumentList {
            duplicate_treatment: None,
            args: vec![sqlparser::ast::FunctionArg::Unnamed(
                sqlparser::ast::FunctionArgExpr::Expr(Expr::Value(
                    Value::SingleQuotedString(spec.to_string()).into(),
                )),
            )],
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    });
    s.selection = Some(match s.selection.take() {
        Some(w) => Expr::BinaryOp {
            left: Box::new(marker),
            op: BinaryOperator::And,
            right: Box::new(Expr::Nested(Box::new(w))),
        },
        None => marker,
    });
}

/// The marker's spec for one SELECT, None when nothing is left to check. Records:
/// `s name T table` / `s name D col…` / `s name U` (a FROM item: a table, columns
/// known, columns unknown), `u left right kind column` (a column `JOIN … USING` merges),
/// `g qualifier column` (a GROUP BY column), `c qualifier
/// column sub` (a column to check, in PostgreSQL's order; `*` for a wildcard; sub: from
/// a subquery).
fn select(
    s: &Select,
    order: &[OrderByExpr],
    ctes: &HashMap<String, Option<Vec<String>>>,
) -> Option<String> {
    let sqlparser::ast::GroupByExpr::Expressions(written, _) = &s.group_by else {
        return None;
    };
    let mut groups: Vec<&Expr> = Vec::new();
    let mut pending: Vec<&Expr> = written.iter().collect();
    while let Some(e) = pending.pop() {
        match e {
            Expr::GroupingSets(sets) | Expr::Cube(sets) | Expr::Rollup(sets) => {
                pending.extend(sets.iter().flatten())
            }
            Expr::Tuple(items) => pending.extend(items),
            Expr::Nested(inner) => pending.push(inner),
            _ => groups.push(e),
        }
    }
    // GROUP BY 1 / GROUP BY output_name: the select list's expression (beside the
    // column of that name, which PostgreSQL would take first: both are allowed).
    let mut extra = Vec::new();
    for g in &groups {
        match g {
            Expr::Value(v) => {
                if let Value::Number(n, _) = &v.value {
                    let item = n
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| s.projection.get(i - 1));
                    match item {
                        Some(
                            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. },
                        ) => extra.push(e),
                        _ => return None,
                    }
                }
            }
            Expr::Identifier(i) => {
                for item in &s.projection {
                    if let SelectItem::ExprWithAlias { expr, alias } = item {
                        if fold(alias) == fold(i) {
                            extra.push(expr);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    groups.extend(extra);
    let aggregated = s.having.is_some()
        || !groups.is_empty()
        || has_aggregate(s.projection.iter().filter_map(|i| match i {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => Some(e),
            _ => None,
        }))
        || has_aggregate(order.iter().map(|o| &o.expr));
    if !aggregated {
        return None;
    }
    let mut columns = Vec::new();
    let mut exprs = HashSet::new();
    for g in &groups {
        match column(g) {
            Some(c) => columns.push(c),
            None => {
                exprs.insert(normalized(g));
            }
        }
    }
    let sources = sources(s, ctes);
    let names: HashSet<String> = sources.iter().map(|(n, _)| n.clone()).collect();
    let using = using_join(s);
    let merged: Vec<String> = using.as_ref().map(|u| u.3.clone()).unwrap_or_default();
    let mut walk = Walk {
        columns: &columns,
        merged: &merged,
        exprs: &exprs,
        names: &names,
        skip: Vec::new(),
        depth: 0,
        inner: HashSet::new(),
        found: Vec::new(),
    };
    // The select list, ORDER BY (PostgreSQL's resjunk entries), then HAVING.
    for item in &s.projection {
        match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                let _ = Visit::visit(e, &mut walk);
            }
            SelectItem::Wildcard(_) => walk.found.push((String::new(), "*".into(), false)),
            SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(n), _) => {
                if let Some(q) = last(n) {
                    walk.found.push((q, "*".into(), false));
                }
            }
            SelectItem::QualifiedWildcard(..) => {}
        }
    }
    let outputs: HashSet<String> = s
        .projection
        .iter()
        .filter_map(|i| match i {
            SelectItem::ExprWithAlias { alias, .. } => Some(fold(alias)),
            SelectItem::UnnamedExpr(e) => column(e).map(|(_, c)| c),
            _ => None,
        })
        .collect();
    for o in order {
        match &o.expr {
            // An output column by number or name: checked in the list.
            Expr::Value(v) if matches!(v.value, Value::Number(..)) => {}
            Expr::Identifier(i) if outputs.contains(&fold(i)) => {}
            e => {
                let _ = Visit::visit(e, &mut walk);
            }
        }
    }
    if let Some(h) = &s.having {
        let _ = Visit::visit(h, &mut walk);
    }
    let Walk { found, inner, .. } = walk;
    let found: Vec<_> = found
        .into_iter()
        .filter(|(q, _, sub)| !(*sub && inner.contains(q)))
        .collect();
    if found.is_empty() {
        return None;
    }
    let mut spec = String::new();
    let mut record = |fields: &[&str]| {
        if !spec.is_empty() {
            spec.push(RECORD);
        }
        spec.push_str(&fields.join(&FIELD.to_string()));
    };
    for (name, kind) in &sources {
        match kind {
            Kind::Table(t) => record(&["s", name, "T", t]),
            Kind::Columns(c) => {
                let mut fields = vec!["s", name.as_str(), "D"];
                fields.extend(c.iter().map(String::as_str));
                record(&fields);
            }
            Kind::Unknown => record(&["s", name, "U"]),
        }
    }
    if let Some((left, right, kind, cols)) = &using {
        for c in cols {
            record(&["u", left, right, kind, c]);
        }
    }
    for (q, c) in &columns {
        record(&["g", q, c]);
    }
    for (q, c, sub) in &found {
        record(&["c", q, c, if *sub { "1" } else { "0" }]);
    }
    Some(spec)
}

/// `a JOIN b USING (c…)` as the whole FROM, both sides named tables or aliases: (left
/// name, right name, kind `i`/`l`/`r`/`f`, merged columns). Longer join chains are not
/// read (their unqualified columns stay grouped for every side).
fn using_join(s: &Select) -> Option<(String, String, &'static str, Vec<String>)> {
    use sqlparser::ast::{JoinConstraint, JoinOperator as J};
    let [from] = s.from.as_slice() else {
        return None;
    };
    let [join] = from.joins.as_slice() else {
        return None;
    };
    let name = |t: &TableFactor| match t {
        TableFactor::Table { name, alias, .. } => match alias {
            Some(a) => Some(fold(&a.name)),
            None => last(name),
        },
        _ => None,
    };
    let (kind, constraint) = match &join.join_operator {
        J::Join(c) | J::Inner(c) => ("i", c),
        J::Left(c) | J::LeftOuter(c) => ("l", c),
        J::Right(c) | J::RightOuter(c) => ("r", c),
        J::FullOuter(c) => ("f", c),
        _ => return None,
    };
    let JoinConstraint::Using(cols) = constraint else {
        return None;
    };
    let cols = cols.iter().map(last).collect::<Option<Vec<_>>>()?;
    Some((name(&from.relation)?, name(&join.relation)?, kind, cols))
}

enum Kind {
    Table(String),
    Columns(Vec<String>),
    Unknown,
}

/// This SELECT's FROM items by the names they are referred to by, in order.
fn sources(s: &Select, ctes: &HashMap<String, Option<Vec<String>>>) -> Vec<(String, Kind)> {
    let mut out = Vec::new();
    let mut factors: Vec<&TableFactor> = Vec::new();
    for twj in &s.from {
        factors.push(&twj.relation);
        factors.extend(twj.joins.iter().map(|j| &j.relation));
    }
    let mut k = 0;
    while k < factors.len() {
        let f = factors[k];
        k += 1;
        match f {
            TableFactor::Table {
                name, alias, args, ..
            } => {
                let Some(table) = last(name) else { continue };
                let refname = alias.as_ref().map_or(table.clone(), |a| fold(&a.name));
                let schema = (name.0.len() == 2)
                    .then(|| name.0.first().and_then(part))
                    .flatten();
                let kind =
                    if args.is_some() || alias.as_ref().is_some_and(|a| !a.columns.is_empty()) {
                        Kind::Unknown
                    } else if name.0.len() == 1 && ctes.contains_key(&table) {
                        match &ctes[&table] {
                            Some(c) => Kind::Columns(c.clone()),
                            None => Kind::Unknown,
                        }
                    } else if name.0.len() == 1 || schema.as_deref() == Some("public") {
                        Kind::Table(table)
                    } else {
                        Kind::Unknown
                    };
                out.push((refname, kind));
            }
            TableFactor::Derived {
                subquery, alias, ..
            } => {
                let Some(alias) = alias else { continue };
                let kind = match derived_columns(subquery, &alias.columns) {
                    Some(c) => Kind::Columns(c),
                    None => Kind::Unknown,
                };
                out.push((fold(&alias.name), kind));
            }
            TableFactor::NestedJoin {
                table_with_joins,
                alias: None,
            } => {
                factors.push(&table_with_joins.relation);
                factors.extend(table_with_joins.joins.iter().map(|j| &j.relation));
            }
            other => {
                if let Some(a) = factor_alias(other) {
                    out.push((a, Kind::Unknown));
                }
            }
        }
    }
    out
}

fn factor_alias(f: &TableFactor) -> Option<String> {
    match f {
        TableFactor::Table { alias, .. }
        | TableFactor::Derived { alias, .. }
        | TableFactor::TableFunction { alias, .. }
        | TableFactor::Function { alias, .. }
        | TableFactor::UNNEST { alias, .. }
        | TableFactor::NestedJoin { alias, .. } => alias.as_ref().map(|a| fold(&a.name)),
        _ => None,
    }
}

/// A subquery's column names as PostgreSQL names them (renamed by an alias list), None
/// when one is not known (`*`).
fn derived_columns(
    q: &Query,
    renamed: &[sqlparser::ast::TableAliasColumnDef],
) -> Option<Vec<String>> {
    let typed = crate::sql::types::analyze(&Statement::Query(Box::new(q.clone())));
    let mut names = Vec::new();
    for c in typed.columns? {
        match c {
            crate::sql::types::Column::Expr { name, .. } => names.push(name),
            // `*` of a table: its columns, read by the engine (`STAR` + name).
            crate::sql::types::Column::All(crate::sql::types::Source {
                kind: crate::sql::types::SourceKind::Table(t),
                ..
            }) if renamed.is_empty() => names.push(format!("{STAR}{t}")),
            crate::sql::types::Column::All(_) => return None,
        }
    }
    for (n, r) in names.iter_mut().zip(renamed) {
        *n = fold(&r.name);
    }
    Some(names)
}

/// Whether any of `items` calls an aggregate of this level (not inside a subquery).
fn has_aggregate<'a>(items: impl Iterator<Item = &'a Expr>) -> bool {
    struct Find {
        depth: usize,
    }
    impl Visitor for Find {
        type Break = ();
        fn pre_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.depth += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.depth -= 1;
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            if self.depth == 0 && is_aggregate(e) {
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        }
    }
    let mut find = Find { depth: 0 };
    let mut found = false;
    for item in items {
        found |= Visit::visit(item, &mut find).is_break();
        find.depth = 0;
    }
    found
}

/// PostgreSQL's aggregates (and GROUPING, whose arguments are checked apart): a call
/// without OVER of one of them, or any call with WITHIN GROUP or FILTER.
fn is_aggregate(e: &Expr) -> bool {
    let Expr::Function(f) = e else { return false };
    if f.over.is_some() {
        return false;
    }
    if !f.within_group.is_empty() || f.filter.is_some() {
        return true;
    }
    let Some(name) = last(&f.name) else {
        return false;
    };
    super::is_pg_aggregate(&name)
        || super::TYPED_AGGREGATES.contains(&name.as_str())
        || [
            "grouping",
            "range_agg",
            "range_intersect_agg",
            "any_value",
            "group_concat",
            "json_group_array",
            "json_group_object",
            "total",
            "rank",
            "dense_rank",
            "percent_rank",
            "cume_dist",
        ]
        .contains(&name.as_str())
}

/// `c` / `t.c` / `s.t.c` as (qualifier, column), folded.
fn column(e: &Expr) -> Option<(String, String)> {
    match e {
        Expr::Identifier(i) => Some((String::new(), fold(i))),
        Expr::CompoundIdentifier(p) if p.len() == 2 || p.len() == 3 => {
            let n = p.len();
            Some((fold(&p[n - 2]), fold(&p[n - 1])))
        }
        Expr::Nested(inner) => column(inner),
        _ => None,
    }
}

/// An expression's text with its columns unqualified and folded: GROUP BY `t.a + 1`
/// matches `a + 1` (a looser match than PostgreSQL's, which only lets more through).
fn normalized(e: &Expr) -> String {
    struct Unqualify;
    impl VisitorMut for Unqualify {
        type Break = ();
        fn post_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<()> {
            match e {
                Expr::CompoundIdentifier(p) if p.len() == 2 || p.len() == 3 => {
                    *e = Expr::Identifier(Ident::new(fold(&p[p.len() - 1])));
                }
                Expr::Identifier(i) => *e = Expr::Identifier(Ident::new(fold(i))),
                _ => {}
            }
            ControlFlow::Continue(())
        }
    }
    let mut e = e.clone();
    let _ = VisitMut::visit(&mut e, &mut Unqualify);
    while let Expr::Nested(inner) = e {
        e = *inner;
    }
    e.to_string()
}

/// The columns to check in one clause of a grouped SELECT.
struct Walk<'a> {
    /// GROUP BY's columns and other expressions.
    columns: &'a [(String, String)],
    /// The columns a `JOIN … USING` merges: which side's column an unqualified one is
    /// depends on the join's kind and the columns' types (the engine's to read).
    merged: &'a [String],
    exprs: &'a HashSet<String>,
    /// The names of this SELECT's FROM items.
    names: &'a HashSet<String>,
    /// Subtrees not looked into: aggregates, GROUP BY expressions.
    skip: Vec<*const Expr>,
    /// Subqueries entered.
    depth: usize,
    /// Names of FROM items inside those subqueries (they hide this level's).
    inner: HashSet<String>,
    /// (qualifier, column, from a subquery).
    found: Vec<(String, String, bool)>,
}

impl Walk<'_> {
    fn grouped(&self, q: &str, c: &str) -> bool {
        // `t1.c` beside GROUP BY `c` of `t1 JOIN t2 USING (c)`: grouped only if the merged
        // column is t1's own (the engine decides).
        let merged = !q.is_empty() && self.merged.iter().any(|m| m == c);
        self.columns
            .iter()
            .any(|(gq, gc)| gc == c && ((gq.is_empty() && !merged) || q.is_empty() || gq == q))
    }
}

impl Visitor for Walk<'_> {
    type Break = ();
    fn pre_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
        self.depth += 1;
        ControlFlow::Continue(())
    }
    fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }
    fn pre_visit_table_factor(&mut self, t: &TableFactor) -> ControlFlow<()> {
        if let TableFactor::Table { name, alias, .. } = t {
            if let Some(n) = last(name) {
                self.inner.insert(n);
            }
            if let Some(a) = alias {
                self.inner.insert(fold(&a.name));
            }
        } else if let Some(a) = factor_alias(t) {
            self.inner.insert(a);
        }
        ControlFlow::Continue(())
    }
    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        if !self.skip.is_empty() {
            return ControlFlow::Continue(());
        }
        let skip = is_aggregate(e)
            || (self.depth == 0
                && !self.exprs.is_empty()
                && column(e).is_none()
                && self.exprs.contains(&normalized(e)));
        if skip {
            self.skip.push(e);
            return ControlFlow::Continue(());
        }
        if matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_)) {
            if let Some((q, c)) = column(e) {
                let outer_ref = self.depth > 0;
                // In a subquery only this level's qualified columns are known to be ours.
                let ours = !outer_ref || (!q.is_empty() && self.names.contains(&q));
                if ours && !self.grouped(&q, &c) {
                    self.found.push((q, c, outer_ref));
                }
            }
        }
        ControlFlow::Continue(())
    }
    fn post_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        if self.skip.last() == Some(&(e as *const Expr)) {
            self.skip.pop();
        }
        ControlFlow::Continue(())
    }
}

fn part(p: &ObjectNamePart) -> Option<String> {
    match p {
        ObjectNamePart::Identifier(i) => Some(fold(i)),
        _ => None,
    }
}

fn last(n: &ObjectName) -> Option<String> {
    n.0.last().and_then(part)
}

/// An identifier as PostgreSQL folds it.
fn fold(i: &Ident) -> String {
    match i.quote_style {
        Some(_) => i.value.clone(),
        None => i.value.to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::parse::parse_one;

    /// The marker's spec written for `pg`, with readable separators.
    fn spec(pg: &str) -> Option<String> {
        let mut stmt = parse_one(pg, 64).unwrap();
        check(&mut stmt);
        let text = stmt.to_string();
        let start = text.find("pg_group_check('")? + "pg_group_check('".len();
        let end = start + text[start..].find('\'')?;
        Some(text[start..end].replace(RECORD, "; ").replace(FIELD, " "))
    }

    #[test]
    fn ungrouped_columns_are_left_to_the_schema() {
        assert_eq!(
            spec("select a, b from t group by a").as_deref(),
            Some("s t T t; g  a; c  b 0")
        );
        assert_eq!(
            spec("select x.a, count(*) from t x").as_deref(),
            Some("s x T t; c x a 0")
        );
        assert_eq!(
            spec("select * from t join u on t.a = u.a group by t.a").as_deref(),
            Some("s t T t; s u T u; g t a; c  * 0")
        );
        // ORDER BY before HAVING, as PostgreSQL checks them; a subquery's own columns
        // are not ours, a column of this level in it is.
        assert_eq!(
            spec("select a from t group by a having c > 0 order by b").as_deref(),
            Some("s t T t; g  a; c  b 0; c  c 0")
        );
        assert_eq!(
            spec("select (select t.b from u where u.c = 1) from t group by a").as_deref(),
            Some("s t T t; g  a; c t b 1")
        );
        // A CTE's and a subquery's columns are known from their lists.
        assert_eq!(
            spec("with w as (select 1 as p, 2 as q) select p, q from w group by p").as_deref(),
            Some("s w D p q; g  p; c  q 0")
        );
        assert_eq!(
            spec("select s.b from (select *, 1 as z from t) s group by s.a").as_deref(),
            Some("s s D \u{1d}t z; g s a; c s b 0")
        );
    }

    #[test]
    fn a_using_joins_merged_column_is_left_to_the_schema() {
        // Which side's f1 GROUP BY f1 is depends on the join and the columns' types.
        assert_eq!(
            spec("select t1.f1 from t1 left join t2 using (f1) group by f1").as_deref(),
            Some("s t1 T t1; s t2 T t2; u t1 t2 l f1; g  f1; c t1 f1 0")
        );
        // The merged column itself, and a column outside the join's, as before.
        assert_eq!(
            spec("select f1 from t1 join t2 using (f1) group by f1"),
            None
        );
        assert_eq!(
            spec("select t1.a from t1 join t2 on t1.a = t2.a group by a"),
            None
        );
    }

    #[test]
    fn grouped_expressions_and_aggregates_pass() {
        for pg in [
            "select a + 1 from t group by a + 1",
            "select t.a + 1 from t group by a + 1",
            "select a, count(b), sum(c) filter (where d > 0) from t group by a",
            "select a as x from t group by x",
            "select a + b as x from t group by x",
            "select a, b from t group by 1, 2",
            "select a from t group by rollup (a)",
            "select count(*) from t order by 1",
            "select a from t order by b",
            "select a, rank() over (order by b) from t",
            "select (select max(t.b) from u) from t group by a",
            "select (select t.b from t) from t group by a",
            "select percentile_cont(0.5) within group (order by b) from t",
            "select 1 from t union select b from t group by b",
        ] {
            assert_eq!(spec(pg), None, "{pg}");
        }
    }
}
