//! PostgreSQL's date/time and string functions (issue 9 item 2): each answer and error
//! checked against what PostgreSQL 15 gives for the same statement.

use tokio_postgres::types::Type;

use crate::common::{answers, refusals, rows, sqlstate, Server};

/// (statement, PostgreSQL's row as text).
const ANSWERS: &[(&str, &[&str])] = &[
    (
        "select extract(epoch from timestamp '2000-01-01 00:00:00'), \
         extract(second from timestamp '2000-01-01 00:00:01.5'), extract(day from date '2020-02-03'), \
         extract(epoch from interval '1 day 1 second'), extract(julian from timestamp '2020-01-01 12:00')",
        &["946684800.000000", "1.500000", "3", "86401.000000", "2458850.50000000000000000000"],
    ),
    (
        "select date_part('epoch', timestamp '2000-01-01 00:00:00.5'), date_part('hour', date '2020-01-05'), \
         extract(week from date '2021-01-01'), extract(isoyear from date '2021-01-01'), extract(dow from date '2020-01-01')",
        &["946684800.5", "0", "53", "2020", "3"],
    ),
    (
        "select date_trunc('week', timestamp '2020-05-17 12:34:56'), \
         date_trunc('century', timestamp '2021-05-17'), date_trunc('day', interval '1 year 2 days 03:04:05')",
        &["2020-05-11 00:00:00", "2001-01-01 00:00:00", "1 year 2 days"],
    ),
    (
        "select age(timestamp '2020-03-01', timestamp '2019-01-31'), \
         age(timestamp '2020-01-01 10:00', timestamp '2020-01-01 12:30:00.5'), \
         make_date(2020, 2, 29), make_timestamp(2020, 1, 2, 3, 4, 5.5), make_time(1, 2, 3.25)",
        &["1 year 1 mon 1 day", "-02:30:00.5", "2020-02-29", "2020-01-02 03:04:05.5", "01:02:03.25"],
    ),
    (
        "select timestamptz '2020-01-01 10:00+00' at time zone 'UTC', \
         timestamptz '2020-01-01 10:00+00' at time zone '+02'",
        &["2020-01-01 10:00:00", "2020-01-01 08:00:00"],
    ),
    (
        "select split_part('a,b,c', ',', -1), lpad('hi', 5, 'xy'), rpad('hi', 5, 'xy'), \
         initcap('hi THOMAS o''neil'), strpos('high', 'ig'), position('ig' in 'high')",
        &["c", "xyxhi", "hixyx", "Hi Thomas O'Neil", "2", "2"],
    ),
    (
        "select substring('hello' from 2 for 3), substring('hello' from -1 for 3), \
         substring('Thomas' from 'o(.)a'), overlay('Txxxxas' placing 'hom' from 2 for 4), \
         trim(both 'xy' from 'xyhixy'), btrim('xyxhixy', 'xy'), trim(leading 'x' from 'xxhi')",
        &["ell", "h", "m", "Thomas", "hi", "hi", "hi"],
    ),
    (
        "select left('abcde', -2), right('abcde', 2), repeat('ab', 3), reverse('abc'), \
         translate('12345', '143', 'ax'), chr(65), ascii('A'), upper('élan')",
        &["abc", "de", "ababab", "cba", "a2x5", "A", "65", "ÉLAN"],
    ),
    (
        "select format('%s %I %L %%', 'a', 'B c', 'it''s'), format('%2$s %1$s', 'a', 'b'), \
         format('%-5s|', 'a'), concat('a', null, 1), concat_ws(',', 'a', null, 'b'), md5('abc')",
        &["a \"B c\" 'it''s' %", "b a", "a    |", "a1", "a,b", "900150983cd24fb0d6963f7d28e17f72"],
    ),
    (
        "select starts_with('alpha', 'al'), quote_ident('Foo bar'), quote_ident('foo'), \
         quote_literal('it''s'), quote_nullable(null), to_hex(255), \
         regexp_replace('foobarbaz', 'b(..)', 'X\\1Y', 'g'), regexp_replace('AAA', 'a', 'z', 'i')",
        &["t", "\"Foo bar\"", "foo", "'it''s'", "NULL", "ff", "fooXarYXazY", "zAA"],
    ),
    (
        "select to_char(timestamp '1997-02-10 17:32:01.4', 'Day DD Mon YYYY HH12:MI:SS.MS PM IW IYYY FMDDth'), \
         to_char(date '2020-01-02', 'YYYY-MM-DD DDD J')",
        &["Monday    10 Feb 1997 05:32:01.400 PM 07 1997 10th", "2020-01-02 002 2458851"],
    ),
    (
        "select regexp_count('abcabc', 'b'), regexp_instr('abcabc', 'b', 1, 2), \
         regexp_substr('abcabc', '(b)(c)', 1, 1, '', 2), regexp_like('aBc', 'b', 'i'), \
         regexp_replace('A PostgreSQL function', 'a|e|i|o|u', 'X', 1, 3, 'i')",
        &["2", "5", "c", "t", "A PostgrXSQL function"],
    ),
    (
        "select encode('\\x1234567890abcdef00', 'hex'), encode('\\x1234567890abcdef00', 'base64'), \
         decode('1234567890abcdef00', 'hex'), \
         encode(overlay('\\x546800'::bytea placing '\\x0203'::bytea from 2 for 1), 'escape')",
        &["1234567890abcdef00", "EjRWeJCrze8A", "\\x1234567890abcdef00", "T\u{2}\u{3}\\000"],
    ),
    (
        "select date_bin('15 min', timestamp '2020-02-01 00:00:00', timestamp '2020-02-01 00:02:30'), \
         date_bin('1 day 2 hours', timestamp '2020-02-11 15:44:17.71393', timestamp '2001-01-01'), \
         date_bin('30 minutes', timestamp '2024-02-01 15:00:00', timestamp '2024-02-01 17:00:00')",
        &["2020-01-31 23:47:30", "2020-02-10 22:00:00", "2024-02-01 15:00:00"],
    ),
    (
        "select justify_days(interval '35 days'), justify_hours(interval '27 hours'), \
         justify_interval(interval '1 mon -1 hour')",
        &["1 mon 5 days", "1 day 03:00:00", "29 days 23:00:00"],
    ),
];

#[tokio::test]
async fn functions_answer_as_postgres() {
    let s = Server::start(&[]);
    let c = s.connect("functions").await;
    for (sql, want) in ANSWERS {
        let got = rows(&c, sql).await;
        let want: Vec<Option<String>> = want.iter().map(|v| Some(v.to_string())).collect();
        assert_eq!(got, vec![want], "{sql}");
    }
}

#[tokio::test]
async fn nulls_give_null() {
    let s = Server::start(&[]);
    let c = s.connect("functions").await;
    let got = rows(
        &c,
        "select split_part(null, ',', 1), lpad(null, 3), extract(day from null::date), \
         date_trunc('day', null::timestamp), md5(null), format(null), concat_ws(null, 'a'), \
         substring(null from 2), age(null::timestamp, timestamp '2020-01-01')",
    )
    .await;
    assert_eq!(got, vec![vec![None; 9]]);
    let got = rows(&c, "select concat(null, null), format('%s|', null)").await;
    assert_eq!(got, vec![vec![Some(String::new()), Some("|".into())]]);
}

#[tokio::test]
async fn errors_have_postgres_sqlstates() {
    let s = Server::start(&[]);
    let c = s.connect("functions").await;
    let cases = [
        (
            "select extract(hour from date '2020-01-01')",
            "0A000",
            "unit \"hour\" not supported for type date",
        ),
        (
            "select date_part('foo', timestamp '2020-01-01')",
            "22023",
            "unit \"foo\" not recognized for type timestamp without time zone",
        ),
        (
            "select make_date(2021, 2, 29)",
            "22008",
            "date field value out of range: 2021-02-29",
        ),
        (
            "select make_time(25, 0, 0)",
            "22008",
            "time field value out of range: 25:00:00",
        ),
        (
            "select split_part('a', ',', 0)",
            "22023",
            "field position must not be zero",
        ),
        (
            "select repeat('x', 2000000000)",
            "54000",
            "requested length too large",
        ),
        (
            "select lpad('x', 2000000000)",
            "54000",
            "requested length too large",
        ),
        ("select chr(0)", "54000", "null character not permitted"),
        (
            "select decode('1', 'hex')",
            "22023",
            "invalid hexadecimal data: odd number of digits",
        ),
        (
            "select encode('ab'::bytea, 'rot13')",
            "22023",
            "unrecognized encoding: \"rot13\"",
        ),
        ("select left('abc'::bytea, 1)", "42883", "does not exist"),
        (
            "select chr(-1)",
            "22023",
            "character number must be positive",
        ),
        (
            "select format('%s')",
            "22023",
            "too few arguments for format()",
        ),
        (
            "select format('%z', 1)",
            "22023",
            "unrecognized format() type specifier \"z\"",
        ),
        (
            "select format('%I', null)",
            "22004",
            "null values cannot be formatted as an SQL identifier",
        ),
        (
            "select substring('abc', 1, -1)",
            "22011",
            "negative substring length not allowed",
        ),
        (
            "select regexp_replace('a', 'a', 'b', 'z')",
            "22023",
            "invalid regular expression option: \"z\"",
        ),
        (
            "select date_trunc('week', interval '1 day')",
            "0A000",
            "unit \"week\" not supported for type interval",
        ),
        (
            "select extract(day from interval 'garbage')",
            "22007",
            "invalid input syntax for type interval: \"garbage\"",
        ),
        (
            "select timestamp '2020-01-01' at time zone 'Nowhere/Land'",
            "22023",
            "time zone \"Nowhere/Land\" not recognized",
        ),
        // What litewire cannot compute exactly is refused, naming the construct.
        (
            "select substring('abc' from 'a' for '#')",
            "0A000",
            "substring(x FROM pattern FOR escape)",
        ),
    ];
    for (sql, code, message) in cases {
        let e = c.simple_query(sql).await.expect_err(sql);
        assert_eq!(sqlstate(&e), code, "{sql}: {e}");
        let text = e
            .as_db_error()
            .map(|d| d.message().to_string())
            .unwrap_or_default();
        assert!(text.contains(message), "{sql}: {text}");
    }
    // The session is usable after each error.
    assert_eq!(rows(&c, "select 1").await, vec![vec![Some("1".into())]]);
}

/// A timestamptz's local fields follow the session's TimeZone: a numeric one, a POSIX
/// one, a zone name.
#[tokio::test]
async fn session_time_zone() {
    let s = Server::start(&[]);
    let c = s.connect("functions").await;
    let query = "select extract(hour from timestamptz '2020-01-01 00:00+00'), \
                 to_char(timestamptz '2020-01-01 00:00+00', 'YYYY-MM-DD HH24 OF'), \
                 extract(hour from timestamp '2020-01-01 03:00')";
    let utc = rows(&c, query).await;
    assert_eq!(
        utc[0],
        ["0", "2020-01-01 00 +00", "3"].map(|v| Some(v.to_string()))
    );
    // PostgreSQL: a plain number is hours east; '+04:30' is POSIX, 4:30 west.
    c.batch_execute("set timezone = '-02'").await.unwrap();
    let west = rows(&c, query).await;
    assert_eq!(
        west[0],
        ["22", "2019-12-31 22 -02", "3"].map(|v| Some(v.to_string()))
    );
    c.batch_execute("set timezone = '+04:30'").await.unwrap();
    let posix = rows(
        &c,
        "select to_char(timestamptz '2020-01-01 00:00+00', 'HH24:MI OF')",
    )
    .await;
    assert_eq!(posix[0], [Some("19:30 -04:30".to_string())]);
    c.batch_execute("set timezone = 'Europe/Paris'")
        .await
        .unwrap();
    let paris = rows(&c, query).await;
    assert_eq!(
        paris[0],
        ["1", "2020-01-01 01 +01", "3"].map(|v| Some(v.to_string()))
    );
}

/// Results carry PostgreSQL's types in the extended protocol (tokio-postgres checks them).
#[tokio::test]
async fn result_types() {
    let s = Server::start(&[]);
    let c = s.connect("functions").await;
    let stmt = c
        .prepare(
            "select date_part('day', date '2020-02-03'), starts_with('ab', 'a'), \
             split_part('a,b', ',', 2), ascii('A')",
        )
        .await
        .unwrap();
    let types: Vec<Type> = stmt.columns().iter().map(|c| c.type_().clone()).collect();
    assert_eq!(types, [Type::FLOAT8, Type::BOOL, Type::TEXT, Type::INT4]);
    let row = c.query_one(&stmt, &[]).await.unwrap();
    assert_eq!(row.get::<_, f64>(0), 3.0);
    assert!(row.get::<_, bool>(1));
    assert_eq!(row.get::<_, String>(2), "b");
    assert_eq!(row.get::<_, i32>(3), 65);
}

/// The functions work in a table's DEFAULT and on stored rows, on a fresh connection.
#[tokio::test]
async fn on_stored_rows_and_defaults() {
    let s = Server::start(&[]);
    let c = s.connect("functions").await;
    c.batch_execute(
        "create table t (id integer primary key, name text, \
         code text default (lpad('7', 3, '0')), uid uuid default gen_random_uuid());
         insert into t (id, name) values (1, 'ada lovelace'), (2, 'alan turing');",
    )
    .await
    .unwrap();
    let got = rows(
        &c,
        "select initcap(name), split_part(name, ' ', 2), code, length(uid::text) from t order by id",
    )
    .await;
    let row = |a: &str, b: &str| {
        vec![
            Some(a.to_string()),
            Some(b.to_string()),
            Some("007".into()),
            Some("36".into()),
        ]
    };
    assert_eq!(
        got,
        vec![
            row("Ada Lovelace", "lovelace"),
            row("Alan Turing", "turing")
        ]
    );
    let uids = rows(
        &c,
        "select count(distinct uid) from t where uid like '________-____-4___-____-____________'",
    )
    .await;
    assert_eq!(uids, vec![vec![Some("2".into())]]);
}

#[tokio::test]
async fn pg_sleep_returns_void_and_yields_to_statement_timeout() {
    let s = Server::start(&[]);
    let c = s.connect("sleep").await;
    let r = rows(&c, "select pg_sleep(0.01)").await;
    assert_eq!(r, vec![vec![Some(String::new())]]);
    // An hour's sleep ends with the statement's timeout, as PostgreSQL's does.
    c.batch_execute("set statement_timeout = 50").await.unwrap();
    let e = c.batch_execute("select pg_sleep(3600)").await.unwrap_err();
    assert_eq!(sqlstate(&e), "57014");
}

/// `SET bytea_output = escape` prints bytea as byteaout's escape format (it was
/// accepted and ignored: hex went on); COPY TO follows it too; other values are 22023.
#[tokio::test]
async fn bytea_output_escape_is_honoured() {
    let s = crate::common::Server::start(&[]);
    let c = s.connect("functions").await;
    c.batch_execute(
        "create table b (v bytea); insert into b values ('\\xde00'), ('a\\\\b'); \
         set bytea_output = escape",
    )
    .await
    .unwrap();
    let got = crate::common::rows(
        &c,
        "select '\\xDeAdBeEf'::bytea, 'De\\000dB\\\\eEf'::bytea, '\\x7e7f20'::bytea, ''::bytea",
    )
    .await;
    let want: Vec<Option<String>> = ["\\336\\255\\276\\357", "De\\000dB\\\\eEf", "~\\177 ", ""]
        .iter()
        .map(|v| Some(v.to_string()))
        .collect();
    assert_eq!(got, vec![want]);
    let got = crate::common::rows(&c, "select v from b order by v").await;
    assert_eq!(
        got,
        vec![
            vec![Some("a\\\\b".to_string())],
            vec![Some("\\336\\000".to_string())]
        ]
    );
    c.batch_execute("set bytea_output = hex").await.unwrap();
    let got = crate::common::rows(&c, "select v from b order by v").await;
    assert_eq!(
        got,
        vec![
            vec![Some("\\x615c62".to_string())],
            vec![Some("\\xde00".to_string())]
        ]
    );
    let e = c
        .simple_query("set bytea_output = octal")
        .await
        .unwrap_err();
    assert_eq!(crate::common::sqlstate(&e), "22023");
}

/// bytea's bit and byte functions, numbered as PostgreSQL numbers them.
#[tokio::test]
async fn bytea_bits_and_bytes() {
    let s = Server::start(&[]);
    let c = s.connect("functions").await;
    answers(
        &c,
        &[(
            r"select get_bit('\x1234567890abcdef00'::bytea, 43), set_bit('\x1234567890abcdef00'::bytea, 43, 0), get_byte('\x1234567890abcdef00'::bytea, 3), set_byte('\x1234567890abcdef00'::bytea, 7, 11), bit_count('\x1234567890'::bytea)",
            r"1|\x1234567890a3cdef00|120|\x1234567890abcd0b00|15",
        )],
    )
    .await;
    refusals(
        &c,
        &[
            (
                r"select get_byte('\x12'::bytea, 3)",
                "2202E",
                "index 3 out of valid range, 0..0",
            ),
            (
                r"select set_bit('\x12'::bytea, 1, 2)",
                "22023",
                "new bit must be 0 or 1",
            ),
        ],
    )
    .await;
}
