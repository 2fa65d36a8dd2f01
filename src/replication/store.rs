//! Reading Litestream's folders: a store given as a path or `file://` URL, and the
//! LTX files it (or a primary's `.<name>.db-litestream` folder) holds, named
//! `ltx/<level>/<min TXID>-<max TXID>.ltx` in hex. Only for `SHOW REPLICATION`,
//! `pg_last_xact_replay_timestamp()` and a standby's discovery of databases.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The folder of a store URL: a plain path or `file://` URL; None for other schemes.
pub fn folder_of(url: &str) -> Option<PathBuf> {
    let path = match url.strip_prefix("file://") {
        Some(p) => p,
        None if url.contains("://") => return None,
        None => url,
    };
    std::path::absolute(path).ok()
}

/// The folder of a standby's store; other schemes are refused (a standby finds the
/// databases by listing the folder).
pub fn folder(url: &str) -> std::io::Result<PathBuf> {
    folder_of(url).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "--replica-of {url}: a standby follows a folder store (a path or \
                 file:///path) for now"
            ),
        )
    })
}

/// One LTX file: the transactions it holds and when it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ltx {
    pub min: u64,
    pub max: u64,
    pub written: SystemTime,
}

/// The LTX files of every level under `dir` (a store's `<name>.db` or a primary's
/// `.<name>.db-litestream`).
pub fn ltx_files(dir: &Path) -> Vec<Ltx> {
    let mut out = Vec::new();
    let Ok(levels) = std::fs::read_dir(dir.join("ltx")) else {
        return out;
    };
    for level in levels.flatten() {
        let Ok(files) = std::fs::read_dir(level.path()) else {
            continue;
        };
        for f in files.flatten() {
            let name = f.file_name();
            let Some((min, max)) = name
                .to_str()
                .and_then(|n| n.strip_suffix(".ltx"))
                .and_then(|n| n.split_once('-'))
            else {
                continue;
            };
            let (Ok(min), Ok(max)) = (u64::from_str_radix(min, 16), u64::from_str_radix(max, 16))
            else {
                continue;
            };
            let Ok(written) = f.metadata().and_then(|m| m.modified()) else {
                continue;
            };
            out.push(Ltx { min, max, written });
        }
    }
    out
}

/// The newest transaction the files hold.
pub fn newest(files: &[Ltx]) -> Option<u64> {
    files.iter().map(|f| f.max).max()
}

/// How long the oldest file holding a transaction after `txid` has existed, in
/// milliseconds: 0 when none does (caught up).
pub fn waited_ms(files: &[Ltx], txid: u64) -> u64 {
    let oldest = files
        .iter()
        .filter(|f| f.max > txid)
        .map(|f| f.written)
        .min();
    oldest
        .and_then(|t| t.elapsed().ok())
        .map_or(0, |d| d.as_millis() as u64)
}

/// When the file ending at `txid` was written, in microseconds since PostgreSQL's
/// epoch (2000-01-01), as the engine's timestamps count.
pub fn written_micros(files: &[Ltx], txid: u64) -> Option<i64> {
    let t = files
        .iter()
        .filter(|f| f.max == txid)
        .map(|f| f.written)
        .min()?;
    let d = t.duration_since(SystemTime::UNIX_EPOCH).ok()?;
    i64::try_from(d.as_micros())
        .ok()
        .map(|us| us - crate::engine::datetime::PG_EPOCH_OFFSET_MICROS)
}

/// The TXID a follower wrote into `<file>-txid` (hex), if any.
pub fn applied_txid(db_file: &Path) -> Option<u64> {
    let mut p = db_file.as_os_str().to_owned();
    p.push("-txid");
    let text = std::fs::read_to_string(PathBuf::from(p)).ok()?;
    u64::from_str_radix(text.trim(), 16).ok()
}

/// The databases a store folder holds: its `<name>.db` folders with a valid name.
pub fn databases(store: &Path) -> Vec<String> {
    crate::engine::lifecycle::database_entries(store, |t| t.is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_urls() {
        assert_eq!(folder_of("file:///s/x"), Some(PathBuf::from("/s/x")));
        assert_eq!(folder_of("/s/x"), Some(PathBuf::from("/s/x")));
        assert!(folder_of("rel").unwrap().is_absolute());
        assert_eq!(folder_of("s3://bucket/x"), None);
        assert!(folder("s3://bucket/x").is_err());
    }

    #[test]
    fn ltx_names_and_lag() {
        let dir = tempfile::tempdir().unwrap();
        let l0 = dir.path().join("a.db/ltx/0");
        std::fs::create_dir_all(&l0).unwrap();
        std::fs::create_dir_all(dir.path().join("b.db")).unwrap();
        std::fs::create_dir_all(dir.path().join("bad name.db")).unwrap();
        std::fs::write(dir.path().join("c.db"), b"").unwrap();
        for f in [
            "0000000000000001-0000000000000001.ltx",
            "0000000000000002-000000000000000a.ltx",
            "junk.ltx",
        ] {
            std::fs::write(l0.join(f), b"").unwrap();
        }
        let files = ltx_files(&dir.path().join("a.db"));
        assert_eq!(files.len(), 2);
        assert_eq!(newest(&files), Some(10));
        assert_eq!(waited_ms(&files, 10), 0);
        assert!(written_micros(&files, 10).is_some());
        assert_eq!(written_micros(&files, 5), None);
        assert_eq!(databases(dir.path()), ["a", "b"]);
        std::fs::write(dir.path().join("x.db-txid"), "000000000000000b\n").unwrap();
        assert_eq!(applied_txid(&dir.path().join("x.db")), Some(11));
    }
}
