//! MERGE (PostgreSQL 15's), which SQLite lacks, as a *merge batch* the engine runs in
//! one savepoint (`engine/merge.rs`). PostgreSQL joins the source to the target once and
//! acts on each joined row by its first WHEN clause whose condition holds; run as
//! separate statements, a later one would see what an earlier one changed. So the join is
//! taken first, into a temporary table `_litewire_merge`: per source row, the rowid of
//! the target row it matched (NULL: none) and the number of the MATCHED clause that acts
//! on it, with the source row's columns. Then, each reading that table:
//! - one DELETE for the DELETE clauses, then one UPDATE … FROM per UPDATE clause (each
//!   row keyed by the target rowid the join found);
//! - one INSERT … SELECT per NOT MATCHED … INSERT clause, over the rows that matched
//!   nothing and whose earlier NOT MATCHED conditions do not hold (evaluated on the
//!   source row alone, where PostgreSQL evaluates them); `INSERT DEFAULT VALUES` runs
//!   once per such row.
//!
//! The batch's text is [`MARKER`] then NUL-separated parts: the join as PostgreSQL text
//! (Describe types its parameters from it) and as SQLite text; the numbers of the clauses
//! that update or delete (a target row two source rows act on is PostgreSQL's 21000);
//! then per statement: a count query (the times to run it; empty: once), the statement
//! as PostgreSQL text and as SQLite text.
//!
//! What differs from PostgreSQL (COMPAT.md): rows are deleted, updated, then inserted,
//! clause by clause, rather than in the join's order (row triggers fire in that order,
//! and the defaults of two INSERT clauses are drawn clause after clause).

use sqlparser::ast::{
    Expr, Ident, MergeAction, MergeClause, MergeClauseKind, MergeInsertKind, ObjectName, SetExpr,
    Statement, TableFactor,
};

use super::modifying::folded;
use super::{to_sqlite, unsupported, Settings};
use crate::protocol::{PgError, SqlState};
use crate::sql::merge::{default_values, does_nothing};

pub use crate::engine::merge::MARKER;

/// The join's temporary table and its two columns of litewire's.
const TABLE: &str = "_litewire_merge";
const TARGET_ROW: &str = "_litewire_t";
const CLAUSE: &str = "_litewire_when";

/// Whether `stmt` is a MERGE.
pub(super) fn applies(stmt: &Statement) -> bool {
    match stmt {
        Statement::Merge { .. } => true,
        Statement::Query(q) => matches!(q.body.as_ref(), SetExpr::Merge(_)),
        _ => false,
    }
}

/// The merge batch of `stmt` (see the module doc); [`applies`] said it is a MERGE.
pub(super) fn batch(stmt: Statement, settings: &mut dyn Settings) -> Result<String, PgError> {
    let (with, merge) = match stmt {
        Statement::Query(q) => {
            let q = *q;
            match *q.body {
                SetExpr::Merge(m) => (q.with, m),
                _ => return Err(unsupported("this MERGE")),
            }
        }
        m => (None, m),
    };
    let Statement::Merge {
        table,
        source,
        on,
        clauses,
        output,
        ..
    } = merge
    else {
        return Err(unsupported("this MERGE"));
    };
    if output.is_some() {
        return Err(PgError::syntax_near("RETURNING"));
    }
    if let Some(w) = &with {
        if w.recursive {
            return Err(PgError::new(
                SqlState::SYNTAX_ERROR,
                "WITH RECURSIVE is not supported for MERGE statement",
            ));
        }
        if w.cte_tables
            .iter()
            .any(|c| super::modifying::modifying(&c.query).is_some())
        {
            return Err(unsupported(
                "a data-modifying statement in the WITH of a MERGE",
            ));
        }
    }
    let (target, target_name) = target(&table)?;
    let source_name = source_name(&source)?;
    if folded(&source_name) == folded(&target_name) {
        return Err(PgError::new(
            SqlState::DUPLICATE_ALIAS,
            format!("name \"{}\" specified more than once", source_name.value),
        )
        .with_detail("The name is used both as MERGE target table and data source."));
    }
    check_reachable(&clauses)?;

    let with_text = with.as_ref().map(|w| format!("{w} ")).unwrap_or_default();
    let (t, s) = (&target_name, &source_name);
    let join = join(&with_text, &clauses, &target, t, s, &source, &on);
    let mut parts = vec![join.clone(), translate(&join, settings)?];
    let acting: Vec<String> = numbered(&clauses)
        .filter(|(_, c)| c.clause_kind == MergeClauseKind::Matched && !does_nothing(c))
        .map(|(i, _)| i.to_string())
        .collect();
    parts.push(acting.join(","));

    let mut push = |count: Option<String>, pg: String| -> Result<(), PgError> {
        parts.push(match count {
            Some(c) => translate(&c, settings)?,
            None => String::new(),
        });
        parts.push(translate(&pg, settings)?);
        parts.push(pg);
        Ok(())
    };
    let deleting: Vec<String> = numbered(&clauses)
        .filter(|(_, c)| matches!(c.action, MergeAction::Delete))
        .map(|(i, _)| i.to_string())
        .collect();
    if !deleting.is_empty() {
        push(
            None,
            format!(
                "{with_text}DELETE FROM {target} AS {t} WHERE {t}.rowid IN \
                 (SELECT {TARGET_ROW} FROM {TABLE} WHERE {CLAUSE} IN ({}))",
                deleting.join(", ")
            ),
        )?;
    }
    for (i, clause) in numbered(&clauses) {
        if let MergeAction::Update { assignments } = &clause.action {
            if assignments.is_empty() {
                continue;
            }
            let set: Vec<String> = assignments.iter().map(ToString::to_string).collect();
            push(
                None,
                format!(
                    "{with_text}UPDATE {target} AS {t} SET {} FROM {TABLE} AS {s} \
                     WHERE {t}.rowid = {s}.{TARGET_ROW} AND {s}.{CLAUSE} = {i}",
                    set.join(", ")
                ),
            )?;
        }
    }
    // NOT MATCHED: a row takes the first clause whose condition holds.
    let mut earlier: Vec<&Expr> = Vec::new();
    for clause in clauses
        .iter()
        .filter(|c| c.clause_kind == MergeClauseKind::NotMatched)
    {
        let mut filter = format!("{s}.{TARGET_ROW} IS NULL");
        for p in &earlier {
            filter.push_str(&format!(" AND NOT COALESCE(({p}), false)"));
        }
        if let Some(p) = &clause.predicate {
            filter.push_str(&format!(" AND COALESCE(({p}), false)"));
            earlier.push(p);
        }
        let MergeAction::Insert(insert) = &clause.action else {
            continue;
        };
        let rows = format!("FROM {TABLE} AS {s} WHERE {filter}");
        let (columns, values) = match &insert.kind {
            MergeInsertKind::Values(v) if !default_values(insert) => {
                without_defaults(&insert.columns, &v.rows[0])?
            }
            _ => (Vec::new(), Vec::new()),
        };
        if values.is_empty() {
            push(
                Some(format!("{with_text}SELECT count(*) {rows}")),
                format!("INSERT INTO {target} DEFAULT VALUES"),
            )?;
            continue;
        }
        let columns = if columns.is_empty() {
            String::new()
        } else {
            format!(" ({})", columns.join(", "))
        };
        push(
            None,
            format!(
                "INSERT INTO {target}{columns} {with_text}SELECT {} {rows}",
                values.join(", ")
            ),
        )?;
    }
    Ok(format!("{MARKER}{}", parts.join("\0")))
}

/// The clauses with their numbers (from 1).
fn numbered(clauses: &[MergeClause]) -> impl Iterator<Item = (usize, &MergeClause)> {
    clauses.iter().enumerate().map(|(i, c)| (i + 1, c))
}

/// The target table's name and the name its columns are qualified by.
fn target(table: &TableFactor) -> Result<(ObjectName, Ident), PgError> {
    match table {
        TableFactor::Table {
            name,
            alias,
            args: None,
            with_hints,
            version: None,
            partitions,
            ..
        } if with_hints.is_empty() && partitions.is_empty() => {
            if alias.as_ref().is_some_and(|a| !a.columns.is_empty()) {
                return Err(PgError::syntax_near("("));
            }
            let qualifier = match alias {
                Some(a) => a.name.clone(),
                None => last(name)?,
            };
            Ok((name.clone(), qualifier))
        }
        _ => Err(unsupported("this MERGE target")),
    }
}

/// The name the source's columns are qualified by: its alias, or a table's name.
fn source_name(source: &TableFactor) -> Result<Ident, PgError> {
    match source {
        TableFactor::Table { alias: Some(a), .. }
        | TableFactor::Derived { alias: Some(a), .. }
        | TableFactor::Function { alias: Some(a), .. }
        | TableFactor::TableFunction { alias: Some(a), .. }
        | TableFactor::UNNEST { alias: Some(a), .. } => Ok(a.name.clone()),
        TableFactor::Table { name, .. } => last(name),
        TableFactor::Derived { .. } => Err(PgError::new(
            SqlState::SYNTAX_ERROR,
            "subquery in FROM must have an alias",
        )
        .with_hint("For example, FROM (SELECT ...) [AS] foo.")),
        _ => Err(unsupported(
            "a MERGE source other than a table or an aliased subquery",
        )),
    }
}

fn last(name: &ObjectName) -> Result<Ident, PgError> {
    name.0
        .last()
        .and_then(|p| p.as_ident())
        .cloned()
        .ok_or_else(|| unsupported("this MERGE target"))
}

/// PostgreSQL's 42601 for a clause after an unconditional one of the same kind.
fn check_reachable(clauses: &[MergeClause]) -> Result<(), PgError> {
    for kind in [MergeClauseKind::Matched, MergeClauseKind::NotMatched] {
        let mut of_kind = clauses.iter().filter(|c| c.clause_kind == kind);
        if of_kind.by_ref().any(|c| c.predicate.is_none()) && of_kind.next().is_some() {
            return Err(PgError::new(
                SqlState::SYNTAX_ERROR,
                "unreachable WHEN clause specified after unconditional WHEN clause",
            ));
        }
    }
    for c in clauses {
        if c.clause_kind != MergeClauseKind::Matched && c.clause_kind != MergeClauseKind::NotMatched
        {
            return Err(PgError::syntax_near("BY"));
        }
    }
    Ok(())
}

/// The join's query: each source row with the target row it matches (if any) and the
/// MATCHED clause that acts on it.
fn join(
    with_text: &str,
    clauses: &[MergeClause],
    target: &ObjectName,
    t: &Ident,
    s: &Ident,
    source: &TableFactor,
    on: &Expr,
) -> String {
    let mut when = format!("CASE WHEN {t}.rowid IS NULL THEN NULL");
    for (i, c) in numbered(clauses).filter(|(_, c)| c.clause_kind == MergeClauseKind::Matched) {
        match &c.predicate {
            Some(p) => when.push_str(&format!(" WHEN ({p}) THEN {i}")),
            None => when.push_str(&format!(" ELSE {i}")),
        }
    }
    format!(
        "{with_text}SELECT {t}.rowid AS {TARGET_ROW}, {when} END AS {CLAUSE}, {s}.* \
         FROM {source} LEFT JOIN {target} AS {t} ON {on}"
    )
}

/// An INSERT clause's columns and values, a DEFAULT left out with its column (the
/// column then takes its default, as DEFAULT asks).
fn without_defaults(
    columns: &[Ident],
    values: &[Expr],
) -> Result<(Vec<String>, Vec<String>), PgError> {
    let is_default = |e: &Expr| {
        matches!(e, Expr::Identifier(i)
            if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default"))
    };
    if columns.is_empty() {
        if values.iter().any(is_default) {
            return Err(unsupported(
                "DEFAULT in a MERGE's INSERT without a column list",
            ));
        }
        return Ok((Vec::new(), values.iter().map(ToString::to_string).collect()));
    }
    if columns.len() != values.len() {
        return Err(PgError::new(
            SqlState::SYNTAX_ERROR,
            if columns.len() > values.len() {
                "INSERT has more target columns than expressions"
            } else {
                "INSERT has more expressions than target columns"
            },
        ));
    }
    Ok(columns
        .iter()
        .zip(values)
        .filter(|(_, v)| !is_default(v))
        .map(|(c, v)| (c.to_string(), v.to_string()))
        .unzip())
}

/// PostgreSQL text of one part, translated as any statement is.
fn translate(pg: &str, settings: &mut dyn Settings) -> Result<String, PgError> {
    let depth = crate::sql::lexer::shape(pg).depth;
    let stmt = crate::sql::parse::parse_one(pg, (depth + 4).saturating_mul(8).max(64))?;
    to_sqlite(stmt, settings)
}
