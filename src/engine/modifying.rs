//! Running a statement whose WITH holds data-modifying statements (the *with batch* of
//! `sql::translate::modifying`): in one savepoint, each data-modifying statement runs
//! once, to completion, its RETURNING rows kept in a temporary table
//! `_litewire_with_<n>` (declared with the stand-in's column types), then the statement
//! itself runs reading those tables. The tables are dropped when it ends.
//!
//! PostgreSQL runs all the parts on one snapshot. Run in turn, a part that reads a table
//! an earlier part wrote would see the new rows, so that case is refused (0A000): the
//! parts are compiled first with the authorizer noting the tables each reads and
//! writes (views and triggers included), and checked before anything runs.

use rusqlite::types::Value as SqlValue;
use rusqlite::OptionalExtension;

use super::authorizer::{Access, Write};
use super::exec::{bind_all, exec_plain, stream, Job, Outcome, Sink};
use super::stmt::{Conn, RawStmt};
use crate::protocol::{PgError, SqlState};

/// The start of a with batch's text.
pub const MARKER: &str = "/*litewire with*/";

/// The temporary tables' names start with this.
const TABLES: &str = "_litewire_with_";

/// Whether `sql` is a with batch.
pub fn is_batch(sql: &str) -> bool {
    sql.starts_with(MARKER)
}

/// Whether `table` is one of the batch's own temporary tables, created by litewire now.
pub fn is_own_table(table: &str) -> bool {
    table.len() > TABLES.len()
        && table[..TABLES.len()].eq_ignore_ascii_case(TABLES)
        && super::objects::is_internal()
}

/// A with batch read back.
pub struct Batch<'a> {
    /// The statement as Describe prepares it.
    pub described: &'a str,
    /// The statement as it runs, reading the temporary tables.
    pub running: &'a str,
    /// The same without RETURNING: compiled to see the tables it reads.
    pub running_check: &'a str,
    /// The data-modifying statements, in the order they run.
    pub writes: Vec<Part<'a>>,
}

pub struct Part<'a> {
    /// Its temporary table.
    pub table: &'a str,
    /// A query with its RETURNING columns' names and types.
    pub columns: &'a str,
    pub statement: &'a str,
    /// The same without RETURNING: compiled to see the tables it reads.
    pub check: &'a str,
}

/// The parts of with batch `sql`; None when it is none.
pub fn parts(sql: &str) -> Option<Batch<'_>> {
    let mut it = sql.strip_prefix(MARKER)?.split('\0');
    let described = it.next()?;
    let running = it.next()?;
    let running_check = it.next()?;
    let rest: Vec<&str> = it.collect();
    if !rest.len().is_multiple_of(4) {
        return None;
    }
    let writes = rest
        .chunks(4)
        .map(|c| Part {
            table: c[0],
            columns: c[1],
            statement: c[2],
            check: Some(c[3]).filter(|c| !c.is_empty()).unwrap_or(c[2]),
        })
        .collect();
    Some(Batch {
        described,
        running,
        running_check: Some(running_check)
            .filter(|c| !c.is_empty())
            .unwrap_or(running),
        writes,
    })
}

/// The highest `$n` any part names: Describe counts the parameters of statements it
/// does not prepare (`INSERT … VALUES ($1)` inside the WITH).
pub fn parameter_count(sql: &str) -> usize {
    crate::sql::lexer::significant(sql)
        .filter_map(|t| {
            let text = &sql[t.start..t.end];
            text.strip_prefix('$')?.parse::<usize>().ok()
        })
        .max()
        .unwrap_or(0)
}

/// Runs with batch `job.sql`.
pub(super) fn run(conn: &mut Conn, job: &Job, sink: &mut Sink) -> Result<Outcome, PgError> {
    let Some(batch) = parts(&job.sql) else {
        return Err(PgError::new(
            SqlState::INTERNAL_ERROR,
            "malformed with batch",
        ));
    };
    if !job.write_locked {
        return Ok(Outcome::NeedsWriteLock);
    }
    if job.begin {
        exec_plain(conn, "BEGIN")?;
    }
    let outer = !conn.is_autocommit();
    exec_plain(conn, "SAVEPOINT _litewire_with")?;
    let mut main = None;
    let result = run_parts(conn, job, &batch, sink, &mut main);
    match result {
        Ok(Outcome::Suspended) => {
            // The tables stay while the portal reads them (dropped by the next with
            // batch or when the portal closes: Conn::drop_cursors).
            if let (Some(p), Some(stmt)) = (&job.portal, main) {
                conn.park(p, stmt);
            }
            conn.keep_with_tables(batch.writes.iter().map(|w| w.table.to_string()));
            if !outer {
                // No transaction around it: what the WITH wrote is committed now.
                exec_plain(conn, "RELEASE _litewire_with")?;
            }
            Ok(Outcome::Suspended)
        }
        Ok(outcome) => {
            if let Some(stmt) = main {
                conn.recycle(stmt);
            }
            let dropped = drop_tables(conn, batch.writes.iter().map(|w| w.table));
            let released = exec_plain(conn, "RELEASE _litewire_with");
            dropped.and(released).map(|()| outcome)
        }
        Err(e) => {
            if let Some(stmt) = main {
                conn.recycle(stmt);
            }
            // Undoes the writes and the tables; the error is the statement's.
            let _ = exec_plain(conn, "ROLLBACK TO _litewire_with");
            let _ = exec_plain(conn, "RELEASE _litewire_with");
            Err(e)
        }
    }
}

/// Drops the temporary tables `tables` (litewire's own statement).
pub(super) fn drop_tables<'a>(
    conn: &Conn,
    tables: impl Iterator<Item = &'a str>,
) -> Result<(), PgError> {
    let _internal = super::objects::Internal::begin();
    for t in tables {
        conn.sqlite()
            .execute_batch(&format!("DROP TABLE IF EXISTS temp.\"{t}\""))
            .map_err(|e| super::error::to_pg(&e))?;
    }
    Ok(())
}

fn run_parts(
    conn: &mut Conn,
    job: &Job,
    batch: &Batch<'_>,
    sink: &mut Sink,
    main: &mut Option<RawStmt>,
) -> Result<Outcome, PgError> {
    for w in &batch.writes {
        create_table(conn, w.table, w.columns)?;
    }
    let mut seen = Vec::with_capacity(batch.writes.len());
    let mut compiled = Ok(());
    for w in &batch.writes {
        let (noted, c) = accesses(conn, w.check);
        seen.push(noted);
        compiled = compiled.and(c);
    }
    let (running, c) = accesses(conn, batch.running_check);
    // PostgreSQL's own refusals come first: rules its rewrite cannot combine with WITH
    // (whose actions may not even compile here).
    super::objects::rules::check_with(conn.sqlite(), &seen, &running)?;
    compiled.and(c)?;
    check(&seen, &running)?;
    for w in &batch.writes {
        let mut stmt = prepared(conn, w.statement)?;
        let kept = keep_rows(conn, job, w.table, &mut stmt);
        conn.recycle(stmt);
        kept?;
    }
    let stmt = main.insert(prepared(conn, batch.running)?);
    bind_all(conn, stmt, &job.params)?;
    stream(conn, stmt, job, false, sink)
}

fn prepared(conn: &mut Conn, sql: &str) -> Result<RawStmt, PgError> {
    conn.prepare(sql)?
        .ok_or_else(|| PgError::new(SqlState::INTERNAL_ERROR, "empty with batch part"))
}

/// The tables `sql` reads and writes: compiled anew (not run) while the authorizer
/// notes them; with whether it compiled.
fn accesses(conn: &mut Conn, sql: &str) -> (Vec<Access>, Result<(), PgError>) {
    conn.notes().start_accesses();
    let compiled = conn.prepare_fresh(sql);
    let mut seen = conn.notes().take_accesses();
    conn.notes().stop_accesses();
    let compiled = compiled.and_then(|stmt| {
        let Some(stmt) = stmt else {
            return Ok(());
        };
        for table in program_reads(conn, stmt.text())? {
            let access = Access { table, write: None };
            if !seen.contains(&access) {
                seen.push(access);
            }
        }
        Ok(())
    });
    (seen, compiled)
}

/// Opcodes that read rows through a cursor: a column, a rowid, a scan or a seek.
/// Probes for a key alone (`Found`, `NotExists`: the foreign key checks, which
/// PostgreSQL runs after the statement) are not reads of rows.
const READING_OPCODES: &[&str] = &[
    "Column",
    "Rowid",
    "IdxRowid",
    "Rewind",
    "Last",
    "Next",
    "Prev",
    "SeekGE",
    "SeekGT",
    "SeekLE",
    "SeekLT",
    "SeekRowid",
    "DeferredSeek",
    "Count",
];

/// The tables whose rows the compiled program of `sql` reads, from its bytecode
/// (`EXPLAIN`): the authorizer is not told of every read (the right side of `JOIN …
/// USING` or a NATURAL JOIN is read through columns no name resolved), the program
/// shows them all. Views are compiled into the program; triggers are not (the
/// authorizer notes theirs).
fn program_reads(conn: &Conn, sql: &str) -> Result<Vec<String>, PgError> {
    let to_pg = |e: rusqlite::Error| super::error::to_pg(&e);
    let db = conn.sqlite();
    let mut explain = db.prepare(&format!("EXPLAIN {sql}")).map_err(to_pg)?;
    // (cursor, root page, schema: 0 main, 1 temp) of each OpenRead; the cursors read.
    let mut opened: Vec<(i64, i64, i64)> = Vec::new();
    let mut used: Vec<i64> = Vec::new();
    // Unbound parameters are NULL: the program is only listed, never run.
    let mut rows = explain.raw_query();
    while let Some(row) = rows.next().map_err(to_pg)? {
        let opcode: String = row.get(1).map_err(to_pg)?;
        let p1: i64 = row.get(2).map_err(to_pg)?;
        if opcode == "OpenRead" {
            let p2: i64 = row.get(3).map_err(to_pg)?;
            let p3: i64 = row.get(4).map_err(to_pg)?;
            opened.push((p1, p2, p3));
        } else if READING_OPCODES.contains(&opcode.as_str()) && !used.contains(&p1) {
            used.push(p1);
        }
    }
    drop(rows);
    let mut tables: Vec<String> = Vec::new();
    for (_, root, schema) in opened.iter().filter(|(c, ..)| used.contains(c)) {
        let catalog = match schema {
            0 => "sqlite_schema",
            1 => "sqlite_temp_schema",
            _ => continue,
        };
        let table: Option<String> = db
            .query_row(
                &format!("SELECT tbl_name FROM {catalog} WHERE rootpage = ?1"),
                [root],
                |r| r.get(0),
            )
            .optional()
            .map_err(to_pg)?;
        if let Some(t) = table.filter(|t| !tables.contains(t)) {
            tables.push(t);
        }
    }
    Ok(tables)
}

/// The temporary table `table`, declared with the column names and types of the query
/// `columns` (a part's stand-in; a MERGE's join: merge.rs).
pub(super) fn create_table(conn: &mut Conn, table: &str, columns: &str) -> Result<(), PgError> {
    let Some(stmt) = conn.prepare(columns)? else {
        return Err(PgError::new(
            SqlState::INTERNAL_ERROR,
            "empty with batch part",
        ));
    };
    let mut names: Vec<String> = Vec::new();
    let mut defs = Vec::new();
    for i in 0..stmt.column_count() {
        let mut name = stmt.column_name(i);
        // `RETURNING a, a`: SQLite's own rule for CREATE TABLE AS (`a:1`).
        let base = name.clone();
        let mut n = 0;
        while names.iter().any(|x| x.eq_ignore_ascii_case(&name)) {
            n += 1;
            name = format!("{base}:{n}");
        }
        let decl = stmt.column_decltype(i).unwrap_or_default();
        // A numeric column's values are its exact text, compared and sorted as numbers
        // by its collation (translate/mod.rs), which the declared type alone lacks.
        let collate = if decl.to_ascii_lowercase().starts_with("numeric_text") {
            " COLLATE pg_numeric"
        } else {
            ""
        };
        defs.push(format!(
            "{} {decl}{collate}",
            crate::sql::lexer::quote_ident(&name)
        ));
        names.push(name);
    }
    conn.recycle(stmt);
    let _internal = super::objects::Internal::begin();
    conn.sqlite()
        .execute_batch(&format!(
            "DROP TABLE IF EXISTS temp.\"{t}\"; CREATE TEMP TABLE \"{t}\" ({})",
            defs.join(", "),
            t = table
        ))
        .map_err(|e| super::error::to_pg(&e))
}

/// A table a client statement names (not litewire's or SQLite's own).
fn client_table(a: &Access) -> bool {
    !super::objects::is_reserved(&a.table) && !a.table.to_ascii_lowercase().starts_with("sqlite_")
}

/// Refuses a part that reads a table an earlier part wrote (PostgreSQL's parts all see
/// the rows as they were before the statement).
fn check(writes: &[Vec<Access>], running: &[Access]) -> Result<(), PgError> {
    for (i, wrote) in writes.iter().enumerate() {
        let later = writes[i + 1..]
            .iter()
            .map(Vec::as_slice)
            .chain(std::iter::once(running));
        for accesses in later {
            let conflict = wrote
                .iter()
                .filter(|w| w.write.is_some() && client_table(w))
                .find(|w| {
                    accesses.iter().any(|r| {
                        r.write != Some(Write::Insert) && r.table.eq_ignore_ascii_case(&w.table)
                    })
                });
            if let Some(w) = conflict {
                return Err(PgError::new(
                    SqlState::FEATURE_NOT_SUPPORTED,
                    format!(
                        "reading table \"{}\" after a data-modifying statement in WITH \
                         changed it is not supported by litewire",
                        w.table
                    ),
                )
                .with_detail(
                    "PostgreSQL runs every part of the statement on the rows as they were \
                     before it; litewire runs the data-modifying statements first.",
                ));
            }
        }
    }
    Ok(())
}

/// Runs one data-modifying part to completion, its RETURNING rows into `table`.
pub(super) fn keep_rows(
    conn: &Conn,
    job: &Job,
    table: &str,
    stmt: &mut RawStmt,
) -> Result<(), PgError> {
    bind_all(conn, stmt, &job.params)?;
    let n = stmt.column_count();
    let to_pg = |e: rusqlite::Error| super::error::to_pg(&e);
    let marks = vec!["?"; n].join(", ");
    let sql = format!("INSERT INTO temp.\"{table}\" VALUES ({marks})");
    let mut row: Vec<SqlValue> = Vec::with_capacity(n);
    while stmt.step(conn)? {
        if n == 0 {
            continue;
        }
        row.clear();
        row.extend((0..n).map(|i| owned(stmt.value(i))));
        let _internal = super::objects::Internal::begin();
        let mut insert = conn.sqlite().prepare_cached(&sql).map_err(to_pg)?;
        insert
            .execute(rusqlite::params_from_iter(row.iter()))
            .map_err(to_pg)?;
    }
    Ok(())
}

fn owned(v: rusqlite::types::ValueRef<'_>) -> SqlValue {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => SqlValue::Null,
        ValueRef::Integer(i) => SqlValue::Integer(i),
        ValueRef::Real(r) => SqlValue::Real(r),
        ValueRef::Text(t) => SqlValue::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => SqlValue::Blob(b.to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_read_back() {
        let sql = format!("{MARKER}d\0r\0\0_litewire_with_1\0c\0s\0k");
        let b = parts(&sql).unwrap();
        assert_eq!((b.described, b.running, b.running_check), ("d", "r", "r"));
        assert_eq!(b.writes.len(), 1);
        let w = &b.writes[0];
        assert_eq!(
            (w.table, w.columns, w.statement, w.check),
            ("_litewire_with_1", "c", "s", "k")
        );
        assert!(parts("SELECT 1").is_none());
        assert!(parts(&format!("{MARKER}d\0r\0\0x")).is_none());
    }

    #[test]
    fn parameters_are_counted_in_every_part() {
        let sql = format!("{MARKER}SELECT 1\0SELECT $2\0\0t\0c\0INSERT INTO t VALUES ($3, '$9')\0");
        assert_eq!(parameter_count(&sql), 3);
        assert_eq!(parameter_count("SELECT 1"), 0);
    }
}
