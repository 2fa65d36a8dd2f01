//! Databases made, branched, renamed and dropped while the server runs (`CREATE
//! DATABASE`, `ALTER DATABASE … RENAME TO`, `DROP DATABASE`), and the list of database
//! files the catalog shows (`pg_database`, `pg_database_size`).
//!
//! A name being changed is *reserved*: connections to it wait until the change is over,
//! and so does a second change of the same name, so each sees the folder as the first
//! left it. A new file is written under a temporary name (not `*.db`, so neither counted
//! nor listed), synced, and renamed into place; a branch (`TEMPLATE src`) is SQLite's
//! online backup of `src` in one step — one read transaction, so one consistent snapshot
//! while `src` keeps serving reads and writes (WAL) — never a copy of the file, which
//! would miss or tear what the WAL holds.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use super::error::to_pg;
use super::{validate_name, Engine};
use crate::protocol::{PgError, Severity, SqlState};

/// How often a waiter looks again at a reserved name or a database still in use.
const POLL: Duration = Duration::from_millis(20);

/// Page cache of each connection a branch copies through, in KiB.
const BRANCH_CACHE_KIB: i64 = 512;

/// Names being created, renamed or dropped.
pub(super) type Busy = Arc<Mutex<Vec<String>>>;

/// Names reserved by one lifecycle statement; given back when dropped.
pub struct Reservation {
    busy: Busy,
    names: Vec<String>,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        for n in &self.names {
            if let Some(i) = busy.iter().position(|b| b == n) {
                busy.swap_remove(i);
            }
        }
    }
}

/// The file of database `name` in `dir`, and its WAL, shared-memory and journal files.
fn files(dir: &Path, name: &str) -> [PathBuf; 4] {
    ["", "-wal", "-shm", "-journal"].map(|suffix| dir.join(format!("{name}.db{suffix}")))
}

/// Removes `name`'s side files (a WAL left without its database must never be replayed
/// into a new file of the same name) and then, with `main`, the file itself.
fn remove_files(dir: &Path, name: &str, main: bool) -> std::io::Result<()> {
    let [db, wal, shm, journal] = files(dir, name);
    // A standby follower's applied TXID, too.
    let txid = dir.join(format!("{name}.db-txid"));
    for f in [wal, shm, journal, txid]
        .into_iter()
        .chain(main.then_some(db))
    {
        match std::fs::remove_file(&f) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    // Litestream's state of a replicated file (src/replication): a new file of the
    // same name must not be taken for the old one's continuation.
    match std::fs::remove_dir_all(dir.join(format!(".{name}.db-litestream"))) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    Ok(())
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

fn io_error(what: &str, e: std::io::Error) -> PgError {
    PgError::new(SqlState::IO_ERROR, format!("{what}: {e}"))
}

/// A name as a statement gives it: the connection-name rules, as an ERROR.
pub fn check_name(name: &str) -> Result<(), PgError> {
    validate_name(name).map_err(|mut e| {
        e.severity = Severity::Error;
        e
    })
}

/// The folder of the data folder backups are written to (`BACKUP DATABASE`): a
/// directory, so neither counted nor listed as a database.
pub const BACKUP_DIR: &str = "backups";

/// The databases of `dir` (regular files `<name>.db` with a valid name), ordered by
/// name. No file is opened or stat'ed: the folder listing says what each entry is.
pub fn database_files(dir: &Path) -> Vec<String> {
    database_entries(dir, |t| t.is_file())
}

/// The valid names `<name>` of the entries `<name>.db` of `dir` whose type `kind`
/// accepts (a data folder's files, a Litestream store's folders), ordered by name.
pub fn database_entries(dir: &Path, kind: fn(&std::fs::FileType) -> bool) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| {
                    let file = e.file_name().into_string().ok()?;
                    let name = file.strip_suffix(".db")?;
                    validate_name(name).ok()?;
                    e.file_type().ok().filter(kind)?;
                    Some(name.to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// Bytes of database `name` in `dir` (its file and WAL); None if it has no file.
pub fn size(dir: &Path, name: &str) -> Option<u64> {
    let [db, wal, ..] = files(dir, name);
    let main = std::fs::symlink_metadata(db).ok()?.len();
    Some(main + std::fs::symlink_metadata(wal).map_or(0, |m| m.len()))
}

/// A database's OID in `pg_database`: stable for its name (FNV-1a), at or above
/// PostgreSQL's first user OID.
pub fn database_oid(name: &str) -> i64 {
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    super::catalog::FIRST_USER_OID + i64::from(h % (i32::MAX as u32 - 16384))
}

/// A temporary file name in the data folder for a database being made.
fn temporary(dir: &Path, name: &str) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".{name}.{}.{n}.creating", std::process::id()))
}

fn open_raw(path: &Path, create: bool) -> Result<Connection, PgError> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_NOFOLLOW;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    Connection::open_with_flags(path, flags).map_err(|e| to_pg(&e))
}

/// Writes a new database at `tmp`: empty, or the consistent snapshot of `src` SQLite's
/// online backup takes in one step. Then synced to disk.
fn write_new(tmp: &Path, src: Option<&Path>, busy_timeout: Duration) -> Result<(), PgError> {
    let pg = |e: rusqlite::Error| to_pg(&e);
    let mut dst = open_raw(tmp, true)?;
    match src {
        None => {
            dst.pragma_update(None, "journal_mode", "WAL").map_err(pg)?;
        }
        Some(src) => {
            use rusqlite::backup::{Backup, StepResult};
            let src = open_raw(src, false)?;
            src.busy_timeout(busy_timeout).map_err(pg)?;
            // The copy is written straight into the file, without a journal (a WAL
            // would hold every page twice): a failed copy is deleted, a finished one
            // synced below. Small page caches: the copy streams through them.
            dst.pragma_update(None, "journal_mode", "OFF").map_err(pg)?;
            dst.pragma_update(None, "synchronous", "OFF").map_err(pg)?;
            for conn in [&src, &dst] {
                conn.pragma_update(None, "cache_size", -BRANCH_CACHE_KIB)
                    .map_err(pg)?;
            }
            let backup = Backup::new(&src, &mut dst).map_err(pg)?;
            let deadline = Instant::now() + busy_timeout;
            loop {
                // -1: every page in one step, inside one read transaction of the source.
                match backup.step(-1).map_err(pg)? {
                    StepResult::Done => break,
                    _ if Instant::now() >= deadline => {
                        return Err(PgError::new(
                            SqlState::LOCK_NOT_AVAILABLE,
                            "could not read the template database: it stayed locked",
                        ))
                    }
                    _ => std::thread::sleep(POLL),
                }
            }
            drop(backup);
            drop(src);
            dst.pragma_update(None, "journal_mode", "WAL").map_err(pg)?;
        }
    }
    // The last connection to close checkpoints the WAL into the file and removes it.
    dst.close().map_err(|(_, e)| to_pg(&e))?;
    std::fs::File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| io_error("could not sync the new database file", e))
}

impl Engine {
    /// Reserves `names` for one lifecycle statement, waiting (up to `lock_timeout`) while
    /// another holds any of them.
    pub async fn reserve(&self, names: &[&str]) -> Result<Reservation, PgError> {
        let deadline = Instant::now() + self.cfg.lock_timeout;
        loop {
            {
                // Under the registry's lock, which connecting checks reservations
                // under: a connection gets its database before or after, never during.
                let _registry = self.lock();
                let mut busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
                if !names.iter().any(|n| busy.iter().any(|b| b == n)) {
                    busy.extend(names.iter().map(|n| n.to_string()));
                    return Ok(Reservation {
                        busy: self.busy.clone(),
                        names: names.iter().map(|n| n.to_string()).collect(),
                    });
                }
            }
            if Instant::now() >= deadline {
                return Err(PgError::new(
                    SqlState::LOCK_NOT_AVAILABLE,
                    format!(
                        "could not lock database \"{}\": another statement is changing it",
                        names.join("\", \"")
                    ),
                ));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits (up to `lock_timeout`) while `name` is being created, renamed or dropped:
    /// a connection then finds the folder as the change left it.
    pub(super) async fn wait_unreserved(&self, name: &str) {
        let deadline = Instant::now() + self.cfg.lock_timeout;
        while Instant::now() < deadline
            && self
                .busy
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .any(|b| b == name)
        {
            tokio::time::sleep(POLL).await;
        }
    }

    /// Whether a lifecycle statement holds `name`.
    pub(super) fn reserved(&self, name: &str) -> bool {
        self.busy
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .any(|b| b == name)
    }

    fn path_of(&self, name: &str) -> PathBuf {
        self.cfg.data_dir.join(format!("{name}.db"))
    }

    /// Whether database `name` has a file.
    pub fn exists(&self, name: &str) -> bool {
        std::fs::symlink_metadata(self.path_of(name)).is_ok()
    }

    /// Runs `f` on a blocking thread holding `n` permits of the open-connection budget
    /// (the raw connections it opens count against --max-open-connections).
    async fn raw<T: Send + 'static>(
        &self,
        n: usize,
        f: impl FnOnce() -> Result<T, PgError> + Send + 'static,
    ) -> Result<T, PgError> {
        let mut permits = Vec::with_capacity(n);
        for _ in 0..n {
            permits.push(self.budget.acquire(self.cfg.lock_timeout).await?);
        }
        let r = super::joined(tokio::task::spawn_blocking(f).await, "database file work");
        drop(permits);
        r?
    }

    /// Makes database `name` (reserved, checked absent by the caller): empty, or a branch
    /// of `template`'s file. 53400 past --max-databases.
    pub async fn create_database(
        &self,
        name: &str,
        template: Option<&str>,
        _reserved: &Reservation,
    ) -> Result<(), PgError> {
        super::standby::check_create(name).await?;
        let dir = self.cfg.data_dir.clone();
        let tmp = temporary(&dir, name);
        let src = template.map(|t| self.path_of(t));
        let (tmp2, timeout) = (tmp.clone(), self.cfg.lock_timeout);
        let written = self
            .raw(if src.is_some() { 2 } else { 1 }, move || {
                write_new(&tmp2, src.as_deref(), timeout)
            })
            .await;
        let placed = match written {
            Ok(()) => self.place(name, &tmp).await,
            Err(e) => Err(e),
        };
        if placed.is_err() {
            let tmp = tmp.clone();
            let _ = tokio::task::spawn_blocking(move || {
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let mut p = tmp.as_os_str().to_owned();
                    p.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(p));
                }
            })
            .await;
        }
        placed
    }

    /// Writes an online, consistent copy of database `name` (checked to exist by the
    /// caller) to `target`, a path the caller built inside the backup folder: SQLite's
    /// online backup in one step, as a branch is made (`write_new`), under a temporary
    /// name in the same folder, synced, then renamed into place (never over an existing
    /// file: 58P02). Returns the copy's size in bytes.
    pub async fn backup_database(&self, name: &str, target: PathBuf) -> Result<u64, PgError> {
        let src = self.path_of(name);
        let timeout = self.cfg.lock_timeout;
        self.raw(2, move || {
            let dir = target.parent().map(Path::to_path_buf).unwrap_or_default();
            std::fs::create_dir_all(&dir)
                .map_err(|e| io_error("could not create the backup folder", e))?;
            let file = target.file_name().unwrap_or_default().to_string_lossy();
            let tmp = temporary(&dir, &file);
            let written = write_new(&tmp, Some(&src), timeout).and_then(|()| {
                // A hard link, not a rename: it fails rather than replace a file.
                match std::fs::hard_link(&tmp, &target) {
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(PgError::new(
                        SqlState::DUPLICATE_FILE,
                        format!("backup file \"{file}\" already exists"),
                    )),
                    r => r
                        .and_then(|()| sync_dir(&dir))
                        .map_err(|e| io_error("could not put the backup file in place", e)),
                }
            });
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut p = tmp.as_os_str().to_owned();
                p.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(p));
            }
            written?;
            std::fs::metadata(&target)
                .map(|m| m.len())
                .map_err(|e| io_error("could not read the backup file", e))
        })
        .await
    }

    /// Renames the finished file `tmp` to database `name`, counted against
    /// --max-databases with the creators that connecting makes.
    async fn place(&self, name: &str, tmp: &Path) -> Result<(), PgError> {
        let _creating = self.creating.lock().await;
        let (dir, max, name2, tmp) = (
            self.cfg.data_dir.clone(),
            self.cfg.max_databases,
            name.to_string(),
            tmp.to_path_buf(),
        );
        let placed = tokio::task::spawn_blocking(move || {
            let target = dir.join(format!("{name2}.db"));
            // A connection that came just before the name was reserved may have
            // made it (auto-create): never replaced.
            if std::fs::symlink_metadata(&target).is_ok() {
                return Ok(Some(false));
            }
            if super::count_databases(&dir) >= max {
                return Ok(None);
            }
            // Leftovers of an earlier database of this name must not meet the new file.
            remove_files(&dir, &name2, false)
                .map_err(|e| io_error("could not remove old files", e))?;
            std::fs::rename(&tmp, target)
                .and_then(|()| sync_dir(&dir))
                .map_err(|e| io_error("could not rename the new database file", e))?;
            Ok(Some(true))
        })
        .await;
        match super::joined(placed, "creating a database")? {
            Ok(Some(true)) => Ok(()),
            Ok(Some(false)) => Err(already_exists(name)),
            Ok(None) => Err(PgError::new(
                SqlState::CONFIGURATION_LIMIT_EXCEEDED,
                format!(
                    "cannot create database \"{name}\": the limit of {} databases is reached",
                    self.cfg.max_databases
                ),
            )
            .with_hint("See --max-databases.")),
            Err(e) => Err(e),
        }
    }

    /// Closes database `name`'s connections and forgets it, once nothing but the
    /// engine's registry holds it (a session just connecting may, for a moment). False
    /// if something still did after `wait`.
    async fn close_database(&self, name: &str, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        loop {
            let taken = {
                let mut map = self.lock();
                match map.get(name) {
                    None => return true,
                    Some(db) if Arc::strong_count(db) == 1 => map.remove(name),
                    Some(_) => None,
                }
            };
            if let Some(db) = taken {
                let closing = db.take_idle_older_than(Duration::ZERO);
                // Closing checkpoints the WAL: disk IO, so off the async threads.
                let _ = tokio::task::spawn_blocking(move || drop((closing, db))).await;
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Removes database `name` (reserved; its sessions gone): its connections closed,
    /// then its files. 55006 if something still holds it.
    pub async fn drop_database(&self, name: &str, _reserved: &Reservation) -> Result<(), PgError> {
        if !self.close_database(name, Duration::from_secs(1)).await {
            return Err(in_use(name, 1));
        }
        let (dir, name) = (self.cfg.data_dir.clone(), name.to_string());
        let removed = tokio::task::spawn_blocking(move || {
            remove_files(&dir, &name, true).and_then(|()| sync_dir(&dir))
        })
        .await;
        super::joined(removed, "dropping a database")?
            .map_err(|e| io_error("could not remove the database file", e))
    }

    /// Renames database `from` to `to` (both reserved; `to` checked absent, `from`'s
    /// sessions gone): its WAL checkpointed into the file first, so the file alone is
    /// the whole database.
    pub async fn rename_database(
        &self,
        from: &str,
        to: &str,
        _reserved: &Reservation,
    ) -> Result<(), PgError> {
        if !self.close_database(from, Duration::from_secs(1)).await {
            return Err(in_use(from, 1));
        }
        let (dir, from, to) = (self.cfg.data_dir.clone(), from.to_string(), to.to_string());
        // With auto-create's lock: a connection that came just before `to` was
        // reserved may be making it.
        let _creating = self.creating.lock().await;
        self.raw(1, move || {
            let conn = open_raw(&dir.join(format!("{from}.db")), false)?;
            conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
                .map_err(|e| to_pg(&e))?;
            conn.close().map_err(|(_, e)| to_pg(&e))?;
            let [src, src_wal, src_shm, _] = files(&dir, &from);
            let [dst, dst_wal, ..] = files(&dir, &to);
            let io = |e| io_error("could not rename the database file", e);
            if std::fs::symlink_metadata(&dst).is_ok() {
                return Err(already_exists(&to));
            }
            remove_files(&dir, &to, false).map_err(io)?;
            std::fs::rename(&src, &dst).map_err(io)?;
            if src_wal.exists() {
                std::fs::rename(&src_wal, &dst_wal).map_err(io)?;
            }
            let _ = std::fs::remove_file(src_shm);
            sync_dir(&dir).map_err(io)
        })
        .await
    }
}

/// PostgreSQL's 42P04.
pub fn already_exists(name: &str) -> PgError {
    PgError::new(
        SqlState::DUPLICATE_DATABASE,
        format!("database \"{name}\" already exists"),
    )
}

/// PostgreSQL's 55006 for a database other sessions use.
pub fn in_use(name: &str, others: usize) -> PgError {
    PgError::new(
        SqlState::OBJECT_IN_USE,
        format!("database \"{name}\" is being accessed by other users"),
    )
    .with_detail(if others == 1 {
        "There is 1 other session using the database.".to_string()
    } else {
        format!("There are {others} other sessions using the database.")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_database_files_only() {
        let dir = tempfile::tempdir().unwrap();
        for f in [
            "b.db",
            "a.db",
            "a.db-wal",
            ".x.1.2.creating",
            "bad name.db",
            "c.txt",
        ] {
            std::fs::write(dir.path().join(f), b"12").unwrap();
        }
        std::fs::create_dir(dir.path().join("d.db")).unwrap();
        assert_eq!(database_files(dir.path()), ["a", "b"]);
        assert_eq!(size(dir.path(), "a"), Some(4));
        assert_eq!(size(dir.path(), "nosuch"), None);
    }

    #[test]
    fn oids_are_stable_user_oids() {
        assert_eq!(database_oid("x"), database_oid("x"));
        assert_ne!(database_oid("x"), database_oid("y"));
        assert!(database_oid("x") >= 16384 && database_oid("x") <= i64::from(i32::MAX));
    }
}
