//! The extended query protocol: prepared statements and portals with PostgreSQL's
//! lifetimes (the unnamed ones replaced by the next Parse/Bind, named ones kept until
//! Close; portals end with their transaction), discard-until-Sync after an error, row
//! limits with PortalSuspended, and per-column text/binary formats.

use std::sync::Arc;

use pgwire::messages::extendedquery::{Bind, Close, Describe, Execute, Parse};

use super::session::{Completion, Session, Tx};
use super::simple::show_fields;
use crate::engine::{input, types::PgType, Description, Job, Value};
use crate::protocol::{backend, FieldDescription, PgError, SqlState};
use crate::sql::{self, Command};

/// Statements and portals a session may hold at once (each).
pub(super) const MAX_PER_SESSION: usize = 1000;

/// A parsed statement.
pub(super) struct Prepared {
    pub(super) source: Arc<str>,
    pub(super) sqlite: Arc<str>,
    pub(super) command: Command,
    /// No statement at all (empty query string).
    pub(super) empty: bool,
    /// Parameter types and result columns (shared with the database's cache).
    pub(super) desc: Arc<Description>,
    /// `PREPARE`'s query string, for `pg_prepared_statements` (None: made by Parse,
    /// whose query string is `source`).
    pub(super) from_sql: Option<Arc<str>>,
    /// When it was prepared (µs since 2000).
    pub(super) prepared_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PortalState {
    Ready,
    Suspended,
    Done,
}

/// A portal: a bound statement, possibly half-read. SQL cursors (`DECLARE`) are portals
/// too, as in PostgreSQL (`cursor.rs`).
pub(super) struct Portal {
    pub(super) stmt: Arc<Prepared>,
    pub(super) params: Vec<Value>,
    pub(super) binary: Vec<bool>,
    pub(super) state: PortalState,
    /// A SCROLL cursor's rows and position (`cursor.rs`); None for a portal read once.
    pub(super) scroll: Option<super::cursor::Scroll>,
    /// Rows a forward-only cursor has moved past, and the connection's change count
    /// when it was declared (`cursor.rs`: whether it may still turn scrollable).
    pub(super) moved: u64,
    pub(super) changes_at_declare: u64,
}

/// One session's statements and portals.
#[derive(Default)]
pub struct Extended {
    statements: Vec<(String, Arc<Prepared>)>,
    pub(super) portals: Vec<(String, Portal)>,
    /// After an error, messages are skipped until Sync.
    skipping: bool,
}

impl Extended {
    pub fn skipping(&self) -> bool {
        self.skipping
    }

    pub fn stop_skipping(&mut self) {
        self.skipping = false;
    }

    pub fn clear_portals(&mut self) {
        self.portals.clear();
    }

    pub fn clear_statements(&mut self) {
        self.statements.clear();
        self.portals.clear();
    }

    pub fn remove_statement(&mut self, name: &str) -> bool {
        let before = self.statements.len();
        self.statements.retain(|(n, _)| n != name);
        before != self.statements.len()
    }

    /// Number of prepared statements and their approximate bytes (text, types, names).
    pub fn footprint(&self) -> (usize, usize) {
        let bytes = self
            .statements
            .iter()
            .map(|(n, p)| {
                n.len()
                    + std::mem::size_of::<Prepared>()
                    + p.source.len()
                    + if Arc::ptr_eq(&p.source, &p.sqlite) {
                        0
                    } else {
                        p.sqlite.len()
                    }
                    + p.desc.params.len() * 4
                    + p.desc
                        .columns
                        .iter()
                        .map(|(c, _)| c.len() + 32)
                        .sum::<usize>()
            })
            .sum();
        (self.statements.len(), bytes)
    }

    /// Stores a statement under `name` (the unnamed one is replaced; the caller has
    /// refused a duplicate named one).
    pub(super) fn add_statement(
        &mut self,
        name: String,
        prepared: Arc<Prepared>,
    ) -> Result<(), PgError> {
        if let Some(slot) = self.statements.iter_mut().find(|(n, _)| *n == name) {
            slot.1 = prepared;
        } else {
            if self.statements.len() >= MAX_PER_SESSION {
                return Err(too_many("prepared statements"));
            }
            self.statements.push((name, prepared));
        }
        Ok(())
    }

    /// The named statements as `pg_prepared_statements` shows them: a JSON array of
    /// objects (name, statement, time, types, from_sql) its catalog table reads.
    pub(super) fn prepared_statements_json(&self) -> String {
        use crate::engine::array::push_json_string;
        let mut out = String::from("[");
        for (name, p) in self.statements.iter().filter(|(n, _)| !n.is_empty()) {
            if out.len() > 1 {
                out.push(',');
            }
            out.push_str("{\"name\":");
            push_json_string(&mut out, name);
            out.push_str(",\"statement\":");
            push_json_string(&mut out, p.from_sql.as_deref().unwrap_or(&p.source));
            out.push_str(",\"time\":");
            let time = crate::engine::datetime::format_timestamp_micros(p.prepared_at, true);
            push_json_string(&mut out, &time);
            out.push_str(",\"types\":[");
            for (i, &oid) in p.desc.params.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let name = crate::engine::catalog::format_type(oid, -1);
                push_json_string(&mut out, name.as_deref().unwrap_or("unknown"));
            }
            out.push_str("],\"from_sql\":");
            out.push_str(if p.from_sql.is_some() { "1}" } else { "0}" });
        }
        out.push(']');
        out
    }

    /// Whether a statement is stored under `name`.
    pub(super) fn has_statement(&self, name: &str) -> bool {
        self.statements.iter().any(|(n, _)| n == name)
    }

    pub(super) fn statement(&self, name: &str) -> Result<Arc<Prepared>, PgError> {
        self.statements
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.clone())
            .ok_or_else(|| {
                PgError::new(
                    SqlState::INVALID_SQL_STATEMENT_NAME,
                    format!("prepared statement \"{name}\" does not exist"),
                )
            })
    }

    pub(super) fn portal_index(&self, name: &str) -> Result<usize, PgError> {
        self.portals
            .iter()
            .position(|(n, _)| n == name)
            .ok_or_else(|| {
                PgError::new(
                    SqlState::INVALID_CURSOR_NAME,
                    format!("portal \"{name}\" does not exist"),
                )
            })
    }
}

/// PostgreSQL's 42P05 for a name already taken.
pub(super) fn duplicate_statement(name: &str) -> PgError {
    PgError::new(
        SqlState::DUPLICATE_PREPARED_STATEMENT,
        format!("prepared statement \"{name}\" already exists"),
    )
}

pub(super) fn too_many(what: &str) -> PgError {
    PgError::new(
        SqlState::PROGRAM_LIMIT_EXCEEDED,
        format!("too many {what} in one session (at most {MAX_PER_SESSION})"),
    )
}

/// Format codes: none means all text, one applies to all, else one per item. Only 0
/// (text) and 1 (binary) exist.
fn formats(codes: &[i16], n: usize, what: &str) -> Result<Vec<bool>, PgError> {
    if let Some(c) = codes.iter().find(|&&c| c != 0 && c != 1) {
        return Err(PgError::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!("unsupported format code: {c}"),
        ));
    }
    match codes.len() {
        0 => Ok(vec![false; n]),
        1 => Ok(vec![codes[0] == 1; n]),
        k if k == n => Ok(codes.iter().map(|c| *c == 1).collect()),
        k => Err(PgError::new(
            SqlState::PROTOCOL_VIOLATION,
            format!("bind message has {k} {what} formats but query has {n} {what}s"),
        )),
    }
}

impl Session {
    /// Reports the session's prepared statements to the registry.
    pub(super) fn account_statements(&self) {
        let (count, bytes) = self.ext.footprint();
        self.info.set_statements(count, bytes);
    }

    /// After an extended-protocol message: report an error, end an implicit
    /// transaction or fail the block, and skip messages until Sync.
    pub(super) async fn extended_done(&mut self, result: Result<(), PgError>) {
        if let Err(e) = result {
            self.conn.error(&e);
            self.after_error().await;
            self.ext.skipping = true;
        }
    }

    pub(super) async fn sync(&mut self) {
        self.ext.skipping = false;
        if let Err(e) = self.commit_implicit().await {
            self.conn.error(&e);
        } else if let Err(e) = self.release_if_idle().await {
            self.conn.error(&e);
        }
        self.ready_for_query();
    }

    pub(super) async fn parse(&mut self, m: Parse) -> Result<(), PgError> {
        let name = m.name.unwrap_or_default();
        if !name.is_empty() && self.ext.has_statement(&name) {
            return Err(duplicate_statement(&name));
        }
        let mut pieces = super::translate::statements(&m.query, self.max_nesting).await?;
        if pieces.len() > 1 {
            return Err(PgError::new(
                SqlState::SYNTAX_ERROR,
                "cannot insert multiple commands into a prepared statement",
            ));
        }
        let (text, command) = match pieces.pop() {
            Some((range, command)) => (&m.query[range], command),
            None => ("", sql::classify("")),
        };
        let source: Arc<str> = Arc::from(text);
        // Only statements for SQLite are translated; the session runs the others itself.
        let sqlite = match &command {
            Command::Sql(_) if !text.is_empty() => self.sqlite_text(text).await?,
            _ => source.clone(),
        };
        let desc = match &command {
            _ if text.is_empty() => Arc::new(Description::new(m.type_oids.clone(), Vec::new())),
            Command::Sql(_) if self.tx == Tx::Failed => {
                return Err(PgError::in_failed_transaction())
            }
            Command::Sql(_) => self.describe_sql(&sqlite, &source, &m.type_oids).await?,
            // DECLARE takes its query's parameters and returns nothing itself.
            Command::Declare(d) => {
                let query: Arc<str> = Arc::from(d.query.as_str());
                let inner = self.sqlite_text(&d.query).await?;
                let desc = self.describe_sql(&inner, &query, &m.type_oids).await?;
                Arc::new(Description::new(desc.params.clone(), Vec::new()))
            }
            // FETCH returns the rows of its cursor, if it exists yet.
            Command::Fetch(f) if !f.is_move => {
                let columns = self
                    .ext
                    .portal_index(&f.name)
                    .map(|i| self.ext.portals[i].1.stmt.desc.columns.clone())
                    .unwrap_or_default();
                Arc::new(Description::new(m.type_oids.clone(), columns))
            }
            // EXECUTE returns the rows of its statement, if it exists yet.
            Command::Execute => {
                let columns = super::prepare::target(&self.ext, text)
                    .map(|p| p.desc.columns.clone())
                    .unwrap_or_default();
                Arc::new(Description::new(m.type_oids.clone(), columns))
            }
            Command::Show(param) => {
                let column = if param == "all" {
                    "name".into()
                } else {
                    param.clone()
                };
                Arc::new(Description::new(
                    m.type_oids.clone(),
                    vec![(column, PgType::TEXT)],
                ))
            }
            _ => Arc::new(Description::new(m.type_oids.clone(), Vec::new())),
        };
        let prepared = Arc::new(Prepared {
            source,
            sqlite,
            command,
            empty: text.is_empty(),
            desc,
            from_sql: None,
            prepared_at: crate::engine::datetime::clock_micros(),
        });
        self.ext.add_statement(name, prepared)?;
        backend::parse_complete(self.conn.out());
        self.account_statements();
        Ok(())
    }

    /// Describes SQL on a connection (the pinned one inside a transaction), through the
    /// database's cache of descriptions.
    pub(super) async fn describe_sql(
        &mut self,
        sqlite: &Arc<str>,
        source: &Arc<str>,
        given: &[u32],
    ) -> Result<Arc<Description>, PgError> {
        if let Some(d) = self.db.cached_description(source, given) {
            return Ok(d);
        }
        let lease = self.take_lease().await?;
        let (lease, result) = lease
            .describe(sqlite.clone(), source.clone(), given.to_vec())
            .await?;
        self.keep_or_return(lease);
        let desc = Arc::new(result?);
        self.db.cache_description(source, given, &desc);
        Ok(desc)
    }

    pub(super) fn bind(&mut self, m: Bind) -> Result<(), PgError> {
        let stmt_name = m.statement_name.unwrap_or_default();
        let portal_name = m.portal_name.unwrap_or_default();
        let stmt = self.ext.statement(&stmt_name)?;
        if !portal_name.is_empty() && self.ext.portals.iter().any(|(n, _)| *n == portal_name) {
            return Err(PgError::new(
                SqlState::DUPLICATE_CURSOR,
                format!("portal \"{portal_name}\" already exists"),
            ));
        }
        let ends_block = matches!(
            stmt.command,
            Command::Commit { .. } | Command::Rollback { .. } | Command::RollbackTo(_)
        );
        if self.tx == Tx::Failed && !ends_block {
            return Err(PgError::in_failed_transaction());
        }
        if m.parameters.len() != stmt.desc.params.len() {
            return Err(PgError::new(
                SqlState::PROTOCOL_VIOLATION,
                format!(
                    "bind message supplies {} parameters, but prepared statement \"{stmt_name}\" requires {}",
                    m.parameters.len(),
                    stmt.desc.params.len()
                ),
            ));
        }
        let param_binary = formats(
            &m.parameter_format_codes,
            stmt.desc.params.len(),
            "parameter",
        )?;
        // Date/time parameters read by the session's DateStyle order and TimeZone.
        let style = self.params.input_style();
        let params = crate::engine::datetime::with_input_style(style, || {
            m.parameters
                .iter()
                .zip(&stmt.desc.params)
                .zip(&param_binary)
                .map(|((v, oid), bin)| input::decode(*oid, *bin, v.as_deref()))
                .collect::<Result<Vec<Value>, PgError>>()
        })?;
        let binary = formats(
            &m.result_column_format_codes,
            stmt.desc.columns.len(),
            "result column",
        )?;
        self.drop_portal(&portal_name);
        if self.ext.portals.len() >= MAX_PER_SESSION {
            return Err(too_many("portals"));
        }
        self.ext.portals.push((
            portal_name,
            Portal {
                stmt,
                params,
                binary,
                state: PortalState::Ready,
                scroll: None,
                moved: 0,
                changes_at_declare: 0,
            },
        ));
        backend::bind_complete(self.conn.out());
        Ok(())
    }

    /// Removes a portal and its parked statement, if any.
    pub(super) fn drop_portal(&mut self, name: &str) {
        let before = self.ext.portals.len();
        self.ext.portals.retain(|(n, _)| n != name);
        if before != self.ext.portals.len() {
            if let Some(lease) = self.lease.as_mut() {
                lease.conn_mut().drop_cursor(name);
            }
        }
    }

    pub(super) fn describe(&mut self, m: Describe) -> Result<(), PgError> {
        let name = m.name.unwrap_or_default();
        let (stmt, binary) = match m.target_type {
            b'S' => {
                let stmt = self.ext.statement(&name)?;
                backend::parameter_description(self.conn.out(), stmt.desc.params.clone());
                (stmt, Vec::new())
            }
            b'P' => {
                let i = self.ext.portal_index(&name)?;
                let p = &self.ext.portals[i].1;
                (p.stmt.clone(), p.binary.clone())
            }
            other => {
                return Err(PgError::protocol_violation(format!(
                    "invalid DESCRIBE message subtype {other}"
                )))
            }
        };
        if stmt.desc.columns.is_empty() {
            backend::no_data(self.conn.out());
        } else {
            let fields = fields(&stmt.desc, &binary);
            let fields = if matches!(stmt.command, Command::Show(ref p) if p == "all") {
                show_fields(&["name", "setting"])
            } else {
                fields
            };
            backend::row_description(self.conn.out(), fields);
        }
        Ok(())
    }

    pub(super) async fn execute(&mut self, m: Execute) -> Result<(), PgError> {
        let name = m.name.unwrap_or_default();
        let i = self.ext.portal_index(&name)?;
        let (stmt, params, binary, state) = {
            // Parameters are needed once: a resumed or re-run portal does not bind again.
            let p = &mut self.ext.portals[i].1;
            (
                p.stmt.clone(),
                std::mem::take(&mut p.params),
                p.binary.clone(),
                p.state,
            )
        };
        if stmt.empty {
            backend::empty_query(self.conn.out());
            return Ok(());
        }
        if state == PortalState::Done {
            if let Command::Sql(verb) = &stmt.command {
                backend::command_complete(self.conn.out(), &verb.tag(0));
                return Ok(());
            }
        }
        // Up to the next Sync, statements share an implicit transaction — unless this
        // Execute is the only one (Sync is already waiting), where autocommit is the same.
        let implicit_block = !self.conn.next_message_is(b'S');
        let outcome = match &stmt.command {
            Command::Sql(verb) => {
                let job = Job {
                    sql: stmt.sqlite.clone(),
                    source: stmt.source.clone(),
                    verb: verb.clone(),
                    params,
                    types: Some(stmt.desc.types.clone()),
                    binary,
                    max_rows: u64::try_from(m.max_rows).unwrap_or(0),
                    portal: Some(name.clone()),
                    describe: false,
                    begin: false,
                    write_locked: false,
                    output: crate::engine::Output::Rows,
                    pid: self.pid,
                    user: self.user.clone(),
                    text_style: Default::default(),
                    input_style: Default::default(),
                    alter: None,
                    internal: false,
                    prepared: None,
                    settings: None,
                };
                self.command(
                    &stmt.source,
                    stmt.command.clone(),
                    implicit_block,
                    Some(job),
                )
                .await?
            }
            _ => {
                // Session commands: SHOW and FETCH send rows without a RowDescription
                // here; DECLARE passes its parameters on to the cursor.
                let mut job = Job::simple(
                    stmt.sqlite.clone(),
                    stmt.source.clone(),
                    crate::sql::Verb::Select,
                );
                job.params = params;
                job.binary = binary;
                self.command(&stmt.source, stmt.command.clone(), false, Some(job))
                    .await?
            }
        };
        let state = match outcome {
            Completion::Tag(tag) => {
                if is_schema_change(&tag) {
                    self.db.schema_changed();
                }
                backend::command_complete(self.conn.out(), &tag);
                PortalState::Done
            }
            Completion::Suspended => {
                backend::portal_suspended(self.conn.out());
                PortalState::Suspended
            }
        };
        if let Some((_, p)) = self.ext.portals.iter_mut().find(|(n, _)| *n == name) {
            p.state = state;
        }
        Ok(())
    }

    pub(super) fn close(&mut self, m: Close) -> Result<(), PgError> {
        let name = m.name.unwrap_or_default();
        match m.target_type {
            b'S' => {
                if let Some(stmt) = self
                    .ext
                    .statements
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, s)| s.clone())
                {
                    let portals: Vec<String> = self
                        .ext
                        .portals
                        .iter()
                        .filter(|(_, p)| Arc::ptr_eq(&p.stmt, &stmt))
                        .map(|(n, _)| n.clone())
                        .collect();
                    for p in portals {
                        self.drop_portal(&p);
                    }
                    self.ext.remove_statement(&name);
                }
            }
            b'P' => self.drop_portal(&name),
            other => {
                return Err(PgError::protocol_violation(format!(
                    "invalid CLOSE message subtype {other}"
                )))
            }
        }
        backend::close_complete(self.conn.out());
        self.account_statements();
        Ok(())
    }
}

/// The RowDescription fields of described columns, with their result formats.
pub(super) fn fields(desc: &Description, binary: &[bool]) -> Vec<FieldDescription> {
    desc.columns
        .iter()
        .enumerate()
        .map(|(i, (n, t))| {
            let fmt = i16::from(binary.get(i).copied().unwrap_or(false));
            FieldDescription::new(n.clone(), 0, 0, t.oid, t.size, t.modifier, fmt)
        })
        .collect()
}

/// Statements after which cached descriptions may be stale.
pub(super) fn is_schema_change(tag: &str) -> bool {
    tag.starts_with("CREATE") || tag.starts_with("DROP") || tag.starts_with("ALTER")
}
