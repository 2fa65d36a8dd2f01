//! Prepared SQLite statements held across calls, through SQLite's C API.
//!
//! rusqlite's `Statement` borrows its `Connection` and resets itself when its row iterator
//! is dropped, so it cannot stay half-read between two Execute messages (a suspended
//! portal) or sit in a cache that moves with the connection. [`Conn`] owns the connection
//! together with its raw statements — cached ones and those of suspended portals — and
//! finalizes all of them before the connection closes, so no statement outlives its
//! connection. All unsafe code of litewire is in this file.

use std::ffi::{c_int, CStr};
use std::ptr::NonNull;

use rusqlite::ffi;
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::error::to_pg;
use crate::protocol::{PgError, SqlState};

/// Highest parameter number: a Bind message counts its values in 16 bits.
pub const MAX_PARAMETERS: usize = u16::MAX as usize;

/// A value bound to a statement parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// One prepared `sqlite3_stmt`, owned by the [`Conn`] it was prepared on.
pub struct RawStmt {
    ptr: NonNull<ffi::sqlite3_stmt>,
    sql: Box<str>,
    /// It holds `'name'::regclass` literals, looked up before each run (functions.rs).
    relation_literals: bool,
}

// SAFETY: a statement is used only together with its connection, which is owned by the
// same `Conn` and moves between threads with it; never by two threads at once.
unsafe impl Send for RawStmt {}

impl Drop for RawStmt {
    fn drop(&mut self) {
        // SAFETY: ptr came from sqlite3_prepare_v3 and is finalized exactly once; `Conn`
        // drops its statements before its connection.
        unsafe {
            ffi::sqlite3_finalize(self.ptr.as_ptr());
        }
    }
}

/// A connection with its statement cache and the statements of suspended portals.
pub struct Conn {
    // Field order matters: statements are dropped (finalized) before the connection.
    cache: Vec<RawStmt>,
    cursors: Vec<(String, RawStmt)>,
    capacity: usize,
    /// Statements with comparison markers as expanded (compare.rs): (text, schema
    /// version read at, expanded text), newest last, at most `capacity`.
    compared: Vec<(Box<str>, i64, Box<str>)>,
    /// Read by the session functions (`pg_backend_pid()`, `current_user`).
    session: super::functions::SharedSession,
    /// Set by the authorizer: per-connection state changed, the last PRAGMA denied.
    notes: std::sync::Arc<super::authorizer::AuthNotes>,
    /// A standby's: the database's generation its file belongs to (database.rs).
    pub(super) generation: u64,
    /// Whether the pg_catalog tables are registered on this connection.
    catalog: bool,
    /// A suspended data-modifying WITH's temporary tables (modifying.rs), dropped with
    /// the portals.
    with_tables: Vec<String>,
    /// Rounds of SQL function inlining in the statement being prepared.
    inlining: usize,
    sqlite: Connection,
    /// This connection's share of `--max-open-connections`, given back when it closes
    /// (after `sqlite`, declared above, is dropped).
    open_permit: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        // The nested statements nextval keeps (functions::SessionInfo) go first.
        if let Ok(mut s) = self.session.lock() {
            s.nested = None;
        }
    }
}

impl Conn {
    /// Keeps the permit that counts this connection as open.
    pub fn hold(&mut self, permit: tokio::sync::OwnedSemaphorePermit) {
        self.open_permit = Some(permit);
    }

    pub fn new(
        sqlite: Connection,
        capacity: usize,
        session: super::functions::SharedSession,
        notes: std::sync::Arc<super::authorizer::AuthNotes>,
    ) -> Self {
        Conn {
            cache: Vec::new(),
            cursors: Vec::new(),
            capacity,
            compared: Vec::new(),
            session,
            notes,
            catalog: false,
            generation: 0,
            with_tables: Vec::new(),
            inlining: 0,
            sqlite,
            open_permit: None,
        }
    }

    /// True once a statement changed this connection's own state (a PRAGMA setting or
    /// a TEMP object): it then belongs to one session and is never shared again.
    pub fn is_stateful(&self) -> bool {
        self.notes.is_stateful()
    }

    /// The authorizer's notes (what a statement being prepared reads and writes).
    pub fn notes(&self) -> &super::authorizer::AuthNotes {
        &self.notes
    }

    /// Records which session runs the next statements (for the session functions).
    pub fn set_session(&self, pid: i32, user: &std::sync::Arc<str>) {
        if let Ok(mut s) = self.session.lock() {
            if s.pid != pid {
                s.pid = pid;
                s.user = user.clone();
            }
        }
    }

    /// Hands the running statement's `pg_prepared_statements` rows to the catalog.
    pub fn set_prepared(
        &self,
        prepared: Option<std::sync::Arc<str>>,
        settings: Option<std::sync::Arc<str>>,
    ) {
        if let Ok(mut s) = self.session.lock() {
            s.prepared = prepared;
            s.settings = settings;
        }
    }

    /// Registers the catalog tables and functions now (statements on sequences and
    /// comments call its functions).
    pub fn ensure_catalog(&mut self) -> Result<(), PgError> {
        if !self.catalog {
            super::catalog::register(&self.sqlite, self.session.clone()).map_err(|e| to_pg(&e))?;
            self.catalog = true;
        }
        Ok(())
    }

    pub fn sqlite(&self) -> &Connection {
        &self.sqlite
    }

    /// Frees the page cache's unused pages (a standby's, before a read transaction).
    pub fn release_cache(&self) {
        // SAFETY: a call on this open connection; it only frees unreferenced pages.
        unsafe {
            ffi::sqlite3_db_release_memory(self.db());
        }
    }

    fn db(&self) -> *mut ffi::sqlite3 {
        // SAFETY: only used for calls on this connection while `self` is borrowed.
        unsafe { self.sqlite.handle() }
    }

    fn error(&self, code: c_int) -> PgError {
        // SAFETY: reading the connection's last error message.
        let msg = unsafe {
            let p = ffi::sqlite3_errmsg(self.db());
            if p.is_null() {
                String::from("unknown error")
            } else {
                CStr::from_ptr(p).to_string_lossy().into_owned()
            }
        };
        let ext = unsafe { ffi::sqlite3_extended_errcode(self.db()) };
        let code = if ext != 0 { ext } else { code };
        let mut e = to_pg(&rusqlite::Error::SqliteFailure(
            ffi::Error::new(code),
            Some(msg),
        ));
        if code & 0xff == ffi::SQLITE_CONSTRAINT {
            e = super::constraints::reword(&self.sqlite, code, e);
        }
        // A denied PRAGMA says which one (SQLite's message is a bare "not authorized").
        if let Some(denial) = self.notes.take_denial() {
            if e.code == crate::protocol::SqlState::INSUFFICIENT_PRIVILEGE {
                e.message = denial;
                e = e.with_hint(
                    "Allowed are PRAGMAs that read, or change only the session's own connection.",
                );
            }
        }
        e
    }

    /// A prepared statement for `sql`: from the cache, or newly prepared. Returns None for
    /// text holding no statement (only white space or comments).
    /// Registers the pg_catalog tables and the functions registered with them now, for
    /// SQL run through rusqlite (`alter.rs`), which does not pass through [`Conn::prepare`].
    pub fn prepare(&mut self, sql: &str) -> Result<Option<RawStmt>, PgError> {
        self.prepare_with(sql, true)
    }

    /// [`Conn::prepare`] compiling anew, not taken from the cache: the authorizer then
    /// sees what the statement reads and writes (`modifying.rs`).
    pub fn prepare_fresh(&mut self, sql: &str) -> Result<Option<RawStmt>, PgError> {
        self.prepare_with(sql, false)
    }

    fn prepare_with(&mut self, sql: &str, cached: bool) -> Result<Option<RawStmt>, PgError> {
        // Comparisons of columns by their types (compare.rs).
        let compared = self.compared(sql)?;
        let sql = compared.as_deref().unwrap_or(sql);
        if let Some(i) = self
            .cache
            .iter()
            .position(|s| &*s.sql == sql)
            .filter(|_| cached)
        {
            let stmt = self.cache.swap_remove(i);
            if stmt.relation_literals {
                super::functions::check_relation_literals(&self.sqlite, &stmt.sql)?;
            }
            return Ok(Some(stmt));
        }
        // A record type's columns, which only the schema knows (engine/jsonb/record.rs);
        // kept under the expanded text, so a changed type is read again.
        let expanded = super::jsonb::record::expand(self, sql)?;
        let sql = expanded.as_deref().unwrap_or(sql);
        // DEFAULT and an INSERT's implicit column list, read from the schema (dml.rs).
        let defaults = super::dml::expand(self, sql)?;
        let sql = defaults.as_deref().unwrap_or(sql);
        let mut ptr = std::ptr::null_mut();
        let mut tail = std::ptr::null();
        let len = c_int::try_from(sql.len()).map_err(|_| {
            PgError::new(
                crate::protocol::SqlState::PROGRAM_LIMIT_EXCEEDED,
                "statement too long",
            )
        })?;
        // SAFETY: sql is valid for len bytes; out-pointers are valid.
        let rc = unsafe {
            ffi::sqlite3_prepare_v3(
                self.db(),
                sql.as_ptr().cast(),
                len,
                ffi::SQLITE_PREPARE_PERSISTENT,
                &mut ptr,
                &mut tail,
            )
        };
        if rc != ffi::SQLITE_OK {
            let e = self.error(rc);
            // An INSERT naming no columns with rows shorter than the table (dml.rs).
            if let Some(widened) = super::dml::short_rows(self, sql, &e.message) {
                return self.prepare_with(&widened, cached);
            }
            // The pg_catalog tables and functions are registered on first use (see
            // catalog/): each costs every connection memory.
            if !self.catalog
                && [
                    // (SQLite's `no such table: x` in PostgreSQL's words: error.rs.)
                    "relation \"pg_",
                    "relation \"information_schema_",
                    "no such function: ",
                    // A function in a DEFAULT, coded when the INSERT is prepared.
                    "unknown function: ",
                ]
                .iter()
                .any(|m| e.message.starts_with(m))
            {
                self.catalog = true;
                if super::catalog::register(&self.sqlite, self.session.clone()).is_ok() {
                    return self.prepare_with(sql, cached);
                }
            }
            // A sequence read as a relation (`SELECT last_value FROM s`, pg_dump's).
            // (SQLite's `no such table: s`, in PostgreSQL's words: error.rs.)
            let missing = e
                .message
                .strip_prefix("relation \"")
                .and_then(|m| m.strip_suffix("\" does not exist"));
            if let Some(missing) = missing {
                if let Some(read) = super::objects::sequence_as_relation(&self.sqlite, sql, missing)
                {
                    return self.prepare_with(&read, cached);
                }
            }
            // A SQL function litewire keeps (objects/routines.rs): its body in place of
            // each call, then prepared again.
            if let Some(name) = e.message.strip_prefix("no such function: ") {
                if let Some(inlined) =
                    super::objects::inline_functions(&self.sqlite, sql, name, self.inlining)?
                {
                    self.inlining += 1;
                    let r = self.prepare_with(&inlined, cached);
                    self.inlining = 0;
                    return r;
                }
            }
            return Err(e);
        }
        let Some(ptr) = NonNull::new(ptr) else {
            return Ok(None);
        };
        let relation_literals = super::functions::has_relation_literals(sql);
        let stmt = RawStmt {
            ptr,
            sql: sql.into(),
            relation_literals,
        };
        if relation_literals {
            super::functions::check_relation_literals(&self.sqlite, sql)?;
        }
        // SAFETY: tail points into `sql` (or its end).
        let used = unsafe { tail.cast::<u8>().offset_from(sql.as_ptr()) } as usize;
        if sql[used.min(sql.len())..]
            .trim_matches(|c: char| c.is_whitespace() || c == ';')
            .is_empty()
        {
            Ok(Some(stmt))
        } else {
            Err(PgError::new(
                crate::protocol::SqlState::SYNTAX_ERROR,
                "cannot insert multiple commands into a prepared statement",
            ))
        }
    }

    /// `sql` with its comparison markers expanded (compare.rs), kept until the schema
    /// changes; None when it has none.
    fn compared(&mut self, sql: &str) -> Result<Option<String>, PgError> {
        if !super::compare::has_markers(sql) {
            return Ok(None);
        }
        let version: i64 = self
            .sqlite
            .prepare_cached("PRAGMA schema_version")
            .and_then(|mut q| q.query_row([], |r| r.get(0)))
            .unwrap_or(-1);
        if let Some((_, v, expanded)) = self.compared.iter().find(|(text, _, _)| &**text == sql) {
            if *v == version {
                return Ok(Some(expanded.to_string()));
            }
        }
        let Some(expanded) = super::compare::expand(&self.sqlite, sql)? else {
            return Ok(None);
        };
        self.compared.retain(|(text, _, _)| &**text != sql);
        if self.compared.len() >= self.capacity.max(1) {
            self.compared.remove(0);
        }
        self.compared
            .push((sql.into(), version, expanded.clone().into_boxed_str()));
        Ok(Some(expanded))
    }

    /// Resets a statement and keeps it for reuse (dropping the oldest beyond capacity).
    pub fn recycle(&mut self, mut stmt: RawStmt) {
        stmt.reset();
        if self.capacity == 0 {
            return;
        }
        if self.cache.len() >= self.capacity {
            self.cache.remove(0);
        }
        self.cache.push(stmt);
    }

    /// Parks a half-read statement for a suspended portal.
    pub fn park(&mut self, portal: &str, stmt: RawStmt) {
        self.drop_cursor(portal);
        self.cursors.push((portal.to_string(), stmt));
    }

    /// Takes back the statement of a suspended portal.
    pub fn unpark(&mut self, portal: &str) -> Option<RawStmt> {
        let i = self.cursors.iter().position(|(p, _)| p == portal)?;
        Some(self.cursors.swap_remove(i).1)
    }

    pub fn drop_cursor(&mut self, portal: &str) {
        if let Some(stmt) = self.unpark(portal) {
            self.recycle(stmt);
        }
    }

    /// Closes every suspended portal (at transaction end).
    pub fn drop_cursors(&mut self) {
        for (_, stmt) in std::mem::take(&mut self.cursors) {
            self.recycle(stmt);
        }
        let tables = std::mem::take(&mut self.with_tables);
        // Gone already when the transaction rolled back.
        let _ = super::modifying::drop_tables(self, tables.iter().map(String::as_str));
    }

    /// Keeps the temporary tables a suspended portal reads until the portals close.
    pub fn keep_with_tables(&mut self, tables: impl Iterator<Item = String>) {
        for t in tables {
            if !self.with_tables.contains(&t) {
                self.with_tables.push(t);
            }
        }
    }

    /// Whether `portal` has a suspended statement here.
    pub fn is_parked(&self, portal: &str) -> bool {
        self.cursors.iter().any(|(p, _)| p == portal)
    }

    pub fn has_cursors(&self) -> bool {
        !self.cursors.is_empty()
    }

    /// Heap bytes SQLite holds for this connection: page cache, schema, statements.
    pub fn heap_bytes(&self) -> u64 {
        let mut total = 0u64;
        for op in [
            ffi::SQLITE_DBSTATUS_CACHE_USED,
            ffi::SQLITE_DBSTATUS_SCHEMA_USED,
            ffi::SQLITE_DBSTATUS_STMT_USED,
        ] {
            let (mut cur, mut hi) = (0, 0);
            // SAFETY: reading counters of a connection nobody else is using (callers
            // hold it idle or leased).
            unsafe {
                ffi::sqlite3_db_status(self.db(), op, &mut cur, &mut hi, 0);
            }
            total += cur.max(0) as u64;
        }
        total
    }

    pub fn is_autocommit(&self) -> bool {
        self.sqlite.is_autocommit()
    }

    pub fn changes(&self) -> u64 {
        self.sqlite.changes()
    }
}

impl RawStmt {
    fn p(&self) -> *mut ffi::sqlite3_stmt {
        self.ptr.as_ptr()
    }

    /// The text SQLite compiled (after litewire's expansions).
    pub fn text(&self) -> &str {
        &self.sql
    }

    pub fn reset(&mut self) {
        // SAFETY: valid statement.
        unsafe {
            ffi::sqlite3_reset(self.p());
            ffi::sqlite3_clear_bindings(self.p());
        }
    }

    pub fn readonly(&self) -> bool {
        // SAFETY: valid statement.
        unsafe { ffi::sqlite3_stmt_readonly(self.p()) != 0 }
    }

    pub fn column_count(&self) -> usize {
        // SAFETY: valid statement.
        unsafe { ffi::sqlite3_column_count(self.p()).max(0) as usize }
    }

    pub fn column_name(&self, i: usize) -> String {
        // SAFETY: valid statement and index; the string is copied at once.
        unsafe { cstr(ffi::sqlite3_column_name(self.p(), i as c_int)) }.unwrap_or_default()
    }

    pub fn column_decltype(&self, i: usize) -> Option<String> {
        // SAFETY: as above.
        unsafe { cstr(ffi::sqlite3_column_decltype(self.p(), i as c_int)) }
    }

    pub fn parameter_count(&self) -> usize {
        // SAFETY: valid statement.
        unsafe { ffi::sqlite3_bind_parameter_count(self.p()).max(0) as usize }
    }

    /// The name of parameter slot `i` (1-based), e.g. `$1` or `?2`; None for bare `?`.
    pub fn parameter_name(&self, i: usize) -> Option<String> {
        // SAFETY: valid statement and index.
        unsafe { cstr(ffi::sqlite3_bind_parameter_name(self.p(), i as c_int)) }
    }

    /// The PostgreSQL parameter number (`$n`) of slot `i` (1-based): n for `$n`, else
    /// the slot itself. `$0` and numbers past what a Bind message can carry (65535) are
    /// PostgreSQL's 42P02, refused here before anything is sized by them.
    pub fn parameter_number(&self, i: usize) -> Result<usize, PgError> {
        let Some(name) = self.parameter_name(i) else {
            return Ok(i);
        };
        match name.strip_prefix('$') {
            Some(d) if !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()) => d
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_PARAMETERS).contains(n))
                .ok_or_else(|| {
                    PgError::new(
                        SqlState::UNDEFINED_PARAMETER_REF,
                        format!("there is no parameter {name}"),
                    )
                }),
            // `$name`: SQLite's named parameter, not PostgreSQL syntax.
            Some(_) => Err(PgError::syntax_near(&name)),
            None => Ok(i),
        }
    }

    /// Binds `value` to parameter slot `i` (1-based).
    pub fn bind(&mut self, conn: &Conn, i: usize, value: &Value) -> Result<(), PgError> {
        let p = self.p();
        let i = i as c_int;
        // SAFETY: valid statement; SQLITE_TRANSIENT makes SQLite copy text and blobs.
        let rc = unsafe {
            match value {
                Value::Null => ffi::sqlite3_bind_null(p, i),
                Value::Integer(v) => ffi::sqlite3_bind_int64(p, i, *v),
                Value::Real(v) => ffi::sqlite3_bind_double(p, i, *v),
                Value::Text(s) => ffi::sqlite3_bind_text64(
                    p,
                    i,
                    s.as_ptr().cast(),
                    s.len() as u64,
                    ffi::SQLITE_TRANSIENT(),
                    ffi::SQLITE_UTF8 as u8,
                ),
                Value::Blob(b) => ffi::sqlite3_bind_blob64(
                    p,
                    i,
                    b.as_ptr().cast(),
                    b.len() as u64,
                    ffi::SQLITE_TRANSIENT(),
                ),
            }
        };
        if rc == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(conn.error(rc))
        }
    }

    /// Advances to the next row: true if there is one.
    /// Binds text without SQLite copying it (`SQLITE_STATIC`), for COPY FROM's fields.
    ///
    /// # Safety
    /// SQLite keeps the pointer until the binding is replaced or cleared: `text` must
    /// outlive the next [`RawStmt::reset`] (which clears every binding), and the statement
    /// must not be stepped after `text` is gone without being reset first.
    pub unsafe fn bind_text_borrowed(
        &mut self,
        conn: &Conn,
        i: usize,
        text: &str,
    ) -> Result<(), PgError> {
        // SAFETY: valid statement; the caller keeps `text` alive until reset.
        let rc = unsafe {
            ffi::sqlite3_bind_text64(
                self.p(),
                i as c_int,
                text.as_ptr().cast(),
                text.len() as u64,
                ffi::SQLITE_STATIC(),
                ffi::SQLITE_UTF8 as u8,
            )
        };
        if rc == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(conn.error(rc))
        }
    }

    pub fn step(&mut self, conn: &Conn) -> Result<bool, PgError> {
        // SAFETY: valid statement, used by one thread.
        match unsafe { ffi::sqlite3_step(self.p()) } {
            ffi::SQLITE_ROW => Ok(true),
            ffi::SQLITE_DONE => Ok(false),
            rc => Err(conn.error(rc)),
        }
    }

    /// The value of column `i` of the current row; valid until the next step.
    pub fn value(&self, i: usize) -> ValueRef<'_> {
        let p = self.p();
        let i = i as c_int;
        // SAFETY: the returned slices live until the next step/reset, which take
        // `&mut self` and so cannot happen while the borrow is alive.
        unsafe {
            match ffi::sqlite3_column_type(p, i) {
                ffi::SQLITE_INTEGER => ValueRef::Integer(ffi::sqlite3_column_int64(p, i)),
                ffi::SQLITE_FLOAT => ValueRef::Real(ffi::sqlite3_column_double(p, i)),
                ffi::SQLITE_TEXT => {
                    let t = ffi::sqlite3_column_text(p, i);
                    let n = ffi::sqlite3_column_bytes(p, i).max(0) as usize;
                    if t.is_null() {
                        ValueRef::Text(&[])
                    } else {
                        ValueRef::Text(std::slice::from_raw_parts(t, n))
                    }
                }
                ffi::SQLITE_BLOB => {
                    let b = ffi::sqlite3_column_blob(p, i);
                    let n = ffi::sqlite3_column_bytes(p, i).max(0) as usize;
                    if b.is_null() {
                        ValueRef::Blob(&[])
                    } else {
                        ValueRef::Blob(std::slice::from_raw_parts(b.cast(), n))
                    }
                }
                _ => ValueRef::Null,
            }
        }
    }
}

/// Copies a C string owned by SQLite.
///
/// # Safety
/// `p` must be null or point to a NUL-terminated string.
unsafe fn cstr(p: *const std::ffi::c_char) -> Option<String> {
    if p.is_null() {
        None
    } else {
        Some(CStr::from_ptr(p).to_string_lossy().into_owned())
    }
}
