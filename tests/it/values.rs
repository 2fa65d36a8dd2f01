//! Values and functions of the issue-9 value files (numeric, float4/8, aggregates):
//! each answer and error as PostgreSQL 15 gives it for the same statement.

use crate::common::{rows, sqlstate, Server};

/// (statement, PostgreSQL's rows as text; None for NULL).
const ANSWERS: &[(&str, &[&[Option<&str>]])] = &[
    // A decimal literal compares as the number it is (held as a double unless a double
    // cannot hold it: as text it would compare as text with SQLite's numbers); one with
    // more digits than a double holds keeps them all.
    (
        "select 1.50 between 1 and 2, 1.0 in (1, 2), \
         (select max(x) from (values (1.50), (10.25), (9.5)) v(x)), 1.0 = 1, \
         scale(-13.000000000000000), log(10.00000000000000000), 0.0 < 1",
        &[&[
            Some("t"),
            Some("t"),
            Some("10.25"),
            Some("t"),
            Some("15"),
            Some("1.00000000000000000"),
            Some("t"),
        ]],
    ),
    // round keeps NaN and the infinities; an integer rounds as a numeric.
    (
        "select round('-inf'::numeric), round('nan'::numeric), round(x), round(x, 1), \
         round(5, 2), round(2.5) from (values ('0'::numeric)) v(x)",
        &[&[
            Some("-Infinity"),
            Some("NaN"),
            Some("0"),
            Some("0.0"),
            Some("5.00"),
            Some("3"),
        ]],
    ),
    // A numeric VALUES column holding integers and text orders as numeric.
    (
        "select x from (values ('0'::numeric), ('nan'), ('-inf'), ('-1'), ('1.5')) v(x) \
         order by x",
        &[
            &[Some("-Infinity")],
            &[Some("-1")],
            &[Some("0")],
            &[Some("1.5")],
            &[Some("NaN")],
        ],
    ),
    // Floats: NaN divided by zero is NaN; sum and avg give NaN where infinities cancel.
    (
        "select 'nan'::float8 / '0'::float8, 'nan'::float4 / '0'::float4",
        &[&[Some("NaN"), Some("NaN")]],
    ),
    (
        "select sum(x::float8), avg(x::float8), sum(x::float4) \
         from (values ('-infinity'), ('infinity')) v(x)",
        &[&[Some("NaN"), Some("NaN"), Some("NaN")]],
    ),
    (
        "select sum(x), avg(x) from (values (1::float8), ('nan'), (null)) v(x)",
        &[&[Some("NaN"), Some("NaN")]],
    ),
    (
        "select sum(x), avg(x) from (values (1.5::float8), (2)) v(x) where x > 5",
        &[&[None, None]],
    ),
    // string_agg of bytea is bytea, its separator too.
    (
        "select string_agg(x::bytea, ',' order by x desc), string_agg(x, ',') \
         from (values ('a'), ('b')) v(x)",
        &[&[Some("\\x622c61"), Some("a,b")]],
    ),
    // pg_class lists the catalog tables themselves.
    (
        "select oid::int8, relkind, relnatts, oid::regclass::text from pg_class \
         where relname = 'pg_class'",
        &[&[Some("1259"), Some("r"), Some("33"), Some("pg_class")]],
    ),
    // A whole row's row_to_json in a scalar subquery is json to a builder.
    (
        "select json_build_object('f', (select row_to_json(r) from (select 1 as a) r))",
        &[&[Some("{\"f\" : {\"a\":1}}")]],
    ),
    // A cast to numeric(p,s) rounds to s decimals; numeric past a double's range or
    // with more than 13 digits keeps them.
    (
        "select 1.555::numeric(10,2), x::numeric(5,1), exp(1.0::numeric(71,70)), \
         5::numeric(4,2), substring('1e340'::numeric::text, 1, 5) \
         from (values (1.25)) v(x)",
        &[&[
            Some("1.56"),
            Some("1.3"),
            Some("2.7182818284590452353602874713526624977572470936999595749669676277240766"),
            Some("5.00"),
            Some("10000"),
        ]],
    ),
    // generate_series over numeric: exact, at the larger scale after the first value.
    (
        "select string_agg(x::text, ' ') from generate_series(1, 3, 0.5) x \
         union all select string_agg(x::text, ' ') \
         from generate_series(4.0::numeric, -1.5::numeric, -2.2::numeric) x",
        &[&[Some("1 1.5 2.0 2.5 3.0")], &[Some("4.0 1.8 -0.4")]],
    ),
    (
        "select min_scale(1e100), length(trim_scale(1e100)::text), to_number('.0', '99.99')",
        &[&[Some("0"), Some("101"), Some("0.0")]],
    ),
    // div and mod of numeric infinities as numeric.c.
    (
        "select div('inf'::numeric, -2), div(2::numeric, 'inf'), div('inf'::numeric, 'inf'), \
         mod('inf'::numeric, 2), mod(2.5::numeric, '-inf')",
        &[&[
            Some("-Infinity"),
            Some("0"),
            Some("NaN"),
            Some("NaN"),
            Some("2.5"),
        ]],
    ),
    // string_agg(DISTINCT x, sep ORDER BY x), which SQLite has for one argument only.
    (
        "select string_agg(distinct f, ',' order by f), string_agg(distinct f, '-' order by f desc) \
         from (values ('a'), ('ab'), ('a'), (null), ('abcd')) v(f)",
        &[&[Some("a,ab,abcd"), Some("abcd-ab-a")]],
    ),
    // Hypothetical-set aggregates over no rows (percent_rank's was a panic).
    (
        "select percent_rank(0) within group (order by x), rank(0) within group (order by x), \
         cume_dist(0) within group (order by x) from generate_series(1, 0) x",
        &[&[Some("0"), Some("1"), Some("1")]],
    ),
    // A decimal literal goes into JSON as the number it is written as.
    (
        "select json_build_object('a', 1.5, 'c', 12345678901234567890.1), \
         to_jsonb(0.1234567890123456789)",
        &[&[
            Some("{\"a\" : 1.5, \"c\" : 12345678901234567890.1}"),
            Some("0.1234567890123456789"),
        ]],
    ),
    // An interval VALUES column groups and orders by its span.
    (
        "select count(*), count(distinct w.i) from (select i from (values (interval '1 day'), \
         (interval '24 hours')) v(i) group by i) g, (values (interval '1 day'), \
         (interval '24 hours')) w(i)",
        &[&[Some("2"), Some("1")]],
    ),
    // `@` keeps a float4 a float4.
    (
        "select @f, abs(f) from (values ('-34.84'::float4)) v(f)",
        &[&[Some("34.84"), Some("34.84")]],
    ),
];

#[tokio::test]
async fn values_answer_as_postgres() {
    let s = Server::start(&[]);
    let c = s.connect("values").await;
    for (sql, want) in ANSWERS {
        let got = rows(&c, sql).await;
        let want: Vec<Vec<Option<String>>> = want
            .iter()
            .map(|r| r.iter().map(|v| v.map(str::to_string)).collect())
            .collect();
        assert_eq!(got, want, "{sql}");
    }
}

/// (statement, PostgreSQL's SQLSTATE).
const ERRORS: &[(&str, &str)] = &[
    (
        "select sum(x) from (values (1e308::float8), (1e308)) v(x)",
        "22003",
    ),
    ("select 1::float8 / 0", "22012"),
    ("select ('[1, 2]'::jsonb)[1.0]", "42804"),
    ("select 12345.5::numeric(3,1)", "22003"),
    (
        "select string_agg(distinct f::text, ',' order by f) from (values (1)) v(f)",
        "42P10",
    ),
    ("select * from generate_series('nan'::numeric, 4)", "22023"),
    ("select * from generate_series(1::numeric, 4, 0.0)", "22023"),
];

#[tokio::test]
async fn value_errors_have_postgres_sqlstates() {
    let s = Server::start(&[]);
    let c = s.connect("values").await;
    for (sql, code) in ERRORS {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), *code, "{sql}");
    }
}

/// string_agg of a bytea column; a view calling a function that does not exist is
/// refused when it is created, and not left behind.
#[tokio::test]
async fn bytea_columns_and_new_views() {
    let s = Server::start(&[]);
    let c = s.connect("values").await;
    c.batch_execute(
        "create table b (v bytea); insert into b values (decode('ff', 'hex')), (decode('aa', 'hex'))",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(
            &c,
            "select string_agg(v, decode('ee', 'hex')), string_agg(v, null) from b"
        )
        .await,
        vec![vec![
            Some("\\xffeeaa".to_string()),
            Some("\\xffaa".to_string())
        ]]
    );
    let e = c
        .simple_query("create view v as select nosuch(v) from b")
        .await
        .expect_err("an unknown function");
    assert_eq!(sqlstate(&e), "42883");
    let e = c.simple_query("drop view v").await.expect_err("no view");
    assert_eq!(sqlstate(&e), "42P01");
    c.batch_execute("create view w as select length(v) as n from b")
        .await
        .unwrap();
    // A jsonb column groups and counts DISTINCT by jsonb's equality (25 = 25.0).
    c.batch_execute(
        "create table j (v jsonb); insert into j values ('{\"age\": 25}'), ('{\"age\": 25.0}'), ('[]')",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(&c, "select count(distinct v), (select count(*) from (select v from j group by v) g) from j").await,
        vec![vec![Some("2".to_string()), Some("2".to_string())]]
    );
    // numeric(p,s) with a negative scale or one above p.
    c.batch_execute(
        "create table tm (m numeric(3,-6), u numeric(3,6)); \
         insert into tm values (7654321, 0.000007654)",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(
            &c,
            "select m, u, format_type(atttypid, atttypmod) from tm, pg_attribute a \
                  join pg_class c on c.oid = a.attrelid where c.relname = 'tm' and a.attnum = 1"
        )
        .await,
        vec![vec![
            Some("8000000".to_string()),
            Some("0.000008".to_string()),
            Some("numeric(3,-6)".to_string())
        ]]
    );
    let e = c
        .simple_query("insert into tm (u) values (0.0009995)")
        .await
        .expect_err("past numeric(3,6)");
    assert_eq!(sqlstate(&e), "22003");
    // Variance sums the squares exactly (past numeric's 16383 decimals), as numeric.c.
    c.batch_execute(
        "create table nv (a numeric); insert into nv values (0), (3e-500), (-3e-500), \
         (4e-500 - 1e-16383), (-4e-500 + 1e-16383)",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(&c, "select trim_scale(variance(a) * 1e1000) from nv").await,
        vec![vec![Some("12".to_string())]]
    );
    // A numeric column keeps a value of 14 or more digits as written (SQLite's text of
    // the double would have 17).
    c.batch_execute("create table n (x numeric); insert into n values (2.00000000000001)")
        .await
        .unwrap();
    assert_eq!(
        rows(&c, "select x from n").await,
        vec![vec![Some("2.00000000000001".to_string())]]
    );
    assert_eq!(
        rows(&c, "select sum(n) from w").await,
        vec![vec![Some("2".to_string())]]
    );
}

/// A decimal literal written into a column is assigned as PostgreSQL's numeric is:
/// a numeric or text column keeps its written scale (7.00, not the double's 7.0), an
/// integer column gets it rounded half away from zero (7.5 is 8, not 7.5), past the
/// type's range 22003.
#[tokio::test]
async fn decimal_literals_written_into_columns() {
    let s = Server::start(&[]);
    let c = s.connect("decimals").await;
    c.batch_execute(
        "CREATE TABLE t (n numeric, n2 numeric(6,2), i int, f float8, t text);
         INSERT INTO t VALUES (7.00, 7.00, 7.50, 7.00, 7.00), (-13.50, -13.5, -2.5, 1e3, 1e3);
         UPDATE t SET n = 8.10 WHERE i = 8;",
    )
    .await
    .unwrap();
    crate::common::answers(
        &c,
        &[
            (
                "SELECT n, n2, i, f, t FROM t ORDER BY n",
                "-13.50|-13.50|-3|1000|1000\n8.10|7.00|8|7|7.00",
            ),
            (
                "SELECT sum(n), count(*) FILTER (WHERE n > 8.05) FROM t",
                "-5.40|1",
            ),
        ],
    )
    .await;
    // The branches of INSERT … SELECT … UNION ALL: number constants in every branch are
    // numeric in PostgreSQL, each kept as written (PostgreSQL 15's answers).
    c.batch_execute(
        "CREATE TABLE un (n numeric, i int, t text, m numeric(6,3));
         INSERT INTO un (n, i, t, m) SELECT 7.00, 7.5, 7.00, 7.00 UNION ALL SELECT 1.5, 1, -2.50, 1.5
         UNION ALL SELECT 1, -2.5, 3, 1;
         INSERT INTO un SELECT 9.90 UNION ALL SELECT 0.10;",
    )
    .await
    .unwrap();
    crate::common::answers(
        &c,
        &[(
            "SELECT n, i, t, m FROM un",
            "7.00|8|7.00|7.000\n1.5|1|-2.50|1.500\n1|-3|3|1.000\n9.90|||\n0.10|||",
        )],
    )
    .await;
    c.batch_execute("CREATE TABLE ints (s smallint, b bigint)")
        .await
        .unwrap();
    crate::common::refusals(
        &c,
        &[
            (
                "INSERT INTO ints VALUES (40000.5, 1)",
                "22003",
                "smallint out of range",
            ),
            (
                "INSERT INTO ints VALUES (1, 99999999999999999999.5)",
                "22003",
                "bigint out of range",
            ),
        ],
    )
    .await;
}
