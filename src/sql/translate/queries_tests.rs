//! Golden tests for queries.rs: PostgreSQL's query forms → what SQLite reads.

use super::super::{to_sqlite, Settings};
use crate::protocol::PgError;
use crate::sql::parse::parse_one;

struct Session;

impl Settings for Session {
    fn get(&self, _: &str) -> Option<String> {
        None
    }
    fn set(&mut self, _: &str, value: &str) -> Result<String, PgError> {
        Ok(value.to_string())
    }
}

fn sqlite(pg: &str) -> String {
    to_sqlite(parse_one(pg, 64).unwrap(), &mut Session).unwrap()
}

fn refused(pg: &str) -> PgError {
    to_sqlite(parse_one(pg, 64).unwrap(), &mut Session).unwrap_err()
}

#[test]
fn alias_column_lists_become_a_cte_naming_them() {
    assert_eq!(
        sqlite("SELECT p0 FROM (VALUES ($1::text, 0), ($2, 1)) AS imp(p0, n) ORDER BY n"),
        "SELECT p0 FROM (WITH \"imp 1\" (p0, n) AS (VALUES (CAST($1 AS TEXT), 0), ($2, 1)) \
         SELECT * FROM \"imp 1\") AS imp ORDER BY n NULLS LAST"
    );
    // The CTE's own name: `x x(a)` must not read itself.
    assert_eq!(
        sqlite("SELECT * FROM x x (a, b)"),
        "SELECT * FROM (WITH \"x 1\" (a, b) AS (SELECT * FROM x) SELECT * FROM \"x 1\") AS x"
    );
    assert_eq!(
        sqlite("SELECT * FROM (a CROSS JOIN b) AS j (i, k)"),
        "SELECT * FROM (WITH \"j 1\" (i, k) AS (SELECT * FROM a CROSS JOIN b) \
         SELECT * FROM \"j 1\") AS j"
    );
}

#[test]
fn lateral_functions_and_subqueries() {
    assert_eq!(
        sqlite("SELECT * FROM x, LATERAL generate_series(1, x.n) g"),
        // `*`: the table's columns and the function's one, not json_each's own.
        "SELECT x.*, g._lw_value AS g FROM x, pg_generate_series(1, x.n) AS g"
    );
    // A subquery: its rows gathered as JSON arrays by a scalar subquery, which SQLite
    // lets see x; its columns read back by position.
    assert_eq!(
        sqlite("SELECT * FROM x, LATERAL (SELECT x.a AS b) s WHERE b > 1"),
        "SELECT x.*, json_extract(\"s\".value, '$[0]') AS \"b\" FROM x, \
         \"json_each\"((SELECT json_group_array(json_array(\"c1\")) FROM \
         (WITH \"lateral 1\" (\"c1\") AS (SELECT x.a AS b) SELECT * FROM \"lateral 1\"))) AS s \
         WHERE json_extract(\"s\".value, '$[0]') > 1"
    );
    assert_eq!(
        refused("SELECT * FROM x, LATERAL (SELECT * FROM y WHERE y.a = x.a) s").message,
        "a LATERAL subquery with * is not supported by litewire"
    );
}

#[test]
fn set_operations_keep_postgresql_s_grouping() {
    assert_eq!(
        sqlite("((SELECT 2)) UNION SELECT 2"),
        "SELECT 2 UNION SELECT 2"
    );
    assert_eq!(sqlite("(((SELECT * FROM t)))"), "SELECT * FROM t");
    // INTERSECT binds tighter; SQLite reads left to right.
    assert_eq!(
        sqlite("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3"),
        "SELECT 1 UNION SELECT * FROM (SELECT 2 INTERSECT SELECT 3)"
    );
    assert_eq!(
        sqlite("SELECT 1 INTERSECT SELECT 2 UNION SELECT 3"),
        "SELECT 1 INTERSECT SELECT 2 UNION SELECT 3"
    );
    assert_eq!(
        sqlite("(SELECT a FROM t ORDER BY a LIMIT 1) EXCEPT SELECT 3"),
        "SELECT * FROM (SELECT a FROM t ORDER BY pg_order_key(a, 'C1:a[1:t]') NULLS LAST LIMIT 1) EXCEPT SELECT 3"
    );
    assert_eq!(
        sqlite("VALUES (1, 2) UNION ALL TABLE t"),
        "VALUES (1, 2) UNION ALL SELECT * FROM t"
    );
}

#[test]
fn set_operations_order_by_their_output_names() {
    assert_eq!(
        refused("SELECT q1 FROM t EXCEPT SELECT q2 FROM t ORDER BY q2").message,
        "column \"q2\" does not exist"
    );
    assert_eq!(
        sqlite("SELECT q1 AS A FROM t UNION SELECT q2 FROM t ORDER BY a"),
        "SELECT q1 AS A FROM t UNION SELECT q2 FROM t ORDER BY a NULLS LAST"
    );
}

#[test]
fn intersect_and_except_all_number_equal_rows() {
    assert_eq!(
        sqlite("SELECT a FROM t INTERSECT ALL SELECT b FROM u ORDER BY 1"),
        "SELECT \"a\" FROM (WITH \"left 1\" (\"a\") AS (SELECT a FROM t), \
         \"right 2\" (\"a\") AS (SELECT b FROM u) \
         SELECT \"a\", row_number() OVER (PARTITION BY \"a\") FROM \"left 1\" INTERSECT \
         SELECT \"a\", row_number() OVER (PARTITION BY \"a\") FROM \"right 2\") \
         ORDER BY 1 NULLS LAST"
    );
    assert_eq!(
        refused("SELECT * FROM t EXCEPT ALL SELECT * FROM u").message,
        "EXCEPT ALL of SELECT * is not supported by litewire"
    );
}

#[test]
fn limits_as_sqlite_takes_them() {
    assert_eq!(
        sqlite("SELECT a FROM t OFFSET 2"),
        "SELECT a FROM t LIMIT -1 OFFSET 2"
    );
    assert_eq!(
        sqlite("SELECT a FROM t ORDER BY a FETCH FIRST 2 ROWS ONLY"),
        "SELECT a FROM t ORDER BY pg_order_key(a, 'C1:a[1:t]') NULLS LAST LIMIT 2"
    );
    assert_eq!(
        sqlite("SELECT a FROM t LIMIT $1 OFFSET $2"),
        "SELECT a FROM t LIMIT pg_limit($1) OFFSET pg_offset($2)"
    );
    assert_eq!(refused("SELECT 1 LIMIT -1").code.0, "2201W");
    assert_eq!(refused("SELECT 1 OFFSET -1").code.0, "2201X");
    assert_eq!(
        refused("SELECT a FROM t FETCH FIRST 2 ROWS WITH TIES")
            .code
            .0,
        "42601"
    );
}

#[test]
fn statements_sqlite_lacks() {
    assert_eq!(
        sqlite("SELECT EXISTS (SELECT FROM t)"),
        "SELECT EXISTS (SELECT 1 FROM t)"
    );
    assert_eq!(refused("SELECT * FROM (SELECT FROM t) s").code.0, "0A000");
    assert_eq!(refused("CREATE TABLE t ()").code.0, "0A000");
    assert_eq!(
        refused("SELECT * FROM (WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d) s").message,
        "WITH clause containing a data-modifying statement must be at the top level"
    );
    assert_eq!(
        sqlite("DELETE FROM t USING u WHERE t.a = u.a"),
        "DELETE FROM t WHERE EXISTS (SELECT 1 FROM u WHERE pg_type_check(pg_dt_promote(pg_compare_key(t.a, 'C1:a[1:t]'), 'C1:a[1:u]', 'C1:a[1:t]') = pg_dt_promote(pg_compare_key(u.a, 'C1:a[1:u]'), 'C1:a[1:t]', 'C1:a[1:u]'), '=', 'C1:a[1:u]', 'C1:a[1:t]'))"
    );
    assert_eq!(
        refused("DELETE FROM t USING u WHERE t.a = u.a RETURNING *")
            .code
            .0,
        "0A000"
    );
}

#[test]
fn ordered_set_aggregates_pass_their_keys() {
    assert_eq!(
        sqlite(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x DESC) FILTER (WHERE x > 1) \
             FROM t"
        ),
        "SELECT pg_percentile_cont(0.5, 'df', x) FILTER (WHERE x > 1) FROM t"
    );
    assert_eq!(
        sqlite(
            "SELECT mode() WITHIN GROUP (ORDER BY x), \
             rank(3, 'a') WITHIN GROUP (ORDER BY x, y DESC NULLS LAST) FROM t"
        ),
        "SELECT pg_mode('al', x), pg_hypothetical('rank', 'aldl', 3, 'a', x, y) FROM t"
    );
    assert_eq!(
        refused("SELECT rank(1, 2) WITHIN GROUP (ORDER BY x) FROM t")
            .code
            .0,
        "42883"
    );
}

#[test]
fn distinct_on_and_with_ties_as_a_window() {
    assert_eq!(
        sqlite("SELECT DISTINCT ON (a) a, b AS x FROM t ORDER BY a, x DESC LIMIT 3"),
        "SELECT \"a\", \"x\" FROM (SELECT a AS \"a\", b AS \"x\", \
         row_number() OVER (PARTITION BY a ORDER BY a NULLS LAST, b DESC NULLS FIRST) \
         AS \"row in order\", a AS \"order 1\", b AS \"order 2\" FROM (SELECT * FROM t \
         ORDER BY pg_sort_place('alaldf', a, a, b) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND \
         UNBOUNDED FOLLOWING) NULLS LAST) AS t) \
         WHERE \"row in order\" = 1 ORDER BY \"order 1\" NULLS LAST, \"order 2\" DESC NULLS FIRST \
         LIMIT 3"
    );
    assert_eq!(
        sqlite("SELECT a FROM t ORDER BY a FETCH FIRST 2 ROWS WITH TIES"),
        "SELECT \"a\" FROM (SELECT a AS \"a\", rank() OVER (ORDER BY pg_order_key(a, 'C1:a[1:t]') NULLS LAST) AS \"row in order\", pg_order_key(a, 'C1:a[1:t]') AS \"order 1\" FROM t) WHERE \"row in order\" <= 2 ORDER BY \"order 1\" NULLS LAST"
    );
    assert_eq!(
        refused("SELECT DISTINCT ON (a) a, b FROM t ORDER BY b")
            .code
            .0,
        "42P10"
    );
    assert_eq!(refused("SELECT DISTINCT ON (a) * FROM t").code.0, "0A000");
}

#[test]
fn selects_with_no_columns_get_the_marker_column() {
    assert_eq!(
        sqlite("select from t union all select from u"),
        "SELECT NULL AS \"_lw_no_column\" FROM t UNION ALL SELECT NULL AS \"_lw_no_column\" FROM u"
    );
    // In a subquery, or beside a SELECT with columns: refused as before.
    assert_eq!(refused("select * from (select from t) s").code.0, "0A000");
    assert_eq!(refused("select from t union select 1").code.0, "0A000");
    // `select from from`: PostgreSQL's syntax error, not a table called `from`.
    assert_eq!(refused("select from from where 1").code.0, "42601");
}
