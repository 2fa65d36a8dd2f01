//! A standby's followers: one `litestream restore -f` per database of the store,
//! found by listing the store folder every second.
//!
//! Each start of a follower is a fresh restore: Litestream 0.5.17 resumes only from a
//! TXID no newer than the store's latest snapshot, which a restarted follower almost
//! never is. While the file is restored its name is reserved (connecting sessions
//! wait, engine/lifecycle.rs), connections to the previous file are closed
//! (`Engine::reseeded`), and once the follower has written the file and its `-txid`,
//! the file is turned to the rollback journal (engine/standby.rs) before the name is
//! given back.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::{info, warn};

use super::{child, store, Row};
use crate::config::Config;
use crate::engine::Engine;

/// How often the store folder is listed for new databases.
const DISCOVER_EVERY: Duration = Duration::from_secs(1);

/// Longest wait for a follower's first restore before it is started again.
const RESTORE_WAIT: Duration = Duration::from_secs(120);

pub struct Followers {
    engine: Arc<Engine>,
    store: PathBuf,
    data_dir: PathBuf,
    program: PathBuf,
    interval: Duration,
    busy_timeout: Duration,
    /// Per database: its follower's state and task.
    running: Mutex<HashMap<String, Follower>>,
    stop: watch::Sender<bool>,
}

struct Follower {
    state: Arc<Mutex<&'static str>>,
    task: Option<JoinHandle<()>>,
}

impl Followers {
    pub fn new(cfg: &Config, engine: Arc<Engine>, store: PathBuf) -> Arc<Followers> {
        let followers = Arc::new(Followers {
            engine,
            data_dir: cfg.data_dir.clone(),
            program: cfg.litestream.clone(),
            interval: cfg.replication_interval,
            busy_timeout: cfg.lock_timeout,
            running: Mutex::new(HashMap::new()),
            stop: watch::channel(false).0,
            store,
        });
        let weak = Arc::downgrade(&followers);
        crate::engine::standby::set_replay_clock(Box::new(move |name| {
            let f = weak.upgrade()?;
            let applied = store::applied_txid(&f.file(name))?;
            store::written_micros(
                &store::ltx_files(&f.store.join(format!("{name}.db"))),
                applied,
            )
        }));
        followers
    }

    fn file(&self, name: &str) -> PathBuf {
        self.data_dir.join(format!("{name}.db"))
    }

    pub fn rows(&self) -> Vec<Row> {
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        let mut names: Vec<&String> = running.keys().collect();
        names.sort();
        names
            .into_iter()
            .map(|name| {
                let state = *running[name]
                    .state
                    .lock()
                    .unwrap_or_else(|p| p.into_inner());
                let stored = store::ltx_files(&self.store.join(format!("{name}.db")));
                let applied = store::applied_txid(&self.file(name));
                Row {
                    database: name.clone(),
                    state: state.to_string(),
                    local_txid: applied,
                    stored_txid: store::newest(&stored),
                    replayed_at: applied.and_then(|t| store::written_micros(&stored, t)),
                    lag_ms: applied.map(|t| store::waited_ms(&stored, t)),
                }
            })
            .collect()
    }

    /// Whether every follower has applied the newest transaction of the store.
    pub fn caught_up(&self) -> bool {
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        running.iter().all(|(name, f)| {
            let following = *f.state.lock().unwrap_or_else(|p| p.into_inner()) == "following";
            let stored = store::newest(&store::ltx_files(&self.store.join(format!("{name}.db"))));
            following && store::applied_txid(&self.file(name)) >= stored
        })
    }

    /// The databases followed.
    pub fn names(&self) -> Vec<String> {
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        running.keys().cloned().collect()
    }

    /// Stops every follower and waits for them.
    pub async fn stop_all(&self) {
        let _ = self.stop.send(true);
        let tasks: Vec<JoinHandle<()>> = {
            let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
            running.values_mut().filter_map(|f| f.task.take()).collect()
        };
        for t in tasks {
            let _ = t.await;
        }
    }
}

/// Lists the store every second and starts a follower for each new database.
pub async fn discover(f: Arc<Followers>, mut stop: watch::Receiver<bool>) {
    loop {
        for name in store::databases(&f.store) {
            let mut running = f.running.lock().unwrap_or_else(|p| p.into_inner());
            if running.contains_key(&name) || *stop.borrow() {
                continue;
            }
            let state = Arc::new(Mutex::new("starting"));
            let task = tokio::spawn(follow(
                f.clone(),
                name.clone(),
                state.clone(),
                f.stop.subscribe(),
            ));
            running.insert(
                name,
                Follower {
                    state,
                    task: Some(task),
                },
            );
        }
        if !child::pause(DISCOVER_EVERY, &mut stop).await {
            return;
        }
    }
}

fn set(state: &Mutex<&'static str>, s: &'static str) {
    *state.lock().unwrap_or_else(|p| p.into_inner()) = s;
}

/// Keeps database `name` current: a fresh restore and follow, again after each exit.
async fn follow(
    f: Arc<Followers>,
    name: String,
    state: Arc<Mutex<&'static str>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut backoff = child::Backoff::default();
    let file = f.file(&name);
    let source = format!(
        "file://{}",
        f.store.join(format!("{name}.db")).to_string_lossy()
    );
    let args = vec![
        "restore".to_string(),
        "-f".to_string(),
        "-follow-interval".to_string(),
        format!("{}ms", f.interval.as_millis().max(1)),
        "-o".to_string(),
        file.to_string_lossy().into_owned(),
        source,
    ];
    let label = format!("follow {name}");
    loop {
        let started = Instant::now();
        set(&state, "restoring");
        let Ok(reserved) = f.engine.reserve(&[&name]).await else {
            if !child::pause(backoff.after(Duration::ZERO), &mut stop).await {
                return;
            }
            continue;
        };
        remove_files(&file);
        f.engine.reseeded(&name).await;
        let mut c = match child::spawn(&f.program, &args, &label) {
            Ok(c) => c,
            Err(e) => {
                drop(reserved);
                warn!(error = %e, database = %name, "cannot start a follower");
                set(&state, "failed");
                if !child::pause(backoff.after(Duration::ZERO), &mut stop).await {
                    return;
                }
                continue;
            }
        };
        // The restore is done when the follower has written the TXID it reached.
        let mut txid = file.as_os_str().to_owned();
        txid.push("-txid");
        let txid = PathBuf::from(txid);
        let deadline = Instant::now() + RESTORE_WAIT;
        let mut exited = None;
        while !txid.exists() && Instant::now() < deadline {
            tokio::select! {
                s = c.wait() => { exited = Some(s); break; }
                _ = tokio::time::sleep(Duration::from_millis(20)) => {}
                _ = child::stopped(&mut stop) => break,
            }
        }
        let ready = exited.is_none()
            && !*stop.borrow()
            && txid.exists()
            && {
                let (path, busy) = (file.clone(), f.busy_timeout);
                let flipped = tokio::task::spawn_blocking(move || {
                    crate::engine::standby::make_followable(&path, busy)
                })
                .await;
                match flipped {
                    Ok(Ok(())) => true,
                    Ok(Err(e)) => {
                        warn!(database = %name, error = %e, "cannot open the restored file for reading");
                        false
                    }
                    Err(_) => false,
                }
            };
        drop(reserved);
        if ready {
            set(&state, "following");
            info!(database = %name, txid = ?store::applied_txid(&file), "following");
            if child::wait(&mut c, &mut stop).await.is_none() {
                return;
            }
        } else if exited.is_none() {
            child::terminate(&mut c).await;
        }
        if *stop.borrow() {
            return;
        }
        set(&state, "restarting");
        let delay = backoff.after(started.elapsed());
        warn!(database = %name, ?delay, "follower exited; restoring again");
        if !child::pause(delay, &mut stop).await {
            return;
        }
    }
}

/// The restored file and what goes with it, before a fresh restore (Litestream refuses
/// to restore over a file).
fn remove_files(file: &std::path::Path) {
    for suffix in ["", "-txid", "-journal", "-wal", "-shm", ".tmp"] {
        let mut p = file.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}
