//! `pg_view_replaces(old, new, name)`: CREATE OR REPLACE VIEW's check of the new
//! columns (names joined by U+0001) against the old view's (sql/translate/views.rs), with
//! PostgreSQL's errors (view.c, checkViewColumns). An empty `old` is no view yet.

use rusqlite::functions::FunctionFlags;
use rusqlite::types::Value as SqlValue;
use rusqlite::Connection;

use super::Res;
use crate::engine::error::raise;
use crate::protocol::{PgError, SqlState};

pub(super) fn register(conn: &Connection) -> Res<()> {
    conn.create_scalar_function("pg_view_replaces", 3, FunctionFlags::SQLITE_UTF8, |ctx| {
        let names = |i: usize| -> Vec<String> {
            ctx.get::<Option<String>>(i)
                .ok()
                .flatten()
                .map(|t| t.split('\u{1}').map(String::from).collect())
                .unwrap_or_default()
        };
        let (old, new) = (names(0), names(1));
        if new.len() < old.len() {
            return Err(raise(PgError::new(
                SqlState::INVALID_TABLE_DEFINITION,
                "cannot drop columns from view",
            )));
        }
        if let Some((o, n)) = old.iter().zip(&new).find(|(o, n)| o != n) {
            return Err(raise(
                PgError::new(
                    SqlState::INVALID_TABLE_DEFINITION,
                    format!("cannot change name of view column \"{o}\" to \"{n}\""),
                )
                .with_hint(
                    "Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead.",
                ),
            ));
        }
        Ok(SqlValue::Null)
    })
}
