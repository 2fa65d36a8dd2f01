//! Golden tests: data-modifying statements in WITH → the with batch (modifying.rs).

use crate::protocol::PgError;
use crate::sql::parse::parse_one;
use crate::sql::translate::tests::Fixed;
use crate::sql::translate::to_sqlite;

use super::MARKER;

/// The batch's parts, NUL shown as ` | `.
fn parts(pg: &str) -> Vec<String> {
    let sql = to_sqlite(parse_one(pg, 64).unwrap(), &mut Fixed).unwrap();
    let rest = sql.strip_prefix(MARKER).expect("a with batch");
    rest.split('\0').map(String::from).collect()
}

fn refused(pg: &str) -> PgError {
    to_sqlite(parse_one(pg, 64).unwrap(), &mut Fixed).unwrap_err()
}

#[test]
fn each_data_modifying_cte_runs_first_into_its_table() {
    assert_eq!(
        parts("WITH d AS (DELETE FROM x WHERE a = $1 RETURNING *) INSERT INTO y SELECT * FROM d RETURNING *"),
        [
            // Describe: the stand-in has the RETURNING columns.
            "WITH d AS (SELECT * FROM x WHERE false) INSERT INTO y SELECT * FROM d RETURNING *",
            // Run: d read from its table; without RETURNING for the engine's check.
            "WITH d AS (SELECT * FROM _litewire_with_1) INSERT INTO y SELECT * FROM d RETURNING *",
            "WITH d AS (SELECT * FROM _litewire_with_1) INSERT INTO y SELECT * FROM d",
            // The DELETE: its table, the table's columns, the statement, its check.
            "_litewire_with_1",
            "WITH d AS (SELECT * FROM x WHERE false) SELECT * FROM d",
            "DELETE FROM x WHERE pg_compare_key(a, 'C1:a[1:x]') = pg_compare_key($1, 'C1:a[1:x]') RETURNING *",
            "DELETE FROM x WHERE pg_compare_key(a, 'C1:a[1:x]') = pg_compare_key($1, 'C1:a[1:x]')",
        ]
    );
}

#[test]
fn a_cte_that_reads_another_runs_after_it() {
    let p = parts(
        "WITH RECURSIVE t AS (INSERT INTO y SELECT a FROM t2 RETURNING *), \
         t2 AS (UPDATE y SET a = 1 RETURNING a AS b, 2) SELECT 1",
    );
    assert_eq!(p[3], "_litewire_with_2");
    assert_eq!(
        p[4],
        "WITH RECURSIVE t AS (SELECT * FROM y WHERE false), \
         t2 AS (SELECT a AS b, 2 FROM y WHERE false) SELECT * FROM t2"
    );
    assert_eq!(p[7], "_litewire_with_1");
    // An INSERT's query takes the WITH: it still starts with INSERT INTO (dml.rs).
    assert_eq!(
        p[9],
        "INSERT INTO y WITH RECURSIVE t2 AS (SELECT * FROM _litewire_with_2) SELECT a FROM t2 RETURNING *"
    );
    // UPDATE … FROM a CTE: the WITH leads, the stand-in reads both.
    let p = parts("WITH c AS (SELECT 1 AS k), u AS (UPDATE y SET a = c.k FROM c RETURNING y.a, c.k) SELECT * FROM u");
    assert_eq!(
        p[4],
        "WITH c AS (SELECT 1 AS k), u AS (SELECT y.a, c.k FROM y, c WHERE false) SELECT * FROM u"
    );
    assert!(
        p[5].starts_with("WITH c AS (SELECT 1 AS k) UPDATE y SET "),
        "{}",
        p[5]
    );
}

#[test]
fn postgresqls_refusals() {
    let e = refused("WITH t AS (INSERT INTO y VALUES (1)) SELECT * FROM t");
    assert_eq!(e.code.0, "0A000");
    assert_eq!(
        e.message,
        "WITH query \"t\" does not have a RETURNING clause"
    );
    // Not read: no RETURNING needed.
    assert_eq!(
        parts("WITH t AS (INSERT INTO y VALUES (1)) SELECT 1").len(),
        7
    );
    let e = refused(
        "SELECT * FROM (WITH t AS (INSERT INTO y VALUES (1) RETURNING a) SELECT a FROM t) s",
    );
    assert_eq!(e.code.0, "0A000");
    assert_eq!(
        e.message,
        "WITH clause containing a data-modifying statement must be at the top level"
    );
    assert_eq!(
        refused("CREATE VIEW v AS WITH d AS (DELETE FROM y RETURNING *) SELECT * FROM d").message,
        "views must not contain data-modifying statements in WITH"
    );
    let e = refused(
        "WITH RECURSIVE a AS (INSERT INTO y SELECT * FROM b RETURNING *), \
         b AS (INSERT INTO y SELECT * FROM a RETURNING *) SELECT 1",
    );
    assert_eq!(e.code.0, "0A000");
}

#[test]
fn a_select_reads_the_written_tables_from_copies_taken_first() {
    let p = parts(
        "WITH t AS (INSERT INTO y VALUES (1) RETURNING a), s AS (SELECT a FROM public.y) \
         SELECT * FROM t JOIN y USING (a), s, y AS z, d",
    );
    // The copy is read under the table's name; a named alias stays.
    assert_eq!(
        p[1],
        "WITH t AS (SELECT * FROM _litewire_with_1), s AS (SELECT a FROM _litewire_with_3 AS y) \
         SELECT * FROM t JOIN _litewire_with_3 AS y USING(a), s, _litewire_with_3 AS z, d"
    );
    // The copy runs first: the table's rows as they were.
    assert_eq!(
        p[3..7],
        ["_litewire_with_3", "SELECT * FROM y", "SELECT * FROM y", ""]
    );
    assert_eq!(p[7], "_litewire_with_1");
    // A data-modifying main statement reads the table itself (the engine's check).
    let p = parts("WITH t AS (DELETE FROM y RETURNING a) INSERT INTO y SELECT a FROM y");
    assert_eq!(p[3], "_litewire_with_1");
    // A CTE of the table's name is no table.
    let p = parts("WITH y AS (DELETE FROM y RETURNING a) SELECT * FROM y");
    assert_eq!(p[3], "_litewire_with_1");
}
