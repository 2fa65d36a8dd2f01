//! An index's definition as PostgreSQL's `pg_get_indexdef` prints it, read back from
//! the CREATE INDEX text SQLite keeps: `pg_index_definition(index_sql, table_sql)`.
//! Key columns print by name (`DESC` kept); `k IS NULL, ifnull(k, 0)` pairs are a `NULLS
//! NOT DISTINCT` key (translate/index.rs); expression keys and a partial index's WHERE
//! are deparsed with ruleutils.c's parentheses and literal casts for the forms whose
//! PostgreSQL rendering is known here (columns of text and integer types, functions
//! that keep their name, operators over them). Anything else is 0A000, never a
//! definition that differs from PostgreSQL's.

use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;
use sqlparser::ast::{BinaryOperator, CreateIndex, Expr, Statement, Value};

use crate::engine::pgfuncs::quote_identifier as quote_ident;
use crate::protocol::{PgError, SqlState};

/// Starts the value of a definition that is refused: the catalog scan raises the
/// message that follows only when a query reads the column (mod.rs), so listing
/// pg_indexes without its `indexdef` still works.
pub const REFUSED: &str = "\u{1}litewire refused: ";

pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let pure = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("pg_index_definition", 2, pure, |ctx| {
        let index: String = ctx.get::<Option<String>>(0)?.unwrap_or_default();
        let table: String = ctx.get::<Option<String>>(1)?.unwrap_or_default();
        Ok(definition(&index, &table).unwrap_or_else(|e| format!("{REFUSED}{}", e.message)))
    })?;
    let direct = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY;
    conn.create_scalar_function("litewire_index_statistics", 3, direct, |ctx| {
        // SAFETY: the connection running this batch, one nested read.
        let conn = unsafe { ctx.get_connection()? };
        let index: String = ctx.get(0)?;
        index_statistics(&conn, &index, ctx.get(1)?, ctx.get(2)?)
            .map_err(crate::engine::error::raise)
    })
}

/// `litewire_index_statistics(index, n, if_exists)`: ALTER INDEX … ALTER COLUMN n SET
/// STATISTICS, which PostgreSQL allows on an expression key only; no effect here. A
/// NOTICE (as a batch's text row) when the index is missing and IF EXISTS was given.
fn index_statistics(
    conn: &Connection,
    index: &str,
    n: i64,
    if_exists: bool,
) -> Result<Option<String>, PgError> {
    let sql: Option<String> = conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1",
            [index],
            |r| r.get(0),
        )
        .ok();
    let missing = format!("relation \"{index}\" does not exist");
    let Some(sql) = sql else {
        if if_exists {
            return Ok(Some(format!("00000 {missing}, skipping")));
        }
        return Err(PgError::new(SqlState::UNDEFINED_TABLE, missing));
    };
    let Ok(Statement::CreateIndex(ci)) = crate::sql::parse::parse_one(&sql, 200) else {
        return Err(refused(index));
    };
    let Some(key) = usize::try_from(n - 1).ok().and_then(|k| ci.columns.get(k)) else {
        return Err(PgError::new(
            SqlState::UNDEFINED_COLUMN,
            format!("column number {n} of relation \"{index}\" does not exist"),
        ));
    };
    if let Expr::Identifier(c) = &key.column.expr {
        return Err(PgError::new(
            SqlState::FEATURE_NOT_SUPPORTED,
            format!(
                "cannot alter statistics on non-expression column \"{}\" of index \"{index}\"",
                c.value
            ),
        )
        .with_hint("Alter statistics on table column instead."));
    }
    Ok(None)
}

/// The 0A000 a refused definition's value stands for, if `value` is one.
pub fn refusal(value: &str) -> Option<PgError> {
    let message = value.strip_prefix(REFUSED)?;
    Some(PgError::new(SqlState::FEATURE_NOT_SUPPORTED, message))
}

/// A value's PostgreSQL type, as far as the deparse needs it.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Ty {
    Text,
    Int4,
    Int8,
    Bool,
    /// A quoted literal, typed by the operand it meets (`'x'::text`).
    Unknown,
}

fn refused(index: &str) -> PgError {
    PgError::new(
        SqlState::FEATURE_NOT_SUPPORTED,
        format!(
            "the definition of index \"{index}\" (an expression or predicate PostgreSQL \
             would print differently) is not supported by litewire"
        ),
    )
}

/// `CREATE [UNIQUE] INDEX name ON public.t USING btree (keys)[ NULLS NOT DISTINCT][ WHERE …]`.
fn definition(index_sql: &str, table_sql: &str) -> Result<String, PgError> {
    let ci = match crate::sql::parse::parse_one(index_sql, 200) {
        Ok(Statement::CreateIndex(ci)) => ci,
        _ => return Err(refused(index_sql)),
    };
    let name = ci.name.as_ref().map(|n| n.to_string()).unwrap_or_default();
    let name = crate::sql::lexer::fold_ident(&name);
    let columns = column_types(table_sql);
    print(&ci, &name, &columns).ok_or_else(|| refused(&name))
}

fn print(ci: &CreateIndex, name: &str, columns: &[(String, Option<Ty>)]) -> Option<String> {
    let table = crate::sql::lexer::fold_ident(&ci.table_name.to_string());
    let keys: Vec<(&Expr, bool)> = ci
        .columns
        .iter()
        .map(|c| (&c.column.expr, c.column.options.asc == Some(false)))
        .collect();
    let (keys, nulls_not_distinct) = match nulls_not_distinct(&keys) {
        Some(k) => (k, true),
        None => (keys, false),
    };
    let mut out = format!(
        "CREATE {}INDEX {} ON public.{} USING btree (",
        if ci.unique { "UNIQUE " } else { "" },
        quote_ident(name),
        quote_ident(&table)
    );
    for (i, (key, desc)) in keys.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match key {
            Expr::Identifier(c) => out.push_str(&quote_ident(&c.value)),
            Expr::Function(_) => out.push_str(&deparse(key, columns)?.0),
            // A parenthesised column was an expression whose part SQLite has no use
            // for (a COLLATE clause): not what PostgreSQL keeps.
            Expr::Nested(inner) if matches!(**inner, Expr::Identifier(_)) => return None,
            other => {
                let (text, _) = deparse(other, columns)?;
                out.push('(');
                out.push_str(&text);
                out.push(')');
            }
        }
        if *desc {
            out.push_str(" DESC");
        }
    }
    out.push(')');
    if nulls_not_distinct {
        out.push_str(" NULLS NOT DISTINCT");
    }
    if let Some(predicate) = &ci.predicate {
        let (text, ty) = deparse(predicate, columns)?;
        if ty != Ty::Bool {
            return None;
        }
        out.push_str(" WHERE ");
        out.push_str(&text);
    }
    Some(out)
}

/// The keys of a NULLS NOT DISTINCT index (pairs `k IS NULL, ifnull(k, 0)`), else None.
fn nulls_not_distinct<'a>(keys: &[(&'a Expr, bool)]) -> Option<Vec<(&'a Expr, bool)>> {
    if keys.is_empty() || !keys.len().is_multiple_of(2) {
        return None;
    }
    keys.chunks(2)
        .map(|pair| {
            let (Expr::IsNull(k), Expr::Function(f)) = (pair[0].0, pair[1].0) else {
                return None;
            };
            let args = crate::sql::translate::plain_args(f)?;
            let zero = matches!(args.get(1), Some(Expr::Value(v)) if v.value == Value::Number("0".into(), false));
            (f.name.to_string().eq_ignore_ascii_case("ifnull")
                && args.len() == 2
                && zero
                && *args[0] == **k)
                .then_some((&**k, pair[0].1))
        })
        .collect()
}

/// The table's columns and their types (None: a type the deparse does not know).
fn column_types(table_sql: &str) -> Vec<(String, Option<Ty>)> {
    let Some(ct) = crate::sql::alter::parse_definition(table_sql) else {
        return Vec::new();
    };
    ct.columns
        .iter()
        .map(|c| {
            let ty = match c.data_type.to_string().to_ascii_lowercase().as_str() {
                "text" => Some(Ty::Text),
                "int4" | "int" | "integer" => Some(Ty::Int4),
                "int8" | "bigint" => Some(Ty::Int8),
                _ => None,
            };
            (c.name.value.clone(), ty)
        })
        .collect()
}

/// Functions that keep PostgreSQL's name in SQLite's text (or the `pg_` one litewire
/// gives them), with their argument and result types.
const FUNCTIONS: &[(&str, &str, &[Ty], Ty)] = &[
    ("textcat", "textcat", &[Ty::Text, Ty::Text], Ty::Text),
    ("pg_lower", "lower", &[Ty::Text], Ty::Text),
    ("pg_upper", "upper", &[Ty::Text], Ty::Text),
    ("lower", "lower", &[Ty::Text], Ty::Text),
    ("upper", "upper", &[Ty::Text], Ty::Text),
];

/// `e` as ruleutils.c prints it (operators parenthesised, literals cast) and its type.
fn deparse(e: &Expr, columns: &[(String, Option<Ty>)]) -> Option<(String, Ty)> {
    match e {
        Expr::Nested(inner) => deparse(inner, columns),
        Expr::Identifier(c) => {
            let ty = columns.iter().find(|(n, _)| *n == c.value)?.1?;
            Some((quote_ident(&c.value), ty))
        }
        Expr::Value(v) => match &v.value {
            Value::Number(n, false) if n.parse::<i32>().is_ok_and(|n| n >= 0) => {
                Some((n.clone(), Ty::Int4))
            }
            Value::SingleQuotedString(s) => {
                Some((format!("'{}'", s.replace('\'', "''")), Ty::Unknown))
            }
            _ => None,
        },
        Expr::Function(f) => {
            let name = f.name.to_string().to_ascii_lowercase();
            let (_, shown, params, result) = FUNCTIONS.iter().find(|(n, ..)| *n == name)?;
            let args = crate::sql::translate::plain_args(f)?;
            if args.len() != params.len() {
                return None;
            }
            let mut printed = Vec::new();
            for (a, want) in args.iter().zip(params.iter()) {
                let (text, ty) = deparse(a, columns)?;
                printed.push(typed(text, ty, *want)?);
            }
            Some((format!("{shown}({})", printed.join(", ")), *result))
        }
        Expr::BinaryOp { left, op, right } => binary(left, op, right, columns),
        _ => None,
    }
}

/// A literal of unknown type meeting `want` takes it (`'x'::text`); others must match.
fn typed(text: String, ty: Ty, want: Ty) -> Option<String> {
    match (ty, want) {
        (Ty::Unknown, Ty::Text) => Some(format!("{text}::text")),
        (a, b) if a == b => Some(text),
        _ => None,
    }
}

fn binary(
    left: &Expr,
    op: &BinaryOperator,
    right: &Expr,
    columns: &[(String, Option<Ty>)],
) -> Option<(String, Ty)> {
    if matches!(op, BinaryOperator::And | BinaryOperator::Or) {
        // PostgreSQL flattens a chain of ANDs (ORs) into one list.
        let mut parts = Vec::new();
        flatten(left, op, &mut parts);
        flatten(right, op, &mut parts);
        let printed = parts
            .iter()
            .map(|p| match deparse(p, columns)? {
                (text, Ty::Bool) => Some(text),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?;
        return Some((format!("({})", printed.join(&format!(" {op} "))), Ty::Bool));
    }
    let (l, lt) = deparse(left, columns)?;
    let (r, rt) = deparse(right, columns)?;
    // The operands' common type: a literal takes the other side's.
    let ty = match (lt, rt) {
        (Ty::Unknown, Ty::Unknown) => return None,
        (Ty::Unknown, t) | (t, Ty::Unknown) => t,
        (a, b) if a == b => a,
        _ => return None,
    };
    let (l, r) = (typed(l, lt, ty)?, typed(r, rt, ty)?);
    let result = match op {
        BinaryOperator::StringConcat if ty == Ty::Text => Ty::Text,
        BinaryOperator::Plus
        | BinaryOperator::Minus
        | BinaryOperator::Multiply
        | BinaryOperator::Divide
            if matches!(ty, Ty::Int4 | Ty::Int8) =>
        {
            ty
        }
        BinaryOperator::Eq
        | BinaryOperator::NotEq
        | BinaryOperator::Lt
        | BinaryOperator::LtEq
        | BinaryOperator::Gt
        | BinaryOperator::GtEq => Ty::Bool,
        _ => return None,
    };
    Some((format!("({l} {op} {r})"), result))
}

fn flatten<'a>(e: &'a Expr, op: &BinaryOperator, out: &mut Vec<&'a Expr>) {
    match e {
        Expr::BinaryOp {
            left,
            op: inner,
            right,
        } if inner == op => {
            flatten(left, op, out);
            flatten(right, op, out);
        }
        Expr::Nested(inner) if matches!(&**inner, Expr::BinaryOp { op: o, .. } if o == op) => {
            flatten(inner, op, out)
        }
        other => out.push(other),
    }
}

#[cfg(test)]
mod tests {
    use super::definition;

    const TABLE: &str = "CREATE TABLE t (i INT4, f1 TEXT, f2 TEXT, v VARCHAR(5))";

    fn def(index: &str) -> Result<String, String> {
        definition(index, TABLE).map_err(|e| e.code.0.to_string())
    }

    #[test]
    fn columns_and_nulls_not_distinct() {
        assert_eq!(
            def("CREATE UNIQUE INDEX u ON t(i IS NULL, ifnull(i, 0))").unwrap(),
            "CREATE UNIQUE INDEX u ON public.t USING btree (i) NULLS NOT DISTINCT"
        );
        assert_eq!(
            def("CREATE INDEX x ON t(f1, i DESC)").unwrap(),
            "CREATE INDEX x ON public.t USING btree (f1, i DESC)"
        );
    }

    #[test]
    fn expressions_as_ruleutils_prints_them() {
        assert_eq!(
            def("CREATE UNIQUE INDEX f ON t(textcat(f1, f2))").unwrap(),
            "CREATE UNIQUE INDEX f ON public.t USING btree (textcat(f1, f2))"
        );
        assert_eq!(
            def("CREATE INDEX e ON t((f1 || f2), (1 / i), pg_lower(f1))").unwrap(),
            "CREATE INDEX e ON public.t USING btree (((f1 || f2)), ((1 / i)), lower(f1))"
        );
        assert_eq!(
            def("CREATE INDEX p ON t(i) WHERE (i > 0) AND (f1 = 'x') AND i < 9").unwrap(),
            "CREATE INDEX p ON public.t USING btree (i) WHERE ((i > 0) AND (f1 = 'x'::text) AND (i < 9))"
        );
    }

    #[test]
    fn what_would_differ_is_refused() {
        for index in [
            "CREATE INDEX a ON t((f1))",
            "CREATE INDEX a ON t((v || f1))",
            "CREATE INDEX a ON t((CAST(i AS TEXT)))",
            "CREATE INDEX a ON t(i) WHERE i IS NULL",
            "CREATE INDEX a ON t(pg_substr(f1, 1, 2))",
        ] {
            assert_eq!(def(index), Err("0A000".to_string()), "{index}");
        }
    }
}
