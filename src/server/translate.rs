//! Reading a message's SQL off the IO thread when it is large: the nesting check,
//! splitting, classifying and rewriting for SQLite.
//!
//! Every pass is linear in the text, but a message may be `--max-message-size` long
//! (16 MiB by default), and the IO threads (one by default) serve every client: tens
//! of milliseconds spent on one hostile statement would stall them all. Texts of at
//! least [`INLINE_MAX`] bytes are therefore handled on the blocking pool; small ones stay
//! inline, because a thread hand-off per statement costs more than the statement itself
//! (about 15% of `SELECT 1` throughput).

use std::ops::Range;
use std::sync::Arc;

use super::params::Params;
use crate::protocol::{PgError, SqlState};
use crate::sql::{self, Command};

/// Texts shorter than this are read on the IO thread (well under a millisecond).
pub(super) const INLINE_MAX: usize = 32 << 10;

/// A message's statements: each one's byte range in the text and what it is.
pub(super) type Statements = Vec<(Range<usize>, Command)>;

/// How many large texts are read at once, server-wide. Reading one takes memory in
/// proportion to its length (a token is 32 bytes: a 16 MiB list of one-digit numbers
/// makes about 8 million of them), so without a bound, clients sending large statements
/// together would multiply that; beyond this they wait their turn.
const LARGE_AT_ONCE: usize = 2;
static LARGE: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(LARGE_AT_ONCE);

/// Runs `f` on the blocking pool, one of at most
/// [`LARGE_AT_ONCE`].
async fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, PgError> + Send + 'static,
) -> Result<T, PgError> {
    // The semaphore is never closed, so acquiring cannot fail.
    let _turn = LARGE.acquire().await.ok();
    // A panic there is raised again on the session's task, like a worker's (XX000, FATAL).
    crate::engine::joined(tokio::task::spawn_blocking(f).await, "translation")?
}

/// `--max-statement-tokens`, set once at start (a server-wide limit, so sessions need
/// not carry it).
static MAX_TOKENS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(250_000);

/// Sets `--max-statement-tokens`.
pub fn set_max_statement_tokens(n: usize) {
    MAX_TOKENS.store(n, std::sync::atomic::Ordering::Relaxed);
}

/// Checks nesting and comments, splits `text` into statements and classifies each.
pub(super) async fn statements(text: &str, max_depth: usize) -> Result<Statements, PgError> {
    if text.len() < INLINE_MAX {
        return read_statements(text, max_depth);
    }
    let owned: Arc<str> = Arc::from(text);
    off_thread(move || read_statements(&owned, max_depth)).await
}

fn read_statements(text: &str, max_depth: usize) -> Result<Statements, PgError> {
    let shape = sql::lexer::shape(text);
    if shape.depth > max_depth {
        return Err(too_deep(max_depth));
    }
    let max_tokens = MAX_TOKENS.load(std::sync::atomic::Ordering::Relaxed);
    if shape.tokens > max_tokens {
        return Err(PgError::new(
            SqlState::PROGRAM_LIMIT_EXCEEDED,
            format!(
                "statement too large: {} tokens (at most {max_tokens})",
                shape.tokens
            ),
        )
        .with_hint(
            "litewire parses a statement whole, in memory proportional to its tokens \
             (--max-statement-tokens); send the data as parameters or with COPY.",
        ));
    }
    if shape.unterminated_comment {
        return Err(PgError::new(
            SqlState::SYNTAX_ERROR,
            "unterminated /* comment",
        ));
    }
    let base = text.as_ptr() as usize;
    Ok(sql::split(text)
        .into_iter()
        .map(|s| {
            let start = s.as_ptr() as usize - base;
            (start..start + s.len(), sql::classify(s))
        })
        .collect())
}

/// PostgreSQL's answer to a statement nested too deeply for its stack.
pub(super) fn too_deep(max_depth: usize) -> PgError {
    PgError::new(
        SqlState::STATEMENT_TOO_COMPLEX,
        "stack depth limit exceeded",
    )
    .with_hint(format!(
        "litewire accepts at most {max_depth} levels of nested parentheses, brackets \
             and chained operators (--max-nesting-depth)."
    ))
}

/// SQLite text for `source` (see `Session::sqlite_text`), on the blocking pool when the
/// statement is large or deeply nested. The session's parameters travel with the work and come back,
/// since `set_config()` may change them.
pub(super) async fn sqlite_text(
    params: &mut Params,
    source: &str,
    max_depth: usize,
) -> Result<Arc<str>, PgError> {
    // Read before the cache, which holds translations made with the setting on.
    let off = params
        .get("standard_conforming_strings")
        .is_some_and(|v| v.trim_matches('\'').eq_ignore_ascii_case("off"));
    if off && sql::unicode::has_escapes(source) {
        return Err(PgError::new(
            SqlState::FEATURE_NOT_SUPPORTED,
            "unsafe use of string constant with Unicode escapes",
        )
        .with_detail(
            "String constants with Unicode escapes cannot be used when \
             standard_conforming_strings is off.",
        ));
    }
    if let Some(known) = TRANSLATIONS.get(source) {
        return Ok(known);
    }
    // Parsing costs time in proportion to the text and, beyond it, to the nesting.
    let depth = sql::lexer::shape(source).depth;
    if source.len() < INLINE_MAX && depth <= INLINE_DEPTH {
        return translate(params, source, depth, max_depth);
    }
    let owned: Arc<str> = Arc::from(source);
    let mut moved = params.clone();
    let (text, moved) = off_thread(move || {
        let text = translate(&mut moved, &owned, depth, max_depth);
        Ok((text, moved))
    })
    .await?;
    *params = moved;
    text
}

/// `read(text, parser depth limit)` — a parse of a statement the session reads itself
/// (`PREPARE`, `EXECUTE`) — on a stack sized for its nesting, off the IO thread when the
/// text is large or deep, as translation is.
pub(super) async fn read<T: Send + 'static>(
    text: &str,
    max_depth: usize,
    read: impl FnOnce(&str, usize) -> Result<T, PgError> + Send + 'static,
) -> Result<T, PgError> {
    let depth = sql::lexer::shape(text).depth;
    if depth > max_depth {
        return Err(too_deep(max_depth));
    }
    let limit = max_depth.saturating_mul(8).max(64);
    if text.len() < INLINE_MAX && depth <= INLINE_DEPTH {
        return sql::parse::on_stack_for(depth, || read(text, limit));
    }
    let owned: Arc<str> = Arc::from(text);
    off_thread(move || sql::parse::on_stack_for(depth, || read(&owned, limit))).await
}

/// Statements nested deeper than this are translated off the IO thread.
const INLINE_DEPTH: usize = 32;

/// `source` read by the one parser and written out for SQLite (`sql::translate`), on a
/// stack sized for its nesting `depth` (`sql::parse::on_stack_for`).
fn translate(
    params: &mut Params,
    source: &str,
    depth: usize,
    max_depth: usize,
) -> Result<Arc<str>, PgError> {
    sql::parse::on_stack_for(depth, || translate_here(params, source, max_depth))
}

/// Translations of recently seen statement texts (`sql::cache`); a statement whose
/// translation read the session's settings (`current_setting`, the TimeZone of date
/// functions) is not kept, since another session may have others.
pub static TRANSLATIONS: sql::cache::TextCache<Arc<str>> = sql::cache::TextCache::new();

/// The session's settings, noting whether the translation read or changed any.
struct Recording<'a> {
    params: &'a mut Params,
    used: std::cell::Cell<bool>,
}

impl sql::translate::Settings for Recording<'_> {
    fn get(&self, name: &str) -> Option<String> {
        self.used.set(true);
        self.params.get(name)
    }
    fn set(&mut self, name: &str, value: &str) -> Result<String, PgError> {
        self.used.set(true);
        sql::translate::Settings::set(self.params, name, value)
    }
    fn all(&self) -> Vec<(String, String)> {
        self.used.set(true);
        self.params.all()
    }
}

fn translate_here(
    params: &mut Params,
    source: &str,
    max_depth: usize,
) -> Result<Arc<str>, PgError> {
    // PRAGMA is SQLite's own statement, with no PostgreSQL meaning to translate: it goes
    // as written, and the authorizer decides (engine/authorizer.rs).
    if sql::lexer::words(source)
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case("pragma"))
    {
        return Ok(Arc::from(source));
    }
    // CREATE and ALTER SEQUENCE (options in any order) and COMMENT ON (more objects than
    // the parser knows) are read by hand (sql/translate/objects.rs).
    if let Some(sqlite) = sql::translate::read_by_hand(source) {
        let sqlite: Arc<str> = Arc::from(sqlite?);
        TRANSLATIONS.insert(source, sqlite.clone(), sqlite.len());
        return Ok(sqlite);
    }
    // CREATE UNLOGGED TABLE: a table like any other, marked for the catalog.
    let logged = sql::translate::without_unlogged(source);
    // The parser counts several levels per parenthesis; the nesting check is the limit.
    let depth = max_depth.saturating_mul(8).max(64);
    let mut settings = Recording {
        params,
        used: std::cell::Cell::new(false),
    };
    // An arbiter the grammar lacks (ON CONFLICT (expr) / … WHERE): translated as its index.
    let arbiter = sql::translate::conflict::read(source);
    let text = match (&arbiter, &logged) {
        (Some(a), _) => a.statement.as_str(),
        (None, Some(without)) => without.as_str(),
        (None, None) => source,
    };
    let stmt = sql::parse::parse_one(text, depth)?;
    if let (Some(_), sqlparser::ast::Statement::CreateTable(ct)) = (&logged, &stmt) {
        if sql::translate::create::schema(&ct.name).as_deref() == Some("pg_temp") {
            return Err(PgError::new(
                SqlState::INVALID_TABLE_DEFINITION,
                "only temporary relations may be created in temporary schemas",
            ));
        }
    }
    let unlogged = match (&logged, &stmt) {
        (Some(_), sqlparser::ast::Statement::CreateTable(ct)) if !ct.temporary => ct
            .name
            .0
            .last()
            .map(|part| sql::lexer::fold_ident(&part.to_string())),
        _ => None,
    };
    let mut sqlite = sql::translate::to_sqlite(stmt, &mut settings)?;
    if let Some(a) = &arbiter {
        let index = sql::parse::parse_one(&a.index, depth)?;
        let index = sql::translate::to_sqlite(index, &mut settings)?;
        sqlite = sql::translate::conflict::attach(&sqlite, &index)
            .ok_or_else(|| sql::translate::unsupported("this ON CONFLICT arbiter"))?;
    }
    if let Some(table) = unlogged {
        sqlite = sql::translate::unlogged_batch(sqlite, &table);
    }
    if matches!(sql::translate::dml::overriding(source), Some((_, true))) {
        sqlite.insert_str(0, crate::engine::objects::OVERRIDING);
    }
    let sqlite: Arc<str> = Arc::from(sqlite);
    if !settings.used.get() {
        TRANSLATIONS.insert(source, sqlite.clone(), sqlite.len());
    }
    Ok(sqlite)
}

/// `current_setting()` / `set_config()` read and change the session's parameters.
impl sql::translate::Settings for Params {
    fn get(&self, name: &str) -> Option<String> {
        Params::get(self, name)
    }
    fn set(&mut self, name: &str, value: &str) -> Result<String, PgError> {
        Params::set(self, name, value)?;
        Ok(Params::get(self, name).unwrap_or_default())
    }
    fn all(&self) -> Vec<(String, String)> {
        Params::all(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_refused_before_splitting() {
        let deep = format!("select {}1{}", "(".repeat(1001), ")".repeat(1001));
        let e = read_statements(&deep, 1000).unwrap_err();
        assert_eq!(e.code, SqlState::STATEMENT_TOO_COMPLEX);
        assert_eq!(e.message, "stack depth limit exceeded");
        let ok = format!("select {}1{}", "(".repeat(1000), ")".repeat(1000));
        assert_eq!(read_statements(&ok, 1000).unwrap().len(), 1);
    }

    #[test]
    fn statements_are_ranges_of_the_text() {
        let text = "select 1; /* c */ select 'a;b'";
        let s = read_statements(text, 10).unwrap();
        assert_eq!(&text[s[0].0.clone()], "select 1");
        assert_eq!(&text[s[1].0.clone()], " /* c */ select 'a;b'");
    }
}
