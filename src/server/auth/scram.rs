//! SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it: the verifier format
//! `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (base64), and the
//! server's side of the exchange, with channel binding (`SCRAM-SHA-256-PLUS`,
//! `tls-server-end-point`, RFC 5929) over TLS, as PostgreSQL offers it.
//!
//! Passwords are used as their UTF-8 bytes: PostgreSQL first applies SASLprep, which
//! leaves ASCII passwords (and most others) unchanged.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// PostgreSQL's default `scram_iterations`.
pub const DEFAULT_ITERATIONS: u32 = 4096;
const SALT_LEN: usize = 16;
/// Iterations accepted from a users file: PBKDF2 runs once per verifier made from a
/// plain password at load time, so an absurd count would stall the start.
const MAX_ITERATIONS: u32 = 1 << 20;

/// What the server keeps of a password.
#[derive(Clone, PartialEq, Eq)]
pub struct Verifier {
    pub iterations: u32,
    pub salt: Vec<u8>,
    pub stored_key: [u8; 32],
    pub server_key: [u8; 32],
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Verifier(..)")
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

impl Verifier {
    /// The verifier of `password` with `salt` (PostgreSQL's scram_build_secret). The
    /// password is normalised by SASLprep (RFC 4013) first, or used as given when it
    /// holds characters SASLprep prohibits: PostgreSQL's pg_saslprep, which libpq applies
    /// on the client's side too.
    pub fn new(password: &str, salt: Vec<u8>, iterations: u32) -> Verifier {
        let prepared = stringprep::saslprep(password);
        let password = prepared.as_deref().unwrap_or(password);
        let mut salted = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), &salt, iterations, &mut salted);
        let client_key = hmac(&salted, &[b"Client Key"]);
        Verifier {
            iterations,
            salt,
            stored_key: Sha256::digest(client_key).into(),
            server_key: hmac(&salted, &[b"Server Key"]),
        }
    }

    /// A verifier of `password` with a fresh random salt.
    pub fn generate(password: &str) -> Result<Verifier, String> {
        let mut salt = vec![0u8; SALT_LEN];
        getrandom::fill(&mut salt).map_err(|e| format!("no random bytes for a salt: {e}"))?;
        Ok(Verifier::new(password, salt, DEFAULT_ITERATIONS))
    }

    /// Reads PostgreSQL's text form; None if `s` is not one.
    pub fn parse(s: &str) -> Option<Verifier> {
        let rest = s.strip_prefix("SCRAM-SHA-256$")?;
        let (params, keys) = rest.split_once('$')?;
        let (iterations, salt) = params.split_once(':')?;
        let (stored, server) = keys.split_once(':')?;
        let iterations: u32 = iterations.parse().ok()?;
        if iterations == 0 || iterations > MAX_ITERATIONS {
            return None;
        }
        Some(Verifier {
            iterations,
            salt: B64.decode(salt).ok()?,
            stored_key: B64.decode(stored).ok()?.try_into().ok()?,
            server_key: B64.decode(server).ok()?.try_into().ok()?,
        })
    }
}

impl std::fmt::Display for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SCRAM-SHA-256${}:{}${}:{}",
            self.iterations,
            B64.encode(&self.salt),
            B64.encode(self.stored_key),
            B64.encode(self.server_key)
        )
    }
}

/// Why an exchange failed: a malformed message (08P01, as PostgreSQL answers), channel
/// binding that does not hold (28000) or a wrong password (28P01).
#[derive(Debug, PartialEq, Eq)]
pub enum Failure {
    Malformed(&'static str),
    Binding(&'static str),
    WrongPassword,
}

/// The mechanism with channel binding.
pub const PLUS: &str = "SCRAM-SHA-256-PLUS";

/// Channel binding in one exchange: the connection's `tls-server-end-point` data when
/// the server offered SCRAM-SHA-256-PLUS (TLS with a certificate whose hash is known),
/// and whether the client chose that mechanism.
#[derive(Clone, Copy, Default)]
pub struct Binding<'a> {
    pub offered: Option<&'a [u8]>,
    pub selected: bool,
}

/// The server's state between its first and final message.
pub struct Exchange {
    verifier: Verifier,
    /// Whether the password check fails whatever the client proves (an unknown user:
    /// the exchange runs on a made-up verifier so it looks like any other).
    doomed: bool,
    client_first_bare: String,
    server_first: String,
    nonce: String,
    /// `c=` the client must send back: base64 of its GS2 header, followed by the
    /// channel-binding data when it chose SCRAM-SHA-256-PLUS (`bound`).
    binding: String,
    bound: bool,
}

impl Exchange {
    /// Reads the client-first-message and returns the server-first-message.
    pub fn start(
        verifier: Verifier,
        doomed: bool,
        client_first: &str,
        server_nonce: &str,
        binding: Binding<'_>,
    ) -> Result<(Exchange, String), Failure> {
        // gs2-header: "n,," (no binding), "y,," (the client could bind but thinks we
        // cannot) or "p=tls-server-end-point,," (binding), then the authzid, unused.
        let malformed = Failure::Malformed("malformed SCRAM message");
        let selected_without_data = Failure::Malformed(
            "the client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include channel binding data",
        );
        let (flag, rest) = client_first.split_once(',').ok_or(malformed)?;
        match flag {
            "n" if binding.selected => return Err(selected_without_data),
            "y" if binding.selected => return Err(selected_without_data),
            // A client that believes we cannot bind while we can: a downgrade.
            "y" if binding.offered.is_some() => {
                return Err(Failure::Binding("SCRAM channel binding negotiation error"))
            }
            "n" | "y" => {}
            "p=tls-server-end-point" if binding.selected => {}
            _ if flag.starts_with("p=") && !binding.selected => {
                return Err(Failure::Malformed(
                    "the client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data",
                ))
            }
            _ if flag.starts_with("p=") => {
                return Err(Failure::Malformed("unsupported SCRAM channel-binding type"))
            }
            _ => return Err(Failure::Malformed("malformed SCRAM message")),
        }
        let (authzid, bare) = rest
            .split_once(',')
            .ok_or(Failure::Malformed("malformed SCRAM message"))?;
        if !authzid.is_empty() {
            return Err(Failure::Malformed(
                "client uses authorization identity, but it is not supported",
            ));
        }
        let header = &client_first[..client_first.len() - bare.len()];
        // client-first-bare: n=<user>,r=<nonce>[,extensions]. The user name here is
        // ignored, as PostgreSQL does: the startup packet's counts.
        let mut fields = bare.split(',');
        if !fields.next().is_some_and(|f| f.starts_with("n=")) {
            return Err(Failure::Malformed("malformed SCRAM message"));
        }
        let client_nonce = fields
            .next()
            .and_then(|f| f.strip_prefix("r="))
            .filter(|n| !n.is_empty() && n.bytes().all(|b| (0x21..=0x7e).contains(&b) && b != b','))
            .ok_or(Failure::Malformed("malformed SCRAM message"))?;
        if fields.any(|f| f.starts_with("m=")) {
            return Err(Failure::Malformed("unsupported SCRAM extension"));
        }
        let nonce = format!("{client_nonce}{server_nonce}");
        let server_first = format!(
            "r={nonce},s={},i={}",
            B64.encode(&verifier.salt),
            verifier.iterations
        );
        let exchange = Exchange {
            verifier,
            doomed,
            client_first_bare: bare.to_string(),
            server_first: server_first.clone(),
            nonce,
            binding: match binding.offered.filter(|_| binding.selected) {
                Some(end_point) => B64.encode([header.as_bytes(), end_point].concat()),
                None => B64.encode(header),
            },
            bound: binding.selected,
        };
        Ok((exchange, server_first))
    }

    /// Checks the client-final-message; on success returns the server-final-message.
    pub fn finish(self, client_final: &str) -> Result<String, Failure> {
        let malformed = Failure::Malformed("malformed SCRAM message");
        let (without_proof, proof) = client_final.rsplit_once(",p=").ok_or(malformed)?;
        let mut fields = without_proof.split(',');
        let binding = fields.next().and_then(|f| f.strip_prefix("c="));
        if binding != Some(self.binding.as_str()) {
            return Err(if self.bound {
                Failure::Binding("SCRAM channel binding check failed")
            } else {
                Failure::Malformed(
                    "unexpected SCRAM channel-binding attribute in client-final-message",
                )
            });
        }
        if fields.next().and_then(|f| f.strip_prefix("r=")) != Some(self.nonce.as_str()) {
            return Err(Failure::Malformed("SCRAM nonce mismatch"));
        }
        let proof: [u8; 32] = B64
            .decode(proof)
            .ok()
            .and_then(|p| p.try_into().ok())
            .ok_or(Failure::Malformed("malformed SCRAM message"))?;
        let auth_message = format!(
            "{},{},{}",
            self.client_first_bare, self.server_first, without_proof
        );
        let signature = hmac(&self.verifier.stored_key, &[auth_message.as_bytes()]);
        let mut client_key = [0u8; 32];
        for (k, (p, s)) in client_key.iter_mut().zip(proof.iter().zip(signature)) {
            *k = p ^ s;
        }
        let stored: [u8; 32] = Sha256::digest(client_key).into();
        if !constant_time_eq(&stored, &self.verifier.stored_key) || self.doomed {
            return Err(Failure::WrongPassword);
        }
        let server_signature = hmac(&self.verifier.server_key, &[auth_message.as_bytes()]);
        Ok(format!("v={}", B64.encode(server_signature)))
    }
}

/// Equality whose time does not depend on where the inputs differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7677's example exchange (user "user", password "pencil").
    #[test]
    fn rfc7677_exchange() {
        let salt = B64.decode("W22ZaJ0SNY7soEsUEjb6gQ==").unwrap();
        let v = Verifier::new("pencil", salt, 4096);
        let (ex, server_first) = Exchange::start(
            v,
            false,
            "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
            "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
            Binding::default(),
        )
        .unwrap();
        assert_eq!(
            server_first,
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,\
             s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
        );
        let server_final = ex
            .finish(
                "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,\
                 p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
            )
            .unwrap();
        assert_eq!(
            server_final,
            "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
        );
    }

    #[test]
    fn wrong_proof_and_doomed_exchanges_fail() {
        let salt = B64.decode("W22ZaJ0SNY7soEsUEjb6gQ==").unwrap();
        let first = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
        let snonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        let good = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,\
                    p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
        let other = Verifier::new("pencil2", salt.clone(), 4096);
        let (ex, _) = Exchange::start(other, false, first, snonce, Binding::default()).unwrap();
        assert_eq!(ex.finish(good).unwrap_err(), Failure::WrongPassword);
        let right = Verifier::new("pencil", salt, 4096);
        let (ex, _) =
            Exchange::start(right.clone(), true, first, snonce, Binding::default()).unwrap();
        assert_eq!(ex.finish(good).unwrap_err(), Failure::WrongPassword);
        // A changed nonce or binding is refused before any key is compared.
        let (ex, _) = Exchange::start(right, false, first, snonce, Binding::default()).unwrap();
        let bad = good.replace("c=biws", "c=eSws");
        assert!(matches!(ex.finish(&bad), Err(Failure::Malformed(_))));
    }

    #[test]
    fn passwords_are_saslprepped_as_libpq_does() {
        let v = |p: &str| Verifier::new(p, vec![5; 16], 4096);
        // ROMAN NUMERAL NINE is IX after NFKC; a soft hyphen maps to nothing; a
        // no-break space to a space.
        assert!(v("\u{2168}") == v("IX"));
        assert!(v("pass\u{AD}word\u{A0}1") == v("password 1"));
        // A prohibited character (a control character): the password as given.
        assert!(v("a\u{7}") != v("a"));
    }

    #[test]
    fn malformed_first_messages() {
        let v = Verifier::new("x", vec![1; 16], 4096);
        for m in [
            "",
            "p=tls-server-end-point,,n=,r=abc",
            "n,a=admin,n=,r=abc",
            "n,,r=abc",
            "n,,n=,r=",
            "x,,n=,r=abc",
        ] {
            assert!(
                Exchange::start(v.clone(), false, m, "s", Binding::default()).is_err(),
                "{m:?} accepted"
            );
        }
        assert!(Exchange::start(v, false, "y,,n=,r=abc", "s", Binding::default()).is_ok());
    }

    /// SCRAM-SHA-256-PLUS: `c=` carries the GS2 header and the certificate's hash, and
    /// each way of getting binding wrong is refused as PostgreSQL refuses it.
    #[test]
    fn channel_binding() {
        let v = Verifier::new("pencil", vec![3; 16], 4096);
        let hash = [9u8; 32];
        let plus = Binding {
            offered: Some(&hash),
            selected: true,
        };
        let offered = Binding {
            offered: Some(&hash),
            selected: false,
        };
        let first = "p=tls-server-end-point,,n=,r=abc";
        let (ex, server_first) = Exchange::start(v.clone(), false, first, "s", plus).unwrap();
        // The client's proof, computed as a client would.
        let nonce = server_first
            .split(',')
            .next()
            .unwrap()
            .strip_prefix("r=")
            .unwrap();
        let c = B64.encode([b"p=tls-server-end-point,,".as_slice(), &hash].concat());
        let without_proof = format!("c={c},r={nonce}");
        let auth_message = format!("n=,r=abc,{server_first},{without_proof}");
        let salted = {
            let mut u = hmac(b"pencil", &[&[3u8; 16], &1u32.to_be_bytes()]);
            let mut out = u;
            for _ in 1..4096 {
                u = hmac(b"pencil", &[&u]);
                out.iter_mut().zip(u).for_each(|(o, x)| *o ^= x);
            }
            out
        };
        let client_key = hmac(&salted, &[b"Client Key"]);
        let signature = hmac(&v.stored_key, &[auth_message.as_bytes()]);
        let proof: Vec<u8> = client_key
            .iter()
            .zip(signature)
            .map(|(k, s)| k ^ s)
            .collect();
        let good = format!("{without_proof},p={}", B64.encode(&proof));
        assert!(ex.finish(&good).is_ok());
        // Another certificate's hash in c= fails the binding check (28000).
        let (ex, _) = Exchange::start(v.clone(), false, first, "s", plus).unwrap();
        let other = B64.encode([b"p=tls-server-end-point,,".as_slice(), &[8u8; 32]].concat());
        assert_eq!(
            ex.finish(&good.replace(&c, &other)).unwrap_err(),
            Failure::Binding("SCRAM channel binding check failed")
        );
        // "y": the client thinks the server cannot bind, but it offered to: a downgrade.
        assert!(matches!(
            Exchange::start(v.clone(), false, "y,,n=,r=abc", "s", offered),
            Err(Failure::Binding(_))
        ));
        // Plain SCRAM over TLS still works with "n".
        assert!(Exchange::start(v.clone(), false, "n,,n=,r=abc", "s", offered).is_ok());
        // PLUS chosen without binding data, binding data without PLUS, another type.
        for (m, b) in [
            ("n,,n=,r=abc", plus),
            ("y,,n=,r=abc", plus),
            (first, offered),
            ("p=tls-unique,,n=,r=abc", plus),
        ] {
            assert!(
                matches!(
                    Exchange::start(v.clone(), false, m, "s", b),
                    Err(Failure::Malformed(_))
                ),
                "{m:?} accepted"
            );
        }
    }

    #[test]
    fn verifier_text_round_trips() {
        let v = Verifier::new("secret", vec![7; 16], 4096);
        let text = v.to_string();
        assert!(text.starts_with("SCRAM-SHA-256$4096:"));
        assert_eq!(Verifier::parse(&text), Some(v));
        assert_eq!(Verifier::parse("md5abc"), None);
        assert_eq!(Verifier::parse("SCRAM-SHA-256$0:AAAA$AAAA:AAAA"), None);
    }
}
