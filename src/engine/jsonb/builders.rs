//! JSON built from arrays and rows: `json_object` / `jsonb_object` (from one array of
//! alternating keys and values or two arrays), `array_to_json`, `row_to_json` of a
//! `row(...)`, and `jsonb_set_lax`.

use rusqlite::functions::Context;

use super::value::{self, Json, SetMode};
use super::{embed_text, json_out, jsonb_arg, modify, null_out, raise, text_of, Flavour, Out};
use crate::engine::{array, types::oid};
use crate::protocol::{PgError, SqlState};

fn array_error(msg: &str) -> rusqlite::Error {
    raise(PgError::new(SqlState::ARRAY_SUBSCRIPT_ERROR, msg))
}

/// Argument `i`, an array (its stored JSON form, or an array literal of text), parsed.
fn array_arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<Json>> {
    let Some(s) = text_of(ctx, i)? else {
        return Ok(None);
    };
    array::value_of(&s, oid::TEXT).map(Some).map_err(raise)
}

/// An element as text (None for NULL).
fn element_text(v: &Json) -> Option<String> {
    match v {
        Json::Null => None,
        Json::Str(s) | Json::Num(s) => Some(s.clone()),
        other => Some(value::print(other)),
    }
}

/// The array's dimensions (the empty array has none) and its elements in order.
fn shape(v: &Json) -> (usize, Vec<&Json>) {
    let mut dims = 0;
    let mut at = v;
    while let Json::Array(items) = at {
        dims += 1;
        match items.first() {
            Some(first) => at = first,
            None => {
                if dims == 1 {
                    dims = 0;
                }
                break;
            }
        }
    }
    (dims, array::flatten(v))
}

/// `json_object(text[])` / `json_object(keys text[], values text[])`.
pub(super) fn object(ctx: &Context<'_>, f: Flavour) -> Out {
    let pairs: Vec<(Option<String>, Option<String>)> = if ctx.len() == 1 {
        let Some(a) = array_arg(ctx, 0)? else {
            return null_out();
        };
        let (dims, items) = shape(&a);
        match dims {
            0 => vec![],
            1 => {
                if items.len() % 2 != 0 {
                    return Err(array_error("array must have even number of elements"));
                }
                items
                    .chunks(2)
                    .map(|p| (element_text(p[0]), element_text(p[1])))
                    .collect()
            }
            2 => {
                let Json::Array(rows) = &a else {
                    return null_out();
                };
                if rows
                    .iter()
                    .any(|r| !matches!(r, Json::Array(c) if c.len() == 2))
                {
                    return Err(array_error("array must have two columns"));
                }
                items
                    .chunks(2)
                    .map(|p| (element_text(p[0]), element_text(p[1])))
                    .collect()
            }
            _ => return Err(array_error("wrong number of array subscripts")),
        }
    } else {
        let (Some(k), Some(v)) = (array_arg(ctx, 0)?, array_arg(ctx, 1)?) else {
            return null_out();
        };
        let ((kd, keys), (vd, values)) = (shape(&k), shape(&v));
        if kd > 1 || vd > 1 {
            return Err(array_error("wrong number of array subscripts"));
        }
        if keys.len() != values.len() {
            return Err(array_error("mismatched array dimensions"));
        }
        keys.iter()
            .zip(&values)
            .map(|(k, v)| (element_text(k), element_text(v)))
            .collect()
    };
    let mut out = String::from("{");
    for (i, (k, v)) in pairs.iter().enumerate() {
        let Some(k) = k else {
            return Err(raise(PgError::new(
                SqlState::NULL_VALUE_NOT_ALLOWED,
                "null value not allowed for object key",
            )));
        };
        if i > 0 {
            out.push_str(", ");
        }
        value::quote(k, &mut out);
        out.push_str(" : ");
        match v {
            Some(v) => value::quote(v, &mut out),
            None => out.push_str("null"),
        }
    }
    out.push('}');
    match f {
        Flavour::Json => json_out(out),
        Flavour::Jsonb => json_out(value::print(&value::parse(&out).map_err(raise)?)),
    }
}

/// `array_to_json(a [, pretty])`: the array as nested JSON arrays, written compactly
/// (`[1,2]`; with `pretty`, a line per top-level element).
pub(super) fn array_to_json(ctx: &Context<'_>) -> Out {
    let pretty = ctx.len() > 1 && ctx.get::<Option<bool>>(1)?.unwrap_or(false);
    let Some(s) = text_of(ctx, 0)? else {
        return null_out();
    };
    let v = array::value_of(&s, oid::TEXT).map_err(raise)?;
    let Json::Array(items) = &v else {
        return json_out(value::print(&v));
    };
    let mut out = String::from("[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(if pretty { ",\n " } else { "," });
        }
        compact(item, &mut out);
    }
    out.push(']');
    json_out(out)
}

/// Nested arrays without spaces; other values (json elements) as jsonb prints them.
fn compact(v: &Json, out: &mut String) {
    match v {
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                value::deep(|| compact(item, out));
            }
            out.push(']');
        }
        other => out.push_str(&value::print(other)),
    }
}

/// `row_to_json(row(...) [, pretty])` as `pg_row_to_json(pretty, 'f1', v1, ...)`.
pub(super) fn row_to_json(ctx: &Context<'_>) -> Out {
    let pretty = ctx.get::<Option<bool>>(0)?.unwrap_or(false);
    let mut out = String::from("{");
    for (n, i) in (1..ctx.len()).step_by(2).enumerate() {
        if n > 0 {
            out.push_str(if pretty { ",\n " } else { "," });
        }
        let key: String = ctx.get(i)?;
        value::quote(&key, &mut out);
        out.push(':');
        out.push_str(&embed_text(ctx, i + 1)?);
    }
    out.push('}');
    json_out(out)
}

/// `jsonb_set_lax(target, path, new, create_if_missing, null_value_treatment)`.
pub(super) fn set_lax(ctx: &Context<'_>) -> Out {
    let treatment: Option<String> = ctx.get(4)?;
    let Some(treatment) = treatment.filter(|t| {
        matches!(
            t.as_str(),
            "delete_key" | "return_target" | "use_json_null" | "raise_exception"
        )
    }) else {
        return Err(raise(PgError::new(
            SqlState::INVALID_PARAMETER_VALUE,
            "null_value_treatment must be \"delete_key\", \"return_target\", \"use_json_null\", or \"raise_exception\"",
        )));
    };
    let create = ctx.get::<Option<bool>>(3)?.unwrap_or(true);
    if text_of(ctx, 0)?.is_none() || text_of(ctx, 1)?.is_none() {
        return null_out();
    }
    match jsonb_arg(ctx, 2)? {
        Some(new) => modify(ctx, Some(new), SetMode::Set { create }),
        None => match treatment.as_str() {
            "raise_exception" => Err(raise(
                PgError::new(
                    SqlState::NULL_VALUE_NOT_ALLOWED,
                    "JSON value must not be null",
                )
                .with_detail(
                    "Exception was raised because null_value_treatment is \"raise_exception\".",
                )
                .with_hint(
                    "To avoid, either change the null_value_treatment argument or ensure that an SQL NULL is not passed.",
                ),
            )),
            "delete_key" => modify(ctx, None, SetMode::Delete),
            "return_target" => match jsonb_arg(ctx, 0)? {
                Some(j) => json_out(value::print(&j)),
                None => null_out(),
            },
            _ => modify(ctx, Some(Json::Null), SetMode::Set { create }),
        },
    }
}

/// A bool[] (stored with 1/0 elements) with JSON's true/false.
pub(super) fn bool_array_json(ctx: &Context<'_>) -> Out {
    let Some(mut v) = array_arg(ctx, 0)? else {
        return null_out();
    };
    fn booleans(v: &mut Json) {
        match v {
            Json::Num(n) => *v = Json::Bool(n != "0"),
            Json::Array(items) => items.iter_mut().for_each(|i| value::deep(|| booleans(i))),
            _ => {}
        }
    }
    booleans(&mut v);
    json_out(value::print(&v))
}

/// `j::int4`, `j::numeric`, `j::bool`... of a jsonb value (`pg_jsonb_cast(j, target)`,
/// target PostgreSQL's name of the type): a number for the numeric types (rounded for
/// the integer ones), a boolean for boolean; anything else is 22023.
pub(super) fn cast(ctx: &Context<'_>) -> rusqlite::Result<rusqlite::types::Value> {
    use rusqlite::types::Value as V;
    let target: String = ctx.get(1)?;
    let Some(j) = jsonb_arg(ctx, 0)? else {
        return Ok(V::Null);
    };
    let wrong = |what: &str| {
        raise(PgError::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!("cannot cast jsonb {what} to type {target}"),
        ))
    };
    match (&j, target.as_str()) {
        (Json::Bool(b), "boolean") => Ok(V::Integer(*b as i64)),
        (Json::Num(n), "smallint" | "integer" | "bigint") => {
            let oid = match target.as_str() {
                "smallint" => oid::INT2,
                "integer" => oid::INT4,
                _ => oid::INT8,
            };
            // numeric → integer rounds half away from zero.
            let (int, frac) = n.split_once('.').unwrap_or((n, ""));
            let up = frac.as_bytes().first().is_some_and(|d| *d >= b'5');
            let (neg, digits) = match int.strip_prefix('-') {
                Some(d) => (true, d),
                None => (false, int),
            };
            let mut v: i128 = if digits.trim_start_matches('0').len() > 20 {
                i128::MAX
            } else {
                digits.parse().unwrap_or(0)
            };
            if up {
                v += 1;
            }
            if neg {
                v = -v;
            }
            let (name, min, max) = crate::engine::input::int_type(oid);
            if v < min as i128 || v > max as i128 {
                return Err(raise(PgError::new(
                    SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
                    format!("{name} out of range"),
                )));
            }
            Ok(V::Integer(v as i64))
        }
        (Json::Num(n), _) if target != "boolean" => {
            let oid = match target.as_str() {
                "real" => oid::FLOAT4,
                "double precision" => oid::FLOAT8,
                _ => oid::NUMERIC,
            };
            let v = crate::engine::input::decode(oid, false, Some(n.as_bytes())).map_err(raise)?;
            Ok(crate::engine::functions::stored(v))
        }
        (other, _) => Err(wrong(match other {
            Json::Null => "null",
            Json::Bool(_) => "boolean",
            Json::Num(_) => "numeric",
            Json::Str(_) => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        })),
    }
}

/// `pg_record_text(a, b, ...)`: the fields as PostgreSQL writes a record, `(a,b)`: a
/// field quoted when empty or holding `"\\(),` or white space, NULL as nothing.
pub(super) fn record_text(ctx: &Context<'_>) -> rusqlite::Result<String> {
    let fields = (0..ctx.len())
        .map(|i| Ok(text_of(ctx, i)?.map(|v| v.into_owned())))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(record_out(&fields))
}

/// Fields as PostgreSQL's record_out writes them (see [`record_text`]).
pub(super) fn record_out(fields: &[Option<String>]) -> String {
    let mut out = String::from("(");
    for (i, v) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let Some(v) = v else {
            continue;
        };
        let quote = v.is_empty()
            || v.chars()
                .any(|c| matches!(c, '"' | '\\' | '(' | ')' | ',') || c.is_whitespace());
        if !quote {
            out.push_str(v);
            continue;
        }
        out.push('"');
        for c in v.chars() {
            if c == '"' || c == '\\' {
                out.push(c);
            }
            out.push(c);
        }
        out.push('"');
    }
    out.push(')');
    out
}
