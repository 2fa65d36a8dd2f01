//! branch: `CREATE DATABASE <copy> TEMPLATE <db>` of a pgbench database while pgbench's
//! TPC-B load writes to it (litewire's branch; PostgreSQL refuses a template other
//! sessions use). The tables are set up by `pgbench -i -s SCALE` first (not measured,
//! unless --no-init). Measured: the branch's time, the server's memory before and during
//! it, the load's tps. Checked on the copy: `PRAGMA integrity_check` and TPC-B's
//! invariant (the balances of accounts, tellers and branches and the history's deltas
//! all sum alike), which holds only for a copy of one instant between transactions.

use std::time::{Duration, Instant};

use super::tpcb::{init, parse_report, pgbench};
use super::workload::{connect, describe};
use super::{Ctx, Outcome};
use crate::cli::BranchArgs;
use crate::progress::Goal;
use crate::report::{memory_at, peaks, Figure, Unit};
use crate::Result;

/// One value of the first row of `sql`.
async fn value(client: &tokio_postgres::Client, sql: &str) -> Result<String> {
    let rows = client
        .simple_query(sql)
        .await
        .map_err(|e| format!("{sql}: {}", describe(&e)))?;
    rows.iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
            _ => None,
        })
        .ok_or_else(|| format!("{sql}: no row").into())
}

/// TPC-B's four sums, equal in any state between transactions.
const SUMS: &str = "select (select coalesce(sum(abalance), 0) from pgbench_accounts) || ',' || \
     (select coalesce(sum(tbalance), 0) from pgbench_tellers) || ',' || \
     (select coalesce(sum(bbalance), 0) from pgbench_branches) || ',' || \
     (select coalesce(sum(delta), 0) from pgbench_history)";

pub async fn run(args: &BranchArgs, ctx: &Ctx<'_>) -> Result<Outcome> {
    let (s, p) = (ctx.sampler, ctx.progress);
    let conn = ctx.target.raw_conn.clone();
    let db = ctx
        .target
        .config
        .get_dbname()
        .ok_or("the target names no database")?
        .to_string();
    if !args.no_init {
        p.phase("pgbench -i", Goal::Open);
        init(&args.pgbench, args.scale, &conn).await?;
    }
    let client = connect(&ctx.target.config).await?;
    let size: f64 = value(&client, "select pg_database_size(current_database())")
        .await?
        .parse()
        .map_err(|_| "pg_database_size is not a number")?;
    let copy = format!("{db}_branch");
    value(&client, &format!("drop database if exists {copy}"))
        .await
        .ok();

    // The load, in the background for --duration seconds.
    let secs = args.duration.ceil().max(1.0) as u64;
    let load = vec![
        "-c".into(),
        args.clients.to_string(),
        "-j".into(),
        args.clients.clamp(1, 2).to_string(),
        "-T".into(),
        secs.to_string(),
        conn,
    ];
    let program = args.pgbench.clone();
    let load =
        tokio::spawn(async move { pgbench(&program, load).await.map_err(|e| e.to_string()) });
    p.phase("load", Goal::Secs(args.wait));
    tokio::time::sleep(Duration::from_secs_f64(args.wait)).await;

    let before = s.sample_now()?;
    let t_branch = s.mark("branch");
    p.phase("branch", Goal::Open);
    let start = Instant::now();
    client
        .simple_query(&format!("create database {copy} template {db}"))
        .await
        .map_err(|e| format!("create database … template: {}", describe(&e)))?;
    let took = start.elapsed();
    let t_done = s.mark("loaded");
    let peak = s.inspect(|r| peaks(r, t_branch, t_done));
    p.phase("load", Goal::Open);
    let report = parse_report(&load.await??)?;

    // The copy: whole, and one instant of the source.
    let mut config = ctx.target.config.clone();
    config.dbname(&copy);
    let branch = connect(&config).await?;
    let integrity = value(&branch, "pragma integrity_check").await?;
    let sums = value(&branch, SUMS).await?;
    let history = value(&branch, "select count(*) from pgbench_history").await?;
    drop(branch);
    if !args.keep {
        value(&client, &format!("drop database {copy}")).await.ok();
    }
    let consistent = {
        let v: Vec<&str> = sums.split(',').collect();
        v.len() == 4 && v.iter().all(|x| *x == v[0])
    };

    let mut out = Outcome::default();
    out.figures.extend([
        Figure::new("size", "database size", Unit::Bytes, size),
        Figure::new(
            "branch_ms",
            "branch time",
            Unit::Ms,
            took.as_secs_f64() * 1000.0,
        ),
        Figure::new(
            "branch_rate",
            "branch MB/s",
            Unit::PerSec,
            size / 1e6 / took.as_secs_f64().max(1e-9),
        ),
        Figure::new("tps", "load throughput", Unit::PerSec, report.tps),
        Figure::new(
            "consistent",
            "copy consistent (integrity_check ok and TPC-B sums equal)",
            Unit::Count,
            f64::from(u8::from(consistent && integrity == "ok")),
        ),
    ]);
    out.notes.push(format!(
        "copy: integrity_check {integrity}; sums (accounts, tellers, branches, history) {sums}; \
         {history} history rows at the branch's instant"
    ));
    out.notes.push(format!(
        "pgbench -c {} -T {secs} (TPC-B) throughout; branch after {} s",
        args.clients, args.wait
    ));
    out.figures
        .extend(memory_at("before", "before the branch", &before));
    out.figures.extend(peak);
    if !(consistent && integrity == "ok") {
        return Err(format!("the branch is not consistent: {}", out.notes[0]).into());
    }
    Ok(out)
}
