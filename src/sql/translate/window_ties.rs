//! Rows that tie in a window's sort, in PostgreSQL's order.
//!
//! PostgreSQL sorts a window's input with its quicksort, which is not stable: rows with
//! equal PARTITION BY / ORDER BY keys come out in an order of its own, and `ROWS` frames,
//! `row_number`, `first_value`… see them so. SQLite's sort keeps its input's order. So a
//! SELECT over one table whose window functions all share one sort reads the table
//! through `(SELECT * FROM t WHERE … ORDER BY pg_sort_place(…) OVER (…)) AS t`: the
//! filtered rows in scan order, the order PostgreSQL's quicksort gives them
//! (engine/pgfuncs/sort_place.rs), which SQLite's window sort then keeps among ties.
//!
//! Only where that is PostgreSQL's plan: one table (scanned in its rows' order, as
//! PostgreSQL scans a table it has only inserted into) or a subquery without ORDER BY
//! or LIMIT, no grouping, aggregates,
//! DISTINCT, CTEs, subqueries or final ORDER BY (a second sort), keys without function
//! calls (a volatile one would be evaluated twice); anything else is left as it was.

use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, GroupByExpr, NamedWindowExpr, OrderByExpr, Query, Select, SelectItem, SetExpr, Statement,
    TableFactor, WindowFrameUnits, WindowSpec, WindowType,
};

/// `q` reading its table in PostgreSQL's sorted order, where the rules above allow;
/// whether it does.
pub(super) fn presort(q: &mut Query) -> bool {
    if q.with.is_some() {
        return false;
    }
    let SetExpr::Select(s) = q.body.as_mut() else {
        return false;
    };
    let Some((table, alias)) = plain_table(s) else {
        return false;
    };
    let Some((partition, order)) = one_sort(s) else {
        return false;
    };
    if partition.is_empty() && order.is_empty() {
        return false;
    }
    let mut flags = String::new();
    let mut keys = Vec::new();
    for e in &partition {
        flags.push_str("al");
        keys.push(e.to_string());
    }
    for o in &order {
        let descending = o.options.asc == Some(false);
        flags.push(if descending { 'd' } else { 'a' });
        flags.push(if o.options.nulls_first.unwrap_or(descending) {
            'f'
        } else {
            'l'
        });
        keys.push(o.expr.to_string());
    }
    let filter = s
        .selection
        .as_ref()
        .map(|w| format!(" WHERE {w}"))
        .unwrap_or_default();
    let text = format!(
        "SELECT 1 FROM (SELECT * FROM {table}{filter} ORDER BY pg_sort_place('{flags}', {}) \
         OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)) AS {alias}",
        keys.join(", ")
    );
    let Ok(Statement::Query(mut parsed)) = crate::sql::parse::parse_one(&text, 200) else {
        return false;
    };
    let SetExpr::Select(read) = parsed.body.as_mut() else {
        return false;
    };
    s.from = std::mem::take(&mut read.from);
    s.selection = None;
    true
}

/// The one table `s` reads, as written, and the name its columns are qualified by: a
/// table, or a subquery without ORDER BY (its rows come in the order its plan gives
/// them, which for a scan or UNION ALL is PostgreSQL's).
fn plain_table(s: &Select) -> Option<(String, String)> {
    let [from] = s.from.as_slice() else {
        return None;
    };
    let simple = from.joins.is_empty()
        && matches!(&s.group_by, GroupByExpr::Expressions(g, m) if g.is_empty() && m.is_empty())
        && s.having.is_none()
        && s.distinct.is_none()
        && s.qualify.is_none()
        && s.top.is_none()
        && s.into.is_none()
        && s.lateral_views.is_empty()
        && s.sort_by.is_empty()
        && s.cluster_by.is_empty()
        && s.distribute_by.is_empty()
        && s.connect_by.is_none()
        && s.prewhere.is_none();
    if !simple {
        return None;
    }
    let alias = match &from.relation {
        TableFactor::Table {
            name,
            alias,
            args: None,
            with_hints,
            version: None,
            partitions,
            ..
        } if with_hints.is_empty() && partitions.is_empty() => match alias {
            Some(a) if a.columns.is_empty() => a.name.to_string(),
            Some(_) => return None,
            None => name.0.last()?.to_string(),
        },
        TableFactor::Derived {
            lateral: false,
            subquery,
            alias: Some(a),
        } if a.columns.is_empty()
            && subquery.order_by.is_none()
            && subquery.limit_clause.is_none()
            && subquery.fetch.is_none() =>
        {
            a.name.to_string()
        }
        _ => return None,
    };
    Some((from.relation.to_string(), alias))
}

/// The PARTITION BY and ORDER BY every window function of `s`'s select list sorts by;
/// None when they differ, when there is none, or when the list holds what the rules
/// exclude.
fn one_sort(s: &Select) -> Option<(Vec<Expr>, Vec<OrderByExpr>)> {
    let mut sorts: Vec<(Vec<Expr>, Vec<OrderByExpr>)> = Vec::new();
    let mut excluded = false;
    for item in &s.projection {
        let e = match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => e,
            _ => return None,
        };
        let _ = sqlparser::ast::visit_expressions(e, |e| {
            match e {
                Expr::Function(f) => match &f.over {
                    Some(over) => match sort_of(s, over) {
                        Some(sort) => sorts.push(sort),
                        None => excluded = true,
                    },
                    // The type tests the typing pass writes around a window function,
                    // and a few scalar functions; anything else may be an aggregate.
                    None if scalar(&f.name.to_string()) => {}
                    None => excluded = true,
                },
                Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => {
                    excluded = true
                }
                _ => {}
            }
            ControlFlow::<()>::Continue(())
        });
    }
    if excluded {
        return None;
    }
    let first = sorts.first()?.clone();
    let same = |a: &(Vec<Expr>, Vec<OrderByExpr>)| {
        a.0.iter()
            .map(ToString::to_string)
            .eq(first.0.iter().map(ToString::to_string))
            && a.1
                .iter()
                .map(ToString::to_string)
                .eq(first.1.iter().map(ToString::to_string))
    };
    if !sorts.iter().all(same) {
        return None;
    }
    // pg_range_key (a RANGE frame's key, window.rs): orders as PostgreSQL's key does.
    let plain = |e: &Expr| {
        sqlparser::ast::visit_expressions(e, |e| match e {
            Expr::Function(f) if f.name.to_string() == "pg_range_key" => ControlFlow::Continue(()),
            Expr::Function(_)
            | Expr::Subquery(_)
            | Expr::Exists { .. }
            | Expr::InSubquery { .. } => ControlFlow::Break(()),
            _ => ControlFlow::Continue(()),
        })
        .is_continue()
    };
    let keys_plain = first.0.iter().all(plain) && first.1.iter().all(|o| plain(&o.expr));
    keys_plain.then_some(first)
}

/// Functions known not to be aggregates.
fn scalar(name: &str) -> bool {
    name.starts_with("pg_is_")
        || matches!(
            name.to_ascii_lowercase().as_str(),
            "pg_cast" | "pg_op" | "pg_coerce" | "coalesce" | "nullif" | "abs"
        )
}

/// A window's sort keys, following the windows it names (a marked name, from
/// `strip_exclude`, ends with the window it names).
fn sort_of(s: &Select, over: &WindowType) -> Option<(Vec<Expr>, Vec<OrderByExpr>)> {
    let (mut partition, mut order, mut base) = match over {
        WindowType::WindowSpec(spec) => {
            // A RANGE key from the window it names is not put on its offsets' scale.
            let range = spec
                .window_frame
                .as_ref()
                .is_some_and(|f| f.units == WindowFrameUnits::Range);
            let named = spec
                .window_name
                .as_ref()
                .is_some_and(|n| !base_name(&n.value).is_empty());
            if range && named && spec.order_by.is_empty() {
                return None;
            }
            let spec = framed(spec)?;
            (
                spec.partition_by,
                spec.order_by,
                spec.window_name.as_ref().map(|n| base_name(&n.value)),
            )
        }
        WindowType::NamedWindow(n) => (Vec::new(), Vec::new(), Some(base_name(&n.value))),
    };
    // Each step names another window: at most as many steps as windows.
    for _ in 0..=s.named_window.len() {
        let Some(name) = base.take().filter(|n| !n.is_empty()) else {
            return Some((partition, order));
        };
        let def = s
            .named_window
            .iter()
            .find(|d| d.0.value.eq_ignore_ascii_case(&name))?;
        match &def.1 {
            NamedWindowExpr::NamedWindow(n) => base = Some(base_name(&n.value)),
            NamedWindowExpr::WindowSpec(spec) => {
                let spec = framed(spec)?;
                inherit(&mut partition, &mut order, &spec);
                base = spec.window_name.as_ref().map(|n| base_name(&n.value));
            }
        }
    }
    None
}

/// `spec` with its frame in SQLite's form (window.rs): a RANGE frame's key is then
/// the number its offsets apply to.
fn framed(spec: &WindowSpec) -> Option<WindowSpec> {
    let mut spec = spec.clone();
    super::window::frame(&mut spec).ok()?;
    Some(spec)
}

/// A referenced window's keys: its PARTITION BY always, its ORDER BY unless the
/// referencing window has one.
fn inherit(partition: &mut Vec<Expr>, order: &mut Vec<OrderByExpr>, spec: &WindowSpec) {
    if partition.is_empty() {
        partition.clone_from(&spec.partition_by);
    }
    if order.is_empty() {
        order.clone_from(&spec.order_by);
    }
}

/// The window a window's name refers to: itself, or the part after a mark.
fn base_name(name: &str) -> String {
    match name.rsplit_once('\u{1}') {
        Some((_, rest)) => rest.to_string(),
        None => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crate::protocol::PgError;
    use crate::sql::parse::parse_one;
    use crate::sql::translate::{to_sqlite, Settings};

    struct NoSettings;
    impl Settings for NoSettings {
        fn get(&self, _: &str) -> Option<String> {
            None
        }
        fn set(&mut self, _: &str, v: &str) -> Result<String, PgError> {
            Ok(v.to_string())
        }
    }

    fn presorted(pg: &str) -> bool {
        to_sqlite(parse_one(pg, 100).unwrap(), &mut NoSettings)
            .unwrap()
            .contains("pg_sort_place")
    }

    #[test]
    fn one_table_read_in_postgresql_s_sort_order() {
        assert_eq!(
            to_sqlite(
                parse_one(
                    "select row_number() over w from t x where a > 1 window w as (partition by b order by c desc)",
                    100
                )
                .unwrap(),
                &mut NoSettings
            )
            .unwrap(),
            "SELECT row_number() OVER w FROM (SELECT * FROM t AS x WHERE a > 1 ORDER BY \
             pg_sort_place('aldf', b, c) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED \
             FOLLOWING) NULLS LAST) AS x WINDOW w AS (PARTITION BY b ORDER BY c DESC NULLS FIRST)"
        );
        // A subquery's rows, in the order its plan gives them.
        assert!(presorted(
            "select row_number() over (order by x) from (select 1 x union all select 2) s"
        ));
        // Two windows with one sort.
        assert!(presorted(
            "select sum(a) over (order by b rows 1 preceding), lag(a) over (order by b) from t"
        ));
    }

    #[test]
    fn other_plans_are_left_alone() {
        for sql in [
            "select row_number() over (order by a) from t, u",
            "select *, row_number() over (order by a) from t",
            "select count(*), row_number() over (order by a) from t",
            "select row_number() over (order by a), rank() over (order by b) from t",
            "select row_number() over () from t",
            "select row_number() over (order by random()) from t",
            "select a, row_number() over (order by a) from t group by a",
            "with c as (select 1 a) select row_number() over (order by a) from c",
            // Sorted by PostgreSQL's quicksort already, not in SQLite's order.
            "select row_number() over (order by a) from (select a from t order by b) s",
        ] {
            assert!(!presorted(sql), "{sql}");
        }
    }
}
