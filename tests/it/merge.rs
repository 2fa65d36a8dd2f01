//! MERGE as PostgreSQL 15 runs it: each source row acted on by its first WHEN clause whose
//! condition holds, on the rows as they were before the statement; `MERGE n` counting
//! the rows changed; PostgreSQL's errors. Every test runs against PostgreSQL 15 as well
//! (`MERGE_AGAINST=5432 cargo test --test it merge:: -- --test-threads=1`: the tests share
//! their tables there).

use crate::common::{answers, refusals, sqlstate, Target};

const TABLES: &str =
    "drop view if exists merge_v; drop table if exists merge_t, merge_s, merge_d; \
    create table merge_t (k int primary key, v text default 'dflt'); \
    create table merge_s (k int, v text); \
    insert into merge_t values (1, 'a'), (2, 'b'), (3, 'c'); \
    insert into merge_s values (1, 'x'), (2, 'y'), (4, 'z'), (5, 'w')";

#[tokio::test]
async fn clauses_act_on_the_rows_as_they_were() {
    let t = Target::new("MERGE_AGAINST", "merge");
    let c = t.connect().await;
    c.batch_execute(TABLES).await.unwrap();
    // Row 1 is updated, row 2 deleted (the first clause whose condition holds), 4 and 5
    // inserted by different clauses; row 3 matches no source row and stays.
    let n = c
        .execute(
            "merge into merge_t t using merge_s s on t.k = s.k \
             when matched and s.k = 1 then update set v = t.v || s.v \
             when matched then delete \
             when not matched and s.k = 4 then insert values (s.k, s.v) \
             when not matched then insert (k) values (s.k)",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(n, 4);
    answers(
        &c,
        &[(
            "select k, v from merge_t order by k",
            "1|ax\n3|c\n4|z\n5|dflt",
        )],
    )
    .await;
    // An UPDATE that changes the join's answer does not make the row "not matched".
    let n = c
        .execute(
            "merge into merge_t t using merge_s s on t.k = s.k and t.v <> 'moved' \
             when matched then update set v = 'moved' \
             when not matched then insert values (s.k + 100, 'new')",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(n, 4);
    answers(
        &c,
        &[(
            "select k, v from merge_t order by k",
            "1|moved\n3|c\n4|moved\n5|moved\n102|new",
        )],
    )
    .await;
    // DO NOTHING counts nothing and keeps later clauses from the row.
    let n = c
        .execute(
            "merge into merge_t t using merge_s s on t.k = s.k \
             when matched and s.k < 5 then do nothing when matched then delete \
             when not matched then do nothing",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
    answers(&c, &[("select count(*) from merge_t where k = 5", "0")]).await;
    c.batch_execute("drop table merge_t, merge_s")
        .await
        .unwrap();
}

#[tokio::test]
async fn sources_parameters_defaults_and_ctes() {
    let t = Target::new("MERGE_AGAINST", "merge");
    let c = t.connect().await;
    c.batch_execute(TABLES).await.unwrap();
    c.batch_execute("create table merge_d (id serial primary key, n int default 7)")
        .await
        .unwrap();
    // A VALUES source with typed parameters (Describe types them from the statements).
    let upsert = c
        .prepare(
            "merge into merge_t as t using (values ($1::int, $2::text)) as src(k, v) \
             on t.k = src.k when matched then update set v = src.v \
             when not matched then insert values (src.k, src.v)",
        )
        .await
        .unwrap();
    assert_eq!(c.execute(&upsert, &[&1i32, &"one"]).await.unwrap(), 1);
    assert_eq!(c.execute(&upsert, &[&9i32, &"nine"]).await.unwrap(), 1);
    let set = c
        .prepare(
            "merge into merge_t t using merge_s s on t.k = s.k \
             when matched and t.k = $1 then update set v = $2",
        )
        .await
        .unwrap();
    assert_eq!(
        set.params(),
        &[
            tokio_postgres::types::Type::INT4,
            tokio_postgres::types::Type::TEXT
        ]
    );
    assert_eq!(c.execute(&set, &[&2i32, &"two"]).await.unwrap(), 1);
    // DEFAULT VALUES, once per row; DEFAULT in a column list.
    let n = c
        .execute(
            "merge into merge_d d using merge_s s on false \
             when not matched then insert default values",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(n, 4);
    c.batch_execute(
        "merge into merge_t t using merge_s s on t.k = s.k \
         when not matched and s.k = 4 then insert (k, v) values (s.k, default)",
    )
    .await
    .unwrap();
    // A CTE read by a clause's subquery and the source.
    c.batch_execute(
        "with c as materialized (select 5 as a, 'from cte' as b) \
         merge into merge_t t using (select * from c) o on t.k = o.a \
         when not matched then insert values (o.a, (select b from c) || '!')",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[
            (
                "select k, v from merge_t order by k",
                "1|one\n2|two\n3|c\n4|dflt\n5|from cte!\n9|nine",
            ),
            (
                "select string_agg(id || ':' || n, ',' order by id) from merge_d",
                "1:7,2:7,3:7,4:7",
            ),
        ],
    )
    .await;
    c.batch_execute("drop table merge_t, merge_s, merge_d")
        .await
        .unwrap();
}

#[tokio::test]
async fn errors_are_postgres_errors_and_change_nothing() {
    let t = Target::new("MERGE_AGAINST", "merge");
    let c = t.connect().await;
    c.batch_execute(TABLES).await.unwrap();
    c.batch_execute(
        "insert into merge_s values (1, 'again'); create view merge_v as select * from merge_t",
    )
    .await
    .unwrap();
    refusals(
        &c,
        &[
            (
                "merge into merge_t t using merge_s s on t.k = s.k \
                 when matched then update set v = s.v",
                "21000",
                "MERGE command cannot affect row a second time",
            ),
            (
                "merge into merge_t t using merge_s s on t.k = s.k \
                 when matched then delete when matched and s.k = 1 then delete",
                "42601",
                "unreachable WHEN clause specified after unconditional WHEN clause",
            ),
            (
                "merge into merge_t using merge_s as merge_t on true when matched then do nothing",
                "42712",
                "name \"merge_t\" specified more than once",
            ),
            (
                "merge into merge_t using (select 1 as k) on true when matched then do nothing",
                "42601",
                "subquery in FROM must have an alias",
            ),
            (
                "merge into merge_v using merge_s s on merge_v.k = s.k when matched then delete",
                "0A000",
                "cannot execute MERGE on relation \"merge_v\"",
            ),
            (
                "with recursive c as (select 1) merge into merge_t using c on true \
                 when matched then do nothing",
                "42601",
                "WITH RECURSIVE is not supported for MERGE statement",
            ),
        ],
    )
    .await;
    // A constraint failing in the INSERT undoes the UPDATE before it.
    let e = c
        .batch_execute(
            "merge into merge_t t using (select 2 as k union all select null) s on t.k = s.k \
             when matched then update set v = 'changed' \
             when not matched then insert (k) values (s.k)",
        )
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23502");
    // DO NOTHING on a row matched twice is no error (nothing acts on it twice).
    c.batch_execute(
        "merge into merge_t t using merge_s s on t.k = s.k when matched then do nothing",
    )
    .await
    .unwrap();
    // In a read-only transaction, PostgreSQL's words.
    c.batch_execute("begin read only").await.unwrap();
    let e = c
        .batch_execute(
            "merge into merge_t t using merge_s s on t.k = s.k and s.v = 'x' \
             when matched then delete",
        )
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "25006");
    c.batch_execute("rollback").await.unwrap();
    answers(
        &c,
        &[("select k, v from merge_t order by k", "1|a\n2|b\n3|c")],
    )
    .await;
    c.batch_execute("drop view merge_v; drop table merge_t, merge_s")
        .await
        .unwrap();
}
