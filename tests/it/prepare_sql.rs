//! SQL-level PREPARE / EXECUTE / DEALLOCATE, as PostgreSQL 15 answers them: the
//! statements share the protocol's namespace, arguments are cast to the parameters'
//! types, and errors carry PostgreSQL's SQLSTATEs.

use crate::common::{rows, sqlstate, Server};

#[tokio::test]
async fn prepare_and_execute_as_in_postgres() {
    let s = Server::start(&[]);
    let c = s.connect("prepare_sql").await;
    c.batch_execute(
        "create table t (a int, b text); insert into t values (1,'x'),(2,'y'),(3,'z');
         PREPARE q2(int, text) AS SELECT a, b FROM t WHERE a >= $1 OR b = $2 ORDER BY a;
         PREPARE q4(int) AS INSERT INTO t VALUES ($1, 'w') RETURNING a, b;
         PREPARE q5 AS UPDATE t SET b = $2 WHERE a = $1",
    )
    .await
    .unwrap();
    let s2 = |r: Vec<Vec<Option<String>>>| -> Vec<String> {
        r.into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|v| v.unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect()
    };
    assert_eq!(
        s2(rows(&c, "EXECUTE q2(2, 'x')").await),
        ["1|x", "2|y", "3|z"]
    );
    // A quoted argument is read as the parameter's type.
    assert_eq!(s2(rows(&c, "EXECUTE q2('3', 'q')").await), ["3|z"]);
    assert_eq!(s2(rows(&c, "EXECUTE q4(9)").await), ["9|w"]);
    let n = c.execute("EXECUTE q5(9, 'ww')", &[]).await.unwrap();
    assert_eq!(n, 1);
    assert_eq!(s2(rows(&c, "select b from t where a = 9").await), ["ww"]);

    let err = |sql: &'static str| {
        let c = &c;
        async move { sqlstate(&c.batch_execute(sql).await.unwrap_err()) }
    };
    assert_eq!(err("EXECUTE q2(1)").await, "42601");
    assert_eq!(err("EXECUTE q2('abc', 'x')").await, "22P02");
    assert_eq!(err("EXECUTE nope").await, "26000");
    assert_eq!(err("PREPARE q2 AS SELECT 1").await, "42P05");
    assert_eq!(err("PREPARE q6 AS CREATE TABLE x (a int)").await, "42601");
    assert_eq!(err("PREPARE q7(nosuchtype) AS SELECT $1").await, "42704");
    // Arguments are coerced as assignments: a boolean is no float.
    c.batch_execute("PREPARE q8(float, text) AS SELECT $1, $2")
        .await
        .unwrap();
    assert_eq!(err("EXECUTE q8(false, 'x')").await, "42804");
    let r = c.query("EXECUTE q8(1.5::numeric, 2)", &[]).await.unwrap();
    assert_eq!(r[0].columns()[0].name(), "?column?");
    assert_eq!(r[0].get::<_, f64>(0), 1.5);
    assert_eq!(r[0].get::<_, &str>(1), "2");

    // Inside a block, a rolled-back EXECUTE leaves nothing.
    c.batch_execute("BEGIN; EXECUTE q4(10); ROLLBACK")
        .await
        .unwrap();
    assert_eq!(s2(rows(&c, "select count(*) from t").await), ["4"]);

    // DEALLOCATE reaches SQL-prepared statements.
    c.batch_execute("DEALLOCATE q2; DEALLOCATE PREPARE q4")
        .await
        .unwrap();
    assert_eq!(err("EXECUTE q2(1, 'x')").await, "26000");
    c.batch_execute("PREPARE q2 AS SELECT 2").await.unwrap();
    assert_eq!(s2(rows(&c, "EXECUTE q2").await), ["2"]);
}

#[tokio::test]
async fn execute_through_the_extended_protocol_describes_its_rows() {
    let s = Server::start(&[]);
    let c = s.connect("prepare_sql_ext").await;
    c.batch_execute("PREPARE one(int) AS SELECT $1 + 1 AS n, 'x' AS s")
        .await
        .unwrap();
    let r = c.query("EXECUTE one(41)", &[]).await.unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].columns()[0].name(), "n");
    assert_eq!(r[0].get::<_, i32>(0), 42);
    assert_eq!(r[0].get::<_, &str>(1), "x");
}

/// pg_prepared_statements lists the session's statements (PREPARE's whole query string,
/// the parameter types as regtype[]); CREATE TABLE … AS EXECUTE runs one; `unknown`
/// leaves a parameter's type to be inferred. Answers checked against PostgreSQL 15.
#[tokio::test]
async fn prepared_statements_view_and_create_table_as_execute() {
    let s = Server::start(&[]);
    let c = s.connect("prepared_view").await;
    let listed = "SELECT name, statement, parameter_types, from_sql FROM pg_prepared_statements \
                  ORDER BY name";
    assert!(rows(&c, listed).await.is_empty());
    c.batch_execute("create table t (a int, b text); insert into t values (1,'x'),(2,'y'),(3,'z')")
        .await
        .unwrap();
    c.simple_query("PREPARE q1 AS SELECT 1 AS a;")
        .await
        .unwrap();
    c.simple_query(
        "PREPARE q5(int, text) AS\n\tSELECT * FROM t WHERE a = $1 OR b = $2 ORDER BY a;",
    )
    .await
    .unwrap();
    c.simple_query("PREPARE q8(unknown, float) AS SELECT $1, $2")
        .await
        .unwrap();
    let text = |v: &[&str]| v.iter().map(|s| Some(s.to_string())).collect::<Vec<_>>();
    assert_eq!(
        rows(&c, listed).await,
        [
            text(&["q1", "PREPARE q1 AS SELECT 1 AS a;", "{}", "t"]),
            text(&[
                "q5",
                "PREPARE q5(int, text) AS\n\tSELECT * FROM t WHERE a = $1 OR b = $2 ORDER BY a;",
                "{integer,text}",
                "t"
            ]),
            text(&[
                "q8",
                "PREPARE q8(unknown, float) AS SELECT $1, $2",
                "{text,\"double precision\"}",
                "t"
            ]),
        ]
    );
    c.batch_execute(
        "CREATE TEMP TABLE r AS EXECUTE q5(2, 'z');
         CREATE TEMP TABLE r0 AS EXECUTE q5(2, 'z') WITH NO DATA",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(&c, "select a, b from r").await,
        [text(&["2", "y"]), text(&["3", "z"])]
    );
    assert!(rows(&c, "select * from r0").await.is_empty());
    c.batch_execute("DEALLOCATE ALL").await.unwrap();
    assert!(rows(&c, listed).await.is_empty());
    // A statement prepared by the protocol is listed too, with from_sql false.
    let _kept = c.prepare("select $1::int + 1").await.unwrap();
    let protocol = rows(
        &c,
        "select statement, parameter_types, from_sql from pg_prepared_statements \
         where statement like 'select $1%'",
    )
    .await;
    assert_eq!(protocol, [text(&["select $1::int + 1", "{integer}", "f"])]);
}

#[tokio::test]
async fn create_table_as_execute() {
    let s = crate::common::Server::start(&[]);
    let c = s.connect("prep").await;
    c.batch_execute(
        "prepare p(int) as select $1 + 1 as b;
         create table t as execute p(41);
         create table if not exists t as execute p(1);
         prepare w as insert into t values (1);",
    )
    .await
    .unwrap();
    crate::common::answers(&c, &[("select b from t", "42")]).await;
    crate::common::refusals(
        &c,
        &[(
            "create table u as execute w",
            "42809",
            "prepared statement is not a SELECT",
        )],
    )
    .await;
}
