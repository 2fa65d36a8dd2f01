//! Time zones with rules (IANA names, POSIX specifications, date-dependent
//! abbreviations): the session's TimeZone (SET and the startup packet), timestamptz
//! output and input in it, AT TIME ZONE, and the functions that read local fields.
//! Every expectation is PostgreSQL 15's answer.

use crate::common::{rows, sqlstate, Server};
use crate::wire::{query, startup_packet, Raw};

async fn row(c: &tokio_postgres::Client, sql: &str) -> Vec<String> {
    rows(c, sql)
        .await
        .remove(0)
        .into_iter()
        .map(|v| v.unwrap_or_default())
        .collect()
}

async fn error(c: &tokio_postgres::Client, sql: &str) -> (String, String) {
    let e = c.simple_query(sql).await.expect_err(sql);
    let message = e.as_db_error().map(|d| d.message().to_string());
    (sqlstate(&e), message.unwrap_or_default())
}

#[tokio::test]
async fn set_time_zone_accepts_zones_the_database_has() {
    let s = Server::start(&[]);
    let c = s.connect("zones").await;
    c.batch_execute("set time zone 'america/new_york'")
        .await
        .unwrap();
    assert_eq!(row(&c, "show timezone").await, ["America/New_York"]);
    for (sql, value) in [
        ("set time zone 'Nowhere/Land'", "Nowhere/Land"),
        ("set timezone = 'foo'", "foo"),
    ] {
        assert_eq!(
            error(&c, sql).await,
            (
                "22023".into(),
                format!("invalid value for parameter \"TimeZone\": \"{value}\"")
            )
        );
    }
    // The failed SETs changed nothing.
    assert_eq!(row(&c, "show timezone").await, ["America/New_York"]);
    c.batch_execute("set time zone 'Asia/Kolkata'")
        .await
        .unwrap();
    assert_eq!(
        row(&c, "select timestamptz '2024-07-01 12:00+00'").await,
        ["2024-07-01 17:30:00+05:30"]
    );
    // LOCAL and DEFAULT: the server's zone, UTC here.
    c.batch_execute("set time zone local").await.unwrap();
    assert_eq!(
        row(&c, "select timestamptz '2024-07-01 12:00+00'").await,
        ["2024-07-01 12:00:00+00"]
    );
    c.batch_execute("set time zone 'EST5EDT'; ").await.unwrap();
    assert_eq!(
        row(&c, "select timestamptz '2024-07-01 12:00+00'").await,
        ["2024-07-01 08:00:00-04"]
    );
    c.batch_execute("set time zone default").await.unwrap();
    assert_eq!(row(&c, "show timezone").await, ["UTC"]);
}

/// `SET TIME ZONE INTERVAL '…' HOUR TO MINUTE` (Sequelize's first statement): a fixed
/// offset, named as PostgreSQL names it, which SET accepts back.
#[tokio::test]
async fn set_time_zone_takes_an_interval() {
    let s = Server::start(&[]);
    let c = s.connect("zones").await;
    for (set, shown, printed) in [
        (
            "INTERVAL '+00:00' HOUR TO MINUTE",
            "<+00>-00",
            "2024-07-01 12:00:00+00",
        ),
        (
            "INTERVAL '+05:30' HOUR TO MINUTE",
            "<+05:30>-05:30",
            "2024-07-01 17:30:00+05:30",
        ),
        (
            "interval '-08:00' hour to minute",
            "<-08>+08",
            "2024-07-01 04:00:00-08",
        ),
        ("INTERVAL '3 hours'", "<+03>-03", "2024-07-01 15:00:00+03"),
        (
            "'<+05:30>-05:30'",
            "<+05:30>-05:30",
            "2024-07-01 17:30:00+05:30",
        ),
    ] {
        c.batch_execute(&format!("set time zone {set}"))
            .await
            .unwrap();
        assert_eq!(row(&c, "show timezone").await, [shown], "{set}");
        assert_eq!(
            row(&c, "select timestamptz '2024-07-01 12:00+00'").await,
            [printed],
            "{set}"
        );
    }
    let e = c
        .simple_query("set time zone interval '1 day'")
        .await
        .unwrap_err();
    let db = e.as_db_error().unwrap();
    assert_eq!(
        (db.code().code(), db.detail()),
        ("22023", Some("Cannot specify days in time zone interval."))
    );
}

#[tokio::test]
async fn timestamptz_reads_and_prints_in_the_session_zone() {
    let s = Server::start(&[]);
    let c = s.connect("zones").await;
    c.batch_execute("set time zone 'America/New_York'")
        .await
        .unwrap();
    // Summer, winter, and local mean time before the zone's first rule.
    assert_eq!(
        row(
            &c,
            "select '2024-07-01 12:00+00'::timestamptz, '2024-01-01 12:00+00'::timestamptz, \
             '1880-01-01 12:00+00'::timestamptz"
        )
        .await,
        [
            "2024-07-01 08:00:00-04",
            "2024-01-01 07:00:00-05",
            "1880-01-01 07:03:58-04:56:02"
        ]
    );
    // 02:30 on 2024-03-10 does not exist (the offset before the gap), 01:30 on
    // 2024-11-03 happens twice (the offset after the overlap).
    assert_eq!(
        row(
            &c,
            "select '2024-03-10 02:30'::timestamptz, '2024-11-03 01:30'::timestamptz"
        )
        .await,
        ["2024-03-10 03:30:00-04", "2024-11-03 01:30:00-05"]
    );
    // Stored values print in the zone too, and compare as instants.
    c.batch_execute(
        "create table t (x timestamptz); \
         insert into t values ('2024-07-01 12:00+00'), ('2024-07-01 08:00')",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(&c, "select x from t where x = '2024-07-01 12:00+00'").await,
        vec![
            vec![Some("2024-07-01 08:00:00-04".to_string())],
            vec![Some("2024-07-01 08:00:00-04".to_string())]
        ]
    );
    // Binary output is the instant, whatever the zone.
    let r = c.query_one("select x from t limit 1", &[]).await.unwrap();
    let x: chrono::DateTime<chrono::Utc> = r.get(0);
    assert_eq!(x.to_rfc3339(), "2024-07-01T12:00:00+00:00");
}

#[tokio::test]
async fn local_fields_arithmetic_and_casts_follow_the_session_zone() {
    let s = Server::start(&[]);
    let c = s.connect("zones").await;
    c.batch_execute("set time zone 'America/New_York'")
        .await
        .unwrap();
    // A day across the spring-forward change is 23 hours; 24 hours is not a day.
    assert_eq!(
        row(
            &c,
            "select '2024-03-09 12:00'::timestamptz + interval '1 day', \
             '2024-03-09 12:00'::timestamptz + interval '24 hours', \
             '2024-11-02 12:00'::timestamptz + interval '1 day', \
             '2024-02-10 02:30'::timestamptz + interval '1 month'"
        )
        .await,
        [
            "2024-03-10 12:00:00-04",
            "2024-03-10 13:00:00-04",
            "2024-11-03 12:00:00-05",
            "2024-03-10 03:30:00-04"
        ]
    );
    assert_eq!(
        row(
            &c,
            "select '2024-07-01 08:00-04'::timestamptz::timestamp, \
             '2024-07-01 02:00+00'::timestamptz::date, '2024-07-01 02:00+00'::timestamptz::time, \
             '2024-07-01 02:00'::timestamp::timestamptz, date '2024-07-01'::timestamptz"
        )
        .await,
        [
            "2024-07-01 08:00:00",
            "2024-06-30",
            "22:00:00",
            "2024-07-01 02:00:00-04",
            "2024-07-01 00:00:00-04"
        ]
    );
    assert_eq!(
        row(
            &c,
            "select extract(hour from timestamptz '2024-07-01 02:00+00'), \
             date_part('timezone', timestamptz '2024-07-01 02:00+00'), \
             to_char(timestamptz '2024-07-01 02:00+00', 'YYYY-MM-DD HH24:MI TZ OF')"
        )
        .await,
        ["22", "-14400", "2024-06-30 22:00 EDT -04"]
    );
    assert_eq!(
        row(
            &c,
            "select date_trunc('day', timestamptz '2024-03-10 12:00'), \
             date_trunc('day', timestamptz '2024-03-10 12:00+00', 'Asia/Tokyo'), \
             age(timestamptz '2024-03-11 00:00', timestamptz '2024-03-10 00:00')"
        )
        .await,
        ["2024-03-10 00:00:00-05", "2024-03-09 10:00:00-05", "1 day"]
    );
    assert_eq!(
        row(
            &c,
            "select make_timestamptz(2024, 7, 1, 8, 0, 0), \
             make_timestamptz(2024, 7, 1, 8, 0, 0, 'Europe/Berlin'), \
             make_timestamptz(2024, 7, 1, 8, 0, 0, 'EST')"
        )
        .await,
        [
            "2024-07-01 08:00:00-04",
            "2024-07-01 02:00:00-04",
            "2024-07-01 09:00:00-04"
        ]
    );
}

#[tokio::test]
async fn zone_names_and_abbreviations_in_input_and_at_time_zone() {
    let s = Server::start(&[]);
    let c = s.connect("zones").await;
    // Moscow moved from +03 to +04 at 2011-03-27 02:00 local; MSK meant +04 from then.
    assert_eq!(
        row(
            &c,
            "select timestamptz '2011-03-27 02:00:00 Europe/Moscow', \
             timestamptz '2011-03-27 02:00:00 MSK', \
             timestamptz '2024-03-10 02:30 America/New_York', \
             timestamptz '2024-07-01 12:00 EST5EDT'"
        )
        .await,
        [
            "2011-03-26 23:00:00+00",
            "2011-03-26 22:00:00+00",
            "2024-03-10 07:30:00+00",
            "2024-07-01 16:00:00+00"
        ]
    );
    assert_eq!(
        row(
            &c,
            "select timestamp '2011-03-27 02:00:00' at time zone 'Europe/Moscow', \
             timestamp '2011-03-27 02:00:00' at time zone 'MSK', \
             timestamptz '2014-10-25 22:00:00+00' at time zone 'Europe/Moscow', \
             timezone('Europe/Berlin', timestamp '2024-07-01 12:00'), \
             timestamp '2024-07-01 12:00' at time zone 'CEST'"
        )
        .await,
        [
            "2011-03-26 23:00:00+00",
            "2011-03-26 22:00:00+00",
            "2014-10-26 01:00:00",
            "2024-07-01 10:00:00+00",
            "2024-07-01 10:00:00+00"
        ]
    );
    assert_eq!(
        error(
            &c,
            "select timestamp '2024-07-01 12:00' at time zone 'Nowhere/x'"
        )
        .await,
        (
            "22023".into(),
            "time zone \"Nowhere/x\" not recognized".into()
        )
    );
}

/// The startup packet's TimeZone: set as by SET, reported back in its database
/// spelling; one no zone has refuses the connection (FATAL 22023), as PostgreSQL does.
#[test]
fn time_zone_in_the_startup_packet() {
    let s = Server::start(&[]);
    let mut r = Raw::connect(s.port());
    r.send(&startup_packet(
        &[
            ("user", "raw"),
            ("database", "zones"),
            ("TimeZone", "america/new_york"),
        ],
        196608,
    ));
    let welcome = r.until_ready();
    let reported = welcome
        .iter()
        .filter(|m| m.tag == b'S')
        .map(|m| String::from_utf8_lossy(&m.body).into_owned())
        .find(|b| b.starts_with("TimeZone\0"));
    assert_eq!(reported.as_deref(), Some("TimeZone\0America/New_York\0"));
    r.send(&query("select timestamptz '2024-07-01 12:00+00'"));
    let data = r.until_ready();
    let row = data.iter().find(|m| m.tag == b'D').expect("a row");
    // One column: count, length, text.
    assert_eq!(&row.body[6..], b"2024-07-01 08:00:00-04");

    let mut bad = Raw::connect(s.port());
    bad.send(&startup_packet(
        &[
            ("user", "raw"),
            ("database", "zones"),
            ("TimeZone", "Nowhere/Land"),
        ],
        196608,
    ));
    let msgs = bad.until_closed();
    let e = msgs.iter().find(|m| m.tag == b'E').expect("an error");
    assert_eq!(e.field(b'S').as_deref(), Some("FATAL"));
    assert_eq!(e.sqlstate().as_deref(), Some("22023"));
    assert_eq!(
        e.field(b'M').as_deref(),
        Some("invalid value for parameter \"TimeZone\": \"Nowhere/Land\"")
    );
}

/// make_timestamptz reads a numeric zone as ISO 8601 does, hours east (`+2` was read
/// the POSIX way, west: a silent four-hour error), and refuses what PostgreSQL refuses.
#[tokio::test]
async fn make_timestamptz_numeric_zones_are_east() {
    let s = Server::start(&[]);
    let c = s.connect("zones").await;
    let got = rows(
        &c,
        "select make_timestamptz(1973, 7, 15, 8, 15, 55.33, '+2'), \
         make_timestamptz(1973, 7, 15, 8, 15, 55.33, '-2:30'), \
         make_timestamptz(1973, 7, 15, 8, 15, 55.33, '+0230'), \
         make_timestamptz(1973, 7, 15, 8, 15, 55.33, 'UTC+2'), \
         make_timestamptz(1973, 7, 15, 8, 15, 55.33, '+2') = '1973-07-15 08:15:55.33+02'::timestamptz",
    )
    .await;
    let want: Vec<Option<String>> = [
        "1973-07-15 06:15:55.33+00",
        "1973-07-15 10:45:55.33+00",
        "1973-07-15 05:45:55.33+00",
        "1973-07-15 10:15:55.33+00",
        "t",
    ]
    .iter()
    .map(|v| Some(v.to_string()))
    .collect();
    assert_eq!(got, vec![want]);
    for (zone, message) in [
        (
            "2",
            "invalid input syntax for type numeric time zone: \"2\"",
        ),
        ("+16", "numeric time zone \"+16\" out of range"),
        ("-1:60", "numeric time zone \"-1:60\" out of range"),
    ] {
        let sql = format!("select make_timestamptz(2014, 12, 10, 10, 10, 10, '{zone}')");
        let e = c.simple_query(&sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), "22023", "{zone}");
        assert_eq!(e.as_db_error().unwrap().message(), message);
    }
}
