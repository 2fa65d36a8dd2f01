// Drizzle ORM (node-postgres driver) against litewire (issue 10): drizzle-kit push, the
// committed drizzle-kit migration (drizzle/migrations, `drizzle-kit generate` of
// drizzle/schema.cjs) applied by drizzle-orm's migrator, inserts with DEFAULT,
// relational queries (LEFT JOIN LATERAL … json_agg), updates, deletes, transactions.
// Every expectation is what the same steps give on PostgreSQL 15 (checked with
// LITEWIRE_USER=postgres LITEWIRE_DB_SUFFIX=ref against it; see common.mjs).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { eq, sql, desc, inArray, arrayOverlaps } from 'drizzle-orm';
import schema from './drizzle/schema.cjs';
import { host, port, user, dbName, pgConfig } from './common.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const { users, posts, comments } = schema;

/** Drizzle wraps the driver's error: its cause carries the SQLSTATE. */
const code = (sqlstate) => (e) => (e.cause ?? e).code === sqlstate;

function push(database) {
  return execFileSync(here('node_modules/.bin/drizzle-kit'), ['push', '--dialect=postgresql',
    '--schema=./drizzle/schema.cjs', `--url=postgres://${user}@${host}:${port}/${database}`, '--force', '--verbose'],
  { cwd: here('.'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const onLitewire = user !== 'postgres';

test('drizzle-kit push: creates the schema in an empty database', async () => {
  const out = push(dbName('drizzlepush'));
  assert.match(out, /CREATE TYPE "public"."role"/);
  assert.match(out, /Changes applied/);
  const pool = new pg.Pool(pgConfig('drizzlepush'));
  try {
    const { rows } = await pool.query(`select table_name from information_schema.tables
      where table_schema = 'public' order by 1`);
    assert.deepEqual(rows.map((r) => r.table_name), ['comments', 'posts', 'users']);
    const fks = await pool.query(`select conname from pg_constraint where contype = 'f' order by 1`);
    assert.deepEqual(fks.rows.map((r) => r.conname), ['comments_post_id_posts_id_fk', 'posts_author_id_users_id_fk']);
  } finally {
    await pool.end();
  }
});

// A second push reads the tables back through the catalogs (its column query: OIDs in
// '{int,int8,int2}'::regtype[], a sequence's name from f()::regclass, an enum column's
// default) and finds what PostgreSQL finds.
test('drizzle-kit push: a second push finds nothing to change', async () => {
  const database = dbName('drizzlepush2');
  push(database);
  // PostgreSQL reads every column back as declared but the array's default, which
  // drizzle-kit sets again.
  const second = push(database);
  assert.match(second, /ALTER TABLE "posts" ALTER COLUMN "tags" SET DEFAULT '\{\}'::text\[\];/);
  assert.doesNotMatch(second, /CREATE TABLE|DROP|ADD CONSTRAINT|CREATE INDEX/);
});

test('drizzle: migrator, defaults, relational queries, updates, deletes, transactions', async () => {
  const pool = new pg.Pool(pgConfig('drizzle'));
  const db = drizzle(pool, { schema });
  try {
    // The migrations table in public (litewire has that one schema; the default,
    // schema "drizzle", is the test below).
    const config = { migrationsFolder: here('drizzle/migrations'), migrationsSchema: 'public' };
    await migrate(db, config);
    // A second run finds the migration recorded in __drizzle_migrations.
    await migrate(db, config);
    const applied = await pool.query('select hash, created_at from public.__drizzle_migrations');
    assert.equal(applied.rows.length, 1);

    // `values (default, …)`: drizzle writes DEFAULT for every column not given.
    const [a] = await db.insert(users).values({ email: 'a@x', meta: { k: [1, 2] }, role: 'admin' }).returning();
    assert.deepEqual([a.id, a.email, a.name, a.role, a.meta, a.active, a.balance],
      [1, 'a@x', null, 'admin', { k: [1, 2] }, true, '0.00']);
    assert.ok(a.createdAt instanceof Date && Math.abs(a.createdAt - Date.now()) < 60_000);
    const [b] = await db.insert(users).values({ email: 'b@x', name: 'B' }).returning({ id: users.id, role: users.role });
    assert.deepEqual(b, { id: 2, role: 'member' });
    await assert.rejects(db.insert(users).values({ email: 'c@x', role: 'nobody' }), code('22P02'));
    await assert.rejects(db.insert(users).values({ email: 'a@x' }), code('23505'));

    const when = new Date('2024-05-06T07:08:09.123Z');
    const ps = await db.insert(posts).values([
      { authorId: a.id, title: 'first', tags: ['x', 'y'], publishedAt: when },
      { authorId: a.id, title: 'second' },
      { authorId: b.id, title: 'third', tags: ['z'] },
    ]).returning({ id: posts.id });
    assert.deepEqual(ps.map((p) => p.id), [1, 2, 3]);
    // GENERATED ALWAYS: an explicit id is refused.
    await assert.rejects(db.insert(posts).values({ id: 9, authorId: a.id, title: 'x' }), code('428C9'));
    await db.insert(comments).values([{ postId: 1, body: 'c1' }, { postId: 1, body: 'c2' }, { id: 10, postId: 3, body: 'c3' }]);
    await assert.rejects(db.insert(comments).values({ postId: 99, body: 'orphan' }), code('23503'));

    // The relational query API: one statement, LEFT JOIN LATERAL with json_agg.
    const found = await db.query.users.findMany({
      with: { posts: { with: { comments: true }, orderBy: [posts.id] } },
      orderBy: [users.id],
    });
    assert.deepEqual(found.map((u) => [u.email, u.posts.map((p) => [p.title, p.tags, p.comments.map((c) => c.body).sort()])]),
      [['a@x', [['first', ['x', 'y'], ['c1', 'c2']], ['second', [], []]]], ['b@x', [['third', ['z'], ['c3']]]]]);
    const first = found[0].posts[0];
    assert.ok(first.publishedAt instanceof Date);
    assert.equal(first.publishedAt.toISOString(), when.toISOString());
    const one = await db.query.posts.findFirst({
      where: eq(posts.title, 'third'),
      with: { author: { columns: { email: true, createdAt: true } } },
      columns: { title: true },
    });
    assert.equal(one.author.email, 'b@x');
    assert.equal(one.title, 'third');

    // The query builder: joins, aggregates, jsonb, arrays.
    const counts = await db.select({ email: users.email, n: sql`count(${posts.id})`.mapWith(Number) })
      .from(users).leftJoin(posts, eq(posts.authorId, users.id)).groupBy(users.email).orderBy(desc(users.email));
    assert.deepEqual(counts, [{ email: 'b@x', n: 1 }, { email: 'a@x', n: 2 }]);
    const byMeta = await db.select({ id: users.id }).from(users).where(sql`${users.meta} @> ${JSON.stringify({ k: [2] })}::jsonb`);
    assert.deepEqual(byMeta, [{ id: 1 }]);
    const tagged = await db.select({ title: posts.title }).from(posts).where(arrayOverlaps(posts.tags, ['y', 'z'])).orderBy(posts.title);
    assert.deepEqual(tagged, [{ title: 'first' }, { title: 'third' }]);

    const upd = await db.update(users).set({ name: 'A', balance: '12.5', meta: { k: [1, 2], v: 1 } })
      .where(eq(users.id, a.id)).returning({ name: users.name, balance: users.balance, meta: users.meta });
    assert.deepEqual(upd, [{ name: 'A', balance: '12.50', meta: { k: [1, 2], v: 1 } }]);
    const moved = await db.update(posts).set({ authorId: b.id }).where(inArray(posts.id, [2]));
    assert.equal(moved.rowCount, 1);

    // A transaction that throws rolls back; a nested one (a savepoint) rolls back alone.
    await assert.rejects(db.transaction(async (tx) => {
      await tx.insert(users).values({ email: 'rolled@x' });
      throw new Error('rollback');
    }), /rollback/);
    await db.transaction(async (tx) => {
      await tx.insert(users).values({ email: 'kept@x' });
      await assert.rejects(tx.transaction(async (inner) => {
        await inner.insert(users).values({ email: 'inner@x' });
        inner.rollback();
      }));
    });
    const emails = await db.select({ email: users.email }).from(users).orderBy(users.id);
    assert.deepEqual(emails.map((e) => e.email), ['a@x', 'b@x', 'kept@x']);
    // The sequence advanced past the rolled-back inserts (as in PostgreSQL).
    const [kept] = await db.select({ id: users.id }).from(users).where(eq(users.email, 'kept@x'));
    assert.ok(kept.id > 2);

    // Deleting a user cascades to posts and their comments.
    const gone = await db.delete(users).where(eq(users.id, b.id)).returning({ id: users.id });
    assert.deepEqual(gone, [{ id: 2 }]);
    assert.deepEqual(await db.select({ id: posts.id }).from(posts), [{ id: 1 }]);
    assert.deepEqual((await db.select({ body: comments.body }).from(comments).orderBy(comments.body)).map((c) => c.body), ['c1', 'c2']);
  } finally {
    await pool.end();
  }
});

test('drizzle: update of a jsonb column with `col || literal`', async () => {
  const pool = new pg.Pool(pgConfig('drizzleconcat'));
  const db = drizzle(pool, { schema });
  try {
    await migrate(db, { migrationsFolder: here('drizzle/migrations'), migrationsSchema: 'public' });
    await db.insert(users).values({ email: 'a@x', meta: { k: 1 } });
    const [u] = await db.update(users).set({ meta: sql`${users.meta} || '{"v":1}'` }).returning({ meta: users.meta });
    assert.deepEqual(u.meta, { k: 1, v: 1 });
  } finally {
    await pool.end();
  }
});

// Drizzle's migrator keeps its table in schema "drizzle" by default (CREATE SCHEMA IF NOT
// EXISTS "drizzle", then "drizzle"."__drizzle_migrations"); a second run applies nothing.
test('drizzle: migrator with its default schema "drizzle"', async () => {
  const pool = new pg.Pool(pgConfig('drizzleschema'));
  try {
    for (let run = 0; run < 2; run++) {
      await migrate(drizzle(pool, { schema }), { migrationsFolder: here('drizzle/migrations') });
      const applied = await pool.query('select hash from drizzle.__drizzle_migrations');
      assert.equal(applied.rows.length, 1);
    }
    const { rows } = await pool.query(`select table_schema, table_name from information_schema.tables
      where table_name in ('__drizzle_migrations', 'users') order by 1`);
    assert.deepEqual(rows, [
      { table_schema: 'drizzle', table_name: '__drizzle_migrations' },
      { table_schema: 'public', table_name: 'users' },
    ]);
  } finally {
    await pool.end();
  }
});
