//! Session-level advisory locks: `pg_advisory_lock`, `pg_try_advisory_lock`,
//! `pg_advisory_unlock`, `pg_advisory_unlock_all` (Kysely's migrator takes one around
//! its migrations). Locks are per database and per key (a bigint, or two ints: another
//! key space, as in PostgreSQL), held by a session (re-entrant, counted) until it
//! unlocks them or ends (`release_session`). Transaction-level and shared locks are not
//! registered (no such function, 42883).

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::Connection;

use super::error::raise;
use super::functions::SharedSession;
use crate::protocol::{PgError, SqlState};

/// One held lock: database, key (and which key space), holder, times taken.
struct Held {
    database: String,
    key: (i64, bool),
    pid: i32,
    count: u32,
}

/// Every lock held now, in every database (few: a lock is held while a client works).
static HELD: Mutex<Vec<Held>> = Mutex::new(Vec::new());
/// Notified whenever a lock is released.
static RELEASED: Condvar = Condvar::new();

/// How often a waiting session looks whether its statement was cancelled.
const POLL: Duration = Duration::from_millis(50);

fn held() -> std::sync::MutexGuard<'static, Vec<Held>> {
    HELD.lock().unwrap_or_else(|p| p.into_inner())
}

/// Takes the lock for `pid`: at once when free or its own; else waits when `wait`
/// (until released, or the statement is interrupted: 57014), or answers false.
fn lock(
    database: &str,
    key: (i64, bool),
    pid: i32,
    wait: bool,
    interrupted: &dyn Fn() -> bool,
) -> Result<bool, PgError> {
    let mut all = held();
    loop {
        match all
            .iter_mut()
            .find(|h| h.database == database && h.key == key)
        {
            None => {
                all.push(Held {
                    database: database.to_string(),
                    key,
                    pid,
                    count: 1,
                });
                return Ok(true);
            }
            Some(h) if h.pid == pid => {
                h.count += 1;
                return Ok(true);
            }
            Some(_) if !wait => return Ok(false),
            Some(_) => {
                if interrupted() {
                    return Err(PgError::new(
                        SqlState::QUERY_CANCELED,
                        "canceling statement due to user request",
                    ));
                }
                all = RELEASED
                    .wait_timeout(all, POLL)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
        }
    }
}

/// Releases one hold of `pid` on the lock; false when it holds none.
fn unlock(database: &str, key: (i64, bool), pid: i32) -> bool {
    let mut all = held();
    let Some(at) = all
        .iter()
        .position(|h| h.database == database && h.key == key && h.pid == pid)
    else {
        return false;
    };
    all[at].count -= 1;
    if all[at].count == 0 {
        all.swap_remove(at);
        RELEASED.notify_all();
    }
    true
}

/// Releases every lock session `pid` holds (`pg_advisory_unlock_all`, or it ended).
pub fn release_session(pid: i32) {
    let mut all = held();
    let before = all.len();
    all.retain(|h| h.pid != pid);
    if all.len() != before {
        RELEASED.notify_all();
    }
}

/// The key of a call: one bigint, or two ints (their own key space).
fn key(ctx: &Context<'_>) -> rusqlite::Result<Option<(i64, bool)>> {
    if ctx.len() == 1 {
        return Ok(ctx.get::<Option<i64>>(0)?.map(|k| (k, false)));
    }
    let (Some(a), Some(b)) = (ctx.get::<Option<i32>>(0)?, ctx.get::<Option<i32>>(1)?) else {
        return Ok(None);
    };
    Ok(Some(((i64::from(a) << 32) | i64::from(b as u32), true)))
}

fn pid(session: &SharedSession) -> i32 {
    session.lock().map(|s| s.pid).unwrap_or(0)
}

/// Registers the functions on a connection to `database`.
pub fn register(conn: &Connection, database: &str, session: SharedSession) -> rusqlite::Result<()> {
    let volatile = FunctionFlags::SQLITE_UTF8;
    for args in [1, 2] {
        let (db, s) = (database.to_string(), session.clone());
        conn.create_scalar_function("pg_advisory_lock", args, volatile, move |ctx| {
            let Some(key) = key(ctx)? else {
                return Ok(None);
            };
            // SAFETY: the connection running this statement, only asked whether it was
            // interrupted (a cancel request, statement_timeout).
            let conn = unsafe { ctx.get_connection()? };
            lock(&db, key, pid(&s), true, &|| conn.is_interrupted()).map_err(raise)?;
            // void: an empty value.
            Ok(Some(String::new()))
        })?;
        let (db, s) = (database.to_string(), session.clone());
        conn.create_scalar_function("pg_try_advisory_lock", args, volatile, move |ctx| {
            let Some(key) = key(ctx)? else {
                return Ok(None);
            };
            Ok(Some(
                lock(&db, key, pid(&s), false, &|| false).map_err(raise)?,
            ))
        })?;
        let (db, s) = (database.to_string(), session.clone());
        conn.create_scalar_function("pg_advisory_unlock", args, volatile, move |ctx| {
            Ok(key(ctx)?.map(|k| unlock(&db, k, pid(&s))))
        })?;
    }
    let s = session;
    conn.create_scalar_function("pg_advisory_unlock_all", 0, volatile, move |_| {
        release_session(pid(&s));
        Ok(None::<i64>)
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_are_per_session_counted_and_released_with_it() {
        let never = || false;
        let k = (42, false);
        assert_eq!(lock("a", k, 1, false, &never), Ok(true));
        assert_eq!(lock("a", k, 1, false, &never), Ok(true));
        assert_eq!(lock("a", k, 2, false, &never), Ok(false));
        // Another database, another key space: other locks.
        assert_eq!(lock("b", k, 2, false, &never), Ok(true));
        assert_eq!(lock("a", (42, true), 2, false, &never), Ok(true));
        assert!(unlock("a", k, 1));
        assert_eq!(lock("a", k, 2, false, &never), Ok(false));
        assert!(unlock("a", k, 1));
        assert!(!unlock("a", k, 1));
        assert_eq!(lock("a", k, 2, false, &never), Ok(true));
        // A waiter gives up when its statement is interrupted.
        let e = lock("a", k, 3, true, &|| true).unwrap_err();
        assert_eq!(e.code, SqlState::QUERY_CANCELED);
        release_session(2);
        assert_eq!(lock("a", k, 3, false, &never), Ok(true));
        release_session(3);
    }
}
