//! A client's socket: TCP (plain or TLS), or the Unix-domain socket of
//! `--unix-socket-dir` (PostgreSQL's `.s.PGSQL.<port>`), under the runtime or, parked,
//! outside it.

use std::net::IpAddr;
use std::os::fd::{AsRawFd, RawFd};

use bytes::BytesMut;
use rustls::ServerConnection;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpStream, UnixStream};

use super::tls::TlsSocket;

/// Where a client connects from, as authentication rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    Ip(IpAddr),
    /// The Unix-domain socket (a `local` rule).
    Local,
}

impl std::fmt::Display for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Peer::Ip(ip) => ip.fmt(f),
            Peer::Local => f.write_str("[local]"),
        }
    }
}

pub enum Socket {
    Tcp(TcpStream),
    Unix(UnixStream),
    Tls(Box<TlsSocket>),
}

/// A socket outside the runtime (a parked session's).
pub enum StdSocket {
    Tcp(std::net::TcpStream),
    Unix(std::os::unix::net::UnixStream),
    /// A TLS session's socket and its TLS state (nothing decrypted is left unread when
    /// a session parks: it parks only after waiting for input).
    Tls(std::net::TcpStream, Box<ServerConnection>),
}

impl Socket {
    pub fn peer(&self) -> std::io::Result<Peer> {
        match self {
            Socket::Tcp(s) => s.peer_addr().map(|a| Peer::Ip(a.ip())),
            Socket::Tls(s) => s.tcp.peer_addr().map(|a| Peer::Ip(a.ip())),
            Socket::Unix(_) => Ok(Peer::Local),
        }
    }

    /// The descriptor (for `DROP DATABASE … WITH (FORCE)`: see `Registry::terminate`).
    pub fn raw_fd(&self) -> RawFd {
        match self {
            Socket::Tcp(s) => s.as_raw_fd(),
            Socket::Tls(s) => s.tcp.as_raw_fd(),
            Socket::Unix(s) => s.as_raw_fd(),
        }
    }

    /// Whether the client's bytes travel encrypted (hba's `hostssl`/`hostnossl`).
    pub fn is_tls(&self) -> bool {
        matches!(self, Socket::Tls(_))
    }

    pub fn try_read_buf(&mut self, buf: &mut BytesMut) -> std::io::Result<usize> {
        match self {
            Socket::Tcp(s) => s.try_read_buf(buf),
            Socket::Unix(s) => s.try_read_buf(buf),
            Socket::Tls(s) => s.try_read_buf(buf),
        }
    }

    /// Raw bytes of a plain socket (the over-the-limit refusal, before any TLS).
    pub fn try_read(&self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Socket::Tcp(s) => s.try_read(buf),
            Socket::Unix(s) => s.try_read(buf),
            Socket::Tls(_) => Err(std::io::ErrorKind::Unsupported.into()),
        }
    }

    /// Raw bytes to a plain socket (the over-the-limit refusal, before any TLS).
    pub fn try_write(&self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Socket::Tcp(s) => s.try_write(buf),
            Socket::Unix(s) => s.try_write(buf),
            Socket::Tls(_) => Err(std::io::ErrorKind::Unsupported.into()),
        }
    }

    /// The first byte waiting on a plain TCP socket, without reading it (direct TLS
    /// begins with a handshake record, 0x16). None when nothing has arrived yet.
    pub async fn peek_first(&self) -> std::io::Result<Option<u8>> {
        let mut byte = [0u8; 1];
        match self {
            Socket::Tcp(s) => Ok((s.peek(&mut byte).await? == 1).then_some(byte[0])),
            _ => Ok(None),
        }
    }

    pub async fn readable(&mut self) -> std::io::Result<()> {
        match self {
            Socket::Tcp(s) => s.readable().await,
            Socket::Unix(s) => s.readable().await,
            Socket::Tls(s) => s.readable().await,
        }
    }

    pub async fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            Socket::Tcp(s) => s.write_all(buf).await,
            Socket::Unix(s) => s.write_all(buf).await,
            Socket::Tls(s) => s.write_all(buf).await,
        }
    }

    pub fn into_std(self) -> std::io::Result<StdSocket> {
        Ok(match self {
            Socket::Tcp(s) => StdSocket::Tcp(s.into_std()?),
            Socket::Unix(s) => StdSocket::Unix(s.into_std()?),
            Socket::Tls(s) => {
                let TlsSocket { tcp, tls } = *s;
                StdSocket::Tls(tcp.into_std()?, Box::new(tls))
            }
        })
    }

    pub fn from_std(s: StdSocket) -> std::io::Result<Socket> {
        Ok(match s {
            StdSocket::Tcp(s) => Socket::Tcp(TcpStream::from_std(s)?),
            StdSocket::Unix(s) => Socket::Unix(UnixStream::from_std(s)?),
            StdSocket::Tls(s, tls) => Socket::Tls(Box::new(TlsSocket {
                tcp: TcpStream::from_std(s)?,
                tls: *tls,
            })),
        })
    }
}

impl StdSocket {
    /// Stops sending (the peer reads end-of-file after what was written).
    pub fn shutdown_write(&self) {
        let _ = match self {
            StdSocket::Tcp(s) => s.shutdown(std::net::Shutdown::Write),
            StdSocket::Unix(s) => s.shutdown(std::net::Shutdown::Write),
            StdSocket::Tls(s, _) => s.shutdown(std::net::Shutdown::Write),
        };
    }
}

impl AsRawFd for StdSocket {
    fn as_raw_fd(&self) -> RawFd {
        match self {
            StdSocket::Tcp(s) => s.as_raw_fd(),
            StdSocket::Unix(s) => s.as_raw_fd(),
            StdSocket::Tls(s, _) => s.as_raw_fd(),
        }
    }
}
