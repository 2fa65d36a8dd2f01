//! Golden tests for functions.rs: PostgreSQL's call forms → the `pg_…` calls.

use super::super::{to_sqlite, Settings};
use crate::protocol::{PgError, SqlState};
use crate::sql::parse::parse_one;

/// A session whose TimeZone is `-02` (given as a number: two hours west).
struct Session;

impl Settings for Session {
    fn get(&self, name: &str) -> Option<String> {
        (name == "TimeZone").then(|| "-02".to_string())
    }
    fn set(&mut self, _: &str, value: &str) -> Result<String, PgError> {
        Ok(value.to_string())
    }
}

fn sqlite(pg: &str) -> String {
    to_sqlite(parse_one(pg, 64).unwrap(), &mut Session).unwrap()
}

fn refused(pg: &str) -> PgError {
    to_sqlite(parse_one(pg, 64).unwrap(), &mut Session).unwrap_err()
}

#[test]
fn grammar_call_forms() {
    assert_eq!(
        sqlite("SELECT extract(epoch FROM t), EXTRACT(DOW FROM d), position('a' IN s)"),
        "SELECT pg_extract('epoch', t, '-02'), pg_extract('dow', d, '-02'), pg_strpos(s, 'a')"
    );
    assert_eq!(
        sqlite("SELECT substring(s FROM 2 FOR 3), substring(s FOR 2), substring(s FROM 'a(.)')"),
        "SELECT pg_substr(s, 2, 3), pg_substr(s, 1, 2), pg_substring_regex(s, 'a(.)')"
    );
    assert_eq!(
        sqlite("SELECT trim(s), trim(BOTH 'x' FROM s), trim(LEADING 'x' FROM s), trim(TRAILING 'x' FROM s)"),
        "SELECT pg_btrim(s), pg_btrim(s, 'x'), pg_ltrim(s, 'x'), pg_rtrim(s, 'x')"
    );
    assert_eq!(
        sqlite("SELECT overlay(s PLACING 'ab' FROM 2 FOR 3), t AT TIME ZONE 'UTC'"),
        "SELECT pg_overlay(s, 'ab', 2, 3), pg_at_time_zone(t, 'UTC')"
    );
}

#[test]
fn calls_by_name() {
    assert_eq!(
        sqlite("SELECT split_part(a, ',', 2), upper(a), pg_catalog.lpad(a, 3), format('%s', a)"),
        "SELECT pg_split_part(a, ',', 2), pg_upper(a), pg_lpad(a, 3), pg_format('%s', a)"
    );
    // The session's TimeZone rides along where a timestamptz's local fields matter.
    assert_eq!(
        sqlite("SELECT date_trunc('day', t), to_char(t, 'YYYY'), age(t), date_part('hour', t)"),
        "SELECT pg_date_trunc('day', t, '-02'), pg_to_char(t, 'YYYY', '-02'), \
         pg_age(t, '-02'), pg_date_part('hour', t, '-02')"
    );
    assert_eq!(
        sqlite("SELECT gen_random_uuid(), clock_timestamp(), timezone('UTC', t)"),
        "SELECT pg_uuid(randomblob(16)), pg_clock_timestamp(), pg_at_time_zone(t, 'UTC')"
    );
    // Functions SQLite has with PostgreSQL's meaning are left alone.
    assert_eq!(
        sqlite("SELECT length(a), replace(a, 'x', 'y')"),
        "SELECT length(a), replace(a, 'x', 'y')"
    );
}

#[test]
fn forms_litewire_cannot_honour() {
    for pg in [
        "SELECT substring(s FROM 'a#\"b#\"' FOR '#')",
        "SELECT to_char(t)",
    ] {
        assert_eq!(refused(pg).code, SqlState::FEATURE_NOT_SUPPORTED, "{pg}");
    }
    assert_eq!(
        refused("SELECT concat()").code,
        SqlState::UNDEFINED_FUNCTION
    );
}
