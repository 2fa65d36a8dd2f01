//! Invalid input is refused with PostgreSQL's SQLSTATE, never stored or guessed (issue 8,
//! item 7 and the value parts of item 5): casts written in SQL, Bind parameters in text
//! and binary format, format codes. After each refusal the session keeps working.
//!
//! `INVALID_INPUT_AGAINST=5432` runs the same assertions against a PostgreSQL on that
//! port of 127.0.0.1 (user postgres, database postgres) to check the expectations.

use bytes::BytesMut;
use tokio_postgres::types::{Format, IsNull, ToSql, Type};

use crate::common::{sqlstate, Target};
use crate::wire::{self, message};

/// A parameter sent exactly as given, in the given format.
#[derive(Debug)]
struct RawValue {
    bytes: Vec<u8>,
    binary: bool,
}

fn text(s: &str) -> RawValue {
    RawValue {
        bytes: s.as_bytes().to_vec(),
        binary: false,
    }
}

fn binary(bytes: Vec<u8>) -> RawValue {
    RawValue {
        bytes,
        binary: true,
    }
}

impl ToSql for RawValue {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        out.extend_from_slice(&self.bytes);
        Ok(IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    fn encode_format(&self, _: &Type) -> Format {
        if self.binary {
            Format::Binary
        } else {
            Format::Text
        }
    }

    tokio_postgres::types::to_sql_checked!();
}

async fn assert_usable(c: &tokio_postgres::Client) {
    let rows = c
        .simple_query("select 1")
        .await
        .expect("session still usable");
    assert!(!rows.is_empty());
}

/// Binds `value` as parameter 1 of `select $1` typed `ty`; returns the SQLSTATE.
async fn bind_error(c: &tokio_postgres::Client, ty: Type, value: RawValue) -> String {
    let stmt = c
        .prepare_typed("select $1", std::slice::from_ref(&ty))
        .await
        .expect("prepare");
    let e = c
        .query(&stmt, &[&value])
        .await
        .expect_err(&format!("{ty} {value:?} was accepted"));
    assert_usable(c).await;
    sqlstate(&e)
}

fn ints(values: &[i32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_be_bytes()).collect()
}

fn words(values: &[u16]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_be_bytes()).collect()
}

#[tokio::test]
async fn casts_in_sql_refuse_what_postgres_refuses() {
    let t = Target::new("INVALID_INPUT_AGAINST", "values");
    let c = t.connect().await;
    for (sql, code) in [
        ("select '2024-02-30'::date", "22008"),
        ("select '2024-13-01'::date", "22008"),
        ("select 'garbage'::date", "22007"),
        ("select '2024-02-29 25:00'::timestamp", "22008"),
        ("select '294277-01-01'::timestamp", "22008"),
        ("select '2147483648 days'::interval", "22015"),
        ("select '40000'::int2", "22003"),
        ("select '2147483648'::int4", "22003"),
        ("select '9223372036854775808'::int8", "22003"),
        ("select 40000::int2", "22003"),
        ("select '1.5'::int4", "22P02"),
        ("select 'zzz'::uuid", "22P02"),
        ("select '{'::json", "22P02"),
        ("select '{\"a\":1,}'::jsonb", "22P02"),
        ("select '{1,2'::int4[]", "22P02"),
        ("select '{1,x}'::int4[]", "22P02"),
        ("select 'abc'::numeric", "22P02"),
        ("select '1e131072'::numeric", "22003"),
        ("select '1e-100000000'::numeric", "22003"),
        ("select '24:00:01'::time", "22008"),
    ] {
        let e = c
            .simple_query(sql)
            .await
            .expect_err(&format!("{sql} was accepted"));
        assert_eq!(sqlstate(&e), code, "{sql}: {e}");
        assert_usable(&c).await;
    }
    // What PostgreSQL accepts still works, normalized as PostgreSQL prints it.
    let rows = crate::common::rows(
        &c,
        "select '2024-02-29'::date, ' 12 '::int2, '{12345678123412341234123456789ABC}'::uuid, \
         '[1, {\"a\": null}]'::json, '{1,2}'::int4[], 2.5::int4",
    )
    .await;
    assert_eq!(
        rows[0],
        [
            "2024-02-29",
            "12",
            "12345678-1234-1234-1234-123456789abc",
            "[1, {\"a\": null}]",
            "{1,2}",
            "3"
        ]
        .map(|s| Some(s.to_string()))
    );
}

#[tokio::test]
async fn text_parameters_refuse_what_postgres_refuses() {
    let t = Target::new("INVALID_INPUT_AGAINST", "values");
    let c = t.connect().await;
    for (ty, value, code) in [
        (Type::DATE, "2024-02-30", "22008"),
        (Type::DATE, "garbage", "22007"),
        (Type::TIMESTAMP, "2024-02-29 12:00:61", "22008"),
        (Type::INTERVAL, "2147483648 days", "22015"),
        (Type::INT2, "40000", "22003"),
        (Type::INT4, "2147483648", "22003"),
        (Type::INT8, "9223372036854775808", "22003"),
        (Type::UUID, "zzz", "22P02"),
        (Type::JSON, "{", "22P02"),
        (Type::JSONB, "[1,]", "22P02"),
        (Type::INT4_ARRAY, "{1,2", "22P02"),
        (Type::NUMERIC, "abc", "22P02"),
    ] {
        assert_eq!(
            bind_error(&c, ty.clone(), text(value)).await,
            code,
            "{ty} {value}"
        );
    }
}

#[tokio::test]
async fn binary_parameters_refuse_what_postgres_refuses() {
    let t = Target::new("INVALID_INPUT_AGAINST", "values");
    let c = t.connect().await;
    let numeric = |sign: u16, dscale: u16, digits: &[u16]| {
        let mut b = words(&[digits.len() as u16, 0, sign, dscale]);
        b.extend(words(digits));
        binary(b)
    };
    let array = |dims: &[(i32, i32)], elem: Type, items: &[i32]| {
        let mut b = ints(&[dims.len() as i32, 0, elem.oid() as i32]);
        for (len, lower) in dims {
            b.extend(ints(&[*len, *lower]));
        }
        for v in items {
            b.extend(ints(&[4, *v]));
        }
        binary(b)
    };
    let int8_item = {
        let mut b = ints(&[1, 0, Type::INT8.oid() as i32, 1, 1, 8]);
        b.extend(7i64.to_be_bytes());
        binary(b)
    };
    for (ty, value, code) in [
        // numeric_recv: bad sign, digit >= 10000, scale above 16383.
        (Type::NUMERIC, numeric(0x1234, 0, &[1]), "22P03"),
        (Type::NUMERIC, numeric(0, 0, &[10_000]), "22P03"),
        (Type::NUMERIC, numeric(0, 0x4000, &[1]), "22P03"),
        // array_recv: another element type, flags, dimensions.
        (Type::INT4_ARRAY, int8_item, "42804"),
        (
            Type::INT4_ARRAY,
            array(&[(i32::MAX, 1), (0, 1)], Type::INT4, &[]),
            "54000",
        ),
        (
            Type::INT4_ARRAY,
            array(&[(65536, 1), (65536, 1)], Type::INT4, &[]),
            "54000",
        ),
        (
            Type::INT4_ARRAY,
            array(&[(-1, 1)], Type::INT4, &[]),
            "54000",
        ),
        (
            Type::INT4_ARRAY,
            array(&[(1, 1); 7], Type::INT4, &[]),
            "54000",
        ),
        (
            Type::INT4_ARRAY,
            binary(ints(&[1, 7, 23, 1, 1, 4, 1])),
            "22P03",
        ),
        // Too many elements for the bytes present.
        (
            Type::INT4_ARRAY,
            array(&[(1000, 1)], Type::INT4, &[1, 2]),
            "08P01",
        ),
        (
            Type::DATE,
            binary(2_146_000_000i32.to_be_bytes().to_vec()),
            "22008",
        ),
        (Type::INT4, binary(vec![0, 0, 0, 0, 1]), "22P03"),
    ] {
        assert_eq!(bind_error(&c, ty.clone(), value).await, code, "{ty}");
    }
    // dims [2147483647, 0] with lower bound 0 is an empty array, answered at once.
    let stmt = c
        .prepare_typed("select 1 where 1 = any($1)", &[Type::INT4_ARRAY])
        .await
        .unwrap();
    let empty = array(&[(i32::MAX, 0), (0, 0)], Type::INT4, &[]);
    let rows = c.query(&stmt, &[&empty]).await.expect("empty array");
    assert_eq!(rows.len(), 0);
    let one = array(&[(1, 1)], Type::INT4, &[1]);
    assert_eq!(c.query(&stmt, &[&one]).await.unwrap().len(), 1);
}

#[tokio::test]
async fn bad_format_codes_are_refused() {
    let t = Target::new("INVALID_INPUT_AGAINST", "values");
    let mut r = t.raw();
    let cstr = |s: &str| [s.as_bytes(), &[0]].concat();
    let parse = message(
        b'P',
        &[cstr(""), cstr("select $1::int4"), vec![0, 1], ints(&[23])].concat(),
    );
    // Bind: portal, statement, 1 format code (7), 1 parameter "1", no result formats.
    let bind = message(
        b'B',
        &[
            cstr(""),
            cstr(""),
            vec![0, 1, 0, 7, 0, 1],
            ints(&[1]),
            b"1".to_vec(),
            vec![0, 0],
        ]
        .concat(),
    );
    let execute = message(b'E', &[cstr(""), ints(&[0])].concat());
    let sync = message(b'S', b"");
    r.send(&[parse, bind, execute, sync].concat());
    let msgs = r.until_ready();
    assert_eq!(wire::tags(&msgs), "1EZ", "{msgs:?}");
    assert_eq!(msgs[1].sqlstate().as_deref(), Some("22023"));
    r.send(&wire::query("select 1"));
    assert_eq!(wire::tags(&r.until_ready()), "TDCZ");
}

#[tokio::test]
async fn typed_columns_refuse_bad_parameters() {
    let t = Target::new("INVALID_INPUT_AGAINST", "values");
    let c = t.connect().await;
    c.batch_execute(
        "drop table if exists invalid_input_t; create table invalid_input_t (d date, n smallint)",
    )
    .await
    .unwrap();
    let insert = c
        .prepare_typed(
            "insert into invalid_input_t values ($1, $2)",
            &[Type::DATE, Type::INT2],
        )
        .await
        .unwrap();
    let e = c
        .execute(&insert, &[&text("2024-02-30"), &text("1")])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22008");
    let e = c
        .execute(&insert, &[&text("2024-02-28"), &text("40000")])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22003");
    c.execute(&insert, &[&text("2024-02-29"), &text("7")])
        .await
        .unwrap();
    let rows = crate::common::rows(&c, "select d, n from invalid_input_t").await;
    assert_eq!(
        rows,
        [[Some("2024-02-29".to_string()), Some("7".to_string())]]
    );
    c.batch_execute("drop table invalid_input_t").await.unwrap();
}

/// A string literal written into a typed column is read with the column's input rules,
/// like a parameter: refused as PostgreSQL refuses it, stored in the same form.
#[tokio::test]
async fn typed_columns_refuse_bad_literals() {
    let t = Target::new("INVALID_INPUT_AGAINST", "values");
    let c = t.connect().await;
    c.batch_execute(
        "drop table if exists invalid_input_l; \
         create table invalid_input_l (n smallint, u uuid, j jsonb, b boolean)",
    )
    .await
    .unwrap();
    for (sql, code) in [
        ("insert into invalid_input_l (n) values ('34.5')", "22P02"),
        ("insert into invalid_input_l (n) values ('40000')", "22003"),
        ("insert into invalid_input_l (u) values ('zzz')", "22P02"),
        ("insert into invalid_input_l (j) values ('{')", "22P02"),
        (
            "insert into invalid_input_l values (1, null, null, 'maybe')",
            "22P02",
        ),
    ] {
        let e = c.batch_execute(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), code, "{sql}: {e}");
    }
    c.batch_execute(
        "insert into invalid_input_l values (' 34 ', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', \
         '{\"b\":1,\"a\":2}', 'yes'); update invalid_input_l set n = '  7'",
    )
    .await
    .unwrap();
    let rows = c
        .simple_query("select n, u, j, b from invalid_input_l")
        .await
        .unwrap();
    let row = rows
        .iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => Some(r),
            _ => None,
        })
        .expect("one row");
    assert_eq!(row.get(0), Some("7"));
    assert_eq!(row.get(1), Some("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
    assert_eq!(row.get(2), Some("{\"a\": 2, \"b\": 1}"));
    assert_eq!(row.get(3), Some("t"));
}
