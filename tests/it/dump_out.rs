//! pg_dump of a litewire database (issue 12, "the way out"): pg_dump 15 reads litewire's
//! catalogs, and its plain dump restores into a fresh litewire database (and into
//! PostgreSQL 15: the manual check in docs/OPERATIONS.md) with the same answers.

use std::path::Path;
use std::process::Command;

use crate::common::{psql_as, rows, Server};

/// The schema of tests/fixtures/dump (source.sql, then outbound.sql) made on litewire,
/// dumped with the pg_dump binary, restored into a new litewire database: both answer
/// outbound-queries.sql alike.
#[test]
fn pg_dump_of_a_litewire_database_restores_with_the_same_answers() {
    let s = Server::start(&[]);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dump");
    let file = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let run = |db: &str, f: &str| {
        let (ok, _, err) = psql_as(
            &s,
            "postgres",
            db,
            &["-q", "-v", "ON_ERROR_STOP=1", "-f", f],
        );
        assert!(ok && !err.contains("ERROR"), "{f} into {db}: {err}");
    };
    run("source", &file("source.sql"));
    run("source", &file("outbound.sql"));
    let out = Command::new("pg_dump")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &s.port().to_string(),
            "-U",
            "postgres",
            "source",
        ])
        .output()
        .expect("pg_dump must be installed (apt-get install postgresql-client)");
    let dump = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // What the dump carries: the enum, the identity column, the view after its tables,
    // a serial column's default set after its sequence exists, the CHECKs.
    for expected in [
        "CREATE TYPE public.mood AS ENUM (\n    'sad',\n    'ok',\n    'happy'\n);",
        "GENERATED ALWAYS AS IDENTITY",
        "ALTER TABLE ONLY public.products ALTER COLUMN id SET DEFAULT nextval('products_id_seq'::regclass);",
        "CONSTRAINT products_price_check CHECK ((price >= 0))",
        "SELECT pg_catalog.setval('public.invoice_number', 1020, true);",
        "COMMENT ON COLUMN public.reviews.feeling IS 'How the customer felt';",
        // SQL functions, each body as it was written.
        "CREATE FUNCTION public.with_tax(numeric) RETURNS numeric\n    LANGUAGE sql IMMUTABLE\n    AS $_$SELECT round($1 * 1.2, 2)$_$;",
        "CREATE FUNCTION public.line_total(qty integer, price numeric) RETURNS numeric\n    LANGUAGE sql STABLE\n    AS $$ SELECT qty * price $$;",
        "CREATE FUNCTION public.greeting(who text) RETURNS text\n    LANGUAGE sql\n    RETURN 'hello ' || who;",
        "CREATE FUNCTION public.twice(n integer) RETURNS integer\n    LANGUAGE sql STRICT\n    BEGIN ATOMIC\n SELECT n * 2;\nEND;",
    ] {
        assert!(dump.contains(expected), "{expected} missing from:\n{dump}");
    }
    let at = |needle: &str| dump.find(needle).unwrap_or_else(|| panic!("{needle}"));
    assert!(at("CREATE VIEW public.order_totals") > at("CREATE TABLE public.orders ("));
    // No GRANT/REVOKE for an untouched public schema.
    assert!(
        !dump.contains("REVOKE") && !dump.contains("GRANT"),
        "{dump}"
    );
    let path = s.dir().join("dump.sql");
    std::fs::write(&path, &dump).unwrap();
    run("restored", &path.to_string_lossy());
    // The source's answers are read on a branch, since the queries write.
    let answers = |db: &str| {
        let (_, out, _) = psql_as(
            &s,
            "postgres",
            db,
            &[
                "-P",
                "pager=off",
                "-P",
                "null=(null)",
                "-f",
                &file("outbound-queries.sql"),
            ],
        );
        out
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = s.connect("postgres").await;
        c.batch_execute("create database source_copy template source")
            .await
            .unwrap();
        assert_eq!(
            rows(
                &c,
                "select count(*) from pg_database where datname = 'source_copy'"
            )
            .await,
            vec![vec![Some("1".to_string())]]
        );
    });
    let (source, restored) = (answers("source_copy"), answers("restored"));
    assert!(
        source.contains("happy") && source.contains("23505"),
        "{source}"
    );
    assert_eq!(source, restored);
}

/// `--server-version` sets what server_version, server_version_num and version() report.
#[tokio::test]
async fn server_version_is_a_setting() {
    let s = Server::start(&["--server-version", "16.4"]);
    let c = s.connect("v").await;
    assert_eq!(
        rows(
            &c,
            "select current_setting('server_version'), current_setting('server_version_num'), \
             version() like 'PostgreSQL 16.4 %'"
        )
        .await,
        vec![vec![
            Some("16.4".to_string()),
            Some("160004".to_string()),
            Some("t".to_string())
        ]]
    );
    let s = Server::start(&[]);
    let c = s.connect("v").await;
    assert_eq!(
        rows(&c, "show server_version_num").await,
        vec![vec![Some("150000".to_string())]]
    );
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_litewire"))
        .args(["--server-version", "9.6", "--help"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
}

/// The pieces pg_dump relies on, each as PostgreSQL 15 answers it: a sequence read as a
/// relation, LOCK TABLE … IN ACCESS SHARE MODE (inside a block, on tables that exist),
/// pg_settings with the session's values, current_schemas as an array, `name[i]`.
#[tokio::test]
async fn what_pg_dump_reads_answers_as_postgresql() {
    let s = Server::start(&[]);
    let c = s.connect("pieces").await;
    c.batch_execute(
        "create table t (id int); create sequence s start 7; select nextval('s'); \
         set extra_float_digits = 2",
    )
    .await
    .unwrap();
    crate::common::answers(
        &c,
        &[
            ("select last_value, is_called from s", "7|t"),
            ("select s.last_value from public.s as s", "7"),
            (
                "select setting from pg_settings where name = 'extra_float_digits'",
                "2",
            ),
            (
                "select count(*) from (select set_config(name, 'x', false) from pg_settings \
                 where name = 'no_such_setting') q",
                "0",
            ),
            ("select current_schemas(false)", "{public}"),
            (
                "select typname[0], typname[1] from pg_type where typname = '_int4'",
                "_|i",
            ),
            ("select pg_is_in_recovery()", "f"),
            (
                "select count(*) from pg_namespace n where n.tableoid = 'pg_namespace'::regclass",
                "3",
            ),
        ],
    )
    .await;
    crate::common::refusals(
        &c,
        &[
            (
                "lock table t in access share mode",
                "25P01",
                "LOCK TABLE can only be used in transaction blocks",
            ),
            (
                "begin; lock table t in exclusive mode",
                "0A000",
                "LOCK TABLE in EXCLUSIVE MODE is not supported by litewire",
            ),
        ],
    )
    .await;
    c.batch_execute("rollback").await.unwrap();
    let e = c
        .batch_execute("begin; lock table nope in access share mode")
        .await
        .unwrap_err();
    assert_eq!(crate::common::sqlstate(&e), "42P01", "{e}");
    c.batch_execute("rollback; begin; lock table t, public.t in access share mode; commit")
        .await
        .unwrap();
}
