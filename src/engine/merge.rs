//! Running a MERGE (the *merge batch* of `sql::translate::merge`): in one savepoint, the
//! join of source and target into the temporary table `_litewire_merge`, PostgreSQL's
//! 21000 when two source rows would act on one target row, then the DELETE, UPDATE and
//! INSERT statements reading that table. The tag counts the rows they changed.

use super::exec::{bind_all, exec_plain, Job, Outcome};
use super::stmt::{Conn, RawStmt};
use crate::protocol::{PgError, SqlState};

/// The start of a merge batch's text.
pub const MARKER: &str = "/*litewire merge*/";

/// The join's table (translate/merge.rs names it and its columns in the statements).
const TABLE: &str = "_litewire_merge";

/// Whether `sql` is a merge batch.
pub fn is_batch(sql: &str) -> bool {
    sql.starts_with(MARKER)
}

/// A merge batch read back.
pub struct Batch<'a> {
    /// The join as PostgreSQL text (for Describe's parameter types) and as SQLite's.
    pub join_source: &'a str,
    pub join: &'a str,
    /// The MATCHED clauses that update or delete, comma-separated.
    pub acting: &'a str,
    pub statements: Vec<Part<'a>>,
}

pub struct Part<'a> {
    /// A query of the number of times to run the statement; empty: once.
    pub count: &'a str,
    pub statement: &'a str,
    pub source: &'a str,
}

/// The parts of merge batch `sql`; None when it is none.
pub fn parts(sql: &str) -> Option<Batch<'_>> {
    let mut it = sql.strip_prefix(MARKER)?.split('\0');
    let join_source = it.next()?;
    let join = it.next()?;
    let acting = it.next()?;
    let rest: Vec<&str> = it.collect();
    if !rest.len().is_multiple_of(3) {
        return None;
    }
    let statements = rest
        .chunks(3)
        .map(|c| Part {
            count: c[0],
            statement: c[1],
            source: c[2],
        })
        .collect();
    Some(Batch {
        join_source,
        join,
        acting,
        statements,
    })
}

/// Runs merge batch `job.sql`.
pub(super) fn run(conn: &mut Conn, job: &Job) -> Result<Outcome, PgError> {
    let Some(batch) = parts(&job.sql) else {
        return Err(PgError::new(
            SqlState::INTERNAL_ERROR,
            "malformed merge batch",
        ));
    };
    if !job.write_locked {
        return Ok(Outcome::NeedsWriteLock);
    }
    if job.begin {
        exec_plain(conn, "BEGIN")?;
    }
    exec_plain(conn, "SAVEPOINT _litewire_merge")?;
    let result = run_parts(conn, job, &batch);
    let dropped = super::modifying::drop_tables(conn, std::iter::once(TABLE));
    match result.and_then(|n| dropped.map(|()| n)) {
        Ok(changed) => {
            exec_plain(conn, "RELEASE _litewire_merge")?;
            Ok(Outcome::Done(job.verb.tag(changed)))
        }
        Err(e) => {
            let _ = exec_plain(conn, "ROLLBACK TO _litewire_merge");
            let _ = exec_plain(conn, "RELEASE _litewire_merge");
            Err(e)
        }
    }
}

fn run_parts(conn: &mut Conn, job: &Job, batch: &Batch<'_>) -> Result<u64, PgError> {
    create_table(conn, batch.join).map_err(not_a_table)?;
    let mut join = prepared(conn, batch.join)?;
    let kept = super::modifying::keep_rows(conn, job, TABLE, &mut join);
    conn.recycle(join);
    kept?;
    if !batch.acting.is_empty() {
        let twice = format!(
            "SELECT 1 FROM temp.\"{TABLE}\" WHERE _litewire_when IN ({}) \
             GROUP BY _litewire_t HAVING count(*) > 1 LIMIT 1",
            batch.acting
        );
        let found = conn
            .sqlite()
            .prepare(&twice)
            .and_then(|mut s| s.exists([]))
            .map_err(|e| super::error::to_pg(&e))?;
        if found {
            return Err(PgError::new(
                SqlState::CARDINALITY_VIOLATION,
                "MERGE command cannot affect row a second time",
            )
            .with_hint("Ensure that not more than one source row matches any one target row."));
        }
    }
    let mut changed = 0u64;
    for part in &batch.statements {
        let times = if part.count.is_empty() {
            1
        } else {
            let mut count = prepared(conn, part.count)?;
            let n = bind_all(conn, &mut count, &job.params)
                .and_then(|()| count.step(conn))
                .map(|_| count.value(0).as_i64().unwrap_or(0));
            conn.recycle(count);
            n?
        };
        if times <= 0 {
            continue;
        }
        let mut stmt = prepared(conn, part.statement)?;
        let ran = (0..times).try_for_each(|_| -> Result<(), PgError> {
            stmt.reset();
            bind_all(conn, &mut stmt, &job.params)?;
            while stmt.step(conn)? {}
            changed += conn.changes();
            Ok(())
        });
        conn.recycle(stmt);
        ran?;
    }
    Ok(changed)
}

/// A target without rowids is a view (the join reads `<target>.rowid`): PostgreSQL's
/// 0A000, naming the target as the statement qualifies it.
fn not_a_table(e: PgError) -> PgError {
    let view = e
        .message
        .strip_prefix("column ")
        .and_then(|m| m.strip_suffix(".rowid does not exist"));
    match view {
        Some(name) if e.code == SqlState::UNDEFINED_COLUMN => PgError::new(
            SqlState::FEATURE_NOT_SUPPORTED,
            format!(
                "cannot execute MERGE on relation \"{}\"",
                name.trim_matches('"')
            ),
        )
        .with_detail("This operation is not supported for views."),
        _ => e,
    }
}

/// The join's table, declared with the join's column names and types.
fn create_table(conn: &mut Conn, join: &str) -> Result<(), PgError> {
    super::modifying::create_table(conn, TABLE, join)
}

fn prepared(conn: &mut Conn, sql: &str) -> Result<RawStmt, PgError> {
    conn.prepare(sql)?
        .ok_or_else(|| PgError::new(SqlState::INTERNAL_ERROR, "empty merge batch part"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_read_back() {
        let sql = format!("{MARKER}pg\0j\x001,3\0\0s1\0p1\0c\0s2\0p2");
        let b = parts(&sql).unwrap();
        assert_eq!((b.join_source, b.join, b.acting), ("pg", "j", "1,3"));
        let got: Vec<_> = b
            .statements
            .iter()
            .map(|p| (p.count, p.statement, p.source))
            .collect();
        assert_eq!(got, [("", "s1", "p1"), ("c", "s2", "p2")]);
        assert!(parts("SELECT 1").is_none());
        assert!(parts(&format!("{MARKER}a\0b\0c\0d")).is_none());
    }
}
