//! `CREATE DATABASE`, `DROP DATABASE`, `ALTER DATABASE … RENAME TO` (and the old
//! `BRANCH src TO dst`) for a session: PostgreSQL's checks in PostgreSQL's order, the
//! other sessions of a dropped database ended for `WITH (FORCE)` (57P01, as
//! `pg_terminate_backend`), the files left to `engine/lifecycle.rs`.
//!
//! Who may: the users of `--createdb-users`, or everyone when it is empty — the rule
//! that lets a user create a database by connecting to a new name.

use std::time::{Duration, Instant};

use super::admin::ADMIN_DATABASE;
use super::session::{Session, Tx};
use crate::engine::lifecycle::{already_exists, check_name, in_use};
use crate::protocol::{PgError, Severity, SqlState};
use crate::sql::database::DatabaseCommand;

/// How long `WITH (FORCE)` waits for the sessions it ended to go (PostgreSQL: 5 s).
const FORCE_WAIT: Duration = Duration::from_secs(5);

fn does_not_exist(name: &str) -> PgError {
    PgError::new(
        SqlState::INVALID_CATALOG_NAME,
        format!("database \"{name}\" does not exist"),
    )
}

fn not_owner(name: &str) -> PgError {
    PgError::new(
        SqlState::INSUFFICIENT_PRIVILEGE,
        format!("must be owner of database {name}"),
    )
}

impl Session {
    /// Runs one database lifecycle statement; returns its tag.
    pub(super) async fn database_command(
        &mut self,
        cmd: DatabaseCommand,
        implicit_block: bool,
    ) -> Result<String, PgError> {
        let tag = cmd.tag();
        if crate::engine::standby::is_standby() {
            // As a PostgreSQL hot standby answers: every transaction is read-only.
            return Err(PgError::new(
                SqlState::READ_ONLY_SQL_TRANSACTION,
                format!("cannot execute {tag} in a read-only transaction"),
            ));
        }
        if self.tx != Tx::Idle || implicit_block {
            if let DatabaseCommand::Rename { .. } = cmd {
                // PostgreSQL renames inside a block and undoes it on ROLLBACK; a file
                // rename cannot be rolled back with the transaction.
                return Err(crate::sql::translate::unsupported(
                    "ALTER DATABASE … RENAME TO inside a transaction block",
                ));
            }
            return Err(PgError::new(
                SqlState::ACTIVE_SQL_TRANSACTION,
                format!("{tag} cannot run inside a transaction block"),
            ));
        }
        // Statements pipelined before this one (extended protocol) commit first, as
        // PostgreSQL commits them with it.
        self.commit_implicit().await?;
        let Some(server) = self.info.server() else {
            return Err(PgError::fatal(
                SqlState::ADMIN_SHUTDOWN,
                "terminating connection due to administrator command",
            ));
        };
        let may = server.cfg.may_create_databases(&self.user);
        let engine = &server.engine;
        match cmd {
            DatabaseCommand::Create {
                name,
                template,
                owner,
            } => {
                check_name(&name)?;
                // template0 and template1 are PostgreSQL's empty databases.
                let source = template.filter(|t| t != "template0" && t != "template1");
                if let Some(src) = &source {
                    check_name(src)?;
                }
                if !may {
                    return Err(PgError::new(
                        SqlState::INSUFFICIENT_PRIVILEGE,
                        "permission denied to create database",
                    ));
                }
                if let Some(owner) = owner {
                    let own = ["current_user", "session_user", "current_role"]
                        .contains(&owner.as_str())
                        || owner == *self.user;
                    if !own {
                        return Err(crate::sql::translate::unsupported(
                            "CREATE DATABASE … OWNER of another role (databases have no owners)",
                        ));
                    }
                }
                // Only the new name: the source keeps serving, new connections too (a
                // drop or rename of it meanwhile leaves the copy reading the file it
                // opened).
                let reserved = engine.reserve(&[&name]).await?;
                if let Some(src) = &source {
                    if !engine.exists(src) {
                        return Err(PgError::new(
                            SqlState::INVALID_CATALOG_NAME,
                            format!("template database \"{src}\" does not exist"),
                        ));
                    }
                }
                if engine.exists(&name) || name == ADMIN_DATABASE {
                    return Err(already_exists(&name));
                }
                engine
                    .create_database(&name, source.as_deref(), &reserved)
                    .await?;
            }
            DatabaseCommand::Drop {
                name,
                if_exists,
                force,
            } => {
                check_name(&name)?;
                let reserved = engine.reserve(&[&name]).await?;
                if !engine.exists(&name) {
                    if !if_exists {
                        return Err(does_not_exist(&name));
                    }
                    self.conn.error(&PgError {
                        severity: Severity::Notice,
                        ..PgError::new(
                            SqlState::SUCCESSFUL_COMPLETION,
                            format!("database \"{name}\" does not exist, skipping"),
                        )
                    });
                    return Ok(tag.into());
                }
                if !may {
                    return Err(not_owner(&name));
                }
                if name == self.db.name {
                    return Err(PgError::new(
                        SqlState::OBJECT_IN_USE,
                        "cannot drop the currently open database",
                    ));
                }
                if force {
                    for other in server.registry.sessions_on(&name, self.pid) {
                        super::who::session_info!(
                            target_pid = other.pid,
                            dropped = %name,
                            "terminating a session of a database being dropped"
                        );
                        server.registry.terminate(&other);
                    }
                }
                no_other_sessions(&server, self.pid, &name, force).await?;
                engine.drop_database(&name, &reserved).await?;
            }
            DatabaseCommand::Rename { from, to } => {
                if crate::engine::standby::is_replicating() {
                    // Litestream would see one file vanish and another appear: the
                    // store's history of the database would not follow the name.
                    return Err(crate::sql::translate::unsupported(
                        "ALTER DATABASE … RENAME TO while the data folder is replicated \
                         (--replicate-to)",
                    ));
                }
                check_name(&from)?;
                check_name(&to)?;
                let mut names = vec![from.as_str()];
                if to != from {
                    names.push(to.as_str());
                }
                let reserved = engine.reserve(&names).await?;
                if !engine.exists(&from) {
                    return Err(does_not_exist(&from));
                }
                if !may {
                    return Err(not_owner(&from));
                }
                if engine.exists(&to) || to == ADMIN_DATABASE {
                    return Err(already_exists(&to));
                }
                if from == self.db.name {
                    return Err(PgError::new(
                        SqlState::FEATURE_NOT_SUPPORTED,
                        "current database cannot be renamed",
                    ));
                }
                no_other_sessions(&server, self.pid, &from, false).await?;
                engine.rename_database(&from, &to, &reserved).await?;
            }
        }
        Ok(tag.into())
    }
}

/// 55006 if sessions other than `pid` use database `name`; after FORCE ended them,
/// waits up to [`FORCE_WAIT`] for them to go.
async fn no_other_sessions(
    server: &super::Shared,
    pid: i32,
    name: &str,
    wait: bool,
) -> Result<(), PgError> {
    let deadline = Instant::now() + if wait { FORCE_WAIT } else { Duration::ZERO };
    loop {
        let others = server.registry.sessions_on(name, pid).len();
        if others == 0 {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(in_use(name, others));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
