//! Group commit: how a commit reaches the disk, as PostgreSQL's WAL flush does it.
//!
//! Connections run `synchronous = NORMAL`: a commit writes its frames to the database's
//! write-ahead log and returns without an fsync. A session with `synchronous_commit = on`
//! then gives up the write lock (so the next writer runs) and waits until an fdatasync
//! of the WAL that began after its commit has finished. One fdatasync makes every commit
//! written before it durable, so concurrent committers share it instead of queueing one
//! fsync each behind the write lock (what `synchronous = FULL` would do).
//!
//! Why this is the same promise as FULL: in WAL mode the commit is durable once its
//! frames are on disk, and recovery keeps every frame up to the last intact commit
//! frame. The WAL is fdatasynced through its own file descriptor: an fsync covers the
//! file (its inode), whoever wrote it. If the WAL was checkpointed and deleted in the
//! meantime (the last connection closed), its frames were synced before the checkpoint
//! and the database file after it (NORMAL's checkpoint rule), so nothing is left to do.

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// One database's commit bookkeeping.
pub struct GroupCommit {
    wal: PathBuf,
    /// Commits seen by the connections' commit hooks (counted as each begins): whether
    /// the write lock's holder committed while it held it.
    commits: Arc<AtomicU64>,
    /// Tickets handed to committed transactions, in the order their commits completed.
    written: AtomicU64,
    /// The highest ticket an fdatasync has covered; held while one runs.
    synced: Mutex<u64>,
}

impl GroupCommit {
    pub fn new(database: &std::path::Path) -> GroupCommit {
        let mut wal = database.as_os_str().to_owned();
        wal.push("-wal");
        GroupCommit {
            wal: PathBuf::from(wal),
            commits: Arc::new(AtomicU64::new(0)),
            written: AtomicU64::new(0),
            synced: Mutex::new(0),
        }
    }

    /// The counter a connection's commit hook bumps.
    pub fn commit_counter(&self) -> Arc<AtomicU64> {
        self.commits.clone()
    }

    /// Commits counted so far (read when the write lock is taken).
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::SeqCst)
    }

    /// A ticket for a transaction whose commit has completed: taken after its frames
    /// were written, so a sync that starts after this covers them.
    pub fn ticket(&self) -> u64 {
        self.written.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// The newest ticket handed out: every commit that took one is written by now.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::SeqCst)
    }

    /// Blocks until `ticket`'s commit is on disk: at once if a sync that began after
    /// it has finished, else after one more fdatasync, which covers every ticket taken
    /// before it began (the committers waiting behind this one need none of their own).
    /// True when this call ran the fdatasync.
    pub fn sync(&self, ticket: u64) -> io::Result<bool> {
        let mut synced = self.synced.lock().unwrap_or_else(|p| p.into_inner());
        if *synced >= ticket {
            return Ok(false);
        }
        let upto = self.written.load(Ordering::SeqCst);
        match std::fs::File::open(&self.wal) {
            Ok(wal) => wal.sync_data()?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        *synced = upto;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sync_covers_every_ticket_taken_before_it() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        std::fs::write(dir.path().join("x.db-wal"), b"frames").unwrap();
        let g = GroupCommit::new(&db);
        let (a, b) = (g.ticket(), g.ticket());
        assert!(g.sync(a).unwrap());
        assert_eq!(
            *g.synced.lock().unwrap(),
            b,
            "b was written before the sync began"
        );
        assert!(!g.sync(b).unwrap(), "covered by a's");
        let c = g.ticket();
        assert!(*g.synced.lock().unwrap() < c);
        // No WAL (checkpointed and deleted): nothing to sync, and no error.
        std::fs::remove_file(dir.path().join("x.db-wal")).unwrap();
        g.sync(c).unwrap();
        assert_eq!(*g.synced.lock().unwrap(), c);
    }
}
