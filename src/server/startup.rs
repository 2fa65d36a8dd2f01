//! The startup handshake: TLS (an SSLRequest answered `S` when TLS is configured, `N`
//! otherwise; or PostgreSQL 17's direct TLS), GSS encryption refused (`N`), the startup
//! packet, protocol version negotiation, and the messages a session opens with.

use std::sync::Arc;

use crate::protocol::{self, backend, PgError, SqlState, StartupPacket, TransactionStatus};

use super::conn::{Conn, Read, ReadError};
use super::params::Params;

/// What the client asked for.
pub enum Hello {
    Session(StartupRequest),
    Cancel {
        pid: i32,
        secret: i32,
    },
    /// The client went away, or sent something that is not a startup packet.
    Closed,
}

/// A startup packet's useful parts.
pub struct StartupRequest {
    pub user: String,
    pub database: String,
    /// Other parameters (application_name, client_encoding, options, ...).
    pub params: Vec<(String, String)>,
}

/// Reads startup-phase packets until the client sends its StartupMessage or a
/// CancelRequest, turning on TLS (`tls`) when the client asks. Errors that deserve an
/// answer come back as `Err`.
pub async fn read_hello(
    conn: &mut Conn,
    tls: Option<&Arc<rustls::ServerConfig>>,
) -> Result<Hello, PgError> {
    // Direct TLS: a handshake record (0x16) where a packet length would begin.
    if let Some(config) = tls {
        if conn.peek_first().await.ok().flatten() == Some(0x16)
            && conn.start_tls(config.clone(), true).await.is_err()
        {
            return Ok(Hello::Closed);
        }
    }
    // SSLRequest then GSSENCRequest is the most a client sends before its startup packet.
    for _ in 0..3 {
        let frame = match conn
            .read_frame(false, protocol::MAX_STARTUP_PACKET, None)
            .await
        {
            Ok(Read::Frame(f)) => f,
            Ok(Read::Eof | Read::Idle) | Err(ReadError::Io(_)) => return Ok(Hello::Closed),
            Err(ReadError::Frame(e)) => return Err(e.into()),
        };
        match protocol::decode_startup(&frame)? {
            StartupPacket::SslRequest if tls.is_some() && !conn.is_tls() => {
                if conn.has_buffered_input() {
                    // As PostgreSQL: the handshake must come first (CVE-2021-23214).
                    return Err(PgError::protocol_violation(
                        "received unencrypted data after SSL request",
                    ));
                }
                conn.out().extend_from_slice(b"S");
                let config = tls.cloned().expect("checked above");
                if conn.start_tls(config, false).await.is_err() {
                    return Ok(Hello::Closed);
                }
            }
            StartupPacket::SslRequest | StartupPacket::GssEncRequest => {
                // No TLS configured (or already on), no GSS: answer `N` and keep
                // reading on the same socket.
                conn.out().extend_from_slice(b"N");
                if conn.flush().await.is_err() {
                    return Ok(Hello::Closed);
                }
            }
            StartupPacket::Cancel { pid, secret } => return Ok(Hello::Cancel { pid, secret }),
            StartupPacket::Startup {
                major,
                minor,
                params,
            } => return startup(conn, major, minor, params),
        }
    }
    Err(PgError::protocol_violation("too many negotiation requests"))
}

fn startup(
    conn: &mut Conn,
    major: u16,
    minor: u16,
    params: Vec<(String, String)>,
) -> Result<Hello, PgError> {
    if major != 3 {
        return Err(PgError::fatal(
            SqlState::FEATURE_NOT_SUPPORTED,
            format!("unsupported frontend protocol {major}.{minor}: server supports 3.0 to 3.0"),
        ));
    }
    let (proto_opts, params): (Vec<_>, Vec<_>) = params
        .into_iter()
        .partition(|(k, _)| k.starts_with("_pq_."));
    if minor > 0 || !proto_opts.is_empty() {
        let unsupported = proto_opts.into_iter().map(|(k, _)| k).collect();
        // The newest version supported, as a full protocol number (3.0), as PostgreSQL
        // sends it; libpq 18 refuses anything below 3.0.
        backend::negotiate_protocol_version(conn.out(), 196608, unsupported);
    }
    let get = |key: &str| {
        params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let user = get("user").filter(|u| !u.is_empty()).ok_or_else(|| {
        PgError::fatal(
            SqlState::INVALID_AUTHORIZATION,
            "no PostgreSQL user name specified in startup packet",
        )
    })?;
    let database = get("database")
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| user.clone());
    let params = params
        .into_iter()
        .filter(|(k, _)| k != "user" && k != "database")
        .collect();
    Ok(Hello::Session(StartupRequest {
        user,
        database,
        params,
    }))
}

/// Applies the startup parameters a session honours. Unknown ones are accepted and
/// ignored, as the issue asks (PostgreSQL would refuse unknown GUC names); a TimeZone
/// no zone has is refused, as PostgreSQL does (the session would read and print
/// times in another zone than the client asked for).
pub fn apply_params(req: &StartupRequest, params: &mut Params) -> Result<(), PgError> {
    for (k, v) in &req.params {
        if k == "options" {
            apply_options(v, params)?;
            continue;
        }
        if k == "replication" {
            continue;
        }
        if let Err(e) = params.set(k, v) {
            if k.eq_ignore_ascii_case("timezone") {
                return Err(e);
            }
        }
    }
    params.clear_pending();
    params.shrink();
    Ok(())
}

/// The startup packet's `options` (libpq's PGOPTIONS): `-c name=value`, `-cname=value`
/// and `--name=value` switches, split at spaces with `\` taking the next character as
/// it is (PostgreSQL's pg_split_opts). A bad name or value ends the connection (FATAL),
/// as in PostgreSQL; its other switches are server flags litewire has no use for.
fn apply_options(text: &str, params: &mut Params) -> Result<(), PgError> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => word.extend(chars.next()),
            c if c.is_ascii_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    let mut words = words.into_iter();
    while let Some(w) = words.next() {
        // `--name=value`: dashes in the name are underscores, as PostgreSQL reads it.
        let (setting, dashed) = match (w.strip_prefix("--"), w.strip_prefix("-c")) {
            (Some(long), _) => (Some(long.to_string()), true),
            (None, Some("")) => (words.next(), false),
            (None, Some(short)) => (Some(short.to_string()), false),
            (None, None) => (None, false),
        };
        let Some(setting) = setting else {
            return Err(PgError::fatal(
                SqlState::FEATURE_NOT_SUPPORTED,
                format!(
                    "command-line argument for the server process {w} is not supported by litewire"
                ),
            ));
        };
        let Some((name, value)) = setting.split_once('=') else {
            let switch = if dashed { "--" } else { "-c " };
            return Err(PgError::fatal(
                SqlState::SYNTAX_ERROR,
                format!("{switch}{setting} requires a value"),
            ));
        };
        let name = if dashed {
            name.replace('-', "_")
        } else {
            name.to_string()
        };
        params.set(&name, value)?;
    }
    Ok(())
}

/// AuthenticationOk, every reported ParameterStatus, BackendKeyData, ReadyForQuery.
pub fn welcome(conn: &mut Conn, params: &Params, pid: i32, secret: i32) {
    backend::auth_ok(conn.out());
    for (name, value) in params.reported() {
        backend::parameter_status(conn.out(), name, &value);
    }
    backend::backend_key_data(conn.out(), pid, secret);
    backend::ready_for_query(conn.out(), TransactionStatus::Idle);
}
