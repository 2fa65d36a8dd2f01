//! Replication on Litestream 0.5 (docs/OPERATIONS.md, "Read replicas"): litewire
//! supervises the `litestream` processes; Litestream ships and applies the pages.
//!
//! - Primary (`--replicate-to URL`): one `litestream replicate` for the data folder,
//!   from a generated config that watches the folder for `*.db` files (databases made
//!   at run time are picked up by Litestream itself). Checkpoints are Litestream's
//!   (engine/database.rs turns SQLite's automatic ones off).
//! - Standby (`--replica-of URL`): one `litestream restore -f` follower per database
//!   of the store (standby.rs); sessions only read (engine/standby.rs).
//!
//! - PROMOTE (admin console, on a standby): the followers caught up and stopped, the
//!   files made read-write (`Engine::promoted`), then replicated to the same store.
//! - Fencing (fence.rs): at start, a database whose store holds transactions this node
//!   did not write is not replicated and only read. Litestream is then given the other
//!   databases by name instead of the folder to watch, and the folder is listed every
//!   second for databases made at run time (each checked, then Litestream restarted
//!   with them).
//!
//! Each child is restarted with a backoff when it exits and stopped at shutdown
//! (child.rs). Nothing here runs while a statement runs.

pub mod child;
pub mod fence;
mod standby;
pub mod store;
pub mod sync;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::warn;

use crate::config::Config;
use crate::engine::Engine;

/// The running replication of a server: its supervising tasks.
pub struct Replication {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    role: Role,
}

enum Role {
    Primary { data_dir: PathBuf, url: String },
    Standby(Arc<standby::Followers>),
}

/// One line of the admin console's `SHOW REPLICATION`.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub database: String,
    /// `primary`, `fenced` (a database a primary does not replicate: fence.rs), or
    /// a follower's state on a standby.
    pub state: String,
    /// On a primary the newest transaction Litestream took from the WAL; on a
    /// standby the newest the follower applied.
    pub local_txid: Option<u64>,
    /// The newest transaction in the store (folder stores only).
    pub stored_txid: Option<u64>,
    /// When the transaction at `local_txid` reached the store (a standby's
    /// `pg_last_xact_replay_timestamp()`), microseconds since 2000-01-01.
    pub replayed_at: Option<i64>,
    /// How long the oldest transaction not yet at the other end has waited, in
    /// milliseconds; 0 when caught up.
    pub lag_ms: Option<u64>,
}

impl Replication {
    /// Starts what the configuration asks for, if anything.
    pub fn start(cfg: &Config, engine: &Arc<Engine>) -> std::io::Result<Option<Replication>> {
        if cfg.synchronous_replication {
            let dir = std::path::absolute(&cfg.data_dir)?;
            if control_socket(&dir).is_none() {
                return Err(std::io::Error::other(format!(
                    "--synchronous-replication: the control socket path {} is longer than a \
                     Unix socket path may be ({} bytes); use a shorter --data-dir",
                    dir.join(sync::SOCKET_FILE).display(),
                    SOCKET_PATH_MAX
                )));
            }
            sync::configure(&dir, cfg.synchronous_replication_timeout);
        }
        if let Some(url) = &cfg.replicate_to {
            return primary(cfg, url, true).map(Some);
        }
        if let Some(url) = &cfg.replica_of {
            let store = store::folder(url)?;
            let (stop, rx) = watch::channel(false);
            let followers = standby::Followers::new(cfg, engine.clone(), store);
            let task = tokio::spawn(standby::discover(followers.clone(), rx));
            return Ok(Some(Replication {
                stop,
                tasks: vec![task],
                role: Role::Standby(followers),
            }));
        }
        Ok(None)
    }

    /// PROMOTE: once every follower has applied the store's newest transaction, stops
    /// them, makes the files read-write and replicates them to the same store. Fails
    /// (the standby keeps following) when this is no standby or a follower is not
    /// caught up within `catch_up`; either way the replication to keep is returned.
    pub async fn promote(
        self,
        cfg: &Config,
        engine: &Engine,
        catch_up: Duration,
    ) -> (Replication, Result<(), crate::protocol::PgError>) {
        use crate::protocol::{PgError, SqlState};
        let (Role::Standby(followers), Some(url)) = (&self.role, &cfg.replica_of) else {
            let e = PgError::new(
                SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
                "recovery is not in progress",
            )
            .with_hint("PROMOTE is for a standby (--replica-of).");
            return (self, Err(e));
        };
        let url = url.clone();
        let deadline = Instant::now() + catch_up;
        while !followers.caught_up() {
            if Instant::now() >= deadline {
                let e = PgError::new(
                    SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
                    "the standby did not catch up with the store: not promoted",
                )
                .with_hint("SHOW REPLICATION shows each database's lag.");
                return (self, Err(e));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let names = followers.names();
        let data_dir = cfg.data_dir.clone();
        let store_dir = store::folder_of(&url);
        let stored_before: Vec<(String, u64)> = names
            .iter()
            .map(|n| (n.clone(), stored_txid(store_dir.as_deref(), n)))
            .collect();
        self.stop().await;
        for name in &names {
            let _ = std::fs::remove_file(data_dir.join(format!("{name}.db-txid")));
            // Litestream's record of an earlier life of this folder as a primary: the
            // file was just restored from the store, which Litestream must continue.
            let _ = std::fs::remove_dir_all(data_dir.join(format!(".{name}.db-litestream")));
        }
        engine.promoted().await;
        // Caught up with the store just now: its newest transactions are the ones
        // this node holds, so no fence check (the node has no record of writing them).
        match primary(cfg, &url, false) {
            Ok(r) => {
                // The store is this node's once it holds a transaction of it (Litestream
                // snapshots a promoted file at once): from then on an old primary that
                // starts is fenced (fence.rs), so PROMOTE returns only then.
                let deadline = Instant::now() + catch_up;
                while store_dir.is_some()
                    && stored_before
                        .iter()
                        .any(|(n, t)| stored_txid(store_dir.as_deref(), n) <= *t)
                {
                    if Instant::now() >= deadline {
                        warn!(
                            "promoted, but the store holds no transaction of this node yet: \
                               an old primary started now would not be fenced"
                        );
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                (r, Ok(()))
            }
            Err(e) => {
                // The files are writable but not replicated: said, and kept so.
                let r = Replication {
                    stop: watch::channel(false).0,
                    tasks: Vec::new(),
                    role: Role::Primary {
                        data_dir,
                        url: url.clone(),
                    },
                };
                let e = PgError::new(
                    SqlState::INTERNAL_ERROR,
                    format!("promoted, but replication did not start: {e}"),
                );
                (r, Err(e))
            }
        }
    }

    /// Stops every child (each gets SIGTERM and up to 5 s) and waits for them.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Role::Standby(f) = &self.role {
            f.stop_all().await;
        }
        for t in self.tasks {
            let _ = t.await;
        }
    }

    /// `UNFENCE DATABASE name` (admin console): replicates fenced database `name` all
    /// the same; Litestream snapshots this node's copy over the store's history (what
    /// fencing prevents), within a second (the folder's next listing).
    pub fn unfence(&self, name: &str) -> Result<(), crate::protocol::PgError> {
        use crate::protocol::{PgError, SqlState};
        if !matches!(self.role, Role::Primary { .. }) || !crate::engine::standby::is_fenced(name) {
            return Err(PgError::new(
                SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
                format!("database \"{name}\" is not fenced"),
            ));
        }
        fence::force(name);
        crate::engine::standby::set_fenced(name, None);
        warn!(database = %name, "fence lifted by UNFENCE DATABASE: this node's copy \
               replaces the store's history");
        Ok(())
    }

    /// What `SHOW REPLICATION` lists: one row per database.
    pub fn rows(&self) -> Vec<Row> {
        match &self.role {
            Role::Primary { data_dir, url } => primary_rows(data_dir, url),
            Role::Standby(f) => f.rows(),
        }
    }
}

/// The newest transaction of database `name` in store folder `store` (0: none, or
/// not a folder store).
fn stored_txid(store: Option<&Path>, name: &str) -> u64 {
    store
        .and_then(|s| store::newest(&store::ltx_files(&s.join(format!("{name}.db")))))
        .unwrap_or(0)
}

/// The config file litewire writes for `litestream replicate`, in the data folder.
const CONFIG_FILE: &str = ".litestream.yml";

/// A YAML string (JSON's quoting is YAML's double-quoted style).
fn quoted(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The longest Unix socket path (sun_path is 108 bytes with its NUL).
const SOCKET_PATH_MAX: usize = 107;

/// The control socket of the folder's `litestream replicate` (what sync.rs calls), if
/// its path fits in a Unix socket address.
fn control_socket(dir: &Path) -> Option<PathBuf> {
    let p = dir.join(sync::SOCKET_FILE);
    (p.as_os_str().len() <= SOCKET_PATH_MAX).then_some(p)
}

/// Litestream's config for the data folder `dir` replicated to `url`, with its control
/// socket in the folder when the path fits. `only`: None to watch the folder for
/// `*.db` files; else the databases to replicate, by name (some are fenced).
fn replicate_config(dir: &Path, url: &str, interval: Duration, only: Option<&[String]>) -> String {
    let ms = interval.as_millis().max(1);
    let target = |sub: Option<&str>| match store::folder_of(url) {
        // A folder: Litestream's file replica, by absolute path.
        Some(path) => {
            let path = sub.map_or(path.clone(), |s| path.join(s));
            format!(
                "type: file\n      path: {}",
                quoted(&path.to_string_lossy())
            )
        }
        None => {
            let url = sub.map_or(url.to_string(), |s| {
                format!("{}/{s}", url.trim_end_matches('/'))
            });
            format!("url: {}", quoted(&url))
        }
    };
    let socket = control_socket(dir).map_or(String::new(), |p| {
        format!(
            "socket:\n  enabled: true\n  path: {}\n",
            quoted(&p.to_string_lossy())
        )
    });
    let Some(names) = only else {
        return format!(
            "# Written by litewire at each start (--replicate-to); changes are overwritten.\n\
             {socket}\
             dbs:\n  \
               - dir: {dir}\n    \
                 pattern: \"*.db\"\n    \
                 watch: true\n    \
                 monitor-interval: {ms}ms\n    \
                 replica:\n      \
                   {target}\n      \
                   sync-interval: {ms}ms\n",
            dir = quoted(&dir.to_string_lossy()),
            target = target(None),
        );
    };
    // The paths the folder watcher would give (meta folder `.<file>-litestream`
    // beside the file, replica `<store>/<file>`), so a database keeps its history
    // whichever form is used.
    let mut out = format!(
        "# Written by litewire (--replicate-to): some databases are fenced (SHOW \
         REPLICATION); changes are overwritten.\n{socket}dbs:\n"
    );
    if names.is_empty() {
        out.push_str("  []\n");
    }
    for name in names {
        let file = format!("{name}.db");
        out.push_str(&format!(
            "  - path: {path}\n    \
               monitor-interval: {ms}ms\n    \
               replica:\n      \
                 {target}\n      \
                 sync-interval: {ms}ms\n",
            path = quoted(&dir.join(&file).to_string_lossy()),
            target = target(Some(&file)),
        ));
    }
    out
}

/// How often a primary with fenced databases lists its folder for new ones.
const LIST_EVERY: Duration = Duration::from_secs(1);

/// Checks every database of the folder against the store (folder stores only: others
/// cannot be read) and fences those another node has written since; returns them.
fn fence_folder(dir: &Path, url: &str, names: &[String]) -> Vec<String> {
    let Some(store) = store::folder_of(url) else {
        return Vec::new();
    };
    let mut fenced = Vec::new();
    for name in names {
        if crate::engine::standby::is_fenced(name) {
            fenced.push(name.clone());
        } else if fence::forced(name) {
            continue;
        } else if let Some(why) = fence::check(dir, &store, name) {
            warn!(database = %name, stored_txid = why.stored, local_txid = ?why.local,
                "fenced: {why}; the database is read-only and not replicated until this \
                 node is re-seeded (docs/OPERATIONS.md, \"Fencing\")");
            crate::engine::standby::set_fenced(name, Some(why.to_string()));
            fenced.push(name.clone());
        }
    }
    fenced
}

/// What Litestream is given: None (watch the folder) when nothing is fenced, else the
/// databases not fenced.
fn plan(dir: &Path, url: &str, check: bool) -> Option<Vec<String>> {
    let names = crate::engine::lifecycle::database_files(dir);
    let fenced = if check {
        fence_folder(dir, url, &names)
    } else {
        Vec::new()
    };
    fence::note_given(names.iter().filter(|n| !fenced.contains(n)));
    if let Some(store) = store::folder_of(url) {
        let dir = dir.to_path_buf();
        crate::engine::standby::set_create_check(Box::new(move |name| {
            fence::create_check(&dir, &store, name)
        }));
    }
    (!fenced.is_empty()).then(|| names.into_iter().filter(|n| !fenced.contains(n)).collect())
}

fn primary(cfg: &Config, url: &str, check: bool) -> std::io::Result<Replication> {
    let dir = std::path::absolute(&cfg.data_dir)?;
    let file = dir.join(CONFIG_FILE);
    let interval = cfg.replication_interval;
    let mut only = plan(&dir, url, check);
    std::fs::write(
        &file,
        replicate_config(&dir, url, interval, only.as_deref()),
    )?;
    let args = vec![
        "replicate".to_string(),
        "-config".to_string(),
        file.to_string_lossy().into_owned(),
    ];
    let program = cfg.litestream.clone();
    // A missing program is an error at start, not a restart loop.
    let first = child::spawn(&program, &args, "replicate")?;
    let (stop, mut rx) = watch::channel(false);
    let (task_dir, task_url) = (dir.clone(), url.to_string());
    let task = tokio::spawn(async move {
        let mut backoff = child::Backoff::default();
        let mut running = Some(first);
        loop {
            let started = Instant::now();
            let mut c = match running.take() {
                Some(c) => c,
                None => match child::spawn(&program, &args, "replicate") {
                    Ok(c) => c,
                    Err(e) => {
                        warn!(error = %e, "cannot restart litestream replicate");
                        if !child::pause(backoff.after(Duration::ZERO), &mut rx).await {
                            return;
                        }
                        continue;
                    }
                },
            };
            if only.is_some() {
                // Databases named one by one: new ones are checked, then given to a
                // new Litestream.
                let Some(changed) = relist(&task_dir, &task_url, &mut only, &mut c, &mut rx).await
                else {
                    return;
                };
                if changed {
                    let text = replicate_config(&task_dir, &task_url, interval, only.as_deref());
                    if let Err(e) = std::fs::write(task_dir.join(CONFIG_FILE), text) {
                        warn!(error = %e, "cannot rewrite the litestream config");
                    }
                    child::terminate(&mut c).await;
                    continue;
                }
            }
            let Some(status) = child::wait(&mut c, &mut rx).await else {
                return;
            };
            let delay = backoff.after(started.elapsed());
            warn!(%status, ?delay, "litestream replicate exited; restarting");
            if !child::pause(delay, &mut rx).await {
                return;
            }
        }
    });
    Ok(Replication {
        stop,
        tasks: vec![task],
        role: Role::Primary {
            data_dir: dir,
            url: url.to_string(),
        },
    })
}

/// While `c` runs, lists the folder every [`LIST_EVERY`] until its databases differ
/// from `only` (plus the fenced): Some(true) then, with `only` updated; Some(false)
/// when `c` exited; None when stopped (and `c` with it).
async fn relist(
    dir: &Path,
    url: &str,
    only: &mut Option<Vec<String>>,
    c: &mut tokio::process::Child,
    stop: &mut watch::Receiver<bool>,
) -> Option<bool> {
    loop {
        tokio::select! {
            _ = c.wait() => return Some(false),
            _ = child::stopped(stop) => {
                child::terminate(c).await;
                return None;
            }
            _ = tokio::time::sleep(LIST_EVERY) => {}
        }
        let names = crate::engine::lifecycle::database_files(dir);
        let current = only.as_deref().unwrap_or_default();
        // Only databases Litestream has not been given yet are checked: one it
        // replicates is this node's by now.
        let new: Vec<String> = names
            .iter()
            .filter(|n| !current.contains(n) && !fence::given(n))
            .cloned()
            .collect();
        let fenced = fence_folder(dir, url, &new);
        let next: Vec<String> = names
            .into_iter()
            .filter(|n| !fenced.contains(n) && !crate::engine::standby::is_fenced(n))
            .collect();
        if next != current {
            fence::note_given(&next);
            *only = Some(next);
            return Some(true);
        }
    }
}

fn primary_rows(data_dir: &Path, url: &str) -> Vec<Row> {
    let store = store::folder_of(url);
    crate::engine::lifecycle::database_files(data_dir)
        .into_iter()
        .map(|name| {
            let local = store::ltx_files(&data_dir.join(format!(".{name}.db-litestream")));
            let stored = store
                .as_ref()
                .map(|s| store::ltx_files(&s.join(format!("{name}.db"))));
            let local_txid = store::newest(&local);
            let stored_txid = stored.as_ref().and_then(|s| store::newest(s));
            let fenced = crate::engine::standby::is_fenced(&name);
            Row {
                // Fenced: read-only and not replicated (fence.rs).
                state: if fenced { "fenced" } else { "primary" }.into(),
                local_txid,
                stored_txid,
                replayed_at: None,
                lag_ms: stored
                    .as_ref()
                    .map(|_| store::waited_ms(&local, stored_txid.unwrap_or(0))),
                database: name,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_config_watches_the_folder() {
        let c = replicate_config(
            Path::new("/d/x\"y"),
            "file:///s",
            Duration::from_millis(100),
            None,
        );
        assert!(c.contains("- dir: \"/d/x\\\"y\"\n"), "{c}");
        assert!(c.contains("pattern: \"*.db\""), "{c}");
        assert!(c.contains("type: file\n      path: \"/s\""), "{c}");
        assert!(c.contains("sync-interval: 100ms"), "{c}");
        assert!(
            c.contains("socket:\n  enabled: true\n  path: \"/d/x\\\"y/.litestream.sock\"\n"),
            "{c}"
        );
        let long = Path::new("/").join("d".repeat(100));
        let c = replicate_config(&long, "file:///s", Duration::from_millis(100), None);
        assert!(
            !c.contains("socket:"),
            "no socket that cannot be bound: {c}"
        );
        let c = replicate_config(Path::new("/d"), "s3://b/p", Duration::from_secs(1), None);
        assert!(c.contains("url: \"s3://b/p\""), "{c}");
        assert!(c.contains("monitor-interval: 1000ms"), "{c}");
        // With fenced databases: the others by name, at the paths the watcher gives.
        let only = ["a".to_string(), "b".to_string()];
        let c = replicate_config(Path::new("/d"), "/s", Duration::from_secs(1), Some(&only));
        assert!(!c.contains("dir:"), "{c}");
        assert!(
            c.contains("  - path: \"/d/a.db\"\n    monitor-interval: 1000ms\n    replica:\n      type: file\n      path: \"/s/a.db\"\n"),
            "{c}"
        );
        assert!(c.contains("path: \"/s/b.db\""), "{c}");
        let c = replicate_config(Path::new("/d"), "/s", Duration::from_secs(1), Some(&[]));
        assert!(c.contains("dbs:\n  []\n"), "{c}");
    }
}
