//! SQL/JSON path (jsonpath): `@?`, `@@` and the `jsonb_path_*` functions. parse.rs
//! reads a path's text, exec.rs evaluates it (PostgreSQL's jsonpath_gram.y and
//! jsonpath_exec.c), num.rs does its numeric arithmetic.

mod exec;
mod num;
pub(crate) mod parse;

use rusqlite::functions::Context;

use super::value::{self, Json};
use super::{json_out, jsonb_arg, null_out, raise, text_of, Out};
use crate::protocol::{PgError, SqlState};
pub use exec::set_max_items;
use exec::{Exec, Fail};

/// What a call asks of the path's items.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Want {
    /// `jsonb_path_exists`, `@?`.
    Exists,
    /// `jsonb_path_match`, `@@`.
    Match,
    /// `jsonb_path_query`'s rows (a JSON array of jsonb texts for json_each).
    Rows,
    /// `jsonb_path_query_array`.
    Array,
    /// `jsonb_path_query_first`.
    First,
}

/// The path's items over argument 0 (`pg_jsonb_path_*(target, path, vars, silent)`);
/// Ok(None) for NULL arguments, Ok(Some(None)) when `silent` suppressed an error.
type Items = Option<Option<Vec<Json>>>;

fn items(ctx: &Context<'_>) -> rusqlite::Result<(Items, bool)> {
    let (Some(target), Some(path), Some(vars)) =
        (jsonb_arg(ctx, 0)?, text_of(ctx, 1)?, jsonb_arg(ctx, 2)?)
    else {
        return Ok((None, false));
    };
    let silent = ctx.get::<Option<bool>>(3)?.unwrap_or(false);
    let path = parse::parse(&path).map_err(raise)?;
    if !matches!(vars, Json::Object(_)) {
        return Err(raise(
            PgError::new(
                SqlState::INVALID_PARAMETER_VALUE,
                "\"vars\" argument is not an object",
            )
            .with_detail(
                "Jsonpath parameters should be encoded as key-value pairs of \"vars\" object.",
            ),
        ));
    }
    let mut exec = Exec::new(&path, &target, &vars);
    let root = std::borrow::Cow::Borrowed(&target);
    let found = match exec.eval(&path.expr, &root) {
        Ok(items) => Some(items.into_iter().map(|i| i.into_owned()).collect()),
        Err(Fail::Soft(_)) if silent => None,
        Err(e) => return Err(raise(e.into_error())),
    };
    Ok((Some(found), silent))
}

/// `jsonb_path_exists` / `@?`, `jsonb_path_match` / `@@`.
pub(super) fn truth(ctx: &Context<'_>, want: Want) -> rusqlite::Result<Option<bool>> {
    let (Some(found), silent) = items(ctx)? else {
        return Ok(None);
    };
    let Some(found) = found else {
        return Ok(None);
    };
    if want == Want::Exists {
        return Ok(Some(!found.is_empty()));
    }
    match found.as_slice() {
        [Json::Bool(b)] => Ok(Some(*b)),
        [Json::Null] => Ok(None),
        _ if silent => Ok(None),
        _ => Err(single_boolean()),
    }
}

/// `jsonb_path_query`'s rows, `jsonb_path_query_array`, `jsonb_path_query_first`.
pub(super) fn call(ctx: &Context<'_>, want: Want) -> Out {
    let (Some(found), _) = items(ctx)? else {
        return null_out();
    };
    let found = found.unwrap_or_default();
    match want {
        Want::Rows => {
            let mut out = String::from("[");
            for (i, item) in found.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                value::quote(&value::print(item), &mut out);
            }
            out.push(']');
            Ok((Some(out), None))
        }
        Want::Array => json_out(value::print(&Json::Array(found))),
        _ => match found.first() {
            Some(v) => json_out(value::print(v)),
            None => null_out(),
        },
    }
}

fn single_boolean() -> rusqlite::Error {
    raise(PgError::new(
        SqlState("22038"),
        "single boolean result is expected",
    ))
}
