//! INSERT, UPDATE and CREATE TABLE forms from PostgreSQL's regression files (issue 9):
//! DEFAULT in VALUES and SET, CREATE TABLE … (LIKE …), and the errors PostgreSQL raises
//! where SQLite would silently answer — a scalar subquery's second row, ON CONFLICT DO
//! UPDATE meeting one row twice. Each answer was checked against PostgreSQL 15 first.

use crate::common::{rows, sqlstate, Server};

fn row(values: &[&str]) -> Vec<Option<String>> {
    values
        .iter()
        .map(|v| (*v != "NULL").then(|| v.to_string()))
        .collect()
}

async fn fails(c: &tokio_postgres::Client, sql: &str, code: &str, message: &str) {
    let e = c
        .simple_query(sql)
        .await
        .expect_err(&format!("{sql} should fail"));
    assert_eq!(sqlstate(&e), code, "{sql}: {e}");
    assert_eq!(e.as_db_error().unwrap().message(), message, "{sql}");
}

#[tokio::test]
async fn default_in_values_and_set_is_the_columns_default() {
    let s = Server::start(&[]);
    let c = s.connect("dml").await;
    c.batch_execute(
        "create table inserttest (col1 int4, col2 int4 NOT NULL, col3 text default 'testing');
         create table serials (id serial primary key, n int default 7, t text);
         insert into inserttest (col2, col3) values (3, DEFAULT);
         insert into inserttest (col1, col2, col3) values (DEFAULT, 5, DEFAULT);
         insert into inserttest values (DEFAULT, 5, 'test');
         insert into inserttest values (DEFAULT, 7);
         insert into inserttest values (10, 20, '40'), (-1, 2, DEFAULT);
         insert into serials values (DEFAULT, DEFAULT, 'a'), (DEFAULT, 1, DEFAULT);
         insert into serials (t, n) values ('b', DEFAULT);",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(&c, "select * from inserttest").await,
        vec![
            row(&["NULL", "3", "testing"]),
            row(&["NULL", "5", "testing"]),
            row(&["NULL", "5", "test"]),
            row(&["NULL", "7", "testing"]),
            row(&["10", "20", "40"]),
            row(&["-1", "2", "testing"]),
        ]
    );
    // Each row's DEFAULT is evaluated for that row: the sequence advances.
    assert_eq!(
        rows(&c, "select * from serials order by id").await,
        vec![
            row(&["1", "7", "a"]),
            row(&["2", "1", "NULL"]),
            row(&["3", "7", "b"]),
        ]
    );
    // A row shorter than the table gets the defaults of the rest.
    c.batch_execute("insert into inserttest values (NULL, 9)")
        .await
        .unwrap();
    assert_eq!(
        rows(&c, "select col3 from inserttest where col2 = 9").await,
        vec![row(&["testing"])]
    );
    // So does a query's (INSERT … SELECT, also in a WITH's INSERT).
    c.batch_execute("insert into inserttest select NULL, 9")
        .await
        .unwrap();
    assert_eq!(
        rows(&c, "select col3 from inserttest where col2 = 9").await,
        vec![row(&["testing"]), row(&["testing"])]
    );
    c.batch_execute("delete from inserttest where col2 = 9")
        .await
        .unwrap();
    // A DEFAULT the column does not have is NULL, which NOT NULL refuses.
    let e = c
        .simple_query("insert into inserttest values (1, DEFAULT)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23502");

    // UPDATE … SET col = DEFAULT, in a list and in a tuple.
    c.batch_execute(
        "update serials set n = DEFAULT, t = 'x' where id = 2;
         update serials set (t, n) = (DEFAULT, 100) where id = 3;",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(&c, "select * from serials order by id").await,
        vec![
            row(&["1", "7", "a"]),
            row(&["2", "7", "x"]),
            row(&["3", "100", "NULL"]),
        ]
    );
    // The extended protocol prepares the same text.
    let n = c
        .execute("insert into serials (n, t) values (DEFAULT, $1)", &[&"p"])
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(
        rows(&c, "select id, n from serials where t = 'p'").await,
        vec![row(&["4", "7"])]
    );

    // DEFAULT anywhere else is PostgreSQL's 42601.
    fails(
        &c,
        "select default",
        "42601",
        "DEFAULT is not allowed in this context",
    )
    .await;
    fails(
        &c,
        "insert into serials (n) values (default + 1)",
        "42601",
        "DEFAULT is not allowed in this context",
    )
    .await;
}

#[tokio::test]
async fn assignments_postgresql_refuses() {
    let s = Server::start(&[]);
    let c = s.connect("dml").await;
    c.batch_execute("create table t (a int primary key, b int, c text)")
        .await
        .unwrap();
    fails(
        &c,
        "update t set (c, b) = ('car', a + b), b = a + 1",
        "42601",
        "multiple assignments to same column \"b\"",
    )
    .await;
    fails(
        &c,
        "update t set b = 1, B = 2",
        "42601",
        "multiple assignments to same column \"b\"",
    )
    .await;
    fails(
        &c,
        "update t set (b, c) = (1, 'x', 3)",
        "42601",
        "number of columns does not match number of values",
    )
    .await;
    fails(
        &c,
        "insert into t (a, a) values (1, 1)",
        "42701",
        "column \"a\" specified more than once",
    )
    .await;
    fails(
        &c,
        "insert into t values (1, 1) on conflict do update set b = 0",
        "42601",
        "ON CONFLICT DO UPDATE requires inference specification or constraint name",
    )
    .await;
}

#[tokio::test]
async fn row_of_a_from_items_columns_in_a_multiple_column_set() {
    let s = Server::start(&[]);
    let c = s.connect("dml").await;
    c.batch_execute(
        "create table t (a int, b int); insert into t values (21, 5), (41, 12);
         UPDATE t SET (a, b) = ROW(v.*) FROM (VALUES (21, 100)) AS v(i, j) WHERE t.a = v.i;
         UPDATE t SET (b, a) = ROW(b + 1, a) WHERE a = 41",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(&c, "select a, b from t order by a").await,
        [row(&["21", "100"]), row(&["41", "13"])]
    );
    fails(
        &c,
        "UPDATE t SET (a, b) = (v.*) FROM (VALUES (21, 101)) AS v(i, j) WHERE t.a = v.i",
        "0A000",
        "source for a multiple-column UPDATE item must be a sub-SELECT or ROW() expression",
    )
    .await;
    fails(
        &c,
        "UPDATE t SET (a, b) = ROW(v.*) FROM (VALUES (1, 2, 3)) AS v(i, j, k)",
        "42601",
        "number of columns does not match number of values",
    )
    .await;
}

#[tokio::test]
async fn a_scalar_subquerys_second_row_is_an_error() {
    let s = Server::start(&[]);
    let c = s.connect("dml").await;
    c.batch_execute(
        "create table update_test (a int, b int, c text);
         insert into update_test values (5, 10, 'foo'), (10, 15, null);
         create table o (x int);
         insert into o values (1), (2);
         create table i (y int, z int);
         insert into i values (1, 10), (2, 20), (2, 30);",
    )
    .await
    .unwrap();
    let more = "more than one row returned by a subquery used as an expression";
    fails(
        &c,
        "select (select a from (values (1), (2)) v(a))",
        "21000",
        more,
    )
    .await;
    fails(&c, "select 1 where 1 = (select y from i)", "21000", more).await;
    // Correlated: fails only where the subquery meets two rows.
    assert_eq!(
        rows(
            &c,
            "select x, (select z from i where y = o.x) from o where x = 1"
        )
        .await,
        vec![row(&["1", "10"])]
    );
    fails(
        &c,
        "select x, (select z from i where y = o.x) from o",
        "21000",
        more,
    )
    .await;
    // A row of columns: update.sql's SET (b, a) = (SELECT …), which changed nothing.
    fails(
        &c,
        "update update_test set (b, a) = (select a + 1, b from update_test)",
        "21000",
        more,
    )
    .await;
    assert_eq!(
        rows(&c, "select a, b from update_test order by a").await,
        vec![row(&["5", "10"]), row(&["10", "15"])]
    );
    // One row or none: the value, or NULL.
    assert_eq!(
        rows(
            &c,
            "select (select z from i where y = 1), (select z from i where y = 9), \
             (select max(z) from i), (select z from i order by z limit 1)"
        )
        .await,
        vec![row(&["10", "NULL", "30", "10"])]
    );
    c.batch_execute("update update_test set (b, a) = (select 1, 2) where a = 5")
        .await
        .unwrap();
    assert_eq!(
        rows(&c, "select a, b from update_test order by a").await,
        vec![row(&["2", "1"]), row(&["10", "15"])]
    );
}

#[tokio::test]
async fn on_conflict_do_update_meets_a_row_once() {
    let s = Server::start(&[]);
    let c = s.connect("dml").await;
    c.batch_execute(
        "create table selfconflict (f1 int primary key, f2 int);
         insert into selfconflict values (1, 1), (2, 1);",
    )
    .await
    .unwrap();
    let twice = "ON CONFLICT DO UPDATE command cannot affect row a second time";
    // A new key proposed twice, an existing one twice, with and without a column list.
    fails(
        &c,
        "insert into selfconflict values (4, 1), (4, 2) on conflict (f1) do update set f2 = 0",
        "21000",
        twice,
    )
    .await;
    fails(
        &c,
        "insert into selfconflict values (1, 1), (1, 2) on conflict (f1) do update set f2 = 0",
        "21000",
        twice,
    )
    .await;
    fails(
        &c,
        "insert into selfconflict (f2, f1) values (1, 5), (2, 5) \
         on conflict (f1) do update set f2 = 0",
        "21000",
        twice,
    )
    .await;
    // Nothing of a failed statement stays.
    assert_eq!(
        rows(&c, "select * from selfconflict order by f1").await,
        vec![row(&["1", "1"]), row(&["2", "1"])]
    );
    // Distinct keys are fine, and so is DO NOTHING on a repeated one.
    c.batch_execute(
        "insert into selfconflict values (2, 7), (3, 7) on conflict (f1) do update set f2 = excluded.f2;
         insert into selfconflict values (6, 1), (6, 2) on conflict (f1) do nothing;",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(&c, "select * from selfconflict order by f1").await,
        vec![
            row(&["1", "1"]),
            row(&["2", "7"]),
            row(&["3", "7"]),
            row(&["6", "1"]),
        ]
    );
}

#[tokio::test]
async fn create_table_like_copies_the_columns() {
    let s = Server::start(&[]);
    let c = s.connect("dml").await;
    // copy2.sql: SQLite read `(LIKE testeoc)` as a column named "LIKE".
    c.batch_execute(
        "create temp table testeoc (a text);
         create table vistest (like testeoc);
         create table src (a int not null, b varchar(3) default 'x');
         create table dst (like src, c int);",
    )
    .await
    .unwrap();
    c.batch_execute("insert into vistest values ('a0')")
        .await
        .unwrap();
    assert_eq!(rows(&c, "select * from vistest").await, vec![row(&["a0"])]);
    assert_eq!(
        rows(
            &c,
            "select column_name, data_type, is_nullable, column_default \
             from information_schema.columns where table_name = 'dst' order by ordinal_position"
        )
        .await,
        vec![
            row(&["a", "integer", "NO", "NULL"]),
            row(&["b", "character varying", "YES", "NULL"]),
            row(&["c", "integer", "YES", "NULL"]),
        ]
    );
    // The types' checks come along.
    let e = c
        .simple_query("insert into dst values (1, 'abcd')")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22001");
    let e = c
        .simple_query("create table nothing (like nosuch)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42P01");
}

#[tokio::test]
async fn roles_are_the_sessions_user() {
    let s = Server::start(&[]);
    let c = s.connect("dml").await;
    c.batch_execute(
        "reset role; reset session authorization; set role none; \
         set session authorization default",
    )
    .await
    .unwrap();
    fails(
        &c,
        "set role nosuch",
        "22023",
        "role \"nosuch\" does not exist",
    )
    .await;
    fails(
        &c,
        "set session authorization nosuch",
        "22023",
        "role \"nosuch\" does not exist",
    )
    .await;
}

#[tokio::test]
async fn create_table_and_upsert_refusals() {
    let s = Server::start(&[]);
    let c = s.connect("dml").await;
    fails(
        &c,
        "create table pt (u unknown)",
        "42P16",
        "column \"u\" has pseudo-type unknown",
    )
    .await;
    fails(
        &c,
        "create table pt (a int default (avg(1)))",
        "42803",
        "aggregate functions are not allowed in DEFAULT expressions",
    )
    .await;
    fails(
        &c,
        "create table pt (a int default (select 1))",
        "0A000",
        "cannot use subquery in DEFAULT expression",
    )
    .await;
    fails(
        &c,
        "CREATE TABLE tas_case WITH (\"Fillfactor\" = 10) AS SELECT 1 a",
        "22023",
        "unrecognized parameter \"Fillfactor\"",
    )
    .await;
    fails(
        &c,
        "create table pt (a int) with (oids = true)",
        "0A000",
        "tables declared WITH OIDS are not supported",
    )
    .await;
    c.batch_execute(
        "create table pt (a int) with (fillfactor = 50, oids = false);
         create table excluded (key int primary key, data text);
         insert into excluded values (1, '2') on conflict (key) do update set data = 'x';",
    )
    .await
    .unwrap();
    fails(
        &c,
        "insert into excluded values (1, '2') on conflict (key) do update set data = excluded.data",
        "42P09",
        "table reference \"excluded\" is ambiguous",
    )
    .await;
    // Forms litewire cannot honour name themselves (0A000), not a syntax error.
    for (sql, what) in [
        (
            "create table lp (a text) partition by list (a)",
            "PARTITION BY is not supported by litewire",
        ),
        (
            "create table lp1 partition of lp for values in ('aa')",
            "CREATE TABLE … PARTITION OF is not supported by litewire",
        ),
    ] {
        fails(&c, sql, "0A000", what).await;
    }
    // An element of a column that is no array: PostgreSQL's 42804.
    fails(
        &c,
        "insert into pt (a[1]) values (1)",
        "42804",
        "cannot subscript type integer because it does not support subscripting",
    )
    .await;
}

/// `INSERT … SELECT … FROM src ON CONFLICT …` (Django's many-to-many links: `INSERT …
/// SELECT * FROM UNNEST($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING`): SQLite
/// would read ON as a join constraint of the last FROM item. Answers from PostgreSQL 15.
#[tokio::test]
async fn insert_select_from_with_on_conflict() {
    let s = Server::start(&[]);
    let c = s.connect("dml").await;
    c.batch_execute(
        "create table links (a int, b int, unique (a, b));
         insert into links select * from unnest(array[1, 1, 2], array[10, 10, 20]) \
         on conflict do nothing;
         create table src (a int, b int);
         insert into src values (2, 20), (3, 30);
         insert into links select a, b from src on conflict (a, b) do nothing;
         insert into links select a, b from src union all select a, b from src \
         on conflict do nothing;",
    )
    .await
    .unwrap();
    let got = rows(&c, "select a, b from links order by a").await;
    assert_eq!(
        got,
        vec![row(&["1", "10"]), row(&["2", "20"]), row(&["3", "30"])]
    );
}

/// `ON COMMIT PRESERVE ROWS` (what every table does) is taken; a permanent table with
/// ON COMMIT is PostgreSQL's 42P16.
/// A foreign key's MATCH SIMPLE (the default) is taken, MATCH FULL is 0A000.
#[tokio::test]
async fn on_commit_and_foreign_key_match() {
    let s = Server::start(&[]);
    let c = s.connect("oncommit").await;
    c.batch_execute(
        "create temp table keep (a int primary key) on commit preserve rows; \
         insert into keep values (1); \
         create table refs (a int references keep match simple)",
    )
    .await
    .unwrap();
    assert_eq!(rows(&c, "select a from keep").await, vec![row(&["1"])]);
    // (ON COMMIT DELETE ROWS and DROP: tests/it/temporary.rs.)
    for (sql, code, message) in [
        (
            "create table t3 (a int) on commit preserve rows",
            "42P16",
            "ON COMMIT can only be used on temporary tables",
        ),
        (
            "alter table refs add foreign key (a) references keep match full",
            "0A000",
            "MATCH FULL is not supported by litewire",
        ),
    ] {
        fails(&c, sql, code, message).await;
    }
}

/// ON CONFLICT with an expression target or an index predicate (the grammar takes a
/// column list): translated as the unique index it names, so SQLite's upsert finds it.
/// Checked against PostgreSQL 15.
#[tokio::test]
async fn on_conflict_with_expressions_or_a_predicate() {
    let s = Server::start(&[]);
    let c = s.connect("dml").await;
    c.batch_execute(
        "create table f (key int, fruit text);
         create unique index f_lower on f (lower(fruit));
         insert into f values (20, 'Quince') on conflict (lower(fruit)) do update set fruit = excluded.fruit;
         insert into f values (21, 'quince') on conflict (lower(fruit), lower(fruit)) do update set fruit = excluded.fruit;
         drop index f_lower;
         create unique index f_part on f (key) where fruit like '%berry';
         insert into f values (23, 'Blackberry') on conflict (key) where fruit like '%berry' do nothing;
         insert into f values (23, 'Blueberry') on conflict (key) where fruit like '%berry' do update set fruit = excluded.fruit",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(&c, "select key, fruit from f order by key").await,
        [row(&["20", "quince"]), row(&["23", "Blueberry"])]
    );
    // The extended protocol reads the same statement (Describe included).
    let n = c
        .execute(
            "insert into f values ($1, 'Cranberry') on conflict (key) where fruit like '%berry' do nothing",
            &[&23i32],
        )
        .await
        .unwrap();
    assert_eq!(n, 0);
    // No index with that expression or predicate: an error, as in PostgreSQL.
    for sql in [
        "insert into f values (1, 'x') on conflict (upper(fruit)) do nothing",
        "insert into f values (1, 'x') on conflict (key) where fruit like '%rry' do nothing",
    ] {
        assert!(c.simple_query(sql).await.is_err(), "{sql}");
    }
}
