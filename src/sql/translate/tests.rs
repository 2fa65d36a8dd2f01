//! Golden tests: PostgreSQL text → the SQLite text the translator writes.

use super::*;
use crate::sql::parse::parse_one;

/// The settings the golden tests translate with (the other *_tests.rs share it).
pub(super) struct Fixed;

impl Settings for Fixed {
    fn get(&self, name: &str) -> Option<String> {
        (name == "TimeZone").then(|| "UTC".to_string())
    }
    fn set(&mut self, _: &str, value: &str) -> Result<String, PgError> {
        Ok(value.to_string())
    }
}

fn sqlite(pg: &str) -> String {
    to_sqlite(parse_one(pg, 10_000).unwrap(), &mut Fixed).unwrap()
}

fn refused(pg: &str) -> PgError {
    to_sqlite(parse_one(pg, 64).unwrap(), &mut Fixed).unwrap_err()
}

#[test]
fn casts() {
    assert_eq!(
        sqlite("SELECT $1::int4, x::text, '5'::bigint, 'a'::regclass, y::timestamptz"),
        "SELECT pg_cast($1, 'int4'), CAST(x AS TEXT), pg_cast('5', 'int8'), \
         (CASE WHEN typeof(pg_regclass('a')) = 'integer' THEN pg_regclass(pg_regclass('a')) \
         ELSE pg_regclass('a') END), pg_timestamptz(y)"
    );
    assert_eq!(
        sqlite("SELECT '{}'::_int2, '{}'::pg_catalog._text"),
        "SELECT pg_cast('{}', 'int2[]'), pg_cast('{}', 'text[]')"
    );
    assert_eq!(
        sqlite("SELECT CAST(x AS double precision), date '2024-01-01', x::int[]"),
        "SELECT pg_float(x), pg_date('2024-01-01'), x"
    );
    assert_eq!(
        sqlite("SELECT '{1,2}'::int[], interval '1 day', c.oid::pg_catalog.regclass FROM c"),
        "SELECT pg_cast('{1,2}', 'int[]'), pg_interval('1 day'), \
         (CASE WHEN typeof(pg_regclass(c.oid)) = 'integer' THEN pg_regclass(pg_regclass(c.oid)) \
         ELSE pg_regclass(c.oid) END) FROM c"
    );
}

#[test]
fn strings_are_sqlite_strings() {
    assert_eq!(
        sqlite("SELECT E'a\\tb''c', $$it's$$, $x$y$x$"),
        "SELECT 'a\tb''c', 'it''s', 'y'"
    );
}

#[test]
fn precedence_is_postgresql_s() {
    // SQLite binds || tighter than +; PostgreSQL the other way round.
    assert_eq!(
        sqlite("SELECT 'four: ' || f(x)+g(y)"),
        "SELECT 'four: ' || (f(x) + g(y))"
    );
    assert_eq!(
        sqlite("SELECT f(a) - (g(b) - h(c))"),
        "SELECT f(a) - (g(b) - h(c))"
    );
}

#[test]
fn like_is_postgresql_s() {
    assert_eq!(
        sqlite("SELECT a LIKE 'x%', a NOT ILIKE 'Y_'"),
        "SELECT a GLOB 'x*', lower(a) NOT LIKE lower('Y_') ESCAPE '\\'"
    );
}

#[test]
fn regex_operators_and_collations() {
    assert_eq!(
        sqlite("SELECT a ~ 'x', a !~* 'y' FROM t WHERE c OPERATOR(pg_catalog.~) '^(t)$' COLLATE pg_catalog.default"),
        "SELECT a REGEXP 'x', a NOT REGEXP ('(?i)' || 'y') FROM t WHERE c REGEXP '^(t)$'"
    );
}

#[test]
fn qualifiers_and_bare_functions() {
    assert_eq!(
        sqlite(
            "SELECT current_user, pg_catalog.version(), pg_catalog.pg_class.relname \
             FROM pg_catalog.pg_class, public.t, information_schema.tables"
        ),
        "SELECT current_user(), version(), pg_class.relname \
         FROM pg_class, main.t, information_schema_tables AS tables"
    );
    assert_eq!(sqlite("SELECT CURRENT_TIMESTAMP"), "SELECT now()");
    // pg_dump --clean's drops: SQLite's `DROP … IF EXISTS public.t` would do nothing.
    assert_eq!(
        sqlite("DROP INDEX IF EXISTS public.t_idx"),
        "DROP INDEX IF EXISTS main.t_idx"
    );
    assert_eq!(
        sqlite("DROP VIEW IF EXISTS public.v"),
        "DROP VIEW IF EXISTS main.v"
    );
}

#[test]
fn session_settings_are_answered() {
    assert_eq!(
        sqlite("SELECT current_setting('TimeZone'), set_config('x', 'y', false)"),
        "SELECT 'UTC', 'y'"
    );
    assert_eq!(
        refused("SELECT current_setting('nope')").code,
        SqlState::UNDEFINED_PARAMETER
    );
    assert_eq!(sqlite("SELECT current_setting('nope', true)"), "SELECT ''");
}

#[test]
fn aggregates() {
    assert_eq!(
        sqlite("SELECT array_agg(a), string_agg(b, ',' ORDER BY b) FROM t"),
        "SELECT nullif(pg_array_nested(json_group_array(pg_array_value(a, 'C1:a[1:t]')), 0), '[]'), \
         CASE WHEN pg_is_bytea('C1:b[1:t]') THEN pg_joined_bytes(group_concat(b, ',' ORDER BY b NULLS LAST)) \
         ELSE group_concat(b, ',' ORDER BY b NULLS LAST) END FROM t"
    );
}

#[test]
fn table_definitions() {
    assert_eq!(
        sqlite(
            "CREATE TABLE t (id bigserial PRIMARY KEY, c timestamptz DEFAULT now(), \
             n int DEFAULT 0) WITH (fillfactor = 100)"
        ),
        "/*litewire objects*/=CREATE TABLE t (id int8 PRIMARY KEY NOT NULL DEFAULT \
         (nextval('t_id_seq')), c TIMESTAMPTZ DEFAULT (now()), n INT DEFAULT 0 \
         CONSTRAINT \"_litewire_22003 integer\" CHECK (n BETWEEN -2147483648 AND 2147483647))\0\
         +main.sequences SELECT litewire_create_sequence('main', 't_id_seq', 'bigint', NULL, \
         NULL, NULL, NULL, NULL, NULL, 't', 'id', NULL, 0)"
    );
    // Key columns are NOT NULL, as in PostgreSQL; a key SQLite would make its rowid keeps
    // its DEFAULT by another name for its type.
    assert_eq!(
        sqlite("CREATE TABLE k (a text, b integer DEFAULT 7, PRIMARY KEY (a))"),
        "CREATE TABLE k (a TEXT NOT NULL, b INTEGER DEFAULT 7 CONSTRAINT \"_litewire_22003 \
         integer\" CHECK (b BETWEEN -2147483648 AND 2147483647), CONSTRAINT \"k_pkey\" \
         PRIMARY KEY (a))"
    );
    // SQLite would give an unnamed first table constraint the name before it (the last
    // column's value check): it gets PostgreSQL's.
    assert_eq!(
        sqlite("CREATE TABLE k (a int, CHECK (a <> 5), CHECK (a < 9))"),
        "CREATE TABLE k (a INT CONSTRAINT \"_litewire_22003 integer\" CHECK (a BETWEEN \
         -2147483648 AND 2147483647), CONSTRAINT \"k_a_check\" CHECK (a <> 5), CHECK (a < 9))"
    );
    assert_eq!(
        sqlite("CREATE TABLE k (id integer PRIMARY KEY DEFAULT 7)"),
        "CREATE TABLE k (id int4 NOT NULL PRIMARY KEY DEFAULT 7 CONSTRAINT \"_litewire_22003 \
         integer\" CHECK (id BETWEEN -2147483648 AND 2147483647))"
    );
}

#[test]
fn numeric_columns_keep_exact_text() {
    // TEXT affinity (the declared type's `text`), compared numerically, checked exactly.
    assert_eq!(
        sqlite("CREATE TABLE t (a numeric(10,2), b decimal, c numeric[])"),
        "CREATE TABLE t (a numeric_text(10,2) COLLATE pg_numeric CONSTRAINT \"_litewire_22003 \
         numeric(10,2)\" CHECK (pg_numeric_fits(a, 10, 2)), b numeric_text COLLATE pg_numeric, \
         c NUMERIC[])"
    );
    // A literal a double cannot hold is its exact text; one it can stays a number.
    assert_eq!(
        sqlite("SELECT 12345678901234567890.123, -0.10000000000000000001, 0.5, 1e400"),
        format!(
            "SELECT '12345678901234567890.123', '-0.10000000000000000001', 0.5, '1{}'",
            "0".repeat(400)
        )
    );
    // A numeric compared with a literal or an integer: numeric text under the collation.
    assert_eq!(
        sqlite("SELECT '0.10'::numeric < 1"),
        "SELECT (CAST(pg_cast('0.10', 'numeric') AS TEXT) COLLATE pg_numeric) < \
         (CAST(1 AS TEXT) COLLATE pg_numeric)"
    );
}

#[test]
fn column_types_check_their_values() {
    assert_eq!(
        sqlite("CREATE TABLE t (s int2, c char(3), v character varying(10), x text)"),
        "CREATE TABLE t (s INT2 CONSTRAINT \"_litewire_22003 smallint\" CHECK (s BETWEEN -32768 AND 32767), \
         c CHAR(3) CONSTRAINT \"_litewire_22001 character(3)\" CHECK (length(rtrim(c, ' ')) <= 3), \
         v CHARACTER VARYING(10) CONSTRAINT \"_litewire_22001 character varying(10)\" CHECK (length(v) <= 10), \
         x TEXT)"
    );
    // Explicit casts cut to the length, as PostgreSQL's do.
    assert_eq!(
        sqlite("SELECT 'abcdef'::varchar(3), x::char(2)"),
        "SELECT substr(CAST('abcdef' AS TEXT), 1, 3), rtrim(substr(CAST(x AS TEXT), 1, 2), ' ')"
    );
}

#[test]
fn type_modifiers_go_last() {
    assert_eq!(
        sqlite("CREATE TABLE t (a timestamp(2) without time zone, b time(3) without time zone, c varchar(5))"),
        "CREATE TABLE t (a TIMESTAMP WITHOUT TIME ZONE(2), b TIME WITHOUT TIME ZONE(3), c VARCHAR(5) \
         CONSTRAINT \"_litewire_22001 character varying(5)\" CHECK (length(c) <= 5))"
    );
}

#[test]
fn any_and_all() {
    assert_eq!(
        sqlite("SELECT 1 WHERE k = ANY (ARRAY[$1::VARCHAR, $2]) AND j <> ALL (SELECT j FROM t)"),
        "SELECT 1 WHERE (k IN (CAST($1 AS TEXT), $2)) AND (j NOT IN (SELECT j FROM t))"
    );
    assert_eq!(
        sqlite("SELECT 1 WHERE id = any($1)"),
        "SELECT 1 WHERE (CASE WHEN ($1) IS NULL THEN NULL \
         ELSE (id) IN (SELECT value FROM json_each(pg_array_json($1))) END)"
    );
    assert_eq!(
        sqlite("SELECT k > ALL (ARRAY[1])"),
        "SELECT (SELECT CASE WHEN min(c) = 0 THEN 0 WHEN count(*) > count(c) THEN NULL \
         ELSE 1 END FROM (SELECT (k) > value AS c FROM json_each(pg_array_json(json_array(1)))))"
    );
}

#[test]
fn array_functions_and_subscripts() {
    assert_eq!(
        sqlite("SELECT array_to_string(array(SELECT name FROM t ORDER BY 1), ',')"),
        "SELECT pg_array_to_string((WITH _array(v) AS (SELECT name FROM t ORDER BY 1 NULLS LAST) \
         SELECT json_group_array(v) FROM _array), ',')"
    );
    assert_eq!(
        sqlite("SELECT cardinality(y), array_dims(y), array_fill(0, ARRAY[2]) FROM t"),
        "SELECT pg_cardinality(y), pg_array_dims(y), pg_array_fill(0, json_array(2)) FROM t"
    );
    assert_eq!(
        sqlite("SELECT prattrs[s], ARRAY['a', 'b'] FROM t"),
        "SELECT pg_subscript_pick(pg_array_get(prattrs, 1, s), \
         pg_jsonb_subscript(pg_jsonb(prattrs), s), 'C7:prattrs[1:t]'), json_array('a', 'b') FROM t"
    );
    // A subscript of what is certainly an array or jsonb needs no pick.
    assert_eq!(
        sqlite("SELECT (ARRAY[1, 2])[1], ('{\"a\": 1}'::jsonb)['a']"),
        "SELECT pg_array_get((json_array(1, 2)), 1, 1), \
         pg_jsonb_subscript((pg_jsonb('{\"a\": 1}')), 'a')"
    );
    // A slice: its shape and bounds (engine/slice.rs); a stride is not PostgreSQL's.
    assert_eq!(
        sqlite("SELECT ('{1,2,3}'::int[])[2:][:1]"),
        "SELECT pg_array_slice((pg_cast('{1,2,3}', 'int[]')), 'lu', 2, 1)"
    );
    // A qualified column's subscript.
    assert_eq!(
        sqlite("SELECT t.a[2] FROM t"),
        "SELECT pg_subscript_pick(pg_array_get(t.a, 1, 2), \
         pg_jsonb_subscript(pg_jsonb(t.a), 2), 'C1:a[1:t]') FROM t"
    );
    assert_eq!(
        refused("SELECT a[1][1][1][1][1][1][1] FROM t").code,
        SqlState::PROGRAM_LIMIT_EXCEEDED
    );
}

#[test]
fn set_returning_functions_in_from() {
    assert_eq!(
        sqlite("SELECT s FROM generate_series(1, 3) s WHERE s > 1"),
        "SELECT s._lw_value AS s FROM pg_generate_series(1, 3) AS s WHERE s._lw_value > 1"
    );
    assert_eq!(
        sqlite(
            "SELECT a.relid FROM pg_partition_ancestors(t.x) WITH ORDINALITY AS a(relid, depth) \
             ORDER BY a.depth"
        ),
        "SELECT a._lw_value AS relid FROM pg_rows(pg_array_json(pg_partition_ancestors(t.x))) AS a \
         ORDER BY a._lw_ord NULLS LAST"
    );
    assert_eq!(
        sqlite("SELECT x FROM unnest($1::int[]) AS u(x)"),
        "SELECT u._lw_value AS x FROM pg_rows(pg_unnest($1)) AS u"
    );
    // Several arrays side by side: a column per argument.
    assert_eq!(
        sqlite("SELECT * FROM unnest(ARRAY[1, 2], ARRAY['a']) AS u(n, s)"),
        "SELECT json_extract(u._lw_value, '$[0]') AS n, json_extract(u._lw_value, '$[1]') AS s \
         FROM pg_rows(pg_unnest(json_array(1, 2), json_array('a'))) AS u"
    );
    assert_eq!(
        sqlite("SELECT n, s FROM unnest(ARRAY[1, 2], ARRAY['a']) AS u(n, s)"),
        "SELECT json_extract(u._lw_value, '$[0]') AS n, json_extract(u._lw_value, '$[1]') AS s \
         FROM pg_rows(pg_unnest(json_array(1, 2), json_array('a'))) AS u"
    );
    assert_eq!(
        sqlite("SELECT m FROM regexp_matches('abab', 'a', 'g') AS m"),
        "SELECT json(m._lw_value) AS m FROM pg_rows(pg_regexp_matches('abab', 'a', 'g')) AS m"
    );
    assert_eq!(
        sqlite("SELECT * FROM current_schema()"),
        "SELECT current_schema._lw_value AS current_schema \
         FROM pg_rows(json_array(current_schema())) AS current_schema"
    );
    assert_eq!(
        sqlite("SELECT w FROM string_to_table('a b', ' ') AS w"),
        "SELECT w._lw_value AS w FROM pg_rows(pg_array_json(pg_string_to_array('a b', ' '))) AS w"
    );
}

#[test]
fn set_returning_functions_in_select_lists_become_sources() {
    assert_eq!(
        sqlite("SELECT id, unnest(tags) FROM t"),
        "SELECT id, _srf1._lw_value AS unnest FROM t, pg_rows(pg_unnest(tags)) AS _srf1"
    );
    assert_eq!(
        sqlite("SELECT generate_subscripts(ARRAY[5, 6], 1) AS s"),
        "SELECT _srf1._lw_value AS s FROM pg_rows(pg_generate_subscripts(json_array(5, 6), 1)) AS _srf1"
    );
    // Several run in lockstep: one source of rows of one element of each.
    assert_eq!(
        sqlite("SELECT unnest(a), generate_series(1, 3) AS g FROM t"),
        "SELECT json_extract(_srf1._lw_value, '$[0]') AS unnest, json_extract(_srf1._lw_value, '$[1]') AS g \
         FROM t, pg_rows(pg_zip(pg_unnest(a), pg_series(1, 3))) AS _srf1"
    );
    // Inside arithmetic (drizzle-kit's `generate_subscripts(indkey, 1) + 1`): the item
    // keeps its expression around the source's column.
    assert_eq!(
        sqlite("SELECT unnest(a) + 1 FROM t"),
        "SELECT pg_op('+', _srf1._lw_value, 1, 'W]C1:a[1:t]', 'N4:int4') COLLATE pg_numeric FROM t, pg_rows(pg_unnest(a)) AS _srf1"
    );
    for sql in [
        "SELECT unnest(a), json_array_elements(b) FROM t",
        "SELECT count(*), unnest(a) FROM t GROUP BY a",
        "SELECT max(x), generate_series(1, 3) FROM t",
        "SELECT unnest(a) + unnest(b) FROM t",
    ] {
        assert_eq!(refused(sql).code, SqlState::FEATURE_NOT_SUPPORTED, "{sql}");
    }
}

#[test]
fn array_operators_where_the_tree_shows_an_array() {
    assert_eq!(
        sqlite("SELECT ARRAY[1, 2] || 3, 0 || ARRAY[1], ARRAY[1] || ARRAY[2], ARRAY[1] || '{2}'"),
        "SELECT pg_array_append(json_array(1, 2), 3), pg_array_prepend(0, json_array(1)), \
         pg_array_cat(json_array(1), json_array(2)), pg_array_cat(json_array(1), '{2}')"
    );
    assert_eq!(
        sqlite("SELECT * FROM t WHERE a @> ARRAY[1] AND '{1}'::int[] <@ a AND a && ARRAY[2]"),
        "SELECT * FROM t WHERE (pg_array_contains(a, json_array(1)) \
         AND pg_array_contains(a, pg_cast('{1}', 'int[]'))) AND pg_array_overlap(a, json_array(2))"
    );
    assert_eq!(
        sqlite("SELECT ARRAY[1, 2] < ARRAY[1, 3], a = '{1}'::int[] FROM t"),
        "SELECT pg_array_cmp(json_array(1, 2), json_array(1, 3)) < 0, \
         pg_array_cmp(a, pg_cast('{1}', 'int[]')) = 0 FROM t"
    );
    assert_eq!(
        sqlite("SELECT array_agg(x) || 0 FROM t"),
        "SELECT pg_concat_op(nullif(pg_array_nested(json_group_array(pg_array_value(x, 'C1:x[1:t]')), 0), '[]'), 0, 'WgC1:x[1:t]', 'N4:int4') FROM t"
    );
}

#[test]
fn like_any_reads_the_array() {
    assert_eq!(
        sqlite("SELECT 'foo' NOT ILIKE ANY (ARRAY['%a', '%o'])"),
        "SELECT (SELECT CASE WHEN max(c) THEN 1 WHEN count(*) > count(c) THEN NULL ELSE 0 END \
         FROM (SELECT NOT lower(('foo')) LIKE lower(value) ESCAPE '\\' AS c \
         FROM json_each(pg_array_json(json_array('%a', '%o')))))"
    );
}

#[test]
fn array_column_types_keep_their_modifiers() {
    assert_eq!(
        sqlite("CREATE TABLE t (a int[], b char(5)[], c int4[][])"),
        "CREATE TABLE t (a INT[], b CHAR [](5), c INT4[][])"
    );
}

#[test]
fn deep_statements_translate_on_a_thread_of_ordinary_stack() {
    // A thread's stack as tokio gives it (2 MiB); the statement gets a stack of its own.
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            for depth in [3, 30, 300] {
                let sql = format!(
                    "SELECT {}1{}",
                    "coalesce(".repeat(depth),
                    ", 0)".repeat(depth)
                );
                let d = crate::sql::lexer::shape(&sql).depth;
                let out = crate::sql::parse::on_stack_for(d, || sqlite(&sql));
                assert!(out.starts_with("SELECT coalesce("));
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn literals_written_into_columns_are_read_as_the_column_s_type() {
    assert_eq!(
        sqlite("INSERT INTO t (a, b) VALUES ('1', 2), ($1, ' x ')"),
        "INSERT INTO t (a, b) VALUES (pg_store('1', 't', 'a'), 2), ($1, pg_store(' x ', 't', 'b'))"
    );
    assert_eq!(
        sqlite("INSERT INTO s.t VALUES ('1')"),
        "INSERT INTO \"s.t\" VALUES (pg_store('1', 's.t', 0))"
    );
    assert_eq!(
        sqlite("UPDATE t SET a = '5' WHERE b = '6'"),
        "UPDATE t SET a = pg_store('5', 't', 'a') WHERE pg_compare_key(b, 'C1:b[1:t]') = pg_compare_key(pg_coerce('6', 'C1:b[1:t]'), 'C1:b[1:t]')"
    );
}

#[test]
fn operators_are_chosen_by_their_operands_types() {
    // Integers, dates and divisions become pg_op with both types; the engine resolves
    // a column's type against the schema when the statement runs.
    assert_eq!(
        sqlite("SELECT '2024-01-01'::date + 1"),
        "SELECT pg_op('+', pg_date('2024-01-01'), 1, 'N4:date', 'N4:int4')"
    );
    assert_eq!(
        sqlite("SELECT a + 1 FROM t"),
        "SELECT pg_op('+', a, 1, 'C1:a[1:t]', 'N4:int4') COLLATE pg_numeric FROM t"
    );
    assert_eq!(
        sqlite("SELECT x.a * $1 FROM t AS x"),
        "SELECT pg_op('*', x.a, $1, 'C1:a[1:t]', 'P1;') COLLATE pg_numeric FROM t AS x"
    );
    // Integers by the tree alone: checked arithmetic without type lookups.
    assert_eq!(
        sqlite("SELECT 2::int2 * 3, 7 / 2"),
        "SELECT pg_int(pg_cast(2, 'int2'), 3, 34), pg_int(7, 2, 44)"
    );
    assert_eq!(
        sqlite("SELECT pg_typeof(1.5)"),
        "SELECT pg_type_of('N7:numeric')"
    );
    // Floats through pg_op (NaN kept, overflow 22003); numeric in decimal (pg_op), a
    // decimal literal as its text (its written scale kept); unknown stays.
    assert_eq!(
        sqlite("SELECT 1.5 * 2.5, 1.5::float8 * 2.5::float8, f(x) + g(y)"),
        "SELECT pg_op('*', pg_cast('1.5', 'numeric'), pg_cast('2.5', 'numeric'), 'N7:numeric', \
         'N7:numeric') COLLATE pg_numeric, \
         pg_op('*', pg_float(1.5), pg_float(2.5), 'N6:float8', 'N6:float8') COLLATE pg_numeric, \
         f(x) + g(y)"
    );
}

#[test]
fn decimal_literals_keep_their_scale_in_mod_and_scale() {
    assert_eq!(
        sqlite("SELECT mod(70.0, 70), scale(-0.00), mod(x, 2)"),
        "SELECT pg_mod(pg_cast('70.0', 'numeric'), 70), \
         pg_numeric_scale(pg_cast('-0.00', 'numeric')), pg_mod(x, 2)"
    );
    // Beside a float the literal stays a double (float8 arithmetic).
    assert_eq!(
        sqlite("SELECT 1.50 + 2::float8"),
        "SELECT pg_op('+', 1.50, pg_float(2), 'N7:numeric', 'N6:float8') COLLATE pg_numeric"
    );
}

#[test]
fn interval_fields() {
    assert_eq!(
        sqlite(
            "SELECT interval '1 2:03' day to minute, interval '1.5' second(0), \
             x::interval hour, '1'::interval(3), interval '1 day'"
        ),
        "SELECT pg_interval('1 2:03', 'day to minute', -1), pg_interval('1.5', 'second', 0), \
         pg_interval(x, 'hour', -1), \
         pg_interval('1', '', 3), pg_interval('1 day')"
    );
}

#[test]
fn recursive_references_stay_out_of_outer_joins() {
    for join in [
        "y LEFT JOIN x ON x.n = y.a",
        "x RIGHT JOIN y ON x.n = y.a",
        "x FULL JOIN y ON true",
    ] {
        let e = refused(&format!(
            "WITH RECURSIVE x(n) AS (SELECT 1 UNION ALL SELECT x.n + 1 FROM {join} WHERE n < 10) SELECT * FROM x"
        ));
        assert_eq!(e.code, SqlState::INVALID_RECURSION, "{join}");
    }
    sqlite("WITH RECURSIVE x(n) AS (SELECT 1 UNION ALL SELECT x.n + 1 FROM x LEFT JOIN y ON x.n = y.a WHERE n < 10) SELECT * FROM x");
}

#[test]
fn computed_values_assigned_only_where_a_timestamptz_may_be() {
    // Operators are typed first (pg_op can yield a timestamptz: a column + an interval).
    assert_eq!(
        sqlite("UPDATE t SET a = a + $1, d = now(), n = m WHERE id = $2"),
        "UPDATE t SET a = pg_store(pg_op('+', a, $1, 'C1:a[1:t]', 'P1;') COLLATE pg_numeric, 't', 'a', 1), d = pg_store(now(), 't', 'd', 1), n = m WHERE pg_compare_key(id, 'C2:id[1:t]') = pg_compare_key($2, 'C2:id[1:t]')"
    );
    assert_eq!(
        sqlite("UPDATE t SET a = b * 2"),
        "UPDATE t SET a = pg_op('*', b, 2, 'C1:b[1:t]', 'N4:int4') COLLATE pg_numeric"
    );
}

#[test]
fn catalog_vectors_are_subscripted_from_zero() {
    assert_eq!(
        sqlite("SELECT i.indkey[0], a[1] FROM pg_index i, t"),
        "SELECT pg_subscript_pick(pg_array_get(i.indkey, 0, 0), \
         pg_jsonb_subscript(pg_jsonb(i.indkey), 0), 'C6:indkey[8:pg_index]'), \
         pg_subscript_pick(pg_array_get(a, 1, 1), \
         pg_jsonb_subscript(pg_jsonb(a), 1), 'F[C1:a[8:pg_index]C1:a[1:t]]') FROM pg_index AS i, t"
    );
    assert_eq!(
        sqlite("SELECT generate_subscripts(indkey, 1) AS o FROM pg_index"),
        "SELECT _srf1._lw_value AS o FROM pg_index, \
         pg_rows(pg_generate_subscripts(indkey, 1, false, 0)) AS _srf1"
    );
}

#[test]
fn booleans_intervals_and_negation_by_type() {
    // A boolean cast to text is true/false; a column's type is the engine's to read.
    assert_eq!(
        sqlite("SELECT true::text, b::varchar(2) FROM t"),
        "SELECT CAST(pg_text_out(true, 'N4:bool') AS TEXT), substr(CAST(pg_text_out(b, 'C1:b[1:t]') AS TEXT), 1, 2) FROM t"
    );
    // Unary minus of an interval or a column; a number literal stays a constant.
    assert_eq!(
        sqlite("SELECT - interval '1 day', -a, -1 FROM t"),
        "SELECT pg_neg(pg_interval('1 day'), 'N8:interval'), pg_neg(a, 'C1:a[1:t]'), -1 FROM t"
    );
    // sum/avg of intervals; of a column, the engine picks by its type.
    assert_eq!(
        sqlite("SELECT avg(interval '1 day'), sum(a) FROM t"),
        "SELECT pg_interval_avg(pg_interval('1 day')), \
         CASE WHEN pg_is_interval('C1:a[1:t]') THEN pg_interval_sum(a) WHEN pg_is_numeric('C1:a[1:t]', 0) \
         THEN pg_numeric_sum(a, 'C1:a[1:t]') ELSE sum(a) END FROM t"
    );
}

#[test]
fn set_returning_columns_stay_in_their_query() {
    // Outside the derived table, `k` is the derived table's column, not the source's.
    assert_eq!(
        sqlite("SELECT k FROM (SELECT * FROM unnest(a) AS u(k)) AS d"),
        "SELECT k FROM (SELECT u._lw_value AS k FROM pg_rows(pg_unnest(a)) AS u) AS d"
    );
}

#[test]
fn one_byte_char_is_not_char_1() {
    assert_eq!(
        sqlite("SELECT 'ab'::\"char\", x::char"),
        "SELECT pg_char('ab'), rtrim(substr(CAST(x AS TEXT), 1, 1), ' ')"
    );
}

#[test]
fn insert_select_with_on_conflict_ends_its_from() {
    assert_eq!(
        sqlite("INSERT INTO t SELECT * FROM s ON CONFLICT DO NOTHING"),
        "INSERT INTO t SELECT * FROM s WHERE true ON CONFLICT DO NOTHING"
    );
    assert_eq!(
        sqlite("INSERT INTO t SELECT * FROM s WHERE s.a > 1 ON CONFLICT DO NOTHING"),
        "INSERT INTO t SELECT * FROM s WHERE s.a > 1 ON CONFLICT DO NOTHING"
    );
}

#[test]
fn array_agg_of_arrays_nests_them() {
    assert_eq!(
        sqlite("SELECT array_agg('{1,2}'::int[]), array_agg(a), array_agg(1) FROM t"),
        "SELECT nullif(pg_array_nested(json_group_array(pg_array_nestable(pg_cast('{1,2}', 'int[]'))), 1), '[]'), \
         nullif(pg_array_nested(json_group_array(pg_array_value(a, 'C1:a[1:t]')), 0), '[]'), \
         nullif(json_group_array(1), '[]') FROM t"
    );
}

#[test]
fn jsonb_comparisons_use_jsonb_order() {
    assert_eq!(
        sqlite("SELECT (m -> 'p') > '100'::jsonb"),
        "SELECT pg_jsonb_cmp((pg_json_get(m, 'p')), pg_jsonb('100')) > 0"
    );
}

#[test]
fn casts_with_a_seconds_precision_round() {
    assert_eq!(
        sqlite("SELECT x::timestamp(2), timestamp(0) with time zone 'now', y::time(6)"),
        "SELECT pg_precision(pg_timestamp(pg_local(x)), 2), \
         pg_precision(pg_timestamptz('now'), 0), pg_cast(pg_local(y), 'time')"
    );
}

#[test]
fn catalog_vectors_cast_to_their_text() {
    assert_eq!(
        sqlite("SELECT i.indkey::text FROM pg_index i"),
        "SELECT pg_vector_text(i.indkey) FROM pg_index AS i"
    );
    assert_eq!(
        refused("SELECT indkey::int2[] FROM pg_index").code,
        crate::protocol::SqlState::FEATURE_NOT_SUPPORTED
    );
}

#[test]
fn a_column_s_containment_is_read_by_its_type() {
    assert_eq!(
        sqlite("SELECT * FROM t WHERE a @> '{1}' AND '{2}' <@ b"),
        "SELECT * FROM t WHERE pg_contains(a, '{1}', 'C1:a[1:t]', '''') AND pg_contains(b, '{2}', 'C1:b[1:t]', '''')"
    );
}

#[test]
fn like_all_and_empty_arrays() {
    assert_eq!(
        sqlite("SELECT 'foo' ILIKE ALL (ARRAY['F%', '%O'])"),
        "SELECT (SELECT CASE WHEN min(c) = 0 THEN 0 WHEN count(*) > count(c) THEN NULL ELSE 1 END \
         FROM (SELECT lower(('foo')) LIKE lower(value) ESCAPE '\\' AS c \
         FROM json_each(pg_array_json(json_array('F%', '%O')))))"
    );
    assert_eq!(
        sqlite("SELECT ARRAY[]::int[]"),
        "SELECT pg_cast('{}', 'int[]')"
    );
    assert_eq!(
        refused("SELECT ARRAY[]").code,
        SqlState::INDETERMINATE_DATATYPE
    );
}

#[test]
fn min_and_max_order_by_type() {
    assert_eq!(
        sqlite("SELECT max(a), min(interval '1 day'), max('{1}'::int[]), max(1, 2) FROM t"),
        "SELECT pg_order_max(a, 'C1:a[1:t]'), pg_interval_min(pg_interval('1 day')), \
         pg_array_max(pg_cast('{1}', 'int[]')), max(1, 2) FROM t"
    );
    // Over a window frame: the forms that keep the frame's values (the aggregates keep one).
    assert_eq!(
        sqlite("SELECT min(interval '1 day') OVER (), max('{1}'::int[]) OVER (ORDER BY b) FROM t"),
        "SELECT pg_interval_min_w(pg_interval('1 day')) OVER (), \
         pg_array_max_w(pg_cast('{1}', 'int[]')) OVER (ORDER BY b NULLS LAST) FROM t"
    );
}

#[test]
fn array_elements_that_may_be_bytea_are_written_as_text() {
    assert_eq!(
        sqlite("SELECT ARRAY[x, 1, ARRAY[2]] FROM t"),
        "SELECT pg_array_of_arrays(json_array(pg_array_elem(pg_array_value(x, 'C1:x[1:t]')), 1, \
         json_array(2))) FROM t"
    );
}

#[test]
fn array_columns_nest_inside_array_literals() {
    // A column the schema types: the engine decides whether it nests (an array) or is
    // an element (pg_array_value, engine/compare.rs).
    assert_eq!(
        sqlite("SELECT ARRAY[a, b] FROM t"),
        "SELECT pg_array_of_arrays(json_array(pg_array_elem(pg_array_value(a, 'C1:a[1:t]')), \
         pg_array_elem(pg_array_value(b, 'C1:b[1:t]')))) FROM t"
    );
}

#[test]
fn concatenation_prints_operands_as_their_types() {
    assert_eq!(
        sqlite("SELECT true || 'x', 1.5::float8 || 'y', 'a' || 'b'"),
        "SELECT pg_text_out(true, 'N4:bool') || 'x', pg_text_out(pg_float(1.5), 'N6:float8') || 'y', 'a' || 'b'"
    );
    assert_eq!(
        sqlite("SELECT a || b FROM t"),
        "SELECT pg_concat_op(a, b, 'C1:a[1:t]', 'C1:b[1:t]') FROM t"
    );
}
#[test]
fn having_without_group_by_is_one_group() {
    assert_eq!(
        sqlite("SELECT 1 AS one FROM th HAVING 1 > 2"),
        "SELECT \"_having 1\" FROM (SELECT 1 AS \"_having 1\", count(*) FROM th HAVING 1 > 2) AS \"_having\""
    );
    // An aggregate in the list: SQLite's own reading is PostgreSQL's.
    assert_eq!(
        sqlite("SELECT count(*) FROM th HAVING 1 < 2"),
        "SELECT count(*) FROM th HAVING 1 < 2"
    );
    assert_eq!(
        refused("SELECT a FROM th HAVING true").code,
        SqlState::GROUPING_ERROR
    );
}
#[test]
fn like_with_a_literal_pattern_is_glob() {
    assert_eq!(
        sqlite("create unique index p on t(key) where fruit like '%berry'"),
        "CREATE UNIQUE INDEX p ON t(key) WHERE fruit GLOB '*berry'"
    );
    assert_eq!(
        sqlite(r"select a not like 'a\%b_c*d[e]?' from t"),
        "SELECT NOT a GLOB 'a%b?c[*]d[[]e][?]' FROM t"
    );
    // A pattern ending in its escape character keeps LIKE (and SQLite's answer).
    assert_eq!(
        sqlite(r"select a like 'x\' from t"),
        r"SELECT a LIKE 'x\' ESCAPE '\' FROM t"
    );
    assert_eq!(
        sqlite("select a like b from t"),
        r"SELECT a LIKE b ESCAPE '\' FROM t"
    );
}

#[test]
fn is_unknown_is_is_null() {
    assert_eq!(
        sqlite("select b is unknown, b is not unknown from t"),
        "SELECT b IS NULL, b IS NOT NULL FROM t"
    );
}

#[test]
fn variadic_arrays_are_spread_into_the_call() {
    assert_eq!(
        sqlite("SELECT concat(VARIADIC ARRAY[1, 2]), format('%s', VARIADIC '{a,b}'::text[])"),
        "SELECT pg_concat(1, 2), pg_format('%s', 'a', 'b')"
    );
    // A NULL array: NULL, except format's (no arguments).
    assert_eq!(
        sqlite("SELECT concat(VARIADIC NULL::text[]), format('x', VARIADIC NULL::int[])"),
        "SELECT NULL, pg_format('x')"
    );
    assert_eq!(
        refused("SELECT concat('a', VARIADIC ARRAY['b'])").code,
        SqlState::UNDEFINED_FUNCTION
    );
    assert_eq!(
        refused("SELECT concat(VARIADIC a) FROM t").code,
        SqlState::FEATURE_NOT_SUPPORTED
    );
    assert_eq!(
        refused("SELECT upper(VARIADIC ARRAY['a'])").code,
        SqlState::FEATURE_NOT_SUPPORTED
    );
}

#[test]
fn order_by_using_is_asc_or_desc() {
    assert_eq!(
        sqlite("SELECT a FROM t ORDER BY a + 1 USING >, b USING <"),
        "SELECT a FROM t ORDER BY pg_op('+', a, 1, 'C1:a[1:t]', 'N4:int4') COLLATE pg_numeric \
         DESC NULLS FIRST, \
         pg_order_key(b, 'C1:b[1:t]') ASC NULLS LAST"
    );
    assert_eq!(
        sqlite("SELECT string_agg(b, ',' ORDER BY a USING >) FROM t"),
        "SELECT CASE WHEN pg_is_bytea('C1:b[1:t]') THEN pg_joined_bytes(group_concat(b, ',' ORDER BY a DESC NULLS FIRST)) \
         ELSE group_concat(b, ',' ORDER BY a DESC NULLS FIRST) END FROM t"
    );
    assert_eq!(
        refused("SELECT a FROM t ORDER BY a USING < ASC").code,
        SqlState::SYNTAX_ERROR
    );
    assert_eq!(refused("SELECT 1 USING <").code, SqlState::SYNTAX_ERROR);
}

#[test]
fn similar_to_is_a_regex_match() {
    assert_eq!(
        sqlite("SELECT a SIMILAR TO '_b%', a NOT SIMILAR TO 'x#%' ESCAPE '#' FROM t"),
        "SELECT a REGEXP similar_to_escape('_b%'), a NOT REGEXP similar_to_escape('x#%', '#') FROM t"
    );
}

#[test]
fn substring_similar_is_the_engines_call() {
    assert_eq!(
        sqlite(
            "SELECT SUBSTRING(a || 'x' SIMILAR 'a#\"b#\"%' ESCAPE '#'), SUBSTRING(a FROM 2) FROM t"
        ),
        "SELECT pg_substring_similar(pg_concat_op(a, 'x', 'C1:a[1:t]', ''''), 'a#\"b#\"%', '#'), pg_substr(a, 2) FROM t"
    );
}

#[test]
fn the_word_interval_as_a_column_and_with_a_precision() {
    assert_eq!(
        sqlite("SELECT interval(0) '1 day 01:23:45.6789', interval, interval::interval FROM t"),
        "SELECT pg_interval('1 day 01:23:45.6789', '', 0), interval, pg_interval(interval) FROM t"
    );
}

#[test]
fn arrays_nest_inside_array_literals() {
    // A cast to an array type is an array: one more dimension, not a string.
    assert_eq!(
        sqlite("SELECT ARRAY['{1,2}'::int[], '{3,4}'::int[]]"),
        "SELECT pg_array_of_arrays(json_array(pg_array_nestable(pg_cast('{1,2}', 'int[]')), \
         pg_array_nestable(pg_cast('{3,4}', 'int[]'))))"
    );
}

#[test]
fn concatenation_of_array_columns_the_tree_types() {
    // A derived table's array column is an array: `||` appends, not text concatenation.
    assert_eq!(
        sqlite("select path || 2, '{0}' || path from (select array[1]::integer[] path) s"),
        "SELECT pg_array_append(path, 2), pg_array_cat('{0}', path) FROM \
         (SELECT json_array(pg_array_elem(pg_cast(1, 'int4'))) AS path) AS s"
    );
}

#[test]
fn array_constructors_cast_element_by_element() {
    // `ARRAY['today']::timestamptz[]` reads each literal as a timestamptz.
    assert_eq!(
        sqlite("SELECT ARRAY['a', NULL]::text[], ARRAY[ARRAY[1.5]]::int[]"),
        "SELECT json_array(pg_array_elem(CAST('a' AS TEXT)), pg_array_elem(CAST(NULL AS TEXT))), \
         json_array(json_array(pg_array_elem(pg_cast(1.5, 'int4'))))"
    );
}

#[test]
fn merge_is_a_batch_of_statements() {
    let sql = sqlite(
        "WITH c AS (SELECT 1 a) MERGE INTO m x USING c ON x.k = c.a \
         WHEN MATCHED AND c.a > 0 THEN UPDATE SET v = c.a WHEN MATCHED THEN DELETE \
         WHEN NOT MATCHED AND c.a < 0 THEN DO NOTHING WHEN NOT MATCHED THEN INSERT (k) VALUES (c.a)",
    );
    let parts = crate::engine::merge::parts(&sql).unwrap();
    assert!(
        parts.join.contains("LEFT JOIN m AS x ON x.k = c.a"),
        "{}",
        parts.join
    );
    assert!(
        parts.join.contains("WHEN (c.a > 0) THEN 1 ELSE 2"),
        "{}",
        parts.join
    );
    // Clause 1 updates, 2 deletes: a target row two source rows act on is 21000.
    assert_eq!(parts.acting, "1,2");
    let statements: Vec<&str> = parts.statements.iter().map(|p| p.source).collect();
    assert_eq!(statements.len(), 3, "{statements:?}");
    assert!(statements[0].starts_with("WITH c AS (SELECT 1 AS a) DELETE FROM m AS x"));
    assert!(statements[1].contains("UPDATE m AS x SET v = c.a FROM _litewire_merge AS c"));
    // The NOT MATCHED clause before it (DO NOTHING) takes the rows its condition holds for.
    assert!(
        statements[2].contains("WHERE c._litewire_t IS NULL AND NOT COALESCE((c.a < 0), false)"),
        "{}",
        statements[2]
    );
}

#[test]
fn merge_refusals_are_postgres_errors() {
    for (sql, code) in [
        (
            "MERGE INTO m USING s ON true WHEN MATCHED THEN DELETE WHEN MATCHED THEN DELETE",
            SqlState::SYNTAX_ERROR,
        ),
        (
            "MERGE INTO m USING (SELECT 1) ON true WHEN MATCHED THEN DELETE",
            SqlState::SYNTAX_ERROR,
        ),
        (
            "WITH RECURSIVE c AS (SELECT 1) MERGE INTO m USING c ON true WHEN MATCHED THEN DELETE",
            SqlState::SYNTAX_ERROR,
        ),
        (
            "MERGE INTO m USING s AS m ON true WHEN MATCHED THEN DELETE",
            SqlState::DUPLICATE_ALIAS,
        ),
        (
            "WITH d AS (DELETE FROM s RETURNING *) MERGE INTO m USING d ON true \
             WHEN MATCHED THEN DELETE",
            SqlState::FEATURE_NOT_SUPPORTED,
        ),
        (
            "MERGE INTO m USING s ON true WHEN NOT MATCHED THEN INSERT VALUES (1, DEFAULT)",
            SqlState::FEATURE_NOT_SUPPORTED,
        ),
    ] {
        assert_eq!(refused(sql).code, code, "{sql}");
    }
}

#[test]
fn bc_shaped_literals_read_as_postgres_reads_them() {
    // A literal read as PostgreSQL reads it, not as a stored BC date (engine/datetime.rs).
    assert_eq!(
        sqlite("SELECT '/9955-03-15'::date, date '/9955-03-15', $1::date, '/x'::text"),
        "SELECT pg_date(' /9955-03-15'), pg_date(' /9955-03-15'), pg_date(pg_local($1)), \
         CAST('/x' AS TEXT)"
    );
}

#[test]
fn oid_alias_columns_sort_by_their_oids() {
    // The column prints the name; the ORDER BY naming it (position, alias, expression)
    // sorts by the OID, as PostgreSQL's regclass/regproc comparison does.
    let key = "(CASE WHEN typeof(x) = 'integer' THEN x ELSE pg_regclass(x) END)";
    for pg in [
        "select x::regclass from t order by 1",
        "select x::regclass as r from t order by r",
        "select x::regclass from t order by x::regclass",
    ] {
        let got = sqlite(pg);
        assert!(got.contains(&format!("ORDER BY {key}")), "{pg}: {got}");
        assert!(
            got.starts_with("SELECT (CASE WHEN typeof(pg_regclass(x))"),
            "{pg}: {got}"
        );
    }
}

#[test]
fn outer_level_ordered_set_aggregates_take_no_lower_level_direct_argument() {
    for pg in [
        "select array(select percentile_disc(a) within group (order by x) \
         from (values (0.3),(0.7)) v(a) group by a) from generate_series(1,5) g(x)",
        "select (select rank(v.a) within group (order by g.x) from (values (1)) v(a)) \
         from generate_series(1,2) g(x)",
    ] {
        assert_eq!(refused(pg).code.0, "42803", "{pg}");
    }
    // Its own level's ORDER BY, a constant direct argument, or a FROM whose columns the
    // tree does not name (a table's): no error here.
    for pg in [
        "select array(select percentile_disc(a) within group (order by a) \
         from (values (0.3)) v(a) group by a) from generate_series(1,2) g(x)",
        "select array(select percentile_disc(0.5) within group (order by x) \
         from (values (0.3)) v(a)) from generate_series(1,2) g(x)",
        "select (select percentile_disc(a) within group (order by x) from t) from u",
    ] {
        sqlite(pg);
    }
}
