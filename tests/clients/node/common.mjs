// Shared settings for the node client suites: where litewire listens (LITEWIRE_HOST /
// LITEWIRE_PORT, set by tests/it/clients.rs) and a fresh database name per test, so a
// rerun against the same data folder starts from empty files.
//
// To check the expectations against a real PostgreSQL, set LITEWIRE_USER (e.g. postgres)
// and LITEWIRE_DB_SUFFIX (e.g. ref), and create the databases `<prefix>_<suffix>` first.

export const host = process.env.LITEWIRE_HOST ?? '127.0.0.1';
export const port = Number(process.env.LITEWIRE_PORT ?? 5433);
export const user = process.env.LITEWIRE_USER ?? 'nodetest';

const suffix = process.env.LITEWIRE_DB_SUFFIX ?? `${Date.now().toString(36)}${process.pid.toString(36)}`;

/** A database name unique to this run: litewire creates `<name>.db` on connect. */
export function dbName(prefix) {
  return `${prefix}_${suffix}`;
}

/** node-postgres connection settings for one database (any user, no password). */
export function pgConfig(prefix) {
  return { host, port, user, database: dbName(prefix) };
}
