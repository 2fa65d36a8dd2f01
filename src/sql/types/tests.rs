//! PostgreSQL text → result names and types, parameter types (checked against
//! PostgreSQL 15's answers for the same statements).

use super::*;

/// A database with a few tables, as `CREATE TABLE` declared them.
struct Db;

impl Schema for Db {
    fn columns(&self, table: &str) -> Option<Vec<(String, String)>> {
        let cols: &[(&str, &str)] = match table.to_ascii_lowercase().as_str() {
            "t" => &[
                ("a", "integer"),
                ("n", "numeric(10,2)"),
                ("c", "timestamptz"),
                ("Q", "text"),
            ],
            "t1" => &[
                ("id", "int4"),
                ("event_id", "integer"),
                ("created", "timestamp with time zone"),
            ],
            "u" => &[("a", "bigint"), ("d", "date")],
            _ => return None,
        };
        Some(
            cols.iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect(),
        )
    }
    fn param(&self, n: usize) -> Option<String> {
        (n == 9).then(|| "int8".into())
    }
}

fn columns(sql: &str) -> Vec<(String, Option<String>)> {
    let typing = analyze_text(sql).expect("parses");
    resolve_columns(&typing, &Db).expect("columns")
}

fn names_types(sql: &str) -> Vec<String> {
    columns(sql)
        .into_iter()
        .map(|(n, t)| format!("{n}:{}", t.unwrap_or_else(|| "?".into())))
        .collect()
}

fn params(sql: &str) -> Vec<(usize, String)> {
    let typing = analyze_text(sql).expect("parses");
    typing
        .params
        .iter()
        .filter_map(|(n, t)| Some((*n, resolve(t, &Db)?)))
        .collect()
}

#[test]
fn names_as_postgresql_gives_them() {
    assert_eq!(
        names_types("select 1, count(*) as n, a b, x.\"Q\", A from t x"),
        ["?column?:int4", "n:int8", "b:int4", "Q:text", "a:int4"]
    );
    assert_eq!(
        names_types(
            "select bool 't', 1::integer, 'a'::varchar(3), 1.5::double precision, \
             now()::timestamp with time zone, 'x'::char(2), 1::real, 1::decimal, 1::float, \
             date '2020-01-01', interval '1 day'"
        ),
        [
            "bool:bool",
            "int4:int4",
            "varchar:varchar(3)",
            "float8:float8",
            "now:timestamptz",
            "bpchar:bpchar(2)",
            "float4:float4",
            "numeric:numeric",
            "float8:float8",
            "date:date",
            "interval:interval"
        ]
    );
    assert_eq!(
        names_types(
            "select case when a > 0 then 1 else a end, case when true then 'x' end, \
             extract(year from c), substring('abc' from 1), trim(' a '), position('a' in 'b'), \
             current_timestamp, current_user, exists(select 1), (select 1), (select a from t), \
             array[1], coalesce(n, 1), 'a' || 'b', a is null from t"
        ),
        [
            "a:int4",
            "case:text",
            "extract:numeric",
            "substring:text",
            "btrim:text",
            "position:int4",
            "current_timestamp:timestamptz",
            "current_user:name",
            "exists:bool",
            "?column?:int4",
            "a:int4",
            "array:int4[]",
            "coalesce:numeric",
            "?column?:text",
            "?column?:bool"
        ]
    );
    assert_eq!(
        names_types("values (1, 'a'), (2, 'b')"),
        ["column1:int4", "column2:text"]
    );
    assert_eq!(
        names_types("select 1 union select 2.5"),
        ["?column?:numeric"]
    );
}

#[test]
fn aggregates_and_arithmetic() {
    assert_eq!(
        names_types(
            "select sum(n), max(\"t\".\"c\"), avg(a), sum(a), count(*), a + n, a / 2, \
             a::int8 + a, c - c, current_date - current_date, now() - c, \
             c + interval '1 day', current_date + 1, 1 + 1::int2, 1 - 1.5::float8 from t"
        ),
        [
            "sum:numeric(10,2)",
            "max:timestamptz",
            "avg:numeric",
            "sum:int8",
            "count:int8",
            "?column?:numeric",
            "?column?:int4",
            "?column?:int8",
            "?column?:interval",
            "?column?:int4",
            "?column?:interval",
            "?column?:timestamptz",
            "?column?:date",
            "?column?:int4",
            "?column?:float8"
        ]
    );
}

#[test]
fn scopes_aliases_joins_subqueries_ctes() {
    // A scalar subquery with a comparison in its WHERE is the subquery's column type.
    assert_eq!(
        names_types("select (select count(*) from t x where x.a < t.a) from t"),
        ["count:int8"]
    );
    assert_eq!(
        names_types("select x from generate_series(1,3) as x"),
        ["x:int4"]
    );
    assert_eq!(
        names_types("select * from generate_series(1,3)"),
        ["generate_series:int4"]
    );
    assert_eq!(
        names_types(
            "with w as (select a * 2 as dbl, n from t) \
             select w.dbl, s.x, u.d, n from w join (select max(n) as x from t) s on true \
             left join u on u.a = w.dbl"
        ),
        ["dbl:int4", "x:numeric(10,2)", "d:date", "n:numeric(10,2)"]
    );
    assert_eq!(
        names_types("select * from t1, (select 1 as one) s"),
        [
            "id:int4",
            "event_id:int4",
            "created:timestamptz",
            "one:int4"
        ]
    );
    assert_eq!(
        names_types("select s.* from (select a, n + 1 as m from t) s(p)"),
        ["p:int4", "m:numeric"]
    );
    // A correlated reference reaches the outer query's tables.
    assert_eq!(
        names_types("select (select d from u where u.a = t.a) from t"),
        ["d:date"]
    );
}

#[test]
fn returning() {
    assert_eq!(
        names_types("insert into t (a) values (5) returning a, a + 1, \"Q\""),
        ["a:int4", "?column?:int4", "Q:text"]
    );
    assert_eq!(
        names_types("update t set a = 1 returning *"),
        ["a:int4", "n:numeric(10,2)", "c:timestamptz", "Q:text"]
    );
}

#[test]
fn parameters() {
    assert_eq!(
        params("SELECT id FROM \"t1\" WHERE event_id = $1"),
        [(1, "int4".to_string())]
    );
    assert_eq!(
        params(
            "select * from t where a = $1 and n > $2 and c < $3 and \"Q\" like $4 \
             and a = any($5) limit $6 offset $7"
        ),
        [
            (1, "int4".to_string()),
            (2, "numeric(10,2)".to_string()),
            (3, "timestamptz".to_string()),
            (4, "text".to_string()),
            (5, "int4[]".to_string()),
            (6, "int8".to_string()),
            (7, "int8".to_string())
        ]
    );
    assert_eq!(
        params("insert into u values ($1, $2)"),
        [(1, "int8".to_string()), (2, "date".to_string())]
    );
    assert_eq!(
        params(
            "insert into t (\"Q\", a) values ($1, $2::int8) on conflict (a) do update set n = $3"
        ),
        [
            (2, "int8".to_string()),
            (1, "text".to_string()),
            (3, "numeric(10,2)".to_string())
        ]
    );
    assert_eq!(
        params("update u set d = $1 where a in ($2, $3) and a between $4 and 5"),
        [
            (1, "date".to_string()),
            (2, "int8".to_string()),
            (3, "int8".to_string()),
            (4, "int8".to_string())
        ]
    );
    assert_eq!(
        params("select $1 + 1, cast($2 as text)"),
        [(1, "int4".to_string()), (2, "text".to_string())]
    );
    assert_eq!(
        params("select a from t x where x.a = (select max(a) from u where u.a > $1)"),
        [(1, "int8".to_string())]
    );
}

#[test]
fn parameters_in_results() {
    assert_eq!(
        names_types("select $9 + 1, $1"),
        ["?column?:int8", "?column?:?"]
    );
}

#[test]
fn unknown_and_unusual() {
    // A table the schema lacks: its star cannot be listed.
    let typing = analyze_text("select * from nowhere").unwrap();
    assert_eq!(resolve_columns(&typing, &Db), None);
    assert_eq!(
        analyze_text("create table x (a int)").unwrap().columns,
        None
    );
    assert_eq!(names_types("select nosuch from t"), ["nosuch:?"]);
    // Deep nesting types nothing beyond the bound and does not overflow.
    let deep = format!("select {}1{}", "(".repeat(300), ")".repeat(300));
    assert_eq!(names_types(&deep), ["?column?:?"]);
    let chain = format!("select 1{}", " + 1".repeat(500));
    assert_eq!(names_types(&chain), ["?column?:?"]);
}

#[test]
fn quoted_char_is_not_bpchar() {
    assert_eq!(names_types("select ''::text::\"char\""), ["char:?"]);
}

#[test]
fn a_qualified_subscript_is_named_after_its_column() {
    // `x.a[1]` parses as `x`, `.a`, `[1]`: PostgreSQL names the column `a`.
    assert_eq!(
        names_types("select x.a[1] from t x")[0].split(':').next(),
        Some("a")
    );
}
