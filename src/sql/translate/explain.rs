//! `EXPLAIN [ ( option [, …] ) ] statement` and `EXPLAIN [ANALYZE] [VERBOSE] statement`:
//! PostgreSQL's options checked as PostgreSQL checks them, then the plan SQLite will use
//! for the translated statement as one text column `QUERY PLAN`, one row per plan line
//! (`engine/explain.rs` prints it). The plan is SQLite's, never PostgreSQL's.
//!
//! `EXPLAIN ANALYZE` runs the statement in PostgreSQL (an `EXPLAIN ANALYZE DELETE`
//! deletes); litewire cannot time a statement's plan nodes, so it refuses ANALYZE
//! (0A000) rather than show a plan without running what the user asked to run.

use sqlparser::ast::{DescribeAlias, Expr, Statement, UtilityOption, Value};

use super::{unsupported, Settings};
use crate::protocol::{PgError, SqlState};

/// The SQLite text answering an `EXPLAIN`.
pub(super) fn to_sqlite(stmt: Statement, settings: &mut dyn Settings) -> Result<String, PgError> {
    let Statement::Explain {
        describe_alias,
        analyze,
        verbose: _,
        query_plan,
        estimate,
        statement,
        format,
        options,
    } = stmt
    else {
        return Err(unsupported("this statement"));
    };
    if describe_alias != DescribeAlias::Explain {
        return Err(syntax_near(&describe_alias.to_string()));
    }
    if query_plan {
        return Err(syntax_near("QUERY"));
    }
    if estimate {
        return Err(syntax_near("ESTIMATE"));
    }
    if format.is_some() {
        return Err(syntax_near("FORMAT"));
    }
    let analyze = analyze | check_options(options.as_deref().unwrap_or_default())?;
    if analyze {
        return Err(unsupported("EXPLAIN ANALYZE"));
    }
    let inner = match *statement {
        s @ (Statement::Query(_)
        | Statement::Insert(_)
        | Statement::Update { .. }
        | Statement::Delete(_)) => s,
        s @ Statement::CreateTable(_) if matches!(&s, Statement::CreateTable(c) if c.query.is_some()) => {
            s
        }
        Statement::Execute { .. } => return Err(unsupported("EXPLAIN EXECUTE")),
        Statement::Merge { .. } => return Err(unsupported("EXPLAIN of MERGE")),
        Statement::Declare { .. } => return Err(unsupported("EXPLAIN DECLARE")),
        other => {
            let text = other.to_string();
            return Err(syntax_near(text.split_whitespace().next().unwrap_or("")));
        }
    };
    // `$n` inside the explained statement stay parameters of the outer one, so that
    // Describe and Bind see them as PostgreSQL does (their values are not needed).
    let params = highest_parameter(&inner);
    let sqlite = super::to_sqlite(inner, settings)?;
    // A data-modifying WITH is several statements (translate/modifying.rs): no one plan.
    if crate::engine::modifying::is_batch(&sqlite) {
        return Err(super::unsupported(
            "EXPLAIN of a data-modifying statement in WITH",
        ));
    }
    // So is a MERGE (translate/merge.rs), with a WITH here.
    if crate::engine::merge::is_batch(&sqlite) {
        return Err(super::unsupported("EXPLAIN of MERGE"));
    }
    let args: String = (1..=params).map(|n| format!(", ${n}")).collect();
    Ok(format!(
        "SELECT value AS \"QUERY PLAN\" FROM json_each(pg_explain('{}'{args}))",
        sqlite.replace('\'', "''")
    ))
}

/// The highest `$n` in `stmt` (0 without parameters).
fn highest_parameter(stmt: &Statement) -> usize {
    let mut highest = 0;
    let _ = sqlparser::ast::visit_expressions(stmt, |e| {
        if let Expr::Value(v) = e {
            if let Value::Placeholder(p) = &v.value {
                if let Some(n) = p.strip_prefix('$').and_then(|n| n.parse::<usize>().ok()) {
                    highest = highest.max(n);
                }
            }
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    highest
}

/// Checks the parenthesized options; returns whether ANALYZE is on.
fn check_options(options: &[UtilityOption]) -> Result<bool, PgError> {
    let (mut analyze, mut wal, mut timing) = (false, false, None);
    for o in options {
        let name = o.name.value.to_ascii_lowercase();
        match name.as_str() {
            "analyze" | "verbose" | "costs" | "settings" | "buffers" | "wal" | "timing"
            | "summary" => {
                let on = boolean(&name, o.arg.as_ref())?;
                match name.as_str() {
                    "analyze" => analyze = on,
                    "wal" => wal = on,
                    "timing" => timing = Some(on),
                    _ => {}
                }
            }
            "format" => {
                let value = match &o.arg {
                    Some(Expr::Identifier(i)) => i.value.to_ascii_lowercase(),
                    Some(Expr::Value(v)) => match &v.value {
                        Value::SingleQuotedString(s) => s.to_ascii_lowercase(),
                        other => other.to_string().to_ascii_lowercase(),
                    },
                    Some(other) => other.to_string().to_ascii_lowercase(),
                    None => {
                        return Err(PgError::new(
                            SqlState::SYNTAX_ERROR,
                            "format requires a parameter",
                        ))
                    }
                };
                match value.as_str() {
                    "text" => {}
                    "json" | "xml" | "yaml" => {
                        return Err(unsupported(format!(
                            "EXPLAIN (FORMAT {})",
                            value.to_ascii_uppercase()
                        )))
                    }
                    _ => {
                        return Err(PgError::new(
                            SqlState::INVALID_PARAMETER_VALUE,
                            format!(
                                "unrecognized value for EXPLAIN option \"format\": \"{value}\""
                            ),
                        ))
                    }
                }
            }
            _ => {
                return Err(PgError::new(
                    SqlState::SYNTAX_ERROR,
                    format!("unrecognized EXPLAIN option \"{name}\""),
                ))
            }
        }
    }
    if wal && !analyze {
        return Err(PgError::new(
            SqlState::INVALID_PARAMETER_VALUE,
            "EXPLAIN option WAL requires ANALYZE",
        ));
    }
    if timing == Some(true) && !analyze {
        return Err(PgError::new(
            SqlState::INVALID_PARAMETER_VALUE,
            "EXPLAIN option TIMING requires ANALYZE",
        ));
    }
    Ok(analyze)
}

/// A boolean option's value: none is true; else PostgreSQL's `defGetBoolean` spellings.
fn boolean(name: &str, arg: Option<&Expr>) -> Result<bool, PgError> {
    let text = match arg {
        None => return Ok(true),
        Some(Expr::Identifier(i)) => i.value.to_ascii_lowercase(),
        Some(Expr::Value(v)) => match &v.value {
            Value::Boolean(b) => return Ok(*b),
            Value::Number(n, _) => n.clone(),
            Value::SingleQuotedString(s) => s.to_ascii_lowercase(),
            _ => String::new(),
        },
        Some(_) => String::new(),
    };
    match text.as_str() {
        "1" | "true" | "on" => Ok(true),
        "0" | "false" | "off" => Ok(false),
        _ => Err(PgError::new(
            SqlState::SYNTAX_ERROR,
            format!("{name} requires a Boolean value"),
        )),
    }
}

fn syntax_near(token: &str) -> PgError {
    PgError::new(
        SqlState::SYNTAX_ERROR,
        format!("syntax error at or near \"{token}\""),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoSettings;
    impl Settings for NoSettings {
        fn get(&self, _: &str) -> Option<String> {
            None
        }
        fn set(&mut self, _: &str, v: &str) -> Result<String, PgError> {
            Ok(v.into())
        }
    }

    fn explain(sql: &str) -> Result<String, PgError> {
        let stmt = crate::sql::parse::parse_one(sql, 100)?;
        super::super::to_sqlite(stmt, &mut NoSettings)
    }

    #[test]
    fn plans_are_asked_of_sqlite() {
        assert_eq!(
            explain("EXPLAIN (COSTS OFF) SELECT 'a' FROM t").unwrap(),
            "SELECT value AS \"QUERY PLAN\" FROM json_each(pg_explain('SELECT ''a'' FROM t'))"
        );
        assert!(explain("EXPLAIN VERBOSE DELETE FROM t").is_ok());
        assert_eq!(
            explain("EXPLAIN SELECT * FROM t WHERE a = $2 AND b = $1").unwrap(),
            "SELECT value AS \"QUERY PLAN\" FROM json_each(pg_explain('SELECT * FROM t WHERE (pg_compare_key(a, ''C1:a[1:t]'') = pg_compare_key($2, ''C1:a[1:t]'')) AND (pg_compare_key(b, ''C1:b[1:t]'') = pg_compare_key($1, ''C1:b[1:t]''))', $1, $2))"
        );
        assert!(
            explain("EXPLAIN (costs false, summary on, format text, buffers) SELECT 1").is_ok()
        );
    }

    /// Errors as PostgreSQL 15 gives them.
    #[test]
    fn options_are_checked() {
        let err = |sql: &str| explain(sql).unwrap_err();
        let e = err("EXPLAIN (FOO) SELECT 1");
        assert_eq!(e.code, SqlState::SYNTAX_ERROR);
        assert_eq!(e.message, "unrecognized EXPLAIN option \"foo\"");
        assert_eq!(
            err("EXPLAIN (COSTS bar) SELECT 1").message,
            "costs requires a Boolean value"
        );
        assert_eq!(
            err("EXPLAIN (WAL) SELECT 1").message,
            "EXPLAIN option WAL requires ANALYZE"
        );
        assert_eq!(
            err("EXPLAIN (TIMING) SELECT 1").message,
            "EXPLAIN option TIMING requires ANALYZE"
        );
        assert!(explain("EXPLAIN (TIMING OFF) SELECT 1").is_ok());
        let e = err("EXPLAIN (FORMAT foo) SELECT 1");
        assert_eq!(e.code, SqlState::INVALID_PARAMETER_VALUE);
        assert_eq!(
            err("EXPLAIN (FORMAT JSON) SELECT 1").code,
            SqlState::FEATURE_NOT_SUPPORTED
        );
        assert_eq!(
            err("EXPLAIN ANALYZE DELETE FROM t").code,
            SqlState::FEATURE_NOT_SUPPORTED
        );
        assert_eq!(
            err("EXPLAIN (ANALYZE) SELECT 1").code,
            SqlState::FEATURE_NOT_SUPPORTED
        );
        assert_eq!(
            err("EXPLAIN CREATE TABLE x (a int)").code,
            SqlState::SYNTAX_ERROR
        );
    }
}
