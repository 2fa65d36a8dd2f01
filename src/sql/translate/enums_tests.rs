//! Golden tests: enum and composite types (enums.rs) and domains (domains.rs) → internal
//! batches, enum columns' checks and casts.

use crate::engine::objects::MARKER;
use crate::protocol::PgError;
use crate::sql::parse::parse_one;
use crate::sql::translate::{read_by_hand, to_sqlite};

use crate::sql::translate::tests::Fixed;

fn sqlite(pg: &str) -> String {
    let text = match read_by_hand(pg) {
        Some(s) => s.unwrap(),
        None => to_sqlite(parse_one(pg, 64).unwrap(), &mut Fixed).unwrap(),
    };
    text.replace(MARKER, "~").replace('\0', " | ")
}

fn refused(pg: &str) -> PgError {
    match read_by_hand(pg) {
        Some(r) => r.unwrap_err(),
        None => to_sqlite(parse_one(pg, 64).unwrap(), &mut Fixed).unwrap_err(),
    }
}

#[test]
fn type_statements_become_batches() {
    assert_eq!(
        sqlite("CREATE TYPE \"public\".\"enum_Users_kind\" AS ENUM('x', 'it''s')"),
        "~+main.enums SELECT litewire_create_enum(0, 'enum_Users_kind', 'x', 'it''s')"
    );
    assert_eq!(
        sqlite("create type Mood as enum ()"),
        "~+main.enums SELECT litewire_create_enum(0, 'mood')"
    );
    assert_eq!(
        sqlite("DROP TYPE IF EXISTS a, public.\"B\" CASCADE"),
        "~SELECT litewire_drop_type('a', 1, 1) | SELECT litewire_drop_type('B', 1, 1)"
    );
    assert_eq!(
        sqlite("ALTER TYPE m ADD VALUE IF NOT EXISTS 'v' BEFORE 'w'"),
        "~SELECT litewire_enum_add('m', 'v', 1, 'w', NULL)"
    );
    assert_eq!(
        sqlite("ALTER TYPE m ADD VALUE 'v' AFTER 'w'"),
        "~SELECT litewire_enum_add('m', 'v', 0, NULL, 'w')"
    );
    assert_eq!(
        sqlite("ALTER TYPE m RENAME VALUE 'a' TO 'b'"),
        "~SELECT litewire_enum_rename_value('m', 'a', 'b')"
    );
    assert_eq!(
        sqlite("ALTER TYPE m RENAME TO N"),
        "~SELECT litewire_rename_type('m', 'n')"
    );
    assert_eq!(
        sqlite("ALTER TYPE public.m OWNER TO postgres;"),
        "~SELECT litewire_type_owner('m', 'postgres')"
    );
    assert_eq!(
        sqlite("ALTER TYPE m OWNER TO CURRENT_USER"),
        "~SELECT litewire_type_owner('m', current_user())"
    );
    assert_eq!(
        refused("CREATE TYPE c AS (a int COLLATE \"C\")").code.0,
        "0A000"
    );
    // Types stay public's (schemas.rs): one in another schema is 0A000.
    assert_eq!(refused("CREATE TYPE o.m AS ENUM ('a')").code.0, "0A000");
    assert_eq!(
        refused("CREATE TYPE pg_toast.m AS ENUM ('a')").code.0,
        "3F000"
    );
}

#[test]
fn sequelizes_do_block_creates_unless_the_type_exists() {
    assert_eq!(
        sqlite(
            "DO 'BEGIN CREATE TYPE \"public\".\"enum_Users_kind\" AS ENUM(''x'', ''y''); \
             EXCEPTION WHEN duplicate_object THEN null; END';"
        ),
        "~+main.enums SELECT litewire_create_enum(1, 'enum_Users_kind', 'x', 'y')"
    );
    assert_eq!(
        sqlite(
            "do $$ begin create type m as enum ('a'); \
             exception when duplicate_object then null; end $$"
        ),
        "~+main.enums SELECT litewire_create_enum(1, 'm', 'a')"
    );
    assert_eq!(refused("DO 'BEGIN PERFORM 1; END'").code.0, "0A000");
    assert_eq!(
        refused("DO 'BEGIN DROP TABLE t; EXCEPTION WHEN duplicate_object THEN null; END'")
            .code
            .0,
        "0A000"
    );
}

#[test]
fn columns_of_unknown_types_check_the_enums_labels() {
    assert_eq!(
        sqlite("CREATE TABLE t (a int4, k \"public\".\"enum_T_k\", m mood)"),
        "~=CREATE TABLE t (a INT4 CONSTRAINT \"_litewire_22003 integer\" CHECK (a BETWEEN \
         -2147483648 AND 2147483647), k \"enum_T_k\" CONSTRAINT \"_litewire_22P02 enum_T_k\" \
         CHECK (litewire_enum_check(k, 'enum_T_k')), m \"mood\" CONSTRAINT \
         \"_litewire_22P02 mood\" CHECK (litewire_enum_check(m, 'mood'))) | \
         SELECT litewire_plain_column_type('enum_T_k') | SELECT litewire_plain_column_type('mood')"
    );
    // Types litewire knows get no enum check.
    assert_eq!(
        sqlite("CREATE TABLE t (a text, b varchar(3)[], c timestamptz)"),
        "CREATE TABLE t (a TEXT, b VARCHAR [](3), c TIMESTAMPTZ)"
    );
    assert_eq!(
        sqlite("ALTER TABLE t ADD COLUMN m public.Mood"),
        "~=ALTER TABLE t ADD COLUMN m \"mood\" CONSTRAINT \"_litewire_22P02 mood\" \
         CHECK (litewire_enum_check(m, 'mood')) | SELECT litewire_plain_column_type('mood', 1)"
    );
}

#[test]
fn casts_and_ranges_name_the_type() {
    assert_eq!(
        sqlite("SELECT 'x'::mood, k::\"Mood\", enum_range(NULL::mood), enum_first(NULL::mood)"),
        "SELECT pg_enum_in('x', 'mood'), pg_enum_in(k, 'Mood'), pg_enum_range('mood'), \
         pg_enum_first('mood')"
    );
}

#[test]
fn composite_types_and_domains_become_batches() {
    assert_eq!(
        sqlite("CREATE TYPE public.Pair AS (X int, \"Y\" _int4, c char(10)[], r jpop)"),
        "~+main.composites SELECT litewire_create_composite('pair', 'x', 'int', 'Y', \
         '_int4', 'c', 'char(10)[]', 'r', 'jpop')"
    );
    assert_eq!(
        sqlite("CREATE DOMAIN d AS int NOT NULL"),
        "~+main.domains SELECT litewire_create_domain('d', 'int', 1)"
    );
    // Each CHECK is a query over the value bound as parameter 1; unnamed ones are named
    // as PostgreSQL names them.
    assert_eq!(
        sqlite("create domain D as int[] CHECK (array_length(VALUE, 1) = 3) CONSTRAINT pos CHECK (value[1] > 0) check (VALUE IS NOT NULL);"),
        "~+main.domains SELECT litewire_create_domain('d', 'int[]', 0, 'd_check', \
         'SELECT (pg_array_length(VALUE, 1) = 3) FROM (SELECT $1 AS value) AS _domain', \
         'pos', 'SELECT (pg_array_get(value, 1, 1) > 0) \
         FROM (SELECT $1 AS value) AS _domain', 'd_check1', \
         'SELECT (VALUE IS NOT NULL) FROM (SELECT $1 AS value) AS _domain')"
    );
    // A composite base type's fields: read from the record's text.
    assert_eq!(
        sqlite("create domain p as pair check ((value).x <= (VALUE).\"Y\")"),
        "~+main.domains SELECT litewire_create_domain('p', 'pair', 0, 'p_check', \
         'SELECT (pg_record_field(value, ''pair'', ''x'') <= pg_record_field(VALUE, ''pair'', \
         ''Y'')) FROM (SELECT $1 AS value) AS _domain')"
    );
    assert_eq!(
        sqlite("DROP DOMAIN IF EXISTS a, public.b CASCADE"),
        "~SELECT litewire_drop_domain('a', 1, 1) | SELECT litewire_drop_domain('b', 1, 1)"
    );
    // A column whose type may be a composite type or domain is checked after CREATE.
    assert!(sqlite("CREATE TABLE t (a int, b pair)")
        .ends_with(" | SELECT litewire_plain_column_type('pair')"));
    assert!(!sqlite("CREATE TABLE t (LIKE s, b pair)").contains("litewire_plain_column_type"));
    // A column definition translated for ALTER TABLE keeps only the CREATE TABLE.
    let batch = to_sqlite(
        parse_one("CREATE TABLE t (b pair)", 64).unwrap(),
        &mut Fixed,
    )
    .unwrap();
    assert_eq!(
        crate::sql::translate::without_type_checks(&batch),
        "CREATE TABLE t (b \"pair\" CONSTRAINT \"_litewire_22P02 pair\" CHECK \
         (litewire_enum_check(b, 'pair')))"
    );
    assert_eq!(
        refused("CREATE DOMAIN d AS int COLLATE \"C\"").code.0,
        "0A000"
    );
    assert_eq!(refused("CREATE DOMAIN d AS int CHECK").code.0, "42601");
    assert_eq!(refused("CREATE DOMAIN d AS int UNIQUE").code.0, "42601");
}
