//! Fencing: before Litestream replicates a database of a primary, the store's newest
//! transaction of it must be one this node wrote. Litestream 0.5.17 itself, finding a
//! database whose own position is behind the store's, fetches the store's newest LTX
//! file and snapshots the local file on top of it (`checkDatabaseBehindReplica`): an
//! old primary coming back after a standby was promoted would overwrite the promoted
//! node's history. A fenced database is not replicated and its sessions only read
//! (engine/standby.rs) until the node is re-seeded (docs/OPERATIONS.md, "Fencing").
//!
//! Positions are read from the LTX files' names (`<min TXID>-<max TXID>.ltx`, hex): the
//! node's own in its meta folder `.<name>.db-litestream/ltx/0` (Litestream's `Pos`),
//! the store's under `<store>/<name>.db/ltx/<level>`. Litestream uploads the local L0
//! files byte for byte and keeps the newest L0 file on both sides, so the store's
//! newest file is ours exactly when a local L0 file of the same name has the same size
//! and the same trailer (the post-apply checksum and the CRC-64 of the whole file).

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Databases whose fence an admin lifted (`UNFENCE DATABASE`): replicated without
/// the check, Litestream then snapshotting this node's copy over the store's.
static FORCED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Lifts the check for database `name` from now on (in this process).
pub fn force(name: &str) {
    let mut f = FORCED.lock().unwrap_or_else(|p| p.into_inner());
    if !f.iter().any(|n| n == name) {
        f.push(name.to_string());
    }
}

/// Databases this process has given to Litestream (or let its folder watcher take): a
/// database made again under one of these names (DROP, then CREATE) continues this
/// node's own history in the store and is not checked.
static GIVEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Notes databases given to Litestream.
pub fn note_given<'a>(names: impl IntoIterator<Item = &'a String>) {
    let mut g = GIVEN.lock().unwrap_or_else(|p| p.into_inner());
    for n in names {
        if !g.contains(n) {
            g.push(n.clone());
        }
    }
}

/// Whether this process has given database `name` to Litestream.
pub fn given(name: &str) -> bool {
    let g = GIVEN.lock().unwrap_or_else(|p| p.into_inner());
    g.iter().any(|n| n == name)
}

/// The refusal of a database made at run time under a name the store holds from
/// another node (Litestream would snapshot the new, empty file over that history).
pub fn create_check(
    data_dir: &Path,
    store: &Path,
    name: &str,
) -> Result<(), crate::protocol::PgError> {
    use crate::protocol::{PgError, SqlState};
    if given(name) {
        return Ok(());
    }
    match check(data_dir, store, name) {
        None => {
            note_given([&name.to_string()]);
            Ok(())
        }
        Some(why) => Err(PgError::new(
            SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
            format!(
                "cannot create database \"{name}\": the replica store holds a database of \
                 that name that this node did not write"
            ),
        )
        .with_detail(format!("{why}."))
        .with_hint(format!(
            "Replication would overwrite it with the new database. Choose another name, or \
             remove {} from the store if it is stale (docs/OPERATIONS.md, \"Fencing\").",
            store.join(format!("{name}.db")).display()
        ))),
    }
}

/// Whether an admin lifted the fence of database `name`.
pub fn forced(name: &str) -> bool {
    let f = FORCED.lock().unwrap_or_else(|p| p.into_inner());
    f.iter().any(|n| n == name)
}

/// Why a database is fenced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fenced {
    /// The newest transaction this node wrote (None: none recorded).
    pub local: Option<u64>,
    /// The store's newest transaction.
    pub stored: u64,
}

impl std::fmt::Display for Fenced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.local {
            Some(l) if l >= self.stored => write!(
                f,
                "the replica store's transaction {} is not the one this node wrote",
                self.stored
            ),
            Some(l) => write!(
                f,
                "the replica store holds transactions up to {} and this node wrote up to \
                 {l}: another node has written since",
                self.stored
            ),
            None => write!(
                f,
                "the replica store holds transactions up to {} and this node has no \
                 record of writing any",
                self.stored
            ),
        }
    }
}

/// Whether database `name` of data folder `data_dir` must be fenced from store
/// folder `store`: None when the store has nothing of it (a new store or database) or
/// its newest transaction is one this node wrote.
pub fn check(data_dir: &Path, store: &Path, name: &str) -> Option<Fenced> {
    let stored = level0(&store.join(format!("{name}.db")));
    let stored_max = stored.iter().map(|f| f.max).max();
    // Compacted levels never go past L0, which keeps its newest file; read them too
    // in case a store was compacted by other means.
    let any_level =
        super::store::newest(&super::store::ltx_files(&store.join(format!("{name}.db"))));
    // Nothing there: a new store, or a database new to it.
    let stored_max = any_level.max(stored_max)?;
    let local = level0(&data_dir.join(format!(".{name}.db-litestream")));
    let local_max = local.iter().map(|f| f.max).max();
    let fenced = Fenced {
        local: local_max,
        stored: stored_max,
    };
    if local_max.is_none_or(|l| l < stored_max) {
        return Some(fenced);
    }
    let Some(theirs) = stored.iter().find(|f| f.max == stored_max) else {
        // Only a compacted level reaches that far: nothing to compare with.
        return Some(fenced);
    };
    let ours = local
        .iter()
        .find(|f| f.min == theirs.min && f.max == theirs.max);
    match ours {
        Some(o) if same_file(&o.path, &theirs.path) => None,
        _ => Some(fenced),
    }
}

struct File {
    min: u64,
    max: u64,
    path: PathBuf,
}

/// The level-0 LTX files under `dir` (`dir/ltx/0/*.ltx`).
fn level0(dir: &Path) -> Vec<File> {
    let Ok(entries) = std::fs::read_dir(dir.join("ltx").join("0")) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name();
            let (min, max) = name.to_str()?.strip_suffix(".ltx")?.split_once('-')?;
            Some(File {
                min: u64::from_str_radix(min, 16).ok()?,
                max: u64::from_str_radix(max, 16).ok()?,
                path: e.path(),
            })
        })
        .collect()
}

/// LTX's trailer: the post-apply checksum and the file's own checksum.
const TRAILER: u64 = 16;

/// Whether two LTX files are the same upload: same size and same trailer.
fn same_file(a: &Path, b: &Path) -> bool {
    let tail = |p: &Path| -> std::io::Result<(u64, [u8; 16])> {
        let mut f = std::fs::File::open(p)?;
        let len = f.metadata()?.len();
        if len < TRAILER {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        f.seek(SeekFrom::Start(len - TRAILER))?;
        let mut t = [0u8; 16];
        f.read_exact(&mut t)?;
        Ok((len, t))
    };
    matches!((tail(a), tail(b)), (Ok(x), Ok(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ltx(dir: &Path, level: u32, min: u64, max: u64, body: &[u8]) {
        let d = dir.join("ltx").join(level.to_string());
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join(format!("{min:016x}-{max:016x}.ltx")), body).unwrap();
    }

    #[test]
    fn the_store_ahead_or_different_fences_and_ours_does_not() {
        let data = tempfile::tempdir().unwrap();
        let store = tempfile::tempdir().unwrap();
        let (d, s) = (data.path(), store.path());
        let meta = d.join(".app.db-litestream");
        let stored = s.join("app.db");
        // A new store: nothing to overwrite.
        assert_eq!(check(d, s, "app"), None);
        // The store has transactions and this node none: another node wrote them.
        ltx(&stored, 0, 1, 1, b"header....one.....trailer-1-1-1-1");
        let f = check(d, s, "app").unwrap();
        assert_eq!((f.local, f.stored), (None, 1));
        // The same file on both sides: ours.
        ltx(&meta, 0, 1, 1, b"header....one.....trailer-1-1-1-1");
        assert_eq!(check(d, s, "app"), None);
        // Ahead of the store (not uploaded yet): still ours.
        ltx(&meta, 0, 2, 2, b"header....two.....trailer-2-2-2-2");
        assert_eq!(check(d, s, "app"), None);
        // Another node wrote transaction 2 (a promoted standby's snapshot): the same
        // name, another file.
        ltx(&stored, 0, 2, 2, b"header....TWO.....trailer-9-9-9-9");
        let f = check(d, s, "app").unwrap();
        assert_eq!((f.local, f.stored), (Some(2), 2));
        assert!(f.to_string().contains("not the one this node wrote"), "{f}");
        // ...and then more: the store is ahead.
        ltx(&stored, 0, 3, 3, b"header....three...trailer-3-3-3-3");
        ltx(&stored, 1, 1, 3, b"compacted");
        let f = check(d, s, "app").unwrap();
        assert_eq!((f.local, f.stored), (Some(2), 3));
        assert!(f.to_string().contains("another node has written"), "{f}");
        // Other databases are their own.
        assert_eq!(check(d, s, "other"), None);
    }
}
