// Kysely (pg dialect) against litewire (issue 10): migrations through Kysely's
// Migrator up and down (its lock table, FOR UPDATE), the schema builder (enum type,
// serial, `timestamptz default now()`, jsonb, foreign keys, indexes), introspection
// (db.introspection.getTables(): catalog queries with quote_ident), CRUD with
// returning, jsonArrayFrom / jsonObjectFrom, transactions.
// Every expectation is what the same steps give on PostgreSQL 15 (checked with
// LITEWIRE_USER=postgres LITEWIRE_DB_SUFFIX=ref against it; see common.mjs).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Migrator, NO_MIGRATIONS } from 'kysely/migration';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import { pgConfig } from './common.mjs';

const migrations = {
  '0001_init': {
    async up(db) {
      await db.schema.createType('status').asEnum(['active', 'banned']).execute();
      await db.schema.createTable('person')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('email', 'varchar(255)', (c) => c.notNull().unique())
        .addColumn('status', sql`status`, (c) => c.notNull().defaultTo('active'))
        .addColumn('meta', 'jsonb')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema.createTable('pet')
        .addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
        .addColumn('owner_id', 'integer', (c) => c.notNull().references('person.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('weight', 'numeric(6, 2)')
        .execute();
      await db.schema.createIndex('pet_owner_idx').on('pet').column('owner_id').execute();
    },
    async down(db) {
      await db.schema.dropTable('pet').execute();
      await db.schema.dropTable('person').execute();
      await db.schema.dropType('status').execute();
    },
  },
  '0002_nickname': {
    async up(db) {
      await db.schema.alterTable('person').addColumn('nickname', 'text').execute();
      await db.schema.alterTable('pet').addColumn('born', 'date').execute();
    },
    async down(db) {
      await db.schema.alterTable('pet').dropColumn('born').execute();
      await db.schema.alterTable('person').dropColumn('nickname').execute();
    },
  },
};

test('kysely: migrations up and down, introspection, CRUD, transactions', async () => {
  const db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool(pgConfig('kysely')) }) });
  try {
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    const up = await migrator.migrateToLatest();
    assert.equal(up.error, undefined, String(up.error));
    assert.deepEqual(up.results.map((r) => [r.migrationName, r.direction, r.status]),
      [['0001_init', 'Up', 'Success'], ['0002_nickname', 'Up', 'Success']]);
    assert.deepEqual((await migrator.migrateToLatest()).results, []);

    // Introspection: Kysely's catalog queries (pg_attribute, pg_class, quote_ident…).
    const tables = await db.introspection.getTables();
    const shape = Object.fromEntries(tables.map((t) => [t.name,
      t.columns.map((c) => [c.name, c.dataType, c.isNullable, c.hasDefaultValue, c.isAutoIncrementing])]));
    assert.deepEqual(Object.keys(shape).sort(), ['person', 'pet']);
    assert.deepEqual(shape.person, [
      ['id', 'int4', false, true, true],
      ['email', 'varchar', false, false, false],
      ['status', 'status', false, true, false],
      ['meta', 'jsonb', true, false, false],
      ['created_at', 'timestamptz', false, true, false],
      ['nickname', 'text', true, false, false],
    ]);
    assert.deepEqual(shape.pet, [
      ['id', 'int4', false, false, true],
      ['owner_id', 'int4', false, false, false],
      ['name', 'text', false, false, false],
      ['weight', 'numeric', true, false, false],
      ['born', 'date', true, false, false],
    ]);
    const withInternals = await db.introspection.getTables({ withInternalKyselyTables: true });
    assert.deepEqual(withInternals.map((t) => t.name).sort(),
      ['kysely_migration', 'kysely_migration_lock', 'person', 'pet']);

    // CRUD.
    const a = await db.insertInto('person').values({ email: 'a@x', meta: JSON.stringify({ k: 1 }) })
      .returningAll().executeTakeFirstOrThrow();
    assert.deepEqual([a.id, a.email, a.status, a.meta, a.nickname], [1, 'a@x', 'active', { k: 1 }, null]);
    assert.ok(a.created_at instanceof Date && Math.abs(a.created_at - Date.now()) < 60_000);
    const b = await db.insertInto('person').values({ email: 'b@x', status: 'banned' })
      .returning(['id', 'status']).executeTakeFirstOrThrow();
    assert.deepEqual(b, { id: 2, status: 'banned' });
    await assert.rejects(db.insertInto('person').values({ email: 'c@x', status: 'gone' }).execute(), { code: '22P02' });
    await db.insertInto('pet').values([
      { owner_id: a.id, name: 'Rex', weight: '12.5', born: '2020-02-29' },
      { owner_id: a.id, name: 'Tom' },
      { owner_id: b.id, name: 'Kit', weight: '3' },
    ]).execute();
    await assert.rejects(db.insertInto('pet').values({ owner_id: 99, name: 'x' }).execute(), { code: '23503' });

    const joined = await db.selectFrom('pet').innerJoin('person', 'person.id', 'pet.owner_id')
      .select(['pet.name', 'person.email', 'pet.weight', 'pet.born']).orderBy('pet.id').execute();
    assert.deepEqual(joined.map((r) => [r.name, r.email, r.weight, r.born && r.born.getFullYear()]),
      [['Rex', 'a@x', '12.50', 2020], ['Tom', 'a@x', null, null], ['Kit', 'b@x', '3.00', null]]);
    const counts = await db.selectFrom('person').leftJoin('pet', 'pet.owner_id', 'person.id')
      .select(['person.email', (eb) => eb.fn.count('pet.id').as('n')]).groupBy('person.email')
      .orderBy('person.email').execute();
    assert.deepEqual(counts, [{ email: 'a@x', n: '2' }, { email: 'b@x', n: '1' }]);
    const byMeta = await db.selectFrom('person').select('id').where(sql`meta @> ${JSON.stringify({ k: 1 })}::jsonb`).execute();
    assert.deepEqual(byMeta, [{ id: 1 }]);

    const upd = await db.updateTable('person').set({ nickname: 'A', status: 'banned' }).where('id', '=', a.id)
      .returning(['nickname', 'status']).execute();
    assert.deepEqual(upd, [{ nickname: 'A', status: 'banned' }]);
    const res = await db.updateTable('pet').set((eb) => ({ weight: eb('weight', '+', 1) })).where('weight', 'is not', null).executeTakeFirst();
    assert.equal(res.numUpdatedRows, 2n);

    // Transactions: a throw rolls back; a commit keeps.
    await assert.rejects(db.transaction().execute(async (trx) => {
      await trx.insertInto('person').values({ email: 'rolled@x' }).execute();
      throw new Error('rollback');
    }), /rollback/);
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('person').values({ email: 'kept@x' }).execute();
    });
    const emails = await db.selectFrom('person').select('email').orderBy('email').execute();
    assert.deepEqual(emails.map((e) => e.email), ['a@x', 'b@x', 'kept@x']);

    const del = await db.deleteFrom('person').where('email', '=', 'a@x').executeTakeFirst();
    assert.equal(del.numDeletedRows, 1n);
    assert.deepEqual(await db.selectFrom('pet').select('name').execute(), [{ name: 'Kit' }]);

    // Down: one step, then all the way.
    const down = await migrator.migrateDown();
    assert.equal(down.error, undefined, String(down.error));
    assert.deepEqual(down.results.map((r) => [r.migrationName, r.direction, r.status]), [['0002_nickname', 'Down', 'Success']]);
    assert.equal((await db.introspection.getTables()).find((t) => t.name === 'person').columns.length, 5);
    const none = await migrator.migrateTo(NO_MIGRATIONS);
    assert.equal(none.error, undefined, String(none.error));
    assert.deepEqual((await db.introspection.getTables()).map((t) => t.name), []);
    const { rows } = await sql`select count(*)::int as n from pg_type where typname = 'status'`.execute(db);
    assert.deepEqual(rows, [{ n: 0 }]);
  } finally {
    await db.destroy();
  }
});

// jsonArrayFrom / jsonObjectFrom read whole rows of a subquery: `json_agg(agg) from
// (select …) as agg`, `to_json(obj) from (select …) as obj`.
test('kysely: jsonArrayFrom and jsonObjectFrom (whole rows of a subquery as json)', async () => {
  const db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool(pgConfig('kyselyjson')) }) });
  try {
    await db.schema.createTable('person').addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('email', 'text').execute();
    await db.schema.createTable('pet').addColumn('owner_id', 'integer').addColumn('name', 'text')
      .addColumn('weight', 'numeric(6, 2)').execute();
    await db.insertInto('person').values([{ email: 'a@x' }, { email: 'b@x' }]).execute();
    await db.insertInto('pet').values([{ owner_id: 1, name: 'Rex', weight: '12.5' },
      { owner_id: 1, name: 'Tom' }, { owner_id: 2, name: 'Kit', weight: '3' }]).execute();
    const nested = await db.selectFrom('person').select((eb) => ['email',
      jsonArrayFrom(eb.selectFrom('pet').select(['pet.name', 'pet.weight'])
        .whereRef('pet.owner_id', '=', 'person.id').orderBy('pet.name')).as('pets')])
      .orderBy('email').execute();
    assert.deepEqual(nested, [
      { email: 'a@x', pets: [{ name: 'Rex', weight: 12.50 }, { name: 'Tom', weight: null }] },
      { email: 'b@x', pets: [{ name: 'Kit', weight: 3.00 }] },
    ]);
    const owners = await db.selectFrom('pet').select((eb) => ['name',
      jsonObjectFrom(eb.selectFrom('person').select(['person.id', 'person.email'])
        .whereRef('person.id', '=', 'pet.owner_id')).as('owner')])
      .orderBy('name').execute();
    assert.deepEqual(owners, [
      { name: 'Kit', owner: { id: 2, email: 'b@x' } },
      { name: 'Rex', owner: { id: 1, email: 'a@x' } },
      { name: 'Tom', owner: { id: 1, email: 'a@x' } },
    ]);
  } finally {
    await db.destroy();
  }
});
