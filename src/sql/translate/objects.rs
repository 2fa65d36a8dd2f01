//! Statements on objects SQLite lacks, kept in litewire's reserved tables
//! (engine/objects): CREATE/DROP SEQUENCE, identity and serial columns (a sequence per
//! column, its DEFAULT `nextval`), DROP TABLE (the table's sequences and comments go with
//! it), COMMENT ON. Each becomes an internal batch: the engine's functions do the work,
//! in one savepoint. Listings of SQLite's schema through litewire do not show the
//! reserved tables.

use sqlparser::ast::{
    ColumnOption, ColumnOptionDef, CommentObject, DataType, Expr, GeneratedAs, Ident, ObjectName,
    ObjectType, OnCommit, SequenceOptions, Statement, TableFactor, UnaryOperator, Value,
};

use super::{casts, unsupported};
use crate::engine::objects::{MARKER, PREFIX};
use crate::protocol::{PgError, SqlState};

/// What a statement needs beyond its own SQLite text.
pub(super) enum Objects {
    /// Nothing: an ordinary statement.
    None,
    /// The statement is this internal batch.
    Whole(String),
    /// These parts run after the (translated) statement itself, in one batch.
    After(Vec<String>),
}

/// Reads `stmt` for objects (before the walk; serial and identity columns are rewritten
/// to DEFAULT nextval here).
pub(super) fn statement(stmt: &mut Statement) -> Result<Objects, PgError> {
    Ok(match stmt {
        Statement::CreateSequence {
            temporary,
            if_not_exists,
            name,
            data_type,
            sequence_options,
            owned_by,
        } => {
            let owned = match owned_by {
                Some(o) if !(o.0.len() == 1 && last(o).eq_ignore_ascii_case("none")) => {
                    Some(owner(o)?)
                }
                _ => None,
            };
            let sequence = Sequence {
                temporary: *temporary,
                name: relation(name)?,
                data_type: data_type.as_ref().map(sequence_type),
                options: sequence_options.clone(),
                owned,
                identity: None,
                if_not_exists: *if_not_exists,
            };
            Objects::Whole(sequence.create_batch()?)
        }
        Statement::Drop {
            object_type: ObjectType::Sequence,
            if_exists,
            names,
            cascade,
            ..
        } => {
            let parts = names
                .iter()
                .map(|n| {
                    Ok(format!(
                        "SELECT litewire_drop_sequence({}, {}, {})",
                        quote(&relation(n)?),
                        u8::from(*if_exists),
                        u8::from(*cascade)
                    ))
                })
                .collect::<Result<Vec<_>, PgError>>()?;
            Objects::Whole(batch(&parts))
        }
        Statement::Drop {
            object_type: ObjectType::Table,
            names,
            ..
        } => Objects::After(
            names
                .iter()
                .map(|n| {
                    Ok(format!(
                        "SELECT litewire_drop_owned({})",
                        quote(&relation(n)?)
                    ))
                })
                .collect::<Result<_, PgError>>()?,
        ),
        Statement::Comment {
            object_type,
            object_name,
            comment,
            ..
        } => {
            let (kind, name, attribute) = match object_type {
                CommentObject::Table => ("table", relation(object_name)?, String::new()),
                CommentObject::Column => {
                    let (t, c) = owner(object_name)?;
                    ("column", t, c)
                }
                other => return Err(unsupported(format!("COMMENT ON {other}"))),
            };
            Objects::Whole(comment_batch(kind, &name, &attribute, comment.as_deref()))
        }
        Statement::CreateTable(ct) => {
            let table = relation(&ct.name)?;
            if crate::engine::objects::is_reserved(&table) {
                return Err(reserved(&table));
            }
            let mut parts: Vec<String> = super::schemas::schema_of(&table)
                .map(super::schemas::exists_check)
                .into_iter()
                .collect();
            // A type name litewire does not know may be a composite type or a domain,
            // whose columns litewire cannot hold (engine/objects/composites.rs).
            // `(LIKE s)` reads as a column named LIKE of type s (like.rs); its columns
            // are filled in when the statement is prepared, which a batch is not.
            let like = ct.like.is_some()
                || ct.columns.iter().any(|c| {
                    c.name.quote_style.is_none() && c.name.value.eq_ignore_ascii_case("like")
                });
            for column in ct.columns.iter().filter(|_| !like) {
                if let Some(name) = super::enums::of_type(&column.data_type) {
                    parts.push(format!("{PLAIN_TYPE_CHECK}{})", quote(&name)));
                    // An enum's label as DEFAULT is read when the table is created, as
                    // PostgreSQL reads it (22P02 for no such label); a row's value is
                    // the column's check's.
                    if let Some(label) = string_default(column) {
                        parts.push(format!(
                            "{ENUM_DEFAULT_CHECK}{}, {})",
                            quote(&label),
                            quote(&name)
                        ));
                    }
                }
            }
            for column in &mut ct.columns {
                if let Some(s) = column_sequence(&table, column, ct.temporary)? {
                    if s.identity == Some('a') {
                        let triggers =
                            always(&table, &column.name.value, &s.name, ct.if_not_exists);
                        parts.extend(triggers);
                    }
                    parts.push(
                        Sequence {
                            if_not_exists: ct.if_not_exists,
                            ..s
                        }
                        .create()?,
                    );
                }
            }
            // ON COMMIT DELETE ROWS / DROP of a temporary table (create.rs checked it
            // is one): the session carries it out when a transaction ends.
            let action = match ct.on_commit {
                Some(OnCommit::DeleteRows) => Some("delete"),
                Some(OnCommit::Drop) => Some("drop"),
                _ => None,
            };
            if let Some(action) = action {
                parts.push(format!(
                    "SELECT litewire_on_commit({}, '{action}')",
                    quote(&table)
                ));
            }
            if parts.is_empty() {
                Objects::None
            } else {
                Objects::After(parts)
            }
        }
        // ALTER TABLE … ADD COLUMN of a type litewire does not know: checked as CREATE
        // TABLE's columns are (a composite type's, a table's row type, a domain), and
        // strictly (`, 1`): a name that is no type at all is 42704.
        Statement::AlterTable { operations, .. } => {
            let parts: Vec<String> = operations
                .iter()
                .filter_map(|op| match op {
                    sqlparser::ast::AlterTableOperation::AddColumn { column_def, .. } => {
                        super::enums::of_type(&column_def.data_type)
                    }
                    _ => None,
                })
                .map(|name| format!("{PLAIN_TYPE_CHECK}{}, 1)", quote(&name)))
                .collect();
            if parts.is_empty() {
                Objects::None
            } else {
                Objects::After(parts)
            }
        }
        Statement::CreateType {
            name,
            representation,
        } => Objects::Whole(super::enums::create(name, representation)?),
        Statement::Drop {
            object_type: ObjectType::Type,
            if_exists,
            names,
            cascade,
            ..
        } => Objects::Whole(super::enums::drop(names, *if_exists, *cascade)?),
        Statement::AlterType(a) => Objects::Whole(super::enums::alter(a)?),
        Statement::CreateView { name, .. } => {
            match super::schemas::qualified(name)
                .as_deref()
                .and_then(super::schemas::schema_of)
            {
                Some(schema) => Objects::After(vec![super::schemas::exists_check(schema)]),
                None => Objects::None,
            }
        }
        Statement::Query(_) => {
            sequence_calls_after_sort(stmt)?;
            Objects::None
        }
        _ => Objects::None,
    })
}

/// An internal batch of `parts` (engine/objects).
pub(super) fn batch(parts: &[String]) -> String {
    format!("{MARKER}{}", parts.join("\0"))
}

/// The check a CREATE TABLE's column of a type litewire does not know gets: it may name
/// a composite type or domain (engine/objects/composites.rs).
const PLAIN_TYPE_CHECK: &str = "SELECT litewire_plain_column_type(";

/// The check a CREATE TABLE's DEFAULT label of an enum column gets (22P02 for no such
/// label, when the table is created, as in PostgreSQL).
const ENUM_DEFAULT_CHECK: &str = "SELECT litewire_enum_check(";

/// A translated CREATE TABLE without the batch its columns' type checks made of it: a
/// column definition translated for ALTER TABLE (sql/alter.rs), whose values are
/// checked by the column's CHECK instead (and its enum DEFAULT by the rebuild's).
pub(crate) fn without_type_checks(sqlite: &str) -> &str {
    let Some(rest) = sqlite
        .strip_prefix(MARKER)
        .and_then(|r| r.strip_prefix('='))
    else {
        return sqlite;
    };
    let mut parts = rest.split('\0');
    let statement = parts.next().unwrap_or(rest);
    if parts.all(|p| p.starts_with(PLAIN_TYPE_CHECK) || p.starts_with(ENUM_DEFAULT_CHECK)) {
        statement
    } else {
        sqlite
    }
}

/// The batch running the client's statement `sqlite` (as translated), then `parts`.
pub(super) fn after(sqlite: &str, parts: &[String]) -> String {
    format!("{MARKER}={sqlite}\0{}", parts.join("\0"))
}

/// `sqlite_schema` (and its other names) as the client sees it through litewire:
/// without litewire's reserved tables.
pub(super) fn hide_reserved(t: &mut TableFactor) -> Result<(), PgError> {
    let TableFactor::Table {
        name,
        alias,
        args: None,
        ..
    } = t
    else {
        return Ok(());
    };
    let table = last(name).to_ascii_lowercase();
    let schema = match table.as_str() {
        "sqlite_schema" | "sqlite_master" => "main",
        "sqlite_temp_schema" | "sqlite_temp_master" => "temp",
        _ => return Ok(()),
    };
    if name.0.len() > 2 {
        return Ok(());
    }
    // A schema given is kept (`x.sqlite_schema` must still fail for an unknown x).
    let given;
    let schema = match name.0.first().filter(|_| name.0.len() == 2) {
        Some(s) if s.to_string().eq_ignore_ascii_case("public") => schema,
        Some(s) => {
            given = s.to_string();
            given.as_str()
        }
        None => schema,
    };
    let text = format!(
        "SELECT * FROM {schema}.{table} WHERE name NOT LIKE '{escaped}%' ESCAPE '\\' \
         AND tbl_name NOT LIKE '{escaped}%' ESCAPE '\\'",
        escaped = PREFIX.replace('_', "\\_")
    );
    let Statement::Query(subquery) = crate::sql::parse::parse_one(&text, 16)? else {
        return Ok(());
    };
    let alias = alias.take().unwrap_or_else(|| sqlparser::ast::TableAlias {
        name: Ident::new(table),
        columns: vec![],
    });
    *t = TableFactor::Derived {
        lateral: false,
        subquery,
        alias: Some(alias),
    };
    Ok(())
}

/// A sequence a statement creates.
struct Sequence {
    temporary: bool,
    name: String,
    data_type: Option<String>,
    options: Vec<SequenceOptions>,
    owned: Option<(String, String)>,
    /// `a` (GENERATED ALWAYS), `d` (BY DEFAULT); None for a sequence of its own or serial.
    identity: Option<char>,
    if_not_exists: bool,
}

impl Sequence {
    /// CREATE SEQUENCE's whole batch: the schema's existence checked first when the
    /// sequence is in a user schema (schemas.rs), then [`Sequence::create`].
    fn create_batch(&self) -> Result<String, PgError> {
        let check = super::schemas::schema_of(&self.name).map(super::schemas::exists_check);
        let parts: Vec<String> = check.into_iter().chain([self.create()?]).collect();
        Ok(batch(&parts))
    }

    /// The batch part creating it (`litewire_create_sequence`, engine/objects).
    fn create(&self) -> Result<String, PgError> {
        let mut start = None;
        let mut increment = None;
        let mut min = None;
        let mut max = None;
        let mut cache = None;
        let mut cycle = None;
        for option in &self.options {
            match option {
                SequenceOptions::IncrementBy(e, _) => increment = Some(integer(e)?),
                SequenceOptions::MinValue(e) => min = e.as_ref().map(integer).transpose()?,
                SequenceOptions::MaxValue(e) => max = e.as_ref().map(integer).transpose()?,
                SequenceOptions::StartWith(e, _) => start = Some(integer(e)?),
                SequenceOptions::Cache(e) => cache = Some(integer(e)?),
                SequenceOptions::Cycle(no) => cycle = Some(!no),
            }
        }
        let num = |v: Option<i64>| v.map_or("NULL".to_string(), |v| v.to_string());
        let text = |v: Option<&str>| v.map_or("NULL".to_string(), quote);
        let schema = if self.temporary { "temp" } else { "main" };
        Ok(format!(
            "+{schema}.sequences SELECT litewire_create_sequence('{schema}', {}, {}, {}, {}, \
             {}, {}, {}, {}, {}, {}, {}, {})",
            quote(&self.name),
            text(self.data_type.as_deref()),
            num(start),
            num(increment),
            num(min),
            num(max),
            num(cache),
            cycle.map_or("NULL", |c| if c { "1" } else { "0" }),
            text(self.owned.as_ref().map(|o| o.0.as_str())),
            text(self.owned.as_ref().map(|o| o.1.as_str())),
            text(self.identity.map(|c| c.to_string()).as_deref()),
            u8::from(self.if_not_exists),
        ))
    }
}

/// The triggers that keep a GENERATED ALWAYS column's values the sequence's: an INSERT
/// must take the DEFAULT (428C9), an UPDATE may not change it.
fn always(table: &str, column: &str, sequence: &str, if_not_exists: bool) -> [String; 2] {
    let ident = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let exists = if if_not_exists { "IF NOT EXISTS " } else { "" };
    let name = |what: &str| ident(&format!("{PREFIX}{table}_{column}_{what}"));
    [
        format!(
            "CREATE TRIGGER {exists}{} BEFORE INSERT ON {} FOR EACH ROW BEGIN \
             SELECT litewire_identity_insert({}, NEW.{}, {}); END",
            name("identity"),
            ident(table),
            quote(sequence),
            ident(column),
            quote(column)
        ),
        format!(
            "CREATE TRIGGER {exists}{} BEFORE UPDATE OF {col} ON {} FOR EACH ROW \
             WHEN NEW.{col} IS NOT OLD.{col} BEGIN SELECT litewire_identity_update({}); END",
            name("identity_update"),
            ident(table),
            quote(column),
            col = ident(column),
        ),
    ]
}

/// PostgreSQL's serial types: the integer type each stands for.
const SERIALS: &[(&str, &str)] = &[
    ("serial", "integer"),
    ("serial4", "integer"),
    ("bigserial", "bigint"),
    ("serial8", "bigint"),
    ("smallserial", "smallint"),
    ("serial2", "smallint"),
];

/// Whether `t` is one of PostgreSQL's serial types.
pub(crate) fn is_serial(t: &sqlparser::ast::DataType) -> bool {
    let name = casts::type_name(t);
    SERIALS.iter().any(|(s, _)| *s == name)
}

/// The sequence of an identity or serial column of `table`, whose definition becomes
/// the integer type with `DEFAULT nextval('table_column_seq')` and NOT NULL.
fn column_sequence(
    table: &str,
    column: &mut sqlparser::ast::ColumnDef,
    temporary: bool,
) -> Result<Option<Sequence>, PgError> {
    let declared = casts::type_name(&column.data_type);
    let serial = SERIALS
        .iter()
        .find(|(s, _)| *s == declared)
        .map(|(_, t)| *t);
    let identity = column.options.iter().position(|o| {
        matches!(
            o.option,
            ColumnOption::Generated {
                generation_expr: None,
                ..
            }
        )
    });
    let (ty, identity, options) = match (serial, identity) {
        (Some(ty), None) => (ty.to_string(), None, Vec::new()),
        (None, Some(at)) => {
            let ColumnOption::Generated {
                generated_as,
                sequence_options,
                ..
            } = column.options.remove(at).option
            else {
                return Ok(None);
            };
            let ty = identity_type(&column.data_type)?;
            let kind = match generated_as {
                GeneratedAs::Always => 'a',
                _ => 'd',
            };
            (ty, Some(kind), sequence_options.unwrap_or_default())
        }
        (None, None) => return Ok(None),
        (Some(_), Some(_)) => {
            return Err(PgError::new(
                SqlState::SYNTAX_ERROR,
                format!(
                    "both default and identity specified for column \"{}\" of table \"{table}\"",
                    column.name.value
                ),
            ))
        }
    };
    if column
        .options
        .iter()
        .any(|o| matches!(o.option, ColumnOption::Default(_)))
    {
        return Err(PgError::new(
            SqlState::SYNTAX_ERROR,
            format!(
                "multiple default values specified for column \"{}\" of table \"{table}\"",
                column.name.value
            ),
        ));
    }
    column.data_type = stored_type(&ty);
    let name = format!("{table}_{}_seq", column.name.value);
    column.options.push(ColumnOptionDef {
        name: None,
        option: ColumnOption::NotNull,
    });
    column.options.push(ColumnOptionDef {
        name: None,
        option: ColumnOption::Default(nextval_default(&name)),
    });
    Ok(Some(Sequence {
        temporary,
        name,
        data_type: Some(ty),
        options,
        owned: Some((table.to_string(), column.name.value.clone())),
        identity,
        if_not_exists: false,
    }))
}

/// `nextval('s'::regclass)` (pg_dump's spelling of a serial column's DEFAULT) as
/// `nextval('s')`: the sequence functions read a name as regclass does, and a DEFAULT
/// may not look the schema up (`pg_regclass` reads it, which SQLite refuses there).
pub(super) fn sequence_by_name(f: &mut sqlparser::ast::Function) {
    use sqlparser::ast::{FunctionArg, FunctionArgExpr, FunctionArguments};
    let name = last(&f.name).to_ascii_lowercase();
    if !["nextval", "currval", "setval"].contains(&name.as_str()) {
        return;
    }
    let FunctionArguments::List(list) = &mut f.args else {
        return;
    };
    let Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(first))) = list.args.first_mut() else {
        return;
    };
    if let Expr::Cast {
        expr, data_type, ..
    } = first
    {
        let literal = matches!(
            expr.as_ref(),
            Expr::Value(v) if matches!(v.value, Value::SingleQuotedString(_))
        );
        if literal && casts::type_name(data_type) == "regclass" {
            *first = std::mem::replace(expr.as_mut(), Expr::Value(Value::Null.into()));
        }
    }
}

/// An identity column's type as its sequence's (PostgreSQL's 22023 for other types).
fn identity_type(t: &DataType) -> Result<String, PgError> {
    let ty = sequence_type(t);
    if !["smallint", "integer", "bigint"].contains(&ty.as_str()) {
        return Err(PgError::new(
            SqlState::INVALID_PARAMETER_VALUE,
            "identity column type must be smallint, integer, or bigint",
        ));
    }
    Ok(ty)
}

/// The type a sequence-numbered column is stored as: PostgreSQL's own name, since
/// `int4 PRIMARY KEY` is not SQLite's rowid (which would ignore the DEFAULT and number
/// rows itself, leaving the sequence behind).
fn stored_type(sequence_type: &str) -> DataType {
    let stored = match sequence_type {
        "smallint" => "int2",
        "integer" => "int4",
        _ => "int8",
    };
    DataType::Custom(ObjectName::from(vec![Ident::new(stored)]), vec![])
}

/// `nextval('s')`, the DEFAULT of a column numbered by sequence `name`.
fn nextval_default(name: &str) -> Expr {
    let quoted = |name: &str| {
        if name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            name.to_string()
        } else {
            format!("\"{}\"", name.replace('"', "\"\""))
        }
    };
    // A user schema's sequence `s.q` is named `s.q` (schemas.rs).
    let regclass = match super::schemas::schema_of(name) {
        Some(s) => format!("{}.{}", quoted(s), quoted(&name[s.len() + 1..])),
        None => quoted(name),
    };
    super::call(
        "nextval",
        vec![Expr::Value(Value::SingleQuotedString(regclass).into())],
    )
}

/// A sequence's type named as PostgreSQL's catalogs name it.
fn sequence_type(t: &DataType) -> String {
    match casts::type_name(t).as_str() {
        "int2" | "smallint" => "smallint".into(),
        "int" | "int4" | "integer" => "integer".into(),
        "int8" | "bigint" => "bigint".into(),
        other => other.into(),
    }
}

/// A sequence option's value: an integer literal, possibly negative.
fn integer(e: &Expr) -> Result<i64, PgError> {
    let invalid = || {
        PgError::new(
            SqlState::SYNTAX_ERROR,
            format!("syntax error at or near \"{e}\""),
        )
    };
    match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse().map_err(|_| {
                PgError::new(
                    SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
                    format!("value \"{n}\" is out of range for type bigint"),
                )
            }),
            _ => Err(invalid()),
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => integer(expr).map(|v| -v),
        Expr::UnaryOp {
            op: UnaryOperator::Plus,
            expr,
        } => integer(expr),
        _ => Err(invalid()),
    }
}

/// A relation's name without its schema (`public.s` → `s`); other schemas are refused.
fn relation(name: &ObjectName) -> Result<String, PgError> {
    match name.0.len() {
        1 => Ok(last(name)),
        2 => {
            let schema = name.0[0]
                .as_ident()
                .map(crate::sql::alter::ident)
                .unwrap_or_default();
            if ["public", "pg_temp"].contains(&schema.as_str()) {
                Ok(last(name))
            } else if super::schemas::is_user_schema(&schema) {
                Ok(super::schemas::joined(&schema, &last(name)))
            } else {
                Err(PgError::new(
                    SqlState::INVALID_SCHEMA_NAME,
                    format!("schema \"{schema}\" does not exist"),
                ))
            }
        }
        _ => Err(unsupported(format!("the name {name}"))),
    }
}

/// `t.c` (or `public.t.c`) → (t, c).
fn owner(name: &ObjectName) -> Result<(String, String), PgError> {
    let mut parts = name.0.clone();
    match parts.pop() {
        Some(column) if !parts.is_empty() => {
            let table = relation(&ObjectName(parts))?;
            Ok((table, last(&ObjectName(vec![column]))))
        }
        _ => Err(PgError::new(
            SqlState::SYNTAX_ERROR,
            format!("invalid column reference \"{name}\""),
        )),
    }
}

/// The last part of a name, as written (quotes removed).
fn last(name: &ObjectName) -> String {
    name.0
        .last()
        .and_then(|p| p.as_ident())
        .map(|i| i.value.clone())
        .unwrap_or_default()
}

/// A SQL string literal.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn reserved(name: &str) -> PgError {
    PgError::new(
        SqlState::INSUFFICIENT_PRIVILEGE,
        format!("permission denied to create \"{name}\""),
    )
    .with_detail(format!(
        "Names starting with {PREFIX} are reserved for litewire's own tables."
    ))
}

/// `CREATE [TEMP] SEQUENCE`, `ALTER SEQUENCE` and `COMMENT ON` read here: sequence
/// options in any order as PostgreSQL takes them (sqlparser has no ALTER SEQUENCE and
/// takes CREATE's options in one order only), comments on indexes, sequences and views
/// (sqlparser has tables and columns only), DO blocks (enums.rs). None for any other
/// statement.
pub fn read_by_hand(text: &str) -> Option<Result<String, PgError>> {
    let words: Vec<String> = crate::sql::lexer::words(text)
        .take(3)
        .map(|w| w.to_ascii_lowercase())
        .collect();
    if super::rules::is_rule_statement(text) {
        return Some(super::rules::statement(text));
    }
    if super::routines::is_create(text) {
        return Some(super::routines::create(text));
    }
    if super::routines::is_alter(text) {
        return Some(super::routines::alter(text));
    }
    let alter = match words.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["comment", "on", ..] => return Some(read_comment(text)),
        ["do", ..] => return Some(super::enums::do_block(text)),
        ["cluster", ..] => return Some(cluster(text)),
        ["alter", "index", ..] => return Some(index_statistics(text)),
        ["create", "domain", ..] => return Some(super::domains::create(text)),
        ["drop", "domain", ..] => return Some(super::domains::drop(text)),
        ["alter", "type", _]
            if crate::sql::lexer::words(text).any(|w| w.eq_ignore_ascii_case("owner")) =>
        {
            return Some(read_type_owner(text))
        }
        ["alter", "sequence", ..] => true,
        ["create", "sequence", ..] | ["create", "temp" | "temporary", "sequence"] => false,
        _ => return None,
    };
    Some(read_read_by_hand(text, alter).and_then(|s| s))
}

/// `CLUSTER [VERBOSE] [t [USING i]]` (and the old `CLUSTER i ON t`): SQLite keeps no
/// row order, so only the index it marks (pg_index.indisclustered) is recorded
/// (engine/objects/relations.rs); without a table, nothing is done.
fn cluster(text: &str) -> Result<String, PgError> {
    let toks: Vec<&str> = crate::sql::lexer::significant(text)
        .map(|t| &text[t.start..t.end])
        .collect();
    let is = |t: &str, w: &str| t.eq_ignore_ascii_case(w);
    let mut rest = &toks[1..];
    if rest.first().is_some_and(|t| *t == "(") {
        let close = rest
            .iter()
            .position(|t| *t == ")")
            .ok_or_else(|| PgError::syntax_near(rest.last().copied().unwrap_or_default()))?;
        rest = &rest[close + 1..];
    } else if rest.first().is_some_and(|t| is(t, "verbose")) {
        rest = &rest[1..];
    }
    let name = |t: &str| crate::sql::lexer::fold_ident(t);
    let (table, index) = match rest {
        [] => return Ok(batch(&[])),
        [t] => (name(t), None),
        [t, using, i] if is(using, "using") => (name(t), Some(name(i))),
        [i, on, t] if is(on, "on") => (name(t), Some(name(i))),
        [_, next, ..] => return Err(PgError::syntax_near(next)),
    };
    Ok(batch(&[format!(
        "SELECT litewire_relation({}, 'cluster', {})",
        quote(&table),
        index.as_deref().map_or("NULL".to_string(), quote)
    )]))
}

/// `ALTER INDEX [IF EXISTS] i ALTER [COLUMN] n SET STATISTICS v`: a planner setting,
/// with no effect here once PostgreSQL's checks pass (the column must be an
/// expression: `litewire_index_statistics`, engine/catalog/indexdef.rs).
fn index_statistics(text: &str) -> Result<String, PgError> {
    let toks: Vec<&str> = crate::sql::lexer::significant(text)
        .map(|t| &text[t.start..t.end])
        .collect();
    let lower: Vec<String> = toks.iter().map(|t| t.to_ascii_lowercase()).collect();
    let w: Vec<&str> = lower.iter().map(String::as_str).collect();
    let (if_exists, rest) = match &w[2..] {
        ["if", "exists", rest @ ..] => (true, rest),
        rest => (false, rest),
    };
    let at = toks.len() - rest.len();
    let (column, value) = match rest {
        [_, "alter", "column", n, "set", "statistics", v @ ..]
        | [_, "alter", n, "set", "statistics", v @ ..] => (*n, v.concat()),
        _ => {
            return Err(unsupported(
                "ALTER INDEX other than RENAME TO and SET STATISTICS",
            ))
        }
    };
    let index = crate::sql::lexer::fold_ident(toks[at]);
    let n: i64 = column
        .parse()
        .map_err(|_| unsupported("ALTER INDEX … ALTER COLUMN by name"))?;
    if !(1..=32767).contains(&n) {
        return Err(PgError::new(
            SqlState::INVALID_PARAMETER_VALUE,
            "column number must be in range from 1 to 32767",
        ));
    }
    let v: i64 = value.parse().map_err(|_| PgError::syntax_near(&value))?;
    if v < -1 {
        return Err(PgError::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!("statistics target {v} is too low"),
        ));
    }
    Ok(batch(&[format!(
        "SELECT litewire_index_statistics({}, {n}, {})",
        quote(&index),
        u8::from(if_exists)
    )]))
}

/// `CREATE UNLOGGED TABLE …`: the text without UNLOGGED (blanked, so positions in
/// errors stay), to be translated as a table crash-safe like every other, and then
/// marked by [`unlogged_batch`]. None for any other statement.
pub fn without_unlogged(text: &str) -> Option<String> {
    let mut toks = crate::sql::lexer::significant(text);
    let create = toks.next()?;
    let unlogged = toks.next()?;
    let table = toks.next()?;
    let word = |t: &crate::sql::lexer::Token, w: &str| text[t.start..t.end].eq_ignore_ascii_case(w);
    if !(word(&create, "create") && word(&unlogged, "unlogged") && word(&table, "table")) {
        return None;
    }
    let mut out = text.to_string();
    out.replace_range(
        unlogged.start..unlogged.end,
        &" ".repeat(unlogged.end - unlogged.start),
    );
    Some(out)
}

/// The translation `sqlite` of a CREATE UNLOGGED TABLE of `table`, after the mark that
/// pg_class shows (relpersistence `u`): made first, so that an existing table (IF NOT
/// EXISTS) keeps its own.
pub fn unlogged_batch(sqlite: String, table: &str) -> String {
    let mark = format!(
        "SELECT litewire_relation({}, 'unlogged', NULL)",
        quote(table)
    );
    match sqlite.strip_prefix(MARKER) {
        Some(parts) => format!("{MARKER}{mark}\0{parts}"),
        None => batch(&[mark, format!("={sqlite}")]),
    }
}

fn read_read_by_hand(text: &str, alter: bool) -> Result<Result<String, PgError>, PgError> {
    use sqlparser::keywords::Keyword;
    let mut p = hand_parser(text)?;
    let temporary;
    let exists_clause;
    if alter {
        let _ = p.parse_keywords(&[Keyword::ALTER, Keyword::SEQUENCE]);
        temporary = false;
        exists_clause = p.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
    } else {
        let _ = p.parse_keyword(Keyword::CREATE);
        temporary = p.parse_keyword(Keyword::TEMP) || p.parse_keyword(Keyword::TEMPORARY);
        let _ = p.parse_keyword(Keyword::SEQUENCE);
        exists_clause = p.parse_keywords(&[Keyword::IF, Keyword::NOT, Keyword::EXISTS]);
    }
    let name = relation(&p.parse_object_name(false).map_err(syntax)?)?;
    let SequenceSpec {
        options,
        data_type,
        restart,
        owned,
        ..
    } = sequence_spec(&mut p, if alter { Allow::Restart } else { Allow::Create })?;
    expect_end(&mut p)?;
    if !alter {
        let sequence = Sequence {
            temporary,
            name,
            data_type,
            options,
            owned: owned.flatten(),
            identity: None,
            if_not_exists: exists_clause,
        };
        return Ok(sequence.create_batch());
    }
    let mut v: [String; 7] = Default::default();
    v.iter_mut().for_each(|s| *s = "NULL".into());
    for option in &options {
        let (i, value) = match option {
            SequenceOptions::StartWith(e, _) => (0, Some(e)),
            SequenceOptions::IncrementBy(e, _) => (1, Some(e)),
            SequenceOptions::MinValue(e) => (2, e.as_ref()),
            SequenceOptions::MaxValue(e) => (3, e.as_ref()),
            SequenceOptions::Cache(e) => (4, Some(e)),
            SequenceOptions::Cycle(no) => {
                v[5] = if *no { "0" } else { "1" }.into();
                continue;
            }
        };
        if let Some(e) = value {
            v[i] = integer(e)?.to_string();
        }
    }
    let restart = match restart {
        None => "NULL".to_string(),
        Some(None) => "'start'".to_string(),
        Some(Some(n)) => n.to_string(),
    };
    let (owned_table, owned_column) = match owned {
        None => ("NULL".to_string(), "NULL".to_string()),
        Some(None) => ("''".to_string(), "NULL".to_string()),
        Some(Some((t, c))) => (quote(&t), quote(&c)),
    };
    Ok(Ok(batch(&[format!(
        "SELECT litewire_alter_sequence({}, {}, {}, {}, {restart}, {}, {}, {}, {}, {}, \
         {owned_table}, {owned_column})",
        quote(&name),
        u8::from(exists_clause),
        data_type.as_deref().map_or("NULL".to_string(), quote),
        v[0],
        v[1],
        v[2],
        v[3],
        v[4],
        v[5],
    )])))
}

fn syntax(e: sqlparser::parser::ParserError) -> PgError {
    PgError::new(SqlState::SYNTAX_ERROR, format!("syntax error: {e}"))
}

/// A parser over `text` for the statements read by hand.
fn hand_parser(text: &str) -> Result<sqlparser::parser::Parser<'static>, PgError> {
    static DIALECT: crate::sql::dialect::Postgres = crate::sql::dialect::Postgres;
    sqlparser::parser::Parser::new(&DIALECT)
        .with_recursion_limit(16)
        .try_with_sql(text)
        .map_err(syntax)
}

/// Where sequence options are read, which decides the extra ones taken.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Allow {
    Create,
    /// `ALTER SEQUENCE`: also `RESTART`.
    Restart,
    /// An identity column's `( … )`: also `SEQUENCE NAME`.
    Identity,
}

/// Sequence options in any order, as PostgreSQL's `SeqOptList` takes them.
#[derive(Default)]
struct SequenceSpec {
    options: Vec<SequenceOptions>,
    data_type: Option<String>,
    /// `RESTART` (Some(None)) / `RESTART WITH n`.
    restart: Option<Option<i64>>,
    /// `OWNED BY t.c` / `OWNED BY NONE` (Some(None)).
    owned: Option<Option<(String, String)>>,
    /// `SEQUENCE NAME s`.
    name: Option<String>,
}

fn sequence_spec(p: &mut sqlparser::parser::Parser, allow: Allow) -> Result<SequenceSpec, PgError> {
    use sqlparser::keywords::Keyword;
    use sqlparser::parser::Parser;
    use sqlparser::tokenizer::Token;
    let mut spec = SequenceSpec::default();
    let options = &mut spec.options;
    let number =
        |p: &mut Parser| -> Result<i64, PgError> { integer(&p.parse_number().map_err(syntax)?) };
    loop {
        if p.parse_keyword(Keyword::AS) {
            spec.data_type = Some(sequence_type(&p.parse_data_type().map_err(syntax)?));
        } else if p.parse_keyword(Keyword::INCREMENT) {
            let _ = p.parse_keyword(Keyword::BY);
            options.push(SequenceOptions::IncrementBy(number_expr(number(p)?), false));
        } else if p.parse_keyword(Keyword::MINVALUE) {
            options.push(SequenceOptions::MinValue(Some(number_expr(number(p)?))));
        } else if p.parse_keyword(Keyword::MAXVALUE) {
            options.push(SequenceOptions::MaxValue(Some(number_expr(number(p)?))));
        } else if p.parse_keywords(&[Keyword::NO, Keyword::MINVALUE]) {
            options.push(SequenceOptions::MinValue(None));
        } else if p.parse_keywords(&[Keyword::NO, Keyword::MAXVALUE]) {
            options.push(SequenceOptions::MaxValue(None));
        } else if p.parse_keywords(&[Keyword::NO, Keyword::CYCLE]) {
            options.push(SequenceOptions::Cycle(true));
        } else if p.parse_keyword(Keyword::CYCLE) {
            options.push(SequenceOptions::Cycle(false));
        } else if p.parse_keyword(Keyword::START) {
            let _ = p.parse_keyword(Keyword::WITH);
            options.push(SequenceOptions::StartWith(number_expr(number(p)?), false));
        } else if p.parse_keyword(Keyword::CACHE) {
            options.push(SequenceOptions::Cache(number_expr(number(p)?)));
        } else if allow == Allow::Restart && p.parse_keyword(Keyword::RESTART) {
            let with = p.parse_keyword(Keyword::WITH);
            let value = match p.peek_token().token {
                Token::Number(..) | Token::Minus | Token::Plus => Some(number(p)?),
                _ if with => Some(number(p)?),
                _ => None,
            };
            spec.restart = Some(value);
        } else if allow == Allow::Identity && p.parse_keywords(&[Keyword::SEQUENCE, Keyword::NAME])
        {
            spec.name = Some(relation(&p.parse_object_name(false).map_err(syntax)?)?);
        } else if allow != Allow::Identity && p.parse_keywords(&[Keyword::OWNED, Keyword::BY]) {
            let o = p.parse_object_name(false).map_err(syntax)?;
            spec.owned = Some(if o.0.len() == 1 && last(&o).eq_ignore_ascii_case("none") {
                None
            } else {
                Some(owner(&o)?)
            });
        } else {
            return Ok(spec);
        }
    }
}

/// `ALTER TYPE e OWNER TO role` (pg_dump writes it after each CREATE TYPE): the
/// session's user owns everything, any other role does not exist (engine/objects).
fn read_type_owner(text: &str) -> Result<String, PgError> {
    use sqlparser::keywords::Keyword;
    let mut p = hand_parser(text)?;
    let mut expect = |k: &[Keyword]| p.expect_keywords(k).map_err(syntax);
    expect(&[Keyword::ALTER, Keyword::TYPE])?;
    let name = p.parse_object_name(false).map_err(syntax)?;
    p.expect_keywords(&[Keyword::OWNER, Keyword::TO])
        .map_err(syntax)?;
    let role = if p.parse_keyword(Keyword::CURRENT_USER) || p.parse_keyword(Keyword::SESSION_USER) {
        None
    } else {
        Some(p.parse_identifier().map_err(syntax)?.value)
    };
    expect_end(&mut p)?;
    super::enums::owner(&name, role.as_deref())
}

/// The end of a statement read by hand: an optional `;`, then nothing.
fn expect_end(p: &mut sqlparser::parser::Parser) -> Result<(), PgError> {
    use sqlparser::tokenizer::Token;
    let _ = p.consume_token(&Token::SemiColon);
    let next = p.peek_token();
    if next.token != Token::EOF {
        return Err(PgError::new(
            SqlState::SYNTAX_ERROR,
            format!("syntax error at or near \"{}\"", next.token),
        ));
    }
    Ok(())
}

/// `SEQUENCE NAME s` among the options of a CREATE TABLE identity column (drizzle-kit
/// writes it), which the grammar lacks there: blanked when `s` is the name the column's
/// sequence gets anyway (`table_column_seq`, [`column_sequence`]), refused (0A000) for
/// another name. Same length, so the text's offsets stay. None when there is none.
pub(crate) fn identity_sequence_names(text: &str) -> Result<Option<String>, PgError> {
    use crate::sql::lexer::{fold_ident, significant, words, TokenKind};
    // Only a table definition that says SEQUENCE is read further.
    let mut head = words(text);
    let create = head
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case("create"))
        && head.take(3).any(|w| w.eq_ignore_ascii_case("table"));
    if !create || !words(text).any(|w| w.eq_ignore_ascii_case("sequence")) {
        return Ok(None);
    }
    let tokens: Vec<_> = significant(text).collect();
    let src = |i: usize| tokens.get(i).map_or("", |t| &text[t.start..t.end]);
    let kind = |i: usize| tokens.get(i).map(|t| t.kind);
    let word =
        |i: usize, w: &str| kind(i) == Some(TokenKind::Word) && src(i).eq_ignore_ascii_case(w);
    let name_part = |i: usize| matches!(kind(i), Some(TokenKind::Word | TokenKind::Quoted));
    let (mut table, mut column) = (None::<String>, None::<String>);
    let (mut depth, mut out, mut i) = (0usize, None::<String>, 0usize);
    while i < tokens.len() {
        match tokens[i].kind {
            TokenKind::Open => {
                depth += 1;
                if depth == 1 && table.is_none() {
                    table = Some(fold_ident(src(i.saturating_sub(1))));
                }
                if depth == 1 {
                    column = Some(fold_ident(src(i + 1)));
                }
            }
            TokenKind::Close => depth = depth.saturating_sub(1),
            TokenKind::Other if depth == 1 && src(i) == "," => {
                column = Some(fold_ident(src(i + 1)))
            }
            TokenKind::Word if depth == 2 && word(i, "sequence") && word(i + 1, "name") => {
                let mut parts = Vec::new();
                let mut j = i + 2;
                loop {
                    if !name_part(j) {
                        return Err(PgError::new(
                            SqlState::SYNTAX_ERROR,
                            format!("syntax error at or near \"{}\"", src(j)),
                        ));
                    }
                    parts.push(fold_ident(src(j)));
                    if src(j + 1) != "." {
                        break;
                    }
                    j += 2;
                }
                let (table, column) = (
                    table.as_deref().unwrap_or(""),
                    column.as_deref().unwrap_or(""),
                );
                let default = format!("{table}_{column}_seq");
                let named = match parts.as_slice() {
                    [name] => name.as_str(),
                    [schema, name] if schema == "public" => name.as_str(),
                    _ => "",
                };
                if named != default {
                    return Err(unsupported(format!(
                        "SEQUENCE NAME other than \"{default}\" for an identity column in CREATE TABLE"
                    )));
                }
                let (start, end) = (tokens[i].start, tokens[j].end);
                out.get_or_insert_with(|| text.to_string())
                    .replace_range(start..end, &" ".repeat(end - start));
                i = j;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(out)
}

/// `ALTER TABLE [IF EXISTS] [ONLY] t ALTER [COLUMN] c ADD GENERATED {ALWAYS | BY DEFAULT}
/// AS IDENTITY [(options)]`, as pg_dump writes it after `CREATE TABLE` (sqlparser has
/// neither `SEQUENCE NAME` nor options in any order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddIdentity {
    pub table: String,
    pub if_exists: bool,
    pub column: String,
    pub always: bool,
    /// `SEQUENCE NAME s`; PostgreSQL's `t_c_seq` without it.
    sequence: Option<String>,
    options: Vec<SequenceOptions>,
}

impl AddIdentity {
    /// Reads `text` when it is this statement (None otherwise).
    pub fn read(text: &str) -> Option<Result<AddIdentity, PgError>> {
        let words: Vec<String> = crate::sql::lexer::words(text)
            .map(|w| w.to_ascii_lowercase())
            .collect();
        let adds = words
            .windows(2)
            .any(|w| w[0] == "add" && w[1] == "generated");
        (words.len() > 2 && words[0] == "alter" && words[1] == "table" && adds)
            .then(|| Self::parse(text))
    }

    fn parse(text: &str) -> Result<AddIdentity, PgError> {
        use sqlparser::keywords::Keyword;
        use sqlparser::tokenizer::Token;
        let mut p = hand_parser(text)?;
        let _ = p.parse_keywords(&[Keyword::ALTER, Keyword::TABLE]);
        let if_exists = p.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
        let _ = p.parse_keyword(Keyword::ONLY);
        let table = relation(&p.parse_object_name(false).map_err(syntax)?)?;
        let _ = p.consume_token(&Token::Mul);
        p.expect_keyword_is(Keyword::ALTER).map_err(syntax)?;
        let _ = p.parse_keyword(Keyword::COLUMN);
        let column = crate::sql::alter::ident(&p.parse_identifier().map_err(syntax)?);
        p.expect_keywords(&[Keyword::ADD, Keyword::GENERATED])
            .map_err(syntax)?;
        let always = if p.parse_keyword(Keyword::ALWAYS) {
            true
        } else {
            p.expect_keywords(&[Keyword::BY, Keyword::DEFAULT])
                .map_err(syntax)?;
            false
        };
        p.expect_keywords(&[Keyword::AS, Keyword::IDENTITY])
            .map_err(syntax)?;
        let mut spec = SequenceSpec::default();
        if p.consume_token(&Token::LParen) {
            spec = sequence_spec(&mut p, Allow::Identity)?;
            if spec.data_type.is_some() {
                return Err(unsupported("AS type in an identity column's options"));
            }
            p.expect_token(&Token::RParen).map_err(syntax)?;
        }
        if p.consume_token(&Token::Comma) {
            return Err(unsupported(
                "ADD GENERATED beside other ALTER TABLE actions",
            ));
        }
        expect_end(&mut p)?;
        Ok(AddIdentity {
            table,
            if_exists,
            column,
            always,
            sequence: spec.name,
            options: spec.options,
        })
    }

    /// The identity column's sequence (named as PostgreSQL names it), for column `column`
    /// (as stored) of type `column_type`: the type the column is stored as, its DEFAULT,
    /// and the internal batch creating the sequence (and ALWAYS's triggers).
    pub fn parts(
        &self,
        column: &str,
        column_type: &DataType,
        temporary: bool,
    ) -> Result<(DataType, Expr, String), PgError> {
        let ty = identity_type(column_type)?;
        let name = self
            .sequence
            .clone()
            .unwrap_or_else(|| format!("{}_{column}_seq", self.table));
        let mut parts = Vec::new();
        if self.always {
            parts.extend(always(&self.table, column, &name, false));
        }
        parts.push(
            Sequence {
                temporary,
                name: name.clone(),
                data_type: Some(ty.clone()),
                options: self.options.clone(),
                owned: Some((self.table.clone(), column.to_string())),
                identity: Some(if self.always { 'a' } else { 'd' }),
                if_not_exists: false,
            }
            .create()?,
        );
        Ok((stored_type(&ty), nextval_default(&name), batch(&parts)))
    }
}

/// `COMMENT ON {TABLE | COLUMN | INDEX | SEQUENCE | VIEW} name | CONSTRAINT c ON t IS
/// 'text' | NULL`.
fn read_comment(text: &str) -> Result<String, PgError> {
    use sqlparser::keywords::Keyword;
    use sqlparser::tokenizer::Token;
    let mut p = hand_parser(text)?;
    let _ = p.parse_keywords(&[Keyword::COMMENT, Keyword::ON]);
    let kind = match p.next_token().token {
        Token::Word(w) => match w.keyword {
            Keyword::TABLE => "table",
            Keyword::COLUMN => "column",
            Keyword::INDEX => "index",
            Keyword::SEQUENCE => "sequence",
            Keyword::VIEW => "view",
            Keyword::CONSTRAINT => "constraint",
            _ => {
                return Err(unsupported(format!(
                    "COMMENT ON {}",
                    w.value.to_ascii_uppercase()
                )))
            }
        },
        other => {
            return Err(PgError::new(
                SqlState::SYNTAX_ERROR,
                format!("syntax error at or near \"{other}\""),
            ))
        }
    };
    let name = p.parse_object_name(false).map_err(syntax)?;
    let (relation, attribute) = match kind {
        "column" => owner(&name)?,
        // `CONSTRAINT c ON t`: kept as the table's, under the constraint's name.
        "constraint" => {
            p.expect_keyword_is(Keyword::ON).map_err(syntax)?;
            let table = p.parse_object_name(false).map_err(syntax)?;
            let constraint = name.0.last().and_then(|p| p.as_ident());
            let constraint = constraint.map(crate::sql::alter::ident).unwrap_or_default();
            (relation(&table)?, constraint)
        }
        _ => (relation(&name)?, String::new()),
    };
    p.expect_keyword_is(Keyword::IS).map_err(syntax)?;
    let comment = if p.parse_keyword(Keyword::NULL) {
        None
    } else {
        match p.next_token().token {
            Token::SingleQuotedString(s)
            | Token::EscapedStringLiteral(s)
            | Token::UnicodeStringLiteral(s) => Some(s),
            Token::DollarQuotedString(d) => Some(d.value),
            other => {
                return Err(PgError::new(
                    SqlState::SYNTAX_ERROR,
                    format!("syntax error at or near \"{other}\""),
                ))
            }
        }
    };
    expect_end(&mut p)?;
    Ok(comment_batch(
        kind,
        &relation,
        &attribute,
        comment.as_deref(),
    ))
}

/// The batch setting a comment (`litewire_comment`, engine/objects).
fn comment_batch(kind: &str, name: &str, attribute: &str, comment: Option<&str>) -> String {
    let text = comment.map_or("NULL".to_string(), quote);
    batch(&[format!(
        "+main.comments SELECT litewire_comment('{kind}', {}, {}, {text})",
        quote(name),
        quote(attribute)
    )])
}

fn number_expr(n: i64) -> Expr {
    Expr::Value(Value::Number(n.to_string(), false).into())
}

/// `SELECT a, nextval('s') FROM t ORDER BY b LIMIT 10`: PostgreSQL draws the values for
/// the rows it returns, in their order; SQLite would compute the select list for every
/// row it sorts. The sorted rows become a subquery and the sequence calls are made on
/// its rows: `SELECT x.c0, nextval('s') FROM (SELECT a AS c0, NULL … ORDER BY b LIMIT
/// 10) AS x`.
pub(super) fn sequence_calls_after_sort(stmt: &mut Statement) -> Result<(), PgError> {
    use sqlparser::ast::{SelectItem, SetExpr};
    let Statement::Query(q) = stmt else {
        return Ok(());
    };
    if q.order_by.is_none() {
        return Ok(());
    }
    let SetExpr::Select(select) = q.body.as_mut() else {
        return Ok(());
    };
    let calls = |item: &SelectItem| {
        sqlparser::ast::visit_expressions(item, |e| match e {
            Expr::Function(f)
                if f.name.0.last().and_then(|p| p.as_ident()).is_some_and(|i| {
                    ["nextval", "setval"].contains(&i.value.to_ascii_lowercase().as_str())
                }) =>
            {
                std::ops::ControlFlow::Break(())
            }
            _ => std::ops::ControlFlow::Continue(()),
        })
        .is_break()
    };
    if !select.projection.iter().any(calls) {
        return Ok(());
    }
    let grouped =
        !matches!(&select.group_by, sqlparser::ast::GroupByExpr::Expressions(e, _) if e.is_empty());
    if select.distinct.is_some() || grouped || select.having.is_some() {
        return Err(unsupported(
            "nextval() or setval() in a sorted, grouped select list",
        ));
    }
    let sorted = Ident::new(format!("{PREFIX}sorted"));
    let mut outer = Vec::new();
    for (i, item) in select.projection.iter_mut().enumerate() {
        let call = calls(item);
        let (expr, alias) = match item {
            SelectItem::UnnamedExpr(e) => (e, None),
            SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias.clone())),
            _ => {
                return Err(unsupported(
                    "nextval() or setval() beside * in a sorted select list",
                ))
            }
        };
        let inner_name = alias
            .clone()
            .unwrap_or_else(|| Ident::new(format!("{PREFIX}c{i}")));
        let expr = std::mem::replace(expr, Expr::Value(Value::Null.into()));
        if call && reads_columns(&expr) {
            // The call runs outside the sorted rows, where their columns are not in scope.
            return Err(unsupported(
                "nextval() or setval() with a column in its arguments in a sorted select list",
            ));
        }
        if call {
            outer.push(match alias {
                Some(alias) => SelectItem::ExprWithAlias { expr, alias },
                None => SelectItem::UnnamedExpr(expr),
            });
            *item = SelectItem::ExprWithAlias {
                expr: Expr::Value(Value::Null.into()),
                alias: inner_name,
            };
        } else {
            outer.push(SelectItem::UnnamedExpr(Expr::CompoundIdentifier(vec![
                sorted.clone(),
                inner_name.clone(),
            ])));
            *item = SelectItem::ExprWithAlias {
                expr,
                alias: inner_name,
            };
        }
    }
    let Statement::Query(mut wrapper) =
        crate::sql::parse::parse_one(&format!("SELECT 1 FROM (SELECT 1) AS {sorted}"), 16)?
    else {
        return Ok(());
    };
    let SetExpr::Select(w) = wrapper.body.as_mut() else {
        return Ok(());
    };
    w.projection = outer;
    if let Some(TableFactor::Derived { subquery, .. }) = w.from.first_mut().map(|f| &mut f.relation)
    {
        *subquery = q.clone();
    }
    *stmt = Statement::Query(wrapper);
    Ok(())
}

/// Whether `expr` reads a column (or anything else a subquery may name).
fn reads_columns(expr: &Expr) -> bool {
    sqlparser::ast::visit_expressions(expr, |e| match e {
        Expr::Identifier(_)
        | Expr::CompoundIdentifier(_)
        | Expr::Subquery(_)
        | Expr::Exists { .. } => std::ops::ControlFlow::Break(()),
        _ => std::ops::ControlFlow::Continue(()),
    })
    .is_break()
}

/// A column's DEFAULT when it is a string literal.
fn string_default(column: &sqlparser::ast::ColumnDef) -> Option<String> {
    column.options.iter().find_map(|o| match &o.option {
        sqlparser::ast::ColumnOption::Default(Expr::Value(v)) => match &v.value {
            Value::SingleQuotedString(s) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use crate::sql::parse::parse_one;
    use crate::sql::translate::{to_sqlite, Settings};

    struct NoSettings;
    impl Settings for NoSettings {
        fn get(&self, _: &str) -> Option<String> {
            None
        }
        fn set(&mut self, _: &str, v: &str) -> Result<String, PgError> {
            Ok(v.to_string())
        }
    }
    use super::*;

    fn sqlite(pg: &str) -> String {
        if let Some(s) = read_by_hand(pg) {
            return s.unwrap().replace(MARKER, "~").replace('\0', " | ");
        }
        to_sqlite(parse_one(pg, 64).unwrap(), &mut NoSettings)
            .unwrap()
            .replace(MARKER, "~")
            .replace('\0', " | ")
    }

    fn error(pg: &str) -> PgError {
        match read_by_hand(pg) {
            Some(r) => r.unwrap_err(),
            None => to_sqlite(parse_one(pg, 64).unwrap(), &mut NoSettings).unwrap_err(),
        }
    }

    #[test]
    fn read_by_hands() {
        assert_eq!(
            sqlite("CREATE SEQUENCE public.s AS integer START 5 INCREMENT BY -1 MAXVALUE 9 NO MINVALUE CYCLE OWNED BY t.c"),
            "~+main.sequences SELECT litewire_create_sequence('main', 's', 'integer', 5, -1, \
             NULL, 9, NULL, 1, 't', 'c', NULL, 0)"
        );
        assert_eq!(
            sqlite("create temp sequence if not exists \"S\""),
            "~+temp.sequences SELECT litewire_create_sequence('temp', 'S', NULL, NULL, NULL, \
             NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1)"
        );
        assert_eq!(
            sqlite("ALTER SEQUENCE IF EXISTS s RESTART WITH 3 OWNED BY NONE"),
            "~SELECT litewire_alter_sequence('s', 1, NULL, NULL, 3, NULL, NULL, NULL, NULL, \
             NULL, '', NULL)"
        );
        assert_eq!(
            sqlite("alter sequence s restart owned by public.t.id"),
            "~SELECT litewire_alter_sequence('s', 0, NULL, NULL, 'start', NULL, NULL, NULL, \
             NULL, NULL, 't', 'id')"
        );
        assert_eq!(
            sqlite("DROP SEQUENCE IF EXISTS a, b"),
            "~SELECT litewire_drop_sequence('a', 1, 0) | SELECT litewire_drop_sequence('b', 1, 0)"
        );
        assert_eq!(
            error("CREATE SEQUENCE s START x").code,
            SqlState::SYNTAX_ERROR
        );
        assert_eq!(
            error("ALTER SEQUENCE s BOGUS 1").code,
            SqlState::SYNTAX_ERROR
        );
        // A user schema's sequence: its schema is checked when the batch runs.
        assert!(sqlite("CREATE SEQUENCE other.s")
            .starts_with("~SELECT litewire_schema_exists('other') | +main.sequences"));
    }

    #[test]
    fn identity_added_as_pg_dump_writes_it() {
        let a = AddIdentity::read(
            "ALTER TABLE ONLY public.t ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (\n\
             SEQUENCE NAME public.t_seq START WITH 5 INCREMENT BY 2 NO MINVALUE NO MAXVALUE CACHE 1);",
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (a.table.as_str(), a.column.as_str(), a.always),
            ("t", "id", false)
        );
        let (ty, default, batch) = a.parts("id", &DataType::Integer(None), false).unwrap();
        assert_eq!(ty.to_string(), "int4");
        assert_eq!(default.to_string(), "nextval('t_seq')");
        assert_eq!(
            batch.replace(MARKER, "~"),
            "~+main.sequences SELECT litewire_create_sequence('main', 't_seq', 'integer', 5, \
             2, NULL, NULL, 1, NULL, 't', 'id', 'd', 0)"
        );
        let always = AddIdentity::read("alter table t alter c add generated always as identity")
            .unwrap()
            .unwrap();
        let (_, default, batch) = always.parts("c", &DataType::BigInt(None), false).unwrap();
        assert_eq!(default.to_string(), "nextval('t_c_seq')");
        assert!(batch.contains("litewire_identity_insert('t_c_seq'"));
        assert!(AddIdentity::read("ALTER TABLE t ADD COLUMN c int").is_none());
        assert_eq!(
            AddIdentity::read("ALTER TABLE t ALTER c ADD GENERATED ALWAYS AS IDENTITY, ADD d int")
                .unwrap()
                .unwrap_err()
                .code,
            SqlState::FEATURE_NOT_SUPPORTED
        );
        assert_eq!(
            AddIdentity::read("ALTER TABLE t ALTER c ADD GENERATED AS IDENTITY")
                .unwrap()
                .unwrap_err()
                .code,
            SqlState::SYNTAX_ERROR
        );
    }

    #[test]
    fn regclass_sequence_arguments_are_names() {
        assert_eq!(
            sqlite("SELECT nextval('public.s'::regclass), setval('s'::regclass, 3)"),
            "SELECT nextval('public.s'), setval('s', 3)"
        );
    }

    #[test]
    fn identity_and_serial_columns() {
        assert_eq!(
            sqlite("CREATE TABLE t (a int GENERATED ALWAYS AS IDENTITY (START WITH 10), b smallserial)"),
            "~=CREATE TABLE t (a int4 NOT NULL DEFAULT (nextval('t_a_seq')) \
             CONSTRAINT \"_litewire_22003 integer\" CHECK (a BETWEEN -2147483648 AND 2147483647), \
             b int2 NOT NULL DEFAULT (nextval('t_b_seq')) \
             CONSTRAINT \"_litewire_22003 smallint\" CHECK (b BETWEEN -32768 AND 32767)) | \
             CREATE TRIGGER \"_litewire_t_a_identity\" BEFORE INSERT ON \"t\" FOR EACH ROW \
             BEGIN SELECT litewire_identity_insert('t_a_seq', NEW.\"a\", 'a'); END | \
             CREATE TRIGGER \"_litewire_t_a_identity_update\" BEFORE UPDATE OF \"a\" ON \"t\" \
             FOR EACH ROW WHEN NEW.\"a\" IS NOT OLD.\"a\" BEGIN \
             SELECT litewire_identity_update('a'); END | \
             +main.sequences SELECT litewire_create_sequence('main', 't_a_seq', 'integer', 10, \
             NULL, NULL, NULL, NULL, NULL, 't', 'a', 'a', 0) | \
             +main.sequences SELECT litewire_create_sequence('main', 't_b_seq', 'smallint', \
             NULL, NULL, NULL, NULL, NULL, NULL, 't', 'b', NULL, 0)"
        );
        assert_eq!(
            error("CREATE TABLE t (a text GENERATED BY DEFAULT AS IDENTITY)").code,
            SqlState::INVALID_PARAMETER_VALUE
        );
        assert_eq!(
            error("CREATE TABLE t (a serial DEFAULT 1)").code,
            SqlState::SYNTAX_ERROR
        );
        assert_eq!(
            error("CREATE TABLE _litewire_x (a int)").code,
            SqlState::INSUFFICIENT_PRIVILEGE
        );
        // A plain table needs no batch.
        assert_eq!(sqlite("CREATE TABLE t (a text)"), "CREATE TABLE t (a TEXT)");
    }

    #[test]
    fn drops_and_comments() {
        assert_eq!(
            sqlite("DROP TABLE IF EXISTS t"),
            "~=DROP TABLE IF EXISTS t | SELECT litewire_drop_owned('t')"
        );
        assert_eq!(
            sqlite("COMMENT ON COLUMN public.t.c IS 'it''s'"),
            "~+main.comments SELECT litewire_comment('column', 't', 'c', 'it''s')"
        );
        assert_eq!(
            sqlite("COMMENT ON TABLE t IS NULL"),
            "~+main.comments SELECT litewire_comment('table', 't', '', NULL)"
        );
        assert_eq!(
            error("COMMENT ON SCHEMA public IS 'x'").code,
            SqlState::FEATURE_NOT_SUPPORTED
        );
        assert_eq!(
            sqlite("comment on index public.i is $$x$$"),
            "~+main.comments SELECT litewire_comment('index', 'i', '', 'x')"
        );
        assert_eq!(
            sqlite("COMMENT ON CONSTRAINT C ON public.t IS 'x'"),
            "~+main.comments SELECT litewire_comment('constraint', 't', 'c', 'x')"
        );
        assert_eq!(
            error("COMMENT ON TRIGGER c ON t IS 'x'").code,
            SqlState::FEATURE_NOT_SUPPORTED
        );
        assert_eq!(
            error("COMMENT ON INDEX i IS 'x' extra").code,
            SqlState::SYNTAX_ERROR
        );
    }

    #[test]
    fn sequence_calls_come_after_the_sort() {
        assert_eq!(
            sqlite("select a, b as c, nextval('s') from t order by b limit 10"),
            "SELECT _litewire_sorted._litewire_c0, _litewire_sorted.c, nextval('s') FROM (SELECT a AS _litewire_c0, b AS c, NULL AS _litewire_c2 FROM t ORDER BY pg_order_key(b, 'C1:b[1:t]') NULLS LAST LIMIT 10) AS _litewire_sorted"
        );
        assert_eq!(
            sqlite("select nextval('s') from t"),
            "SELECT nextval('s') FROM t"
        );
        // A string that spells nextval( is no call (drizzle-kit's column query).
        assert!(!sqlite("select 'nextval(' || a from t order by b").contains("_sorted"));
        assert_eq!(
            error("select nextval(a) from t order by b").code,
            SqlState::FEATURE_NOT_SUPPORTED
        );
        assert_eq!(
            error("select *, nextval('s') from t order by 1").code,
            SqlState::FEATURE_NOT_SUPPORTED
        );
    }

    #[test]
    fn schema_listings_hide_reserved_tables() {
        assert_eq!(
            sqlite("SELECT name FROM sqlite_schema s"),
            "SELECT name FROM (SELECT * FROM main.sqlite_schema WHERE name NOT LIKE \
             '\\_litewire\\_%' ESCAPE '\\' AND tbl_name NOT LIKE '\\_litewire\\_%' ESCAPE '\\') AS s"
        );
    }
}
