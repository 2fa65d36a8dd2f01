//! Every table and view has a row type in PostgreSQL (`pg_type`, typtype `c`, named as
//! the relation) and an array type of it, named `_name` — or with more underscores
//! when that name is another type's: PostgreSQL moves an array type's name out of the
//! way when a relation takes it. Here the names follow from the relations in creation
//! order (sqlite_schema's rowid): each array type takes the shortest `_…name` that is
//! neither a type's name nor an earlier array type's, which is what that history
//! gives. OIDs: [`ROW_TYPE_OID`] and [`ROW_ARRAY_OID`] plus the relation's rowid.

use rusqlite::Connection;

use super::tables::{PG_TEMP, SCHEMA, USER_OBJECTS};

/// A relation's row type OID is this plus its sqlite_schema rowid.
pub const ROW_TYPE_OID: i64 = 1_100_000_000;
/// Its array type's OID is this plus the rowid.
pub const ROW_ARRAY_OID: i64 = 1_200_000_000;

/// The relations with row types, in creation order: rowid, name, array type's name.
pub fn all(conn: &Connection) -> rusqlite::Result<Vec<(i64, String, String)>> {
    let mut q = conn.prepare(&format!(
        "SELECT s.rowid, s.name FROM {SCHEMA} s \
         WHERE s.type IN ('table', 'view') AND {USER_OBJECTS} ORDER BY s.rowid"
    ))?;
    let relations: Vec<(i64, String)> = q
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out: Vec<(i64, String, String)> = Vec::with_capacity(relations.len());
    for (rowid, name) in &relations {
        let mut candidate = format!("_{name}");
        loop {
            let taken = relations.iter().any(|(_, n)| *n == candidate)
                || out.iter().any(|(_, _, a)| *a == candidate)
                || super::to_regtype(&format!("\"{candidate}\"")).is_some()
                || crate::engine::objects::enum_oid(conn, &candidate)?.is_some()
                || crate::engine::objects::composite_oid(conn, &candidate)?.is_some();
            if !taken {
                break;
            }
            candidate.insert(0, '_');
        }
        out.push((*rowid, name.clone(), candidate));
    }
    Ok(out)
}

/// The OID of the row type or array type named `name` (`t`, `_t`, `t[]`).
pub fn oid_of(conn: &Connection, name: &str) -> rusqlite::Result<Option<u32>> {
    let (base, array) = match name.strip_suffix("[]") {
        Some(b) => (b.trim_end(), true),
        None => (name, false),
    };
    let found = all(conn)?.into_iter().find_map(|(rowid, n, a)| {
        if n == base {
            Some(if array { ROW_ARRAY_OID } else { ROW_TYPE_OID } + rowid)
        } else if a == base && !array {
            Some(ROW_ARRAY_OID + rowid)
        } else {
            None
        }
    });
    Ok(found.and_then(|o| u32::try_from(o).ok()))
}

/// The name format_type gives row type or array type `oid` (`t`, `t[]`).
pub fn name_of(conn: &Connection, oid: i64) -> rusqlite::Result<Option<String>> {
    let (rowid, array) = if oid > ROW_ARRAY_OID {
        (oid - ROW_ARRAY_OID, true)
    } else if oid > ROW_TYPE_OID {
        (oid - ROW_TYPE_OID, false)
    } else {
        return Ok(None);
    };
    if rowid >= ROW_ARRAY_OID - ROW_TYPE_OID {
        return Ok(None);
    }
    Ok(all(conn)?
        .into_iter()
        .find(|(r, ..)| *r == rowid)
        .map(|(_, n, _)| if array { format!("{n}[]") } else { n }))
}

/// pg_type's rows for the row types and their arrays (`pg_row_array_names()`: the
/// array types' names by rowid, computed once per scan as an uncorrelated subquery).
pub fn type_rows(public: i64) -> String {
    let first = super::FIRST_USER_OID;
    let nsp = format!("CASE s.db WHEN 'temp' THEN {PG_TEMP} ELSE {public} END");
    format!(
        "SELECT {ROW_TYPE_OID} + s.rowid, s.name, {nsp}, 10, -1, 0, 'c', 'C', 0, 1, ',', \
         {first} + s.rowid, NULL, 0, {ROW_ARRAY_OID} + s.rowid, 'record_in', 'record_out', \
         'record_recv', 'record_send', '-', '-', '-', 'd', 'x', 0, 0, -1, 0, 0, NULL, NULL, NULL \
         FROM {SCHEMA} s WHERE s.type IN ('table', 'view') AND {USER_OBJECTS} \
         UNION ALL \
         SELECT {ROW_ARRAY_OID} + s.rowid, \
         json_extract((SELECT pg_row_array_names()), '$.\"' || s.rowid || '\"'), {nsp}, 10, \
         -1, 0, \
         'b', 'A', 0, 1, ',', 0, 'array_subscript_handler', {ROW_TYPE_OID} + s.rowid, 0, \
         'array_in', 'array_out', 'array_recv', 'array_send', '-', '-', 'array_typanalyze', \
         'd', 'x', 0, 0, -1, 0, 0, NULL, NULL, NULL \
         FROM {SCHEMA} s WHERE s.type IN ('table', 'view') AND {USER_OBJECTS}"
    )
}

pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function("pg_row_array_names", 0, FunctionFlags::SQLITE_UTF8, |ctx| {
        // SAFETY: the connection running this catalog scan, one nested read.
        let conn = unsafe { ctx.get_connection()? };
        let mut out = String::from("{");
        for (i, (rowid, _, array)) in all(&conn)?.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&format!("\"{rowid}\":"));
            crate::engine::array::push_json_string(&mut out, array);
        }
        out.push('}');
        Ok(out)
    })
}
