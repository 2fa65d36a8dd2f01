//! The schema's half of PostgreSQL's grouping check (sql/translate/grouping.rs writes
//! `pg_group_check('spec')` in a grouped SELECT's WHERE): each column left to check is
//! found in the SELECT's FROM items, and is 42803 unless it is grouped or its table's
//! PRIMARY KEY is (check_functional_grouping: a primary key, not a UNIQUE constraint,
//! and only of a table). A column found in no FROM item is an outer reference, and one
//! that cannot be placed (an item whose columns are not known) is let through.

use rusqlite::Connection;

use crate::protocol::{PgError, SqlState};
use crate::sql::translate::grouping::{FIELD, RECORD, STAR};

enum Source {
    /// A table: its columns and primary key columns (empty for a view, or no key).
    Table {
        columns: Vec<String>,
        key: Vec<String>,
    },
    Columns(Vec<String>),
    Unknown,
}

/// Ok when the spec's columns are all allowed, else PostgreSQL's 42803.
pub fn check(conn: &Connection, spec: &str) -> Result<(), PgError> {
    let mut sources: Vec<(String, Source)> = Vec::new();
    let mut tables: Vec<(String, String)> = Vec::new();
    let mut merged: Vec<(String, String, String, String)> = Vec::new();
    let mut grouped: Vec<(String, String)> = Vec::new();
    let mut checked: Vec<(String, String, bool)> = Vec::new();
    for record in spec.split(RECORD) {
        let f: Vec<&str> = record.split(FIELD).collect();
        match f.as_slice() {
            ["s", name, "T", table] => {
                tables.push((name.to_string(), table.to_string()));
                sources.push((name.to_string(), table_of(conn, table)));
            }
            ["u", left, right, kind, c] => merged.push((
                left.to_string(),
                right.to_string(),
                kind.to_string(),
                c.to_string(),
            )),
            ["s", name, "D", columns @ ..] => {
                let mut all = Some(Vec::new());
                for c in columns {
                    match (c.strip_prefix(STAR), all.as_mut()) {
                        // `*` of a table in the subquery: its columns.
                        (Some(table), Some(list)) => match table_of(conn, table) {
                            Source::Table { columns, .. } => list.extend(columns),
                            _ => all = None,
                        },
                        (None, Some(list)) => list.push(c.to_string()),
                        (_, None) => {}
                    }
                }
                let source = all.map_or(Source::Unknown, Source::Columns);
                sources.push((name.to_string(), source));
            }
            ["s", name, ..] => sources.push((name.to_string(), Source::Unknown)),
            ["g", q, c] => grouped.push((q.to_string(), c.to_string())),
            ["c", q, c, sub] => checked.push((q.to_string(), c.to_string(), *sub == "1")),
            _ => return Ok(()),
        }
    }
    // The FROM item a column belongs to: None when outside them or not known.
    let place = |q: &str, c: &str| -> Option<usize> {
        if !q.is_empty() {
            let i = sources.iter().position(|(n, _)| n == q)?;
            return has(&sources[i].1, c).unwrap_or(false).then_some(i);
        }
        for (i, (_, s)) in sources.iter().enumerate() {
            match has(s, c) {
                Some(true) => return Some(i),
                Some(false) => {}
                None => return None,
            }
        }
        None
    };
    // GROUP BY c of `a JOIN b USING (c)`: the merged column, which is a's c (inner and
    // left joins) or b's (right joins) only where that side already has the common type;
    // otherwise (a cast, a full join's COALESCE) neither side's column is grouped.
    let mut grouped: Vec<(String, String)> = grouped
        .into_iter()
        .flat_map(|(q, c)| {
            let Some((left, right, kind, _)) = merged
                .iter()
                .find(|m| q.is_empty() && m.3.eq_ignore_ascii_case(&c))
            else {
                return vec![(q, c)];
            };
            let type_of = |name: &str| {
                let table = &tables.iter().find(|(n, _)| n == name)?.1;
                column_type(conn, table, &c)
            };
            let side = |s: &String| vec![(s.clone(), c.clone())];
            match (kind.as_str(), type_of(left), type_of(right)) {
                ("f", ..) => Vec::new(),
                (_, Some(l), Some(r)) => {
                    let common = common_type(l, r);
                    match kind.as_str() {
                        "r" if common == Some(r) => side(right),
                        "i" | "l" if common == Some(l) => side(left),
                        _ if common.is_none() => {
                            vec![(left.clone(), c.clone()), (right.clone(), c.clone())]
                        }
                        _ => Vec::new(),
                    }
                }
                // Types not known: either side's column counts as grouped.
                _ => vec![(left.clone(), c.clone()), (right.clone(), c.clone())],
            }
        })
        .collect();
    grouped.dedup();
    // A GROUP BY column not placed: an outer reference, or none SQLite will report.
    let Some(grouped) = grouped
        .iter()
        .map(|(q, c)| Some((place(q, c)?, c.as_str())))
        .collect::<Option<Vec<(usize, &str)>>>()
    else {
        return Ok(());
    };
    let allowed = |i: usize, c: &str| {
        grouped
            .iter()
            .any(|(g, gc)| *g == i && gc.eq_ignore_ascii_case(c))
            || matches!(&sources[i].1, Source::Table { key, .. }
                if !key.is_empty() && key.iter().all(|k| grouped.iter().any(|(g, gc)| *g == i && gc.eq_ignore_ascii_case(k))))
    };
    for (q, c, sub) in &checked {
        // `*` / `t.*`: each column of each item (of that one).
        let columns: Vec<(usize, String)> = if c == "*" {
            let mut all = Vec::new();
            for (i, (n, s)) in sources.iter().enumerate() {
                if !q.is_empty() && n != q {
                    continue;
                }
                match s {
                    Source::Table { columns, .. } | Source::Columns(columns) => {
                        all.extend(columns.iter().map(|c| (i, c.clone())))
                    }
                    Source::Unknown => return Ok(()),
                }
            }
            all
        } else {
            match place(q, c) {
                Some(i) => vec![(i, c.clone())],
                None => continue,
            }
        };
        for (i, c) in columns {
            if allowed(i, &c) {
                continue;
            }
            let name = &sources[i].0;
            return Err(PgError::new(
                SqlState::GROUPING_ERROR,
                if *sub {
                    format!("subquery uses ungrouped column \"{name}.{c}\" from outer query")
                } else {
                    format!(
                        "column \"{name}.{c}\" must appear in the GROUP BY clause or be used in an aggregate function"
                    )
                },
            ));
        }
    }
    Ok(())
}

/// The PostgreSQL type OID of `table`'s column `c`, when its declared type is one litewire
/// names.
fn column_type(conn: &Connection, table: &str, c: &str) -> Option<u32> {
    let decl: String = conn
        .prepare_cached("select type from pragma_table_info(?1) where name = ?2 collate nocase")
        .and_then(|mut q| q.query_row([table, c], |r| r.get(0)))
        .ok()?;
    let base = decl.trim().to_ascii_lowercase();
    let base = base.split('(').next().unwrap_or("").trim().to_string();
    if base.is_empty() || !crate::engine::types::names_a_type(&base) {
        return None;
    }
    Some(crate::engine::types::from_decltype(&decl).oid)
}

/// The type two number columns of a USING join meet at (PostgreSQL's select_common_type
/// on the numeric category: the one the other casts to implicitly), the same type
/// itself; None when litewire does not decide it.
fn common_type(a: u32, b: u32) -> Option<u32> {
    use crate::engine::types::oid;
    if a == b {
        return Some(a);
    }
    let rank = |t: u32| {
        [
            oid::INT2,
            oid::INT4,
            oid::INT8,
            oid::NUMERIC,
            oid::FLOAT4,
            oid::FLOAT8,
        ]
        .iter()
        .position(|&x| x == t)
    };
    Some(if rank(a)? >= rank(b)? { a } else { b })
}

/// Whether a FROM item has column `c`; None when its columns are not known.
fn has(s: &Source, c: &str) -> Option<bool> {
    match s {
        Source::Table { columns, .. } | Source::Columns(columns) => {
            Some(columns.iter().any(|x| x.eq_ignore_ascii_case(c)))
        }
        Source::Unknown => None,
    }
}

/// A table's or view's columns and primary key; Unknown for anything else (a catalog
/// table), whose columns the check does not know.
fn table_of(conn: &Connection, table: &str) -> Source {
    let kind: Option<String> = conn
        .prepare_cached(
            "select type from sqlite_temp_schema where name = ?1 collate nocase \
             union all select type from sqlite_schema where name = ?1 collate nocase",
        )
        .and_then(|mut q| q.query_row([table], |r| r.get(0)))
        .ok();
    if !matches!(kind.as_deref(), Some("table" | "view")) {
        return Source::Unknown;
    }
    let Ok(mut q) = conn.prepare_cached("select name, pk, hidden from pragma_table_xinfo(?1)")
    else {
        return Source::Unknown;
    };
    let Ok(rows) = q.query_map([table], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    }) else {
        return Source::Unknown;
    };
    let mut columns = Vec::new();
    let mut key = Vec::new();
    for (name, pk, hidden) in rows.flatten() {
        if hidden == 1 {
            continue;
        }
        if pk > 0 {
            key.push((pk, name.clone()));
        }
        columns.push(name);
    }
    if columns.is_empty() {
        return Source::Unknown;
    }
    key.sort();
    Source::Table {
        columns,
        key: key.into_iter().map(|(_, n)| n).collect(),
    }
}
