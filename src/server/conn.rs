//! One client socket with its read and write buffers.
//!
//! Buffers are allocated only while a message is being read or a reply written: an idle
//! session waits for readability holding no buffer at all, which is what keeps thousands
//! of idle clients cheap.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::BytesMut;

use super::socket::{Peer, Socket, StdSocket};
use super::stats;
use crate::protocol::{self, FrameError, PgError, Severity};

/// Read buffer size used for ordinary messages; larger messages reserve what their
/// length header announces (up to the configured maximum).
static READ_CHUNK: AtomicUsize = AtomicUsize::new(8 << 10);

/// Sets the read buffer size (`--buffer-kib`), once at start.
pub fn set_read_chunk(bytes: usize) {
    READ_CHUNK.store(bytes.max(512), Ordering::Relaxed);
}

fn read_chunk() -> usize {
    READ_CHUNK.load(Ordering::Relaxed)
}

/// Why reading a frame failed.
#[derive(Debug)]
pub enum ReadError {
    /// The socket failed or closed in the middle of a message.
    Io(#[allow(dead_code)] std::io::Error),
    /// The client sent a frame the protocol does not allow.
    Frame(FrameError),
}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> Self {
        ReadError::Io(e)
    }
}

/// What [`Conn::read_frame`] got.
pub enum Read {
    Frame(BytesMut),
    /// The client closed the connection between messages.
    Eof,
    /// Nothing arrived within the idle limit (the session may be parked).
    Idle,
}

/// The client's socket and the bytes in flight on it.
pub struct Conn {
    /// None only while the session is parked (`park.rs`), when no IO happens.
    stream: Option<Socket>,
    rbuf: BytesMut,
    wbuf: BytesMut,
}

impl Conn {
    pub fn new(stream: Socket) -> Self {
        Conn {
            stream: Some(stream),
            rbuf: BytesMut::new(),
            wbuf: BytesMut::new(),
        }
    }

    /// Where the client connects from.
    pub fn peer(&self) -> std::io::Result<Peer> {
        self.stream()?.peer()
    }

    /// The socket's descriptor (-1 while parked).
    pub fn raw_fd(&self) -> std::os::fd::RawFd {
        self.stream.as_ref().map_or(-1, Socket::raw_fd)
    }

    fn stream(&self) -> std::io::Result<&Socket> {
        self.stream
            .as_ref()
            .ok_or_else(|| std::io::ErrorKind::NotConnected.into())
    }

    fn stream_mut(&mut self) -> std::io::Result<&mut Socket> {
        self.stream
            .as_mut()
            .ok_or_else(|| std::io::ErrorKind::NotConnected.into())
    }

    /// Whether the session runs over TLS.
    pub fn is_tls(&self) -> bool {
        self.stream.as_ref().is_some_and(Socket::is_tls)
    }

    /// The first byte a client sent on a plain TCP socket, not consumed (None: nothing
    /// yet, or another kind of socket).
    pub async fn peek_first(&self) -> std::io::Result<Option<u8>> {
        self.stream()?.peek_first().await
    }

    /// Whether bytes the client sent are buffered, not yet read as a message.
    pub fn has_buffered_input(&self) -> bool {
        !self.rbuf.is_empty()
    }

    /// Turns the plain TCP socket into a TLS one (after `S` was sent, or for a client
    /// that began with its handshake: `direct`).
    pub async fn start_tls(
        &mut self,
        config: std::sync::Arc<rustls::ServerConfig>,
        direct: bool,
    ) -> std::io::Result<()> {
        self.flush().await?;
        let Some(Socket::Tcp(tcp)) = self.stream.take() else {
            return Err(std::io::ErrorKind::Unsupported.into());
        };
        let tls = super::tls::TlsSocket::accept(tcp, config, direct).await?;
        self.stream = Some(Socket::Tls(Box::new(tls)));
        Ok(())
    }

    /// The common name of the client's verified certificate, if it sent one.
    pub fn client_common_name(&self) -> Option<String> {
        match self.stream.as_ref()? {
            Socket::Tls(s) => s.client_common_name(),
            _ => None,
        }
    }

    /// Takes the socket out of the runtime for parking (buffers must be empty).
    pub fn detach(&mut self) -> std::io::Result<StdSocket> {
        let stream = self.stream.take().ok_or(std::io::ErrorKind::NotConnected)?;
        self.rbuf = BytesMut::new();
        self.wbuf = BytesMut::new();
        stream.into_std()
    }

    /// Puts a parked socket back under the runtime.
    pub fn attach(&mut self, stream: StdSocket) -> std::io::Result<()> {
        self.stream = Some(Socket::from_std(stream)?);
        Ok(())
    }

    /// Reads the next complete frame (`tagged`: a regular message with a type byte;
    /// otherwise a startup-phase packet). With `idle_limit`, gives up with
    /// [`Read::Idle`] when no byte arrives for that long between messages.
    pub async fn read_frame(
        &mut self,
        tagged: bool,
        max: usize,
        idle_limit: Option<Duration>,
    ) -> Result<Read, ReadError> {
        loop {
            if let Some(n) =
                protocol::frame_len(&self.rbuf, tagged, max).map_err(ReadError::Frame)?
            {
                let frame = self.rbuf.split_to(n);
                if self.rbuf.is_empty() {
                    // Let go of the shared allocation; the frame keeps what it needs.
                    self.rbuf = BytesMut::new();
                }
                return Ok(Read::Frame(frame));
            }
            if self.rbuf.is_empty() {
                // Idle: flush what is pending, give buffers back, then wait.
                self.flush().await?;
                self.wbuf = BytesMut::new();
                self.rbuf = BytesMut::new();
                if !self.wait_readable(idle_limit).await? {
                    return Ok(Read::Idle);
                }
            }
            self.reserve_for_frame(tagged);
            let stream = self
                .stream
                .as_mut()
                .ok_or(ReadError::Io(std::io::ErrorKind::NotConnected.into()))?;
            match stream.try_read_buf(&mut self.rbuf) {
                Ok(0) if self.rbuf.is_empty() => return Ok(Read::Eof),
                Ok(0) => {
                    return Err(ReadError::Io(std::io::ErrorKind::UnexpectedEof.into()));
                }
                Ok(n) => stats::BYTES_RECEIVED.add(n as u64),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if self.rbuf.is_empty() {
                        // Readiness was stale. Wait again without holding a buffer.
                        self.rbuf = BytesMut::new();
                        if !self.wait_readable(idle_limit).await? {
                            return Ok(Read::Idle);
                        }
                    } else {
                        self.stream_mut()?.readable().await?;
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Waits until the socket is readable; false if `limit` passed first.
    async fn wait_readable(&mut self, limit: Option<Duration>) -> std::io::Result<bool> {
        let stream = self.stream_mut()?;
        match limit {
            None => stream.readable().await.map(|()| true),
            Some(d) => match tokio::time::timeout(d, stream.readable()).await {
                Ok(r) => r.map(|()| true),
                Err(_) => Ok(false),
            },
        }
    }

    /// Makes room for the rest of the current frame (its length is known once the
    /// header is in; [`protocol::frame_len`] has already checked it against the limit).
    fn reserve_for_frame(&mut self, tagged: bool) {
        let off = usize::from(tagged);
        let want = match self.rbuf.get(off..off + 4) {
            Some(h) => {
                let len = i32::from_be_bytes([h[0], h[1], h[2], h[3]]).max(0) as usize;
                (off + len).saturating_sub(self.rbuf.len()).max(1)
            }
            None => read_chunk(),
        };
        if self.rbuf.capacity() - self.rbuf.len() < want {
            self.rbuf.reserve(want.max(read_chunk()));
        }
    }

    /// Bytes held by the buffers now.
    pub fn capacity(&self) -> usize {
        self.rbuf.capacity() + self.wbuf.capacity()
    }

    /// Bytes the buffers will hold while waiting for the next message: none when no
    /// partial message is buffered (they are released before waiting).
    pub fn pending_capacity(&self) -> usize {
        if self.rbuf.is_empty() {
            0
        } else {
            self.capacity()
        }
    }

    /// Whether the next message, already received, has type `tag` (e.g. Sync).
    pub fn next_message_is(&self, tag: u8) -> bool {
        self.rbuf.first() == Some(&tag)
    }

    /// The write buffer; messages are encoded into it and sent by [`Conn::flush`].
    pub fn out(&mut self) -> &mut BytesMut {
        &mut self.wbuf
    }

    /// Sends an error (or notice) message; an ERROR or FATAL is counted and logged
    /// (with the session's pid, user, database and client address).
    pub fn error(&mut self, e: &PgError) {
        if matches!(e.severity, Severity::Error | Severity::Fatal) {
            stats::count_error(e);
            super::who::session_info!(code = e.code.0, "{}: {}", e.severity.as_str(), e.message);
        }
        protocol::backend::error(&mut self.wbuf, e);
    }

    /// Sends a chunk of already encoded messages, after anything buffered before it.
    pub async fn send_chunk(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        self.flush().await?;
        let stream = self
            .stream
            .as_mut()
            .ok_or(std::io::ErrorKind::NotConnected)?;
        stream.write_all(chunk).await?;
        stats::BYTES_SENT.add(chunk.len() as u64);
        Ok(())
    }

    pub async fn flush(&mut self) -> std::io::Result<()> {
        if !self.wbuf.is_empty() {
            let stream = self
                .stream
                .as_mut()
                .ok_or(std::io::ErrorKind::NotConnected)?;
            stream.write_all(&self.wbuf).await?;
            stats::BYTES_SENT.add(self.wbuf.len() as u64);
            self.wbuf.clear();
        }
        Ok(())
    }
}
