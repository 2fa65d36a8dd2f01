//! Objects SQLite lacks, kept in litewire's reserved tables: sequences, identity and
//! serial columns, COMMENT ON, and the catalogs that show them. Each answer was checked
//! against PostgreSQL 15 first.

use crate::common::{psql, rows, sqlstate, Server};

fn one(v: &str) -> Vec<Vec<Option<String>>> {
    vec![vec![Some(v.to_string())]]
}

#[tokio::test]
async fn sequences_count_and_fail_as_postgresql() {
    let s = Server::start(&[]);
    let c = s.connect("seq").await;
    c.batch_execute("create sequence s").await.unwrap();
    let e = c.batch_execute("create sequence s").await.unwrap_err();
    assert_eq!(sqlstate(&e), "42P07");
    assert_eq!(
        e.as_db_error().unwrap().message(),
        "relation \"s\" already exists"
    );
    c.batch_execute("create sequence if not exists s")
        .await
        .unwrap();

    let e = c.query("select currval('s')", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "55000");
    assert_eq!(
        e.as_db_error().unwrap().message(),
        "currval of sequence \"s\" is not yet defined in this session"
    );
    let e = c.query("select lastval()", &[]).await.unwrap_err();
    assert_eq!(
        e.as_db_error().unwrap().message(),
        "lastval is not yet defined in this session"
    );

    assert_eq!(
        rows(
            &c,
            "select nextval('s'), nextval('S'), currval('public.s'), lastval()"
        )
        .await,
        vec![vec![
            Some("1".into()),
            Some("2".into()),
            Some("2".into()),
            Some("2".into())
        ]]
    );
    // Extended protocol, typed as bigint.
    let n: i64 = c
        .query_one("select nextval('s')", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 3);

    c.batch_execute("create sequence s2 maxvalue 2")
        .await
        .unwrap();
    assert_eq!(rows(&c, "select nextval('s2')").await, one("1"));
    assert_eq!(rows(&c, "select nextval('s2')").await, one("2"));
    let e = c.query("select nextval('s2')", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "2200H");
    assert_eq!(
        e.as_db_error().unwrap().message(),
        "nextval: reached maximum value of sequence \"s2\" (2)"
    );
    let e = c.query("select setval('s2', 5)", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "22003");
    assert_eq!(
        e.as_db_error().unwrap().message(),
        "setval: value 5 is out of bounds for sequence \"s2\" (1..2)"
    );
    assert_eq!(
        rows(&c, "select setval('s2', 1, false), nextval('s2')").await,
        vec![vec![Some("1".into()), Some("1".into())]]
    );

    // Options in any order, CYCLE, descending sequences.
    c.batch_execute("create sequence c3 start 2 maxvalue 3 cycle; create sequence d increment -1")
        .await
        .unwrap();
    assert_eq!(
        rows(
            &c,
            "select nextval('c3'), nextval('c3'), nextval('c3'), nextval('d'), nextval('d')"
        )
        .await,
        vec![["2", "3", "1", "-1", "-2"]
            .map(|v| Some(v.to_string()))
            .to_vec()]
    );

    for (sql, code, message) in [
        (
            "create sequence x increment 0",
            "22023",
            "INCREMENT must not be zero",
        ),
        (
            "create sequence x minvalue 5 maxvalue 2",
            "22023",
            "MINVALUE (5) must be less than MAXVALUE (2)",
        ),
        (
            "create sequence x start 100 maxvalue 10",
            "22023",
            "START value (100) cannot be greater than MAXVALUE (10)",
        ),
        (
            "create sequence x as text",
            "22023",
            "sequence type must be smallint, integer, or bigint",
        ),
        (
            "create sequence x as smallint maxvalue 100000",
            "22023",
            "MAXVALUE (100000) is out of range for sequence data type smallint",
        ),
        (
            "select nextval('nope')",
            "42P01",
            "relation \"nope\" does not exist",
        ),
        (
            "drop sequence nope",
            "42P01",
            "sequence \"nope\" does not exist",
        ),
        (
            "alter sequence nope restart",
            "42P01",
            "relation \"nope\" does not exist",
        ),
    ] {
        let e = c.batch_execute(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{sql}");
        assert_eq!(e.as_db_error().unwrap().message(), message, "{sql}");
    }
    c.batch_execute("create table t (a int)").await.unwrap();
    let e = c.query("select nextval('t')", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "42809");
    c.batch_execute("drop sequence if exists nope")
        .await
        .unwrap();

    // ALTER SEQUENCE: RESTART, RESTART WITH, INCREMENT.
    c.batch_execute("create sequence a start 100 increment 5")
        .await
        .unwrap();
    assert_eq!(
        rows(&c, "select nextval('a'), nextval('a')").await[0][1].as_deref(),
        Some("105")
    );
    c.batch_execute("alter sequence a restart").await.unwrap();
    assert_eq!(rows(&c, "select nextval('a')").await, one("100"));
    c.batch_execute("alter sequence a restart with 7 increment 2")
        .await
        .unwrap();
    assert_eq!(
        rows(&c, "select nextval('a'), nextval('a')").await,
        vec![vec![Some("7".into()), Some("9".into())]]
    );

    // Values are drawn for the rows returned, in their order, after the sort.
    c.batch_execute(
        "create sequence sorted; create table n (a int); \
         insert into n values (3), (1), (5), (2), (4)",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(
            &c,
            "select a, nextval('sorted') as v from n order by a desc limit 2"
        )
        .await,
        vec![
            vec![Some("5".into()), Some("1".into())],
            vec![Some("4".into()), Some("2".into())]
        ]
    );
    assert_eq!(rows(&c, "select currval('sorted')").await, one("2"));

    c.batch_execute("drop sequence s, s2").await.unwrap();
    let e = c.query("select nextval('s')", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "42P01");
}

#[tokio::test]
async fn sequences_are_transactional_and_per_session() {
    let s = Server::start(&[]);
    let a = s.connect("tx").await;
    let b = s.connect("tx").await;
    a.batch_execute("create sequence s").await.unwrap();
    assert_eq!(rows(&a, "select nextval('s')").await, one("1"));
    // litewire keeps the counter in the transaction: a rolled-back nextval is given
    // out again (COMPAT.md).
    a.batch_execute("begin").await.unwrap();
    assert_eq!(rows(&a, "select nextval('s')").await, one("2"));
    a.batch_execute("rollback").await.unwrap();
    assert_eq!(rows(&b, "select nextval('s')").await, one("2"));
    // currval is the session's own.
    assert_eq!(rows(&a, "select currval('s')").await, one("2"));
    assert_eq!(rows(&b, "select currval('s')").await, one("2"));
    assert_eq!(rows(&a, "select nextval('s')").await, one("3"));
    assert_eq!(rows(&b, "select currval('s')").await, one("2"));
    // A read-only transaction cannot advance a sequence.
    a.batch_execute("begin read only").await.unwrap();
    let e = a.query("select nextval('s')", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "25006");
    a.batch_execute("rollback").await.unwrap();
}

#[tokio::test]
async fn serial_and_identity_columns_use_their_sequences() {
    let s = Server::start(&[]);
    let c = s.connect("ident").await;
    c.batch_execute(
        "create table t (id serial primary key, b bigint generated always as identity, \
         c text, d bigserial)",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(
            &c,
            "select pg_get_serial_sequence('t','id'), pg_get_serial_sequence('t','b'), \
             pg_get_serial_sequence('t','c'), pg_get_serial_sequence('public.t','d')"
        )
        .await,
        vec![vec![
            Some("public.t_id_seq".into()),
            Some("public.t_b_seq".into()),
            None,
            Some("public.t_d_seq".into())
        ]]
    );
    assert_eq!(
        rows(&c, "insert into t (c) values ('x') returning id, b, c, d").await,
        vec![["1", "1", "x", "1"].map(|v| Some(v.to_string())).to_vec()]
    );
    assert_eq!(
        rows(&c, "insert into t default values returning id, b").await,
        vec![vec![Some("2".into()), Some("2".into())]]
    );
    // An explicit key does not move the sequence, as in PostgreSQL: the next default
    // is the sequence's.
    c.batch_execute("insert into t (id, c) values (10, 'y')")
        .await
        .unwrap();
    assert_eq!(
        rows(&c, "insert into t (c) values ('z') returning id").await,
        one("3")
    );
    assert_eq!(
        rows(&c, "select currval('t_id_seq'), lastval()").await[0][0].as_deref(),
        Some("3")
    );
    let types: Vec<(String, String)> = c
        .query(
            "select column_name::text, data_type::text from information_schema.columns \
             where table_name = 't' order by ordinal_position",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(types[0], ("id".into(), "integer".into()));
    assert_eq!(types[1], ("b".into(), "bigint".into()));
    assert_eq!(types[3], ("d".into(), "bigint".into()));
    // GENERATED ALWAYS takes only its DEFAULT.
    let e = c
        .batch_execute("insert into t (b, c) values (5, 'x')")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "428C9");
    let db = e.as_db_error().unwrap();
    assert_eq!(
        db.message(),
        "cannot insert a non-DEFAULT value into column \"b\""
    );
    assert_eq!(
        db.detail(),
        Some("Column \"b\" is an identity column defined as GENERATED ALWAYS.")
    );
    let e = c.batch_execute("update t set b = 7").await.unwrap_err();
    assert_eq!(sqlstate(&e), "428C9");
    assert_eq!(
        e.as_db_error().unwrap().message(),
        "column \"b\" can only be updated to DEFAULT"
    );
    c.batch_execute("update t set c = 'q' where id = 1")
        .await
        .unwrap();
    // A temp table's sequences are temporary too.
    c.batch_execute("create temp table tt (id serial, v text)")
        .await
        .unwrap();
    assert_eq!(
        rows(&c, "insert into tt (v) values ('a') returning id").await,
        one("1")
    );
    assert_eq!(
        rows(
            &c,
            "select schemaname from pg_sequences where sequencename = 'tt_id_seq'"
        )
        .await,
        one("pg_temp_3")
    );
    // The sequences go with their table.
    c.batch_execute("drop table t").await.unwrap();
    assert_eq!(
        rows(
            &c,
            "select count(*) from pg_sequences where sequencename like 't\\_%'"
        )
        .await,
        one("0")
    );
}

#[tokio::test]
async fn catalogs_list_sequences() {
    let s = Server::start(&[]);
    let c = s.connect("cat").await;
    c.batch_execute(
        "create sequence s; create table t (id int generated by default as identity, v text);
         select nextval('s'); select nextval('s');",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(
            &c,
            "select sequencename, data_type, start_value, min_value, max_value, increment_by, \
             cycle, cache_size, last_value from pg_sequences order by 1"
        )
        .await,
        vec![
            [
                "s",
                "bigint",
                "1",
                "1",
                "9223372036854775807",
                "1",
                "f",
                "1",
                "2"
            ]
            .map(|v| Some(v.to_string()))
            .to_vec(),
            ["t_id_seq", "integer", "1", "1", "2147483647", "1", "f", "1"]
                .map(|v| Some(v.to_string()))
                .into_iter()
                .chain([None])
                .collect(),
        ]
    );
    // Identity sequences are not listed in information_schema.sequences.
    assert_eq!(
        rows(
            &c,
            "select sequence_name, data_type, numeric_precision, start_value, maximum_value, \
             cycle_option from information_schema.sequences"
        )
        .await,
        vec![["s", "bigint", "64", "1", "9223372036854775807", "NO"]
            .map(|v| Some(v.to_string()))
            .to_vec()]
    );
    assert_eq!(
        rows(
            &c,
            "select c.relname, c.relkind from pg_class c join pg_sequence q \
             on q.seqrelid = c.oid order by 1"
        )
        .await,
        vec![
            vec![Some("s".into()), Some("S".into())],
            vec![Some("t_id_seq".into()), Some("S".into())]
        ]
    );
    assert_eq!(
        rows(&c, "select seqtypid::int from pg_sequence order by 1").await,
        vec![one("20")[0].clone(), one("23")[0].clone()]
    );
    // 's'::regclass names the sequence; nextval takes it.
    assert_eq!(
        rows(&c, "select nextval('s'::regclass), 's'::regclass = (select oid from pg_class where relname = 's')").await,
        vec![vec![Some("3".into()), Some("t".into())]]
    );
}

#[tokio::test]
async fn comments_show_in_the_catalog() {
    let s = Server::start(&[]);
    let c = s.connect("comments").await;
    c.batch_execute(
        "create table t (a int, b text); create sequence s;
         comment on table t is 'the table';
         comment on column t.b is 'the b';
         comment on column public.t.a is 'the a';",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(
            &c,
            "select obj_description('t'::regclass, 'pg_class'), col_description('t'::regclass, 1), \
             col_description('t'::regclass, 2)"
        )
        .await,
        vec![vec![
            Some("the table".into()),
            Some("the a".into()),
            Some("the b".into())
        ]]
    );
    c.batch_execute("comment on column t.a is null; comment on table t is ''")
        .await
        .unwrap();
    assert_eq!(
        rows(
            &c,
            "select objsubid, description from pg_description where classoid = 1259 order by 1"
        )
        .await,
        vec![vec![Some("2".into()), Some("the b".into())]]
    );
    for (sql, code, message) in [
        (
            "comment on table nope is 'x'",
            "42P01",
            "relation \"nope\" does not exist",
        ),
        (
            "comment on column t.nope is 'x'",
            "42703",
            "column \"nope\" of relation \"t\" does not exist",
        ),
    ] {
        let e = c.batch_execute(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{sql}");
        assert_eq!(e.as_db_error().unwrap().message(), message, "{sql}");
    }
    // Indexes and sequences too; a table is not a sequence.
    c.batch_execute(
        "create index t_b on t (b); comment on index t_b is 'by b'; \
         comment on sequence s is $$counts$$",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(
            &c,
            "select obj_description('t_b'::regclass), obj_description('s'::regclass)"
        )
        .await,
        vec![vec![Some("by b".into()), Some("counts".into())]]
    );
    let e = c
        .batch_execute("comment on sequence t is 'x'")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42809");
    assert_eq!(
        e.as_db_error().unwrap().message(),
        "\"t\" is not a sequence"
    );
    c.batch_execute("comment on index t_b is null; comment on sequence s is null")
        .await
        .unwrap();
    // Rolled back with the transaction.
    c.batch_execute("begin; comment on table t is 'gone'; rollback")
        .await
        .unwrap();
    assert_eq!(
        rows(&c, "select obj_description('t'::regclass)").await,
        vec![vec![None]]
    );
    c.batch_execute("drop table t").await.unwrap();
    assert_eq!(
        // (The public schema's own comment stays, as in PostgreSQL.)
        rows(
            &c,
            "select count(*) from pg_description where classoid = 1259"
        )
        .await,
        one("0")
    );
}

#[tokio::test]
async fn reserved_tables_are_litewires_own() {
    let s = Server::start(&[]);
    let c = s.connect("reserved").await;
    c.batch_execute("create table plain (a int); insert into plain values (1)")
        .await
        .unwrap();
    // Nothing is written for objects a file never used.
    let path = s.data_dir().join("reserved.db");
    let names = || -> Vec<String> {
        let db = rusqlite::Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let mut q = db
            .prepare("select name from sqlite_schema where type = 'table' order by 1")
            .unwrap();
        let names = q
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        names
    };
    assert_eq!(names(), vec!["plain".to_string()]);
    c.batch_execute("create sequence s; comment on table plain is 'x'")
        .await
        .unwrap();
    assert_eq!(
        names(),
        ["_litewire_comments", "_litewire_sequences", "plain"]
            .map(String::from)
            .to_vec()
    );
    // Listings through litewire do not show them.
    assert_eq!(
        rows(&c, "select name from sqlite_schema where type = 'table'").await,
        one("plain")
    );
    assert_eq!(
        rows(&c, "select count(*) from sqlite_master").await,
        one("1")
    );
    assert_eq!(
        rows(&c, "select table_name from information_schema.tables").await,
        one("plain")
    );
    assert_eq!(
        rows(
            &c,
            "select relname from pg_class where relkind = 'r' and relnamespace = 2200"
        )
        .await,
        one("plain")
    );
    // Only litewire writes them.
    for sql in [
        "update _litewire_sequences set last_value = 100",
        "delete from _litewire_comments",
        "insert into _litewire_sequences (name) values ('x')",
        "drop table _litewire_sequences",
        "create table _litewire_mine (a int)",
        "create index i on _litewire_sequences (type)",
    ] {
        let e = c.batch_execute(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), "42501", "{sql}");
    }
    assert_eq!(rows(&c, "select nextval('s')").await, one("1"));
}

#[tokio::test]
async fn pg_tables_indexes_and_views() {
    let s = Server::start(&[]);
    let c = s.connect("lists").await;
    c.batch_execute(
        "create table pt (id int primary key, v text unique); create view pv as select id from pt;
         create sequence s",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(&c, "select * from pg_tables").await,
        vec![vec![
            Some("public".into()),
            Some("pt".into()),
            Some("tester".into()),
            None,
            Some("t".into()),
            Some("f".into()),
            Some("f".into()),
            Some("f".into())
        ]]
    );
    assert_eq!(
        rows(
            &c,
            "select indexname, indexdef from pg_indexes where tablename = 'pt' order by 1"
        )
        .await,
        vec![
            vec![
                Some("pt_pkey".into()),
                Some("CREATE UNIQUE INDEX pt_pkey ON public.pt USING btree (id)".into())
            ],
            vec![
                Some("pt_v_key".into()),
                Some("CREATE UNIQUE INDEX pt_v_key ON public.pt USING btree (v)".into())
            ],
        ]
    );
    assert_eq!(
        rows(&c, "select schemaname, viewname from pg_views").await,
        vec![vec![Some("public".into()), Some("pv".into())]]
    );
}

#[tokio::test]
async fn skipped_statements_say_so() {
    let s = Server::start(&[]);
    let (ok, out, err) = psql(
        &s,
        "notices",
        &[
            "-v",
            "VERBOSITY=verbose",
            "-c",
            "create sequence s",
            "-c",
            "create sequence if not exists s",
            "-c",
            "drop sequence if exists nope",
            "-c",
            "alter sequence if exists nope restart",
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(
        out,
        "CREATE SEQUENCE\nCREATE SEQUENCE\nDROP SEQUENCE\nALTER SEQUENCE\n"
    );
    assert_eq!(
        err,
        "NOTICE:  42P07: relation \"s\" already exists, skipping\n\
         NOTICE:  00000: sequence \"nope\" does not exist, skipping\n\
         NOTICE:  00000: relation \"nope\" does not exist, skipping\n"
    );
}

/// drizzle-kit's CREATE TABLE names an identity column's sequence (`SEQUENCE NAME`,
/// PostgreSQL's own name for it) and quotes `"public"`; drizzle-orm inserts several rows
/// with `DEFAULT` for a GENERATED ALWAYS column in one VALUES. Answers as PostgreSQL 15's.
#[tokio::test]
async fn identity_sequence_names_and_multirow_defaults() {
    let s = Server::start(&[]);
    let c = s.connect("drizzle").await;
    c.batch_execute(
        "create table p (id int primary key generated always as identity \
         (sequence name \"p_id_seq\" increment by 1 minvalue 1 maxvalue 2147483647 \
         start with 1 cache 1), t text); \
         create table \"public\".\"c\" (id int generated by default as identity \
         (sequence name public.c_id_seq start with 5), pid int); \
         alter table c add constraint c_fk foreign key (pid) \
         references \"public\".\"p\"(\"id\") on delete cascade",
    )
    .await
    .unwrap();
    let ids = |r: Vec<Vec<Option<String>>>| -> Vec<String> {
        r.into_iter().map(|mut v| v.remove(0).unwrap()).collect()
    };
    let got = rows(
        &c,
        "insert into p (id, t) values (default, 'a'), (default, 'b') returning id",
    )
    .await;
    assert_eq!(ids(got), ["1", "2"]);
    // A value drawn by hand and never inserted does not stand in the way.
    assert_eq!(rows(&c, "select nextval('p_id_seq')").await, one("3"));
    let got = rows(
        &c,
        "insert into p (id, t) values (default, 'c'), (default, 'd'), (default, 'e') returning id",
    )
    .await;
    assert_eq!(ids(got), ["4", "5", "6"]);
    // A row's own value among DEFAULTs is still refused.
    let e = c
        .batch_execute("insert into p (id, t) values (default, 'f'), (100, 'g')")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "428C9");
    let got = rows(&c, "insert into c (pid) values (1), (2) returning id").await;
    assert_eq!(ids(got), ["5", "6"]);
    assert_eq!(
        rows(
            &c,
            "select confrelid::regclass::text from pg_constraint where conname = 'c_fk'"
        )
        .await,
        one("p")
    );
    c.batch_execute("delete from p where id = 1").await.unwrap();
    assert_eq!(rows(&c, "select count(*) from c").await, one("1"));
    // Another name than PostgreSQL's would need a sequence litewire does not name so.
    let e = c
        .batch_execute(
            "create table x (id int generated always as identity (sequence name other_seq))",
        )
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "0A000");
}

/// drizzle-orm's migrator runs `CREATE SCHEMA IF NOT EXISTS` of its schema: public is
/// there (a no-op), public again without IF NOT EXISTS is 42P06 (other schemas:
/// schemas.rs).
#[tokio::test]
async fn create_schema_of_the_public_schema() {
    let s = Server::start(&[]);
    let c = s.connect("schemas").await;
    c.batch_execute("create schema if not exists \"public\"")
        .await
        .unwrap();
    for (sql, code) in [
        ("create schema public", "42P06"),
        ("create schema pg_catalog", "42P06"),
    ] {
        let e = c.batch_execute(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{sql}");
    }
    c.batch_execute("create table if not exists \"public\".\"m\" (id serial primary key)")
        .await
        .unwrap();
    assert_eq!(rows(&c, "select count(*) from public.m").await, one("0"));
}

/// COMMENT ON CONSTRAINT c ON t and COMMENT ON INDEX of a key's index (by its
/// PostgreSQL name), shown by obj_description, kept through a rebuild, gone with the
/// table; the errors PostgreSQL gives for a missing table or constraint.
#[tokio::test]
async fn comments_on_constraints_and_key_indexes() {
    let s = Server::start(&[]);
    let c = s.connect("concomment").await;
    c.batch_execute(
        "create table ct (id int, p int check (p > 0), constraint ct_pk primary key (id)); \
         comment on constraint ct_p_check on ct is 'positive'; \
         comment on constraint CT_PK on public.ct is 'the key'; \
         comment on index ct_pk is 'its index'; \
         alter table ct alter column p type bigint",
    )
    .await
    .unwrap();
    crate::common::answers(
        &c,
        &[
            (
                "select conname, obj_description(oid, 'pg_constraint') from pg_constraint \
                 where conrelid = 'ct'::regclass order by 1",
                "ct_p_check|positive\nct_pk|the key",
            ),
            (
                "select indexrelid::regclass::text, obj_description(indexrelid, 'pg_class') \
                 from pg_index where indrelid = 'ct'::regclass",
                "ct_pk|its index",
            ),
        ],
    )
    .await;
    crate::common::refusals(
        &c,
        &[
            (
                "comment on constraint nope on ct is 'x'",
                "42704",
                "constraint \"nope\" for table \"ct\" does not exist",
            ),
            (
                "comment on constraint nope on nope is 'x'",
                "42P01",
                "relation \"nope\" does not exist",
            ),
        ],
    )
    .await;
    c.batch_execute("drop table ct; create table ct (id int constraint ct_pk primary key)")
        .await
        .unwrap();
    crate::common::answers(
        &c,
        &[(
            "select count(*) from pg_description where classoid = 2606",
            "0",
        )],
    )
    .await;
}
