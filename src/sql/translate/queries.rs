//! Query forms SQLite spells differently or lacks, rewritten before the walk (after the
//! typed operators, which find operators by their place in the text):
//! - set operations: parenthesised operands (`(SELECT …) UNION …`), `TABLE t`, and
//!   PostgreSQL's grouping (INTERSECT binds tighter than UNION/EXCEPT; SQLite reads every
//!   compound left to right), made explicit with `SELECT * FROM (…)`; INTERSECT ALL and
//!   EXCEPT ALL (SQLite has only the DISTINCT forms) by numbering equal rows; ORDER BY
//!   names checked against the output columns;
//! - `OFFSET` without `LIMIT`, `FETCH FIRST n ROWS ONLY`, a NULL or negative limit;
//!   `DISTINCT ON` and `FETCH … WITH TIES` as a window over the SELECT;
//! - column aliases on tables, joins and subqueries in FROM (`t1 (a, b, c)`), as a CTE
//!   that names its columns; `LATERAL f(…)` (a function in FROM sees earlier items
//!   anyway) and LATERAL subqueries (through `json_each`); `DELETE … USING` as
//!   `WHERE EXISTS`; ordered-set aggregates (`WITHIN GROUP`) as the engine's;
//! - 0A000 for what SQLite cannot do with PostgreSQL's meaning: data-modifying statements
//!   in a WITH below the top level (PostgreSQL's error too), a SELECT with no columns,
//!   and the forms each rewrite names.

use std::ops::ControlFlow;

use sqlparser::ast::{
    Delete, Expr, FromTable, Function, FunctionArguments, Ident, LimitClause, ObjectName, Offset,
    OffsetRows, Query, SelectItem, SetExpr, SetOperator, SetQuantifier, Statement, TableAlias,
    TableFactor, TableFunctionArgs, Value, VisitMut, VisitorMut,
};

use super::unsupported;
use crate::protocol::{PgError, SqlState};
use crate::sql::parse::parse_one;

/// Rewrites the query forms of `stmt` (see the module doc).
pub(super) fn rewrite(stmt: &mut Statement) -> Result<(), PgError> {
    if let Statement::CreateTable(ct) = stmt {
        if ct.columns.is_empty()
            && ct.constraints.is_empty()
            && ct.query.is_none()
            && ct.like.is_none()
            && ct.clone.is_none()
        {
            return Err(unsupported("a table with no columns"));
        }
    }
    super::no_columns::fill(stmt);
    let mut r = Rewriter { names: 0 };
    if let ControlFlow::Break(e) = stmt.visit(&mut r) {
        return Err(e);
    }
    match stmt {
        Statement::Delete(d) => delete_using(d)?,
        Statement::Query(q) => {
            if let SetExpr::Delete(Statement::Delete(d)) = q.body.as_mut() {
                delete_using(d)?;
            }
        }
        _ => {}
    }
    Ok(())
}

struct Rewriter {
    /// Names made so far (CTE names must not meet the tables they read).
    names: usize,
}

impl VisitorMut for Rewriter {
    type Break = PgError;

    fn pre_visit_query(&mut self, q: &mut Query) -> ControlFlow<PgError> {
        // Before the FROM items lose their alias lists.
        if let Err(e) = merged_columns_lead(q)
            .and_then(|()| self.lateral(q))
            .and_then(|()| super::having::without_grouping(q))
        {
            return ControlFlow::Break(e);
        }
        if let Some(with) = &q.with {
            if with.cte_tables.iter().any(|c| {
                matches!(
                    c.query.body.as_ref(),
                    SetExpr::Insert(_)
                        | SetExpr::Update(_)
                        | SetExpr::Delete(_)
                        | SetExpr::Merge(_)
                )
            }) {
                // The top level's were made a batch (modifying.rs) before the walk.
                return ControlFlow::Break(PgError::new(
                    SqlState::FEATURE_NOT_SUPPORTED,
                    "WITH clause containing a data-modifying statement must be at the top level",
                ));
            }
        }
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, q: &mut Query) -> ControlFlow<PgError> {
        match self.query(q) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => ControlFlow::Break(e),
        }
    }

    fn pre_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<PgError> {
        // `EXISTS (SELECT FROM …)`: no columns are needed, SQLite wants one.
        if let Expr::Exists { subquery, .. } = e {
            fill_empty_selects(&mut subquery.body);
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<PgError> {
        if let Expr::Function(f) = e {
            if !f.within_group.is_empty() {
                match within_group(f) {
                    Ok(call) => *e = call,
                    Err(err) => return ControlFlow::Break(err),
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, t: &mut TableFactor) -> ControlFlow<PgError> {
        match self.table_factor(t) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => ControlFlow::Break(e),
        }
    }
}

impl Rewriter {
    /// `FROM a, LATERAL (q) AS s`: SQLite lets only a table-valued function's arguments
    /// see the FROM items before it, so `s` becomes `json_each((SELECT
    /// json_group_array(json_array(c1, …)) FROM (q))) AS s`, q's rows as JSON arrays, and
    /// `s.c` (or `c`, in this SELECT) `json_extract(s.value, '$[i]')`; `*` lists the
    /// other items' columns and s's. Values keep their SQLite type through JSON.
    fn lateral(&mut self, q: &mut Query) -> Result<(), PgError> {
        let SetExpr::Select(s) = q.body.as_mut() else {
            return Ok(());
        };
        let mut found: Vec<(String, Vec<String>)> = Vec::new();
        for item in &mut s.from {
            let relations = std::iter::once(&mut item.relation)
                .chain(item.joins.iter_mut().map(|j| &mut j.relation));
            for relation in relations {
                let TableFactor::Derived {
                    lateral: true,
                    subquery,
                    alias,
                } = relation
                else {
                    continue;
                };
                let Some(alias) = alias.take() else {
                    return Err(unsupported("a LATERAL subquery without an alias"));
                };
                let names: Vec<String> = if alias.columns.is_empty() {
                    exact_names(&subquery.body)
                        .ok_or_else(|| unsupported("a LATERAL subquery with *"))?
                } else {
                    alias.columns.iter().map(|c| folded(&c.name)).collect()
                };
                let inner: Vec<String> = (1..=names.len()).map(|i| format!("\"c{i}\"")).collect();
                let cte = self.fresh("lateral");
                let cols = inner.join(", ");
                let mut gather = query_of_text(&format!(
                    "SELECT json_group_array(json_array({cols})) FROM \
                     (WITH {cte}({cols}) AS (SELECT 1) SELECT * FROM {cte})"
                ))?;
                if let SetExpr::Select(g) = gather.body.as_mut() {
                    if let TableFactor::Derived {
                        subquery: inner, ..
                    } = &mut g.from[0].relation
                    {
                        if let Some(with) = &mut inner.with {
                            with.cte_tables[0].query =
                                std::mem::replace(subquery, Box::new(empty_query()));
                        }
                    }
                }
                // Quoted: json.rs reads a bare `json_each` as PostgreSQL's.
                let mut each = table(
                    ObjectName::from(vec![Ident::with_quote('"', "json_each")]),
                    Some(TableAlias {
                        name: alias.name.clone(),
                        columns: vec![],
                    }),
                );
                if let TableFactor::Table { args, .. } = &mut each {
                    *args = Some(TableFunctionArgs {
                        args: vec![sqlparser::ast::FunctionArg::Unnamed(
                            sqlparser::ast::FunctionArgExpr::Expr(Expr::Subquery(gather)),
                        )],
                        settings: None,
                    });
                }
                *relation = each;
                found.push((folded(&alias.name), names));
            }
        }
        if found.is_empty() {
            return Ok(());
        }
        expand_lateral_wildcards(s, &found)?;
        let mut refs = LateralRefs {
            found: &found,
            depth: 0,
        };
        if let ControlFlow::Break(e) = q.visit(&mut refs) {
            return Err(e);
        }
        Ok(())
    }

    fn fresh(&mut self, what: &str) -> Ident {
        self.names += 1;
        Ident::with_quote('"', format!("{what} {}", self.names))
    }

    fn query(&mut self, q: &mut Query) -> Result<(), PgError> {
        windowed(q)?;
        limits(q)?;
        // `((SELECT …))` as a whole query: the parentheses go.
        loop {
            let outer_plain = plain(q);
            let SetExpr::Query(inner) = q.body.as_mut() else {
                break;
            };
            if outer_plain {
                let inner = std::mem::replace(inner.as_mut(), empty_query());
                *q = inner;
            } else if plain(inner) {
                let body = std::mem::replace(&mut inner.body, Box::new(empty_body()));
                q.body = body;
            } else {
                break;
            }
        }
        set_order_names(q)?;
        self.set_expr(&mut q.body)?;
        if let SetExpr::Select(s) = q.body.as_ref() {
            if s.projection.is_empty() {
                return Err(no_columns(s));
            }
        }
        Ok(())
    }

    /// A query body with PostgreSQL's grouping, in forms SQLite reads.
    fn set_expr(&mut self, body: &mut SetExpr) -> Result<(), PgError> {
        match body {
            SetExpr::Table(t) => {
                let name = match (&t.schema_name, &t.table_name) {
                    (Some(s), Some(n)) => format!("{s}.{n}"),
                    (None, Some(n)) => n.clone(),
                    _ => return Err(unsupported("this TABLE command")),
                };
                *body = select_star_from(&name)?;
            }
            SetExpr::SetOperation {
                op,
                set_quantifier,
                left,
                right,
            } => {
                self.operand(left, false)?;
                self.operand(right, true)?;
                if let SetExpr::Select(s) = left.as_ref() {
                    if s.projection.is_empty() {
                        return Err(no_columns(s));
                    }
                }
                let all = matches!(
                    set_quantifier,
                    SetQuantifier::All | SetQuantifier::AllByName
                );
                if all && matches!(op, SetOperator::Intersect | SetOperator::Except) {
                    let op = *op;
                    let l = std::mem::replace(left.as_mut(), empty_body());
                    let r = std::mem::replace(right.as_mut(), empty_body());
                    *body = self.numbered(op, l, r)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// One side of a set operation: SQLite takes SELECT or VALUES; a compound only on the
    /// left (it reads left to right).
    fn operand(&mut self, side: &mut SetExpr, right: bool) -> Result<(), PgError> {
        loop {
            match side {
                SetExpr::Query(q) if plain(q) => {
                    let body = std::mem::replace(q.body.as_mut(), empty_body());
                    *side = body;
                }
                _ => break,
            }
        }
        self.set_expr(side)?;
        let wrap = match side {
            SetExpr::Query(_) => true,
            SetExpr::SetOperation { .. } => right,
            _ => false,
        };
        if wrap {
            let taken = std::mem::replace(side, empty_body());
            *side = select_star_from_query(query_of(taken))?;
        }
        Ok(())
    }

    /// `l INTERSECT ALL r` / `l EXCEPT ALL r`: each row numbered among its equals on
    /// both sides, so that the DISTINCT operation keeps PostgreSQL's multiplicities
    /// (min(m, n) for INTERSECT ALL, max(m - n, 0) for EXCEPT ALL).
    fn numbered(&mut self, op: SetOperator, l: SetExpr, r: SetExpr) -> Result<SetExpr, PgError> {
        let what = format!("{op} ALL");
        let names = output_names(&l).ok_or_else(|| unsupported(format!("{what} of SELECT *")))?;
        let columns = names
            .iter()
            .map(|n| Ident::with_quote('"', n).to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let (ln, rn) = (self.fresh("left"), self.fresh("right"));
        let sql = format!(
            "SELECT {columns} FROM (WITH {ln}({columns}) AS ({l}), {rn}({columns}) AS ({r}) \
             SELECT {columns}, row_number() OVER (PARTITION BY {columns}) FROM {ln} \
             {op} SELECT {columns}, row_number() OVER (PARTITION BY {columns}) FROM {rn})"
        );
        Ok(*query_of_text(&sql)?.body)
    }

    fn table_factor(&mut self, t: &mut TableFactor) -> Result<(), PgError> {
        match t {
            // A function in FROM sees the items before it, LATERAL or not.
            TableFactor::Function {
                name, args, alias, ..
            } => {
                let mut f = table(name.clone(), alias.take());
                if let TableFactor::Table { args: a, .. } = &mut f {
                    *a = Some(TableFunctionArgs {
                        args: std::mem::take(args),
                        settings: None,
                    });
                }
                *t = f;
            }
            // Left by `lateral` (not in a SELECT's FROM list, or a form it refuses).
            TableFactor::Derived { lateral: true, .. } => {
                return Err(unsupported("a LATERAL subquery here"));
            }
            // `(a JOIN b) AS j (x, y)`: SQLite has no alias on a join. Without a column
            // list, `SELECT * FROM (a JOIN b)` would rename the columns the sides share
            // (`f1:1`), where PostgreSQL finds them ambiguous.
            TableFactor::NestedJoin {
                alias: Some(alias), ..
            } if alias.columns.is_empty() => {
                return Err(unsupported("an alias on a parenthesised join"));
            }
            TableFactor::NestedJoin {
                table_with_joins,
                alias: alias @ Some(_),
            } => {
                let mut q = query_of_text("SELECT * FROM t")?;
                let SetExpr::Select(s) = q.body.as_mut() else {
                    return Err(unexpected());
                };
                s.from = vec![table_with_joins.as_ref().clone()];
                *t = TableFactor::Derived {
                    lateral: false,
                    subquery: q,
                    alias: alias.take(),
                };
                self.table_factor(t)?;
            }
            TableFactor::Table {
                name,
                alias: Some(alias),
                args: None,
                ..
            } if !alias.columns.is_empty() => {
                let q = query_of_text(&format!("SELECT * FROM {name}"))?;
                *t = TableFactor::Derived {
                    lateral: false,
                    subquery: q,
                    alias: Some(alias.clone()),
                };
                self.table_factor(t)?;
            }
            // `(subquery) AS t(a, b)`: a CTE may name its columns, so this becomes
            // `(WITH "t n"(a, b) AS (subquery) SELECT * FROM "t n") AS t` (the CTE's own
            // name, so that it cannot meet a table the subquery reads).
            TableFactor::Derived {
                subquery,
                alias: Some(alias),
                ..
            } if !alias.columns.is_empty() => {
                let cte = self.fresh(&alias.name.value);
                let named = TableAlias {
                    name: cte.clone(),
                    columns: std::mem::take(&mut alias.columns),
                };
                let sql = format!("WITH {named} AS (SELECT 1) SELECT * FROM {cte}");
                let mut q = query_of_text(&sql)?;
                if let Some(with) = &mut q.with {
                    with.cte_tables[0].query = std::mem::replace(subquery, Box::new(empty_query()));
                }
                *subquery = q;
            }
            _ => {}
        }
        Ok(())
    }
}

/// An ordered-set or hypothetical-set aggregate, `f(direct…) WITHIN GROUP (ORDER BY
/// keys…)`, as the engine's aggregate (engine/pgfuncs/ordered_set.rs) with the keys as
/// arguments and their directions as a string.
fn within_group(f: &mut Function) -> Result<Expr, PgError> {
    let name = last_name(&f.name).to_ascii_lowercase();
    if f.over.is_some() {
        return Err(PgError::new(
            SqlState::FEATURE_NOT_SUPPORTED,
            format!("OVER is not supported for ordered-set aggregate {name}"),
        ));
    }
    if let FunctionArguments::List(list) = &f.args {
        if list
            .clauses
            .iter()
            .any(|c| matches!(c, sqlparser::ast::FunctionArgumentClause::OrderBy(_)))
        {
            return Err(PgError::new(
                SqlState::SYNTAX_ERROR,
                "cannot use multiple ORDER BY clauses with WITHIN GROUP",
            ));
        }
    }
    let direct: Vec<Expr> = match &f.args {
        FunctionArguments::None => vec![],
        _ => super::plain_args(f)
            .ok_or_else(|| unsupported(format!("this call of {name}")))?
            .into_iter()
            .cloned()
            .collect(),
    };
    let mut dirs = String::new();
    let mut keys = Vec::with_capacity(f.within_group.len());
    for o in &f.within_group {
        let asc = o.options.asc != Some(false);
        dirs.push(if asc { 'a' } else { 'd' });
        dirs.push(if o.options.nulls_first.unwrap_or(!asc) {
            'f'
        } else {
            'l'
        });
        keys.push(o.expr.clone());
    }
    let no_such = || {
        PgError::new(
            SqlState::UNDEFINED_FUNCTION,
            format!(
                "function {name} with {} direct and {} ordering arguments does not exist",
                direct.len(),
                keys.len()
            ),
        )
    };
    let dirs = super::string(&dirs);
    let args = match name.as_str() {
        "percentile_cont" | "percentile_disc" => {
            if direct.len() != 1 || keys.len() != 1 {
                return Err(no_such());
            }
            vec![direct[0].clone(), dirs, keys[0].clone()]
        }
        "mode" => {
            if !direct.is_empty() || keys.len() != 1 {
                return Err(no_such());
            }
            vec![dirs, keys[0].clone()]
        }
        "rank" | "dense_rank" | "percent_rank" | "cume_dist" => {
            if direct.len() != keys.len() {
                return Err(no_such());
            }
            let mut args = vec![super::string(&name), dirs];
            args.extend(direct);
            args.extend(keys);
            args
        }
        _ => return Err(unsupported(format!("{name}() WITHIN GROUP"))),
    };
    let target = match name.as_str() {
        "percentile_cont" | "percentile_disc" | "mode" => format!("pg_{name}"),
        // Its own name: over no rows its answer (0) is the one the kind cannot tell.
        "percent_rank" => "pg_hypothetical_percent_rank".to_string(),
        _ => "pg_hypothetical".to_string(),
    };
    let mut call = super::call(&target, args);
    if let Expr::Function(g) = &mut call {
        g.filter = f.filter.take();
    }
    Ok(call)
}

/// `SELECT DISTINCT ON (k) …` and `… ORDER BY o FETCH FIRST n ROWS WITH TIES`, which
/// SQLite lacks, as a window over the SELECT: the first row of each `k` in the order `o`
/// (`row_number() … = 1`), the rows ranked up to `n` (`rank() … <= n`). The SELECT's
/// columns are named (positions and aliases in ORDER BY and DISTINCT ON read as their
/// expressions) and the sort keys carried out beside them, so that the query around
/// sorts by them and returns only the SELECT's columns.
fn windowed(q: &mut Query) -> Result<(), PgError> {
    let ties = q.fetch.as_ref().is_some_and(|f| f.with_ties);
    let SetExpr::Select(s) = q.body.as_mut() else {
        return Ok(());
    };
    let keys = match &s.distinct {
        Some(sqlparser::ast::Distinct::On(keys)) => Some(keys.clone()),
        _ => None,
    };
    if keys.is_none() && !ties {
        return Ok(());
    }
    let what = if keys.is_some() {
        "DISTINCT ON"
    } else {
        "FETCH FIRST … WITH TIES"
    };
    let mut names: Vec<String> = Vec::with_capacity(s.projection.len());
    let mut items: Vec<Expr> = Vec::with_capacity(s.projection.len());
    let mut aliases: Vec<(String, Expr)> = Vec::new();
    for (i, item) in s.projection.iter().enumerate() {
        let (name, e) = match item {
            SelectItem::ExprWithAlias { expr, alias } => {
                aliases.push((folded(alias), expr.clone()));
                (alias.value.clone(), expr.clone())
            }
            SelectItem::UnnamedExpr(e @ Expr::Identifier(c)) => (c.value.clone(), e.clone()),
            SelectItem::UnnamedExpr(e @ Expr::CompoundIdentifier(p)) => (
                p.last().map(|l| l.value.clone()).unwrap_or_default(),
                e.clone(),
            ),
            SelectItem::UnnamedExpr(e) => (format!("?column? {}", i + 1), e.clone()),
            _ => return Err(unsupported(format!("{what} with *"))),
        };
        let name = if names.contains(&name) {
            format!("{name} {}", i + 1)
        } else {
            name
        };
        names.push(name);
        items.push(e);
    }
    // `ORDER BY 2`, `ORDER BY alias`: the SELECT's expression.
    let resolve = |e: &Expr| -> Expr {
        match e {
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) => match n.parse::<usize>() {
                    Ok(k) if (1..=items.len()).contains(&k) => items[k - 1].clone(),
                    _ => e.clone(),
                },
                _ => e.clone(),
            },
            Expr::Identifier(c) => aliases
                .iter()
                .find(|(a, _)| *a == folded(c))
                .map_or_else(|| e.clone(), |(_, x)| x.clone()),
            _ => e.clone(),
        }
    };
    let mut order: Vec<sqlparser::ast::OrderByExpr> = match &q.order_by {
        Some(o) => match &o.kind {
            sqlparser::ast::OrderByKind::Expressions(exprs) => exprs.clone(),
            _ => return Err(unsupported(format!("{what} with this ORDER BY"))),
        },
        None => vec![],
    };
    for o in &mut order {
        o.expr = resolve(&o.expr);
    }
    let list = |exprs: &mut dyn Iterator<Item = String>| exprs.collect::<Vec<_>>().join(", ");
    let order_text = list(&mut order.iter().map(|o| o.to_string()));
    let (window, keep) = match &keys {
        Some(keys) => {
            let keys: Vec<Expr> = keys.iter().map(resolve).collect();
            let texts: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
            // PostgreSQL: the leftmost ORDER BY expressions must be the DISTINCT ON ones.
            let leading = order.iter().take(texts.len());
            if !order.is_empty()
                && (leading
                    .clone()
                    .any(|o| !texts.contains(&o.expr.to_string()))
                    || (order.len() < texts.len()
                        && texts
                            .iter()
                            .any(|t| !order.iter().any(|o| o.expr.to_string() == *t))))
            {
                return Err(PgError::new(
                    SqlState::INVALID_COLUMN_REFERENCE,
                    "SELECT DISTINCT ON expressions must match initial ORDER BY expressions",
                ));
            }
            let by = if order.is_empty() {
                String::new()
            } else {
                format!(" ORDER BY {order_text}")
            };
            (
                format!(
                    "row_number() OVER (PARTITION BY {}{by})",
                    list(&mut texts.into_iter())
                ),
                "= 1".to_string(),
            )
        }
        None => {
            let Some(fetch) = q.fetch.as_ref() else {
                return Err(unexpected());
            };
            if order.is_empty() {
                return Err(PgError::new(
                    SqlState::SYNTAX_ERROR,
                    "WITH TIES cannot be specified without ORDER BY clause",
                ));
            }
            let n = match &fetch.quantity {
                None => "1".to_string(),
                Some(Expr::Value(v)) if matches!(v.value, Value::Number(..)) => v.to_string(),
                Some(_) => return Err(unsupported("FETCH FIRST … WITH TIES of an expression")),
            };
            let offset = matches!(
                &q.limit_clause,
                Some(LimitClause::LimitOffset {
                    offset: Some(_),
                    ..
                })
            );
            if offset || fetch.percent {
                return Err(unsupported("FETCH FIRST … WITH TIES with OFFSET"));
            }
            (
                format!("rank() OVER (ORDER BY {order_text})"),
                format!("<= {n}"),
            )
        }
    };
    let quoted = |n: &str| Ident::with_quote('"', n).to_string();
    let mut inner_items: Vec<String> = items
        .iter()
        .zip(&names)
        .map(|(e, n)| format!("{e} AS {}", quoted(n)))
        .collect();
    inner_items.push(format!("{window} AS \"row in order\""));
    for (j, o) in order.iter().enumerate() {
        inner_items.push(format!("{} AS \"order {}\"", o.expr, j + 1));
    }
    let template = format!(
        "SELECT {} FROM (SELECT {} FROM t) WHERE \"row in order\" {keep}",
        list(&mut names.iter().map(|n| quoted(n))),
        inner_items.join(", ")
    );
    let mut outer = query_of_text(&template)?;
    let SetExpr::Select(outer_select) = outer.body.as_mut() else {
        return Err(unexpected());
    };
    let TableFactor::Derived { subquery, .. } = &mut outer_select.from[0].relation else {
        return Err(unexpected());
    };
    let SetExpr::Select(inner) = subquery.body.as_mut() else {
        return Err(unexpected());
    };
    // The user's SELECT with the new columns.
    let mut taken = std::mem::replace(s.as_mut(), inner.as_ref().clone());
    taken.projection = std::mem::take(&mut inner.projection);
    taken.distinct = None;
    **inner = taken;
    *q.body = std::mem::replace(outer.body.as_mut(), empty_body());
    if let Some(o) = &mut q.order_by {
        if let sqlparser::ast::OrderByKind::Expressions(exprs) = &mut o.kind {
            for (j, e) in exprs.iter_mut().enumerate() {
                e.expr = Expr::Identifier(Ident::with_quote('"', format!("order {}", j + 1)));
            }
        }
    }
    if ties {
        q.fetch = None;
    }
    Ok(())
}

/// LIMIT and OFFSET as SQLite takes them: `OFFSET n` alone gets `LIMIT -1`, `FETCH FIRST n
/// ROWS ONLY` is `LIMIT n`; a literal must not be negative (PostgreSQL's 2201W/2201X),
/// any other expression is checked by `pg_limit`/`pg_offset` (NULL is no limit).
fn limits(q: &mut Query) -> Result<(), PgError> {
    if let Some(fetch) = q.fetch.take() {
        if fetch.with_ties {
            if q.order_by.is_none() {
                return Err(PgError::new(
                    SqlState::SYNTAX_ERROR,
                    "WITH TIES cannot be specified without ORDER BY clause",
                ));
            }
            return Err(unsupported("FETCH FIRST … WITH TIES"));
        }
        if fetch.percent {
            return Err(unsupported("FETCH FIRST … PERCENT"));
        }
        let n = fetch.quantity.unwrap_or_else(|| Expr::value(number("1")));
        match &mut q.limit_clause {
            Some(LimitClause::LimitOffset { limit, .. }) if limit.is_none() => *limit = Some(n),
            None => {
                q.limit_clause = Some(LimitClause::LimitOffset {
                    limit: Some(n),
                    offset: None,
                    limit_by: vec![],
                })
            }
            _ => {
                return Err(PgError::new(
                    SqlState::SYNTAX_ERROR,
                    "multiple LIMIT clauses not allowed",
                ))
            }
        }
    }
    let Some(LimitClause::LimitOffset { limit, offset, .. }) = &mut q.limit_clause else {
        return Ok(());
    };
    match limit {
        Some(e) => checked(e, "LIMIT")?,
        None if offset.is_some() => *limit = Some(Expr::value(number("-1"))),
        None => {}
    }
    if let Some(Offset { value, rows }) = offset {
        checked(value, "OFFSET")?;
        *rows = OffsetRows::None;
    }
    Ok(())
}

/// A LIMIT or OFFSET count: a literal checked now, anything else by the engine.
fn checked(e: &mut Expr, clause: &str) -> Result<(), PgError> {
    let literal = match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => Some(n.starts_with('-')),
            _ => None,
        },
        Expr::UnaryOp {
            op: sqlparser::ast::UnaryOperator::Minus,
            expr,
        } if matches!(expr.as_ref(), Expr::Value(_)) => Some(true),
        _ => None,
    };
    match literal {
        Some(true) => Err(PgError::new(
            if clause == "LIMIT" {
                SqlState::INVALID_ROW_COUNT_IN_LIMIT_CLAUSE
            } else {
                SqlState::INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE
            },
            format!("{clause} must not be negative"),
        )),
        Some(false) => Ok(()),
        None => {
            let f = if clause == "LIMIT" {
                "pg_limit"
            } else {
                "pg_offset"
            };
            let taken = std::mem::replace(e, Expr::value(Value::Null));
            *e = super::call(f, vec![taken]);
            Ok(())
        }
    }
}

/// The names a SELECT's columns certainly have (aliases, column names); None when a
/// `*` or an unnamed expression leaves one unsure.
pub(super) fn exact_names(body: &SetExpr) -> Option<Vec<String>> {
    match body {
        SetExpr::Select(s) => s
            .projection
            .iter()
            .map(|item| match item {
                SelectItem::ExprWithAlias { alias, .. } => Some(folded(alias)),
                SelectItem::UnnamedExpr(Expr::Identifier(c)) => Some(folded(c)),
                SelectItem::UnnamedExpr(Expr::CompoundIdentifier(p)) => p.last().map(folded),
                _ => None,
            })
            .collect(),
        SetExpr::SetOperation { left, .. } => exact_names(left),
        SetExpr::Query(q) => exact_names(&q.body),
        _ => None,
    }
}

/// The SQLite expression for column `i` of LATERAL source `alias`.
fn lateral_column(alias: &str, i: usize) -> Expr {
    super::call(
        "json_extract",
        vec![
            Expr::CompoundIdentifier(vec![Ident::with_quote('"', alias), Ident::new("value")]),
            super::string(&format!("$[{i}]")),
        ],
    )
}

/// `*` and `s.*` of a SELECT with LATERAL sources: each item's own columns (json_each's
/// are not PostgreSQL's).
fn expand_lateral_wildcards(
    s: &mut sqlparser::ast::Select,
    found: &[(String, Vec<String>)],
) -> Result<(), PgError> {
    let columns_of = |alias: &str| -> Option<Vec<SelectItem>> {
        let (_, names) = found.iter().find(|(a, _)| a == alias)?;
        Some(
            names
                .iter()
                .enumerate()
                .map(|(i, n)| SelectItem::ExprWithAlias {
                    expr: lateral_column(alias, i),
                    alias: Ident::with_quote('"', n),
                })
                .collect(),
        )
    };
    let mut out = Vec::with_capacity(s.projection.len());
    for item in std::mem::take(&mut s.projection) {
        match item {
            SelectItem::Wildcard(_) => {
                for from in &s.from {
                    if from.joins.iter().any(|j| {
                        !matches!(j.join_operator, sqlparser::ast::JoinOperator::CrossJoin(_))
                            && matches!(
                                join_constraint(&j.join_operator),
                                Some(
                                    sqlparser::ast::JoinConstraint::Using(_)
                                        | sqlparser::ast::JoinConstraint::Natural
                                )
                            )
                    }) {
                        return Err(unsupported("SELECT * over LATERAL and USING joins"));
                    }
                    let relations = std::iter::once(&from.relation)
                        .chain(from.joins.iter().map(|j| &j.relation));
                    for r in relations {
                        let name = match r {
                            TableFactor::Table {
                                name,
                                alias,
                                args: None,
                                ..
                            } => match alias {
                                Some(a) => a.name.clone(),
                                None => Ident::new(last_name(name)),
                            },
                            TableFactor::Table {
                                alias: Some(a),
                                name,
                                ..
                            } if last_name(name) == "json_each" => {
                                match columns_of(&folded(&a.name)) {
                                    Some(cols) => {
                                        out.extend(cols);
                                        continue;
                                    }
                                    None => {
                                        return Err(unsupported(
                                            "SELECT * over LATERAL and this FROM item",
                                        ))
                                    }
                                }
                            }
                            TableFactor::Derived { alias: Some(a), .. } => a.name.clone(),
                            _ => {
                                return Err(unsupported("SELECT * over LATERAL and this FROM item"))
                            }
                        };
                        out.push(SelectItem::QualifiedWildcard(
                            sqlparser::ast::SelectItemQualifiedWildcardKind::ObjectName(
                                ObjectName::from(vec![name]),
                            ),
                            Default::default(),
                        ));
                    }
                }
            }
            SelectItem::QualifiedWildcard(
                sqlparser::ast::SelectItemQualifiedWildcardKind::ObjectName(n),
                options,
            ) => match columns_of(&last_name(&n).to_lowercase()) {
                Some(cols) => out.extend(cols),
                None => out.push(SelectItem::QualifiedWildcard(
                    sqlparser::ast::SelectItemQualifiedWildcardKind::ObjectName(n),
                    options,
                )),
            },
            other => out.push(other),
        }
    }
    s.projection = out;
    Ok(())
}

fn join_constraint(op: &sqlparser::ast::JoinOperator) -> Option<&sqlparser::ast::JoinConstraint> {
    use sqlparser::ast::JoinOperator as J;
    match op {
        J::Join(c)
        | J::Inner(c)
        | J::Left(c)
        | J::LeftOuter(c)
        | J::Right(c)
        | J::RightOuter(c)
        | J::FullOuter(c) => Some(c),
        _ => None,
    }
}

/// References to LATERAL sources' columns: `s.c` anywhere in the query, `c` alone in the
/// SELECT itself (not in its subqueries, which have their own FROM).
struct LateralRefs<'a> {
    found: &'a [(String, Vec<String>)],
    depth: usize,
}

impl VisitorMut for LateralRefs<'_> {
    type Break = PgError;

    fn pre_visit_query(&mut self, _: &mut Query) -> ControlFlow<PgError> {
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _: &mut Query) -> ControlFlow<PgError> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    /// `i.indoption[k.i - 1]` parses as `i` then `.indoption` then `[…]`: `i` qualifies
    /// the column (a table alias goes before a lateral column named `i`, as in
    /// PostgreSQL), so the qualified name is made the root before its parts are read.
    fn pre_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<PgError> {
        use sqlparser::ast::AccessExpr;
        if let Expr::CompoundFieldAccess { root, access_chain } = e {
            if let (Expr::Identifier(t), Some(AccessExpr::Dot(Expr::Identifier(f)))) =
                (root.as_ref(), access_chain.first())
            {
                **root = Expr::CompoundIdentifier(vec![t.clone(), f.clone()]);
                access_chain.remove(0);
                if access_chain.is_empty() {
                    let qualified = std::mem::replace(root.as_mut(), Expr::value(Value::Null));
                    *e = qualified;
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<PgError> {
        let hit = match e {
            Expr::CompoundIdentifier(p) if p.len() == 2 => {
                let (t, c) = (folded(&p[0]), folded(&p[1]));
                self.found
                    .iter()
                    .find(|(a, _)| *a == t)
                    .and_then(|(a, names)| Some((a.clone(), names.iter().position(|n| *n == c)?)))
            }
            Expr::Identifier(c) if self.depth == 1 => {
                let c = folded(c);
                self.found
                    .iter()
                    .find_map(|(a, names)| Some((a.clone(), names.iter().position(|n| *n == c)?)))
            }
            _ => None,
        };
        if let Some((alias, i)) = hit {
            *e = lateral_column(&alias, i);
        }
        ControlFlow::Continue(())
    }
}

/// `SELECT * FROM a (x, y) JOIN b USING (y)`: PostgreSQL lists the merged columns first,
/// SQLite where the left side has them. Where the alias list shows they differ (the
/// merged columns do not lead the left side's, in order), 0A000.
fn merged_columns_lead(q: &Query) -> Result<(), PgError> {
    use sqlparser::ast::{JoinConstraint, JoinOperator as J};
    let SetExpr::Select(s) = q.body.as_ref() else {
        return Ok(());
    };
    if !s
        .projection
        .iter()
        .any(|i| matches!(i, SelectItem::Wildcard(_)))
    {
        return Ok(());
    }
    let names = |t: &TableFactor| -> Option<Vec<String>> {
        let alias = match t {
            TableFactor::Table { alias, .. } | TableFactor::Derived { alias, .. } => alias,
            _ => return None,
        };
        let cols = &alias.as_ref()?.columns;
        (!cols.is_empty()).then(|| cols.iter().map(|c| c.name.value.clone()).collect())
    };
    for from in &s.from {
        let Some(join) = from.joins.first() else {
            continue;
        };
        let Some(left) = names(&from.relation) else {
            continue;
        };
        let constraint = match &join.join_operator {
            J::Join(c)
            | J::Inner(c)
            | J::Left(c)
            | J::LeftOuter(c)
            | J::Right(c)
            | J::RightOuter(c)
            | J::FullOuter(c) => c,
            _ => continue,
        };
        let merged: Vec<String> = match constraint {
            JoinConstraint::Using(cols) => cols.iter().map(last_name).collect(),
            JoinConstraint::Natural => match names(&join.relation) {
                Some(right) => left.iter().filter(|c| right.contains(c)).cloned().collect(),
                None => continue,
            },
            _ => continue,
        };
        if !left.starts_with(&merged) {
            return Err(unsupported(
                "SELECT * over a join whose merged columns do not lead its left side",
            ));
        }
    }
    Ok(())
}

/// `DELETE FROM t USING a, b WHERE c` → `DELETE FROM t WHERE EXISTS (SELECT 1 FROM a, b
/// WHERE c)`: the rows of `t` some row of the join matches. A subquery in USING would
/// see `t` there (PostgreSQL's 42703/42P01), so it is refused; RETURNING may name only the
/// target's columns, qualified (PostgreSQL's also reads the USING tables).
fn delete_using(d: &mut Delete) -> Result<(), PgError> {
    let Some(using) = d.using.take() else {
        return Ok(());
    };
    let target = match &d.from {
        FromTable::WithFromKeyword(f) | FromTable::WithoutKeyword(f) if f.len() == 1 => &f[0],
        _ => return Err(unsupported("this DELETE … USING")),
    };
    let target_name = match &target.relation {
        TableFactor::Table { name, alias, .. } => match alias {
            Some(a) => a.name.value.clone(),
            None => last_name(name),
        },
        _ => return Err(unsupported("this DELETE … USING")),
    };
    if let Some(returning) = &d.returning {
        let own = returning.iter().all(|item| match item {
            SelectItem::UnnamedExpr(Expr::CompoundIdentifier(p))
            | SelectItem::ExprWithAlias {
                expr: Expr::CompoundIdentifier(p),
                ..
            } => p.len() == 2 && p[0].value.eq_ignore_ascii_case(&target_name),
            _ => false,
        });
        if !own {
            return Err(unsupported(
                "RETURNING of DELETE … USING other than the target's qualified columns",
            ));
        }
    }
    let plain_tables = using.iter().all(|item| {
        std::iter::once(&item.relation)
            .chain(item.joins.iter().map(|j| &j.relation))
            .all(|r| matches!(r, TableFactor::Table { args: None, .. }))
    });
    if !plain_tables {
        return Err(unsupported("a subquery or function in DELETE … USING"));
    }
    let mut exists = query_of_text("SELECT 1 FROM t")?;
    let SetExpr::Select(s) = exists.body.as_mut() else {
        return Err(unexpected());
    };
    s.from = using;
    s.selection = d.selection.take();
    d.selection = Some(Expr::Exists {
        subquery: exists,
        negated: false,
    });
    Ok(())
}

/// A table (or function, with `args`) in FROM.
fn table(name: ObjectName, alias: Option<TableAlias>) -> TableFactor {
    TableFactor::Table {
        name,
        alias,
        args: None,
        with_hints: vec![],
        version: None,
        with_ordinality: false,
        partitions: vec![],
        json_path: None,
        sample: None,
        index_hints: vec![],
    }
}

fn last_name(name: &ObjectName) -> String {
    name.0
        .last()
        .and_then(|p| p.as_ident())
        .map(|i| i.value.clone())
        .unwrap_or_default()
}

/// The ORDER BY of a set operation may name only its output columns (SQLite also takes
/// the names in any of its SELECTs): PostgreSQL's 42703 otherwise. Checked where every
/// output column's name is certain.
fn set_order_names(q: &Query) -> Result<(), PgError> {
    let (SetExpr::SetOperation { left, .. }, Some(order)) = (q.body.as_ref(), &q.order_by) else {
        return Ok(());
    };
    let sqlparser::ast::OrderByKind::Expressions(exprs) = &order.kind else {
        return Ok(());
    };
    let mut first = left.as_ref();
    loop {
        match first {
            SetExpr::SetOperation { left, .. } => first = left,
            SetExpr::Query(q) => first = &q.body,
            _ => break,
        }
    }
    let SetExpr::Select(s) = first else {
        return Ok(());
    };
    let names: Option<Vec<String>> = s
        .projection
        .iter()
        .map(|item| match item {
            SelectItem::ExprWithAlias { alias, .. } => Some(folded(alias)),
            SelectItem::UnnamedExpr(Expr::Identifier(c)) => Some(folded(c)),
            SelectItem::UnnamedExpr(Expr::CompoundIdentifier(p)) => p.last().map(folded),
            _ => None,
        })
        .collect();
    let Some(names) = names else {
        return Ok(());
    };
    for o in exprs {
        if let Expr::Identifier(c) = &o.expr {
            let name = folded(c);
            if !names.contains(&name) {
                return Err(PgError::new(
                    SqlState::UNDEFINED_COLUMN,
                    format!("column \"{name}\" does not exist"),
                ));
            }
        }
    }
    Ok(())
}

/// An identifier as PostgreSQL reads it: unquoted ones fold to lower case.
fn folded(i: &Ident) -> String {
    match i.quote_style {
        Some(_) => i.value.clone(),
        None => i.value.to_lowercase(),
    }
}

/// The names of a query body's output columns, as PostgreSQL names them; None when a
/// `*` hides them.
fn output_names(body: &SetExpr) -> Option<Vec<String>> {
    let items = match body {
        SetExpr::Select(s) => &s.projection,
        SetExpr::SetOperation { left, .. } => return output_names(left),
        SetExpr::Query(q) => return output_names(&q.body),
        SetExpr::Values(v) => {
            let n = v.rows.first()?.len();
            return Some((1..=n).map(|i| format!("column{i}")).collect());
        }
        _ => return None,
    };
    let mut names: Vec<String> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let name = match item {
            SelectItem::ExprWithAlias { alias, .. } => alias.value.clone(),
            SelectItem::UnnamedExpr(Expr::Identifier(c)) => c.value.clone(),
            SelectItem::UnnamedExpr(Expr::CompoundIdentifier(p)) => p.last()?.value.clone(),
            SelectItem::UnnamedExpr(_) => format!("column{}", i + 1),
            _ => return None,
        };
        // A CTE's column names must differ.
        let name = if names.contains(&name) {
            format!("{name} {}", i + 1)
        } else {
            name
        };
        names.push(name);
    }
    Some(names)
}

/// Gives every zero-column SELECT of `body` the column `1`.
fn fill_empty_selects(body: &mut SetExpr) {
    match body {
        SetExpr::Select(s) if s.projection.is_empty() => {
            s.projection = vec![SelectItem::UnnamedExpr(Expr::value(number("1")))];
        }
        SetExpr::SetOperation { left, right, .. } => {
            fill_empty_selects(left);
            fill_empty_selects(right);
        }
        SetExpr::Query(q) => fill_empty_selects(&mut q.body),
        _ => {}
    }
}

/// A template of this module's that did not parse to the shape written (not expected).
fn unexpected() -> PgError {
    unsupported("this query form")
}

/// A query with nothing around its body: no WITH, ORDER BY, LIMIT, FETCH or locks.
fn plain(q: &Query) -> bool {
    q.with.is_none()
        && q.order_by.is_none()
        && q.limit_clause.is_none()
        && q.fetch.is_none()
        && q.locks.is_empty()
}

fn number(n: &str) -> Value {
    Value::Number(n.to_string(), false)
}

pub(super) fn query_of_text(sql: &str) -> Result<Box<Query>, PgError> {
    match parse_one(sql, 10_000)? {
        Statement::Query(q) => Ok(q),
        _ => Err(unsupported("this query")),
    }
}

/// `SELECT * FROM name`.
fn select_star_from(name: &str) -> Result<SetExpr, PgError> {
    Ok(*query_of_text(&format!("SELECT * FROM {name}"))?.body)
}

/// `SELECT * FROM (q)`.
fn select_star_from_query(q: Box<Query>) -> Result<SetExpr, PgError> {
    let mut wrapper = query_of_text("SELECT * FROM (SELECT 1)")?;
    if let SetExpr::Select(s) = wrapper.body.as_mut() {
        if let TableFactor::Derived { subquery, .. } = &mut s.from[0].relation {
            *subquery = q;
        }
    }
    Ok(*wrapper.body)
}

pub(super) fn query_of(body: SetExpr) -> Box<Query> {
    match body {
        SetExpr::Query(q) => q,
        other => {
            let mut q = empty_query();
            q.body = Box::new(other);
            Box::new(q)
        }
    }
}

pub(super) fn empty_body() -> SetExpr {
    SetExpr::Values(sqlparser::ast::Values {
        explicit_row: false,
        rows: vec![],
    })
}

fn empty_query() -> Query {
    Query {
        with: None,
        body: Box::new(empty_body()),
        order_by: None,
        limit_clause: None,
        fetch: None,
        locks: vec![],
        for_clause: None,
        settings: None,
        format_clause: None,
        pipe_operators: vec![],
    }
}

#[cfg(test)]
#[path = "queries_tests.rs"]
mod tests;

/// The refusal of a SELECT with no columns — or PostgreSQL's syntax error where the
/// "table" is a reserved clause word (`select from from where 1`: sqlparser reads a
/// table called `from`).
pub(super) fn no_columns(s: &sqlparser::ast::Select) -> PgError {
    const CLAUSES: &[&str] = &[
        "from", "where", "select", "group", "having", "order", "limit",
    ];
    for t in &s.from {
        if let TableFactor::Table { name, .. } = &t.relation {
            if let [part] = name.0.as_slice() {
                if let Some(i) = part.as_ident() {
                    if i.quote_style.is_none() && CLAUSES.contains(&i.value.to_lowercase().as_str())
                    {
                        return PgError::syntax_near(&i.value);
                    }
                }
            }
        }
    }
    unsupported("a SELECT with no columns")
}
