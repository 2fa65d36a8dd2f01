//! The SQL/JSON path language's text → tree, after PostgreSQL's jsonpath_scan.l and
//! jsonpath_gram.y: `[lax|strict] expression-or-predicate`, with PostgreSQL's errors
//! (42601 "syntax error at or near … of jsonpath input"). Nesting is bounded
//! ([`MAX_NESTING`]), so the recursive descent cannot run deep.

use super::super::value::{self, Json};
use crate::protocol::{PgError, SqlState};

/// Parentheses, filters and subscripts nested deeper than this are refused.
pub const MAX_NESTING: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A primary followed by accessors: `$.a[*] ? (@ > 1).size()`.
    Path(Box<Primary>, Vec<Step>),
    Arith(Arith, Box<Expr>, Box<Expr>),
    Unary(bool, Box<Expr>),
    Cmp(Cmp, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    IsUnknown(Box<Expr>),
    Exists(Box<Expr>),
    LikeRegex(Box<Expr>, String, String),
    StartsWith(Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Primary {
    Root,
    Current,
    Last,
    Var(String),
    Literal(Json),
    Paren(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Key(String),
    AnyKey,
    AnyArray,
    Subscripts(Vec<(Expr, Option<Expr>)>),
    /// `.**{first to last}` (u32::MAX for `last`).
    Any(u32, u32),
    Filter(Box<Expr>),
    Method(Method),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    Abs,
    Size,
    Type,
    Floor,
    Double,
    Ceiling,
    KeyValue,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl Arith {
    pub fn symbol(self) -> &'static str {
        match self {
            Arith::Add => "+",
            Arith::Sub => "-",
            Arith::Mul => "*",
            Arith::Div => "/",
            Arith::Mod => "%",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A parsed path: strict or lax, and its expression.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPath {
    pub strict: bool,
    pub expr: Expr,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Var(String),
    Num(String),
    Punct(&'static str),
}

fn syntax_error(near: Option<&str>) -> PgError {
    PgError::new(
        SqlState::SYNTAX_ERROR,
        match near {
            Some(t) => format!("syntax error at or near \"{t}\" of jsonpath input"),
            None => "syntax error at end of jsonpath input".to_string(),
        },
    )
}

fn tokens(s: &str) -> Result<Vec<(Tok, String)>, PgError> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    const PUNCT: [&str; 27] = [
        "==", "!=", "<>", "<=", ">=", "&&", "||", "**", "<", ">", "!", "$", "@", ".", ",", "(",
        ")", "[", "]", "{", "}", "?", "+", "-", "*", "/", "%",
    ];
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c == b'"' {
            let (text, end) = string(s, i)?;
            out.push((Tok::Str(text), s[start..end].to_string()));
            i = end;
            continue;
        }
        if c == b'$' {
            // `$name` or `$"name"`; `$` alone is the root.
            if b.get(i + 1) == Some(&b'"') {
                let (text, end) = string(s, i + 1)?;
                out.push((Tok::Var(text), s[start..end].to_string()));
                i = end;
                continue;
            }
            let mut j = i + 1;
            while j < b.len() && is_ident(b[j]) {
                j += 1;
            }
            if j > i + 1 {
                out.push((Tok::Var(s[i + 1..j].to_string()), s[start..j].to_string()));
                i = j;
                continue;
            }
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            // A fraction, unless `.` starts an accessor (`$[1.a]` is not `1.`).
            if b.get(j) == Some(&b'.') && b.get(j + 1).is_some_and(u8::is_ascii_digit) {
                j += 1;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
            } else if b.get(j) == Some(&b'.')
                && !b.get(j + 1).is_some_and(|c| is_ident(*c) || *c == b'*')
            {
                j += 1;
            }
            if matches!(b.get(j), Some(b'e' | b'E')) {
                let mut k = j + 1;
                if matches!(b.get(k), Some(b'+' | b'-')) {
                    k += 1;
                }
                if b.get(k).is_some_and(u8::is_ascii_digit) {
                    while k < b.len() && b[k].is_ascii_digit() {
                        k += 1;
                    }
                    j = k;
                }
            }
            if b.get(j).is_some_and(|c| is_ident(*c)) {
                return Err(PgError::new(
                    SqlState::SYNTAX_ERROR,
                    format!(
                        "trailing junk after numeric literal at or near \"{}\" of jsonpath input",
                        &s[i..=j]
                    ),
                ));
            }
            let text = &s[i..j];
            let n = value::numeric(text).map_err(|_| syntax_error(Some(text)))?;
            out.push((Tok::Num(n), text.to_string()));
            i = j;
            continue;
        }
        if is_ident(c) {
            let mut j = i;
            while j < b.len() && is_ident(b[j]) {
                j += 1;
            }
            out.push((Tok::Ident(s[i..j].to_string()), s[i..j].to_string()));
            i = j;
            continue;
        }
        match PUNCT.iter().find(|p| s[i..].starts_with(**p)) {
            Some(p) => {
                out.push((Tok::Punct(p), p.to_string()));
                i += p.len();
            }
            None => {
                let ch = s[i..].chars().next().unwrap_or(' ');
                return Err(syntax_error(Some(&ch.to_string())));
            }
        }
    }
    Ok(out)
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// A double-quoted string at `i`: its value and the index past it.
fn string(s: &str, i: usize) -> Result<(String, usize), PgError> {
    let b = s.as_bytes();
    let mut j = i + 1;
    let mut out = String::new();
    while j < b.len() {
        match b[j] {
            b'"' => return Ok((out, j + 1)),
            b'\\' => {
                let e = *b.get(j + 1).ok_or_else(|| syntax_error(None))?;
                j += 2;
                match e {
                    b'b' => out.push('\u{8}'),
                    b'f' => out.push('\u{c}'),
                    b'n' => out.push('\n'),
                    b'r' => out.push('\r'),
                    b't' => out.push('\t'),
                    b'v' => out.push('\u{b}'),
                    b'x' => {
                        let hex = s.get(j..j + 2).ok_or_else(|| syntax_error(None))?;
                        let v = u32::from_str_radix(hex, 16).map_err(|_| syntax_error(None))?;
                        out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                        j += 2;
                    }
                    b'u' => {
                        let (code, used) = if b.get(j) == Some(&b'{') {
                            let end = s[j..].find('}').ok_or_else(|| syntax_error(None))?;
                            (u32::from_str_radix(&s[j + 1..j + end], 16), end + 1)
                        } else {
                            (u32::from_str_radix(s.get(j..j + 4).unwrap_or("x"), 16), 4)
                        };
                        let code = code.map_err(|_| syntax_error(None))?;
                        j += used;
                        if code == 0 {
                            return Err(PgError::new(
                                SqlState::UNTRANSLATABLE_CHARACTER,
                                "unsupported Unicode escape sequence",
                            )
                            .with_detail("\\u0000 cannot be converted to text."));
                        }
                        out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                    }
                    other => {
                        // Any other escaped character stands for itself.
                        let ch = s[j - 1..].chars().next().unwrap_or(other as char);
                        out.push(ch);
                        j += ch.len_utf8() - 1;
                    }
                }
            }
            _ => {
                let ch = s[j..].chars().next().unwrap_or(' ');
                out.push(ch);
                j += ch.len_utf8();
            }
        }
    }
    Err(PgError::new(
        SqlState::SYNTAX_ERROR,
        "unterminated quoted string at end of jsonpath input",
    ))
}

/// Parses a jsonpath's text.
pub fn parse(s: &str) -> Result<JsonPath, PgError> {
    let toks = tokens(s)?;
    if toks.is_empty() {
        return Err(PgError::new(
            SqlState::INVALID_TEXT_REPRESENTATION,
            format!("invalid input syntax for type jsonpath: \"{s}\""),
        ));
    }
    let mut p = Parser {
        toks,
        at: 0,
        depth: 0,
        in_filter: 0,
        in_subscript: 0,
    };
    let strict = match p.peek_word() {
        Some(w) if w.eq_ignore_ascii_case("strict") => {
            p.at += 1;
            true
        }
        Some(w) if w.eq_ignore_ascii_case("lax") => {
            p.at += 1;
            false
        }
        _ => false,
    };
    let expr = p.predicate_or_expr()?;
    if let Some((_, text)) = p.toks.get(p.at) {
        return Err(syntax_error(Some(text)));
    }
    Ok(JsonPath { strict, expr })
}

struct Parser {
    toks: Vec<(Tok, String)>,
    at: usize,
    depth: usize,
    in_filter: usize,
    in_subscript: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|t| &t.0)
    }
    fn peek_word(&self) -> Option<&str> {
        match self.peek() {
            Some(Tok::Ident(w)) => Some(w),
            _ => None,
        }
    }
    fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Some(Tok::Punct(q)) if *q == p)
    }
    fn is_word(&self, w: &str) -> bool {
        self.peek_word().is_some_and(|x| x.eq_ignore_ascii_case(w))
    }
    fn error(&self) -> PgError {
        syntax_error(self.toks.get(self.at).map(|t| t.1.as_str()))
    }
    fn expect(&mut self, p: &str) -> Result<(), PgError> {
        if self.is_punct(p) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error())
        }
    }
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, PgError>) -> Result<T, PgError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(PgError::new(
                SqlState::STATEMENT_TOO_COMPLEX,
                format!("jsonpath nested more than {MAX_NESTING} levels deep"),
            ));
        }
        let r = f(self);
        self.depth -= 1;
        r
    }

    /// `a || b`: predicates, or a plain expression.
    fn predicate_or_expr(&mut self) -> Result<Expr, PgError> {
        let mut left = self.and()?;
        while self.is_punct("||") {
            self.at += 1;
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, PgError> {
        let mut left = self.not()?;
        while self.is_punct("&&") {
            self.at += 1;
            let right = self.not()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, PgError> {
        if self.is_punct("!") {
            self.at += 1;
            // `!` takes a delimited predicate: `!(…)` or `!exists(…)`.
            if !(self.is_punct("(") || self.is_word("exists")) {
                return Err(self.error());
            }
            let inner = self.nested(|p| p.not())?;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, PgError> {
        let left = self.additive()?;
        let op = match self.peek() {
            Some(Tok::Punct("==")) => Cmp::Eq,
            Some(Tok::Punct("!=" | "<>")) => Cmp::Ne,
            Some(Tok::Punct("<")) => Cmp::Lt,
            Some(Tok::Punct("<=")) => Cmp::Le,
            Some(Tok::Punct(">")) => Cmp::Gt,
            Some(Tok::Punct(">=")) => Cmp::Ge,
            _ => {
                if self.is_word("starts") {
                    self.at += 1;
                    if !self.is_word("with") {
                        return Err(self.error());
                    }
                    self.at += 1;
                    let initial = match self.peek() {
                        Some(Tok::Str(s)) => {
                            Expr::Path(Box::new(Primary::Literal(Json::Str(s.clone()))), vec![])
                        }
                        Some(Tok::Var(v)) => Expr::Path(Box::new(Primary::Var(v.clone())), vec![]),
                        _ => return Err(self.error()),
                    };
                    self.at += 1;
                    return Ok(Expr::StartsWith(Box::new(left), Box::new(initial)));
                }
                if self.is_word("like_regex") {
                    self.at += 1;
                    let Some(Tok::Str(pattern)) = self.peek().cloned() else {
                        return Err(self.error());
                    };
                    self.at += 1;
                    let mut flags = String::new();
                    if self.is_word("flag") {
                        self.at += 1;
                        let Some(Tok::Str(f)) = self.peek().cloned() else {
                            return Err(self.error());
                        };
                        self.at += 1;
                        flags = f;
                    }
                    return Ok(Expr::LikeRegex(Box::new(left), pattern, flags));
                }
                return Ok(left);
            }
        };
        self.at += 1;
        let right = self.additive()?;
        Ok(Expr::Cmp(op, Box::new(left), Box::new(right)))
    }

    fn additive(&mut self) -> Result<Expr, PgError> {
        let mut left = self.multiplicative()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Punct("+")) => Arith::Add,
                Some(Tok::Punct("-")) => Arith::Sub,
                _ => return Ok(left),
            };
            self.at += 1;
            let right = self.multiplicative()?;
            left = Expr::Arith(op, Box::new(left), Box::new(right));
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, PgError> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Punct("**")) => return Err(self.error()),
                Some(Tok::Punct("/")) => Arith::Div,
                Some(Tok::Punct("%")) => Arith::Mod,
                _ if self.is_star() => Arith::Mul,
                _ => return Ok(left),
            };
            self.at += 1;
            let right = self.unary()?;
            left = Expr::Arith(op, Box::new(left), Box::new(right));
        }
    }

    fn is_star(&self) -> bool {
        matches!(self.peek(), Some(Tok::Punct("*")))
    }

    fn unary(&mut self) -> Result<Expr, PgError> {
        match self.peek() {
            Some(Tok::Punct("+")) => {
                self.at += 1;
                let e = self.nested(|p| p.unary())?;
                Ok(Expr::Unary(false, Box::new(e)))
            }
            Some(Tok::Punct("-")) => {
                self.at += 1;
                let e = self.nested(|p| p.unary())?;
                Ok(Expr::Unary(true, Box::new(e)))
            }
            _ => self.accessor_expr(),
        }
    }

    fn accessor_expr(&mut self) -> Result<Expr, PgError> {
        let primary = match self.peek().cloned() {
            Some(Tok::Punct("$")) => Primary::Root,
            Some(Tok::Punct("@")) => {
                if self.in_filter == 0 {
                    return Err(PgError::new(
                        SqlState::SYNTAX_ERROR,
                        "@ is not allowed in root expressions",
                    ));
                }
                Primary::Current
            }
            Some(Tok::Var(v)) => Primary::Var(v),
            Some(Tok::Str(s)) => Primary::Literal(Json::Str(s)),
            Some(Tok::Num(n)) => Primary::Literal(Json::Num(n)),
            Some(Tok::Punct("(")) => {
                self.at += 1;
                let e = self.nested(|p| p.predicate_or_expr())?;
                self.expect(")")?;
                self.at -= 1;
                Primary::Paren(e)
            }
            Some(Tok::Ident(w)) => match w.to_ascii_lowercase().as_str() {
                "null" => Primary::Literal(Json::Null),
                "true" => Primary::Literal(Json::Bool(true)),
                "false" => Primary::Literal(Json::Bool(false)),
                "last" => {
                    if self.in_subscript == 0 {
                        return Err(PgError::new(
                            SqlState::SYNTAX_ERROR,
                            "LAST is allowed only in array subscripts",
                        ));
                    }
                    Primary::Last
                }
                "exists" => {
                    self.at += 1;
                    self.expect("(")?;
                    let e = self.nested(|p| p.predicate_or_expr())?;
                    self.expect(")")?;
                    return self.after_predicate(Expr::Exists(Box::new(e)));
                }
                _ => return Err(self.error()),
            },
            _ => return Err(self.error()),
        };
        self.at += 1;
        let mut steps = Vec::new();
        while let Some(step) = self.step()? {
            steps.push(step);
        }
        // `(a == b) is unknown`
        if let Primary::Paren(e) = &primary {
            if steps.is_empty() && self.is_word("is") {
                self.at += 1;
                if !self.is_word("unknown") {
                    return Err(self.error());
                }
                self.at += 1;
                return Ok(Expr::IsUnknown(Box::new(e.clone())));
            }
        }
        Ok(Expr::Path(Box::new(primary), steps))
    }

    fn after_predicate(&mut self, e: Expr) -> Result<Expr, PgError> {
        Ok(e)
    }

    /// One accessor, if one follows.
    fn step(&mut self) -> Result<Option<Step>, PgError> {
        match self.peek() {
            Some(Tok::Punct(".")) => {
                self.at += 1;
                match self.peek().cloned() {
                    Some(Tok::Punct("*")) => {
                        self.at += 1;
                        Ok(Some(Step::AnyKey))
                    }
                    Some(Tok::Punct("**")) => {
                        self.at += 1;
                        Ok(Some(self.any_levels()?))
                    }
                    Some(Tok::Str(s)) => {
                        self.at += 1;
                        Ok(Some(Step::Key(s)))
                    }
                    Some(Tok::Ident(w)) => {
                        self.at += 1;
                        if self.is_punct("(") {
                            let method = match w.to_ascii_lowercase().as_str() {
                                "abs" => Method::Abs,
                                "size" => Method::Size,
                                "type" => Method::Type,
                                "floor" => Method::Floor,
                                "double" => Method::Double,
                                "ceiling" => Method::Ceiling,
                                "keyvalue" => Method::KeyValue,
                                "datetime" => {
                                    return Err(crate::sql::translate::unsupported(
                                        "the jsonpath method .datetime()",
                                    ))
                                }
                                _ => return Err(self.error()),
                            };
                            self.at += 1;
                            self.expect(")")?;
                            return Ok(Some(Step::Method(method)));
                        }
                        Ok(Some(Step::Key(w)))
                    }
                    Some(Tok::Num(_)) | Some(Tok::Var(_)) | Some(Tok::Punct(_)) | None => {
                        Err(self.error())
                    }
                }
            }
            Some(Tok::Punct("[")) => {
                self.at += 1;
                if self.is_star() {
                    self.at += 1;
                    self.expect("]")?;
                    return Ok(Some(Step::AnyArray));
                }
                let mut list = Vec::new();
                self.in_subscript += 1;
                loop {
                    let from = self.nested(|p| p.additive())?;
                    let to = if self.is_word("to") {
                        self.at += 1;
                        Some(self.nested(|p| p.additive())?)
                    } else {
                        None
                    };
                    list.push((from, to));
                    if self.is_punct(",") {
                        self.at += 1;
                        continue;
                    }
                    break;
                }
                self.in_subscript -= 1;
                self.expect("]")?;
                Ok(Some(Step::Subscripts(list)))
            }
            Some(Tok::Punct("?")) => {
                self.at += 1;
                self.expect("(")?;
                self.in_filter += 1;
                let e = self.nested(|p| p.predicate_or_expr())?;
                self.in_filter -= 1;
                self.expect(")")?;
                Ok(Some(Step::Filter(Box::new(e))))
            }
            _ => Ok(None),
        }
    }

    /// After `.**`: `{n}`, `{n to m}`, `{last}`... or every level.
    fn any_levels(&mut self) -> Result<Step, PgError> {
        if !self.is_punct("{") {
            return Ok(Step::Any(0, u32::MAX));
        }
        self.at += 1;
        let first = self.level()?;
        let last = if self.is_word("to") {
            self.at += 1;
            self.level()?
        } else {
            first
        };
        self.expect("}")?;
        Ok(Step::Any(first, last))
    }

    fn level(&mut self) -> Result<u32, PgError> {
        let v = match self.peek() {
            Some(Tok::Num(n)) => n.parse::<u32>().map_err(|_| self.error())?,
            Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("last") => u32::MAX,
            _ => return Err(self.error()),
        };
        self.at += 1;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> JsonPath {
        parse(s).unwrap_or_else(|e| panic!("{s}: {}", e.message))
    }

    #[test]
    fn paths_parse() {
        let p = ok("strict $.a[*] ? (@.b == 1 && exists(@.c)).size()");
        assert!(p.strict);
        let Expr::Path(root, steps) = &p.expr else {
            panic!("{p:?}")
        };
        assert_eq!(**root, Primary::Root);
        assert_eq!(steps.len(), 4);
        assert_eq!(steps[3], Step::Method(Method::Size));
        ok("$.a + 2 * -$.b");
        ok("$[1 to last, 2]");
        ok("$.\"a b\".**{2 to last}.c");
        ok("$ ? (@ like_regex \"^a\" flag \"i\")");
        ok("$ starts with \"x\"");
        ok("($.a == 1) is unknown");
        ok("!exists($.a) || !($.b > 2)");
        ok("$x.y");
        ok("lax $.datetime_key");
    }

    #[test]
    fn errors_are_postgresqls() {
        for (s, code, msg) in [
            (
                "$ ? (@ = 1)",
                "42601",
                "syntax error at or near \"=\" of jsonpath input",
            ),
            ("last", "42601", "LAST is allowed only in array subscripts"),
            ("@.a", "42601", "@ is not allowed in root expressions"),
            ("", "22P02", "invalid input syntax for type jsonpath: \"\""),
            ("$.a ? (", "42601", "syntax error at end of jsonpath input"),
        ] {
            let e = parse(s).unwrap_err();
            assert_eq!((e.code.0, e.message.as_str()), (code, msg), "{s}");
        }
        let deep = format!("{}1{}", "(".repeat(100), ")".repeat(100));
        assert_eq!(
            parse(&deep).unwrap_err().code,
            SqlState::STATEMENT_TOO_COMPLEX
        );
    }
}
