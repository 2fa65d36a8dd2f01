//! When a WITH query is computed once: PostgreSQL folds a CTE into the query only when
//! it is read once and calls no volatile function; otherwise every reader sees the same
//! rows. SQLite may fold a CTE read twice (`SELECT * FROM q UNION SELECT * FROM q` ran
//! `random()` twice), so such CTEs are marked `AS MATERIALIZED`, which SQLite honours.
//! Recursive CTEs are not: SQLite stops one when its reader stops (`LIMIT`).

use std::ops::ControlFlow;

use sqlparser::ast::{visit_expressions, visit_relations, CteAsMaterialized, Expr, Ident, Query};

/// Functions whose every call may answer differently (PostgreSQL's volatile ones that
/// litewire has).
const VOLATILE: &[&str] = &[
    "random",
    "nextval",
    "setval",
    "gen_random_uuid",
    "uuid_generate_v4",
    "clock_timestamp",
    "timeofday",
    "random_normal",
];

/// Marks the CTEs of `q`'s WITH that PostgreSQL would not fold into the query.
pub(super) fn materialize(q: &mut Query) {
    let Some(with) = q.with.as_ref() else {
        return;
    };
    let names: Vec<String> = with
        .cte_tables
        .iter()
        .map(|c| folded(&c.alias.name))
        .collect();
    let mut marks = Vec::with_capacity(names.len());
    for (i, cte) in with.cte_tables.iter().enumerate() {
        // NOT MATERIALIZED (folded, as PostgreSQL does) and MATERIALIZED stay as written.
        // A recursive CTE is left as SQLite runs it: materialized, an endless recursion
        // read by `SELECT * FROM t LIMIT 10` would never end.
        let recursive = with.recursive && reads(&cte.query, &names[i]) > 0;
        marks.push(
            cte.materialized.is_none()
                && !recursive
                && (reads(q, &names[i]) > 1 || volatile(&cte.query)),
        );
    }
    if let Some(with) = q.with.as_mut() {
        for (cte, mark) in with.cte_tables.iter_mut().zip(marks) {
            if mark {
                cte.materialized = Some(CteAsMaterialized::Materialized);
            }
        }
    }
}

/// How many times `name` is read as a table in `q` (its body and its CTEs). A name
/// shadowed in a subquery is counted too: materializing is never wrong, only slower.
fn reads(q: &Query, name: &str) -> usize {
    let mut n = 0;
    let _ = visit_relations(q, |r| {
        if r.0.len() == 1 && r.0[0].as_ident().is_some_and(|i| folded(i) == name) {
            n += 1;
        }
        ControlFlow::<()>::Continue(())
    });
    n
}

fn volatile(q: &Query) -> bool {
    visit_expressions(q, |e| match e {
        Expr::Function(f)
            if f.name.0.len() == 1
                && f.name.0[0]
                    .as_ident()
                    .is_some_and(|i| VOLATILE.contains(&folded(i).as_str())) =>
        {
            ControlFlow::Break(())
        }
        _ => ControlFlow::Continue(()),
    })
    .is_break()
}

fn folded(i: &Ident) -> String {
    match i.quote_style {
        Some(_) => i.value.clone(),
        None => i.value.to_lowercase(),
    }
}

/// PostgreSQL's 0A000 `outer-level aggregate cannot use a nested CTE`: an aggregate in
/// a SELECT with a WITH and no FROM whose arguments name a column of an outer query (so
/// the aggregate is that query's) and read one of the WITH's CTEs. SQLite would compute
/// it. Only qualified columns are told apart (`i4.f1`); other cases are left as they are.
pub(super) fn outer_aggregate_reads_cte(q: &Query) -> Result<(), crate::protocol::PgError> {
    use sqlparser::ast::{SelectItem, SetExpr, TableFactor, Visit, Visitor};
    let (Some(with), SetExpr::Select(s)) = (&q.with, q.body.as_ref()) else {
        return Ok(());
    };
    if !s.from.is_empty() {
        return Ok(());
    }
    let ctes: Vec<String> = with
        .cte_tables
        .iter()
        .map(|c| folded(&c.alias.name))
        .collect();
    /// The tables and aliases an aggregate's arguments name in their own FROMs.
    #[derive(Default)]
    struct Inner {
        names: Vec<String>,
    }
    impl Visitor for Inner {
        type Break = ();
        fn pre_visit_table_factor(&mut self, t: &TableFactor) -> ControlFlow<()> {
            if let TableFactor::Table { name, alias, .. } = t {
                if let Some(i) = name.0.last().and_then(|p| p.as_ident()) {
                    self.names.push(folded(i));
                }
                self.names.extend(alias.as_ref().map(|a| folded(&a.name)));
            } else if let TableFactor::Derived { alias: Some(a), .. } = t {
                self.names.push(folded(&a.name));
            }
            ControlFlow::Continue(())
        }
    }
    let mut found: Option<String> = None;
    for item in &s.projection {
        let (SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) = item else {
            continue;
        };
        let _ = visit_expressions(e, |e| {
            let Expr::Function(f) = e else {
                return ControlFlow::Continue(());
            };
            let name = f.name.to_string().to_ascii_lowercase();
            if f.over.is_some() || !super::is_pg_aggregate(&name) {
                return ControlFlow::Continue(());
            }
            let mut inner = Inner::default();
            let _ = f.args.visit(&mut inner);
            let outer = visit_expressions(&f.args, |a| match a {
                Expr::CompoundIdentifier(parts)
                    if parts.len() == 2 && !inner.names.contains(&folded(&parts[0])) =>
                {
                    ControlFlow::Break(())
                }
                _ => ControlFlow::Continue(()),
            })
            .is_break();
            if let Some(cte) = inner
                .names
                .iter()
                .find(|n| ctes.contains(n))
                .filter(|_| outer)
            {
                found = Some(cte.clone());
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        });
    }
    match found {
        Some(cte) => Err(crate::protocol::PgError::new(
            crate::protocol::SqlState::FEATURE_NOT_SUPPORTED,
            "outer-level aggregate cannot use a nested CTE",
        )
        .with_detail(format!(
            "CTE \"{cte}\" is below the aggregate's semantic level."
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::to_sqlite;
    use crate::sql::parse::parse_one;

    struct NoSettings;
    impl super::super::Settings for NoSettings {
        fn get(&self, _: &str) -> Option<String> {
            None
        }
        fn set(&mut self, _: &str, v: &str) -> Result<String, crate::protocol::PgError> {
            Ok(v.into())
        }
    }

    fn translated(sql: &str) -> Result<String, crate::protocol::PgError> {
        to_sqlite(parse_one(sql, 64).unwrap(), &mut NoSettings)
    }

    #[test]
    fn an_outer_aggregate_reading_a_nested_cte_is_refused() {
        let e = translated(
            "select f1, (with cte1(x,y) as (select 1,2) \
             select count((select i4.f1 from cte1))) as ss from int4_tbl i4",
        )
        .unwrap_err();
        assert_eq!(e.code.0, "0A000");
        assert_eq!(e.message, "outer-level aggregate cannot use a nested CTE");
        // The aggregate is the subquery's own: its columns are the CTE's.
        for ok in [
            "select f1, (with cte1(x,y) as (select 1,2) select count((select x from cte1))) from int4_tbl i4",
            "select f1, (with cte1(x,y) as (select 1,2) select count((select cte1.x from cte1))) from int4_tbl i4",
        ] {
            assert!(translated(ok).is_ok(), "{ok}");
        }
    }
}
