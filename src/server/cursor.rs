//! SQL cursors: `DECLARE`, `FETCH`, `MOVE`, `CLOSE`.
//!
//! As in PostgreSQL, a cursor is a named portal: it lives in the same list as the
//! extended protocol's portals (so `Describe P "c"`, which psycopg sends after DECLARE,
//! works), runs on the same parked `sqlite3_stmt` machinery (a FETCH is an Execute with
//! a row limit) and ends with its transaction. Cursors are forward-only; `WITH HOLD`
//! and `SCROLL` are refused.

use std::sync::Arc;

use super::extended::{fields, too_many, Portal, PortalState, Prepared, MAX_PER_SESSION};
use super::session::{Completion, Session, Tx};
use crate::engine::{Job, Output};
use crate::protocol::{backend, PgError, SqlState};
use crate::sql::cursor::{Declare, Direction, Fetch};
use crate::sql::{self, Command, Verb};

fn no_cursor(name: &str) -> PgError {
    PgError::new(
        SqlState::INVALID_CURSOR_NAME,
        format!("cursor \"{name}\" does not exist"),
    )
}

impl Session {
    fn cursor_index(&self, name: &str) -> Result<usize, PgError> {
        self.ext.portal_index(name).map_err(|_| no_cursor(name))
    }

    /// `DECLARE`: a named portal for the query, not yet run (the first FETCH starts it).
    /// `implicit_block`: the statement is one of several in a simple Query, which
    /// PostgreSQL counts as a transaction block.
    pub(super) async fn declare(
        &mut self,
        d: Declare,
        implicit_block: bool,
        job: Option<Job>,
    ) -> Result<String, PgError> {
        if d.hold {
            return Err(PgError::new(
                SqlState::FEATURE_NOT_SUPPORTED,
                "DECLARE CURSOR WITH HOLD is not supported by litewire",
            )
            .with_hint("Declare the cursor without WITH HOLD, inside a transaction block."));
        }
        if d.scroll {
            return Err(PgError::new(
                SqlState::FEATURE_NOT_SUPPORTED,
                "SCROLL cursors are not supported by litewire",
            )
            .with_hint("litewire's cursors only move forward (NO SCROLL)."));
        }
        if self.tx == Tx::Idle {
            if job.is_some() || !implicit_block {
                return Err(PgError::new(
                    SqlState::NO_ACTIVE_SQL_TRANSACTION,
                    "DECLARE CURSOR can only be used in transaction blocks",
                ));
            }
            if !self.implicit {
                self.control("BEGIN").await?;
                self.implicit = true;
            }
        }
        if self.ext.portal_index(&d.name).is_ok() {
            return Err(PgError::new(
                SqlState::DUPLICATE_CURSOR,
                format!("cursor \"{}\" already exists", d.name),
            ));
        }
        let command = sql::classify(&d.query);
        if !matches!(command, Command::Sql(Verb::Select)) {
            let first = sql::lexer::words(&d.query).next().unwrap_or("");
            return Err(PgError::syntax_near(first)
                .with_hint("A cursor's query must be a SELECT or VALUES."));
        }
        let source: Arc<str> = Arc::from(d.query.as_str());
        let sqlite = self.sqlite_text(&d.query).await?;
        let desc = self.describe_sql(&sqlite, &source, &[]).await?;
        if self.ext.portals.len() >= MAX_PER_SESSION {
            return Err(too_many("portals"));
        }
        let binary = vec![d.binary; desc.columns.len()];
        let params = job.map(|j| j.params).unwrap_or_default();
        self.ext.portals.push((
            d.name,
            Portal {
                stmt: Arc::new(Prepared {
                    source,
                    sqlite,
                    command,
                    empty: false,
                    desc,
                }),
                params,
                binary,
                state: PortalState::Ready,
            },
        ));
        Ok("DECLARE CURSOR".into())
    }

    /// `FETCH` / `MOVE`: runs the cursor's statement up to the count (resuming its
    /// parked statement). `job` is the extended protocol's (no RowDescription then;
    /// its result formats apply).
    pub(super) async fn fetch(
        &mut self,
        f: Fetch,
        job: Option<Job>,
    ) -> Result<Completion, PgError> {
        let word = if f.is_move { "MOVE" } else { "FETCH" };
        let i = self.cursor_index(&f.name)?;
        let max_rows = match f.direction {
            Direction::Forward(n) => n,
            Direction::All => 0,
            // MOVE 0 stays where it is (psycopg's scroll(0)); its count says whether
            // the cursor is on a row.
            Direction::Stay if f.is_move => {
                let on_row = self.ext.portals[i].1.state == PortalState::Suspended;
                return Ok(Completion::Tag(format!("MOVE {}", u8::from(on_row))));
            }
            Direction::Backward => {
                return Err(PgError::new(
                    SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
                    "cursor can only scan forward",
                )
                .with_hint("litewire's cursors only move forward (NO SCROLL)."))
            }
            Direction::Stay | Direction::Other => {
                return Err(PgError::new(
                    SqlState::FEATURE_NOT_SUPPORTED,
                    format!("{word} supports only NEXT, FORWARD [n | ALL], n and ALL in litewire"),
                )
                .with_hint("FIRST, LAST, ABSOLUTE, RELATIVE n and FETCH 0 are not supported."))
            }
        };
        let describe = job.is_none() && !f.is_move;
        let (stmt, params, binary, state) = {
            let p = &mut self.ext.portals[i].1;
            let binary = match &job {
                Some(j) if !j.binary.is_empty() => j.binary.clone(),
                _ => p.binary.clone(),
            };
            (
                p.stmt.clone(),
                std::mem::take(&mut p.params),
                binary,
                p.state,
            )
        };
        if state == PortalState::Done {
            if describe {
                backend::row_description(self.conn.out(), fields(&stmt.desc, &binary));
            }
            return Ok(Completion::Tag(format!("{word} 0")));
        }
        let run = Job {
            sql: stmt.sqlite.clone(),
            source: stmt.source.clone(),
            verb: Verb::Counted(word),
            params,
            types: Some(stmt.desc.types.clone()),
            binary,
            max_rows,
            portal: Some(f.name.clone()),
            describe,
            begin: false,
            write_locked: false,
            output: if f.is_move {
                Output::Discard
            } else {
                Output::Rows
            },
            pid: self.pid,
            user: self.user.clone(),
            extra_float_digits: 1,
            input_style: Default::default(),
            alter: None,
        };
        let (state, tag) = match self.run_job(run).await? {
            Completion::Tag(tag) => (PortalState::Done, tag),
            Completion::Suspended => (PortalState::Suspended, format!("{word} {max_rows}")),
        };
        if let Some((_, p)) = self.ext.portals.iter_mut().find(|(n, _)| *n == f.name) {
            p.state = state;
        }
        Ok(Completion::Tag(tag))
    }

    /// `CLOSE name` / `CLOSE ALL`.
    pub(super) fn close_cursor(&mut self, name: Option<String>) -> Result<String, PgError> {
        match name {
            Some(n) => {
                self.cursor_index(&n)?;
                self.drop_portal(&n);
                Ok("CLOSE CURSOR".into())
            }
            None => {
                let names: Vec<String> = self
                    .ext
                    .portals
                    .iter()
                    .map(|(n, _)| n.clone())
                    .filter(|n| !n.is_empty())
                    .collect();
                for n in names {
                    self.drop_portal(&n);
                }
                Ok("CLOSE CURSOR ALL".into())
            }
        }
    }
}
