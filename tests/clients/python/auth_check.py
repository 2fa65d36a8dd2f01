"""Password authentication with psycopg 3 and asyncpg, run by the Rust test
`client_authentication` (tests/it/clients.rs) against a litewire started with the users
and rules that test writes: alice (SCRAM verifier), bob (md5 hash), carol (cleartext
rule); mallory has no rule. Exits non-zero with the first mismatch."""

import asyncio
import os
import sys

import asyncpg
import psycopg

HOST = os.environ.get("LITEWIRE_HOST", "127.0.0.1")
PORT = int(os.environ["LITEWIRE_PORT"])

# (user, password, expected: the user name or a SQLSTATE)
CASES = [
    ("alice", "alice-pw", "alice"),
    ("alice", "wrong", "28P01"),
    ("bob", "bob-pw", "bob"),
    ("bob", "wrong", "28P01"),
    ("carol", "carol-pw", "carol"),
    ("carol", "wrong", "28P01"),
    ("mallory", "x", "28000"),
]

# psycopg (libpq) reports a failed connection by its message only.
MESSAGES = {"28P01": "password authentication failed", "28000": "no pg_hba.conf entry"}


def with_psycopg(user, password):
    try:
        with psycopg.connect(host=HOST, port=PORT, user=user, password=password,
                             dbname="auth_py", connect_timeout=10) as conn:
            return conn.execute("SELECT current_user").fetchone()[0]
    except psycopg.OperationalError as e:
        return next((code for code, m in MESSAGES.items() if m in str(e)), str(e))


async def with_asyncpg(user, password):
    try:
        conn = await asyncpg.connect(host=HOST, port=PORT, user=user, password=password,
                                     database="auth_py", ssl=False, timeout=10)
    except asyncpg.PostgresError as e:
        return e.sqlstate
    try:
        return await conn.fetchval("SELECT current_user")
    finally:
        await conn.close()


failures = []
for user, password, want in CASES:
    for driver, got in [("psycopg", with_psycopg(user, password)),
                        ("asyncpg", asyncio.run(with_asyncpg(user, password)))]:
        if got != want:
            failures.append(f"{driver} {user}/{password}: got {got!r}, want {want!r}")
if failures:
    sys.exit("\n".join(failures))
print(f"python auth: {len(CASES) * 2} checks passed")
