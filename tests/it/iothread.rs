//! Hostile statements must not stall the other clients (issue 8, item 3): while one
//! client's huge or deeply nested statement is read and translated, a client of another
//! database keeps getting answers from the single IO thread, and the hostile client gets
//! PostgreSQL's answer (a result, or an error such as 54001), not a hang.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::time::timeout;

use crate::common::{rows, Server};
use crate::transactions::GUARD;
use crate::wire::{self, Msg, Raw};

/// `SELECT 1` round trips the other client completes while the hostile one waits.
const ROUND_TRIPS: usize = 100;

/// Sends `hostile` to database `hostile` and, once it is on its way, has a client of
/// database `bystander` run `SELECT 1` [`ROUND_TRIPS`] times. With `hold_lock`, another
/// session holds the hostile database's write lock until the round trips are done, so a
/// hostile *writing* statement cannot be answered before them: its answer must come
/// after (ordering), and the round trips must not wait for its translation.
async fn hostile_beside_bystander(hostile: String, hold_lock: bool) -> Vec<Msg> {
    // One IO thread (the default, said here: a stall must show).
    let s = Server::start(&["--io-threads", "1"]);
    let bystander = s.connect("bystander").await;
    assert_eq!(rows(&bystander, "select 1").await, [[Some("1".into())]]);
    let locker = s.connect("hostile").await;
    locker
        .simple_query("create table t (x int)")
        .await
        .expect("create table");
    if hold_lock {
        locker
            .simple_query("begin; insert into t values (0)")
            .await
            .expect("take the write lock");
    }

    let answered = Arc::new(AtomicBool::new(false));
    let (sent_tx, sent_rx) = tokio::sync::oneshot::channel();
    let port = s.port();
    let done = answered.clone();
    let hostile_client = std::thread::spawn(move || {
        let (mut raw, _) = Raw::session(port, "hostile");
        raw.send(&wire::query(&hostile));
        let _ = sent_tx.send(());
        let reply = raw.until_ready();
        done.store(true, Ordering::SeqCst);
        reply
    });
    sent_rx.await.expect("hostile statement sent");

    let trips = timeout(GUARD, async {
        for _ in 0..ROUND_TRIPS {
            assert_eq!(rows(&bystander, "select 1").await, [[Some("1".into())]]);
        }
    })
    .await;
    assert!(
        trips.is_ok(),
        "the other database's client was stalled by the hostile statement"
    );
    if hold_lock {
        assert!(
            !answered.load(Ordering::SeqCst),
            "the hostile write was answered while another session held the write lock"
        );
        locker.simple_query("commit").await.expect("commit");
    }
    tokio::task::spawn_blocking(move || hostile_client.join().expect("hostile client"))
        .await
        .unwrap()
}

fn sqlstate_of(reply: &[Msg]) -> Option<String> {
    reply
        .iter()
        .find(|m| m.tag == b'E')
        .and_then(|m| m.sqlstate())
}

fn tag_of(reply: &[Msg]) -> Option<String> {
    reply.iter().find(|m| m.tag == b'C').map(|m| m.tag_text())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_cast_chain_stalls_no_one() {
    // 50,000 casts: translated in linear time off the IO thread; SQLite's expression depth
    // (1000) refuses the result, with PostgreSQL's SQLSTATE for a too deep statement.
    let reply =
        hostile_beside_bystander(format!("SELECT 1{}", "::int".repeat(50_000)), false).await;
    assert_eq!(sqlstate_of(&reply).as_deref(), Some("54001"), "{reply:?}");
    assert_eq!(reply.last().map(|m| m.tag), Some(b'Z'));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_million_element_in_list_stalls_no_one() {
    // Two million tokens: refused before parsing (a parsed tree takes memory in
    // proportion to its tokens), without stalling anyone.
    let list: Vec<String> = (0..1_000_000).map(|i| i.to_string()).collect();
    let sql = format!(
        "INSERT INTO t SELECT 999999 IN ({}) WHERE 1::int = 1",
        list.join(",")
    );
    let reply = hostile_beside_bystander(sql, true).await;
    assert_eq!(sqlstate_of(&reply).as_deref(), Some("54000"), "{reply:?}");
    // Within --max-statement-tokens, a long list runs.
    let list: Vec<String> = (0..50_000).map(|i| i.to_string()).collect();
    let sql = format!("INSERT INTO t SELECT 49999 IN ({})", list.join(","));
    let reply = hostile_beside_bystander(sql, true).await;
    assert_eq!(tag_of(&reply).as_deref(), Some("INSERT 0 1"), "{reply:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_4_mib_literal_stalls_no_one() {
    let sql = format!(
        "INSERT INTO t SELECT length('{}'::text)",
        "x".repeat(4 << 20)
    );
    let reply = hostile_beside_bystander(sql, true).await;
    assert_eq!(tag_of(&reply).as_deref(), Some("INSERT 0 1"), "{reply:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_nesting_is_refused_with_54001() {
    for sql in [
        format!(
            "SELECT {}1{}",
            "coalesce(".repeat(10_000),
            ")".repeat(10_000)
        ),
        format!("SELECT {}1{}", "ARRAY[".repeat(10_000), "]".repeat(10_000)),
        format!("SELECT {}1{}", "(".repeat(100_000), ")".repeat(100_000)),
    ] {
        let reply = hostile_beside_bystander(sql, false).await;
        assert_eq!(sqlstate_of(&reply).as_deref(), Some("54001"), "{reply:?}");
        let e = reply.iter().find(|m| m.tag == b'E').unwrap();
        assert_eq!(e.field(b'M').as_deref(), Some("stack depth limit exceeded"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nesting_within_the_limit_still_runs() {
    // Deep but allowed nesting, with a large literal inside: translated off the IO thread.
    let depth = 200;
    let sql = format!(
        "INSERT INTO t SELECT {}length('{}'){}",
        "coalesce(".repeat(depth),
        "y".repeat(1 << 20),
        ", 0)".repeat(depth)
    );
    let reply = hostile_beside_bystander(sql, true).await;
    assert_eq!(tag_of(&reply).as_deref(), Some("INSERT 0 1"), "{reply:?}");
}

#[tokio::test]
async fn the_nesting_limit_is_configurable() {
    let s = Server::start(&["--max-nesting-depth", "3", "--io-threads", "1"]);
    let c = s.connect("limits").await;
    assert_eq!(rows(&c, "select ((1))").await, [[Some("1".into())]]);
    let e = c.simple_query("select ((((1))))").await.unwrap_err();
    assert_eq!(crate::common::sqlstate(&e), "54001");
    // The extended protocol checks it too.
    let e = c.prepare("select ((((1))))").await.unwrap_err();
    assert_eq!(crate::common::sqlstate(&e), "54001");
}
