//! Just enough raw PostgreSQL v3 protocol for idle clients: send a StartupMessage, read
//! until ReadyForQuery, and leave the socket alone. No SSLRequest is sent (so no TLS) and
//! only trust authentication works: a server asking for a password is reported as an error.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::Result;

/// A StartupMessage for protocol 3.0 with user, database and application_name.
pub fn startup_message(user: &str, database: &str) -> Vec<u8> {
    let mut body = 196_608i32.to_be_bytes().to_vec(); // 3 << 16
    for (k, v) in [
        ("user", user),
        ("database", database),
        ("application_name", "litewire-bench"),
    ] {
        for s in [k, v] {
            body.extend_from_slice(s.as_bytes());
            body.push(0);
        }
    }
    body.push(0);
    let mut msg = ((body.len() + 4) as i32).to_be_bytes().to_vec();
    msg.extend(body);
    msg
}

/// The first complete backend message in `buf`: (type byte, body, bytes used), or None
/// until it has fully arrived.
pub fn next_message(buf: &[u8]) -> Option<(u8, &[u8], usize)> {
    let header = buf.get(..5)?;
    let len = i32::from_be_bytes(header[1..5].try_into().unwrap());
    let end = 1 + usize::try_from(len).ok().filter(|&l| l >= 4)?;
    let body = buf.get(5..end)?;
    Some((header[0], body, end))
}

/// "SEVERITY CODE: message" from an ErrorResponse/NoticeResponse body.
pub fn error_text(body: &[u8]) -> String {
    let (mut severity, mut code, mut message) = ("", "", "");
    for field in body.split(|&b| b == 0) {
        let Some((&tag, value)) = field.split_first() else {
            continue;
        };
        let value = std::str::from_utf8(value).unwrap_or("?");
        match tag {
            b'S' => severity = value,
            b'C' => code = value,
            b'M' => message = value,
            _ => {}
        }
    }
    format!("{severity} {code}: {message}")
}

/// Connects and completes the startup handshake; the returned socket is idle.
pub async fn handshake(addr: SocketAddr, user: &str, database: &str) -> Result<TcpStream> {
    let mut sock = TcpStream::connect(addr).await?;
    sock.set_nodelay(true)?;
    sock.write_all(&startup_message(user, database)).await?;
    let mut buf = Vec::with_capacity(1024);
    loop {
        while let Some((tag, body, used)) = next_message(&buf) {
            match tag {
                b'Z' => return Ok(sock),
                b'E' => return Err(error_text(body).into()),
                b'R' if body.get(..4) != Some(&[0, 0, 0, 0]) => {
                    return Err(format!(
                        "the server asks for authentication (request {:?}); idle clients \
                         support trust only",
                        body.get(..4)
                    )
                    .into())
                }
                _ => {} // AuthenticationOk, ParameterStatus, BackendKeyData, notices...
            }
            buf.drain(..used);
        }
        let mut chunk = [0u8; 1024];
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            return Err("the server closed the connection during startup".into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Whether an idle socket is still open: Ok(true) when nothing arrived, Ok(false) when the
/// server closed it, Err(text) when the server sent something (an error, say).
pub fn still_idle(sock: &TcpStream) -> std::result::Result<bool, String> {
    let mut buf = [0u8; 512];
    match sock.try_read(&mut buf) {
        Ok(0) => Ok(false),
        Ok(n) => Err(match next_message(&buf[..n]) {
            Some((b'E', body, _)) => error_text(body),
            _ => format!("{n} unexpected bytes"),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(true),
        Err(e) => Err(e.to_string()),
    }
}

/// Politely ends the session (Terminate) without waiting; the socket is then dropped.
pub fn terminate(sock: &TcpStream) {
    let _ = sock.try_write(b"X\0\0\0\x04");
}

/// Handshake with a deadline.
pub async fn handshake_within(
    limit: Duration,
    addr: SocketAddr,
    user: &str,
    database: &str,
) -> Result<TcpStream> {
    match tokio::time::timeout(limit, handshake(addr, user, database)).await {
        Ok(r) => r,
        Err(_) => Err(format!("no ReadyForQuery within {limit:?}").into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn startup_message_layout() {
        let m = startup_message("u", "db");
        assert_eq!(&m[..4], &(m.len() as i32).to_be_bytes());
        assert_eq!(&m[4..8], &[0, 3, 0, 0]);
        assert_eq!(
            &m[8..],
            b"user\0u\0database\0db\0application_name\0litewire-bench\0\0"
        );
    }

    #[test]
    fn messages_are_split_only_when_complete() {
        let stream = b"R\0\0\0\x08\0\0\0\0Z\0\0\0\x05I";
        let (tag, body, used) = next_message(stream).unwrap();
        assert_eq!((tag, body, used), (b'R', &[0u8, 0, 0, 0][..], 9));
        let (tag, body, _) = next_message(&stream[used..]).unwrap();
        assert_eq!((tag, body), (b'Z', &b"I"[..]));
        assert!(next_message(&stream[..8]).is_none());
        assert!(next_message(b"Z\0\0").is_none());
        assert!(next_message(b"Z\0\0\0\x02").is_none(), "length below 4");
    }

    #[test]
    fn error_fields() {
        let body = b"SFATAL\0VFATAL\0C53300\0Msorry, too many clients already\0\0";
        assert_eq!(
            error_text(body),
            "FATAL 53300: sorry, too many clients already"
        );
    }
}
