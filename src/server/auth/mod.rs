//! Who may connect: the rules (`hba.rs`, or one rule for everyone from
//! `--auth-method`), the users file (`users.rs`), and the password exchanges of the
//! startup phase — cleartext, md5 and SCRAM-SHA-256 (`scram.rs`) — with PostgreSQL's
//! messages and SQLSTATEs (28000 no rule or a `reject` rule, 28P01 a wrong password).
//! The state of an exchange lives in the startup future only; a session keeps nothing.

pub mod hba;
pub mod scram;
pub mod users;

use std::path::PathBuf;

use bytes::{Buf, BytesMut};
use pgwire::messages::startup::Authentication;
use tracing::warn;

use crate::protocol::{self, PgError, SqlState};

use super::conn::{Conn, Read, ReadError};
use super::socket::Peer;
use hba::{Method, Rule};
use users::{Secret, Users};

/// Where the rules and users come from (config flags).
#[derive(Debug, Clone, Default)]
pub struct AuthConfig {
    pub hba_file: Option<PathBuf>,
    pub auth_file: Option<PathBuf>,
    /// The method of the one rule used without an hba file.
    pub method: Option<Method>,
    /// TLS, reloaded with the rules (a `hostssl` rule needs it).
    pub tls: super::tls::Files,
}

/// The rules and users in force.
pub struct Auth {
    rules: Vec<Rule>,
    users: Users,
    /// Makes the salt an unknown user's SCRAM exchange shows (stable per user, so a
    /// client cannot tell unknown users from known ones by asking twice).
    mock_key: [u8; 32],
    /// The TLS configuration clients that ask for TLS get (None: they get `N`).
    pub tls: Option<super::tls::Setup>,
}

impl Auth {
    /// Reads the files; errors name the file and line.
    pub fn load(cfg: &AuthConfig) -> Result<Auth, String> {
        let users = match &cfg.auth_file {
            Some(path) => Users::load(path)?,
            None => Users::default(),
        };
        let rules = match (&cfg.hba_file, cfg.method) {
            (Some(path), _) => hba::load(path)?,
            (None, Some(m)) => vec![Rule::everyone(m)],
            // Passwords configured: SCRAM, PostgreSQL's default; else trust (today's
            // behaviour, on loopback unless said otherwise: Config::check).
            (None, None) if cfg.auth_file.is_some() => vec![Rule::everyone(Method::ScramSha256)],
            (None, None) => vec![Rule::everyone(Method::Trust)],
        };
        let needs_users = rules.iter().any(|r| r.method.needs_password());
        if needs_users && cfg.auth_file.is_none() {
            return Err(
                "a rule asks for passwords but there is no --auth-file to check them against"
                    .into(),
            );
        }
        let tls = cfg.tls.load()?;
        if tls.is_none() && rules.iter().any(Rule::needs_tls) {
            return Err("hostssl rules cannot match: TLS is off (--tls-cert and --tls-key)".into());
        }
        let mut mock_key = [0u8; 32];
        getrandom::fill(&mut mock_key).map_err(|e| format!("no random bytes: {e}"))?;
        Ok(Auth {
            rules,
            users,
            mock_key,
            tls,
        })
    }

    /// How many rules and users are in force (for the log).
    pub fn counts(&self) -> (usize, usize) {
        (self.rules.len(), self.users.len())
    }

    /// Whether some rule lets a client on another machine in without a password.
    pub fn trusts_network(&self) -> bool {
        self.rules.iter().any(Rule::trusts_network)
    }

    /// The method a client must pass, from the first rule that matches it; no rule, or a
    /// `reject` rule, is the FATAL 28000 to send. Deciding is synchronous, so a `trust`
    /// connection runs none of the exchanges' code (memory: docs/MEMORY.md).
    /// `tls`: the connection runs over TLS.
    pub fn method_for(
        &self,
        user: &str,
        database: &str,
        peer: Peer,
        tls: bool,
    ) -> Result<Method, Refusal> {
        let peer = canonical_peer(peer);
        let encryption = if tls {
            "SSL encryption"
        } else {
            "no encryption"
        };
        let refused = |what: &str| {
            Refusal::Error(PgError::fatal(
                SqlState::INVALID_AUTHORIZATION,
                format!(
                    "{what} for host \"{peer}\", user \"{user}\", database \"{database}\", \
                     {encryption}"
                ),
            ))
        };
        let found = self
            .rules
            .iter()
            .find(|r| r.matches(database, user, peer, tls));
        let Some(rule) = found else {
            warn!(%peer, user, database, "connection refused: no rule matches");
            return Err(refused("no pg_hba.conf entry"));
        };
        if rule.method == Method::Reject {
            warn!(%peer, user, database, "connection refused by a reject rule");
            return Err(refused("pg_hba.conf rejects connection"));
        }
        Ok(rule.method)
    }

    /// The password exchange of `method` (not trust or reject); failures are logged.
    pub async fn exchange(
        &self,
        conn: &mut Conn,
        method: Method,
        user: &str,
        database: &str,
        peer: Peer,
    ) -> Result<(), Refusal> {
        let result = match method {
            Method::Trust => Ok(()),
            Method::Reject => Err(Refusal::Gone),
            Method::Password => self.cleartext(conn, user).await,
            Method::Md5 => match self.users.get(user) {
                // As PostgreSQL: md5 with a SCRAM verifier stored means SCRAM.
                Some(Secret::Scram(_)) => self.scram(conn, user).await,
                secret => self.md5(conn, user, secret).await,
            },
            Method::ScramSha256 => self.scram(conn, user).await,
            Method::Cert => certificate(conn, user),
        };
        if let Err(Refusal::Error(e)) = &result {
            let peer = canonical_peer(peer);
            warn!(%peer, user, database, code = e.code.0, "authentication failed: {}", e.message);
        }
        result
    }

    async fn cleartext(&self, conn: &mut Conn, user: &str) -> Result<(), Refusal> {
        send(conn, Authentication::CleartextPassword).await?;
        let body = read_password_message(conn).await?;
        let password = cstring(&body).ok_or_else(malformed_password)?;
        let ok = match self.users.get(user) {
            Some(Secret::Plain(p, _)) => scram::constant_time_eq(p.as_bytes(), password.as_bytes()),
            Some(Secret::Md5(h)) => {
                scram::constant_time_eq(h.as_bytes(), users::md5_secret(password, user).as_bytes())
            }
            Some(Secret::Scram(v)) => {
                let computed = scram::Verifier::new(password, v.salt.clone(), v.iterations);
                scram::constant_time_eq(&computed.stored_key, &v.stored_key)
                    & scram::constant_time_eq(&computed.server_key, &v.server_key)
            }
            None => false,
        };
        if ok {
            Ok(())
        } else {
            Err(wrong_password(user))
        }
    }

    async fn md5(
        &self,
        conn: &mut Conn,
        user: &str,
        secret: Option<&Secret>,
    ) -> Result<(), Refusal> {
        let mut salt = [0u8; 4];
        getrandom::fill(&mut salt).map_err(|_| Refusal::Error(internal()))?;
        send(conn, Authentication::MD5Password(salt.to_vec())).await?;
        let body = read_password_message(conn).await?;
        let answer = cstring(&body).ok_or_else(malformed_password)?;
        let stored = match secret {
            Some(Secret::Plain(p, _)) => users::md5_secret(p, user),
            Some(Secret::Md5(h)) => h.clone(),
            _ => return Err(wrong_password(user)),
        };
        use md5::{Digest, Md5};
        let mut h = Md5::new();
        h.update(&stored.as_bytes()[3..]);
        h.update(salt);
        let expected = format!("md5{}", users::hex(&h.finalize()));
        if scram::constant_time_eq(expected.as_bytes(), answer.as_bytes()) {
            Ok(())
        } else {
            Err(wrong_password(user))
        }
    }

    async fn scram(&self, conn: &mut Conn, user: &str) -> Result<(), Refusal> {
        let (verifier, doomed) = match self.users.get(user) {
            Some(Secret::Scram(v)) | Some(Secret::Plain(_, v)) => (v.clone(), false),
            // An md5 hash cannot be turned into a verifier; an unknown user gets a
            // made-up one. Either way the exchange runs to its end and fails there.
            _ => (self.mock_verifier(user), true),
        };
        // Over TLS, SCRAM-SHA-256-PLUS first, as PostgreSQL lists it.
        let end_point = match &self.tls {
            Some(tls) if conn.is_tls() => tls.end_point.as_deref(),
            _ => None,
        };
        let mut mechanisms = Vec::with_capacity(2);
        if end_point.is_some() {
            mechanisms.push(scram::PLUS.to_string());
        }
        mechanisms.push("SCRAM-SHA-256".to_string());
        send(conn, Authentication::SASL(mechanisms)).await?;
        let mut body = read_password_message(conn).await?;
        let mechanism = cstring(&body).ok_or_else(malformed_password)?.to_string();
        let selected = match mechanism.as_str() {
            "SCRAM-SHA-256" => false,
            scram::PLUS if end_point.is_some() => true,
            _ => {
                return Err(protocol_error(
                    "client selected an invalid SASL authentication mechanism",
                ))
            }
        };
        let binding = scram::Binding {
            offered: end_point,
            selected,
        };
        body.advance(mechanism.len() + 1);
        if body.remaining() < 4 {
            return Err(malformed_password());
        }
        let len = body.get_i32();
        if usize::try_from(len).ok() != Some(body.remaining()) {
            return Err(malformed_password());
        }
        let client_first = std::str::from_utf8(&body).map_err(|_| malformed_password())?;
        let nonce = random_nonce().map_err(Refusal::Error)?;
        let (exchange, server_first) =
            scram::Exchange::start(verifier, doomed, client_first, &nonce, binding)
                .map_err(|f| scram_failure(f, user))?;
        send(conn, Authentication::SASLContinue(server_first.into())).await?;
        let body = read_password_message(conn).await?;
        let client_final = std::str::from_utf8(&body).map_err(|_| malformed_password())?;
        let server_final = exchange
            .finish(client_final)
            .map_err(|f| scram_failure(f, user))?;
        send(conn, Authentication::SASLFinal(server_final.into())).await
    }

    fn mock_verifier(&self, user: &str) -> scram::Verifier {
        use hmac::{Hmac, KeyInit, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&self.mock_key).expect("any key length");
        mac.update(user.as_bytes());
        let bytes: [u8; 32] = mac.finalize().into_bytes().into();
        scram::Verifier {
            iterations: scram::DEFAULT_ITERATIONS,
            salt: bytes[..16].to_vec(),
            stored_key: bytes,
            server_key: bytes,
        }
    }
}

fn canonical_peer(peer: Peer) -> Peer {
    match peer {
        Peer::Ip(ip) => Peer::Ip(hba::canonical(ip)),
        local => local,
    }
}

/// Why a client did not get in: an error to send, or it left (psql does, to ask for a
/// password, when the server first asks for one).
pub enum Refusal {
    Error(PgError),
    Gone,
}

fn wrong_password(user: &str) -> Refusal {
    Refusal::Error(PgError::fatal(
        SqlState::INVALID_PASSWORD,
        format!("password authentication failed for user \"{user}\""),
    ))
}

fn protocol_error(message: &str) -> Refusal {
    Refusal::Error(PgError::fatal(SqlState::PROTOCOL_VIOLATION, message))
}

fn malformed_password() -> Refusal {
    protocol_error("malformed password packet")
}

fn internal() -> PgError {
    PgError::fatal(
        SqlState::INTERNAL_ERROR,
        "no random bytes for authentication",
    )
}

fn scram_failure(f: scram::Failure, user: &str) -> Refusal {
    match f {
        scram::Failure::Malformed(m) => protocol_error(m),
        scram::Failure::Binding(m) => {
            Refusal::Error(PgError::fatal(SqlState::INVALID_AUTHORIZATION, m))
        }
        scram::Failure::WrongPassword => wrong_password(user),
    }
}

/// 18 random bytes in base64, as PostgreSQL's server nonce.
fn random_nonce() -> Result<String, PgError> {
    use base64::Engine as _;
    let mut raw = [0u8; 18];
    getrandom::fill(&mut raw).map_err(|_| internal())?;
    Ok(base64::engine::general_purpose::STANDARD.encode(raw))
}

async fn send(conn: &mut Conn, msg: Authentication) -> Result<(), Refusal> {
    protocol::backend::authentication(conn.out(), msg);
    conn.flush().await.map_err(|_| Refusal::Gone)
}

/// The body of the client's next message, which must be a password message (`p`).
async fn read_password_message(conn: &mut Conn) -> Result<BytesMut, Refusal> {
    match conn
        .read_frame(true, protocol::MAX_STARTUP_PACKET, None)
        .await
    {
        Ok(Read::Frame(mut frame)) if frame.first() == Some(&b'p') => {
            frame.advance(5);
            Ok(frame)
        }
        Ok(Read::Frame(frame)) => Err(protocol_error(&format!(
            "expected password response, got message type {}",
            frame.first().copied().unwrap_or(0)
        ))),
        Ok(Read::Eof | Read::Idle) | Err(ReadError::Io(_)) => Err(Refusal::Gone),
        Err(ReadError::Frame(e)) => Err(Refusal::Error(e.into())),
    }
}

/// The NUL-terminated UTF-8 string at the start of `body`.
fn cstring(body: &[u8]) -> Option<&str> {
    let end = body.iter().position(|&b| b == 0)?;
    std::str::from_utf8(&body[..end]).ok()
}

/// The `cert` method: a client certificate, verified against --tls-client-ca during the
/// handshake, whose common name is the user name (PostgreSQL's default mapping).
fn certificate(conn: &Conn, user: &str) -> Result<(), Refusal> {
    let fail =
        |message: String| Refusal::Error(PgError::fatal(SqlState::INVALID_AUTHORIZATION, message));
    match conn.client_common_name() {
        None => Err(fail(
            "connection requires a valid client certificate".into(),
        )),
        Some(name) if name == user => Ok(()),
        Some(_) => Err(fail(format!(
            "certificate authentication failed for user \"{user}\""
        ))),
    }
}
