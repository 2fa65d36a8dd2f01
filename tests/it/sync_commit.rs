//! Synchronous replication (`--synchronous-replication`, issue 12): a commit with
//! `synchronous_commit = on` is acknowledged only once Litestream stored it. The
//! kill -9 trials: no acknowledged commit is missing from a standby promoted after
//! the primary (and its Litestream) died. Needs the `litestream` program on PATH.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{rows, Server};
use crate::replica::{litestream_pids, require_litestream, running};

fn sync_primary(store: &std::path::Path, extra: &[&str]) -> Server {
    require_litestream();
    let mut args = vec![
        "--replicate-to",
        store.to_str().unwrap(),
        "--synchronous-replication",
    ];
    args.extend_from_slice(extra);
    Server::start(&args)
}

/// SHOW STATS of the admin console, by counter name.
async fn stats(s: &Server) -> HashMap<String, u64> {
    let admin = s.connect("litewire").await;
    rows(&admin, "SHOW STATS")
        .await
        .into_iter()
        .filter_map(|r| Some((r[0].clone()?, r[1].as_deref()?.parse().ok()?)))
        .collect()
}

/// A small xorshift generator: the trials' moments, reproducible from the printed seed.
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        let seed = std::env::var("LITEWIRE_TRIAL_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
                    | 1
            });
        eprintln!("trial seed {seed} (LITEWIRE_TRIAL_SEED)");
        Rng(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Kills the primary as a machine crash would: its Litestream first (so nothing is
/// uploaded after the moment: litewire's death alone would send Litestream a SIGTERM,
/// on which it syncs once more), then litewire, both with SIGKILL.
fn crash(p: &Server) {
    for pid in litestream_pids(p).into_iter().filter(|&pid| running(pid)) {
        unsafe {
            libc::kill(pid as i32, libc::SIGKILL);
        }
    }
    unsafe {
        libc::kill(p.pid() as i32, libc::SIGKILL);
    }
}

/// One writer: autocommit inserts, and every fifth a two-row transaction block,
/// recording each id whose commit was acknowledged, until the first error.
async fn write_until_failure(c: tokio_postgres::Client, w: i32, acked: Arc<Mutex<Vec<i32>>>) {
    let mut c = c;
    for k in 0.. {
        let id = w * 1_000_000 + k * 2;
        if k % 5 == 4 {
            let Ok(tx) = c.transaction().await else {
                return;
            };
            if tx
                .execute(
                    "INSERT INTO t VALUES ($1, $2), ($3, $2)",
                    &[&id, &w, &(id + 1)],
                )
                .await
                .is_err()
            {
                return;
            }
            if tx.commit().await.is_err() {
                return;
            }
            acked.lock().unwrap().extend([id, id + 1]);
        } else {
            if c.execute("INSERT INTO t VALUES ($1, $2)", &[&id, &w])
                .await
                .is_err()
            {
                return;
            }
            acked.lock().unwrap().push(id);
        }
    }
}

/// The ids in `t` of a standby of `store`, once promoted (it catches up with the
/// store first).
async fn promoted_ids(store: &std::path::Path) -> BTreeSet<i32> {
    let s = Server::start(&["--replica-of", store.to_str().unwrap()]);
    let start = Instant::now();
    // The database must be there before PROMOTE, which promotes what it follows.
    loop {
        if let Ok(r) = s.try_connect("app").await {
            if r.simple_query("SELECT 1 FROM t LIMIT 1").await.is_ok() {
                break;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the standby never served app"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let admin = s.connect("litewire").await;
    admin
        .simple_query("PROMOTE")
        .await
        .expect("PROMOTE of the standby");
    let c = s.connect("app").await;
    let ids = c
        .query("SELECT id FROM t", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<_, i32>(0))
        .collect();
    // The promoted node takes writes.
    c.execute("INSERT INTO t (id) VALUES (-1)", &[])
        .await
        .unwrap();
    ids
}

/// ≥ 20 trials (LITEWIRE_SYNC_TRIALS): three writers commit on a primary with
/// synchronous replication, the primary and its Litestream are killed with SIGKILL at a
/// random moment, a standby of the store is promoted: every acknowledged row is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_acknowledged_commit_is_lost_when_the_primary_is_killed() {
    let trials: usize = std::env::var("LITEWIRE_SYNC_TRIALS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let mut rng = Rng::new();
    let (mut acked_total, mut lost_total, mut extra_total) = (0usize, 0usize, 0usize);
    for trial in 0..trials {
        let store = tempfile::tempdir().unwrap();
        let p = sync_primary(store.path(), &[]);
        let setup = p.connect("app").await;
        setup
            .batch_execute("CREATE TABLE t (id int PRIMARY KEY, w int)")
            .await
            .unwrap();
        let acked = Arc::new(Mutex::new(Vec::new()));
        let mut writers = Vec::new();
        for w in 1..=3 {
            let c = p.connect("app").await;
            writers.push(tokio::spawn(write_until_failure(c, w, acked.clone())));
        }
        let moment = Duration::from_millis(100 + rng.below(1400));
        tokio::time::sleep(moment).await;
        crash(&p);
        for w in writers {
            tokio::time::timeout(Duration::from_secs(30), w)
                .await
                .expect("a writer did not notice the crash")
                .unwrap();
        }
        drop(setup);
        let acked: BTreeSet<i32> = acked.lock().unwrap().iter().copied().collect();
        let present = promoted_ids(store.path()).await;
        let lost: Vec<_> = acked.difference(&present).copied().collect();
        let extra = present.difference(&acked).count();
        eprintln!(
            "trial {trial}: killed after {moment:?}: {} acknowledged, {} lost, \
             {extra} committed but unacknowledged present",
            acked.len(),
            lost.len()
        );
        assert!(
            !acked.is_empty(),
            "trial {trial}: no commit was acknowledged"
        );
        assert!(lost.is_empty(), "trial {trial}: lost {lost:?}");
        acked_total += acked.len();
        lost_total += lost.len();
        extra_total += extra;
    }
    eprintln!(
        "{trials} trials: {acked_total} acknowledged commits (rows), {lost_total} lost, \
         {extra_total} unacknowledged rows present"
    );
}

/// Commit latency in one run, one server: `on` (waits for the store), `local` (the
/// local disk only: what an asynchronous replica gives) and `off`; SHOW STATS counts
/// the store waits of `on` only, and concurrent commits share sync calls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn synchronous_commit_on_waits_for_the_store_and_local_does_not() {
    let store = tempfile::tempdir().unwrap();
    let p = sync_primary(store.path(), &[]);
    let c = p.connect("app").await;
    c.batch_execute("CREATE TABLE t (id int PRIMARY KEY)")
        .await
        .unwrap();
    let before = stats(&p).await;
    let mut times: HashMap<&str, Vec<Duration>> = HashMap::new();
    let mut id = 0;
    for _round in 0..4 {
        for mode in ["on", "local", "off", "remote_apply"] {
            c.batch_execute(&format!("SET synchronous_commit = {mode}"))
                .await
                .unwrap();
            for _ in 0..25 {
                id += 1;
                let t = Instant::now();
                c.execute("INSERT INTO t VALUES ($1)", &[&id])
                    .await
                    .unwrap();
                times.entry(mode).or_default().push(t.elapsed());
            }
        }
    }
    let after = stats(&p).await;
    let replicated = after["replicated_commits"] - before["replicated_commits"];
    let calls = after["store_syncs"] - before["store_syncs"];
    // on and remote_apply wait for the store, one call each (one session at a time).
    assert_eq!(replicated, 200, "{after:?}");
    assert_eq!(calls, 200, "{after:?}");
    for mode in ["on", "remote_apply", "local", "off"] {
        let t = times.get_mut(mode).unwrap();
        t.sort();
        eprintln!(
            "synchronous_commit = {mode}: commit p50 {:?}, p99 {:?}, max {:?} ({} commits)",
            percentile(t, 0.5),
            percentile(t, 0.99),
            t[t.len() - 1],
            t.len()
        );
    }
    // Every commit acknowledged under on is in a fresh restore of the store (checked
    // by the trials too); here: the store's newest transaction is at least as new as
    // the last acknowledged one, so a restore has all 400 rows.
    drop(c);
    let ids = promoted_ids(store.path()).await;
    assert_eq!(ids.len(), 400);

    // Concurrent writers share sync calls.
    let store = tempfile::tempdir().unwrap();
    let p = sync_primary(store.path(), &[]);
    let c = p.connect("app").await;
    c.batch_execute("CREATE TABLE t (id int PRIMARY KEY)")
        .await
        .unwrap();
    let before = stats(&p).await;
    let mut writers = Vec::new();
    for w in 0..8 {
        let c = p.connect("app").await;
        writers.push(tokio::spawn(async move {
            for i in 0..20 {
                c.execute("INSERT INTO t VALUES ($1)", &[&(w * 100 + i)])
                    .await
                    .unwrap();
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    let after = stats(&p).await;
    let replicated = after["replicated_commits"] - before["replicated_commits"];
    let calls = after["store_syncs"] - before["store_syncs"];
    eprintln!("8 concurrent writers: {replicated} replicated commits, {calls} sync calls");
    assert_eq!(replicated, 160);
    assert!(calls >= 1 && calls < replicated, "{calls} calls");
}

/// Litestream stopped (SIGSTOP): a commit waiting for the store does not hold the
/// write lock (a `local` writer commits meanwhile); past the timeout it is not
/// acknowledged (a WARNING, then FATAL 57P01), though it is committed locally; once
/// Litestream runs again commits are acknowledged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_the_store_does_not_confirm_is_not_acknowledged() {
    let store = tempfile::tempdir().unwrap();
    let p = sync_primary(store.path(), &["--synchronous-replication-timeout", "2s"]);
    let c = p.connect("app").await;
    c.batch_execute("CREATE TABLE t (id int PRIMARY KEY)")
        .await
        .unwrap();
    let pids = litestream_pids(&p);
    assert_eq!(pids.len(), 1);
    unsafe {
        libc::kill(pids[0] as i32, libc::SIGSTOP);
    }
    let waiting = p.connect("app").await;
    let started = Instant::now();
    let pending =
        tokio::spawn(async move { waiting.execute("INSERT INTO t VALUES (1)", &[]).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The write lock is free: a session that waits for the local disk only commits.
    let local = p.connect("app").await;
    local
        .batch_execute("SET synchronous_commit = local; INSERT INTO t VALUES (2)")
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(1800),
        "the local commit waited for the stopped store"
    );
    let e = pending.await.unwrap().unwrap_err();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(2), "{waited:?}");
    let db = e.as_db_error().expect("an error from the server");
    assert_eq!(db.code().code(), "57P01", "{e}");
    assert_eq!(db.severity(), "FATAL", "{e}");
    // Committed locally all the same (PostgreSQL's DETAIL says so too).
    assert_eq!(
        rows(&local, "SELECT count(*) FROM t").await[0][0].as_deref(),
        Some("2")
    );
    unsafe {
        libc::kill(pids[0] as i32, libc::SIGCONT);
    }
    let again = p.connect("app").await;
    again
        .execute("INSERT INTO t VALUES (3)", &[])
        .await
        .unwrap();
    let s = stats(&p).await;
    assert!(s["replicated_commits"] >= 2, "{s:?}");
    // Litestream killed: the commit waits for the one litewire starts again.
    unsafe {
        libc::kill(pids[0] as i32, libc::SIGKILL);
    }
    again
        .execute("INSERT INTO t VALUES (4)", &[])
        .await
        .unwrap();
    // (Its log line may reach the test a moment after the commit's answer.)
    let start = Instant::now();
    loop {
        let now: Vec<u32> = litestream_pids(&p)
            .into_iter()
            .filter(|&pid| running(pid))
            .collect();
        if now.len() == 1 && now[0] != pids[0] {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{now:?} after {pids:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Without --synchronous-replication (async replication) a commit never calls the
/// control socket, whatever synchronous_commit says.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_flag_no_commit_waits_for_the_store() {
    require_litestream();
    let store = tempfile::tempdir().unwrap();
    let p = Server::start(&["--replicate-to", store.path().to_str().unwrap()]);
    let c = p.connect("app").await;
    for sql in [
        "CREATE TABLE t (id int)",
        "INSERT INTO t VALUES (1)",
        "SET synchronous_commit = remote_apply",
        "INSERT INTO t VALUES (2)",
    ] {
        c.batch_execute(sql).await.unwrap();
    }
    let s = stats(&p).await;
    assert_eq!(s["replicated_commits"], 0, "{s:?}");
    assert_eq!(s["store_syncs"], 0, "{s:?}");
    assert!(s["durable_commits"] >= 3, "{s:?}");
}

/// A standby started with --synchronous-replication takes no writes while it follows;
/// once PROMOTE made it the primary, its commits wait for the store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promoted_standby_keeps_synchronous_replication() {
    let store = tempfile::tempdir().unwrap();
    let mut p = sync_primary(store.path(), &[]);
    let c = p.connect("app").await;
    c.batch_execute("CREATE TABLE t (id int PRIMARY KEY)")
        .await
        .unwrap();
    c.execute("INSERT INTO t VALUES (1)", &[]).await.unwrap();
    let s = Server::start(&[
        "--replica-of",
        store.path().to_str().unwrap(),
        "--synchronous-replication",
    ]);
    let start = Instant::now();
    loop {
        if let Ok(r) = s.try_connect("app").await {
            if rows(&r, "SELECT count(*) FROM t").await[0][0].as_deref() == Some("1") {
                break;
            }
        }
        assert!(start.elapsed() < Duration::from_secs(30), "never followed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(c);
    assert!(p.terminate().success());
    let admin = s.connect("litewire").await;
    admin.simple_query("PROMOTE").await.unwrap();
    let w = s.connect("app").await;
    w.execute("INSERT INTO t VALUES (2)", &[]).await.unwrap();
    let st = stats(&s).await;
    assert_eq!(st["replicated_commits"], 1, "{st:?}");
    assert_eq!(st["store_syncs"], 1, "{st:?}");
    drop((w, admin, s));
    // Acknowledged, so stored: a new standby of the store, promoted, has it.
    assert!(promoted_ids(store.path()).await.contains(&2));
}
