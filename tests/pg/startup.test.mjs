// Starting `crm serve` on PostgreSQL: several servers at once on a fresh
// database (a deploy behind a load balancer), a database that is not there,
// and a connection string with a password, which must never be printed.
// Runs when CRM_TEST_PG is set (scripts/check.sh, stage "API tests on PostgreSQL").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { BIN, PG, pgCreateDb, pgDropDb, pgUri, crm } from '../lib/server.mjs';
import { freePort, waitExit, crmRun, login } from '../lib/helpers.mjs';
import { waitUntil } from '../lib/load.mjs';

const skip = PG ? false : 'CRM_TEST_PG is not set: PostgreSQL tests run from scripts/check.sh';

// Spawns `crm serve` and resolves {url, child, log(), ready: bool, exited} once it
// answers /healthz or exits, whichever comes first (15 s at most).
async function serve(db, extra = [], port = null) {
  port = port || await freePort();
  const url = `http://127.0.0.1:${port}`;
  let out = '';
  const child = spawn(BIN, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  let exited = null;
  child.on('exit', (code, sig) => { exited = { code, sig }; });
  let ready = false;
  await waitUntil(async () => {
    if (exited) return true;
    try { ready = (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })).ok; } catch { ready = false; }
    return ready;
  }, 15000, `crm serve on ${db} to answer /healthz or exit`).catch(() => {});
  return { url, child, log: () => out, ready, exited: () => exited };
}

async function stopAll(servers) {
  for (const s of servers) {
    if (!s.exited()) s.child.kill('SIGTERM');
    if (!(await waitExit(s.child, 10000))) s.child.kill('SIGKILL');
  }
}

test('four servers started at once on an empty database all come up; the schema is made once', { skip, timeout: 60000 }, async () => {
  // A few rounds, each on a fresh database, the servers spawned in the same instant.
  for (let round = 0; round < 10; round++) {
    const { name, uri } = pgCreateDb();
    let servers = [];
    try {
      const ports = await Promise.all([0, 1, 2, 3].map(() => freePort()));
      servers = await Promise.all(ports.map((p) => serve(uri, [], p)));
      const failed = servers.filter((s) => !s.ready)
        .map((s) => `exit ${JSON.stringify(s.exited())}: ${s.log().split('\n').filter((l) => !l.startsWith('{')).join(' | ').slice(0, 500)}`);
      assert.deepEqual(failed, [], `round ${round}: every server started`);
      // The database works: an admin made with the CLI signs in through each server.
      crm(['init', '--db', uri, '--admin-email', 'admin@example.com', '--admin-name', 'Ada Admin'],
          { CRM_ADMIN_PASSWORD: 'correct horse battery staple' });
      for (const s of servers) {
        const { res } = await login(s, 'admin@example.com', 'correct horse battery staple');
        assert.equal(res.status, 200, res.text);
      }
    } finally {
      await stopAll(servers);
      pgDropDb(name);
    }
  }
});

test('crm serve on a database that does not exist, or a server that does not answer, exits non-zero with a clear message', { skip, timeout: 60000 }, async () => {
  const missing = pgUri('crm_no_such_database');
  const a = await serve(missing);
  if (!a.exited()) await stopAll([a]);
  assert.ok(a.exited(), 'exits instead of serving');
  assert.notEqual(a.exited().code, 0);
  assert.match(a.log(), /crm_no_such_database/, `names the database: ${a.log()}`);

  const u = new URL(PG);
  u.port = String(await freePort()); // nobody listens there
  const b = await serve(u.toString());
  if (!b.exited()) await stopAll([b]);
  assert.ok(b.exited(), 'exits instead of serving');
  assert.notEqual(b.exited().code, 0);
  assert.match(b.log(), new RegExp(`${u.port}`), `names the port: ${b.log()}`);
});

test('the password of the connection string is never printed', { skip, timeout: 60000 }, async () => {
  const { name, uri } = pgCreateDb();
  const secret = 'Sup3rSecretPassw0rd';
  const u = new URL(uri);
  u.password = secret; // the test cluster trusts loopback, so any password connects
  const withPw = u.toString();
  let s;
  try {
    const init = crmRun(['init', '--db', withPw, '--admin-email', 'admin@example.com', '--admin-name', 'Ada Admin'],
                        { CRM_ADMIN_PASSWORD: 'correct horse battery staple' });
    assert.equal(init.status, 0, init.stderr);
    s = await serve(withPw);
    assert.ok(s.ready, s.log());
    await fetch(`${s.url}/api/v1/companies`);
    await stopAll([s]);
    const bad = new URL(withPw);
    bad.port = String(await freePort());
    const fail = crmRun(['user', 'list', '--db', bad.toString()]);
    assert.notEqual(fail.status, 0);
    const printed = { init: init.stdout + init.stderr, serve: s.log(), failedConnect: fail.stdout + fail.stderr };
    const leaks = Object.entries(printed).filter(([, text]) => text.includes(secret))
      .map(([k, text]) => `${k}: ${text.split('\n').find((l) => l.includes(secret))}`);
    assert.deepEqual(leaks, [], 'the password appears in the output');
  } finally {
    if (s) await stopAll([s]);
    pgDropDb(name);
  }
});
