//! Window frames and WITH queries answered as PostgreSQL 15 answers them (each expectation
//! checked against PostgreSQL first): a frame's EXCLUDE clause, offsets cast to a number
//! type, CTEs computed once when read twice, and PostgreSQL's errors where SQLite would
//! answer (GROUPS without ORDER BY, a window defined twice, `count()`, LIMIT/OFFSET/ORDER
//! BY on a recursive query, RANGE offsets over dates); RANGE frames with interval offsets;
//! CREATE RECURSIVE VIEW and CREATE OR REPLACE VIEW.

use crate::common::{rows, sqlstate, Server};

const SETUP: &str = "create table w (k int, v int);
    insert into w values (1, 1), (1, 2), (2, 3), (3, 4), (5, 5);
    create table d (d date);
    insert into d values ('2020-01-01'), ('2020-01-02');";

/// `v` and one computed column per row, ordered by `v`.
async fn pairs(c: &tokio_postgres::Client, sql: &str) -> Vec<(String, Option<String>)> {
    rows(c, sql)
        .await
        .into_iter()
        .map(|r| (r[0].clone().unwrap(), r[1].clone()))
        .collect()
}

fn want(values: &[Option<&str>]) -> Vec<(String, Option<String>)> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| ((i + 1).to_string(), v.map(String::from)))
        .collect()
}

#[tokio::test]
async fn frame_exclusion() {
    let s = Server::start(&[]);
    let c = s.connect("windows").await;
    c.batch_execute(SETUP).await.unwrap();
    let cases: &[(&str, &[Option<&str>])] = &[
        (
            "select v, sum(v) over (order by v rows between 1 preceding and 1 following \
             exclude current row) from w order by v",
            &[Some("2"), Some("4"), Some("6"), Some("8"), Some("4")],
        ),
        (
            "select v, sum(v) over (order by k range between unbounded preceding and \
             unbounded following exclude group) from w order by v",
            &[Some("12"), Some("12"), Some("12"), Some("11"), Some("10")],
        ),
        (
            "select v, sum(v) over (order by k groups between 1 preceding and 1 following \
             EXCLUDE TIES) from w order by v",
            &[Some("4"), Some("5"), Some("10"), Some("12"), Some("9")],
        ),
        (
            "select v, sum(v) over (order by k rows between unbounded preceding and \
             unbounded following exclude no others) from w order by v",
            &[Some("15"); 5],
        ),
        // In a named window, and in a window that names another.
        (
            "select v, sum(v) over x from w window x as (order by k range between 1 \
             preceding and current row exclude ties) order by v",
            &[Some("1"), Some("2"), Some("6"), Some("7"), Some("5")],
        ),
        (
            "select v, sum(v) over (x rows between unbounded preceding and current row \
             exclude current row) from w window x as (order by v) order by v",
            &[None, Some("1"), Some("3"), Some("6"), Some("10")],
        ),
        // Offsets cast to a number type are the constants SQLite wants.
        (
            "select v, sum(v) over (order by k range between 1::int8 preceding and \
             1::int2 following exclude current row) from w order by v",
            &[Some("5"), Some("4"), Some("7"), Some("3"), None],
        ),
    ];
    for (sql, values) in cases {
        assert_eq!(pairs(&c, sql).await, want(values), "{sql}");
    }
}

#[tokio::test]
async fn window_errors_are_postgresql_s() {
    let s = Server::start(&[]);
    let c = s.connect("windows").await;
    c.batch_execute(SETUP).await.unwrap();
    let cases = [
        (
            "select count(*) over w from w window w as (order by k), w as (order by v)",
            "42P20",
            "window \"w\" is already defined",
        ),
        (
            "select sum(v) over (partition by k groups between 1 preceding and 1 following) from w",
            "42P20",
            "GROUPS mode requires an ORDER BY clause",
        ),
        (
            "select count() from w",
            "42809",
            "count(*) must be used to call a parameterless aggregate function",
        ),
        (
            "select count() over () from w",
            "42809",
            "count(*) must be used to call a parameterless aggregate function",
        ),
        // PostgreSQL: not supported for column type date and offset type integer.
        (
            "select count(*) over (order by d range between 1 preceding and current row) from d",
            "0A000",
            "RANGE with offset PRECEDING/FOLLOWING over a column that is not a number is not supported by litewire",
        ),
        // A string offset that is no interval, which SQLite would read as a number.
        (
            "select count(*) over (order by d range between 'inf' preceding and current row) from d",
            "0A000",
            "a RANGE frame offset that is not a numeric constant is not supported by litewire",
        ),
        (
            "select count(*) over (order by d range between '-1 day' preceding and current row) from d",
            "22013",
            "invalid preceding or following size in window function",
        ),
        // No one number scale has months and days.
        (
            "select count(*) over (order by d range between '1 mon 1 day' preceding and current row) from d",
            "0A000",
            "a RANGE frame offset of months together with days or time is not supported by litewire",
        ),
        // Months from a day past the 28th clamp to the month's end (Mar 31 - 1 mon = Feb 29).
        (
            "select count(*) over (order by x range between '1 mon' preceding and current row) \
             from (values ('2020-03-31'::date)) v(x)",
            "0A000",
            "a RANGE frame offset in months over a date past the 28th of its month is not supported by litewire",
        ),
        // Refused where the rows do not reach the window in PostgreSQL's order (a join:
        // window_ties.rs orders one table's rows only).
        (
            "select first_value(a.d) over (order by a.d range '1 day' preceding) from d a, d b",
            "0A000",
            "first_value() over a RANGE frame with interval offsets (it picks among rows of equal sort keys, which PostgreSQL's sort orders otherwise) is not supported by litewire",
        ),
        // PostgreSQL: recursive query "x" must not contain data-modifying statements.
        (
            "with recursive x(n) as (with s as (select * from x) delete from w returning k) \
             select * from x",
            "42P19",
            "recursive query \"x\" must not contain data-modifying statements",
        ),
        (
            "with recursive t(i) as (select i from (values (1), (2)) v(i) union all \
             select (i + 1)::numeric(10,0) from t where i < 10) select * from t",
            "42804",
            "recursive query \"t\" column 1 has type integer in non-recursive term but type numeric overall",
        ),
        (
            "with recursive t(i) as (select 1::numeric(3,0) union all \
             select (i + 1)::numeric(10,0) from t where i < 10) select * from t",
            "42804",
            "recursive query \"t\" column 1 has type numeric(3,0) in non-recursive term but type numeric overall",
        ),
        // Types litewire cannot store or compute with.
        (
            "select '1.10'::money",
            "0A000",
            "the type money is not supported by litewire",
        ),
        (
            "create table tz (a time with time zone)",
            "0A000",
            "the type time with time zone is not supported by litewire",
        ),
        // A bit(4) column took '0101' as the number 101.
        (
            "create table b (y bit(4))",
            "0A000",
            "the type bit is not supported by litewire",
        ),
        (
            "create table b (y bit varying(3))",
            "0A000",
            "the type bit varying is not supported by litewire",
        ),
        (
            "create table b (y varbit[])",
            "0A000",
            "the type bit varying is not supported by litewire",
        ),
        (
            "select '101'::bit(3)",
            "0A000",
            "the type bit is not supported by litewire",
        ),
        ("create table foo (with baz)", "42601", "syntax error at or near \"with\""),
    ];
    for (sql, code, message) in cases {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), code, "{sql}");
        assert_eq!(e.as_db_error().unwrap().message(), message, "{sql}");
    }
}

/// RANGE frames with interval offsets over dates, timestamps, times and intervals (the
/// answers are PostgreSQL's).
#[tokio::test]
async fn interval_range_frames() {
    let s = Server::start(&[]);
    let c = s.connect("windows").await;
    c.batch_execute(
        "create table r (v int, d date, ts timestamp, t time, i interval);
         insert into r values (1, '2020-01-10', '2020-01-10 10:00', '10:00', '1 mon'),
           (2, '2020-02-10', '2020-01-10 11:30', '11:00', '2 mons'),
           (3, '2021-01-10', '2020-01-11 10:00', '11:30', '1 year'),
           (4, '2021-03-01', '2020-01-12 09:00', '13:00', '1 year 1 mon');",
    )
    .await
    .unwrap();
    let cases: &[(&str, &[Option<&str>])] = &[
        (
            "select v, sum(v) over (order by d range between '1 month'::interval preceding \
             and current row) from r order by v",
            &[Some("1"), Some("3"), Some("3"), Some("4")],
        ),
        (
            "select v, sum(v) over (order by d desc range between '1 year' preceding and \
             '1 year' following) from r order by v",
            &[Some("6"), Some("6"), Some("10"), Some("7")],
        ),
        (
            "select v, sum(v) over (order by ts range between interval '1 day' preceding and \
             '90 minutes' following) from r order by v",
            &[Some("3"), Some("3"), Some("6"), Some("7")],
        ),
        (
            "select v, sum(v) over (order by t range between '1 hour' preceding and current \
             row) from r order by v",
            &[Some("1"), Some("3"), Some("5"), Some("4")],
        ),
        (
            "select v, sum(v) over (order by i range between current row and '1 month' \
             following) from r order by v",
            &[Some("3"), Some("2"), Some("7"), Some("4")],
        ),
        (
            "select v, count(*) over w from r window w as (order by d range between \
             '2 months' preceding and '1 year' following) order by v",
            &[Some("3"), Some("3"), Some("2"), Some("2")],
        ),
    ];
    for (sql, values) in cases {
        assert_eq!(pairs(&c, sql).await, want(values), "{sql}");
    }
}

#[tokio::test]
async fn with_queries() {
    let s = Server::start(&[]);
    let c = s.connect("windows").await;
    // Read twice, a CTE is computed once: the same five random numbers on both sides.
    assert_eq!(
        rows(
            &c,
            "select count(*) from (with q1(x) as (select random() from generate_series(1, 5)) \
             select * from q1 union select * from q1) ss"
        )
        .await,
        vec![vec![Some("5".to_string())]]
    );
    // The recursive term may keep the non-recursive term's type, or narrow it.
    assert_eq!(
        rows(
            &c,
            "with recursive t(i) as (select 1::bigint union all select (i + 1)::int from t \
             where i < 10) select count(*) from t"
        )
        .await,
        vec![vec![Some("10".to_string())]]
    );
    // A recursive CTE still stops when its reader does.
    assert_eq!(
        rows(
            &c,
            "with recursive t(n) as (values (1) union all select n + 1 from t) \
             select * from t limit 3"
        )
        .await,
        vec![
            vec![Some("1".to_string())],
            vec![Some("2".to_string())],
            vec![Some("3".to_string())]
        ]
    );
    for (clause, what) in [
        ("order by 1", "ORDER BY"),
        ("limit 3", "LIMIT"),
        ("offset 1", "OFFSET"),
        ("limit 10 offset 1", "OFFSET"),
    ] {
        let sql = format!(
            "with recursive t(n) as (select 1 union all select n + 1 from t where n < 5 {clause}) \
             select * from t"
        );
        let e = c.simple_query(&sql).await.expect_err(&sql);
        assert_eq!(sqlstate(&e), "0A000", "{sql}");
        assert_eq!(
            e.as_db_error().unwrap().message(),
            format!("{what} in a recursive query is not implemented"),
            "{sql}"
        );
    }
}

#[tokio::test]
async fn recursive_and_replaced_views() {
    let s = Server::start(&[]);
    let c = s.connect("windows").await;
    let count = |sql: &'static str| {
        let c = &c;
        async move { rows(c, sql).await[0][0].clone().unwrap() }
    };
    c.batch_execute(
        "create recursive view nums (n) as values (1) union all \
         select n + 1 from nums where n < 5",
    )
    .await
    .unwrap();
    assert_eq!(count("select sum(n) from nums").await, "15");
    c.batch_execute(
        "create or replace recursive view nums (n) as values (1) union all \
         select n + 1 from nums where n < 6",
    )
    .await
    .unwrap();
    assert_eq!(count("select sum(n) from nums").await, "21");

    c.batch_execute(
        "create view v as select 1 as a, 2 as b; create or replace temp view t as select 1 as z",
    )
    .await
    .unwrap();
    for (sql, message) in [
        (
            "create or replace view v as select 1 as a",
            "cannot drop columns from view",
        ),
        (
            "create or replace view v as select 1 as x, 2 as b",
            "cannot change name of view column \"a\" to \"x\"",
        ),
    ] {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), "42P16", "{sql}");
        assert_eq!(e.as_db_error().unwrap().message(), message, "{sql}");
    }
    // Columns may be added at the end; a temporary view is replaced in its own schema.
    c.batch_execute(
        "create or replace view v as select 1 as a, 2 as b, 3 as c; \
         create or replace temp view t as select 2 as z",
    )
    .await
    .unwrap();
    assert_eq!(count("select a + b + c from v").await, "6");
    assert_eq!(count("select z from t").await, "2");
}

#[tokio::test]
async fn engine_aggregates_over_moving_frames() {
    let s = Server::start(&[]);
    let c = s.connect("windows").await;
    let got = rows(
        &c,
        "select i, bool_and(b) over w, bool_or(b) over w from (values (1, true), (2, true), \
         (3, false), (4, false), (5, true)) v(i, b) \
         window w as (order by i rows between current row and 1 following) order by i",
    )
    .await;
    let want: Vec<Vec<Option<String>>> = [
        ["1", "t", "t"],
        ["2", "f", "t"],
        ["3", "f", "f"],
        ["4", "f", "t"],
        ["5", "t", "t"],
    ]
    .iter()
    .map(|r| r.iter().map(|v| Some(v.to_string())).collect())
    .collect();
    assert_eq!(got, want);
    // A frame whose head moves is summed again from its head, as PostgreSQL does.
    let got = rows(
        &c,
        "select var_pop(n::float8) over (order by i rows between current row and unbounded following), \
         stddev_samp(n::float8) over (order by i rows between 1 preceding and 1 following), \
         regr_count(n::float8, i::float8) over (order by i rows 1 preceding) \
         from (values (1, 600), (2, 470), (3, 170), (4, 430), (5, 300), (6, null)) r(i, n) order by i",
    )
    .await;
    let want = [
        ["21704", "91.92388155425118", "1"],
        ["13868.75", "220.52966542697456", "2"],
        ["11266.666666666666", "162.89055630494155", "2"],
        ["4225", "130", "2"],
        ["0", "91.92388155425118", "2"],
    ];
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g, &w.map(|v| Some(v.to_string())).to_vec());
    }
    assert_eq!(got[5], vec![None, None, Some("1".to_string())]);
}

/// The variances of integers and numeric over a frame are numeric's, exact: a row
/// leaving the frame is subtracted, the sums kept at the scale of the rows still in it
/// (PostgreSQL's answers).
#[tokio::test]
async fn numeric_statistics_over_moving_frames() {
    let s = Server::start(&[]);
    let c = s.connect("windows").await;
    c.batch_execute(
        "create table ns (i int, n numeric, f float8);
         insert into ns values (1, 1.5, 1.5), (2, 2, 2), (3, 4, 4);",
    )
    .await
    .unwrap();
    crate::common::answers(
        &c,
        &[
            // Columns: the declared type chooses numeric's or float8's.
            (
                "select var_pop(n) over w, var_pop(f) over w from ns \
                 window w as (order by i rows between current row and 1 following) order by i",
                "0.06250000000000000000|0.0625\n1.00000000000000000000|1\n0|0",
            ),
            (
                "select var_pop(x) over () from (values (1), (2)) v(x)",
                "0.25000000000000000000\n0.25000000000000000000",
            ),
            (
                "select var_samp(n::int) over (order by i rows between current row and \
                 unbounded following) from (values (1, 600), (2, 470), (3, 170), (4, 430), \
                 (5, 300)) r(i, n) order by i",
                "27130.000000000000\n18491.666666666667\n16900.000000000000\n8450.0000000000000000\n",
            ),
            (
                "select i, var_pop(n) over (order by i rows between 1 preceding and 1 following), \
                 stddev_samp(n) over (order by i rows between 2 preceding and current row) \
                 from (values (1, 600::numeric), (2, 470.25), (3, 170.125), (4, 5), (5, 'NaN'), \
                 (6, 3), (7, 2), (8, 1)) v(i, n) order by i",
                "1|4208.7656250000000000|\n\
                 2|32411.399305555556|91.7471048589545413\n\
                 3|37088.760416666667|220.492854665028\n\
                 4|NaN|235.866785760522\n\
                 5|NaN|NaN\n\
                 6|NaN|NaN\n\
                 7|0.66666666666666666667|NaN\n\
                 8|0.25000000000000000000|1.00000000000000000000",
            ),
        ],
    )
    .await;
}

/// RANGE offsets over float keys: infinities plus an offset are themselves, NaN sorts
/// above them and is within no offset of other keys, a float4 offset is the float4's
/// value (PostgreSQL's answers); an offset above 1e290 is refused.
#[tokio::test]
async fn range_offsets_over_float_keys() {
    let s = Server::start(&[]);
    let c = s.connect("windows").await;
    c.batch_execute(
        "create table fk (id int, f float4);
         insert into fk values (0, '-infinity'), (1, -1), (2, 0), (3, 1.1), (4, 2.1),
             (5, 'infinity'), (6, 'NaN'), (7, 'infinity');",
    )
    .await
    .unwrap();
    crate::common::answers(
        &c,
        &[
            (
                "select id, first_value(id) over w, last_value(id) over w, count(*) over w \
                 from fk window w as (order by f range between 1 preceding and 1.1::float4 \
                 following) order by id",
                "0|0|0|1\n1|1|2|2\n2|1|3|3\n3|3|4|2\n4|3|4|2\n5|5|7|2\n6|6|6|1\n7|5|7|2",
            ),
            (
                "select id, count(*) over (order by f::float8 desc range between 1e290 \
                 following and 1e290 following) from fk order by id",
                "0|1\n1|0\n2|0\n3|0\n4|0\n5|2\n6|1\n7|2",
            ),
        ],
    )
    .await;
    let e = c
        .simple_query("select count(*) over (order by f range 1e291 preceding) from fk")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "0A000");
}

/// `ntile(NULL)` is NULL (SQLite's ntile refuses it), and the rows still come out of the
/// window's sort.
#[tokio::test]
async fn ntile_of_null_is_null() {
    let s = Server::start(&[]);
    let c = s.connect("windows").await;
    c.batch_execute(SETUP).await.unwrap();
    crate::common::answers(
        &c,
        &[(
            "select ntile(null) over (order by v desc), v from w",
            "|5\n|4\n|3\n|2\n|1",
        )],
    )
    .await;
}

/// Rows that tie in a window's sort reach it in PostgreSQL's order (its quicksort over
/// the scan order, not the stable order): `ROWS` frames, `row_number`, `lead`, and
/// `first_value` over a RANGE frame with interval offsets pick the rows PostgreSQL's do.
#[tokio::test]
async fn tied_rows_in_postgresql_s_order() {
    let s = Server::start(&[]);
    let c = s.connect("windows").await;
    c.batch_execute(
        "create table tie (u int, f int);
         insert into tie values (4, 0), (2, 2), (1, 1), (6, 2), (9, 1), (8, 0), (5, 1),
             (3, 3), (7, 3), (0, 0);
         create table tied (k text, d date, v int);
         insert into tied values ('b', '2020-01-01', 1), ('a', '2020-01-03', 2),
             ('b', '2020-01-01', 3), ('a', '2020-01-02', 4), ('b', '2020-01-05', 5),
             ('a', '2020-01-03', 6), ('b', '2020-01-01', 7), ('a', '2020-01-03', 8),
             ('b', '2020-01-05', 9);",
    )
    .await
    .unwrap();
    crate::common::answers(
        &c,
        &[
            (
                "select u, first_value(u) over (order by f rows between current row and 2 \
                 following exclude current row), row_number() over (order by f rows between \
                 current row and 2 following exclude current row) from tie where u < 10 order by u",
                "0|8|1\n1|6|6\n2|3|8\n3|7|9\n4|5|3\n5|9|4\n6|2|7\n7||10\n8|4|2\n9|1|5",
            ),
            (
                "select u, last_value(u) over w, nth_value(u, 2) over w from tie \
                 window w as (order by f range between current row and unbounded following) \
                 order by u",
                "0|7|8\n1|7|9\n2|7|2\n3|7|7\n4|7|8\n5|7|9\n6|7|2\n7|7|7\n8|7|8\n9|7|9",
            ),
            (
                "select v, first_value(v) over w, last_value(v) over w, row_number() over w \
                 from tied window w as (partition by k order by d desc groups between \
                 current row and 1 following exclude ties) order by v",
                "1|1|1|5\n2|2|4|1\n3|3|3|4\n4|4|4|4\n5|5|1|2\n6|6|4|2\n7|7|7|3\n8|8|4|3\n9|9|1|1",
            ),
            (
                "select v, first_value(v) over (order by d range between '1 day' preceding \
                 and current row), lead(v) over (order by d range between '1 day' preceding \
                 and current row) from tied order by v",
                "1|7|3\n2|4|6\n3|7|4\n4|7|2\n5|9|\n6|4|8\n7|7|1\n8|4|9\n9|9|5",
            ),
        ],
    )
    .await;
    // 500 rows (the quicksort's ninther and recursion): a sum that depends on each
    // tied row's number.
    c.batch_execute(
        "create table big (i int, k int);
         insert into big select i, (i * 7919) % 13 from generate_series(1, 500) i;",
    )
    .await
    .unwrap();
    crate::common::answers(
        &c,
        &[(
            "select sum(i::int8 * rn) from (select i, row_number() over \
             (partition by k % 3 order by k desc) rn from big) s",
            "10671178",
        )],
    )
    .await;
}
