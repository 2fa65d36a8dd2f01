//! Query forms SQLite lacks, answered as PostgreSQL 15 answers them (each expectation
//! checked against PostgreSQL first): alias column lists, set operations with
//! PostgreSQL's grouping, INTERSECT/EXCEPT ALL, LIMIT/OFFSET/FETCH, ordered-set and
//! hypothetical aggregates, LATERAL functions, DELETE … USING; 0A000 for what litewire
//! cannot honour; string literals in set operations typed by the other side.

use crate::common::{rows, sqlstate, Server};

const SETUP: &str = "create table j1 (i int, j int, t text);
    insert into j1 values (1, 4, 'one'), (2, 3, 'two'), (3, 2, 'three'), (null, 0, 'zero');
    create table j2 (i int, k int);
    insert into j2 values (1, -1), (2, 2), (3, -3), (2, 4);";

async fn check(c: &tokio_postgres::Client, cases: &[(&str, &[&[&str]])]) {
    for (sql, want) in cases {
        let got = rows(c, sql).await;
        let want: Vec<Vec<Option<String>>> = want
            .iter()
            .map(|r| {
                r.iter()
                    .map(|v| (*v != "NULL").then(|| v.to_string()))
                    .collect()
            })
            .collect();
        assert_eq!(got, want, "{sql}");
    }
}

#[tokio::test]
async fn alias_column_lists_rename_columns() {
    let s = Server::start(&[]);
    let c = s.connect("queries").await;
    c.batch_execute(SETUP).await.unwrap();
    check(
        &c,
        &[
            (
                "select a, c from j1 as t1 (a, b, c) where a is not null order by a",
                &[&["1", "one"], &["2", "two"], &["3", "three"]],
            ),
            (
                "select t1.a, t2.e from j1 t1 (a, b, c), j2 t2 (d, e) \
                 where t1.a = t2.d order by 1, 2",
                &[&["1", "-1"], &["2", "2"], &["2", "4"], &["3", "-3"]],
            ),
            (
                "select * from j1 t1 (a, b, c) join j2 t2 (a, d) using (a) order by a, d",
                &[
                    &["1", "4", "one", "-1"],
                    &["2", "3", "two", "2"],
                    &["2", "3", "two", "4"],
                    &["3", "2", "three", "-3"],
                ],
            ),
            (
                "select x, y from (values (1, 'a'), (2, 'b')) v(x, y) order by x",
                &[&["1", "a"], &["2", "b"]],
            ),
            // A function in FROM sees the items before it.
            (
                "select i, g from j2, lateral generate_series(1, j2.i) g where k > 0 \
                 order by 1, 2",
                &[&["2", "1"], &["2", "1"], &["2", "2"], &["2", "2"]],
            ),
        ],
    )
    .await;
    // The names a client sees are the aliases.
    let st = c.prepare("select * from j1 as t1 (a, b, c)").await.unwrap();
    let names: Vec<&str> = st.columns().iter().map(|c| c.name()).collect();
    assert_eq!(names, ["a", "b", "c"]);
}

#[tokio::test]
async fn lateral_subqueries_see_the_items_before_them() {
    let s = Server::start(&[]);
    let c = s.connect("queries").await;
    c.batch_execute(SETUP).await.unwrap();
    check(
        &c,
        &[
            (
                "select * from j1, lateral (select j1.i * 10 as x) s order by 1, 2",
                &[
                    &["1", "4", "one", "10"],
                    &["2", "3", "two", "20"],
                    &["3", "2", "three", "30"],
                    &["NULL", "0", "zero", "NULL"],
                ],
            ),
            (
                "select j1.t, s.k from j1 left join lateral \
                 (select k from j2 where j2.i = j1.i order by k desc limit 1) s on true \
                 order by 1",
                &[&["one", "-1"], &["three", "-3"], &["two", "4"], &["zero", "NULL"]],
            ),
            (
                "select t, z from j1, lateral (select k as z from j2 where j2.i = j1.i) ss \
                 where z > 0 order by 1, 2",
                &[&["two", "2"], &["two", "4"]],
            ),
            (
                "select * from (values (1), (2)) v(n), lateral (select n * 2 as d, 'x' || n as s) w \
                 order by 1",
                &[&["1", "2", "x1"], &["2", "4", "x2"]],
            ),
            (
                "select j1.i, c from j1 cross join lateral \
                 (select count(*) c from j2 where j2.i <= j1.i) q order by 1",
                &[&["1", "1"], &["2", "3"], &["3", "4"], &["NULL", "0"]],
            ),
            // A boolean stays a boolean through the lateral subquery.
            (
                "select * from (select true as a) t, lateral (select a as b) u",
                &[&["t", "t"]],
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn set_operations_group_as_in_postgresql() {
    let s = Server::start(&[]);
    let c = s.connect("queries").await;
    c.batch_execute(SETUP).await.unwrap();
    check(
        &c,
        &[
            // INTERSECT binds tighter than UNION (SQLite alone would give just 2).
            (
                "select 1 union select 2 intersect select 2 order by 1",
                &[&["1"], &["2"]],
            ),
            ("(select 2) union select 2", &[&["2"]]),
            (
                "(select i from j2 order by k limit 2) except select 3 order by 1",
                &[&["1"]],
            ),
            (
                "select x from (values (1),(1),(2),(3),(3),(3)) v(x) intersect all \
                 select x from (values (1),(3),(3),(5)) w(x) order by 1",
                &[&["1"], &["3"], &["3"]],
            ),
            (
                "select x from (values (1),(1),(2),(3),(3),(3)) v(x) except all \
                 select x from (values (1),(3),(3),(5)) w(x) order by 1",
                &[&["1"], &["2"], &["3"]],
            ),
            // A set-returning function's column keeps its name in a set operation's
            // SELECTs too.
            (
                "select x, y from (select x, x as y from generate_series(1, 2) as x \
                 union all select null, 42) ss order by y",
                &[&["1", "1"], &["2", "2"], &["NULL", "42"]],
            ),
        ],
    )
    .await;
    // A set operation's ORDER BY names its output columns only.
    let sql = "select i from j2 except select k from j2 order by k";
    let e = c.simple_query(sql).await.expect_err(sql);
    assert_eq!(sqlstate(&e), "42703", "{sql}: {e}");
    // TABLE t is SELECT * FROM t (the parser takes no ORDER BY after it: sorted here).
    let mut got = rows(&c, "values (1, 2) union all table j2").await;
    got.sort();
    let want: Vec<Vec<Option<String>>> =
        [["1", "-1"], ["1", "2"], ["2", "2"], ["2", "4"], ["3", "-3"]]
            .iter()
            .map(|r| r.iter().map(|v| Some(v.to_string())).collect())
            .collect();
    assert_eq!(got, want);
}

#[tokio::test]
async fn limit_offset_and_fetch_first() {
    let s = Server::start(&[]);
    let c = s.connect("queries").await;
    c.batch_execute(SETUP).await.unwrap();
    check(
        &c,
        &[
            ("select i from j2 order by i, k offset 2", &[&["2"], &["3"]]),
            (
                "select i from j2 order by i, k fetch first 2 rows only",
                &[&["1"], &["2"]],
            ),
            (
                "select count(*) from (select i from j2 limit null) s",
                &[&["4"]],
            ),
        ],
    )
    .await;
    for (sql, code) in [
        ("select 1 limit -1", "2201W"),
        ("select 1 offset -1", "2201X"),
        ("select 1 limit (select -1)", "2201W"),
    ] {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), code, "{sql}: {e}");
    }
}

#[tokio::test]
async fn distinct_on_and_with_ties() {
    let s = Server::start(&[]);
    let c = s.connect("queries").await;
    c.batch_execute(SETUP).await.unwrap();
    check(
        &c,
        &[
            (
                "select distinct on (i) i, k from j2 order by i, k desc",
                &[&["1", "-1"], &["2", "4"], &["3", "-3"]],
            ),
            (
                "select s.k from (select distinct on (i) i, k from j2 order by i, k) s \
                 order by 1",
                &[&["-3"], &["-1"], &["2"]],
            ),
            (
                "select i from j2 order by i fetch first 2 rows with ties",
                &[&["1"], &["2"], &["2"]],
            ),
        ],
    )
    .await;
    let sql = "select distinct on (i) i, k from j2 order by k";
    let e = c.simple_query(sql).await.expect_err(sql);
    assert_eq!(sqlstate(&e), "42P10", "{sql}: {e}");
}

#[tokio::test]
async fn ordered_set_and_hypothetical_aggregates() {
    let s = Server::start(&[]);
    let c = s.connect("queries").await;
    c.batch_execute(SETUP).await.unwrap();
    let v = "(values (1),(2),(3),(10)) v(x)";
    check(
        &c,
        &[
            (
                &format!(
                    "select percentile_cont(0.5) within group (order by x), \
                     percentile_disc(0.5) within group (order by x), \
                     mode() within group (order by x) from {v}"
                ),
                &[&["2.5", "2", "1"]],
            ),
            (
                &format!(
                    "select percentile_cont(array[0, 0.25, 1]) within group (order by x) \
                     from {v}"
                ),
                &[&["{1,1.75,10}"]],
            ),
            (
                "select rank(3) within group (order by x), \
                 dense_rank(3) within group (order by x), \
                 percent_rank(3) within group (order by x), \
                 cume_dist(3) within group (order by x) \
                 from (values (1),(1),(2),(2),(3),(3),(4)) v(x)",
                &[&["5", "3", "0.5714285714285714", "0.875"]],
            ),
            (
                "select percentile_disc(0.5) within group (order by t desc) from j1",
                &[&["two"]],
            ),
        ],
    )
    .await;
    for (sql, code) in [
        (
            "select rank(3) within group (order by x) from (values ('fred'),('jim')) v(x)",
            "42804",
        ),
        (
            "select percentile_cont(2) within group (order by i) from j2",
            "22003",
        ),
    ] {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), code, "{sql}: {e}");
    }
}

#[tokio::test]
async fn delete_using_deletes_the_matched_rows() {
    let s = Server::start(&[]);
    let c = s.connect("queries").await;
    c.batch_execute(SETUP).await.unwrap();
    let n = c
        .execute(
            "delete from j2 using j1 where j2.i = j1.i and j1.t = 'two'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(n, 2);
    check(
        &c,
        &[
            ("select count(*) from j2", &[&["2"]]),
            (
                "delete from j2 using j1 where j2.i = j1.i and j1.t = 'one' returning j2.k",
                &[&["-1"]],
            ),
            ("select exists (select from j1)", &[&["t"]]),
        ],
    )
    .await;
}

#[tokio::test]
async fn forms_litewire_cannot_honour_are_0a000() {
    let s = Server::start(&[]);
    let c = s.connect("queries").await;
    c.batch_execute(SETUP).await.unwrap();
    for sql in [
        "select * from j1, lateral (select * from j2 where j2.i = j1.i) s",
        // Below the top level (PostgreSQL refuses it too; at the top level it runs).
        "select * from (with d as (delete from j2 returning *) select * from d) s",
        "select * from (select from j1) s",
        "select * from (j1 cross join j2) j",
        "delete from j2 using (select * from j1) s where j2.i = s.i",
    ] {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), "0A000", "{sql}: {e}");
    }
    // Nothing was deleted by the refused statement.
    check(&c, &[("select count(*) from j2", &[&["4"]])]).await;
}

/// HAVING without GROUP BY is one group over the whole input, even an empty one
/// (PostgreSQL 15's answers); a column outside an aggregate there is 42803.
#[tokio::test]
async fn having_without_group_by_is_one_group() {
    let s = Server::start(&[]);
    let c = s.connect("having").await;
    c.batch_execute(SETUP).await.unwrap();
    check(
        &c,
        &[
            ("select 1 as one from j1 having 1 > 2", &[]),
            ("select 1 as one from j1 having 1 < 2", &[&["1"]]),
            (
                "select 1 as one from j1 where i > 100 having 1 < 2",
                &[&["1"]],
            ),
            ("select 'x', 2 from j1 having count(*) > 3", &[&["x", "2"]]),
            ("select max(i) from j1 having min(j) < 1", &[&["3"]]),
        ],
    )
    .await;
    let e = c
        .simple_query("select i from j1 having 1 < 2")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42803", "{e}");
}

/// A string literal in UNION/INTERSECT/EXCEPT takes the other side's type, as PostgreSQL
/// gives it (SQLite compared the text with the number and kept both).
#[tokio::test]
async fn set_operation_literals_take_the_other_side_s_type() {
    let s = Server::start(&[]);
    let c = s.connect("queries").await;
    let one = |v: &str| vec![vec![Some(v.to_string())]];
    assert_eq!(rows(&c, "select 1 union select '1'").await, one("1"));
    assert_eq!(
        rows(&c, "select '2020-01-01'::date union select '2020-1-1'").await,
        one("2020-01-01")
    );
    assert_eq!(rows(&c, "select 1 intersect select '01'").await, one("1"));
    assert_eq!(
        rows(
            &c,
            "select '1' as x union all select 2 union all select '3' order by 1"
        )
        .await,
        vec![
            vec![Some("1".to_string())],
            vec![Some("2".to_string())],
            vec![Some("3".to_string())]
        ]
    );
    // Literals on both sides stay text.
    assert_eq!(
        rows(&c, "select 'b' union select 'a' order by 1").await,
        vec![vec![Some("a".to_string())], vec![Some("b".to_string())]]
    );
    let e = c
        .simple_query("select '3.4'::numeric union select 'foo'")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22P02");
}

/// `select from …`: rows of no columns, in both protocols; a set operation of such
/// SELECTs keeps PostgreSQL's grouping (each answer checked against PostgreSQL 15).
#[tokio::test]
async fn selects_with_no_columns_give_rows_of_none() {
    let s = Server::start(&[]);
    let c = s.connect("queries").await;
    for (sql, n) in [
        (
            "select from generate_series(1,5) union select from generate_series(1,3)",
            1,
        ),
        (
            "select from generate_series(1,5) union all select from generate_series(1,3)",
            8,
        ),
        (
            "select from generate_series(1,5) intersect all select from generate_series(1,3)",
            3,
        ),
        (
            "select from generate_series(1,5) except all select from generate_series(1,3)",
            2,
        ),
        (
            "select from generate_series(1,5) except select from generate_series(1,3)",
            0,
        ),
        ("select union select", 1),
        ("select except select", 0),
        ("select", 1),
    ] {
        let got = rows(&c, sql).await;
        assert_eq!(got.len(), n, "{sql}");
        assert!(got.iter().all(Vec::is_empty), "{sql}: {got:?}");
    }
    // Extended protocol: a RowDescription of no fields, rows of no values.
    let stmt = c
        .prepare("select from generate_series(1,$1::int)")
        .await
        .unwrap();
    assert!(stmt.columns().is_empty());
    let got = c.query(&stmt, &[&4i32]).await.unwrap();
    assert_eq!(got.len(), 4);
    assert!(got.iter().all(|r| r.is_empty()));
    // Mixed with columns: still refused (PostgreSQL: 42601, the counts differ).
    let e = c
        .simple_query("select from generate_series(1,3) union select 1")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "0A000");
}

/// A recursive WITH's CYCLE clause stops at a row already on the path, as PostgreSQL's
/// rewrite does; SEARCH changes nothing the query reads; reading the columns they add is
/// 0A000 (each answer checked against PostgreSQL 15).
#[tokio::test]
async fn search_and_cycle_clauses() {
    let s = Server::start(&[]);
    let c = s.connect("queries").await;
    c.batch_execute("create table g (f int, t int); insert into g values (1,2),(2,3),(3,1)")
        .await
        .unwrap();
    let got = rows(
        &c,
        "with recursive s(f, t) as (select * from g union all select g.* from g, s \
         where g.f = s.t) cycle f, t set c using p select f, t from s order by f, t",
    )
    .await;
    let got: Vec<String> = got
        .into_iter()
        .map(|r| format!("{}|{}", r[0].as_deref().unwrap(), r[1].as_deref().unwrap()))
        .collect();
    assert_eq!(
        got.join(" "),
        "1|2 1|2 1|2 1|2 2|3 2|3 2|3 2|3 3|1 3|1 3|1 3|1"
    );
    let got = rows(
        &c,
        "with recursive t(x) as (select 1 union all select x + 1 from t where x < 4) \
         search depth first by x set s select x from t",
    )
    .await;
    assert_eq!(got.len(), 4);
    let e = c
        .simple_query(
            "with recursive t(x) as (select 1 union all select x + 1 from t where x < 4) \
             search depth first by x set s select * from t",
        )
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "0A000");
}

/// `JOIN … USING (i) AS x`: `x.i` is the merged column, `x.*` the merged columns
/// (answers checked against PostgreSQL 15).
#[tokio::test]
async fn a_join_using_alias_names_the_merged_columns() {
    let s = Server::start(&[]);
    let c = s.connect("queries").await;
    c.batch_execute(SETUP).await.unwrap();
    check(
        &c,
        &[
            (
                "select x.i, x.* from j1 a left join j2 using (i) as x order by 1",
                &[
                    &["1", "1"],
                    &["2", "2"],
                    &["2", "2"],
                    &["3", "3"],
                    &["NULL", "NULL"],
                ],
            ),
            (
                "select t from j1 join j2 using (i) as x where x.i = 1",
                &[&["one"]],
            ),
        ],
    )
    .await;
    let e = c
        .simple_query("select * from j1 join j2 using (i) as x where x.t = 'one'")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42703");
}

/// PostgreSQL's grouping check: in a grouped SELECT a column outside GROUP BY and
/// outside an aggregate is 42803, unless GROUP BY holds its table's PRIMARY KEY (not a
/// UNIQUE constraint); SQLite answered with any row's value. Messages and answers are
/// PostgreSQL 15's.
#[tokio::test]
async fn ungrouped_columns_are_refused_as_postgresql_refuses_them() {
    let s = Server::start(&[]);
    let c = s.connect("grouping").await;
    c.batch_execute(
        "create table gp (id int primary key, name text, n int);
         create table gc (id int, gp_id int unique, v int);
         create table gk (x int, y int, z int, primary key (x, y));
         insert into gp values (1, 'a', 10), (2, 'b', 20);
         insert into gc values (1, 1, 5), (2, 2, 6), (3, 3, 7);
         insert into gk values (1, 1, 1);",
    )
    .await
    .unwrap();
    let must = |t: &str| {
        format!(
            "column \"{t}\" must appear in the GROUP BY clause or be used in an aggregate function"
        )
    };
    let refused = [
        ("select id, v from gc group by id", must("gc.v")),
        ("select gc.id, v from gc group by id", must("gc.v")),
        // A UNIQUE column is no key for this.
        ("select gp_id, v from gc group by gp_id", must("gc.v")),
        ("select id, count(*) from gc", must("gc.id")),
        ("select id + 1, v from gc group by id + 1", must("gc.v")),
        ("select * from gc group by id", must("gc.gp_id")),
        ("select x, y, z from gk group by x", must("gk.y")),
        (
            "select s.v from (select id, v from gc) s group by s.id",
            must("s.v"),
        ),
        ("select id from gc group by id order by v", must("gc.v")),
        // A CTE or subquery over `*` of a table has that table's columns (no key).
        (
            "with w as (select * from gp) select name from w group by id",
            must("w.name"),
        ),
        (
            "select s.n from (select * from gp) s group by s.id",
            must("s.n"),
        ),
        ("select id from gc group by id having v > 1", must("gc.v")),
        (
            "select id, sum(v) over (partition by gp_id) from gc group by id",
            must("gc.v"),
        ),
        ("select v from gc having count(*) > 1", must("gc.v")),
        ("select id from gc order by count(*)", must("gc.id")),
        (
            "select gc.v from gp join gc on gp.id = gc.gp_id group by gp.id",
            must("gc.v"),
        ),
        ("select g.v from gc g group by g.id", must("g.v")),
        (
            "select (select gc.v) from gc group by id",
            "subquery uses ungrouped column \"gc.v\" from outer query".to_string(),
        ),
        (
            "create view gv as select id, v from gc group by id",
            must("gc.v"),
        ),
    ];
    for (sql, message) in &refused {
        let e = c.simple_query(sql).await.unwrap_err();
        let got = e.as_db_error().map(|d| d.message().to_string());
        assert_eq!(
            (sqlstate(&e).as_str(), got.as_deref()),
            ("42803", Some(message.as_str())),
            "{sql}"
        );
    }
    // Refused when prepared too (the extended protocol's Parse).
    let e = c
        .prepare("select id, v from gc group by id")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42803", "{e}");
    // Grouped by the key over the extended protocol, with a parameter.
    let got = c
        .query(
            "select id, name from gp where id > $1 group by id order by id",
            &[&1i32],
        )
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].get::<_, &str>(1), "b");
    // The column does not exist: 42703 first, as PostgreSQL.
    let e = c
        .simple_query("select nosuch, count(*) from gc")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42703", "{e}");
    check(
        &c,
        &[
            // Grouped by the primary key: the table's other columns are allowed.
            ("select id, name from gp group by id order by id", &[&["1", "a"], &["2", "b"]]),
            ("select * from gp group by id order by id", &[&["1", "a", "10"], &["2", "b", "20"]]),
            ("select x, y, z from gk group by x, y", &[&["1", "1", "1"]]),
            (
                "select gp.id, gp.name, sum(gc.v) from gp join gc on gc.gp_id = gp.id \
                 group by gp.id order by gp.id",
                &[&["1", "a", "5"], &["2", "b", "6"]],
            ),
            ("select id + 1 from gc group by id + 1 order by 1", &[&["2"], &["3"], &["4"]]),
            ("select n / 10 as m, count(*) from gp group by m order by m", &[&["1", "1"], &["2", "1"]]),
            ("select name, count(*) from gp group by 1 order by 1", &[&["a", "1"], &["b", "1"]]),
            (
                "select (select count(*) from gc where gc.gp_id = gp.id) from gp \
                 group by gp.id order by 1",
                &[&["1"], &["1"]],
            ),
            (
                "select (select max(gc.v) from gp where gp.id = 1) from gc group by gp_id order by 1",
                &[&["5"], &["6"], &["7"]],
            ),
            (
                "with w as (select gp_id, v from gc) select gp_id, sum(v) from w \
                 group by gp_id order by 1",
                &[&["1", "5"], &["2", "6"], &["3", "7"]],
            ),
            (
                "select name, rank() over (order by sum(n)) from gp group by name order by 1",
                &[&["a", "1"], &["b", "2"]],
            ),
            ("select sum(v) filter (where v > 5) from gc", &[&["13"]]),
            ("select count(*), (select 1) from gp", &[&["2", "1"]]),
        ],
    )
    .await;
    // A view grouped by its table's key, and the view's own columns then grouped.
    c.batch_execute("create view gv2 as select id, name from gp group by id")
        .await
        .unwrap();
    // The check leaves no trace in the view's definition.
    let def = rows(&c, "select pg_get_viewdef('gv2'::regclass)").await;
    let def = def[0][0].as_deref().unwrap_or_default();
    assert!(!def.contains("WHERE") && !def.contains("pg_group"), "{def}");
    let e = c
        .simple_query("select id, name from gv2 group by id")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42803", "{e}");
}

/// GROUP BY c of `a JOIN b USING (c)` groups the merged column: a's c for an inner or
/// left join, b's for a right join, where that side has the common type; neither side's
/// for a full join or a cast (int with bigint). The others are 42803, as in PostgreSQL 15.
#[tokio::test]
async fn a_using_joins_merged_column_groups_one_side() {
    let s = Server::start(&[]);
    let c = s.connect("using_groups").await;
    c.batch_execute(
        "create table g1 (f1 int, f2 int); create table g2 (f1 int, f3 int);
         create table g3 (f1 bigint); create table g5 (f1 int primary key, z int)",
    )
    .await
    .unwrap();
    for ok in [
        "select g1.f1 from g1 left join g2 using (f1) group by f1",
        "select g1.f1 from g1 join g2 using (f1) group by f1",
        "select g2.f1 from g1 right join g2 using (f1) group by f1",
        "select f1 from g1 full join g2 using (f1) group by f1",
        "select f1 from g1 left join g3 using (f1) group by g1.f1",
        "select g3.f1 from g3 left join g1 using (f1) group by f1",
        "select a.f1 from g1 a join g2 b using (f1) group by f1",
        // The merged column is g5's key.
        "select g5.z from g5 join g2 using (f1) group by f1",
    ] {
        c.simple_query(ok)
            .await
            .unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    for (refused, column) in [
        (
            "select g1.f1 from g1 right join g2 using (f1) group by f1",
            "g1.f1",
        ),
        (
            "select g2.f1 from g1 join g2 using (f1) group by f1",
            "g2.f1",
        ),
        (
            "select g1.f1 from g1 full join g2 using (f1) group by f1",
            "g1.f1",
        ),
        (
            "select g1.f1 from g1 left join g3 using (f1) group by f1",
            "g1.f1",
        ),
        (
            "select b.f1 from g1 a join g2 b using (f1) group by f1",
            "b.f1",
        ),
    ] {
        let e = c.simple_query(refused).await.unwrap_err();
        assert_eq!(sqlstate(&e), "42803", "{refused}: {e}");
        let message = e
            .as_db_error()
            .map(|d| d.message().to_string())
            .unwrap_or_default();
        assert_eq!(
            message,
            format!("column \"{column}\" must appear in the GROUP BY clause or be used in an aggregate function")
        );
    }
}
