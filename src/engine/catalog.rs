//! The `pg_catalog` tables clients query (type lookups, `has_table`, driver metadata),
//! as eponymous virtual tables: `pg_type`, `pg_class`, ... exist on a connection once
//! registered, without a row in the user's file.
//!
//! Each table's rows come from a SELECT over SQLite's own schema (`sqlite_schema`,
//! `pragma_table_info`) or over the built-in type list below, run when the table is
//! scanned (the catalog is small). Its columns are declared with PostgreSQL types, so
//! SQLite itself reports them as declared types through joins, subqueries and CTEs, and
//! Describe gets `oid`, `name`, `bool` right. A connection registers the tables (and the
//! functions catalog queries call) the first time a statement fails with `no such table:
//! pg_...` or `no such function` (`stmt.rs`), so connections that never look at the
//! catalog pay nothing. Object OIDs are `16384 + rowid` of the
//! object's `sqlite_schema` row, stable until the schema is rebuilt (VACUUM).

use std::borrow::Cow;
use std::ffi::{c_int, CString};

use rusqlite::types::Value;
use rusqlite::vtab::{Context, Filters, IndexInfo, Module, VTab, VTabConnection, VTabCursor};
use rusqlite::{ffi, Connection};

use super::functions::SharedSession;
use crate::sql::lexer;

/// OID of the first user object, as in PostgreSQL.
pub const FIRST_USER_OID: i64 = 16384;
/// `pg_namespace` OIDs.
const PG_CATALOG: i64 = 11;
const PUBLIC: i64 = 2200;

/// A built-in type: (oid, typname, typlen, typcategory, typelem, typarray, SQL name).
type BuiltIn = (u32, &'static str, i16, char, u32, u32, &'static str);

/// The types litewire sends, plus the catalog types clients ask about by name.
/// Array types follow, generated from `typarray`.
const TYPES: &[BuiltIn] = &[
    (16, "bool", 1, 'B', 0, 1000, "boolean"),
    (17, "bytea", -1, 'U', 0, 1001, "bytea"),
    (18, "char", 1, 'Z', 0, 1002, "\"char\""),
    (19, "name", 64, 'S', 18, 1003, "name"),
    (20, "int8", 8, 'N', 0, 1016, "bigint"),
    (21, "int2", 2, 'N', 0, 1005, "smallint"),
    (22, "int2vector", -1, 'A', 21, 1006, "int2vector"),
    (23, "int4", 4, 'N', 0, 1007, "integer"),
    (24, "regproc", 4, 'N', 0, 1008, "regproc"),
    (25, "text", -1, 'S', 0, 1009, "text"),
    (26, "oid", 4, 'N', 0, 1028, "oid"),
    (30, "oidvector", -1, 'A', 26, 1013, "oidvector"),
    (114, "json", -1, 'U', 0, 199, "json"),
    (700, "float4", 4, 'N', 0, 1021, "real"),
    (701, "float8", 8, 'N', 0, 1022, "double precision"),
    (705, "unknown", -2, 'X', 0, 0, "unknown"),
    (1042, "bpchar", -1, 'S', 0, 1014, "character"),
    (1043, "varchar", -1, 'S', 0, 1015, "character varying"),
    (1082, "date", 4, 'D', 0, 1182, "date"),
    (1083, "time", 8, 'D', 0, 1183, "time without time zone"),
    (
        1114,
        "timestamp",
        8,
        'D',
        0,
        1115,
        "timestamp without time zone",
    ),
    (
        1184,
        "timestamptz",
        8,
        'D',
        0,
        1185,
        "timestamp with time zone",
    ),
    (1186, "interval", 16, 'T', 0, 1187, "interval"),
    (1700, "numeric", -1, 'N', 0, 1231, "numeric"),
    (2205, "regclass", 4, 'N', 0, 2210, "regclass"),
    (2206, "regtype", 4, 'N', 0, 2211, "regtype"),
    (2950, "uuid", 16, 'U', 0, 2951, "uuid"),
    (3802, "jsonb", -1, 'U', 0, 3807, "jsonb"),
];

/// The built-in type with this OID (arrays included, as `_name`).
fn type_by_oid(oid: u32) -> Option<(String, String)> {
    TYPES.iter().find_map(|t| {
        if t.0 == oid {
            Some((t.1.to_string(), t.6.to_string()))
        } else if t.5 == oid {
            Some((format!("_{}", t.1), format!("{}[]", t.6)))
        } else {
            None
        }
    })
}

/// The element type of built-in array type `oid`.
pub fn element_of(oid: u32) -> Option<u32> {
    TYPES.iter().find(|t| t.5 == oid && oid != 0).map(|t| t.0)
}

/// The array type of built-in type `oid`.
pub fn array_of(oid: u32) -> Option<u32> {
    TYPES.iter().find(|t| t.0 == oid && t.5 != 0).map(|t| t.5)
}

/// `format_type(oid, typmod)` / `oid::regtype::text`: the SQL name of a type.
pub fn format_type(oid: u32, typmod: i32) -> Option<String> {
    let (_, sql) = type_by_oid(oid)?;
    Some(match (oid, typmod) {
        (1042 | 1043, m) if m >= 4 => format!("{}({})", sql, m - 4),
        (1700, m) if m >= 4 => format!("numeric({},{})", (m - 4) >> 16, (m - 4) & 0xffff),
        _ => sql,
    })
}

/// `to_regtype(name)`: the OID of a type named by its catalog or SQL name, or None.
pub fn to_regtype(name: &str) -> Option<u32> {
    let name = name.trim().trim_start_matches("pg_catalog.");
    let lower = name.trim_matches('"').to_ascii_lowercase();
    let (base, array) = match lower.strip_suffix("[]") {
        Some(b) => (b.trim(), true),
        None => (lower.as_str(), false),
    };
    let base = base.split('(').next().unwrap_or(base).trim();
    let found = TYPES
        .iter()
        .find(|t| t.1 == base || t.6 == base)
        .or_else(|| {
            let alias = match base {
                "int" => "int4",
                "boolean" => "bool",
                "float" => "float8",
                "character varying" => "varchar",
                "timestamp" => "timestamp",
                _ => return None,
            };
            TYPES.iter().find(|t| t.1 == alias)
        });
    match found {
        Some(t) if array => Some(t.5),
        Some(t) => Some(t.0),
        // `_int4`: an array type by its catalog name.
        None => TYPES
            .iter()
            .find(|t| base.strip_prefix('_') == Some(t.1))
            .map(|t| t.5),
    }
}

/// PostgreSQL's OIDs of the catalog tables themselves (`'pg_class'::regclass`).
pub fn table_oid(name: &str) -> Option<i64> {
    let name = name.strip_prefix("pg_catalog.").unwrap_or(name);
    Some(match name {
        "pg_type" => 1247,
        "pg_attribute" => 1249,
        "pg_proc" => 1255,
        "pg_class" => 1259,
        "pg_database" => 1262,
        "pg_am" => 2601,
        "pg_attrdef" => 2604,
        "pg_constraint" => 2606,
        "pg_description" => 2609,
        "pg_index" => 2610,
        "pg_inherits" => 2611,
        "pg_namespace" => 2615,
        "pg_extension" => 3079,
        "pg_collation" => 3456,
        "pg_enum" => 3501,
        "pg_range" => 3541,
        _ => return None,
    })
}

/// One emulated catalog table: its name, its columns as `name type` pairs, and the
/// SELECT producing its rows.
struct Table {
    name: &'static str,
    columns: &'static str,
    /// None: the table exists with its columns but has no rows.
    body: Option<fn() -> String>,
}

impl Table {
    fn rows(&self) -> String {
        match self.body {
            Some(body) => body(),
            None => {
                let n = self.columns.split(',').count();
                format!("SELECT {} LIMIT 0", vec!["NULL"; n].join(", "))
            }
        }
    }
}

/// OIDs of constraints: this plus their index's OID (primary keys, UNIQUE), or plus
/// [`FOREIGN_KEY_OID`] + 100 × the table's rowid + the key's id (foreign keys; unique
/// while rowids stay below 2.9 million).
const CONSTRAINT_OID: i64 = 2_000_000_000;
const FOREIGN_KEY_OID: i64 = 2_000_000_000;
/// OID of the index PostgreSQL would have for a rowid primary key (SQLite has none):
/// this plus the table's rowid.
const ROWID_KEY_OID: i64 = 1_000_000_000;

/// Every index as PostgreSQL would show it: SQLite's indexes (automatic ones named as
/// PostgreSQL names them: `t_pkey`, `t_a_key`) and, for a rowid primary key, the index
/// PostgreSQL would have. Columns: oid, name, tbl, tbl_oid, is_unique, origin
/// (`pk`, `u` or `c`), natts, keys (attnums, space-separated), cols (names).
fn indexes() -> String {
    format!(
        "ix(oid, name, tbl, tbl_oid, is_unique, origin, natts, keys, cols) AS (\
    SELECT {FIRST_USER_OID} + x.rowid, \
    CASE il.origin WHEN 'pk' THEN s.name || '_pkey' \
    WHEN 'u' THEN s.name || '_' || (SELECT group_concat(ii.name, '_' ORDER BY ii.seqno) \
    FROM pragma_index_info(il.name) ii) || '_key' ELSE il.name END, \
    s.name, {FIRST_USER_OID} + s.rowid, il.\"unique\", il.origin, \
    (SELECT count(*) FROM pragma_index_info(il.name)), \
    (SELECT group_concat(max(ii.cid + 1, 0), ' ' ORDER BY ii.seqno) FROM pragma_index_info(il.name) ii), \
    (SELECT group_concat(coalesce(ii.name, 'expression'), ', ' ORDER BY ii.seqno) \
    FROM pragma_index_info(il.name) ii) \
    FROM sqlite_schema s, pragma_index_list(s.name) il, sqlite_schema x \
    WHERE s.type = 'table' AND {USER_OBJECTS} AND x.name = il.name \
    UNION ALL \
    SELECT {ROWID_KEY_OID} + s.rowid, s.name || '_pkey', s.name, {FIRST_USER_OID} + s.rowid, 1, 'pk', 1, \
    (SELECT group_concat(p.cid + 1, ' ') FROM pragma_table_info(s.name) p WHERE p.pk > 0), \
    (SELECT group_concat(p.name, ', ') FROM pragma_table_info(s.name) p WHERE p.pk > 0) \
    FROM sqlite_schema s \
    WHERE s.type = 'table' AND {USER_OBJECTS} \
    AND EXISTS (SELECT 1 FROM pragma_table_info(s.name) p WHERE p.pk > 0) \
    AND NOT EXISTS (SELECT 1 FROM pragma_index_list(s.name) il WHERE il.origin = 'pk'))"
    )
}

/// pg_constraint's action letter for a `pragma_foreign_key_list` action.
fn action_code(column: &str) -> String {
    format!(
        "CASE {column} WHEN 'CASCADE' THEN 'c' WHEN 'RESTRICT' THEN 'r' \
         WHEN 'SET NULL' THEN 'n' WHEN 'SET DEFAULT' THEN 'd' ELSE 'a' END"
    )
}

/// Rows of `sqlite_schema` that are user objects (SQLite's own `sqlite_*` excluded).
const USER_OBJECTS: &str = "s.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";

const TABLES: &[Table] = &[
    Table {
        name: "pg_type",
        columns: "oid oid, typname name, typnamespace oid, typowner oid, typlen int2, \
                  typbyval bool, typtype char, typcategory char, typispreferred bool, \
                  typisdefined bool, typdelim char, typrelid oid, typsubscript text, \
                  typelem oid, typarray oid, typinput text, typoutput text, \
                  typreceive text, typsend text, typmodin text, typmodout text, \
                  typanalyze text, typalign char, typstorage char, typnotnull bool, \
                  typbasetype oid, typtypmod int4, typndims int4, typcollation oid, \
                  typdefaultbin text, typdefault text, typacl text",
        body: Some(pg_type_rows),
    },
    Table {
        name: "pg_namespace",
        columns: "oid oid, nspname name, nspowner oid, nspacl text",
        body: Some(|| {
            format!(
                "VALUES ({PG_CATALOG}, 'pg_catalog', 10, NULL), ({PUBLIC}, 'public', 10, NULL), \
                 (13000, 'information_schema', 10, NULL)"
            )
        }),
    },
    Table {
        name: "pg_class",
        columns: "oid oid, relname name, relnamespace oid, reltype oid, reloftype oid, \
                  relowner oid, relam oid, relfilenode oid, reltablespace oid, relpages int4, \
                  reltuples float4, relallvisible int4, reltoastrelid oid, relhasindex bool, \
                  relisshared bool, relpersistence char, relkind char, relnatts int2, \
                  relchecks int2, relhasrules bool, relhastriggers bool, relhassubclass bool, \
                  relrowsecurity bool, relforcerowsecurity bool, relispopulated bool, \
                  relreplident char, relispartition bool, relrewrite oid, relfrozenxid int4, \
                  relminmxid int4, relacl text, reloptions text, relpartbound text",
        body: Some(|| {
            format!(
                "WITH {ix} \
                 SELECT {FIRST_USER_OID} + s.rowid, s.name, {PUBLIC}, 0, 0, 10, \
                 CASE s.type WHEN 'table' THEN 2 ELSE 0 END, 0, 0, 0, -1, 0, 0, \
                 EXISTS (SELECT 1 FROM ix WHERE ix.tbl = s.name), 0, 'p', \
                 CASE s.type WHEN 'table' THEN 'r' ELSE 'v' END, \
                 (SELECT count(*) FROM pragma_table_info(s.name)), 0, 0, \
                 EXISTS (SELECT 1 FROM sqlite_schema g WHERE g.type = 'trigger' AND g.tbl_name = s.name) \
                 OR EXISTS (SELECT 1 FROM pragma_foreign_key_list(s.name)) \
                 OR EXISTS (SELECT 1 FROM sqlite_schema r, pragma_foreign_key_list(r.name) f \
                 WHERE r.type = 'table' AND f.\"table\" = s.name), \
                 0, 0, 0, 1, 'd', 0, 0, 0, 0, NULL, NULL, NULL \
                 FROM sqlite_schema s WHERE s.type IN ('table', 'view') AND {USER_OBJECTS} \
                 UNION ALL \
                 SELECT ix.oid, ix.name, {PUBLIC}, 0, 0, 10, 403, 0, 0, 0, -1, 0, 0, 0, 0, 'p', \
                 'i', ix.natts, 0, 0, 0, 0, 0, 0, 1, 'n', 0, 0, 0, 0, NULL, NULL, NULL FROM ix",
                ix = indexes()
            )
        }),
    },
    Table {
        name: "pg_attribute",
        columns: "attrelid oid, attname name, atttypid oid, attstattarget int4, attlen int2, \
                  attnum int2, attndims int4, attcacheoff int4, atttypmod int4, attbyval bool, \
                  attalign char, attstorage char, attcompression char, attnotnull bool, \
                  atthasdef bool, atthasmissing bool, attidentity char, attgenerated char, \
                  attisdropped bool, attislocal bool, attinhcount int4, attcollation oid, \
                  attacl text, attoptions text, attfdwoptions text, attmissingval text",
        body: Some(|| {
            format!(
                "SELECT {FIRST_USER_OID} + s.rowid, p.name, pg_decltype(p.type, 'oid'), -1, \
                 pg_decltype(p.type, 'len'), p.cid + 1, 0, -1, pg_decltype(p.type, 'typmod'), \
                 0, 'i', 'p', '', p.\"notnull\" OR p.pk > 0, p.dflt_value IS NOT NULL, 0, '', '', \
                 0, 1, 0, 0, NULL, NULL, NULL, NULL \
                 FROM sqlite_schema s, pragma_table_info(s.name) p \
                 WHERE s.type IN ('table', 'view') AND {USER_OBJECTS}"
            )
        }),
    },
    Table {
        name: "information_schema_tables",
        columns: "table_catalog name, table_schema name, table_name name, table_type varchar, \
                  self_referencing_column_name name, reference_generation varchar, \
                  user_defined_type_catalog name, user_defined_type_schema name, \
                  user_defined_type_name name, is_insertable_into varchar, is_typed varchar, \
                  commit_action varchar",
        body: Some(|| {
            format!(
                "SELECT current_database(), 'public', s.name, \
                 CASE s.type WHEN 'view' THEN 'VIEW' ELSE 'BASE TABLE' END, NULL, NULL, NULL, \
                 NULL, NULL, CASE s.type WHEN 'view' THEN 'NO' ELSE 'YES' END, 'NO', NULL \
                 FROM sqlite_schema s WHERE s.type IN ('table', 'view') AND {USER_OBJECTS}"
            )
        }),
    },
    Table {
        name: "information_schema_columns",
        columns: "table_catalog name, table_schema name, table_name name, column_name name, \
                  ordinal_position int4, column_default varchar, is_nullable varchar, \
                  data_type varchar, character_maximum_length int4, \
                  character_octet_length int4, numeric_precision int4, \
                  numeric_precision_radix int4, numeric_scale int4, datetime_precision int4, \
                  udt_catalog name, udt_schema name, udt_name name, is_identity varchar, \
                  is_generated varchar, is_updatable varchar",
        body: Some(|| {
            // c.toid, c.typmod: the declared type, as pg_attribute reports it.
            format!(
                "SELECT current_database(), 'public', c.tname, c.cname, c.cid + 1, c.dflt, \
                 CASE WHEN c.required THEN 'NO' ELSE 'YES' END, format_type(c.toid, -1), \
                 CASE WHEN c.toid IN (1042, 1043) AND c.typmod >= 4 THEN c.typmod - 4 END, \
                 CASE WHEN c.toid IN (1042, 1043) AND c.typmod >= 4 THEN 4 * (c.typmod - 4) END, \
                 CASE c.toid WHEN 21 THEN 16 WHEN 23 THEN 32 WHEN 20 THEN 64 WHEN 700 THEN 24 \
                 WHEN 701 THEN 53 WHEN 1700 THEN CASE WHEN c.typmod >= 4 \
                 THEN (c.typmod - 4) >> 16 END END, \
                 CASE WHEN c.toid IN (21, 23, 20, 1700) THEN 10 \
                 WHEN c.toid IN (700, 701) THEN 2 END, \
                 CASE WHEN c.toid IN (21, 23, 20) THEN 0 WHEN c.toid = 1700 AND c.typmod >= 4 \
                 THEN (c.typmod - 4) & 65535 END, \
                 CASE c.toid WHEN 1082 THEN 0 WHEN 1083 THEN 6 WHEN 1114 THEN 6 \
                 WHEN 1184 THEN 6 END, \
                 current_database(), 'pg_catalog', \
                 (SELECT typname FROM pg_type WHERE oid = c.toid), 'NO', 'NEVER', \
                 CASE c.ttype WHEN 'view' THEN 'NO' ELSE 'YES' END \
                 FROM (SELECT s.name AS tname, s.type AS ttype, p.name AS cname, p.cid AS cid, \
                 p.dflt_value AS dflt, p.\"notnull\" OR p.pk > 0 AS required, \
                 pg_decltype(p.type, 'oid') AS toid, pg_decltype(p.type, 'typmod') AS typmod \
                 FROM sqlite_schema s, pragma_table_info(s.name) p \
                 WHERE s.type IN ('table', 'view') AND {USER_OBJECTS}) c"
            )
        }),
    },
    Table {
        name: "information_schema_schemata",
        columns: "catalog_name name, schema_name name, schema_owner name, \
                  default_character_set_catalog name, default_character_set_schema name, \
                  default_character_set_name name, sql_path varchar",
        body: Some(|| {
            "SELECT current_database(), column1, current_user(), NULL, NULL, NULL, NULL \
             FROM (VALUES ('pg_catalog'), ('public'), ('information_schema'))"
                .into()
        }),
    },
    Table {
        name: "pg_attrdef",
        columns: "oid oid, adrelid oid, adnum int2, adbin text",
        body: Some(|| {
            format!(
                "SELECT 0, {FIRST_USER_OID} + s.rowid, p.cid + 1, p.dflt_value \
                 FROM sqlite_schema s, pragma_table_info(s.name) p \
                 WHERE s.type = 'table' AND {USER_OBJECTS} AND p.dflt_value IS NOT NULL"
            )
        }),
    },
    Table {
        name: "pg_am",
        columns: "oid oid, amname name, amhandler text, amtype char",
        body: Some(|| {
            "VALUES (2, 'heap', 'heap_tableam_handler', 't'), (403, 'btree', 'bthandler', 'i')"
                .into()
        }),
    },
    Table {
        name: "pg_database",
        columns: "oid oid, datname name, datdba oid, encoding int4, datlocprovider char, \
                  datistemplate bool, datallowconn bool, datconnlimit int4, datfrozenxid int4, \
                  datminmxid int4, dattablespace oid, datcollate text, datctype text, \
                  daticulocale text, datcollversion text, datacl text",
        body: Some(|| {
            "SELECT 16384, current_database(), 10, 6, 'c', 0, 1, -1, 0, 0, 1663, 'C', 'C', \
             NULL, NULL, NULL"
                .into()
        }),
    },
    Table {
        name: "pg_roles",
        columns: "oid oid, rolname name, rolsuper bool, rolinherit bool, rolcreaterole bool, \
                  rolcreatedb bool, rolcanlogin bool, rolreplication bool, rolconnlimit int4, \
                  rolpassword text, rolvaliduntil timestamptz, rolbypassrls bool, \
                  rolconfig text",
        body: Some(|| {
            "SELECT 10, current_user(), 0, 1, 0, 0, 1, 0, -1, '********', NULL, 0, NULL".into()
        }),
    },
    Table {
        name: "pg_user",
        columns: "usename name, usesysid oid, usecreatedb bool, usesuper bool, \
                  userepl bool, usebypassrls bool, passwd text, valuntil timestamptz, \
                  useconfig text",
        body: Some(|| "SELECT current_user(), 10, 0, 0, 0, 0, '********', NULL, NULL".into()),
    },
    Table {
        name: "pg_collation",
        columns: "oid oid, collname name, collnamespace oid, collowner oid, \
                  collprovider char, collisdeterministic bool, collencoding int4, \
                  collcollate text, collctype text",
        body: Some(|| format!("VALUES (100, 'default', {PG_CATALOG}, 10, 'd', 1, -1, NULL, NULL)")),
    },
    Table {
        name: "pg_description",
        columns: "objoid oid, classoid oid, objsubid int4, description text",
        body: None,
    },
    Table {
        name: "pg_index",
        columns: "indexrelid oid, indrelid oid, indnatts int2, indnkeyatts int2, \
                  indisunique bool, indnullsnotdistinct bool, indisprimary bool, \
                  indisexclusion bool, indimmediate bool, indisclustered bool, indisvalid bool, \
                  indcheckxmin bool, indisready bool, indislive bool, indisreplident bool, \
                  indkey text, indcollation text, indclass text, indoption text, \
                  indexprs text, indpred text, indexdef text HIDDEN",
        body: Some(|| {
            format!(
                "WITH {} SELECT ix.oid, ix.tbl_oid, ix.natts, ix.natts, ix.is_unique, 0, \
                 ix.origin = 'pk', 0, 1, 0, 1, 0, 1, 1, 0, ix.keys, NULL, NULL, NULL, NULL, \
                 NULL, 'CREATE ' || CASE WHEN ix.is_unique THEN 'UNIQUE ' ELSE '' END || \
                 'INDEX ' || ix.name || ' ON public.' || ix.tbl || ' USING btree (' || \
                 ix.cols || ')' FROM ix",
                indexes()
            )
        }),
    },
    Table {
        name: "pg_constraint",
        columns: "oid oid, conname name, connamespace oid, contype char, condeferrable bool, \
                  condeferred bool, convalidated bool, conrelid oid, contypid oid, \
                  conindid oid, conparentid oid, confrelid oid, confupdtype char, \
                  confdeltype char, confmatchtype char, conislocal bool, coninhcount int4, \
                  connoinherit bool, conkey text, confkey text, conpfeqop text, \
                  conppeqop text, conffeqop text, confdelsetcols text, conexclop text, \
                  conbin text, condef text HIDDEN",
        body: Some(|| {
            // Primary keys and UNIQUE constraints are their indexes; foreign keys come
            // from pragma_foreign_key_list, one row per column.
            format!(
                "WITH {ix}, fk AS (SELECT s.rowid AS tbl_rowid, s.name AS tbl, f.* \
                 FROM sqlite_schema s, pragma_foreign_key_list(s.name) f \
                 WHERE s.type = 'table' AND {USER_OBJECTS}) \
                 SELECT {CONSTRAINT_OID} + ix.oid, \
                 CASE ix.origin WHEN 'pk' THEN ix.tbl || '_pkey' ELSE ix.name END, {PUBLIC}, \
                 CASE ix.origin WHEN 'pk' THEN 'p' ELSE 'u' END, 0, 0, 1, ix.tbl_oid, 0, ix.oid, \
                 0, 0, ' ', ' ', ' ', 1, 0, 1, '{{' || replace(ix.keys, ' ', ',') || '}}', NULL, \
                 NULL, NULL, NULL, NULL, NULL, NULL, \
                 CASE ix.origin WHEN 'pk' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END || ' (' || \
                 ix.cols || ')' \
                 FROM ix WHERE ix.origin IN ('pk', 'u') \
                 UNION ALL \
                 SELECT {CONSTRAINT_OID} + {FOREIGN_KEY_OID} + fk.tbl_rowid * 100 + fk.id, \
                 fk.tbl || '_' || group_concat(fk.\"from\", '_' ORDER BY fk.seq) || '_fkey', \
                 {PUBLIC}, 'f', 0, 0, 1, {FIRST_USER_OID} + fk.tbl_rowid, 0, 0, 0, \
                 {FIRST_USER_OID} + (SELECT rowid FROM sqlite_schema WHERE name = fk.\"table\"), \
                 {on_update}, {on_delete}, 's', 1, 0, 1, \
                 '{{' || group_concat((SELECT cid + 1 FROM pragma_table_info(fk.tbl) \
                 WHERE name = fk.\"from\"), ',' ORDER BY fk.seq) || '}}', NULL, NULL, NULL, \
                 NULL, NULL, NULL, NULL, \
                 'FOREIGN KEY (' || group_concat(fk.\"from\", ', ' ORDER BY fk.seq) || \
                 ') REFERENCES ' || fk.\"table\" || '(' || group_concat(coalesce(fk.\"to\", \
                 (SELECT name FROM pragma_table_info(fk.\"table\") WHERE pk = fk.seq + 1)), \
                 ', ' ORDER BY fk.seq) || ')' || \
                 CASE fk.on_update WHEN 'NO ACTION' THEN '' ELSE ' ON UPDATE ' || fk.on_update END || \
                 CASE fk.on_delete WHEN 'NO ACTION' THEN '' ELSE ' ON DELETE ' || fk.on_delete END \
                 FROM fk GROUP BY fk.tbl_rowid, fk.id",
                ix = indexes(),
                on_update = action_code("fk.on_update"),
                on_delete = action_code("fk.on_delete"),
            )
        }),
    },
    Table {
        name: "pg_enum",
        columns: "oid oid, enumtypid oid, enumsortorder float4, enumlabel name",
        body: None,
    },
    Table {
        name: "pg_range",
        columns: "rngtypid oid, rngsubtype oid, rngmultitypid oid, rngcollation oid, \
                  rngsubopc oid, rngcanonical text, rngsubdiff text",
        body: None,
    },
    Table {
        name: "pg_inherits",
        columns: "inhrelid oid, inhparent oid, inhseqno int4, inhdetachpending bool",
        body: None,
    },
    Table {
        name: "pg_extension",
        columns: "oid oid, extname name, extowner oid, extnamespace oid, \
                  extrelocatable bool, extversion text, extconfig text, extcondition text",
        body: None,
    },
    Table {
        name: "pg_policy",
        columns: "oid oid, polname name, polrelid oid, polcmd char, polpermissive bool, \
                  polroles text, polqual text, polwithcheck text",
        body: None,
    },
    Table {
        name: "pg_statistic_ext",
        columns: "oid oid, stxrelid oid, stxname name, stxnamespace oid, stxowner oid, \
                  stxstattarget int4, stxkeys text, stxkind text, stxexprs text",
        body: None,
    },
    Table {
        name: "pg_publication",
        columns: "oid oid, pubname name, pubowner oid, puballtables bool, pubinsert bool, \
                  pubupdate bool, pubdelete bool, pubtruncate bool, pubviaroot bool",
        body: None,
    },
    Table {
        name: "pg_publication_namespace",
        columns: "oid oid, pnpubid oid, pnnspid oid",
        body: None,
    },
    Table {
        name: "pg_publication_rel",
        columns: "oid oid, prpubid oid, prrelid oid, prqual text, prattrs text",
        body: None,
    },
    Table {
        name: "pg_trigger",
        columns: "oid oid, tgrelid oid, tgparentid oid, tgname name, tgfoid oid, \
                  tgtype int2, tgenabled char, tgisinternal bool, tgconstrrelid oid, \
                  tgconstrindid oid, tgconstraint oid, tgdeferrable bool, \
                  tginitdeferred bool, tgnargs int2, tgattr text, tgargs bytea, \
                  tgqual text, tgoldtable name, tgnewtable name",
        body: None,
    },
    Table {
        name: "pg_partitioned_table",
        columns: "partrelid oid, partstrat char, partnatts int2, partdefid oid, \
                  partattrs text, partclass text, partcollation text, partexprs text",
        body: None,
    },
    Table {
        name: "pg_proc",
        columns: "oid oid, proname name, pronamespace oid, proowner oid, prolang oid, \
                  prokind char, proretset bool, prorettype oid, pronargs int2, \
                  proargtypes text, prosrc text",
        body: None,
    },
];

fn pg_type_rows() -> String {
    let mut rows = Vec::with_capacity(TYPES.len() * 2);
    let row = |oid: u32, name: &str, len: i16, cat: char, elem: u32, array: u32| {
        let byval = u8::from((1..=8).contains(&len));
        let (input, output) = if cat == 'A' && elem != 0 && !name.ends_with("vector") {
            ("array_in".to_string(), "array_out".to_string())
        } else {
            (format!("{name}in"), format!("{name}out"))
        };
        format!(
            "({oid}, '{name}', {PG_CATALOG}, 10, {len}, {byval}, 'b', '{cat}', 0, 1, ',', 0, \
             NULL, {elem}, {array}, '{input}', '{output}', NULL, NULL, NULL, NULL, NULL, 'i', \
             'p', 0, 0, -1, 0, 0, NULL, NULL, NULL)"
        )
    };
    for t in TYPES {
        rows.push(row(t.0, t.1, t.2, t.3, t.4, t.5));
        if t.5 != 0 {
            rows.push(row(t.5, &format!("_{}", t.1), -1, 'A', t.0, 0));
        }
    }
    format!("VALUES {}", rows.join(", "))
}

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

/// The catalog tables a statement's words name (lower case, each once).
pub fn named_in(sql: &str) -> Vec<&'static str> {
    let mut found: Vec<&'static str> = Vec::new();
    for w in lexer::words(sql) {
        if !(w.len() > 3 && w[..3].eq_ignore_ascii_case("pg_")) {
            continue;
        }
        if let Some(t) = TABLES.iter().find(|t| t.name.eq_ignore_ascii_case(w)) {
            if !found.contains(&t.name) {
                found.push(t.name);
            }
        }
    }
    found
}

/// Registers every catalog table on `conn`, with the functions catalog queries use.
pub fn register(conn: &Connection, session: SharedSession) -> rusqlite::Result<()> {
    super::functions::register_catalog(conn, session)?;
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
        let schema = CString::new(format!("CREATE TABLE x({})", table.columns))
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
    at: usize,
}

// SAFETY: the layout starts with sqlite3_vtab_cursor (repr(C)), as SQLite requires.
unsafe impl VTabCursor for CatalogCursor {
    fn filter(&mut self, _: c_int, _: Option<&str>, _: &Filters<'_>) -> rusqlite::Result<()> {
        // SAFETY: a non-owning handle to the connection running this scan, used on this
        // thread for one nested read while SQLite waits for the rows.
        let conn = unsafe { Connection::from_handle(self.db)? };
        let mut stmt = conn.prepare(&self.table.rows())?;
        let n = stmt.column_count();
        self.rows = stmt
            .query_map([], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect())?
            .collect::<rusqlite::Result<_>>()?;
        self.at = 0;
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
        let v = self.rows.get(self.at).and_then(|r| r.get(i as usize));
        ctx.set_result(v.unwrap_or(&Value::Null))
    }

    fn rowid(&self) -> rusqlite::Result<i64> {
        Ok(self.at as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names() {
        assert_eq!(to_regtype("int4"), Some(23));
        assert_eq!(to_regtype("integer"), Some(23));
        assert_eq!(to_regtype("character varying"), Some(1043));
        assert_eq!(to_regtype("pg_catalog.text[]"), Some(1009));
        assert_eq!(to_regtype("_int8"), Some(1016));
        assert_eq!(to_regtype("hstore"), None);
        assert_eq!(format_type(23, -1).as_deref(), Some("integer"));
        assert_eq!(
            format_type(1043, 24).as_deref(),
            Some("character varying(20)")
        );
        assert_eq!(
            format_type(1700, (10 << 16 | 2) + 4).as_deref(),
            Some("numeric(10,2)")
        );
        assert_eq!(format_type(1007, -1).as_deref(), Some("integer[]"));
    }

    /// Every table runs on SQLite with as many values as declared columns, and the
    /// schema-backed ones list a user table.
    #[test]
    fn every_table_runs_on_sqlite() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        super::super::functions::register(&conn, "db", Default::default()).unwrap();
        register(&conn, Default::default()).unwrap();
        conn.execute_batch(
            "create table users (id integer primary key, name varchar(20) not null default 'x');
             create index users_name on users(name);",
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
            let expect_rows = t.body.is_some();
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
