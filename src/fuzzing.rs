//! What the fuzz targets (`fuzz/`) run on arbitrary input, in one place so that every
//! crash they find is replayed here as a unit test. Nothing a client sends may panic.

use bytes::BytesMut;

use crate::protocol::{decode_message, decode_startup, frame_len, MAX_STARTUP_PACKET};
use crate::sql::{self, copy, cursor, ddl, lexer};

/// Regular frontend messages as they arrive on a socket: framed by their length header
/// (with a small limit, so oversized headers are exercised too), then decoded.
pub fn frontend(data: &[u8]) {
    let mut buf = BytesMut::from(data);
    while let Ok(Some(len)) = frame_len(&buf, true, 1 << 16) {
        let _ = decode_message(buf.split_to(len));
    }
}

/// Startup-phase packets (SSLRequest, GSSENCRequest, CancelRequest, StartupMessage).
pub fn startup(data: &[u8]) {
    let mut rest = data;
    while let Ok(Some(len)) = frame_len(rest, false, MAX_STARTUP_PACKET) {
        let _ = decode_startup(&rest[..len]);
        rest = &rest[len..];
    }
}

/// A SCRAM-SHA-256 exchange's two client messages (the input's first line, then the
/// rest), against a fixed verifier: what `server/auth` reads before any password check.
/// The input's first byte picks the channel binding: none, offered, or PLUS chosen.
pub fn scram(data: &[u8]) {
    use crate::server::auth::scram::{Binding, Exchange, Verifier};
    let Some((&which, data)) = data.split_first() else {
        return;
    };
    let end_point = [7u8; 32];
    let binding = Binding {
        offered: (which % 3 > 0).then_some(&end_point[..]),
        selected: which % 3 == 2,
    };
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (first, last) = text.split_once('\n').unwrap_or((text, ""));
    let verifier = Verifier::new("pencil", b"0123456789abcdef".to_vec(), 1);
    if let Ok((exchange, _)) = Exchange::start(verifier, false, first, "servernonce", binding) {
        let _ = exchange.finish(last);
    }
}

/// Statement text as the simple and extended protocols handle it before SQLite sees
/// it: splitting, classification, the session commands' parsers, rewriting to SQLite,
/// and the static inference of parameter types and result names and types.
pub fn translate(data: &[u8]) {
    // Text reaches these functions only as UTF-8 (the decoder rejects the rest).
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = lexer::shape(text);
    for stmt in sql::split(text) {
        let _ = sql::classify(stmt);
        let _ = ddl::translate(stmt);
        let _ = copy::parse(stmt);
        let _ = cursor::parse_declare(stmt);
        let _ = cursor::parse_fetch(stmt);
        let _ = cursor::parse_close(stmt);
        if let Ok(tree) = sql::parse::parse_one(stmt, 1000) {
            let _ = sql::translate::to_sqlite(tree, &mut Echo);
        }
        if let Some(typing) = sql::types::analyze_text(stmt) {
            let _ = sql::types::resolve_columns(&typing, &AnySchema);
            for (_, hint) in &typing.params {
                let _ = sql::types::resolve(hint, &AnySchema);
            }
        }
    }
}

/// A schema where every table has columns `a` (int4) and `b` (numeric(10,2)).
struct AnySchema;

impl sql::types::Schema for AnySchema {
    fn columns(&self, _: &str) -> Option<Vec<(String, String)>> {
        Some(vec![
            ("a".into(), "int4".into()),
            ("b".into(), "numeric(10,2)".into()),
        ])
    }
    fn param(&self, _: usize) -> Option<String> {
        Some("int8".into())
    }
}

/// Settings that answer a parameter's name and take any value.
struct Echo;

impl sql::translate::Settings for Echo {
    fn get(&self, name: &str) -> Option<String> {
        Some(name.to_string())
    }
    fn set(&mut self, _: &str, value: &str) -> Result<String, crate::protocol::PgError> {
        Ok(value.to_string())
    }
}

/// The inputs the fuzz targets found crashing, replayed.
#[cfg(test)]
mod crashes {
    #[test]
    fn scram_messages_never_panic() {
        for input in [
            "n,,n=user,r=abc\nc=biws,r=abcservernonce,p=AAAA",
            "n,,n=,r=x\nc=biws,r=xservernonce,p=",
            "y,,n=,r=\u{e9}\n",
            "n,,n=,r=a\nc=biws,r=aservernonce,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
            "n,\n,p=,p=",
            "",
        ] {
            super::scram(input.as_bytes());
        }
    }

    #[test]
    fn translate() {
        let found: &[&str] = &[
            // A trailing arithmetic operator in a select item (index out of bounds).
            "select a, b::text, sum(a) as total, 'NaN'::float8%, n.a from n",
            // CASE with an empty THEN result (byte range ends before it starts).
            "select count(*) over (partition by a), case when x then: 1count(*) over (partition by a), case when x then end,ame.colu}ns",
            // An unterminated literal ending in a multibyte character, as an argument
            // of a call answered by the session (not a char boundary).
            "DECLpubLbegin; insert into t T current_setting('j ECT $€",
        ];
        for text in found {
            super::translate(text.as_bytes());
        }
    }
}
