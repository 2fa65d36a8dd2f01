//! PostgreSQL's hash functions for integers and intervals (`hashint4`, `hashint8`,
//! `interval_hash`), bit for bit: Bob Jenkins's mix of hash_uint32 (hashfn.c), so that
//! `interval_hash('30 days') = interval_hash('1 month')` and the values themselves are
//! PostgreSQL's.

use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;

use super::{int, pg, strict, Res};
use crate::engine::datetime::{stored_interval, Interval, MICROS_PER_DAY};

/// hash_uint32: the final mix of a one-word key.
fn hash_uint32(k: u32) -> u32 {
    let init = 0x9e37_79b9u32.wrapping_add(4).wrapping_add(3_923_095);
    let (mut a, mut b, mut c) = (init.wrapping_add(k), init, init);
    c ^= b;
    c = c.wrapping_sub(b.rotate_left(14));
    a ^= c;
    a = a.wrapping_sub(c.rotate_left(11));
    b ^= a;
    b = b.wrapping_sub(a.rotate_left(25));
    c ^= b;
    c = c.wrapping_sub(b.rotate_left(16));
    a ^= c;
    a = a.wrapping_sub(c.rotate_left(4));
    b ^= a;
    b = b.wrapping_sub(a.rotate_left(14));
    c ^= b;
    c = c.wrapping_sub(b.rotate_left(24));
    c
}

fn hashint4(v: i32) -> i32 {
    hash_uint32(v as u32) as i32
}

/// hashint8: the high half folded into the low one (complemented for a negative value),
/// so that an int8 hashes as the int4 of the same value does.
fn hashint8(v: i64) -> i32 {
    let (lo, hi) = (v as u32, (v >> 32) as u32);
    let folded = lo ^ if v >= 0 { hi } else { !hi };
    hash_uint32(folded) as i32
}

/// interval_hash: hashint8 of the interval's span in microseconds (30-day months, the
/// 128-bit span cut to its low 64 bits), as interval_cmp_value computes it.
fn interval_hash(iv: Interval) -> i32 {
    let days =
        i128::from(iv.micros / MICROS_PER_DAY) + i128::from(iv.months) * 30 + i128::from(iv.days);
    let span = i128::from(iv.micros % MICROS_PER_DAY) + days * i128::from(MICROS_PER_DAY);
    hashint8(span as i64)
}

pub(super) fn register(conn: &Connection, flags: FunctionFlags) -> Res<()> {
    conn.create_scalar_function(
        "hashint4",
        1,
        flags,
        strict(|ctx| Ok(hashint4(int(ctx, 0)?.unwrap_or(0) as i32))),
    )?;
    conn.create_scalar_function(
        "hashint8",
        1,
        flags,
        strict(|ctx| Ok(hashint8(int(ctx, 0)?.unwrap_or(0)))),
    )?;
    conn.create_scalar_function(
        "interval_hash",
        1,
        flags,
        strict(|ctx| {
            let text = super::s(ctx, 0);
            let iv = pg(stored_interval(&text).map_err(|e| e.to_pg("interval", &text)))?;
            Ok(interval_hash(iv))
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PostgreSQL 15's answers.
    #[test]
    fn hashes_are_postgres_values() {
        assert_eq!(hashint4(7), -978_793_473);
        assert_eq!(hashint4(-7), -82_204_417);
        assert_eq!(hashint8(86_400_000_000), -2_053_980_660);
        assert_eq!(hashint8(-5), 1_412_886_042);
        assert_eq!(hashint8(0), -272_711_505);
        let iv = |s: &str| stored_interval(s).unwrap();
        assert_eq!(interval_hash(iv("30 days")), 1_574_789_525);
        assert_eq!(interval_hash(iv("1 mon")), 1_574_789_525);
        assert_eq!(interval_hash(iv("-1 days")), -1_092_701_610);
        assert_eq!(interval_hash(iv("1 day 02:00:00.5")), -652_232_013);
        assert_eq!(interval_hash(iv("178000000 years")), -420_442_375);
    }
}
