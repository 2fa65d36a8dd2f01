//! Real client libraries in other languages, each run as its own test suite against a
//! live litewire: Python (psycopg 3, psycopg2, asyncpg, SQLAlchemy) with pytest, Node.js
//! (pg, postgres.js) with node's test runner, Java (pgjdbc), Rust (sqlx, in its own
//! workspace). `.ci/run` installs them.
//!
//! Each suite reads `LITEWIRE_HOST` and `LITEWIRE_PORT` and uses its own database names.

use std::path::Path;
use std::process::Command;

use crate::common::Server;
use litewire::server::auth::{scram, users};

fn run_suite(server: &Server, dir: &str, program: &str, args: &[&str]) {
    run_suite_with(server, dir, program, args, &[]);
}

/// [`run_suite`] with more environment variables for the suite.
fn run_suite_with(server: &Server, dir: &str, program: &str, args: &[&str], env: &[(&str, &str)]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(program)
        .args(args)
        .current_dir(root.join(dir))
        .env("LITEWIRE_HOST", "127.0.0.1")
        .env("LITEWIRE_PORT", server.port().to_string())
        .envs(env.iter().copied())
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
    run_java(&s, "JdbcTest.java");
}

/// A Java source file of tests/clients/java run against `server` with pgjdbc.
fn run_java(server: &Server, source: &str) {
    let jar =
        std::env::var("PGJDBC_JAR").unwrap_or_else(|_| "/usr/share/java/postgresql.jar".into());
    run_suite(server, "tests/clients/java", "java", &["-cp", &jar, source]);
}

/// Each driver against SCRAM-SHA-256, md5 and cleartext rules: the right password gets
/// in, a wrong one is 28P01, no rule is 28000 (tests/clients/*/auth_check.*).
#[test]
fn client_authentication() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users.txt");
    let hba = dir.path().join("hba.conf");
    let alice = scram::Verifier::new("alice-pw", b"litewire-test-01".to_vec(), 4096);
    std::fs::write(
        &users,
        format!(
            "\"alice\" \"{alice}\"\n\"bob\" \"{}\"\n\"carol\" \"carol-pw\"\n",
            users::md5_secret("bob-pw", "bob")
        ),
    )
    .unwrap();
    std::fs::write(
        &hba,
        "host all alice all scram-sha-256\nhost all bob all md5\nhost all carol all password\n",
    )
    .unwrap();
    let s = Server::start(&[
        "--auth-file",
        users.to_str().unwrap(),
        "--hba-file",
        hba.to_str().unwrap(),
    ]);
    run_suite(&s, "tests/clients/python", "python3", &["auth_check.py"]);
    run_suite(&s, "tests/clients/node", "node", &["auth_check.mjs"]);
    run_java(&s, "AuthCheck.java");
}

/// Each driver over TLS with the certificate verified (verify-full or its driver's
/// equivalent), and refused without TLS where a hostnossl rule rejects
/// (tests/clients/*/tls_check.*).
#[test]
fn client_tls() {
    let certs = crate::tls::Certs::make();
    let s = certs.server(Some(
        "hostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n",
    ));
    let ca = certs.arg("ca.crt");
    let env = [("LITEWIRE_TLS_CA", ca.as_str())];
    run_suite_with(
        &s,
        "tests/clients/python",
        "python3",
        &["tls_check.py"],
        &env,
    );
    run_suite_with(&s, "tests/clients/node", "node", &["tls_check.mjs"], &env);
    let jar =
        std::env::var("PGJDBC_JAR").unwrap_or_else(|_| "/usr/share/java/postgresql.jar".into());
    run_suite_with(
        &s,
        "tests/clients/java",
        "java",
        &["-cp", &jar, "TlsCheck.java"],
        &env,
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
