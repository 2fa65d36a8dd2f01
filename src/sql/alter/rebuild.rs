//! The rebuild of a table that an `ALTER TABLE` needs (what the statement's actions,
//! read by `sql/alter.rs`, do to the table's definition): the new `CREATE TABLE` with
//! every constraint named, how rows come from the old table, and what they must satisfy
//! before the new table replaces the old (`engine/alter.rs` runs it).

use super::*;

/// What the engine does to rebuild a table: the new definition, how its rows come from
/// the old table, and what the rows must satisfy before the new table replaces the old.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The new `CREATE TABLE`, every constraint named (the engine renames the table).
    pub definition: CreateTable,
    /// The new table's columns copied from the old one (the others take their default).
    pub copied: Vec<String>,
    /// Each new column's value (PostgreSQL text over the old table), `copied` first.
    pub values: Vec<(String, String)>,
    /// Tests of the new rows, run before anything changes.
    pub checks: Vec<Check>,
    /// Columns dropped (views over them are dropped with CASCADE, else refused).
    pub dropped_columns: Vec<String>,
    pub cascade: bool,
    /// Indexes dropped by `DROP CONSTRAINT` (unique indexes standing for a constraint).
    pub dropped_indexes: Vec<String>,
    /// Columns whose type changes (views over them are refused, as in PostgreSQL).
    pub retyped: Vec<String>,
    /// The key constraint dropped, if any (named when others still depend on it).
    pub dropped_key: Option<String>,
    /// Whether a key other tables may reference was dropped or changed.
    pub keys_changed: bool,
    /// NOTICEs to send (IF EXISTS / IF NOT EXISTS that skipped).
    pub notices: Vec<PgError>,
    /// Whether the table must be rebuilt (false: only checks, or nothing, to do).
    pub rebuild: bool,
    /// An internal batch (engine/objects) to run after the rebuild: an identity
    /// column's sequence and triggers.
    pub objects: Option<String>,
}

/// A test of the new rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    NotNull(String),
    /// A constant default must read as its column's type (PostgreSQL's 22P02...).
    Default {
        value: String,
        data_type: String,
    },
    /// A CHECK constraint's name and expression (PostgreSQL text); `not_valid`: rows
    /// that fail it cannot be kept (SQLite checks every row the rebuild copies).
    Check {
        name: String,
        expr: String,
        not_valid: bool,
    },
    Unique {
        name: String,
        columns: Vec<String>,
    },
    ForeignKey {
        name: String,
        columns: Vec<String>,
        table: String,
        referred: Vec<String>,
    },
}

/// One constraint of a definition and where it is.
#[derive(Debug, Clone)]
pub(super) struct Found {
    pub(super) name: String,
    pub(super) at: Place,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// Column `.0`'s option `.1`.
    Column(usize, usize),
    Table(usize),
}

/// Applies `alter`'s actions to the table definition `ct` (as SQLite keeps it) of the
/// table `table` whose indexes are `indexes`.
pub fn plan(
    alter: &Alter,
    mut ct: CreateTable,
    indexes: &[String],
    temporary: bool,
) -> Result<Plan, PgError> {
    let table = alter.table.as_str();
    name_all(&mut ct, table);
    // A generated column is computed again, not copied.
    let generated = |c: &ColumnDef| {
        c.options.iter().any(|o| {
            matches!(
                o.option,
                ColumnOption::Generated {
                    generation_expr: Some(_),
                    ..
                }
            )
        })
    };
    let mut p = Plan {
        copied: ct
            .columns
            .iter()
            .filter(|c| !generated(c))
            .map(|c| c.name.value.clone())
            .collect(),
        values: ct
            .columns
            .iter()
            .map(|c| (c.name.value.clone(), quote(&c.name.value)))
            .collect(),
        definition: ct,
        checks: Vec::new(),
        dropped_columns: Vec::new(),
        cascade: false,
        dropped_indexes: Vec::new(),
        retyped: Vec::new(),
        dropped_key: None,
        keys_changed: false,
        notices: Vec::new(),
        rebuild: false,
        objects: None,
    };
    for action in &alter.actions {
        apply(&mut p, table, action, indexes, temporary)?;
        name_all(&mut p.definition, table);
    }
    if p.definition.columns.is_empty() {
        return Err(translate::unsupported("a table without columns"));
    }
    if p.rebuild {
        postgres_primary_key(&mut p.definition);
    }
    Ok(p)
}

pub(super) fn notice(message: String) -> PgError {
    PgError {
        severity: crate::protocol::Severity::Notice,
        ..PgError::new(SqlState::SUCCESSFUL_COMPLETION, message)
    }
}

/// A double-quoted identifier.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub(super) fn column_index(ct: &CreateTable, name: &str) -> Option<usize> {
    ct.columns
        .iter()
        .position(|c| c.name.value.eq_ignore_ascii_case(name))
}

pub(super) fn apply(
    p: &mut Plan,
    table: &str,
    action: &Action,
    indexes: &[String],
    temporary: bool,
) -> Result<(), PgError> {
    let ct = &mut p.definition;
    let need_column =
        |ct: &CreateTable, c: &str| column_index(ct, c).ok_or_else(|| errors::no_column(c, table));
    match action {
        Action::Native(_) => return Err(translate::unsupported("this ALTER TABLE combination")),
        Action::NoEffect { column } => {
            if let Some(c) = column {
                need_column(ct, c)?;
            }
        }
        // Checked by the engine: the tables that reference this one; the owner.
        Action::SetUnlogged | Action::OwnerTo(_) | Action::Relation(_) => {}
        Action::AddColumn {
            def,
            default,
            pg_type,
            if_not_exists,
        } => {
            let name = def.name.value.clone();
            if SYSTEM_COLUMNS.contains(&name.as_str()) {
                return Err(PgError::new(
                    SqlState::DUPLICATE_COLUMN,
                    format!("column name \"{name}\" conflicts with a system column name"),
                ));
            }
            if column_index(ct, &name).is_some() {
                let message = format!("column \"{name}\" of relation \"{table}\" already exists");
                if *if_not_exists {
                    p.notices.push(notice(format!("{message}, skipping")));
                    return Ok(());
                }
                return Err(PgError::new(SqlState::DUPLICATE_COLUMN, message));
            }
            // Typed as the column, as PostgreSQL's rows read it (the tests' query compares
            // it: an untyped NULL would be text there). A varchar(n)/char(n) default goes
            // in as text, for the column's check to refuse a value too long (22001)
            // where a cast would cut it.
            let value = default.as_deref().unwrap_or("NULL");
            let cast_to = match translate::char_length(&pg_type.to_lowercase()) {
                Some(_) => "text",
                None => pg_type.as_str(),
            };
            p.values
                .push((name.clone(), format!("CAST(({value}) AS {cast_to})")));
            if def.options.iter().any(|o| {
                matches!(
                    o.option,
                    ColumnOption::NotNull
                        | ColumnOption::Unique {
                            is_primary: true,
                            ..
                        }
                )
            }) {
                p.checks.push(Check::NotNull(name));
            }
            let before = all_constraints(ct).len();
            let mut def = def.clone();
            if let Some(d) = default {
                match translate::defaults::of_written(d, pg_type)? {
                    Some(stored) => translate::defaults::replace(&mut def, stored),
                    // Another type's literal (an enum's label) is read as SET DEFAULT's.
                    None if d.starts_with('\'') => p.checks.push(Check::Default {
                        value: d.clone(),
                        data_type: def.data_type.to_string(),
                    }),
                    None => {}
                }
            }
            ct.columns.push(def);
            p.rebuild = true;
            name_all(ct, table);
            let found = all_constraints(ct);
            for f in &found[before..] {
                if let Some(c) = check_of(ct, f) {
                    p.checks.push(c);
                }
            }
        }
        Action::DropColumn {
            name,
            if_exists,
            cascade,
        } => {
            let Some(i) = column_index(ct, name) else {
                if *if_exists {
                    p.notices.push(notice(format!(
                        "column \"{name}\" of relation \"{table}\" does not exist, skipping"
                    )));
                    return Ok(());
                }
                return Err(errors::no_column(name, table));
            };
            let stored = ct.columns[i].name.value.clone();
            // Table constraints over the column go with it, as its indexes do.
            let mut k = 0;
            while k < ct.constraints.len() {
                if constraint_columns(&ct.constraints[k])
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(&stored))
                {
                    if matches!(
                        ct.constraints[k],
                        TableConstraint::PrimaryKey { .. } | TableConstraint::Unique { .. }
                    ) {
                        p.keys_changed = true;
                    }
                    ct.constraints.remove(k);
                } else {
                    k += 1;
                }
            }
            if ct.columns[i]
                .options
                .iter()
                .any(|o| matches!(o.option, ColumnOption::Unique { .. }))
            {
                p.keys_changed = true;
            }
            ct.columns.remove(i);
            p.copied.retain(|c| !c.eq_ignore_ascii_case(&stored));
            p.values.retain(|(c, _)| !c.eq_ignore_ascii_case(&stored));
            p.checks.retain(|c| match c {
                Check::NotNull(c) => !c.eq_ignore_ascii_case(&stored),
                _ => true,
            });
            p.dropped_columns.push(stored);
            p.cascade |= *cascade;
            p.rebuild = true;
        }
        Action::AddConstraint {
            constraint,
            check,
            not_valid,
        } => {
            let constraint = constraint.clone();
            let found = all_constraints(ct);
            if let Some(name) = constraint_name_of(&constraint) {
                if found.iter().any(|f| f.name == name) || indexes.contains(&name) {
                    return Err(errors::duplicate_constraint(&name, table));
                }
            }
            for c in constraint_columns(&constraint) {
                if !matches!(constraint, TableConstraint::Check { .. })
                    && column_index(ct, &c).is_none()
                {
                    return Err(PgError::new(
                        SqlState::UNDEFINED_COLUMN,
                        format!("column \"{c}\" named in key does not exist"),
                    ));
                }
            }
            if let TableConstraint::PrimaryKey { columns, .. } = &constraint {
                if found.iter().any(|f| is_primary(ct, f.at)) {
                    return Err(PgError::new(
                        SqlState::INVALID_TABLE_DEFINITION,
                        format!("multiple primary keys for table \"{table}\" are not allowed"),
                    ));
                }
                // PostgreSQL's key columns are NOT NULL (SQLite's are not, in a rowid table).
                for c in columns {
                    let name = c.column.expr.to_string();
                    let name = name.trim_matches('"');
                    if let Some(i) = column_index(ct, name) {
                        set_not_null(&mut ct.columns[i], true);
                        p.checks
                            .push(Check::NotNull(ct.columns[i].name.value.clone()));
                    }
                }
            }
            ct.constraints.push(constraint);
            name_all(ct, table);
            let all = all_constraints(ct);
            let added = all.last().cloned();
            if let Some(f) = added {
                match check_of(ct, &f) {
                    // NOT VALID: existing rows are not checked against a foreign key.
                    Some(Check::ForeignKey { .. }) if *not_valid => {}
                    // Tested as written (the definition holds SQLite's text).
                    Some(Check::Check { name, expr, .. }) => p.checks.push(Check::Check {
                        name,
                        expr: check.clone().unwrap_or(expr),
                        not_valid: *not_valid,
                    }),
                    Some(c) => p.checks.push(c),
                    None => {}
                }
            }
            p.rebuild = true;
        }
        Action::DropConstraint {
            name,
            if_exists,
            cascade,
        } => {
            let found = all_constraints(ct);
            match found.iter().find(|f| f.name == *name) {
                Some(f) => {
                    let at = f.at;
                    if is_primary(ct, at) || is_unique(ct, at) {
                        p.keys_changed = true;
                        p.dropped_key = Some(name.clone());
                    }
                    let key_columns = is_primary(ct, at).then(|| place_columns(ct, at));
                    remove(ct, at);
                    // The key's columns stay NOT NULL, as in PostgreSQL.
                    for c in key_columns.unwrap_or_default() {
                        if let Some(i) = column_index(ct, &c) {
                            set_not_null(&mut ct.columns[i], true);
                        }
                    }
                    p.rebuild = true;
                }
                None if indexes.iter().any(|i| i == name) => {
                    p.dropped_indexes.push(name.clone());
                    p.keys_changed = true;
                }
                None if *if_exists => p.notices.push(notice(format!(
                    "constraint \"{name}\" of relation \"{table}\" does not exist, skipping"
                ))),
                None => return Err(errors::no_constraint(name, table)),
            }
            p.cascade |= *cascade;
        }
        Action::AlterConstraint {
            name,
            deferrable,
            deferred,
        } => {
            let found = all_constraints(ct);
            let Some(f) = found.iter().find(|f| f.name == *name) else {
                return Err(errors::no_constraint(name, table));
            };
            let characteristics = match f.at {
                Place::Column(c, o) => match &mut ct.columns[c].options[o].option {
                    ColumnOption::ForeignKey {
                        characteristics, ..
                    } => characteristics,
                    _ => return Err(not_foreign_key(name, table)),
                },
                Place::Table(t) => match &mut ct.constraints[t] {
                    TableConstraint::ForeignKey {
                        characteristics, ..
                    } => characteristics,
                    _ => return Err(not_foreign_key(name, table)),
                },
            };
            let initially = if *deferred {
                sqlparser::ast::DeferrableInitial::Deferred
            } else {
                sqlparser::ast::DeferrableInitial::Immediate
            };
            *characteristics = Some(sqlparser::ast::ConstraintCharacteristics {
                deferrable: Some(*deferrable),
                initially: Some(initially),
                enforced: None,
            });
            p.rebuild = true;
        }
        Action::RenameConstraint { old, new } => {
            let found = all_constraints(ct);
            let Some(f) = found.iter().find(|f| f.name == *old) else {
                return Err(PgError::new(
                    SqlState::UNDEFINED_OBJECT,
                    format!("constraint \"{old}\" for table \"{table}\" does not exist"),
                ));
            };
            if found.iter().any(|f| f.name == *new) || indexes.iter().any(|i| i == new) {
                return Err(errors::duplicate_constraint(new, table));
            }
            set_name(ct, f.at, Ident::with_quote('"', new.clone()));
            p.rebuild = true;
        }
        Action::ValidateConstraint(name) => {
            let found = all_constraints(ct);
            let Some(f) = found.iter().find(|f| f.name == *name) else {
                return Err(errors::no_constraint(name, table));
            };
            if let Some(c) = check_of(ct, f) {
                p.checks.push(c);
            }
        }
        Action::SetType {
            column,
            sqlite_type,
            pg_type,
            using,
        } => {
            let i = need_column(ct, column)?;
            let stored = ct.columns[i].name.value.clone();
            let value = match using {
                Some(u) => u.clone(),
                None => {
                    let old = family(&ct.columns[i].data_type.to_string());
                    let new = family(pg_type);
                    let automatic = old == new
                        || new == Family::Text
                        || old == Family::Other
                        || new == Family::Other;
                    if !automatic {
                        return Err(PgError::new(
                            SqlState::DATATYPE_MISMATCH,
                            format!(
                                "column \"{stored}\" cannot be cast automatically to type {}",
                                display_type(pg_type)
                            ),
                        )
                        .with_hint(format!(
                            "You might need to specify \"USING {stored}::{}\".",
                            display_type(pg_type)
                        )));
                    }
                    // An assignment: a varchar(n)/char(n) value too long is refused by
                    // the column's check (22001), where an explicit cast would cut it.
                    if translate::char_length(&pg_type.to_lowercase()).is_some() {
                        format!("CAST({} AS text)", quote(&stored))
                    } else {
                        format!("CAST({} AS {pg_type})", quote(&stored))
                    }
                }
            };
            let has_default = ct.columns[i]
                .options
                .iter()
                .any(|o| matches!(o.option, ColumnOption::Default(_)));
            let old = family(&ct.columns[i].data_type.to_string());
            let new = family(pg_type);
            if has_default
                && old != new
                && new != Family::Text
                && old != Family::Other
                && new != Family::Other
            {
                return Err(PgError::new(
                    SqlState::DATATYPE_MISMATCH,
                    format!(
                        "default for column \"{stored}\" cannot be cast automatically to type {}",
                        display_type(pg_type)
                    ),
                ));
            }
            checks_still_typed(ct, &stored, pg_type)?;
            translate::defaults::retyped(&mut ct.columns[i], pg_type)?;
            ct.columns[i].data_type = sqlite_type.clone();
            // The old type's value check goes; the new type's, if any, comes.
            ct.columns[i].options.retain(|o| {
                !o.name
                    .as_ref()
                    .is_some_and(|n| n.value.starts_with(translate::VALUE_CHECK))
            });
            let name = ct.columns[i].name.clone();
            if let Some(check) = translate::value_check(&name, pg_type) {
                ct.columns[i].options.push(check);
            }
            p.retyped.push(stored.clone());
            for v in &mut p.values {
                if v.0.eq_ignore_ascii_case(&stored) {
                    v.1 = value.clone();
                }
            }
            if is_key_column(ct, &stored) {
                p.keys_changed = true;
            }
            p.rebuild = true;
        }
        Action::SetDefault {
            column,
            default,
            literal,
        } => {
            let i = need_column(ct, column)?;
            if let Some(value) = literal {
                p.checks.push(Check::Default {
                    value: value.clone(),
                    data_type: ct.columns[i].data_type.to_string(),
                });
            }
            let c = &mut ct.columns[i];
            c.options
                .retain(|o| !matches!(o.option, ColumnOption::Default(_)));
            if let Some(d) = default {
                // A string literal read with the column's type (translate/defaults.rs).
                let written = match literal {
                    Some(l) => translate::defaults::of_written(l, &c.data_type.to_string())?,
                    None => None,
                };
                c.options.push(ColumnOptionDef {
                    name: None,
                    option: ColumnOption::Default(written.unwrap_or_else(|| d.clone())),
                });
            }
            p.rebuild = true;
        }
        Action::AddIdentity(identity) => {
            let i = need_column(ct, &identity.column)?;
            let stored = ct.columns[i].name.value.clone();
            let (data_type, default, objects) =
                identity.parts(&stored, &ct.columns[i].data_type, temporary)?;
            let prerequisite = |what: &str| {
                PgError::new(
                    SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
                    format!("column \"{stored}\" of relation \"{table}\" {what}"),
                )
            };
            let primary = keys(ct)
                .iter()
                .any(|(primary, cols)| *primary && cols.contains(&stored));
            let c = &mut ct.columns[i];
            let not_null = c
                .options
                .iter()
                .any(|o| matches!(o.option, ColumnOption::NotNull));
            if !not_null && !primary {
                return Err(prerequisite(
                    "must be declared NOT NULL before identity can be added",
                ));
            }
            if c.options
                .iter()
                .any(|o| matches!(o.option, ColumnOption::Default(_)))
            {
                return Err(prerequisite("already has a default value"));
            }
            c.data_type = data_type;
            // As `SET DEFAULT` stores it (SQLite wants the call in parentheses).
            let def = sqlite_column(&format!("c int DEFAULT {default}"))?;
            c.options.extend(
                def.options
                    .into_iter()
                    .filter(|o| matches!(o.option, ColumnOption::Default(_))),
            );
            p.objects = Some(objects);
            p.rebuild = true;
        }
        Action::NotNull { column, set } => {
            let i = need_column(ct, column)?;
            let stored = ct.columns[i].name.value.clone();
            if *set {
                p.checks.push(Check::NotNull(stored));
            } else if all_constraints(ct).iter().any(|f| {
                is_primary(ct, f.at)
                    && place_columns(ct, f.at)
                        .iter()
                        .any(|c| c.eq_ignore_ascii_case(&stored))
            }) {
                return Err(PgError::new(
                    SqlState::INVALID_TABLE_DEFINITION,
                    format!("column \"{stored}\" is in a primary key"),
                ));
            }
            set_not_null(&mut ct.columns[i], *set);
            p.rebuild = true;
        }
    }
    Ok(())
}

/// A type as PostgreSQL's `format_type` names it in messages.
pub(super) fn display_type(written: &str) -> String {
    let t = written.to_ascii_lowercase();
    let (name, rest) = match t.find(['(', '[']) {
        Some(i) => (t[..i].trim(), &t[i..]),
        None => (t.trim(), ""),
    };
    let name = match name {
        "int" | "int4" | "integer" => "integer",
        "int8" | "bigint" => "bigint",
        "int2" | "smallint" => "smallint",
        "float8" | "double precision" | "double" => "double precision",
        "float4" | "real" => "real",
        "bool" | "boolean" => "boolean",
        "varchar" | "character varying" => "character varying",
        "char" | "bpchar" | "character" => "character",
        "decimal" | "numeric" | "numeric_text" => "numeric",
        "timestamptz" | "timestamp with time zone" => "timestamp with time zone",
        "timestamp" | "timestamp without time zone" => "timestamp without time zone",
        other => other,
    };
    format!("{name}{rest}")
}

/// Broad type families: within one, and to text, PostgreSQL has an assignment cast, so
/// `ALTER COLUMN … TYPE` needs no `USING`; across them (text to integer, integer to
/// boolean) it refuses without one. `Other`: types not judged here.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Family {
    Text,
    Number,
    Bool,
    DateTime,
    Time,
    Interval,
    Json,
    Other,
}

pub(super) fn family(type_name: &str) -> Family {
    let t = type_name.to_ascii_lowercase();
    if t.contains('[') {
        return Family::Other;
    }
    let base = t.split('(').next().unwrap_or("").trim();
    match base {
        "text" | "varchar" | "character varying" | "char" | "character" | "bpchar" | "name"
        | "citext" => Family::Text,
        "int" | "integer" | "int2" | "int4" | "int8" | "smallint" | "bigint" | "numeric"
        | "numeric_text" | "decimal" | "real" | "float" | "float4" | "float8"
        | "double precision" | "double" => Family::Number,
        "bool" | "boolean" => Family::Bool,
        "date"
        | "timestamp"
        | "timestamptz"
        | "timestamp with time zone"
        | "timestamp without time zone" => Family::DateTime,
        "time" | "timetz" | "time with time zone" | "time without time zone" => Family::Time,
        "interval" => Family::Interval,
        "json" | "jsonb" => Family::Json,
        _ => Family::Other,
    }
}

pub(super) fn set_not_null(c: &mut ColumnDef, on: bool) {
    let has = c
        .options
        .iter()
        .any(|o| matches!(o.option, ColumnOption::NotNull));
    if on && !has {
        c.options.insert(
            0,
            ColumnOptionDef {
                name: None,
                option: ColumnOption::NotNull,
            },
        );
    } else if !on {
        c.options
            .retain(|o| !matches!(o.option, ColumnOption::NotNull | ColumnOption::Null));
    }
}

/// Every named constraint of `ct` (after [`name_all`], all of them), in order.
fn not_foreign_key(name: &str, table: &str) -> PgError {
    PgError::new(
        SqlState::WRONG_OBJECT_TYPE,
        format!("constraint \"{name}\" of relation \"{table}\" is not a foreign key constraint"),
    )
}

pub(super) fn all_constraints(ct: &CreateTable) -> Vec<Found> {
    let mut out = Vec::new();
    for (ci, c) in ct.columns.iter().enumerate() {
        for (oi, o) in c.options.iter().enumerate() {
            if is_constraint_option(&o.option) {
                out.push(Found {
                    name: o.name.as_ref().map(ident).unwrap_or_default(),
                    at: Place::Column(ci, oi),
                });
            }
        }
    }
    for (ti, t) in ct.constraints.iter().enumerate() {
        out.push(Found {
            name: constraint_name_of(t).unwrap_or_default(),
            at: Place::Table(ti),
        });
    }
    out
}

pub(super) fn is_constraint_option(o: &ColumnOption) -> bool {
    matches!(
        o,
        ColumnOption::Unique { .. } | ColumnOption::ForeignKey { .. } | ColumnOption::Check(_)
    )
}

pub(super) fn constraint_name_of(t: &TableConstraint) -> Option<String> {
    match t {
        TableConstraint::Unique { name, .. }
        | TableConstraint::PrimaryKey { name, .. }
        | TableConstraint::ForeignKey { name, .. }
        | TableConstraint::Check { name, .. }
        | TableConstraint::Index { name, .. } => name.as_ref().map(ident),
        _ => None,
    }
}

pub(super) fn set_name(ct: &mut CreateTable, at: Place, new: Ident) {
    match at {
        Place::Column(c, o) => ct.columns[c].options[o].name = Some(new),
        Place::Table(t) => match &mut ct.constraints[t] {
            TableConstraint::Unique { name, .. }
            | TableConstraint::PrimaryKey { name, .. }
            | TableConstraint::ForeignKey { name, .. }
            | TableConstraint::Check { name, .. }
            | TableConstraint::Index { name, .. } => *name = Some(new),
            _ => {}
        },
    }
}

pub(super) fn remove(ct: &mut CreateTable, at: Place) {
    match at {
        Place::Column(c, o) => {
            ct.columns[c].options.remove(o);
        }
        Place::Table(t) => {
            ct.constraints.remove(t);
        }
    }
}

pub(super) fn is_primary(ct: &CreateTable, at: Place) -> bool {
    match at {
        Place::Column(c, o) => matches!(
            ct.columns[c].options[o].option,
            ColumnOption::Unique {
                is_primary: true,
                ..
            }
        ),
        Place::Table(t) => matches!(ct.constraints[t], TableConstraint::PrimaryKey { .. }),
    }
}

pub(super) fn is_unique(ct: &CreateTable, at: Place) -> bool {
    match at {
        Place::Column(c, o) => {
            matches!(ct.columns[c].options[o].option, ColumnOption::Unique { .. })
        }
        Place::Table(t) => matches!(
            ct.constraints[t],
            TableConstraint::PrimaryKey { .. } | TableConstraint::Unique { .. }
        ),
    }
}

pub(super) fn is_key_column(ct: &CreateTable, column: &str) -> bool {
    all_constraints(ct).iter().any(|f| {
        is_unique(ct, f.at)
            && place_columns(ct, f.at)
                .iter()
                .any(|c| c.eq_ignore_ascii_case(column))
    })
}

/// The columns a constraint at `at` is on.
pub(super) fn place_columns(ct: &CreateTable, at: Place) -> Vec<String> {
    match at {
        Place::Column(c, _) => vec![ct.columns[c].name.value.clone()],
        Place::Table(t) => constraint_columns(&ct.constraints[t]),
    }
}

/// The columns a table constraint is on (a CHECK: those its expression names).
pub(super) fn constraint_columns(t: &TableConstraint) -> Vec<String> {
    let index_columns = |cols: &[sqlparser::ast::IndexColumn]| {
        cols.iter()
            .map(|c| match &c.column.expr {
                Expr::Identifier(i) => i.value.clone(),
                other => other.to_string(),
            })
            .collect()
    };
    match t {
        TableConstraint::Unique { columns, .. } | TableConstraint::PrimaryKey { columns, .. } => {
            index_columns(columns)
        }
        TableConstraint::ForeignKey { columns, .. } => {
            columns.iter().map(|c| c.value.clone()).collect()
        }
        TableConstraint::Check { expr, .. } => expression_columns(expr),
        _ => Vec::new(),
    }
}

/// Every column an expression names.
pub(super) fn expression_columns(e: &Expr) -> Vec<String> {
    struct All(Vec<String>);
    impl Visitor for All {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &Expr) -> std::ops::ControlFlow<()> {
            match e {
                Expr::Identifier(i) => self.0.push(i.value.clone()),
                Expr::CompoundIdentifier(p) => self.0.extend(p.last().map(|i| i.value.clone())),
                _ => {}
            }
            std::ops::ControlFlow::Continue(())
        }
    }
    let mut v = All(Vec::new());
    let _ = e.visit(&mut v);
    v.0
}

/// Gives every unnamed constraint PostgreSQL's name for it.
pub(super) fn name_all(ct: &mut CreateTable, table: &str) {
    let found = all_constraints(ct);
    let mut taken: Vec<String> = found
        .iter()
        .filter(|f| !f.name.is_empty())
        .map(|f| f.name.clone())
        .collect();
    for f in found.iter().filter(|f| f.name.is_empty()) {
        let (columns, label) = match f.at {
            Place::Column(c, o) => {
                let col = ident(&ct.columns[c].name);
                match &ct.columns[c].options[o].option {
                    ColumnOption::Unique {
                        is_primary: true, ..
                    } => (vec![], "pkey"),
                    ColumnOption::Unique { .. } => (vec![col], "key"),
                    ColumnOption::ForeignKey { .. } => (vec![col], "fkey"),
                    ColumnOption::Check(e) => (sole_column(e).into_iter().collect(), "check"),
                    _ => continue,
                }
            }
            Place::Table(t) => match &ct.constraints[t] {
                TableConstraint::PrimaryKey { .. } => (vec![], "pkey"),
                TableConstraint::Unique { columns, .. } => (
                    columns
                        .iter()
                        .map(|c| match &c.column.expr {
                            Expr::Identifier(i) => ident(i),
                            other => other.to_string(),
                        })
                        .collect(),
                    "key",
                ),
                TableConstraint::ForeignKey { columns, .. } => {
                    (columns.iter().map(ident).collect(), "fkey")
                }
                TableConstraint::Check { expr, .. } => {
                    (sole_column(expr).into_iter().collect(), "check")
                }
                _ => continue,
            },
        };
        // PostgreSQL names a constraint after its columns as folded (`"UserId"` keeps
        // its case: Posts_UserId_fkey).
        let name = constraint_name(table, &columns, label, &taken);
        taken.push(name.clone());
        set_name(ct, f.at, Ident::with_quote('"', name));
    }
}

/// The test of existing rows a constraint asks for.
pub(super) fn check_of(ct: &CreateTable, f: &Found) -> Option<Check> {
    let name = f.name.clone();
    match f.at {
        Place::Column(c, o) => {
            let col = ct.columns[c].name.value.clone();
            match &ct.columns[c].options[o].option {
                ColumnOption::Unique { .. } => Some(Check::Unique {
                    name,
                    columns: vec![col],
                }),
                ColumnOption::ForeignKey {
                    foreign_table,
                    referred_columns,
                    ..
                } => Some(Check::ForeignKey {
                    name,
                    columns: vec![col],
                    table: object_name(foreign_table),
                    referred: referred_columns.iter().map(|c| c.value.clone()).collect(),
                }),
                ColumnOption::Check(e) => Some(Check::Check {
                    name,
                    expr: e.to_string(),
                    not_valid: false,
                }),
                _ => None,
            }
        }
        Place::Table(t) => match &ct.constraints[t] {
            TableConstraint::PrimaryKey { .. } | TableConstraint::Unique { .. } => {
                Some(Check::Unique {
                    name,
                    columns: constraint_columns(&ct.constraints[t]),
                })
            }
            TableConstraint::ForeignKey {
                columns,
                foreign_table,
                referred_columns,
                ..
            } => Some(Check::ForeignKey {
                name,
                columns: columns.iter().map(|c| c.value.clone()).collect(),
                table: object_name(foreign_table),
                referred: referred_columns.iter().map(|c| c.value.clone()).collect(),
            }),
            TableConstraint::Check { expr, .. } => Some(Check::Check {
                name,
                expr: expr.to_string(),
                not_valid: false,
            }),
            _ => None,
        },
    }
}

/// The SQLSTATE-carrying errors the rebuild gives, worded as PostgreSQL's.
pub mod errors {
    use super::*;

    pub fn no_column(column: &str, table: &str) -> PgError {
        PgError::new(
            SqlState::UNDEFINED_COLUMN,
            format!("column \"{column}\" of relation \"{table}\" does not exist"),
        )
    }

    pub fn no_constraint(name: &str, table: &str) -> PgError {
        PgError::new(
            SqlState::UNDEFINED_OBJECT,
            format!("constraint \"{name}\" of relation \"{table}\" does not exist"),
        )
    }

    pub fn duplicate_constraint(name: &str, table: &str) -> PgError {
        PgError::new(
            SqlState::DUPLICATE_OBJECT,
            format!("constraint \"{name}\" for relation \"{table}\" already exists"),
        )
    }
}

/// After `ALTER COLUMN c TYPE t`: PostgreSQL reads the table's CHECK constraints again
/// over the new type, and one comparing `c` with a value of another family is 42883
/// (`CHECK (c <= 3)` once c is boolean). Each check that names `c` is translated with `c`
/// as a NULL of type `t`; only that error is taken (the stored text is SQLite's, so
/// anything else it gives means nothing). A string literal compared with `c` took c's
/// old type when the check was made (`CHECK (c > '10')` of a text c compares texts), so
/// it is read as a value of that type: once c is an integer, 42883 as in PostgreSQL,
/// where SQLite would compare it as a number.
fn checks_still_typed(ct: &CreateTable, column: &str, pg_type: &str) -> Result<(), PgError> {
    let old_type = ct
        .columns
        .iter()
        .find(|c| c.name.value.eq_ignore_ascii_case(column))
        .map(|c| c.data_type.to_string())
        .filter(|d| crate::engine::types::names_a_type(d))
        .and_then(|d| {
            let t = crate::engine::types::from_decltype(&d);
            crate::engine::catalog::format_type(t.oid, t.modifier)
        });
    let own = |name: &Option<Ident>| {
        name.as_ref()
            .is_some_and(|n| n.value.starts_with(translate::VALUE_CHECK))
    };
    let table_checks = ct.constraints.iter().filter_map(|c| match c {
        TableConstraint::Check { expr, .. } => Some(expr.as_ref()),
        _ => None,
    });
    let column_checks = ct.columns.iter().flat_map(|c| {
        c.options.iter().filter_map(|o| match &o.option {
            ColumnOption::Check(expr) if !own(&o.name) => Some(expr),
            _ => None,
        })
    });
    let Ok(Statement::Query(typed)) =
        super::super::parse::parse_one(&format!("SELECT CAST(NULL AS {pg_type})"), MAX_DEPTH)
    else {
        return Ok(());
    };
    let sqlparser::ast::SetExpr::Select(select) = *typed.body else {
        return Ok(());
    };
    let Some(sqlparser::ast::SelectItem::UnnamedExpr(null)) = select.projection.first() else {
        return Ok(());
    };
    for check in table_checks.chain(column_checks) {
        let mut e = check.clone();
        let mut named = false;
        if let Some(old) = &old_type {
            let is_column = |x: &Expr| matches!(x, Expr::Identifier(i) if ident(i).eq_ignore_ascii_case(column));
            let typed = |x: &mut Expr| {
                if let Expr::Value(v) = x {
                    if let sqlparser::ast::Value::SingleQuotedString(text) = &v.value {
                        let literal = format!("CAST({} AS {old})", quote_literal(text));
                        if let Ok(cast) = sqlparser::parser::Parser::new(
                            &sqlparser::dialect::PostgreSqlDialect {},
                        )
                        .try_with_sql(&literal)
                        .and_then(|mut p| p.parse_expr())
                        {
                            *x = cast;
                        }
                    }
                }
            };
            let _ = sqlparser::ast::visit_expressions_mut(&mut e, |x| {
                if let Expr::BinaryOp { left, right, .. } = x {
                    if is_column(left) {
                        typed(right);
                    } else if is_column(right) {
                        typed(left);
                    }
                }
                std::ops::ControlFlow::<()>::Continue(())
            });
        }
        let _ = sqlparser::ast::visit_expressions_mut(&mut e, |x| {
            let is_column = match x {
                Expr::Identifier(i) => ident(i).eq_ignore_ascii_case(column),
                _ => false,
            };
            if is_column {
                *x = Expr::Nested(Box::new(null.clone()));
                named = true;
            }
            std::ops::ControlFlow::<()>::Continue(())
        });
        if !named {
            continue;
        }
        match sqlite_query(&format!("SELECT {e}")) {
            Err(err)
                if err.code == SqlState::UNDEFINED_FUNCTION
                    && err.message.starts_with("operator does not exist") =>
            {
                return Err(err)
            }
            _ => {}
        }
    }
    Ok(())
}

/// `text` as a SQL string literal.
fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
