//! Data-modifying statements in WITH (`WITH d AS (DELETE … RETURNING *) INSERT INTO y
//! SELECT * FROM d`). SQLite allows no INSERT/UPDATE/DELETE inside a CTE, so the
//! statement becomes a *with batch* (`engine/modifying.rs`) that runs each of them first,
//! once and to completion as PostgreSQL does, keeping its RETURNING rows in a temporary
//! table the rest of the statement reads in place of the CTE. The batch's text is
//! [`MARKER`] then parts separated by NUL:
//!
//! - the statement as Describe prepares it: each data-modifying CTE replaced by a
//!   stand-in `SELECT <its RETURNING list> FROM <its tables> WHERE false`, which has the
//!   RETURNING columns' names and declared types;
//! - the statement as it runs, each data-modifying CTE read from its table, then the
//!   same without its RETURNING list (empty when it has none);
//! - per data-modifying CTE, in the order they run (one that reads another runs after
//!   it): the temporary table's name, the stand-in (the table's columns), the
//!   statement, and the statement without RETURNING (empty when the same).
//!
//! The forms without RETURNING are what the engine compiles to see the tables a part
//! reads: RETURNING reads the rows the part itself wrote, which is no conflict.
//!
//! PostgreSQL runs every part on one snapshot; run in turn, a part reading a table an
//! earlier one wrote would see the new rows. The engine refuses that case when it
//! prepares the parts (it knows the tables each reads, views included).

use std::ops::ControlFlow;

use sqlparser::ast::{visit_relations, Cte, Query, SelectItem, SetExpr, Statement, TableWithJoins};

use super::{to_sqlite, unsupported, Settings};
use crate::protocol::{PgError, SqlState};
use crate::sql::parse::parse_one;

pub use crate::engine::modifying::MARKER;

/// Whether `stmt` is a query whose own WITH holds a data-modifying statement.
pub(super) fn applies(stmt: &Statement) -> bool {
    let Statement::Query(q) = stmt else {
        return false;
    };
    q.with
        .as_ref()
        .is_some_and(|w| w.cte_tables.iter().any(|c| modifying(&c.query).is_some()))
}

/// PostgreSQL's 0A000 for a view whose WITH modifies data.
pub(super) fn check_view(stmt: &Statement) -> Result<(), PgError> {
    if let Statement::CreateView { query, .. } = stmt {
        if applies(&Statement::Query(query.clone())) {
            return Err(PgError::new(
                SqlState::FEATURE_NOT_SUPPORTED,
                "views must not contain data-modifying statements in WITH",
            ));
        }
    }
    Ok(())
}

/// The data-modifying statement a CTE's body is, if it is one.
pub(super) fn modifying(q: &Query) -> Option<&Statement> {
    match q.body.as_ref() {
        SetExpr::Insert(s) | SetExpr::Update(s) | SetExpr::Delete(s) => Some(s),
        _ => None,
    }
}

fn returning(s: &Statement) -> Option<&Vec<SelectItem>> {
    match s {
        Statement::Insert(i) => i.returning.as_ref(),
        Statement::Update { returning, .. } => returning.as_ref(),
        Statement::Delete(d) => d.returning.as_ref(),
        _ => None,
    }
}

pub(super) fn folded(i: &sqlparser::ast::Ident) -> String {
    match i.quote_style {
        Some(_) => i.value.clone(),
        None => i.value.to_lowercase(),
    }
}

/// The CTE names (of `names`) that `q` reads as tables.
fn reads(q: &Query, names: &[String]) -> Vec<usize> {
    let mut found = Vec::new();
    let _ = visit_relations(q, |r| {
        if let [part] = r.0.as_slice() {
            if let Some(i) = part.as_ident() {
                let name = folded(i);
                if let Some(k) = names.iter().position(|n| *n == name) {
                    if !found.contains(&k) {
                        found.push(k);
                    }
                }
            }
        }
        ControlFlow::<()>::Continue(())
    });
    found
}

/// The temporary table that holds the RETURNING rows of CTE `k`.
fn table_of(k: usize) -> String {
    format!("{}with_{}", crate::engine::objects::PREFIX, k + 1)
}

/// The with batch of `stmt` (see the module doc); [`applies`] said it has one.
pub(super) fn batch(stmt: Statement, settings: &mut dyn Settings) -> Result<String, PgError> {
    let Statement::Query(q) = stmt else {
        return Err(unsupported("this data-modifying WITH"));
    };
    let with = q.with.as_ref().expect("applies() checked the WITH");
    let names: Vec<String> = with
        .cte_tables
        .iter()
        .map(|c| folded(&c.alias.name))
        .collect();
    let dml: Vec<bool> = with
        .cte_tables
        .iter()
        .map(|c| modifying(&c.query).is_some())
        .collect();
    // What each CTE reads among the CTEs (a recursive WITH lets one read a later one).
    let deps: Vec<Vec<usize>> = with
        .cte_tables
        .iter()
        .map(|c| reads(&c.query, &names))
        .collect();
    // A CTE read without RETURNING has no rows to give: PostgreSQL's 0A000.
    for k in reads(&q, &names) {
        if let Some(s) = modifying(&with.cte_tables[k].query) {
            if returning(s).is_none() {
                return Err(PgError::new(
                    SqlState::FEATURE_NOT_SUPPORTED,
                    format!(
                        "WITH query \"{}\" does not have a RETURNING clause",
                        with.cte_tables[k].alias.name.value
                    ),
                ));
            }
        }
    }
    // The data-modifying CTEs each one needs first, through the plain CTEs it reads.
    let needs = |k: usize| -> Vec<usize> {
        let mut seen = vec![false; names.len()];
        let mut todo = deps[k].clone();
        let mut out = Vec::new();
        while let Some(j) = todo.pop() {
            if seen[j] {
                continue;
            }
            seen[j] = true;
            if dml[j] {
                out.push(j);
            } else {
                todo.extend(deps[j].iter().copied());
            }
        }
        out
    };
    let mut order: Vec<usize> = Vec::new();
    while order.len() < dml.iter().filter(|d| **d).count() {
        let next = (0..names.len()).find(|&k| {
            dml[k] && !order.contains(&k) && needs(k).iter().all(|j| *j == k || order.contains(j))
        });
        match next {
            Some(k) => order.push(k),
            None => {
                return Err(unsupported(
                    "data-modifying statements in WITH that read each other in a cycle",
                ))
            }
        }
    }

    // Describe's form: each data-modifying CTE replaced by its stand-in.
    let mut described = (*q).clone();
    if let Some(w) = described.with.as_mut() {
        for cte in w.cte_tables.iter_mut() {
            if let Some(s) = modifying(&cte.query) {
                *cte.query = stand_in(s)?;
            }
        }
    }
    let described_with = described.with.clone();
    // The running form: each data-modifying CTE read from its table.
    let mut running = (*q).clone();
    if let Some(w) = running.with.as_mut() {
        for (k, cte) in w.cte_tables.iter_mut().enumerate() {
            if dml[k] {
                *cte.query = read_table(k)?;
            }
        }
    }
    let running_with = running.with.clone();
    // A SELECT reads the tables the data-modifying CTEs write as they were before the
    // statement (PostgreSQL's one snapshot): from copies taken before those run.
    let snapshots = snapshot_reads(&mut running, &with.cte_tables, &names);

    let running = Statement::Query(Box::new(running));
    let running_check = without_returning(&running)
        .map(|s| to_sqlite(s, settings))
        .transpose()?
        .unwrap_or_default();
    let mut parts = vec![
        to_sqlite(Statement::Query(Box::new(described)), settings)?,
        to_sqlite(running, settings)?,
        running_check,
    ];
    // Each copy is a part that runs first: the table's rows into the copy's table.
    for (i, target) in snapshots.iter().enumerate() {
        let mut read = template("SELECT * FROM t")?;
        if let SetExpr::Select(s) = read.body.as_mut() {
            if let Some(TableWithJoins {
                relation: sqlparser::ast::TableFactor::Table { name, .. },
                ..
            }) = s.from.first_mut()
            {
                *name = target.clone();
            }
        }
        let read = to_sqlite(Statement::Query(Box::new(read)), settings)?;
        parts.push(table_of(names.len() + i));
        parts.push(read.clone());
        parts.push(read);
        parts.push(String::new());
    }
    for &k in &order {
        // The stand-in read through the WITH (it may read other CTEs: UPDATE … FROM c).
        let mut columns = template("WITH c AS (SELECT 1) SELECT * FROM c")?;
        columns.with = described_with.clone();
        if let SetExpr::Select(s) = columns.body.as_mut() {
            if let Some(TableWithJoins {
                relation: sqlparser::ast::TableFactor::Table { name, .. },
                ..
            }) = s.from.first_mut()
            {
                *name =
                    sqlparser::ast::ObjectName::from(vec![with.cte_tables[k].alias.name.clone()]);
            }
        }
        let cte = &with.cte_tables[k];
        let s = modifying(&cte.query).expect("a data-modifying CTE");
        // The statement, with the CTEs it reads (the earlier statements' tables).
        let used = closure(&deps, k);
        let mut w = running_with.clone().expect("a WITH");
        w.cte_tables = w
            .cte_tables
            .into_iter()
            .enumerate()
            .filter(|(j, _)| used.contains(j))
            .map(|(_, c)| c)
            .collect::<Vec<Cte>>();
        let statement = if used.is_empty() {
            s.clone()
        } else if let Some(mut ins) = plain_insert(s) {
            // `INSERT INTO t WITH c AS (…) SELECT …`: the statement still starts with
            // INSERT, as the engine's rewrites of INSERTs expect (dml.rs).
            if let Some(source) = ins.source.as_mut() {
                match source.with.as_mut() {
                    Some(own) => {
                        let mut ctes = w.cte_tables;
                        ctes.append(&mut own.cte_tables);
                        own.cte_tables = ctes;
                        own.recursive |= w.recursive;
                    }
                    None => source.with = Some(w),
                }
            }
            Statement::Insert(ins)
        } else {
            let mut wrapped = template("WITH c AS (SELECT 1) DELETE FROM t")?;
            wrapped.with = Some(w);
            wrapped.body = Box::new(match cte.query.body.as_ref() {
                SetExpr::Insert(_) => SetExpr::Insert(s.clone()),
                SetExpr::Update(_) => SetExpr::Update(s.clone()),
                _ => SetExpr::Delete(s.clone()),
            });
            Statement::Query(Box::new(wrapped))
        };
        parts.push(table_of(k));
        parts.push(to_sqlite(Statement::Query(Box::new(columns)), settings)?);
        // What the engine compiles to see the tables it reads: without RETURNING,
        // which reads the rows the statement itself wrote.
        let check = without_returning(&statement)
            .map(|s| to_sqlite(s, settings))
            .transpose()?
            .unwrap_or_default();
        parts.push(to_sqlite(statement, settings)?);
        parts.push(check);
    }
    Ok(format!("{MARKER}{}", parts.join("\0")))
}

/// The table a data-modifying statement writes.
fn target(s: &Statement) -> Option<&sqlparser::ast::ObjectName> {
    use sqlparser::ast::{FromTable, TableFactor, TableObject};
    let factor = match s {
        Statement::Insert(i) => match &i.table {
            TableObject::TableName(n) => return Some(n),
            _ => return None,
        },
        Statement::Update { table, .. } => &table.relation,
        Statement::Delete(d) => match &d.from {
            FromTable::WithFromKeyword(f) | FromTable::WithoutKeyword(f) => &f.first()?.relation,
        },
        _ => return None,
    };
    match factor {
        TableFactor::Table { name, .. } => Some(name),
        _ => None,
    }
}

/// A table's name without its schema (litewire's tables are all in one: `public.t`
/// is `t`).
fn folded_name(n: &sqlparser::ast::ObjectName) -> String {
    n.0.last()
        .and_then(|p| p.as_ident())
        .map(folded)
        .unwrap_or_default()
}

/// In a SELECT (not a data-modifying main statement), each table a data-modifying CTE
/// writes is read from a copy (`_litewire_with_<n>`, numbered after the CTEs' tables,
/// aliased by the table's name), which the engine fills before any part runs. Returns
/// the tables copied, in the order of their copies. Reads through a view or a trigger
/// are still the engine's refusal (modifying.rs).
fn snapshot_reads(
    running: &mut Query,
    ctes: &[Cte],
    names: &[String],
) -> Vec<sqlparser::ast::ObjectName> {
    use sqlparser::ast::{ObjectName, TableAlias, TableFactor, VisitMut, VisitorMut};
    if matches!(
        running.body.as_ref(),
        SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_)
    ) {
        return Vec::new();
    }
    let written: Vec<ObjectName> = ctes
        .iter()
        .filter_map(|c| modifying(&c.query).and_then(target))
        .cloned()
        .collect();
    struct Copies<'a> {
        written: &'a [ObjectName],
        names: &'a [String],
        copied: Vec<ObjectName>,
    }
    impl VisitorMut for Copies<'_> {
        type Break = ();
        fn pre_visit_table_factor(&mut self, t: &mut TableFactor) -> ControlFlow<()> {
            let TableFactor::Table {
                name, alias, args, ..
            } = t
            else {
                return ControlFlow::Continue(());
            };
            let key = folded_name(name);
            // A CTE of that name is no table.
            if args.is_some() || (name.0.len() == 1 && self.names.contains(&key)) {
                return ControlFlow::Continue(());
            }
            let Some(w) = self.written.iter().find(|w| folded_name(w) == key) else {
                return ControlFlow::Continue(());
            };
            let i = match self.copied.iter().position(|c| folded_name(c) == key) {
                Some(i) => i,
                None => {
                    self.copied.push(w.clone());
                    self.copied.len() - 1
                }
            };
            if alias.is_none() {
                let last = name.0.last().and_then(|p| p.as_ident()).cloned();
                *alias = last.map(|name| TableAlias {
                    name,
                    columns: Vec::new(),
                });
            }
            *name = ObjectName::from(vec![sqlparser::ast::Ident::new(table_of(
                self.names.len() + i,
            ))]);
            ControlFlow::Continue(())
        }
    }
    let mut copies = Copies {
        written: &written,
        names,
        copied: Vec::new(),
    };
    let _ = running.visit(&mut copies);
    copies.copied
}

/// An INSERT without ON CONFLICT, whose WITH may go in its query (ON CONFLICT's
/// assignments would not see it there).
fn plain_insert(s: &Statement) -> Option<sqlparser::ast::Insert> {
    match s {
        Statement::Insert(ins) if ins.on.is_none() => Some(ins.clone()),
        _ => None,
    }
}

/// `s` without its RETURNING list (also as the body of a query); None without one.
fn without_returning(s: &Statement) -> Option<Statement> {
    let mut s = s.clone();
    let inner = match &mut s {
        Statement::Query(q) => match q.body.as_mut() {
            SetExpr::Insert(s) | SetExpr::Update(s) | SetExpr::Delete(s) => s,
            _ => return None,
        },
        other => other,
    };
    let returning = match inner {
        Statement::Insert(i) => &mut i.returning,
        Statement::Update { returning, .. } => returning,
        Statement::Delete(d) => &mut d.returning,
        _ => return None,
    };
    returning.take()?;
    Some(s)
}

/// The CTEs CTE `k` reads, directly or through others (not itself).
fn closure(deps: &[Vec<usize>], k: usize) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    let mut todo = deps[k].clone();
    while let Some(j) = todo.pop() {
        if j == k || out.contains(&j) {
            continue;
        }
        out.push(j);
        todo.extend(deps[j].iter().copied());
    }
    out
}

fn template(sql: &str) -> Result<Query, PgError> {
    match parse_one(sql, 16)? {
        Statement::Query(q) => Ok(*q),
        _ => Err(PgError::new(
            SqlState::INTERNAL_ERROR,
            "template is no query",
        )),
    }
}

/// `SELECT * FROM <the table of CTE k>`.
fn read_table(k: usize) -> Result<Query, PgError> {
    template(&format!("SELECT * FROM {}", table_of(k)))
}

/// `SELECT <RETURNING list> FROM <the statement's tables> WHERE false`: the RETURNING
/// columns' names and types, read from the tables without running anything.
fn stand_in(s: &Statement) -> Result<Query, PgError> {
    let mut q = template("SELECT 1 FROM t WHERE false")?;
    let SetExpr::Select(select) = q.body.as_mut() else {
        return Err(PgError::new(
            SqlState::INTERNAL_ERROR,
            "template is no SELECT",
        ));
    };
    let items = returning(s).cloned().unwrap_or_else(|| {
        // Never read (checked above): any one column keeps the CTE a valid query.
        select.projection.clone()
    });
    select.projection = items;
    match s {
        Statement::Insert(ins) => {
            let sqlparser::ast::TableObject::TableName(name) = &ins.table else {
                return Err(unsupported("INSERT INTO TABLE FUNCTION"));
            };
            if let Some(TableWithJoins {
                relation: sqlparser::ast::TableFactor::Table { name: n, alias, .. },
                ..
            }) = select.from.first_mut()
            {
                *n = name.clone();
                *alias = ins.table_alias.clone().map(|a| sqlparser::ast::TableAlias {
                    name: a,
                    columns: Vec::new(),
                });
            }
        }
        Statement::Update { table, from, .. } => {
            select.from = vec![table.clone()];
            if let Some(
                sqlparser::ast::UpdateTableFromKind::BeforeSet(f)
                | sqlparser::ast::UpdateTableFromKind::AfterSet(f),
            ) = from
            {
                select.from.extend(f.iter().cloned());
            }
        }
        Statement::Delete(d) => {
            let (sqlparser::ast::FromTable::WithFromKeyword(f)
            | sqlparser::ast::FromTable::WithoutKeyword(f)) = &d.from;
            select.from = f.clone();
            select.from.extend(d.using.iter().flatten().cloned());
        }
        _ => return Err(unsupported("this data-modifying statement in WITH")),
    }
    Ok(q)
}

#[cfg(test)]
#[path = "modifying_tests.rs"]
mod tests;
