//! COPY's data formats (PostgreSQL's text and CSV) and the engine side of a COPY:
//! cutting the incoming stream into lines, splitting lines into fields, inserting them
//! in batches on a worker, and encoding result rows as COPY text for `COPY ... TO`.
//!
//! Incoming data is never held whole: [`Lines`] keeps only the unfinished line, and the
//! session hands complete lines over in bounded [`Batch`]es.

use std::borrow::Cow;
use std::sync::Arc;

use bytes::{BufMut, BytesMut};
use rusqlite::types::ValueRef;

use super::stmt::{Conn, RawStmt, Value};
use super::types::{self, PgType};
use super::{input, Lease};
use crate::protocol::{backend, PgError, SqlState};
use crate::sql::copy::{CopyFormatKind, CopyOptions, ForceQuote};

/// A batch is inserted once it holds this many rows or bytes: few worker hops per
/// COPY, and at most two batches held at once (one filling, one inserting).
const BATCH_ROWS: usize = 8192;
const BATCH_BYTES: usize = 256 << 10;

/// Rows per multi-row INSERT: SQLite's cost per statement run (open the table, find the
/// last rowid, halt, reset) is shared by this many rows. At most SQLite's default
/// limit of 32766 parameters per statement.
const ROWS_PER_INSERT: usize = 32;
const MAX_PARAMETERS: usize = 32766;

/// The resolved format of one COPY.
#[derive(Debug, Clone)]
pub struct CopyFormat {
    csv: bool,
    delimiter: u8,
    null: Vec<u8>,
    quote: u8,
    escape: u8,
    header: bool,
    force_quote: Option<ForceQuote>,
    force_not_null: Vec<String>,
    force_null: Vec<String>,
}

/// Per column of a CSV `COPY ... FROM`: FORCE_NOT_NULL (an unquoted null string is the
/// string) and FORCE_NULL (a quoted null string is NULL too).
#[derive(Debug, Clone, Default)]
pub struct ForcedNulls {
    not_null: Vec<bool>,
    null: Vec<bool>,
}

fn mode_error(what: &str) -> PgError {
    PgError::new(SqlState::FEATURE_NOT_SUPPORTED, format!("COPY {what}"))
}

fn single_byte(value: &str, what: &str) -> Result<u8, PgError> {
    match value.as_bytes() {
        [b] if b.is_ascii() => Ok(*b),
        _ => Err(PgError::new(
            SqlState::FEATURE_NOT_SUPPORTED,
            format!("COPY {what} must be a single one-byte character"),
        )),
    }
}

impl CopyFormat {
    /// Applies PostgreSQL's defaults and checks to the options given.
    pub fn new(o: &CopyOptions, from: bool) -> Result<CopyFormat, PgError> {
        let csv = match o.format {
            CopyFormatKind::Text => false,
            CopyFormatKind::Csv => true,
            CopyFormatKind::Binary => {
                return Err(PgError::new(
                    SqlState::FEATURE_NOT_SUPPORTED,
                    "COPY BINARY is not supported by litewire",
                ))
            }
        };
        if !csv && (o.quote.is_some() || o.escape.is_some()) {
            let what = if o.quote.is_some() { "quote" } else { "escape" };
            return Err(PgError::new(
                SqlState::FEATURE_NOT_SUPPORTED,
                format!("COPY {what} available only in CSV mode"),
            ));
        }
        if o.force_quote.is_some() && !csv {
            return Err(mode_error("force quote available only in CSV mode"));
        }
        if o.force_quote.is_some() && from {
            return Err(mode_error("force quote only available using COPY TO"));
        }
        if !o.force_not_null.is_empty() && !csv {
            return Err(mode_error("force not null available only in CSV mode"));
        }
        if !o.force_not_null.is_empty() && !from {
            return Err(mode_error("force not null only available using COPY FROM"));
        }
        if !o.force_null.is_empty() && !csv {
            return Err(mode_error("force null available only in CSV mode"));
        }
        if !o.force_null.is_empty() && !from {
            return Err(mode_error("force null only available using COPY FROM"));
        }
        let delimiter = match &o.delimiter {
            Some(d) => single_byte(d, "delimiter")?,
            None if csv => b',',
            None => b'\t',
        };
        if delimiter == b'\n' || delimiter == b'\r' {
            return Err(PgError::new(
                SqlState::INVALID_PARAMETER_VALUE,
                "COPY delimiter cannot be newline or carriage return",
            ));
        }
        if !csv && delimiter == b'\\' {
            return Err(PgError::new(
                SqlState::INVALID_PARAMETER_VALUE,
                "COPY delimiter cannot be \"\\\"",
            ));
        }
        let null = match &o.null {
            Some(n) => n.as_bytes().to_vec(),
            None if csv => Vec::new(),
            None => b"\\N".to_vec(),
        };
        if null.contains(&b'\n') || null.contains(&b'\r') {
            return Err(PgError::new(
                SqlState::INVALID_PARAMETER_VALUE,
                "COPY null representation cannot use newline or carriage return",
            ));
        }
        let quote = match &o.quote {
            Some(q) => single_byte(q, "quote")?,
            None => b'"',
        };
        let escape = match &o.escape {
            Some(e) => single_byte(e, "escape")?,
            None => quote,
        };
        if csv && delimiter == quote {
            return Err(PgError::new(
                SqlState::INVALID_PARAMETER_VALUE,
                "COPY delimiter and quote must be different",
            ));
        }
        Ok(CopyFormat {
            csv,
            delimiter,
            null,
            quote,
            escape,
            header: o.header,
            force_quote: o.force_quote.clone(),
            force_not_null: o.force_not_null.clone(),
            force_null: o.force_null.clone(),
        })
    }

    /// FORCE_NOT_NULL and FORCE_NULL over the columns a COPY FROM fills (`names`);
    /// PostgreSQL's 42703 / 42P10 for a column not in the table / not in the COPY.
    fn forced_nulls(
        &self,
        table: &str,
        all: &[(String, String)],
        names: &[String],
    ) -> Result<ForcedNulls, PgError> {
        let mask = |option: &str, listed: &[String]| -> Result<Vec<bool>, PgError> {
            let mut mask = vec![false; names.len()];
            for c in listed {
                match names.iter().position(|n| n == c) {
                    Some(i) => mask[i] = true,
                    None if all.iter().any(|(n, _)| n == c) => {
                        return Err(PgError::new(
                            SqlState::INVALID_COLUMN_REFERENCE,
                            format!("{option} column \"{c}\" not referenced by COPY"),
                        ))
                    }
                    None => {
                        return Err(PgError::new(
                            SqlState::UNDEFINED_COLUMN,
                            format!("column \"{c}\" of relation \"{table}\" does not exist"),
                        ))
                    }
                }
            }
            Ok(mask)
        };
        Ok(ForcedNulls {
            not_null: mask("FORCE_NOT_NULL", &self.force_not_null)?,
            null: mask("FORCE_NULL", &self.force_null)?,
        })
    }

    /// Which output columns FORCE_QUOTE quotes (empty: none), by the output's names.
    pub fn quoted_columns(&self, names: &[String]) -> Result<Vec<bool>, PgError> {
        match &self.force_quote {
            None => Ok(Vec::new()),
            Some(ForceQuote::All) => Ok(vec![true; names.len()]),
            Some(ForceQuote::Columns(listed)) => {
                let mut mask = vec![false; names.len()];
                for c in listed {
                    let Some(i) = names.iter().position(|n| n == c) else {
                        return Err(PgError::new(
                            SqlState::INVALID_COLUMN_REFERENCE,
                            format!("FORCE_QUOTE column \"{c}\" not referenced by COPY"),
                        ));
                    };
                    mask[i] = true;
                }
                Ok(mask)
            }
        }
    }

    /// Splits one line into its fields; None is NULL.
    #[cfg(test)]
    fn split<'a>(
        &self,
        line: &'a [u8],
        forced: &ForcedNulls,
    ) -> Result<Vec<Option<Cow<'a, [u8]>>>, PgError> {
        let mut fields = Vec::new();
        self.split_into(line, forced, &mut fields)?;
        Ok(fields)
    }

    /// Splits one line into its fields, appended to `fields` (reused from line to line);
    /// None is NULL. Fields without escapes or quotes borrow the line.
    fn split_into<'a>(
        &self,
        line: &'a [u8],
        forced: &ForcedNulls,
        fields: &mut Vec<Option<Cow<'a, [u8]>>>,
    ) -> Result<(), PgError> {
        if self.csv {
            self.split_csv(line, forced, fields)
        } else {
            self.split_text(line, fields);
            Ok(())
        }
    }

    fn split_text<'a>(&self, line: &'a [u8], fields: &mut Vec<Option<Cow<'a, [u8]>>>) {
        let mut start = 0;
        let mut i = 0;
        let mut escaped = false;
        loop {
            let end = i >= line.len();
            if end || line[i] == self.delimiter {
                let raw = &line[start..i.min(line.len())];
                // The NULL marker is compared before backslashes are processed.
                fields.push(if raw == self.null.as_slice() {
                    None
                } else if escaped {
                    Some(Cow::Owned(unescape(raw)))
                } else {
                    Some(Cow::Borrowed(raw))
                });
                if end {
                    return;
                }
                start = i + 1;
                escaped = false;
            } else if line[i] == b'\\' {
                escaped = true;
                i += 1;
            }
            i += 1;
        }
    }

    fn split_csv<'a>(
        &self,
        line: &'a [u8],
        forced: &ForcedNulls,
        fields: &mut Vec<Option<Cow<'a, [u8]>>>,
    ) -> Result<(), PgError> {
        // A field with quotes is built in `cur`; one without borrows line[start..].
        let mut cur = Vec::new();
        let mut start = 0;
        let mut quoted = false;
        let mut in_quote = false;
        let mut i = 0;
        let value = move |cur: &mut Vec<u8>, quoted: bool, start: usize, end: usize| {
            if quoted {
                Cow::Owned(std::mem::take(cur))
            } else {
                Cow::Borrowed(&line[start..end])
            }
        };
        loop {
            if i >= line.len() {
                if in_quote {
                    return Err(PgError::new(
                        SqlState::BAD_COPY_FILE_FORMAT,
                        "unterminated CSV quoted field",
                    ));
                }
                let column = fields.len();
                let v = value(&mut cur, quoted, start, line.len());
                fields.push(self.csv_field(v, quoted, forced, column));
                return Ok(());
            }
            let b = line[i];
            if in_quote {
                if b == self.escape
                    && matches!(line.get(i + 1), Some(&n) if n == self.quote || n == self.escape)
                {
                    cur.push(line[i + 1]);
                    i += 2;
                    continue;
                }
                if b == self.quote {
                    in_quote = false;
                } else {
                    cur.push(b);
                }
            } else if b == self.delimiter {
                let column = fields.len();
                let v = value(&mut cur, quoted, start, i);
                fields.push(self.csv_field(v, quoted, forced, column));
                quoted = false;
                start = i + 1;
            } else if b == self.quote {
                if !quoted {
                    // The field's bytes before its first quote.
                    cur.clear();
                    cur.extend_from_slice(&line[start..i]);
                }
                in_quote = true;
                quoted = true;
            } else if quoted {
                cur.push(b);
            }
            i += 1;
        }
    }

    fn csv_field<'a>(
        &self,
        value: Cow<'a, [u8]>,
        quoted: bool,
        forced: &ForcedNulls,
        column: usize,
    ) -> Option<Cow<'a, [u8]>> {
        let is = |mask: &[bool]| mask.get(column).copied().unwrap_or(false);
        let null = if quoted {
            is(&forced.null)
        } else {
            !is(&forced.not_null)
        };
        if null && *value == *self.null {
            None
        } else {
            Some(value)
        }
    }

    /// Writes one value of a `COPY ... TO` row (NULL is None).
    fn write_value(&self, text: Option<&[u8]>, forced: bool, out: &mut BytesMut) {
        let Some(v) = text else {
            out.put_slice(&self.null);
            return;
        };
        if self.csv {
            let needs_quotes = forced
                || v.is_empty() && self.null.is_empty()
                || v == self.null.as_slice()
                || v == b"\\."
                || v.iter()
                    .any(|&b| b == self.delimiter || b == self.quote || b == b'\n' || b == b'\r');
            if !needs_quotes {
                out.put_slice(v);
                return;
            }
            out.put_u8(self.quote);
            for &b in v {
                if b == self.quote || b == self.escape {
                    out.put_u8(self.escape);
                }
                out.put_u8(b);
            }
            out.put_u8(self.quote);
            return;
        }
        for &b in v {
            match b {
                b'\\' => out.put_slice(b"\\\\"),
                b'\n' => out.put_slice(b"\\n"),
                b'\r' => out.put_slice(b"\\r"),
                b'\t' => out.put_slice(b"\\t"),
                8 => out.put_slice(b"\\b"),
                12 => out.put_slice(b"\\f"),
                11 => out.put_slice(b"\\v"),
                d if d == self.delimiter => {
                    out.put_u8(b'\\');
                    out.put_u8(d);
                }
                other => out.put_u8(other),
            }
        }
    }
}

/// Text format's backslash sequences: `\b \f \n \r \t \v`, octal `\123`, hex `\x4f`,
/// and a backslash before any other byte stands for that byte.
fn unescape(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        i += 1;
        if b != b'\\' || i >= raw.len() {
            out.push(b);
            continue;
        }
        let c = raw[i];
        i += 1;
        match c {
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut v = u32::from(c - b'0');
                for _ in 0..2 {
                    match raw.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push((v & 0xff) as u8);
            }
            b'x' if raw.get(i).is_some_and(u8::is_ascii_hexdigit) => {
                let mut v = 0u32;
                for _ in 0..2 {
                    match raw.get(i).and_then(|d| (*d as char).to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + d;
                            i += 1;
                        }
                        None => break,
                    }
                }
                out.push(v as u8);
            }
            other => out.push(other),
        }
    }
    out
}

/// Complete lines of incoming COPY data, ready to insert.
#[derive(Debug, Default)]
pub struct Batch {
    data: Vec<u8>,
    ends: Vec<usize>,
    /// The line number (1-based, as in error messages) of the first line.
    first_line: u64,
}

impl Batch {
    pub fn is_full(&self) -> bool {
        self.ends.len() >= BATCH_ROWS || self.data.len() >= BATCH_BYTES
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn clear(&mut self) {
        self.data.clear();
        self.ends.clear();
    }

    fn push(&mut self, line: &[u8], line_no: u64) {
        if self.ends.is_empty() {
            self.first_line = line_no;
        }
        self.data.extend_from_slice(line);
        self.ends.push(self.data.len());
    }

    fn lines(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .map(|(s, e)| &self.data[s..e])
    }
}

/// Cuts the CopyData stream into lines, wherever the messages split it: a line may
/// span messages and a message may hold many lines. Stops at the `\.` end marker.
pub struct Lines {
    format: Arc<CopyFormat>,
    pending: Vec<u8>,
    max_line: usize,
    line_no: u64,
    /// Text: the last byte was a backslash (the next one cannot end a line).
    backslash: bool,
    /// CSV: inside a quoted field (newlines are data); `escape_next` after an escape.
    in_quote: bool,
    escape_next: bool,
    skip_header: bool,
    ended: bool,
}

impl Lines {
    pub fn new(format: Arc<CopyFormat>, max_line: usize) -> Lines {
        Lines {
            skip_header: format.header,
            format,
            pending: Vec::new(),
            max_line,
            line_no: 0,
            backslash: false,
            in_quote: false,
            escape_next: false,
            ended: false,
        }
    }

    /// Adds one CopyData message's bytes; complete lines go to `batch`.
    pub fn push(&mut self, data: &[u8], batch: &mut Batch) -> Result<(), PgError> {
        let mut start = 0;
        let f = self.format.clone();
        for (i, &b) in data.iter().enumerate() {
            if self.ended {
                return Ok(());
            }
            if f.csv {
                if self.in_quote {
                    if self.escape_next {
                        self.escape_next = false;
                    } else if b == f.escape && f.escape != f.quote {
                        self.escape_next = true;
                    } else if b == f.quote {
                        self.in_quote = false;
                    }
                    continue;
                }
                if b == f.quote {
                    self.in_quote = true;
                    continue;
                }
            } else if self.backslash {
                self.backslash = false;
                continue;
            } else if b == b'\\' {
                self.backslash = true;
                continue;
            }
            if b == b'\n' {
                self.line_done(&data[start..i], batch);
                start = i + 1;
            }
        }
        if !self.ended {
            self.pending.extend_from_slice(&data[start..]);
            if self.pending.len() > self.max_line {
                return Err(PgError::new(
                    SqlState::PROGRAM_LIMIT_EXCEEDED,
                    format!(
                        "COPY line {} is longer than the server limit of {} bytes",
                        self.line_no + 1,
                        self.max_line
                    ),
                )
                .with_hint("The limit is set with --max-message-size."));
            }
        }
        Ok(())
    }

    /// At CopyDone: a last line without a newline still counts.
    pub fn finish(&mut self, batch: &mut Batch) {
        if !self.ended && !self.pending.is_empty() {
            self.line_done(&[], batch);
        }
    }

    /// A line ends with `tail`: after the pending start of it, if any, else all of it
    /// (then it goes to the batch without a copy into `pending` first).
    fn line_done(&mut self, tail: &[u8], batch: &mut Batch) {
        self.line_no += 1;
        let mut pending = std::mem::take(&mut self.pending);
        let line: &[u8] = if pending.is_empty() {
            tail
        } else {
            pending.extend_from_slice(tail);
            &pending
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line == b"\\." {
            self.ended = true;
        } else if self.skip_header {
            self.skip_header = false;
        } else {
            batch.push(line, self.line_no);
        }
        // Keep the allocation for the next line.
        pending.clear();
        self.pending = pending;
    }
}

/// Where a `COPY ... FROM STDIN` inserts: the table, its columns and their input types.
pub struct CopyTarget {
    table: String,
    columns: Vec<Column>,
    /// One row's INSERT, and one of `rows_per_insert` rows (when more than one).
    insert: String,
    insert_many: String,
    rows_per_insert: usize,
    format: Arc<CopyFormat>,
    forced: ForcedNulls,
}

/// A column a COPY fills.
struct Column {
    name: String,
    /// The type its text is read as (0: as text, SQLite's affinity).
    oid: u32,
    /// `input::kept_as_text(oid)`: the field is bound as it is, without a copy.
    as_text: bool,
    /// An array type (its text is read as an array literal).
    array: bool,
    /// int2, int4 or int8: `input::plain_int` reads the usual digits directly.
    int: bool,
}

impl CopyTarget {
    pub fn column_count(&self) -> usize {
        self.columns.len()
    }
}

fn resolve(
    conn: &Conn,
    table: &str,
    wanted: &[String],
    format: Arc<CopyFormat>,
) -> Result<CopyTarget, PgError> {
    let all = super::describe::table_columns(conn, table);
    if all.is_empty() {
        return Err(PgError::new(
            SqlState::UNDEFINED_TABLE,
            format!("relation \"{table}\" does not exist"),
        ));
    }
    // PostgreSQL's COPY FROM applies no rules; litewire's are triggers, which would fire.
    if super::objects::rules::on_insert(conn.sqlite(), table)? {
        return Err(crate::sql::translate::unsupported(format!(
            "COPY FROM into table \"{table}\", which has rules on INSERT,"
        )));
    }
    let mut columns: Vec<(String, String)> = Vec::new();
    if wanted.is_empty() {
        columns = all.clone();
    } else {
        for w in wanted {
            let Some(c) = all.iter().find(|(n, _)| n.eq_ignore_ascii_case(w)) else {
                return Err(PgError::new(
                    SqlState::UNDEFINED_COLUMN,
                    format!("column \"{w}\" of relation \"{table}\" does not exist"),
                ));
            };
            if columns.iter().any(|(n, _)| n == &c.0) {
                return Err(PgError::new(
                    SqlState::DUPLICATE_COLUMN,
                    format!("column \"{w}\" specified more than once"),
                ));
            }
            columns.push(c.clone());
        }
    }
    let plain: Vec<String> = columns.iter().map(|(n, _)| n.clone()).collect();
    let forced = format.forced_nulls(table, &all, &plain)?;
    let names: Vec<String> = columns
        .iter()
        .map(|(n, _)| crate::sql::lexer::quote_ident(n))
        .collect();
    let head = format!(
        "INSERT INTO {} ({}) VALUES ",
        crate::sql::lexer::quote_ident(table),
        names.join(", ")
    );
    let rows_per_insert = ROWS_PER_INSERT.min(MAX_PARAMETERS / columns.len().max(1));
    let values = |rows: usize| {
        let tuples: Vec<String> = (0..rows)
            .map(|r| {
                let slots: Vec<String> = (1..=columns.len())
                    .map(|i| format!("?{}", r * columns.len() + i))
                    .collect();
                format!("({})", slots.join(", "))
            })
            .collect();
        format!("{head}{}", tuples.join(", "))
    };
    let insert = values(1);
    let insert_many = values(rows_per_insert);
    // Values are read as Bind reads a text parameter of the column's type, so booleans,
    // bytea, timestamps and numbers are stored as the rest of litewire stores them.
    let columns = columns
        .into_iter()
        .map(|(name, decl)| {
            let oid = if decl.trim().is_empty() {
                0
            } else {
                super::objects::declared_type(conn.sqlite(), &decl).oid
            };
            Column {
                name,
                oid,
                as_text: input::kept_as_text(oid),
                array: super::catalog::element_of(oid).is_some(),
                int: matches!(oid, types::oid::INT2 | types::oid::INT4 | types::oid::INT8),
            }
        })
        .collect();
    Ok(CopyTarget {
        table: table.to_string(),
        columns,
        insert,
        insert_many,
        rows_per_insert,
        format,
        forced,
    })
}

fn shown(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

fn insert_batch(conn: &mut Conn, t: &CopyTarget, batch: &Batch) -> Result<u64, PgError> {
    let Some(mut one) = conn.prepare(&t.insert)? else {
        return Ok(0);
    };
    let mut many = None;
    if t.rows_per_insert > 1 && batch.ends.len() >= t.rows_per_insert {
        match conn.prepare(&t.insert_many) {
            Ok(stmt) => many = stmt,
            Err(e) => {
                conn.recycle(one);
                return Err(e);
            }
        }
    }
    let _overriding = super::objects::OverridingSystemValue::begin();
    let r = insert_lines(conn, &mut one, many.as_mut(), t, batch);
    conn.recycle(one);
    if let Some(stmt) = many {
        conn.recycle(stmt);
    }
    r
}

/// Inserts the batch's lines, `rows_per_insert` at a time with `many`, the rest one by
/// one. A chunk that fails in any way is done again line by line from where it began
/// (SQLite undid the failed statement), so the error, its line and its order among
/// errors are those of inserting one line at a time.
fn insert_lines(
    conn: &Conn,
    one: &mut RawStmt,
    many: Option<&mut RawStmt>,
    t: &CopyTarget,
    batch: &Batch,
) -> Result<u64, PgError> {
    let lines: Vec<&[u8]> = batch.lines().collect();
    let mut n = 0;
    let mut done = 0;
    if let Some(many) = many {
        let k = t.rows_per_insert;
        // Every line's fields, all alive until the statement is reset: text is bound
        // without a copy.
        let mut fields = Vec::with_capacity(k * t.columns.len());
        while lines.len() - done >= k {
            let first = batch.first_line + done as u64;
            let chunk = &lines[done..done + k];
            fields.clear();
            let mut ok = true;
            for (r, line) in chunk.iter().enumerate() {
                let from = fields.len();
                let bound = parse_line(t, line, first + r as u64, &mut fields).and_then(|()| {
                    let offset = r * t.columns.len();
                    bind_fields(conn, many, t, &fields[from..], offset, first + r as u64)
                });
                if bound.is_err() {
                    ok = false;
                    break;
                }
            }
            let stepped = if ok { Some(many.step(conn)) } else { None };
            many.reset();
            match stepped {
                Some(Ok(_)) => n += k as u64,
                // Canceled, or the transaction is gone (SQLite rolls it back on some
                // errors): nothing to do again.
                Some(Err(e))
                    if e.code == SqlState::QUERY_CANCELED
                        || e.is_fatal()
                        || conn.is_autocommit() =>
                {
                    return Err(e.with_context(format!("COPY {}, line {first}", t.table)));
                }
                Some(Err(_)) | None => n += insert_rows(conn, one, t, chunk, first)?,
            }
            done += k;
        }
    }
    n += insert_rows(conn, one, t, &lines[done..], batch.first_line + done as u64)?;
    Ok(n)
}

/// Inserts lines one by one; `first` is the line number of the first.
fn insert_rows(
    conn: &Conn,
    stmt: &mut RawStmt,
    t: &CopyTarget,
    lines: &[&[u8]],
    first: u64,
) -> Result<u64, PgError> {
    let mut n = 0;
    // Reused from line to line: its fields borrow the batch, which outlives this loop.
    let mut fields = Vec::with_capacity(t.columns.len());
    for (k, line) in lines.iter().enumerate() {
        let line_no = first + k as u64;
        fields.clear();
        // Every path resets the statement before `fields` changes: the text bound
        // without a copy is never read once it is gone.
        let stepped = parse_line(t, line, line_no, &mut fields)
            .and_then(|()| bind_fields(conn, stmt, t, &fields, 0, line_no))
            .and_then(|()| {
                stmt.step(conn)
                    .map_err(|e| e.with_context(format!("COPY {}, line {}", t.table, line_no)))
            });
        stmt.reset();
        stepped?;
        n += 1;
    }
    Ok(n)
}

/// Splits a line, appending its fields to `fields`, and checks their number.
fn parse_line<'a>(
    t: &CopyTarget,
    line: &'a [u8],
    line_no: u64,
    fields: &mut Vec<Option<Cow<'a, [u8]>>>,
) -> Result<(), PgError> {
    let context = || format!("COPY {}, line {}: \"{}\"", t.table, line_no, shown(line));
    let from = fields.len();
    t.format
        .split_into(line, &t.forced, fields)
        .map_err(|e| e.with_context(context()))?;
    let got = fields.len() - from;
    if got < t.columns.len() {
        return Err(PgError::new(
            SqlState::BAD_COPY_FILE_FORMAT,
            format!("missing data for column \"{}\"", t.columns[got].name),
        )
        .with_context(context()));
    }
    if got > t.columns.len() {
        return Err(PgError::new(
            SqlState::BAD_COPY_FILE_FORMAT,
            "extra data after last expected column",
        )
        .with_context(context()));
    }
    Ok(())
}

/// Binds one line's fields, read as their columns' types, to parameters `offset + 1`
/// on.
fn bind_fields(
    conn: &Conn,
    stmt: &mut RawStmt,
    t: &CopyTarget,
    fields: &[Option<Cow<'_, [u8]>>],
    offset: usize,
    line_no: u64,
) -> Result<(), PgError> {
    for (i, (field, col)) in fields.iter().zip(&t.columns).enumerate() {
        let slot = offset + i + 1;
        let context = |bytes: &[u8]| {
            format!(
                "COPY {}, line {}, column {}: \"{}\"",
                t.table,
                line_no,
                col.name,
                shown(bytes)
            )
        };
        match field {
            None => stmt.bind(conn, slot, &Value::Null)?,
            Some(bytes) if col.int => match input::plain_int(col.oid, bytes) {
                Some(v) => stmt.bind(conn, slot, &Value::Integer(v))?,
                None => {
                    let value = input::decode_scalar_text(col.oid, bytes)
                        .map_err(|e| e.with_context(context(bytes)))?;
                    stmt.bind(conn, slot, &value)?;
                }
            },
            Some(bytes) if col.as_text => {
                let text = input::text_as_is(bytes).map_err(|e| e.with_context(context(bytes)))?;
                // SAFETY: `text` borrows the caller's fields, and the caller resets the
                // statement before they change or go away.
                unsafe { stmt.bind_text_borrowed(conn, slot, text)? };
            }
            Some(bytes) => {
                let value = if col.array {
                    input::decode(col.oid, false, Some(bytes))
                } else {
                    input::decode_scalar_text(col.oid, bytes)
                }
                .map_err(|e| e.with_context(context(bytes)))?;
                stmt.bind(conn, slot, &value)?;
            }
        }
    }
    Ok(())
}

impl Lease {
    /// Looks up the table and columns a `COPY ... FROM STDIN` fills, on a worker.
    pub async fn copy_target(
        self,
        table: String,
        columns: Vec<String>,
        format: Arc<CopyFormat>,
    ) -> Result<(Lease, Result<Arc<CopyTarget>, PgError>), PgError> {
        let r = tokio::task::spawn_blocking(move || {
            let r = resolve(self.conn(), &table, &columns, format).map(Arc::new);
            (self, r)
        })
        .await;
        super::joined(r, "COPY")
    }

    /// Starts inserting a batch of lines on a worker, at once: the session reads the
    /// next batch meanwhile. [`CopyRows::finish`] gives the connection back, with the
    /// batch (emptied, for reuse).
    pub fn copy_rows(
        mut self,
        target: Arc<CopyTarget>,
        mut batch: Batch,
        style: super::datetime::InputStyle,
    ) -> CopyRows {
        CopyRows(tokio::task::spawn_blocking(move || {
            let r = super::datetime::with_input_style(style, || {
                insert_batch(self.conn_mut(), &target, &batch)
            });
            batch.clear();
            (self, batch, r)
        }))
    }
}

/// A batch being inserted on a worker; dropped unfinished, the insert still ends, and its
/// connection (inside the COPY's transaction) is closed, which rolls the transaction back.
pub struct CopyRows(tokio::task::JoinHandle<(Lease, Batch, Result<u64, PgError>)>);

impl CopyRows {
    /// Waits for the insert: the connection, the emptied batch and the rows inserted.
    pub async fn finish(self) -> Result<(Lease, Batch, Result<u64, PgError>), PgError> {
        super::joined(self.0.await, "COPY")
    }
}

/// `COPY ... TO STDOUT`: CopyOutResponse, and the header line if asked for.
pub(super) fn write_start(names: &[String], f: &CopyFormat, out: &mut BytesMut) {
    backend::copy_out_response(out, names.len());
    if f.header {
        let mark = backend::copy_data_begin(out);
        for (i, name) in names.iter().enumerate() {
            if i > 0 {
                out.put_u8(f.delimiter);
            }
            f.write_value(Some(name.as_bytes()), false, out);
        }
        out.put_u8(b'\n');
        backend::copy_data_end(out, mark);
    }
}

/// One result row as a CopyData message.
pub(super) fn write_row(
    stmt: &RawStmt,
    col_types: &[PgType],
    f: &CopyFormat,
    quoted: &[bool],
    style: types::TextStyle,
    out: &mut BytesMut,
) {
    let mark = backend::copy_data_begin(out);
    let mut text = BytesMut::new();
    for (i, t) in col_types.iter().enumerate() {
        if i > 0 {
            out.put_u8(f.delimiter);
        }
        match stmt.value(i) {
            ValueRef::Null => f.write_value(None, false, out),
            v => {
                text.clear();
                types::write_result_text(t, v, style, &mut text);
                let forced = quoted.get(i).copied().unwrap_or(false);
                f.write_value(Some(&text), forced, out);
            }
        }
    }
    out.put_u8(b'\n');
    backend::copy_data_end(out, mark);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(csv: bool) -> Arc<CopyFormat> {
        Arc::new(
            CopyFormat::new(
                &CopyOptions {
                    format: if csv {
                        CopyFormatKind::Csv
                    } else {
                        CopyFormatKind::Text
                    },
                    ..CopyOptions::default()
                },
                true,
            )
            .unwrap(),
        )
    }

    fn fields(f: &CopyFormat, line: &[u8]) -> Vec<Option<Vec<u8>>> {
        f.split(line, &ForcedNulls::default())
            .unwrap()
            .into_iter()
            .map(|x| x.map(|c| c.into_owned()))
            .collect()
    }

    #[test]
    fn text_fields() {
        let f = format(false);
        assert_eq!(
            fields(&f, b"1\t\\N\t\ta\\tb\\\\c\\n\\101\\x41\\."),
            vec![
                Some(b"1".to_vec()),
                None,
                Some(b"".to_vec()),
                Some(b"a\tb\\c\nAA.".to_vec())
            ]
        );
        // An escaped delimiter is data; `\\N` is not NULL.
        assert_eq!(
            fields(&f, b"a\\\tb\t\\\\N"),
            vec![Some(b"a\tb".to_vec()), Some(b"\\N".to_vec())]
        );
    }

    #[test]
    fn csv_fields() {
        let f = format(true);
        assert_eq!(
            fields(&f, b"1,,\"\",\"a,\"\"b\"\"\nc\""),
            vec![
                Some(b"1".to_vec()),
                None,
                Some(b"".to_vec()),
                Some(b"a,\"b\"\nc".to_vec())
            ]
        );
        assert!(f.split(b"\"open", &ForcedNulls::default()).is_err());
        // Quotes may start inside a field; unquoted fields around them are borrowed.
        assert_eq!(
            fields(&f, b"ab\"c,d\"ef,x,,\"n\""),
            vec![
                Some(b"abc,def".to_vec()),
                Some(b"x".to_vec()),
                None,
                Some(b"n".to_vec())
            ]
        );
        let split = f.split(b"plain,q\"\"", &ForcedNulls::default()).unwrap();
        assert!(matches!(split[0], Some(Cow::Borrowed(b"plain"))));
        assert_eq!(split[1].as_deref(), Some(&b"q"[..]));
        // FORCE_NOT_NULL on the second column, FORCE_NULL on the third.
        let forced = ForcedNulls {
            not_null: vec![false, true, false],
            null: vec![false, false, true],
        };
        let got: Vec<_> = f
            .split(b",,\"\"", &forced)
            .unwrap()
            .into_iter()
            .map(|x| x.map(|c| c.into_owned()))
            .collect();
        assert_eq!(got, vec![None, Some(b"".to_vec()), None]);
    }

    #[test]
    fn lines_across_messages() {
        let mut batch = Batch::default();
        let mut lines = Lines::new(format(false), 1 << 20);
        lines.push(b"1\ta\n2\t", &mut batch).unwrap();
        lines.push(b"b\\\nc\r\n3", &mut batch).unwrap();
        lines.push(b"\tx\n\\.\nignored\n", &mut batch).unwrap();
        lines.finish(&mut batch);
        let got: Vec<&[u8]> = batch.lines().collect();
        assert_eq!(got, vec![&b"1\ta"[..], b"2\tb\\\nc", b"3\tx"]);
        assert_eq!(batch.first_line, 1);

        let mut batch = Batch::default();
        let mut lines = Lines::new(format(true), 1 << 20);
        lines.push(b"1,\"a\nb\"\n2,", &mut batch).unwrap();
        lines.finish(&mut batch);
        let got: Vec<&[u8]> = batch.lines().collect();
        assert_eq!(got, vec![&b"1,\"a\nb\""[..], b"2,"]);

        let mut lines = Lines::new(format(false), 4);
        assert!(lines.push(b"123456", &mut Batch::default()).is_err());
    }

    #[test]
    fn output_escapes() {
        let mut out = BytesMut::new();
        format(false).write_value(Some(b"a\tb\\c\n"), false, &mut out);
        format(false).write_value(None, false, &mut out);
        assert_eq!(&out[..], b"a\\tb\\\\c\\n\\N");
        let mut out = BytesMut::new();
        let csv = format(true);
        csv.write_value(Some(b"x,\"y\""), false, &mut out);
        csv.write_value(Some(b""), false, &mut out);
        csv.write_value(None, false, &mut out);
        csv.write_value(Some(b"7"), true, &mut out);
        assert_eq!(&out[..], b"\"x,\"\"y\"\"\"\"\"\"7\"");
    }
}
