//! Command-line flags: one subcommand per scenario, each with the common target/output
//! flags flattened in, so `litewire-bench select1 --target ... --duration 5` reads naturally.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Serialize;

#[derive(Parser, Debug)]
#[command(
    name = "litewire-bench",
    version,
    about = "Memory and throughput benchmarks for any PostgreSQL-protocol server \
             (litewire, PostgreSQL, PgBouncer): the server is measured from /proc only.",
    after_help = "Example:\n  litewire-bench select1 --target 'host=127.0.0.1 port=5433 user=bench dbname=bench' \
                  --duration 10 --json out.json --svg out.svg\n  \
                  litewire-bench idle --compare --clients 5000 \
                  --target 'host=127.0.0.1 port=5433 user=bench dbname=bench' --label litewire \
                  --target 'host=127.0.0.1 port=6432 user=postgres dbname=postgres' --label pgbouncer"
)]
pub struct Cli {
    #[command(subcommand)]
    pub scenario: Scenario,
}

#[derive(Subcommand, Debug, Serialize)]
#[serde(tag = "scenario", rename_all = "kebab-case")]
pub enum Scenario {
    /// N clients complete the startup handshake and sit idle: RSS and PSS per idle client,
    /// and what is left after they close.
    Idle(IdleArgs),
    /// `select 1` from C concurrent clients for D seconds: tps, latency, memory.
    Select1(LoadArgs),
    /// `select v from bench_kv where k = $1` (random keys) from C clients for D seconds.
    PointRead(LoadArgs),
    /// `insert into bench_ins(id, v) values ($1, $2)` from C clients for D seconds.
    Insert(LoadArgs),
    /// Touch N databases once each (connect, `select 1`, disconnect), then watch memory
    /// and open file descriptors while the server is left alone.
    Tenants(TenantsArgs),
    /// A long mixed load (select1, point-read, insert): the slope of RSS over time.
    Soak(SoakArgs),
    /// TPC-B like pgbench's default script, run by `pgbench` itself against the target
    /// (tables set up by `pgbench -i` first): tps, latency, memory.
    Tpcb(TpcbArgs),
    /// `COPY bench_copy FROM STDIN` of N small rows into a fresh table: rows/s, elapsed,
    /// memory.
    CopyIn(CopyInArgs),
    /// `CREATE DATABASE <db>_branch TEMPLATE <db>` of a pgbench database while pgbench's
    /// TPC-B writes to it (litewire only): the branch's time and memory, and the copy
    /// checked (integrity_check, TPC-B's balances summing alike).
    Branch(BranchArgs),
}

impl Scenario {
    pub fn common(&self) -> &Common {
        match self {
            Scenario::Idle(a) => &a.common,
            Scenario::Select1(a) | Scenario::PointRead(a) | Scenario::Insert(a) => &a.common,
            Scenario::Tenants(a) => &a.common,
            Scenario::Soak(a) => &a.common,
            Scenario::Tpcb(a) => &a.common,
            Scenario::CopyIn(a) => &a.common,
            Scenario::Branch(a) => &a.common,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Scenario::Idle(_) => "idle",
            Scenario::Select1(_) => "select1",
            Scenario::PointRead(_) => "point-read",
            Scenario::Insert(_) => "insert",
            Scenario::Tenants(_) => "tenants",
            Scenario::Soak(_) => "soak",
            Scenario::Tpcb(_) => "tpcb",
            Scenario::CopyIn(_) => "copy-in",
            Scenario::Branch(_) => "branch",
        }
    }
}

/// Flags every scenario takes: what to measure and where to write the results.
#[derive(Args, Debug)]
pub struct Common {
    /// Connection string of the server under test, libpq style
    /// ('host=127.0.0.1 port=5433 user=bench dbname=bench') or a postgres:// URL.
    /// Give it twice with --compare.
    #[arg(long, required = true, value_name = "CONN")]
    pub target: Vec<String>,
    /// Server pid for the --target before it [default: the process listening on its port;
    /// for PostgreSQL that is the postmaster, and PSS is summed over its backends].
    #[arg(long, value_name = "PID")]
    pub pid: Vec<u32>,
    /// Name for the --target before it [default: the server's process name].
    #[arg(long, value_name = "NAME")]
    pub label: Vec<String>,
    /// What durability the --target before it was given, as a note for the results
    /// ('synchronous_commit=on, group commit'). With it, each run also records the
    /// server's own `SHOW synchronous_commit` as the connections see it.
    #[arg(long, value_name = "NOTE")]
    pub durability: Vec<String>,
    /// Run against two targets in alternation (A, B, A, B, ...) and print the ratio B/A
    /// of every figure.
    #[arg(long)]
    pub compare: bool,
    /// Runs per target [default: 2 with --compare, else 1].
    #[arg(long, value_name = "N")]
    pub rounds: Option<u32>,
    /// Write every figure and the raw samples to this JSON file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write a plot of RSS and RssAnon over time to this SVG file.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Sampling interval of /proc in milliseconds.
    #[arg(long, default_value_t = 100, value_name = "MS")]
    pub interval_ms: u64,
}

#[derive(Args, Debug, Serialize)]
pub struct IdleArgs {
    /// Idle clients to open.
    #[arg(long, default_value_t = 10_000)]
    pub clients: usize,
    /// Seconds to hold the clients before measuring.
    #[arg(long, default_value_t = 5.0, value_name = "SECS")]
    pub settle: f64,
    /// Seconds to wait after closing the clients before the last measurement.
    #[arg(long, default_value_t = 10.0, value_name = "SECS")]
    pub after: f64,
    /// Handshakes in flight at once.
    #[arg(long, default_value_t = 64, value_name = "N")]
    pub connect_concurrency: usize,
    #[command(flatten)]
    #[serde(skip)]
    pub common: Common,
}

/// The extended-protocol variants map to tokio-postgres calls.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Protocol {
    /// Simple query protocol, values inlined (`simple_query`).
    Simple,
    /// Extended protocol with a fresh statement each time (`query(sql_text, params)`:
    /// Parse/Describe, then Bind/Execute, then Close).
    Extended,
    /// Extended protocol, statement prepared once per client and reused.
    Prepared,
}

#[derive(Args, Debug, Serialize)]
pub struct LoadArgs {
    /// Concurrent clients.
    #[arg(long, default_value_t = 50)]
    pub clients: usize,
    /// Seconds of load.
    #[arg(long, default_value_t = 10.0, value_name = "SECS")]
    pub duration: f64,
    /// Query protocol.
    #[arg(long, value_enum, default_value_t = Protocol::Simple)]
    pub protocol: Protocol,
    /// Rows in bench_kv (point-read).
    #[arg(long, default_value_t = 10_000)]
    pub rows: u32,
    /// Seconds to keep sampling after the load ends (clients closed) for "RSS after".
    #[arg(long, default_value_t = 10.0, value_name = "SECS")]
    pub after: f64,
    #[command(flatten)]
    #[serde(skip)]
    pub common: Common,
}

#[derive(Args, Debug, Serialize)]
pub struct TenantsArgs {
    /// Distinct databases to touch: <prefix>0001, <prefix>0002, ...
    #[arg(long, default_value_t = 1000)]
    pub clients: usize,
    /// Database name prefix.
    #[arg(long, default_value = "bench_t")]
    pub prefix: String,
    /// Seconds to keep sampling after the last database was touched.
    #[arg(long, default_value_t = 70.0, value_name = "SECS")]
    pub wait: f64,
    /// Databases touched at once.
    #[arg(long, default_value_t = 1)]
    pub concurrency: usize,
    /// First CREATE DATABASE the missing ones through the maintenance database
    /// (PostgreSQL; litewire creates databases on first use).
    #[arg(long)]
    pub create: bool,
    /// DROP DATABASE them through the maintenance database at the end (not measured).
    #[arg(long)]
    pub drop: bool,
    /// Database used for --create and --drop.
    #[arg(long, default_value = "postgres", value_name = "DB")]
    pub maintenance_db: String,
    #[command(flatten)]
    #[serde(skip)]
    pub common: Common,
}

#[derive(Args, Debug, Serialize)]
pub struct SoakArgs {
    /// Concurrent clients, each picking select1, point-read or insert at random.
    #[arg(long, default_value_t = 20)]
    pub clients: usize,
    /// Seconds of load.
    #[arg(long, default_value_t = 1800.0, value_name = "SECS")]
    pub duration: f64,
    /// Seconds from the start of the load excluded from the slope (capped at half the
    /// duration).
    #[arg(long, default_value_t = 60.0, value_name = "SECS")]
    pub warmup: f64,
    /// Query protocol [default: client i uses simple, extended, prepared for i mod 3].
    #[arg(long, value_enum)]
    pub protocol: Option<Protocol>,
    /// Rows in bench_kv.
    #[arg(long, default_value_t = 10_000)]
    pub rows: u32,
    /// Seconds to keep sampling after the load ends.
    #[arg(long, default_value_t = 10.0, value_name = "SECS")]
    pub after: f64,
    #[command(flatten)]
    #[serde(skip)]
    pub common: Common,
}

#[derive(Args, Debug, Serialize)]
pub struct TpcbArgs {
    /// Concurrent clients (pgbench -c).
    #[arg(long, default_value_t = 10)]
    pub clients: usize,
    /// pgbench threads (-j) [default: the clients, at most the cores].
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Seconds of load (pgbench -T).
    #[arg(long, default_value_t = 10.0, value_name = "SECS")]
    pub duration: f64,
    /// Query protocol (pgbench -M).
    #[arg(long, value_enum, default_value_t = Protocol::Simple)]
    pub protocol: Protocol,
    /// Scale factor of `pgbench -i` (100,000 accounts each).
    #[arg(long, default_value_t = 1)]
    pub scale: u32,
    /// Keep the pgbench tables as they are instead of `pgbench -i` before each run.
    #[arg(long)]
    pub no_init: bool,
    /// The pgbench program.
    #[arg(long, default_value = "pgbench", value_name = "PATH")]
    pub pgbench: String,
    /// Seconds to keep sampling after the load ends (clients closed) for "RSS after".
    #[arg(long, default_value_t = 5.0, value_name = "SECS")]
    pub after: f64,
    #[command(flatten)]
    #[serde(skip)]
    pub common: Common,
}

#[derive(Args, Debug, Serialize)]
pub struct CopyInArgs {
    /// Rows to copy: `<i>\tname-<i>\t<i mod 1000>` into bench_copy(id integer, v text,
    /// n integer), recreated before each run.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: u64,
    /// Bytes of rows per CopyData message (whole lines; about what client libraries
    /// send). psql sends one line per message: --chunk 1.
    #[arg(long, default_value_t = 65_536, value_name = "BYTES")]
    pub chunk: usize,
    /// Seconds to keep sampling after the COPY for "RSS after".
    #[arg(long, default_value_t = 5.0, value_name = "SECS")]
    pub after: f64,
    #[command(flatten)]
    #[serde(skip)]
    pub common: Common,
}

#[derive(Args, Debug, Serialize)]
pub struct BranchArgs {
    /// Scale factor of `pgbench -i` (about 13 MB of SQLite file each).
    #[arg(long, default_value_t = 80)]
    pub scale: u32,
    /// Keep the pgbench tables as they are instead of `pgbench -i` first.
    #[arg(long)]
    pub no_init: bool,
    /// pgbench clients writing throughout.
    #[arg(long, default_value_t = 4)]
    pub clients: usize,
    /// Seconds of load (pgbench -T); the branch must end within them.
    #[arg(long, default_value_t = 60.0, value_name = "SECS")]
    pub duration: f64,
    /// Seconds of load before the branch starts.
    #[arg(long, default_value_t = 5.0, value_name = "SECS")]
    pub wait: f64,
    /// Keep the copy (`<db>_branch`) instead of dropping it.
    #[arg(long)]
    pub keep: bool,
    /// The pgbench program.
    #[arg(long, default_value = "pgbench", value_name = "PATH")]
    pub pgbench: String,
    #[command(flatten)]
    #[serde(skip)]
    pub common: Common,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn flags_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn defaults() {
        let cli = Cli::try_parse_from(["litewire-bench", "idle", "--target", "host=x"]).unwrap();
        let Scenario::Idle(a) = cli.scenario else {
            panic!()
        };
        assert_eq!(a.clients, 10_000);
        assert_eq!(a.settle, 5.0);
        assert_eq!(a.common.interval_ms, 100);
        assert!(!a.common.compare);
    }

    #[test]
    fn tpcb_and_copy_in_flags() {
        let cli = Cli::try_parse_from([
            "litewire-bench",
            "tpcb",
            "--target",
            "host=x",
            "--durability",
            "synchronous_commit=on",
            "--clients",
            "1",
            "--protocol",
            "prepared",
        ])
        .unwrap();
        let Scenario::Tpcb(a) = cli.scenario else {
            panic!()
        };
        assert_eq!((a.clients, a.jobs, a.scale), (1, None, 1));
        assert_eq!(a.protocol, Protocol::Prepared);
        assert_eq!(a.common.durability, vec!["synchronous_commit=on"]);
        assert!(!a.no_init);

        let cli = Cli::try_parse_from(["litewire-bench", "copy-in", "--target", "host=x"]).unwrap();
        assert_eq!(cli.scenario.name(), "copy-in");
        let Scenario::CopyIn(a) = cli.scenario else {
            panic!()
        };
        assert_eq!((a.rows, a.chunk), (1_000_000, 65_536));
        assert!(a.common.durability.is_empty());
    }
}
