// Where rights meet the second factor: a role can require 2FA of everyone
// who has it, and a mass owner change from a browser asks for the code again
// (step-up); one record, or an API token, does not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { stopClean, assertProblem, createOk, createToken, csrfSessions } from '../lib/helpers.mjs';
import { totp, nowStep } from '../lib/totp.mjs';

// Every change made with a session cookie carries its CSRF token (tested in accounts.test.mjs).
const { login, req } = csrfSessions();

const PASSWORD = 'amber otter juggles seventeen lanterns';
let srv;
let roles;
before(async () => {
  srv = await startServer();
  roles = Object.fromEntries((await req(srv, 'GET', '/api/v1/roles')).body.data.map((r) => [r.builtin, r]));
});
after(async () => { await stopClean(srv); });

async function newUser(email, role) {
  const r = await req(srv, 'POST', '/api/v1/users',
                      { body: { email, name: email, password: PASSWORD, role_id: roles[role].id } });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

test('a role that requires 2FA sends its members to enrolment after the password', async () => {
  await newUser('req2fa@example.com', 'support');
  const before = await login(srv, 'req2fa@example.com', PASSWORD);
  assert.equal(before.res.status, 200, before.res.text);
  assert.notEqual(before.res.body.mfa_enrol_required, true);
  const on = await req(srv, 'PATCH', `/api/v1/roles/${roles.support.id}`, { body: { require_2fa: true } });
  assert.equal(on.status, 200, on.text);
  assert.equal(on.body.require_2fa, true);
  const after = await login(srv, 'req2fa@example.com', PASSWORD);
  assert.equal(after.res.status, 200, after.res.text);
  assert.equal(after.res.body.mfa_enrol_required, true, after.res.text);
  // Until a factor is on, the session reaches nothing else.
  assertProblem(await req(srv, 'GET', '/api/v1/companies', { auth: { cookie: after.cookie } }), 401);
  assert.equal((await req(srv, 'PATCH', `/api/v1/roles/${roles.support.id}`, { body: { require_2fa: false } })).status, 200);
  const again = await login(srv, 'req2fa@example.com', PASSWORD);
  assert.notEqual(again.res.body.mfa_enrol_required, true);
});

test('moving several records at once from a browser needs the second factor again', async () => {
  const boss = await newUser('boss@example.com', 'director');
  const other = await newUser('other@example.com', 'manager');
  const a = await createOk(srv, 'companies', { name: 'Stepup A', owner_id: other.id });
  const b = await createOk(srv, 'companies', { name: 'Stepup B', owner_id: other.id });
  const first = await login(srv, 'boss@example.com', PASSWORD);
  const cookie = first.cookie;
  // Without a second factor there is nothing to confirm.
  const plain = await req(srv, 'POST', '/api/v1/companies/transfer',
                          { auth: { cookie }, body: { ids: [a.id, b.id], to_user_id: boss.id } });
  assert.equal(plain.status, 200, plain.text);
  // With TOTP on, two records need a fresh confirmation; one does not.
  const begin = await req(srv, 'POST', '/api/v1/auth/2fa/totp', { auth: { cookie } });
  assert.equal(begin.status, 201, begin.text);
  const step = nowStep();
  const conf = await req(srv, 'POST', '/api/v1/auth/2fa/totp/confirm',
                         { auth: { cookie }, body: { code: totp(begin.body.secret, step) } });
  assert.equal(conf.status, 200, conf.text);
  const mass = { ids: [a.id, b.id], to_user_id: other.id };
  const refused = assertProblem(await req(srv, 'POST', '/api/v1/companies/transfer', { auth: { cookie }, body: mass }), 403);
  assert.equal(refused.title, 'Step-up required');
  assert.match(refused.detail, /step-up/);
  assert.equal((await req(srv, 'GET', `/api/v1/companies/${a.id}`)).body.owner_id, boss.id, 'nothing moved');
  const one = await req(srv, 'POST', '/api/v1/companies/transfer', { auth: { cookie }, body: { ids: [a.id], to_user_id: other.id } });
  assert.equal(one.status, 200, one.text);
  const up = await req(srv, 'POST', '/api/v1/auth/step-up', { auth: { cookie }, body: { code: totp(begin.body.secret, step + 1) } });
  assert.equal(up.status, 200, up.text);
  const done = await req(srv, 'POST', '/api/v1/companies/transfer',
                         { auth: { cookie }, body: { ids: [a.id, b.id], to_user_id: boss.id } });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.body.moved, 2);
  // An API token is a second secret of its own: not asked.
  const token = createToken(srv, 'boss@example.com', 'boss');
  const byToken = await req(srv, 'POST', '/api/v1/companies/transfer', { auth: token, body: mass });
  assert.equal(byToken.status, 200, byToken.text);
});
