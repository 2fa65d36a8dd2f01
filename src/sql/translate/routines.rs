//! SQL-language functions (`CREATE [OR REPLACE] FUNCTION … LANGUAGE sql`, `DROP
//! FUNCTION`) → internal batches for `engine/objects/routines.rs`. PostgreSQL inlines a
//! simple scalar SQL function into the query that calls it; litewire does only that: the
//! body must be one `SELECT expr` without FROM (or `RETURN expr`, or a `BEGIN ATOMIC`
//! holding one of them). It is translated here, once, into SQLite's text: each argument
//! (`$n` or its name) cast to its declared type and written `$n`, the whole cast to the
//! return type. The engine puts it in place of each call when a statement is prepared
//! (under STRICT: NULL when an argument is NULL). ALTER FUNCTION changes STRICT and the
//! volatility, or renames.
//!
//! CREATE FUNCTION is read by hand (the parser lacks SETOF, RETURNS TABLE, BEGIN ATOMIC,
//! a quoted LANGUAGE): the name and arguments by the parser, the clauses after them here.

use std::ops::ControlFlow;

use sqlparser::ast::{
    CastKind, DataType, Expr, FunctionDesc, ObjectName, SelectItem, SetExpr, Statement, Value,
    VisitMut, VisitorMut,
};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;

use super::objects::batch;
use super::{to_sqlite, unsupported, Settings};
use crate::protocol::{PgError, SqlState};
use crate::sql::parse::parse_one;

/// Settings for a body translated once for every later call: none (PostgreSQL reads
/// them when the function runs).
pub(super) struct NoSettings;

impl Settings for NoSettings {
    fn get(&self, _: &str) -> Option<String> {
        None
    }
    fn set(&mut self, _: &str, _: &str) -> Result<String, PgError> {
        Err(unsupported("set_config in a SQL function"))
    }
}

/// Whether `text` is a CREATE FUNCTION (read by hand: [`create`]).
pub(super) fn is_create(text: &str) -> bool {
    let words: Vec<String> = crate::sql::lexer::words(text)
        .take(4)
        .map(|w| w.to_ascii_lowercase())
        .collect();
    matches!(
        words.iter().map(String::as_str).collect::<Vec<_>>()[..],
        ["create", "function", ..] | ["create", "or", "replace", "function"]
    )
}

fn syntax(e: impl std::fmt::Display) -> PgError {
    PgError::new(SqlState::SYNTAX_ERROR, format!("syntax error: {e}"))
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The function's name: `f`, `public.f` (folded as PostgreSQL folds it).
fn function_name(name: &ObjectName) -> Result<String, PgError> {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| {
            p.as_ident().map(|i| match i.quote_style {
                Some(_) => i.value.clone(),
                None => i.value.to_lowercase(),
            })
        })
        .collect::<Option<_>>()
        .ok_or_else(|| syntax(name))?;
    match parts.as_slice() {
        [n] => Ok(n.clone()),
        [s, n] if s == "public" || s == "pg_temp" => Ok(n.clone()),
        [s, _] if super::schemas::is_user_schema(s) => Err(super::unsupported(format!(
            "a function in schema \"{s}\" (functions are public's)"
        ))),
        [s, _] => Err(PgError::new(
            SqlState::INVALID_SCHEMA_NAME,
            format!("schema \"{s}\" does not exist"),
        )),
        _ => Err(syntax(name)),
    }
}

/// A type as PostgreSQL's messages show it (`integer`, not `int4`).
pub(crate) fn shown_type(canonical: &str) -> String {
    let (base, array) = match canonical.strip_suffix("[]") {
        Some(b) => (b, "[]"),
        None => (canonical, ""),
    };
    let name = match base {
        "int4" => "integer",
        "int8" => "bigint",
        "int2" => "smallint",
        "float8" => "double precision",
        "float4" => "real",
        "bool" => "boolean",
        "varchar" => "character varying",
        "bpchar" => "character",
        "timestamptz" => "timestamp with time zone",
        "timestamp" => "timestamp without time zone",
        "timetz" => "time with time zone",
        "time" => "time without time zone",
        other => other,
    };
    format!("{name}{array}")
}

/// Types PostgreSQL resolves at each call (polymorphism): not inlinable by litewire.
fn polymorphic(t: &str) -> bool {
    t.starts_with("any") || t == "record" || t == "cstring" || t == "internal"
}

/// `CREATE [OR REPLACE] FUNCTION …` as an internal batch.
pub(super) fn create(text: &str) -> Result<String, PgError> {
    create_with(text, &mut NoSettings)
}

fn create_with(text: &str, settings: &mut dyn Settings) -> Result<String, PgError> {
    // The name and argument list, read by the parser from the text up to their `)`.
    let tokens: Vec<crate::sql::lexer::Token> = crate::sql::lexer::significant(text).collect();
    let open = tokens
        .iter()
        .position(|t| t.kind == crate::sql::lexer::TokenKind::Open)
        .ok_or_else(|| syntax("a function needs an argument list"))?;
    let mut depth = 0usize;
    let mut close = None;
    for t in &tokens[open..] {
        match t.kind {
            crate::sql::lexer::TokenKind::Open => depth += 1,
            crate::sql::lexer::TokenKind::Close => {
                depth -= 1;
                if depth == 0 {
                    close = Some(t.end);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close.ok_or_else(|| syntax("unterminated argument list"))?;
    let Statement::CreateFunction(head) = parse_one(&text[..close], 32)? else {
        return Err(syntax("CREATE FUNCTION"));
    };
    let name = function_name(&head.name)?;
    let args = head.args.clone().unwrap_or_default();
    let mut names = Vec::with_capacity(args.len());
    let mut types = Vec::with_capacity(args.len());
    for a in &args {
        if let Some(mode) = &a.mode {
            if !matches!(mode, sqlparser::ast::ArgMode::In) {
                return Err(unsupported(format!("a function argument of mode {mode}")));
            }
        }
        if a.default_expr.is_some() {
            return Err(unsupported("a function argument's default"));
        }
        names.push(a.name.as_ref().map(|n| match n.quote_style {
            Some(_) => n.value.clone(),
            None => n.value.to_lowercase(),
        }));
        types.push(a.data_type.clone());
    }

    // The clauses after the arguments, in any order.
    static DIALECT: crate::sql::dialect::Postgres = crate::sql::dialect::Postgres;
    let mut p = sqlparser::parser::Parser::new(&DIALECT)
        .with_recursion_limit(64)
        .try_with_sql(&text[close..])
        .map_err(syntax)?;
    let mut returns: Option<DataType> = None;
    let mut set_returning = false;
    let mut language: Option<String> = None;
    let mut strict = false;
    let mut volatility = "v";
    let mut body: Option<Body> = None;
    loop {
        if p.parse_keyword(Keyword::RETURNS) {
            if p.parse_keywords(&[Keyword::NULL, Keyword::ON, Keyword::NULL, Keyword::INPUT]) {
                strict = true;
            } else if p.parse_keyword(Keyword::TABLE) || word(&mut p, "setof") {
                set_returning = true;
                // The rest of the type is not needed: refused below.
                skip_type(&mut p);
            } else {
                returns = Some(p.parse_data_type().map_err(syntax)?);
            }
        } else if p.parse_keyword(Keyword::LANGUAGE) {
            let t = p.next_token();
            language = Some(match t.token {
                Token::Word(w) => w.value.to_lowercase(),
                Token::SingleQuotedString(s) => s.to_lowercase(),
                other => return Err(syntax(format!("at or near \"{other}\""))),
            });
        } else if p.parse_keyword(Keyword::IMMUTABLE) {
            volatility = "i";
        } else if p.parse_keyword(Keyword::STABLE) {
            volatility = "s";
        } else if p.parse_keyword(Keyword::VOLATILE) {
            volatility = "v";
        } else if p.parse_keyword(Keyword::STRICT) {
            strict = true;
        } else if p.parse_keywords(&[Keyword::CALLED, Keyword::ON, Keyword::NULL, Keyword::INPUT]) {
            strict = false;
        } else if word(&mut p, "leakproof")
            || (p.parse_keyword(Keyword::NOT) && word(&mut p, "leakproof"))
            || p.parse_keyword(Keyword::WINDOW)
        {
        } else if p.parse_keyword(Keyword::PARALLEL)
            || word(&mut p, "cost")
            || p.parse_keyword(Keyword::ROWS)
        {
            p.next_token();
        } else if p.parse_keyword(Keyword::SECURITY)
            || p.parse_keywords(&[Keyword::EXTERNAL, Keyword::SECURITY])
        {
            // INVOKER or DEFINER: litewire has one role.
            p.next_token();
        } else if p.parse_keyword(Keyword::AS) {
            let t = p.next_token();
            let source = match t.token {
                Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s) => s,
                Token::DollarQuotedString(d) => d.value,
                other => return Err(syntax(format!("at or near \"{other}\""))),
            };
            // `AS 'obj_file', 'link_symbol'` (C functions): refused with their language.
            if p.consume_token(&Token::Comma) {
                p.next_token();
            }
            body = Some(Body::Text(source));
        } else if p.parse_keyword(Keyword::RETURN) {
            body = Some(Body::Expr(Box::new(p.parse_expr().map_err(syntax)?)));
        } else if p.parse_keywords(&[Keyword::BEGIN, Keyword::ATOMIC]) {
            let mut statements = Vec::new();
            loop {
                while p.consume_token(&Token::SemiColon) {}
                if p.parse_keyword(Keyword::END) {
                    break;
                }
                if p.parse_keyword(Keyword::RETURN) {
                    statements.push(Body::Expr(Box::new(p.parse_expr().map_err(syntax)?)));
                } else {
                    statements.push(Body::Statement(Box::new(
                        p.parse_statement().map_err(syntax)?,
                    )));
                }
            }
            body = Some(Body::Atomic(statements));
        } else if p.parse_keyword(Keyword::SET) || p.parse_keyword(Keyword::SUPPORT) {
            return Err(unsupported("CREATE FUNCTION … SET or SUPPORT"));
        } else {
            while p.consume_token(&Token::SemiColon) {}
            let t = p.next_token();
            if t.token == Token::EOF {
                break;
            }
            return Err(syntax(format!("at or near \"{t}\"")));
        }
    }
    let language = match (&language, &body) {
        (Some(l), _) => l.clone(),
        (None, Some(Body::Expr(_) | Body::Atomic(_))) => "sql".into(),
        (None, _) => {
            return Err(PgError::new(
                SqlState::INVALID_FUNCTION_DEFINITION,
                "no language specified",
            ))
        }
    };
    if language != "sql" {
        return Err(unsupported(format!("LANGUAGE {language}")));
    }
    if set_returning {
        return Err(unsupported(
            "a set-returning function (RETURNS SETOF or TABLE)",
        ));
    }
    let Some(returns) = returns else {
        return Err(PgError::new(
            SqlState::INVALID_FUNCTION_DEFINITION,
            "function result type must be specified",
        ));
    };
    let Some(body) = body else {
        return Err(PgError::new(
            SqlState::INVALID_FUNCTION_DEFINITION,
            "no function body specified",
        ));
    };
    let rettype = crate::sql::types::type_name(&returns);
    let argtypes: Vec<String> = types.iter().map(crate::sql::types::type_name).collect();
    if let Some(t) = argtypes
        .iter()
        .chain(std::iter::once(&rettype))
        .find(|t| polymorphic(t))
    {
        return Err(unsupported(format!("a SQL function of type {t}")));
    }
    if rettype == "void" || rettype == "trigger" {
        return Err(unsupported(format!("a function returning {rettype}")));
    }
    // pg_proc.prosrc: the body as written in AS '…' (empty for RETURN and BEGIN ATOMIC).
    let prosrc = match &body {
        Body::Text(t) => t.clone(),
        _ => String::new(),
    };
    // The definition as written, for pg_dump (pg_get_function_arguments, …_sqlbody):
    // the arguments' names, and a RETURN or BEGIN ATOMIC body.
    let argnames: Vec<&str> = names.iter().map(|n| n.as_deref().unwrap_or("")).collect();
    let definition = body.definition();
    let expr = body.expression()?;
    let inlined = inlined(expr, &names, &types, returns, settings)?;
    Ok(batch(&[format!(
        "+main.functions SELECT litewire_create_function({}, {}, {}, {}, {}, {}, {}, {}, {}, \
         {}, {})",
        quote(&name),
        args.len(),
        quote(&argtypes.join(";")),
        quote(&rettype),
        quote(&inlined),
        u8::from(head.or_replace),
        u8::from(strict),
        quote(volatility),
        quote(&prosrc),
        quote(&argnames.join(";")),
        quote(&definition),
    )]))
}

/// Takes the next token if it is the word `w` (not one of sqlparser's keywords).
fn word(p: &mut sqlparser::parser::Parser<'_>, w: &str) -> bool {
    let found = matches!(&p.peek_token().token, Token::Word(t) if t.value.eq_ignore_ascii_case(w));
    if found {
        p.next_token();
    }
    found
}

/// Skips a type after SETOF / TABLE (refused anyway).
fn skip_type(p: &mut sqlparser::parser::Parser<'_>) {
    let mut depth = 0i32;
    loop {
        match p.peek_token().token {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            Token::EOF => return,
            Token::Word(ref w) if depth == 0 && w.keyword != Keyword::NoKeyword => {
                if matches!(
                    w.keyword,
                    Keyword::LANGUAGE
                        | Keyword::AS
                        | Keyword::IMMUTABLE
                        | Keyword::STABLE
                        | Keyword::VOLATILE
                        | Keyword::STRICT
                        | Keyword::RETURN
                        | Keyword::BEGIN
                ) {
                    return;
                }
            }
            _ => {}
        }
        p.next_token();
    }
}

/// A function body as written.
enum Body {
    /// `AS '…'`: statements in a string.
    Text(String),
    /// `RETURN expr`.
    Expr(Box<Expr>),
    /// One statement of a `BEGIN ATOMIC … END`.
    Statement(Box<Statement>),
    Atomic(Vec<Body>),
}

impl Body {
    /// A SQL-standard body as PostgreSQL's pg_get_function_sqlbody gives it back to be
    /// written after the function's header (`RETURN …`, `BEGIN ATOMIC … END`); empty for
    /// a body in a string (pg_proc.prosrc has it).
    fn definition(&self) -> String {
        match self {
            Body::Text(_) => String::new(),
            Body::Expr(e) => format!("RETURN {e}"),
            Body::Statement(s) => s.to_string(),
            Body::Atomic(parts) => {
                let parts: Vec<String> = parts
                    .iter()
                    .map(|p| format!(" {};", p.definition()))
                    .collect();
                format!("BEGIN ATOMIC\n{}\nEND", parts.join("\n"))
            }
        }
    }
}

fn not_inlinable() -> PgError {
    unsupported("a SQL function whose body is not one SELECT of an expression without FROM")
}

impl Body {
    /// The one expression the function returns.
    fn expression(self) -> Result<Expr, PgError> {
        match self {
            Body::Expr(e) => Ok(*e),
            Body::Text(text) => {
                let mut statements = crate::sql::parse::parse(&text, 256)?;
                if statements.len() != 1 {
                    return Err(not_inlinable());
                }
                Body::Statement(Box::new(statements.remove(0))).expression()
            }
            Body::Atomic(mut all) => {
                if all.len() != 1 {
                    return Err(not_inlinable());
                }
                all.remove(0).expression()
            }
            Body::Statement(s) if matches!(*s, Statement::Query(_)) => {
                let Statement::Query(q) = *s else {
                    return Err(not_inlinable());
                };
                let q = *q;
                if q.with.is_some()
                    || q.order_by.is_some()
                    || q.limit_clause.is_some()
                    || q.fetch.is_some()
                {
                    return Err(not_inlinable());
                }
                let SetExpr::Select(s) = *q.body else {
                    return Err(not_inlinable());
                };
                let plain = s.from.is_empty()
                    && s.selection.is_none()
                    && s.having.is_none()
                    && s.distinct.is_none()
                    && matches!(&s.group_by, sqlparser::ast::GroupByExpr::Expressions(e, _) if e.is_empty())
                    && s.named_window.is_empty()
                    && s.projection.len() == 1;
                if !plain {
                    return Err(not_inlinable());
                }
                match s.projection.into_iter().next() {
                    Some(
                        SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. },
                    ) => Ok(e),
                    _ => Err(not_inlinable()),
                }
            }
            Body::Statement(_) => Err(not_inlinable()),
        }
    }
}

/// Arguments in the body: `$n` and names → `$n` cast to the argument's type.
struct Arguments<'a> {
    names: &'a [Option<String>],
    types: &'a [DataType],
    error: Option<PgError>,
}

impl Arguments<'_> {
    fn argument(&self, n: usize) -> Expr {
        Expr::Nested(Box::new(Expr::Cast {
            kind: CastKind::DoubleColon,
            expr: Box::new(Expr::Value(Value::Placeholder(format!("${n}")).into())),
            data_type: self.types[n - 1].clone(),
            format: None,
        }))
    }
}

impl VisitorMut for Arguments<'_> {
    type Break = ();

    fn post_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<()> {
        let n = match e {
            Expr::Value(v) => match &v.value {
                Value::Placeholder(p) => match p.strip_prefix('$').and_then(|d| d.parse().ok()) {
                    Some(n) if n >= 1 && n <= self.types.len() => n,
                    _ => {
                        self.error = Some(PgError::new(
                            SqlState::UNDEFINED_PARAMETER_REF,
                            format!("there is no parameter {p}"),
                        ));
                        return ControlFlow::Break(());
                    }
                },
                _ => return ControlFlow::Continue(()),
            },
            Expr::Identifier(i) => {
                let name = match i.quote_style {
                    Some(_) => i.value.clone(),
                    None => i.value.to_lowercase(),
                };
                match self.names.iter().position(|a| a.as_deref() == Some(&name)) {
                    Some(k) => k + 1,
                    None => {
                        self.error = Some(PgError::new(
                            SqlState::UNDEFINED_COLUMN,
                            format!("column \"{name}\" does not exist"),
                        ));
                        return ControlFlow::Break(());
                    }
                }
            }
            _ => return ControlFlow::Continue(()),
        };
        *e = self.argument(n);
        ControlFlow::Continue(())
    }
}

/// The body's SQLite text, as the engine puts it in place of a call.
fn inlined(
    mut expr: Expr,
    names: &[Option<String>],
    types: &[DataType],
    returns: DataType,
    settings: &mut dyn Settings,
) -> Result<String, PgError> {
    let mut args = Arguments {
        names,
        types,
        error: None,
    };
    if expr.visit(&mut args).is_break() {
        return Err(args.error.unwrap_or_else(not_inlinable));
    }
    let expr = Expr::Cast {
        kind: CastKind::DoubleColon,
        expr: Box::new(Expr::Nested(Box::new(expr))),
        data_type: returns,
        format: None,
    };
    let Statement::Query(mut q) = parse_one("SELECT 0", 8)? else {
        return Err(not_inlinable());
    };
    if let SetExpr::Select(s) = q.body.as_mut() {
        s.projection = vec![SelectItem::UnnamedExpr(expr)];
    }
    let sqlite = to_sqlite(Statement::Query(q), settings)?;
    sqlite
        .strip_prefix("SELECT ")
        .map(String::from)
        .ok_or_else(not_inlinable)
}

/// Whether `text` is an ALTER FUNCTION (read by hand: [`alter`]).
pub(super) fn is_alter(text: &str) -> bool {
    let mut w = crate::sql::lexer::words(text);
    w.next().is_some_and(|x| x.eq_ignore_ascii_case("alter"))
        && w.next().is_some_and(|x| x.eq_ignore_ascii_case("function"))
}

/// `ALTER FUNCTION f[(types)] action…`: STRICT / CALLED ON NULL INPUT / RETURNS NULL ON
/// NULL INPUT, IMMUTABLE / STABLE / VOLATILE, RENAME TO; planner hints accepted.
pub(super) fn alter(text: &str) -> Result<String, PgError> {
    static DIALECT: crate::sql::dialect::Postgres = crate::sql::dialect::Postgres;
    let mut p = sqlparser::parser::Parser::new(&DIALECT)
        .with_recursion_limit(32)
        .try_with_sql(text)
        .map_err(syntax)?;
    let _ = p.parse_keywords(&[Keyword::ALTER, Keyword::FUNCTION]);
    let name = function_name(&p.parse_object_name(false).map_err(syntax)?)?;
    let mut types: Option<Vec<String>> = None;
    if p.consume_token(&Token::LParen) {
        let mut list = Vec::new();
        while !p.consume_token(&Token::RParen) {
            // `x int` or `int`: a name is followed by a type.
            let first = p.parse_data_type().map_err(syntax)?;
            let t = if matches!(p.peek_token().token, Token::Comma | Token::RParen) {
                first
            } else {
                p.parse_data_type().map_err(syntax)?
            };
            list.push(crate::sql::types::type_name(&t));
            let _ = p.consume_token(&Token::Comma);
        }
        types = Some(list);
    }
    let (mut strict, mut volatility, mut rename) = ("NULL", "NULL".to_string(), "NULL".to_string());
    // OWNER TO: litewire's one role owns every object (pg_dump writes it after CREATE).
    let mut owner: Option<String> = None;
    loop {
        if p.parse_keyword(Keyword::STRICT)
            || p.parse_keywords(&[
                Keyword::RETURNS,
                Keyword::NULL,
                Keyword::ON,
                Keyword::NULL,
                Keyword::INPUT,
            ])
        {
            strict = "1";
        } else if p.parse_keywords(&[Keyword::CALLED, Keyword::ON, Keyword::NULL, Keyword::INPUT]) {
            strict = "0";
        } else if p.parse_keyword(Keyword::IMMUTABLE) {
            volatility = quote("i");
        } else if p.parse_keyword(Keyword::STABLE) {
            volatility = quote("s");
        } else if p.parse_keyword(Keyword::VOLATILE) {
            volatility = quote("v");
        } else if p.parse_keywords(&[Keyword::RENAME, Keyword::TO]) {
            let to = p.parse_identifier().map_err(syntax)?;
            rename = quote(&match to.quote_style {
                Some(_) => to.value,
                None => to.value.to_lowercase(),
            });
        } else if p.parse_keywords(&[Keyword::OWNER, Keyword::TO]) {
            let role = p.parse_identifier().map_err(syntax)?;
            owner = Some(
                match (role.quote_style, role.value.to_lowercase().as_str()) {
                    (None, "current_user" | "session_user" | "current_role") => {
                        "current_user()".to_string()
                    }
                    (Some(_), _) => quote(&role.value),
                    (None, v) => quote(v),
                },
            );
        } else if word(&mut p, "leakproof")
            || p.parse_keyword(Keyword::RESTRICT)
            || (p.parse_keyword(Keyword::NOT) && word(&mut p, "leakproof"))
        {
        } else if p.parse_keyword(Keyword::PARALLEL)
            || word(&mut p, "cost")
            || p.parse_keyword(Keyword::ROWS)
            || p.parse_keyword(Keyword::SECURITY)
        {
            p.next_token();
        } else {
            while p.consume_token(&Token::SemiColon) {}
            let t = p.next_token();
            if t.token == Token::EOF {
                break;
            }
            return Err(unsupported(format!("ALTER FUNCTION … {t}")));
        }
    }
    let (nargs, types) = match types {
        None => (-1i64, "NULL".to_string()),
        Some(t) => (t.len() as i64, quote(&t.join(";"))),
    };
    let mut parts = vec![format!(
        "SELECT litewire_alter_function({}, {nargs}, {types}, {strict}, {volatility}, {rename})",
        quote(&name)
    )];
    parts.extend(owner.map(|role| format!("SELECT litewire_owner_is_user({role})")));
    Ok(batch(&parts))
}

/// `DROP FUNCTION [IF EXISTS] f[(types)], … [CASCADE]` as an internal batch.
pub(super) fn drop(
    descs: &[FunctionDesc],
    if_exists: bool,
    cascade: bool,
) -> Result<String, PgError> {
    let parts = descs
        .iter()
        .map(|d| {
            let name = function_name(&d.name)?;
            let (nargs, types) = match &d.args {
                None => (-1i64, "NULL".to_string()),
                Some(args) => (
                    args.len() as i64,
                    quote(
                        &args
                            .iter()
                            .map(|a| crate::sql::types::type_name(&a.data_type))
                            .collect::<Vec<_>>()
                            .join(";"),
                    ),
                ),
            };
            Ok(format!(
                "SELECT litewire_drop_function({}, {nargs}, {types}, {}, {})",
                quote(&name),
                u8::from(if_exists),
                u8::from(cascade)
            ))
        })
        .collect::<Result<Vec<_>, PgError>>()?;
    Ok(batch(&parts))
}

#[cfg(test)]
#[path = "routines_tests.rs"]
mod tests;
