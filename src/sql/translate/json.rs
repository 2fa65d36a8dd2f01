//! json and jsonb: PostgreSQL's operators (`->`, `->>`, `#>`, `#>>`, `@>`, `<@`, `?`,
//! `?|`, `?&`) and functions over SQLite's JSON functions, with PostgreSQL's output.

use sqlparser::ast::{BinaryOperator, Expr, Function};

use crate::protocol::PgError;

/// A JSON operator rewritten (`Ok(Ok(expr))`), or the operands handed back
/// (`Ok(Err(..))`) when `op` is not one.
#[allow(clippy::type_complexity)]
pub(super) fn operator(
    left: Expr,
    op: BinaryOperator,
    right: Expr,
) -> Result<Result<Expr, (Expr, BinaryOperator, Expr)>, PgError> {
    Ok(Err((left, op, right)))
}

/// A JSON function rewritten; None leaves it as it is.
pub(super) fn function(_name: &str, _f: &mut Function) -> Result<Option<Expr>, PgError> {
    Ok(None)
}
