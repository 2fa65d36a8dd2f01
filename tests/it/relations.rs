//! What the catalog records of a table beyond its columns: UNLOGGED, CLUSTER marks,
//! REPLICA IDENTITY (engine/objects/relations.rs), and index definitions read back
//! as pg_get_indexdef prints them (engine/catalog/indexdef.rs). Answers are
//! PostgreSQL 15's.

use crate::common::{answers, refusals, Server};

#[tokio::test]
async fn unlogged_tables_show_in_pg_class_and_follow_set_logged() {
    let s = Server::start(&[]);
    let c = s.connect("rel").await;
    c.batch_execute(
        "create unlogged table u1 (f1 serial primary key, f2 text);
         create unlogged table u2 (f1 int primary key, f2 int references u1);
         create table l1 (a int primary key);
         insert into u1 (f2) values ('x');",
    )
    .await
    .unwrap();
    let persistence = "select relname, relkind, relpersistence from pg_class \
                       where relname ~ '^(u|l)\\d' order by relname";
    answers(
        &c,
        &[(
            persistence,
            "l1|r|p\nl1_pkey|i|p\nu1|r|u\nu1_f1_seq|S|u\nu1_pkey|i|u\nu2|r|u\nu2_pkey|i|u",
        )],
    )
    .await;
    refusals(
        &c,
        &[(
            "alter table u2 set logged",
            "42P16",
            "could not change table \"u2\" to logged because it references unlogged table \"u1\"",
        )],
    )
    .await;
    c.batch_execute(
        "alter table u1 set logged; alter table l1 set unlogged; alter table u1 rename to r1;
         drop table u2; create table u2 (a int);
         create unlogged table if not exists u2 (a int);",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[(
            "select relname, relpersistence from pg_class where relkind = 'r' and relname !~ '^pg_' order by 1",
            "l1|u\nr1|p\nu2|p",
        )],
    )
    .await;
}

#[tokio::test]
async fn cluster_marks_and_replica_identity() {
    let s = Server::start(&[]);
    let c = s.connect("rel").await;
    c.batch_execute(
        "create table t (a int primary key, b int not null, c int);
         create index t_c on t (c); create unique index t_b on t (b);
         create unique index t_cu on t (c); create table o (a int);
         create index o_a on o (a);",
    )
    .await
    .unwrap();
    refusals(
        &c,
        &[
            (
                "cluster t",
                "42704",
                "there is no previously clustered index for table \"t\"",
            ),
            (
                "alter table t cluster on o_a",
                "42809",
                "\"o_a\" is not an index for table \"t\"",
            ),
            (
                "alter table t cluster on nosuch",
                "42704",
                "index \"nosuch\" for table \"t\" does not exist",
            ),
            (
                "alter table t replica identity using index t_c",
                "42809",
                "cannot use non-unique index \"t_c\" as replica identity",
            ),
            (
                "alter table t replica identity using index t_cu",
                "42809",
                "index \"t_cu\" cannot be used as replica identity because column \"c\" is nullable",
            ),
        ],
    )
    .await;
    let marks = "select c.relname, i.indisclustered, i.indisreplident from pg_index i \
                 join pg_class c on c.oid = i.indexrelid where i.indrelid = 't'::regclass \
                 order by 1";
    c.batch_execute("cluster t using t_c; alter table t replica identity using index t_b")
        .await
        .unwrap();
    answers(
        &c,
        &[
            (marks, "t_b|f|t\nt_c|t|f\nt_cu|f|f\nt_pkey|f|f"),
            ("select relreplident from pg_class where relname = 't'", "i"),
        ],
    )
    .await;
    // A rebuild keeps the marks; CLUSTER ON moves the mark, a rename follows it.
    c.batch_execute(
        "alter table t alter c type bigint; alter table t cluster on t_pkey; cluster t;
         alter index t_b rename to t_b2",
    )
    .await
    .unwrap();
    answers(&c, &[(marks, "t_b2|f|t\nt_c|f|f\nt_cu|f|f\nt_pkey|t|f")]).await;
    c.batch_execute("alter table t set without cluster; alter table t replica identity full")
        .await
        .unwrap();
    answers(
        &c,
        &[
            (marks, "t_b2|f|f\nt_c|f|f\nt_cu|f|f\nt_pkey|f|f"),
            ("select relreplident from pg_class where relname = 't'", "f"),
        ],
    )
    .await;
}

#[tokio::test]
async fn index_definitions_as_postgres_prints_them() {
    let s = Server::start(&[]);
    let c = s.connect("rel").await;
    c.batch_execute(
        "create table t (i int4, f1 text, f2 text, v varchar(5));
         create unique index u on t (i) nulls not distinct;
         create index x on t (f1, i desc);
         create unique index f on t (textcat(f1, f2));
         create index e on t ((f1 || f2), (1 / i), lower(f1));
         create index p on t (i) where (i > 0) and (f1 = 'x') and i < 9;
         create index n on t (i) where i is null;",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[
            (
                "select indexdef from pg_indexes where indexname <> 'n' order by indexname",
                "CREATE INDEX e ON public.t USING btree (((f1 || f2)), ((1 / i)), lower(f1))\n\
                 CREATE UNIQUE INDEX f ON public.t USING btree (textcat(f1, f2))\n\
                 CREATE INDEX p ON public.t USING btree (i) WHERE ((i > 0) AND (f1 = 'x'::text) AND (i < 9))\n\
                 CREATE UNIQUE INDEX u ON public.t USING btree (i) NULLS NOT DISTINCT\n\
                 CREATE INDEX x ON public.t USING btree (f1, i DESC)",
            ),
            // Listing the indexes works although one definition cannot be printed.
            ("select count(*) from pg_indexes where tablename = 't'", "6"),
        ],
    )
    .await;
    refusals(
        &c,
        &[
            (
                "select pg_get_indexdef('n'::regclass)",
                "0A000",
                "the definition of index \"n\" (an expression or predicate PostgreSQL would \
                 print differently) is not supported by litewire",
            ),
            // The index on textcat() is enforced.
            (
                "insert into t (f1, f2) values ('ab', 'c'), ('a', 'bc')",
                "23505",
                "duplicate key value violates unique constraint \"f\"",
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn tables_have_row_types_and_array_types() {
    let s = Server::start(&[]);
    let c = s.connect("rel").await;
    c.batch_execute(
        "create table attmp_array (id int); create table attmp_array2 (id int);
         alter table attmp_array2 rename to _attmp_array;",
    )
    .await
    .unwrap();
    // The array type's name moves out of the way of the table that took it.
    answers(
        &c,
        &[
            (
                "select typname from pg_type where oid = 'attmp_array[]'::regtype",
                "__attmp_array",
            ),
            (
                "select typname from pg_type where oid = '_attmp_array[]'::regtype",
                "___attmp_array",
            ),
            (
                "select format_type('attmp_array'::regtype, null), 'attmp_array[]'::regtype",
                "attmp_array|attmp_array[]",
            ),
            (
                "select t.typtype, t.typrelid = c.oid, c.reltype = t.oid from pg_type t \
                 join pg_class c on c.relname = t.typname where t.typname = 'attmp_array'",
                "c|t|t",
            ),
        ],
    )
    .await;
    refusals(
        &c,
        &[(
            "select 'nosuch'::regtype",
            "42704",
            "type \"nosuch\" does not exist",
        )],
    )
    .await;
}

#[tokio::test]
async fn index_statistics_and_reindex_of_a_key() {
    let s = Server::start(&[]);
    let c = s.connect("rel").await;
    c.batch_execute(
        "create table t (a int primary key, d int, e int, b int);
         create index t_idx on t (a, (d + e), b);
         alter index t_idx alter column 2 set statistics 1000;
         alter index if exists nosuch alter column 2 set statistics -1;
         reindex index t_pkey;",
    )
    .await
    .unwrap();
    refusals(
        &c,
        &[
            (
                "alter index t_idx alter column 0 set statistics 1",
                "22023",
                "column number must be in range from 1 to 32767",
            ),
            (
                "alter index t_idx alter column 1 set statistics 1",
                "0A000",
                "cannot alter statistics on non-expression column \"a\" of index \"t_idx\"",
            ),
            (
                "alter index t_idx alter column 4 set statistics 1",
                "42703",
                "column number 4 of relation \"t_idx\" does not exist",
            ),
            (
                "alter index nosuch alter column 1 set statistics 1",
                "42P01",
                "relation \"nosuch\" does not exist",
            ),
            (
                "reindex index nosuch",
                "42P01",
                "relation \"nosuch\" does not exist",
            ),
        ],
    )
    .await;
}

/// Writes through a view (PostgreSQL's automatically updatable views, and a view's
/// CHECK OPTION that guards them) are named refusals, not SQLite's syntax errors or its
/// 42000; nothing is written. (MERGE: tests/it/merge.rs.)
#[tokio::test]
async fn writes_through_views_are_named() {
    let s = Server::start(&[]);
    let c = s.connect("rel").await;
    c.batch_execute(
        "create table base (k int primary key, v text);
         create view bv as select * from base;",
    )
    .await
    .unwrap();
    refusals(
        &c,
        &[
            (
                "insert into bv values (1, 'a')",
                "0A000",
                "writing to view \"bv\" (an automatically updatable view) is not supported by litewire",
            ),
            (
                "create view bc as select * from base with cascaded check option",
                "0A000",
                "WITH CHECK OPTION (writes through a view) is not supported by litewire",
            ),
        ],
    )
    .await;
    answers(&c, &[("select count(*) from base", "0")]).await;
}

/// `pg_temp.t` names the session's temporary schema (SQLite's `temp`): a table made
/// there is temporary, its index goes with it; PostgreSQL's 42P16s for UNLOGGED there
/// and for a temporary table in `public`.
#[tokio::test]
async fn pg_temp_is_the_temporary_schema() {
    let s = Server::start(&[]);
    let c = s.connect("rel").await;
    c.batch_execute(
        "create table pg_temp.implicitly_temp (a int primary key);
         create temp table pg_temp.doubly_temp (a int);
         create index on pg_temp.doubly_temp (a);
         insert into pg_temp.implicitly_temp values (1);
         insert into doubly_temp values (2);",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[
            ("select a from implicitly_temp", "1"),
            ("select a from pg_temp.doubly_temp", "2"),
        ],
    )
    .await;
    refusals(
        &c,
        &[
            (
                "create unlogged table pg_temp.unlogged3 (a int primary key)",
                "42P16",
                "only temporary relations may be created in temporary schemas",
            ),
            (
                "create temp table public.temp_to_perm (a int primary key)",
                "42P16",
                "cannot create temporary relation in non-temporary schema",
            ),
        ],
    )
    .await;
    // Temporary: another session does not see them.
    let other = s.connect("rel").await;
    let e = other
        .simple_query("select a from implicitly_temp")
        .await
        .unwrap_err();
    assert_eq!(crate::common::sqlstate(&e), "42P01");
}

/// CREATE TABLE … AS makes its columns with the query's PostgreSQL types (SQLite's own
/// would declare affinities: a numeric column compared as text, a date read back as a
/// number), fills them in the same transaction, and answers `SELECT n`.
#[tokio::test]
async fn create_table_as_keeps_the_query_types() {
    let s = Server::start(&[]);
    let c = s.connect("ctas").await;
    c.batch_execute(
        "CREATE TABLE p (price numeric(6,2), d date, i interval, n int);
         INSERT INTO p VALUES ('7.00', '2024-01-02', '1 day', 5), ('13.50', '2023-12-31', '2 hours', 40);",
    )
    .await
    .unwrap();
    let tag = c
        .simple_query("CREATE TABLE q AS SELECT price, d, i, n, price * 2 AS p2 FROM p")
        .await
        .unwrap();
    assert!(
        matches!(
            tag.last(),
            Some(tokio_postgres::SimpleQueryMessage::CommandComplete(2))
        ),
        "{tag:?}"
    );
    answers(
        &c,
        &[
            (
                "SELECT price FROM q WHERE price > 2.5 ORDER BY price",
                "7.00\n13.50",
            ),
            ("SELECT d FROM q ORDER BY d", "2023-12-31\n2024-01-02"),
            ("SELECT i FROM q ORDER BY i", "02:00:00\n1 day"),
            ("SELECT p2 FROM q ORDER BY p2 DESC", "27.00\n14.00"),
            (
                "SELECT column_name, data_type FROM information_schema.columns \
                 WHERE table_name = 'q' ORDER BY ordinal_position",
                "price|numeric\nd|date\ni|interval\nn|integer\np2|numeric",
            ),
            (
                "CREATE TABLE r (a, b) AS SELECT 1.5::numeric(5,2), 'x' WITH NO DATA",
                "",
            ),
            (
                "SELECT column_name, data_type, numeric_scale FROM information_schema.columns \
                 WHERE table_name = 'r' ORDER BY ordinal_position",
                "a|numeric|2\nb|text|",
            ),
        ],
    )
    .await;
    refusals(
        &c,
        &[
            (
                "CREATE TABLE r2 (a, b, c) AS SELECT 1, 2",
                "42601",
                "too many column names were specified",
            ),
            (
                "CREATE TABLE r3 AS SELECT 1/0 AS boom",
                "22012",
                "division by zero",
            ),
        ],
    )
    .await;
    // The failed statement left no table behind.
    answers(
        &c,
        &[("SELECT count(*) FROM pg_class WHERE relname = 'r3'", "0")],
    )
    .await;
}

/// The same over the extended protocol (psycopg 3 and JDBC send every statement so).
#[tokio::test]
async fn create_table_as_over_the_extended_protocol() {
    let s = Server::start(&[]);
    let c = s.connect("ctas_ext").await;
    c.batch_execute("CREATE TABLE p (price numeric); INSERT INTO p VALUES ('13.50'), ('7.00');")
        .await
        .unwrap();
    let n = c
        .execute("CREATE TABLE q AS SELECT price FROM p", &[])
        .await
        .unwrap();
    assert_eq!(n, 2);
    answers(
        &c,
        &[(
            "SELECT price FROM q WHERE price > 2.5 ORDER BY price",
            "7.00\n13.50",
        )],
    )
    .await;
}

/// `CREATE TABLE IF NOT EXISTS … AS`: made with the query's types and tagged `SELECT n`
/// as without IF NOT EXISTS; when the name is taken, PostgreSQL's notice (42P07) and
/// `CREATE TABLE AS`, nothing inserted; the query's own errors stand.
#[tokio::test]
async fn create_table_if_not_exists_as() {
    let s = Server::start(&[]);
    let c = s.connect("ctas_ine").await;
    let tag = |m: &[tokio_postgres::SimpleQueryMessage]| {
        m.iter().find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::CommandComplete(n) => Some(*n),
            _ => None,
        })
    };
    let sql = "CREATE TABLE IF NOT EXISTS q AS SELECT 1::numeric(5,2) AS a, 'x' AS b";
    let made = c.simple_query(sql).await.unwrap();
    assert_eq!(tag(&made), Some(1));
    // A second time: nothing more (tokio-postgres reads `CREATE TABLE AS` as 0 rows).
    let again = c.simple_query(sql).await.unwrap();
    assert_eq!(tag(&again), Some(0));
    answers(
        &c,
        &[
            ("SELECT a, b FROM q", "1.00|x"),
            (
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute \
                 WHERE attrelid = 'q'::regclass AND attnum > 0 ORDER BY attnum",
                "numeric(5,2)\ntext",
            ),
        ],
    )
    .await;
    refusals(
        &c,
        &[(
            "CREATE TABLE IF NOT EXISTS q AS SELECT nosuch",
            "42703",
            "column \"nosuch\" does not exist",
        )],
    )
    .await;
}
