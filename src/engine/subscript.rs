//! `pg_subscript_assign(old, new, 'table', 'column', s1, …)`: subscripted assignment
//! (`UPDATE t SET j['a'][0] = v`, `SET a[2] = v`; sql/translate/assign.rs writes the
//! call). The column's declared type decides the rules: jsonb's (jsonb/value.rs
//! `assign`: missing levels created, arrays padded with nulls) or an array's (counted
//! from its lower bounds; a one-dimensional array grows at either end, padded with
//! NULLs, as array_set_element). Any other type cannot be subscripted.

use rusqlite::functions::Context;
use rusqlite::types::{Value as SqlValue, ValueRef};

use super::array;
use super::error::raise;
use super::jsonb::value::{self as json, Json};
use super::slice;
use super::types::oid;
use crate::protocol::{PgError, SqlState};

pub(super) fn assign(ctx: &mut Context<'_>) -> rusqlite::Result<SqlValue> {
    let (type_oid, typmod) = target_type(ctx, "pg_subscript_assign", 5)?;
    let column: String = ctx.get(3)?;
    let old = text(ctx.get_raw(0));
    if type_oid == oid::JSONB {
        return jsonb(ctx, &column, old).map_err(raise);
    }
    let elem = element_type(type_oid, typmod)?;
    elements(ctx, elem, old).map_err(raise)
}

/// The declared type of the assigned column (arguments 2 and 3: table, column), once the
/// call has at least `min` arguments (translate/assign.rs writes them; a client's own
/// call with fewer is PostgreSQL's 42883).
fn target_type(ctx: &Context<'_>, name: &str, min: usize) -> rusqlite::Result<(u32, i32)> {
    if ctx.len() < min {
        return Err(raise(PgError::new(
            SqlState::UNDEFINED_FUNCTION,
            format!("function {name} does not exist"),
        )));
    }
    super::functions::column_type(ctx, 2, 3)
}

/// The element type of an array column, or PostgreSQL's 42804 for a type that is none.
fn element_type(type_oid: u32, typmod: i32) -> rusqlite::Result<u32> {
    super::catalog::element_of(type_oid).ok_or_else(|| {
        let name =
            super::catalog::format_type(type_oid, typmod).unwrap_or_else(|| "unknown".to_string());
        raise(PgError::new(
            SqlState::DATATYPE_MISMATCH,
            format!("cannot subscript type {name} because it does not support subscripting"),
        ))
    })
}

/// `pg_subscript_assign_slice(old, new, 'table', 'column', shape, bounds…)`: assignment to
/// a slice of an array column (engine/slice.rs reads the shape).
pub(super) fn assign_slice(ctx: &mut Context<'_>) -> rusqlite::Result<SqlValue> {
    let (type_oid, typmod) = target_type(ctx, "pg_subscript_assign_slice", 5)?;
    let elem = element_type(type_oid, typmod)?;
    let slice::Ranges::Given(ranges) = slice::ranges(ctx, 4)? else {
        return Err(raise(PgError::new(
            SqlState::NULL_VALUE_NOT_ALLOWED,
            "array subscript in assignment must not be null",
        )));
    };
    let old = stored(text(ctx.get_raw(0))).map_err(raise)?;
    // A NULL source changes nothing (a NULL array becomes an empty one).
    let Some(new) = text(ctx.get_raw(1)) else {
        let old = old.unwrap_or(array::Bounded::plain(Json::Array(vec![])));
        return Ok(SqlValue::Text(old.stored()));
    };
    let new = if array::is_json(&new) {
        array::parse(&new)
    } else {
        array::parse(&array::text_to_json(&new, elem).map_err(raise)?)
    }
    .ok_or_else(|| raise(malformed(&new)))?;
    let value = slice::set(old, &ranges, &new).map_err(raise)?;
    Ok(SqlValue::Text(value.stored()))
}

fn malformed(s: &str) -> PgError {
    PgError::new(
        SqlState::INVALID_TEXT_REPRESENTATION,
        format!("malformed array literal: \"{s}\""),
    )
}

/// The column's stored array, None for NULL.
fn stored(old: Option<String>) -> Result<Option<array::Bounded>, PgError> {
    old.map(|s| array::read(&s).ok_or_else(|| malformed(&s)))
        .transpose()
}

fn text(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
    }
}

fn jsonb(ctx: &Context<'_>, column: &str, old: Option<String>) -> Result<SqlValue, PgError> {
    let mut path = Vec::with_capacity(ctx.len() - 4);
    for i in 4..ctx.len() {
        path.push(match ctx.get_raw(i) {
            ValueRef::Null => {
                return Err(PgError::new(
                    SqlState::NULL_VALUE_NOT_ALLOWED,
                    "jsonb subscript in assignment must not be null",
                ))
            }
            ValueRef::Integer(n) => (n.to_string(), true),
            ValueRef::Text(t) => (String::from_utf8_lossy(t).into_owned(), false),
            _ => {
                return Err(PgError::new(
                    SqlState::DATATYPE_MISMATCH,
                    "subscript type numeric is not supported",
                )
                .with_hint("jsonb subscript must be coercible to either integer or text."))
            }
        });
    }
    let new = match ctx.get_raw(1) {
        ValueRef::Null => Json::Null,
        ValueRef::Text(t) => json::parse(&String::from_utf8_lossy(t))?,
        other => {
            let ty = if matches!(other, ValueRef::Integer(_)) {
                "integer"
            } else {
                "numeric"
            };
            return Err(PgError::new(
                SqlState::DATATYPE_MISMATCH,
                format!(
                    "subscripted assignment to \"{column}\" requires type jsonb but expression is of type {ty}"
                ),
            )
            .with_hint("You will need to rewrite or cast the expression."));
        }
    };
    let old = old.map(|s| json::parse(&s)).transpose()?;
    let j = json::assign(old, &path, new)?;
    Ok(SqlValue::Text(json::print(&j)))
}

fn wrong(msg: &str) -> PgError {
    PgError::new(SqlState::ARRAY_SUBSCRIPT_ERROR, msg)
}

fn elements(ctx: &Context<'_>, elem: u32, old: Option<String>) -> Result<SqlValue, PgError> {
    let mut path = Vec::with_capacity(ctx.len() - 4);
    for i in 4..ctx.len() {
        path.push(match ctx.get_raw(i) {
            ValueRef::Null => {
                return Err(PgError::new(
                    SqlState::NULL_VALUE_NOT_ALLOWED,
                    "array subscript in assignment must not be null",
                ))
            }
            ValueRef::Integer(n) => n,
            other => {
                let t = text(other).unwrap_or_default();
                t.trim().parse::<i64>().map_err(|_| {
                    PgError::new(
                        SqlState::INVALID_TEXT_REPRESENTATION,
                        format!("invalid input syntax for type integer: \"{t}\""),
                    )
                })?
            }
        });
    }
    if path.len() > 6 {
        return Err(PgError::new(
            SqlState::PROGRAM_LIMIT_EXCEEDED,
            format!(
                "number of array dimensions ({}) exceeds the maximum allowed (6)",
                path.len()
            ),
        ));
    }
    let new = element(ctx.get_raw(1), elem)?;
    let mut array = stored(old)?.unwrap_or(array::Bounded::plain(Json::Array(vec![])));
    let dims = array::dims(&array.value).unwrap_or_default();
    if dims.is_empty() || dims.contains(&0) {
        // An empty array takes the subscripts as its bounds.
        let mut v = new;
        for _ in 1..path.len() {
            v = Json::Array(vec![v]);
        }
        array = array::Bounded {
            lower: path,
            value: Json::Array(vec![v]),
        };
    } else if dims.len() != path.len() {
        return Err(wrong("wrong number of array subscripts"));
    } else if dims.len() == 1 {
        // One dimension grows at either end, NULLs in the gap (array_set_element).
        let (i, first) = (path[0], array.lower(0));
        let last = first + dims[0] as i64 - 1;
        let (new_first, new_last) = (i.min(first), i.max(last));
        let size = new_last - new_first + 1;
        if size > array::MAX_ARRAY_SIZE {
            return Err(array::too_large());
        }
        if size as usize > json::MAX_PADDING {
            return Err(json::too_far());
        }
        let Json::Array(items) = &mut array.value else {
            unreachable!("dims of an array")
        };
        if new_first < first {
            items.splice(0..0, (new_first..first).map(|_| Json::Null));
        }
        items.resize(size as usize, Json::Null);
        items[(i - new_first) as usize] = new;
        array.lower = vec![new_first];
    } else {
        // A multi-dimensional array is only written inside its bounds.
        let lower: Vec<i64> = (0..dims.len()).map(|d| array.lower(d)).collect();
        let mut at = &mut array.value;
        for ((&i, &d), first) in path.iter().zip(&dims).zip(lower) {
            if i < first || i > first + d as i64 - 1 {
                return Err(wrong("array subscript out of range"));
            }
            let Json::Array(items) = at else {
                unreachable!("regular dimensions")
            };
            at = &mut items[(i - first) as usize];
        }
        *at = new;
    }
    Ok(SqlValue::Text(array.stored()))
}

/// `v` read as an element of type `elem`, with the element type's input rules (as in a
/// one-element array literal).
fn element(v: ValueRef<'_>, elem: u32) -> Result<Json, PgError> {
    let Some(t) = text(v) else {
        return Ok(Json::Null);
    };
    let literal = format!("{{\"{}\"}}", t.replace('\\', "\\\\").replace('"', "\\\""));
    let mut parsed = json::parse(&array::text_to_json(&literal, elem)?)?;
    match &mut parsed {
        Json::Array(items) if items.len() == 1 => Ok(items.remove(0)),
        _ => Err(PgError::new(
            SqlState::INVALID_TEXT_REPRESENTATION,
            format!("invalid input syntax for an array element: \"{t}\""),
        )),
    }
}
