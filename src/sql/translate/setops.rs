//! String literals in UNION, INTERSECT and EXCEPT: PostgreSQL gives such a literal (type
//! unknown) the type of the other side's column, so `SELECT 1 UNION SELECT '1'` is one
//! row and `SELECT '3.4'::numeric UNION SELECT 'foo'` is 22P02. SQLite compares the
//! text with the number and keeps both. Each such literal is cast to the other side's
//! type where the text shows it (sql::types: literals, casts, VALUES); otherwise it is
//! left as it is.

use sqlparser::ast::{CastKind, Expr, Query, SelectItem, SetExpr, Statement, Value};

use crate::sql::types::{Column, Ty};

/// What a set operation's column is known to be.
#[derive(Clone, PartialEq)]
enum Kind {
    /// Only string literals (PostgreSQL's unknown).
    Literal,
    /// A built-in type, by its name without modifier.
    Type(String),
    Unknown,
}

/// Casts the string literals of `q`'s set operation to the other side's type.
pub(super) fn literals(q: &mut Query) {
    if !matches!(q.body.as_ref(), SetExpr::SetOperation { .. }) || !has_literal(&q.body) {
        return;
    }
    let mut template = q.clone();
    template.order_by = None;
    template.limit_clause = None;
    template.fetch = None;
    resolve(&mut q.body, &template);
}

fn has_literal(e: &SetExpr) -> bool {
    match e {
        SetExpr::SetOperation { left, right, .. } => has_literal(left) || has_literal(right),
        SetExpr::Select(s) => s.projection.iter().any(|i| literal(item_expr(i)).is_some()),
        _ => false,
    }
}

fn item_expr(i: &SelectItem) -> Option<&Expr> {
    match i {
        SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => Some(e),
        _ => None,
    }
}

fn literal(e: Option<&Expr>) -> Option<&str> {
    match e {
        Some(Expr::Value(v)) => match &v.value {
            Value::SingleQuotedString(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// The kinds of `e`'s columns (empty when not known column by column), casting literals
/// where one side is known and the other is literals.
fn resolve(e: &mut SetExpr, template: &Query) -> Vec<Kind> {
    match e {
        SetExpr::Select(s) => {
            if s.projection.iter().any(|i| item_expr(i).is_none()) {
                return Vec::new();
            }
            let mut q = template.clone();
            q.body = Box::new(SetExpr::Select(s.clone()));
            let typed = crate::sql::types::analyze(&Statement::Query(Box::new(q)))
                .columns
                .unwrap_or_default();
            s.projection
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    if literal(item_expr(item)).is_some() {
                        return Kind::Literal;
                    }
                    // Only the built-in types litewire reads literals as (not `record`).
                    match typed.get(i) {
                        Some(Column::Expr { ty, .. }) => known(ty)
                            .map(|t| bare(&t))
                            .filter(|t| crate::engine::types::names_a_type(t))
                            .map_or(Kind::Unknown, Kind::Type),
                        _ => Kind::Unknown,
                    }
                })
                .collect()
        }
        SetExpr::SetOperation { left, right, .. } => {
            let (l, r) = (resolve(left, template), resolve(right, template));
            if l.len() != r.len() {
                return Vec::new();
            }
            l.into_iter()
                .zip(r)
                .enumerate()
                .map(|(i, kinds)| match kinds {
                    (Kind::Literal, Kind::Literal) => Kind::Literal,
                    (Kind::Literal, Kind::Type(t)) => {
                        cast(left, i, &t);
                        Kind::Type(t)
                    }
                    (Kind::Type(t), Kind::Literal) => {
                        cast(right, i, &t);
                        Kind::Type(t)
                    }
                    (Kind::Type(a), Kind::Type(b)) => {
                        union_type(&a, &b).map_or(Kind::Unknown, Kind::Type)
                    }
                    _ => Kind::Unknown,
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// Casts the literals of column `i` of `e` (all literals, [`resolve`] found) to `ty`.
fn cast(e: &mut SetExpr, i: usize, ty: &str) {
    match e {
        SetExpr::SetOperation { left, right, .. } => {
            cast(left, i, ty);
            cast(right, i, ty);
        }
        SetExpr::Select(s) => {
            let Ok(data_type) = sqlparser::parser::Parser::new(&crate::sql::dialect::Postgres)
                .try_with_sql(ty)
                .and_then(|mut p| p.parse_data_type())
            else {
                return;
            };
            let Some(item) = s.projection.get_mut(i) else {
                return;
            };
            let cast = |e: &mut Expr| Expr::Cast {
                kind: CastKind::Cast,
                expr: Box::new(std::mem::replace(e, Expr::Value(Value::Null.into()))),
                data_type,
                format: None,
            };
            match item {
                // Unnamed, the column keeps the literal's name (`?column?`), not the type's.
                SelectItem::UnnamedExpr(e) => {
                    *item = SelectItem::ExprWithAlias {
                        expr: cast(e),
                        alias: sqlparser::ast::Ident::with_quote('"', "?column?"),
                    }
                }
                SelectItem::ExprWithAlias { expr, .. } => *expr = cast(expr),
                _ => {}
            }
        }
        _ => {}
    }
}

/// A type name without its modifier (`numeric(3,0)` → `numeric`; `varchar(3)[]` →
/// `varchar[]`): a literal takes the type, not the other side's modifier.
fn bare(t: &str) -> String {
    match (t.find('('), t.find(')')) {
        (Some(open), Some(close)) if open < close => format!("{}{}", &t[..open], &t[close + 1..]),
        _ => t.to_string(),
    }
}

/// A type known without the schema: a built-in type, or the common type of such
/// (a VALUES column), or the one candidate of a name.
pub(super) fn known(ty: &Ty) -> Option<String> {
    match ty {
        Ty::Named(t) => Some(t.clone()),
        Ty::First(v) if v.len() == 1 => known(&v[0]),
        Ty::Common(v) => {
            let mut types = v.iter().map(known);
            let first = types.next()??;
            types.try_fold(first, |acc, t| {
                let t = t?;
                if t == acc {
                    Some(acc)
                } else {
                    union_type(&acc, &t)
                }
            })
        }
        _ => None,
    }
}

/// The type UNION gives two different known types, where it is plain: one type with two
/// modifiers is the type without one; numbers are promoted. None otherwise.
pub(super) fn union_type(a: &str, b: &str) -> Option<String> {
    const NUMBERS: [&str; 6] = ["int2", "int4", "int8", "numeric", "float4", "float8"];
    let base = |t: &str| t.split('(').next().unwrap_or(t).trim().to_string();
    let (a, b) = (base(a), base(b));
    if a == b {
        return Some(a);
    }
    let rank = |t: &str| NUMBERS.iter().position(|n| *n == t);
    Some(NUMBERS[rank(&a)?.max(rank(&b)?)].to_string())
}

#[cfg(test)]
mod tests {
    use super::{bare, union_type};

    #[test]
    fn union_types_and_bare_names() {
        assert_eq!(
            union_type("int4", "numeric(10,0)").as_deref(),
            Some("numeric")
        );
        assert_eq!(
            union_type("numeric(3,0)", "numeric(10,0)").as_deref(),
            Some("numeric")
        );
        assert_eq!(union_type("int8", "int2").as_deref(), Some("int8"));
        assert_eq!(union_type("text", "int4"), None);
        assert_eq!(bare("varchar(3)[]"), "varchar[]");
        assert_eq!(bare("date"), "date");
    }
}
