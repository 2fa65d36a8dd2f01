//! Schemas besides `public`. A database is one SQLite file with one namespace, so a
//! relation `s.t` of a schema `s` made by `CREATE SCHEMA s` is the SQLite table (view,
//! index) named `s.t` — one identifier holding a dot. Every place the tree names a
//! relation maps `s.t` to it ([`relation`]); a FROM item `s.t` keeps `t` as its name
//! (`FROM "s.t" AS t`), as PostgreSQL lets `t.c` name its columns. The catalogs split
//! the name again (engine/catalog: `relnamespace`, `table_schema`). The schemas
//! themselves are rows of a reserved table (engine/objects/schemas.rs), so CREATE and
//! DROP SCHEMA are transactional with the data and travel with the file.
//!
//! Unqualified names are public's: a `search_path` naming another schema is refused
//! (server/params.rs), since PostgreSQL would then look there first.

use sqlparser::ast::{Ident, ObjectName, ObjectNamePart, SchemaName};

use super::objects::batch;
use super::unsupported;
use crate::protocol::{PgError, SqlState};

/// Schemas every database has; a name qualified by one of them is not a user schema's.
/// `main` and `temp` are SQLite's own names for the file and the temporary schema.
const BUILT_IN: [&str; 6] = [
    "public",
    "pg_catalog",
    "information_schema",
    "pg_temp",
    "main",
    "temp",
];

/// Whether `schema` (folded) is a schema CREATE SCHEMA made, not a built-in one.
pub(crate) fn is_user_schema(schema: &str) -> bool {
    !BUILT_IN.contains(&schema)
        && !schema.starts_with("pg_temp_")
        && !schema.starts_with("pg_toast")
}

/// An identifier as PostgreSQL folds it.
fn folded(i: &Ident) -> String {
    crate::sql::alter::ident(i)
}

/// The SQLite name of `s.t` when `s` is a user schema: `s.t`. None for anything else
/// (one part, a built-in schema, three parts).
pub(crate) fn qualified(name: &ObjectName) -> Option<String> {
    match name.0.as_slice() {
        [ObjectNamePart::Identifier(s), ObjectNamePart::Identifier(t)]
            if is_user_schema(&folded(s)) =>
        {
            Some(joined(&folded(s), &folded(t)))
        }
        _ => None,
    }
}

/// The SQLite name of relation `rel` of schema `schema`.
pub(crate) fn joined(schema: &str, rel: &str) -> String {
    format!("{schema}.{rel}")
}

/// The schema of a SQLite relation name, when it is a user schema's (`s.t` → `s`).
pub(crate) fn schema_of(sqlite_name: &str) -> Option<&str> {
    sqlite_name
        .split_once('.')
        .map(|(s, _)| s)
        .filter(|s| is_user_schema(s) && !crate::engine::objects::is_reserved(s))
}

/// `s.t` → the one identifier `"s.t"`; other names unchanged.
pub(super) fn join(name: &mut ObjectName) {
    if let Some(q) = qualified(name) {
        name.0 = vec![ObjectNamePart::Identifier(Ident::with_quote('"', q))];
    }
}

/// A FROM item's name as the statement may use it: `t` for `s.t`.
pub(super) fn alias_of(name: &ObjectName) -> Option<Ident> {
    qualified(name)?;
    name.0.get(1)?.as_ident().cloned()
}

/// The check a statement creating a relation in schema `schema` runs with it: 3F000
/// when the schema does not exist.
pub(super) fn exists_check(schema: &str) -> String {
    format!("SELECT litewire_schema_exists({})", quote(schema))
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// `CREATE SCHEMA [IF NOT EXISTS] s [AUTHORIZATION r]` → an internal batch.
pub(super) fn create(
    schema_name: &SchemaName,
    if_not_exists: bool,
    session_user: Option<&str>,
) -> Result<String, PgError> {
    let (name, owner) = match schema_name {
        SchemaName::Simple(n) => (n, None),
        SchemaName::NamedAuthorization(n, owner) => (n, Some(folded(owner))),
        // The schema is named after the role: first in the default search_path
        // (`"$user", public`), which litewire does not search.
        SchemaName::UnnamedAuthorization(_) => {
            return Err(unsupported(
                "CREATE SCHEMA AUTHORIZATION without a schema name",
            ))
        }
    };
    let name = match name.0.as_slice() {
        [ObjectNamePart::Identifier(i)] => folded(i),
        _ => return Err(unsupported(format!("the schema name {name}"))),
    };
    if !is_user_schema(&name) {
        if if_not_exists {
            return Ok(batch(&[format!(
                "SELECT '{} schema \"{name}\" already exists, skipping'",
                SqlState::DUPLICATE_SCHEMA.0
            )]));
        }
        return Err(PgError::new(
            SqlState::DUPLICATE_SCHEMA,
            format!("schema \"{name}\" already exists"),
        ));
    }
    if name.starts_with("pg_") {
        return Err(PgError::new(
            SqlState::RESERVED_NAME,
            format!("unacceptable schema name \"{name}\""),
        )
        .with_detail("The prefix \"pg_\" is reserved for system schemas."));
    }
    if name.contains('.') {
        return Err(unsupported(format!(
            "a schema name with a dot (\"{name}\")"
        )));
    }
    if session_user == Some(name.as_str()) {
        return Err(unsupported(format!(
            "a schema named as the session's user (\"{name}\": PostgreSQL's search_path \
             \"$user\" would search it first)"
        )));
    }
    let owner = owner
        .or_else(|| session_user.map(str::to_string))
        .unwrap_or_default();
    Ok(batch(&[format!(
        "+main.schemas SELECT litewire_create_schema({}, {}, {})",
        quote(&name),
        u8::from(if_not_exists),
        quote(&owner)
    )]))
}

/// The batch part DROP SCHEMA runs (engine/objects/schemas.rs reads it): the schema,
/// IF EXISTS, CASCADE.
pub const DROP_PART: &str = "drop schema ";

/// `DROP SCHEMA [IF EXISTS] a, b [CASCADE | RESTRICT]` → an internal batch.
pub(super) fn drop(
    names: &[ObjectName],
    if_exists: bool,
    cascade: bool,
) -> Result<String, PgError> {
    let mut parts = Vec::with_capacity(names.len());
    for n in names {
        let name = match n.0.as_slice() {
            [ObjectNamePart::Identifier(i)] => folded(i),
            _ => return Err(unsupported(format!("the schema name {n}"))),
        };
        if !is_user_schema(&name) {
            return Err(unsupported(format!("DROP SCHEMA {name}")));
        }
        parts.push(format!(
            "{DROP_PART}{}{}{name}",
            u8::from(if_exists),
            u8::from(cascade)
        ));
    }
    Ok(batch(&parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> ObjectName {
        ObjectName(
            s.split('.')
                .map(|p| ObjectNamePart::Identifier(Ident::new(p)))
                .collect(),
        )
    }

    #[test]
    fn user_schemas_join_their_relations() {
        assert_eq!(qualified(&name("Drizzle.T")).as_deref(), Some("drizzle.t"));
        assert_eq!(qualified(&name("public.t")), None);
        assert_eq!(qualified(&name("pg_catalog.pg_class")), None);
        assert_eq!(qualified(&name("t")), None);
        assert_eq!(schema_of("drizzle.t"), Some("drizzle"));
        assert_eq!(schema_of("t"), None);
        assert_eq!(schema_of("_litewire_rule.t.r"), None);
    }
}
