//! tpcb: pgbench's default TPC-B-like script, run by pgbench itself, so both servers
//! get exactly the transactions pgbench would give them. The tables are set up by
//! `pgbench -i` before each run (not measured); memory is sampled around the load.

use std::process::Command;

use super::{Ctx, Outcome};
use crate::cli::{Protocol, TpcbArgs};
use crate::progress::Goal;
use crate::report::{memory_at, peaks, Figure, Unit};
use crate::Result;

/// What pgbench reports at the end of a run.
#[derive(Debug, Default, PartialEq)]
pub struct Report {
    pub tps: f64,
    pub latency_ms: f64,
    pub transactions: u64,
    pub failed: u64,
}

/// Reads pgbench's summary (PostgreSQL 15's wording): `tps = …`, `latency average = … ms`,
/// `number of transactions actually processed: …`, `number of failed transactions: …`.
pub fn parse_report(out: &str) -> Result<Report> {
    let mut r = Report::default();
    let mut seen_tps = false;
    for line in out.lines().map(str::trim) {
        let number = |s: &str| -> Result<f64> {
            let word = s.split_whitespace().next().unwrap_or("");
            word.parse::<f64>()
                .map_err(|_| format!("pgbench: cannot read a number in {line:?}").into())
        };
        if let Some(rest) = line.strip_prefix("tps = ") {
            r.tps = number(rest)?;
            seen_tps = true;
        } else if let Some(rest) = line.strip_prefix("latency average = ") {
            r.latency_ms = number(rest)?;
        } else if let Some(rest) = line.strip_prefix("number of transactions actually processed: ")
        {
            // "1234" or "1234/10000" with -t.
            r.transactions = number(&rest.replace('/', " "))? as u64;
        } else if let Some(rest) = line.strip_prefix("number of failed transactions: ") {
            r.failed = number(rest)? as u64;
        }
    }
    if !seen_tps {
        return Err("pgbench printed no tps line".into());
    }
    Ok(r)
}

fn mode(p: Protocol) -> &'static str {
    match p {
        Protocol::Simple => "simple",
        Protocol::Extended => "extended",
        Protocol::Prepared => "prepared",
    }
}

/// Runs pgbench off the async threads; its output, or an error with its stderr.
pub(super) async fn pgbench(program: &str, args: Vec<String>) -> Result<String> {
    let program = program.to_string();
    let out = tokio::task::spawn_blocking(move || Command::new(&program).args(&args).output())
        .await?
        .map_err(|e| format!("cannot run pgbench: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(format!("pgbench failed ({}): {}", out.status, stderr.trim()).into());
    }
    Ok(stdout)
}

/// `pgbench -i -q -s scale` of the tables (not measured).
pub(super) async fn init(program: &str, scale: u32, conn: &str) -> Result<()> {
    let args = vec![
        "-i".into(),
        "-q".into(),
        "-s".into(),
        scale.to_string(),
        conn.into(),
    ];
    pgbench(program, args).await.map(drop)
}

pub async fn run(args: &TpcbArgs, ctx: &Ctx<'_>) -> Result<Outcome> {
    let (s, p) = (ctx.sampler, ctx.progress);
    let conn = ctx.target.raw_conn.clone();
    if !args.no_init {
        p.phase("pgbench -i", Goal::Open);
        init(&args.pgbench, args.scale, &conn).await?;
    }
    super::workload::warm_up(&ctx.target.config).await?;

    let before = s.sample_now()?;
    let t_load = s.mark("load");
    let secs = args.duration.ceil().max(1.0) as u64;
    p.phase("load", Goal::Secs(secs as f64));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let jobs = args.jobs.unwrap_or(args.clients.min(cores)).max(1);
    let load = vec![
        "-c".into(),
        args.clients.to_string(),
        "-j".into(),
        jobs.to_string(),
        "-T".into(),
        secs.to_string(),
        "-M".into(),
        mode(args.protocol).into(),
        conn,
    ];
    let stdout = pgbench(&args.pgbench, load).await?;
    let t_end = s.mark("end");
    let report = parse_report(&stdout)?;
    let peak = s.inspect(|r| peaks(r, t_load, t_end));
    ctx.wait("after", args.after).await;
    let after = s.sample_now()?;

    let mut out = Outcome::default();
    out.figures.extend([
        Figure::new("tps", "throughput", Unit::PerSec, report.tps),
        Figure::new(
            "latency_avg",
            "latency average",
            Unit::Ms,
            report.latency_ms,
        ),
        Figure::new(
            "transactions",
            "transactions",
            Unit::Count,
            report.transactions as f64,
        ),
        Figure::new(
            "errors",
            "failed transactions",
            Unit::Count,
            report.failed as f64,
        ),
    ]);
    if report.transactions == 0 {
        out.notes.push("no transaction succeeded".into());
    }
    out.notes.push(format!(
        "pgbench -c {} -j {jobs} -T {secs} -M {}",
        args.clients,
        mode(args.protocol)
    ));
    out.figures.extend(memory_at("before", "before", &before));
    out.figures.extend(peak);
    out.figures.extend(memory_at(
        "after",
        &format!("{}s after the load", args.after),
        &after,
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PG15: &str = "pgbench (15.8)
starting vacuum...end.
transaction type: <builtin: TPC-B (sort of)>
scaling factor: 1
query mode: simple
number of clients: 10
number of threads: 2
maximum number of tries: 1
duration: 5 s
number of transactions actually processed: 2310
number of failed transactions: 0 (0.000%)
latency average = 21.719 ms
initial connection time = 2.598 ms
tps = 460.419931 (without initial connection time)
";

    #[test]
    fn reads_pgbench_15_summary() {
        let r = parse_report(PG15).unwrap();
        assert_eq!(
            r,
            Report {
                tps: 460.419931,
                latency_ms: 21.719,
                transactions: 2310,
                failed: 0
            }
        );
        let r = parse_report("number of transactions actually processed: 50/100\ntps = 3.5 (x)\n")
            .unwrap();
        assert_eq!((r.transactions, r.tps), (50, 3.5));
    }

    #[test]
    fn a_summary_without_tps_is_an_error() {
        assert!(parse_report("latency average = 1 ms\n").is_err());
        assert!(parse_report("tps = fast\n").is_err());
    }
}
