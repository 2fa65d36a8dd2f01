//! Fencing of an old primary (issue 12): a node started with `--replicate-to` on a
//! store that a promoted standby has written since refuses writes to those databases
//! and does not replicate them, so the store keeps the promoted node's history. And
//! the `in_hot_standby` report that sessions of a promoted standby receive.

use std::time::Duration;

use crate::common::{rows, Server};
use crate::replica::{eventually, require_litestream};
use crate::wire::{query, Raw};

fn primary_in(dir: tempfile::TempDir, store: &std::path::Path) -> Server {
    require_litestream();
    Server::start_in(dir, &["--replicate-to", store.to_str().unwrap()])
}

fn standby(store: &std::path::Path) -> Server {
    require_litestream();
    Server::start(&["--replica-of", store.to_str().unwrap()])
}

/// The ids of `t` in database `app` of `s`, once `want` of them are there (or after
/// 20 s, whatever they are then).
async fn ids_once(s: &Server, want: usize) -> Vec<String> {
    let start = std::time::Instant::now();
    let mut last = Vec::new();
    while start.elapsed() < Duration::from_secs(20) {
        if let Ok(c) = s.try_connect("app").await {
            if let Ok(msgs) = c.simple_query("SELECT id FROM t ORDER BY id").await {
                last = msgs
                    .iter()
                    .filter_map(|m| match m {
                        tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(String::from),
                        _ => None,
                    })
                    .collect();
                if last.len() >= want {
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    last
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_primary_coming_back_is_fenced_and_the_store_keeps_the_promoted_history() {
    let store = tempfile::tempdir().unwrap();
    let a = primary_in(tempfile::tempdir().unwrap(), store.path());
    let w = a.connect("app").await;
    w.batch_execute("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'A')")
        .await
        .unwrap();
    let b = standby(store.path());
    assert_eq!(ids_once(&b, 1).await, ["1"]);
    drop(w);
    let a_folder = a.stop_keeping_folder();
    // B takes over and writes.
    let badmin = b.connect("litewire").await;
    badmin.simple_query("PROMOTE").await.unwrap();
    let bw = b.connect("app").await;
    bw.batch_execute("INSERT INTO t VALUES (2, 'B')")
        .await
        .unwrap();
    // ...and makes a database of its own.
    bw.batch_execute("CREATE DATABASE bonly").await.unwrap();
    b.connect("bonly")
        .await
        .batch_execute("CREATE TABLE x (a int)")
        .await
        .unwrap();
    let bonly = store.path().join("bonly.db").join("ltx");
    assert!(eventually(Duration::from_secs(15), || async { bonly.exists() }).await);

    // A comes back as a primary of the same store.
    let a = primary_in(a_folder, store.path());
    let c = a.connect("app").await;
    // Reads work...
    assert_eq!(
        rows(&c, "SELECT count(*) FROM t").await[0][0].as_deref(),
        Some("1")
    );
    // ...writes do not, as in a read-only transaction, with the cause and the remedy.
    for sql in [
        "INSERT INTO t VALUES (3, 'A again')",
        "UPDATE t SET v = 'x'",
        "CREATE TABLE u (a int)",
        "BEGIN READ WRITE",
        "SET transaction_read_only = off",
    ] {
        let e = c.simple_query(sql).await.unwrap_err();
        let db = e.as_db_error().unwrap_or_else(|| panic!("{sql}: {e}"));
        assert_eq!(db.code().code(), "25006", "{sql}: {e}");
        assert!(
            db.detail().is_some_and(|d| d.contains("fenced"))
                && db.hint().is_some_and(|h| h.contains("--replica-of")),
            "{sql}: {db:?}"
        );
    }
    assert_eq!(
        rows(
            &c,
            "SELECT current_setting('transaction_read_only'), \
             current_setting('default_transaction_read_only'), pg_is_in_recovery()"
        )
        .await[0],
        [Some("on".into()), Some("on".into()), Some("f".into())]
    );
    // Even after the session's own default is turned off.
    c.batch_execute("SET default_transaction_read_only = off")
        .await
        .unwrap();
    let e = c.simple_query("DELETE FROM t").await.unwrap_err();
    assert_eq!(e.code().unwrap().code(), "25006", "{e}");
    // The console says so.
    let aadmin = a.connect("litewire").await;
    let rs = rows(&aadmin, "SHOW REPLICATION").await;
    assert_eq!(rs.len(), 1, "{rs:?}");
    assert_eq!(rs[0][1].as_deref(), Some("fenced"), "{rs:?}");
    // A database made on A now is not fenced, and is replicated.
    let n = a.connect("fresh").await;
    n.batch_execute("CREATE TABLE f (a int); INSERT INTO f VALUES (1)")
        .await
        .unwrap();
    let fresh = store.path().join("fresh.db").join("ltx");
    assert!(
        eventually(Duration::from_secs(15), || async { fresh.exists() }).await,
        "a database made on a fenced node was not replicated"
    );
    // B's database cannot be made on A: replicating it would overwrite B's.
    for e in [
        c.simple_query("CREATE DATABASE bonly").await.unwrap_err(),
        a.try_connect("bonly").await.err().unwrap(),
    ] {
        assert_eq!(e.code().unwrap().code(), "55000", "{e}");
        assert!(format!("{e:?}").contains("replica store"), "{e:?}");
    }
    // A database A made itself can be dropped and made again.
    // (The server notices the closed session a moment after the client drops it.)
    drop(n);
    assert!(
        eventually(Duration::from_secs(5), || async {
            c.batch_execute("DROP DATABASE fresh").await.is_ok()
        })
        .await
    );
    c.batch_execute("CREATE DATABASE fresh").await.unwrap();

    // B goes on replicating; a fresh standby of the store has B's rows, not A's state.
    bw.batch_execute("INSERT INTO t VALUES (4, 'B')")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let s = standby(store.path());
    assert_eq!(ids_once(&s, 3).await, ["1", "2", "4"]);
    let rs = rows(&aadmin, "SHOW REPLICATION").await;
    assert!(
        rs.iter()
            .any(|r| r[0].as_deref() == Some("fresh") && r[1].as_deref() == Some("primary")),
        "{rs:?}"
    );

    // The override: with B stopped, an admin makes A's copy the store's again.
    let e = aadmin
        .simple_query("UNFENCE DATABASE fresh")
        .await
        .unwrap_err();
    assert_eq!(e.code().unwrap().code(), "55000", "{e}");
    drop((bw, badmin, s));
    drop(b);
    aadmin.simple_query("UNFENCE DATABASE app").await.unwrap();
    let c = a.connect("app").await;
    c.batch_execute("INSERT INTO t VALUES (5, 'A')")
        .await
        .unwrap();
    let stored_before = rs.iter().find(|r| r[0].as_deref() == Some("app")).unwrap()[3]
        .as_deref()
        .unwrap()
        .parse::<u64>()
        .unwrap();
    assert!(
        eventually(Duration::from_secs(20), || async {
            let rs = rows(&aadmin, "SHOW REPLICATION").await;
            let app = rs.iter().find(|r| r[0].as_deref() == Some("app")).unwrap();
            let stored: u64 = app[3].as_deref().map_or(0, |t| t.parse().unwrap());
            app[1].as_deref() == Some("primary") && stored > stored_before && app[2] == app[3]
        })
        .await,
        "{:?}",
        rows(&aadmin, "SHOW REPLICATION").await
    );
    let s = standby(store.path());
    assert_eq!(ids_once(&s, 2).await, ["1", "5"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_primary_restarted_on_its_own_store_is_not_fenced() {
    let store = tempfile::tempdir().unwrap();
    let a = primary_in(tempfile::tempdir().unwrap(), store.path());
    let w = a.connect("app").await;
    w.batch_execute("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)")
        .await
        .unwrap();
    // Wait until the store has the row (a standby sees it).
    let s = standby(store.path());
    assert_eq!(ids_once(&s, 1).await, ["1"]);
    drop((w, s));
    let a = primary_in(a.stop_keeping_folder(), store.path());
    let w = a.connect("app").await;
    w.batch_execute("INSERT INTO t VALUES (2)").await.unwrap();
    let admin = a.connect("litewire").await;
    assert_eq!(
        rows(&admin, "SHOW REPLICATION").await[0][1].as_deref(),
        Some("primary")
    );
    let s = standby(store.path());
    assert_eq!(ids_once(&s, 2).await, ["1", "2"]);
}

/// PostgreSQL 14+ tells each session of a promoted standby that `in_hot_standby` is
/// now off (a ParameterStatus before its next ReadyForQuery).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_of_a_promoted_standby_are_told_in_hot_standby_is_off() {
    let store = tempfile::tempdir().unwrap();
    let p = primary_in(tempfile::tempdir().unwrap(), store.path());
    let w = p.connect("app").await;
    w.batch_execute("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)")
        .await
        .unwrap();
    let s = standby(store.path());
    assert_eq!(ids_once(&s, 1).await, ["1"]);
    let status = |msgs: &[crate::wire::Msg], name: &str| -> Vec<String> {
        msgs.iter()
            .filter(|m| m.tag == b'S')
            .filter_map(|m| {
                let mut parts = m.body.split(|&b| b == 0);
                let n = parts.next()?;
                let v = parts.next()?;
                (n == name.as_bytes()).then(|| String::from_utf8_lossy(v).into_owned())
            })
            .collect()
    };
    let (mut raw, hello) = Raw::session(s.port(), "app");
    assert_eq!(status(&hello, "in_hot_standby"), ["on"]);
    raw.send(&query("SELECT 1"));
    assert!(status(&raw.until_ready(), "in_hot_standby").is_empty());
    drop(w);
    drop(p);
    let admin = s.connect("litewire").await;
    admin.simple_query("PROMOTE").await.unwrap();
    raw.send(&query("SHOW transaction_read_only"));
    let msgs = raw.until_ready();
    assert_eq!(status(&msgs, "in_hot_standby"), ["off"], "{msgs:?}");
    let at = |tag: u8| msgs.iter().position(|m| m.tag == tag).unwrap();
    assert!(at(b'S') < at(b'Z'));
    assert!(
        msgs.iter()
            .any(|m| m.tag == b'D' && m.body.ends_with(b"off")),
        "{msgs:?}"
    );
    // Once.
    raw.send(&query("SHOW default_transaction_read_only"));
    let msgs = raw.until_ready();
    assert!(status(&msgs, "in_hot_standby").is_empty(), "{msgs:?}");
    assert!(
        msgs.iter()
            .any(|m| m.tag == b'D' && m.body.ends_with(b"off")),
        "{msgs:?}"
    );
    // And the old session now writes.
    raw.send(&query("INSERT INTO t VALUES (2)"));
    let msgs = raw.until_ready();
    assert!(msgs.iter().any(|m| m.tag == b'C'), "{msgs:?}");
    // A new session starts with off.
    let (_r2, hello) = Raw::session(s.port(), "app");
    assert_eq!(status(&hello, "in_hot_standby"), ["off"]);
}
