//! CREATE/DROP ROLE and USER kept as names with attributes (pg_roles, pg_user); what
//! would need a privilege system (SET ROLE to them, GRANT, REVOKE) is 0A000. Answers
//! checked against PostgreSQL 15 (the refusals are litewire's own).

use crate::common::{answers, refusals, Server};

#[tokio::test]
async fn roles_are_created_listed_and_dropped() {
    let s = Server::start(&[]);
    let c = s.connect("roles").await;
    c.batch_execute(
        "create role Regress_R nologin createdb connection limit 3; create user regress_u",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[
            (
                "select rolname, rolcanlogin, rolcreatedb, rolconnlimit, oid <> 10 \
                 from pg_roles where rolname like 'regress%' order by 1",
                "regress_r|f|t|3|t\nregress_u|t|f|-1|t",
            ),
            (
                "select usename from pg_user order by 1",
                "regress_u\ntester",
            ),
        ],
    )
    .await;
    refusals(
        &c,
        &[
            ("create role regress_r", "42710", "role \"regress_r\" already exists"),
            ("create role tester", "42710", "role \"tester\" already exists"),
            ("drop role tester", "55006", "current user cannot be dropped"),
            ("drop role nobody", "42704", "role \"nobody\" does not exist"),
            ("set role nobody", "22023", "role \"nobody\" does not exist"),
            (
                "set role regress_r",
                "0A000",
                "SET ROLE / SET SESSION AUTHORIZATION to role \"regress_r\" (litewire has no privileges) is not supported by litewire",
            ),
            (
                "create table t (a int); alter table t owner to regress_r",
                "0A000",
                "OWNER TO role \"regress_r\" (the session's user owns every object) is not supported by litewire",
            ),
            (
                "grant select on pg_class to regress_r",
                "0A000",
                "GRANT (litewire has no privileges) is not supported by litewire",
            ),
            (
                "create role regress_p password 'x'",
                "0A000",
                "CREATE ROLE … PASSWORD is not supported by litewire",
            ),
        ],
    )
    .await;
    // The failed statements changed nothing; DROP takes several names and IF EXISTS.
    c.batch_execute("drop role regress_r, regress_u; drop role if exists regress_r")
        .await
        .unwrap();
    answers(
        &c,
        &[(
            "select rolname from pg_roles where rolname !~ '^pg_' order by 1",
            "tester",
        )],
    )
    .await;
}

/// Row-level security cannot be honoured without roles to apply policies to: turning it
/// on and CREATE POLICY are 0A000 (never a policy accepted and then ignored); turning it
/// off, which it always is, is accepted.
#[tokio::test]
async fn row_level_security_is_refused_not_ignored() {
    let s = Server::start(&[]);
    let c = s.connect("rls").await;
    c.batch_execute(
        "create table r (a int); \
         alter table r disable row level security; \
         alter table r no force row level security",
    )
    .await
    .unwrap();
    let rls = "row-level security (ENABLE/FORCE ROW LEVEL SECURITY) is not supported by litewire";
    refusals(
        &c,
        &[
            ("alter table r enable row level security", "0A000", rls),
            ("alter table r force row level security", "0A000", rls),
            (
                "create policy p1 on r for select using (a % 2 = 0)",
                "0A000",
                "CREATE POLICY (row-level security) is not supported by litewire",
            ),
            (
                "drop policy p1 on r",
                "0A000",
                "DROP POLICY (row-level security) is not supported by litewire",
            ),
        ],
    )
    .await;
}
