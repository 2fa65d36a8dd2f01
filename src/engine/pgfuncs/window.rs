//! Window support for the engine's own functions.
//!
//! - `pg_range_key(x)`: the sort key of a window frame `RANGE … n PRECEDING/FOLLOWING`
//!   (sql/translate/window.rs). SQLite subtracts the offset from any value; PostgreSQL
//!   takes only number keys with a number offset (a date, time or text key is an error),
//!   so a key SQLite holds as text or bytes is refused rather than compared as a number.
//!   A float key's infinities and NaN are put where PostgreSQL's in_range puts them
//!   ([`float_key`]).
//! - `pg_var_pop_over`… and `pg_bool_and_over`/`pg_bool_or_over`: the statistical and
//!   boolean aggregates (math.rs) as window functions, which the translator calls with
//!   OVER. PostgreSQL's float aggregates have no inverse: a frame whose head moves is
//!   summed again from its head, so the statistics keep the frame's values and, after a
//!   row left, add them up again in order, as PostgreSQL does. The plain aggregates keep
//!   no rows.

use std::collections::VecDeque;

use rusqlite::functions::{Aggregate, Context, FunctionFlags, WindowAggregate};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;

use super::dates::{self, Temporal};
use super::math::{bool_arg, Acc, Stat, STATS};
use super::{float, pg, Res};
use crate::engine::datetime::{self as dt, civil_from_days, MICROS_PER_DAY, PG_EPOCH_DAYS};
use crate::engine::error::raise;
use crate::protocol::{PgError, SqlState};
use crate::sql::translate::{unsupported, RangeScale};

pub(super) fn register(conn: &Connection) -> Res<()> {
    let pure = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS;
    conn.create_scalar_function("pg_range_key", 1, pure, |ctx| match ctx.get_raw(0) {
        ValueRef::Null => Ok(SqlValue::Null),
        ValueRef::Integer(i) => Ok(SqlValue::Integer(i)),
        ValueRef::Real(f) => float_key(f).map(SqlValue::Real).map_err(raise),
        // A float's NaN, held as its text.
        ValueRef::Text(b"NaN") => Ok(SqlValue::Real(f64::INFINITY)),
        ValueRef::Text(_) | ValueRef::Blob(_) => Err(raise(PgError::new(
            SqlState::FEATURE_NOT_SUPPORTED,
            "RANGE with offset PRECEDING/FOLLOWING over a column that is not a number is not supported by litewire",
        ))),
    })?;
    conn.create_scalar_function("pg_range_key", 2, pure, |ctx| {
        let scale = ctx.get::<String>(1)?;
        let scale = RangeScale::from_tag(&scale).expect("the translator's scale");
        match ctx.get_raw(0) {
            ValueRef::Null => Ok(None),
            ValueRef::Text(t) => {
                let text = std::str::from_utf8(t).unwrap_or_default();
                temporal_key(text, scale).map(Some).map_err(raise)
            }
            _ => Err(raise(PgError::new(
                SqlState::UNDEFINED_FUNCTION,
                "RANGE with offset PRECEDING/FOLLOWING is not supported for this column type and offset type interval",
            ))),
        }
    })?;
    for &(name, args, stat) in STATS {
        let moving = Moving(stat, false);
        conn.create_window_function(format!("{name}_over").as_str(), args, pure, moving)?;
        // The branch beside numeric's window form (math.rs says why it is lenient).
        if args == 1 {
            let lenient = format!("{name}_float_over");
            conn.create_window_function(lenient.as_str(), 1, pure, Moving(stat, true))?;
        }
    }
    for (name, all) in [("pg_bool_and_over", true), ("pg_bool_or_over", false)] {
        conn.create_window_function(name, 1, pure, BoolCounts(all))?;
    }
    Ok(())
}

/// The largest finite float key taken: with an offset (at most RANGE_OFFSET_MAX) it stays
/// far below the infinities' keys.
const FINITE_KEY_MAX: f64 = 1e300;

/// A float key of a RANGE frame with number offsets. PostgreSQL's NaN sorts above
/// +Infinity and is within no offset of anything but NaN (in_range_float8_float8), while
/// an infinity plus or minus a finite offset is itself: so ±Infinity become ±f64::MAX,
/// which an offset of at most RANGE_OFFSET_MAX (the translator's check, below half the
/// double's spacing there) leaves where it is, and NaN (held as text, the caller's)
/// +Infinity, which stays itself. Finite keys beyond FINITE_KEY_MAX are refused.
fn float_key(f: f64) -> Result<f64, PgError> {
    if f.is_infinite() {
        return Ok(f64::MAX.copysign(f));
    }
    if f.abs() > FINITE_KEY_MAX {
        return Err(unsupported(
            "a RANGE frame with offsets over a float key beyond 1e300",
        ));
    }
    Ok(f)
}

/// A date/time key of a RANGE frame with interval offsets, on the offsets' scale
/// (sql/translate/window.rs): µs for offsets of days and time; for offsets of months a
/// date's month is 32 day slots (µs×15) and an interval's month its 30 days (µs×16,
/// PostgreSQL compares intervals so), both making a month 480 days of µs. A date past
/// the 28th is refused then: PostgreSQL's month arithmetic clamps it to the month's end
/// (Mar 31 − 1 month = Feb 28), which no slot count matches.
fn temporal_key(text: &str, scale: RangeScale) -> Result<i64, PgError> {
    let months = scale == RangeScale::Months;
    let slots = |micros: i64| -> Result<i64, PgError> {
        if !months {
            return Ok(micros);
        }
        let (day, time) = (
            micros.div_euclid(MICROS_PER_DAY),
            micros.rem_euclid(MICROS_PER_DAY),
        );
        let (y, m, d) = civil_from_days(day + PG_EPOCH_DAYS);
        if d > 28 {
            return Err(unsupported(
                "a RANGE frame offset in months over a date past the 28th of its month",
            ));
        }
        ((y * 12 + m - 1) * 32 + d - 1)
            .checked_mul(MICROS_PER_DAY)
            .and_then(|v| v.checked_add(time))
            .and_then(|v| v.checked_mul(15))
            .ok_or_else(|| unsupported("a RANGE frame key this far out"))
    };
    match dates::read(text)? {
        Temporal::Date(days) => slots(i64::from(days) * MICROS_PER_DAY),
        Temporal::Timestamp(micros) => slots(micros),
        Temporal::TimestampTz(micros) => {
            // PostgreSQL adds days and months in the session's zone.
            if dt::session() != dt::Zone::UTC {
                return Err(unsupported(
                    "a RANGE frame offset over a timestamptz when the TimeZone is not UTC",
                ));
            }
            slots(micros)
        }
        // PostgreSQL adds only an offset's time to a time (no wrap-around).
        Temporal::Time(micros) if scale == RangeScale::Micros => Ok(micros),
        Temporal::Time(_) => Err(unsupported(
            "a RANGE frame offset of days or months over a time",
        )),
        Temporal::Interval(iv) => {
            let linear = i128::from(iv.months) * 30 * i128::from(MICROS_PER_DAY)
                + i128::from(iv.days) * i128::from(MICROS_PER_DAY)
                + i128::from(iv.micros);
            let linear = if months { linear * 16 } else { linear };
            i64::try_from(linear).map_err(|_| unsupported("a RANGE frame key this large"))
        }
    }
}

/// The frame's rows (y, and x for two arguments; None where a NULL skips the row) and
/// the statistics of them in order; `stale` after a row left.
#[derive(Default)]
struct Frame {
    rows: VecDeque<Option<(f64, f64)>>,
    acc: Acc,
    stale: bool,
    two_args: bool,
}

/// A statistic; `.1`: integers and numerics are skipped, not refused.
struct Moving(Stat, bool);

impl Aggregate<Frame, Option<SqlValue>> for Moving {
    fn init(&self, _: &mut Context<'_>) -> Res<Frame> {
        Ok(Frame::default())
    }

    fn step(&self, ctx: &mut Context<'_>, frame: &mut Frame) -> Res<()> {
        let one_arg = ctx.len() == 1;
        if one_arg && super::math::exact_argument(ctx.get_raw(0)) {
            if self.1 {
                frame.rows.push_back(None);
                return Ok(());
            }
            return Err(raise(PgError::new(
                SqlState::FEATURE_NOT_SUPPORTED,
                "variance and standard deviation of integers or numeric are not supported by litewire (only of float4/float8)",
            )));
        }
        let row = match (float(ctx, 0)?, one_arg) {
            (None, _) => None,
            (Some(y), true) => Some((y, 0.0)),
            (Some(y), false) => float(ctx, 1)?.map(|x| (y, x)),
        };
        frame.rows.push_back(row);
        frame.two_args = !one_arg;
        if let (Some((y, x)), false) = (row, frame.stale) {
            pg(add(&mut frame.acc, frame.two_args, y, x))?;
        }
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, frame: Option<Frame>) -> Res<Option<SqlValue>> {
        let mut frame = frame.unwrap_or_default();
        self.value(Some(&mut frame))
    }
}

impl WindowAggregate<Frame, Option<SqlValue>> for Moving {
    fn value(&self, frame: Option<&mut Frame>) -> Res<Option<SqlValue>> {
        let Some(frame) = frame else {
            return Ok(self.answer(&Acc::default()));
        };
        if frame.stale {
            let mut acc = Acc::default();
            for &(y, x) in frame.rows.iter().flatten() {
                pg(add(&mut acc, frame.two_args, y, x))?;
            }
            frame.acc = acc;
            frame.stale = false;
        }
        Ok(self.answer(&frame.acc))
    }

    fn inverse(&self, _: &mut Context<'_>, frame: &mut Frame) -> Res<()> {
        frame.rows.pop_front();
        frame.stale = true;
        Ok(())
    }
}

impl Moving {
    fn answer(&self, acc: &Acc) -> Option<SqlValue> {
        match self.0 {
            Stat::Count => Some(SqlValue::Integer(
                acc.result(Stat::Count).unwrap_or(0.0) as i64
            )),
            stat => acc.result(stat).map(super::math::real),
        }
    }
}

fn add(acc: &mut Acc, two_args: bool, y: f64, x: f64) -> Result<(), PgError> {
    if two_args {
        acc.add2(y, x)
    } else {
        acc.add1(y)
    }
}

/// `bool_and` (true) / `bool_or` (false) over a frame: its counts of true and false.
struct BoolCounts(bool);

impl Aggregate<(u64, u64), Option<bool>> for BoolCounts {
    fn init(&self, _: &mut Context<'_>) -> Res<(u64, u64)> {
        Ok((0, 0))
    }

    fn step(&self, ctx: &mut Context<'_>, counts: &mut (u64, u64)) -> Res<()> {
        match bool_arg(ctx.get_raw(0))? {
            Some(true) => counts.0 += 1,
            Some(false) => counts.1 += 1,
            None => {}
        }
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, counts: Option<(u64, u64)>) -> Res<Option<bool>> {
        self.value(counts.as_ref().copied().as_mut())
    }
}

impl WindowAggregate<(u64, u64), Option<bool>> for BoolCounts {
    fn value(&self, counts: Option<&mut (u64, u64)>) -> Res<Option<bool>> {
        Ok(match counts {
            Some(&mut (t, f)) if t + f > 0 => Some(if self.0 { f == 0 } else { t > 0 }),
            _ => None,
        })
    }

    fn inverse(&self, ctx: &mut Context<'_>, counts: &mut (u64, u64)) -> Res<()> {
        match bool_arg(ctx.get_raw(0))? {
            Some(true) => counts.0 = counts.0.saturating_sub(1),
            Some(false) => counts.1 = counts.1.saturating_sub(1),
            None => {}
        }
        Ok(())
    }
}
