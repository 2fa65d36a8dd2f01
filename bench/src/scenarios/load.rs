//! select1, point-read, insert: C clients for D seconds. Memory is read before the clients
//! connect, sampled through the load, and read again `--after` seconds after the clients
//! have closed.

use std::time::Duration;

use super::workload::{self, LoadStats, Mix};
use super::{Ctx, Outcome};
use crate::cli::{LoadArgs, Protocol};
use crate::proc::Sample;
use crate::progress::Goal;
use crate::report::{memory_at, peaks, Figure, Unit};
use crate::Result;

/// A timed load, shared with soak.
pub struct Plan {
    pub clients: usize,
    pub duration: f64,
    /// None: client i uses simple, extended, prepared for i mod 3.
    pub protocol: Option<Protocol>,
    pub mix: Mix,
    pub rows: u32,
    pub after: f64,
}

pub struct Done {
    pub stats: LoadStats,
    pub before: Sample,
    pub after: Sample,
    /// Sampler times of the start of the load and of its end.
    pub t_load: f64,
    pub t_end: f64,
    /// Peaks from the first connection to the end of the load.
    pub peaks: Vec<Figure>,
}

pub async fn execute(plan: &Plan, ctx: &Ctx<'_>) -> Result<Done> {
    let (s, p) = (ctx.sampler, ctx.progress);
    let config = &ctx.target.config;
    p.phase("setup", Goal::Open);
    workload::setup(config, &plan.mix.ops(), plan.rows).await?;

    let before = s.sample_now()?;
    let t_connect = s.mark("connect");
    p.phase("connect", Goal::Count(plan.clients as u64));
    let protocol = |i: usize| {
        plan.protocol
            .unwrap_or([Protocol::Simple, Protocol::Extended, Protocol::Prepared][i % 3])
    };
    let workers = workload::connect_workers(
        config,
        plan.clients,
        protocol,
        plan.mix,
        plan.rows,
        p.counter(),
    )
    .await?;

    let t_load = s.mark("load");
    p.phase("load", Goal::Secs(plan.duration));
    let duration = Duration::from_secs_f64(plan.duration.max(0.0));
    let stats = workload::run_workers(workers, duration, plan.mix, p.counter()).await;
    let t_end = s.mark("end");
    let peaks = s.inspect(|r| peaks(r, t_connect, t_end));

    ctx.wait("after", plan.after).await;
    let after = s.sample_now()?;
    Ok(Done {
        stats,
        before,
        after,
        t_load,
        t_end,
        peaks,
    })
}

/// Throughput, latency and errors of a load.
pub fn load_figures(stats: &LoadStats, out: &mut Outcome) {
    let ms = |q: f64| stats.latency_us.percentile(q) as f64 / 1000.0;
    out.figures.extend([
        Figure::new("tps", "throughput", Unit::PerSec, stats.tps()),
        Figure::new("latency_p50", "latency p50", Unit::Ms, ms(0.5)),
        Figure::new("latency_p99", "latency p99", Unit::Ms, ms(0.99)),
        Figure::new("errors", "errors", Unit::Count, stats.errors as f64),
    ]);
    if let Some(e) = &stats.first_error {
        out.notes
            .push(format!("{} errors; first: {e}", stats.errors));
    }
    if stats.ops == 0 {
        out.notes.push("no operation succeeded".into());
    }
}

pub async fn run(args: &LoadArgs, mix: Mix, ctx: &Ctx<'_>) -> Result<Outcome> {
    let plan = Plan {
        clients: args.clients,
        duration: args.duration,
        protocol: Some(args.protocol),
        mix,
        rows: args.rows,
        after: args.after,
    };
    let done = execute(&plan, ctx).await?;
    let mut out = Outcome::default();
    load_figures(&done.stats, &mut out);
    out.figures
        .extend(memory_at("before", "before", &done.before));
    out.figures.extend(done.peaks);
    out.figures.extend(memory_at(
        "after",
        &format!("{}s after the load", args.after),
        &done.after,
    ));
    Ok(out)
}
