//! Array slices: reading `a[1:2]`, `a[:2][2:]`, `a[1:2][3]` (`pg_array_slice`) and
//! assigning to them (`SET a[2:3] = '{…}'`, engine/subscript.rs), as PostgreSQL's
//! array_get_slice / array_set_slice do it. The translator writes a slice's subscripts
//! as a shape (one letter a subscript) followed by the bounds given:
//! `i` an index `[k]` (in a slice it means `[1:k]`), `s` both bounds `[lo:hi]`,
//! `l` only the lower `[lo:]`, `u` only the upper `[:hi]`, `n` neither `[:]`.
//! Subscripts count from each dimension's lower bound (engine/array.rs `Bounded`); a
//! slice read has lower bounds 1, an assignment may move a one-dimensional array's.

use rusqlite::functions::{Context, SubType};
use rusqlite::types::{Value as SqlValue, ValueRef};

use super::array;
use super::error::raise;
use super::jsonb::value::Json;
use crate::protocol::{PgError, SqlState};

/// One subscript of a slice: its bounds, None where omitted (`[:2]`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    pub lo: Option<i64>,
    pub hi: Option<i64>,
}

/// A bound that is given but NULL makes a read NULL and an assignment 22004.
pub enum Ranges {
    Given(Vec<Range>),
    Null,
}

fn subscript_error(msg: &str) -> PgError {
    PgError::new(SqlState::ARRAY_SUBSCRIPT_ERROR, msg)
}

fn bad_shape() -> PgError {
    PgError::new(SqlState::INTERNAL_ERROR, "malformed array slice subscripts")
}

/// The ranges of arguments `at..` of `ctx`: the shape, then the bounds it names.
pub fn ranges(ctx: &Context<'_>, at: usize) -> rusqlite::Result<Ranges> {
    let shape: String = ctx.get(at)?;
    let mut next = at + 1;
    let mut null = false;
    let mut bound = |ctx: &Context<'_>| -> rusqlite::Result<Option<i64>> {
        if next >= ctx.len() {
            return Err(raise(bad_shape()));
        }
        let v = integer(ctx.get_raw(next)).map_err(raise)?;
        next += 1;
        null |= v.is_none();
        Ok(Some(v.unwrap_or(0)))
    };
    let mut out = Vec::with_capacity(shape.len());
    for c in shape.chars() {
        out.push(match c {
            'i' => Range {
                lo: Some(1),
                hi: bound(ctx)?,
            },
            's' => Range {
                lo: bound(ctx)?,
                hi: bound(ctx)?,
            },
            'l' => Range {
                lo: bound(ctx)?,
                hi: None,
            },
            'u' => Range {
                lo: None,
                hi: bound(ctx)?,
            },
            'n' => Range { lo: None, hi: None },
            _ => return Err(raise(bad_shape())),
        });
    }
    if out.len() > 6 {
        return Err(raise(PgError::new(
            SqlState::PROGRAM_LIMIT_EXCEEDED,
            format!(
                "number of array dimensions ({}) exceeds the maximum allowed (6)",
                out.len()
            ),
        )));
    }
    Ok(if null {
        Ranges::Null
    } else {
        Ranges::Given(out)
    })
}

/// `pg_array_slice(a, shape, bounds…)`: `a[…]` with a slice among its subscripts; NULL
/// for a NULL array or a NULL bound.
pub(super) fn read(ctx: &Context<'_>) -> rusqlite::Result<(Option<String>, SubType)> {
    let Ranges::Given(ranges) = ranges(ctx, 1)? else {
        return Ok((None, None));
    };
    let old = match ctx.get_raw(0) {
        ValueRef::Null => return Ok((None, None)),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        _ => {
            return Err(raise(PgError::new(
                SqlState::DATATYPE_MISMATCH,
                "cannot subscript a value that is not an array",
            )))
        }
    };
    let v = array::read(&old).ok_or_else(|| {
        raise(PgError::new(
            SqlState::INVALID_TEXT_REPRESENTATION,
            format!("malformed array literal: \"{old}\""),
        ))
    })?;
    let mut out = String::new();
    super::pgfuncs::write_json(&get(&v, &ranges), &mut out);
    Ok((Some(out), Some(super::pgfuncs::JSON_SUBTYPE)))
}

/// `pg_array_get(a, first, i, j, …)`: `a[i][j]…`, the subscripts counted from `first` (1,
/// or 0 for the catalog's int2vector/oidvector columns). NULL for a NULL array or
/// subscript, one out of range, or a number of subscripts other than the array's
/// dimensions, as PostgreSQL's array_get_element. The element as SQLite's json_extract
/// gives it (numbers as integers or reals, booleans as 1/0).
pub(super) fn element(ctx: &Context<'_>) -> rusqlite::Result<SqlValue> {
    let old = match ctx.get_raw(0) {
        ValueRef::Null => return Ok(SqlValue::Null),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        _ => {
            return Err(raise(PgError::new(
                SqlState::DATATYPE_MISMATCH,
                "cannot subscript a value that is not an array",
            )))
        }
    };
    let first: i64 = ctx.get(1)?;
    let v = array::read(&old).ok_or_else(|| {
        raise(PgError::new(
            SqlState::INVALID_TEXT_REPRESENTATION,
            format!("malformed array literal: \"{old}\""),
        ))
    })?;
    let mut path = Vec::with_capacity(ctx.len() - 2);
    for i in 2..ctx.len() {
        let base = if v.is_shifted() {
            v.lower(i - 2)
        } else {
            first
        };
        match integer(ctx.get_raw(i)).map_err(raise)? {
            Some(k) => path.push(k - base),
            None => return Ok(SqlValue::Null),
        }
    }
    let mut at = &v.value;
    for k in path {
        let Json::Array(items) = at else {
            return Ok(SqlValue::Null);
        };
        match usize::try_from(k).ok().and_then(|k| items.get(k)) {
            Some(item) => at = item,
            None => return Ok(SqlValue::Null),
        }
    }
    Ok(match at {
        Json::Null | Json::Array(_) => SqlValue::Null,
        Json::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Json::Num(n) => match n.parse::<i64>() {
            Ok(i) => SqlValue::Integer(i),
            Err(_) => n
                .parse::<f64>()
                .map_or(SqlValue::Text(n.clone()), SqlValue::Real),
        },
        Json::Str(s) => SqlValue::Text(s.clone()),
        other => SqlValue::Text(super::jsonb::value::print(other)),
    })
}

/// A subscript's value as an integer (text read as int4 input reads it); None for NULL.
fn integer(v: ValueRef<'_>) -> Result<Option<i64>, PgError> {
    let text = match v {
        ValueRef::Null => return Ok(None),
        ValueRef::Integer(i) => return Ok(Some(i)),
        ValueRef::Real(f) => return Ok(Some(f.round() as i64)),
        ValueRef::Text(t) | ValueRef::Blob(t) => String::from_utf8_lossy(t).into_owned(),
    };
    text.trim()
        .parse::<i32>()
        .map(|i| Some(i.into()))
        .map_err(|_| {
            PgError::new(
                SqlState::INVALID_TEXT_REPRESENTATION,
                format!("invalid input syntax for type integer: \"{text}\""),
            )
        })
}

/// `a[ranges]`: the elements inside both the ranges and the array's bounds, as an array
/// with lower bounds 1; `[]` when there are none or more subscripts than dimensions.
pub fn get(a: &array::Bounded, ranges: &[Range]) -> Json {
    let v = &a.value;
    let dims = array::dims(v).unwrap_or_default();
    if dims.is_empty() || ranges.len() > dims.len() {
        return Json::Array(vec![]);
    }
    let mut spans = Vec::with_capacity(dims.len());
    for (d, &n) in dims.iter().enumerate() {
        let r = ranges
            .get(d)
            .copied()
            .unwrap_or(Range { lo: None, hi: None });
        let first = a.lower(d);
        let last = first + n as i64 - 1;
        let lo = r.lo.unwrap_or(first).max(first);
        let hi = r.hi.unwrap_or(last).min(last);
        if lo > hi {
            return Json::Array(vec![]);
        }
        spans.push(((lo - first) as usize, (hi - first + 1) as usize));
    }
    fn cut(v: &Json, spans: &[(usize, usize)]) -> Json {
        match (v, spans.split_first()) {
            (Json::Array(items), Some((&(from, to), rest))) => {
                Json::Array(items[from..to].iter().map(|i| cut(i, rest)).collect())
            }
            (other, _) => other.clone(),
        }
    }
    cut(v, &spans)
}

/// `old[ranges] = src` (`src`'s elements in order, row-major), as array_set_slice. A NULL
/// or empty `old` takes the ranges as its bounds (both must be given); a one-dimensional
/// array grows at either end (NULLs in a gap), a multi-dimensional one is only written
/// inside its bounds.
pub fn set(
    old: Option<array::Bounded>,
    ranges: &[Range],
    src: &Json,
) -> Result<array::Bounded, PgError> {
    let src = array::flatten(src);
    let old = old.unwrap_or(array::Bounded::plain(Json::Array(vec![])));
    let dims = array::dims(&old.value).unwrap_or_default();
    let too_small = || subscript_error("source array too small");
    let check = |lo: i64, hi: i64| {
        if lo > hi {
            Err(subscript_error(
                "upper bound cannot be less than lower bound",
            ))
        } else {
            Ok(())
        }
    };
    if dims.is_empty() {
        let mut lengths = Vec::with_capacity(ranges.len());
        let mut lower = Vec::with_capacity(ranges.len());
        for r in ranges {
            let (Some(lo), Some(hi)) = (r.lo, r.hi) else {
                return Err(subscript_error("array slice subscript must provide both boundaries")
                    .with_detail("When assigning to a slice of an empty array value, slice boundaries must be fully specified."));
            };
            check(lo, hi)?;
            lengths.push(usize::try_from(hi - lo + 1).unwrap_or(usize::MAX));
            lower.push(lo);
        }
        let total = lengths.iter().try_fold(1usize, |t, n| t.checked_mul(*n));
        let total = total
            .filter(|t| *t <= array::MAX_ARRAY_SIZE as usize)
            .ok_or_else(array::too_large)?;
        if src.len() < total {
            return Err(too_small());
        }
        let mut values = src.into_iter().cloned();
        return Ok(array::Bounded {
            lower,
            value: shaped(&lengths, &mut values),
        });
    }
    if ranges.len() > dims.len() {
        return Err(subscript_error("wrong number of array subscripts"));
    }
    let full = |d: usize| Range { lo: None, hi: None }.resolve(old.lower(d), dims[d]);
    let spans: Vec<(i64, i64)> = (0..dims.len())
        .map(|d| {
            ranges
                .get(d)
                .map_or(full(d), |r| r.resolve(old.lower(d), dims[d]))
        })
        .collect();
    for &(lo, hi) in &spans {
        check(lo, hi)?;
    }
    if dims.len() == 1 {
        let (lo, hi) = spans[0];
        let count = (hi - lo + 1) as usize;
        if src.len() < count {
            return Err(too_small());
        }
        let first = old.lower(0);
        let (new_first, new_last) = (lo.min(first), hi.max(first + dims[0] as i64 - 1));
        let size = new_last - new_first + 1;
        if size > array::MAX_ARRAY_SIZE {
            return Err(array::too_large());
        }
        if size as usize > super::jsonb::value::MAX_PADDING {
            return Err(super::jsonb::value::too_far());
        }
        let mut items = vec![Json::Null; (first - new_first) as usize];
        let mut old = old;
        let Json::Array(old_items) = &mut old.value else {
            unreachable!("dims of an array")
        };
        items.append(old_items);
        items.resize(size as usize, Json::Null);
        for (k, v) in src.into_iter().take(count).enumerate() {
            items[(lo - new_first) as usize + k] = v.clone();
        }
        return Ok(array::Bounded {
            lower: vec![new_first],
            value: Json::Array(items),
        });
    }
    let offsets: Vec<(usize, usize)> = spans
        .iter()
        .zip(&dims)
        .enumerate()
        .map(|(d, (&(lo, hi), &n))| {
            let first = old.lower(d);
            if lo < first || hi > first + n as i64 - 1 {
                return Err(subscript_error("array subscript out of range"));
            }
            Ok(((lo - first) as usize, (hi - first + 1) as usize))
        })
        .collect::<Result<_, _>>()?;
    let count: usize = offsets.iter().map(|(from, to)| to - from).product();
    if src.len() < count {
        return Err(too_small());
    }
    let mut values = src.into_iter().cloned();
    let mut new = old;
    fn write(v: &mut Json, spans: &[(usize, usize)], values: &mut impl Iterator<Item = Json>) {
        match (v, spans.split_first()) {
            (Json::Array(items), Some((&(from, to), rest))) => {
                for item in &mut items[from..to] {
                    write(item, rest, values);
                }
            }
            (slot, _) => *slot = values.next().unwrap_or(Json::Null),
        }
    }
    write(&mut new.value, &offsets, &mut values);
    Ok(new)
}

impl Range {
    /// The bounds, the array's own (`first` and its last subscript) where omitted.
    fn resolve(self, first: i64, n: usize) -> (i64, i64) {
        (
            self.lo.unwrap_or(first),
            self.hi.unwrap_or(first + n as i64 - 1),
        )
    }
}

/// An array of dimensions `lengths` filled from `values` in row-major order.
fn shaped(lengths: &[usize], values: &mut impl Iterator<Item = Json>) -> Json {
    match lengths.split_first() {
        None => values.next().unwrap_or(Json::Null),
        Some((&n, rest)) => Json::Array((0..n).map(|_| shaped(rest, values)).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::array::Bounded;

    fn a(s: &str) -> Bounded {
        array::read(s).unwrap()
    }
    fn show(v: &Json) -> String {
        let mut s = String::new();
        crate::engine::pgfuncs::write_json(v, &mut s);
        s
    }
    fn r(lo: Option<i64>, hi: Option<i64>) -> Range {
        Range { lo, hi }
    }

    #[test]
    fn reads_clip_to_the_bounds() {
        let m = a("[[1,2,3],[4,5,6],[7,8,9]]");
        assert_eq!(
            show(&get(&m, &[r(Some(1), Some(2)), r(Some(1), Some(2))])),
            "[[1,2],[4,5]]"
        );
        assert_eq!(
            show(&get(&m, &[r(Some(2), None), r(Some(2), None)])),
            "[[5,6],[8,9]]"
        );
        assert_eq!(
            show(&get(&m, &[r(None, None)])),
            "[[1,2,3],[4,5,6],[7,8,9]]"
        );
        assert_eq!(
            show(&get(&a("[1,2,3,4,5]"), &[r(Some(0), Some(3))])),
            "[1,2,3]"
        );
        assert_eq!(show(&get(&a("[1,2]"), &[r(Some(3), Some(4))])), "[]");
        assert_eq!(
            show(&get(&a("[1,2]"), &[r(None, None), r(None, None)])),
            "[]"
        );
        // Subscripts count from the array's own lower bounds.
        let shifted = a("[0:2][0:2]=[[1,2,3],[4,5,6],[7,8,9]]");
        assert_eq!(
            show(&get(&shifted, &[r(Some(1), Some(2)), r(Some(1), Some(2))])),
            "[[5,6],[8,9]]"
        );
        assert_eq!(
            show(&get(&a("[0:4]=[1,2,3,4,5]"), &[r(None, Some(3))])),
            "[1,2,3,4]"
        );
    }

    #[test]
    fn assignments_grow_a_one_dimensional_array() {
        let src = a("[16,25]").value;
        assert_eq!(
            set(Some(a("[1,2,3]")), &[r(Some(1), Some(2))], &src)
                .unwrap()
                .stored(),
            "[16,25,3]"
        );
        assert_eq!(
            set(Some(a("[1]")), &[r(Some(3), Some(4))], &src)
                .unwrap()
                .stored(),
            "[1,null,16,25]"
        );
        assert_eq!(
            set(None, &[r(Some(1), Some(1))], &src).unwrap().stored(),
            "[16]"
        );
        let e = set(None, &[r(None, Some(2))], &src).unwrap_err();
        assert_eq!(e.code, SqlState::ARRAY_SUBSCRIPT_ERROR);
        let e = set(Some(a("[1,2,3]")), &[r(Some(1), Some(3))], &src).unwrap_err();
        assert_eq!(e.message, "source array too small");
        // Downwards too: the lower bound moves, NULLs fill the gap.
        assert_eq!(
            set(Some(a("[1,2,3]")), &[r(Some(-2), Some(-1))], &src)
                .unwrap()
                .stored(),
            "[-2:3]=[16,25,null,1,2,3]"
        );
        assert_eq!(
            set(None, &[r(Some(0), Some(1))], &src).unwrap().stored(),
            "[0:1]=[16,25]"
        );
        // PostgreSQL's size limit before litewire's padding limit.
        let far = a("[-2147483648:-2147483647]=[1,2]");
        let e = set(Some(far), &[r(Some(2147483646), Some(2147483647))], &src).unwrap_err();
        assert_eq!(e.code, SqlState::PROGRAM_LIMIT_EXCEEDED);
        assert_eq!(
            e.message,
            "array size exceeds the maximum allowed (134217727)"
        );
    }

    #[test]
    fn assignments_stay_inside_a_matrix() {
        let m = a("[[1,2,3],[4,5,6],[7,8,9]]");
        let src = a("[[25,26],[28,29]]").value;
        let ranges = [r(Some(2), None), r(Some(2), None)];
        assert_eq!(
            set(Some(m.clone()), &ranges, &src).unwrap().stored(),
            "[[1,2,3],[4,25,26],[7,28,29]]"
        );
        let e = set(Some(m), &[r(Some(2), Some(4)), r(None, None)], &src).unwrap_err();
        assert_eq!(e.message, "array subscript out of range");
        let shifted = a("[0:2][0:2]=[[1,2,3],[4,5,6],[7,8,9]]");
        assert_eq!(
            set(Some(shifted), &ranges, &src).unwrap().stored(),
            "[0:2][0:2]=[[1,2,3],[4,5,6],[7,8,25]]"
        );
        let three = set(
            None,
            &[
                r(Some(1), Some(1)),
                r(Some(1), Some(2)),
                r(Some(1), Some(2)),
            ],
            &a("[[[0,0],[1,2]]]").value,
        )
        .unwrap();
        assert_eq!(three.stored(), "[[[0,0],[1,2]]]");
    }
}
