//! Describing a statement without running it (the extended protocol's Parse/Describe):
//! its parameter types and its result columns.
//!
//! SQLite reports how many parameters a statement has and the declared types of plain
//! result columns. Parameter types come from what the client sent in Parse, else from
//! the statement's tree (`sql::types`: comparisons, assignments, INSERT targets, casts,
//! LIMIT) resolved against the tables' declared column types, else `text`. Result
//! columns are named and typed the same way, else `text`.

use super::exec::result_columns;
use super::stmt::Conn;
use super::types::{self, oid, PgType};
use crate::protocol::PgError;
use crate::sql::types::{self as sql_types, Typing};

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
    if super::objects::is_batch(sql) {
        return Ok(Description::new(given.to_vec(), Vec::new()));
    }
    // A MERGE: no result; its parameters typed from each of its statements in turn
    // (merge.rs), each as PostgreSQL text.
    if let Some(batch) = super::merge::parts(sql) {
        let mut params = given.to_vec();
        let count = super::modifying::parameter_count(sql).max(given.len());
        params.resize(count, 0);
        let schema = SchemaOf::new(conn, &[]);
        let sources =
            std::iter::once(batch.join_source).chain(batch.statements.iter().map(|p| p.source));
        for source in sources {
            if let Some(typing) = sql_types::analyze_text(source).as_deref() {
                infer_params(&schema, typing, &mut params);
            }
        }
        for p in params.iter_mut().filter(|p| **p == 0) {
            *p = oid::TEXT;
        }
        return Ok(Description::new(params, Vec::new()));
    }
    // A data-modifying WITH: the statement with stand-ins for the WITH's statements,
    // whose parameters count too.
    if let Some(batch) = super::modifying::parts(sql) {
        let mut given = given.to_vec();
        let count = super::modifying::parameter_count(sql).max(given.len());
        given.resize(count, 0);
        return describe(conn, batch.described, source, &given);
    }
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
    let typing = sql_types::analyze_text(source);
    if let Some(typing) = typing.as_ref().filter(|_| params.contains(&0)) {
        infer_params(&SchemaOf::new(conn, &[]), typing, &mut params);
    }
    for p in params.iter_mut().filter(|p| **p == 0) {
        *p = oid::TEXT;
    }
    let columns = result_columns(conn, &stmt, typing.as_deref(), &params)
        .into_iter()
        .map(|(name, t)| (name, t.unwrap_or(PgType::TEXT)))
        .collect();
    conn.recycle(stmt);
    Ok(Description::new(params, columns))
}

/// Parameter types from the statement's tree (`sql::types`) resolved against the schema.
fn infer_params(schema: &SchemaOf<'_>, typing: &Typing, params: &mut [u32]) {
    for (n, hint) in &typing.params {
        let Some(slot) = params.get_mut(n.wrapping_sub(1)) else {
            continue;
        };
        if *slot != 0 {
            continue;
        }
        if let Some(name) = sql_types::resolve(hint, schema) {
            *slot = match name.strip_suffix("[]") {
                Some(elem) => {
                    super::catalog::array_of(types::from_decltype(elem).oid).unwrap_or(oid::TEXT)
                }
                None => super::objects::declared_type(schema.conn.sqlite(), &name).oid,
            };
        }
    }
}

/// A table's (column, declared type) pairs.
type Columns = Vec<(String, String)>;

/// The schema as the statement typing reads it: tables' and catalog tables' declared
/// column types (each table read once per statement), and the parameters' types.
pub(super) struct SchemaOf<'a> {
    conn: &'a Conn,
    params: &'a [u32],
    tables: std::cell::RefCell<Vec<(String, Option<Columns>)>>,
}

impl<'a> SchemaOf<'a> {
    pub(super) fn new(conn: &'a Conn, params: &'a [u32]) -> Self {
        SchemaOf {
            conn,
            params,
            tables: Default::default(),
        }
    }
}

impl sql_types::Schema for SchemaOf<'_> {
    fn columns(&self, table: &str) -> Option<Vec<(String, String)>> {
        if let Some((_, cols)) = self.tables.borrow().iter().find(|(t, _)| t == table) {
            return cols.clone();
        }
        let cols = Some(table_columns(self.conn, table))
            .filter(|c| !c.is_empty())
            .or_else(|| super::catalog::columns(table))
            .or_else(|| super::objects::sequence_columns(self.conn.sqlite(), table))
            // A composite type's attributes: the rows of the record functions.
            .or_else(|| composite_columns(self.conn, table));
        self.tables
            .borrow_mut()
            .push((table.to_string(), cols.clone()));
        cols
    }
    fn param(&self, n: usize) -> Option<String> {
        let oid = *self.params.get(n.wrapping_sub(1))?;
        types::name_of(oid).map(String::from)
    }
    fn routine(&self, name: &str, nargs: usize) -> Option<String> {
        super::objects::function_type(self.conn.sqlite(), name, nargs, None)
    }
    fn routine_arg(&self, name: &str, nargs: usize, index: usize) -> Option<String> {
        super::objects::function_type(self.conn.sqlite(), name, nargs, Some(index))
    }
}

/// A composite type's attributes as columns: a domain's by its base type.
fn composite_columns(conn: &Conn, name: &str) -> Option<Columns> {
    let sqlite = conn.sqlite();
    let attributes = super::objects::composite_attributes(sqlite, name).ok()??;
    Some(
        attributes
            .into_iter()
            .map(|(n, ty)| match super::objects::domain(sqlite, &ty) {
                Ok(Some(d)) => (n, d.base),
                _ => (n, ty),
            })
            .collect(),
    )
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
