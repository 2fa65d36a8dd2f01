//! Transaction control for a session: BEGIN / SET TRANSACTION / COMMIT / ROLLBACK, the
//! implicit transaction of a multi-statement Query or an extended-protocol batch, and
//! PostgreSQL's error rule.
//!
//! Transaction state follows PostgreSQL: `Idle` (autocommit), `Block` (inside BEGIN) and
//! `Failed` (an error happened inside the block; everything but ROLLBACK gets 25P02).
//! Outside a block, a multi-statement Query or the messages up to a Sync run in an
//! *implicit* transaction. The SQLite connection is pinned to the session only while a
//! transaction (explicit or implicit) is open.
//!
//! Isolation: at READ COMMITTED a transaction that has only read takes a fresh snapshot
//! when it first writes (`renew_snapshot`); at REPEATABLE READ and SERIALIZABLE it keeps
//! its first one, and SQLite refuses the write (40001) if anyone committed since.

use super::params::CommitWait;
use super::session::{Session, Tx};
use crate::protocol::{PgError, SqlState};
use crate::sql::{Begin, BeginMode, Isolation, SetTransaction};

impl Session {
    /// PostgreSQL's error rule: an implicit transaction is rolled back, an explicit one
    /// becomes failed.
    pub(super) async fn after_error(&mut self) {
        if self.implicit {
            self.implicit = false;
            self.rollback_quietly().await;
        } else if self.tx == Tx::Block {
            self.tx = Tx::Failed;
        }
        // Nothing committed on an error's way out.
        let _ = self.release_if_idle().await;
    }

    /// Commits an open implicit transaction (end of a Query message, or Sync).
    pub(super) async fn commit_implicit(&mut self) -> Result<(), PgError> {
        if !self.implicit {
            return Ok(());
        }
        self.implicit = false;
        let result = match self.drop_scroll_tables().await {
            Ok(()) => {
                self.close_portals();
                self.control("COMMIT").await
            }
            Err(e) => Err(e),
        };
        if result.is_err() {
            self.rollback_quietly().await;
        }
        let durable = self.release_if_idle().await;
        result.and(durable)
    }

    pub(super) fn require_block(&self, what: &str) -> Result<(), PgError> {
        if self.tx == Tx::Idle {
            return Err(PgError::new(
                SqlState::NO_ACTIVE_SQL_TRANSACTION,
                format!("{what} can only be used in transaction blocks"),
            ));
        }
        Ok(())
    }

    pub(super) async fn begin(&mut self, b: Begin) -> Result<String, PgError> {
        let tag = if b.start {
            "START TRANSACTION"
        } else {
            "BEGIN"
        };
        if self.tx != Tx::Idle {
            self.conn.error(&PgError::warning(
                SqlState::ACTIVE_SQL_TRANSACTION,
                "there is already a transaction in progress",
            ));
            return Ok(tag.into());
        }
        let standby = crate::engine::standby::is_standby();
        if standby && b.read_write {
            return Err(read_write_in_recovery());
        }
        let fenced = crate::engine::standby::is_fenced(&self.db.name);
        if fenced && b.read_write {
            return Err(read_write_when_fenced(&self.db.name));
        }
        let mode = b.mode;
        if mode != BeginMode::Deferred && self.write_lock.is_none() {
            self.write_lock = Some(self.db.write_lock().await?);
        }
        if self.implicit {
            // BEGIN inside an implicit transaction turns it into a regular block
            // (SQLite's transaction is already open).
            self.implicit = false;
        } else {
            let sql = match mode {
                BeginMode::Deferred => "BEGIN",
                BeginMode::Immediate => "BEGIN IMMEDIATE",
                BeginMode::Exclusive => "BEGIN EXCLUSIVE",
            };
            if let Err(e) = self.control(sql).await {
                let _ = self.release_if_idle().await;
                return Err(e);
            }
        }
        self.tx = Tx::Block;
        self.queried = false;
        self.read_only = b.read_only
            || standby
            || fenced
            || (!b.read_write
                && self.params.get("default_transaction_read_only").as_deref() == Some("on"));
        let level = b.isolation.unwrap_or_else(|| self.params.isolation());
        self.params.set_tx_isolation(Some(level));
        self.params.set_tx_read_only(self.read_only);
        let deferrable = b.deferrable.unwrap_or_else(|| {
            self.params.get("default_transaction_deferrable").as_deref() == Some("on")
        });
        self.params.set_tx_deferrable(deferrable);
        Ok(tag.into())
    }

    /// `SET TRANSACTION ...` (the open block) or `SET SESSION CHARACTERISTICS AS
    /// TRANSACTION ...` (the defaults), with PostgreSQL's checks.
    pub(super) fn set_transaction(&mut self, s: SetTransaction) -> Result<(), PgError> {
        if s.session {
            if let Some(level) = s.isolation {
                self.params
                    .set("default_transaction_isolation", level.name())?;
            }
            if let Some(ro) = s.read_only {
                let v = if ro { "on" } else { "off" };
                self.params.set("default_transaction_read_only", v)?;
            }
            if let Some(d) = s.deferrable {
                let v = if d { "on" } else { "off" };
                self.params.set("default_transaction_deferrable", v)?;
            }
            return Ok(());
        }
        if self.tx == Tx::Idle {
            self.conn.error(&PgError::warning(
                SqlState::NO_ACTIVE_SQL_TRANSACTION,
                "SET TRANSACTION can only be used in transaction blocks",
            ));
            return Ok(());
        }
        if let Some(level) = s.isolation {
            self.set_isolation(level)?;
        }
        if let Some(ro) = s.read_only {
            if !ro && crate::engine::standby::is_standby() {
                return Err(read_write_in_recovery());
            }
            if !ro && crate::engine::standby::is_fenced(&self.db.name) {
                return Err(read_write_when_fenced(&self.db.name));
            }
            if !ro && self.read_only && self.queried {
                return Err(PgError::new(
                    SqlState::ACTIVE_SQL_TRANSACTION,
                    "transaction read-write mode must be set before any query",
                ));
            }
            self.read_only = ro;
            self.params.set_tx_read_only(ro);
        }
        if let Some(d) = s.deferrable {
            self.params.set_tx_deferrable(d);
        }
        Ok(())
    }

    /// Changes the open block's isolation level, which is fixed once a statement ran.
    pub(super) fn set_isolation(&mut self, level: Isolation) -> Result<(), PgError> {
        if self.tx == Tx::Idle {
            return Ok(());
        }
        if self.queried && level != self.params.isolation() {
            return Err(PgError::new(
                SqlState::ACTIVE_SQL_TRANSACTION,
                "SET TRANSACTION ISOLATION LEVEL must be called before any query",
            ));
        }
        self.params.set_tx_isolation(Some(level));
        Ok(())
    }

    /// COMMIT / ROLLBACK (and COMMIT of a failed block, which rolls back).
    pub(super) async fn end_transaction(
        &mut self,
        commit: bool,
        chain: bool,
    ) -> Result<String, PgError> {
        if chain && self.tx == Tx::Idle {
            return Err(PgError::new(
                SqlState::NO_ACTIVE_SQL_TRANSACTION,
                format!(
                    "{} AND CHAIN can only be used in transaction blocks",
                    if commit { "COMMIT" } else { "ROLLBACK" }
                ),
            ));
        }
        let read_only = self.read_only;
        let deferrable = self.params.get("transaction_deferrable").as_deref() == Some("on");
        let isolation = self.params.isolation();
        let tag = Box::pin(self.end_transaction_inner(commit)).await?;
        if chain {
            // The next block starts at once, with the same characteristics.
            self.begin(Begin {
                mode: BeginMode::Deferred,
                read_only,
                read_write: !read_only,
                deferrable: Some(deferrable),
                isolation: Some(isolation),
                start: false,
            })
            .await?;
        }
        Ok(tag)
    }

    async fn end_transaction_inner(&mut self, commit: bool) -> Result<String, PgError> {
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
            match self.drop_scroll_tables().await {
                Ok(()) => {
                    self.close_portals();
                    self.control("COMMIT").await
                }
                Err(e) => Err(e),
            }
        } else {
            self.rollback_quietly().await;
            Ok(())
        };
        self.tx = Tx::Idle;
        self.implicit = false;
        if result.is_err() {
            // A failed COMMIT (e.g. a deferred constraint) rolls the block back.
            self.rollback_quietly().await;
        }
        self.params.end_block(tag == "COMMIT" && result.is_ok());
        let durable = self.release_if_idle().await;
        result.and(durable).map(|()| tag.into())
    }

    /// Rolls back whatever SQLite has open on the pinned connection, ignoring errors.
    pub(super) async fn rollback_quietly(&mut self) {
        self.close_portals();
        if self.lease.is_some() {
            let _ = self.control("ROLLBACK").await;
        }
        self.tx = Tx::Idle;
    }

    /// Writing needs a current snapshot: at READ COMMITTED, a transaction that has only
    /// read so far is restarted (ROLLBACK; BEGIN) once it holds the write lock, so it
    /// does not fail with 40001 because someone committed since its first read —
    /// PostgreSQL's READ COMMITTED gives each statement a fresh snapshot too. At
    /// REPEATABLE READ and SERIALIZABLE the snapshot is kept: SQLite then refuses the
    /// write (BUSY_SNAPSHOT, 40001) if anyone committed since, so no update is lost.
    pub(super) async fn renew_snapshot(&mut self) -> Result<(), PgError> {
        if !self.params.isolation().renews_snapshot() {
            return Ok(());
        }
        let Some(lease) = self.lease.as_ref() else {
            return Ok(());
        };
        // (A SCROLL cursor's table would go with the restart too.)
        let scrolling = self.ext.portals.iter().any(|(_, p)| p.scroll.is_some());
        if lease.conn().is_autocommit()
            || lease.conn().has_cursors()
            || self.savepoints
            || scrolling
        {
            return Ok(());
        }
        self.control("ROLLBACK").await?;
        self.control("BEGIN").await
    }

    /// At session end: roll back an open transaction so the connection can be reused.
    pub(super) async fn abandon_transaction(&mut self) {
        if self.lease.is_some() {
            self.rollback_quietly().await;
        }
        self.implicit = false;
        let _ = self.release_if_idle().await;
    }

    /// Returns the connection and the write lock once no transaction needs them.
    ///
    /// A transaction that committed while holding the write lock is then made durable
    /// unless synchronous_commit is off: after the lock is given up, so that the next
    /// writer runs and concurrent commits share one fsync (engine/group_commit.rs), and
    /// before the caller acknowledges the commit (CommandComplete, ReadyForQuery).
    pub(super) async fn release_if_idle(&mut self) -> Result<(), PgError> {
        if self.tx != Tx::Idle || self.implicit {
            return Ok(());
        }
        let on_commit = self.on_commit_actions().await;
        self.tx_now = 0;
        self.close_portals();
        if !self.sticky {
            self.lease = None;
        }
        let ticket = self
            .write_lock
            .take()
            .and_then(|lock| self.db.release(lock));
        self.read_only = false;
        self.savepoints = false;
        self.subxacts.clear();
        self.queried = false;
        self.params.set_tx_isolation(None);
        let Some(ticket) = ticket else {
            return on_commit;
        };
        match self.params.commit_wait() {
            CommitWait::Nothing => {}
            CommitWait::Disk => {
                let synced = self.db.durable(ticket).await?;
                super::stats::DURABLE_COMMITS.add(1);
                super::stats::WAL_SYNCS.add(u64::from(synced));
            }
            CommitWait::Store => {
                // The local fdatasync and the upload run together: each covers the
                // commit on its own (a restore or a restart may find it either way).
                // Boxed: the waits' state is allocated only by the commits that wait
                // for the store, not part of every session's message future.
                let db = self.db.clone();
                let (synced, stored) = Box::pin(async {
                    tokio::join!(
                        db.durable(ticket),
                        crate::replication::sync::wait(&db, ticket)
                    )
                })
                .await;
                let synced = synced?;
                super::stats::DURABLE_COMMITS.add(1);
                super::stats::WAL_SYNCS.add(u64::from(synced));
                match stored {
                    Ok(called) => {
                        super::stats::REPLICATED_COMMITS.add(1);
                        super::stats::STORE_SYNCS.add(u64::from(called));
                    }
                    Err(e) => return Err(self.unreplicated(e)),
                }
            }
        }
        on_commit
    }

    /// A commit the replica store did not confirm in time: PostgreSQL's answer when a
    /// synchronous-replication wait is given up by termination (a WARNING, then the
    /// session ends without acknowledging the commit), so the client cannot take it
    /// for replicated. The commit stays in the local database.
    fn unreplicated(&mut self, e: crate::replication::sync::NotConfirmed) -> PgError {
        tracing::warn!(
            database = %self.db.name,
            waited = ?e.waited,
            error = %e.last_error,
            "a commit was not confirmed by the replica store in time; session ended"
        );
        self.conn.error(
            &PgError::warning(
                SqlState::ADMIN_SHUTDOWN,
                "canceling the wait for synchronous replication and terminating connection \
                 because the replica store did not confirm the commit in time",
            )
            .with_detail(
                "The transaction has already committed locally, but might not have been \
                 replicated to the standby.",
            )
            .with_hint(format!(
                "Waited {} ms (--synchronous-replication-timeout); last error: {}.",
                e.waited.as_millis(),
                e.last_error
            )),
        );
        self.terminated = true;
        PgError::fatal(
            SqlState::ADMIN_SHUTDOWN,
            "terminating connection: the commit was not confirmed by the replica store",
        )
    }
}

/// PostgreSQL's refusal of a read-write transaction on a hot standby.
fn read_write_in_recovery() -> PgError {
    PgError::new(
        SqlState::READ_ONLY_SQL_TRANSACTION,
        "cannot set transaction read-write mode during recovery",
    )
}

/// The refusal of a read-write transaction in a fenced database (25006, as a hot
/// standby's), with the cause and the way out.
pub(super) fn read_write_when_fenced(db: &str) -> PgError {
    crate::engine::standby::fenced_error(
        db,
        PgError::new(
            SqlState::READ_ONLY_SQL_TRANSACTION,
            format!("cannot set transaction read-write mode: database \"{db}\" is fenced"),
        ),
    )
}
