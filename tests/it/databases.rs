//! Databases made, branched, renamed and dropped with PostgreSQL's statements: CREATE
//! DATABASE [TEMPLATE], BRANCH, ALTER DATABASE … RENAME TO, DROP DATABASE [WITH (FORCE)],
//! with PostgreSQL 15's tags, errors and notices, and `pg_database` / `\l` listing every
//! file of the data folder.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::common::{answers, psql, refusals, rows, sqlstate, Server};
use crate::wire::{self, Raw};

/// The tag (or error) of each message a simple query gets back, and its notices.
fn outcome(raw: &mut Raw, sql: &str) -> Vec<String> {
    raw.send(&wire::query(sql));
    raw.until_ready()
        .iter()
        .filter_map(|m| match m.tag {
            b'C' => Some(m.tag_text()),
            b'E' | b'N' => Some(format!(
                "{} {} {}",
                m.field(b'S').unwrap_or_default(),
                m.sqlstate().unwrap_or_default(),
                m.field(b'M').unwrap_or_default()
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn tags_and_notices_are_postgresql_s() {
    let s = Server::start(&[]);
    let (mut c, _) = Raw::session(s.port(), "main");
    assert_eq!(outcome(&mut c, "create database a"), ["CREATE DATABASE"]);
    assert_eq!(
        outcome(&mut c, "alter database a rename to b"),
        ["ALTER DATABASE"]
    );
    assert_eq!(outcome(&mut c, "branch b to c"), ["CREATE DATABASE"]);
    assert_eq!(outcome(&mut c, "drop database b"), ["DROP DATABASE"]);
    assert_eq!(
        outcome(&mut c, "drop database if exists c with (force)"),
        ["DROP DATABASE"]
    );
    assert_eq!(
        outcome(&mut c, "drop database if exists nosuch"),
        [
            "NOTICE 00000 database \"nosuch\" does not exist, skipping",
            "DROP DATABASE"
        ]
    );
}

#[tokio::test]
async fn create_rename_drop_answer_as_postgresql() {
    let s = Server::start(&[]);
    let c = s.connect("main").await;
    c.batch_execute("create table t (a int); insert into t values (1), (2)")
        .await
        .unwrap();
    c.batch_execute("create database made").await.unwrap();
    c.execute(
        "create database made2 with template = template0 encoding 'UTF8' owner current_user",
        &[],
    )
    .await
    .unwrap();
    assert!(s.data_dir().join("made.db").exists());
    assert!(s.data_dir().join("made2.db").exists());
    refusals(
        &c,
        &[
            ("create database made", "42P04", "database \"made\" already exists"),
            ("create database x template nosuch", "3D000", "template database \"nosuch\" does not exist"),
            ("create database litewire", "42P04", "database \"litewire\" already exists"),
            ("create database x bogus 1", "42601", "option \"bogus\" not recognized"),
            ("create database x template a template b", "42601", "conflicting or redundant options"),
            ("create database x encoding 'LATIN1'", "0A000", "CREATE DATABASE … ENCODING LATIN1 (litewire databases are UTF8) is not supported by litewire"),
            ("drop database nosuch", "3D000", "database \"nosuch\" does not exist"),
            ("drop database main", "55006", "cannot drop the currently open database"),
            ("alter database nosuch rename to y", "3D000", "database \"nosuch\" does not exist"),
            ("alter database made rename to made2", "42P04", "database \"made2\" already exists"),
            ("alter database main rename to other", "0A000", "current database cannot be renamed"),
            // PostgreSQL refuses each of these inside a transaction block (a multi-statement
            // query is one).
            ("select 1; create database x", "25001", "CREATE DATABASE cannot run inside a transaction block"),
            ("select 1; drop database made", "25001", "DROP DATABASE cannot run inside a transaction block"),
        ],
    )
    .await;
    c.batch_execute("begin").await.unwrap();
    refusals(
        &c,
        &[(
            "create database x",
            "25001",
            "CREATE DATABASE cannot run inside a transaction block",
        )],
    )
    .await;
    c.batch_execute("rollback; begin").await.unwrap();
    refusals(
        &c,
        &[(
            "drop database made",
            "25001",
            "DROP DATABASE cannot run inside a transaction block",
        )],
    )
    .await;
    c.batch_execute("rollback; begin").await.unwrap();
    // PostgreSQL renames inside a block (and undoes it on ROLLBACK); a file rename is not
    // undone with the transaction: refused, not half-honoured.
    let e = c
        .simple_query("alter database made rename to x")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "0A000");
    c.batch_execute("rollback").await.unwrap();
    assert!(!s.data_dir().join("x.db").exists());

    // Rename keeps the data; the old name is gone.
    c.batch_execute("create database src template main")
        .await
        .unwrap();
    c.batch_execute("alter database src rename to renamed")
        .await
        .unwrap();
    assert!(!s.data_dir().join("src.db").exists());
    let renamed = s.connect("renamed").await;
    answers(&renamed, &[("select a from t order by a", "1\n2")]).await;
    drop(renamed);

    // Drop removes the file and its WAL and shared memory.
    drop_when_left(&c, "renamed").await;
    for f in ["renamed.db", "renamed.db-wal", "renamed.db-shm"] {
        assert!(!s.data_dir().join(f).exists(), "{f}");
    }
    // Listed: every file of the folder, open or not.
    answers(
        &c,
        &[(
            "select datname, datdba, encoding, datcollate from pg_database order by 1",
            "made|10|6|C\nmade2|10|6|C\nmain|10|6|C",
        )],
    )
    .await;
    let size: i64 = c
        .query_one("select pg_database_size('main')", &[])
        .await
        .unwrap()
        .get(0);
    assert!(size >= 4096, "{size}");
    answers(&c, &[("select pg_size_pretty(10240::bigint)", "10 kB")]).await;
    let e = c
        .simple_query("select pg_database_size('nosuch')")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "3D000");
    // The extended protocol runs them too (tokio-postgres's execute).
    c.execute("drop database made2", &[]).await.unwrap();
    c.execute("alter database made rename to made3", &[])
        .await
        .unwrap();
    assert!(s.data_dir().join("made3.db").exists());
    // A new database is empty, as PostgreSQL's template1 copy of a fresh cluster.
    let made = s.connect("made3").await;
    answers(
        &made,
        &[(
            "select count(*) from pg_tables where schemaname = 'public'",
            "0",
        )],
    )
    .await;
}

/// Drops database `name` once the server has seen its last client leave (a dropped
/// tokio-postgres client says goodbye in the background).
async fn drop_when_left(c: &tokio_postgres::Client, name: &str) {
    for _ in 0..100 {
        match c.batch_execute(&format!("drop database {name}")).await {
            Ok(()) => return,
            Err(e) if sqlstate(&e) == "55006" => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            Err(e) => panic!("drop database {name}: {e}"),
        }
    }
    panic!("database {name} stayed in use");
}

#[tokio::test]
async fn names_cannot_reach_outside_the_data_folder() {
    let s = Server::start(&[]);
    let c = s.connect("main").await;
    std::fs::write(s.dir().join("outside.db"), b"").unwrap();
    for name in [
        "\"../outside\"",
        "\"a/b\"",
        "\"..\"",
        "\"/tmp/x\"",
        "\"x.db\"",
        "\"-rf\"",
    ] {
        for sql in [
            format!("create database {name}"),
            format!("create database ok template {name}"),
            format!("drop database {name}"),
            format!("alter database {name} rename to ok"),
            format!("alter database main rename to {name}"),
            format!("branch {name} to ok"),
        ] {
            let e = c.simple_query(&sql).await.unwrap_err();
            assert_eq!(sqlstate(&e), "42602", "{sql}");
        }
    }
    assert!(s.dir().join("outside.db").exists());
    assert!(!s.data_dir().join("ok.db").exists());
}

#[test]
fn psql_lists_every_database() {
    let s = Server::start(&[]);
    let (ok, _, err) = psql(
        &s,
        "one",
        &["-c", "create database two", "-c", "create database three"],
    );
    assert!(ok, "{err}");
    let (ok, out, err) = psql(&s, "one", &["-A", "-t", "-c", "\\l"]);
    assert!(ok, "{err}");
    let names: Vec<&str> = out.lines().filter_map(|l| l.split('|').next()).collect();
    assert_eq!(names, ["one", "three", "two"], "{out}");
    // `\l+` sizes each database the user may connect to.
    let (ok, out, err) = psql(&s, "one", &["-A", "-t", "-c", "\\l+"]);
    assert!(ok, "{err}");
    let sizes: Vec<&str> = out.lines().filter_map(|l| l.split('|').nth(8)).collect();
    assert_eq!(sizes.len(), 3, "{out}");
    assert!(
        sizes
            .iter()
            .all(|s| s.ends_with("bytes") || s.ends_with("kB")),
        "{out}"
    );
}

#[tokio::test]
async fn a_branch_is_a_consistent_snapshot_of_a_database_being_written() {
    let s = Server::start(&[]);
    let c = s.connect("src").await;
    c.batch_execute(
        "create table a (id int primary key, v text); \
         create table b (id int primary key, a_id int references a (id)); \
         create table total (n int); insert into total values (0)",
    )
    .await
    .unwrap();
    // Each transaction adds one row to a and b and counts it in total: in a consistent
    // snapshot the three always agree.
    let committed = Arc::new(AtomicI64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (committed, stop) = (committed.clone(), stop.clone());
        let w = s.connect("src").await;
        tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                i += 1;
                w.batch_execute(&format!(
                    "begin; insert into a values ({i}, repeat('x', 500)); \
                     insert into b values ({i}, {i}); update total set n = n + 1; commit"
                ))
                .await
                .unwrap();
                committed.store(i, Ordering::SeqCst);
            }
            i
        })
    };
    let reader = s.connect("src").await;
    for round in 0..5 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let before = committed.load(Ordering::SeqCst);
        let name = format!("branch{round}");
        let sql = if round % 2 == 0 {
            format!("create database {name} template src")
        } else {
            format!("branch src to {name}")
        };
        c.batch_execute(&sql).await.unwrap();
        let after = committed.load(Ordering::SeqCst);
        // The source kept serving reads during the branch.
        rows(&reader, "select count(*) from a").await;
        let b = s.connect(&name).await;
        answers(&b, &[("pragma integrity_check", "ok")]).await;
        let got = rows(
            &b,
            "select (select count(*) from a), (select count(*) from b), (select n from total), \
             (select count(*) from b join a on a.id = b.a_id)",
        )
        .await;
        let n: Vec<i64> = got[0]
            .iter()
            .map(|v| v.as_ref().unwrap().parse().unwrap())
            .collect();
        assert!(
            n.iter().all(|x| *x == n[0]),
            "round {round}: torn snapshot {n:?}"
        );
        // Every transaction committed before the branch began is in it; none after it ended.
        assert!(
            n[0] >= before && n[0] <= after + 1,
            "round {round}: {before} <= {} <= {after}",
            n[0]
        );
    }
    stop.store(true, Ordering::SeqCst);
    let total = writer.await.unwrap();
    assert!(
        total > 5,
        "the writer kept writing during the branches: {total}"
    );
}

/// Waits until the admin console shows a client as `active` (running a statement).
fn wait_until_running(s: &Server) {
    let field = [&6i32.to_be_bytes()[..], b"active"].concat();
    let (mut admin, _) = Raw::session(s.port(), "litewire");
    for _ in 0..1000 {
        admin.send(&wire::query("SHOW CLIENTS"));
        let msgs = admin.until_ready();
        let running = msgs
            .iter()
            .filter(|m| m.tag == b'D')
            .any(|m| m.body.windows(field.len()).any(|w| w == field));
        if running {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("no client ever showed as active");
}

#[test]
fn drop_with_other_sessions_is_refused_unless_forced() {
    let s = Server::start(&[]);
    let (mut admin, _) = Raw::session(s.port(), "main");
    // One session idle long enough to be parked, one inside a transaction block, one
    // running a long statement.
    let (mut parked, _) = Raw::session(s.port(), "victim");
    parked.send(&wire::query("create table c (a int)"));
    parked.until_ready();
    // And one in the middle of a COPY FROM STDIN.
    let (mut copying, _) = Raw::session(s.port(), "victim");
    copying.send(&wire::query("copy c from stdin"));
    assert_eq!(copying.recv().map(|m| m.tag), Some(b'G'));
    copying.send(&wire::message(b'd', b"1\n"));
    let (mut in_block, _) = Raw::session(s.port(), "victim");
    in_block.send(&wire::query("begin; select count(*) from c"));
    in_block.until_ready();
    let (mut busy, _) = Raw::session(s.port(), "victim");
    busy.send(&wire::query(
        "with recursive c(x) as (select 1 union all select x + 1 from c where x < 50000000) \
         select count(*) from c",
    ));
    wait_until_running(&s);
    std::thread::sleep(Duration::from_millis(1500));
    for sql in [
        "drop database victim",
        "alter database victim rename to other",
    ] {
        admin.send(&wire::query(sql));
        let msgs = admin.until_ready();
        let e = msgs.iter().find(|m| m.tag == b'E').expect("an error");
        assert_eq!(e.sqlstate().as_deref(), Some("55006"), "{sql}");
        assert_eq!(
            e.field(b'M').as_deref(),
            Some("database \"victim\" is being accessed by other users")
        );
        assert_eq!(
            e.field(b'D').as_deref(),
            Some("There are 4 other sessions using the database.")
        );
    }
    assert!(s.data_dir().join("victim.db").exists());
    let forcing = std::time::Instant::now();
    admin.send(&wire::query("drop database victim with (force)"));
    let msgs = admin.until_ready();
    eprintln!("FORCE took {:?}", forcing.elapsed());
    assert_eq!(
        wire::tags(&msgs),
        "CZ",
        "{:?}",
        msgs.iter().map(|m| m.tag_text()).collect::<Vec<_>>()
    );
    assert_eq!(msgs[0].tag_text(), "DROP DATABASE");
    // Each of them was told, as pg_terminate_backend tells a backend.
    for (what, raw) in [
        ("copying", &mut copying),
        ("parked", &mut parked),
        ("in a block", &mut in_block),
        ("running", &mut busy),
    ] {
        let msgs = raw.until_closed();
        assert_eq!(
            msgs.iter().filter(|m| m.tag == b'E').count(),
            1,
            "{what}: one FATAL"
        );
        let fatal = msgs
            .iter()
            .find(|m| m.tag == b'E')
            .unwrap_or_else(|| panic!("{what}: no error"));
        assert_eq!(fatal.sqlstate().as_deref(), Some("57P01"), "{what}");
        assert_eq!(fatal.field(b'S').as_deref(), Some("FATAL"), "{what}");
        assert_eq!(
            fatal.field(b'M').as_deref(),
            Some("terminating connection due to administrator command")
        );
    }
    for f in ["victim.db", "victim.db-wal", "victim.db-shm"] {
        assert!(!s.data_dir().join(f).exists(), "{f}");
    }
    // The one left is the dropping session's, still usable.
    admin.send(&wire::query("select 1"));
    assert_eq!(wire::tags(&admin.until_ready()), "TDCZ");
}

#[tokio::test]
async fn only_createdb_users_may_create_drop_or_rename() {
    let s = Server::start(&["--createdb-users", "alice"]);
    let url =
        |user: &str, db: &str| format!("host=127.0.0.1 port={} user={user} dbname={db}", s.port());
    let connect = |u: String| async move {
        let (c, conn) = tokio_postgres::connect(&u, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        c
    };
    let alice = connect(url("alice", "a")).await;
    alice.batch_execute("create database shared").await.unwrap();
    let bob = connect(url("bob", "a")).await;
    refusals(
        &bob,
        &[
            (
                "create database mine",
                "42501",
                "permission denied to create database",
            ),
            (
                "drop database shared",
                "42501",
                "must be owner of database shared",
            ),
            (
                "alter database shared rename to x",
                "42501",
                "must be owner of database shared",
            ),
            // Existence is checked first, as in PostgreSQL.
            (
                "drop database nosuch",
                "3D000",
                "database \"nosuch\" does not exist",
            ),
        ],
    )
    .await;
    alice
        .batch_execute("alter database shared rename to s2")
        .await
        .unwrap();
    alice.batch_execute("drop database s2").await.unwrap();
}

#[tokio::test]
async fn connecting_to_a_database_being_branched_waits_for_the_branch() {
    let s = Server::start(&[]);
    let c = s.connect("src").await;
    c.batch_execute(
        "create table t (id int, v text); \
         insert into t select i, repeat('x', 1000) from generate_series(1, 100000) i",
    )
    .await
    .unwrap();
    let creator = s.connect("other").await;
    let branching = tokio::spawn(async move {
        creator
            .batch_execute("create database copy template src")
            .await
    });
    // Once the copy is being written, a client connects to its name: without waiting it
    // would auto-create an empty database there.
    let data = s.data_dir();
    let started = std::time::Instant::now();
    while !std::fs::read_dir(&data)
        .unwrap()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with(".copy."))
    {
        assert!(
            !branching.is_finished(),
            "the branch ended before it was seen"
        );
        assert!(started.elapsed() < Duration::from_secs(30));
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    // The source keeps taking new connections meanwhile.
    let source = s.connect("src").await;
    answers(&source, &[("select count(*) from t", "100000")]).await;
    assert!(
        !branching.is_finished(),
        "a connection to the source waited for the branch"
    );
    let early = s.connect("copy").await;
    answers(&early, &[("select count(*) from t", "100000")]).await;
    branching.await.unwrap().unwrap();
}
