//! Synchronous replication (`--synchronous-replication`): a commit acknowledged only
//! once Litestream has stored it in the replica store, PostgreSQL's
//! `synchronous_commit = on` with a synchronous standby.
//!
//! The wait is Litestream 0.5's control socket: `POST /sync {"path", "wait": true}`
//! reads the database's WAL into a new LTX file, uploads it and answers once the store
//! holds it (`replicated_txid` ≥ `txid`). A call that begins after a commit was written
//! covers it, so the waits of one database share calls as group commit shares
//! fdatasyncs (engine/group_commit.rs): one call at a time per database; a waiter whose
//! commit was written before the running call began needs none of its own.
//!
//! The session waits after giving up the write lock and its connection (the next
//! writer runs), on the async side (a Unix socket, no thread blocked). Nothing here
//! runs without the flag: the session asks [`enabled`] (two relaxed loads) only after
//! a commit that wrote.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;
use tokio::time::Instant;
use tracing::{debug, warn};

use crate::engine::Database;

/// The control socket's file name in the data folder (the generated .litestream.yml
/// names it).
pub const SOCKET_FILE: &str = ".litestream.sock";

/// Whether --synchronous-replication is on (it applies while the node is a primary).
static ON: AtomicBool = AtomicBool::new(false);

struct Settings {
    socket: PathBuf,
    /// Zero: no limit.
    timeout: Duration,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

/// One database's wait state: the newest commit ticket the store is known to hold;
/// held while a sync call runs. Keyed by the database object (a Weak keeps its address
/// from being reused), so a database dropped and made again starts afresh.
type Waiters = Vec<(Weak<Database>, Arc<tokio::sync::Mutex<u64>>)>;
static WAITERS: Mutex<Waiters> = Mutex::new(Vec::new());

/// Turns synchronous replication on for the data folder `data_dir` (absolute), at start.
pub fn configure(data_dir: &Path, timeout: Duration) {
    let _ = SETTINGS.set(Settings {
        socket: data_dir.join(SOCKET_FILE),
        timeout,
    });
    ON.store(true, Ordering::Relaxed);
}

/// Whether a commit must wait for the store now: the flag is on and this node
/// replicates (a primary, or a standby after PROMOTE).
pub fn enabled() -> bool {
    ON.load(Ordering::Relaxed) && crate::engine::standby::is_replicating()
}

/// Why a wait ended without the store's confirmation.
#[derive(Debug)]
pub struct NotConfirmed {
    pub waited: Duration,
    pub last_error: String,
}

/// Waits until the replica store holds the commit of `db` that took `ticket`
/// (`Database::release`). True when this call made the sync call (false: another
/// waiter's call covered it).
pub async fn wait(db: &Arc<Database>, ticket: u64) -> Result<bool, NotConfirmed> {
    let Some(settings) = SETTINGS.get() else {
        return Ok(false);
    };
    let started = Instant::now();
    let deadline = (!settings.timeout.is_zero()).then(|| started + settings.timeout);
    let mut last_error = String::from("no answer yet");
    let work = async {
        let state = waiter_of(db);
        let mut stored = state.lock().await;
        if *stored >= ticket {
            return false;
        }
        // Every commit with a ticket up to here was written before the call begins.
        let upto = db.commits_written();
        let path = std::path::absolute(db.path()).unwrap_or_else(|_| db.path().to_owned());
        let mut retries = 0u32;
        loop {
            // Litestream's own limit, in whole seconds; ours is the deadline above.
            let left = deadline.map_or(30, |d| {
                d.saturating_duration_since(Instant::now())
                    .as_secs()
                    .clamp(1, 30)
            });
            match sync_call(&settings.socket, &path, left).await {
                Ok(()) => break,
                Err(e) => {
                    // Litestream restarting, or a database its folder watcher has not
                    // found yet (a new one: normal for a moment). Said once a second.
                    if retries % 20 == 19 {
                        warn!(database = %db.name, error = %e, "waiting for the replica store");
                    } else {
                        debug!(database = %db.name, error = %e, "waiting for the replica store");
                    }
                    last_error = e;
                    retries += 1;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        *stored = (*stored).max(upto);
        true
    };
    match deadline {
        None => Ok(work.await),
        Some(d) => match tokio::time::timeout_at(d, work).await {
            Ok(called) => Ok(called),
            Err(_) => Err(NotConfirmed {
                waited: started.elapsed(),
                last_error,
            }),
        },
    }
}

fn waiter_of(db: &Arc<Database>) -> Arc<tokio::sync::Mutex<u64>> {
    let mut all = WAITERS.lock().unwrap_or_else(|p| p.into_inner());
    let me = Arc::downgrade(db);
    if let Some((_, w)) = all.iter().find(|(d, _)| d.ptr_eq(&me)) {
        return w.clone();
    }
    all.retain(|(d, _)| d.strong_count() > 0);
    let w = Arc::new(tokio::sync::Mutex::new(0));
    all.push((me, w.clone()));
    w
}

/// One `POST /sync` with `wait`: Ok once Litestream answers that the store holds
/// everything the WAL had when the call began.
async fn sync_call(socket: &Path, db: &Path, timeout_secs: u64) -> Result<(), String> {
    let body = format!(
        "{{\"path\":{},\"wait\":true,\"timeout\":{timeout_secs}}}",
        json_string(&db.to_string_lossy())
    );
    let request = format!(
        "POST /sync HTTP/1.1\r\nHost: litestream\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut s = UnixStream::connect(socket)
        .await
        .map_err(|e| format!("control socket {}: {e}", socket.display()))?;
    s.write_all(request.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    // Bounded: the answer is a line of JSON.
    (&mut s)
        .take(64 << 10)
        .read_to_end(&mut answer)
        .await
        .map_err(|e| e.to_string())?;
    confirmed(&String::from_utf8_lossy(&answer))
}

/// Whether Litestream's HTTP answer says the store holds the database's newest
/// transaction.
fn confirmed(answer: &str) -> Result<(), String> {
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((answer, ""));
    let status = head.split_whitespace().nth(1).unwrap_or("");
    let body = body.trim();
    if status != "200" {
        return Err(format!("litestream answered {status}: {body}"));
    }
    match (number(body, "txid"), number(body, "replicated_txid")) {
        (Some(txid), Some(stored)) if stored >= txid => Ok(()),
        _ => Err(format!("litestream did not confirm the upload: {body}")),
    }
}

/// The unsigned number of `"key":` in a flat JSON object.
fn number(json: &str, key: &str) -> Option<u64> {
    let tag = format!("\"{key}\":");
    let at = json.find(&tag)? + tag.len();
    let digits: String = json[at..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn json_string(s: &str) -> String {
    let mut out = String::new();
    crate::engine::array::push_json_string(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_confirms_only_when_the_store_has_the_newest_txid() {
        let ok = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n\
                  {\"status\":\"synced\",\"path\":\"/d/x.db\",\"txid\":12,\"replicated_txid\":12}\n";
        assert!(confirmed(ok).is_ok());
        let behind = ok.replace("\"replicated_txid\":12", "\"replicated_txid\":11");
        assert!(confirmed(&behind).is_err());
        let missing = "HTTP/1.1 404 Not Found\r\n\r\n{\"error\":\"database not found\"}";
        assert!(confirmed(missing).unwrap_err().contains("404"));
        assert!(confirmed("").is_err());
        // "txid" must not be read out of "replicated_txid".
        assert_eq!(
            number("{\"replicated_txid\":3,\"txid\":4}", "txid"),
            Some(4)
        );
        assert_eq!(json_string("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
    }
}
