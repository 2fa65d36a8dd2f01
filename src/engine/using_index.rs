//! `ALTER TABLE … ADD [CONSTRAINT c] {PRIMARY KEY | UNIQUE} USING INDEX i` on the
//! connection: the marker column sql/alter/using_index.rs left becomes the index's
//! columns, after PostgreSQL's checks of the index (unique, whole-table, plain
//! columns in default order), and the rebuild drops the index for the constraint's own
//! (PostgreSQL keeps the index under the constraint's name: the constraint's index here
//! has that name too).

use rusqlite::{Connection, OptionalExtension};
use sqlparser::ast::{Expr, Ident, IndexColumn, OrderByExpr, Statement, TableConstraint};

use super::error::to_pg;
use crate::protocol::{PgError, Severity, SqlState};
use crate::sql::alter::{using_index::MARKER, Action, Alter};

/// `alter` with each USING INDEX constraint over its index's columns, and the indexes
/// to drop after the rebuild. None when it has no such constraint.
pub fn resolve(
    db: &Connection,
    schema: &str,
    table: &str,
    alter: &Alter,
    notices: &mut Vec<PgError>,
) -> Result<Option<(Alter, Vec<String>)>, PgError> {
    let mut resolved = alter.clone();
    let mut dropped = Vec::new();
    for action in &mut resolved.actions {
        let Action::AddConstraint { constraint, .. } = action else {
            continue;
        };
        let (name, columns) = match constraint {
            TableConstraint::PrimaryKey { name, columns, .. }
            | TableConstraint::Unique { name, columns, .. } => (name, columns),
            _ => continue,
        };
        let Some(index) = marked_index(columns) else {
            continue;
        };
        *columns = index_columns(db, schema, table, &index)?;
        let constraint_name = name.as_ref().map(|n| n.value.clone()).unwrap_or_default();
        if constraint_name != index {
            notices.push(PgError {
                severity: Severity::Notice,
                ..PgError::new(
                    SqlState::SUCCESSFUL_COMPLETION,
                    format!(
                        "ALTER TABLE / ADD CONSTRAINT USING INDEX will rename index \"{index}\" to \"{constraint_name}\""
                    ),
                )
            });
        }
        dropped.push(index);
    }
    Ok((!dropped.is_empty()).then_some((resolved, dropped)))
}

fn marked_index(columns: &[IndexColumn]) -> Option<String> {
    match columns {
        [c] => match &c.column.expr {
            Expr::Identifier(i) => i.value.strip_prefix(MARKER).map(str::to_string),
            _ => None,
        },
        _ => None,
    }
}

fn refused(message: String) -> PgError {
    PgError::new(SqlState::WRONG_OBJECT_TYPE, message)
        .with_detail("Cannot create a primary key or unique constraint using such an index.")
}

/// The key columns of `index`, an index of `table` a constraint may take over.
fn index_columns(
    db: &Connection,
    schema: &str,
    table: &str,
    index: &str,
) -> Result<Vec<IndexColumn>, PgError> {
    let found: Option<(String, String)> = db
        .query_row(
            &format!(
                "SELECT tbl_name, sql FROM {schema}.sqlite_schema WHERE type = 'index' \
                 AND name = ?1 AND sql IS NOT NULL"
            ),
            [index],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(|e| to_pg(&e))?;
    let Some((owner, sql)) = found else {
        return Err(PgError::new(
            SqlState::UNDEFINED_OBJECT,
            format!("index \"{index}\" does not exist"),
        ));
    };
    if !owner.eq_ignore_ascii_case(table) {
        return Err(PgError::new(
            SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
            format!("index \"{index}\" does not belong to table \"{table}\""),
        ));
    }
    let Ok(Statement::CreateIndex(ci)) = crate::sql::parse::parse_one(&sql, 200) else {
        return Err(crate::sql::translate::unsupported(format!(
            "USING INDEX of index \"{index}\", whose definition litewire cannot read,"
        )));
    };
    if !ci.unique {
        return Err(refused(format!("\"{index}\" is not a unique index")));
    }
    if ci.predicate.is_some() {
        return Err(refused(format!("\"{index}\" is a partial index")));
    }
    let mut out = Vec::with_capacity(ci.columns.len());
    for (n, c) in ci.columns.iter().enumerate() {
        match &c.column.expr {
            Expr::Identifier(i) if c.column.options.asc != Some(false) => {
                out.push(IndexColumn {
                    column: OrderByExpr {
                        expr: Expr::Identifier(Ident::with_quote('"', i.value.clone())),
                        options: sqlparser::ast::OrderByOptions {
                            asc: None,
                            nulls_first: None,
                        },
                        with_fill: None,
                    },
                    operator_class: None,
                });
            }
            // DESC, or a column whose COLLATE the translation kept as `(c)`.
            Expr::Identifier(_) => {
                return Err(refused(format!(
                    "index \"{index}\" column number {} does not have default sorting behavior",
                    n + 1
                )))
            }
            Expr::Nested(inner) if matches!(**inner, Expr::Identifier(_)) => {
                return Err(refused(format!(
                    "index \"{index}\" column number {} does not have default sorting behavior",
                    n + 1
                )))
            }
            _ => return Err(refused(format!("index \"{index}\" contains expressions"))),
        }
    }
    Ok(out)
}
