//! Transactions: PostgreSQL's transaction-block state machine (ReadyForQuery status,
//! failed blocks, savepoints, warnings, implicit transactions of multi-statement
//! messages), isolation between sessions, and how concurrent writers share SQLite's
//! single write lock.

use std::time::Duration;

use crate::common::{rows, sqlstate, Server};
use crate::wire::{self, Msg, Raw};

/// Hang guard for anything that should answer quickly.
pub(crate) const GUARD: Duration = Duration::from_secs(10);

/// Sends one Query message and reads the replies up to ReadyForQuery.
pub(crate) fn q(r: &mut Raw, sql: &str) -> Vec<Msg> {
    r.send(&wire::query(sql));
    let msgs = r.until_ready();
    assert_eq!(
        msgs.last().map(|m| m.tag),
        Some(b'Z'),
        "{sql}: no ReadyForQuery in {}",
        wire::tags(&msgs)
    );
    msgs
}

/// The transaction status byte of the final ReadyForQuery.
pub(crate) fn status(msgs: &[Msg]) -> char {
    let z = msgs.last().expect("messages");
    assert_eq!(z.tag, b'Z', "last message is not ReadyForQuery");
    z.body[0] as char
}

/// SQLSTATEs of the ErrorResponses.
pub(crate) fn errors(msgs: &[Msg]) -> Vec<String> {
    msgs.iter()
        .filter(|m| m.tag == b'E')
        .map(|m| m.sqlstate().unwrap_or_default())
        .collect()
}

/// (severity, SQLSTATE) of the NoticeResponses.
pub(crate) fn notices(msgs: &[Msg]) -> Vec<(String, String)> {
    msgs.iter()
        .filter(|m| m.tag == b'N')
        .map(|m| {
            (
                m.field(b'V').or_else(|| m.field(b'S')).unwrap_or_default(),
                m.sqlstate().unwrap_or_default(),
            )
        })
        .collect()
}

/// CommandComplete tags.
pub(crate) fn completions(msgs: &[Msg]) -> Vec<String> {
    msgs.iter()
        .filter(|m| m.tag == b'C')
        .map(|m| m.tag_text())
        .collect()
}

/// The single-column rows of a query, as text.
pub(crate) fn column(msgs: &[Msg]) -> Vec<String> {
    msgs.iter()
        .filter(|m| m.tag == b'D')
        .map(|m| {
            // DataRow: int16 column count, then int32 length + bytes.
            let len = i32::from_be_bytes([m.body[2], m.body[3], m.body[4], m.body[5]]);
            assert!(len >= 0, "NULL in column()");
            String::from_utf8_lossy(&m.body[6..6 + len as usize]).into_owned()
        })
        .collect()
}

/// Runs `sql` and expects success with no error.
pub(crate) fn ok(r: &mut Raw, sql: &str) -> Vec<Msg> {
    let msgs = q(r, sql);
    assert!(
        errors(&msgs).is_empty(),
        "{sql}: unexpected error {:?}",
        msgs.iter()
            .filter(|m| m.tag == b'E')
            .map(|m| m.field(b'M'))
            .collect::<Vec<_>>()
    );
    msgs
}

pub(crate) fn ids(r: &mut Raw) -> Vec<String> {
    column(&ok(r, "select id from t order by id"))
}

pub(crate) async fn count(c: &tokio_postgres::Client, table: &str) -> i64 {
    let v = rows(c, &format!("select count(*) from {table}")).await;
    v[0][0].as_deref().unwrap().parse().unwrap()
}

pub(crate) async fn client_ids(c: &tokio_postgres::Client) -> Vec<String> {
    rows(c, "select id from t order by id")
        .await
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect()
}

pub(crate) fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn ready_for_query_reports_transaction_status() {
    let s = Server::start(&[]);
    let (mut r, startup) = Raw::session(s.port(), "rfq");
    assert_eq!(status(&startup), 'I');
    assert_eq!(
        status(&ok(&mut r, "create table t (id integer primary key)")),
        'I'
    );
    // An error outside a block leaves the session idle.
    let m = q(&mut r, "select * from nope");
    assert_eq!(errors(&m), ["42P01"]);
    assert_eq!(status(&m), 'I');

    assert_eq!(status(&ok(&mut r, "begin")), 'T');
    assert_eq!(status(&ok(&mut r, "insert into t values (1)")), 'T');
    assert_eq!(status(&ok(&mut r, "select id from t")), 'T');
    let m = q(&mut r, "insert into t values (1)");
    assert_eq!(errors(&m), ["23505"]);
    assert_eq!(status(&m), 'E');
    let m = ok(&mut r, "rollback");
    assert_eq!(completions(&m), ["ROLLBACK"]);
    assert_eq!(status(&m), 'I');
    assert!(ids(&mut r).is_empty(), "the rolled back insert is gone");

    // START TRANSACTION / END are the same thing.
    assert_eq!(status(&ok(&mut r, "start transaction")), 'T');
    assert_eq!(status(&ok(&mut r, "insert into t values (2)")), 'T');
    assert_eq!(status(&ok(&mut r, "end")), 'I');
    assert_eq!(ids(&mut r), ["2"]);
}

#[test]
fn failed_block_refuses_everything_until_rollback_and_commit_rolls_back() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "failed");
    ok(&mut r, "create table t (id integer primary key)");
    ok(&mut r, "insert into t values (100)");
    ok(&mut r, "begin");
    ok(&mut r, "insert into t values (1)");
    ok(&mut r, "update t set id = 101 where id = 100");
    let m = q(&mut r, "insert into t values (1)");
    assert_eq!(errors(&m), ["23505"]);
    assert_eq!(status(&m), 'E');
    for sql in [
        "select 1",
        "insert into t values (2)",
        "select * from nope",
        "create table u (a int)",
        "savepoint a",
        "release savepoint a",
        "begin",
        "set timezone = 'UTC'",
        "show timezone",
        // A multi-statement message is refused at its first statement.
        "select 1; select 2",
    ] {
        let m = q(&mut r, sql);
        assert_eq!(errors(&m), ["25P02"], "{sql}");
        assert!(
            !m.iter().any(|m| m.tag == b'D' || m.tag == b'C'),
            "{sql}: a statement ran in a failed block: {}",
            wire::tags(&m)
        );
        assert_eq!(status(&m), 'E', "{sql}");
    }
    // COMMIT of a failed block rolls back, and says so in its tag.
    let m = q(&mut r, "commit");
    assert!(
        errors(&m).is_empty(),
        "COMMIT of a failed block is not an error"
    );
    assert_eq!(completions(&m), ["ROLLBACK"]);
    assert_eq!(status(&m), 'I');
    // None of the block's writes survived, including those before the error.
    assert_eq!(ids(&mut r), ["100"]);
    // The session works normally afterwards.
    ok(&mut r, "insert into t values (3)");
    assert_eq!(ids(&mut r), ["3", "100"]);

    // The same with ROLLBACK, and ABORT as its synonym.
    ok(&mut r, "begin");
    ok(&mut r, "delete from t");
    assert_eq!(errors(&q(&mut r, "select nope()")), ["42883"]);
    let m = ok(&mut r, "abort");
    assert_eq!(completions(&m), ["ROLLBACK"]);
    assert_eq!(status(&m), 'I');
    assert_eq!(ids(&mut r), ["3", "100"]);
}

#[test]
fn savepoints_roll_back_part_of_a_block() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "savepoints");
    ok(&mut r, "create table t (id integer primary key)");

    ok(&mut r, "begin");
    ok(&mut r, "insert into t values (1)");
    assert_eq!(completions(&ok(&mut r, "savepoint a")), ["SAVEPOINT"]);
    ok(&mut r, "insert into t values (2)");
    let m = q(&mut r, "insert into t values (2)");
    assert_eq!(errors(&m), ["23505"]);
    assert_eq!(status(&m), 'E');
    let m = ok(&mut r, "rollback to savepoint a");
    assert_eq!(completions(&m), ["ROLLBACK"]);
    assert_eq!(status(&m), 'T', "ROLLBACK TO leaves the failed state");
    // Inside the block, the write after the savepoint is gone and the one before is not.
    assert_eq!(ids(&mut r), ["1"]);
    // The savepoint still exists after ROLLBACK TO (as in PostgreSQL).
    ok(&mut r, "insert into t values (3)");
    ok(&mut r, "rollback to a");
    ok(&mut r, "insert into t values (4)");
    assert_eq!(completions(&ok(&mut r, "commit")), ["COMMIT"]);
    assert_eq!(ids(&mut r), ["1", "4"]);

    // RELEASE keeps the writes and forgets the savepoint.
    ok(&mut r, "begin");
    ok(&mut r, "savepoint b");
    ok(&mut r, "insert into t values (10)");
    assert_eq!(completions(&ok(&mut r, "release savepoint b")), ["RELEASE"]);
    let m = q(&mut r, "rollback to savepoint b");
    assert_eq!(errors(&m), ["3B001"], "a released savepoint is gone");
    assert_eq!(status(&m), 'E');
    ok(&mut r, "rollback");
    ok(&mut r, "begin");
    ok(&mut r, "savepoint c");
    ok(&mut r, "insert into t values (11)");
    ok(&mut r, "savepoint d");
    ok(&mut r, "insert into t values (12)");
    ok(&mut r, "release c"); // releases d too
    ok(&mut r, "commit");
    assert_eq!(ids(&mut r), ["1", "4", "11", "12"]);

    // Nested: rolling back to an outer savepoint undoes the inner ones' writes.
    ok(&mut r, "begin");
    ok(&mut r, "savepoint outer_sp");
    ok(&mut r, "insert into t values (20)");
    ok(&mut r, "savepoint inner_sp");
    ok(&mut r, "insert into t values (21)");
    ok(&mut r, "rollback to savepoint outer_sp");
    ok(&mut r, "insert into t values (22)");
    ok(&mut r, "commit");
    assert_eq!(ids(&mut r), ["1", "4", "11", "12", "22"]);

    // Outside a block: 25P01, as PostgreSQL.
    for sql in [
        "savepoint a",
        "release savepoint a",
        "rollback to savepoint a",
    ] {
        let m = q(&mut r, sql);
        assert_eq!(errors(&m), ["25P01"], "{sql}");
        assert_eq!(status(&m), 'I', "{sql}");
    }

    // ROLLBACK TO an unknown savepoint: 3B001, and the block fails.
    ok(&mut r, "begin");
    ok(&mut r, "insert into t values (30)");
    let m = q(&mut r, "rollback to savepoint nope");
    assert_eq!(errors(&m), ["3B001"]);
    assert_eq!(status(&m), 'E');
    assert_eq!(completions(&ok(&mut r, "commit")), ["ROLLBACK"]);
    assert_eq!(ids(&mut r), ["1", "4", "11", "12", "22"]);
}

#[test]
fn begin_in_a_block_and_commit_outside_one_are_warnings() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "warnings");
    ok(&mut r, "create table t (id integer primary key)");
    ok(&mut r, "begin");
    ok(&mut r, "insert into t values (1)");
    let m = ok(&mut r, "begin");
    assert_eq!(
        notices(&m),
        [("WARNING".to_string(), "25001".to_string())],
        "{}",
        wire::tags(&m)
    );
    assert_eq!(completions(&m), ["BEGIN"]);
    assert_eq!(status(&m), 'T');
    // The second BEGIN did not disturb the block.
    ok(&mut r, "insert into t values (2)");
    let m = ok(&mut r, "commit");
    assert!(notices(&m).is_empty());
    assert_eq!(completions(&m), ["COMMIT"]);
    assert_eq!(ids(&mut r), ["1", "2"]);

    let m = ok(&mut r, "commit");
    assert_eq!(notices(&m), [("WARNING".to_string(), "25P01".to_string())]);
    assert_eq!(completions(&m), ["COMMIT"]);
    assert_eq!(status(&m), 'I');
    let m = ok(&mut r, "rollback");
    assert_eq!(notices(&m), [("WARNING".to_string(), "25P01".to_string())]);
    assert_eq!(completions(&m), ["ROLLBACK"]);
    assert_eq!(status(&m), 'I');
    assert_eq!(wire::tags(&m), "NCZ");
}

#[test]
fn multi_statement_query_is_one_implicit_transaction() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "implicit");
    ok(&mut r, "create table t (id integer primary key)");

    // An error rolls back every statement of the message, even those that completed.
    let m = q(&mut r, "insert into t values (1); insert into t values (1)");
    assert_eq!(completions(&m), ["INSERT 0 1"]);
    assert_eq!(errors(&m), ["23505"]);
    assert_eq!(status(&m), 'I');
    assert!(ids(&mut r).is_empty(), "neither row may be stored");

    // Statements after the error do not run.
    let m = q(
        &mut r,
        "insert into t values (5); select * from nope; insert into t values (6)",
    );
    assert_eq!(errors(&m), ["42P01"]);
    assert_eq!(completions(&m), ["INSERT 0 1"]);
    assert!(ids(&mut r).is_empty());

    // PostgreSQL 15: COMMIT inside the implicit transaction commits it (with a 25P01
    // warning); what follows runs in a new implicit transaction.
    let m = q(
        &mut r,
        "insert into t values (2); commit; insert into t values (2)",
    );
    assert_eq!(completions(&m), ["INSERT 0 1", "COMMIT"]);
    assert_eq!(notices(&m), [("WARNING".to_string(), "25P01".to_string())]);
    assert_eq!(errors(&m), ["23505"]);
    assert_eq!(status(&m), 'I');
    assert_eq!(ids(&mut r), ["2"]);

    // ROLLBACK likewise rolls the implicit transaction back, with a warning.
    let m = q(
        &mut r,
        "insert into t values (20); rollback; insert into t values (21)",
    );
    assert_eq!(completions(&m), ["INSERT 0 1", "ROLLBACK", "INSERT 0 1"]);
    assert_eq!(notices(&m), [("WARNING".to_string(), "25P01".to_string())]);
    assert!(errors(&m).is_empty());
    assert_eq!(ids(&mut r), ["2", "21"]);

    // BEGIN in the middle turns the implicit transaction into a block, including the
    // statements before it.
    let m = ok(
        &mut r,
        "insert into t values (7); begin; insert into t values (8)",
    );
    assert_eq!(status(&m), 'T');
    let m = ok(&mut r, "rollback");
    assert_eq!(status(&m), 'I');
    assert_eq!(
        ids(&mut r),
        ["2", "21"],
        "7 was part of the rolled back block"
    );

    // Without an error, all statements commit.
    let m = ok(
        &mut r,
        "insert into t values (30); insert into t values (31)",
    );
    assert_eq!(completions(&m), ["INSERT 0 1", "INSERT 0 1"]);
    assert_eq!(status(&m), 'I');
    assert_eq!(ids(&mut r), ["2", "21", "30", "31"]);
}

#[test]
fn a_syntax_error_anywhere_in_a_message_runs_nothing() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "syntax_first");
    ok(&mut r, "create table t (id integer primary key)");
    // PostgreSQL parses the whole message first: the BEGIN does not run, so the session
    // is not left in a failed block (psql's `\;` reaching the server as is).
    let m = q(
        &mut r,
        "START TRANSACTION ISOLATION LEVEL REPEATABLE READ\\; INSERT INTO t VALUES (16)",
    );
    assert_eq!(errors(&m), ["42601"]);
    assert!(completions(&m).is_empty());
    assert_eq!(status(&m), 'I');
    let m = q(&mut r, "begin; insert into t values (1); commit\\");
    assert_eq!(errors(&m), ["42601"]);
    assert!(completions(&m).is_empty());
    assert_eq!(status(&m), 'I');
    assert!(ids(&mut r).is_empty());
}

#[test]
fn whole_transaction_in_one_query_message() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "onemsg");
    ok(&mut r, "create table t (id integer primary key)");
    let m = ok(
        &mut r,
        "begin; insert into t values (1); insert into t values (2); commit",
    );
    assert_eq!(
        completions(&m),
        ["BEGIN", "INSERT 0 1", "INSERT 0 1", "COMMIT"]
    );
    assert_eq!(status(&m), 'I');
    // Committed: another session sees it.
    let (mut other, _) = Raw::session(s.port(), "onemsg");
    assert_eq!(ids(&mut other), ["1", "2"]);

    // An error inside leaves an explicit block failed (the COMMIT in the same message
    // is not reached), as PostgreSQL does.
    let m = q(
        &mut r,
        "begin; insert into t values (3); insert into t values (3); commit",
    );
    assert_eq!(completions(&m), ["BEGIN", "INSERT 0 1"]);
    assert_eq!(errors(&m), ["23505"]);
    assert_eq!(status(&m), 'E');
    assert_eq!(completions(&ok(&mut r, "commit")), ["ROLLBACK"]);
    assert_eq!(ids(&mut r), ["1", "2"]);

    // A message may also open a block that later messages close.
    let m = ok(&mut r, "begin; insert into t values (4)");
    assert_eq!(status(&m), 'T');
    assert_eq!(ids(&mut other), ["1", "2"], "not yet committed");
    let m = ok(&mut r, "insert into t values (5); commit");
    assert_eq!(status(&m), 'I');
    assert_eq!(ids(&mut other), ["1", "2", "4", "5"]);
}

#[tokio::test]
async fn read_only_transactions_refuse_writes() {
    let s = Server::start(&[]);
    let c = s.connect("readonly").await;
    c.simple_query("create table t (id integer primary key)")
        .await
        .unwrap();
    c.simple_query("begin read only").await.unwrap();
    let r = c.simple_query("insert into t values (1)").await;
    let _ = c.simple_query("rollback").await;
    match r {
        Ok(_) => panic!("a write succeeded inside BEGIN READ ONLY"),
        Err(e) => assert_eq!(sqlstate(&e), "25006", "{e}"),
    }
    c.simple_query("start transaction read only").await.unwrap();
    let r = c.simple_query("delete from t").await;
    let _ = c.simple_query("rollback").await;
    let Err(e) = r else {
        panic!("a write succeeded inside a read-only transaction");
    };
    assert_eq!(sqlstate(&e), "25006");
}

/// PostgreSQL lets a read-only transaction change temporary tables, and nothing else —
/// also after it changed one (checked against PostgreSQL 15).
#[tokio::test]
async fn read_only_transactions_may_change_temporary_tables() {
    let s = Server::start(&[]);
    let c = s.connect("readonly_temp").await;
    c.batch_execute(
        "create table w (a int); insert into w values (1);
         create temp table tt (a int); insert into tt values (1), (2);
         set session characteristics as transaction read only;
         delete from tt where a = 2;
         update tt set a = 0 from w where tt.a = 1 and w.a = tt.a;
         insert into tt values (3)",
    )
    .await
    .unwrap();
    for sql in [
        "delete from w",
        "insert into w values (2)",
        "begin; update tt set a = 7; update w set a = 7",
    ] {
        let e = c.batch_execute(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), "25006", "{sql}");
        c.batch_execute("rollback").await.unwrap();
    }
    assert_eq!(
        rows(&c, "select a from tt order by a").await,
        [[Some("0".to_string())], [Some("3".to_string())]]
    );
    assert_eq!(rows(&c, "select a from w").await, [[Some("1".to_string())]]);
}

/// Drivers send these (pgjdbc's setTransactionIsolation, SQLAlchemy's isolation_level,
/// psycopg's set_session): PostgreSQL answers SET.
#[test]
fn set_transaction_is_accepted() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "settx");
    ok(&mut r, "begin");
    let m = q(&mut r, "set transaction isolation level serializable");
    assert!(errors(&m).is_empty(), "SET TRANSACTION: {:?}", errors(&m));
    assert_eq!(completions(&m), ["SET"]);
    assert_eq!(status(&m), 'T');
    ok(&mut r, "commit");
    let m = q(
        &mut r,
        "set session characteristics as transaction isolation level read committed",
    );
    assert!(
        errors(&m).is_empty(),
        "SET SESSION CHARACTERISTICS: {:?}",
        errors(&m)
    );
    assert_eq!(completions(&m), ["SET"]);
}

#[test]
fn commit_and_chain_starts_the_next_transaction() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "chain");
    ok(&mut r, "create table t (id integer primary key)");
    ok(&mut r, "begin");
    ok(&mut r, "insert into t values (1)");
    let m = ok(&mut r, "commit and chain");
    assert_eq!(completions(&m), ["COMMIT"]);
    assert_eq!(status(&m), 'T', "COMMIT AND CHAIN opens the next block");
    ok(&mut r, "insert into t values (2)");
    let m = ok(&mut r, "rollback and chain");
    assert_eq!(status(&m), 'T');
    ok(&mut r, "rollback");
    assert_eq!(ids(&mut r), ["1"]);
}

#[test]
fn start_transaction_has_its_own_tag() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "starttag");
    let m = ok(&mut r, "start transaction");
    assert_eq!(status(&m), 'T');
    assert_eq!(completions(&m), ["START TRANSACTION"]);
}
