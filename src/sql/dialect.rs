//! The SQL dialect the parser reads: PostgreSQL's, with one fix (below).

use std::any::TypeId;

use sqlparser::ast::Expr;
use sqlparser::dialect::{Dialect, PostgreSqlDialect, Precedence};
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

/// PostgreSQL's dialect of sqlparser with one change: named function arguments are
/// `name => value` with an identifier name, as PostgreSQL has them. sqlparser's dialect
/// allows any expression as the name, so it parses every argument twice (as a name, then
/// as a value) and nested calls take time exponential in their depth: 20 levels of
/// `f(f(...))` took 5 seconds. Everything else is PostgreSqlDialect's (it answers to its
/// type, so the parser's dialect checks see PostgreSQL).
#[derive(Debug)]
pub struct Postgres;

impl Dialect for Postgres {
    fn dialect(&self) -> TypeId {
        TypeId::of::<PostgreSqlDialect>()
    }
    fn supports_named_fn_args_with_expr_name(&self) -> bool {
        false
    }
    fn identifier_quote_style(&self, _identifier: &str) -> Option<char> {
        PostgreSqlDialect {}.identifier_quote_style(_identifier)
    }
    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        PostgreSqlDialect {}.is_delimited_identifier_start(ch)
    }
    fn is_identifier_start(&self, ch: char) -> bool {
        PostgreSqlDialect {}.is_identifier_start(ch)
    }
    fn is_identifier_part(&self, ch: char) -> bool {
        PostgreSqlDialect {}.is_identifier_part(ch)
    }
    fn supports_unicode_string_literal(&self) -> bool {
        PostgreSqlDialect {}.supports_unicode_string_literal()
    }
    fn is_custom_operator_part(&self, ch: char) -> bool {
        PostgreSqlDialect {}.is_custom_operator_part(ch)
    }
    /// `VARIADIC arr` (a function's last argument), which the grammar lacks: read as
    /// `pg_variadic(arr)`, which translate/variadic.rs spreads into the call's
    /// arguments (or refuses where PostgreSQL does).
    fn parse_prefix(&self, parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
        if let Some(e) = substring_similar(self, parser) {
            return Some(e);
        }
        if let Some(e) = trim_from(parser) {
            return Some(e);
        }
        if let Some(e) = typed_literal(parser) {
            return Some(e);
        }
        if let Some(e) = interval_forms(parser) {
            return Some(e);
        }
        let variadic = matches!(&parser.peek_token().token,
            Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("variadic"));
        if !variadic {
            return None;
        }
        parser.next_token();
        Some(
            parser
                .parse_expr()
                .map(|e| mark(crate::sql::translate::VARIADIC_MARKER, vec![e])),
        )
    }
    /// `x USING <` / `x USING >` (an ORDER BY item), which the grammar lacks: read as
    /// `pg_order_using(x, '<')`, which translate/order.rs makes `x ASC` / `x DESC`.
    fn parse_infix(
        &self,
        parser: &mut Parser,
        expr: &Expr,
        _precedence: u8,
    ) -> Option<Result<Expr, ParserError>> {
        let op = order_using(parser)?;
        parser.next_token();
        parser.next_token();
        let op = Expr::value(sqlparser::ast::Value::SingleQuotedString(op.into()));
        Some(Ok(mark(
            crate::sql::translate::ORDER_USING_MARKER,
            vec![expr.clone(), op],
        )))
    }
    fn get_next_precedence(&self, parser: &Parser) -> Option<Result<u8, ParserError>> {
        // Below every operator: `a + b USING <` orders by a + b.
        if order_using(parser).is_some() {
            return Some(Ok(1));
        }
        PostgreSqlDialect {}.get_next_precedence(parser)
    }
    fn supports_filter_during_aggregation(&self) -> bool {
        PostgreSqlDialect {}.supports_filter_during_aggregation()
    }
    fn supports_group_by_expr(&self) -> bool {
        PostgreSqlDialect {}.supports_group_by_expr()
    }
    fn prec_value(&self, prec: Precedence) -> u8 {
        PostgreSqlDialect {}.prec_value(prec)
    }
    fn allow_extract_custom(&self) -> bool {
        PostgreSqlDialect {}.allow_extract_custom()
    }
    fn allow_extract_single_quotes(&self) -> bool {
        PostgreSqlDialect {}.allow_extract_single_quotes()
    }
    fn supports_create_index_with_clause(&self) -> bool {
        PostgreSqlDialect {}.supports_create_index_with_clause()
    }
    fn supports_explain_with_utility_options(&self) -> bool {
        PostgreSqlDialect {}.supports_explain_with_utility_options()
    }
    fn supports_listen_notify(&self) -> bool {
        PostgreSqlDialect {}.supports_listen_notify()
    }
    fn supports_factorial_operator(&self) -> bool {
        PostgreSqlDialect {}.supports_factorial_operator()
    }
    fn supports_comment_on(&self) -> bool {
        PostgreSqlDialect {}.supports_comment_on()
    }
    fn supports_load_extension(&self) -> bool {
        PostgreSqlDialect {}.supports_load_extension()
    }
    /// `make_interval(years := 2)`: PostgreSQL's older spelling of `=>`.
    fn supports_named_fn_args_with_assignment_operator(&self) -> bool {
        true
    }
    fn supports_named_fn_args_with_colon_operator(&self) -> bool {
        PostgreSqlDialect {}.supports_named_fn_args_with_colon_operator()
    }
    fn supports_empty_projections(&self) -> bool {
        PostgreSqlDialect {}.supports_empty_projections()
    }
    fn supports_nested_comments(&self) -> bool {
        PostgreSqlDialect {}.supports_nested_comments()
    }
    fn supports_string_escape_constant(&self) -> bool {
        PostgreSqlDialect {}.supports_string_escape_constant()
    }
    fn supports_numeric_literal_underscores(&self) -> bool {
        PostgreSqlDialect {}.supports_numeric_literal_underscores()
    }
    fn supports_array_typedef_with_brackets(&self) -> bool {
        PostgreSqlDialect {}.supports_array_typedef_with_brackets()
    }
    fn supports_geometric_types(&self) -> bool {
        PostgreSqlDialect {}.supports_geometric_types()
    }
    fn supports_set_names(&self) -> bool {
        PostgreSqlDialect {}.supports_set_names()
    }
    fn supports_alter_column_type_using(&self) -> bool {
        PostgreSqlDialect {}.supports_alter_column_type_using()
    }
    fn supports_notnull_operator(&self) -> bool {
        PostgreSqlDialect {}.supports_notnull_operator()
    }
    fn supports_interval_options(&self) -> bool {
        PostgreSqlDialect {}.supports_interval_options()
    }
    /// MERGE with PostgreSQL's clauses (`DO NOTHING`, `INSERT DEFAULT VALUES`): merge.rs.
    fn parse_statement(
        &self,
        parser: &mut Parser,
    ) -> Option<Result<sqlparser::ast::Statement, ParserError>> {
        super::merge::statement(parser)
    }
}

/// The operator of `USING <` or `USING >` next in `parser`'s input.
fn order_using(parser: &Parser) -> Option<&'static str> {
    let using = matches!(&parser.peek_token().token,
        Token::Word(w) if w.keyword == sqlparser::keywords::Keyword::USING);
    if !using {
        return None;
    }
    match parser.peek_nth_token(1).token {
        Token::Lt => Some("<"),
        Token::Gt => Some(">"),
        _ => None,
    }
}

/// `TRIM(BOTH FROM x)` (also LEADING, TRAILING, or none of them), trimming spaces: the
/// grammar wants the characters before FROM. The other forms are left to it.
fn trim_from(parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
    use sqlparser::ast::TrimWhereField;
    use sqlparser::keywords::Keyword;
    let [trim, open, side, from] = parser.peek_tokens::<4>();
    let keyword = |t: &Token| match t {
        Token::Word(w) => Some(w.keyword),
        _ => None,
    };
    if keyword(&trim) != Some(Keyword::TRIM) || open != Token::LParen {
        return None;
    }
    let (trim_where, skip) = match (keyword(&side), keyword(&from)) {
        (Some(Keyword::BOTH), Some(Keyword::FROM)) => (Some(TrimWhereField::Both), 4),
        (Some(Keyword::LEADING), Some(Keyword::FROM)) => (Some(TrimWhereField::Leading), 4),
        (Some(Keyword::TRAILING), Some(Keyword::FROM)) => (Some(TrimWhereField::Trailing), 4),
        (Some(Keyword::FROM), _) => (None, 3),
        _ => return None,
    };
    for _ in 0..skip {
        parser.next_token();
    }
    let read = |p: &mut Parser| -> Result<Expr, ParserError> {
        let expr = p.parse_expr()?;
        p.expect_token(&Token::RParen)?;
        Ok(Expr::Trim {
            expr: Box::new(expr),
            trim_where,
            trim_what: None,
            trim_characters: None,
        })
    };
    Some(read(parser))
}

/// `name 'x'`, `oid '5'` and the OID aliases' (a type name before a string is a typed
/// literal), which the grammar reads only for the types it knows. (Not `bpchar 'x '`:
/// its padding would be kept where PostgreSQL's text conversion drops it.)
fn typed_literal(parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
    const TYPES: [&str; 6] = [
        "name",
        "oid",
        "regclass",
        "regtype",
        "regnamespace",
        "regproc",
    ];
    let [word, literal] = parser.peek_tokens::<2>();
    let (Token::Word(w), Token::SingleQuotedString(value)) = (word, literal) else {
        return None;
    };
    if w.quote_style.is_some() || !TYPES.iter().any(|t| w.value.eq_ignore_ascii_case(t)) {
        return None;
    }
    parser.next_token();
    let span = parser.next_token().span;
    let name = sqlparser::ast::ObjectName::from(vec![sqlparser::ast::Ident::new(
        w.value.to_ascii_lowercase(),
    )]);
    Some(Ok(Expr::TypedString(sqlparser::ast::TypedString {
        data_type: sqlparser::ast::DataType::Custom(name, vec![]),
        value: sqlparser::ast::ValueWithSpan {
            value: sqlparser::ast::Value::SingleQuotedString(value),
            span,
        },
        uses_odbc_syntax: false,
    })))
}

/// The forms of the word `interval` sqlparser reads otherwise than PostgreSQL:
/// `interval(p) '…'` (a literal with a seconds precision, whose `(p)` sqlparser drops) is
/// read as `'…'::interval(p)`; `interval` followed by anything but a string or `(` is a
/// column named `interval` (PostgreSQL's grammar has it as a column name keyword).
fn interval_forms(parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
    use sqlparser::ast::{CastKind, DataType, Ident};
    use sqlparser::keywords::Keyword;
    let interval = matches!(&parser.peek_token().token,
        Token::Word(w) if w.keyword == Keyword::INTERVAL && w.quote_style.is_none());
    if !interval {
        return None;
    }
    match parser.peek_nth_token(1).token {
        Token::SingleQuotedString(_)
        | Token::EscapedStringLiteral(_)
        | Token::UnicodeStringLiteral(_)
        | Token::DollarQuotedString(_)
        | Token::NationalStringLiteral(_) => None,
        Token::LParen => {
            let read = |p: &mut Parser| -> Result<Expr, ParserError> {
                p.next_token();
                let precision = p.parse_optional_precision()?;
                let value = p.parse_value()?;
                Ok(Expr::Cast {
                    kind: CastKind::DoubleColon,
                    expr: Box::new(Expr::Value(value)),
                    data_type: DataType::Interval {
                        fields: None,
                        precision,
                    },
                    format: None,
                })
            };
            Some(read(parser))
        }
        _ => {
            parser.next_token();
            Some(Ok(Expr::Identifier(Ident::new("interval"))))
        }
    }
}

/// A call of `name(args)`: the marks of forms the grammar lacks.
fn mark(name: &str, args: Vec<Expr>) -> Expr {
    crate::sql::translate::call(name, args)
}

/// `SUBSTRING(x SIMILAR p ESCAPE e)`, which the grammar lacks: read as
/// `pg_substring_similar(x, p, e)` (engine: the part of x between p's `e"` separators).
/// Every SUBSTRING is read here, in one pass (a second reading after a failed first
/// would double the time per nested SUBSTRING): its other forms as the grammar reads them.
fn substring_similar(
    dialect: &dyn Dialect,
    parser: &mut Parser,
) -> Option<Result<Expr, ParserError>> {
    use sqlparser::keywords::Keyword;
    let substring = matches!(&parser.peek_token().token,
        Token::Word(w) if w.keyword == Keyword::SUBSTRING)
        && parser.peek_nth_token(1).token == Token::LParen;
    if !substring {
        return None;
    }
    // The first operand binds tighter than SIMILAR (LIKE's precedence).
    let like = dialect.prec_value(Precedence::Like);
    let read = |p: &mut Parser| -> Result<Expr, ParserError> {
        p.next_token();
        p.expect_token(&Token::LParen)?;
        let mut x = p.parse_subexpr(like)?;
        if p.parse_keyword(Keyword::SIMILAR) {
            let pattern = p.parse_subexpr(like)?;
            p.expect_keyword(Keyword::ESCAPE)?;
            let escape = p.parse_expr()?;
            p.expect_token(&Token::RParen)?;
            return Ok(mark("pg_substring_similar", vec![x, pattern, escape]));
        }
        // The rest of the first operand, then the grammar's FROM / FOR / commas.
        loop {
            let next = p.get_next_precedence()?;
            if next == 0 {
                break;
            }
            x = p.parse_infix(x, next)?;
        }
        let mut from = None;
        let special = p.consume_token(&Token::Comma);
        if special || p.parse_keyword(Keyword::FROM) {
            from = Some(Box::new(p.parse_expr()?));
        }
        let mut to = None;
        if p.parse_keyword(Keyword::FOR) || p.consume_token(&Token::Comma) {
            to = Some(Box::new(p.parse_expr()?));
        }
        p.expect_token(&Token::RParen)?;
        Ok(Expr::Substring {
            expr: Box::new(x),
            substring_from: from,
            substring_for: to,
            special,
            shorthand: false,
        })
    };
    Some(read(parser))
}
