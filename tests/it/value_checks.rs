//! What a column's type refuses, however the value arrives (a literal, a parameter,
//! INSERT … SELECT, UPDATE): PostgreSQL 15's errors for int2/int4 out of range (22003)
//! numeric(p,s) past its precision (22003) and varchar(n)/char(n) too long (22001); blanks past the length are cut, and an
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
    c.batch_execute("create table fo (a numeric(4,4), b numeric(3,1), c numeric(5))")
        .await
        .unwrap();
    for (sql, detail) in [
        (
            "insert into fo(a) values (1.0)",
            "A field with precision 4, scale 4 must round to an absolute value less than 1.",
        ),
        (
            "insert into fo(b) select 99.96",
            "A field with precision 3, scale 1 must round to an absolute value less than 10^2.",
        ),
        (
            "insert into fo(c) values (123456)",
            "A field with precision 5, scale 0 must round to an absolute value less than 10^5.",
        ),
    ] {
        let e = c.batch_execute(sql).await.unwrap_err();
        let db = e.as_db_error().unwrap();
        assert_eq!(
            (db.code().code(), db.message()),
            ("22003", "numeric field overflow"),
            "{sql}"
        );
        assert_eq!(db.detail(), Some(detail), "{sql}");
    }
    c.batch_execute("insert into fo values (0.99994, 99.94, 99999.4)")
        .await
        .unwrap();
    assert_eq!(
        rows(&c, "select * from fo").await[0],
        [
            Some("0.9999".to_string()),
            Some("99.9".to_string()),
            Some("99999".to_string())
        ]
    );
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

/// ALTER TABLE keeps the checks true: a new type's check replaces the old one, a value
/// too long for the new type is refused (not cut), an added column gets its check.
#[tokio::test]
async fn alter_table_keeps_value_checks() {
    let s = Server::start(&[]);
    let c = s.connect("value_checks_alter").await;
    c.batch_execute("create table a (v varchar(3)); insert into a values ('abc')")
        .await
        .unwrap();
    let e = c
        .batch_execute("alter table a alter column v type varchar(2)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22001");
    c.batch_execute("alter table a alter column v type varchar(5); insert into a values ('abcde')")
        .await
        .unwrap();
    c.batch_execute("alter table a add column w varchar(2)")
        .await
        .unwrap();
    let e = c
        .batch_execute("insert into a(w) values ('xyz')")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22001");
    assert_eq!(
        rows(&c, "select count(*) from a").await[0][0].as_deref(),
        Some("2")
    );
}

/// `"char"` is PostgreSQL's one-byte type (not char(1)): charin's first byte or `\ooo`
/// octal, charout's `\ooo` from 128 on and nothing for 0 (was the text unchanged).
#[tokio::test]
async fn one_byte_char_reads_and_prints_as_postgres() {
    let s = Server::start(&[]);
    let c = s.connect("value_checks").await;
    let got = rows(
        &c,
        "select '\\101'::\"char\", '\\000'::\"char\"::text, 'ab'::\"char\", 'é'::\"char\", \
         '\\377'::\"char\", '\\8'::\"char\", 65::\"char\", null::\"char\"",
    )
    .await;
    let want: Vec<Option<String>> = ["A", "", "a", "\\303", "\\377", "\\"]
        .iter()
        .map(|v| Some(v.to_string()))
        .chain([Some("A".to_string()), None])
        .collect();
    assert_eq!(got, vec![want]);
    let e = c.simple_query("select 200::\"char\"").await.unwrap_err();
    assert_eq!(sqlstate(&e), "22003");
}
