//! Safety rails: a client reaches only its own database file (no ATTACH, VACUUM INTO,
//! extensions, journal changes, or names that leave the data folder), database files
//! stay plain SQLite files, and one session cannot disturb another.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::{rows, sqlstate, Server};

/// Every path under `dir`, relative to it.
fn tree(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            out.insert(p.strip_prefix(root).unwrap().display().to_string());
            if p.is_dir() && !p.is_symlink() {
                walk(root, &p, out);
            }
        }
    }
    walk(dir, dir, &mut out);
    out
}

/// The names in a folder.
fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Expects `sql` to fail and returns its SQLSTATE.
async fn fails(c: &tokio_postgres::Client, sql: &str) -> String {
    match c.simple_query(sql).await {
        Ok(_) => panic!("{sql}: succeeded but must be refused"),
        Err(e) => {
            assert!(
                e.as_db_error().is_some(),
                "{sql}: not an ErrorResponse: {e}"
            );
            sqlstate(&e)
        }
    }
}

#[tokio::test]
async fn attach_is_refused() {
    let s = Server::start(&[]);
    let c = s.connect("attach").await;
    c.simple_query("create table t (a int); insert into t values (1)")
        .await
        .unwrap();
    let before = tree(s.dir());
    let outside = s.dir().join("x.db");
    let beside = s.data_dir().join("other.db");
    for sql in [
        format!("attach database '{}' as x", outside.display()),
        format!("ATTACH '{}' AS x", beside.display()),
        format!("attach 'file:{}?mode=rwc' as x", outside.display()),
        "attach ':memory:' as m".to_string(),
        "attach '' as m".to_string(),
        // Inside a transaction block and in a multi-statement message as well.
        format!(
            "select 1; attach database '{}' as x; select 2",
            outside.display()
        ),
    ] {
        let code = fails(&c, &sql).await;
        assert_eq!(code, "42501", "{sql}");
    }
    c.simple_query("begin").await.unwrap();
    let code = fails(&c, &format!("attach '{}' as x", outside.display())).await;
    assert_eq!(code, "42501");
    c.simple_query("rollback").await.unwrap();
    assert!(!outside.exists());
    assert!(!beside.exists());
    assert_eq!(tree(s.dir()), before, "ATTACH created files");
    // Nothing got attached: no schema `x` or `m` is known.
    for sql in [
        "select * from x.sqlite_schema",
        "select * from m.sqlite_schema",
    ] {
        fails(&c, sql).await;
    }
    assert_eq!(
        rows(&c, "select a from t").await,
        vec![vec![Some("1".into())]]
    );
}

#[tokio::test]
async fn vacuum_into_is_refused() {
    let s = Server::start(&[]);
    let c = s.connect("vac").await;
    c.simple_query("create table t (a int); insert into t values (1)")
        .await
        .unwrap();
    let before = tree(s.dir());
    let target = s.dir().join("copy.db");
    let inside = s.data_dir().join("copy.db");
    for sql in [
        format!("vacuum into '{}'", target.display()),
        format!("VACUUM main INTO '{}'", target.display()),
        format!("/* hi */ vacuum\ninto '{}'", inside.display()),
        format!("vacuum into 'file:{}?mode=rwc'", target.display()),
    ] {
        assert_eq!(fails(&c, &sql).await, "42501", "{sql}");
    }
    assert!(!target.exists());
    assert!(!inside.exists());
    assert_eq!(tree(s.dir()), before, "VACUUM INTO created files");
    assert_eq!(
        rows(&c, "select a from t").await,
        vec![vec![Some("1".into())]]
    );
}

/// Plain VACUUM rewrites the client's own file only; litewire refuses just VACUUM INTO.
#[tokio::test]
async fn plain_vacuum_works() {
    let s = Server::start(&[]);
    let c = s.connect("vacuum").await;
    c.simple_query(
        "create table t (a int); insert into t values (1), (2); delete from t where a = 1",
    )
    .await
    .unwrap();
    for sql in ["vacuum", "VACUUM main"] {
        if let Err(e) = c.simple_query(sql).await {
            panic!("{sql}: {} {e}", sqlstate(&e));
        }
    }
    assert_eq!(
        rows(&c, "select a from t").await,
        vec![vec![Some("2".into())]]
    );
}

#[tokio::test]
async fn load_extension_is_refused() {
    let s = Server::start(&[]);
    let c = s.connect("ext").await;
    for sql in [
        "select load_extension('x')",
        "select load_extension('/usr/lib/x86_64-linux-gnu/libsqlite3.so.0', 'sqlite3_x')",
        "select LOAD_EXTENSION('x')",
    ] {
        let code = fails(&c, sql).await;
        assert_eq!(code, "42501", "{sql}");
    }
    assert_eq!(rows(&c, "select 1").await, vec![vec![Some("1".into())]]);
}

#[tokio::test]
async fn journal_mode_can_be_read_but_not_changed() {
    let s = Server::start(&[]);
    let c = s.connect("journal").await;
    c.simple_query("create table t (a int)").await.unwrap();
    for sql in [
        "pragma journal_mode = delete",
        "PRAGMA journal_mode = DELETE",
        "pragma main.journal_mode = off",
        "pragma journal_mode('memory')",
        "pragma locking_mode = exclusive",
        "pragma writable_schema = on",
    ] {
        assert_eq!(fails(&c, sql).await, "42501", "{sql}");
    }
    assert_eq!(
        rows(&c, "pragma journal_mode").await,
        vec![vec![Some("wal".into())]]
    );
    assert_eq!(
        rows(&c, "select * from pragma_journal_mode").await,
        vec![vec![Some("wal".into())]]
    );
    // Still WAL on disk too (the -wal file is there and SQLite says so).
    drop(c);
    let conn = rusqlite::Connection::open(s.data_dir().join("journal.db")).unwrap();
    let mode: String = conn
        .query_row("pragma journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn invalid_database_names_are_refused() {
    let s = Server::start(&[]);
    // Make sure the data folder exists with one database in it, to compare against.
    drop(s.connect("base").await);
    let parent = s.dir().parent().unwrap().to_path_buf();
    let parent_before = names(&parent);
    let dir_before = tree(s.dir());
    let long = "a".repeat(64);
    for name in [
        "../escape",
        "a/b",
        "a.db",
        "-x",
        long.as_str(),
        "..",
        "a b",
        "caf\u{e9}",
        "../../tmp/escape2",
        "x\\y",
    ] {
        let url = format!(
            "host=127.0.0.1 port={} user=tester dbname='{}' connect_timeout=10",
            s.port(),
            name.replace('\\', "\\\\").replace('\'', "\\'")
        );
        let e = match tokio_postgres::connect(&url, tokio_postgres::NoTls).await {
            Ok(_) => panic!("database name {name:?} was accepted"),
            Err(e) => e,
        };
        let db = e
            .as_db_error()
            .unwrap_or_else(|| panic!("{name:?}: no error response: {e}"));
        assert_eq!(db.code().code(), "42602", "{name:?}: {e}");
        assert_eq!(db.severity(), "FATAL", "{name:?}");
    }
    assert_eq!(
        tree(s.dir()),
        dir_before,
        "files appeared in the test folder"
    );
    assert!(!s.dir().join("escape.db").exists());
    assert!(!parent.join("escape.db").exists());
    assert!(!parent.join("tmp").join("escape2.db").exists());
    // The parent folder is shared with other tests running in parallel, so only look
    // for what these names could have created.
    let parent_after = names(&parent);
    for new in parent_after.difference(&parent_before) {
        assert!(
            !new.contains("escape") && !new.ends_with(".db"),
            "{new} appeared next to the test folder"
        );
    }
    // 63 characters is the longest name, and it works.
    let ok = "b".repeat(63);
    let c = s.connect(&ok).await;
    c.simple_query("create table t (a int)").await.unwrap();
    assert!(s.data_dir().join(format!("{ok}.db")).exists());
    // So do '-' and '_' after the first character, and digits.
    for name in ["a-b", "_x", "9lives", "A_b-9"] {
        let c = s.connect(name).await;
        assert_eq!(rows(&c, "select 1").await, vec![vec![Some("1".into())]]);
        assert!(s.data_dir().join(format!("{name}.db")).exists(), "{name}");
    }
}

#[tokio::test]
async fn a_symlinked_database_file_is_not_followed() {
    let s = Server::start(&[]);
    drop(s.connect("real").await);
    let outside = s.dir().join("outside.db");
    {
        let conn = rusqlite::Connection::open(&outside).unwrap();
        conn.execute_batch("create table secret (v text); insert into secret values ('s')")
            .unwrap();
    }
    std::os::unix::fs::symlink(&outside, s.data_dir().join("link.db")).unwrap();
    match s.try_connect("link").await {
        Ok(c) => {
            // If the connect went through, the file outside must still not be reachable.
            let r = c.simple_query("select v from secret").await;
            assert!(
                r.is_err(),
                "read a file outside the data folder via a symlink"
            );
        }
        Err(e) => assert!(e.as_db_error().is_some(), "{e}"),
    }
    let conn = rusqlite::Connection::open(&outside).unwrap();
    let n: i64 = conn
        .query_row("select count(*) from secret", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn without_auto_create_unknown_databases_do_not_exist() {
    let s = Server::start(&["--auto-create", "false"]);
    let before = tree(s.dir());
    let e = match s.try_connect("missing").await {
        Ok(_) => panic!("connected to a database that does not exist"),
        Err(e) => e,
    };
    assert_eq!(sqlstate(&e), "3D000", "{e}");
    assert_eq!(e.as_db_error().unwrap().severity(), "FATAL");
    assert!(!s.data_dir().join("missing.db").exists());
    assert_eq!(tree(s.dir()), before, "a refused connect created files");
    // A second try is refused the same way (nothing was cached).
    let Err(e) = s.try_connect("missing").await else {
        panic!("the unknown database was accepted");
    };
    assert_eq!(sqlstate(&e), "3D000");
    assert!(!s.data_dir().join("missing.db").exists());

    // Once the file exists, connecting works.
    {
        let conn = rusqlite::Connection::open(s.data_dir().join("made.db")).unwrap();
        conn.execute_batch("create table t (a int); insert into t values (7)")
            .unwrap();
    }
    let c = s.connect("made").await;
    assert_eq!(
        rows(&c, "select a from t").await,
        vec![vec![Some("7".into())]]
    );
    c.simple_query("insert into t values (8)").await.unwrap();
    assert_eq!(
        rows(&c, "select count(*) from t").await,
        vec![vec![Some("2".into())]]
    );
    // An empty file is an (empty) SQLite database too.
    std::fs::write(s.data_dir().join("empty.db"), b"").unwrap();
    let c = s.connect("empty").await;
    c.simple_query("create table u (a int)").await.unwrap();
}

#[tokio::test]
async fn database_file_is_plain_sqlite_in_wal_mode() {
    let s = Server::start(&[]);
    let c = s.connect("plain").await;
    c.simple_query(
        "create table items (id integer primary key, name text); \
         create index items_name on items (name); \
         create view v as select name from items; \
         insert into items values (1, 'one'), (2, 'two')",
    )
    .await
    .unwrap();
    // Session commands exercise anything litewire might keep in the file.
    c.simple_query("set application_name = 'x'; begin; savepoint s; release s; commit")
        .await
        .unwrap();
    let path = s.data_dir().join("plain.db");
    // Another SQLite client opens it while litewire has it open.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let names: Vec<(String, String)> = conn
        .prepare("select type, name from sqlite_master order by name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        names,
        vec![
            ("table".to_string(), "items".to_string()),
            ("index".to_string(), "items_name".to_string()),
            ("view".to_string(), "v".to_string()),
        ],
        "litewire must not write objects of its own"
    );
    let data: Vec<(i64, String)> = conn
        .prepare("select id, name from items order by id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(data, vec![(1, "one".to_string()), (2, "two".to_string())]);
    let mode: String = conn
        .query_row("pragma journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    // Header bytes 18 and 19 are 2 for WAL.
    let header = std::fs::read(&path).unwrap();
    assert_eq!(&header[..16], b"SQLite format 3\0");
    assert_eq!((header[18], header[19]), (2, 2));
    // A write from the other client is visible to litewire, and vice versa.
    conn.execute("insert into items values (3, 'three')", [])
        .unwrap();
    assert_eq!(
        rows(&c, "select count(*) from items").await,
        vec![vec![Some("3".into())]]
    );
    c.simple_query("insert into items values (4, 'four')")
        .await
        .unwrap();
    let n: i64 = conn
        .query_row("select count(*) from items", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 4);
    let check: String = conn
        .query_row("pragma integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

#[tokio::test]
async fn one_sessions_errors_do_not_affect_another() {
    let s = Server::start(&[]);
    let a = s.connect("shared").await;
    let b = s.connect("shared").await;
    a.simple_query("create table t (id integer primary key)")
        .await
        .unwrap();
    b.simple_query("insert into t values (1)").await.unwrap();
    for sql in [
        "selec 1",
        "select * from nope",
        "insert into t values (1)",
        "select load_extension('x')",
        "pragma journal_mode = delete",
        "attach 'x.db' as x",
        "select 'unterminated",
        "select \"unterminated",
        "create table t (a int)",
        "select nofunc()",
        "insert into t values (2); insert into t values (2)",
        "savepoint a",
        "set nosuchparameter = 1",
        "show nosuchparameter",
    ] {
        fails(&a, sql).await;
    }
    // Input PostgreSQL refuses but SQLite takes as an empty statement: whatever
    // happens, it must not hurt.
    let _ = a.simple_query("/* unterminated comment").await;
    // A also leaves a failed (read-only) block open. (A block that has written holds
    // the database's write lock until it ends, by design.)
    a.simple_query("begin; select count(*) from t")
        .await
        .unwrap();
    fails(&a, "select * from nope").await;
    fails(&a, "select 1").await;

    // B is unaffected: it reads, writes, and has its own transaction state.
    assert_eq!(
        rows(&b, "select count(*) from t").await,
        vec![vec![Some("1".into())]]
    );
    b.simple_query("begin; insert into t values (10); commit")
        .await
        .unwrap();
    assert_eq!(
        rows(&b, "select id from t order by id").await,
        vec![vec![Some("1".into())], vec![Some("10".into())]]
    );
    assert_eq!(
        rows(&b, "pragma journal_mode").await,
        vec![vec![Some("wal".into())]]
    );
    // A recovers too.
    a.simple_query("rollback").await.unwrap();
    assert_eq!(
        rows(&a, "select id from t order by id").await,
        vec![vec![Some("1".into())], vec![Some("10".into())]]
    );
}

/// SQLite connections are pooled and handed from session to session. Whatever one
/// session leaves on a connection (TEMP objects, per-connection PRAGMAs) must not reach
/// another session: in PostgreSQL, temporary objects and such settings belong to the
/// session. With two connections per database, B would get the connection A used if A
/// let go of it (the idle list is last-in, first-out); A stays connected (idle), as a
/// concurrent client would. litewire instead keeps such a connection with its session.
async fn shared_connection(
    db: &str,
    setup: &[&str],
) -> (Server, tokio_postgres::Client, tokio_postgres::Client) {
    let s = Server::start(&["--connections-per-db", "2"]);
    let a = s.connect(db).await;
    a.simple_query(
        "create table p (id integer primary key); \
         create table t (id integer primary key, c int check (c > 0), p int references p(id)); \
         insert into p values (1)",
    )
    .await
    .unwrap();
    for sql in setup {
        a.simple_query(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let b = s.connect(db).await;
    (s, a, b)
}

#[tokio::test]
async fn temp_objects_do_not_leak_to_another_session() {
    let (_s, _a, b) = shared_connection(
        "leaktemp",
        &[
            // A TEMP table named like a main table shadows it in its session only.
            "create temp table secret (v text); insert into secret values ('only for A'); \
           create temp table t (only_a int)",
        ],
    )
    .await;
    match b.simple_query("select v from secret").await {
        Err(e) => assert_eq!(sqlstate(&e), "42P01", "{e}"),
        Ok(_) => panic!("session B reads session A's TEMP table"),
    }
    if let Err(e) = b.simple_query("insert into t values (1, 1, 1)").await {
        panic!("session A's TEMP table t shadowed main.t in session B: {e}");
    }
}

#[tokio::test]
async fn query_only_does_not_leak_to_another_session() {
    let (_s, _a, b) = shared_connection("leakqo", &["pragma query_only = on"]).await;
    if let Err(e) = b.simple_query("insert into t values (1, 1, 1)").await {
        panic!(
            "session A's query_only reached session B: {} {e}",
            sqlstate(&e)
        );
    }
}

/// Constraint checks belong to the database, not to a session: a session that could
/// turn them off would store rows that break what every other session relies on.
#[tokio::test]
async fn constraint_checks_cannot_be_turned_off() {
    let s = Server::start(&[]);
    let c = s.connect("constraints").await;
    for sql in [
        "pragma foreign_keys = off",
        "pragma ignore_check_constraints = on",
    ] {
        assert_eq!(fails(&c, sql).await, "42501", "{sql}");
    }
    assert_eq!(
        rows(&c, "pragma foreign_keys").await,
        vec![vec![Some("1".into())]]
    );
}

/// Durability settings are litewire's, not a session's: refused (see limits.rs for
/// the whole PRAGMA allow-list).
#[tokio::test]
async fn durability_settings_cannot_be_changed() {
    let s = Server::start(&[]);
    let c = s.connect("durable").await;
    for sql in ["pragma synchronous = off", "pragma busy_timeout = 0"] {
        assert_eq!(fails(&c, sql).await, "42501", "{sql}");
    }
    // litewire opens connections with synchronous = NORMAL (1; commits are made durable
    // by the group commit's fsync, engine/group_commit.rs) and busy_timeout =
    // --lock-timeout (5000 ms by default).
    assert_eq!(
        rows(&c, "pragma synchronous").await,
        vec![vec![Some("1".into())]]
    );
    assert_eq!(
        rows(&c, "pragma busy_timeout").await,
        vec![vec![Some("5000".into())]]
    );
}
