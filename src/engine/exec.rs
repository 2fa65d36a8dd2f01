//! Runs one statement on a leased connection, on a blocking thread, and streams the
//! encoded RowDescription and DataRows back to the session in bounded chunks.
//!
//! Backpressure: the chunk channel holds two chunks; when the client reads slowly the
//! worker blocks on the channel, so a result of any size costs at most about three
//! chunks of memory. When the session goes away the channel closes and the worker stops.
//! A portal executed with a row limit parks its half-read statement on the connection
//! (`Conn::park`) and resumes it on the next Execute.

use std::sync::Arc;

use bytes::BytesMut;
use rusqlite::types::ValueRef;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::copy::{self, CopyFormat};
use super::stmt::{Conn, RawStmt, Value};
use super::types::{self, PgType};
use super::{binary, Lease};
use crate::protocol::{backend, DataRowWriter, FieldDescription, PgError, SqlState};
use crate::sql::{self, Verb};

/// One statement execution, as the session asks for it.
#[derive(Debug, Clone)]
pub struct Job {
    /// The SQL as SQLite runs it (after rewriting).
    pub sql: Arc<str>,
    /// The SQL as the client wrote it (for static result typing).
    pub source: Arc<str>,
    pub verb: Verb,
    /// Values of `$1`, `$2`, ...
    pub params: Vec<Value>,
    /// Column types from Describe (extended protocol); None: derive them here.
    pub types: Option<Arc<[PgType]>>,
    /// Per result column: binary format? Empty: all text.
    pub binary: Vec<bool>,
    /// Stop after this many rows and suspend (0: no limit).
    pub max_rows: u64,
    /// Name to park a suspended statement under (extended protocol portals).
    pub portal: Option<String>,
    /// Send RowDescription before the rows (simple protocol).
    pub describe: bool,
    /// Run BEGIN first: the start of an implicit transaction.
    pub begin: bool,
    /// The session holds the database's write lock.
    pub write_locked: bool,
    /// What becomes of the rows.
    pub output: Output,
    pub pid: i32,
    pub user: Arc<str>,
    /// The session's extra_float_digits and bytea_output: how values print in text.
    pub text_style: types::TextStyle,
    /// The session's DateStyle order and TimeZone, for date/time input while it runs.
    pub input_style: super::datetime::InputStyle,
    /// An `ALTER TABLE` to run in place of `sql` (`engine/alter.rs`).
    pub alter: Option<Arc<crate::sql::alter::Alter>>,
    /// litewire's own statement (`Session::internal`): it may write the reserved
    /// `_litewire_` tables (a SCROLL cursor's rows).
    pub internal: bool,
    /// The session's prepared statements (JSON) for `pg_prepared_statements`, given
    /// only to a statement that names it.
    pub prepared: Option<Arc<str>>,
    /// The session's parameters (JSON) for `pg_settings`, given only to a statement
    /// that names it.
    pub settings: Option<Arc<str>>,
}

impl Job {
    /// A statement run without parameters, rows described and sent in text.
    pub fn simple(sql: Arc<str>, source: Arc<str>, verb: Verb) -> Job {
        Job {
            sql,
            source,
            verb,
            params: Vec::new(),
            types: None,
            binary: Vec::new(),
            max_rows: 0,
            portal: None,
            describe: true,
            begin: false,
            write_locked: false,
            output: Output::Rows,
            pid: 0,
            user: Arc::from(""),
            text_style: Default::default(),
            input_style: Default::default(),
            alter: None,
            internal: false,
            prepared: None,
            settings: None,
        }
    }
}

/// What a statement's rows become.
#[derive(Debug, Clone)]
pub enum Output {
    /// RowDescription (when `describe`) and DataRows.
    Rows,
    /// Counted and dropped (`MOVE`).
    Discard,
    /// CopyOutResponse, one CopyData per row, CopyDone (`COPY ... TO STDOUT`).
    Copy(Arc<CopyFormat>),
}

/// How a statement ended.
#[derive(Debug)]
pub enum Outcome {
    /// Finished; the CommandComplete tag.
    Done(String),
    /// The row limit was reached; the portal can be resumed.
    Suspended,
    /// The statement writes and the session does not hold the write lock: nothing was
    /// executed. The session takes the lock and runs it again.
    NeedsWriteLock,
    Failed(PgError),
}

/// What a finished statement hands back: the connection, how it ended, the last chunk
/// of output, and the job itself (so a retry after taking the write lock reuses it).
pub struct Finished {
    pub lease: Lease,
    pub outcome: Outcome,
    pub tail: BytesMut,
    pub job: Job,
}

/// A statement running on a blocking thread.
pub struct Running {
    rx: mpsc::Receiver<BytesMut>,
    handle: JoinHandle<Finished>,
}

impl Running {
    /// The next chunk of encoded messages, or None when the statement has finished.
    pub async fn next_chunk(&mut self) -> Option<BytesMut> {
        self.rx.recv().await
    }

    /// Waits for the statement to end and gives the connection back, with the last
    /// chunk of output (sent here rather than through the channel: for the common small
    /// result it is the only chunk, and this saves a cross-thread wake-up). Dropping the
    /// receiver first makes a worker that is still streaming stop at its next chunk.
    pub async fn finish(self) -> Result<Finished, PgError> {
        drop(self.rx);
        super::joined(self.handle.await, "statement")
    }
}

impl Lease {
    /// Starts `job` on this connection.
    pub fn start(mut self, job: Job) -> Running {
        let chunk_size = self.database().chunk_size();
        let (tx, rx) = mpsc::channel(2);
        let handle = tokio::task::spawn_blocking(move || {
            let mut sink = Sink {
                tx,
                chunk: BytesMut::new(),
                chunk_size,
            };
            let outcome = super::datetime::with_input_style(job.input_style.clone(), || {
                run(self.conn_mut(), &job, &mut sink)
            });
            Finished {
                tail: std::mem::take(&mut sink.chunk),
                lease: self,
                outcome,
                job,
            }
        });
        Running { rx, handle }
    }
}

/// Where encoded rows go: a chunk being filled, handed over when full.
pub(super) struct Sink {
    tx: mpsc::Sender<BytesMut>,
    chunk: BytesMut,
    chunk_size: usize,
}

/// The session stopped listening (its client went away).
struct Gone;

impl Sink {
    fn buf(&mut self) -> &mut BytesMut {
        if self.chunk.capacity() == 0 {
            self.chunk.reserve(self.chunk_size + self.chunk_size / 4);
        }
        &mut self.chunk
    }

    fn maybe_flush(&mut self) -> Result<(), Gone> {
        if self.chunk.len() >= self.chunk_size {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Gone> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        let full = std::mem::take(&mut self.chunk);
        self.tx.blocking_send(full).map_err(|_| Gone)
    }
}

fn client_gone() -> PgError {
    PgError::new(SqlState::CONNECTION_EXCEPTION, "client connection closed")
}

fn run(conn: &mut Conn, job: &Job, sink: &mut Sink) -> Outcome {
    conn.set_session(job.pid, &job.user);
    conn.set_prepared(job.prepared.clone(), job.settings.clone());
    let _overriding = job
        .sql
        .starts_with(super::objects::OVERRIDING)
        .then(super::objects::OverridingSystemValue::begin);
    // What is left in the sink goes back with the outcome; rows already encoded are sent
    // even before an error, as PostgreSQL sends them.
    run_inner(conn, job, sink).unwrap_or_else(Outcome::Failed)
}

/// Runs SQL that returns no rows (BEGIN, COMMIT, ...) to completion.
pub fn exec_plain(conn: &mut Conn, sql: &str) -> Result<(), PgError> {
    if let Some(mut stmt) = conn.prepare(sql)? {
        let r = step_to_end(conn, &mut stmt);
        conn.recycle(stmt);
        r?;
    }
    Ok(())
}

fn step_to_end(conn: &Conn, stmt: &mut RawStmt) -> Result<(), PgError> {
    while stmt.step(conn)? {}
    Ok(())
}

fn run_inner(conn: &mut Conn, job: &Job, sink: &mut Sink) -> Result<Outcome, PgError> {
    let _internal = job.internal.then(super::objects::Internal::begin);
    if let Some(alter) = &job.alter {
        if !job.write_locked {
            return Ok(Outcome::NeedsWriteLock);
        }
        if job.begin {
            exec_plain(conn, "BEGIN")?;
        }
        let mut notices = Vec::new();
        // The rebuild's queries may call functions registered with the catalog.
        conn.ensure_catalog()?;
        let done = super::alter::run(conn.sqlite(), alter, &mut notices);
        for n in &notices {
            backend::error(sink.buf(), n);
        }
        done?;
        return Ok(Outcome::Done("ALTER TABLE".into()));
    }
    if super::objects::is_batch(&job.sql) {
        // Statements on sequences and comments (objects/): they always write.
        if !job.write_locked {
            return Ok(Outcome::NeedsWriteLock);
        }
        conn.ensure_catalog()?;
        if job.begin {
            exec_plain(conn, "BEGIN")?;
        }
        for notice in super::objects::run_batch(conn.sqlite(), &job.sql)? {
            backend::error(sink.buf(), &notice);
        }
        return Ok(Outcome::Done(job.verb.tag(0)));
    }
    if super::merge::is_batch(&job.sql) {
        return super::merge::run(conn, job);
    }
    if super::modifying::is_batch(&job.sql)
        && job.portal.as_deref().is_none_or(|p| !conn.is_parked(p))
    {
        return super::modifying::run(conn, job, sink);
    }
    let resumed = job.portal.as_deref().and_then(|p| conn.unpark(p));
    let is_resumed = resumed.is_some();
    let mut stmt = match resumed {
        Some(s) => s,
        None => {
            let Some(mut s) = conn.prepare(&job.sql)? else {
                return Ok(Outcome::Done(job.verb.tag(0)));
            };
            if !job.write_locked && (!s.readonly() || super::objects::writes(&job.sql)) {
                conn.recycle(s);
                return Ok(Outcome::NeedsWriteLock);
            }
            if let Err(e) = bind_all(conn, &mut s, &job.params) {
                conn.recycle(s);
                return Err(e);
            }
            if job.begin {
                if let Err(e) = exec_plain(conn, "BEGIN") {
                    conn.recycle(s);
                    return Err(e);
                }
            }
            s
        }
    };
    let result = stream(conn, &mut stmt, job, is_resumed, sink);
    if matches!(result, Ok(Outcome::Done(_))) && matches!(job.verb, Verb::Fixed("CREATE VIEW")) {
        conn.recycle(stmt);
        return super::new_view::check(conn, &job.sql).and(result);
    }
    match result {
        Ok(Outcome::Suspended) => {
            if let Some(p) = &job.portal {
                conn.park(p, stmt);
            }
            Ok(Outcome::Suspended)
        }
        other => {
            conn.recycle(stmt);
            other
        }
    }
}

/// Binds `$n` parameters by name; slots SQLite numbered differently are found by name.
pub(super) fn bind_all(conn: &Conn, stmt: &mut RawStmt, params: &[Value]) -> Result<(), PgError> {
    for slot in 1..=stmt.parameter_count() {
        let n = stmt.parameter_number(slot)?;
        let value = params.get(n - 1).ok_or_else(|| {
            PgError::new(
                SqlState::PROTOCOL_VIOLATION,
                format!(
                    "bind message supplies {} parameters, but the statement needs ${n}",
                    params.len()
                ),
            )
        })?;
        stmt.bind(conn, slot, value)?;
    }
    Ok(())
}

/// Each result column's name, as PostgreSQL gives it, and its type as far as it is known
/// before running: SQLite's declared type of a plain column, else the statement tree's
/// (`sql::types`, resolved against the schema). Where the tree's columns cannot be
/// matched to SQLite's, SQLite's names stand.
pub fn result_columns(
    conn: &Conn,
    stmt: &RawStmt,
    typing: Option<&sql::types::Typing>,
    params: &[u32],
) -> Vec<(String, Option<PgType>)> {
    let n = stmt.column_count();
    // A SELECT with no columns (sql/translate/queries.rs): PostgreSQL's rows of none.
    if n == 1 && stmt.column_name(0) == sql::translate::NO_COLUMN {
        return Vec::new();
    }
    let schema = super::describe::SchemaOf::new(conn, params);
    let known = typing
        .and_then(|t| sql::types::resolve_columns(t, &schema))
        .filter(|cols| cols.len() == n);
    (0..n)
        .map(|i| {
            let (name, typed) = match &known {
                Some(cols) => (
                    cols[i].0.clone(),
                    cols[i].1.as_deref().map(|t| result_type(conn, t)),
                ),
                None => (stmt.column_name(i), None),
            };
            let declared = stmt.column_decltype(i).map(|d| result_type(conn, &d));
            (name, declared.or(typed))
        })
        .collect()
}

/// A declared or resolved type name as a result column's type (arrays: their array type,
/// the JSON text SQLite holds printed as PostgreSQL prints arrays; an enum: its own OID,
/// its labels as text).
fn result_type(conn: &Conn, name: &str) -> PgType {
    super::objects::declared_type(conn.sqlite(), name)
}

/// The result column names alone (see [`result_columns`]).
pub fn column_names(conn: &Conn, stmt: &RawStmt, source: &str) -> Vec<String> {
    let typing = sql::types::analyze_text(source);
    result_columns(conn, stmt, typing.as_deref(), &[])
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

pub(super) fn stream(
    conn: &Conn,
    stmt: &mut RawStmt,
    job: &Job,
    resumed: bool,
    sink: &mut Sink,
) -> Result<Outcome, PgError> {
    let ncols = stmt.column_count();
    if ncols == 0 {
        step_to_end(conn, stmt)?;
        let changed = match job.verb {
            Verb::Insert | Verb::Update | Verb::Delete => conn.changes(),
            _ => 0,
        };
        return Ok(Outcome::Done(job.verb.tag(changed)));
    }
    let mut has_row = stmt.step(conn)?;
    // Names read with the types in the simple protocol; else only if described.
    let mut names = None;
    let col_types: Arc<[PgType]> = match &job.types {
        Some(t) => t.clone(),
        None => {
            // Simple protocol: unknown expression types take their first value's type.
            let (known_names, known): (Vec<String>, Vec<Option<PgType>>) = result_columns(
                conn,
                stmt,
                sql::types::analyze_text(&job.source).as_deref(),
                &[],
            )
            .into_iter()
            .unzip();
            names = Some(known_names);
            known
                .into_iter()
                .enumerate()
                .map(|(i, t)| match t {
                    Some(t) => t,
                    None if has_row => types::from_value(stmt.value(i)),
                    None => PgType::TEXT,
                })
                .collect()
        }
    };
    // FORCE_QUOTE's columns, by the output's names (42P10 before any output).
    let quoted = match &job.output {
        Output::Copy(f) => f.quoted_columns(
            names
                .clone()
                .unwrap_or_else(|| column_names(conn, stmt, &job.source))
                .as_slice(),
        )?,
        _ => Vec::new(),
    };
    match &job.output {
        // A resumed portal was described before, except by FETCH, which describes each time.
        Output::Rows if job.describe => {
            let fields = names
                .unwrap_or_else(|| column_names(conn, stmt, &job.source))
                .into_iter()
                .enumerate()
                .map(|(i, name)| {
                    let t = col_types.get(i).copied().unwrap_or(PgType::TEXT);
                    let fmt = i16::from(job.binary.get(i).copied().unwrap_or(false));
                    FieldDescription::new(name, 0, 0, t.oid, t.size, t.modifier, fmt)
                })
                .collect();
            backend::row_description(sink.buf(), fields);
        }
        Output::Copy(f) if !resumed => {
            let names = names.unwrap_or_else(|| column_names(conn, stmt, &job.source));
            copy::write_start(&names, f, sink.buf())
        }
        _ => {}
    }
    let mut count: u64 = 0;
    while has_row {
        let mark = sink.buf().len();
        let encoded = match &job.output {
            Output::Rows => encode_row(stmt, &col_types, &job.binary, job.text_style, sink.buf()),
            Output::Copy(f) => {
                copy::write_row(stmt, &col_types, f, &quoted, job.text_style, sink.buf());
                Ok(())
            }
            Output::Discard => Ok(()),
        };
        if let Err(e) = encoded {
            sink.chunk.truncate(mark);
            return Err(e);
        }
        count += 1;
        sink.maybe_flush().map_err(|Gone| client_gone())?;
        if job.max_rows > 0 && count >= job.max_rows {
            return Ok(Outcome::Suspended);
        }
        has_row = stmt.step(conn)?;
    }
    if let Output::Copy(_) = job.output {
        backend::copy_done(sink.buf());
    }
    // Row-returning statements count their rows (`INSERT ... RETURNING` is `INSERT 0 n`).
    Ok(Outcome::Done(match &job.verb {
        Verb::Fixed(_) => Verb::Select.tag(count),
        v => v.tag(count),
    }))
}

fn encode_row(
    stmt: &RawStmt,
    col_types: &[PgType],
    binary: &[bool],
    style: types::TextStyle,
    out: &mut BytesMut,
) -> Result<(), PgError> {
    let mut w = DataRowWriter::begin(out);
    for (i, t) in col_types.iter().enumerate() {
        let v = stmt.value(i);
        if let ValueRef::Null = v {
            w.null();
            continue;
        }
        if binary.get(i).copied().unwrap_or(false) {
            let mut err = None;
            w.value_with(|out| {
                if let Err(e) = binary::write_binary(t, v, out) {
                    err = Some(e);
                }
            });
            if let Some(e) = err {
                return Err(e);
            }
        } else {
            w.value_with(|out| types::write_result_text(t, v, style, out));
        }
    }
    w.finish();
    Ok(())
}
