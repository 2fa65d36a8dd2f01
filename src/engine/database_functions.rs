//! The SQL functions over the data folder's database files, which `pg_database`, psql's
//! `\l+` and size queries call: `litewire_databases()`, `pg_database_size`,
//! `has_database_privilege` and `pg_size_pretty` (engine/lifecycle.rs owns the files).

use rusqlite::functions::FunctionFlags;
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::error::raise;
use crate::protocol::{PgError, SqlState};

/// The functions over the data folder's database files: `litewire_databases()` (a JSON
/// array of {name, oid} that `pg_database` reads), `pg_database_size(name | oid)`,
/// and `pg_size_pretty`. Registered with the catalog: only for statements that use them.
pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    use super::lifecycle::{database_files, database_oid, size};
    let volatile = FunctionFlags::SQLITE_UTF8;
    // The folder this connection's file is in.
    let dir = conn
        .path()
        .map(|p| std::path::Path::new(p).parent().map(|d| d.to_path_buf()))
        .unwrap_or_default()
        .unwrap_or_default();
    let (listed, granting) = (dir.clone(), dir.clone());
    conn.create_scalar_function("litewire_databases", 0, volatile, move |_| {
        let rows: Vec<String> = database_files(&listed)
            .into_iter()
            .map(|name| format!("{{\"name\":\"{name}\",\"oid\":{}}}", database_oid(&name)))
            .collect();
        Ok(format!("[{}]", rows.join(",")))
    })?;
    conn.create_scalar_function("pg_database_size", 1, volatile, move |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Integer(oid) => database_files(&dir)
                .into_iter()
                .find(|n| database_oid(n) == oid)
                .and_then(|n| size(&dir, &n))
                .map(|bytes| bytes as i64),
            ValueRef::Text(t) => {
                let name = String::from_utf8_lossy(t);
                let found = super::validate_name(&name)
                    .ok()
                    .and_then(|()| size(&dir, &name));
                match found {
                    Some(bytes) => Some(bytes as i64),
                    None => {
                        return Err(raise(PgError::new(
                            SqlState::INVALID_CATALOG_NAME,
                            format!("database \"{name}\" does not exist"),
                        )))
                    }
                }
            }
            _ => None,
        })
    })?;
    // No grants (COMPAT.md): a user who may connect has every database privilege, as
    // a superuser; psql's `\l+` asks before it sizes each database.
    for args in [2, 3] {
        let dir = granting.clone();
        conn.create_scalar_function("has_database_privilege", args, volatile, move |ctx| {
            let at = ctx.len() - 2;
            if let ValueRef::Text(t) = ctx.get_raw(at) {
                let name = String::from_utf8_lossy(t).into_owned();
                if super::validate_name(&name).is_err() || size(&dir, &name).is_none() {
                    return Err(raise(PgError::new(
                        SqlState::INVALID_CATALOG_NAME,
                        format!("database \"{name}\" does not exist"),
                    )));
                }
            }
            let Some(privilege) = ctx.get::<Option<String>>(at + 1)? else {
                return Ok(None);
            };
            super::functions::check_privileges(
                &privilege,
                &["create", "connect", "temporary", "temp"],
            )?;
            Ok(Some(true))
        })?;
    }
    let pure = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("pg_size_pretty", 1, pure, |ctx| {
        let bytes = match ctx.get_raw(0) {
            ValueRef::Null => return Ok(None),
            ValueRef::Integer(i) => i,
            ValueRef::Text(t) => match std::str::from_utf8(t)
                .ok()
                .and_then(|t| t.trim().parse().ok())
            {
                Some(i) => i,
                None => {
                    return Err(raise(crate::sql::translate::unsupported(
                        "pg_size_pretty of a value with a fraction",
                    )))
                }
            },
            _ => {
                return Err(raise(crate::sql::translate::unsupported(
                    "pg_size_pretty of a value with a fraction",
                )))
            }
        };
        Ok(Some(size_pretty(bytes)))
    })
}

/// PostgreSQL's `pg_size_pretty(bigint)` (dbsize.c): bytes below 10 kB, then kB, MB,
/// GB, TB, PB, each below 20 × 1024 − 1 of its unit, half-rounded.
fn size_pretty(mut size: i64) -> String {
    // (name, limit, half-rounded, unit bits)
    const UNITS: [(&str, i64, bool, u32); 6] = [
        ("bytes", 10 * 1024, false, 0),
        ("kB", 20 * 1024 - 1, true, 10),
        ("MB", 20 * 1024 - 1, true, 20),
        ("GB", 20 * 1024 - 1, true, 30),
        ("TB", 20 * 1024 - 1, true, 40),
        ("PB", 20 * 1024 - 1, true, 50),
    ];
    let half_rounded = |x: i64| (x + if x < 0 { -1 } else { 1 }) / 2;
    for (i, (name, limit, round, bits)) in UNITS.iter().enumerate() {
        let last = i + 1 == UNITS.len();
        if last || size.abs() < *limit {
            if *round {
                size = half_rounded(size);
            }
            return format!("{size} {name}");
        }
        let next = UNITS[i + 1];
        let shift = next.3 - bits - u32::from(next.2) + u32::from(*round);
        size /= 1i64 << shift;
    }
    unreachable!("the last unit always answers")
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_print_as_postgresql_prints_them() {
        for (n, want) in [
            (0, "0 bytes"),
            (10239, "10239 bytes"),
            (10240, "10 kB"),
            (-10240, "-10 kB"),
            (1_000_000, "977 kB"),
            (20_970_000, "20 MB"),
            (1_000_000_000, "954 MB"),
            (1_000_000_000_000, "931 GB"),
            (i64::MAX, "8192 PB"),
        ] {
            assert_eq!(super::size_pretty(n), want, "{n}");
        }
    }
}
