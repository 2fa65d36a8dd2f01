//! Decoding of regular (tagged) frontend messages, checked the way PostgreSQL's
//! `pqformat.c` reads them: every read is bounds-checked, strings must be NUL-terminated
//! valid UTF-8, and the body must be consumed exactly. A malformed body is a non-fatal
//! 08P01 ERROR with PostgreSQL's texts (the frame is length-delimited, so the stream
//! stays in step); an unknown message type is FATAL, as in PostgreSQL.
//!
//! The messages are pgwire's types, built with their constructors; only the reading is
//! ours, because pgwire's decoders index past the end of truncated bodies (panics) and
//! replace invalid UTF-8 instead of rejecting it.

use bytes::{Bytes, BytesMut};
use pgwire::messages::{copy, extendedquery, simplequery, terminate};

use super::{Frontend, PgError, SqlState};

/// Decodes one complete tagged frame (type byte, length, body), as delimited by
/// [`super::frame_len`].
pub fn decode(frame: BytesMut) -> Result<Frontend, PgError> {
    let frame = frame.freeze();
    let tag = frame.first().copied().unwrap_or(0);
    let mut r = Reader {
        buf: frame.slice(frame.len().min(5)..),
    };
    let msg = match tag {
        b'Q' => Frontend::Query(simplequery::Query::new(r.string()?)),
        b'P' => {
            let name = r.name()?;
            let query = r.string()?;
            let count = r.u16()?;
            let mut types = Vec::with_capacity(r.capacity(count, 4));
            for _ in 0..count {
                types.push(r.u32()?);
            }
            Frontend::Parse(extendedquery::Parse::new(name, query, types))
        }
        b'B' => {
            let portal = r.name()?;
            let statement = r.name()?;
            let count = r.u16()?;
            let mut formats = Vec::with_capacity(r.capacity(count, 2));
            for _ in 0..count {
                formats.push(r.i16()?);
            }
            let count = r.u16()?;
            let mut values = Vec::with_capacity(r.capacity(count, 4));
            for _ in 0..count {
                let len = r.i32()?;
                values.push(match usize::try_from(len) {
                    Ok(len) => Some(r.bytes(len)?),
                    // -1 is NULL; PostgreSQL reads any negative length as NULL too.
                    Err(_) => None,
                });
            }
            if formats.len() > 1 && formats.len() != values.len() {
                return Err(PgError::new(
                    SqlState::PROTOCOL_VIOLATION,
                    format!(
                        "bind message has {} parameter formats but {} parameters",
                        formats.len(),
                        values.len()
                    ),
                ));
            }
            let count = r.u16()?;
            let mut results = Vec::with_capacity(r.capacity(count, 2));
            for _ in 0..count {
                results.push(r.i16()?);
            }
            Frontend::Bind(extendedquery::Bind::new(
                portal, statement, formats, values, results,
            ))
        }
        b'D' => {
            let kind = r.u8()?;
            Frontend::Describe(extendedquery::Describe::new(kind, r.name()?))
        }
        b'C' => {
            let kind = r.u8()?;
            Frontend::Close(extendedquery::Close::new(kind, r.name()?))
        }
        b'E' => {
            let name = r.name()?;
            Frontend::Execute(extendedquery::Execute::new(name, r.i32()?))
        }
        b'S' => Frontend::Sync(extendedquery::Sync::new()),
        b'H' => Frontend::Flush(extendedquery::Flush::new()),
        // PostgreSQL reads neither a Terminate's nor a CopyDone's body.
        b'X' => return Ok(Frontend::Terminate(terminate::Terminate::new())),
        b'c' => return Ok(Frontend::CopyDone(copy::CopyDone::new())),
        b'd' => return Ok(Frontend::CopyData(copy::CopyData::new(r.buf))),
        b'f' => Frontend::CopyFail(copy::CopyFail::new(r.string()?)),
        other => {
            return Err(PgError::protocol_violation(format!(
                "invalid frontend message type {other}"
            )))
        }
    };
    r.end()?;
    Ok(msg)
}

/// A bounds-checked cursor over a message body (PostgreSQL's `pq_getmsg*`).
struct Reader {
    buf: Bytes,
}

fn violation(message: &str) -> PgError {
    PgError::new(SqlState::PROTOCOL_VIOLATION, message)
}

impl Reader {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], PgError> {
        let Some(head) = self.buf.get(..N) else {
            return Err(violation("insufficient data left in message"));
        };
        let out: [u8; N] = head.try_into().unwrap_or([0; N]);
        self.buf = self.buf.slice(N..);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, PgError> {
        match self.take::<1>() {
            Ok([b]) => Ok(b),
            Err(_) => Err(violation("no data left in message")),
        }
    }

    fn u16(&mut self) -> Result<u16, PgError> {
        self.take().map(u16::from_be_bytes)
    }

    fn i16(&mut self) -> Result<i16, PgError> {
        self.take().map(i16::from_be_bytes)
    }

    fn u32(&mut self) -> Result<u32, PgError> {
        self.take().map(u32::from_be_bytes)
    }

    fn i32(&mut self) -> Result<i32, PgError> {
        self.take().map(i32::from_be_bytes)
    }

    fn bytes(&mut self, len: usize) -> Result<Bytes, PgError> {
        if len > self.buf.len() {
            return Err(violation("insufficient data left in message"));
        }
        Ok(self.buf.split_to(len))
    }

    /// A NUL-terminated UTF-8 string.
    fn string(&mut self) -> Result<String, PgError> {
        let Some(nul) = self.buf.iter().position(|&b| b == 0) else {
            return Err(violation("invalid string in message"));
        };
        let raw = self.buf.split_to(nul + 1);
        utf8(&raw[..nul]).map(str::to_owned)
    }

    /// A statement or portal name; empty is the unnamed one (None, as pgwire has it).
    fn name(&mut self) -> Result<Option<String>, PgError> {
        self.string().map(|s| (!s.is_empty()).then_some(s))
    }

    /// Capacity to reserve for `count` items of at least `size` bytes: never more than
    /// the body can hold, so a count alone cannot make the server allocate.
    fn capacity(&self, count: u16, size: usize) -> usize {
        usize::from(count).min(self.buf.len() / size)
    }

    fn end(&self) -> Result<(), PgError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(violation("invalid message format"))
        }
    }
}

/// Checks that client text is UTF-8, with PostgreSQL's 22021 error otherwise, naming
/// the bytes of the first invalid character as PostgreSQL does (`0xc3 0x28`).
pub fn utf8(bytes: &[u8]) -> Result<&str, PgError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let bad = &bytes[e.valid_up_to()..];
        let want = match bad.first() {
            Some(b) if b & 0xe0 == 0xc0 => 2,
            Some(b) if b & 0xf0 == 0xe0 => 3,
            Some(b) if b & 0xf8 == 0xf0 => 4,
            _ => 1,
        };
        PgError::bad_encoding(&bad[..want.min(bad.len())])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(tag: u8, body: &[u8]) -> BytesMut {
        let mut f = BytesMut::new();
        f.extend_from_slice(&[tag]);
        f.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
        f.extend_from_slice(body);
        f
    }

    fn error(tag: u8, body: &[u8]) -> PgError {
        decode(frame(tag, body)).expect_err("must be rejected")
    }

    #[test]
    fn decodes_what_clients_send() {
        let parse = b"s1\0select $1\0\0\x01\0\0\0\x17";
        match decode(frame(b'P', parse)).unwrap() {
            Frontend::Parse(p) => {
                assert_eq!(p.name.as_deref(), Some("s1"));
                assert_eq!(p.query, "select $1");
                assert_eq!(p.type_oids, vec![23]);
            }
            other => panic!("{other:?}"),
        }
        let bind = b"\0s1\0\0\x01\0\x01\0\x02\0\0\0\x0242\xff\xff\xff\xff\0\x01\0\x01";
        match decode(frame(b'B', bind)).unwrap() {
            Frontend::Bind(b) => {
                assert_eq!(b.portal_name, None);
                assert_eq!(b.statement_name.as_deref(), Some("s1"));
                assert_eq!(b.parameter_format_codes, vec![1]);
                assert_eq!(b.parameters[0].as_deref(), Some(&b"42"[..]));
                assert_eq!(b.parameters[1], None);
                assert_eq!(b.result_column_format_codes, vec![1]);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            decode(frame(b'E', b"\0\0\0\0\x05")).unwrap(),
            Frontend::Execute(e) if e.max_rows == 5
        ));
        assert!(matches!(
            decode(frame(b'd', b"1\t2\n")).unwrap(),
            Frontend::CopyData(d) if &d.data[..] == b"1\t2\n"
        ));
        assert!(matches!(
            decode(frame(b'S', b"")).unwrap(),
            Frontend::Sync(_)
        ));
    }

    /// PostgreSQL's answers to the same bodies (checked against PostgreSQL 15).
    #[test]
    fn malformed_bodies_get_postgres_errors() {
        let cases: &[(u8, &[u8], &str)] = &[
            (b'P', b"\0SELECT 1", "invalid string in message"),
            (
                b'P',
                b"\0SELECT 1\0\0\x05",
                "insufficient data left in message",
            ),
            (b'P', b"\0SELECT 1\0\0\0junk", "invalid message format"),
            (b'D', b"S", "invalid string in message"),
            (b'E', b"\0\0\0", "insufficient data left in message"),
            (b'C', b"", "no data left in message"),
            (b'S', b"xx", "invalid message format"),
            // Truncated Bind bodies (pgwire's decoder panicked on these).
            (b'B', b"\0\0\0\x01", "insufficient data left in message"),
            (
                b'B',
                b"\0\0\0\0\0\x01\0\0\0\x10ab",
                "insufficient data left in message",
            ),
            (b'B', b"\0\0\0\0\0\0", "insufficient data left in message"),
            (b'B', b"\0\0\xff\xff", "insufficient data left in message"),
            (
                b'B',
                b"\0\0\0\x02\0\0\0\0\0\x01\xff\xff\xff\xff\0\0",
                "bind message has 2 parameter formats but 1 parameters",
            ),
        ];
        for (tag, body, message) in cases {
            let e = error(*tag, body);
            assert_eq!(e.code, SqlState::PROTOCOL_VIOLATION, "{body:?}");
            assert!(!e.is_fatal(), "{body:?}");
            assert_eq!(e.message, *message, "{body:?}");
        }
        let e = error(b'!', b"");
        assert!(e.is_fatal());
        assert_eq!(e.message, "invalid frontend message type 33");
    }

    #[test]
    fn invalid_utf8_is_rejected_with_22021() {
        let cases: &[(u8, &[u8], &str)] = &[
            (b'Q', b"SELECT \xff\xfe\0", "0xff"),
            (b'P', b"\xe9\0SELECT 1\0\0\0", "0xe9"),
            (b'P', b"\0SELECT '\xc3\x28'\0\0\0", "0xc3 0x28"),
            (b'B', b"\xe2\x82\0\0\0\0\0\0\0\0", "0xe2 0x82"),
            (b'E', b"p\xf0\x9f\x98\0\0\0\0\0", "0xf0 0x9f 0x98"),
        ];
        for (tag, body, bytes) in cases {
            let e = error(*tag, body);
            assert_eq!(e.code, SqlState::CHARACTER_NOT_IN_REPERTOIRE);
            assert_eq!(
                e.message,
                format!("invalid byte sequence for encoding \"UTF8\": {bytes}")
            );
        }
    }

    #[test]
    fn a_huge_count_allocates_nothing() {
        // 65535 parameters announced, none present.
        let e = error(b'B', b"\0\0\0\0\xff\xff");
        assert_eq!(e.message, "insufficient data left in message");
    }
}
