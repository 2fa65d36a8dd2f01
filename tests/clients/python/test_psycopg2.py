"""psycopg2 against litewire.

psycopg2 uses the simple protocol only and interpolates parameters on the client:
strings are quoted ('it''s'), bytes become '\\x..'::bytea, datetimes
'...'::timestamp, booleans true/false, None NULL. Results are text, parsed by the
RowDescription's type OIDs.
"""

import datetime as dt
from decimal import Decimal

import psycopg2
import psycopg2.errorcodes
import psycopg2.extensions as ext
import pytest

from helpers import ITEMS_TABLE as TABLE


@pytest.fixture
def conn(conninfo):
    c = psycopg2.connect(**conninfo)
    yield c
    c.close()


@pytest.fixture
def items(conn):
    with conn.cursor() as cur:
        cur.execute(TABLE)
    conn.commit()
    return conn


def test_connect(conn):
    assert conn.status == ext.STATUS_READY
    assert conn.encoding == "UTF8"
    assert conn.server_version >= 100000
    assert conn.get_parameter_status("standard_conforming_strings") == "on"
    with conn.cursor() as cur:
        cur.execute("select 1 + 1")
        assert cur.fetchone() == (2,)
    # psycopg2 sent BEGIN before the select.
    assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_INTRANS
    conn.rollback()
    assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_IDLE


def test_interpolated_literals(conn):
    """What psycopg2 sends: check the mogrified text too, then run it."""
    with conn.cursor() as cur:
        q = cur.mogrify(
            "select %s, %s, %s, %s, %s",
            (b"\x00\x01\xff", dt.datetime(2024, 1, 2, 3, 4, 5), True, None, "it's"),
        )
        assert q == (
            b"select '\\x0001ff'::bytea, '2024-01-02T03:04:05'::timestamp, true, NULL, 'it''s'"
        )
        cur.execute(q)
        data, ts, ok, none, s = cur.fetchone()
        assert bytes(data) == b"\x00\x01\xff"
        assert ts == dt.datetime(2024, 1, 2, 3, 4, 5)
        assert ok is True and none is None and s == "it's"


def test_crud_client_side_params(items):
    conn = items
    ts = dt.datetime(2024, 1, 2, 3, 4, 5, 678000)
    with conn.cursor() as cur:
        cur.execute(
            "insert into items (id, name, score, ok, data, ts, amount, big)"
            " values (%s, %s, %s, %s, %s, %s, %s, %s)",
            (1, "it's \"quoted\" \\ back", 3.25, True, b"\x00\x27\x5c\xff", ts, Decimal("12.34"), 2**40),
        )
        assert cur.rowcount == 1
        cur.execute(
            "insert into items (id, name, score, ok, data, ts, amount, big)"
            " values (%(id)s, %(name)s, %(score)s, %(ok)s, %(data)s, %(ts)s, %(amount)s, %(big)s)",
            dict(id=2, name="second", score=-1e-5, ok=False, data=b"", ts=ts.replace(microsecond=0),
                 amount=Decimal("-0.50"), big=-(2**62)),
        )
        assert cur.rowcount == 1
    conn.commit()

    with conn.cursor() as cur:
        cur.execute("select id, name, score, ok, data, ts, amount, big from items order by id")
        assert cur.rowcount == 2
        r1, r2 = cur.fetchall()
    assert r1[:4] == (1, "it's \"quoted\" \\ back", 3.25, True)
    assert isinstance(r1[4], memoryview) and bytes(r1[4]) == b"\x00\x27\x5c\xff"
    assert r1[5:] == (ts, Decimal("12.34"), 2**40)
    assert [type(v) for v in r1] == [int, str, float, bool, memoryview, dt.datetime, Decimal, int]
    assert r2[:4] == (2, "second", -1e-5, False)
    assert bytes(r2[4]) == b""
    assert r2[5:] == (ts.replace(microsecond=0), Decimal("-0.50"), -(2**62))

    with conn.cursor() as cur:
        cur.execute("update items set name = %s, ok = %s where id = %s", ("o'neil", False, 1))
        assert cur.rowcount == 1
        cur.execute("select name, ok from items where id = %s", (1,))
        assert cur.fetchone() == ("o'neil", False)
        cur.execute("select id from items where name = %s and data = %s", ("second", b""))
        assert cur.fetchall() == [(2,)]
        cur.execute("delete from items where id in %s", ((1, 2, 3),))
        assert cur.rowcount == 2
    conn.commit()
    with conn.cursor() as cur:
        cur.execute("select count(*) from items")
        assert cur.fetchone() == (0,)


def test_nulls(items):
    conn = items
    with conn.cursor() as cur:
        cur.execute(
            "insert into items values (%s, %s, %s, %s, %s, %s, %s, %s)",
            (1, None, None, None, None, None, None, None),
        )
        cur.execute("select * from items")
        assert cur.fetchone() == (1,) + (None,) * 7
        cur.execute("select id from items where name is %s", (None,))
        assert cur.fetchall() == [(1,)]


def test_fetch_types(items):
    conn = items
    with conn.cursor() as cur:
        cur.execute(
            "insert into items values (1, 'x', 1.5, true, '\\x0a0b'::bytea,"
            " '2020-02-29 12:00:00'::timestamp, 7.25, 9007199254740993)"
        )
        cur.execute("select id, name, score, ok, data, ts, amount, big from items")
        assert [d.type_code for d in cur.description] == [23, 25, 701, 16, 17, 1114, 1700, 20]
        row = cur.fetchone()
    assert row[0] == 1 and type(row[0]) is int
    assert row[1] == "x"
    assert row[2] == 1.5 and type(row[2]) is float
    assert row[3] is True
    assert bytes(row[4]) == b"\x0a\x0b"
    assert row[5] == dt.datetime(2020, 2, 29, 12, 0, 0)
    assert row[6] == Decimal("7.25")
    assert row[7] == 9007199254740993


def test_executemany(items):
    conn = items
    rows = [(i, f"n'{i}", i * 0.5, i % 2 == 1, bytes([i, 0])) for i in range(50)]
    with conn.cursor() as cur:
        cur.executemany("insert into items (id, name, score, ok, data) values (%s, %s, %s, %s, %s)", rows)
        assert cur.rowcount == 50
        cur.execute("select count(*), sum(score) from items where ok")
        assert cur.fetchone() == (25, sum(i * 0.5 for i in range(50) if i % 2 == 1))
        cur.execute("select name, data from items where id = 7")
        name, data = cur.fetchone()
    assert name == "n'7" and bytes(data) == b"\x07\x00"


def test_error_unique_violation(items):
    conn = items
    with conn.cursor() as cur:
        cur.execute("insert into items (id, name) values (1, 'a')")
    conn.commit()
    with conn.cursor() as cur:
        with pytest.raises(psycopg2.errors.UniqueViolation) as ei:
            cur.execute("insert into items (id, name) values (%s, %s)", (1, "dup"))
        assert ei.value.pgcode == "23505" == psycopg2.errorcodes.UNIQUE_VIOLATION
        with pytest.raises(psycopg2.errors.InFailedSqlTransaction) as ei:
            cur.execute("select 1")
        assert ei.value.pgcode == "25P02"
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute("select name from items")
        assert cur.fetchall() == [("a",)]


def test_error_undefined_table_and_syntax(conn):
    with conn.cursor() as cur:
        with pytest.raises(psycopg2.errors.UndefinedTable) as ei:
            cur.execute("select * from missing where id = %s", (1,))
        assert ei.value.pgcode == "42P01"
    conn.rollback()
    with conn.cursor() as cur:
        with pytest.raises(psycopg2.errors.SyntaxError) as ei:
            cur.execute("select * fro x")
        assert ei.value.pgcode == "42601"
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute("select %s", ("ok",))
        assert cur.fetchone() == ("ok",)


def test_commit_and_rollback(items, conninfo):
    conn = items
    other = psycopg2.connect(**conninfo)
    try:
        with conn.cursor() as cur:
            cur.execute("insert into items (id, name) values (%s, %s)", (1, "committed"))
        conn.commit()
        with conn.cursor() as cur:
            cur.execute("insert into items (id, name) values (%s, %s)", (2, "rolled back"))
            cur.execute("select count(*) from items")
            assert cur.fetchone() == (2,)
        conn.rollback()
        with other.cursor() as cur:
            cur.execute("select id, name from items order by id")
            assert cur.fetchall() == [(1, "committed")]
        other.rollback()
        with conn.cursor() as cur:
            cur.execute("select count(*) from items")
            assert cur.fetchone() == (1,)
    finally:
        other.close()


def test_context_manager_transaction(items):
    conn = items
    with pytest.raises(psycopg2.errors.UniqueViolation):
        with conn:
            with conn.cursor() as cur:
                cur.execute("insert into items (id) values (1)")
                cur.execute("insert into items (id) values (1)")
    with conn:
        with conn.cursor() as cur:
            cur.execute("insert into items (id) values (2)")
    with conn.cursor() as cur:
        cur.execute("select id from items")
        assert cur.fetchall() == [(2,)]


def test_autocommit(items, conninfo):
    conn = items
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("insert into items (id, name) values (1, 'auto')")
    assert conn.get_transaction_status() == ext.TRANSACTION_STATUS_IDLE
    other = psycopg2.connect(**conninfo)
    try:
        with other.cursor() as cur:
            cur.execute("select name from items")
            assert cur.fetchone() == ("auto",)
    finally:
        other.close()


def test_savepoints(items):
    conn = items
    with conn.cursor() as cur:
        cur.execute("insert into items (id) values (1)")
        cur.execute("savepoint sp1")
        cur.execute("insert into items (id) values (2)")
        with pytest.raises(psycopg2.errors.UniqueViolation):
            cur.execute("insert into items (id) values (1)")
        cur.execute("rollback to savepoint sp1")
        cur.execute("insert into items (id) values (3)")
        cur.execute("release savepoint sp1")
    conn.commit()
    with conn.cursor() as cur:
        cur.execute("select id from items order by id")
        assert cur.fetchall() == [(1,), (3,)]


def test_more_types(conn):
    import uuid

    import psycopg2.extras

    psycopg2.extras.register_uuid(conn_or_curs=conn)
    tz = dt.datetime(2024, 5, 6, 7, 8, 9, 10, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    with conn.cursor() as cur:
        cur.execute(
            "create table m (id integer primary key, d date, t time, tz timestamptz, u uuid,"
            " j json, jb jsonb, r real, v varchar(5))"
        )
        cur.execute(
            "insert into m values (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (1, dt.date(2024, 2, 29), dt.time(13, 14, 15), tz, uuid.UUID(int=5),
             psycopg2.extras.Json({"a": 1}), psycopg2.extras.Json([1, 2]), 0.25, "abc"),
        )
        cur.execute("select d, t, tz, u, j, jb, r, v from m")
        assert [d.type_code for d in cur.description] == [1082, 1083, 1184, 2950, 114, 3802, 700, 1043]
        row = cur.fetchone()
    assert row[:2] == (dt.date(2024, 2, 29), dt.time(13, 14, 15))
    assert row[2] == tz  # the same instant
    assert row[3:] == (uuid.UUID(int=5), {"a": 1}, [1, 2], 0.25, "abc")


def test_timestamptz_literal_in_session_timezone(conn):
    tz = dt.datetime(2024, 5, 6, 7, 8, 9, 10, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    with conn.cursor() as cur:
        cur.execute("create table m (id integer primary key, tz timestamptz)")
        cur.execute("insert into m values (1, %s)", (tz,))
        cur.execute("select tz from m")
        got = cur.fetchone()[0]
    assert got == tz
    assert got.utcoffset() == dt.timedelta(0)


def test_interval_literal(conn):
    with conn.cursor() as cur:
        cur.execute("select %s", (dt.timedelta(days=1, seconds=3),))
        assert cur.description[0].type_code == 1186
        assert cur.fetchone()[0] == dt.timedelta(days=1, seconds=3)


def test_numeric_scale(items):
    with items.cursor() as cur:
        cur.execute("insert into items (id, amount) values (1, %s), (2, %s)", (Decimal("-0.50"), 3))
        cur.execute("select amount from items order by id")
        assert [str(r[0]) for r in cur.fetchall()] == ["-0.50", "3.00"]


def test_comparison_with_cast_is_bool(conn):
    with conn.cursor() as cur:
        cur.execute("select 1::int = 1, 'x'::text = 'x'")
        assert cur.fetchone() == (True, True)
        cur.execute("select '2024-01-01'::date < '2024-01-02'::date")
        assert cur.description[0].type_code == 16
        assert cur.fetchone() == (True,)


def test_list_param_any(items):
    with items.cursor() as cur:
        cur.execute("insert into items (id) values (1), (2), (3)")
        cur.execute("select id from items where id = any(%s) order by id", ([1, 3],))
        assert cur.fetchall() == [(1,), (3,)]


def test_named_cursor(items):
    """psycopg2's named cursor: DECLARE "c" CURSOR WITHOUT HOLD FOR ..., FETCH FORWARD n."""
    conn = items
    with conn.cursor() as cur:
        cur.execute("insert into items (id, name) values (1, 'a'), (2, 'b'), (3, 'c')")
    with conn.cursor(name="named") as cur:
        cur.itersize = 2
        cur.execute("select id, name from items where id > %s order by id", (0,))
        assert cur.fetchone() == (1, "a")
        assert cur.fetchmany(5) == [(2, "b"), (3, "c")]
        assert cur.fetchall() == []
    conn.commit()


def test_copy_expert_and_copy_from(items):
    import io

    conn = items
    with conn.cursor() as cur:
        cur.copy_from(io.StringIO("1\tone\n2\t\\N\n"), "items", columns=("id", "name"))
        assert cur.rowcount == 2
        cur.copy_expert("copy items (id, name) from stdin with (format csv)", io.StringIO('3,"x,y"\n'))
        out = io.StringIO()
        cur.copy_expert("copy (select id, name from items order by id) to stdout with csv header", out)
    conn.commit()
    assert out.getvalue() == 'id,name\n1,one\n2,\n3,"x,y"\n'
