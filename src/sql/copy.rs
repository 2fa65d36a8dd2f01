//! Parses a `COPY` statement: what is copied (a table and columns, or a query), which
//! way, to or from where, and its options — both the `WITH (option value, ...)` list and
//! the older `DELIMITER 'x' NULL 'y' CSV HEADER` spellings psql and old clients send.

use super::lexer::{fold_ident, significant, TokenKind};
use crate::protocol::{PgError, SqlState};

/// What a COPY reads or writes on the database side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopySource {
    /// A table (its name as PostgreSQL folds it) and the columns listed, if any.
    Table { name: String, columns: Vec<String> },
    /// `COPY (query) TO ...`: the query's text.
    Query(String),
}

/// The client side of a COPY.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// `STDIN` / `STDOUT`: the data travels over the connection.
    Client,
    /// A server-side file: refused.
    File,
    /// `PROGRAM 'cmd'`: refused.
    Program,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CopyFormatKind {
    #[default]
    Text,
    Csv,
    Binary,
}

/// The options of a COPY, as given (defaults are applied by the engine).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CopyOptions {
    pub format: CopyFormatKind,
    pub delimiter: Option<String>,
    pub null: Option<String>,
    pub header: bool,
    pub quote: Option<String>,
    pub escape: Option<String>,
    /// CSV output: columns whose values are always quoted.
    pub force_quote: Option<ForceQuote>,
    /// CSV input: columns whose unquoted null string is the string, not NULL.
    pub force_not_null: Vec<String>,
    /// CSV input: columns whose quoted null string is NULL too.
    pub force_null: Vec<String>,
    /// `FREEZE`: only into a table created or truncated in the current subtransaction.
    pub freeze: bool,
}

/// `FORCE_QUOTE *` or `FORCE_QUOTE (a, b)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForceQuote {
    All,
    Columns(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyStmt {
    pub source: CopySource,
    /// `FROM` (data comes in) rather than `TO`.
    pub from: bool,
    pub endpoint: Endpoint,
    pub options: CopyOptions,
}

fn unsupported(what: &str) -> PgError {
    PgError::new(
        SqlState::FEATURE_NOT_SUPPORTED,
        format!("{what} is not supported by litewire"),
    )
}

/// A reading position over a COPY statement's significant tokens.
struct Reader<'a> {
    sql: &'a str,
    toks: Vec<(TokenKind, usize, usize)>,
    at: usize,
}

impl<'a> Reader<'a> {
    fn text(&self, i: usize) -> &'a str {
        self.toks.get(i).map_or("", |t| &self.sql[t.1..t.2])
    }
    fn kind(&self, i: usize) -> Option<TokenKind> {
        self.toks.get(i).map(|t| t.0)
    }
    fn peek(&self) -> &'a str {
        self.text(self.at)
    }
    fn is(&self, word: &str) -> bool {
        self.kind(self.at) == Some(TokenKind::Word) && self.peek().eq_ignore_ascii_case(word)
    }
    fn eat(&mut self, word: &str) -> bool {
        let yes = self.is(word);
        if yes {
            self.at += 1;
        }
        yes
    }
    fn done(&self) -> bool {
        self.at >= self.toks.len()
    }
    /// An identifier: unquoted words fold to lower case, quoted ones keep theirs.
    fn ident(&mut self) -> Result<String, PgError> {
        let t = self.peek();
        let name = match self.kind(self.at) {
            Some(TokenKind::Word) => fold_ident(t),
            Some(TokenKind::Quoted) if t.starts_with('"') => fold_ident(t),
            _ => return Err(PgError::syntax_near(t)),
        };
        self.at += 1;
        Ok(name)
    }
    /// An option value: a string (`'x'`, `E'\t'`), a word or a number.
    fn value(&mut self) -> Result<String, PgError> {
        let t = self.peek();
        if self.kind(self.at) == Some(TokenKind::Word)
            && t.eq_ignore_ascii_case("e")
            && self.kind(self.at + 1) == Some(TokenKind::Quoted)
            && self.toks[self.at].2 == self.toks[self.at + 1].1
        {
            let s = self.text(self.at + 1);
            self.at += 2;
            return Ok(escape_string(&unquote(s)));
        }
        match self.kind(self.at) {
            Some(TokenKind::Quoted) if t.starts_with('\'') => {
                // The lexer ends a string at its first quote: `'I''m'` is two tokens
                // back to back, one string.
                let start = self.toks[self.at].1;
                let mut end = self.toks[self.at].2;
                self.at += 1;
                while self.kind(self.at) == Some(TokenKind::Quoted)
                    && self.toks[self.at].1 == end
                    && self.peek().starts_with('\'')
                {
                    end = self.toks[self.at].2;
                    self.at += 1;
                }
                Ok(unquote(&self.sql[start..end]))
            }
            Some(TokenKind::Word) => {
                self.at += 1;
                Ok(t.to_ascii_lowercase())
            }
            _ => Err(PgError::syntax_near(t)),
        }
    }
}

impl Reader<'_> {
    /// `(a, b, ...)` after its `(`... or, in the legacy spelling, `a, b` with no parentheses.
    fn columns(&mut self, parenthesized: bool) -> Result<Vec<String>, PgError> {
        let mut names = Vec::new();
        loop {
            names.push(self.ident()?);
            if self.peek() == "," {
                self.at += 1;
                continue;
            }
            if parenthesized {
                if self.peek() != ")" {
                    return Err(PgError::syntax_near(self.peek()));
                }
                self.at += 1;
            }
            return Ok(names);
        }
    }
}

fn unquote(s: &str) -> String {
    let inner = s.strip_prefix('\'').unwrap_or(s);
    inner.strip_suffix('\'').unwrap_or(inner).replace("''", "'")
}

/// The backslash escapes of an `E'...'` string.
fn escape_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn boolean(v: &str) -> Option<bool> {
    match v {
        "true" | "on" | "1" | "yes" => Some(true),
        "false" | "off" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// Parses one `COPY` statement.
pub fn parse(sql: &str) -> Result<CopyStmt, PgError> {
    let mut t = Reader {
        sql,
        toks: significant(sql)
            .filter(|t| t.kind != TokenKind::Semi)
            .map(|t| (t.kind, t.start, t.end))
            .collect(),
        at: 0,
    };
    t.eat("copy");
    let mut options = CopyOptions::default();
    if t.eat("binary") {
        options.format = CopyFormatKind::Binary;
    }
    let source = if t.kind(t.at) == Some(TokenKind::Open) {
        let open = t.at;
        let mut depth = 0;
        let mut close = None;
        for i in open..t.toks.len() {
            match t.kind(i) {
                Some(TokenKind::Open) => depth += 1,
                Some(TokenKind::Close) => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let close = close.ok_or_else(|| PgError::syntax_near(""))?;
        let query = sql[t.toks[open].2..t.toks[close].1].trim().to_string();
        t.at = close + 1;
        CopySource::Query(query)
    } else {
        let mut parts = vec![t.ident()?];
        while t.peek() == "." {
            t.at += 1;
            parts.push(t.ident()?);
        }
        // `public.t` is `t`; a user schema's `s.t` is the relation `s.t`
        // (translate/schemas.rs).
        let name = match parts.as_slice() {
            [schema, table] if crate::sql::translate::schemas::is_user_schema(schema) => {
                crate::sql::translate::schemas::joined(schema, table)
            }
            [.., table] => table.clone(),
            [] => return Err(PgError::syntax_near(t.peek())),
        };
        let mut columns = Vec::new();
        if t.kind(t.at) == Some(TokenKind::Open) {
            t.at += 1;
            loop {
                columns.push(t.ident()?);
                match t.peek() {
                    "," => t.at += 1,
                    ")" => {
                        t.at += 1;
                        break;
                    }
                    other => return Err(PgError::syntax_near(other)),
                }
            }
        }
        CopySource::Table { name, columns }
    };
    let from = if t.eat("from") {
        true
    } else if t.eat("to") {
        false
    } else {
        return Err(PgError::syntax_near(t.peek()));
    };
    let endpoint = if t.eat("stdin") || t.eat("stdout") {
        Endpoint::Client
    } else if t.eat("program") {
        t.value()?;
        Endpoint::Program
    } else if t.kind(t.at) == Some(TokenKind::Quoted) && t.peek().starts_with('\'') {
        t.at += 1;
        Endpoint::File
    } else {
        return Err(PgError::syntax_near(t.peek()));
    };
    if from && matches!(source, CopySource::Query(_)) {
        return Err(PgError::syntax_near("from"));
    }
    t.eat("with");
    if t.kind(t.at) == Some(TokenKind::Open) {
        t.at += 1;
        generic_options(&mut t, &mut options)?;
    } else {
        legacy_options(&mut t, &mut options)?;
    }
    if t.is("where") {
        return Err(unsupported("COPY FROM ... WHERE"));
    }
    if !t.done() {
        return Err(PgError::syntax_near(t.peek()));
    }
    Ok(CopyStmt {
        source,
        from,
        endpoint,
        options,
    })
}

/// `(format csv, header true, delimiter ',', freeze on, ...)` after its `(`.
fn generic_options(t: &mut Reader<'_>, o: &mut CopyOptions) -> Result<(), PgError> {
    let mut seen = Vec::new();
    loop {
        let name = t.ident()?;
        once(&mut seen, &name)?;
        if matches!(
            name.as_str(),
            "force_quote" | "force_not_null" | "force_null"
        ) {
            let columns = if name == "force_quote" && t.peek() == "*" {
                t.at += 1;
                None
            } else if t.kind(t.at) == Some(TokenKind::Open) {
                t.at += 1;
                Some(t.columns(true)?)
            } else {
                return Err(PgError::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    format!("argument to option \"{name}\" must be a list of column names"),
                ));
            };
            match (name.as_str(), columns) {
                ("force_quote", None) => o.force_quote = Some(ForceQuote::All),
                ("force_quote", Some(c)) => o.force_quote = Some(ForceQuote::Columns(c)),
                ("force_not_null", Some(c)) => o.force_not_null = c,
                (_, c) => o.force_null = c.unwrap_or_default(),
            }
            match t.peek() {
                "," => {
                    t.at += 1;
                    continue;
                }
                ")" => {
                    t.at += 1;
                    return Ok(());
                }
                other => return Err(PgError::syntax_near(other)),
            }
        }
        let value = match t.peek() {
            "," | ")" => None,
            _ => Some(t.value()?),
        };
        let flag = |v: &Option<String>| match v {
            None => Ok(true),
            Some(v) => boolean(v).ok_or_else(|| {
                PgError::new(
                    SqlState::SYNTAX_ERROR,
                    format!("{name} requires a Boolean value"),
                )
            }),
        };
        match name.as_str() {
            "format" => {
                o.format = match value.as_deref() {
                    Some("text") => CopyFormatKind::Text,
                    Some("csv") => CopyFormatKind::Csv,
                    Some("binary") => CopyFormatKind::Binary,
                    Some(other) => {
                        return Err(PgError::new(
                            SqlState::INVALID_PARAMETER_VALUE,
                            format!("COPY format \"{other}\" not recognized"),
                        ))
                    }
                    None => return Err(PgError::syntax_near(t.peek())),
                }
            }
            "freeze" => o.freeze = flag(&value)?,
            "header" => o.header = value.as_deref() == Some("match") || flag(&value)?,
            "delimiter" => o.delimiter = Some(value.ok_or_else(|| PgError::syntax_near(t.peek()))?),
            "null" => o.null = Some(value.ok_or_else(|| PgError::syntax_near(t.peek()))?),
            "quote" => o.quote = Some(value.ok_or_else(|| PgError::syntax_near(t.peek()))?),
            "escape" => o.escape = Some(value.ok_or_else(|| PgError::syntax_near(t.peek()))?),
            "encoding" => check_encoding(value.as_deref().unwrap_or(""))?,
            other => {
                return Err(PgError::new(
                    SqlState::SYNTAX_ERROR,
                    format!("option \"{other}\" not recognized"),
                ))
            }
        }
        match t.peek() {
            "," => t.at += 1,
            ")" => {
                t.at += 1;
                return Ok(());
            }
            other => return Err(PgError::syntax_near(other)),
        }
    }
}

/// The pre-9.0 option words: `BINARY`, `DELIMITER [AS] 'x'`, `NULL [AS] 'y'`,
/// `CSV`, `HEADER`, `QUOTE [AS] 'q'`, `ESCAPE [AS] 'e'`, `FREEZE`, `ENCODING 'e'`.
fn legacy_options(t: &mut Reader<'_>, o: &mut CopyOptions) -> Result<(), PgError> {
    let mut seen = Vec::new();
    while !t.done() && !t.is("where") {
        let word = t.peek().to_ascii_lowercase();
        t.at += 1;
        // `CSV` and `BINARY` both set the format.
        if word != "force" {
            once(&mut seen, if word == "csv" { "binary" } else { &word })?;
        }
        match word.as_str() {
            "binary" => o.format = CopyFormatKind::Binary,
            "csv" => o.format = CopyFormatKind::Csv,
            "header" => o.header = true,
            "freeze" => o.freeze = true,
            "delimiter" => o.delimiter = Some(arg(t)?),
            "null" => o.null = Some(arg(t)?),
            "quote" => o.quote = Some(arg(t)?),
            "escape" => o.escape = Some(arg(t)?),
            "encoding" => check_encoding(&arg(t)?)?,
            // FORCE QUOTE * | FORCE QUOTE a, b | FORCE NOT NULL a, b | FORCE NULL a, b
            "force" => {
                if t.eat("quote") {
                    o.force_quote = Some(if t.peek() == "*" {
                        t.at += 1;
                        ForceQuote::All
                    } else {
                        ForceQuote::Columns(t.columns(false)?)
                    });
                } else if t.eat("not") {
                    if !t.eat("null") {
                        return Err(PgError::syntax_near(t.peek()));
                    }
                    o.force_not_null = t.columns(false)?;
                } else if t.eat("null") {
                    o.force_null = t.columns(false)?;
                } else {
                    return Err(PgError::syntax_near(t.peek()));
                }
            }
            _ => return Err(PgError::syntax_near(t.text(t.at - 1))),
        }
    }
    Ok(())
}

/// PostgreSQL's 42601 for an option given twice.
fn once(seen: &mut Vec<String>, name: &str) -> Result<(), PgError> {
    if seen.iter().any(|s| s == name) {
        return Err(PgError::new(
            SqlState::SYNTAX_ERROR,
            "conflicting or redundant options",
        ));
    }
    seen.push(name.to_string());
    Ok(())
}

/// A legacy option's argument: `[AS] value`.
fn arg(t: &mut Reader<'_>) -> Result<String, PgError> {
    t.eat("as");
    t.value()
}

fn check_encoding(e: &str) -> Result<(), PgError> {
    let norm: String = e
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    // SQL_ASCII data is taken as it is and checked as UTF-8 on the way in, which is what
    // a UTF8 PostgreSQL does with it too.
    if norm == "utf8" || norm == "unicode" || norm == "sqlascii" {
        Ok(())
    } else {
        Err(PgError::new(
            SqlState::FEATURE_NOT_SUPPORTED,
            format!("COPY encoding \"{e}\" is not supported: litewire speaks UTF8 only"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_option_given_twice_is_refused() {
        for sql in [
            "COPY x from stdin (format CSV, FORMAT CSV)",
            "COPY x from stdin (freeze off, freeze on)",
            "COPY x from stdin (null ' ', null ' ')",
            "COPY x from stdin csv binary",
        ] {
            let e = parse(sql).unwrap_err();
            assert_eq!(e.message, "conflicting or redundant options", "{sql}");
        }
    }

    #[test]
    fn pgbench_and_psql_forms() {
        let c = parse("copy pgbench_accounts from stdin with (freeze on)").unwrap();
        assert!(c.from);
        assert!(c.options.freeze);
        assert!(
            !parse("copy t from stdin (freeze off)")
                .unwrap()
                .options
                .freeze
        );
        assert!(
            parse("copy t from stdin csv freeze")
                .unwrap()
                .options
                .freeze
        );
        assert!(!parse("copy t from stdin csv").unwrap().options.freeze);
        assert_eq!(c.endpoint, Endpoint::Client);
        assert_eq!(
            c.source,
            CopySource::Table {
                name: "pgbench_accounts".into(),
                columns: vec![]
            }
        );
        let c = parse("COPY public.\"T\" (a, \"B\") FROM STDIN").unwrap();
        assert_eq!(
            c.source,
            CopySource::Table {
                name: "T".into(),
                columns: vec!["a".into(), "B".into()]
            }
        );
        let c = parse("COPY  t TO STDOUT with csv header delimiter as ';'").unwrap();
        assert_eq!(c.options.format, CopyFormatKind::Csv);
        assert!(c.options.header);
        assert_eq!(c.options.delimiter.as_deref(), Some(";"));
        let c = parse("copy (select 1, ')') to stdout (format csv, null 'NULL')").unwrap();
        assert_eq!(c.source, CopySource::Query("select 1, ')'".into()));
        assert_eq!(c.options.null.as_deref(), Some("NULL"));
        let c = parse("copy t from stdin delimiter E'\\t' null ''").unwrap();
        assert_eq!(c.options.delimiter.as_deref(), Some("\t"));
        assert_eq!(c.options.null.as_deref(), Some(""));
    }

    #[test]
    fn force_options_and_doubled_quotes() {
        let c = parse("COPY y TO stdout (FORMAT CSV, FORCE_QUOTE (col2), ESCAPE E'\\\\')").unwrap();
        assert_eq!(
            c.options.force_quote,
            Some(ForceQuote::Columns(vec!["col2".into()]))
        );
        assert_eq!(c.options.escape.as_deref(), Some("\\"));
        let c = parse("COPY y TO stdout WITH CSV FORCE QUOTE *").unwrap();
        assert_eq!(c.options.force_quote, Some(ForceQuote::All));
        let c =
            parse("COPY y TO stdout WITH CSV FORCE QUOTE a, \"B\" ENCODING 'sql_ascii'").unwrap();
        assert_eq!(
            c.options.force_quote,
            Some(ForceQuote::Columns(vec!["a".into(), "B".into()]))
        );
        let c = parse(
            "COPY f (a, b, c) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL(b), FORCE_NULL(c, a))",
        )
        .unwrap();
        assert_eq!(c.options.force_not_null, vec!["b".to_string()]);
        assert_eq!(c.options.force_null, vec!["c".to_string(), "a".to_string()]);
        let c = parse("copy f from stdin csv force not null b, c").unwrap();
        assert_eq!(
            c.options.force_not_null,
            vec!["b".to_string(), "c".to_string()]
        );
        let c = parse("COPY y TO stdout WITH CSV QUOTE '''' DELIMITER '|'").unwrap();
        assert_eq!(c.options.quote.as_deref(), Some("'"));
        assert_eq!(c.options.delimiter.as_deref(), Some("|"));
        let c = parse("COPY x (b, e) TO stdout WITH NULL 'I''m null'").unwrap();
        assert_eq!(c.options.null.as_deref(), Some("I'm null"));
        assert!(parse("COPY y TO stdout (FORMAT CSV, FORCE_QUOTE col2)").is_err());
    }

    #[test]
    fn endpoints_and_errors() {
        assert_eq!(
            parse("copy t to '/etc/x'").unwrap().endpoint,
            Endpoint::File
        );
        assert_eq!(
            parse("copy t from program 'ls'").unwrap().endpoint,
            Endpoint::Program
        );
        assert_eq!(
            parse("copy t from stdin (format binary)")
                .unwrap()
                .options
                .format,
            CopyFormatKind::Binary
        );
        assert!(parse("copy t from stdin (bogus 1)").is_err());
        assert!(parse("copy t sideways stdin").is_err());
        assert!(parse("copy (select 1) from stdin").is_err());
        assert!(parse("copy t from stdin (format csv").is_err());
        assert!(parse("copy").is_err());
        // Unterminated quotes never panic.
        assert!(parse("copy \"").is_err());
        assert!(parse("copy t from stdin (null '").is_err());
        assert!(parse("copy \"é").is_err());
    }
}
