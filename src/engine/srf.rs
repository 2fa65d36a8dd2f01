//! Set-returning functions as SQLite table-valued functions (eponymous virtual tables).
//!
//! - `pg_generate_series(start, stop [, step])` steps as PostgreSQL's `generate_series`
//!   does, over integers or over timestamps by an interval, one row at a time: no array
//!   of the whole series is built, so its memory does not grow with its length.
//! - `pg_rows(json)` is the rows of a JSON array: the elements that `unnest`,
//!   `generate_subscripts`, `regexp_matches` and several functions side by side (`pg_zip`)
//!   give as one array.
//!
//! Both name their columns `_lw_value` and `_lw_ord` (1-based) so that they never collide
//! with a table's: SQLite's `json_each`, used before, has visible columns `id`, `key`,
//! `value`, `type`, `path`…, which made `SELECT id, unnest(tags) FROM posts` an
//! "ambiguous column name: id".

use std::borrow::Cow;
use std::ffi::{c_int, CStr};
use std::marker::PhantomData;

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::vtab::{
    Context, Filters, IndexConstraintOp, IndexInfo, Module, VTab, VTabConfig, VTabConnection,
    VTabCursor,
};
use rusqlite::{ffi, Connection};

use super::datetime::{self as dt, Interval, Zone, MICROS_PER_DAY};
use super::error::raise;
use super::jsonb::value;
use super::pgfuncs::dates::{read, Temporal};
use super::pgfuncs::decimal::{of_value, to_value, Dec, Num};
use crate::protocol::{PgError, SqlState};

/// Registers `pg_generate_series`, `pg_rows` and `pg_series` (a series as a JSON array,
/// for functions side by side in a select list, which `pg_zip` runs in lockstep).
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    const SERIES: Module<FunctionTable<Series>> = Module::eponymous_only_module();
    const ROWS: Module<FunctionTable<Elements>> = Module::eponymous_only_module();
    conn.create_module(c"pg_generate_series", &SERIES, None)?;
    conn.create_module(c"pg_rows", &ROWS, None)?;
    for args in [2, 3] {
        conn.create_scalar_function(
            "pg_series",
            args,
            rusqlite::functions::FunctionFlags::SQLITE_UTF8
                | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC
                | rusqlite::functions::FunctionFlags::SQLITE_INNOCUOUS,
            |ctx| {
                let args: Vec<ValueRef<'_>> = (0..ctx.len()).map(|i| ctx.get_raw(i)).collect();
                series_array(&args).map_err(raise)
            },
        )?;
    }
    Ok(())
}

/// Most values `pg_series` puts in one array: it is held whole in memory.
const MAX_ARRAY_VALUES: usize = 1_000_000;

/// A series as a JSON array (numbers, or timestamps as strings); NULL for a NULL argument.
fn series_array(args: &[ValueRef<'_>]) -> Result<Option<String>, PgError> {
    let Some(series) = Series::new(args)? else {
        return Ok(None);
    };
    let mut out = String::from("[");
    for (k, v) in series.enumerate() {
        if k == MAX_ARRAY_VALUES {
            return Err(PgError::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                format!(
                    "generate_series beside another set-returning function: more than \
                     {MAX_ARRAY_VALUES} values (alone in FROM it has no limit)"
                ),
            ));
        }
        if k > 0 {
            out.push(',');
        }
        match v? {
            SqlValue::Integer(i) => out.push_str(&i.to_string()),
            SqlValue::Text(t) => value::quote(&t, &mut out),
            _ => out.push_str("null"),
        }
    }
    out.push(']');
    Ok(Some(out))
}

/// PostgreSQL's generate_series, value by value.
enum Series {
    /// int4/int8: i128, so that no bound or step overflows while stepping.
    Int { next: i128, stop: i128, step: i128 },
    /// numeric: exact, each value at the larger scale of start and step after the first.
    Numeric { next: Dec, stop: Dec, step: Dec },
    /// timestamp or timestamptz (`zone`: the session's, which months and days step in).
    Time {
        next: Option<i64>,
        stop: i64,
        step: Interval,
        up: bool,
        zone: Option<Zone>,
    },
}

impl Series {
    /// The series of `start, stop [, step]`; None when an argument is NULL (no rows).
    fn new(args: &[ValueRef<'_>]) -> Result<Option<Series>, PgError> {
        if !(2..=3).contains(&args.len()) {
            return Err(not_timestamps());
        }
        if args.iter().any(|a| matches!(a, ValueRef::Null)) {
            return Ok(None);
        }
        if args.iter().any(is_numeric) {
            return numeric_series(args).map(Some);
        }
        match args {
            [ValueRef::Integer(_), ..] => {
                let int = |v: &ValueRef<'_>| match v {
                    ValueRef::Integer(i) => Ok(i128::from(*i)),
                    ValueRef::Text(t) => std::str::from_utf8(t)
                        .ok()
                        .and_then(|t| t.trim().parse::<i64>().ok())
                        .map(i128::from)
                        .ok_or_else(|| not_integer(t)),
                    _ => Err(not_integers()),
                };
                let step = args.get(2).map(int).transpose()?.unwrap_or(1);
                if step == 0 {
                    return Err(zero_step());
                }
                Ok(Some(Series::Int {
                    next: int(&args[0])?,
                    stop: int(&args[1])?,
                    step,
                }))
            }
            [ValueRef::Text(start), ValueRef::Text(stop), ValueRef::Text(step)] => {
                let text = |t: &[u8]| String::from_utf8_lossy(t).into_owned();
                let (start, stop, step) = (text(start), text(stop), text(step));
                let step = dt::parse_interval(&step).map_err(|e| e.to_pg("interval", &step))?;
                let days = i128::from(step.months) * 30 + i128::from(step.days);
                let span = days * i128::from(MICROS_PER_DAY) + i128::from(step.micros);
                if span == 0 {
                    return Err(zero_step());
                }
                // A date is read as a timestamptz, as PostgreSQL casts it for this function.
                let zone = match read(&start)? {
                    Temporal::Timestamp(_) => None,
                    Temporal::Date(_) | Temporal::TimestampTz(_) => Some(dt::session()),
                    _ => return Err(not_timestamps()),
                };
                Ok(Some(Series::Time {
                    next: Some(instant(&start, zone.as_ref())?),
                    // An infinite stop: the series runs until a LIMIT (or the end of
                    // timestamp's range, an error), as in PostgreSQL.
                    stop: match super::pgfuncs::dates::infinity_sign(&stop) {
                        Some(1) => dt::TIMESTAMP_INFINITY,
                        Some(_) => dt::TIMESTAMP_NEG_INFINITY,
                        None => instant(&stop, zone.as_ref())?,
                    },
                    step,
                    up: span > 0,
                    zone,
                }))
            }
            [ValueRef::Text(_), ValueRef::Text(_)] => Err(PgError::new(
                SqlState::UNDEFINED_FUNCTION,
                "function generate_series(timestamp, timestamp) does not exist: \
                 a timestamp series needs an interval step",
            )),
            [ValueRef::Real(_), ..] | [_, ValueRef::Real(_), ..] | [_, _, ValueRef::Real(_)] => {
                Err(not_integers())
            }
            _ => Err(not_timestamps()),
        }
    }
}

impl Iterator for Series {
    type Item = Result<SqlValue, PgError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Series::Int { next, stop, step } => {
                let within = if *step > 0 {
                    next <= stop
                } else {
                    next >= stop
                };
                if !within {
                    return None;
                }
                let v = *next;
                *next += *step;
                // Between start and stop, both i64.
                Some(Ok(SqlValue::Integer(v as i64)))
            }
            Series::Numeric { next, stop, step } => {
                let order = next.cmp(stop);
                let past = if step.is_negative() {
                    order == std::cmp::Ordering::Less
                } else {
                    order == std::cmp::Ordering::Greater
                };
                if past {
                    return None;
                }
                let following = next.add(step);
                let v = std::mem::replace(next, following);
                Some(Ok(to_value(&Num::Fin(v))))
            }
            Series::Time {
                next,
                stop,
                step,
                up,
                zone,
            } => {
                let current = (*next)?;
                if (*up && current > *stop) || (!*up && current < *stop) {
                    return None;
                }
                // The following value now, as PostgreSQL does: past the range is an error.
                match super::pgfuncs::add_interval_in(current, *step, zone.as_ref()) {
                    Ok(t) => *next = Some(t),
                    Err(e) => {
                        *next = None;
                        return Some(Err(e));
                    }
                }
                Some(Ok(SqlValue::Text(dt::format_timestamp_micros(
                    current,
                    zone.is_some(),
                ))))
            }
        }
    }
}

/// A numeric argument: a double, or numeric's text with a fraction, or NaN (a timestamp's
/// text is never one).
fn is_numeric(v: &ValueRef<'_>) -> bool {
    match v {
        ValueRef::Real(_) => true,
        ValueRef::Text(t) => (t.contains(&b'.') || *t == b"NaN") && of_value(*v).is_some(),
        _ => false,
    }
}

/// generate_series_step_numeric's checks: no NaN or infinity, no zero step.
fn numeric_series(args: &[ValueRef<'_>]) -> Result<Series, PgError> {
    let read = |v: &ValueRef<'_>, what: &str| -> Result<Dec, PgError> {
        let invalid = |m: String| PgError::new(SqlState::INVALID_PARAMETER_VALUE, m);
        match of_value(*v) {
            Some(Num::Fin(d)) => Ok(d),
            Some(Num::NaN) => Err(invalid(format!("{what} cannot be NaN"))),
            Some(Num::Inf(_)) => Err(invalid(format!("{what} cannot be infinity"))),
            None => Err(not_timestamps()),
        }
    };
    let next = read(&args[0], "start value")?;
    let stop = read(&args[1], "stop value")?;
    let step = match args.get(2) {
        Some(v) => read(v, "step size")?,
        None => Dec::from_i64(1),
    };
    if step.is_zero() {
        return Err(zero_step());
    }
    Ok(Series::Numeric { next, stop, step })
}

/// A bound of a timestamp series as microseconds: UTC for a timestamptz series (`zone`),
/// local otherwise; a date is its midnight, a timestamp without offset is in `zone`.
fn instant(s: &str, zone: Option<&Zone>) -> Result<i64, PgError> {
    let local = |micros: i64| zone.map_or(micros, |z| z.to_utc(micros));
    Ok(match read(s)? {
        Temporal::Date(d) => local(i64::from(d) * MICROS_PER_DAY),
        Temporal::Timestamp(t) => local(t),
        Temporal::TimestampTz(t) => match zone {
            Some(_) => t,
            None => dt::session().to_local(t),
        },
        _ => return Err(not_timestamps()),
    })
}

fn zero_step() -> PgError {
    PgError::new(
        SqlState::INVALID_PARAMETER_VALUE,
        "step size cannot equal zero",
    )
}

fn not_integer(t: &[u8]) -> PgError {
    PgError::new(
        SqlState::INVALID_TEXT_REPRESENTATION,
        format!(
            "invalid input syntax for type bigint: \"{}\"",
            String::from_utf8_lossy(t)
        ),
    )
}

fn not_integers() -> PgError {
    PgError::new(
        SqlState::FEATURE_NOT_SUPPORTED,
        "generate_series over numeric or floating-point values is not supported by litewire",
    )
}

fn not_timestamps() -> PgError {
    PgError::new(
        SqlState::UNDEFINED_FUNCTION,
        "function generate_series does not exist for these argument types",
    )
}

/// Which hidden (argument) columns a plan received, in `idx_num`'s bits.
fn arguments(info: &mut IndexInfo, first: c_int) -> rusqlite::Result<bool> {
    let mut found: Vec<(c_int, usize)> = Vec::new();
    for (i, c) in info.constraints().enumerate() {
        let column = c.column();
        if column < first {
            continue;
        }
        if !c.is_usable() || c.operator() != IndexConstraintOp::SQLITE_INDEX_CONSTRAINT_EQ {
            // An argument SQLite cannot give yet: this plan is not possible.
            return Err(rusqlite::Error::SqliteFailure(
                ffi::Error::new(ffi::SQLITE_CONSTRAINT),
                None,
            ));
        }
        found.push((column - first, i));
    }
    found.sort_unstable();
    let mut mask = 0;
    for (n, (arg, i)) in found.iter().enumerate() {
        mask |= 1 << arg;
        let mut usage = info.constraint_usage(*i);
        usage.set_argv_index(n as c_int + 1);
        usage.set_omit(true);
    }
    info.set_idx_num(mask);
    info.set_estimated_cost(10.0);
    Ok(true)
}

/// A table-valued function over source `S`: its columns are `S::SCHEMA`'s.
#[repr(C)]
struct FunctionTable<S> {
    base: ffi::sqlite3_vtab,
    source: PhantomData<S>,
}

// SAFETY: the layout starts with sqlite3_vtab (repr(C)), as SQLite requires.
unsafe impl<'vtab, S: Source + 'vtab> VTab<'vtab> for FunctionTable<S> {
    type Aux = ();
    type Cursor = Cursor<S>;

    fn connect(
        db: &mut VTabConnection,
        _aux: Option<&()>,
        _module: &[u8],
        _database: &[u8],
        _table: &[u8],
        _args: &[&[u8]],
    ) -> rusqlite::Result<(Cow<'static, CStr>, Self)> {
        db.config(VTabConfig::Innocuous)?;
        Ok((
            Cow::Borrowed(S::SCHEMA),
            FunctionTable {
                base: ffi::sqlite3_vtab::default(),
                source: PhantomData,
            },
        ))
    }

    fn best_index(&self, info: &mut IndexInfo) -> rusqlite::Result<bool> {
        arguments(info, 2)
    }

    fn open(&'vtab mut self) -> rusqlite::Result<Cursor<S>> {
        Ok(Cursor::default())
    }
}

/// A cursor over a source's values; `value` is the current row's.
#[repr(C)]
struct Cursor<I> {
    base: ffi::sqlite3_vtab_cursor,
    source: Option<I>,
    value: Option<SqlValue>,
    ord: i64,
}

impl<I> Default for Cursor<I> {
    fn default() -> Self {
        Cursor {
            base: ffi::sqlite3_vtab_cursor::default(),
            source: None,
            value: None,
            ord: 0,
        }
    }
}

/// What a cursor steps through: made from the call's arguments, each item a row's value.
trait Source: Iterator<Item = Result<SqlValue, PgError>> + Sized {
    /// The table's columns: value and ordinal, then the arguments (hidden).
    const SCHEMA: &'static CStr;
    fn open(args: &[ValueRef<'_>]) -> Result<Option<Self>, PgError>;
}

impl Source for Series {
    const SCHEMA: &'static CStr = c"CREATE TABLE x(_lw_value, _lw_ord, \
        _lw_start HIDDEN, _lw_stop HIDDEN, _lw_step HIDDEN)";
    fn open(args: &[ValueRef<'_>]) -> Result<Option<Self>, PgError> {
        Series::new(args)
    }
}

/// The elements of a JSON array as json_each gives them (true/false as 1/0, an array or
/// object as its JSON text); a JSON value that is not an array is one row. Only the
/// elements' places are found up front; each is read when its row is reached.
struct Elements {
    text: String,
    places: std::vec::IntoIter<std::ops::Range<usize>>,
}

impl Source for Elements {
    const SCHEMA: &'static CStr = c"CREATE TABLE x(_lw_value, _lw_ord, _lw_json HIDDEN)";
    fn open(args: &[ValueRef<'_>]) -> Result<Option<Self>, PgError> {
        let text = match args.first() {
            Some(ValueRef::Text(t)) => String::from_utf8_lossy(t).into_owned(),
            _ => return Ok(None),
        };
        super::json::check(&text)
            .map_err(|_| PgError::new(SqlState::INTERNAL_ERROR, "pg_rows: malformed JSON"))?;
        let places: Vec<_> = if text.trim_start().starts_with('[') {
            value::children(&text)?
                .into_iter()
                .map(|(_, r)| r)
                .collect()
        } else {
            std::iter::once(0..text.len()).collect()
        };
        Ok(Some(Elements {
            text,
            places: places.into_iter(),
        }))
    }
}

impl Iterator for Elements {
    type Item = Result<SqlValue, PgError>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = self.text[self.places.next()?].trim();
        Some(Ok(match item.as_bytes().first() {
            Some(b'n') => SqlValue::Null,
            Some(b't') => SqlValue::Integer(1),
            Some(b'f') => SqlValue::Integer(0),
            Some(b'"') => match value::unescape(&item[1..item.len() - 1]) {
                Ok(s) => SqlValue::Text(s),
                Err(e) => return Some(Err(e)),
            },
            Some(b'[' | b'{') => SqlValue::Text(item.to_string()),
            _ => match item.parse::<i64>() {
                Ok(i) => SqlValue::Integer(i),
                Err(_) => SqlValue::Real(item.parse().unwrap_or(f64::NAN)),
            },
        }))
    }
}

// SAFETY: the layout starts with sqlite3_vtab_cursor (repr(C)), as SQLite requires.
unsafe impl<I: Source> VTabCursor for Cursor<I> {
    fn filter(
        &mut self,
        idx_num: c_int,
        _idx: Option<&str>,
        args: &Filters<'_>,
    ) -> rusqlite::Result<()> {
        // The arguments given must be the leading ones (`_lw_stop` without `_lw_start`
        // would shift them).
        if idx_num & (idx_num + 1) != 0 {
            return Err(raise(not_timestamps()));
        }
        let values: Vec<ValueRef<'_>> = args.iter().collect();
        self.source = I::open(&values).map_err(raise)?;
        self.ord = 0;
        self.next()
    }

    fn next(&mut self) -> rusqlite::Result<()> {
        self.value = match self.source.as_mut().and_then(Iterator::next) {
            Some(v) => Some(v.map_err(raise)?),
            None => None,
        };
        self.ord += 1;
        Ok(())
    }

    fn eof(&self) -> bool {
        self.value.is_none()
    }

    fn column(&self, ctx: &mut Context, i: c_int) -> rusqlite::Result<()> {
        match i {
            0 => ctx.set_result(&self.value),
            1 => ctx.set_result(self.ord),
            _ => ctx.set_result(rusqlite::types::Null),
        }
    }

    fn rowid(&self) -> rusqlite::Result<i64> {
        Ok(self.ord)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all<S: Source>(args: &[ValueRef<'_>]) -> Vec<SqlValue> {
        S::open(args)
            .unwrap()
            .map(|s| s.map(Result::unwrap).collect())
            .unwrap_or_default()
    }

    #[test]
    fn integer_series_step_to_the_ends_of_int8() {
        use ValueRef::Integer as I;
        let max = i64::MAX;
        assert_eq!(
            all::<Series>(&[I(max - 1), I(max)]),
            [SqlValue::Integer(max - 1), SqlValue::Integer(max)]
        );
        assert_eq!(all::<Series>(&[I(3), I(1), I(-1)]).len(), 3);
        assert!(all::<Series>(&[I(1), ValueRef::Null]).is_empty());
        let e = Series::new(&[I(1), I(2), I(0)]).err().unwrap();
        assert_eq!(e.code, SqlState::INVALID_PARAMETER_VALUE);
    }

    #[test]
    fn elements_read_as_json_each_reads_them() {
        let json = br#"[1, -2.5, "a\"b", true, null, [1,2], {"k": "v"}]"#;
        assert_eq!(
            all::<Elements>(&[ValueRef::Text(json)]),
            [
                SqlValue::Integer(1),
                SqlValue::Real(-2.5),
                SqlValue::Text("a\"b".into()),
                SqlValue::Integer(1),
                SqlValue::Null,
                SqlValue::Text("[1,2]".into()),
                SqlValue::Text(r#"{"k": "v"}"#.into()),
            ]
        );
        assert!(Elements::open(&[ValueRef::Text(b"[1,")]).is_err());
    }
}
