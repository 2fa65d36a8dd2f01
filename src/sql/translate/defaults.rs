//! String-literal DEFAULTs (`bool DEFAULT 'yes'`, `timestamptz DEFAULT '2024-01-01
//! 10:00+02'`): PostgreSQL reads such a literal with the column type's input once, when
//! the default is set (CREATE TABLE, ADD COLUMN, SET DEFAULT; 22P02, 22007, 22008 for a
//! bad one), and a row given the default holds that typed value. SQLite would store the
//! text as written, so the literal is rewritten into the value an INSERT of it stores
//! (engine's `store_literal`, pg_store's reading). The catalogs print the stored form
//! back as PostgreSQL deparses the constant (engine/catalog/defaults.rs). Types litewire
//! does not name (enums, domains, another tool's) keep the literal: their checks read it.

use rusqlite::types::Value as Stored;
use sqlparser::ast::{ColumnDef, ColumnOption, Expr, Value};

use crate::engine::datetime::{with_input_style, InputStyle};
use crate::engine::types::{from_decltype, names_a_type, oid};
use crate::protocol::PgError;

/// The DEFAULT of `column` (its type as PostgreSQL or SQLite declares it), in its stored
/// form when it is a string literal of a type litewire reads; None: kept as written.
pub(crate) fn of_column(column: &ColumnDef, style: &InputStyle) -> Result<Option<Expr>, PgError> {
    let decl = column.data_type.to_string();
    for option in &column.options {
        if let ColumnOption::Default(Expr::Value(v)) = &option.option {
            // (An E'…' string's escapes are read by the parser.)
            if let Value::SingleQuotedString(text) | Value::EscapedStringLiteral(text) = &v.value {
                return stored(&decl, text, style);
            }
        }
    }
    Ok(None)
}

/// Puts `default` in place of `column`'s DEFAULT.
pub(crate) fn replace(column: &mut ColumnDef, default: Expr) {
    if let Some(e) = default_mut(column) {
        *e = default;
    }
}

/// `column`'s DEFAULT expression, without the column's COLLATE that the parser reads as
/// part of it when it follows (`DEFAULT (…) COLLATE pg_numeric`).
fn default_mut(column: &mut ColumnDef) -> Option<&mut Expr> {
    column.options.iter_mut().find_map(|o| match &mut o.option {
        ColumnOption::Default(Expr::Collate { expr, .. }) => Some(expr.as_mut()),
        ColumnOption::Default(e) => Some(e),
        _ => None,
    })
}

/// Whether a string-literal DEFAULT on a column of type `decl` is rewritten (so an ADD
/// COLUMN with it is not SQLite's own statement, whose text is made without the session).
pub(crate) fn rewritten(decl: &str) -> bool {
    names_a_type(decl) && !keeps_text(from_decltype(decl).oid)
}

/// Types whose literal is stored as written: text as text (a char(n)'s or varchar(n)'s
/// length is its column check's), OID vectors (catalog types).
pub(crate) fn keeps_text(type_oid: u32) -> bool {
    matches!(
        type_oid,
        oid::TEXT
            | oid::VARCHAR
            | oid::BPCHAR
            | oid::NAME
            | oid::CHAR
            | oid::INT2VECTOR
            | oid::OIDVECTOR
    )
}

/// `DEFAULT 'text'` on a column of type `decl`, read as `style` (the session's DateStyle
/// and TimeZone) says, in the form SQLite stores: a number, `true`/`false`, a blob, text
/// (a numeric(p,s) whose literal its scale changes keeps the literal inside the typmod's
/// rounding, which the catalogs show as PostgreSQL does: `'0'::numeric`).
pub(crate) fn stored(decl: &str, text: &str, style: &InputStyle) -> Result<Option<Expr>, PgError> {
    if !rewritten(decl) {
        return Ok(None);
    }
    let ty = from_decltype(decl);
    let read = |now: i64, modifier: i32| {
        let style = InputStyle {
            now: Some(now),
            ..style.clone()
        };
        let v = with_input_style(style, || {
            crate::engine::store_literal(ty.oid, modifier, text.as_bytes())
        })?;
        // A numeric column's TEXT affinity keeps a number as its text: the exact one.
        Ok::<_, PgError>(match v {
            Stored::Integer(_) | Stored::Real(_) if ty.oid == oid::NUMERIC => {
                match crate::engine::pgfuncs::decimal::Num::parse(text.trim()) {
                    Some(n) => Stored::Text(n.to_string()),
                    None => v,
                }
            }
            v => v,
        })
    };
    let typmod = ty.oid == oid::NUMERIC && ty.modifier >= 4;
    // numeric(p,s): the literal is read as numeric now, its typmod applied per row
    // (22003 then, as PostgreSQL's length coercion).
    let modifier = if typmod { -1 } else { ty.modifier };
    let value = read(0, modifier)?;
    // 'now', 'today', 'tomorrow'...: PostgreSQL keeps the time of the statement that set
    // the default, a moment litewire's translation does not know exactly.
    if read(400 * 86_400_000_000 + 3_723_000_001, modifier)? != value {
        return Err(super::unsupported(format!(
            "DEFAULT '{text}' of type {} (PostgreSQL reads it once, when the default is set; now() or CURRENT_DATE is read per row)",
            crate::engine::catalog::format_type(ty.oid, ty.modifier).unwrap_or_else(|| decl.to_lowercase())
        )));
    }
    if typmod {
        let scaled = read(0, ty.modifier).ok();
        if let Stored::Text(u) = &value {
            if scaled.as_ref() != Some(&value) {
                let (p, s) = crate::engine::pgfuncs::decimal::typmod_parts(ty.modifier);
                let number = |n: i64| Expr::Value(Value::Number(n.to_string(), false).into());
                let call = super::call(
                    "pg_numeric_typmod",
                    vec![super::string(u), number(p.into()), number(s.into())],
                );
                return Ok(Some(Expr::Nested(Box::new(call))));
            }
        }
    }
    let literal = match value {
        Stored::Integer(i) if ty.oid == oid::BOOL => Value::Boolean(i != 0),
        // Quoted: the column's affinity stores the number, and the catalogs tell it from
        // an unquoted one (PostgreSQL shows `'12'::bigint` but `12`).
        Stored::Integer(i) => Value::SingleQuotedString(i.to_string()),
        Stored::Real(f) if f.is_finite() => Value::SingleQuotedString(format!("{f:?}")),
        // Past any double: SQLite reads it as the infinity it stores.
        Stored::Real(f) => Value::Number(if f > 0.0 { "9e999" } else { "-9e999" }.into(), false),
        Stored::Text(t) => Value::SingleQuotedString(t),
        Stored::Blob(b) => Value::HexStringLiteral(b.iter().map(|x| format!("{x:02X}")).collect()),
        Stored::Null => Value::Null,
    };
    Ok(Some(Expr::Value(literal.into())))
}

/// [`stored`] for a DEFAULT as ALTER TABLE read it (`'yes'`, PostgreSQL text), while the
/// table is rebuilt: read by the running statement's DateStyle and TimeZone.
pub(crate) fn of_written(default: &str, decl: &str) -> Result<Option<Expr>, PgError> {
    let Some(inner) = default
        .strip_prefix('\'')
        .and_then(|d| d.strip_suffix('\''))
    else {
        return Ok(None);
    };
    if inner.replace("''", "").contains('\'') {
        return Ok(None);
    }
    stored(
        decl,
        &inner.replace("''", "'"),
        &crate::engine::datetime::input_style(),
    )
}

/// ALTER COLUMN … TYPE of a column whose DEFAULT is a constant read here: PostgreSQL
/// coerces the constant to the new type. Here its text (the old type's output; a
/// boolean's as its cast to text spells it) is read with the new type's input, the same
/// value for the conversions this allows; one that depends on the TimeZone of the
/// session taking the default (timestamptz to or from another date/time type) or that
/// input refuses where the cast rounds (a fraction to an integer) is 0A000.
pub(crate) fn retyped(column: &mut ColumnDef, new_decl: &str) -> Result<(), PgError> {
    let old_decl = column.data_type.to_string();
    if !rewritten(&old_decl) {
        return Ok(());
    }
    let Some(bare) = default_mut(column).map(|e| e.to_string()) else {
        return Ok(());
    };
    let inner = bare
        .strip_prefix('(')
        .and_then(|b| b.strip_suffix(')'))
        .unwrap_or(&bare);
    let Some((_, text)) = crate::engine::catalog::defaults::constant_output(inner, &old_decl)
    else {
        return Ok(());
    };
    let (old, new) = (from_decltype(&old_decl), from_decltype(new_decl));
    if names_a_type(new_decl) && (old.oid, old.modifier) == (new.oid, new.modifier) {
        return Ok(());
    }
    let refuse = || {
        super::unsupported(format!(
            "ALTER COLUMN … TYPE {} of column \"{}\" with DEFAULT {bare} (drop the default first)",
            new_decl.to_lowercase(),
            column.name.value
        ))
    };
    const DATES: &[u32] = &[oid::DATE, oid::TIME, oid::TIMESTAMP, oid::TIMESTAMPTZ];
    let zoned = |t: u32| t == oid::TIMESTAMPTZ;
    if DATES.contains(&old.oid) && DATES.contains(&new.oid) && zoned(old.oid) != zoned(new.oid) {
        return Err(refuse());
    }
    let text = match (old.oid, text.as_str()) {
        (oid::BOOL, "t") => "true".to_string(),
        (oid::BOOL, "f") => "false".to_string(),
        _ => text,
    };
    if !names_a_type(new_decl) {
        return Err(refuse());
    }
    let number = matches!(new.oid, oid::INT2 | oid::INT8 | oid::FLOAT4 | oid::FLOAT8)
        || (new.oid == oid::NUMERIC && new.modifier < 4);
    let default = if old.oid == oid::INT4 && number && text.bytes().all(|b| b.is_ascii_digit()) {
        // PostgreSQL shows the integer constant, its cast to the new type implicit (`7`).
        Expr::Value(Value::Number(text, false).into())
    } else if keeps_text(new.oid) {
        Expr::Value(Value::SingleQuotedString(text).into())
    } else {
        match stored(new_decl, &text, &crate::engine::datetime::input_style()) {
            Ok(Some(e)) => e,
            _ => return Err(refuse()),
        }
    };
    replace(column, default);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(decl: &str, text: &str) -> Option<String> {
        stored(decl, text, &InputStyle::DEFAULT)
            .unwrap()
            .map(|e| e.to_string())
    }

    #[test]
    fn a_literal_becomes_the_stored_value() {
        assert_eq!(shown("bool", "yes").as_deref(), Some("true"));
        assert_eq!(shown("int", " 7 ").as_deref(), Some("'7'"));
        assert_eq!(shown("float8", "infinity").as_deref(), Some("9e999"));
        assert_eq!(shown("float8", "-Infinity").as_deref(), Some("-9e999"));
        assert_eq!(shown("float8", "NaN").as_deref(), Some("'NaN'"));
        assert_eq!(shown("numeric", " 1.50 ").as_deref(), Some("'1.50'"));
        assert_eq!(shown("numeric(5,2)", "1.50").as_deref(), Some("'1.50'"));
        // The literal numeric reads, rounded per row (PostgreSQL shows the literal).
        assert_eq!(
            shown("numeric(10,2)", "0").as_deref(),
            Some("(pg_numeric_typmod('0', 10, 2))")
        );
        assert_eq!(
            shown("timestamptz", "2024-01-01 10:00+02").as_deref(),
            Some("'2024-01-01 08:00:00+00:00'")
        );
        assert_eq!(
            shown("text[]", "{a, \"b c\"}").as_deref(),
            Some("'[\"a\",\"b c\"]'")
        );
        assert_eq!(shown("bytea", "\\x0aff").as_deref(), Some("X'0AFF'"));
        // Text, and types litewire does not name (an enum's), keep the literal.
        assert_eq!(shown("text", " x "), None);
        assert_eq!(shown("varchar(3)", "abc  "), None);
        assert_eq!(shown("mood", "ok"), None);
        assert_eq!(shown("mood[]", "{ok}"), None);
    }

    #[test]
    fn a_bad_literal_or_one_of_the_clock_is_refused() {
        let code =
            |decl: &str, text: &str| stored(decl, text, &InputStyle::DEFAULT).unwrap_err().code.0;
        assert_eq!(code("int", "abc"), "22P02");
        assert_eq!(code("date", "2024-02-30"), "22008");
        assert_eq!(code("date", "garbage"), "22007");
        assert_eq!(code("timestamptz", "now"), "0A000");
        assert_eq!(code("date", "tomorrow"), "0A000");
        // Too wide for numeric(3,1): refused per row, as PostgreSQL's length coercion.
        assert!(stored("numeric(3,1)", "12345", &InputStyle::DEFAULT).is_ok());
    }
}
