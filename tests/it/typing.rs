//! Parameter and result types from the statement's tree (`sql::types`), as
//! tokio-postgres sees them after Prepare, and the text the simple protocol sends: the
//! reproductions of issue 9's typing bugs, each checked against PostgreSQL 15's answer.

use tokio_postgres::types::Type;

use crate::common::{rows, Server};

const SCHEMA: &str = "create table t1 (id int4 primary key, event_id integer, \
                      created timestamp with time zone, amount numeric(10,2));
     insert into t1 values (1, 10, '2024-01-01 00:00:00+00', 1.5),
                           (2, 20, '2024-03-01 12:00:00+00', 2.25)";

/// (name, type) of each result column of a prepared statement.
async fn columns(c: &tokio_postgres::Client, sql: &str) -> Vec<(String, Type)> {
    let s = c
        .prepare(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    s.columns()
        .iter()
        .map(|c| (c.name().to_string(), c.type_().clone()))
        .collect()
}

fn col(name: &str, t: Type) -> (String, Type) {
    (name.to_string(), t)
}

#[tokio::test]
async fn quoted_table_names_type_parameters_and_results() {
    let s = Server::start(&[]);
    let c = s.connect("typing").await;
    c.batch_execute(SCHEMA).await.unwrap();
    for sql in [
        "SELECT id FROM \"t1\" WHERE event_id = $1",
        "SELECT \"t1\".\"id\" FROM \"t1\" WHERE \"t1\".\"event_id\" = $1",
        "SELECT x.id FROM t1 AS x WHERE x.event_id = $1",
    ] {
        let st = c.prepare(sql).await.unwrap();
        assert_eq!(st.params(), &[Type::INT4], "{sql}");
        assert_eq!(st.columns()[0].type_(), &Type::INT4, "{sql}");
        let got: Vec<i32> = c
            .query(&st, &[&20i32])
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(got, [2], "{sql}");
    }
}

#[tokio::test]
async fn aggregates_keep_postgresql_types() {
    let s = Server::start(&[]);
    let c = s.connect("typing").await;
    c.batch_execute(SCHEMA).await.unwrap();
    assert_eq!(
        columns(
            &c,
            "SELECT SUM(amount), MAX(\"t\".\"created\"), count(*), sum(event_id), avg(id) \
             FROM t1 AS \"t\""
        )
        .await,
        [
            col("sum", Type::NUMERIC),
            col("max", Type::TIMESTAMPTZ),
            col("count", Type::INT8),
            col("sum", Type::INT8),
            col("avg", Type::NUMERIC),
        ]
    );
    // The maximum comes back as a timestamp, not as the text SQLite holds.
    let max: chrono::DateTime<chrono::Utc> = c
        .query_one("SELECT MAX(\"t\".\"created\") FROM t1 AS \"t\"", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(max.to_rfc3339(), "2024-03-01T12:00:00+00:00");
    assert_eq!(
        rows(&c, "select sum(amount), max(amount) from t1").await,
        [[Some("3.75".to_string()), Some("2.25".to_string())]]
    );
}

#[tokio::test]
async fn scalar_subquery_with_a_comparison_is_its_column_type() {
    let s = Server::start(&[]);
    let c = s.connect("typing").await;
    c.batch_execute("create table t (a int); insert into t values (1), (2), (3)")
        .await
        .unwrap();
    let sql = "select (select count(*) from t x where x.a < t.a) from t order by 1";
    assert_eq!(columns(&c, sql).await, [col("count", Type::INT8)]);
    // Not 0/1 read as booleans (f/t).
    assert_eq!(
        rows(&c, sql).await,
        [
            [Some("0".to_string())],
            [Some("1".to_string())],
            [Some("2".to_string())]
        ]
    );
}

#[tokio::test]
async fn set_returning_function_column_is_named_by_its_alias() {
    let s = Server::start(&[]);
    let c = s.connect("typing").await;
    let sql = "SELECT x FROM generate_series(1,3) AS x";
    assert_eq!(columns(&c, sql).await, [col("x", Type::INT4)]);
    let got: Vec<i32> = c
        .query(sql, &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("x"))
        .collect();
    assert_eq!(got, [1, 2, 3]);
}

#[tokio::test]
async fn typed_literals_and_names_as_postgresql_gives_them() {
    let s = Server::start(&[]);
    let c = s.connect("typing").await;
    // `bool 't'` is a boolean: `t` in text, not SQLite's 1.
    assert_eq!(
        rows(&c, "select bool 't', 1::integer, 2 + 2").await,
        [[
            Some("t".to_string()),
            Some("1".to_string()),
            Some("4".to_string())
        ]]
    );
    assert_eq!(
        columns(
            &c,
            "select bool 't', 1::integer, case when true then 1 end, 'a' || 'b', \
             current_date - current_date, 1.5::float8 as f, (select 1 as one)"
        )
        .await,
        [
            col("bool", Type::BOOL),
            col("int4", Type::INT4),
            col("case", Type::INT4),
            col("?column?", Type::TEXT),
            col("?column?", Type::INT4),
            col("f", Type::FLOAT8),
            col("one", Type::INT4),
        ]
    );
}

#[tokio::test]
async fn parameters_from_their_context() {
    let s = Server::start(&[]);
    let c = s.connect("typing").await;
    c.batch_execute(SCHEMA).await.unwrap();
    let st = c
        .prepare(
            "with recent as (select * from t1 where created > $1) \
             select r.id, r.amount * 2 from recent r join t1 on t1.id = r.id \
             where r.amount >= $2 and t1.id = any($3) limit $4 offset $5",
        )
        .await
        .unwrap();
    assert_eq!(
        st.params(),
        &[
            Type::TIMESTAMPTZ,
            Type::NUMERIC,
            Type::INT4_ARRAY,
            Type::INT8,
            Type::INT8
        ]
    );
    assert_eq!(st.columns()[0].type_(), &Type::INT4);
    assert_eq!(st.columns()[1].type_(), &Type::NUMERIC);
    let st = c
        .prepare("update t1 set amount = $1 where id = $2 returning id, created")
        .await
        .unwrap();
    assert_eq!(st.params(), &[Type::NUMERIC, Type::INT4]);
    assert_eq!(st.columns()[1].type_(), &Type::TIMESTAMPTZ);
}
