//! The extended protocol through tokio-postgres, which binds every parameter and reads
//! every result in binary and checks types strictly against Describe.

use chrono::{NaiveDate, NaiveDateTime};
use tokio_postgres::types::Type;

use crate::common::{sqlstate, Server};

const SCHEMA: &str = "create table t (
    id integer primary key, small smallint, big bigint, f double precision, r real,
    ok boolean, name text, tag varchar(10), data bytea, at timestamp, day date,
    u uuid, doc json, amount numeric(10,2)
)";

#[tokio::test]
async fn typed_round_trip() {
    let s = Server::start(&[]);
    let c = s.connect("typed").await;
    c.batch_execute(SCHEMA).await.unwrap();
    let at = NaiveDate::from_ymd_opt(2024, 2, 29)
        .unwrap()
        .and_hms_micro_opt(13, 14, 15, 123_456)
        .unwrap();
    let day = NaiveDate::from_ymd_opt(1999, 12, 31).unwrap();
    let u = uuid::Uuid::parse_str("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11").unwrap();
    let doc = serde_json::json!({"a": [1, 2, 3]});
    let insert = c
        .prepare(
            "insert into t (id, small, big, f, r, ok, name, tag, data, at, day, u, doc)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .await
        .unwrap();
    // Parameter types were inferred from the INSERT's target columns.
    assert_eq!(
        insert.params(),
        &[
            Type::INT4,
            Type::INT2,
            Type::INT8,
            Type::FLOAT8,
            Type::FLOAT4,
            Type::BOOL,
            Type::TEXT,
            Type::VARCHAR,
            Type::BYTEA,
            Type::TIMESTAMP,
            Type::DATE,
            Type::UUID,
            Type::JSON
        ]
    );
    let n = c
        .execute(
            &insert,
            &[
                &1i32,
                &-7i16,
                &(1i64 << 40),
                &1.25f64,
                &0.5f32,
                &true,
                &"it's",
                &"tag",
                &vec![0u8, 255, 10],
                &at,
                &day,
                &u,
                &doc,
            ],
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
    c.execute(
        "insert into t (id, small, big, f, r, ok, name, tag, data, at, day, u, doc)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        &[
            &2i32,
            &None::<i16>,
            &None::<i64>,
            &None::<f64>,
            &None::<f32>,
            &None::<bool>,
            &None::<String>,
            &None::<String>,
            &None::<Vec<u8>>,
            &None::<NaiveDateTime>,
            &None::<NaiveDate>,
            &None::<uuid::Uuid>,
            &None::<serde_json::Value>,
        ],
    )
    .await
    .unwrap();

    let row = c
        .query_one(
            "select id, small, big, f, r, ok, name, tag, data, at, day, u, doc from t where id = $1",
            &[&1i32],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i32>(0), 1);
    assert_eq!(row.get::<_, i16>(1), -7);
    assert_eq!(row.get::<_, i64>(2), 1 << 40);
    assert_eq!(row.get::<_, f64>(3), 1.25);
    assert_eq!(row.get::<_, f32>(4), 0.5);
    assert!(row.get::<_, bool>(5));
    assert_eq!(row.get::<_, String>(6), "it's");
    assert_eq!(row.get::<_, String>(7), "tag");
    assert_eq!(row.get::<_, Vec<u8>>(8), vec![0u8, 255, 10]);
    assert_eq!(row.get::<_, NaiveDateTime>(9), at);
    assert_eq!(row.get::<_, NaiveDate>(10), day);
    assert_eq!(row.get::<_, uuid::Uuid>(11), u);
    assert_eq!(row.get::<_, serde_json::Value>(12), doc);

    let row = c
        .query_one("select * from t where id = $1", &[&2i32])
        .await
        .unwrap();
    assert_eq!(row.get::<_, Option<i16>>(1), None);
    assert_eq!(row.get::<_, Option<String>>(6), None);
    assert_eq!(row.get::<_, Option<NaiveDateTime>>(9), None);

    // Values are stored the way other SQLite tools read them.
    let file = rusqlite::Connection::open(s.data_dir().join("typed.db")).unwrap();
    let (at_text, ok, u_text): (String, i64, String) = file
        .query_row("select at, ok, u from t where id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(at_text, "2024-02-29 13:14:15.123456");
    assert_eq!(ok, 1);
    assert_eq!(u_text, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
}

#[tokio::test]
async fn expression_types_match_postgres() {
    let s = Server::start(&[]);
    let c = s.connect("exprs").await;
    let stmt = c
        .prepare("select 1, 10000000000, 'x', 1.5, count(*), 1 = 1, $1::int8, version()")
        .await
        .unwrap();
    let types: Vec<Type> = stmt.columns().iter().map(|c| c.type_().clone()).collect();
    assert_eq!(
        types,
        vec![
            Type::INT4,
            Type::INT8,
            Type::TEXT,
            Type::NUMERIC,
            Type::INT8,
            Type::BOOL,
            Type::INT8,
            Type::TEXT
        ]
    );
    assert_eq!(stmt.params(), &[Type::INT8]);
    let row = c.query_one(&stmt, &[&42i64]).await.unwrap();
    assert_eq!(row.get::<_, i32>(0), 1);
    assert_eq!(row.get::<_, i64>(1), 10_000_000_000);
    assert_eq!(row.get::<_, i64>(4), 1);
    assert!(row.get::<_, bool>(5));
    assert_eq!(row.get::<_, i64>(6), 42);
    assert!(row.get::<_, String>(7).starts_with("PostgreSQL 15.0"));
    // Column names as PostgreSQL 15 gives them for the same statement.
    let names: Vec<&str> = stmt.columns().iter().map(|c| c.name()).collect();
    assert_eq!(
        names,
        vec![
            "?column?", "?column?", "?column?", "?column?", "count", "?column?", "int8", "version"
        ]
    );
    // The simple protocol names them the same way; aliases and columns are kept.
    c.batch_execute("create table n (a int, b float8)")
        .await
        .unwrap();
    let rows = c
        .simple_query("select a, b::text, sum(a) as total, 'NaN'::float8, n.a from n group by a, b")
        .await
        .unwrap();
    let tokio_postgres::SimpleQueryMessage::RowDescription(cols) = &rows[0] else {
        panic!("expected a RowDescription first, got {rows:?}");
    };
    let names: Vec<&str> = cols.iter().map(|c| c.name()).collect();
    assert_eq!(names, vec!["a", "b", "total", "float8", "a"]);
}

#[tokio::test]
async fn parameters_inferred_from_comparisons() {
    let s = Server::start(&[]);
    let c = s.connect("infer").await;
    c.batch_execute(
        "create table acc (aid integer primary key, abalance integer, who text);
                     insert into acc values (1, 10, 'a'), (2, 20, 'b'), (3, 30, 'c')",
    )
    .await
    .unwrap();
    let upd = c
        .prepare("update acc set abalance = abalance + $1 where aid = $2")
        .await
        .unwrap();
    assert_eq!(upd.params(), &[Type::INT4, Type::INT4]);
    assert_eq!(c.execute(&upd, &[&5i32, &1i32]).await.unwrap(), 1);
    let sel = c
        .prepare("select abalance from acc where who = $1 or aid > $2 order by aid limit $3")
        .await
        .unwrap();
    assert_eq!(sel.params(), &[Type::TEXT, Type::INT4, Type::INT8]);
    let rows = c.query(&sel, &[&"a", &2i32, &10i64]).await.unwrap();
    let got: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(got, vec![15, 30]);
}

#[tokio::test]
async fn portals_suspend_and_resume() {
    let s = Server::start(&[]);
    let mut c = s.connect("portal").await;
    c.batch_execute("create table n (x integer); insert into n values (1),(2),(3),(4),(5)")
        .await
        .unwrap();
    let tx = c.transaction().await.unwrap();
    let stmt = tx.prepare("select x from n order by x").await.unwrap();
    let portal = tx.bind(&stmt, &[]).await.unwrap();
    let mut seen = Vec::new();
    loop {
        // Each call is one Execute with max_rows = 2; PortalSuspended until the end.
        let rows = tx.query_portal(&portal, 2).await.unwrap();
        if rows.is_empty() {
            break;
        }
        seen.extend(rows.iter().map(|r| r.get::<_, i32>(0)));
    }
    assert_eq!(seen, vec![1, 2, 3, 4, 5]);
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn errors_and_transactions_over_extended_protocol() {
    let s = Server::start(&[]);
    let mut c = s.connect("exterr").await;
    c.batch_execute("create table u (id integer primary key)")
        .await
        .unwrap();
    c.execute("insert into u values ($1)", &[&1i32])
        .await
        .unwrap();
    let e = c
        .execute("insert into u values ($1)", &[&1i32])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23505");
    let e = c.prepare("select * from nope").await.unwrap_err();
    assert_eq!(sqlstate(&e), "42P01");
    // Rolled back writes vanish; committed ones stay.
    let tx = c.transaction().await.unwrap();
    tx.execute("insert into u values ($1)", &[&2i32])
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    let tx = c.transaction().await.unwrap();
    tx.execute("insert into u values ($1)", &[&3i32])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let ids: Vec<i32> = c
        .query("select id from u order by id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ids, vec![1, 3]);
    // A failed statement inside a transaction fails the block (25P02) until rollback.
    let tx = c.transaction().await.unwrap();
    assert!(tx
        .execute("insert into u values ($1)", &[&1i32])
        .await
        .is_err());
    let e = tx.query("select 1", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "25P02");
    tx.rollback().await.unwrap();
    assert_eq!(
        c.query_one("select count(*) from u", &[])
            .await
            .unwrap()
            .get::<_, i64>(0),
        2
    );
}

#[tokio::test]
async fn session_commands_and_functions() {
    let s = Server::start(&[]);
    let c = s.connect("sess").await;
    let row = c
        .query_one(
            "select current_database(), current_schema(), current_user, pg_backend_pid()",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "sess");
    assert_eq!(row.get::<_, String>(1), "public");
    assert_eq!(row.get::<_, String>(2), "tester");
    assert!(row.get::<_, i32>(3) > 0);
    c.batch_execute("SET application_name = 'typed'; SET extra_float_digits = 3")
        .await
        .unwrap();
    let v: String = c
        .query_one("show application_name", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(v, "typed");
    c.batch_execute("DISCARD ALL").await.unwrap();
    let v: String = c
        .query_one("show application_name", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(v, "");
    c.batch_execute("DEALLOCATE ALL").await.unwrap();
    // set_config / current_setting act on the session's parameters (asyncpg sends this).
    let row = c
        .query_one(
            "SELECT current_setting('jit') AS cur, set_config('application_name', 'cfg', false) AS new",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "off");
    assert_eq!(row.get::<_, String>(1), "cfg");
    let v: String = c
        .query_one("show application_name", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(v, "cfg");
    let e = c
        .query_one("select current_setting('no_such')", &[])
        .await
        .unwrap_err();
    assert_eq!(crate::common::sqlstate(&e), "42704");
}
