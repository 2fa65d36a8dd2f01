//! `CREATE DATABASE`, `DROP DATABASE`, `ALTER DATABASE … RENAME TO` and the Go proxy's
//! `BRANCH src TO dst`, read word by word: what the session (`server/databases.rs`) needs
//! to run them, and PostgreSQL's errors for what is malformed. A database is a file of
//! the data folder, so options that only a PostgreSQL cluster has are accepted only at
//! the value litewire already has (`ENCODING 'UTF8'`, `LOCALE 'C'` …) and 0A000 otherwise.

use super::lexer::{fold_ident, significant, TokenKind};
use super::translate::unsupported;
use crate::protocol::{PgError, SqlState};

/// A database lifecycle statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseCommand {
    /// `CREATE DATABASE name [TEMPLATE src]` (`BRANCH src TO name`). `owner`: the role an
    /// `OWNER` option named, which the session compares with its user.
    Create {
        name: String,
        template: Option<String>,
        owner: Option<String>,
    },
    /// `DROP DATABASE [IF EXISTS] name [WITH (FORCE)]`.
    Drop {
        name: String,
        if_exists: bool,
        force: bool,
    },
    /// `ALTER DATABASE from RENAME TO to`.
    Rename { from: String, to: String },
}

impl DatabaseCommand {
    /// The CommandComplete tag (and the word of 25001's message).
    pub fn tag(&self) -> &'static str {
        match self {
            DatabaseCommand::Create { .. } => "CREATE DATABASE",
            DatabaseCommand::Drop { .. } => "DROP DATABASE",
            DatabaseCommand::Rename { .. } => "ALTER DATABASE",
        }
    }
}

/// Significant tokens of `sql` as text, without a final `;`.
fn tokens(sql: &str) -> Vec<(TokenKind, &str)> {
    significant(sql)
        .filter(|t| t.kind != TokenKind::Semi)
        .map(|t| (t.kind, &sql[t.start..t.end]))
        .collect()
}

/// A name token (a word or a double-quoted identifier), folded as PostgreSQL folds it.
fn name(tok: Option<&(TokenKind, &str)>) -> Result<String, PgError> {
    match tok {
        Some((TokenKind::Word, w)) => Ok(fold_ident(w)),
        Some((TokenKind::Quoted, q)) if q.starts_with('"') => {
            let n = fold_ident(q);
            if n.is_empty() {
                return Err(PgError::new(
                    SqlState::SYNTAX_ERROR,
                    format!("zero-length delimited identifier at or near \"{q}\""),
                ));
            }
            Ok(n)
        }
        Some((_, t)) => Err(PgError::syntax_near(t)),
        None => Err(PgError::syntax_near("")),
    }
}

fn is(tok: Option<&(TokenKind, &str)>, word: &str) -> bool {
    matches!(tok, Some((TokenKind::Word, w)) if w.eq_ignore_ascii_case(word))
}

/// Nothing may follow the statement's last token.
fn end(toks: &[(TokenKind, &str)], at: usize) -> Result<(), PgError> {
    match toks.get(at) {
        None => Ok(()),
        Some((_, t)) => Err(PgError::syntax_near(t)),
    }
}

/// Reads `CREATE DATABASE …`, `DROP DATABASE …`, `ALTER DATABASE …` or `BRANCH … TO …`.
pub fn parse(sql: &str) -> Result<DatabaseCommand, PgError> {
    let toks = tokens(sql);
    let first = toks.first().map_or("", |t| t.1).to_ascii_uppercase();
    match first.as_str() {
        "CREATE" => create(&toks[2..]),
        "DROP" => drop(&toks[2..]),
        "ALTER" => rename(&toks[2..]),
        _ => {
            // BRANCH src TO dst: the old Go proxy's spelling of CREATE DATABASE … TEMPLATE.
            let src = name(toks.get(1))?;
            if !is(toks.get(2), "to") {
                return Err(PgError::syntax_near(toks.get(2).map_or("", |t| t.1)));
            }
            let dst = name(toks.get(3))?;
            end(&toks, 4)?;
            Ok(DatabaseCommand::Create {
                name: dst,
                template: Some(src),
                owner: None,
            })
        }
    }
}

fn drop(toks: &[(TokenKind, &str)]) -> Result<DatabaseCommand, PgError> {
    let mut at = 0;
    let if_exists = is(toks.first(), "if") && is(toks.get(1), "exists");
    if if_exists {
        at = 2;
    }
    let name = name(toks.get(at))?;
    at += 1;
    let mut force = false;
    if is(toks.get(at), "with") {
        at += 1;
    }
    if let Some((TokenKind::Open, _)) = toks.get(at) {
        at += 1;
        loop {
            match toks.get(at) {
                Some((TokenKind::Word, w)) if w.eq_ignore_ascii_case("force") => force = true,
                Some((_, t)) => return Err(PgError::syntax_near(t)),
                None => return Err(PgError::syntax_near("")),
            }
            at += 1;
            match toks.get(at) {
                Some((TokenKind::Other, ",")) => at += 1,
                Some((TokenKind::Close, _)) => {
                    at += 1;
                    break;
                }
                Some((_, t)) => return Err(PgError::syntax_near(t)),
                None => return Err(PgError::syntax_near("")),
            }
        }
    } else if at > 0 && is(toks.get(at - 1), "with") {
        return Err(PgError::syntax_near(toks.get(at).map_or("", |t| t.1)));
    }
    end(toks, at)?;
    Ok(DatabaseCommand::Drop {
        name,
        if_exists,
        force,
    })
}

fn rename(toks: &[(TokenKind, &str)]) -> Result<DatabaseCommand, PgError> {
    let from = name(toks.first())?;
    if !is(toks.get(1), "rename") {
        return Err(unsupported(
            "ALTER DATABASE other than RENAME TO (per-database settings, owners, limits)",
        ));
    }
    if !is(toks.get(2), "to") {
        return Err(PgError::syntax_near(toks.get(2).map_or("", |t| t.1)));
    }
    let to = name(toks.get(3))?;
    end(toks, 4)?;
    Ok(DatabaseCommand::Rename { from, to })
}

/// An option's value: a word (folded), a string (unquoted), a number (with its sign), or
/// None for `DEFAULT`.
fn value(toks: &[(TokenKind, &str)], at: &mut usize) -> Result<Option<String>, PgError> {
    let negative = matches!(toks.get(*at), Some((TokenKind::Other, "-")));
    if negative {
        *at += 1;
    }
    let v = match toks.get(*at) {
        Some((TokenKind::Word, w)) if !negative && w.eq_ignore_ascii_case("default") => None,
        Some((TokenKind::Word, w)) => Some(format!(
            "{}{}",
            if negative { "-" } else { "" },
            fold_ident(w)
        )),
        Some((TokenKind::Quoted, q)) if !negative && q.starts_with('\'') => {
            let inner = &q[1..q.len().saturating_sub(1).max(1)];
            Some(inner.replace("''", "'"))
        }
        Some((TokenKind::Quoted, q)) if !negative && q.starts_with('"') => Some(fold_ident(q)),
        Some((_, t)) => return Err(PgError::syntax_near(t)),
        None => return Err(PgError::syntax_near("")),
    };
    *at += 1;
    Ok(v)
}

fn boolean(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" | "t" | "y" => Some(true),
        "false" | "off" | "no" | "0" | "f" | "n" => Some(false),
        _ => None,
    }
}

fn create(toks: &[(TokenKind, &str)]) -> Result<DatabaseCommand, PgError> {
    let name = name(toks.first())?;
    let mut at = 1;
    if is(toks.get(at), "with") {
        at += 1;
    }
    let (mut template, mut owner) = (None, None);
    let mut seen: Vec<String> = Vec::new();
    while let Some((kind, word)) = toks.get(at) {
        if *kind != TokenKind::Word {
            return Err(PgError::syntax_near(word));
        }
        let mut option = word.to_ascii_lowercase();
        at += 1;
        if option == "connection" {
            if !is(toks.get(at), "limit") {
                return Err(PgError::syntax_near(toks.get(at).map_or("", |t| t.1)));
            }
            option = "connection_limit".into();
            at += 1;
        }
        if matches!(toks.get(at), Some((TokenKind::Other, "="))) {
            at += 1;
        }
        let v = value(toks, &mut at)?;
        if seen.contains(&option) {
            return Err(PgError::new(
                SqlState::SYNTAX_ERROR,
                "conflicting or redundant options",
            ));
        }
        seen.push(option.clone());
        let Some(v) = v else { continue };
        let lower = v.to_ascii_lowercase();
        let refuse = |what: &str| Err(unsupported(format!("CREATE DATABASE … {what}")));
        match option.as_str() {
            "owner" => owner = Some(v),
            "template" => template = Some(v),
            "encoding" => {
                let clean: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
                if !matches!(clean.as_str(), "utf8" | "unicode" | "6") {
                    return refuse(&format!("ENCODING {v} (litewire databases are UTF8)"));
                }
            }
            "strategy" => {
                if !matches!(lower.as_str(), "wal_log" | "file_copy") {
                    return Err(PgError::new(
                        SqlState::INVALID_PARAMETER_VALUE,
                        format!("invalid create database strategy \"{v}\""),
                    )
                    .with_hint("Valid strategies are \"wal_log\" and \"file_copy\"."));
                }
            }
            "locale" | "lc_collate" | "lc_ctype" => {
                if !matches!(lower.as_str(), "c" | "posix") {
                    return refuse(&format!(
                        "{} {v} (litewire databases use the C locale)",
                        option.to_ascii_uppercase()
                    ));
                }
            }
            "locale_provider" => {
                if lower != "libc" {
                    return refuse(&format!("LOCALE_PROVIDER {v}"));
                }
            }
            "icu_locale" => return refuse("ICU_LOCALE"),
            "collation_version" => return refuse("COLLATION_VERSION"),
            "oid" => return refuse("OID"),
            "tablespace" => {
                if lower != "pg_default" {
                    return refuse(&format!("TABLESPACE {v} (no tablespaces)"));
                }
            }
            "allow_connections" => match boolean(&v) {
                Some(true) => {}
                Some(false) => return refuse("ALLOW_CONNECTIONS false"),
                None => return Err(requires_boolean(&option)),
            },
            "is_template" => match boolean(&v) {
                Some(false) => {}
                Some(true) => return refuse("IS_TEMPLATE true (template databases)"),
                None => return Err(requires_boolean(&option)),
            },
            "connection_limit" => match v.parse::<i64>() {
                Ok(-1) => {}
                Ok(_) => return refuse("CONNECTION LIMIT (per-database connection limits)"),
                Err(_) => {
                    return Err(PgError::new(
                        SqlState::SYNTAX_ERROR,
                        "connection_limit requires an integer value",
                    ))
                }
            },
            _ => {
                return Err(PgError::new(
                    SqlState::SYNTAX_ERROR,
                    format!("option \"{option}\" not recognized"),
                ))
            }
        }
    }
    Ok(DatabaseCommand::Create {
        name,
        template,
        owner,
    })
}

fn requires_boolean(option: &str) -> PgError {
    PgError::new(
        SqlState::SYNTAX_ERROR,
        format!("{option} requires a Boolean value"),
    )
}

/// The admin console's `BACKUP DATABASE name TO 'file'` / `BACKUP DATABASE ALL TO
/// 'folder'`: which database (None: all) and the file (or folder) name inside the data
/// folder's backup folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    pub database: Option<String>,
    pub target: String,
}

/// Reads `BACKUP DATABASE {name | ALL} TO 'file'`. The file is a name, never a path:
/// letters, digits, `_`, `-` and `.`, not starting with `.` (so no `..`, `/`, absolute
/// path or hidden file), at most 255 bytes; else 42602.
pub fn parse_backup(sql: &str) -> Result<Backup, PgError> {
    let toks = tokens(sql);
    if !is(toks.first(), "BACKUP") || !is(toks.get(1), "DATABASE") {
        return Err(PgError::syntax_near(toks.first().map_or("", |t| t.1)));
    }
    let database = if is(toks.get(2), "ALL") {
        None
    } else {
        let n = name(toks.get(2))?;
        crate::engine::lifecycle::check_name(&n)?;
        Some(n)
    };
    if !is(toks.get(3), "TO") {
        return Err(PgError::syntax_near(toks.get(3).map_or("", |t| t.1)));
    }
    let target = match toks.get(4) {
        Some((TokenKind::Quoted, q)) if q.starts_with('\'') => q[1..q.len() - 1].replace("''", "'"),
        Some((_, t)) => return Err(PgError::syntax_near(t)),
        None => return Err(PgError::syntax_near("")),
    };
    end(&toks, 5)?;
    let valid = !target.is_empty()
        && target.len() <= 255
        && !target.starts_with('.')
        && target
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if !valid {
        return Err(PgError::new(
            SqlState::INVALID_NAME,
            format!("invalid backup file name \"{target}\""),
        )
        .with_detail(
            "A backup is written inside the data folder's backups folder: give a file name \
             (letters, digits, _, - and ., not starting with .), not a path.",
        ));
    }
    Ok(Backup { database, target })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(name: &str, template: Option<&str>) -> DatabaseCommand {
        DatabaseCommand::Create {
            name: name.into(),
            template: template.map(Into::into),
            owner: None,
        }
    }

    #[test]
    fn reads_the_statements() {
        assert_eq!(parse("CREATE DATABASE Foo").unwrap(), create("foo", None));
        assert_eq!(
            parse("create database \"Foo\" with template = src encoding 'UTF8';").unwrap(),
            create("Foo", Some("src"))
        );
        assert_eq!(
            parse("create database a template b connection limit -1 strategy wal_log").unwrap(),
            create("a", Some("b"))
        );
        assert_eq!(
            parse("create database a owner = me").unwrap(),
            DatabaseCommand::Create {
                name: "a".into(),
                template: None,
                owner: Some("me".into())
            }
        );
        assert_eq!(
            parse("BRANCH src TO dst").unwrap(),
            create("dst", Some("src"))
        );
        assert_eq!(
            parse("drop database if exists x with (force)").unwrap(),
            DatabaseCommand::Drop {
                name: "x".into(),
                if_exists: true,
                force: true
            }
        );
        assert_eq!(
            parse("drop database x (force, force)").unwrap(),
            DatabaseCommand::Drop {
                name: "x".into(),
                if_exists: false,
                force: true
            }
        );
        assert_eq!(
            parse("alter database a rename to b").unwrap(),
            DatabaseCommand::Rename {
                from: "a".into(),
                to: "b".into()
            }
        );
    }

    #[test]
    fn only_database_statements_are_classified_here() {
        use crate::sql::{classify, Command};
        for sql in [
            "CREATE DATABASE x",
            "drop database x",
            "alter database x rename to y",
            "branch x to y",
        ] {
            assert!(matches!(classify(sql), Command::Database(_)), "{sql}");
        }
        for sql in ["create table database (a int)", "select 1", "drop table x"] {
            assert!(!matches!(classify(sql), Command::Database(_)), "{sql}");
        }
    }

    #[test]
    fn refuses_what_postgresql_refuses_or_litewire_cannot_honour() {
        let code = |sql: &str| parse(sql).unwrap_err().code;
        let message = |sql: &str| parse(sql).unwrap_err().message;
        assert_eq!(
            message("create database a bogus 1"),
            "option \"bogus\" not recognized"
        );
        assert_eq!(
            message("create database a template b template c"),
            "conflicting or redundant options"
        );
        assert_eq!(
            message("drop database a with (bogus)"),
            "syntax error at or near \"bogus\""
        );
        assert_eq!(
            message("create database ''"),
            "syntax error at or near \"''\""
        );
        assert_eq!(
            code("create database a encoding 'LATIN1'"),
            SqlState::FEATURE_NOT_SUPPORTED
        );
        assert_eq!(
            code("create database a locale 'de_DE'"),
            SqlState::FEATURE_NOT_SUPPORTED
        );
        assert_eq!(
            code("create database a is_template true"),
            SqlState::FEATURE_NOT_SUPPORTED
        );
        assert_eq!(
            code("create database a oid 99999"),
            SqlState::FEATURE_NOT_SUPPORTED
        );
        assert_eq!(
            code("create database a strategy x"),
            SqlState::INVALID_PARAMETER_VALUE
        );
        assert_eq!(
            code("alter database a set x = 1"),
            SqlState::FEATURE_NOT_SUPPORTED
        );
        assert_eq!(code("alter database a rename b"), SqlState::SYNTAX_ERROR);
        assert_eq!(code("branch a b"), SqlState::SYNTAX_ERROR);
        assert_eq!(code("drop database a b"), SqlState::SYNTAX_ERROR);
    }

    #[test]
    fn backup_reads_a_database_and_a_file_name_never_a_path() {
        assert_eq!(
            parse_backup("backup database Shop to 'shop-1.db';").unwrap(),
            Backup {
                database: Some("shop".into()),
                target: "shop-1.db".into()
            }
        );
        assert_eq!(
            parse_backup("BACKUP DATABASE ALL TO 'nightly'").unwrap(),
            Backup {
                database: None,
                target: "nightly".into()
            }
        );
        for bad in [
            "../x.db",
            "/tmp/x.db",
            "a/b.db",
            "..",
            ".hidden",
            "",
            "x\\y",
        ] {
            let e = parse_backup(&format!("backup database a to '{bad}'")).unwrap_err();
            assert_eq!(e.code, SqlState::INVALID_NAME, "{bad}");
        }
        assert_eq!(
            parse_backup("backup database \"../a\" to 'x'")
                .unwrap_err()
                .code,
            SqlState::INVALID_NAME
        );
        assert_eq!(
            parse_backup("backup database a to x").unwrap_err().code,
            SqlState::SYNTAX_ERROR
        );
    }
}
