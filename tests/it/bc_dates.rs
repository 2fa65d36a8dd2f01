//! BC dates and timestamps (issue 9): stored as `/` and 9999 minus the BC year
//! (engine/datetime.rs), read, compared, computed with and printed as PostgreSQL 15
//! does — text and binary results and parameters, `::text`, arrays, JSON, COPY TO,
//! extract/date_trunc/to_char/age, arithmetic across year 0 and the range's start at
//! 4714-11-24 BC. Every expected value was taken from PostgreSQL 15; run against one
//! with `BC_DATES_AGAINST=5432` (user postgres, database postgres, tables dropped and
//! made again).

use crate::common::{sqlstate, Target};
use bytes::BytesMut;
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type};

/// A value's bytes as the server sent them (binary results) or as sent (parameters).
#[derive(Debug, PartialEq)]
struct Bytes(Vec<u8>);

impl<'a> FromSql<'a> for Bytes {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Bytes(raw.to_vec()))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

impl ToSql for Bytes {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        out.extend_from_slice(&self.0);
        Ok(IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    tokio_postgres::types::to_sql_checked!();
}

/// Each row of `sql` (simple protocol: text), NULL as `NULL`.
async fn text_rows(c: &tokio_postgres::Client, sql: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for m in c.simple_query(sql).await.expect(sql) {
        if let tokio_postgres::SimpleQueryMessage::Row(r) = m {
            out.push(
                (0..r.len())
                    .map(|i| r.get(i).unwrap_or("NULL").to_string())
                    .collect(),
            );
        }
    }
    out
}

async fn one_row(c: &tokio_postgres::Client, sql: &str) -> Vec<String> {
    let r = text_rows(c, sql).await;
    assert_eq!(r.len(), 1, "{sql}");
    r.into_iter().next().unwrap_or_default()
}

async fn error(c: &tokio_postgres::Client, sql: &str) -> String {
    let e = c.simple_query(sql).await.expect_err(sql);
    sqlstate(&e)
}

const TABLE: &str = "drop table if exists bc_t; \
    create table bc_t (id int, d date, t timestamp, tz timestamptz); \
    insert into bc_t values \
      (1, '0044-03-15 BC', '0097-02-16 17:32:01 BC', '0097-02-16 17:32:01+00 BC'), \
      (2, '0001-01-01', '0001-01-01 00:00', '0001-01-01 00:00+00'), \
      (3, '0001-12-31 BC', '0001-12-31 23:59:59.5 BC', '0001-12-31 23:59:59.5+00 BC'), \
      (4, '-infinity', '-infinity', '-infinity'), \
      (5, '4714-11-24 BC', '4714-11-24 00:00 BC', '4714-11-24 00:00+00 BC')";

#[tokio::test]
async fn bc_values_read_sort_and_print_as_in_postgres() {
    let t = Target::new("BC_DATES_AGAINST", "bc");
    let c = t.connect().await;
    c.batch_execute("set timezone = 'UTC'").await.unwrap();
    c.batch_execute(TABLE).await.unwrap();
    assert_eq!(
        text_rows(&c, "select id, d, t, tz from bc_t order by d").await,
        [
            ["4", "-infinity", "-infinity", "-infinity"],
            [
                "5",
                "4714-11-24 BC",
                "4714-11-24 00:00:00 BC",
                "4714-11-24 00:00:00+00 BC"
            ],
            [
                "1",
                "0044-03-15 BC",
                "0097-02-16 17:32:01 BC",
                "0097-02-16 17:32:01+00 BC"
            ],
            [
                "3",
                "0001-12-31 BC",
                "0001-12-31 23:59:59.5 BC",
                "0001-12-31 23:59:59.5+00 BC"
            ],
            [
                "2",
                "0001-01-01",
                "0001-01-01 00:00:00",
                "0001-01-01 00:00:00+00"
            ],
        ]
    );
    assert_eq!(
        one_row(
            &c,
            "select min(d), max(d), min(t), max(tz), count(*) filter (where d < '0001-01-01') \
             from bc_t where id <> 4"
        )
        .await,
        [
            "4714-11-24 BC",
            "0001-01-01",
            "4714-11-24 00:00:00 BC",
            "0001-01-01 00:00:00+00",
            "3"
        ]
    );
    // Printed, not stored, wherever the text reaches the client.
    assert_eq!(
        one_row(
            &c,
            "select d::text, t::text, tz::text, d || '!', 'x' || t, to_json(d), to_json(t), \
             to_json(tz), array[d, '2020-01-01'], json_build_object('t', t) \
             from bc_t where id = 1"
        )
        .await,
        [
            "0044-03-15 BC",
            "0097-02-16 17:32:01 BC",
            "0097-02-16 17:32:01+00 BC",
            "0044-03-15 BC!",
            "x0097-02-16 17:32:01 BC",
            "\"0044-03-15 BC\"",
            "\"0097-02-16T17:32:01 BC\"",
            "\"0097-02-16T17:32:01+00:00 BC\"",
            "{\"0044-03-15 BC\",2020-01-01}",
            "{\"t\" : \"0097-02-16T17:32:01 BC\"}"
        ]
    );
    assert_eq!(
        one_row(
            &c,
            "select array_agg(d order by id), json_agg(d order by id) from bc_t where id in (1, 3)"
        )
        .await,
        [
            "{\"0044-03-15 BC\",\"0001-12-31 BC\"}",
            "[\"0044-03-15 BC\", \"0001-12-31 BC\"]"
        ]
    );
    // Compared across types: the date promoted to a timestamp at its midnight.
    assert_eq!(
        text_rows(&c, "select id, d < t, t < tz, d::timestamptz <= tz from bc_t where id in (1, 3) order by id").await,
        [["1", "f", "f", "f"], ["3", "t", "f", "t"]]
    );
    // A literal of the stored form's shape is what PostgreSQL reads: 9955 AD.
    assert_eq!(
        one_row(
            &c,
            "select '/9955-03-15'::date, date '/9955-03-15' > '2000-01-01'"
        )
        .await,
        ["9955-03-15", "t"]
    );
    // Functions that take their arguments untyped refuse what they cannot print
    // (litewire only: PostgreSQL prints `0044-03-15 BC`; COMPAT.md).
    if std::env::var("BC_DATES_AGAINST").is_err() {
        for sql in [
            "select concat(d) from bc_t where id = 1",
            "select format('%s', t) from bc_t where id = 1",
            "select array_to_string(array[d], ',') from bc_t where id = 1",
        ] {
            assert_eq!(error(&c, sql).await, "0A000", "{sql}");
        }
        assert_eq!(
            one_row(
                &c,
                "select concat(d), array_to_string(array[d], ',') from bc_t where id = 2"
            )
            .await,
            ["0001-01-01", "0001-01-01"]
        );
    }
    // In another zone: the offset then (local mean time) and BC last.
    c.batch_execute("set timezone = 'America/New_York'")
        .await
        .unwrap();
    assert_eq!(
        one_row(&c, "select tz, to_json(tz) from bc_t where id = 1").await,
        [
            "0097-02-16 12:35:59-04:56:02 BC",
            "\"0097-02-16T12:35:59-04:56:02 BC\""
        ]
    );
    assert_eq!(
        one_row(&c, "select '4714-11-23 16:00:00-08 BC'::timestamptz::text").await,
        ["4714-11-23 19:03:58-04:56:02 BC"]
    );
}

#[tokio::test]
async fn bc_arithmetic_fields_and_functions_as_in_postgres() {
    let t = Target::new("BC_DATES_AGAINST", "bc");
    let c = t.connect().await;
    c.batch_execute("set timezone = 'UTC'").await.unwrap();
    assert_eq!(
        one_row(
            &c,
            "select date '0001-12-31 BC' + 1, date '0001-01-01' - 1, \
             date '0044-03-15 BC' - date '0044-03-14 BC', \
             date '0001-01-01' - date '0001-12-31 BC', \
             timestamp '0001-01-01 00:00' - interval '1 sec', \
             timestamp '0097-02-16 17:32:01 BC' + interval '100 years', \
             age(timestamp '0001-01-01', timestamp '0097-02-16 17:32:01 BC'), \
             date '0044-03-15 BC'::timestamp, timestamp '0001-12-31 23:00 BC'::date, \
             make_date(-44, 3, 15)"
        )
        .await,
        [
            "0001-01-01",
            "0001-12-31 BC",
            "1",
            "1",
            "0001-12-31 23:59:59 BC",
            "0004-02-16 17:32:01",
            "96 years 10 mons 13 days 06:27:59",
            "0044-03-15 00:00:00 BC",
            "0001-12-31 BC",
            "0044-03-15 BC"
        ]
    );
    assert_eq!(
        one_row(
            &c,
            "select extract(year from date '2020-08-11 BC'), \
             extract(isoyear from date '2020-08-11 BC'), \
             extract(century from date '0101-12-31 BC'), \
             extract(century from date '0001-12-31 BC'), \
             extract(decade from date '0012-12-31 BC'), \
             extract(millennium from date '0001-12-31 BC'), \
             date_part('year', timestamp '0097-02-16 17:32:01 BC'), \
             extract(julian from date '4714-11-24 BC'), \
             extract(epoch from date '0001-12-31 BC')"
        )
        .await,
        [
            "-2020",
            "-2020",
            "-2",
            "-1",
            "-2",
            "-1",
            "-97",
            "0",
            "-62135683200"
        ]
    );
    assert_eq!(
        one_row(
            &c,
            "select date_trunc('decade', date '0002-12-31 BC'), \
             date_trunc('century', timestamp '0055-08-10 BC'), \
             date_trunc('millennium', timestamp '0001-12-31 BC'), \
             date_trunc('year', timestamp '0097-02-16 17:32:01 BC')"
        )
        .await,
        [
            "0011-01-01 00:00:00+00 BC",
            "0100-01-01 00:00:00 BC",
            "1000-01-01 00:00:00 BC",
            "0097-01-01 00:00:00 BC"
        ]
    );
    assert_eq!(
        one_row(
            &c,
            "select to_date('0044-03-15 BC', 'YYYY-MM-DD BC'), to_date('-44-03-15', 'YYYY-MM-DD'), \
             to_date('0044-03-15 b.c.', 'YYYY-MM-DD B.C.'), to_date('0044-03-15 ad', 'YYYY-MM-DD BC')"
        )
        .await,
        ["0044-03-15 BC", "0044-03-15 BC", "0044-03-15 BC", "0044-03-15"]
    );
    assert_eq!(
        error(&c, "select to_date('4714-11-23 BC', 'YYYY-MM-DD BC')").await,
        "22008"
    );
    assert_eq!(
        one_row(
            &c,
            "select to_char(timestamp '0097-02-16 17:32:01 BC', \
             'Y,YYY YYYY YYY YY Y CC BC B.C. bc ad J'), \
             to_char(timestamp '0097-02-16 17:32:01 BC', 'FMYYYY FMCC'), \
             to_char(date '0001-12-31 BC', 'YYYY-MM-DD AD IYYY'), \
             to_char(timestamp 'infinity', 'YYYY') is null"
        )
        .await,
        [
            "0,097 0097 097 97 7 -01 BC B.C. bc bc 1686042",
            "97 -1",
            "0001-12-31 BC 0001",
            "t"
        ]
    );
}

#[tokio::test]
async fn bc_range_ends_at_julian_day_zero() {
    let t = Target::new("BC_DATES_AGAINST", "bc");
    let c = t.connect().await;
    for sql in [
        "select date '4714-11-23 BC'",
        "select timestamp '4714-11-23 23:59:59 BC'",
        "select date '4714-11-24 BC' - 1",
        "select timestamp '4714-11-24 00:00 BC' - interval '1 us'",
        "select make_date(-4714, 11, 23)",
        "select to_timestamp(-210866803201)",
    ] {
        assert_eq!(error(&c, sql).await, "22008", "{sql}");
    }
    assert_eq!(
        one_row(
            &c,
            "select date '4714-11-24 BC', make_date(-4714, 11, 24), \
             to_timestamp(-210866803200) at time zone 'UTC'"
        )
        .await,
        ["4714-11-24 BC", "4714-11-24 BC", "4714-11-24 00:00:00 BC"]
    );
}

#[tokio::test]
async fn bc_binary_results_and_parameters() {
    let t = Target::new("BC_DATES_AGAINST", "bc");
    let c = t.connect().await;
    c.batch_execute("set timezone = 'UTC'").await.unwrap();
    // Days and microseconds since 2000-01-01, as PostgreSQL 15 sends them.
    let days_44bc: i32 = -746_117;
    let julian_zero: i32 = -2_451_545;
    let micros_97bc: i64 = -66_139_396_079_000_000;
    let stmt = c
        .prepare(
            "select date '0044-03-15 BC', date '4714-11-24 BC', \
                  timestamp '0097-02-16 17:32:01 BC', timestamptz '0097-02-16 17:32:01+00 BC'",
        )
        .await
        .unwrap();
    let row = c.query_one(&stmt, &[]).await.unwrap();
    let got: Vec<Bytes> = (0..4).map(|i| row.get(i)).collect();
    assert_eq!(
        got,
        [
            Bytes(days_44bc.to_be_bytes().to_vec()),
            Bytes(julian_zero.to_be_bytes().to_vec()),
            Bytes(micros_97bc.to_be_bytes().to_vec()),
            Bytes(micros_97bc.to_be_bytes().to_vec()),
        ]
    );
    // Binary parameters in, text out.
    let b32 = |v: i32| Bytes(v.to_be_bytes().to_vec());
    let b64 = |v: i64| Bytes(v.to_be_bytes().to_vec());
    let stmt = c
        .prepare_typed(
            "select $1::date + 0, $2::timestamp + interval '0 s', $3::timestamptz",
            &[Type::DATE, Type::TIMESTAMP, Type::TIMESTAMPTZ],
        )
        .await
        .unwrap();
    let params: [&(dyn ToSql + Sync); 3] = [&b32(days_44bc), &b64(micros_97bc), &b64(micros_97bc)];
    let row = c.query_one(&stmt, &params).await.unwrap();
    let got: Vec<Bytes> = (0..3).map(|i| row.get(i)).collect();
    assert_eq!(
        got,
        [
            Bytes(days_44bc.to_be_bytes().to_vec()),
            Bytes(micros_97bc.to_be_bytes().to_vec()),
            Bytes(micros_97bc.to_be_bytes().to_vec()),
        ]
    );
    // Before Julian day 0: 22008.
    let stmt = c.prepare_typed("select $1", &[Type::DATE]).await.unwrap();
    let e = c.query(&stmt, &[&b32(julian_zero - 1)]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "22008");
    // Stored through a binary parameter, read back in text and compared as a date.
    c.batch_execute("drop table if exists bc_p; create table bc_p (d date, t timestamp)")
        .await
        .unwrap();
    let insert = c
        .prepare_typed(
            "insert into bc_p values ($1, $2)",
            &[Type::DATE, Type::TIMESTAMP],
        )
        .await
        .unwrap();
    c.execute(&insert, &[&b32(days_44bc), &b64(micros_97bc)])
        .await
        .unwrap();
    c.execute(&insert, &[&b32(0), &b64(0)]).await.unwrap();
    assert_eq!(
        text_rows(
            &c,
            "select d, t from bc_p where d < '0001-01-01' and t < '0001-01-01'"
        )
        .await,
        [["0044-03-15 BC", "0097-02-16 17:32:01 BC"]]
    );
}

#[tokio::test]
async fn bc_values_leave_by_copy_as_printed() {
    let t = Target::new("BC_DATES_AGAINST", "bc");
    let c = t.connect().await;
    c.batch_execute("set timezone = 'UTC'").await.unwrap();
    c.batch_execute(TABLE).await.unwrap();
    use futures_util::TryStreamExt;
    let stream = c
        .copy_out("copy (select d, t, tz from bc_t where id in (1, 5) order by id) to stdout")
        .await
        .unwrap();
    let chunks: Vec<bytes::Bytes> = stream.try_collect().await.unwrap();
    let text: String = chunks
        .iter()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert_eq!(
        text,
        "0044-03-15 BC\t0097-02-16 17:32:01 BC\t0097-02-16 17:32:01+00 BC\n\
         4714-11-24 BC\t4714-11-24 00:00:00 BC\t4714-11-24 00:00:00+00 BC\n"
    );
}
