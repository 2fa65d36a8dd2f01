//! The built-in types: what `pg_type` lists, and the name/OID conversions
//! (`format_type`, `to_regtype`, array types) the catalog functions use.

use super::tables::PG_CATALOG;

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
        (1700, m) if m >= 4 => {
            let (p, s) = crate::engine::pgfuncs::decimal::typmod_parts(m);
            format!("numeric({p},{s})")
        }
        _ => sql,
    })
}

/// Whether `name` (folded, unqualified) is a type PostgreSQL 15 has built in: any
/// `pg_catalog` type (`_name` for its array), or a name its grammar takes for one. A
/// column of any other type that is no enum, composite type, domain or relation is
/// 42704 (objects/composites.rs), where SQLite would take any name.
pub fn postgres_has_type(name: &str) -> bool {
    const SQL_NAMES: &[&str] = &[
        "int",
        "integer",
        "smallint",
        "bigint",
        "real",
        "float",
        "double",
        "decimal",
        "dec",
        "boolean",
        "character",
        "nchar",
        "national",
        "varbit",
    ];
    let base = name.strip_prefix('_').unwrap_or(name);
    SQL_NAMES.contains(&name) || PG_CATALOG_TYPES.binary_search(&base).is_ok()
}

/// PostgreSQL 15's `pg_catalog` type names (arrays' `_` names left out), sorted.
const PG_CATALOG_TYPES: &[&str] = &[
    "aclitem",
    "any",
    "anyarray",
    "anycompatible",
    "anycompatiblearray",
    "anycompatiblemultirange",
    "anycompatiblenonarray",
    "anycompatiblerange",
    "anyelement",
    "anyenum",
    "anymultirange",
    "anynonarray",
    "anyrange",
    "bit",
    "bool",
    "box",
    "bpchar",
    "bytea",
    "char",
    "cid",
    "cidr",
    "circle",
    "cstring",
    "date",
    "datemultirange",
    "daterange",
    "event_trigger",
    "fdw_handler",
    "float4",
    "float8",
    "gtsvector",
    "index_am_handler",
    "inet",
    "int2",
    "int2vector",
    "int4",
    "int4multirange",
    "int4range",
    "int8",
    "int8multirange",
    "int8range",
    "internal",
    "interval",
    "json",
    "jsonb",
    "jsonpath",
    "language_handler",
    "line",
    "lseg",
    "macaddr",
    "macaddr8",
    "money",
    "name",
    "numeric",
    "nummultirange",
    "numrange",
    "oid",
    "oidvector",
    "path",
    "pg_aggregate",
    "pg_am",
    "pg_amop",
    "pg_amproc",
    "pg_attrdef",
    "pg_attribute",
    "pg_auth_members",
    "pg_authid",
    "pg_available_extension_versions",
    "pg_available_extensions",
    "pg_backend_memory_contexts",
    "pg_brin_bloom_summary",
    "pg_brin_minmax_multi_summary",
    "pg_cast",
    "pg_class",
    "pg_collation",
    "pg_config",
    "pg_constraint",
    "pg_conversion",
    "pg_cursors",
    "pg_database",
    "pg_db_role_setting",
    "pg_ddl_command",
    "pg_default_acl",
    "pg_depend",
    "pg_dependencies",
    "pg_description",
    "pg_enum",
    "pg_event_trigger",
    "pg_extension",
    "pg_file_settings",
    "pg_foreign_data_wrapper",
    "pg_foreign_server",
    "pg_foreign_table",
    "pg_group",
    "pg_hba_file_rules",
    "pg_ident_file_mappings",
    "pg_index",
    "pg_indexes",
    "pg_inherits",
    "pg_init_privs",
    "pg_language",
    "pg_largeobject",
    "pg_largeobject_metadata",
    "pg_locks",
    "pg_lsn",
    "pg_matviews",
    "pg_mcv_list",
    "pg_namespace",
    "pg_ndistinct",
    "pg_node_tree",
    "pg_opclass",
    "pg_operator",
    "pg_opfamily",
    "pg_parameter_acl",
    "pg_partitioned_table",
    "pg_policies",
    "pg_policy",
    "pg_prepared_statements",
    "pg_prepared_xacts",
    "pg_proc",
    "pg_publication",
    "pg_publication_namespace",
    "pg_publication_rel",
    "pg_publication_tables",
    "pg_range",
    "pg_replication_origin",
    "pg_replication_origin_status",
    "pg_replication_slots",
    "pg_rewrite",
    "pg_roles",
    "pg_rules",
    "pg_seclabel",
    "pg_seclabels",
    "pg_sequence",
    "pg_sequences",
    "pg_settings",
    "pg_shadow",
    "pg_shdepend",
    "pg_shdescription",
    "pg_shmem_allocations",
    "pg_shseclabel",
    "pg_snapshot",
    "pg_stat_activity",
    "pg_stat_all_indexes",
    "pg_stat_all_tables",
    "pg_stat_archiver",
    "pg_stat_bgwriter",
    "pg_stat_database",
    "pg_stat_database_conflicts",
    "pg_stat_gssapi",
    "pg_stat_progress_analyze",
    "pg_stat_progress_basebackup",
    "pg_stat_progress_cluster",
    "pg_stat_progress_copy",
    "pg_stat_progress_create_index",
    "pg_stat_progress_vacuum",
    "pg_stat_recovery_prefetch",
    "pg_stat_replication",
    "pg_stat_replication_slots",
    "pg_stat_slru",
    "pg_stat_ssl",
    "pg_stat_subscription",
    "pg_stat_subscription_stats",
    "pg_stat_sys_indexes",
    "pg_stat_sys_tables",
    "pg_stat_user_functions",
    "pg_stat_user_indexes",
    "pg_stat_user_tables",
    "pg_stat_wal",
    "pg_stat_wal_receiver",
    "pg_stat_xact_all_tables",
    "pg_stat_xact_sys_tables",
    "pg_stat_xact_user_functions",
    "pg_stat_xact_user_tables",
    "pg_statio_all_indexes",
    "pg_statio_all_sequences",
    "pg_statio_all_tables",
    "pg_statio_sys_indexes",
    "pg_statio_sys_sequences",
    "pg_statio_sys_tables",
    "pg_statio_user_indexes",
    "pg_statio_user_sequences",
    "pg_statio_user_tables",
    "pg_statistic",
    "pg_statistic_ext",
    "pg_statistic_ext_data",
    "pg_stats",
    "pg_stats_ext",
    "pg_stats_ext_exprs",
    "pg_subscription",
    "pg_subscription_rel",
    "pg_tables",
    "pg_tablespace",
    "pg_timezone_abbrevs",
    "pg_timezone_names",
    "pg_transform",
    "pg_trigger",
    "pg_ts_config",
    "pg_ts_config_map",
    "pg_ts_dict",
    "pg_ts_parser",
    "pg_ts_template",
    "pg_type",
    "pg_user",
    "pg_user_mapping",
    "pg_user_mappings",
    "pg_views",
    "point",
    "polygon",
    "record",
    "refcursor",
    "regclass",
    "regcollation",
    "regconfig",
    "regdictionary",
    "regnamespace",
    "regoper",
    "regoperator",
    "regproc",
    "regprocedure",
    "regrole",
    "regtype",
    "table_am_handler",
    "text",
    "tid",
    "time",
    "timestamp",
    "timestamptz",
    "timetz",
    "trigger",
    "tsm_handler",
    "tsmultirange",
    "tsquery",
    "tsrange",
    "tstzmultirange",
    "tstzrange",
    "tsvector",
    "txid_snapshot",
    "unknown",
    "uuid",
    "varbit",
    "varchar",
    "void",
    "xid",
    "xid8",
    "xml",
];

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

pub(super) fn pg_type_rows() -> String {
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
}
