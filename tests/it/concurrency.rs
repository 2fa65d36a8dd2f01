//! Sessions running at once on one database: isolation, readers beside a writer,
//! writers waiting their turn, the lock timeout, and snapshot renewal.

use std::time::Duration;

use tokio::time::timeout;

use crate::common::{rows, sqlstate, Server};
use crate::transactions::{
    client_ids, column, completions, count, errors, ok, q, status, strs, GUARD,
};
use crate::wire::{self, Raw};

#[tokio::test]
async fn uncommitted_writes_are_invisible_to_other_sessions() {
    let s = Server::start(&[]);
    let a = s.connect("iso").await;
    let b = s.connect("iso").await;
    a.simple_query("create table t (id integer primary key)")
        .await
        .unwrap();
    a.simple_query("begin; insert into t values (1)")
        .await
        .unwrap();
    assert_eq!(client_ids(&a).await, ["1"], "A sees its own write");
    assert!(
        client_ids(&b).await.is_empty(),
        "B must not see A's uncommitted row"
    );
    a.simple_query("commit").await.unwrap();
    assert_eq!(client_ids(&b).await, ["1"], "B sees the row once A commits");

    a.simple_query("begin").await.unwrap();
    a.simple_query("insert into t values (2)").await.unwrap();
    a.simple_query("update t set id = 10 where id = 1")
        .await
        .unwrap();
    assert_eq!(client_ids(&b).await, ["1"]);
    a.simple_query("rollback").await.unwrap();
    assert_eq!(client_ids(&b).await, ["1"]);
    assert_eq!(client_ids(&a).await, ["1"]);
    // A fresh session agrees.
    let c = s.connect("iso").await;
    assert_eq!(client_ids(&c).await, ["1"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_are_not_blocked_by_an_open_write_transaction() {
    let s = Server::start(&[]);
    let a = s.connect("readers").await;
    let b = s.connect("readers").await;
    a.simple_query("create table t (id integer primary key); insert into t values (1), (2)")
        .await
        .unwrap();
    a.simple_query("begin; insert into t values (3); update t set id = 20 where id = 2")
        .await
        .unwrap();
    // A holds the write lock and an open SQLite write transaction.
    let got = timeout(GUARD, client_ids(&b))
        .await
        .expect("a reader hung behind an open write transaction");
    assert_eq!(got, ["1", "2"]);
    // Reads inside B's own block too, several times.
    let got = timeout(GUARD, async {
        b.simple_query("begin").await.unwrap();
        let first = client_ids(&b).await;
        let n = count(&b, "t").await;
        b.simple_query("commit").await.unwrap();
        (first, n)
    })
    .await
    .expect("a reader's block hung behind an open write transaction");
    assert_eq!(got, (strs(&["1", "2"]), 2));
    // A new session can connect and read as well.
    let c = timeout(GUARD, s.connect("readers"))
        .await
        .expect("connect hung");
    assert_eq!(timeout(GUARD, client_ids(&c)).await.unwrap(), ["1", "2"]);
    a.simple_query("commit").await.unwrap();
    assert_eq!(client_ids(&b).await, ["1", "3", "20"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_waits_for_the_open_write_transaction() {
    let s = Server::start(&[]);
    let a = s.connect("wait").await;
    a.simple_query("create table t (id integer primary key)")
        .await
        .unwrap();
    a.simple_query("begin; insert into t values (1)")
        .await
        .unwrap();
    let b = s.connect("wait").await;
    let writer = tokio::spawn(async move {
        let r = b.simple_query("insert into t values (2)").await;
        (b, r)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !writer.is_finished(),
        "B's insert should wait for A's transaction"
    );
    a.simple_query("commit").await.unwrap();
    let (b, r) = timeout(GUARD, writer).await.expect("B hung").unwrap();
    if let Err(e) = r {
        panic!("B's insert failed instead of waiting: {} {e}", sqlstate(&e));
    }
    assert_eq!(client_ids(&b).await, ["1", "2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_autocommit_writers_all_succeed() {
    let s = Server::start(&[]);
    let c = s.connect("many").await;
    c.simple_query("create table t (id integer primary key, task int, n int)")
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for task in 0..8 {
        let client = s.connect("many").await;
        tasks.push(tokio::spawn(async move {
            for n in 0..50 {
                client
                    .simple_query(&format!("insert into t (task, n) values ({task}, {n})"))
                    .await
                    .map_err(|e| {
                        format!(
                            "task {task} insert {n}: {} {e} {:?}",
                            sqlstate(&e),
                            e.as_db_error().map(|d| d.message().to_string())
                        )
                    })?;
            }
            Ok::<(), String>(())
        }));
    }
    for t in tasks {
        timeout(Duration::from_secs(60), t)
            .await
            .expect("writers hung")
            .unwrap()
            .unwrap();
    }
    assert_eq!(count(&c, "t").await, 400);
    assert_eq!(
        rows(&c, "select count(distinct task), min(n), max(n) from t").await,
        vec![vec![Some("8".into()), Some("0".into()), Some("49".into())]]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_write_transactions_all_commit() {
    let s = Server::start(&[]);
    let c = s.connect("blocks").await;
    c.simple_query("create table t (id integer primary key, task int, n int)")
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for task in 0..4 {
        let client = s.connect("blocks").await;
        tasks.push(tokio::spawn(async move {
            let fail = |e: tokio_postgres::Error| format!("task {task}: {} {e}", sqlstate(&e));
            client.simple_query("begin").await.map_err(fail)?;
            for n in 0..10 {
                client
                    .simple_query(&format!("insert into t (task, n) values ({task}, {n})"))
                    .await
                    .map_err(fail)?;
                tokio::task::yield_now().await;
            }
            client.simple_query("commit").await.map_err(fail)?;
            Ok::<(), String>(())
        }));
    }
    for t in tasks {
        timeout(Duration::from_secs(60), t)
            .await
            .expect("transactions hung")
            .unwrap()
            .unwrap();
    }
    assert_eq!(count(&c, "t").await, 40);
    assert_eq!(
        rows(
            &c,
            "select task, count(*) from t group by task order by task"
        )
        .await,
        (0..4)
            .map(|t| vec![Some(t.to_string()), Some("10".into())])
            .collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_timeout_fails_with_55p03() {
    let s = Server::start(&["--lock-timeout", "300ms"]);
    let a = s.connect("locktimeout").await;
    let b = s.connect("locktimeout").await;
    a.simple_query("create table t (id integer primary key)")
        .await
        .unwrap();
    a.simple_query("begin; insert into t values (1)")
        .await
        .unwrap();

    let e = timeout(GUARD, b.simple_query("insert into t values (2)"))
        .await
        .expect("B hung past the lock timeout")
        .unwrap_err();
    assert_eq!(sqlstate(&e), "55P03", "{e}");
    let msg = e.as_db_error().unwrap().message().to_string();
    assert!(
        !msg.contains("database is locked"),
        "SQLite's busy error leaked through: {msg}"
    );
    // Inside a block the same happens, and the block fails.
    b.simple_query("begin").await.unwrap();
    let e = timeout(GUARD, b.simple_query("update t set id = 3"))
        .await
        .expect("B hung past the lock timeout")
        .unwrap_err();
    assert_eq!(sqlstate(&e), "55P03", "{e}");
    let e = b.simple_query("select 1").await.unwrap_err();
    assert_eq!(sqlstate(&e), "25P02");
    b.simple_query("rollback").await.unwrap();
    // Reading is still fine while A holds the lock.
    assert!(client_ids(&b).await.is_empty());

    a.simple_query("commit").await.unwrap();
    b.simple_query("insert into t values (2)").await.unwrap();
    assert_eq!(client_ids(&a).await, ["1", "2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnecting_mid_transaction_rolls_back_and_frees_the_lock() {
    let s = Server::start(&["--lock-timeout", "3s"]);
    let c = s.connect("gone").await;
    c.simple_query("create table t (id integer primary key)")
        .await
        .unwrap();
    // A raw client that just closes its socket, without Terminate.
    {
        let (mut r, _) = Raw::session(s.port(), "gone");
        ok(&mut r, "begin");
        ok(&mut r, "insert into t values (1)");
        ok(&mut r, "savepoint x");
        ok(&mut r, "insert into t values (2)");
        drop(r);
    }
    timeout(GUARD, c.simple_query("insert into t values (3)"))
        .await
        .expect("writer hung after the other session disconnected")
        .unwrap();
    assert_eq!(client_ids(&c).await, ["3"]);

    // A tokio-postgres client dropped inside a failed block.
    {
        let d = s.connect("gone").await;
        d.simple_query("begin; insert into t values (4)")
            .await
            .unwrap();
        d.simple_query("insert into t values (4)")
            .await
            .unwrap_err();
    }
    // And one dropped while its write waits for the lock.
    c.simple_query("begin; insert into t values (5)")
        .await
        .unwrap();
    {
        let (mut r, _) = Raw::session(s.port(), "gone");
        r.send(&wire::query("insert into t values (6)"));
        tokio::time::sleep(Duration::from_millis(200)).await;
        drop(r);
    }
    c.simple_query("commit").await.unwrap();
    for i in 10..20 {
        timeout(
            GUARD,
            c.simple_query(&format!("insert into t values ({i})")),
        )
        .await
        .expect("writer hung")
        .unwrap();
    }
    let e = s.connect("gone").await;
    let got = client_ids(&e).await;
    assert!(!got.contains(&"1".to_string()) && !got.contains(&"2".to_string()));
    assert!(!got.contains(&"4".to_string()));
    assert!(got.contains(&"5".to_string()) && got.contains(&"19".to_string()));
    // Insert 6's fate is either way (it may have run once the lock came free); what
    // matters is that nothing hung.
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_commit_rolls_back_and_frees_the_lock() {
    let s = Server::start(&["--lock-timeout", "1s"]);
    let (mut r, _) = Raw::session(s.port(), "failcommit");
    ok(
        &mut r,
        "create table p (id integer primary key); \
         create table c (p int references p(id) deferrable initially deferred)",
    );
    ok(&mut r, "begin");
    ok(&mut r, "insert into p values (1)");
    // Deferred: the statement succeeds, COMMIT fails (as in PostgreSQL).
    ok(&mut r, "insert into c values (99)");
    let m = q(&mut r, "commit");
    assert_eq!(errors(&m), ["23503"]);
    assert_eq!(status(&m), 'I', "a failed COMMIT ends the transaction");
    assert_eq!(column(&ok(&mut r, "select count(*) from p")), ["0"]);
    assert_eq!(column(&ok(&mut r, "select count(*) from c")), ["0"]);
    // The write lock went with it: another session writes at once.
    let other = s.connect("failcommit").await;
    timeout(GUARD, other.simple_query("insert into p values (2)"))
        .await
        .expect("hung")
        .unwrap();
    // The same through the implicit transaction of a multi-statement message: the
    // statements complete, the implicit COMMIT fails, nothing is kept.
    let m = q(
        &mut r,
        "insert into p values (3); insert into c values (98)",
    );
    assert_eq!(completions(&m), ["INSERT 0 1", "INSERT 0 1"]);
    assert_eq!(errors(&m), ["23503"]);
    assert_eq!(status(&m), 'I');
    assert_eq!(column(&ok(&mut r, "select id from p")), ["2"]);
    timeout(GUARD, other.simple_query("insert into p values (4)"))
        .await
        .expect("hung")
        .unwrap();
}

/// PostgreSQL (READ COMMITTED, its default) lets a transaction that has read write
/// afterwards even if another session committed in between. SQLite's WAL snapshot would
/// refuse that write (SQLITE_BUSY_SNAPSHOT); litewire renews the snapshot first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_that_read_first_can_still_write() {
    let s = Server::start(&[]);
    let a = s.connect("readwrite").await;
    let b = s.connect("readwrite").await;
    a.simple_query("create table t (id integer primary key)")
        .await
        .unwrap();
    a.simple_query("insert into t values (1)").await.unwrap();
    a.simple_query("begin").await.unwrap();
    assert_eq!(count(&a, "t").await, 1);
    b.simple_query("insert into t values (2)").await.unwrap();
    if let Err(e) = a.simple_query("insert into t values (3)").await {
        panic!("A's write after its read failed: {} {e}", sqlstate(&e));
    }
    a.simple_query("commit").await.unwrap();
    assert_eq!(client_ids(&b).await, ["1", "2", "3"]);
}

/// The common read-modify-write pattern from two clients at once, in one message each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_read_modify_write_transactions_all_succeed() {
    let s = Server::start(&[]);
    let c = s.connect("rmw").await;
    c.simple_query("create table counter (n int); insert into counter values (0)")
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for task in 0..4 {
        let client = s.connect("rmw").await;
        tasks.push(tokio::spawn(async move {
            for i in 0..20 {
                client
                    .simple_query(
                        "begin; select n from counter; update counter set n = n + 1; commit",
                    )
                    .await
                    .map_err(|e| format!("task {task} round {i}: {} {e}", sqlstate(&e)))?;
            }
            Ok::<(), String>(())
        }));
    }
    let mut failures = Vec::new();
    for t in tasks {
        if let Err(e) = timeout(Duration::from_secs(60), t)
            .await
            .expect("hung")
            .unwrap()
        {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(count(&c, "counter").await, 1);
    assert_eq!(
        rows(&c, "select n from counter").await,
        vec![vec![Some("80".into())]]
    );
}

/// Advisory locks (Kysely's migrator holds one around its migrations): held per session,
/// counted, waited for by another session until released, released when the holder
/// ends, and a waiter's statement can be cancelled by statement_timeout.
#[tokio::test]
async fn advisory_locks_are_held_per_session() {
    let s = Server::start(&[]);
    let a = s.connect("advisory").await;
    let b = s.connect("advisory").await;
    let one = |v: &str| vec![vec![Some(v.to_string())]];
    assert_eq!(rows(&a, "select pg_advisory_lock(7)").await, one(""));
    assert_eq!(rows(&a, "select pg_try_advisory_lock(7)").await, one("t"));
    assert_eq!(rows(&b, "select pg_try_advisory_lock(7)").await, one("f"));
    // Two ints are another key space.
    assert_eq!(
        rows(&b, "select pg_try_advisory_lock(0, 7)").await,
        one("t")
    );
    assert_eq!(rows(&b, "select pg_advisory_unlock(7)").await, one("f"));
    // B waits for A's two holds to go.
    let waiter = tokio::spawn(async move {
        let got = rows(&b, "select pg_advisory_lock(7), 'got'").await;
        (b, got)
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiter.is_finished(), "B must wait while A holds the lock");
    assert_eq!(rows(&a, "select pg_advisory_unlock(7)").await, one("t"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiter.is_finished(), "A still holds it once");
    assert_eq!(rows(&a, "select pg_advisory_unlock(7)").await, one("t"));
    let (b, got) = timeout(Duration::from_secs(10), waiter)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got, vec![vec![Some(String::new()), Some("got".into())]]);
    // A waiter's statement times out; the holder's end releases the lock.
    a.batch_execute("set statement_timeout = 300")
        .await
        .unwrap();
    let e = a
        .simple_query("select pg_advisory_lock(7)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "57014");
    drop(b);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rows(&a, "select pg_try_advisory_lock(7)").await, one("t"));
}

/// `SELECT … FOR UPDATE` holds the write lock to the end of its transaction (a stronger
/// lock than PostgreSQL's row locks): another writer waits, then times out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn select_for_update_holds_the_write_lock() {
    let s = Server::start(&["--lock-timeout", "300ms"]);
    let a = s.connect("forupdate").await;
    let b = s.connect("forupdate").await;
    a.batch_execute("create table t (id int); insert into t values (1)")
        .await
        .unwrap();
    let got = a
        .simple_query("begin; select id from t where id = 1 for update")
        .await
        .unwrap();
    assert_eq!(
        got.iter()
            .filter(|m| matches!(m, tokio_postgres::SimpleQueryMessage::Row(_)))
            .count(),
        1
    );
    let e = timeout(GUARD, b.simple_query("update t set id = 2"))
        .await
        .expect("B hung past the lock timeout")
        .unwrap_err();
    assert_eq!(sqlstate(&e), "55P03", "{e}");
    a.simple_query("commit").await.unwrap();
    b.simple_query("update t set id = 2").await.unwrap();
    // In a read-only transaction: PostgreSQL's refusal.
    let e = b
        .simple_query("begin read only; select id from t for share")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "25006");
    assert_eq!(
        e.as_db_error().unwrap().message(),
        "cannot execute SELECT FOR SHARE in a read-only transaction"
    );
}
