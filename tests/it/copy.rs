//! COPY: `FROM STDIN` through tokio-postgres (extended protocol), psql's `\copy` and the
//! raw wire (pgbench's end marker, CopyFail), `TO STDOUT` in text and CSV, bad rows,
//! and the refusal of server files and programs.

use futures_util::{SinkExt, StreamExt};

use crate::common::{psql, rows, sqlstate, Server};
use crate::transactions::{errors, q, status};
use crate::wire::{self, message, Raw};

fn copy_data(bytes: &[u8]) -> Vec<u8> {
    message(b'd', bytes)
}

fn copy_done() -> Vec<u8> {
    message(b'c', &[])
}

async fn copy_in(
    client: &tokio_postgres::Client,
    sql: &str,
    chunks: &[&[u8]],
) -> Result<u64, tokio_postgres::Error> {
    let sink = client.copy_in(sql).await?;
    futures_util::pin_mut!(sink);
    for c in chunks {
        sink.send(bytes::Bytes::copy_from_slice(c)).await?;
    }
    sink.finish().await
}

async fn copy_out(client: &tokio_postgres::Client, sql: &str) -> String {
    let stream = client.copy_out(sql).await.expect("copy out");
    futures_util::pin_mut!(stream);
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk.expect("copy data"));
    }
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn copy_in_and_out_with_tokio_postgres() {
    let s = Server::start(&[]);
    let c = s.connect("copyio").await;
    c.batch_execute("create table t (a int, b text, c boolean, d bytea, e numeric(6,2))")
        .await
        .unwrap();
    // Rows split across CopyData messages at arbitrary points, several per message.
    let n = copy_in(
        &c,
        "COPY t FROM STDIN",
        &[
            b"1\tone\tt\t\\\\x00ff\t1.5\n2\t",
            b"tab\\there\\\\\tf\t\\N\t\\N\n3\t\\N\ttrue\t",
            b"\\\\x\t-2\n",
        ],
    )
    .await
    .unwrap();
    assert_eq!(n, 3);
    assert_eq!(
        rows(&c, "select a, b, c, d, e from t order by a").await,
        vec![
            vec![
                Some("1".into()),
                Some("one".into()),
                Some("t".into()),
                Some("\\x00ff".into()),
                Some("1.50".into())
            ],
            vec![
                Some("2".into()),
                Some("tab\there\\".into()),
                Some("f".into()),
                None,
                None
            ],
            vec![
                Some("3".into()),
                None,
                Some("t".into()),
                Some("\\x".into()),
                Some("-2.00".into())
            ],
        ]
    );
    assert_eq!(
        copy_out(&c, "COPY t (a, b, c) TO STDOUT").await,
        "1\tone\tt\n2\ttab\\there\\\\\tf\n3\t\\N\tt\n"
    );
    assert_eq!(
        copy_out(&c, "COPY t TO STDOUT").await.lines().next(),
        Some("1\tone\tt\t\\\\x00ff\t1.50")
    );
    assert_eq!(
        copy_out(
            &c,
            "copy (select a, b from t where a < 3 order by a) to stdout with (format csv, header)"
        )
        .await,
        "a,b\n1,one\n2,tab\there\\\n"
    );
    // A column list, CSV in, and a last line without a newline.
    let n = copy_in(
        &c,
        "copy t (b, a) from stdin (format csv)",
        &[b"\"x,\"\"y\"\"\",10\n,11"],
    )
    .await
    .unwrap();
    assert_eq!(n, 2);
    assert_eq!(
        rows(&c, "select b from t where a >= 10 order by a").await,
        vec![vec![Some("x,\"y\"".into())], vec![None]]
    );
}

#[tokio::test]
async fn bad_rows_insert_nothing() {
    let s = Server::start(&[]);
    let c = s.connect("copybad").await;
    c.batch_execute("create table t (a int, b text)")
        .await
        .unwrap();
    let cases: [(&[u8], &str); 3] = [
        (b"1\tx\n2\n", "22P04"),
        (b"1\tx\n2\ty\tz\n", "22P04"),
        (b"1\tx\nzz\ty\n", "22P02"),
    ];
    for (data, code) in cases {
        let e = copy_in(&c, "copy t from stdin", &[data]).await.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{e:?}");
    }
    assert_eq!(
        rows(&c, "select count(*) from t").await,
        vec![vec![Some("0".into())]]
    );
    // Unknown table and column: refused before CopyInResponse. (Through tokio-postgres's
    // copy_in such an error leaves its connection confused, against PostgreSQL too.)
    for (sql, code) in [
        ("copy nosuch from stdin", "42P01"),
        ("copy t (a, zz) from stdin", "42703"),
        ("copy t (a, a) from stdin", "42701"),
    ] {
        let e = c.simple_query(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{sql}");
    }

    // Inside a block the error fails the transaction, as any statement's would.
    let (mut r, _) = Raw::session(s.port(), "copybad");
    q(&mut r, "begin");
    q(&mut r, "insert into t values (100, 'kept until rollback')");
    r.send(&wire::query("copy t from stdin"));
    assert_eq!(r.recv().unwrap().tag, b'G');
    r.send(&copy_data(b"1\tok\nnot a number\tx\n"));
    r.send(&copy_done());
    let msgs = r.until_ready();
    assert_eq!(errors(&msgs), vec!["22P02"]);
    let err = msgs.iter().find(|m| m.tag == b'E').unwrap();
    assert_eq!(
        err.field(b'W').as_deref(),
        Some("COPY t, line 2, column a: \"not a number\"")
    );
    assert_eq!(status(&msgs), 'E');
    assert_eq!(errors(&q(&mut r, "select 1")), vec!["25P02"]);
    q(&mut r, "rollback");
    assert_eq!(
        rows(&c, "select count(*) from t").await,
        vec![vec![Some("0".into())]]
    );
}

/// pgbench's data step, byte for byte: one CopyData per row, then `\.` and CopyDone,
/// inside BEGIN ... COMMIT.
#[test]
fn pgbench_style_copy_with_end_marker() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "copybench");
    q(
        &mut r,
        "create table pgbench_accounts(aid int not null,bid int,abalance int,filler char(84))",
    );
    q(&mut r, "create table pgbench_branches(bid int not null)");
    q(&mut r, "begin");
    // pgbench -i truncates first: COPY … FREEZE needs a table truncated in the block.
    q(&mut r, "truncate table pgbench_accounts, pgbench_branches");
    r.send(&wire::query(
        "copy pgbench_accounts from stdin with (freeze on)",
    ));
    let g = r.recv().unwrap();
    assert_eq!(g.tag, b'G', "{g:?}");
    // Text format overall, 4 columns, each text.
    assert_eq!(g.body, vec![0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0]);
    let rows_sent = 100_000;
    let mut out = Vec::new();
    for i in 1..=rows_sent {
        out.extend(copy_data(
            format!("{i}\t{}\t0\t\n", (i - 1) / 100_000 + 1).as_bytes(),
        ));
        if out.len() > 64 << 10 {
            r.send(&out);
            out.clear();
        }
    }
    out.extend(copy_data(b"\\.\n"));
    out.extend(copy_done());
    r.send(&out);
    let msgs = r.until_ready();
    assert_eq!(wire::tags(&msgs), "CZ");
    assert_eq!(msgs[0].tag_text(), format!("COPY {rows_sent}"));
    assert_eq!(status(&msgs), 'T');
    q(&mut r, "commit");
    let msgs = q(
        &mut r,
        "select count(*), sum(aid), min(filler) = '' from pgbench_accounts",
    );
    let d = msgs.iter().find(|m| m.tag == b'D').unwrap();
    let text = String::from_utf8_lossy(&d.body).to_string();
    assert!(
        text.contains("100000") && text.contains("5000050000"),
        "{text:?}"
    );
}

#[test]
fn copy_fail_and_stray_messages() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "copyfail");
    q(&mut r, "create table t (a int)");
    r.send(&wire::query("copy t from stdin"));
    assert_eq!(r.recv().unwrap().tag, b'G');
    r.send(&copy_data(b"1\n2\n"));
    let mut fail = b"client gave up".to_vec();
    fail.push(0);
    r.send(&message(b'f', &fail));
    let msgs = r.until_ready();
    assert_eq!(wire::tags(&msgs), "EZ");
    assert_eq!(msgs[0].sqlstate().as_deref(), Some("57014"));
    assert_eq!(
        msgs[0].field(b'M').as_deref(),
        Some("COPY from stdin failed: client gave up")
    );
    assert_eq!(status(&msgs), 'I');
    // Nothing was inserted; CopyData after the COPY ended is ignored, as PostgreSQL does.
    r.send(&copy_data(b"3\n"));
    r.send(&copy_done());
    let msgs = q(&mut r, "select count(*) from t");
    assert_eq!(errors(&msgs), Vec::<String>::new());
    assert!(String::from_utf8_lossy(&msgs[1].body).contains('0'));

    // A Query in the middle of COPY data is a protocol error that ends the COPY.
    r.send(&wire::query("copy t from stdin"));
    assert_eq!(r.recv().unwrap().tag, b'G');
    r.send(&copy_data(b"5\n"));
    r.send(&wire::query("select 1"));
    let msgs = r.until_ready();
    assert_eq!(errors(&msgs), vec!["08P01"]);
    let msgs = q(&mut r, "select count(*) from t");
    assert!(String::from_utf8_lossy(&msgs[1].body).contains('0'));
}

#[tokio::test]
async fn server_files_and_programs_are_refused() {
    let s = Server::start(&[]);
    let c = s.connect("copyfiles").await;
    c.batch_execute("create table t (a text)").await.unwrap();
    let target = s.dir().join("written-by-copy");
    for sql in [
        format!("copy t to '{}'", target.display()),
        "copy t from '/etc/passwd'".to_string(),
        "copy t from program 'touch /tmp/litewire-copy-program'".to_string(),
        "copy (select 1) to program 'cat'".to_string(),
    ] {
        let e = c.simple_query(&sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), "42501", "{sql}");
    }
    assert!(!target.exists());
    let e = c
        .simple_query("copy t from stdin (format binary)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "0A000");
}

#[test]
fn psql_backslash_copy() {
    let s = Server::start(&[]);
    let input = s.dir().join("in.tsv");
    let output = s.dir().join("out.csv");
    std::fs::write(&input, "1\talpha\n2\t\\N\n3\twith space\n").unwrap();
    let (ok, out, err) = psql(
        &s,
        "psqlcopy",
        &[
            "-c",
            "create table t (id int, name text)",
            "-c",
            &format!("\\copy t from '{}'", input.display()),
            "-c",
            &format!("\\copy t to '{}' with (format csv)", output.display()),
        ],
    );
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("COPY 3"), "{out}");
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        "1,alpha\n2,\n3,with space\n"
    );
    // COPY FROM STDIN with the data inline in a script, ended by `\.`.
    let script = s.dir().join("script.sql");
    std::fs::write(
        &script,
        "copy t from stdin;\n4\tfour\n\\.\nselect count(*) from t;\n",
    )
    .unwrap();
    let (ok, out, err) = psql(
        &s,
        "psqlcopy",
        &["-q", "-A", "-t", "-f", script.to_str().unwrap()],
    );
    assert!(ok, "{out}\n{err}");
    assert_eq!(out.trim(), "4");
}

/// statement_timeout covers a COPY waiting for its data, as in PostgreSQL.
#[test]
fn statement_timeout_ends_a_stalled_copy() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "copytimeout");
    q(&mut r, "create table t (a int)");
    q(&mut r, "set statement_timeout = 300");
    r.send(&wire::query("copy t from stdin"));
    assert_eq!(r.recv().unwrap().tag, b'G');
    r.send(&copy_data(b"1\n"));
    let msgs = r.until_ready();
    assert_eq!(errors(&msgs), vec!["57014"]);
    assert_eq!(
        msgs[0].field(b'M').as_deref(),
        Some("canceling statement due to statement timeout")
    );
    // The client's late CopyDone is ignored; nothing was inserted.
    r.send(&copy_done());
    let msgs = q(&mut r, "select count(*) from t");
    assert_eq!(errors(&msgs), Vec::<String>::new());
    assert_eq!(status(&msgs), 'I');
}

/// A CancelRequest during COPY FROM STDIN ends it (seen at the next message).
#[test]
fn cancel_request_ends_a_copy() {
    let s = Server::start(&[]);
    let (mut r, startup) = Raw::session(s.port(), "copycancel");
    let key = startup
        .iter()
        .find(|m| m.tag == b'K')
        .expect("BackendKeyData");
    q(&mut r, "create table t (a int)");
    r.send(&wire::query("copy t from stdin"));
    assert_eq!(r.recv().unwrap().tag, b'G');
    r.send(&copy_data(b"1\n"));
    let mut cancel = 16u32.to_be_bytes().to_vec();
    cancel.extend_from_slice(&80877102u32.to_be_bytes());
    cancel.extend_from_slice(&key.body[..8]);
    let mut other = Raw::connect(s.port());
    other.send(&cancel);
    assert!(other.recv().is_none(), "the cancel connection is closed");
    r.send(&copy_data(b"2\n"));
    let msgs = r.until_ready();
    assert_eq!(errors(&msgs), vec!["57014"]);
    assert_eq!(
        msgs[0].field(b'M').as_deref(),
        Some("canceling statement due to user request")
    );
    r.send(&copy_done());
    let msgs = q(&mut r, "select count(*) from t");
    assert_eq!(errors(&msgs), Vec::<String>::new());
}

/// CSV's FORCE options as PostgreSQL 15 answers them: FORCE_QUOTE quotes every value
/// of its columns, FORCE_NOT_NULL reads an unquoted null string as the string,
/// FORCE_NULL a quoted one as NULL; the legacy spellings; options only for one
/// direction or for CSV are 0A000, a column not in the COPY 42P10.
#[tokio::test]
async fn csv_force_options() {
    let s = Server::start(&[]);
    let c = s.connect("copyforce").await;
    c.batch_execute("create table f (a int, b text, c text, d text)")
        .await
        .unwrap();
    let n = copy_in(
        &c,
        "COPY f (a, b, c) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL(b), FORCE_NULL(c))",
        &[b"1,,\"\"\n2,\"\",\n"],
    )
    .await
    .unwrap();
    assert_eq!(n, 2);
    let got = rows(&c, "select a, b is null, b, c is null from f order by a").await;
    let s = |v: &str| Some(v.to_string());
    assert_eq!(
        got,
        vec![
            vec![s("1"), s("f"), s(""), s("t")],
            vec![s("2"), s("f"), s(""), s("t")]
        ]
    );
    copy_in(
        &c,
        "copy f (a, d) from stdin csv force not null d",
        &[b"3,\n"],
    )
    .await
    .unwrap();
    assert_eq!(
        rows(&c, "select d from f where a = 3").await,
        vec![vec![s("")]]
    );
    assert_eq!(
        copy_out(&c, "COPY f (a, b) TO STDOUT (FORMAT csv, FORCE_QUOTE (a)) ").await,
        "\"1\",\"\"\n\"2\",\"\"\n\"3\",\n"
    );
    assert_eq!(
        copy_out(
            &c,
            "COPY (select a, c from f where a < 3) TO STDOUT CSV FORCE QUOTE *"
        )
        .await,
        "\"1\",\n\"2\",\n"
    );
    assert_eq!(
        copy_out(
            &c,
            "COPY f (a) TO STDOUT WITH CSV QUOTE '''' NULL 'I''m null'"
        )
        .await,
        "1\n2\n3\n"
    );
    for (sql, code) in [
        ("copy f to stdout (force_quote (a))", "0A000"),
        ("copy f from stdin (format csv, force_quote (a))", "0A000"),
        ("copy f to stdout (format csv, force_not_null (a))", "0A000"),
        ("copy f from stdin (force_null (a))", "0A000"),
        (
            "copy f (a) to stdout (format csv, force_quote (b))",
            "42P10",
        ),
        (
            "copy f (a) from stdin (format csv, force_null (b))",
            "42P10",
        ),
        ("copy f from stdin (format csv, force_null (nope))", "42703"),
    ] {
        let e = c.simple_query(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{sql}: {e}");
    }
}

/// COPY … FREEZE as PostgreSQL 15 allows it: only into a table created or truncated in
/// the current subtransaction (55000 otherwise), and not with a cursor open (25000).
/// Through psql, whose script was run on PostgreSQL 15 for the expected output.
#[test]
fn copy_freeze_needs_a_table_new_in_the_subtransaction() {
    let s = Server::start(&[]);
    let script = s.dir().join("freeze.sql");
    std::fs::write(
        &script,
        "create table v (a text);
copy v from stdin (format csv, freeze);
a
\\.
begin;
truncate v;
copy v from stdin (format csv, freeze);
a
b
\\.
savepoint s1;
copy v from stdin (format csv, freeze);
c
\\.
rollback to s1;
truncate v;
release s1;
copy v from stdin (format csv, freeze);
d
\\.
commit;
select string_agg(a, ',') from v;
begin;
savepoint s;
truncate v;
rollback to s;
copy v from stdin (format csv, freeze);
e
\\.
rollback;
begin;
create table w (a text);
declare k cursor for select 1;
copy w from stdin freeze;
x
\\.
rollback;
copy v from stdin (freeze off);
f
\\.
select string_agg(a, ',') from v;
",
    )
    .unwrap();
    let (_, out, err) = psql(
        &s,
        "copyfreeze",
        &["-q", "-A", "-t", "-f", script.to_str().unwrap()],
    );
    assert_eq!(out, "d\nd,f\n", "{err}");
    let errors: Vec<&str> = err
        .lines()
        .filter_map(|l| l.split("ERROR:  ").nth(1))
        .collect();
    let not_new = "cannot perform COPY FREEZE because the table was not created or truncated \
                   in the current subtransaction";
    assert_eq!(
        errors,
        [
            not_new,
            not_new,
            not_new,
            "cannot perform COPY FREEZE because of prior transaction activity"
        ],
        "{err}"
    );
}

/// `n` text rows `i\tname-i\tv-i` from line `from` on, with line `bad` (if any) broken.
fn many_rows(from: u32, n: u32, bad: Option<u32>) -> Vec<u8> {
    let mut data = Vec::new();
    for i in from..from + n {
        if Some(i) == bad {
            data.extend_from_slice(b"oops\tx\ty\n");
        } else {
            data.extend_from_slice(format!("{i}\tname-{i}\tv-{i}\n").as_bytes());
        }
    }
    data
}

/// A COPY spans many batches (the session reads one while a worker inserts the one
/// before): an error in any of them, or a CopyFail after several, inserts nothing, and
/// the error names its line.
#[test]
fn errors_in_any_batch_of_a_long_copy() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "copylong");
    q(&mut r, "create table t (a int, b text, c varchar(20))");
    let count = |r: &mut Raw| {
        let msgs = q(r, "select count(*), sum(a) from t");
        let row = msgs.iter().find(|m| m.tag == b'D').unwrap().clone();
        row.body
    };
    for bad in [2u32, 9_000, 20_000, 29_999] {
        r.send(&wire::query("copy t from stdin"));
        assert_eq!(r.recv().unwrap().tag, b'G');
        // In messages of about 64 KiB, as a client library sends them.
        for chunk in many_rows(1, 30_000, Some(bad)).chunks(65_536) {
            r.send(&copy_data(chunk));
        }
        r.send(&copy_done());
        let msgs = r.until_ready();
        assert_eq!(errors(&msgs), vec!["22P02"], "bad line {bad}");
        let err = msgs.iter().find(|m| m.tag == b'E').unwrap();
        assert_eq!(
            err.field(b'W').as_deref(),
            Some(format!("COPY t, line {bad}, column a: \"oops\"").as_str())
        );
        assert_eq!(status(&msgs), 'I');
    }
    let empty = count(&mut r);

    // CopyFail after several batches.
    r.send(&wire::query("copy t from stdin"));
    assert_eq!(r.recv().unwrap().tag, b'G');
    for chunk in many_rows(1, 25_000, None).chunks(65_536) {
        r.send(&copy_data(chunk));
    }
    r.send(&message(b'f', b"enough\0"));
    let msgs = r.until_ready();
    assert_eq!(errors(&msgs), vec!["57014"]);
    assert_eq!(count(&mut r), empty);

    // The whole of it, line by line as psql sends it, then checked.
    r.send(&wire::query("copy t from stdin"));
    assert_eq!(r.recv().unwrap().tag, b'G');
    let data = many_rows(1, 30_000, None);
    for line in data.split_inclusive(|&b| b == b'\n') {
        r.send(&copy_data(line));
    }
    r.send(&copy_done());
    let msgs = r.until_ready();
    assert_eq!(errors(&msgs), Vec::<String>::new());
    let tag = msgs.iter().find(|m| m.tag == b'C').unwrap();
    assert_eq!(&tag.body[..], b"COPY 30000\0");
    let msgs = q(
        &mut r,
        "select count(*), sum(a), min(b), max(c), sum(length(b)) from t",
    );
    let row = msgs.iter().find(|m| m.tag == b'D').unwrap();
    let want: u32 = (1..=30_000u32)
        .map(|i| 5 + i.to_string().len() as u32)
        .sum();
    let text = String::from_utf8_lossy(&row.body).to_string();
    for part in ["30000", "450015000", "name-1", "v-9999", &want.to_string()] {
        assert!(text.contains(part), "{part} in {text:?}");
    }
}

/// Lines go in several to one INSERT: defaults, escapes and NULLs land in the right rows,
/// and a constraint error names its line as when lines went in one by one.
#[test]
fn many_lines_per_insert_keep_rows_and_error_lines() {
    let s = Server::start(&[]);
    let (mut r, _) = Raw::session(s.port(), "copymany");
    q(
        &mut r,
        "create table u (a int primary key, b text not null default 'd', c text)",
    );
    let copy = |r: &mut Raw, sql: &str, data: &[u8]| {
        r.send(&wire::query(sql));
        assert_eq!(r.recv().unwrap().tag, b'G');
        r.send(&copy_data(data));
        r.send(&copy_done());
        r.until_ready()
    };
    let mut data = Vec::new();
    for i in 1..=100 {
        let c = if i % 7 == 0 {
            "\\N".to_string()
        } else {
            format!("x\\ty{i}")
        };
        data.extend_from_slice(format!("{i}\t{c}\n").as_bytes());
    }
    let msgs = copy(&mut r, "copy u (a, c) from stdin", &data);
    assert_eq!(errors(&msgs), Vec::<String>::new());
    let msgs = q(
        &mut r,
        "select count(*), count(c), min(b), max(b), \
         sum(case when c = E'x\\ty' || a then 1 else 0 end) from u",
    );
    let row = msgs.iter().find(|m| m.tag == b'D').unwrap();
    let text = String::from_utf8_lossy(&row.body).to_string();
    // 100 rows, 14 NULLs in c, b defaulted everywhere, every c in its own row.
    for part in ["100", "86", "d"] {
        assert!(text.contains(part), "{part} in {text:?}");
    }
    assert!(text.ends_with("86"), "{text:?}");

    // A duplicate key at line 40 of 100, and a NULL into b at line 77.
    for (line, value, code) in [(40, "1\tk", "23505"), (77, "500\t\\N", "23502")] {
        let mut data = Vec::new();
        for i in 1..=100 {
            let row = if i == line {
                value.to_string()
            } else {
                format!("{}\tb{i}", 1000 + i)
            };
            data.extend_from_slice(format!("{row}\n").as_bytes());
        }
        let msgs = copy(&mut r, "copy u (a, b) from stdin", &data);
        assert_eq!(errors(&msgs), vec![code]);
        let err = msgs.iter().find(|m| m.tag == b'E').unwrap();
        let context = err.field(b'W').unwrap();
        assert!(
            context.starts_with(&format!("COPY u, line {line}")),
            "{context}"
        );
    }
    let msgs = q(&mut r, "select count(*) from u");
    let row = msgs.iter().find(|m| m.tag == b'D').unwrap();
    assert!(String::from_utf8_lossy(&row.body).ends_with("100"));
}
