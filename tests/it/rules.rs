//! CREATE RULE / DROP RULE as triggers (engine/objects/rules.rs): DO INSTEAD on views
//! and tables, DO ALSO, conditions, DO INSTEAD NOTHING; what a per-row trigger cannot
//! honour refused where the rule fires; PostgreSQL's refusals of rules in data-modifying
//! WITH. Answers checked against PostgreSQL 15.

use crate::common::{answers, refusals, Server};

#[tokio::test]
async fn rules_rewrite_writes_on_views_and_tables() {
    let s = Server::start(&[]);
    let c = s.connect("rules").await;
    c.batch_execute(
        "create table items (id int, qty int);
         create table audit (id int, old_qty int, new_qty int);
         create view items_v as select id, qty from items;
         create rule items_v_ins as on insert to items_v do instead
           insert into items values (new.id, new.qty);
         create rule items_v_del as on delete to items_v do instead
           delete from items where id = old.id;
         create rule items_upd as on update to items do also
           insert into audit values (old.id, old.qty, new.qty);
         create rule items_neg as on insert to items where new.qty < 0 do instead nothing;
         insert into items_v values (1, 10), (2, 20), (3, -5);
         update items set qty = qty + 1 where id = 2;
         delete from items_v where id = 1;",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[
            ("select * from items order by id", "2|21"),
            ("select * from audit", "2|20|21"),
            (
                "select hasrules, hastriggers from pg_tables where tablename = 'items'",
                "t|f",
            ),
        ],
    )
    .await;
    refusals(
        &c,
        &[
            (
                "create rule items_neg as on insert to items do instead nothing",
                "42710",
                "rule \"items_neg\" for relation \"items\" already exists",
            ),
            (
                "create rule r as on insert to nosuch do instead nothing",
                "42P01",
                "relation \"nosuch\" does not exist",
            ),
        ],
    )
    .await;
    c.batch_execute("drop rule items_neg on items; insert into items values (4, -1)")
        .await
        .unwrap();
    answers(&c, &[("select count(*) from items", "2")]).await;
    // PostgreSQL's COPY FROM applies no rules; litewire's would fire: refused.
    refusals(
        &c,
        &[(
            "copy items_v from stdin",
            "0A000",
            "COPY FROM into table \"items_v\", which has rules on INSERT, is not supported by litewire",
        )],
    )
    .await;
    refusals(
        &c,
        &[(
            "drop rule items_neg on items",
            "42704",
            "rule \"items_neg\" for relation \"items\" does not exist",
        )],
    )
    .await;
    // The list of actions is one statement, split where PostgreSQL splits it.
    c.batch_execute(
        "create or replace rule items_upd as on update to items do instead \
         (insert into audit values (old.id, old.qty, new.qty); \
          insert into audit values (new.id, 0, 0));
         update items set qty = 7 where id = 4",
    )
    .await
    .unwrap();
    // A renamed table keeps its rules.
    c.batch_execute("alter table audit rename to audit2; alter table items rename to items2")
        .await
        .unwrap();
    c.batch_execute("update items2 set qty = 7 where id = 4")
        .await
        .unwrap();
    c.batch_execute("drop rule items_upd on items2; update items2 set qty = 8 where id = 2")
        .await
        .unwrap();
    c.batch_execute("alter table audit2 rename to audit; alter table items2 rename to items")
        .await
        .unwrap();
    answers(
        &c,
        &[
            ("select qty from items where id = 2", "8"),
            (
                "select * from audit order by id, old_qty",
                // Twice: the rule fired again after the renames.
                "2|20|21\n4|-1|7\n4|-1|7\n4|0|0\n4|0|0",
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn rules_litewire_cannot_honour_refuse_when_they_fire() {
    let s = Server::start(&[]);
    let c = s.connect("rules").await;
    // PostgreSQL runs this action once per DELETE (it names no row), not per row.
    c.batch_execute(
        "create table y (a int); insert into y values (1), (2);
         create rule y_rule as on delete to y do instead insert into y values (42) returning *",
    )
    .await
    .unwrap();
    refusals(
        &c,
        &[(
            "delete from y",
            "0A000",
            "an ON DELETE rule whose actions name neither OLD nor NEW is not supported by litewire",
        )],
    )
    .await;
    answers(&c, &[("select count(*) from y", "2")]).await;
    refusals(
        &c,
        &[
            (
                "create rule r as on insert to y do instead insert into y values (old.a)",
                "42P17",
                "ON INSERT rule cannot use OLD",
            ),
            (
                "create rule r as on update to y do instead with t as (select old.*) update y set a = t.a from t",
                "0A000",
                "cannot refer to OLD within WITH query",
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn rules_in_data_modifying_with_are_refused_as_postgresql_does() {
    let s = Server::start(&[]);
    let c = s.connect("rules").await;
    c.batch_execute(
        "create table y (a int); create table b (i int); create table b2 (i int);
         insert into b values (1), (2);
         create rule b_ins as on insert to b do instead insert into b2 values (new.i)",
    )
    .await
    .unwrap();
    // One unconditional DO INSTEAD action: allowed, and it takes the rows.
    c.batch_execute("with t as (delete from b returning *) insert into b select * from t")
        .await
        .unwrap();
    answers(
        &c,
        &[
            ("select count(*) from b", "0"),
            ("select i from b2 order by i", "1\n2"),
        ],
    )
    .await;
    let with = "with t as (insert into y values (0)) values (false)";
    for (rule, message) in [
        (
            "create or replace rule y_rule as on insert to y where new.a = 0 do instead delete from y",
            "conditional DO INSTEAD rules are not supported for data-modifying statements in WITH",
        ),
        (
            "create or replace rule y_rule as on insert to y do instead nothing",
            "DO INSTEAD NOTHING rules are not supported for data-modifying statements in WITH",
        ),
        (
            "create or replace rule y_rule as on insert to y do also notify foo",
            "DO ALSO rules are not supported for data-modifying statements in WITH",
        ),
        (
            "create or replace rule y_rule as on insert to y do instead (notify foo; notify bar)",
            "multi-statement DO INSTEAD rules are not supported for data-modifying statements in WITH",
        ),
        (
            "create or replace rule b_ins as on insert to b do instead insert into b2 select new.i",
            "INSERT...SELECT rule actions are not supported for queries having data-modifying statements in WITH",
        ),
    ] {
        c.batch_execute(rule).await.unwrap();
        let stmt = if rule.contains("b_ins") {
            "with t as (delete from b2 returning *) insert into b select * from t"
        } else {
            with
        };
        refusals(&c, &[(stmt, "0A000", message)]).await;
    }
}

/// `new.*` in an action: SQLite's triggers take no `new.*`, so it is the relation's
/// columns in order, as PostgreSQL expands it (answers from PostgreSQL 15).
#[tokio::test]
async fn rule_actions_expand_new_star() {
    let s = Server::start(&[]);
    let c = s.connect("rulestar").await;
    c.batch_execute(
        "create table base (c1 int default 5, c2 text default 'd');
         create view base_v as select * from base;
         create rule base_v_ins as on insert to base_v do instead
           insert into base select new.*;
         insert into base_v default values;
         insert into base_v values (7, 'x');
         insert into base_v (c2) values ('y');",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[(
            "select c1, c2, c1 is null, c2 is null from base order by c1 nulls first, c2",
            "|y|t|f\n||t|t\n7|x|f|f",
        )],
    )
    .await;
}
