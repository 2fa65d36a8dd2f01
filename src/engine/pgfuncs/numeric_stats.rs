//! var_pop, var_samp (variance), stddev_pop, stddev_samp (stddev) of numeric and
//! integers as `pg_numeric_var_pop(x)`… (translate/numeric_math.rs writes them): exact
//! sums of x and x², then PostgreSQL 15's `numeric_stddev_internal` (the quotient at
//! `select_div_scale`, its square root at the same scale).
//!
//! With OVER the same aggregates are `pg_numeric_var_pop_over`…: a row leaving the
//! frame is subtracted (numeric_accum_inv), and the sums are brought back to the
//! largest display scale among the rows still in the frame, the scale PostgreSQL's sums
//! have when it adds them up again (its inverse gives up when the last row of the
//! largest scale leaves).

use std::collections::BTreeMap;

use rusqlite::functions::{Aggregate, Context, FunctionFlags, WindowAggregate};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;

use super::decimal::{of_value, Dec, Num};
use super::Res;

pub(super) fn register(conn: &Connection, flags: FunctionFlags) -> Res<()> {
    for (name, stat) in [
        (
            "pg_numeric_var_pop",
            Stat {
                sample: false,
                root: false,
            },
        ),
        (
            "pg_numeric_var_samp",
            Stat {
                sample: true,
                root: false,
            },
        ),
        (
            "pg_numeric_variance",
            Stat {
                sample: true,
                root: false,
            },
        ),
        (
            "pg_numeric_stddev_pop",
            Stat {
                sample: false,
                root: true,
            },
        ),
        (
            "pg_numeric_stddev_samp",
            Stat {
                sample: true,
                root: true,
            },
        ),
        (
            "pg_numeric_stddev",
            Stat {
                sample: true,
                root: true,
            },
        ),
    ] {
        conn.create_aggregate_function(name, 1, flags, stat)?;
        conn.create_window_function(format!("{name}_over").as_str(), 1, flags, stat)?;
    }
    Ok(())
}

/// Which statistic: sample (n - 1) or population (n), standard deviation or variance.
#[derive(Clone, Copy)]
struct Stat {
    sample: bool,
    root: bool,
}

#[derive(Default)]
struct Sums {
    n: i64,
    /// NaNs and infinities counted (in n too): while one is in, the answer is NaN.
    special: u64,
    sum: Option<Dec>,
    sum_squares: Option<Dec>,
    /// The finite values' display scales, counted: the window form's sums are kept at
    /// the largest.
    scales: BTreeMap<u32, u64>,
}

fn added(total: Option<Dec>, d: &Dec) -> Option<Dec> {
    Some(match total {
        Some(t) => t.add(d),
        None => d.clone(),
    })
}

impl Aggregate<Sums, SqlValue> for Stat {
    fn init(&self, _: &mut Context<'_>) -> Res<Sums> {
        Ok(Sums::default())
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Sums) -> Res<()> {
        let v = ctx.get_raw(0);
        if matches!(v, ValueRef::Null) {
            return Ok(());
        }
        match of_value(v) {
            Some(Num::Fin(d)) => {
                acc.sum_squares = added(acc.sum_squares.take(), &d.mul_exact(&d));
                acc.sum = added(acc.sum.take(), &d);
                *acc.scales.entry(d.scale).or_default() += 1;
            }
            Some(_) => acc.special += 1,
            None => return Ok(()),
        }
        acc.n += 1;
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, acc: Option<Sums>) -> Res<SqlValue> {
        let acc = acc.unwrap_or_default();
        Ok(match self.answer(&acc) {
            Some(n) => SqlValue::Text(n.to_string()),
            None => SqlValue::Null,
        })
    }
}

impl WindowAggregate<Sums, SqlValue> for Stat {
    fn value(&self, acc: Option<&mut Sums>) -> Res<SqlValue> {
        let answer = acc.and_then(|acc| self.answer(acc));
        Ok(answer.map_or(SqlValue::Null, |n| SqlValue::Text(n.to_string())))
    }

    fn inverse(&self, ctx: &mut Context<'_>, acc: &mut Sums) -> Res<()> {
        let v = ctx.get_raw(0);
        if matches!(v, ValueRef::Null) {
            return Ok(());
        }
        match of_value(v) {
            Some(Num::Fin(d)) => acc.remove(&d),
            Some(_) => acc.special = acc.special.saturating_sub(1),
            None => return Ok(()),
        }
        acc.n -= 1;
        Ok(())
    }
}

impl Sums {
    /// Takes `d` (a row leaving the frame) out of the sums, at the scale of the rest.
    fn remove(&mut self, d: &Dec) {
        if let Some(count) = self.scales.get_mut(&d.scale) {
            *count -= 1;
            if *count == 0 {
                self.scales.remove(&d.scale);
            }
        }
        let Some(&scale) = self.scales.keys().next_back() else {
            self.sum = None;
            self.sum_squares = None;
            return;
        };
        // Exact: every value still in has at most `scale` decimals.
        let scale = i64::from(scale);
        self.sum = self.sum.take().map(|s| s.sub(d).trunc(scale));
        self.sum_squares = self
            .sum_squares
            .take()
            .map(|s| s.sub(&d.mul(d)).trunc(2 * scale));
    }
}

impl Stat {
    fn answer(&self, acc: &Sums) -> Option<Num> {
        if acc.n == 0 || (self.sample && acc.n <= 1) {
            return None;
        }
        if acc.special > 0 {
            return Some(Num::NaN);
        }
        let zero = Dec::from_i64(0);
        let sum = acc.sum.clone().unwrap_or_else(|| zero.clone());
        let sum_squares = acc.sum_squares.clone().unwrap_or(zero);
        let n = Dec::from_i64(acc.n);
        // N·Σx² − (Σx)², at twice Σx's scale (exact).
        let numerator = n.mul_exact(&sum_squares).sub(&sum.mul_exact(&sum));
        if numerator.is_zero() || numerator.value.sign() == num_bigint::Sign::Minus {
            return Some(Num::Fin(Dec::from_i64(0)));
        }
        let denominator = if self.sample {
            n.mul(&Dec::from_i64(acc.n - 1))
        } else {
            n.mul(&n)
        };
        let rscale = numerator.div_scale(&denominator);
        let variance = numerator.div_at(&denominator, rscale)?;
        Some(Num::Fin(if self.root {
            super::numeric_math::sqrt_var(&variance, i64::from(rscale))
        } else {
            variance
        }))
    }
}
