//! Authentication rules (`--hba-file`): PostgreSQL's `pg_hba.conf` format, read in
//! order, the first rule that matches a connection's database, user and address
//! deciding its method:
//!
//! ```text
//! # TYPE  DATABASE  USER        ADDRESS        METHOD
//! host    all       all         127.0.0.1/32   trust
//! host    app       alice,bob   10.0.0.0/8     scram-sha-256
//! host    all       all         0.0.0.0/0      reject
//! ```
//!
//! TYPE is `local` (the Unix socket: no ADDRESS), `host`, `hostssl` (TLS connections
//! only; refused at load without --tls-cert) or `hostnossl`; DATABASE `all`,
//! `sameuser` or names; USER `all` or names (comma-separated, double quotes allowed);
//! ADDRESS `all`, `a.b.c.d/n`, an IPv6 CIDR, or an address and a mask; METHOD `trust`,
//! `reject`, `password`, `md5`, `scram-sha-256` or `cert` (hostssl rules only: a client
//! certificate verified against --tls-client-ca whose common name is the user). What litewire cannot honour
//! (groups, `@file` lists, host names, options after the method) is refused at load
//! with the file and line, rather than read differently.

use std::net::IpAddr;
use std::path::Path;

use crate::server::socket::Peer;

/// How a client proves who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Trust,
    Reject,
    /// The password in clear text (AuthenticationCleartextPassword).
    Password,
    /// md5 challenge-response; a user with a SCRAM verifier gets SCRAM instead, as in
    /// PostgreSQL.
    Md5,
    ScramSha256,
    /// A verified TLS client certificate whose common name is the user name.
    Cert,
}

impl Method {
    pub fn parse(s: &str) -> Option<Method> {
        Some(match s {
            "trust" => Method::Trust,
            "reject" => Method::Reject,
            "password" => Method::Password,
            "md5" => Method::Md5,
            "scram-sha-256" => Method::ScramSha256,
            "cert" => Method::Cert,
            _ => return None,
        })
    }

    /// Whether a client must know a password to pass.
    pub fn needs_password(self) -> bool {
        matches!(self, Method::Password | Method::Md5 | Method::ScramSha256)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Names {
    All,
    /// Databases only: the database named as the user.
    SameUser,
    List(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Address {
    All,
    Net { addr: IpAddr, prefix: u8 },
}

/// Which connections a rule is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The rule without an hba file.
    Any,
    Host,
    /// `hostssl`: TLS connections only.
    HostSsl,
    /// `hostnossl`: plain TCP connections only.
    HostNoSsl,
    Local,
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    kind: Kind,
    databases: Names,
    users: Names,
    address: Address,
    pub method: Method,
}

impl Rule {
    /// The rule litewire follows without an hba file: everyone, by `method`.
    pub fn everyone(method: Method) -> Rule {
        Rule {
            kind: Kind::Any,
            databases: Names::All,
            users: Names::All,
            address: Address::All,
            method,
        }
    }

    /// Whether the rule is for a connection (`tls`: it runs over TLS).
    pub fn matches(&self, database: &str, user: &str, peer: Peer, tls: bool) -> bool {
        let peer_ok = match (self.kind, peer) {
            (Kind::Any, _) | (Kind::Local, Peer::Local) => true,
            (Kind::Host, Peer::Ip(ip)) => self.address.contains(ip),
            (Kind::HostSsl, Peer::Ip(ip)) => tls && self.address.contains(ip),
            (Kind::HostNoSsl, Peer::Ip(ip)) => !tls && self.address.contains(ip),
            _ => false,
        };
        let db_ok = match &self.databases {
            Names::All => true,
            Names::SameUser => database == user,
            Names::List(l) => l.iter().any(|d| d == database),
        };
        let user_ok = match &self.users {
            Names::All | Names::SameUser => true,
            Names::List(l) => l.iter().any(|u| u == user),
        };
        peer_ok && db_ok && user_ok
    }

    /// Whether a client on another machine could pass this rule without a password.
    pub fn trusts_network(&self) -> bool {
        if self.kind == Kind::Local {
            return false;
        }
        let beyond_loopback = match self.address {
            Address::All => true,
            Address::Net { addr, prefix } => !(addr.is_loopback() && prefix >= 8),
        };
        beyond_loopback && self.method == Method::Trust
    }

    /// Whether the rule can only match with TLS configured.
    pub fn needs_tls(&self) -> bool {
        self.kind == Kind::HostSsl
    }
}

impl Address {
    fn contains(self, peer: IpAddr) -> bool {
        let (addr, prefix) = match self {
            Address::All => return true,
            Address::Net { addr, prefix } => (addr, prefix),
        };
        match (addr, canonical(peer)) {
            (IpAddr::V4(a), IpAddr::V4(p)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
                u32::from(a) & mask == u32::from(p) & mask
            }
            (IpAddr::V6(a), IpAddr::V6(p)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
                u128::from(a) & mask == u128::from(p) & mask
            }
            _ => false,
        }
    }
}

/// An IPv4 client seen through an IPv6 socket (`::ffff:a.b.c.d`) as the IPv4 address.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

pub fn load(path: &Path) -> Result<Vec<Rule>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read hba file {}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}:{e}", path.display()))
}

/// Reads the rules; an error starts with the line number.
pub fn parse(text: &str) -> Result<Vec<Rule>, String> {
    let mut rules = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        rules.push(rule(line).map_err(|e| format!("{}: {e}", i + 1))?);
    }
    if rules.is_empty() {
        return Err("0: no rules: every connection would be refused".into());
    }
    Ok(rules)
}

fn rule(line: &str) -> Result<Rule, String> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let kind = match tokens[0] {
        "host" => Kind::Host,
        "hostssl" => Kind::HostSsl,
        "hostnossl" => Kind::HostNoSsl,
        "local" => Kind::Local,
        "hostgssenc" => {
            return Err("hostgssenc rules cannot match: litewire has no GSSAPI encryption".into())
        }
        other => return Err(format!("invalid connection type {other:?}")),
    };
    let (databases, users) = match (tokens.get(1), tokens.get(2)) {
        (Some(d), Some(u)) => (names(d, true)?, names(u, false)?),
        _ => return Err("end-of-line before database or user".into()),
    };
    let (address, rest) = match tokens.get(3) {
        _ if kind == Kind::Local => (Address::All, tokens.get(3..).unwrap_or_default()),
        Some(&"all") => (Address::All, &tokens[4..]),
        Some(a) if a.contains('/') => (cidr(a)?, &tokens[4..]),
        Some(a) if a.parse::<IpAddr>().is_ok() && tokens.len() > 5 => {
            (masked(a, tokens[4])?, &tokens[5..])
        }
        Some(a) if a.parse::<IpAddr>().is_ok() => {
            return Err(format!("IP address {a:?} needs a /prefix or a mask"))
        }
        Some(a) => {
            return Err(format!(
                "address {a:?} is not supported (use all, a CIDR address, or an address and \
                 mask; host names and samehost/samenet are not read by litewire)"
            ))
        }
        None => return Err("end-of-line before IP address".into()),
    };
    let method = match rest {
        [m, options @ ..] => {
            let method = Method::parse(m).ok_or_else(|| {
                format!(
                    "invalid authentication method {m:?} (litewire reads trust, reject, \
                     password, md5, scram-sha-256, cert)"
                )
            })?;
            if let Some(o) = options.first() {
                return Err(format!(
                    "option {o:?} after the method is not supported by litewire"
                ));
            }
            if method == Method::Cert && kind != Kind::HostSsl {
                return Err("cert authentication is only supported on hostssl connections".into());
            }
            method
        }
        [] => return Err("end-of-line before authentication method".into()),
    };
    Ok(Rule {
        kind,
        databases,
        users,
        address,
        method,
    })
}

fn names(token: &str, database: bool) -> Result<Names, String> {
    let mut list = Vec::new();
    for part in token.split(',') {
        match part {
            "all" => return Ok(Names::All),
            "sameuser" if database => return Ok(Names::SameUser),
            p if p.starts_with('+') || p.starts_with('@') => {
                return Err(format!(
                    "{p:?}: groups and @file lists are not supported by litewire"
                ))
            }
            "samerole" | "samegroup" | "replication" if database => {
                return Err(format!("{part:?} is not supported by litewire"))
            }
            p => {
                let p = p
                    .strip_prefix('"')
                    .and_then(|p| p.strip_suffix('"'))
                    .unwrap_or(p);
                if p.is_empty() {
                    return Err("empty name".into());
                }
                list.push(p.to_string());
            }
        }
    }
    Ok(Names::List(list))
}

fn cidr(token: &str) -> Result<Address, String> {
    let (addr, prefix) = token.split_once('/').unwrap_or((token, ""));
    let addr: IpAddr = addr
        .parse()
        .map_err(|_| format!("invalid IP address {addr:?}"))?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    match prefix.parse::<u8>() {
        Ok(p) if p <= max => Ok(Address::Net { addr, prefix: p }),
        _ => Err(format!("invalid CIDR mask in address {token:?}")),
    }
}

fn masked(addr: &str, mask: &str) -> Result<Address, String> {
    let (addr, mask): (IpAddr, IpAddr) = match (addr.parse(), mask.parse()) {
        (Ok(a), Ok(m)) => (a, m),
        _ => return Err(format!("invalid IP mask {mask:?}")),
    };
    let bits = match (addr, mask) {
        (IpAddr::V4(_), IpAddr::V4(m)) => u128::from(u32::from(m)) << 96,
        (IpAddr::V6(_), IpAddr::V6(m)) => u128::from(m),
        _ => return Err("IP address and mask do not match".into()),
    };
    let prefix = bits.leading_ones();
    if bits.checked_shl(prefix).unwrap_or(0) != 0 {
        return Err(format!("invalid IP mask {mask:?}"));
    }
    let prefix = if addr.is_ipv4() {
        prefix.min(32)
    } else {
        prefix
    };
    Ok(Address::Net {
        addr,
        prefix: prefix as u8,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Peer {
        Peer::Ip(canonical(s.parse().unwrap()))
    }

    #[test]
    fn first_matching_rule_decides() {
        let rules = parse(
            "# comment\n\
             host app alice,\"Bob\" 10.0.0.0/8 scram-sha-256\n\
             host sameuser all 192.168.1.0 255.255.255.0 md5\n\
             local all all md5\n\
             host all all 127.0.0.1/32 trust # local\n\
             hostnossl all all ::1/128 password\n\
             hostssl all all ::1/128 cert\n\
             host all all all reject\n",
        )
        .unwrap();
        let first = |db: &str, user: &str, peer: &str| {
            rules
                .iter()
                .find(|r| r.matches(db, user, ip(peer), false))
                .map(|r| r.method)
        };
        let over_tls = |peer: &str| {
            rules
                .iter()
                .find(|r| r.matches("x", "y", ip(peer), true))
                .map(|r| r.method)
        };
        assert_eq!(over_tls("::1"), Some(Method::Cert));
        assert_eq!(over_tls("127.0.0.1"), Some(Method::Trust));
        assert_eq!(first("app", "alice", "10.1.2.3"), Some(Method::ScramSha256));
        assert_eq!(first("app", "Bob", "10.1.2.3"), Some(Method::ScramSha256));
        assert_eq!(first("app", "bob", "10.1.2.3"), Some(Method::Reject));
        assert_eq!(first("carol", "carol", "192.168.1.7"), Some(Method::Md5));
        assert_eq!(first("app", "carol", "192.168.1.7"), Some(Method::Reject));
        assert_eq!(first("x", "y", "127.0.0.1"), Some(Method::Trust));
        assert_eq!(first("x", "y", "::ffff:127.0.0.1"), Some(Method::Trust));
        assert_eq!(first("x", "y", "::1"), Some(Method::Password));
        let local = rules
            .iter()
            .find(|r| r.matches("x", "y", Peer::Local, false));
        assert_eq!(local.map(|r| r.method), Some(Method::Md5));
        assert!(Rule::everyone(Method::Trust).matches("x", "y", Peer::Local, false));
        assert!(rules[5].needs_tls() && !rules[4].needs_tls());
        assert!(!rules[2].trusts_network() && !rules[3].trusts_network());
        assert!(Rule::everyone(Method::Trust).trusts_network());
        assert!(!Rule::everyone(Method::Md5).trusts_network());
    }

    #[test]
    fn what_cannot_be_honoured_is_refused_with_its_line() {
        for (text, want) in [
            (
                "local all all 127.0.0.1/32 trust",
                "1: invalid authentication method",
            ),
            (
                "host all all all trust\nhostgssenc all all all md5",
                "2: hostgssenc",
            ),
            (
                "host all all all cert",
                "1: cert authentication is only supported on hostssl",
            ),
            ("host all +admins all md5", "1: \"+admins\""),
            ("host all all db.example.com md5", "1: address"),
            ("host all all 10.0.0.0/33 md5", "1: invalid CIDR"),
            ("host all all 10.0.0.1 md5", "1: IP address"),
            (
                "host all all 10.0.0.0 255.0.255.0 md5",
                "1: invalid IP mask",
            ),
            ("host all all all ident", "1: invalid authentication method"),
            (
                "host all all all md5 clientcert=1",
                "1: option \"clientcert=1\"",
            ),
            ("host all", "1: end-of-line"),
            ("# nothing", "0: no rules"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.starts_with(want), "{text:?}: {e}");
        }
    }
}
