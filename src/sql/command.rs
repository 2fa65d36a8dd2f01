//! Classifies one statement: which commands the session handles itself (transaction
//! control, session settings) and which go to SQLite, and what CommandComplete tag a
//! statement earns.

use super::copy::CopyStmt;
use super::cursor::{Declare, Fetch};
use super::lexer::{significant, words, TokenKind};
use crate::protocol::PgError;

/// How a `BEGIN` asks SQLite to take locks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BeginMode {
    /// Plain `BEGIN` / `START TRANSACTION` (PostgreSQL options are accepted and ignored).
    Deferred,
    /// SQLite's `BEGIN IMMEDIATE`: take the write lock now.
    Immediate,
    /// SQLite's `BEGIN EXCLUSIVE`.
    Exclusive,
}

/// A transaction isolation level, as PostgreSQL names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Isolation {
    /// Behaves as READ COMMITTED, as in PostgreSQL.
    ReadUncommitted,
    #[default]
    ReadCommitted,
    RepeatableRead,
    Serializable,
}

impl Isolation {
    /// Every level, in the order PostgreSQL lists them in its hint.
    pub const ALL: [Isolation; 4] = [
        Isolation::Serializable,
        Isolation::RepeatableRead,
        Isolation::ReadCommitted,
        Isolation::ReadUncommitted,
    ];

    /// The name `SHOW transaction_isolation` reports.
    pub fn name(self) -> &'static str {
        match self {
            Isolation::ReadUncommitted => "read uncommitted",
            Isolation::ReadCommitted => "read committed",
            Isolation::RepeatableRead => "repeatable read",
            Isolation::Serializable => "serializable",
        }
    }

    /// A level from its name (any case, words separated by any blanks).
    pub fn from_name(name: &str) -> Option<Isolation> {
        let words: Vec<&str> = name.split_whitespace().collect();
        Isolation::ALL.into_iter().find(|l| {
            l.name()
                .split(' ')
                .eq(words.iter().map(|w| w.to_ascii_lowercase()))
        })
    }

    /// Whether a transaction at this level may take a fresh snapshot before it writes:
    /// only at READ COMMITTED (and READ UNCOMMITTED), where each statement sees the
    /// latest commits. At REPEATABLE READ and SERIALIZABLE the first snapshot is kept.
    pub fn renews_snapshot(self) -> bool {
        matches!(self, Isolation::ReadUncommitted | Isolation::ReadCommitted)
    }
}

/// A `BEGIN` / `START TRANSACTION` and its options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Begin {
    pub mode: BeginMode,
    /// `READ ONLY` was given.
    pub read_only: bool,
    /// `READ WRITE` was given (overriding `default_transaction_read_only`).
    pub read_write: bool,
    /// `DEFERRABLE` (true) or `NOT DEFERRABLE` (false) was given.
    pub deferrable: Option<bool>,
    /// `ISOLATION LEVEL x` was given.
    pub isolation: Option<Isolation>,
    /// Spelled `START TRANSACTION` (its tag differs from BEGIN's).
    pub start: bool,
}

/// `SET TRANSACTION ...` (this transaction) or `SET SESSION CHARACTERISTICS AS
/// TRANSACTION ...` (`session`: the defaults of later ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetTransaction {
    pub session: bool,
    pub isolation: Option<Isolation>,
    /// `READ ONLY` (true) or `READ WRITE` (false).
    pub read_only: Option<bool>,
    /// `DEFERRABLE` (true) or `NOT DEFERRABLE` (false).
    pub deferrable: Option<bool>,
}

/// What a statement is, as far as the session is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Begin(Begin),
    /// `COMMIT` / `END` (and `COMMIT TRANSACTION` etc.); true with `AND CHAIN`.
    Commit {
        chain: bool,
    },
    /// `ROLLBACK` / `ABORT` without `TO`; true with `AND CHAIN`.
    Rollback {
        chain: bool,
    },
    Savepoint(String),
    Release(String),
    RollbackTo(String),
    /// `SET name = value` / `SET name TO value` / `SET SESSION ...` / `SET LOCAL ...`
    /// (`local`: undone when the transaction block ends).
    Set {
        name: String,
        value: String,
        local: bool,
    },
    /// `SET TRANSACTION ...` / `SET SESSION CHARACTERISTICS AS TRANSACTION ...`.
    SetTransaction(SetTransaction),
    Show(String),
    Reset(String),
    /// `DISCARD ALL` (and the other DISCARD forms).
    Discard,
    /// `DEALLOCATE [PREPARE] name`; None for `DEALLOCATE ALL`.
    Deallocate(Option<String>),
    /// `PREPARE name [(types)] AS statement` (read by `sql::prepare`).
    Prepare,
    /// `EXECUTE name [(args)]` (read by `sql::prepare`).
    Execute,
    /// `VACUUM INTO 'file'`: writes another file, so it is refused.
    VacuumInto,
    /// `ATTACH` / `DETACH`: would reach other files, so refused.
    Attach,
    /// A command accepted and answered with a tag, with nothing to do here: `UNLISTEN`
    /// (no notifications).
    NoOp(&'static str),
    /// A PostgreSQL command litewire does not support (LISTEN, NOTIFY).
    Unsupported(&'static str),
    /// `COPY ... FROM STDIN` / `TO STDOUT` (and the file forms, which are refused).
    Copy(CopyStmt),
    /// `DECLARE name CURSOR FOR query`.
    Declare(Declare),
    /// `FETCH` / `MOVE`.
    Fetch(Fetch),
    /// `CLOSE name`; None for `CLOSE ALL`.
    CloseCursor(Option<String>),
    /// A PostgreSQL statement SQLite runs as several (or none), e.g. `DROP TABLE a, b`.
    Several(super::ddl::Several),
    /// `ALTER TABLE` (`sql/alter.rs`, run by `engine/alter.rs`).
    Alter(Box<super::alter::Alter>),
    /// `ALTER INDEX … RENAME TO …` (the session recreates the index).
    RenameIndex(super::ddl::RenameIndex),
    /// `CREATE`/`DROP`/`ALTER DATABASE`, `BRANCH … TO …` (`server/databases.rs`).
    Database(super::database::DatabaseCommand),
    /// `LOCK [TABLE] name, … IN ACCESS SHARE MODE`: the tables as written.
    Lock(Vec<String>),
    /// A command recognized by its first word whose syntax is wrong or refused.
    Invalid(PgError),
    /// Anything else: run by SQLite, tagged with the given verb.
    Sql(Verb),
}

/// The verb of an ordinary statement, which decides its CommandComplete tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verb {
    Select,
    Insert,
    Update,
    Delete,
    /// A tag printed as is, e.g. `CREATE TABLE`, `DROP INDEX`, `VACUUM`.
    Fixed(&'static str),
    /// A word and the row count: `FETCH n`, `MOVE n`, `COPY n`.
    Counted(&'static str),
}

impl Verb {
    /// The CommandComplete tag for this verb, given the rows it returned or changed.
    pub fn tag(&self, rows: u64) -> String {
        match self {
            Verb::Select => format!("SELECT {rows}"),
            Verb::Insert => format!("INSERT 0 {rows}"),
            Verb::Update => format!("UPDATE {rows}"),
            Verb::Delete => format!("DELETE {rows}"),
            Verb::Fixed(t) => (*t).to_string(),
            Verb::Counted(w) => format!("{w} {rows}"),
        }
    }
}

/// `LOCK [TABLE] [ONLY] name [*], … [IN mode MODE] [NOWAIT]`. Only ACCESS SHARE (what
/// pg_dump takes) is accepted: it keeps other sessions from dropping or altering the
/// tables, which a transaction's SQLite snapshot already gives its reads. The other
/// modes would have to block writers: 0A000. PostgreSQL's default mode is ACCESS
/// EXCLUSIVE.
fn lock(sql: &str) -> Command {
    let tokens = rest_tokens(sql, 1);
    let mut at = 0;
    let is = |t: Option<&&str>, w: &str| t.is_some_and(|t| t.eq_ignore_ascii_case(w));
    if is(tokens.get(at), "TABLE") {
        at += 1;
    }
    let mut tables = Vec::new();
    let mut name = String::new();
    while let Some(t) = tokens.get(at) {
        if t.eq_ignore_ascii_case("IN") || t.eq_ignore_ascii_case("NOWAIT") || *t == ";" {
            break;
        }
        at += 1;
        if *t == "," {
            tables.push(std::mem::take(&mut name));
        } else if name.is_empty() && t.eq_ignore_ascii_case("ONLY") {
        } else if *t != "*" {
            name.push_str(t);
        }
    }
    tables.push(name);
    let mut mode = Vec::new();
    if is(tokens.get(at), "IN") {
        at += 1;
        while let Some(t) = tokens.get(at).filter(|t| !t.eq_ignore_ascii_case("MODE")) {
            mode.push(t.to_ascii_uppercase());
            at += 1;
        }
    }
    if tables.iter().any(String::is_empty) {
        return Command::Invalid(PgError::new(
            crate::protocol::SqlState::SYNTAX_ERROR,
            "syntax error in LOCK TABLE: a table name is missing",
        ));
    }
    match mode.join(" ").as_str() {
        "ACCESS SHARE" => Command::Lock(tables),
        "" => Command::Unsupported("LOCK TABLE in ACCESS EXCLUSIVE MODE"),
        m => Command::Unsupported(match m {
            "ROW SHARE" => "LOCK TABLE in ROW SHARE MODE",
            "ROW EXCLUSIVE" => "LOCK TABLE in ROW EXCLUSIVE MODE",
            "SHARE UPDATE EXCLUSIVE" => "LOCK TABLE in SHARE UPDATE EXCLUSIVE MODE",
            "SHARE" => "LOCK TABLE in SHARE MODE",
            "SHARE ROW EXCLUSIVE" => "LOCK TABLE in SHARE ROW EXCLUSIVE MODE",
            "EXCLUSIVE" => "LOCK TABLE in EXCLUSIVE MODE",
            _ => "LOCK TABLE in this mode",
        }),
    }
}

fn upper(w: Option<&str>) -> String {
    w.map(|w| w.to_ascii_uppercase()).unwrap_or_default()
}

/// The significant tokens of `sql` after skipping the first `skip` words, as text.
fn rest_tokens(sql: &str, skip: usize) -> Vec<&str> {
    let mut words_seen = 0;
    significant(sql)
        .filter(|t| {
            if words_seen < skip && t.kind == TokenKind::Word {
                words_seen += 1;
                false
            } else {
                words_seen >= skip
            }
        })
        .map(|t| &sql[t.start..t.end])
        .collect()
}

/// PostgreSQL's syntax error for a token that transaction control (`BEGIN …`, `COMMIT
/// …`, `SAVEPOINT s`…), read word by word here, cannot hold: it has only words, quoted
/// names and commas.
fn stray_token(sql: &str) -> Option<PgError> {
    significant(sql)
        .map(|t| (t.kind, &sql[t.start..t.end]))
        .find(|(kind, text)| match kind {
            TokenKind::Word | TokenKind::Semi => false,
            TokenKind::Quoted => !text.starts_with('"'),
            _ => *text != ",",
        })
        .map(|(_, text)| PgError::syntax_near(text))
}

/// The object a CREATE / ALTER / DROP names, upper-cased: its second word, or the
/// fourth after `CREATE OR REPLACE`.
fn object_word(sql: &str) -> String {
    let w: Vec<String> = words(sql).take(4).map(|w| w.to_ascii_uppercase()).collect();
    match w.as_slice() {
        [_, or, replace, object] if or == "OR" && replace == "REPLACE" => object.clone(),
        [_, object, ..] => object.clone(),
        _ => String::new(),
    }
}

/// Whether `sql` ends with `WITH [CASCADED | LOCAL] CHECK OPTION`.
fn ends_with_check_option(sql: &str) -> bool {
    let w: Vec<&str> = words(sql).collect();
    let is = |i: usize, word: &str| w.get(i).is_some_and(|x| x.eq_ignore_ascii_case(word));
    let n = w.len();
    n >= 3
        && is(n - 1, "option")
        && is(n - 2, "check")
        && (is(n - 3, "with")
            || (n >= 4 && (is(n - 3, "cascaded") || is(n - 3, "local")) && is(n - 4, "with")))
}

/// Classifies one statement (as produced by [`super::split`]).
pub fn classify(sql: &str) -> Command {
    let mut w = words(sql);
    let first = upper(w.next());
    let second = upper(w.next());
    if matches!(
        first.as_str(),
        "BEGIN" | "START" | "COMMIT" | "END" | "ROLLBACK" | "ABORT" | "SAVEPOINT" | "RELEASE"
    ) {
        if matches!(first.as_str(), "COMMIT" | "ROLLBACK") && second == "PREPARED" {
            return Command::Unsupported("COMMIT/ROLLBACK PREPARED (two-phase commit)");
        }
        if let Some(e) = stray_token(sql) {
            return Command::Invalid(e);
        }
    }
    match first.as_str() {
        "BEGIN" | "START" => {
            let all: Vec<String> = words(sql).map(|w| w.to_ascii_uppercase()).collect();
            let read_only = all.windows(2).any(|w| w[0] == "READ" && w[1] == "ONLY");
            let read_write = all.windows(2).any(|w| w[0] == "READ" && w[1] == "WRITE");
            let isolation = match isolation_level(&all) {
                Ok(level) => level,
                Err(e) => return Command::Invalid(e),
            };
            Command::Begin(Begin {
                mode: match second.as_str() {
                    "IMMEDIATE" => BeginMode::Immediate,
                    "EXCLUSIVE" => BeginMode::Exclusive,
                    _ => BeginMode::Deferred,
                },
                read_only,
                read_write,
                deferrable: deferrable(&all),
                isolation,
                start: first == "START",
            })
        }
        "COMMIT" | "END" => Command::Commit {
            chain: and_chain(sql),
        },
        "ROLLBACK" | "ABORT" => {
            let rest: Vec<String> = words(sql).skip(1).map(|w| w.to_ascii_uppercase()).collect();
            match rest.iter().position(|w| w == "TO") {
                Some(i) => {
                    let name_at = if rest.get(i + 1).map(String::as_str) == Some("SAVEPOINT") {
                        i + 2
                    } else {
                        i + 1
                    };
                    Command::RollbackTo(savepoint_name(sql, name_at + 1))
                }
                None => Command::Rollback {
                    chain: and_chain(sql),
                },
            }
        }
        "SAVEPOINT" => Command::Savepoint(savepoint_name(sql, 1)),
        "RELEASE" => {
            let at = if second == "SAVEPOINT" { 2 } else { 1 };
            Command::Release(savepoint_name(sql, at))
        }
        "SET" => set_command(sql),
        "SHOW" if second == "TRANSACTION" => Command::Show("transaction_isolation".into()),
        "SHOW" => Command::Show(rest_tokens(sql, 1).concat().to_ascii_lowercase()),
        "DISCARD" => Command::Discard,
        "DEALLOCATE" => {
            let at = if second == "PREPARE" { 2 } else { 1 };
            match rest_tokens(sql, at).first() {
                Some(w) if w.eq_ignore_ascii_case("all") => Command::Deallocate(None),
                Some(w) => Command::Deallocate(Some(super::lexer::fold_ident(w))),
                None => Command::Deallocate(None),
            }
        }
        "PREPARE" => Command::Prepare,
        "EXECUTE" => Command::Execute,
        "RESET" => Command::Reset(rest_tokens(sql, 1).concat().to_ascii_lowercase()),
        "VACUUM" if words(sql).any(|w| w.eq_ignore_ascii_case("into")) => Command::VacuumInto,
        "ATTACH" | "DETACH" => Command::Attach,
        "UNLISTEN" => Command::NoOp("UNLISTEN"),
        "LOCK" => lock(sql),
        "CREATE" | "DROP" | "ALTER" if second == "DATABASE" => {
            super::database::parse(sql).map_or_else(Command::Invalid, Command::Database)
        }
        "BRANCH" => super::database::parse(sql).map_or_else(Command::Invalid, Command::Database),
        "CREATE" | "DROP" if second == "EXTENSION" => extension(sql, first == "CREATE"),
        // No policy can exist, since row-level security cannot be turned on.
        // Valid PostgreSQL the grammar lacks: named, rather than a syntax error.
        // CREATE/DROP RULE are read by translate/rules.rs.
        "ALTER" if object_word(sql) == "RULE" => Command::Unsupported("ALTER RULE"),
        "CREATE" | "ALTER" | "DROP" if second == "OPERATOR" => Command::Unsupported(
            "operators, operator classes and families (CREATE/ALTER/DROP OPERATOR)",
        ),
        "CREATE" | "ALTER" | "DROP" if second == "POLICY" => {
            Command::Unsupported(match first.as_str() {
                "CREATE" => "CREATE POLICY (row-level security)",
                "ALTER" => "ALTER POLICY (row-level security)",
                _ => "DROP POLICY (row-level security)",
            })
        }
        // A view's CHECK OPTION guards writes through it, which litewire's views take
        // none of (sqlparser's grammar lacks the clause: named, rather than 42601).
        "CREATE"
            if words(sql).take(5).any(|w| w.eq_ignore_ascii_case("view"))
                && ends_with_check_option(sql) =>
        {
            Command::Unsupported("WITH CHECK OPTION (writes through a view)")
        }
        "LISTEN" => Command::Unsupported("LISTEN"),
        "NOTIFY" => Command::Unsupported("NOTIFY"),
        "DECLARE" => {
            super::cursor::parse_declare(sql).map_or_else(Command::Invalid, Command::Declare)
        }
        "FETCH" | "MOVE" => {
            super::cursor::parse_fetch(sql).map_or_else(Command::Invalid, Command::Fetch)
        }
        "CLOSE" => {
            super::cursor::parse_close(sql).map_or_else(Command::Invalid, Command::CloseCursor)
        }
        // sqlparser takes either order; PostgreSQL's grammar only this one.
        "EXPLAIN"
            if second == "VERBOSE"
                && words(sql).nth(2).is_some_and(|w| {
                    w.eq_ignore_ascii_case("analyze") || w.eq_ignore_ascii_case("analyse")
                }) =>
        {
            Command::Invalid(PgError::syntax_near(words(sql).nth(2).unwrap_or_default()))
        }
        "COPY" => super::copy::parse(sql).map_or_else(Command::Invalid, Command::Copy),
        "REINDEX" => super::ddl::reindex(sql).map_or_else(Command::Invalid, Command::Several),
        "ALTER" if second == "TABLE" => super::alter::classify(sql),
        // ALTER INDEX … SET STATISTICS: checked on the database (translate/objects.rs).
        "ALTER"
            if second == "INDEX" && words(sql).any(|w| w.eq_ignore_ascii_case("statistics")) =>
        {
            Command::Sql(Verb::Fixed("ALTER INDEX"))
        }
        "ALTER" if second == "INDEX" => {
            super::ddl::alter_index(sql).map_or_else(Command::Invalid, Command::RenameIndex)
        }
        "DROP" | "TRUNCATE" | "VACUUM" | "ALTER" => match super::ddl::translate(sql) {
            Some(several) => Command::Several(several),
            None => Command::Sql(verb(sql)),
        },
        _ => Command::Sql(verb(sql)),
    }
}

/// The level after `ISOLATION LEVEL` among upper-cased `words`, if any.
fn isolation_level(words: &[String]) -> Result<Option<Isolation>, PgError> {
    let Some(at) = words
        .windows(2)
        .position(|w| w[0] == "ISOLATION" && w[1] == "LEVEL")
    else {
        return Ok(None);
    };
    let rest = &words[at + 2..];
    let first = rest.first().map(String::as_str).unwrap_or("");
    let level = match (first, rest.get(1).map(String::as_str)) {
        ("SERIALIZABLE", _) => Isolation::Serializable,
        ("REPEATABLE", Some("READ")) => Isolation::RepeatableRead,
        ("READ", Some("COMMITTED")) => Isolation::ReadCommitted,
        ("READ", Some("UNCOMMITTED")) => Isolation::ReadUncommitted,
        ("REPEATABLE" | "READ", next) => {
            return Err(PgError::syntax_near(
                &next.unwrap_or("").to_ascii_lowercase(),
            ))
        }
        _ => return Err(PgError::syntax_near(&first.to_ascii_lowercase())),
    };
    Ok(Some(level))
}

/// `DEFERRABLE` / `NOT DEFERRABLE` among upper-cased `words`.
fn deferrable(words: &[String]) -> Option<bool> {
    let at = words.iter().position(|w| w == "DEFERRABLE")?;
    Some(at == 0 || words[at - 1] != "NOT")
}

/// `... AND CHAIN` (but not `AND NO CHAIN`).
fn and_chain(sql: &str) -> bool {
    let w: Vec<String> = words(sql).map(|w| w.to_ascii_uppercase()).collect();
    w.windows(2).any(|p| p[0] == "AND" && p[1] == "CHAIN")
}

/// The savepoint name: the significant token after `skip` leading words.
fn savepoint_name(sql: &str, skip: usize) -> String {
    rest_tokens(sql, skip)
        .first()
        .map(|t| super::lexer::fold_ident(t))
        .unwrap_or_default()
}

fn set_command(sql: &str) -> Command {
    let mut toks = rest_tokens(sql, 1);
    let local = toks
        .first()
        .is_some_and(|t| t.eq_ignore_ascii_case("local"));
    if let Some(first) = toks.first() {
        if first.eq_ignore_ascii_case("session") || local {
            toks.remove(0);
        }
    }
    // `SET TRANSACTION ...` / `SET SESSION CHARACTERISTICS AS TRANSACTION ...`
    if let Some(i) = toks
        .iter()
        .position(|t| t.eq_ignore_ascii_case("transaction"))
    {
        if i <= 3 {
            let session = toks[0].eq_ignore_ascii_case("characteristics");
            let modes: Vec<String> = toks[i + 1..]
                .iter()
                .map(|t| t.to_ascii_uppercase())
                .collect();
            let read_only = if modes.windows(2).any(|w| w[0] == "READ" && w[1] == "ONLY") {
                Some(true)
            } else if modes.windows(2).any(|w| w[0] == "READ" && w[1] == "WRITE") {
                Some(false)
            } else {
                None
            };
            return match isolation_level(&modes) {
                Ok(isolation) => Command::SetTransaction(SetTransaction {
                    session,
                    isolation,
                    read_only,
                    deferrable: deferrable(&modes),
                }),
                Err(e) => Command::Invalid(e),
            };
        }
    }
    // `SET [SESSION] ROLE x` and `SET SESSION AUTHORIZATION x`: PostgreSQL's own syntax
    // (no `TO`), read as the parameter `role` (server/params.rs).
    if toks.len() >= 2
        && (toks[0].eq_ignore_ascii_case("role") || toks[0].eq_ignore_ascii_case("authorization"))
    {
        return Command::Set {
            name: "role".into(),
            value: unquote_value(&toks[1..].join(" ")),
            local,
        };
    }
    // `SET TIME ZONE x` is PostgreSQL's spelling of `SET timezone = x`.
    if toks.len() >= 2
        && toks[0].eq_ignore_ascii_case("time")
        && toks[1].eq_ignore_ascii_case("zone")
    {
        let value = toks[2..].join(" ");
        return Command::Set {
            name: "timezone".into(),
            value: unquote_value(&value),
            local,
        };
    }
    let split_at = toks
        .iter()
        .position(|t| *t == "=" || t.eq_ignore_ascii_case("to"))
        .unwrap_or(toks.len().min(1));
    let name = toks[..split_at].concat().to_ascii_lowercase();
    let value = toks
        .get(split_at + 1..)
        .map(|v| v.join(" "))
        .unwrap_or_default();
    Command::Set {
        name,
        value: unquote_value(&value),
        local,
    }
}

/// Extensions whose functions litewire has built in: `gen_random_uuid()` (pgcrypto),
/// `uuid_generate_v4()` (uuid-ossp), plpgsql (DO blocks litewire reads itself).
const BUILT_IN_EXTENSIONS: [&str; 3] = ["pgcrypto", "uuid-ossp", "plpgsql"];

/// `CREATE EXTENSION [IF NOT EXISTS] name …` / `DROP EXTENSION [IF EXISTS] name …`: a
/// built-in one is there already, so either is accepted and changes nothing; another is
/// 0A000 naming it (`DROP EXTENSION IF EXISTS` of it does nothing, as in PostgreSQL).
fn extension(sql: &str, create: bool) -> Command {
    let mut words = super::lexer::significant(sql)
        .map(|t| &sql[t.start..t.end])
        .skip(2)
        .peekable();
    let mut if_exists = false;
    while let Some(w) = words.peek() {
        if ["if", "not", "exists"]
            .iter()
            .any(|k| w.eq_ignore_ascii_case(k))
        {
            if_exists = true;
            words.next();
        } else {
            break;
        }
    }
    let name = words
        .next()
        .map(super::lexer::fold_ident)
        .unwrap_or_default();
    let tag = if create {
        "CREATE EXTENSION"
    } else {
        "DROP EXTENSION"
    };
    if BUILT_IN_EXTENSIONS.contains(&name.as_str()) || (!create && if_exists) {
        return Command::NoOp(tag);
    }
    Command::Invalid(PgError::new(
        crate::protocol::SqlState::FEATURE_NOT_SUPPORTED,
        format!("extension \"{name}\" is not available in litewire"),
    ))
}

/// `'ISO, MDY'` → `ISO, MDY`; unquoted words are kept (PostgreSQL keeps their case for
/// values such as `DateStyle`).
fn unquote_value(v: &str) -> String {
    let v = v.trim();
    if v.len() >= 2 && v.starts_with('\'') && v.ends_with('\'') {
        v[1..v.len() - 1].replace("''", "'")
    } else {
        v.replace(" , ", ", ")
    }
}

/// The verb of an ordinary statement. For `WITH ...` it is the verb after the CTEs.
fn verb(sql: &str) -> Verb {
    let mut depth = 0i32;
    let mut first = true;
    let mut prev = String::new();
    for t in significant(sql) {
        match t.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => depth -= 1,
            TokenKind::Word if depth == 0 => {
                let w = sql[t.start..t.end].to_ascii_uppercase();
                if first && w != "WITH" {
                    return leading_verb(sql, &w);
                }
                first = false;
                if prev != "WITH" && prev != "RECURSIVE" && prev != "," {
                    match w.as_str() {
                        "SELECT" | "VALUES" => return Verb::Select,
                        "INSERT" | "REPLACE" => return Verb::Insert,
                        "UPDATE" => return Verb::Update,
                        "DELETE" => return Verb::Delete,
                        "MERGE" => return Verb::Counted("MERGE"),
                        _ => {}
                    }
                }
                prev = w;
                continue;
            }
            TokenKind::Other if depth == 0 && &sql[t.start..t.end] == "," => {
                prev = ",".into();
                continue;
            }
            _ => {}
        }
        if depth == 0 {
            prev.clear();
        }
    }
    Verb::Select
}

fn leading_verb(sql: &str, first: &str) -> Verb {
    let rest: Vec<String> = words(sql)
        .skip(1)
        .take(5)
        .map(|w| w.to_ascii_uppercase())
        .collect();
    let obj = |skip_words: &[&str]| -> String {
        rest.iter()
            .find(|w| !skip_words.contains(&w.as_str()))
            .cloned()
            .unwrap_or_default()
    };
    match first {
        "SELECT" | "VALUES" | "TABLE" | "PRAGMA" => Verb::Select,
        "INSERT" | "REPLACE" => Verb::Insert,
        "UPDATE" => Verb::Update,
        "DELETE" => Verb::Delete,
        "MERGE" => Verb::Counted("MERGE"),
        "CREATE" => Verb::Fixed(
            match obj(&[
                "TEMP",
                "TEMPORARY",
                "UNLOGGED",
                "UNIQUE",
                "VIRTUAL",
                "OR",
                "REPLACE",
                "RECURSIVE",
            ])
            .as_str()
            {
                "TABLE" => "CREATE TABLE",
                "INDEX" => "CREATE INDEX",
                "VIEW" => "CREATE VIEW",
                "TRIGGER" => "CREATE TRIGGER",
                "SEQUENCE" => "CREATE SEQUENCE",
                "TYPE" => "CREATE TYPE",
                "DOMAIN" => "CREATE DOMAIN",
                "FUNCTION" => "CREATE FUNCTION",
                "ROLE" | "USER" => "CREATE ROLE",
                "RULE" => "CREATE RULE",
                "SCHEMA" => "CREATE SCHEMA",
                _ => "CREATE",
            },
        ),
        "DROP" => Verb::Fixed(match obj(&[]).as_str() {
            "TABLE" => "DROP TABLE",
            "INDEX" => "DROP INDEX",
            "VIEW" => "DROP VIEW",
            "TRIGGER" => "DROP TRIGGER",
            "SEQUENCE" => "DROP SEQUENCE",
            "TYPE" => "DROP TYPE",
            "DOMAIN" => "DROP DOMAIN",
            "FUNCTION" => "DROP FUNCTION",
            "ROLE" | "USER" => "DROP ROLE",
            "RULE" => "DROP RULE",
            "SCHEMA" => "DROP SCHEMA",
            _ => "DROP",
        }),
        "ALTER" => Verb::Fixed(match obj(&[]).as_str() {
            "SEQUENCE" => "ALTER SEQUENCE",
            "FUNCTION" => "ALTER FUNCTION",
            "TYPE" => "ALTER TYPE",
            _ => "ALTER TABLE",
        }),
        "COMMENT" => Verb::Fixed("COMMENT"),
        "VACUUM" => Verb::Fixed("VACUUM"),
        "ANALYZE" => Verb::Fixed("ANALYZE"),
        "REINDEX" => Verb::Fixed("REINDEX"),
        "CLUSTER" => Verb::Fixed("CLUSTER"),
        "EXPLAIN" => Verb::Fixed("EXPLAIN"),
        _ => Verb::Fixed("OK"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transaction_control_with_a_stray_token_is_a_syntax_error() {
        for (sql, near) in [
            ("START TRANSACTION ISOLATION LEVEL REPEATABLE READ\\", "\\"),
            ("COMMIT\\", "\\"),
            ("savepoint 'x'", "'x'"),
            ("begin; (", "("),
        ] {
            match classify(sql) {
                Command::Invalid(e) => {
                    assert_eq!(e.message, PgError::syntax_near(near).message, "{sql}")
                }
                other => panic!("{sql}: {other:?}"),
            }
        }
        assert!(matches!(
            classify("begin isolation level read committed, read only;"),
            Command::Begin(_)
        ));
        assert!(matches!(classify("savepoint \"A b\""), Command::Savepoint(n) if n == "A b"));
        assert!(matches!(
            classify("commit prepared 'gid'"),
            Command::Unsupported(_)
        ));
    }

    #[test]
    fn a_views_check_option_is_named() {
        for sql in [
            "create view v as select * from t with cascaded check option;",
            "CREATE OR REPLACE TEMP VIEW v AS SELECT a FROM t WHERE a > 0 WITH CHECK OPTION",
            "create view v as select 1 with local check option",
        ] {
            assert!(
                matches!(classify(sql), Command::Unsupported(w) if w.contains("CHECK OPTION")),
                "{sql}"
            );
        }
        for sql in [
            "create view v as select 'with check option' as x",
            "create table check_option (a int)",
        ] {
            assert!(!matches!(classify(sql), Command::Unsupported(_)), "{sql}");
        }
    }

    #[test]
    fn valid_statements_litewire_lacks_are_named_not_syntax_errors() {
        for sql in [
            "alter rule r on t rename to r2",
            "create operator class c for type int4 using hash as operator 1 =",
            "drop operator === (int4, int4)",
        ] {
            assert!(matches!(classify(sql), Command::Unsupported(_)), "{sql}");
        }
    }

    #[test]
    fn transaction_control() {
        let begin = |mode, read_only, start| {
            Command::Begin(Begin {
                mode,
                read_only,
                read_write: false,
                deferrable: None,
                isolation: None,
                start,
            })
        };
        assert_eq!(classify("BEGIN"), begin(BeginMode::Deferred, false, false));
        assert_eq!(
            classify("begin isolation level serializable"),
            Command::Begin(Begin {
                mode: BeginMode::Deferred,
                read_only: false,
                read_write: false,
                deferrable: None,
                isolation: Some(Isolation::Serializable),
                start: false,
            })
        );
        assert_eq!(
            classify("START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"),
            Command::Begin(Begin {
                mode: BeginMode::Deferred,
                read_only: true,
                read_write: false,
                deferrable: None,
                isolation: Some(Isolation::RepeatableRead),
                start: true,
            })
        );
        let Command::Invalid(e) = classify("begin isolation level bogus") else {
            panic!("an unknown isolation level was accepted");
        };
        assert_eq!(e.message, "syntax error at or near \"bogus\"");
        assert_eq!(
            classify("START TRANSACTION READ ONLY"),
            begin(BeginMode::Deferred, true, true)
        );
        assert_eq!(
            classify("begin immediate"),
            begin(BeginMode::Immediate, false, false)
        );
        assert_eq!(
            classify("end transaction"),
            Command::Commit { chain: false }
        );
        assert_eq!(
            classify("commit and chain"),
            Command::Commit { chain: true }
        );
        assert_eq!(
            classify("commit and no chain"),
            Command::Commit { chain: false }
        );
        assert_eq!(classify("abort"), Command::Rollback { chain: false });
        assert_eq!(classify("attach 'x' as y"), Command::Attach);
        assert_eq!(
            classify("ROLLBACK TO SAVEPOINT a"),
            Command::RollbackTo("a".into())
        );
        assert_eq!(
            classify("rollback to \"B\""),
            Command::RollbackTo("B".into())
        );
        assert_eq!(classify("savepoint Sp1"), Command::Savepoint("sp1".into()));
        assert_eq!(
            classify("release savepoint sp1"),
            Command::Release("sp1".into())
        );
        assert_eq!(classify("release sp1"), Command::Release("sp1".into()));
    }

    #[test]
    fn settings() {
        assert_eq!(
            classify("SET application_name = 'x y'"),
            Command::Set {
                name: "application_name".into(),
                value: "x y".into(),
                local: false
            }
        );
        assert_eq!(
            classify("set session DateStyle to ISO, MDY"),
            Command::Set {
                name: "datestyle".into(),
                value: "ISO, MDY".into(),
                local: false
            }
        );
        assert_eq!(
            classify("SET TIME ZONE 'UTC'"),
            Command::Set {
                name: "timezone".into(),
                value: "UTC".into(),
                local: false
            }
        );
        assert_eq!(
            classify("show server_version"),
            Command::Show("server_version".into())
        );
        assert_eq!(classify("SHOW ALL"), Command::Show("all".into()));
        assert_eq!(classify("reset all"), Command::Reset("all".into()));
        assert_eq!(
            classify("SHOW TRANSACTION ISOLATION LEVEL"),
            Command::Show("transaction_isolation".into())
        );
        assert_eq!(classify("DEALLOCATE ALL"), Command::Deallocate(None));
        assert_eq!(
            classify("deallocate prepare s1"),
            Command::Deallocate(Some("s1".into()))
        );
        assert_eq!(classify("DISCARD ALL"), Command::Discard);
    }

    #[test]
    fn set_transaction() {
        let set = |session, isolation, read_only| {
            Command::SetTransaction(SetTransaction {
                session,
                isolation,
                read_only,
                deferrable: None,
            })
        };
        assert_eq!(
            classify("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"),
            set(false, Some(Isolation::Serializable), None)
        );
        assert_eq!(
            classify("set transaction read only"),
            set(false, None, Some(true))
        );
        assert_eq!(
            classify("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL read uncommitted"),
            set(true, Some(Isolation::ReadUncommitted), None)
        );
        assert_eq!(
            classify("set transaction isolation level repeatable read, read write"),
            set(false, Some(Isolation::RepeatableRead), Some(false))
        );
        assert!(matches!(
            classify("set transaction isolation level repeatable"),
            Command::Invalid(_)
        ));
        assert_eq!(
            classify("set transaction_isolation = 'serializable'"),
            Command::Set {
                name: "transaction_isolation".into(),
                value: "serializable".into(),
                local: false
            }
        );
    }

    #[test]
    fn isolation_names() {
        for level in Isolation::ALL {
            assert_eq!(Isolation::from_name(level.name()), Some(level));
        }
        assert_eq!(
            Isolation::from_name("REPEATABLE   Read"),
            Some(Isolation::RepeatableRead)
        );
        assert_eq!(Isolation::from_name("repeatable"), None);
        assert!(Isolation::ReadUncommitted.renews_snapshot());
        assert!(!Isolation::Serializable.renews_snapshot());
    }

    #[test]
    fn tags() {
        let tag = |s: &str, n| match classify(s) {
            Command::Sql(v) => v.tag(n),
            other => panic!("{other:?}"),
        };
        assert_eq!(tag("select 1", 1), "SELECT 1");
        assert_eq!(tag("insert into t values (1)", 1), "INSERT 0 1");
        assert_eq!(
            tag("with x as (select 1) insert into t select * from x", 1),
            "INSERT 0 1"
        );
        assert_eq!(
            tag("with a as (select 1), b as (delete from t) select 1", 3),
            "SELECT 3"
        );
        assert_eq!(
            tag("merge into t using s on true when matched then delete", 2),
            "MERGE 2"
        );
        assert_eq!(
            tag("with merge as (select 1) merge into t using merge m on true when matched then do nothing", 0),
            "MERGE 0"
        );
        assert_eq!(
            tag("WITH RECURSIVE c(x) AS (SELECT 1) UPDATE t SET a = 1", 2),
            "UPDATE 2"
        );
        assert_eq!(tag("create unique index i on t(a)", 0), "CREATE INDEX");
        assert_eq!(tag("create temp table t(a)", 0), "CREATE TABLE");
        assert_eq!(
            tag("create or replace temp recursive view v (n) as select 1", 0),
            "CREATE VIEW"
        );
        assert_eq!(tag("drop table if exists t", 0), "DROP TABLE");
        assert_eq!(tag("delete from t", 5), "DELETE 5");
        assert_eq!(classify("vacuum into '/tmp/x'"), Command::VacuumInto);
    }
}
