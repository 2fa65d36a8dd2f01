//! CREATE RULE / DROP RULE, read by hand (sqlparser has neither) into an internal batch
//! whose one part the engine makes a SQLite trigger of (engine/objects/rules.rs).
//!
//! A rule on INSERT, UPDATE or DELETE is honoured as a per-row trigger where PostgreSQL's
//! rewrite also runs its actions once per row: an INSERT rule always (its actions join
//! the inserted rows), an UPDATE or DELETE rule when its actions or condition name OLD
//! or NEW. Other rules are still created (so that what the statement does is PostgreSQL's),
//! but as a trigger that refuses (0A000) any statement firing it: actions that are
//! SELECTs or NOTIFY, RETURNING, WITH in an action, UPDATE/DELETE rules run once per
//! statement.

use super::{unsupported, Settings};
use crate::protocol::{PgError, SqlState};
use crate::sql::lexer::{fold_ident, significant, Token, TokenKind};

/// The part of an internal batch that creates a rule, then its fields separated by
/// [`FIELD`]; the actions are separated by [`ACTION`].
pub const CREATE_PART: &str = "@rule ";
/// The part that drops one.
pub const DROP_PART: &str = "@droprule ";
pub const FIELD: char = '\u{1}';
pub const ACTION: char = '\u{2}';

/// A rule translated: what the engine needs to make its trigger.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    pub or_replace: bool,
    pub name: String,
    pub table: String,
    /// INSERT, UPDATE or DELETE.
    pub event: String,
    pub instead: bool,
    /// Whether it has a WHERE condition.
    pub conditional: bool,
    /// The condition as a SQLite query (`SELECT 1 WHERE …`), if any.
    pub qual: Option<String>,
    /// One letter per action for PostgreSQL's checks of data-modifying WITH: `N` NOTIFY,
    /// `S` INSERT … SELECT, `D` any other.
    pub kinds: String,
    /// The actions as SQLite statements (empty: DO NOTHING).
    pub actions: Vec<String>,
    /// Why the rule is not honoured: its trigger refuses with this construct named.
    pub refused: Option<String>,
}

impl Rule {
    /// The batch part (engine/objects/rules.rs reads it back).
    pub fn part(&self) -> String {
        let f = FIELD;
        format!(
            "{CREATE_PART}{}{f}{}{f}{}{f}{}{f}{}{f}{}{f}{}{f}{}{f}{}{f}{}",
            u8::from(self.or_replace),
            self.name,
            self.table,
            self.event,
            u8::from(self.instead),
            u8::from(self.conditional),
            self.qual.as_deref().unwrap_or(""),
            self.kinds,
            self.refused.as_deref().unwrap_or(""),
            self.actions.join(&ACTION.to_string()),
        )
    }
}

/// Whether `text` is CREATE [OR REPLACE] RULE or DROP RULE.
pub fn is_rule_statement(text: &str) -> bool {
    let mut w = crate::sql::lexer::words(text);
    let mut next = |k: &str| w.next().is_some_and(|x| x.eq_ignore_ascii_case(k));
    let mut first = crate::sql::lexer::words(text);
    match first.next() {
        Some(x) if x.eq_ignore_ascii_case("drop") => next("drop") && next("rule"),
        Some(x) if x.eq_ignore_ascii_case("create") => {
            let second = first.next().unwrap_or_default();
            if second.eq_ignore_ascii_case("rule") {
                return true;
            }
            next("create") && next("or") && next("replace") && next("rule")
        }
        _ => false,
    }
}

/// The internal batch of a CREATE RULE or DROP RULE statement.
pub fn statement(text: &str) -> Result<String, PgError> {
    let first = crate::sql::lexer::words(text).next().unwrap_or_default();
    let part = if first.eq_ignore_ascii_case("drop") {
        drop(text)?
    } else {
        create(text)?.part()
    };
    Ok(super::objects::batch(&[part]))
}

fn syntax(near: &str) -> PgError {
    PgError::new(
        SqlState::SYNTAX_ERROR,
        format!("syntax error at or near \"{near}\""),
    )
}

/// A cursor over the statement's significant tokens.
struct Reader<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Self {
        let mut tokens: Vec<Token> = significant(text).collect();
        while tokens.last().is_some_and(|t| t.kind == TokenKind::Semi) {
            tokens.pop();
        }
        Reader {
            text,
            tokens,
            at: 0,
        }
    }
    fn token_text(&self, t: &Token) -> &'a str {
        &self.text[t.start..t.end]
    }
    fn peek(&self) -> Option<&'a str> {
        self.tokens.get(self.at).map(|t| self.token_text(t))
    }
    fn near(&self) -> PgError {
        syntax(self.peek().unwrap_or("end of input"))
    }
    fn keyword(&mut self, word: &str) -> bool {
        let found = self.tokens.get(self.at).is_some_and(|t| {
            t.kind == TokenKind::Word && self.token_text(t).eq_ignore_ascii_case(word)
        });
        self.at += usize::from(found);
        found
    }
    fn expect(&mut self, word: &str) -> Result<(), PgError> {
        if self.keyword(word) {
            Ok(())
        } else {
            Err(self.near())
        }
    }
    /// An identifier, folded as PostgreSQL folds it.
    fn ident(&mut self) -> Result<String, PgError> {
        match self.tokens.get(self.at) {
            Some(t) if t.kind == TokenKind::Word || self.token_text(t).starts_with('"') => {
                self.at += 1;
                Ok(fold_ident(self.token_text(t)))
            }
            _ => Err(self.near()),
        }
    }
    /// A possibly qualified relation name: its last part (litewire has one schema).
    fn relation(&mut self) -> Result<String, PgError> {
        let mut name = self.ident()?;
        while self.peek() == Some(".") {
            self.at += 1;
            name = self.ident()?;
        }
        Ok(name)
    }
    /// The byte offset where the current token starts (the text's end past the last).
    fn offset(&self) -> usize {
        self.tokens
            .get(self.at)
            .map_or(self.text.len(), |t| t.start)
    }
    fn end(&self) -> usize {
        self.tokens.last().map_or(0, |t| t.end)
    }
}

/// `CREATE [OR REPLACE] RULE name AS ON event TO table [WHERE cond] DO [ALSO | INSTEAD]
/// {NOTHING | action | (action; …)}`.
pub fn create(text: &str) -> Result<Rule, PgError> {
    let mut r = Reader::new(text);
    r.expect("create")?;
    let or_replace = r.keyword("or");
    if or_replace {
        r.expect("replace")?;
    }
    r.expect("rule")?;
    let name = r.ident()?;
    r.expect("as")?;
    r.expect("on")?;
    let event = r.ident()?.to_ascii_uppercase();
    if !["SELECT", "INSERT", "UPDATE", "DELETE"].contains(&event.as_str()) {
        return Err(syntax(&event.to_lowercase()));
    }
    r.expect("to")?;
    let table = r.relation()?;
    let qual_text = if r.keyword("where") {
        let start = r.offset();
        let mut depth = 0usize;
        while let Some(t) = r.tokens.get(r.at) {
            match t.kind {
                TokenKind::Open => depth += 1,
                TokenKind::Close => depth = depth.saturating_sub(1),
                TokenKind::Word if depth == 0 && r.token_text(t).eq_ignore_ascii_case("do") => {
                    break
                }
                _ => {}
            }
            r.at += 1;
        }
        Some(text[start..r.offset()].trim().to_string())
    } else {
        None
    };
    r.expect("do")?;
    let instead = r.keyword("instead");
    if !instead {
        let _ = r.keyword("also");
    }
    let actions = action_texts(&mut r)?;
    if event == "SELECT" && name == "_RETURN" {
        return Err(unsupported("a rule ON SELECT (a table made a view)"));
    }
    if event == "SELECT" {
        return Err(PgError::new(
            SqlState::INVALID_OBJECT_DEFINITION,
            format!("view rule for \"{table}\" must be named \"_RETURN\""),
        ));
    }
    let mut rule = Rule {
        or_replace,
        name,
        table,
        event,
        instead,
        conditional: qual_text.is_some(),
        qual: None,
        kinds: String::new(),
        actions: Vec::new(),
        refused: None,
    };
    let mut texts: Vec<&str> = actions.iter().map(String::as_str).collect();
    texts.extend(qual_text.as_deref());
    for t in &texts {
        rule.check_old_new(t)?;
    }
    // PostgreSQL runs an UPDATE or DELETE rule's actions once per statement unless they
    // (or the condition) name the row: a per-row trigger could not.
    let per_row = rule.event == "INSERT" || texts.iter().any(|t| names_row(t));
    if !per_row {
        rule.refused = Some(format!(
            "an ON {} rule whose actions name neither OLD nor NEW",
            rule.event
        ));
    }
    if let Some(q) = &qual_text {
        match translate(&format!("SELECT 1 WHERE ({q})")) {
            Ok(sqlite) => rule.qual = Some(sqlite),
            Err(e) if e.code == SqlState::FEATURE_NOT_SUPPORTED => {
                rule.refused.get_or_insert(construct(e));
            }
            Err(e) => return Err(e),
        }
    }
    for action in &actions {
        let (kind, translated) = rule.action(action)?;
        rule.kinds.push(kind);
        match translated {
            Ok(sqlite) => rule.actions.push(sqlite),
            Err(what) => {
                rule.refused.get_or_insert(what);
            }
        }
    }
    if rule.refused.is_some() {
        rule.actions.clear();
    }
    Ok(rule)
}

impl Rule {
    /// PostgreSQL's refusals of OLD in an INSERT rule and NEW in a DELETE rule.
    fn check_old_new(&self, text: &str) -> Result<(), PgError> {
        let bad = match self.event.as_str() {
            "INSERT" => "old",
            "DELETE" => "new",
            _ => return Ok(()),
        };
        if row_references(text).any(|w| w == bad) {
            return Err(PgError::new(
                SqlState::INVALID_OBJECT_DEFINITION,
                format!(
                    "ON {} rule cannot use {}",
                    self.event,
                    bad.to_ascii_uppercase()
                ),
            ));
        }
        Ok(())
    }

    /// One action: its kind letter and its SQLite text, or the construct that keeps it
    /// from being honoured.
    fn action(&self, text: &str) -> Result<(char, Result<String, String>), PgError> {
        let first = crate::sql::lexer::words(text)
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if first == "notify" {
            return Ok(('N', Err("NOTIFY in a rule action".into())));
        }
        if first == "with" {
            if let Some(row) = row_in_with(text) {
                return Err(PgError::new(
                    SqlState::FEATURE_NOT_SUPPORTED,
                    format!("cannot refer to {} within WITH query", row.to_uppercase()),
                ));
            }
        }
        let stmt = match crate::sql::parse::parse_one(text, 256) {
            Ok(stmt) => stmt,
            // A form litewire refuses anywhere: refused where the rule fires.
            Err(e) if e.code == SqlState::FEATURE_NOT_SUPPORTED => {
                let words: Vec<String> = crate::sql::lexer::words(text)
                    .map(|w| w.to_ascii_lowercase())
                    .collect();
                let select = first == "insert"
                    && words.iter().any(|w| w == "select")
                    && !words.iter().any(|w| w == "values");
                return Ok((if select { 'S' } else { 'D' }, Err(construct(e))));
            }
            Err(e) => return Err(e),
        };
        use sqlparser::ast::{SetExpr, Statement};
        let (kind, returning) = match &stmt {
            Statement::Insert(i) => {
                let values = i
                    .source
                    .as_ref()
                    .is_some_and(|q| q.with.is_none() && matches!(*q.body, SetExpr::Values(_)));
                (if values { 'D' } else { 'S' }, i.returning.is_some())
            }
            Statement::Update { returning, .. } => ('D', returning.is_some()),
            Statement::Delete(d) => ('D', d.returning.is_some()),
            Statement::Query(q) if matches!(*q.body, SetExpr::Select(_) | SetExpr::Values(_)) => {
                return Ok(('D', Err("a rule action that is a SELECT".into())))
            }
            _ => return Ok(('D', Err("this rule action".into()))),
        };
        if returning {
            if self.conditional {
                return Err(unsupported_pg(
                    "RETURNING lists are not supported in conditional rules",
                ));
            }
            if !self.instead {
                return Err(unsupported_pg(
                    "RETURNING lists are not supported in non-INSTEAD rules",
                ));
            }
            return Ok((kind, Err("RETURNING in a rule action".into())));
        }
        if first == "with" {
            return Ok((kind, Err("WITH in a rule action".into())));
        }
        Ok((
            kind,
            match translate(text) {
                Ok(sqlite) => Ok(sqlite),
                Err(e) if e.code == SqlState::FEATURE_NOT_SUPPORTED => Err(construct(e)),
                Err(e) => return Err(e),
            },
        ))
    }
}

/// The construct a 0A000 of litewire's names (its message without the ending).
fn construct(e: PgError) -> String {
    match e.message.strip_suffix(" is not supported by litewire") {
        Some(what) => what.to_string(),
        None => e.message,
    }
}

fn unsupported_pg(message: &str) -> PgError {
    PgError::new(SqlState::FEATURE_NOT_SUPPORTED, message)
}

/// The action texts after `DO [ALSO | INSTEAD]`: none for NOTHING, the statements of a
/// parenthesized list, or the rest of the text.
fn action_texts(r: &mut Reader<'_>) -> Result<Vec<String>, PgError> {
    if r.keyword("nothing") {
        return match r.peek() {
            None => Ok(Vec::new()),
            Some(_) => Err(r.near()),
        };
    }
    let start = r.offset();
    let end = r.end();
    if start >= end {
        return Err(r.near());
    }
    let body = &r.text[start..end];
    if !(body.starts_with('(') && body.ends_with(')') && encloses(body)) {
        return Ok(vec![body.to_string()]);
    }
    let inner = &body[1..body.len() - 1];
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut from = 0;
    for t in significant(inner) {
        match t.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => depth = depth.saturating_sub(1),
            TokenKind::Semi if depth == 0 => {
                out.push(inner[from..t.start].trim().to_string());
                from = t.end;
            }
            _ => {}
        }
    }
    out.push(inner[from..].trim().to_string());
    out.retain(|s| !s.is_empty());
    Ok(out)
}

/// Whether the `(` starting `body` closes at its very end.
fn encloses(body: &str) -> bool {
    let mut depth = 0usize;
    for t in significant(body) {
        match t.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return t.end == body.len();
                }
            }
            _ => {}
        }
    }
    false
}

/// The row names (`old`, `new`) `text` qualifies a column or `*` with.
fn row_references(text: &str) -> impl Iterator<Item = String> + '_ {
    let tokens: Vec<Token> = significant(text).collect();
    let mut found = Vec::new();
    for pair in tokens.windows(2) {
        let word = &text[pair[0].start..pair[0].end];
        if pair[0].kind == TokenKind::Word
            && &text[pair[1].start..pair[1].end] == "."
            && (word.eq_ignore_ascii_case("old") || word.eq_ignore_ascii_case("new"))
        {
            found.push(word.to_ascii_lowercase());
        }
    }
    found.into_iter()
}

/// Whether `text` names OLD or NEW.
fn names_row(text: &str) -> bool {
    row_references(text).next().is_some()
}

/// OLD or NEW named inside the WITH list of an action (before its main statement).
fn row_in_with(text: &str) -> Option<String> {
    let mut depth = 0usize;
    let mut end = text.len();
    let mut first = true;
    for t in significant(text) {
        match t.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => depth = depth.saturating_sub(1),
            TokenKind::Word if depth == 0 && !first => {
                let w = text[t.start..t.end].to_ascii_lowercase();
                if ["insert", "update", "delete", "select", "values"].contains(&w.as_str()) {
                    end = t.start;
                    break;
                }
            }
            _ => {}
        }
        first = false;
    }
    row_references(&text[..end]).next()
}

/// A definition is translated outside any session.
struct NoSettings;

impl Settings for NoSettings {
    fn get(&self, _: &str) -> Option<String> {
        None
    }
    fn set(&mut self, name: &str, _: &str) -> Result<String, PgError> {
        Err(unsupported(format!("set_config('{name}') in a rule")))
    }
}

/// `text` as SQLite runs it; a translation into a batch (sequences, data-modifying
/// WITH) cannot be a trigger's step.
fn translate(text: &str) -> Result<String, PgError> {
    let stmt = crate::sql::parse::parse_one(text, 256)?;
    let sqlite = super::to_sqlite(stmt, &mut NoSettings)?;
    if sqlite.starts_with("/*litewire") {
        return Err(unsupported("this rule action"));
    }
    Ok(sqlite)
}

/// `DROP RULE [IF EXISTS] name ON table [CASCADE | RESTRICT]`.
fn drop(text: &str) -> Result<String, PgError> {
    let mut r = Reader::new(text);
    r.expect("drop")?;
    r.expect("rule")?;
    let if_exists = r.keyword("if");
    if if_exists {
        r.expect("exists")?;
    }
    let name = r.ident()?;
    r.expect("on")?;
    let table = r.relation()?;
    let _ = r.keyword("cascade") || r.keyword("restrict");
    if r.peek().is_some() {
        return Err(r.near());
    }
    let f = FIELD;
    Ok(format!(
        "{DROP_PART}{}{f}{name}{f}{table}",
        u8::from(if_exists)
    ))
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
