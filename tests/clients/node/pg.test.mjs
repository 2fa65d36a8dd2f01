// node-postgres (`pg` 8.x) against litewire. Without values `pg` sends a simple Query;
// with values an unnamed Parse (no parameter OIDs: litewire infers them), Bind with text
// parameters (a Buffer goes binary), Describe P, Execute, Sync; a `{name}` query parses
// once and then only binds. Results are text, parsed by OID (pg-types).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { pgConfig } from './common.mjs';

async function withClient(prefix, fn) {
  const client = new pg.Client(pgConfig(prefix));
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Runs `fn` and returns the error it throws (fails if it does not throw). */
async function failure(fn) {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  assert.fail('expected an error');
}

test('pg: simple queries (no values)', () =>
  withClient('pg_simple', async (c) => {
    const created = await c.query('create table t (id integer primary key, name text)');
    assert.equal(created.command, 'CREATE');
    const ins = await c.query("insert into t values (1, 'one'), (2, 'two'), (3, 'three')");
    assert.equal(ins.command, 'INSERT');
    assert.equal(ins.rowCount, 3);
    const r = await c.query('select id, name from t order by id');
    assert.equal(r.command, 'SELECT');
    assert.equal(r.rowCount, 3);
    assert.deepEqual(r.rows, [
      { id: 1, name: 'one' },
      { id: 2, name: 'two' },
      { id: 3, name: 'three' },
    ]);
    assert.deepEqual(r.fields.map((f) => [f.name, f.dataTypeID]), [
      ['id', 23],
      ['name', 25],
    ]);
    const upd = await c.query("update t set name = upper(name) where id >= 2");
    assert.equal(upd.command, 'UPDATE');
    assert.equal(upd.rowCount, 2);
    const del = await c.query('delete from t where id = 3');
    assert.equal(del.command, 'DELETE');
    assert.equal(del.rowCount, 1);
    const left = await c.query('select name from t order by id');
    assert.deepEqual(left.rows.map((x) => x.name), ['one', 'TWO']);
    // Several statements in one simple Query: one result per statement.
    const multi = await c.query("insert into t values (10, 'ten'); select count(*) as n from t");
    assert.equal(multi.length, 2);
    assert.equal(multi[0].rowCount, 1);
    assert.equal(multi[1].rows[0].n, '3'); // count(*) is int8: a string in pg
    const empty = await c.query('select id from t where id < 0');
    assert.equal(empty.rowCount, 0);
    assert.deepEqual(empty.rows, []);
  }));

test('pg: parameterized queries (extended protocol, inferred parameter types)', () =>
  withClient('pg_params', async (c) => {
    await c.query(
      'create table people (id integer primary key, name text, age integer, score double precision)',
    );
    const ins = await c.query('insert into people (id, name, age, score) values ($1, $2, $3, $4)', [
      1,
      'Ada',
      36,
      1.5,
    ]);
    assert.equal(ins.rowCount, 1);
    // Numbers passed as strings are fine too: pg sends every value as text.
    await c.query('insert into people values ($1, $2, $3, $4)', ['2', 'Grace', '45', '-0.25']);
    await c.query('insert into people values ($1, $2, $3, $4)', [3, "O'Brien; drop table people", 7, 1e100]);
    const r = await c.query('select id, name, age, score from people where id = $1', [2]);
    assert.deepEqual(r.rows, [{ id: 2, name: 'Grace', age: 45, score: -0.25 }]);
    const gt = await c.query('select name from people where age > $1 and score < $2 order by id', [
      10,
      100,
    ]);
    assert.deepEqual(gt.rows.map((x) => x.name), ['Ada', 'Grace']);
    const q = await c.query('select id, score from people where name = $1', [
      "O'Brien; drop table people",
    ]);
    assert.deepEqual(q.rows, [{ id: 3, score: 1e100 }]);
    const like = await c.query('select count(*) as n from people where name like $1', ['%ce']);
    assert.equal(like.rows[0].n, '1');
    const upd = await c.query('update people set age = age + $1 where id = $2', [1, 1]);
    assert.equal(upd.rowCount, 1);
    const age = await c.query('select age from people where id = $1', [1]);
    assert.equal(age.rows[0].age, 37);
    const lim = await c.query('select id from people order by id limit $1', [2]);
    assert.deepEqual(lim.rows.map((x) => x.id), [1, 2]);
    // Unicode text survives both directions.
    await c.query('insert into people (id, name) values ($1, $2)', [4, 'Zoë 日本 🐘']);
    const u = await c.query('select name from people where id = $1', [4]);
    assert.equal(u.rows[0].name, 'Zoë 日本 🐘');
    // A JS array is sent as a text array literal: `= ANY($1)`.
    const any = await c.query('select id from people where id = any($1) order by id', [[1, 3]]);
    assert.deepEqual(any.rows.map((x) => x.id), [1, 3]);
    // rowMode array
    const arr = await c.query({ text: 'select id, name from people where id = $1', values: [1], rowMode: 'array' });
    assert.deepEqual(arr.rows, [[1, 'Ada']]);
  }));

test('pg: named prepared statement reused', () =>
  withClient('pg_named', async (c) => {
    await c.query('create table items (id integer primary key, label text, qty integer)');
    for (let i = 1; i <= 5; i++) {
      await c.query({
        name: 'ins',
        text: 'insert into items (id, label, qty) values ($1, $2, $3)',
        values: [i, `item${i}`, i * 10],
      });
    }
    for (const id of [3, 1, 5, 2, 4, 3]) {
      const r = await c.query({ name: 'byid', text: 'select id, label, qty from items where id = $1', values: [id] });
      assert.deepEqual(r.rows, [{ id, label: `item${id}`, qty: id * 10 }]);
    }
    const none = await c.query({ name: 'byid', text: 'select id, label, qty from items where id = $1', values: [99] });
    assert.equal(none.rowCount, 0);
    // A named statement without parameters, reused.
    for (let i = 0; i < 3; i++) {
      const r = await c.query({ name: 'count', text: 'select count(*) as n from items' });
      assert.equal(r.rows[0].n, '5');
    }
  }));

test('pg: Buffer into a bytea column and back', () =>
  withClient('pg_bytea', async (c) => {
    await c.query('create table blobs (id integer primary key, data bytea, b2 blob)');
    const bytes = Buffer.from([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff, 0x5c, 0x27, 0]);
    await c.query('insert into blobs values ($1, $2, $3)', [1, bytes, Buffer.alloc(0)]);
    const big = Buffer.alloc(100_000, 0xab);
    big[0] = 0;
    await c.query('insert into blobs (id, data) values ($1, $2)', [2, big]);
    const r = await c.query('select data, b2 from blobs where id = $1', [1]);
    assert.ok(Buffer.isBuffer(r.rows[0].data));
    assert.deepEqual(r.rows[0].data, bytes);
    assert.deepEqual(r.rows[0].b2, Buffer.alloc(0));
    assert.equal(r.fields[0].dataTypeID, 17);
    const r2 = await c.query('select data from blobs where id = 2');
    assert.ok(r2.rows[0].data.equals(big));
    // Also usable in a WHERE clause.
    const w = await c.query('select id from blobs where data = $1', [bytes]);
    assert.deepEqual(w.rows, [{ id: 1 }]);
  }));

test('pg: NULLs in and out', () =>
  withClient('pg_nulls', async (c) => {
    await c.query(
      'create table n (id integer primary key, i integer, t text, b boolean, f double precision, d bytea, big bigint)',
    );
    await c.query('insert into n values ($1, $2, $3, $4, $5, $6, $7)', [1, null, null, null, null, null, null]);
    await c.query('insert into n values ($1, $2, $3, $4, $5, $6, $7)', [2, undefined, undefined, undefined, undefined, undefined, undefined]);
    await c.query('insert into n (id) values (3)');
    const r = await c.query('select i, t, b, f, d, big from n order by id');
    for (const row of r.rows) {
      assert.deepEqual(row, { i: null, t: null, b: null, f: null, d: null, big: null });
    }
    const isnull = await c.query('select count(*) as n from n where t is null and i is null');
    assert.equal(isnull.rows[0].n, '3');
    const s = await c.query('select null as x');
    assert.equal(s.rows[0].x, null);
    // Comparing with a NULL parameter matches nothing (SQL semantics).
    const eq = await c.query('select id from n where i = $1', [null]);
    assert.equal(eq.rowCount, 0);
  }));

test('pg: int8 and numeric come back as strings', () =>
  withClient('pg_numeric', async (c) => {
    await c.query('create table money (id integer primary key, big bigint, amount numeric(10,2), small smallint)');
    await c.query('insert into money values ($1, $2, $3, $4)', [1, '9007199254740993', '12.25', 7]);
    await c.query("insert into money values (2, -9223372036854775808, 0.5, -32768)");
    const r = await c.query('select big, amount, small from money order by id');
    assert.deepEqual(r.fields.map((f) => f.dataTypeID), [20, 1700, 21]);
    assert.equal(r.rows[0].big, '9007199254740993');
    assert.equal(typeof r.rows[0].amount, 'string');
    assert.equal(Number(r.rows[0].amount), 12.25);
    assert.equal(r.rows[0].small, 7);
    assert.equal(r.rows[1].big, '-9223372036854775808');
    assert.equal(Number(r.rows[1].amount), 0.5);
    assert.equal(r.rows[1].small, -32768);
    const p = await c.query('select id from money where big = $1', ['9007199254740993']);
    assert.deepEqual(p.rows, [{ id: 1 }]);
    const sum = await c.query('select sum(big) as s from money where id = $1', [1]);
    assert.equal(String(sum.rows[0].s), '9007199254740993');
  }));

test('pg: boolean columns come back as true/false', () =>
  withClient('pg_bool', async (c) => {
    await c.query('create table flags (id integer primary key, on_ boolean, b2 bool)');
    await c.query('insert into flags values ($1, $2, $3)', [1, true, false]);
    await c.query('insert into flags values ($1, $2, $3)', [2, false, true]);
    await c.query("insert into flags values (3, true, false)");
    await c.query('insert into flags values ($1, $2, $3)', [4, 't', 'f']);
    const r = await c.query('select id, on_, b2 from flags order by id');
    assert.equal(r.fields[1].dataTypeID, 16);
    assert.deepEqual(r.rows, [
      { id: 1, on_: true, b2: false },
      { id: 2, on_: false, b2: true },
      { id: 3, on_: true, b2: false },
      { id: 4, on_: true, b2: false },
    ]);
    const w = await c.query('select id from flags where on_ = $1 order by id', [true]);
    assert.deepEqual(w.rows.map((x) => x.id), [1, 3, 4]);
    const simple = await c.query('select id from flags where b2 order by id');
    assert.deepEqual(simple.rows.map((x) => x.id), [2]);
  }));

test('pg: timestamp and date columns (text values)', () =>
  withClient('pg_time', async (c) => {
    await c.query('create table ev (id integer primary key, at timestamp, d date)');
    await c.query('insert into ev values ($1, $2, $3)', [1, '2024-02-29 13:45:06.5', '2024-02-29']);
    const r = await c.query({ text: 'select at::text as at_text, d::text as d_text from ev where id = $1', values: [1] });
    assert.equal(r.rows[0].at_text, '2024-02-29 13:45:06.5');
    assert.equal(r.rows[0].d_text, '2024-02-29');
    const t = await c.query('select at, d from ev where id = 1');
    assert.deepEqual(t.fields.map((f) => f.dataTypeID), [1114, 1082]);
    // pg-types parses timestamp without time zone as local time.
    const at = t.rows[0].at;
    assert.ok(at instanceof Date);
    assert.deepEqual(
      [at.getFullYear(), at.getMonth() + 1, at.getDate(), at.getHours(), at.getMinutes(), at.getSeconds(), at.getMilliseconds()],
      [2024, 2, 29, 13, 45, 6, 500],
    );
  }));

test('pg: JS Date into a timestamptz column', () =>
  withClient('pg_timestamptz', async (c) => {
    await c.query('create table ev (id integer primary key, at timestamptz)');
    const d = new Date(Date.UTC(2024, 1, 29, 13, 45, 6, 500));
    await c.query('insert into ev values ($1, $2)', [1, d]);
    const r = await c.query('select at from ev where id = $1', [1]);
    assert.equal(r.fields[0].dataTypeID, 1184);
    assert.ok(r.rows[0].at instanceof Date);
    assert.equal(r.rows[0].at.getTime(), d.getTime());
  }));

// pg sends a JS Date as '2024-02-29T13:45:06.500+00:00' whatever the column. PostgreSQL
// reads it as timestamp '2024-02-29 13:45:06.5' (offset dropped), and so does litewire.
test(
  'pg: JS Date into a timestamp column',
  () =>
    withClient('pg_timestamp_date', async (c) => {
      await c.query('create table ev (id integer primary key, at timestamp)');
      const d = new Date(Date.UTC(2024, 1, 29, 13, 45, 6, 500));
      await c.query('insert into ev values ($1, $2)', [1, d]);
      const r = await c.query('select at, at::text as s from ev where id = $1', [1]);
      assert.equal(r.rows[0].s, '2024-02-29 13:45:06.5');
      assert.ok(r.rows[0].at instanceof Date);
    }),
);

test('pg: errors carry SQLSTATE codes', () =>
  withClient('pg_errors', async (c) => {
    await c.query('create table u (id integer primary key, email text unique)');
    await c.query("insert into u values (1, 'a@x')");
    let e = await failure(() => c.query("insert into u values (2, 'a@x')"));
    assert.equal(e.code, '23505');
    e = await failure(() => c.query('insert into u values ($1, $2)', [3, 'a@x']));
    assert.equal(e.code, '23505');
    e = await failure(() => c.query('insert into u values ($1, $2)', [1, 'b@x']));
    assert.equal(e.code, '23505');
    e = await failure(() => c.query('select * from missing_table'));
    assert.equal(e.code, '42P01');
    e = await failure(() => c.query('select * from missing_table where id = $1', [1]));
    assert.equal(e.code, '42P01');
    e = await failure(() => c.query('selec 1'));
    assert.equal(e.code, '42601');
    e = await failure(() => c.query('select from where $1', [1]));
    assert.equal(e.code, '42601');
    assert.equal(e.severity, 'ERROR');
    assert.equal(typeof e.message, 'string');
    // The connection stays usable after each error.
    const r = await c.query('select count(*) as n from u where id = $1', [1]);
    assert.equal(r.rows[0].n, '1');
    // A named statement that fails at parse time does not poison the name.
    e = await failure(() => c.query({ name: 'bad', text: 'select nope from u where id = $1', values: [1] }));
    assert.ok(e.code === '42703', `code ${e.code}`);
  }));

test('pg: transactions with a pool client', async () => {
  const pool = new pg.Pool({ ...pgConfig('pg_tx'), max: 3 });
  try {
    await pool.query('create table acct (id integer primary key, balance integer)');
    await pool.query('insert into acct values (1, 100), (2, 0)');
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('update acct set balance = balance - $1 where id = $2', [30, 1]);
      await c.query('update acct set balance = balance + $1 where id = $2', [30, 2]);
      const inside = await c.query('select balance from acct order by id');
      assert.deepEqual(inside.rows.map((x) => x.balance), [70, 30]);
      await c.query('COMMIT');
    } finally {
      c.release();
    }
    const after = await pool.query('select balance from acct order by id');
    assert.deepEqual(after.rows.map((x) => x.balance), [70, 30]);

    // ROLLBACK discards every write of the block.
    const c2 = await pool.connect();
    try {
      await c2.query('BEGIN');
      await c2.query('insert into acct values ($1, $2)', [3, 999]);
      await c2.query('update acct set balance = 0');
      await c2.query('delete from acct where id = 1');
      const seen = await c2.query('select count(*) as n from acct');
      assert.equal(seen.rows[0].n, '2');
      await c2.query('ROLLBACK');
    } finally {
      c2.release();
    }
    const kept = await pool.query('select id, balance from acct order by id');
    assert.deepEqual(kept.rows, [
      { id: 1, balance: 70 },
      { id: 2, balance: 30 },
    ]);

    // An error aborts the block (25P02) until ROLLBACK; the writes before it are gone.
    const c3 = await pool.connect();
    try {
      await c3.query('BEGIN');
      await c3.query('insert into acct values ($1, $2)', [4, 4]);
      const dup = await failure(() => c3.query('insert into acct values ($1, $2)', [1, 1]));
      assert.equal(dup.code, '23505');
      const aborted = await failure(() => c3.query('select 1'));
      assert.equal(aborted.code, '25P02');
      const end = await c3.query('COMMIT'); // answered ROLLBACK, as PostgreSQL does
      assert.equal(end.command, 'ROLLBACK');
    } finally {
      c3.release();
    }
    const n = await pool.query('select count(*) as n from acct');
    assert.equal(n.rows[0].n, '2');

    // Uncommitted writes are not visible to another pool connection.
    const a = await pool.connect();
    const b = await pool.connect();
    try {
      await a.query('BEGIN');
      await a.query('insert into acct values ($1, $2)', [5, 5]);
      const other = await b.query('select count(*) as n from acct where id = $1', [5]);
      assert.equal(other.rows[0].n, '0');
      await a.query('COMMIT');
      const now = await b.query('select count(*) as n from acct where id = $1', [5]);
      assert.equal(now.rows[0].n, '1');
    } finally {
      a.release();
      b.release();
    }
  } finally {
    await pool.end();
  }
});
