//! Real client libraries in other languages, each run as its own test suite against a
//! live litewire: Python (psycopg 3, psycopg2, asyncpg, SQLAlchemy) with pytest, Node.js
//! (pg, postgres.js) with node's test runner, Java (pgjdbc), Rust (sqlx, in its own
//! workspace). `.ci/run` installs them.
//!
//! Each suite reads `LITEWIRE_HOST` and `LITEWIRE_PORT` and uses its own database names.

use std::path::Path;
use std::process::Command;

use crate::common::Server;

fn run_suite(server: &Server, dir: &str, program: &str, args: &[&str]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(program)
        .args(args)
        .current_dir(root.join(dir))
        .env("LITEWIRE_HOST", "127.0.0.1")
        .env("LITEWIRE_PORT", server.port().to_string())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} (see .ci/run for the installs): {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{program} {args:?} in {dir} failed:\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    println!("{stdout}");
}

#[test]
fn python_clients() {
    let s = Server::start(&[]);
    run_suite(
        &s,
        "tests/clients/python",
        "python3",
        &["-m", "pytest", "-q", "-p", "no:cacheprovider"],
    );
}

#[test]
fn node_clients() {
    let s = Server::start(&[]);
    run_suite(&s, "tests/clients/node", "node", &["--test"]);
}

#[test]
fn java_clients() {
    let s = Server::start(&[]);
    let jar =
        std::env::var("PGJDBC_JAR").unwrap_or_else(|_| "/usr/share/java/postgresql.jar".into());
    run_suite(
        &s,
        "tests/clients/java",
        "java",
        &["-cp", &jar, "JdbcTest.java"],
    );
}

/// sqlx has its own workspace (tests/clients/sqlx); the first run compiles it (minutes).
#[test]
fn sqlx_client() {
    let s = Server::start(&[]);
    run_suite(
        &s,
        "tests/clients/sqlx",
        "cargo",
        &["run", "--quiet", "--manifest-path", "Cargo.toml"],
    );
}
