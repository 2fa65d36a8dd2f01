//! SQL cursors: `DECLARE`, `FETCH`, `MOVE`, `CLOSE`.
//!
//! As in PostgreSQL, a cursor is a named portal: it lives in the same list as the
//! extended protocol's portals (so `Describe P "c"`, which psycopg sends after DECLARE,
//! works), runs on the same parked `sqlite3_stmt` machinery (a FETCH is an Execute with
//! a row limit) and ends with its transaction. A `SCROLL` cursor's rows are read once,
//! at DECLARE (as PostgreSQL's are fixed by its snapshot), into a temporary table of
//! the pinned connection whose rowids are the positions; FETCH and MOVE in any
//! direction read ranges of it, and it is dropped with the cursor. Other cursors move
//! forward only (PostgreSQL's error for NO SCROLL otherwise); `WITH HOLD` is refused.

use std::sync::Arc;

use super::extended::{fields, too_many, Portal, PortalState, Prepared, MAX_PER_SESSION};
use super::session::{Completion, Session, Tx};
use crate::engine::{Job, Output};
use crate::protocol::{backend, PgError, SqlState};
use crate::sql::cursor::{Declare, Direction, Fetch};
use crate::sql::{self, Command, Verb};

/// A SCROLL cursor: its rows in a temporary table (rowid = position, from 1), how many,
/// and where it stands: 0 before the first row, `rows + 1` after the last.
pub(super) struct Scroll {
    /// The table's quoted name.
    table: String,
    rows: u64,
    pos: u64,
}

impl Scroll {
    /// The rows a move in `direction` returns, as (first, last) positions in the order
    /// returned (first > last: backwards), and the position after it — PostgreSQL's
    /// (DoPortalRunFetch): a move past either end stops just beyond it.
    fn step(&self, direction: Direction) -> (Option<(u64, u64)>, u64) {
        let (rows, pos) = (self.rows, self.pos);
        let on = |p: u64| (1..=rows).contains(&p);
        let to = |target: i64| -> (Option<(u64, u64)>, u64) {
            match u64::try_from(target) {
                Ok(t) if on(t) => (Some((t, t)), t),
                Ok(0) | Err(_) => (None, 0),
                Ok(_) => (None, rows + 1),
            }
        };
        let signed = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        match direction {
            Direction::Forward(n) => {
                let last = pos.saturating_add(n);
                match (pos + 1..=last.min(rows)).is_empty() {
                    true => (None, rows + 1),
                    false if last > rows => (Some((pos + 1, rows)), rows + 1),
                    false => (Some((pos + 1, last)), last),
                }
            }
            Direction::All => match pos < rows {
                true => (Some((pos + 1, rows)), rows + 1),
                false => (None, rows + 1),
            },
            Direction::Backward(n) => {
                let start = pos.min(rows + 1);
                if start <= 1 {
                    return (None, 0);
                }
                let first = start - 1;
                // All n rows: the cursor is on the last one; fewer: before the first.
                match first.checked_sub(n) {
                    Some(stop) => (Some((first, stop + 1)), stop + 1),
                    None => (Some((first, 1)), 0),
                }
            }
            Direction::BackwardAll => match pos.min(rows + 1) {
                0 | 1 => (None, 0),
                start => (Some((start - 1, 1)), 0),
            },
            Direction::Stay => match on(pos) {
                true => (Some((pos, pos)), pos),
                false => (None, pos),
            },
            Direction::Absolute(n) if n >= 0 => to(n),
            Direction::Absolute(n) => to(signed(rows) + 1 + n),
            Direction::Relative(n) => to(signed(pos).saturating_add(n)),
        }
    }
}

/// The job of a FETCH / MOVE: `sql` read as the cursor's statement (its columns' names
/// and types), rows sent or (MOVE) counted.
fn fetch_job(sql: Arc<str>, stmt: &Prepared, f: &Fetch, binary: Vec<bool>, describe: bool) -> Job {
    let word = if f.is_move { "MOVE" } else { "FETCH" };
    let mut job = Job::simple(sql, stmt.source.clone(), Verb::Counted(word));
    job.types = Some(stmt.desc.types.clone());
    job.binary = binary;
    job.describe = describe;
    if f.is_move {
        job.output = Output::Discard;
    }
    job
}

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
        if crate::engine::modifying::is_batch(&sqlite) {
            return Err(PgError::new(
                SqlState::FEATURE_NOT_SUPPORTED,
                "DECLARE CURSOR must not contain data-modifying statements in WITH",
            ));
        }
        let desc = self.describe_sql(&sqlite, &source, &[]).await?;
        if self.ext.portals.len() >= MAX_PER_SESSION {
            return Err(too_many("portals"));
        }
        let binary = vec![d.binary; desc.columns.len()];
        let params = job.map(|j| j.params).unwrap_or_default();
        let scroll = if d.scroll {
            Some(
                self.materialize(
                    &d.name,
                    &sqlite,
                    &source,
                    desc.columns.len(),
                    params.clone(),
                )
                .await?,
            )
        } else {
            None
        };
        self.ext.portals.push((
            d.name,
            Portal {
                stmt: Arc::new(Prepared {
                    source,
                    sqlite,
                    command,
                    empty: false,
                    desc,
                    from_sql: None,
                    prepared_at: 0,
                }),
                params,
                binary,
                state: PortalState::Ready,
                scroll,
                moved: 0,
                changes_at_declare: self.total_changes(),
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
        // (MOVE 0 says whether the cursor is on a row: no need to go back for that.)
        let forward = matches!(f.direction, Direction::Forward(_) | Direction::All)
            || (f.is_move && f.direction == Direction::Stay);
        let backward_or_jump = !forward;
        if self.ext.portals[i].1.scroll.is_none() && backward_or_jump && self.may_scroll(i) {
            self.turn_scrollable(i, &f.name).await?;
        }
        if self.ext.portals[i].1.scroll.is_some() {
            return self.fetch_scroll(i, f, job).await;
        }
        let max_rows = match f.direction {
            Direction::Forward(n) => n,
            Direction::All => 0,
            // MOVE 0 stays where it is (psycopg's scroll(0)); its count says whether
            // the cursor is on a row.
            Direction::Stay if f.is_move => {
                let on_row = self.ext.portals[i].1.state == PortalState::Suspended;
                return Ok(Completion::Tag(format!("MOVE {}", u8::from(on_row))));
            }
            Direction::Backward(_) | Direction::BackwardAll => {
                return Err(PgError::new(
                    SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
                    "cursor can only scan forward",
                )
                .with_hint("Declare it with the SCROLL option to enable backward scan."))
            }
            Direction::Stay | Direction::Absolute(_) | Direction::Relative(_) => {
                return Err(PgError::new(
                    SqlState::FEATURE_NOT_SUPPORTED,
                    format!("{word} FIRST, LAST, ABSOLUTE, RELATIVE and 0 of a cursor declared without SCROLL are not supported by litewire"),
                )
                .with_hint("Declare the cursor with SCROLL."))
            }
        };
        let describe = job.is_none() && !f.is_move;
        let (stmt, params, binary, state) = {
            let p = &mut self.ext.portals[i].1;
            let binary = match &job {
                Some(j) if !j.binary.is_empty() => j.binary.clone(),
                _ => p.binary.clone(),
            };
            // Kept: a cursor may be read again from the start (`turn_scrollable`).
            (p.stmt.clone(), p.params.clone(), binary, p.state)
        };
        if state == PortalState::Done {
            if describe {
                backend::row_description(self.conn.out(), fields(&stmt.desc, &binary));
            }
            return Ok(Completion::Tag(format!("{word} 0")));
        }
        let mut run = fetch_job(stmt.sqlite.clone(), &stmt, &f, binary, describe);
        run.params = params;
        run.max_rows = max_rows;
        run.portal = Some(f.name.clone());
        let (state, tag) = match self.run_job(run).await? {
            Completion::Tag(tag) => (PortalState::Done, tag),
            Completion::Suspended => (PortalState::Suspended, format!("{word} {max_rows}")),
        };
        if let Some((_, p)) = self.ext.portals.iter_mut().find(|(n, _)| *n == f.name) {
            p.state = state;
            let n: u64 = tag
                .rsplit(' ')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            p.moved += n;
        }
        Ok(Completion::Tag(tag))
    }

    fn total_changes(&self) -> u64 {
        self.lease
            .as_ref()
            .map_or(0, |l| l.conn().sqlite().total_changes())
    }

    /// Whether forward-only cursor `i` can be read again from the start with the same
    /// rows, as PostgreSQL reads a plan backwards: nothing written since DECLARE on
    /// this connection (the transaction's snapshot is fixed) and no volatile function
    /// in its query. Otherwise PostgreSQL's NO SCROLL error stands.
    fn may_scroll(&self, i: usize) -> bool {
        const VOLATILE: &[&str] = &[
            "random",
            "nextval",
            "setval",
            "clock_timestamp",
            "timeofday",
            "gen_random_uuid",
            "pg_sleep",
            "setseed",
        ];
        let p = &self.ext.portals[i].1;
        p.changes_at_declare == self.total_changes()
            && !sql::lexer::words(&p.stmt.source)
                .any(|w| VOLATILE.iter().any(|v| w.eq_ignore_ascii_case(v)))
    }

    /// Turns forward-only cursor `i` into a scrollable one where it stands: its rows
    /// are read again, whole, into its table.
    async fn turn_scrollable(&mut self, i: usize, name: &str) -> Result<(), PgError> {
        let (stmt, params, done, moved) = {
            let p = &self.ext.portals[i].1;
            (
                p.stmt.clone(),
                p.params.clone(),
                p.state == PortalState::Done,
                p.moved,
            )
        };
        if let Some(lease) = self.lease.as_mut() {
            lease.conn_mut().drop_cursor(name);
        }
        let columns = stmt.desc.columns.len();
        let mut scroll = self
            .materialize(name, &stmt.sqlite, &stmt.source, columns, params)
            .await?;
        scroll.pos = if done {
            scroll.rows + 1
        } else {
            moved.min(scroll.rows)
        };
        let p = &mut self.ext.portals[i].1;
        p.scroll = Some(scroll);
        Ok(())
    }

    /// `CLOSE name` / `CLOSE ALL`.
    pub(super) async fn close_cursor(&mut self, name: Option<String>) -> Result<String, PgError> {
        match name {
            Some(n) => {
                let i = self.cursor_index(&n)?;
                if let Some(s) = self.ext.portals[i].1.scroll.take() {
                    self.control(&format!("DROP TABLE temp.{}", s.table))
                        .await?;
                }
                self.drop_portal(&n);
                Ok("CLOSE CURSOR".into())
            }
            None => {
                self.drop_scroll_tables().await?;
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

    /// Drops the SCROLL cursors' tables (before a COMMIT: they would outlive the
    /// transaction on the connection; a rollback takes them away by itself).
    pub(super) async fn drop_scroll_tables(&mut self) -> Result<(), PgError> {
        let tables: Vec<String> = self
            .ext
            .portals
            .iter_mut()
            .filter_map(|(_, p)| p.scroll.take().map(|s| s.table))
            .collect();
        for t in tables {
            self.control(&format!("DROP TABLE temp.{t}")).await?;
        }
        Ok(())
    }

    /// Reads a SCROLL cursor's rows into its table; returns where it stands (before the
    /// first row).
    async fn materialize(
        &mut self,
        name: &str,
        sqlite: &Arc<str>,
        source: &Arc<str>,
        columns: usize,
        params: Vec<crate::engine::Value>,
    ) -> Result<Scroll, PgError> {
        let table = crate::sql::lexer::quote_ident(&format!("_litewire_cursor_{name}"));
        let list: Vec<String> = (1..=columns).map(|c| format!("c{c}")).collect();
        // No declared types: the values are kept exactly as the query gives them.
        self.control(&format!("CREATE TEMP TABLE {table} ({})", list.join(", ")))
            .await?;
        let insert: Arc<str> = Arc::from(format!("INSERT INTO temp.{table} {sqlite}"));
        let mut job = Job::simple(insert, source.clone(), Verb::Insert);
        job.params = params;
        let tag = self.internal(job).await?;
        let rows = tag
            .rsplit(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        Ok(Scroll {
            table,
            rows,
            pos: 0,
        })
    }

    /// FETCH / MOVE on a SCROLL cursor: the rows of the direction, read from its table.
    async fn fetch_scroll(
        &mut self,
        i: usize,
        f: Fetch,
        job: Option<Job>,
    ) -> Result<Completion, PgError> {
        let Some(scroll) = self.ext.portals[i].1.scroll.as_ref() else {
            return Err(no_cursor(&f.name));
        };
        let (range, pos) = scroll.step(f.direction);
        let table = scroll.table.clone();
        let (stmt, binary) = {
            let p = &self.ext.portals[i].1;
            let binary = match &job {
                Some(j) if !j.binary.is_empty() => j.binary.clone(),
                _ => p.binary.clone(),
            };
            (p.stmt.clone(), binary)
        };
        if let Some(s) = self.ext.portals[i].1.scroll.as_mut() {
            s.pos = pos;
        }
        let sql = match range {
            Some((from, to)) if from <= to => {
                format!(
                    "SELECT * FROM temp.{table} WHERE rowid BETWEEN {from} AND {to} ORDER BY rowid"
                )
            }
            Some((from, to)) => {
                format!("SELECT * FROM temp.{table} WHERE rowid BETWEEN {to} AND {from} ORDER BY rowid DESC")
            }
            None => format!("SELECT * FROM temp.{table} WHERE 0"),
        };
        let run = fetch_job(
            Arc::from(sql),
            &stmt,
            &f,
            binary,
            job.is_none() && !f.is_move,
        );
        self.run_job(run).await
    }
}
