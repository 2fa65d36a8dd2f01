//! The `pg_catalog` tables clients query (type lookups, `has_table`, driver metadata),
//! as eponymous virtual tables: `pg_type`, `pg_class`, ... exist on a connection once
//! registered, without a row in the user's file.
//!
//! Each table's rows come from a SELECT over SQLite's own schema (`sqlite_schema`,
//! `pragma_table_info`) or over the built-in type list (`types.rs`), run when the table is
//! scanned (the catalog is small). Its columns are declared with PostgreSQL types, so
//! SQLite itself reports them as declared types through joins, subqueries and CTEs, and
//! Describe gets `oid`, `name`, `bool` right. A connection registers the tables (and the
//! functions catalog queries call) the first time a statement fails with a missing relation
//! `pg_...` or `no such function` (`stmt.rs`), so connections that never look at the
//! catalog pay nothing. Object OIDs are `16384 + rowid` of the
//! object's `sqlite_schema` row, stable until the schema is rebuilt (VACUUM).
//!
//! `types.rs` holds the built-in type list, `tables.rs` each table's columns and rows;
//! this file registers them and scans them.

mod constraints;
pub(crate) mod defaults;
mod indexdef;
mod information_schema;
pub(crate) mod row_types;
mod tables;
mod triggers;
pub(crate) mod types;

use std::borrow::Cow;
use std::ffi::{c_int, CString};

use rusqlite::types::Value;
use rusqlite::vtab::{Context, Filters, IndexInfo, Module, VTab, VTabConnection, VTabCursor};
use rusqlite::{ffi, Connection};

use super::functions::SharedSession;
pub use tables::{table_oid, DATABASE_OWNER, FIRST_USER_OID, PG_TEMP, PG_TEMP_NAME, SCHEMA};
use tables::{Table, TABLES};
pub use types::{array_of, element_of, format_type, to_regtype};

/// The (column, PostgreSQL type) pairs of catalog table `name`, for typing results.
pub fn columns(name: &str) -> Option<Vec<(String, String)>> {
    let table = TABLES.iter().find(|t| t.name.eq_ignore_ascii_case(name))?;
    Some(
        table
            .columns
            .split(',')
            .filter_map(|c| {
                let (n, t) = c.trim().split_once(' ')?;
                Some((n.to_string(), t.trim().to_string()))
            })
            .collect(),
    )
}

/// Registers every catalog table on `conn`, with the functions catalog queries use.
pub fn register(conn: &Connection, session: SharedSession) -> rusqlite::Result<()> {
    super::functions::register_catalog(conn, session)?;
    constraints::register(conn)?;
    indexdef::register(conn)?;
    row_types::register(conn)?;
    // A constant promoted to 'static, as rusqlite's own modules do.
    const MODULE: Module<CatalogTable> = Module::eponymous_only_module();
    for table in TABLES {
        conn.create_module(table.name, &MODULE, Some(table))?;
    }
    Ok(())
}

#[repr(C)]
struct CatalogTable {
    base: ffi::sqlite3_vtab,
    /// The connection the table lives on, where its rows are selected.
    db: *mut ffi::sqlite3,
    table: &'static Table,
}

// SAFETY: the layout starts with sqlite3_vtab (repr(C)), as SQLite requires.
unsafe impl<'vtab> VTab<'vtab> for CatalogTable {
    type Aux = &'static Table;
    type Cursor = CatalogCursor;

    fn connect(
        db: &mut VTabConnection,
        aux: Option<&Self::Aux>,
        _module: &[u8],
        _database: &[u8],
        _table: &[u8],
        _args: &[&[u8]],
    ) -> rusqlite::Result<(Cow<'static, std::ffi::CStr>, Self)> {
        let table = *aux.ok_or_else(|| rusqlite::Error::ModuleError("no table".into()))?;
        // `tableoid`, the system column pg_dump reads of every catalog row: the
        // table's own OID, hidden from `*` as a system column is.
        let schema = CString::new(format!(
            "CREATE TABLE x({}, tableoid oid HIDDEN)",
            table.columns
        ))
        .map_err(|e| rusqlite::Error::ModuleError(e.to_string()))?;
        // SAFETY: the handle outlives the virtual table, which SQLite drops first.
        let db = unsafe { db.handle() };
        Ok((
            Cow::Owned(schema),
            CatalogTable {
                base: ffi::sqlite3_vtab::default(),
                db,
                table,
            },
        ))
    }

    fn best_index(&self, info: &mut IndexInfo) -> rusqlite::Result<bool> {
        // Always a full scan; SQLite applies the WHERE clause to the rows.
        info.set_estimated_cost(1000.0);
        Ok(true)
    }

    fn open(&'vtab mut self) -> rusqlite::Result<CatalogCursor> {
        Ok(CatalogCursor {
            base: ffi::sqlite3_vtab_cursor::default(),
            db: self.db,
            table: self.table,
            rows: Vec::new(),
            loaded: false,
            at: 0,
        })
    }
}

#[repr(C)]
struct CatalogCursor {
    base: ffi::sqlite3_vtab_cursor,
    db: *mut ffi::sqlite3,
    table: &'static Table,
    rows: Vec<Vec<Value>>,
    /// The rows were selected: a scan again within the statement (the inner side of a
    /// join, once per outer row) reads them again instead of selecting them again. A
    /// cursor lives for one run of one statement, in which the schema cannot change.
    loaded: bool,
    at: usize,
}

// SAFETY: the layout starts with sqlite3_vtab_cursor (repr(C)), as SQLite requires.
unsafe impl VTabCursor for CatalogCursor {
    fn filter(&mut self, _: c_int, _: Option<&str>, _: &Filters<'_>) -> rusqlite::Result<()> {
        self.at = 0;
        if self.loaded {
            return Ok(());
        }
        // SAFETY: a non-owning handle to the connection running this scan, used on this
        // thread for one nested read while SQLite waits for the rows.
        let conn = unsafe { Connection::from_handle(self.db)? };
        // Litewire's reserved tables (sequences, comments) exist once used.
        let rows = crate::engine::objects::stand_ins(&conn, self.table.rows())?;
        let mut stmt = conn.prepare(&rows)?;
        let n = stmt.column_count();
        self.rows = stmt
            .query_map([], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect())?
            .collect::<rusqlite::Result<_>>()?;
        self.loaded = true;
        Ok(())
    }

    fn next(&mut self) -> rusqlite::Result<()> {
        self.at += 1;
        Ok(())
    }

    fn eof(&self) -> bool {
        self.at >= self.rows.len()
    }

    fn column(&self, ctx: &mut Context, i: c_int) -> rusqlite::Result<()> {
        if i as usize == self.table.columns.split(',').count() {
            return ctx.set_result(tables::table_oid(self.table.name).unwrap_or(0));
        }
        let v = self.rows.get(self.at).and_then(|r| r.get(i as usize));
        if let Some(Value::Text(t)) = v {
            if let Some(e) = indexdef::refusal(t) {
                return Err(crate::engine::error::raise(e));
            }
        }
        ctx.set_result(v.unwrap_or(&Value::Null))
    }

    fn rowid(&self) -> rusqlite::Result<i64> {
        Ok(self.at as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table runs on SQLite with as many values as declared columns, and the
    /// schema-backed ones list a user table.
    #[test]
    fn every_table_runs_on_sqlite() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        super::super::functions::register(&conn, "db", Default::default()).unwrap();
        register(&conn, Default::default()).unwrap();
        conn.execute_batch(
            "create table users (id integer primary key, name varchar(20) not null default 'x');
             create index users_name on users(name);
             create table posts (id int primary key, author int references users);",
        )
        .unwrap();
        for t in TABLES {
            let sql = format!("select * from {}", t.name);
            let mut stmt = conn
                .prepare(&sql)
                .unwrap_or_else(|e| panic!("{}: {e}", t.name));
            let visible = t
                .columns
                .split(',')
                .filter(|c| !c.contains("HIDDEN"))
                .count();
            assert_eq!(stmt.column_count(), visible, "{}", t.name);
            let rows = stmt.query_map([], |_| Ok(())).unwrap().count();
            // Sequences, enums, comments and SQL functions (engine/objects): none in this
            // file.
            let objects = [
                // Views' rules: no view in this file.
                "pg_rewrite",
                "pg_sequence",
                "pg_sequences",
                "information_schema_sequences",
                "pg_views",
                "pg_depend",
                "pg_enum",
                // The session's, handed over with a statement that names the table.
                "pg_prepared_statements",
                "pg_settings",
                // The data folder's database files: an in-memory connection has none.
                "pg_database",
            ];
            let expect_rows = t.body.is_some() && !objects.contains(&t.name);
            assert_eq!(rows > 0, expect_rows, "{}", t.name);
        }
        let q = "select c.relname, c.relkind, a.attname, format_type(a.atttypid, a.atttypmod), \
             a.attnotnull from pg_class c join pg_attribute a on a.attrelid = c.oid \
             where c.relname = 'users' order by a.attnum";
        let got: Vec<(String, String, String, String, bool)> = conn
            .prepare(q)
            .unwrap()
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "users".into(),
                    "r".into(),
                    "id".into(),
                    "integer".into(),
                    true
                ),
                (
                    "users".into(),
                    "r".into(),
                    "name".into(),
                    "character varying(20)".into(),
                    true
                ),
            ]
        );
    }
}
