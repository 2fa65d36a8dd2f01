//! The record functions (issue 9): `json[b]_to_record[set]` with a column definition
//! list, `json[b]_populate_record[set]` with a table's row type (`null::t`, its columns
//! read when the statement is prepared) and a base record (`row(…)::t`), values read
//! with each column type's input rules (arrays by populate_array's rules, json/jsonb
//! columns as JSON, char(n)/varchar(n), dates), and PostgreSQL's errors. Every expected
//! answer was taken from PostgreSQL 15.

use crate::common::{rows, sqlstate, Server};

/// Runs each statement and compares its rows, values joined with `|`, one row a line.
async fn answers(c: &tokio_postgres::Client, cases: &[(&str, &str)]) {
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
async fn refusals(c: &tokio_postgres::Client, cases: &[(&str, &str, &str)]) {
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

async fn client(s: &Server) -> tokio_postgres::Client {
    let c = s.connect("records").await;
    c.batch_execute(
        "create table jpop (a text, b int, c timestamp);
         create table jpop_src (id int, j json);
         insert into jpop_src values (1, '{\"a\": \"one\", \"b\": 1}'), (2, '{\"a\": \"two\", \"x\": 5}');",
    )
    .await
    .unwrap();
    c
}

#[tokio::test]
async fn records_from_json_objects() {
    let s = Server::start(&[]);
    let c = client(&s).await;
    answers(
        &c,
        &[
        (
            r#"select * from json_to_record('{"a":1,"b":"foo","c":"bar"}') as x(a int, b text, d text)"#,
            r#"1|foo|"#,
        ),
        (
            r#"select * from jsonb_to_recordset('[{"a":1,"b":"foo","d":false},{"a":2,"b":"bar","c":true}]') as x(a int, b text, c boolean)"#,
            r#"1|foo|
2|bar|t"#,
        ),
        (
            r#"select * from json_to_recordset('[{"a":1,"b":{"d":"foo"},"c":true},{"a":2,"c":false,"b":{"d":"bar"}}]') as x(a int, b json, c boolean)"#,
            r#"1|{"d":"foo"}|t
2|{"d":"bar"}|f"#,
        ),
        (
            r#"select * from json_to_record('{"ia": [1, "2", null, 4]}') as x(ia _int4)"#,
            r#"{1,2,NULL,4}"#,
        ),
        (
            r#"select * from jsonb_to_record('{"ia2": [[[1], [2], [3]]]}') as x(ia2 int4[][])"#,
            r#"{{{1},{2},{3}}}"#,
        ),
        (
            r#"select * from json_to_record('{"ia": [[], []]}') as x(ia int[])"#,
            r#"{}"#,
        ),
        (
            r#"select * from json_to_record('{"out": "{\"key\": 1}"}') as x(out jsonb)"#,
            r#""{\"key\": 1}""#,
        ),
        (
            r#"select * from jsonb_to_record('{"out": {"key": 1}}') as x(out json)"#,
            r#"{"key": 1}"#,
        ),
        (
            r#"select * from json_to_record('{"c": "aaa", "v": "ab"}') as x(c char(5), v varchar(3))"#,
            r#"aaa  |ab"#,
        ),
        (
            r#"select * from json_to_record('{"d": "2012-12-31", "t": "2012-12-31 15:30:56"}') as x(d date, t timestamp)"#,
            r#"2012-12-31|2012-12-31 15:30:56"#,
        ),
        (
            r#"select * from json_to_record(null) as x(a int)"#,
            r#""#,
        ),
        (
            r#"select count(*) from json_to_recordset(null) as x(a int)"#,
            r#"0"#,
        ),
        (
            r#"select * from json_populate_record(null::jpop, '{"a":"blurfl","x":43.2}') q"#,
            r#"blurfl||"#,
        ),
        (
            r#"select * from json_populate_record(row('x',3,'2012-12-31 15:30:56')::jpop, '{"a":[100,200,false],"x":43.2}') q"#,
            r#"[100,200,false]|3|2012-12-31 15:30:56"#,
        ),
        (
            r#"select * from jsonb_populate_recordset(row('def',99,null)::jpop, '[{"a":"blurfl","x":43.2},{"b":3,"c":"2012-01-20 10:42:53"}]') q"#,
            r#"blurfl|99|
def|3|2012-01-20 10:42:53"#,
        ),
        (
            r#"select jt.id, x.a, x.b from jpop_src jt, json_to_record(jt.j) as x(a text, b int) order by jt.id"#,
            r#"1|one|1
2|two|"#,
        ),
        ],
    )
    .await;
}

#[tokio::test]
async fn record_errors_are_postgresqls() {
    let s = Server::start(&[]);
    let c = client(&s).await;
    refusals(
        &c,
        &[
        (
            r#"select * from json_to_record('{"ia": 123}') as x(ia _int4)"#,
            "22P02",
            r#"expected JSON array"#,
        ),
        (
            r#"select * from json_to_record('{"ia": [[1], 2]}') as x(ia _int4)"#,
            "22P02",
            r#"expected JSON array"#,
        ),
        (
            r#"select * from json_to_record('{"ia": [[1], [2, 3]]}') as x(ia _int4)"#,
            "22P02",
            r#"malformed JSON array"#,
        ),
        (
            r#"select * from json_to_record('{"a": "abc"}') as x(a int)"#,
            "22P02",
            r#"invalid input syntax for type integer: "abc""#,
        ),
        (
            r#"select * from json_to_record('{"a": 12345}') as x(a varchar(3))"#,
            "22001",
            r#"value too long for type character varying(3)"#,
        ),
        (
            r#"select * from json_to_record('[1]') as x(a text)"#,
            "22023",
            r#"cannot call populate_composite on an array"#,
        ),
        (
            r#"select * from json_to_recordset('{"a":1}') as x(a text)"#,
            "22023",
            r#"cannot call json_to_recordset on an object"#,
        ),
        (
            r#"select * from jsonb_to_recordset('[1]') as x(a text)"#,
            "22023",
            r#"argument of jsonb_to_recordset must be an array of objects"#,
        ),
        (
            r#"select * from json_to_record('{"a": "x"}') as x"#,
            "42601",
            r#"a column definition list is required for functions returning "record""#,
        ),
        (
            r#"select * from json_populate_record(null::no_such_type, '{}') q"#,
            "42704",
            r#"type "no_such_type" does not exist"#,
        ),
        (
            r#"select a, b from jpop_src, json_populate_record(null::jpop, jpop_src.j) as r where id = 2"#,
            "0A000",
            r#"json_populate_record over a column with a base record's type is not supported by litewire"#,
        ),
        ],
    )
    .await;
}
