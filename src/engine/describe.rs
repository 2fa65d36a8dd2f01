//! Describing a statement without running it (the extended protocol's Parse/Describe):
//! its parameter types and its result columns.
//!
//! SQLite reports how many parameters a statement has and the declared types of plain
//! result columns. Parameter types come from what the client sent in Parse, else from
//! the statement's text (`sql::infer`) resolved against the tables' declared column
//! types, else `text`. Result expressions are typed by `sql::infer`, else `text`.

use super::exec::result_columns;
use super::stmt::Conn;
use super::types::{self, oid, PgType};
use crate::protocol::PgError;
use crate::sql::infer::{self, ParamHint};

/// What Describe reports for a statement.
#[derive(Debug, Clone)]
pub struct Description {
    /// One OID per parameter `$1..$n`.
    pub params: Vec<u32>,
    /// Result columns (empty: the statement returns no rows).
    pub columns: Vec<(String, PgType)>,
    /// The columns' types alone, as Execute needs them.
    pub types: std::sync::Arc<[PgType]>,
}

impl Description {
    pub fn new(params: Vec<u32>, columns: Vec<(String, PgType)>) -> Self {
        let types = columns.iter().map(|(_, t)| *t).collect();
        Description {
            params,
            columns,
            types,
        }
    }
}

/// Prepares `sql` (already rewritten for SQLite) and describes it. `source` is the text
/// as the client wrote it; `given` the parameter OIDs from Parse (0: unspecified).
pub fn describe(
    conn: &mut Conn,
    sql: &str,
    source: &str,
    given: &[u32],
) -> Result<Description, PgError> {
    let Some(stmt) = conn.prepare(sql)? else {
        return Ok(Description::new(given.to_vec(), Vec::new()));
    };
    let mut count = given.len();
    for slot in 1..=stmt.parameter_count() {
        match stmt.parameter_number(slot) {
            Ok(n) => count = count.max(n),
            Err(e) => {
                conn.recycle(stmt);
                return Err(e);
            }
        }
    }
    let mut params = vec![0u32; count];
    params[..given.len()].copy_from_slice(given);
    if params.contains(&0) {
        infer_params(conn, source, &mut params);
    }
    for p in params.iter_mut().filter(|p| **p == 0) {
        *p = oid::TEXT;
    }
    let columns = result_columns(conn, &stmt, source, &params)
        .into_iter()
        .map(|(name, t)| (name, t.unwrap_or(PgType::TEXT)))
        .collect();
    conn.recycle(stmt);
    Ok(Description::new(params, columns))
}

/// A table's name and its (column, declared type) pairs.
pub(super) type TableColumns = (String, Vec<(String, String)>);

fn infer_params(conn: &Conn, source: &str, params: &mut [u32]) {
    let hints = infer::param_hints(source);
    let mut tables: Option<Vec<TableColumns>> = None;
    for (n, hint) in hints {
        let Some(slot) = params.get_mut(n.wrapping_sub(1)) else {
            continue;
        };
        if *slot != 0 {
            continue;
        }
        let array = matches!(hint, ParamHint::ArrayOf(_));
        let decl = match hint {
            ParamHint::Type(t) => Some(t),
            ParamHint::Column(col) | ParamHint::ArrayOf(col) => {
                let tables = tables.get_or_insert_with(|| tables_in(conn, source));
                let col = col.rsplit('.').next().unwrap_or(&col).to_string();
                tables
                    .iter()
                    .flat_map(|(_, cols)| cols.iter())
                    .find(|(name, _)| name.eq_ignore_ascii_case(&col))
                    .map(|(_, decl)| {
                        if array {
                            format!("{decl}[]")
                        } else {
                            decl.clone()
                        }
                    })
            }
            ParamHint::Insert {
                table,
                columns,
                position,
            } => {
                let cols = table_columns(conn, &table);
                match columns {
                    Some(names) => names.get(position).and_then(|name| {
                        cols.iter()
                            .find(|(c, _)| c.eq_ignore_ascii_case(name))
                            .map(|(_, d)| d.clone())
                    }),
                    None => cols.get(position).map(|(_, d)| d.clone()),
                }
            }
        };
        if let Some(decl) = decl.filter(|d| !d.is_empty()) {
            *slot = match decl.strip_suffix("[]") {
                Some(elem) => {
                    super::catalog::array_of(types::from_decltype(elem).oid).unwrap_or(oid::TEXT)
                }
                None => types::from_decltype(&decl).oid,
            };
        }
    }
}

/// The tables (and views) whose names appear as words in the statement, with columns.
pub(super) fn tables_in(conn: &Conn, source: &str) -> Vec<TableColumns> {
    let words: Vec<String> = crate::sql::lexer::words(source)
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let Ok(mut q) = conn
        .sqlite()
        .prepare("select name from sqlite_schema where type in ('table', 'view')")
    else {
        return Vec::new();
    };
    let names: Vec<String> = q
        .query_map([], |r| r.get::<_, String>(0))
        .map(|rows| rows.filter_map(Result::ok).collect())
        .unwrap_or_default();
    let mut found: Vec<TableColumns> = names
        .into_iter()
        .filter(|n| words.contains(&n.to_ascii_lowercase()))
        .map(|n| {
            let cols = table_columns(conn, &n);
            (n, cols)
        })
        .collect();
    // Catalog tables: their column types are declared in catalog/tables.rs.
    for name in super::catalog::named_in(source) {
        if let Some(cols) = super::catalog::columns(name) {
            found.push((name.to_string(), cols));
        }
    }
    found
}

/// (name, declared type) of each column of `table`.
pub(super) fn table_columns(conn: &Conn, table: &str) -> Vec<(String, String)> {
    let Ok(mut q) = conn
        .sqlite()
        .prepare("select name, type from pragma_table_info(?1)")
    else {
        return Vec::new();
    };
    q.query_map([table], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })
    .map(|rows| rows.filter_map(Result::ok).collect())
    .unwrap_or_default()
}

impl super::Lease {
    /// Describes a statement on this connection, on a blocking thread.
    pub async fn describe(
        mut self,
        sql: std::sync::Arc<str>,
        source: std::sync::Arc<str>,
        given: Vec<u32>,
    ) -> Result<(super::Lease, Result<Description, PgError>), PgError> {
        let r = tokio::task::spawn_blocking(move || {
            let r = describe(self.conn_mut(), &sql, &source, &given);
            (self, r)
        })
        .await;
        super::joined(r, "describe")
    }
}
