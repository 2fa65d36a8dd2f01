//! The record functions (`json[b]_to_record[set]`, `json[b]_populate_record[set]`) as
//! two SQL functions the translator combines (sql/translate/json.rs):
//! `pg_json_records(j, name)` lists the objects to turn into rows, and
//! `pg_record_value(row, key, type, base, i)` reads one column of one row with
//! PostgreSQL's input rules for its type (populate_record_field in jsonfuncs.c): JSON
//! strings give their contents, other values their JSON text, arrays of an array type
//! their elements one by one, json and jsonb columns the JSON text itself. A key the
//! object lacks takes the base record's value (`base`, a JSON array, element `i`).
//!
//! When the rows' columns are those of a table (`json_populate_record(null::t, j)`), the
//! translator cannot know them: it writes `pg_record_columns('t', 'json')` as the select
//! list, and [`expand`] replaces it with the table's columns when the statement is
//! prepared ([`record_columns`] is the one lookup).

use rusqlite::functions::Context;
use rusqlite::types::Value as SqlValue;

use super::value;
use super::{raise, text_of, Flavour};
use crate::engine::{array, catalog, input, objects, stmt};
use crate::protocol::{PgError, SqlState};

/// PostgreSQL's limit on array dimensions (MAXDIM).
const MAX_DIMS: usize = 6;

fn invalid_parameter(msg: String) -> PgError {
    PgError::new(SqlState::INVALID_PARAMETER_VALUE, msg)
}

/// `pg_json_records(j, function)`: the objects `function` makes rows of, as a JSON array
/// of strings, each an object's text (json: as written; jsonb: as it prints). A NULL
/// argument is one row without keys for the `_record` forms, none for `_recordset`.
pub(super) fn records(ctx: &Context<'_>, f: Flavour) -> rusqlite::Result<Option<String>> {
    let function: String = ctx.get(1)?;
    let set = function.ends_with("recordset");
    let Some(s) = text_of(ctx, 0)? else {
        return Ok(Some(if set { "[]" } else { "[null]" }.into()));
    };
    super::super::json::check(&s).map_err(|d| raise(input::json_error(&d)))?;
    let trimmed = s.trim_start();
    let (object, arr) = (trimmed.starts_with('{'), trimmed.starts_with('['));
    let kind = if object {
        "an object"
    } else if arr {
        "an array"
    } else {
        "a scalar"
    };
    let texts: Vec<String> = if !set {
        if !object {
            return Err(raise(invalid_parameter(format!(
                "cannot call populate_composite on {kind}"
            ))));
        }
        vec![row_text(&s, f)?]
    } else {
        if !arr {
            return Err(raise(invalid_parameter(match f {
                Flavour::Json => format!("cannot call {function} on {kind}"),
                Flavour::Jsonb => format!("cannot call {function} on a non-array"),
            })));
        }
        let mut rows = Vec::new();
        for (_, r) in value::children(&s).map_err(raise)? {
            let element = &s[r];
            if !element.starts_with('{') {
                return Err(raise(invalid_parameter(format!(
                    "argument of {function} must be an array of objects"
                ))));
            }
            rows.push(row_text(element, f)?);
        }
        rows
    };
    let mut out = String::from("[");
    for (i, t) in texts.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        value::quote(t, &mut out);
    }
    out.push(']');
    Ok(Some(out))
}

fn row_text(s: &str, f: Flavour) -> rusqlite::Result<String> {
    Ok(match f {
        Flavour::Json => s.trim().to_string(),
        Flavour::Jsonb => value::print(&value::parse(s).map_err(raise)?),
    })
}

/// `pg_record_value(row, key, type, base, i)`: column `key` of type `type` from the
/// object text `row`; when it has no such key, element `i` of the JSON array `base`.
pub(super) fn record_value(ctx: &Context<'_>) -> rusqlite::Result<SqlValue> {
    let key: String = ctx.get(1)?;
    let ty: String = ctx.get(2)?;
    let found = match text_of(ctx, 0)? {
        Some(row) => member(&row, &key).map_err(raise)?,
        None => None,
    };
    let base = match (text_of(ctx, 3)?, ctx.get::<i64>(4)) {
        (Some(base), Ok(i)) => value::children(&base)
            .map_err(raise)?
            .get(i as usize)
            .map(|(_, r)| base[r.clone()].trim().to_string()),
        _ => None,
    };
    // A missing key without a base value is NULL, which a domain's NOT NULL refuses.
    let (text, base) = match found {
        Some(t) => (t, base),
        None => (base.unwrap_or_else(|| "null".into()), None),
    };
    // SAFETY: the connection running this statement: nested reads of composite types.
    let conn = unsafe { ctx.get_connection()? };
    convert_over(&text, &ty, &key, &Live(&conn), base.as_deref()).map_err(raise)
}

/// `pg_populate_record(function, type, anonymous, base, j, field)`: json[b]_populate_record
/// outside FROM. The record's columns are composite type (or table) `type`'s, else
/// `anonymous`'s (a JSON array of [name, type] pairs: `row(1, 'a')`'s f1 int4, f2
/// text); `base` the base record's values (a JSON array) or NULL. The result is the
/// record's text, or with `field` that column's value. Every column is read, as
/// PostgreSQL builds the whole record before a field is taken.
pub(super) fn populate(ctx: &Context<'_>, f: Flavour) -> rusqlite::Result<SqlValue> {
    // SAFETY: the connection running this statement: nested reads of the type.
    let conn = unsafe { ctx.get_connection()? };
    let attributes: Vec<(String, String)> = match text_of(ctx, 1)? {
        Some(name) => attributes_of(&conn, &name)?.ok_or_else(|| {
            raise(PgError::new(
                SqlState::UNDEFINED_OBJECT,
                format!("type \"{name}\" does not exist"),
            ))
        })?,
        None => {
            let anonymous = text_of(ctx, 2)?.unwrap_or_default();
            let mut out = Vec::new();
            for (_, r) in value::children(&anonymous).map_err(raise)? {
                let pair = &anonymous[r];
                let parts = value::children(pair).map_err(raise)?;
                let text = |i: usize| -> rusqlite::Result<String> {
                    let (_, r) = parts.get(i).cloned().unwrap_or_default();
                    value::unescape(pair[r].trim().trim_matches('"')).map_err(raise)
                };
                out.push((text(0)?, text(1)?));
            }
            out
        }
    };
    let base = text_of(ctx, 3)?;
    let base_values = match &base {
        Some(b) => {
            let values: Vec<String> = value::children(b)
                .map_err(raise)?
                .into_iter()
                .map(|(_, r)| b[r].trim().to_string())
                .collect();
            if values.len() != attributes.len() && text_of(ctx, 1)?.is_some() {
                let name = text_of(ctx, 1)?.unwrap_or_default();
                let few = if values.len() < attributes.len() {
                    "few"
                } else {
                    "many"
                };
                return Err(raise(
                    PgError::new(
                        SqlState("42846"),
                        format!("cannot cast type record to {name}"),
                    )
                    .with_detail(format!("Input has too {few} columns.")),
                ));
            }
            Some(values)
        }
        None => None,
    };
    let row = match text_of(ctx, 4)? {
        Some(j) => {
            crate::engine::json::check(&j).map_err(|d| raise(input::json_error(&d)))?;
            let t = j.trim_start();
            if !t.starts_with('{') {
                let kind = if t.starts_with('[') {
                    "an array"
                } else {
                    "a scalar"
                };
                return Err(raise(invalid_parameter(format!(
                    "cannot call populate_composite on {kind}"
                ))));
            }
            Some(row_text(&j, f)?)
        }
        // No JSON: the base record itself, NULL without one.
        None if base_values.is_none() => return Ok(SqlValue::Null),
        None => None,
    };
    let field: Option<String> = text_of(ctx, 5)?.map(|s| s.into_owned());
    let types = Live(&conn);
    let mut fields = Vec::with_capacity(attributes.len());
    let mut picked = None;
    for (i, (name, ty)) in attributes.iter().enumerate() {
        let found = match &row {
            Some(r) => member(r, name).map_err(raise)?,
            None => None,
        };
        let base = base_values.as_ref().and_then(|b| b.get(i).cloned());
        let (text, base) = match found {
            Some(t) => (t, base),
            None => (base.unwrap_or_else(|| "null".into()), None),
        };
        let v = convert_over(&text, ty, name, &types, base.as_deref()).map_err(raise)?;
        if field.as_deref() == Some(name.as_str()) {
            picked = Some(v.clone());
        }
        fields.push(field_text(v, ty));
    }
    let record = SqlValue::Text(super::builders::record_out(&fields));
    // A domain over a composite type: its checks see the whole record.
    if let Some(name) = text_of(ctx, 1)? {
        if let Some(d) = types.domain(&name) {
            types.check(&name, &d, &record).map_err(raise)?;
        }
    }
    match field {
        Some(name) => picked.ok_or_else(|| {
            raise(PgError::new(
                SqlState::UNDEFINED_COLUMN,
                format!("column \"{name}\" not found in data type record"),
            ))
        }),
        None => Ok(record),
    }
}

/// `pg_record_field(record, type, field)`: field `field` of the record text `record` of
/// composite type `type`, read with the field's type (a domain's `(VALUE).x`).
pub(super) fn record_field(ctx: &Context<'_>) -> rusqlite::Result<SqlValue> {
    let Some(record) = text_of(ctx, 0)? else {
        return Ok(SqlValue::Null);
    };
    let ty: String = ctx.get(1)?;
    let field: String = ctx.get(2)?;
    // SAFETY: the connection running this statement: nested reads of the type.
    let conn = unsafe { ctx.get_connection()? };
    let Some(attributes) = objects::composite_attributes(&conn, &ty)? else {
        return Err(raise(PgError::new(
            SqlState::WRONG_OBJECT_TYPE,
            format!("column notation .{field} applied to type {ty}, which is not a composite type"),
        )));
    };
    let Some(i) = attributes.iter().position(|(n, _)| *n == field) else {
        return Err(raise(PgError::new(
            SqlState::UNDEFINED_COLUMN,
            format!("column \"{field}\" not found in data type {ty}"),
        )));
    };
    let fields = record_in(&record, attributes.len()).map_err(raise)?;
    let mut quoted = String::new();
    match &fields[i] {
        Some(s) => value::quote(s, &mut quoted),
        None => quoted.push_str("null"),
    }
    convert(&quoted, &attributes[i].1, &field, &Live(&conn), 0).map_err(raise)
}

/// The attributes of composite type `name` (or of a domain over one), else the columns
/// of table `name`.
fn attributes_of(
    conn: &rusqlite::Connection,
    name: &str,
) -> rusqlite::Result<Option<Vec<(String, String)>>> {
    if let Some(a) = objects::composite_attributes(conn, name)? {
        return Ok(Some(a));
    }
    if let Some(d) = objects::domain(conn, name)? {
        return objects::composite_attributes(conn, &d.base);
    }
    let mut q = conn.prepare("SELECT name, type FROM pragma_table_info(?1)")?;
    let cols = q
        .query_map([name], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<(String, String)>>>()?;
    Ok((!cols.is_empty()).then_some(cols))
}

/// Column `key` of type `ty` from JSON text `text`, where the base record gave `base`
/// (JSON): an object for a composite column fills the keys it lacks from the base
/// record's value, as PostgreSQL's populate_record does.
fn convert_over(
    text: &str,
    ty: &str,
    key: &str,
    types: &dyn Types,
    base: Option<&str>,
) -> Result<SqlValue, PgError> {
    if let (true, Some(b)) = (text.starts_with('{'), base.filter(|b| b.starts_with('"'))) {
        let lower = ty.trim().to_ascii_lowercase();
        if let Some(attributes) = types.composite(&lower) {
            let literal = value::unescape(&b[1..b.len() - 1])?;
            let fields = record_in(&literal, attributes.len())?;
            return composite(text, &attributes, types, 0, Some(&fields)).map(SqlValue::Text);
        }
    }
    convert(text, ty, key, types, 0)
}

/// The types a record's columns may have beyond the built-in ones.
trait Types {
    /// The attributes of composite type `name`; None when it is none.
    fn composite(&self, name: &str) -> Option<Vec<(String, String)>>;
    /// Domain `name`; None when it is none.
    fn domain(&self, name: &str) -> Option<objects::Domain>;
    /// `value` checked against domain `d` (named `name`).
    fn check(&self, name: &str, d: &objects::Domain, value: &SqlValue) -> Result<(), PgError>;
}

/// The types of the connection running the statement.
struct Live<'a>(&'a rusqlite::Connection);

impl Types for Live<'_> {
    fn composite(&self, name: &str) -> Option<Vec<(String, String)>> {
        objects::composite_attributes(self.0, name).ok().flatten()
    }
    fn domain(&self, name: &str) -> Option<objects::Domain> {
        objects::domain(self.0, name).ok().flatten()
    }
    fn check(&self, name: &str, d: &objects::Domain, value: &SqlValue) -> Result<(), PgError> {
        objects::check_domain(self.0, name, d, value)
    }
}

/// How deep composite types may nest in one another (each exists before its users, so
/// nesting is finite; this bounds the work).
const MAX_NESTING: usize = 32;

/// The text of member `key` of object text `row` (the last of equal keys).
fn member(row: &str, key: &str) -> Result<Option<String>, PgError> {
    Ok(value::children(row)?
        .into_iter()
        .rev()
        .find(|(k, _)| k.as_deref() == Some(key))
        .map(|(_, r)| row[r].trim().to_string()))
}

/// A type name's element type when it names an array (`int4[]`, `int[][]`, `_int4`).
fn array_element(ty: &str) -> Option<String> {
    if let Some(base) = ty.split_once('[').map(|(b, _)| b.trim()) {
        return Some(base.to_string());
    }
    ty.strip_prefix('_').map(str::to_string)
}

/// The OID of a (non-array) type name, 0 when litewire does not know it (read as text).
fn type_oid(ty: &str) -> u32 {
    catalog::to_regtype(ty).unwrap_or(0)
}

/// JSON text `text` as a value of type `ty` (column `key`); composite types' attributes
/// from `types`.
fn convert(
    text: &str,
    ty: &str,
    key: &str,
    types: &dyn Types,
    depth: usize,
) -> Result<SqlValue, PgError> {
    if depth > MAX_NESTING {
        return Err(crate::sql::translate::unsupported("types nested this deep"));
    }
    let ty = ty.trim().to_ascii_lowercase();
    let ty = ty.strip_prefix("pg_catalog.").unwrap_or(&ty);
    if type_oid(ty) == 0 && !ty.contains('[') {
        if let Some(d) = types.domain(ty) {
            // The base type's value, then the domain's constraints (NULL too).
            let v = convert(text, &d.base, key, types, depth + 1)?;
            types.check(ty, &d, &v)?;
            return Ok(v);
        }
    }
    if text == "null" {
        return Ok(SqlValue::Null);
    }
    if let Some(elem) = array_element(ty) {
        let elem_oid = type_oid(&elem);
        if elem_oid == 0 {
            if let Some(attributes) = types.composite(&elem) {
                return composite_array(text, &attributes, key, types, depth).map(SqlValue::Text);
            }
        }
        let literal = if text.starts_with('[') {
            array_literal(text, elem_oid, key)?
        } else if text.starts_with('"') {
            value::unescape(&text[1..text.len() - 1])?
        } else {
            return Err(expected_array(&format!("the value of key \"{key}\"")));
        };
        let json = array::text_to_json(&literal, elem_oid)?;
        if character("", &elem)?.is_some() {
            check_lengths(&json, &elem)?;
        }
        return Ok(SqlValue::Text(json));
    }
    match ty {
        "json" => return Ok(SqlValue::Text(text.to_string())),
        "jsonb" => return super::normalise(text).map(SqlValue::Text),
        _ => {}
    }
    if type_oid(ty) == 0 {
        if let Some(attributes) = types.composite(ty) {
            return composite(text, &attributes, types, depth, None).map(SqlValue::Text);
        }
    }
    // A string gives its contents, any other value its JSON text.
    let scalar = if text.starts_with('"') {
        value::unescape(&text[1..text.len() - 1])?
    } else {
        text.to_string()
    };
    if let Some(fixed) = character(&scalar, ty)? {
        return Ok(SqlValue::Text(fixed));
    }
    let oid = type_oid(ty);
    if oid == 0 {
        // A table's row type or a domain: its input rules are not litewire's.
        return Err(crate::sql::translate::unsupported(format!(
            "a record column of type {ty}"
        )));
    }
    let v = input::decode(oid, false, Some(scalar.as_bytes()))?;
    Ok(super::super::functions::stored(v))
}

/// JSON text `text` as a value of the composite type with `attributes`, in record_out's
/// text (populate_composite): an object's members by name, a string read as a record
/// literal (record_in).
fn composite(
    text: &str,
    attributes: &[(String, String)],
    types: &dyn Types,
    depth: usize,
    base: Option<&[Option<String>]>,
) -> Result<String, PgError> {
    let mut fields = Vec::with_capacity(attributes.len());
    if text.starts_with('{') {
        for (i, (name, ty)) in attributes.iter().enumerate() {
            // A key the object lacks: the base record's field (its text, as a string).
            let t = match member(text, name)? {
                Some(t) => t,
                None => match base.and_then(|b| b.get(i).cloned().flatten()) {
                    Some(f) => {
                        let mut quoted = String::new();
                        value::quote(&f, &mut quoted);
                        quoted
                    }
                    None => "null".into(),
                },
            };
            let v = convert(&t, ty, name, types, depth + 1)?;
            fields.push(field_text(v, ty));
        }
    } else if text.starts_with('"') {
        let literal = value::unescape(&text[1..text.len() - 1])?;
        let given = record_in(&literal, attributes.len())?;
        for ((name, ty), f) in attributes.iter().zip(given) {
            let mut quoted = String::new();
            match f {
                Some(s) => value::quote(&s, &mut quoted),
                None => quoted.push_str("null"),
            }
            let v = convert(&quoted, ty, name, types, depth + 1)?;
            fields.push(field_text(v, ty));
        }
    } else {
        let kind = if text.starts_with('[') {
            "an array"
        } else {
            "a scalar"
        };
        return Err(invalid_parameter(format!(
            "cannot call populate_composite on {kind}"
        )));
    }
    Ok(super::builders::record_out(&fields))
}

/// A JSON array (or an array literal in a string) of values of a composite type: the
/// stored form of an array, a JSON array of their record texts. One dimension only.
fn composite_array(
    text: &str,
    attributes: &[(String, String)],
    key: &str,
    types: &dyn Types,
    depth: usize,
) -> Result<String, PgError> {
    let elements: Vec<String> = if text.starts_with('[') {
        value::children(text)?
            .into_iter()
            .map(|(_, r)| text[r].trim().to_string())
            .collect()
    } else if text.starts_with('"') {
        // An array literal: its elements are record literals (strings).
        let literal = value::unescape(&text[1..text.len() - 1])?;
        let stored = array::text_to_json(&literal, type_oid("text"))?;
        let json = array::json_part(&stored);
        value::children(json)?
            .into_iter()
            .map(|(_, r)| json[r].trim().to_string())
            .collect()
    } else {
        return Err(expected_array(&format!("the value of key \"{key}\"")));
    };
    let mut out = String::from("[");
    for (i, e) in elements.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if e.starts_with('[') {
            return Err(crate::sql::translate::unsupported(
                "a multidimensional array of a composite type",
            ));
        }
        if e == "null" {
            out.push_str("null");
        } else {
            value::quote(&composite(e, attributes, types, depth + 1, None)?, &mut out);
        }
    }
    out.push(']');
    Ok(out)
}

/// A converted value as a field of record_out's text, printed as its type prints.
fn field_text(v: SqlValue, ty: &str) -> Option<String> {
    use rusqlite::types::ValueRef;
    let r: ValueRef<'_> = match &v {
        SqlValue::Null => return None,
        other => other.into(),
    };
    let t = crate::engine::types::from_decltype(ty);
    let mut out = bytes::BytesMut::new();
    crate::engine::types::write_result_text(
        &t,
        r,
        crate::engine::types::TextStyle::default(),
        &mut out,
    );
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// The fields of record literal `s` (record_in): `(a,"b c",)`, NULL for an empty
/// unquoted field; exactly `n` of them.
fn record_in(s: &str, n: usize) -> Result<Vec<Option<String>>, PgError> {
    let malformed = |detail: &str| {
        PgError::new(
            SqlState::INVALID_TEXT_REPRESENTATION,
            format!("malformed record literal: \"{s}\""),
        )
        .with_detail(detail.to_string())
    };
    let mut chars = s.trim_start().chars().peekable();
    if chars.next() != Some('(') {
        return Err(malformed("Missing left parenthesis."));
    }
    let mut fields = Vec::new();
    if n == 0 {
        if chars.next() != Some(')') {
            return Err(malformed("Too many columns."));
        }
    } else {
        loop {
            if fields.len() == n {
                return Err(malformed("Too many columns."));
            }
            let mut field = String::new();
            let mut quoted_any = false;
            let mut in_quotes = false;
            let end = loop {
                let Some(c) = chars.next() else {
                    return Err(malformed("Unexpected end of input."));
                };
                match c {
                    '"' if in_quotes && chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => {
                        in_quotes = !in_quotes;
                        quoted_any = true;
                    }
                    '\\' => match chars.next() {
                        Some(e) => field.push(e),
                        None => return Err(malformed("Unexpected end of input.")),
                    },
                    ',' | ')' if !in_quotes => break c,
                    c => field.push(c),
                }
            };
            fields.push((quoted_any || !field.is_empty()).then_some(field));
            if end == ')' {
                break;
            }
        }
        if fields.len() < n {
            return Err(malformed("Too few columns."));
        }
    }
    if chars.any(|c| !c.is_whitespace()) {
        return Err(malformed("Junk after right parenthesis."));
    }
    Ok(fields)
}

/// Each string of the stored array `json` checked against `char(n)`/`varchar(n)`.
fn check_lengths(json: &str, ty: &str) -> Result<(), PgError> {
    for (_, r) in value::children(json)? {
        let e = json[r].trim();
        if e.starts_with('[') {
            check_lengths(e, ty)?;
        } else if e.starts_with('"') {
            character(&value::unescape(&e[1..e.len() - 1])?, ty)?;
        }
    }
    Ok(())
}

/// `varchar(n)` / `char(n)`: a longer value is refused, `char(n)` pads with spaces.
fn character(s: &str, ty: &str) -> Result<Option<String>, PgError> {
    let (sql, pad) = if ty.starts_with("varchar") || ty.starts_with("character varying") {
        ("character varying", false)
    } else if ty.starts_with("char") || ty.starts_with("bpchar") {
        ("character", true)
    } else {
        return Ok(None);
    };
    let n = ty
        .split_once('(')
        .and_then(|(_, rest)| rest.trim_end_matches(')').trim().parse::<usize>().ok())
        .unwrap_or(if pad { 1 } else { usize::MAX });
    let len = s.chars().count();
    if s.trim_end_matches(' ').chars().count() > n {
        return Err(PgError::new(
            SqlState::STRING_DATA_RIGHT_TRUNCATION,
            format!("value too long for type {sql}({n})"),
        ));
    }
    Ok(Some(if pad && len < n {
        format!("{s}{}", " ".repeat(n - len))
    } else if len > n {
        s.chars().take(n).collect()
    } else {
        s.to_string()
    }))
}

fn expected_array(what: &str) -> PgError {
    PgError::new(SqlState::INVALID_TEXT_REPRESENTATION, "expected JSON array")
        .with_hint(format!("See {what}."))
}

/// A JSON array as an array literal (`[[1, "a"], [null, 2]]` → `{{"1","a"},{NULL,"2"}}`)
/// as PostgreSQL's populate_array reads it: the first element at each level fixes the
/// dimensions, sub-arrays must match them, and arrays below the last dimension are
/// elements given as their JSON text.
fn array_literal(text: &str, elem_oid: u32, key: &str) -> Result<String, PgError> {
    let json_elements = elem_oid == type_oid("json") || elem_oid == type_oid("jsonb");
    // The number of dimensions: the depth of the first non-array element, or of the
    // first empty array.
    let mut ndims = 0usize;
    let mut at = text.to_string();
    loop {
        ndims += 1;
        if ndims > MAX_DIMS {
            return Err(PgError::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                format!(
                    "number of array dimensions ({ndims}) exceeds the maximum allowed ({MAX_DIMS})"
                ),
            ));
        }
        let children = value::children(&at)?;
        match children.first() {
            Some((_, r)) if at[r.clone()].starts_with('[') => at = at[r.clone()].to_string(),
            _ => break,
        }
    }
    let mut dims: Vec<Option<usize>> = vec![None; ndims];
    let mut out = String::new();
    write_level(
        text,
        1,
        ndims,
        &mut dims,
        json_elements,
        key,
        &mut Vec::new(),
        &mut out,
    )?;
    if dims.contains(&Some(0)) {
        return Ok("{}".into());
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn write_level(
    text: &str,
    level: usize,
    ndims: usize,
    dims: &mut [Option<usize>],
    json_elements: bool,
    key: &str,
    path: &mut Vec<usize>,
    out: &mut String,
) -> Result<(), PgError> {
    let children = value::children(text)?;
    match dims[level - 1] {
        None => dims[level - 1] = Some(children.len()),
        Some(n) if n != children.len() => {
            return Err(PgError::new(
                SqlState::INVALID_TEXT_REPRESENTATION,
                "malformed JSON array",
            )
            .with_detail("Multidimensional arrays must have sub-arrays with matching dimensions."))
        }
        Some(_) => {}
    }
    out.push('{');
    for (i, (_, r)) in children.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let child = text[r.clone()].trim();
        path.push(i);
        if level < ndims {
            if !child.starts_with('[') {
                let at: String = path.iter().map(|k| format!("[{k}]")).collect();
                return Err(expected_array(&format!(
                    "the array element {at} of key \"{key}\""
                )));
            }
            write_level(child, level + 1, ndims, dims, json_elements, key, path, out)?;
        } else if child == "null" {
            out.push_str("NULL");
        } else {
            let element = if json_elements || !child.starts_with('"') {
                child.to_string()
            } else {
                value::unescape(&child[1..child.len() - 1])?
            };
            out.push('"');
            for c in element.chars() {
                if c == '"' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
        }
        path.pop();
    }
    out.push('}');
    Ok(())
}

/// The columns (name, declared type) of the record type `name`: a composite type's
/// attributes (engine/objects/composites.rs), else a table's or view's columns. None
/// when there is no such type.
pub fn record_columns(conn: &stmt::Conn, name: &str) -> Option<Vec<(String, String)>> {
    if let Ok(Some(attributes)) = crate::engine::objects::composite_attributes(conn.sqlite(), name)
    {
        return Some(attributes);
    }
    let cols = crate::engine::describe::table_columns(conn, name);
    (!cols.is_empty()).then_some(cols)
}

/// The marker the translator writes where a record type's columns go.
pub const MARKER: &str = "pg_record_columns(";

/// `sql` with each `pg_record_columns('type')` (outside strings) replaced by the
/// type's columns, read from the row `_r.value` and the base `_b.b`; None when the text
/// has none.
pub fn expand(conn: &stmt::Conn, sql: &str) -> Result<Option<String>, PgError> {
    if !sql.contains(MARKER) {
        return Ok(None);
    }
    use crate::sql::lexer::{significant, TokenKind};
    let tokens: Vec<_> = significant(sql).collect();
    let mut out = String::with_capacity(sql.len());
    let mut copied = 0;
    let mut found = false;
    for (k, t) in tokens.iter().enumerate() {
        let is_marker = t.kind == TokenKind::Word
            && sql[t.start..t.end].eq_ignore_ascii_case("pg_record_columns");
        let (Some(open), Some(arg), Some(close)) =
            (tokens.get(k + 1), tokens.get(k + 2), tokens.get(k + 3))
        else {
            continue;
        };
        if !is_marker
            || open.kind != TokenKind::Open
            || arg.kind != TokenKind::Quoted
            || !sql[arg.start..arg.end].starts_with('\'')
            || close.kind != TokenKind::Close
        {
            continue;
        }
        let quoted = &sql[arg.start..arg.end];
        let name = quoted[1..quoted.len() - 1].replace("''", "'");
        if let Ok(Some(_)) = objects::domain(conn.sqlite(), &name) {
            // Its checks would see each row whole.
            return Err(crate::sql::translate::unsupported(format!(
                "rows of domain {name} in FROM"
            )));
        }
        let Some(cols) = record_columns(conn, &name) else {
            return Err(PgError::new(
                SqlState::UNDEFINED_OBJECT,
                format!("type \"{name}\" does not exist"),
            ));
        };
        out.push_str(&sql[copied..t.start]);
        for (i, (col, ty)) in cols.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&format!(
                "pg_record_value(_r.value, {}, {}, _b.b, {i}) AS \"{}\"",
                sql_string(col),
                sql_string(ty),
                col.replace('"', "\"\"")
            ));
        }
        copied = close.end;
        found = true;
    }
    if !found {
        return Ok(None);
    }
    out.push_str(&sql[copied..]);
    Ok(Some(out))
}

fn sql_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Element `i` of a SQLite value list, for tests.
#[cfg(test)]
fn text(v: &SqlValue) -> Option<String> {
    match v {
        SqlValue::Text(s) => Some(s.clone()),
        SqlValue::Integer(i) => Some(i.to_string()),
        SqlValue::Null => None,
        other => Some(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoTypes;
    impl Types for NoTypes {
        fn composite(&self, _: &str) -> Option<Vec<(String, String)>> {
            None
        }
        fn domain(&self, _: &str) -> Option<objects::Domain> {
            None
        }
        fn check(&self, _: &str, _: &objects::Domain, _: &SqlValue) -> Result<(), PgError> {
            Ok(())
        }
    }

    #[test]
    fn arrays_follow_populate_array() {
        let lit = |t: &str| array_literal(t, 23, "ia");
        assert_eq!(
            lit("[1, \"2\", null, 4]").unwrap(),
            "{\"1\",\"2\",NULL,\"4\"}"
        );
        assert_eq!(
            lit("[[1, 2], [3, 4]]").unwrap(),
            "{{\"1\",\"2\"},{\"3\",\"4\"}}"
        );
        assert_eq!(lit("[[], []]").unwrap(), "{}");
        assert_eq!(lit("[]").unwrap(), "{}");
        assert_eq!(lit("[1, [2]]").unwrap(), "{\"1\",\"[2]\"}");
        let e = lit("[[1], 2]").unwrap_err();
        assert_eq!(e.message, "expected JSON array");
        assert_eq!(
            e.hint.as_deref(),
            Some("See the array element [1] of key \"ia\".")
        );
        assert_eq!(
            lit("[[1], [2, 3]]").unwrap_err().message,
            "malformed JSON array"
        );
        assert_eq!(
            lit("[[1,2],[]]").unwrap_err().message,
            "malformed JSON array"
        );
        assert_eq!(
            lit("[[[[[[[1]]]]]]]").unwrap_err().code,
            SqlState::PROGRAM_LIMIT_EXCEEDED
        );
    }

    #[test]
    fn record_literals_follow_record_in() {
        let f = |s: &str, n| record_in(s, n).map_err(|e| e.detail.unwrap_or_default());
        let some = |v: &[Option<&str>]| -> Vec<Option<String>> {
            v.iter().map(|x| x.map(str::to_string)).collect()
        };
        assert_eq!(
            f(" (a,\"b \"\"c\"\"\",,\"\")", 4).unwrap(),
            some(&[Some("a"), Some("b \"c\""), None, Some("")])
        );
        assert_eq!(
            f("(a\\,b, c )", 2).unwrap(),
            some(&[Some("a,b"), Some(" c ")])
        );
        assert_eq!(f("(a", 1).unwrap_err(), "Unexpected end of input.");
        assert_eq!(f("a)", 1).unwrap_err(), "Missing left parenthesis.");
        assert_eq!(f("(a,b)", 1).unwrap_err(), "Too many columns.");
        assert_eq!(f("(a)", 2).unwrap_err(), "Too few columns.");
        assert_eq!(f("(a) x", 1).unwrap_err(), "Junk after right parenthesis.");
    }

    #[test]
    fn values_follow_the_column_type() {
        let c = |t: &str, ty: &str| convert(t, ty, "k", &NoTypes, 0).map(|v| text(&v));
        assert_eq!(c("\"abc\"", "text").unwrap().as_deref(), Some("abc"));
        assert_eq!(
            c("{\"x\":1}", "text").unwrap().as_deref(),
            Some("{\"x\":1}")
        );
        assert_eq!(c("\"abc\"", "json").unwrap().as_deref(), Some("\"abc\""));
        assert_eq!(c("null", "json").unwrap(), None);
        assert_eq!(c("12", "int4").unwrap().as_deref(), Some("12"));
        assert_eq!(
            c("1.5", "int").unwrap_err().code,
            SqlState::INVALID_TEXT_REPRESENTATION
        );
        assert_eq!(c("\"{1,2}\"", "int[]").unwrap().as_deref(), Some("[1,2]"));
        assert_eq!(
            c("123", "_int4").unwrap_err().message,
            "expected JSON array"
        );
        assert_eq!(
            c("12345", "varchar(3)").unwrap_err().code,
            SqlState::STRING_DATA_RIGHT_TRUNCATION
        );
    }
}
