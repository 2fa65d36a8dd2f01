//! The SQLite side of litewire: which database files exist, their connections, and
//! running one statement on a connection with its rows streamed back.
//!
//! This is the only module that touches `rusqlite`. SQLite calls block, so they run on
//! tokio's blocking pool, which `main` caps at `--workers` threads; the async side only
//! ever awaits them.

pub mod advisory;
mod alter;
pub mod array;
mod authorizer;
mod binary;
pub mod catalog;
mod compare;
mod constraints;
pub mod copy;
mod database;
mod database_functions;
pub mod datetime;
mod describe;
mod dml;
pub mod error;
mod exec;
mod explain;
mod functions;
mod group_commit;
mod grouping;
pub mod input;
mod json;
pub(crate) mod jsonb;
pub mod lifecycle;
pub mod merge;
pub mod modifying;
mod new_view;
pub mod numeric;
pub mod objects;
pub(crate) mod pgfuncs;
mod slice;
mod srf;
pub mod standby;
mod stmt;
mod subquery;
mod subscript;
pub mod types;
mod using_index;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub use database::{Database, Lease, WriteLock};
pub use describe::Description;
pub use exec::{Finished, Job, Outcome, Output, Running};
pub(crate) use functions::store_literal;
pub use jsonb::path::set_max_items as set_max_jsonpath_items;
pub use stmt::Value;

use crate::protocol::{PgError, SqlState};

/// Engine settings (a slice of the server configuration).
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub data_dir: PathBuf,
    pub auto_create: bool,
    /// Database files (`*.db`) the data folder may hold before auto-create refuses.
    pub max_databases: usize,
    pub connections_per_db: usize,
    /// SQLite connections open across all databases.
    pub max_open_connections: usize,
    pub lock_timeout: Duration,
    pub idle_close: Duration,
    pub cache_size_kib: u32,
    pub statement_cache: usize,
    /// Encoded rows are handed to the session in chunks of about this many bytes.
    pub chunk_size: usize,
    /// Whether the files are replicated, followed, or neither (src/replication).
    pub role: Role,
}

/// What replication makes of the data folder (src/replication).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// No replication: litewire alone owns the files.
    #[default]
    Alone,
    /// Litestream replicates the files: it owns checkpoints.
    Primary,
    /// Litestream followers write the files; litewire only reads them.
    Standby,
}

/// Process-wide SQLite memory settings; call once at start, before any connection opens.
///
/// By default every connection allocates ~150 KiB of lookaside slots and a bulk of 20
/// page-cache lines (~84 KiB) when it opens, used or not: with a thousand tenant
/// databases open that was about 150 MiB. Here each connection starts with 64 lookaside
/// slots (8 KiB) and no bulk page cache; pages are allocated as they are used, up to
/// `--cache-size-kib`.
pub fn configure_sqlite() {
    use rusqlite::ffi;
    // SAFETY: sqlite3_config before sqlite3_initialize (no connection exists yet); a call
    // made too late returns SQLITE_MISUSE and changes nothing.
    unsafe {
        ffi::sqlite3_config(
            ffi::SQLITE_CONFIG_LOOKASIDE,
            128 as std::ffi::c_int,
            64 as std::ffi::c_int,
        );
        ffi::sqlite3_config(
            ffi::SQLITE_CONFIG_PAGECACHE,
            std::ptr::null_mut::<std::ffi::c_void>(),
            0 as std::ffi::c_int,
            0 as std::ffi::c_int,
        );
    }
}

/// The result of work done on a worker thread. A panic there (a bug) is raised again on
/// the session's task, whose catch answers the client (XX000) knowing that the session
/// lost its connection; the panic hook has already logged it, once.
pub(crate) fn joined<T>(r: Result<T, tokio::task::JoinError>, what: &str) -> Result<T, PgError> {
    match r {
        Ok(v) => Ok(v),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(PgError::new(
            SqlState::INTERNAL_ERROR,
            format!("{what} aborted: {e}"),
        )),
    }
}

/// Longest database name accepted (PostgreSQL's NAMEDATALEN - 1).
pub const MAX_NAME_LEN: usize = 63;

type Registry = Mutex<HashMap<String, Arc<Database>>>;

/// The registry of databases in use.
pub struct Engine {
    cfg: Arc<EngineConfig>,
    databases: Arc<Registry>,
    budget: Arc<Budget>,
    /// Held while a new database file is counted and created, so concurrent creators
    /// cannot pass `--max-databases` together.
    creating: tokio::sync::Mutex<()>,
    /// Names a CREATE/DROP/ALTER DATABASE is changing (`lifecycle.rs`).
    busy: lifecycle::Busy,
}

/// The process-wide limit on open SQLite connections (`--max-open-connections`): one
/// permit per open connection, held by the connection itself (see `Conn`).
pub(crate) struct Budget {
    permits: Arc<Semaphore>,
    max: usize,
    /// Where to find an idle connection to close when the permits run out.
    databases: Weak<Registry>,
}

impl Budget {
    /// A permit for one more open connection. At the limit, closes the longest-idle
    /// connection of any database; with none idle, waits up to `lock_timeout`.
    pub(crate) async fn acquire(
        &self,
        lock_timeout: Duration,
    ) -> Result<OwnedSemaphorePermit, PgError> {
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            return Ok(permit);
        }
        if let Some(victim) = self.longest_idle() {
            // Closing checkpoints the WAL: disk IO, so off the async threads.
            let _ = tokio::task::spawn_blocking(move || drop(victim)).await;
        }
        match tokio::time::timeout(lock_timeout, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(PgError::new(
                SqlState::TOO_MANY_CONNECTIONS,
                format!("all {} database connections are in use", self.max),
            )
            .with_hint(
                "Sessions inside open transactions each hold one; see --max-open-connections.",
            )),
        }
    }

    fn longest_idle(&self) -> Option<Box<stmt::Conn>> {
        let dbs = self.databases.upgrade()?;
        let dbs = dbs.lock().unwrap_or_else(|p| p.into_inner());
        let oldest = dbs
            .values()
            .filter_map(|db| db.oldest_idle_since().map(|since| (since, db)))
            .min_by_key(|(since, _)| *since)?;
        oldest.1.take_oldest_idle()
    }
}

/// Checks a database name before anything touches the disk: 1 to 63 ASCII letters,
/// digits, `_` or `-`, not starting with `-`. Nothing else can reach the file system, so
/// no name can point outside the data folder.
pub fn validate_name(name: &str) -> Result<(), PgError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(PgError::fatal(
            SqlState::INVALID_NAME,
            format!("invalid database name \"{}\"", name.escape_debug()),
        )
        .with_hint(
            "Database names are 1 to 63 letters, digits, '_' or '-', and do not start with '-'.",
        ))
    }
}

/// Number of database files (`*.db`) in `dir`.
fn count_databases(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_name().as_encoded_bytes().ends_with(b".db"))
                .count()
        })
        .unwrap_or(0)
}

/// The files creating database file `db` may leave (the file, its WAL, shared memory
/// and rollback journal) that do not exist yet: the ones to remove if creating fails.
fn new_files(db: &std::path::Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|suffix| {
            let mut p = db.as_os_str().to_owned();
            p.push(suffix);
            PathBuf::from(p)
        })
        .filter(|p| std::fs::symlink_metadata(p).is_err())
        .collect()
}

/// Makes the data folder if need be and checks that database files can be created in
/// it, so that a wrong `--data-dir` stops the start with its path in the message rather
/// than failing each client's first connection.
fn data_folder(dir: &std::path::Path) -> std::io::Result<()> {
    let with_path = |what: &str, e: std::io::Error| {
        std::io::Error::new(e.kind(), format!("{what} {}: {e}", dir.display()))
    };
    std::fs::create_dir_all(dir).map_err(|e| with_path("cannot create the data folder", e))?;
    let probe = dir.join(".litewire-write-check");
    std::fs::write(&probe, b"")
        .and_then(|()| std::fs::remove_file(&probe))
        .map_err(|e| with_path("cannot write in the data folder", e))
}

impl Engine {
    pub fn new(cfg: EngineConfig) -> std::io::Result<Self> {
        data_folder(&cfg.data_dir)?;
        standby::set_role(cfg.role);
        let databases = Arc::new(Mutex::new(HashMap::new()));
        let budget = Arc::new(Budget {
            permits: Arc::new(Semaphore::new(cfg.max_open_connections.max(1))),
            max: cfg.max_open_connections.max(1),
            databases: Arc::downgrade(&databases),
        });
        Ok(Engine {
            cfg: Arc::new(cfg),
            databases,
            budget,
            creating: tokio::sync::Mutex::new(()),
            busy: Default::default(),
        })
    }

    pub fn config(&self) -> &EngineConfig {
        &self.cfg
    }

    /// A standby was promoted: its files are read-write from now on. Connections
    /// opened read-only are closed (idle ones now, leased ones when returned).
    pub async fn promoted(&self) {
        standby::set_role(Role::Primary);
        let dbs: Vec<Arc<Database>> = self.lock().values().cloned().collect();
        let mut old = Vec::new();
        for db in dbs {
            old.extend(db.reseeded());
        }
        let _ = tokio::task::spawn_blocking(move || drop(old)).await;
    }

    /// A standby's database `name` was restored anew by its follower (a new file):
    /// connections to the old file are closed (idle ones now, leased ones when
    /// returned).
    pub async fn reseeded(&self, name: &str) {
        let db = self.lock().get(name).cloned();
        if let Some(db) = db {
            let old = db.reseeded();
            let _ = tokio::task::spawn_blocking(move || drop(old)).await;
        }
    }

    /// The database called `name`, opening it (and creating its file, if --auto-create
    /// and `may_create` allow) on first use. Checks that the file opens, so a session
    /// learns at connect time.
    pub async fn database(&self, name: &str, may_create: bool) -> Result<Arc<Database>, PgError> {
        validate_name(name)?;
        // A name a CREATE/DROP/ALTER DATABASE reserves is waited for; one reserved
        // between the wait and the registry's lock is looked up again.
        for _ in 0..3 {
            if !self.busy.lock().map(|b| b.is_empty()).unwrap_or(true) {
                self.wait_unreserved(name).await;
            }
            if let Some(db) = self.database_once(name, may_create).await? {
                return Ok(db);
            }
        }
        Err(PgError::fatal(
            SqlState::LOCK_NOT_AVAILABLE,
            format!("database \"{name}\" is being changed by another session"),
        ))
    }

    /// [`Engine::database`] once; None when the name was reserved meanwhile.
    async fn database_once(
        &self,
        name: &str,
        may_create: bool,
    ) -> Result<Option<Arc<Database>>, PgError> {
        let existing = {
            let map = self.lock();
            if self.reserved(name) {
                return Ok(None);
            }
            map.get(name).cloned()
        };
        if let Some(db) = existing {
            return Ok(Some(db));
        }
        let path = self.cfg.data_dir.join(format!("{name}.db"));
        if path.exists() {
            return self.open(name, path).await;
        }
        if !self.cfg.auto_create || !may_create {
            return Err(PgError::fatal(
                SqlState::INVALID_CATALOG_NAME,
                format!("database \"{name}\" does not exist"),
            ));
        }
        // A new file: counted and created one at a time.
        let _creating = self.creating.lock().await;
        if path.exists() {
            return self.open(name, path).await;
        }
        let (dir, max) = (self.cfg.data_dir.clone(), self.cfg.max_databases);
        let count = tokio::task::spawn_blocking(move || count_databases(&dir))
            .await
            .map_err(|_| PgError::new(SqlState::INTERNAL_ERROR, "counting databases failed"))?;
        if count >= max {
            return Err(PgError::fatal(
                SqlState::CONFIGURATION_LIMIT_EXCEEDED,
                format!(
                    "cannot create database \"{name}\": the limit of {max} databases is reached"
                ),
            )
            .with_hint("See --max-databases."));
        }
        standby::check_create(name).await?;
        let leftovers = new_files(&path);
        // (None: reserved meanwhile, before anything was created.)
        let opened = self.open(name, path).await;
        if opened.is_err() {
            // Whatever the failed create left (an empty file on a full disk, a -wal)
            // goes; files that existed before are not in `leftovers`.
            self.lock().remove(name);
            let _ = tokio::task::spawn_blocking(move || {
                for f in leftovers {
                    let _ = std::fs::remove_file(f);
                }
            })
            .await;
        }
        opened
    }

    /// Registers database `name` and opens its file once (the connection goes back to
    /// the idle list).
    async fn open(&self, name: &str, path: PathBuf) -> Result<Option<Arc<Database>>, PgError> {
        let db = {
            let mut map = self.lock();
            if self.reserved(name) {
                return Ok(None);
            }
            map.entry(name.to_string())
                .or_insert_with(|| {
                    Arc::new(Database::new(
                        name.to_string(),
                        path,
                        self.cfg.clone(),
                        self.budget.clone(),
                    ))
                })
                .clone()
        };
        drop(db.lease().await.map_err(|mut e| {
            e.severity = crate::protocol::Severity::Fatal;
            e
        })?);
        Ok(Some(db))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Database>>> {
        self.databases.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Closes connections idle for longer than `idle_close` and forgets databases that
    /// no session uses and that have no open connection. Returns the number closed.
    pub async fn close_idle(&self) -> usize {
        let dbs: Vec<Arc<Database>> = self.lock().values().cloned().collect();
        let mut closing = Vec::new();
        for db in &dbs {
            closing.extend(db.take_idle_older_than(self.cfg.idle_close));
        }
        drop(dbs);
        let n = closing.len();
        if n > 0 {
            // Closing checkpoints the WAL: disk IO, so off the async threads.
            let _ = tokio::task::spawn_blocking(move || drop(closing)).await;
        }
        self.lock()
            .retain(|_, db| Arc::strong_count(db) > 1 || !db.is_unused());
        n
    }

    /// Closes every idle connection now (at shutdown, after sessions have ended).
    pub async fn close_all(&self) {
        let dbs: Vec<Arc<Database>> = self.lock().drain().map(|(_, db)| db).collect();
        let closing: Vec<_> = dbs
            .iter()
            .flat_map(|db| db.take_idle_older_than(Duration::ZERO))
            .collect();
        let _ = tokio::task::spawn_blocking(move || drop(closing)).await;
    }

    /// The databases currently known, for reports.
    pub fn databases(&self) -> Vec<Arc<Database>> {
        let mut v: Vec<Arc<Database>> = self.lock().values().cloned().collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }

    /// Bytes SQLite has allocated in this process (all connections, caches, schemas).
    pub fn sqlite_heap_bytes() -> u64 {
        let (mut cur, mut hi) = (0i64, 0i64);
        // SAFETY: reads a global counter.
        unsafe {
            rusqlite::ffi::sqlite3_status64(
                rusqlite::ffi::SQLITE_STATUS_MEMORY_USED,
                &mut cur,
                &mut hi,
                0,
            );
        }
        cur.max(0) as u64
    }

    /// SQLite connections open across all databases.
    pub fn open_connections(&self) -> usize {
        self.budget.max - self.budget.permits.available_permits()
    }

    /// Number of databases currently known (open or in use).
    pub fn open_databases(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_escape_the_data_folder() {
        for ok in ["mydb", "a", "tenant_42", "x-y", &"a".repeat(63)] {
            assert!(validate_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "..",
            "../etc/passwd",
            "a/b",
            "a\\b",
            "a.db",
            "-rf",
            "a b",
            "a\0b",
            "café",
            &"a".repeat(64),
            "/abs",
            "~root",
        ] {
            assert!(validate_name(bad).is_err(), "{bad:?}");
        }
    }
}
