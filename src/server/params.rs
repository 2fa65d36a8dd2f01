//! Session parameters (PostgreSQL's GUCs as far as clients use them): the values sent as
//! ParameterStatus at startup, SET / SHOW / RESET, and the ParameterStatus updates a SET
//! of a reported parameter triggers. Typed parameters (planner and resource settings)
//! are checked by `settings.rs`; a transaction block's end undoes its SETs as PostgreSQL
//! does (a rollback all of them, a commit the SET LOCALs).
//!
//! A session stores only the parameters it changed, so an untouched session costs an
//! empty vector.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::settings::Kind;
use crate::protocol::{PgError, SqlState};
use crate::sql::Isolation;

/// The PostgreSQL version litewire reports unless `--server-version` says otherwise:
/// 15, the version whose behaviour litewire follows, and the newest that pg_dump 15
/// accepts (pg_dump refuses a server newer than itself; psql warns on another major).
pub const DEFAULT_SERVER_VERSION: &str = "15.0";

/// The reported version (`server_version`) and its number (`server_version_num`),
/// set once at startup from `--server-version`.
static SERVER_VERSION: std::sync::OnceLock<(&'static str, &'static str)> =
    std::sync::OnceLock::new();

/// `server_version`: the configured version, else the default.
pub fn server_version() -> &'static str {
    SERVER_VERSION
        .get()
        .map_or(DEFAULT_SERVER_VERSION, |(v, _)| v)
}

/// `server_version_num` of a version `major.minor` (PostgreSQL ≥ 10's numbering):
/// major × 10000 + minor, or None for a value that is not such a version.
pub fn version_num(version: &str) -> Option<u32> {
    let (major, minor) = version.split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(major) || !digits(minor) {
        return None;
    }
    let (major, minor): (u32, u32) = (major.parse().ok()?, minor.parse().ok()?);
    (major >= 10).then_some(major * 10000 + minor)
}

/// Sets the reported version (checked by the flag's parser: `version_num`). Only the
/// first call counts (one server per process; tests start one per process too).
pub fn set_server_version(version: &str) {
    if let Some(num) = version_num(version) {
        let v: &'static str = Box::leak(version.to_owned().into_boxed_str());
        let n: &'static str = Box::leak(num.to_string().into_boxed_str());
        let _ = SERVER_VERSION.set((v, n));
    }
}

/// A known parameter: its canonical name, default, whether changes are reported to
/// the client with ParameterStatus, and how its values are checked (`settings.rs`).
struct Known {
    name: &'static str,
    default: &'static str,
    reported: bool,
    kind: Kind,
}

const fn known(name: &'static str, default: &'static str, reported: bool) -> Known {
    Known {
        name,
        default,
        reported,
        kind: Kind::Text,
    }
}

/// A parameter whose values are checked by their type (`settings.rs`), not reported.
const fn typed(name: &'static str, default: &'static str, kind: Kind) -> Known {
    Known {
        name,
        default,
        reported: false,
        kind,
    }
}

/// The parameters litewire knows, with PostgreSQL 16's defaults (and which of them
/// PostgreSQL reports). Others are refused unless their name has a dot (custom options).
const KNOWN: &[Known] = &[
    known("application_name", "", true),
    known("client_encoding", "UTF8", true),
    known("DateStyle", "ISO, MDY", true),
    Known {
        name: "default_transaction_read_only",
        default: "off",
        reported: true,
        kind: Kind::Bool,
    },
    known("in_hot_standby", "off", true),
    known("integer_datetimes", "on", true),
    known("IntervalStyle", "postgres", true),
    known("is_superuser", "on", true),
    known("server_encoding", "UTF8", true),
    known("server_version", DEFAULT_SERVER_VERSION, true),
    known("session_authorization", "", true),
    known("standard_conforming_strings", "on", true),
    known("TimeZone", "UTC", true),
    known("extra_float_digits", "1", false),
    known("search_path", "\"$user\", public", false),
    known("statement_timeout", "0", false),
    known("lock_timeout", "0", false),
    known("idle_in_transaction_session_timeout", "0", false),
    known("default_transaction_isolation", "read committed", false),
    known("transaction_isolation", "read committed", false),
    typed("transaction_read_only", "off", Kind::Bool),
    typed("default_transaction_deferrable", "off", Kind::Bool),
    known("bytea_output", "hex", false),
    known("client_min_messages", "notice", false),
    known("timezone_abbreviations", "Default", false),
    known("jit", "off", false),
    known("default_table_access_method", "heap", false),
    known("default_tablespace", "", false),
    known("max_identifier_length", "63", false),
    known("server_version_num", "150000", false),
    known("row_security", "on", false),
    typed("synchronous_commit", "on", Kind::Enum(SYNCHRONOUS_COMMIT)),
    known("lc_messages", "C", false),
    known("lc_monetary", "C", false),
    known("lc_numeric", "C", false),
    known("lc_time", "C", false),
    typed("geqo", "on", Kind::Bool),
    // pg_dump turns it off; SQLite scans have no shared position to synchronize.
    typed("synchronize_seqscans", "on", Kind::Bool),
    // What pg_dump sets before a restore: accepted and shown, with PostgreSQL's checks;
    // litewire has no function bodies, XML, tablespaces or table access methods to use
    // them on (checked by name in `normalize`: the one tablespace and access method).
    typed("check_function_bodies", "on", Kind::Bool),
    typed("xmloption", "content", Kind::Enum(&["content", "document"])),
    known("default_tablespace", "", false),
    known("default_table_access_method", "heap", false),
    // Planner and resource settings: accepted, checked and shown with PostgreSQL 15's
    // defaults, ranges and units, without effect (SQLite plans by itself).
    typed("enable_async_append", "on", Kind::Bool),
    typed("enable_bitmapscan", "on", Kind::Bool),
    typed("enable_gathermerge", "on", Kind::Bool),
    typed("enable_hashagg", "on", Kind::Bool),
    typed("enable_hashjoin", "on", Kind::Bool),
    typed("enable_incremental_sort", "on", Kind::Bool),
    typed("enable_indexonlyscan", "on", Kind::Bool),
    typed("enable_indexscan", "on", Kind::Bool),
    typed("enable_material", "on", Kind::Bool),
    typed("enable_memoize", "on", Kind::Bool),
    typed("enable_mergejoin", "on", Kind::Bool),
    typed("enable_nestloop", "on", Kind::Bool),
    typed("enable_parallel_append", "on", Kind::Bool),
    typed("enable_parallel_hash", "on", Kind::Bool),
    typed("enable_partition_pruning", "on", Kind::Bool),
    typed("enable_partitionwise_aggregate", "off", Kind::Bool),
    typed("enable_partitionwise_join", "off", Kind::Bool),
    typed("enable_seqscan", "on", Kind::Bool),
    typed("enable_sort", "on", Kind::Bool),
    typed("enable_tidscan", "on", Kind::Bool),
    typed("parallel_leader_participation", "on", Kind::Bool),
    typed("escape_string_warning", "on", Kind::Bool),
    typed("allow_system_table_mods", "off", Kind::Bool),
    typed("transaction_deferrable", "off", Kind::Bool),
    typed("seq_page_cost", "1", Kind::real(0.0, f64::MAX)),
    typed("random_page_cost", "4", Kind::real(0.0, f64::MAX)),
    typed("cpu_tuple_cost", "0.01", Kind::real(0.0, f64::MAX)),
    typed("cpu_index_tuple_cost", "0.005", Kind::real(0.0, f64::MAX)),
    typed("cpu_operator_cost", "0.0025", Kind::real(0.0, f64::MAX)),
    typed("parallel_tuple_cost", "0.1", Kind::real(0.0, f64::MAX)),
    typed("parallel_setup_cost", "1000", Kind::real(0.0, f64::MAX)),
    typed("jit_above_cost", "100000", Kind::real(-1.0, f64::MAX)),
    typed(
        "jit_inline_above_cost",
        "500000",
        Kind::real(-1.0, f64::MAX),
    ),
    typed(
        "jit_optimize_above_cost",
        "500000",
        Kind::real(-1.0, f64::MAX),
    ),
    typed("cursor_tuple_fraction", "0.1", Kind::real(0.0, 1.0)),
    typed("hash_mem_multiplier", "2", Kind::real(1.0, 1000.0)),
    typed("geqo_selection_bias", "2", Kind::real(1.5, 2.0)),
    typed("geqo_seed", "0", Kind::real(0.0, 1.0)),
    typed("max_parallel_workers_per_gather", "2", Kind::int(0, 1024)),
    typed("max_parallel_maintenance_workers", "2", Kind::int(0, 1024)),
    typed("from_collapse_limit", "8", Kind::int(1, i32::MAX)),
    typed("join_collapse_limit", "8", Kind::int(1, i32::MAX)),
    typed("geqo_threshold", "12", Kind::int(2, i32::MAX)),
    typed("geqo_effort", "5", Kind::int(1, 10)),
    typed("geqo_pool_size", "0", Kind::int(0, i32::MAX)),
    typed("geqo_generations", "0", Kind::int(0, i32::MAX)),
    typed("default_statistics_target", "100", Kind::int(1, 10000)),
    typed("work_mem", "4MB", Kind::kb(64, i32::MAX)),
    typed("maintenance_work_mem", "64MB", Kind::kb(1024, i32::MAX)),
    typed("logical_decoding_work_mem", "64MB", Kind::kb(64, i32::MAX)),
    typed("max_stack_depth", "2MB", Kind::kb(100, i32::MAX)),
    typed("effective_cache_size", "4GB", Kind::blocks(1, i32::MAX)),
    typed(
        "min_parallel_table_scan_size",
        "8MB",
        Kind::blocks(0, i32::MAX / 3),
    ),
    typed(
        "min_parallel_index_scan_size",
        "512kB",
        Kind::blocks(0, i32::MAX / 3),
    ),
    typed("temp_buffers", "8MB", Kind::blocks(100, i32::MAX / 2)),
    typed(
        "constraint_exclusion",
        "partition",
        Kind::Enum(&["partition", "on", "off"]),
    ),
    typed(
        "force_parallel_mode",
        "off",
        Kind::Enum(&["off", "on", "regress"]),
    ),
    typed(
        "plan_cache_mode",
        "auto",
        Kind::Enum(&["auto", "force_generic_plan", "force_custom_plan"]),
    ),
];

/// Parameters that cannot be changed by a session.
const READ_ONLY: &[&str] = &[
    "server_version",
    "server_version_num",
    "server_encoding",
    "integer_datetimes",
    "in_hot_standby",
    "is_superuser",
    "max_identifier_length",
];

/// At most this many custom (dotted) parameters per session, to bound memory.
const MAX_CUSTOM: usize = 64;

fn find(name: &str) -> Option<&'static Known> {
    KNOWN.iter().find(|k| k.name.eq_ignore_ascii_case(name))
}

/// The server's defaults of `idle_in_transaction_session_timeout` and
/// `statement_timeout` in ms (`--idle-in-transaction-timeout`, `--statement-timeout`) and
/// of `synchronous_commit` (`--synchronous-commit`), set once at startup; a session's own
/// SET overrides them and RESET returns to them, as to a postgresql.conf value. Kept
/// here rather than in each session, so an untouched session stores nothing.
static IDLE_IN_TRANSACTION_DEFAULT_MS: AtomicU64 = AtomicU64::new(0);
static STATEMENT_TIMEOUT_DEFAULT_MS: AtomicU64 = AtomicU64::new(0);
static SYNCHRONOUS_COMMIT_DEFAULT: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

/// Sets the server-wide defaults the configuration gives.
pub fn set_server_defaults(
    idle_in_transaction: Duration,
    statement: Duration,
    synchronous_commit: &str,
) {
    // PostgreSQL's range for the timeouts: 0 ..= INT_MAX ms.
    let ms = |d: Duration| {
        u64::try_from(d.as_millis()).map_or(i32::MAX as u64, |ms| ms.min(i32::MAX as u64))
    };
    IDLE_IN_TRANSACTION_DEFAULT_MS.store(ms(idle_in_transaction), Ordering::Relaxed);
    STATEMENT_TIMEOUT_DEFAULT_MS.store(ms(statement), Ordering::Relaxed);
    if let Some(v) = SYNCHRONOUS_COMMIT
        .iter()
        .find(|v| **v == synchronous_commit)
    {
        let _ = SYNCHRONOUS_COMMIT_DEFAULT.set(v);
    }
}

/// A parameter's default: the table's, or the server's setting where a flag gives one.
fn default_of(k: &Known) -> Cow<'static, str> {
    match k.name {
        "idle_in_transaction_session_timeout" => Cow::Owned(format_millis(
            IDLE_IN_TRANSACTION_DEFAULT_MS.load(Ordering::Relaxed),
        )),
        "statement_timeout" => Cow::Owned(format_millis(
            STATEMENT_TIMEOUT_DEFAULT_MS.load(Ordering::Relaxed),
        )),
        "synchronous_commit" => Cow::Borrowed(
            SYNCHRONOUS_COMMIT_DEFAULT
                .get()
                .copied()
                .unwrap_or(k.default),
        ),
        "server_version" => Cow::Borrowed(server_version()),
        // A hot standby (--replica-of) says so, as PostgreSQL 14+ does: libpq's
        // target_session_attrs reads it.
        "in_hot_standby" if crate::engine::standby::is_standby() => Cow::Borrowed("on"),
        "server_version_num" => Cow::Borrowed(SERVER_VERSION.get().map_or(k.default, |(_, n)| n)),
        _ => Cow::Borrowed(k.default),
    }
}

/// `synchronous_commit`'s values (`Params::commit_wait` says what each waits for).
const SYNCHRONOUS_COMMIT: &[&str] = &["local", "remote_write", "remote_apply", "on", "off"];

/// What an acknowledged commit is sure to have reached (`Params::commit_wait`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitWait {
    /// Written to the WAL only (`off`).
    Nothing,
    /// The local disk (an fdatasync of the WAL).
    Disk,
    /// The local disk and the replica store (--synchronous-replication).
    Store,
}

/// One session's parameter values.
#[derive(Debug, Default, Clone)]
pub struct Params {
    /// (canonical name, value) for each parameter that differs from its default.
    overrides: Vec<(Cow<'static, str>, String)>,
    /// Names whose ParameterStatus must be sent before the next ReadyForQuery.
    pending: Vec<&'static str>,
    /// The session's user (`session_authorization`), shared with the session.
    user: Arc<str>,
    /// The isolation level of the open transaction block (`transaction_isolation`);
    /// None outside one, where `default_transaction_isolation` is reported.
    tx_isolation: Option<Isolation>,
    /// The open transaction block is READ ONLY (`transaction_read_only`).
    tx_read_only: bool,
    /// The open transaction block is DEFERRABLE (`transaction_deferrable`).
    tx_deferrable: bool,
    /// What the open block's end undoes; None until its first SET.
    tx_undo: Option<Box<TxUndo>>,
    /// The server's role epoch `in_hot_standby` was last reported at (a PROMOTE
    /// changes it: engine/standby.rs).
    role_epoch: u32,
    /// The session's database is fenced (src/replication/fence.rs): every
    /// transaction is read-only.
    fenced: bool,
}

/// The SETs of an open transaction block, for its end: a rollback restores every value
/// it had at the block's start, a commit undoes only what `SET LOCAL` set.
#[derive(Debug, Clone)]
struct TxUndo {
    /// The overrides at the block's first SET.
    before: Vec<(Cow<'static, str>, String)>,
    /// Parameters last set with SET LOCAL, and their value before it (None: default).
    local: Vec<(Cow<'static, str>, Option<String>)>,
}

impl Params {
    pub fn new(user: Arc<str>) -> Self {
        Params {
            user,
            role_epoch: crate::engine::standby::role_epoch(),
            ..Params::default()
        }
    }

    /// The session's database is fenced: `default_transaction_read_only` starts on
    /// (reported at startup, as for a database altered to it, so that libpq's
    /// `target_session_attrs=read-write` passes it by) and every transaction reads only.
    pub fn set_fenced(&mut self) {
        self.fenced = true;
        self.overrides
            .push((Cow::Borrowed("default_transaction_read_only"), "on".into()));
    }

    /// Marks `in_hot_standby` for a ParameterStatus when the server's role changed
    /// since the session last reported it: PostgreSQL 14+ tells every session of a
    /// promoted standby (before its next ReadyForQuery). One relaxed load.
    pub fn note_role_change(&mut self) {
        let epoch = crate::engine::standby::role_epoch();
        if epoch != self.role_epoch {
            self.role_epoch = epoch;
            self.mark_reported("in_hot_standby");
        }
    }

    /// Frees spare capacity (after startup, before the session may sit idle for long).
    pub fn shrink(&mut self) {
        self.overrides.shrink_to_fit();
        self.pending.shrink_to_fit();
    }

    /// What date/time input reads by: DateStyle's field order and the TimeZone.
    pub fn input_style(&self) -> crate::engine::datetime::InputStyle {
        crate::engine::datetime::InputStyle::from_settings(
            &self.get("DateStyle").unwrap_or_default(),
            &self.get("TimeZone").unwrap_or_default(),
            &self.get("IntervalStyle").unwrap_or_default(),
        )
    }

    /// The current value, or None for a parameter litewire does not know.
    pub fn get(&self, name: &str) -> Option<String> {
        if name.eq_ignore_ascii_case("session_authorization") {
            return Some(self.user.to_string());
        }
        if name.eq_ignore_ascii_case("transaction_isolation") {
            return Some(self.isolation().name().to_string());
        }
        if name.eq_ignore_ascii_case("transaction_read_only") {
            if self.tx_isolation.is_some() {
                return Some(if self.tx_read_only { "on" } else { "off" }.into());
            }
            if self.fenced || crate::engine::standby::is_standby() {
                // Every transaction of a hot standby (or a fenced database) is read-only.
                return Some("on".into());
            }
            return self.get("default_transaction_read_only");
        }
        if name.eq_ignore_ascii_case("transaction_deferrable") {
            if self.tx_isolation.is_some() {
                return Some(if self.tx_deferrable { "on" } else { "off" }.into());
            }
            return self.get("default_transaction_deferrable");
        }
        if let Some((_, v)) = self
            .overrides
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            return Some(v.clone());
        }
        find(name).map(|k| default_of(k).into_owned())
    }

    /// The isolation level of the open transaction block, else the one the next
    /// transaction (explicit or implicit) gets.
    pub fn isolation(&self) -> Isolation {
        self.tx_isolation.unwrap_or_else(|| {
            self.overrides
                .iter()
                .find(|(n, _)| n == "default_transaction_isolation")
                .and_then(|(_, v)| Isolation::from_name(v))
                .unwrap_or_default()
        })
    }

    /// Records the level of the transaction block that starts (Some) or ends (None).
    pub fn set_tx_isolation(&mut self, level: Option<Isolation>) {
        self.tx_isolation = level;
        if level.is_none() {
            self.tx_read_only = false;
            self.tx_deferrable = false;
            // Normally taken by end_block; a block ended otherwise undoes nothing later.
            self.tx_undo = None;
        }
    }

    /// Records whether the open transaction block is READ ONLY.
    pub fn set_tx_read_only(&mut self, read_only: bool) {
        self.tx_read_only = read_only;
    }

    /// Records whether the open transaction block is DEFERRABLE.
    pub fn set_tx_deferrable(&mut self, deferrable: bool) {
        self.tx_deferrable = deferrable;
    }

    /// Sets a parameter from SQL (`SET`) or the startup packet.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), PgError> {
        if name.eq_ignore_ascii_case("role") {
            return self.set_role(value);
        }
        let known = find(name);
        let canonical: Cow<'static, str> = match known {
            Some(k) => Cow::Borrowed(k.name),
            None if name.contains('.') => Cow::Owned(name.to_ascii_lowercase()),
            None => return Err(unknown(name)),
        };
        if READ_ONLY.iter().any(|r| r.eq_ignore_ascii_case(name)) {
            return Err(PgError::new(
                SqlState::CANT_CHANGE_RUNTIME_PARAM,
                format!("parameter \"{name}\" cannot be changed"),
            ));
        }
        let value = match known {
            Some(Known {
                kind: Kind::Text, ..
            })
            | None => normalize(&canonical, value)?,
            Some(k) => k.kind.normalize(k.name, value)?,
        };
        if canonical == "transaction_read_only" {
            // The open block's mode (the session applies it: Session::set_transaction).
            return Ok(());
        }
        if canonical == "transaction_deferrable" {
            // The open block's; it changes nothing here (no serializable read-only
            // snapshots to wait for).
            if self.tx_isolation.is_some() {
                self.tx_deferrable = value == "on";
            }
            return Ok(());
        }
        if canonical == "transaction_isolation" {
            // The open block's level, not a session setting (the session checks when
            // it may change; see Session::set_transaction).
            if let Some(level) = Isolation::from_name(&value) {
                if self.tx_isolation.is_some() {
                    self.tx_isolation = Some(level);
                }
            }
            return Ok(());
        }
        if value.eq_ignore_ascii_case("default") || known.is_some_and(|k| default_of(k) == value) {
            // Only differences from the defaults are stored.
            self.reset(name)?;
            return Ok(());
        }
        match self.overrides.iter_mut().find(|(n, _)| *n == canonical) {
            Some(slot) => slot.1 = value,
            None => {
                if self.overrides.len() >= KNOWN.len() + MAX_CUSTOM {
                    return Err(PgError::new(
                        SqlState::PROGRAM_LIMIT_EXCEEDED,
                        "too many session parameters set",
                    ));
                }
                self.overrides.push((canonical.clone(), value));
            }
        }
        self.mark_reported(&canonical);
        Ok(())
    }

    /// `SET [LOCAL]` inside a transaction block (`in_block`), as PostgreSQL undoes it:
    /// the block's end ([`Params::end_block`]) restores what a rollback or a LOCAL undoes.
    /// `SET LOCAL` outside a block changes nothing (after checking the value); the caller
    /// sends PostgreSQL's warning.
    pub fn set_command(
        &mut self,
        name: &str,
        value: &str,
        local: bool,
        in_block: bool,
    ) -> Result<(), PgError> {
        if !in_block {
            if local {
                return self.clone().set(name, value);
            }
            return self.set(name, value);
        }
        if self.tx_undo.is_none() {
            self.tx_undo = Some(Box::new(TxUndo {
                before: self.overrides.clone(),
                local: Vec::new(),
            }));
        }
        let key: Cow<'static, str> = match find(name) {
            Some(k) => Cow::Borrowed(k.name),
            None => Cow::Owned(name.to_ascii_lowercase()),
        };
        let before = self.stored(&key);
        self.set(name, value)?;
        if let Some(undo) = self.tx_undo.as_mut() {
            if !local {
                undo.local.retain(|(n, _)| *n != key);
            } else if !undo.local.iter().any(|(n, _)| *n == key) {
                undo.local.push((key, before));
            }
        }
        Ok(())
    }

    /// The end of a transaction block: a rollback restores the values of its start, a
    /// commit those SET LOCAL changed.
    pub fn end_block(&mut self, committed: bool) {
        let Some(undo) = self.tx_undo.take() else {
            return;
        };
        if committed {
            for (name, before) in undo.local.into_iter().rev() {
                self.overrides.retain(|(n, _)| *n != name);
                if let Some(v) = before {
                    self.overrides.push((name.clone(), v));
                }
                self.mark_reported(&name);
            }
            return;
        }
        let now = std::mem::replace(&mut self.overrides, undo.before);
        for (name, _) in now.iter().chain(self.overrides.clone().iter()) {
            self.mark_reported(name);
        }
    }

    /// The stored (non-default) value of a parameter, by canonical name.
    fn stored(&self, name: &str) -> Option<String> {
        self.overrides
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    /// `SET ROLE x` / `SET SESSION AUTHORIZATION x`: litewire has one role per session,
    /// its user, so only that one (or NONE / DEFAULT, which mean it) can be taken.
    fn set_role(&mut self, role: &str) -> Result<(), PgError> {
        let same = role.eq_ignore_ascii_case("none")
            || role.eq_ignore_ascii_case("default")
            || role == &*self.user;
        if same {
            return Ok(());
        }
        Err(PgError::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!("role \"{role}\" does not exist"),
        ))
    }

    /// `RESET name` / `RESET ALL`.
    pub fn reset(&mut self, name: &str) -> Result<(), PgError> {
        // RESET ROLE / RESET SESSION AUTHORIZATION: back to the session's user, which
        // it never left (set_role).
        if name.eq_ignore_ascii_case("role") || name.eq_ignore_ascii_case("sessionauthorization") {
            return Ok(());
        }
        if name.eq_ignore_ascii_case("all") {
            let names: Vec<Cow<'static, str>> = self.overrides.drain(..).map(|(n, _)| n).collect();
            for n in names {
                self.mark_reported(&n);
            }
            return Ok(());
        }
        if find(name).is_none() && !name.contains('.') {
            return Err(unknown(name));
        }
        self.overrides
            .retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        if let Some(k) = find(name) {
            self.mark_reported(k.name);
        }
        Ok(())
    }

    fn mark_reported(&mut self, name: &str) {
        if let Some(k) = find(name).filter(|k| k.reported) {
            if !self.pending.contains(&k.name) {
                self.pending.push(k.name);
            }
        }
    }

    /// Parameters changed since the last call, with their values (for ParameterStatus).
    pub fn take_changed(&mut self) -> Vec<(&'static str, String)> {
        let pending = std::mem::take(&mut self.pending);
        pending
            .into_iter()
            .map(|n| (n, self.get(n).unwrap_or_default()))
            .collect()
    }

    /// Every parameter reported at startup, with its value.
    pub fn reported(&self) -> impl Iterator<Item = (&'static str, String)> + '_ {
        KNOWN
            .iter()
            .filter(|k| k.reported)
            .map(|k| (k.name, self.get(k.name).unwrap_or_default()))
    }

    /// Every known parameter with its value (for `SHOW ALL`).
    pub fn all(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = KNOWN
            .iter()
            .map(|k| (k.name.to_string(), self.get(k.name).unwrap_or_default()))
            .collect();
        v.extend(
            self.overrides
                .iter()
                .filter(|(n, _)| find(n).is_none())
                .map(|(n, v)| (n.to_string(), v.clone())),
        );
        v
    }

    /// What a commit that wrote waits for before it is acknowledged
    /// (`synchronous_commit`), as PostgreSQL decides it: with synchronous standbys
    /// (--synchronous-replication, while this node replicates) on, remote_write and
    /// remote_apply wait for the replica store, local for the local disk, off for
    /// nothing; without them every value but off is on (the local disk). Asked only
    /// after a commit that wrote.
    pub fn commit_wait(&self) -> CommitWait {
        let value = match self
            .overrides
            .iter()
            .find(|(n, _)| n == "synchronous_commit")
        {
            Some((_, v)) => v.as_str(),
            None => SYNCHRONOUS_COMMIT_DEFAULT.get().copied().unwrap_or("on"),
        };
        match value {
            "off" => CommitWait::Nothing,
            "local" => CommitWait::Disk,
            _ if crate::replication::sync::enabled() => CommitWait::Store,
            _ => CommitWait::Disk,
        }
    }

    /// `statement_timeout` as a duration (zero: no limit).
    pub fn statement_timeout(&self) -> Duration {
        // Stored values were range-checked by `normalize` (0 ..= i32::MAX ms).
        self.get("statement_timeout")
            .and_then(|v| parse_millis(&v))
            .filter(|ms| (0.0..=f64::from(i32::MAX)).contains(ms))
            .map_or(Duration::ZERO, |ms| Duration::from_millis(ms as u64))
    }

    /// `idle_in_transaction_session_timeout` as a duration (zero: none).
    pub fn idle_in_transaction_timeout(&self) -> Duration {
        self.get("idle_in_transaction_session_timeout")
            .and_then(|v| parse_millis(&v))
            .filter(|ms| (0.0..=f64::from(i32::MAX)).contains(ms))
            .map_or(Duration::ZERO, |ms| Duration::from_millis(ms as u64))
    }

    /// Clears pending reports (used once the startup values have been sent).
    pub fn clear_pending(&mut self) {
        self.pending.clear();
    }
}

fn unknown(name: &str) -> PgError {
    PgError::new(
        SqlState::UNDEFINED_PARAMETER,
        format!("unrecognized configuration parameter \"{name}\""),
    )
}

fn invalid(name: &str, value: &str) -> PgError {
    PgError::new(
        SqlState::INVALID_PARAMETER_VALUE,
        format!("invalid value for parameter \"{name}\": \"{value}\""),
    )
}

/// Validates and normalizes values the way PostgreSQL reports them back.
fn normalize(name: &str, value: &str) -> Result<String, PgError> {
    match name {
        "search_path" => {
            // Unqualified names are public's (sql/translate/schemas.rs): PostgreSQL
            // would look in another schema named here first.
            for part in value.split(',') {
                let part = part.trim().trim_matches('\'');
                let schema = match part.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
                    Some(quoted) => quoted.to_string(),
                    None => part.to_lowercase(),
                };
                let built_in = [
                    "",
                    "$user",
                    "public",
                    "pg_catalog",
                    "pg_temp",
                    "information_schema",
                ];
                if !built_in.contains(&schema.as_str()) && !value.eq_ignore_ascii_case("default") {
                    return Err(crate::sql::translate::unsupported(format!(
                        "a search_path with schema \"{schema}\" (unqualified names are \
                         public's; qualify them: {schema}.name)"
                    )));
                }
            }
            Ok(value.to_string())
        }
        "client_encoding" => {
            let v = value
                .trim_matches('\'')
                .to_ascii_uppercase()
                .replace('-', "");
            if v == "UTF8" || v == "UNICODE" {
                Ok("UTF8".into())
            } else if value.eq_ignore_ascii_case("default") {
                Ok("default".into())
            } else {
                Err(invalid(name, value).with_hint("litewire speaks UTF8 only."))
            }
        }
        "statement_timeout" | "lock_timeout" | "idle_in_transaction_session_timeout" => {
            if value.eq_ignore_ascii_case("default") {
                return Ok("default".into());
            }
            let ms = parse_millis(value).ok_or_else(|| invalid(name, value))?;
            if ms.abs() > f64::from(i32::MAX) {
                return Err(invalid(name, value).with_hint("Value exceeds integer range."));
            }
            if ms < 0.0 {
                return Err(PgError::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    format!(
                        "{ms} ms is outside the valid range for parameter \"{name}\" (0 .. {})",
                        i32::MAX
                    ),
                ));
            }
            Ok(format_millis(ms as u64))
        }
        "default_transaction_isolation" | "transaction_isolation" => {
            if value.eq_ignore_ascii_case("default") {
                return Ok("default".into());
            }
            match Isolation::from_name(value.trim_matches('\'')) {
                Some(level) => Ok(level.name().into()),
                None => Err(invalid(name, value).with_hint(
                    "Available values: serializable, repeatable read, read committed, read uncommitted.",
                )),
            }
        }
        "DateStyle" => {
            // Output is ISO only; the field order is honoured by date/time input
            // (engine/datetime.rs). Another output style would be accepted and ignored.
            let mut order = None;
            for t in value
                .split([',', ' '])
                .map(|t| t.trim().trim_matches('\'').to_ascii_uppercase())
                .filter(|t| !t.is_empty())
            {
                match t.as_str() {
                    "ISO" | "DEFAULT" => {}
                    "MDY" | "US" | "NONEURO" | "NONEUROPEAN" => order = Some("MDY"),
                    "DMY" | "EURO" | "EUROPEAN" => order = Some("DMY"),
                    "YMD" => order = Some("YMD"),
                    _ => {
                        return Err(invalid(name, value)
                            .with_hint("litewire supports DateStyle ISO output only."))
                    }
                }
            }
            Ok(format!("ISO, {}", order.unwrap_or("MDY")))
        }
        "TimeZone" => {
            // LOCAL and DEFAULT are the server's zone: UTC.
            let v = value.trim();
            if v.eq_ignore_ascii_case("local") || v.eq_ignore_ascii_case("default") {
                return Ok("default".into());
            }
            if let Some(interval) = strip_keyword(v, "interval") {
                return interval_zone(interval).map_err(|detail| match detail {
                    Some(d) => invalid(name, value).with_detail(d),
                    None => invalid(name, value),
                });
            }
            match crate::engine::datetime::session_zone(v) {
                Some(zone) => Ok(zone.display_name(v)),
                None => Err(invalid(name, value)),
            }
        }
        "default_tablespace" | "default_table_access_method"
            if value.eq_ignore_ascii_case("default") =>
        {
            Ok("default".into())
        }
        "default_tablespace" => match value.trim() {
            v @ ("" | "pg_default") => Ok(v.to_string()),
            v => {
                Err(invalid(name, value).with_detail(format!("Tablespace \"{v}\" does not exist.")))
            }
        },
        "default_table_access_method" => match value.trim() {
            "heap" => Ok("heap".into()),
            v => Err(invalid(name, value)
                .with_detail(format!("Table access method \"{v}\" does not exist."))),
        },
        "bytea_output" => match value
            .trim()
            .trim_matches('\'')
            .to_ascii_lowercase()
            .as_str()
        {
            v @ ("hex" | "escape") => Ok(v.to_string()),
            _ => Err(invalid(name, value).with_hint("Available values: escape, hex.")),
        },
        "IntervalStyle" => {
            let v = value.trim().trim_matches('\'').to_ascii_lowercase();
            match v.as_str() {
                "default" => Ok("postgres".into()),
                "postgres" | "postgres_verbose" | "sql_standard" | "iso_8601" => Ok(v),
                _ => Err(invalid(name, value).with_hint(
                    "Available values: postgres, postgres_verbose, sql_standard, iso_8601.",
                )),
            }
        }
        _ => Ok(value.to_string()),
    }
}

/// `v` without its leading keyword `word` (any case), if it starts with it.
fn strip_keyword<'a>(v: &'a str, word: &str) -> Option<&'a str> {
    let head = v.get(..word.len())?;
    let rest = &v[word.len()..];
    (head.eq_ignore_ascii_case(word) && rest.starts_with(char::is_whitespace)).then(|| rest.trim())
}

/// `SET TIME ZONE INTERVAL '+05:30' HOUR TO MINUTE` (Sequelize sends it on connect): a
/// fixed offset east of UTC, named as PostgreSQL names it, `<+05:30>-05:30` (a POSIX
/// zone, hours west after the name). Err(Some(detail)) for an interval with days or
/// months, as PostgreSQL refuses it.
fn interval_zone(spec: &str) -> Result<String, Option<String>> {
    use crate::engine::datetime::{interval_in, IntervalRange};
    let rest = spec.strip_prefix('\'').ok_or(None)?;
    let end = rest.find('\'').ok_or(None)?;
    let range = IntervalRange::from_fields(&rest[end + 1..]).ok_or(None)?;
    let iv = interval_in(&rest[..end], range).map_err(|_| None)?;
    if iv.months != 0 || iv.days != 0 {
        return Err(Some("Cannot specify days in time zone interval.".into()));
    }
    let secs = iv.micros / 1_000_000;
    if secs.abs() >= 15 * 3600 || iv.micros % 1_000_000 != 0 {
        return Err(None);
    }
    let a = secs.abs();
    let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
    let digits = match (m, s) {
        (0, 0) => format!("{h:02}"),
        (_, 0) => format!("{h:02}:{m:02}"),
        _ => format!("{h:02}:{m:02}:{s:02}"),
    };
    // UTC itself is `<+00>-00`.
    let (east, west) = if secs < 0 { ('-', '+') } else { ('+', '-') };
    Ok(format!("<{east}{digits}>{west}{digits}"))
}

/// PostgreSQL's millisecond settings: a number, perhaps fractional or negative, in
/// milliseconds or with a unit (us, ms, s, min, h, d), rounded to whole milliseconds.
/// Range checks are the caller's: the value may be out of any range, even infinite.
fn parse_millis(v: &str) -> Option<f64> {
    let v = v.trim().trim_matches('\'').trim();
    // SET's parser hands `-1` over as `- 1`.
    let (sign, v) = match v.strip_prefix('-') {
        Some(rest) => (-1.0, rest.trim_start()),
        None => (1.0, v.strip_prefix('+').unwrap_or(v).trim_start()),
    };
    let split = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    let n: f64 = sign * num.parse::<f64>().ok()?;
    let per_unit = match unit.trim() {
        "" | "ms" => 1.0,
        "us" => 0.001,
        "s" => 1_000.0,
        "min" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        _ => return None,
    };
    Some((n * per_unit).round())
}

/// A millisecond setting as PostgreSQL shows it: in the largest unit that divides it.
fn format_millis(ms: u64) -> String {
    const UNITS: [(u64, &str); 4] = [
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "min"),
        (1000, "s"),
    ];
    if ms == 0 {
        return "0".into();
    }
    match UNITS.iter().find(|(size, _)| ms.is_multiple_of(*size)) {
        Some((size, unit)) => format!("{}{unit}", ms / size),
        None => format!("{ms}ms"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_show_reset() {
        let mut p = Params::default();
        assert_eq!(p.get("datestyle").as_deref(), Some("ISO, MDY"));
        p.set("application_name", "app").unwrap();
        assert_eq!(p.get("APPLICATION_NAME").as_deref(), Some("app"));
        assert_eq!(
            p.take_changed(),
            vec![("application_name", "app".to_string())]
        );
        p.set("statement_timeout", "1500").unwrap();
        assert_eq!(p.statement_timeout(), Duration::from_millis(1500));
        assert_eq!(p.get("statement_timeout").as_deref(), Some("1500ms"));
        p.reset("all").unwrap();
        assert_eq!(p.get("application_name").as_deref(), Some(""));
        assert_eq!(p.statement_timeout(), Duration::ZERO);
    }

    #[test]
    fn refusals() {
        let mut p = Params::default();
        assert_eq!(
            p.set("no_such_thing", "1").unwrap_err().code,
            SqlState::UNDEFINED_PARAMETER
        );
        assert!(p.set("my.custom", "1").is_ok());
        assert_eq!(
            p.set("server_version", "9").unwrap_err().code,
            SqlState::CANT_CHANGE_RUNTIME_PARAM
        );
        assert_eq!(
            p.set("client_encoding", "LATIN1").unwrap_err().code,
            SqlState::INVALID_PARAMETER_VALUE
        );
        assert!(p.set("client_encoding", "'utf-8'").is_ok());
        let e = p.set("default_transaction_isolation", "bogus").unwrap_err();
        assert_eq!(e.code, SqlState::INVALID_PARAMETER_VALUE);
        // Dates print as ISO only; IntervalStyle takes PostgreSQL's four.
        for (name, value) in [
            ("DateStyle", "SQL"),
            ("DateStyle", "German, DMY"),
            ("IntervalStyle", "iso8601"),
        ] {
            let e = p.set(name, value).unwrap_err();
            assert_eq!(e.code, SqlState::INVALID_PARAMETER_VALUE, "{name} {value}");
        }
        assert!(p.set("DateStyle", "mdy").is_ok());
        p.set("DateStyle", "ymd").unwrap();
        assert_eq!(p.get("DateStyle").as_deref(), Some("ISO, YMD"));
        assert!(p.set("IntervalStyle", "postgres").is_ok());
        p.set("IntervalStyle", "SQL_Standard").unwrap();
        assert_eq!(p.get("IntervalStyle").as_deref(), Some("sql_standard"));
    }

    #[test]
    fn isolation() {
        let mut p = Params::default();
        assert_eq!(p.isolation(), Isolation::ReadCommitted);
        p.set("default_transaction_isolation", "'REPEATABLE READ'")
            .unwrap();
        assert_eq!(
            p.get("default_transaction_isolation").as_deref(),
            Some("repeatable read")
        );
        // Outside a block, transaction_isolation reports the default.
        assert_eq!(
            p.get("transaction_isolation").as_deref(),
            Some("repeatable read")
        );
        p.set_tx_isolation(Some(Isolation::Serializable));
        assert_eq!(p.isolation(), Isolation::Serializable);
        p.set("transaction_isolation", "read committed").unwrap();
        assert_eq!(
            p.get("transaction_isolation").as_deref(),
            Some("read committed")
        );
        p.set_tx_isolation(None);
        assert_eq!(p.isolation(), Isolation::RepeatableRead);
    }

    /// PostgreSQL 15: a rollback undoes the block's SETs, a commit its SET LOCALs (to
    /// the value before them, which may be the block's own SET).
    #[test]
    fn sets_in_a_block_are_undone_as_postgresql_does() {
        let mut p = Params::default();
        p.set_command("work_mem", "1MB", true, false).unwrap();
        assert_eq!(p.get("work_mem").as_deref(), Some("4MB"));
        assert!(p.set_command("work_mem", "x", true, false).is_err());
        p.set_command("work_mem", "2MB", false, true).unwrap();
        p.set_command("work_mem", "3MB", true, true).unwrap();
        assert_eq!(p.get("work_mem").as_deref(), Some("3MB"));
        p.end_block(true);
        assert_eq!(p.get("work_mem").as_deref(), Some("2MB"));
        p.set_command("work_mem", "5MB", true, true).unwrap();
        p.set_command("work_mem", "6MB", false, true).unwrap();
        p.end_block(true);
        assert_eq!(p.get("work_mem").as_deref(), Some("6MB"));
        p.set_command("work_mem", "7MB", false, true).unwrap();
        p.set_command("application_name", "x", false, true).unwrap();
        p.take_changed();
        p.end_block(false);
        assert_eq!(p.get("work_mem").as_deref(), Some("6MB"));
        assert_eq!(p.get("application_name").as_deref(), Some(""));
        assert_eq!(p.take_changed(), vec![("application_name", String::new())]);
    }

    #[test]
    fn durations_shown_as_postgresql_does() {
        assert_eq!(format_millis(200), "200ms");
        assert_eq!(format_millis(90_000), "90s");
        assert_eq!(format_millis(60_000), "1min");
        assert_eq!(format_millis(7_200_000), "2h");
        assert_eq!(format_millis(86_400_000), "1d");
    }

    /// PostgreSQL's range for millisecond settings is 0 ..= INT_MAX (checked against
    /// PostgreSQL 15, including the texts).
    #[test]
    fn timeouts_are_range_checked() {
        let mut p = Params::default();
        for v in [
            "99999999999",
            "2147483648",
            "2147484s",
            "99999999999999999999999min",
        ] {
            let e = p.set("statement_timeout", v).unwrap_err();
            assert_eq!(e.code, SqlState::INVALID_PARAMETER_VALUE, "{v}");
            assert_eq!(
                e.message,
                format!("invalid value for parameter \"statement_timeout\": \"{v}\"")
            );
            assert_eq!(e.hint.as_deref(), Some("Value exceeds integer range."));
        }
        let e = p.set("lock_timeout", "-5s").unwrap_err();
        assert_eq!(
            e.message,
            "-5000 ms is outside the valid range for parameter \"lock_timeout\" (0 .. 2147483647)"
        );
        assert!(p.set("statement_timeout", "NaN").is_err());
        for (v, shown) in [
            ("2147483647", "2147483647ms"),
            ("2147483s", "2147483s"),
            ("1.5s", "1500ms"),
            ("10 min", "10min"),
            ("1d", "1d"),
            ("0", "0"),
        ] {
            p.set("statement_timeout", v).unwrap();
            assert_eq!(p.get("statement_timeout").as_deref(), Some(shown), "{v}");
        }
        p.set("statement_timeout", "2147483647").unwrap();
        assert_eq!(p.statement_timeout(), Duration::from_millis(2147483647));
    }
}
