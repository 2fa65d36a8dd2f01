//! `ALTER TABLE` with PostgreSQL's meaning (issue 10): constraints added and dropped
//! (foreign keys incl. DEFERRABLE INITIALLY DEFERRED, CHECK, UNIQUE, PRIMARY KEY), column
//! types, defaults and NOT NULL changed, columns dropped — all through SQLite's table
//! rebuild, with the rows, indexes, triggers and views kept, PostgreSQL's SQLSTATEs and
//! messages when the rows do not fit, and nothing changed when a step fails. The
//! performance-only forms are accepted with no effect, and the forms Django and Knex send
//! run as they do on PostgreSQL.

use tokio_postgres::Client;

use crate::common::{psql, rows, sqlstate, Server};

async fn exec(c: &Client, sql: &str) {
    c.batch_execute(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
}

/// The error `sql` gives: SQLSTATE and message.
async fn error(c: &Client, sql: &str) -> (String, String) {
    let e = c
        .batch_execute(sql)
        .await
        .expect_err(&format!("{sql} should fail"));
    let message = e
        .as_db_error()
        .map(|d| d.message().to_string())
        .unwrap_or_default();
    (sqlstate(&e), message)
}

async fn column(c: &Client, sql: &str) -> Vec<Option<String>> {
    rows(c, sql)
        .await
        .into_iter()
        .map(|r| r[0].clone())
        .collect()
}

fn some(values: &[&str]) -> Vec<Option<String>> {
    values.iter().map(|v| Some(v.to_string())).collect()
}

#[tokio::test]
async fn constraints_keep_rows_indexes_triggers_and_views() {
    let s = Server::start(&[]);
    let c = s.connect("keep").await;
    exec(
        &c,
        "create table author (id integer primary key, name text);
         create table book (id integer primary key, title text, author_id int, price int);
         create index book_title on book (title);
         create table log (what text);
         create view cheap as select title from book where price < 10;
         insert into author values (1, 'A'), (2, 'B');
         insert into book values (1, 'x', 1, 5), (2, 'y', 2, 20), (3, 'z', null, 1)",
    )
    .await;
    // PostgreSQL's triggers call functions litewire lacks: this one is SQLite's own,
    // made with another tool, as a file served by litewire may have.
    rusqlite::Connection::open(s.data_dir().join("keep.db"))
        .unwrap()
        .execute_batch(
            "create trigger book_log after insert on book \
             begin insert into log values (new.title); end",
        )
        .unwrap();
    exec(
        &c,
        "alter table book add constraint book_author_fk foreign key (author_id)
             references author (id) deferrable initially deferred,
         add constraint price_positive check (price > 0),
         add unique (title)",
    )
    .await;
    assert_eq!(
        column(&c, "select title from book order by id").await,
        some(&["x", "y", "z"])
    );
    assert_eq!(
        column(&c, "select title from cheap order by title").await,
        some(&["x", "z"])
    );
    let indexes = column(
        &c,
        "select name from sqlite_schema where type = 'index' and name = 'book_title'",
    )
    .await;
    assert_eq!(indexes, some(&["book_title"]));
    exec(&c, "insert into book values (4, 'w', 1, 3)").await;
    assert_eq!(column(&c, "select what from log").await, some(&["w"]));
    // The new constraints hold.
    let (state, _) = error(&c, "insert into book values (5, 'v', 1, -1)").await;
    assert_eq!(state, "23514");
    let (state, _) = error(&c, "insert into book values (5, 'x', 1, 1)").await;
    assert_eq!(state, "23505");
    // Dropped by name, PostgreSQL's generated one included.
    exec(
        &c,
        "alter table book drop constraint price_positive, drop constraint book_title_key",
    )
    .await;
    exec(&c, "insert into book values (5, 'x', 1, -1)").await;
}

#[tokio::test]
async fn deferred_foreign_key_is_checked_at_commit() {
    let s = Server::start(&[]);
    let c = s.connect("deferred").await;
    exec(
        &c,
        "create table parent (id integer primary key);
         create table child (id integer primary key, parent_id int);
         insert into parent values (1);
         insert into child values (1, 1);",
    )
    .await;
    // Django's form.
    exec(
        &c,
        "ALTER TABLE \"child\" ADD CONSTRAINT \"child_parent_id_fk_parent_id\" FOREIGN KEY \
         (\"parent_id\") REFERENCES \"parent\" (\"id\") DEFERRABLE INITIALLY DEFERRED",
    )
    .await;
    exec(&c, "begin; insert into child values (2, 7)").await;
    // Not yet: the parent may still come.
    exec(&c, "insert into parent values (7); commit").await;
    exec(&c, "begin; insert into child values (3, 8)").await;
    let (state, _) = error(&c, "commit").await;
    assert_eq!(state, "23503");
    assert_eq!(
        column(&c, "select id from child order by id").await,
        some(&["1", "2"])
    );
}

#[tokio::test]
async fn rows_that_do_not_fit_are_refused_as_postgresql_words_it() {
    let s = Server::start(&[]);
    let c = s.connect("refused").await;
    exec(
        &c,
        "create table p (id int primary key, u int);
         create table t (a int, b text, c int);
         insert into t values (1, 'x', null), (1, 'y', 2);
         insert into p values (1, 1);",
    )
    .await;
    for (sql, state, message) in [
        (
            "alter table missing add column z int",
            "42P01",
            "relation \"missing\" does not exist",
        ),
        (
            "alter table t alter column zz set not null",
            "42703",
            "column \"zz\" of relation \"t\" does not exist",
        ),
        (
            "alter table t alter column c set not null",
            "23502",
            "column \"c\" of relation \"t\" contains null values",
        ),
        (
            "alter table t add check (a > 1)",
            "23514",
            "check constraint \"t_a_check\" of relation \"t\" is violated by some row",
        ),
        (
            "alter table t add unique (a)",
            "23505",
            "could not create unique index \"t_a_key\"",
        ),
        (
            "alter table t add primary key (c)",
            "23502",
            "column \"c\" of relation \"t\" contains null values",
        ),
        (
            "alter table t add constraint fk foreign key (c) references p (id)",
            "23503",
            "insert or update on table \"t\" violates foreign key constraint \"fk\"",
        ),
        (
            "alter table t add constraint fk2 foreign key (c) references p (u)",
            "42830",
            "there is no unique constraint matching given keys for referenced table \"p\"",
        ),
        (
            "alter table t drop constraint nope",
            "42704",
            "constraint \"nope\" of relation \"t\" does not exist",
        ),
        (
            "alter table t add column a int",
            "42701",
            "column \"a\" of relation \"t\" already exists",
        ),
        (
            "alter table t add column xmin int",
            "42701",
            "column name \"xmin\" conflicts with a system column name",
        ),
        (
            "alter table t alter b type int",
            "42804",
            "column \"b\" cannot be cast automatically to type integer",
        ),
        (
            "alter table t alter b type int using b::int",
            "22P02",
            "invalid input syntax for type integer: \"x\"",
        ),
        (
            "alter table t add foreign key (b) references p",
            "42804",
            "foreign key constraint \"t_b_fkey\" cannot be implemented",
        ),
        (
            "alter table p alter column u set default 'abc'",
            "22P02",
            "invalid input syntax for type integer: \"abc\"",
        ),
        (
            "alter table p alter id drop not null",
            "42P16",
            "column \"id\" is in a primary key",
        ),
        (
            "alter table p add primary key (u)",
            "42P16",
            "multiple primary keys for table \"p\" are not allowed",
        ),
    ] {
        let (got_state, got_message) = error(&c, sql).await;
        assert_eq!(
            (got_state.as_str(), got_message.as_str()),
            (state, message),
            "{sql}"
        );
    }
    let e = c
        .batch_execute("alter table t add unique (a)")
        .await
        .unwrap_err();
    assert_eq!(
        e.as_db_error().and_then(|d| d.detail()),
        Some("Key (a)=(1) is duplicated.")
    );
    exec(&c, "alter table t add constraint x check (a > 0)").await;
    let (state, message) = error(&c, "alter table t add constraint x check (a > 0)").await;
    assert_eq!(
        (state.as_str(), message.as_str()),
        (
            "42710",
            "constraint \"x\" for relation \"t\" already exists"
        )
    );
    let (state, _) = error(&c, "alter table t rename constraint nope to y").await;
    assert_eq!(state, "42704");
    exec(&c, "alter table t rename constraint x to y").await;
    exec(&c, "alter table t drop constraint y").await;
}

#[tokio::test]
async fn a_failed_rebuild_leaves_the_table_as_it_was() {
    let s = Server::start(&[]);
    let c = s.connect("atomic").await;
    exec(
        &c,
        "create table t (a int, b text);
         create index t_b on t (b);
         insert into t values (1, '10'), (2, 'x')",
    )
    .await;
    // The first action would succeed; the second cannot convert 'x'.
    let (state, _) = error(
        &c,
        "alter table t add column c int default 7, alter b type int using b::int",
    )
    .await;
    assert_eq!(state, "22P02");
    let cols = column(&c, "select name from pragma_table_info('t') order by cid").await;
    assert_eq!(cols, some(&["a", "b"]));
    assert_eq!(
        column(&c, "select b from t order by a").await,
        some(&["10", "x"])
    );
    // Inside a block: the block fails, ROLLBACK restores it, the table is unchanged.
    exec(&c, "begin; insert into t values (3, 'y')").await;
    let (state, _) = error(&c, "alter table t alter b type int using b::int").await;
    assert_eq!(state, "22P02");
    let (state, _) = error(&c, "select 1").await;
    assert_eq!(state, "25P02");
    exec(&c, "rollback").await;
    assert_eq!(column(&c, "select count(*) from t").await, some(&["2"]));
    // And a rebuild that succeeds inside a block is undone by ROLLBACK.
    exec(&c, "begin; alter table t drop column b; rollback").await;
    assert_eq!(
        column(&c, "select b from t order by a").await,
        some(&["10", "x"])
    );
    let idx = column(&c, "select name from sqlite_schema where name = 't_b'").await;
    assert_eq!(idx, some(&["t_b"]));
}

#[tokio::test]
async fn column_type_default_and_not_null_change() {
    let s = Server::start(&[]);
    let c = s.connect("columns").await;
    exec(
        &c,
        "create table t (id integer primary key, n text, price int default 1);
         insert into t (id, n) values (1, '12'), (2, '7')",
    )
    .await;
    exec(
        &c,
        "alter table t alter column n type bigint using n::bigint,
         alter column n set not null,
         alter column price set default 5",
    )
    .await;
    assert_eq!(
        column(&c, "select n + 1 from t order by id").await,
        some(&["13", "8"])
    );
    exec(&c, "insert into t (id, n) values (3, 1)").await;
    assert_eq!(
        column(&c, "select price from t where id = 3").await,
        some(&["5"])
    );
    let (state, _) = error(&c, "insert into t (id, n) values (4, null)").await;
    assert_eq!(state, "23502");
    exec(
        &c,
        "alter table t alter n drop not null, alter price drop default",
    )
    .await;
    exec(&c, "insert into t (id) values (4)").await;
    assert_eq!(
        rows(&c, "select n, price from t where id = 4").await,
        vec![vec![None, None]]
    );
    // A new column with what SQLite's own ADD COLUMN refuses.
    exec(
        &c,
        "alter table t add column code text unique, add column at text default (lower('X'))",
    )
    .await;
    assert_eq!(
        column(&c, "select at from t order by id").await,
        some(&["x", "x", "x", "x"])
    );
}

#[tokio::test]
async fn drop_column_takes_indexes_and_with_cascade_views() {
    let s = Server::start(&[]);
    let c = s.connect("dropcol").await;
    exec(
        &c,
        "create table t (a int, b int, c int, unique (a, b));
         create index t_b on t (b);
         create index t_c on t (c);
         create view v as select a, b from t;
         insert into t values (1, 2, 3)",
    )
    .await;
    let e = c
        .batch_execute("alter table t drop column b")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "2BP01");
    let db = e.as_db_error().unwrap();
    assert_eq!(
        db.message(),
        "cannot drop column b of table t because other objects depend on it"
    );
    assert_eq!(db.detail(), Some("view v depends on column b of table t"));
    exec(&c, "alter table t drop column b cascade").await;
    let left = column(
        &c,
        "select name from sqlite_schema where name in ('t_b', 't_c', 'v') order by name",
    )
    .await;
    assert_eq!(left, some(&["t_c"]));
    assert_eq!(
        rows(&c, "select * from t").await,
        vec![vec![Some("1".into()), Some("3".into())]]
    );
    // The unique key over the dropped column went with it.
    exec(&c, "insert into t values (1, 3)").await;
}

#[tokio::test]
async fn referencing_rows_survive_a_rebuild_of_their_parent() {
    let s = Server::start(&[]);
    let c = s.connect("parent").await;
    exec(
        &c,
        "create table parent (id integer primary key, name text);
         create table child (id integer primary key,
                             parent_id int references parent on delete cascade);
         insert into parent values (1, 'a'), (2, 'b');
         insert into child values (10, 1), (20, 2);
         alter table parent add column code int unique, alter name set not null",
    )
    .await;
    // Dropping the old parent table did not fire ON DELETE CASCADE.
    assert_eq!(column(&c, "select count(*) from child").await, some(&["2"]));
    // And the reference still works.
    exec(&c, "delete from parent where id = 1").await;
    assert_eq!(column(&c, "select id from child").await, some(&["20"]));
    let (state, _) = error(&c, "insert into child values (30, 99)").await;
    assert_eq!(state, "23503");
    // A key that others reference cannot be dropped.
    let (state, _) = error(&c, "alter table parent drop constraint parent_pkey").await;
    assert_eq!(state, "2BP01");
}

#[tokio::test]
async fn performance_forms_are_accepted_inside_a_block() {
    let s = Server::start(&[]);
    let c = s.connect("perf").await;
    exec(
        &c,
        "create table t (a int) with (fillfactor = 70);
         create index t_a on t (a);
         begin;
         alter table t set (parallel_workers = 4);
         alter table t reset (parallel_workers);
         alter table t alter column a set statistics 100;
         alter table t alter a set storage plain;
         alter table t cluster on t_a;
         alter table t set without cluster;
         alter table t set logged;
         alter table t set unlogged;
         insert into t values (1);
         commit",
    )
    .await;
    assert_eq!(column(&c, "select a from t").await, some(&["1"]));
    let (state, _) = error(&c, "alter table t alter column zz set statistics 5").await;
    assert_eq!(state, "42703");
    // Every table here is logged: one that another table references cannot "become"
    // unlogged, as in PostgreSQL.
    exec(
        &c,
        "create table p (id int primary key); create table r (p int references p)",
    )
    .await;
    let (state, message) = error(&c, "alter table p set unlogged").await;
    assert_eq!(
        (state.as_str(), message.as_str()),
        (
            "42P16",
            "could not change table \"p\" to unlogged because it references logged table \"r\""
        )
    );
}

#[tokio::test]
async fn if_exists_on_a_missing_table_is_a_notice() {
    let s = Server::start(&[]);
    let (ok, out, err) = psql(
        &s,
        "ifexists",
        &[
            "-c",
            "alter table if exists missing add column z int",
            "-c",
            "create table t (a int)",
            "-c",
            "alter table t drop constraint if exists nope, add column if not exists a int",
        ],
    );
    assert!(ok, "{out}\n{err}");
    assert!(
        err.contains("NOTICE:  relation \"missing\" does not exist, skipping"),
        "{err}"
    );
    assert!(
        err.contains("NOTICE:  constraint \"nope\" of relation \"t\" does not exist, skipping"),
        "{err}"
    );
    assert!(
        err.contains("NOTICE:  column \"a\" of relation \"t\" already exists, skipping"),
        "{err}"
    );
    assert_eq!(out.matches("ALTER TABLE").count(), 2, "{out}");
}

#[tokio::test]
async fn knex_and_django_migration_forms() {
    let s = Server::start(&[]);
    let c = s.connect("frameworks").await;
    exec(
        &c,
        "create table \"users\" (\"id\" serial primary key, \"email\" varchar(255));
         create table \"posts\" (\"id\" serial primary key, \"user_id\" integer, \"title\" varchar(255));
         insert into users (email) values ('a@x');
         insert into posts (user_id, title) values (1, 't')",
    )
    .await;
    // Knex.
    exec(
        &c,
        "alter table \"posts\" add constraint \"posts_user_id_foreign\" foreign key (\"user_id\") \
         references \"users\" (\"id\") on delete CASCADE",
    )
    .await;
    // Through the extended protocol, as Knex's driver sends it.
    c.execute(
        "alter table \"users\" add constraint \"users_email_unique\" unique (\"email\")",
        &[],
    )
    .await
    .unwrap();
    let e = c
        .execute("insert into users (email) values ($1)", &[&"a@x"])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23505");
    // Django.
    exec(
        &c,
        "ALTER TABLE \"posts\" ALTER COLUMN \"title\" TYPE varchar(500);
         ALTER TABLE \"posts\" ADD COLUMN \"slug\" varchar(50) DEFAULT 'x' NOT NULL;
         ALTER TABLE \"posts\" ALTER COLUMN \"slug\" DROP DEFAULT;
         ALTER TABLE \"posts\" DROP COLUMN \"slug\" CASCADE;
         ALTER TABLE \"posts\" DROP CONSTRAINT \"posts_user_id_foreign\"",
    )
    .await;
    assert_eq!(
        rows(&c, "select user_id, title from posts").await,
        vec![vec![Some("1".into()), Some("t".into())]]
    );
    exec(&c, "delete from users").await;
    assert_eq!(column(&c, "select count(*) from posts").await, some(&["1"]));
}

#[tokio::test]
async fn temporary_tables_are_altered_in_their_schema() {
    let s = Server::start(&[]);
    let c = s.connect("temp").await;
    exec(
        &c,
        "create temp table pk (id int primary key);
         create temp table fk (x int);
         insert into pk values (42);
         insert into fk values (42);
         alter table fk add foreign key (x) references pk",
    )
    .await;
    let (state, _) = error(&c, "insert into fk values (43)").await;
    assert_eq!(state, "23503");
    assert_eq!(column(&c, "select x from fk").await, some(&["42"]));
}

#[tokio::test]
async fn views_and_indexes_are_renamed_by_alter_table() {
    let s = Server::start(&[]);
    let c = s.connect("rename").await;
    exec(
        &c,
        "create table t (a int);
         create index t_a on t (a);
         create view v as select a from t;
         insert into t values (1);
         alter table v rename to w;
         alter table t_a rename to t_a2",
    )
    .await;
    assert_eq!(column(&c, "select a from w").await, some(&["1"]));
    assert_eq!(
        column(
            &c,
            "select name from sqlite_schema where type in ('view', 'index') order by name"
        )
        .await,
        some(&["t_a2", "w"])
    );
    let (state, message) = error(&c, "alter table w rename to t").await;
    assert_eq!(
        (state.as_str(), message.as_str()),
        ("42P07", "relation \"t\" already exists")
    );
}

/// A foreign key may reference a key of a type its own casts to implicitly (integer →
/// numeric → float), and is then enforced; the other way round is 42804.
#[tokio::test]
async fn foreign_keys_across_number_types() {
    let s = Server::start(&[]);
    let c = s.connect("fknum").await;
    exec(
        &c,
        "create table pk (p numeric primary key); insert into pk values (42); \
         create table fk (f int); alter table fk add foreign key (f) references pk; \
         insert into fk values (42)",
    )
    .await;
    assert_eq!(error(&c, "insert into fk values (43)").await.0, "23503");
    exec(
        &c,
        "create table pk8 (p int8 primary key); create table fkn (f numeric)",
    )
    .await;
    assert_eq!(
        error(&c, "alter table fkn add foreign key (f) references pk8").await,
        (
            "42804".into(),
            "foreign key constraint \"fkn_f_fkey\" cannot be implemented".into()
        )
    );
}

/// `VACUUM ANALYZE t (cols)` checks its columns (42703) and changes nothing.
#[tokio::test]
async fn vacuum_analyze_checks_its_columns() {
    let s = Server::start(&[]);
    let c = s.connect("vaccols").await;
    exec(&c, "create table t (a int); insert into t values (1)").await;
    let done = c.simple_query("vacuum analyze t (a)").await.unwrap();
    assert_eq!(done.len(), 1, "only the command's completion, no rows");
    assert_eq!(error(&c, "vacuum analyze t (b)").await.0, "42703");
    assert_eq!(
        rows(&c, "select a from t").await,
        vec![vec![Some("1".to_string())]]
    );
}

/// A column of a table's row type (or a composite type) is refused, in CREATE TABLE
/// and in ALTER TABLE … ADD COLUMN alike: litewire cannot hold composite values.
#[tokio::test]
async fn row_type_columns_are_refused() {
    let s = Server::start(&[]);
    let c = s.connect("rowtype").await;
    exec(&c, "create table r1 (f1 int); create type ct as (a int)").await;
    let refused = |t: &str| {
        (
            "0A000".to_string(),
            format!("a column of a composite type ({t}) is not supported by litewire"),
        )
    };
    assert_eq!(error(&c, "create table r2 (f r1)").await, refused("r1"));
    // Its own row type is PostgreSQL's 42P16 (checked first).
    let member = |t: &str| {
        (
            "42P16".to_string(),
            format!("composite type {t} cannot be made a member of itself"),
        )
    };
    assert_eq!(
        error(&c, "alter table r1 add column f2 r1").await,
        member("r1")
    );
    exec(&c, "create table r3 (f1 int)").await;
    assert_eq!(
        error(&c, "alter table r3 add column f2 r1").await,
        refused("r1")
    );
    assert_eq!(
        error(&c, "alter table r1 add column f2 ct not null default null").await,
        refused("ct")
    );
    // A temporary table's row type too, and ALTER COLUMN … TYPE to one.
    exec(&c, "create temp table tr (f1 int, f2 int)").await;
    assert_eq!(
        error(&c, "alter table tr add column f3 tr").await,
        member("tr")
    );
    assert_eq!(
        error(&c, "alter table tr alter column f2 type tr").await,
        member("tr")
    );
    assert_eq!(
        error(&c, "alter table r3 alter column f1 type tr").await,
        refused("tr")
    );
    // A table whose foreign key references a table without a key still retypes.
    exec(
        &c,
        "create table np (a int); create table fk (b int references np); \
         alter table fk alter column b type text",
    )
    .await;
    assert_eq!(
        rows(
            &c,
            "select count(*) from pg_attribute where attrelid = 'r1'::regclass and attnum > 0"
        )
        .await,
        vec![vec![Some("1".to_string())]]
    );
}

/// Changing the type of a column in a foreign key, on either side, keeps the key's
/// types comparable or is PostgreSQL's 42804, naming the key.
#[tokio::test]
async fn retyped_key_columns_must_still_compare() {
    let s = Server::start(&[]);
    let c = s.connect("fkretype").await;
    exec(
        &c,
        "create table p (id int primary key); alter table p alter column id type text; \
         create table c (id text constraint c_fk references p)",
    )
    .await;
    let refused = (
        "42804".to_string(),
        "foreign key constraint \"c_fk\" cannot be implemented".to_string(),
    );
    assert_eq!(
        error(
            &c,
            "alter table p alter column id type int using id::integer"
        )
        .await,
        refused
    );
    assert_eq!(
        error(
            &c,
            "alter table c alter column id type int using id::integer"
        )
        .await,
        refused
    );
    exec(&c, "alter table c alter column id type varchar(10)").await;
}

#[tokio::test]
async fn add_constraint_using_index_takes_the_index_over() {
    let s = Server::start(&[]);
    let c = s.connect("alter").await;
    c.batch_execute(
        "create table cwi (a int, b varchar(10), c char);
         insert into cwi values (1, 2), (3, 4);
         create unique index cwi_uniq_idx on cwi (a, b);
         alter table cwi add primary key using index cwi_uniq_idx;
         create unique index cwi_uniq2_idx on cwi (b, a);
         alter table cwi drop constraint cwi_uniq_idx,
           add constraint cwi_replaced_pkey primary key using index cwi_uniq2_idx;
         create unique index cwi_desc on cwi (a desc);
         create unique index cwi_posix on cwi (b collate \"POSIX\");
         create index cwi_plain on cwi (c);
         create unique index cwi_part on cwi (a) where a > 0;
         create unique index cwi_expr on cwi ((a + 1));",
    )
    .await
    .unwrap();
    crate::common::answers(
        &c,
        &[
            (
                "select conname, contype, pg_get_constraintdef(oid) from pg_constraint \
                 where conrelid = 'cwi'::regclass",
                "cwi_replaced_pkey|p|PRIMARY KEY (b, a)",
            ),
            (
                "select count(*) from pg_indexes where indexname like 'cwi_uniq%'",
                "0",
            ),
        ],
    )
    .await;
    let sorting =
        |i: &str| format!("index \"{i}\" column number 1 does not have default sorting behavior");
    let (desc, posix) = (sorting("cwi_desc"), sorting("cwi_posix"));
    crate::common::refusals(
        &c,
        &[
            (
                "alter table cwi add unique using index cwi_desc",
                "42809",
                &desc,
            ),
            (
                "alter table cwi add unique using index cwi_posix",
                "42809",
                &posix,
            ),
            (
                "alter table cwi add unique using index cwi_plain",
                "42809",
                "\"cwi_plain\" is not a unique index",
            ),
            (
                "alter table cwi add unique using index cwi_part",
                "42809",
                "\"cwi_part\" is a partial index",
            ),
            (
                "alter table cwi add unique using index cwi_expr",
                "42809",
                "index \"cwi_expr\" contains expressions",
            ),
            (
                "alter table cwi add unique using index nosuch",
                "42704",
                "index \"nosuch\" does not exist",
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn alter_constraint_changes_a_foreign_keys_deferral() {
    let s = Server::start(&[]);
    let c = s.connect("alter").await;
    c.batch_execute(
        "create table pk (p int primary key); create table fk (f int);
         alter table fk add constraint a foreign key (f) references pk deferrable initially deferred;
         alter table fk add constraint b foreign key (f) references pk;
         alter table fk alter constraint a not deferrable;
         alter table fk alter constraint b deferrable initially deferred;",
    )
    .await
    .unwrap();
    crate::common::answers(
        &c,
        &[(
            "select conname, condeferrable, condeferred, pg_get_constraintdef(oid) \
             from pg_constraint where conrelid = 'fk'::regclass order by 1",
            "a|f|f|FOREIGN KEY (f) REFERENCES pk(p)\n\
             b|t|t|FOREIGN KEY (f) REFERENCES pk(p) DEFERRABLE INITIALLY DEFERRED",
        )],
    )
    .await;
    crate::common::refusals(
        &c,
        &[(
            "alter table pk alter constraint pk_pkey deferrable",
            "42809",
            "constraint \"pk_pkey\" of relation \"pk\" is not a foreign key constraint",
        )],
    )
    .await;
}

/// A column of the table's own row type, or an array of it: PostgreSQL's 42P16, once the
/// table is known to exist (a missing table stays 42P01). Answers from PostgreSQL 15.
#[tokio::test]
async fn a_table_cannot_contain_its_own_row_type() {
    let s = Server::start(&[]);
    let c = s.connect("recur").await;
    exec(
        &c,
        "create table recur1 (f1 int); create table \"Up\" (a int)",
    )
    .await;
    let member = "composite type recur1 cannot be made a member of itself";
    for sql in [
        "alter table recur1 add column f2 recur1[]",
        "alter table recur1 add column f2 recur1[][]",
        "alter table recur1 add column f2 public.recur1[]",
    ] {
        assert_eq!(
            error(&c, sql).await,
            ("42P16".into(), member.into()),
            "{sql}"
        );
    }
    assert_eq!(
        error(&c, "alter table \"Up\" add column b \"Up\"[]").await,
        (
            "42P16".into(),
            "composite type \"Up\" cannot be made a member of itself".into()
        )
    );
    assert_eq!(
        error(&c, "alter table nosuch add column f2 nosuch[]")
            .await
            .0,
        "42P01"
    );
    exec(&c, "alter table recur1 add column f2 int").await;
    assert_eq!(
        error(&c, "alter table recur1 alter column f2 type recur1[]").await,
        ("42P16".into(), member.into())
    );
    // Still an int column.
    exec(&c, "insert into recur1 values (1, 2)").await;
    assert_eq!(column(&c, "select f2 from recur1").await, some(&["2"]));
}

/// `FROM ONLY t` / `UPDATE ONLY t` / `DELETE FROM ONLY t`: litewire's tables have no
/// inheritance children, so ONLY changes nothing (it used to be read as a table named
/// `only`). A table really named "only" is still reachable quoted.
#[tokio::test]
async fn only_names_the_table_itself() {
    let s = Server::start(&[]);
    let c = s.connect("only").await;
    exec(
        &c,
        "create table p (a int);
         insert into p values (1), (2), (3);
         create table \"only\" (x int);
         insert into \"only\" values (42);
         update only p set a = a + 10 where a = 1;
         delete from only p where a = 2;",
    )
    .await;
    assert_eq!(
        column(&c, "select a from only p order by a").await,
        some(&["3", "11"])
    );
    assert_eq!(
        column(&c, "select count(*) from p, only p q join only p r on true").await,
        some(&["8"])
    );
    assert_eq!(
        column(&c, "select x from only \"only\"").await,
        some(&["42"])
    );
    assert_eq!(column(&c, "select x from \"only\" p").await, some(&["42"]));
    assert_eq!(
        column(&c, "select 1 fetch first 1 rows only").await,
        some(&["1"])
    );
}

/// ALTER TABLE of a view (a column default, a column's name): PostgreSQL changes the
/// view; litewire cannot, and says so instead of "does not exist".
#[tokio::test]
async fn alter_table_of_a_view_is_refused() {
    let s = Server::start(&[]);
    let c = s.connect("alterview").await;
    exec(
        &c,
        "create table t (a int); create view v as select a from t",
    )
    .await;
    let (code, message) = error(&c, "alter table v alter column a set default 1").await;
    assert_eq!(code, "0A000", "{message}");
    assert!(message.contains("\"v\""), "{message}");
}

/// ALTER TABLE's new or retyped column of a type that does not exist: PostgreSQL's
/// 42704 (it used to be taken, holding text); PostgreSQL's own types litewire does not
/// model, enums, and SQL's type names are still taken. Answers from PostgreSQL 15.
#[tokio::test]
async fn alter_table_refuses_a_type_that_does_not_exist() {
    let s = Server::start(&[]);
    let c = s.connect("notype").await;
    exec(
        &c,
        "create table t (a int); create type mood as enum ('sad', 'ok');
         alter table t add column b polygon;
         alter table t add column c Mood;
         alter table t add column d xid, add column e dec;",
    )
    .await;
    let missing = |t: &str| ("42704".to_string(), format!("type \"{t}\" does not exist"));
    assert_eq!(
        error(&c, "alter table t add column f NoSuch").await,
        missing("nosuch")
    );
    assert_eq!(
        error(&c, "alter table t add column f nosuch not null default 'x'").await,
        missing("nosuch")
    );
    assert_eq!(
        error(&c, "alter table t alter column a type nosuch").await,
        missing("nosuch")
    );
    // An array's element too; an array of a type that exists is taken.
    assert_eq!(
        error(&c, "alter table t add column g NoSuch[]").await,
        missing("nosuch[]")
    );
    assert_eq!(
        error(
            &c,
            "alter table t add column g int, add column h nosuch[][]"
        )
        .await,
        missing("nosuch[]")
    );
    exec(
        &c,
        "alter table t add column g mood[]; alter table t drop column g",
    )
    .await;
    assert_eq!(
        column(
            &c,
            "select count(*) from pg_attribute where attrelid = 't'::regclass and attnum > 0"
        )
        .await,
        some(&["5"])
    );
}

/// `ALTER COLUMN c TYPE t` under a CHECK comparing c with a value of another family:
/// PostgreSQL reads the check again over t and has no such operator (42883); nothing
/// changes. Answers from PostgreSQL 15.
#[tokio::test]
async fn retyped_column_checks_are_read_again() {
    let s = Server::start(&[]);
    let c = s.connect("retypecheck").await;
    exec(
        &c,
        "create table t (a int8, b bool, constraint t_chk check (a <= 3));
         insert into t values (2, true)",
    )
    .await;
    let using = "alter table t alter column a type boolean \
                 using case when a % 2 = 0 then true else false end";
    assert_eq!(
        error(&c, using).await,
        (
            "42883".into(),
            "operator does not exist: boolean <= integer".into()
        )
    );
    assert_eq!(
        error(&c, "alter table t alter column a type text").await,
        (
            "42883".into(),
            "operator does not exist: text <= integer".into()
        )
    );
    exec(&c, "alter table t alter column a type numeric").await;
    exec(&c, "alter table t drop constraint t_chk").await;
    exec(&c, using).await;
    assert_eq!(column(&c, "select a::text from t").await, some(&["true"]));
}

/// A string literal a CHECK compares with the column took the column's type when the
/// check was made (`a > '10'` of a text a compares texts): once the column's type is of
/// another family, PostgreSQL has no such operator (42883) and nothing changes; SQLite
/// would have compared the literal as a number. Answers from PostgreSQL 15.
#[tokio::test]
async fn a_checks_literal_keeps_the_old_column_type() {
    let s = Server::start(&[]);
    let c = s.connect("retypeliteral").await;
    exec(
        &c,
        "create table k (a text check (a > '10'), d text check (d >= '2024-01-01'), \
         b int check (b <> '5'), n int check (n < '100'));
         insert into k values ('9', '2024-06-01', 1, 1)",
    )
    .await;
    for (sql, message) in [
        (
            "alter table k alter column a type int using a::int",
            "operator does not exist: integer > text",
        ),
        (
            "alter table k alter column d type date using d::date",
            "operator does not exist: date >= text",
        ),
        (
            "alter table k alter column b type text",
            "operator does not exist: text <> integer",
        ),
    ] {
        assert_eq!(
            error(&c, sql).await,
            ("42883".into(), message.into()),
            "{sql}"
        );
    }
    // Within the family the literal still compares (integer with bigint).
    exec(&c, "alter table k alter column n type bigint").await;
    assert_eq!(
        error(&c, "insert into k values ('9', '2024-06-01', 1, 100)")
            .await
            .0,
        "23514"
    );
    assert_eq!(column(&c, "select a from k").await, some(&["9"]));
}

/// A table whose row type another table's column uses (an array of it) keeps its column
/// types: PostgreSQL's 0A000, checked after the column's own errors.
#[tokio::test]
async fn a_row_type_in_use_keeps_its_column_types() {
    let s = Server::start(&[]);
    let c = s.connect("row_types").await;
    exec(
        &c,
        "create table a1 (a int, b text); create table a2 (x int, y a1[])",
    )
    .await;
    assert_eq!(
        error(&c, "alter table a1 alter column b type varchar").await,
        (
            "0A000".to_string(),
            "cannot alter table \"a1\" because column \"a2.y\" uses its row type".to_string()
        )
    );
    // Even to the type it has.
    assert_eq!(
        error(&c, "alter table a1 alter column a type int").await.0,
        "0A000"
    );
    assert_eq!(
        error(&c, "alter table a1 alter column zz type int").await.0,
        "42703"
    );
    // Other changes are allowed, and so is a table no column uses.
    exec(
        &c,
        "alter table a1 add column c int; alter table a1 drop column c",
    )
    .await;
    exec(&c, "alter table a2 alter column x type bigint").await;
    exec(&c, "drop table a2").await;
    exec(&c, "alter table a1 alter column b type varchar").await;
}
