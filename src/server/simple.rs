//! The simple query protocol: a Query message's statements, run in order with
//! PostgreSQL's rules, and the session-level commands both protocols share.

use std::sync::Arc;

use super::session::{Completion, Session, Tx};
use crate::engine::{types::oid, Job};
use crate::protocol::{backend, DataRowWriter, FieldDescription, PgError, SqlState};
use crate::sql::{self, Command};

impl Session {
    /// Runs a Query message: each statement in turn, stopping at the first error. Several
    /// statements outside a transaction block run in one implicit transaction.
    pub(super) async fn simple_query(&mut self, text: &str) {
        let statements = match super::translate::statements(text, self.max_nesting).await {
            Ok(s) => s,
            Err(e) => {
                self.conn.error(&e);
                self.after_error().await;
                return;
            }
        };
        if statements.is_empty() {
            backend::empty_query(self.conn.out());
            return;
        }
        let multi = statements.len() > 1;
        // PostgreSQL parses the whole message first: a syntax error anywhere runs nothing.
        let syntax_error = statements.iter().find_map(|(_, c)| match c {
            Command::Invalid(e) if multi && e.code == SqlState::SYNTAX_ERROR => Some(e.clone()),
            _ => None,
        });
        if let Some(e) = syntax_error {
            self.conn.error(&e);
            self.after_error().await;
            return;
        }
        for (range, command) in statements {
            let stmt = &text[range];
            if matches!(command, Command::Prepare) {
                self.message = Some(Arc::from(text));
            }
            let done = self.command(stmt, command, multi, None).await;
            self.message = None;
            match done {
                Ok(Completion::Tag(tag)) => {
                    if super::extended::is_schema_change(&tag) {
                        self.db.schema_changed();
                    }
                    backend::command_complete(self.conn.out(), &tag)
                }
                Ok(Completion::Suspended) => {}
                Err(e) => {
                    self.conn.error(&e);
                    self.after_error().await;
                    return;
                }
            }
        }
        if let Err(e) = self.commit_implicit().await {
            self.conn.error(&e);
        } else if let Err(e) = self.release_if_idle().await {
            self.conn.error(&e);
        }
    }

    /// Runs one classified statement. `job` carries the extended protocol's parameters
    /// and formats; None for the simple protocol (which also sends RowDescription).
    pub(super) async fn command(
        &mut self,
        stmt: &str,
        command: Command,
        implicit_block: bool,
        job: Option<Job>,
    ) -> Result<Completion, PgError> {
        let new_storage = match &command {
            Command::Sql(sql::Verb::Fixed("CREATE TABLE")) => true,
            Command::Several(s) => s.tag == "TRUNCATE TABLE",
            _ => false,
        };
        let done = self.run_command(stmt, command, implicit_block, job).await?;
        // Remembered for COPY … FREEZE while the transaction lasts.
        if new_storage && (self.tx != Tx::Idle || self.implicit) {
            for table in sql::ddl::new_storage(stmt) {
                self.subxacts.mark_fresh(table);
            }
        }
        Ok(done)
    }

    async fn run_command(
        &mut self,
        stmt: &str,
        command: Command,
        implicit_block: bool,
        job: Option<Job>,
    ) -> Result<Completion, PgError> {
        if self.tx == Tx::Failed
            && !matches!(
                command,
                Command::Commit { .. } | Command::Rollback { .. } | Command::RollbackTo(_)
            )
        {
            return Err(PgError::in_failed_transaction());
        }
        let schema_verb = match &command {
            Command::Sql(sql::Verb::Fixed(tag)) => Some(*tag),
            Command::Several(s) => Some(s.tag),
            _ => None,
        };
        if matches!(schema_verb, Some("CREATE INDEX" | "DROP INDEX" | "REINDEX")) {
            if let Some(what) = sql::ddl::concurrently(stmt)? {
                if self.tx != Tx::Idle || implicit_block {
                    return Err(PgError::new(
                        SqlState::ACTIVE_SQL_TRANSACTION,
                        format!("{what} cannot run inside a transaction block"),
                    ));
                }
            }
        }
        let tag = match command {
            Command::Begin(b) => self.begin(b).await?,
            Command::Commit { chain } => self.end_transaction(true, chain).await?,
            Command::Rollback { chain } => self.end_transaction(false, chain).await?,
            Command::Savepoint(name) => {
                self.require_block("SAVEPOINT")?;
                self.savepoints = true;
                self.control(&format!(
                    "SAVEPOINT {}",
                    crate::sql::lexer::quote_ident(&name)
                ))
                .await?;
                self.subxacts.savepoint(name, self.read_only);
                "SAVEPOINT".into()
            }
            Command::Release(name) => {
                self.require_block("RELEASE SAVEPOINT")?;
                self.control(&format!(
                    "RELEASE {}",
                    crate::sql::lexer::quote_ident(&name)
                ))
                .await?;
                self.end_savepoint(&name, false);
                "RELEASE".into()
            }
            Command::RollbackTo(name) => {
                self.require_block("ROLLBACK TO SAVEPOINT")?;
                self.control(&format!(
                    "ROLLBACK TO {}",
                    crate::sql::lexer::quote_ident(&name)
                ))
                .await?;
                self.end_savepoint(&name, true);
                self.tx = Tx::Block;
                "ROLLBACK".into()
            }
            Command::Set { name, value, local } => {
                let in_block = self.tx != Tx::Idle;
                if local && !in_block {
                    self.conn.error(&PgError::warning(
                        SqlState::NO_ACTIVE_SQL_TRANSACTION,
                        "SET LOCAL can only be used in transaction blocks",
                    ));
                }
                if name == "transaction_isolation" {
                    if let Some(level) = sql::Isolation::from_name(value.trim_matches('\'')) {
                        self.set_isolation(level)?;
                    }
                }
                if name == "transaction_read_only"
                    && crate::engine::standby::is_standby()
                    && super::settings::parse_bool(value.trim().trim_matches('\'')) == Some(false)
                {
                    // Outside a block too: PostgreSQL's SET runs in a transaction, which
                    // a hot standby's are all read-only.
                    return Err(PgError::new(
                        SqlState::READ_ONLY_SQL_TRANSACTION,
                        "cannot set transaction read-write mode during recovery",
                    ));
                }
                if name == "transaction_read_only"
                    && crate::engine::standby::is_fenced(&self.db.name)
                    && super::settings::parse_bool(value.trim().trim_matches('\'')) == Some(false)
                {
                    return Err(super::transaction::read_write_when_fenced(&self.db.name));
                }
                if let Err(e) = self.params.set_command(&name, &value, local, in_block) {
                    return Err(self.role_not_taken(&name, &value, e).await);
                }
                if name == "transaction_read_only" && self.tx != Tx::Idle {
                    // Checked by params.set; the block's mode is the session's.
                    let read_only =
                        super::settings::parse_bool(value.trim()).unwrap_or_else(|| {
                            self.params.get("default_transaction_read_only").as_deref()
                                == Some("on")
                        });
                    self.set_transaction(sql::SetTransaction {
                        session: false,
                        isolation: None,
                        read_only: Some(read_only),
                        deferrable: None,
                    })?;
                }
                "SET".into()
            }
            Command::SetTransaction(s) => {
                self.set_transaction(s)?;
                "SET".into()
            }
            Command::Reset(name) => {
                self.params.reset(&name)?;
                "RESET".into()
            }
            Command::Show(name) => self.show(&name, job.is_none())?,
            Command::Discard => {
                self.params.reset("all")?;
                self.ext.clear_statements();
                self.account_statements();
                "DISCARD ALL".into()
            }
            Command::Deallocate(name) => {
                match name {
                    None => self.ext.clear_statements(),
                    Some(n) => {
                        if !self.ext.remove_statement(&n) {
                            return Err(PgError::new(
                                SqlState::INVALID_SQL_STATEMENT_NAME,
                                format!("prepared statement \"{n}\" does not exist"),
                            ));
                        }
                    }
                }
                self.account_statements();
                if name_is_all(stmt) {
                    "DEALLOCATE ALL"
                } else {
                    "DEALLOCATE"
                }
                .into()
            }
            Command::Prepare => self.prepare_sql(stmt).await?,
            Command::Execute => return self.execute_sql(stmt, implicit_block, job).await,
            Command::NoOp(tag) => tag.into(),
            Command::Lock(tables) => {
                if self.tx == Tx::Idle {
                    return Err(PgError::new(
                        SqlState::NO_ACTIVE_SQL_TRANSACTION,
                        "LOCK TABLE can only be used in transaction blocks",
                    ));
                }
                // Each table must exist (42P01), as PostgreSQL checks.
                for t in tables {
                    let text: Arc<str> = self
                        .sqlite_text(&format!("SELECT 1 FROM {t} LIMIT 0"))
                        .await?;
                    self.internal(Job::simple(text.clone(), text, sql::Verb::Fixed("SELECT")))
                        .await?;
                }
                "LOCK TABLE".into()
            }
            Command::Copy(c) => return self.copy(c).await,
            Command::Declare(d) => self.declare(d, implicit_block, job).await?,
            Command::Fetch(f) => return self.fetch(f, job).await,
            Command::CloseCursor(name) => self.close_cursor(name).await?,
            Command::Several(several) => self.several(several).await?,
            Command::RenameIndex(r) => self.rename_index(r).await?,
            Command::Database(d) => self.database_command(d, implicit_block).await?,
            Command::Alter(mut alter) => {
                alter.own_roles(&self.params.get("session_authorization").unwrap_or_default());
                let text: Arc<str> = Arc::from(stmt);
                let mut job = Job::simple(text.clone(), text, sql::Verb::Fixed("ALTER TABLE"));
                job.alter = Some(Arc::from(alter));
                job.begin = implicit_block && self.tx == Tx::Idle && !self.implicit;
                return self.run_job(job).await;
            }
            Command::Invalid(e) => return Err(e),
            Command::Unsupported(what) => {
                return Err(PgError::new(
                    SqlState::FEATURE_NOT_SUPPORTED,
                    format!("{what} is not supported by litewire"),
                ))
            }
            Command::Attach => return Err(PgError::new(
                SqlState::INSUFFICIENT_PRIVILEGE,
                "ATTACH and DETACH are not allowed: a client may only use its own database file",
            )),
            Command::VacuumInto => {
                return Err(PgError::new(
                    SqlState::INSUFFICIENT_PRIVILEGE,
                    "VACUUM INTO is not allowed: a client may only write its own database file",
                ))
            }
            Command::Sql(verb) => {
                let unnamed_index =
                    verb == sql::Verb::Fixed("CREATE INDEX") && sql::ddl::unnamed_index(stmt);
                // Either protocol: a utility statement takes no parameters.
                let unbound = job.as_ref().is_none_or(|j| j.params.is_empty());
                if unbound && verb == sql::Verb::Fixed("CREATE TABLE") {
                    if let Some(done) = self.create_table_as(stmt).await? {
                        return Ok(done);
                    }
                }
                let mut job = match job {
                    Some(j) => j,
                    None => {
                        let rewritten = if verb == sql::Verb::Fixed("CREATE TABLE") {
                            self.table_as_text(stmt).await?
                        } else {
                            None
                        };
                        let text = rewritten.as_deref().unwrap_or(stmt);
                        let source: Arc<str> = Arc::from(text);
                        let sqlite = self.sqlite_text(text).await?;
                        Job::simple(sqlite, source, verb)
                    }
                };
                job.begin = implicit_block && self.tx == Tx::Idle && !self.implicit;
                if unnamed_index {
                    return self.create_unnamed_index(job).await;
                }
                return self.run_job(job).await;
            }
        };
        Ok(Completion::Tag(tag))
    }

    /// A savepoint's end restores the READ ONLY mode it started with; ROLLBACK TO keeps
    /// the savepoint itself, RELEASE removes it (and those taken after it either way).
    fn end_savepoint(&mut self, name: &str, keep: bool) {
        if let Some(read_only) = self.subxacts.end(name, keep) {
            self.read_only = read_only;
            self.params.set_tx_read_only(read_only);
        }
    }

    /// SET ROLE's error for a role CREATE ROLE made: it exists, but nothing can be done
    /// as it (litewire has no privileges), so 0A000 rather than params.rs's 22023.
    async fn role_not_taken(&mut self, name: &str, value: &str, e: PgError) -> PgError {
        if name != "role" || e.code != SqlState::INVALID_PARAMETER_VALUE {
            return e;
        }
        let role = value.trim_matches('\'');
        let probe = format!(
            "SELECT litewire_role_exists('{}')",
            role.replace('\'', "''")
        );
        match self.first_value(&probe).await {
            Ok(Some(v)) if v == "1" => crate::sql::translate::unsupported(format!(
                "SET ROLE / SET SESSION AUTHORIZATION to role \"{role}\" (litewire has no privileges)"
            )),
            _ => e,
        }
    }

    /// A statement SQLite runs as several (`sql/ddl.rs`): all of them or none, in the
    /// open transaction or an implicit one, under the original statement's tag.
    async fn several(&mut self, several: sql::ddl::Several) -> Result<String, PgError> {
        let atomic = several.parts.len() > 1;
        for part in &several.parts {
            let source: Arc<str> = Arc::from(part.as_str());
            // REINDEX has no tree (sqlparser lacks it): ddl.rs built it from one name;
            // ALTER INDEX's parts are SQLite's own definition of the index.
            let sqlite = match several.tag {
                "REINDEX" | "ALTER INDEX" => source.clone(),
                _ => self.sqlite_text(part).await?,
            };
            let mut job = Job::simple(sqlite, source, sql::Verb::Fixed(several.tag));
            job.begin = atomic && self.tx == Tx::Idle && !self.implicit;
            match self.run_job(job).await {
                Ok(_) => {}
                Err(e) if several.tag == "REINDEX" => {
                    let e = sql::ddl::missing_reindex_target(part, e);
                    if e.code != SqlState::UNDEFINED_TABLE {
                        return Err(e);
                    }
                    // A key's index, which pg_class names `t_pkey`: its table's REINDEX.
                    let name = e
                        .message
                        .split('"')
                        .nth(1)
                        .unwrap_or_default()
                        .replace('\'', "''");
                    let table = self
                        .first_value(&format!(
                            "SELECT t.relname FROM pg_index i JOIN pg_class c \
                             ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid \
                             WHERE c.relname = '{name}'"
                        ))
                        .await?;
                    let Some(table) = table else {
                        return Err(e);
                    };
                    let text: Arc<str> = Arc::from(format!(
                        "REINDEX {}",
                        crate::sql::lexer::quote_ident(&table)
                    ));
                    let mut job = Job::simple(text.clone(), text, sql::Verb::Fixed("REINDEX"));
                    job.begin = atomic && self.tx == Tx::Idle && !self.implicit;
                    self.run_job(job).await?;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(several.tag.into())
    }

    /// `ALTER INDEX a RENAME TO b`: SQLite cannot rename an index, so it is created again
    /// under the new name from the definition SQLite keeps, and the old one dropped, in
    /// one transaction.
    async fn rename_index(&mut self, r: sql::ddl::RenameIndex) -> Result<String, PgError> {
        let lookup = format!(
            "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = '{}'",
            r.name.replace('\'', "''")
        );
        let missing = format!("relation \"{}\" does not exist", r.name);
        let Some(definition) = self.first_value(&lookup).await? else {
            if r.if_exists {
                self.conn.error(&PgError {
                    severity: crate::protocol::Severity::Notice,
                    ..PgError::new(
                        SqlState::SUCCESSFUL_COMPLETION,
                        format!("{missing}, skipping"),
                    )
                });
                return Ok("ALTER INDEX".into());
            }
            return Err(PgError::new(SqlState::UNDEFINED_TABLE, missing));
        };
        let create = sql::ddl::renamed_index(&definition, &r.new_name).ok_or_else(|| {
            PgError::new(
                SqlState::FEATURE_NOT_SUPPORTED,
                format!("index \"{}\" cannot be renamed by litewire", r.name),
            )
        })?;
        let several = sql::ddl::Several {
            parts: vec![
                create,
                format!("DROP INDEX {}", crate::sql::lexer::quote_ident(&r.name)),
                // Its CLUSTER and REPLICA IDENTITY marks follow it (engine/objects).
                format!(
                    "{}SELECT litewire_relation_renamed('{}', '{}')",
                    crate::engine::objects::MARKER,
                    r.name.replace('\'', "''"),
                    r.new_name.replace('\'', "''")
                ),
            ],
            tag: "ALTER INDEX",
        };
        self.several(several).await.map_err(|e| {
            if e.message.contains("already exists") || e.message.contains("already a table") {
                PgError::new(
                    SqlState::DUPLICATE_TABLE,
                    format!("relation \"{}\" already exists", r.new_name),
                )
            } else {
                e
            }
        })
    }

    /// `CREATE INDEX ON t (a)`: translated with PostgreSQL's name (`t_a_idx`); when that
    /// is taken, PostgreSQL's next choice (`t_a_idx1`, `t_a_idx2`, ...), as SQLite
    /// refuses the statement before running it. Bounded: after [`NAME_TRIES`] names, the
    /// last error stands.
    async fn create_unnamed_index(&mut self, job: Job) -> Result<Completion, PgError> {
        const NAME_TRIES: usize = 100;
        let base = sql::ddl::index_name(&job.sql).unwrap_or_default();
        let mut attempt = job.clone();
        for n in 1..=NAME_TRIES {
            match self.run_job(attempt).await {
                Err(e) if e.message.contains("already") && !base.is_empty() => {
                    let Some(sql) = sql::ddl::renamed_index(&job.sql, &format!("{base}{n}")) else {
                        return Err(e);
                    };
                    attempt = job.clone();
                    attempt.sql = Arc::from(sql);
                }
                other => return other,
            }
        }
        self.run_job(attempt).await
    }

    /// The first value of the first row a read returns, on the session's connection
    /// (rows are not sent: a one-row result stays in the job's last chunk).
    pub(super) async fn first_value(&mut self, sql: &str) -> Result<Option<String>, PgError> {
        let lease = self.take_lease().await?;
        let text: Arc<str> = Arc::from(sql);
        let mut job = Job::simple(text.clone(), text, sql::Verb::Select);
        job.describe = false;
        let crate::engine::Finished {
            lease,
            outcome,
            tail,
            ..
        } = lease.start(job).finish().await?;
        self.lease = Some(lease);
        match outcome {
            crate::engine::Outcome::Done(_) => Ok(first_field(&tail)),
            crate::engine::Outcome::Failed(e) => Err(e),
            crate::engine::Outcome::NeedsWriteLock | crate::engine::Outcome::Suspended => Err(
                PgError::new(SqlState::INTERNAL_ERROR, "unexpected outcome of a read"),
            ),
        }
    }

    /// `SHOW name` / `SHOW ALL`; `describe` sends the RowDescription too.
    fn show(&mut self, name: &str, describe: bool) -> Result<String, PgError> {
        if name == "all" {
            if describe {
                backend::row_description(self.conn.out(), show_fields(&["name", "setting"]));
            }
            for (n, v) in self.params.all() {
                let mut row = DataRowWriter::begin(self.conn.out());
                row.value(n.as_bytes());
                row.value(v.as_bytes());
                row.finish();
            }
            return Ok("SHOW".into());
        }
        let value = self.params.get(name).ok_or_else(|| {
            PgError::new(
                SqlState::UNDEFINED_PARAMETER,
                format!("unrecognized configuration parameter \"{name}\""),
            )
        })?;
        if describe {
            backend::row_description(self.conn.out(), show_fields(&[name]));
        }
        let mut row = DataRowWriter::begin(self.conn.out());
        row.value(value.as_bytes());
        row.finish();
        Ok("SHOW".into())
    }
}

/// The RowDescription fields of a SHOW (text columns).
pub(super) fn show_fields(names: &[&str]) -> Vec<FieldDescription> {
    names
        .iter()
        .map(|n| FieldDescription::new(n.to_string(), 0, 0, oid::TEXT, -1, -1, 0))
        .collect()
}

/// The first field of the first DataRow in `messages`, as text (None: no row, or NULL).
fn first_field(messages: &[u8]) -> Option<String> {
    // 'D', length (i32), field count (i16), then each field's length (i32) and bytes.
    if messages.first() != Some(&b'D') {
        return None;
    }
    let len = i32::from_be_bytes(messages.get(7..11)?.try_into().ok()?);
    let bytes = messages.get(11..11 + usize::try_from(len).ok()?)?;
    String::from_utf8(bytes.to_vec()).ok()
}

fn name_is_all(stmt: &str) -> bool {
    sql::lexer::words(stmt).any(|w| w.eq_ignore_ascii_case("all"))
}
