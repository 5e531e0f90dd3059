// Session timeouts, with small configured values and waits a known bound
// past them: idle (--session-idle 3s: unused for 3 s ends it; use keeps
// it alive) and absolute (--session-max 6s: ends 6 s after sign-in however
// busy). The cookie's Max-Age follows --session-max.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { stopClean, req, assertProblem, login } from '../lib/helpers.mjs';

let srv;
before(async () => { srv = await startServer({ args: ['--session-idle', '3s', '--session-max', '6s'] }); });
after(async () => { await stopClean(srv); });

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

test('an unused session ends after the idle timeout', async () => {
  const s = await login(srv, srv.adminEmail, srv.adminPassword);
  assert.match(s.setCookie, /Max-Age=6(;|$)/);
  assert.equal((await req(srv, 'GET', '/api/v1/auth/me', { auth: s.auth })).status, 200);
  await sleep(3500);
  const r = assertProblem(await req(srv, 'GET', '/api/v1/auth/me', { auth: s.auth }), 401, 'idle 3.5 s > 3 s');
  assert.match(r.detail, /sign in again/);
  assert.equal((await req(srv, 'GET', '/api/v1/auth/me', { auth: s.auth })).status, 401, 'it stays ended');
});

test('use keeps a session alive past the idle timeout, until the absolute one', async () => {
  const s = await login(srv, srv.adminEmail, srv.adminPassword);
  const t0 = Date.now();
  // Busy for 4.5 s: past the 3 s idle timeout, before the 6 s absolute one.
  while (Date.now() - t0 < 4500) {
    const r = await req(srv, 'GET', '/api/v1/auth/me', { auth: s.auth });
    assert.equal(r.status, 200, `at ${Date.now() - t0} ms: ${r.text}`);
    await sleep(400);
  }
  while (Date.now() - t0 < 6300) {
    await req(srv, 'GET', '/api/v1/auth/me', { auth: s.auth });
    await sleep(400);
  }
  assertProblem(await req(srv, 'GET', '/api/v1/auth/me', { auth: s.auth }), 401, 'past the absolute timeout');
  const list = await req(srv, 'GET', '/api/v1/auth/sessions');
  assert.ok(!list.body.data.some((x) => Date.now() - Date.parse(x.created_at) > 6000), 'ended sessions are not listed');
});

test('a replayed cookie after logout and a forged one answer 401', async () => {
  const s = await login(srv, srv.adminEmail, srv.adminPassword);
  assert.equal((await req(srv, 'POST', '/api/v1/auth/logout', { auth: s.auth })).status, 204);
  assertProblem(await req(srv, 'GET', '/api/v1/auth/me', { auth: s.auth }), 401, 'replayed');
  assertProblem(await req(srv, 'POST', '/api/v1/companies', { auth: s.auth, body: { name: 'Replay' } }), 401, 'replayed write');
  const forged = s.cookie.slice(0, -2) + (s.cookie.endsWith('AA') ? 'BB' : 'AA');
  assertProblem(await req(srv, 'GET', '/api/v1/auth/me', { auth: { cookie: forged } }), 401, 'forged');
});

test('bad timeout flags are refused with a message', async () => {
  const { crmRun } = await import('../lib/helpers.mjs');
  const r = crmRun(['serve', '--db', srv.db, '--listen', '127.0.0.1:1', '--session-idle', 'forever']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--session-idle.*duration/);
  const m = crmRun(['serve', '--db', srv.db, '--listen', '127.0.0.1:1', '--session-max', '30d']);
  assert.equal(m.status, 2, 'more than 14 days');
});
