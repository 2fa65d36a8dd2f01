//! Server lifecycle: shutdown on SIGTERM, streaming large results with bounded memory,
//! statement timeouts, closing idle database connections.

use std::time::Duration;

use crate::common::{rows, sqlstate, Server};
use crate::wire::{self, Raw};

/// A query that keeps SQLite busy for a while and then returns one row.
const SLOW: &str =
    "with recursive c(x) as (select 1 union all select x + 1 from c where x < 2000000) \
                    select count(*) from c";

#[test]
fn sigterm_closes_idle_sessions_and_exits_zero() {
    let mut s = Server::start(&[]);
    let (mut idle, _) = Raw::session(s.port(), "shut");
    idle.send(&wire::query(
        "create table t (a int); insert into t values (1)",
    ));
    idle.until_ready();
    let data = s.data_dir();
    let status = s.terminate();
    assert!(status.success(), "exit status {status:?}");
    // The idle client was told why (57P01), as PostgreSQL does.
    let msgs = idle.until_closed();
    assert_eq!(
        msgs.last().and_then(|m| m.sqlstate()).as_deref(),
        Some("57P01")
    );
    // The data survived a clean close.
    let conn = rusqlite::Connection::open(data.join("shut.db")).unwrap();
    let n: i64 = conn
        .query_row("select count(*) from t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn sigterm_lets_a_running_statement_finish() {
    // A generous deadline: the statement may take seconds in a debug build, and at the
    // deadline it would be interrupted (limits.rs tests that).
    let mut s = Server::start(&["--shutdown-timeout", "5m"]);
    let (mut busy, _) = Raw::session(s.port(), "busy");
    busy.send(&wire::query(SLOW));
    wait_until_running(&s);
    let status = s.terminate();
    assert!(status.success(), "exit status {status:?}");
    let msgs = busy.until_closed();
    let tags = wire::tags(&msgs);
    assert!(
        tags.starts_with("TDCZ"),
        "the statement's result came first: {tags}"
    );
    assert_eq!(msgs[1].body[6..], *b"2000000");
    assert_eq!(
        msgs.last().and_then(|m| m.sqlstate()).as_deref(),
        Some("57P01")
    );
}

/// Waits until the admin console shows a client running a statement: a signal sent
/// before that would find the session idle.
fn wait_until_running(s: &Server) {
    // A DataRow field of exactly `active`: its int32 length, then the text.
    let field = [&6i32.to_be_bytes()[..], b"active"].concat();
    let (mut admin, _) = Raw::session(s.port(), "litewire");
    for _ in 0..1000 {
        let msgs = crate::transactions::ok(&mut admin, "SHOW CLIENTS");
        let running = msgs
            .iter()
            .filter(|m| m.tag == b'D')
            .any(|m| m.body.windows(field.len()).any(|w| w == field));
        if running {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("no client ever showed as active");
}

/// Reads a Query's replies, counting DataRows without keeping them.
fn count_rows(r: &mut Raw) -> (u64, String) {
    let mut n = 0;
    loop {
        let m = r.recv().expect("connection closed early");
        match m.tag {
            b'D' => n += 1,
            b'C' => return (n, m.tag_text()),
            b'E' => panic!("error: {:?}", m.field(b'M')),
            _ => {}
        }
    }
}

#[test]
fn large_results_stream_in_bounded_memory() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "stream");
    r.send(&wire::query("select 1"));
    r.until_ready();
    let before = s.rss_kib();
    // About 100 MB of result text.
    r.send(&wire::query(
        "with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000000) \
         select x, printf('%090d', x) from c",
    ));
    // Read slowly at first so the server has to hold back (backpressure), then drain.
    let mut peak = before;
    let mut n = 0u64;
    let mut tag = String::new();
    while tag.is_empty() {
        let m = r.recv().expect("stream ended early");
        match m.tag {
            b'D' => {
                n += 1;
                if n.is_multiple_of(100_000) {
                    peak = peak.max(s.rss_kib());
                    if n <= 300_000 {
                        std::thread::sleep(Duration::from_millis(100));
                    }
                }
            }
            b'C' => tag = m.tag_text(),
            b'E' => panic!("error: {:?}", m.field(b'M')),
            _ => {}
        }
    }
    r.until_ready();
    assert_eq!(n, 1_000_000);
    assert_eq!(tag, "SELECT 1000000");
    let growth = peak.saturating_sub(before);
    assert!(
        growth < 8 * 1024,
        "server RSS grew by {growth} KiB while streaming ~100 MB"
    );
}

#[test]
fn statement_timeout_interrupts_with_57014() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "timeout");
    r.send(&wire::query("set statement_timeout = '100ms'"));
    r.until_ready();
    r.send(&wire::query(SLOW));
    let msgs = r.until_ready();
    let err = msgs.iter().find(|m| m.tag == b'E').expect("an error");
    assert_eq!(err.sqlstate().as_deref(), Some("57014"));
    assert_eq!(
        err.field(b'M').as_deref(),
        Some("canceling statement due to statement timeout")
    );
    // The session is fine afterwards.
    r.send(&wire::query("reset statement_timeout"));
    r.until_ready();
    r.send(&wire::query("select 1"));
    let (n, _) = count_rows(&mut r);
    assert_eq!(n, 1);
}

#[tokio::test]
async fn server_wide_statement_timeout() {
    let s = Server::start(&["--statement-timeout", "100ms"]);
    let c = s.connect("swt").await;
    let e = c.simple_query(SLOW).await.unwrap_err();
    assert_eq!(sqlstate(&e), "57014");
    assert_eq!(
        rows(&c, "show statement_timeout").await,
        vec![vec![Some("100ms".into())]]
    );
}

#[tokio::test]
async fn idle_database_connections_are_closed() {
    let s = Server::start(&["--idle-close", "1s"]);
    let wal = s.data_dir().join("idle.db-wal");
    {
        let c = s.connect("idle").await;
        c.simple_query("create table t (a int); insert into t values (1)")
            .await
            .unwrap();
        assert!(
            wal.exists(),
            "WAL mode keeps a -wal file while connections are open"
        );
    }
    // SQLite removes the -wal file when the last connection to the database closes.
    let mut closed = false;
    for _ in 0..100 {
        if !wal.exists() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(closed, "idle connections were not closed");
    // The database reopens on next use.
    let c = s.connect("idle").await;
    assert_eq!(
        rows(&c, "select a from t").await,
        vec![vec![Some("1".into())]]
    );
}

/// `--max-open-connections` bounds SQLite connections across databases: an idle one of
/// another database is closed to make room, and with none idle a new one fails (53300).
#[tokio::test]
async fn open_connections_are_capped_across_databases() {
    let s = Server::start(&[
        "--max-open-connections",
        "1",
        "--idle-close",
        "60s",
        "--lock-timeout",
        "1s",
    ]);
    let wal = |db: &str| s.data_dir().join(format!("{db}.db-wal"));
    {
        let a = s.connect("cap_a").await;
        a.batch_execute("create table t (x int); insert into t values (1)")
            .await
            .unwrap();
    }
    assert!(
        wal("cap_a").exists(),
        "cap_a's connection stays open (idle)"
    );
    let b = s.connect("cap_b").await;
    b.batch_execute("create table t (x int); begin; insert into t values (2)")
        .await
        .unwrap();
    // Opening cap_b closed cap_a's idle connection (SQLite removes the -wal file then).
    assert!(
        !wal("cap_a").exists(),
        "cap_a's idle connection was not closed"
    );
    // cap_b's connection is held by its open transaction: nothing to close for cap_c.
    let e = s
        .try_connect("cap_c")
        .await
        .expect_err("a third database cannot open while the only connection is in use");
    assert_eq!(sqlstate(&e), "53300", "{e:?}");
    b.batch_execute("commit").await.unwrap();
    // With cap_b's connection idle again, cap_a opens and still has its row.
    let a = s.connect("cap_a").await;
    assert_eq!(
        rows(&a, "select x from t").await,
        vec![vec![Some("1".into())]]
    );
}

/// Idle sessions are parked (taken out of the runtime) and resume transparently: session
/// settings, prepared statements and the transaction rules survive.
#[tokio::test]
async fn parked_sessions_resume_with_their_state() {
    let s = Server::start(&["--park-after", "50ms"]);
    let c = s.connect("park").await;
    c.batch_execute("create table t (a integer); set application_name = 'parked'")
        .await
        .unwrap();
    let stmt = c
        .prepare("select count(*) from t where a > $1")
        .await
        .unwrap();
    for round in 0..3i32 {
        // Long enough to be parked between rounds.
        tokio::time::sleep(Duration::from_millis(200)).await;
        c.execute("insert into t values ($1)", &[&round])
            .await
            .unwrap();
        let n: i64 = c.query_one(&stmt, &[&-1i32]).await.unwrap().get(0);
        assert_eq!(n, i64::from(round) + 1);
        assert_eq!(
            rows(&c, "show application_name").await,
            vec![vec![Some("parked".into())]]
        );
    }
    // A session inside a transaction is not parked; its transaction survives the wait.
    c.batch_execute("begin; insert into t values (100)")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    c.batch_execute("rollback").await.unwrap();
    assert_eq!(
        rows(&c, "select count(*) from t").await,
        vec![vec![Some("3".into())]]
    );
}

#[test]
fn shutdown_reaches_parked_sessions() {
    let mut s = Server::start(&["--park-after", "50ms"]);
    let (mut idle, _) = Raw::session(s.port(), "parkshut");
    std::thread::sleep(Duration::from_millis(300));
    let status = s.terminate();
    assert!(status.success(), "exit status {status:?}");
    let msgs = idle.until_closed();
    assert_eq!(
        msgs.last().and_then(|m| m.sqlstate()).as_deref(),
        Some("57P01")
    );
}

/// A client that disconnects while parked is cleaned up (its slot under
/// --max-connections comes back).
#[test]
fn parked_sessions_that_disconnect_release_their_slot() {
    let s = Server::start(&["--park-after", "50ms", "--max-connections", "1"]);
    for _ in 0..3 {
        let (r, msgs) = Raw::session(s.port(), "parkslot");
        assert_eq!(wire::tags(&msgs).chars().last(), Some('Z'), "{msgs:?}");
        std::thread::sleep(Duration::from_millis(200));
        drop(r.stream.shutdown(std::net::Shutdown::Both));
        // The parked session notices the hang-up and ends; retry until the slot is free.
        let mut ok = false;
        for _ in 0..100 {
            std::thread::sleep(Duration::from_millis(50));
            let (mut probe, msgs) = Raw::session(s.port(), "parkslot");
            if msgs.iter().any(|m| m.tag == b'Z') {
                probe.send(&wire::message(b'X', b""));
                ok = true;
                break;
            }
        }
        assert!(ok, "the parked session's slot was not released");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A CancelRequest (here from tokio-postgres' cancel token) interrupts the running
/// statement, which fails with 57014; the session stays usable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_request_interrupts_the_running_statement() {
    let s = Server::start(&[]);
    let c = s.connect("cancel").await;
    let token = c.cancel_token();
    let slow = tokio::spawn(async move {
        let r = c.simple_query(SLOW).await;
        (c, r)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    token.cancel_query(tokio_postgres::NoTls).await.unwrap();
    let (c, r) = tokio::time::timeout(Duration::from_secs(30), slow)
        .await
        .expect("the statement was not interrupted")
        .unwrap();
    let e = r.expect_err("canceled");
    assert_eq!(sqlstate(&e), "57014");
    assert_eq!(
        e.as_db_error().map(|d| d.message()),
        Some("canceling statement due to user request")
    );
    assert_eq!(rows(&c, "select 1").await, vec![vec![Some("1".into())]]);
}

/// With `synchronous_commit = on` (PostgreSQL's default) a commit is acknowledged only
/// after an fdatasync of the write-ahead log that began after it, and concurrent commits
/// share those (group commit); with off, none waits. `--synchronous-commit` is the
/// default RESET returns to. Read from SHOW STATS: `durable_commits`, `wal_syncs`.
#[tokio::test]
async fn commits_wait_for_a_shared_wal_sync_unless_synchronous_commit_is_off() {
    let s = Server::start(&[]);
    let setup = s.connect("durable").await;
    setup.batch_execute("create table t (a int)").await.unwrap();
    let admin = s.connect("litewire").await;
    let before = stats(&admin).await;
    let mut writers = Vec::new();
    for w in 0..8 {
        let c = s.connect("durable").await;
        writers.push(tokio::spawn(async move {
            for i in 0..20 {
                c.execute("insert into t values ($1)", &[&(w * 100 + i)])
                    .await
                    .unwrap();
            }
            // An explicit block commits once.
            c.batch_execute("begin; insert into t values (-1); insert into t values (-2); commit")
                .await
                .unwrap();
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    let after = stats(&admin).await;
    let commits = after["durable_commits"] - before["durable_commits"];
    let syncs = after["wal_syncs"] - before["wal_syncs"];
    // The CREATE TABLE's commit is counted too when it lands after `before`.
    assert_eq!(commits, 8 * 21, "{after:?}");
    assert!(
        syncs >= 1 && syncs <= commits,
        "{syncs} syncs for {commits} commits"
    );
    assert_eq!(
        rows(&setup, "select count(*) from t").await,
        vec![vec![Some("176".into())]]
    );

    // off: the commit is acknowledged once written.
    setup
        .batch_execute("set synchronous_commit = off")
        .await
        .unwrap();
    let before = stats(&admin).await;
    setup
        .batch_execute("insert into t values (0)")
        .await
        .unwrap();
    let after = stats(&admin).await;
    assert_eq!(after["durable_commits"], before["durable_commits"]);
    // local, remote_write and remote_apply are on (there are no standbys).
    setup
        .batch_execute("set synchronous_commit = remote_apply; insert into t values (0)")
        .await
        .unwrap();
    assert_eq!(
        stats(&admin).await["durable_commits"],
        before["durable_commits"] + 1
    );
    let e = setup
        .batch_execute("set synchronous_commit = sometimes")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22023");

    let s = Server::start(&["--synchronous-commit", "off"]);
    let c = s.connect("fast").await;
    let admin = s.connect("litewire").await;
    c.batch_execute("create table t (a int); insert into t values (1)")
        .await
        .unwrap();
    assert_eq!(stats(&admin).await["durable_commits"], 0);
    c.batch_execute("set synchronous_commit = on; insert into t values (2)")
        .await
        .unwrap();
    assert_eq!(stats(&admin).await["durable_commits"], 1);
    c.batch_execute("reset synchronous_commit").await.unwrap();
    assert_eq!(
        rows(&c, "show synchronous_commit").await,
        vec![vec![Some("off".into())]]
    );
}

/// SHOW STATS of the admin console, by counter name.
async fn stats(admin: &tokio_postgres::Client) -> std::collections::HashMap<String, u64> {
    rows(admin, "SHOW STATS")
        .await
        .into_iter()
        .filter_map(|r| Some((r[0].clone()?, r[1].as_deref()?.parse().ok()?)))
        .collect()
}
