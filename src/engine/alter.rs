//! `ALTER TABLE` on a connection: SQLite's own statement where it means the same, else
//! SQLite's documented table rebuild ("Making Other Kinds Of Table Schema Changes",
//! lang_altertable.html) inside a savepoint, so a failure leaves nothing behind:
//! the new rows are tested first (PostgreSQL's 23502/23505/23514/23503 and their
//! wording), then the new table is created and filled, the old one dropped, the new one
//! renamed, and the old table's indexes and triggers created again; views over a dropped
//! column are dropped with CASCADE and refused without it (2BP01).
//!
//! Foreign keys: SQLite's `PRAGMA foreign_keys = OFF` does nothing inside a transaction,
//! and the statement always runs inside one, so enforcement is switched off for the
//! rebuild with `sqlite3_db_config(SQLITE_DBCONFIG_ENABLE_FKEY)` (which takes effect at
//! once, leaving the deferred-violation count alone) and switched back on before the
//! savepoint is released. Dropping the old table with enforcement on would run its
//! implicit `DELETE` and fire the referencing tables' `ON DELETE` actions. The rename runs
//! with `legacy_alter_table` on, so views and triggers that name the table are read as
//! they are (they name it again once the rename is done).

use rusqlite::config::DbConfig;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension};

use super::error::to_pg;
use crate::protocol::{PgError, Severity, SqlState};
use crate::sql::alter::{self, quote, Action, Alter, Check, Plan};

const SAVEPOINT: &str = "litewire_alter";

/// Runs `alter` on `db`; NOTICEs to send go to `notices`.
pub fn run(db: &Connection, alter: &Alter, notices: &mut Vec<PgError>) -> Result<(), PgError> {
    if let Some(new) = &alter.rename_to {
        if rename_view_or_index(db, &alter.table, new)? {
            return Ok(());
        }
    }
    let found = lookup(db, &alter.table)?;
    if found.is_none() && other_relation_exists(db, &alter.table)? {
        if alter.owner_only() {
            return owner_error(db, alter).map_or(Ok(()), Err);
        }
        // A view's or sequence's column defaults, names...: PostgreSQL changes them, and
        // "does not exist" would be untrue.
        return Err(crate::sql::translate::unsupported(format!(
            "this ALTER TABLE of \"{}\", a view or sequence,",
            alter.table
        )));
    }
    let Some(found) = found else {
        let message = format!("relation \"{}\" does not exist", alter.table);
        if alter.if_exists {
            notices.push(notice(format!("{message}, skipping")));
            return Ok(());
        }
        return Err(PgError::new(SqlState::UNDEFINED_TABLE, message));
    };
    if let Some(e) = owner_error(db, alter) {
        return Err(e);
    }
    let table = found.name.clone();
    // A column of the table's own row type, or of an array of it (PostgreSQL's
    // CheckAttributeType).
    if alter
        .named_types
        .iter()
        .any(|(t, _)| t.eq_ignore_ascii_case(&table))
    {
        return Err(PgError::new(
            SqlState::INVALID_TABLE_DEFINITION,
            format!(
                "composite type {} cannot be made a member of itself",
                super::pgfuncs::quote_identifier(&table)
            ),
        ));
    }
    // A type that does not exist, an array's element too (the columns' own checks
    // below take composite types and domains, which an array may hold).
    for (element, written) in &alter.named_types {
        if !type_exists(db, element)? {
            return Err(PgError::new(
                SqlState::UNDEFINED_OBJECT,
                format!("type \"{written}\" does not exist"),
            ));
        }
    }
    if let [Action::Native(sql)] = alter.actions.as_slice() {
        // An internal batch when the new column's type needs checking (objects.rs).
        let ran = if super::objects::is_batch(sql) {
            super::objects::run_batch(db, sql).map(|mut n| notices.append(&mut n))
        } else {
            db.execute_batch(sql).map_err(|e| to_pg(&e))
        };
        // A renamed table keeps its UNLOGGED and CLUSTER marks (engine/objects).
        let ran = ran.and_then(|()| match &alter.rename_to {
            Some(new) if found.schema == "main" => {
                super::objects::relation_renamed(db, &table, new).map_err(|e| to_pg(&e))
            }
            _ => Ok(()),
        });
        return ran.map_err(
            |e| match e.message.strip_prefix("duplicate column name: ") {
                Some(c) => PgError::new(
                    SqlState::DUPLICATE_COLUMN,
                    format!("column \"{c}\" of relation \"{table}\" already exists"),
                ),
                None => e,
            },
        );
    }
    if alter.actions.contains(&Action::SetUnlogged) {
        // No logged table may reference an unlogged one (PostgreSQL's message says
        // "references" of the referencing table).
        let mut logged = Vec::new();
        for t in referencing_tables(db, &table)? {
            if !t.eq_ignore_ascii_case(&table)
                && !super::objects::is_unlogged(db, &t).map_err(|e| to_pg(&e))?
            {
                logged.push(t);
            }
        }
        if let Some(other) = logged.into_iter().next() {
            return Err(PgError::new(
                SqlState::INVALID_TABLE_DEFINITION,
                format!(
                    "could not change table \"{table}\" to unlogged because it references logged table \"{other}\""
                ),
            ));
        }
    }
    if alter
        .actions
        .contains(&Action::Relation(alter::RelationChange::Logged(true)))
    {
        for other in referenced_tables(db, &table)? {
            if !other.eq_ignore_ascii_case(&table)
                && super::objects::is_unlogged(db, &other).map_err(|e| to_pg(&e))?
            {
                return Err(PgError::new(
                    SqlState::INVALID_TABLE_DEFINITION,
                    format!(
                        "could not change table \"{table}\" to logged because it references unlogged table \"{other}\""
                    ),
                ));
            }
        }
    }
    // ADD … USING INDEX: the index's columns, and the index to drop once replaced.
    let resolved = super::using_index::resolve(db, found.schema, &table, alter, notices)?;
    let (alter, replaced) = match &resolved {
        Some((a, r)) => (a, r.as_slice()),
        None => (alter, &[][..]),
    };
    let ct = alter::parse_definition(&found.definition).ok_or_else(|| {
        crate::sql::translate::unsupported(format!(
            "ALTER TABLE of \"{table}\", whose definition litewire cannot read,"
        ))
    })?;
    for action in &alter.actions {
        match action {
            Action::AddColumn { def, .. } => plain_column_type(db, &def.data_type)?,
            Action::SetType {
                sqlite_type,
                column,
                pg_type,
                ..
            } => {
                plain_column_type(db, sqlite_type)?;
                retyped_keys_comparable(db, &table, column, pg_type)?;
            }
            _ => {}
        }
    }
    let mut indexes = index_names(db, &found)?;
    // An index a constraint takes over goes: the rebuild creates the constraint's own.
    indexes.retain(|i| !replaced.contains(i));
    let mut plan = alter::plan(alter, ct, &indexes, found.schema == "temp")?;
    plan.dropped_indexes.extend(replaced.iter().cloned());
    notices.append(&mut plan.notices);
    refuse_retyped_view_columns(db, &table, &plan)?;
    if alter
        .actions
        .iter()
        .any(|a| matches!(a, Action::SetType { .. }))
    {
        refuse_row_type_users(db, &table)?;
    }
    for check in &plan.checks {
        test(db, &table, &plan, check)?;
    }
    if !plan.rebuild && plan.dropped_indexes.is_empty() {
        return record_relation(db, &found, alter);
    }
    exec(db, &format!("SAVEPOINT {SAVEPOINT}"))?;
    let fkeys = db
        .db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_FKEY)
        .map_err(|e| to_pg(&e))?;
    let done = rebuild(db, &found, &plan, notices);
    // Back on before anything else runs, whatever happened.
    let restored = db.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_FKEY, fkeys);
    let done = done.and_then(|()| {
        restored.map_err(|e| to_pg(&e))?;
        if let Some(objects) = &plan.objects {
            notices.append(&mut super::objects::run_batch(db, objects)?);
        }
        if plan.keys_changed {
            referencing_still_match(db, &table, &plan)?;
        }
        record_relation(db, &found, alter)?;
        exec(db, &format!("RELEASE {SAVEPOINT}"))
    });
    if done.is_err() {
        let _ = db.execute_batch(&format!("ROLLBACK TO {SAVEPOINT}; RELEASE {SAVEPOINT}"));
    }
    done
}

/// The settings only the catalog shows (UNLOGGED, CLUSTER ON, REPLICA IDENTITY).
/// A temporary table has no pg_class row to show them: nothing is kept.
fn record_relation(db: &Connection, found: &Table, alter: &Alter) -> Result<(), PgError> {
    if found.schema == "temp" {
        return Ok(());
    }
    let table = found.name.as_str();
    for action in &alter.actions {
        match action {
            Action::Relation(change) => super::objects::change_relation(db, table, change)?,
            Action::SetUnlogged => {
                super::objects::change_relation(db, table, &alter::RelationChange::Logged(false))?
            }
            _ => {}
        }
    }
    Ok(())
}

/// `ALTER TABLE v RENAME TO w` of a view or an index, which PostgreSQL allows and
/// SQLite cannot do: created again under the new name from the definition SQLite keeps,
/// the old one dropped, in a savepoint. False when `name` is neither.
fn rename_view_or_index(db: &Connection, name: &str, new: &str) -> Result<bool, PgError> {
    let found: Option<(String, String, String)> = db
        .query_row(
            "SELECT type, name, sql FROM sqlite_schema WHERE type IN ('view', 'index') \
             AND name = ?1 COLLATE NOCASE AND sql IS NOT NULL",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .map_err(|e| to_pg(&e))?;
    let Some((kind, stored, definition)) = found else {
        return Ok(false);
    };
    let created = match kind.as_str() {
        "index" => crate::sql::ddl::renamed_index(&definition, new),
        _ => match crate::sql::parse::parse_one(&definition, 200) {
            Ok(mut stmt @ sqlparser::ast::Statement::CreateView { .. }) => {
                if let sqlparser::ast::Statement::CreateView { name, .. } = &mut stmt {
                    *name =
                        sqlparser::ast::ObjectName::from(vec![sqlparser::ast::Ident::with_quote(
                            '"', new,
                        )]);
                }
                Some(stmt.to_string())
            }
            _ => None,
        },
    };
    let created = created.ok_or_else(|| {
        crate::sql::translate::unsupported(format!("renaming {kind} \"{stored}\""))
    })?;
    exec(db, &format!("SAVEPOINT {SAVEPOINT}"))?;
    let done = exec(db, &created)
        .map_err(|e| {
            if e.message.contains("already exists") {
                PgError::new(
                    SqlState::DUPLICATE_TABLE,
                    format!("relation \"{new}\" already exists"),
                )
            } else {
                e
            }
        })
        .and_then(|()| exec(db, &format!("DROP {kind} {}", quote(&stored))))
        .and_then(|()| super::objects::relation_renamed(db, &stored, new).map_err(|e| to_pg(&e)))
        .and_then(|()| exec(db, &format!("RELEASE {SAVEPOINT}")));
    if done.is_err() {
        let _ = db.execute_batch(&format!("ROLLBACK TO {SAVEPOINT}; RELEASE {SAVEPOINT}"));
    }
    done.map(|()| true)
}

fn notice(message: String) -> PgError {
    PgError {
        severity: Severity::Notice,
        ..PgError::new(SqlState::SUCCESSFUL_COMPLETION, message)
    }
}

fn exec(db: &Connection, sql: &str) -> Result<(), PgError> {
    db.execute_batch(sql).map_err(|e| to_pg(&e))
}

/// A table: the schema SQLite keeps it in (`temp` first, as PostgreSQL's search path
/// has `pg_temp` first), its name there and its definition.
struct Table {
    schema: &'static str,
    name: String,
    definition: String,
}

impl Table {
    /// The table's name qualified by its schema, for SQLite.
    fn qualified(&self, name: &str) -> String {
        format!("{}.{}", self.schema, quote(name))
    }

    /// The schema's catalog table.
    fn catalog(&self) -> String {
        format!("{}.sqlite_schema", self.schema)
    }
}

fn lookup(db: &Connection, name: &str) -> Result<Option<Table>, PgError> {
    for schema in ["temp", "main"] {
        let found = db
            .query_row(
                &format!(
                    "SELECT name, sql FROM {schema}.sqlite_schema WHERE type = 'table' \
                     AND name = ?1 COLLATE NOCASE AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                ),
                [name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| to_pg(&e))?;
        if let Some((name, definition)) = found {
            return Ok(Some(Table {
                schema,
                name,
                definition,
            }));
        }
    }
    Ok(None)
}

/// Whether `name` is a view or a sequence (ALTER TABLE … OWNER TO takes them too).
fn other_relation_exists(db: &Connection, name: &str) -> Result<bool, PgError> {
    let view = db
        .query_row(
            "SELECT 1 FROM sqlite_schema WHERE type = 'view' AND name = ?1 COLLATE NOCASE \
             UNION ALL SELECT 1 FROM sqlite_temp_schema WHERE type = 'view' \
             AND name = ?1 COLLATE NOCASE",
            [name],
            |_| Ok(()),
        )
        .optional()
        .map_err(|e| to_pg(&e))?;
    if view.is_some() {
        return Ok(true);
    }
    let sequence = super::objects::sequence_oid(db, name).map_err(|e| to_pg(&e))?;
    Ok(sequence.is_some())
}

fn strings(db: &Connection, sql: &str, arg: &str) -> Result<Vec<String>, PgError> {
    let mut stmt = db.prepare(sql).map_err(|e| to_pg(&e))?;
    let rows = stmt
        .query_map([arg], |r| r.get::<_, String>(0))
        .map_err(|e| to_pg(&e))?;
    rows.collect::<Result<_, _>>().map_err(|e| to_pg(&e))
}

/// The names of `table`'s indexes that SQLite keeps a definition of (not a constraint's
/// own index).
fn index_names(db: &Connection, table: &Table) -> Result<Vec<String>, PgError> {
    strings(
        db,
        &format!(
            "SELECT name FROM {} WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL",
            table.catalog()
        ),
        &table.name,
    )
}

/// The new rows, as a PostgreSQL query over the old table.
fn new_rows(table: &str, plan: &Plan) -> String {
    let values: Vec<String> = plan
        .values
        .iter()
        .map(|(name, value)| format!("{value} AS {}", quote(name)))
        .collect();
    format!("SELECT {} FROM {}", values.join(", "), quote(table))
}

/// A PostgreSQL query over the table (a USING value, a check), translated, with the
/// comparison markers that read the columns' types expanded as a client's statement's
/// are when prepared (without them a numeric column's `a % 2 = 0` compares text).
fn over_schema(db: &Connection, pg: &str) -> Result<String, PgError> {
    let sql = alter::sqlite_query(pg)?;
    Ok(super::compare::expand(db, &sql)?.unwrap_or(sql))
}

/// The first row of a PostgreSQL query, run translated; each value as text.
fn first_row(db: &Connection, pg: &str) -> Result<Option<Vec<String>>, PgError> {
    let sql = over_schema(db, pg)?;
    let mut stmt = db.prepare(&sql).map_err(|e| to_pg(&e))?;
    let n = stmt.column_count();
    let mut rows = stmt.query([]).map_err(|e| to_pg(&e))?;
    let Some(row) = rows.next().map_err(|e| to_pg(&e))? else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let v: SqlValue = row.get(i).map_err(|e| to_pg(&e))?;
        out.push(match v {
            SqlValue::Null => "null".into(),
            SqlValue::Integer(i) => i.to_string(),
            SqlValue::Real(f) => f.to_string(),
            SqlValue::Text(t) => t,
            SqlValue::Blob(b) => format!(
                "\\x{}",
                b.iter().map(|x| format!("{x:02x}")).collect::<String>()
            ),
        });
    }
    Ok(Some(out))
}

fn quoted_list(cols: &[String]) -> String {
    cols.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", ")
}

/// PostgreSQL refuses to change the type of a column a view reads (0A000).
fn refuse_retyped_view_columns(db: &Connection, table: &str, plan: &Plan) -> Result<(), PgError> {
    if plan.retyped.is_empty() {
        return Ok(());
    }
    let mut stmt = db
        .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'view'")
        .map_err(|e| to_pg(&e))?;
    let views: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(|e| to_pg(&e))?
        .collect::<Result<_, _>>()
        .map_err(|e| to_pg(&e))?;
    for column in &plan.retyped {
        if let Some((view, _)) = views
            .iter()
            .find(|(_, sql)| alter::view_uses_column(sql, table, column))
        {
            return Err(PgError::new(
                SqlState::FEATURE_NOT_SUPPORTED,
                "cannot alter type of a column used by a view or rule",
            )
            .with_detail(format!(
                "rule _RETURN on view {view} depends on column \"{column}\""
            )));
        }
    }
    Ok(())
}

/// PostgreSQL refuses to change a column's type while another table has a column of the
/// table's row type (find_composite_type_dependencies, 0A000); litewire's such columns are
/// arrays of it (`y t[]`: a column of a composite type itself is refused).
fn refuse_row_type_users(db: &Connection, table: &str) -> Result<(), PgError> {
    let mut stmt = db
        .prepare(
            "SELECT s.name, p.name, p.type FROM (SELECT name, type FROM sqlite_schema \
             UNION ALL SELECT name, type FROM sqlite_temp_schema) s, \
             pragma_table_info(s.name) p WHERE s.type = 'table' AND p.type LIKE '%[]'",
        )
        .map_err(|e| to_pg(&e))?;
    let columns: Vec<(String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map_err(|e| to_pg(&e))?
        .collect::<Result<_, _>>()
        .map_err(|e| to_pg(&e))?;
    let user = columns.iter().find(|(_, _, ty)| {
        let element = ty.trim_end_matches("[]").trim();
        let element = element.rsplit('.').next().unwrap_or(element);
        match element.strip_prefix('"').and_then(|e| e.strip_suffix('"')) {
            Some(quoted) => quoted == table,
            None => element.eq_ignore_ascii_case(table),
        }
    });
    match user {
        Some((other, column, _)) => Err(PgError::new(
            SqlState::FEATURE_NOT_SUPPORTED,
            format!("cannot alter table \"{table}\" because column \"{other}.{column}\" uses its row type"),
        )),
        None => Ok(()),
    }
}

/// Tests the new rows against one constraint, with PostgreSQL's error when one fails.
fn test(db: &Connection, table: &str, plan: &Plan, check: &Check) -> Result<(), PgError> {
    let rows = new_rows(table, plan);
    let t = quote(table);
    match check {
        Check::NotNull(c) => {
            let q = format!(
                "SELECT 1 FROM ({rows}) AS {t} WHERE {} IS NULL LIMIT 1",
                quote(c)
            );
            if first_row(db, &q)?.is_some() {
                return Err(PgError::new(
                    SqlState::NOT_NULL_VIOLATION,
                    format!("column \"{c}\" of relation \"{table}\" contains null values"),
                ));
            }
        }
        Check::Default { value, data_type } => {
            // A declared type PostgreSQL cannot read (another tool's) is not checked.
            if let Ok(sql) = alter::sqlite_query(&format!("SELECT CAST({value} AS {data_type})")) {
                db.query_row(&sql, [], |_| Ok(())).map_err(|e| to_pg(&e))?;
            }
        }
        Check::Check {
            name,
            expr,
            not_valid,
        } => {
            let q = format!("SELECT 1 FROM ({rows}) AS {t} WHERE NOT ({expr}) LIMIT 1");
            if first_row(db, &q)?.is_some() {
                if *not_valid {
                    return Err(crate::sql::translate::unsupported(format!(
                        "NOT VALID check constraint \"{name}\" that rows of \"{table}\" violate (SQLite checks every row)"
                    )));
                }
                return Err(PgError::new(
                    SqlState::CHECK_VIOLATION,
                    format!("check constraint \"{name}\" of relation \"{table}\" is violated by some row"),
                ));
            }
        }
        Check::Unique { name, columns } => {
            let cols = quoted_list(columns);
            let not_null: Vec<String> = columns
                .iter()
                .map(|c| format!("{} IS NOT NULL", quote(c)))
                .collect();
            let q = format!(
                "SELECT {cols} FROM ({rows}) AS {t} WHERE {} GROUP BY {cols} HAVING count(*) > 1 LIMIT 1",
                not_null.join(" AND ")
            );
            if let Some(values) = first_row(db, &q)? {
                return Err(PgError::new(
                    SqlState::UNIQUE_VIOLATION,
                    format!("could not create unique index \"{name}\""),
                )
                .with_detail(format!(
                    "Key ({})=({}) is duplicated.",
                    columns.join(", "),
                    values.join(", ")
                )));
            }
        }
        Check::ForeignKey {
            name,
            columns,
            table: parent,
            referred,
        } => {
            let self_reference = parent.eq_ignore_ascii_case(table);
            let referred = referenced_key(
                db,
                plan,
                table,
                parent,
                columns.len(),
                referred,
                self_reference,
            )?;
            for (c, r) in columns.iter().zip(&referred) {
                let mine = alter::column_type(&plan.definition, c).unwrap_or_default();
                let theirs = if self_reference {
                    alter::column_type(&plan.definition, r).unwrap_or_default()
                } else {
                    db.query_row(
                        "SELECT type FROM pragma_table_info(?1) WHERE name = ?2 COLLATE NOCASE",
                        [parent.as_str(), r.as_str()],
                        |row| row.get::<_, String>(0),
                    )
                    .optional()
                    .map_err(|e| to_pg(&e))?
                    .unwrap_or_default()
                };
                if !alter::comparable(&mine, &theirs) {
                    return Err(PgError::new(
                        SqlState::DATATYPE_MISMATCH,
                        format!("foreign key constraint \"{name}\" cannot be implemented"),
                    )
                    .with_detail(format!(
                        "Key columns \"{c}\" and \"{r}\" are of incompatible types: {} and {}.",
                        alter::type_for_message(&mine),
                        alter::type_for_message(&theirs)
                    )));
                }
            }
            let source = if self_reference {
                format!("({rows})")
            } else {
                quote(parent)
            };
            let matched: Vec<String> = columns
                .iter()
                .zip(&referred)
                .map(|(c, r)| format!("litewire_parent.{} = {t}.{}", quote(r), quote(c)))
                .collect();
            let not_null: Vec<String> = columns
                .iter()
                .map(|c| format!("{t}.{} IS NOT NULL", quote(c)))
                .collect();
            let cols: Vec<String> = columns
                .iter()
                .map(|c| format!("{t}.{}", quote(c)))
                .collect();
            let q = format!(
                "SELECT {} FROM ({rows}) AS {t} WHERE {} AND NOT EXISTS \
                 (SELECT 1 FROM {source} AS litewire_parent WHERE {}) LIMIT 1",
                cols.join(", "),
                not_null.join(" AND "),
                matched.join(" AND ")
            );
            if let Some(values) = first_row(db, &q)? {
                return Err(PgError::new(
                    SqlState::FOREIGN_KEY_VIOLATION,
                    format!(
                        "insert or update on table \"{table}\" violates foreign key constraint \"{name}\""
                    ),
                )
                .with_detail(format!(
                    "Key ({})=({}) is not present in table \"{parent}\".",
                    columns.join(", "),
                    values.join(", ")
                )));
            }
        }
    }
    Ok(())
}

/// The referenced columns of a new foreign key: those named, which must be the parent's
/// primary key or one of its unique keys, or else its primary key (PostgreSQL's 42P01,
/// 42704, 42830 otherwise).
fn referenced_key(
    db: &Connection,
    plan: &Plan,
    table: &str,
    parent: &str,
    n: usize,
    referred: &[String],
    self_reference: bool,
) -> Result<Vec<String>, PgError> {
    let keys: Vec<(bool, Vec<String>)> = if self_reference {
        let _ = table;
        alter::keys(&plan.definition)
    } else {
        let Some(Table { name: stored, .. }) = lookup(db, parent)? else {
            return Err(PgError::new(
                SqlState::UNDEFINED_TABLE,
                format!("relation \"{parent}\" does not exist"),
            ));
        };
        parent_keys(db, &stored)?
    };
    let key = if referred.is_empty() {
        keys.iter()
            .find(|(primary, _)| *primary)
            .map(|(_, cols)| cols.clone())
            .ok_or_else(|| {
                PgError::new(
                    SqlState::UNDEFINED_OBJECT,
                    format!("there is no primary key for referenced table \"{parent}\""),
                )
            })?
    } else {
        let same = |cols: &[String]| {
            cols.len() == referred.len()
                && referred
                    .iter()
                    .all(|r| cols.iter().any(|c| c.eq_ignore_ascii_case(r)))
        };
        if !keys.iter().any(|(_, cols)| same(cols)) {
            return Err(PgError::new(
                SqlState::INVALID_FOREIGN_KEY,
                format!("there is no unique constraint matching given keys for referenced table \"{parent}\""),
            ));
        }
        referred.to_vec()
    };
    if key.len() != n {
        return Err(PgError::new(
            SqlState::INVALID_FOREIGN_KEY,
            "number of referencing and referenced columns for foreign key disagree",
        ));
    }
    Ok(key)
}

/// A table's primary key and unique keys, from SQLite's pragmas.
fn parent_keys(db: &Connection, table: &str) -> Result<Vec<(bool, Vec<String>)>, PgError> {
    let mut out = Vec::new();
    let mut pk: Vec<(i64, String)> = {
        let mut stmt = db
            .prepare("SELECT pk, name FROM pragma_table_info(?1) WHERE pk > 0")
            .map_err(|e| to_pg(&e))?;
        let rows = stmt
            .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| to_pg(&e))?;
        rows.collect::<Result<_, _>>().map_err(|e| to_pg(&e))?
    };
    pk.sort();
    if !pk.is_empty() {
        out.push((true, pk.into_iter().map(|(_, n)| n).collect()));
    }
    let unique = strings(
        db,
        "SELECT name FROM pragma_index_list(?1) WHERE \"unique\" AND origin <> 'pk'",
        table,
    )?;
    for index in unique {
        let cols = strings(
            db,
            "SELECT name FROM pragma_index_info(?1) ORDER BY seqno",
            &index,
        )?;
        out.push((false, cols));
    }
    Ok(out)
}

/// Steps 4–9 of SQLite's procedure, inside the savepoint, foreign keys not enforced.
fn rebuild(
    db: &Connection,
    found: &Table,
    plan: &Plan,
    notices: &mut Vec<PgError>,
) -> Result<(), PgError> {
    let table = found.name.as_str();
    for index in &plan.dropped_indexes {
        exec(db, &format!("DROP INDEX {}", found.qualified(index)))?;
    }
    if !plan.rebuild {
        return Ok(());
    }
    db.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_FKEY, false)
        .map_err(|e| to_pg(&e))?;
    let catalog = found.catalog();
    let indexes = strings(
        db,
        &format!(
            "SELECT sql FROM {catalog} WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL"
        ),
        table,
    )?;
    let triggers = strings(
        db,
        &format!("SELECT sql FROM {catalog} WHERE type = 'trigger' AND tbl_name = ?1"),
        table,
    )?;
    let new_name = format!("litewire_alter_{table}");
    let mut definition = plan.definition.clone();
    definition.name = sqlparser::ast::ObjectName::from(vec![
        sqlparser::ast::Ident::new(found.schema),
        sqlparser::ast::Ident::with_quote('"', new_name.clone()),
    ]);
    definition.if_not_exists = false;
    exec(db, &definition.to_string())?;
    let copied: Vec<(String, String)> = plan
        .values
        .iter()
        .filter(|(name, _)| plan.copied.iter().any(|c| c == name))
        .cloned()
        .collect();
    let select: Vec<String> = copied
        .iter()
        .map(|(name, value)| format!("{value} AS {}", quote(name)))
        .collect();
    let names: Vec<String> = copied.iter().map(|(n, _)| n.clone()).collect();
    let pg_select = format!("SELECT {} FROM {}", select.join(", "), quote(table));
    exec(
        db,
        &format!(
            "INSERT INTO {} ({}) {}",
            found.qualified(&new_name),
            quoted_list(&names),
            over_schema(db, &pg_select)?
        ),
    )?;
    exec(db, &format!("DROP TABLE {}", found.qualified(table)))?;
    let legacy = db
        .db_config(DbConfig::SQLITE_DBCONFIG_LEGACY_ALTER_TABLE)
        .map_err(|e| to_pg(&e))?;
    db.set_db_config(DbConfig::SQLITE_DBCONFIG_LEGACY_ALTER_TABLE, true)
        .map_err(|e| to_pg(&e))?;
    let renamed = exec(
        db,
        &format!(
            "ALTER TABLE {} RENAME TO {}",
            quote(&new_name),
            quote(table)
        ),
    );
    let _ = db.set_db_config(DbConfig::SQLITE_DBCONFIG_LEGACY_ALTER_TABLE, legacy);
    renamed?;
    // An index or trigger on a dropped column goes with it, as in PostgreSQL.
    let dropped_column =
        |e: &PgError| !plan.dropped_columns.is_empty() && e.code == SqlState::UNDEFINED_COLUMN;
    for sql in indexes.iter().chain(&triggers) {
        match exec(db, sql) {
            Err(e) if dropped_column(&e) => {}
            other => other?,
        }
    }
    if !plan.dropped_columns.is_empty() {
        views_over_dropped(db, table, plan, notices)?;
    }
    Ok(())
}

/// Views that no longer read after a column was dropped: dropped with CASCADE, else
/// PostgreSQL's 2BP01.
fn views_over_dropped(
    db: &Connection,
    table: &str,
    plan: &Plan,
    notices: &mut Vec<PgError>,
) -> Result<(), PgError> {
    // Bounded: each round drops at least one view or stops.
    loop {
        let views = strings(
            db,
            "SELECT name FROM sqlite_schema WHERE type = 'view' AND ?1 IS NOT NULL",
            table,
        )?;
        let broken: Vec<String> = views
            .into_iter()
            .filter(|v| {
                db.prepare(&format!("SELECT * FROM {} LIMIT 0", quote(v)))
                    .is_err()
            })
            .collect();
        let Some(first) = broken.first() else {
            return Ok(());
        };
        let column = plan.dropped_columns.first().cloned().unwrap_or_default();
        if !plan.cascade {
            return Err(PgError::new(
                SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
                format!("cannot drop column {column} of table {table} because other objects depend on it"),
            )
            .with_detail(format!("view {first} depends on column {column} of table {table}"))
            .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
        }
        for v in &broken {
            exec(db, &format!("DROP VIEW {}", quote(v)))?;
            notices.push(notice(format!("drop cascades to view {v}")));
        }
    }
}

/// The tables whose foreign keys reference `table` (itself included if it does).
fn referencing_tables(db: &Connection, table: &str) -> Result<Vec<String>, PgError> {
    strings(
        db,
        "SELECT m.name FROM sqlite_schema AS m, pragma_foreign_key_list(m.name) AS f \
         WHERE m.type = 'table' AND f.\"table\" = ?1 COLLATE NOCASE GROUP BY m.name",
        table,
    )
}

/// The tables `table`'s foreign keys reference.
fn referenced_tables(db: &Connection, table: &str) -> Result<Vec<String>, PgError> {
    strings(
        db,
        "SELECT DISTINCT f.\"table\" FROM pragma_foreign_key_list(?1) AS f",
        table,
    )
}

/// After a key of `table` was dropped or changed: the tables whose foreign keys
/// reference it must still find a key (SQLite's "foreign key mismatch" otherwise).
fn referencing_still_match(db: &Connection, table: &str, plan: &Plan) -> Result<(), PgError> {
    for child in referencing_tables(db, table)? {
        let check = |sql: &str| -> rusqlite::Result<()> {
            let mut stmt = db.prepare(sql)?;
            let mut rows = stmt.query([])?;
            rows.next()?;
            Ok(())
        };
        let Err(e) = check(&format!("PRAGMA foreign_key_check({})", quote(&child))) else {
            continue;
        };
        let e = to_pg(&e);
        if !e.message.contains("foreign key mismatch") {
            return Err(e);
        }
        let what = match (&plan.dropped_key, plan.dropped_columns.first()) {
            (Some(key), _) => format!("constraint {key} on table {table}"),
            (None, Some(c)) => format!("column {c} of table {table}"),
            (None, None) => format!("a key of table {table}"),
        };
        if plan.cascade {
            return Err(crate::sql::translate::unsupported(format!(
                "dropping {what} that table {child} references (CASCADE)"
            )));
        }
        return Err(PgError::new(
            SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
            format!("cannot drop {what} because other objects depend on it"),
        )
        .with_detail(format!(
            "a foreign key constraint on table {child} depends on it"
        ))
        .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
    }
    Ok(())
}

/// A new column of a type litewire does not know: 0A000 when it is a composite type (a
/// table's row type too) or a domain, as for CREATE TABLE's columns, and 42704 when it
/// is no type at all (objects/composites.rs).
fn plain_column_type(db: &Connection, t: &sqlparser::ast::DataType) -> Result<(), PgError> {
    // Arrays of them are left as CREATE TABLE leaves them (arrays.rs reads such
    // columns' elements).
    let sqlparser::ast::DataType::Custom(name, modifiers) = t else {
        return Ok(());
    };
    let [part] = name.0.as_slice() else {
        return Ok(());
    };
    match part.as_ident() {
        Some(i) if modifiers.is_empty() => db
            .query_row(
                "SELECT litewire_plain_column_type(?1, 1)",
                [alter::ident(i)],
                |_| Ok(()),
            )
            .map_err(|e| to_pg(&e)),
        _ => Ok(()),
    }
}

/// Whether type `name` (folded, no array brackets) exists: one of PostgreSQL's own, an
/// enum, composite type or domain, or a table's or view's row type (a temporary one's
/// too).
fn type_exists(db: &Connection, name: &str) -> Result<bool, PgError> {
    if crate::engine::catalog::types::postgres_has_type(name) {
        return Ok(true);
    }
    let temporary = db
        .query_row(
            "SELECT 1 FROM temp.sqlite_schema WHERE type IN ('table', 'view') \
             AND name = ?1 COLLATE NOCASE",
            [name],
            |_| Ok(()),
        )
        .optional()
        .map_err(|e| to_pg(&e))?
        .is_some();
    // Quoted: the name is folded already (objects read it as written text).
    let quoted = crate::sql::lexer::quote_ident(name);
    Ok(temporary || super::objects::type_exists(db, &quoted).map_err(|e| to_pg(&e))?)
}

/// `OWNER TO` a role other than the session's user: 42704 when it does not exist, 0A000
/// for one CREATE ROLE made (litewire keeps no owner: the session's user owns all).
fn owner_error(db: &Connection, alter: &Alter) -> Option<PgError> {
    let e = alter.unknown_owner()?;
    let role = alter.actions.iter().find_map(|a| match a {
        Action::OwnerTo(Some(role)) => Some(role.as_str()),
        _ => None,
    })?;
    match super::objects::is_role(db, role) {
        Ok(true) => Some(crate::sql::translate::unsupported(format!(
            "OWNER TO role \"{role}\" (the session's user owns every object)"
        ))),
        _ => Some(e),
    }
}

/// `ALTER COLUMN c TYPE t` of a column in a foreign key, its own or another table's
/// referencing it: the key's two types must still compare (42804 as PostgreSQL).
fn retyped_keys_comparable(
    db: &Connection,
    table: &str,
    column: &str,
    new_type: &str,
) -> Result<(), PgError> {
    // (referencing table, its column, referenced table, referenced column), one row per
    // key column, whichever side `column` is on.
    let sql = "SELECT m.name, f.\"from\", f.\"table\", coalesce(f.\"to\", \
               (SELECT p.name FROM pragma_table_info(f.\"table\") p WHERE p.pk = f.seq + 1)) \
               FROM sqlite_schema m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'";
    let mut stmt = db.prepare(sql).map_err(|e| to_pg(&e))?;
    let keys: Vec<(String, String, String, Option<String>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .and_then(|rows| rows.collect())
        .map_err(|e| to_pg(&e))?;
    let column_type = |t: &str, c: &str| -> Result<String, PgError> {
        db.query_row(
            "SELECT type FROM pragma_table_info(?1) WHERE name = ?2 COLLATE NOCASE",
            [t, c],
            |r| r.get::<_, String>(0),
        )
        .optional()
        .map(Option::unwrap_or_default)
        .map_err(|e| to_pg(&e))
    };
    let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    for (child, from, parent, to) in &keys {
        // A key referencing a table without a primary key names no column (SQLite
        // refuses its rows; nothing to compare).
        let Some(to) = to else { continue };
        let (mine, theirs) = if same(child, table) && same(from, column) {
            let theirs = if same(parent, table) && same(to, column) {
                new_type.to_string()
            } else {
                column_type(parent, to)?
            };
            (new_type.to_string(), theirs)
        } else if same(parent, table) && same(to, column) {
            (column_type(child, from)?, new_type.to_string())
        } else {
            continue;
        };
        if alter::comparable(&mine, &theirs) {
            continue;
        }
        let name: Option<String> = db
            .query_row(
                "SELECT k.conname FROM pg_constraint k JOIN pg_class r ON r.oid = k.conrelid \
                 JOIN pg_class p ON p.oid = k.confrelid \
                 WHERE k.contype = 'f' AND r.relname = ?1 AND p.relname = ?2",
                [child, parent],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| to_pg(&e))?;
        return Err(PgError::new(
            SqlState::DATATYPE_MISMATCH,
            format!(
                "foreign key constraint \"{}\" cannot be implemented",
                name.unwrap_or_default()
            ),
        )
        .with_detail(format!(
            "Key columns \"{from}\" and \"{to}\" are of incompatible types: {} and {}.",
            alter::type_for_message(&mine),
            alter::type_for_message(&theirs)
        )));
    }
    Ok(())
}
