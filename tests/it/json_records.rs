//! The record functions and the json functions added with them (issue 9): `json[b]_to_record[set]` with a column definition
//! list, `json[b]_populate_record[set]` with a table's row type (`null::t`, its columns
//! read when the statement is prepared) and a base record (`row(…)::t`), values read
//! with each column type's input rules (arrays by populate_array's rules, json/jsonb
//! columns as JSON, char(n)/varchar(n), dates), and PostgreSQL's errors. Every expected
//! answer was taken from PostgreSQL 15.

use crate::common::{answers, refusals, Server};

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

#[tokio::test]
async fn json_functions_and_casts() {
    let s = Server::start(&[]);
    let c = s.connect("functions").await;
    answers(
        &c,
        &[
            (
                r#"select ('{"1":2}'::jsonb)[1], ('[1,"2"]'::jsonb)['1'], ('[1,"2"]'::jsonb)['x'], ('{"a":{"b":3}}'::jsonb)['a']['b']"#,
                r#"2|"2"||3"#,
            ),
        (
            r#"SELECT json_object('{a,1,b,2,3,NULL,"d e f","a b c"}')"#,
            r#"{"a" : "1", "b" : "2", "3" : null, "d e f" : "a b c"}"#,
        ),
        (
            r#"SELECT json_object('{{a,1},{b,2},{3,NULL},{"d e f","a b c"}}'), jsonb_object('{a,1,b,2,a,3}')"#,
            r#"{"a" : "1", "b" : "2", "3" : null, "d e f" : "a b c"}|{"a": "3", "b": "2"}"#,
        ),
        (
            r#"select json_object('{a,b,"","d e f"}','{1,2,3,"a b c"}'), json_object('{}')"#,
            r#"{"a" : "1", "b" : "2", "" : "3", "d e f" : "a b c"}|{}"#,
        ),
        (
            r#"select jsonb_set_lax('{"a":1,"b":2}', '{b}', null, null_value_treatment => 'delete_key'), jsonb_set_lax('{"a":1,"b":2}','{d}',null,true)"#,
            r#"{"a": 1}|{"a": 1, "b": 2, "d": null}"#,
        ),
        (
            r#"select array_to_json('{a,"b c",NULL}'::text[]), array_to_json('{t,f}'::bool[]), array_to_json(ARRAY [jsonb '{"a":1}', jsonb '{"b":[2,3]}'])"#,
            r#"["a","b c",null]|[true,false]|[{"a": 1},{"b": [2, 3]}]"#,
        ),
        (
            r#"select array_to_json('{{1,2},{3,4}}'::int[], true)"#,
            r#"[[1,2],
 [3,4]]"#,
        ),
        (
            r#"select row_to_json(row(1,'foo', true, null, 1.5), true)"#,
            r#"{"f1":1,
 "f2":"foo",
 "f3":true,
 "f4":null,
 "f5":1.5}"#,
        ),
        (
            r#"SELECT jsonb_contains('{"a":"b", "b":1, "c":null}', '{"a":"b"}'), jsonb_contained('{"a":"b"}', '{"a":"b", "b":1, "c":null}'), jsonb_exists_any('{"a":1}', '{a,b}'), jsonb_exists_all('{"a":1}', '{a,b}')"#,
            r#"t|t|t|f"#,
        ),
        (
            r#"select jsonb_delete('{"a":1 , "b":2, "c":3}'::jsonb, 'a'), jsonb_delete_path('{"n":null, "a":1, "b":[1,2]}', '{b,-1}'), '[]'::jsonb #- '{a}', jsonb_concat('{"d": "test"}', '{"g": 1}')"#,
            r#"{"b": 2, "c": 3}|{"a": 1, "b": [1], "n": null}|[]|{"d": "test", "g": 1}"#,
        ),
        (
            r#"select json_array_elements('[1,true,[1,[2,3]],null,{"f1":1,"f2":[7,8,9]},false,"stringy"]')"#,
            r#"1
true
[1,[2,3]]
null
{"f1":1,"f2":[7,8,9]}
false
"stringy""#,
        ),
        (
            r#"select jsonb_array_elements_text('[1,true,[1,[2,3]],null,"stringy"]')"#,
            r#"1
true
[1, [2, 3]]

stringy"#,
        ),
        (
            r#"select json_each('{"f1":[1,2,3],"f2":{"f3":1},"f4":null}')"#,
            r#"(f1,"[1,2,3]")
(f2,"{""f3"":1}")
(f4,null)"#,
        ),
        (
            r#"select json_each_text('{"f1":[1,2,3],"f2":{"f3":1},"f4":null,"f5":"null"}')"#,
            r#"(f1,"[1,2,3]")
(f2,"{""f3"":1}")
(f4,)
(f5,null)"#,
        ),
        (
            r#"SELECT jsonb_each('{"a":{"b":"c","c":"b","1":"first"},"b":[1,2],"c":"cc","1":"first","n":null}'::jsonb) AS q"#,
            r#"(1,"""first""")
(a,"{""1"": ""first"", ""b"": ""c"", ""c"": ""b""}")
(b,"[1, 2]")
(c,"""cc""")
(n,null)"#,
        ),
        (
            r#"select '12345.05'::jsonb::int2, '12345.05'::jsonb::int4, '-12345.5'::jsonb::int8, 'true'::jsonb::bool, '12.5'::jsonb::float8"#,
            r#"12345|12345|-12346|t|12.5"#,
        ),
        (
            r#"select to_json(date '2014-05-28'), to_json(timestamp '2014-05-28 12:22:35.614298'), to_jsonb(timestamp 'infinity')"#,
            r#""2014-05-28"|"2014-05-28T12:22:35.614298"|"infinity""#,
        ),
        (
            r#"select ('{"a":"1"}'::jsonb -> 'b')::int"#,
            r#""#,
        ),
        ],
    )
    .await;
    refusals(
        &c,
        &[
        (
            r#"SELECT json_object('{a,b,c}')"#,
            "2202E",
            r#"array must have even number of elements"#,
        ),
        (
            r#"SELECT json_object('{{a,1,2},{b,2,3}}')"#,
            "2202E",
            r#"array must have two columns"#,
        ),
        (
            r#"SELECT json_object('{NULL,a}'::text[])"#,
            "22004",
            r#"null value not allowed for object key"#,
        ),
        (
            r#"SELECT json_object('{a,b}', '{1}')"#,
            "2202E",
            r#"mismatched array dimensions"#,
        ),
        (
            r#"select jsonb_set_lax('{"a":1,"b":2}', '{b}', null, null_value_treatment => 'raise_exception')"#,
            "22004",
            r#"JSON value must not be null"#,
        ),
        (
            r#"select jsonb_set_lax('{"a":1,"b":2}', '{b}', null, null_value_treatment => 'bogus')"#,
            "22023",
            r#"null_value_treatment must be "delete_key", "return_target", "use_json_null", or "raise_exception""#,
        ),
        (
            r#"select '"a"'::jsonb::int4"#,
            "22023",
            r#"cannot cast jsonb string to type integer"#,
        ),
        (
            r#"select '[1]'::jsonb::int4"#,
            "22023",
            r#"cannot cast jsonb array to type integer"#,
        ),
        (
            r#"select 'null'::jsonb::int4"#,
            "22023",
            r#"cannot cast jsonb null to type integer"#,
        ),
        (
            r#"select '1'::jsonb::bool"#,
            "22023",
            r#"cannot cast jsonb numeric to type boolean"#,
        ),
        (
            r#"select '"a"'::json::int4"#,
            "42846",
            r#"cannot cast type json to integer"#,
        ),
        (
            r#"select '1e10'::jsonb::int4"#,
            "22003",
            r#"integer out of range"#,
        ),
        ],
    )
    .await;
}

#[tokio::test]
async fn record_columns_have_their_types() {
    // The extended protocol: Describe gives each column its declared type, and values
    // come back in binary.
    let s = Server::start(&[]);
    let c = client(&s).await;
    let row = c
        .query_one(
            r#"select * from json_to_record('{"a":1,"b":true,"c":[1,2]}') as x(a int, b bool, c int[])"#,
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i32>(0), 1);
    assert!(row.get::<_, bool>(1));
    assert_eq!(row.get::<_, Vec<i32>>(2), vec![1, 2]);
    let row = c
        .query_one(
            r#"select * from json_populate_record(null::jpop, '{"a":"x","b":7}') q"#,
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, &str>(0), "x");
    assert_eq!(row.get::<_, i32>(1), 7);
    assert_eq!(row.get::<_, Option<std::time::SystemTime>>(2), None);
}

/// Composite types (CREATE TYPE … AS (…)) and domains as the record functions' row
/// types and column types; every answer taken from PostgreSQL 15.
async fn typed_client(s: &Server) -> tokio_postgres::Client {
    let c = s.connect("composites").await;
    c.batch_execute(
        "create domain js_arr3 as int[] check (array_length(value, 1) = 3);
         create domain js_nn as int not null;
         create type jpop as (a text, b int, c timestamp);
         create type jsrec as (i int, ia int[], ca char(3)[], rec jpop, reca jpop[], d js_arr3);
         create type jnn as (n js_nn, rec jpop);
         create type pair as (x int, y int);
         create domain ordered as pair check ((value).x <= (value).y);",
    )
    .await
    .unwrap();
    c
}

#[tokio::test]
async fn composite_types_are_row_types() {
    let s = Server::start(&[]);
    let c = typed_client(&s).await;
    answers(
        &c,
        &[
            (
                r#"select * from json_populate_record(null::jpop, '{"a":"blurfl","x":43.2}') q"#,
                "blurfl||",
            ),
            (
                r#"select * from jsonb_populate_recordset(row('def', 99, null)::jpop, '[{"a": "x"}, {"b": 3}]') q"#,
                "x|99|\ndef|3|",
            ),
            (
                r#"select rec, reca from json_populate_record(null::jsrec, '{"rec": {"a": "abc", "c": "01.02.2003"}, "reca": [{"a": "x y", "b": 4}, null, "(z,1,)"]}') q"#,
                r#"(abc,,"2003-01-02 00:00:00")|{"(\"x y\",4,)",NULL,"(z,1,)"}"#,
            ),
            (
                r#"select rec from json_populate_record(null::jsrec, '{"rec": "(abc,42,01.02.2003)"}') q"#,
                r#"(abc,42,"2003-01-02 00:00:00")"#,
            ),
            (
                r#"select i, ia, ca, d from json_populate_record(null::jsrec, '{"i": 1, "ia": [1, 2], "ca": ["a"], "d": [1, 2, 3]}') q"#,
                "1|{1,2}|{\"a  \"}|{1,2,3}",
            ),
            (
                r#"select json_populate_record(null::jpop, '{"a": "x,y", "b": 2}')"#,
                r#"("x,y",2,)"#,
            ),
            (
                r#"select json_populate_record(row('q', 1, null)::jpop, '{"b": 2}'), (json_populate_record(null::jpop, '{"b": 2}')).b"#,
                "(q,2,)|2",
            ),
            (
                r#"select jsonb_populate_record(row(1, 'a'), '{"f2": "b c"}'), json_populate_record(row('q', 1, null)::jpop, null)"#,
                r#"(1,"b c")|(q,1,)"#,
            ),
            (
                r#"select json_populate_record(null::ordered, '{"x": 0, "y": 1}'), json_populate_record(row(1, 2)::ordered, '{"x": 0}')"#,
                "(0,1)|(0,2)",
            ),
            (
                "select typname, typtype from pg_type where typname in ('jpop', 'jsrec') order by 1",
                "jpop|c\njsrec|c",
            ),
            ("select format_type('jpop'::regtype, null)", "jpop"),
            (
                // A composite column's object takes the keys it lacks from the base record.
                r#"select json_populate_record(row(1, row('x', 3, '2012-12-31 15:30:56')::jpop)::jnn, '{"rec": {"a": "abc"}}')"#,
                r#"(1,"(abc,3,""2012-12-31 15:30:56"")")"#,
            ),
            (
                r#"select * from json_populate_record(null::record, '{"x": 776}') as (x int, y int)"#,
                "776|",
            ),
        ],
    )
    .await;
    let names: Vec<String> = c
        .simple_query("select (json_populate_record(null::jpop, '{\"b\": 2}')).b")
        .await
        .unwrap()
        .into_iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::RowDescription(d) => Some(
                d.iter()
                    .map(|c| c.name().to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            _ => None,
        })
        .collect();
    assert_eq!(names, ["b"]);
}

#[tokio::test]
async fn composite_types_and_domains_refuse_as_postgresql() {
    let s = Server::start(&[]);
    let c = typed_client(&s).await;
    refusals(
        &c,
        &[
            (
                "create type jpop as (x int)",
                "42710",
                r#"type "jpop" already exists"#,
            ),
            (
                "create type bad as (a nosuch)",
                "42704",
                r#"type "nosuch" does not exist"#,
            ),
            (
                "create type dup as (a int, a text)",
                "42701",
                r#"column "a" specified more than once"#,
            ),
            (
                "create type ps as (u unknown)",
                "42P16",
                r#"column "u" has pseudo-type unknown"#,
            ),
            (
                "create domain bad as nosuch",
                "42704",
                r#"type "nosuch" does not exist"#,
            ),
            (
                "create domain bad as int check (nosuch > 0)",
                "42703",
                r#"column "nosuch" does not exist"#,
            ),
            (
                r#"select d from json_populate_record(null::jsrec, '{"d": [1, 2]}') q"#,
                "23514",
                r#"value for domain js_arr3 violates check constraint "js_arr3_check""#,
            ),
            (
                r#"select n from json_populate_record(null::jnn, '{}') q"#,
                "23502",
                "domain js_nn does not allow null values",
            ),
            (
                r#"select rec from json_populate_record(null::jsrec, '{"rec": 123}') q"#,
                "22023",
                "cannot call populate_composite on a scalar",
            ),
            (
                r#"select rec from json_populate_record(null::jsrec, '{"rec": "(a,1,,4)"}') q"#,
                "22P02",
                r#"malformed record literal: "(a,1,,4)""#,
            ),
            (
                r#"select ca from json_populate_record(null::jsrec, '{"ca": ["abcd"]}') q"#,
                "22001",
                "value too long for type character(3)",
            ),
            (
                "select json_populate_record(row(1)::jpop, '{}')",
                "42846",
                "cannot cast type record to jpop",
            ),
            (
                r#"select json_populate_record(row(2, 1)::ordered, '{}')"#,
                "23514",
                r#"value for domain ordered violates check constraint "ordered_check""#,
            ),
            (
                "drop type jpop",
                "2BP01",
                "cannot drop type jpop because other objects depend on it",
            ),
            ("drop domain jpop", "42809", r#""jpop" is not a domain"#),
            (
                "drop type pair",
                "2BP01",
                "cannot drop type pair because other objects depend on it",
            ),
            (
                "drop type nosuch",
                "42704",
                r#"type "nosuch" does not exist"#,
            ),
            // What litewire cannot honour.
            (
                "create table t (a int, p jpop)",
                "0A000",
                "a column of a composite type (jpop) is not supported by litewire",
            ),
            (
                "create table t (a js_nn)",
                "0A000",
                "a column of a domain (js_nn) is not supported by litewire",
            ),
            (
                "select '(1,2)'::pair",
                "0A000",
                "a value of type pair here is not supported by litewire",
            ),
        ],
    )
    .await;
    // Dropped in order, the types go; CASCADE drops a type nothing uses.
    // CASCADE drops the domains over a type (ordered, over pair).
    c.batch_execute(
        "drop type jsrec; drop type jnn; drop type jpop; drop domain js_nn cascade;
         drop type pair cascade",
    )
    .await
    .unwrap();
    refusals(
        &c,
        &[
            (
                "select * from json_populate_record(null::jpop, '{}') q",
                "42704",
                r#"type "jpop" does not exist"#,
            ),
            (
                "select json_populate_record(null::ordered, '{}')",
                "42704",
                r#"type "ordered" does not exist"#,
            ),
        ],
    )
    .await;
}
