// Run by postgresjs.test.mjs in a child process: postgres.js with its default
// fetch_types, which sends a pg_catalog.pg_type query before the first query of each
// connection. When that query fails, postgres.js also leaves an unhandled rejection that
// would crash the test runner, hence the separate process. Prints the result as JSON.
import postgres from 'postgres';
import { host, port, user, dbName } from './common.mjs';

const sql = postgres({ host, port, user, database: dbName('pgjs_fetch_types'), max: 1, onnotice: () => {} });
process.on('unhandledRejection', (e) => {
  console.error(`unhandled rejection: ${e.code ?? ''} ${e.message}`);
  process.exit(1);
});
try {
  const rows = await sql`select ${41}::int4 + 1 as x`;
  console.log(JSON.stringify(rows));
  await sql.end({ timeout: 1 });
} catch (e) {
  console.error(`query failed: ${e.code ?? ''} ${e.message}`);
  process.exit(1);
}
