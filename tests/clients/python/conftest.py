"""Shared fixtures for the Python client suite.

The server is started by the Rust test `python_clients` (tests/it/clients.rs), which
passes its address in LITEWIRE_HOST / LITEWIRE_PORT. litewire creates a database file on
first connect, accepts any user name and needs no password, so every test gets a fresh
database of its own.
"""

import os
import re
import uuid

import pytest


@pytest.fixture(scope="session")
def host():
    return os.environ.get("LITEWIRE_HOST", "127.0.0.1")


@pytest.fixture(scope="session")
def port():
    value = os.environ.get("LITEWIRE_PORT")
    if not value:
        pytest.fail("LITEWIRE_PORT is not set (run through `cargo test --test it python_clients`)")
    return int(value)


@pytest.fixture
def dbname(request):
    """A database name unique to this test: py_<testname>_<random>."""
    base = re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:40]
    name = f"py_{base}_{uuid.uuid4().hex[:8]}"
    if os.environ.get("PYCLIENTS_CREATE_DB"):
        # Running the suite against a real PostgreSQL for comparison: it does not
        # create databases on connect, so create (and afterwards drop) it here.
        import psycopg

        admin = dict(
            host=os.environ.get("LITEWIRE_HOST", "127.0.0.1"),
            port=int(os.environ["LITEWIRE_PORT"]),
            dbname="postgres",
            user=os.environ.get("PYCLIENTS_ADMIN_USER", "postgres"),
            autocommit=True,
        )
        with psycopg.connect(**admin) as c:
            c.execute(f'CREATE DATABASE "{name}"')
            c.execute(f'GRANT ALL ON DATABASE "{name}" TO PUBLIC')
        yield name
        with psycopg.connect(**admin) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    yield name


@pytest.fixture(scope="session")
def user():
    # Any name works on litewire; PYCLIENTS_USER lets the suite run on PostgreSQL too.
    return os.environ.get("PYCLIENTS_USER", "pytest")


@pytest.fixture
def conninfo(host, port, dbname, user):
    """Keyword arguments for psycopg / psycopg2 / asyncpg connect()."""
    return dict(host=host, port=port, dbname=dbname, user=user)


@pytest.fixture
def dsn(host, port, dbname, user):
    return f"postgresql://{user}@{host}:{port}/{dbname}"
