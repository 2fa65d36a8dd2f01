//! Enum types (CREATE TYPE … AS ENUM, ALTER/DROP TYPE), columns of them, and the
//! catalogs drivers and ORMs read them from. Each answer was checked against
//! PostgreSQL 15 first.

use crate::common::{answers, refusals, sqlstate, Server};

#[tokio::test]
async fn enum_types_are_created_altered_and_dropped_as_in_postgresql() {
    let s = Server::start(&[]);
    let c = s.connect("enums").await;
    c.batch_execute(
        "create type mood as enum ('sad', 'ok', 'happy'); \
         create table t (id int, m mood); \
         insert into t values (1, 'ok'), (2, 'sad'), (3, 'happy')",
    )
    .await
    .unwrap();
    refusals(
        &c,
        &[
            (
                "create type mood as enum ('x')",
                "42710",
                "type \"mood\" already exists",
            ),
            (
                "create type dup as enum ('a', 'a')",
                "23505",
                "duplicate key value violates unique constraint \"pg_enum_typid_label_index\"",
            ),
            (
                "create type toolong as enum \
                 ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')",
                "42602",
                "invalid enum label \
                 \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
            ),
            (
                "insert into t values (4, 'zz')",
                "22P02",
                "invalid input value for enum mood: \"zz\"",
            ),
            (
                "update t set m = 'nope' where id = 1",
                "22P02",
                "invalid input value for enum mood: \"nope\"",
            ),
            (
                "select 'zz'::mood",
                "22P02",
                "invalid input value for enum mood: \"zz\"",
            ),
            (
                "drop type mood",
                "2BP01",
                "cannot drop type mood because other objects depend on it",
            ),
            ("drop type nope", "42704", "type \"nope\" does not exist"),
            (
                "alter type mood add value 'ok'",
                "42710",
                "enum label \"ok\" already exists",
            ),
            (
                "alter type mood add value 'meh' before 'nope'",
                "22023",
                "\"nope\" is not an existing enum label",
            ),
            (
                "alter type mood rename value 'nope' to 'x'",
                "22023",
                "\"nope\" is not an existing enum label",
            ),
            (
                "alter type mood owner to nobody",
                "42704",
                "role \"nobody\" does not exist",
            ),
            (
                "alter type nope owner to current_user",
                "42704",
                "type \"nope\" does not exist",
            ),
            (
                "alter type mood rename value 'ok' to 'sad'",
                "42710",
                "enum label \"sad\" already exists",
            ),
        ],
    )
    .await;
    // The 2BP01 names the column, as PostgreSQL's detail does.
    let e = c.batch_execute("drop type mood").await.unwrap_err();
    assert_eq!(
        e.as_db_error().unwrap().detail(),
        Some("column m of table t depends on type mood")
    );
    // Labels added later are accepted at once; renamed labels carry the stored values.
    c.batch_execute(
        "drop type if exists nope; alter type public.mood owner to current_user; \
         alter type mood add value if not exists 'ok'; \
         alter type mood add value 'meh' before 'ok'; \
         alter type public.mood add value 'great' after 'happy'; \
         alter type mood rename value 'ok' to 'fine'; \
         insert into t values (5, 'great'), (6, 'meh')",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[
            (
                "select id, m from t order by id",
                "1|fine\n2|sad\n3|happy\n5|great\n6|meh",
            ),
            ("select 'meh'::mood", "meh"),
            (
                "select enumsortorder, enumlabel from pg_enum \
                 where enumtypid = 'mood'::regtype order by enumsortorder",
                "1|sad\n1.5|meh\n2|fine\n3|happy\n4|great",
            ),
            (
                "select typname, typtype, typcategory, typlen, typnamespace, typinput, \
                 typoutput from pg_type where typname = 'mood'",
                "mood|e|E|4|2200|enum_in|enum_out",
            ),
            (
                "select format_type('mood'::regtype, -1), \
                 format_type(a.atttypid, a.atttypmod) from pg_attribute a \
                 join pg_class r on r.oid = a.attrelid \
                 where r.relname = 't' and a.attname = 'm'",
                "mood|mood",
            ),
            (
                "select data_type, udt_schema, udt_name from information_schema.columns \
                 where table_name = 't' and column_name = 'm'",
                "USER-DEFINED|public|mood",
            ),
        ],
    )
    .await;
    // A type no column uses is renamed and dropped; one a column uses is not dropped by
    // CASCADE (that would drop the column).
    c.batch_execute("create type other as enum ('a')")
        .await
        .unwrap();
    c.batch_execute("alter type other rename to other2")
        .await
        .unwrap();
    // One missing name: nothing is dropped.
    let e = c
        .batch_execute("drop type other2, if_none_here_fails")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42704");
    answers(
        &c,
        &[("select count(*) from pg_type where typname = 'other2'", "1")],
    )
    .await;
    c.batch_execute("drop type other2 restrict").await.unwrap();
    answers(
        &c,
        &[("select count(*) from pg_type where typname = 'other2'", "0")],
    )
    .await;
    let e = c.batch_execute("drop type mood cascade").await.unwrap_err();
    assert_eq!(sqlstate(&e), "0A000");
    c.batch_execute("drop table t; drop type mood")
        .await
        .unwrap();
    answers(&c, &[("select count(*) from pg_enum", "0")]).await;
}

#[tokio::test]
async fn enum_columns_are_described_with_the_enums_oid() {
    let s = Server::start(&[]);
    let c = s.connect("enums").await;
    c.batch_execute(
        "drop type if exists \"public\".\"enum_Users_kind\"; \
         create type \"public\".\"enum_Users_kind\" as enum ('x', 'y'); \
         create table u (id int, kind \"public\".\"enum_Users_kind\"); \
         alter table u add column k2 \"enum_Users_kind\"",
    )
    .await
    .unwrap();
    c.batch_execute("insert into u values (1, 'x', 'y')")
        .await
        .unwrap();
    // A parameter given as text is checked as literals are.
    let e = c
        .execute(
            "insert into u (id, k2) values (2, $1::text::\"enum_Users_kind\")",
            &[&"z"],
        )
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22P02");
    let oid: u32 = c
        .query_one(
            "select oid from pg_type where typname = 'enum_Users_kind' \
             and pg_type_is_visible(oid)",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    // Parameters into enum columns are of the enum type (tokio-postgres then wants an
    // enum Rust type, as with PostgreSQL).
    let insert = c
        .prepare("insert into u values ($1, $2, $3)")
        .await
        .unwrap();
    assert_eq!(insert.params()[1].oid(), oid);
    assert_eq!(insert.params()[2].oid(), oid);
    let stmt = c.prepare("select kind, k2 from u").await.unwrap();
    assert_eq!(stmt.columns()[0].type_().oid(), oid);
    assert_eq!(stmt.columns()[1].type_().oid(), oid);
    let row = c
        .query_one("select kind::text, k2::text from u", &[])
        .await
        .unwrap();
    assert_eq!((row.get::<_, &str>(0), row.get::<_, &str>(1)), ("x", "y"));
    // Mixed case survives: the catalog and the check use the name as created.
    refusals(
        &c,
        &[(
            "update u set kind = 'q'",
            "22P02",
            "invalid input value for enum \"enum_Users_kind\": \"q\"",
        )],
    )
    .await;
}

/// A CHECK on an enum column reads the labels, so an enum-free table pays nothing:
/// its inserts run no check at all.
#[tokio::test]
async fn tables_without_enums_get_no_enum_check() {
    let s = Server::start(&[]);
    let c = s.connect("enums").await;
    c.batch_execute("create table plain (a int, b text, c varchar(3))")
        .await
        .unwrap();
    answers(
        &c,
        &[(
            "select count(*) from sqlite_schema where sql like '%litewire_enum_check%'",
            "0",
        )],
    )
    .await;
}

/// An enum column sorts and compares in its labels' declaration order, as PostgreSQL
/// does (ORDER BY, `<`, `>`; equality stays the label's), with ALTER TYPE … ADD VALUE
/// BEFORE placing a new label; an unknown label compared is 22P02.
#[tokio::test]
async fn enum_columns_order_by_declaration() {
    let s = Server::start(&[]);
    let c = s.connect("enums").await;
    c.batch_execute(
        "create type mood as enum ('sad', 'ok', 'happy'); \
         create table pe (n text, m mood); \
         insert into pe values ('a', 'happy'), ('b', 'sad'), ('c', 'ok'), ('d', null)",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[
            ("select n from pe order by m, n", "b\nc\na\nd"),
            ("select n from pe where m > 'sad' order by m desc", "a\nc"),
            ("select n from pe where m = 'ok'", "c"),
        ],
    )
    .await;
    c.batch_execute(
        "alter type mood add value 'meh' before 'ok'; insert into pe values ('e', 'meh')",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[(
            "select n from pe where m is not null order by m",
            "b\ne\nc\na",
        )],
    )
    .await;
    let e = c
        .simple_query("select n from pe where m < 'nope'")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22P02", "{e}");
}
