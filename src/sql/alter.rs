//! `ALTER TABLE`, read from the PostgreSQL tree into what the engine does
//! (`engine/alter.rs`): SQLite's own `RENAME`/`ADD COLUMN` where they mean the same, else
//! the actions a table rebuild applies to the table's definition. Performance-only forms
//! (storage parameters, statistics targets, clustering, logging) are accepted with no
//! effect, as they change no answer.
//!
//! New definitions (columns, types, defaults, constraints) are translated here, each as
//! part of a one-column `CREATE TABLE`, so they read exactly as `CREATE TABLE` would
//! store them; expressions evaluated over rows (`USING`, checks) stay PostgreSQL text
//! and are translated by the engine inside the query that runs them.

use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ColumnDef, ColumnOption, ColumnOptionDef,
    CreateTable, DataType, DropBehavior, Expr, Ident, ObjectName, Statement, TableConstraint,
    Visit, Visitor,
};

use super::command::Command;
use super::lexer::{significant, words, TokenKind};
use super::translate::{self, Settings};
use crate::protocol::{PgError, SqlState};

mod rebuild;
pub mod using_index;
pub use rebuild::*;

/// One `ALTER TABLE` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alter {
    /// The table's name as PostgreSQL folds it.
    pub table: String,
    pub if_exists: bool,
    pub actions: Vec<Action>,
    /// `RENAME TO name`: the new name (PostgreSQL renames views and indexes this way too).
    pub rename_to: Option<String>,
    /// The element types (arrays stripped, folded) the new or retyped columns name by a
    /// name that is no type litewire knows, with the type as PostgreSQL names it (`t[]`):
    /// one naming the table itself is PostgreSQL's 42P16 (a row type cannot contain
    /// itself), one naming no type 42704, checked once the table is found.
    pub named_types: Vec<(String, String)>,
}

/// One action of an `ALTER TABLE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A statement SQLite runs with PostgreSQL's meaning (`RENAME`, a plain `ADD
    /// COLUMN`), once the table is known to exist.
    Native(String),
    /// `ADD COLUMN`: the definition as SQLite stores it, its default as written, and its
    /// type as written (the existing rows' value is typed with it in the rebuild's query).
    AddColumn {
        def: ColumnDef,
        default: Option<String>,
        pg_type: String,
        if_not_exists: bool,
    },
    DropColumn {
        name: String,
        if_exists: bool,
        cascade: bool,
    },
    /// `ADD [CONSTRAINT name] …`: the constraint as SQLite stores it; `check` is a CHECK's
    /// expression as written (PostgreSQL text, to test the rows).
    AddConstraint {
        constraint: TableConstraint,
        check: Option<String>,
        not_valid: bool,
    },
    DropConstraint {
        name: String,
        if_exists: bool,
        cascade: bool,
    },
    RenameConstraint {
        old: String,
        new: String,
    },
    ValidateConstraint(String),
    /// `ALTER COLUMN c TYPE t [USING e]`: SQLite's type, PostgreSQL's type name, and the
    /// expression that gives the new value (PostgreSQL text).
    SetType {
        column: String,
        sqlite_type: DataType,
        pg_type: String,
        using: Option<String>,
    },
    /// `SET DEFAULT e` (the SQLite expression) / `DROP DEFAULT` (None); `literal`: the
    /// default as written when it is a constant (checked against the column's type).
    SetDefault {
        column: String,
        default: Option<Expr>,
        literal: Option<String>,
    },
    /// `SET NOT NULL` (true) / `DROP NOT NULL`.
    NotNull {
        column: String,
        set: bool,
    },
    /// A form that changes no answer; the column it names must exist.
    /// `SET UNLOGGED`: no effect, but PostgreSQL refuses it for a table that another
    /// (logged) table's foreign key references, and every table here is logged.
    SetUnlogged,
    /// What the catalog records and no query answer depends on (engine/objects/relations.rs).
    Relation(RelationChange),
    /// `ALTER CONSTRAINT fk [NOT] DEFERRABLE [INITIALLY DEFERRED | IMMEDIATE]`: the new
    /// DEFERRABLE and INITIALLY DEFERRED of a foreign key.
    AlterConstraint {
        name: String,
        deferrable: bool,
        deferred: bool,
    },
    NoEffect {
        column: Option<String>,
    },
    /// `OWNER TO role`: a role other than the session's user (None: the session's user,
    /// see [`Alter::own_roles`]). litewire's one role owns every object, so ALTER TABLE
    /// to it changes nothing; any other role does not exist (42704).
    OwnerTo(Option<String>),
    /// `ALTER COLUMN c ADD GENERATED … AS IDENTITY`: the column's DEFAULT becomes its new
    /// sequence's nextval (translate/objects.rs reads the statement).
    AddIdentity(Box<translate::AddIdentity>),
}

impl Alter {
    /// Reads `OWNER TO user` as `OWNER TO CURRENT_USER` when `user` is the session's.
    pub fn own_roles(&mut self, user: &str) {
        for a in &mut self.actions {
            if let Action::OwnerTo(role) = a {
                if role.as_deref() == Some(user) {
                    *role = None;
                }
            }
        }
    }

    /// Whether the statement only names an owner (it also takes a view or a sequence).
    pub fn owner_only(&self) -> bool {
        self.actions.iter().all(|a| matches!(a, Action::OwnerTo(_)))
    }

    /// PostgreSQL's error for an owner that is not the session's user.
    pub fn unknown_owner(&self) -> Option<PgError> {
        self.actions.iter().find_map(|a| match a {
            Action::OwnerTo(Some(role)) => Some(PgError::new(
                SqlState::UNDEFINED_OBJECT,
                format!("role \"{role}\" does not exist"),
            )),
            _ => None,
        })
    }
}

/// The session settings while a definition is translated: none (a definition is stored,
/// not run in the session).
struct NoSettings;

impl Settings for NoSettings {
    fn get(&self, _: &str) -> Option<String> {
        None
    }
    fn set(&mut self, name: &str, _: &str) -> Result<String, PgError> {
        Err(translate::unsupported(format!(
            "set_config('{name}') in a table definition"
        )))
    }
}

/// How deep a definition's expressions may nest.
const MAX_DEPTH: usize = 200;

/// The command for an `ALTER TABLE` statement.
pub fn classify(sql: &str) -> Command {
    match parse_alter(sql) {
        Ok(a) => Command::Alter(Box::new(a)),
        Err(e) => Command::Invalid(e),
    }
}

/// A table's settings kept for the catalog: `SET LOGGED / UNLOGGED` (relpersistence),
/// `CLUSTER ON i` / `SET WITHOUT CLUSTER` (indisclustered), `REPLICA IDENTITY`
/// (relreplident: `d`efault, `n`othing, `f`ull, `i`ndex, with the index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelationChange {
    Logged(bool),
    ClusterOn(String),
    WithoutCluster,
    ReplicaIdentity(char, Option<String>),
}

fn parse_alter(sql: &str) -> Result<Alter, PgError> {
    if let Some(identity) = translate::AddIdentity::read(sql) {
        let identity = identity?;
        return Ok(Alter {
            table: identity.table.clone(),
            if_exists: identity.if_exists,
            actions: vec![Action::AddIdentity(Box::new(identity))],
            rename_to: None,
            named_types: Vec::new(),
        });
    }
    let stmt = match super::parse::parse_one(sql, MAX_DEPTH) {
        Ok(s) => s,
        Err(_) if forces_row_level_security(sql) => {
            return Err(translate::unsupported(ROW_LEVEL_SECURITY))
        }
        Err(e) => match using_index::rewrite(sql) {
            Some(rewritten) => super::parse::parse_one(&rewritten, MAX_DEPTH)?,
            None => return no_effect(sql).ok_or(e),
        },
    };
    let Statement::AlterTable {
        name,
        if_exists,
        operations,
        ..
    } = stmt
    else {
        return Err(translate::unsupported("this ALTER statement"));
    };
    let table = object_name(&name);
    let named_types = operations.iter().filter_map(named_type).collect();
    let native = operations.len() == 1 && is_native(&operations[0]);
    let rename_to = match operations.as_slice() {
        [AlterTableOperation::RenameTable {
            table_name:
                sqlparser::ast::RenameTableNameKind::To(n) | sqlparser::ast::RenameTableNameKind::As(n),
        }] => Some(match translate::schemas::schema_of(&table) {
            // `ALTER TABLE s.t RENAME TO u`: u stays in schema s.
            Some(schema) if n.0.len() == 1 => translate::schemas::joined(schema, &object_name(n)),
            _ => object_name(n),
        }),
        _ => None,
    };
    let mut actions = Vec::with_capacity(operations.len());
    if native {
        let mut operations = operations;
        if let (
            Some(to),
            true,
            [AlterTableOperation::RenameTable {
                table_name:
                    sqlparser::ast::RenameTableNameKind::To(n)
                    | sqlparser::ast::RenameTableNameKind::As(n),
            }],
        ) = (
            &rename_to,
            translate::schemas::schema_of(&table).is_some(),
            operations.as_mut_slice(),
        ) {
            *n = ObjectName::from(vec![Ident::with_quote('"', to.clone())]);
        }
        // SQLite's own statement, without what only PostgreSQL reads.
        let stmt = Statement::AlterTable {
            name: name.clone(),
            if_exists: false,
            only: false,
            operations,
            location: None,
            on_cluster: None,
            iceberg: false,
            end_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
        };
        actions.push(Action::Native(translate::to_sqlite(stmt, &mut NoSettings)?));
    } else {
        for op in operations {
            actions.push(action(op)?);
        }
        // PostgreSQL runs a statement's actions in passes: drops, type changes, new
        // columns, NOT NULL, keys, other constraints and defaults, the rest.
        actions.sort_by_key(pass);
    }
    Ok(Alter {
        table,
        if_exists,
        actions,
        rename_to,
        named_types,
    })
}

/// The type name a new column (without IF NOT EXISTS, which may skip it) or a retyped
/// one gives, arrays stripped, when it is no type litewire knows, and the type as
/// PostgreSQL names it in messages (see `named_types`).
fn named_type(op: &AlterTableOperation) -> Option<(String, String)> {
    let mut t = match op {
        AlterTableOperation::AddColumn {
            column_def,
            if_not_exists: false,
            ..
        } => &column_def.data_type,
        AlterTableOperation::AlterColumn {
            op: AlterColumnOperation::SetDataType { data_type, .. },
            ..
        } => data_type,
        _ => return None,
    };
    let mut depth = 0;
    while let DataType::Array(
        sqlparser::ast::ArrayElemTypeDef::SquareBracket(inner, _)
        | sqlparser::ast::ArrayElemTypeDef::AngleBracket(inner)
        | sqlparser::ast::ArrayElemTypeDef::Parenthesis(inner),
    ) = t
    {
        t = inner;
        depth += 1;
    }
    let DataType::Custom(name, modifiers) = t else {
        return None;
    };
    let folded = object_name(name);
    // PostgreSQL names an array of any dimension `t[]`.
    let written = format!("{folded}{}", if depth > 0 { "[]" } else { "" });
    (modifiers.is_empty() && !crate::engine::types::names_a_type(&folded))
        .then_some((folded, written))
}

/// PostgreSQL's system column names, which no column may take.
const SYSTEM_COLUMNS: &[&str] = &["tableoid", "cmax", "xmax", "cmin", "xmin", "ctid"];

/// The pass of PostgreSQL's `ALTER TABLE` an action runs in (`AlterTablePass`).
fn pass(a: &Action) -> u8 {
    match a {
        Action::DropColumn { .. }
        | Action::DropConstraint { .. }
        | Action::NotNull { set: false, .. }
        | Action::SetDefault { default: None, .. } => 0,
        Action::SetType { .. } => 1,
        Action::AddColumn { .. } => 2,
        Action::NotNull { set: true, .. } => 3,
        Action::AddConstraint {
            constraint: TableConstraint::PrimaryKey { .. } | TableConstraint::Unique { .. },
            ..
        } => 4,
        Action::AddConstraint { .. } | Action::SetDefault { .. } => 5,
        _ => 6,
    }
}

/// Whether `view` (its `CREATE VIEW` as SQLite keeps it) reads `column` of `table`
/// (by name, or through `*`).
pub fn view_uses_column(view: &str, table: &str, column: &str) -> bool {
    struct Uses<'a> {
        table: &'a str,
        column: &'a str,
        reads_table: bool,
        reads_column: bool,
    }
    impl Visitor for Uses<'_> {
        type Break = ();
        fn pre_visit_relation(&mut self, r: &ObjectName) -> std::ops::ControlFlow<()> {
            self.reads_table |= object_name(r).eq_ignore_ascii_case(self.table);
            std::ops::ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, e: &Expr) -> std::ops::ControlFlow<()> {
            let named = match e {
                Expr::Identifier(i) => Some(i),
                Expr::CompoundIdentifier(p) => p.last(),
                _ => None,
            };
            self.reads_column |= named.is_some_and(|i| i.value.eq_ignore_ascii_case(self.column));
            std::ops::ControlFlow::Continue(())
        }
        fn pre_visit_query(&mut self, q: &sqlparser::ast::Query) -> std::ops::ControlFlow<()> {
            if let sqlparser::ast::SetExpr::Select(s) = q.body.as_ref() {
                self.reads_column |= s.projection.iter().any(|p| {
                    matches!(
                        p,
                        sqlparser::ast::SelectItem::Wildcard(_)
                            | sqlparser::ast::SelectItem::QualifiedWildcard(..)
                    )
                });
            }
            std::ops::ControlFlow::Continue(())
        }
    }
    let Ok(stmt) = super::parse::parse_one(view, MAX_DEPTH) else {
        // A view litewire cannot read may use the column.
        return view
            .to_ascii_lowercase()
            .contains(&column.to_ascii_lowercase());
    };
    let mut v = Uses {
        table,
        column,
        reads_table: false,
        reads_column: false,
    };
    let _ = stmt.visit(&mut v);
    v.reads_table && v.reads_column
}

/// Whether SQLite runs `op` alone with PostgreSQL's meaning.
fn is_native(op: &AlterTableOperation) -> bool {
    match op {
        AlterTableOperation::RenameTable { .. } | AlterTableOperation::RenameColumn { .. } => true,
        AlterTableOperation::AddColumn {
            column_def,
            if_not_exists: false,
            ..
        } => {
            // SQLite adds a column in place only with a constant default and without
            // keys; NOT NULL it refuses even on an empty table.
            let serial = translate::is_serial(&column_def.data_type);
            let system = SYSTEM_COLUMNS.contains(&ident(&column_def.name).as_str());
            // A string literal of a type it reads is read by the session's settings,
            // which the rebuild has (translate/defaults.rs); an enum's label is checked
            // there (SQLite's own check of the rows fails without PostgreSQL's error).
            let t = column_def.data_type.to_string();
            let read_literal = (translate::defaults::rewritten(&t)
                || !crate::engine::types::names_a_type(&t))
                && column_def.options.iter().any(|o| {
                    matches!(&o.option, ColumnOption::Default(Expr::Value(v))
                        if matches!(v.value, sqlparser::ast::Value::SingleQuotedString(_)
                            | sqlparser::ast::Value::EscapedStringLiteral(_)))
                });
            !serial
                && !system
                && !read_literal
                && column_def.options.iter().all(|o| {
                    matches!(
                        &o.option,
                        ColumnOption::Null
                            | ColumnOption::Collation(_)
                            | ColumnOption::Default(Expr::Value(_))
                    )
                })
        }
        _ => false,
    }
}

fn action(op: AlterTableOperation) -> Result<Action, PgError> {
    Ok(match op {
        AlterTableOperation::AddColumn {
            column_def,
            if_not_exists,
            ..
        } => {
            // PostgreSQL numbers the existing rows from a new sequence (helper P's area).
            if translate::is_serial(&column_def.data_type) {
                return Err(translate::unsupported(format!(
                    "ADD COLUMN … {}",
                    column_def.data_type.to_string().to_lowercase()
                )));
            }
            let default = column_def.options.iter().find_map(|o| match &o.option {
                ColumnOption::Default(e) => Some(written(e)),
                _ => None,
            });
            Action::AddColumn {
                def: sqlite_column(&column_def.to_string())?,
                default,
                pg_type: column_def.data_type.to_string(),
                if_not_exists,
            }
        }
        AlterTableOperation::DropColumn {
            column_names,
            if_exists,
            drop_behavior,
            ..
        } => {
            let [name] = column_names.as_slice() else {
                return Err(PgError::syntax_near(","));
            };
            Action::DropColumn {
                name: ident(name),
                if_exists,
                cascade: drop_behavior == Some(DropBehavior::Cascade),
            }
        }
        AlterTableOperation::AddConstraint {
            constraint,
            not_valid,
        } => {
            let check = match &constraint {
                TableConstraint::Check { expr, .. } => Some(expr.to_string()),
                _ => None,
            };
            Action::AddConstraint {
                constraint: sqlite_constraint(&constraint.to_string())?,
                check,
                not_valid,
            }
        }
        AlterTableOperation::DropConstraint {
            if_exists,
            name,
            drop_behavior,
        } => Action::DropConstraint {
            name: ident(&name),
            if_exists,
            cascade: drop_behavior == Some(DropBehavior::Cascade),
        },
        AlterTableOperation::RenameConstraint { old_name, new_name } => Action::RenameConstraint {
            old: ident(&old_name),
            new: ident(&new_name),
        },
        AlterTableOperation::ValidateConstraint { name } => {
            Action::ValidateConstraint(ident(&name))
        }
        AlterTableOperation::SetOptionsParens { .. } => Action::NoEffect { column: None },
        // Row-level security is never on in litewire: turning it off changes nothing,
        // turning it on cannot be honoured (no policies, no roles to apply them to).
        AlterTableOperation::DisableRowLevelSecurity => Action::NoEffect { column: None },
        AlterTableOperation::EnableRowLevelSecurity => {
            return Err(translate::unsupported(ROW_LEVEL_SECURITY))
        }
        AlterTableOperation::ReplicaIdentity { identity } => {
            use sqlparser::ast::ReplicaIdentity as R;
            Action::Relation(match identity {
                R::Default => RelationChange::ReplicaIdentity('d', None),
                R::Full => RelationChange::ReplicaIdentity('f', None),
                R::None => RelationChange::ReplicaIdentity('n', None),
                R::Index(i) => RelationChange::ReplicaIdentity('i', Some(ident(&i))),
            })
        }
        AlterTableOperation::OwnerTo { new_owner } => Action::OwnerTo(match new_owner {
            sqlparser::ast::Owner::Ident(role) => Some(ident(&role)),
            _ => None,
        }),
        AlterTableOperation::AlterColumn { column_name, op } => {
            let column = ident(&column_name);
            match op {
                AlterColumnOperation::SetNotNull => Action::NotNull { column, set: true },
                AlterColumnOperation::DropNotNull => Action::NotNull { column, set: false },
                AlterColumnOperation::DropDefault => Action::SetDefault {
                    column,
                    default: None,
                    literal: None,
                },
                AlterColumnOperation::SetDefault { value } => {
                    let def = sqlite_column(&format!("c TEXT DEFAULT {value}"))?;
                    let default = def.options.into_iter().find_map(|o| match o.option {
                        ColumnOption::Default(e) => Some(e),
                        _ => None,
                    });
                    let literal = matches!(value, Expr::Value(_)).then(|| written(&value));
                    Action::SetDefault {
                        column,
                        default,
                        literal,
                    }
                }
                AlterColumnOperation::SetDataType {
                    data_type, using, ..
                } => {
                    let def = sqlite_column(&format!("c {data_type}"))?;
                    Action::SetType {
                        column,
                        sqlite_type: def.data_type,
                        pg_type: data_type.to_string(),
                        using: using.map(|u| u.to_string()),
                    }
                }
                AlterColumnOperation::AddGenerated { .. } => {
                    return Err(translate::unsupported("ALTER COLUMN … ADD GENERATED"))
                }
            }
        }
        other => {
            let text = other.to_string();
            let words: Vec<&str> = text.split_whitespace().take(2).collect();
            return Err(translate::unsupported(format!(
                "ALTER TABLE … {}",
                words.join(" ")
            )));
        }
    })
}

/// A DEFAULT as PostgreSQL text; an `E'…'` string as the plain literal of the text it
/// stands for (the parser read its escapes), as translate/defaults.rs reads one.
fn written(e: &Expr) -> String {
    match e {
        Expr::Value(v) => match &v.value {
            sqlparser::ast::Value::EscapedStringLiteral(s) => {
                format!("'{}'", s.replace('\'', "''"))
            }
            _ => e.to_string(),
        },
        _ => e.to_string(),
    }
}

/// A column definition (PostgreSQL text) as `CREATE TABLE` stores it in SQLite.
fn sqlite_column(def: &str) -> Result<ColumnDef, PgError> {
    let mut ct = translated_table(&format!("CREATE TABLE t ({def})"))?;
    ct.columns
        .pop()
        .ok_or_else(|| translate::unsupported("this column definition"))
}

/// A table constraint (PostgreSQL text) as `CREATE TABLE` stores it in SQLite.
fn sqlite_constraint(def: &str) -> Result<TableConstraint, PgError> {
    let mut ct = translated_table(&format!("CREATE TABLE t ({def})"))?;
    ct.constraints
        .pop()
        .ok_or_else(|| translate::unsupported("this constraint"))
}

fn translated_table(pg: &str) -> Result<sqlparser::ast::CreateTable, PgError> {
    let stmt = super::parse::parse_one(pg, MAX_DEPTH)?;
    let sqlite = translate::to_sqlite(stmt, &mut NoSettings)?;
    parse_definition(translate::without_type_checks(&sqlite))
        .ok_or_else(|| translate::unsupported("this definition"))
}

/// A PostgreSQL query (the rebuild's tests and copy) as SQLite runs it.
pub fn sqlite_query(pg: &str) -> Result<String, PgError> {
    let stmt = super::parse::parse_one(pg, MAX_DEPTH)?;
    translate::to_sqlite(stmt, &mut NoSettings)
}

/// A definition's column type (as SQLite keeps it).
pub fn column_type(ct: &CreateTable, column: &str) -> Option<String> {
    column_index(ct, column).map(|i| ct.columns[i].data_type.to_string())
}

/// Whether a foreign key column of type `a` can reference one of type `b` (PostgreSQL
/// needs an equality operator of the key's family between them, or an implicit cast of
/// `a` to `b`: 42804 otherwise).
pub fn comparable(a: &str, b: &str) -> bool {
    let (fa, fb) = (family(a), family(b));
    let base = |t: &str| {
        let t = t.to_ascii_lowercase();
        match t.split('(').next().unwrap_or("").trim() {
            "cidr" => "inet".to_string(),
            other => other.to_string(),
        }
    };
    // Numbers compare within PostgreSQL's btree families (integers, numeric, floats); across
    // them only where the referencing type casts implicitly to the referenced one:
    // integer → numeric → float.
    let numbers = |t: &str| match base(t).as_str() {
        "int" | "integer" | "int2" | "int4" | "int8" | "smallint" | "bigint" => 1,
        "real" | "float" | "float4" | "float8" | "double precision" | "double" => 3,
        _ => 2,
    };
    match (fa, fb) {
        (Family::Number, Family::Number) => numbers(a) <= numbers(b),
        (Family::Other, Family::Other) => base(a) == base(b),
        (fa, fb) => fa == fb,
    }
}

/// A type as PostgreSQL names it in messages.
pub fn type_for_message(t: &str) -> String {
    display_type(t)
}

/// A definition's primary key (true) and unique keys, each as its columns.
pub fn keys(ct: &CreateTable) -> Vec<(bool, Vec<String>)> {
    all_constraints(ct)
        .iter()
        .filter(|f| is_unique(ct, f.at))
        .map(|f| (is_primary(ct, f.at), place_columns(ct, f.at)))
        .collect()
}

/// A table's constraints under the names PostgreSQL gives them (`t_pkey`, `t_c_key`,
/// `t_c_check`…), as the tests of their rows.
pub fn named_constraints(mut ct: CreateTable, table: &str) -> Vec<Check> {
    name_all(&mut ct, table);
    all_constraints(&ct)
        .iter()
        .filter_map(|f| check_of(&ct, f))
        .collect()
}

/// Names the first table constraint of a new definition, if unnamed, as PostgreSQL
/// would, when the last column's last constraint has a name: SQLite gives it that name
/// too (the value check's, `_litewire_22003 integer`), so its failure would read as
/// another's.
pub fn name_first_table_constraint(ct: &mut CreateTable) {
    let carried = ct
        .columns
        .last()
        .and_then(|c| c.options.last())
        .is_some_and(|o| o.name.is_some());
    if carried
        && ct
            .constraints
            .first()
            .is_some_and(|c| constraint_name_of(c).is_none())
    {
        let mut named = ct.clone();
        name_all(&mut named, &object_name(&ct.name));
        ct.constraints[0] = named.constraints.swap_remove(0);
    }
}

/// A new definition's primary key as PostgreSQL has it: its columns are NOT NULL (SQLite
/// lets a key other than the rowid hold NULLs). And a column SQLite would make its rowid
/// (declared exactly INTEGER, the whole primary key) ignores its DEFAULT and numbers the
/// rows itself: with a DEFAULT (pg_dump's serial columns get theirs before their key) it
/// is declared `int4`, PostgreSQL's other name for the type, which SQLite does not take
/// for the rowid.
pub fn postgres_primary_key(ct: &mut CreateTable) {
    let Some((_, key)) = keys(ct).into_iter().find(|(primary, _)| *primary) else {
        return;
    };
    for column in &key {
        if let Some(i) = column_index(ct, column) {
            set_not_null(&mut ct.columns[i], true);
        }
    }
    let [column] = key.as_slice() else {
        return;
    };
    let Some(i) = column_index(ct, column) else {
        return;
    };
    let c = &mut ct.columns[i];
    let has_default = c
        .options
        .iter()
        .any(|o| matches!(o.option, ColumnOption::Default(_)));
    if has_default && c.data_type.to_string().eq_ignore_ascii_case("integer") {
        c.data_type = DataType::Custom(ObjectName::from(vec![Ident::new("int4")]), vec![]);
    }
}

/// A table definition as SQLite keeps it (`sqlite_schema.sql`), as a tree: litewire's
/// own (printed from PostgreSQL's tree) or another tool's (SQLite's dialect).
pub fn parse_definition(sql: &str) -> Option<sqlparser::ast::CreateTable> {
    let marked = mark_array_types(sql);
    let sql = marked.as_deref().unwrap_or(sql);
    let stmt = super::parse::parse_one(sql, MAX_DEPTH).ok().or_else(|| {
        sqlparser::parser::Parser::new(&sqlparser::dialect::SQLiteDialect {})
            .with_recursion_limit(MAX_DEPTH)
            .try_with_sql(sql)
            .and_then(|mut p| p.parse_statement())
            .ok()
    })?;
    match stmt {
        Statement::CreateTable(mut ct) => {
            if marked.is_some() {
                unmark_array_types(&mut ct);
            }
            Some(ct)
        }
        _ => None,
    }
}

/// Stands for ` []` in an array type with a modifier while its definition is parsed.
const ARRAY_MARK: &str = "lwarray_";

/// SQLite's spelling of an array type with a modifier, `VARCHAR [](255)` (translate's
/// modifier_last), which no parser reads, as one word `lwarray_VARCHAR(255)`; None when
/// the definition has none.
fn mark_array_types(sql: &str) -> Option<String> {
    if !sql.contains(" [](") {
        return None;
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut rest = sql;
    while let Some(at) = rest.find(" [](") {
        let head = &rest[..at];
        let word = head.len()
            - head
                .trim_end_matches(|c: char| c.is_ascii_alphanumeric())
                .len();
        out.push_str(&head[..head.len() - word]);
        out.push_str(ARRAY_MARK);
        out.push_str(&head[head.len() - word..]);
        rest = &rest[at + " []".len()..];
    }
    out.push_str(rest);
    Some(out)
}

/// The marked types back in SQLite's spelling, so the definition prints as it was.
fn unmark_array_types(ct: &mut CreateTable) {
    for c in &mut ct.columns {
        if let DataType::Custom(name, modifiers) = &c.data_type {
            let text = name.to_string();
            if let Some(base) = text.strip_prefix(ARRAY_MARK) {
                let name = ObjectName::from(vec![Ident::new(format!("{base} []"))]);
                c.data_type = DataType::Custom(name, modifiers.clone());
            }
        }
    }
}

/// An identifier as PostgreSQL folds it.
pub fn ident(i: &Ident) -> String {
    match i.quote_style {
        Some(_) => i.value.clone(),
        None => i.value.to_lowercase(),
    }
}

/// The SQLite name of a (possibly qualified) name, folded: its last part, or `s.t` for
/// a user schema's relation (translate/schemas.rs).
fn object_name(n: &ObjectName) -> String {
    if let Some(q) = translate::schemas::qualified(n) {
        return q;
    }
    n.0.last()
        .and_then(|p| p.as_ident())
        .map(ident)
        .unwrap_or_default()
}

/// The one column an expression names, if it names exactly one (PostgreSQL names an
/// unnamed CHECK `t_c_check` after it, else `t_check`).
fn sole_column(e: &Expr) -> Option<String> {
    struct Columns(Vec<String>);
    impl Visitor for Columns {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &Expr) -> std::ops::ControlFlow<()> {
            let found = match e {
                Expr::Identifier(i) => Some(ident(i)),
                Expr::CompoundIdentifier(p) => p.last().map(ident),
                _ => None,
            };
            if let Some(f) = found.filter(|f| !self.0.contains(f)) {
                self.0.push(f);
            }
            std::ops::ControlFlow::Continue(())
        }
    }
    let mut v = Columns(Vec::new());
    let _ = e.visit(&mut v);
    match <[String; 1]>::try_from(v.0) {
        Ok([only]) => Some(only),
        Err(_) => None,
    }
}

/// PostgreSQL's name for an unnamed constraint (`ChooseConstraintName`): `t_a_b_key`,
/// `t_pkey`, `t_a_fkey`, `t_a_check`, each part shortened so the whole fits in 63 bytes,
/// then numbered past the names `taken`.
pub fn constraint_name(table: &str, columns: &[String], label: &str, taken: &[String]) -> String {
    // A user schema's table `s.t` names its constraints after `t`.
    let table = translate::schemas::schema_of(table).map_or(table, |s| &table[s.len() + 1..]);
    let cols = columns.join("_");
    for pass in 0.. {
        let label = if pass == 0 {
            label.to_string()
        } else {
            format!("{label}{pass}")
        };
        let name = make_object_name(table, (!cols.is_empty()).then_some(&cols), &label);
        if !taken.iter().any(|t| t == &name) {
            return name;
        }
    }
    unreachable!("an unbounded search ends with a free name")
}

/// `makeObjectName`: the longer of the two parts is shortened first.
fn make_object_name(name1: &str, name2: Option<&String>, label: &str) -> String {
    const MAX: usize = 63;
    let overhead = 1 + label.len() + usize::from(name2.is_some());
    let avail = MAX.saturating_sub(overhead);
    let (mut n1, mut n2) = (name1.len(), name2.map_or(0, |n| n.len()));
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let cut = |s: &str, n: usize| {
        let mut n = n;
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        s[..n].to_string()
    };
    let mut out = cut(name1, n1);
    if let Some(n) = name2 {
        out.push('_');
        out.push_str(&cut(n, n2));
    }
    out.push('_');
    out.push_str(label);
    out
}

/// `ALTER TABLE [IF EXISTS] [ONLY] t action, …` where every action is one the parser
/// lacks and that changes no answer: `SET/RESET (storage parameters)`, `ALTER [COLUMN] c
/// SET STATISTICS n / SET STORAGE s / SET (…) / RESET (…)`, `CLUSTER ON i`, `SET WITHOUT
/// CLUSTER`, `SET LOGGED / UNLOGGED`, `SET WITHOUT OIDS`.
fn no_effect(sql: &str) -> Option<Alter> {
    let toks: Vec<(String, TokenKind, String)> = significant(sql)
        .map(|t| {
            let raw = &sql[t.start..t.end];
            (raw.to_ascii_lowercase(), t.kind, raw.to_string())
        })
        .collect();
    let is = |i: usize, w: &str| toks.get(i).is_some_and(|t| t.0 == w);
    if !(is(0, "alter") && is(1, "table")) {
        return None;
    }
    let mut i = 2;
    let if_exists = is(i, "if") && is(i + 1, "exists");
    if if_exists {
        i += 2;
    }
    if is(i, "only") {
        i += 1;
    }
    // The name: parts separated by dots; its last part is the table.
    let mut table;
    loop {
        let t = toks.get(i)?;
        if !matches!(t.1, TokenKind::Word | TokenKind::Quoted) {
            return None;
        }
        table = super::lexer::fold_ident(&t.2);
        i += 1;
        if !is(i, ".") {
            break;
        }
        i += 1;
    }
    if is(i, "*") {
        i += 1;
    }
    let mut actions = Vec::new();
    // Actions, separated by commas outside parentheses.
    let mut start = i;
    let mut depth = 0usize;
    while i <= toks.len() {
        let end = i == toks.len();
        if !end {
            match toks[i].0.as_str() {
                "(" => depth += 1,
                ")" => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        if end || (depth == 0 && toks[i].0 == ",") {
            let words: Vec<&str> = toks[start..i].iter().map(|t| t.0.as_str()).collect();
            let raw: Vec<&str> = toks[start..i].iter().map(|t| t.2.as_str()).collect();
            actions.push(no_effect_action(&words, &raw)?);
            start = i + 1;
        }
        i += 1;
    }
    Some(Alter {
        table,
        if_exists,
        actions,
        rename_to: None,
        named_types: Vec::new(),
    })
}

/// What litewire names when it refuses row-level security.
const ROW_LEVEL_SECURITY: &str = "row-level security (ENABLE/FORCE ROW LEVEL SECURITY)";

/// `… FORCE ROW LEVEL SECURITY` (not `NO FORCE`), which sqlparser cannot read.
fn forces_row_level_security(sql: &str) -> bool {
    let w: Vec<String> = words(sql).map(|w| w.to_ascii_lowercase()).collect();
    (1..w.len()).any(|i| {
        w[i..].starts_with(&["force", "row", "level", "security"].map(String::from))
            && w[i - 1] != "no"
    })
}

/// The deferral words after `ALTER CONSTRAINT name`, as PostgreSQL reads them: what is
/// not said is NOT DEFERRABLE / INITIALLY IMMEDIATE; INITIALLY DEFERRED implies
/// DEFERRABLE.
fn alter_constraint(name: String, mut rest: &[&str]) -> Option<Action> {
    let (mut deferrable, mut deferred) = (None, false);
    while !rest.is_empty() {
        rest = match rest {
            ["deferrable", r @ ..] => {
                deferrable = Some(true);
                r
            }
            ["not", "deferrable", r @ ..] => {
                deferrable = Some(false);
                r
            }
            ["initially", "deferred", r @ ..] => {
                deferred = true;
                r
            }
            ["initially", "immediate", r @ ..] => r,
            _ => return None,
        };
    }
    if deferrable == Some(false) && deferred {
        // PostgreSQL's 42601 too (the parse error's).
        return None;
    }
    Some(Action::AlterConstraint {
        name,
        deferrable: deferrable.unwrap_or(deferred),
        deferred,
    })
}

fn no_effect_action(w: &[&str], raw: &[&str]) -> Option<Action> {
    if w == ["no", "force", "row", "level", "security"] {
        return Some(Action::NoEffect { column: None });
    }
    let table_level = matches!(w, ["set" | "reset", "(", ..] | ["set", "without", "oids"]);
    if let ["alter", "constraint", _, rest @ ..] = w {
        return alter_constraint(super::lexer::fold_ident(raw[2]), rest);
    }
    match w {
        ["set", "unlogged"] => return Some(Action::SetUnlogged),
        ["set", "logged"] => return Some(Action::Relation(RelationChange::Logged(true))),
        ["cluster", "on", _] => {
            let index = super::lexer::fold_ident(raw[2]);
            return Some(Action::Relation(RelationChange::ClusterOn(index)));
        }
        ["set", "without", "cluster"] => {
            return Some(Action::Relation(RelationChange::WithoutCluster))
        }
        _ => {}
    }
    if table_level {
        return Some(Action::NoEffect { column: None });
    }
    let (col, rest) = match w {
        ["alter", "column", _, rest @ ..] => (raw[2], rest),
        ["alter", _, rest @ ..] => (raw[1], rest),
        _ => return None,
    };
    let column_level = matches!(
        rest,
        ["set", "statistics", ..] | ["set", "storage", _] | ["set" | "reset", "(", ..]
    );
    column_level.then(|| Action::NoEffect {
        column: Some(super::lexer::fold_ident(col)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alter(sql: &str) -> Alter {
        match classify(sql) {
            Command::Alter(a) => *a,
            other => panic!("{sql}: {other:?}"),
        }
    }

    #[test]
    fn native_forms_stay_sqlite_statements() {
        let a = alter("ALTER TABLE IF EXISTS ONLY public.t RENAME TO u");
        assert!(a.if_exists);
        assert_eq!(a.table, "t");
        assert_eq!(
            a.actions,
            vec![Action::Native("ALTER TABLE main.t RENAME TO u".into())]
        );
        let a = alter("alter table t add column b text default 'x'");
        assert_eq!(
            a.actions,
            vec![Action::Native(
                "ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x'".into()
            )]
        );
    }

    #[test]
    fn rebuild_actions_carry_sqlite_definitions() {
        let a = alter(
            "ALTER TABLE T ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES p (id) \
             ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED, ALTER b TYPE varchar(10) \
             USING b || 'x', ALTER c SET DEFAULT now(), ADD COLUMN d int NOT NULL UNIQUE",
        );
        assert_eq!(a.table, "t");
        // In PostgreSQL's passes: type changes, new columns, constraints and defaults.
        let Action::AddConstraint { constraint, .. } = &a.actions[2] else {
            panic!("{:?}", a.actions[2]);
        };
        assert_eq!(
            constraint.to_string(),
            "CONSTRAINT fk FOREIGN KEY (a) REFERENCES p(id) ON DELETE CASCADE \
             DEFERRABLE INITIALLY DEFERRED"
        );
        let Action::SetType {
            column,
            pg_type,
            using,
            ..
        } = &a.actions[0]
        else {
            panic!("{:?}", a.actions[0]);
        };
        assert_eq!(
            (column.as_str(), pg_type.as_str(), using.as_deref()),
            ("b", "VARCHAR(10)", Some("b || 'x'"))
        );
        let Action::SetDefault {
            default: Some(d), ..
        } = &a.actions[3]
        else {
            panic!("{:?}", a.actions[3]);
        };
        // Parenthesised, as SQLite wants a non-constant default.
        assert!(d.to_string().starts_with('('), "{d}");
        let Action::AddColumn { def, .. } = &a.actions[1] else {
            panic!("{:?}", a.actions[1]);
        };
        assert_eq!(
            def.to_string(),
            "d INT NOT NULL UNIQUE CONSTRAINT \"_litewire_22003 integer\" CHECK (d BETWEEN -2147483648 AND 2147483647)"
        );
    }

    #[test]
    fn performance_forms_have_no_effect() {
        for sql in [
            "ALTER TABLE t SET (parallel_workers = 4)",
            "ALTER TABLE t RESET (parallel_workers, fillfactor)",
            "ALTER TABLE IF EXISTS t ALTER COLUMN a SET STATISTICS 100",
            "ALTER TABLE t ALTER a SET STORAGE PLAIN, ALTER b SET STATISTICS -1",
            "ALTER TABLE t SET UNLOGGED",
        ] {
            let a = alter(sql);
            assert!(
                a.actions
                    .iter()
                    .all(|x| matches!(x, Action::NoEffect { .. } | Action::SetUnlogged)),
                "{sql}: {a:?}"
            );
        }
        // Recorded for the catalog only (engine/objects/relations.rs).
        for (sql, change) in [
            (
                "ALTER TABLE t CLUSTER ON \"T_idx\"",
                RelationChange::ClusterOn("T_idx".into()),
            ),
            (
                "ALTER TABLE t SET WITHOUT CLUSTER",
                RelationChange::WithoutCluster,
            ),
            (
                "ALTER TABLE ONLY t SET LOGGED",
                RelationChange::Logged(true),
            ),
            (
                "ALTER TABLE t REPLICA IDENTITY USING INDEX I",
                RelationChange::ReplicaIdentity('i', Some("i".into())),
            ),
            (
                "ALTER TABLE t REPLICA IDENTITY FULL",
                RelationChange::ReplicaIdentity('f', None),
            ),
        ] {
            assert_eq!(alter(sql).actions, vec![Action::Relation(change)], "{sql}");
        }
        assert!(matches!(
            classify("ALTER TABLE t SET LOGGED, ADD COLUMN x int"),
            Command::Invalid(_)
        ));
    }

    #[test]
    fn constraint_names_as_postgresql_chooses_them() {
        let cols = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(constraint_name("t", &[], "pkey", &[]), "t_pkey");
        assert_eq!(
            constraint_name("t", &cols(&["a", "b"]), "key", &[]),
            "t_a_b_key"
        );
        assert_eq!(
            constraint_name("t", &cols(&["a"]), "check", &cols(&["t_a_check"])),
            "t_a_check1"
        );
        let long = "x".repeat(70);
        let name = constraint_name(&long, &cols(&["a"]), "fkey", &[]);
        assert_eq!(name.len(), 63);
        assert!(name.ends_with("_a_fkey"));
    }

    #[test]
    fn retyped_columns_checks_are_typed_again() {
        let ct = |sql: &str| parse_definition(sql).expect("definition");
        let table = "CREATE TABLE t (a INT8, b TEXT, CONSTRAINT t_chk CHECK (a <= 3))";
        let e = plan(
            &alter("ALTER TABLE t ALTER COLUMN a TYPE boolean USING a > 0"),
            ct(table),
            &[],
            false,
        )
        .unwrap_err();
        assert_eq!(e.code, SqlState::UNDEFINED_FUNCTION);
        assert_eq!(e.message, "operator does not exist: boolean <= integer");
        // Same family, or another column: the check stays.
        for sql in [
            "ALTER TABLE t ALTER COLUMN a TYPE numeric",
            "ALTER TABLE t ALTER COLUMN b TYPE int4 USING 1",
        ] {
            assert!(plan(&alter(sql), ct(table), &[], false).is_ok(), "{sql}");
        }
    }

    #[test]
    fn added_columns_are_typed_in_the_rebuild() {
        let ct = parse_definition("CREATE TABLE t (a INT8)").expect("definition");
        let a = alter("ALTER TABLE t ADD COLUMN v int CHECK (v < 10), ADD COLUMN s varchar(2)");
        let p = plan(&a, ct, &[], false).expect("plan");
        let value = |c: &str| {
            p.values
                .iter()
                .find(|(n, _)| n == c)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(value("v").as_deref(), Some("CAST((NULL) AS INT)"));
        assert_eq!(value("s").as_deref(), Some("CAST((NULL) AS text)"));
    }
}
