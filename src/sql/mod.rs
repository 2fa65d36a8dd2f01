//! SQL text handling that needs no database: splitting a query string into statements
//! (by SQLite's own rules) and classifying each statement. IO-free and unit-tested.

pub mod alter;
pub mod cache;
pub mod command;
pub mod copy;
pub mod cursor;
pub mod database;
pub mod ddl;
mod dialect;
pub mod lexer;
pub mod merge;
pub mod parse;
pub mod prepare;
pub mod translate;
pub mod types;
pub mod unicode;

pub use command::{classify, Begin, BeginMode, Command, Isolation, SetTransaction, Verb};
pub use lexer::split;

/// Malformed SQL must give errors, never panics: every prefix of statements that take
/// the rewriters' and parsers' less common paths goes through all of them.
#[cfg(test)]
mod no_panics {
    const CORPUS: &[&str] = &[
        "SELECT c.oid::pg_catalog.regclass, CAST(x AS integer), CAST(AS int), '{1,2}'::int[] FROM t",
        "select prattrs[s], (f(x))[2], ARRAY['a', $1::text], array(select a from t order by 1) from generate_series(0, 3) s",
        "select a.relid from pg_partition_ancestors(t.x) WITH ORDINALITY AS a(relid, depth) order by a.depth",
        "select array_to_string(array_agg(x), ', ', '*'), array_upper(y, 1), cardinality(z), string_agg(n, ',') from unnest($1) as u(x)",
        "select 1 where k = ANY (ARRAY[$1::VARCHAR, $2]) and j <> all($3) and n !~* '^pg_' and c.relname OPERATOR(pg_catalog.~) '^(u)$' COLLATE pg_catalog.default",
        "select count(*) over (partition by a), case when x then 1 end, 1.5::double precision, x::timestamp with time zone from information_schema.columns",
        "drop table if exists a, public.b, \"C\" cascade",
        "truncate table only a *, b restart identity cascade",
        "vacuum (analyze, verbose) a, b",
        "alter table if exists only t add constraint k primary key (a, \"B\")",
        "create table t (a int, b text) with (fillfactor=100) strict",
        "copy t (a, b) from stdin with (format csv, header true, delimiter ';', null 'x')",
        "declare \"c\" binary no scroll cursor without hold for select * from t",
        "fetch forward 5 from \"c\"",
        "insert into t (a, b) values ($1, $2), ($3, $4) returning a",
        "WITH RECURSIVE x(a) AS (SELECT 1 UNION ALL SELECT a + 1 FROM x) SELECT DISTINCT *, a::regtype::text FROM x",
        // Multibyte characters where the parsers slice by byte offsets.
        "SELECT $€, $1::é, 'é'::text AS \"ü\", `é` FROM \"tä\" WHERE é = $2 AND ü ~ 'ß'",
        "SAVEPOINT `é; RELEASE SAVEPOINT é; ROLLBACK TO SAVEPOINT \"é\"",
        "SET é = 'ü'; SET statement_timeout = '5€'; SHOW é; RESET ü",
        "BEGIN ISOLATION LEVEL é; DECLARE é CURSOR FOR SELECT 'ü'; FETCH 5 FROM é; CLOSE é",
        "COPY é (ü) FROM STDIN WITH (FORMAT csv, DELIMITER '€', NULL 'ü')",
        "DROP TABLE é, ü CASCADE; TRUNCATE é; VACUUM é; ALTER TABLE é ADD PRIMARY KEY (ü)",
        "SELECT ARRAY['é', 'ü'][1], é[2], 'ü' = ANY(ARRAY[$1]), CAST(é AS ü), ü::€",
    ];

    struct NoSettings;
    impl super::translate::Settings for NoSettings {
        fn get(&self, _: &str) -> Option<String> {
            None
        }
        fn set(&mut self, _: &str, v: &str) -> Result<String, crate::protocol::PgError> {
            Ok(v.to_string())
        }
    }

    fn translated(sql: &str) -> Result<String, crate::protocol::PgError> {
        super::parse::parse(sql, 64)?
            .into_iter()
            .map(|s| super::translate::to_sqlite(s, &mut NoSettings))
            .collect()
    }

    /// Types a statement against a schema where every table has a column `a`.
    fn typed(sql: &str) {
        struct Any;
        impl super::types::Schema for Any {
            fn columns(&self, _: &str) -> Option<Vec<(String, String)>> {
                Some(vec![("a".into(), "int4".into())])
            }
            fn param(&self, _: usize) -> Option<String> {
                None
            }
        }
        if let Some(t) = super::types::analyze_text(sql) {
            let _ = super::types::resolve_columns(&t, &Any);
            for (_, hint) in &t.params {
                let _ = super::types::resolve(hint, &Any);
            }
        }
    }

    #[test]
    fn prefixes_of_unusual_statements() {
        for sql in CORPUS {
            for end in (0..=sql.len()).filter(|&e| sql.is_char_boundary(e)) {
                let s = &sql[..end];
                let _ = super::classify(s);
                let _ = translated(s);
                typed(s);
                // And with the rest of the statement after a stray quote or bracket.
                for junk in ["'", "\"", "[", "(", ")", "::", "$", "`", "€", "$é", "`é"] {
                    let t = format!("{s}{junk}{}", &sql[end..]);
                    let _ = translated(&t);
                    typed(&t);
                    let _ = super::classify(&t);
                }
            }
        }
    }
}
