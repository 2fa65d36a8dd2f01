//! SQL-level prepared statements (`PREPARE` / `EXECUTE`, read by `sql::prepare`): stored
//! beside the protocol's, in the same namespace, as PostgreSQL does (`DEALLOCATE` and
//! protocol Bind reach both).

use std::sync::Arc;

use super::extended::{duplicate_statement, Extended, Prepared};
use super::session::{Completion, Session, Tx};
use crate::engine::{types, Job};
use crate::protocol::{PgError, SqlState};
use crate::sql::{self, Command};

/// The statement an `EXECUTE` names, if it exists (for Describe).
pub(super) fn target(ext: &Extended, sql: &str) -> Option<Arc<Prepared>> {
    ext.statement(&sql::prepare::execute_name(sql)?).ok()
}

impl Session {
    /// `PREPARE name [(types)] AS statement`: translated and described now, as Parse does.
    pub(super) async fn prepare_sql(&mut self, stmt: &str) -> Result<String, PgError> {
        let message = self.message.take();
        let p = super::translate::read(stmt, self.max_nesting, sql::prepare::prepare).await?;
        if self.ext.has_statement(&p.name) {
            return Err(duplicate_statement(&p.name));
        }
        // `unknown` leaves the type to be inferred, as no type at all does.
        let unknown = |t: &str| t.eq_ignore_ascii_case("unknown");
        if let Some(t) = p
            .types
            .iter()
            .find(|t| !unknown(t) && !types::names_a_type(t))
        {
            return Err(PgError::new(
                SqlState::UNDEFINED_OBJECT,
                format!("type \"{}\" does not exist", t.to_ascii_lowercase()),
            ));
        }
        let given: Vec<u32> = p
            .types
            .iter()
            .map(|t| {
                if unknown(t) {
                    0
                } else {
                    types::from_decltype(t).oid
                }
            })
            .collect();
        let source: Arc<str> = Arc::from(p.body.as_str());
        let sqlite = self.sqlite_text(&p.body).await?;
        let desc = self.describe_sql(&sqlite, &source, &given).await?;
        let prepared = Prepared {
            command: sql::classify(&p.body),
            source,
            sqlite,
            empty: false,
            desc,
            from_sql: Some(message.unwrap_or_else(|| Arc::from(stmt))),
            prepared_at: crate::engine::datetime::clock_micros(),
        };
        self.ext.add_statement(p.name, Arc::new(prepared))?;
        self.account_statements();
        Ok("PREPARE".into())
    }

    /// `EXECUTE name [(args)]`: the statement's tree with its parameters replaced by the
    /// arguments (cast to the parameters' types), run as the statement itself would be.
    /// `job` is the extended protocol's (its result formats; no RowDescription).
    pub(super) async fn execute_sql(
        &mut self,
        stmt: &str,
        implicit_block: bool,
        job: Option<Job>,
    ) -> Result<Completion, PgError> {
        let (verb, text) = self.bound_execute(stmt).await?;
        let sqlite = self.sqlite_text(&text).await?;
        let source: Arc<str> = Arc::from(text);
        let mut job = match job {
            Some(mut j) => {
                j.sql = sqlite;
                j.source = source;
                j.verb = verb;
                j.describe = false;
                j.params = Vec::new();
                j
            }
            None => Job::simple(sqlite, source, verb),
        };
        job.begin = implicit_block && self.tx == Tx::Idle && !self.implicit;
        self.run_job(job).await
    }

    /// The statement `EXECUTE name (args)` runs, as text with the arguments in place of
    /// its parameters, and its verb; PostgreSQL's errors for the wrong arguments.
    pub(super) async fn bound_execute(
        &mut self,
        stmt: &str,
    ) -> Result<(sql::Verb, String), PgError> {
        let e = super::translate::read(stmt, self.max_nesting, sql::prepare::execute).await?;
        let prepared = self.ext.statement(&e.name)?;
        let Command::Sql(verb) = &prepared.command else {
            return Err(PgError::new(
                SqlState::FEATURE_NOT_SUPPORTED,
                format!("EXECUTE of prepared statement \"{}\" is not supported by litewire: it is not a query", e.name),
            ));
        };
        let wanted = prepared.desc.params.len();
        if e.args.len() != wanted {
            return Err(PgError::new(
                SqlState::SYNTAX_ERROR,
                format!(
                    "wrong number of parameters for prepared statement \"{}\"",
                    e.name
                ),
            )
            .with_detail(format!(
                "Expected {wanted} parameters but got {}.",
                e.args.len()
            )));
        }
        for (n, (arg, &param)) in e.args.iter().zip(&prepared.desc.params).enumerate() {
            let Some(from) = sql::prepare::arg_type(arg)
                .filter(|t| types::names_a_type(t))
                .map(|t| types::from_decltype(&t).oid)
            else {
                continue;
            };
            if !types::assignable(from, param) {
                let name = |oid| {
                    crate::engine::catalog::format_type(oid, -1).unwrap_or_else(|| oid.to_string())
                };
                return Err(PgError::new(
                    SqlState::DATATYPE_MISMATCH,
                    format!(
                        "parameter ${} of type {} cannot be coerced to the expected type {}",
                        n + 1,
                        name(from),
                        name(param)
                    ),
                )
                .with_hint("You will need to rewrite or cast the expression."));
            }
        }
        let names: Vec<Option<&'static str>> = prepared
            .desc
            .params
            .iter()
            .map(|oid| types::name_of(*oid))
            .collect();
        let args = e.args;
        let columns: Vec<String> = prepared.desc.columns.iter().map(|c| c.0.clone()).collect();
        let verb = verb.clone();
        let text =
            super::translate::read(&prepared.source, self.max_nesting, move |body, depth| {
                sql::prepare::bind(body, args, &names, &columns, depth)
            })
            .await?;
        Ok((verb.clone(), text))
    }
}
