//! CREATE ROLE / CREATE USER / DROP ROLE / DROP USER → internal batches for
//! engine/objects/roles.rs; GRANT and REVOKE are 0A000. litewire has no privilege
//! system: a role is kept as a name with its attributes (pg_roles), and a privilege
//! granted to it would be a promise no later statement could see kept (COMPAT.md,
//! "Roles").

use sqlparser::ast::{Expr, Ident, ObjectName, ObjectType, Statement, Value};

use super::objects::batch;
use super::unsupported;
use crate::protocol::PgError;

/// The batch of a role statement, None for any other statement.
pub(super) fn statement(stmt: &Statement) -> Result<Option<String>, PgError> {
    Ok(Some(match stmt {
        Statement::CreateRole {
            names,
            if_not_exists: false,
            login,
            inherit,
            bypassrls,
            password,
            superuser,
            create_db,
            create_role,
            replication,
            connection_limit,
            valid_until,
            in_role,
            in_group,
            role,
            user,
            admin,
            authorization_owner: None,
        } => {
            if password.is_some() {
                return Err(unsupported("CREATE ROLE … PASSWORD"));
            }
            if valid_until.is_some() {
                return Err(unsupported("CREATE ROLE … VALID UNTIL"));
            }
            if [in_role, in_group, role, user, admin]
                .iter()
                .any(|l| !l.is_empty())
            {
                return Err(unsupported("role membership"));
            }
            let limit = match connection_limit {
                None => -1,
                Some(e) => number(e).ok_or_else(|| unsupported("this CONNECTION LIMIT"))?,
            };
            let flag = |f: &Option<bool>, default: bool| i64::from(f.unwrap_or(default));
            let parts: Vec<String> = names
                .iter()
                .map(|n| {
                    format!(
                        "+main.roles SELECT litewire_create_role({}, {}, {}, {}, {}, {}, {}, \
                         {limit}, {})",
                        literal(&object(n)),
                        flag(superuser, false),
                        flag(inherit, true),
                        flag(create_role, false),
                        flag(create_db, false),
                        flag(login, false),
                        flag(replication, false),
                        flag(bypassrls, false),
                    )
                })
                .collect();
            batch(&parts)
        }
        // `CREATE USER name` is CREATE ROLE … LOGIN; the grammar reads its options in
        // another dialect's form, so only the bare statement is taken.
        Statement::CreateUser(u) => {
            if u.or_replace || u.if_not_exists || !u.options.options.is_empty() || u.with_tags {
                return Err(unsupported("CREATE USER with options"));
            }
            batch(&[format!(
                "+main.roles SELECT litewire_create_role({}, 0, 1, 0, 0, 1, 0, -1, 0)",
                literal(&ident(&u.name))
            )])
        }
        Statement::Drop {
            object_type: ObjectType::Role | ObjectType::User,
            if_exists,
            names,
            ..
        } => {
            let parts: Vec<String> = names
                .iter()
                .map(|n| {
                    format!(
                        "+main.roles SELECT litewire_drop_role({}, {})",
                        literal(&object(n)),
                        u8::from(*if_exists)
                    )
                })
                .collect();
            batch(&parts)
        }
        Statement::Grant { .. } => return Err(unsupported("GRANT (litewire has no privileges)")),
        Statement::Revoke { .. } => return Err(unsupported("REVOKE (litewire has no privileges)")),
        _ => return Ok(None),
    }))
}

/// A role's name as PostgreSQL folds it.
fn ident(i: &Ident) -> String {
    match i.quote_style {
        Some(_) => i.value.clone(),
        None => i.value.to_lowercase(),
    }
}

fn object(n: &ObjectName) -> String {
    n.0.last()
        .and_then(|p| p.as_ident())
        .map(ident)
        .unwrap_or_default()
}

fn number(e: &Expr) -> Option<i64> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        Expr::UnaryOp { op, expr } if op.to_string() == "-" => number(expr).map(|n| -n),
        _ => None,
    }
}

/// A SQL string literal.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translated(sql: &str) -> Result<Option<String>, PgError> {
        let stmt = crate::sql::parse::parse_one(sql, 100).unwrap();
        statement(&stmt)
    }

    #[test]
    fn roles_become_batches() {
        let b = translated("CREATE ROLE Regress_R NOLOGIN CREATEDB CONNECTION LIMIT 3")
            .unwrap()
            .unwrap();
        assert!(b.ends_with("litewire_create_role('regress_r', 0, 1, 0, 1, 0, 0, 3, 0)"));
        let b = translated("create user \"U\"").unwrap().unwrap();
        assert!(b.ends_with("litewire_create_role('U', 0, 1, 0, 0, 1, 0, -1, 0)"));
        let b = translated("DROP ROLE IF EXISTS a, b").unwrap().unwrap();
        assert!(b.contains("litewire_drop_role('a', 1)"));
        assert!(b.ends_with("litewire_drop_role('b', 1)"));
        assert!(translated("select 1").unwrap().is_none());
    }

    #[test]
    fn what_litewire_cannot_keep_is_refused() {
        for sql in [
            "GRANT SELECT ON t TO r",
            "REVOKE ALL ON t FROM r",
            "CREATE ROLE r PASSWORD 'x'",
            "CREATE ROLE r IN ROLE s",
        ] {
            assert_eq!(translated(sql).unwrap_err().code.0, "0A000", "{sql}");
        }
    }
}
