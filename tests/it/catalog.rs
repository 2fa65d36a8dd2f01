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
    // relkind is PostgreSQL's one-byte "char", which tokio-postgres reads as i8.
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
    // PostgreSQL reads the name when it parses the statement: 42P01 also where no row
    // is ever read (an empty scan, a false WHERE), in both protocols and when the
    // statement is run again after the relation is dropped.
    for sql in [
        "select conname from pg_constraint where conrelid = 'nope'::regclass",
        "select id from users where false and 'nope'::regclass::oid = 1",
    ] {
        let e = c.simple_query(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), "42P01", "{sql}");
        let e = c.query(sql, &[]).await.unwrap_err();
        assert_eq!(sqlstate(&e), "42P01", "{sql}");
    }
    c.batch_execute("create table gone (a int)").await.unwrap();
    let again = "select id from users where false and 'gone'::regclass::oid = 1";
    c.simple_query(again).await.unwrap();
    c.batch_execute("drop table gone").await.unwrap();
    let e = c.simple_query(again).await.unwrap_err();
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
/// text is PostgreSQL 15's for the same table.
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
 Column |         Type          | Collation | Nullable |        Default         
--------+-----------------------+-----------+----------+------------------------
 id     | integer               |           | not null | 
 name   | character varying(20) |           | not null | 'x'::character varying
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

/// pg_index's int2vector columns behave as PostgreSQL's: printed space-separated, read
/// as arrays by unnest (alone, beside generate_subscripts, or several at once WITH
/// ORDINALITY in a derived table, as Django's introspection writes), array_length and
/// `= ANY`, subscripted from 0. Answers from PostgreSQL 15.
#[tokio::test]
async fn index_key_vectors_behave_as_arrays() {
    let s = Server::start(&[]);
    let c = s.connect("vectors").await;
    c.batch_execute(
        "create table p (a int, b text, c int, primary key (a, c));
         create index p_bc on p (b desc, c)",
    )
    .await
    .unwrap();
    crate::common::answers(
        &c,
        &[
            (
                "select c.relname, i.indkey, i.indoption, i.indkey[0], i.indkey[1], \
                 array_length(i.indkey, 1), 3 = any(i.indkey), array_lower(i.indkey, 1), \
                 array_upper(indkey, 1) from pg_index i \
                 join pg_class c on c.oid = i.indexrelid where i.indrelid = 'p'::regclass \
                 order by 1",
                "p_bc|2 3|3 0|2|3|2|t|0|1\np_pkey|1 3|0 0|1|3|2|t|0|1",
            ),
            (
                "select c.relname, k.attnum, k.ord from pg_index i \
                 join pg_class c on c.oid = i.indexrelid, lateral (select unnest(i.indkey) \
                 as attnum, generate_subscripts(i.indkey, 1) as ord) k \
                 where i.indrelid = 'p'::regclass order by 1, 3",
                "p_bc|2|0\np_bc|3|1\np_pkey|1|0\np_pkey|3|1",
            ),
            // drizzle-kit's index query: a set-returning call inside arithmetic, in a
            // LATERAL subquery whose column `i` shares its name with pg_index's alias.
            (
                "select c.relname, k.attnum, k.i, i.indoption[k.i-1] & 1 = 1 from pg_index i \
                 join pg_class c on c.oid = i.indexrelid cross join lateral (select \
                 unnest(i.indkey), generate_subscripts(i.indkey, 1) + 1) as k(attnum, i) \
                 where i.indrelid = 'p'::regclass order by 1, 3",
                "p_bc|2|1|t\np_bc|3|2|f\np_pkey|1|1|f\np_pkey|3|2|f",
            ),
            (
                "select unnest(array[5,6]) * 2 as x, generate_subscripts(array[5,6], 1) + 1, \
                 (generate_series(1, 2))::text",
                "10|2|1\n12|3|2",
            ),
            (
                "select key, option, arridx from (select * from pg_index i, \
                 unnest(i.indkey, i.indoption) with ordinality koi(key, option, arridx) \
                 where i.indrelid = 'p'::regclass) idx order by 1, 3",
                "1|0|1\n2|3|1\n3|0|2\n3|0|2",
            ),
            (
                "select conname, conkey from pg_constraint where conrelid = 'p'::regclass",
                "p_pkey|{1,3}",
            ),
            (
                "select indkey::text, string_to_array(indkey::text, ' '), \
                 cast(indkey as varchar) || '!' from pg_index \
                 where indrelid = 'p'::regclass order by 1",
                "1 3|{1,3}|1 3!\n2 3|{2,3}|2 3!",
            ),
        ],
    )
    .await;
    // PostgreSQL's answer, [0:1]={1,3}, has a lower bound arrays here cannot keep.
    let e = c
        .simple_query("select indkey::int2[] from pg_index")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "0A000");
}

/// pg_constraint lists CHECK constraints (SQLite's pragmas do not) and keeps the names
/// the CREATE TABLE gave its constraints, with PostgreSQL's names for unnamed ones;
/// litewire's own value checks are not listed. Answers from PostgreSQL 15, except the
/// definition text, which is the stored expression (`c >= 0`, PostgreSQL
/// `c >= (0)::numeric`).
#[tokio::test]
async fn constraints_keep_their_names_and_checks_are_listed() {
    let s = Server::start(&[]);
    let c = s.connect("checks").await;
    c.batch_execute(
        "create table ck (a int check (a > 0), b int, c int constraint named_c check (c >= 0), \
         check (b > a), check (b < 100), check (b < 200), constraint uq unique (a, b));
         create table r (x int, y int, constraint r_named_fk foreign key (x, y) \
         references ck (a, b))",
    )
    .await
    .unwrap();
    crate::common::answers(
        &c,
        &[
            (
                "select conname, contype, conkey, pg_get_constraintdef(oid) from pg_constraint \
                 where conrelid = 'ck'::regclass order by conname",
                "ck_a_check|c|{1}|CHECK ((a > 0))\nck_b_check|c|{2}|CHECK ((b < 100))\n\
                 ck_b_check1|c|{2}|CHECK ((b < 200))\nck_check|c|{2,1}|CHECK ((b > a))\n\
                 named_c|c|{3}|CHECK ((c >= 0))\nuq|u|{1,2}|UNIQUE (a, b)",
            ),
            (
                "select conname, contype, conkey, confkey from pg_constraint \
                 where conrelid = 'r'::regclass",
                "r_named_fk|f|{1,2}|{1,2}",
            ),
            (
                "select c.relname from pg_index i join pg_class c on c.oid = i.indexrelid \
                 where i.indrelid = 'ck'::regclass",
                "uq",
            ),
            // `"char"` columns print an empty value empty (SQLAlchemy reads a blank
            // attgenerated as a generated column).
            (
                "select a.attgenerated, a.attidentity, pg_typeof(c.relkind), c.relkind \
                 from pg_attribute a join pg_class c on c.oid = a.attrelid \
                 where c.relname = 'ck' and a.attname = 'a'",
                "||\"char\"|r",
            ),
        ],
    )
    .await;
}

/// `current_setting($1)` (SQLAlchemy's reflection asks for default_table_access_method
/// with a parameter) answers from the session when the statement runs; an unknown name
/// is 42704, or NULL with missing_ok. pg_tablespace lists PostgreSQL's two tablespaces.
#[tokio::test]
async fn current_setting_of_a_parameter_and_tablespaces() {
    let s = Server::start(&[]);
    let c = s.connect("settings").await;
    c.batch_execute("set timezone = 'Europe/Paris'")
        .await
        .unwrap();
    let stmt = "select current_setting($1::varchar)";
    for (name, want) in [
        ("TimeZone", "Europe/Paris"),
        ("default_table_access_method", "heap"),
        ("standard_conforming_strings", "on"),
    ] {
        let got: String = c.query_one(stmt, &[&name]).await.unwrap().get(0);
        assert_eq!(got, want, "{name}");
    }
    let e = c.query_one(stmt, &[&"no_such_thing"]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "42704");
    let got: Option<String> = c
        .query_one("select current_setting($1, true)", &[&"no_such_thing"])
        .await
        .unwrap()
        .get(0);
    assert_eq!(got, None);
    crate::common::answers(
        &c,
        &[(
            "select oid, spcname from pg_tablespace order by oid",
            "1663|pg_default\n1664|pg_global",
        )],
    )
    .await;
}

/// `pg_get_viewdef(oid [, pretty])` (SQLAlchemy's `get_view_definition`) gives the view's
/// query as pg_views shows it (PostgreSQL renders its own text: ` SELECT t.id, …`), NULL
/// for a relation that is not a view, as PostgreSQL.
#[tokio::test]
async fn view_definitions() {
    let s = Server::start(&[]);
    let c = s.connect("viewdef").await;
    c.batch_execute("create table t (id int, a int); create view v as select id, a from t")
        .await
        .unwrap();
    crate::common::answers(
        &c,
        &[
            (
                "select pg_get_viewdef(c.oid), pg_get_viewdef(c.oid, true) from pg_class c \
                 where relname = 'v'",
                "SELECT id, a FROM t;|SELECT id, a FROM t;",
            ),
            (
                "select pg_get_viewdef(c.oid) is null from pg_class c where relname = 't'",
                "t",
            ),
        ],
    )
    .await;
}

/// Column defaults as PostgreSQL's deparser prints them (pg_get_expr over pg_attrdef,
/// information_schema.columns): the casts it shows on sequences, string literals of
/// string columns and negative numbers. Answers from PostgreSQL 15.
#[tokio::test]
async fn defaults_print_as_postgresql_deparses_them() {
    let s = Server::start(&[]);
    let c = s.connect("defaults").await;
    c.batch_execute(
        "create table dd (id serial primary key, b text default 'q', \
         v varchar(5) default 'it''s', c char(2) default 'x', j json default '{}', \
         n int default 5, m int default -1, big bigint default -7000000000, \
         x numeric(5,2) default -1.5, t timestamptz default now(), d boolean default true, \
         qf float default '1.5', qi int default '-3', qr real default '2', qn int default '7')",
    )
    .await
    .unwrap();
    crate::common::answers(
        &c,
        &[
            (
                "select a.attname, pg_get_expr(d.adbin, d.adrelid) from pg_attrdef d \
                 join pg_attribute a on a.attrelid = d.adrelid and a.attnum = d.adnum \
                 where d.adrelid = 'dd'::regclass order by a.attnum",
                "id|nextval('dd_id_seq'::regclass)\nb|'q'::text\n\
                 v|'it''s'::character varying\nc|'x'::bpchar\nj|'{}'::json\nn|5\n\
                 m|'-1'::integer\nbig|'-7000000000'::bigint\nx|'-1.5'::numeric\nt|now()\n\
                 d|true\nqf|'1.5'::double precision\nqi|'-3'::integer\nqr|'2'::real\nqn|7",
            ),
            (
                "select column_default from information_schema.columns \
                 where table_name = 'dd' and column_name in ('id', 'v')  order by 1",
                "'it''s'::character varying\nnextval('dd_id_seq'::regclass)",
            ),
        ],
    )
    .await;
}

/// information_schema's constraint views as PostgreSQL 15 fills them (Sequelize, Knex
/// and TypeORM find foreign keys there), pg_constraint's own names for named keys,
/// foreign keys and CHECKs, and names folded as PostgreSQL folds them.
#[tokio::test]
async fn constraints_as_information_schema_and_pg_constraint_show_them() {
    let s = Server::start(&[]);
    let c = s.connect("cons").await;
    c.batch_execute(
        "create table p (a int, b int, u text unique, primary key (a, b));
         create table c1 (id serial primary key, pa int not null, pb int,
           foreign key (pa, pb) references p (a, b) on delete cascade);
         create table c2 (id int primary key, c1_id int references c1 on update set null);
         create table ck (Id int constraint ck_pk primary key, a int check (a > 0),
           b int, constraint B_Small check (b < 10), p int,
           constraint ck_p_fk foreign key (p) references ck (id));
         create table arr (a text array, b int ARRAY[4]);
         create table na (id int, tags text[], e text, constraint \"PK_na\" primary key (id),
           constraint na_e unique (e));
         create table df (a numeric(10,2) default '0', i int default '7', k text[] default '{}',
           j jsonb default '{}', g date default current_date, u uuid default gen_random_uuid());",
    )
    .await
    .unwrap();
    crate::common::answers(
        &c,
        &[
            (
                "select constraint_name, table_name, constraint_type, is_deferrable, \
                 nulls_distinct from information_schema.table_constraints \
                 where table_name in ('p', 'c1', 'c2') and constraint_type <> 'CHECK' \
                 order by 2, 1",
                "c1_pa_pb_fkey|c1|FOREIGN KEY|NO|\nc1_pkey|c1|PRIMARY KEY|NO|\n\
                 c2_c1_id_fkey|c2|FOREIGN KEY|NO|\nc2_pkey|c2|PRIMARY KEY|NO|\n\
                 p_pkey|p|PRIMARY KEY|NO|\np_u_key|p|UNIQUE|NO|YES",
            ),
            (
                "select constraint_name, column_name, ordinal_position, \
                 position_in_unique_constraint from information_schema.key_column_usage \
                 where table_name = 'c1' order by 1, 3",
                "c1_pa_pb_fkey|pa|1|1\nc1_pa_pb_fkey|pb|2|2\nc1_pkey|id|1|",
            ),
            (
                "select table_name, column_name, constraint_name \
                 from information_schema.constraint_column_usage \
                 where constraint_name like 'c%fkey' order by 3, 2",
                "p|a|c1_pa_pb_fkey\np|b|c1_pa_pb_fkey\nc1|id|c2_c1_id_fkey",
            ),
            (
                "select constraint_name, unique_constraint_name, update_rule, delete_rule \
                 from information_schema.referential_constraints \
                 where constraint_name like 'c%' order by 1",
                "c1_pa_pb_fkey|p_pkey|NO ACTION|CASCADE\n\
                 c2_c1_id_fkey|c1_pkey|SET NULL|NO ACTION\nck_p_fk|ck_pk|NO ACTION|NO ACTION",
            ),
            (
                "select conname, contype, pg_get_constraintdef(oid) from pg_constraint \
                 where conrelid = 'ck'::regclass order by 1",
                "b_small|c|CHECK ((b < 10))\nck_a_check|c|CHECK ((a > 0))\n\
                 ck_p_fk|f|FOREIGN KEY (p) REFERENCES ck(id)\nck_pk|p|PRIMARY KEY (id)",
            ),
            (
                "select check_clause from information_schema.check_constraints \
                 where constraint_name = 'b_small'",
                "((b < 10))",
            ),
            (
                "select attname from pg_attribute where attrelid = 'ck'::regclass \
                 and attnum = 1",
                "id",
            ),
            // The SQL standard's array types (TypeORM's `text array`).
            (
                "select format_type(atttypid, atttypmod) from pg_attribute \
                 where attrelid = 'arr'::regclass and attnum > 0 order by attnum",
                "text[]\ninteger[]",
            ),
            // A quoted information_schema table keeps its name (TypeORM's `columns.*`).
            (
                "select columns.column_name from \"information_schema\".\"columns\" \
                 where table_name = 'p' order by ordinal_position",
                "a\nb\nu",
            ),
            ("select count(*) from pg_matviews", "0"),
            // A type's name through regtype, quoted and qualified as TypeORM writes it.
            (
                "select '\"pg_catalog\".\"int4\"'::\"regtype\"::text, '_text'::regtype::text",
                "integer|text[]",
            ),
            // Defaults and types as PostgreSQL's information_schema shows them (TypeORM
            // compares them to decide what to alter).
            (
                "select column_name, column_default, data_type from information_schema.columns \
                 where table_name = 'df' order by ordinal_position",
                "a|'0'::numeric|numeric\ni|7|integer\nk|'{}'::text[]|ARRAY\n\
                 j|'{}'::jsonb|jsonb\ng|CURRENT_DATE|date\nu|gen_random_uuid()|uuid",
            ),
            // Constraint names of a table with an array column (TypeORM's PK_… names).
            (
                "select conname, contype from pg_constraint where conrelid = 'na'::regclass \
                 order by 1",
                "PK_na|p\nna_e|u",
            ),
            // Keyword aliases, as Sequelize's index query writes them.
            ("select 1 as primary, 2 as unique, 3 as Order", "1|2|3"),
        ],
    )
    .await;
    let names = c.prepare("select 1 as Primary").await.unwrap();
    assert_eq!(names.columns()[0].name(), "primary");
}

/// Extensions litewire has built in are accepted and change nothing (TypeORM creates
/// uuid-ossp, pg_dump files pgcrypto); another is 0A000 naming it.
#[tokio::test]
async fn built_in_extensions_are_accepted() {
    let s = Server::start(&[]);
    let c = s.connect("ext").await;
    c.batch_execute(
        "create extension if not exists \"uuid-ossp\"; create extension pgcrypto with schema public;
         drop extension if exists hstore",
    )
    .await
    .unwrap();
    crate::common::answers(
        &c,
        &[(
            "select length(uuid_generate_v4()::text), length(gen_random_uuid()::text)",
            "36|36",
        )],
    )
    .await;
    crate::common::refusals(
        &c,
        &[(
            "create extension hstore",
            "0A000",
            "extension \"hstore\" is not available in litewire",
        )],
    )
    .await;
}

/// Kysely's introspection: `has_schema_privilege` (the session's user owns the one
/// schema), and identity columns without a default in pg_attribute / pg_attrdef (their
/// sequence is not one; attidentity says which kind), as PostgreSQL 15 shows them.
#[tokio::test]
async fn schema_privileges_and_identity_columns() {
    let s = Server::start(&[]);
    let c = s.connect("kysely").await;
    c.batch_execute(
        "create table c (id int generated by default as identity, a int generated always as identity, \
         s serial, pid int default 3)",
    )
    .await
    .unwrap();
    crate::common::answers(
        &c,
        &[
            (
                "select has_schema_privilege('public', 'USAGE'), \
                 has_schema_privilege('information_schema', 'create with grant option')",
                "t|t",
            ),
            (
                "select attname, atthasdef, attidentity from pg_attribute \
                 where attrelid = 'c'::regclass and attnum > 0 order by attnum",
                "id|f|d\na|f|a\ns|t|\npid|t|",
            ),
            (
                "select adnum, pg_get_expr(adbin, adrelid) from pg_attrdef order by adnum",
                "3|nextval('c_s_seq'::regclass)\n4|3",
            ),
        ],
    )
    .await;
    crate::common::refusals(
        &c,
        &[
            (
                "select has_schema_privilege('nope', 'USAGE')",
                "3F000",
                "schema \"nope\" does not exist",
            ),
            (
                "select has_schema_privilege('public', 'SELECT')",
                "22023",
                "unrecognized privilege type: \"SELECT\"",
            ),
        ],
    )
    .await;
}

/// What drizzle-kit's introspection reads: identity columns in information_schema.columns
/// (no default, their sequence's options as text), the default operator classes in
/// pg_index.indclass and pg_opclass, pg_stat_user_indexes (counts zero) and pg_policies
/// (empty). Answers from PostgreSQL 15.
#[tokio::test]
async fn identity_columns_opclasses_and_index_statistics() {
    let s = Server::start(&[]);
    let c = s.connect("drizzlekit").await;
    c.batch_execute(
        "create table t (id int generated always as identity (increment by 2 start with 5), \
         n serial, e varchar(10) unique, a text[], j jsonb);
         create index t_a on t (a, j)",
    )
    .await
    .unwrap();
    crate::common::answers(
        &c,
        &[
            (
                "select column_name, column_default, is_identity, identity_generation, \
                 identity_start, identity_increment, identity_maximum, identity_minimum, \
                 identity_cycle, is_generated, generation_expression \
                 from information_schema.columns where table_name = 't' order by ordinal_position",
                "id||YES|ALWAYS|5|2|2147483647|1|NO|NEVER|\n\
                 n|nextval('t_n_seq'::regclass)|NO||||||NO|NEVER|\n\
                 e||NO||||||NO|NEVER|\na||NO||||||NO|NEVER|\nj||NO||||||NO|NEVER|",
            ),
            (
                "select c.relname, i.indclass from pg_index i join pg_class c \
                 on c.oid = i.indexrelid where i.indrelid = 't'::regclass order by 1",
                "t_a|10000 10088\nt_e_key|3126",
            ),
            (
                "select o.opcname from pg_index i join pg_class c on c.oid = i.indexrelid \
                 join pg_opclass o on o.oid = any(i.indclass) where c.relname = 't_e_key'",
                "text_ops",
            ),
            (
                "select indexrelname, relname, schemaname, idx_scan from pg_stat_user_indexes \
                 where relname = 't' order by 1",
                "t_a|t|public|0\nt_e_key|t|public|0",
            ),
            ("select count(*) from pg_policies", "0"),
        ],
    )
    .await;
}

/// OID aliases print their names where PostgreSQL prints them (a result column, `||`),
/// and compare as OIDs: drizzle-kit's column query depends on all three.
#[tokio::test]
async fn oid_aliases_print_names_and_compare_as_oids() {
    let s = Server::start(&[]);
    let c = s.connect("oidnames").await;
    c.batch_execute(
        "create type mood as enum ('ok', 'sad');
         create table t (id serial primary key, m mood not null default 'ok');",
    )
    .await
    .unwrap();
    let text = |sql: &'static str| {
        let c = &c;
        async move {
            let messages = c.simple_query(sql).await.unwrap();
            let row = messages.iter().find_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => Some(r),
                _ => None,
            });
            let row = row.unwrap_or_else(|| panic!("no row for {sql}"));
            (0..row.len())
                .map(|i| row.get(i).unwrap_or("NULL").to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        text("select 't'::regclass, 'int'::regtype, pg_get_serial_sequence('t', 'id')::regclass")
            .await,
        ["t", "integer", "t_id_seq"]
    );
    assert_eq!(
        text("select 'seq: ' || pg_get_serial_sequence('t', 'id')::regclass").await,
        ["seq: t_id_seq"]
    );
    assert_eq!(
        text(
            "select 23 = any ('{int,int8,int2}'::regtype[]), \
             25 = any ('{int,int8,int2}'::regtype[])"
        )
        .await,
        ["t", "f"]
    );
    // A string that spells nextval( is no sequence call (it was moved out of its scope).
    assert_eq!(
        text(
            "select 'nextval(''' || a.attname || ''')' from pg_attribute a \
              where a.attrelid = 't'::regclass and a.attnum = 1 order by a.attnum"
        )
        .await,
        ["nextval('id')"]
    );
    let e = c
        .simple_query("select '{nope}'::regtype[]")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42704");
    // An enum column's default shows its own type (SQLite's affinity said NUMERIC).
    assert_eq!(
        text("select column_default from information_schema.columns where table_name = 't' and column_name = 'm'").await,
        ["'ok'::mood"]
    );
}

/// A key's index reads as regclass by the name pg_class gives it (`t_pkey`, the
/// constraint's name), both ways, for SQLite's automatic index and a rowid key alike.
#[tokio::test]
async fn key_indexes_read_as_regclass_by_their_postgresql_names() {
    let s = Server::start(&[]);
    let c = s.connect("keyregclass").await;
    c.batch_execute(
        "create table ct (id int, constraint ct_pk primary key (id)); \
         create table r (id integer primary key)",
    )
    .await
    .unwrap();
    crate::common::answers(
        &c,
        &[
            (
                "select indexrelid::regclass::text from pg_index order by 1",
                "ct_pk\nr_pkey",
            ),
            (
                "select 'ct_pk'::regclass::oid = (select oid from pg_class where relname = 'ct_pk'), \
                 'r_pkey'::regclass::text",
                "t|r_pkey",
            ),
        ],
    )
    .await;
}
