//! CREATE TABLE refusals PostgreSQL makes and SQLite would not: a column of a
//! pseudo-type (42P16), an aggregate, window function or subquery in a DEFAULT
//! (42803 / 0A000), a storage parameter PostgreSQL does not know (22023) or WITH OIDS
//! (0A000), partitioned tables (0A000), ON COMMIT other than PRESERVE ROWS (0A000). Accepted storage parameters have no effect (SQLite has no such storage).

use std::ops::ControlFlow;

use sqlparser::ast::{
    ColumnOption, CreateTableOptions, Expr, SqlOption, Statement, Value, Visit, Visitor,
};

use crate::protocol::{PgError, SqlState};

/// The schema `name` is qualified with (folded), if any.
pub fn schema(name: &sqlparser::ast::ObjectName) -> Option<String> {
    match name.0.as_slice() {
        [schema, _] => schema.as_ident().map(|i| match i.quote_style {
            Some(_) => i.value.clone(),
            None => i.value.to_lowercase(),
        }),
        _ => None,
    }
}

/// PostgreSQL's refusals of `stmt` when it is a CREATE TABLE.
pub(super) fn check(stmt: &Statement) -> Result<(), PgError> {
    let ct = match stmt {
        Statement::CreateTable(ct) => ct,
        _ => return Ok(()),
    };
    if ct.partition_by.is_some() {
        return Err(super::unsupported("PARTITION BY"));
    }
    if ct.temporary && schema(&ct.name).is_some_and(|s| s != "pg_temp") {
        return Err(PgError::new(
            SqlState::INVALID_TABLE_DEFINITION,
            "cannot create temporary relation in non-temporary schema",
        ));
    }
    // ON COMMIT PRESERVE ROWS is what every table does (mod.rs drops it); DELETE ROWS
    // and DROP are carried out by the session (objects.rs).
    if ct.on_commit.is_some() && !ct.temporary {
        return Err(PgError::new(
            SqlState::INVALID_TABLE_DEFINITION,
            "ON COMMIT can only be used on temporary tables",
        ));
    }
    for column in &ct.columns {
        // `create table foo (with baz)`: a reserved word is never a column's name.
        if column.name.quote_style.is_none()
            && super::keywords::POSTGRES_RESERVED
                .contains(&column.name.value.to_ascii_lowercase().as_str())
        {
            return Err(PgError::new(
                SqlState::SYNTAX_ERROR,
                format!("syntax error at or near \"{}\"", column.name.value),
            ));
        }
        super::casts::unsupported_type(&column.data_type)?;
        let name = super::casts::type_name(&column.data_type);
        if PSEUDO_TYPES.contains(&name.as_str()) {
            return Err(PgError::new(
                SqlState::INVALID_TABLE_DEFINITION,
                format!("column \"{}\" has pseudo-type {name}", column.name.value),
            ));
        }
        for option in &column.options {
            if let ColumnOption::Default(e) = &option.option {
                default_expression(e)?;
            }
        }
    }
    if let CreateTableOptions::With(options) = &ct.table_options {
        for option in options {
            let SqlOption::KeyValue { key, value } = option else {
                continue;
            };
            let name = match key.quote_style {
                Some(_) => key.value.clone(),
                None => key.value.to_lowercase(),
            };
            if name == "oids" {
                let on = matches!(value, Expr::Value(v) if matches!(&v.value,
                    Value::Boolean(true))
                    || matches!(&v.value, Value::Number(n, _) if n != "0")
                    || matches!(&v.value, Value::SingleQuotedString(s) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("on")));
                if on {
                    return Err(PgError::new(
                        SqlState::FEATURE_NOT_SUPPORTED,
                        "tables declared WITH OIDS are not supported",
                    ));
                }
                continue;
            }
            let known = name
                .strip_prefix("toast.")
                .map_or(TABLE_PARAMETERS.contains(&name.as_str()), |t| {
                    TABLE_PARAMETERS.contains(&t)
                });
            if !known {
                return Err(PgError::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    format!("unrecognized parameter \"{name}\""),
                ));
            }
        }
    }
    Ok(())
}

/// An aggregate, window function or subquery in a column's DEFAULT.
fn default_expression(e: &Expr) -> Result<(), PgError> {
    struct Find;
    impl Visitor for Find {
        type Break = PgError;
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<PgError> {
            let found = match e {
                Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => Some((
                    SqlState::FEATURE_NOT_SUPPORTED,
                    "cannot use subquery in DEFAULT expression",
                )),
                Expr::Function(f) if f.over.is_some() => Some((
                    SqlState::WINDOWING_ERROR,
                    "window functions are not allowed in DEFAULT expressions",
                )),
                Expr::Function(f) => {
                    let name = f.name.to_string().to_ascii_lowercase();
                    let aggregate = super::is_pg_aggregate(&name)
                        || super::TYPED_AGGREGATES.contains(&name.as_str());
                    aggregate.then_some((
                        SqlState::GROUPING_ERROR,
                        "aggregate functions are not allowed in DEFAULT expressions",
                    ))
                }
                _ => None,
            };
            match found {
                Some((code, message)) => ControlFlow::Break(PgError::new(code, message)),
                None => ControlFlow::Continue(()),
            }
        }
    }
    match e.visit(&mut Find) {
        ControlFlow::Break(e) => Err(e),
        ControlFlow::Continue(()) => Ok(()),
    }
}

/// PostgreSQL 15's pseudo-types, which no column (nor a composite type's attribute) can
/// have.
pub(crate) const PSEUDO_TYPES: &[&str] = &[
    "any",
    "anyelement",
    "anyarray",
    "anynonarray",
    "anyenum",
    "anyrange",
    "anymultirange",
    "anycompatible",
    "anycompatiblearray",
    "anycompatiblenonarray",
    "anycompatiblerange",
    "anycompatiblemultirange",
    "cstring",
    "internal",
    "language_handler",
    "fdw_handler",
    "table_am_handler",
    "index_am_handler",
    "tsm_handler",
    "record",
    "trigger",
    "event_trigger",
    "pg_ddl_command",
    "void",
    "unknown",
];

/// PostgreSQL 15's storage parameters of a table (also under `toast.`).
const TABLE_PARAMETERS: &[&str] = &[
    "fillfactor",
    "toast_tuple_target",
    "parallel_workers",
    "autovacuum_enabled",
    "autovacuum_vacuum_threshold",
    "autovacuum_vacuum_insert_threshold",
    "autovacuum_vacuum_scale_factor",
    "autovacuum_vacuum_insert_scale_factor",
    "autovacuum_analyze_threshold",
    "autovacuum_analyze_scale_factor",
    "autovacuum_vacuum_cost_delay",
    "autovacuum_vacuum_cost_limit",
    "autovacuum_freeze_min_age",
    "autovacuum_freeze_max_age",
    "autovacuum_freeze_table_age",
    "autovacuum_multixact_freeze_min_age",
    "autovacuum_multixact_freeze_max_age",
    "autovacuum_multixact_freeze_table_age",
    "log_autovacuum_min_duration",
    "user_catalog_table",
    "vacuum_index_cleanup",
    "vacuum_truncate",
];
