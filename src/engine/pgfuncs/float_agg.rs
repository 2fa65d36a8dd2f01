//! `sum` and `avg` of float4/float8 as `pg_float_sum` / `pg_float_avg`
//! (sql/translate/operators.rs writes them for an argument typed as a float): SQLite's
//! sum reads a stored `NaN` (text) as 0 and answers NULL where infinities cancel;
//! PostgreSQL's float8pl / float8_accum give NaN, and 22003 on overflow.

use rusqlite::functions::{Aggregate, Context};
use rusqlite::types::Value as SqlValue;
use rusqlite::Connection;

use super::math::{overflow, real, Acc, Stat};
use super::{float, raise, Res};
use crate::protocol::PgError;

pub(super) fn register(conn: &Connection, flags: rusqlite::functions::FunctionFlags) -> Res<()> {
    conn.create_aggregate_function("pg_float_sum", 1, flags, FloatSum)?;
    conn.create_aggregate_function("pg_float_avg", 1, flags, FloatAvg)?;
    Ok(())
}

/// float8pl over the rows; None before the first non-null one.
struct FloatSum;

impl Aggregate<Option<f64>, Option<SqlValue>> for FloatSum {
    fn init(&self, _: &mut Context<'_>) -> Res<Option<f64>> {
        Ok(None)
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Option<f64>) -> Res<()> {
        let Some(x) = float(ctx, 0)? else {
            return Ok(());
        };
        *acc = Some(match *acc {
            None => x,
            Some(sum) => plus(sum, x).map_err(raise)?,
        });
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, acc: Option<Option<f64>>) -> Res<Option<SqlValue>> {
        Ok(acc.flatten().map(real))
    }
}

/// float8pl: an infinity from finite operands is overflow.
fn plus(a: f64, b: f64) -> Result<f64, PgError> {
    let sum = a + b;
    if sum.is_infinite() && a.is_finite() && b.is_finite() {
        return Err(overflow());
    }
    Ok(sum)
}

/// float8_accum then float8_avg (Sx / N).
struct FloatAvg;

impl Aggregate<Acc, Option<SqlValue>> for FloatAvg {
    fn init(&self, _: &mut Context<'_>) -> Res<Acc> {
        Ok(Acc::default())
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Acc) -> Res<()> {
        match float(ctx, 0)? {
            Some(x) => acc.add1(x).map_err(raise),
            None => Ok(()),
        }
    }

    fn finalize(&self, _: &mut Context<'_>, acc: Option<Acc>) -> Res<Option<SqlValue>> {
        Ok(acc.unwrap_or_default().result(Stat::AvgX).map(real))
    }
}
