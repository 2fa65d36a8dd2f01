"""asyncpg against litewire.

asyncpg uses the extended protocol with named statements (`__asyncpg_stmt_N__`), reads the
ParameterDescription to encode every argument in binary by the described type, and asks
for binary results. So the described types must be the real ones: the tables here
declare their column types.
"""

import asyncio
import datetime as dt
from decimal import Decimal

import asyncpg
import pytest


TABLE = (
    "create table items ("
    " id integer primary key,"
    " name text,"
    " score double precision,"
    " ok boolean,"
    " data bytea,"
    " n bigint,"
    " ts timestamp,"
    " amount numeric(10,2))"
)


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def connect(conninfo):
    """An async factory for connections to this test's database."""

    async def _connect(**kw):
        return await asyncpg.connect(
            host=conninfo["host"],
            port=conninfo["port"],
            database=conninfo["dbname"],
            user=conninfo["user"],
            **kw,
        )

    return _connect


async def _with_items(connect):
    c = await connect()
    await c.execute(TABLE)
    return c


def test_connect(connect):
    async def main():
        c = await connect()
        try:
            assert c.get_server_version().major >= 10
            assert c.get_settings().client_encoding == "UTF8"
            assert await c.fetchval("select 42") == 42
            assert not c.is_in_transaction()
        finally:
            await c.close()
        assert c.is_closed()

    run(main())


def test_fetch_with_args(connect):
    async def main():
        c = await _with_items(connect)
        try:
            ts = dt.datetime(2024, 1, 2, 3, 4, 5, 600000)
            status = await c.execute(
                "insert into items (id, name, score, ok, data, n, ts, amount)"
                " values ($1, $2, $3, $4, $5, $6, $7, $8)",
                1, "it's", 1.5, True, b"\x00\xff", 2**40, ts, Decimal("12.34"),
            )
            assert status == "INSERT 0 1"
            await c.execute(
                "insert into items (id, name, score, ok, data, n, ts, amount)"
                " values ($1, $2, $3, $4, $5, $6, $7, $8)",
                2, None, None, False, None, None, None, None,
            )
            rows = await c.fetch("select * from items where id >= $1 order by id", 1)
            assert len(rows) == 2
            assert tuple(rows[0]) == (1, "it's", 1.5, True, b"\x00\xff", 2**40, ts, Decimal("12.34"))
            assert dict(rows[1]) == dict(
                id=2, name=None, score=None, ok=False, data=None, n=None, ts=None, amount=None
            )
            assert list(rows[0].keys()) == ["id", "name", "score", "ok", "data", "n", "ts", "amount"]

            row = await c.fetchrow("select name, score from items where id = $1", 1)
            assert row["name"] == "it's" and row["score"] == 1.5
            assert await c.fetchrow("select name from items where id = $1", 99) is None
            assert await c.fetchval("select n from items where id = $1", 1) == 2**40
            assert await c.fetchval("select data from items where name = $1", "it's") == b"\x00\xff"
            assert await c.fetchval("select ok from items where id = $1", 2) is False
            assert await c.fetchval("select count(*) from items where ok = $1", True) == 1
            assert await c.fetchval("select ts from items where ts < $1", dt.datetime(2030, 1, 1)) == ts
            assert await c.fetchval("select id from items where score > $1", 1.0) == 1

            assert await c.execute("update items set name = $1 where id = $2", "upd", 2) == "UPDATE 1"
            assert await c.fetchval("select name from items where id = 2") == "upd"
            assert await c.execute("delete from items where id = $1", 1) == "DELETE 1"
            assert await c.fetchval("select count(*) from items") == 1
        finally:
            await c.close()

    run(main())


def test_fetchrow_many_rows_portal_suspended(connect):
    """fetchrow/fetchval execute with maxrows=1: PortalSuspended must come back."""

    async def main():
        c = await _with_items(connect)
        try:
            await c.executemany("insert into items (id, name) values ($1, $2)", [(i, f"n{i}") for i in range(5)])
            assert await c.fetchval("select name from items where id >= $1 order by id", 0) == "n0"
            row = await c.fetchrow("select id, name from items where id > $1 order by id desc", 0)
            assert tuple(row) == (4, "n4")
            # The connection is still in a clean state.
            assert await c.fetchval("select count(*) from items where id >= $1", 0) == 5
        finally:
            await c.close()

    run(main())


def test_array_param_any(connect):
    async def main():
        c = await _with_items(connect)
        try:
            await c.executemany("insert into items (id, name) values ($1, $2)", [(1, "a"), (2, "b"), (3, "c")])
            # asyncpg looks the array type up with its recursive pg_type query first.
            rows = await c.fetch("select id from items where id = any($1) order by id", [1, 3])
            assert [r["id"] for r in rows] == [1, 3]
            rows = await c.fetch("select id from items where name = any($1::text[]) order by id", ["c", None])
            assert [r["id"] for r in rows] == [3]
        finally:
            await c.close()

    run(main())


def test_typed_casts_in_params(connect):
    async def main():
        c = await connect()
        try:
            assert await c.fetchval("select $1::int + 1", 5) == 6
            assert await c.fetchval("select $1::text || 'x'", "a") == "ax"
            assert await c.fetchval("select $1::bigint", 2**50) == 2**50
            assert await c.fetchval("select $1::double precision * 2", 1.25) == 2.5
            assert await c.fetchval("select $1::boolean", True) is True
            assert await c.fetchval("select $1::bytea", b"\x01\x02") == b"\x01\x02"
            assert await c.fetchval("select $1", "untyped") == "untyped"
        finally:
            await c.close()

    run(main())


def test_untyped_param_in_arithmetic(connect):
    async def main():
        c = await connect()
        try:
            assert await c.fetchval("select $1 + 1", 1) == 2
        finally:
            await c.close()

    run(main())


def test_param_types_from_columns(connect):
    """Parameters compared with or inserted into typed columns get the column's type."""

    async def main():
        c = await _with_items(connect)
        try:
            stmt = await c.prepare(
                "insert into items (id, name, score, ok, data, n, ts, amount)"
                " values ($1, $2, $3, $4, $5, $6, $7, $8)"
            )
            assert [t.name for t in stmt.get_parameters()] == [
                "int4", "text", "float8", "bool", "bytea", "int8", "timestamp", "numeric",
            ]
            stmt = await c.prepare("select id, name from items where score > $1 and n = $2")
            assert [t.name for t in stmt.get_parameters()] == ["float8", "int8"]
            assert [(a.name, a.type.name) for a in stmt.get_attributes()] == [("id", "int4"), ("name", "text")]
        finally:
            await c.close()

    run(main())


def test_prepared_statements(connect):
    async def main():
        c = await _with_items(connect)
        try:
            ins = await c.prepare("insert into items (id, name, score) values ($1, $2, $3)")
            for i in range(10):
                await ins.fetch(i, f"name{i}", i * 1.5)
            sel = await c.prepare("select id, name, score from items where id = $1")
            for i in range(10):
                row = await sel.fetchrow(i)
                assert tuple(row) == (i, f"name{i}", i * 1.5)
            assert await sel.fetchrow(100) is None
            cnt = await c.prepare("select count(*) from items where score >= $1")
            assert await cnt.fetchval(0.0) == 10
            assert await cnt.fetchval(7.5) == 5
            # Statement caching: the same query text reuses its statement.
            for i in range(5):
                assert await c.fetchval("select name from items where id = $1", i) == f"name{i}"
        finally:
            await c.close()

    run(main())


def test_cursor_with_prefetch(connect):
    async def main():
        c = await _with_items(connect)
        try:
            await c.executemany("insert into items (id, name) values ($1, $2)", [(i, f"r{i}") for i in range(7)])
            got = []
            async with c.transaction():
                async for r in c.cursor("select id, name from items where id >= $1 order by id", 1, prefetch=2):
                    got.append((r["id"], r["name"]))
            assert got == [(i, f"r{i}") for i in range(1, 7)]

            async with c.transaction():
                cur = await c.cursor("select id from items order by id")
                assert [r[0] for r in await cur.fetch(3)] == [0, 1, 2]
                assert (await cur.fetchrow())[0] == 3
                assert [r[0] for r in await cur.fetch(10)] == [4, 5, 6]
                assert await cur.fetch(1) == []
        finally:
            await c.close()

    run(main())


def test_transactions(connect):
    async def main():
        c = await _with_items(connect)
        other = await connect()
        try:
            async with c.transaction():
                await c.execute("insert into items (id, name) values ($1, $2)", 1, "committed")
                assert c.is_in_transaction()
                # Not visible elsewhere before commit.
                assert await other.fetchval("select count(*) from items") == 0
            assert not c.is_in_transaction()
            assert await other.fetchval("select name from items where id = $1", 1) == "committed"

            with pytest.raises(RuntimeError):
                async with c.transaction():
                    await c.execute("insert into items (id, name) values ($1, $2)", 2, "lost")
                    raise RuntimeError("boom")
            assert await c.fetchval("select count(*) from items") == 1

            tr = c.transaction()
            await tr.start()
            await c.execute("insert into items (id, name) values ($1, $2)", 3, "rolled back")
            await tr.rollback()
            assert await c.fetchval("select count(*) from items") == 1

            # Nested transaction = savepoint.
            async with c.transaction():
                await c.execute("insert into items (id, name) values ($1, $2)", 4, "outer")
                with pytest.raises(asyncpg.UniqueViolationError):
                    async with c.transaction():
                        await c.execute("insert into items (id, name) values ($1, $2)", 5, "inner")
                        await c.execute("insert into items (id, name) values ($1, $2)", 1, "dup")
            assert await other.fetch("select id from items order by id") == [(1,), (4,)]
        finally:
            await c.close()
            await other.close()

    run(main())


def test_executemany(connect):
    async def main():
        c = await _with_items(connect)
        try:
            rows = [(i, f"m{i}", i / 8, i % 3 == 0, bytes([i]), i * 10**10) for i in range(100)]
            await c.executemany(
                "insert into items (id, name, score, ok, data, n) values ($1, $2, $3, $4, $5, $6)", rows
            )
            assert await c.fetchval("select count(*) from items") == 100
            assert [r["n"] for r in await c.fetch("select n from items order by id")] == [r[5] for r in rows]
            assert tuple(await c.fetchrow("select name, ok, data from items where id = $1", 99)) == (
                "m99", True, b"\x63",
            )
            # A failing executemany rolls back all its rows.
            with pytest.raises(asyncpg.UniqueViolationError):
                await c.executemany("insert into items (id) values ($1)", [(1000,), (1001,), (5,)])
            assert await c.fetchval("select count(*) from items where id >= $1", 1000) == 0
        finally:
            await c.close()

    run(main())


def test_errors(connect):
    async def main():
        c = await _with_items(connect)
        try:
            await c.execute("insert into items (id, name) values (1, 'a')")
            with pytest.raises(asyncpg.UniqueViolationError) as ei:
                await c.execute("insert into items (id, name) values ($1, $2)", 1, "dup")
            assert ei.value.sqlstate == "23505"
            with pytest.raises(asyncpg.UndefinedTableError) as ei:
                await c.fetch("select * from nope where id = $1", 1)
            assert ei.value.sqlstate == "42P01"
            with pytest.raises(asyncpg.UndefinedTableError):
                await c.execute("select * from nope")
            with pytest.raises(asyncpg.PostgresSyntaxError) as ei:
                await c.fetch("selec $1", 1)
            assert ei.value.sqlstate == "42601"
            # In a transaction: the block fails until rollback.
            tr = c.transaction()
            await tr.start()
            with pytest.raises(asyncpg.UniqueViolationError):
                await c.execute("insert into items (id) values ($1)", 1)
            with pytest.raises(asyncpg.InFailedSQLTransactionError) as ei:
                await c.fetchval("select count(*) from items where id = $1", 1)
            assert ei.value.sqlstate == "25P02"
            await tr.rollback()
            assert await c.fetchval("select name from items where id = $1", 1) == "a"
        finally:
            await c.close()

    run(main())


def test_simple_multi_statement_execute(connect):
    async def main():
        c = await connect()
        try:
            await c.execute(
                "create table a (x integer, y text); insert into a values (1, 'p'); insert into a values (2, 'q')"
            )
            assert await c.fetch("select x, y from a order by x") == [(1, "p"), (2, "q")]
        finally:
            await c.close()

    run(main())


def test_pool(connect, conninfo):
    async def main():
        c = await _with_items(connect)
        await c.close()
        pool = await asyncpg.create_pool(
            host=conninfo["host"], port=conninfo["port"], database=conninfo["dbname"],
            user=conninfo["user"], min_size=1, max_size=3,
        )
        try:
            async def work(i):
                async with pool.acquire() as conn:
                    await conn.execute("insert into items (id, name) values ($1, $2)", i, f"p{i}")
                    return await conn.fetchval("select name from items where id = $1", i)

            assert await asyncio.gather(*(work(i) for i in range(10))) == [f"p{i}" for i in range(10)]
            assert await pool.fetchval("select count(*) from items") == 10
        finally:
            await pool.close()

    run(main())


async def _expr_types(connect, queries):
    """Prepares each query; returns [(described result type, first value)]."""
    c = await connect()
    try:
        await c.execute(
            "create table s (id integer primary key, n bigint, x double precision, i integer);"
            "insert into s values (1, 10, 1.5, 3), (2, 20, 2.5, 4)"
        )
        out = []
        for q in queries:
            st = await c.prepare(q)
            out.append((st.get_attributes()[0].type.name, await st.fetchval()))
        return out
    finally:
        await c.close()


def test_expression_types(connect):
    """RowDescription types of expressions that litewire infers as PostgreSQL does."""
    got = run(_expr_types(connect, [
        "select 1",
        "select -1",
        "select count(*) from s",
        "select length('abc')",
        "select upper('a')",
        "select 'a' || 'b'",
        "select exists(select 1 from s)",
        "select id in (1, 2) from s where id = 1",
        "select cast(n as text) from s where id = 1",
        "select n from s where id = 2",
        "select now()",
    ]))
    now_type, now = got.pop()
    assert now_type == "timestamptz" and now.tzinfo is not None
    assert got == [
        ("int4", 1),
        ("int4", -1),
        ("int8", 2),
        ("int4", 3),
        ("text", "A"),
        ("text", "ab"),
        ("bool", True),
        ("bool", True),
        ("text", "10"),
        ("int8", 20),
    ]


def test_arithmetic_expression_types(connect):
    got = run(_expr_types(connect, [
        "select 40 + 2",
        "select 2 * 3",
        "select n + 1 from s where id = 1",
        "select i * 2 from s where id = 1",
        "select x / 2 from s where id = 1",
        "select 1.5 + 1",
    ]))
    assert got == [
        ("int4", 42),
        ("int4", 6),
        ("int8", 11),
        ("int4", 6),
        ("float8", 0.75),
        ("numeric", Decimal("2.5")),
    ]


def test_aggregate_types(connect):
    got = run(_expr_types(connect, [
        "select sum(i) from s",
        "select sum(n) from s",
        "select sum(x) from s",
        "select max(n) from s",
        "select min(i) from s",
        "select avg(i) from s",
    ]))
    assert got == [
        ("int8", 7),
        ("numeric", Decimal(30)),
        ("float8", 4.0),
        ("int8", 20),
        ("int4", 3),
        ("numeric", Decimal("3.5")),
    ]


def test_function_result_types(connect):
    got = run(_expr_types(connect, [
        "select abs(-3)",
        "select coalesce(n, 0) from s where id = 1",
        "select round(x) from s where id = 1",
    ]))
    assert got == [("int4", 3), ("int8", 10), ("float8", 2.0)]


def test_case_expression_type(connect):
    got = run(_expr_types(connect, ["select case when id = 1 then 'a' else 'b' end from s where id = 1"]))
    assert got == [("text", "a")]


def test_current_schema(connect):
    got = run(_expr_types(connect, ["select current_schema()"]))
    assert got == [("name", "public")]


def test_more_types(connect):
    import uuid

    async def main():
        c = await connect()
        try:
            await c.execute(
                "create table m (id integer primary key, d date, t time, tz timestamptz, u uuid,"
                " j json, jb jsonb, r real, s smallint, v varchar(5))"
            )
            tz = dt.datetime(2024, 5, 6, 7, 8, 9, 10, tzinfo=dt.timezone(dt.timedelta(hours=2)))
            st = await c.prepare("insert into m values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            assert [t.name for t in st.get_parameters()] == [
                "int4", "date", "time", "timestamptz", "uuid", "json", "jsonb", "float4", "int2", "varchar",
            ]
            await st.fetch(1, dt.date(2024, 2, 29), dt.time(13, 14, 15, 500), tz, uuid.UUID(int=7),
                           '{"a": 1}', "[1, 2]", 1.5, 7, "abc")
            r = await c.fetchrow("select d, t, tz, u, j, jb, r, s, v from m where id = $1", 1)
            assert tuple(r) == (dt.date(2024, 2, 29), dt.time(13, 14, 15, 500), tz, uuid.UUID(int=7),
                                '{"a": 1}', "[1, 2]", 1.5, 7, "abc")
            assert r["tz"].utcoffset() == dt.timedelta(0)
        finally:
            await c.close()

    run(main())


def test_interval(connect):
    async def main():
        c = await connect()
        try:
            await c.execute("create table iv (id integer primary key, iv interval)")
            await c.execute("insert into iv values ($1, $2)", 1, dt.timedelta(days=1, seconds=3))
            assert await c.fetchval("select iv from iv where id = $1", 1) == dt.timedelta(days=1, seconds=3)
        finally:
            await c.close()

    run(main())


def test_char_padding(connect):
    async def main():
        c = await connect()
        try:
            await c.execute("create table ch (id integer primary key, c char(3))")
            await c.execute("insert into ch values ($1, $2)", 1, "ab")
            assert await c.fetchval("select c from ch where id = $1", 1) == "ab "
        finally:
            await c.close()

    run(main())
