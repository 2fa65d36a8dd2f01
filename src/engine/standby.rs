//! The engine's side of a hot standby (`--replica-of`): database files that Litestream
//! followers write (src/replication/standby.rs) and litewire only reads.
//!
//! A follower writes a transaction's pages straight into the file under SQLite's own
//! exclusive lock (the PENDING byte and the SHARED range), then renews the file change
//! counter; readers in rollback-journal mode take SHARED locks, so a reader either sees
//! the file before the pages or after them, never between (a reader arriving meanwhile
//! waits in the busy handler, up to --lock-timeout). In WAL mode a reader would trust
//! its WAL index instead and never see the follower's writes: [`make_followable`] turns
//! a freshly restored file to the rollback journal before any session opens it.

use std::path::Path;
use std::sync::atomic::AtomicU32;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// Whether the server is a hot standby now (until PROMOTE).
static STANDBY: AtomicBool = AtomicBool::new(false);
/// Whether Litestream replicates the files now (--replicate-to, or after PROMOTE).
static REPLICATING: AtomicBool = AtomicBool::new(false);

/// Bumped each time the role changes (PROMOTE): sessions compare it with the value
/// they last reported `in_hot_standby` at, before each ReadyForQuery.
static ROLE_EPOCH: AtomicU32 = AtomicU32::new(0);
/// Whether any database is fenced (src/replication/fence.rs): the one load the
/// statement path pays when nothing is.
static ANY_FENCED: AtomicBool = AtomicBool::new(false);
/// The fenced databases, with why (said in the errors their sessions get).
static FENCED: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// What `pg_last_xact_replay_timestamp()` reads: microseconds since 2000-01-01 of
/// the last transaction the database's follower applied (src/replication gives it).
type ReplayClock = Box<dyn Fn(&str) -> Option<i64> + Send + Sync>;
static REPLAY_CLOCK: OnceLock<ReplayClock> = OnceLock::new();

/// Whether this server is a hot standby (set once, at start).
pub fn is_standby() -> bool {
    STANDBY.load(Ordering::Relaxed)
}

/// Whether Litestream replicates the files (it then owns checkpoints).
pub fn is_replicating() -> bool {
    REPLICATING.load(Ordering::Relaxed)
}

/// Sets the role the files have now: at start, and when a standby is promoted.
pub fn set_role(role: super::Role) {
    STANDBY.store(role == super::Role::Standby, Ordering::Relaxed);
    REPLICATING.store(role == super::Role::Primary, Ordering::Relaxed);
    ROLE_EPOCH.fetch_add(1, Ordering::Relaxed);
}

/// Changes each time the role changes (sessions re-report `in_hot_standby`).
pub fn role_epoch() -> u32 {
    ROLE_EPOCH.load(Ordering::Relaxed)
}

/// Whether database `name` is fenced: its sessions only read.
pub fn is_fenced(name: &str) -> bool {
    ANY_FENCED.load(Ordering::Relaxed) && {
        let all = FENCED.lock().unwrap_or_else(|p| p.into_inner());
        all.iter().any(|(n, _)| n == name)
    }
}

/// Why database `name` is fenced, if it is.
pub fn fenced_because(name: &str) -> Option<String> {
    let all = FENCED.lock().unwrap_or_else(|p| p.into_inner());
    all.iter().find(|(n, _)| n == name).map(|(_, w)| w.clone())
}

/// Fences database `name` (before Litestream replicates it), or lifts the fence
/// (`why` None).
pub fn set_fenced(name: &str, why: Option<String>) {
    let mut all = FENCED.lock().unwrap_or_else(|p| p.into_inner());
    all.retain(|(n, _)| n != name);
    if let Some(why) = why {
        all.push((name.to_string(), why));
    }
    ANY_FENCED.store(!all.is_empty(), Ordering::Relaxed);
}

/// The 25006 error `e` of a write refused in fenced database `name`, with the cause
/// and the way out; `e` unchanged when the database is not fenced.
pub fn fenced_error(name: &str, e: crate::protocol::PgError) -> crate::protocol::PgError {
    if !ANY_FENCED.load(Ordering::Relaxed) {
        return e;
    }
    match fenced_because(name) {
        Some(why) => e
            .with_detail(format!("Database \"{name}\" is fenced: {why}."))
            .with_hint(
                "Another node was promoted and writes the replica store; this node's copy \
                 is stale. Re-seed it: start it with an empty data folder and --replica-of \
                 the store, then PROMOTE if it is to be the primary (docs/OPERATIONS.md, \
                 \"Fencing\").",
            ),
        None => e,
    }
}

/// Asked before a database file is made at run time while the folder is replicated
/// (src/replication installs it: a name the store holds from another node is refused).
type CreateCheck = Box<dyn Fn(&str) -> Result<(), crate::protocol::PgError> + Send + Sync>;
static CREATE_CHECK: OnceLock<CreateCheck> = OnceLock::new();

/// Installs the check [`check_create`] runs.
pub fn set_create_check(check: CreateCheck) {
    let _ = CREATE_CHECK.set(check);
}

/// Whether database `name` may be made now (always, unless the folder is replicated).
pub async fn check_create(name: &str) -> Result<(), crate::protocol::PgError> {
    if !is_replicating() {
        return Ok(());
    }
    let Some(check) = CREATE_CHECK.get() else {
        return Ok(());
    };
    // It reads the store's folder: off the IO thread.
    let name = name.to_string();
    let checked = tokio::task::spawn_blocking(move || check(&name)).await;
    super::joined(checked, "the replica store check")?
}

/// Installs the source of `pg_last_xact_replay_timestamp()`.
pub fn set_replay_clock(clock: ReplayClock) {
    let _ = REPLAY_CLOCK.set(clock);
}

/// The replay time of database `name` in microseconds since 2000-01-01, if known.
pub(super) fn replay_micros(name: &str) -> Option<i64> {
    REPLAY_CLOCK.get().and_then(|f| f(name))
}

/// Turns the file a follower has just restored to the rollback journal (the follower
/// keeps it so: it writes DELETE mode into every page 1 it applies), and removes the
/// WAL and shared-memory files the switch leaves. Waits up to `busy` for the
/// follower's lock.
pub fn make_followable(path: &Path, busy: Duration) -> Result<(), String> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_NOFOLLOW;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| e.to_string())?;
    conn.busy_timeout(busy).map_err(|e| e.to_string())?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    conn.close().map_err(|(_, e)| e.to_string())?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(format!("journal mode stayed {mode}"));
    }
    for suffix in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    Ok(())
}
