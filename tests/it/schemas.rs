//! Schemas besides public: CREATE/DROP SCHEMA, relations named `s.t` in every statement
//! that names one, and the catalogs that list them. The first two tests run against
//! PostgreSQL 15 as well (SCHEMAS_AGAINST=5432 with a fresh `postgres` database).

use crate::common::{answers, psql, refusals, rows, Server, Target};

#[tokio::test]
async fn schemas_are_created_used_and_dropped_as_in_postgresql() {
    let t = Target::new("SCHEMAS_AGAINST", "schemas");
    let c = t.connect().await;
    c.batch_execute(
        "create schema app; \
         create schema if not exists app; \
         create table app.users (id int generated always as identity primary key, \
           name text unique not null); \
         create table app.posts (id serial primary key, \
           user_id int references app.users(id), title text); \
         create table posts (id int); \
         insert into app.users (name) values ('a'), ('b'); \
         insert into app.posts (user_id, title) values (1, 'x'), (2, 'y'); \
         insert into posts values (42); \
         create index on app.posts (title); \
         create view app.titles as select title from app.posts",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[
            // The schema's table, not public's of the same name.
            ("select count(*) from app.posts", "2"),
            ("select id from posts", "42"),
            // `t.c` and `s.t.c` name the columns of `FROM s.t`.
            (
                "select app.posts.title, posts.id from app.posts order by 2",
                "x|1\ny|2",
            ),
            (
                "select u.name, p.title from app.users u join app.posts p on p.user_id = u.id \
                 order by 1",
                "a|x\nb|y",
            ),
            ("select * from app.titles order by 1", "x\ny"),
            (
                "update app.posts set title = 'z' where id = 2 returning title",
                "z",
            ),
            ("select nextval('app.posts_id_seq')", "3"),
            (
                "select pg_get_serial_sequence('app.posts', 'id')",
                "app.posts_id_seq",
            ),
            ("select 'app.posts'::regclass::text", "app.posts"),
            (
                "select nspname from pg_namespace where nspname in ('app', 'public') order by 1",
                "app\npublic",
            ),
            (
                "select c.relname, c.relkind from pg_class c join pg_namespace n \
                 on n.oid = c.relnamespace where n.nspname = 'app' order by 1",
                "posts|r\nposts_id_seq|S\nposts_pkey|i\nposts_title_idx|i\ntitles|v\n\
                 users|r\nusers_id_seq|S\nusers_name_key|i\nusers_pkey|i",
            ),
            (
                "select table_schema, table_name, table_type from information_schema.tables \
                 where table_name in ('posts', 'users', 'titles') order by 1, 2",
                "app|posts|BASE TABLE\napp|titles|VIEW\napp|users|BASE TABLE\n\
                 public|posts|BASE TABLE",
            ),
            (
                "select table_schema, column_name from information_schema.columns \
                 where table_name = 'users' order by ordinal_position",
                "app|id\napp|name",
            ),
            (
                "select schemaname, tablename from pg_tables \
                 where tablename in ('posts', 'users') order by 1, 2",
                "app|posts\napp|users\npublic|posts",
            ),
            (
                "select schemaname, indexname from pg_indexes where tablename = 'posts' \
                 order by 1, 2",
                "app|posts_pkey\napp|posts_title_idx",
            ),
            (
                "select conname, contype, connamespace::regnamespace::text from pg_constraint \
                 where conrelid = 'app.posts'::regclass order by 1",
                "posts_pkey|p|app\nposts_user_id_fkey|f|app",
            ),
            (
                "select constraint_schema, constraint_name, table_name \
                 from information_schema.key_column_usage where table_schema = 'app' \
                 order by 2",
                "app|posts_pkey|posts\napp|posts_user_id_fkey|posts\napp|users_name_key|users\n\
                 app|users_pkey|users",
            ),
            (
                "select schemaname, sequencename from pg_sequences order by 2",
                "app|posts_id_seq\napp|users_id_seq",
            ),
            (
                "select schema_name from information_schema.schemata \
                 where schema_name in ('app', 'public') order by 1",
                "app\npublic",
            ),
            (
                "select pg_table_is_visible('app.posts'::regclass), \
                 pg_table_is_visible('posts'::regclass)",
                "f|t",
            ),
        ],
    )
    .await;
    refusals(
        &c,
        &[
            (
                "create schema app",
                "42P06",
                "schema \"app\" already exists",
            ),
            (
                "create table nosuch.t (a int)",
                "3F000",
                "schema \"nosuch\" does not exist",
            ),
            (
                "create schema pg_mine",
                "42939",
                "unacceptable schema name \"pg_mine\"",
            ),
            (
                "drop schema app",
                "2BP01",
                "cannot drop schema app because other objects depend on it",
            ),
            (
                "drop schema nosuch",
                "3F000",
                "schema \"nosuch\" does not exist",
            ),
        ],
    )
    .await;
    let e = c.simple_query("select * from app.nada").await.unwrap_err();
    assert_eq!(crate::common::sqlstate(&e), "42P01");
    // Schema changes and a rename stay in the schema.
    c.batch_execute(
        "alter table app.posts add column body text default 'none'; \
         alter table app.posts rename to articles",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[
            (
                "select title, body from app.articles order by 1",
                "x|none\nz|none",
            ),
            (
                "select table_schema from information_schema.tables \
                 where table_name = 'articles'",
                "app",
            ),
        ],
    )
    .await;
    // CREATE SCHEMA is transactional.
    c.batch_execute("begin; create schema gone; create table gone.t (a int); rollback")
        .await
        .unwrap();
    answers(
        &c,
        &[(
            "select count(*) from pg_namespace where nspname = 'gone'",
            "0",
        )],
    )
    .await;
    // CASCADE drops the schema's relations, views first; public's stay.
    c.batch_execute("drop schema app cascade").await.unwrap();
    answers(
        &c,
        &[
            (
                "select count(*) from pg_namespace where nspname = 'app'",
                "0",
            ),
            ("select id from posts", "42"),
            (
                "select count(*) from pg_class where relname in ('articles', 'users', 'titles')",
                "0",
            ),
        ],
    )
    .await;
    c.batch_execute("drop schema if exists app; drop table posts")
        .await
        .unwrap();
}

#[tokio::test]
async fn copy_truncate_and_comments_name_a_schemas_table() {
    let t = Target::new("SCHEMAS_AGAINST", "schemas_copy");
    let c = t.connect().await;
    c.batch_execute("create schema s; create table s.t (a int, b text); create table t (a int)")
        .await
        .unwrap();
    let sink = c.copy_in("copy s.t (a, b) from stdin").await.unwrap();
    {
        use futures_util::SinkExt;
        let mut sink = std::pin::pin!(sink);
        sink.send(bytes::Bytes::from_static(b"1\tone\n2\ttwo\n"))
            .await
            .unwrap();
        sink.as_mut().finish().await.unwrap();
    }
    c.batch_execute("comment on table s.t is 'in s'")
        .await
        .unwrap();
    answers(
        &c,
        &[
            ("select count(*) from s.t", "2"),
            ("select count(*) from t", "0"),
            (
                "select obj_description('s.t'::regclass, 'pg_class')",
                "in s",
            ),
        ],
    )
    .await;
    c.batch_execute("truncate s.t").await.unwrap();
    answers(&c, &[("select count(*) from s.t", "0")]).await;
    c.batch_execute("drop schema s cascade; drop table t")
        .await
        .unwrap();
}

/// What litewire refuses where PostgreSQL would look somewhere litewire does not: a
/// search_path naming a schema (unqualified names are public's), a schema named after
/// the session's user (`"$user"` comes first on the default search_path).
#[tokio::test]
async fn a_search_path_naming_a_schema_is_refused() {
    let s = Server::start(&[]);
    let c = s.connect("schemas_path").await;
    for sql in [
        "set search_path to app, public",
        "select set_config('search_path', 'app', false)",
        "create schema tester",
        "create schema authorization tester",
    ] {
        let e = c.simple_query(sql).await.unwrap_err();
        assert_eq!(crate::common::sqlstate(&e), "0A000", "{sql}: {e}");
    }
    c.batch_execute(
        "set search_path to public; set search_path to \"$user\", public; \
         select set_config('search_path', '', false)",
    )
    .await
    .unwrap();
    // A file that never used a schema has no table for them.
    c.batch_execute("create table plain (a int)").await.unwrap();
    let reserved = rows(
        &c,
        "select count(*) from pg_class where relname like '%schemas%'",
    )
    .await;
    assert_eq!(reserved, vec![vec![Some("0".to_string())]]);
    let db = s.data_dir().join("schemas_path.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let n: i64 = conn
        .query_row(
            "select count(*) from sqlite_schema where name = '_litewire_schemas'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0);
}

/// psql's \dn, \dt s.* and \d s.t read the catalogs above.
#[tokio::test]
async fn psql_lists_and_describes_a_schemas_tables() {
    let s = Server::start(&[]);
    let c = s.connect("schemas_psql").await;
    c.batch_execute("create schema app; create table app.items (id serial primary key, name text)")
        .await
        .unwrap();
    let (ok, out, err) = psql(
        &s,
        "schemas_psql",
        &["-c", "\\dn", "-c", "\\dt app.*", "-c", "\\d app.items"],
    );
    assert!(ok, "{err}");
    assert!(out.contains(" app    |"), "{out}");
    assert!(out.contains(" app    | items | table |"), "{out}");
    assert!(out.contains("Table \"app.items\""), "{out}");
    assert!(
        out.contains("nextval('app.items_id_seq'::regclass)"),
        "{out}"
    );
    assert!(
        out.contains("\"items_pkey\" PRIMARY KEY, btree (id)"),
        "{out}"
    );
}
