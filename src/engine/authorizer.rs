//! The SQLite authorizer installed on every connection: what a client's statement may
//! do. It denies ATTACH/DETACH (but for the nameless database VACUUM attaches),
//! `load_extension`, and every PRAGMA not on the allow-list below; it notes statements
//! that change the connection's own state (the connection then stays with its session).
//! Writes to litewire's reserved tables (`engine/objects`: sequences, comments) are
//! denied unless litewire itself runs them.
//!
//! PRAGMAs are allowed, not denied, by name: many are process-wide (`hard_heap_limit`,
//! `soft_heap_limit`), change files (`journal_mode`, `wal_checkpoint`, `page_size`),
//! weaken safety (`trusted_schema`, `writable_schema`, `synchronous`) or reveal the
//! server (`database_list` shows the file's absolute path). A new SQLite pragma is
//! refused until someone decides it is harmless. The pragma table-valued functions
//! (`SELECT * FROM pragma_x(...)`) run a PRAGMA internally and meet the same rules.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::Connection;

/// What the authorizer saw, for the connection's owner to read.
#[derive(Default)]
pub struct AuthNotes {
    /// A statement changed this connection's own state (a PRAGMA setting, a TEMP object).
    stateful: AtomicBool,
    /// A temporary table was given an ON COMMIT action (objects/relations.rs).
    on_commit: AtomicBool,
    /// Why the last PRAGMA was denied, to replace SQLite's bare "not authorized".
    denied: Mutex<Option<String>>,
    /// While Some: the tables statements being prepared read and write (`modifying.rs`).
    accesses: Mutex<Option<Vec<Access>>>,
}

/// A table a statement reads or writes, as the authorizer saw it while preparing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub table: String,
    /// INSERT, UPDATE or DELETE (UPDATE and DELETE also read their rows).
    pub write: Option<Write>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    Insert,
    Update,
    Delete,
}

impl AuthNotes {
    pub fn is_stateful(&self) -> bool {
        self.stateful.load(Ordering::Relaxed)
    }

    /// Whether a temporary table may have an ON COMMIT action to carry out.
    pub fn has_on_commit(&self) -> bool {
        self.on_commit.load(Ordering::Relaxed)
    }

    /// No temporary table has an ON COMMIT action any more.
    pub fn clear_on_commit(&self) {
        self.on_commit.store(false, Ordering::Relaxed);
    }

    /// The message for the PRAGMA the authorizer denied last, if any (taken once).
    pub fn take_denial(&self) -> Option<String> {
        self.denied.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    /// Starts noting the tables statements prepared from now read and write.
    pub fn start_accesses(&self) {
        *self.accesses.lock().unwrap_or_else(|p| p.into_inner()) = Some(Vec::new());
    }

    /// The tables noted since [`AuthNotes::start_accesses`] (noting goes on).
    pub fn take_accesses(&self) -> Vec<Access> {
        let mut a = self.accesses.lock().unwrap_or_else(|p| p.into_inner());
        a.as_mut().map(std::mem::take).unwrap_or_default()
    }

    pub fn stop_accesses(&self) {
        *self.accesses.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    fn note_access(&self, action: &AuthAction<'_>) {
        let (table, write) = match *action {
            AuthAction::Read { table_name, .. } => (table_name, None),
            AuthAction::Insert { table_name } => (table_name, Some(Write::Insert)),
            AuthAction::Update { table_name, .. } => (table_name, Some(Write::Update)),
            AuthAction::Delete { table_name } => (table_name, Some(Write::Delete)),
            _ => return,
        };
        let mut a = self.accesses.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(list) = a.as_mut() {
            let access = Access {
                table: table.to_string(),
                write,
            };
            if !list.contains(&access) {
                list.push(access);
            }
        }
    }

    fn deny(&self, message: String) -> Authorization {
        *self.denied.lock().unwrap_or_else(|p| p.into_inner()) = Some(message);
        Authorization::Deny
    }
}

/// How a PRAGMA may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    /// Reads (the schema, the file's figures, SQLite's lists); any argument, which names
    /// a table or an index or limits the output.
    Query,
    /// A setting that may be read but not changed.
    ReadOnly,
    /// A setting of the caller's own connection: it may be changed, and the connection
    /// then stays with the session.
    Session,
    /// A number in the file header, written like a row (under the write lock).
    Header,
    /// The page cache: changeable up to `--cache-size-kib` (memory is per connection).
    CacheSize,
}

/// The allow-list. Anything else is denied with 42501.
const PRAGMAS: &[(&str, Use)] = &[
    ("table_info", Use::Query),
    ("table_xinfo", Use::Query),
    ("table_list", Use::Query),
    ("index_list", Use::Query),
    ("index_info", Use::Query),
    ("index_xinfo", Use::Query),
    ("foreign_key_list", Use::Query),
    ("foreign_key_check", Use::Query),
    ("integrity_check", Use::Query),
    ("quick_check", Use::Query),
    ("collation_list", Use::Query),
    ("function_list", Use::Query),
    ("module_list", Use::Query),
    ("pragma_list", Use::Query),
    ("compile_options", Use::Query),
    ("page_count", Use::Query),
    ("freelist_count", Use::Query),
    ("data_version", Use::Query),
    // Runs ANALYZE where useful: a write to the caller's own file, as ANALYZE is.
    ("optimize", Use::Query),
    ("encoding", Use::ReadOnly),
    ("page_size", Use::ReadOnly),
    ("schema_version", Use::ReadOnly),
    ("journal_mode", Use::ReadOnly),
    ("synchronous", Use::ReadOnly),
    ("busy_timeout", Use::ReadOnly),
    ("temp_store", Use::ReadOnly),
    ("auto_vacuum", Use::ReadOnly),
    // Turning constraint checks off would let one session store rows that break the
    // constraints every other session relies on: read only.
    ("foreign_keys", Use::ReadOnly),
    ("ignore_check_constraints", Use::ReadOnly),
    ("recursive_triggers", Use::Session),
    ("defer_foreign_keys", Use::Session),
    ("query_only", Use::Session),
    ("case_sensitive_like", Use::Session),
    ("user_version", Use::Header),
    ("application_id", Use::Header),
    ("cache_size", Use::CacheSize),
];

/// Installs the authorizer on `conn`. `page_size` (the file's, read at open; clients
/// cannot change it) and `cache_cap_kib` bound `PRAGMA cache_size`.
pub fn install(
    conn: &mut Connection,
    page_size: u32,
    cache_cap_kib: u32,
) -> rusqlite::Result<Arc<AuthNotes>> {
    let notes = Arc::new(AuthNotes::default());
    let seen = notes.clone();
    conn.authorizer(Some(move |ctx: AuthContext<'_>| {
        authorize(ctx, &seen, page_size, cache_cap_kib)
    }))?;
    Ok(notes)
}

fn authorize(
    ctx: AuthContext<'_>,
    notes: &AuthNotes,
    page_size: u32,
    cache_cap_kib: u32,
) -> Authorization {
    if let Some(table) = written_table(&ctx.action) {
        if !super::objects::may_write(table) {
            return notes.deny(format!(
                "permission denied for table {table}: litewire keeps its objects there"
            ));
        }
    }
    // A rule's trigger reading its NEW or OLD row is no read of the table's stored rows.
    let own_row = matches!(ctx.action, AuthAction::Read { table_name, .. }
        if ctx.accessor.is_some_and(|t| super::objects::rules::is_own_row(t, table_name)));
    if !own_row {
        notes.note_access(&ctx.action);
    }
    match ctx.action {
        // litewire's own temporary tables (a data-modifying WITH's rows) are dropped
        // when the statement ends: the connection stays shareable.
        AuthAction::CreateTempTable { table_name }
            if super::modifying::is_own_table(table_name) =>
        {
            Authorization::Allow
        }
        AuthAction::Insert { table_name }
            if table_name.eq_ignore_ascii_case(&super::objects::ON_COMMIT_TABLE[5..]) =>
        {
            notes.on_commit.store(true, Ordering::Relaxed);
            Authorization::Allow
        }
        // Only the nameless temporary database VACUUM attaches for itself.
        AuthAction::Attach { filename: "" } => Authorization::Allow,
        AuthAction::Attach { .. } | AuthAction::Detach { .. } => Authorization::Deny,
        AuthAction::CreateTempTable { .. }
        | AuthAction::CreateTempIndex { .. }
        | AuthAction::CreateTempTrigger { .. }
        | AuthAction::CreateTempView { .. } => {
            notes.stateful.store(true, Ordering::Relaxed);
            Authorization::Allow
        }
        AuthAction::Function { function_name }
            if function_name.eq_ignore_ascii_case("load_extension") =>
        {
            Authorization::Deny
        }
        AuthAction::Pragma {
            pragma_name,
            pragma_value,
        } => pragma(notes, pragma_name, pragma_value, page_size, cache_cap_kib),
        _ => Authorization::Allow,
    }
}

/// The table (or view, index) a schema change or row write acts on; reserved ones
/// (`objects::PREFIX`) are written only by litewire itself.
fn written_table<'a>(action: &AuthAction<'a>) -> Option<&'a str> {
    match *action {
        AuthAction::Insert { table_name }
        | AuthAction::Delete { table_name }
        | AuthAction::Update { table_name, .. }
        | AuthAction::CreateTable { table_name }
        | AuthAction::CreateTempTable { table_name }
        | AuthAction::DropTable { table_name }
        | AuthAction::DropTempTable { table_name }
        | AuthAction::AlterTable { table_name, .. }
        | AuthAction::CreateIndex { table_name, .. }
        | AuthAction::CreateTempIndex { table_name, .. }
        | AuthAction::CreateTrigger { table_name, .. }
        | AuthAction::CreateTempTrigger { table_name, .. } => Some(table_name),
        AuthAction::CreateView { view_name } | AuthAction::CreateTempView { view_name } => {
            Some(view_name)
        }
        _ => None,
    }
}

fn pragma(
    notes: &AuthNotes,
    name: &str,
    value: Option<&str>,
    page_size: u32,
    cache_cap_kib: u32,
) -> Authorization {
    let class = PRAGMAS
        .iter()
        .find(|(n, _)| name.eq_ignore_ascii_case(n))
        .map(|(_, u)| *u);
    let denied = || format!("permission denied for pragma {}", name.to_ascii_lowercase());
    match (class, value) {
        (None, _) => notes.deny(denied()),
        (Some(Use::Query), _) | (Some(_), None) | (Some(Use::Header), Some(_)) => {
            Authorization::Allow
        }
        (Some(Use::ReadOnly), Some(_)) => notes.deny(format!("{}: it can only be read", denied())),
        (Some(Use::Session), Some(_)) => {
            notes.stateful.store(true, Ordering::Relaxed);
            Authorization::Allow
        }
        (Some(Use::CacheSize), Some(v)) => match cache_kib(v, page_size) {
            Some(kib) if kib <= u64::from(cache_cap_kib) => {
                notes.stateful.store(true, Ordering::Relaxed);
                Authorization::Allow
            }
            _ => notes.deny(format!(
                "{}: at most {cache_cap_kib} KiB (--cache-size-kib)",
                denied()
            )),
        },
    }
}

/// The page cache size `PRAGMA cache_size = v` asks for, in KiB: a negative value is
/// KiB, a positive one pages. None when `v` is not an integer.
fn cache_kib(v: &str, page_size: u32) -> Option<u64> {
    let n: i64 = v
        .trim()
        .trim_matches(|c| c == '\'' || c == '"')
        .parse()
        .ok()?;
    if n < 0 {
        Some(n.unsigned_abs())
    } else {
        (n as u64)
            .checked_mul(u64::from(page_size))
            .map(|b| b / 1024)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(name: &str, value: Option<&str>) -> (bool, bool) {
        let notes = AuthNotes::default();
        let ok = matches!(pragma(&notes, name, value, 4096, 512), Authorization::Allow);
        assert_eq!(ok, notes.take_denial().is_none(), "{name}");
        (ok, notes.is_stateful())
    }

    #[test]
    fn reads_and_own_settings_are_allowed() {
        assert_eq!(allowed("table_info", Some("t")), (true, false));
        assert_eq!(allowed("TABLE_INFO", Some("t")), (true, false));
        assert_eq!(allowed("journal_mode", None), (true, false));
        assert_eq!(allowed("foreign_keys", None), (true, false));
        assert!(!allowed("foreign_keys", Some("off")).0);
        assert!(!allowed("ignore_check_constraints", Some("on")).0);
        assert_eq!(allowed("user_version", Some("3")), (true, false));
        assert_eq!(allowed("cache_size", Some("-512")), (true, true));
        assert_eq!(allowed("cache_size", Some("128")), (true, true));
    }

    #[test]
    fn everything_else_is_denied() {
        for (name, value) in [
            ("hard_heap_limit", Some("1000")),
            ("hard_heap_limit", None),
            ("soft_heap_limit", Some("1")),
            ("trusted_schema", Some("1")),
            ("database_list", None),
            ("mmap_size", Some("1000000")),
            ("journal_mode", Some("delete")),
            ("wal_checkpoint", Some("truncate")),
            ("synchronous", Some("off")),
            ("page_size", Some("512")),
            ("schema_version", Some("1")),
            ("cache_size", Some("-513")),
            ("cache_size", Some("129")),
            ("cache_size", Some("-9223372036854775808")),
            ("cache_size", Some("lots")),
            ("no_such_pragma", None),
        ] {
            assert_eq!(allowed(name, value), (false, false), "{name} {value:?}");
        }
    }
}
