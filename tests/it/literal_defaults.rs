//! String-literal DEFAULTs (issue 9): read with the column type's input when the
//! default is set (CREATE TABLE, ADD COLUMN, SET DEFAULT), so a row given the default
//! holds the typed value an INSERT of the literal stores, a bad literal is refused then
//! with PostgreSQL's SQLSTATE, and the catalogs show PostgreSQL's deparse of the constant.
//!
//! `LITERAL_DEFAULTS_AGAINST=5432` runs the same assertions against a PostgreSQL on that
//! port of 127.0.0.1 (user postgres, database postgres) to check the expectations.

use crate::common::{rows, sqlstate, Target};

const AGAINST: &str = "LITERAL_DEFAULTS_AGAINST";

fn against_postgres() -> bool {
    std::env::var(AGAINST).is_ok()
}

async fn run(c: &tokio_postgres::Client, sql: &str) {
    c.batch_execute(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn texts(row: &[&str]) -> Vec<Option<String>> {
    row.iter().map(|s| Some(s.to_string())).collect()
}

/// The columns, their literal defaults, what a defaulted row holds (as text) and what
/// pg_get_expr / information_schema.columns show: PostgreSQL 15's answers.
const COLUMNS: &[(&str, &str, &str)] = &[
    ("b bool DEFAULT 'yes'", "t", "true"),
    ("b2 bool DEFAULT 'f'", "f", "false"),
    ("i int DEFAULT ' 7 '", "7", "7"),
    ("i2 int DEFAULT '-3'", "-3", "'-3'::integer"),
    ("i8 bigint DEFAULT '  12'", "12", "'12'::bigint"),
    ("s smallint DEFAULT '5'", "5", "'5'::smallint"),
    ("n numeric DEFAULT ' 1.50 '", "1.50", "1.50"),
    ("n2 numeric(5,2) DEFAULT '1.5'", "1.50", "1.5"),
    ("n3 numeric(10,2) DEFAULT '0'", "0.00", "'0'::numeric"),
    ("n4 numeric DEFAULT '1e3'", "1000", "'1000'::numeric"),
    ("f float8 DEFAULT '1.5'", "1.5", "'1.5'::double precision"),
    (
        "f2 float8 DEFAULT ' 1e3'",
        "1000",
        "'1000'::double precision",
    ),
    ("f4 real DEFAULT '2.25'", "2.25", "'2.25'::real"),
    (
        "fnan float8 DEFAULT 'NaN'",
        "NaN",
        "'NaN'::double precision",
    ),
    (
        "finf float8 DEFAULT 'infinity'",
        "Infinity",
        "'Infinity'::double precision",
    ),
    (
        "ts timestamptz DEFAULT '2024-01-01 10:00+02'",
        "2024-01-01 08:00:00+00",
        "'2024-01-01 08:00:00+00'::timestamp with time zone",
    ),
    (
        "tsl timestamp DEFAULT '2024-01-01 10:00+02'",
        "2024-01-01 10:00:00",
        "'2024-01-01 10:00:00'::timestamp without time zone",
    ),
    (
        "d date DEFAULT '2024-1-2'",
        "2024-01-02",
        "'2024-01-02'::date",
    ),
    (
        "d2 date DEFAULT 'epoch'",
        "1970-01-01",
        "'1970-01-01'::date",
    ),
    (
        "iv interval DEFAULT '1 day 2 hours'",
        "1 day 02:00:00",
        "'1 day 02:00:00'::interval",
    ),
    (
        "iv2 interval DEFAULT '90 minutes'",
        "01:30:00",
        "'01:30:00'::interval",
    ),
    (
        "u uuid DEFAULT 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid",
    ),
    (
        "j jsonb DEFAULT '{\"b\":1, \"a\":[1,2]}'",
        "{\"a\": [1, 2], \"b\": 1}",
        "'{\"a\": [1, 2], \"b\": 1}'::jsonb",
    ),
    (
        "js json DEFAULT '{\"b\":1, \"a\":2}'",
        "{\"b\":1, \"a\":2}",
        "'{\"b\":1, \"a\":2}'::json",
    ),
    (
        "ta text[] DEFAULT '{a, \"b c\", it''s}'",
        "{a,\"b c\",it's}",
        "'{a,\"b c\",it''s}'::text[]",
    ),
    ("ia int[] DEFAULT '{1, 2}'", "{1,2}", "'{1,2}'::integer[]"),
    ("m ld_mood DEFAULT 'ok'", "ok", "'ok'::ld_mood"),
    ("tx text DEFAULT 'hi'", "hi", "'hi'::text"),
    (
        "vc varchar(5) DEFAULT 'abc'",
        "abc",
        "'abc'::character varying",
    ),
    ("ba bytea DEFAULT '\\x0102'", "\\x0102", "'\\x0102'::bytea"),
    (
        "tm time DEFAULT '10:00'",
        "10:00:00",
        "'10:00:00'::time without time zone",
    ),
];

/// A fresh enum type `name` (labels ok, sad) for table `table`.
async fn mood(c: &tokio_postgres::Client, table: &str, name: &str) {
    run(
        c,
        &format!(
            "DROP TABLE IF EXISTS {table}; DROP TYPE IF EXISTS {name}; \
             CREATE TYPE {name} AS ENUM ('ok', 'sad')"
        ),
    )
    .await;
}

#[tokio::test]
async fn a_literal_default_is_the_typed_value_and_shown_as_postgres_deparses_it() {
    let t = Target::new(AGAINST, "literal_defaults");
    let c = t.connect().await;
    run(&c, "SET TimeZone = 'UTC'").await;
    mood(&c, "ld_t", "ld_mood").await;
    let columns: Vec<&str> = COLUMNS.iter().map(|c| c.0).collect();
    run(
        &c,
        &format!("CREATE TABLE ld_t (id int, {})", columns.join(", ")),
    )
    .await;
    run(&c, "INSERT INTO ld_t (id) VALUES (1)").await;
    let names: Vec<&str> = COLUMNS
        .iter()
        .map(|c| c.0.split(' ').next().unwrap())
        .collect();
    let got = rows(&c, &format!("SELECT {} FROM ld_t", names.join(", "))).await;
    let want: Vec<&str> = COLUMNS.iter().map(|c| c.1).collect();
    assert_eq!(got, vec![texts(&want)]);
    // The same values an INSERT of the literals stores: equal, one distinct row.
    let literals: Vec<String> = COLUMNS
        .iter()
        .map(|c| c.0.split(" DEFAULT ").nth(1).unwrap().to_string())
        .collect();
    run(
        &c,
        &format!(
            "INSERT INTO ld_t (id, {}) VALUES (2, {})",
            names.join(", "),
            literals.join(", ")
        ),
    )
    .await;
    let distinct = rows(
        &c,
        &format!(
            "SELECT count(*) FROM (SELECT DISTINCT {} FROM ld_t) s",
            // json has no equality operator: compared as text.
            names
                .iter()
                .map(|n| if *n == "js" { "js::text" } else { n })
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
    .await;
    assert_eq!(distinct, vec![texts(&["1"])]);
    let typed = rows(
        &c,
        "SELECT count(*) FROM ld_t WHERE b AND ts = '2024-01-01 08:00+00' \
         AND ta = '{a,\"b c\",it''s}' AND ia[2] = 2 AND j->'a' = '[1,2]' AND n2::text = '1.50' \
         AND ba = '\\x0102'::bytea AND finf = 'Infinity'::float8 AND d2 = '1970-01-01'",
    )
    .await;
    assert_eq!(typed, vec![texts(&["2"])]);
    let shown: Vec<&str> = COLUMNS.iter().map(|c| c.2).collect();
    let deparsed = rows(
        &c,
        "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'ld_t'::regclass \
         ORDER BY adnum",
    )
    .await;
    assert_eq!(
        deparsed,
        shown.iter().map(|s| texts(&[s])).collect::<Vec<_>>()
    );
    let column_default = rows(
        &c,
        "SELECT column_default FROM information_schema.columns WHERE table_name = 'ld_t' \
         AND column_name <> 'id' ORDER BY ordinal_position",
    )
    .await;
    assert_eq!(column_default, deparsed);
    // A timestamptz constant prints in the session's zone, as PostgreSQL's deparse does.
    run(&c, "SET TimeZone = 'America/New_York'").await;
    let ts = rows(
        &c,
        "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef JOIN pg_attribute \
         ON attrelid = adrelid AND attnum = adnum WHERE adrelid = 'ld_t'::regclass \
         AND attname = 'ts'",
    )
    .await;
    assert_eq!(
        ts,
        vec![texts(&[
            "'2024-01-01 03:00:00-05'::timestamp with time zone"
        ])]
    );
    run(&c, "DROP TABLE ld_t; DROP TYPE ld_mood").await;
}

#[tokio::test]
async fn a_literal_default_is_read_by_the_session_settings() {
    let t = Target::new(AGAINST, "literal_defaults");
    let c = t.connect().await;
    run(
        &c,
        "SET TimeZone = 'Asia/Tokyo'; SET DateStyle = 'ISO, DMY'; \
         DROP TABLE IF EXISTS ld_s; \
         CREATE TABLE ld_s (id int, t timestamptz DEFAULT '2024-01-01 10:00', \
         d date DEFAULT '02/01/2024'); INSERT INTO ld_s (id) VALUES (1); \
         RESET TimeZone; RESET DateStyle",
    )
    .await;
    run(&c, "SET TimeZone = 'UTC'").await;
    let got = rows(&c, "SELECT t, d FROM ld_s").await;
    assert_eq!(got, vec![texts(&["2024-01-01 01:00:00+00", "2024-01-02"])]);
    run(&c, "DROP TABLE ld_s").await;
}

#[tokio::test]
async fn a_bad_literal_default_is_refused_when_the_table_is_created() {
    let t = Target::new(AGAINST, "literal_defaults");
    let c = t.connect().await;
    for (column, code) in [
        ("i int DEFAULT 'abc'", "22P02"),
        ("b bool DEFAULT 'maybe'", "22P02"),
        ("u uuid DEFAULT 'xyz'", "22P02"),
        ("j jsonb DEFAULT '{bad'", "22P02"),
        ("a int[] DEFAULT '{1,x}'", "22P02"),
        ("n numeric DEFAULT '1.2.3'", "22P02"),
        ("iv interval DEFAULT 'soon'", "22007"),
        ("d date DEFAULT 'garbage'", "22007"),
        ("d date DEFAULT '2024-02-30'", "22008"),
        ("t timestamptz DEFAULT '2024-01-01 25:00'", "22008"),
        ("s smallint DEFAULT '70000'", "22003"),
    ] {
        let sql = format!("CREATE TABLE ld_bad ({column})");
        let e = c
            .simple_query(&sql)
            .await
            .expect_err(&format!("{sql} was accepted"));
        assert_eq!(sqlstate(&e), code, "{sql}: {e}");
    }
    // A numeric(p,s) default too wide is refused per row, as PostgreSQL's length
    // coercion is applied when a row takes it.
    run(
        &c,
        "DROP TABLE IF EXISTS ld_wide; CREATE TABLE ld_wide (id int, n numeric(3,1) DEFAULT '12345')",
    )
    .await;
    let e = c
        .simple_query("INSERT INTO ld_wide (id) VALUES (1)")
        .await
        .expect_err("a default past numeric(3,1) was stored");
    assert_eq!(sqlstate(&e), "22003", "{e}");
    run(&c, "DROP TABLE ld_wide").await;
}

/// 'now' and 'today' are read once by PostgreSQL, when the default is set; litewire
/// cannot give that statement's time exactly and says so (0A000).
#[tokio::test]
async fn a_default_of_the_current_time_read_once_is_refused() {
    if against_postgres() {
        return;
    }
    let t = Target::new(AGAINST, "literal_defaults");
    let c = t.connect().await;
    for sql in [
        "CREATE TABLE ld_now (t timestamptz DEFAULT 'now')",
        "CREATE TABLE ld_now (d date DEFAULT 'today')",
        "CREATE TABLE ld_now (d date DEFAULT 'tomorrow')",
        "CREATE TABLE ld_now (t time DEFAULT 'now')",
    ] {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), "0A000", "{sql}: {e}");
    }
    run(
        &c,
        "CREATE TABLE ld_now (id int, t timestamptz DEFAULT now(), d date DEFAULT CURRENT_DATE)",
    )
    .await;
    let e = c
        .simple_query("ALTER TABLE ld_now ALTER COLUMN t SET DEFAULT 'now'")
        .await
        .expect_err("SET DEFAULT 'now'");
    assert_eq!(sqlstate(&e), "0A000", "{e}");
    run(&c, "DROP TABLE ld_now").await;
}

#[tokio::test]
async fn set_default_and_add_column_read_the_literal_too() {
    let t = Target::new(AGAINST, "literal_defaults");
    let c = t.connect().await;
    mood(&c, "ld_a", "ld_mood2").await;
    run(
        &c,
        "SET TimeZone = 'UTC'; \
         CREATE TABLE ld_a (id int, b bool, ts timestamptz, n numeric(10,2), m ld_mood2); \
         INSERT INTO ld_a (id) VALUES (1); \
         ALTER TABLE ld_a ALTER COLUMN b SET DEFAULT 'yes'; \
         ALTER TABLE ld_a ALTER COLUMN ts SET DEFAULT '2024-01-01 10:00+02'; \
         ALTER TABLE ld_a ALTER COLUMN n SET DEFAULT '0'; \
         ALTER TABLE ld_a ALTER COLUMN m SET DEFAULT 'sad'; \
         ALTER TABLE ld_a ADD COLUMN i int DEFAULT ' 7 '; \
         ALTER TABLE ld_a ADD COLUMN ta text[] DEFAULT '{x, \"y z\"}'; \
         ALTER TABLE ld_a ADD COLUMN n2 numeric(10,2) DEFAULT '5'; \
         ALTER TABLE ld_a ADD COLUMN tx text DEFAULT 'hello'; \
         SET TimeZone = 'Asia/Tokyo'; \
         ALTER TABLE ld_a ADD COLUMN ts2 timestamptz DEFAULT '2024-01-01 10:00'; \
         SET TimeZone = 'UTC'; \
         INSERT INTO ld_a (id) VALUES (2)",
    )
    .await;
    let got = rows(&c, "SELECT * FROM ld_a ORDER BY id").await;
    let none = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let want = |row: &[&str]| row.iter().map(|s| none(s)).collect::<Vec<_>>();
    assert_eq!(
        got,
        vec![
            want(&[
                "1",
                "",
                "",
                "",
                "",
                "7",
                "{x,\"y z\"}",
                "5.00",
                "hello",
                "2024-01-01 01:00:00+00"
            ]),
            want(&[
                "2",
                "t",
                "2024-01-01 08:00:00+00",
                "0.00",
                "sad",
                "7",
                "{x,\"y z\"}",
                "5.00",
                "hello",
                "2024-01-01 01:00:00+00"
            ]),
        ]
    );
    let typed = rows(
        &c,
        "SELECT count(*) FROM ld_a WHERE b AND ta = '{x,\"y z\"}'",
    )
    .await;
    assert_eq!(typed, vec![texts(&["1"])]);
    let shown = rows(
        &c,
        "SELECT column_name, column_default FROM information_schema.columns \
         WHERE table_name = 'ld_a' AND column_default IS NOT NULL ORDER BY ordinal_position",
    )
    .await;
    let pairs: &[[&str; 2]] = &[
        ["b", "true"],
        ["ts", "'2024-01-01 08:00:00+00'::timestamp with time zone"],
        ["n", "'0'::numeric"],
        ["m", "'sad'::ld_mood2"],
        ["i", "7"],
        ["ta", "'{x,\"y z\"}'::text[]"],
        ["n2", "'5'::numeric"],
        ["tx", "'hello'::text"],
        ["ts2", "'2024-01-01 01:00:00+00'::timestamp with time zone"],
    ];
    assert_eq!(shown, pairs.iter().map(|p| texts(p)).collect::<Vec<_>>());
    for (sql, code) in [
        (
            "ALTER TABLE ld_a ALTER COLUMN id SET DEFAULT 'abc'",
            "22P02",
        ),
        ("ALTER TABLE ld_a ADD COLUMN bad int DEFAULT 'abc'", "22P02"),
        (
            "ALTER TABLE ld_a ADD COLUMN bad date DEFAULT '2024-02-30'",
            "22008",
        ),
        (
            "ALTER TABLE ld_a ALTER COLUMN b SET DEFAULT 'maybe'",
            "22P02",
        ),
    ] {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), code, "{sql}: {e}");
    }
    run(&c, "DROP TABLE ld_a; DROP TYPE ld_mood2").await;
}

/// ALTER COLUMN … TYPE coerces a constant default to the new type, as PostgreSQL does:
/// a row then takes the new type's value (`true` as text is `true`, a text[] default as
/// text its array text, numeric(10,2)'s `'0'` at the new scale).
#[tokio::test]
async fn a_retyped_column_takes_its_default_in_the_new_type() {
    let t = Target::new(AGAINST, "literal_defaults");
    let c = t.connect().await;
    run(
        &c,
        "DROP TABLE IF EXISTS ld_r; \
         CREATE TABLE ld_r (id int, a int DEFAULT '7', b bool DEFAULT 'yes', \
         n numeric(10,2) DEFAULT '0', s smallint DEFAULT '3', ta text[] DEFAULT '{a,b}', \
         f float8 DEFAULT '1.5', d date DEFAULT '2024-01-02'); \
         ALTER TABLE ld_r ALTER COLUMN a TYPE bigint, ALTER COLUMN b TYPE text, \
         ALTER COLUMN n TYPE numeric(12,4), ALTER COLUMN s TYPE int, \
         ALTER COLUMN ta TYPE text, ALTER COLUMN f TYPE numeric, \
         ALTER COLUMN d TYPE timestamp; \
         INSERT INTO ld_r (id) VALUES (1)",
    )
    .await;
    let got = rows(&c, "SELECT a, b, n::text, s, ta, f::text, d FROM ld_r").await;
    assert_eq!(
        got,
        vec![texts(&[
            "7",
            "true",
            "0.0000",
            "3",
            "{a,b}",
            "1.5",
            "2024-01-02 00:00:00"
        ])]
    );
    let shown = rows(
        &c,
        "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef JOIN pg_attribute \
         ON attrelid = adrelid AND attnum = adnum WHERE adrelid = 'ld_r'::regclass \
         AND attname IN ('a', 'n') ORDER BY adnum",
    )
    .await;
    assert_eq!(shown, vec![texts(&["7"]), texts(&["'0'::numeric"])]);
    run(&c, "DROP TABLE ld_r").await;
}

/// A conversion of the default that would depend on the TimeZone of the session taking
/// it (PostgreSQL casts per row) is refused rather than fixed at ALTER time.
#[tokio::test]
async fn a_retyped_default_that_depends_on_the_time_zone_is_refused() {
    if against_postgres() {
        return;
    }
    let t = Target::new(AGAINST, "literal_defaults");
    let c = t.connect().await;
    run(
        &c,
        "CREATE TABLE ld_z (t timestamptz DEFAULT '2024-01-01 10:00+02', d date DEFAULT '2024-01-02')",
    )
    .await;
    for sql in [
        "ALTER TABLE ld_z ALTER COLUMN t TYPE timestamp",
        "ALTER TABLE ld_z ALTER COLUMN d TYPE timestamptz",
    ] {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), "0A000", "{sql}: {e}");
    }
    run(
        &c,
        "ALTER TABLE ld_z ALTER COLUMN t DROP DEFAULT; ALTER TABLE ld_z ALTER COLUMN t TYPE timestamp",
    )
    .await;
}

/// An enum's label as DEFAULT is read when it is set: no such label is 22P02 then, on an
/// empty table or not, as in PostgreSQL.
#[tokio::test]
async fn an_enum_default_is_read_when_it_is_set() {
    let t = Target::new(AGAINST, "literal_defaults");
    let c = t.connect().await;
    mood(&c, "ld_e", "ld_mood3").await;
    run(&c, "DROP TABLE IF EXISTS ld_e2").await;
    for sql in [
        "CREATE TABLE ld_e (m ld_mood3 DEFAULT 'nope')",
        "CREATE TABLE ld_e (id int, m ld_mood3 DEFAULT 'ok', n ld_mood3 DEFAULT 'nope')",
    ] {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), "22P02", "{sql}: {e}");
    }
    run(
        &c,
        "CREATE TABLE ld_e (id int, m ld_mood3 DEFAULT 'ok'); CREATE TABLE ld_e2 (id int); \
         INSERT INTO ld_e (id) VALUES (1)",
    )
    .await;
    for sql in [
        "ALTER TABLE ld_e ADD COLUMN m2 ld_mood3 DEFAULT 'nope'",
        "ALTER TABLE ld_e2 ADD COLUMN m2 ld_mood3 DEFAULT 'nope'",
        "ALTER TABLE ld_e ALTER COLUMN m SET DEFAULT 'nope'",
    ] {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), "22P02", "{sql}: {e}");
    }
    run(
        &c,
        "ALTER TABLE ld_e ADD COLUMN m2 ld_mood3 DEFAULT 'sad'; \
         ALTER TABLE ld_e2 ADD COLUMN m2 ld_mood3 DEFAULT 'sad'; \
         INSERT INTO ld_e (id) VALUES (2); INSERT INTO ld_e2 (id) VALUES (1)",
    )
    .await;
    let got = rows(&c, "SELECT m, m2 FROM ld_e ORDER BY id").await;
    assert_eq!(got, vec![texts(&["ok", "sad"]), texts(&["ok", "sad"])]);
    let got = rows(&c, "SELECT m2 FROM ld_e2").await;
    assert_eq!(got, vec![texts(&["sad"])]);
    run(&c, "DROP TABLE ld_e, ld_e2; DROP TYPE ld_mood3").await;
}

/// An `E'…'` string is the same literal once its escapes are read.
#[tokio::test]
async fn an_escaped_string_default_is_read_too() {
    let t = Target::new(AGAINST, "literal_defaults");
    let c = t.connect().await;
    run(
        &c,
        "DROP TABLE IF EXISTS ld_x; \
         CREATE TABLE ld_x (id int, b bool DEFAULT E'y\\x65s', i int DEFAULT E' 7 '); \
         INSERT INTO ld_x (id) VALUES (1); \
         ALTER TABLE ld_x ADD COLUMN b2 bool DEFAULT E'n\\x6f'; \
         ALTER TABLE ld_x ALTER COLUMN b SET DEFAULT E'\\x66'; \
         INSERT INTO ld_x (id) VALUES (2)",
    )
    .await;
    let got = rows(&c, "SELECT b, i, b2 FROM ld_x ORDER BY id").await;
    assert_eq!(got, vec![texts(&["t", "7", "f"]), texts(&["f", "7", "f"])]);
    let shown = rows(
        &c,
        "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'ld_x'::regclass \
         ORDER BY adnum",
    )
    .await;
    assert_eq!(
        shown,
        vec![texts(&["false"]), texts(&["7"]), texts(&["false"])]
    );
    run(&c, "DROP TABLE ld_x").await;
}
