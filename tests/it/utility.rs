//! Utility statements (issue 9): EXPLAIN, planner and resource settings, REINDEX and
//! CREATE/DROP INDEX options, each checked against PostgreSQL 15's answers (SQLSTATE,
//! message, message flow).

use tokio_postgres::types::Type;
use tokio_postgres::SimpleQueryMessage;

use crate::common::{rows, sqlstate, Server};

/// The SQLSTATE and message of a statement that must fail.
async fn error(c: &tokio_postgres::Client, sql: &str) -> (String, String) {
    let e = c
        .simple_query(sql)
        .await
        .err()
        .unwrap_or_else(|| panic!("{sql} succeeded"));
    let message = e.as_db_error().map(|d| d.message().to_string());
    (sqlstate(&e), message.unwrap_or_default())
}

fn row(values: &[&str]) -> Vec<Option<String>> {
    values.iter().map(|v| Some(v.to_string())).collect()
}

#[tokio::test]
async fn explain_answers_one_query_plan_column() {
    let s = Server::start(&[]);
    let c = s.connect("utility").await;
    c.batch_execute("create table t (a int, b text); create index t_a on t (a)")
        .await
        .unwrap();
    // The simple protocol: RowDescription with one text column, one row per plan line,
    // tag EXPLAIN.
    let messages = c
        .simple_query("EXPLAIN (COSTS OFF) SELECT b FROM t WHERE a = 1")
        .await
        .unwrap();
    let mut lines = Vec::new();
    for m in &messages {
        match m {
            SimpleQueryMessage::RowDescription(cols) => {
                assert_eq!(cols.len(), 1);
                assert_eq!(cols[0].name(), "QUERY PLAN");
            }
            SimpleQueryMessage::Row(r) => lines.push(r.get(0).unwrap().to_string()),
            _ => {}
        }
    }
    assert_eq!(lines, ["SEARCH t USING INDEX t_a (a=?)"]);
    // A subquery is a child node, printed under its parent.
    let plan = rows(
        &c,
        "EXPLAIN SELECT * FROM t WHERE b = 'x' AND a IN (SELECT a FROM t)",
    )
    .await;
    assert!(plan.len() >= 2, "{plan:?}");
    assert!(
        plan.iter()
            .any(|r| r[0].as_deref().unwrap().contains("->  ")),
        "{plan:?}"
    );
    // Describe (extended protocol) gives the same one text column.
    let st = c.prepare("EXPLAIN VERBOSE SELECT * FROM t").await.unwrap();
    assert_eq!(st.columns().len(), 1);
    assert_eq!(st.columns()[0].name(), "QUERY PLAN");
    assert_eq!(st.columns()[0].type_(), &Type::TEXT);
    let got: Vec<String> = c
        .query(&st, &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(got, ["SCAN t"]);
    // The explained statement's parameters are the EXPLAIN's, typed from it.
    let st = c
        .prepare("EXPLAIN SELECT b FROM t WHERE a = $1")
        .await
        .unwrap();
    assert_eq!(st.params(), &[Type::INT4]);
    let got: Vec<String> = c
        .query(&st, &[&1i32])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(got, ["SEARCH t USING INDEX t_a (a=?)"]);
    // A statement is planned, not run.
    c.batch_execute("insert into t values (1, 'a')")
        .await
        .unwrap();
    rows(&c, "EXPLAIN DELETE FROM t").await;
    assert_eq!(rows(&c, "select count(*) from t").await, [row(&["1"])]);
    // Errors of the explained statement are its own.
    assert_eq!(error(&c, "EXPLAIN SELECT * FROM nosuch").await.0, "42P01");
}

/// PostgreSQL 15's answers to invalid or unsupported EXPLAIN options.
#[tokio::test]
async fn explain_options_are_checked_as_postgresql_does() {
    let s = Server::start(&[]);
    let c = s.connect("utility").await;
    c.batch_execute("create table t (a int)").await.unwrap();
    for (sql, code, message) in [
        (
            "EXPLAIN (FOO) SELECT 1",
            "42601",
            "unrecognized EXPLAIN option \"foo\"",
        ),
        (
            "EXPLAIN (COSTS bar) SELECT 1",
            "42601",
            "costs requires a Boolean value",
        ),
        (
            "EXPLAIN (WAL) SELECT 1",
            "22023",
            "EXPLAIN option WAL requires ANALYZE",
        ),
        (
            "EXPLAIN (TIMING) SELECT 1",
            "22023",
            "EXPLAIN option TIMING requires ANALYZE",
        ),
        (
            "EXPLAIN (FORMAT foo) SELECT 1",
            "22023",
            "unrecognized value for EXPLAIN option \"format\": \"foo\"",
        ),
        (
            "EXPLAIN VERBOSE ANALYZE SELECT 1",
            "42601",
            "syntax error at or near \"ANALYZE\"",
        ),
        (
            "EXPLAIN (FORMAT JSON) SELECT 1",
            "0A000",
            "EXPLAIN (FORMAT JSON) is not supported by litewire",
        ),
    ] {
        assert_eq!(
            error(&c, sql).await,
            (code.to_string(), message.to_string()),
            "{sql}"
        );
    }
    assert_eq!(error(&c, "EXPLAIN SHOW work_mem").await.0, "42601");
    // ANALYZE would have to run the statement: refused, and nothing is deleted.
    c.batch_execute("insert into t values (1)").await.unwrap();
    let (code, _) = error(&c, "EXPLAIN ANALYZE DELETE FROM t").await;
    assert_eq!(code, "0A000");
    assert_eq!(
        error(&c, "EXPLAIN (ANALYZE) DELETE FROM t").await.0,
        "0A000"
    );
    assert_eq!(rows(&c, "select count(*) from t").await, [row(&["1"])]);
    // Options PostgreSQL accepts are accepted.
    rows(
        &c,
        "EXPLAIN (COSTS OFF, VERBOSE, SETTINGS on, BUFFERS, SUMMARY false, TIMING off, FORMAT TEXT) SELECT * FROM t",
    )
    .await;
}

/// `SET`/`SHOW`/`RESET` of planner and resource settings, with PostgreSQL 15's values.
#[tokio::test]
async fn planner_settings_are_accepted_checked_and_shown() {
    let s = Server::start(&[]);
    let c = s.connect("utility").await;
    for (set, name, shown) in [
        ("SET enable_seqscan = off", "enable_seqscan", "off"),
        ("SET enable_hashagg TO 0", "enable_hashagg", "off"),
        ("set session enable_sort = false", "enable_sort", "off"),
        ("SET work_mem = '64kB'", "work_mem", "64kB"),
        ("SET work_mem = 65536", "work_mem", "64MB"),
        (
            "SET maintenance_work_mem = '1.5GB'",
            "maintenance_work_mem",
            "1536MB",
        ),
        ("SET random_page_cost = 1.50", "random_page_cost", "1.5"),
        ("SET jit_above_cost = -1", "jit_above_cost", "-1"),
        (
            "SET min_parallel_table_scan_size = 7",
            "min_parallel_table_scan_size",
            "56kB",
        ),
        (
            "SET max_parallel_workers_per_gather = 4",
            "max_parallel_workers_per_gather",
            "4",
        ),
        ("SET join_collapse_limit = 1", "join_collapse_limit", "1"),
        (
            "SET constraint_exclusion = 'ON'",
            "constraint_exclusion",
            "on",
        ),
    ] {
        rows(&c, set).await;
        assert_eq!(
            rows(&c, &format!("SHOW {name}")).await,
            [row(&[shown])],
            "{set}"
        );
        assert_eq!(
            rows(&c, &format!("SELECT current_setting('{name}')")).await,
            [row(&[shown])],
            "{set}"
        );
    }
    rows(&c, "RESET enable_seqscan").await;
    assert_eq!(rows(&c, "SHOW enable_seqscan").await, [row(&["on"])]);
    rows(&c, "SET work_mem TO DEFAULT").await;
    assert_eq!(rows(&c, "SHOW work_mem").await, [row(&["4MB"])]);
    rows(&c, "RESET ALL").await;
    assert_eq!(rows(&c, "SHOW random_page_cost").await, [row(&["4"])]);
    for (sql, code, message) in [
        (
            "SET enable_seqscan = foo",
            "22023",
            "parameter \"enable_seqscan\" requires a Boolean value",
        ),
        (
            "SET work_mem = 10",
            "22023",
            "10 kB is outside the valid range for parameter \"work_mem\" (64 .. 2147483647)",
        ),
        (
            "SET work_mem = '1 mb'",
            "22023",
            "invalid value for parameter \"work_mem\": \"1 mb\"",
        ),
        (
            "SET random_page_cost = -1",
            "22023",
            "-1 is outside the valid range for parameter \"random_page_cost\" (0 .. 1.79769e+308)",
        ),
        (
            "SET max_parallel_workers_per_gather = 2000",
            "22023",
            "2000 is outside the valid range for parameter \"max_parallel_workers_per_gather\" (0 .. 1024)",
        ),
        (
            "SET constraint_exclusion = bogus",
            "22023",
            "invalid value for parameter \"constraint_exclusion\": \"bogus\"",
        ),
        (
            "SET enable_seqscan = on, off",
            "22023",
            "SET enable_seqscan takes only one argument",
        ),
        (
            "SET enable_nosuch = on",
            "42704",
            "unrecognized configuration parameter \"enable_nosuch\"",
        ),
    ] {
        assert_eq!(
            error(&c, sql).await,
            (code.to_string(), message.to_string()),
            "{sql}"
        );
    }
}

/// `transaction_read_only` and `transaction_deferrable` follow the open block, and a
/// savepoint's end restores the mode it began with (PostgreSQL's transactions.sql).
#[tokio::test]
async fn transaction_modes_are_shown() {
    let s = Server::start(&[]);
    let c = s.connect("utility").await;
    let show = |name: &'static str| {
        let c = &c;
        async move {
            rows(c, &format!("SHOW {name}")).await[0][0]
                .clone()
                .unwrap()
        }
    };
    assert_eq!(show("transaction_read_only").await, "off");
    rows(&c, "BEGIN READ ONLY").await;
    assert_eq!(show("transaction_read_only").await, "on");
    rows(&c, "COMMIT").await;
    assert_eq!(show("transaction_read_only").await, "off");

    rows(&c, "BEGIN; SET TRANSACTION READ WRITE; SAVEPOINT x").await;
    rows(&c, "SET TRANSACTION READ ONLY").await;
    assert_eq!(show("transaction_read_only").await, "on");
    rows(&c, "ROLLBACK TO SAVEPOINT x").await;
    assert_eq!(show("transaction_read_only").await, "off");
    rows(
        &c,
        "SAVEPOINT y; SET TRANSACTION READ ONLY; RELEASE SAVEPOINT y",
    )
    .await;
    assert_eq!(show("transaction_read_only").await, "off");
    c.batch_execute("create table w (a int); insert into w values (1)")
        .await
        .unwrap();
    rows(&c, "COMMIT").await;

    // READ WRITE overrides default_transaction_read_only; DEFERRABLE is shown.
    rows(&c, "SET default_transaction_read_only = on").await;
    rows(
        &c,
        "START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ WRITE, DEFERRABLE",
    )
    .await;
    assert_eq!(show("transaction_read_only").await, "off");
    assert_eq!(show("transaction_deferrable").await, "on");
    assert_eq!(show("transaction_isolation").await, "repeatable read");
    rows(&c, "INSERT INTO w VALUES (2)").await;
    rows(&c, "COMMIT AND CHAIN").await;
    assert_eq!(show("transaction_read_only").await, "off");
    assert_eq!(show("transaction_deferrable").await, "on");
    rows(&c, "COMMIT").await;
    assert_eq!(show("transaction_read_only").await, "on");
    assert_eq!(show("transaction_deferrable").await, "off");
    assert_eq!(error(&c, "INSERT INTO w VALUES (3)").await.0, "25006");
}

/// CREATE INDEX with PostgreSQL's options becomes a plain SQLite index; what PostgreSQL
/// refuses is refused with its SQLSTATE.
#[tokio::test]
async fn create_index_options() {
    let s = Server::start(&[]);
    let c = s.connect("utility").await;
    c.batch_execute("create table ci (a int, b text, j jsonb)")
        .await
        .unwrap();
    for sql in [
        "CREATE INDEX i1 ON ci USING btree (a int4_ops)",
        "CREATE INDEX IF NOT EXISTS i1 ON ci USING btree (a int4_ops)",
        "CREATE INDEX i2 ON ci USING hash (b)",
        "CREATE INDEX i3 ON ci USING gin (j jsonb_path_ops) WITH (fastupdate = on)",
        "CREATE INDEX i4 ON ci (b text_pattern_ops) WHERE a > 0",
        "CREATE INDEX i5 ON ci (a DESC NULLS LAST, b NULLS FIRST)",
        "CREATE INDEX i6 ON ci (a) INCLUDE (b) WITH (fillfactor = 70)",
        "CREATE UNIQUE INDEX i7 ON ci (a, b) INCLUDE (j) NULLS DISTINCT",
        "CREATE INDEX CONCURRENTLY i8 ON ci (b)",
        "CREATE INDEX ON ci (a)",
        "CREATE INDEX ON ci (lower(b))",
    ] {
        c.batch_execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    // Unnamed indexes get PostgreSQL's names: DROP INDEX finds them.
    c.batch_execute("DROP INDEX ci_a_idx, ci_lower_idx")
        .await
        .unwrap();
    c.batch_execute("DROP INDEX CONCURRENTLY IF EXISTS i8; DROP INDEX CONCURRENTLY IF EXISTS i8")
        .await
        .unwrap_err();
    c.batch_execute("DROP INDEX CONCURRENTLY IF EXISTS i8")
        .await
        .unwrap();
    for (sql, code) in [
        ("CREATE INDEX x ON ci USING foo (a)", "42704"),
        ("CREATE INDEX x ON ci (a foo)", "42704"),
        ("CREATE INDEX x ON ci (a) WITH (foo = 1)", "22023"),
        ("CREATE INDEX x ON ci (a) WITH (fillfactor = 5)", "22023"),
        ("CREATE INDEX x ON ci USING hash (a, b)", "0A000"),
        ("CREATE INDEX x ON ci (a) INCLUDE (nosuch)", "42703"),
        ("DROP INDEX CONCURRENTLY i1, i2", "0A000"),
    ] {
        assert_eq!(error(&c, sql).await.0, code, "{sql}");
    }
    // CONCURRENTLY cannot run inside a transaction block, implicit ones included.
    for (sql, message) in [
        (
            "CREATE INDEX CONCURRENTLY x ON ci (a)",
            "CREATE INDEX CONCURRENTLY cannot run inside a transaction block",
        ),
        (
            "DROP INDEX CONCURRENTLY i1",
            "DROP INDEX CONCURRENTLY cannot run inside a transaction block",
        ),
        (
            "REINDEX TABLE CONCURRENTLY ci",
            "REINDEX CONCURRENTLY cannot run inside a transaction block",
        ),
    ] {
        rows(&c, "BEGIN").await;
        assert_eq!(
            error(&c, sql).await,
            ("25001".to_string(), message.to_string())
        );
        rows(&c, "ROLLBACK").await;
        assert_eq!(error(&c, &format!("SELECT 1; {sql}")).await.0, "25001");
    }
}

/// NULLS NOT DISTINCT is honoured: a second NULL is a duplicate key, a NULL and a value
/// are not.
#[tokio::test]
async fn unique_nulls_not_distinct() {
    let s = Server::start(&[]);
    let c = s.connect("utility").await;
    c.batch_execute(
        "create table u (i int, t text);
         create unique index u_i on u (i) nulls not distinct;
         create unique index u_t on u (t);
         insert into u values (null, null), (0, null), (1, 'a')",
    )
    .await
    .unwrap();
    assert_eq!(
        error(&c, "insert into u values (null, 'b')").await.0,
        "23505"
    );
    // The plain unique index still lets NULLs repeat, as PostgreSQL's does.
    c.batch_execute("insert into u values (2, null)")
        .await
        .unwrap();
    assert_eq!(rows(&c, "select count(*) from u").await, [row(&["4"])]);
}

#[tokio::test]
async fn reindex() {
    let s = Server::start(&[]);
    let c = s.connect("utility").await;
    c.batch_execute("create table r (a int); create index r_a on r (a); insert into r values (1)")
        .await
        .unwrap();
    for sql in [
        "REINDEX INDEX r_a",
        "REINDEX TABLE r",
        "REINDEX TABLE public.r",
        "REINDEX (VERBOSE) TABLE CONCURRENTLY r",
        "REINDEX SCHEMA public",
        "REINDEX DATABASE utility",
        "REINDEX SYSTEM utility",
    ] {
        let done = c
            .simple_query(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert!(
            matches!(done.last(), Some(SimpleQueryMessage::CommandComplete(_))),
            "{sql}"
        );
    }
    for (sql, code, message) in [
        (
            "REINDEX TABLE nosuch",
            "42P01",
            "relation \"nosuch\" does not exist",
        ),
        (
            "REINDEX INDEX nosuch",
            "42P01",
            "relation \"nosuch\" does not exist",
        ),
        (
            "REINDEX SCHEMA nosuch",
            "3F000",
            "schema \"nosuch\" does not exist",
        ),
        (
            "REINDEX (foo) TABLE r",
            "42601",
            "unrecognized REINDEX option \"foo\"",
        ),
        (
            "REINDEX SYSTEM CONCURRENTLY utility",
            "0A000",
            "cannot reindex system catalogs concurrently",
        ),
    ] {
        assert_eq!(
            error(&c, sql).await,
            (code.to_string(), message.to_string()),
            "{sql}"
        );
    }
    assert_eq!(rows(&c, "select a from r where a = 1").await, [row(&["1"])]);
}

/// A rollback undoes the block's SETs, a commit its SET LOCALs; SET LOCAL outside a
/// block changes nothing (PostgreSQL 15's answers).
#[tokio::test]
async fn set_local_ends_with_its_block() {
    let s = Server::start(&[]);
    let c = s.connect("utility").await;
    let work_mem = || async { rows(&c, "SHOW work_mem").await[0][0].clone().unwrap() };
    rows(&c, "SET LOCAL work_mem = '1MB'").await;
    assert_eq!(work_mem().await, "4MB");
    assert_eq!(error(&c, "SET LOCAL work_mem = 'x'").await.0, "22023");
    rows(
        &c,
        "BEGIN; SET work_mem = '2MB'; SET LOCAL work_mem = '3MB'",
    )
    .await;
    assert_eq!(work_mem().await, "3MB");
    rows(&c, "COMMIT").await;
    assert_eq!(work_mem().await, "2MB");
    rows(
        &c,
        "BEGIN; SET LOCAL work_mem = '5MB'; SET work_mem = '6MB'; COMMIT",
    )
    .await;
    assert_eq!(work_mem().await, "6MB");
    rows(
        &c,
        "BEGIN; SET work_mem = '7MB'; SET LOCAL statement_timeout = '1s'",
    )
    .await;
    assert_eq!(error(&c, "SELECT 1/'x'::int").await.0, "22P02");
    rows(&c, "ROLLBACK").await;
    assert_eq!(work_mem().await, "6MB");
    assert_eq!(rows(&c, "SHOW statement_timeout").await, [row(&["0"])]);
}

/// ALTER INDEX … RENAME TO: the index keeps working under its new name; PostgreSQL's
/// errors for a missing or taken name.
#[tokio::test]
async fn alter_index_rename() {
    let s = Server::start(&[]);
    let c = s.connect("utility").await;
    c.batch_execute(
        "create table ri (a int, b text);
         create unique index ri_a on ri (a) where a > 0;
         create index on ri (b);
         insert into ri values (1, 'x')",
    )
    .await
    .unwrap();
    c.batch_execute("ALTER INDEX ri_a RENAME TO ri_a2")
        .await
        .unwrap();
    c.batch_execute("ALTER INDEX IF EXISTS public.ri_b_idx RENAME TO \"B\"")
        .await
        .unwrap();
    c.batch_execute("ALTER INDEX IF EXISTS nosuch RENAME TO x")
        .await
        .unwrap();
    for (sql, code, message) in [
        (
            "ALTER INDEX nosuch RENAME TO x",
            "42P01",
            "relation \"nosuch\" does not exist",
        ),
        (
            "ALTER INDEX ri_a2 RENAME TO \"B\"",
            "42P07",
            "relation \"B\" already exists",
        ),
        (
            "ALTER INDEX ri_a2 SET TABLESPACE pg_default",
            "0A000",
            "ALTER INDEX other than RENAME TO is not supported by litewire",
        ),
    ] {
        assert_eq!(
            error(&c, sql).await,
            (code.to_string(), message.to_string()),
            "{sql}"
        );
    }
    // The renamed unique index still refuses a duplicate; the old names are gone.
    assert_eq!(error(&c, "insert into ri values (1, 'y')").await.0, "23505");
    assert_eq!(error(&c, "DROP INDEX ri_a").await.0, "42704");
    c.batch_execute("DROP INDEX ri_a2, \"B\"").await.unwrap();
    // Inside a block, a rollback undoes the rename.
    c.batch_execute("create index ri_c on ri (a)")
        .await
        .unwrap();
    c.batch_execute("begin; alter index ri_c rename to ri_d; rollback")
        .await
        .unwrap();
    c.batch_execute("drop index ri_c").await.unwrap();
}

/// An unnamed index takes PostgreSQL's name, or its next choice when that is taken by
/// an index or a table (PostgreSQL 15 names these five alike).
#[tokio::test]
async fn unnamed_indexes_are_numbered() {
    let s = Server::start(&[]);
    let c = s.connect("utility").await;
    c.batch_execute(
        "create table nn (a int, b text);
         create index on nn (a);
         create index on nn (a);
         create unique index on nn (a)",
    )
    .await
    .unwrap();
    c.batch_execute("begin; create index on nn (a); commit")
        .await
        .unwrap();
    c.batch_execute("create table nn_b_idx (x int); create index on nn (b)")
        .await
        .unwrap();
    let names = rows(
        &c,
        "select name from sqlite_schema where type = 'index' order by name",
    )
    .await;
    let names: Vec<&str> = names.iter().map(|r| r[0].as_deref().unwrap()).collect();
    assert_eq!(
        names,
        [
            "nn_a_idx",
            "nn_a_idx1",
            "nn_a_idx2",
            "nn_a_idx3",
            "nn_b_idx1"
        ]
    );
}
