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
        ("create table t (a int)", "42P07"),
        ("select nofunc(1)", "42883"),
    ];
    for (sql, code) in cases {
        let e = c.simple_query(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{sql}: {e}");
    }
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
