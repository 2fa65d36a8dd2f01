//! Runs one statement on a leased connection, on a blocking thread, and streams the
//! encoded RowDescription and DataRows back to the session in bounded chunks.
//!
//! Backpressure: the chunk channel holds two chunks; when the client reads slowly the
//! worker blocks on the channel, so a result of any size costs at most about three
//! chunks of memory. When the session goes away the channel closes and the worker stops.

use bytes::BytesMut;
use rusqlite::Connection;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::error::to_pg;
use super::types::{self, PgType};
use super::Lease;
use crate::protocol::{backend, DataRowWriter, FieldDescription, PgError, SqlState};
use crate::sql::Verb;

/// How a statement ended.
#[derive(Debug)]
pub enum Outcome {
    /// Finished; the CommandComplete tag.
    Done(String),
    /// The statement writes and the session does not hold the write lock: nothing was
    /// executed. The session takes the lock and runs it again.
    NeedsWriteLock,
    Failed(PgError),
}

/// A statement running on a blocking thread.
pub struct Running {
    rx: mpsc::Receiver<BytesMut>,
    handle: JoinHandle<(Lease, Outcome)>,
}

impl Running {
    /// The next chunk of encoded messages, or None when the statement has finished.
    pub async fn next_chunk(&mut self) -> Option<BytesMut> {
        self.rx.recv().await
    }

    /// Waits for the statement to end and gives the connection back. Dropping the
    /// receiver first makes a worker that is still streaming stop at its next chunk.
    pub async fn finish(self) -> Result<(Lease, Outcome), PgError> {
        drop(self.rx);
        self.handle
            .await
            .map_err(|e| PgError::new(SqlState::INTERNAL_ERROR, format!("statement aborted: {e}")))
    }
}

impl Lease {
    /// Starts `sql` on this connection. `write_locked` says whether the session holds
    /// the database's write lock; a writing statement without it is not run.
    pub fn start(self, sql: String, verb: Verb, write_locked: bool) -> Running {
        let chunk_size = self.database().chunk_size();
        let (tx, rx) = mpsc::channel(2);
        let handle = tokio::task::spawn_blocking(move || {
            let mut sink = Sink {
                tx,
                chunk: BytesMut::new(),
                chunk_size,
            };
            let outcome = run(self.conn(), &sql, &verb, write_locked, &mut sink);
            (self, outcome)
        });
        Running { rx, handle }
    }
}

/// Where encoded rows go: a chunk being filled, handed over when full.
struct Sink {
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

fn run(conn: &Connection, sql: &str, verb: &Verb, write_locked: bool, sink: &mut Sink) -> Outcome {
    match run_inner(conn, sql, verb, write_locked, sink) {
        Ok(Some(tag)) => match sink.flush() {
            Ok(()) => Outcome::Done(tag),
            Err(Gone) => Outcome::Failed(client_gone()),
        },
        Ok(None) => Outcome::NeedsWriteLock,
        Err(e) => {
            // Rows already encoded are still sent, as PostgreSQL sends rows before an error.
            let _ = sink.flush();
            Outcome::Failed(e)
        }
    }
}

fn client_gone() -> PgError {
    PgError::new(SqlState::CONNECTION_EXCEPTION, "client connection closed")
}

fn run_inner(
    conn: &Connection,
    sql: &str,
    verb: &Verb,
    write_locked: bool,
    sink: &mut Sink,
) -> Result<Option<String>, PgError> {
    let mut stmt = conn.prepare_cached(sql).map_err(|e| to_pg(&e))?;
    if !write_locked && !stmt.readonly() {
        return Ok(None);
    }
    let ncols = stmt.column_count();
    if ncols == 0 {
        stmt.raw_execute().map_err(|e| to_pg(&e))?;
        let changed = match verb {
            Verb::Insert | Verb::Update | Verb::Delete => conn.changes(),
            _ => 0,
        };
        return Ok(Some(verb.tag(changed)));
    }
    let names: Vec<String> = stmt.column_names().map(String::from).collect();
    let declared: Vec<Option<PgType>> = stmt
        .columns()
        .map(|c| c.decl_type().map(types::from_decltype))
        .collect();
    let mut rows = stmt.raw_query();
    let first = rows.next().map_err(|e| to_pg(&e))?;
    // Columns without a declared type take the type of their first value.
    let col_types: Vec<PgType> = declared
        .iter()
        .enumerate()
        .map(|(i, d)| match (d, first) {
            (Some(t), _) => *t,
            (None, Some(row)) => row.get_ref(i).map_or(PgType::TEXT, types::from_value),
            (None, None) => PgType::TEXT,
        })
        .collect();
    let fields = names
        .into_iter()
        .zip(&col_types)
        .map(|(name, t)| FieldDescription::new(name, 0, 0, t.oid, t.size, t.modifier, 0))
        .collect();
    backend::row_description(sink.buf(), fields);
    let mut count: u64 = 0;
    let mut row = first;
    while let Some(r) = row {
        let mut w = DataRowWriter::begin(sink.buf());
        for (i, t) in col_types.iter().enumerate() {
            match r.get_ref(i) {
                Ok(rusqlite::types::ValueRef::Null) | Err(_) => w.null(),
                Ok(v) => w.value_with(|out| types::write_text(t.render, v, out)),
            }
        }
        w.finish();
        count += 1;
        sink.maybe_flush().map_err(|Gone| client_gone())?;
        row = rows.next().map_err(|e| to_pg(&e))?;
    }
    drop(rows);
    // Row-returning statements count their rows (`INSERT ... RETURNING` is `INSERT 0 n`).
    let tag = match verb {
        Verb::Fixed(_) => Verb::Select.tag(count),
        v => v.tag(count),
    };
    Ok(Some(tag))
}
