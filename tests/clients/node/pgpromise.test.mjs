// pg-promise against litewire (issue 10): values its formatter writes into the SQL
// text (dates, arrays, JSON, nulls, booleans, numbers) read back as typed values,
// helpers.insert / helpers.update of several rows, tasks and transactions (nested:
// savepoints), result-shape methods (one, oneOrNone, many, any, none, result).
// Every expectation is what the same steps give on PostgreSQL 15 (checked with
// LITEWIRE_USER=postgres LITEWIRE_DB_SUFFIX=ref against it; see common.mjs).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import pgPromise from 'pg-promise';
import { pgConfig } from './common.mjs';

test('pg-promise: formatted values, helpers multi-row insert/update, tasks, transactions', async () => {
  const pgp = pgPromise({ capSQL: true });
  const db = pgp(pgConfig('pgpromise'));
  try {
    await db.none(`create table event (
      id serial primary key,
      name text not null unique,
      at timestamptz not null,
      day date,
      tags text[] not null default '{}',
      payload jsonb,
      done boolean not null default false,
      score numeric(8, 3),
      created timestamptz not null default now())`);

    // The formatter writes each value into the text: a Date as a timestamp literal.
    const when = new Date('2024-02-29T23:59:58.123Z');
    const sqlText = pgp.as.format('insert into event(name, at, day, tags, payload, score) values($1, $2, $3, $4, $5:json, $6) returning *',
      ['first', when, '2024-03-01', ['a', "b'c", 'd"e'], { k: [1, null] }, 1.5]);
    assert.match(sqlText, /'2024-\d\d-\d\dT\d\d:\d\d:58\.123[+-]\d\d:\d\d'/);
    const first = await db.one(sqlText);
    assert.ok(first.at instanceof Date);
    assert.equal(first.at.toISOString(), when.toISOString());
    assert.ok(first.day instanceof Date);
    assert.deepEqual([first.id, first.name, first.tags, first.payload, first.done, first.score],
      [1, 'first', ['a', "b'c", 'd"e'], { k: [1, null] }, false, '1.500']);
    assert.ok(first.created instanceof Date && Math.abs(first.created - Date.now()) < 60_000);

    // Named parameters and the ones that compare a column with a formatted date.
    const later = await db.oneOrNone('select name from event where at > ${since} and at < ${until}',
      { since: new Date('2024-02-29T00:00:00Z'), until: new Date('2024-03-01T00:00:00Z') });
    assert.deepEqual(later, { name: 'first' });
    assert.equal(await db.oneOrNone('select id from event where name = $1', ['nobody']), null);

    // helpers: one INSERT of several rows, one UPDATE … FROM (VALUES …) of several.
    const cs = new pgp.helpers.ColumnSet(['name', 'at', { name: 'tags', cast: 'text[]' },
      { name: 'payload', mod: ':json', cast: 'jsonb' }, { name: 'score', def: null }], { table: 'event' });
    const rows = [
      { name: 'second', at: new Date('2024-01-01T00:00:00Z'), tags: ['x'], payload: null },
      { name: 'third', at: new Date('2023-06-15T12:30:00.5Z'), tags: [], payload: [1, 2], score: 2 },
      { name: 'fourth', at: new Date('2025-12-31T23:00:00Z'), tags: ['y', 'z'], payload: { a: 'b' }, score: '0.125' },
    ];
    const inserted = await db.many(pgp.helpers.insert(rows, cs) + ' RETURNING id, at, score');
    assert.deepEqual(inserted.map((r) => [r.id, r.at.toISOString(), r.score]),
      [[2, '2024-01-01T00:00:00.000Z', null], [3, '2023-06-15T12:30:00.500Z', '2.000'], [4, '2025-12-31T23:00:00.000Z', '0.125']]);
    const upd = new pgp.helpers.ColumnSet(['?id', { name: 'done', cast: 'boolean' }, { name: 'at', cast: 'timestamptz' }], { table: 'event' });
    const changes = [
      { id: 2, done: true, at: new Date('2024-01-02T00:00:00Z') },
      { id: 3, done: true, at: new Date('2023-06-16T00:00:00Z') },
    ];
    const updated = await db.result(pgp.helpers.update(changes, upd) + ' WHERE v.id = t.id');
    assert.equal(updated.rowCount, 2);
    assert.deepEqual((await db.any('select id, done, at from event where done order by id'))
      .map((r) => [r.id, r.done, r.at.toISOString()]),
    [[2, true, '2024-01-02T00:00:00.000Z'], [3, true, '2023-06-16T00:00:00.000Z']]);

    // A task shares one connection; a transaction that throws rolls back, and a nested
    // one is a savepoint.
    const counted = await db.task(async (t) => {
      const n = await t.one('select count(*)::int as n from event', [], (r) => r.n);
      const names = await t.map('select name from event where $1 = any(tags) order by name', ['x'], (r) => r.name);
      return { n, names };
    });
    assert.deepEqual(counted, { n: 4, names: ['second'] });
    await assert.rejects(db.tx(async (t) => {
      await t.none('insert into event(name, at) values($1, $2)', ['rolled', new Date()]);
      throw new Error('rollback');
    }), /rollback/);
    await db.tx(async (t) => {
      await t.none('insert into event(name, at) values($1, $2)', ['kept', new Date()]);
      await assert.rejects(t.tx(async (t2) => {
        await t2.none('insert into event(name, at) values($1, $2)', ['inner', new Date()]);
        await t2.none('insert into event(name, at) values($1, $2)', ['kept', new Date()]);
      }), { code: '23505' });
    });
    assert.deepEqual((await db.any('select name from event order by id')).map((r) => r.name),
      ['first', 'second', 'third', 'fourth', 'kept']);

    // Result shapes and errors.
    await assert.rejects(db.one('select * from event where id < 0'), (e) => e instanceof pgp.errors.QueryResultError);
    await assert.rejects(db.none('select 1'), (e) => e instanceof pgp.errors.QueryResultError);
    const del = await db.result('delete from event where name = any($1)', [['third', 'fourth']]);
    assert.equal(del.rowCount, 2);
    assert.equal(del.command, 'DELETE');
    const [{ payload, tags }] = await db.any('select payload, tags from event where id = $1', [1]);
    assert.deepEqual([payload, tags], [{ k: [1, null] }, ['a', "b'c", 'd"e']]);
  } finally {
    pgp.end();
  }
});
