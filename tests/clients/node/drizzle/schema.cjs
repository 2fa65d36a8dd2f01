// The Drizzle schema of drizzle.test.mjs, in CommonJS so that drizzle-kit (which
// require()s the schema file) and the ESM test read the same definitions.

const { pgTable, pgEnum, serial, integer, text, varchar, timestamp, jsonb, boolean, numeric, index, uniqueIndex } =
  require('drizzle-orm/pg-core');
const { relations, sql } = require('drizzle-orm');

const role = pgEnum('role', ['admin', 'member', 'guest']);

const users = pgTable('users', {
  id: serial('id').primaryKey(),
  email: varchar('email', { length: 255 }).notNull().unique(),
  name: text('name'),
  role: role('role').notNull().default('member'),
  meta: jsonb('meta').$type(),
  active: boolean('active').notNull().default(true),
  balance: numeric('balance', { precision: 10, scale: 2 }).default('0'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

const posts = pgTable('posts', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  authorId: integer('author_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  title: text('title').notNull(),
  tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
  publishedAt: timestamp('published_at', { withTimezone: true, mode: 'date' }),
}, (t) => [index('posts_author_idx').on(t.authorId), uniqueIndex('posts_title_uq').on(t.authorId, t.title)]);

const comments = pgTable('comments', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  postId: integer('post_id').notNull().references(() => posts.id, { onDelete: 'cascade' }),
  body: text('body').notNull(),
});

const usersRelations = relations(users, ({ many }) => ({ posts: many(posts) }));
const postsRelations = relations(posts, ({ one, many }) => ({
  author: one(users, { fields: [posts.authorId], references: [users.id] }),
  comments: many(comments),
}));
const commentsRelations = relations(comments, ({ one }) => ({
  post: one(posts, { fields: [comments.postId], references: [posts.id] }),
}));

module.exports = { role, users, posts, comments, usersRelations, postsRelations, commentsRelations };
