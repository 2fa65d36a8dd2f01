// Node ORMs against litewire (issue 10): Knex migrations with foreign keys, Sequelize
// sync/alter with an ENUM, associations and queryInterface introspection, and TypeORM's
// synchronize with repositories and relations.
// Every expectation is what the same steps give on PostgreSQL 15 (checked with
// LITEWIRE_USER=postgres LITEWIRE_DB_SUFFIX=ref against it; see common.mjs).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import knexFactory from 'knex';
import { Sequelize, DataTypes, Op } from 'sequelize';
import { host, port, user, dbName } from './common.mjs';

test('knex: schema builder, foreign keys, jsonb and arrays, alter, transactions', async () => {
  const knex = knexFactory({ client: 'pg', connection: { host, port, user, database: dbName('knex') } });
  try {
    await knex.schema.createTable('users', (t) => {
      t.increments('id');
      t.string('email').notNullable().unique();
      t.timestamps(true, true);
      t.jsonb('meta');
      t.decimal('balance', 10, 2).defaultTo(0);
      t.uuid('uid').defaultTo(knex.raw('gen_random_uuid()'));
      t.enu('role', ['a', 'b']).defaultTo('a');
      t.boolean('active').defaultTo(true);
    });
    await knex.schema.createTable('posts', (t) => {
      t.bigIncrements('id');
      t.integer('user_id').unsigned().references('id').inTable('users').onDelete('CASCADE');
      t.text('body');
      t.specificType('tags', 'text[]');
      t.index(['user_id']);
    });
    const [u] = await knex('users').insert({ email: 'a@x', meta: { k: 1 } }).returning('*');
    assert.deepEqual([u.id, u.email, u.meta, u.balance, u.role, u.active, u.uid.length],
      [1, 'a@x', { k: 1 }, '0.00', 'a', true, 36]);
    assert.ok(u.created_at instanceof Date);
    await knex('posts').insert([
      { user_id: u.id, body: 'hi', tags: ['a', 'b'] },
      { user_id: u.id, body: 'yo', tags: [] },
    ]);
    assert.deepEqual(
      await knex('posts').join('users', 'users.id', 'posts.user_id')
        .select('posts.body', 'users.email', 'posts.tags').orderBy('posts.id'),
      [{ body: 'hi', email: 'a@x', tags: ['a', 'b'] }, { body: 'yo', email: 'a@x', tags: [] }]);
    assert.deepEqual(await knex('posts').where('tags', '@>', ['a']).count('* as n'), [{ n: '1' }]);
    assert.deepEqual(await knex('users').where('meta', '@>', { k: 1 }).first('email'), { email: 'a@x' });
    await knex.schema.alterTable('users', (t) => {
      t.string('name').nullable();
      t.dropColumn('active');
      t.renameColumn('email', 'mail');
    });
    await knex.schema.alterTable('posts', (t) => {
      t.string('body', 500).alter();
      t.dropForeign('user_id');
    });
    await knex.schema.alterTable('posts', (t) => {
      t.foreign('user_id').references('users.id').onDelete('SET NULL');
    });
    assert.equal(await knex.schema.hasColumn('users', 'mail'), true);
    await assert.rejects(knex.transaction(async (trx) => {
      await trx('users').insert({ mail: 'b@x' });
      throw new Error('rollback');
    }), /rollback/);
    assert.deepEqual(await knex('users').count('* as n'), [{ n: '1' }]);
    await knex('users').where({ id: u.id }).del();
    assert.deepEqual(await knex('posts').select('user_id'), [{ user_id: null }, { user_id: null }]);
    const cols = await knex('users').columnInfo();
    assert.deepEqual(Object.keys(cols).sort(),
      ['balance', 'created_at', 'id', 'mail', 'meta', 'name', 'role', 'uid', 'updated_at']);
    assert.equal(cols.balance.type, 'numeric');
    assert.equal(cols.balance.defaultValue, "'0'::numeric");
  } finally {
    await knex.destroy();
  }
});

test('sequelize: sync, alter twice, enum, associations, introspection', async () => {
  const s = new Sequelize(dbName('sequelize'), user, '', { host, port, dialect: 'postgres', logging: false });
  try {
    const User = s.define('User', {
      email: { type: DataTypes.STRING, unique: true, allowNull: false },
      age: DataTypes.INTEGER,
      meta: DataTypes.JSONB,
      price: DataTypes.DECIMAL(10, 2),
      kind: DataTypes.ENUM('x', 'y'),
      tags: DataTypes.ARRAY(DataTypes.STRING),
      uid: { type: DataTypes.UUID, defaultValue: DataTypes.UUIDV4 },
    });
    const Post = s.define('Post', { title: DataTypes.STRING });
    User.hasMany(Post);
    Post.belongsTo(User);
    await s.sync({ force: true });
    await s.sync({ alter: true });
    await s.sync({ alter: true });
    const u = await User.create({ email: 'a@x', age: 3, meta: { a: 1 }, price: '1.50', kind: 'x', tags: ['p', 'q'] });
    await Post.bulkCreate([{ title: 't1', UserId: u.id }, { title: 't2', UserId: u.id }]);
    const r = await User.findAll({ include: Post, where: { age: { [Op.gte]: 1 } }, order: [[Post, 'title', 'DESC']] });
    assert.deepEqual(r.map((x) => [x.email, x.price, x.kind, x.tags, x.Posts.map((p) => p.title)]),
      [['a@x', '1.50', 'x', ['p', 'q'], ['t2', 't1']]]);
    assert.equal(await User.count({ where: { meta: { a: 1 } } }), 1);
    assert.equal(await User.count({ where: { tags: { [Op.contains]: ['p'] } } }), 1);
    await assert.rejects(User.create({ email: 'c@x', kind: 'z' }));
    const t = await s.transaction();
    await User.create({ email: 'b@x' }, { transaction: t });
    await t.rollback();
    assert.equal(await User.count(), 1);
    await User.update({ age: 4 }, { where: { id: u.id } });
    assert.equal((await User.findByPk(u.id)).age, 4);
    const qi = s.getQueryInterface();
    assert.deepEqual(Object.keys(await qi.describeTable('Users')),
      ['id', 'email', 'age', 'meta', 'price', 'kind', 'tags', 'uid', 'createdAt', 'updatedAt']);
    await qi.addColumn('Users', 'nick', { type: DataTypes.STRING });
    await qi.changeColumn('Users', 'nick', { type: DataTypes.TEXT, allowNull: true });
    await qi.renameColumn('Users', 'nick', 'nickname');
    await qi.removeColumn('Users', 'nickname');
    await qi.addIndex('Users', ['age']);
    // PostgreSQL also lists Users_email_key1 and _key2: each `sync({alter})` adds the
    // same UNIQUE again there; litewire keeps one.
    const indexes = (await qi.showIndex('Users')).map((i) => i.name);
    for (const name of ['Users_email_key', 'Users_pkey', 'users_age']) {
      assert.ok(indexes.includes(name), `${name} in ${indexes}`);
    }
    assert.deepEqual((await qi.getForeignKeyReferencesForTable('Posts'))
      .map((f) => `${f.columnName}->${f.referencedTableName}`), ['UserId->Users']);
  } finally {
    await s.close();
  }
});

test('typeorm: synchronize (dropSchema), repositories, relations, jsonb, rollback, getTable', async () => {
  await import('reflect-metadata');
  const { DataSource, EntitySchema } = (await import('typeorm')).default;
  const User = new EntitySchema({
    name: 'User', tableName: 'users',
    columns: {
      id: { type: 'int', primary: true, generated: true },
      email: { type: 'varchar', unique: true },
      price: { type: 'numeric', precision: 10, scale: 2, default: 0 },
      meta: { type: 'jsonb', nullable: true },
      created: { type: 'timestamptz', createDate: true },
      tags: { type: 'text', array: true, default: '{}' },
    },
    relations: { posts: { type: 'one-to-many', target: 'Post', inverseSide: 'user' } },
  });
  const Post = new EntitySchema({
    name: 'Post', tableName: 'posts',
    columns: {
      id: { type: 'uuid', primary: true, generated: 'uuid' },
      title: { type: 'varchar', length: 100 },
    },
    relations: { user: { type: 'many-to-one', target: 'User', joinColumn: true, onDelete: 'CASCADE' } },
    indices: [{ columns: ['title'] }],
  });
  const ds = new DataSource({
    type: 'postgres', host, port, username: user, database: dbName('typeorm'),
    entities: [User, Post], synchronize: true, dropSchema: true, logging: false,
  });
  await ds.initialize();
  try {
    // A second synchronize reads the schema back through the catalogs (it used to
    // see id's type as "pg_catalog"."int4" and re-create the column).
    await ds.synchronize();
    const users = ds.getRepository('User');
    const posts = ds.getRepository('Post');
    const u = await users.save({ email: 'a@x', meta: { a: 1 }, tags: ['x'] });
    await posts.save([{ title: 't1', user: u }, { title: 't2', user: u }]);
    const found = await users.find({ relations: { posts: true }, order: { id: 'ASC' } });
    assert.deepEqual(found.map((x) => [x.email, x.price, x.tags, x.posts.map((p) => p.title).sort()]),
      [['a@x', '0.00', ['x'], ['t1', 't2']]]);
    assert.equal(await posts.count(), 2);
    assert.equal(await users.createQueryBuilder('u').where('u.meta @> :m', { m: { a: 1 } }).getCount(), 1);
    await assert.rejects(ds.transaction(async (m) => {
      await m.save('User', { email: 'b@x' });
      throw new Error('rollback');
    }), /rollback/);
    assert.equal(await users.count(), 1);
    const qr = ds.createQueryRunner();
    const t = await qr.getTable('posts');
    await qr.release();
    assert.deepEqual(t.columns.map((c) => `${c.name}:${c.type}`),
      ['id:uuid', 'title:character varying', 'userId:integer']);
    assert.equal(t.foreignKeys.length, 1);
    assert.equal(t.indices.length, 1);
  } finally {
    await ds.destroy();
  }
});
