//! The PostgreSQL v3 wire protocol, IO-free: framing with size limits checked from the
//! length header before anything is buffered, decoding of frontend messages and encoding
//! of backend messages into a caller's buffer.
//!
//! Message types come from the `pgwire` crate's `messages` module (no server API, no
//! TLS). Three things are done here by hand: framing, so that the configured size limit
//! is enforced before a body is buffered; reading frontend bodies (`frontend.rs`), with
//! PostgreSQL's bounds and UTF-8 checks, which pgwire's decoders lack; and DataRow
//! encoding (see [`DataRowWriter`]), which writes each value straight into the output
//! buffer instead of building a message struct per row.

pub mod error;
mod frontend;

use bytes::{BufMut, BytesMut};
use pgwire::messages::Message;

pub use error::{PgError, Severity, SqlState};
pub use frontend::utf8;
pub use pgwire::messages::data::{FieldDescription, RowDescription};
pub use pgwire::messages::response::TransactionStatus;
pub use pgwire::messages::PgWireFrontendMessage as Frontend;

use pgwire::messages::{extendedquery, response, startup};

/// Startup-phase request codes (in place of a protocol version).
pub const SSL_REQUEST_CODE: u32 = 80877103;
pub const GSSENC_REQUEST_CODE: u32 = 80877104;
pub const CANCEL_REQUEST_CODE: u32 = 80877102;

/// Largest startup-phase packet accepted (PostgreSQL's own limit is 10,000 bytes).
pub const MAX_STARTUP_PACKET: usize = 10_000;

/// Why a frame could not be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// The length header announces more than the configured maximum.
    TooLarge { len: usize, max: usize },
    /// The length header is smaller than the header itself.
    BadLength(i64),
}

impl From<FrameError> for PgError {
    fn from(e: FrameError) -> Self {
        match e {
            FrameError::TooLarge { len, max } => PgError::protocol_violation(format!(
                "message of {len} bytes exceeds the server limit of {max} bytes"
            ))
            .with_hint("The limit is set with --max-message-size."),
            FrameError::BadLength(len) => {
                PgError::protocol_violation(format!("invalid message length {len}"))
            }
        }
    }
}

/// How many bytes the first frame in `buf` occupies, once complete.
///
/// `tagged` is false for startup-phase packets, which have no type byte. Returns
/// `Ok(None)` while the frame is incomplete; rejects a bad or oversized length as soon as
/// the header is readable, so a client cannot make the server buffer it.
pub fn frame_len(buf: &[u8], tagged: bool, max: usize) -> Result<Option<usize>, FrameError> {
    let off = usize::from(tagged);
    let Some(header) = buf.get(off..off + 4) else {
        return Ok(None);
    };
    let len = i32::from_be_bytes([header[0], header[1], header[2], header[3]]);
    if len < 4 {
        return Err(FrameError::BadLength(len.into()));
    }
    let len = len as usize;
    if len > max {
        return Err(FrameError::TooLarge { len, max });
    }
    Ok((buf.len() >= off + len).then_some(off + len))
}

/// A startup-phase packet, decoded.
#[derive(Debug)]
pub enum StartupPacket {
    SslRequest,
    GssEncRequest,
    Cancel {
        pid: i32,
        secret: i32,
    },
    Startup {
        major: u16,
        minor: u16,
        params: Vec<(String, String)>,
    },
}

/// Decodes one complete startup-phase packet (as delimited by [`frame_len`]).
pub fn decode_startup(packet: &[u8]) -> Result<StartupPacket, PgError> {
    let bad = || PgError::protocol_violation("invalid startup packet layout");
    let code = packet.get(4..8).ok_or_else(bad)?;
    let code = u32::from_be_bytes([code[0], code[1], code[2], code[3]]);
    match code {
        SSL_REQUEST_CODE if packet.len() == 8 => Ok(StartupPacket::SslRequest),
        GSSENC_REQUEST_CODE if packet.len() == 8 => Ok(StartupPacket::GssEncRequest),
        CANCEL_REQUEST_CODE if packet.len() == 16 => {
            let pid = i32::from_be_bytes(packet[8..12].try_into().map_err(|_| bad())?);
            let secret = i32::from_be_bytes(packet[12..16].try_into().map_err(|_| bad())?);
            Ok(StartupPacket::Cancel { pid, secret })
        }
        _ => {
            let major = (code >> 16) as u16;
            let minor = (code & 0xffff) as u16;
            let body = &packet[8..];
            let mut params = Vec::new();
            let mut fields = body.split(|&b| b == 0);
            loop {
                let key = fields.next().ok_or_else(bad)?;
                if key.is_empty() {
                    break;
                }
                let value = fields.next().ok_or_else(bad)?;
                let text = |b: &[u8]| String::from_utf8(b.to_vec()).map_err(|_| bad());
                params.push((text(key)?, text(value)?));
            }
            Ok(StartupPacket::Startup {
                major,
                minor,
                params,
            })
        }
    }
}

/// Decodes one complete regular (tagged) frontend message (as delimited by [`frame_len`]).
///
/// A malformed body is a non-fatal 08P01 ERROR (invalid UTF-8: 22021), as PostgreSQL's
/// `pqformat.c` gives; an unknown message type is FATAL (`frontend.rs`).
pub fn decode_message(frame: BytesMut) -> Result<Frontend, PgError> {
    frontend::decode(frame)
}

/// Appends an encoded backend message to `out`. Encoding only fails for a message over
/// the protocol's own size limits, which litewire never builds; if it did, the partial
/// bytes are removed so the stream stays well-formed.
fn put<M: Message>(out: &mut BytesMut, msg: M) {
    let mark = out.len();
    if msg.encode(out).is_err() {
        out.truncate(mark);
        tracing::error!("dropped an unencodable backend message");
    }
}

/// Longest error message text sent; longer ones are cut (libpq limits backend messages
/// other than data to 30,000 bytes).
const MAX_ERROR_TEXT: usize = 8_000;

fn clip(s: &str) -> String {
    if s.len() <= MAX_ERROR_TEXT {
        return s.to_string();
    }
    let mut end = MAX_ERROR_TEXT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

fn error_fields(e: &PgError) -> Vec<(u8, String)> {
    let mut f = vec![
        (b'S', e.severity.as_str().to_string()),
        (b'V', e.severity.as_str().to_string()),
        (b'C', e.code.0.to_string()),
        (b'M', clip(&e.message)),
    ];
    if let Some(d) = &e.detail {
        f.push((b'D', clip(d)));
    }
    if let Some(h) = &e.hint {
        f.push((b'H', clip(h)));
    }
    if let Some(w) = &e.context {
        f.push((b'W', clip(w)));
    }
    f
}

/// Backend message encoders, one function per message.
pub mod backend {
    use super::*;

    pub fn error(out: &mut BytesMut, e: &PgError) {
        match e.severity {
            Severity::Error | Severity::Fatal => {
                put(out, response::ErrorResponse::new(error_fields(e)))
            }
            Severity::Warning | Severity::Notice => {
                put(out, response::NoticeResponse::new(error_fields(e)))
            }
        }
    }

    pub fn auth_ok(out: &mut BytesMut) {
        put(out, startup::Authentication::Ok);
    }

    /// A password request or a step of a SASL exchange (server/auth).
    pub fn authentication(out: &mut BytesMut, msg: startup::Authentication) {
        put(out, msg);
    }

    pub fn parameter_status(out: &mut BytesMut, name: &str, value: &str) {
        put(
            out,
            startup::ParameterStatus::new(name.into(), value.into()),
        );
    }

    pub fn backend_key_data(out: &mut BytesMut, pid: i32, secret: i32) {
        put(
            out,
            startup::BackendKeyData::new(pid, startup::SecretKey::I32(secret)),
        );
    }

    pub fn negotiate_protocol_version(out: &mut BytesMut, minor: i32, unsupported: Vec<String>) {
        put(
            out,
            startup::NegotiateProtocolVersion::new(minor, unsupported),
        );
    }

    pub fn ready_for_query(out: &mut BytesMut, status: TransactionStatus) {
        put(out, response::ReadyForQuery::new(status));
    }

    pub fn command_complete(out: &mut BytesMut, tag: &str) {
        put(out, response::CommandComplete::new(tag.into()));
    }

    pub fn empty_query(out: &mut BytesMut) {
        put(out, response::EmptyQueryResponse::new());
    }

    pub fn row_description(out: &mut BytesMut, fields: Vec<FieldDescription>) {
        put(out, RowDescription::new(fields));
    }

    pub fn parameter_description(out: &mut BytesMut, types: Vec<u32>) {
        put(
            out,
            pgwire::messages::data::ParameterDescription::new(types),
        );
    }

    pub fn no_data(out: &mut BytesMut) {
        put(out, pgwire::messages::data::NoData::new());
    }

    pub fn parse_complete(out: &mut BytesMut) {
        put(out, extendedquery::ParseComplete::new());
    }

    pub fn bind_complete(out: &mut BytesMut) {
        put(out, extendedquery::BindComplete::new());
    }

    pub fn close_complete(out: &mut BytesMut) {
        put(out, extendedquery::CloseComplete::new());
    }

    pub fn portal_suspended(out: &mut BytesMut) {
        put(out, extendedquery::PortalSuspended::new());
    }

    /// CopyInResponse: text format overall and for each of `columns`.
    pub fn copy_in_response(out: &mut BytesMut, columns: usize) {
        let n = i16::try_from(columns).unwrap_or(i16::MAX);
        put(
            out,
            pgwire::messages::copy::CopyInResponse::new(0, n, vec![0; n as usize]),
        );
    }

    /// CopyOutResponse: text format overall and for each of `columns`.
    pub fn copy_out_response(out: &mut BytesMut, columns: usize) {
        let n = i16::try_from(columns).unwrap_or(i16::MAX);
        put(
            out,
            pgwire::messages::copy::CopyOutResponse::new(0, n, vec![0; n as usize]),
        );
    }

    pub fn copy_done(out: &mut BytesMut) {
        put(out, pgwire::messages::copy::CopyDone::new());
    }

    /// Starts a CopyData message; the caller writes its bytes, then calls
    /// [`copy_data_end`] with the returned mark to fill in the length.
    pub fn copy_data_begin(out: &mut BytesMut) -> usize {
        let mark = out.len();
        out.extend_from_slice(&[b'd', 0, 0, 0, 0]);
        mark
    }

    pub fn copy_data_end(out: &mut BytesMut, mark: usize) {
        let len = u32::try_from(out.len() - mark - 1).unwrap_or(u32::MAX);
        out[mark + 1..mark + 5].copy_from_slice(&len.to_be_bytes());
    }
}

/// Writes one DataRow straight into an output buffer, value by value.
pub struct DataRowWriter<'a> {
    out: &'a mut BytesMut,
    start: usize,
    count: i16,
}

impl<'a> DataRowWriter<'a> {
    pub fn begin(out: &'a mut BytesMut) -> Self {
        let start = out.len();
        out.put_u8(b'D');
        out.put_i32(0); // length, patched in finish()
        out.put_i16(0); // column count, patched in finish()
        DataRowWriter {
            out,
            start,
            count: 0,
        }
    }

    pub fn null(&mut self) {
        self.out.put_i32(-1);
        self.count += 1;
    }

    pub fn value(&mut self, bytes: &[u8]) {
        self.out.put_i32(bytes.len() as i32);
        self.out.put_slice(bytes);
        self.count += 1;
    }

    /// Writes a value produced by `f` into the buffer, with its length prefixed.
    pub fn value_with(&mut self, f: impl FnOnce(&mut BytesMut)) {
        let at = self.out.len();
        self.out.put_i32(0);
        f(self.out);
        let len = (self.out.len() - at - 4) as i32;
        self.out[at..at + 4].copy_from_slice(&len.to_be_bytes());
        self.count += 1;
    }

    pub fn finish(self) {
        let len = (self.out.len() - self.start - 1) as i32;
        self.out[self.start + 1..self.start + 5].copy_from_slice(&len.to_be_bytes());
        self.out[self.start + 5..self.start + 7].copy_from_slice(&self.count.to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_len_checks_header_before_body() {
        // Incomplete header.
        assert_eq!(frame_len(b"Q\0\0", true, 100), Ok(None));
        // Oversized announced length is refused with only the header present.
        assert_eq!(
            frame_len(b"Q\x7f\xff\xff\xff", true, 1 << 20),
            Err(FrameError::TooLarge {
                len: 0x7fff_ffff,
                max: 1 << 20
            })
        );
        assert_eq!(
            frame_len(b"Q\0\0\0\x02", true, 100),
            Err(FrameError::BadLength(2))
        );
        assert_eq!(
            frame_len(b"Q\xff\xff\xff\xff", true, 100),
            Err(FrameError::BadLength(-1))
        );
        // Complete and incomplete bodies.
        assert_eq!(frame_len(b"Q\0\0\0\x05x", true, 100), Ok(Some(6)));
        assert_eq!(frame_len(b"Q\0\0\0\x06x", true, 100), Ok(None));
        assert_eq!(
            frame_len(b"\0\0\0\x08\x04\xd2\x16\x2f", false, 100),
            Ok(Some(8))
        );
    }

    #[test]
    fn decodes_startup_packets() {
        let mut p = vec![0, 0, 0, 0, 0, 3, 0, 0];
        p.extend_from_slice(b"user\0bob\0database\0db1\0\0");
        let len = p.len() as u32;
        p[..4].copy_from_slice(&len.to_be_bytes());
        match decode_startup(&p).unwrap() {
            StartupPacket::Startup {
                major,
                minor,
                params,
            } => {
                assert_eq!((major, minor), (3, 0));
                assert_eq!(params[1], ("database".into(), "db1".into()));
            }
            other => panic!("{other:?}"),
        }
        let ssl = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];
        assert!(matches!(
            decode_startup(&ssl).unwrap(),
            StartupPacket::SslRequest
        ));
        // Missing terminator.
        let mut bad = vec![0, 0, 0, 0, 0, 3, 0, 0];
        bad.extend_from_slice(b"user\0bob");
        assert!(decode_startup(&bad).is_err());
    }

    #[test]
    fn decodes_query_and_rejects_unknown_type() {
        let mut q = BytesMut::from(&b"Q\0\0\0\x0dselect 1\0"[..]);
        match decode_message(q.split()).unwrap() {
            Frontend::Query(q) => assert_eq!(q.query, "select 1"),
            other => panic!("{other:?}"),
        }
        let e = decode_message(BytesMut::from(&b"!\0\0\0\x04"[..])).unwrap_err();
        assert_eq!(e.code, SqlState::PROTOCOL_VIOLATION);
    }

    #[test]
    fn data_row_layout() {
        let mut out = BytesMut::new();
        let mut w = DataRowWriter::begin(&mut out);
        w.value(b"42");
        w.null();
        w.value_with(|b| b.put_slice(b"abc"));
        w.finish();
        assert_eq!(
            &out[..],
            b"D\0\0\0\x17\0\x03\0\0\0\x0242\xff\xff\xff\xff\0\0\0\x03abc"
        );
    }

    #[test]
    fn error_response_carries_sqlstate() {
        let mut out = BytesMut::new();
        backend::error(&mut out, &PgError::new(SqlState::UNIQUE_VIOLATION, "dup"));
        assert_eq!(out[0], b'E');
        let body = &out[5..];
        assert!(body.windows(6).any(|w| w == b"C23505"));
        assert!(body.windows(6).any(|w| w == b"SERROR"));
    }
}
