//! Functions and the special call forms of PostgreSQL's grammar (`extract(f FROM x)`,
//! `AT TIME ZONE`, `position(a IN b)`, `substring(… FROM … FOR …)`, `trim(…)`,
//! `overlay(…)`) as calls of SQLite functions with PostgreSQL's meaning
//! (engine/functions.rs and its neighbours define them).

use sqlparser::ast::{Expr, Function};

use super::unsupported;
use crate::protocol::PgError;

/// A special call form, rewritten; 0A000 for one litewire cannot run exactly.
pub(super) fn special(e: Expr) -> Result<Expr, PgError> {
    match e {
        Expr::Ceil { .. } | Expr::Floor { .. } => Ok(e),
        other => Err(unsupported(format!("{other}"))),
    }
}

/// A call of `name` (lower case, unqualified) rewritten; None leaves it as it is.
pub(super) fn function(_name: &str, _f: &mut Function) -> Result<Option<Expr>, PgError> {
    Ok(None)
}
