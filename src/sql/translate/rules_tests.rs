use super::*;

#[test]
fn an_insert_rule_on_a_view_is_read_whole() {
    let r = create(
        "create rule shipped_view_insert as on insert to shipped_view do instead\n    \
         insert into shipped values('wt', new.ordnum, new.partnum, new.value);",
    )
    .unwrap();
    assert_eq!(r.name, "shipped_view_insert");
    assert_eq!(r.table, "shipped_view");
    assert_eq!(r.event, "INSERT");
    assert!(r.instead && !r.conditional && !r.or_replace);
    assert_eq!(r.refused, None);
    assert_eq!(r.kinds, "D");
    assert_eq!(r.actions.len(), 1);
    assert!(
        r.actions[0].to_lowercase().contains("new.ordnum"),
        "{:?}",
        r.actions
    );
}

#[test]
fn conditions_and_lists_of_actions() {
    let r = create(
        "CREATE OR REPLACE RULE \"R\" AS ON UPDATE TO public.t WHERE old.a > (1) DO ALSO \
         (UPDATE u SET b = new.a WHERE b = old.a; DELETE FROM v WHERE c = old.a;)",
    )
    .unwrap();
    assert_eq!((r.name.as_str(), r.table.as_str()), ("R", "t"));
    assert!(r.or_replace && !r.instead && r.conditional);
    assert!(
        r.qual.as_deref().unwrap().contains("old.a > (1)"),
        "{:?}",
        r.qual
    );
    assert_eq!(r.kinds, "DD");
    assert_eq!(r.actions.len(), 2);
    assert_eq!(r.refused, None);
}

#[test]
fn nothing_has_no_actions() {
    let r = create("CREATE RULE r AS ON INSERT TO y DO INSTEAD NOTHING").unwrap();
    assert!(r.actions.is_empty() && r.kinds.is_empty() && r.refused.is_none());
    assert!(create("CREATE RULE r AS ON INSERT TO y DO INSTEAD NOTHING x").is_err());
}

#[test]
fn what_a_trigger_cannot_do_is_refused_when_it_fires() {
    let refused = |sql: &str| create(sql).unwrap().refused.unwrap_or_default();
    // Once per statement in PostgreSQL: no OLD or NEW named.
    assert!(
        refused("CREATE RULE r AS ON DELETE TO y DO INSTEAD DELETE FROM z")
            .contains("neither OLD nor NEW")
    );
    assert!(refused(
        "CREATE RULE y_rule AS ON DELETE TO y DO INSTEAD INSERT INTO y VALUES(42) RETURNING *"
    )
    .contains("neither OLD nor NEW"));
    assert!(refused("CREATE RULE r AS ON INSERT TO y DO INSTEAD NOTIFY foo").contains("NOTIFY"));
    assert!(
        refused("CREATE RULE r AS ON INSERT TO y DO INSTEAD SELECT i FROM b").contains("SELECT")
    );
    assert!(refused(
        "CREATE RULE r AS ON INSERT TO y DO INSTEAD INSERT INTO z VALUES (new.a) RETURNING *"
    )
    .contains("RETURNING"));
    let array = refused(
        "create rule r as on insert to t do also insert into u (f3.if2[1]) values (new.f1)",
    );
    assert!(array.starts_with("INSERT into an array element"), "{array}");
    assert!(!array.ends_with("litewire"), "{array}");
    let notify =
        create("CREATE RULE r AS ON INSERT TO y DO INSTEAD (NOTIFY foo; NOTIFY bar)").unwrap();
    assert_eq!(notify.kinds, "NN");
}

#[test]
fn insert_select_actions_are_told_apart() {
    let r =
        create("CREATE RULE r AS ON INSERT TO b DO INSTEAD INSERT INTO b2 SELECT NEW.i").unwrap();
    assert_eq!(r.kinds, "S");
    let r =
        create("CREATE RULE r AS ON INSERT TO b DO INSTEAD INSERT INTO b2 VALUES(NEW.i)").unwrap();
    assert_eq!(r.kinds, "D");
}

#[test]
fn postgresql_refusals_at_create() {
    let code = |sql: &str| create(sql).unwrap_err().code;
    assert_eq!(
        code("create rule r as on insert to t do instead insert into l values (old.a)"),
        SqlState::INVALID_OBJECT_DEFINITION
    );
    assert_eq!(
        code("create rule r as on delete to t do instead insert into l values (new.a)"),
        SqlState::INVALID_OBJECT_DEFINITION
    );
    assert_eq!(
        code("create rule r as on insert to t where new.a > 0 do instead insert into l values (new.a) returning *"),
        SqlState::FEATURE_NOT_SUPPORTED
    );
    assert_eq!(
        code("CREATE RULE r2 AS ON UPDATE TO x DO INSTEAD WITH t AS (SELECT OLD.*) UPDATE y SET a = t.n FROM t"),
        SqlState::FEATURE_NOT_SUPPORTED
    );
    assert_eq!(
        code("create rule r as on select to t do instead select 1"),
        SqlState::INVALID_OBJECT_DEFINITION
    );
    assert_eq!(
        code("create rule r as on truncate to t do nothing"),
        SqlState::SYNTAX_ERROR
    );
    assert_eq!(
        code("create rule r on insert to t do nothing"),
        SqlState::SYNTAX_ERROR
    );
}

#[test]
fn drop_rule_is_read() {
    assert_eq!(
        drop("DROP RULE y_rule ON y;").unwrap(),
        format!("{DROP_PART}0{FIELD}y_rule{FIELD}y")
    );
    assert_eq!(
        drop("drop rule if exists \"R\" on public.T cascade").unwrap(),
        format!("{DROP_PART}1{FIELD}R{FIELD}t")
    );
    assert!(drop("drop rule r").is_err());
    assert!(is_rule_statement(
        "CREATE OR REPLACE RULE r AS ON INSERT TO y DO NOTHING"
    ));
    assert!(is_rule_statement("drop rule r on y"));
    assert!(!is_rule_statement("create table rule (a int)"));
}
