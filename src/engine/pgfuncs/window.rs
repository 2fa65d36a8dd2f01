//! `pg_range_key(x)`: the sort key of a window frame `RANGE … n PRECEDING/FOLLOWING`
//! (sql/translate/window.rs). SQLite subtracts the offset from any value; PostgreSQL
//! takes only number keys with a number offset (a date, time or text key is an error), so
//! a key SQLite holds as text or bytes is refused rather than compared as a number.

use rusqlite::functions::FunctionFlags;
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;

use super::Res;
use crate::engine::error::raise;
use crate::protocol::{PgError, SqlState};

pub(super) fn register(conn: &Connection) -> Res<()> {
    let pure = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS;
    conn.create_scalar_function("pg_range_key", 1, pure, |ctx| match ctx.get_raw(0) {
        ValueRef::Null => Ok(SqlValue::Null),
        ValueRef::Integer(i) => Ok(SqlValue::Integer(i)),
        ValueRef::Real(f) => Ok(SqlValue::Real(f)),
        ValueRef::Text(_) | ValueRef::Blob(_) => Err(raise(PgError::new(
            SqlState::FEATURE_NOT_SUPPORTED,
            "RANGE with offset PRECEDING/FOLLOWING over a column that is not a number is not supported by litewire",
        ))),
    })?;
    Ok(())
}
