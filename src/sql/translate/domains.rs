//! CREATE DOMAIN / DROP DOMAIN, read by hand (sqlparser takes no `NOT NULL` in a domain)
//! into internal batches of the engine's domain functions (engine/objects/domains.rs).
//! Each CHECK is translated once, here, into a SQLite query over the value bound as its
//! one parameter; the engine runs it where a value of the domain is made (the record
//! functions' columns).

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;

use super::objects::batch;
use super::{unsupported, Settings};
use crate::protocol::{PgError, SqlState};

/// A definition is translated outside any session.
struct NoSettings;

impl Settings for NoSettings {
    fn get(&self, _: &str) -> Option<String> {
        None
    }
    fn set(&mut self, name: &str, _: &str) -> Result<String, PgError> {
        Err(unsupported(format!("set_config('{name}') in a domain")))
    }
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn syntax_at(token: &Token) -> PgError {
    PgError::new(
        SqlState::SYNTAX_ERROR,
        format!("syntax error at or near \"{token}\""),
    )
}

fn parser(text: &str) -> Result<sqlparser::parser::Parser<'static>, PgError> {
    static DIALECT: crate::sql::dialect::Postgres = crate::sql::dialect::Postgres;
    sqlparser::parser::Parser::new(&DIALECT)
        .with_recursion_limit(64)
        .try_with_sql(text)
        .map_err(|e| PgError::new(SqlState::SYNTAX_ERROR, format!("syntax error: {e}")))
}

/// The SQLite query of CHECK (`expr`): one row, the check's value for the value bound
/// as parameter 1 (PostgreSQL's `VALUE`).
fn check_query(expr: &sqlparser::ast::Expr, base: &str) -> Result<String, PgError> {
    use sqlparser::ast::{AccessExpr, Expr};
    let mut expr = expr.clone();
    // `(VALUE).x` of a composite base type: its field, read from the record's text.
    let _ = sqlparser::ast::visit_expressions_mut(&mut expr, |e| {
        if let Expr::CompoundFieldAccess { root, access_chain } = e {
            let mut r = &**root;
            while let Expr::Nested(inner) = r {
                r = inner;
            }
            if let (Expr::Identifier(v), [AccessExpr::Dot(Expr::Identifier(field))]) =
                (r, access_chain.as_slice())
            {
                if v.quote_style.is_none() && v.value.eq_ignore_ascii_case("value") {
                    let field = match field.quote_style {
                        Some(_) => field.value.clone(),
                        None => field.value.to_lowercase(),
                    };
                    *e = super::call(
                        "pg_record_field",
                        vec![
                            Expr::Identifier(v.clone()),
                            super::string(base),
                            super::string(&field),
                        ],
                    );
                }
            }
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    let pg = format!("SELECT ({expr}) FROM (SELECT $1 AS value) AS _domain");
    let stmt = crate::sql::parse::parse_one(&pg, 64)?;
    super::to_sqlite(stmt, &mut NoSettings)
}

/// `CREATE DOMAIN name [AS] type [COLLATE c] [DEFAULT e] [[CONSTRAINT n] NOT NULL | NULL
/// | CHECK (e)]…`.
pub fn create(text: &str) -> Result<String, PgError> {
    let mut p = parser(text)?;
    let _ = p.parse_keywords(&[Keyword::CREATE, Keyword::DOMAIN]);
    let name = super::enums::type_name(&p.parse_object_name(false).map_err(syntax)?)?;
    let _ = p.parse_keyword(Keyword::AS);
    let data_type = p.parse_data_type().map_err(syntax)?;
    let base = super::casts::type_name(&data_type);
    let mut not_null = false;
    let mut checks: Vec<(String, String)> = Vec::new();
    let mut unnamed = 0;
    loop {
        let _ = p.consume_token(&Token::SemiColon);
        if p.peek_token().token == Token::EOF {
            break;
        }
        let constraint = if p.parse_keyword(Keyword::CONSTRAINT) {
            Some(p.parse_identifier().map_err(syntax)?.value)
        } else {
            None
        };
        if p.parse_keyword(Keyword::COLLATE) {
            return Err(unsupported("COLLATE in a domain"));
        } else if p.parse_keyword(Keyword::DEFAULT) {
            // A default fills a column; a domain is no column's type in litewire.
            p.parse_expr().map_err(syntax)?;
        } else if p.parse_keywords(&[Keyword::NOT, Keyword::NULL]) {
            not_null = true;
        } else if p.parse_keyword(Keyword::NULL) {
        } else if p.parse_keyword(Keyword::CHECK) {
            p.expect_token(&Token::LParen).map_err(syntax)?;
            let expr = p.parse_expr().map_err(syntax)?;
            p.expect_token(&Token::RParen).map_err(syntax)?;
            let cname = constraint.unwrap_or_else(|| {
                let n = if unnamed == 0 {
                    format!("{name}_check")
                } else {
                    format!("{name}_check{unnamed}")
                };
                unnamed += 1;
                n
            });
            checks.push((cname, check_query(&expr, &base)?));
        } else {
            return Err(syntax_at(&p.peek_token().token));
        }
    }
    let mut args = vec![quote(&name), quote(&base), u8::from(not_null).to_string()];
    for (n, sql) in &checks {
        args.push(quote(n));
        args.push(quote(sql));
    }
    Ok(batch(&[format!(
        "+main.domains SELECT litewire_create_domain({})",
        args.join(", ")
    )]))
}

/// `DROP DOMAIN [IF EXISTS] name, … [CASCADE | RESTRICT]`.
pub fn drop(text: &str) -> Result<String, PgError> {
    let mut p = parser(text)?;
    let _ = p.parse_keywords(&[Keyword::DROP, Keyword::DOMAIN]);
    let if_exists = p.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
    let mut parts = Vec::new();
    loop {
        let name = super::enums::type_name(&p.parse_object_name(false).map_err(syntax)?)?;
        parts.push(name);
        if !p.consume_token(&Token::Comma) {
            break;
        }
    }
    // CASCADE drops nothing more: a domain something uses is refused (0A000) instead.
    let cascade = p.parse_keyword(Keyword::CASCADE);
    if !cascade {
        let _ = p.parse_keyword(Keyword::RESTRICT);
    }
    let _ = p.consume_token(&Token::SemiColon);
    if p.peek_token().token != Token::EOF {
        return Err(syntax_at(&p.peek_token().token));
    }
    let parts: Vec<String> = parts
        .iter()
        .map(|name| {
            format!(
                "SELECT litewire_drop_domain({}, {}, {})",
                quote(name),
                u8::from(if_exists),
                u8::from(cascade)
            )
        })
        .collect();
    Ok(batch(&parts))
}

fn syntax(e: sqlparser::parser::ParserError) -> PgError {
    PgError::new(SqlState::SYNTAX_ERROR, format!("syntax error: {e}"))
}
