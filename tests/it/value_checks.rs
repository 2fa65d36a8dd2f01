//! What a column's type refuses, however the value arrives (a literal, a parameter,
//! INSERT … SELECT, UPDATE): PostgreSQL 15's errors for int2/int4 out of range (22003)
//! and varchar(n)/char(n) too long (22001); blanks past the length are cut, and an
//! explicit cast truncates.

use crate::common::{rows, sqlstate, Server};

#[tokio::test]
async fn column_types_refuse_what_postgres_refuses() {
    let s = Server::start(&[]);
    let c = s.connect("value_checks").await;
    c.batch_execute("create table c (a char(4), b varchar(4), s int2, i int4)")
        .await
        .unwrap();
    let refused = [
        (
            "insert into c(a) values ('abcde')",
            "22001",
            "value too long for type character(4)",
        ),
        (
            "insert into c(b) values ('abcde')",
            "22001",
            "value too long for type character varying(4)",
        ),
        (
            "insert into c(b) select 'xxxxx'",
            "22001",
            "value too long for type character varying(4)",
        ),
        (
            "insert into c(s) select 40000",
            "22003",
            "smallint out of range",
        ),
        (
            "insert into c(i) select 4000000000",
            "22003",
            "integer out of range",
        ),
    ];
    for (sql, code, message) in refused {
        let e = c.batch_execute(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{sql}");
        assert_eq!(e.as_db_error().unwrap().message(), message, "{sql}");
    }
    // A parameter is checked too.
    let e = c
        .execute("insert into c(b) values ($1)", &[&"toolong"])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22001");
    c.batch_execute(
        "insert into c(a, b, s, i) values ('ab  ', 'ab    ', 32767, -2147483648);
         insert into c(a, b) values ('abcd   ', 'abcd   ')",
    )
    .await
    .unwrap();
    let e = c
        .batch_execute("update c set b = b || 'zzzzz'")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22001");
    let got = rows(&c, "select a, b, length(a), length(b) from c order by b").await;
    let want = [["ab  ", "ab  ", "2", "4"], ["abcd", "abcd", "4", "4"]];
    for (g, w) in got.iter().zip(want) {
        let g: Vec<&str> = g.iter().map(|v| v.as_deref().unwrap_or("")).collect();
        assert_eq!(g, w);
    }
    let casts = rows(
        &c,
        "select 'abcdef'::varchar(3), 'abcdef'::char(2), 'x'::char(3) || 'y'",
    )
    .await;
    assert_eq!(
        casts[0],
        [
            Some("abc".to_string()),
            Some("ab".to_string()),
            Some("xy".to_string())
        ]
    );
}
