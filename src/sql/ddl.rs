//! PostgreSQL maintenance and DDL forms SQLite lacks, as the SQLite statements that do
//! the same (pgbench's `-i` sends all of them):
//! - `DROP TABLE a, b [CASCADE]` → one `DROP TABLE` per table;
//! - `TRUNCATE [TABLE] a, b [RESTART IDENTITY] [CASCADE]` → `DELETE FROM` each;
//! - `VACUUM [ANALYZE] t` → `ANALYZE t` (or nothing: SQLite's VACUUM rewrites the whole
//!   file, PostgreSQL's plain VACUUM of a table does not);
//! - `DROP INDEX [CONCURRENTLY] [IF EXISTS] a, b [CASCADE]` → one `DROP INDEX` per index;
//! - `REINDEX [(options)] {INDEX | TABLE | SCHEMA | DATABASE | SYSTEM} [CONCURRENTLY]
//!   name` → SQLite's `REINDEX name` for an index or table, `REINDEX` for the database
//!   (schema `public`; the database's name is not checked), nothing for the system
//!   catalogs (SQLite's have no indexes);
//! - `ALTER INDEX [IF EXISTS] a RENAME TO b` → read here ([`alter_index`]); the session
//!   recreates the index under the new name from its definition ([`renamed_index`]).
//!
//! `CONCURRENTLY` changes only how PostgreSQL locks; the session refuses it inside a
//! transaction block, as PostgreSQL does ([`concurrently`]).

use super::lexer::{significant, words, TokenKind};
use crate::protocol::{PgError, SqlState};

/// The statements SQLite runs in place of one PostgreSQL statement, and its tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Several {
    pub parts: Vec<String>,
    pub tag: &'static str,
}

/// The translation of `sql`, or None when SQLite can run it as it is.
pub fn translate(sql: &str) -> Option<Several> {
    let toks: Vec<&str> = significant(sql).map(|t| &sql[t.start..t.end]).collect();
    let kinds: Vec<TokenKind> = significant(sql).map(|t| t.kind).collect();
    let is = |i: usize, w: &str| toks.get(i).is_some_and(|t| t.eq_ignore_ascii_case(w));
    match toks.first()?.to_ascii_uppercase().as_str() {
        "DROP" if is(1, "table") => drop_tables(&toks, &kinds),
        "DROP" if is(1, "index") => drop_indexes(&toks, &kinds),
        "TRUNCATE" => truncate(&toks, &kinds),
        "VACUUM" => vacuum(&toks, &kinds),
        _ => None,
    }
}

/// Table names from token `i`: `a`, `s.a`, `"A"`, separated by commas, up to a word in
/// `stop` or the end. Returns them and where they ended.
fn names(toks: &[&str], kinds: &[TokenKind], mut i: usize, stop: &[&str]) -> (Vec<String>, usize) {
    let mut out = Vec::new();
    let mut current = String::new();
    while i < toks.len() {
        let t = toks[i];
        if current.is_empty() && stop.iter().any(|s| t.eq_ignore_ascii_case(s)) {
            break;
        }
        match kinds[i] {
            TokenKind::Other if t == "," => out.push(std::mem::take(&mut current)),
            TokenKind::Other if t == "." => current.push('.'),
            TokenKind::Other if t == "*" => {} // `TRUNCATE t *`: descendants too
            TokenKind::Word | TokenKind::Quoted if current.is_empty() || current.ends_with('.') => {
                current.push_str(t)
            }
            _ => break,
        }
        i += 1;
    }
    if !current.is_empty() {
        out.push(current);
    }
    (out, i)
}

fn drop_tables(toks: &[&str], kinds: &[TokenKind]) -> Option<Several> {
    let if_exists = toks.get(2).is_some_and(|t| t.eq_ignore_ascii_case("if"));
    let start = if if_exists { 4 } else { 2 };
    let (tables, end) = names(toks, kinds, start, &["cascade", "restrict"]);
    let behaviour = end < toks.len();
    if tables.len() < 2 && !behaviour {
        return None;
    }
    let head = if if_exists {
        "DROP TABLE IF EXISTS"
    } else {
        "DROP TABLE"
    };
    Some(Several {
        parts: tables.iter().map(|t| format!("{head} {t}")).collect(),
        tag: "DROP TABLE",
    })
}

fn drop_indexes(toks: &[&str], kinds: &[TokenKind]) -> Option<Several> {
    let mut i = 2;
    let concurrently = toks
        .get(i)
        .is_some_and(|t| t.eq_ignore_ascii_case("concurrently"));
    i += usize::from(concurrently);
    let if_exists = toks.get(i).is_some_and(|t| t.eq_ignore_ascii_case("if"));
    i += if if_exists { 2 } else { 0 };
    let (indexes, end) = names(toks, kinds, i, &["cascade", "restrict"]);
    let behaviour = end < toks.len();
    if indexes.len() < 2 && !behaviour && !concurrently {
        return None;
    }
    let head = if if_exists {
        "DROP INDEX IF EXISTS"
    } else {
        "DROP INDEX"
    };
    Some(Several {
        parts: indexes.iter().map(|t| format!("{head} {t}")).collect(),
        tag: "DROP INDEX",
    })
}

/// The `… CONCURRENTLY` form of CREATE INDEX, DROP INDEX or REINDEX in `sql`, which
/// PostgreSQL refuses inside a transaction block (25001), or an error it gives whatever
/// the block (DROP INDEX CONCURRENTLY of several indexes).
pub fn concurrently(sql: &str) -> Result<Option<&'static str>, PgError> {
    let w: Vec<String> = words(sql).take(8).map(|w| w.to_ascii_uppercase()).collect();
    let has = w.iter().any(|w| w == "CONCURRENTLY");
    let what = match (w.first().map(String::as_str), w.get(1).map(String::as_str)) {
        (Some("CREATE"), _) if w.iter().any(|w| w == "INDEX") => "CREATE INDEX CONCURRENTLY",
        (Some("DROP"), Some("INDEX")) => {
            if has && significant(sql).any(|t| &sql[t.start..t.end] == ",") {
                return Err(PgError::new(
                    SqlState::FEATURE_NOT_SUPPORTED,
                    "DROP INDEX CONCURRENTLY does not support dropping multiple objects",
                ));
            }
            "DROP INDEX CONCURRENTLY"
        }
        (Some("REINDEX"), _) => "REINDEX CONCURRENTLY",
        _ => return Ok(None),
    };
    Ok(has.then_some(what))
}

/// `REINDEX`: see the module's doc. Errors are PostgreSQL's for unknown options and
/// schemas; a missing index or table is SQLite's error, made PostgreSQL's by the
/// session ([`missing_reindex_target`]).
pub fn reindex(sql: &str) -> Result<Several, PgError> {
    let toks: Vec<&str> = significant(sql).map(|t| &sql[t.start..t.end]).collect();
    let kinds: Vec<TokenKind> = significant(sql).map(|t| t.kind).collect();
    let mut i = 1;
    if toks.get(i) == Some(&"(") {
        i += 1;
        while i < toks.len() && toks[i] != ")" {
            let option = toks[i].to_ascii_lowercase();
            match option.as_str() {
                "concurrently" | "verbose" | "tablespace" => {}
                _ => {
                    return Err(PgError::new(
                        SqlState::SYNTAX_ERROR,
                        format!("unrecognized REINDEX option \"{option}\""),
                    ))
                }
            }
            // The option's value, if any, up to the next comma.
            while i < toks.len() && toks[i] != "," && toks[i] != ")" {
                i += 1;
            }
            if toks.get(i) == Some(&",") {
                i += 1;
            }
        }
        i += 1;
    }
    let kind = toks
        .get(i)
        .map(|t| t.to_ascii_uppercase())
        .unwrap_or_default();
    i += 1;
    let concurrently = toks
        .get(i)
        .is_some_and(|t| t.eq_ignore_ascii_case("concurrently"));
    if concurrently && kind == "SYSTEM" {
        return Err(PgError::new(
            SqlState::FEATURE_NOT_SUPPORTED,
            "cannot reindex system catalogs concurrently",
        ));
    }
    i += usize::from(concurrently);
    let (name, end) = names(toks.as_slice(), &kinds, i, &[]);
    let name = match (name.as_slice(), end == toks.len()) {
        ([one], true) => Some(one.clone()),
        ([], true) => None,
        _ => return Err(PgError::syntax_near(toks.get(end).copied().unwrap_or(""))),
    };
    let parts = match (kind.as_str(), name) {
        // SQLite reads `a.b` as database a: `public.t` is `t`.
        ("INDEX" | "TABLE", Some(n)) => match n.split_once('.') {
            Some((schema, bare)) if super::lexer::fold_ident(schema) == "public" => {
                vec![format!("REINDEX {bare}")]
            }
            _ => vec![format!("REINDEX {n}")],
        },
        ("SCHEMA", Some(n)) => match super::lexer::fold_ident(&n).as_str() {
            "public" => vec!["REINDEX".to_string()],
            "pg_catalog" | "information_schema" => Vec::new(),
            other => {
                return Err(PgError::new(
                    SqlState::INVALID_SCHEMA_NAME,
                    format!("schema \"{other}\" does not exist"),
                ))
            }
        },
        // PostgreSQL 15 requires the (current) database's name; it is not checked.
        ("DATABASE", Some(_)) => vec!["REINDEX".to_string()],
        ("SYSTEM", Some(_)) => Vec::new(),
        (_, None) if !kind.is_empty() => return Err(PgError::syntax_near("")),
        _ => return Err(PgError::syntax_near(&kind.to_ascii_lowercase())),
    };
    Ok(Several {
        parts,
        tag: "REINDEX",
    })
}

/// `ALTER INDEX [IF EXISTS] name RENAME TO new`: SQLite cannot rename an index, so the
/// session recreates it under the new name from its definition (`server/simple.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenameIndex {
    pub if_exists: bool,
    /// Folded names (`"A"` stays `A`, `A` is `a`), without a `public.` qualifier.
    pub name: String,
    pub new_name: String,
}

/// Reads `ALTER INDEX`; forms other than RENAME TO are 0A000.
pub fn alter_index(sql: &str) -> Result<RenameIndex, PgError> {
    let toks: Vec<&str> = significant(sql).map(|t| &sql[t.start..t.end]).collect();
    let kinds: Vec<TokenKind> = significant(sql).map(|t| t.kind).collect();
    let is = |i: usize, w: &str| toks.get(i).is_some_and(|t| t.eq_ignore_ascii_case(w));
    let if_exists = is(2, "if") && is(3, "exists");
    let at = if if_exists { 4 } else { 2 };
    let (name, end) = names(&toks, &kinds, at, &["rename"]);
    let (new_name, last) = names(&toks, &kinds, end + 2, &[]);
    match (name.as_slice(), new_name.as_slice()) {
        ([name], [new_name]) if is(end, "rename") && is(end + 1, "to") && last == toks.len() => {
            let bare = |n: &str| {
                let folded: Vec<String> = n.split('.').map(super::lexer::fold_ident).collect();
                match folded.as_slice() {
                    [schema, bare] if schema == "public" => bare.clone(),
                    _ => folded.join("."),
                }
            };
            Ok(RenameIndex {
                if_exists,
                name: bare(name),
                new_name: bare(new_name),
            })
        }
        _ => Err(PgError::new(
            SqlState::FEATURE_NOT_SUPPORTED,
            "ALTER INDEX other than RENAME TO is not supported by litewire",
        )),
    }
}

/// `definition` (an index's `CREATE INDEX` text as SQLite keeps it) naming the index
/// `new_name`: the name is the token before the first `ON`.
pub fn renamed_index(definition: &str, new_name: &str) -> Option<String> {
    let toks: Vec<_> = significant(definition).collect();
    let on = toks
        .iter()
        .position(|t| definition[t.start..t.end].eq_ignore_ascii_case("on"))?;
    let name = toks.get(on.checked_sub(1)?)?;
    Some(format!(
        "{}\"{}\"{}",
        &definition[..name.start],
        new_name.replace('"', "\"\""),
        &definition[name.end..]
    ))
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] ON …`: an index PostgreSQL names itself.
pub fn unnamed_index(sql: &str) -> bool {
    words(sql)
        .skip(1)
        .find(|w| {
            !["unique", "index", "concurrently"]
                .iter()
                .any(|k| w.eq_ignore_ascii_case(k))
        })
        .is_some_and(|w| w.eq_ignore_ascii_case("on"))
}

/// The name in an index's `CREATE INDEX` text (SQLite's): the token before the first
/// `ON`, unquoted.
pub fn index_name(definition: &str) -> Option<String> {
    let toks: Vec<_> = significant(definition).collect();
    let on = toks
        .iter()
        .position(|t| definition[t.start..t.end].eq_ignore_ascii_case("on"))?;
    let name = toks.get(on.checked_sub(1)?)?;
    Some(super::lexer::fold_ident(&definition[name.start..name.end]))
}

/// PostgreSQL's error for `REINDEX name` when SQLite found no such index or table.
pub fn missing_reindex_target(part: &str, e: PgError) -> PgError {
    if !e
        .message
        .contains("unable to identify the object to be reindexed")
    {
        return e;
    }
    let name = part.split_whitespace().nth(1).unwrap_or("");
    PgError::new(
        SqlState::UNDEFINED_TABLE,
        format!(
            "relation \"{}\" does not exist",
            super::lexer::fold_ident(name)
        ),
    )
}

fn truncate(toks: &[&str], kinds: &[TokenKind]) -> Option<Several> {
    let mut i = 1;
    for skip in ["table", "only"] {
        if toks.get(i).is_some_and(|t| t.eq_ignore_ascii_case(skip)) {
            i += 1;
        }
    }
    let stop = ["restart", "continue", "cascade", "restrict"];
    let (tables, _) = names(toks, kinds, i, &stop);
    (!tables.is_empty()).then(|| Several {
        parts: tables.iter().map(|t| format!("DELETE FROM {t}")).collect(),
        tag: "TRUNCATE TABLE",
    })
}

/// The table an `INSERT`, `UPDATE` or `DELETE` changes: (schema as written, if any;
/// name), folded.
/// A read-only transaction may still change a temporary table (`Session::run_job`).
pub fn changed_table(sql: &str) -> Option<(Option<String>, String)> {
    let toks: Vec<&str> = significant(sql).map(|t| &sql[t.start..t.end]).collect();
    let kinds: Vec<TokenKind> = significant(sql).map(|t| t.kind).collect();
    let word = |i: usize| {
        toks.get(i)
            .map(|t| t.to_ascii_lowercase())
            .unwrap_or_default()
    };
    let mut i = match word(0).as_str() {
        "update" => 1,
        "delete" if word(1) == "from" => 2,
        "insert" if word(1) == "into" => 2,
        _ => return None,
    };
    if word(i) == "only" {
        i += 1;
    }
    let (mut names, _) = names(&toks, &kinds, i, &[]);
    let name = names.drain(..).next()?;
    let mut parts: Vec<String> = name.split('.').map(super::lexer::fold_ident).collect();
    let table = parts.pop()?;
    Some((parts.pop(), table))
}

/// `CREATE TABLE name AS query [WITH [NO] DATA]` cut into its parts.
#[derive(Debug, PartialEq, Eq)]
pub struct TableAs<'a> {
    /// Up to and including `AS`.
    pub head: &'a str,
    /// The query, without the `WITH [NO] DATA` clause.
    pub query: &'a str,
    /// `WITH DATA` (Some(true)), `WITH NO DATA` (Some(false)) or neither.
    pub with_data: Option<bool>,
}

/// Reads `CREATE [TEMP …] TABLE … AS query [WITH [NO] DATA]`: the first `AS` outside
/// parentheses after `TABLE`.
pub fn table_as(sql: &str) -> Option<TableAs<'_>> {
    let toks: Vec<super::lexer::Token> = significant(sql)
        .filter(|t| t.kind != TokenKind::Semi)
        .collect();
    let word = |i: usize| {
        toks.get(i)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| sql[t.start..t.end].to_ascii_lowercase())
            .unwrap_or_default()
    };
    if word(0) != "create" || !(1..5).any(|i| word(i) == "table") {
        return None;
    }
    let mut depth = 0usize;
    let at = (0..toks.len()).find(|&i| {
        match toks[i].kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => depth = depth.saturating_sub(1),
            _ => {}
        }
        depth == 0 && word(i) == "as"
    })?;
    let n = toks.len();
    let (with_data, end) =
        if n >= 3 && word(n - 3) == "with" && word(n - 2) == "no" && word(n - 1) == "data" {
            (Some(false), n - 3)
        } else if n >= 2 && word(n - 2) == "with" && word(n - 1) == "data" {
            (Some(true), n - 2)
        } else {
            (None, n)
        };
    if end <= at + 1 {
        return None;
    }
    Some(TableAs {
        head: &sql[..toks[at].end],
        query: sql[toks[at + 1].start..toks[end - 1].end].trim(),
        with_data,
    })
}

/// The tables a successful `CREATE TABLE` or `TRUNCATE` gives new storage (PostgreSQL's
/// new relfilenode, which COPY … FREEZE looks for), by their unqualified folded names.
/// `CREATE TABLE IF NOT EXISTS` is left out: it may have created nothing.
pub fn new_storage(sql: &str) -> Vec<String> {
    let toks: Vec<&str> = significant(sql).map(|t| &sql[t.start..t.end]).collect();
    let kinds: Vec<TokenKind> = significant(sql).map(|t| t.kind).collect();
    let word = |i: usize| {
        toks.get(i)
            .map(|t| t.to_ascii_lowercase())
            .unwrap_or_default()
    };
    let (start, stop): (usize, &[&str]) = match word(0).as_str() {
        "truncate" => {
            let mut i = 1;
            for skip in ["table", "only"] {
                if word(i) == skip {
                    i += 1;
                }
            }
            (i, &["restart", "continue", "cascade", "restrict"])
        }
        "create" => {
            let mut i = 1;
            while matches!(
                word(i).as_str(),
                "global" | "local" | "temp" | "temporary" | "unlogged"
            ) {
                i += 1;
            }
            if word(i) != "table" || word(i + 1) == "if" {
                return Vec::new();
            }
            (i + 1, &[])
        }
        _ => return Vec::new(),
    };
    let (tables, _) = names(&toks, &kinds, start, stop);
    let tables = if word(0) == "create" {
        tables.into_iter().take(1).collect()
    } else {
        tables
    };
    tables
        .iter()
        .map(|t| {
            let last = t.rsplit('.').next().unwrap_or(t);
            super::lexer::fold_ident(last)
        })
        .collect()
}

fn vacuum(toks: &[&str], kinds: &[TokenKind]) -> Option<Several> {
    const OPTIONS: &[&str] = &["full", "freeze", "verbose", "analyze", "analyse"];
    let mut i = 1;
    let mut analyze = false;
    let mut full = false;
    // `VACUUM (ANALYZE, VERBOSE) t`
    if toks.get(1) == Some(&"(") {
        while i < toks.len() && toks[i] != ")" {
            analyze |=
                toks[i].eq_ignore_ascii_case("analyze") || toks[i].eq_ignore_ascii_case("analyse");
            full |= toks[i].eq_ignore_ascii_case("full");
            i += 1;
        }
        i += 1;
    }
    while let Some(o) = toks
        .get(i)
        .filter(|t| OPTIONS.iter().any(|o| t.eq_ignore_ascii_case(o)))
    {
        analyze |= o.eq_ignore_ascii_case("analyze") || o.eq_ignore_ascii_case("analyse");
        full |= o.eq_ignore_ascii_case("full");
        i += 1;
    }
    if toks.len() == 1 {
        return None; // plain VACUUM: SQLite's own
    }
    let (tables, end) = names(toks, kinds, i, &[]);
    // `VACUUM ANALYZE t (a, b)`: PostgreSQL checks the columns (42703); SQLite's ANALYZE
    // takes none, so each is checked by an UPDATE of no row naming it (a SELECT would
    // send the client its empty result).
    let columns = column_list(toks, kinds, end);
    if !columns.is_empty() && !analyze {
        return None; // PostgreSQL refuses it (ANALYZE must be given); so does SQLite
    }
    let probes = tables.last().into_iter().flat_map(|t| {
        columns
            .iter()
            .map(move |c| format!("UPDATE {t} SET {c} = {c} WHERE false"))
    });
    let mut parts: Vec<String> = probes.collect();
    parts.extend(match (tables.is_empty(), analyze, full) {
        // The whole database: SQLite's VACUUM for FULL, statistics for ANALYZE.
        (true, _, true) => vec!["VACUUM".to_string()],
        (true, true, false) => vec!["ANALYZE".to_string()],
        (true, false, false) => Vec::new(),
        (false, true, _) => tables.iter().map(|t| format!("ANALYZE {t}")).collect(),
        (false, false, _) => Vec::new(),
    });
    Some(Several {
        parts,
        tag: "VACUUM",
    })
}

/// The column names of a `(a, "B")` list at token `i` (empty when there is none).
fn column_list<'a>(toks: &[&'a str], kinds: &[TokenKind], i: usize) -> Vec<&'a str> {
    if toks.get(i) != Some(&"(") {
        return Vec::new();
    }
    toks[i + 1..]
        .iter()
        .zip(&kinds[i + 1..])
        .take_while(|(t, _)| **t != ")")
        .filter(|(_, k)| matches!(k, TokenKind::Word | TokenKind::Quoted))
        .map(|(t, _)| *t)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(sql: &str) -> Option<(Vec<String>, &'static str)> {
        translate(sql).map(|s| (s.parts, s.tag))
    }

    #[test]
    fn changed_table_of_update_and_delete() {
        assert_eq!(
            changed_table("UPDATE temptest SET a = 0 FROM w WHERE temptest.a = 1"),
            Some((None, "temptest".into()))
        );
        assert_eq!(
            changed_table("delete from only pg_temp.\"T\" where x"),
            Some((Some("pg_temp".into()), "T".into()))
        );
        assert_eq!(
            changed_table("insert into t (a) values (1)"),
            Some((None, "t".into()))
        );
        assert_eq!(changed_table("select 1"), None);
        assert_eq!(changed_table("with x as (select 1) delete from t"), None);
    }

    #[test]
    fn table_as_cuts_the_query_and_its_data_clause() {
        let t = table_as("CREATE TEMP TABLE r AS EXECUTE q5(200, 'x')\n WITH NO DATA;").unwrap();
        assert_eq!(t.head, "CREATE TEMP TABLE r AS");
        assert_eq!(t.query, "EXECUTE q5(200, 'x')");
        assert_eq!(t.with_data, Some(false));
        let t =
            table_as("create table t with (fillfactor = 70) as select 1 as a with data").unwrap();
        assert_eq!(t.head, "create table t with (fillfactor = 70) as");
        assert_eq!(t.query, "select 1 as a");
        assert_eq!(t.with_data, Some(true));
        let t = table_as("create table t as select cast(1 as int) x").unwrap();
        assert_eq!(t.query, "select cast(1 as int) x");
        assert_eq!(t.with_data, None);
        assert!(table_as("create table t (a int)").is_none());
        assert!(table_as("create index i on t (a)").is_none());
    }

    #[test]
    fn new_storage_names_the_created_or_truncated_tables() {
        assert_eq!(new_storage("TRUNCATE vistest;"), ["vistest"]);
        assert_eq!(
            new_storage("truncate table only a, public.\"B\" restart identity cascade"),
            ["a", "B"]
        );
        assert_eq!(new_storage("CREATE TEMP TABLE Q (a int)"), ["q"]);
        assert_eq!(new_storage("create table t as select 1"), ["t"]);
        assert!(new_storage("create table if not exists t (a int)").is_empty());
        assert!(new_storage("create index i on t (a)").is_empty());
        assert!(new_storage("delete from t").is_empty());
    }

    #[test]
    fn pgbench_init() {
        assert_eq!(
            parts("drop table if exists pgbench_accounts, pgbench_branches, public.h"),
            Some((
                vec![
                    "DROP TABLE IF EXISTS pgbench_accounts".into(),
                    "DROP TABLE IF EXISTS pgbench_branches".into(),
                    "DROP TABLE IF EXISTS public.h".into()
                ],
                "DROP TABLE"
            ))
        );
        assert_eq!(parts("drop table t"), None);
        assert_eq!(
            parts("DROP TABLE t CASCADE"),
            Some((vec!["DROP TABLE t".into()], "DROP TABLE"))
        );
        assert_eq!(
            parts("truncate table a, b restart identity"),
            Some((
                vec!["DELETE FROM a".into(), "DELETE FROM b".into()],
                "TRUNCATE TABLE"
            ))
        );
        assert_eq!(
            parts("vacuum analyze pgbench_branches"),
            Some((vec!["ANALYZE pgbench_branches".into()], "VACUUM"))
        );
        assert_eq!(parts("vacuum t"), Some((vec![], "VACUUM")));
        assert_eq!(parts("vacuum"), None);
        assert_eq!(
            parts("vacuum analyze t (a, \"B\")"),
            Some((
                vec![
                    "UPDATE t SET a = a WHERE false".into(),
                    "UPDATE t SET \"B\" = \"B\" WHERE false".into(),
                    "ANALYZE t".into()
                ],
                "VACUUM"
            ))
        );
        assert_eq!(parts("vacuum t (a)"), None);
        assert_eq!(
            parts("VACUUM (ANALYZE, VERBOSE)"),
            Some((vec!["ANALYZE".into()], "VACUUM"))
        );
    }

    #[test]
    fn indexes() {
        assert_eq!(parts("drop index i"), None);
        assert_eq!(
            parts("DROP INDEX CONCURRENTLY IF EXISTS \"I\""),
            Some((vec!["DROP INDEX IF EXISTS \"I\"".into()], "DROP INDEX"))
        );
        assert_eq!(
            parts("drop index a, b cascade"),
            Some((
                vec!["DROP INDEX a".into(), "DROP INDEX b".into()],
                "DROP INDEX"
            ))
        );
        assert_eq!(
            concurrently("create unique index concurrently i on t (a)").unwrap(),
            Some("CREATE INDEX CONCURRENTLY")
        );
        assert_eq!(concurrently("create index i on t (a)").unwrap(), None);
        assert_eq!(
            concurrently("drop index concurrently a, b")
                .unwrap_err()
                .code,
            SqlState::FEATURE_NOT_SUPPORTED
        );
        let r = |sql: &str| reindex(sql).map(|s| s.parts);
        assert_eq!(r("REINDEX INDEX i").unwrap(), ["REINDEX i"]);
        assert_eq!(
            r("reindex (verbose, concurrently) table concurrently s.t").unwrap(),
            ["REINDEX s.t"]
        );
        assert_eq!(r("REINDEX SCHEMA public").unwrap(), ["REINDEX"]);
        assert!(r("REINDEX SYSTEM db").unwrap().is_empty());
        assert_eq!(
            r("REINDEX DATABASE").unwrap_err().code,
            SqlState::SYNTAX_ERROR
        );
        assert_eq!(
            r("REINDEX SYSTEM CONCURRENTLY db").unwrap_err().code,
            SqlState::FEATURE_NOT_SUPPORTED
        );
        assert!(r("REINDEX SCHEMA CONCURRENTLY pg_catalog")
            .unwrap()
            .is_empty());
        assert_eq!(
            r("REINDEX SCHEMA nosuch").unwrap_err().code,
            SqlState::INVALID_SCHEMA_NAME
        );
        assert_eq!(
            r("REINDEX (foo) TABLE t").unwrap_err().message,
            "unrecognized REINDEX option \"foo\""
        );
        assert_eq!(r("REINDEX t").unwrap_err().code, SqlState::SYNTAX_ERROR);
        assert_eq!(
            alter_index("ALTER INDEX IF EXISTS public.\"A\" RENAME TO b").unwrap(),
            RenameIndex {
                if_exists: true,
                name: "A".into(),
                new_name: "b".into()
            }
        );
        assert_eq!(
            alter_index("alter index i alter column 1 set statistics 5")
                .unwrap_err()
                .code,
            SqlState::FEATURE_NOT_SUPPORTED
        );
        assert!(unnamed_index("create unique index concurrently on t (a)"));
        assert!(!unnamed_index("create index on_t on t (a)"));
        assert_eq!(
            index_name("CREATE INDEX \"T_a_idx\" ON t(a)").as_deref(),
            Some("T_a_idx")
        );
        assert_eq!(
            renamed_index("CREATE UNIQUE INDEX \"t_a_idx\" ON t(a)", "n").as_deref(),
            Some("CREATE UNIQUE INDEX \"n\" ON t(a)")
        );
    }
}
