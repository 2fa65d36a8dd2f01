//! String literals written into columns (`INSERT … VALUES ('…')`, `UPDATE … SET c = '…'`,
//! `ON CONFLICT … DO UPDATE SET c = '…'`): PostgreSQL reads such a literal with the
//! column's input rules, so `'34.5'` into an int2 is an error and `' 34 '` is 34. Each one
//! becomes `pg_store('…', 'table', column)` (engine/functions.rs), which reads it as a
//! Bind parameter of the column's type is read: the same refusals, the same stored form.
//! A computed value (`now()`, a cast, an operator) gets `pg_store(…, 1)`: only a
//! timestamptz written into a timestamp/date/time column changes (to its local time).

use sqlparser::ast::{
    Assignment, AssignmentTarget, DataType, Expr, OnConflictAction, OnInsert, SetExpr, Statement,
    TableFactor, TableObject, Value,
};

use super::{call, string};

/// Wraps the string literals `stmt` writes into columns.
pub(super) fn literals(stmt: &mut Statement) {
    match stmt {
        Statement::Insert(insert) => {
            let TableObject::TableName(name) = &insert.table else {
                return;
            };
            let table =
                super::schemas::qualified(name).unwrap_or_else(|| last_part(&name.to_string()));
            if let Some(SetExpr::Values(values)) = insert.source.as_mut().map(|q| q.body.as_mut()) {
                for row in &mut values.rows {
                    for (i, value) in row.iter_mut().enumerate() {
                        if let Some(c) = insert.columns.get(i) {
                            // An array element's value is read by the engine (assign.rs).
                            if super::assign::name_column(value, &table, &c.value) {
                                continue;
                            }
                        }
                        let column = match insert.columns.get(i) {
                            Some(c) => string(&c.value),
                            None if insert.columns.is_empty() => {
                                Expr::Value(Value::Number(i.to_string(), false).into())
                            }
                            None => continue,
                        };
                        wrap(value, &table, column);
                    }
                }
            }
            match insert.source.as_mut().map(|q| q.body.as_mut()) {
                Some(SetExpr::Select(select)) => computed(select, &insert.columns, &table),
                Some(body @ SetExpr::SetOperation { .. }) => {
                    union_all_constants(body, &insert.columns, &table)
                }
                _ => {}
            }
            if let Some(OnInsert::OnConflict(c)) = &mut insert.on {
                if let OnConflictAction::DoUpdate(u) = &mut c.action {
                    assignments(&mut u.assignments, &table);
                }
            }
        }
        Statement::Update {
            table,
            assignments: a,
            ..
        } => {
            if let TableFactor::Table { name, .. } = &table.relation {
                let table =
                    super::schemas::qualified(name).unwrap_or_else(|| last_part(&name.to_string()));
                assignments(a, &table);
            }
        }
        _ => {}
    }
}

/// `INSERT … SELECT`: each value numeric's functions or typed operators compute is
/// assigned to its column as by `pg_store(…, 1)`, so that a numeric(p,s) column stores it at its
/// scale (`sqrt(x)` into numeric(210,10) keeps 10 decimals, as PostgreSQL's assignment
/// cast rounds). Columns and literals are left as they are.
fn computed(select: &mut sqlparser::ast::Select, columns: &[sqlparser::ast::Ident], table: &str) {
    use sqlparser::ast::SelectItem;
    for (i, item) in select.projection.iter_mut().enumerate() {
        let value = match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => e,
            // A `*` makes the positions after it unknown.
            _ => return,
        };
        let column = match columns.get(i) {
            Some(c) => string(&c.value),
            None if columns.is_empty() => Expr::Value(Value::Number(i.to_string(), false).into()),
            None => return,
        };
        if decimal_literal(value, table, &column) {
            continue;
        }
        let is_computed = may_be_numeric(value);
        if is_computed && !matches!(value, Expr::Function(f) if f.name.to_string() == "pg_store") {
            let v = std::mem::replace(value, Expr::Value(Value::Null.into()));
            let assign = Expr::Value(Value::Number("1".into(), false).into());
            *value = call("pg_store", vec![v, string(table), column, assign]);
        }
    }
}

/// `INSERT … SELECT 7.00 UNION ALL SELECT 1.5`: a column that is a number constant in
/// every branch is numeric (or an integer) in PostgreSQL, each constant kept as written,
/// so each decimal one is assigned as in VALUES. Only UNION ALL of plain SELECTs: UNION
/// compares the values (`7.00` = `7.0`), and another type in a branch (a float) would
/// change the column's type.
fn union_all_constants(body: &mut SetExpr, columns: &[sqlparser::ast::Ident], table: &str) {
    use sqlparser::ast::{SelectItem, SetOperator, SetQuantifier};
    let mut leaves = Vec::new();
    let mut pending = vec![body];
    while let Some(b) = pending.pop() {
        match b {
            SetExpr::SetOperation {
                op: SetOperator::Union,
                set_quantifier: SetQuantifier::All,
                left,
                right,
            } => {
                pending.push(right.as_mut());
                pending.push(left.as_mut());
            }
            SetExpr::Select(s) => leaves.push(s),
            _ => return,
        }
    }
    let number = |e: &Expr| {
        let e = match e {
            Expr::UnaryOp {
                op: sqlparser::ast::UnaryOperator::Minus,
                expr,
            } => expr.as_ref(),
            e => e,
        };
        matches!(e, Expr::Value(v) if matches!(v.value, Value::Number(..)))
    };
    let item = |s: &sqlparser::ast::Select, i: usize| match s.projection.get(i) {
        Some(SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) => {
            Some(e.clone())
        }
        _ => None,
    };
    let width = leaves.first().map_or(0, |s| s.projection.len());
    for i in 0..width {
        if !leaves
            .iter()
            .all(|s| item(s, i).is_some_and(|e| number(&e)))
        {
            continue;
        }
        let column = match columns.get(i) {
            Some(c) => string(&c.value),
            None if columns.is_empty() => Expr::Value(Value::Number(i.to_string(), false).into()),
            None => continue,
        };
        for s in leaves.iter_mut() {
            if let Some(SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) =
                s.projection.get_mut(i)
            {
                decimal_literal(e, table, &column);
            }
        }
    }
}

fn assignments(list: &mut [Assignment], table: &str) {
    for a in list {
        if let AssignmentTarget::ColumnName(c) = &a.target {
            let column = last_part(&c.to_string());
            // A subscripted assignment's value is read by the engine (engine/subscript.rs).
            if super::assign::name_column(&mut a.value, table, &column) {
                continue;
            }
            wrap(&mut a.value, table, string(&column));
        }
    }
}

/// `value` as `pg_store(value, 'table', column)` when it is a string literal, or a
/// literal cast to a float type (a float8 stored into a float4 column is rounded and
/// range-checked as float4).
fn wrap(value: &mut Expr, table: &str, column: Expr) {
    let is_literal = |e: &Expr| {
        matches!(e, Expr::Value(v) if matches!(
            v.value,
            Value::SingleQuotedString(_) | Value::EscapedStringLiteral(_) | Value::DollarQuotedString(_)
        ))
    };
    let float_cast = matches!(value, Expr::Cast { expr, data_type, .. } if is_literal(expr)
        && matches!(data_type, DataType::Float8 | DataType::DoublePrecision | DataType::Double(_)
            | DataType::Float(_) | DataType::Real | DataType::Float4 | DataType::Float64));
    // A decimal literal: stored at a numeric(p,s) column's scale (`10.10`, which the
    // double 10.1 would not show).
    if decimal_literal(value, table, &column) {
        // Done: a numeric constant, assigned as PostgreSQL assigns one.
    } else if is_literal(value) || float_cast {
        let v = std::mem::replace(value, Expr::Value(Value::Null.into()));
        *value = call("pg_store", vec![v, string(table), column]);
    } else if may_be_timestamptz(value) {
        // A computed value is assigned, not read as text: a timestamptz (`now()`)
        // written into a timestamp/date/time column is its local time in the session's
        // zone, as PostgreSQL's assignment cast makes it.
        let v = std::mem::replace(value, Expr::Value(Value::Null.into()));
        let assign = Expr::Value(Value::Number("1".into(), false).into());
        *value = call("pg_store", vec![v, string(table), column, assign]);
    }
}

/// A decimal literal (`7.00`, `-2.5`, `1e3`) as `pg_store(pg_decimal_for('7.00', …), …)`:
/// its written text for a numeric or text column (which keeps the scale), rounded for an
/// integer one, as PostgreSQL assigns a numeric constant. False for any other value.
fn decimal_literal(value: &mut Expr, table: &str, column: &Expr) -> bool {
    let decimal = |e: &Expr| {
        matches!(e, Expr::Value(v) if matches!(&v.value,
        Value::Number(n, _) if n.contains(['.', 'e', 'E'])))
    };
    let decimal = decimal(value)
        || matches!(value, Expr::UnaryOp { op: sqlparser::ast::UnaryOperator::Minus, expr } if decimal(expr));
    if decimal {
        let v = std::mem::replace(value, Expr::Value(Value::Null.into()));
        let text = string(&v.to_string().replace(' ', ""));
        let number = call("pg_decimal_for", vec![text, string(table), column.clone()]);
        *value = call("pg_store", vec![number, string(table), column.clone()]);
    }
    decimal
}

/// Whether a select-list value is computed by numeric's functions or a typed operator
/// (`pg_numeric_sqrt(…)`, `pg_op('*', …)`), and calls no set-returning function (those
/// become sources in FROM later: srf.rs).
fn may_be_numeric(e: &Expr) -> bool {
    let mut numeric = false;
    let mut set_returning = false;
    let _ = sqlparser::ast::visit_expressions(e, |e| {
        if let Expr::Function(f) = e {
            let name = f.name.to_string().to_ascii_lowercase();
            numeric |= name.starts_with("pg_numeric_") || name == "pg_op";
            set_returning |= name == "generate_series"
                || name == "unnest"
                || name == "generate_subscripts"
                || name.starts_with("regexp_")
                || name.ends_with("_to_table")
                || name.ends_with("_each")
                || name.ends_with("_each_text")
                || name.ends_with("_elements")
                || name.ends_with("_elements_text")
                || name.ends_with("_keys");
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    numeric && !set_returning
}

/// Whether a computed value may be a timestamptz: a call, a cast, a typed literal, AT
/// TIME ZONE, or an operator over one of those (`now() + interval '1 day'`). Plain
/// arithmetic on columns and parameters (`abalance + $1`, every pgbench UPDATE) is not
/// wrapped: a function call per row for nothing.
fn may_be_timestamptz(e: &Expr) -> bool {
    match e {
        // Typed operators (operators.rs) already ran: integer arithmetic, and `*` `/` `%`
        // (an interval times a number is an interval), give no timestamptz.
        Expr::Function(f) => {
            let name = f.name.to_string();
            let op = match &f.args {
                sqlparser::ast::FunctionArguments::List(l) => l.args.first().map(|a| a.to_string()),
                _ => None,
            };
            !(name == "pg_int"
                || (name == "pg_op" && !matches!(op.as_deref(), Some("'+'" | "'-'"))))
        }
        Expr::Cast { .. } | Expr::TypedString { .. } | Expr::AtTimeZone { .. } => true,
        Expr::BinaryOp { left, right, .. } => may_be_timestamptz(left) || may_be_timestamptz(right),
        // A pg_op call under numeric's collation (operators.rs).
        Expr::Nested(e) | Expr::Collate { expr: e, .. } => may_be_timestamptz(e),
        _ => false,
    }
}

/// The unquoted last part of a possibly qualified name.
fn last_part(name: &str) -> String {
    let last = name.rsplit('.').next().unwrap_or(name);
    last.trim_matches('"').replace("\"\"", "\"")
}
