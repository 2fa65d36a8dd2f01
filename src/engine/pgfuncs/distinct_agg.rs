//! `string_agg(DISTINCT x, sep)` as `pg_string_agg_distinct(DISTINCT json_array(x, sep))`
//! (sql/translate/mod.rs writes it): SQLite's DISTINCT takes one argument, so value and
//! separator travel as one JSON pair, told apart by the value (the separator is constant).

use rusqlite::functions::{Aggregate, Context};
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::{raise, Res};
use crate::engine::jsonb::value::{self as json, Json};

pub(super) fn register(conn: &Connection, flags: rusqlite::functions::FunctionFlags) -> Res<()> {
    conn.create_aggregate_function("pg_string_agg_distinct", 1, flags, DistinctJoin)
}

struct DistinctJoin;

impl Aggregate<Option<String>, Option<String>> for DistinctJoin {
    fn init(&self, _: &mut Context<'_>) -> Res<Option<String>> {
        Ok(None)
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Option<String>) -> Res<()> {
        let ValueRef::Text(pair) = ctx.get_raw(0) else {
            return Ok(());
        };
        let pair = json::parse(&String::from_utf8_lossy(pair)).map_err(raise)?;
        let Json::Array(items) = &pair else {
            return Ok(());
        };
        let text = |v: &Json| match v {
            Json::Null => None,
            Json::Str(s) | Json::Num(s) => Some(s.clone()),
            Json::Bool(b) => Some(b.to_string()),
            other => Some(json::print(other)),
        };
        // A NULL value is skipped, as by string_agg; a NULL separator joins with nothing.
        let Some(value) = items.first().and_then(text) else {
            return Ok(());
        };
        match acc {
            None => *acc = Some(value),
            Some(joined) => {
                joined.push_str(&items.get(1).and_then(text).unwrap_or_default());
                joined.push_str(&value);
            }
        }
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, acc: Option<Option<String>>) -> Res<Option<String>> {
        Ok(acc.flatten())
    }
}
