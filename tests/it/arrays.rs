//! PostgreSQL arrays (issue 9): one stored form (JSON text inside SQLite) whatever wrote
//! the value (a `'{…}'` literal, `ARRAY[…]`, a parameter), PostgreSQL's text output and
//! array OIDs for array-typed results (so a driver reads `Vec<i32>`), array_in's checks
//! on literals, the array functions and the operators where the statement shows an
//! array. Expected texts were taken from PostgreSQL 15.

use crate::common::{rows, sqlstate, Server};

/// Runs each statement and compares its rows, values joined with `|`, one row a line.
async fn answers(c: &tokio_postgres::Client, cases: &[(&str, &str)]) {
    for (sql, want) in cases {
        let got: Vec<String> = rows(c, sql)
            .await
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|v| v.unwrap_or_else(|| "<null>".into()))
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        assert_eq!(got.join("\n"), *want, "{sql}");
    }
}

/// The reproduction: a literal and ARRAY[…] written into array columns read back
/// alike, in PostgreSQL's form, and `@>` / `= ANY` find them.
#[tokio::test]
async fn literals_and_constructors_are_stored_and_printed_alike() {
    let s = Server::start(&[]);
    let c = s.connect("arrays").await;
    c.batch_execute(
        "create table a (id int, i int[], t text[]);
         insert into a values (1, '{1,2,3}', '{a,\"b c\",NULL,\"\"}'), (2, array[4,5], array['x','y'])",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[
            (
                "select * from a order by id",
                "1|{1,2,3}|{a,\"b c\",NULL,\"\"}\n2|{4,5}|{x,y}",
            ),
            ("select id from a where i @> array[2]", "1"),
            ("select id from a where 5 = any(i)", "2"),
            (
                "select array_agg(id order by id), array[1,2] from a",
                "{1,2}|{1,2}",
            ),
            ("select array_agg(id) from a where false", "<null>"),
            (
                "select array[1,2] || 3, 0 || array[1,2], array[1] || array[2]",
                "{1,2,3}|{0,1,2}|{1,2}",
            ),
            (
                "select '{{1,2},{3,4}}'::int[], array[[1,2],[3,4]] = '{{1,2},{3,4}}'::int[]",
                "{{1,2},{3,4}}|t",
            ),
        ],
    )
    .await;
}

/// A real driver gets real arrays: int4[] and text[] results decode as Vec (binary
/// format through the extended protocol), and an array parameter is stored the same way.
#[tokio::test]
async fn a_driver_reads_arrays_as_vectors() {
    let s = Server::start(&[]);
    let c = s.connect("arrays").await;
    c.batch_execute(
        "create table v (i int[], t text[]); insert into v values ('{1,NULL,3}', '{a,\"b c\"}')",
    )
    .await
    .unwrap();
    let row = c.query_one("select i, t from v", &[]).await.unwrap();
    assert_eq!(
        row.get::<_, Vec<Option<i32>>>(0),
        vec![Some(1), None, Some(3)]
    );
    assert_eq!(row.get::<_, Vec<String>>(1), vec!["a", "b c"]);
    let row = c
        .query_one(
            "select array[1,2], array_agg(x) from (values (7), (8)) s(x)",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, Vec<i32>>(0), vec![1, 2]);
    assert_eq!(row.get::<_, Vec<i32>>(1), vec![7, 8]);
    c.execute("insert into v (i) values ($1)", &[&vec![5i32, 6]])
        .await
        .unwrap();
    answers(&c, &[("select i from v where i @> array[6]", "{5,6}")]).await;
}

/// Literals are read with array_in's rules: irregular dimensions, bad elements and
/// declared dimensions that are not the contents' are 22P02, reversed bounds 2202E.
#[tokio::test]
async fn bad_literals_are_refused() {
    let s = Server::start(&[]);
    let c = s.connect("arrays").await;
    c.batch_execute("create table b (i int[])").await.unwrap();
    for (sql, code) in [
        ("insert into b values ('{1,x}')", "22P02"),
        ("insert into b values ('{{1,2},{3}}')", "22P02"),
        ("select '{{1,{2}},{2,3}}'::text[]", "22P02"),
        ("select '{{},{}}'::text[]", "22P02"),
        ("select '{1,2'::int[]", "22P02"),
        ("insert into b values ('[1:3]={1,2}')", "22P02"),
        ("insert into b values ('[3:1]={}')", "2202E"),
        ("select array_append(array[[1,2]], 3)", "22000"),
        ("select array_cat(array[[1,2]], array[[3]])", "2202E"),
    ] {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), code, "{sql}: {e}");
    }
    answers(&c, &[("select count(*) from b", "0")]).await;
}

#[tokio::test]
async fn functions() {
    let s = Server::start(&[]);
    let c = s.connect("arrays").await;
    answers(
        &c,
        &[
            (
                "select array_position(array['a','b','c'], 'b'), array_positions(array[1,2,1], 1)",
                "2|{1,3}",
            ),
            (
                "select array_remove(array[1,null,2,null], null), array_replace(array[1,null,2], null, 9)",
                "{1,2}|{1,9,2}",
            ),
            (
                "select array_dims(array[[1,2,3],[4,5,6]]), array_ndims(array[[1],[2]]), \
                 array_lower(array[1], 1), array_upper(array[1,2], 1), cardinality(array[[1,2],[3,4]])",
                "[1:2][1:3]|2|1|2|4",
            ),
            ("select array_dims('{}'::int[]), cardinality('{}'::int[])", "<null>|0"),
            (
                "select array_fill(7, array[2,2]), array_cat(array[1,2], array[[3,4],[5,6]])",
                "{{7,7},{7,7}}|{{1,2},{3,4},{5,6}}",
            ),
            (
                "select string_to_array('a,b,,c', ',', ''), string_to_array('abc', null)",
                "{a,b,NULL,c}|{a,b,c}",
            ),
            (
                "select array_to_string(array[1,null,3], ',', '*'), array_to_string(array[1,null,3], ',')",
                "1,*,3|1,3",
            ),
            (
                "select regexp_split_to_array('hello world', '\\s+'), regexp_split_to_array('abc', '')",
                "{hello,world}|{a,b,c}",
            ),
            ("select * from regexp_matches('abab', '(a)(b)', 'g')", "{a,b}\n{a,b}"),
            ("select regexp_matches('foobarbequebaz', '(bar)(beque)')", "{bar,beque}"),
            ("select generate_subscripts(array[5,6,7], 1)", "1\n2\n3"),
            (
                "select array_agg(array[i, i + 1]) from generate_series(1, 2) g(i)",
                "{{1,2},{2,3}}",
            ),
            ("select unnest(array[[1,2],[3,4]])", "1\n2\n3\n4"),
            (
                "select * from unnest(array[1,2,3], array['a','b']) as u(x, y)",
                "1|a\n2|b\n3|<null>",
            ),
            (
                "select 33 = any ('{1,2,33}'), 33 = any (null::int[]), 33 = all ('{33,null,33}')",
                "t|<null>|<null>",
            ),
            (
                "select 'foo' like any (array['%a', '%o']), 'foo' not like any (array['%a', '%b']), \
                 'foo' ilike any (array['%A', '%O']), 'foo' like any (array['%a', null])",
                "t|t|t|<null>",
            ),
            (
                "select array[1,2] < array[1,3], array[1,2] < array[1,2,0], array[1,null] @> array[null::int], array[1] && array[null::int, 1]",
                "t|t|f|t",
            ),
        ],
    )
    .await;
}

/// COPY reads array fields with array_in's rules into the stored form, and writes them
/// back in PostgreSQL's form.
#[tokio::test]
async fn copy_reads_and_writes_arrays() {
    use futures_util::{SinkExt, StreamExt};
    let s = Server::start(&[]);
    let c = s.connect("arrays").await;
    c.batch_execute("create table ct (a int[], t text[])")
        .await
        .unwrap();
    let sink = c.copy_in("copy ct from stdin").await.unwrap();
    futures_util::pin_mut!(sink);
    sink.send(bytes::Bytes::from_static(b"{1,2}\t{a,\"b c\"}\n\\N\t{}\n"))
        .await
        .unwrap();
    assert_eq!(sink.finish().await.unwrap(), 2);
    answers(&c, &[("select count(*) from ct where a @> array[2]", "1")]).await;
    let stream = c.copy_out("copy ct to stdout").await.unwrap();
    futures_util::pin_mut!(stream);
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "{1,2}\t{a,\"b c\"}\n\\N\t{}\n"
    );
}

/// A set-returning function alone in a select list runs once per row; where PostgreSQL
/// would run it in lockstep with another or after aggregation, it is refused rather than
/// answered differently.
#[tokio::test]
async fn set_returning_functions_in_select_lists() {
    let s = Server::start(&[]);
    let c = s.connect("arrays").await;
    answers(
        &c,
        &[
            (
                "select x, generate_series(1, x) from (values (1), (2)) v(x)",
                "1|1\n2|1\n2|2",
            ),
            ("select unnest(array['a','b']) as u order by u desc", "b\na"),
        ],
    )
    .await;
    let sql = "select max(x), generate_series(1, 3) from (values (1)) v(x)";
    let e = c.simple_query(sql).await.expect_err(sql);
    assert_eq!(sqlstate(&e), "0A000", "{sql}: {e}");
}

/// generate_series as PostgreSQL 15 steps it: timestamps by an interval (months on the
/// calendar, each step from the last: Jan 31, Feb 29, Mar 29), a date series as
/// timestamptz, integers to the end of int8, any length without holding it in memory
/// (engine/srf.rs). Its columns, and unnest's, never collide with a table's (`id` was
/// ambiguous beside SQLite's json_each).
#[tokio::test]
async fn generate_series_and_unnest_as_postgres_runs_them() {
    let s = Server::start(&[]);
    let c = s.connect("series").await;
    c.batch_execute(
        "create table posts (id int, tags text[]); insert into posts values (7, '{a,b}')",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[
            (
                "select * from generate_series('2024-01-01'::timestamp, '2024-01-03', '1 day')",
                "2024-01-01 00:00:00\n2024-01-02 00:00:00\n2024-01-03 00:00:00",
            ),
            (
                "select g from generate_series('2024-01-31'::date, '2024-05-01', '1 month') g",
                "2024-01-31 00:00:00+00\n2024-02-29 00:00:00+00\n2024-03-29 00:00:00+00\n\
                 2024-04-29 00:00:00+00",
            ),
            (
                "select * from generate_series('2024-01-02 06:00'::timestamp, '2024-01-01', \
                 '-12 hours')",
                "2024-01-02 06:00:00\n2024-01-01 18:00:00\n2024-01-01 06:00:00",
            ),
            (
                "select * from generate_series(9223372036854775806, 9223372036854775807)",
                "9223372036854775806\n9223372036854775807",
            ),
            ("select * from generate_series(5, 1, -2)", "5\n3\n1"),
            ("select * from generate_series(1, null)", ""),
            (
                "select count(*) from generate_series(1, 2000000)",
                "2000000",
            ),
            ("select id, unnest(tags) from posts", "7|a\n7|b"),
            (
                "select id, g from posts, generate_series(1, 2) g",
                "7|1\n7|2",
            ),
            // A function that is not set-returning gives one row (TypeORM's
            // `SELECT * FROM current_schema()`), beside other sources too.
            ("select * from current_schema()", "public"),
            (
                "select x.v from (select 'ab' as t) q, upper(q.t) as x(v)",
                "AB",
            ),
            ("select * from abs(-3) as a", "3"),
            (
                "select * from unnest(array['a','b']) with ordinality",
                "a|1\nb|2",
            ),
            (
                "select v, v is null from string_to_table('1|2||', '|', '2') g(v)",
                "1|f\n<null>|t\n|f\n|f",
            ),
            (
                "select * from regexp_split_to_table('the quick  fox', '\\s+') with ordinality",
                "the|1\nquick|2\nfox|3",
            ),
            (
                "select i from (values ('{1,2}'::int[]), ('{3}')) v(i) where i && '{2,5}'",
                "{1,2}",
            ),
            (
                "select u.* from unnest(array[1,2], array['x','y','z']) as u(a, b)",
                "1|x\n2|y\n<null>|z",
            ),
        ],
    )
    .await;
    // A parameter bound as the column's array type (Knex's `where tags @> ?`).
    let n: i64 = c
        .query_one(
            "select count(*) from posts where tags @> $1",
            &[&vec!["a".to_string()]],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    let names = c
        .prepare("select * from unnest(array['a']) with ordinality")
        .await
        .unwrap();
    let names: Vec<&str> = names.columns().iter().map(|c| c.name()).collect();
    assert_eq!(names, ["unnest", "ordinality"]);
    for (sql, code) in [
        ("select * from generate_series(1, 3, 0)", "22023"),
        (
            "select * from generate_series('2024-01-01'::timestamp, '2024-01-02', '0 days')",
            "22023",
        ),
        // A numeric series checks its step too (its values: tests/it/values.rs).
        ("select * from generate_series(0.1, 0.5, 0.0)", "22023"),
    ] {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), code, "{sql}: {e}");
    }
}

/// Several set-returning functions in one select list run in lockstep, one row per
/// element of the longest, NULL past a shorter one's end (PostgreSQL 15's answers;
/// SQLAlchemy's inspector writes `unnest(indkey) AS attnum, generate_subscripts(indkey, 1)`).
#[tokio::test]
async fn set_returning_functions_in_one_select_list_run_in_lockstep() {
    let s = Server::start(&[]);
    let c = s.connect("arrays").await;
    let t = |v: &str| Some(v.to_string());
    let got = rows(
        &c,
        "select unnest(array[10,20,30]) as a, generate_subscripts(array[10,20,30], 1) as o, \
         unnest(array['x','y']) as t",
    )
    .await;
    assert_eq!(
        got,
        vec![
            vec![t("10"), t("1"), t("x")],
            vec![t("20"), t("2"), t("y")],
            vec![t("30"), t("3"), None],
        ]
    );
    c.batch_execute(
        "create table v (k int, xs int[]); insert into v values (1, '{5,6}'), (2, '{}')",
    )
    .await
    .unwrap();
    let got = rows(
        &c,
        "select k, unnest(xs), generate_series(1, 3) from v order by 1, 3",
    )
    .await;
    assert_eq!(
        got,
        vec![
            vec![t("1"), t("5"), t("1")],
            vec![t("1"), t("6"), t("2")],
            vec![t("1"), None, t("3")],
            vec![t("2"), None, t("1")],
            vec![t("2"), None, t("2")],
            vec![t("2"), None, t("3")],
        ]
    );
}

/// array_agg of arrays adds a dimension (was a JSON array of strings,
/// `["[1,2]","[3,4]"]`), from casts, ARRAY[…] and array columns alike, with
/// PostgreSQL's refusals of ragged, empty and NULL arrays.
#[tokio::test]
async fn array_agg_of_arrays_nests_them() {
    let s = Server::start(&[]);
    let c = s.connect("arrays").await;
    c.batch_execute(
        "create table g (id int4, a int4[]); \
         insert into g values (1, '{1,2}'), (2, '{3,4}'), (3, '{5}')",
    )
    .await
    .unwrap();
    for (sql, want) in [
        (
            "select array_agg(ar) from (values ('{1,2}'::int[]), ('{3,4}'::int[])) v(ar)",
            "{{1,2},{3,4}}",
        ),
        (
            "select array_agg(distinct ar order by ar desc) \
             from (select array[i / 2] from generate_series(1,6) a(i)) b(ar)",
            "{{3},{2},{1},{0}}",
        ),
        (
            "select array_agg(a order by id desc) from g where id < 3",
            "{{3,4},{1,2}}",
        ),
        ("select array_agg(id order by id) from g", "{1,2,3}"),
    ] {
        let got = rows(&c, sql).await;
        assert_eq!(got, vec![vec![Some(want.to_string())]], "{sql}");
    }
    for (sql, code) in [
        ("select array_agg(a) from g", "2202E"),
        (
            "select array_agg('{}'::int[]) from generate_series(1,2)",
            "2202E",
        ),
        (
            "select array_agg(null::int[]) from generate_series(1,2)",
            "22004",
        ),
    ] {
        let e = c.simple_query(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{sql}");
    }
}

/// `@>` / `<@` between an array column and a literal are array containment (`i @> '{}'`
/// read `'{}'` as an empty jsonb object and found nothing); a jsonb column keeps
/// jsonb's. Expectations are PostgreSQL 15's.
#[tokio::test]
async fn column_containment_by_type() {
    let s = Server::start(&[]);
    let c = s.connect("arrays").await;
    c.batch_execute(
        "create table ct (id int, i int[], t text[], j jsonb); \
         insert into ct values (1, '{1,2,3}', '{a,b}', '{\"a\":1,\"b\":[1,2]}'), \
         (2, '{}', '{}', '[1,2]'), (3, '{1,NULL}', '{c}', '{}'), (4, null, null, null), \
         (5, '{{1,2},{3,4}}', '{a}', '\"x\"')",
    )
    .await
    .unwrap();
    for (sql, want) in [
        ("select id from ct where i @> '{}' order by id", "1 2 3 5"),
        ("select id from ct where i <@ '{}' order by id", "2"),
        ("select id from ct where '{1,2}' <@ i order by id", "1 5"),
        ("select id from ct where i @> '{NULL}' order by id", ""),
        ("select id from ct where t @> '{a}' order by id", "1 5"),
        ("select id from ct where j @> '{\"a\":1}' order by id", "1"),
        ("select id from ct where j @> '[1]' order by id", "2"),
    ] {
        let got: Vec<String> = rows(&c, sql)
            .await
            .into_iter()
            .map(|r| r[0].clone().unwrap_or_default())
            .collect();
        assert_eq!(got.join(" "), want, "{sql}");
    }
}

/// `x [I]LIKE ALL (array)` (was read as a call of `all`: wrong or a syntax error),
/// `ARRAY[]` without a type (42P18; `ARRAY[]::int[]` is the empty array) and
/// array_fill's one-dimensional dimension array (2202E), as PostgreSQL 15.
#[tokio::test]
async fn like_all_empty_arrays_and_array_fill_dimensions() {
    let s = Server::start(&[]);
    let c = s.connect("arrays").await;
    let got = rows(
        &c,
        "select 'foo' ilike all (array['F%', '%O']), 'foo' like all (array['f%', '%x']), \
         'foo' not ilike all (array['F%', '%x']), 'foo' like all (array['f%', null]), \
         'foo' like all ('{}'::text[]), array[]::int[], array[1, 2] || array[]::int[]",
    )
    .await;
    assert_eq!(
        got,
        vec![vec![
            Some("t".to_string()),
            Some("f".to_string()),
            Some("f".to_string()),
            None,
            Some("t".to_string()),
            Some("{}".to_string()),
            Some("{1,2}".to_string()),
        ]]
    );
    for (sql, code) in [
        ("select array[]", "42P18"),
        ("select array_fill(1, array[[1,2],[3,4]])", "2202E"),
    ] {
        let e = c.simple_query(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{sql}");
    }
}

/// bytea elements of ARRAY[…] and array_agg are their hex text (SQLite read a blob as
/// JSONB: `ARRAY['\x01'::bytea]` was `{true}`, longer ones an error).
#[tokio::test]
async fn bytea_elements_are_kept() {
    let s = Server::start(&[]);
    let c = s.connect("arrays").await;
    let got = rows(
        &c,
        "select array['\\x01'::bytea], (select array_agg(b) from (values ('\\x0102'::bytea)) v(b)), \
         array[array[1,2],array[3,4]]",
    )
    .await;
    assert_eq!(
        got,
        vec![vec![
            Some("{\"\\\\x01\"}".to_string()),
            Some("{\"\\\\x0102\"}".to_string()),
            Some("{{1,2},{3,4}}".to_string()),
        ]]
    );
}

/// Slices read and assigned as PostgreSQL's array_get_slice / array_set_slice do (an
/// index among slices is `[1:k]`, omitted bounds are the array's own, reads clip to the
/// bounds); INSERT into array elements and slices assigns into a NULL array; a
/// `char(5)[]` column refuses a longer element. Expected texts from PostgreSQL 15.
#[tokio::test]
async fn slices_and_element_targets() {
    let s = Server::start(&[]);
    let c = s.connect("arrays").await;
    c.batch_execute(
        "create table s (a int[], b int[], f char(5)[]);
         insert into s (a[1:5], b[1:3][1:3]) values ('{1,2,3,4,5}', '{1,2,3,4,5,6,7,8,9}');
         insert into s (a[1], a[2], f[1]) values (7, 8, 'ab')",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[
            ("select * from s order by a", "{1,2,3,4,5}|{{1,2,3},{4,5,6},{7,8,9}}|<null>\n{7,8}|<null>|{\"ab   \"}"),
            (
                "select a[:3], a[2:], a[:], b[2:][2:], b[1:2][2], a[0:9], a[4:3] from s where b is not null",
                "{1,2,3}|{2,3,4,5}|{1,2,3,4,5}|{{5,6},{8,9}}|{{1,2},{4,5}}|{1,2,3,4,5}|{}",
            ),
            ("select ('{{1,2,3},{4,5,6}}'::int[])[1][null:1] is null", "t"),
        ],
    )
    .await;
    c.batch_execute(
        "update s set a[:2] = '{11,12}', b[2:][2:] = array[[25,26],[28,29]] where b is not null;
         update s set a[4:5] = '{40,50}' where b is null",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[(
            "select a, b from s order by b nulls last",
            "{11,12,3,4,5}|{{1,2,3},{4,25,26},{7,28,29}}\n{7,8,NULL,40,50}|<null>",
        )],
    )
    .await;
    for (sql, code) in [
        ("insert into s (f) values ('{\"too long\"}')", "22001"),
        ("update s set a[1:3] = '{1}'", "2202E"),
        ("update s set a[null:2] = '{1,2}'", "22004"),
        (
            "update s set b[1:4][1:1] = '{1,2,3,4}' where b is not null",
            "2202E",
        ),
        ("insert into s (a[:2]) values ('{1,2}')", "2202E"),
        ("update s set a[2147483647] = 1", "54000"),
    ] {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), code, "{sql}: {e}");
    }
}

/// `ARRAY(SELECT array …)` nests the arrays (one more dimension, as PostgreSQL), where it
/// was an array of JSON strings.
#[tokio::test]
async fn array_of_a_subquery_of_arrays_nests() {
    let s = Server::start(&[]);
    let c = s.connect("arrays").await;
    answers(
        &c,
        &[
            (
                "select array(select array[i, i/2] from generate_series(1, 3) i)",
                "{{1,0},{2,1},{3,1}}",
            ),
            (
                "select array(select array['Hello', i::text] from generate_series(9, 10) i)",
                "{{Hello,9},{Hello,10}}",
            ),
            ("select array(select array[i] from generate_series(1, 0) i)", "{}"),
            ("select array(select 1)", "{1}"),
            (
                "select ('{{1,2},{3,4}}'::int[])[1], ('{1,2}'::int[])[0], ('{{1,2},{3,4}}'::int[])[2][1]",
                "<null>|<null>|3",
            ),
        ],
    )
    .await;
}

/// Arrays of int2vector / oidvector values hold each vector as its text (a vector is
/// itself a JSON array), printed and unnested as PostgreSQL does; an empty or
/// NULL-holding ARRAY cast to a vector is PostgreSQL's 42804, another is printed as the
/// vector (`1 2`).
#[tokio::test]
async fn vectors_in_arrays_are_elements() {
    let s = Server::start(&[]);
    let c = s.connect("arrays").await;
    answers(
        &c,
        &[
            (
                "select pg_typeof(array[1, 2]::int2vector), array[1, 2]::int2vector, array[3, 4]::oidvector",
                "int2vector|1 2|3 4",
            ),
            (
                "select string_agg(u::text, ',') from unnest('11 22 33'::int2vector) u",
                "11,22,33",
            ),
            ("select array['11 22 33'::int2vector]", "{\"11 22 33\"}"),
            (
                "select array(select '11 22 33'::oidvector from generate_series(1, 2))",
                "{\"11 22 33\",\"11 22 33\"}",
            ),
            ("select unnest(array['11 22 33'::oidvector])", "11 22 33"),
            ("select pg_typeof(array['1'::int2vector])", "int2vector[]"),
        ],
    )
    .await;
    for (sql, code) in [
        ("select array[]::oidvector", "42804"),
        ("select array[1, null]::int2vector", "42804"),
        ("select 'x'::int2vector", "22P02"),
        // pg_typeof does not evaluate its argument: a set would lose its rows.
        ("select pg_typeof(unnest('11 22 33'::int2vector))", "0A000"),
    ] {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), code, "{sql}: {e}");
    }
}

/// width_bucket(x, thresholds) as PostgreSQL's binary search over sorted lower bounds,
/// for numbers, timestamps and dates; other element types are 0A000.
#[tokio::test]
async fn width_bucket_over_thresholds() {
    let s = Server::start(&[]);
    let c = s.connect("arrays").await;
    answers(
        &c,
        &[
            (
                "select string_agg(width_bucket(op, array[1, 3, 5, 10])::text, ',' order by op) from generate_series(0, 11) op",
                "0,1,1,2,2,3,3,3,3,3,4,4",
            ),
            (
                "select width_bucket(5, array[3]), width_bucket(5, '{}'), width_bucket(5.5::numeric, array[0, 5.5, 9.99]::numeric[]), \
                 width_bucket(77::float8, array[1, 'NaN']::float8[]), width_bucket('NaN'::float8, array[1, 'NaN']::float8[])",
                "1|0|2|1|2",
            ),
            (
                "select width_bucket(now(), array['yesterday', 'today', 'tomorrow']::timestamptz[]), \
                 width_bucket('2020-01-05 00:30+01'::timestamptz, \
                 array['2020-01-04 23:00+00', '2020-01-05 00:00+00']::timestamptz[]), \
                 width_bucket('2020-01-05'::date, array['2020-01-01', '2020-01-05']::date[])",
                "2|1|2",
            ),
            // ARRAY[…]::t[] casts element by element (the literals are read as t).
            (
                "select array['today']::timestamptz[] = array['today'::timestamptz], \
                 array[1.5, 2.4]::int[], array['abcd', 'x']::char(2)[]",
                "t|{2,2}|{ab,\"x \"}",
            ),
        ],
    )
    .await;
    for (sql, code) in [
        ("select width_bucket(1, array[[1]])", "2202E"),
        ("select width_bucket(1, array[1, null])", "22004"),
        (
            "select width_bucket(interval '1 day', array['1 hour']::interval[])",
            "0A000",
        ),
    ] {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), code, "{sql}: {e}");
    }
}
