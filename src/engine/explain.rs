//! `pg_explain(sql)`: the plan SQLite will use for a statement, for PostgreSQL's
//! `EXPLAIN` (translated in `sql/translate/explain.rs` to
//! `SELECT value AS "QUERY PLAN" FROM json_each(pg_explain('…'))`, so that the plan is an
//! ordinary one-column result in both protocols). The plan is `EXPLAIN QUERY PLAN` of
//! the SQLite text, printed as an indented tree the way PostgreSQL prints its plans;
//! the statement itself is only prepared, never run.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::Connection;

/// Registers `pg_explain` (with the catalog functions: only connections that explain
/// something pay for it).
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    // Any number of arguments: the explained statement's parameters follow its text
    // (unused; they keep the outer statement's `$n`).
    conn.create_scalar_function("pg_explain", -1, FunctionFlags::SQLITE_UTF8, pg_explain)
}

fn pg_explain(ctx: &mut Context<'_>) -> rusqlite::Result<String> {
    let sql: String = ctx.get(0)?;
    // SAFETY: the handle is the connection running this very statement, used on this
    // thread to prepare (never step past the plan of) one nested statement while the
    // function runs, as the catalog functions' nested reads do.
    let conn = unsafe { ctx.get_connection()? };
    // Planned as it runs: comparisons expanded by their columns' types.
    let expanded = super::compare::expand(&conn, &sql).map_err(super::error::raise)?;
    let sql = expanded.unwrap_or(sql);
    let mut stmt = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .map_err(|e| super::error::raise(super::error::to_pg(&e)))?;
    // Unbound: the statement's `$n` need no values to be planned.
    let mut raw = stmt.raw_query();
    let mut rows = Vec::new();
    while let Some(r) = raw.next()? {
        rows.push((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(3)?,
        ));
    }
    Ok(json_lines(&plan_lines(&rows)))
}

/// The plan rows (id, parent id, detail) as PostgreSQL-style lines: a node's children
/// under it, each `->`-marked and indented one level further. SQLite lists a parent
/// before its children. A statement with no plan steps (a constant SELECT, INSERT …
/// VALUES) is one `Result` line, as PostgreSQL shows a computed row.
fn plan_lines(rows: &[(i64, i64, String)]) -> Vec<String> {
    let mut depths: Vec<(i64, usize)> = Vec::with_capacity(rows.len());
    let mut lines = Vec::with_capacity(rows.len().max(1));
    for (id, parent, detail) in rows {
        let depth = depths
            .iter()
            .rev()
            .find(|(p, _)| p == parent)
            .map_or(0, |(_, d)| d + 1);
        depths.push((*id, depth));
        lines.push(match depth {
            0 => detail.clone(),
            d => format!("{}->  {detail}", " ".repeat(2 + 6 * (d - 1))),
        });
    }
    if lines.is_empty() {
        lines.push("Result".into());
    }
    lines
}

/// The lines as a JSON array of strings (for `json_each`).
fn json_lines(lines: &[String]) -> String {
    let mut out = String::from("[");
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        super::array::push_json_string(&mut out, line);
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_print_as_indented_trees() {
        let rows = vec![
            (2, 0, "SCAN a".to_string()),
            (4, 0, "SEARCH b USING INDEX bi (x=?)".to_string()),
            (7, 4, "CORRELATED SCALAR SUBQUERY 1".to_string()),
            (9, 7, "SCAN \"c\"".to_string()),
        ];
        assert_eq!(
            plan_lines(&rows),
            vec![
                "SCAN a",
                "SEARCH b USING INDEX bi (x=?)",
                "  ->  CORRELATED SCALAR SUBQUERY 1",
                "        ->  SCAN \"c\"",
            ]
        );
        assert_eq!(plan_lines(&[]), vec!["Result"]);
        assert_eq!(
            json_lines(&["a\"\\".into(), "b\n".into()]),
            r#"["a\"\\","b\u000a"]"#
        );
    }
}
