//! PostgreSQL errors as litewire sends them: severity, SQLSTATE and message.
//!
//! Every ErrorResponse and NoticeResponse the server writes is built from a [`PgError`];
//! SQLSTATEs are named constants, never strings typed at the call site.

use std::fmt;

/// A five-character SQLSTATE code (PostgreSQL Appendix A).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqlState(pub &'static str);

#[allow(missing_docs)]
impl SqlState {
    pub const SUCCESSFUL_COMPLETION: Self = Self("00000");
    pub const WARNING: Self = Self("01000");
    pub const ACTIVE_SQL_TRANSACTION: Self = Self("25001");
    pub const NO_ACTIVE_SQL_TRANSACTION: Self = Self("25P01");
    pub const IN_FAILED_SQL_TRANSACTION: Self = Self("25P02");
    pub const IDLE_IN_TRANSACTION_SESSION_TIMEOUT: Self = Self("25P03");
    pub const READ_ONLY_SQL_TRANSACTION: Self = Self("25006");
    pub const INVALID_SAVEPOINT_SPECIFICATION: Self = Self("3B001");
    pub const PROTOCOL_VIOLATION: Self = Self("08P01");
    pub const CONNECTION_EXCEPTION: Self = Self("08000");
    pub const INVALID_CATALOG_NAME: Self = Self("3D000");
    pub const DUPLICATE_DATABASE: Self = Self("42P04");
    pub const INVALID_NAME: Self = Self("42602");
    pub const SYNTAX_ERROR: Self = Self("42601");
    pub const UNDEFINED_TABLE: Self = Self("42P01");
    pub const INVALID_SCHEMA_NAME: Self = Self("3F000");
    pub const UNDEFINED_COLUMN: Self = Self("42703");
    pub const INVALID_RECURSION: Self = Self("42P19");
    pub const UNDEFINED_FUNCTION: Self = Self("42883");
    pub const DUPLICATE_FUNCTION: Self = Self("42723");
    pub const AMBIGUOUS_FUNCTION: Self = Self("42725");
    pub const INVALID_FUNCTION_DEFINITION: Self = Self("42P13");
    pub const UNDEFINED_OBJECT: Self = Self("42704");
    pub const DUPLICATE_TABLE: Self = Self("42P07");
    pub const DUPLICATE_SCHEMA: Self = Self("42P06");
    pub const RESERVED_NAME: Self = Self("42939");
    pub const DUPLICATE_COLUMN: Self = Self("42701");
    pub const DUPLICATE_OBJECT: Self = Self("42710");
    pub const DUPLICATE_ALIAS: Self = Self("42712");
    pub const INVALID_OBJECT_DEFINITION: Self = Self("42P17");
    pub const AMBIGUOUS_ALIAS: Self = Self("42P09");
    pub const DATATYPE_MISMATCH: Self = Self("42804");
    pub const GROUPING_ERROR: Self = Self("42803");
    pub const WINDOWING_ERROR: Self = Self("42P20");
    pub const INDETERMINATE_DATATYPE: Self = Self("42P18");
    pub const INVALID_COLUMN_REFERENCE: Self = Self("42P10");
    pub const INVALID_TABLE_DEFINITION: Self = Self("42P16");
    pub const INVALID_FOREIGN_KEY: Self = Self("42830");
    pub const DEPENDENT_OBJECTS_STILL_EXIST: Self = Self("2BP01");
    pub const INSUFFICIENT_PRIVILEGE: Self = Self("42501");
    pub const UNIQUE_VIOLATION: Self = Self("23505");
    pub const NOT_NULL_VIOLATION: Self = Self("23502");
    pub const FOREIGN_KEY_VIOLATION: Self = Self("23503");
    pub const CHECK_VIOLATION: Self = Self("23514");
    pub const INTEGRITY_CONSTRAINT_VIOLATION: Self = Self("23000");
    pub const RAISE_EXCEPTION: Self = Self("P0001");
    pub const DATA_EXCEPTION: Self = Self("22000");
    pub const ARRAY_SUBSCRIPT_ERROR: Self = Self("2202E");
    pub const INVALID_ESCAPE_STRING: Self = Self("22019");
    pub const INVALID_REGULAR_EXPRESSION: Self = Self("2201B");
    pub const INVALID_USE_OF_ESCAPE_CHARACTER: Self = Self("2200C");
    pub const DIVISION_BY_ZERO: Self = Self("22012");
    pub const NUMERIC_VALUE_OUT_OF_RANGE: Self = Self("22003");
    pub const INVALID_ARGUMENT_FOR_LOG: Self = Self("2201E");
    pub const INVALID_ARGUMENT_FOR_POWER: Self = Self("2201F");
    pub const INVALID_ARGUMENT_FOR_WIDTH_BUCKET: Self = Self("2201G");
    pub const INVALID_ROW_COUNT_IN_LIMIT_CLAUSE: Self = Self("2201W");
    pub const INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE: Self = Self("2201X");
    pub const STRING_DATA_RIGHT_TRUNCATION: Self = Self("22001");
    pub const INVALID_TEXT_REPRESENTATION: Self = Self("22P02");
    pub const UNTRANSLATABLE_CHARACTER: Self = Self("22P05");
    pub const NULL_VALUE_NOT_ALLOWED: Self = Self("22004");
    pub const INVALID_BINARY_REPRESENTATION: Self = Self("22P03");
    pub const INVALID_DATETIME_FORMAT: Self = Self("22007");
    pub const DATETIME_FIELD_OVERFLOW: Self = Self("22008");
    pub const INVALID_TIME_ZONE_DISPLACEMENT_VALUE: Self = Self("22009");
    pub const INTERVAL_FIELD_OVERFLOW: Self = Self("22015");
    pub const BAD_COPY_FILE_FORMAT: Self = Self("22P04");
    pub const INVALID_CURSOR_STATE: Self = Self("24000");
    pub const INVALID_TRANSACTION_STATE: Self = Self("25000");
    pub const OBJECT_NOT_IN_PREREQUISITE_STATE: Self = Self("55000");
    pub const INVALID_CURSOR_DEFINITION: Self = Self("42P11");
    pub const CHARACTER_NOT_IN_REPERTOIRE: Self = Self("22021");
    pub const INVALID_SQL_STATEMENT_NAME: Self = Self("26000");
    pub const INVALID_CURSOR_NAME: Self = Self("34000");
    pub const DUPLICATE_PREPARED_STATEMENT: Self = Self("42P05");
    pub const DUPLICATE_CURSOR: Self = Self("42P03");
    pub const PROGRAM_LIMIT_EXCEEDED: Self = Self("54000");
    pub const STATEMENT_TOO_COMPLEX: Self = Self("54001");
    pub const TOO_MANY_CONNECTIONS: Self = Self("53300");
    pub const CONFIGURATION_LIMIT_EXCEEDED: Self = Self("53400");
    pub const OUT_OF_MEMORY: Self = Self("53200");
    pub const DISK_FULL: Self = Self("53100");
    pub const LOCK_NOT_AVAILABLE: Self = Self("55P03");
    pub const OBJECT_IN_USE: Self = Self("55006");
    pub const SERIALIZATION_FAILURE: Self = Self("40001");
    pub const QUERY_CANCELED: Self = Self("57014");
    pub const ADMIN_SHUTDOWN: Self = Self("57P01");
    pub const IDLE_SESSION_TIMEOUT: Self = Self("57P05");
    pub const CANNOT_CONNECT_NOW: Self = Self("57P03");
    pub const FEATURE_NOT_SUPPORTED: Self = Self("0A000");
    pub const CARDINALITY_VIOLATION: Self = Self("21000");
    pub const INVALID_PARAMETER_VALUE: Self = Self("22023");
    pub const INVALID_PRECEDING_OR_FOLLOWING_SIZE: Self = Self("22013");
    pub const SEQUENCE_GENERATOR_LIMIT_EXCEEDED: Self = Self("2200H");
    pub const WRONG_OBJECT_TYPE: Self = Self("42809");
    pub const GENERATED_ALWAYS: Self = Self("428C9");
    pub const UNDEFINED_PARAMETER: Self = Self("42704");
    pub const UNDEFINED_PARAMETER_REF: Self = Self("42P02");
    pub const IO_ERROR: Self = Self("58030");
    pub const DUPLICATE_FILE: Self = Self("58P02");
    pub const DATA_CORRUPTED: Self = Self("XX001");
    pub const INTERNAL_ERROR: Self = Self("XX000");
    pub const SYNTAX_ERROR_OR_RULE_VIOLATION: Self = Self("42000");
    pub const CANT_CHANGE_RUNTIME_PARAM: Self = Self("55P02");
    pub const INVALID_AUTHORIZATION: Self = Self("28000");
    pub const INVALID_PASSWORD: Self = Self("28P01");
    pub const CONFIG_FILE_ERROR: Self = Self("F0000");
}

/// ErrorResponse/NoticeResponse severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    /// The session ends after this error.
    Fatal,
    Warning,
    Notice,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "ERROR",
            Severity::Fatal => "FATAL",
            Severity::Warning => "WARNING",
            Severity::Notice => "NOTICE",
        }
    }
}

/// An error (or notice) to report to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgError {
    pub severity: Severity,
    pub code: SqlState,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
    /// Where the error happened (`W`), e.g. `COPY t, line 3, column a: "x"`.
    pub context: Option<String>,
}

impl PgError {
    pub fn new(code: SqlState, message: impl Into<String>) -> Self {
        PgError {
            severity: Severity::Error,
            code,
            message: message.into(),
            detail: None,
            hint: None,
            context: None,
        }
    }

    pub fn fatal(code: SqlState, message: impl Into<String>) -> Self {
        PgError {
            severity: Severity::Fatal,
            ..Self::new(code, message)
        }
    }

    pub fn warning(code: SqlState, message: impl Into<String>) -> Self {
        PgError {
            severity: Severity::Warning,
            ..Self::new(code, message)
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_context(mut self, context: impl Into<String>) -> Self {
        self.context = Some(context.into());
        self
    }

    /// 22021 for text that is not valid UTF-8, naming the offending bytes as PostgreSQL
    /// does (`0xc3 0x28`).
    pub fn bad_encoding(bytes: &[u8]) -> Self {
        let shown: Vec<String> = bytes.iter().map(|b| format!("0x{b:02x}")).collect();
        PgError::new(
            SqlState::CHARACTER_NOT_IN_REPERTOIRE,
            format!(
                "invalid byte sequence for encoding \"UTF8\": {}",
                shown.join(" ")
            ),
        )
    }

    pub fn protocol_violation(message: impl Into<String>) -> Self {
        Self::fatal(SqlState::PROTOCOL_VIOLATION, message)
    }

    /// PostgreSQL's parser error: `syntax error at or near "x"` (at end of input for "").
    pub fn syntax_near(near: &str) -> Self {
        Self::new(
            SqlState::SYNTAX_ERROR,
            if near.is_empty() {
                "syntax error at end of input".to_string()
            } else {
                format!("syntax error at or near \"{near}\"")
            },
        )
    }

    pub fn in_failed_transaction() -> Self {
        Self::new(
            SqlState::IN_FAILED_SQL_TRANSACTION,
            "current transaction is aborted, commands ignored until end of transaction block",
        )
    }

    pub fn is_fatal(&self) -> bool {
        self.severity == Severity::Fatal
    }
}

impl fmt::Display for PgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.severity.as_str(),
            self.code.0,
            self.message
        )
    }
}

impl std::error::Error for PgError {}
