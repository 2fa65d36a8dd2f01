//! `CREATE INDEX` with PostgreSQL's options, as the SQLite index that gives the same
//! answers. An index changes speed, never results, so what only tunes it is checked as
//! PostgreSQL checks it and dropped: the access method (btree, hash, gin, gist, spgist,
//! brin all become a plain SQLite b-tree index), operator classes, `NULLS FIRST/LAST`
//! of a key, storage parameters (`WITH (fillfactor = 70)`) and `CONCURRENTLY` (the
//! session refuses it inside a transaction block, as PostgreSQL does). `INCLUDE (…)`
//! columns become trailing keys of a non-unique index (a covering index, as in
//! PostgreSQL); a unique index leaves them out, since they must not widen its key.
//! `NULLS NOT DISTINCT` is honoured: each key `k` becomes `k IS NULL, ifnull(k, 0)`, on
//! which two NULLs are equal and a NULL differs from every value. An index without a
//! name gets PostgreSQL's (`table_column_idx`; the session numbers it when it is taken).

use sqlparser::ast::{
    BinaryOperator, CreateIndex, Expr, Function, Ident, IndexColumn, IndexType, ObjectName,
    OrderByExpr, OrderByOptions, Value,
};

use crate::protocol::{PgError, SqlState};

/// Rewrites `ci` into an index SQLite can create.
pub(super) fn create(ci: &mut CreateIndex) -> Result<(), PgError> {
    let method = access_method(ci.using.take())?;
    if method == "hash" && ci.columns.len() > 1 {
        return Err(PgError::new(
            SqlState::FEATURE_NOT_SUPPORTED,
            "access method \"hash\" does not support multicolumn indexes",
        ));
    }
    if ci.unique && method != "btree" {
        return Err(PgError::new(
            SqlState::FEATURE_NOT_SUPPORTED,
            format!("access method \"{method}\" does not support unique indexes"),
        ));
    }
    for column in &mut ci.columns {
        if let Some(class) = column.operator_class.take() {
            check_operator_class(&class.value, method)?;
        }
        // Only the order of the index's entries, never of a result.
        column.column.options.nulls_first = None;
        // A key with a collation (the same byte order here) stays marked as more than
        // a column, `(c)`: pg_get_indexdef and ADD … USING INDEX tell it apart.
        if let Expr::Collate { collation, .. } = &column.column.expr {
            let name = collation.to_string().trim_matches('"').to_ascii_lowercase();
            if name != "default" {
                let e = std::mem::replace(&mut column.column.expr, Expr::Value(Value::Null.into()));
                column.column.expr = Expr::Nested(Box::new(e));
            }
        }
    }
    for option in std::mem::take(&mut ci.with) {
        check_storage_parameter(&option)?;
    }
    ci.concurrently = false;
    if ci.name.is_none() {
        ci.name = Some(ObjectName::from(vec![Ident::with_quote(
            '"',
            default_name(ci),
        )]));
    }
    let include = std::mem::take(&mut ci.include);
    if !ci.unique {
        for c in include {
            ci.columns.push(key(Expr::Identifier(c)));
        }
    }
    if ci.nulls_distinct.take() == Some(false) && ci.unique {
        let columns = std::mem::take(&mut ci.columns);
        for c in columns {
            let e = c.column.expr;
            ci.columns.push(key(Expr::IsNull(Box::new(e.clone()))));
            ci.columns.push(key(Expr::Function(Function {
                name: ObjectName::from(vec![Ident::new("ifnull")]),
                uses_odbc_syntax: false,
                parameters: sqlparser::ast::FunctionArguments::None,
                args: sqlparser::ast::FunctionArguments::List(
                    sqlparser::ast::FunctionArgumentList {
                        duplicate_treatment: None,
                        args: vec![
                            sqlparser::ast::FunctionArg::Unnamed(
                                sqlparser::ast::FunctionArgExpr::Expr(e),
                            ),
                            sqlparser::ast::FunctionArg::Unnamed(
                                sqlparser::ast::FunctionArgExpr::Expr(Expr::Value(
                                    Value::Number("0".into(), false).into(),
                                )),
                            ),
                        ],
                        clauses: vec![],
                    },
                ),
                filter: None,
                null_treatment: None,
                over: None,
                within_group: vec![],
            })));
        }
    }
    Ok(())
}

fn key(expr: Expr) -> IndexColumn {
    IndexColumn {
        column: OrderByExpr {
            expr,
            options: OrderByOptions {
                asc: None,
                nulls_first: None,
            },
            with_fill: None,
        },
        operator_class: None,
    }
}

/// PostgreSQL's built-in access methods; any other is 42704.
fn access_method(using: Option<IndexType>) -> Result<&'static str, PgError> {
    Ok(match using {
        None | Some(IndexType::BTree) => "btree",
        Some(IndexType::Hash) => "hash",
        Some(IndexType::GIN) => "gin",
        Some(IndexType::GiST) => "gist",
        Some(IndexType::SPGiST) => "spgist",
        Some(IndexType::BRIN) => "brin",
        Some(other) => {
            let name = match other {
                IndexType::Custom(i) => i.value.to_ascii_lowercase(),
                other => other.to_string().to_ascii_lowercase(),
            };
            return Err(PgError::new(
                SqlState::UNDEFINED_OBJECT,
                format!("access method \"{name}\" does not exist"),
            ));
        }
    })
}

/// PostgreSQL's operator classes are all named `…_ops`; another name does not exist.
/// (Which type each accepts is not checked: the class is dropped.)
fn check_operator_class(class: &str, method: &str) -> Result<(), PgError> {
    if class.to_ascii_lowercase().ends_with("_ops") {
        return Ok(());
    }
    Err(PgError::new(
        SqlState::UNDEFINED_OBJECT,
        format!("operator class \"{class}\" does not exist for access method \"{method}\""),
    ))
}

/// The index storage parameters PostgreSQL knows (any access method's), with
/// fillfactor's range; 22023 for others, as PostgreSQL answers.
fn check_storage_parameter(option: &Expr) -> Result<(), PgError> {
    const KNOWN: &[&str] = &[
        "fillfactor",
        "deduplicate_items",
        "fastupdate",
        "gin_pending_list_limit",
        "buffering",
        "pages_per_range",
        "autosummarize",
    ];
    let (name, value) = match option {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Eq,
            right,
        } => (left.to_string(), Some(right.to_string())),
        other => (other.to_string(), None),
    };
    let name = name.trim_matches('"').to_ascii_lowercase();
    if !KNOWN.contains(&name.as_str()) {
        return Err(PgError::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!("unrecognized parameter \"{name}\""),
        ));
    }
    if name == "fillfactor" {
        let value = value.unwrap_or_default();
        let v = value.trim_matches('\'');
        if !v.parse::<i64>().is_ok_and(|n| (10..=100).contains(&n)) {
            return Err(PgError::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!("value {v} out of bounds for option \"fillfactor\""),
            )
            .with_detail("Valid values are between \"10\" and \"100\"."));
        }
    }
    Ok(())
}

/// PostgreSQL's name for an unnamed index: the table, each key's column name (a
/// function's name, else `expr`), and `idx`, joined by `_`.
fn default_name(ci: &CreateIndex) -> String {
    let table = ci
        .table_name
        .0
        .last()
        .map(|p| p.to_string().trim_matches('"').to_string())
        .unwrap_or_default();
    let mut parts = vec![table];
    for c in &ci.columns {
        parts.push(match &c.column.expr {
            Expr::Identifier(i) => i.value.clone(),
            Expr::Function(f) => f
                .name
                .0
                .last()
                .map(|p| p.to_string().trim_matches('"').to_string())
                .unwrap_or_else(|| "expr".into()),
            _ => "expr".into(),
        });
    }
    parts.push("idx".into());
    let mut name = parts.join("_");
    // PostgreSQL's names are at most 63 bytes.
    while name.len() > 63 {
        name.pop();
    }
    name
}

#[cfg(test)]
mod tests {
    use crate::protocol::SqlState;

    fn sqlite(sql: &str) -> Result<String, crate::protocol::PgError> {
        struct NoSettings;
        impl super::super::Settings for NoSettings {
            fn get(&self, _: &str) -> Option<String> {
                None
            }
            fn set(&mut self, _: &str, v: &str) -> Result<String, crate::protocol::PgError> {
                Ok(v.into())
            }
        }
        let stmt = crate::sql::parse::parse_one(sql, 100)?;
        super::super::to_sqlite(stmt, &mut NoSettings)
    }

    #[test]
    fn options_that_only_tune_the_index_are_dropped() {
        for (pg, lite) in [
            (
                "CREATE INDEX i ON t USING btree (a int4_ops)",
                "CREATE INDEX i ON t(a)",
            ),
            (
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t USING gin (j jsonb_path_ops) WITH (fastupdate = on)",
                "CREATE INDEX IF NOT EXISTS i ON t(j)",
            ),
            (
                "CREATE INDEX i ON t (a DESC NULLS LAST, b) WHERE a > 0",
                "CREATE INDEX i ON t(a DESC, b) WHERE a > 0",
            ),
            // As pg_dump writes it: the table named with its schema.
            (
                "CREATE INDEX i ON public.t USING btree (a) WHERE (b IS NOT TRUE)",
                "CREATE INDEX i ON t(a) WHERE (b IS NOT TRUE)",
            ),
            (
                "CREATE INDEX i ON t (a) INCLUDE (b, c)",
                "CREATE INDEX i ON t(a, b, c)",
            ),
            (
                "CREATE UNIQUE INDEX i ON t (a) INCLUDE (b) NULLS DISTINCT",
                "CREATE UNIQUE INDEX i ON t(a)",
            ),
            (
                "CREATE INDEX ON t (a, (a + 1))",
                "CREATE INDEX \"t_a_expr_idx\" ON t(a, (a + 1))",
            ),
            (
                "CREATE UNIQUE INDEX i ON t (a, b) NULLS NOT DISTINCT",
                "CREATE UNIQUE INDEX i ON t(a IS NULL, ifnull(a, 0), b IS NULL, ifnull(b, 0))",
            ),
        ] {
            assert_eq!(sqlite(pg).unwrap(), lite, "{pg}");
        }
        assert!(sqlite("CREATE INDEX ON t (lower(b))")
            .unwrap()
            .starts_with("CREATE INDEX \"t_lower_idx\" ON t("));
    }

    #[test]
    fn what_postgresql_refuses_is_refused() {
        for (sql, code) in [
            (
                "CREATE INDEX i ON t USING foo (a)",
                SqlState::UNDEFINED_OBJECT,
            ),
            ("CREATE INDEX i ON t (a foo)", SqlState::UNDEFINED_OBJECT),
            (
                "CREATE INDEX i ON t (a) WITH (foo = 1)",
                SqlState::INVALID_PARAMETER_VALUE,
            ),
            (
                "CREATE INDEX i ON t (a) WITH (fillfactor = 5)",
                SqlState::INVALID_PARAMETER_VALUE,
            ),
            (
                "CREATE INDEX i ON t USING hash (a, b)",
                SqlState::FEATURE_NOT_SUPPORTED,
            ),
            (
                "CREATE UNIQUE INDEX i ON t USING gin (a)",
                SqlState::FEATURE_NOT_SUPPORTED,
            ),
        ] {
            assert_eq!(sqlite(sql).unwrap_err().code, code, "{sql}");
        }
    }
}
