//! COPY on the session side: the CopyIn sub-protocol (CopyData until CopyDone or
//! CopyFail) for `COPY ... FROM STDIN`, and `COPY ... TO STDOUT` as a statement whose
//! rows are encoded as CopyData. File and program endpoints are refused (42501), as for
//! a PostgreSQL role without `pg_read_server_files` / `pg_write_server_files`: a client
//! never reaches the server's files.
//!
//! Rows are inserted in batches as they arrive (the engine's `copy.rs` splits and
//! inserts them on a worker), inside the session's transaction, or an implicit one
//! that makes the COPY all-or-nothing. While a worker inserts one batch the session
//! reads the next: two batches at most are held.

use std::sync::Arc;

use super::conn::{Read, ReadError};
use super::session::{Completion, Session, Tx};
use crate::engine::copy::{Batch, CopyFormat, CopyRows, CopyTarget, Lines};
use crate::engine::{Job, Output};
use crate::protocol::{self, backend, Frontend, PgError, SqlState};
use crate::sql::copy::{CopySource, CopyStmt, Endpoint};
use crate::sql::{self, Command, Verb};

const ANYONE_CAN: &str =
    "Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone.";

fn client_gone() -> PgError {
    PgError::fatal(
        SqlState::CONNECTION_EXCEPTION,
        "client went away during COPY",
    )
}

impl Session {
    pub(super) async fn copy(&mut self, c: CopyStmt) -> Result<Completion, PgError> {
        match c.endpoint {
            Endpoint::Client => {}
            Endpoint::File => {
                let (role, dir) = if c.from {
                    ("pg_read_server_files", "from")
                } else {
                    ("pg_write_server_files", "to")
                };
                return Err(PgError::new(
                    SqlState::INSUFFICIENT_PRIVILEGE,
                    format!(
                        "must be superuser or have privileges of the {role} role to COPY {dir} a file"
                    ),
                )
                .with_hint(ANYONE_CAN));
            }
            Endpoint::Program => {
                return Err(PgError::new(
                    SqlState::INSUFFICIENT_PRIVILEGE,
                    "must be superuser or have privileges of the pg_execute_server_program role to COPY to or from an external program",
                )
                .with_hint(ANYONE_CAN));
            }
        }
        let format = Arc::new(CopyFormat::new(&c.options, c.from)?);
        if c.from {
            match c.source {
                CopySource::Table { name, columns } => {
                    self.copy_in(name, columns, format, c.options.freeze).await
                }
                CopySource::Query(_) => Err(PgError::syntax_near("FROM")),
            }
        } else {
            self.copy_out(c.source, format).await
        }
    }

    /// `COPY ... TO STDOUT`: a SELECT whose rows the worker encodes as CopyData.
    async fn copy_out(
        &mut self,
        source: CopySource,
        format: Arc<CopyFormat>,
    ) -> Result<Completion, PgError> {
        let (sqlite, source): (Arc<str>, Arc<str>) = match source {
            CopySource::Table { name, columns } => {
                let cols = if columns.is_empty() {
                    "*".to_string()
                } else {
                    columns
                        .iter()
                        .map(|c| crate::sql::lexer::quote_ident(c))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let text: Arc<str> = Arc::from(
                    format!(
                        "SELECT {cols} FROM {}",
                        crate::sql::lexer::quote_ident(&name)
                    )
                    .as_str(),
                );
                (text.clone(), text)
            }
            CopySource::Query(q) => {
                if !matches!(sql::classify(&q), Command::Sql(Verb::Select)) {
                    return Err(PgError::new(
                        SqlState::FEATURE_NOT_SUPPORTED,
                        "COPY (query) TO supports only SELECT and VALUES queries in litewire",
                    ));
                }
                (self.sqlite_text(&q).await?, Arc::from(q.as_str()))
            }
        };
        let mut job = Job::simple(sqlite, source, Verb::Counted("COPY"));
        job.describe = false;
        job.output = Output::Copy(format);
        self.run_job(job).await
    }

    /// `COPY table FROM STDIN`: CopyInResponse, then rows until CopyDone.
    async fn copy_in(
        &mut self,
        table: String,
        columns: Vec<String>,
        format: Arc<CopyFormat>,
        freeze: bool,
    ) -> Result<Completion, PgError> {
        let read_only = self.read_only
            || crate::engine::standby::is_standby()
            || crate::engine::standby::is_fenced(&self.db.name)
            || (self.tx == Tx::Idle
                && self.params.get("default_transaction_read_only").as_deref() == Some("on"));
        if read_only {
            return Err(crate::engine::standby::fenced_error(
                &self.db.name,
                PgError::new(
                    SqlState::READ_ONLY_SQL_TRANSACTION,
                    "cannot execute COPY FROM in a read-only transaction",
                ),
            ));
        }
        // A writer like any other: the write lock first (never wait for it holding a
        // fresh connection), then a transaction, so a failed COPY inserts nothing.
        self.queried = true;
        if self.write_lock.is_none() {
            self.write_lock = Some(self.db.write_lock().await?);
            self.renew_snapshot().await?;
        }
        if self.tx == Tx::Idle && !self.implicit {
            self.control("BEGIN").await?;
            self.implicit = true;
        }
        let lease = self.take_lease().await?;
        let freeze_refused = freeze.then(|| self.freeze_refused(&table)).flatten();
        let (lease, target) = lease.copy_target(table, columns, format.clone()).await?;
        self.lease = Some(lease);
        let target = target?;
        // Cancelable like a running statement: a CancelRequest interrupts an insert in
        // progress and is seen between messages. Set before the client hears it is in
        // COPY: another IO thread may take its CancelRequest at once.
        if let Some(lease) = self.lease.as_ref() {
            let handle = lease.conn().sqlite().get_interrupt_handle();
            self.info.set_running(Some(handle));
        }
        backend::copy_in_response(self.conn.out(), target.column_count());
        if self.conn.flush().await.is_err() {
            self.info.set_running(None);
            return Err(client_gone());
        }
        // PostgreSQL checks FREEZE once the copy has begun; the data that follows is
        // ignored by the message loop.
        if let Some(e) = freeze_refused {
            self.info.set_running(None);
            return Err(e);
        }
        let result = self.receive_rows(&target, format).await;
        let canceled = self.info.was_canceled();
        self.info.set_running(None);
        result.map_err(|mut e| {
            if canceled && e.code == SqlState::QUERY_CANCELED {
                e.message = "canceling statement due to user request".into();
            }
            e
        })
    }

    /// PostgreSQL's refusal of `COPY table FROM … FREEZE`, if it refuses: with a cursor
    /// open (25000), or into a table not created or truncated in the current
    /// subtransaction (55000) — its rows would be visible to older snapshots.
    fn freeze_refused(&self, table: &str) -> Option<PgError> {
        if self.ext.portals.iter().any(|(name, _)| !name.is_empty()) {
            return Some(PgError::new(
                SqlState::INVALID_TRANSACTION_STATE,
                "cannot perform COPY FREEZE because of prior transaction activity",
            ));
        }
        (!self.subxacts.is_fresh(table)).then(|| {
            PgError::new(
                SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
                "cannot perform COPY FREEZE because the table was not created or truncated in the current subtransaction",
            )
        })
    }

    /// The CopyIn loop: CopyData until CopyDone, rows inserted batch by batch.
    async fn receive_rows(
        &mut self,
        target: &Arc<CopyTarget>,
        format: Arc<CopyFormat>,
    ) -> Result<Completion, PgError> {
        let mut inflight = None;
        let result = self.receive_loop(target, format, &mut inflight).await;
        // The connection of the COPY's transaction comes back to the session before the
        // COPY ends, however it ends.
        let Some(task) = inflight else {
            return result;
        };
        let (_, landed) = self.land(task).await?;
        match (result, landed) {
            // The batch in flight holds earlier lines than any the loop failed on.
            (Err(e), Err(earlier)) if !e.is_fatal() => Err(earlier),
            (result, _) => result,
        }
    }

    async fn receive_loop(
        &mut self,
        target: &Arc<CopyTarget>,
        format: Arc<CopyFormat>,
        inflight: &mut Option<CopyRows>,
    ) -> Result<Completion, PgError> {
        let timeout = self.params.statement_timeout();
        // Checked: a deadline later than an Instant can hold is no deadline.
        let deadline = (!timeout.is_zero())
            .then(|| tokio::time::Instant::now().checked_add(timeout))
            .flatten();
        let timed_out = || {
            PgError::new(
                SqlState::QUERY_CANCELED,
                "canceling statement due to statement timeout",
            )
        };
        let mut lines = Lines::new(format, self.max_message);
        let mut batch = Batch::default();
        let mut rows = 0u64;
        loop {
            let read = self.conn.read_frame(true, self.max_message, None);
            let frame = match deadline {
                Some(d) => tokio::time::timeout_at(d, read)
                    .await
                    .map_err(|_| timed_out())?,
                None => read.await,
            };
            let frame = match frame {
                Ok(Read::Frame(f)) => f,
                // DROP DATABASE … WITH (FORCE) shut the socket's reading side.
                Ok(Read::Eof) | Err(ReadError::Io(_)) if self.info.killed() => {
                    return Err(self.terminate())
                }
                Ok(Read::Eof | Read::Idle) | Err(ReadError::Io(_)) => return Err(client_gone()),
                Err(ReadError::Frame(e)) => return Err(e.into()),
            };
            if self.info.was_canceled() {
                return Err(PgError::new(
                    SqlState::QUERY_CANCELED,
                    "canceling statement due to user request",
                ));
            }
            let tag = frame.first().copied().unwrap_or(0);
            let unexpected = || {
                PgError::new(
                    SqlState::PROTOCOL_VIOLATION,
                    format!("unexpected message type 0x{tag:02X} during COPY from stdin"),
                )
            };
            let msg = match protocol::decode_message(frame) {
                Ok(msg) => msg,
                // An unknown type, which ends a session elsewhere, only ends the COPY.
                Err(e) if e.is_fatal() => return Err(unexpected()),
                Err(e) => return Err(e),
            };
            match msg {
                Frontend::CopyData(d) => lines.push(&d.data, &mut batch)?,
                Frontend::CopyDone(_) => {
                    lines.finish(&mut batch);
                    if let Some(task) = inflight.take() {
                        rows += self.land(task).await?.1?;
                    }
                    if !batch.is_empty() {
                        let task = self.launch(target, std::mem::take(&mut batch)).await?;
                        rows += self.land(task).await?.1?;
                    }
                    return Ok(Completion::Tag(format!("COPY {rows}")));
                }
                Frontend::CopyFail(f) => {
                    return Err(PgError::new(
                        SqlState::QUERY_CANCELED,
                        format!("COPY from stdin failed: {}", f.message),
                    ))
                }
                // PostgreSQL ignores Flush and Sync during COPY IN.
                Frontend::Flush(_) | Frontend::Sync(_) => {}
                _ => return Err(unexpected()),
            }
            if batch.is_full() {
                // One batch inserting at a time: the one before must be done first.
                let mut next = Batch::default();
                if let Some(task) = inflight.take() {
                    let (emptied, inserted) = self.land(task).await?;
                    rows += inserted?;
                    next = emptied;
                    if deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
                        return Err(timed_out());
                    }
                }
                let full = std::mem::replace(&mut batch, next);
                *inflight = Some(self.launch(target, full).await?);
            }
        }
    }

    /// Starts inserting a batch on the session's connection (on a worker), which stays
    /// with the insert until [`Session::land`].
    async fn launch(
        &mut self,
        target: &Arc<CopyTarget>,
        batch: Batch,
    ) -> Result<CopyRows, PgError> {
        let lease = self.take_lease().await?;
        let style = self.params.input_style();
        Ok(lease.copy_rows(target.clone(), batch, style))
    }

    /// Waits for a batch's insert: the connection back to the session, the emptied
    /// batch, and the rows inserted or the error.
    async fn land(&mut self, task: CopyRows) -> Result<(Batch, Result<u64, PgError>), PgError> {
        let (lease, emptied, result) = task.finish().await?;
        self.lease = Some(lease);
        Ok((emptied, result))
    }
}
