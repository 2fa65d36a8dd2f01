//! json and jsonb as PostgreSQL 15 answers them (issue 9): jsonb input normalised (keys
//! sorted, duplicates dropped, numbers as numeric), json kept as written, the operators
//! `-> ->> #> #>> @> <@ ? ?| ?& || - #-`, the builders, jsonb_set/insert, the
//! set-returning functions in FROM, and 0A000 for what litewire cannot honour. Expected
//! texts were taken from PostgreSQL 15.

use crate::common::{rows, sqlstate, Server};

/// Runs each statement and compares its rows, values joined with `|`, one row a line.
async fn answers(cases: &[(&str, &str)]) {
    let s = Server::start(&[]);
    let c = s.connect("json").await;
    crate::common::answers(&c, cases).await;
}

#[tokio::test]
async fn jsonb_prints_normalised_and_json_as_written() {
    answers(&[
        (
            r#"select '{"b":1,"a":[1,2],"a":{"x":1e2}}'::jsonb"#,
            r#"{"a": {"x": 100}, "b": 1}"#,
        ),
        (
            r#"select '{"a": {"b": [1,  "x"]}}'::json -> 'a', '{"a": {"b": [1,  "x"]}}'::jsonb -> 'a'"#,
            r#"{"b": [1,  "x"]}|{"b": [1, "x"]}"#,
        ),
    ])
    .await;
}

#[tokio::test]
async fn operators() {
    answers(&[
        (
            r#"select '{"a": {"b": [1,  "x"]}}'::json #> '{a,b,-1}', '{"a": {"b": [1,  "x"]}}'::jsonb #>> '{a,b,1}'"#,
            r#""x"|x"#,
        ),
        (
            r#"select '[1,2,3]'::jsonb ->> 2, '[1,2,3]'::json -> 5, '{"a":null}'::jsonb ->> 'a'"#,
            "3||",
        ),
        (
            r#"select '{"a":1}'::jsonb || '{"b":2}', '{"a":1,"b":2}'::jsonb - 'a', '[1,2,3]'::jsonb - -1, '{"a":{"b":1,"c":2}}'::jsonb #- '{a,b}'"#,
            r#"{"a": 1, "b": 2}|{"b": 2}|[1, 2]|{"a": {"c": 2}}"#,
        ),
        (
            r#"select case when '{"a":1,"b":{"c":2}}'::jsonb @> '{"b":{"c":2}}' then 'y' else 'n' end,
                      case when '{"a":1}'::jsonb <@ '{"a":1,"b":2}' then 'y' else 'n' end,
                      case when '["a","b"]'::jsonb ? 'b' then 'y' else 'n' end,
                      case when '{"a":1,"b":2}'::jsonb ?| array['x','b'] then 'y' else 'n' end,
                      case when '{"a":1,"b":2}'::jsonb ?& array['a','x'] then 'y' else 'n' end"#,
            "y|y|y|y|n",
        ),
    ])
    .await;
}

#[tokio::test]
async fn functions() {
    answers(&[
        (
            "select json_build_object('a', 1, 'b', 'x', 'c', true, 'd', null), \
             jsonb_build_object('b', 1, 'a', json_build_array(1, 'x'))",
            r#"{"a" : 1, "b" : "x", "c" : true, "d" : null}|{"a": [1, "x"], "b": 1}"#,
        ),
        (
            r#"select jsonb_set('{"a":[1,2]}', '{a,0}', '"z"'), jsonb_insert('{"a":[1,2]}', '{a,1}', '9'), jsonb_strip_nulls('{"a":null,"b":1}')"#,
            r#"{"a": ["z", 2]}|{"a": [1, 9, 2]}|{"b": 1}"#,
        ),
        (
            r#"select key, value from jsonb_each('{"b":[1, 2],"a":"x"}') order by key"#,
            "a|\"x\"\nb|[1, 2]",
        ),
        (
            r#"select value from json_array_elements_text('[1,"two",null]')"#,
            "1\ntwo\n",
        ),
        (
            r#"select * from jsonb_object_keys('{"b":1,"a":2}')"#,
            "a\nb",
        ),
        (
            r#"select jsonb_typeof('[]'), json_array_length('[1,2,3]'), jsonb_extract_path_text('{"a":{"b":"c"}}', 'a', 'b')"#,
            "array|3|c",
        ),
        (
            r#"select jsonb_pretty('{"a":[1,{"b":2}]}')"#,
            "{\n    \"a\": [\n        1,\n        {\n            \"b\": 2\n        }\n    ]\n}",
        ),
        (
            "select json_agg(x), jsonb_object_agg(x, x * 2), json_build_object('k', json_object_agg(x, 'v')) \
             from (select 2 as x union all select 1)",
            r#"[2, 1]|{"1": 2, "2": 4}|{"k" : { "2" : "v", "1" : "v" }}"#,
        ),
    ])
    .await;
}

#[tokio::test]
async fn a_jsonb_column_reads_as_postgres_stores_it() {
    let s = Server::start(&[]);
    let c = s.connect("json").await;
    c.batch_execute("create table t (id int, j jsonb)")
        .await
        .unwrap();
    // A row's value in FROM (`jsonb_each(t.j)`).
    c.batch_execute(r#"create table k (j jsonb); insert into k values ('{"a":1}')"#)
        .await
        .unwrap();
    assert_eq!(
        rows(&c, "select e.key, e.value from k, jsonb_each(k.j) e").await,
        vec![vec![Some("a".to_string()), Some("1".to_string())]]
    );
    // A bound parameter is stored as jsonb prints.
    c.execute(
        "insert into t values (1, $1::text::jsonb)",
        &[&r#"{"b":2, "a":1}"#],
    )
    .await
    .unwrap();
    assert_eq!(
        rows(&c, "select j, j -> 'a', j ->> 'b' from t").await,
        vec![vec![
            Some(r#"{"a": 1, "b": 2}"#.to_string()),
            Some("1".to_string()),
            Some("2".to_string())
        ]]
    );
    assert_eq!(
        rows(&c, r#"select id from t where j @> '{"a":1}'"#).await,
        vec![vec![Some("1".to_string())]]
    );
}

#[tokio::test]
async fn errors_as_postgres_gives_them() {
    let s = Server::start(&[]);
    let c = s.connect("json").await;
    for (sql, code) in [
        ("select '{\"a\":1'::jsonb", "22P02"),
        ("select '1'::jsonb - 'a'", "22023"),
        ("select jsonb_array_length('{}')", "22023"),
        ("select * from jsonb_each('[1]')", "22023"),
        ("select json_build_object('a')", "22023"),
        // What litewire cannot run with PostgreSQL's meaning.
        // A subquery's row whose column names the statement does not show.
        (
            "select row_to_json(j) from (select * from (select 1 as a) x) j",
            "0A000",
        ),
        (
            "select jsonb_path_query_first('{}', '$.datetime()')",
            "0A000",
        ),
    ] {
        let e = c.simple_query(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{sql}");
    }
}

/// jsonb compares in jsonb's order (Object > Array > Boolean > Number > String > Null,
/// numbers by value), not as text, where an operand is certainly jsonb: Django's
/// `meta__pages__gt=100` writes `(meta -> 'pages') > '100'::jsonb`.
#[tokio::test]
async fn jsonb_compares_in_jsonb_order() {
    let s = Server::start(&[]);
    let c = s.connect("jsoncmp").await;
    c.batch_execute(
        r#"create table jb (m jsonb);
           insert into jb values ('{"p": 80}'), ('{"p": 120}'), ('{"p": "abc"}'), ('{}')"#,
    )
    .await
    .unwrap();
    crate::common::answers(
        &c,
        &[
            (
                "select m, (m -> 'p') > '100'::jsonb, (m -> 'p') = '120'::jsonb from jb",
                "{\"p\": 80}|f|f\n{\"p\": 120}|t|t\n{\"p\": \"abc\"}|f|f\n{}||",
            ),
            (
                r#"select '{"a":1}'::jsonb > '[1,2,3]'::jsonb, '[]'::jsonb < '[0]'::jsonb,
                   'null'::jsonb < '"a"'::jsonb, '1.50'::jsonb = '1.5'::jsonb,
                   '-2'::jsonb < '-1'::jsonb, 'true'::jsonb > '10'::jsonb,
                   '"b"'::jsonb <= '"ab"'::jsonb"#,
                "t|t|t|t|t|t|f",
            ),
            // A jsonb column beside a literal, and ORDER BY a jsonb column: jsonb's
            // order (more pairs is greater) and equality (1.0 = 1), not text's.
            (
                r#"select m from jb where m > '{"p": 100}' order by m"#,
                "{\"p\": 120}",
            ),
            (r#"select count(*) from jb where m = '{"p": 80.0}'"#, "1"),
            (
                "select m from jb order by m desc",
                "{\"p\": 120}\n{\"p\": 80}\n{\"p\": \"abc\"}\n{}",
            ),
        ],
    )
    .await;
}

/// The builders put an array, json or jsonb argument in as JSON, also a column's and a
/// subquery's (SQLite's JSON mark does not survive a subquery): drizzle-orm's relational
/// queries nest `coalesce(json_agg(json_build_array(…, sub.data)), '[]'::json)` from
/// LEFT JOIN LATERAL subqueries. Answers as PostgreSQL 15's.
#[tokio::test]
async fn builders_take_arrays_and_json_from_columns_and_subqueries() {
    let s = Server::start(&[]);
    let c = s.connect("json").await;
    c.batch_execute(
        r#"create table p (id int primary key, t text, tags text[], j json, b jsonb);
           create table c (id int, pid int);
           insert into p values (1, 'a', '{x,y}', '{"k":  1}', '{"k":  1}'), (2, 'b', '{}', '[1,2]', '[]');
           insert into c values (5, 1), (6, 2)"#,
    )
    .await
    .unwrap();
    crate::common::answers(
        &c,
        &[
            (
                "select json_build_array(tags, j, b, t) from p where id = 1",
                r#"[["x","y"], {"k":  1}, {"k": 1}, "a"]"#,
            ),
            (
                "select json_build_object('tags', x.tags, 'j', x.j) from (select * from p) x where id = 2",
                r#"{"tags" : [], "j" : [1,2]}"#,
            ),
            (
                "select to_json(tags), to_jsonb(j) from p where id = 1",
                r#"["x","y"]|{"k": 1}"#,
            ),
            (
                "select coalesce(json_agg(json_build_array(p.id, l.d) order by p.id), '[]'::json) \
                 from p left join lateral (select coalesce(json_agg(c.id), '[]'::json) as d \
                 from c where c.pid = p.id) l on true",
                "[[1, [5]], [2, [6]]]",
            ),
            (
                "select json_build_array(x.d) from (select '[1]'::json d) x",
                "[[1]]",
            ),
            // A text column holding JSON's text is still a string.
            ("select json_build_array(t || '[]') from p where id = 1", r#"["a[]"]"#),
        ],
    )
    .await;
    // A subquery's whole row as json (Kysely's jsonArrayFrom / jsonObjectFrom), its
    // values by their types.
    crate::common::answers(
        &c,
        &[(
            "select p.id, (select coalesce(json_agg(agg), '[]') from (select c.id, c.id > 5 as big \
             from c where c.pid = p.id) as agg), (select to_json(obj) from (select p2.t, p2.tags, \
             p2.j from p p2 where p2.id = p.id) as obj), (select row_to_json(o) from \
             (select p.id as x) o) from p order by p.id",
            "1|[{\"id\":5,\"big\":false}]|{\"t\":\"a\",\"tags\":[\"x\",\"y\"],\"j\":{\"k\":  1}}|{\"x\":1}\n\
             2|[{\"id\":6,\"big\":true}]|{\"t\":\"b\",\"tags\":[],\"j\":[1,2]}|{\"x\":2}",
        )],
    )
    .await;
    // Booleans (stored 1/0) go in as true/false: a column, an aggregate, a comparison.
    c.batch_execute("create table f (b boolean); insert into f values (true), (false), (null)")
        .await
        .unwrap();
    crate::common::answers(
        &c,
        &[(
            "select json_agg(b order by b nulls last), json_build_object('b', bool_and(b), 'x', 1 < 2) from f",
            r#"[false, true, null]|{"b" : false, "x" : true}"#,
        )],
    )
    .await;
}

/// A numeric column (kept as its decimal text) goes into a json builder as a JSON number
/// with its digits, NaN as a string (PostgreSQL 15's answers).
#[tokio::test]
async fn numeric_columns_are_json_numbers() {
    let s = Server::start(&[]);
    let c = s.connect("jsonnum").await;
    c.batch_execute(
        "create table nj (x numeric(8,2), y numeric); \
         insert into nj values ('12.50', 'NaN'), ('3.00', '0.10')",
    )
    .await
    .unwrap();
    crate::common::answers(
        &c,
        &[
            (
                "select json_build_object('x', x, 'y', y) from nj order by x",
                "{\"x\" : 3.00, \"y\" : 0.10}\n{\"x\" : 12.50, \"y\" : \"NaN\"}",
            ),
            (
                "select json_agg(x order by x), jsonb_agg(y order by x) from nj",
                "[3.00, 12.50]|[0.10, \"NaN\"]",
            ),
        ],
    )
    .await;
}
