//! Hostile client bytes (issue 8): what a 25-byte message or a fuzzer's input can do to
//! the server. Each reproduction is answered as PostgreSQL 15 answers it (SQLSTATEs and
//! texts checked against it), the session survives unless PostgreSQL ends it too, and
//! the server's log has no panic.

use crate::common::{sqlstate, Server};
use crate::wire::{self, message, query, Msg, Raw};

/// A Parse of `sql` (unnamed statement, no parameter types) followed by Sync.
fn parse_sync(sql: &str) -> Vec<u8> {
    let mut body = vec![0];
    body.extend_from_slice(sql.as_bytes());
    body.extend_from_slice(&[0, 0, 0]);
    let mut m = message(b'P', &body);
    m.extend(message(b'S', b""));
    m
}

/// The first ErrorResponse in `msgs`, as (severity, SQLSTATE, message).
fn error(msgs: &[Msg]) -> (String, String, String) {
    let e = msgs
        .iter()
        .find(|m| m.tag == b'E')
        .unwrap_or_else(|| panic!("no error in {}: {msgs:?}", wire::tags(msgs)));
    (
        e.field(b'S').unwrap_or_default(),
        e.sqlstate().unwrap_or_default(),
        e.field(b'M').unwrap_or_default(),
    )
}

/// The reply ends with ReadyForQuery and has no FATAL or XX000 error.
fn assert_no_internal_error(sql: &str, msgs: &[Msg]) {
    assert_eq!(msgs.last().map(|m| m.tag), Some(b'Z'), "{sql}: {msgs:?}");
    for e in msgs.iter().filter(|m| m.tag == b'E') {
        assert_eq!(e.field(b'S').as_deref(), Some("ERROR"), "{sql}: {msgs:?}");
        assert_ne!(e.sqlstate().as_deref(), Some("XX000"), "{sql}: {msgs:?}");
    }
}

fn assert_select_one(r: &mut Raw) {
    r.send(&query("select 1"));
    let msgs = r.until_ready();
    assert_eq!(wire::tags(&msgs), "TDCZ", "{msgs:?}");
}

/// Fails if the server logged a panic (up to a fresh session's own log line).
fn assert_no_panic_logged(s: &Server) {
    let (_r, _) = Raw::session(s.port(), "logmark");
    let log = s.log_until(|l| l.contains("session started") && l.contains("logmark"));
    let panics: Vec<&String> = log.iter().filter(|l| l.contains("panic")).collect();
    assert!(panics.is_empty(), "{panics:#?}");
}

/// A 25-byte Parse of `SELECT $2147483648` made the server allocate 8 GiB (a vector sized
/// by the parameter number). PostgreSQL: 42P02 "there is no parameter $n"; a Bind can
/// carry at most 65535 values, so no larger number is accepted.
#[test]
fn a_huge_parameter_number_is_refused_before_allocating() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "params");
    let before = s.rss_kib();
    for (sql, n) in [
        ("SELECT $2147483648", "2147483648"),
        ("SELECT $100000000", "100000000"),
        ("SELECT $65536", "65536"),
        ("SELECT $0", "0"),
        ("SELECT $99999999999999999999999", "99999999999999999999999"),
    ] {
        r.send(&parse_sync(sql));
        let msgs = r.until_ready();
        let (severity, code, text) = error(&msgs);
        assert_eq!(
            (severity.as_str(), code.as_str()),
            ("ERROR", "42P02"),
            "{sql}"
        );
        assert_eq!(text, format!("there is no parameter ${n}"));
        assert_select_one(&mut r);
    }
    // The same in a simple Query.
    r.send(&query("SELECT $2147483648"));
    assert_eq!(error(&r.until_ready()).1, "42P02");
    // Nothing near the 8 GiB (or 437 MB for $100000000) that these used to take.
    let grown = s.rss_kib().saturating_sub(before);
    assert!(grown < 64 << 10, "RSS grew by {grown} KiB");
    // The highest number a Bind can fill is still accepted.
    r.send(&parse_sync("SELECT $65535::int4 IS NULL"));
    assert_eq!(wire::tags(&r.until_ready()), "1Z");
    assert_no_panic_logged(&s);
}

#[tokio::test]
async fn a_huge_parameter_number_through_tokio_postgres() {
    let s = Server::start(&[]);
    let c = s.connect("params").await;
    let e = c.prepare("SELECT $70000").await.unwrap_err();
    assert_eq!(sqlstate(&e), "42P02");
    assert_eq!(
        c.query_one("SELECT 1", &[]).await.unwrap().get::<_, i32>(0),
        1
    );
}

/// Truncated Bind and Parse bodies panicked inside the message decoder. PostgreSQL
/// reads bodies with bounds checks: an ERROR 08P01 with its own texts, the rest of the
/// pipeline skipped until Sync, and the session goes on (the frame was length-delimited).
#[test]
fn truncated_and_garbled_bodies_are_protocol_violations() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "garbled");
    let cases: &[(u8, &[u8], &str)] = &[
        (b'B', b"\0\0\0\x01", "insufficient data left in message"),
        (
            b'B',
            b"\0\0\0\0\0\x01\0\0\0\x10ab",
            "insufficient data left in message",
        ),
        (
            b'B',
            b"\0\0\0\0\xff\xff",
            "insufficient data left in message",
        ),
        (
            b'P',
            b"\0SELECT 1\0\0\x05",
            "insufficient data left in message",
        ),
        (b'P', b"\0SELECT 1", "invalid string in message"),
        (b'P', b"\0SELECT 1\0\0\0junk", "invalid message format"),
        (b'E', b"\0\0\0", "insufficient data left in message"),
        (b'D', b"S", "invalid string in message"),
        (b'C', b"", "no data left in message"),
    ];
    for (tag, body, text) in cases {
        let mut m = message(*tag, body);
        // Skipped: the pipeline is in error until Sync.
        m.extend(message(b'E', b"\0\0\0\0\0"));
        m.extend(message(b'S', b""));
        r.send(&m);
        let msgs = r.until_ready();
        assert_eq!(wire::tags(&msgs), "EZ", "{body:?}: {msgs:?}");
        assert_eq!(
            error(&msgs),
            ("ERROR".into(), "08P01".into(), text.to_string()),
            "{body:?}"
        );
        assert_select_one(&mut r);
    }
    // A Sync with a body: an error and ReadyForQuery, as PostgreSQL.
    r.send(&message(b'S', b"xx"));
    let msgs = r.until_ready();
    assert_eq!(wire::tags(&msgs), "EZ", "{msgs:?}");
    assert_eq!(error(&msgs).2, "invalid message format");
    assert_select_one(&mut r);
    assert_no_panic_logged(&s);
}

/// A multibyte character where the SQL parsers slice text by byte offsets
/// (`not a char boundary`). PostgreSQL: syntax errors; here an error of some kind, never
/// a panic or a lost session.
#[test]
fn multibyte_identifiers_give_errors_not_panics() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "multibyte");
    r.send(&parse_sync("SELECT $€"));
    let (_, code, text) = error(&r.until_ready());
    assert_eq!(code, "42601", "{text}");
    r.send(&query("SELECT $€"));
    assert_eq!(error(&r.until_ready()).1, "42601");
    for sql in [
        "SAVEPOINT `é",
        "SELECT $1é",
        "DECLARE é CURSOR FOR SELECT $€",
    ] {
        r.send(&query("BEGIN"));
        r.until_ready();
        // A savepoint named `é` is accepted (SQLite reads the quote); the others fail.
        r.send(&query(sql));
        assert_no_internal_error(sql, &r.until_ready());
        r.send(&query("ROLLBACK"));
        r.until_ready();
        r.send(&parse_sync(sql));
        assert_no_internal_error(sql, &r.until_ready());
        assert_select_one(&mut r);
    }
    assert_no_panic_logged(&s);
}

/// `SET statement_timeout` to more than an `Instant` can hold made the next query
/// panic. PostgreSQL's range is 0 ..= INT_MAX milliseconds.
#[test]
fn a_huge_statement_timeout_is_out_of_range() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "timeout");
    for name in [
        "statement_timeout",
        "lock_timeout",
        "idle_in_transaction_session_timeout",
    ] {
        r.send(&query(&format!("SET {name} = '99999999999'")));
        let msgs = r.until_ready();
        let (_, code, text) = error(&msgs);
        assert_eq!(code, "22023");
        assert_eq!(
            text,
            format!("invalid value for parameter \"{name}\": \"99999999999\"")
        );
        r.send(&query(&format!("SET {name} = -1")));
        let (_, code, text) = error(&r.until_ready());
        assert_eq!(code, "22023");
        assert_eq!(
            text,
            format!("-1 ms is outside the valid range for parameter \"{name}\" (0 .. 2147483647)")
        );
    }
    // The largest value is accepted, and a query runs under it.
    r.send(&query("SET statement_timeout = 2147483647"));
    assert_eq!(wire::tags(&r.until_ready()), "CZ");
    assert_select_one(&mut r);
    assert_no_panic_logged(&s);
}

/// Invalid UTF-8 in query text was stored as U+FFFD. PostgreSQL: 22021 naming the bytes.
#[test]
fn invalid_utf8_is_refused_with_22021() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "utf8");
    r.send(&query("CREATE TABLE t (a text)"));
    r.until_ready();
    r.send(&message(b'Q', b"INSERT INTO t VALUES ('\xc3\x28')\0"));
    let msgs = r.until_ready();
    assert_eq!(
        error(&msgs),
        (
            "ERROR".into(),
            "22021".into(),
            "invalid byte sequence for encoding \"UTF8\": 0xc3 0x28".into()
        )
    );
    // In Parse, and in a statement name.
    r.send(&message(b'P', b"\0SELECT '\xff'\0\0\0"));
    r.send(&message(b'S', b""));
    assert_eq!(error(&r.until_ready()).1, "22021");
    r.send(&message(b'P', b"\xe9\0SELECT 1\0\0\0"));
    r.send(&message(b'S', b""));
    let (_, code, text) = error(&r.until_ready());
    assert_eq!(code, "22021");
    assert_eq!(text, "invalid byte sequence for encoding \"UTF8\": 0xe9");
    // Nothing was stored.
    r.send(&query("SELECT count(*) FROM t"));
    let msgs = r.until_ready();
    assert_eq!(wire::tags(&msgs), "TDCZ");
    assert!(msgs[1].body.ends_with(b"0"), "{msgs:?}");
    assert_no_panic_logged(&s);
}

/// An unknown message type ends the session, as in PostgreSQL, with its text.
#[test]
fn an_unknown_message_type_is_fatal() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "unknown");
    r.send(&message(b'p', b"secret\0"));
    let msgs = r.until_closed();
    assert_eq!(
        error(&msgs),
        (
            "FATAL".into(),
            "08P01".into(),
            "invalid frontend message type 112".into()
        )
    );
    assert_no_panic_logged(&s);
}
