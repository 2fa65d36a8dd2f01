//! A column's stored default as PostgreSQL's deparser prints it (`pg_get_expr`,
//! `information_schema.columns.column_default`, psql's `\d`): the casts it adds to
//! constants, and the spellings litewire translated back to PostgreSQL's.

use crate::engine::types::oid;

/// A stored default as PostgreSQL prints it where the difference is only a cast its
/// deparser adds: `nextval('s')` → `nextval('s'::regclass)`, a string literal on a text,
/// varchar, char(n) or json column → `'x'::text` (`::character varying`, `::bpchar`,
/// `::json`), a negative number → `'-1'::integer` (`::bigint`, `::numeric`), a quoted
/// float → `'1.5'::double precision`, an enum's label → `'ok'::mood`; a constant of a
/// type litewire reads (stored as sql/translate/defaults.rs stores it) as the type's
/// output of the value. Others are left as stored.
pub(crate) fn default_text(default: &str, decl: &str) -> String {
    let bare = default.trim();
    let bare = match bare.strip_prefix('(').and_then(|b| b.strip_suffix(')')) {
        Some(inner) => inner.trim(),
        None => bare,
    };
    let string_literal = |s: &str| {
        s.len() >= 2
            && s.starts_with('\'')
            && s.ends_with('\'')
            && !s[1..s.len() - 1].replace("''", "").contains('\'')
    };
    // The translations of PostgreSQL's spellings, shown as PostgreSQL shows them.
    if bare.eq_ignore_ascii_case("current_date") {
        return "CURRENT_DATE".into();
    }
    if bare == "pg_uuid(randomblob(16))" {
        return "gen_random_uuid()".into();
    }
    if let Some(seq) = bare
        .strip_prefix("nextval(")
        .and_then(|r| r.strip_suffix(')'))
        .filter(|a| string_literal(a))
    {
        return format!("nextval({seq}::regclass)");
    }
    if let Some(shown) = typed_constant(bare, decl) {
        return shown;
    }
    // A negative number is a quoted constant of the literal's own type (the column's
    // coercion is implicit, so not shown).
    if bare.starts_with('-') && bare[1..].bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let t = match bare.parse::<i64>() {
            Ok(n) if i32::try_from(n).is_ok() => "integer",
            Ok(_) => "bigint",
            Err(_) => "numeric",
        };
        return format!("'{bare}'::{t}");
    }
    if string_literal(bare) {
        let ty = crate::engine::types::from_decltype(decl);
        let cast = match ty.oid {
            oid::TEXT => Some("text".to_string()),
            oid::VARCHAR => Some("character varying".into()),
            oid::BPCHAR => Some("bpchar".into()),
            // A quoted integer is folded to the number (`DEFAULT '7'` shows `7`).
            oid::INT2 | oid::INT4 | oid::INT8
                if bare[1..bare.len() - 1].parse::<i64>().is_ok_and(|n| n >= 0) =>
            {
                return bare[1..bare.len() - 1].to_string();
            }
            // A quoted negative integer or any quoted float keeps its cast (`'-3'::integer`,
            // `'1.5'::double precision`), as PostgreSQL's deparser prints it.
            oid::INT2 | oid::INT4 | oid::INT8 | oid::FLOAT4 | oid::FLOAT8 => {
                super::format_type(ty.oid, -1)
            }
            // SQLite's affinity rules read a type name they do not know (an enum's,
            // `role`) as NUMERIC: such a column's constant shows its own type.
            oid::NUMERIC if !is_numeric_decl(decl) => Some(decl.trim().trim_matches('"').into()),
            // Types whose constant PostgreSQL shows as the literal with its cast
            // (`'0'::numeric`, `'{}'::text[]`); timestamps, booleans and numbers it
            // evaluates, which this does not.
            oid::JSON
            | oid::JSONB
            | oid::NUMERIC
            | oid::UUID
            | oid::DATE
            | oid::BYTEA
            | oid::INTERVAL => super::format_type(ty.oid, -1),
            o if matches!(ty.render, crate::engine::types::Render::Array(..)) => {
                super::format_type(o, -1)
            }
            _ => None,
        };
        if let Some(t) = cast {
            return format!("{bare}::{t}");
        }
    }
    default.to_string()
}

/// Whether a column's declared type is numeric itself (`numeric(10,2)`, `decimal`, the
/// exact numeric storage `numeric_text(10,2)`).
fn is_numeric_decl(decl: &str) -> bool {
    let d = decl.trim().to_ascii_lowercase();
    d.starts_with("numeric") || d.starts_with("decimal")
}

/// A constant DEFAULT of a type litewire reads (stored by sql/translate/defaults.rs as
/// the value an INSERT stores) as PostgreSQL's deparser prints the constant: the type's
/// output of the value, bare for a boolean, a non-negative integer and a numeric that
/// reads back as numeric (`1.50`), else quoted with its type (`'12'::bigint`, `'0'::numeric`,
/// `'2024-01-01 08:00:00+00'::timestamp with time zone`). None: not such a constant (an
/// unquoted number, an expression, text).
fn typed_constant(bare: &str, decl: &str) -> Option<String> {
    let (ty, o) = constant_output(bare, decl)?;
    let quoted = |label: String| format!("'{}'::{label}", o.replace('\'', "''"));
    Some(match ty.oid {
        oid::BOOL if o == "t" => "true".into(),
        oid::BOOL if o == "f" => "false".into(),
        oid::INT4 if !o.starts_with('-') => o,
        oid::NUMERIC
            if o.starts_with(|c: char| c.is_ascii_digit()) && o.contains(['.', 'e', 'E']) =>
        {
            o
        }
        t => quoted(super::format_type(t, -1)?),
    })
}

/// The constant a DEFAULT of a type litewire reads stands for: its type (a numeric
/// without the typmod, which PostgreSQL applies apart) and the type's output of it.
pub(crate) fn constant_output(
    bare: &str,
    decl: &str,
) -> Option<(crate::engine::types::PgType, String)> {
    use crate::engine::types::{from_decltype, names_a_type, write_result_text, TextStyle};
    use rusqlite::types::Value;
    if !names_a_type(decl) {
        return None;
    }
    let mut ty = from_decltype(decl);
    // A text type's literal (and json's) is shown as written.
    if crate::sql::translate::defaults::keeps_text(ty.oid) || ty.oid == oid::JSON {
        return None;
    }
    let unquote = |s: &str| -> Option<String> {
        let inner = s.strip_prefix('\'')?.strip_suffix('\'')?;
        (!inner.replace("''", "").contains('\'')).then(|| inner.replace("''", "'"))
    };
    let lower = bare.to_ascii_lowercase();
    let value = if let Some(args) = lower
        .starts_with("pg_numeric_typmod(")
        .then(|| bare["pg_numeric_typmod(".len()..].strip_suffix(')'))
        .flatten()
    {
        // A numeric(p,s) literal its scale changes: PostgreSQL's constant is the literal
        // as numeric reads it, the typmod's rounding an implicit call it does not show.
        ty = from_decltype("numeric");
        Value::Text(unquote(args.split(',').next()?.trim())?)
    } else if ty.oid == oid::BOOL && (lower == "true" || lower == "false") {
        Value::Integer(i64::from(lower == "true"))
    } else if matches!(ty.oid, oid::FLOAT4 | oid::FLOAT8) && (lower == "9e999" || lower == "-9e999")
    {
        Value::Real(if lower.starts_with('-') {
            f64::INFINITY.copysign(-1.0)
        } else {
            f64::INFINITY
        })
    } else if ty.oid == oid::BYTEA && lower.starts_with("x'") {
        let hex = unquote(&bare[1..])?;
        let bytes: Option<Vec<u8>> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
            .collect();
        Value::Blob(bytes?)
    } else {
        let text = unquote(bare)?;
        match ty.oid {
            // As the column's affinity stores it.
            oid::INT2 | oid::INT4 | oid::INT8 | oid::OID => match text.trim().parse::<i64>() {
                Ok(i) => Value::Integer(i),
                Err(_) => Value::Text(text),
            },
            oid::FLOAT4 | oid::FLOAT8 => match text.trim().parse::<f64>() {
                Ok(f) if f.is_finite() => Value::Real(f),
                _ => Value::Text(text),
            },
            // A table from before string-literal defaults were read: as an INSERT reads it.
            oid::BOOL => crate::engine::store_literal(ty.oid, -1, text.as_bytes()).ok()?,
            // PostgreSQL's constant is the literal before the typmod's rounding.
            oid::NUMERIC => {
                ty = from_decltype("numeric");
                Value::Text(text)
            }
            _ => Value::Text(text),
        }
    };
    let mut out = bytes::BytesMut::new();
    let v = rusqlite::types::ValueRef::from(&value);
    write_result_text(&ty, v, TextStyle::default(), &mut out);
    Some((ty, String::from_utf8_lossy(&out).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::default_text;

    #[test]
    fn a_stored_constant_shows_as_postgres_deparses_it() {
        for (stored, decl, shown) in [
            ("true", "BOOL", "true"),
            ("'7'", "INT", "7"),
            ("'-3'", "INT", "'-3'::integer"),
            ("'12'", "BIGINT", "'12'::bigint"),
            ("12", "BIGINT", "12"),
            ("'5'", "SMALLINT", "'5'::smallint"),
            ("'1.50'", "numeric_text", "1.50"),
            ("'1000'", "numeric_text", "'1000'::numeric"),
            (
                "(pg_numeric_typmod('0', 10, 2))",
                "numeric_text(10,2)",
                "'0'::numeric",
            ),
            ("'1000.0'", "FLOAT8", "'1000'::double precision"),
            ("9e999", "FLOAT8", "'Infinity'::double precision"),
            ("-9e999", "REAL", "'-Infinity'::real"),
            ("X'0102'", "BYTEA", "'\\x0102'::bytea"),
            ("'[\"a\",\"it''s\"]'", "TEXT[]", "'{a,it''s}'::text[]"),
            ("'2024-01-02'", "DATE", "'2024-01-02'::date"),
            ("'10:00:00'", "TIME", "'10:00:00'::time without time zone"),
            ("'hi'", "TEXT", "'hi'::text"),
            ("'ok'", "\"mood\"", "'ok'::mood"),
            // A table from before defaults were read: as PostgreSQL shows the constant.
            ("'yes'", "BOOL", "true"),
            ("' 7 '", "INT", "7"),
        ] {
            assert_eq!(default_text(stored, decl), shown, "{stored} {decl}");
        }
    }
}
