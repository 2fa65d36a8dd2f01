//! pgbench, PostgreSQL's own benchmark client: `pgbench -i` sends multi-table DROP and
//! TRUNCATE, `WITH (fillfactor=100)`, a 100,000-row COPY, `VACUUM ANALYZE t` and
//! `ALTER TABLE ... ADD PRIMARY KEY`; the TPC-B-like run then needs every transaction to
//! succeed, in each query mode.

use std::process::Command;

use crate::common::{sqlstate, Server};

fn pgbench(server: &Server, args: &[&str]) -> (bool, String) {
    let out = Command::new("pgbench")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &server.port().to_string(),
            "-U",
            "bench",
        ])
        .args(args)
        .arg("pgb")
        .output()
        .expect("pgbench must be installed (Debian: apt-get install postgresql; .ci/run does)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn pgbench_initializes_and_runs_in_every_query_mode() {
    let s = Server::start(&[]);
    // Twice: the second run drops the tables the first made.
    for _ in 0..2 {
        let (ok, out) = pgbench(&s, &["-i", "-s", "1"]);
        assert!(ok, "{out}");
        assert!(out.contains("creating primary keys..."), "{out}");
    }
    for mode in ["simple", "extended", "prepared"] {
        let (ok, out) = pgbench(&s, &["-c", "4", "-j", "2", "-t", "50", "-M", mode]);
        assert!(ok, "{mode}: {out}");
        assert!(
            out.contains("number of transactions actually processed: 200/200"),
            "{mode}: {out}"
        );
        assert!(
            out.contains("number of failed transactions: 0 "),
            "{mode}: {out}"
        );
    }
}

#[tokio::test]
async fn multi_table_drop_and_truncate_are_atomic() {
    let s = Server::start(&[]);
    let c = s.connect("ddl").await;
    c.batch_execute(
        "create table a (x int); create table b (x int);
         insert into a values (1); insert into b values (2);",
    )
    .await
    .unwrap();
    // Extended protocol (no parameters) and simple protocol both work.
    assert_eq!(
        c.execute("truncate table a, b restart identity", &[])
            .await
            .unwrap(),
        0
    );
    let n: i64 = c
        .query_one("select count(*) from a", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
    // All or nothing: `missing` does not exist, so `a` is not dropped either.
    let e = c.batch_execute("drop table a, missing").await.unwrap_err();
    assert_eq!(sqlstate(&e), "42P01", "{e:?}");
    c.execute("select * from a", &[]).await.unwrap();
    c.batch_execute("drop table if exists a, missing, b cascade")
        .await
        .unwrap();
    let e = c.execute("select * from b", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "42P01");
    // VACUUM of a table and ADD PRIMARY KEY (a unique index: duplicates are refused).
    c.batch_execute(
        "create table k (id int); vacuum analyze k; alter table k add primary key (id)",
    )
    .await
    .unwrap();
    c.execute("insert into k values (1)", &[]).await.unwrap();
    let e = c
        .execute("insert into k values (1)", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23505");
}
