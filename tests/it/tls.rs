//! TLS: `sslmode=require` and `verify-full` from psql (libpq), hostssl/hostnossl rules,
//! client certificates (the `cert` method), a TLS session parked while idle and resumed,
//! PostgreSQL 17's direct TLS (ALPN `postgresql` required), and the refusal of
//! unencrypted bytes sent behind an SSLRequest. The certificates are made by the test
//! with the `openssl` command (a CA, a server certificate for localhost/127.0.0.1, and a
//! client certificate for `alice`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use crate::common::Server;

pub struct Certs {
    dir: tempfile::TempDir,
}

impl Certs {
    pub fn make() -> Certs {
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(dir.path())
                .output()
                .expect("openssl must be installed (apt-get install openssl)");
            assert!(out.status.success(), "openssl {args:?}: {out:?}");
        };
        std::fs::write(
            dir.path().join("server.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("client.ext"),
            "extendedKeyUsage=clientAuth\n",
        )
        .unwrap();
        run(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "2",
            "-subj",
            "/CN=litewire test CA",
        ]);
        for (name, subject, ext) in [
            ("server", "/CN=localhost", "server.ext"),
            ("alice", "/CN=alice", "client.ext"),
        ] {
            let (key, csr, crt) = (
                format!("{name}.key"),
                format!("{name}.csr"),
                format!("{name}.crt"),
            );
            run(&[
                "req", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &csr, "-subj",
                subject,
            ]);
            run(&[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &crt,
                "-days",
                "2",
                "-extfile",
                ext,
            ]);
        }
        // libpq refuses a client key others can read.
        use std::os::unix::fs::PermissionsExt;
        let key = dir.path().join("alice.key");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        Certs { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn arg(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_string()
    }

    /// A server with TLS, client certificates checked against the CA, and `hba` rules.
    pub fn server(&self, hba: Option<&str>) -> Server {
        let (cert, key, ca) = (
            self.arg("server.crt"),
            self.arg("server.key"),
            self.arg("ca.crt"),
        );
        let mut args = vec![
            "--tls-cert",
            &cert,
            "--tls-key",
            &key,
            "--tls-client-ca",
            &ca,
        ];
        let hba_path = self.arg("hba.conf");
        if let Some(rules) = hba {
            std::fs::write(&hba_path, rules).unwrap();
            args.extend(["--hba-file", &hba_path]);
        }
        Server::start(&args)
    }
}

/// psql with a libpq connection string; (success, stdout, stderr).
fn psql(conninfo: &str, sql: &str) -> (bool, String, String) {
    psql_with_password(conninfo, sql, "")
}

fn psql_with_password(conninfo: &str, sql: &str, password: &str) -> (bool, String, String) {
    let out = Command::new("psql")
        .args(["-X", "-At", conninfo, "-c", sql])
        .env("PGCONNECT_TIMEOUT", "10")
        .env("PGPASSWORD", password)
        .output()
        .expect("psql");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn require_and_verify_full_from_psql() {
    let certs = Certs::make();
    let s = certs.server(None);
    let port = s.port();
    let base = format!("port={port} user=tester dbname=tlsdb");
    let (ok, out, err) = psql(
        &format!("host=127.0.0.1 {base} sslmode=require"),
        "SELECT 40 + 2",
    );
    assert!(ok && out == "42", "{out} {err}");
    let (ok, out, err) = psql(
        &format!(
            "host=localhost {base} sslmode=verify-full sslrootcert={}",
            certs.arg("ca.crt")
        ),
        "\\conninfo",
    );
    assert!(
        ok && out.contains("SSL connection (protocol: TLSv1.3"),
        "{out} {err}"
    );
    // Plain connections still work without hostssl rules.
    let (ok, out, err) = psql(
        &format!("host=127.0.0.1 {base} sslmode=disable"),
        "SELECT 'plain'",
    );
    assert!(ok && out == "plain", "{out} {err}");
    // A root that did not sign the server's certificate is refused by the client.
    let (ok, _, err) = psql(
        &format!(
            "host=127.0.0.1 {base} sslmode=verify-full sslrootcert={}",
            certs.arg("alice.crt")
        ),
        "SELECT 1",
    );
    assert!(!ok && err.contains("certificate verify failed"), "{err}");
}

#[test]
fn hostssl_hostnossl_and_client_certificates() {
    let certs = Certs::make();
    let s = certs.server(Some(
        "hostssl all alice 127.0.0.1/32 cert\n\
         hostssl all all 127.0.0.1/32 trust\n\
         hostnossl all all 127.0.0.1/32 reject\n",
    ));
    let port = s.port();
    let conn = |user: &str, extra: &str| {
        format!("host=127.0.0.1 port={port} user={user} dbname=certdb {extra}")
    };
    let (ok, _, err) = psql(&conn("tester", "sslmode=disable"), "SELECT 1");
    assert!(
        !ok && err.contains(
            "pg_hba.conf rejects connection for host \"127.0.0.1\", user \"tester\", \
             database \"certdb\", no encryption"
        ),
        "{err}"
    );
    let (ok, out, err) = psql(&conn("tester", "sslmode=require"), "SELECT 'over tls'");
    assert!(ok && out == "over tls", "{err}");
    let (ok, _, err) = psql(
        &conn(
            "alice",
            "sslmode=require sslcert=/nonexistent sslkey=/nonexistent",
        ),
        "SELECT 1",
    );
    assert!(
        !ok && err.contains("connection requires a valid client certificate"),
        "{err}"
    );
    let with_cert = format!(
        "sslmode=require sslcert={} sslkey={}",
        certs.arg("alice.crt"),
        certs.arg("alice.key")
    );
    let (ok, out, err) = psql(&conn("alice", &with_cert), "SELECT current_user");
    assert!(ok && out == "alice", "{out} {err}");

    // The certificate names alice: with a cert rule for everyone, bob cannot use it.
    let s = certs.server(Some("hostssl all all 127.0.0.1/32 cert\n"));
    let port = s.port();
    let (ok, _, err) = psql(
        &format!("host=127.0.0.1 port={port} user=bob dbname=certdb {with_cert}"),
        "SELECT 1",
    );
    assert!(
        !ok && err.contains("certificate authentication failed for user \"bob\""),
        "{err}"
    );
}

#[test]
fn an_idle_tls_session_parks_and_resumes() {
    let certs = Certs::make();
    let s = Server::start(&[
        "--tls-cert",
        &certs.arg("server.crt"),
        "--tls-key",
        &certs.arg("server.key"),
        "--park-after",
        "200ms",
    ]);
    let mut child = Command::new("psql")
        .args([
            "-X",
            "-At",
            &format!(
                "host=127.0.0.1 port={} user=tester dbname=parkdb sslmode=require",
                s.port()
            ),
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "SELECT 1;").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let admin = Command::new("psql")
        .args([
            "-X",
            "-At",
            &format!(
                "host=127.0.0.1 port={} user=tester dbname=litewire sslmode=require",
                s.port()
            ),
            "-c",
            "SHOW MEMORY",
        ])
        .output()
        .unwrap();
    let memory = String::from_utf8_lossy(&admin.stdout).into_owned();
    assert!(memory.contains("1 parked"), "{memory}");
    // A large answer after the resume: many TLS records.
    writeln!(
        stdin,
        "SELECT count(*), length(string_agg(repeat('x', 1000), '')) FROM generate_series(1, 3000);"
    )
    .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "1\n3000|3000000\n",
        "{out:?}"
    );
}

fn client_config(certs: &Certs, alpn: bool) -> Arc<rustls::ClientConfig> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_file_iter(certs.path("ca.crt")).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    if alpn {
        config.alpn_protocols = vec![b"postgresql".to_vec()];
    }
    Arc::new(config)
}

fn startup_message(user: &str, database: &str) -> Vec<u8> {
    crate::wire::startup_packet(&[("user", user), ("database", database)], 196608)
}

/// PostgreSQL 17's direct TLS: the client begins with its handshake, no SSLRequest.
#[test]
fn direct_tls_with_alpn_postgresql() {
    let certs = Certs::make();
    let s = certs.server(None);
    let talk = |alpn: bool| -> std::io::Result<u8> {
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let conn = rustls::ClientConnection::new(client_config(&certs, alpn), name).unwrap();
        let tcp = TcpStream::connect(("127.0.0.1", s.port()))?;
        tcp.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        tls.write_all(&startup_message("tester", "directdb"))?;
        let mut first = [0u8; 1];
        tls.read_exact(&mut first)?;
        Ok(first[0])
    };
    // 'R': AuthenticationOk (trust), over TLS from the first byte.
    assert_eq!(talk(true).unwrap(), b'R');
    // Without ALPN the server closes the connection, as PostgreSQL 17 does.
    assert!(talk(false).is_err());
}

/// Bytes sent in the clear behind an SSLRequest could be injected by a man in the
/// middle (CVE-2021-23214): PostgreSQL refuses them, and so does litewire.
#[test]
fn unencrypted_bytes_after_ssl_request_are_refused() {
    let certs = Certs::make();
    let s = certs.server(None);
    let mut tcp = TcpStream::connect(("127.0.0.1", s.port())).unwrap();
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut both = vec![0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];
    both.extend(startup_message("tester", "x"));
    tcp.write_all(&both).unwrap();
    let mut reply = Vec::new();
    let _ = tcp.read_to_end(&mut reply);
    assert_eq!(reply.first(), Some(&b'E'), "{reply:?}");
    let text = String::from_utf8_lossy(&reply);
    assert!(
        text.contains("08P01") && text.contains("received unencrypted data after SSL request"),
        "{text}"
    );
}

#[test]
fn tls_settings_are_checked_at_start() {
    let certs = Certs::make();
    let check = |args: &[&str], want: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_litewire"))
            .args(["--listen", "127.0.0.1:0", "--data-dir"])
            .arg(certs.path("data"))
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains(want),
            "{args:?}: {err}"
        );
    };
    check(
        &["--tls-cert", &certs.arg("server.crt")],
        "--tls-cert and --tls-key go together",
    );
    check(
        &[
            "--tls-cert",
            &certs.arg("server.key"),
            "--tls-key",
            &certs.arg("server.key"),
        ],
        "server.key: no certificate in the file",
    );
    let hba = certs.path("ssl-only.conf");
    std::fs::write(&hba, "hostssl all all all trust\n").unwrap();
    check(
        &["--hba-file", hba.to_str().unwrap()],
        "hostssl rules cannot match: TLS is off",
    );
    assert!(Path::new(&certs.arg("ca.crt")).exists());
}

/// A renewed certificate is read on SIGHUP: sessions opened after it see the new one
/// (here signed by another CA), the server keeps running.
#[test]
fn sighup_rereads_the_certificate() {
    let certs = Certs::make();
    let s = certs.server(None);
    let verify = |ca: &str| {
        psql(
            &format!(
                "host=localhost port={} user=tester dbname=renew sslmode=verify-full \
                 sslrootcert={ca}",
                s.port()
            ),
            "SELECT 'verified'",
        )
    };
    let (ok, out, err) = verify(&certs.arg("ca.crt"));
    assert!(ok && out == "verified", "{err}");
    let renewed = Certs::make();
    for file in ["server.crt", "server.key"] {
        std::fs::copy(renewed.path(file), certs.path(file)).unwrap();
    }
    unsafe { libc::kill(s.pid() as i32, libc::SIGHUP) };
    s.log_until(|l| l.contains("TLS files reloaded"));
    let (ok, _, err) = verify(&certs.arg("ca.crt"));
    assert!(!ok && err.contains("certificate verify failed"), "{err}");
    let (ok, out, err) = verify(&renewed.arg("ca.crt"));
    assert!(ok && out == "verified", "{err}");
}

/// packaging/litewire.toml, the documented multi-tenant config (its file paths and
/// address given as flags, which win over its keys): SCRAM passwords over TLS only, and
/// one user who creates databases.
/// A users-file line for `user` made by `litewire passwd` (a SCRAM verifier).
fn passwd_line(user: &str, password: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_litewire"))
        .args(["passwd", user])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
}

/// Over TLS, SCRAM-SHA-256-PLUS is offered (`tls-server-end-point`): libpq's
/// `channel_binding=require` logs in, and so does a client that does not bind.
#[test]
fn scram_channel_binding_over_tls() {
    let certs = Certs::make();
    let users = certs.path("users.txt");
    std::fs::write(&users, passwd_line("app", "app-pw")).unwrap();
    let (cert, key, users) = (
        certs.arg("server.crt"),
        certs.arg("server.key"),
        users.to_str().unwrap().to_string(),
    );
    let s = Server::start(&[
        "--tls-cert",
        &cert,
        "--tls-key",
        &key,
        "--auth-file",
        &users,
    ]);
    let run = |extra: &str, password: &str| {
        let conninfo = format!(
            "host=127.0.0.1 port={} user=app dbname=cb {extra}",
            s.port()
        );
        let (_, out, err) = psql_with_password(&conninfo, "SELECT current_user", password);
        (out, err)
    };
    for extra in [
        "sslmode=require channel_binding=require",
        "sslmode=require channel_binding=disable",
        "sslmode=disable channel_binding=prefer",
    ] {
        let (out, err) = run(extra, "app-pw");
        assert_eq!(out, "app", "{extra}: {err}");
    }
    let (out, err) = run("sslmode=require channel_binding=require", "wrong");
    assert!(
        out.is_empty() && err.contains("password authentication failed"),
        "{err}"
    );
}

#[test]
fn the_packaged_config_requires_tls_passwords_and_grants() {
    let certs = Certs::make();
    let users = certs.path("users.txt");
    std::fs::write(
        &users,
        passwd_line("provisioner", "prov-pw") + &passwd_line("app", "app-pw"),
    )
    .unwrap();
    // packaging/hba.conf's rule for other machines, for a client on this one.
    let hba = certs.path("hba.conf");
    std::fs::write(&hba, "hostssl all all 127.0.0.1/32 scram-sha-256\n").unwrap();
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/packaging/litewire.toml");
    let (cert, key, users, hba) = (
        certs.arg("server.crt"),
        certs.arg("server.key"),
        users.to_str().unwrap().to_string(),
        hba.to_str().unwrap().to_string(),
    );
    let s = Server::start(&[
        "--config",
        config,
        "--tls-cert",
        &cert,
        "--tls-key",
        &key,
        "--auth-file",
        &users,
        "--hba-file",
        &hba,
        "--metrics-listen",
        "127.0.0.1:0",
    ]);
    let run = |user: &str, password: &str, db: &str, ssl: &str| {
        let out = Command::new("psql")
            .args([
                "-X",
                "-At",
                &format!(
                    "host=localhost port={} user={user} dbname={db} sslmode={ssl} \
                     sslrootcert={}",
                    s.port(),
                    certs.arg("ca.crt")
                ),
                "-c",
                "SELECT current_user",
            ])
            .env("PGPASSWORD", password)
            .output()
            .unwrap();
        (
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (_, err) = run("app", "app-pw", "tenant1", "disable");
    assert!(
        err.contains("no pg_hba.conf entry") && err.contains("no encryption"),
        "{err}"
    );
    let (_, err) = run("app", "wrong", "tenant1", "verify-full");
    assert!(err.contains("password authentication failed"), "{err}");
    let (_, err) = run("app", "app-pw", "tenant1", "verify-full");
    assert!(err.contains("database \"tenant1\" does not exist"), "{err}");
    let (out, err) = run("provisioner", "prov-pw", "tenant1", "verify-full");
    assert_eq!(out, "provisioner", "{err}");
    let (out, err) = run("app", "app-pw", "tenant1", "verify-full");
    assert_eq!(out, "app", "{err}");
}
