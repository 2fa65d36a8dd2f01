"""TLS with psycopg 3 (libpq, sslmode=verify-full) and asyncpg (an SSLContext that
checks the certificate), run by the Rust test `client_tls` (tests/it/clients.rs) against
a litewire with TLS, a hostssl trust rule and a hostnossl reject rule: TLS gets in and is
in use, a plain connection is refused with 28000. Exits non-zero with the mismatches."""

import asyncio
import os
import ssl
import sys

import asyncpg
import psycopg

HOST = os.environ.get("LITEWIRE_HOST", "127.0.0.1")
PORT = int(os.environ["LITEWIRE_PORT"])
CA = os.environ["LITEWIRE_TLS_CA"]
failures = []


def with_psycopg():
    with psycopg.connect(host=HOST, port=PORT, user="tester", dbname="tls_py",
                         sslmode="verify-full", sslrootcert=CA, connect_timeout=10) as conn:
        if not conn.pgconn.ssl_in_use:
            failures.append("psycopg: verify-full connection does not use TLS")
        if conn.execute("SELECT 6 * 7").fetchone()[0] != 42:
            failures.append("psycopg: wrong answer over TLS")
    try:
        psycopg.connect(host=HOST, port=PORT, user="tester", dbname="tls_py",
                        sslmode="disable", connect_timeout=10).close()
        failures.append("psycopg: a plain connection got in past hostnossl reject")
    except psycopg.OperationalError as e:
        if "no encryption" not in str(e):
            failures.append(f"psycopg plain: {e}")


async def with_asyncpg():
    context = ssl.create_default_context(cafile=CA)
    conn = await asyncpg.connect(host=HOST, port=PORT, user="tester", database="tls_py",
                                 ssl=context, timeout=10)
    try:
        if await conn.fetchval("SELECT 6 * 7") != 42:
            failures.append("asyncpg: wrong answer over TLS")
        if conn._transport.get_extra_info("ssl_object") is None:
            failures.append("asyncpg: connection does not use TLS")
    finally:
        await conn.close()
    try:
        conn = await asyncpg.connect(host=HOST, port=PORT, user="tester", database="tls_py",
                                     ssl=False, timeout=10)
        await conn.close()
        failures.append("asyncpg: a plain connection got in past hostnossl reject")
    except asyncpg.PostgresError as e:
        if e.sqlstate != "28000":
            failures.append(f"asyncpg plain: {e.sqlstate} {e}")


with_psycopg()
asyncio.run(with_asyncpg())
if failures:
    sys.exit("\n".join(failures))
print("python tls: psycopg and asyncpg passed")
