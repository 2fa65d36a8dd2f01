//! A client session after startup: the message loop, transaction state, and the simple
//! query protocol with PostgreSQL's rules for multi-statement messages.
//!
//! Transaction state follows PostgreSQL: `Idle` (autocommit), `Block` (inside BEGIN) and
//! `Failed` (an error happened inside the block; everything but ROLLBACK gets 25P02).
//! The SQLite connection is pinned to the session only while a transaction (explicit,
//! or the implicit one of a multi-statement message) is open.

use std::sync::Arc;

use tokio::sync::watch;

use super::conn::{Conn, ReadError};
use super::params::Params;
use crate::engine::{Database, Lease, Outcome, WriteLock};
use crate::protocol::{
    self, backend, FieldDescription, Frontend, PgError, SqlState, TransactionStatus,
};
use crate::sql::{self, BeginMode, Command, Verb};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tx {
    Idle,
    Block,
    Failed,
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
    conn: Conn,
    db: Arc<Database>,
    params: Params,
    tx: Tx,
    /// True while the implicit transaction of a multi-statement Query is open.
    implicit: bool,
    /// The connection, while a transaction pins it.
    lease: Option<Lease>,
    /// The database's write lock, while this session's transaction has written.
    write_lock: Option<WriteLock>,
    max_message: usize,
    /// After an error in an extended-protocol message, skip messages until Sync.
    skip_until_sync: bool,
}

impl Session {
    pub fn new(conn: Conn, db: Arc<Database>, params: Params, max_message: usize) -> Self {
        Session {
            conn,
            db,
            params,
            tx: Tx::Idle,
            implicit: false,
            lease: None,
            write_lock: None,
            max_message,
            skip_until_sync: false,
        }
    }

    /// Serves messages until the client leaves or the server shuts down.
    pub async fn run(mut self, mut stop: watch::Receiver<bool>) {
        let end = loop {
            if *stop.borrow() {
                break End::Shutdown;
            }
            let frame = tokio::select! {
                biased;
                _ = stop.changed() => break End::Shutdown,
                f = self.conn.read_frame(true, self.max_message) => f,
            };
            let frame = match frame {
                Ok(Some(f)) => f,
                Ok(None) | Err(ReadError::Io(_)) => break End::Closed,
                Err(ReadError::Frame(e)) => {
                    self.conn.error(&e.into());
                    break End::Fatal;
                }
            };
            let msg = match protocol::decode_message(frame) {
                Ok(m) => m,
                Err(e) if e.is_fatal() => {
                    self.conn.error(&e);
                    break End::Fatal;
                }
                Err(e) => {
                    // A malformed Query: PostgreSQL reports it and carries on.
                    self.conn.error(&e);
                    self.ready_for_query();
                    continue;
                }
            };
            match self.handle(msg).await {
                Ok(true) => {}
                Ok(false) => break End::Closed,
                Err(e) if e.is_fatal() => {
                    self.conn.error(&e);
                    break End::Fatal;
                }
                Err(e) => {
                    self.conn.error(&e);
                }
            }
        };
        if let End::Shutdown = end {
            self.conn.error(&PgError::fatal(
                SqlState::ADMIN_SHUTDOWN,
                "terminating connection due to administrator command",
            ));
        }
        let _ = self.conn.flush().await;
        self.abandon_transaction().await;
    }

    /// Handles one message; `Ok(false)` ends the session.
    async fn handle(&mut self, msg: Frontend) -> Result<bool, PgError> {
        match msg {
            Frontend::Query(q) => {
                self.skip_until_sync = false;
                self.simple_query(&q.query).await;
                self.ready_for_query();
            }
            Frontend::Terminate(_) => return Ok(false),
            Frontend::Sync(_) => {
                self.skip_until_sync = false;
                self.ready_for_query();
            }
            Frontend::Flush(_) => {}
            // PostgreSQL ignores COPY messages outside COPY mode, to ease recovery.
            Frontend::CopyData(_) | Frontend::CopyDone(_) | Frontend::CopyFail(_) => {}
            Frontend::Parse(_)
            | Frontend::Bind(_)
            | Frontend::Describe(_)
            | Frontend::Execute(_)
            | Frontend::Close(_) => {
                if !self.skip_until_sync {
                    self.skip_until_sync = true;
                    return Err(PgError::new(
                        SqlState::FEATURE_NOT_SUPPORTED,
                        "the extended query protocol is not supported yet",
                    ));
                }
            }
            other => {
                return Err(PgError::protocol_violation(format!(
                    "unexpected message during a session: {}",
                    message_name(&other)
                )))
            }
        }
        Ok(true)
    }

    fn status(&self) -> TransactionStatus {
        match self.tx {
            Tx::Idle => TransactionStatus::Idle,
            Tx::Block => TransactionStatus::Transaction,
            Tx::Failed => TransactionStatus::Error,
        }
    }

    fn ready_for_query(&mut self) {
        for (name, value) in self.params.take_changed() {
            backend::parameter_status(self.conn.out(), name, &value);
        }
        let status = self.status();
        backend::ready_for_query(self.conn.out(), status);
    }

    /// Runs a Query message: each statement in turn, stopping at the first error. Several
    /// statements outside a transaction block run in one implicit transaction.
    async fn simple_query(&mut self, text: &str) {
        let statements = sql::split(text);
        if statements.is_empty() {
            backend::empty_query(self.conn.out());
            return;
        }
        let multi = statements.len() > 1;
        for stmt in statements {
            let result = self.statement(stmt, multi).await;
            match result {
                Ok(tag) => backend::command_complete(self.conn.out(), &tag),
                Err(e) => {
                    self.conn.error(&e);
                    self.after_error().await;
                    return;
                }
            }
        }
        if self.implicit {
            self.implicit = false;
            if let Err(e) = self.control("COMMIT").await {
                self.conn.error(&e);
                self.rollback_quietly().await;
            }
        }
        self.release_if_idle();
    }

    /// PostgreSQL's error rule: an implicit transaction is rolled back, an explicit one
    /// becomes failed.
    async fn after_error(&mut self) {
        if self.implicit {
            self.implicit = false;
            self.rollback_quietly().await;
        } else if self.tx == Tx::Block {
            self.tx = Tx::Failed;
        }
        self.release_if_idle();
    }

    /// Runs one statement and returns its CommandComplete tag.
    async fn statement(&mut self, stmt: &str, multi: bool) -> Result<String, PgError> {
        let cmd = sql::classify(stmt);
        if self.tx == Tx::Failed
            && !matches!(
                cmd,
                Command::Commit | Command::Rollback | Command::RollbackTo(_)
            )
        {
            return Err(PgError::in_failed_transaction());
        }
        match cmd {
            Command::Begin(mode) => self.begin(mode).await,
            Command::Commit => self.end_transaction(true).await,
            Command::Rollback => self.end_transaction(false).await,
            Command::Savepoint(name) => {
                self.require_block("SAVEPOINT")?;
                self.control(&format!("SAVEPOINT {}", quote_ident(&name)))
                    .await?;
                Ok("SAVEPOINT".into())
            }
            Command::Release(name) => {
                self.require_block("RELEASE SAVEPOINT")?;
                self.control(&format!("RELEASE {}", quote_ident(&name)))
                    .await?;
                Ok("RELEASE".into())
            }
            Command::RollbackTo(name) => {
                self.require_block("ROLLBACK TO SAVEPOINT")?;
                self.control(&format!("ROLLBACK TO {}", quote_ident(&name)))
                    .await?;
                self.tx = Tx::Block;
                Ok("ROLLBACK".into())
            }
            Command::Set { name, value } => {
                self.params.set(&name, &value)?;
                Ok("SET".into())
            }
            Command::Reset(name) => {
                self.params.reset(&name)?;
                Ok("RESET".into())
            }
            Command::Show(name) => self.show(&name),
            Command::VacuumInto => Err(PgError::new(
                SqlState::INSUFFICIENT_PRIVILEGE,
                "VACUUM INTO is not allowed: a client may only write its own database file",
            )),
            Command::Sql(verb) => {
                if multi && self.tx == Tx::Idle && !self.implicit {
                    self.control("BEGIN").await?;
                    self.implicit = true;
                }
                self.run_sql(stmt.to_string(), verb).await
            }
        }
    }

    fn require_block(&self, what: &str) -> Result<(), PgError> {
        if self.tx == Tx::Idle {
            return Err(PgError::new(
                SqlState::NO_ACTIVE_SQL_TRANSACTION,
                format!("{what} can only be used in transaction blocks"),
            ));
        }
        Ok(())
    }

    async fn begin(&mut self, mode: BeginMode) -> Result<String, PgError> {
        if self.tx != Tx::Idle {
            self.conn.error(&PgError::warning(
                SqlState::ACTIVE_SQL_TRANSACTION,
                "there is already a transaction in progress",
            ));
            return Ok("BEGIN".into());
        }
        if mode != BeginMode::Deferred && self.write_lock.is_none() {
            self.write_lock = Some(self.db.write_lock().await?);
        }
        if self.implicit {
            // BEGIN inside a multi-statement message turns its implicit transaction into
            // a regular block (SQLite's transaction is already open).
            self.implicit = false;
        } else {
            let sql = match mode {
                BeginMode::Deferred => "BEGIN",
                BeginMode::Immediate => "BEGIN IMMEDIATE",
                BeginMode::Exclusive => "BEGIN EXCLUSIVE",
            };
            if let Err(e) = self.control(sql).await {
                self.release_if_idle();
                return Err(e);
            }
        }
        self.tx = Tx::Block;
        Ok("BEGIN".into())
    }

    /// COMMIT / ROLLBACK (and COMMIT of a failed block, which rolls back).
    async fn end_transaction(&mut self, commit: bool) -> Result<String, PgError> {
        let tag = if commit && self.tx != Tx::Failed {
            "COMMIT"
        } else {
            "ROLLBACK"
        };
        if self.tx == Tx::Idle {
            self.conn.error(&PgError::warning(
                SqlState::NO_ACTIVE_SQL_TRANSACTION,
                "there is no transaction in progress",
            ));
            if !self.implicit {
                return Ok(tag.into());
            }
        }
        let result = if tag == "COMMIT" {
            self.control("COMMIT").await
        } else {
            self.rollback_quietly().await;
            Ok(())
        };
        self.tx = Tx::Idle;
        self.implicit = false;
        match result {
            Ok(()) => {
                self.release_if_idle();
                Ok(tag.into())
            }
            Err(e) => {
                // A failed COMMIT (e.g. a deferred constraint) rolls the block back.
                self.rollback_quietly().await;
                self.release_if_idle();
                Err(e)
            }
        }
    }

    /// Rolls back whatever SQLite has open on the pinned connection, ignoring errors.
    async fn rollback_quietly(&mut self) {
        if self.lease.is_some() {
            let _ = self.control("ROLLBACK").await;
        }
        self.tx = Tx::Idle;
    }

    /// At session end: roll back an open transaction so the connection can be reused.
    async fn abandon_transaction(&mut self) {
        if self.lease.is_some() {
            self.rollback_quietly().await;
        }
        self.implicit = false;
        self.release_if_idle();
    }

    /// Returns the connection and the write lock once no transaction needs them.
    fn release_if_idle(&mut self) {
        if self.tx == Tx::Idle && !self.implicit {
            self.lease = None;
            self.write_lock = None;
        }
    }

    async fn take_lease(&mut self) -> Result<Lease, PgError> {
        match self.lease.take() {
            Some(l) => Ok(l),
            None => self.db.lease().await,
        }
    }

    /// Runs a transaction-control statement on the session's connection; no rows.
    async fn control(&mut self, sql: &str) -> Result<(), PgError> {
        let lease = self.take_lease().await?;
        let is_rollback = sql.starts_with("ROLLBACK") && !sql.starts_with("ROLLBACK TO");
        if is_rollback && lease.conn().is_autocommit() {
            // SQLite already rolled back (it does so on some errors).
            self.lease = Some(lease);
            return Ok(());
        }
        let running = lease.start(sql.to_string(), Verb::Fixed("CONTROL"), true);
        let (lease, outcome) = running.finish().await?;
        // Kept until the caller's state says no transaction needs it (release_if_idle).
        self.lease = Some(lease);
        match outcome {
            Outcome::Done(_) => Ok(()),
            Outcome::Failed(e) => Err(e),
            Outcome::NeedsWriteLock => Err(PgError::new(
                SqlState::INTERNAL_ERROR,
                "transaction control needed the write lock",
            )),
        }
    }

    /// Runs an ordinary statement, streaming its rows to the client. A writing statement
    /// first takes the database's write lock (held to the end of the transaction).
    async fn run_sql(&mut self, sql: String, verb: Verb) -> Result<String, PgError> {
        loop {
            let lease = self.take_lease().await?;
            let interrupt = lease.conn().get_interrupt_handle();
            let mut running = lease.start(sql.clone(), verb.clone(), self.write_lock.is_some());
            let timeout = self.params.statement_timeout();
            let deadline = (!timeout.is_zero()).then(|| tokio::time::Instant::now() + timeout);
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
            let (lease, outcome) = running.finish().await?;
            if self.tx != Tx::Idle || self.implicit {
                self.lease = Some(lease);
            } else {
                drop(lease);
            }
            if client_gone {
                return Err(PgError::fatal(
                    SqlState::CONNECTION_EXCEPTION,
                    "client went away",
                ));
            }
            match outcome {
                Outcome::Done(tag) => {
                    self.release_if_idle();
                    return Ok(tag);
                }
                Outcome::NeedsWriteLock => {
                    self.write_lock = Some(self.db.write_lock().await?);
                }
                Outcome::Failed(mut e) => {
                    self.release_if_idle();
                    if timed_out && e.code == SqlState::QUERY_CANCELED {
                        e.message = "canceling statement due to statement timeout".into();
                    }
                    return Err(e);
                }
            }
        }
    }

    /// `SHOW name` / `SHOW ALL`.
    fn show(&mut self, name: &str) -> Result<String, PgError> {
        let text_field = |n: &str| {
            FieldDescription::new(
                n.to_string(),
                0,
                0,
                crate::engine::types::oid::TEXT,
                -1,
                -1,
                0,
            )
        };
        let out = self.conn.out();
        if name == "all" {
            backend::row_description(out, vec![text_field("name"), text_field("setting")]);
            for (n, v) in self.params.all() {
                let mut row = protocol::DataRowWriter::begin(self.conn.out());
                row.value(n.as_bytes());
                row.value(v.as_bytes());
                row.finish();
            }
            return Ok("SHOW".into());
        }
        let value = self.params.get(name).ok_or_else(|| {
            PgError::new(
                SqlState::UNDEFINED_PARAMETER,
                format!("unrecognized configuration parameter \"{name}\""),
            )
        })?;
        backend::row_description(self.conn.out(), vec![text_field(name)]);
        let mut row = protocol::DataRowWriter::begin(self.conn.out());
        row.value(value.as_bytes());
        row.finish();
        Ok("SHOW".into())
    }
}

/// Quotes an identifier for SQLite (`"a""b"`).
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
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
