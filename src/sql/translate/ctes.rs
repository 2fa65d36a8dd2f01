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
