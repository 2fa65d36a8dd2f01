//! `min` / `max` of intervals and arrays by their order, not their stored text
//! (`max` of '9 days' and '10 days' was '9 days'): `pg_interval_max`, `pg_array_min`…
//! (sql/translate/operators.rs and engine/compare.rs write them). Of equal values the
//! later one wins, as interval_larger / array_larger keep it. Window frames use the
//! `…_w` forms, which keep the frame's values; the aggregates keep one.

use rusqlite::functions::{Aggregate, Context, FunctionFlags, WindowAggregate};
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::Res;
use crate::engine::datetime;
use crate::protocol::{PgError, SqlState};

pub(super) fn register(conn: &Connection, flags: FunctionFlags) -> Res<()> {
    for (name, max, key) in [
        ("pg_interval_max", true, interval_key as Key),
        ("pg_interval_min", false, interval_key),
        ("pg_array_max", true, array_key),
        ("pg_array_min", false, array_key),
    ] {
        // As an aggregate only the best value so far is kept; as a window function
        // (`…_w`, which the translator writes before OVER) the frame's values, since a
        // row leaving the frame may have been the best.
        conn.create_aggregate_function(name, 1, flags, Best(Extreme { max, key }))?;
        let window = format!("{name}_w");
        conn.create_window_function(window.as_str(), 1, flags, Extreme { max, key })?;
    }
    Ok(())
}

/// The order key of a stored value; Err for text that is not one.
type Key = fn(&str) -> Result<Vec<u8>, PgError>;

fn interval_key(s: &str) -> Result<Vec<u8>, PgError> {
    datetime::stored_interval(s)
        .map(super::operators::span_key)
        .map_err(|e| e.to_pg("interval", s))
}

fn array_key(s: &str) -> Result<Vec<u8>, PgError> {
    crate::engine::array::read(s)
        .map(|a| super::arrays::array_key(&a))
        .ok_or_else(|| {
            PgError::new(
                SqlState::INVALID_TEXT_REPRESENTATION,
                format!("malformed array literal: \"{s}\""),
            )
        })
}

struct Extreme {
    max: bool,
    key: Key,
}

/// The values in the frame (or group), oldest first, with their keys: a row leaving a
/// window frame is the oldest.
type Seen = std::collections::VecDeque<(Vec<u8>, String)>;

impl Extreme {
    fn best(&self, seen: Option<&Seen>) -> Option<String> {
        let mut best: Option<&(Vec<u8>, String)> = None;
        for entry in seen.into_iter().flatten() {
            let better = match best {
                None => true,
                Some((k, _)) if self.max => entry.0 >= *k,
                Some((k, _)) => entry.0 <= *k,
            };
            if better {
                best = Some(entry);
            }
        }
        best.map(|(_, v)| v.clone())
    }
}

/// The plain aggregate: one value kept, whatever the group's size.
struct Best(Extreme);

impl Aggregate<Option<(Vec<u8>, String)>, Option<String>> for Best {
    fn init(&self, _: &mut Context<'_>) -> Res<Option<(Vec<u8>, String)>> {
        Ok(None)
    }

    fn step(&self, ctx: &mut Context<'_>, best: &mut Option<(Vec<u8>, String)>) -> Res<()> {
        let Some((key, text)) = keyed(ctx, self.0.key)? else {
            return Ok(());
        };
        let better = match best {
            None => true,
            Some((k, _)) if self.0.max => key >= *k,
            Some((k, _)) => key <= *k,
        };
        if better {
            *best = Some((key, text));
        }
        Ok(())
    }

    fn finalize(
        &self,
        _: &mut Context<'_>,
        best: Option<Option<(Vec<u8>, String)>>,
    ) -> Res<Option<String>> {
        Ok(best.flatten().map(|(_, v)| v))
    }
}

/// The row's value and its order key; None for NULL.
fn keyed(ctx: &Context<'_>, key: Key) -> Res<Option<(Vec<u8>, String)>> {
    let text = match ctx.get_raw(0) {
        ValueRef::Null => return Ok(None),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Blob(_) => String::new(),
    };
    let key = key(&text).map_err(super::raise)?;
    Ok(Some((key, text)))
}

impl Aggregate<Seen, Option<String>> for Extreme {
    fn init(&self, _: &mut Context<'_>) -> Res<Seen> {
        Ok(Seen::new())
    }

    fn step(&self, ctx: &mut Context<'_>, seen: &mut Seen) -> Res<()> {
        if let Some(entry) = keyed(ctx, self.key)? {
            seen.push_back(entry);
        }
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, seen: Option<Seen>) -> Res<Option<String>> {
        Ok(self.best(seen.as_ref()))
    }
}

impl WindowAggregate<Seen, Option<String>> for Extreme {
    fn value(&self, seen: Option<&mut Seen>) -> Res<Option<String>> {
        Ok(self.best(seen.map(|s| &*s)))
    }

    fn inverse(&self, ctx: &mut Context<'_>, seen: &mut Seen) -> Res<()> {
        if !matches!(ctx.get_raw(0), ValueRef::Null) {
            seen.pop_front();
        }
        Ok(())
    }
}
