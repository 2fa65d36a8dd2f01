//! Golden tests: CREATE / DROP FUNCTION (routines.rs) → internal batches.

use crate::engine::objects::MARKER;
use crate::sql::parse::parse_one;
use crate::sql::translate::tests::Fixed;
use crate::sql::translate::to_sqlite;

use super::create;

fn batch(text: &str) -> String {
    create(text)
        .unwrap()
        .replace(MARKER, "~")
        .replace('\0', " | ")
}

fn refused(text: &str) -> (String, String) {
    let e = create(text).unwrap_err();
    (e.code.0.to_string(), e.message)
}

#[test]
fn the_body_is_kept_as_sqlite_text_with_its_arguments_cast() {
    // By name, cast to the argument's type; the whole cast to the return type.
    assert_eq!(
        batch("create function plusone(a int) returns int as $$ select a+1; $$ language sql"),
        "~+main.functions SELECT litewire_create_function('plusone', 1, 'int4', 'int4', \
         'pg_cast(((pg_cast($1, ''int4'')) + 1), ''int4'')', 0, 0, 'v', ' select a+1; ', \
         'a', '')"
    );
    // RETURN; STRICT is applied where the body is put in place (the engine).
    assert_eq!(
        batch("create function f2(int, int) returns numeric language sql strict immutable return $1 * $2"),
        "~+main.functions SELECT litewire_create_function('f2', 2, 'int4;int4', 'numeric', \
         'pg_cast((pg_int((pg_cast($1, ''int4'')), (pg_cast($2, ''int4'')), 34)), ''numeric'')', 0, 1, 'i', '', \
         ';', 'RETURN $1 * $2')"
    );
    // The SQL-standard body as pg_get_function_sqlbody gives it back (pg_dump).
    assert!(
        batch("create function f4(n int) returns int language sql begin atomic select n; end")
            .ends_with(", 'n', 'BEGIN ATOMIC\n SELECT n;\nEND')")
    );
    // BEGIN ATOMIC, OR REPLACE.
    assert!(batch(
        "CREATE OR REPLACE FUNCTION f3(x int) RETURNS text LANGUAGE sql BEGIN ATOMIC SELECT x || 'a'; END"
    )
    .starts_with(
        "~+main.functions SELECT litewire_create_function('f3', 1, 'int4', 'text', \
         'CAST(((pg_cast($1, ''int4'')) || ''a'') AS TEXT)', 1,"
    ));
    // Options in any order, a quoted language, AS after LANGUAGE.
    assert!(batch(
        "create function q(text) returns text language 'sql' as 'select coalesce($1, ''n'');' \
         returns null on null input stable parallel safe"
    )
    .contains(
        "'q', 1, 'text', 'text', 'CAST((coalesce((CAST($1 AS TEXT)), ''n'')) AS TEXT)', 0, 1, 's'"
    ));
}

#[test]
fn what_cannot_be_inlined_is_refused_at_create() {
    let body = "a SQL function whose body is not one SELECT of an expression without FROM \
                is not supported by litewire";
    for text in [
        "create function f() returns int language sql as 'select 1 from t'",
        "create function f() returns int language sql as 'select 1; select 2'",
        "create function f(int) returns int language sql as 'insert into t values ($1)'",
        "create function f() returns int language sql as 'select 1, 2'",
    ] {
        assert_eq!(refused(text), ("0A000".into(), body.into()), "{text}");
    }
    assert_eq!(
        refused("create function f(int) returns setof int language sql as 'select $1'").0,
        "0A000"
    );
    assert_eq!(
        refused("create function f(x int) returns table (a int) language sql as 'select x'").0,
        "0A000"
    );
    assert_eq!(
        refused("create function f() returns int language plpgsql as 'begin return 1; end'"),
        (
            "0A000".into(),
            "LANGUAGE plpgsql is not supported by litewire".into()
        )
    );
    assert_eq!(
        refused("create function f(anyelement) returns int language sql as 'select 1'").0,
        "0A000"
    );
    // PostgreSQL's errors.
    assert_eq!(
        refused("create function f(int) returns int language sql as 'select $2'").0,
        "42P02"
    );
    assert_eq!(
        refused("create function f(a int) returns int language sql as 'select b'").0,
        "42703"
    );
    assert_eq!(
        refused("create function f() returns int as 'select 1'").0,
        "42P13"
    );
}

#[test]
fn drop_function_names_each_one() {
    assert_eq!(
        to_sqlite(
            parse_one("drop function if exists f(int, text), public.g cascade", 64).unwrap(),
            &mut Fixed
        )
        .unwrap()
        .replace(MARKER, "~")
        .replace('\0', " | "),
        "~SELECT litewire_drop_function('f', 2, 'int4;text', 1, 1) | \
         SELECT litewire_drop_function('g', -1, NULL, 1, 1)"
    );
}

#[test]
fn alter_function_changes_strict_volatility_and_name() {
    let alter = |t: &str| {
        super::alter(t)
            .unwrap()
            .replace(MARKER, "~")
            .replace('\0', " | ")
    };
    assert_eq!(
        alter("alter function test_strict(text) called on null input"),
        "~SELECT litewire_alter_function('test_strict', 1, 'text', 0, NULL, NULL)"
    );
    assert_eq!(
        alter(
            "ALTER FUNCTION f(x int, numeric(10,2)) RETURNS NULL ON NULL INPUT IMMUTABLE RESTRICT"
        ),
        "~SELECT litewire_alter_function('f', 2, 'int4;numeric(10,2)', 1, 'i', NULL)"
    );
    assert_eq!(
        alter("alter function f rename to G"),
        "~SELECT litewire_alter_function('f', -1, NULL, NULL, NULL, 'g')"
    );
    // OWNER TO: the role is checked to be the session's user (pg_dump writes it).
    assert_eq!(
        alter("alter function f() owner to x"),
        "~SELECT litewire_alter_function('f', 0, '', NULL, NULL, NULL) | \
         SELECT litewire_owner_is_user('x')"
    );
}
