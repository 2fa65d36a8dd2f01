//! `sum(numeric)` and `avg(numeric)` as `pg_numeric_sum(x, 'type')` /
//! `pg_numeric_avg(x, 'type')` (sql/translate/operators.rs writes them): exact decimal
//! totals (SQLite's sum adds doubles), avg at PostgreSQL's division scale
//! (`32.5750000000000000`), a numeric(p,s) value read at its scale. Window functions
//! too: a row leaving the frame is subtracted.

use rusqlite::functions::{Aggregate, Context, FunctionFlags, WindowAggregate};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;

use super::decimal::{of_value, Dec, Num};
use super::Res;

pub(super) fn register(conn: &Connection, flags: FunctionFlags) -> Res<()> {
    conn.create_window_function("pg_numeric_sum", 2, flags, NumericAgg { avg: false })?;
    conn.create_window_function("pg_numeric_avg", 2, flags, NumericAgg { avg: true })?;
    Ok(())
}

struct NumericAgg {
    avg: bool,
}

/// The running total, count and the special values seen (counted, for the inverse).
#[derive(Default)]
struct Total {
    sum: Option<Dec>,
    count: u64,
    nan: u64,
    pinf: u64,
    ninf: u64,
    /// How many values of each display scale are in: the result's scale is the
    /// largest (PostgreSQL's maxScale, which falls again when a window frame drops
    /// the values that had it).
    scales: std::collections::BTreeMap<u32, u64>,
    /// The scale of a `numeric(p,s)` argument, once read.
    scale: Option<Option<u32>>,
}

impl Total {
    fn scale(&mut self, ctx: &Context<'_>) -> Option<u32> {
        *self
            .scale
            .get_or_insert_with(|| super::operators::typmod_scale(ctx, 1))
    }

    fn add(&mut self, ctx: &Context<'_>, sign: i8) {
        let v = ctx.get_raw(0);
        if matches!(v, ValueRef::Null) {
            return;
        }
        let scale = self.scale(ctx);
        let step = |n: &mut u64| {
            if sign > 0 {
                *n += 1
            } else {
                *n = n.saturating_sub(1)
            }
        };
        match of_value(v) {
            Some(Num::Fin(d)) => {
                let d = match scale {
                    Some(s) => d.round(i64::from(s)),
                    None => d,
                };
                let held = self.scales.entry(d.scale).or_default();
                step(held);
                if *held == 0 {
                    self.scales.remove(&d.scale);
                }
                let d = if sign > 0 { d } else { d.neg() };
                self.sum = Some(match self.sum.take() {
                    Some(s) => s.add(&d),
                    None => d,
                });
            }
            Some(Num::NaN) => step(&mut self.nan),
            Some(Num::Inf(true)) => step(&mut self.pinf),
            Some(Num::Inf(false)) => step(&mut self.ninf),
            // Not a number (the CASE around it chose SQLite's sum): nothing.
            None => return,
        }
        step(&mut self.count);
    }
}

impl Aggregate<Total, SqlValue> for NumericAgg {
    fn init(&self, _: &mut Context<'_>) -> Res<Total> {
        Ok(Total::default())
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Total) -> Res<()> {
        acc.add(ctx, 1);
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, acc: Option<Total>) -> Res<SqlValue> {
        Ok(self.answer(acc.as_ref()))
    }
}

impl WindowAggregate<Total, SqlValue> for NumericAgg {
    fn value(&self, acc: Option<&mut Total>) -> Res<SqlValue> {
        Ok(self.answer(acc.as_deref()))
    }

    fn inverse(&self, ctx: &mut Context<'_>, acc: &mut Total) -> Res<()> {
        acc.add(ctx, -1);
        Ok(())
    }
}

impl NumericAgg {
    fn answer(&self, acc: Option<&Total>) -> SqlValue {
        let Some(acc) = acc.filter(|a| a.count > 0) else {
            return SqlValue::Null;
        };
        let result = if acc.nan > 0 || (acc.pinf > 0 && acc.ninf > 0) {
            Num::NaN
        } else if acc.pinf > 0 || acc.ninf > 0 {
            Num::Inf(acc.pinf > 0)
        } else {
            let sum = acc.sum.clone().unwrap_or_else(|| Dec::from_i64(0));
            // Exact: the values still in have no more decimals than this.
            let scale = acc.scales.keys().next_back().copied().unwrap_or(0);
            let sum = sum.round(i64::from(scale));
            if self.avg {
                match sum.div(&Dec::from_i64(acc.count as i64)) {
                    Some(q) => Num::Fin(q),
                    None => return SqlValue::Null,
                }
            } else {
                Num::Fin(sum)
            }
        };
        SqlValue::Text(result.to_string())
    }
}
