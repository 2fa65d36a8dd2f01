//! SQL-level prepared statements: `PREPARE name [(type, ...)] AS statement` and
//! `EXECUTE name [(arg, ...)]`. They share the protocol's statement namespace (as in
//! PostgreSQL); the session stores and runs them (`server/simple.rs`). EXECUTE runs the
//! statement's tree with each `$n` replaced by its argument cast to the parameter's type,
//! which is what PostgreSQL's coercion of EXECUTE arguments does.

use sqlparser::ast::{Expr, Statement, Value, VisitMut, VisitorMut};
use std::ops::ControlFlow;

use super::lexer::{significant, TokenKind};
use super::parse::parse_one;
use crate::protocol::{PgError, SqlState};

/// A `PREPARE` read.
#[derive(Debug, PartialEq, Eq)]
pub struct Prepare {
    pub name: String,
    /// The parameter types as written (`int`, `text[]`).
    pub types: Vec<String>,
    /// The statement after `AS`, as the client wrote it.
    pub body: String,
}

/// Reads `PREPARE name [(type, ...)] AS statement`: only a statement PostgreSQL can
/// prepare (SELECT, VALUES, INSERT, UPDATE, DELETE, MERGE) is accepted.
pub fn prepare(sql: &str, max_depth: usize) -> Result<Prepare, PgError> {
    let Statement::Prepare {
        name,
        data_types,
        statement,
    } = parse_one(sql, max_depth)?
    else {
        return Err(PgError::syntax_near("PREPARE"));
    };
    let body = body_of(sql).ok_or_else(|| PgError::syntax_near("PREPARE"))?;
    match *statement {
        Statement::Query(_)
        | Statement::Insert(_)
        | Statement::Update { .. }
        | Statement::Delete(_)
        | Statement::Merge { .. } => {}
        _ => {
            let first = super::lexer::words(body).next().unwrap_or_default();
            return Err(PgError::syntax_near(first));
        }
    }
    Ok(Prepare {
        name: super::lexer::fold_ident(&name.to_string()),
        // `pg_catalog.oid` (pg_dump's spelling) names the built-in type `oid`.
        types: data_types
            .iter()
            .map(|t| {
                let t = t.to_string();
                match t.get(..11) {
                    Some(p) if p.eq_ignore_ascii_case("pg_catalog.") => t[11..].to_string(),
                    _ => t,
                }
            })
            .collect(),
        body: body.to_string(),
    })
}

/// The text after the first `AS` outside parentheses.
fn body_of(sql: &str) -> Option<&str> {
    let mut depth = 0usize;
    for t in significant(sql) {
        let text = &sql[t.start..t.end];
        match t.kind {
            TokenKind::Other if text == "(" => depth += 1,
            TokenKind::Other if text == ")" => depth = depth.saturating_sub(1),
            TokenKind::Word if depth == 0 && text.eq_ignore_ascii_case("as") => {
                return Some(sql[t.end..].trim());
            }
            _ => {}
        }
    }
    None
}

/// An `EXECUTE` read: the statement's name and its arguments.
#[derive(Debug)]
pub struct Execute {
    pub name: String,
    pub args: Vec<Expr>,
}

/// The statement name of `EXECUTE name ...`, read from its words alone (for Describe,
/// before the arguments are read).
pub fn execute_name(sql: &str) -> Option<String> {
    let second = significant(sql).nth(1)?;
    Some(super::lexer::fold_ident(&sql[second.start..second.end]))
}

/// Reads `EXECUTE name [(arg, ...)]`.
pub fn execute(sql: &str, max_depth: usize) -> Result<Execute, PgError> {
    match parse_one(sql, max_depth)? {
        Statement::Execute {
            name: Some(name),
            parameters,
            immediate: false,
            into,
            using,
            ..
        } if into.is_empty() && using.is_empty() => Ok(Execute {
            name: super::lexer::fold_ident(&name.to_string()),
            args: parameters,
        }),
        _ => Err(PgError::syntax_near("EXECUTE")),
    }
}

/// The type of an EXECUTE argument where its form alone tells it (`true`, `5`, `1.5`,
/// `x::type`), as a type name; None for a quoted literal (of unknown type: read as the
/// parameter's type) and anything else.
pub fn arg_type(arg: &Expr) -> Option<String> {
    match arg {
        Expr::Value(v) => match &v.value {
            Value::Boolean(_) => Some("boolean".into()),
            Value::Number(n, _) if n.contains(['.', 'e', 'E']) => Some("numeric".into()),
            Value::Number(n, _) => Some(match n.parse::<i64>() {
                Ok(i) if i32::try_from(i).is_ok() => "integer".into(),
                Ok(_) => "bigint".into(),
                Err(_) => "numeric".into(),
            }),
            _ => None,
        },
        Expr::Nested(e) | Expr::UnaryOp { expr: e, .. } => arg_type(e),
        Expr::Cast { data_type, .. } => Some(data_type.to_string().to_ascii_lowercase()),
        _ => None,
    }
}

/// The text of `body` with `$n` replaced by `CAST((arg n) AS type n)` (the bare
/// argument where the type has no name litewire can write). The caller has checked
/// that there is one argument per parameter. `columns` are the statement's result
/// column names: a select-list item that held a parameter keeps its name (`?column?`
/// for `SELECT $1`, not the cast's).
pub fn bind(
    body: &str,
    args: Vec<Expr>,
    types: &[Option<&str>],
    columns: &[String],
    max_depth: usize,
) -> Result<String, PgError> {
    let mut stmt = parse_one(body, max_depth)?;
    keep_names(&mut stmt, columns);
    let mut args: Vec<Option<Expr>> = args
        .into_iter()
        .zip(types)
        .map(|(arg, ty)| {
            let nested = Expr::Nested(Box::new(arg));
            Some(match ty {
                Some(ty) => cast(nested, ty),
                None => nested,
            })
        })
        .collect();
    let mut binder = Binder {
        args: &mut args,
        bad: None,
    };
    let _ = stmt.visit(&mut binder);
    if let Some(n) = binder.bad {
        return Err(PgError::new(
            SqlState::UNDEFINED_PARAMETER,
            format!("there is no parameter ${n}"),
        ));
    }
    Ok(stmt.to_string())
}

/// Names each unnamed select-list item that holds a parameter by `columns` (up to the
/// first `*`, past which positions are unknown here).
fn keep_names(stmt: &mut Statement, columns: &[String]) {
    let Statement::Query(q) = stmt else {
        return;
    };
    let sqlparser::ast::SetExpr::Select(select) = q.body.as_mut() else {
        return;
    };
    for (item, name) in select.projection.iter_mut().zip(columns) {
        let sqlparser::ast::SelectItem::UnnamedExpr(e) = item else {
            if matches!(item, sqlparser::ast::SelectItem::ExprWithAlias { .. }) {
                continue;
            }
            return;
        };
        if e.to_string().contains('$') {
            let e = std::mem::replace(e, Expr::Value(Value::Null.into()));
            *item = sqlparser::ast::SelectItem::ExprWithAlias {
                expr: e,
                alias: sqlparser::ast::Ident::with_quote('"', name.as_str()),
            };
        }
    }
}

/// `CAST(expr AS ty)` for a type name litewire itself wrote (`types::name_of`).
fn cast(expr: Expr, ty: &str) -> Expr {
    let parsed = sqlparser::parser::Parser::new(&super::dialect::Postgres)
        .try_with_sql(ty)
        .and_then(|mut p| p.parse_data_type());
    match parsed {
        Ok(data_type) => Expr::Cast {
            kind: sqlparser::ast::CastKind::Cast,
            expr: Box::new(expr),
            data_type,
            format: None,
        },
        Err(_) => expr,
    }
}

struct Binder<'a> {
    /// Each argument, taken at its parameter's first use (cloned at later ones).
    args: &'a mut Vec<Option<Expr>>,
    /// A `$n` with no argument.
    bad: Option<String>,
}

impl VisitorMut for Binder<'_> {
    type Break = ();

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        let Expr::Value(v) = expr else {
            return ControlFlow::Continue(());
        };
        let Value::Placeholder(p) = &v.value else {
            return ControlFlow::Continue(());
        };
        let arg = p
            .strip_prefix('$')
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| self.args.get(i))
            .and_then(|a| a.clone());
        match arg {
            Some(a) => *expr = a,
            None => self.bad = Some(p.trim_start_matches('$').to_string()),
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepare_reads_name_types_and_body() {
        let p = prepare("PREPARE Q3(text, int[]) AS\n\tSELECT $1, $2", 64).unwrap();
        assert_eq!(p.name, "q3");
        assert_eq!(p.types, vec!["TEXT".to_string(), "INT[]".to_string()]);
        assert_eq!(p.body, "SELECT $1, $2");
        let p = prepare("prepare \"Q\" as insert into t values (1)", 64).unwrap();
        assert_eq!(p.name, "Q");
        assert_eq!(p.body, "insert into t values (1)");
    }

    #[test]
    fn only_preparable_statements() {
        let e = prepare("PREPARE q AS CREATE TABLE t (a int)", 64).unwrap_err();
        assert_eq!(e.code, SqlState::SYNTAX_ERROR);
    }

    #[test]
    fn execute_binds_arguments_with_casts() {
        let e = execute("EXECUTE q2('postgres', 1 + 2)", 64).unwrap();
        assert_eq!(e.name, "q2");
        let text = bind(
            "SELECT * FROM t WHERE a = $1 AND b = $2 OR c = $1",
            e.args,
            &[Some("text"), None],
            &[],
            64,
        )
        .unwrap();
        assert_eq!(
            text,
            "SELECT * FROM t WHERE a = CAST(('postgres') AS TEXT) AND b = (1 + 2) OR c = CAST(('postgres') AS TEXT)"
        );
    }

    #[test]
    fn select_list_parameters_keep_their_names() {
        let e = execute("EXECUTE q(1, 2)", 64).unwrap();
        let names = ["?column?".to_string(), "b".to_string()];
        let text = bind(
            "SELECT $1, $2 AS b",
            e.args,
            &[Some("int4"), None],
            &names,
            64,
        );
        assert_eq!(
            text.unwrap(),
            "SELECT CAST((1) AS INT4) AS \"?column?\", (2) AS b"
        );
    }

    #[test]
    fn a_parameter_without_argument_is_an_error() {
        let e = bind("SELECT $2", Vec::new(), &[], &[], 64).unwrap_err();
        assert_eq!(e.code, SqlState::UNDEFINED_PARAMETER);
    }
}
