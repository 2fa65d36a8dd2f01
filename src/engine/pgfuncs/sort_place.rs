//! `pg_sort_place(flags, k1, k2, …) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND
//! UNBOUNDED FOLLOWING)`: each row's place in the order PostgreSQL's sort leaves the
//! rows in, ties included (sql/translate/window_ties.rs orders a window's input by it).
//!
//! PostgreSQL sorts a window's input in memory with its quicksort (pg_qsort, from
//! src/include/lib/sort_template.h: insertion sort below 7 rows, a presorted check,
//! median of three, ninther above 40 rows, Bentley-McIlroy three-way partitioning). It
//! is not stable, but it is deterministic: run over the rows in scan order, it gives
//! PostgreSQL's order of tied rows. The frame is the whole input, so SQLite steps every
//! row (in scan order: the window has no ORDER BY) before it asks for the first value,
//! and asks for the values in the same order: the n-th value asked is the n-th row's.
//!
//! `flags` holds one letter pair per key: `a`/`d` (ascending, descending) and `l`/`f`
//! (NULLs last, first). Keys compare as PostgreSQL compares them under the C collation:
//! numbers by value (a numeric held as its text too), text by bytes.

use std::cmp::Ordering;

use rusqlite::functions::{Aggregate, Context, FunctionFlags, WindowAggregate};
use rusqlite::types::Value;
use rusqlite::Connection;

use super::decimal::{of_value, Num};
use super::Res;

pub(super) fn register(conn: &Connection, flags: FunctionFlags) -> Res<()> {
    conn.create_window_function("pg_sort_place", -1, flags, SortPlace)
}

/// A key's direction: descending, NULLs first.
#[derive(Clone, Copy, Default)]
struct Direction {
    descending: bool,
    nulls_first: bool,
}

#[derive(Default)]
struct Rows {
    directions: Vec<Direction>,
    keys: Vec<Vec<Value>>,
    /// Each row's place, once the rows are sorted.
    places: Option<Vec<i64>>,
    /// How many values were asked for.
    asked: usize,
}

struct SortPlace;

impl Aggregate<Rows, Option<i64>> for SortPlace {
    fn init(&self, _: &mut Context<'_>) -> Res<Rows> {
        Ok(Rows::default())
    }

    fn step(&self, ctx: &mut Context<'_>, rows: &mut Rows) -> Res<()> {
        if rows.keys.is_empty() {
            let flags: String = ctx.get(0)?;
            let flags = flags.as_bytes();
            rows.directions = flags
                .chunks(2)
                .map(|pair| Direction {
                    descending: pair.first() == Some(&b'd'),
                    nulls_first: pair.get(1) == Some(&b'f'),
                })
                .collect();
        }
        let key = (1..ctx.len())
            .map(|i| ctx.get::<Value>(i))
            .collect::<Result<_, _>>()?;
        rows.keys.push(key);
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, _: Option<Rows>) -> Res<Option<i64>> {
        Ok(None)
    }
}

impl WindowAggregate<Rows, Option<i64>> for SortPlace {
    fn value(&self, rows: Option<&mut Rows>) -> Res<Option<i64>> {
        let Some(rows) = rows else {
            return Ok(None);
        };
        let places = rows.places.get_or_insert_with(|| {
            let mut order: Vec<usize> = (0..rows.keys.len()).collect();
            pg_qsort(&mut order, &mut |a, b| {
                compare_keys(&rows.keys[*a], &rows.keys[*b], &rows.directions)
            });
            let mut places = vec![0; order.len()];
            for (place, row) in order.into_iter().enumerate() {
                places[row] = place as i64;
            }
            places
        });
        let place = places.get(rows.asked).copied();
        rows.asked += 1;
        Ok(place)
    }

    fn inverse(&self, _: &mut Context<'_>, _: &mut Rows) -> Res<()> {
        // The frame is the whole input: no row leaves it.
        Ok(())
    }
}

fn compare_keys(a: &[Value], b: &[Value], directions: &[Direction]) -> Ordering {
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let d = directions.get(i).copied().unwrap_or_default();
        let order = match (x, y) {
            (Value::Null, Value::Null) => Ordering::Equal,
            (Value::Null, _) => {
                if d.nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (_, Value::Null) => {
                if d.nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            _ if d.descending => compare_values(y, x),
            _ => compare_values(x, y),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

/// Two non-NULL values: numbers (a numeric's text included) by value, text by bytes.
fn compare_values(x: &Value, y: &Value) -> Ordering {
    fn number(v: &Value) -> Option<Num> {
        let r = match v {
            Value::Integer(i) => rusqlite::types::ValueRef::Integer(*i),
            Value::Real(f) => rusqlite::types::ValueRef::Real(*f),
            Value::Text(t) => rusqlite::types::ValueRef::Text(t.as_bytes()),
            _ => return None,
        };
        of_value(r)
    }
    if let (Some(a), Some(b)) = (number(x), number(y)) {
        return a.cmp(&b);
    }
    match (x, y) {
        (Value::Text(a), Value::Text(b)) => a.as_bytes().cmp(b.as_bytes()),
        (Value::Blob(a), Value::Blob(b)) => a.cmp(b),
        // Mixed kinds: SQLite's order (numbers, text, blobs).
        _ => kind(x).cmp(&kind(y)),
    }
}

fn kind(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Integer(_) | Value::Real(_) => 1,
        Value::Text(_) => 2,
        Value::Blob(_) => 3,
    }
}

/// PostgreSQL 15's pg_qsort (sort_template.h) over `a`, with `cmp` as its comparator.
fn pg_qsort<T>(a: &mut [T], cmp: &mut impl FnMut(&T, &T) -> Ordering) {
    let mut a = a;
    loop {
        let n = a.len();
        if n < 7 {
            for m in 1..n {
                let mut l = m;
                while l > 0 && cmp(&a[l - 1], &a[l]) == Ordering::Greater {
                    a.swap(l, l - 1);
                    l -= 1;
                }
            }
            return;
        }
        if (1..n).all(|m| cmp(&a[m - 1], &a[m]) != Ordering::Greater) {
            return;
        }
        let mut pm = n / 2;
        if n > 7 {
            let mut pl = 0;
            let mut pn = n - 1;
            if n > 40 {
                let d = n / 8;
                pl = med3(a, pl, pl + d, pl + 2 * d, cmp);
                pm = med3(a, pm - d, pm, pm + d, cmp);
                pn = med3(a, pn - 2 * d, pn - d, pn, cmp);
            }
            pm = med3(a, pl, pm, pn, cmp);
        }
        a.swap(0, pm);
        let (mut pa, mut pb) = (1, 1);
        let (mut pc, mut pd) = (n as isize - 1, n as isize - 1);
        loop {
            while pb as isize <= pc {
                let r = cmp(&a[pb], &a[0]);
                if r == Ordering::Greater {
                    break;
                }
                if r == Ordering::Equal {
                    a.swap(pa, pb);
                    pa += 1;
                }
                pb += 1;
            }
            while pb as isize <= pc {
                let r = cmp(&a[pc as usize], &a[0]);
                if r == Ordering::Less {
                    break;
                }
                if r == Ordering::Equal {
                    a.swap(pc as usize, pd as usize);
                    pd -= 1;
                }
                pc -= 1;
            }
            if pb as isize > pc {
                break;
            }
            a.swap(pb, pc as usize);
            pb += 1;
            pc -= 1;
        }
        let (pc, pd) = (pc as usize, pd as usize);
        let d1 = pa.min(pb - pa);
        swap_n(a, 0, pb - d1, d1);
        let d1 = (pd - pc).min(n - pd - 1);
        swap_n(a, pb, n - d1, d1);
        let (d1, d2) = (pb - pa, pd - pc);
        if d1 <= d2 {
            // The smaller side first (PostgreSQL recurses on it), then the other.
            if d1 > 1 {
                pg_qsort(&mut a[..d1], cmp);
            }
            if d2 <= 1 {
                return;
            }
            a = &mut a[n - d2..];
        } else {
            if d2 > 1 {
                pg_qsort(&mut a[n - d2..], cmp);
            }
            if d1 <= 1 {
                return;
            }
            a = &mut a[..d1];
        }
    }
}

fn med3<T>(
    a: &[T],
    i: usize,
    j: usize,
    k: usize,
    cmp: &mut impl FnMut(&T, &T) -> Ordering,
) -> usize {
    if cmp(&a[i], &a[j]) == Ordering::Less {
        if cmp(&a[j], &a[k]) == Ordering::Less {
            j
        } else if cmp(&a[i], &a[k]) == Ordering::Less {
            k
        } else {
            i
        }
    } else if cmp(&a[j], &a[k]) == Ordering::Greater {
        j
    } else if cmp(&a[i], &a[k]) == Ordering::Less {
        i
    } else {
        k
    }
}

fn swap_n<T>(a: &mut [T], i: usize, j: usize, n: usize) {
    for t in 0..n {
        a.swap(i + t, j + t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// tenk1's rows with unique1 < 10 in scan order (unique1, four), sorted by four:
    /// PostgreSQL 15's order (window.sql), not the stable one.
    #[test]
    fn ties_come_out_in_postgresql_s_order() {
        let mut rows = [
            (4, 0),
            (2, 2),
            (1, 1),
            (6, 2),
            (9, 1),
            (8, 0),
            (5, 1),
            (3, 3),
            (7, 3),
            (0, 0),
        ];
        pg_qsort(&mut rows, &mut |a, b| a.1.cmp(&b.1));
        let got: Vec<i32> = rows.iter().map(|r| r.0).collect();
        assert_eq!(got, [0, 8, 4, 5, 9, 1, 6, 2, 3, 7]);
    }

    #[test]
    fn larger_inputs_are_sorted() {
        let mut v: Vec<u32> = (0..500).map(|i| (i * 7919) % 101).collect();
        pg_qsort(&mut v, &mut |a, b| a.cmp(b));
        assert!(v.windows(2).all(|w| w[0] <= w[1]));
    }
}
