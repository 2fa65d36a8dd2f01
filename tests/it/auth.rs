//! Authentication: pg_hba-style rules, a users file with SCRAM-SHA-256 verifiers, md5
//! hashes and plain passwords, each method against tokio-postgres and psql, SIGHUP
//! reloading, and the start-up checks.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::{sqlstate, Server};

/// `litewire passwd USER`, fed `password` on standard input: the users-file line.
fn passwd(user: &str, password: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_litewire"))
        .args(["passwd", user])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn litewire passwd");
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let line = String::from_utf8(out.stdout).unwrap();
    assert!(
        line.starts_with(&format!("\"{user}\" \"SCRAM-SHA-256$4096:")),
        "{line}"
    );
    line
}

fn md5_hash(password: &str, user: &str) -> String {
    use md5::{Digest, Md5};
    let digest = Md5::digest(format!("{password}{user}").as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("md5{hex}")
}

const HBA: &str = "\
# TYPE DATABASE USER ADDRESS METHOD
host   litewire all 127.0.0.1/32 reject
host   all bob 127.0.0.1/32 md5
host   all carol 127.0.0.1/32 password
host   all alice,dave,erin all scram-sha-256
";

/// A server with HBA and users alice (SCRAM verifier), bob (md5 hash), carol and erin
/// (plain passwords).
fn server_with_users(dir: &tempfile::TempDir) -> Server {
    let users = format!(
        "{}\"bob\" \"{}\"\n\"carol\" \"carol-pw\"\n\"erin\" \"erin-pw\"\n",
        passwd("alice", "alice-pw"),
        md5_hash("bob-pw", "bob")
    );
    std::fs::write(dir.path().join("users.txt"), users).unwrap();
    std::fs::write(dir.path().join("hba.conf"), HBA).unwrap();
    let users = dir.path().join("users.txt");
    let hba = dir.path().join("hba.conf");
    let copy = tempfile::tempdir().unwrap();
    Server::start_in(
        copy,
        &[
            "--auth-file",
            users.to_str().unwrap(),
            "--hba-file",
            hba.to_str().unwrap(),
        ],
    )
}

async fn login(s: &Server, user: &str, password: &str, db: &str) -> Result<String, String> {
    let url = format!(
        "host=127.0.0.1 port={} user={user} password={password} dbname={db} connect_timeout=10",
        s.port()
    );
    match tokio_postgres::connect(&url, tokio_postgres::NoTls).await {
        Ok((client, conn)) => {
            tokio::spawn(conn);
            let row = client
                .query_one("SELECT current_user::text", &[])
                .await
                .map_err(|e| sqlstate(&e))?;
            Ok(row.get(0))
        }
        Err(e) => Err(sqlstate(&e)),
    }
}

#[tokio::test]
async fn each_method_lets_the_right_password_in_and_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let s = server_with_users(&dir);
    for (user, password, db, want) in [
        // SCRAM with a verifier from `litewire passwd`, and with a plain password.
        ("alice", "alice-pw", "app", Ok("alice")),
        ("alice", "wrong", "app", Err("28P01")),
        ("erin", "erin-pw", "app", Ok("erin")),
        ("erin", "alice-pw", "app", Err("28P01")),
        // A user the rule names but the users file lacks fails like a wrong password.
        ("dave", "x", "app", Err("28P01")),
        // md5 against a stored md5 hash.
        ("bob", "bob-pw", "app", Ok("bob")),
        ("bob", "bob-p", "app", Err("28P01")),
        // Cleartext against a plain password.
        ("carol", "carol-pw", "app", Ok("carol")),
        ("carol", "", "app", Err("28P01")),
        // No rule, and a reject rule (the admin console here).
        ("mallory", "x", "app", Err("28000")),
        ("alice", "alice-pw", "litewire", Err("28000")),
    ] {
        let got = login(&s, user, password, db).await;
        let want = want.map(str::to_string).map_err(str::to_string);
        assert_eq!(got, want, "{user}/{password} on {db}");
    }
    let log = s.log_until(|l| l.contains("reject rule"));
    assert!(
        log.iter()
            .any(|l| l.contains("authentication failed") && l.contains("user=\"bob\"")),
        "failures are logged with the user"
    );
}

#[tokio::test]
async fn psql_authenticates_with_scram_and_md5() {
    let dir = tempfile::tempdir().unwrap();
    let s = server_with_users(&dir);
    for (user, password, ok) in [
        ("alice", "alice-pw", true),
        ("alice", "nope", false),
        ("bob", "bob-pw", true),
        ("carol", "carol-pw", true),
    ] {
        let out = Command::new("psql")
            .args(["-X", "-w", "-h", "127.0.0.1", "-p", &s.port().to_string()])
            .args(["-U", user, "-d", "app", "-Atc", "SELECT current_user"])
            .env("PGPASSWORD", password)
            .env("PGCONNECT_TIMEOUT", "10")
            .output()
            .expect("psql");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.success(), ok, "{user}: {stdout} {stderr}");
        if ok {
            assert_eq!(stdout.trim(), user);
        } else {
            assert!(
                stderr.contains("password authentication failed for user \"alice\""),
                "{stderr}"
            );
        }
    }
    // psql without a password (-w: never prompt) is told one is needed.
    let out = Command::new("psql")
        .args(["-X", "-w", "-h", "127.0.0.1", "-p", &s.port().to_string()])
        .args(["-U", "alice", "-d", "app", "-c", "SELECT 1"])
        .env_remove("PGPASSWORD")
        .env("PGPASSFILE", "/nonexistent")
        .output()
        .expect("psql");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no password supplied"));
}

#[tokio::test]
async fn sighup_rereads_users_and_rules_while_sessions_stay() {
    let dir = tempfile::tempdir().unwrap();
    let s = server_with_users(&dir);
    let url = format!(
        "host=127.0.0.1 port={} user=alice password=alice-pw dbname=app",
        s.port()
    );
    let (open, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    // alice's new password, and carol moved from a password rule to reject.
    let users = format!("{}\"carol\" \"carol-pw\"\n", passwd("alice", "new-pw"));
    std::fs::write(dir.path().join("users.txt"), users).unwrap();
    let hba = HBA.replace("all carol 127.0.0.1/32 password", "all carol all reject");
    std::fs::write(dir.path().join("hba.conf"), hba).unwrap();
    sighup(&s);
    s.log_until(|l| l.contains("reloaded"));
    assert_eq!(
        login(&s, "alice", "alice-pw", "app").await,
        Err("28P01".into())
    );
    assert_eq!(
        login(&s, "alice", "new-pw", "app").await,
        Ok("alice".into())
    );
    assert_eq!(
        login(&s, "carol", "carol-pw", "app").await,
        Err("28000".into())
    );
    let one: i32 = open.query_one("SELECT 1", &[]).await.unwrap().get(0);
    assert_eq!(one, 1, "the session opened before the reload goes on");
    // A file that does not read keeps the rules in force, and says why.
    std::fs::write(dir.path().join("hba.conf"), "host all all all ident\n").unwrap();
    sighup(&s);
    let log = s.log_until(|l| l.contains("reload failed"));
    assert!(log.iter().any(|l| l.contains("hba.conf:1")), "{log:#?}");
    assert_eq!(
        login(&s, "alice", "new-pw", "app").await,
        Ok("alice".into())
    );
}

fn sighup(s: &Server) {
    // SAFETY: kill only sends a signal to the server's own process.
    unsafe { libc::kill(s.pid() as i32, libc::SIGHUP) };
}

/// The binary started with `args`, expected to refuse at once: its stderr.
fn refused_start(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_litewire"))
        .args(args)
        .output()
        .expect("spawn litewire");
    assert_eq!(out.status.code(), Some(2), "{args:?} started");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn start_refuses_files_that_do_not_read_and_trust_beyond_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let hba = dir.path().join("hba.conf");
    std::fs::write(&hba, "host all all all trust\nhost all all all peer\n").unwrap();
    let e = refused_start(&[
        "--hba-file",
        hba.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(e.contains("hba.conf:2") && e.contains("peer"), "{e}");
    let users = dir.path().join("users.txt");
    std::fs::write(&users, "alice secret\n").unwrap();
    let e = refused_start(&[
        "--auth-file",
        users.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(e.contains("users.txt:1"), "{e}");
    let e = refused_start(&["--listen", "0.0.0.0:0"]);
    assert!(e.contains("--trust-network-clients"), "{e}");
    let e = refused_start(&["--auth-method", "scram-sha-256", "--listen", "127.0.0.1:0"]);
    assert!(e.contains("--auth-file"), "{e}");
}

#[tokio::test]
async fn a_config_file_turns_passwords_on() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users.txt");
    std::fs::write(&users, passwd("alice", "alice-pw")).unwrap();
    let config = dir.path().join("litewire.toml");
    std::fs::write(
        &config,
        format!(
            "auth_file = {:?}\nauth_method = \"scram-sha-256\"\n",
            users.to_str().unwrap()
        ),
    )
    .unwrap();
    let s = Server::start(&["--config", config.to_str().unwrap()]);
    assert_eq!(
        login(&s, "alice", "alice-pw", "app").await,
        Ok("alice".into())
    );
    assert_eq!(login(&s, "alice", "x", "app").await, Err("28P01".into()));
    // A key the file should not have stops the start, naming it.
    std::fs::write(&config, "max_connectons = 5\n").unwrap();
    let e = refused_start(&["--config", config.to_str().unwrap()]);
    assert!(e.contains("unknown key \"max_connectons\""), "{e}");
}

/// A session on the admin console as `user`.
async fn console(
    s: &Server,
    user: &str,
    password: &str,
) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let url = format!(
        "host=127.0.0.1 port={} user={user} password={password} dbname=litewire",
        s.port()
    );
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
    tokio::spawn(conn);
    Ok(client)
}

#[tokio::test]
async fn the_admin_console_is_for_admin_and_stats_users() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users.txt");
    std::fs::write(
        &users,
        "\"ops\" \"ops-pw\"\n\"grafana\" \"g-pw\"\n\"app\" \"app-pw\"\n",
    )
    .unwrap();
    let users = users.to_str().unwrap();
    // With passwords and no lists, the console is closed to everyone.
    let s = Server::start(&["--auth-file", users]);
    let e = console(&s, "ops", "ops-pw")
        .await
        .expect_err("console refused");
    assert_eq!(sqlstate(&e), "42501");
    assert_eq!(login(&s, "app", "app-pw", "app").await, Ok("app".into()));
    drop(s);

    let s = Server::start(&[
        "--auth-file",
        users,
        "--admin-users",
        "ops",
        "--stats-users",
        "grafana",
    ]);
    let e = console(&s, "app", "app-pw")
        .await
        .expect_err("console refused to app");
    assert_eq!(sqlstate(&e), "42501");
    let stats = console(&s, "grafana", "g-pw").await.unwrap();
    assert!(stats.simple_query("SHOW CLIENTS").await.is_ok());
    let e = stats.simple_query("RELOAD").await.unwrap_err();
    assert_eq!(sqlstate(&e), "42501");
    let admin = console(&s, "ops", "ops-pw").await.unwrap();
    std::fs::write(users, "\"ops\" \"ops-pw\"\n\"app\" \"new-pw\"\n").unwrap();
    admin.simple_query("RELOAD").await.unwrap();
    s.log_until(|l| l.contains("RELOAD: authentication rules, users and TLS files reloaded"));
    assert_eq!(login(&s, "app", "new-pw", "app").await, Ok("app".into()));
    // A users file that does not read: RELOAD fails (F0000) and the old one stays.
    std::fs::write(users, "app new-pw\n").unwrap();
    let e = admin.simple_query("RELOAD").await.unwrap_err();
    assert_eq!(sqlstate(&e), "F0000");
    assert_eq!(login(&s, "app", "new-pw", "app").await, Ok("app".into()));
}

/// --createdb-users: only the users named create a database by connecting to a new
/// name (PostgreSQL's CREATEDB); the others get 3D000 for it, and may connect to it
/// once it exists.
#[tokio::test]
async fn only_createdb_users_create_databases() {
    let s = Server::start(&["--createdb-users", "alice,bob"]);
    let connect = |user: &'static str| {
        let url = format!("host=127.0.0.1 port={} user={user} dbname=fresh", s.port());
        async move {
            match tokio_postgres::connect(&url, tokio_postgres::NoTls).await {
                Ok((_client, _conn)) => Ok(()),
                Err(e) => Err(sqlstate(&e)),
            }
        }
    };
    assert_eq!(connect("carol").await, Err("3D000".to_string()));
    assert!(!s.data_dir().join("fresh.db").exists());
    assert_eq!(connect("bob").await, Ok(()));
    assert!(s.data_dir().join("fresh.db").exists());
    assert_eq!(connect("carol").await, Ok(()));
}
