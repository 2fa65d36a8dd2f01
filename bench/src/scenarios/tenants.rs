//! tenants: touch N distinct databases once each (connect, `select 1`, disconnect), then
//! leave the server alone for `--wait` seconds: does memory come back, and are the
//! databases' open files closed?

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::workload::{connect, describe, warm_up};
use super::{Ctx, Outcome};
use crate::cli::TenantsArgs;
use crate::progress::Goal;
use crate::report::{memory_at, peaks, Figure, Unit};
use crate::Result;

/// `<prefix>0001` ... with at least four digits.
pub fn names(prefix: &str, n: usize) -> Vec<String> {
    let width = n.to_string().len().max(4);
    (1..=n).map(|i| format!("{prefix}{i:0width$}")).collect()
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// CREATE DATABASE those of `names` that do not exist yet.
async fn create(ctx: &Ctx<'_>, maintenance: &str, names: &[String]) -> Result<u64> {
    let client = connect(&ctx.target.config_for(maintenance)).await?;
    let existing: Vec<String> = client
        .query("select datname::text from pg_database", &[])
        .await
        .map_err(|e| format!("listing databases: {}", describe(&e)))?
        .iter()
        .map(|r| r.get(0))
        .collect();
    ctx.progress
        .phase("create", Goal::Count(names.len() as u64));
    let mut created = 0;
    for name in names {
        if !existing.contains(name) {
            client
                .simple_query(&format!("create database {}", quote_ident(name)))
                .await
                .map_err(|e| format!("create database {name}: {}", describe(&e)))?;
            created += 1;
        }
        ctx.progress.counter().fetch_add(1, Ordering::Relaxed);
    }
    Ok(created)
}

async fn drop_all(ctx: &Ctx<'_>, maintenance: &str, names: &[String]) -> Result<()> {
    let client = connect(&ctx.target.config_for(maintenance)).await?;
    ctx.progress.phase("drop", Goal::Count(names.len() as u64));
    for name in names {
        client
            .simple_query(&format!("drop database if exists {}", quote_ident(name)))
            .await
            .map_err(|e| format!("drop database {name}: {}", describe(&e)))?;
        ctx.progress.counter().fetch_add(1, Ordering::Relaxed);
    }
    Ok(())
}

pub async fn run(args: &TenantsArgs, ctx: &Ctx<'_>) -> Result<Outcome> {
    let s = ctx.sampler;
    let names = names(&args.prefix, args.clients);
    let mut out = Outcome::default();
    // With --compare the flags apply to both servers; one without CREATE DATABASE (such
    // as litewire, which creates on first use) is noted and measured all the same.
    if args.create {
        out.notes
            .push(match create(ctx, &args.maintenance_db, &names).await {
                Ok(n) => format!("created {n} databases before measuring"),
                Err(e) => format!("--create skipped: {e}"),
            });
    }

    ctx.progress.phase("warm-up", Goal::Open);
    warm_up(&ctx.target.config).await?;
    let before = s.sample_now()?;
    let t_touch = s.mark("touch");
    ctx.progress.phase("touch", Goal::Count(names.len() as u64));
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(args.concurrency.max(1)));
    let mut set = JoinSet::new();
    for name in &names {
        let (gate, config, counter) = (
            gate.clone(),
            ctx.target.config_for(name),
            ctx.progress.counter(),
        );
        set.spawn(async move {
            let _permit = gate.acquire_owned().await;
            let client = connect(&config).await?;
            client
                .simple_query("select 1")
                .await
                .map_err(|e| describe(&e))?;
            drop(client);
            counter.fetch_add(1, Ordering::Relaxed);
            Ok::<_, crate::Error>(())
        });
    }
    let (mut failed, mut first_error) = (0u64, None);
    while let Some(r) = set.join_next().await {
        if let Err(e) = r
            .map_err(|e| e.to_string())
            .and_then(|r| r.map_err(|e| e.to_string()))
        {
            failed += 1;
            first_error.get_or_insert(e);
        }
    }
    let touch_secs = started.elapsed().as_secs_f64();
    let touched = s.sample_now()?;
    if let Some(e) = first_error {
        out.notes
            .push(format!("{failed} touches failed; first: {e}"));
    }

    ctx.wait("wait", args.wait).await;
    let end = s.sample_now()?;
    let t_end = s.mark("end");

    let f = &mut out.figures;
    f.push(Figure::new(
        "databases",
        "databases touched",
        Unit::Count,
        (names.len() as u64 - failed) as f64,
    ));
    f.push(Figure::new(
        "failed",
        "touches failed",
        Unit::Count,
        failed as f64,
    ));
    f.push(Figure::new(
        "touch_secs",
        "time to touch all",
        Unit::Secs,
        touch_secs,
    ));
    f.extend(memory_at("before", "before", &before));
    f.extend(memory_at("touched", "after touching", &touched));
    f.extend(s.inspect(|r| peaks(r, t_touch, t_end)));
    f.extend(memory_at(
        "end",
        &format!("{}s after touching", args.wait),
        &end,
    ));
    for (key, label, v) in [
        ("fds_before", "open fds before", before.fds),
        ("fds_touched", "open fds after touching", touched.fds),
        ("fds_end", "open fds at the end", end.fds),
    ] {
        f.push(Figure::new(key, label, Unit::Count, f64::from(v)));
    }
    if args.drop {
        if let Err(e) = drop_all(ctx, &args.maintenance_db, &names).await {
            out.notes.push(format!("--drop failed: {e}"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names() {
        assert_eq!(
            names("bench_t", 3),
            ["bench_t0001", "bench_t0002", "bench_t0003"]
        );
        assert_eq!(names("t", 12_000)[11_999], "t12000");
        assert_eq!(names("t", 12_000)[0], "t00001");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
