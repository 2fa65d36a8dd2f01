//! numeric's sqrt, exp, ln, log, power and variances (PostgreSQL 15's numeric.c
//! algorithms and result scales): each answer and error as PostgreSQL gives it.

use crate::common::{rows, sqlstate, Server};

/// (statement, PostgreSQL's row as text; None for NULL).
const ANSWERS: &[(&str, &[Option<&str>])] = &[
    (
        "select sqrt(2.0), exp(1.0), ln(10::numeric), log(2, 8), log(100::numeric), \
         2.0 ^ 0.5, power('-2'::numeric, 3)",
        &[
            Some("1.414213562373095"),
            Some("2.7182818284590452"),
            Some("2.3025850929940457"),
            Some("3.0000000000000000"),
            Some("2.0000000000000000"),
            Some("1.4142135623730950"),
            Some("-8.0000000000000000"),
        ],
    ),
    // Integer exponents multiply (exactly, then rounded); others go through exp(ln).
    (
        "select 1.234 ^ 30, 0.12 ^ (-20), (-1.0) ^ 2147483647, 32.1 ^ 9.8",
        &[
            Some("548.8514184292220746"),
            Some("2608405330458882702.5529619561355838"),
            Some("-1.0000000000000000"),
            Some("580429286790711.10"),
        ],
    ),
    // POSIX pow's special values.
    (
        "select power('-inf'::numeric, 3), power('-1'::numeric, 'inf'), 'NaN'::numeric ^ 0, \
         power('inf'::numeric, -2)",
        &[Some("-Infinity"), Some("1"), Some("1"), Some("0")],
    ),
    // Integers and numeric: the variances are numeric's (float8's stay float8's).
    (
        "select var_pop(x), var_samp(x), stddev(x::numeric), variance(x::float8) \
         from (values (1), (2), (4)) v(x)",
        &[
            Some("1.5555555555555556"),
            Some("2.3333333333333333"),
            Some("1.5275252316519467"),
            Some("2.3333333333333335"),
        ],
    ),
    (
        "select var_pop(1.0::numeric), var_samp(2.0::numeric), var_pop('inf'::numeric)",
        &[Some("0"), None, Some("NaN")],
    ),
    // Exact on numeric's digits, past a double's 15.
    (
        "select abs(-34338492.2153970470000001::numeric), \
         min_scale(-24926804.045047420000000001::numeric), \
         trim_scale(24926804.0450474200000000010::numeric)",
        &[
            Some("34338492.2153970470000001"),
            Some("18"),
            Some("24926804.045047420000000001"),
        ],
    ),
    // gcd and lcm of numerics at the larger scale; a cast literal keeps its scale.
    (
        "select gcd(43312.5::numeric, 4637.5::numeric), lcm(42328.2::numeric, 1327.2::numeric), \
         gcd('inf'::numeric, 42::numeric), 4232.820::numeric, gcd(12, 18)",
        &[
            Some("87.5"),
            Some("1185189.6"),
            Some("NaN"),
            Some("4232.820"),
            Some("6"),
        ],
    ),
    // A numeric that rounds to zero equals 0.
    (
        "select coalesce(nullif(exp(-5000::numeric), 0), 0)",
        &[Some("0")],
    ),
];

#[tokio::test]
async fn numeric_math_answers_as_postgres() {
    let s = Server::start(&[]);
    let c = s.connect("numeric_math").await;
    for (sql, want) in ANSWERS {
        let got = rows(&c, sql).await;
        let want: Vec<Option<String>> = want.iter().map(|v| v.map(str::to_string)).collect();
        assert_eq!(got, vec![want], "{sql}");
    }
}

/// Columns: the function is chosen by the column's type.
#[tokio::test]
async fn numeric_columns_choose_numeric_functions() {
    let s = Server::start(&[]);
    let c = s.connect("numeric_math").await;
    c.batch_execute(
        "create table t (a numeric, b int, c float8, f float4); \
         insert into t values (1.5, 1, 1.5, 0.09561), (2.25, 2, 2.5, 1), (3, 3, 3, 1); \
         create table r (id int, result numeric(210,10)); \
         insert into r select b, sqrt(a) from t",
    )
    .await
    .unwrap();
    let got = rows(
        &c,
        "select variance(a), stddev(b), variance(c), var_pop(b) from t",
    )
    .await;
    assert_eq!(
        got[0],
        [
            "0.56250000000000000000",
            "1.00000000000000000000",
            "0.5833333333333333",
            "0.66666666666666666667"
        ]
        .map(|v| Some(v.to_string()))
    );
    let got = rows(
        &c,
        "select sqrt(a), a ^ 2, sqrt(c), log(2, a) from t where b = 3",
    )
    .await;
    assert_eq!(
        got[0],
        [
            "1.732050807568877",
            "9.0000000000000000",
            "1.7320508075688772",
            "1.5849625007211562"
        ]
        .map(|v| Some(v.to_string()))
    );
    // INSERT … SELECT stores at the column's scale; float4 casts keep float4's digits.
    let got = rows(&c, "select result from r where id = 1").await;
    assert_eq!(got, vec![vec![Some("1.2247448714".to_string())]]);
    let got = rows(&c, "select f::numeric from t where b = 1").await;
    assert_eq!(got, vec![vec![Some("0.09561".to_string())]]);
}

#[tokio::test]
async fn numeric_math_errors_have_postgres_sqlstates() {
    let s = Server::start(&[]);
    let c = s.connect("numeric_math").await;
    for (sql, code, message) in [
        (
            "select 10::numeric ^ 200000",
            "22003",
            "value overflows numeric format",
        ),
        (
            "select exp(6000::numeric)",
            "22003",
            "value overflows numeric format",
        ),
        (
            "select ln(-1::numeric)",
            "2201E",
            "cannot take logarithm of a negative number",
        ),
        (
            "select ln(0::numeric)",
            "2201E",
            "cannot take logarithm of zero",
        ),
        ("select log(1, 5::numeric)", "22012", "division by zero"),
        (
            "select sqrt(-4::numeric)",
            "2201F",
            "cannot take square root of a negative number",
        ),
        (
            "select (-8.0) ^ 0.5",
            "2201F",
            "a negative number raised to a non-integer power yields a complex result",
        ),
        (
            "select 0.0 ^ (-1)",
            "2201F",
            "zero raised to a negative power is undefined",
        ),
    ] {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), code, "{sql}: {e}");
        assert_eq!(e.as_db_error().map(|d| d.message()), Some(message), "{sql}");
    }
}

/// to_char of a numeric column formats its exact digits (numeric_to_char).
#[tokio::test]
async fn to_char_of_a_numeric_column_uses_its_digits() {
    let s = Server::start(&[]);
    let c = s.connect("numeric_math").await;
    c.batch_execute("create table nd (val numeric); insert into nd values (-34338492.215397047)")
        .await
        .unwrap();
    let got = rows(
        &c,
        "select to_char(val, '9G999G999G999G999G999D999G999G999G999G999'), \
         to_char(val, '9999999999999999.999999999999999PR'), \
         to_char(val, 'FM9999999999999999.999999999999999'), to_char(val, '9.999EEEE'), \
         to_char(val, '99999V99') from nd",
    )
    .await;
    assert_eq!(
        got[0],
        [
            "           -34,338,492.215,397,047,000,000",
            "        <34338492.215397047000000>",
            "-34338492.215397047",
            "-3.434e+07",
            "-#######"
        ]
        .map(|v| Some(v.to_string()))
    );
}
