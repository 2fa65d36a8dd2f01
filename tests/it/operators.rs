//! Arithmetic operators chosen by their operands' types (issue 9: "'2024-01-01'::date + 1
//! gave 2025"): literals and table columns alike, over the simple and extended
//! protocols, each answer and error as PostgreSQL 15 gives it.

use crate::common::{rows, sqlstate, Server};

async fn table(c: &tokio_postgres::Client) {
    c.batch_execute(
        "create table t (d date, ts timestamp, tz timestamptz, iv interval, tm time, \
         i2 int2, i4 int4, i8 int8, n numeric, f float8, j jsonb, s text); \
         insert into t values ('2024-01-31', '2024-01-31 10:00:00', '2024-01-01 00:00:00+00', \
         '1 day 02:00:00', '10:00:00', 32767, 2147483647, 9223372036854775807, 7, 1.5, \
         '{\"a\": 1, \"b\": 2}', 'x')",
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn literals_and_columns_answer_as_postgres() {
    let s = Server::start(&[]);
    let c = s.connect("operators").await;
    table(&c).await;
    // (statement, PostgreSQL 15's row)
    let cases: &[(&str, &[&str])] = &[
        (
            "select date '2024-01-31' + 1, date '2024-03-01' - date '2024-01-01', \
             date '2024-01-31' + interval '1 month', date '2024-01-01' + time '10:30'",
            &["2024-02-01", "60", "2024-02-29 00:00:00", "2024-01-01 10:30:00"],
        ),
        (
            "select timestamp '2024-01-31 10:00' - interval '1 day 2 hours', \
             timestamp '2024-03-01' - timestamp '2024-01-01 12:00', \
             interval '1 day' * 1.5, interval '3 days' / 2, interval '1 mon' / 7, \
             time '10:00' + interval '3 hours'",
            &[
                "2024-01-30 08:00:00",
                "59 days 12:00:00",
                "1 day 12:00:00",
                "1 day 12:00:00",
                "4 days 06:51:25.6896",
                "13:00:00",
            ],
        ),
        (
            "select d + 1, d - 1, d + interval '1 month', ts + iv, ts - ts, tm - interval '11 hours', \
             iv * 2 from t",
            &[
                "2024-02-01",
                "2024-01-30",
                "2024-02-29 00:00:00",
                "2024-02-01 12:00:00",
                "00:00:00",
                "23:00:00",
                "2 days 04:00:00",
            ],
        ),
        (
            "select 7 / 2, 7 % 3, -7 / 2, n / 2, i4 - 1, f * 2, 5 + '3' from t",
            &["3", "1", "-3", "3.5000000000000000", "2147483646", "3", "8"],
        ),
        (
            "select pg_typeof(1), pg_typeof(1.5), pg_typeof('a'), pg_typeof(d), pg_typeof(i8 + 1), \
             pg_typeof(d - d), pg_typeof(ts - ts) from t",
            &["integer", "numeric", "unknown", "date", "bigint", "integer", "interval"],
        ),
        ("select j - 'a' from t", &[r#"{"b": 2}"#]),
        // Floats round half to even into integers, numeric half away from zero.
        (
            "select 2.5::float8::int4, (-0.5)::float8::int2, f::int8, 2.5::int4, (-2.5)::numeric::int8 from t",
            &["2", "0", "2", "3", "-3"],
        ),
    ];
    for (sql, want) in cases {
        let want: Vec<Option<String>> = want.iter().map(|v| Some(v.to_string())).collect();
        assert_eq!(rows(&c, sql).await, vec![want], "{sql}");
    }
    // Bound parameters take the other operand's type.
    let row = c
        .query_one("select i2 - $1::int2, d + $2::int4 from t", &[&1i16, &2i32])
        .await
        .unwrap();
    assert_eq!(row.get::<_, i16>(0), 32766);
}

#[tokio::test]
async fn overflow_and_division_by_zero_are_errors() {
    let s = Server::start(&[]);
    let c = s.connect("operators").await;
    table(&c).await;
    let cases = [
        ("select 2147483647 + 1", "22003", "integer out of range"),
        ("select i4 + 1 from t", "22003", "integer out of range"),
        (
            "select i2 * 2::int2 from t",
            "22003",
            "smallint out of range",
        ),
        ("select i8 * 2 from t", "22003", "bigint out of range"),
        (
            "select (-32768)::int2 / (-1)::int2",
            "22003",
            "smallint out of range",
        ),
        ("select 1 / 0", "22012", "division by zero"),
        ("select f / 0 from t", "22012", "division by zero"),
        ("select n % 0 from t", "22012", "division by zero"),
        ("select iv / 0 from t", "22012", "division by zero"),
        (
            "select date '5874897-12-31' + 1",
            "22008",
            "date out of range",
        ),
        (
            "select 'a'::text * 2",
            "42883",
            "operator does not exist: text * integer",
        ),
        (
            "select s + 1 from t",
            "42883",
            "operator does not exist: text + integer",
        ),
        (
            "select true + 1",
            "42883",
            "operator does not exist: boolean + integer",
        ),
    ];
    for (sql, code, message) in cases {
        let e = c.simple_query(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{sql}");
        let text = e
            .as_db_error()
            .map(|d| d.message().to_string())
            .unwrap_or_default();
        assert_eq!(text, message, "{sql}");
    }
    // The session goes on, and a NULL operand is NULL before anything is checked.
    let got = rows(&c, "select i4 + null, null::date + 1 from t").await;
    assert_eq!(got, vec![vec![None, None]]);
}

#[tokio::test]
async fn literals_compared_with_typed_columns_are_read_as_their_type() {
    let s = Server::start(&[]);
    let c = s.connect("operators").await;
    c.batch_execute(
        "create table e (ts timestamp, b bool, u uuid, i int4, s text); \
         insert into e values ('2024-01-01 00:00:00', true, \
         'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 5, 'x')",
    )
    .await
    .unwrap();
    // PostgreSQL reads each literal as the column's type: every one matches the row.
    for cond in [
        "ts = '2024-01-01'",
        "'2024-01-01 00:00' = ts",
        "ts > '2023-12-31 23:59' and ts < '2024-01-02'",
        "b = 'yes'",
        "u = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'",
        "i = ' 5 '",
        "s = 'x'",
    ] {
        let got = rows(&c, &format!("select count(*) from e where {cond}")).await;
        assert_eq!(got, vec![vec![Some("1".to_string())]], "{cond}");
    }
    let e = c
        .simple_query("select * from e where i = 'abc'")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22P02");
}

#[tokio::test]
async fn bound_numbers_keep_their_own_type() {
    // SQLAlchemy's `things.c.id * 2.5` binds 2.5 as a double: float8 arithmetic, as
    // PostgreSQL does with the parameter's Parse type; an int8 parameter widens.
    let s = Server::start(&[]);
    let c = s.connect("operators").await;
    table(&c).await;
    let st = c
        .prepare_typed(
            "select i4 * $1, i4 + $2 from t",
            &[
                tokio_postgres::types::Type::FLOAT8,
                tokio_postgres::types::Type::INT8,
            ],
        )
        .await
        .unwrap();
    let row = c.query_one(&st, &[&2.5f64, &10i64]).await.unwrap();
    assert_eq!(row.get::<_, f64>(0), 2147483647.0 * 2.5);
    assert_eq!(row.get::<_, i64>(1), 2147483657);
}

#[tokio::test]
async fn intervals_compare_by_their_span() {
    let s = Server::start(&[]);
    let c = s.connect("operators").await;
    c.batch_execute(
        "create table iv (f interval); \
         insert into iv values ('1 mon'), ('29 days'), ('30 days'), ('1 day 1 hour')",
    )
    .await
    .unwrap();
    let got = rows(
        &c,
        "select interval '30 days' = interval '1 month', interval '25 hours' > interval '1 day', \
         (select count(*) from iv where f >= interval '30 days'), \
         (select count(*) from iv where f < interval '1 day 2 hours')",
    )
    .await;
    let want: Vec<Option<String>> = ["t", "t", "2", "1"]
        .iter()
        .map(|v| Some(v.to_string()))
        .collect();
    assert_eq!(got, vec![want]);
}

/// A column's type is read from the schema SQLite has loaded (engine's declared_type),
/// falling back to a query for views and for the tables of a join that lack the column:
/// each path gives the column's PostgreSQL meaning (PostgreSQL 15's answers).
#[tokio::test]
async fn columns_of_views_joins_and_updates_keep_their_types() {
    let s = Server::start(&[]);
    let c = s.connect("operators").await;
    table(&c).await;
    c.batch_execute(
        "create view v as select d, i4 from t; \
         create table u (k int4, days int4); insert into u values (1, 2)",
    )
    .await
    .unwrap();
    let got = rows(&c, "select d + 1 from v").await;
    assert_eq!(got, vec![vec![Some("2024-02-01".to_string())]]);
    // `days` lives in the second table of the join.
    let got = rows(&c, "select d + days from t, u").await;
    assert_eq!(got, vec![vec![Some("2024-02-02".to_string())]]);
    let e = c.simple_query("select i4 + 1 from v").await.unwrap_err();
    assert_eq!(sqlstate(&e), "22003");
    // An UPDATE computing on a column, with a bound parameter, as pgbench's does.
    let n = c
        .execute("update u set days = days + $1 where k = 1", &[&5i32])
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(
        rows(&c, "select days from u").await,
        vec![vec![Some("7".to_string())]]
    );
    let e = c
        .execute("update u set days = days + $1", &[&i32::MAX])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22003");
}

/// Issue 9 "never a silent wrong answer": a boolean cast to text was `1`, `-interval`
/// was `-1` and sum/avg of intervals added the text's leading digits (answers checked
/// against PostgreSQL 15).
#[tokio::test]
async fn booleans_as_text_interval_negation_and_aggregates() {
    let s = Server::start(&[]);
    let c = s.connect("operators").await;
    table(&c).await;
    c.batch_execute(
        "create table b (ok bool, iv interval, n int4); \
         insert into b values (true, '1 day', 5), (false, '2 hours -3 min', -2147483647), \
         (null, null, null)",
    )
    .await
    .unwrap();
    let cases: &[(&str, &[&[Option<&str>]])] = &[
        (
            "select true::text, false::varchar, true::char(3), null::bool::text",
            &[&[Some("true"), Some("false"), Some("tru"), None]],
        ),
        (
            "select ok::text, -iv, -n from b order by n",
            &[
                &[Some("false"), Some("-01:57:00"), Some("2147483647")],
                &[Some("true"), Some("-1 days"), Some("-5")],
                &[None, None, None],
            ],
        ),
        (
            "select - interval '1-2', - interval '1 day 2 hours', -(-1)",
            &[&[
                Some("-1 years -2 mons"),
                Some("-1 days -02:00:00"),
                Some("1"),
            ]],
        ),
        (
            "select sum(iv), avg(iv), sum(n), sum(iv) filter (where ok) from b",
            &[&[
                Some("1 day 01:57:00"),
                Some("12:58:30"),
                Some("-2147483642"),
                Some("1 day"),
            ]],
        ),
        (
            "select sum(x), avg(x) from (values (interval '1 mon'), (interval '1 day'), \
             (interval '1 sec')) v(x)",
            &[&[
                Some("1 mon 1 day 00:00:01"),
                Some("10 days 08:00:00.333333"),
            ]],
        ),
        (
            "select avg(iv) over (order by n rows between 1 preceding and current row) \
             from b order by n",
            &[&[Some("01:57:00")], &[Some("12:58:30")], &[Some("1 day")]],
        ),
        ("select sum(iv) from b where false", &[&[None]]),
    ];
    for (sql, want) in cases {
        let want: Vec<Vec<Option<String>>> = want
            .iter()
            .map(|r| r.iter().map(|v| v.map(str::to_string)).collect())
            .collect();
        assert_eq!(rows(&c, sql).await, want, "{sql}");
    }
    for sql in [
        "select -(-2147483648)::int4",
        "select sum(x) from (values (interval '2147483647 days'), (interval '1 day')) v(x)",
    ] {
        let e = c.simple_query(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e).get(..2), Some("22"), "{sql}");
    }
}

/// Interval and array columns compare and sort by their type, not their stored text
/// (`i > '4 days'` found nothing: '1 mon' < '4 days' as text), beside a literal, a
/// parameter or another column; other columns keep their indexes.
#[tokio::test]
async fn interval_and_array_columns_compare_and_sort_by_type() {
    let s = Server::start(&[]);
    let c = s.connect("operators").await;
    c.batch_execute(
        "create table k (id int4, i interval, a int4[]); create index k_id on k(id); \
         insert into k values (1, '1 mon', '{1,2}'), (2, '29 days', '{1,2,10}'), \
         (3, '31 days', '{1,5,3}'), (4, '1 day', '{1,2,3}'), (5, null, '{}'), \
         (6, null, '{NULL,1}'), (7, null, '{{1,2},{3,4}}'), (8, null, '{1,2,3,4}')",
    )
    .await
    .unwrap();
    let col = |sql: &str| {
        let c = &c;
        let sql = sql.to_string();
        async move {
            rows(c, &sql)
                .await
                .into_iter()
                .map(|r| r[0].clone().unwrap_or_default())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        col("select i from k where i > '4 days' order by i").await,
        ["29 days", "1 mon", "31 days"]
    );
    assert_eq!(col("select i from k where i = '30 days'").await, ["1 mon"]);
    assert_eq!(
        col("select r1.id from k r1, k r2 where r1.i < r2.i and r2.id = 1 order by r1.id").await,
        ["2", "4"]
    );
    assert_eq!(
        col("select a from k where a > '{1,2,3}' order by a").await,
        [
            "{1,2,3,4}",
            "{{1,2},{3,4}}",
            "{1,2,10}",
            "{1,5,3}",
            "{NULL,1}"
        ]
    );
    assert_eq!(
        col("select a from k order by a desc limit 3").await,
        ["{NULL,1}", "{1,5,3}", "{1,2,10}"]
    );
    // A parameter beside an interval column is an interval.
    let n = c
        .query(
            "select id from k where i >= $1::text::interval",
            &[&"30 days"],
        )
        .await
        .unwrap();
    assert_eq!(n.len(), 2);
    // An integer column beside a literal still searches its index.
    let plan = col("explain select * from k where id = '3'").await;
    assert!(plan[0].contains("USING INDEX k_id"), "{plan:?}");
}

/// min and max of intervals and arrays order by their type (max of '9 days' and
/// '10 days' was '9 days': text order), grouped and over window frames; other columns
/// keep SQLite's min/max. Expectations are PostgreSQL 15's.
#[tokio::test]
async fn min_and_max_of_intervals_and_arrays() {
    let s = Server::start(&[]);
    let c = s.connect("operators").await;
    c.batch_execute(
        "create table mm (id int, i interval, a int[], t text); \
         insert into mm values (1, '9 days', '{1,2}', 'b'), (2, '10 days', '{1,2,10}', 'a'), \
         (3, '1 mon', '{1,5}', null), (4, '30 days', '{}', 'c'), (5, null, null, null)",
    )
    .await
    .unwrap();
    let text = |r: Vec<Vec<Option<String>>>| -> Vec<Vec<String>> {
        r.into_iter()
            .map(|row| row.into_iter().map(|v| v.unwrap_or_default()).collect())
            .collect()
    };
    assert_eq!(
        text(
            rows(
                &c,
                "select max(i), min(i), max(a), min(a), max(t), max(id) from mm"
            )
            .await
        ),
        [["30 days", "9 days", "{1,5}", "{}", "c", "5"]]
    );
    assert_eq!(
        text(rows(&c, "select max(x), min(x) from (values (interval '1 day'), (interval '25 hours')) v(x)").await),
        [["25:00:00", "1 day"]]
    );
    assert_eq!(
        text(rows(&c, "select id % 2, max(i) from mm group by 1 order by 1").await),
        [["0", "30 days"], ["1", "1 mon"]]
    );
    assert_eq!(
        text(
            rows(
                &c,
                "select max(i) over (order by id rows between 1 preceding and current row) \
                 from mm order by id"
            )
            .await
        ),
        [["9 days"], ["10 days"], ["1 mon"], ["30 days"], ["30 days"]]
    );
}

/// `||` and `::text` print each operand as its type prints (PostgreSQL's output
/// functions), for literals and for columns whose type only the schema knows; `||` of
/// an array or jsonb column is theirs; `||` with no string side is 42883.
#[tokio::test]
async fn concatenation_and_text_casts_print_as_postgres() {
    let s = Server::start(&[]);
    let c = s.connect("concat").await;
    c.batch_execute(
        "create table c (b bool, f float8, ts timestamptz, a text[], n int, j jsonb, t text); \
         insert into c values (true, 1e20, '2020-01-01 10:00+00', '{p,q}', 7, '{\"a\": 1}', 'x')",
    )
    .await
    .unwrap();
    // (statement, PostgreSQL 15's row)
    let cases: &[(&str, &[&str])] = &[
        (
            "select true || 'x', 1e20::float8 || '', 'Infinity'::float8::text, \
             '2020-01-01 10:00+00'::timestamptz::text, array[1,2]::text, '\\x0102'::bytea::text",
            &["truex", "1e+20", "Infinity", "2020-01-01 10:00:00+00", "{1,2}", "\\x0102"],
        ),
        (
            "select b || 'x', f || 'x', ts || 'x', b::text, f::text, ts::text, a::text from c",
            &["truex", "1e+20x", "2020-01-01 10:00:00+00x", "true", "1e+20", "2020-01-01 10:00:00+00", "{p,q}"],
        ),
        (
            "select a || 'r'::text, a || '{s}', 'z'::text || a, a || a, j || '{\"b\": 2}', t || n, n || t from c",
            &["{p,q,r}", "{p,q,s}", "{z,p,q}", "{p,q,p,q}", "{\"a\": 1, \"b\": 2}", "x7", "7x"],
        ),
    ];
    for (sql, want) in cases {
        let got = rows(&c, sql).await;
        let want: Vec<Option<String>> = want.iter().map(|v| Some(v.to_string())).collect();
        assert_eq!(got, vec![want], "{sql}");
    }
    for sql in [
        "select 3 || 4.0",
        "select 3::int || 4::bigint",
        "select n || f from c",
    ] {
        let e = c.simple_query(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), "42883", "{sql}: {e}");
    }
}

/// A comparison of two types the statement itself gives (casts, typed literals) from
/// families no implicit cast joins has no operator: PostgreSQL's 42883 (it used to
/// compare SQLite's values). Same-family and untyped-literal comparisons still answer.
/// Answers from PostgreSQL 15.
#[tokio::test]
async fn comparisons_across_type_families_have_no_operator() {
    let s = Server::start(&[]);
    let c = s.connect("cmpfamilies").await;
    for (sql, message) in [
        (
            "select true = 1",
            "operator does not exist: boolean = integer",
        ),
        (
            "select null::boolean <= 3",
            "operator does not exist: boolean <= integer",
        ),
        (
            "select 'a'::text = 1",
            "operator does not exist: text = integer",
        ),
        (
            "select time '01:00' < timestamp '2020-01-01'",
            "operator does not exist: time without time zone < timestamp without time zone",
        ),
    ] {
        let e = c.simple_query(sql).await.unwrap_err();
        let got = e.as_db_error().map(|d| d.message().to_string());
        assert_eq!(
            (sqlstate(&e), got.as_deref()),
            ("42883".into(), Some(message)),
            "{sql}"
        );
    }
    for (sql, want) in [
        ("select interval '1 day' = time '01:00'", "f"),
        ("select 'a'::varchar = 'a'::bpchar", "t"),
        ("select 1 = 1.5::float4", "f"),
        ("select 1::int2 <> 2::numeric", "t"),
        ("select true = 'true'", "t"),
        ("select 1 = '1'", "t"),
        ("select true <> (1 = 1)", "f"),
    ] {
        let got = rows(&c, sql).await;
        assert_eq!(got, vec![vec![Some(want.to_string())]], "{sql}");
    }
}

#[tokio::test]
async fn columns_of_kinds_postgres_does_not_compare_are_42883() {
    let s = Server::start(&[]);
    let c = s.connect("operators").await;
    c.batch_execute(
        "create table n8 (q1 int8, d date, v varchar(5), b bool, x numeric); \
         create table tx (c1 text, c2 int4, ts timestamp); \
         insert into n8 values (123, '2020-01-01', '123', true, 123); \
         insert into tx values ('123', 123, '2020-01-01')",
    )
    .await
    .unwrap();
    let refused = [
        (
            "select * from n8 where q1 in (select c1 from tx)",
            "operator does not exist: bigint = text",
        ),
        (
            "select * from n8 where q1 not in (select c1 from tx)",
            "operator does not exist: bigint = text",
        ),
        (
            "select * from n8, tx where q1 < c1",
            "operator does not exist: bigint < text",
        ),
        (
            "select * from n8 join tx on v <> c2",
            "operator does not exist: character varying <> integer",
        ),
        (
            "select * from n8 join tx on b = c2",
            "operator does not exist: boolean = integer",
        ),
        (
            "select * from n8 where d in (select c1 from tx)",
            "operator does not exist: date = text",
        ),
        (
            "select * from n8 where exists (select 1 from tx where c1 = n8.q1)",
            "operator does not exist: text = bigint",
        ),
    ];
    for (sql, message) in refused {
        for e in [
            c.simple_query(sql).await.unwrap_err(),
            c.prepare(sql).await.unwrap_err(),
        ] {
            assert_eq!(sqlstate(&e), "42883", "{sql}");
            let text = e.as_db_error().map(|d| d.message().to_string());
            assert_eq!(text.as_deref(), Some(message), "{sql}");
        }
    }
    let one = vec![vec![Some("1".to_string())]];
    for sql in [
        "select count(*) from n8 where q1 in (select c2 from tx)",
        "select count(*) from n8 where x in (select c2 from tx)",
        "select count(*) from n8, tx where v = c1",
        "select count(*) from n8 where q1::text in (select c1 from tx)",
        "select count(*) from n8, tx where q1 = c1::int8",
        "select count(*) from n8, tx where q1 = c2 and v = '123'",
    ] {
        assert_eq!(rows(&c, sql).await, one, "{sql}");
    }
    // A parameter takes the column's type.
    let got = c
        .query_one("select count(*) from n8 where q1 = $1", &[&123i64])
        .await
        .unwrap();
    assert_eq!(got.get::<_, i64>(0), 1);
    // ALTER TABLE's row tests are checked alike; a foreign key's still finds a missing
    // parent row.
    let e = c
        .simple_query("alter table n8 add check (q1 = v)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42883");
    c.batch_execute(
        "create table p (a int4 primary key); insert into p values (123); \
         create table ch (a int4); insert into ch values (123); \
         alter table ch add foreign key (a) references p; \
         alter table ch drop constraint ch_a_fkey; insert into ch values (5)",
    )
    .await
    .unwrap();
    let e = c
        .simple_query("alter table ch add foreign key (a) references p")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23503");
}

/// A date compared with a timestamp is its midnight, a timestamp compared with a
/// timestamptz its instant in the session's zone, as PostgreSQL promotes them: columns,
/// typed literals and both together (their stored texts compared as text before:
/// `2024-03-01` was not `2024-03-01 00:00:00`). PostgreSQL 15's rows, in New York time.
#[tokio::test]
async fn dates_and_timestamps_compare_as_postgres_promotes_them() {
    let s = Server::start(&[]);
    let c = s.connect("operators").await;
    c.batch_execute(
        "create table dt (d date, ts timestamp, tz timestamptz); \
         insert into dt values ('2024-03-01', '2024-03-01 00:00:00', '2024-03-01 05:00:00+00'), \
         ('2024-03-02', '2024-03-01 23:00:00', '2024-03-02 00:00:00+00'); \
         set timezone = 'America/New_York'",
    )
    .await
    .unwrap();
    let sql = "select d = ts, ts <= d, d < ts, ts = tz, tz <= ts, d = tz, d >= tz, \
               d = timestamp '2024-03-01', timestamp '2024-03-01' >= d, \
               ts = date '2024-03-01', tz = date '2024-03-01', \
               tz = timestamp '2024-03-01 00:00', \
               date '2024-03-01' = timestamptz '2024-03-01 05:00+00' from dt order by d";
    let row = |s: &str| {
        s.split(',')
            .map(|v| Some(v.to_string()))
            .collect::<Vec<_>>()
    };
    let expected = vec![
        row("t,t,f,t,t,t,t,t,t,t,t,t,t"),
        row("f,t,f,f,t,f,t,f,f,f,f,f,t"),
    ];
    assert_eq!(rows(&c, sql).await, expected);
    // Prepared (extended protocol, binary booleans): the same.
    let got: Vec<Vec<bool>> = c
        .query(sql, &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (0..r.len()).map(|i| r.get::<_, bool>(i)).collect())
        .collect();
    let as_text: Vec<Vec<Option<String>>> = got
        .iter()
        .map(|r| {
            r.iter()
                .map(|b| Some(if *b { "t" } else { "f" }.to_string()))
                .collect()
        })
        .collect();
    assert_eq!(as_text, expected);
    // BETWEEN: x and bounds of one type promoted alike; a string literal bound read as
    // x's type.
    let between = "select d between timestamp '2024-03-01' and timestamp '2024-03-01', \
                   ts between date '2024-02-29' and date '2024-03-01', \
                   ts not between date '2024-03-02' and date '2024-03-03', \
                   tz between timestamp '2024-03-01' and timestamp '2024-03-01 00:00', \
                   d between tz and tz, ts between '2024-03-01' and '2024-03-01', \
                   ts between d and d from dt order by d";
    let expected_between = vec![row("t,t,t,t,t,t,t"), row("f,f,t,f,f,f,f")];
    assert_eq!(rows(&c, between).await, expected_between);
    // IN (…): string literals read as x's type, items of one date/time type promoted.
    let in_list = "select ts in ('2024-03-01'), d in (timestamp '2024-03-01', \
                   timestamp '2024-03-02'), ts in (date '2024-03-01'), \
                   ts not in (date '2024-03-01', date '2024-03-09'), \
                   tz in (timestamp '2024-03-01'), d in ('2024-03-01', null) \
                   from dt order by d";
    let mut second = row("f,t,f,t,f,-");
    second[5] = None;
    let expected_in = vec![row("t,t,t,f,t,t"), second];
    assert_eq!(rows(&c, in_list).await, expected_in);
    // A date column against a timestamp parameter (2024-03-02 00:00:00).
    let midnight = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_709_337_600);
    let n: i64 = c
        .query_one(
            "select count(*) from dt where d = $1::timestamp",
            &[&midnight],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
}
