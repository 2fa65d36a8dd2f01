// postgres.js (porsager, 3.x) against litewire. Each tagged-template query is a named
// statement (Parse with a random name + Describe S; with parameters, Flush, then the
// parameters are serialized by the described types), cached per connection; `sql.begin`
// sends `begin` as a simple Query. `fetch_types: false` skips the pg_type query that
// postgres.js sends on each new connection (tested on its own at the end).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { host, port, user, dbName } from './common.mjs';

function connect(prefix, options = {}) {
  return postgres({
    host,
    port,
    user,
    database: dbName(prefix),
    fetch_types: false,
    onnotice: () => {},
    ...options,
  });
}

async function withSql(prefix, fn, options) {
  const sql = connect(prefix, options);
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function failure(fn) {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  assert.fail('expected an error');
}

test('postgres.js: queries without parameters', () =>
  withSql('pgjs_basic', async (sql) => {
    await sql`create table t (id integer primary key, name text)`;
    const ins = await sql`insert into t values (1, 'one'), (2, 'two')`;
    assert.equal(ins.count, 2);
    assert.equal(ins.command, 'INSERT');
    const rows = await sql`select id, name from t order by id`;
    assert.equal(rows.count, 2);
    assert.deepEqual([...rows], [
      { id: 1, name: 'one' },
      { id: 2, name: 'two' },
    ]);
    assert.deepEqual(rows.columns.map((c) => [c.name, c.type]), [
      ['id', 23],
      ['name', 25],
    ]);
    // The same text again reuses the cached statement.
    for (let i = 0; i < 3; i++) {
      const again = await sql`select id, name from t order by id`;
      assert.equal(again.length, 2);
    }
    // sql.unsafe sends a simple Query; several statements are fine there.
    await sql.unsafe("insert into t values (3, 'three'); update t set name = 'TWO' where id = 2");
    const after = await sql`select name from t order by id`;
    assert.deepEqual(after.map((r) => r.name), ['one', 'TWO', 'three']);
  }));

test('postgres.js: tagged template parameters', () =>
  withSql('pgjs_params', async (sql) => {
    await sql`create table people (id integer primary key, name text, age integer, score double precision, big bigint, amount numeric(10,2))`;
    const people = [
      [1, 'Ada', 36, 1.5, '9007199254740993', '10.25'],
      [2, 'Grace', 45, -0.25, '-5', '0.5'],
      [3, "O'Brien; drop table people", 7, 1e100, '0', '3'],
    ];
    for (const [id, name, age, score, big, amount] of people) {
      const r = await sql`insert into people values (${id}, ${name}, ${age}, ${score}, ${big}, ${amount})`;
      assert.equal(r.count, 1);
    }
    for (const [id, name, age, score, big, amount] of [...people, people[0]]) {
      const [row] = await sql`select id, name, age, score, big, amount from people where id = ${id}`;
      assert.equal(row.id, id);
      assert.equal(row.name, name);
      assert.equal(row.age, age);
      assert.equal(row.score, score);
      assert.equal(row.big, big); // int8 is a string in postgres.js
      assert.equal(typeof row.amount, 'string'); // numeric too
      assert.equal(Number(row.amount), Number(amount));
    }
    const older = await sql`select name from people where age > ${10} and score < ${100} order by id`;
    assert.deepEqual(older.map((r) => r.name), ['Ada', 'Grace']);
    const upd = await sql`update people set age = age + ${1} where id = ${1}`;
    assert.equal(upd.count, 1);
    const [{ age }] = await sql`select age from people where id = ${1}`;
    assert.equal(age, 37);
    const u = 'Zoë 日本 🐘';
    await sql`insert into people (id, name) values (${4}, ${u})`;
    const [{ name }] = await sql`select name from people where id = ${4}`;
    assert.equal(name, u);
  }));

test('postgres.js: object helpers sql(row) and sql(ids)', () =>
  withSql('pgjs_helpers', async (sql) => {
    await sql`create table items (id integer primary key, label text, qty integer)`;
    const rows = [
      { id: 1, label: 'a', qty: 10 },
      { id: 2, label: 'b', qty: 20 },
    ];
    await sql`insert into items ${sql(rows, 'id', 'label', 'qty')}`;
    await sql`insert into items ${sql({ id: 3, label: 'c', qty: 30 })}`;
    await sql`update items set ${sql({ label: 'B', qty: 21 }, 'label', 'qty')} where id = ${2}`;
    const picked = await sql`select ${sql(['id', 'label'])} from items where id in ${sql([1, 2])} order by id`;
    assert.deepEqual([...picked], [
      { id: 1, label: 'a' },
      { id: 2, label: 'B' },
    ]);
    const [{ n }] = await sql`select count(*) as n from items`;
    assert.equal(n, '3');
  }));

test('postgres.js: NULLs, booleans, bytea', () =>
  withSql('pgjs_types', async (sql) => {
    await sql`create table v (id integer primary key, flag boolean, data bytea, t text, i integer)`;
    const bytes = Buffer.from([0, 1, 0x7f, 0x80, 0xff, 0x5c, 0x27]);
    await sql`insert into v values (${1}, ${true}, ${bytes}, ${'x'}, ${5})`;
    await sql`insert into v values (${2}, ${false}, ${Buffer.alloc(0)}, ${null}, ${null})`;
    await sql`insert into v values (${3}, ${null}, ${null}, ${null}, ${null})`;
    const rows = await sql`select id, flag, data, t, i from v order by id`;
    assert.deepEqual(rows.columns.map((c) => c.type), [23, 16, 17, 25, 23]);
    assert.equal(rows[0].flag, true);
    assert.ok(Buffer.isBuffer(rows[0].data));
    assert.deepEqual(rows[0].data, bytes);
    assert.equal(rows[0].t, 'x');
    assert.equal(rows[0].i, 5);
    assert.equal(rows[1].flag, false);
    assert.deepEqual(rows[1].data, Buffer.alloc(0));
    assert.equal(rows[1].t, null);
    assert.deepEqual({ ...rows[2] }, { id: 3, flag: null, data: null, t: null, i: null });
    const trues = await sql`select id from v where flag = ${true}`;
    assert.deepEqual(trues.map((r) => r.id), [1]);
    const bin = await sql`select id from v where data = ${bytes}`;
    assert.deepEqual(bin.map((r) => r.id), [1]);
  }));

test('postgres.js: sql.begin commits, and rolls back on throw', () =>
  withSql('pgjs_tx', async (sql) => {
    await sql`create table acct (id integer primary key, balance integer)`;
    await sql`insert into acct values (1, 100), (2, 0)`;
    const result = await sql.begin(async (tx) => {
      await tx`update acct set balance = balance - ${30} where id = ${1}`;
      await tx`update acct set balance = balance + ${30} where id = ${2}`;
      const [{ total }] = await tx`select sum(balance) as total from acct`;
      return total;
    });
    assert.equal(Number(result), 100);
    let rows = await sql`select balance from acct order by id`;
    assert.deepEqual(rows.map((r) => r.balance), [70, 30]);

    const boom = new Error('boom');
    const e = await failure(() =>
      sql.begin(async (tx) => {
        await tx`insert into acct values (${3}, ${999})`;
        await tx`update acct set balance = 0`;
        throw boom;
      }),
    );
    assert.equal(e, boom);
    rows = await sql`select id, balance from acct order by id`;
    assert.deepEqual([...rows], [
      { id: 1, balance: 70 },
      { id: 2, balance: 30 },
    ]);

    // Savepoints: the inner failure is undone, the outer writes stay.
    await sql.begin(async (tx) => {
      await tx`insert into acct values (${5}, ${5})`;
      await failure(() =>
        tx.savepoint(async (sp) => {
          await sp`insert into acct values (${6}, ${6})`;
          throw new Error('inner');
        }),
      );
    });
    const ids = await sql`select id from acct order by id`;
    assert.deepEqual(ids.map((r) => r.id), [1, 2, 5]);
  }));

// postgres.js ends a failed block with `rollback` as a named extended statement
// (Parse/Describe S/Bind/Execute/Sync), which must be allowed in a failed transaction.
test(
  'postgres.js: sql.begin rolls back when a statement fails',
  async () => {
    const sql = connect('pgjs_tx_error');
    try {
      await sql`create table acct (id integer primary key, balance integer)`;
      await sql`insert into acct values (1, 100), (2, 0)`;
      const dup = await failure(() =>
        sql.begin(async (tx) => {
          await tx`insert into acct values (${4}, ${4})`;
          await tx`insert into acct values (${1}, ${1})`;
        }),
      );
      assert.equal(dup.code, '23505');
      const [{ n }] = await sql`select count(*) as n from acct`;
      assert.equal(n, '2');
    } finally {
      await sql.end({ timeout: 1 });
    }
  },
);

test('postgres.js: errors carry SQLSTATE codes', () =>
  withSql('pgjs_errors', async (sql) => {
    await sql`create table u (id integer primary key, email text unique)`;
    await sql`insert into u values (${1}, ${'a@x'})`;
    let e = await failure(() => sql`insert into u values (${2}, ${'a@x'})`);
    assert.equal(e.code, '23505');
    assert.equal(e.name, 'PostgresError');
    e = await failure(() => sql`insert into u values (2, 'a@x')`);
    assert.equal(e.code, '23505');
    e = await failure(() => sql`select * from missing_table`);
    assert.equal(e.code, '42P01');
    e = await failure(() => sql`select * from missing_table where id = ${1}`);
    assert.equal(e.code, '42P01');
    e = await failure(() => sql`selec 1`);
    assert.equal(e.code, '42601');
    e = await failure(() => sql.unsafe('select * from nowhere'));
    assert.equal(e.code, '42P01');
    const [{ n }] = await sql`select count(*) as n from u where id = ${1}`;
    assert.equal(n, '1');
  }));

test('postgres.js: several pooled connections', () =>
  withSql(
    'pgjs_pool',
    async (sql) => {
      await sql`create table c (id integer primary key, v text)`;
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => sql`insert into c values (${i}, ${`v${i}`})`),
      );
      const rows = await Promise.all(
        Array.from({ length: 20 }, (_, i) => sql`select v from c where id = ${i}`),
      );
      assert.deepEqual(rows.map((r) => r[0].v), Array.from({ length: 20 }, (_, i) => `v${i}`));
    },
    { max: 4 },
  ));

test(
  'postgres.js: default fetch_types (pg_catalog.pg_type query on connect)',
  () => {
    const probe = fileURLToPath(new URL('./fetch_types_probe.mjs', import.meta.url));
    const out = spawnSync(process.execPath, [probe], { encoding: 'utf8', timeout: 20_000, env: process.env });
    assert.equal(out.status, 0, `probe failed: ${out.stderr}`);
    assert.deepEqual(JSON.parse(out.stdout), [{ x: 42 }]);
  },
);
