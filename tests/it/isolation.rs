//! Isolation levels and idle transactions: REPEATABLE READ and SERIALIZABLE never write
//! on a snapshot someone has committed past (40001, as PostgreSQL), READ COMMITTED does;
//! the bank-transfer invariant at every level under concurrent clients; the level as
//! `SHOW transaction_isolation` reports it; and `idle_in_transaction_session_timeout`
//! (session parameter and `--idle-in-transaction-timeout`), which ends a session idle in
//! a transaction with FATAL 25P03 and gives its connection back.

use futures_util::SinkExt;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, IsolationLevel};

use crate::common::{rows, sqlstate, Server};
use crate::transactions::{column, completions, errors, notices, ok, q, status, GUARD};
use crate::wire::{query, Raw};

/// Two accounts of 1000; returns the table's session.
async fn accounts(s: &Server, db: &str) -> Client {
    let c = s.connect(db).await;
    c.batch_execute(
        "create table acct (id integer primary key, bal integer);
         insert into acct values (1, 1000), (2, 1000)",
    )
    .await
    .unwrap();
    c
}

async fn balance(c: &Client, id: i32) -> String {
    rows(c, &format!("select bal from acct where id = {id}")).await[0][0]
        .clone()
        .unwrap()
}

/// The minimal case: S1 reads at `begin`'s level, S2 commits an update, S1
/// writes an absolute value computed from its read.
async fn read_then_write_after_concurrent_update(begin: &str) -> Result<(), tokio_postgres::Error> {
    let s = Server::start(&[]);
    let s1 = accounts(&s, "minimal").await;
    let s2 = s.connect("minimal").await;
    s1.batch_execute(begin).await.unwrap();
    assert_eq!(balance(&s1, 1).await, "1000");
    s2.batch_execute("update acct set bal = bal - 100 where id = 1")
        .await
        .unwrap();
    let write = s1
        .batch_execute("update acct set bal = 1050 where id = 1")
        .await;
    if let Err(e) = &write {
        assert_eq!(sqlstate(e), "40001", "{e:?}");
        let db = e.as_db_error().unwrap();
        assert_eq!(
            db.message(),
            "could not serialize access due to concurrent update"
        );
        // The block has failed, as in PostgreSQL.
        let next = s1.batch_execute("select 1").await.unwrap_err();
        assert_eq!(sqlstate(&next), "25P02");
        s1.batch_execute("rollback").await.unwrap();
        assert_eq!(balance(&s2, 1).await, "900", "S2's update stands");
    } else {
        s1.batch_execute("commit").await.unwrap();
        assert_eq!(balance(&s2, 1).await, "1050");
    }
    write
}

#[tokio::test]
async fn serializable_read_then_write_fails_with_40001() {
    let r = read_then_write_after_concurrent_update("begin isolation level serializable").await;
    assert!(r.is_err(), "a lost update was allowed at SERIALIZABLE");
}

#[tokio::test]
async fn repeatable_read_read_then_write_fails_with_40001() {
    let r = read_then_write_after_concurrent_update(
        "start transaction isolation level repeatable read",
    )
    .await;
    assert!(r.is_err(), "a lost update was allowed at REPEATABLE READ");
}

#[tokio::test]
async fn default_transaction_isolation_applies_to_plain_begin() {
    let r = read_then_write_after_concurrent_update(
        "set default_transaction_isolation = 'serializable'; begin",
    )
    .await;
    assert!(
        r.is_err(),
        "BEGIN did not take default_transaction_isolation"
    );
}

#[tokio::test]
async fn set_transaction_isolation_inside_the_block_applies() {
    let r = read_then_write_after_concurrent_update(
        "begin; set transaction isolation level repeatable read",
    )
    .await;
    assert!(r.is_err(), "SET TRANSACTION ISOLATION LEVEL was ignored");
}

/// PostgreSQL's READ COMMITTED writes on a fresh snapshot: the write succeeds (and the
/// other update is overwritten, as PostgreSQL allows at this level).
#[tokio::test]
async fn read_committed_read_then_write_succeeds() {
    for begin in [
        "begin",
        "begin isolation level read committed",
        "begin isolation level read uncommitted",
    ] {
        let r = read_then_write_after_concurrent_update(begin).await;
        assert!(r.is_ok(), "{begin}: {r:?}");
    }
}

/// The same rule through the extended protocol (tokio-postgres's prepared statements).
#[tokio::test]
async fn serializable_conflict_through_the_extended_protocol() {
    let s = Server::start(&[]);
    let mut s1 = accounts(&s, "extended").await;
    let s2 = s.connect("extended").await;
    let tx = s1
        .build_transaction()
        .isolation_level(IsolationLevel::Serializable)
        .start()
        .await
        .unwrap();
    let bal: i32 = tx
        .query_one("select bal from acct where id = $1", &[&1i32])
        .await
        .unwrap()
        .get(0);
    s2.execute(
        "update acct set bal = bal - $1 where id = $2",
        &[&100i32, &1i32],
    )
    .await
    .unwrap();
    let e = tx
        .execute(
            "update acct set bal = $1 where id = $2",
            &[&(bal + 50), &1i32],
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.code(),
        Some(&SqlState::T_R_SERIALIZATION_FAILURE),
        "{e:?}"
    );
    tx.rollback().await.unwrap();
    assert_eq!(balance(&s2, 1).await, "900");
}

/// COPY FROM writes too: at REPEATABLE READ it does not renew a read snapshot either.
/// (litewire detects conflicts per database, not per row: PostgreSQL would let these
/// new rows in, since no row was updated twice. COMPAT.md says so.)
#[tokio::test]
async fn copy_from_keeps_the_repeatable_read_snapshot() {
    let s = Server::start(&[]);
    let s1 = accounts(&s, "copyrr").await;
    let s2 = s.connect("copyrr").await;
    s1.batch_execute("begin isolation level repeatable read")
        .await
        .unwrap();
    assert_eq!(balance(&s1, 1).await, "1000");
    s2.batch_execute("update acct set bal = 0 where id = 2")
        .await
        .unwrap();
    let sink = s1.copy_in("copy acct from stdin").await;
    let result = match sink {
        Ok(sink) => {
            futures_util::pin_mut!(sink);
            match sink.send(bytes::Bytes::from_static(b"3\t1000\n")).await {
                Ok(()) => sink.finish().await,
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    let e = result.expect_err("COPY wrote on a stale REPEATABLE READ snapshot");
    assert_eq!(sqlstate(&e), "40001", "{e:?}");
    s1.batch_execute("rollback").await.unwrap();
    assert_eq!(
        rows(&s2, "select count(*) from acct").await,
        vec![vec![Some("2".into())]]
    );
}

/// What `SHOW transaction_isolation` reports, and PostgreSQL's rules for changing it.
#[test]
fn transaction_isolation_is_reported_and_checked() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "show");
    let show = |r: &mut Raw| column(&ok(r, "show transaction_isolation"));
    assert_eq!(show(&mut r), ["read committed"]);
    ok(&mut r, "begin isolation level repeatable read");
    assert_eq!(show(&mut r), ["repeatable read"]);
    assert_eq!(
        column(&ok(
            &mut r,
            "select current_setting('transaction_isolation')"
        )),
        ["repeatable read"]
    );
    ok(&mut r, "commit");
    assert_eq!(show(&mut r), ["read committed"]);

    // Before the first query the level may change; after it, only to itself (25001).
    ok(&mut r, "begin");
    ok(&mut r, "set transaction isolation level serializable");
    assert_eq!(show(&mut r), ["serializable"]);
    ok(&mut r, "select 1");
    ok(&mut r, "set transaction isolation level serializable");
    let m = q(&mut r, "set transaction isolation level read committed");
    assert_eq!(errors(&m), ["25001"]);
    assert_eq!(status(&m), 'E');
    ok(&mut r, "rollback");

    // Outside a block SET TRANSACTION warns (25P01) and changes nothing.
    let m = ok(&mut r, "set transaction isolation level serializable");
    assert_eq!(notices(&m), [("WARNING".to_string(), "25P01".to_string())]);
    assert_eq!(completions(&m), ["SET"]);
    assert_eq!(show(&mut r), ["read committed"]);

    // The session default: transaction_isolation follows it outside a block.
    ok(
        &mut r,
        "set session characteristics as transaction isolation level repeatable read",
    );
    assert_eq!(
        column(&ok(&mut r, "show default_transaction_isolation")),
        ["repeatable read"]
    );
    assert_eq!(show(&mut r), ["repeatable read"]);
    ok(&mut r, "begin");
    assert_eq!(show(&mut r), ["repeatable read"]);
    ok(&mut r, "commit");
    ok(
        &mut r,
        "set default_transaction_isolation = 'read uncommitted'",
    );
    assert_eq!(show(&mut r), ["read uncommitted"]);

    let m = q(&mut r, "set default_transaction_isolation = 'bogus'");
    assert_eq!(errors(&m), ["22023"]);
    let m = q(&mut r, "begin isolation level bogus");
    assert_eq!(errors(&m), ["42601"]);
    assert_eq!(status(&m), 'I');
}

// ---- The bank-transfer invariant ----

/// Figures of one bank run.
#[derive(Debug)]
struct Bank {
    commits: usize,
    retries: usize,
    total: i64,
}

impl std::fmt::Display for Bank {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let (c, r, t) = (self.commits, self.retries, self.total);
        write!(f, "{c} commits, {r} retries, total {t}")
    }
}

const ACCOUNTS: i32 = 5;
const OPENING: i64 = 1000;

/// 8 clients each commit `rounds` transfers between `ACCOUNTS` accounts at `level`,
/// retrying a transaction that fails with 40001 or 40P01. At REPEATABLE READ and
/// SERIALIZABLE a transfer reads both balances and writes absolute new ones (the
/// pattern that loses updates without isolation); at READ COMMITTED it writes
/// `bal = bal - x`, which is what is safe in PostgreSQL at that level.
async fn bank(url: &str, level: IsolationLevel, rounds: usize) -> Bank {
    const CLIENTS: usize = 8;
    let connect = || async {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(async move {
            let _ = conn.await;
        });
        client
    };
    let setup = connect().await;
    setup
        .batch_execute(
            "drop table if exists bank; create table bank (id integer primary key, bal integer)",
        )
        .await
        .unwrap();
    for id in 0..ACCOUNTS {
        setup
            .execute(
                "insert into bank values ($1, $2)",
                &[&id, &(OPENING as i32)],
            )
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for client_no in 0..CLIENTS {
        let mut client = connect().await;
        tasks.push(tokio::spawn(async move {
            // A small deterministic generator per client: the run is the same each time
            // (the interleaving is not).
            let mut seed = 0x9e37_79b9_u32.wrapping_mul(client_no as u32 + 1);
            let mut next = move || {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                seed
            };
            let (mut commits, mut retries) = (0, 0);
            for _ in 0..rounds {
                let from = (next() % ACCOUNTS as u32) as i32;
                let to = (from + 1 + (next() % (ACCOUNTS as u32 - 1)) as i32) % ACCOUNTS;
                let amount = (next() % 50) as i32 + 1;
                loop {
                    match transfer(&mut client, level, from, to, amount).await {
                        Ok(()) => break,
                        Err(e)
                            if e.code() == Some(&SqlState::T_R_SERIALIZATION_FAILURE)
                                || e.code() == Some(&SqlState::T_R_DEADLOCK_DETECTED) =>
                        {
                            retries += 1;
                            assert!(retries < 100_000, "client {client_no} starved");
                        }
                        Err(e) => panic!("client {client_no}: {e:?}"),
                    }
                }
                commits += 1;
            }
            (commits, retries)
        }));
    }
    let (mut commits, mut retries) = (0, 0);
    for t in tasks {
        let (c, r) = t.await.expect("client task");
        commits += c;
        retries += r;
    }
    let total: i64 = setup
        .query_one("select sum(bal)::bigint from bank", &[])
        .await
        .unwrap()
        .get(0);
    Bank {
        commits,
        retries,
        total,
    }
}

async fn transfer(
    client: &mut Client,
    level: IsolationLevel,
    from: i32,
    to: i32,
    amount: i32,
) -> Result<(), tokio_postgres::Error> {
    let tx = client
        .build_transaction()
        .isolation_level(level)
        .start()
        .await?;
    if matches!(level, IsolationLevel::ReadCommitted) {
        let debit = "update bank set bal = bal - $1 where id = $2";
        tx.execute(debit, &[&amount, &from]).await?;
        tx.execute(debit, &[&-amount, &to]).await?;
    } else {
        let read = "select bal from bank where id = $1";
        let a: i32 = tx.query_one(read, &[&from]).await?.get(0);
        let b: i32 = tx.query_one(read, &[&to]).await?.get(0);
        let write = "update bank set bal = $1 where id = $2";
        tx.execute(write, &[&(a - amount), &from]).await?;
        tx.execute(write, &[&(b + amount), &to]).await?;
    }
    tx.commit().await
}

async fn bank_on_litewire(level: IsolationLevel) {
    // A generous lock timeout: on a loaded machine a writer may queue behind seven.
    let s = Server::start(&["--lock-timeout", "60s"]);
    let figures = bank(&s.url("bank"), level, 30).await;
    eprintln!("litewire {level:?}: {figures}");
    assert_eq!(figures.commits, 8 * 30);
    assert_eq!(
        figures.total,
        i64::from(ACCOUNTS) * OPENING,
        "money was created or lost at {level:?}: {figures:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bank_invariant_read_committed() {
    bank_on_litewire(IsolationLevel::ReadCommitted).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bank_invariant_repeatable_read() {
    bank_on_litewire(IsolationLevel::RepeatableRead).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bank_invariant_serializable() {
    bank_on_litewire(IsolationLevel::Serializable).await;
}

/// The same bank script against a real PostgreSQL, to check the expectations above:
/// `LITEWIRE_REFERENCE_PG="host=127.0.0.1 port=5432 user=postgres dbname=x"
/// cargo test --test it isolation::bank_on_reference -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a PostgreSQL server (LITEWIRE_REFERENCE_PG)"]
async fn bank_on_reference_postgresql() {
    let url = std::env::var("LITEWIRE_REFERENCE_PG").expect("set LITEWIRE_REFERENCE_PG");
    for level in [
        IsolationLevel::ReadCommitted,
        IsolationLevel::RepeatableRead,
        IsolationLevel::Serializable,
    ] {
        let figures = bank(&url, level, 30).await;
        eprintln!("PostgreSQL {level:?}: {figures}");
        assert_eq!(figures.total, i64::from(ACCOUNTS) * OPENING);
    }
}

// ---- idle_in_transaction_session_timeout ----

/// Reads until the server closes; returns the (severity, SQLSTATE, message) of the
/// ErrorResponses it sent.
fn until_closed(r: &mut Raw) -> Vec<(String, String, String)> {
    r.until_closed()
        .iter()
        .filter(|m| m.tag == b'E')
        .map(|m| {
            (
                m.field(b'V').unwrap_or_default(),
                m.sqlstate().unwrap_or_default(),
                m.field(b'M').unwrap_or_default(),
            )
        })
        .collect()
}

fn idle_timeout_fatal() -> Vec<(String, String, String)> {
    vec![(
        "FATAL".into(),
        "25P03".into(),
        "terminating connection due to idle-in-transaction timeout".into(),
    )]
}

/// The session parameter: the idle session gets FATAL 25P03 and is closed, its
/// transaction rolled back and its connection free for others (here the only one).
#[test]
fn session_idle_in_transaction_is_ended_with_25p03() {
    let s = Server::start(&[
        "--connections-per-db",
        "1",
        "--idle-in-transaction-timeout",
        "0",
    ]);
    let (mut a, _) = Raw::session(s.port(), "idle");
    ok(&mut a, "create table t (id integer primary key)");
    ok(&mut a, "set idle_in_transaction_session_timeout = 200");
    assert_eq!(
        column(&ok(&mut a, "show idle_in_transaction_session_timeout")),
        ["200ms"]
    );
    ok(&mut a, "begin");
    ok(&mut a, "insert into t values (1)");
    assert_eq!(until_closed(&mut a), idle_timeout_fatal());

    let (mut b, _) = Raw::session(s.port(), "idle");
    assert_eq!(
        column(&ok(&mut b, "select count(*) from t")),
        ["0"],
        "the idle transaction was rolled back"
    );
    ok(&mut b, "insert into t values (2)");
}

/// A client that stops halfway through a message inside a transaction is as idle as
/// one that sends nothing: the whole message must arrive within the timeout, so the
/// connection (here the only one) is not held by a half-sent Query.
#[test]
fn half_sent_message_in_a_transaction_is_ended_too() {
    let s = Server::start(&[
        "--connections-per-db",
        "1",
        "--idle-in-transaction-timeout",
        "300ms",
    ]);
    let (mut a, _) = Raw::session(s.port(), "halfsent");
    ok(&mut a, "create table t (id integer primary key)");
    ok(&mut a, "begin");
    ok(&mut a, "insert into t values (1)");
    let whole = query("select 1");
    a.send(&whole[..whole.len() - 3]);
    assert_eq!(until_closed(&mut a), idle_timeout_fatal());

    let (mut b, _) = Raw::session(s.port(), "halfsent");
    assert_eq!(column(&ok(&mut b, "select count(*) from t")), ["0"]);
}

/// A failed block is still a transaction: it is ended too.
#[test]
fn failed_block_idle_is_ended_too() {
    let s = Server::start(&["--idle-in-transaction-timeout", "200ms"]);
    let (mut a, _) = Raw::session(s.port(), "failedidle");
    ok(&mut a, "begin");
    let m = q(&mut a, "select nosuch");
    assert_eq!(status(&m), 'E');
    assert_eq!(until_closed(&mut a), idle_timeout_fatal());
}

/// The reproduction: sessions idle in `BEGIN; SELECT ...` hold every connection
/// of the database. With the server-wide timeout, they are ended and another session
/// gets a connection instead of 53300.
#[tokio::test]
async fn idle_transactions_no_longer_lock_a_database_out() {
    let s = Server::start(&[
        "--connections-per-db",
        "2",
        "--idle-in-transaction-timeout",
        "300ms",
        "--lock-timeout",
        "60s",
    ]);
    let setup = s.connect("lockout").await;
    setup
        .batch_execute("create table t (id integer primary key); insert into t values (1)")
        .await
        .unwrap();
    drop(setup);
    // The idle sessions' connection futures end when the server closes them.
    let mut idle = Vec::new();
    for _ in 0..2 {
        let (c, conn) = tokio_postgres::connect(&s.url("lockout"), tokio_postgres::NoTls)
            .await
            .unwrap();
        let ended = tokio::spawn(conn);
        c.batch_execute("begin; select * from t").await.unwrap();
        idle.push((c, ended));
    }
    let other = s.connect("lockout").await;
    assert_eq!(
        rows(&other, "select count(*) from t").await,
        vec![vec![Some("1".into())]]
    );
    for (_client, ended) in idle {
        let end = tokio::time::timeout(GUARD, ended)
            .await
            .expect("an idle transaction survived its timeout")
            .unwrap();
        let e = end.expect_err("closed without an error");
        assert_eq!(sqlstate(&e), "25P03", "{e:?}");
    }
}

/// The server-wide default applies to every session and shows as the parameter's
/// value; a session's SET overrides it (0: never); idling outside a transaction is
/// never cut. No clock is read: session `c`, which starts idling last, being ended
/// proves the timeout passed for the others.
#[test]
fn server_default_session_override_and_idle_outside_a_transaction() {
    let s = Server::start(&["--idle-in-transaction-timeout", "300ms"]);
    let (mut outside, _) = Raw::session(s.port(), "flag");
    assert_eq!(
        column(&ok(
            &mut outside,
            "show idle_in_transaction_session_timeout"
        )),
        ["300ms"]
    );
    let (mut exempt, _) = Raw::session(s.port(), "flag");
    ok(&mut exempt, "set idle_in_transaction_session_timeout = 0");
    ok(&mut exempt, "begin");
    ok(&mut exempt, "select 1");
    let (mut c, _) = Raw::session(s.port(), "flag");
    ok(&mut c, "begin");
    assert_eq!(until_closed(&mut c), idle_timeout_fatal());

    assert_eq!(column(&ok(&mut outside, "select 1")), ["1"]);
    let m = ok(&mut exempt, "select 2");
    assert_eq!(column(&m), ["2"]);
    assert_eq!(status(&m), 'T');
    ok(&mut exempt, "commit");
    ok(&mut exempt, "reset idle_in_transaction_session_timeout");
    assert_eq!(
        column(&ok(&mut exempt, "show idle_in_transaction_session_timeout")),
        ["300ms"]
    );
}
