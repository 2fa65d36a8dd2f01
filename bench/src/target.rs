//! A server under test: its connection settings, the pid to measure and a label. The pid
//! and label flags belong to the `--target` before them on the command line.

use clap::ArgMatches;
use serde::Serialize;
use tokio_postgres::config::Host;
use tokio_postgres::Config;

use crate::cli::Common;
use crate::proc;
use crate::Result;

#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub label: String,
    pub conn: String,
    pub pid: u32,
    /// The --durability note given for it.
    pub durability: Option<String>,
    /// The connection string as given (a password included), for programs such as
    /// pgbench.
    #[serde(skip)]
    pub raw_conn: String,
    #[serde(skip)]
    pub config: Config,
}

impl Target {
    /// TCP host and port (the first of each; port 5432 when none is given).
    pub fn tcp_addr(&self) -> Option<(String, u16)> {
        tcp_addr(&self.config)
    }

    pub fn user(&self) -> &str {
        self.config.get_user().unwrap_or("postgres")
    }

    /// The database name, which like libpq defaults to the user name.
    pub fn dbname(&self) -> &str {
        self.config.get_dbname().unwrap_or(self.user())
    }

    /// The same settings with another database name.
    pub fn config_for(&self, dbname: &str) -> Config {
        let mut c = self.config.clone();
        c.dbname(dbname);
        c
    }
}

/// The connection string with any password replaced by `***`, for printing and files.
pub fn redact(conn: &str) -> String {
    if let Some((scheme, rest)) = conn.split_once("://") {
        let (authority, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
        let authority = match authority.rsplit_once('@') {
            Some((userinfo, host)) => match userinfo.split_once(':') {
                Some((user, _)) => format!("{user}:***@{host}"),
                None => authority.to_string(),
            },
            None => authority.to_string(),
        };
        let tail = match tail.split_once('?') {
            Some((path, query)) => {
                let params: Vec<String> = query
                    .split('&')
                    .map(|p| match p.split_once('=') {
                        Some(("password", _)) => "password=***".to_string(),
                        _ => p.to_string(),
                    })
                    .collect();
                format!("{path}?{}", params.join("&"))
            }
            None => tail.to_string(),
        };
        return format!("{scheme}://{authority}{tail}");
    }
    conn.split_whitespace()
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k.trim() == "password" => "password=***".to_string(),
            _ => kv.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn tcp_addr(config: &Config) -> Option<(String, u16)> {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        None => "localhost".to_string(),
        Some(_) => return None,
    };
    Some((host, config.get_ports().first().copied().unwrap_or(5432)))
}

/// For each target (by its position among all arguments), which value of another repeated
/// flag follows it before the next target. Errors for a value before the first target or
/// two values for one target.
fn pair(target_idx: &[usize], other_idx: &[usize], flag: &str) -> Result<Vec<Option<usize>>> {
    let mut out = vec![None; target_idx.len()];
    for (value, &i) in other_idx.iter().enumerate() {
        let Some(t) = target_idx.iter().rposition(|&ti| ti < i) else {
            return Err(format!("--{flag} must follow the --target it belongs to").into());
        };
        if out[t].replace(value).is_some() {
            return Err(format!("two --{flag} values for one --target").into());
        }
    }
    Ok(out)
}

fn indices(m: &ArgMatches, id: &str) -> Vec<usize> {
    m.indices_of(id).map(|i| i.collect()).unwrap_or_default()
}

/// Builds the targets from the flags; `m` are the scenario subcommand's matches.
pub fn resolve(common: &Common, m: &ArgMatches) -> Result<Vec<Target>> {
    let want = if common.compare { 2 } else { 1 };
    if common.target.len() != want {
        return Err(if common.compare {
            "--compare needs exactly two --target".into()
        } else {
            "more than one --target needs --compare".into()
        });
    }
    let t_idx = indices(m, "target");
    let pids = pair(&t_idx, &indices(m, "pid"), "pid")?;
    let labels = pair(&t_idx, &indices(m, "label"), "label")?;
    let durability = pair(&t_idx, &indices(m, "durability"), "durability")?;
    let mut targets = Vec::new();
    for (i, conn) in common.target.iter().enumerate() {
        let mut config: Config = conn
            .parse()
            .map_err(|e| format!("--target {conn:?}: {e}"))?;
        if config.get_user().is_none() {
            config.user(std::env::var("USER").as_deref().unwrap_or("postgres"));
        }
        if config.get_application_name().is_none() {
            config.application_name("litewire-bench");
        }
        let pid = match pids[i] {
            Some(p) => common.pid[p],
            None => {
                let (_, port) = tcp_addr(&config)
                    .ok_or_else(|| format!("--target {conn:?} is not a TCP address: pass --pid"))?;
                proc::find_listener(port).map_err(|e| format!("--target {conn:?}: {e}"))?
            }
        };
        let label = match labels[i] {
            Some(l) => common.label[l].clone(),
            None => proc::comm(pid).unwrap_or_else(|| format!("pid {pid}")),
        };
        targets.push(Target {
            label,
            conn: redact(conn),
            pid,
            durability: durability[i].map(|d| common.durability[d].clone()),
            raw_conn: conn.clone(),
            config,
        });
    }
    if targets.len() == 2 && targets[0].label == targets[1].label {
        for t in &mut targets {
            let port = t.tcp_addr().map(|a| a.1).unwrap_or_default();
            t.label = format!("{}:{port}", t.label);
        }
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_pair_with_the_target_before_them() {
        // --target A --pid 1 --target B --pid 2
        assert_eq!(
            pair(&[2, 6], &[4, 8], "pid").unwrap(),
            vec![Some(0), Some(1)]
        );
        // --target A --target B --label b
        assert_eq!(pair(&[2, 4], &[6], "label").unwrap(), vec![None, Some(0)]);
        assert_eq!(pair(&[2], &[], "pid").unwrap(), vec![None]);
    }

    #[test]
    fn misplaced_values_are_errors() {
        assert!(pair(&[4], &[2], "pid").is_err());
        assert!(pair(&[2, 8], &[4, 6], "pid").is_err());
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("host=h port=1 user=u password=secret dbname=d"),
            "host=h port=1 user=u password=*** dbname=d"
        );
        assert_eq!(redact("host=h user=u"), "host=h user=u");
        assert_eq!(
            redact("postgres://u:secret@h:5432/db?password=x&sslmode=disable"),
            "postgres://u:***@h:5432/db?password=***&sslmode=disable"
        );
        assert_eq!(redact("postgresql://u@h/db"), "postgresql://u@h/db");
    }

    #[test]
    fn tcp_address_of_connection_strings() {
        let c: Config = "host=127.0.0.1 port=5433 user=bench dbname=bench"
            .parse()
            .unwrap();
        assert_eq!(tcp_addr(&c), Some(("127.0.0.1".into(), 5433)));
        let c: Config = "postgres://u@localhost/db".parse().unwrap();
        assert_eq!(tcp_addr(&c), Some(("localhost".into(), 5432)));
        let c: Config = "host=/tmp user=u".parse().unwrap();
        assert_eq!(tcp_addr(&c), None);
    }
}
