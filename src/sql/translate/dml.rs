//! INSERT and UPDATE as PostgreSQL checks and spells them. `DEFAULT` in a VALUES row or a
//! SET becomes a marker the engine replaces with the column's default when the statement
//! is prepared (engine/defaults.rs: the default is in the schema, which the translator
//! does not see). PostgreSQL's refusals SQLite lacks: a column assigned twice (42601) or
//! named twice in an INSERT (42701), `SET (a, b) = (…)` of the wrong width (42601),
//! `ON CONFLICT DO UPDATE` without an arbiter (42601), DEFAULT elsewhere (42601). VALUES
//! rows that propose one key twice to `ON CONFLICT DO UPDATE` fail as PostgreSQL's do
//! (21000): the rows are read through `pg_upsert_once`, which remembers the keys.

use std::ops::ControlFlow;

use sqlparser::ast::{
    Assignment, AssignmentTarget, ConflictTarget, Expr, FunctionArg, FunctionArgExpr,
    FunctionArguments, Ident, ObjectName, OnConflictAction, OnInsert, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, Statement, TableFactor, TableObject, TableWithJoins,
    UpdateTableFromKind, Value, Visit, Visitor,
};

use super::{call, raw, string};
use crate::protocol::{PgError, SqlState};
use crate::sql::lexer::quote_ident;

/// `OVERRIDING {SYSTEM | USER} VALUE` of an INSERT, which the grammar lacks: where it
/// stands in the text and whether it says SYSTEM. None when the statement has none.
pub(crate) fn overriding(text: &str) -> Option<(std::ops::Range<usize>, bool)> {
    use crate::sql::lexer::{Lexer, TokenKind};
    if !text
        .as_bytes()
        .windows(10)
        .any(|w| w.eq_ignore_ascii_case(b"overriding"))
    {
        return None;
    }
    let words: Vec<_> = Lexer::new(text)
        .filter(|t| t.kind == TokenKind::Word)
        .collect();
    let word = |i: usize| {
        words
            .get(i)
            .map(|t| text[t.start..t.end].to_ascii_lowercase())
    };
    if word(0).as_deref() != Some("insert") {
        return None;
    }
    (0..words.len()).find_map(|i| {
        let system = match (
            word(i)?.as_str(),
            word(i + 1)?.as_str(),
            word(i + 2)?.as_str(),
        ) {
            ("overriding", "system", "value") => true,
            ("overriding", "user", "value") => false,
            _ => return None,
        };
        Some((words[i].start..words[i + 2].end, system))
    })
}

/// The marker for a column's default: `pg_column_default('schema', 'table', column)`.
pub const DEFAULT_MARKER: &str = "pg_column_default";
/// The marker for an INSERT's whole column list, in table order:
/// `pg_insert_columns('schema', 'table', n)` (the first n columns).
pub const COLUMNS_MARKER: &str = "pg_insert_columns";

/// PostgreSQL's refusals, on the tree as written (before the walk).
pub(super) fn check(stmt: &Statement) -> Result<(), PgError> {
    match stmt {
        Statement::Insert(insert) => {
            let mut seen = Vec::new();
            for c in &insert.columns {
                let name = fold(c);
                if seen.contains(&name) {
                    return Err(PgError::new(
                        SqlState::DUPLICATE_COLUMN,
                        format!("column \"{name}\" specified more than once"),
                    ));
                }
                seen.push(name);
            }
            if let Some(OnInsert::OnConflict(c)) = &insert.on {
                if let OnConflictAction::DoUpdate(u) = &c.action {
                    ambiguous_excluded(insert, u)?;
                    if c.conflict_target.is_none() {
                        return Err(PgError::new(
                            SqlState::SYNTAX_ERROR,
                            "ON CONFLICT DO UPDATE requires inference specification or constraint name",
                        )
                        .with_hint("For example, ON CONFLICT (column_name)."));
                    }
                    assignments(&u.assignments)?;
                }
            }
        }
        Statement::Update { assignments: a, .. } => assignments(a)?,
        Statement::Query(_) => {}
        _ => return Ok(()),
    }
    misplaced_default(stmt)
}

/// `INSERT INTO excluded … DO UPDATE SET … excluded.c`: the target and the proposed
/// row share the name (PostgreSQL's 42P09; SQLite would read the proposed row).
fn ambiguous_excluded(
    insert: &sqlparser::ast::Insert,
    u: &sqlparser::ast::DoUpdate,
) -> Result<(), PgError> {
    struct Find;
    impl Visitor for Find {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            match e {
                Expr::CompoundIdentifier(p) if p.len() == 2 && fold(&p[0]) == "excluded" => {
                    ControlFlow::Break(())
                }
                _ => ControlFlow::Continue(()),
            }
        }
    }
    let TableObject::TableName(name) = &insert.table else {
        return Ok(());
    };
    let named = name
        .0
        .last()
        .and_then(|p| p.as_ident())
        .is_some_and(|i| fold(i) == "excluded");
    if !named || insert.table_alias.is_some() {
        return Ok(());
    }
    let referenced = u
        .assignments
        .iter()
        .any(|a| a.value.visit(&mut Find).is_break())
        || u.selection
            .as_ref()
            .is_some_and(|w| w.visit(&mut Find).is_break());
    if referenced {
        return Err(PgError::new(
            SqlState::AMBIGUOUS_ALIAS,
            "table reference \"excluded\" is ambiguous",
        ));
    }
    Ok(())
}

/// A column assigned twice, a tuple assignment of the wrong width.
fn assignments(list: &[Assignment]) -> Result<(), PgError> {
    let mut seen = Vec::new();
    for a in list {
        let targets: Vec<&ObjectName> = match &a.target {
            AssignmentTarget::ColumnName(c) => vec![c],
            AssignmentTarget::Tuple(cs) => {
                // `(a, b) = (v.*)` or `(a) = (1)` is a parenthesized value, not a row.
                let row = match &a.value {
                    Expr::Tuple(_) | Expr::Subquery(_) => true,
                    Expr::Function(f) => f.name.to_string().eq_ignore_ascii_case("row"),
                    _ => false,
                };
                if !row {
                    return Err(PgError::new(
                        SqlState::FEATURE_NOT_SUPPORTED,
                        "source for a multiple-column UPDATE item must be a sub-SELECT or \
                         ROW() expression",
                    ));
                }
                let width = match &a.value {
                    Expr::Tuple(values) => Some(values.len()),
                    Expr::Subquery(q) => match q.body.as_ref() {
                        SetExpr::Select(s)
                            if !s.projection.iter().any(|i| {
                                matches!(
                                    i,
                                    SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
                                )
                            }) =>
                        {
                            Some(s.projection.len())
                        }
                        _ => None,
                    },
                    _ => None,
                };
                if width.is_some_and(|w| w != cs.len()) {
                    return Err(PgError::new(
                        SqlState::SYNTAX_ERROR,
                        "number of columns does not match number of values",
                    ));
                }
                cs.iter().collect()
            }
        };
        for t in targets {
            let Some(last) = t.0.last().and_then(|p| p.as_ident()) else {
                continue;
            };
            let name = fold(last);
            if seen.contains(&name) {
                return Err(PgError::new(
                    SqlState::SYNTAX_ERROR,
                    format!("multiple assignments to same column \"{name}\""),
                ));
            }
            seen.push(name);
        }
    }
    Ok(())
}

/// `SET (a, b) = ROW(x, y)` → `(a, b) = (x, y)`, SQLite's row value; `ROW(v.*)` spreads
/// into `v`'s columns when the FROM list names them (`(VALUES …) AS v(i, j)`), as
/// PostgreSQL expands it. Before the walk, so the columns are translated as any other.
pub(super) fn row_sources(stmt: &mut Statement) -> Result<(), PgError> {
    let (assignments, from) = match stmt {
        Statement::Update {
            assignments, from, ..
        } => {
            let from = match from {
                Some(UpdateTableFromKind::AfterSet(f) | UpdateTableFromKind::BeforeSet(f)) => {
                    f.as_slice()
                }
                None => &[],
            };
            (assignments, from)
        }
        Statement::Insert(insert) => match &mut insert.on {
            Some(OnInsert::OnConflict(c)) => match &mut c.action {
                OnConflictAction::DoUpdate(u) => (&mut u.assignments, &[][..]),
                _ => return Ok(()),
            },
            _ => return Ok(()),
        },
        _ => return Ok(()),
    };
    for a in assignments.iter_mut() {
        let AssignmentTarget::Tuple(targets) = &a.target else {
            continue;
        };
        let Expr::Function(f) = &a.value else {
            continue;
        };
        if !f.name.to_string().eq_ignore_ascii_case("row") {
            continue;
        }
        let FunctionArguments::List(list) = &f.args else {
            continue;
        };
        let mut values = Vec::new();
        for arg in &list.args {
            match arg {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => values.push(e.clone()),
                FunctionArg::Unnamed(FunctionArgExpr::QualifiedWildcard(name)) => {
                    let alias = name.to_string();
                    let columns = alias_columns(from, &alias).ok_or_else(|| {
                        super::unsupported(format!(
                            "ROW({alias}.*) of a relation without a column alias list"
                        ))
                    })?;
                    values.extend(
                        columns
                            .into_iter()
                            .map(|c| Expr::CompoundIdentifier(vec![Ident::new(alias.clone()), c])),
                    );
                }
                _ => {
                    return Err(super::unsupported(
                        "this ROW() source of a multiple-column SET",
                    ))
                }
            }
        }
        if values.len() != targets.len() {
            return Err(PgError::new(
                SqlState::SYNTAX_ERROR,
                "number of columns does not match number of values",
            ));
        }
        a.value = Expr::Tuple(values);
    }
    Ok(())
}

/// `ON CONFLICT (key, key)` names `key` once: PostgreSQL infers the arbiter from the set of
/// columns, SQLite wants the index's exact list.
pub(super) fn conflict_columns_once(stmt: &mut Statement) {
    let Statement::Insert(insert) = stmt else {
        return;
    };
    let Some(OnInsert::OnConflict(c)) = &mut insert.on else {
        return;
    };
    if let Some(ConflictTarget::Columns(keys)) = &mut c.conflict_target {
        let mut seen = Vec::new();
        keys.retain(|k| {
            let name = fold(k);
            let first = !seen.contains(&name);
            seen.push(name);
            first
        });
    }
}

/// `RETURNING t.*` of the table the statement changes (by its alias, if it has one) is
/// `RETURNING *`, which is all SQLite's RETURNING takes (it refuses `TABLE.*`).
pub(super) fn returning_own_wildcard(stmt: &mut Statement) {
    let (target, returning) = match stmt {
        Statement::Insert(insert) => {
            let TableObject::TableName(name) = &insert.table else {
                return;
            };
            let target = match &insert.table_alias {
                Some(alias) => fold(alias),
                None => last_part(name),
            };
            (target, &mut insert.returning)
        }
        Statement::Update {
            table, returning, ..
        } => match &table.relation {
            TableFactor::Table { name, alias, .. } => (
                alias
                    .as_ref()
                    .map_or_else(|| last_part(name), |a| fold(&a.name)),
                returning,
            ),
            _ => return,
        },
        _ => return,
    };
    for item in returning.iter_mut().flatten() {
        if let SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(n), o) =
            item
        {
            if n.0.len() == 1 && last_part(n) == target {
                *item = SelectItem::Wildcard(o.clone());
            }
        }
    }
}

/// The last part of a name, folded.
fn last_part(name: &ObjectName) -> String {
    name.0
        .last()
        .and_then(|p| p.as_ident())
        .map(fold)
        .unwrap_or_default()
}

/// The column aliases `AS name (c1, c2)` gives a FROM item, if one has them.
fn alias_columns(from: &[TableWithJoins], name: &str) -> Option<Vec<Ident>> {
    from.iter()
        .flat_map(|t| std::iter::once(&t.relation).chain(t.joins.iter().map(|j| &j.relation)))
        .find_map(|r| {
            let alias = match r {
                TableFactor::Table { alias, .. } | TableFactor::Derived { alias, .. } => {
                    alias.as_ref()?
                }
                _ => return None,
            };
            (alias.name.to_string().eq_ignore_ascii_case(name) && !alias.columns.is_empty())
                .then(|| alias.columns.iter().map(|c| c.name.clone()).collect())
        })
}

/// An identifier as PostgreSQL folds it.
fn fold(i: &Ident) -> String {
    match i.quote_style {
        Some(_) => i.value.clone(),
        None => i.value.to_lowercase(),
    }
}

/// Whether `e` is the keyword DEFAULT (a column named so must be quoted).
fn is_default(e: &Expr) -> bool {
    matches!(e, Expr::Identifier(i) if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default"))
}

/// DEFAULT anywhere but as a whole VALUES item or SET value.
fn misplaced_default(stmt: &Statement) -> Result<(), PgError> {
    struct Find;
    impl Visitor for Find {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            if is_default(e) {
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        }
    }
    if stmt.visit(&mut Find).is_continue() {
        return Ok(());
    }
    // Some DEFAULT: empty the allowed places in a copy; any DEFAULT left is misplaced.
    let mut copy = stmt.clone();
    replace_defaults(&mut copy, &mut |_, _| Expr::Value(Value::Null.into()));
    if copy.visit(&mut Find).is_break() {
        return Err(PgError::new(
            SqlState::SYNTAX_ERROR,
            "DEFAULT is not allowed in this context",
        ));
    }
    Ok(())
}

/// Which column a DEFAULT is for: its name, or its 0-based position when the INSERT
/// names no columns.
enum Column<'a> {
    Name(&'a str),
    Position(usize),
}

/// Calls `f` for each DEFAULT in a VALUES row or SET value of `stmt`, putting its
/// answer in place.
fn replace_defaults(stmt: &mut Statement, f: &mut dyn FnMut(&str, Column) -> Expr) {
    match stmt {
        Statement::Insert(insert) => {
            let TableObject::TableName(name) = &insert.table else {
                return;
            };
            let table = name.to_string();
            if let Some(SetExpr::Values(values)) = insert.source.as_mut().map(|q| q.body.as_mut()) {
                for row in &mut values.rows {
                    for (i, value) in row.iter_mut().enumerate() {
                        if is_default(value) {
                            let column = match insert.columns.get(i) {
                                Some(c) => Column::Name(&c.value),
                                None => Column::Position(i),
                            };
                            *value = f(&table, column);
                        }
                    }
                }
            }
            if let Some(OnInsert::OnConflict(c)) = &mut insert.on {
                if let OnConflictAction::DoUpdate(u) = &mut c.action {
                    set_defaults(&mut u.assignments, &table, f);
                }
            }
        }
        Statement::Update {
            table, assignments, ..
        } => {
            if let TableFactor::Table { name, .. } = &table.relation {
                let table = name.to_string();
                set_defaults(assignments, &table, f);
            }
        }
        _ => {}
    }
}

fn set_defaults(list: &mut [Assignment], table: &str, f: &mut dyn FnMut(&str, Column) -> Expr) {
    for a in list {
        match (&a.target, &mut a.value) {
            (AssignmentTarget::ColumnName(c), value) if is_default(value) => {
                if let Some(last) = c.0.last().and_then(|p| p.as_ident()) {
                    *value = f(table, Column::Name(&last.value));
                }
            }
            (AssignmentTarget::Tuple(cs), Expr::Tuple(values)) => {
                for (c, value) in cs.iter().zip(values.iter_mut()) {
                    if is_default(value) {
                        if let Some(last) = c.0.last().and_then(|p| p.as_ident()) {
                            *value = f(table, Column::Name(&last.value));
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// DEFAULT as the engine's marker for the column's default; an INSERT naming no columns
/// gets the marker for its column list, so that a row may be shorter than the table.
/// After the walk: the markers are SQLite text.
pub(super) fn defaults(stmt: &mut Statement) {
    let mut found = false;
    replace_defaults(stmt, &mut |table, column| {
        found = true;
        let (schema, table) = split(table);
        let column = match column {
            Column::Name(n) => sql_string(n),
            Column::Position(i) => i.to_string(),
        };
        raw(format!(
            "{DEFAULT_MARKER}({}, {}, {column})",
            sql_string(&schema),
            sql_string(&table)
        ))
    });
    if let (true, Statement::Insert(insert)) = (found, stmt) {
        let TableObject::TableName(name) = &insert.table else {
            return;
        };
        let width = match insert.source.as_deref().map(|q| q.body.as_ref()) {
            Some(SetExpr::Values(v)) => v.rows.first().map_or(0, Vec::len),
            _ => 0,
        };
        if insert.columns.is_empty() && width > 0 {
            let (schema, table) = split(&name.to_string());
            insert.columns = vec![Ident::new(format!(
                "{COLUMNS_MARKER}({}, {}, {width})",
                sql_string(&schema),
                sql_string(&table)
            ))];
        }
    }
}

/// `INSERT … VALUES (…), (…) ON CONFLICT (key) DO UPDATE`: the rows are read through
/// `pg_upsert_once`, which fails (21000) on a row proposing a key an earlier row of the
/// statement proposed: PostgreSQL's "cannot affect row a second time". After the walk.
pub(super) fn upsert_once(stmt: &mut Statement) -> Result<(), PgError> {
    let Statement::Insert(insert) = stmt else {
        return Ok(());
    };
    let Some(OnInsert::OnConflict(c)) = &insert.on else {
        return Ok(());
    };
    let (OnConflictAction::DoUpdate(_), Some(ConflictTarget::Columns(keys))) =
        (&c.action, &c.conflict_target)
    else {
        return Ok(());
    };
    let TableObject::TableName(name) = &insert.table else {
        return Ok(());
    };
    let Some(source) = insert.source.as_mut() else {
        return Ok(());
    };
    let SetExpr::Values(values) = source.body.as_ref() else {
        return Ok(());
    };
    if values.rows.len() < 2 || source.order_by.is_some() || source.limit_clause.is_some() {
        return Ok(());
    }
    // The rows' keys are the target's columns: an expression or a predicate has none.
    if keys
        .iter()
        .any(|k| super::conflict::is_placeholder(&k.value))
    {
        return Err(super::unsupported(
            "ON CONFLICT (expression) or ON CONFLICT … WHERE … DO UPDATE with several VALUES rows",
        ));
    }
    let width = values.rows[0].len();
    let (schema, table) = split(&name.to_string());
    let keys: Vec<String> = keys.iter().map(|k| k.value.clone()).collect();
    let columns: Vec<String> = match insert.columns.as_slice() {
        // The marker's list (defaults above): the table's first columns.
        [one] if one.value.starts_with(COLUMNS_MARKER) => Vec::new(),
        cs => cs.iter().map(|c| c.value.clone()).collect(),
    };
    let mut args = vec![
        string(&schema),
        string(&table),
        string(&keys.join(",")),
        string(&columns.join(",")),
    ];
    args.extend((1..=width).map(|i| raw(format!("column{i}"))));
    let check = call("pg_upsert_once", args);
    let body = std::mem::replace(
        source.body.as_mut(),
        SetExpr::Values(sqlparser::ast::Values {
            explicit_row: false,
            rows: vec![],
        }),
    );
    *source.body = SetExpr::Select(Box::new(values_select(body, check)));
    Ok(())
}

/// `INSERT … SELECT … FROM t ON CONFLICT …`: SQLite would read `ON` as a join
/// constraint of `t` (its documented parsing ambiguity), so a SELECT ending in FROM gets
/// `WHERE true`, as SQLite's documentation advises (Django writes `INSERT … SELECT * FROM
/// UNNEST(…) ON CONFLICT DO NOTHING` for many-to-many links).
pub(super) fn upsert_source_where(stmt: &mut Statement) {
    let Statement::Insert(insert) = stmt else {
        return;
    };
    if !matches!(insert.on, Some(OnInsert::OnConflict(_))) {
        return;
    }
    let Some(source) = insert.source.as_mut() else {
        return;
    };
    if source.order_by.is_some() || source.limit_clause.is_some() {
        return;
    }
    let mut body = source.body.as_mut();
    // In a compound SELECT the last one ends the statement.
    while let SetExpr::SetOperation { right, .. } = body {
        body = right.as_mut();
    }
    if let SetExpr::Select(select) = body {
        let ends_in_from = select.selection.is_none()
            && select.group_by == sqlparser::ast::GroupByExpr::Expressions(vec![], vec![])
            && select.having.is_none()
            && select.named_window.is_empty()
            && !select.from.is_empty();
        if ends_in_from {
            select.selection = Some(Expr::Value(Value::Boolean(true).into()));
        }
    }
}

/// `SELECT * FROM (values) WHERE check`.
fn values_select(values: SetExpr, check: Expr) -> sqlparser::ast::Select {
    let Ok(Statement::Query(mut q)) =
        crate::sql::parse::parse_one("SELECT * FROM (VALUES (0)) WHERE true", 16)
    else {
        unreachable!("a fixed statement parses")
    };
    let SetExpr::Select(mut select) = std::mem::replace(
        q.body.as_mut(),
        SetExpr::Values(sqlparser::ast::Values {
            explicit_row: false,
            rows: vec![],
        }),
    ) else {
        unreachable!("a fixed statement parses")
    };
    if let Some(TableFactor::Derived { subquery, .. }) =
        select.from.first_mut().map(|f| &mut f.relation)
    {
        *subquery.body = values;
    }
    select.selection = Some(check);
    *select
}

/// ('schema' or '', 'table') from a possibly qualified name, unquoted.
pub(super) fn split(name: &str) -> (String, String) {
    let unquote = |s: &str| {
        s.strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .map_or_else(|| s.to_string(), |s| s.replace("\"\"", "\""))
    };
    match name.rsplit_once('.') {
        Some((schema, table)) if !table.ends_with('"') || table.starts_with('"') => {
            (unquote(schema), unquote(table))
        }
        _ => (String::new(), unquote(name)),
    }
}

pub(super) fn sql_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A quoted identifier list for SQLite (the engine's expansion of the columns marker).
pub fn column_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| quote_ident(n))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[path = "dml_tests.rs"]
mod tests;
