//! Enum types: CREATE TYPE … AS ENUM, DROP TYPE, ALTER TYPE → internal batches of the
//! engine's enum functions (engine/objects/enums.rs); columns and casts of a type name
//! litewire does not know read the enum's current labels (`litewire_enum_check`,
//! `pg_enum_in`), which let any value through when the name is no enum.

use sqlparser::ast::{
    AlterType, AlterTypeAddValuePosition, AlterTypeOperation, ColumnOption, ColumnOptionDef,
    DataType, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, ObjectName,
    UserDefinedTypeCompositeAttributeDef, UserDefinedTypeRepresentation,
};

use super::objects::batch;
use super::{call, string, unsupported};
use crate::protocol::{PgError, SqlState};

/// A name as PostgreSQL folds it: unquoted → lower case.
fn folded(i: &Ident) -> String {
    match i.quote_style {
        Some(_) => i.value.clone(),
        None => i.value.to_lowercase(),
    }
}

/// A type's name from `name` or `public.name`.
pub(super) fn type_name(name: &ObjectName) -> Result<String, PgError> {
    let parts: Vec<&Ident> = name.0.iter().filter_map(|p| p.as_ident()).collect();
    match parts.as_slice() {
        [n] => Ok(folded(n)),
        [s, n] if folded(s) == "public" => Ok(folded(n)),
        [s, _] if super::schemas::is_user_schema(&folded(s)) => Err(unsupported(format!(
            "a type in schema \"{}\" (types are public's)",
            folded(s)
        ))),
        [s, _] => Err(PgError::new(
            SqlState::INVALID_SCHEMA_NAME,
            format!("schema \"{}\" does not exist", folded(s)),
        )),
        _ => Err(unsupported(format!("the type name {name}"))),
    }
}

/// A label: a string literal (sqlparser reads it as a single-quoted identifier).
fn label(i: &Ident) -> Result<String, PgError> {
    if i.quote_style != Some('\'') {
        return Err(PgError::new(
            SqlState::SYNTAX_ERROR,
            format!("syntax error at or near \"{}\"", i.value),
        ));
    }
    Ok(quote(&i.value))
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// CREATE TYPE name AS ENUM (…).
pub(super) fn create(
    name: &ObjectName,
    representation: &UserDefinedTypeRepresentation,
) -> Result<String, PgError> {
    create_as(name, representation, false)
}

/// CREATE TYPE; `unless_exists`: nothing happens when the type exists.
fn create_as(
    name: &ObjectName,
    representation: &UserDefinedTypeRepresentation,
    unless_exists: bool,
) -> Result<String, PgError> {
    let labels = match representation {
        UserDefinedTypeRepresentation::Enum { labels } => labels,
        UserDefinedTypeRepresentation::Composite { attributes } if !unless_exists => {
            return composite(name, attributes)
        }
        _ => return Err(unsupported("this form of CREATE TYPE")),
    };
    let mut args = vec![
        u8::from(unless_exists).to_string(),
        quote(&type_name(name)?),
    ];
    for l in labels {
        args.push(label(l)?);
    }
    Ok(batch(&[format!(
        "+main.enums SELECT litewire_create_enum({})",
        args.join(", ")
    )]))
}

/// CREATE TYPE name AS (attribute type, …): the attributes' names folded, their types
/// as written (checked to exist when the batch runs, engine/objects/composites.rs).
fn composite(
    name: &ObjectName,
    attributes: &[UserDefinedTypeCompositeAttributeDef],
) -> Result<String, PgError> {
    let mut args = vec![quote(&type_name(name)?)];
    for a in attributes {
        if a.collation.is_some() {
            return Err(unsupported("COLLATE in a composite type"));
        }
        args.push(quote(&folded(&a.name)));
        args.push(quote(&super::casts::type_name(&a.data_type)));
    }
    Ok(batch(&[format!(
        "+main.composites SELECT litewire_create_composite({})",
        args.join(", ")
    )]))
}

/// DROP TYPE [IF EXISTS] names [CASCADE].
pub(super) fn drop(
    names: &[ObjectName],
    if_exists: bool,
    cascade: bool,
) -> Result<String, PgError> {
    let parts = names
        .iter()
        .map(|n| {
            Ok(format!(
                "SELECT litewire_drop_type({}, {}, {})",
                quote(&type_name(n)?),
                u8::from(if_exists),
                u8::from(cascade)
            ))
        })
        .collect::<Result<Vec<_>, PgError>>()?;
    Ok(batch(&parts))
}

/// ALTER TYPE name ADD VALUE / RENAME VALUE / RENAME TO.
pub(super) fn alter(a: &AlterType) -> Result<String, PgError> {
    let name = quote(&type_name(&a.name)?);
    let part = match &a.operation {
        AlterTypeOperation::AddValue(add) => {
            let (before, after) = match &add.position {
                Some(AlterTypeAddValuePosition::Before(b)) => (label(b)?, "NULL".into()),
                Some(AlterTypeAddValuePosition::After(w)) => ("NULL".into(), label(w)?),
                None => ("NULL".into(), "NULL".into()),
            };
            format!(
                "SELECT litewire_enum_add({name}, {}, {}, {before}, {after})",
                label(&add.value)?,
                u8::from(add.if_not_exists)
            )
        }
        AlterTypeOperation::RenameValue(r) => format!(
            "SELECT litewire_enum_rename_value({name}, {}, {})",
            label(&r.from)?,
            label(&r.to)?
        ),
        AlterTypeOperation::Rename(r) => format!(
            "SELECT litewire_rename_type({name}, {})",
            quote(&folded(&r.new_name))
        ),
    };
    Ok(batch(&[part]))
}

/// ALTER TYPE e OWNER TO role (None: CURRENT_USER): the type must exist and the role be
/// the session's user (`litewire_type_owner`).
pub(super) fn owner(name: &ObjectName, role: Option<&str>) -> Result<String, PgError> {
    Ok(batch(&[format!(
        "SELECT litewire_type_owner({}, {})",
        quote(&type_name(name)?),
        role.map_or("current_user()".to_string(), quote)
    )]))
}

/// The enum a type written as `text` (`mood`, `"public"."Mood"`) may name: None for the
/// types litewire knows and for names with modifiers or array brackets.
fn candidate(text: &str) -> Option<String> {
    if crate::engine::types::names_a_type(text) {
        return None;
    }
    let name = crate::engine::objects::relation_name(text)?;
    (!name.contains(['(', '[']) && !crate::engine::types::names_a_type(&name)).then_some(name)
}

/// The enum a column's type may name (see [`candidate`]).
pub(super) fn of_type(t: &DataType) -> Option<String> {
    match t {
        DataType::Custom(_, modifiers) if modifiers.is_empty() => candidate(&t.to_string()),
        _ => None,
    }
}

/// A column of a type that may be an enum is declared with the bare name, which SQLite
/// keeps as the declared type (the enum's labels and OID are found by it).
pub(super) fn declare(t: &mut DataType) {
    if let Some(name) = of_type(t) {
        *t = DataType::Custom(ObjectName::from(vec![Ident::with_quote('"', name)]), vec![]);
    }
}

/// The CHECK of a column of type `text` when it may name an enum: its values must be
/// the enum's labels at the time (22P02), read by `litewire_enum_check`.
pub(super) fn column_check(column: &Ident, text: &str) -> Option<ColumnOptionDef> {
    let name = candidate(text)?;
    Some(ColumnOptionDef {
        name: Some(Ident::with_quote(
            '"',
            format!("{}22P02 {name}", super::VALUE_CHECK),
        )),
        option: ColumnOption::Check(call(
            "litewire_enum_check",
            vec![Expr::Identifier(column.clone()), string(&name)],
        )),
    })
}

/// `x::name` for a type that may be an enum: checked against its labels, kept as text.
pub(super) fn cast(operand: Expr, t: &DataType) -> Option<Expr> {
    let name = of_type(t)?;
    Some(call("pg_enum_in", vec![operand, string(&name)]))
}

/// `enum_range(NULL::e)`, `enum_first(…)`, `enum_last(…)`: the type is all they read, so
/// they take its name (`pg_enum_range('e')`, engine/objects/enums.rs).
pub(super) fn range_call(f: &mut Function) {
    let name = f.name.to_string().to_ascii_lowercase();
    let Some(which) = ["enum_range", "enum_first", "enum_last"]
        .iter()
        .find(|n| **n == name)
    else {
        return;
    };
    let FunctionArguments::List(list) = &mut f.args else {
        return;
    };
    let [FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Cast { data_type, .. }))] =
        list.args.as_mut_slice()
    else {
        return;
    };
    let Some(enum_name) = of_type(data_type) else {
        return;
    };
    list.args = vec![FunctionArg::Unnamed(FunctionArgExpr::Expr(string(
        &enum_name,
    )))];
    f.name = ObjectName::from(vec![Ident::new(format!("pg_{which}"))]);
}

/// `DO 'BEGIN CREATE TYPE … AS ENUM (…); EXCEPTION WHEN duplicate_object THEN null;
/// END'`, the one anonymous block ORMs send (Sequelize's createTable): the type is
/// created unless it exists. Any other DO block is refused: litewire runs no PL/pgSQL.
pub fn do_block(text: &str) -> Result<String, PgError> {
    let refused = || unsupported("DO (an anonymous code block)");
    let body = block_body(text).ok_or_else(refused)?;
    let lower = body.to_ascii_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let tail = [
        "exception",
        "when",
        "duplicate_object",
        "then",
        "null;",
        "end",
    ];
    let ends = words.len() > tail.len() + 1
        && words[0] == "begin"
        && words[words.len() - tail.len()..]
            .iter()
            .map(|w| w.trim_end_matches(';'))
            .eq(tail.iter().map(|w| w.trim_end_matches(';')));
    if !ends {
        return Err(refused());
    }
    let start = lower.find("begin").map_or(0, |i| i + "begin".len());
    let end = lower.rfind("exception").unwrap_or(lower.len());
    let inner = body[start..end].trim().trim_end_matches(';');
    match crate::sql::parse::parse_one(inner, 32)? {
        sqlparser::ast::Statement::CreateType {
            name,
            representation,
        } => create_as(&name, &representation, true),
        _ => Err(refused()),
    }
}

/// The code of `DO [LANGUAGE plpgsql] 'code'` (or `$$code$$`), its quotes undone.
fn block_body(text: &str) -> Option<String> {
    let rest = text.trim().trim_end_matches(';').trim();
    let rest = rest
        .get(..2)?
        .eq_ignore_ascii_case("do")
        .then(|| rest[2..].trim())?;
    let rest = match rest.get(..8) {
        Some(l) if l.eq_ignore_ascii_case("language") => {
            let after = rest[8..].trim_start();
            let word = after.split_whitespace().next()?;
            if !word.trim_matches('"').eq_ignore_ascii_case("plpgsql") {
                return None;
            }
            after[word.len()..].trim_start()
        }
        _ => rest,
    };
    if let Some(quoted) = rest.strip_prefix('\'') {
        return Some(quoted.strip_suffix('\'')?.replace("''", "'"));
    }
    let tag_end = rest.strip_prefix('$')?.find('$')? + 2;
    let tag = &rest[..tag_end];
    rest[tag_end..].strip_suffix(tag).map(str::to_string)
}

#[cfg(test)]
#[path = "enums_tests.rs"]
mod tests;
