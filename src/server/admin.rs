//! The admin console (database `litewire`, like PgBouncer's `pgbouncer`) and the memory
//! report it shares with the metrics endpoint.
//!
//! `SHOW MEMORY` explains the process's RSS by owner: file-backed pages (the binary and
//! shared libraries), thread stacks, and the heap — split into what litewire can name
//! (SQLite, client buffers, sessions, prepared statements, parked sessions, registry) and
//! the rest of the allocated heap, plus what the allocator retains free. `unattributed`
//! is RSS minus all of that.
//!
//! `BACKUP DATABASE {name | ALL} TO 'file'` (admin users) writes online, consistent
//! copies into the data folder's `backups` folder (engine/lifecycle.rs). `SHOW
//! REPLICATION`, `PROMOTE` (admin users, on a standby) and `UNFENCE DATABASE name`
//! (admin users, on a primary with a fenced database) are src/replication's.

use std::sync::Arc;

use bytes::BytesMut;
use tokio::sync::OwnedSemaphorePermit;

use super::conn::{Conn, Read, ReadError};
use super::session::Session;
use super::Shared;
use crate::config::ConsoleRole;
use crate::engine::{types::oid, Engine};
use crate::memory;
use crate::protocol::{
    self, backend, DataRowWriter, FieldDescription, Frontend, PgError, SqlState, TransactionStatus,
};

/// The admin database's name.
pub const ADMIN_DATABASE: &str = "litewire";

/// One line of the memory report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryRow {
    pub owner: &'static str,
    pub bytes: u64,
    pub detail: String,
}

/// The memory report: RSS first, then owners that add up to it.
pub fn memory_report(shared: &Shared) -> Vec<MemoryRow> {
    let status = memory::proc_status();
    let heap = memory::heap();
    let stacks = memory::stack_rss();
    let row = |owner, bytes: u64, detail: String| MemoryRow {
        owner,
        bytes,
        detail,
    };
    let sessions = shared.registry.len() as u64;
    let parked = shared.lot.get().map_or(0, |l| l.len()) as u64;
    let sqlite = Engine::sqlite_heap_bytes();
    let buffers = shared.registry.buffer_bytes() as u64;
    let statements = shared.registry.statement_bytes() as u64;
    // Each session is one boxed Session; a running one also has a task (future + header).
    let session_bytes = sessions * std::mem::size_of::<Session>() as u64;
    let task_bytes = (sessions - parked.min(sessions)) * task_bytes();
    let parked_bytes = shared.lot.get().map_or(0, |l| l.bytes()) as u64;
    let registry = shared.registry.own_bytes() as u64;
    let caches =
        (super::translate::TRANSLATIONS.bytes() + crate::sql::types::TYPINGS.bytes()) as u64;
    let named = sqlite
        + buffers
        + statements
        + session_bytes
        + task_bytes
        + parked_bytes
        + registry
        + caches;
    let other_heap = (heap.allocated as u64).saturating_sub(named);
    // Free heap malloc still holds, counting only what can be resident: malloc_trim
    // returns the pages of free chunks to the system, but mallinfo2 still counts them.
    let retained = (heap.retained as u64).min(
        status
            .rss_anon
            .saturating_sub(stacks + heap.allocated as u64),
    );
    let dbs = shared.engine.databases();
    let mut rows = vec![
        row(
            "rss",
            status.rss,
            format!(
                "anon {} file {} vmsize {} threads {}",
                status.rss_anon, status.rss_file, status.vm_size, status.threads
            ),
        ),
        row(
            "binary and libraries",
            status.rss_file,
            "file-backed pages".into(),
        ),
        row(
            "thread stacks",
            stacks,
            format!("{} threads", status.threads),
        ),
        row(
            "sqlite",
            sqlite,
            format!(
                "{} databases, {} connections open (page cache, schema, statements)",
                dbs.len(),
                dbs.iter().map(|d| d.open_connections()).sum::<usize>()
            ),
        ),
        row("client buffers", buffers, format!("{sessions} clients")),
        row(
            "sessions",
            session_bytes + task_bytes,
            format!(
                "{sessions} sessions, {} running as tasks",
                sessions - parked.min(sessions)
            ),
        ),
        row("parked sessions", parked_bytes, format!("{parked} parked")),
        row("prepared statements", statements, String::new()),
        row(
            "statement caches",
            caches,
            format!(
                "translations and typings by text, at most {} each",
                crate::sql::cache::ENTRIES
            ),
        ),
        row("client registry", registry, String::new()),
        row(
            "heap: other",
            other_heap,
            "runtime, caches, startup state, malloc per-thread caches".into(),
        ),
        row(
            "allocator retained",
            retained,
            format!(
                "free heap still resident (malloc holds {} free; malloc_trim gave back the rest)",
                heap.retained
            ),
        ),
    ];
    let explained: u64 = rows[1..].iter().map(|r| r.bytes).sum();
    rows.push(row(
        "unattributed",
        status.rss.saturating_sub(explained),
        format!(
            "{:.1}% of rss",
            pct(status.rss.saturating_sub(explained), status.rss)
        ),
    ));
    for db in dbs {
        let (heap_bytes, idle) = db.idle_heap_bytes();
        rows.push(row(
            "database",
            heap_bytes,
            format!(
                "{}: {} connections open, {} idle measured, {} cached descriptions",
                db.name,
                db.open_connections(),
                idle,
                db.cached_descriptions()
            ),
        ));
    }
    rows
}

/// Bytes of a session running as a task: its future (measured with `size_of_val` when
/// the first client is spawned) plus tokio's task header and socket registration.
fn task_bytes() -> u64 {
    super::TASK_FUTURE_BYTES.load(std::sync::atomic::Ordering::Relaxed) as u64 + TOKIO_TASK_OVERHEAD
}

/// tokio's per-task header and per-socket registration (ScheduledIo), together.
const TOKIO_TASK_OVERHEAD: u64 = 384;

fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

fn text_fields(names: &[&str]) -> Vec<FieldDescription> {
    names
        .iter()
        .map(|n| FieldDescription::new(n.to_string(), 0, 0, oid::TEXT, -1, -1, 0))
        .collect()
}

fn field(name: &str, type_oid: u32, size: i16) -> FieldDescription {
    FieldDescription::new(name.to_string(), 0, 0, type_oid, size, -1, 0)
}

/// Writes one result row of text values.
fn data_row(out: &mut BytesMut, values: &[String]) {
    let mut w = DataRowWriter::begin(out);
    for v in values {
        w.value(v.as_bytes());
    }
    w.finish();
}

/// Answers one admin command into `out`, returning its tag.
fn command(
    shared: &Shared,
    role: ConsoleRole,
    sql: &str,
    out: &mut BytesMut,
) -> Result<String, PgError> {
    let words: Vec<String> = crate::sql::lexer::words(sql)
        .map(|w| w.to_ascii_uppercase())
        .collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["SHOW", "MEMORY"] => {
            let rows = memory_report(shared);
            backend::row_description(
                out,
                vec![
                    field("owner", oid::TEXT, -1),
                    field("bytes", oid::INT8, 8),
                    field("detail", oid::TEXT, -1),
                ],
            );
            for r in &rows {
                data_row(
                    out,
                    &[r.owner.to_string(), r.bytes.to_string(), r.detail.clone()],
                );
            }
            Ok(format!("SHOW {}", rows.len()))
        }
        ["SHOW", "CLIENTS"] => {
            let rows = shared.registry.rows();
            let mut fields = vec![field("pid", oid::INT4, 4)];
            fields.extend(text_fields(&["user", "database", "state"]));
            fields.extend([
                field("buffer_bytes", oid::INT8, 8),
                field("statements", oid::INT4, 4),
                field("statement_bytes", oid::INT8, 8),
                field("bytes", oid::INT8, 8),
            ]);
            backend::row_description(out, fields);
            for r in &rows {
                let task = if r.state == "parked" {
                    0
                } else {
                    task_bytes() as usize
                };
                let total = std::mem::size_of::<Session>() + task + r.buffers + r.statement_bytes;
                data_row(
                    out,
                    &[
                        r.pid.to_string(),
                        r.user.clone(),
                        r.database.clone(),
                        r.state.to_string(),
                        r.buffers.to_string(),
                        r.statements.to_string(),
                        r.statement_bytes.to_string(),
                        total.to_string(),
                    ],
                );
            }
            Ok(format!("SHOW {}", rows.len()))
        }
        ["SHOW", "DATABASES"] => {
            let dbs = shared.engine.databases();
            backend::row_description(
                out,
                vec![
                    field("name", oid::TEXT, -1),
                    field("connections", oid::INT4, 4),
                    field("idle_heap_bytes", oid::INT8, 8),
                    field("cached_descriptions", oid::INT4, 4),
                ],
            );
            for db in &dbs {
                let (heap, _) = db.idle_heap_bytes();
                data_row(
                    out,
                    &[
                        db.name.clone(),
                        db.open_connections().to_string(),
                        heap.to_string(),
                        db.cached_descriptions().to_string(),
                    ],
                );
            }
            Ok(format!("SHOW {}", dbs.len()))
        }
        ["SHOW", "STATS"] => {
            backend::row_description(out, text_fields(&["counter", "value"]));
            let mut n = 0;
            for c in super::stats::COUNTERS {
                data_row(out, &[c.name.to_string(), c.get().to_string()]);
                n += 1;
            }
            for (class, count) in super::stats::errors_by_class() {
                data_row(out, &[format!("errors_class_{class}"), count.to_string()]);
                n += 1;
            }
            Ok(format!("SHOW {n}"))
        }
        ["SHOW", "REPLICATION"] => {
            let rows = shared
                .replication
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .as_ref()
                .map(|r| r.rows())
                .unwrap_or_default();
            backend::row_description(
                out,
                vec![
                    field("database", oid::TEXT, -1),
                    field("state", oid::TEXT, -1),
                    field("local_txid", oid::INT8, 8),
                    field("stored_txid", oid::INT8, 8),
                    field("replay_timestamp", oid::TIMESTAMPTZ, 8),
                    field("lag_ms", oid::INT8, 8),
                ],
            );
            let opt = |v: Option<u64>| v.map(|v| v.to_string());
            for r in &rows {
                let mut w = DataRowWriter::begin(out);
                for v in [
                    Some(r.database.clone()),
                    Some(r.state.clone()),
                    opt(r.local_txid),
                    opt(r.stored_txid),
                    r.replayed_at
                        .map(|us| crate::engine::datetime::format_timestamp_micros(us, true)),
                    opt(r.lag_ms),
                ] {
                    match v {
                        Some(v) => w.value(v.as_bytes()),
                        None => w.null(),
                    }
                }
                w.finish();
            }
            Ok(format!("SHOW {}", rows.len()))
        }
        ["UNFENCE", "DATABASE", _] if role != ConsoleRole::Admin => Err(PgError::new(
            SqlState::INSUFFICIENT_PRIVILEGE,
            "permission denied: UNFENCE is for --admin-users",
        )),
        ["UNFENCE", "DATABASE", _] => {
            // The name as written (the words above are upper-cased).
            let name = crate::sql::lexer::words(sql).nth(2).unwrap_or_default();
            let replication = shared.replication.lock().unwrap_or_else(|p| p.into_inner());
            match replication.as_ref() {
                Some(r) => r.unfence(name).map(|()| "UNFENCE".to_string()),
                None => Err(PgError::new(
                    SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
                    format!("database \"{name}\" is not fenced"),
                )),
            }
        }
        ["RELOAD"] if role != ConsoleRole::Admin => Err(PgError::new(
            SqlState::INSUFFICIENT_PRIVILEGE,
            "permission denied: RELOAD is for --admin-users",
        )),
        ["RELOAD"] => super::reload_auth(shared, "RELOAD")
            .map(|()| "RELOAD".to_string())
            .map_err(|e| PgError::new(SqlState::CONFIG_FILE_ERROR, e)),
        _ => Err(PgError::new(
            SqlState::FEATURE_NOT_SUPPORTED,
            "the admin console answers SHOW MEMORY, SHOW CLIENTS, SHOW DATABASES, SHOW STATS, \
             SHOW REPLICATION, RELOAD, BACKUP DATABASE, PROMOTE and UNFENCE DATABASE",
        )),
    }
}

/// `PROMOTE` (admin users, on a standby): the standby becomes a primary replicating
/// to the store it followed (src/replication).
async fn promote(shared: &Shared, role: ConsoleRole) -> Result<String, PgError> {
    if role != ConsoleRole::Admin {
        return Err(PgError::new(
            SqlState::INSUFFICIENT_PRIVILEGE,
            "permission denied: PROMOTE is for --admin-users",
        ));
    }
    let taken = shared
        .replication
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    let Some(replication) = taken else {
        return Err(PgError::new(
            SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
            "recovery is not in progress",
        ));
    };
    let (kept, result) = replication
        .promote(&shared.cfg, &shared.engine, PROMOTE_CATCH_UP)
        .await;
    *shared.replication.lock().unwrap_or_else(|p| p.into_inner()) = Some(kept);
    result.map(|()| {
        tracing::info!("promoted: accepting writes, replicating to the store");
        "PROMOTE".to_string()
    })
}

/// How long PROMOTE waits for the followers to apply the store's newest transaction.
const PROMOTE_CATCH_UP: std::time::Duration = std::time::Duration::from_secs(10);

/// `BACKUP DATABASE name TO 'file'`: the copy at `backups/file`; `BACKUP DATABASE ALL TO
/// 'folder'`: each database at `backups/folder/<name>.db`, one after another (each its
/// own consistent snapshot). One row per copy: database, file (relative to the data
/// folder), bytes.
async fn backup(
    shared: &Shared,
    role: ConsoleRole,
    sql: &str,
    out: &mut BytesMut,
) -> Result<String, PgError> {
    use crate::engine::lifecycle::{database_files, BACKUP_DIR};
    if role != ConsoleRole::Admin {
        return Err(PgError::new(
            SqlState::INSUFFICIENT_PRIVILEGE,
            "permission denied: BACKUP is for --admin-users",
        ));
    }
    let b = crate::sql::database::parse_backup(sql)?;
    let data_dir = &shared.cfg.data_dir;
    let copies: Vec<(String, std::path::PathBuf)> = match b.database {
        Some(name) => {
            if !shared.engine.exists(&name) {
                return Err(PgError::new(
                    SqlState::INVALID_CATALOG_NAME,
                    format!("database \"{name}\" does not exist"),
                ));
            }
            vec![(name, [BACKUP_DIR, &b.target].iter().collect())]
        }
        None => database_files(data_dir)
            .into_iter()
            .map(|n| {
                let file = format!("{n}.db");
                (n, [BACKUP_DIR, &b.target, &file].iter().collect())
            })
            .collect(),
    };
    let mut rows = Vec::with_capacity(copies.len());
    for (name, relative) in &copies {
        let bytes = shared
            .engine
            .backup_database(name, data_dir.join(relative))
            .await?;
        rows.push([
            name.clone(),
            relative.to_string_lossy().into_owned(),
            bytes.to_string(),
        ]);
    }
    backend::row_description(
        out,
        vec![
            field("database", oid::TEXT, -1),
            field("file", oid::TEXT, -1),
            field("bytes", oid::INT8, 8),
        ],
    );
    for r in &rows {
        data_row(out, r);
    }
    Ok(format!("BACKUP {}", rows.len()))
}

/// Serves an admin console session: simple queries only. `_slot` is the session's place
/// under `--max-connections`; the session ends after `--admin-idle-timeout` without a
/// message, and at shutdown.
pub async fn run(
    shared: Arc<Shared>,
    mut conn: Conn,
    _slot: OwnedSemaphorePermit,
    role: ConsoleRole,
) {
    let max_message = shared.cfg.max_message_size;
    let idle = Some(shared.cfg.admin_idle_timeout).filter(|d| !d.is_zero());
    let mut stop = shared.stop.clone();
    loop {
        if *stop.borrow() {
            conn.error(&PgError::fatal(
                SqlState::ADMIN_SHUTDOWN,
                "terminating connection due to administrator command",
            ));
            break;
        }
        // The whole message must arrive in time, not only its first byte.
        let read = async {
            match idle {
                Some(d) => tokio::time::timeout(d, conn.read_frame(true, max_message, None))
                    .await
                    .ok(),
                None => Some(conn.read_frame(true, max_message, None).await),
            }
        };
        let read = tokio::select! {
            biased;
            changed = stop.changed() => {
                if changed.is_err() {
                    break;
                }
                continue;
            }
            r = read => r,
        };
        let frame = match read {
            None => {
                conn.error(&PgError::fatal(
                    SqlState::IDLE_SESSION_TIMEOUT,
                    "terminating connection due to idle-session timeout",
                ));
                break;
            }
            Some(Ok(Read::Frame(f))) => f,
            Some(Ok(Read::Eof | Read::Idle) | Err(ReadError::Io(_))) => break,
            Some(Err(ReadError::Frame(e))) => {
                conn.error(&e.into());
                break;
            }
        };
        match protocol::decode_message(frame) {
            Ok(Frontend::Query(q)) => {
                for stmt in crate::sql::split(&q.query) {
                    let mut out = BytesMut::new();
                    let is_backup = crate::sql::lexer::words(stmt)
                        .next()
                        .is_some_and(|w| w.eq_ignore_ascii_case("BACKUP"));
                    let is_promote = crate::sql::lexer::words(stmt)
                        .map(|w| w.to_ascii_uppercase())
                        .eq(["PROMOTE".to_string()]);
                    let result = if is_backup {
                        backup(&shared, role, stmt, &mut out).await
                    } else if is_promote {
                        promote(&shared, role).await
                    } else {
                        command(&shared, role, stmt, &mut out)
                    };
                    match result {
                        Ok(tag) => {
                            conn.out().extend_from_slice(&out);
                            backend::command_complete(conn.out(), &tag);
                        }
                        Err(e) => {
                            conn.error(&e);
                            break;
                        }
                    }
                }
                backend::ready_for_query(conn.out(), TransactionStatus::Idle);
            }
            Ok(Frontend::Terminate(_)) => break,
            Ok(Frontend::Sync(_)) => backend::ready_for_query(conn.out(), TransactionStatus::Idle),
            Ok(_) => conn.error(&PgError::new(
                SqlState::FEATURE_NOT_SUPPORTED,
                "the admin console supports the simple query protocol only",
            )),
            Err(e) => {
                let fatal = e.is_fatal();
                conn.error(&e);
                if fatal {
                    break;
                }
                backend::ready_for_query(conn.out(), TransactionStatus::Idle);
            }
        }
    }
    let _ = conn.flush().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages() {
        assert_eq!(pct(5, 100), 5.0);
        assert_eq!(pct(1, 0), 0.0);
    }
}
