// TLS with node-postgres (the CA given, certificates verified), run by the Rust test
// `client_tls` (tests/it/clients.rs) against a litewire with TLS, a hostssl trust rule
// and a hostnossl reject rule: TLS gets in and is in use, a plain connection is refused
// with 28000. Exits non-zero with the mismatches.
import fs from 'node:fs';
import pg from 'pg';
import { host, port } from './common.mjs';

const ca = fs.readFileSync(process.env.LITEWIRE_TLS_CA);
const failures = [];

const secure = new pg.Client({
  host, port, user: 'tester', database: 'tls_node', ssl: { ca, rejectUnauthorized: true },
});
await secure.connect();
try {
  const { rows } = await secure.query('SELECT 6 * 7 AS v');
  if (rows[0].v !== 42) failures.push(`wrong answer over TLS: ${rows[0].v}`);
  if (secure.connection.stream.encrypted !== true) failures.push('connection does not use TLS');
} finally {
  await secure.end();
}

const plain = new pg.Client({ host, port, user: 'tester', database: 'tls_node', ssl: false });
try {
  await plain.connect();
  failures.push('a plain connection got in past hostnossl reject');
} catch (e) {
  if (e.code !== '28000') failures.push(`plain: ${e.code} ${e.message}`);
} finally {
  await plain.end().catch(() => {});
}

if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log('node tls: node-postgres passed');
