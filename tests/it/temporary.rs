//! Temporary tables as PostgreSQL shows and treats them: in the catalogs (pg_class,
//! pg_namespace's `pg_temp_3`, pg_attribute, pg_index, pg_constraint, `::regclass`,
//! information_schema), with ON COMMIT DELETE ROWS and ON COMMIT DROP carried out when a
//! transaction ends; and the internal triggers PostgreSQL lists for each foreign key.
//! Every test runs against PostgreSQL 15 as well (TEMPORARY_AGAINST=5432).

use crate::common::{answers, refusals, Target};

#[tokio::test]
async fn temporary_relations_are_in_the_catalogs() {
    let t = Target::new("TEMPORARY_AGAINST", "temporary");
    let c = t.connect().await;
    c.batch_execute(
        "drop table if exists perm_t; create table perm_t (a int primary key); \
         create temp table tmp_t (a int primary key, b text check (b <> ''), c serial); \
         create index tmp_t_b on tmp_t (b)",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[
            (
                "select relname, relnamespace::regnamespace, relpersistence, relkind, \
                 pg_table_is_visible(oid) from pg_class \
                 where relname like 'perm\\_t%' or relname like 'tmp\\_t%' order by 1",
                "perm_t|public|p|r|t\nperm_t_pkey|public|p|i|t\ntmp_t|pg_temp_3|t|r|t\n\
                 tmp_t_b|pg_temp_3|t|i|t\ntmp_t_c_seq|pg_temp_3|t|S|t\n\
                 tmp_t_pkey|pg_temp_3|t|i|t",
            ),
            // Its OID is not a permanent relation's.
            (
                "select 'tmp_t'::regclass::text, 'tmp_t'::regclass <> 'perm_t'::regclass",
                "tmp_t|t",
            ),
            (
                "select count(*) from pg_namespace where nspname = 'pg_temp_3'",
                "1",
            ),
            (
                "select schemaname from pg_tables where tablename = 'tmp_t'",
                "pg_temp_3",
            ),
            (
                "select table_schema, table_type from information_schema.tables \
                 where table_name = 'tmp_t'",
                "pg_temp_3|LOCAL TEMPORARY",
            ),
            (
                "select attname, format_type(atttypid, atttypmod), attnotnull \
                 from pg_attribute where attrelid = 'tmp_t'::regclass and attnum > 0 \
                 order by attnum",
                "a|integer|t\nb|text|f\nc|integer|t",
            ),
            (
                "select indexrelid::regclass::text, indisprimary from pg_index \
                 where indrelid = 'tmp_t'::regclass order by 1",
                "tmp_t_b|f\ntmp_t_pkey|t",
            ),
            (
                "select conname, contype from pg_constraint \
                 where conrelid = 'tmp_t'::regclass order by 1",
                "tmp_t_b_check|c\ntmp_t_pkey|p",
            ),
            (
                "select schemaname, indexname from pg_indexes where tablename = 'tmp_t' \
                 order by 2",
                "pg_temp_3|tmp_t_b\npg_temp_3|tmp_t_pkey",
            ),
            (
                "select schemaname from pg_sequences where sequencename = 'tmp_t_c_seq'",
                "pg_temp_3",
            ),
        ],
    )
    .await;
    c.batch_execute("drop table perm_t").await.unwrap();
}

#[tokio::test]
async fn on_commit_empties_or_drops_a_temporary_table() {
    let t = Target::new("TEMPORARY_AGAINST", "temporary");
    let c = t.connect().await;
    c.batch_execute("create temp table oc_d (a serial, b text) on commit delete rows")
        .await
        .unwrap();
    answers(
        &c,
        &[
            // Autocommit: emptied as soon as the INSERT commits.
            ("insert into oc_d (b) values ('x') returning a, b", "1|x"),
            ("select count(*) from oc_d", "0"),
        ],
    )
    .await;
    // One implicit transaction: the rows are there until it ends.
    let within = c
        .simple_query("insert into oc_d (b) values ('y'); select count(*) from oc_d")
        .await
        .unwrap();
    let counts: Vec<&str> = within
        .iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0),
            _ => None,
        })
        .collect();
    assert_eq!(counts, ["1"]);
    c.batch_execute("begin; insert into oc_d (b) values ('y'), ('z')")
        .await
        .unwrap();
    answers(&c, &[("select count(*) from oc_d", "2")]).await;
    c.batch_execute("commit").await.unwrap();
    answers(
        &c,
        &[
            ("select count(*) from oc_d", "0"),
            // The sequence is not reset.
            ("insert into oc_d (b) values ('w') returning a", "5"),
        ],
    )
    .await;
    // ON COMMIT DROP: gone at the end of its transaction, with its sequence.
    c.batch_execute(
        "begin; create temp table oc_x (a serial) on commit drop; insert into oc_x default values",
    )
    .await
    .unwrap();
    answers(&c, &[("select count(*) from oc_x", "1")]).await;
    c.batch_execute("commit").await.unwrap();
    answers(
        &c,
        &[(
            "select count(*) from pg_class where relname like 'oc\\_x%'",
            "0",
        )],
    )
    .await;
    refusals(
        &c,
        &[
            (
                "select * from oc_x",
                "42P01",
                "relation \"oc_x\" does not exist",
            ),
            (
                "create table oc_p (a int) on commit delete rows",
                "42P16",
                "ON COMMIT can only be used on temporary tables",
            ),
        ],
    )
    .await;
    // Made in a transaction that is rolled back: nothing is left to carry out.
    c.batch_execute("begin; create temp table oc_r (a int) on commit drop; rollback")
        .await
        .unwrap();
    c.batch_execute("begin; commit").await.unwrap();
    // A table dropped by hand is forgotten; PRESERVE ROWS keeps its rows.
    c.batch_execute(
        "drop table oc_d; \
         create temp table oc_k (a int) on commit preserve rows; \
         insert into oc_k values (1)",
    )
    .await
    .unwrap();
    answers(&c, &[("select count(*) from oc_k", "1")]).await;
}

#[tokio::test]
async fn foreign_keys_have_postgresqls_internal_triggers() {
    let t = Target::new("TEMPORARY_AGAINST", "temporary");
    let c = t.connect().await;
    c.batch_execute(
        "create temp table fk_pk (id int primary key); \
         create temp table fk_ref (r int); \
         alter table fk_ref add constraint fk_nd foreign key (r) references fk_pk \
           on delete cascade; \
         alter table fk_ref add constraint fk_dd foreign key (r) references fk_pk \
           on update restrict deferrable initially deferred",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[
            (
                "select conname, tgfoid::regproc, tgtype, tgdeferrable, tginitdeferred \
                 from pg_trigger join pg_constraint con on con.oid = tgconstraint \
                 where tgrelid = 'fk_pk'::regclass order by 1, 2, 3",
                // regproc sorts by OID, as in PostgreSQL.
                "fk_dd|\"RI_FKey_restrict_upd\"|17|f|f\nfk_dd|\"RI_FKey_noaction_del\"|9|t|t\n\
                 fk_nd|\"RI_FKey_cascade_del\"|9|f|f\nfk_nd|\"RI_FKey_noaction_upd\"|17|f|f",
            ),
            (
                "select conname, tgfoid::regproc, tgtype, tgdeferrable, tginitdeferred \
                 from pg_trigger join pg_constraint con on con.oid = tgconstraint \
                 where tgrelid = 'fk_ref'::regclass order by 1, 2, 3",
                "fk_dd|\"RI_FKey_check_ins\"|5|t|t\nfk_dd|\"RI_FKey_check_upd\"|17|t|t\n\
                 fk_nd|\"RI_FKey_check_ins\"|5|f|f\nfk_nd|\"RI_FKey_check_upd\"|17|f|f",
            ),
            (
                "select count(*), bool_and(tgisinternal), min(tgenabled) from pg_trigger \
                 where tgconstrrelid = 'fk_ref'::regclass",
                "4|t|O",
            ),
            ("select '\"RI_FKey_check_ins\"'::regproc::oid", "1644"),
        ],
    )
    .await;
    refusals(
        &c,
        &[(
            "select 'no_such_function'::regproc",
            "42883",
            "function \"no_such_function\" does not exist",
        )],
    )
    .await;
}
