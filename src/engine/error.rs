//! The one place where SQLite errors become PostgreSQL errors (SQLSTATE + message).

use std::cell::RefCell;

use crate::protocol::{PgError, SqlState};
use rusqlite::ffi;

/// Maps an extended SQLite result code and its message to a SQLSTATE.
pub fn sqlstate(extended_code: i32, message: &str) -> SqlState {
    let primary = extended_code & 0xff;
    match extended_code {
        ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
            return SqlState::UNIQUE_VIOLATION
        }
        ffi::SQLITE_CONSTRAINT_NOTNULL => return SqlState::NOT_NULL_VIOLATION,
        ffi::SQLITE_CONSTRAINT_FOREIGNKEY => return SqlState::FOREIGN_KEY_VIOLATION,
        ffi::SQLITE_CONSTRAINT_CHECK => return SqlState::CHECK_VIOLATION,
        ffi::SQLITE_CONSTRAINT_TRIGGER => return SqlState::RAISE_EXCEPTION,
        ffi::SQLITE_CONSTRAINT_DATATYPE => return SqlState::INVALID_TEXT_REPRESENTATION,
        ffi::SQLITE_BUSY_SNAPSHOT => return SqlState::SERIALIZATION_FAILURE,
        _ => {}
    }
    match primary {
        ffi::SQLITE_CONSTRAINT => SqlState::INTEGRITY_CONSTRAINT_VIOLATION,
        ffi::SQLITE_BUSY | ffi::SQLITE_LOCKED => SqlState::LOCK_NOT_AVAILABLE,
        ffi::SQLITE_READONLY => SqlState::READ_ONLY_SQL_TRANSACTION,
        ffi::SQLITE_INTERRUPT => SqlState::QUERY_CANCELED,
        ffi::SQLITE_AUTH | ffi::SQLITE_PERM => SqlState::INSUFFICIENT_PRIVILEGE,
        ffi::SQLITE_TOOBIG => SqlState::PROGRAM_LIMIT_EXCEEDED,
        ffi::SQLITE_NOMEM => SqlState::OUT_OF_MEMORY,
        ffi::SQLITE_FULL => SqlState::DISK_FULL,
        ffi::SQLITE_CORRUPT | ffi::SQLITE_NOTADB => SqlState::DATA_CORRUPTED,
        ffi::SQLITE_IOERR | ffi::SQLITE_CANTOPEN => SqlState::IO_ERROR,
        ffi::SQLITE_MISMATCH => SqlState::DATATYPE_MISMATCH,
        ffi::SQLITE_RANGE => SqlState::INVALID_PARAMETER_VALUE,
        ffi::SQLITE_ERROR => by_message(message),
        _ => SqlState::INTERNAL_ERROR,
    }
}

/// SQLITE_ERROR covers many PostgreSQL classes; SQLite's messages tell them apart.
fn by_message(m: &str) -> SqlState {
    let has = |s: &str| m.contains(s);
    if has("syntax error") || has("incomplete input") || has("unrecognized token") {
        SqlState::SYNTAX_ERROR
    } else if has("invalid input syntax") || has("malformed array literal") {
        SqlState::INVALID_TEXT_REPRESENTATION
    } else if has("no such table") || has("no such view") || has("\" does not exist") {
        SqlState::UNDEFINED_TABLE
    } else if has("no such column") || has("has no column named") {
        SqlState::UNDEFINED_COLUMN
    } else if has("no such function") || has("wrong number of arguments") {
        SqlState::UNDEFINED_FUNCTION
    } else if has("no such index") || has("no such trigger") || has("no such module") {
        SqlState::UNDEFINED_OBJECT
    } else if has("no such savepoint") {
        SqlState::INVALID_SAVEPOINT_SPECIFICATION
    } else if (has("table") || has("view")) && has("already exists") {
        SqlState::DUPLICATE_TABLE
    } else if has("already exists") {
        SqlState::DUPLICATE_OBJECT
    } else if has("duplicate column name") {
        SqlState::DUPLICATE_COLUMN
    } else if has("not authorized") || has("prohibited") {
        SqlState::INSUFFICIENT_PRIVILEGE
    } else if has("integer overflow") {
        SqlState::NUMERIC_VALUE_OUT_OF_RANGE
    } else if has("Expression tree is too large") || m == "Recursion limit" {
        // PostgreSQL's answer to nesting deeper than its stack allows.
        SqlState::STATEMENT_TOO_COMPLEX
    } else if has("because it is a view") {
        // A write to a view with no INSTEAD rule or trigger: PostgreSQL's automatically
        // updatable views, which litewire lacks.
        SqlState::FEATURE_NOT_SUPPORTED
    } else if has("too many") || has("too big") || has("too large") {
        SqlState::PROGRAM_LIMIT_EXCEEDED
    } else {
        SqlState::SYNTAX_ERROR_OR_RULE_VIOLATION
    }
}

thread_local! {
    /// The error one of litewire's SQL functions raised on this thread (see [`raise`]).
    static RAISED: RefCell<Option<PgError>> = const { RefCell::new(None) };
}

/// The error a litewire SQL function (engine/functions.rs) fails with. SQLite carries
/// only the message out of a function, so the whole error — its SQLSTATE, detail and
/// hint — waits here, on the thread running the statement, for [`to_pg`] to take back
/// instead of guessing the code from the text.
pub fn raise(e: PgError) -> rusqlite::Error {
    let message = e.message.clone();
    RAISED.with(|r| *r.borrow_mut() = Some(e));
    rusqlite::Error::UserFunctionError(message.into())
}

/// The error [`raise`]d on this thread, if `message` is the one SQLite reports.
fn take_raised(message: &str) -> Option<PgError> {
    RAISED
        .with(|r| r.borrow_mut().take())
        .filter(|e| e.message == message)
}

/// Converts a rusqlite error into the PostgreSQL error the client sees.
pub fn to_pg(e: &rusqlite::Error) -> PgError {
    if let rusqlite::Error::SqliteFailure(err, Some(msg)) = e {
        if err.extended_code == ffi::SQLITE_ERROR {
            if let Some(raised) = take_raised(msg) {
                return raised;
            }
        }
    }
    match e {
        // A write on a snapshot someone has committed past (REPEATABLE READ and
        // SERIALIZABLE keep theirs): PostgreSQL's words, which clients know to retry.
        rusqlite::Error::SqliteFailure(err, _)
            if err.extended_code == ffi::SQLITE_BUSY_SNAPSHOT =>
        {
            PgError::new(
                SqlState::SERIALIZATION_FAILURE,
                "could not serialize access due to concurrent update",
            )
        }
        rusqlite::Error::SqliteFailure(err, msg) => {
            let message = msg.clone().unwrap_or_else(|| err.to_string());
            if err.extended_code == ffi::SQLITE_CONSTRAINT_CHECK {
                if let Some(e) = value_check(&message) {
                    return e;
                }
            }
            PgError::new(sqlstate(err.extended_code, &message), pg_words(message))
        }
        rusqlite::Error::SqlInputError { error, msg, .. } => {
            PgError::new(sqlstate(error.extended_code, msg), pg_words(msg.clone()))
        }
        rusqlite::Error::MultipleStatement => PgError::new(
            SqlState::SYNTAX_ERROR,
            "cannot insert multiple commands into a prepared statement",
        ),
        other => PgError::new(SqlState::INTERNAL_ERROR, other.to_string()),
    }
}

/// SQLite's wording where PostgreSQL's is well known: `no such column: x` is
/// `column "x" does not exist` (a qualified `t.x` stays unquoted, as PostgreSQL writes it),
/// `no such table: t` is `relation "t" does not exist`.
fn pg_words(message: String) -> String {
    if let Some(view) = message
        .strip_prefix("cannot modify ")
        .and_then(|m| m.strip_suffix(" because it is a view"))
    {
        return format!(
            "writing to view \"{view}\" (an automatically updatable view) is not supported \
             by litewire"
        );
    }
    // `table t already exists` (also an index, a view): PostgreSQL's relations.
    let existing = ["table ", "index ", "view "]
        .iter()
        .find_map(|k| message.strip_prefix(k)?.strip_suffix(" already exists"));
    if let Some(name) = existing.filter(|n| !n.contains(' ')) {
        let name = name.trim_matches('"');
        return format!("relation \"{name}\" already exists");
    }
    if let Some(name) = message.strip_prefix("no such table: ") {
        // SQLite's `main.`/`temp.` are PostgreSQL's public and pg_temp, which it leaves out.
        let name = name
            .strip_prefix("main.")
            .or_else(|| name.strip_prefix("temp."))
            .unwrap_or(name);
        return format!("relation \"{name}\" does not exist");
    }
    let Some(name) = message.strip_prefix("no such column: ") else {
        return message;
    };
    let name = name
        .strip_suffix(" - should this be a string literal in single-quotes?")
        .unwrap_or(name);
    if name.starts_with('"') || name.contains('.') {
        format!("column {name} does not exist")
    } else {
        format!("column \"{name}\" does not exist")
    }
}

/// A column type's own check failing (`sql::translate::value_check`: the constraint's
/// name is the SQLSTATE and the type): PostgreSQL's error for the value.
fn value_check(message: &str) -> Option<PgError> {
    let name = message
        .strip_prefix("CHECK constraint failed: ")?
        .strip_prefix(crate::sql::translate::VALUE_CHECK)?;
    let (code, pg) = name.split_once(' ')?;
    Some(match code {
        "22001" => PgError::new(
            SqlState::STRING_DATA_RIGHT_TRUNCATION,
            format!("value too long for type {pg}"),
        ),
        "22003" => match pg
            .strip_prefix("numeric(")
            .and_then(|t| t.strip_suffix(')'))
            .and_then(|t| t.split_once(','))
        {
            Some((p, s)) => {
                let digits = p.parse::<i64>().unwrap_or(0) - s.parse::<i64>().unwrap_or(0);
                PgError::new(SqlState::NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow")
                    .with_detail(format!(
                        "A field with precision {p}, scale {s} must round to an absolute value less than {}.",
                        if digits == 0 { "1".to_string() } else { format!("10^{digits}") }
                    ))
            }
            None => PgError::new(
                SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
                format!("{pg} out of range"),
            ),
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_constraint_codes() {
        assert_eq!(
            sqlstate(ffi::SQLITE_CONSTRAINT_UNIQUE, ""),
            SqlState::UNIQUE_VIOLATION
        );
        assert_eq!(
            sqlstate(ffi::SQLITE_CONSTRAINT_PRIMARYKEY, ""),
            SqlState::UNIQUE_VIOLATION
        );
        assert_eq!(
            sqlstate(ffi::SQLITE_CONSTRAINT_NOTNULL, ""),
            SqlState::NOT_NULL_VIOLATION
        );
        assert_eq!(
            sqlstate(ffi::SQLITE_CONSTRAINT_FOREIGNKEY, ""),
            SqlState::FOREIGN_KEY_VIOLATION
        );
        assert_eq!(
            sqlstate(ffi::SQLITE_CONSTRAINT_CHECK, ""),
            SqlState::CHECK_VIOLATION
        );
        assert_eq!(
            sqlstate(ffi::SQLITE_BUSY_SNAPSHOT, ""),
            SqlState::SERIALIZATION_FAILURE
        );
        assert_eq!(
            sqlstate(ffi::SQLITE_READONLY, ""),
            SqlState::READ_ONLY_SQL_TRANSACTION
        );
    }

    #[test]
    fn maps_sqlite_error_messages() {
        let e = |m| sqlstate(ffi::SQLITE_ERROR, m);
        assert_eq!(e("near \"selec\": syntax error"), SqlState::SYNTAX_ERROR);
        assert_eq!(e("no such table: nope"), SqlState::UNDEFINED_TABLE);
        assert_eq!(e("no such column: x"), SqlState::UNDEFINED_COLUMN);
        assert_eq!(
            pg_words("no such column: x".into()),
            r#"column "x" does not exist"#
        );
        assert_eq!(
            pg_words("no such column: t.x".into()),
            "column t.x does not exist"
        );
        assert_eq!(
            pg_words("table t already exists".into()),
            r#"relation "t" already exists"#
        );
        assert_eq!(
            pg_words("index i already exists".into()),
            r#"relation "i" already exists"#
        );
        assert_eq!(
            pg_words("no such table: main.t".into()),
            r#"relation "t" does not exist"#
        );
        assert_eq!(
            pg_words("no such table: s.t".into()),
            r#"relation "s.t" does not exist"#
        );
        assert_eq!(
            pg_words(
                r#"no such column: "X" - should this be a string literal in single-quotes?"#.into()
            ),
            r#"column "X" does not exist"#
        );
        assert_eq!(e("table t already exists"), SqlState::DUPLICATE_TABLE);
        let view = "cannot modify v because it is a view";
        assert_eq!(e(view), SqlState::FEATURE_NOT_SUPPORTED);
        assert_eq!(
            pg_words(view.into()),
            "writing to view \"v\" (an automatically updatable view) is not supported by litewire"
        );
        assert_eq!(e("no such function: f"), SqlState::UNDEFINED_FUNCTION);
        assert_eq!(
            e("1st ORDER BY term out of range - should be between 1 and 1"),
            SqlState::SYNTAX_ERROR_OR_RULE_VIOLATION
        );
    }

    #[test]
    fn raised_errors_keep_their_code() {
        let e = |m: &str| {
            to_pg(&rusqlite::Error::SqliteFailure(
                ffi::Error::new(ffi::SQLITE_ERROR),
                Some(m.into()),
            ))
        };
        // The cast helpers' PostgreSQL errors (engine/functions.rs) keep their code.
        let cases = [
            (
                "date/time field value out of range: \"2024-02-30\"",
                SqlState::DATETIME_FIELD_OVERFLOW,
            ),
            (
                "invalid input syntax for type date: \"x\"",
                SqlState::INVALID_DATETIME_FORMAT,
            ),
            (
                "value \"40000\" is out of range for type smallint",
                SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
            ),
            (
                "smallint out of range",
                SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
            ),
            (
                "value overflows numeric format",
                SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
            ),
            (
                "invalid input syntax for type uuid: \"zzz\"",
                SqlState::INVALID_TEXT_REPRESENTATION,
            ),
            (
                "invalid input syntax for type json",
                SqlState::INVALID_TEXT_REPRESENTATION,
            ),
            (
                "malformed array literal: \"{1,2\"",
                SqlState::INVALID_TEXT_REPRESENTATION,
            ),
            (
                "interval field value out of range: \"1e300 days\"",
                SqlState::INTERVAL_FIELD_OVERFLOW,
            ),
        ];
        for (m, code) in cases {
            let _ = raise(PgError::new(code, m));
            assert_eq!(e(m).code, code, "{m}");
        }
        // Only the message SQLite reports claims a raised error.
        let _ = raise(PgError::new(SqlState::DATETIME_FIELD_OVERFLOW, "one"));
        assert_eq!(e("another").code.0, "42000");
        assert_eq!(e("one").code.0, "42000", "a mismatch consumed it");
    }
}
