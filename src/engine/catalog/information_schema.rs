//! information_schema's constraint views, read from the emulated pg_constraint (primary
//! keys, UNIQUE, foreign keys, CHECKs) and from SQLite's NOT NULL columns, which PostgreSQL also
//! lists as CHECK constraints named `<namespace>_<table oid>_<attnum>_not_null`.
//! ORMs read these to find foreign keys and keys (Sequelize, TypeORM, Knex, Peewee).

use super::tables::{nsp, nspname, rel, FIRST_USER_OID, SCHEMA, USER_OBJECTS};

/// A constraint's table, with its columns unnested: c (pg_constraint), t (name, oid),
/// k (the key's attnums: `key` the 0-based position, `value` the attnum) and a (the
/// column). `key` is `conkey` or `confkey` (JSON arrays here); `table` the table they
/// number.
fn key_columns(key: &str, table: &str) -> String {
    format!(
        "pg_constraint c JOIN (SELECT {FIRST_USER_OID} + s.rowid AS oid, s.name AS name, \
         s.db AS db FROM {SCHEMA} s WHERE s.type = 'table') t ON t.oid = c.{table}, \
         json_each(c.{key}) k, \
         pragma_table_info(t.name, t.db) a \
         WHERE c.contype IN ('p', 'u', 'f') AND a.cid + 1 = k.value"
    )
}

/// Columns that must not be NULL (NOT NULL, or part of the primary key): s, p.
fn not_null_columns() -> String {
    format!(
        "{SCHEMA} s, pragma_table_info(s.name, s.db) p \
         WHERE s.type = 'table' AND {USER_OBJECTS} AND (p.\"notnull\" OR p.pk > 0)"
    )
}

fn not_null_name() -> String {
    format!(
        "({}) || '_' || ({FIRST_USER_OID} + s.rowid) || '_' || (p.cid + 1) || '_not_null'",
        nsp("s.name", "s.db")
    )
}

pub(super) fn table_constraints() -> String {
    format!(
        "SELECT current_database(), {nsp_t}, c.conname, current_database(), {nsp_t}, \
         {rel_t}, CASE c.contype WHEN 'p' THEN 'PRIMARY KEY' WHEN 'u' THEN 'UNIQUE' \
         WHEN 'f' THEN 'FOREIGN KEY' ELSE 'CHECK' END, 'NO', 'NO', 'YES', \
         CASE WHEN c.contype = 'u' THEN 'YES' END \
         FROM pg_constraint c JOIN {SCHEMA} t ON {FIRST_USER_OID} + t.rowid = c.conrelid \
         UNION ALL \
         SELECT current_database(), {nsp_s}, {name}, current_database(), {nsp_s}, {rel_s}, \
         'CHECK', 'NO', 'NO', 'YES', NULL FROM {nn}",
        name = not_null_name(),
        nn = not_null_columns(),
        nsp_t = nspname("t.name", "t.db"),
        rel_t = rel("t.name", "t.db"),
        nsp_s = nspname("s.name", "s.db"),
        rel_s = rel("s.name", "s.db"),
    )
}

pub(super) fn key_column_usage() -> String {
    format!(
        "SELECT current_database(), {nsp}, c.conname, current_database(), {nsp}, \
         {rel}, a.name, k.key + 1, CASE WHEN c.contype = 'f' THEN k.key + 1 END \
         FROM {keys}",
        keys = key_columns("conkey", "conrelid"),
        nsp = nspname("t.name", "t.db"),
        rel = rel("t.name", "t.db"),
    )
}

/// The columns a key uses: its own, or for a foreign key the referenced ones (PostgreSQL
/// lists no NOT NULL constraints here).
pub(super) fn constraint_column_usage() -> String {
    format!(
        "SELECT current_database(), {nsp}, {rel}, a.name, current_database(), {nsp}, \
         c.conname FROM {keys} AND c.contype IN ('p', 'u') \
         UNION ALL \
         SELECT current_database(), {nsp}, {rel}, a.name, current_database(), {nsp}, \
         c.conname FROM {referenced} AND c.contype = 'f'",
        nsp = nspname("t.name", "t.db"),
        rel = rel("t.name", "t.db"),
        keys = key_columns("conkey", "conrelid"),
        referenced = key_columns("confkey", "confrelid"),
    )
}

pub(super) fn referential_constraints() -> String {
    let rule = |column: &str| {
        format!(
            "CASE c.{column} WHEN 'c' THEN 'CASCADE' WHEN 'r' THEN 'RESTRICT' \
             WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END"
        )
    };
    format!(
        "SELECT current_database(), 'public', c.conname, current_database(), 'public', \
         (SELECT u.conname FROM pg_constraint u WHERE u.conrelid = c.confrelid \
         AND u.contype IN ('p', 'u') ORDER BY u.contype LIMIT 1), 'NONE', {update}, {delete} \
         FROM pg_constraint c WHERE c.contype = 'f'",
        update = rule("confupdtype"),
        delete = rule("confdeltype"),
    )
}

pub(super) fn check_constraints() -> String {
    format!(
        "SELECT current_database(), 'public', c.conname, substr(c.condef, 7) \
         FROM pg_constraint c WHERE c.contype = 'c' \
         UNION ALL \
         SELECT current_database(), 'public', {name}, p.name || ' IS NOT NULL' FROM {nn}",
        name = not_null_name(),
        nn = not_null_columns(),
    )
}
