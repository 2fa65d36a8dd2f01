//! Logs an operator can use: errors with SQLSTATE and slow statements, each with the
//! session's user, database and address; the counters of SHOW STATS; JSON lines.

use std::io::BufRead;
use std::process::{Command, Stdio};

use crate::common::{sqlstate, Server};

#[tokio::test]
async fn errors_and_slow_statements_are_logged_with_who_and_counted() {
    let s = Server::start(&["--log-min-duration-statement", "0"]);
    let c = s.connect("logdb").await;
    c.simple_query("SELECT 41 + 1").await.unwrap();
    let e = c.simple_query("SELECT * FROM nosuch").await.unwrap_err();
    assert_eq!(sqlstate(&e), "42P01");
    let log = s.log_until(|l| l.contains("42P01"));
    let slow = log
        .iter()
        .find(|l| l.contains("slow statement") && l.contains("SELECT 41 + 1"))
        .unwrap_or_else(|| panic!("no slow-statement line: {log:#?}"));
    for field in [
        "user=tester",
        "database=logdb",
        "peer=127.0.0.1",
        "duration_ms=",
    ] {
        assert!(slow.contains(field), "{field} missing: {slow}");
    }
    let error = log.iter().find(|l| l.contains("42P01")).unwrap();
    assert!(
        error.contains("user=tester") && error.contains("ERROR"),
        "{error}"
    );

    let admin = s.connect("litewire").await;
    let stats: std::collections::HashMap<String, u64> = admin
        .simple_query("SHOW STATS")
        .await
        .unwrap()
        .into_iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => Some((
                r.get(0).unwrap().to_string(),
                r.get(1).unwrap().parse().unwrap(),
            )),
            _ => None,
        })
        .collect();
    assert!(stats["statements"] >= 2, "{stats:?}");
    assert!(stats["slow_statements"] >= 2, "{stats:?}");
    assert!(stats["errors_class_42"] >= 1, "{stats:?}");
    assert!(
        stats["connections"] >= 2 && stats["bytes_sent"] > 0,
        "{stats:?}"
    );
}

#[tokio::test]
async fn statements_under_the_threshold_are_not_logged() {
    let s = Server::start(&["--log-min-duration-statement", "10s"]);
    let c = s.connect("quiet").await;
    c.simple_query("SELECT 'fast one'").await.unwrap();
    c.simple_query("SELECT * FROM nosuch_marker")
        .await
        .unwrap_err();
    let log = s.log_until(|l| l.contains("nosuch_marker"));
    assert!(
        !log.iter().any(|l| l.contains("slow statement")),
        "{log:#?}"
    );
}

#[test]
fn json_log_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_litewire"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--log-format",
            "json",
            "--data-dir",
        ])
        .arg(dir.path().join("data"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let v: serde_json::Value = serde_json::from_str(&line).expect(&line);
    assert_eq!(v["message"], "litewire ready", "{line}");
    assert_eq!(v["level"], "INFO");
    assert!(
        v["listen"].as_str().unwrap().starts_with("127.0.0.1:"),
        "{line}"
    );
}
