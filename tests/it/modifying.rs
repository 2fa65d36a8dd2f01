//! Data-modifying statements in WITH (issue 9, with.sql): each runs once, to completion,
//! its RETURNING rows read in place of the CTE; the statement is atomic; the SELECT
//! reads a table the WITH changes from a copy of its rows as they were, a part or view
//! that would read it after the change (PostgreSQL reads the rows as they were) is
//! refused. Each answer was checked against PostgreSQL 15 first.

use tokio_postgres::types::Type;

use crate::common::{rows, sqlstate, Server};

fn row(values: &[&str]) -> Vec<Option<String>> {
    values
        .iter()
        .map(|v| (*v != "NULL").then(|| v.to_string()))
        .collect()
}

async fn setup(c: &tokio_postgres::Client) {
    c.batch_execute(
        "create table items (id serial primary key, name text, price numeric(6,2) default 1.5);
         create table archive (id int, name text, price numeric(6,2));
         insert into items (name) values ('a'), ('b'), ('c');",
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn returning_rows_are_read_in_place_of_the_cte() {
    let s = Server::start(&[]);
    let c = s.connect("modifying").await;
    setup(&c).await;
    assert_eq!(
        rows(
            &c,
            "WITH t AS (INSERT INTO items (name) VALUES ('d'), ('e') RETURNING id, name) \
             SELECT name, id FROM t ORDER BY id"
        )
        .await,
        vec![row(&["d", "4"]), row(&["e", "5"])]
    );
    // DELETE … RETURNING moved into another table; the command tag is the INSERT's.
    let done = c
        .simple_query(
            "WITH d AS (DELETE FROM items WHERE id <= 2 RETURNING *) \
             INSERT INTO archive SELECT * FROM d",
        )
        .await
        .unwrap();
    assert!(matches!(
        done.last(),
        Some(tokio_postgres::SimpleQueryMessage::CommandComplete(2))
    ));
    assert_eq!(
        rows(&c, "select id, name, price from archive order by id").await,
        vec![row(&["1", "a", "1.50"]), row(&["2", "b", "1.50"])]
    );
    assert_eq!(
        rows(&c, "select id from items order by id").await,
        vec![row(&["3"]), row(&["4"]), row(&["5"])]
    );
    // UPDATE … RETURNING with expressions and a repeated column.
    assert_eq!(
        rows(
            &c,
            "WITH u AS (UPDATE items SET name = name || '!' RETURNING id, name, id + 1, name) \
             SELECT * FROM u ORDER BY id"
        )
        .await,
        vec![
            row(&["3", "c!", "4", "c!"]),
            row(&["4", "d!", "5", "d!"]),
            row(&["5", "e!", "6", "e!"]),
        ]
    );
    // A data-modifying CTE the statement never reads still runs, once.
    assert_eq!(
        rows(
            &c,
            "WITH t AS (INSERT INTO archive VALUES (9, 'z', 2)) SELECT 42 AS answer"
        )
        .await,
        vec![row(&["42"])]
    );
    assert_eq!(
        rows(&c, "select count(*) from archive where id = 9").await,
        vec![row(&["1"])]
    );
    // One reads another: it runs after it, whatever their order in the WITH.
    assert_eq!(
        rows(
            &c,
            "WITH RECURSIVE a AS (INSERT INTO archive SELECT id * 10, name, price FROM b RETURNING id), \
             b AS (DELETE FROM items WHERE id = 3 RETURNING *) SELECT * FROM a"
        )
        .await,
        vec![row(&["30"])]
    );
    // The temporary tables are gone when the statement ends.
    let e = c
        .simple_query("select * from _litewire_with_1")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42P01");
}

#[tokio::test]
async fn the_statement_is_atomic() {
    let s = Server::start(&[]);
    let c = s.connect("modifying").await;
    setup(&c).await;
    // The main query fails after the INSERT ran: nothing of it stays.
    let e = c
        .simple_query(
            "WITH t AS (INSERT INTO archive VALUES (1, 'x', 1), (2, 'y', 2) RETURNING id) \
             SELECT 1 / (id - 2) FROM t",
        )
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22012");
    assert_eq!(
        rows(&c, "select count(*) from archive").await,
        vec![row(&["0"])]
    );
    // In a transaction block, ROLLBACK undoes it like any statement.
    c.batch_execute(
        "BEGIN; WITH d AS (DELETE FROM items RETURNING *) INSERT INTO archive SELECT * FROM d; ROLLBACK",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(&c, "select count(*) from items").await,
        vec![row(&["3"])]
    );
    assert_eq!(
        rows(&c, "select count(*) from archive").await,
        vec![row(&["0"])]
    );
}

/// A SELECT reads the tables the WITH writes as they were before the statement, as in
/// PostgreSQL (answers checked against PostgreSQL 15), also through `JOIN … USING`.
#[tokio::test]
async fn the_select_reads_the_rows_as_they_were() {
    let s = Server::start(&[]);
    let c = s.connect("modifying").await;
    setup(&c).await;
    assert_eq!(
        rows(
            &c,
            "WITH d AS (DELETE FROM items WHERE id = 1 RETURNING id) \
             SELECT (SELECT count(*) FROM items), id FROM d"
        )
        .await,
        vec![row(&["3", "1"])]
    );
    assert_eq!(
        rows(
            &c,
            "WITH u AS (UPDATE items SET price = price * 2 RETURNING id, price) \
             SELECT i.name, i.price, u.price FROM u JOIN public.items i USING (id) ORDER BY 1"
        )
        .await,
        vec![row(&["b", "1.50", "3.00"]), row(&["c", "1.50", "3.00"])]
    );
    assert_eq!(
        rows(
            &c,
            "WITH n AS (INSERT INTO items (name) VALUES ('d') RETURNING id) \
             SELECT count(*), (SELECT count(*) FROM n) FROM items"
        )
        .await,
        vec![row(&["2", "1"])]
    );
    assert_eq!(
        rows(&c, "select id, name, price from items order by id").await,
        vec![
            row(&["2", "b", "3.00"]),
            row(&["3", "c", "3.00"]),
            row(&["4", "d", "1.50"])
        ]
    );
}

/// RETURNING rows and the copies keep numeric's order: compared and sorted as numbers,
/// not as their text (`13.50` < `2`).
#[tokio::test]
async fn numeric_columns_compare_as_numbers() {
    let s = Server::start(&[]);
    let c = s.connect("modifying").await;
    setup(&c).await;
    c.batch_execute("update items set price = price * id * id")
        .await
        .unwrap();
    assert_eq!(
        rows(
            &c,
            "WITH u AS (UPDATE items SET price = price + 1 RETURNING id, price) \
             SELECT u.price, items.price FROM u JOIN items USING (id) \
             WHERE u.price > 2.5 AND items.price > 2 ORDER BY u.price DESC"
        )
        .await,
        vec![row(&["14.50", "13.50"]), row(&["7.00", "6.00"])]
    );
}

#[tokio::test]
async fn postgresqls_refusals_and_litewires() {
    let s = Server::start(&[]);
    let c = s.connect("modifying").await;
    setup(&c).await;
    c.batch_execute("create view cheap as select * from items where price < 2")
        .await
        .unwrap();
    for (sql, code, message) in [
        (
            "WITH t AS (INSERT INTO archive VALUES (1, 'x', 1)) SELECT * FROM t",
            "0A000",
            "WITH query \"t\" does not have a RETURNING clause",
        ),
        (
            "SELECT * FROM (WITH t AS (DELETE FROM items RETURNING id) SELECT id FROM t) s",
            "0A000",
            "WITH clause containing a data-modifying statement must be at the top level",
        ),
        // PostgreSQL would count the rows as they were; run first, the DELETE would
        // show: through a view.
        (
            "WITH d AS (DELETE FROM items WHERE id = 1 RETURNING id) \
             SELECT (SELECT count(*) FROM cheap), id FROM d",
            "0A000",
            "reading table \"items\" after a data-modifying statement in WITH changed it is not supported by litewire",
        ),
        // A part reading through `JOIN … USING` only, which SQLite's authorizer is not
        // told of (PostgreSQL: b sees no new row, inserts nothing).
        (
            "WITH a AS (INSERT INTO items (name) VALUES ('e') RETURNING id, name), \
             b AS (INSERT INTO archive SELECT a.id, a.name FROM a JOIN items USING (id) \
             RETURNING id) SELECT 1",
            "0A000",
            "reading table \"items\" after a data-modifying statement in WITH changed it is not supported by litewire",
        ),
        (
            "WITH a AS (INSERT INTO items (name) VALUES ('x') RETURNING id), \
             b AS (UPDATE items SET name = 'y' RETURNING id) SELECT 1",
            "0A000",
            "reading table \"items\" after a data-modifying statement in WITH changed it is not supported by litewire",
        ),
    ] {
        let e = c.simple_query(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{sql}: {e}");
        assert_eq!(e.as_db_error().unwrap().message(), message, "{sql}");
    }
    // PostgreSQL's refusals where the statement is no top-level query.
    c.batch_execute("begin").await.unwrap();
    let e = c
        .simple_query(
            "declare k cursor for with d as (delete from items returning *) select * from d",
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.as_db_error().unwrap().message(),
        "DECLARE CURSOR must not contain data-modifying statements in WITH"
    );
    c.batch_execute("rollback").await.unwrap();
    let e = c
        .simple_query("create view vd as with d as (delete from items returning *) select * from d")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "0A000");
    assert_eq!(
        e.as_db_error().unwrap().message(),
        "views must not contain data-modifying statements in WITH"
    );
    let e = c
        .simple_query("explain with d as (delete from items returning *) select * from d")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "0A000");
    // Nothing of the refused statements ran.
    assert_eq!(
        rows(&c, "select count(*) from items").await,
        vec![row(&["3"])]
    );
    // Writing the same table twice without reading it again is fine.
    assert_eq!(
        rows(
            &c,
            "WITH a AS (INSERT INTO archive VALUES (1, 'x', 1) RETURNING id), \
             b AS (INSERT INTO archive VALUES (2, 'y', 2) RETURNING id) \
             SELECT a.id, b.id FROM a, b"
        )
        .await,
        vec![row(&["1", "2"])]
    );
}

#[tokio::test]
async fn extended_protocol_with_parameters() {
    let s = Server::start(&[]);
    let c = s.connect("modifying").await;
    setup(&c).await;
    // What node-postgres and asyncpg send.
    let sql =
        "WITH ins AS (INSERT INTO items (name, price) VALUES ($1, $2) RETURNING id, name, price) \
               SELECT id, name, price FROM ins";
    let stmt = c.prepare(sql).await.unwrap();
    assert_eq!(stmt.params(), &[Type::TEXT, Type::NUMERIC]);
    let types: Vec<&Type> = stmt.columns().iter().map(|c| c.type_()).collect();
    assert_eq!(types, [&Type::INT4, &Type::TEXT, &Type::NUMERIC]);
    let names: Vec<&str> = stmt.columns().iter().map(|c| c.name()).collect();
    assert_eq!(names, ["id", "name", "price"]);
    let stmt = c
        .prepare_typed(sql, &[Type::TEXT, Type::TEXT])
        .await
        .unwrap();
    let got = c.query(&stmt, &[&"d", &"2.25"]).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].get::<_, i32>(0), 4);
    assert_eq!(got[0].get::<_, &str>(1), "d");
    // Run again: once more, a new row.
    let got = c.query(&stmt, &[&"e", &"3"]).await.unwrap();
    assert_eq!(got[0].get::<_, i32>(0), 5);
    assert_eq!(
        rows(
            &c,
            "select name, price from items where id >= 4 order by id"
        )
        .await,
        vec![row(&["d", "2.25"]), row(&["e", "3.00"])]
    );
    // A parameter only the DELETE reads; the main statement an INSERT.
    let moved = c
        .execute(
            "WITH d AS (DELETE FROM items WHERE id = $1 RETURNING *) \
             INSERT INTO archive SELECT * FROM d",
            &[&1i32],
        )
        .await
        .unwrap();
    assert_eq!(moved, 1);
    assert_eq!(
        rows(&c, "select id, name from archive").await,
        vec![row(&["1", "a"])]
    );
}

#[tokio::test]
async fn a_portal_read_in_parts() {
    let s = Server::start(&[]);
    let mut c = s.connect("modifying").await;
    setup(&c).await;
    let t = c.transaction().await.unwrap();
    let stmt = t
        .prepare("WITH u AS (UPDATE items SET price = price * 2 RETURNING id, price) SELECT id, price FROM u ORDER BY id")
        .await
        .unwrap();
    let portal = t.bind(&stmt, &[]).await.unwrap();
    let first = t.query_portal(&portal, 2).await.unwrap();
    assert_eq!(first.len(), 2);
    assert_eq!(first[0].get::<_, i32>(0), 1);
    let rest = t.query_portal(&portal, 10).await.unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].get::<_, i32>(0), 3);
    t.commit().await.unwrap();
    assert_eq!(
        rows(&c, "select price from items order by id").await,
        vec![row(&["3.00"]), row(&["3.00"]), row(&["3.00"])]
    );
    let e = c
        .simple_query("select * from _litewire_with_1")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42P01");
}
