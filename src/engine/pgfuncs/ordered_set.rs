//! Ordered-set and hypothetical-set aggregates (`… WITHIN GROUP (ORDER BY …)`), which
//! SQLite lacks; the translator (sql/translate/queries.rs) passes the sort keys as
//! arguments and their directions as a string, two letters a key: `a`/`d` (ascending,
//! descending) then `f`/`l` (NULLs first, last). Each aggregate keeps its group's keys and
//! sorts them once at the end with SQLite's order (numbers, then text by bytes, then
//! blobs), as an ORDER BY would:
//! - `pg_percentile_cont(fraction, dirs, x)`, `pg_percentile_disc(fraction, dirs, x)`: a
//!   fraction or an array of them (JSON text, any shape; the result has its shape);
//! - `pg_mode(dirs, x)`: the most frequent value, the first in sort order on a tie;
//! - `pg_hypothetical(kind, dirs, h1…hn, x1…xn)`: rank, dense_rank, percent_rank or
//!   cume_dist of the row (h1…hn) were it added to the group.
//!
//! Also `pg_limit(n)` / `pg_offset(n)`: a LIMIT or OFFSET computed by an expression,
//! checked as PostgreSQL checks it (negative: 2201W/2201X; NULL: no limit, no offset).

use crate::engine::functions::owned;
use std::cmp::Ordering;

use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;

use super::{pg, Res};
use crate::engine::error::raise;
use crate::engine::jsonb::value::{self as json, Json};
use crate::protocol::{PgError, SqlState};

pub(super) fn register(conn: &Connection) -> Res<()> {
    let pure = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS;
    conn.create_aggregate_function("pg_percentile_cont", 3, pure, Percentile { cont: true })?;
    conn.create_aggregate_function("pg_percentile_disc", 3, pure, Percentile { cont: false })?;
    conn.create_aggregate_function("pg_mode", 2, pure, Mode)?;
    conn.create_aggregate_function("pg_hypothetical", -1, pure, Hypothetical(false))?;
    conn.create_aggregate_function("pg_hypothetical_percent_rank", -1, pure, Hypothetical(true))?;
    conn.create_scalar_function("pg_limit", 1, pure, |ctx| count(ctx, "LIMIT"))?;
    conn.create_scalar_function("pg_offset", 1, pure, |ctx| count(ctx, "OFFSET"))?;
    Ok(())
}

/// A LIMIT/OFFSET count as SQLite takes it: -1 (none) for NULL, a rounded integer.
fn count(ctx: &Context<'_>, clause: &str) -> Res<i64> {
    let n = match ctx.get_raw(0) {
        ValueRef::Null => return Ok(if clause == "LIMIT" { -1 } else { 0 }),
        ValueRef::Integer(i) => i,
        ValueRef::Real(f) if f.is_finite() => f.round() as i64,
        _ => match super::int(ctx, 0)? {
            Some(i) => i,
            None => return Ok(-1),
        },
    };
    if n < 0 {
        let state = if clause == "LIMIT" {
            SqlState::INVALID_ROW_COUNT_IN_LIMIT_CLAUSE
        } else {
            SqlState::INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE
        };
        return Err(raise(PgError::new(
            state,
            format!("{clause} must not be negative"),
        )));
    }
    Ok(n)
}

/// One sort key's direction.
#[derive(Clone, Copy)]
struct Direction {
    descending: bool,
    nulls_first: bool,
}

fn directions(text: &str) -> Vec<Direction> {
    text.as_bytes()
        .chunks(2)
        .map(|c| Direction {
            descending: c.first() == Some(&b'd'),
            nulls_first: c.get(1) == Some(&b'f'),
        })
        .collect()
}

/// SQLite's order of two non-NULL values: numbers, then text (by bytes), then blobs.
fn compare_values(a: &SqlValue, b: &SqlValue) -> Ordering {
    fn class(v: &SqlValue) -> u8 {
        match v {
            SqlValue::Null => 0,
            SqlValue::Integer(_) | SqlValue::Real(_) => 1,
            SqlValue::Text(_) => 2,
            SqlValue::Blob(_) => 3,
        }
    }
    match (a, b) {
        (SqlValue::Integer(x), SqlValue::Integer(y)) => x.cmp(y),
        (SqlValue::Integer(x), SqlValue::Real(y)) => (*x as f64).total_cmp(y),
        (SqlValue::Real(x), SqlValue::Integer(y)) => x.total_cmp(&(*y as f64)),
        (SqlValue::Real(x), SqlValue::Real(y)) => x.total_cmp(y),
        (SqlValue::Text(x), SqlValue::Text(y)) => x.as_bytes().cmp(y.as_bytes()),
        (SqlValue::Blob(x), SqlValue::Blob(y)) => x.cmp(y),
        _ => class(a).cmp(&class(b)),
    }
}

/// Two keys in the order `dir` asks for, NULLs placed as it says.
fn compare_key(a: &SqlValue, b: &SqlValue, dir: Direction) -> Ordering {
    match (a, b) {
        (SqlValue::Null, SqlValue::Null) => Ordering::Equal,
        (SqlValue::Null, _) if dir.nulls_first => Ordering::Less,
        (SqlValue::Null, _) => Ordering::Greater,
        (_, SqlValue::Null) if dir.nulls_first => Ordering::Greater,
        (_, SqlValue::Null) => Ordering::Less,
        _ if dir.descending => compare_values(b, a),
        _ => compare_values(a, b),
    }
}

fn compare_rows(a: &[SqlValue], b: &[SqlValue], dirs: &[Direction]) -> Ordering {
    for (k, (x, y)) in a.iter().zip(b).enumerate() {
        let dir = dirs.get(k).copied().unwrap_or(Direction {
            descending: false,
            nulls_first: false,
        });
        match compare_key(x, y, dir) {
            Ordering::Equal => continue,
            other => return other,
        }
    }
    Ordering::Equal
}

fn dirs_arg(ctx: &Context<'_>, i: usize) -> Vec<Direction> {
    match ctx.get_raw(i) {
        ValueRef::Text(t) => directions(&String::from_utf8_lossy(t)),
        _ => vec![],
    }
}

/// A group's sort keys and the aggregate's constant arguments.
#[derive(Default)]
struct Group {
    rows: Vec<Vec<SqlValue>>,
    /// The direct argument(s): the fraction, or the hypothetical row.
    direct: Vec<SqlValue>,
    dirs: Vec<Direction>,
}

impl Group {
    fn sorted(mut self) -> Self {
        let dirs = self.dirs.clone();
        self.rows.sort_by(|a, b| compare_rows(a, b, &dirs));
        self
    }
}

struct Percentile {
    cont: bool,
}

impl Aggregate<Group, Option<SqlValue>> for Percentile {
    fn init(&self, _: &mut Context<'_>) -> Res<Group> {
        Ok(Group::default())
    }

    fn step(&self, ctx: &mut Context<'_>, g: &mut Group) -> Res<()> {
        if g.direct.is_empty() {
            g.direct.push(owned(ctx.get_raw(0)));
            g.dirs = dirs_arg(ctx, 1);
        } else {
            same_direct(&g.direct[..1], &[owned(ctx.get_raw(0))])?;
        }
        let v = owned(ctx.get_raw(2));
        match v {
            SqlValue::Null => {}
            SqlValue::Text(_) | SqlValue::Blob(_) if self.cont => {
                return Err(raise(crate::sql::translate::unsupported(
                    "percentile_cont() of a value that is not a number",
                )))
            }
            v => g.rows.push(vec![v]),
        }
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, g: Option<Group>) -> Res<Option<SqlValue>> {
        let Some(g) = g else { return Ok(None) };
        let fraction = g.direct.first().cloned().unwrap_or(SqlValue::Null);
        let g = g.sorted();
        let values: Vec<&SqlValue> = g.rows.iter().map(|r| &r[0]).collect();
        match fraction {
            SqlValue::Null => Ok(None),
            SqlValue::Text(t) if t.trim_start().starts_with(['[', '{']) => {
                if values.is_empty() {
                    return Ok(None);
                }
                let Some(fractions) = crate::engine::array::parse(&t) else {
                    return Ok(None);
                };
                let shaped = pg(map_fractions(&fractions, &|f| {
                    percentile(self.cont, &values, f)
                }))?;
                Ok(Some(SqlValue::Text(json::print(&shaped))))
            }
            other => {
                let f = match other {
                    SqlValue::Integer(i) => i as f64,
                    SqlValue::Real(f) => f,
                    SqlValue::Text(t) => t.trim().parse().map_err(|_| {
                        raise(PgError::new(
                            SqlState::INVALID_TEXT_REPRESENTATION,
                            format!("invalid input syntax for type double precision: \"{t}\""),
                        ))
                    })?,
                    _ => return Ok(None),
                };
                if values.is_empty() {
                    // Still checked, as PostgreSQL checks it only with rows: not at all.
                    return Ok(None);
                }
                pg(percentile(self.cont, &values, f))
            }
        }
    }
}

/// The `f` percentile of sorted `values` (not empty).
fn percentile(cont: bool, values: &[&SqlValue], f: f64) -> Result<Option<SqlValue>, PgError> {
    if !(0.0..=1.0).contains(&f) || f.is_nan() {
        return Err(PgError::new(
            SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
            format!("percentile value {} is not between 0 and 1", float8_text(f)),
        ));
    }
    let n = values.len();
    if !cont {
        // The first value whose position reaches f of the way.
        let row = ((f * n as f64).ceil() as usize).max(1);
        return Ok(Some(values[row.min(n) - 1].clone()));
    }
    let number = |v: &SqlValue| match v {
        SqlValue::Integer(i) => *i as f64,
        SqlValue::Real(r) => *r,
        _ => f64::NAN,
    };
    let at = f * (n - 1) as f64;
    let (first, second) = (at.floor() as usize, at.ceil() as usize);
    let lo = number(values[first]);
    if first == second {
        return Ok(Some(SqlValue::Real(lo)));
    }
    let hi = number(values[second]);
    Ok(Some(SqlValue::Real(lo + (at - first as f64) * (hi - lo))))
}

/// `fractions` (an array of any depth) with each number replaced by `f` of it.
fn map_fractions(
    fractions: &Json,
    f: &dyn Fn(f64) -> Result<Option<SqlValue>, PgError>,
) -> Result<Json, PgError> {
    Ok(match fractions {
        Json::Array(items) => Json::Array(
            items
                .iter()
                .map(|i| map_fractions(i, f))
                .collect::<Result<_, _>>()?,
        ),
        Json::Num(s) | Json::Str(s) => {
            let n: f64 = s.trim().parse().map_err(|_| {
                PgError::new(
                    SqlState::INVALID_TEXT_REPRESENTATION,
                    format!("invalid input syntax for type double precision: \"{s}\""),
                )
            })?;
            match f(n)? {
                Some(SqlValue::Integer(i)) => Json::Num(i.to_string()),
                Some(SqlValue::Real(r)) => Json::Num(float8_text(r)),
                Some(SqlValue::Text(t)) => Json::Str(t),
                _ => Json::Null,
            }
        }
        _ => Json::Null,
    })
}

/// A double as PostgreSQL prints it.
fn float8_text(f: f64) -> String {
    let mut b = bytes::BytesMut::new();
    crate::engine::types::write_float8(f, &mut b);
    String::from_utf8_lossy(&b).into_owned()
}

struct Mode;

impl Aggregate<Group, Option<SqlValue>> for Mode {
    fn init(&self, _: &mut Context<'_>) -> Res<Group> {
        Ok(Group::default())
    }

    fn step(&self, ctx: &mut Context<'_>, g: &mut Group) -> Res<()> {
        if g.dirs.is_empty() {
            g.dirs = dirs_arg(ctx, 0);
        }
        match owned(ctx.get_raw(1)) {
            SqlValue::Null => {}
            v => g.rows.push(vec![v]),
        }
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, g: Option<Group>) -> Res<Option<SqlValue>> {
        let Some(g) = g else { return Ok(None) };
        let g = g.sorted();
        let mut best: Option<(&SqlValue, usize)> = None;
        let mut run: Option<(&SqlValue, usize)> = None;
        for row in &g.rows {
            let v = &row[0];
            let (r, n) = match run {
                Some((r, n)) if compare_values(r, v) == Ordering::Equal => (r, n + 1),
                _ => (v, 1),
            };
            run = Some((r, n));
            // Strictly more: the first value in sort order wins a tie.
            if best.is_none_or(|(_, m)| n > m) {
                best = Some((r, n));
            }
        }
        Ok(best.map(|(v, _)| v.clone()))
    }
}

/// `.0`: percent_rank's, whose answer over no rows is 0 (rank, dense_rank and
/// cume_dist answer 1 there).
struct Hypothetical(bool);

/// The hypothetical aggregate's kind, its rows and its hypothetical row.
#[derive(Default)]
struct HypotheticalGroup {
    kind: String,
    group: Group,
}

impl Aggregate<HypotheticalGroup, SqlValue> for Hypothetical {
    fn init(&self, _: &mut Context<'_>) -> Res<HypotheticalGroup> {
        Ok(HypotheticalGroup::default())
    }

    fn step(&self, ctx: &mut Context<'_>, h: &mut HypotheticalGroup) -> Res<()> {
        let keys = (ctx.len().saturating_sub(2)) / 2;
        let direct: Vec<SqlValue> = (0..keys).map(|k| owned(ctx.get_raw(2 + k))).collect();
        if h.kind.is_empty() {
            h.kind = super::text(ctx, 0).unwrap_or_default();
            h.group.dirs = dirs_arg(ctx, 1);
            h.group.direct = direct;
        } else {
            same_direct(&h.group.direct, &direct)?;
        }
        let row = (0..keys)
            .map(|k| owned(ctx.get_raw(2 + keys + k)))
            .collect();
        h.group.rows.push(row);
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, h: Option<HypotheticalGroup>) -> Res<SqlValue> {
        // No rows (a final call has no arguments to read the kind from): the
        // hypothetical row alone.
        let Some(h) = h else {
            return Ok(if self.0 {
                SqlValue::Real(0.0)
            } else {
                SqlValue::Integer(1)
            });
        };
        let kind = h.kind.clone();
        let g = h.group.sorted();
        // The hypothetical row read as the keys' types (PostgreSQL coerces it to them).
        let sample = g.rows.first();
        let direct: Vec<SqlValue> = g
            .direct
            .iter()
            .enumerate()
            .map(|(k, v)| coerce(v, sample.map(|r| &r[k])))
            .collect::<Result<_, _>>()
            .map_err(raise)?;
        let before = g
            .rows
            .iter()
            .filter(|r| compare_rows(r, &direct, &g.dirs) == Ordering::Less)
            .count();
        let n = g.rows.len();
        Ok(match kind.as_str() {
            "rank" => SqlValue::Integer(before as i64 + 1),
            "dense_rank" => {
                let mut groups = 0;
                let mut last: Option<&Vec<SqlValue>> = None;
                for r in g.rows.iter().take(before) {
                    if last.is_none_or(|l| compare_rows(l, r, &g.dirs) != Ordering::Equal) {
                        groups += 1;
                    }
                    last = Some(r);
                }
                SqlValue::Integer(groups + 1)
            }
            "percent_rank" => SqlValue::Real(if n == 0 {
                0.0
            } else {
                before as f64 / n as f64
            }),
            _ => {
                // cume_dist: the rows up to and with the hypothetical one's peers.
                let not_after = g
                    .rows
                    .iter()
                    .filter(|r| compare_rows(r, &direct, &g.dirs) != Ordering::Greater)
                    .count();
                SqlValue::Real((not_after + 1) as f64 / (n + 1) as f64)
            }
        })
    }
}

/// The direct arguments are the group's (PostgreSQL allows only grouped columns and
/// constants in them): one that changes within a group is PostgreSQL's 42803.
fn same_direct(first: &[SqlValue], now: &[SqlValue]) -> Res<()> {
    let same = first.iter().zip(now).all(|(a, b)| match (a, b) {
        (SqlValue::Null, SqlValue::Null) => true,
        (SqlValue::Null, _) | (_, SqlValue::Null) => false,
        _ => compare_values(a, b) == Ordering::Equal,
    });
    if same {
        return Ok(());
    }
    Err(raise(PgError::new(
        SqlState::GROUPING_ERROR,
        "direct arguments of an ordered-set aggregate must use only grouped columns",
    )))
}

/// A hypothetical value as the type of the values it is ranked among: text read as a
/// number among numbers (PostgreSQL's 22P02 when it is not one), a number as text
/// among text.
fn coerce(v: &SqlValue, like: Option<&SqlValue>) -> Result<SqlValue, PgError> {
    Ok(match (v, like) {
        (SqlValue::Text(t), Some(SqlValue::Integer(_))) => match t.trim().parse::<i64>() {
            Ok(i) => SqlValue::Integer(i),
            Err(_) => {
                return Err(PgError::new(
                    SqlState::INVALID_TEXT_REPRESENTATION,
                    format!("invalid input syntax for type integer: \"{t}\""),
                ))
            }
        },
        (SqlValue::Text(t), Some(SqlValue::Real(_))) => match t.trim().parse::<f64>() {
            Ok(f) => SqlValue::Real(f),
            Err(_) => {
                return Err(PgError::new(
                    SqlState::INVALID_TEXT_REPRESENTATION,
                    format!("invalid input syntax for type double precision: \"{t}\""),
                ))
            }
        },
        (SqlValue::Integer(_) | SqlValue::Real(_), Some(SqlValue::Text(_))) => {
            let number = if matches!(v, SqlValue::Integer(_)) {
                "integer"
            } else {
                "numeric"
            };
            return Err(PgError::new(
                SqlState::DATATYPE_MISMATCH,
                format!("WITHIN GROUP types text and {number} cannot be matched"),
            ));
        }
        (other, _) => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(v: &[i64]) -> Vec<SqlValue> {
        v.iter().map(|i| SqlValue::Integer(*i)).collect()
    }

    #[test]
    fn percentiles_as_postgresql() {
        let v = ints(&[1, 2, 3, 4]);
        let r: Vec<&SqlValue> = v.iter().collect();
        assert_eq!(
            percentile(true, &r, 0.5).unwrap(),
            Some(SqlValue::Real(2.5))
        );
        assert_eq!(
            percentile(false, &r, 0.5).unwrap(),
            Some(SqlValue::Integer(2))
        );
        assert_eq!(
            percentile(false, &r, 0.0).unwrap(),
            Some(SqlValue::Integer(1))
        );
        assert_eq!(percentile(true, &r, 2.0).unwrap_err().code.0, "22003");
    }

    #[test]
    fn nulls_sort_where_asked() {
        let asc = Direction {
            descending: false,
            nulls_first: false,
        };
        assert_eq!(
            compare_key(&SqlValue::Null, &SqlValue::Integer(1), asc),
            Ordering::Greater
        );
        assert_eq!(
            compare_key(&SqlValue::Integer(1), &SqlValue::Text("a".into()), asc),
            Ordering::Less
        );
    }
}
