"""SQLAlchemy 2 (Core and ORM) over psycopg 3 against litewire.

On its first connection the PostgreSQL dialect initializes itself inside a transaction it
then rolls back: `select pg_catalog.version()`, `select current_schema()`,
`show transaction isolation level`, `show standard_conforming_strings`, then (psycopg) the
hstore type lookup on pg_type (skipped with use_native_hstore=False). create_all() first
asks pg_class whether each table exists (skipped with checkfirst=False).
"""

import datetime as dt
import os
import re

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError, ProgrammingError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from helpers import ON_POSTGRES

# A pre-created table whose integer primary key the server assigns: SQLite's rowid alias on
# litewire, a serial on PostgreSQL (when comparing, see conftest.py).
AUTO_ID = "serial primary key" if ON_POSTGRES else "integer primary key"

@pytest.fixture
def url(host, port, dbname, user):
    return f"postgresql+psycopg://{user}@{host}:{port}/{dbname}"


@pytest.fixture
def engine(url):
    """An engine without the hstore probe (a documented option of the dialect)."""
    e = create_engine(url, use_native_hstore=False, echo=bool(os.environ.get("SQLA_ECHO")))
    yield e
    e.dispose()


def test_dialect_initialize_default(url):
    e = create_engine(url)
    try:
        with e.connect() as c:
            assert c.execute(text("select 1")).scalar_one() == 1
        assert e.dialect.server_version_info >= (10,)
        assert e.dialect.default_schema_name == "public"
    finally:
        e.dispose()


def test_text_queries_with_bound_params(engine):
    with engine.begin() as c:
        c.execute(text("create table kv (k varchar(20) primary key, v integer, at timestamp)"))
        c.execute(
            text("insert into kv (k, v, at) values (:k, :v, :at)"),
            [
                {"k": "a", "v": 1, "at": dt.datetime(2024, 1, 1, 12, 0)},
                {"k": "b", "v": 2, "at": None},
                {"k": "it's", "v": 3, "at": None},
            ],
        )
    with engine.connect() as c:
        rows = c.execute(text("select k, v from kv where v >= :min order by v"), {"min": 2}).all()
        assert [tuple(r) for r in rows] == [("b", 2), ("it's", 3)]
        assert c.execute(text("select at from kv where k = :k"), {"k": "a"}).scalar_one() == dt.datetime(
            2024, 1, 1, 12, 0
        )
        assert c.execute(text("select count(*) from kv")).scalar_one() == 3
        r = c.execute(text("update kv set v = v + 10 where k = :k"), {"k": "a"})
        assert r.rowcount == 1
        c.rollback()
        assert c.execute(text("select v from kv where k = 'a'")).scalar_one() == 1


def test_errors_and_rollback(engine):
    with engine.begin() as c:
        c.execute(text("create table u (id integer primary key)"))
        c.execute(text("insert into u values (1)"))
    with engine.connect() as c:
        with pytest.raises(IntegrityError) as ei:
            c.execute(text("insert into u values (:id)"), {"id": 1})
        assert ei.value.orig.sqlstate == "23505"
        c.rollback()
        with pytest.raises(ProgrammingError) as ei:
            c.execute(text("select * from missing"))
        assert ei.value.orig.sqlstate == "42P01"
        c.rollback()
        assert c.execute(text("select count(*) from u")).scalar_one() == 1


metadata = MetaData()
things = Table(
    "things",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(50), nullable=False),
    Column("score", Float),
    Column("ok", Boolean),
    Column("data", LargeBinary),
    Column("at", DateTime),
)


def _use_things(engine):
    rows = [
        {"id": 1, "name": "one", "score": 1.5, "ok": True, "data": b"\x00\x01", "at": dt.datetime(2024, 5, 6, 7, 8, 9)},
        {"id": 2, "name": "two", "score": None, "ok": False, "data": None, "at": None},
    ]
    with engine.begin() as c:
        c.execute(insert(things), rows)
    with engine.connect() as c:
        got = [r._asdict() for r in c.execute(select(things).order_by(things.c.id))]
        assert got == rows
        assert c.execute(select(func.count()).select_from(things)).scalar_one() == 2
        c.execute(update(things).where(things.c.id == 2).values(score=things.c.id * 2.5))
        c.commit()
        assert c.execute(select(things.c.score).where(things.c.id == 2)).scalar_one() == 5.0


def test_metadata_create_all(engine):
    metadata.create_all(engine)
    _use_things(engine)
    # A second create_all finds the table and does nothing.
    metadata.create_all(engine)
    assert inspect(engine).has_table("things")


def test_inspector_catalog(engine):
    """Reflection through pg_class / pg_namespace / pg_type, as the dialect queries them."""
    metadata.create_all(engine)
    insp = inspect(engine)
    assert insp.get_table_names() == ["things"]
    assert insp.has_table("things") and not insp.has_table("nothing_here")
    assert "public" in insp.get_schema_names()


def _without_casts(sql):
    """A CHECK's text without PostgreSQL's deparsed casts (`0::numeric`): litewire gives
    the expression as written (COMPAT.md, System catalog: pg_constraint)."""
    return re.sub(r"::[a-z ]+", "", sql) if sql else sql


def test_inspector_keys_indexes_and_checks(engine):
    """The Inspector's reflection of keys, indexes and constraints (pg_index's int2vector
    indkey through unnest / generate_subscripts, pg_constraint's conkey, CHECKs)."""
    with engine.begin() as c:
        c.execute(text(
            "create table parent (id integer primary key, code varchar(10) unique, "
            "n numeric(6,2) check (n > 0))"))
        c.execute(text(
            "create table child (a integer, b integer, "
            "pid integer references parent(id) on delete cascade, "
            "name text not null default 'x', primary key (a, b), "
            "constraint uq_name unique (name, pid), constraint ck_ab check (a < b))"))
        c.execute(text("create index ix_child_name on child (name)"))
        c.execute(text("create unique index ux_child_b on child (b desc)"))
    insp = inspect(engine)
    assert insp.get_table_names() == ["parent", "child"]
    cols = [(c["name"], str(c["type"]), c["nullable"], c["default"])
            for c in insp.get_columns("child")]
    assert cols == [("a", "INTEGER", False, None), ("b", "INTEGER", False, None),
                    ("pid", "INTEGER", True, None), ("name", "TEXT", False, "'x'::text")]
    assert all("computed" not in c and "identity" not in c for c in insp.get_columns("child"))
    assert [str(c["type"]) for c in insp.get_columns("parent")] == [
        "INTEGER", "VARCHAR(10)", "NUMERIC(6, 2)"]
    assert insp.get_pk_constraint("child") == {
        "constrained_columns": ["a", "b"], "name": "child_pkey", "comment": None,
        "dialect_options": {"postgresql_include": []}}
    assert insp.get_pk_constraint("parent")["constrained_columns"] == ["id"]
    assert insp.get_foreign_keys("child") == [{
        "name": "child_pid_fkey", "constrained_columns": ["pid"], "referred_schema": None,
        "referred_table": "parent", "referred_columns": ["id"],
        "options": {"ondelete": "CASCADE"}, "comment": None}]
    assert insp.get_foreign_keys("parent") == []
    indexes = {i["name"]: i for i in insp.get_indexes("child")}
    assert sorted(indexes) == ["ix_child_name", "uq_name", "ux_child_b"]
    assert (indexes["ix_child_name"]["column_names"], indexes["ix_child_name"]["unique"]) == (
        ["name"], False)
    assert indexes["uq_name"]["column_names"] == ["name", "pid"]
    assert indexes["uq_name"]["duplicates_constraint"] == "uq_name"
    assert indexes["ux_child_b"]["unique"]
    assert indexes["ux_child_b"]["column_sorting"] == {"b": ("desc",)}
    assert [u["name"] for u in insp.get_unique_constraints("parent")] == ["parent_code_key"]
    uniques = insp.get_unique_constraints("child")
    assert [(u["name"], u["column_names"]) for u in uniques] == [("uq_name", ["name", "pid"])]
    checks = [(c["name"], _without_casts(c["sqltext"]))
              for c in insp.get_check_constraints("parent") + insp.get_check_constraints("child")]
    assert checks == [("parent_n_check", "n > 0"), ("ck_ab", "a < b")]


def test_metadata_create_all_checkfirst_false(engine):
    """create_all without the catalog lookup: only CREATE TABLE is sent."""
    metadata.create_all(engine, checkfirst=False)
    _use_things(engine)
    metadata.drop_all(engine, checkfirst=False)
    with engine.connect() as c:
        with pytest.raises(ProgrammingError) as ei:
            c.execute(select(things))
        assert ei.value.orig.sqlstate == "42P01"


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    active: Mapped[bool] = mapped_column(default=True)


def test_orm_session(engine):
    with engine.begin() as c:
        # Pre-created: SERIAL and catalogs are not needed; SQLite assigns integer primary keys.
        c.execute(text(f"create table users (id {AUTO_ID}, name varchar(50) not null, active boolean not null)"))
    with Session(engine) as s:
        s.add(User(name="alice"))
        s.commit()
        s.add_all([User(name="bob", active=False), User(name="carol")])
        s.commit()
        users = s.scalars(select(User).order_by(User.id)).all()
        assert [(u.id, u.name, u.active) for u in users] == [(1, "alice", True), (2, "bob", False), (3, "carol", True)]
        bob = s.get(User, 2)
        bob.name = "robert"
        s.commit()
    with Session(engine) as s:
        assert s.scalars(select(User.name).where(User.active.is_(False))).all() == ["robert"]
        s.delete(s.get(User, 1))
        s.flush()
        s.rollback()
        assert s.scalar(select(func.count()).select_from(User)) == 3


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(50))


def test_orm_add_all_batched_insert(engine):
    with engine.begin() as c:
        c.execute(text(f"create table notes (id {AUTO_ID}, body varchar(50) not null)"))
    with Session(engine) as s:
        notes = [Note(body=b) for b in ("x", "y", "z")]
        s.add_all(notes)
        s.commit()
        assert [n.id for n in notes] == [1, 2, 3]
        assert s.scalars(select(Note.body).order_by(Note.id)).all() == ["x", "y", "z"]


def test_orm_serial_from_create_all(engine):
    Note.metadata.create_all(engine, tables=[Note.__table__], checkfirst=False)
    with Session(engine) as s:
        s.add(Note(body="first"))
        s.commit()
        s.add(Note(body="second"))
        s.commit()
        assert s.execute(select(Note.id, Note.body).order_by(Note.id)).all() == [(1, "first"), (2, "second")]


# The same dialect over psycopg2 (client-side interpolation, simple protocol only).


@pytest.fixture
def url_psycopg2(host, port, dbname, user):
    return f"postgresql+psycopg2://{user}@{host}:{port}/{dbname}"


def test_psycopg2_dialect_default(url_psycopg2):
    e = create_engine(url_psycopg2)
    try:
        with e.connect() as c:
            assert c.execute(text("select :x"), {"x": "hello"}).scalar_one() == "hello"
        assert e.dialect.default_schema_name == "public"
    finally:
        e.dispose()


def test_psycopg2_core(url_psycopg2):
    e = create_engine(url_psycopg2, use_native_hstore=False)
    try:
        assert e.dialect.driver == "psycopg2"
        metadata.create_all(e, checkfirst=False)
        _use_things(e)
        with e.connect() as c:
            assert e.dialect.default_schema_name == "public"
            assert c.execute(
                select(things.c.name).where(things.c.name.in_(["one", "zzz"]))
            ).scalars().all() == ["one"]
    finally:
        e.dispose()
