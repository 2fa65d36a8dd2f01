//! Math functions, statistical aggregates and float edge cases (issue 9, numbers): each
//! answer and error checked against what PostgreSQL 15 gives for the same statement.

use crate::common::{rows, sqlstate, Server};

/// (statement, PostgreSQL's row as text; None for NULL).
const ANSWERS: &[(&str, &[Option<&str>])] = &[
    // A decimal literal is a numeric with the scale it is written with: arithmetic,
    // mod and scale() keep it (a double would drop the trailing zeros).
    (
        "select 1.50 + 0, 70.0 % 70, mod(70.0, 70), scale(0.00), scale(-1.50), 0.10 + 0.20, \
         1.5 * 2, 7 % 2.50, -1.50 + 1, 1.50 + '2', mod(-7.50, 2), 100.000 * 0.1",
        &[Some("1.50"), Some("0.0"), Some("0.0"), Some("2"), Some("2"), Some("0.30"),
          Some("3.0"), Some("2.00"), Some("-0.50"), Some("3.50"), Some("-1.50"), Some("10.0000")],
    ),
    (
        "select power(2::float8, 10), sqrt(2::float8), cbrt(-27::float8), exp(1::float8), \
         ln(2::float8), log(1000::float8), log10(0.001::float8)",
        &[Some("1024"), Some("1.4142135623730951"), Some("-3.0000000000000004"),
          Some("2.718281828459045"), Some("0.6931471805599453"), Some("3"), Some("-3")],
    ),
    (
        "select |/ 64::float8, ||/ 27::float8, @ -5, ceil(-1.5::float8), floor(-1.5::float8), \
         trunc(-3.7::float8), sign(-2::float8)",
        &[Some("8"), Some("3.0000000000000004"), Some("5"), Some("-1"), Some("-2"), Some("-3"), Some("-1")],
    ),
    (
        "select sind(30), cosd(60), tand(45), cotd(45), asind(0.5), acosd(0.5), atand(1), atan2d(1, 1)",
        &[Some("0.5"), Some("0.5"), Some("1"), Some("1"), Some("30"), Some("60"), Some("45"), Some("45")],
    ),
    (
        "select degrees(pi()), radians(180), sin(0), cos(0), atan2(1, 1), cosh(0), atanh(1)",
        &[Some("180"), Some("3.141592653589793"), Some("0"), Some("1"),
          Some("0.7853981633974483"), Some("1"), Some("Infinity")],
    ),
    (
        "select gcd(61866666, 6410818), lcm(330, -462), factorial(20), div(-7, 2), mod(-7, 3), \
         width_bucket(5.35::float8, 0.024, 10.06, 5)",
        &[Some("1466"), Some("2310"), Some("2432902008176640000"), Some("-3"), Some("-1"), Some("3")],
    ),
    (
        "select var_pop(x), var_samp(x), stddev_pop(x), stddev_samp(x), variance(x), stddev(x) \
         from (values (1.5::float8), (2.5::float8), (4::float8)) v(x)",
        &[Some("1.0555555555555556"), Some("1.5833333333333333"), Some("1.0274023338281628"),
          Some("1.2583057392117916"), Some("1.5833333333333333"), Some("1.2583057392117916")],
    ),
    (
        "select regr_count(y, x), regr_sxx(y, x), regr_slope(y, x), regr_intercept(y, x), \
         covar_pop(y, x), covar_samp(y, x), corr(y, x), regr_r2(y, x) \
         from (values (1::float8, 2::float8), (2, 4.5), (3, 5.5)) v(x, y)",
        &[Some("3"), Some("2"), Some("1.75"), Some("0.5"), Some("1.1666666666666667"),
          Some("1.75"), Some("0.9707253433941511"), Some("0.9423076923076923")],
    ),
    // One row: a sample statistic is NULL; an infinity makes the variance NaN.
    (
        "select var_pop(x::float8), var_samp(x::float8), corr(x::float8, x::float8) from (values (1)) v(x)",
        &[Some("0"), None, None],
    ),
    (
        "select var_pop(x), var_samp(x) from (values ('inf'::float8), ('1')) v(x)",
        &[Some("NaN"), Some("NaN")],
    ),
    (
        "select bool_and(x), bool_or(x), every(x), bit_and(y), bit_or(y), bit_xor(y) \
         from (values (true, 12), (false, 10), (null, null)) v(x, y)",
        &[Some("f"), Some("t"), Some("f"), Some("8"), Some("14"), Some("6")],
    ),
    (
        "select bool_and(x), var_pop(y) from (select true, 1.0::float8 where false) v(x, y)",
        &[None, None],
    ),
    (
        "select sqrt(null::float8), power(null, 2), gcd(null, 1), width_bucket(null, 1, 2, 3)",
        &[None, None, None, None],
    ),
    // NaN survives SQLite (which turns a NaN real into NULL).
    (
        "select power('NaN'::float8, 0), power(1::float8, 'NaN'), sqrt('NaN'::float8), 'inf'::float8",
        &[Some("1"), Some("1"), Some("NaN"), Some("Infinity")],
    ),
    // ... also from float arithmetic: Infinity - Infinity, Infinity / Infinity.
    (
        "select 'Infinity'::float8 - 'Infinity'::float8, 'Infinity'::float4 / 'Infinity'::float4, \
         'inf'::float8 + '-inf'::float8, 1.1::float4 + 2.2::float4",
        &[Some("NaN"), Some("NaN"), Some("NaN"), Some("3.3000002")],
    ),
    // float4 is read, rounded and printed as float4.
    (
        "select '1.2345678901234e+20'::float4, 1004.3::float4, 1234567::float4, '1e-45'::float4, \
         '4.9e-324'::float8",
        &[Some("1.2345679e+20"), Some("1004.3"), Some("1.234567e+06"), Some("1e-45"), Some("5e-324")],
    ),
    // to_char and to_number with numbers.
    (
        "select to_char(-123::int8, '9999999999999999PR'), to_char(123, 'SG9999999999999999th'), \
         to_char(1234.5, 'L9G999D99'), to_char(485, 'FMRN'), to_char(12.45, '9.99EEEE'), \
         to_char(0, 'FM9.99'), to_char(4567890123456789, '9G999G999G999G999G999')",
        &[Some("             <123>"), Some("+             123rd"), Some("  1,234.50"),
          Some("CDLXXXV"), Some(" 1.25e+01"), Some("0."), Some(" 4,567,890,123,456,789")],
    ),
    (
        "select to_number('-34,338,492.654,878', '99G999G999D999G999'), \
         to_number('<564646.654564>', '999999.999999PR'), to_number('42nd', '99th')",
        &[Some("-34338492.654878"), Some("-564646.654564"), Some("42")],
    ),
    // numeric prints positionally, without minus zero.
    (
        "select 0.000001::numeric, 1e20::numeric, -0.001::numeric(5,2)",
        &[Some("0.000001"), Some("100000000000000000000"), Some("0.00")],
    ),
    // numeric adds, subtracts and multiplies the digits it prints; float8 its binary
    // values, as PostgreSQL does.
    (
        "select 0.1 + 0.2, 1.1 * 1.1, 0.3 - 0.1, 1 - 0.9, 12345678.91 * 3, \
         0.1::float8 + 0.2::float8, 1.1::float8 * 1.1::float8",
        &[Some("0.3"), Some("1.21"), Some("0.2"), Some("0.1"), Some("37037036.73"),
          Some("0.30000000000000004"), Some("1.2100000000000002")],
    ),
    // A division by a constant zero in a branch that planning drops is never evaluated.
    (
        "select case when false then 1/0 else 0 end, case 1 when 0 then 1/0 when 1 then 1 \
         else 2/0 end, case when true then 2 else 1 % 0 end",
        &[Some("0"), Some("1"), Some("2")],
    ),
];

#[tokio::test]
async fn math_answers_as_postgres() {
    let s = Server::start(&[]);
    let c = s.connect("math").await;
    for (sql, want) in ANSWERS {
        let got = rows(&c, sql).await;
        let want: Vec<Option<String>> = want.iter().map(|v| v.map(str::to_string)).collect();
        assert_eq!(got, vec![want], "{sql}");
    }
}

#[tokio::test]
async fn math_errors_have_postgres_sqlstates() {
    let s = Server::start(&[]);
    let c = s.connect("math").await;
    let cases = [
        // PostgreSQL folds constants when it plans: a row-dependent branch is no escape.
        (
            "select case when a > 100 then 1/0 else 0 end from (values (1)) t(a)",
            "22012",
            "division by zero",
        ),
        (
            "select ln(0::float8)",
            "2201E",
            "cannot take logarithm of zero",
        ),
        (
            "select log10(-1::float8)",
            "2201E",
            "cannot take logarithm of a negative number",
        ),
        (
            "select sqrt(-1::float8)",
            "2201F",
            "cannot take square root of a negative number",
        ),
        (
            "select power(0::float8, -1)",
            "2201F",
            "zero raised to a negative power is undefined",
        ),
        (
            "select power(-8::float8, 0.5::float8)",
            "2201F",
            "a negative number raised to a non-integer power yields a complex result",
        ),
        (
            "select power(10::float8, 400)",
            "22003",
            "value out of range: overflow",
        ),
        (
            "select exp(-1000::float8)",
            "22003",
            "value out of range: underflow",
        ),
        // Float arithmetic overflowing its type (SQLite's would be Infinity).
        (
            "select '1e308'::float8 * 10::float8",
            "22003",
            "value out of range: overflow",
        ),
        (
            "select '1e38'::float4 * 10::float4",
            "22003",
            "value out of range: overflow",
        ),
        (
            "select sin('inf'::float8)",
            "22003",
            "input is out of range",
        ),
        ("select asind(2)", "22003", "input is out of range"),
        (
            "select factorial(-1)",
            "22003",
            "factorial of a negative number is undefined",
        ),
        ("select div(7, 0)", "22012", "division by zero"),
        ("select mod(7, 0)", "22012", "division by zero"),
        (
            "select width_bucket(5, 0, 0, 3)",
            "2201G",
            "lower bound cannot equal upper bound",
        ),
        (
            "select width_bucket(5::float8, 0, 10, 0)",
            "2201G",
            "count must be greater than zero",
        ),
        (
            "select '10e400'::float8",
            "22003",
            "\"10e400\" is out of range for type double precision",
        ),
        (
            "select '10e-400'::float8",
            "22003",
            "\"10e-400\" is out of range for type double precision",
        ),
        (
            "select '10e-70'::float4",
            "22003",
            "\"10e-70\" is out of range for type real",
        ),
        (
            "select '10e70'::float8::float4",
            "22003",
            "value out of range: overflow",
        ),
        (
            "select 'abc'::float4",
            "22P02",
            "invalid input syntax for type real: \"abc\"",
        ),
        (
            "select to_number('', '999')",
            "22P02",
            "invalid input syntax for type numeric: \" \"",
        ),
        (
            "select to_number('12', 'RN')",
            "0A000",
            "\"RN\" not supported for input",
        ),
        (
            "select to_char(1, '9.9.9')",
            "42601",
            "multiple decimal points",
        ),
        (
            "select gcd((-2147483648)::int4, 0::int4)",
            "22003",
            "integer out of range",
        ),
    ];
    for (sql, code, message) in cases {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), code, "{sql}: {e}");
        assert_eq!(e.as_db_error().map(|d| d.message()), Some(message), "{sql}");
    }
}

/// A numeric argument whose answer PostgreSQL gives in numeric's digits and scale is
/// refused, not answered with a double's digits.
#[tokio::test]
async fn numeric_forms_litewire_cannot_match_are_refused() {
    let s = Server::start(&[]);
    let c = s.connect("math").await;
    for sql in [
        "select factorial(21)",
        // float8 prints 15 digits here, numeric 18: a double does not say which it was.
        "select to_char(1.5::float8, '9.99999999999999999')",
        "select to_char(0.1::float8 + 0.2::float8, '9.99')",
    ] {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), "0A000", "{sql}: {e}");
    }
}

/// Floats print as PostgreSQL prints them under each extra_float_digits.
#[tokio::test]
async fn extra_float_digits_shapes_float_output() {
    let s = Server::start(&[]);
    let c = s.connect("math").await;
    let sql = "select 1.0::float8 / 3, 1.2345678901234e20::float4, 123456789012345678::float8, 0.1::float4";
    let got = rows(&c, sql).await;
    assert_eq!(
        got[0],
        [
            "0.3333333333333333",
            "1.2345679e+20",
            "1.2345678901234568e+17",
            "0.1"
        ]
        .map(|v| Some(v.to_string()))
    );
    c.simple_query("set extra_float_digits = 0").await.unwrap();
    let got = rows(&c, sql).await;
    assert_eq!(
        got[0],
        [
            "0.333333333333333",
            "1.23457e+20",
            "1.23456789012346e+17",
            "0.1"
        ]
        .map(|v| Some(v.to_string()))
    );
    c.simple_query("set extra_float_digits = -3").await.unwrap();
    let got = rows(&c, "select 1.0::float8 / 3").await;
    assert_eq!(got, vec![vec![Some("0.333333333333".to_string())]]);
}

/// numeric is exact: stored with every digit and its scale, compared, summed and
/// divided as PostgreSQL 15 does (its answers, checked with psql).
#[tokio::test]
async fn numeric_is_exact() {
    let s = Server::start(&[]);
    let c = s.connect("math").await;
    c.batch_execute(
        "create table nx (id int, n numeric, m numeric(8,2));
         insert into nx values (1, 12345678901234567890.123, 10.10), (2, '0.10', 20.20),
           (3, 9, 0.01), (4, 10, 99.99), (5, '-1.5e-3', 1.005)",
    )
    .await
    .unwrap();
    let text = |rows: &[&[&str]]| -> Vec<Vec<Option<String>>> {
        rows.iter()
            .map(|r| r.iter().map(|v| Some(v.to_string())).collect())
            .collect()
    };
    let cases: &[(&str, &[&[&str]])] = &[
        (
            "select id, n, m from nx order by n",
            &[
                &["5", "-0.0015", "1.01"],
                &["2", "0.10", "20.20"],
                &["3", "9", "0.01"],
                &["4", "10", "99.99"],
                &["1", "12345678901234567890.123", "10.10"],
            ],
        ),
        (
            "select id from nx where n = 12345678901234567890.123 or n = '0.1' order by id",
            &[&["1"], &["2"]],
        ),
        ("select id from nx where n > 9.5 order by id", &[&["1"], &["4"]]),
        ("select id from nx where m * 2 > 40 order by id", &[&["2"], &["4"]]),
        (
            "select sum(m), avg(m), sum(n), min(n), max(n) from nx",
            &[&[
                "131.31",
                "26.2620000000000000",
                "12345678901234567909.2215",
                "-0.0015",
                "12345678901234567890.123",
            ]],
        ),
        (
            "select n / 3, m / 7, n * m, m % 3, round(n, 1), (m * 3)::int from nx order by id",
            &[
                &["4115226300411522630.041", "1.4428571428571429", "124691356902469135690.24230", "1.10", "12345678901234567890.1", "30"],
                &["0.03333333333333333333", "2.8857142857142857", "2.0200", "2.20", "0.1", "61"],
                &["3.0000000000000000", "0.00142857142857142857", "0.09", "0.01", "9.0", "0"],
                &["3.3333333333333333", "14.2842857142857143", "999.90", "0.99", "10.0", "300"],
                &["-0.00050000000000000000", "0.14428571428571428571", "-0.001515", "1.01", "0.0", "3"],
            ],
        ),
        (
            "select id, sum(m) over (order by id rows between 1 preceding and current row) \
             from nx order by id",
            &[&["1", "10.10"], &["2", "30.30"], &["3", "20.21"], &["4", "100.00"], &["5", "101.00"]],
        ),
        // The frame's largest scale, as PostgreSQL's window sum keeps it.
        (
            "select sum(n::numeric) over (order by i rows between current row and unbounded following) \
             from (values (1, 1.01), (2, 2), (3, 3)) v(i, n) order by i",
            &[&["6.01"], &["5"], &["3"]],
        ),
        (
            "select 7::numeric / 2, 1 / 3::numeric, 2.5 * 2, 1.1 * 1.1, \
             123456789012345678901234567890 + 1",
            &[&["3.5000000000000000", "0.33333333333333333333", "5.0", "1.21", "123456789012345678901234567891"]],
        ),
        (
            "select trunc(1.2345, 2), trunc(-1.2399, 1), trunc(1234.5, -2), scale(12), \
             div(7.5, 2), div(-7, 2.5), mod(7.5, 2), mod(-7, 2.5), \
             div(-9999999999999999999999::numeric, 1000000000000000000000), \
             mod(-9999999999999999999999::numeric, 1000000000000000000000)",
            &[&["1.23", "-1.2", "1200", "0", "3", "-2", "1.5", "-2.0", "-9", "-999999999999999999999"]],
        ),
        (
            "select trunc(m, 1), scale(m), scale(n), mod(m, 3), div(n, 2) from nx order by id",
            &[
                &["10.1", "2", "3", "1.10", "6172839450617283945"],
                &["20.2", "2", "2", "2.20", "0"],
                &["0.0", "2", "0", "0.01", "4"],
                &["99.9", "2", "0", "0.99", "5"],
                &["1.0", "2", "4", "1.01", "0"],
            ],
        ),
    ];
    for (sql, want) in cases {
        assert_eq!(rows(&c, sql).await, text(want), "{sql}");
    }
    // A numeric(p,s) refuses what does not fit, infinity too (PostgreSQL 15).
    for sql in [
        "insert into nx (m) values (1000000)",
        "insert into nx (m) values ('Infinity')",
        "insert into nx (m) values (999999.995)",
    ] {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), "22003", "{sql}: {e}");
    }
}
