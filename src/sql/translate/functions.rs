//! Functions and the special call forms of PostgreSQL's grammar (`extract(f FROM x)`,
//! `AT TIME ZONE`, `position(a IN b)`, `substring(… FROM … FOR …)`, `trim(…)`,
//! `overlay(…)`) as calls of SQLite functions with PostgreSQL's meaning: the `pg_…`
//! functions of engine/pgfuncs/, where SQLite lacks the function or means another thing
//! by its name (`upper` of SQLite is ASCII-only, `substr` reads negative positions
//! from the end, `format` is printf).

use sqlparser::ast::{DateTimeField, Expr, Function, Ident, ObjectName, TrimWhereField, Value};

use super::{call, plain_args, string, unsupported, Settings};
use crate::protocol::PgError;

/// The session's TimeZone as a literal: the functions that read a timestamptz's local
/// fields take it as their last argument (SQLite cannot see the session).
fn zone(settings: &dyn Settings) -> Expr {
    string(&settings.get("TimeZone").unwrap_or_else(|| "UTC".into()))
}

/// Functions whose result depends on the session's TimeZone.
const ZONED: &[&str] = &["date_part", "date_trunc", "age", "to_char"];

/// A special call form, rewritten; 0A000 for one litewire cannot run exactly.
pub(super) fn special(e: Expr, settings: &dyn Settings) -> Result<Expr, PgError> {
    Ok(match e {
        Expr::Ceil { .. } | Expr::Floor { .. } => e,
        Expr::Extract { field, expr, .. } => {
            let unit = match &field {
                DateTimeField::Custom(i) => i.value.clone(),
                DateTimeField::Week(_) => "week".into(),
                other => other.to_string().to_ascii_lowercase(),
            };
            call("pg_extract", vec![string(&unit), *expr, zone(settings)])
        }
        Expr::AtTimeZone {
            timestamp,
            time_zone,
        } => call("pg_at_time_zone", vec![*timestamp, *time_zone]),
        Expr::Position { expr, r#in } => call("pg_strpos", vec![*r#in, *expr]),
        Expr::Substring {
            expr,
            substring_from,
            substring_for,
            ..
        } => match (substring_from, substring_for) {
            (Some(pattern), None) if is_string(&pattern) => {
                call("pg_substring_regex", vec![*expr, *pattern])
            }
            (Some(pattern), Some(_)) if is_string(&pattern) => {
                return Err(unsupported("substring(x FROM pattern FOR escape)"))
            }
            (from, count) => {
                let from =
                    from.map_or(Expr::Value(Value::Number("1".into(), false).into()), |f| *f);
                let mut args = vec![*expr, from];
                args.extend(count.map(|c| *c));
                call("pg_substr", args)
            }
        },
        Expr::Trim {
            expr,
            trim_where,
            trim_what,
            trim_characters,
        } => {
            let name = match trim_where {
                None | Some(TrimWhereField::Both) => "pg_btrim",
                Some(TrimWhereField::Leading) => "pg_ltrim",
                Some(TrimWhereField::Trailing) => "pg_rtrim",
            };
            let mut args = vec![*expr];
            args.extend(trim_what.map(|w| *w));
            args.extend(trim_characters.unwrap_or_default());
            if args.len() > 2 {
                return Err(unsupported("trim with more than one character list"));
            }
            call(name, args)
        }
        Expr::Overlay {
            expr,
            overlay_what,
            overlay_from,
            overlay_for,
        } => {
            let mut args = vec![*expr, *overlay_what, *overlay_from];
            args.extend(overlay_for.map(|f| *f));
            call("pg_overlay", args)
        }
        other => return Err(unsupported(format!("{other}"))),
    })
}

fn is_string(e: &Expr) -> bool {
    matches!(e, Expr::Value(v) if matches!(v.value, Value::SingleQuotedString(_)))
}

/// Functions renamed to their `pg_` version, with the argument counts it takes.
const RENAMED: &[(&str, &[usize])] = &[
    ("split_part", &[3]),
    ("lpad", &[2, 3]),
    ("rpad", &[2, 3]),
    ("initcap", &[1]),
    ("strpos", &[2]),
    ("left", &[2]),
    ("right", &[2]),
    ("repeat", &[2]),
    ("reverse", &[1]),
    ("translate", &[3]),
    ("chr", &[1]),
    ("ascii", &[1]),
    ("format", &[]),
    ("concat", &[]),
    ("concat_ws", &[]),
    ("md5", &[1]),
    ("regexp_replace", &[3, 4, 5, 6]),
    ("regexp_count", &[2, 3, 4]),
    ("regexp_instr", &[2, 3, 4, 5, 6, 7]),
    ("regexp_substr", &[2, 3, 4, 5, 6]),
    ("regexp_like", &[2, 3]),
    ("justify_days", &[1]),
    ("justify_hours", &[1]),
    ("justify_interval", &[1]),
    ("starts_with", &[2]),
    ("quote_ident", &[1]),
    ("quote_literal", &[1]),
    ("quote_nullable", &[1]),
    ("to_hex", &[1]),
    ("upper", &[1]),
    ("lower", &[1]),
    ("substr", &[2, 3]),
    ("substring", &[2, 3]),
    ("btrim", &[1, 2]),
    ("ltrim", &[1, 2]),
    ("rtrim", &[1, 2]),
    ("overlay", &[3, 4]),
    ("date_part", &[2]),
    ("date_trunc", &[2]),
    ("age", &[1, 2]),
    ("make_date", &[3]),
    ("make_time", &[3]),
    ("make_timestamp", &[6]),
    ("to_timestamp", &[1]),
    ("to_char", &[2]),
    ("encode", &[2]),
    ("date_bin", &[3]),
    ("decode", &[2]),
];

/// A call of `name` (lower case, unqualified) rewritten; None leaves it as it is.
pub(super) fn function(
    name: &str,
    f: &mut Function,
    settings: &dyn Settings,
) -> Result<Option<Expr>, PgError> {
    let argc = plain_args(f).map(|a| a.len());
    if name == "random" && argc == Some(0) && f.over.is_none() {
        // PostgreSQL's random() is a double in [0, 1); SQLite's a signed 64-bit integer
        // (`random() < 0` half the time). 53 random bits make the double exactly.
        return Ok(Some(super::raw(
            "((random() & 9007199254740991) / 9007199254740992.0)".into(),
        )));
    }
    if argc == Some(0) && matches!(name, "concat" | "concat_ws" | "format") {
        return Err(PgError::new(
            crate::protocol::SqlState::UNDEFINED_FUNCTION,
            format!("function {name}() does not exist"),
        ));
    }
    if let Some((_, counts)) = RENAMED.iter().find(|(n, _)| *n == name) {
        let Some(argc) = argc else {
            return Err(unsupported(format!("{name}() with these arguments")));
        };
        if !counts.is_empty() && !counts.contains(&argc) {
            return Err(unsupported(format!("{name}() with {argc} arguments")));
        }
        let sqlite = match name {
            "substring" => "pg_substr".to_string(),
            other => format!("pg_{other}"),
        };
        if ZONED.contains(&name) {
            let mut args: Vec<Expr> = plain_args(f)
                .unwrap_or_default()
                .into_iter()
                .cloned()
                .collect();
            args.push(zone(settings));
            return Ok(Some(call(&sqlite, args)));
        }
        f.name = ObjectName::from(vec![Ident::new(sqlite)]);
        return Ok(None);
    }
    Ok(match name {
        "gen_random_uuid" if argc == Some(0) => Some(call(
            "pg_uuid",
            vec![call(
                "randomblob",
                vec![Expr::Value(Value::Number("16".into(), false).into())],
            )],
        )),
        "clock_timestamp" | "statement_timestamp" | "transaction_timestamp" if argc == Some(0) => {
            Some(call("now", vec![]))
        }
        "timezone" => match plain_args(f).as_deref() {
            Some([zone, ts]) => Some(call(
                "pg_at_time_zone",
                vec![(*ts).clone(), (*zone).clone()],
            )),
            _ => return Err(unsupported("timezone() with these arguments")),
        },
        _ => None,
    })
}

#[cfg(test)]
#[path = "functions_tests.rs"]
mod tests;
