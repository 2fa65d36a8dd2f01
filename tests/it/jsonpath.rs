//! SQL/JSON path (issue 9): `@?`, `@@` and the `jsonb_path_*` functions (vars, silent,
//! named arguments, jsonb_path_query as a set-returning function), lax and strict
//! modes, accessors, filters, arithmetic with numeric's scales, methods, like_regex,
//! starts with; PostgreSQL's errors, and the bound on one evaluation
//! (--max-jsonpath-items). Every expected answer was taken from PostgreSQL 15.

use crate::common::{answers, refusals, sqlstate, Server};

#[tokio::test]
async fn paths_answer_as_postgresql() {
    let s = Server::start(&[]);
    let c = s.connect("paths").await;
    answers(
        &c,
        &[
        (
            r#"select '{"a":[1,2,3]}'::jsonb @? '$.a[*] ? (@ > 2)', '{"a":[1,2,3]}'::jsonb @@ '$.a[*] > 2', '{"a":1}'::jsonb @@ '$.b == 1'"#,
            r#"t|t|f"#,
        ),
        (
            r#"select '{"a":1}'::jsonb @? 'strict $.b', '{"a":1}'::jsonb @@ '$.a'"#,
            r#"|"#,
        ),
        (
            r#"select jsonb_path_exists('{"a":[1,2,3]}', '$.a[*] ? (@ >= $min && @ <= $max)', '{"min":2,"max":3}')"#,
            r#"t"#,
        ),
        (
            r#"select jsonb_path_exists('[1]', 'strict $[5]', '{}', true), jsonb_path_match('[1,2]', '$[*] == 1')"#,
            r#"|t"#,
        ),
        (
            r#"select jsonb_path_query_array('{"a":[1,2,3,4,5]}', '$.a[1 to last]'), jsonb_path_query_first('{"a":[{"b":1},{"b":2}]}', '$.a[*].b')"#,
            r#"[2, 3, 4, 5]|1"#,
        ),
        (
            r#"select * from jsonb_path_query('{"a":[{"b":1},{"b":[2,3]}]}', 'lax $.a[*].b')"#,
            r#"1
[2, 3]"#,
        ),
        (
            r#"select jsonb_path_query('{"a":{"b":{"c":1}}}', '$.**')"#,
            r#"{"a": {"b": {"c": 1}}}
{"b": {"c": 1}}
{"c": 1}
1"#,
        ),
        (
            r#"select jsonb_path_query('{"a":{"b":{"c":1}}}', 'lax $.**{2 to last}')"#,
            r#"{"c": 1}
1"#,
        ),
        (
            r#"select jsonb_path_query('[1,"a",null,true,[1],{}]', '$[*].type()')"#,
            r#""number"
"string"
"null"
"boolean"
"array"
"object""#,
        ),
        (
            r#"select jsonb_path_query_array('1', '1 / 3'), jsonb_path_query_array('1', '10 / 4'), jsonb_path_query_array('1', '0.1 + 0.2'), jsonb_path_query_array('1', '2.5 * 2'), jsonb_path_query_array('1', '-7.5 % 2')"#,
            r#"[0.33333333333333333333]|[2.5000000000000000]|[0.3]|[5.0]|[-1.5]"#,
        ),
        (
            r#"select jsonb_path_query_array('[1, -2.5, 3.7]', '$[*].abs()'), jsonb_path_query_array('[1, -2.5, 3.7]', '$[*].floor()'), jsonb_path_query_array('[1, -2.5, 3.7]', '$[*].ceiling()'), jsonb_path_query_array('["1.5e1", 2]', '$[*].double()')"#,
            r#"[1, 2.5, 3.7]|[1, -3, 3]|[1, -2, 4]|[15, 2]"#,
        ),
        (
            r#"select jsonb_path_query_array('{"a":[1,2]}', 'strict $.a.size()'), jsonb_path_query_array('{"a":1,"b":"x"}', '$.keyvalue()')"#,
            r#"[2]|[{"id": 0, "key": "a", "value": 1}, {"id": 0, "key": "b", "value": "x"}]"#,
        ),
        (
            r#"select jsonb_path_query_array('["abc", "ABd", "x"]', '$[*] ? (@ like_regex "^ab" flag "i")'), jsonb_path_query_array('["abc", "xbc"]', '$[*] ? (@ starts with "ab")')"#,
            r#"["abc", "ABd"]|["abc"]"#,
        ),
        (
            r#"select jsonb_path_query_array('[1,2,3]', '$[last]'), jsonb_path_query_array('[1,2,3]', '$[0, last - 1]'), jsonb_path_query_array('[1,[2,[3]]]', 'lax $[*][*]')"#,
            r#"[3]|[1, 2]|[1, 2, [3]]"#,
        ),
        (
            r#"select jsonb_path_query_array('{"x":1}', '(1 == 1) is unknown'), jsonb_path_query_array('{"x":1}', '("a" == 1) is unknown'), jsonb_path_query_array('[null, 1]', '$[*] ? (@ != 1)')"#,
            r#"[false]|[true]|[null]"#,
        ),
        (
            r#"select jsonb_path_query_array('{"a": [1, {"b": 2}]}', 'strict $.**.b'), jsonb_path_query_array('{}', '$"x y"', '{"x y":"y"}')"#,
            r#"[2]|["y"]"#,
        ),
        (
            r#"select jsonb_path_query_first('{"a":1}', 'strict $.b', silent => true), jsonb_path_match('[1]', '$', silent => true)"#,
            r#"|"#,
        ),
        ],
    )
    .await;
}

#[tokio::test]
async fn path_errors_are_postgresqls() {
    let s = Server::start(&[]);
    let c = s.connect("paths").await;
    refusals(
        &c,
        &[
        (
            r#"select jsonb_path_query_first('{"a":1}', 'strict $.b')"#,
            "2203A",
            r#"JSON object does not contain key "b""#,
        ),
        (
            r#"select jsonb_path_query_first('1', 'strict $.b')"#,
            "2203A",
            r#"jsonpath member accessor can only be applied to an object"#,
        ),
        (
            r#"select jsonb_path_query_first('1', 'strict $[1]')"#,
            "22039",
            r#"jsonpath array accessor can only be applied to an array"#,
        ),
        (
            r#"select jsonb_path_query_first('[1]', 'strict $[1]')"#,
            "22033",
            r#"jsonpath array subscript is out of bounds"#,
        ),
        (
            r#"select jsonb_path_query_first('1', 'strict $.*')"#,
            "2203C",
            r#"jsonpath wildcard member accessor can only be applied to an object"#,
        ),
        (
            r#"select jsonb_path_query_first('[1,2]', '$ + 1')"#,
            "22038",
            r#"left operand of jsonpath operator + is not a single numeric value"#,
        ),
        (
            r#"select jsonb_path_query_first('"a"', '-$')"#,
            "2203B",
            r#"operand of unary jsonpath operator - is not a numeric value"#,
        ),
        (
            r#"select jsonb_path_query_first('1', '$ / 0')"#,
            "22012",
            r#"division by zero"#,
        ),
        (
            r#"select jsonb_path_query_first('1', 'strict $.size()')"#,
            "22039",
            r#"jsonpath item method .size() can only be applied to an array"#,
        ),
        (
            r#"select jsonb_path_query_first('"a"', '$.abs()')"#,
            "22036",
            r#"jsonpath item method .abs() can only be applied to a numeric value"#,
        ),
        (
            r#"select jsonb_path_query_first('"a"', '$.double()')"#,
            "22036",
            r#"string argument of jsonpath item method .double() is not a valid representation of a double precision number"#,
        ),
        (
            r#"select jsonb_path_query_first('1', '$x')"#,
            "42704",
            r#"could not find jsonpath variable "x""#,
        ),
        (
            r#"select jsonb_path_match('1', '$')"#,
            "22038",
            r#"single boolean result is expected"#,
        ),
        (
            r#"select jsonb_path_query_first('1', '$', '1')"#,
            "22023",
            r#""vars" argument is not an object"#,
        ),
        (
            r#"select jsonb_path_query_first('1', '$ ? (@ = 1)')"#,
            "42601",
            r#"syntax error at or near "=" of jsonpath input"#,
        ),
        (
            r#"select jsonb_path_query_first('1', 'last')"#,
            "42601",
            r#"LAST is allowed only in array subscripts"#,
        ),
        (
            r#"select jsonb_path_query_first('1', '')"#,
            "22P02",
            r#"invalid input syntax for type jsonpath: """#,
        ),
        ],
    )
    .await;
}

#[tokio::test]
async fn paths_filter_table_rows() {
    let s = Server::start(&[]);
    let c = s.connect("paths").await;
    c.batch_execute(
        "create table docs (id int, j jsonb);
         insert into docs values (1, '{\"age\": 25, \"tags\": [\"a\", \"b\"]}'),
                                 (2, '{\"age\": 30, \"tags\": [\"b\"]}'),
                                 (3, '{\"name\": \"x\"}');",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[
            (
                "select id from docs where j @? '$.tags[*] ? (@ == \"b\")' order by id",
                "1\n2",
            ),
            ("select id from docs where j @@ '$.age == 25.0'", "1"),
            ("select count(*) from docs where j @@ 'exists($.age)'", "2"),
        ],
    )
    .await;
}

#[tokio::test]
async fn an_evaluation_is_bounded() {
    let s = Server::start(&["--max-jsonpath-items", "1000"]);
    let c = s.connect("paths").await;
    let e = c
        .simple_query("select jsonb_path_query_array(jsonb_agg(g), '$.**.**') from generate_series(1, 2000) g")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "54000");
    // Within the bound, the same shape of path runs.
    answers(
        &c,
        &[(
            "select jsonb_path_query_array('[1, [2]]', '$.**.**')",
            "[[1, [2]], 1, [2], 2, 1, [2], 2, 2]",
        )],
    )
    .await;
}

#[tokio::test]
async fn path_results_have_their_types() {
    let s = Server::start(&[]);
    let c = s.connect("paths").await;
    let row = c
        .query_one(
            r#"select '{"a":1}'::jsonb @? '$.a', jsonb_path_match('{"a":1}', '$.a == 2'), jsonb_path_query_first('{"a":[1]}', '$.a')::text"#,
            &[],
        )
        .await
        .unwrap();
    assert!(row.get::<_, bool>(0));
    assert!(!row.get::<_, bool>(1));
    assert_eq!(row.get::<_, &str>(2), "[1]");
}

#[tokio::test]
async fn path_rows_are_jsonb() {
    let s = Server::start(&[]);
    let c = s.connect("paths").await;
    let rows = c
        .query(
            r#"select * from jsonb_path_query('{"a":[1,{"b":2}]}', '$.a[*]')"#,
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        rows[0].columns()[0].type_(),
        &tokio_postgres::types::Type::JSONB
    );
    assert_eq!(rows.len(), 2);
}
