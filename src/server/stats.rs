//! Server-wide counters (SHOW STATS, `/metrics`) and the slow-statement threshold
//! (`--log-min-duration-statement`). Plain relaxed atomics: a counter costs one add on
//! its path and nothing per client.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::protocol::PgError;

/// One counter: its name (metrics and SHOW STATS) and what it counts.
pub struct Counter {
    pub name: &'static str,
    pub help: &'static str,
    value: AtomicU64,
}

impl Counter {
    const fn new(name: &'static str, help: &'static str) -> Counter {
        Counter {
            name,
            help,
            value: AtomicU64::new(0),
        }
    }

    pub fn add(&self, n: u64) {
        self.value.fetch_add(n, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.value.load(Ordering::Relaxed)
    }
}

pub static CONNECTIONS: Counter = Counter::new(
    "connections",
    "Client connections accepted (TCP and Unix socket).",
);
pub static AUTH_FAILURES: Counter = Counter::new(
    "auth_failures",
    "Connections refused by authentication (no rule, reject, wrong password).",
);
pub static STATEMENTS: Counter = Counter::new(
    "statements",
    "Statements run (each Execute or simple-query statement).",
);
pub static SLOW_STATEMENTS: Counter = Counter::new(
    "slow_statements",
    "Statements that ran at least --log-min-duration-statement.",
);
pub static BYTES_RECEIVED: Counter = Counter::new("bytes_received", "Bytes read from clients.");
pub static BYTES_SENT: Counter = Counter::new("bytes_sent", "Bytes written to clients.");
pub static DURABLE_COMMITS: Counter = Counter::new(
    "durable_commits",
    "Commits acknowledged after waiting for the write-ahead log to be on disk (synchronous_commit on).",
);
pub static WAL_SYNCS: Counter = Counter::new(
    "wal_syncs",
    "fdatasyncs of write-ahead logs; concurrent durable commits share one (group commit).",
);
pub static REPLICATED_COMMITS: Counter = Counter::new(
    "replicated_commits",
    "Commits acknowledged after Litestream stored them in the replica store (--synchronous-replication).",
);
pub static STORE_SYNCS: Counter = Counter::new(
    "store_syncs",
    "Litestream sync-and-wait calls; concurrent replicated commits share one.",
);

/// Every counter, in report order.
pub static COUNTERS: [&Counter; 10] = [
    &CONNECTIONS,
    &AUTH_FAILURES,
    &STATEMENTS,
    &SLOW_STATEMENTS,
    &BYTES_RECEIVED,
    &BYTES_SENT,
    &DURABLE_COMMITS,
    &WAL_SYNCS,
    &REPLICATED_COMMITS,
    &STORE_SYNCS,
];

/// Errors sent to clients, by SQLSTATE class (its first two characters).
static ERRORS: Mutex<Vec<([u8; 2], u64)>> = Mutex::new(Vec::new());

/// Counts an ERROR or FATAL sent to a client.
pub fn count_error(e: &PgError) {
    let code = e.code.0.as_bytes();
    let class = [
        code.first().copied().unwrap_or(b'?'),
        code.get(1).copied().unwrap_or(b'?'),
    ];
    let mut errors = ERRORS.lock().unwrap_or_else(|p| p.into_inner());
    match errors.iter_mut().find(|(c, _)| *c == class) {
        Some((_, n)) => *n += 1,
        None => errors.push((class, 1)),
    }
}

/// Errors by SQLSTATE class, sorted by class.
pub fn errors_by_class() -> Vec<(String, u64)> {
    let errors = ERRORS.lock().unwrap_or_else(|p| p.into_inner());
    let mut out: Vec<(String, u64)> = errors
        .iter()
        .map(|(c, n)| (String::from_utf8_lossy(c).into_owned(), *n))
        .collect();
    out.sort();
    out
}

/// `--log-min-duration-statement` in microseconds; u64::MAX: off.
static SLOW_MICROS: AtomicU64 = AtomicU64::new(u64::MAX);

pub fn set_log_min_duration(d: Option<Duration>) {
    let micros = d.map_or(u64::MAX, |d| {
        d.as_micros().min(u128::from(u64::MAX - 1)) as u64
    });
    SLOW_MICROS.store(micros, Ordering::Relaxed);
}

/// Whether a statement that took `elapsed` is to be logged (and counts as slow).
pub fn is_slow(elapsed: Duration) -> bool {
    let limit = SLOW_MICROS.load(Ordering::Relaxed);
    limit != u64::MAX && elapsed.as_micros() >= u128::from(limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::SqlState;

    #[test]
    fn errors_are_counted_by_class() {
        let before: u64 = errors_by_class()
            .iter()
            .filter(|(c, _)| c == "42")
            .map(|(_, n)| n)
            .sum();
        count_error(&PgError::new(SqlState::UNDEFINED_TABLE, "x"));
        count_error(&PgError::new(SqlState::SYNTAX_ERROR, "y"));
        let after = errors_by_class()
            .into_iter()
            .find(|(c, _)| c == "42")
            .map_or(0, |(_, n)| n);
        assert_eq!(after, before + 2);
    }

    #[test]
    fn slow_threshold() {
        set_log_min_duration(Some(Duration::from_millis(5)));
        assert!(is_slow(Duration::from_millis(5)));
        assert!(!is_slow(Duration::from_millis(4)));
        set_log_min_duration(None);
        assert!(!is_slow(Duration::from_secs(3600)));
    }
}
