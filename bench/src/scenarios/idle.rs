//! idle: N raw-protocol clients complete the startup handshake and then send nothing.
//! Per-client cost = (memory with the clients − memory before) / clients connected.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::{workload, Ctx, Outcome};
use crate::cli::IdleArgs;
use crate::progress::Goal;
use crate::report::{memory_at, peaks, Figure, Unit};
use crate::wire;
use crate::Result;

const HANDSHAKE_LIMIT: Duration = Duration::from_secs(30);

pub async fn run(args: &IdleArgs, ctx: &Ctx<'_>) -> Result<Outcome> {
    let (host, port) = ctx
        .target
        .tcp_addr()
        .ok_or("idle clients need a TCP --target")?;
    let addr = tokio::net::lookup_host((host.as_str(), port))
        .await?
        .next()
        .ok_or_else(|| format!("{host} has no address"))?;
    let user: Arc<str> = ctx.target.user().into();
    let db: Arc<str> = ctx.target.dbname().into();
    let s = ctx.sampler;
    let mut out = Outcome::default();

    ctx.progress.phase("warm-up", Goal::Open);
    workload::warm_up(&ctx.target.config).await?;
    let before = s.sample_now()?;
    let t_connect = s.mark("connect");
    ctx.progress
        .phase("connect", Goal::Count(args.clients as u64));
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(args.connect_concurrency.max(1)));
    let mut set = JoinSet::new();
    for _ in 0..args.clients {
        let (gate, user, db, counter) = (
            gate.clone(),
            user.clone(),
            db.clone(),
            ctx.progress.counter(),
        );
        set.spawn(async move {
            let _permit = gate.acquire_owned().await;
            let r = wire::handshake_within(HANDSHAKE_LIMIT, addr, &user, &db).await;
            counter.fetch_add(1, Ordering::Relaxed);
            r.map_err(|e| e.to_string())
        });
    }
    let mut socks = Vec::with_capacity(args.clients);
    let (mut failed, mut first_error) = (0u64, None);
    while let Some(r) = set.join_next().await {
        match r.map_err(|e| e.to_string()).and_then(|r| r) {
            Ok(sock) => socks.push(sock),
            Err(e) => {
                failed += 1;
                first_error.get_or_insert(e);
            }
        }
    }
    let connect_secs = started.elapsed().as_secs_f64();
    if let Some(e) = &first_error {
        out.notes
            .push(format!("{failed} handshakes failed; first: {e}"));
    }
    if socks.is_empty() {
        return Err(format!(
            "no client completed the handshake: {}",
            first_error.unwrap_or_default()
        )
        .into());
    }

    ctx.wait("settle", args.settle).await;
    let with = s.sample_now()?;
    let t_close = s.mark("close");
    let (mut closed, mut spoke, mut first_message) = (0u64, 0u64, None);
    for sock in &socks {
        match wire::still_idle(sock) {
            Ok(true) => {}
            Ok(false) => closed += 1,
            Err(m) => {
                spoke += 1;
                first_message.get_or_insert(m);
            }
        }
    }
    if closed > 0 {
        out.notes.push(format!(
            "{closed} idle clients were closed by the server before the measurement"
        ));
    }
    if let Some(m) = first_message {
        out.notes.push(format!(
            "the server sent {spoke} idle clients data; first: {m}"
        ));
    }
    let n = socks.len();
    for sock in &socks {
        wire::terminate(sock);
    }
    drop(socks);

    ctx.wait("after close", args.after).await;
    let after = s.sample_now()?;

    let per_client = |a: u64, b: u64| (b as f64 - a as f64) * 1024.0 / n as f64;
    let f = &mut out.figures;
    f.push(Figure::new(
        "clients",
        "clients connected",
        Unit::Count,
        n as f64,
    ));
    f.push(Figure::new(
        "failed",
        "handshakes failed",
        Unit::Count,
        failed as f64,
    ));
    f.push(Figure::new(
        "connect_secs",
        "time to connect all",
        Unit::Secs,
        connect_secs,
    ));
    f.extend(memory_at("before", "before", &before));
    f.extend(memory_at("with", "with clients", &with));
    f.push(Figure::new(
        "rss_per_client",
        "VmRSS per client",
        Unit::Bytes,
        per_client(before.status.vm_rss, with.status.vm_rss),
    ));
    f.push(Figure::new(
        "rss_anon_per_client",
        "RssAnon per client",
        Unit::Bytes,
        per_client(before.status.rss_anon, with.status.rss_anon),
    ));
    f.push(Figure::new(
        "pss_per_client",
        "PSS (process tree) per client",
        Unit::Bytes,
        per_client(before.pss_tree, with.pss_tree),
    ));
    f.push(Figure::new(
        "vmsize_with",
        "VmSize with clients",
        Unit::Kib,
        with.status.vm_size as f64,
    ));
    f.push(Figure::new(
        "threads_with",
        "threads with clients",
        Unit::Count,
        with.status.threads as f64,
    ));
    f.push(Figure::new(
        "procs_with",
        "processes with clients",
        Unit::Count,
        f64::from(with.procs),
    ));
    f.extend(s.inspect(|r| peaks(r, t_connect, t_close)));
    f.extend(memory_at("after_close", "after close", &after));
    f.push(Figure::new(
        "rss_retained",
        "VmRSS retained after close",
        Unit::Kib,
        after.status.vm_rss as f64 - before.status.vm_rss as f64,
    ));
    Ok(out)
}
