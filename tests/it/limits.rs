//! Limits a hostile or careless client meets (issue 8): the PRAGMA allow-list, the
//! admin console's connection limit and idle timeout, bounded shutdown, the database
//! cap, and 53300 for every client over the connection limit.

use crate::common::{rows, sqlstate, Server};

/// Expects `sql` to fail with an ErrorResponse; returns its SQLSTATE and message.
async fn refused(c: &tokio_postgres::Client, sql: &str) -> (String, String) {
    match c.simple_query(sql).await {
        Ok(_) => panic!("{sql}: succeeded but must be refused"),
        Err(e) => {
            let db = e
                .as_db_error()
                .unwrap_or_else(|| panic!("{sql}: not an ErrorResponse: {e}"));
            (sqlstate(&e), db.message().to_string())
        }
    }
}

#[tokio::test]
async fn only_allowed_pragmas_run() {
    let s = Server::start(&[]);
    let c = s.connect("pragmas").await;
    c.batch_execute(
        "create table p (id integer primary key); \
         create table t (id integer primary key, p int references p(id)); \
         create index t_p on t(p)",
    )
    .await
    .unwrap();
    // Reads of the schema and the file, in both spellings.
    for sql in [
        "pragma table_info(t)",
        "select * from pragma_table_info('t')",
        "pragma table_xinfo(t)",
        "pragma index_list(t)",
        "pragma index_info(t_p)",
        "pragma foreign_key_list(t)",
        "pragma foreign_key_check",
        "pragma integrity_check",
        "pragma quick_check",
        "pragma table_list",
        "pragma collation_list",
        "pragma page_count",
        "pragma page_size",
        "pragma freelist_count",
        "pragma data_version",
        "pragma schema_version",
        "pragma encoding",
        "pragma journal_mode",
        "select * from pragma_journal_mode",
        "pragma optimize",
    ] {
        if let Err(e) = c.simple_query(sql).await {
            panic!("{sql}: {} {e}", sqlstate(&e));
        }
    }
    assert_eq!(
        rows(&c, "select name from pragma_table_info('t') order by cid").await,
        vec![vec![Some("id".into())], vec![Some("p".into())]]
    );
    // The file header's user_version is written like a row.
    c.simple_query("pragma user_version = 7").await.unwrap();
    assert_eq!(
        rows(&c, "pragma user_version").await,
        vec![vec![Some("7".into())]]
    );
    // Settings of the session's own connection.
    for sql in [
        "pragma recursive_triggers = on",
        "pragma defer_foreign_keys = on",
        "pragma query_only = off",
        "pragma cache_size = -256",
        "pragma cache_size = 64",
    ] {
        if let Err(e) = c.simple_query(sql).await {
            panic!("{sql}: {} {e}", sqlstate(&e));
        }
    }
    assert_eq!(
        rows(&c, "pragma cache_size").await,
        vec![vec![Some("64".into())]]
    );

    // Process-wide, file-changing, safety-weakening or path-revealing: refused, named.
    for (sql, name) in [
        ("pragma hard_heap_limit = 100000", "hard_heap_limit"),
        ("PRAGMA soft_heap_limit = 1", "soft_heap_limit"),
        ("pragma hard_heap_limit", "hard_heap_limit"),
        ("select * from pragma_hard_heap_limit", "hard_heap_limit"),
        ("pragma trusted_schema = 1", "trusted_schema"),
        ("pragma database_list", "database_list"),
        ("select file from pragma_database_list", "database_list"),
        ("pragma mmap_size = 1000000000", "mmap_size"),
        ("pragma journal_mode = delete", "journal_mode"),
        ("pragma wal_checkpoint(truncate)", "wal_checkpoint"),
        ("pragma wal_autocheckpoint = 0", "wal_autocheckpoint"),
        ("pragma synchronous = off", "synchronous"),
        ("pragma foreign_keys = off", "foreign_keys"),
        (
            "pragma ignore_check_constraints = on",
            "ignore_check_constraints",
        ),
        ("pragma busy_timeout = 0", "busy_timeout"),
        ("pragma temp_store = memory", "temp_store"),
        ("pragma page_size = 512", "page_size"),
        ("pragma schema_version = 1", "schema_version"),
        ("pragma writable_schema = on", "writable_schema"),
        ("pragma threads = 8", "threads"),
        ("pragma cache_size = -1000000", "cache_size"),
        ("pragma cache_size = 1000000", "cache_size"),
        ("pragma main.locking_mode = exclusive", "locking_mode"),
    ] {
        let (code, message) = refused(&c, sql).await;
        assert_eq!(code, "42501", "{sql}: {message}");
        assert!(message.contains(name), "{sql}: {message}");
    }
    // Through the extended protocol (Parse) as well.
    let e = c
        .query("pragma hard_heap_limit = 100000", &[])
        .await
        .expect_err("extended protocol: hard_heap_limit must be refused");
    assert_eq!(sqlstate(&e), "42501", "{e}");
    // The refused settings changed nothing: another tenant allocates freely.
    let other = s.connect("pragmas_other").await;
    assert_eq!(
        rows(&other, "select length(zeroblob(4000000))").await,
        vec![vec![Some("4000000".into())]]
    );
    assert_eq!(
        rows(&c, "pragma journal_mode").await,
        vec![vec![Some("wal".into())]]
    );
}

#[tokio::test]
async fn database_files_are_capped() {
    let s = Server::start(&["--max-databases", "3"]);
    for db in ["capa", "capb", "capc"] {
        s.connect(db).await;
    }
    let e = s
        .try_connect("capd")
        .await
        .expect_err("a fourth database is over --max-databases 3");
    assert_eq!(sqlstate(&e), "53400", "{e}");
    assert!(!s.data_dir().join("capd.db").exists());
    // Existing databases still open.
    let a = s.connect("capa").await;
    assert_eq!(rows(&a, "select 1").await, vec![vec![Some("1".into())]]);
}

/// A create that fails removes what it left, and nothing that was there before.
#[tokio::test]
async fn failed_create_leaves_no_file() {
    let s = Server::start(&[]);
    // A directory where SQLite's WAL file must go: the new database cannot be used.
    let wal = s.data_dir().join("broken.db-wal");
    std::fs::create_dir_all(&wal).unwrap();
    std::fs::write(wal.join("keep"), b"mine").unwrap();
    let e = s
        .try_connect("broken")
        .await
        .expect_err("the database cannot be created");
    assert!(e.as_db_error().is_some(), "not an ErrorResponse: {e}");
    assert!(!s.data_dir().join("broken.db").exists(), "empty file left");
    assert!(!s.data_dir().join("broken.db-shm").exists());
    assert_eq!(std::fs::read(wal.join("keep")).unwrap(), b"mine");
    // The name works once the obstacle is gone.
    std::fs::remove_dir_all(&wal).unwrap();
    s.connect("broken").await;
}

/// Every client over `--max-connections` hears FATAL 53300, however many arrive at once.
#[tokio::test]
async fn every_client_over_the_limit_gets_53300() {
    const OVER: usize = 300;
    let s = Server::start(&["--max-connections", "4"]);
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(s.connect("full").await);
    }
    let url = s.url("full");
    let attempts: Vec<_> = (0..OVER)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move {
                match tokio_postgres::connect(&url, tokio_postgres::NoTls).await {
                    Ok(_) => "connected".to_string(),
                    Err(e) => match e.as_db_error() {
                        Some(db) => format!("{} {}", db.code().code(), db.message()),
                        None => format!("no ErrorResponse: {e}"),
                    },
                }
            })
        })
        .collect();
    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    for a in attempts {
        *outcomes.entry(a.await.unwrap()).or_default() += 1;
    }
    assert_eq!(
        outcomes.get("53300 sorry, too many clients already"),
        Some(&OVER),
        "{outcomes:?}"
    );
    // libpq shows the message too.
    let (ok, _, err) = crate::common::psql(&s, "full", &["-c", "select 1"]);
    assert!(
        !ok && err.contains("sorry, too many clients already"),
        "{err}"
    );
    // A freed place is usable again.
    drop(held.pop());
    let mut tries = 0;
    let c = loop {
        match s.try_connect("full").await {
            Ok(c) => break c,
            Err(e) if tries < 100 && sqlstate(&e) == "53300" => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(rows(&c, "select 1").await, vec![vec![Some("1".into())]]);
}

/// Admin console sessions count against `--max-connections` and are closed after
/// `--admin-idle-timeout` without a message.
#[tokio::test]
async fn admin_sessions_are_limited_and_time_out() {
    use crate::wire::Raw;
    let s = Server::start(&["--max-connections", "3", "--admin-idle-timeout", "1s"]);
    let mut consoles: Vec<Raw> = (0..3)
        .map(|_| {
            let (r, msgs) = Raw::session(s.port(), "litewire");
            assert_eq!(msgs.last().map(|m| m.tag), Some(b'Z'), "{msgs:?}");
            r
        })
        .collect();
    // Full: neither another console nor a regular session gets in.
    for db in ["litewire", "app"] {
        let e = s.try_connect(db).await.expect_err("over the limit");
        assert_eq!(sqlstate(&e), "53300", "{db}: {e}");
    }
    // Idle consoles are told and closed.
    for r in &mut consoles {
        let msgs = r.until_closed();
        let codes: Vec<_> = msgs.iter().filter_map(|m| m.sqlstate()).collect();
        assert_eq!(codes, ["57P05"], "{msgs:?}");
    }
    // Their places are free again.
    let mut tries = 0;
    let app = loop {
        match s.try_connect("app").await {
            Ok(c) => break c,
            Err(e) if tries < 100 && sqlstate(&e) == "53300" => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(rows(&app, "select 1").await, vec![vec![Some("1".into())]]);
}

/// A query that runs for hours unless interrupted.
const ENDLESS: &str = "with recursive c(x) as (select 1 union all select x + 1 from c \
                       where x < 10000000000) select count(*) from c";

/// Starts `ENDLESS` on database `db` and returns once the server reports it running.
async fn start_endless(
    s: &Server,
    db: &str,
) -> tokio::task::JoinHandle<Result<Vec<tokio_postgres::SimpleQueryMessage>, tokio_postgres::Error>>
{
    let c = s.connect(db).await;
    let query = tokio::spawn(async move { c.simple_query(ENDLESS).await });
    let admin = s.connect("litewire").await;
    for _ in 0..500 {
        let clients = rows(&admin, "SHOW CLIENTS").await;
        if clients.iter().any(|r| r[3].as_deref() == Some("active")) {
            return query;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the query never showed as active");
}

/// The SQLSTATE the endless query ended with.
async fn ended_with(
    query: tokio::task::JoinHandle<
        Result<Vec<tokio_postgres::SimpleQueryMessage>, tokio_postgres::Error>,
    >,
) -> String {
    match query.await.unwrap() {
        Ok(_) => panic!("the endless query finished"),
        Err(e) => sqlstate(&e),
    }
}

/// At `--shutdown-timeout` a running statement is interrupted, its client gets FATAL
/// 57P01, and the process exits (the harness waits at most 30 s for it).
#[tokio::test]
async fn shutdown_interrupts_running_statements_at_the_deadline() {
    use crate::wire::Raw;
    let mut s = Server::start(&["--shutdown-timeout", "1s"]);
    let query = start_endless(&s, "endless").await;
    let (mut console, _) = Raw::session(s.port(), "litewire");
    let status = s.terminate();
    assert!(status.success(), "{status:?}");
    assert_eq!(ended_with(query).await, "57P01");
    let codes: Vec<_> = console
        .until_closed()
        .iter()
        .filter_map(|m| m.sqlstate())
        .collect();
    assert_eq!(codes, ["57P01"], "admin console at shutdown");
}

/// A second SIGTERM does not wait for `--shutdown-timeout`.
#[tokio::test]
async fn second_signal_cuts_the_shutdown_short() {
    let mut s = Server::start(&["--shutdown-timeout", "1h"]);
    let query = start_endless(&s, "endless2").await;
    unsafe {
        libc::kill(s.pid() as i32, libc::SIGTERM);
    }
    // The first signal has been handled once the listener is closed.
    let mut closed = false;
    for _ in 0..500 {
        if std::net::TcpStream::connect(s.addr).is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(closed, "the listener stayed open after SIGTERM");
    let status = s.terminate();
    assert!(status.success(), "{status:?}");
    assert_eq!(ended_with(query).await, "57P01");
}
