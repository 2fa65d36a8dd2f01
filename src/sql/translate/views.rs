//! `CREATE OR REPLACE [TEMP] VIEW`, which SQLite lacks, as an internal batch
//! (engine/objects) run in one savepoint: the new definition is first created under a
//! scratch name so that its columns can be compared with the old view's as PostgreSQL
//! does (`pg_view_replaces`: none dropped or renamed, 42P16), then the old view is dropped
//! and the new one created. Column types are not compared (SQLite's views have none).

use sqlparser::ast::{Ident, ObjectName, Statement};

use crate::engine::objects::MARKER;

/// Where the view being replaced lives: its schema (`main` or `temp`) and name.
pub(super) struct Replacing {
    schema: &'static str,
    name: String,
}

/// Takes OR REPLACE off a CREATE VIEW (before the walk), saying which view it replaces.
pub(super) fn take_or_replace(stmt: &mut Statement) -> Option<Replacing> {
    let Statement::CreateView {
        or_replace: or_replace @ true,
        materialized: false,
        name,
        temporary,
        ..
    } = stmt
    else {
        return None;
    };
    *or_replace = false;
    let last = name.0.last()?.as_ident()?;
    let name = match last.quote_style {
        Some(_) => last.value.clone(),
        None => last.value.to_lowercase(),
    };
    Some(Replacing {
        schema: if *temporary { "temp" } else { "main" },
        name,
    })
}

/// The batch that replaces the view with `stmt` (translated, OR REPLACE taken off).
pub(super) fn batch(r: &Replacing, stmt: &Statement) -> String {
    const SCRATCH: &str = "litewire replacing view";
    let mut probe = stmt.clone();
    if let Statement::CreateView {
        name, temporary, ..
    } = &mut probe
    {
        *name = ObjectName::from(vec![Ident::with_quote('"', SCRATCH)]);
        *temporary = true;
    }
    let name = r.name.replace('\'', "''");
    let quoted = format!("{}.\"{}\"", r.schema, r.name.replace('"', "\"\""));
    let columns = |schema: &str, table: &str| {
        format!("(SELECT group_concat(name, char(1)) FROM (SELECT name FROM pragma_table_info('{table}', '{schema}') ORDER BY cid))")
    };
    let parts = [
        format!("={probe}"),
        // A view may not call litewire's SQL functions (engine/new_view.rs checks a new
        // view the same way), which SQLite would meet reading the query's columns.
        format!("SELECT litewire_view_calls_no_function('{SCRATCH}')"),
        format!(
            "SELECT pg_view_replaces({}, {}, '{name}')",
            columns(r.schema, &name),
            columns("temp", SCRATCH)
        ),
        format!("=DROP VIEW temp.\"{SCRATCH}\""),
        format!("=DROP VIEW IF EXISTS {quoted}"),
        format!("={stmt}"),
    ];
    format!("{MARKER}{}", parts.join("\0"))
}
