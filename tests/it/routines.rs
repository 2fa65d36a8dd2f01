//! SQL-language functions (issue 9): CREATE [OR REPLACE] FUNCTION … LANGUAGE sql with a
//! body of one expression, inlined into the statements that call it; DROP FUNCTION;
//! PostgreSQL's errors, and 0A000 for what litewire cannot inline. Each answer was
//! checked against PostgreSQL 15 first.

use tokio_postgres::types::Type;

use crate::common::{rows, sqlstate, Server};

fn row(values: &[&str]) -> Vec<Option<String>> {
    values
        .iter()
        .map(|v| (*v != "NULL").then(|| v.to_string()))
        .collect()
}

async fn fails(c: &tokio_postgres::Client, sql: &str, code: &str, message: &str) {
    let e = c
        .simple_query(sql)
        .await
        .expect_err(&format!("{sql} should fail"));
    assert_eq!(sqlstate(&e), code, "{sql}: {e}");
    assert_eq!(e.as_db_error().unwrap().message(), message, "{sql}");
}

#[tokio::test]
async fn sql_functions_are_inlined() {
    let s = Server::start(&[]);
    let c = s.connect("routines").await;
    // Several in one message: the `;` inside $$…$$ and BEGIN ATOMIC end nothing.
    c.batch_execute(
        "create function plusone(a int) returns int as $$ select a+1; $$ language sql;
         create function mul(int, int) returns numeric language sql strict immutable return $1 * $2;
         create function tenfold(x int) returns int language sql begin atomic select x * 10; end;
         create function cat3(a text, b text) returns text language sql immutable return a || '-' || b;
         create function isbig(n int) returns boolean language sql return n > 1;
         create function g(x int) returns int language sql return plusone2(x) * 2;
         create function plusone2(x int) returns int language sql return x + 1;
         create table t (x int, s text);
         insert into t values (1, 'a'), (2, 'b'), (null, 'c');",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(
            &c,
            "select plusone(1), plusone(null::int), plusone(plusone(1)), mul(2, 3), mul(null, 3), tenfold(4), g(5)"
        )
        .await,
        vec![row(&["2", "NULL", "3", "6", "NULL", "40", "12"])]
    );
    // In WHERE and ORDER BY, over columns; STRICT or not, NULL in, NULL out here.
    assert_eq!(
        rows(
            &c,
            "select x, plusone(x), isbig(x), cat3(s, 'z'), cat3(s, null) from t \
             where plusone(x) > 1 or x is null order by plusone(x)"
        )
        .await,
        vec![
            row(&["1", "2", "f", "a-z", "NULL"]),
            row(&["2", "3", "t", "b-z", "NULL"]),
            row(&["NULL", "NULL", "NULL", "c-z", "NULL"]),
        ]
    );
    // The declared return type describes the column.
    let stmt = c
        .prepare("select plusone($1), isbig(x), mul(x, 2) from t")
        .await
        .unwrap();
    let types: Vec<&Type> = stmt.columns().iter().map(|c| c.type_()).collect();
    assert_eq!(types, [&Type::INT4, &Type::BOOL, &Type::NUMERIC]);
    let got = c.query(&stmt, &[&41i32]).await.unwrap();
    assert_eq!(got[0].get::<_, i32>(0), 42);
    // Listed in pg_proc (language sql, OID 14), as PostgreSQL lists them.
    assert_eq!(
        rows(
            &c,
            "select proname, prorettype::regtype::text, pronargs, proargtypes, prosrc, prolang \
             from pg_proc where proname in ('plusone', 'cat3') order by proname"
        )
        .await,
        vec![
            row(&["cat3", "text", "2", "25 25", "", "14"]),
            row(&["plusone", "integer", "1", "23", " select a+1; ", "14"]),
        ]
    );
    // OR REPLACE takes the new body at once.
    c.batch_execute(
        "create or replace function plusone(a int) returns int language sql return a + 100",
    )
    .await
    .unwrap();
    assert_eq!(rows(&c, "select plusone(1)").await, vec![row(&["101"])]);
    // Kept in the file: another connection sees them; DROP takes them away.
    let c2 = s.connect("routines").await;
    assert_eq!(rows(&c2, "select tenfold(2)").await, vec![row(&["20"])]);
    c2.batch_execute("drop function tenfold(int), mul")
        .await
        .unwrap();
    fails(
        &c,
        "select tenfold(2)",
        "42883",
        "no such function: tenfold",
    )
    .await;
}

#[tokio::test]
async fn postgresqls_errors() {
    let s = Server::start(&[]);
    let c = s.connect("routines").await;
    c.batch_execute("create function plusone(a int) returns int as 'select a + 1' language sql")
        .await
        .unwrap();
    for (sql, code, message) in [
        (
            "create function plusone(a int) returns int as 'select a + 2' language sql",
            "42723",
            "function \"plusone\" already exists with same argument types",
        ),
        (
            "create or replace function plusone(a int) returns bigint as 'select a + 2' language sql",
            "42P13",
            "cannot change return type of existing function",
        ),
        ("drop function nothere(int)", "42883", "function nothere(integer) does not exist"),
        ("drop function nothere", "42883", "could not find a function named \"nothere\""),
        ("drop function plusone(bigint)", "42883", "function plusone(bigint) does not exist"),
        (
            "create function f(a int) returns int language sql as 'select b'",
            "42703",
            "column \"b\" does not exist",
        ),
        (
            "create function f(int) returns int language sql as 'select $2'",
            "42P02",
            "there is no parameter $2",
        ),
        (
            "create function f() returns int as 'select 1'",
            "42P13",
            "no language specified",
        ),
        // litewire's: what it cannot inline.
        (
            "create function f() returns int language sql as 'select count(*) from t'",
            "0A000",
            "a SQL function whose body is not one SELECT of an expression without FROM is not supported by litewire",
        ),
        (
            "create function f(int) returns setof int language sql as 'select $1'",
            "0A000",
            "a set-returning function (RETURNS SETOF or TABLE) is not supported by litewire",
        ),
        (
            "create function f(x int) returns int language plpgsql as $$ begin return x; end $$",
            "0A000",
            "LANGUAGE plpgsql is not supported by litewire",
        ),
        (
            "create function f(cstring) returns int language internal as 'int4in'",
            "0A000",
            "LANGUAGE internal is not supported by litewire",
        ),
        (
            "create function plusone(a text) returns text language sql as 'select a'",
            "0A000",
            "a second function \"plusone\" with 1 arguments (overloading by argument type) is not supported by litewire",
        ),
    ] {
        fails(&c, sql, code, message).await;
    }
    // IF EXISTS: a notice, no error; nothing created for a file that never had one.
    let s2 = s.connect("fresh").await;
    s2.batch_execute("drop function if exists nothere(int), nothere2")
        .await
        .unwrap();
    let tables = |db: &str| -> Vec<String> {
        let f = rusqlite::Connection::open_with_flags(
            s.data_dir().join(format!("{db}.db")),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let mut q = f
            .prepare("select name from sqlite_schema where type = 'table' order by 1")
            .unwrap();
        let names = q
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        names
    };
    assert!(tables("fresh").is_empty());
    assert!(tables("routines").contains(&"_litewire_functions".to_string()));
    // Recursion is bounded: 0A000, not a stack overflow.
    c.batch_execute(
        "create function rec(n int) returns int language sql \
         as 'select case when n <= 0 then 0 else rec(n - 1) + 1 end'",
    )
    .await
    .unwrap();
    let e = c.simple_query("select rec(3)").await.unwrap_err();
    assert_eq!(sqlstate(&e), "0A000");
    // From a view: not inlined (0A000 naming it, when the view is created).
    let e = c
        .simple_query("create view vp as select plusone(1) as p")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "0A000");
    // Transactional like the data.
    c.batch_execute("begin; create function gone() returns int language sql return 1; rollback")
        .await
        .unwrap();
    fails(&c, "select gone()", "42883", "no such function: gone").await;
}

#[tokio::test]
async fn alter_function() {
    let s = Server::start(&[]);
    let c = s.connect("routines").await;
    // alter_table.sql's: STRICT changed after CREATE.
    c.batch_execute(
        "create function test_strict(text) returns text as \
           'select coalesce($1, ''got passed a null'');' \
           language sql returns null on null input",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(&c, "select test_strict(NULL)").await,
        vec![row(&["NULL"])]
    );
    c.batch_execute("alter function test_strict(text) called on null input")
        .await
        .unwrap();
    assert_eq!(
        rows(&c, "select test_strict(NULL)").await,
        vec![row(&["got passed a null"])]
    );
    c.batch_execute("alter function test_strict strict immutable")
        .await
        .unwrap();
    assert_eq!(
        rows(&c, "select test_strict(NULL)").await,
        vec![row(&["NULL"])]
    );
    c.batch_execute("alter function test_strict(text) rename to strictly")
        .await
        .unwrap();
    assert_eq!(rows(&c, "select strictly('x')").await, vec![row(&["x"])]);
    fails(
        &c,
        "alter function nothere(int) strict",
        "42883",
        "function nothere(integer) does not exist",
    )
    .await;
    // OWNER TO: litewire's one role owns every object (42704 for any other role).
    let e = c
        .simple_query("alter function strictly(text) owner to someone")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42704");
    c.batch_execute("alter function strictly(text) owner to current_user")
        .await
        .unwrap();
}

/// A view may not call a SQL function (litewire inlines them into the statement that
/// calls them, so a stored query cannot keep the call): 0A000 when it is created, so
/// the view never breaks reading it or the catalogs that list its columns. A table's
/// DEFAULT may name one, and keeps it from being dropped.
#[tokio::test]
async fn a_function_a_view_would_call_and_one_a_default_calls() {
    let s = Server::start(&[]);
    let c = s.connect("routines").await;
    c.batch_execute(
        "create function plusone(a int) returns int as 'select a + 1' language sql;
         create table t (a int default plusone(1)); create view ok as select a from t;",
    )
    .await
    .unwrap();
    let calls = "calling SQL function \"plusone\" from a view, a default or a constraint is \
                 not supported by litewire (it inlines SQL functions into the statement that \
                 calls them)";
    crate::common::refusals(
        &c,
        &[
            ("create view v as select plusone(a) from t", "0A000", calls),
            (
                "create or replace view ok as select PlusOne(a) as a from t",
                "0A000",
                calls,
            ),
            (
                "drop function plusone(int)",
                "2BP01",
                "cannot drop function plusone(integer) because other objects depend on it",
            ),
        ],
    )
    .await;
    // The catalogs still read every view's columns; the replaced view is kept.
    crate::common::answers(
        &c,
        &[(
            "select string_agg(relname, ',' order by relname) from pg_class \
             where relkind = 'v'",
            "ok",
        )],
    )
    .await;
    c.batch_execute("drop table t; drop function plusone(int)")
        .await
        .unwrap();
}
