//! TLS (rustls, ring's crypto): the server's certificate and key (`--tls-cert`,
//! `--tls-key`), optionally the CA that client certificates must chain to
//! (`--tls-client-ca`), and a TLS connection driven the way `Conn` drives a plain socket:
//! non-blocking reads and writes on readiness, so an idle TLS session holds no buffer of
//! its own beyond rustls' state and can be parked like any other.
//!
//! A client asks with an SSLRequest (answered `S`, then the handshake), or, as
//! PostgreSQL 17 allows, starts the handshake at once ("direct" TLS, ALPN `postgresql`
//! required).

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::BytesMut;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig, ServerConnection};
use tokio::net::TcpStream;

/// The ALPN protocol name PostgreSQL registered; direct TLS requires it.
pub const ALPN: &[u8] = b"postgresql";

/// A loaded TLS configuration.
pub struct Setup {
    pub config: Arc<ServerConfig>,
    /// SCRAM's `tls-server-end-point` channel-binding data (RFC 5929): the hash of the
    /// server's certificate. None when its signature names no hash (Ed25519, RSA-PSS),
    /// and SCRAM-SHA-256-PLUS is then not offered.
    pub end_point: Option<Vec<u8>>,
}

/// Where the TLS files are (all from the config; checked at start and on reload).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Files {
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub client_ca: Option<PathBuf>,
}

impl Files {
    /// The server's TLS configuration, None when TLS is not configured. Errors name the
    /// file and what is wrong with it.
    pub fn load(&self) -> Result<Option<Setup>, String> {
        let (cert, key) = match (&self.cert, &self.key) {
            (None, None) if self.client_ca.is_none() => return Ok(None),
            (Some(c), Some(k)) => (c, k),
            _ => {
                return Err(
                    "--tls-cert and --tls-key go together (and --tls-client-ca needs both)".into(),
                )
            }
        };
        let chain = certificates(cert)?;
        let end_point = end_point(chain[0].as_ref());
        let key = PrivateKeyDer::from_pem_file(key)
            .map_err(|e| format!("{}: no private key read: {e}", key.display()))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?;
        let builder = match &self.client_ca {
            None => builder.with_no_client_auth(),
            Some(ca) => {
                let mut roots = RootCertStore::empty();
                for c in certificates(ca)? {
                    roots.add(c).map_err(|e| format!("{}: {e}", ca.display()))?;
                }
                // A certificate is asked for and checked when sent; whether one is
                // required is the `cert` method's choice (hba), as in PostgreSQL.
                let verifier = WebPkiClientVerifier::builder_with_provider(roots.into(), provider)
                    .allow_unauthenticated()
                    .build()
                    .map_err(|e| format!("{}: {e}", ca.display()))?;
                builder.with_client_cert_verifier(verifier)
            }
        };
        let mut config = builder
            .with_single_cert(chain, key)
            .map_err(|e| format!("{}: {e}", cert.display()))?;
        // Offered, not required: libpq before 17 sends no ALPN after an SSLRequest.
        config.alpn_protocols = vec![ALPN.to_vec()];
        Ok(Some(Setup {
            config: Arc::new(config),
            end_point,
        }))
    }
}

fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|i| i.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate in the file", path.display()));
    }
    Ok(certs)
}

/// A TLS connection over a TCP socket.
pub struct TlsSocket {
    pub(super) tcp: TcpStream,
    pub(super) tls: ServerConnection,
}

/// `Read`/`Write` over a non-blocking socket: `WouldBlock` when it is not ready.
struct TryIo<'a>(&'a TcpStream);

impl Read for TryIo<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.try_read(buf)
    }
}

impl Write for TryIo<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.try_write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn invalid(e: rustls::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

impl TlsSocket {
    /// Runs the handshake. `direct`: the client began it without an SSLRequest, which
    /// PostgreSQL accepts only with ALPN `postgresql`.
    pub async fn accept(
        tcp: TcpStream,
        config: Arc<ServerConfig>,
        direct: bool,
    ) -> io::Result<TlsSocket> {
        let tls = ServerConnection::new(config).map_err(invalid)?;
        let mut s = TlsSocket { tcp, tls };
        while s.tls.is_handshaking() {
            s.flush_tls().await?;
            if !s.tls.is_handshaking() {
                break;
            }
            if s.read_tls()? == 0 {
                s.tcp.readable().await?;
            }
        }
        s.flush_tls().await?;
        if direct && s.tls.alpn_protocol() != Some(ALPN) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "direct TLS connection without ALPN postgresql",
            ));
        }
        Ok(s)
    }

    /// Reads what ciphertext has arrived and processes it: 0 when nothing was ready;
    /// end of stream is `UnexpectedEof`. A TLS error sends its alert before failing.
    fn read_tls(&mut self) -> io::Result<usize> {
        let n = match self.tls.read_tls(&mut TryIo(&self.tcp)) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(0),
            Err(e) => return Err(e),
        };
        if let Err(e) = self.tls.process_new_packets() {
            let _ = self.tls.write_tls(&mut TryIo(&self.tcp));
            return Err(invalid(e));
        }
        Ok(n)
    }

    /// Sends every TLS record rustls has ready.
    async fn flush_tls(&mut self) -> io::Result<()> {
        while self.tls.wants_write() {
            match self.tls.write_tls(&mut TryIo(&self.tcp)) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.tcp.writable().await?,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Decrypted bytes waiting to be read, or the peer's close_notify.
    fn has_input(&mut self) -> bool {
        self.tls.process_new_packets().map_or(true, |s| {
            s.plaintext_bytes_to_read() > 0 || s.peer_has_closed()
        })
    }

    /// As `TcpStream::try_read_buf`: plaintext into `buf`, `WouldBlock` when none has
    /// arrived, 0 at the end of the stream.
    pub fn try_read_buf(&mut self, buf: &mut BytesMut) -> io::Result<usize> {
        loop {
            let state = self.tls.process_new_packets().map_err(invalid)?;
            let ready = state.plaintext_bytes_to_read();
            if ready > 0 {
                if buf.capacity() == buf.len() {
                    buf.reserve(ready);
                }
                let start = buf.len();
                buf.resize(buf.capacity().min(start + ready), 0);
                let n = self.tls.reader().read(&mut buf[start..]);
                buf.truncate(start + *n.as_ref().unwrap_or(&0));
                return n;
            }
            if state.peer_has_closed() {
                return Ok(0);
            }
            match self.read_tls() {
                Ok(0) => return Err(io::ErrorKind::WouldBlock.into()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(0),
                Err(e) => return Err(e),
            }
        }
    }

    /// Waits until plaintext (or the end of the stream) can be read.
    pub async fn readable(&mut self) -> io::Result<()> {
        if self.has_input() {
            return Ok(());
        }
        self.tcp.readable().await
    }

    pub async fn write_all(&mut self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            let n = self.tls.writer().write(buf)?;
            buf = &buf[n..];
            self.flush_tls().await?;
        }
        Ok(())
    }

    /// The verified client certificate's common name, when one was sent.
    pub fn client_common_name(&self) -> Option<String> {
        let cert = self.tls.peer_certificates()?.first()?;
        common_name(cert.as_ref())
    }
}

/// One DER element at the start of `der`: its tag, its contents and what follows.
fn element(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *der.first()?;
    let first = *der.get(1)? as usize;
    let (len, header) = if first < 0x80 {
        (first, 2)
    } else {
        let bytes = first - 0x80;
        if bytes == 0 || bytes > 4 {
            return None;
        }
        let len = der
            .get(2..2 + bytes)?
            .iter()
            .fold(0usize, |n, b| n << 8 | *b as usize);
        (len, 2 + bytes)
    };
    let end = header.checked_add(len)?;
    Some((tag, der.get(header..end)?, der.get(end..)?))
}

/// The common name of a DER certificate's subject: Certificate → tbsCertificate →
/// (version), serial, signature algorithm, issuer, validity, subject → the attribute
/// 2.5.4.3 of its relative distinguished names.
fn common_name(der: &[u8]) -> Option<String> {
    const CN: &[u8] = &[0x55, 0x04, 0x03];
    let (_, cert, _) = element(der)?;
    let (_, tbs, _) = element(cert)?;
    let mut rest = tbs;
    if rest.first() == Some(&0xa0) {
        rest = element(rest)?.2;
    }
    for _ in 0..4 {
        rest = element(rest)?.2; // serial, signature, issuer, validity
    }
    let (_, mut names, _) = element(rest)?;
    while !names.is_empty() {
        let (_, set, next) = element(names)?;
        let (_, attribute, _) = element(set)?;
        let (_, oid, value) = element(attribute)?;
        if oid == CN {
            let (_, text, _) = element(value)?;
            return String::from_utf8(text.to_vec()).ok();
        }
        names = next;
    }
    None
}

/// The `tls-server-end-point` hash of a DER certificate (RFC 5929 §4.1): the hash
/// function of its signature algorithm, SHA-256 in place of MD5 and SHA-1, as
/// PostgreSQL's be_tls_get_certificate_hash computes it.
fn end_point(der: &[u8]) -> Option<Vec<u8>> {
    use sha2::Digest;
    const RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01]; // 1.2.840.113549.1.1
    const ECDSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04]; // 1.2.840.10045.4
    let (_, cert, _) = element(der)?;
    let (_, algorithm, _) = element(element(cert)?.2)?; // after tbsCertificate
    let (_, oid, _) = element(algorithm)?;
    let which = match (oid.strip_prefix(RSA), oid.strip_prefix(ECDSA)) {
        // md5, sha1, sha256 With RSA; ecdsa-with-SHA1, ecdsa-with-SHA256
        (Some([4 | 5 | 11]), _) | (_, Some([1] | [3, 2])) => 256,
        (Some([12]), _) | (_, Some([3, 3])) => 384,
        (Some([13]), _) | (_, Some([3, 4])) => 512,
        (Some([14]), _) | (_, Some([3, 1])) => 224,
        _ => return None,
    };
    Some(match which {
        224 => sha2::Sha224::digest(der).to_vec(),
        256 => sha2::Sha256::digest(der).to_vec(),
        384 => sha2::Sha384::digest(der).to_vec(),
        _ => sha2::Sha512::digest(der).to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_name_of_the_subject_not_the_issuer() {
        // Issued to CN=alice by CN=litewire test CA (tests/fixtures/tls).
        let pem = include_bytes!("../../tests/fixtures/tls/alice.crt");
        let der = CertificateDer::from_pem_slice(pem).unwrap();
        assert_eq!(common_name(der.as_ref()).as_deref(), Some("alice"));
        // Every truncation and a flipped length byte read as nothing, never a panic.
        for end in 0..der.len() {
            let _ = common_name(&der[..end]);
        }
        let mut bad = der.to_vec();
        bad[1] ^= 0x7f;
        let _ = common_name(&bad);
    }

    #[test]
    fn end_point_hash_follows_the_signature_algorithm() {
        use sha2::Digest;
        // The test certificates are signed with sha256WithRSAEncryption.
        let pem = include_bytes!("../../tests/fixtures/tls/alice.crt");
        let der = CertificateDer::from_pem_slice(pem).unwrap();
        let hash = end_point(der.as_ref()).unwrap();
        assert_eq!(hash, sha2::Sha256::digest(der.as_ref()).to_vec());
        for end in 0..der.len() {
            let _ = end_point(&der[..end]);
        }
    }
}
