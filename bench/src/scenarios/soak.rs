//! soak: a long mixed load (select1, point-read, insert at random; by default each client
//! keeps one of the three protocols). The figure that matters is the slope of memory over
//! time after the warm-up: a server that ratchets up shows a positive slope well above its
//! standard error.

use super::load::{execute, load_figures, Plan};
use super::workload::Mix;
use super::{Ctx, Outcome};
use crate::cli::SoakArgs;
use crate::proc::Field;
use crate::report::{memory_at, Figure, Unit};
use crate::sampler::Recording;
use crate::stats::linear_fit;
use crate::Result;

/// Least-squares slope (KiB/min) and its standard error over the samples from `from` to
/// `to` seconds.
fn slope(rec: &Recording, from: f64, to: f64, field: Field) -> (f64, f64) {
    let points: Vec<(f64, f64)> = rec
        .window(from, to)
        .map(|s| (s.t / 60.0, field(s) as f64))
        .collect();
    linear_fit(&points).map_or((f64::NAN, f64::NAN), |f| (f.slope, f.slope_se))
}

pub async fn run(args: &SoakArgs, ctx: &Ctx<'_>) -> Result<Outcome> {
    let plan = Plan {
        clients: args.clients,
        duration: args.duration,
        protocol: args.protocol,
        mix: Mix::All,
        rows: args.rows,
        after: args.after,
    };
    let warmup = args.warmup.min(args.duration / 2.0);
    let done = execute(&plan, ctx).await?;
    let mut out = Outcome::default();
    if warmup < args.warmup {
        out.notes.push(format!(
            "warm-up cut to {warmup:.0} s (half the duration) for the slope"
        ));
    }
    load_figures(&done.stats, &mut out);
    let from = done.t_load + warmup;
    let at_warm = ctx.sampler.inspect(|r| {
        r.window(from, f64::INFINITY)
            .next()
            .copied()
            .unwrap_or_default()
    });
    let end = ctx.sampler.inspect(|r| {
        r.window(0.0, done.t_end)
            .last()
            .copied()
            .unwrap_or_default()
    });
    out.figures
        .extend(memory_at("before", "before", &done.before));
    out.figures
        .extend(memory_at("warm", "after the warm-up", &at_warm));
    out.figures
        .extend(memory_at("end", "at the end of the load", &end));
    out.figures.extend(done.peaks);
    let series: [(&str, &str, Field); 3] = [
        ("rss", "VmRSS", |s| s.status.vm_rss),
        ("rss_anon", "RssAnon", |s| s.status.rss_anon),
        ("pss", "PSS (process tree)", |s| s.pss_tree),
    ];
    for (key, label, field) in series {
        let (b, se) = ctx.sampler.inspect(|r| slope(r, from, done.t_end, field));
        out.figures.push(Figure::new(
            format!("{key}_slope"),
            format!("{label} slope"),
            Unit::KibPerMin,
            b,
        ));
        out.figures.push(Figure::new(
            format!("{key}_slope_se"),
            format!("{label} slope std. error"),
            Unit::KibPerMinSe,
            se,
        ));
    }
    out.figures.extend(memory_at(
        "after",
        &format!("{}s after the load", args.after),
        &done.after,
    ));
    Ok(out)
}
