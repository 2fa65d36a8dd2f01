//! `SELECT … FOR UPDATE | FOR SHARE [OF t]`: SQLite has no row locks. litewire's write
//! lock (one writer per database, held to the end of the transaction) is stronger than
//! PostgreSQL's row locks, so the statement takes it: the clause goes and the text starts
//! with [`MARKER`] (`/*litewire for update*/`), which makes the engine count the
//! statement as a write
//! (engine/objects, `writes`). PostgreSQL's refusals of the clause are kept; NOWAIT and
//! SKIP LOCKED, which answer by other sessions' locks, are 0A000.

use sqlparser::ast::{
    Expr, LockType, NonBlock, Query, SelectItem, SetExpr, Statement, TableFactor,
};

use super::unsupported;
use crate::protocol::{PgError, SqlState};

/// The start of the SQLite text of a SELECT that locks rows, then `update*/` or
/// `share*/`.
pub const MARKER: &str = "/*litewire for ";

/// The command PostgreSQL names in a read-only transaction's refusal (`SELECT FOR
/// UPDATE`), if `sqlite` locks rows.
pub fn command(sqlite: &str) -> Option<String> {
    let kind = sqlite.strip_prefix(MARKER)?.split_once("*/")?.0;
    Some(format!("SELECT FOR {}", kind.to_uppercase()))
}

/// Takes the top-level query's locking clauses out: the marker its text starts with,
/// if it had any.
pub(super) fn take(stmt: &mut Statement) -> Result<Option<String>, PgError> {
    let Statement::Query(q) = stmt else {
        return Ok(None);
    };
    if q.locks.is_empty() {
        return Ok(None);
    }
    let kind = match q.locks[0].lock_type {
        LockType::Update => "update",
        LockType::Share => "share",
    };
    for lock in &q.locks {
        let what = match lock.lock_type {
            LockType::Update => "FOR UPDATE",
            LockType::Share => "FOR SHARE",
        };
        match lock.nonblock {
            Some(NonBlock::Nowait) => return Err(unsupported(format!("{what} NOWAIT"))),
            Some(NonBlock::SkipLocked) => return Err(unsupported(format!("{what} SKIP LOCKED"))),
            None => {}
        }
        check(q, what)?;
        if let Some(of) = &lock.of {
            of_names_a_table(q, &of.to_string(), what)?;
        }
    }
    q.locks.clear();
    Ok(Some(format!("{MARKER}{kind}*/")))
}

fn not_allowed(what: &str, with: &str) -> PgError {
    PgError::new(
        SqlState::FEATURE_NOT_SUPPORTED,
        format!("{what} is not allowed with {with}"),
    )
}

/// PostgreSQL's CheckSelectLocking: no set operations, DISTINCT, GROUP BY, HAVING,
/// aggregates or window functions.
fn check(q: &Query, what: &str) -> Result<(), PgError> {
    let s = match q.body.as_ref() {
        SetExpr::Select(s) => s,
        SetExpr::SetOperation { .. } => {
            return Err(not_allowed(what, "UNION/INTERSECT/EXCEPT"));
        }
        SetExpr::Values(_) => {
            return Err(PgError::new(
                SqlState::FEATURE_NOT_SUPPORTED,
                format!("{what} cannot be applied to VALUES"),
            ))
        }
        _ => return Err(unsupported(format!("{what} on this query"))),
    };
    if s.distinct.is_some() {
        return Err(not_allowed(what, "DISTINCT clause"));
    }
    let grouped = !matches!(
        &s.group_by,
        sqlparser::ast::GroupByExpr::Expressions(e, _) if e.is_empty()
    );
    if grouped {
        return Err(not_allowed(what, "GROUP BY clause"));
    }
    if s.having.is_some() {
        return Err(not_allowed(what, "HAVING clause"));
    }
    for item in &s.projection {
        let (SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) = item else {
            continue;
        };
        let mut found = None;
        let _ = sqlparser::ast::visit_expressions(e, |e| {
            if let Expr::Function(f) = e {
                let name = f.name.to_string().to_ascii_lowercase();
                if f.over.is_some() {
                    found = Some("window functions");
                } else if super::is_pg_aggregate(&name) {
                    found = Some("aggregate functions");
                }
            }
            // A subquery's own aggregates are its own.
            if matches!(
                e,
                Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. }
            ) {
                return std::ops::ControlFlow::Break(());
            }
            match found {
                Some(_) => std::ops::ControlFlow::Break(()),
                None => std::ops::ControlFlow::Continue(()),
            }
        });
        if let Some(with) = found {
            return Err(not_allowed(what, with));
        }
    }
    Ok(())
}

/// `OF t`: a table or subquery of the FROM clause (PostgreSQL's 42P01 otherwise, 0A000
/// for a join's alias).
fn of_names_a_table(q: &Query, name: &str, what: &str) -> Result<(), PgError> {
    let SetExpr::Select(s) = q.body.as_ref() else {
        return Ok(());
    };
    let name = crate::sql::lexer::fold_ident(name);
    let mut join = false;
    let mut found = false;
    fn walk(t: &TableFactor, name: &str, found: &mut bool, join: &mut bool) {
        match t {
            TableFactor::Table { name: n, alias, .. } => {
                let shown = match alias {
                    Some(a) => a.name.value.to_lowercase(),
                    None => {
                        n.0.last()
                            .map(|p| p.to_string().to_lowercase())
                            .unwrap_or_default()
                    }
                };
                *found |= shown == name;
            }
            TableFactor::Derived { alias, .. } => {
                *found |= alias
                    .as_ref()
                    .is_some_and(|a| a.name.value.to_lowercase() == name);
            }
            TableFactor::NestedJoin {
                table_with_joins,
                alias,
            } => {
                *join |= alias
                    .as_ref()
                    .is_some_and(|a| a.name.value.to_lowercase() == name);
                walk(&table_with_joins.relation, name, found, join);
                for j in &table_with_joins.joins {
                    walk(&j.relation, name, found, join);
                }
            }
            _ => {}
        }
    }
    for t in &s.from {
        walk(&t.relation, &name, &mut found, &mut join);
        for j in &t.joins {
            walk(&j.relation, &name, &mut found, &mut join);
        }
    }
    if join {
        return Err(PgError::new(
            SqlState::FEATURE_NOT_SUPPORTED,
            format!("{what} cannot be applied to a join"),
        ));
    }
    if !found {
        return Err(PgError::new(
            SqlState::UNDEFINED_TABLE,
            format!("relation \"{name}\" in {what} clause not found in FROM clause"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::parse::parse_one;

    fn taken(sql: &str) -> Result<(bool, String), PgError> {
        let mut stmt = parse_one(sql, 64).unwrap();
        take(&mut stmt).map(|t| (t.is_some(), stmt.to_string()))
    }

    #[test]
    fn the_marker_names_the_command() {
        let mut stmt = parse_one("select a from t for share", 64).unwrap();
        let marker = take(&mut stmt).unwrap().unwrap();
        assert_eq!(
            command(&format!("{marker}SELECT a FROM t")).as_deref(),
            Some("SELECT FOR SHARE")
        );
        assert_eq!(command("SELECT a FROM t"), None);
    }

    #[test]
    fn the_clause_goes_and_is_reported() {
        assert_eq!(
            taken("select a from t where a = 1 for update").unwrap(),
            (true, "SELECT a FROM t WHERE a = 1".into())
        );
        assert!(!taken("select a from t").unwrap().0);
        assert!(
            taken("select * from t1 join t2 on t1.a = t2.a, t3 as u for update of u")
                .unwrap()
                .0
        );
    }

    #[test]
    fn postgresql_refusals_are_kept() {
        let message = |sql: &str| taken(sql).unwrap_err().message;
        assert_eq!(
            message("select count(*) from t for update"),
            "FOR UPDATE is not allowed with aggregate functions"
        );
        assert_eq!(
            message("select a from t union select a from u for share"),
            "FOR SHARE is not allowed with UNION/INTERSECT/EXCEPT"
        );
        assert_eq!(
            message("select distinct a from t for update"),
            "FOR UPDATE is not allowed with DISTINCT clause"
        );
        assert_eq!(
            message("select a from t group by a for update"),
            "FOR UPDATE is not allowed with GROUP BY clause"
        );
        assert_eq!(
            message("select a from t for update of nosuch"),
            "relation \"nosuch\" in FOR UPDATE clause not found in FROM clause"
        );
        assert_eq!(
            message("select a from t for update skip locked"),
            "FOR UPDATE SKIP LOCKED is not supported by litewire"
        );
        // A subquery's aggregate is its own.
        assert!(taken("select a, (select max(b) from u) from t for update").is_ok());
    }
}
