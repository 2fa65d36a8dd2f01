//! pg_catalog lookups and array parameters, through tokio-postgres (binary, strict
//! types) and psql (simple protocol, text).

use tokio_postgres::types::Type;

use crate::common::{psql, sqlstate, Server};

#[tokio::test]
async fn catalog_tables_describe_the_database() {
    let s = Server::start(&[]);
    let c = s.connect("cat").await;
    c.batch_execute(
        "create table users (id serial primary key, name varchar(20) not null, born date);
         create view adults as select * from users;",
    )
    .await
    .unwrap();
    // Types: a lookup by name with typed parameters and typed (oid, name) results.
    let stmt = c
        .prepare("select oid, typname, typarray from pg_catalog.pg_type where typname = $1")
        .await
        .unwrap();
    assert_eq!(stmt.params(), &[Type::NAME]);
    let cols: Vec<Type> = stmt.columns().iter().map(|c| c.type_().clone()).collect();
    assert_eq!(cols, vec![Type::OID, Type::NAME, Type::OID]);
    let row = c.query_one(&stmt, &[&"int4"]).await.unwrap();
    assert_eq!(row.get::<_, u32>(0), 23);
    assert_eq!(row.get::<_, &str>(1), "int4");
    assert_eq!(row.get::<_, u32>(2), 1007);
    assert!(c.query(&stmt, &[&"hstore"]).await.unwrap().is_empty());

    // Relations and columns, joined as SQLAlchemy and psql do.
    let rows = c
        .query(
            "select c.relname, c.relkind from pg_class c join pg_namespace n \
             on n.oid = c.relnamespace where n.nspname = 'public' \
             and c.relkind = any (array['r', 'v']) and pg_table_is_visible(c.oid) \
             order by 1",
            &[],
        )
        .await
        .unwrap();
    // relkind is PostgreSQL's one-byte "char" (OID 18): tokio-postgres reads it as i8.
    let got: Vec<(String, char)> = rows
        .iter()
        .map(|r| (r.get(0), r.get::<_, i8>(1) as u8 as char))
        .collect();
    assert_eq!(got, vec![("adults".into(), 'v'), ("users".into(), 'r')]);
    let rows = c
        .query(
            "select a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull \
             from pg_attribute a where a.attrelid = 'users'::regclass and a.attnum > 0 \
             order by a.attnum",
            &[],
        )
        .await
        .unwrap();
    let got: Vec<(String, String, bool)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        got,
        vec![
            ("id".into(), "integer".into(), true),
            ("name".into(), "character varying(20)".into(), true),
            ("born".into(), "date".into(), false),
        ]
    );
    // regclass both ways; an unknown relation is 42P01 as in PostgreSQL.
    let row = c
        .query_one("select 'users'::regclass::oid::regclass::text", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "users");
    let e = c
        .query_one("select 'nope'::regclass", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42P01");
    // Catalog tables have PostgreSQL's OIDs (pgjdbc joins pg_description on them).
    let row = c
        .query_one("select 'pg_class'::regclass::oid", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, u32>(0), 1259);
    // psycopg's TypeInfo query, text protocol.
    let (ok, out, err) = psql(
        &s,
        "cat",
        &[
            "-At",
            "-c",
            "SELECT typname, oid, typarray, oid::regtype::text, typdelim FROM pg_type t \
             WHERE t.oid = to_regtype('character varying') ORDER BY t.oid",
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "varchar|1043|1015|character varying|,");
}

#[tokio::test]
async fn array_parameters_with_any_and_all() {
    let s = Server::start(&[]);
    let c = s.connect("arrays").await;
    c.batch_execute(
        "create table items (id integer primary key, name text);
         insert into items values (1, 'a'), (2, 'b'), (3, 'c d');",
    )
    .await
    .unwrap();
    // `= ANY($1)`: Describe reports int4[] and the binary array is bound.
    let stmt = c
        .prepare("select id from items where id = any($1) order by id")
        .await
        .unwrap();
    assert_eq!(stmt.params(), &[Type::INT4_ARRAY]);
    let ids =
        |rows: Vec<tokio_postgres::Row>| -> Vec<i32> { rows.iter().map(|r| r.get(0)).collect() };
    let rows = c.query(&stmt, &[&vec![1i32, 3]]).await.unwrap();
    assert_eq!(ids(rows), vec![1, 3]);
    let rows = c.query(&stmt, &[&Vec::<i32>::new()]).await.unwrap();
    assert!(rows.is_empty());
    let names: Vec<Option<&str>> = vec![Some("b"), None, Some("c d")];
    let rows = c
        .query(
            "select id from items where name = any($1::text[]) order by id",
            &[&names],
        )
        .await
        .unwrap();
    assert_eq!(ids(rows), vec![2, 3]);
    let rows = c
        .query(
            "select id from items where id <> all($1) order by id",
            &[&vec![2i32]],
        )
        .await
        .unwrap();
    assert_eq!(ids(rows), vec![1, 3]);
    // Text-format array literals (node-postgres, psql).
    let (ok, out, err) = psql(
        &s,
        "arrays",
        &[
            "-At",
            "-c",
            "select id from items where name = any('{\"c d\",a}') order by id",
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "1\n3");
    let e = c
        .query("select id from items where id = any('{1,2')", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22P02", "{e:?}");
}

#[test]
fn psql_lists_relations() {
    let s = Server::start(&[]);
    let (ok, _, err) = psql(
        &s,
        "psqlcat",
        &[
            "-c",
            "create table users (id integer primary key, name text)",
            "-c",
            "create view names as select name from users",
        ],
    );
    assert!(ok, "{err}");
    // \dt and \dv go through pg_class, pg_namespace, pg_am, `!~` and
    // `OPERATOR(pg_catalog.~)`; `-A -t` prints schema|name|type|owner.
    let (ok, out, err) = psql(&s, "psqlcat", &["-At", "-c", "\\dt"]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "public|users|table|tester");
    let (ok, out, err) = psql(&s, "psqlcat", &["-At", "-c", "\\dv nam*"]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "public|names|view|tester");
    let (ok, out, _) = psql(&s, "psqlcat", &["-At", "-c", "\\dt nothing*"]);
    assert!(ok);
    assert_eq!(out.trim(), "");
}

#[tokio::test]
async fn information_schema_tables_and_columns() {
    let s = Server::start(&[]);
    let c = s.connect("infoschema").await;
    c.batch_execute(
        "create table users (id integer primary key, name varchar(20) not null default 'x',
                             score numeric(10,2));
         create view v as select id from users;",
    )
    .await
    .unwrap();
    let rows = c
        .query(
            "select table_name, table_type from information_schema.tables \
             where table_schema = $1 order by table_name",
            &[&"public"],
        )
        .await
        .unwrap();
    let got: Vec<(String, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(
        got,
        vec![
            ("users".into(), "BASE TABLE".into()),
            ("v".into(), "VIEW".into())
        ]
    );
    // The same figures PostgreSQL 15 gives for this table.
    let rows = c
        .query(
            "select column_name, ordinal_position, data_type, is_nullable, \
             character_maximum_length, numeric_precision, numeric_scale, udt_name \
             from information_schema.columns where table_name = 'users' \
             order by ordinal_position",
            &[],
        )
        .await
        .unwrap();
    type Col = (
        String,
        i32,
        String,
        String,
        Option<i32>,
        Option<i32>,
        Option<i32>,
        String,
    );
    let got: Vec<Col> = rows
        .iter()
        .map(|r| {
            (
                r.get(0),
                r.get(1),
                r.get(2),
                r.get(3),
                r.get(4),
                r.get(5),
                r.get(6),
                r.get(7),
            )
        })
        .collect();
    let col = |n: &str, i, t: &str, null: &str, len, p, sc, u: &str| -> Col {
        (n.into(), i, t.into(), null.into(), len, p, sc, u.into())
    };
    assert_eq!(
        got,
        vec![
            col("id", 1, "integer", "NO", None, Some(32), Some(0), "int4"),
            col(
                "name",
                2,
                "character varying",
                "NO",
                Some(20),
                None,
                None,
                "varchar"
            ),
            col(
                "score",
                3,
                "numeric",
                "YES",
                None,
                Some(10),
                Some(2),
                "numeric"
            ),
        ]
    );
}

/// psql's `\d table` sends a dozen catalog queries (policies, statistics, publications,
/// triggers, inheritance); if any fails psql prints nothing but the error. The expected
/// text is PostgreSQL 15's for the same table, except the default's `::character
/// varying` cast (SQLite keeps the default as written).
#[test]
fn psql_describes_a_table() {
    let s = Server::start(&[]);
    let (ok, _, err) = psql(
        &s,
        "psqld",
        &[
            "-c",
            "create table users (id integer primary key, name varchar(20) not null default 'x', \
             born date, boss integer references users(id) on delete cascade, unique(name))",
            "-c",
            "create index users_born on users(born)",
        ],
    );
    assert!(ok, "{err}");
    let (ok, out, err) = psql(&s, "psqld", &["-c", "\\d users"]);
    assert!(ok && err.is_empty(), "{err}");
    let expected = r#"Table "public.users"
 Column |         Type          | Collation | Nullable | Default 
--------+-----------------------+-----------+----------+---------
 id     | integer               |           | not null | 
 name   | character varying(20) |           | not null | 'x'
 born   | date                  |           |          | 
 boss   | integer               |           |          | 
Indexes:
    "users_pkey" PRIMARY KEY, btree (id)
    "users_born" btree (born)
    "users_name_key" UNIQUE CONSTRAINT, btree (name)
Foreign-key constraints:
    "users_boss_fkey" FOREIGN KEY (boss) REFERENCES users(id) ON DELETE CASCADE
Referenced by:
    TABLE "users" CONSTRAINT "users_boss_fkey" FOREIGN KEY (boss) REFERENCES users(id) ON DELETE CASCADE
"#;
    // Lines compared trimmed: the centred title's indent depends on the table's width.
    let lines = |t: &str| {
        t.trim()
            .lines()
            .map(str::trim)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(lines(&out), lines(expected));
    // \di lists the indexes, including the one PostgreSQL has for the rowid key.
    let (ok, out, err) = psql(&s, "psqld", &["-At", "-c", "\\di"]);
    assert!(ok, "{err}");
    assert_eq!(
        out.trim(),
        "public|users_born|index|tester|users\n\
         public|users_name_key|index|tester|users\n\
         public|users_pkey|index|tester|users"
    );
}
