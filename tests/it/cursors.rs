//! SQL cursors: DECLARE / FETCH / MOVE / CLOSE with PostgreSQL's tags and errors, over
//! the raw wire, tokio-postgres (FETCH through the extended protocol) and psql.

use crate::common::{psql, rows, sqlstate, Server};
use crate::transactions::{errors, q, status};
use crate::wire::{self, Msg, Raw};

fn tags(msgs: &[Msg]) -> Vec<String> {
    msgs.iter()
        .filter(|m| m.tag == b'C')
        .map(|m| m.tag_text())
        .collect()
}

fn data_rows(msgs: &[Msg]) -> usize {
    msgs.iter().filter(|m| m.tag == b'D').count()
}

#[test]
fn declare_fetch_move_close() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "cursors");
    q(&mut r, "create table g (x int)");
    q(&mut r, "insert into g values (1), (2), (3), (4), (5)");

    // Outside a block DECLARE is refused; unknown cursors are 34000.
    assert_eq!(
        errors(&q(&mut r, "declare c cursor for select x from g")),
        vec!["25P01"]
    );
    for sql in ["fetch 1 from nosuch", "move nosuch", "close nosuch"] {
        assert_eq!(errors(&q(&mut r, sql)), vec!["34000"], "{sql}");
    }

    q(&mut r, "begin");
    let m = q(
        &mut r,
        "declare c no scroll cursor for select x from g order by x",
    );
    assert_eq!(tags(&m), vec!["DECLARE CURSOR"]);
    let m = q(&mut r, "fetch 2 from c");
    assert_eq!(wire::tags(&m), "TDDCZ");
    assert_eq!(tags(&m), vec!["FETCH 2"]);
    // MOVE 0 stays on the current row (psycopg's scroll(0)).
    assert_eq!(tags(&q(&mut r, "move 0 in c")), vec!["MOVE 1"]);
    let m = q(&mut r, "move forward 1 in c");
    assert_eq!(wire::tags(&m), "CZ");
    assert_eq!(tags(&m), vec!["MOVE 1"]);
    let m = q(&mut r, "fetch all from c");
    assert_eq!(data_rows(&m), 2);
    assert_eq!(tags(&m), vec!["FETCH 2"]);
    // Exhausted: still described, no rows.
    let m = q(&mut r, "fetch next c");
    assert_eq!(wire::tags(&m), "TCZ");
    assert_eq!(tags(&m), vec!["FETCH 0"]);
    assert_eq!(tags(&q(&mut r, "close c")), vec!["CLOSE CURSOR"]);
    assert_eq!(errors(&q(&mut r, "fetch c")), vec!["34000"]);
    q(&mut r, "rollback");

    // Cursors end with their transaction; a name can be reused afterwards.
    q(&mut r, "begin");
    q(&mut r, "declare c cursor for select x from g");
    assert_eq!(
        errors(&q(&mut r, "declare c cursor for select 1")),
        vec!["42P03"]
    );
    q(&mut r, "rollback");
    q(&mut r, "begin");
    q(&mut r, "declare c cursor for select x from g");
    assert_eq!(data_rows(&q(&mut r, "fetch 1 c")), 1);
    q(&mut r, "commit");
    q(&mut r, "begin");
    assert_eq!(errors(&q(&mut r, "fetch 1 c")), vec!["34000"]);
    q(&mut r, "rollback");

    // A cursor without SCROLL goes back only while its rows cannot have changed: after
    // a write in its transaction (or with a volatile function) it is PostgreSQL's
    // NO SCROLL error. WITH HOLD is refused.
    q(&mut r, "begin");
    q(&mut r, "declare c cursor for select x from g order by x");
    assert_eq!(data_rows(&q(&mut r, "fetch 2 from c")), 1 + 1);
    let m = q(&mut r, "fetch backward 1 from c");
    assert_eq!(tags(&m), vec!["FETCH 1"]);
    q(&mut r, "declare w cursor for select x from g");
    q(&mut r, "fetch 1 from w");
    q(&mut r, "insert into g values (6)");
    let m = q(&mut r, "fetch backward 1 from w");
    assert_eq!(errors(&m), vec!["55000"]);
    assert_eq!(status(&m), 'E');
    q(&mut r, "rollback");
    q(&mut r, "begin");
    q(&mut r, "declare v cursor for select random() from g");
    q(&mut r, "fetch 1 from v");
    assert_eq!(errors(&q(&mut r, "fetch prior from v")), vec!["55000"]);
    q(&mut r, "rollback");
    assert_eq!(
        errors(&q(&mut r, "declare h cursor with hold for select 1")),
        vec!["0A000"]
    );

    // CLOSE ALL, and several statements in one Query form a transaction block.
    let m = q(
        &mut r,
        "declare a cursor for select x from g; declare b cursor for select 1; \
         fetch 3 a; close all",
    );
    assert_eq!(
        tags(&m),
        vec![
            "DECLARE CURSOR",
            "DECLARE CURSOR",
            "FETCH 3",
            "CLOSE CURSOR ALL"
        ]
    );
    assert_eq!(status(&m), 'I');
}

/// A FETCH of a cursor whose rows have different value types each fetch still
/// describes the cursor's columns (the cursor's, not the first value's).
#[tokio::test]
async fn fetch_through_extended_protocol() {
    let s = Server::start(&[]);
    let mut c = s.connect("cursorsext").await;
    c.batch_execute(
        "create table t (id integer primary key, name text, ok boolean);
         insert into t values (1, 'a', true), (2, 'b', false), (3, null, null)",
    )
    .await
    .unwrap();
    let tx = c.transaction().await.unwrap();
    tx.batch_execute("declare cur cursor for select id, name, ok from t order by id")
        .await
        .unwrap();
    // tokio-postgres prepares FETCH (Parse/Describe) and reads it in binary: the
    // statement is described with the cursor's column types.
    let got = tx.query("fetch 2 from cur", &[]).await.unwrap();
    let got: Vec<(i32, Option<String>, Option<bool>)> =
        got.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect();
    assert_eq!(
        got,
        vec![
            (1, Some("a".into()), Some(true)),
            (2, Some("b".into()), Some(false))
        ]
    );
    let rest = tx.query("fetch all from cur", &[]).await.unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].get::<_, Option<bool>>(2), None);
    tx.batch_execute("close cur").await.unwrap();
    let e = tx.query("fetch 1 from cur", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "34000");
    tx.rollback().await.unwrap();

    // DECLARE through the extended protocol outside a block is refused, as PostgreSQL
    // refuses it (the messages up to Sync are not a transaction block).
    let e = c
        .execute("declare x cursor for select 1", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "25P01");
    assert_eq!(
        rows(&c, "select count(*) from t").await,
        vec![vec![Some("3".into())]]
    );
}

#[test]
fn psql_cursor_session() {
    let s = Server::start(&[]);
    let (ok, out, err) = psql(
        &s,
        "cursorspsql",
        &[
            "-A",
            "-c",
            "create table g (x int); insert into g values (10), (20), (30)",
            "-c",
            "begin",
            "-c",
            "declare c cursor for select x from g order by x",
            "-c",
            "fetch 2 from c",
            "-c",
            "move 5 c",
            "-c",
            "commit",
        ],
    );
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("DECLARE CURSOR"), "{out}");
    assert!(out.contains("x\n10\n20\n(2 rows)"), "{out}");
    assert!(out.contains("MOVE 1"), "{out}");
}

/// A SCROLL cursor moves in every direction with PostgreSQL 15's rows, counts and
/// positions (each expectation checked against PostgreSQL), keeps the rows of its
/// DECLARE, and leaves nothing behind at COMMIT.
#[tokio::test]
async fn scroll_cursors_move_as_in_postgres() {
    let s = Server::start(&[]);
    let c = s.connect("scroll").await;
    c.batch_execute("create table g (x int); insert into g values (1), (2), (3), (4), (5)")
        .await
        .unwrap();
    c.batch_execute("begin; declare c scroll cursor for select x from g order by x")
        .await
        .unwrap();
    let xs = |r: Vec<Vec<Option<String>>>| -> Vec<i32> {
        r.into_iter()
            .map(|r| r[0].as_deref().unwrap().parse().unwrap())
            .collect()
    };
    let steps: &[(&str, &[i32])] = &[
        ("fetch all in c", &[1, 2, 3, 4, 5]),
        ("fetch 1 in c", &[]),
        ("fetch backward 1 in c", &[5]),
        ("fetch backward all in c", &[4, 3, 2, 1]),
        ("fetch backward 1 in c", &[]),
        ("fetch 2 in c", &[1, 2]),
        ("fetch absolute 4 in c", &[4]),
        ("fetch relative -2 in c", &[2]),
        ("fetch last in c", &[5]),
        ("fetch first in c", &[1]),
        ("fetch 0 in c", &[1]),
        ("fetch absolute -2 in c", &[4]),
        ("fetch absolute 9 in c", &[]),
        ("fetch backward 2 in c", &[5, 4]),
        ("fetch prior in c", &[3]),
    ];
    for (sql, want) in steps {
        assert_eq!(xs(rows(&c, sql).await), *want, "{sql}");
    }
    // Insensitive: rows written after DECLARE are not the cursor's.
    c.batch_execute("insert into g values (6)").await.unwrap();
    assert_eq!(xs(rows(&c, "fetch all in c").await), [4, 5]);
    let moved = c.execute("move backward all in c", &[]).await.unwrap();
    assert_eq!(moved, 5);
    c.batch_execute("commit").await.unwrap();
    // The cursor's table went with it: a new one of the same name starts afresh.
    c.batch_execute("begin; declare c scroll cursor for select x from g where x > 5")
        .await
        .unwrap();
    assert_eq!(xs(rows(&c, "fetch last in c").await), [6]);
    c.batch_execute("close c; commit").await.unwrap();
    let e = c
        .batch_execute("select * from temp._litewire_cursor_c")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42P01");
}
