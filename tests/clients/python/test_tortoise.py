"""Tortoise ORM 1.1 unmodified (issue 10), on asyncpg: its migrations (makemigrations,
migrate, a second migration adding a column, downgrade one step and to zero) through
its own command line, then models, CRUD, filters across a relation, annotations,
prefetching, a rolled-back transaction, update and cascading delete. Every expectation
is PostgreSQL 15's answer (the suite runs on it with PYCLIENTS_CREATE_DB)."""

import asyncio
import datetime
import decimal
import os
import subprocess
import sys
import textwrap

MODELS = """
from tortoise import fields, models


class Author(models.Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    born = fields.DateField(null=True)
    created = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "author"


class Book(models.Model):
    id = fields.IntField(primary_key=True)
    author = fields.ForeignKeyField("models.Author", related_name="books", on_delete=fields.CASCADE)
    title = fields.CharField(max_length=200, db_index=True)
    price = fields.DecimalField(max_digits=10, decimal_places=2)
    meta = fields.JSONField(null=True)
{extra}
    class Meta:
        table = "book"
"""

SETTINGS = """
TORTOISE_ORM = {{
    "connections": {{"default": {url!r}}},
    "apps": {{"models": {{"models": ["tt_models"], "default_connection": "default",
                          "migrations": "tt_migrations"}}}},
}}
"""


def tortoise(tmp_path, *args):
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "tortoise", "-c", "tt_settings.TORTOISE_ORM", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, f"tortoise {args}: {done.stdout}\n{done.stderr}"
    return done.stdout


def columns(url, table):
    async def read():
        import asyncpg

        c = await asyncpg.connect(url.replace("asyncpg://", "postgresql://"))
        try:
            rows = await c.fetch(
                "select column_name from information_schema.columns "
                "where table_name = $1 order by ordinal_position", table)
            return [r[0] for r in rows]
        finally:
            await c.close()

    return asyncio.run(read())


def test_tortoise_migrations_and_models(tmp_path, host, port, dbname, user):
    url = f"asyncpg://{user}@{host}:{port}/{dbname}"
    (tmp_path / "tt_settings.py").write_text(SETTINGS.format(url=url))
    (tmp_path / "tt_models.py").write_text(MODELS.format(extra=""))
    tortoise(tmp_path, "init")
    tortoise(tmp_path, "makemigrations")
    tortoise(tmp_path, "migrate")
    assert columns(url, "book") == ["id", "title", "price", "meta", "author_id"]

    # A second migration: a nullable column, applied, then undone one step.
    extra = "    pages = fields.IntField(null=True)\n"
    (tmp_path / "tt_models.py").write_text(MODELS.format(extra=extra))
    tortoise(tmp_path, "makemigrations")
    tortoise(tmp_path, "migrate")
    assert "pages" in columns(url, "book")
    history = tortoise(tmp_path, "history")
    assert "0001_initial" in history and "0002" in history

    sys.path.insert(0, str(tmp_path))
    try:
        asyncio.run(use_models(url))
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("tt_models", None)

    tortoise(tmp_path, "downgrade", "models", "0001_initial")
    assert "pages" not in columns(url, "book")
    tortoise(tmp_path, "downgrade", "models")
    assert columns(url, "book") == []


async def use_models(url):
    from tortoise import Tortoise, transactions
    from tortoise.functions import Count, Sum

    import tt_models as m

    await Tortoise.init(db_url=url, modules={"models": ["tt_models"]})
    try:
        a = await m.Author.create(name="Ann", born=datetime.date(1970, 1, 2))
        await m.Book.create(author=a, title="X", price=decimal.Decimal("9.99"), meta={"k": [1, 2]}, pages=10)
        await m.Book.create(author=a, title="Y", price=decimal.Decimal("10.01"))
        books = await m.Book.filter(price__gt=5, author__name="Ann").order_by("title")
        assert [(b.title, b.price, b.meta, b.pages) for b in books] == [
            ("X", decimal.Decimal("9.99"), {"k": [1, 2]}, 10),
            ("Y", decimal.Decimal("10.01"), None, None),
        ]
        counted = await m.Author.annotate(n=Count("books"), total=Sum("books__price")).values("name", "n", "total")
        assert counted == [{"name": "Ann", "n": 2, "total": decimal.Decimal("20.00")}]
        try:
            async with transactions.in_transaction():
                await m.Book.create(author=a, title="Z", price=1)
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        assert await m.Book.all().count() == 2
        ann = await m.Author.get(name="Ann").prefetch_related("books")
        assert sorted(b.title for b in ann.books) == ["X", "Y"]
        assert ann.created.tzinfo is not None and ann.born == datetime.date(1970, 1, 2)
        await m.Book.filter(title="X").update(price=decimal.Decimal("8.50"))
        assert await m.Book.filter(title="X").values_list("price", flat=True) == [decimal.Decimal("8.50")]
        await m.Author.filter(name="Ann").delete()
        assert await m.Book.all().count() == 0
    finally:
        await Tortoise.close_connections()
