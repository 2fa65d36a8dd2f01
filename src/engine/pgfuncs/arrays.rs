//! PostgreSQL's array functions and the functions its array operators become, over the
//! stored form of arrays (JSON text, engine/array.rs; PostgreSQL's array text is read
//! too, with text elements). The translator (sql/translate/arrays.rs) renames the calls:
//! `array_cat(a, b)` → `pg_array_cat(a, b)`, `ARRAY[…] @> b` → `pg_array_contains(…)`.
//! Array results carry SQLite's JSON subtype, so that `ARRAY[…]` and `json_group_array`
//! nest them as arrays. Elements compare by value: a number and text that reads as the
//! same number are equal (an untyped literal `'{1,2}'` against an int[]).

use std::cmp::Ordering;

use rusqlite::functions::{Context, FunctionFlags, SubType};
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::super::array::{self, Bounded, Elem};
use super::super::jsonb::value::{self as json, Json};
use super::super::types::oid;
use super::regex::{regexp_matches, regexp_split};
use super::strings::{regex, regex_flags};
use super::{pg, text, Res};
use crate::protocol::{PgError, SqlState};

/// SQLite's subtype for JSON text (`J`).
pub(crate) const JSON_SUBTYPE: u32 = 74;

pub(super) type Out = Res<(Option<String>, SubType)>;

pub(super) fn out(v: &Json) -> Out {
    let mut s = String::new();
    write_json(v, &mut s);
    Ok((Some(s), Some(JSON_SUBTYPE)))
}

/// An array result with its lower bounds (the stored form's decoration when one is not
/// 1; still marked JSON, so that SQLite's JSON functions refuse it rather than nest it
/// as a string).
fn out_bounded(a: &Bounded) -> Out {
    Ok((Some(a.stored()), Some(JSON_SUBTYPE)))
}

/// Columns side by side: one row (a JSON array) per element of the longest, NULL past a
/// shorter one's end.
fn lockstep(columns: &[Vec<&Json>]) -> Json {
    let rows = columns.iter().map(Vec::len).max().unwrap_or(0);
    Json::Array(
        (0..rows)
            .map(|r| {
                Json::Array(
                    columns
                        .iter()
                        .map(|c| c.get(r).map_or(Json::Null, |v| (*v).clone()))
                        .collect(),
                )
            })
            .collect(),
    )
}

pub(super) fn null() -> Out {
    Ok((None, None))
}

pub(super) fn err(code: SqlState, msg: &str) -> rusqlite::Error {
    super::super::error::raise(PgError::new(code, msg))
}

/// Compact JSON (the stored form): `[1,"a",null]`.
pub(crate) fn write_json(v: &Json, s: &mut String) {
    match v {
        Json::Array(items) => {
            s.push('[');
            for (k, i) in items.iter().enumerate() {
                if k > 0 {
                    s.push(',');
                }
                write_json(i, s);
            }
            s.push(']');
        }
        Json::Str(t) => json::quote(t, s),
        other => s.push_str(&json::print(other)),
    }
}

/// Array argument `i`, its lower bounds dropped (for functions to which they do not
/// matter): None for NULL. A value that is not an array is 42804.
pub(super) fn array_arg(ctx: &Context<'_>, i: usize) -> Res<Option<Json>> {
    Ok(bounded_arg(ctx, i)?.map(|a| a.value))
}

/// Array argument `i` with its lower bounds: None for NULL.
fn bounded_arg(ctx: &Context<'_>, i: usize) -> Res<Option<Bounded>> {
    match ctx.get_raw(i) {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => std::str::from_utf8(t)
            .ok()
            .and_then(array::read)
            .map(Some)
            .ok_or_else(|| {
                err(
                    SqlState::INVALID_TEXT_REPRESENTATION,
                    &format!(
                        "malformed array literal: \"{}\"",
                        String::from_utf8_lossy(t)
                    ),
                )
            }),
        _ => Err(err(
            SqlState::DATATYPE_MISMATCH,
            "argument of an array function must be an array",
        )),
    }
}

/// Element argument `i` as a JSON value (an array argument with the JSON subtype nests).
fn elem_arg(ctx: &Context<'_>, i: usize) -> Json {
    match ctx.get_raw(i) {
        ValueRef::Null => Json::Null,
        ValueRef::Integer(n) => Json::Num(n.to_string()),
        ValueRef::Real(f) => Json::Num(text(ctx, i).unwrap_or_else(|| f.to_string())),
        ValueRef::Text(t) => {
            let s = String::from_utf8_lossy(t);
            if ctx.get_subtype(i) == JSON_SUBTYPE {
                if let Ok(v) = json::parse(&s) {
                    return v;
                }
            }
            Json::Str(s.into_owned())
        }
        ValueRef::Blob(_) => Json::Str(text(ctx, i).unwrap_or_default()),
    }
}

pub(super) fn items(v: &Json) -> &[Json] {
    match v {
        Json::Array(items) => items,
        _ => &[],
    }
}

fn ndims(v: &Json) -> Res<usize> {
    array::dims(v).map(|d| d.len()).ok_or_else(|| {
        err(
            SqlState::ARRAY_SUBSCRIPT_ERROR,
            "multidimensional arrays must have array expressions with matching dimensions",
        )
    })
}

/// A number as PostgreSQL would read it from either a JSON number or text.
fn number(v: &Json) -> Option<f64> {
    match v {
        Json::Num(n) => n.parse().ok(),
        Json::Str(s) => s.trim().parse().ok(),
        Json::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

/// Orders two numbers as float8 and numeric do: NaN after every other number.
fn by_number(a: &Json, b: &Json) -> Ordering {
    let (x, y) = (number(a).unwrap_or(f64::NAN), number(b).unwrap_or(f64::NAN));
    match (x.is_nan(), y.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
    }
}

/// Orders two elements; NULL sorts after everything (PostgreSQL's array comparison).
fn compare(a: &Json, b: &Json) -> Ordering {
    match (a, b) {
        (Json::Null, Json::Null) => Ordering::Equal,
        (Json::Null, _) => Ordering::Greater,
        (_, Json::Null) => Ordering::Less,
        (Json::Array(x), Json::Array(y)) => compare_items(x, y),
        (Json::Str(x), Json::Str(y)) => x.cmp(y),
        _ => match (number(a), number(b)) {
            (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
            _ => json::print(a).cmp(&json::print(b)),
        },
    }
}

/// Two arrays in array_cmp's order: elements, then (all equal) lower bounds.
fn compare_bounded(a: &Bounded, b: &Bounded) -> Ordering {
    compare_items(items(&a.value), items(&b.value)).then_with(|| {
        let n = array::dims(&a.value).map_or(0, |d| d.len());
        (0..n).map(|d| a.lower(d)).cmp((0..n).map(|d| b.lower(d)))
    })
}

fn compare_items(x: &[Json], y: &[Json]) -> Ordering {
    x.iter()
        .zip(y)
        .map(|(a, b)| compare(a, b))
        .find(|o| o.is_ne())
        .unwrap_or(x.len().cmp(&y.len()))
}

/// A key whose byte order is PostgreSQL's array order (array_cmp): the elements in
/// row-major order (numbers by value, text by bytes, NULL after everything), then a
/// shorter array first, then fewer dimensions, then shorter dimensions, then lower
/// bounds. Each element starts with a tag above the end mark 0, so an array sorts before
/// its extensions.
pub(crate) fn array_key(a: &Bounded) -> Vec<u8> {
    let v = &a.value;
    let mut key = Vec::new();
    for item in array::flatten(v) {
        match item {
            Json::Null => key.push(0xff),
            Json::Str(s) => {
                key.push(2);
                for &b in s.as_bytes() {
                    key.push(b);
                    if b == 0 {
                        key.push(0xff);
                    }
                }
                key.extend([0, 0]);
            }
            other => {
                key.push(1);
                let f = number(other).unwrap_or(f64::NAN);
                let bits = f.to_bits();
                let ordered = if bits >> 63 == 1 {
                    !bits
                } else {
                    bits | 1 << 63
                };
                key.extend(ordered.to_be_bytes());
            }
        }
    }
    key.push(0);
    let dims = array::dims(v).unwrap_or_default();
    key.push(dims.len() as u8);
    for d in &dims {
        key.extend((*d as u32).to_be_bytes());
    }
    for d in 0..dims.len() {
        // Signed, flipped so that byte order is numeric order.
        key.extend(((a.lower(d) as i32 as u32) ^ 0x8000_0000).to_be_bytes());
    }
    key
}

/// Equal as `IS NOT DISTINCT FROM` (array_position, array_remove).
fn same(a: &Json, b: &Json) -> bool {
    compare(a, b) == Ordering::Equal
}

/// `a @> b`: every element of `b` is in `a` (a NULL element is in nothing).
fn contains(a: &Json, b: &Json) -> bool {
    let have = array::flatten(a);
    array::flatten(b)
        .into_iter()
        .all(|x| *x != Json::Null && have.iter().any(|y| **y != Json::Null && same(x, y)))
}

/// `a && b`: some non-NULL element is in both.
fn overlaps(a: &Json, b: &Json) -> bool {
    let have = array::flatten(a);
    array::flatten(b)
        .into_iter()
        .any(|x| *x != Json::Null && have.iter().any(|y| same(x, y)))
}

/// `array_cat(a, b)` with PostgreSQL's rules: equal dimensions concatenate along the
/// first (the first array's lower bounds), one dimension fewer is an element of the
/// other; the inner dimensions and their lower bounds must match.
fn cat(a: Bounded, b: Bounded) -> Res<Bounded> {
    let (na, nb) = (ndims(&a.value)?, ndims(&b.value)?);
    if na == 0 {
        return Ok(b);
    }
    if nb == 0 {
        return Ok(a);
    }
    let incompatible = || {
        err(
            SqlState::ARRAY_SUBSCRIPT_ERROR,
            "cannot concatenate incompatible arrays",
        )
    };
    let shape = |x: &Bounded| -> Vec<(usize, i64)> {
        let dims = array::dims(&x.value).unwrap_or_default();
        dims.iter()
            .enumerate()
            .map(|(d, n)| (*n, x.lower(d)))
            .collect()
    };
    let (sa, sb) = (shape(&a), shape(&b));
    let (lower_a, lower_b) = (a.lower.clone(), b.lower.clone());
    let (mut x, mut y) = (into_items(a.value), into_items(b.value));
    if na == nb && sa[1..] == sb[1..] {
        x.append(&mut y);
        Ok(Bounded {
            lower: lower_a,
            value: Json::Array(x),
        })
    } else if na + 1 == nb && sa[..] == sb[1..] {
        y.insert(0, Json::Array(x));
        Ok(Bounded {
            lower: lower_b,
            value: Json::Array(y),
        })
    } else if nb + 1 == na && sb[..] == sa[1..] {
        x.push(Json::Array(y));
        Ok(Bounded {
            lower: lower_a,
            value: Json::Array(x),
        })
    } else {
        Err(incompatible())
    }
}

/// The items of an array value, taken out of it.
fn into_items(mut v: Json) -> Vec<Json> {
    match &mut v {
        Json::Array(items) => std::mem::take(items),
        _ => vec![],
    }
}

/// `a || b` of arrays (arguments 0 and 1) by which sides are arrays: array_cat, or
/// array_append / array_prepend of an element.
pub(super) fn concat(ctx: &Context<'_>, left_array: bool, right_array: bool) -> Out {
    match (left_array, right_array) {
        (true, true) => match (bounded_arg(ctx, 0)?, bounded_arg(ctx, 1)?) {
            (None, None) => null(),
            (Some(a), None) | (None, Some(a)) => out_bounded(&a),
            (Some(a), Some(b)) => out_bounded(&cat(a, b)?),
        },
        (true, false) => add(bounded_arg(ctx, 0)?, elem_arg(ctx, 1), true),
        _ => add(bounded_arg(ctx, 1)?, elem_arg(ctx, 0), false),
    }
}

/// `array_append` / `array_prepend`: only to an empty or one-dimensional array, whose
/// lower bound stays.
fn add(a: Option<Bounded>, e: Json, at_end: bool) -> Out {
    let a = a.unwrap_or(Bounded::plain(Json::Array(vec![])));
    if ndims(&a.value)? > 1 {
        return Err(err(
            SqlState::DATA_EXCEPTION,
            "argument must be empty or one-dimensional array",
        ));
    }
    let lower = a.lower.clone();
    let mut items = into_items(a.value);
    if at_end {
        items.push(e);
    } else {
        items.insert(0, e);
    }
    out_bounded(&Bounded {
        lower,
        value: Json::Array(items),
    })
}

/// A one-dimensional array for the searching functions.
fn one_dim<'a>(a: &'a Json, what: &str) -> Res<&'a [Json]> {
    if ndims(a)? > 1 {
        return Err(err(
            SqlState::FEATURE_NOT_SUPPORTED,
            &format!("{what} multidimensional arrays is not supported"),
        ));
    }
    Ok(items(a))
}

/// A dimension number argument as an index into `dims`, if within them.
fn dim(dims: &[usize], d: Option<i64>) -> Option<usize> {
    let d = usize::try_from(d?).ok()?;
    (1..=dims.len()).contains(&d).then(|| dims[d - 1])
}

/// The text of a scalar element for array_to_string.
fn element_string(v: &Json) -> Option<String> {
    array::element_text(
        v,
        Elem {
            oid: oid::TEXT,
            typmod: -1,
        },
    )
}

fn regex_arg(ctx: &Context<'_>, flags_at: usize) -> Res<(regex_lite::Regex, bool)> {
    let flags = if ctx.len() > flags_at {
        text(ctx, flags_at).unwrap_or_default()
    } else {
        String::new()
    };
    let (global, insensitive) = pg(regex_flags(&flags))?;
    Ok((
        pg(regex(&text(ctx, 1).unwrap_or_default(), insensitive))?,
        global,
    ))
}

/// Registers the functions on `conn`; `limit` is its longest string (SQLITE_LIMIT_LENGTH),
/// which bounds what `array_fill` may build.
pub fn register(conn: &Connection, limit: usize) -> Res<()> {
    let f = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS
        | FunctionFlags::SQLITE_RESULT_SUBTYPE
        | FunctionFlags::SQLITE_SUBTYPE;

    // `indkey::text`: a catalog vector's text, space-separated as PostgreSQL prints it.
    conn.create_scalar_function("pg_vector_text", 1, f, |ctx| {
        Ok(text(ctx, 0).map(|t| array::vector_text(&t).unwrap_or(t)))
    })?;
    conn.create_scalar_function("pg_array_cat", 2, f, |ctx| concat(ctx, true, true))?;
    conn.create_scalar_function("pg_array_append", 2, f, |ctx| concat(ctx, true, false))?;
    conn.create_scalar_function("pg_array_prepend", 2, f, |ctx| concat(ctx, false, true))?;
    // `a || b` whose operands' types only the schema knows (translate/operators.rs).
    conn.create_scalar_function("pg_concat_op", 4, f, |ctx| {
        super::operators::pg_concat_op(ctx)
    })?;
    for args in [2, 3] {
        conn.create_scalar_function("pg_array_position", args, f, |ctx| {
            let Some(a) = bounded_arg(ctx, 0)? else {
                return Ok(None);
            };
            let first = a.lower(0);
            let items = one_dim(&a.value, "searching for elements in")?;
            let e = elem_arg(ctx, 1);
            let start = if ctx.len() > 2 {
                super::int(ctx, 2)?.ok_or_else(|| {
                    err(
                        SqlState::NULL_VALUE_NOT_ALLOWED,
                        "initial position must not be null",
                    )
                })?
            } else {
                first
            };
            let skip = usize::try_from(start.max(first) - first).unwrap_or(usize::MAX);
            Ok(items
                .iter()
                .enumerate()
                .skip(skip)
                .find(|(_, x)| same(x, &e))
                .map(|(k, _)| k as i64 + first))
        })?;
    }
    conn.create_scalar_function("pg_array_positions", 2, f, |ctx| {
        let Some(a) = bounded_arg(ctx, 0)? else {
            return null();
        };
        let e = elem_arg(ctx, 1);
        let first = a.lower(0);
        let found: Vec<Json> = one_dim(&a.value, "searching for elements in")?
            .iter()
            .enumerate()
            .filter(|(_, x)| same(x, &e))
            .map(|(k, _)| Json::Num((k as i64 + first).to_string()))
            .collect();
        out(&Json::Array(found))
    })?;
    conn.create_scalar_function("pg_array_remove", 2, f, |ctx| {
        let Some(a) = bounded_arg(ctx, 0)? else {
            return null();
        };
        let e = elem_arg(ctx, 1);
        let kept: Vec<Json> = one_dim(&a.value, "removing elements from")?
            .iter()
            .filter(|x| !same(x, &e))
            .cloned()
            .collect();
        // The lower bound stays, unless nothing does.
        let lower = if kept.is_empty() { vec![] } else { a.lower };
        out_bounded(&Bounded {
            lower,
            value: Json::Array(kept),
        })
    })?;
    conn.create_scalar_function("pg_array_replace", 3, f, |ctx| {
        let Some(a) = bounded_arg(ctx, 0)? else {
            return null();
        };
        let (from, to) = (elem_arg(ctx, 1), elem_arg(ctx, 2));
        fn replace(v: &Json, from: &Json, to: &Json) -> Json {
            match v {
                Json::Array(items) => {
                    Json::Array(items.iter().map(|i| replace(i, from, to)).collect())
                }
                x if same(x, from) => to.clone(),
                x => x.clone(),
            }
        }
        out_bounded(&Bounded {
            value: replace(&a.value, &from, &to),
            lower: a.lower,
        })
    })?;
    // trim_array(a, n): the first dimension without its last n entries (lower bounds 1,
    // as a slice).
    conn.create_scalar_function("pg_trim_array", 2, f, |ctx| {
        let (Some(a), Some(n)) = (bounded_arg(ctx, 0)?, super::int(ctx, 1)?) else {
            return null();
        };
        let mut items = into_items(a.value);
        let len = items.len();
        if n < 0 || n as usize > len {
            return Err(err(
                SqlState::ARRAY_SUBSCRIPT_ERROR,
                &format!("number of elements to trim must be between 0 and {len}"),
            ));
        }
        items.truncate(len - n as usize);
        out(&Json::Array(items))
    })?;
    conn.create_scalar_function("pg_array_ndims", 1, f, |ctx| {
        Ok(match array_arg(ctx, 0)? {
            Some(a) => Some(ndims(&a)? as i64).filter(|n| *n > 0),
            None => None,
        })
    })?;
    conn.create_scalar_function("pg_array_dims", 1, f, |ctx| {
        let Some(a) = bounded_arg(ctx, 0)? else {
            return Ok(None);
        };
        ndims(&a.value)?;
        Some(a.decoration())
            .filter(|d| !d.is_empty())
            .map_or(Ok(None), |d| Ok(Some(d)))
    })?;
    for (name, lower) in [
        ("pg_array_lower", true),
        ("pg_array_upper", false),
        ("pg_array_length", false),
    ] {
        conn.create_scalar_function(name, 2, f, move |ctx| {
            let Some(a) = bounded_arg(ctx, 0)? else {
                return Ok(None);
            };
            ndims(&a.value)?;
            let dims = array::dims(&a.value).unwrap_or_default();
            let d = super::int(ctx, 1)?;
            let Some(n) = dim(&dims, d) else {
                return Ok(None);
            };
            let first = a.lower(d.unwrap_or(1) as usize - 1);
            Ok(Some(match (name, lower) {
                ("pg_array_length", _) => n as i64,
                (_, true) => first,
                (_, false) => first + n as i64 - 1,
            }))
        })?;
    }
    conn.create_scalar_function("pg_cardinality", 1, f, |ctx| {
        Ok(array_arg(ctx, 0)?.map(|a| array::flatten(&a).len() as i64))
    })?;
    for args in [2, 3] {
        conn.create_scalar_function("pg_array_to_string", args, f, |ctx| {
            let (Some(a), Some(sep)) = (array_arg(ctx, 0)?, text(ctx, 1)) else {
                return Ok(None);
            };
            let null = if ctx.len() > 2 { text(ctx, 2) } else { None };
            // Elements print untyped here: a BC date's stored form (engine/datetime.rs)
            // is refused rather than shown.
            let stored_bc = |e: &&Json| {
                matches!(e, Json::Str(s) if crate::engine::datetime::is_stored_bc(s.as_bytes())
                    && super::dates::read(s).is_ok())
            };
            if array::flatten(&a).iter().any(stored_bc) {
                return Err(super::raise(crate::sql::translate::unsupported(
                    "array_to_string() of BC dates or timestamps",
                )));
            }
            let parts: Vec<String> = array::flatten(&a)
                .into_iter()
                .filter_map(|e| element_string(e).or_else(|| null.clone()))
                .collect();
            Ok(Some(parts.join(&sep)))
        })?;
    }
    for args in [2, 3] {
        conn.create_scalar_function("pg_string_to_array", args, f, |ctx| {
            let Some(s) = text(ctx, 0) else {
                return null();
            };
            let null_string = if ctx.len() > 2 { text(ctx, 2) } else { None };
            let parts: Vec<&str> = match text(ctx, 1) {
                _ if s.is_empty() => vec![],
                None => s
                    .char_indices()
                    .map(|(i, c)| &s[i..i + c.len_utf8()])
                    .collect(),
                Some(sep) if sep.is_empty() => vec![s.as_str()],
                Some(sep) => s.split(sep.as_str()).collect(),
            };
            let items = parts
                .into_iter()
                .map(|p| match &null_string {
                    Some(n) if n == p => Json::Null,
                    _ => Json::Str(p.to_string()),
                })
                .collect();
            out(&Json::Array(items))
        })?;
    }
    for args in [2, 3] {
        conn.create_scalar_function("pg_regexp_split_to_array", args, f, |ctx| {
            let Some(s) = text(ctx, 0) else {
                return null();
            };
            if text(ctx, 1).is_none() {
                return null();
            }
            let (re, global) = regex_arg(ctx, 2)?;
            if global {
                return Err(err(
                    SqlState::INVALID_PARAMETER_VALUE,
                    "regexp_split_to_array() does not support the \"global\" option",
                ));
            }
            out(&Json::Array(regexp_split(&s, &re)))
        })?;
        // Set-returning: its rows (each a text[]) as one JSON array, for json_each.
        conn.create_scalar_function("pg_regexp_matches", args, f, |ctx| {
            let Some(s) = text(ctx, 0) else {
                return null();
            };
            if text(ctx, 1).is_none() {
                return null();
            }
            let (re, global) = regex_arg(ctx, 2)?;
            out(&Json::Array(regexp_matches(&s, &re, global)))
        })?;
    }
    // `unnest(a)` in FROM: every element of a (all dimensions) for json_each; with
    // several arrays, rows of one element of each (NULL past a shorter one's end).
    conn.create_scalar_function("pg_unnest", -1, f, |ctx| {
        let arrays = (0..ctx.len())
            .map(|i| array_arg(ctx, i))
            .collect::<Res<Vec<_>>>()?;
        if let [one] = arrays.as_slice() {
            return match one {
                Some(a) => out(&Json::Array(
                    array::flatten(a).into_iter().cloned().collect(),
                )),
                None => null(),
            };
        }
        let columns: Vec<Vec<&Json>> = arrays
            .iter()
            .map(|a| a.as_ref().map(array::flatten).unwrap_or_default())
            .collect();
        out(&lockstep(&columns))
    })?;
    // Several set-returning functions in one select list run in lockstep (PostgreSQL
    // 10+): `pg_zip(j1, j2, …)` of their JSON arrays is the rows of one element of each,
    // NULL past a shorter one's end (a NULL argument is no rows).
    conn.create_scalar_function("pg_zip", -1, f, |ctx| {
        let columns = (0..ctx.len())
            .map(|i| match text(ctx, i) {
                Some(t) => match json::parse(&t).map_err(super::super::error::raise)? {
                    Json::Array(ref mut items) => Ok(std::mem::take(items)),
                    _ => Err(err(SqlState::INTERNAL_ERROR, "pg_zip of a non-array")),
                },
                None => Ok(vec![]),
            })
            .collect::<Res<Vec<Vec<Json>>>>()?;
        let columns: Vec<Vec<&Json>> = columns.iter().map(|c| c.iter().collect()).collect();
        out(&lockstep(&columns))
    })?;
    // Set-returning too: the subscripts of dimension `d` (reversed with a third true),
    // counted from a fourth argument when given (0 for the catalog's int2vector columns).
    for args in [2, 3, 4] {
        conn.create_scalar_function("pg_generate_subscripts", args, f, |ctx| {
            let Some(a) = bounded_arg(ctx, 0)? else {
                return out(&Json::Array(vec![]));
            };
            ndims(&a.value)?;
            let dims = array::dims(&a.value).unwrap_or_default();
            let d = super::int(ctx, 1)?;
            let n = dim(&dims, d).unwrap_or(0);
            let reverse = ctx.len() > 2 && super::int(ctx, 2)?.unwrap_or(0) != 0;
            let lower = if ctx.len() > 3 {
                super::int(ctx, 3)?.unwrap_or(1)
            } else if n > 0 {
                a.lower(d.unwrap_or(1) as usize - 1)
            } else {
                1
            };
            let mut subs: Vec<Json> = (lower..lower + n as i64)
                .map(|k| Json::Num(k.to_string()))
                .collect();
            if reverse {
                subs.reverse();
            }
            out(&Json::Array(subs))
        })?;
    }
    for args in [2, 3] {
        conn.create_scalar_function("pg_array_fill", args, f, move |ctx| {
            let value = elem_arg(ctx, 0);
            let no_null = || {
                err(
                    SqlState::NULL_VALUE_NOT_ALLOWED,
                    "dimension array or low bound array cannot be null",
                )
            };
            let dims = array_arg(ctx, 1)?.ok_or_else(no_null)?;
            if ndims(&dims)? > 1 {
                return Err(err(
                    SqlState::ARRAY_SUBSCRIPT_ERROR,
                    "wrong number of array subscripts",
                ));
            }
            let lengths: Vec<usize> = array::flatten(&dims)
                .into_iter()
                .map(|d| {
                    number(d)
                        .filter(|n| *n >= 0.0 && *n <= 134_217_727.0)
                        .map(|n| n as usize)
                        .ok_or_else(|| {
                            err(
                                SqlState::PROGRAM_LIMIT_EXCEEDED,
                                "array size exceeds the maximum allowed (134217727)",
                            )
                        })
                })
                .collect::<Res<_>>()?;
            let mut lower = vec![];
            if ctx.len() > 2 {
                let given = array_arg(ctx, 2)?.ok_or_else(no_null)?;
                let given = array::flatten(&given);
                if given.len() != lengths.len() {
                    return Err(err(
                        SqlState::ARRAY_SUBSCRIPT_ERROR,
                        "wrong number of array subscripts",
                    ));
                }
                lower = given
                    .iter()
                    .map(|l| number(l).map_or(1, |n| n as i64))
                    .collect();
                if let Some((l, _)) = lower
                    .iter()
                    .zip(&lengths)
                    .find(|(l, n)| **l + **n as i64 > i64::from(i32::MAX))
                {
                    return Err(err(
                        SqlState::PROGRAM_LIMIT_EXCEEDED,
                        &format!("array lower bound is too large: {l}"),
                    ));
                }
            }
            if lengths.len() > 6 {
                return Err(err(
                    SqlState::PROGRAM_LIMIT_EXCEEDED,
                    &format!(
                        "number of array dimensions ({}) exceeds the maximum allowed (6)",
                        lengths.len()
                    ),
                ));
            }
            let total = lengths.iter().try_fold(1usize, |t, n| t.checked_mul(*n));
            if total.is_none_or(|t| t > 134_217_727) {
                return Err(err(
                    SqlState::PROGRAM_LIMIT_EXCEEDED,
                    "array size exceeds the maximum allowed (134217727)",
                ));
            }
            if lengths.contains(&0) {
                return out(&Json::Array(vec![]));
            }
            // Checked before anything is built: the text would be about this long.
            let mut one = String::new();
            write_json(&value, &mut one);
            if total.is_some_and(|t| t.saturating_mul(one.len() + 1) > limit) {
                return Err(err(
                    SqlState::PROGRAM_LIMIT_EXCEEDED,
                    "requested length too large",
                ));
            }
            if lengths.is_empty() {
                return out(&Json::Array(vec![]));
            }
            // Built as text, innermost dimension first: no value tree of that size.
            let mut text = if lower.iter().any(|l| *l != 1) {
                let mut prefix: String = lower
                    .iter()
                    .zip(&lengths)
                    .map(|(l, n)| format!("[{l}:{}]", l + *n as i64 - 1))
                    .collect();
                prefix.push('=');
                prefix
            } else {
                String::new()
            };
            let mut inner = one;
            for n in lengths.iter().rev() {
                let mut next = String::with_capacity(n * (inner.len() + 1) + 1);
                next.push('[');
                for k in 0..*n {
                    if k > 0 {
                        next.push(',');
                    }
                    next.push_str(&inner);
                }
                next.push(']');
                inner = next;
            }
            text.push_str(&inner);
            Ok((Some(text), Some(JSON_SUBTYPE)))
        })?;
    }
    // Operators: `@>`, `<@` (arguments swapped), `&&`, and comparisons (-1, 0, 1).
    // width_bucket(x, thresholds): the bucket of x among sorted lower bounds (the
    // count of thresholds ≤ x, by PostgreSQL's binary search), for numbers.
    conn.create_scalar_function("pg_width_bucket", 2, f, |ctx| -> Res<Option<i64>> {
        if matches!(ctx.get_raw(0), ValueRef::Null) {
            return Ok(None);
        }
        let Some(thresholds) = array_arg(ctx, 1)? else {
            return Ok(None);
        };
        if ndims(&thresholds)? > 1 {
            return Err(err(
                SqlState::ARRAY_SUBSCRIPT_ERROR,
                "thresholds must be one-dimensional array",
            ));
        }
        let items = items(&thresholds);
        if items.iter().any(|t| matches!(t, Json::Null)) {
            return Err(err(
                SqlState::NULL_VALUE_NOT_ALLOWED,
                "thresholds array must not contain NULLs",
            ));
        }
        let x = elem_arg(ctx, 0);
        // Numbers, or timestamps and dates by their instant (their stored forms need not
        // order as text as their types do); anything else is refused.
        let numbers = number(&x).is_some() && items.iter().all(|t| number(t).is_some());
        let instant = |v: &Json| match v {
            Json::Str(s) => super::super::datetime::parse_timestamp(s).ok(),
            _ => None,
        };
        let instants = !numbers && instant(&x).is_some() && items.iter().all(|t| instant(t).is_some());
        if !numbers && !instants {
            return Err(err(
                SqlState::FEATURE_NOT_SUPPORTED,
                "width_bucket() of an array other than numbers, timestamps or dates is not supported by litewire",
            ));
        }
        let below = |t: &Json| {
            if numbers {
                by_number(&x, t).is_lt()
            } else {
                instant(&x) < instant(t)
            }
        };
        let (mut left, mut right) = (0, items.len());
        while left < right {
            let mid = (left + right) / 2;
            if below(&items[mid]) {
                right = mid;
            } else {
                left = mid + 1;
            }
        }
        Ok(Some(left as i64))
    })?;
    conn.create_scalar_function("pg_array_contains", 2, f, |ctx| {
        Ok(match (array_arg(ctx, 0)?, array_arg(ctx, 1)?) {
            (Some(a), Some(b)) => Some(contains(&a, &b)),
            _ => None,
        })
    })?;
    conn.create_scalar_function("pg_array_overlap", 2, f, |ctx| {
        Ok(match (array_arg(ctx, 0)?, array_arg(ctx, 1)?) {
            (Some(a), Some(b)) => Some(overlaps(&a, &b)),
            _ => None,
        })
    })?;
    // `pg_contains(container, contained, type, type)`: a column's `@>` (`<@` swapped):
    // an array's containment when either side is an array, else jsonb's.
    conn.create_scalar_function("pg_contains", 4, f, |ctx| {
        let types = (
            super::operators::resolved_type(ctx, 2)?,
            super::operators::resolved_type(ctx, 3)?,
        );
        let array = |t: &Option<String>| {
            t.as_deref()
                .filter(|t| t.ends_with("[]"))
                .map(str::to_string)
        };
        let Some(of) = array(&types.0).or_else(|| array(&types.1)) else {
            return super::super::jsonb::contains(ctx);
        };
        let side = |i: usize, t: &Option<String>| -> Res<Option<Json>> {
            match (ctx.get_raw(i), t) {
                (ValueRef::Null, _) => Ok(None),
                // A parameter bound as the column's array type is held as JSON already.
                (ValueRef::Text(s), None) if array::is_json(&String::from_utf8_lossy(s)) => {
                    Ok(array::parse(&String::from_utf8_lossy(s)))
                }
                // A literal: the other side's array type reads it.
                (ValueRef::Text(s), None) => {
                    let elem = match super::super::types::from_decltype(&of).render {
                        super::super::types::Render::Array(elem, _) => elem,
                        _ => oid::TEXT,
                    };
                    let text = String::from_utf8_lossy(s);
                    let json = array::text_to_json(&text, elem).map_err(super::raise)?;
                    Ok(array::parse(&json))
                }
                _ => array_arg(ctx, i),
            }
        };
        Ok(match (side(0, &types.0)?, side(1, &types.1)?) {
            (Some(a), Some(b)) => Some(contains(&a, &b)),
            _ => None,
        })
    })?;
    // `pg_array_key(a)`: array_key, for comparisons of array columns (engine/compare.rs).
    conn.create_scalar_function("pg_array_key", 1, f, |ctx| {
        Ok(bounded_arg(ctx, 0)?.map(|a| array_key(&a)))
    })?;
    super::array_nesting::register(conn, f)?;
    conn.create_scalar_function("pg_array_cmp", 2, f, |ctx| {
        Ok(match (bounded_arg(ctx, 0)?, bounded_arg(ctx, 1)?) {
            (Some(a), Some(b)) => Some(match compare_bounded(&a, &b) {
                Ordering::Less => -1,
                Ordering::Equal => 0,
                Ordering::Greater => 1,
            }),
            _ => None,
        })
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Json {
        array::parse(s).unwrap()
    }

    fn show(v: &Json) -> String {
        let mut s = String::new();
        write_json(v, &mut s);
        s
    }

    fn b(s: &str) -> Bounded {
        array::read(s).unwrap()
    }

    fn joined(x: &str, y: &str) -> String {
        cat(b(x), b(y)).unwrap().stored()
    }

    #[test]
    fn concatenation_follows_dimensions() {
        assert_eq!(joined("[1,2]", "[3,4]"), "[1,2,3,4]");
        assert_eq!(joined("[1,2]", "[[3,4],[5,6]]"), "[[1,2],[3,4],[5,6]]");
        assert_eq!(joined("[[3,4],[5,6]]", "[1,2]"), "[[3,4],[5,6],[1,2]]");
        assert_eq!(joined("[]", "[1]"), "[1]");
        assert!(cat(b("[[1,2]]"), b("[[3]]")).is_err());
        // The first array's lower bound stays; inner bounds must match.
        assert_eq!(joined("[0:1]=[1,2]", "[3,4]"), "[0:3]=[1,2,3,4]");
        assert_eq!(joined("[3,4]", "[0:1]=[1,2]"), "[3,4,1,2]");
        assert!(cat(b("[1:1][0:1]=[[1,2]]"), b("[[3,4]]")).is_err());
    }

    #[test]
    fn keys_order_lower_bounds_last() {
        assert!(array_key(&b("[0:1]=[1,2]")) < array_key(&b("[1,2]")));
        assert!(array_key(&b("[-1:0]=[1,2]")) < array_key(&b("[0:1]=[1,2]")));
        assert!(array_key(&b("[2:3]=[1,2]")) < array_key(&b("[1,3]")));
        assert_eq!(
            compare_bounded(&b("[0:1]=[1,2]"), &b("[1,2]")),
            Ordering::Less
        );
    }

    #[test]
    fn elements_compare_by_value() {
        // An untyped literal's text elements against an int[]'s numbers.
        assert!(contains(&a("[39,35,32]"), &a("{32}")));
        assert!(!contains(&a("[1,null]"), &a("[null]")));
        assert!(contains(&a("[1]"), &a("{}")));
        assert!(overlaps(&a("[1]"), &a("[null,1]")));
        assert!(!overlaps(&a("[1]"), &a("{}")));
        assert_eq!(
            compare_items(items(&a("[1,2,10]")), items(&a("{1,2,3}"))),
            Ordering::Greater
        );
        assert_eq!(
            compare_items(items(&a("[1,2]")), items(&a("[1,2,0]"))),
            Ordering::Less
        );
    }

    #[test]
    fn regexp_split_skips_empty_matches_at_piece_starts() {
        let re = regex("", Default::default()).unwrap();
        assert_eq!(
            show(&Json::Array(regexp_split("abc", &re))),
            r#"["a","b","c"]"#
        );
        let re = regex(r"\s+", Default::default()).unwrap();
        assert_eq!(
            show(&Json::Array(regexp_split("hello world", &re))),
            r#"["hello","world"]"#
        );
    }
}
