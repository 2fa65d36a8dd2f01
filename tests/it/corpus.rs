//! The differential corpus (tests/corpus, see its README): 42 of PostgreSQL 15's
//! regression files run statement by statement on litewire, each on a fresh database after
//! test_setup.sql, and compared with PostgreSQL 15's answers recorded in
//! tests/corpus/expected. One runner serves both sides: with `LITEWIRE_CORPUS_RECORD` set
//! to a connection string it records PostgreSQL's answers instead of checking.
//!
//! Per file the statements are counted as same / litewire error / different, plus
//! excluded (out of scope, run but not counted); the test fails when a file falls below
//! tests/corpus/ratchet.txt (`LITEWIRE_CORPUS_RATCHET=update` rewrites it). The report goes
//! to target/corpus-report.txt, each failing statement to target/corpus-failures.txt.

mod client;
mod split;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use regex_lite::Regex;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::common::Server;
use client::{Reply, Row, Wire};
use split::{Item, Splitter};

/// The measured files, in tests/corpus/sql.
const FILES: &[&str] = &[
    "boolean",
    "char",
    "varchar",
    "text",
    "int2",
    "int4",
    "int8",
    "float4",
    "float8",
    "numeric",
    "uuid",
    "strings",
    "date",
    "time",
    "timestamp",
    "timestamptz",
    "interval",
    "json",
    "jsonb",
    "arrays",
    "select",
    "select_distinct",
    "select_distinct_on",
    "select_having",
    "join",
    "aggregates",
    "subselect",
    "with",
    "window",
    "union",
    "case",
    "limit",
    "insert",
    "update",
    "delete",
    "transactions",
    "prepare",
    "create_table",
    "create_index",
    "alter_table",
    "copy2",
    "insert_conflict",
];

/// Run first in every file's database.
const SETUP: &str = "test_setup";

/// Statements out of scope for litewire (issue 9): run, so that later statements see
/// their effects, but reported as excluded and left out of the percentages. The rules look
/// at the statement's text (case-insensitive, string literals emptied first), so they also
/// catch statements on the tables such statements made: test_setup's inheritance and
/// geometric tables, the partitioning tests' `*parted*` tables.
const EXCLUDED: &[(&str, &str)] = &[
    (
        "partitioning",
        r"\bpartition\s+(of|by\s+(range|list|hash))\b|\b(attach|detach)\s+partition\b|parted",
    ),
    (
        "table inheritance",
        r"\binherits\b|\b(no\s+)?inherit\s+\w|\b(from|table|update|join|truncate)\s+only\b|\b(from|join|into|table|update)\s+(person|emp|student|stud_emp|road|ihighway|shighway)\b",
    ),
    ("PL/pgSQL", r"\bplpgsql\b|^do\b"),
    (
        "user-defined base type",
        r#"\bcreate\s+type\s+[\w."]+\s*(\(|;|$)"#,
    ),
    (
        "geometric types",
        r"\b(point|box|circle|lseg|polygon|point_tbl|slow_emp4000|fast_emp4000)\b|::\s*(line|path)\b|\b(line|path)\s+''",
    ),
    (
        "full-text search",
        // json_to_tsvector and friends are full-text search functions too.
        r"\b\w*(tsvector|tsquery)\b|\bts_(headline|rank|rank_cd|lexize|debug)\b",
    ),
    // A plan is the engine's own output (SQLite's), never PostgreSQL's.
    ("EXPLAIN", r"^(\s|--[^\n]*\n|/\*[^*]*\*/)*explain\b"),
];

/// Results up to this many rows are recorded in full; larger ones as count and hash
/// plus the first `HEAD_ROWS` rows for reading.
const FULL_ROWS: usize = 20;
const HEAD_ROWS: usize = 3;

/// litewire's own limit (its `--statement-timeout`), and the client's limit on any one
/// statement on either side: past it the connection is dropped and reopened.
const LITEWIRE_STATEMENT_TIMEOUT: &str = "5s";
const CLIENT_LIMIT: Duration = Duration::from_secs(20);

/// Files run at once against litewire.
const PARALLEL_FILES: usize = 3;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// One statement's answer, as recorded and as compared.
#[derive(Clone, Debug)]
enum Answer {
    /// Success with its rows (canonical order: see [`canonical`]).
    Rows {
        count: usize,
        sha256: String,
        head: Vec<Row>,
    },
    Error {
        code: String,
        message: String,
    },
    /// Not run (`\gset`, `\gexec`…).
    Skipped,
}

impl Answer {
    fn rows(mut rows: Vec<Row>, ordered: bool) -> Answer {
        if !ordered {
            rows.sort();
        }
        let canonical = serde_json::to_string(&rows).expect("rows serialize");
        let sha256 =
            Sha256::digest(canonical.as_bytes())
                .iter()
                .fold(String::new(), |mut hex, b| {
                    let _ = write!(hex, "{b:02x}");
                    hex
                });
        let count = rows.len();
        rows.truncate(if count <= FULL_ROWS { count } else { HEAD_ROWS });
        Answer::Rows {
            count,
            sha256,
            head: rows,
        }
    }

    /// A failure without an SQLSTATE (connection lost, no answer in time): an error.
    fn failure(what: &str, detail: &dyn std::fmt::Display) -> Answer {
        Answer::Error {
            code: what.to_string(),
            message: detail.to_string(),
        }
    }

    /// A line of expected/<file>.jsonl.
    fn to_json(&self, n: usize, sql: &str, copy_data: bool) -> Value {
        let mut line = json!({"n": n, "sql": excerpt(sql, 200)});
        match self {
            Answer::Rows { count, head, .. } if *count <= FULL_ROWS => line["rows"] = json!(head),
            Answer::Rows {
                count,
                sha256,
                head,
            } => {
                line["count"] = json!(count);
                line["sha256"] = json!(sha256);
                line["head"] = json!(head);
            }
            Answer::Error { code, message } => {
                line["error"] = json!(code);
                line["message"] = json!(excerpt(message, 200));
            }
            Answer::Skipped => line["skipped"] = json!(true),
        }
        if copy_data {
            line["copy_data"] = json!(true);
        }
        line
    }

    fn from_json(line: &Value) -> Answer {
        let rows = |v: &Value| -> Vec<Row> { serde_json::from_value(v.clone()).expect("rows") };
        if let Some(full) = line.get("rows") {
            // Small results are stored whole; their hash is recomputed.
            return Answer::rows(rows(full), true);
        }
        if let Some(code) = line.get("error") {
            return Answer::Error {
                code: code.as_str().unwrap_or_default().to_string(),
                message: line["message"].as_str().unwrap_or_default().to_string(),
            };
        }
        if line.get("skipped").is_some() {
            return Answer::Skipped;
        }
        Answer::Rows {
            count: line["count"].as_u64().expect("count") as usize,
            sha256: line["sha256"].as_str().expect("sha256").to_string(),
            head: rows(&line["head"]),
        }
    }

    /// The first lines, for the failures file.
    fn summary(&self) -> String {
        match self {
            Answer::Rows { count, head, .. } => {
                let shown: Vec<String> = head
                    .iter()
                    .take(HEAD_ROWS)
                    .map(|r| format!("{r:?}"))
                    .collect();
                format!("ok, {count} rows: {}", shown.join(" "))
            }
            Answer::Error { code, message } => format!("ERROR {code}: {message}"),
            Answer::Skipped => "skipped".into(),
        }
    }
}

fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// Whether a statement fixes the order of its rows: an `ORDER BY` outside parentheses
/// (outside quotes and comments too). Other results are compared as sorted multisets.
fn has_top_level_order_by(sql: &str) -> bool {
    let bytes = sql.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    let mut previous_order = false;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\'' | b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b {
                    i += 1;
                }
                i += 1;
                continue;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            _ if b.is_ascii_alphabetic() => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &sql[start..i];
                if depth == 0 && previous_order && word.eq_ignore_ascii_case("by") {
                    return true;
                }
                previous_order = depth == 0 && word.eq_ignore_ascii_case("order");
                continue;
            }
            _ if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            _ => previous_order = false,
        }
        i += 1;
    }
    false
}

/// `COPY … FROM '<corpus data file>'` is sent as `COPY … FROM STDIN` with the file's
/// contents, so that neither server reads files.
fn copy_from_file(sql: &str) -> Option<(String, String)> {
    static PATTERN: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let pattern = PATTERN
        .get_or_init(|| Regex::new(r"(?is)^(copy\b.*?\bfrom\s+)'/data/([\w.]+)'(.*)$").unwrap());
    let c = pattern.captures(sql)?;
    let path = corpus_dir().join("data").join(&c[2]);
    let data = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some((format!("{}STDIN{}", &c[1], &c[3]), data))
}

/// String literals, emptied before the exclusion rules look at a statement.
fn strings() -> &'static Regex {
    static STRINGS: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    STRINGS.get_or_init(|| Regex::new("'[^']*'").unwrap())
}

/// Why a statement is out of scope, if it is.
fn excluded(sql: &str) -> Option<&'static str> {
    static RULES: std::sync::OnceLock<Vec<(&'static str, Regex)>> = std::sync::OnceLock::new();
    let rules = RULES.get_or_init(|| {
        EXCLUDED
            .iter()
            .map(|(label, rule)| (*label, Regex::new(&format!("(?i){rule}")).unwrap()))
            .collect()
    });
    let sql = strings().replace_all(sql, "''");
    rules
        .iter()
        .find(|(_, r)| r.is_match(&sql))
        .map(|(label, _)| *label)
}

/// The objects a file's out-of-scope statements created (a partition, an inheriting
/// table, a PL/pgSQL function or trigger function): a later statement naming one depends
/// on what is out of scope (`INSERT INTO part_default …`, `CREATE TRIGGER … EXECUTE
/// FUNCTION plpgsql_fn()`) and is excluded too, until a statement in scope creates that
/// name again.
#[derive(Default)]
struct OutOfScope {
    names: Vec<String>,
    /// The text (lower case, strings emptied) of the out-of-scope CREATE statements: the
    /// domains and functions they use.
    creates: Vec<String>,
    /// Tables given a column by an out-of-scope statement (`ADD COLUMN p point`): what
    /// reads all their columns (`SELECT * FROM t`) shows that column.
    widened: Vec<String>,
}

impl OutOfScope {
    /// `made`: PostgreSQL ran the statement without an error.
    fn excludes(&mut self, sql: &str, made: bool) -> bool {
        static CREATED: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
        let created = CREATED.get_or_init(|| {
            Regex::new(
                r#"(?i)^\s*create\s+(?:or\s+replace\s+)?(?:(?:temp|temporary|unlogged)\s+)?(?:table|function|procedure|view|type|trigger|aggregate)\s+(?:if\s+not\s+exists\s+)?(?:[\w"]+\.)?"?(\w+)"?"#,
            )
            .unwrap()
        });
        let name = created.captures(sql).map(|c| c[1].to_ascii_lowercase());
        let by_rule = excluded(sql).is_some();
        // DROP DOMAIN / FUNCTION / TYPE of what an out-of-scope CREATE uses (`a intdom1`,
        // `PARTITION BY RANGE (plusone(b))`): PostgreSQL refuses it for that dependent
        // object (2BP01), which litewire never made.
        static DROPPED: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
        let dropped = DROPPED.get_or_init(|| {
            Regex::new(
                r#"(?i)^\s*drop\s+(?:domain|function|type|procedure|routine)\s+(?:if\s+exists\s+)?(?:[\w"]+\.)?"?(\w+)"?"#,
            )
            .unwrap()
        });
        let used_out_of_scope = dropped.captures(sql).is_some_and(|c| {
            let n = c[1].to_ascii_lowercase();
            self.creates.iter().any(|text| {
                text.match_indices(n.as_str())
                    .any(|(i, _)| word_at(text, i, n.len()))
            })
        });
        if let Some(name) = name.as_ref().filter(|_| !by_rule) {
            // Created again in scope: from here on it is an ordinary object.
            self.names.retain(|n| n != name);
            self.widened.retain(|n| n != name);
        }
        let words = strings().replace_all(sql, "''").to_ascii_lowercase();
        // A relation named in a string literal too: `'part_b'::regclass`,
        // `relname IN ('p1', 'p2')` ask about the out-of-scope object itself.
        let literals: Vec<String> = strings()
            .find_iter(sql)
            .map(|m| m.as_str().trim_matches('\'').to_ascii_lowercase())
            .map(|l| l.rsplit('.').next().unwrap_or_default().to_string())
            .collect();
        // A LIKE pattern names what it matches: `relname like 'at_partitioned%'` asks the
        // catalogs about a partition's rows too. Only literals with a `%` and a few
        // characters besides count, so that an ordinary string is not read as a pattern.
        let patterns: Vec<Regex> = literals
            .iter()
            .filter(|l| l.contains('%') && l.chars().filter(|c| *c != '%').count() >= 3)
            .filter_map(|l| like_regex(l))
            .collect();
        let names_excluded = self.names.iter().any(|n| {
            words
                .match_indices(n.as_str())
                .any(|(i, _)| word_at(&words, i, n.len()) && (n.len() > 2 || as_table(&words, i)))
                || (n.len() > 1 && literals.contains(n))
                || patterns.iter().any(|p| p.is_match(n))
        });
        let all_columns = self.widened.iter().any(|t| {
            let star = Regex::new(&format!(
                r"\bselect\s+\*\s+from\s+{0}\b|^\s*table\s+{0}\b|\b{0}\.\*",
                regex_lite::escape(t)
            ));
            star.is_ok_and(|r| r.is_match(&words))
        });
        if !(by_rule || names_excluded || used_out_of_scope || all_columns) {
            return false;
        }
        // Only a table's or view's definition makes PostgreSQL record what it uses (a
        // PL/pgSQL function's body does not).
        if made && name.is_some() && words.trim_start().starts_with("create") {
            let kind = words.split_whitespace().find(|w| {
                !matches!(
                    *w,
                    "create" | "or" | "replace" | "temp" | "temporary" | "unlogged"
                )
            });
            if matches!(kind, Some("table" | "view")) {
                self.creates.push(words.clone());
            }
        }
        // A constraint added with an out-of-scope function (`ADD CHECK (plpgsql_fn(t.*))`):
        // the table's rows now pass through it. (Not a column of an out-of-scope type,
        // `ADD COLUMN p point`: the table's other statements are still in scope.)
        static ADDED: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
        static ADD_COLUMN: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
        let add_column = ADD_COLUMN.get_or_init(|| {
            Regex::new(r#"(?is)^\s*alter\s+table\s+(?:if\s+exists\s+)?([\w"]+)\s+add\s+(?:column\s+)?(?:if\s+not\s+exists\s+)?(\w+)\s+\w"#)
                .unwrap()
        });
        if let Some(c) = add_column.captures(sql).filter(|_| by_rule) {
            let t = c[1].trim_matches('"').to_ascii_lowercase();
            let what = c[2].to_ascii_lowercase();
            let constraint = matches!(
                what.as_str(),
                "constraint" | "primary" | "unique" | "check" | "foreign" | "exclude"
            );
            if t != "only" && !constraint && !self.widened.contains(&t) {
                self.widened.push(t);
            }
        }
        let added = ADDED.get_or_init(|| {
            Regex::new(r#"(?is)^\s*alter\s+table\s+(?:if\s+exists\s+)?([\w".]+)\s+add\b"#).unwrap()
        });
        let added = added
            .captures(sql)
            .filter(|_| names_excluded && !by_rule)
            .map(|c| c[1].trim_matches('"').to_ascii_lowercase())
            .map(|n| n.rsplit('.').next().unwrap_or_default().to_string());
        // What it creates or changes depends on what is out of scope as well. A name of one
        // or two letters (`p`, `c1`) is too often an alias: it counts only where a table is
        // named (`as_table`).
        for name in name.into_iter().chain(affected(sql)).chain(added) {
            if !self.names.contains(&name) {
                self.names.push(name);
            }
        }
        true
    }
}

/// A LIKE pattern (`%` any run, `_` any one character) as an anchored regex.
fn like_regex(pattern: &str) -> Option<Regex> {
    let mut re = String::from("^");
    for c in pattern.chars() {
        match c {
            '%' => re.push_str(".*"),
            '_' => re.push('.'),
            c => re.push_str(&regex_lite::escape(&c.to_string())),
        }
    }
    re.push('$');
    Regex::new(&re).ok()
}

/// The existing tables whose answers an out-of-scope statement changes: the parent an
/// inheriting table or a partition joins (its scans now include the child's rows), the
/// table a trigger is put on (its rows now pass through a PL/pgSQL function) and the
/// tables a PL/pgSQL function writes to.
fn affected(sql: &str) -> Vec<String> {
    static RULE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let rule = RULE.get_or_init(|| {
        Regex::new(
            r#"(?is)\binherits\s*\(([^)]*)\)|\bpartition\s+of\s+([\w".]+)|^\s*alter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?([\w".]+)\s+(?:no\s+)?inherit\s+([\w".]+)|^\s*alter\s+table\s+(?:only\s+)?([\w".]+)\s+attach\s+partition\s+([\w".]+)|^\s*create\s+(?:or\s+replace\s+)?(?:constraint\s+)?trigger\b.*?\bon\s+(?:only\s+)?([\w".]+)"#,
        )
        .unwrap()
    });
    let unquote = |n: &str| n.trim().trim_matches('"').to_ascii_lowercase();
    // An out-of-scope function (PL/pgSQL) that writes to a table: the table's rows then
    // depend on it (`INSERT INTO t` in an INSTEAD OF trigger's function, a `TRUNCATE t`
    // in a function called inside a transaction).
    static WRITES: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let writes = WRITES.get_or_init(|| {
        Regex::new(
            r#"(?is)\b(?:insert\s+into|delete\s+from|truncate(?:\s+table)?)\s+(?:only\s+)?([\w".]+)|\bupdate\s+(?:only\s+)?([\w".]+)\s+set\b"#,
        )
        .unwrap()
    });
    static FUNCTION: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let function = FUNCTION.get_or_init(|| {
        Regex::new(r"(?i)^\s*create\s+(?:or\s+replace\s+)?(?:function|procedure)\b").unwrap()
    });
    let written: Vec<String> = if function.is_match(sql) {
        writes
            .captures_iter(sql)
            .filter_map(|c| c.get(1).or_else(|| c.get(2)))
            .map(|m| unquote(m.as_str().rsplit('.').next().unwrap_or_default()))
            .collect()
    } else {
        Vec::new()
    };
    rule.captures_iter(sql)
        .flat_map(|c| {
            c.iter()
                .skip(1)
                .flatten()
                .flat_map(|m| m.as_str().split(','))
                .map(|n| unquote(n.rsplit('.').next().unwrap_or_default()))
                .collect::<Vec<_>>()
        })
        .chain(written)
        .collect()
}

/// Whether the word at `words[i..]` follows a keyword that names a table.
fn as_table(words: &str, i: usize) -> bool {
    let before = words[..i].trim_end();
    let before = before.strip_suffix("only").map_or(before, str::trim_end);
    ["from", "into", "copy", "update", "table", "join", "on"]
        .iter()
        .any(|k| {
            before
                .strip_suffix(k)
                .is_some_and(|b| !b.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
        })
}

/// Whether `words[i..i + len]` is a whole word (no identifier character either side).
fn word_at(words: &str, i: usize, len: usize) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    !words[..i].chars().next_back().is_some_and(ident)
        && !words[i + len..].chars().next().is_some_and(ident)
}

/// The server a run talks to.
enum Target {
    /// `LITEWIRE_CORPUS_RECORD`: `host=… port=… user=…`.
    Postgres {
        conninfo: String,
    },
    Litewire {
        server: Server,
    },
}

impl Target {
    fn addr_and_user(&self) -> (String, String) {
        match self {
            Target::Postgres { conninfo } => {
                let field = |key: &str, default: &str| {
                    conninfo
                        .split_whitespace()
                        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
                        .unwrap_or(default)
                        .to_string()
                };
                let addr = format!("{}:{}", field("host", "127.0.0.1"), field("port", "5432"));
                (addr, field("user", "postgres"))
            }
            Target::Litewire { server } => (server.addr.to_string(), "postgres".into()),
        }
    }

    async fn connect(&self, db: &str) -> std::io::Result<Wire> {
        let (addr, user) = self.addr_and_user();
        let mut params = vec![
            ("user".to_string(), user),
            ("database".to_string(), db.to_string()),
            ("client_encoding".to_string(), "UTF8".to_string()),
        ];
        if let Target::Postgres { .. } = self {
            // PostgreSQL's session gets litewire's defaults, so that differences are real.
            for (name, value) in [
                ("TimeZone", "Etc/UTC"),
                ("DateStyle", "ISO, MDY"),
                ("extra_float_digits", "1"),
                ("IntervalStyle", "postgres"),
            ] {
                params.push((name.to_string(), value.to_string()));
            }
        }
        tokio::time::timeout(CLIENT_LIMIT, Wire::connect(&addr, &params))
            .await
            .unwrap_or_else(|_| Err(std::io::Error::other("connection timed out")))
    }

    /// A new, empty database for one file (litewire creates one on first connection; the
    /// run's data folder is new).
    async fn fresh_database(&self, db: &str) {
        if let Target::Postgres { .. } = self {
            let mut admin = self
                .connect("postgres")
                .await
                .expect("connect to PostgreSQL");
            for sql in [
                format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
                format!("CREATE DATABASE {db}"),
            ] {
                match admin.query(&sql, || None).await {
                    Ok(Reply::Rows(_)) => {}
                    Ok(Reply::Error { message, .. }) => panic!("{sql}: {message}"),
                    Err(e) => panic!("{sql}: {e}"),
                }
            }
        }
    }
}

/// A connection that is reopened when it dies or a statement outlives [`CLIENT_LIMIT`].
struct Session<'a> {
    target: &'a Target,
    db: String,
    wire: Option<Wire>,
}

impl Session<'_> {
    /// Runs one statement. `inline` gives the data lines of a `COPY … FROM stdin` once the
    /// server has accepted it (None: the file has none for it); the answer comes with
    /// whether the server accepted such a COPY.
    async fn run(
        &mut self,
        sql: &str,
        mut inline: impl FnMut() -> Option<String>,
    ) -> (Answer, bool) {
        if self.wire.is_none() {
            match self.target.connect(&self.db).await {
                Ok(wire) => self.wire = Some(wire),
                Err(e) => return (Answer::failure("cannot connect", &e), false),
            }
        }
        let wire = self.wire.as_mut().expect("connected");
        let mut accepted = false;
        let reply = match copy_from_file(sql) {
            Some((sql, data)) => {
                tokio::time::timeout(CLIENT_LIMIT, wire.query(&sql, || Some(data))).await
            }
            None => {
                let copy_data = || {
                    accepted = true;
                    inline()
                };
                tokio::time::timeout(CLIENT_LIMIT, wire.query(sql, copy_data)).await
            }
        };
        let answer = match reply {
            Ok(Ok(Reply::Rows(rows))) => Answer::rows(rows, has_top_level_order_by(sql)),
            Ok(Ok(Reply::Error { code, message })) => Answer::Error { code, message },
            Ok(Err(e)) => {
                self.wire = None;
                Answer::failure("connection lost", &e)
            }
            Err(_) => {
                // The connection's state is unknown: start over on a new one.
                self.wire = None;
                Answer::failure(
                    "client timeout",
                    &format!("no answer within {CLIENT_LIMIT:?}"),
                )
            }
        };
        (answer, accepted)
    }
}

/// One statement of a file with its answer.
struct Outcome {
    sql: String,
    answer: Answer,
    /// A `COPY … FROM stdin` the server accepted, so its data lines were sent.
    copy_data: bool,
}

fn read_sql(name: &str) -> String {
    let path = corpus_dir().join("sql").join(format!("{name}.sql"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs test_setup and then `file` on a fresh database. With `recorded` (checking), a
/// `COPY … FROM stdin` takes its data lines when PostgreSQL's did, so both sides split the
/// file alike; without (recording), when the server accepts it, as psql does.
async fn run_file(target: &Target, file: &str, recorded: Option<&[Value]>) -> Vec<Outcome> {
    let db = format!("corpus_{file}");
    target.fresh_database(&db).await;
    let mut session = Session {
        target,
        db,
        wire: None,
    };
    run_script(&mut session, &read_sql(SETUP), None).await;
    run_script(&mut session, &read_sql(file), recorded).await
}

async fn run_script(
    session: &mut Session<'_>,
    text: &str,
    recorded: Option<&[Value]>,
) -> Vec<Outcome> {
    let mut splitter = Splitter::new(text);
    let mut outcomes = Vec::new();
    while let Some(item) = splitter.next_item() {
        let sql = match item {
            Item::Sql(sql) => sql,
            Item::Skipped(sql) => {
                outcomes.push(Outcome {
                    sql,
                    answer: Answer::Skipped,
                    copy_data: false,
                });
                continue;
            }
        };
        let recorded_copy = recorded.map(|lines| {
            lines
                .get(outcomes.len())
                .is_some_and(|l| l.get("copy_data").is_some())
        });
        let mut data: Option<String> = None;
        let (answer, accepted) = session
            .run(&sql, || match recorded_copy {
                Some(false) => None,
                _ => Some(data.get_or_insert_with(|| splitter.copy_data()).clone()),
            })
            .await;
        if recorded_copy == Some(true) && data.is_none() {
            splitter.copy_data();
        }
        let copy_data = recorded_copy.unwrap_or(accepted);
        outcomes.push(Outcome {
            sql,
            answer,
            copy_data,
        });
    }
    outcomes
}

/// A file's figures.
#[derive(Default, Clone, Copy, PartialEq, Eq, Debug)]
struct Figures {
    same: usize,
    litewire_error: usize,
    different: usize,
    excluded: usize,
    total: usize,
    /// Of `same`: both failed, with the same SQLSTATE.
    same_sqlstate: usize,
    both_failed: usize,
}

impl Figures {
    fn counted(&self) -> usize {
        self.total - self.excluded
    }

    fn percent(&self, n: usize) -> f64 {
        if self.counted() == 0 {
            0.0
        } else {
            100.0 * n as f64 / self.counted() as f64
        }
    }

    fn add(&mut self, other: &Figures) {
        self.same += other.same;
        self.litewire_error += other.litewire_error;
        self.different += other.different;
        self.excluded += other.excluded;
        self.total += other.total;
        self.same_sqlstate += other.same_sqlstate;
        self.both_failed += other.both_failed;
    }

    fn ratchet_line(&self, file: &str) -> String {
        format!(
            "{file:<20} same={} litewire_error={} different={} excluded={} total={}",
            self.same, self.litewire_error, self.different, self.excluded, self.total
        )
    }
}

enum Verdict {
    Same,
    LitewireError,
    Different,
}

fn verdict(postgres: &Answer, litewire: &Answer) -> Verdict {
    match (postgres, litewire) {
        (Answer::Error { .. }, Answer::Error { .. }) => Verdict::Same,
        (Answer::Rows { .. }, Answer::Error { .. }) => Verdict::LitewireError,
        (
            Answer::Rows { count, sha256, .. },
            Answer::Rows {
                count: c2,
                sha256: s2,
                ..
            },
        ) if count == c2 && sha256 == s2 => Verdict::Same,
        _ => Verdict::Different,
    }
}

/// Compares one file's run with its recording: figures, and the failures' descriptions.
fn compare(file: &str, expected: &[Value], outcomes: &[Outcome], failures: &mut String) -> Figures {
    assert_eq!(
        expected.len(),
        outcomes.len(),
        "{file}: {} statements in the recording, {} in this run: the file or the splitter \
         changed; record again (tests/corpus/README.md)",
        expected.len(),
        outcomes.len()
    );
    let mut figures = Figures::default();
    let mut out_of_scope = OutOfScope::default();
    for (n, (line, outcome)) in expected.iter().zip(outcomes).enumerate() {
        let postgres = Answer::from_json(line);
        if matches!(postgres, Answer::Skipped) {
            continue;
        }
        figures.total += 1;
        let made = !matches!(postgres, Answer::Error { .. });
        if out_of_scope.excludes(&outcome.sql, made) {
            figures.excluded += 1;
            continue;
        }
        match verdict(&postgres, &outcome.answer) {
            Verdict::Same => {
                figures.same += 1;
                if let (Answer::Error { code, .. }, Answer::Error { code: c2, .. }) =
                    (&postgres, &outcome.answer)
                {
                    figures.both_failed += 1;
                    figures.same_sqlstate += usize::from(code == c2);
                }
            }
            verdict => {
                let kind = if matches!(verdict, Verdict::LitewireError) {
                    figures.litewire_error += 1;
                    "litewire error"
                } else {
                    figures.different += 1;
                    "different"
                };
                let _ = writeln!(
                    failures,
                    "== {file} #{} ({kind})\n{}\n  PostgreSQL: {}\n  litewire:   {}\n",
                    n + 1,
                    excerpt(&outcome.sql, 600),
                    excerpt(&postgres.summary(), 300),
                    excerpt(&outcome.answer.summary(), 300),
                );
            }
        }
    }
    figures
}

fn report(figures: &BTreeMap<&str, Figures>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<20} {:>6} {:>8} {:>6} {:>6} {:>6} {:>7} {:>8} {:>7}",
        "file", "same", "lw-error", "diff", "excl", "total", "same%", "lw-err%", "diff%"
    );
    let mut totals = Figures::default();
    let row = |out: &mut String, name: &str, f: &Figures| {
        let _ = writeln!(
            out,
            "{name:<20} {:>6} {:>8} {:>6} {:>6} {:>6} {:>6.1}% {:>7.1}% {:>6.1}%",
            f.same,
            f.litewire_error,
            f.different,
            f.excluded,
            f.total,
            f.percent(f.same),
            f.percent(f.litewire_error),
            f.percent(f.different)
        );
    };
    for file in FILES {
        let f = &figures[file];
        row(&mut out, file, f);
        totals.add(f);
    }
    row(&mut out, "TOTAL", &totals);
    let _ = writeln!(
        out,
        "\nOf {} statements not excluded: {:.1} % same, {:.1} % litewire error, {:.1} % different \
         ({} excluded as out of scope). Both failed: {}, with the same SQLSTATE: {}.",
        totals.counted(),
        totals.percent(totals.same),
        totals.percent(totals.litewire_error),
        totals.percent(totals.different),
        totals.excluded,
        totals.both_failed,
        totals.same_sqlstate
    );
    out
}

fn read_ratchet(path: &Path) -> BTreeMap<String, Figures> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let mut words = line.split_whitespace();
            let file = words.next().unwrap().to_string();
            let mut f = Figures::default();
            for word in words {
                let (key, value) = word.split_once('=').expect("key=value");
                let value = value.parse().expect("a count");
                match key {
                    "same" => f.same = value,
                    "litewire_error" => f.litewire_error = value,
                    "different" => f.different = value,
                    "excluded" => f.excluded = value,
                    "total" => f.total = value,
                    _ => panic!("ratchet.txt: unknown figure {key}"),
                }
            }
            (file, f)
        })
        .collect()
}

fn write_ratchet(path: &Path, figures: &BTreeMap<&str, Figures>) {
    let mut text = String::from(
        "# Per file: the corpus figures litewire must keep (tests/corpus/README.md).\n\
         # `same` may only go up, `different` only down; LITEWIRE_CORPUS_RATCHET=update rewrites this.\n",
    );
    for file in FILES {
        text.push_str(&figures[file].ratchet_line(file));
        text.push('\n');
    }
    std::fs::write(path, text).expect("write ratchet.txt");
}

fn expected_path(file: &str) -> PathBuf {
    corpus_dir().join("expected").join(format!("{file}.jsonl"))
}

fn read_expected(file: &str) -> Vec<Value> {
    let path = expected_path(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .collect()
}

/// `LITEWIRE_CORPUS_RECORD="host=… user=…"`: PostgreSQL's answers, written to expected/.
async fn record(conninfo: String) {
    let target = Target::Postgres { conninfo };
    for file in FILES {
        let outcomes = run_file(&target, file, None).await;
        let mut text = String::new();
        for (n, o) in outcomes.iter().enumerate() {
            text.push_str(&o.answer.to_json(n + 1, &o.sql, o.copy_data).to_string());
            text.push('\n');
        }
        std::fs::write(expected_path(file), text).expect("write expected");
        println!("recorded {file}: {} statements", outcomes.len());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus() {
    if let Ok(conninfo) = std::env::var("LITEWIRE_CORPUS_RECORD") {
        return record(conninfo).await;
    }
    let started = Instant::now();
    let target = Arc::new(Target::Litewire {
        server: Server::start(&["--statement-timeout", LITEWIRE_STATEMENT_TIMEOUT]),
    });
    let permits = Arc::new(tokio::sync::Semaphore::new(PARALLEL_FILES));
    let runs: Vec<_> = FILES
        .iter()
        .map(|file| {
            let (target, permits) = (target.clone(), permits.clone());
            tokio::spawn(async move {
                let _permit = permits.acquire().await.expect("semaphore");
                let expected = read_expected(file);
                let outcomes = run_file(&target, file, Some(&expected)).await;
                (expected, outcomes)
            })
        })
        .collect();
    let mut figures = BTreeMap::new();
    let mut failures = String::new();
    for (file, run) in FILES.iter().zip(runs) {
        let (expected, outcomes) = run.await.expect("file run");
        figures.insert(*file, compare(file, &expected, &outcomes, &mut failures));
    }
    let report = report(&figures);
    println!(
        "{report}\n(corpus run: {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    let target = target_dir();
    let _ = std::fs::create_dir_all(&target);
    std::fs::write(target.join("corpus-report.txt"), &report).expect("write report");
    std::fs::write(target.join("corpus-failures.txt"), &failures).expect("write failures");

    let ratchet_path = corpus_dir().join("ratchet.txt");
    if std::env::var("LITEWIRE_CORPUS_RATCHET").as_deref() == Ok("update") {
        write_ratchet(&ratchet_path, &figures);
        return;
    }
    let ratchet = read_ratchet(&ratchet_path);
    let worse: Vec<String> = FILES
        .iter()
        .filter_map(|file| {
            let now = figures[file];
            let Some(kept) = ratchet.get(*file) else {
                return Some(format!("{file}: not in ratchet.txt"));
            };
            (now.same < kept.same || now.different > kept.different).then(|| {
                format!(
                    "{file}: same {} (ratchet {}), different {} (ratchet {})",
                    now.same, kept.same, now.different, kept.different
                )
            })
        })
        .collect();
    assert!(
        worse.is_empty(),
        "the corpus got worse (target/corpus-failures.txt lists each failing statement):\n{}",
        worse.join("\n")
    );
}

#[cfg(test)]
mod out_of_scope_tests {
    use super::OutOfScope;

    /// Runs `statements` (each PostgreSQL ran without an error) and gives which were excluded.
    fn excluded(statements: &[&str]) -> Vec<bool> {
        let mut scope = OutOfScope::default();
        statements.iter().map(|s| scope.excludes(s, true)).collect()
    }

    #[test]
    fn a_like_pattern_matching_an_out_of_scope_name_names_it() {
        let got = excluded(&[
            "create table at_parted (a int) partition by hash (a)",
            "select relname from pg_class where relname like 'at_parted%'",
            "select relname from pg_class where relname like 'at_other%'",
            // Too short a pattern to name anything: an ordinary string.
            "select relname from pg_class where relname like 'a%'",
        ]);
        assert_eq!(got, [true, true, false, false]);
    }

    #[test]
    fn dropping_what_an_out_of_scope_table_uses_is_excluded() {
        let mut scope = OutOfScope::default();
        assert!(!scope.excludes("create domain dom1 as int", true));
        assert!(!scope.excludes(
            "create function f1(a int) returns int as 'select a' language sql",
            true
        ));
        // PostgreSQL refused this one: nothing depends on f2.
        assert!(scope.excludes("create table p2 (a int) partition by range (f2(a))", false));
        assert!(scope.excludes("create table p1 (a dom1) partition by range (f1(a))", true));
        assert!(scope.excludes("drop domain dom1", true));
        assert!(scope.excludes("drop function f1(int)", true));
        assert!(!scope.excludes("drop function f2(int)", true));
        assert!(!scope.excludes("drop function f3(int)", true));
    }

    #[test]
    fn tables_an_out_of_scope_function_writes_or_checks_are_excluded() {
        let got = excluded(&[
            "create table wtab (a int)",
            "create table ctab (a int)",
            "create function fn_w() returns trigger as $$ begin insert into wtab values (1); \
             return null; end $$ language plpgsql",
            "select * from wtab",
            "create function fn_check(ctab) returns bool as $$ begin return true; end $$ language plpgsql",
            "alter table ctab add check (fn_check(ctab.*))",
            "select * from ctab",
            // A column of an out-of-scope type leaves the table's other statements in scope,
            // except those that read all its columns.
            "create table gtab (a int)",
            "alter table gtab add column p point",
            "select a from gtab",
            "select * from gtab",
            "select gtab.* from gtab",
            "alter table gtab rename column a to b",
            "drop table gtab",
            "create table gtab (a int)",
            "select * from gtab",
        ]);
        assert_eq!(
            got,
            [
                false, false, true, true, true, true, true, false, true, false, true, true, false,
                false, false, false,
            ]
        );
    }
}
