//! Wire-protocol edge cases through the raw client: startup negotiation, framing and
//! size limits, malformed input, connection limits, and the exact shape of replies.

use std::io::{ErrorKind, Read};

use crate::common::Server;
use crate::wire::{self, message, query, Msg, Raw};

pub(crate) const PROTOCOL_3_0: u32 = 196608;
pub(crate) const PROTOCOL_3_2: u32 = 196610;
pub(crate) const PROTOCOL_2_0: u32 = 131072;
pub(crate) const SSL_REQUEST: u32 = 80877103;
pub(crate) const GSSENC_REQUEST: u32 = 80877104;

/// A startup-phase request packet: length 8 and a request code.
pub(crate) fn request_packet(code: u32) -> Vec<u8> {
    let mut p = 8u32.to_be_bytes().to_vec();
    p.extend_from_slice(&code.to_be_bytes());
    p
}

/// Reads raw bytes until the server closes the connection and decodes them into
/// messages. Panics if the read timeout (20 s) expires first: the server must close the
/// socket, not just go quiet. A connection reset also counts as closed.
pub(crate) fn closed(r: &mut Raw) -> Vec<Msg> {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match r.stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                panic!(
                    "the server did not close the connection (read timed out); got so far: {:?}",
                    parse(&bytes)
                )
            }
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => panic!("read failed: {e}"),
        }
    }
    parse(&bytes)
}

/// Splits a byte stream into backend messages; panics on a truncated message.
fn parse(mut bytes: &[u8]) -> Vec<Msg> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        assert!(bytes.len() >= 5, "truncated message header: {bytes:?}");
        let len = u32::from_be_bytes(bytes[1..5].try_into().unwrap()) as usize;
        assert!(
            len >= 4 && bytes.len() > len,
            "truncated message: {bytes:?}"
        );
        out.push(Msg {
            tag: bytes[0],
            body: bytes[5..1 + len].to_vec(),
        });
        bytes = &bytes[1 + len..];
    }
    out
}

/// Asserts that `msgs` is exactly one FATAL ErrorResponse with SQLSTATE `code`.
pub(crate) fn assert_single_fatal(msgs: &[Msg], code: &str) {
    assert_eq!(
        wire::tags(msgs),
        "E",
        "expected one ErrorResponse: {msgs:?}"
    );
    assert_eq!(msgs[0].field(b'S').as_deref(), Some("FATAL"), "{msgs:?}");
    assert_eq!(msgs[0].field(b'V').as_deref(), Some("FATAL"), "{msgs:?}");
    assert_eq!(msgs[0].sqlstate().as_deref(), Some(code), "{msgs:?}");
}

/// Asserts that a completed startup is AuthenticationOk ... ReadyForQuery(idle).
pub(crate) fn assert_started(msgs: &[Msg]) {
    let tags = wire::tags(msgs);
    assert!(
        tags.starts_with('R') && tags.ends_with('Z') && !tags.contains('E'),
        "startup did not complete: {tags} {msgs:?}"
    );
    assert_eq!(msgs.last().unwrap().body, b"I");
}

/// Runs `select 1` on a session and checks it returns one row with "1".
pub(crate) fn assert_select_one(r: &mut Raw) {
    r.send(&query("select 1"));
    let msgs = r.until_ready();
    assert_eq!(wire::tags(&msgs), "TDCZ", "{msgs:?}");
    assert_eq!(data_row(&msgs[1]), vec![Some(b"1".to_vec())]);
    assert_eq!(msgs[3].body, b"I");
}

/// A fresh session on `port` works.
pub(crate) fn assert_server_serves(port: u16) {
    let (mut r, msgs) = Raw::session(port, "other");
    assert_started(&msgs);
    assert_select_one(&mut r);
}

/// The (name, value) of a ParameterStatus message.
pub(crate) fn parameter_status(m: &Msg) -> (String, String) {
    assert_eq!(m.tag, b'S');
    let parts: Vec<&[u8]> = m.body.split(|&b| b == 0).collect();
    // name NUL value NUL -> ["name", "value", ""]
    assert_eq!(parts.len(), 3, "malformed ParameterStatus: {:?}", m.body);
    assert!(parts[2].is_empty());
    (
        String::from_utf8(parts[0].to_vec()).unwrap(),
        String::from_utf8(parts[1].to_vec()).unwrap(),
    )
}

/// The values of a DataRow (None for NULL).
fn data_row(m: &Msg) -> Vec<Option<Vec<u8>>> {
    assert_eq!(m.tag, b'D');
    let b = &m.body;
    let n = i16::from_be_bytes([b[0], b[1]]);
    let mut at = 2;
    let mut out = Vec::new();
    for _ in 0..n {
        let len = i32::from_be_bytes(b[at..at + 4].try_into().unwrap());
        at += 4;
        if len < 0 {
            assert_eq!(len, -1);
            out.push(None);
        } else {
            out.push(Some(b[at..at + len as usize].to_vec()));
            at += len as usize;
        }
    }
    assert_eq!(at, b.len(), "trailing bytes in DataRow");
    out
}

#[derive(Debug)]
struct Field {
    name: String,
    table_oid: i32,
    attnum: i16,
    type_oid: i32,
    typlen: i16,
    typmod: i32,
    format: i16,
}

/// The fields of a RowDescription.
fn row_description(m: &Msg) -> Vec<Field> {
    assert_eq!(m.tag, b'T');
    let b = &m.body;
    let n = i16::from_be_bytes([b[0], b[1]]);
    let mut at = 2;
    let mut out = Vec::new();
    let i16_at = |at: usize| i16::from_be_bytes([b[at], b[at + 1]]);
    let i32_at = |at: usize| i32::from_be_bytes(b[at..at + 4].try_into().unwrap());
    for _ in 0..n {
        let end = at + b[at..].iter().position(|&c| c == 0).expect("field name");
        let name = String::from_utf8(b[at..end].to_vec()).unwrap();
        at = end + 1;
        out.push(Field {
            name,
            table_oid: i32_at(at),
            attnum: i16_at(at + 4),
            type_oid: i32_at(at + 6),
            typlen: i16_at(at + 10),
            typmod: i32_at(at + 12),
            format: i16_at(at + 16),
        });
        at += 18;
    }
    assert_eq!(at, b.len(), "trailing bytes in RowDescription");
    out
}

/// A Query message whose length field is exactly `len` (a `select '<x...>'`).
fn query_of_length(len: usize) -> Vec<u8> {
    // 'Q', int32 length, "select '" + x * k + "'" + NUL: len = 4 + 8 + k + 1 + 1.
    let sql = format!("select '{}'", "x".repeat(len - 14));
    let q = query(&sql);
    assert_eq!(q.len(), len + 1);
    q
}

// 6.
#[test]
fn oversized_message_is_refused_from_its_header() {
    let s = Server::start(&["--max-message-size", "1024"]);
    // Only the header of a Query announcing ~100 MB: the server must not wait for (or
    // buffer) the body.
    let (mut r, msgs) = Raw::session(s.port(), "limit");
    assert_started(&msgs);
    let mut header = vec![b'Q'];
    header.extend_from_slice(&100_000_000u32.to_be_bytes());
    r.send(&header);
    let msgs = closed(&mut r);
    assert_single_fatal(&msgs, "08P01");
    assert_server_serves(s.port());

    // A message of exactly the limit is fine.
    let (mut r, msgs) = Raw::session(s.port(), "limit");
    assert_started(&msgs);
    r.send(&query_of_length(1024));
    let msgs = r.until_ready();
    assert_eq!(wire::tags(&msgs), "TDCZ", "{msgs:?}");
    assert_eq!(data_row(&msgs[1]), vec![Some(vec![b'x'; 1024 - 14])]);
    // One byte more is refused, and the session ends.
    r.send(&query_of_length(1025));
    let msgs = closed(&mut r);
    assert_single_fatal(&msgs, "08P01");
    assert_server_serves(s.port());
}

// 7.
#[test]
fn length_field_below_four_is_a_protocol_violation() {
    let s = Server::start(&[]);
    for len in [2i32, 0, 3, -1] {
        let (mut r, msgs) = Raw::session(s.port(), "badlen");
        assert_started(&msgs);
        let mut m = vec![b'Q'];
        m.extend_from_slice(&len.to_be_bytes());
        r.send(&m);
        let msgs = closed(&mut r);
        assert_single_fatal(&msgs, "08P01");
    }
    assert_server_serves(s.port());
}

// 8.
#[test]
fn unknown_message_type_is_a_protocol_violation() {
    let s = Server::start(&[]);
    let (mut other, _) = Raw::session(s.port(), "unknown");
    let (mut r, msgs) = Raw::session(s.port(), "unknown");
    assert_started(&msgs);
    r.send(&message(b'!', b""));
    let msgs = closed(&mut r);
    assert_single_fatal(&msgs, "08P01");
    // A session that was already open and a new one both keep working.
    assert_select_one(&mut other);
    assert_server_serves(s.port());
}

// 9.
/// PostgreSQL reads the query with `pq_getmsgstring`, which fails with 08P01 "invalid
/// string in message" when the body has no NUL terminator.
#[test]
fn query_without_nul_terminator_is_a_protocol_violation() {
    let s = Server::start(&[]);
    let (mut other, _) = Raw::session(s.port(), "nonul");
    let (mut r, msgs) = Raw::session(s.port(), "nonul");
    assert_started(&msgs);
    r.send(&message(b'Q', b"select 1"));
    // Either an ERROR and ReadyForQuery (as PostgreSQL) or a FATAL error and close.
    let msgs = r.until_ready();
    let err = msgs.iter().find(|m| m.tag == b'E');
    assert_eq!(
        err.and_then(|e| e.sqlstate()).as_deref(),
        Some("08P01"),
        "{}: {msgs:?}",
        wire::tags(&msgs)
    );
    assert_select_one(&mut other);
    assert_server_serves(s.port());
}

/// PostgreSQL checks with `pq_getmsgend` that a Query holds nothing after the string
/// and fails with 08P01 "invalid message format" otherwise.
#[test]
fn query_with_bytes_after_the_terminator_is_a_protocol_violation() {
    let s = Server::start(&[]);
    let (mut r, msgs) = Raw::session(s.port(), "trailing");
    assert_started(&msgs);
    r.send(&message(b'Q', b"select 1\0select 2"));
    let msgs = r.until_ready();
    let err = msgs.iter().find(|m| m.tag == b'E');
    assert_eq!(
        err.and_then(|e| e.sqlstate()).as_deref(),
        Some("08P01"),
        "{}: {msgs:?}",
        wire::tags(&msgs)
    );
}

// 13.
#[test]
fn simple_query_reply_layout() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "layout");
    r.send(&query("select 1, null, 'x'; select 2"));
    let msgs = r.until_ready();
    assert_eq!(wire::tags(&msgs), "TDCTDCZ", "{msgs:?}");

    let fields = row_description(&msgs[0]);
    assert_eq!(fields.len(), 3, "{fields:?}");
    let f = &fields[0];
    assert_eq!(
        f.type_oid, 23,
        "an integer literal is int4, as in PostgreSQL: {f:?}"
    );
    assert_eq!(f.typlen, 4, "{f:?}");
    assert_eq!((f.table_oid, f.attnum), (0, 0), "{f:?}");
    assert_eq!(f.typmod, -1, "{f:?}");
    assert!(!f.name.is_empty(), "{f:?}");
    for f in &fields {
        assert_eq!(f.format, 0, "text format: {f:?}");
    }

    // DataRow: int16 count, then int32 length + bytes per value; NULL is length -1.
    assert_eq!(
        msgs[1].body,
        [
            &[0u8, 3][..],
            &[0, 0, 0, 1],
            b"1",
            &[0xff, 0xff, 0xff, 0xff],
            &[0, 0, 0, 1],
            b"x",
        ]
        .concat()
    );
    assert_eq!(
        data_row(&msgs[1]),
        vec![Some(b"1".to_vec()), None, Some(b"x".to_vec())]
    );
    assert_eq!(msgs[2].tag_text(), "SELECT 1");
    assert_eq!(
        msgs[2].body.last(),
        Some(&0),
        "CommandComplete tag is a C string"
    );

    let fields = row_description(&msgs[3]);
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].type_oid, 23);
    assert_eq!(data_row(&msgs[4]), vec![Some(b"2".to_vec())]);
    assert_eq!(msgs[5].tag_text(), "SELECT 1");
    assert_eq!(msgs[6].body, b"I");
}

// 14.
#[test]
fn empty_query_gets_empty_query_response() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "emptyq");
    for sql in [
        "",
        "   ",
        ";",
        ";;",
        "-- only a comment",
        "/* c */",
        "/* c */ ; -- x\n",
    ] {
        r.send(&query(sql));
        let msgs = r.until_ready();
        assert_eq!(wire::tags(&msgs), "IZ", "{sql:?}: {msgs:?}");
        assert!(msgs[0].body.is_empty(), "EmptyQueryResponse has no body");
        assert_eq!(msgs[1].body, b"I");
    }
    assert_select_one(&mut r);
}

fn cstr(s: &str) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    v
}

// 15.
#[test]
fn extended_protocol_round_trip_and_discard_until_sync() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "ext");
    // Parse: statement name, query, int16 parameter type count.
    let parse = |sql: &str| message(b'P', &[cstr(""), cstr(sql), vec![0, 0]].concat());
    // Bind: portal, statement, int16 formats, int16 params, int16 result formats.
    let bind = message(b'B', &[cstr(""), cstr(""), vec![0, 0, 0, 0, 0, 0]].concat());
    // Describe portal, Execute: portal and int32 max rows.
    let describe = message(b'D', &[vec![b'P'], cstr("")].concat());
    let execute = message(b'E', &[cstr(""), vec![0, 0, 0, 0]].concat());
    let sync = message(b'S', b"");
    let batch = |sql: &str| {
        [
            parse(sql),
            bind.clone(),
            describe.clone(),
            execute.clone(),
            sync.clone(),
        ]
        .concat()
    };

    // A good statement: ParseComplete, BindComplete, RowDescription, DataRow,
    // CommandComplete, ReadyForQuery.
    r.send(&batch("select 1"));
    let msgs = r.until_ready();
    assert_eq!(wire::tags(&msgs), "12TDCZ", "{msgs:?}");
    assert_eq!(msgs[4].tag_text(), "SELECT 1");

    // A failing Parse: one ErrorResponse, Bind/Describe/Execute are skipped, Sync answers.
    r.send(&batch("selec 1"));
    let msgs = r.until_ready();
    assert_eq!(wire::tags(&msgs), "EZ", "{msgs:?}");
    assert_eq!(msgs[0].sqlstate().as_deref(), Some("42601"));
    assert_eq!(msgs[0].field(b'S').as_deref(), Some("ERROR"));
    assert_eq!(msgs[1].body, b"I");
    // Nothing else is pending: the next reply belongs to the next Query.
    assert_select_one(&mut r);

    // The skip state was reset by Sync: the good batch works again.
    r.send(&batch("select 1"));
    let msgs = r.until_ready();
    assert_eq!(wire::tags(&msgs), "12TDCZ", "{msgs:?}");
}

// 16.
#[test]
fn terminate_closes_the_connection() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "term");
    r.send(&message(b'X', b""));
    let msgs = closed(&mut r);
    assert!(msgs.is_empty(), "nothing is sent after Terminate: {msgs:?}");
    assert_server_serves(s.port());
}

// 17.
#[test]
fn copy_messages_outside_copy_mode_are_ignored() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "copy");
    let mut batch = message(b'c', b"");
    batch.extend(message(b'd', b"1\t2\n"));
    batch.extend(message(b'f', &cstr("never mind")));
    batch.extend(query("select 1"));
    r.send(&batch);
    let msgs = r.until_ready();
    assert_eq!(wire::tags(&msgs), "TDCZ", "{msgs:?}");
    assert_eq!(data_row(&msgs[1]), vec![Some(b"1".to_vec())]);
    assert_select_one(&mut r);
}

/// Execute with a row limit answers PortalSuspended and resumes on the next Execute
/// (raw bytes: Parse/Bind/Execute(max 2)/Execute(max 2)/Execute(max 2)/Sync).
#[test]
fn execute_with_row_limit_suspends_and_resumes() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "suspend");
    r.send(&query(
        "create table n (x integer); insert into n values (1),(2),(3),(4),(5)",
    ));
    r.until_ready();
    let parse = message(
        b'P',
        &[cstr("s1"), cstr("select x from n order by x"), vec![0, 0]].concat(),
    );
    let bind = message(
        b'B',
        &[cstr("p1"), cstr("s1"), vec![0, 0, 0, 0, 0, 0]].concat(),
    );
    let execute = message(b'E', &[cstr("p1"), vec![0, 0, 0, 2]].concat());
    let batch = [
        parse,
        bind,
        execute.clone(),
        execute.clone(),
        execute,
        message(b'S', b""),
    ]
    .concat();
    r.send(&batch);
    let msgs = r.until_ready();
    // ParseComplete, BindComplete, 2 rows + PortalSuspended, 2 rows + PortalSuspended,
    // the last row + CommandComplete, ReadyForQuery.
    assert_eq!(wire::tags(&msgs), "12DDsDDsDCZ", "{msgs:?}");
    let values: Vec<Vec<u8>> = msgs
        .iter()
        .filter(|m| m.tag == b'D')
        .map(|m| m.body[6..].to_vec())
        .collect();
    assert_eq!(
        values,
        vec![
            b"1".to_vec(),
            b"2".to_vec(),
            b"3".to_vec(),
            b"4".to_vec(),
            b"5".to_vec()
        ]
    );
    assert_eq!(msgs[9].tag_text(), "SELECT 1");
}
