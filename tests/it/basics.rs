//! Simple-query behaviour through tokio-postgres and psql.

use crate::common::{psql, rows, sqlstate, Server};
use tokio_postgres::SimpleQueryMessage;

#[tokio::test]
async fn select_one_and_crud() {
    let s = Server::start(&[]);
    let c = s.connect("crud").await;
    assert_eq!(rows(&c, "select 1").await, vec![vec![Some("1".into())]]);
    c.simple_query("create table t (id integer primary key, name text, ok boolean, score double precision, data blob)")
        .await
        .unwrap();
    c.simple_query("insert into t values (1, 'a', 1, 1.5, x'00ff'), (2, null, 0, null, null)")
        .await
        .unwrap();
    assert_eq!(
        rows(&c, "select id, name, ok, score, data from t order by id").await,
        vec![
            vec![
                Some("1".into()),
                Some("a".into()),
                Some("t".into()),
                Some("1.5".into()),
                Some("\\x00ff".into())
            ],
            vec![Some("2".into()), None, Some("f".into()), None, None],
        ]
    );
    // The database is an ordinary file named after the database.
    assert!(s.data_dir().join("crud.db").exists());
}

#[tokio::test]
async fn command_tags() {
    let s = Server::start(&[]);
    let c = s.connect("tags").await;
    let tag = |msgs: Vec<SimpleQueryMessage>| -> Vec<String> {
        msgs.into_iter()
            .filter_map(|m| match m {
                SimpleQueryMessage::CommandComplete(n) => Some(n.to_string()),
                _ => None,
            })
            .collect()
    };
    // tokio-postgres exposes the row count of each tag; psql below checks the text.
    let out = c
        .simple_query("create table t (a int); insert into t values (1),(2),(3); update t set a = a + 1 where a > 1; delete from t where a = 4; select * from t")
        .await
        .unwrap();
    assert_eq!(tag(out), vec!["0", "3", "2", "1", "2"]);
    let (ok, stdout, stderr) = psql(
        &s,
        "tags",
        &[
            "-c",
            "create table u (a int)",
            "-c",
            "insert into u values (1), (2)",
            "-c",
            "update u set a = 5",
            "-c",
            "delete from u",
            "-c",
            "begin",
            "-c",
            "commit",
            "-c",
            "drop table u",
            "-c",
            "create index i on t (a)",
            "-c",
            "create view v as select 1",
        ],
    );
    assert!(ok, "{stderr}");
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        vec![
            "CREATE TABLE",
            "INSERT 0 2",
            "UPDATE 2",
            "DELETE 2",
            "BEGIN",
            "COMMIT",
            "DROP TABLE",
            "CREATE INDEX",
            "CREATE VIEW"
        ]
    );
}

#[tokio::test]
async fn errors_carry_sqlstates() {
    let s = Server::start(&[]);
    let c = s.connect("errs").await;
    c.simple_query(
        "create table p (id integer primary key); \
         create table t (id integer primary key, u text unique, n text not null, \
                         c int check (c > 0), p int references p(id))",
    )
    .await
    .unwrap();
    c.simple_query("insert into p values (1); insert into t values (1, 'x', 'n', 1, 1)")
        .await
        .unwrap();
    let cases = [
        ("insert into t values (1, 'y', 'n', 1, 1)", "23505"),
        ("insert into t values (2, 'x', 'n', 1, 1)", "23505"),
        ("insert into t values (3, 'z', null, 1, 1)", "23502"),
        ("insert into t values (4, 'w', 'n', 0, 1)", "23514"),
        ("insert into t values (5, 'v', 'n', 1, 99)", "23503"),
        ("selec 1", "42601"),
        ("select * from nope", "42P01"),
        ("select nope from t", "42703"),
        // A double-quoted name is never a string (SQLite's fallback when no such
        // column exists): 42703, not the text "nope".
        (r#"select "nope" from t"#, "42703"),
        (r#"select id from t where u = "x""#, "42703"),
        (r#"create index t_nope on t ("nope")"#, "42703"),
        ("create table t (a int)", "42P07"),
        ("select nofunc(1)", "42883"),
    ];
    for (sql, code) in cases {
        let e = c.simple_query(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{sql}: {e}");
    }
    let e = c.simple_query(r#"select "nope" from t"#).await.unwrap_err();
    let message = e.as_db_error().map(|d| d.message().to_string());
    assert_eq!(message.as_deref(), Some(r#"column "nope" does not exist"#));
    // The session is still usable after errors.
    assert_eq!(
        rows(&c, "select count(*) from t").await,
        vec![vec![Some("1".into())]]
    );
}

#[tokio::test]
async fn empty_queries_and_comments() {
    let s = Server::start(&[]);
    let c = s.connect("empty").await;
    for q in ["", "   ", ";", "-- just a comment", "/* c */ ;;"] {
        let out = c.simple_query(q).await.unwrap();
        assert!(
            out.iter().all(|m| !matches!(m, SimpleQueryMessage::Row(_))),
            "{q:?} returned rows"
        );
    }
    // Semicolons inside strings, identifiers and comments do not split statements.
    assert_eq!(
        rows(
            &c,
            "select 'a;b', \"x;y\" from (select 1 as \"x;y\") -- ; select 2\n"
        )
        .await,
        vec![vec![Some("a;b".into()), Some("1".into())]]
    );
}

#[tokio::test]
async fn psql_connects_and_queries() {
    let s = Server::start(&[]);
    let (ok, out, err) = psql(&s, "viapsql", &["-A", "-t", "-c", "select 40 + 2"]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "42");
}

#[test]
fn help_explains_every_setting() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_litewire"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--listen",
        "--data-dir",
        "--auto-create",
        "--max-connections",
        "--max-message-size",
        "--startup-timeout",
        "--workers",
        "--connections-per-db",
        "--lock-timeout",
        "--idle-close",
        "--cache-size-kib",
        "--statement-cache",
        "--statement-timeout",
        "--io-threads",
        "--shutdown-timeout",
        "--buffer-kib",
        "--park-after",
        "--metrics-listen",
    ] {
        assert!(help.contains(flag), "--help does not mention {flag}");
    }
    assert!(help.contains("LITEWIRE_LISTEN") && help.contains("LITEWIRE_DATA_DIR"));
}

/// A flag value that makes no sense stops the start with a message naming the flag, the
/// value and what is allowed (issue 11), instead of a server that serves nobody.
#[test]
fn nonsense_flag_values_refuse_to_start() {
    for args in [
        ["--workers", "0"],
        ["--max-connections", "0"],
        ["--max-message-size", "10"],
        ["--listen", "127.0.0.1:99999"],
        // No password check yet: beyond loopback only with --trust-network-clients.
        ["--listen", "0.0.0.0:5433"],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_litewire"))
            .args(args)
            .args(["--data-dir", "/nonexistent/never-created"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(args[0]) && err.contains(args[1]), "{err}");
    }
}

/// A data folder that cannot be one (here: a file) stops the start, naming the path.
#[test]
fn an_unusable_data_folder_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, b"x").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_litewire"))
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&*file.to_string_lossy()), "{err}");
}

/// A bare `litewire` serves `./data` on 127.0.0.1:5433 (the README's first command).
#[tokio::test]
async fn defaults_serve_data_folder_on_5433() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_litewire"))
        .current_dir(dir.path())
        .env_remove("LITEWIRE_LISTEN")
        .env_remove("LITEWIRE_DATA_DIR")
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut client = None;
    for _ in 0..100 {
        let url = "host=127.0.0.1 port=5433 user=u dbname=defaults";
        if let Ok((c, conn)) = tokio_postgres::connect(url, tokio_postgres::NoTls).await {
            tokio::spawn(conn);
            client = Some(c);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let c = client.expect("litewire listens on 127.0.0.1:5433 by default");
    assert_eq!(rows(&c, "select 7").await, vec![vec![Some("7".into())]]);
    assert!(dir.path().join("data").join("defaults.db").exists());
    let _ = child.kill();
    let _ = child.wait();
}

/// Settings can come from LITEWIRE_* environment variables.
#[tokio::test]
async fn environment_variables_configure_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_litewire"))
        .env("LITEWIRE_LISTEN", format!("127.0.0.1:{port}"))
        .env("LITEWIRE_DATA_DIR", dir.path().join("envdata"))
        .env("LITEWIRE_AUTO_CREATE", "false")
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("host=127.0.0.1 port={port} user=u dbname=nope");
    let mut refused = None;
    for _ in 0..100 {
        match tokio_postgres::connect(&url, tokio_postgres::NoTls).await {
            Err(e) if e.code().is_some() => {
                refused = Some(sqlstate(&e));
                break;
            }
            _ => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
    // Auto-creation is off, so the unknown database is refused like PostgreSQL does.
    assert_eq!(refused.as_deref(), Some("3D000"));
    assert!(dir.path().join("envdata").is_dir());
    assert!(!dir.path().join("envdata").join("nope.db").exists());
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test]
async fn byte_order_collations_of_columns() {
    let s = Server::start(&[]);
    let c = s.connect("basics").await;
    c.batch_execute(
        "create table pc (a text collate \"C\", b text collate \"POSIX\", d text collate \"default\");
         alter table pc add column e text collate \"C\";
         insert into pc values ('b', 'B', 'x', 'e'), ('a', 'a', 'y', 'E');",
    )
    .await
    .unwrap();
    crate::common::answers(&c, &[("select a, b from pc order by b", "b|B\na|a")]).await;
}
