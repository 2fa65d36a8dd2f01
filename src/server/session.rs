//! A client session after startup: the message loop, transaction state, and running
//! statements on the database. The two query protocols live beside it: `simple.rs`
//! (Query) and `extended.rs` (Parse/Bind/Describe/Execute/Sync).
//!
//! The transaction state it holds (`Tx`, the pinned lease, the write lock) is changed by
//! `transaction.rs`. A session idle inside a transaction longer than
//! `idle_in_transaction_session_timeout` is ended with FATAL 25P03, which gives its
//! connection and write lock back.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use bytes::BytesMut;
use futures_util::FutureExt;
use tokio::sync::watch;

use std::time::Duration;

use tokio::sync::OwnedSemaphorePermit;

use super::conn::{Conn, Read, ReadError};
use super::extended::Extended;
use super::params::Params;
use super::registry::{ClientInfo, State};
use super::stats;
use crate::engine::{Database, Finished, Job, Lease, Outcome, WriteLock};
use crate::protocol::{self, backend, Frontend, PgError, SqlState, TransactionStatus};
use crate::sql::Verb;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tx {
    Idle,
    Block,
    Failed,
}

/// Buffered output beyond this is written before the next message is read.
const OUTPUT_FLUSH_AT: usize = 32 << 10;

/// How long the last messages of a closing session may wait for a client that does not read.
const FINAL_FLUSH_LIMIT: Duration = Duration::from_secs(10);

/// Reads the next message; with a `limit` (inside a transaction), the whole of it must
/// arrive in time, including the flush of pending output before it: a client that stops
/// halfway through a message, or stops reading, is as idle as one that sends nothing.
async fn whole_message_within(
    limit: Option<Duration>,
    read: impl std::future::Future<Output = Result<Read, ReadError>>,
) -> Result<Read, ReadError> {
    match limit {
        Some(d) => tokio::time::timeout(d, read)
            .await
            .unwrap_or(Ok(Read::Idle)),
        None => read.await,
    }
}

/// Why the message loop ended.
enum End {
    /// Terminate, end of stream, or a socket error.
    Closed,
    /// A fatal error was sent.
    Fatal,
    /// The server is shutting down.
    Shutdown,
}

/// One client session.
pub struct Session {
    pub(super) conn: Conn,
    pub(super) db: Arc<Database>,
    pub(super) params: Params,
    pub(super) tx: Tx,
    /// True while an implicit transaction is open on the pinned connection.
    pub(super) implicit: bool,
    /// When the open transaction started (µs since 2000; 0: none yet): its `now()`.
    pub(super) tx_now: i64,
    /// The connection, while a transaction pins it.
    pub(super) lease: Option<Lease>,
    /// The database's write lock, while this session's transaction has written.
    pub(super) write_lock: Option<WriteLock>,
    /// The open block was started READ ONLY.
    pub(super) read_only: bool,
    /// A savepoint was taken in the open transaction (its snapshot cannot be renewed).
    pub(super) savepoints: bool,
    /// The open savepoints (the READ ONLY mode each restores) and the tables created or
    /// truncated in each subtransaction.
    pub(super) subxacts: super::subxact::Subxacts,
    /// A statement has run in the open transaction (its isolation level is fixed).
    pub(super) queried: bool,
    /// The session changed its connection's state (a PRAGMA setting, a TEMP object):
    /// it keeps that connection for the rest of its life.
    pub(super) sticky: bool,
    /// The shutdown deadline ended this session's statement, or a commit was not
    /// confirmed by the replica store: FATAL 57P01 was sent.
    pub(super) terminated: bool,
    /// Prepared statements and portals of the extended protocol.
    pub(super) ext: Extended,
    /// The whole Query message of a `PREPARE` being run: PostgreSQL shows it as the
    /// statement's text in `pg_prepared_statements`.
    pub(super) message: Option<Arc<str>>,
    pub pid: i32,
    pub(super) user: Arc<str>,
    pub(super) max_message: usize,
    /// Deepest nesting of parentheses and brackets accepted (`--max-nesting-depth`).
    pub(super) max_nesting: usize,
    /// This client's place under the connection limit, released when the session ends.
    _slot: OwnedSemaphorePermit,
    /// This client's record in the registry (SHOW CLIENTS).
    pub(super) info: Arc<ClientInfo>,
}

/// How the last statement of a message ended.
pub(super) enum Completion {
    Tag(String),
    Suspended,
}

impl Session {
    /// A session for the client `info` describes (its pid and user).
    pub fn new(
        conn: Conn,
        db: Arc<Database>,
        params: Params,
        max_message: usize,
        max_nesting: usize,
        slot: OwnedSemaphorePermit,
        info: Arc<ClientInfo>,
    ) -> Self {
        info.set_socket(conn.raw_fd());
        Session {
            pid: info.pid,
            user: info.user.clone(),
            _slot: slot,
            info,
            conn,
            db,
            params,
            tx: Tx::Idle,
            implicit: false,
            tx_now: 0,
            lease: None,
            write_lock: None,
            read_only: false,
            savepoints: false,
            subxacts: Default::default(),
            queried: false,
            sticky: false,
            terminated: false,
            ext: Extended::default(),
            message: None,
            max_message,
            max_nesting,
        }
    }

    /// SQLite text for `source`: PostgreSQL spellings rewritten, and `current_setting('x')`
    /// / `set_config('x', 'v', is_local)` with literal arguments answered from (and
    /// applied to) this session's parameters, which SQLite cannot see. Off the IO thread
    /// for a large statement (`translate.rs`).
    pub(super) async fn sqlite_text(&mut self, source: &str) -> Result<Arc<str>, PgError> {
        super::translate::sqlite_text(&mut self.params, source, self.max_nesting).await
    }

    /// Whether the session can leave the runtime while idle: nothing open that a
    /// task must hold (transaction, pinned connection, write lock, pipeline state).
    fn parkable(&self) -> bool {
        self.tx == Tx::Idle
            && !self.implicit
            && self.lease.is_none()
            && self.write_lock.is_none()
            && !self.ext.skipping()
    }

    /// Whether the session holds what a transaction holds (a connection inside a
    /// transaction, the write lock), so idling is bounded by
    /// `idle_in_transaction_session_timeout`.
    fn in_transaction(&self) -> bool {
        self.tx != Tx::Idle || self.implicit || self.write_lock.is_some()
    }

    /// Serves messages until the client leaves or the server shuts down — or, when
    /// `park_after` is set, until the session has been idle that long: then the session
    /// is returned, to be parked (see `park.rs`) and run again when bytes arrive.
    pub async fn run(
        mut self: Box<Self>,
        mut stop: watch::Receiver<bool>,
        park_after: Option<Duration>,
    ) -> Option<Box<Session>> {
        let end = loop {
            // Shutdown, or DROP DATABASE … WITH (FORCE) (which also wakes an idle
            // session by shutting its socket's reading side: Registry::terminate).
            if *stop.borrow() || self.info.killed() {
                break End::Shutdown;
            }
            self.info.set_state(if self.tx == Tx::Idle {
                State::Idle
            } else {
                State::IdleInTransaction
            });
            // Waiting for a message, the session gives its buffers back (conn.rs).
            self.info.set_buffers(self.conn.pending_capacity());
            let in_transaction = self.in_transaction();
            let idle_limit = if in_transaction {
                Some(self.params.idle_in_transaction_timeout()).filter(|d| !d.is_zero())
            } else {
                park_after.filter(|_| self.parkable())
            };
            let read = self.conn.read_frame(true, self.max_message, idle_limit);
            let frame = tokio::select! {
                biased;
                _ = stop.changed() => break End::Shutdown,
                f = whole_message_within(idle_limit.filter(|_| in_transaction), read) => f,
            };
            self.info.set_state(State::Active);
            let frame = match frame {
                Ok(Read::Frame(f)) => f,
                Ok(Read::Idle) if in_transaction => {
                    // As PostgreSQL: FATAL when the timer fires, then the connection
                    // closes; the transaction is rolled back below.
                    super::who::session_info!("idle-in-transaction timeout");
                    self.conn.error(&PgError::fatal(
                        SqlState::IDLE_IN_TRANSACTION_SESSION_TIMEOUT,
                        "terminating connection due to idle-in-transaction timeout",
                    ));
                    break End::Fatal;
                }
                Ok(Read::Idle) => return Some(self),
                Ok(Read::Eof) | Err(ReadError::Io(_)) if self.info.killed() => break End::Shutdown,
                Ok(Read::Eof) | Err(ReadError::Io(_)) => break End::Closed,
                Err(ReadError::Frame(e)) => {
                    self.conn.error(&e.into());
                    break End::Fatal;
                }
            };
            // Boxed: the large per-message state is allocated only while a message is
            // handled, so an idle session's task stays small. A panic (a bug) while
            // handling it, here or re-raised from a worker, was logged by the panic hook;
            // the session's state cannot be trusted after it, so the client gets FATAL
            // XX000 rather than a silent close.
            let handled = match AssertUnwindSafe(Box::pin(self.decode_and_handle(frame)))
                .catch_unwind()
                .await
            {
                Ok(handled) => handled,
                Err(_) => Err(PgError::fatal(SqlState::INTERNAL_ERROR, "internal error")),
            };
            // A client that pipelines without reading would grow the output buffer
            // without bound; past a few chunks, write it out (and wait, if the client does
            // not read: backpressure, as PostgreSQL blocks on its socket).
            if self.conn.out().len() > OUTPUT_FLUSH_AT && self.conn.flush().await.is_err() {
                break End::Closed;
            }
            self.info.set_buffers(self.conn.capacity());
            if self.terminated {
                break End::Fatal;
            }
            match handled {
                Ok(true) => {}
                Ok(false) => break End::Closed,
                Err(e) => {
                    self.conn.error(&e);
                    break End::Fatal;
                }
            }
        };
        if let End::Shutdown = end {
            self.conn.error(&PgError::fatal(
                SqlState::ADMIN_SHUTDOWN,
                "terminating connection due to administrator command",
            ));
        }
        // The transaction's connection and lock go back first: a client that does not
        // read cannot hold them through the final flush, which is bounded too.
        Box::pin(self.abandon_transaction()).await;
        let _ = tokio::time::timeout(FINAL_FLUSH_LIMIT, self.conn.flush()).await;
        None
    }

    /// Decodes and handles one message; `Ok(false)` ends the session, `Err` is a fatal
    /// error.
    async fn decode_and_handle(&mut self, frame: BytesMut) -> Result<bool, PgError> {
        let tag = frame.first().copied().unwrap_or(0);
        match protocol::decode_message(frame) {
            Ok(msg) => self.handle(msg).await,
            Err(e) if e.is_fatal() => Err(e),
            Err(e) => {
                self.malformed(tag, e).await;
                Ok(true)
            }
        }
    }

    /// A message whose body did not decode. PostgreSQL reports it and carries on (the
    /// frame was length-delimited, so the stream is still in step): an extended-protocol
    /// message is then an error in the pipeline, skipped with the rest until Sync; a
    /// Query or Sync ends with ReadyForQuery; COPY messages are ignored outside COPY.
    async fn malformed(&mut self, tag: u8, e: PgError) {
        match tag {
            b'P' | b'B' | b'D' | b'E' | b'C' | b'H' => {
                if !self.ext.skipping() {
                    self.extended_done(Err(e)).await;
                }
            }
            b'd' | b'c' | b'f' => {}
            _ => {
                self.ext.stop_skipping();
                self.conn.error(&e);
                self.after_error().await;
                self.ready_for_query();
            }
        }
    }

    /// Handles one message; `Ok(false)` ends the session, `Err` is a fatal error.
    async fn handle(&mut self, msg: Frontend) -> Result<bool, PgError> {
        if self.ext.skipping() && msg.is_extended_query() && !matches!(msg, Frontend::Sync(_)) {
            return Ok(true);
        }
        match msg {
            Frontend::Query(q) => {
                self.ext.stop_skipping();
                self.simple_query(&q.query).await;
                self.ready_for_query();
            }
            Frontend::Parse(m) => {
                let r = self.parse(m).await;
                self.extended_done(r).await;
            }
            Frontend::Bind(m) => {
                let r = self.bind(m);
                self.extended_done(r).await;
            }
            Frontend::Describe(m) => {
                let r = self.describe(m);
                self.extended_done(r).await;
            }
            Frontend::Execute(m) => {
                let r = self.execute(m).await;
                self.extended_done(r).await;
            }
            Frontend::Close(m) => {
                let r = self.close(m);
                self.extended_done(r).await;
            }
            Frontend::Sync(_) => self.sync().await,
            Frontend::Flush(_) => {
                if self.conn.flush().await.is_err() {
                    return Ok(false);
                }
            }
            Frontend::Terminate(_) => return Ok(false),
            // PostgreSQL ignores COPY messages outside COPY mode, to ease recovery.
            Frontend::CopyData(_) | Frontend::CopyDone(_) | Frontend::CopyFail(_) => {}
            other => {
                return Err(PgError::protocol_violation(format!(
                    "unexpected message during a session: {}",
                    message_name(&other)
                )))
            }
        }
        Ok(true)
    }

    pub(super) fn status(&self) -> TransactionStatus {
        match self.tx {
            Tx::Idle => TransactionStatus::Idle,
            Tx::Block => TransactionStatus::Transaction,
            Tx::Failed => TransactionStatus::Error,
        }
    }

    pub(super) fn ready_for_query(&mut self) {
        if self.terminated {
            // The FATAL just sent ends the session.
            return;
        }
        self.params.note_role_change();
        for (name, value) in self.params.take_changed() {
            backend::parameter_status(self.conn.out(), name, &value);
        }
        let status = self.status();
        backend::ready_for_query(self.conn.out(), status);
    }

    /// PostgreSQL lets a read-only transaction change a temporary table: an INSERT,
    /// UPDATE or DELETE of one (unqualified or in pg_temp) with no trigger on it and no
    /// sequence function called, by the statement or a column default (those write the
    /// file's own tables).
    async fn changes_only_a_temporary_table(&mut self, job: &Job) -> Result<bool, PgError> {
        let Some((schema, table)) = crate::sql::ddl::changed_table(&job.source) else {
            return Ok(false);
        };
        if schema.is_some_and(|s| s != "pg_temp") || crate::engine::objects::writes(&job.sql) {
            return Ok(false);
        }
        let name = table.replace('\'', "''");
        let probe = format!(
            "SELECT count(*) FROM sqlite_temp_schema WHERE type = 'table' AND name = '{name}' \
             AND sql NOT LIKE '%val(%' AND NOT EXISTS (SELECT 1 FROM sqlite_temp_schema \
             WHERE type = 'trigger' AND tbl_name = '{name}')"
        );
        Ok(self.first_value(&probe).await?.as_deref() == Some("1"))
    }

    /// The error for a write inside a read-only transaction.
    fn read_only_error(verb: &Verb) -> PgError {
        let what = match verb {
            Verb::Insert => "INSERT",
            Verb::Update => "UPDATE",
            Verb::Delete => "DELETE",
            Verb::Select => "SELECT",
            Verb::Fixed(t) | Verb::Counted(t) => t,
        };
        PgError::new(
            SqlState::READ_ONLY_SQL_TRANSACTION,
            format!("cannot execute {what} in a read-only transaction"),
        )
    }

    /// Portals live until their transaction ends.
    pub(super) fn close_portals(&mut self) {
        self.ext.clear_portals();
        if let Some(lease) = self.lease.as_mut() {
            lease.conn_mut().drop_cursors();
        }
    }

    /// Keeps `lease` if a transaction or a session-level change needs it, else returns
    /// it to the pool now (never hold a connection while waiting for the write lock:
    /// the lock holder may need one).
    pub(super) fn keep_or_return(&mut self, lease: Lease) {
        if lease.conn().is_stateful() {
            self.sticky = true;
        }
        let needed = self.tx != Tx::Idle
            || self.implicit
            || self.sticky
            || !lease.conn().is_autocommit()
            || lease.conn().has_cursors();
        if needed {
            self.lease = Some(lease);
        }
    }

    pub(super) async fn take_lease(&mut self) -> Result<Lease, PgError> {
        match self.lease.take() {
            Some(l) => Ok(l),
            None => self.db.lease().await,
        }
    }

    /// Runs a transaction-control statement on the session's connection; no rows.
    pub(super) async fn control(&mut self, sql: &str) -> Result<(), PgError> {
        let lease = self.take_lease().await?;
        let is_rollback = sql.starts_with("ROLLBACK") && !sql.starts_with("ROLLBACK TO");
        if is_rollback && lease.conn().is_autocommit() {
            // SQLite already rolled back (it does so on some errors).
            self.lease = Some(lease);
            return Ok(());
        }
        let text: Arc<str> = Arc::from(sql);
        let job = Job::simple(text.clone(), text, Verb::Fixed("CONTROL"));
        self.internal_on(lease, job).await.map(drop)
    }

    /// Runs a statement of litewire's own (its rows, if any, are not sent), on the
    /// session's connection, without the database's write lock: for transaction control
    /// and the connection's temporary tables. Returns its tag.
    pub(super) async fn internal(&mut self, job: Job) -> Result<String, PgError> {
        let lease = self.take_lease().await?;
        self.internal_on(lease, job).await
    }

    async fn internal_on(&mut self, lease: Lease, mut job: Job) -> Result<String, PgError> {
        job.write_locked = true;
        job.internal = true;
        job.describe = false;
        job.output = crate::engine::Output::Discard;
        let Finished { lease, outcome, .. } = lease.start(job).finish().await?;
        // Kept until the caller's state says no transaction needs it (release_if_idle).
        if lease.conn().is_stateful() {
            self.sticky = true;
        }
        self.lease = Some(lease);
        match outcome {
            Outcome::Done(tag) => Ok(tag),
            Outcome::Failed(e) => Err(e),
            Outcome::Suspended | Outcome::NeedsWriteLock => Err(PgError::new(
                SqlState::INTERNAL_ERROR,
                "unexpected outcome of an internal statement",
            )),
        }
    }

    /// Runs a statement, streaming its output to the client. A writing statement first
    /// takes the database's write lock (held to the end of the transaction). Enforces
    /// `statement_timeout` by interrupting SQLite.
    /// Runs one statement: counted, and logged with its text when it took at least
    /// --log-min-duration-statement.
    pub(super) async fn run_job(&mut self, job: Job) -> Result<Completion, PgError> {
        let started = std::time::Instant::now();
        let source = job.source.clone();
        let result = self.run_job_timed(job).await;
        stats::STATEMENTS.add(1);
        let elapsed = started.elapsed();
        if stats::is_slow(elapsed) {
            stats::SLOW_STATEMENTS.add(1);
            super::who::session_info!(
                duration_ms = elapsed.as_secs_f64() * 1000.0,
                statement = %source,
                "slow statement"
            );
        }
        result
    }

    async fn run_job_timed(&mut self, mut job: Job) -> Result<Completion, PgError> {
        if self.info.terminating() {
            return Err(self.terminate());
        }
        job.pid = self.pid;
        job.user = self.user.clone();
        let (prepared, settings) = names_session_tables(&job.source);
        if prepared {
            job.prepared = Some(Arc::from(self.ext.prepared_statements_json()));
        }
        if settings {
            job.settings = Some(Arc::from(settings_json(&self.params.all())));
        }
        job.text_style = crate::engine::types::TextStyle {
            extra_float_digits: self
                .params
                .get("extra_float_digits")
                // (`SET extra_float_digits = -2` is kept as "- 2".)
                .and_then(|v| v.replace(' ', "").parse::<i8>().ok())
                .map_or(1, |d| d.clamp(-15, 3)),
            bytea_escape: self
                .params
                .get("bytea_output")
                .is_some_and(|v| v == "escape"),
        };
        job.input_style = self.params.input_style();
        // now() is fixed for a transaction (block or implicit), as in PostgreSQL.
        let in_transaction = self.tx != Tx::Idle || self.implicit || job.begin;
        if !in_transaction || self.tx_now == 0 {
            self.tx_now = crate::engine::datetime::clock_micros();
        }
        job.input_style.now = Some(self.tx_now);
        self.queried = true;
        let mut temporary_write = false;
        // A statement whose verb writes takes the write lock first: running it to learn
        // that it writes would cost a second hop to a worker (and a second prepare).
        let writes = matches!(
            job.verb,
            Verb::Insert | Verb::Update | Verb::Delete | Verb::Counted("MERGE")
        );
        if writes && self.write_lock.is_none() && !self.is_read_only() {
            self.write_lock = Some(self.db.write_lock().await?);
            self.renew_snapshot().await?;
        }
        loop {
            let lease = self.take_lease().await?;
            let interrupt = lease.conn().sqlite().get_interrupt_handle();
            self.info
                .set_running(Some(lease.conn().sqlite().get_interrupt_handle()));
            job.write_locked = self.write_lock.is_some() || temporary_write;
            let begins = job.begin;
            let mut running = lease.start(job);
            let timeout = self.params.statement_timeout();
            // Checked: a deadline later than an Instant can hold is no deadline.
            let deadline = (!timeout.is_zero())
                .then(|| tokio::time::Instant::now().checked_add(timeout))
                .flatten();
            let mut timed_out = false;
            let mut client_gone = false;
            loop {
                let next = match deadline {
                    Some(d) if !timed_out => {
                        match tokio::time::timeout_at(d, running.next_chunk()).await {
                            Ok(c) => c,
                            Err(_) => {
                                timed_out = true;
                                interrupt.interrupt();
                                continue;
                            }
                        }
                    }
                    _ => running.next_chunk().await,
                };
                let Some(chunk) = next else { break };
                if self.conn.send_chunk(&chunk).await.is_err() {
                    client_gone = true;
                    break;
                }
            }
            let finished = running.finish().await;
            self.info.set_running(None);
            let Finished {
                lease,
                outcome,
                tail,
                job: returned,
            } = finished?;
            job = returned;
            if !client_gone {
                // Small: buffered with the CommandComplete and ReadyForQuery that follow,
                // so a short query's reply leaves in one write.
                self.conn.out().extend_from_slice(&tail);
            }
            if begins && !lease.conn().is_autocommit() {
                self.implicit = true;
                job.begin = false;
            }
            self.keep_or_return(lease);
            if client_gone {
                return Err(PgError::fatal(
                    SqlState::CONNECTION_EXCEPTION,
                    "client went away",
                ));
            }
            match outcome {
                Outcome::Done(tag) => {
                    // An autocommit statement's CommandComplete follows durability.
                    self.release_if_idle().await?;
                    return Ok(Completion::Tag(tag));
                }
                Outcome::Suspended => return Ok(Completion::Suspended),
                Outcome::NeedsWriteLock => {
                    if self.is_read_only() {
                        if !self.changes_only_a_temporary_table(&job).await? {
                            let e = match crate::sql::translate::locking::command(&job.sql) {
                                Some(what) => PgError::new(
                                    SqlState::READ_ONLY_SQL_TRANSACTION,
                                    format!("cannot execute {what} in a read-only transaction"),
                                ),
                                None => Self::read_only_error(&job.verb),
                            };
                            return Err(crate::engine::standby::fenced_error(&self.db.name, e));
                        }
                        // This statement only: the file's write lock is not needed, and
                        // the transaction's later writes are still refused.
                        temporary_write = true;
                        continue;
                    }
                    self.write_lock = Some(self.db.write_lock().await?);
                    self.renew_snapshot().await?;
                }
                Outcome::Failed(_) if self.info.terminating() => {
                    let _ = self.release_if_idle().await;
                    return Err(self.terminate());
                }
                Outcome::Failed(mut e) => {
                    let _ = self.release_if_idle().await;
                    if timed_out && e.code == SqlState::QUERY_CANCELED {
                        e.message = "canceling statement due to statement timeout".into();
                    } else if self.info.was_canceled() && e.code == SqlState::QUERY_CANCELED {
                        e.message = "canceling statement due to user request".into();
                    }
                    return Err(e);
                }
            }
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Before the socket closes (the fields drop after this): a later terminate
        // must not shut a descriptor number the system has handed to someone else.
        self.info.set_socket(-1);
    }
}

impl Session {
    /// Whether the statement about to run is in a read-only transaction (the open
    /// block's mode, or default_transaction_read_only for one outside a block).
    fn is_read_only(&self) -> bool {
        self.read_only
            || crate::engine::standby::is_standby()
            || crate::engine::standby::is_fenced(&self.db.name)
            || (self.tx == Tx::Idle
                && self.params.get("default_transaction_read_only").as_deref() == Some("on"))
    }

    /// Who a running session's log lines name: see [`super::who`].
    pub fn who(&self) -> super::who::Who {
        super::who::Who {
            pid: self.pid,
            user: self.user.clone(),
            database: self.db.clone(),
            peer: self.conn.peer().ok(),
        }
    }

    /// The error that ends a session whose statement the shutdown deadline (or DROP
    /// DATABASE … WITH (FORCE)) interrupted; sent once, with no ReadyForQuery after it.
    pub(super) fn terminate(&mut self) -> PgError {
        self.terminated = true;
        PgError::fatal(
            SqlState::ADMIN_SHUTDOWN,
            "terminating connection due to administrator command",
        )
    }
}

fn message_name(m: &Frontend) -> &'static str {
    match m {
        Frontend::PasswordMessageFamily(_) => "password",
        Frontend::Startup(_) => "startup",
        Frontend::CancelRequest(_) => "cancel request",
        Frontend::SslNegotiation(_) => "SSL negotiation",
        Frontend::PortalSuspended(_) => "portal suspended",
        _ => "other",
    }
}

/// Whether a statement's text names `pg_prepared_statements` and `pg_settings` (any
/// case), in one pass: only then does it get the session's statements or parameters
/// (a JSON copy).
fn names_session_tables(source: &str) -> (bool, bool) {
    const PREPARED: &[u8] = b"prepared_statements";
    const SETTINGS: &[u8] = b"settings";
    let bytes = source.as_bytes();
    let (mut prepared, mut settings) = (false, false);
    for (i, w) in bytes.windows(3).enumerate() {
        if w.eq_ignore_ascii_case(b"pg_") {
            let rest = &bytes[i + 3..];
            let starts = |name: &[u8]| {
                rest.get(..name.len())
                    .is_some_and(|r| r.eq_ignore_ascii_case(name))
            };
            prepared |= starts(PREPARED);
            settings |= starts(SETTINGS);
        }
    }
    (prepared, settings)
}

/// `pg_settings`' rows: each parameter's name and value, as a JSON array.
fn settings_json(all: &[(String, String)]) -> String {
    use crate::engine::array::push_json_string;
    let mut out = String::from("[");
    for (i, (n, v)) in all.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"name\":");
        push_json_string(&mut out, n);
        out.push_str(",\"setting\":");
        push_json_string(&mut out, v);
        out.push('}');
    }
    out.push(']');
    out
}
