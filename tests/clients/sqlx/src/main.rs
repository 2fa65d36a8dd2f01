//! The sqlx client suite: sqlx 0.8 against a live litewire (binary everything, one format code for all parameters, named statements
//! `sqlx_s_N`, `Close P` after each query, strict type checks on columns).

use chrono::{NaiveDate, NaiveDateTime};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, Row};

/// Where litewire listens (set by tests/it/clients.rs).
fn port() -> u16 {
    std::env::var("LITEWIRE_PORT")
        .expect("LITEWIRE_PORT")
        .parse()
        .expect("a port number")
}

fn host() -> String {
    std::env::var("LITEWIRE_HOST").unwrap_or_else(|_| "127.0.0.1".into())
}

async fn connect(db: &str) -> sqlx::PgConnection {
    let opts = PgConnectOptions::new()
        .host(&host())
        .port(port())
        .username("tester")
        .database(db);
    sqlx::PgConnection::connect_with(&opts)
        .await
        .expect("sqlx connects")
}

#[tokio::main]
async fn main() {
    typed_crud_nulls_and_errors().await;
    println!("ok typed_crud_nulls_and_errors");
    transactions_savepoints_and_pool().await;
    println!("ok transactions_savepoints_and_pool");
}

async fn typed_crud_nulls_and_errors() {
    let mut c = connect("sqlx").await;
    sqlx::query(
        "create table t (id integer primary key, small smallint, big bigint, f double precision,
         ok boolean, name text, data bytea, at timestamp, day date, u uuid, doc jsonb)",
    )
    .execute(&mut c)
    .await
    .unwrap();
    let at = NaiveDate::from_ymd_opt(2024, 2, 29)
        .unwrap()
        .and_hms_micro_opt(1, 2, 3, 456_789)
        .unwrap();
    let day = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    let u = uuid::Uuid::parse_str("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11").unwrap();
    let doc = serde_json::json!({"k": [1, 2]});
    let done = sqlx::query(
        "insert into t (id, small, big, f, ok, name, data, at, day, u, doc)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(1i32)
    .bind(-3i16)
    .bind(1i64 << 40)
    .bind(2.5f64)
    .bind(true)
    .bind("it's")
    .bind(vec![1u8, 2, 255])
    .bind(at)
    .bind(day)
    .bind(u)
    .bind(&doc)
    .execute(&mut c)
    .await
    .unwrap();
    assert_eq!(done.rows_affected(), 1);
    sqlx::query("insert into t (id) values ($1)")
        .bind(2i32)
        .execute(&mut c)
        .await
        .unwrap();

    let row = sqlx::query(
        "select id, small, big, f, ok, name, data, at, day, u, doc from t where id = $1",
    )
    .bind(1i32)
    .fetch_one(&mut c)
    .await
    .unwrap();
    assert_eq!(row.get::<i32, _>("id"), 1);
    assert_eq!(row.get::<i16, _>("small"), -3);
    assert_eq!(row.get::<i64, _>("big"), 1 << 40);
    assert_eq!(row.get::<f64, _>("f"), 2.5);
    assert!(row.get::<bool, _>("ok"));
    assert_eq!(row.get::<String, _>("name"), "it's");
    assert_eq!(row.get::<Vec<u8>, _>("data"), vec![1u8, 2, 255]);
    assert_eq!(row.get::<NaiveDateTime, _>("at"), at);
    assert_eq!(row.get::<NaiveDate, _>("day"), day);
    assert_eq!(row.get::<uuid::Uuid, _>("u"), u);
    assert_eq!(row.get::<serde_json::Value, _>("doc"), doc);

    let row = sqlx::query("select small, name, at from t where id = $1")
        .bind(2i32)
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(row.get::<Option<i16>, _>("small"), None);
    assert_eq!(row.get::<Option<String>, _>("name"), None);
    assert_eq!(row.get::<Option<NaiveDateTime>, _>("at"), None);

    // Expressions are typed so that strict decoding works.
    let (n, total): (i64, Option<i64>) = sqlx::query_as("select count(*), sum(id) from t")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!((n, total), (2, Some(3)));

    let e = sqlx::query("insert into t (id) values ($1)")
        .bind(1i32)
        .execute(&mut c)
        .await
        .unwrap_err();
    let code = e
        .as_database_error()
        .and_then(|d| d.code())
        .map(|c| c.to_string());
    assert_eq!(code.as_deref(), Some("23505"));
    let e = sqlx::query("select * from missing")
        .fetch_all(&mut c)
        .await
        .unwrap_err();
    let code = e
        .as_database_error()
        .and_then(|d| d.code())
        .map(|c| c.to_string());
    assert_eq!(code.as_deref(), Some("42P01"));
    // The connection is still healthy (a bare Sync answers ReadyForQuery).
    c.ping().await.unwrap();
}

async fn transactions_savepoints_and_pool() {
    let url = format!("postgres://tester@{}:{}/sqlxtx", host(), port());
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect(&url)
        .await
        .unwrap();
    sqlx::query("create table a (id integer primary key)")
        .execute(&pool)
        .await
        .unwrap();
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("insert into a values ($1)")
        .bind(1i32)
        .execute(&mut *tx)
        .await
        .unwrap();
    {
        // Nested transaction = SAVEPOINT _sqlx_savepoint_1, rolled back.
        let mut inner = tx.begin().await.unwrap();
        sqlx::query("insert into a values ($1)")
            .bind(2i32)
            .execute(&mut *inner)
            .await
            .unwrap();
        inner.rollback().await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("insert into a values ($1)")
        .bind(3i32)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    let ids: Vec<i32> = sqlx::query_scalar("select id from a order by id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(ids, vec![1]);
    // Several pooled connections at once.
    let mut tasks = Vec::new();
    for i in 10..20i32 {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            sqlx::query("insert into a values ($1)")
                .bind(i)
                .execute(&pool)
                .await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let n: i64 = sqlx::query_scalar("select count(*) from a")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 11);
    pool.close().await;
}
