// Password authentication with node-postgres, run by the Rust test
// `client_authentication` (tests/it/clients.rs) against a litewire started with the
// users and rules that test writes: alice (SCRAM verifier), bob (md5 hash), carol
// (cleartext rule); mallory has no rule. Exits non-zero with the first mismatch.
import pg from 'pg';
import { host, port } from './common.mjs';

const cases = [
  ['alice', 'alice-pw', 'alice'],
  ['alice', 'wrong', '28P01'],
  ['bob', 'bob-pw', 'bob'],
  ['bob', 'wrong', '28P01'],
  ['carol', 'carol-pw', 'carol'],
  ['carol', 'wrong', '28P01'],
  ['mallory', 'x', '28000'],
];

const failures = [];
for (const [user, password, want] of cases) {
  const client = new pg.Client({ host, port, user, password, database: 'auth_node' });
  let got;
  try {
    await client.connect();
    got = (await client.query('SELECT current_user AS u')).rows[0].u;
  } catch (e) {
    got = e.code ?? String(e);
  } finally {
    await client.end().catch(() => {});
  }
  if (got !== want) failures.push(`${user}/${password}: got ${got}, want ${want}`);
}
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log(`node auth: ${cases.length} checks passed`);
