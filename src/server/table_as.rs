//! `CREATE TABLE … AS query [WITH [NO] DATA]`. SQLite's own CREATE TABLE AS declares
//! each column with its expression's affinity (`NUM`, `TEXT`, `INT`), so a numeric
//! column would compare as text and a date read back as a number: the table is made
//! instead with the query's PostgreSQL column types (as Describe reports them), then
//! filled by `INSERT … query`, both in one transaction, under PostgreSQL's tag
//! (`SELECT n`); with `IF NOT EXISTS` and a relation of that name, PostgreSQL's notice
//! and nothing else. A query with a type litewire cannot name keeps SQLite's statement.

use std::sync::Arc;

use sqlparser::ast::Statement;

use super::session::{Completion, Session, Tx};
use crate::engine::{catalog::types::format_type, types::oid, Job};
use crate::protocol::{PgError, SqlState};
use crate::sql;

impl Session {
    /// Runs `stmt` if it is a CREATE TABLE … AS this module makes; None otherwise.
    pub(super) async fn create_table_as(
        &mut self,
        stmt: &str,
    ) -> Result<Option<Completion>, PgError> {
        let Some(t) = sql::ddl::table_as(stmt) else {
            return Ok(None);
        };
        // The parser wants types in a column list; the names alone are read here.
        let (head, names) = column_names(t.head);
        let plain = format!("{head} AS SELECT 1");
        let Ok(Statement::CreateTable(ct)) = sql::parse::parse_one(&plain, self.max_nesting) else {
            return Ok(None);
        };
        let query = self.table_as_query(&t).await?;
        let source: Arc<str> = Arc::from(query.as_str());
        let sqlite = self.sqlite_text(&query).await?;
        let desc = self.describe_sql(&sqlite, &source, &[]).await?;
        // IF NOT EXISTS and a relation of that name: PostgreSQL's notice, nothing run
        // (the query was read: its errors stand).
        if ct.if_not_exists {
            if let Some(name) = ct.name.0.last().and_then(|p| p.as_ident()) {
                let name = match name.quote_style {
                    Some(_) => name.value.clone(),
                    None => name.value.to_lowercase(),
                };
                let schema = if ct.temporary {
                    "sqlite_temp_schema"
                } else {
                    "sqlite_schema"
                };
                let lookup = format!(
                    "SELECT 1 FROM {schema} WHERE name = '{}' COLLATE NOCASE",
                    name.replace('\'', "''")
                );
                if self.first_value(&lookup).await?.is_some() {
                    self.conn.error(&PgError {
                        severity: crate::protocol::Severity::Notice,
                        ..PgError::new(
                            SqlState::DUPLICATE_TABLE,
                            format!("relation \"{name}\" already exists, skipping"),
                        )
                    });
                    return Ok(Some(Completion::Tag("CREATE TABLE AS".into())));
                }
            }
        }
        if desc.columns.is_empty() || names.len() > desc.columns.len() {
            if !desc.columns.is_empty() {
                return Err(PgError::new(
                    SqlState::SYNTAX_ERROR,
                    "too many column names were specified",
                ));
            }
            return Ok(None);
        }
        let mut columns = Vec::with_capacity(desc.columns.len());
        for (i, (name, ty)) in desc.columns.iter().enumerate() {
            // A bare literal's `unknown` is text in a table, as in PostgreSQL.
            let type_name = match ty.oid {
                oid::UNKNOWN => Some("text".to_string()),
                o => format_type(o, ty.modifier),
            };
            let Some(type_name) = type_name else {
                return Ok(None);
            };
            let name = names
                .get(i)
                .map_or_else(|| sql::lexer::quote_ident(name), |n| n.to_string());
            columns.push(format!("{name} {type_name}"));
        }
        let create = format!("{head} ({})", columns.join(", "));
        let mut parts = vec![create];
        if t.with_data != Some(false) {
            parts.push(format!("INSERT INTO {} {query}", ct.name));
        }
        let atomic = parts.len() > 1;
        let mut rows = None;
        for part in parts {
            let source: Arc<str> = Arc::from(part.as_str());
            let sqlite = self.sqlite_text(&part).await?;
            let verb = if rows.is_none() && part.starts_with("INSERT") {
                sql::Verb::Insert
            } else {
                sql::Verb::Fixed("CREATE TABLE")
            };
            let mut job = Job::simple(sqlite, source, verb);
            job.begin = atomic && self.tx == Tx::Idle && !self.implicit;
            if let Completion::Tag(tag) = self.run_job(job).await? {
                rows = tag.strip_prefix("INSERT 0 ").map(str::to_string);
            }
        }
        Ok(Some(Completion::Tag(match rows {
            Some(n) => format!("SELECT {n}"),
            None => "CREATE TABLE AS".into(),
        })))
    }

    /// The query of a CREATE TABLE … AS: EXECUTE's statement with its arguments bound.
    async fn table_as_query(&mut self, t: &sql::ddl::TableAs<'_>) -> Result<String, PgError> {
        let executes = sql::lexer::words(t.query)
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case("execute"));
        if !executes {
            return Ok(t.query.to_string());
        }
        let (verb, text) = self.bound_execute(t.query).await?;
        if verb != sql::Verb::Select {
            return Err(PgError::new(
                SqlState::WRONG_OBJECT_TYPE,
                "prepared statement is not a SELECT",
            ));
        }
        Ok(text)
    }

    /// `CREATE TABLE … AS query [WITH [NO] DATA]`, which SQLite's CREATE TABLE AS runs
    /// once the query is one it reads: EXECUTE's statement with its arguments bound, and
    /// no rows for WITH NO DATA. None: the statement needs no change.
    pub(super) async fn table_as_text(&mut self, stmt: &str) -> Result<Option<String>, PgError> {
        let Some(t) = sql::ddl::table_as(stmt) else {
            return Ok(None);
        };
        let executes = sql::lexer::words(t.query)
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case("execute"));
        if !executes && t.with_data.is_none() {
            return Ok(None);
        }
        let query = self.table_as_query(&t).await?;
        Ok(Some(if t.with_data == Some(false) {
            format!("{} SELECT * FROM ({query}) AS _lw_no_data LIMIT 0", t.head)
        } else {
            format!("{} {query}", t.head)
        }))
    }
}

/// `CREATE [TEMP] TABLE name` and the column names written, of a head that reads
/// `… name [(columns)] AS`.
fn column_names(head: &str) -> (&str, Vec<&str>) {
    use sql::lexer::TokenKind;
    let head = head.trim_end();
    let head = head[..head.len() - 2].trim_end(); // `AS`
    let tokens: Vec<_> = sql::lexer::significant(head).collect();
    let Some(open) = tokens.iter().position(|t| t.kind == TokenKind::Open) else {
        return (head, Vec::new());
    };
    let names = tokens[open + 1..]
        .iter()
        .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::Quoted))
        .map(|t| &head[t.start..t.end])
        .collect();
    (head[..tokens[open].start].trim_end(), names)
}
