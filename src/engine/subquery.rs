//! Scalar subqueries as PostgreSQL runs them (sql/translate/scalar.rs): a second row is
//! an error (21000), where SQLite would take the first.

use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::types::Value as SqlValue;
use rusqlite::Connection;

use super::error::raise;
use crate::protocol::{PgError, SqlState};

/// Registers `pg_single` (aggregate) and `pg_one_row`.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let pure = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_aggregate_function("pg_single", 1, pure, Single)?;
    conn.create_scalar_function("pg_one_row", 1, pure, |ctx| {
        let rows: i64 = ctx.get(0)?;
        if rows > 1 {
            return Err(raise(too_many()));
        }
        Ok(true)
    })
}

fn too_many() -> PgError {
    PgError::new(
        SqlState::CARDINALITY_VIOLATION,
        "more than one row returned by a subquery used as an expression",
    )
}

/// `pg_single(v)`: the one row's value, NULL for none, 21000 on a second.
struct Single;

impl Aggregate<Option<SqlValue>, SqlValue> for Single {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Option<SqlValue>> {
        Ok(None)
    }

    fn step(&self, ctx: &mut Context<'_>, seen: &mut Option<SqlValue>) -> rusqlite::Result<()> {
        if seen.is_some() {
            return Err(raise(too_many()));
        }
        *seen = Some(ctx.get::<SqlValue>(0)?);
        Ok(())
    }

    fn finalize(
        &self,
        _: &mut Context<'_>,
        seen: Option<Option<SqlValue>>,
    ) -> rusqlite::Result<SqlValue> {
        Ok(seen.flatten().unwrap_or(SqlValue::Null))
    }
}
