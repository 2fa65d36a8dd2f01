"""Helpers shared by the test files (imported as a plain module)."""

import os

import pytest

# PYCLIENTS_CREATE_DB=1 runs the suite against a real PostgreSQL (see conftest.py), where
# the litewire bugs marked below must not turn into strict XPASS failures.
ON_POSTGRES = bool(os.environ.get("PYCLIENTS_CREATE_DB"))


def litewire_xfail(reason):
    """Marks a test that fails because of a litewire bug or missing feature."""
    if ON_POSTGRES:
        return pytest.mark.skipif(False, reason="running on PostgreSQL")
    return pytest.mark.xfail(strict=True, reason=f"litewire: {reason}")
