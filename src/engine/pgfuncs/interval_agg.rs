//! `sum(interval)` and `avg(interval)` as `pg_interval_sum` / `pg_interval_avg`
//! (sql/translate/operators.rs writes them): SQLite's sum would add the leading digits
//! of the interval's text (`sum` of 1 day and 2 hours was 3). Window functions too:
//! a row leaving the frame is subtracted (interval_accum_inv).

use rusqlite::functions::{Aggregate, Context, WindowAggregate};
use rusqlite::types::Value as SqlValue;
use rusqlite::Connection;

use super::operators::{interval_divided, interval_minus, interval_plus, interval_value};
use super::{raise, Res};
use crate::engine::datetime::{format_interval, Interval};

pub(super) fn register(conn: &Connection, flags: rusqlite::functions::FunctionFlags) -> Res<()> {
    conn.create_window_function("pg_interval_sum", 1, flags, IntervalAgg { avg: false })?;
    conn.create_window_function("pg_interval_avg", 1, flags, IntervalAgg { avg: true })?;
    Ok(())
}

struct IntervalAgg {
    avg: bool,
}

/// The running total and count; `foreign` once a value was not an interval (the column
/// is not one: `pg_is_interval` then shows SQLite's own aggregate instead).
#[derive(Default)]
struct Total {
    sum: Interval,
    count: u64,
    foreign: bool,
}

impl Aggregate<Total, SqlValue> for IntervalAgg {
    fn init(&self, _: &mut Context<'_>) -> Res<Total> {
        Ok(Total::default())
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Total) -> Res<()> {
        let v = ctx.get_raw(0);
        if acc.foreign || matches!(v, rusqlite::types::ValueRef::Null) {
            return Ok(());
        }
        match interval_value(v) {
            Some(iv) => {
                acc.sum = interval_plus(acc.sum, iv).map_err(raise)?;
                acc.count += 1;
            }
            None => acc.foreign = true,
        }
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, acc: Option<Total>) -> Res<SqlValue> {
        self.answer(acc.as_ref())
    }
}

impl WindowAggregate<Total, SqlValue> for IntervalAgg {
    fn value(&self, acc: Option<&mut Total>) -> Res<SqlValue> {
        self.answer(acc.as_deref())
    }

    fn inverse(&self, ctx: &mut Context<'_>, acc: &mut Total) -> Res<()> {
        if let Some(iv) = interval_value(ctx.get_raw(0)).filter(|_| !acc.foreign) {
            acc.sum = interval_minus(acc.sum, iv).map_err(raise)?;
            acc.count -= 1;
        }
        Ok(())
    }
}

impl IntervalAgg {
    fn answer(&self, acc: Option<&Total>) -> Res<SqlValue> {
        let Some(acc) = acc.filter(|a| a.count > 0 && !a.foreign) else {
            return Ok(SqlValue::Null);
        };
        let total = if self.avg {
            interval_divided(acc.sum, acc.count as f64).map_err(raise)?
        } else {
            acc.sum
        };
        Ok(SqlValue::Text(format_interval(total)))
    }
}
