//! The admin console (database `litewire`) and the metrics endpoint.

use std::io::{Read, Write};
use std::time::Duration;

use crate::common::{rows, Server};

fn memory(rows: &[Vec<Option<String>>]) -> Vec<(String, u64)> {
    rows.iter()
        .map(|r| {
            (
                r[0].clone().unwrap(),
                r[1].as_deref().unwrap().parse::<u64>().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn show_memory_explains_rss() {
    let s = Server::start(&["--park-after", "100ms"]);
    let app = s.connect("app").await;
    app.batch_execute("create table t (a integer); insert into t values (1)")
        .await
        .unwrap();
    let admin = s.connect("litewire").await;
    let report = memory(&rows(&admin, "SHOW MEMORY").await);
    let get = |owner: &str| {
        report
            .iter()
            .find(|(o, _)| o == owner)
            .map(|(_, b)| *b)
            .unwrap_or_else(|| panic!("no {owner} row in {report:?}"))
    };
    let rss = get("rss");
    assert!(rss > 0);
    for owner in [
        "binary and libraries",
        "thread stacks",
        "sqlite",
        "client buffers",
        "sessions",
        "parked sessions",
        "prepared statements",
        "heap: other",
        "allocator retained",
        "unattributed",
    ] {
        get(owner);
    }
    // The owners (every row but rss and the per-database breakdown) add up to RSS.
    let owners: u64 = report
        .iter()
        .filter(|(o, _)| o != "rss" && o != "database")
        .map(|(_, b)| *b)
        .sum();
    assert_eq!(owners, rss, "{report:?}");
    assert!(get("sqlite") > 0, "an open database uses SQLite heap");
    assert!(get("binary and libraries") > 0);
    // One row per open database.
    assert!(report.iter().any(|(o, _)| o == "database"));
}

#[tokio::test]
async fn runs_with_a_small_malloc_thread_cache() {
    // The server runs itself again with glibc's tcache capped (memory.rs); same pid.
    let s = Server::start(&[]);
    let _c = s.connect("tuned").await;
    let env = std::fs::read(format!("/proc/{}/environ", s.pid())).unwrap();
    let env = String::from_utf8_lossy(&env);
    assert!(
        env.split('\0')
            .any(|v| v == "GLIBC_TUNABLES=glibc.malloc.tcache_count=1"),
        "{env}"
    );
    let comm = std::fs::read_to_string(format!("/proc/{}/comm", s.pid())).unwrap();
    assert_eq!(comm.trim(), "litewire");
}

#[tokio::test]
async fn show_clients_lists_each_client_with_its_bytes() {
    let s = Server::start(&["--park-after", "100ms"]);
    let a = s.connect("one").await;
    let _b = s.connect("two").await;
    let _kept = a.prepare("select 1").await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let admin = s.connect("litewire").await;
    let clients = rows(&admin, "SHOW CLIENTS").await;
    assert_eq!(clients.len(), 2, "{clients:?}");
    let one = clients
        .iter()
        .find(|r| r[2].as_deref() == Some("one"))
        .expect("client of database one");
    assert_eq!(one[1].as_deref(), Some("tester"));
    // Parked after 100 ms of idleness.
    assert_eq!(one[3].as_deref(), Some("parked"));
    assert_eq!(one[5].as_deref(), Some("1"), "one prepared statement");
    let bytes: u64 = one[7].as_deref().unwrap().parse().unwrap();
    assert!(bytes > 0);
    drop(a);
    // The client disappears from the list once it has gone.
    let mut gone = false;
    for _ in 0..50 {
        if rows(&admin, "SHOW CLIENTS").await.len() == 1 {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(gone, "a closed client stays listed");
    assert_eq!(
        rows(&admin, "SHOW DATABASES").await.len(),
        2,
        "databases one and two"
    );
    assert!(admin.simple_query("SELECT 1").await.is_err());
}

#[test]
fn metrics_endpoint_serves_prometheus_text() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let _s = Server::start(&["--metrics-listen", &addr]);
    let mut body = String::new();
    for _ in 0..50 {
        if let Ok(mut sock) = std::net::TcpStream::connect(&addr) {
            sock.write_all(b"GET /metrics HTTP/1.0\r\n\r\n").unwrap();
            sock.read_to_string(&mut body).unwrap();
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(body.starts_with("HTTP/1.0 200 OK"), "{body}");
    assert!(
        body.contains("litewire_memory_bytes{owner=\"rss\"} "),
        "{body}"
    );
    assert!(
        body.contains("litewire_clients{state=\"parked\"} 0"),
        "{body}"
    );
    for counter in ["statements", "connections", "auth_failures", "bytes_sent"] {
        let line = format!("\nlitewire_{counter}_total ");
        assert!(body.contains(&line), "{counter}: {body}");
    }
}
