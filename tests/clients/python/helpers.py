"""Helpers shared by the test files (imported as a plain module)."""

import os

import pytest

# PYCLIENTS_CREATE_DB=1 runs the suite against a real PostgreSQL (see conftest.py), where
# the litewire bugs marked below must not turn into strict XPASS failures.
ON_POSTGRES = bool(os.environ.get("PYCLIENTS_CREATE_DB"))


# The table the psycopg and psycopg2 tests share.
ITEMS_TABLE = (
    "create table items ("
    " id integer primary key,"
    " name text,"
    " score double precision,"
    " ok boolean,"
    " data bytea,"
    " ts timestamp,"
    " amount numeric(10,2),"
    " big bigint)"
)


def litewire_xfail(reason):
    """Marks a test that fails because of a litewire bug or missing feature."""
    if ON_POSTGRES:
        return pytest.mark.skipif(False, reason="running on PostgreSQL")
    return pytest.mark.xfail(strict=True, reason=f"litewire: {reason}")
