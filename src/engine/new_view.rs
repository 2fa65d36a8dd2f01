//! A view just created is compiled once: SQLite checks the functions a view calls only
//! when it is read, PostgreSQL when it is created (`CREATE VIEW v AS SELECT nosuch(a)`
//! is 42883 there). A view calling a function that does not exist is dropped again and
//! the error given; so is one calling one of litewire's SQL functions (0A000), which
//! are inlined only into the statement that calls them: kept, it would fail every read
//! of it and every catalog scan that lists its columns.

use super::stmt::Conn;
use crate::protocol::{PgError, SqlState};
use sqlparser::ast::Statement;

/// Compiles `SELECT 1 FROM` the view `sql` (its SQLite CREATE VIEW) created; on 42883,
/// drops the view and returns the error.
pub(super) fn check(conn: &mut Conn, sql: &str) -> Result<(), PgError> {
    let Ok(Statement::CreateView {
        name, temporary, ..
    }) = crate::sql::parse::parse_one(sql, 200)
    else {
        return Ok(());
    };
    let schema = if temporary { "temp" } else { "main" };
    let qualified = match name.0.as_slice() {
        [only] => format!("{schema}.{only}"),
        _ => name.to_string(),
    };
    match conn.prepare_fresh(&format!("SELECT 1 FROM {qualified} LIMIT 0")) {
        Ok(stmt) => {
            if let Some(stmt) = stmt {
                conn.recycle(stmt);
            }
            Ok(())
        }
        // Only a function that does not exist: what else fails here is litewire's own
        // limit (a whole-row reference...), still the view's reader's error.
        Err(e)
            if e.code == SqlState::UNDEFINED_FUNCTION || super::objects::calls_sql_function(&e) =>
        {
            let _ = super::exec::exec_plain(conn, &format!("DROP VIEW {qualified}"));
            Err(e)
        }
        Err(_) => Ok(()),
    }
}
