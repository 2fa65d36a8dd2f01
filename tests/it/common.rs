//! Test harness: runs the real `litewire` binary on 127.0.0.1, port 0, with a temporary
//! data folder, and connects real clients to it.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// A running litewire process; killed when dropped.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    dir: tempfile::TempDir,
    /// Every line the server has written to stderr so far.
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts litewire with default settings plus `args`.
    pub fn start(args: &[&str]) -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        Self::start_in(dir, args)
    }

    pub fn start_in(dir: tempfile::TempDir, args: &[&str]) -> Server {
        let data = dir.path().join("data");
        let mut child = Command::new(env!("CARGO_BIN_EXE_litewire"))
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(&data)
            .args(args)
            .env("RUST_LOG", "litewire=debug")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn litewire");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        let log = Arc::new(Mutex::new(Vec::new()));
        let kept = log.clone();
        std::thread::spawn(move || {
            // Keep draining stderr after the address is found, so logging never blocks.
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                kept.lock().unwrap().push(line.clone());
                let _ = tx.send(line);
            }
        });
        let addr = loop {
            let line = rx
                .recv_timeout(Duration::from_secs(30))
                .expect("litewire did not report its address");
            if let Some(rest) = line.split("listen=").nth(1) {
                break rest.split_whitespace().next().unwrap().parse().unwrap();
            }
        };
        Server {
            child,
            addr,
            dir,
            log,
        }
    }

    /// The server's log so far, once a line matching `until` has been written (stderr
    /// is read on another thread; lines before that one are then all here).
    pub fn log_until(&self, until: impl Fn(&str) -> bool) -> Vec<String> {
        let start = std::time::Instant::now();
        loop {
            let lines = self.log.lock().unwrap().clone();
            if lines.iter().any(|l| until(l)) {
                return lines;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "no such log line; log: {lines:#?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A tokio-postgres connection string for database `db`.
    pub fn url(&self, db: &str) -> String {
        format!(
            "host=127.0.0.1 port={} user=tester dbname={db} connect_timeout=10",
            self.port()
        )
    }

    /// Connects tokio-postgres to database `db`.
    pub async fn connect(&self, db: &str) -> tokio_postgres::Client {
        self.try_connect(db).await.expect("connect")
    }

    pub async fn try_connect(
        &self,
        db: &str,
    ) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
        let (client, conn) = tokio_postgres::connect(&self.url(db), tokio_postgres::NoTls).await?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(client)
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let status = wait_timeout(&mut self.child, Duration::from_secs(30));
        status.expect("litewire did not exit after SIGTERM")
    }

    /// Stops the server (SIGTERM) and hands back its folder, for another server to
    /// start in (`start_in`).
    pub fn stop_keeping_folder(mut self) -> tempfile::TempDir {
        assert!(self.terminate().success());
        std::mem::replace(&mut self.dir, tempfile::tempdir().expect("tempdir"))
    }

    /// Reads the process's resident set size, in KiB, from /proc.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap()
    }
}

fn wait_timeout(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The rows of a simple query as text (None for NULL).
pub async fn rows(client: &tokio_postgres::Client, sql: &str) -> Vec<Vec<Option<String>>> {
    client
        .simple_query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => {
                Some((0..r.len()).map(|i| r.get(i).map(String::from)).collect())
            }
            _ => None,
        })
        .collect()
}

/// The SQLSTATE of a failed query.
pub fn sqlstate(e: &tokio_postgres::Error) -> String {
    e.code()
        .map(|c| c.code().to_string())
        .unwrap_or_else(|| format!("no sqlstate: {e}"))
}

/// Runs psql against the server with `args` and returns (success, stdout, stderr).
pub fn psql(server: &Server, db: &str, args: &[&str]) -> (bool, String, String) {
    psql_as(server, "tester", db, args)
}

/// `psql` as `user` (a restore's `OWNER TO` names the role that owned the objects).
pub fn psql_as(server: &Server, user: &str, db: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new("psql")
        .args([
            "-X",
            "-h",
            "127.0.0.1",
            "-p",
            &server.port().to_string(),
            "-U",
            user,
            db,
        ])
        .args(args)
        .env("PGCONNECT_TIMEOUT", "10")
        .output()
        .expect("psql must be installed (apt-get install postgresql-client)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs each statement and compares its rows, values joined with `|`, one row a line.
pub async fn answers(c: &tokio_postgres::Client, cases: &[(&str, &str)]) {
    for (sql, want) in cases {
        let got: Vec<String> = rows(c, sql)
            .await
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|v| v.unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        assert_eq!(got.join("\n"), *want, "{sql}");
    }
}

/// Runs each statement and compares its error's SQLSTATE and message.
pub async fn refusals(c: &tokio_postgres::Client, cases: &[(&str, &str, &str)]) {
    for (sql, code, message) in cases {
        let e = c.simple_query(sql).await.unwrap_err();
        let got = e.as_db_error().map(|d| d.message().to_string());
        assert_eq!(
            (sqlstate(&e).as_str(), got.as_deref()),
            (*code, Some(*message)),
            "{sql}"
        );
    }
}

/// Where a test's assertions run: a fresh litewire, or, when the environment variable
/// `against` names a port, the reference PostgreSQL on it (user and database postgres),
/// to check the expectations themselves.
pub struct Target {
    _server: Option<Server>,
    port: u16,
    user: &'static str,
    db: &'static str,
}

impl Target {
    pub fn new(against: &str, db: &'static str) -> Target {
        match std::env::var(against) {
            Ok(port) => Target {
                _server: None,
                port: port.parse().expect("a port"),
                user: "postgres",
                db: "postgres",
            },
            Err(_) => {
                let s = Server::start(&[]);
                Target {
                    port: s.port(),
                    _server: Some(s),
                    user: "tester",
                    db,
                }
            }
        }
    }

    pub async fn connect(&self) -> tokio_postgres::Client {
        let url = format!(
            "host=127.0.0.1 port={} user={} dbname={} connect_timeout=10",
            self.port, self.user, self.db
        );
        let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(async move {
            let _ = conn.await;
        });
        client
    }

    /// A raw protocol session, started and ready.
    pub fn raw(&self) -> crate::wire::Raw {
        let mut r = crate::wire::Raw::connect(self.port);
        r.send(&crate::wire::startup_packet(
            &[("user", self.user), ("database", self.db)],
            196608,
        ));
        let msgs = r.until_ready();
        assert_eq!(msgs.last().map(|m| m.tag), Some(b'Z'), "{msgs:?}");
        r
    }
}
