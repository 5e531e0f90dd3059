// Two `crm serve` processes on one PostgreSQL database, as behind a load
// balancer: concurrent writes through both, each visible through the other,
// sessions shared, optimistic locking across servers, and one server killed
// mid-burst without losing an acknowledged write.
// Runs when CRM_TEST_PG is set (scripts/check.sh, stage "API tests on PostgreSQL").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, PG } from '../lib/server.mjs';
import { stopClean, req, login, listAll, waitExit, addUser, assertProblem } from '../lib/helpers.mjs';
import { send, pool, waitUntil, writeStream, assertAllStored, describe, logTail, log5xx } from '../lib/load.mjs';

const skip = PG ? false : 'CRM_TEST_PG is not set: PostgreSQL tests run from scripts/check.sh';
let A; // owns the database (stop() drops it)
let B; // a second server on A's database
const extra = [];

before(async () => {
  if (!PG) return;
  A = await startServer();
  B = await startServer({ db: A.db });
});
after(async () => {
  for (const s of extra) await s.stop();
  if (B) await B.stop();
  if (A) await stopClean(A);
});

test('failed sign-ins count across servers, and a system lock set on one holds on the other within a second', { skip, timeout: 30000 }, async () => {
  const email = 'shared@example.com';
  const pw = 'glacier marble whistle 4';
  addUser(A, email, pw, { name: 'Sha Red' });
  for (let i = 0; i < 5; i++) {
    const via = i % 2 ? B : A;
    assert.equal((await login(via, email, 'wrong guess 12345')).res.status, 401);
  }
  const locked = (await login(B, email, pw)).res;
  assertProblem(locked, 429, 'five failures split across A and B lock the account on B');
  assert.equal((await req(A, 'POST', '/api/v1/auth/unlock', { body: { email } })).status, 204);
  const s = await login(B, email, pw);
  assert.equal(s.res.status, 200, 'unlocked through A, signs in on B');
  const set = await req(A, 'PUT', '/api/v1/system/state', { body: { state: 'locked', message: 'two servers' } });
  assert.equal(set.status, 200, set.text);
  try {
    await new Promise((ok) => setTimeout(ok, 1200)); // B's cache lives at most 1 s
    const r = assertProblem(await req(B, 'GET', '/api/v1/companies', { auth: s.auth }), 503, 'B follows the lock');
    assert.match(r.detail, /two servers/);
  } finally {
    assert.equal((await req(B, 'PUT', '/api/v1/system/state', { body: { state: 'normal' } })).status, 200);
  }
  await new Promise((ok) => setTimeout(ok, 1200));
  assert.equal((await req(A, 'GET', '/api/v1/companies', { auth: s.auth })).status, 200, 'A follows the lift');
});

const logs = () => `\n--- server A ---\n${logTail(A)}\n${log5xx(A)}\n--- server B ---\n${logTail(B)}\n${log5xx(B)}`;

test('a burst of 400 concurrent creates split across two servers: all 201, each visible through the other', { skip, timeout: 120000 }, async () => {
  const N = 400;
  const servers = [A, B];
  const results = await pool(48, Array.from({ length: N }, (_, i) => i), async (i) => {
    const srv = servers[i % 2];
    const name = `Burst ${i}`;
    const r = await send(srv, 'POST', '/api/v1/companies', { body: { name, tags: ['burst'], emails: [`b${i}@example.com`] } });
    return { i, name, via: i % 2, ...r };
  });
  const bad = results.filter((r) => r.status !== 201);
  assert.deepEqual(bad.map((r) => ({ i: r.i, via: r.via, status: r.status, error: r.error, text: r.text && r.text.slice(0, 300) })).slice(0, 10), [],
                   `${bad.length} of ${N} creates did not answer 201${logs()}`);
  const ids = results.map((r) => r.body.id);
  assert.equal(new Set(ids).size, N, 'every create got its own id');

  // Each record is readable through the server that did not create it.
  const cross = await pool(32, results, async (r) => {
    const other = servers[1 - r.via];
    const g = await send(other, 'GET', `/api/v1/companies/${r.body.id}`);
    return g.status === 200 && g.body.name === r.name && g.body.version === r.body.version
      ? null : { id: r.body.id, via: r.via, status: g.status, error: g.error, text: g.text && g.text.slice(0, 300) };
  });
  const unseen = cross.filter(Boolean);
  assert.deepEqual(unseen.slice(0, 10), [], `${unseen.length} records not visible (or different) through the other server${logs()}`);

  // Both servers list the same 400 records.
  const la = (await listAll(A, 'companies', 'tag=burst')).map((c) => c.id).sort((x, y) => x - y);
  const lb = (await listAll(B, 'companies', 'tag=burst')).map((c) => c.id).sort((x, y) => x - y);
  assert.equal(la.length, N, 'server A lists all of them');
  assert.deepEqual(lb, la, 'server B lists the same records');
  assert.deepEqual(la, [...ids].sort((x, y) => x - y));

  // Search through B finds a record created through A.
  const s = await req(B, 'GET', `/api/v1/companies?q=${encodeURIComponent('b398@example.com')}`);
  assert.equal(s.status, 200, s.text);
  assert.deepEqual(s.body.data.map((c) => c.name), ['Burst 398'], s.text);

  // The 400 creates' audit entries, appended by both servers at once, form
  // one unbroken chain (each server keeps the chain's head only within its
  // own transaction, under the advisory lock).
  const v = await req(B, 'GET', '/api/v1/audit/verify');
  assert.equal(v.status, 200, v.text);
  assert.equal(v.body.ok, true, `the audit chain after the burst: ${v.text}`);
  assert.deepEqual(v.body.problems, []);
});

test('a session cookie from server A works on server B, and logout on B ends it on A', { skip, timeout: 30000 }, async () => {
  const { res, cookie, csrf } = await login(A, A.adminEmail, A.adminPassword);
  assert.equal(res.status, 200, res.text);
  assert.ok(cookie, 'login on A sets a session cookie');
  const meB = await req(B, 'GET', '/api/v1/auth/me', { auth: { cookie } });
  assert.equal(meB.status, 200, `the A session on B: ${meB.text}`);
  assert.equal(meB.body.email, A.adminEmail);
  const created = await req(B, 'POST', '/api/v1/companies', { auth: { cookie, csrf }, body: { name: 'Made With A Session On B' } });
  assert.equal(created.status, 201, created.text);
  // The API token of one server's CLI works on the other too (one database).
  assert.equal((await req(A, 'GET', '/api/v1/auth/me', { auth: B.token })).status, 200, 'B token on A');

  const out = await req(B, 'POST', '/api/v1/auth/logout', { auth: { cookie, csrf } });
  assert.equal(out.status, 204, out.text);
  const meA = await req(A, 'GET', '/api/v1/auth/me', { auth: { cookie } });
  assert.equal(meA.status, 401, `the session ended on B is dead on A at once: ${meA.text}`);
});

test('If-Match is enforced across servers: a write through A makes B answer 412 to the stale ETag', { skip, timeout: 30000 }, async () => {
  const c = await req(A, 'POST', '/api/v1/companies', { body: { name: 'Versioned' } });
  assert.equal(c.status, 201, c.text);
  const etag0 = c.headers.get('etag');
  assert.ok(etag0, 'create answers an ETag');
  const p1 = await req(A, 'PATCH', `/api/v1/companies/${c.body.id}`, { body: { name: 'Versioned 2' }, headers: { 'If-Match': etag0 } });
  assert.equal(p1.status, 200, p1.text);
  const stale = await req(B, 'PATCH', `/api/v1/companies/${c.body.id}`, { body: { name: 'Lost Update' }, headers: { 'If-Match': etag0 } });
  assert.equal(stale.status, 412, `stale ETag through B: ${stale.text}`);
  const now = await req(B, 'GET', `/api/v1/companies/${c.body.id}`);
  assert.equal(now.body.name, 'Versioned 2');
  assert.equal(now.headers.get('etag'), p1.headers.get('etag'), 'both servers agree on the current version');

  // Concurrent PATCHes with the same ETag through both servers: exactly one wins.
  const et = now.headers.get('etag');
  const both = await Promise.all([A, B].map((s, i) =>
    req(s, 'PATCH', `/api/v1/companies/${c.body.id}`, { body: { name: `Race ${i}` }, headers: { 'If-Match': et } })));
  const statuses = both.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 412], `one PATCH wins, the other is stale: ${both.map((r) => r.text).join(' | ')}`);
});

test('concurrent PATCHes without If-Match through both servers all apply (no 412 without a precondition)', { skip, timeout: 30000 }, async () => {
  // docs/api.md: "without If-Match the change applies to whatever version is current".
  const c = await req(A, 'POST', '/api/v1/companies', { body: { name: 'Last Writer Wins', tags: ['lww'] } });
  assert.equal(c.status, 201, c.text);
  const N = 20;
  const rs = await Promise.all(Array.from({ length: N }, (_, i) =>
    send([A, B][i % 2], 'PATCH', `/api/v1/companies/${c.body.id}`, { body: { industry: `i${i}`, tags: ['lww', `p${i}`] } })));
  const bad = rs.map((r, i) => ({ i, status: r.status, error: r.error, text: r.text })).filter((r) => r.status !== 200);
  assert.deepEqual(bad.slice(0, 5), [], `${bad.length} of ${N} PATCHes without If-Match did not answer 200${logs()}`);
  const now = await req(B, 'GET', `/api/v1/companies/${c.body.id}`);
  assert.equal(now.body.version, 1 + N, `every PATCH bumped the version once: ${now.text}`);
  const versions = rs.map((r) => r.body.version).sort((x, y) => x - y);
  assert.deepEqual(versions, Array.from({ length: N }, (_, i) => i + 2), 'each PATCH answered its own new version');
  const last = rs.find((r) => r.body.version === 1 + N).body;
  assert.deepEqual(now.body.tags.slice().sort(), last.tags.slice().sort(), 'the stored tags are those of the last PATCH');
});

test('SIGKILL one server mid-burst: the other keeps answering 201 and every acknowledged write is stored', { skip, timeout: 120000 }, async () => {
  const tag = 'killburst';
  const stream = writeStream([A, B], { tag, workers: 8, notes: 500 });
  let killedAt = 0;
  try {
    await waitUntil(() => stream.acked.filter((a) => a.srv === 1).length >= 100, 30000, '100 writes through B');
    killedAt = Date.now();
    B.child.kill('SIGKILL');
    const res = await waitExit(B.child, 5000);
    assert.ok(res, 'B died');
    const before = stream.acked.filter((a) => a.srv === 0).length;
    await waitUntil(() => stream.acked.filter((a) => a.srv === 0 && a.t > killedAt).length >= 100, 30000,
                    `100 more writes through A after the kill (A had ${before})`);
  } finally {
    await stream.stop();
  }
  // A never failed; B failed only by going away (no answer), never with a 5xx.
  const failsA = stream.fails.filter((f) => f.srv === 0);
  assert.deepEqual(failsA.slice(0, 10), [], `server A failed ${failsA.length} requests while B was killed: ${describe(failsA)}${logs()}`);
  const failsB = stream.fails.filter((f) => f.srv === 1);
  const badB = failsB.filter((f) => !f.error || f.start < killedAt - 1000);
  assert.deepEqual(badB.slice(0, 10), [], `server B answered errors before it was killed: ${describe(badB)}${logs()}`);
  assert.equal(A.exited(), null, 'A is still running');

  // Every 201 from either server is in the database, whole.
  const acked = stream.acked;
  assert.ok(acked.filter((a) => a.srv === 1).length >= 100);
  await assertAllStored(A, tag, acked, 'after SIGKILL of B');

  // A new server on the same database, after the crash, sees the same data and can write.
  const C = await startServer({ db: A.db });
  extra.push(C);
  await assertAllStored(C, tag, acked, 'through a fresh server C');
  const w = await send(C, 'POST', '/api/v1/companies', { body: { name: 'After The Crash', tags: [tag] } });
  assert.equal(w.status, 201, w.text);
  const g = await send(A, 'GET', `/api/v1/companies/${w.body.id}`);
  assert.equal(g.status, 200, g.text);
});
