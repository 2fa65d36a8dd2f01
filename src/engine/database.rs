//! One database file: its bounded set of SQLite connections, handed out as [`Lease`]s,
//! and its write lock.
//!
//! SQLite allows one writer at a time. Instead of letting concurrent writers fail with
//! "database is locked", a session takes the database's write lock (an async semaphore
//! with one permit) before it runs a writing statement, waits its turn up to
//! `lock_timeout`, and keeps the lock until its transaction ends. Readers never take it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use super::authorizer::{self, AuthNotes};
use super::describe::Description;
use super::group_commit::GroupCommit;
use super::stmt::Conn;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::to_pg;
use super::{Budget, EngineConfig};
use crate::protocol::{PgError, SqlState};

/// A database file and its connections.
pub struct Database {
    pub name: String,
    path: PathBuf,
    cfg: Arc<EngineConfig>,
    /// Connections not leased right now, with the time they were returned.
    idle: Mutex<Vec<(Box<Conn>, Instant)>>,
    /// One permit per connection that may be open (idle or leased).
    slots: Arc<Semaphore>,
    write_lock: Arc<Semaphore>,
    /// The process-wide open-connection limit.
    budget: Arc<Budget>,
    /// Recent statement descriptions (Parse results), newest last; cleared by DDL.
    descriptions: Mutex<Vec<CachedDescription>>,
    /// When commits reach the disk (synchronous_commit).
    group_commit: Arc<GroupCommit>,
    /// On a standby, bumped when a follower restored the file anew (a new inode):
    /// connections to the old one are not pooled again (`Engine::reseeded`).
    generation: std::sync::atomic::AtomicU64,
}

struct CachedDescription {
    source: Arc<str>,
    given: Vec<u32>,
    desc: Arc<Description>,
}

/// Descriptions kept per database.
const DESCRIPTION_CACHE: usize = 128;

/// The write lock of one database, held by one session, with the database's commit
/// count when it was taken: whether its holder committed (`Database::release`).
pub struct WriteLock {
    _permit: OwnedSemaphorePermit,
    commits_at: u64,
}

impl Database {
    pub(super) fn new(
        name: String,
        path: PathBuf,
        cfg: Arc<EngineConfig>,
        budget: Arc<Budget>,
    ) -> Self {
        Database {
            name,
            slots: Arc::new(Semaphore::new(cfg.connections_per_db)),
            budget,
            cfg,
            idle: Mutex::new(Vec::new()),
            write_lock: Arc::new(Semaphore::new(1)),
            descriptions: Mutex::new(Vec::new()),
            group_commit: Arc::new(GroupCommit::new(&path)),
            generation: Default::default(),
            path,
        }
    }

    /// A standby's file was restored anew: idle connections (to the old file) are
    /// returned to be closed, and leased ones are closed when given back.
    #[allow(clippy::vec_box)]
    pub(super) fn reseeded(&self) -> Vec<Box<Conn>> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        idle.drain(..).map(|(c, _)| c).collect()
    }

    /// Takes a connection: an idle one, or a newly opened one if the database has fewer
    /// than `connections_per_db` open. Waits up to `lock_timeout` for one to come free.
    pub async fn lease(self: &Arc<Self>) -> Result<Lease, PgError> {
        let permit =
            tokio::time::timeout(self.cfg.lock_timeout, self.slots.clone().acquire_owned())
                .await
                .map_err(|_| {
                    PgError::new(
                SqlState::TOO_MANY_CONNECTIONS,
                format!(
                    "all {} connections of database \"{}\" are in use",
                    self.cfg.connections_per_db, self.name
                ),
            )
            .with_hint(
                "Sessions inside open transactions each hold one; idle ones are ended after \
                 idle_in_transaction_session_timeout. See --connections-per-db.",
            )
                })?
                .map_err(|_| PgError::new(SqlState::ADMIN_SHUTDOWN, "database is closing"))?;
        let (reused, generation) = {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            // Read with the idle list locked, as `reseeded` bumps it: a connection
            // opened now is to the file of this generation (standby only).
            let generation = self.generation.load(std::sync::atomic::Ordering::Relaxed);
            (idle.pop(), generation)
        };
        let conn = match reused {
            Some((conn, _)) => conn,
            None => {
                let open_permit = self.budget.acquire(self.cfg.lock_timeout).await?;
                let (path, cfg, name) = (self.path.clone(), self.cfg.clone(), self.name.clone());
                let commits = self.group_commit.commit_counter();
                let mut conn =
                    tokio::task::spawn_blocking(move || open(&path, &cfg, &name, commits))
                        .await
                        .map_err(|_| PgError::new(SqlState::INTERNAL_ERROR, "open failed"))??;
                conn.hold(open_permit);
                conn.generation = generation;
                conn
            }
        };
        Ok(Lease {
            conn: Some(conn),
            db: self.clone(),
            _slot: permit,
        })
    }

    /// Waits up to `lock_timeout` for the write lock.
    pub async fn write_lock(&self) -> Result<WriteLock, PgError> {
        if super::standby::is_fenced(&self.name) {
            // Sessions refuse writes before this (their read-only errors); this keeps
            // every other writer off a fenced file too.
            return Err(super::standby::fenced_error(
                &self.name,
                PgError::new(
                    SqlState::READ_ONLY_SQL_TRANSACTION,
                    "cannot execute a write in a read-only transaction",
                ),
            ));
        }
        match tokio::time::timeout(
            self.cfg.lock_timeout,
            self.write_lock.clone().acquire_owned(),
        )
        .await
        {
            Ok(Ok(permit)) => Ok(WriteLock {
                _permit: permit,
                commits_at: self.group_commit.commits(),
            }),
            _ => Err(PgError::new(
                SqlState::LOCK_NOT_AVAILABLE,
                format!(
                    "could not obtain the write lock of database \"{}\" within {:?}",
                    self.name, self.cfg.lock_timeout
                ),
            )
            .with_hint(
                "Another session is writing or holds a transaction open; see --lock-timeout.",
            )),
        }
    }

    /// Gives the write lock up. When its holder committed while holding it, returns the
    /// ticket `durable` waits for; the next writer runs meanwhile (group_commit.rs).
    pub fn release(&self, lock: WriteLock) -> Option<u64> {
        let committed = self.group_commit.commits() > lock.commits_at;
        let ticket = committed.then(|| self.group_commit.ticket());
        drop(lock);
        ticket
    }

    /// The newest commit ticket handed out (`release`): a wait for the replica store
    /// that begins after it covers every commit up to it (src/replication/sync.rs).
    pub fn commits_written(&self) -> u64 {
        self.group_commit.written()
    }

    /// The database file.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Waits until the commit that took `ticket` is on disk (an fdatasync of the WAL
    /// that concurrent committers share, on the blocking pool); true when this call ran
    /// the fdatasync.
    pub async fn durable(self: &Arc<Self>, ticket: u64) -> Result<bool, PgError> {
        let group = self.group_commit.clone();
        let synced = tokio::task::spawn_blocking(move || group.sync(ticket)).await;
        super::joined(synced, "fsync")?.map_err(|e| {
            PgError::new(
                SqlState::IO_ERROR,
                format!(
                    "could not fsync the write-ahead log of database \"{}\": {e}",
                    self.name
                ),
            )
        })
    }

    /// Removes and returns the connections idle for longer than `max_idle`.
    // The connections stay boxed as they were in the idle list (no large moves).
    #[allow(clippy::vec_box)]
    pub(super) fn take_idle_older_than(&self, max_idle: Duration) -> Vec<Box<Conn>> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let (old, keep): (Vec<_>, Vec<_>) = idle
            .drain(..)
            .partition(|(_, since)| now.duration_since(*since) >= max_idle);
        *idle = keep;
        old.into_iter().map(|(c, _)| c).collect()
    }

    /// When the longest-idle connection was returned, if any is idle.
    pub(super) fn oldest_idle_since(&self) -> Option<Instant> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        idle.iter().map(|(_, since)| *since).min()
    }

    /// Removes the longest-idle connection (to be closed).
    pub(super) fn take_oldest_idle(&self) -> Option<Box<Conn>> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        let i = (0..idle.len()).min_by_key(|&i| idle[i].1)?;
        Some(idle.swap_remove(i).0)
    }

    /// True when no connection is open (idle or leased).
    pub(super) fn is_unused(&self) -> bool {
        self.slots.available_permits() == self.cfg.connections_per_db
            && self.idle.lock().map(|i| i.is_empty()).unwrap_or(false)
    }

    /// A description of `source` made earlier (with the same Parse parameter types).
    pub fn cached_description(&self, source: &str, given: &[u32]) -> Option<Arc<Description>> {
        let cache = self.descriptions.lock().ok()?;
        cache
            .iter()
            .rev()
            .find(|c| &*c.source == source && c.given == given)
            .map(|c| c.desc.clone())
    }

    pub fn cache_description(&self, source: &Arc<str>, given: &[u32], desc: &Arc<Description>) {
        if let Ok(mut cache) = self.descriptions.lock() {
            if cache.len() >= DESCRIPTION_CACHE {
                cache.remove(0);
            }
            cache.push(CachedDescription {
                source: source.clone(),
                given: given.to_vec(),
                desc: desc.clone(),
            });
        }
    }

    /// Forgets cached descriptions after the schema changed.
    pub fn schema_changed(&self) {
        if let Ok(mut cache) = self.descriptions.lock() {
            cache.clear();
        }
    }

    pub fn chunk_size(&self) -> usize {
        self.cfg.chunk_size
    }

    /// SQLite heap bytes of the idle connections (leased ones are busy and not read),
    /// and how many idle connections that covers.
    pub fn idle_heap_bytes(&self) -> (u64, usize) {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        (idle.iter().map(|(c, _)| c.heap_bytes()).sum(), idle.len())
    }

    /// Entries in the statement-description cache.
    pub fn cached_descriptions(&self) -> usize {
        self.descriptions.lock().map(|c| c.len()).unwrap_or(0)
    }

    /// Number of open connections (idle and leased).
    pub fn open_connections(&self) -> usize {
        self.cfg.connections_per_db - self.slots.available_permits()
            + self.idle.lock().map(|i| i.len()).unwrap_or(0)
    }
}

/// A connection taken from a [`Database`]; returned to it when dropped.
pub struct Lease {
    // Boxed so a Lease (and a session holding an Option<Lease>) stays small.
    conn: Option<Box<Conn>>,
    db: Arc<Database>,
    _slot: OwnedSemaphorePermit,
}

impl Lease {
    pub fn conn(&self) -> &Conn {
        // Always Some until drop.
        self.conn
            .as_ref()
            .expect("lease holds a connection until dropped")
    }

    pub fn conn_mut(&mut self) -> &mut Conn {
        let conn = self
            .conn
            .as_mut()
            .expect("lease holds a connection until dropped");
        if super::standby::is_standby() && conn.is_autocommit() {
            // A follower writes pages without always renewing the change counter
            // SQLite checks its cache by: a read transaction that is about to begin
            // starts with an empty cache, so every page it reads is read under its
            // lock (engine/standby.rs).
            conn.release_cache();
        }
        conn
    }

    pub fn database(&self) -> &Arc<Database> {
        &self.db
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            conn.drop_cursors();
            // A connection still inside a transaction is closed (which rolls it back)
            // rather than handed to another session; so is one carrying a session's
            // PRAGMA settings or TEMP objects.
            let current = !super::standby::is_standby()
                || self
                    .db
                    .generation
                    .load(std::sync::atomic::Ordering::Relaxed)
                    == conn.generation;
            if conn.is_autocommit() && !conn.is_stateful() && current {
                let mut idle = self.db.idle.lock().unwrap_or_else(|p| p.into_inner());
                idle.push((conn, Instant::now()));
            }
        }
    }
}

/// Opens one SQLite connection with litewire's settings and safety rails.
fn open(
    path: &std::path::Path,
    cfg: &EngineConfig,
    name: &str,
    commits: Arc<std::sync::atomic::AtomicU64>,
) -> Result<Box<Conn>, PgError> {
    let mut flags = OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_NOFOLLOW;
    if super::standby::is_standby() {
        // A follower writes the file; litewire only reads it (standby.rs).
        flags |= OpenFlags::SQLITE_OPEN_READ_ONLY;
    } else {
        flags |= OpenFlags::SQLITE_OPEN_READ_WRITE;
        if cfg.auto_create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
    }
    let mut conn = Connection::open_with_flags(path, flags).map_err(|e| {
        let mut pg = to_pg(&e);
        pg.message = format!("could not open database file: {}", pg.message);
        pg
    })?;
    let notes = configure(&mut conn, cfg).map_err(|e| to_pg(&e))?;
    // Counts commits, for telling whether a write-lock holder committed (group_commit.rs).
    conn.commit_hook(Some(move || {
        commits.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        false
    }))
    .map_err(|e| to_pg(&e))?;
    let session = super::functions::SharedSession::default();
    super::functions::register(&conn, name, session.clone()).map_err(|e| to_pg(&e))?;
    Ok(Box::new(Conn::new(
        conn,
        cfg.statement_cache,
        session,
        notes,
    )))
}

fn configure(conn: &mut Connection, cfg: &EngineConfig) -> rusqlite::Result<Arc<AuthNotes>> {
    use rusqlite::config::DbConfig;
    use rusqlite::limits::Limit;
    // Also the wait for Litestream's short locks (a checkpoint on a primary, a
    // follower's page writes on a standby), so they surface as waits, not errors.
    conn.busy_timeout(cfg.lock_timeout)?;
    if !super::standby::is_standby() {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // A commit is written to the WAL, not fsynced: sessions with synchronous_commit
        // = on wait for a shared fsync after giving up the write lock (group_commit.rs).
        conn.pragma_update(None, "synchronous", "NORMAL")?;
    }
    if super::standby::is_replicating() {
        // Litestream checkpoints once it has copied the WAL; a checkpoint of ours
        // could restart the WAL under it.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // PostgreSQL's LIKE is case-sensitive (ILIKE is translated to lower() LIKE lower()).
    conn.pragma_update(None, "case_sensitive_like", "ON")?;
    conn.pragma_update(None, "cache_size", -(cfg.cache_size_kib as i64))?;
    // litewire caches raw statements itself (stmt.rs).
    conn.set_prepared_statement_cache_capacity(0);
    // A client reaches only its own file: no ATTACH (the authorizer), no
    // extension loading (never enabled), no schema tricks, only allowed PRAGMAs.
    // VACUUM attaches a temporary database internally, so one attachment is allowed;
    // the authorizer admits only that nameless, fileless one.
    conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 1)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
    // A double-quoted name is always a name, as in PostgreSQL: SQLite's fallback to a
    // string literal when no such column exists would answer `select "nosuch"` with
    // the text instead of 42703.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DQS_DML, false)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DQS_DDL, false)?;
    // Read before the authorizer is installed (page_size may only be read afterwards).
    let page_size: u32 = conn.pragma_query_value(None, "page_size", |r| r.get(0))?;
    authorizer::install(conn, page_size, cfg.cache_size_kib)
}
