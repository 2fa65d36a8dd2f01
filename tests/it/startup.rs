//! The startup phase over raw bytes: SSL/GSS negotiation, the startup reply,
//! protocol version negotiation, refused startups, the startup timeout and the
//! connection limit.

use std::time::{Duration, Instant};

use crate::common::Server;
use crate::protocol::{
    assert_select_one, assert_server_serves, assert_single_fatal, assert_started, closed,
    parameter_status, request_packet, GSSENC_REQUEST, PROTOCOL_2_0, PROTOCOL_3_0, PROTOCOL_3_2,
    SSL_REQUEST,
};
use crate::wire::{self, message, startup_packet, Msg, Raw};

// 1.
#[test]
fn ssl_and_gssenc_requests_are_refused_with_n_then_startup_proceeds() {
    let s = Server::start(&[]);
    for code in [SSL_REQUEST, GSSENC_REQUEST] {
        let mut r = Raw::connect(s.port());
        r.send(&request_packet(code));
        assert_eq!(r.read_byte(), b'N', "answer to request code {code}");
        r.send(&startup_packet(
            &[("user", "u"), ("database", "neg")],
            PROTOCOL_3_0,
        ));
        let msgs = r.until_ready();
        assert_started(&msgs);
        assert_select_one(&mut r);
    }
    // libpq with gssencmode=prefer and sslmode=prefer sends both, one after the other.
    let mut r = Raw::connect(s.port());
    r.send(&request_packet(GSSENC_REQUEST));
    assert_eq!(r.read_byte(), b'N');
    r.send(&request_packet(SSL_REQUEST));
    assert_eq!(r.read_byte(), b'N');
    r.send(&startup_packet(
        &[("user", "u"), ("database", "neg")],
        PROTOCOL_3_0,
    ));
    assert_started(&r.until_ready());
    assert_select_one(&mut r);
}

// 2.
#[test]
fn startup_reply_sequence_and_parameter_status() {
    let s = Server::start(&[]);
    let mut r = Raw::connect(s.port());
    r.send(&startup_packet(
        &[
            ("user", "alice"),
            ("database", "params"),
            ("application_name", "proto-test"),
        ],
        PROTOCOL_3_0,
    ));
    let msgs = r.until_ready();
    let tags = wire::tags(&msgs);
    // R, then only S messages, then K, then Z.
    let n = msgs.len();
    assert!(n >= 4, "{tags}");
    assert_eq!(msgs[0].tag, b'R', "{tags}");
    assert_eq!(msgs[0].body, 0i32.to_be_bytes(), "AuthenticationOk");
    assert!(msgs[1..n - 2].iter().all(|m| m.tag == b'S'), "{tags}");
    assert_eq!(msgs[n - 2].tag, b'K', "{tags}");
    assert_eq!(msgs[n - 2].body.len(), 8, "BackendKeyData: pid and secret");
    assert_eq!(msgs[n - 1].tag, b'Z', "{tags}");
    assert_eq!(msgs[n - 1].body, b"I");

    let params: Vec<(String, String)> = msgs[1..n - 2].iter().map(parameter_status).collect();
    let get = |name: &str| {
        let found: Vec<&String> = params
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "{name} reported {} times: {params:?}",
            found.len()
        );
        found[0].clone()
    };
    assert_eq!(get("server_version"), "15.0");
    assert_eq!(get("server_encoding"), "UTF8");
    assert_eq!(get("client_encoding"), "UTF8");
    assert_eq!(get("DateStyle"), "ISO, MDY");
    assert_eq!(get("integer_datetimes"), "on");
    assert_eq!(get("standard_conforming_strings"), "on");
    assert!(!get("TimeZone").is_empty());
    assert_eq!(get("application_name"), "proto-test");
    assert!(["on", "off"].contains(&get("is_superuser").as_str()));
    assert_eq!(get("session_authorization"), "alice");
    assert_select_one(&mut r);

    // Without application_name it is reported empty, as PostgreSQL does.
    let mut r = Raw::connect(s.port());
    r.send(&startup_packet(
        &[("user", "bob"), ("database", "params")],
        PROTOCOL_3_0,
    ));
    let msgs = r.until_ready();
    assert_started(&msgs);
    let params: Vec<(String, String)> = msgs
        .iter()
        .filter(|m| m.tag == b'S')
        .map(parameter_status)
        .collect();
    assert!(
        params.contains(&("application_name".into(), "".into())),
        "{params:?}"
    );
    assert!(params.contains(&("session_authorization".into(), "bob".into())));
}

/// The (version, unsupported options) of a NegotiateProtocolVersion message.
fn negotiate_protocol_version(m: &Msg) -> (i32, Vec<String>) {
    assert_eq!(m.tag, b'v', "{m:?}");
    let b = &m.body;
    let version = i32::from_be_bytes(b[0..4].try_into().unwrap());
    let count = i32::from_be_bytes(b[4..8].try_into().unwrap());
    let names: Vec<String> = b[8..]
        .split(|&c| c == 0)
        .map(|s| String::from_utf8(s.to_vec()).unwrap())
        .collect();
    // Each name is NUL-terminated, so splitting leaves one empty piece at the end.
    assert_eq!(names.last().map(String::as_str), Some(""), "{b:?}");
    let names = names[..names.len() - 1].to_vec();
    assert_eq!(names.len(), count as usize, "count vs names: {b:?}");
    (version, names)
}

// 3.
#[test]
fn newer_minor_version_and_pq_options_get_negotiate_protocol_version() {
    let s = Server::start(&[]);

    // Protocol 3.2, no options: NegotiateProtocolVersion with no option names.
    let mut r = Raw::connect(s.port());
    r.send(&startup_packet(
        &[("user", "u"), ("database", "nego")],
        PROTOCOL_3_2,
    ));
    let msgs = r.until_ready();
    assert_eq!(msgs[0].tag, b'v', "{}", wire::tags(&msgs));
    let (_, names) = negotiate_protocol_version(&msgs[0]);
    assert!(names.is_empty(), "{names:?}");
    assert_started(&msgs[1..]);
    assert_select_one(&mut r);

    // Protocol 3.0 with _pq_ options: they are listed as unsupported, in order; other
    // parameters still apply.
    let mut r = Raw::connect(s.port());
    r.send(&startup_packet(
        &[
            ("user", "u"),
            ("_pq_.something", "1"),
            ("database", "nego"),
            ("_pq_.other", "x"),
            ("application_name", "np"),
        ],
        PROTOCOL_3_0,
    ));
    let msgs = r.until_ready();
    assert_eq!(msgs[0].tag, b'v', "{}", wire::tags(&msgs));
    let (_, names) = negotiate_protocol_version(&msgs[0]);
    assert_eq!(names, vec!["_pq_.something", "_pq_.other"]);
    assert_started(&msgs[1..]);
    assert!(msgs
        .iter()
        .filter(|m| m.tag == b'S')
        .any(|m| parameter_status(m) == ("application_name".into(), "np".into())));
    assert_select_one(&mut r);

    // Protocol 3.2 and an option together.
    let mut r = Raw::connect(s.port());
    r.send(&startup_packet(
        &[("user", "u"), ("database", "nego"), ("_pq_.x", "y")],
        PROTOCOL_3_2,
    ));
    let msgs = r.until_ready();
    let (_, names) = negotiate_protocol_version(&msgs[0]);
    assert_eq!(names, vec!["_pq_.x"]);
    assert_started(&msgs[1..]);

    // Protocol 2.0 is refused and the connection closed.
    let mut r = Raw::connect(s.port());
    r.send(&startup_packet(
        &[("user", "u"), ("database", "nego")],
        PROTOCOL_2_0,
    ));
    let msgs = closed(&mut r);
    assert_single_fatal(&msgs, "0A000");
    assert_server_serves(s.port());
}

/// PostgreSQL puts a full protocol version number in NegotiateProtocolVersion
/// (`pq_sendint32(&buf, PG_PROTOCOL_LATEST)` in PG 10-17, `FrontendProtocol` in PG 18),
/// i.e. 196608 for 3.0, and libpq decodes it with PG_PROTOCOL_MAJOR/MINOR. libpq 18
/// rejects a value below 3.0 ("server requested downgrade to pre-3.0 protocol version").
#[test]
fn negotiate_protocol_version_carries_the_full_version_number() {
    let s = Server::start(&[]);
    let mut r = Raw::connect(s.port());
    r.send(&startup_packet(
        &[("user", "u"), ("database", "nego")],
        PROTOCOL_3_2,
    ));
    let msgs = r.until_ready();
    let (version, _) = negotiate_protocol_version(&msgs[0]);
    assert_eq!(version, PROTOCOL_3_0 as i32);
}

// 4.
#[test]
fn startup_without_user_is_refused_with_28000() {
    let s = Server::start(&[]);
    let mut r = Raw::connect(s.port());
    r.send(&startup_packet(&[("database", "nouser")], PROTOCOL_3_0));
    let msgs = closed(&mut r);
    assert_single_fatal(&msgs, "28000");
    // An empty user name is no better.
    let mut r = Raw::connect(s.port());
    r.send(&startup_packet(
        &[("user", ""), ("database", "nouser")],
        PROTOCOL_3_0,
    ));
    let msgs = closed(&mut r);
    assert_single_fatal(&msgs, "28000");
    assert_server_serves(s.port());
}

// 5.
#[test]
fn unknown_startup_parameters_are_accepted() {
    let s = Server::start(&[]);
    let mut r = Raw::connect(s.port());
    r.send(&startup_packet(
        &[
            ("user", "u"),
            ("database", "unknown"),
            ("foo", "bar"),
            ("options", "-c geqo=off"),
            ("some.custom", "1"),
        ],
        PROTOCOL_3_0,
    ));
    let msgs = r.until_ready();
    assert_started(&msgs);
    assert!(!msgs.iter().any(|m| m.tag == b'N' || m.tag == b'E'));
    assert_select_one(&mut r);
}

// 10.
#[test]
fn garbage_instead_of_a_startup_packet_closes_the_connection() {
    let s = Server::start(&[]);
    let mut r = Raw::connect(s.port());
    r.send(b"GET / HTTP/1.1\r\n\r\n");
    let msgs = closed(&mut r);
    // Optionally one error first, nothing else.
    assert!(
        msgs.is_empty() || (msgs.len() == 1 && msgs[0].tag == b'E'),
        "{msgs:?}"
    );
    if let Some(e) = msgs.first() {
        assert_eq!(e.sqlstate().as_deref(), Some("08P01"), "{msgs:?}");
    }
    // A startup packet with a bad length is refused too.
    let mut r = Raw::connect(s.port());
    r.send(&[0, 0, 0, 2]);
    let msgs = closed(&mut r);
    assert!(msgs.iter().all(|m| m.tag == b'E'), "{msgs:?}");
    assert_server_serves(s.port());
}

// 11.
#[test]
fn silent_client_is_dropped_after_the_startup_timeout() {
    let s = Server::start(&["--startup-timeout", "1s"]);
    let mut r = Raw::connect(s.port());
    // `closed` panics if the 20 s read timeout expires before the server closes.
    let msgs = closed(&mut r);
    assert!(msgs.is_empty(), "{msgs:?}");
    // Half a startup packet does not keep the connection open either.
    let mut r = Raw::connect(s.port());
    let p = startup_packet(&[("user", "u"), ("database", "slow")], PROTOCOL_3_0);
    r.send(&p[..6]);
    let msgs = closed(&mut r);
    assert!(msgs.is_empty(), "{msgs:?}");
    assert_server_serves(s.port());
}

// 12.
#[test]
fn connection_limit_refuses_with_53300_and_frees_the_slot() {
    let s = Server::start(&["--max-connections", "2"]);
    let (mut a, msgs) = Raw::session(s.port(), "limit");
    assert_started(&msgs);
    let (mut b, msgs) = Raw::session(s.port(), "limit");
    assert_started(&msgs);

    let mut c = Raw::connect(s.port());
    c.send(&startup_packet(
        &[("user", "u"), ("database", "limit")],
        PROTOCOL_3_0,
    ));
    let msgs = closed(&mut c);
    assert_single_fatal(&msgs, "53300");
    let text = msgs[0].field(b'M').unwrap_or_default();
    assert!(text.contains("too many clients"), "{text}");

    // Both admitted sessions still work.
    assert_select_one(&mut a);
    assert_select_one(&mut b);

    // Terminate frees a slot (asynchronously, so retry for a while).
    a.send(&message(b'X', b""));
    assert!(closed(&mut a).is_empty());
    drop(a);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut r = loop {
        let (r, msgs) = Raw::session(s.port(), "limit");
        if wire::tags(&msgs).ends_with('Z') {
            assert_started(&msgs);
            break r;
        }
        assert_single_fatal(&msgs, "53300");
        assert!(
            Instant::now() < deadline,
            "the slot was not released after Terminate"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_select_one(&mut r);
    assert_select_one(&mut b);
}

/// The startup packet's `options` (PGOPTIONS) sets parameters as PostgreSQL's
/// `-c name=value` and `--name=value` do, and a bad one ends the connection (FATAL).
#[tokio::test]
async fn options_set_parameters_and_bad_ones_are_fatal() {
    let s = Server::start(&[]);
    let connect = |options: &str| {
        let quoted = options.replace('\\', "\\\\").replace('\'', "\\'");
        let url = format!("{} options='{quoted}'", s.url("opts"));
        async move {
            let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
            tokio::spawn(conn);
            Ok::<_, tokio_postgres::Error>(client)
        }
    };
    let c = connect("-c statement_timeout=5 --synchronous-commit=off -capplication_name=a\\ b")
        .await
        .unwrap();
    for (name, want) in [
        ("statement_timeout", "5ms"),
        ("synchronous_commit", "off"),
        ("application_name", "a b"),
    ] {
        let got = crate::common::rows(&c, &format!("show {name}")).await;
        assert_eq!(got, vec![vec![Some(want.to_string())]], "{name}");
    }
    for (options, code, message) in [
        (
            "-c statement_timeout=abc",
            "22023",
            "invalid value for parameter \"statement_timeout\": \"abc\"",
        ),
        (
            "-c nosuch=1",
            "42704",
            "unrecognized configuration parameter \"nosuch\"",
        ),
        (
            "-x",
            "0A000",
            "command-line argument for the server process -x is not supported by litewire",
        ),
    ] {
        let e = connect(options).await.unwrap_err();
        let db = e.as_db_error().unwrap_or_else(|| panic!("{options}: {e}"));
        assert_eq!(
            (db.code().code(), db.message(), db.severity()),
            (code, message, "FATAL"),
            "{options}"
        );
    }
}
