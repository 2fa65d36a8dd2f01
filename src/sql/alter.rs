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
use super::lexer::{significant, TokenKind};
use super::translate::{self, Settings};
use crate::protocol::{PgError, SqlState};

/// One `ALTER TABLE` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alter {
    /// The table's name as PostgreSQL folds it.
    pub table: String,
    pub if_exists: bool,
    pub actions: Vec<Action>,
    /// `RENAME TO name`: the new name (PostgreSQL renames views and indexes this way too).
    pub rename_to: Option<String>,
}

/// One action of an `ALTER TABLE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A statement SQLite runs with PostgreSQL's meaning (`RENAME`, a plain `ADD
    /// COLUMN`), once the table is known to exist.
    Native(String),
    /// `ADD COLUMN`: the definition as SQLite stores it, and its default as written.
    AddColumn {
        def: ColumnDef,
        default: Option<String>,
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

fn parse_alter(sql: &str) -> Result<Alter, PgError> {
    if let Some(identity) = translate::AddIdentity::read(sql) {
        let identity = identity?;
        return Ok(Alter {
            table: identity.table.clone(),
            if_exists: identity.if_exists,
            actions: vec![Action::AddIdentity(Box::new(identity))],
            rename_to: None,
        });
    }
    let stmt = match super::parse::parse_one(sql, MAX_DEPTH) {
        Ok(s) => s,
        Err(e) => return no_effect(sql).ok_or(e),
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
    let native = operations.len() == 1 && is_native(&operations[0]);
    let rename_to = match operations.as_slice() {
        [AlterTableOperation::RenameTable {
            table_name:
                sqlparser::ast::RenameTableNameKind::To(n) | sqlparser::ast::RenameTableNameKind::As(n),
        }] => Some(object_name(n)),
        _ => None,
    };
    let mut actions = Vec::with_capacity(operations.len());
    if native {
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
    })
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
            !serial
                && !system
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
                ColumnOption::Default(e) => Some(e.to_string()),
                _ => None,
            });
            Action::AddColumn {
                def: sqlite_column(&column_def.to_string())?,
                default,
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
                    let literal = matches!(value, Expr::Value(_)).then(|| value.to_string());
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

/// The last part of a (possibly qualified) name, folded.
fn object_name(n: &ObjectName) -> String {
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
    })
}

fn no_effect_action(w: &[&str], raw: &[&str]) -> Option<Action> {
    let table_level = matches!(
        w,
        ["set" | "reset", "(", ..]
            | ["cluster", "on", _]
            | ["set", "without", "cluster" | "oids"]
            | ["set", "logged"]
    );
    if w == ["set", "unlogged"] {
        return Some(Action::SetUnlogged);
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
struct Found {
    name: String,
    at: Place,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
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

fn notice(message: String) -> PgError {
    PgError {
        severity: crate::protocol::Severity::Notice,
        ..PgError::new(SqlState::SUCCESSFUL_COMPLETION, message)
    }
}

/// A double-quoted identifier.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn column_index(ct: &CreateTable, name: &str) -> Option<usize> {
    ct.columns
        .iter()
        .position(|c| c.name.value.eq_ignore_ascii_case(name))
}

fn apply(
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
        Action::SetUnlogged | Action::OwnerTo(_) => {}
        Action::AddColumn {
            def,
            default,
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
            p.values.push((
                name.clone(),
                default.clone().unwrap_or_else(|| "NULL".into()),
            ));
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
            ct.columns.push(def.clone());
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
                c.options.push(ColumnOptionDef {
                    name: None,
                    option: ColumnOption::Default(d.clone()),
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
fn display_type(written: &str) -> String {
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
enum Family {
    Text,
    Number,
    Bool,
    DateTime,
    Time,
    Interval,
    Json,
    Other,
}

fn family(type_name: &str) -> Family {
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

fn set_not_null(c: &mut ColumnDef, on: bool) {
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
fn all_constraints(ct: &CreateTable) -> Vec<Found> {
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

fn is_constraint_option(o: &ColumnOption) -> bool {
    matches!(
        o,
        ColumnOption::Unique { .. } | ColumnOption::ForeignKey { .. } | ColumnOption::Check(_)
    )
}

fn constraint_name_of(t: &TableConstraint) -> Option<String> {
    match t {
        TableConstraint::Unique { name, .. }
        | TableConstraint::PrimaryKey { name, .. }
        | TableConstraint::ForeignKey { name, .. }
        | TableConstraint::Check { name, .. }
        | TableConstraint::Index { name, .. } => name.as_ref().map(ident),
        _ => None,
    }
}

fn set_name(ct: &mut CreateTable, at: Place, new: Ident) {
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

fn remove(ct: &mut CreateTable, at: Place) {
    match at {
        Place::Column(c, o) => {
            ct.columns[c].options.remove(o);
        }
        Place::Table(t) => {
            ct.constraints.remove(t);
        }
    }
}

fn is_primary(ct: &CreateTable, at: Place) -> bool {
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

fn is_unique(ct: &CreateTable, at: Place) -> bool {
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

fn is_key_column(ct: &CreateTable, column: &str) -> bool {
    all_constraints(ct).iter().any(|f| {
        is_unique(ct, f.at)
            && place_columns(ct, f.at)
                .iter()
                .any(|c| c.eq_ignore_ascii_case(column))
    })
}

/// The columns a constraint at `at` is on.
fn place_columns(ct: &CreateTable, at: Place) -> Vec<String> {
    match at {
        Place::Column(c, _) => vec![ct.columns[c].name.value.clone()],
        Place::Table(t) => constraint_columns(&ct.constraints[t]),
    }
}

/// The columns a table constraint is on (a CHECK: those its expression names).
fn constraint_columns(t: &TableConstraint) -> Vec<String> {
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
fn expression_columns(e: &Expr) -> Vec<String> {
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
fn name_all(ct: &mut CreateTable, table: &str) {
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
fn check_of(ct: &CreateTable, f: &Found) -> Option<Check> {
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
            "ALTER TABLE t CLUSTER ON t_idx",
            "ALTER TABLE t SET WITHOUT CLUSTER",
            "ALTER TABLE ONLY t SET LOGGED",
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
}
