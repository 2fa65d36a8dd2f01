//! A column's stored default as PostgreSQL's deparser prints it (`pg_get_expr`,
//! `information_schema.columns.column_default`, psql's `\d`): the casts it adds to
//! constants, and the spellings litewire translated back to PostgreSQL's.

use crate::engine::types::oid;

/// A stored default as PostgreSQL prints it where the difference is only a cast its
/// deparser adds: `nextval('s')` → `nextval('s'::regclass)`, a string literal on a text,
/// varchar, char(n) or json column → `'x'::text` (`::character varying`, `::bpchar`,
/// `::json`), a negative number → `'-1'::integer` (`::bigint`, `::numeric`), a quoted
/// float → `'1.5'::double precision`, an enum's label → `'ok'::mood`. Others are left as
/// stored (PostgreSQL would also normalise the literal of a date, uuid or jsonb).
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
