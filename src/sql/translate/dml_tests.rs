//! Golden tests: INSERT/UPDATE forms (dml.rs), scalar subqueries (scalar.rs) and
//! CREATE TABLE … (LIKE …) (like.rs) → the SQLite text with the engine's markers.

use crate::protocol::PgError;
use crate::sql::parse::parse_one;
use crate::sql::translate::to_sqlite;

use crate::sql::translate::tests::Fixed;

fn sqlite(pg: &str) -> String {
    to_sqlite(parse_one(pg, 64).unwrap(), &mut Fixed).unwrap()
}

fn refused(pg: &str) -> PgError {
    to_sqlite(parse_one(pg, 64).unwrap(), &mut Fixed).unwrap_err()
}

#[test]
fn default_becomes_the_engines_marker() {
    assert_eq!(
        sqlite("insert into t (a, b) values (DEFAULT, 1), (2, default)"),
        "INSERT INTO t (a, b) VALUES (pg_column_default('', 't', 'a'), 1), \
         (2, pg_column_default('', 't', 'b'))"
    );
    // No column list: by position, and the list itself from the schema.
    assert_eq!(
        sqlite("insert into public.t values (default, 1)"),
        "INSERT INTO main.t (pg_insert_columns('main', 't', 2)) \
         VALUES (pg_column_default('main', 't', 0), 1)"
    );
    assert_eq!(
        sqlite("update t set a = default, (b, c) = (1, DEFAULT)"),
        "UPDATE t SET a = pg_column_default('', 't', 'a'), \
         (b, c) = (1, pg_column_default('', 't', 'c'))"
    );
    // A quoted "default" is a column.
    assert_eq!(
        sqlite("insert into t values (\"default\")"),
        "INSERT INTO t VALUES (\"default\")"
    );
    // Nothing changes without DEFAULT.
    assert_eq!(
        sqlite("insert into t values (1, 2)"),
        "INSERT INTO t VALUES (1, 2)"
    );
}

#[test]
fn postgresqls_refusals() {
    let e = refused("select default");
    assert_eq!(
        (e.code.0, e.message.as_str()),
        ("42601", "DEFAULT is not allowed in this context")
    );
    let e = refused("insert into t values (default + 1)");
    assert_eq!(e.code.0, "42601");
    let e = refused("update t set a = 1, A = 2");
    assert_eq!(e.message, "multiple assignments to same column \"a\"");
    let e = refused("update t set (a, b) = (select 1)");
    assert_eq!(
        e.message,
        "number of columns does not match number of values"
    );
    let e = refused("insert into t (a, \"b\", A) values (1, 2, 3)");
    assert_eq!(
        (e.code.0, e.message.as_str()),
        ("42701", "column \"a\" specified more than once")
    );
    let e = refused("insert into t values (1) on conflict do update set a = 2");
    assert_eq!(e.code.0, "42601");
    // DO NOTHING needs no arbiter.
    sqlite("insert into t values (1) on conflict do nothing");
}

#[test]
fn upsert_rows_are_read_through_the_key_check() {
    assert_eq!(
        sqlite("insert into t values (1, 2), (3, 4) on conflict (a) do update set b = 0"),
        "INSERT INTO t SELECT * FROM (VALUES (1, 2), (3, 4)) \
         WHERE pg_upsert_once('', 't', 'a', '', column1, column2) \
         ON CONFLICT(a) DO UPDATE SET b = 0"
    );
    assert_eq!(
        sqlite("insert into t (b, a) values (1, 2), (3, 4) on conflict (a) do update set b = 0"),
        "INSERT INTO t (b, a) SELECT * FROM (VALUES (1, 2), (3, 4)) \
         WHERE pg_upsert_once('', 't', 'a', 'b,a', column1, column2) \
         ON CONFLICT(a) DO UPDATE SET b = 0"
    );
    // One row, or DO NOTHING: as written.
    assert_eq!(
        sqlite("insert into t values (1, 2) on conflict (a) do update set b = 0"),
        "INSERT INTO t VALUES (1, 2) ON CONFLICT(a) DO UPDATE SET b = 0"
    );
    assert_eq!(
        sqlite("insert into t values (1, 2), (1, 3) on conflict (a) do nothing"),
        "INSERT INTO t VALUES (1, 2), (1, 3) ON CONFLICT(a) DO NOTHING"
    );
}

#[test]
fn scalar_subqueries_that_may_return_two_rows_are_checked() {
    assert_eq!(
        sqlite("select (select b from u where u.a = t.a) from t"),
        "SELECT (SELECT pg_single(\"_litewire_1\") FROM (SELECT b AS \"_litewire_1\" FROM u WHERE pg_type_check(pg_dt_promote(pg_compare_key(u.a, 'C1:a[1:u]'), 'C1:a[1:t]', 'C1:a[1:u]') = pg_dt_promote(pg_compare_key(t.a, 'C1:a[1:t]'), 'C1:a[1:u]', 'C1:a[1:t]'), '=', 'C1:a[1:t]', 'C1:a[1:u]'))) FROM t"
    );
    assert_eq!(
        sqlite("update t set (a, b) = (select x, y as w from u)"),
        "UPDATE t SET (a, b) = (SELECT \"_litewire_1\", w FROM \
         (SELECT *, count(*) OVER () AS _litewire_n FROM \
         (SELECT x AS \"_litewire_1\", y AS w FROM u)) WHERE pg_one_row(_litewire_n))"
    );
    // One row at most: as written.
    for single in [
        "SELECT (SELECT max(b) FROM u)",
        "SELECT (SELECT b FROM u LIMIT 1)",
        "SELECT (SELECT 2)",
        "SELECT (SELECT count(*) + 1 FROM u)",
    ] {
        let out = sqlite(single);
        assert!(!out.contains("pg_single"), "{single} → {out}");
    }
    // EXISTS and IN are not scalar.
    assert_eq!(
        sqlite("SELECT 1 WHERE EXISTS (SELECT b FROM u) AND 1 IN (SELECT b FROM u)"),
        "SELECT 1 WHERE (EXISTS (SELECT b FROM u)) AND (1 IN (SELECT b FROM u))"
    );
}

#[test]
fn create_table_like_is_the_engines_marker() {
    assert_eq!(
        sqlite("create table v (like public.src, extra int)"),
        "CREATE TABLE v (pg_like_columns('main', 'src', 0), extra INT \
         CONSTRAINT \"_litewire_22003 integer\" CHECK (extra BETWEEN -2147483648 AND 2147483647))"
    );
    // A column named like, quoted, is a column.
    assert_eq!(
        sqlite("create table v (\"like\" text)"),
        "CREATE TABLE v (\"like\" TEXT)"
    );
}

#[test]
fn overriding_clauses_are_found_in_inserts_only() {
    let text = "INSERT INTO t OVERRIDING SYSTEM VALUE VALUES (1)";
    let (at, system) = super::overriding(text).unwrap();
    assert_eq!((&text[at], system), ("OVERRIDING SYSTEM VALUE", true));
    assert_eq!(
        super::overriding("insert into t (a) overriding user value select 1").map(|o| o.1),
        Some(false)
    );
    assert!(super::overriding("SELECT 'overriding system value'").is_none());
    assert!(super::overriding("INSERT INTO t VALUES ('overriding system value')").is_none());
}

#[test]
fn subscripted_targets_become_the_engines_assignment() {
    assert_eq!(
        sqlite("update t set j['a'][0] = '1', b = 2 where id = 1"),
        "UPDATE t SET j = pg_subscript_assign(j, '1', 't', 'j', 'a', 0), b = 2 WHERE id = 1"
    );
    // Two targets in one column: the second reads the first's result.
    assert_eq!(
        sqlite("update t set a[1] = 5, a[2] = 6"),
        "UPDATE t SET a = pg_subscript_assign(pg_subscript_assign(a, 5, 't', 'a', 1), 6, \
         't', 'a', 2)"
    );
    assert_eq!(
        sqlite("insert into t values (1) on conflict (id) do update set \"A\"[id] = excluded.x"),
        "INSERT INTO t VALUES (1) ON CONFLICT(id) DO UPDATE SET \"A\" = \
         pg_subscript_assign(\"A\", excluded.x, 't', 'A', id)"
    );
    // Over several lines: the subscripts' line breaks are kept.
    assert_eq!(
        sqlite("update t set a[\n1] = 1,\n b[2] = 2"),
        "UPDATE t SET a = pg_subscript_assign(a, 1, 't', 'a', 1), \
         b = pg_subscript_assign(b, 2, 't', 'b', 2)"
    );
    // Brackets elsewhere are read as subscripts.
    assert_eq!(
        sqlite("update t set a = b[1] where c = 3"),
        "UPDATE t SET a = pg_store(pg_subscript_pick(pg_array_get(b, 1, 1), pg_jsonb_subscript(pg_jsonb(b), 1), 'C1:b[1:t]'), 't', 'a', 1) \
         WHERE c = 3"
    );
    // A slice: its shape and bounds (engine/slice.rs).
    assert_eq!(
        sqlite("update t set a[1:2][3] = '{1,2}'"),
        "UPDATE t SET a = pg_subscript_assign_slice(a, '{1,2}', 't', 'a', 'si', 1, 2, 3)"
    );
}

#[test]
fn row_sources_of_a_multiple_column_set_are_row_values() {
    let out =
        sqlite("UPDATE t SET (a, b) = ROW(v.*) FROM (VALUES (21, 100)) AS v(i, j) WHERE t.a = v.i");
    assert!(
        out.starts_with("UPDATE t SET (a, b) = (v.i, v.j) FROM"),
        "{out}"
    );
    assert!(sqlite("update t set (a, b) = row(1, 2)").starts_with("UPDATE t SET (a, b) = (1, 2)"));
    let e = refused("UPDATE t SET (a, b) = ROW(u.*) FROM u WHERE t.a = u.i");
    assert_eq!(e.code, crate::protocol::SqlState::FEATURE_NOT_SUPPORTED);
    let e = refused("UPDATE t SET (a, b, c) = ROW(v.*) FROM (VALUES (1, 2)) AS v(i, j)");
    assert_eq!(
        e.message,
        "number of columns does not match number of values"
    );
    let e = refused("UPDATE t SET (a, b) = (v.*) FROM (VALUES (1, 2)) AS v(i, j)");
    assert_eq!(e.code, crate::protocol::SqlState::FEATURE_NOT_SUPPORTED);
}

#[test]
fn a_conflict_target_names_each_column_once() {
    assert_eq!(
        sqlite("insert into t values (2, 3) on conflict (key, KEY, key) do nothing"),
        "INSERT INTO t VALUES (2, 3) ON CONFLICT(key) DO NOTHING"
    );
}

#[test]
fn returning_the_changed_tables_wildcard_is_returning_star() {
    assert_eq!(
        sqlite("insert into excluded values (1, 2) returning excluded.*"),
        "INSERT INTO excluded VALUES (1, 2) RETURNING *"
    );
    assert_eq!(
        sqlite("update t as u set a = 1 returning u.*, a"),
        "UPDATE t AS u SET a = 1 RETURNING *, a"
    );
    // Another table's, or the table's own name beside its alias: as written.
    assert!(sqlite("insert into t as i values (1) returning t.*").contains("RETURNING t.*"));
}
