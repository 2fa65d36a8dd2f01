//! Arrays inside arrays: `ARRAY[…]` and `array_agg` of arrays (one more dimension, as
//! PostgreSQL), their elements marked as JSON so that SQLite's JSON functions nest them,
//! with PostgreSQL's checks that they are of one shape; arrays for the JSON builders.
//! Arrays with lower bounds other than 1 cannot nest (JSON keeps no inner bounds): 0A000.

use rusqlite::functions::FunctionFlags;
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;

use super::super::array;
use super::super::jsonb::value::{self as json, Json};
use super::super::types::oid;
use super::arrays::{array_arg, err, items, null, out, JSON_SUBTYPE};
use super::{text, Res};
use crate::protocol::SqlState;

/// Whether stored array text has lower bounds other than 1.
fn shifted(t: &[u8]) -> bool {
    t.first() == Some(&b'[')
        && std::str::from_utf8(t)
            .ok()
            .and_then(array::read)
            .is_some_and(|a| a.is_shifted())
}

/// 0A000 for `what` given an array whose lower bounds are not 1.
fn unsupported_bounds(what: &str) -> rusqlite::Error {
    super::super::error::raise(super::unsupported(format!(
        "{what} with a lower bound other than 1"
    )))
}

/// The arrays array_agg accumulates (array_agg_array_transfn): none NULL or empty, all
/// of one shape. Unless `certain`, scalars (an array_agg of a column that is not an
/// array) pass.
fn nested_dims(items: &[Json], certain: bool) -> Res<()> {
    if !certain && !items.iter().any(|i| matches!(i, Json::Array(_))) {
        return Ok(());
    }
    let mut shape = None;
    for item in items {
        if *item == Json::Null {
            return Err(err(
                SqlState::NULL_VALUE_NOT_ALLOWED,
                "cannot accumulate null arrays",
            ));
        }
        let dims = array::dims(item).unwrap_or_default();
        if dims.is_empty() {
            return Err(err(
                SqlState::ARRAY_SUBSCRIPT_ERROR,
                "cannot accumulate empty arrays",
            ));
        }
        if shape.get_or_insert_with(|| dims.clone()) != &dims {
            return Err(err(
                SqlState::ARRAY_SUBSCRIPT_ERROR,
                "cannot accumulate arrays of different dimensionality",
            ));
        }
    }
    Ok(())
}

/// Registers the functions on `conn` with `f`, the array functions' flags.
pub(super) fn register(conn: &Connection, f: FunctionFlags) -> Res<()> {
    // `pg_array_elem(x)`: an element for json_array / json_group_array: a bytea as its
    // hex text (SQLite would read a blob as JSONB), anything else as it is.
    conn.create_scalar_function("pg_array_elem", 1, f, |ctx| {
        let subtype = ctx.get_subtype(0);
        Ok(match ctx.get_raw(0) {
            ValueRef::Blob(b) => {
                let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
                (SqlValue::Text(format!("\\x{hex}")), None)
            }
            // A nested array keeps its own bounds in PostgreSQL; JSON nesting cannot.
            ValueRef::Text(t) if subtype == JSON_SUBTYPE && shifted(t) => {
                return Err(unsupported_bounds("ARRAY[] of arrays"));
            }
            other => (
                crate::engine::functions::owned(other),
                (subtype == JSON_SUBTYPE).then_some(JSON_SUBTYPE),
            ),
        })
    })?;
    // `pg_array_as_json(a)`: an array for the JSON builders (to_json...), which ignore
    // its bounds: its JSON, marked as such.
    conn.create_scalar_function("pg_array_as_json", 1, f, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Text(t) => {
                let s = String::from_utf8_lossy(t);
                let json = if array::is_json(&s) {
                    array::json_part(&s).to_string()
                } else {
                    s.into_owned()
                };
                (SqlValue::Text(json), Some(JSON_SUBTYPE))
            }
            other => (crate::engine::functions::owned(other), None),
        })
    })?;
    // `pg_array_nestable(a [, 'type[]'])`: an array that ARRAY[…] and array_agg nest as a
    // dimension (JSON); with its type, a literal (`'{1,2}'`) is read as one.
    for args in [1, 2] {
        conn.create_scalar_function("pg_array_nestable", args, f, |ctx| {
            Ok(match ctx.get_raw(0) {
                ValueRef::Text(t) if shifted(t) => {
                    return Err(unsupported_bounds(
                        "an array of arrays (ARRAY[…], array_agg())",
                    ));
                }
                ValueRef::Text(t) => {
                    let s = String::from_utf8_lossy(t);
                    let stored = if ctx.len() > 1 && !array::is_json(&s) {
                        let ty = text(ctx, 1).unwrap_or_default();
                        let elem = match super::super::types::from_decltype(&ty).render {
                            super::super::types::Render::Array(elem, _) => elem,
                            _ => oid::TEXT,
                        };
                        array::text_to_json(&s, elem).map_err(super::raise)?
                    } else {
                        s.into_owned()
                    };
                    (SqlValue::Text(stored), Some(JSON_SUBTYPE))
                }
                other => (crate::engine::functions::owned(other), None),
            })
        })?;
    }
    // `pg_array_nested(json_group_array(json(a)))`: array_agg of arrays, refused as
    // PostgreSQL refuses ragged, empty and NULL arrays (translate/arrays.rs).
    conn.create_scalar_function("pg_array_nested", 2, f, |ctx| {
        let Some(all) = array_arg(ctx, 0)? else {
            return Ok(None);
        };
        nested_dims(items(&all), ctx.get::<bool>(1)?)?;
        Ok(Some(json::print(&all)))
    })?;
    // `pg_array_of_arrays(json_array(…))`: ARRAY[…] whose elements may be arrays: arrays
    // all of one shape (all empty: `{}`), else 2202E as PostgreSQL; scalars as they are.
    conn.create_scalar_function("pg_array_of_arrays", 1, f, |ctx| {
        let Some(all) = array_arg(ctx, 0)? else {
            return null();
        };
        let items = items(&all);
        if !items.iter().any(|i| matches!(i, Json::Array(_))) {
            return out(&all);
        }
        let shapes: Vec<Option<Vec<usize>>> = items
            .iter()
            .map(|i| match i {
                Json::Array(_) => array::dims(i),
                _ => None,
            })
            .collect();
        let first = &shapes[0];
        if first.is_none() || shapes.iter().any(|s| s != first) {
            return Err(err(
                SqlState::ARRAY_SUBSCRIPT_ERROR,
                "multidimensional arrays must have array expressions with matching dimensions",
            ));
        }
        if first.as_ref().is_some_and(|d| d.is_empty()) {
            return out(&Json::Array(vec![]));
        }
        out(&all)
    })?;
    Ok(())
}
