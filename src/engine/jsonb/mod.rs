//! json and jsonb functions with PostgreSQL's meaning and output, registered on every
//! connection: the casts' checks (`pg_json`, `pg_jsonb`), the operators the translator
//! rewrites to calls (`pg_jsonb_get(j, k)` for `j -> k`...; sql/translate/json.rs) and
//! PostgreSQL's functions under their own names (`jsonb_build_object`, `json_agg`...);
//! the rarer ones ([`register_rare`]: builders.rs, record.rs, path/) with the catalog,
//! when a statement first needs one.
//!
//! Values are text. A `pg_json*` name works on json (its text as written: results are
//! slices of the input), a `pg_jsonb*` name on jsonb (parsed, printed normalised; see
//! value.rs). JSON results carry SQLite's JSON subtype, so that a builder embeds them as
//! JSON rather than as strings (`json_build_object('a', '{}'::jsonb)`).

mod builders;
pub mod path;
pub mod record;
pub(crate) mod value;

use rusqlite::functions::{Aggregate, Context, FunctionFlags, SubType};
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::error::raise;
use crate::protocol::{PgError, SqlState};
use value::{Json, SetMode};

/// SQLite's subtype for JSON text (`J`), which its own JSON functions also read.
pub(super) const JSON_SUBTYPE: u32 = 74;

pub(crate) type Out = rusqlite::Result<(Option<String>, SubType)>;

fn json_out(s: String) -> Out {
    Ok((Some(s), Some(JSON_SUBTYPE)))
}

fn text_out(s: Option<String>) -> Out {
    Ok((s, None))
}

fn null_out() -> Out {
    Ok((None, None))
}

/// Which type a function reads: json keeps its text, jsonb is normalised.
#[derive(Clone, Copy, PartialEq)]
enum Flavour {
    Json,
    Jsonb,
}

/// jsonb input: `s` checked and printed as jsonb prints it.
pub fn normalise(s: &str) -> Result<String, PgError> {
    value::parse(s).map(|v| value::print(&v))
}

/// Registers the functions.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let pure = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS;
    // Results with the JSON subtype; arguments whose subtype is read.
    let out = pure | FunctionFlags::SQLITE_RESULT_SUBTYPE;
    let reads = out | FunctionFlags::SQLITE_SUBTYPE;
    use Flavour::{Json as J, Jsonb as B};

    conn.create_scalar_function("pg_json", 1, out, |ctx| match json_text(ctx, 0)? {
        Some(s) => json_out(s),
        None => null_out(),
    })?;
    conn.create_scalar_function("pg_jsonb", 1, out, |ctx| match jsonb_arg(ctx, 0)? {
        Some(v) => json_out(value::print(&v)),
        None => null_out(),
    })?;
    // A boolean (stored 1/0) as JSON's true/false, for the builders (translate/operators.rs).
    conn.create_scalar_function("pg_json_bool", 1, out, |ctx| match ctx.get_raw(0) {
        rusqlite::types::ValueRef::Null => null_out(),
        rusqlite::types::ValueRef::Integer(i) => json_out((i != 0).to_string()),
        rusqlite::types::ValueRef::Real(f) => json_out((f != 0.0).to_string()),
        v => {
            let t = String::from_utf8_lossy(v.as_bytes().unwrap_or_default()).to_string();
            let truthy = matches!(t.to_ascii_lowercase().as_str(), "t" | "true" | "1");
            json_out(truthy.to_string())
        }
    })?;
    // A numeric (kept as its decimal text) into a json builder: a JSON number, as
    // PostgreSQL writes it (NaN and infinities as strings).
    conn.create_scalar_function("pg_numeric_json", 1, out, |ctx| match ctx.get_raw(0) {
        rusqlite::types::ValueRef::Null => null_out(),
        rusqlite::types::ValueRef::Integer(i) => json_out(i.to_string()),
        v => {
            let t = match v {
                rusqlite::types::ValueRef::Real(f) => {
                    let mut b = bytes::BytesMut::new();
                    crate::engine::types::write_float8(f, &mut b);
                    String::from_utf8_lossy(&b).into_owned()
                }
                v => String::from_utf8_lossy(v.as_bytes().unwrap_or_default()).into_owned(),
            };
            let finite = t
                .trim_start_matches('-')
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.')
                && t.bytes().any(|b| b.is_ascii_digit());
            if finite {
                json_out(t)
            } else {
                let mut quoted = String::new();
                value::quote(&t, &mut quoted);
                json_out(quoted)
            }
        }
    })?;
    for (f, name) in [(J, "pg_json"), (B, "pg_jsonb")] {
        conn.create_scalar_function(format!("{name}_get").as_str(), 2, out, move |ctx| {
            get(ctx, f, false, false)
        })?;
        conn.create_scalar_function(format!("{name}_get_text").as_str(), 2, out, move |ctx| {
            get(ctx, f, true, false)
        })?;
        conn.create_scalar_function(format!("{name}_path").as_str(), 2, out, move |ctx| {
            get(ctx, f, false, true)
        })?;
        conn.create_scalar_function(format!("{name}_path_text").as_str(), 2, out, move |ctx| {
            get(ctx, f, true, true)
        })?;
        let prefix = if f == J { "json" } else { "jsonb" };
        conn.create_scalar_function(
            format!("{prefix}_extract_path").as_str(),
            -1,
            out,
            move |ctx| extract_path(ctx, f, false),
        )?;
        conn.create_scalar_function(
            format!("{prefix}_extract_path_text").as_str(),
            -1,
            out,
            move |ctx| extract_path(ctx, f, true),
        )?;
        conn.create_scalar_function(
            format!("{prefix}_build_object").as_str(),
            -1,
            reads,
            move |ctx| build_object(ctx, f),
        )?;
        conn.create_scalar_function(
            format!("{prefix}_build_array").as_str(),
            -1,
            reads,
            move |ctx| build_array(ctx, f),
        )?;
        conn.create_scalar_function(
            format!("to_{prefix}").as_str(),
            1,
            reads,
            move |ctx| match ctx.get_raw(0) {
                ValueRef::Null => null_out(),
                _ if f == J => json_out(embed_text(ctx, 0)?),
                _ => json_out(value::print(&embed(ctx, 0)?)),
            },
        )?;
        conn.create_scalar_function(format!("{prefix}_typeof").as_str(), 1, pure, move |ctx| {
            Ok(jsonb_arg(ctx, 0)?.map(|v| value::type_name(&v)))
        })?;
        conn.create_scalar_function(
            format!("{prefix}_array_length").as_str(),
            1,
            pure,
            move |ctx| array_length(ctx),
        )?;
        conn.create_scalar_function(
            format!("{prefix}_strip_nulls").as_str(),
            1,
            out,
            move |ctx| strip_nulls(ctx, f),
        )?;
        conn.create_scalar_function(format!("pg_{prefix}_each").as_str(), 2, pure, move |ctx| {
            each(ctx, f)
        })?;
        conn.create_aggregate_function(format!("{prefix}_agg").as_str(), 1, reads, Agg(f))?;
        conn.create_aggregate_function(
            format!("{prefix}_object_agg").as_str(),
            2,
            reads,
            ObjectAgg(f),
        )?;
    }
    conn.create_scalar_function("pg_jsonb_contains", 2, pure, |ctx| contains(ctx))?;
    // `a < b` and the other comparisons of jsonb: -1, 0 or 1 in jsonb's order.
    conn.create_scalar_function("pg_jsonb_cmp", 2, pure, |ctx| {
        let (Some(a), Some(b)) = (jsonb_arg(ctx, 0)?, jsonb_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(value::compare(&a, &b) as i64))
    })?;
    // What a jsonb column compares and sorts by (engine/compare.rs).
    conn.create_scalar_function("pg_jsonb_key", 1, pure, |ctx| {
        let Some(v) = jsonb_arg(ctx, 0)? else {
            return Ok(None);
        };
        let mut key = Vec::new();
        value::sort_key(&v, &mut key);
        Ok(Some(key))
    })?;
    conn.create_scalar_function("pg_jsonb_exists", 2, pure, |ctx| {
        let (Some(j), Some(k)) = (jsonb_arg(ctx, 0)?, ctx.get::<Option<String>>(1)?) else {
            return Ok(None);
        };
        Ok(Some(value::exists(&j, &k)))
    })?;
    for (name, all) in [
        ("pg_jsonb_exists_any", false),
        ("pg_jsonb_exists_all", true),
    ] {
        conn.create_scalar_function(name, 2, pure, move |ctx| {
            let (Some(j), Some(keys)) = (jsonb_arg(ctx, 0)?, text_array(ctx, 1)?) else {
                return Ok(None);
            };
            let mut keys = keys.into_iter().flatten();
            Ok(Some(if all {
                keys.all(|k| value::exists(&j, &k))
            } else {
                keys.any(|k| value::exists(&j, &k))
            }))
        })?;
    }
    conn.create_scalar_function("pg_jsonb_concat", 2, out, |ctx| {
        match (jsonb_arg(ctx, 0)?, jsonb_arg(ctx, 1)?) {
            (Some(a), Some(b)) => json_out(value::print(&value::concat(a, b))),
            _ => null_out(),
        }
    })?;
    conn.create_scalar_function("pg_jsonb_delete", 2, out, |ctx| minus(ctx, 0, 1, false))?;
    conn.create_scalar_function("pg_jsonb_delete_keys", 2, out, |ctx| minus(ctx, 0, 1, true))?;
    conn.create_scalar_function("pg_jsonb_delete_path", 2, out, |ctx| {
        // An empty array or object is returned as it is, whatever the path.
        if let Some(j @ (Json::Array(_) | Json::Object(_))) = jsonb_arg(ctx, 0)? {
            if matches!(&j, Json::Array(a) if a.is_empty())
                || matches!(&j, Json::Object(o) if o.is_empty())
            {
                return json_out(value::print(&j));
            }
        }
        modify(ctx, None, SetMode::Delete)
    })?;
    for args in [3, 4] {
        conn.create_scalar_function("jsonb_set", args, reads, move |ctx| {
            let create = args < 4 || ctx.get::<Option<bool>>(3)?.unwrap_or(true);
            let new = jsonb_arg(ctx, 2)?;
            if new.is_none() {
                // PostgreSQL 15's jsonb_set is strict.
                return null_out();
            }
            modify(ctx, new, SetMode::Set { create })
        })?;
        conn.create_scalar_function("jsonb_insert", args, reads, move |ctx| {
            let after = args == 4 && ctx.get::<Option<bool>>(3)?.unwrap_or(false);
            let new = jsonb_arg(ctx, 2)?;
            if new.is_none() {
                return null_out();
            }
            modify(ctx, new, SetMode::Insert { after })
        })?;
    }
    conn.create_scalar_function("jsonb_pretty", 1, pure, |ctx| {
        Ok(jsonb_arg(ctx, 0)?.map(|v| value::pretty(&v)))
    })?;
    Ok(())
}

/// The functions fewer statements call (the record functions, jsonpath, json_object,
/// array_to_json, jsonb casts...), registered with the catalog on a connection's first
/// statement that needs one (engine/functions.rs): each costs every connection memory.
pub fn register_rare(conn: &Connection) -> rusqlite::Result<()> {
    let pure = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS;
    let out = pure | FunctionFlags::SQLITE_RESULT_SUBTYPE;
    let reads = out | FunctionFlags::SQLITE_SUBTYPE;
    use Flavour::{Json as J, Jsonb as B};
    for (f, name) in [(J, "pg_json_records"), (B, "pg_jsonb_records")] {
        conn.create_scalar_function(name, 2, pure, move |ctx| record::records(ctx, f))?;
    }
    conn.create_scalar_function("pg_record_field", 3, pure, |ctx| record::record_field(ctx))?;
    for (f, name) in [(J, "pg_json_populate"), (B, "pg_jsonb_populate")] {
        conn.create_scalar_function(name, 6, pure, move |ctx| record::populate(ctx, f))?;
    }
    for (f, name) in [(J, "pg_json_object"), (B, "pg_jsonb_object")] {
        for args in [1, 2] {
            conn.create_scalar_function(name, args, out, move |ctx| builders::object(ctx, f))?;
        }
    }
    for args in [1, 2] {
        conn.create_scalar_function("pg_array_to_json", args, reads, |ctx| {
            builders::array_to_json(ctx)
        })?;
    }
    conn.create_scalar_function("pg_bool_array_json", 1, out, |ctx| {
        builders::bool_array_json(ctx)
    })?;
    conn.create_scalar_function("pg_record_text", -1, pure, |ctx| builders::record_text(ctx))?;
    // `j[1:2]` of a column the statement does not know to be jsonb: refused once it is
    // (translate/json.rs; the branch is picked when the statement is prepared).
    conn.create_scalar_function(
        "pg_jsonb_slice",
        -1,
        out,
        |_| -> rusqlite::Result<Option<String>> {
            Err(raise(PgError::new(
                SqlState::DATATYPE_MISMATCH,
                "jsonb subscript does not support slices",
            )))
        },
    )?;
    conn.create_scalar_function("pg_jsonb_subscript", 2, out, |ctx| {
        let Some(j) = jsonb_arg(ctx, 0)? else {
            return null_out();
        };
        let key = match ctx.get_raw(1) {
            ValueRef::Null => return null_out(),
            ValueRef::Integer(i) => i.to_string(),
            _ => ctx.get::<String>(1)?,
        };
        let found = match &j {
            Json::Object(_) => value::step(&j, &key),
            Json::Array(items) => key
                .trim()
                .parse::<i64>()
                .ok()
                .and_then(|i| value::index(items.len(), i))
                .map(|i| &items[i]),
            _ => None,
        };
        jsonb_result(found, false)
    })?;
    conn.create_scalar_function("pg_jsonb_cast", 2, pure, |ctx| builders::cast(ctx))?;
    conn.create_scalar_function("pg_row_to_json", -1, reads, |ctx| {
        builders::row_to_json(ctx)
    })?;
    conn.create_scalar_function("pg_jsonb_set_lax", 5, reads, |ctx| builders::set_lax(ctx))?;
    for (name, want) in [
        ("pg_jsonb_path_exists", path::Want::Exists),
        ("pg_jsonb_path_match", path::Want::Match),
    ] {
        conn.create_scalar_function(name, 4, pure, move |ctx| path::truth(ctx, want))?;
    }
    for (name, want) in [
        ("pg_jsonb_path_rows", path::Want::Rows),
        ("pg_jsonb_path_query_array", path::Want::Array),
        ("pg_jsonb_path_query_first", path::Want::First),
    ] {
        conn.create_scalar_function(name, 4, out, move |ctx| path::call(ctx, want))?;
    }
    conn.create_scalar_function("pg_record_value", 5, pure, |ctx| record::record_value(ctx))?;
    Ok(())
}

fn text_of<'a>(
    ctx: &'a Context<'_>,
    i: usize,
) -> rusqlite::Result<Option<std::borrow::Cow<'a, str>>> {
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t)),
        ValueRef::Integer(n) => Some(n.to_string().into()),
        ValueRef::Real(f) => Some(float_text(f).into()),
        ValueRef::Blob(_) => {
            return Err(raise(PgError::new(
                SqlState::DATATYPE_MISMATCH,
                "a bytea value is not json",
            )))
        }
    })
}

/// Argument `i` as json text, checked.
fn json_text(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<String>> {
    let Some(s) = text_of(ctx, i)? else {
        return Ok(None);
    };
    super::json::check(&s).map_err(|d| raise(super::input::json_error(&d)))?;
    Ok(Some(s.into_owned()))
}

/// Argument `i` as jsonb.
/// `j - x` with arguments `j` and `x` of `ctx`: x a text array of keys (`keys`), a key,
/// or an index. Also called by `pg_op` for a jsonb column, whose type is known only when
/// the statement runs (engine/pgfuncs/operators.rs).
pub(crate) fn minus(ctx: &Context<'_>, j: usize, x: usize, keys: bool) -> Out {
    let Some(json) = jsonb_arg(ctx, j)? else {
        return null_out();
    };
    let deleted = if keys {
        let Some(keys) = text_array(ctx, x)? else {
            return null_out();
        };
        let keys: Vec<String> = keys.into_iter().flatten().collect();
        value::delete_key(json, &keys)
    } else {
        match ctx.get_raw(x) {
            ValueRef::Null => return null_out(),
            ValueRef::Integer(i) => value::delete_index(json, i),
            _ => value::delete_key(json, &[ctx.get::<String>(x)?]),
        }
    };
    json_out(value::print(&deleted.map_err(raise)?))
}

fn jsonb_arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<Json>> {
    match text_of(ctx, i)? {
        Some(s) => value::parse(&s).map(Some).map_err(raise),
        None => Ok(None),
    }
}

/// `a @> b`. The operator also compares arrays (`int4[] @> '{1}'`), whose stored text
/// may be an array literal rather than JSON: then every element of b must be in a.
pub(crate) fn contains(ctx: &Context<'_>) -> rusqlite::Result<Option<bool>> {
    let (Some(a), Some(b)) = (text_of(ctx, 0)?, text_of(ctx, 1)?) else {
        return Ok(None);
    };
    match (value::parse(&a), value::parse(&b)) {
        (Ok(a), Ok(b)) => Ok(Some(value::contains(&a, &b, true))),
        (Err(e), _) | (_, Err(e)) => match (array_elements(&a), array_elements(&b)) {
            (Some(x), Some(y)) => Ok(Some(y.iter().all(|e| e.is_some() && x.contains(e)))),
            _ => Err(raise(e)),
        },
    }
}

/// An array literal's elements as text (None for NULL); None when `s` is not one.
fn array_elements(s: &str) -> Option<Vec<Option<String>>> {
    match super::array::value_of(s, super::types::oid::TEXT).ok()? {
        Json::Array(ref items) => Some(
            items
                .iter()
                .map(|e| match e {
                    Json::Null => None,
                    Json::Str(s) | Json::Num(s) => Some(s.clone()),
                    other => Some(value::print(other)),
                })
                .collect(),
        ),
        _ => None,
    }
}

/// Argument `i`, a text[] (a PostgreSQL array literal or a JSON array), as its elements.
fn text_array(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<Vec<Option<String>>>> {
    let Some(s) = text_of(ctx, i)? else {
        return Ok(None);
    };
    let parsed = super::array::value_of(&s, super::types::oid::TEXT).map_err(raise)?;
    let Json::Array(items) = &parsed else {
        return Err(raise(PgError::new(
            SqlState::INVALID_TEXT_REPRESENTATION,
            format!("malformed array literal: \"{s}\""),
        )));
    };
    Ok(Some(
        items
            .iter()
            .map(|e| match e {
                Json::Null => None,
                Json::Str(s) => Some(s.clone()),
                other => Some(value::print(other)),
            })
            .collect(),
    ))
}

/// A float as PostgreSQL prints a float8 (shortest form; exponent from 1e15 or below 1e-4).
fn float_text(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let a = f.abs();
    if a != 0.0 && !(1e-4..1e15).contains(&a) {
        let s = format!("{f:e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let e: i32 = e.parse().unwrap_or(0);
        return format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    }
    format!("{f}")
}

/// `j -> k`, `j ->> k`, `j #> path`, `j #>> path`.
fn get(ctx: &Context<'_>, f: Flavour, as_text: bool, path: bool) -> Out {
    let keys: Vec<Option<String>> = if path {
        match text_array(ctx, 1)? {
            Some(k) => k,
            None => return null_out(),
        }
    } else {
        match ctx.get_raw(1) {
            ValueRef::Null => return null_out(),
            // An integer key indexes arrays only; a text key names object members only.
            ValueRef::Integer(i) => return get_one(ctx, f, as_text, Key::Index(i)),
            _ => return get_one(ctx, f, as_text, Key::Field(ctx.get::<String>(1)?)),
        }
    };
    if keys.iter().any(Option::is_none) {
        return null_out();
    }
    let keys: Vec<String> = keys.into_iter().flatten().collect();
    walk(ctx, f, as_text, &keys)
}

enum Key {
    Field(String),
    Index(i64),
}

fn get_one(ctx: &Context<'_>, f: Flavour, as_text: bool, key: Key) -> Out {
    match f {
        Flavour::Jsonb => {
            let Some(j) = jsonb_arg(ctx, 0)? else {
                return null_out();
            };
            let found = match (&j, key) {
                (Json::Object(_), Key::Field(k)) => value::step(&j, &k),
                (Json::Array(items), Key::Index(i)) => {
                    value::index(items.len(), i).map(|i| &items[i])
                }
                _ => None,
            };
            jsonb_result(found, as_text)
        }
        Flavour::Json => {
            let Some(s) = json_text(ctx, 0)? else {
                return null_out();
            };
            let children = value::children(&s).map_err(raise)?;
            let object = s.trim_start().starts_with('{');
            let found = match key {
                Key::Field(k) if object => children
                    .into_iter()
                    .rev()
                    .find(|(name, _)| name.as_deref() == Some(k.as_str())),
                Key::Index(i) if !object => {
                    let n = children.len();
                    value::index(n, i).and_then(|i| children.into_iter().nth(i))
                }
                _ => None,
            };
            json_result(&s, found.map(|(_, r)| r), as_text)
        }
    }
}

/// Follows a path of keys (array elements by their number).
fn walk(ctx: &Context<'_>, f: Flavour, as_text: bool, keys: &[String]) -> Out {
    match f {
        Flavour::Jsonb => {
            let Some(j) = jsonb_arg(ctx, 0)? else {
                return null_out();
            };
            let mut at = Some(&j);
            for k in keys {
                at = at.and_then(|v| value::step(v, k));
            }
            jsonb_result(at, as_text)
        }
        Flavour::Json => {
            let Some(s) = json_text(ctx, 0)? else {
                return null_out();
            };
            let mut range = 0..s.len();
            for k in keys {
                let sub = &s[range.clone()];
                let object = sub.trim_start().starts_with('{');
                let children = value::children(sub).map_err(raise)?;
                let found = if object {
                    children
                        .into_iter()
                        .rev()
                        .find(|(name, _)| name.as_deref() == Some(k.as_str()))
                } else {
                    let n = children.len();
                    k.trim()
                        .parse::<i64>()
                        .ok()
                        .and_then(|i| value::index(n, i))
                        .and_then(|i| children.into_iter().nth(i))
                };
                match found {
                    Some((_, r)) => range = range.start + r.start..range.start + r.end,
                    None => return null_out(),
                }
            }
            json_result(&s, Some(range), as_text)
        }
    }
}

fn jsonb_result(found: Option<&Json>, as_text: bool) -> Out {
    match found {
        None => null_out(),
        Some(Json::Null) if as_text => null_out(),
        Some(Json::Str(s)) if as_text => text_out(Some(s.clone())),
        Some(v) if as_text => text_out(Some(value::print(v))),
        Some(v) => json_out(value::print(v)),
    }
}

fn json_result(s: &str, found: Option<std::ops::Range<usize>>, as_text: bool) -> Out {
    let Some(r) = found else {
        return null_out();
    };
    let part = s[r].trim();
    if !as_text {
        return json_out(part.to_string());
    }
    match part.as_bytes().first() {
        Some(b'"') => text_out(Some(
            value::unescape(&part[1..part.len() - 1]).map_err(raise)?,
        )),
        _ if part == "null" => null_out(),
        _ => text_out(Some(part.to_string())),
    }
}

/// `json_extract_path(j, VARIADIC keys)`.
fn extract_path(ctx: &Context<'_>, f: Flavour, as_text: bool) -> Out {
    let mut keys = Vec::with_capacity(ctx.len().saturating_sub(1));
    for i in 1..ctx.len() {
        match ctx.get::<Option<String>>(i)? {
            Some(k) => keys.push(k),
            None => return null_out(),
        }
    }
    walk(ctx, f, as_text, &keys)
}

/// Argument `i` as a JSON value: JSON text (subtype) parsed, other values converted
/// (`to_jsonb`).
fn embed(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Json> {
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => Json::Null,
        ValueRef::Integer(n) => Json::Num(n.to_string()),
        ValueRef::Real(f) if f.is_finite() => Json::Num(float_text(f)),
        ValueRef::Real(f) => Json::Str(float_text(f)),
        ValueRef::Text(t) if ctx.get_subtype(i) == JSON_SUBTYPE => {
            value::parse(&String::from_utf8_lossy(t)).map_err(raise)?
        }
        ValueRef::Text(t) => Json::Str(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(_) => Json::Str(text_of(ctx, i)?.unwrap_or_default().into_owned()),
    })
}

/// Argument `i` as json text: JSON text (subtype) as written, other values converted.
fn embed_text(ctx: &Context<'_>, i: usize) -> rusqlite::Result<String> {
    Ok(match ctx.get_raw(i) {
        ValueRef::Text(t) if ctx.get_subtype(i) == JSON_SUBTYPE => {
            String::from_utf8_lossy(t).into_owned()
        }
        _ => value::print(&embed(ctx, i)?),
    })
}

fn key_arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<String> {
    match text_of(ctx, i)? {
        Some(k) => Ok(k.into_owned()),
        None => Err(raise(PgError::new(
            SqlState::NULL_VALUE_NOT_ALLOWED,
            "null value not allowed for object key",
        ))),
    }
}

fn build_object(ctx: &Context<'_>, f: Flavour) -> Out {
    if !ctx.len().is_multiple_of(2) {
        let mut e = PgError::new(
            SqlState::INVALID_PARAMETER_VALUE,
            "argument list must have even number of elements",
        );
        e.hint = Some(format!(
            "The arguments of {}_build_object() must consist of alternating keys and values.",
            if f == Flavour::Json { "json" } else { "jsonb" }
        ));
        return Err(raise(e));
    }
    if f == Flavour::Jsonb {
        let mut members = Vec::with_capacity(ctx.len() / 2);
        for i in (0..ctx.len()).step_by(2) {
            members.push((key_arg(ctx, i)?, embed(ctx, i + 1)?));
        }
        // Sorted and deduplicated as jsonb input is.
        let mut text = String::from("{");
        for (i, (k, v)) in members.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            value::quote(k, &mut text);
            text.push(':');
            text.push_str(&value::print(v));
        }
        text.push('}');
        return json_out(value::print(&value::parse(&text).map_err(raise)?));
    }
    let mut out = String::from("{");
    for i in (0..ctx.len()).step_by(2) {
        if i > 0 {
            out.push_str(", ");
        }
        value::quote(&key_arg(ctx, i)?, &mut out);
        out.push_str(" : ");
        out.push_str(&embed_text(ctx, i + 1)?);
    }
    out.push('}');
    json_out(out)
}

fn build_array(ctx: &Context<'_>, f: Flavour) -> Out {
    let mut out = String::from("[");
    for i in 0..ctx.len() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&match f {
            Flavour::Json => embed_text(ctx, i)?,
            Flavour::Jsonb => value::print(&embed(ctx, i)?),
        });
    }
    out.push(']');
    json_out(out)
}

fn array_length(ctx: &Context<'_>) -> rusqlite::Result<Option<i64>> {
    let Some(j) = jsonb_arg(ctx, 0)? else {
        return Ok(None);
    };
    match &j {
        Json::Array(items) => Ok(Some(items.len() as i64)),
        other => {
            let what = match other {
                Json::Object(_) => "a non-array",
                _ => "a scalar",
            };
            Err(raise(PgError::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!("cannot get array length of {what}"),
            )))
        }
    }
}

fn strip_nulls(ctx: &Context<'_>, f: Flavour) -> Out {
    match f {
        Flavour::Jsonb => {
            let Some(mut j) = jsonb_arg(ctx, 0)? else {
                return null_out();
            };
            value::strip_nulls(&mut j);
            json_out(value::print(&j))
        }
        Flavour::Json => {
            let Some(s) = json_text(ctx, 0)? else {
                return null_out();
            };
            json_out(strip_json_nulls(&s).map_err(raise)?)
        }
    }
}

/// json_strip_nulls: the text without null members, compacted as PostgreSQL does
/// (`{"b":1}`).
fn strip_json_nulls(s: &str) -> Result<String, PgError> {
    let trimmed = s.trim();
    let object = trimmed.starts_with('{');
    if !object && !trimmed.starts_with('[') {
        return Ok(trimmed.to_string());
    }
    let mut out = String::from(if object { "{" } else { "[" });
    let mut first = true;
    for (key, r) in value::children(s)? {
        let part = s[r].trim();
        if object && part == "null" {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        if let Some(k) = key {
            value::quote(&k, &mut out);
            out.push(':');
        }
        out.push_str(&strip_json_nulls(part)?);
    }
    out.push(if object { '}' } else { ']' });
    Ok(out)
}

/// `jsonb_set`, `jsonb_insert`, `#-`: argument 0 changed at the path in argument 1.
fn modify(ctx: &Context<'_>, new: Option<Json>, mode: SetMode) -> Out {
    let (Some(mut j), Some(path)) = (jsonb_arg(ctx, 0)?, text_array(ctx, 1)?) else {
        return null_out();
    };
    if let Some(at) = path.iter().position(Option::is_none) {
        return Err(raise(PgError::new(
            SqlState::NULL_VALUE_NOT_ALLOWED,
            format!("path element at position {} is null", at + 1),
        )));
    }
    let path: Vec<String> = path.into_iter().flatten().collect();
    value::set_path(&mut j, &path, new, mode).map_err(raise)?;
    json_out(value::print(&j))
}

/// The rows of `json_each`, `json_each_text`, `json_array_elements(_text)` and
/// `json_object_keys` (argument 1, PostgreSQL's name) as one JSON array for SQLite's
/// json_each to read: `[key, value]` pairs, values, or keys; values as json text, or as
/// text for the `_text` forms.
fn each(ctx: &Context<'_>, f: Flavour) -> rusqlite::Result<Option<String>> {
    let function: String = ctx.get(1)?;
    let Some(s) = json_text(ctx, 0)? else {
        return Ok(None);
    };
    let trimmed = s.trim_start();
    let (object, array) = (trimmed.starts_with('{'), trimmed.starts_with('['));
    // Each member or element as (key, json text).
    let items: Vec<(Option<String>, String)> = match f {
        Flavour::Json => value::children(&s)
            .map_err(raise)?
            .into_iter()
            .map(|(k, r)| (k, s[r].trim().to_string()))
            .collect(),
        Flavour::Jsonb => match value::parse(&s).map_err(raise)? {
            Json::Object(ref members) => members
                .iter()
                .map(|(k, v)| (Some(k.clone()), value::print(v)))
                .collect(),
            Json::Array(ref items) => items.iter().map(|v| (None, value::print(v))).collect(),
            _ => vec![],
        },
    };
    let kind = if array { "an array" } else { "a scalar" };
    let wrong = if function.ends_with("object_keys") {
        (!object).then(|| format!("cannot call {function} on {kind}"))
    } else if function.contains("_each") {
        (!object).then(|| match f {
            Flavour::Json if array => "cannot deconstruct an array as an object".to_string(),
            Flavour::Json => "cannot deconstruct a scalar".to_string(),
            Flavour::Jsonb => format!("cannot call {function} on a non-object"),
        })
    } else {
        (!array).then(|| match (f, object) {
            (Flavour::Json, true) => format!("cannot call {function} on a non-array"),
            (Flavour::Json, false) => format!("cannot call {function} on a scalar"),
            (Flavour::Jsonb, true) => "cannot extract elements from an object".to_string(),
            (Flavour::Jsonb, false) => "cannot extract elements from a scalar".to_string(),
        })
    };
    if let Some(msg) = wrong {
        return Err(raise(PgError::new(SqlState::INVALID_PARAMETER_VALUE, msg)));
    }
    let as_text = function.ends_with("_text");
    let mut out = String::from("[");
    for (i, (k, v)) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let value = |out: &mut String| -> rusqlite::Result<()> {
            match v.as_bytes().first() {
                Some(b'"') if as_text => {
                    value::quote(&value::unescape(&v[1..v.len() - 1]).map_err(raise)?, out)
                }
                _ if as_text && v == "null" => out.push_str("null"),
                _ => value::quote(v, out),
            }
            Ok(())
        };
        if function.ends_with("object_keys") {
            value::quote(k.as_deref().unwrap_or_default(), &mut out);
        } else if function.contains("_each") {
            out.push('[');
            value::quote(k.as_deref().unwrap_or_default(), &mut out);
            out.push(',');
            value(&mut out)?;
            out.push(']');
        } else {
            value(&mut out)?;
        }
    }
    out.push(']');
    Ok(Some(out))
}

/// `json_agg` / `jsonb_agg`.
struct Agg(Flavour);

impl Aggregate<Vec<String>, Option<String>> for Agg {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Vec<String>> {
        Ok(Vec::new())
    }
    fn step(&self, ctx: &mut Context<'_>, acc: &mut Vec<String>) -> rusqlite::Result<()> {
        acc.push(match self.0 {
            Flavour::Json => embed_text(ctx, 0)?,
            Flavour::Jsonb => value::print(&embed(ctx, 0)?),
        });
        Ok(())
    }
    fn finalize(
        &self,
        _: &mut Context<'_>,
        acc: Option<Vec<String>>,
    ) -> rusqlite::Result<Option<String>> {
        Ok(acc.map(|items| format!("[{}]", items.join(", "))))
    }
}

/// `json_object_agg` / `jsonb_object_agg`.
struct ObjectAgg(Flavour);

impl Aggregate<Vec<(String, String)>, Option<String>> for ObjectAgg {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Vec<(String, String)>> {
        Ok(Vec::new())
    }
    fn step(&self, ctx: &mut Context<'_>, acc: &mut Vec<(String, String)>) -> rusqlite::Result<()> {
        let key = match text_of(ctx, 0)? {
            Some(k) => k.into_owned(),
            None => {
                return Err(raise(PgError::new(
                    SqlState::NULL_VALUE_NOT_ALLOWED,
                    "field name must not be null",
                )))
            }
        };
        let v = match self.0 {
            Flavour::Json => embed_text(ctx, 1)?,
            Flavour::Jsonb => value::print(&embed(ctx, 1)?),
        };
        acc.push((key, v));
        Ok(())
    }
    fn finalize(
        &self,
        _: &mut Context<'_>,
        acc: Option<Vec<(String, String)>>,
    ) -> rusqlite::Result<Option<String>> {
        let Some(members) = acc else {
            return Ok(None);
        };
        let mut out = String::new();
        match self.0 {
            Flavour::Json => {
                out.push_str("{ ");
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    value::quote(k, &mut out);
                    out.push_str(" : ");
                    out.push_str(v);
                }
                out.push_str(" }");
            }
            Flavour::Jsonb => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    value::quote(k, &mut out);
                    out.push(':');
                    out.push_str(v);
                }
                out.push('}');
                out = value::print(&value::parse(&out).map_err(raise)?);
            }
        }
        Ok(Some(out))
    }
}
