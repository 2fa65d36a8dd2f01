//! The catalog tables: each one's PostgreSQL columns and the SELECT over SQLite's schema
//! that produces its rows, and the OIDs objects get.

use super::information_schema;
use super::types::pg_type_rows;

/// OID of the first user object, as in PostgreSQL.
pub const FIRST_USER_OID: i64 = 16384;
/// `pg_namespace` OIDs.
pub(super) const PG_CATALOG: i64 = 11;
const PUBLIC: i64 = 2200;
/// `pg_database_owner`, PostgreSQL 15's owner of `public`: whoever owns the database,
/// which here is every user (anyone may create in `public`).
pub const DATABASE_OWNER: i64 = 6171;
/// `public`'s privileges as PostgreSQL 15's initdb sets them (also its pg_init_privs
/// row): pg_dump then finds them unchanged and writes no GRANT or REVOKE for it.
const PUBLIC_ACL: &str = "{pg_database_owner=UC/pg_database_owner,=U/pg_database_owner}";
/// The session's temporary schema (SQLite's `temp`): its OID and the name PostgreSQL
/// gives the first backend's.
pub const PG_TEMP: i64 = 16383;
pub const PG_TEMP_NAME: &str = "pg_temp_3";

/// The schema rows of both databases a connection has: the file's (`main`) and the
/// session's temporary one (`temp`), with `db` naming which, for the pragmas' schema
/// argument (`pragma_table_info(s.name, s.db)`). A temporary relation's rowid is
/// shifted by a million, so that its OID (and every OID derived from a rowid) never
/// meets a permanent relation's.
pub const SCHEMA: &str = "(SELECT rowid AS rowid, type, name, tbl_name, sql, \
    'main' AS db FROM main.sqlite_schema UNION ALL SELECT 1000000 + rowid, type, name, \
    tbl_name, sql, 'temp' FROM temp.sqlite_schema)";

/// SQL for the namespace OID, schema name and name within it of the SQLite relation
/// name `e` of database `db` (`s.t` of a user schema, engine/objects/schemas.rs; a
/// temporary relation's schema is pg_temp).
pub(super) fn nsp(e: &str, db: &str) -> String {
    format!(
        "CASE {db} WHEN 'temp' THEN {PG_TEMP} ELSE {} END",
        crate::engine::objects::schemas::namespace_of(e)
    )
}
pub(super) fn nspname(e: &str, db: &str) -> String {
    format!(
        "CASE {db} WHEN 'temp' THEN '{PG_TEMP_NAME}' ELSE {} END",
        crate::engine::objects::schemas::schema_name_of(e)
    )
}
pub(super) fn rel(e: &str, db: &str) -> String {
    format!(
        "CASE {db} WHEN 'temp' THEN {e} ELSE {} END",
        crate::engine::objects::schemas::relname_of(e)
    )
}

/// PostgreSQL's OIDs of the catalog tables themselves (`'pg_class'::regclass`).
pub fn table_oid(name: &str) -> Option<i64> {
    let name = name.strip_prefix("pg_catalog.").unwrap_or(name);
    CATALOG_OIDS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, oid)| *oid)
}

const CATALOG_OIDS: &[(&str, i64)] = &[
    ("pg_type", 1247),
    ("pg_attribute", 1249),
    ("pg_proc", 1255),
    ("pg_class", 1259),
    ("pg_database", 1262),
    ("pg_am", 2601),
    ("pg_attrdef", 2604),
    ("pg_constraint", 2606),
    ("pg_description", 2609),
    ("pg_index", 2610),
    ("pg_inherits", 2611),
    ("pg_namespace", 2615),
    ("pg_extension", 3079),
    ("pg_collation", 3456),
    ("pg_enum", 3501),
    ("pg_range", 3541),
    // Read by pg_dump (with their `tableoid`), most of them empty: litewire has none
    // of these objects, or lists only the built-in ones pg_dump leaves out anyway.
    ("pg_default_acl", 826),
    ("pg_tablespace", 1213),
    ("pg_foreign_server", 1417),
    ("pg_sequence", 2224),
    ("pg_foreign_data_wrapper", 2328),
    ("pg_amop", 2602),
    ("pg_amproc", 2603),
    ("pg_cast", 2605),
    ("pg_conversion", 2607),
    ("pg_depend", 2608),
    ("pg_language", 2612),
    ("pg_opclass", 2616),
    ("pg_operator", 2617),
    ("pg_rewrite", 2618),
    ("pg_trigger", 2620),
    ("pg_opfamily", 2753),
    ("pg_largeobject_metadata", 2995),
    ("pg_foreign_table", 3118),
    ("pg_policy", 3256),
    ("pg_partitioned_table", 3350),
    ("pg_statistic_ext", 3381),
    ("pg_init_privs", 3394),
    ("pg_event_trigger", 3466),
    ("pg_transform", 3576),
    ("pg_ts_dict", 3600),
    ("pg_ts_parser", 3601),
    ("pg_ts_config", 3602),
    ("pg_ts_template", 3764),
    ("pg_subscription", 6100),
    ("pg_publication", 6104),
    ("pg_publication_rel", 6106),
    ("pg_publication_namespace", 6237),
    ("pg_shseclabel", 3592),
    ("pg_db_role_setting", 2964),
];

/// The operator families of [`OPCLASSES`] (pg_opfamily): OID and name, all btree.
const OPFAMILIES: &[(i64, &str)] = &[
    (397, "array_ops"),
    (424, "bool_ops"),
    (426, "bpchar_ops"),
    (428, "bytea_ops"),
    (429, "char_ops"),
    (434, "datetime_ops"),
    (1970, "float_ops"),
    (1976, "integer_ops"),
    (1982, "interval_ops"),
    (1988, "numeric_ops"),
    (1989, "oid_ops"),
    (1994, "text_ops"),
    (1996, "time_ops"),
    (2000, "timetz_ops"),
    (2968, "uuid_ops"),
    (3522, "enum_ops"),
    (4033, "jsonb_ops"),
];

/// pg_class's rows of the catalog tables above (`relname = 'pg_class'` finds itself),
/// in pg_catalog, with their columns' count where litewire lists the table.
fn catalog_class_rows() -> String {
    let rows: Vec<String> = CATALOG_OIDS
        .iter()
        .map(|(name, oid)| {
            let natts = TABLES
                .iter()
                .find(|t| t.name == *name)
                .map_or(0, |t| t.columns.split(',').count());
            let shared = i32::from(*name == "pg_database");
            format!(
                "SELECT {oid}, '{name}', {PG_CATALOG}, 0, 0, 10, 2, 0, 0, 0, -1, 0, 0, 1, \
                 {shared}, 'p', 'r', {natts}, 0, 0, 0, 0, 0, 0, 1, 'n', 0, 0, 0, 0, NULL, NULL, NULL"
            )
        })
        .collect();
    rows.join(" UNION ALL ")
}

/// One emulated catalog table: its name, its columns as `name type` pairs, and the
/// SELECT producing its rows.
pub(super) struct Table {
    pub(super) name: &'static str,
    pub(super) columns: &'static str,
    /// None: the table exists with its columns but has no rows.
    pub(super) body: Option<fn() -> String>,
}

impl Table {
    pub(super) fn rows(&self) -> String {
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
/// OIDs of CHECK constraints: [`CONSTRAINT_OID`] plus this plus 100 × the table's rowid
/// plus the constraint's position among the table's constraints.
const CHECK_OID: i64 = 1_500_000_000;
/// OIDs of views' `_RETURN` rules (pg_rewrite): this plus the view's rowid.
const REWRITE_OID: i64 = 1_300_000_000;
/// OIDs of column defaults (pg_attrdef): this plus 1000 × the table's rowid plus the
/// column's position.
const ATTRDEF_OID: i64 = 1_700_000_000;
/// OID of the index PostgreSQL would have for a rowid primary key (SQLite has none):
/// this plus the table's rowid.
const ROWID_KEY_OID: i64 = 1_000_000_000;

/// Every index as PostgreSQL would show it: SQLite's indexes (automatic ones named as
/// PostgreSQL names them: `t_pkey`, `t_a_key`) and, for a rowid primary key, the index
/// PostgreSQL would have. Columns: oid, name, tbl, tbl_oid, is_unique, origin
/// (`pk`, `u` or `c`), natts, keys (attnums, a JSON array as int2vector values are
/// held), options (indoption per column: 3 for DESC, which sorts NULLs first by
/// default, else 0), cols (names).
fn indexes() -> String {
    format!(
        "ix(oid, name, tbl, tbl_oid, is_unique, origin, natts, keys, options, cols, classes, \
    idx_sql, tbl_sql, db) AS (\
    SELECT {FIRST_USER_OID} + x.rowid, \
    CASE il.origin WHEN 'pk' THEN coalesce({pk}, s.name || '_pkey') \
    WHEN 'u' THEN coalesce({unique}, s.name || '_' || (SELECT group_concat(ii.name, '_' \
    ORDER BY ii.seqno) FROM pragma_index_info(il.name, s.db) ii) || '_key') ELSE il.name END, \
    s.name, {FIRST_USER_OID} + s.rowid, il.\"unique\", il.origin, \
    (SELECT count(*) FROM pragma_index_info(il.name, s.db)), \
    (SELECT '[' || group_concat(max(ii.cid + 1, 0), ',' ORDER BY ii.seqno) || ']' \
    FROM pragma_index_info(il.name, s.db) ii), \
    (SELECT '[' || group_concat(xi.\"desc\" * 3, ',' ORDER BY xi.seqno) || ']' \
    FROM pragma_index_xinfo(il.name, s.db) xi WHERE xi.key), \
    (SELECT group_concat(coalesce(ii.name, 'expression'), ', ' ORDER BY ii.seqno) \
    FROM pragma_index_info(il.name, s.db) ii), \
    (SELECT json_group_array({class} ORDER BY ii.seqno) FROM pragma_index_info(il.name, s.db) ii \
    LEFT JOIN pragma_table_info(s.name, s.db) p ON p.cid = ii.cid), x.sql, s.sql, s.db \
    FROM {SCHEMA} s, pragma_index_list(s.name, s.db) il, {SCHEMA} x \
    WHERE s.type = 'table' AND {USER_OBJECTS} AND x.db = s.db AND x.name = il.name \
    UNION ALL \
    SELECT {ROWID_KEY_OID} + s.rowid, coalesce({pk}, s.name || '_pkey'), s.name, {FIRST_USER_OID} + s.rowid, 1, 'pk', 1, \
    (SELECT '[' || group_concat(p.cid + 1, ',') || ']' FROM pragma_table_info(s.name, s.db) p \
    WHERE p.pk > 0), '[0]', \
    (SELECT group_concat(p.name, ', ') FROM pragma_table_info(s.name, s.db) p WHERE p.pk > 0), \
    (SELECT json_group_array({class}) FROM pragma_table_info(s.name, s.db) p WHERE p.pk > 0), \
    NULL, s.sql, s.db \
    FROM {SCHEMA} s \
    WHERE s.type = 'table' AND {USER_OBJECTS} \
    AND EXISTS (SELECT 1 FROM pragma_table_info(s.name, s.db) p WHERE p.pk > 0) \
    AND NOT EXISTS (SELECT 1 FROM pragma_index_list(s.name, s.db) il WHERE il.origin = 'pk'))",
        pk = named_constraint("'p'", "s.name", "s.sql", None),
        unique = named_constraint(
            "'u'",
            "s.name",
            "s.sql",
            Some("(SELECT group_concat(ii.name, ', ' ORDER BY ii.seqno) FROM pragma_index_info(il.name) ii)")
        ),
        class = default_opclass("p.type"),
    )
}

/// Each table's UNLOGGED, CLUSTER and REPLICA IDENTITY settings (objects/relations.rs).
const RELATIONS: &str = "main._litewire_relations";

/// relpersistence of a relation of database `db` (with its [`RELATIONS`] row `rel`).
fn persistence(db: &str) -> String {
    format!("CASE WHEN {db} = 'temp' THEN 't' WHEN rel.unlogged THEN 'u' ELSE 'p' END")
}

/// An index's definition (pg_get_indexdef): a key's index from its columns, a created
/// one read back from its CREATE INDEX text (indexdef.rs).
const INDEX_DEF: &str = "CASE WHEN ix.idx_sql IS NULL THEN 'CREATE ' || \
    CASE WHEN ix.is_unique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || ix.name || \
    ' ON public.' || ix.tbl || ' USING btree (' || ix.cols || ')' \
    ELSE pg_index_definition(ix.idx_sql, ix.tbl_sql) END";

/// The default btree operator classes (pg_opclass): OID, name, family, input type.
const OPCLASSES: &[(i64, &str, i64, i64)] = &[
    (10003, "bool_ops", 424, 16),
    (10006, "bytea_ops", 428, 17),
    (10007, "char_ops", 429, 18),
    (10028, "name_ops", 1994, 19),
    (3124, "int8_ops", 1976, 20),
    (1979, "int2_ops", 1976, 21),
    (1978, "int4_ops", 1976, 23),
    (3126, "text_ops", 1994, 25),
    (1981, "oid_ops", 1989, 26),
    (10012, "float4_ops", 1970, 700),
    (3123, "float8_ops", 1970, 701),
    (10004, "bpchar_ops", 426, 1042),
    (3122, "date_ops", 434, 1082),
    (10038, "time_ops", 1996, 1083),
    (3128, "timestamp_ops", 434, 1114),
    (3127, "timestamptz_ops", 434, 1184),
    (10022, "interval_ops", 1982, 1186),
    (10041, "timetz_ops", 2000, 1266),
    (3125, "numeric_ops", 1988, 1700),
    (10000, "array_ops", 397, 2277),
    (10065, "uuid_ops", 2968, 2950),
    (10069, "enum_ops", 3522, 3500),
    (10088, "jsonb_ops", 4033, 3802),
];

/// The default operator class of a column of declared type `decl` (pg_index.indclass),
/// as PostgreSQL picks it: by the type (varchar by text's), arrays' and enums' own; 0
/// for a type without one (json).
fn default_opclass(decl: &str) -> String {
    let by_type: String = OPCLASSES
        .iter()
        .map(|(oid, _, _, ty)| format!(" WHEN {ty} THEN {oid}"))
        .collect();
    format!(
        "CASE WHEN {decl} LIKE '%[]' THEN 10000 ELSE CASE {typ} WHEN 1043 THEN 3126{by_type} \
         ELSE CASE WHEN {typ} >= {enums} THEN 10069 ELSE 0 END END END",
        typ = declared_type_oid(decl),
        enums = crate::engine::objects::ENUM_OID,
    )
}

/// The name the CREATE TABLE text gives the constraint of `kind` (on columns `cols`, a
/// `, `-separated list, when given) of table `table` (catalog/constraints.rs), or NULL.
fn named_constraint(kind: &str, table: &str, sql: &str, cols: Option<&str>) -> String {
    constraint_field("name", kind, table, sql, cols)
}

/// Field `field` of that constraint (`name`, …).
fn constraint_field(field: &str, kind: &str, table: &str, sql: &str, cols: Option<&str>) -> String {
    let on_cols = cols.map_or(String::new(), |c| {
        format!(" AND json_extract(j.value, '$.cols') = {c}")
    });
    format!(
        "(SELECT json_extract(j.value, '$.{field}') FROM json_each(pg_table_constraints({table}, \
         {sql})) j WHERE json_extract(j.value, '$.kind') = {kind}{on_cols} LIMIT 1)"
    )
}

/// Field `field` (`name`, `deferrable`, `deferred`) of the foreign key
/// pragma_foreign_key_list numbers `fk.id`: SQLite numbers them from the last declared,
/// so two keys over the same columns stay apart.
fn foreign_key_field(field: &str) -> String {
    // (OFFSET cannot read fk.id: the keys declared after this one are counted instead.)
    format!(
        "(SELECT json_extract(j.value, '$.{field}') FROM json_each(pg_table_constraints(fk.tbl, \
         fk.tbl_sql)) j WHERE json_extract(j.value, '$.kind') = 'f' AND (SELECT count(*) \
         FROM json_each(pg_table_constraints(fk.tbl, fk.tbl_sql)) k \
         WHERE json_extract(k.value, '$.kind') = 'f' AND k.key > j.key) = fk.id)"
    )
}

/// pg_constraint's action letter for a `pragma_foreign_key_list` action.
fn action_code(column: &str) -> String {
    format!(
        "CASE {column} WHEN 'CASCADE' THEN 'c' WHEN 'RESTRICT' THEN 'r' \
         WHEN 'SET NULL' THEN 'n' WHEN 'SET DEFAULT' THEN 'd' ELSE 'a' END"
    )
}

const STATIO_COLUMNS: &str = "relid oid, schemaname name, relname name, \
    heap_blks_read int8, heap_blks_hit int8, idx_blks_read int8, idx_blks_hit int8, \
    toast_blks_read int8, toast_blks_hit int8, tidx_blks_read int8, tidx_blks_hit int8";

fn statio_rows() -> String {
    format!(
        "SELECT {FIRST_USER_OID} + s.rowid, {}, {}, 0, 0, 0, 0, NULL, NULL, NULL, \
         NULL FROM {SCHEMA} s WHERE s.type = 'table' AND {USER_OBJECTS}",
        nspname("s.name", "s.db"),
        rel("s.name", "s.db"),
    )
}

/// The type OID of a column declared `decl`: an enum's (engine/objects), else the
/// built-in type it names.
fn declared_type_oid(decl: &str) -> String {
    format!(
        "coalesce((SELECT e.rowid + {} FROM main._litewire_enums e \
         WHERE e.type = {decl} AND e.label IS NULL), pg_decltype({decl}, 'oid'))",
        crate::engine::objects::ENUM_OID
    )
}

/// Rows of `sqlite_schema` that are user objects (SQLite's own `sqlite_*`,
/// litewire's reserved `_litewire_*` tables and Litestream's `_litestream_seq` and
/// `_litestream_lock` of a replicated file excluded).
pub(super) const USER_OBJECTS: &str = "s.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
    AND s.tbl_name NOT LIKE '\\_litewire\\_%' ESCAPE '\\' \
    AND s.tbl_name NOT LIKE '\\_litestream\\_%' ESCAPE '\\'";

/// Every sequence (engine/objects), main then temp: oid, name, namespace, type OID,
/// type name, start, increment, min, max, cache, cycle, last value (NULL before the
/// first nextval), identity, owned_table, owned_column, and as the catalogs show it:
/// namespace OID, schema name, name within the schema.
fn sequences() -> String {
    use crate::engine::objects::SEQUENCE_OID;
    let one = |schema: &str, extra: i64, nsp: i64| {
        format!(
            "SELECT {SEQUENCE_OID} + {extra} + q.rowid AS oid, q.name AS name, {nsp} AS nsp, \
             CASE q.type WHEN 'smallint' THEN 21 WHEN 'integer' THEN 23 ELSE 20 END AS typid, \
             q.type AS type, q.start AS start, q.increment AS increment, q.min AS min, \
             q.max AS max, q.cache AS cache, q.cycle AS cycle, \
             CASE WHEN q.is_called THEN q.last_value END AS last_value, \
             q.identity AS identity, q.owned_table AS owned_table, \
             q.owned_column AS owned_column, {nspoid} AS nspoid, {nspname} AS nspname, \
             {relname} AS relname FROM {schema}._litewire_sequences q",
            nspoid = if nsp == PUBLIC {
                crate::engine::objects::schemas::namespace_of("q.name")
            } else {
                nsp.to_string()
            },
            nspname = if nsp == PUBLIC {
                crate::engine::objects::schemas::schema_name_of("q.name")
            } else {
                format!("'{PG_TEMP_NAME}'")
            },
            relname = if nsp == PUBLIC {
                crate::engine::objects::schemas::relname_of("q.name")
            } else {
                "q.name".into()
            },
        )
    };
    format!(
        "seq AS ({} UNION ALL {})",
        one("main", 0, PUBLIC),
        one("temp", 100_000_000, PG_TEMP)
    )
}

/// The identity kind (`a`, `d`) of column `p.name` of table `s.name`, NULL for a column
/// that is not an identity column (with [`sequences`]'s `seq` in scope).
const IDENTITY_OF_COLUMN: &str = "(SELECT q.identity FROM seq q WHERE q.owned_table = s.name \
    AND q.owned_column = p.name AND q.identity IS NOT NULL \
    AND q.nsp = CASE s.db WHEN 'temp' THEN 16383 ELSE 2200 END)";

const STAT_INDEX_COLUMNS: &str = "relid oid, indexrelid oid, schemaname name, relname name, \
    indexrelname name, idx_scan int8, idx_tup_read int8, idx_tup_fetch int8";

fn stat_index_rows() -> String {
    format!(
        "WITH {} SELECT tbl_oid, oid, {}, {}, {}, 0, 0, 0 FROM ix",
        indexes(),
        nspname("ix.tbl", "ix.db"),
        rel("ix.tbl", "ix.db"),
        rel("ix.name", "ix.db"),
    )
}

pub(super) const TABLES: &[Table] = &[
    Table {
        name: "pg_type",
        columns: "oid oid, typname name, typnamespace oid, typowner oid, typlen int2, \
                  typbyval bool, typtype pg_char, typcategory pg_char, typispreferred bool, \
                  typisdefined bool, typdelim pg_char, typrelid oid, typsubscript text, \
                  typelem oid, typarray oid, typinput text, typoutput text, \
                  typreceive text, typsend text, typmodin text, typmodout text, \
                  typanalyze text, typalign pg_char, typstorage pg_char, typnotnull bool, \
                  typbasetype oid, typtypmod int4, typndims int4, typcollation oid, \
                  typdefaultbin text, typdefault text, typacl text",
        body: Some(|| {
            format!(
                "{} UNION ALL {} UNION ALL {} UNION ALL {}",
                pg_type_rows(),
                crate::engine::objects::enum_type_rows(PUBLIC),
                crate::engine::objects::composite_type_rows(PUBLIC),
                super::row_types::type_rows(PUBLIC)
            )
        }),
    },
    Table {
        name: "pg_namespace",
        columns: "oid oid, nspname name, nspowner oid, nspacl text",
        body: Some(|| {
            format!(
                "VALUES ({PG_CATALOG}, 'pg_catalog', 10, NULL), \
                 ({PUBLIC}, 'public', {DATABASE_OWNER}, '{PUBLIC_ACL}'), \
                 (13000, 'information_schema', 10, NULL) UNION ALL {} \
                 UNION ALL SELECT {PG_TEMP}, '{PG_TEMP_NAME}', 10, NULL \
                 WHERE EXISTS (SELECT 1 FROM temp.sqlite_schema)",
                crate::engine::objects::schemas::namespace_rows()
            )
        }),
    },
    Table {
        name: "pg_class",
        columns: "oid oid, relname name, relnamespace oid, reltype oid, reloftype oid, \
                  relowner oid, relam oid, relfilenode oid, reltablespace oid, relpages int4, \
                  reltuples float4, relallvisible int4, reltoastrelid oid, relhasindex bool, \
                  relisshared bool, relpersistence pg_char, relkind pg_char, relnatts int2, \
                  relchecks int2, relhasrules bool, relhastriggers bool, relhassubclass bool, \
                  relrowsecurity bool, relforcerowsecurity bool, relispopulated bool, \
                  relreplident pg_char, relispartition bool, relrewrite oid, relfrozenxid int4, \
                  relminmxid int4, relacl text, reloptions text, relpartbound text",
        body: Some(|| {
            format!(
                "WITH {ix}, {seq} \
                 SELECT {FIRST_USER_OID} + s.rowid, {rel_s}, {nsp_s}, \
                 {row_type} + s.rowid, 0, 10, \
                 CASE s.type WHEN 'table' THEN 2 ELSE 0 END, 0, 0, 0, -1, 0, 0, \
                 EXISTS (SELECT 1 FROM ix WHERE ix.db = s.db AND ix.tbl = s.name), 0, \
                 {persistence_s}, CASE s.type WHEN 'table' THEN 'r' ELSE 'v' END, \
                 (SELECT count(*) FROM pragma_table_info(s.name, s.db)), {checks}, 0, \
                 EXISTS (SELECT 1 FROM {SCHEMA} g WHERE g.type = 'trigger' AND g.db = s.db \
                 AND g.tbl_name = s.name) \
                 OR EXISTS (SELECT 1 FROM pragma_foreign_key_list(s.name, s.db)) \
                 OR EXISTS (SELECT 1 FROM {SCHEMA} r, pragma_foreign_key_list(r.name, r.db) f \
                 WHERE r.type = 'table' AND r.db = s.db AND f.\"table\" = s.name), \
                 0, 0, 0, 1, coalesce(rel.replident, 'd'), 0, 0, 0, 0, NULL, NULL, NULL \
                 FROM {SCHEMA} s LEFT JOIN {RELATIONS} rel ON s.db = 'main' AND rel.name = s.name \
                 WHERE s.type IN ('table', 'view') AND {USER_OBJECTS} \
                 UNION ALL \
                 SELECT ix.oid, {rel_ix}, {nsp_ix}, 0, 0, 10, 403, 0, 0, 0, -1, 0, 0, 0, 0, \
                 {persistence_ix}, 'i', ix.natts, 0, 0, 0, 0, 0, 0, 1, 'n', 0, 0, 0, 0, NULL, \
                 NULL, NULL FROM ix LEFT JOIN {RELATIONS} rel ON ix.db = 'main' AND rel.name = ix.tbl \
                 UNION ALL \
                 SELECT seq.oid, seq.relname, seq.nspoid, 0, 0, 10, 0, 0, 0, 1, 1, 0, 0, 0, 0, \
                 CASE WHEN seq.nsp <> {PUBLIC} THEN 't' WHEN rel.unlogged THEN 'u' ELSE 'p' END, \
                 'S', 3, 0, 0, 0, 0, 0, 0, 1, 'n', 0, 0, 0, 0, NULL, NULL, NULL \
                 FROM seq LEFT JOIN {RELATIONS} rel ON rel.name = seq.owned_table \
                 UNION ALL {catalog}",
                ix = indexes(),
                seq = sequences(),
                persistence_s = persistence("s.db"),
                persistence_ix = persistence("ix.db"),
                // relchecks: pg_dump reads a table's CHECKs only when it has some.
                checks = "CASE s.type WHEN 'table' THEN (SELECT count(*) FROM \
                          json_each(pg_table_constraints(s.name, s.sql)) j \
                          WHERE json_extract(j.value, '$.kind') = 'c') ELSE 0 END",
                row_type = super::row_types::ROW_TYPE_OID,
                catalog = catalog_class_rows(),
                rel_s = rel("s.name", "s.db"),
                nsp_s = nsp("s.name", "s.db"),
                rel_ix = rel("ix.name", "ix.db"),
                nsp_ix = nsp("ix.tbl", "ix.db"),
            )
        }),
    },
    Table {
        name: "pg_attribute",
        columns: "attrelid oid, attname name, atttypid oid, attstattarget int4, attlen int2, \
                  attnum int2, attndims int4, attcacheoff int4, atttypmod int4, attbyval bool, \
                  attalign pg_char, attstorage pg_char, attcompression pg_char, attnotnull bool, \
                  atthasdef bool, atthasmissing bool, attidentity pg_char, attgenerated pg_char, \
                  attisdropped bool, attislocal bool, attinhcount int4, attcollation oid, \
                  attacl text, attoptions text, attfdwoptions text, attmissingval text",
        body: Some(|| {
            // An identity column has no default in PostgreSQL (its sequence is not one):
            // attidentity says 'a' (ALWAYS) or 'd' (BY DEFAULT) instead.
            format!(
                "WITH {seq} SELECT {FIRST_USER_OID} + s.rowid, p.name, {oid}, -1, \
                 pg_decltype(p.type, 'len'), p.cid + 1, 0, -1, pg_decltype(p.type, 'typmod'), \
                 0, 'i', 'p', '', p.\"notnull\" OR p.pk > 0, \
                 p.dflt_value IS NOT NULL AND {identity} IS NULL, 0, coalesce({identity}, ''), '', \
                 0, 1, 0, 0, NULL, NULL, NULL, NULL \
                 FROM {SCHEMA} s, pragma_table_info(s.name, s.db) p \
                 WHERE s.type IN ('table', 'view') AND {USER_OBJECTS}",
                seq = sequences(),
                identity = IDENTITY_OF_COLUMN,
                oid = declared_type_oid("p.type"),
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
                "SELECT current_database(), {}, {}, \
                 CASE WHEN s.type = 'view' THEN 'VIEW' WHEN s.db = 'temp' THEN 'LOCAL TEMPORARY' \
                 ELSE 'BASE TABLE' END, NULL, NULL, NULL, \
                 NULL, NULL, CASE s.type WHEN 'view' THEN 'NO' ELSE 'YES' END, 'NO', NULL \
                 FROM {SCHEMA} s WHERE s.type IN ('table', 'view') AND {USER_OBJECTS}",
                nspname("s.name", "s.db"),
                rel("s.name", "s.db")
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
                  identity_generation varchar, identity_start varchar, \
                  identity_increment varchar, identity_maximum varchar, \
                  identity_minimum varchar, identity_cycle varchar, is_generated varchar, \
                  generation_expression varchar, is_updatable varchar",
        body: Some(|| {
            // c.toid, c.typmod: the declared type, as pg_attribute reports it; q: an
            // identity column's sequence (its DEFAULT is not one in PostgreSQL).
            format!(
                "WITH {seq} SELECT current_database(), {tschema}, {tname}, c.cname, c.cid + 1, \
                 CASE WHEN q.identity IS NULL THEN c.dflt END, \
                 CASE WHEN c.required THEN 'NO' ELSE 'YES' END, \
                 CASE WHEN c.toid >= {enums} THEN 'USER-DEFINED' \
                 WHEN format_type(c.toid, -1) LIKE '%[]' THEN 'ARRAY' \
                 ELSE format_type(c.toid, -1) END, \
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
                 current_database(), CASE WHEN c.toid >= {enums} THEN 'public' \
                 ELSE 'pg_catalog' END, (SELECT typname FROM pg_type WHERE oid = c.toid), \
                 CASE WHEN q.identity IS NULL THEN 'NO' ELSE 'YES' END, \
                 CASE q.identity WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' END, \
                 CAST(q.start AS TEXT), CAST(q.increment AS TEXT), CAST(q.max AS TEXT), \
                 CAST(q.min AS TEXT), CASE WHEN q.cycle THEN 'YES' ELSE 'NO' END, 'NEVER', NULL, \
                 CASE c.ttype WHEN 'view' THEN 'NO' ELSE 'YES' END \
                 FROM (SELECT s.name AS tname, s.db AS tdb, s.type AS ttype, p.name AS cname, \
                 p.cid AS cid, \
                 pg_default_text(p.dflt_value, p.type) AS dflt, p.\"notnull\" OR p.pk > 0 AS required, \
                 {oid} AS toid, pg_decltype(p.type, 'typmod') AS typmod \
                 FROM {SCHEMA} s, pragma_table_info(s.name, s.db) p \
                 WHERE s.type IN ('table', 'view') AND {USER_OBJECTS}) c \
                 LEFT JOIN seq q ON q.owned_table = c.tname AND q.owned_column = c.cname \
                 AND q.identity IS NOT NULL \
                 AND q.nsp = CASE c.tdb WHEN 'temp' THEN {PG_TEMP} ELSE {PUBLIC} END",
                seq = sequences(),
                oid = declared_type_oid("p.type"),
                enums = crate::engine::objects::ENUM_OID,
                tschema = nspname("c.tname", "c.tdb"),
                tname = rel("c.tname", "c.tdb"),
            )
        }),
    },
    Table {
        name: "information_schema_schemata",
        columns: "catalog_name name, schema_name name, schema_owner name, \
                  default_character_set_catalog name, default_character_set_schema name, \
                  default_character_set_name name, sql_path varchar",
        body: Some(|| {
            format!(
                "SELECT current_database(), column1, current_user(), NULL, NULL, NULL, NULL \
                 FROM (VALUES ('pg_catalog'), ('public'), ('information_schema')) UNION ALL \
                 SELECT current_database(), name, owner, NULL, NULL, NULL, NULL \
                 FROM main.{}schemas",
                crate::engine::objects::PREFIX
            )
        }),
    },
    Table {
        name: "information_schema_table_constraints",
        columns: "constraint_catalog name, constraint_schema name, constraint_name name, \
                  table_catalog name, table_schema name, table_name name, \
                  constraint_type varchar, is_deferrable varchar, initially_deferred varchar, \
                  enforced varchar, nulls_distinct varchar",
        body: Some(information_schema::table_constraints),
    },
    Table {
        name: "information_schema_key_column_usage",
        columns: "constraint_catalog name, constraint_schema name, constraint_name name, \
                  table_catalog name, table_schema name, table_name name, column_name name, \
                  ordinal_position int4, position_in_unique_constraint int4",
        body: Some(information_schema::key_column_usage),
    },
    Table {
        name: "information_schema_constraint_column_usage",
        columns: "table_catalog name, table_schema name, table_name name, column_name name, \
                  constraint_catalog name, constraint_schema name, constraint_name name",
        body: Some(information_schema::constraint_column_usage),
    },
    Table {
        name: "information_schema_referential_constraints",
        columns: "constraint_catalog name, constraint_schema name, constraint_name name, \
                  unique_constraint_catalog name, unique_constraint_schema name, \
                  unique_constraint_name name, match_option varchar, update_rule varchar, \
                  delete_rule varchar",
        body: Some(information_schema::referential_constraints),
    },
    Table {
        name: "information_schema_check_constraints",
        columns: "constraint_catalog name, constraint_schema name, constraint_name name, \
                  check_clause varchar",
        body: Some(information_schema::check_constraints),
    },
    // Block statistics: litewire keeps none, so every count is zero (Sequelize's
    // describeTable joins pg_statio_all_tables to find column comments).
    Table {
        name: "pg_statio_all_tables",
        columns: STATIO_COLUMNS,
        body: Some(statio_rows),
    },
    Table {
        name: "pg_statio_user_tables",
        columns: STATIO_COLUMNS,
        body: Some(statio_rows),
    },
    Table {
        name: "pg_attrdef",
        columns: "oid oid, adrelid oid, adnum int2, adbin text",
        body: Some(|| {
            format!(
                "WITH {seq} SELECT {ATTRDEF_OID} + s.rowid * 1000 + p.cid + 1, \
                 {FIRST_USER_OID} + s.rowid, p.cid + 1, \
                 pg_default_text(p.dflt_value, p.type) \
                 FROM {SCHEMA} s, pragma_table_info(s.name, s.db) p \
                 WHERE s.type = 'table' AND {USER_OBJECTS} AND p.dflt_value IS NOT NULL \
                 AND {identity} IS NULL",
                seq = sequences(),
                identity = IDENTITY_OF_COLUMN,
            )
        }),
    },
    Table {
        name: "pg_am",
        columns: "oid oid, amname name, amhandler text, amtype pg_char",
        body: Some(|| {
            "VALUES (2, 'heap', 'heap_tableam_handler', 't'), (403, 'btree', 'bthandler', 'i')"
                .into()
        }),
    },
    Table {
        name: "pg_tablespace",
        columns: "oid oid, spcname name, spcowner oid, spcacl text, spcoptions text",
        body: Some(|| {
            "VALUES (1663, 'pg_default', 10, NULL, NULL), (1664, 'pg_global', 10, NULL, NULL)"
                .into()
        }),
    },
    Table {
        // Indexes' operator classes are not tracked (pg_index.indclass holds 0s).
        name: "pg_opclass",
        columns: "oid oid, opcmethod oid, opcname name, opcnamespace oid, opcowner oid, \
                  opcfamily oid, opcintype oid, opcdefault bool, opckeytype oid",
        body: Some(|| {
            let rows: Vec<String> = OPCLASSES
                .iter()
                .map(|(oid, name, family, ty)| {
                    format!("({oid}, 403, '{name}', {PG_CATALOG}, 10, {family}, {ty}, 1, 0)")
                })
                .collect();
            format!("VALUES {}", rows.join(", "))
        }),
    },
    Table {
        name: "pg_database",
        columns: "oid oid, datname name, datdba oid, encoding int4, datlocprovider pg_char, \
                  datistemplate bool, datallowconn bool, datconnlimit int4, datfrozenxid int4, \
                  datminmxid int4, dattablespace oid, datcollate text, datctype text, \
                  daticulocale text, datcollversion text, datacl text",
        // Every database file of the data folder (engine/lifecycle.rs).
        body: Some(|| {
            "SELECT value ->> 'oid', value ->> 'name', 10, 6, 'c', 0, 1, -1, 0, 0, 1663, \
             'C', 'C', NULL, NULL, NULL FROM json_each(litewire_databases())"
                .into()
        }),
    },
    Table {
        // The session's own statements, handed over by the session for a statement that
        // names this table (`Job::prepared`). Plans are not cached: no plan counts.
        name: "pg_prepared_statements",
        columns: "name text, statement text, prepare_time timestamptz, \
                  parameter_types regtype[], from_sql bool, generic_plans int8, \
                  custom_plans int8",
        body: Some(|| {
            "SELECT value ->> 'name', value ->> 'statement', value ->> 'time', \
             value ->> 'types', value ->> 'from_sql', 0, 0 \
             FROM json_each(litewire_prepared_statements())"
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
            format!(
                "SELECT 10, current_user(), 0, 1, 0, 0, 1, 0, -1, '********', NULL, 0, NULL \
                 UNION ALL SELECT {DATABASE_OWNER}, 'pg_database_owner', 0, 1, 0, 0, 0, 0, -1, \
                 '********', NULL, 0, NULL UNION ALL {}",
                crate::engine::objects::role_rows()
            )
        }),
    },
    Table {
        name: "pg_user",
        columns: "usename name, usesysid oid, usecreatedb bool, usesuper bool, \
                  userepl bool, usebypassrls bool, passwd text, valuntil timestamptz, \
                  useconfig text",
        body: Some(|| {
            format!(
                "SELECT current_user(), 10, 0, 0, 0, 0, '********', NULL, NULL UNION ALL {}",
                crate::engine::objects::user_rows()
            )
        }),
    },
    Table {
        name: "pg_collation",
        columns: "oid oid, collname name, collnamespace oid, collowner oid, \
                  collprovider pg_char, collisdeterministic bool, collencoding int4, \
                  collcollate text, collctype text",
        body: Some(|| format!("VALUES (100, 'default', {PG_CATALOG}, 10, 'd', 1, -1, NULL, NULL)")),
    },
    Table {
        name: "pg_description",
        columns: "objoid oid, classoid oid, objsubid int4, description text",
        // The public schema's comment initdb gives it (litewire has no COMMENT ON SCHEMA).
        body: Some(|| {
            format!(
                "{} UNION ALL SELECT {PUBLIC}, 2615, 0, 'standard public schema'",
                crate::engine::objects::description_rows(FIRST_USER_OID)
            )
        }),
    },
    Table {
        name: "pg_tables",
        columns: "schemaname name, tablename name, tableowner name, tablespace name, \
                  hasindexes bool, hasrules bool, hastriggers bool, rowsecurity bool",
        body: Some(|| {
            format!(
                "WITH {} SELECT {}, {}, current_user(), NULL, \
                 EXISTS (SELECT 1 FROM ix WHERE ix.db = s.db AND ix.tbl = s.name), \
                 EXISTS (SELECT 1 FROM {SCHEMA} g WHERE g.type = 'trigger' AND g.db = s.db \
                 AND g.tbl_name = s.name AND substr(g.name, 1, 15) = '_litewire_rule.'), \
                 EXISTS (SELECT 1 FROM {SCHEMA} g WHERE g.type = 'trigger' AND g.db = s.db \
                 AND g.tbl_name = s.name AND substr(g.name, 1, 15) <> '_litewire_rule.'), 0 \
                 FROM {SCHEMA} s WHERE s.type = 'table' AND {USER_OBJECTS}",
                indexes(),
                nspname("s.name", "s.db"),
                rel("s.name", "s.db")
            )
        }),
    },
    Table {
        name: "pg_indexes",
        columns: "schemaname name, tablename name, indexname name, tablespace name, \
                  indexdef text",
        body: Some(|| {
            format!(
                "WITH {} SELECT {}, {}, {}, NULL, {INDEX_DEF} FROM ix",
                indexes(),
                nspname("ix.tbl", "ix.db"),
                rel("ix.tbl", "ix.db"),
                rel("ix.name", "ix.db")
            )
        }),
    },
    Table {
        name: "pg_views",
        columns: "schemaname name, viewname name, viewowner name, definition text",
        body: Some(|| {
            // The view's query as SQLite keeps it (PostgreSQL prints its own rendering).
            format!(
                "SELECT {}, {}, current_user(), \
                 ltrim(substr(s.sql, instr(upper(s.sql), ' AS ') + 4)) || ';' \
                 FROM {SCHEMA} s WHERE s.type = 'view' AND {USER_OBJECTS}",
                nspname("s.name", "s.db"),
                rel("s.name", "s.db")
            )
        }),
    },
    Table {
        name: "pg_depend",
        columns: "classid oid, objid oid, objsubid int4, refclassid oid, refobjid oid, \
                  refobjsubid int4, deptype pg_char",
        body: Some(|| {
            // A sequence owned by a column: `a` (serial, OWNED BY) or `i` (identity).
            // A default calling nextval depends on its sequence; a view's `_RETURN` rule
            // on the view (`i`) and on the tables and views its query names (`n`): what
            // pg_dump orders its output by.
            format!(
                "WITH {} SELECT 1259, seq.oid, 0, 1259, {FIRST_USER_OID} + s.rowid, p.cid + 1, \
                 CASE WHEN seq.identity IS NULL THEN 'a' ELSE 'i' END \
                 FROM seq JOIN {SCHEMA} s ON s.type = 'table' AND s.name = seq.owned_table \
                 AND s.db = CASE seq.nsp WHEN {PG_TEMP} THEN 'temp' ELSE 'main' END \
                 JOIN pragma_table_info(s.name, s.db) p ON p.name = seq.owned_column \
                 UNION ALL \
                 SELECT 2604, {ATTRDEF_OID} + s.rowid * 1000 + p.cid + 1, 0, 1259, seq.oid, 0, 'n' \
                 FROM {SCHEMA} s, pragma_table_info(s.name, s.db) p, seq \
                 WHERE s.type = 'table' AND {USER_OBJECTS} \
                 AND seq.nsp = CASE s.db WHEN 'temp' THEN {PG_TEMP} ELSE {PUBLIC} END \
                 AND instr(p.dflt_value, 'nextval(' || quote(seq.name)) > 0 \
                 UNION ALL \
                 SELECT 2618, {REWRITE_OID} + s.rowid, 0, 1259, {FIRST_USER_OID} + s.rowid, 0, 'i' \
                 FROM {SCHEMA} s WHERE s.type = 'view' AND {USER_OBJECTS} \
                 UNION ALL \
                 SELECT DISTINCT 2618, {REWRITE_OID} + s.rowid, 0, 1259, \
                 {FIRST_USER_OID} + t.rowid, 0, 'n' \
                 FROM {SCHEMA} s, json_each(litewire_named_objects(s.sql)) r \
                 JOIN {SCHEMA} t ON t.type IN ('table', 'view') \
                 AND t.name = r.value COLLATE NOCASE AND t.name <> s.name \
                 WHERE s.type = 'view' AND {USER_OBJECTS}",
                sequences()
            )
        }),
    },
    Table {
        name: "pg_sequence",
        columns: "seqrelid oid, seqtypid oid, seqstart int8, seqincrement int8, seqmax int8, \
                  seqmin int8, seqcache int8, seqcycle bool",
        body: Some(|| {
            format!(
                "WITH {} SELECT oid, typid, start, increment, max, min, cache, cycle FROM seq",
                sequences()
            )
        }),
    },
    Table {
        name: "pg_sequences",
        columns: "schemaname name, sequencename name, sequenceowner name, data_type regtype, \
                  start_value int8, min_value int8, max_value int8, increment_by int8, \
                  cycle bool, cache_size int8, last_value int8",
        body: Some(|| {
            format!(
                "WITH {} SELECT nspname, relname, current_user(), type, start, min, max, increment, cycle, cache, last_value \
                 FROM seq",
                sequences()
            )
        }),
    },
    Table {
        name: "information_schema_sequences",
        columns: "sequence_catalog name, sequence_schema name, sequence_name name, \
                  data_type varchar, numeric_precision int4, numeric_precision_radix int4, \
                  numeric_scale int4, start_value varchar, minimum_value varchar, \
                  maximum_value varchar, increment varchar, cycle_option varchar",
        body: Some(|| {
            // Identity columns' sequences are not listed (as in PostgreSQL).
            format!(
                "WITH {} SELECT current_database(), nspname, relname, type, \
                 CASE type WHEN 'smallint' THEN 16 WHEN 'integer' THEN 32 ELSE 64 END, 2, 0, \
                 CAST(start AS TEXT), CAST(min AS TEXT), CAST(max AS TEXT), \
                 CAST(increment AS TEXT), CASE WHEN cycle THEN 'YES' ELSE 'NO' END \
                 FROM seq WHERE identity IS NULL",
                sequences()
            )
        }),
    },
    Table {
        name: "pg_index",
        columns: "indexrelid oid, indrelid oid, indnatts int2, indnkeyatts int2, \
                  indisunique bool, indnullsnotdistinct bool, indisprimary bool, \
                  indisexclusion bool, indimmediate bool, indisclustered bool, indisvalid bool, \
                  indcheckxmin bool, indisready bool, indislive bool, indisreplident bool, \
                  indkey int2vector, indcollation oidvector, indclass oidvector, \
                  indoption int2vector, \
                  indexprs text, indpred text, indexdef text HIDDEN",
        body: Some(|| {
            format!(
                "WITH {} SELECT ix.oid, ix.tbl_oid, ix.natts, ix.natts, ix.is_unique, 0, \
                 ix.origin = 'pk', 0, 1, coalesce(rel.cluster_index = ix.name, 0), 1, 0, 1, 1, \
                 coalesce(rel.replident = 'i' AND rel.replident_index = ix.name, 0), ix.keys, \
                 {zeros}, ix.classes, ix.options, NULL, NULL, {INDEX_DEF} \
                 FROM ix LEFT JOIN {RELATIONS} rel ON ix.db = 'main' AND rel.name = ix.tbl",
                indexes(),
                // Collations are not tracked: 0 for each column.
                zeros = "(SELECT json_group_array(0) FROM json_each(ix.keys))",
            )
        }),
    },
    Table {
        name: "pg_constraint",
        columns: "oid oid, conname name, connamespace oid, contype pg_char, condeferrable bool, \
                  condeferred bool, convalidated bool, conrelid oid, contypid oid, \
                  conindid oid, conparentid oid, confrelid oid, confupdtype pg_char, \
                  confdeltype pg_char, confmatchtype pg_char, conislocal bool, coninhcount int4, \
                  connoinherit bool, conkey int2[], confkey int2[], conpfeqop text, \
                  conppeqop text, conffeqop text, confdelsetcols text, conexclop text, \
                  conbin text, condef text HIDDEN",
        body: Some(|| {
            // Primary keys and UNIQUE constraints are their indexes; foreign keys come
            // from pragma_foreign_key_list, one row per column.
            format!(
                "WITH {ix}, fk AS (SELECT s.rowid AS tbl_rowid, s.name AS tbl, s.sql AS tbl_sql, \
                 s.db AS tbl_db, \
                 group_concat(f.\"from\", ', ') OVER (PARTITION BY s.rowid, f.id ORDER BY f.seq \
                 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS from_cols, f.* \
                 FROM {SCHEMA} s, pragma_foreign_key_list(s.name, s.db) f \
                 WHERE s.type = 'table' AND {USER_OBJECTS}) \
                 SELECT {CONSTRAINT_OID} + ix.oid, {rel_ix}, {nsp_ix}, \
                 CASE ix.origin WHEN 'pk' THEN 'p' ELSE 'u' END, 0, 0, 1, ix.tbl_oid, 0, ix.oid, \
                 0, 0, ' ', ' ', ' ', 1, 0, 1, ix.keys, NULL, \
                 NULL, NULL, NULL, NULL, NULL, NULL, \
                 CASE ix.origin WHEN 'pk' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END || ' (' || \
                 ix.cols || ')' \
                 FROM ix WHERE ix.origin IN ('pk', 'u') \
                 UNION ALL \
                 SELECT {CONSTRAINT_OID} + {FOREIGN_KEY_OID} + fk.tbl_rowid * 100 + fk.id, \
                 coalesce({fk_name}, \
                 {rel_fk} || '_' || group_concat(fk.\"from\", '_' ORDER BY fk.seq) || '_fkey'), \
                 {nsp_fk}, 'f', coalesce({fk_deferrable}, 0), coalesce({fk_deferred}, 0), 1, \
                 {FIRST_USER_OID} + fk.tbl_rowid, 0, 0, 0, \
                 {FIRST_USER_OID} + (SELECT x.rowid FROM {SCHEMA} x WHERE x.db = fk.tbl_db \
                 AND x.name = fk.\"table\"), \
                 {on_update}, {on_delete}, 's', 1, 0, 1, \
                 '[' || group_concat((SELECT cid + 1 FROM pragma_table_info(fk.tbl, fk.tbl_db) \
                 WHERE name = fk.\"from\"), ',' ORDER BY fk.seq) || ']', \
                 '[' || group_concat((SELECT p.cid + 1 FROM pragma_table_info(fk.\"table\", fk.tbl_db) p \
                 WHERE p.name = coalesce(fk.\"to\", (SELECT name FROM pragma_table_info(fk.\"table\", fk.tbl_db) \
                 WHERE pk = fk.seq + 1))), ',' ORDER BY fk.seq) || ']', NULL, NULL, NULL, \
                 NULL, NULL, NULL, \
                 'FOREIGN KEY (' || group_concat(fk.\"from\", ', ' ORDER BY fk.seq) || \
                 ') REFERENCES ' || fk.\"table\" || '(' || group_concat(coalesce(fk.\"to\", \
                 (SELECT name FROM pragma_table_info(fk.\"table\", fk.tbl_db) WHERE pk = fk.seq + 1)), \
                 ', ' ORDER BY fk.seq) || ')' || \
                 CASE fk.on_update WHEN 'NO ACTION' THEN '' ELSE ' ON UPDATE ' || fk.on_update END || \
                 CASE fk.on_delete WHEN 'NO ACTION' THEN '' ELSE ' ON DELETE ' || fk.on_delete END || \
                 CASE WHEN {fk_deferred} THEN ' DEFERRABLE INITIALLY DEFERRED' \
                 WHEN {fk_deferrable} THEN ' DEFERRABLE' ELSE '' END \
                 FROM fk GROUP BY fk.tbl_rowid, fk.id \
                 UNION ALL \
                 SELECT {CONSTRAINT_OID} + {CHECK_OID} + s.rowid * 100 + j.key, \
                 {rel_check}, {nsp_s}, 'c', 0, 0, 1, \
                 {FIRST_USER_OID} + s.rowid, 0, 0, 0, 0, ' ', ' ', ' ', 1, 0, 0, \
                 (SELECT '[' || group_concat(p.cid + 1, ',' ORDER BY a.key) || ']' \
                 FROM json_each(j.value, '$.attrs') a JOIN pragma_table_info(s.name, s.db) p \
                 ON p.name = a.value), NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
                 json_extract(j.value, '$.def') \
                 FROM {SCHEMA} s, json_each(pg_table_constraints(s.name, s.sql)) j \
                 WHERE s.type = 'table' AND {USER_OBJECTS} \
                 AND json_extract(j.value, '$.kind') = 'c'",
                ix = indexes(),
                fk_name = foreign_key_field("name"),
                fk_deferrable = foreign_key_field("deferrable"),
                fk_deferred = foreign_key_field("deferred"),
                on_update = action_code("fk.on_update"),
                on_delete = action_code("fk.on_delete"),
                rel_ix = rel("ix.name", "ix.db"),
                nsp_ix = nsp("ix.tbl", "ix.db"),
                rel_fk = rel("fk.tbl", "fk.tbl_db"),
                nsp_fk = nsp("fk.tbl", "fk.tbl_db"),
                rel_check = rel("json_extract(j.value, '$.name')", "s.db"),
                nsp_s = nsp("s.name", "s.db"),
            )
        }),
    },
    // No materialized views in SQLite: the table, empty (TypeORM lists them on sync).
    Table {
        name: "pg_matviews",
        columns: "schemaname name, matviewname name, matviewowner name, tablespace name, \
                  hasindexes bool, ispopulated bool, definition text",
        body: None,
    },
    Table {
        name: "pg_enum",
        columns: "oid oid, enumtypid oid, enumsortorder float4, enumlabel name",
        body: Some(crate::engine::objects::enum_label_rows),
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
        columns: "oid oid, polname name, polrelid oid, polcmd pg_char, polpermissive bool, \
                  polroles text, polqual text, polwithcheck text",
        body: None,
    },
    // Row-level security does not exist here: no policies (drizzle-kit reads them).
    Table {
        name: "pg_policies",
        columns: "schemaname name, tablename name, policyname name, permissive text, \
                  roles name[], cmd text, qual text, with_check text",
        body: None,
    },
    // Index statistics: litewire keeps none, so every count is zero (drizzle-kit lists
    // indexes through pg_stat_user_indexes).
    Table {
        name: "pg_stat_user_indexes",
        columns: STAT_INDEX_COLUMNS,
        body: Some(stat_index_rows),
    },
    Table {
        name: "pg_stat_all_indexes",
        columns: STAT_INDEX_COLUMNS,
        body: Some(stat_index_rows),
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
                  tgtype int2, tgenabled pg_char, tgisinternal bool, tgconstrrelid oid, \
                  tgconstrindid oid, tgconstraint oid, tgdeferrable bool, \
                  tginitdeferred bool, tgnargs int2, tgattr text, tgargs bytea, \
                  tgqual text, tgoldtable name, tgnewtable name",
        // Foreign keys' internal triggers (litewire has no others).
        body: Some(|| super::triggers::trigger_rows(CONSTRAINT_OID + FOREIGN_KEY_OID)),
    },
    Table {
        name: "pg_partitioned_table",
        columns: "partrelid oid, partstrat pg_char, partnatts int2, partdefid oid, \
                  partattrs text, partclass text, partcollation text, partexprs text",
        body: None,
    },
    Table {
        name: "pg_opfamily",
        columns: "oid oid, opfmethod oid, opfname name, opfnamespace oid, opfowner oid",
        body: Some(|| {
            let rows: Vec<String> = OPFAMILIES
                .iter()
                .map(|(oid, name)| format!("({oid}, 403, '{name}', {PG_CATALOG}, 10)"))
                .collect();
            format!("VALUES {}", rows.join(", "))
        }),
    },
    Table {
        // The languages litewire's functions are written in (pg_proc.prolang).
        name: "pg_language",
        columns: "oid oid, lanname name, lanowner oid, lanispl bool, lanpltrusted bool, \
                  lanplcallfoid oid, laninline oid, lanvalidator oid, lanacl text",
        body: Some(|| {
            "VALUES (12, 'internal', 10, 0, 0, 0, 0, 2246, NULL), \
             (14, 'sql', 10, 0, 1, 0, 0, 2248, NULL)"
                .into()
        }),
    },
    // Objects litewire does not have (built-in operators, casts, conversions and text
    // search objects are not listed either, as pg_proc lists no built-in function):
    // pg_dump reads these tables and finds nothing to dump.
    Table {
        name: "pg_operator",
        columns: "oid oid, oprname name, oprnamespace oid, oprowner oid, oprkind pg_char, \
                  oprcanmerge bool, oprcanhash bool, oprleft oid, oprright oid, \
                  oprresult oid, oprcom oid, oprnegate oid, oprcode text, oprrest text, \
                  oprjoin text",
        body: None,
    },
    Table {
        name: "pg_cast",
        columns: "oid oid, castsource oid, casttarget oid, castfunc oid, \
                  castcontext pg_char, castmethod pg_char",
        body: None,
    },
    Table {
        name: "pg_conversion",
        columns: "oid oid, conname name, connamespace oid, conowner oid, \
                  conforencoding int4, contoencoding int4, conproc text, condefault bool",
        body: None,
    },
    Table {
        name: "pg_transform",
        columns: "oid oid, trftype oid, trflang oid, trffromsql text, trftosql text",
        body: None,
    },
    Table {
        name: "pg_amop",
        columns: "oid oid, amopfamily oid, amoplefttype oid, amoprighttype oid, \
                  amopstrategy int2, amoppurpose pg_char, amopopr oid, amopmethod oid, \
                  amopsortfamily oid",
        body: None,
    },
    Table {
        name: "pg_amproc",
        columns: "oid oid, amprocfamily oid, amproclefttype oid, amprocrighttype oid, \
                  amprocnum int2, amproc text",
        body: None,
    },
    Table {
        name: "pg_ts_parser",
        columns: "oid oid, prsname name, prsnamespace oid, prsstart text, prstoken text, \
                  prsend text, prsheadline text, prslextype text",
        body: None,
    },
    Table {
        name: "pg_ts_template",
        columns: "oid oid, tmplname name, tmplnamespace oid, tmplinit text, tmpllexize text",
        body: None,
    },
    Table {
        name: "pg_ts_dict",
        columns: "oid oid, dictname name, dictnamespace oid, dictowner oid, \
                  dicttemplate oid, dictinitoption text",
        body: None,
    },
    Table {
        name: "pg_ts_config",
        columns: "oid oid, cfgname name, cfgnamespace oid, cfgowner oid, cfgparser oid",
        body: None,
    },
    Table {
        name: "pg_foreign_data_wrapper",
        columns: "oid oid, fdwname name, fdwowner oid, fdwhandler text, fdwvalidator text, \
                  fdwacl text, fdwoptions text",
        body: None,
    },
    Table {
        name: "pg_foreign_server",
        columns: "oid oid, srvname name, srvowner oid, srvfdw oid, srvtype text, \
                  srvversion text, srvacl text, srvoptions text",
        body: None,
    },
    Table {
        name: "pg_foreign_table",
        columns: "ftrelid oid, ftserver oid, ftoptions text",
        body: None,
    },
    Table {
        // No privileges are kept: no ACLs, default or initial.
        name: "pg_default_acl",
        columns: "oid oid, defaclrole oid, defaclnamespace oid, defaclobjtype pg_char, \
                  defaclacl text",
        body: None,
    },
    Table {
        name: "pg_init_privs",
        columns: "objoid oid, classoid oid, objsubid int4, privtype pg_char, initprivs text",
        body: Some(|| format!("VALUES ({PUBLIC}, 2615, 0, 'i', '{PUBLIC_ACL}')")),
    },
    Table {
        name: "pg_event_trigger",
        columns: "oid oid, evtname name, evtevent name, evtowner oid, evtfoid oid, \
                  evtenabled pg_char, evttags text",
        body: None,
    },
    Table {
        // Views' `_RETURN` rules (their query trees are not kept: ev_action NULL);
        // litewire's rules (triggers, objects/rules.rs) are not listed: COMPAT.md.
        name: "pg_rewrite",
        columns: "oid oid, rulename name, ev_class oid, ev_type pg_char, \
                  ev_enabled pg_char, is_instead bool, ev_qual text, ev_action text",
        body: Some(|| {
            format!(
                "SELECT {REWRITE_OID} + s.rowid, '_RETURN', {FIRST_USER_OID} + s.rowid, '1', \
                 'O', 1, NULL, NULL FROM {SCHEMA} s \
                 WHERE s.type = 'view' AND {USER_OBJECTS}"
            )
        }),
    },
    Table {
        name: "pg_subscription",
        columns: "oid oid, subdbid oid, subskiplsn text, subname name, subowner oid, \
                  subenabled bool, subbinary bool, substream pg_char, \
                  subtwophasestate pg_char, subdisableonerr bool, subconninfo text, \
                  subslotname name, subsynccommit text, subpublications text",
        body: None,
    },
    Table {
        name: "pg_largeobject_metadata",
        columns: "oid oid, lomowner oid, lomacl text",
        body: None,
    },
    Table {
        // The session's parameters (SHOW ALL's), handed over by the session for a
        // statement that names the view: name and value; litewire keeps no units,
        // descriptions, contexts or sources (NULL).
        name: "pg_settings",
        columns: "name text, setting text, unit text, category text, short_desc text, \
                  extra_desc text, context text, vartype text, source text, min_val text, \
                  max_val text, enumvals text, boot_val text, reset_val text, \
                  sourcefile text, sourceline int4, pending_restart bool",
        body: Some(|| {
            "SELECT value ->> 'name', value ->> 'setting', NULL, NULL, NULL, NULL, NULL, \
             NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0 \
             FROM json_each(litewire_settings())"
                .into()
        }),
    },
    Table {
        // No ALTER DATABASE/ROLE … SET: no per-database or per-role settings.
        name: "pg_db_role_setting",
        columns: "setdatabase oid, setrole oid, setconfig text[]",
        body: None,
    },
    Table {
        name: "pg_shseclabel",
        columns: "objoid oid, classoid oid, provider text, label text",
        body: None,
    },
    Table {
        name: "pg_seclabels",
        columns: "objoid oid, classoid oid, objsubid int4, objtype text, \
                  objnamespace oid, objname text, provider text, label text",
        body: None,
    },
    Table {
        name: "pg_proc",
        columns: "oid oid, proname name, pronamespace oid, proowner oid, prolang oid, \
                  prokind pg_char, proretset bool, prorettype oid, pronargs int2, \
                  proargtypes text, prosrc text, proacl text, provolatile pg_char, \
                  proisstrict bool, prosecdef bool, proleakproof bool, proparallel pg_char, \
                  procost float4, prorows float4, provariadic oid, prosupport text, \
                  pronargdefaults int2, proallargtypes text, proargmodes text, \
                  proargnames text, proargdefaults text, protrftypes text, probin text, \
                  proconfig text",
        // litewire's SQL functions (objects/routines.rs); of the built-in ones only the
        // foreign keys' trigger functions, which pg_trigger names.
        body: Some(|| {
            format!(
                "{} UNION ALL {}",
                crate::engine::objects::function_rows(PUBLIC),
                super::triggers::function_rows()
            )
        }),
    },
];
