//! The Unix-domain socket (`--unix-socket-dir`): psql over it, `local` rules, a stale
//! socket file replaced at start and the file removed at shutdown.

use std::process::Command;

use crate::common::Server;

/// psql over the socket in `dir`: (success, stdout, stderr).
fn psql_local(
    dir: &std::path::Path,
    port: u16,
    user: &str,
    password: Option<&str>,
) -> (bool, String, String) {
    let mut cmd = Command::new("psql");
    cmd.args([
        "-X",
        "-w",
        "-h",
        dir.to_str().unwrap(),
        "-p",
        &port.to_string(),
    ])
    .args([
        "-U",
        user,
        "-d",
        "sockdb",
        "-Atc",
        "SELECT current_user || ' ' || 41 + 1",
    ])
    .env("PGCONNECT_TIMEOUT", "10")
    .env_remove("PGPASSWORD");
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let out = cmd.output().expect("psql");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn psql_connects_over_the_unix_socket_and_it_is_removed_at_shutdown() {
    let sockets = tempfile::tempdir().unwrap();
    // A file left by a server that is gone does not stop the start.
    let stale = sockets.path().join("stale");
    drop(std::os::unix::net::UnixListener::bind(&stale).unwrap());
    let mut s = Server::start(&[
        "--unix-socket-dir",
        sockets.path().to_str().unwrap(),
        "--park-after",
        "100ms",
    ]);
    let path = sockets.path().join(format!(".s.PGSQL.{}", s.port()));
    assert!(path.exists());
    let (ok, out, err) = psql_local(sockets.path(), s.port(), "ann", None);
    assert!(ok, "{err}");
    assert_eq!(out, "ann 42");
    // A session on the socket is parked when idle and resumed by its next query.
    let url = format!(
        "host={} port={} user=ann dbname=sockdb",
        sockets.path().display(),
        s.port()
    );
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    for i in 1..=3 {
        let row = client.query_one("SELECT $1::int", &[&i]).await.unwrap();
        assert_eq!(row.get::<_, i32>(0), i);
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    }
    s.log_until(|l| l.contains("resuming a parked session"));
    // A second server (on another loopback address, same port) cannot take a socket a
    // running server answers on.
    let out = Command::new(env!("CARGO_BIN_EXE_litewire"))
        .args(["--listen", &format!("127.0.0.2:{}", s.port())])
        .args(["--data-dir", sockets.path().join("data2").to_str().unwrap()])
        .args(["--unix-socket-dir", sockets.path().to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("cannot listen on Unix socket"), "{stderr}");
    assert!(path.exists());
    let (ok, out, _) = psql_local(sockets.path(), s.port(), "ann", None);
    assert!(ok && out == "ann 42", "the first server still answers");
    s.terminate();
    assert!(!path.exists(), "the socket file is removed at shutdown");
}

#[test]
fn local_rules_apply_to_the_unix_socket_only() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users.txt");
    std::fs::write(&users, "\"ann\" \"ann-pw\"\n").unwrap();
    let hba = dir.path().join("hba.conf");
    std::fs::write(&hba, "local all all md5\nhost all all 127.0.0.1/32 trust\n").unwrap();
    let sockets = tempfile::tempdir().unwrap();
    let s = Server::start(&[
        "--unix-socket-dir",
        sockets.path().to_str().unwrap(),
        "--auth-file",
        users.to_str().unwrap(),
        "--hba-file",
        hba.to_str().unwrap(),
    ]);
    let (ok, _, err) = psql_local(sockets.path(), s.port(), "ann", None);
    assert!(!ok && err.contains("no password supplied"), "{err}");
    let (ok, _, err) = psql_local(sockets.path(), s.port(), "ann", Some("wrong"));
    assert!(
        !ok && err.contains("password authentication failed"),
        "{err}"
    );
    let (ok, out, err) = psql_local(sockets.path(), s.port(), "ann", Some("ann-pw"));
    assert!(ok, "{err}");
    assert_eq!(out, "ann 42");
    // Over TCP the host rule (trust) applies.
    let (ok, out, err) = crate::common::psql(&s, "sockdb", &["-Atc", "SELECT 1"]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "1");
}
