// Who may call the API: tokens, session cookies, sign-out, revoked tokens, disabled users.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import {
  stopClean, req, assertProblem, login, addUser, disableUser, createToken, revokeToken,
} from '../lib/helpers.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await stopClean(srv); });

test('no credentials answer 401 problem+json', async () => {
  for (const path of ['/api/v1/companies', '/api/v1/contacts', '/api/v1/auth/me', '/api/v1/users', '/api/v1/search?q=a']) {
    assertProblem(await req(srv, 'GET', path, { auth: null }), 401, path);
  }
  assertProblem(await req(srv, 'POST', '/api/v1/companies', { auth: null, body: { name: 'Sneaky' } }), 401, 'POST');
  const list = await req(srv, 'GET', '/api/v1/companies?deleted=true');
  assert.ok(!list.body.data.some((c) => c.name === 'Sneaky'));
  const live = await req(srv, 'GET', '/api/v1/companies');
  assert.ok(!live.body.data.some((c) => c.name === 'Sneaky'), 'an unauthenticated POST wrote nothing');
});

test('a wrong or malformed token answers 401', async () => {
  const bad = [
    `Bearer ${srv.token}x`, `Bearer ${srv.token.slice(0, -1)}`, 'Bearer ', 'Bearer',
    `Bearer  ${'a'.repeat(5000)}`, `Token ${srv.token}`, srv.token,
  ];
  for (const header of bad) {
    assertProblem(await req(srv, 'GET', '/api/v1/auth/me', { auth: { header } }), 401, header.slice(0, 40));
  }
});

test('HTTP Basic credentials are not accepted', async () => {
  const basic = Buffer.from(`${srv.adminEmail}:${srv.adminPassword}`).toString('base64');
  assertProblem(await req(srv, 'GET', '/api/v1/auth/me', { auth: { header: `Basic ${basic}` } }), 401);
});

test('the admin token identifies the admin', async () => {
  const r = await req(srv, 'GET', '/api/v1/auth/me');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.email, srv.adminEmail);
  assert.equal(r.body.name, 'Ada Admin');
  assert.equal(r.body.is_admin, true);
  assert.ok(Number.isInteger(r.body.id) && r.body.id > 0);
});

test('login sets an HttpOnly SameSite session cookie that works on its own', async () => {
  const { res, cookie, setCookie } = await login(srv, srv.adminEmail, srv.adminPassword);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.user.email, srv.adminEmail);
  assert.ok(!('password' in res.body.user) && !('password_hash' in res.body.user), 'no password in the answer');
  assert.ok(setCookie, `Set-Cookie crm_session: ${res.headers.get('set-cookie')}`);
  assert.match(setCookie, /;\s*HttpOnly/i);
  assert.match(setCookie, /;\s*SameSite=(Strict|Lax)/i);
  assert.match(setCookie, /;\s*Path=\//i);
  assert.ok(cookie.length > 'crm_session='.length + 16, 'session id is long enough to be unguessable');
  const me = await req(srv, 'GET', '/api/v1/auth/me', { auth: { cookie } });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.body.email, srv.adminEmail);
  const list = await req(srv, 'GET', '/api/v1/companies', { auth: { cookie } });
  assert.equal(list.status, 200, list.text);
});

test('login email is matched case-insensitively', async () => {
  const { res } = await login(srv, srv.adminEmail.toUpperCase(), srv.adminPassword);
  assert.equal(res.status, 200, res.text);
});

test('a wrong password and an unknown email get the same 401 answer', async () => {
  const wrong = await login(srv, srv.adminEmail, 'not the password');
  const unknown = await login(srv, 'nobody@example.com', 'not the password');
  const a = assertProblem(wrong.res, 401, 'wrong password');
  const b = assertProblem(unknown.res, 401, 'unknown email');
  assert.equal(wrong.cookie, null, 'no session cookie on failure');
  assert.equal(a.title, b.title);
  assert.equal(a.detail, b.detail);
  assert.deepEqual(a.errors, b.errors);
});

test('login with a missing or malformed body is rejected without a session', async () => {
  for (const body of [{}, { email: srv.adminEmail }, { email: srv.adminEmail, password: '' },
                      { email: srv.adminEmail, password: 5 }, '{"email":']) {
    const r = await req(srv, 'POST', '/api/v1/auth/login', { auth: null, body });
    assert.ok([400, 401, 422].includes(r.status), `${JSON.stringify(body)} → ${r.status} ${r.text}`);
    const sc = r.headers.getSetCookie().find((c) => c.startsWith('crm_session='));
    assert.ok(!sc || /^crm_session=;|Max-Age=0/i.test(sc), `no session cookie: ${sc}`);
  }
});

test('a forged session cookie answers 401', async () => {
  assertProblem(await req(srv, 'GET', '/api/v1/auth/me', { auth: { cookie: 'crm_session=forged' } }), 401);
  assertProblem(await req(srv, 'GET', '/api/v1/auth/me', { auth: { cookie: `crm_session=${'A'.repeat(64)}` } }), 401);
});

test('logout ends the session: the old cookie no longer works', async () => {
  const { cookie, csrf } = await login(srv, srv.adminEmail, srv.adminPassword);
  assert.ok(cookie);
  const other = await login(srv, srv.adminEmail, srv.adminPassword);
  const out = await req(srv, 'POST', '/api/v1/auth/logout', { auth: { cookie, csrf } });
  assert.equal(out.status, 204, out.text);
  const cleared = out.headers.getSetCookie().find((c) => c.startsWith('crm_session='));
  assert.ok(cleared, 'logout clears the cookie');
  assert.match(cleared, /Max-Age=0|Expires=Thu, 01 Jan 1970|crm_session=;/i);
  assertProblem(await req(srv, 'GET', '/api/v1/auth/me', { auth: { cookie } }), 401, 'after logout');
  // Only that session ended: another session and the API token still work.
  assert.equal((await req(srv, 'GET', '/api/v1/auth/me', { auth: { cookie: other.cookie } })).status, 200);
  assert.equal((await req(srv, 'GET', '/api/v1/auth/me')).status, 200);
});

test('a token revoked with the CLI stops working at once', async () => {
  const token = createToken(srv, srv.adminEmail, 'to-revoke');
  assert.notEqual(token, srv.token);
  assert.equal((await req(srv, 'GET', '/api/v1/auth/me', { auth: token })).status, 200);
  revokeToken(srv, 'to-revoke');
  assertProblem(await req(srv, 'GET', '/api/v1/auth/me', { auth: token }), 401, 'revoked token');
  assertProblem(await req(srv, 'POST', '/api/v1/companies', { auth: token, body: { name: 'After revoke' } }), 401);
  assert.equal((await req(srv, 'GET', '/api/v1/auth/me')).status, 200, 'other tokens still work');
});

test('a disabled user cannot sign in, and its tokens and sessions stop working', async () => {
  const email = 'leaver@example.com';
  const password = 'tulip engine mosaic 123';
  addUser(srv, email, password, { name: 'Lee Leaver' });
  const token = createToken(srv, email);
  const me = await req(srv, 'GET', '/api/v1/auth/me', { auth: token });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.body.email, email);
  assert.equal(me.body.is_admin, false);
  const session = await login(srv, email, password);
  assert.equal(session.res.status, 200, session.res.text);

  disableUser(srv, email);

  assertProblem((await login(srv, email, password)).res, 401, 'login of a disabled user');
  assertProblem(await req(srv, 'GET', '/api/v1/auth/me', { auth: token }), 401, 'token of a disabled user');
  assertProblem(await req(srv, 'GET', '/api/v1/companies', { auth: token }), 401, 'token of a disabled user');
  assertProblem(await req(srv, 'GET', '/api/v1/auth/me', { auth: { cookie: session.cookie } }), 401,
                'session of a disabled user');
  const users = await req(srv, 'GET', '/api/v1/users');
  const u = users.body.data.find((x) => x.email === email);
  assert.equal(u.active, false);
});

test('GET /users lists users to any signed-in user, without secrets', async () => {
  addUser(srv, 'viewer@example.com', 'silent orchard gate 1', { name: 'Vera Viewer' });
  const token = createToken(srv, 'viewer@example.com', 'viewer');
  const r = await req(srv, 'GET', '/api/v1/users', { auth: token });
  assert.equal(r.status, 200, r.text);
  const vera = r.body.data.find((u) => u.email === 'viewer@example.com');
  assert.deepEqual(vera && Object.keys(vera).sort(),
                   ['active', 'department_id', 'email', 'id', 'is_admin', 'name', 'role_id']);
  assert.equal(vera.name, 'Vera Viewer');
  assert.doesNotMatch(r.text, /argon2|password|hash|salt/i);
});
