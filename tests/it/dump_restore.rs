//! Statements as pg_dump 15 writes them (issue 10: "pg_dump files unmodified"), each
//! checked for PostgreSQL 15's outcome: schema-qualified names where SQLite wants none.

use std::path::Path;

use crate::common::{psql_as, rows, sqlstate, Server};

/// The committed dumps of tests/fixtures/dump/source.sql (pg_dump 15, plain format, by
/// scripts/record-dump) each restore with psql as a user would restore them, and then
/// answer queries.sql exactly as PostgreSQL 15 did after its own restore (answers.out:
/// psql's output, column alignment by type included).
#[test]
fn pg_dump_files_restore_and_answer_as_postgresql() {
    let s = Server::start(&[]);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dump");
    let file = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let expected = std::fs::read_to_string(dir.join("answers.out")).unwrap();
    // The dump's OWNER TO names postgres, the role that owned the objects.
    let restore = |db: &str, dump: &str| {
        let (ok, _, err) = psql_as(
            &s,
            "postgres",
            db,
            &["-q", "-v", "ON_ERROR_STOP=1", "-f", &file(dump)],
        );
        assert!(ok && !err.contains("ERROR"), "{dump}: {err}");
    };
    let answers = |db: &str| {
        psql_as(
            &s,
            "postgres",
            db,
            &[
                "-a",
                "-P",
                "pager=off",
                "-P",
                "null=(null)",
                "-f",
                &file("queries.sql"),
            ],
        )
        .1
    };
    // `--clean --if-exists` restores over a database restored before, whose rows
    // queries.sql has changed since.
    restore("clean", "dump.sql");
    answers("clean");
    for (db, dump) in [
        ("plain", "dump.sql"),
        ("inserts", "dump-inserts.sql"),
        ("clean", "dump-clean.sql"),
    ] {
        restore(db, dump);
        let out = answers(db);
        if out != expected {
            let first = out
                .lines()
                .zip(expected.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "{dump}: answers differ from line {}:\nlitewire: {:?}\npostgres: {:?}",
                first + 1,
                out.lines().skip(first).take(5).collect::<Vec<_>>(),
                expected.lines().skip(first).take(5).collect::<Vec<_>>()
            );
        }
    }
}

/// pg_dump's session settings are accepted and shown as PostgreSQL shows them, with
/// PostgreSQL's errors for values it would refuse.
#[tokio::test]
async fn pg_dump_settings_are_accepted() {
    let s = Server::start(&[]);
    let c = s.connect("settings").await;
    c.batch_execute(
        "SET check_function_bodies = false; SET xmloption = content; \
         SET default_tablespace = ''; SET default_table_access_method = heap; \
         SET client_min_messages = warning; SET row_security = off; \
         SELECT pg_catalog.set_config('search_path', '', false)",
    )
    .await
    .unwrap();
    for (name, shown) in [
        ("check_function_bodies", "off"),
        ("xmloption", "content"),
        ("default_tablespace", ""),
        ("default_table_access_method", "heap"),
    ] {
        assert_eq!(
            rows(&c, &format!("SHOW {name}")).await,
            vec![vec![Some(shown.to_string())]]
        );
    }
    for bad in [
        "SET default_table_access_method = columnar",
        "SET default_tablespace = fast_disk",
        "SET xmloption = html",
    ] {
        let e = c.simple_query(bad).await.unwrap_err();
        assert_eq!(sqlstate(&e), "22023", "{bad}");
    }
}

/// `ALTER TABLE … OWNER TO` the session's user (or CURRENT_USER) changes nothing, for
/// tables, views and sequences alike; another role does not exist (42704).
#[tokio::test]
async fn owner_to_the_session_user_is_accepted() {
    let s = Server::start(&[]);
    let c = s.connect("owners").await;
    c.batch_execute(
        "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t; CREATE SEQUENCE s; \
         ALTER TABLE t OWNER TO tester; ALTER TABLE public.v OWNER TO tester; \
         ALTER TABLE s OWNER TO CURRENT_USER",
    )
    .await
    .unwrap();
    let e = c
        .simple_query("ALTER TABLE t OWNER TO someone_else")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42704");
    assert_eq!(
        e.as_db_error().unwrap().message(),
        "role \"someone_else\" does not exist"
    );
    let e = c
        .simple_query("ALTER TABLE missing OWNER TO tester")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42P01");
}

/// `ALTER TABLE … ADD GENERATED … AS IDENTITY (SEQUENCE NAME …)` as pg_dump writes it:
/// the column is numbered by the named sequence from then on, and PostgreSQL's refusals.
#[tokio::test]
async fn identity_added_to_a_column() {
    let s = Server::start(&[]);
    let c = s.connect("identity").await;
    c.batch_execute(
        "CREATE TABLE public.t (id integer NOT NULL, v text, n int, d int NOT NULL DEFAULT 1); \
         INSERT INTO t VALUES (7, 'old', 0, 0); \
         ALTER TABLE ONLY public.t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (\n\
             SEQUENCE NAME public.t_id_seq\n    START WITH 1\n    INCREMENT BY 1\n\
             NO MINVALUE\n    NO MAXVALUE\n    CACHE 1\n); \
         ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id); \
         SELECT pg_catalog.setval('public.t_id_seq', 42, true)",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(&c, "INSERT INTO t (v) VALUES ('new') RETURNING id").await,
        vec![vec![Some("43".to_string())]]
    );
    assert_eq!(
        rows(&c, "SELECT pg_get_serial_sequence('t', 'id')").await,
        vec![vec![Some("public.t_id_seq".to_string())]]
    );
    let e = c
        .simple_query("INSERT INTO t (id, v) VALUES (1, 'x')")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "428C9");
    assert_eq!(
        rows(
            &c,
            "INSERT INTO t (id, v) OVERRIDING SYSTEM VALUE VALUES (1, 'x') RETURNING id"
        )
        .await,
        vec![vec![Some("1".to_string())]]
    );
    // The same through the extended protocol, with a parameter.
    let row = c
        .query_one(
            "INSERT INTO t (id, v) OVERRIDING SYSTEM VALUE VALUES ($1, 'y') RETURNING id",
            &[&2i32],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i32>(0), 2);
    // And only for that statement.
    let e = c
        .simple_query("INSERT INTO t (id, v) VALUES (3, 'z')")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "428C9");
    for (sql, code) in [
        (
            "ALTER TABLE t ALTER COLUMN v ADD GENERATED ALWAYS AS IDENTITY",
            "22023",
        ),
        (
            "ALTER TABLE t ALTER COLUMN n ADD GENERATED ALWAYS AS IDENTITY",
            "55000",
        ),
        (
            "ALTER TABLE t ALTER COLUMN d ADD GENERATED ALWAYS AS IDENTITY",
            "55000",
        ),
        (
            "ALTER TABLE t ALTER COLUMN zz ADD GENERATED ALWAYS AS IDENTITY",
            "42703",
        ),
        (
            "ALTER TABLE nope ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY",
            "42P01",
        ),
        (
            "INSERT INTO t (v) OVERRIDING USER VALUE VALUES ('x')",
            "0A000",
        ),
    ] {
        let e = c.simple_query(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{sql}");
    }
}

/// A serial column's DEFAULT set before its primary key (pg_dump's order) still numbers
/// new rows from the sequence: SQLite's rowid would ignore it.
#[tokio::test]
async fn serial_default_survives_a_later_primary_key() {
    let s = Server::start(&[]);
    let c = s.connect("serial").await;
    c.batch_execute(
        "CREATE TABLE public.p (id integer NOT NULL, v text); \
         CREATE SEQUENCE public.p_id_seq AS integer START WITH 1; \
         ALTER SEQUENCE public.p_id_seq OWNED BY public.p.id; \
         ALTER TABLE ONLY public.p ALTER COLUMN id SET DEFAULT \
             nextval('public.p_id_seq'::regclass); \
         INSERT INTO public.p VALUES (1, 'a'); \
         SELECT pg_catalog.setval('public.p_id_seq', 40, true); \
         ALTER TABLE ONLY public.p ADD CONSTRAINT p_pkey PRIMARY KEY (id)",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(&c, "INSERT INTO p (v) VALUES ('b') RETURNING id").await,
        vec![vec![Some("41".to_string())]]
    );
    let e = c
        .simple_query("INSERT INTO p VALUES (NULL, 'c')")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23502");
}

#[tokio::test]
async fn qualified_view_names_and_foreign_key_tables_are_read() {
    let s = Server::start(&[]);
    let c = s.connect("restore").await;
    c.batch_execute(
        "CREATE TABLE public.authors (id integer NOT NULL PRIMARY KEY, name text); \
         CREATE TABLE public.books (id integer, author_id integer, price numeric(8,2)); \
         INSERT INTO public.authors VALUES (1, 'Ann'); \
         INSERT INTO public.books VALUES (1, 1, 9.99), (2, 1, 19.50)",
    )
    .await
    .unwrap();
    c.batch_execute(
        "CREATE VIEW public.cheap_books AS\n SELECT books.id\n   FROM public.books\n  \
         WHERE (books.price < (10)::numeric);\n\
         ALTER TABLE ONLY public.books\n    ADD CONSTRAINT books_author_id_fkey FOREIGN KEY \
         (author_id) REFERENCES public.authors(id) ON DELETE CASCADE;\n\
         CREATE TABLE public.reviews (book integer REFERENCES public.authors(id))",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(&c, "select id from cheap_books").await,
        vec![vec![Some("1".to_string())]]
    );
    let e = c
        .simple_query("insert into books values (3, 99, 1)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23503");
    let e = c
        .simple_query("insert into reviews values (99)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23503");
    // The cascade the dump declared.
    c.batch_execute("delete from authors").await.unwrap();
    assert_eq!(
        rows(&c, "select count(*) from books").await,
        vec![vec![Some("0".to_string())]]
    );
}

/// A constraint that fails is named as PostgreSQL names it: the unique index or key
/// (its PostgreSQL name when it had none), the NOT NULL column (a key's too), a named
/// CHECK's table.
/// Each statement below breaks one constraint only (SQLite and PostgreSQL may test a
/// row's keys in different orders).
#[tokio::test]
async fn constraint_failures_name_the_constraint() {
    let s = Server::start(&[]);
    let c = s.connect("constraints").await;
    c.batch_execute(
        "CREATE TABLE u (id int PRIMARY KEY, a int UNIQUE, b int, c int NOT NULL, d int, \
         CONSTRAINT named_chk CHECK (b < 100), UNIQUE (b, c)); \
         CREATE UNIQUE INDEX u_d_idx ON u (d); \
         INSERT INTO u VALUES (1, 1, 1, 1, 1)",
    )
    .await
    .unwrap();
    for (sql, code, message) in [
        (
            "INSERT INTO u VALUES (1, 2, 2, 2, 2)",
            "23505",
            "duplicate key value violates unique constraint \"u_pkey\"",
        ),
        (
            "INSERT INTO u VALUES (2, 3, 1, 1, 3)",
            "23505",
            "duplicate key value violates unique constraint \"u_b_c_key\"",
        ),
        (
            "INSERT INTO u VALUES (4, 1, 9, 9, 4)",
            "23505",
            "duplicate key value violates unique constraint \"u_a_key\"",
        ),
        (
            "INSERT INTO u VALUES (5, 5, 5, 5, 1)",
            "23505",
            "duplicate key value violates unique constraint \"u_d_idx\"",
        ),
        (
            "INSERT INTO u VALUES (NULL, 7, 7, 7, 7)",
            "23502",
            "null value in column \"id\" of relation \"u\" violates not-null constraint",
        ),
        (
            "INSERT INTO u VALUES (3, 4, 3, NULL, 6)",
            "23502",
            "null value in column \"c\" of relation \"u\" violates not-null constraint",
        ),
        (
            "UPDATE u SET b = 500",
            "23514",
            "new row for relation \"u\" violates check constraint \"named_chk\"",
        ),
    ] {
        let e = c.simple_query(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{sql}");
        assert_eq!(e.as_db_error().unwrap().message(), message, "{sql}");
    }
    // Unnamed CHECKs, by PostgreSQL's names for them: after their one column, else the
    // table's; the first table constraint is not mistaken for the column check before it.
    c.batch_execute(
        "CREATE TABLE w (a int CHECK (a > 0 AND a < 10), b text CHECK (length(b) > 2), \
         c int, CHECK (c <> 5), CHECK (a + c < 100))",
    )
    .await
    .unwrap();
    for (values, name) in [
        ("(0, 'abc', 1)", "w_a_check"),
        ("(1, 'a', 1)", "w_b_check"),
        ("(1, 'abc', 5)", "w_c_check"),
        ("(9, 'abc', 95)", "w_check"),
    ] {
        let e = c
            .simple_query(&format!("INSERT INTO w VALUES {values}"))
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&e), "23514", "{values}");
        assert_eq!(
            e.as_db_error().unwrap().message(),
            format!("new row for relation \"w\" violates check constraint \"{name}\""),
            "{values}"
        );
    }
}
