"""psycopg 3 against litewire.

psycopg 3 binds parameters on the server: a query with %s placeholders goes as
Parse/Bind/Describe/Execute/Sync with typed parameter OIDs (int → int2/int4/int8/numeric by
magnitude, str → unknown, float → float8, bool, bytes, datetime as binary; Decimal as
numeric text). Results are text unless cursor(binary=True).
"""

import datetime as dt
from decimal import Decimal

import psycopg
import pytest
from psycopg import errors, pq

from helpers import ITEMS_TABLE as TABLE


@pytest.fixture
def conn(conninfo):
    c = psycopg.connect(**conninfo)
    yield c
    c.close()


@pytest.fixture
def items(conn):
    conn.execute(TABLE)
    conn.commit()
    return conn


def test_connect(conn):
    assert conn.info.status == pq.ConnStatus.OK
    assert conn.info.encoding == "utf-8"
    assert conn.info.parameter_status("client_encoding") == "UTF8"
    assert conn.info.parameter_status("DateStyle").startswith("ISO")
    assert conn.info.server_version >= 100000
    assert conn.execute("select 1 + 1").fetchone()[0] == 2
    # psycopg opened a transaction for that select (autocommit is off).
    assert conn.info.transaction_status == pq.TransactionStatus.INTRANS
    conn.rollback()
    assert conn.info.transaction_status == pq.TransactionStatus.IDLE


def test_type_info(conn):
    """psycopg's TypeInfo.fetch: pg_type with to_regtype() and oid::regtype::text."""
    from psycopg.types import TypeInfo

    info = TypeInfo.fetch(conn, "int4")
    assert (info.name, info.oid, info.array_oid, info.regtype) == ("int4", 23, 1007, "integer")
    info = TypeInfo.fetch(conn, "character varying")
    assert (info.oid, info.array_oid) == (1043, 1015)
    assert TypeInfo.fetch(conn, "hstore") is None


def test_list_param_any(items):
    """A Python list is bound as an array (binary int2[] / text[]): `= ANY(%s)`."""
    conn = items
    conn.execute("insert into items (id, name) values (1, 'a'), (2, 'b'), (3, 'c d')")
    got = conn.execute("select id from items where id = any(%s) order by id", ([1, 3],)).fetchall()
    assert got == [(1,), (3,)]
    got = conn.execute("select id from items where name = any(%s) order by id", (["c d", "b"],)).fetchall()
    assert got == [(2,), (3,)]
    got = conn.execute("select id from items where id <> all(%s) order by id", ([2],)).fetchall()
    assert got == [(1,), (3,)]


def test_crud_server_side_binding(items):
    conn = items
    ts = dt.datetime(2024, 1, 2, 3, 4, 5, 123456)
    row = (1, "it's a \"name\"", 2.5, True, b"\x00\x01\xff", ts, Decimal("12.34"), 2**40)
    cur = conn.execute(
        "insert into items (id, name, score, ok, data, ts, amount, big)"
        " values (%s, %s, %s, %s, %s, %s, %s, %s)",
        row,
    )
    assert cur.rowcount == 1
    assert cur.statusmessage == "INSERT 0 1"
    conn.execute(
        "insert into items (id, name, score, ok, data, ts, amount, big)"
        " values (%s, %s, %s, %s, %s, %s, %s, %s)",
        (2, "second", -0.125, False, b"", ts.replace(microsecond=0), Decimal("-1.50"), -(2**62)),
    )
    conn.commit()

    got = conn.execute(
        "select id, name, score, ok, data, ts, amount, big from items where id = %s", (1,)
    ).fetchone()
    assert got == row
    assert [type(v) for v in got] == [int, str, float, bool, bytes, dt.datetime, Decimal, int]

    got = conn.execute("select * from items where id = %s", (2,)).fetchone()
    assert got[1:] == ("second", -0.125, False, b"", ts.replace(microsecond=0), Decimal("-1.50"), -(2**62))

    cur = conn.execute("update items set name = %s, score = score * %s where id >= %s", ("upd", 2.0, 1))
    assert cur.rowcount == 2
    assert conn.execute("select name, score from items order by id").fetchall() == [
        ("upd", 5.0),
        ("upd", -0.25),
    ]
    cur = conn.execute("delete from items where id = %s", (2,))
    assert cur.rowcount == 1
    conn.commit()
    assert conn.execute("select count(*) from items").fetchone()[0] == 1


def test_param_types_by_magnitude(items):
    """psycopg sends 1 as int2, 100000 as int4, 2**40 as int8 and 2**70 as numeric."""
    conn = items
    for i, big in enumerate([1, 100_000, 2**40, -(2**63)]):
        conn.execute("insert into items (id, big) values (%s, %s)", (i, big))
    assert conn.execute("select big from items order by id").fetchall() == [
        (1,),
        (100_000,),
        (2**40,),
        (-(2**63),),
    ]
    assert conn.execute("select id from items where big = %s", (2**40,)).fetchone() == (2,)


def test_query_params_in_expressions(conn):
    assert conn.execute("select %s || %s", ("ab", "cd")).fetchone()[0] == "abcd"
    assert conn.execute("select upper(%s)", ("x'y",)).fetchone()[0] == "X'Y"
    assert conn.execute("select length(%s)", (b"\x00\x01\x02",)).fetchone()[0] == 3
    assert conn.execute("select %s::integer * 2", (21,)).fetchone()[0] == 42


def test_arithmetic_on_typed_params(conn):
    cur = conn.execute("select %s + %s", (2, 3))
    assert cur.description[0].type_code in (21, 23, 20)
    assert cur.fetchone()[0] == 5
    assert conn.execute("select %s * 2", (21,)).fetchone()[0] == 42


def test_nulls(items):
    conn = items
    conn.execute(
        "insert into items (id, name, score, ok, data, ts, amount, big)"
        " values (%s, %s, %s, %s, %s, %s, %s, %s)",
        (1, None, None, None, None, None, None, None),
    )
    conn.execute("insert into items (id, name) values (%s, %s)", (2, "x"))
    assert conn.execute("select * from items where id = %s", (1,)).fetchone() == (1,) + (None,) * 7
    assert conn.execute("select id from items where name is null").fetchall() == [(1,)]
    assert conn.execute("select coalesce(name, %s) from items order by id", ("dflt",)).fetchall() == [
        ("dflt",),
        ("x",),
    ]
    cur = conn.execute("update items set name = %s where id = %s", (None, 2))
    assert cur.rowcount == 1
    assert conn.execute("select count(*) from items where name is null").fetchone()[0] == 2


def test_binary_results(items):
    conn = items
    ts = dt.datetime(1999, 12, 31, 23, 59, 58, 500000)
    conn.execute(
        "insert into items (id, name, score, ok, data, ts, amount, big)"
        " values (%s, %s, %s, %s, %s, %s, %s, %s)",
        (7, "héllo", 1e-3, True, b"\xde\xad\xbe\xef", ts, Decimal("99.99"), 2**33),
    )
    conn.execute("insert into items (id, ok) values (8, false)")
    cur = conn.cursor(binary=True)
    cur.execute("select id, name, score, ok, data, ts, big from items order by id")
    assert [d.type_code for d in cur.description] == [23, 25, 701, 16, 17, 1114, 20]
    assert cur.pgresult.fformat(0) == 1
    rows = cur.fetchall()
    assert rows[0] == (7, "héllo", 1e-3, True, b"\xde\xad\xbe\xef", ts, 2**33)
    assert [type(v) for v in rows[0]] == [int, str, float, bool, bytes, dt.datetime, int]
    assert rows[1] == (8, None, None, False, None, None, None)
    # With parameters too (extended protocol), and a parameterized where clause.
    cur.execute("select name, data from items where id = %s", (7,))
    assert cur.fetchone() == ("héllo", b"\xde\xad\xbe\xef")


def test_binary_results_numeric(items):
    conn = items
    conn.execute("insert into items (id, amount) values (%s, %s)", (1, Decimal("12.50")))
    cur = conn.cursor(binary=True)
    cur.execute("select amount from items where id = %s", (1,))
    assert cur.description[0].type_code == 1700
    assert cur.fetchone()[0] == Decimal("12.50")


def test_executemany(items):
    conn = items
    rows = [(i, f"name {i}", i / 4, i % 2 == 0, bytes([i]), None, Decimal(i), i * 1000) for i in range(1, 21)]
    with conn.cursor() as cur:
        cur.executemany(
            "insert into items (id, name, score, ok, data, ts, amount, big)"
            " values (%s, %s, %s, %s, %s, %s, %s, %s)",
            rows,
        )
        assert cur.rowcount == 20
    conn.commit()
    assert conn.execute("select count(*), sum(big) from items").fetchone() == (20, 210_000)
    assert conn.execute("select name, ok, data from items where id = %s", (4,)).fetchone() == (
        "name 4",
        True,
        b"\x04",
    )


def test_executemany_returning(items):
    conn = items
    with conn.cursor() as cur:
        cur.executemany(
            "insert into items (id, name) values (%s, %s) returning id, name",
            [(1, "a"), (2, "b"), (3, "c")],
            returning=True,
        )
        got = []
        while True:
            got.append(cur.fetchone())
            if not cur.nextset():
                break
    assert got == [(1, "a"), (2, "b"), (3, "c")]


def test_pipeline(items):
    conn = items
    with conn.pipeline() as p:
        c1 = conn.execute("insert into items (id, name) values (%s, %s)", (1, "one"))
        c2 = conn.execute("insert into items (id, name) values (%s, %s)", (2, "two"))
        c3 = conn.execute("select name from items where id = %s", (2,))
        c4 = conn.execute("select count(*) from items")
        p.sync()
        assert c3.fetchone() == ("two",)
        assert c4.fetchone() == (2,)
    assert c1.rowcount == 1 and c2.rowcount == 1
    conn.commit()
    assert conn.execute("select id, name from items order by id").fetchall() == [(1, "one"), (2, "two")]


def test_pipeline_error_recovers(items):
    conn = items
    conn.autocommit = True
    conn.execute("insert into items (id, name) values (1, 'x')")
    with pytest.raises(errors.UniqueViolation):
        with conn.pipeline():
            conn.execute("insert into items (id, name) values (%s, %s)", (2, "ok"))
            conn.execute("insert into items (id, name) values (%s, %s)", (1, "dup"))
            conn.execute("insert into items (id, name) values (%s, %s)", (3, "skipped"))
    # The statements of the failed pipeline batch ran in one implicit transaction.
    assert conn.execute("select id from items order by id").fetchall() == [(1,)]


def test_prepared_after_threshold(items):
    conn = items
    assert conn.prepare_threshold == 5
    conn.cursor().executemany("insert into items (id, name) values (%s, %s)", [(i, f"n{i}") for i in range(10)])
    query = "select name from items where id = %s"
    for i in range(10):
        assert conn.execute(query, (i,)).fetchone() == (f"n{i}",)
    # psycopg prepared it as a named statement after 5 uses and used it since.
    prepared = conn._prepared  # internal, but the only way to see it from the client
    assert any(k[0] == query.replace("%s", "$1").encode() for k in prepared._names)
    conn.commit()
    # Named statements survive the commit and keep working.
    assert conn.execute(query, (9,)).fetchone() == ("n9",)


def test_prepare_true(items):
    conn = items
    conn.execute("insert into items (id, name, score) values (1, 'a', 1.5), (2, 'b', 2.5)")
    q = "select name, score from items where id = %s"
    assert conn.execute(q, (1,), prepare=True).fetchone() == ("a", 1.5)
    assert conn.execute(q, (2,), prepare=True).fetchone() == ("b", 2.5)
    assert conn.execute(q, (3,), prepare=True).fetchone() is None
    # A prepared write.
    ins = "insert into items (id, name) values (%s, %s)"
    for i in range(3, 6):
        assert conn.execute(ins, (i, f"p{i}"), prepare=True).rowcount == 1
    conn.commit()
    assert conn.execute("select count(*) from items").fetchone()[0] == 5


def test_prepared_binary_and_deallocate(items):
    conn = items
    conn.execute("insert into items (id, name, ok) values (1, 'a', true)")
    cur = conn.cursor(binary=True)
    for _ in range(7):
        assert cur.execute("select id, name, ok from items where id = %s", (1,)).fetchone() == (1, "a", True)
    conn.execute("deallocate all")
    # psycopg forgets its statements on DEALLOCATE ALL and prepares again.
    for _ in range(7):
        assert cur.execute("select id, name, ok from items where id = %s", (1,)).fetchone() == (1, "a", True)


def test_error_unique_violation(items):
    conn = items
    conn.execute("insert into items (id, name) values (%s, %s)", (1, "a"))
    conn.commit()
    with pytest.raises(errors.UniqueViolation) as ei:
        conn.execute("insert into items (id, name) values (%s, %s)", (1, "dup"))
    assert ei.value.sqlstate == "23505"
    assert conn.info.transaction_status == pq.TransactionStatus.INERROR
    with pytest.raises(errors.InFailedSqlTransaction) as ei:
        conn.execute("select 1")
    assert ei.value.sqlstate == "25P02"
    conn.rollback()
    assert conn.execute("select name from items where id = %s", (1,)).fetchone() == ("a",)


def test_error_undefined_table(conn):
    with pytest.raises(errors.UndefinedTable) as ei:
        conn.execute("select * from no_such_table")
    assert ei.value.sqlstate == "42P01"
    conn.rollback()
    # Same through the extended protocol.
    with pytest.raises(errors.UndefinedTable) as ei:
        conn.execute("select * from no_such_table where id = %s", (1,))
    assert ei.value.sqlstate == "42P01"
    conn.rollback()
    assert conn.execute("select %s", ("still here",)).fetchone() == ("still here",)


def test_error_syntax(conn):
    with pytest.raises(errors.SyntaxError) as ei:
        conn.execute("selec 1")
    assert ei.value.sqlstate == "42601"
    conn.rollback()
    with pytest.raises(errors.SyntaxError) as ei:
        conn.execute("select from from where %s", (1,))
    assert ei.value.sqlstate == "42601"
    conn.rollback()
    assert conn.execute("select 42").fetchone() == (42,)


def test_error_in_autocommit(items):
    conn = items
    conn.autocommit = True
    conn.execute("insert into items (id) values (1)")
    with pytest.raises(errors.UniqueViolation):
        conn.execute("insert into items (id) values (%s)", (1,))
    # No rollback needed in autocommit mode.
    assert conn.info.transaction_status == pq.TransactionStatus.IDLE
    assert conn.execute("select count(*) from items").fetchone() == (1,)


def test_commit_persists(items, conninfo):
    conn = items
    conn.execute("insert into items (id, name) values (%s, %s)", (1, "kept"))
    with psycopg.connect(**conninfo) as other:
        # Not committed yet: invisible elsewhere.
        assert other.execute("select count(*) from items").fetchone() == (0,)
        other.rollback()
        conn.commit()
        assert other.execute("select name from items").fetchall() == [("kept",)]


def test_rollback_discards(items):
    conn = items
    conn.execute("insert into items (id, name) values (%s, %s)", (1, "gone"))
    assert conn.execute("select count(*) from items").fetchone() == (1,)
    conn.rollback()
    assert conn.execute("select count(*) from items").fetchone() == (0,)


def test_transaction_blocks_nested(items, conninfo):
    conn = items
    conn.autocommit = True
    with conn.transaction():
        conn.execute("insert into items (id, name) values (%s, %s)", (1, "outer"))
        with conn.transaction():
            conn.execute("insert into items (id, name) values (%s, %s)", (2, "inner kept"))
        with pytest.raises(errors.UniqueViolation):
            with conn.transaction():
                conn.execute("insert into items (id, name) values (%s, %s)", (3, "inner lost"))
                conn.execute("insert into items (id, name) values (%s, %s)", (1, "dup"))
        with conn.transaction() as tx:
            conn.execute("insert into items (id, name) values (%s, %s)", (4, "rolled back"))
            raise psycopg.Rollback(tx)
        assert conn.info.transaction_status == pq.TransactionStatus.INTRANS
    assert conn.info.transaction_status == pq.TransactionStatus.IDLE
    with psycopg.connect(**conninfo) as other:
        assert other.execute("select id, name from items order by id").fetchall() == [
            (1, "outer"),
            (2, "inner kept"),
        ]


def test_transaction_block_rollback_on_exception(items):
    conn = items
    conn.autocommit = True
    with pytest.raises(ZeroDivisionError):
        with conn.transaction():
            conn.execute("insert into items (id) values (%s)", (1,))
            1 / 0
    assert conn.execute("select count(*) from items").fetchone() == (0,)


def test_autocommit(items, conninfo):
    conn = items
    conn.autocommit = True
    conn.execute("insert into items (id, name) values (%s, %s)", (1, "auto"))
    assert conn.info.transaction_status == pq.TransactionStatus.IDLE
    with psycopg.connect(**conninfo, autocommit=True) as other:
        assert other.execute("select name from items").fetchone() == ("auto",)
        other.execute("begin")
        other.execute("insert into items (id, name) values (2, 'explicit')")
        assert other.info.transaction_status == pq.TransactionStatus.INTRANS
        other.execute("rollback")
    assert conn.execute("select count(*) from items").fetchone() == (1,)


def test_many_statements_simple_query(conn):
    """execute() without params may hold several statements (simple protocol)."""
    conn.autocommit = True
    cur = conn.execute("create table a (x integer); insert into a values (1); insert into a values (2)")
    tags = [cur.statusmessage]
    while cur.nextset():
        tags.append(cur.statusmessage)
    assert tags == ["CREATE TABLE", "INSERT 0 1", "INSERT 0 1"]
    assert conn.execute("select sum(x) from a").fetchone() == (3,)


def test_fetch_many_rows(items):
    conn = items
    conn.cursor().executemany(
        "insert into items (id, name) values (%s, %s)", [(i, "x" * (i % 50)) for i in range(2000)]
    )
    cur = conn.execute("select id, name from items where id >= %s order by id", (0,))
    assert cur.rowcount == 2000
    assert cur.fetchmany(3) == [(0, ""), (1, "x"), (2, "xx")]
    rest = cur.fetchall()
    assert len(rest) == 1997 and rest[-1] == (1999, "x" * (1999 % 50))


MORE_TYPES = (
    "create table more ("
    " id integer primary key, d date, t time, tz timestamptz, u uuid,"
    " j json, jb jsonb, r real, s smallint, v varchar(10))"
)


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_more_types_roundtrip(conn, binary):
    import uuid

    from psycopg.types.json import Json, Jsonb

    conn.execute(MORE_TYPES)
    tz = dt.datetime(2024, 5, 6, 7, 8, 9, 10, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    conn.execute(
        "insert into more values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (1, dt.date(2024, 2, 29), dt.time(13, 14, 15, 500), tz, uuid.UUID(int=5),
         Json({"a": [1, "x"]}), Jsonb([1, 2]), 1.5, 7, "abc"),
    )
    cur = conn.cursor(binary=binary)
    cur.execute("select d, t, tz, u, j, jb, r, s, v from more where id = %s", (1,))
    assert [d.type_code for d in cur.description] == [1082, 1083, 1184, 2950, 114, 3802, 700, 21, 1043]
    row = cur.fetchone()
    assert row[:2] == (dt.date(2024, 2, 29), dt.time(13, 14, 15, 500))
    assert row[2] == tz and row[2].utcoffset() == dt.timedelta(0)  # TimeZone is UTC
    assert row[3:] == (uuid.UUID(int=5), {"a": [1, "x"]}, [1, 2], 1.5, 7, "abc")


def test_interval_binary(conn):
    conn.execute("create table iv (id integer primary key, iv interval)")
    conn.execute("insert into iv values (1, '1 day 00:00:03')")
    # Text results work.
    assert conn.execute("select iv from iv where id = 1").fetchone() == (dt.timedelta(days=1, seconds=3),)
    conn.execute("insert into iv values (%s, %s)", (2, dt.timedelta(hours=5)))
    cur = conn.cursor(binary=True)
    assert cur.execute("select iv from iv order by id").fetchall() == [
        (dt.timedelta(days=1, seconds=3),),
        (dt.timedelta(hours=5),),
    ]


def test_server_side_cursor(items):
    conn = items
    conn.execute("insert into items (id, name) values (1, 'a'), (2, 'b'), (3, 'c')")
    with conn.cursor(name="srv") as cur:
        cur.itersize = 2
        cur.execute("select id, name from items order by id")
        assert [d.name for d in cur.description] == ["id", "name"]
        assert list(cur) == [(1, "a"), (2, "b"), (3, "c")]
    # Parameters travel with DECLARE; scroll() forward is a MOVE.
    with conn.cursor(name="with_params") as cur:
        cur.execute("select id from items where id >= %s order by id", (2,))
        cur.scroll(1)
        assert cur.fetchall() == [(3,)]
    conn.commit()


def test_server_side_cursor_needs_transaction(conn):
    conn.autocommit = True
    with pytest.raises(errors.NoActiveSqlTransaction):
        with conn.cursor(name="c") as cur:
            cur.execute("select 1")


def test_copy_from_stdin(items):
    conn = items
    with conn.cursor() as cur:
        with cur.copy("copy items (id, name) from stdin") as cp:
            cp.write_row((1, "a"))
            cp.write_row((2, None))
            cp.write_row((3, "tab\there\nnewline \\ back"))
    assert conn.execute("select id, name from items order by id").fetchall() == [
        (1, "a"),
        (2, None),
        (3, "tab\there\nnewline \\ back"),
    ]


def test_copy_typed_columns_and_out(items):
    conn = items
    rows = [
        (1, "x", 1.5, True, b"\x00\xff", dt.datetime(2024, 1, 2, 3, 4, 5), Decimal("1.25"), 2**40),
        (2, None, None, False, None, None, None, None),
    ]
    with conn.cursor() as cur:
        with cur.copy("copy items from stdin") as cp:
            for r in rows:
                cp.write_row(r)
        assert cur.rowcount == 2
    assert conn.execute("select * from items order by id").fetchall() == rows
    with conn.cursor() as cur:
        with cur.copy("copy items (id, ok, name) to stdout") as cp:
            got = [bytes(b) for b in cp]
    assert b"".join(got) == b"1\tt\tx\n2\tf\t\\N\n"


def test_copy_bad_row_rolls_back(items):
    conn = items
    with pytest.raises(errors.InvalidTextRepresentation):
        with conn.cursor() as cur:
            with cur.copy("copy items (id, name) from stdin") as cp:
                cp.write(b"1\ta\nnot-a-number\tb\n")
    conn.rollback()
    assert conn.execute("select count(*) from items").fetchone()[0] == 0


def test_edge_values(items):
    conn = items
    rows = [
        (1, "", float("inf"), b""),
        (2, "ünï😀 a\nb\tc\\d'e\"", float("-inf"), bytes(range(256)) * 1000),
        (3, "x" * 1_000_000, 1e300, b"\\"),
    ]
    for r in rows:
        conn.execute("insert into items (id, name, score, data) values (%s, %s, %s, %s)", r)
    for binary in (False, True):
        got = conn.cursor(binary=binary).execute("select id, name, score, data from items order by id").fetchall()
        assert got == rows
    assert conn.execute("select id from items where name = %s", (rows[1][1],)).fetchall() == [(2,)]


def test_float_nan(items):
    import math

    conn = items
    conn.execute("insert into items (id, score) values (%s, %s)", (1, float("nan")))
    got = conn.execute("select score from items where id = 1").fetchone()[0]
    assert got is not None and math.isnan(got)
