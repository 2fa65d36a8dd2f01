//! `CREATE TABLE t (LIKE s [INCLUDING | EXCLUDING DEFAULTS])`: SQLite has no LIKE (it
//! would make a column named "LIKE"), and the source's columns are in the schema, so the
//! column list is a marker the engine fills in when the statement is prepared
//! (engine/dml.rs): names, declared types and their value checks, NOT NULL, and the
//! defaults when asked for, as PostgreSQL copies them.

use sqlparser::ast::{
    ColumnDef, CreateTableLikeDefaults, CreateTableLikeKind, DataType, Ident, Statement,
};

/// The marker: `pg_like_columns('schema', 'table', defaults 0/1)`.
pub const LIKE_MARKER: &str = "pg_like_columns";

/// Replaces a CREATE TABLE's LIKE by the marker column. sqlparser reads PostgreSQL's
/// `(LIKE s)` as a column named LIKE of type s; its own LIKE forms (other dialects')
/// are read too.
pub(super) fn rewrite(stmt: &mut Statement) {
    let Statement::CreateTable(ct) = stmt else {
        return;
    };
    if let Some(CreateTableLikeKind::Parenthesized(l) | CreateTableLikeKind::Plain(l)) =
        ct.like.take()
    {
        let defaults = matches!(l.defaults, Some(CreateTableLikeDefaults::Including));
        ct.columns.insert(0, marker(&l.name.to_string(), defaults));
    }
    for column in &mut ct.columns {
        let is_like = column.name.quote_style.is_none()
            && column.name.value.eq_ignore_ascii_case("like")
            && column.options.is_empty();
        if let (true, DataType::Custom(source, modifiers)) = (is_like, &column.data_type) {
            if modifiers.is_empty() {
                *column = marker(&source.to_string(), false);
            }
        }
    }
}

fn marker(source: &str, defaults: bool) -> ColumnDef {
    let (schema, table) = super::dml::split(source);
    // Before the walk, which reads public as main (mod.rs, unqualify).
    let schema = if schema.eq_ignore_ascii_case("public") {
        "main".to_string()
    } else {
        schema
    };
    let marker = format!(
        "{LIKE_MARKER}({}, {}, {})",
        super::dml::sql_string(&schema),
        super::dml::sql_string(&table),
        u8::from(defaults)
    );
    ColumnDef {
        name: Ident::new(marker),
        data_type: DataType::Unspecified,
        options: vec![],
    }
}
