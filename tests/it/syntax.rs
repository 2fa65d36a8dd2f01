//! PostgreSQL forms the parser lacks or litewire added for the differential corpus
//! (issue 9): subscripted assignment (`SET j['a'] = …`, `SET a[2] = …`). Expected texts
//! were taken from PostgreSQL 15.

use crate::common::{answers, refusals, Server};

/// jsonb's rules: missing levels created by the next subscript's kind, arrays padded
/// with nulls, negative indexes from the end, NULL starting as the subscript implies.
#[tokio::test]
async fn jsonb_subscripted_assignment() {
    let s = Server::start(&[]);
    let c = s.connect("syntax").await;
    c.batch_execute(
        "create table j (id int, v jsonb);
         insert into j values (1, '{}'), (2, '{\"key\": \"value\"}'), (3, null), (4, '[0]'), (5, 'null');
         update j set v['a'] = '1' where id = 1;
         update j set v['a'][2]['b'] = '{\"c\": true}'::jsonb where id = 2;
         update j set v[0] = '\"x\"' where id = 3;
         update j set v[5] = '1', v[-4] = '2' where id = 4;",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[(
            "select id, v from j where id < 5 order by id",
            "1|{\"a\": 1}\n\
             2|{\"a\": [null, null, {\"b\": {\"c\": true}}], \"key\": \"value\"}\n\
             3|[\"x\"]\n\
             4|[0, null, 2, null, null, 1]",
        )],
    )
    .await;
    refusals(
        &c,
        &[
            (
                "update j set v[NULL] = '1'",
                "22004",
                "jsonb subscript in assignment must not be null",
            ),
            (
                "update j set v['a']['b'] = '1' where id = 1",
                "22023",
                "cannot replace existing key",
            ),
            (
                "update j set v[0] = '1' where id = 5",
                "22023",
                "cannot replace existing key",
            ),
            (
                "update j set v[-8] = '1' where id = 4",
                "22023",
                "path element at position 1 is out of range: -8",
            ),
            (
                "update j set v['x'] = '1' where id = 4",
                "22P02",
                "path element at position 1 is not an integer: \"x\"",
            ),
            (
                "update j set v['a'] = 5 where id = 1",
                "42804",
                "subscripted assignment to \"v\" requires type jsonb but expression is of type integer",
            ),
            (
                "update j set id[1] = 5",
                "42804",
                "cannot subscript type integer because it does not support subscripting",
            ),
        ],
    )
    .await;
}

/// An array's rules: counted from its lower bound, padded with NULLs, each element read
/// with the element type's input; PostgreSQL's size limit.
#[tokio::test]
async fn array_element_assignment() {
    let s = Server::start(&[]);
    let c = s.connect("syntax").await;
    c.batch_execute(
        "create table a (id int primary key, i int[], t text[], m int[]);
         insert into a values (1, '{1,2,3}', '{x,y}', '{{1,2},{3,4}}'), (2, null, '{}', null);
         update a set i[5] = 9, t[2] = 'z', m[2][1] = '8' where id = 1;
         update a set i[1] = 5, i[2] = 6, t[1] = 'a b' where id = 2;
         insert into a values (1) on conflict (id) do update set i[1] = excluded.id + 10;",
    )
    .await
    .unwrap();
    // Also in a prepared statement (SQL PREPARE), with a parameter.
    c.batch_execute(
        "prepare up(int) as update a set t[3] = 'w', i[2] = $1 where id = 2; execute up(7)",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[(
            "select id, i, t, m from a order by id",
            "1|{11,2,3,NULL,9}|{x,z}|{{1,2},{8,4}}\n2|{5,7}|{\"a b\",NULL,w}|",
        )],
    )
    .await;
    refusals(
        &c,
        &[
            (
                "update a set i[NULL] = 1",
                "22004",
                "array subscript in assignment must not be null",
            ),
            (
                "update a set i[2] = 'q'",
                "22P02",
                "invalid input syntax for type integer: \"q\"",
            ),
            (
                "update a set m[3][1] = 8 where id = 1",
                "2202E",
                "array subscript out of range",
            ),
            (
                "update a set m[1] = 8 where id = 1",
                "2202E",
                "wrong number of array subscripts",
            ),
            (
                "update a set i[2147483647] = 1 where id = 1",
                "54000",
                "array size exceeds the maximum allowed (134217727)",
            ),
        ],
    )
    .await;
}

/// Boolean input by unique prefix (`bool 'of'`), booleq/boolne, IS [NOT] UNKNOWN, and
/// the sha2 family.
#[tokio::test]
async fn smaller_forms() {
    let s = Server::start(&[]);
    let c = s.connect("syntax").await;
    answers(
        &c,
        &[
            (
                "select bool 'of', 'tr'::bool, ' NO '::bool, 'ye'::bool",
                "f|t|f|t",
            ),
            (
                "select booleq(true, false), boolne(true, false), booleq(null, true) is null",
                "f|t|t",
            ),
            (
                "select null::bool is unknown, true is not unknown, (1 < 2) is unknown",
                "t|t|f",
            ),
            (
                "select sha256('abc'::bytea), sha224('abc')",
                "\\xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad|\
                 \\x23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7",
            ),
            (
                "select sha384(''), length(sha512(''::bytea))",
                "\\x38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b|64",
            ),
        ],
    )
    .await;
    refusals(
        &c,
        &[(
            "select 'o'::bool",
            "22P02",
            "invalid input syntax for type boolean: \"o\"",
        )],
    )
    .await;
}

/// `x[k]` of a column: jsonb's subscript (keys, 0-based, from the end) for a jsonb
/// column, an array's (1-based) for an array column; the column's type decides when
/// the statement is prepared.
#[tokio::test]
async fn column_subscripts_follow_the_column_type() {
    let s = Server::start(&[]);
    let c = s.connect("syntax").await;
    c.batch_execute(
        "create table r (id int, j jsonb, a int[]);
         insert into r values (1, '{\"key\": \"value\", \"a\": [10, 20]}', '{5,6,7}'),
                              (2, '[10, 20, 30]', '{8}');",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[
            (
                "select j['key'], j['a'][1], j[1], j[-1], a[1], r.a[2] from r order by id",
                "\"value\"|20|||5|6\n||20|30|8|",
            ),
            ("select id from r where j['key'] = '\"value\"'", "1"),
            // A cast around the subscript (its own span in the tree).
            ("select j[2]::text, a[1]::text from r where id = 2", "30|8"),
            (
                "select pg_typeof(j['a']), pg_typeof(a[1]) from r where id = 1",
                "jsonb|integer",
            ),
        ],
    )
    .await;
    // The extended protocol prepares the same text.
    let row = c
        .query_one(
            "select j[$1::int]::text from r where id = $2",
            &[&2i32, &2i32],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, Option<String>>(0).as_deref(), Some("30"));
}

/// `VARIADIC arr`: a written-out array's elements are the call's arguments; num_nulls /
/// num_nonnulls.
#[tokio::test]
async fn variadic_arguments() {
    let s = Server::start(&[]);
    let c = s.connect("syntax").await;
    answers(
        &c,
        &[
            (
                "select concat(variadic array[1, 2]), format('%s-%s', variadic '{a,b}'::text[])",
                "12|a-b",
            ),
            (
                "select json_build_array(variadic '{{1,4},{2,5}}'::int[][]), \
                 jsonb_build_object(variadic array['a', null]::text[])",
                "[1, 4, 2, 5]|{\"a\": null}",
            ),
            (
                "select concat(variadic null::text[]) is null, concat(variadic '{}'::int[]), \
                 jsonb_build_array(variadic '{}'::text[])",
                "t||[]",
            ),
            (
                "select num_nulls(variadic array[1, null]), num_nulls(1, null, null), \
                 num_nonnulls(1, 2)",
                "1|2|2",
            ),
            // Boolean literals are t/f to concat and format, as their text.
            (
                "select format('%s, %s', variadic array[true, false]), concat(1, true, false), \
                 concat_ws('#', true, 2)",
                "t, f|1tf|t#2",
            ),
        ],
    )
    .await;
    refusals(
        &c,
        &[
            (
                "select format('x%sy', variadic null::text[])",
                "22023",
                "too few arguments for format()",
            ),
            (
                "select concat(variadic array[1], 2)",
                "42601",
                "syntax error at or near \",\"",
            ),
            (
                "select variadic 1",
                "42601",
                "syntax error at or near \"VARIADIC\"",
            ),
        ],
    )
    .await;
}

/// `ORDER BY x USING <` / `USING >`: ascending / descending (NULLs last / first).
#[tokio::test]
async fn order_by_using() {
    let s = Server::start(&[]);
    let c = s.connect("syntax").await;
    c.batch_execute(
        "create table o (a int, b text); insert into o values (1,'x'),(2,'y'),(null,'z'),(3,'x')",
    )
    .await
    .unwrap();
    answers(
        &c,
        &[
            ("select a from o order by a using >", "\n3\n2\n1"),
            (
                "select a, b from o order by b using <, a using >",
                "3|x\n1|x\n2|y\n|z",
            ),
            (
                "select string_agg(b, ',' order by a using >) from o",
                "z,x,y,x",
            ),
        ],
    )
    .await;
    refusals(
        &c,
        &[(
            "select a from o order by a using < asc",
            "42601",
            "syntax error at or near \"USING\"",
        )],
    )
    .await;
}

/// `SIMILAR TO`: PostgreSQL's SQL regular expressions (`%`, `_`, ESCAPE), matched whole.
#[tokio::test]
async fn similar_to() {
    let s = Server::start(&[]);
    let c = s.connect("syntax").await;
    answers(
        &c,
        &[
            (
                "select 'abcdefg' similar to '_bcd%', 'abcdefg' similar to 'bcd%', \
                 'abcd%' similar to '_bcd#%' escape '#', 'abcdefg' not similar to '_bcd%'",
                "t|f|t|f",
            ),
            (
                "select 'a.c' similar to 'a.c', 'abc' similar to 'a.c', 'ab' similar to '(a|b)*', \
                 ('x' similar to 'x' escape null) is null, ('a' ~ null) is null",
                "t|f|t|t|t",
            ),
            (
                "select similar_to_escape('a#\"b#\"c', '#')",
                "^(?:a){1,1}?(b){1,1}(?:c)$",
            ),
            // SUBSTRING … SIMILAR: the part between the separators, the first part lazy.
            (
                "select substring('abcdefg' similar 'a#\"(b_d)#\"%' escape '#'), \
                 substring('abcdefg' similar 'a*#\"%#\"g*' escape '#'), \
                 substring('xaaay' similar '%#\"a+#\"%' escape '#'), \
                 substring('abcdefg' similar '#\"(b_d)#\"%' escape '#') is null, \
                 substring('abc' from 2)",
                "bcd|abcdefg|aaa|t|bc",
            ),
        ],
    )
    .await;
    refusals(
        &c,
        &[(
            "select 'a' similar to 'a' escape '##'",
            "22019",
            "invalid escape string",
        )],
    )
    .await;
}

/// `to_date(text, template)` with the year, month and day patterns; others are 0A000.
#[tokio::test]
async fn to_date_reads_the_template() {
    let s = Server::start(&[]);
    let c = s.connect("syntax").await;
    answers(
        &c,
        &[
            (
                "select to_date('20100309', 'YYYYMMDD'), to_date('05 Dec 2000', 'DD Mon YYYY'), \
                 to_date('  2000/1/2', 'YYYY-MM-DD'), to_date('march 3 99', 'month DD YY')",
                "2010-03-09|2000-12-05|2000-01-02|1999-03-03",
            ),
            (
                "select to_date('200012', 'YYYYMMDD'), to_date('2000-1-2x', 'YYYY-MM-DD'), \
                 pg_typeof(to_date('2000', 'YYYY'))",
                "2000-12-01|2000-01-02|date",
            ),
        ],
    )
    .await;
    refusals(
        &c,
        &[
            (
                "select to_date('2010-02-30', 'YYYY-MM-DD')",
                "22008",
                "date/time field value out of range: \"2010-02-30\"",
            ),
            (
                "select to_date('2010x309', 'YYYYMMDD')",
                "22007",
                "invalid value \"x3\" for \"MM\"",
            ),
            (
                "select to_date('05 Dez 2000', 'DD Mon YYYY')",
                "22007",
                "invalid value \"Dez\" for \"Mon\"",
            ),
            (
                "select to_date('12:00', 'HH24:MI')",
                "0A000",
                "to_date() with the template pattern \"HH\" is not supported by litewire",
            ),
        ],
    )
    .await;
}

/// String continuation across a newline, TRIM(BOTH FROM x), `#`, decimal literals cast
/// to numeric keeping their scale.
#[tokio::test]
async fn literal_and_operator_forms() {
    let s = Server::start(&[]);
    let c = s.connect("syntax").await;
    answers(
        &c,
        &[
            (
                "select 'first'\n' - next'\n\t' - third'",
                "first - next - third",
            ),
            ("select 'a''b'\n'c' as x", "a'bc"),
            (r#"select U&'d\0061t\+000061' as U&"d\0061t\+000061""#, "data"),
            (r"select U&'d!0061t\+000061' UESCAPE '!', U&' \' UESCAPE '!'", r"dat\+000061| \"),
            // `.` matches a newline unless the options make the pattern newline-sensitive.
            (
                "select 'a' || chr(10) || 'd' ~ 'a.d', regexp_like('a' || chr(10) || 'd', 'a.d', 'n'), \
                 regexp_like('abc', ' a . c ', 'x'), regexp_replace('a.b', '.', 'X', 'gq')",
                "t|f|t|aXb",
            ),
            (
                "select regexp_replace('ab', 'b?$', 'X', 'g'), regexp_count('ab', 'b?$')",
                "aXX|2",
            ),
            // Quotes doubled or after a backslash reach SQLite as written.
            (
                r"select 'a''''b', 'ab\''cd', 'abcd\', E'x\'y'",
                r"a''b|ab\'cd|abcd\|x'y",
            ),
            (
                "select trim(both from '  a  ') || '|', trim(leading from '  a  ') || '|', \
                 trim(trailing from '  a  ') || '|', trim(from ' b ') || '|'",
                "a||a  ||  a||b|",
            ),
            (
                "select 5 # 3, 123::int8 # 456, -4567890123456789::int8 # 4567890123456789",
                "6|435|-2",
            ),
            (
                "select 0.0::numeric, 1.50::numeric, -2.5::numeric",
                "0.0|1.50|-2.5",
            ),
            (
                "select cast(name 'namefield' as char(10)) || '|', oid '5', name 'x' = 'x'",
                "namefield||5|t",
            ),
            (
                "select case when 1 = 0 then 1/0 when 1 = 1 then 1 else 2/0 end",
                "1",
            ),
        ],
    )
    .await;
    c.batch_execute("create table ut (a int, b int); insert into ut values (1, 2)")
        .await
        .unwrap();
    refusals(
        &c,
        &[
            ("select 'a' 'b'", "42601", "syntax error at or near \"'b'\""),
            (
                "select 'a'\n/* no */\n'b'",
                "42601",
                "syntax error at or near \"'b'\"",
            ),
            (
                "select length(42)",
                "42883",
                "function length(integer) does not exist",
            ),
            (
                "select case when a > 100 then 1/0 else 0 end from ut",
                "22012",
                "division by zero",
            ),
            (
                "update ut set (a, b) = (ut.*)",
                "0A000",
                "source for a multiple-column UPDATE item must be a sub-SELECT or ROW() expression",
            ),
        ],
    )
    .await;
}
