//! Arrays whose lower bounds are not 1 (`'[0:1]={1,2}'`, `SET a[0] = …`): kept in the
//! stored form's dimension decoration (engine/array.rs), printed, subscripted, sliced,
//! assigned, compared and measured as PostgreSQL 15 does. Expected texts were taken from
//! PostgreSQL 15.

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

#[tokio::test]
async fn literals_keep_their_bounds_through_functions_and_operators() {
    let s = Server::start(&[]);
    let c = s.connect("bounds").await;
    answers(
        &c,
        &[
            (
                "select '[0:1]={1.1,2.2}'::float8[], '[0:2][0:2]={{1,2,3},{4,5,6},{7,8,9}}'::int[]",
                "[0:1]={1.1,2.2}|[0:2][0:2]={{1,2,3},{4,5,6},{7,8,9}}",
            ),
            (
                "select ('[0:2][0:2]={{1,2,3},{4,5,6},{7,8,9}}'::int[])[1:2][2], ('[0:1]={1,2}'::int[])[0]",
                "{{5,6},{8,9}}|1",
            ),
            (
                "select array_dims('[0:1][2:3]={{1,2},{3,4}}'::int[]), array_lower('[-3:-2]={1,2}'::int[], 1), \
                 array_upper('[-3:-2]={1,2}'::int[], 1), array_length('[5:6]={1,2}'::int[], 1), \
                 cardinality('[2:4]={5,6,7}'::int[])",
                "[0:1][2:3]|-3|-2|2|3",
            ),
            (
                "select array_position('[2:4]={1,2,3}'::int[], 1), array_positions('[2:5]={1,2,3,1}'::int[], 1), \
                 array_remove('[0:2]={1,2,3}'::int[], 2), array_replace('[0:2]={1,2,3}'::int[], 2, 9)",
                "2|{2,5}|[0:1]={1,3}|[0:2]={1,9,3}",
            ),
            (
                "select '[0:1]={1,2}'::int[] || 3, 3 || '[0:1]={1,2}'::int[], '[0:1]={1,2}'::int[] || '{3,4}'::int[]",
                "[0:2]={1,2,3}|[0:2]={3,1,2}|[0:3]={1,2,3,4}",
            ),
            (
                "select '[0:1]={1,2}'::int[] = '{1,2}'::int[], '[0:1]={1,2}'::int[] < '{1,2}'::int[], \
                 2 = any('[0:1]={1,2}'::int[])",
                "f|t|t",
            ),
            (
                "select array_fill(7, array[2,2], array[2,2]), trim_array('[10:13]={1,2,3,4}'::int[], 1)",
                "[2:3][2:3]={{7,7},{7,7}}|{1,2,3}",
            ),
            (
                "select array_to_json('[0:1]={1,2}'::int[]), array_to_string('[0:1]={1,2}'::int[], ',')",
                "[1,2]|1,2",
            ),
        ],
    )
    .await;
    // A driver reading the binary form gets the elements.
    let row = c
        .query_one("select '[0:1]={7,8}'::int[]", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, Vec<i32>>(0), vec![7, 8]);
}

/// `ARRAY[…]` of array columns and array values nests them (one more dimension, as
/// PostgreSQL), with its checks that they are of one shape.
#[tokio::test]
async fn array_elements_that_are_arrays_nest() {
    let s = Server::start(&[]);
    let c = s.connect("bounds").await;
    c.batch_execute(
        "create table n (a int[], b int, c bytea, d text[]);
         insert into n values ('{1,2}', 3, '\\x01', '{x,\"y z\"}')",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[
            (
                "select array[a, a], array[b, b], array[c], array[d], array[a, '{5,6}'] from n",
                "{{1,2},{1,2}}|{3,3}|{\"\\\\x01\"}|{{x,\"y z\"}}|{{1,2},{5,6}}",
            ),
            ("select pg_typeof(array[a, a]) from n", "integer[]"),
            (
                "select (array[a, a])[2][1], (array[a])[1:1][2:2] from n",
                "1|{{2}}",
            ),
            ("select array['{}'::int[], '{}'::int[]]", "{}"),
            (
                "select array['{1.50}', e] from (select '{2.5}'::float8[] e) s",
                "{{1.5},{2.5}}",
            ),
        ],
    )
    .await;
    for sql in [
        "select array['{1,2}'::int[], null]",
        "select array['{1}'::int[], '{}'::int[]]",
        "select array[a, '{1}'] from n",
    ] {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), "2202E", "{sql}: {e}");
    }
}

#[tokio::test]
async fn assignments_move_a_lower_bound() {
    let s = Server::start(&[]);
    let c = s.connect("bounds").await;
    c.batch_execute(
        "create table lb (id int, a int[]);
         insert into lb values (1, '{1,2}'), (2, NULL), (3, '[-2147483648:-2147483647]={1,2}');
         update lb set a[0] = 0 where id = 1;
         update lb set a[-2:-1] = array[-2,-1] where id = 1;
         update lb set a[4] = 4 where id = 2",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[(
            "select id, a, a[-2], array_lower(a, 1) from lb order by id",
            "1|[-2:2]={-2,-1,0,1,2}|-2|-2\n2|[4:4]={4}|<null>|4\n\
             3|[-2147483648:-2147483647]={1,2}|<null>|-2147483648",
        )],
    )
    .await;
    // PostgreSQL's size limit, not a silent success.
    for (sql, code) in [
        ("update lb set a[2147483647] = 42 where id = 3", "54000"),
        (
            "update lb set a[2147483646:2147483647] = array[4,2] where id = 3",
            "54000",
        ),
        ("select '[2147483647:2147483647]={1}'::int[]", "54000"),
        ("select '[1:2]={{1,2},{3,4}}'::int[]", "22P02"),
        ("select array['[0:1]={1,2}'::int[]]", "0A000"),
    ] {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), code, "{sql}: {e}");
    }
}
