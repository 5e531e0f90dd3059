// Two-factor sign-in over real HTTP: TOTP enrolment with recovery codes, the
// second step of signing in (pending sessions), replay and guessing limits,
// step-up, required 2FA, reset by an administrator. Codes are computed here
// with node:crypto (RFC 6238, SHA-1, 30 s, 6 digits), independently of liboath.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { totp, nowStep, b32decode } from '../lib/totp.mjs';
import { stopClean, assertProblem, addUser, crmOk, crmRun, csrfSessions } from '../lib/helpers.mjs';

// Every change made with a session cookie carries its CSRF token (tested in accounts.test.mjs).
const { login, req } = csrfSessions();

const PASSWORD = 'correct horse battery staple';
let srv;
let seq = 0;
before(async () => { srv = await startServer(); });
after(async () => { await stopClean(srv); });

// A fresh user with a session cookie; every test gets its own (TOTP steps
// are spent per user, so tests must not share one).
async function freshUser() {
  const email = `twofa${++seq}@example.com`;
  addUser(srv, email, PASSWORD, { name: `Two Fa ${seq}` });
  const { res, cookie } = await login(srv, email, PASSWORD);
  assert.equal(res.status, 200, res.text);
  assert.ok(res.body.user, 'no 2FA yet: a plain sign-in');
  return { email, cookie };
}

// Enrols TOTP for a signed-in user; returns {secret, codes, step}.
async function enrol(cookie) {
  const b = await req(srv, 'POST', '/api/v1/auth/2fa/totp', { auth: { cookie } });
  assert.equal(b.status, 201, b.text);
  const step = nowStep();
  const c = await req(srv, 'POST', '/api/v1/auth/2fa/totp/confirm', { auth: { cookie }, body: { code: totp(b.body.secret, step) } });
  assert.equal(c.status, 200, c.text);
  return { secret: b.body.secret, codes: c.body.recovery_codes, step, begin: b.body };
}

const verify = (cookie, body) => req(srv, 'POST', '/api/v1/auth/2fa/verify', { auth: { cookie }, body });

test('enrolment answers a base32 secret, an otpauth URI and a QR code as plain SVG', async () => {
  const u = await freshUser();
  const b = await req(srv, 'POST', '/api/v1/auth/2fa/totp', { auth: { cookie: u.cookie } });
  assert.equal(b.status, 201, b.text);
  assert.match(b.body.secret, /^[A-Z2-7]{32}$/, '20 random bytes in base32');
  assert.equal(b32decode(b.body.secret).length, 20);
  const uri = new URL(b.body.uri);
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.host, 'totp');
  assert.equal(decodeURIComponent(uri.pathname), `/CRM:${u.email}`);
  assert.equal(uri.searchParams.get('secret'), b.body.secret);
  assert.equal(uri.searchParams.get('issuer'), 'CRM');
  assert.match(b.body.qr_svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<\/svg>$/s);
  assert.doesNotMatch(b.body.qr_svg, /<script|on\w+=|href/i, 'no script or links in the SVG');
  const st = await req(srv, 'GET', '/api/v1/auth/2fa', { auth: { cookie: u.cookie } });
  assert.equal(st.body.totp, false, 'not on before the confirmation');
  assert.equal(st.body.totp_pending, true);
  // Until confirmed, the password alone still signs in.
  const again = await login(srv, u.email, PASSWORD);
  assert.ok(again.res.body.user, again.res.text);
});

test('a wrong code does not confirm the enrolment', async () => {
  const u = await freshUser();
  const b = await req(srv, 'POST', '/api/v1/auth/2fa/totp', { auth: { cookie: u.cookie } });
  const wrong = totp(b.body.secret) === '000000' ? '111111' : '000000';
  assertProblem(await req(srv, 'POST', '/api/v1/auth/2fa/totp/confirm', { auth: { cookie: u.cookie }, body: { code: wrong } }), 401);
  const st = await req(srv, 'GET', '/api/v1/auth/2fa', { auth: { cookie: u.cookie } });
  assert.equal(st.body.totp, false);
});

test('confirming shows 10 recovery codes once; sign-in then needs the second step', async () => {
  const u = await freshUser();
  const { secret, codes, step } = await enrol(u.cookie);
  assert.equal(codes.length, 10);
  assert.equal(new Set(codes).size, 10);
  for (const c of codes) assert.match(c, /^[a-z2-9]{5}-[a-z2-9]{5}$/);
  const st = await req(srv, 'GET', '/api/v1/auth/2fa', { auth: { cookie: u.cookie } });
  assert.equal(st.body.totp, true);
  assert.equal(st.body.recovery_codes_left, 10);
  assert.ok(!JSON.stringify(st.body).includes(codes[0]), 'codes are never shown again');

  const { res, cookie } = await login(srv, u.email, PASSWORD);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.mfa_required, true);
  assert.deepEqual(res.body.methods, ['totp', 'recovery']);
  assert.ok(!('user' in res.body), 'no user before the second step');
  assert.ok(cookie, 'a pending session cookie is set');
  for (const path of ['/api/v1/companies', '/api/v1/auth/me', '/api/v1/users']) {
    const p = assertProblem(await req(srv, 'GET', path, { auth: { cookie } }), 401, path);
    assert.match(p.detail, /2fa\/verify/, 'the detail says how to finish');
  }
  const ok = await verify(cookie, { code: totp(secret, step + 1) });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.user.email, u.email);
  const list = await req(srv, 'GET', '/api/v1/companies', { auth: { cookie } });
  assert.equal(list.status, 200, list.text);
  assertProblem(await verify(cookie, { code: totp(secret, step + 1) }), 409, 'a complete session has no second step');
});

test('a used code is refused (replay), also in another sign-in', async () => {
  const u = await freshUser();
  const { secret, step } = await enrol(u.cookie);
  // The confirmation spent `step`: it cannot sign in.
  const a = await login(srv, u.email, PASSWORD);
  const p = assertProblem(await verify(a.cookie, { code: totp(secret, step) }), 401);
  assert.match(p.detail, /already used/);
  assert.equal((await verify(a.cookie, { code: totp(secret, step + 1) })).status, 200);
  const b = await login(srv, u.email, PASSWORD);
  assertProblem(await verify(b.cookie, { code: totp(secret, step + 1) }), 401, 'same code again');
  assertProblem(await req(srv, 'GET', '/api/v1/companies', { auth: { cookie: b.cookie } }), 401);
});

test('codes outside the ±1 step window are refused', async () => {
  const u = await freshUser();
  const { secret, step } = await enrol(u.cookie);
  const a = await login(srv, u.email, PASSWORD);
  assertProblem(await verify(a.cookie, { code: totp(secret, step + 3) }), 401, 'three steps ahead');
  assertProblem(await verify(a.cookie, { code: totp(secret, step - 3) }), 401, 'three steps behind');
  assertProblem(await verify(a.cookie, { code: 'abcdef' }), 401, 'not digits');
  assert.equal((await verify(a.cookie, { code: totp(secret, step + 1) })).status, 200);
});

test('five wrong second steps end the pending session', async () => {
  const u = await freshUser();
  const { secret, step } = await enrol(u.cookie);
  const a = await login(srv, u.email, PASSWORD);
  const good = totp(secret, step + 1);
  const bad = good === '123456' ? '654321' : '123456';
  for (let i = 1; i <= 4; i++) {
    const r = await verify(a.cookie, { code: bad });
    assertProblem(r, 401, `wrong code ${i}`);
    assert.equal(r.headers.get('set-cookie'), null, 'a wrong code keeps the pending session');
  }
  const r5 = await verify(a.cookie, { code: bad });
  const last = assertProblem(r5, 401, 'wrong code 5');
  assert.match(r5.headers.get('set-cookie') || '', /crm_session=;.*Max-Age=0/, 'the ended session\'s cookie is cleared');
  assert.match(last.detail, /Too many/);
  assertProblem(await verify(a.cookie, { code: good }), 401, 'the right code is too late');
  // A new sign-in starts over.
  const b = await login(srv, u.email, PASSWORD);
  assert.equal((await verify(b.cookie, { code: good })).status, 200);
});

test('a recovery code works once, with or without the dash', async () => {
  const u = await freshUser();
  const { codes } = await enrol(u.cookie);
  const a = await login(srv, u.email, PASSWORD);
  assert.deepEqual(a.res.body.methods, ['totp', 'recovery']);
  assert.equal((await verify(a.cookie, { recovery_code: codes[0].toUpperCase().replace('-', '') })).status, 200);
  const b = await login(srv, u.email, PASSWORD);
  assertProblem(await verify(b.cookie, { recovery_code: codes[0] }), 401, 'used once already');
  assertProblem(await verify(b.cookie, { recovery_code: 'aaaaa-aaaaa' }), 401);
  assert.equal((await verify(b.cookie, { recovery_code: codes[1] })).status, 200);
  const st = await req(srv, 'GET', '/api/v1/auth/2fa', { auth: { cookie: b.cookie } });
  assert.equal(st.body.recovery_codes_left, 8);
});

test('regenerating recovery codes needs a code and voids the old ones', async () => {
  const u = await freshUser();
  const { secret, codes, step } = await enrol(u.cookie);
  assertProblem(await req(srv, 'POST', '/api/v1/auth/2fa/recovery-codes', { auth: { cookie: u.cookie }, body: {} }), 422);
  const r = await req(srv, 'POST', '/api/v1/auth/2fa/recovery-codes', { auth: { cookie: u.cookie }, body: { code: totp(secret, step + 1) } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.recovery_codes.length, 10);
  const a = await login(srv, u.email, PASSWORD);
  assertProblem(await verify(a.cookie, { recovery_code: codes[2] }), 401, 'old code');
  assert.equal((await verify(a.cookie, { recovery_code: r.body.recovery_codes[0] })).status, 200);
});

test('malformed second steps are refused without crashing', async () => {
  const u = await freshUser();
  await enrol(u.cookie);
  const a = await login(srv, u.email, PASSWORD);
  assertProblem(await verify(a.cookie, {}), 400, 'nothing');
  assertProblem(await verify(a.cookie, { code: '123456', recovery_code: 'aaaaa-aaaaa' }), 400, 'two proofs');
  assertProblem(await verify(a.cookie, { code: 123456 }), 422, 'a number');
  assertProblem(await verify(a.cookie, { assertion: 'x' }), 422, 'assertion not an object');
  const p = await req(srv, 'POST', '/api/v1/auth/2fa/verify', { auth: { cookie: a.cookie }, body: '{"code":' });
  assertProblem(p, 400, 'broken JSON');
});

test('turning TOTP off needs the password or a current code', async () => {
  const u = await freshUser();
  const { secret, step } = await enrol(u.cookie);
  assertProblem(await req(srv, 'DELETE', '/api/v1/auth/2fa/totp', { auth: { cookie: u.cookie }, body: { password: 'wrong password!' } }), 401);
  assertProblem(await req(srv, 'DELETE', '/api/v1/auth/2fa/totp', { auth: { cookie: u.cookie }, body: {} }), 400);
  const off = await req(srv, 'DELETE', '/api/v1/auth/2fa/totp', { auth: { cookie: u.cookie }, body: { code: totp(secret, step + 1) } });
  assert.equal(off.status, 204, off.text);
  const st = await req(srv, 'GET', '/api/v1/auth/2fa', { auth: { cookie: u.cookie } });
  assert.equal(st.body.totp, false);
  assert.equal(st.body.recovery_codes_left, 0, 'recovery codes go with the last factor');
  const a = await login(srv, u.email, PASSWORD);
  assert.ok(a.res.body.user, 'the password alone signs in again');
  // Off by password.
  const again = await enrol(a.cookie);
  assert.ok(again.secret !== secret, 'a new secret');
  const off2 = await req(srv, 'DELETE', '/api/v1/auth/2fa/totp', { auth: { cookie: a.cookie }, body: { password: PASSWORD } });
  assert.equal(off2.status, 204, off2.text);
});

test('API tokens are not asked for a second factor', async () => {
  const u = await freshUser();
  await enrol(u.cookie);
  const token = crmOk(['token', 'create', '--db', srv.db, '--user', u.email]).trim();
  const me = await req(srv, 'GET', '/api/v1/auth/me', { auth: token });
  assert.equal(me.status, 200, me.text);
});

test('step-up marks a session as recently re-verified', async () => {
  const u = await freshUser();
  const { secret, step } = await enrol(u.cookie);
  const bad = totp(secret, step + 1) === '000000' ? '111111' : '000000';
  assertProblem(await req(srv, 'POST', '/api/v1/auth/step-up', { auth: { cookie: u.cookie }, body: { code: bad } }), 401);
  const ok = await req(srv, 'POST', '/api/v1/auth/step-up', { auth: { cookie: u.cookie }, body: { code: totp(secret, step + 1) } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.stepped_up, true);
  const tok = crmOk(['token', 'create', '--db', srv.db, '--user', u.email]).trim();
  assertProblem(await req(srv, 'POST', '/api/v1/auth/step-up', { auth: tok, body: { code: '123456' } }), 403, 'tokens cannot step up');
});

test('a user required to use 2FA can only enrol until they do', async () => {
  const u = await freshUser();
  crmOk(['user', 'require-2fa', '--db', srv.db, '--email', u.email]);
  const a = await login(srv, u.email, PASSWORD);
  assert.equal(a.res.status, 200, a.res.text);
  assert.equal(a.res.body.mfa_enrol_required, true);
  const p = assertProblem(await req(srv, 'GET', '/api/v1/companies', { auth: { cookie: a.cookie } }), 401);
  assert.match(p.detail, /set up/);
  const st = await req(srv, 'GET', '/api/v1/auth/2fa', { auth: { cookie: a.cookie } });
  assert.equal(st.status, 200, st.text);
  assert.equal(st.body.required, true);
  await enrol(a.cookie);
  assert.equal((await req(srv, 'GET', '/api/v1/companies', { auth: { cookie: a.cookie } })).status, 200, 'complete after enrolling');
});

test('crm user reset-2fa removes every factor and ends the sessions', async () => {
  const u = await freshUser();
  await enrol(u.cookie);
  const out = crmOk(['user', 'reset-2fa', u.email, '--db', srv.db]);
  assert.match(out, /removed/);
  assertProblem(await req(srv, 'GET', '/api/v1/auth/me', { auth: { cookie: u.cookie } }), 401, 'old session ended');
  const a = await login(srv, u.email, PASSWORD);
  assert.ok(a.res.body.user, 'the password alone signs in');
  const bad = crmRun(['user', 'reset-2fa', 'nobody@example.com', '--db', srv.db]);
  assert.notEqual(bad.status, 0);
});

test('the routes are described in the OpenAPI document', async () => {
  const r = await req(srv, 'GET', '/api/v1/openapi.json', { auth: null });
  for (const p of ['/api/v1/auth/2fa', '/api/v1/auth/2fa/verify', '/api/v1/auth/2fa/totp', '/api/v1/auth/2fa/totp/confirm',
    '/api/v1/auth/2fa/recovery-codes', '/api/v1/auth/step-up', '/api/v1/auth/webauthn/register/options',
    '/api/v1/auth/webauthn/register/finish', '/api/v1/auth/webauthn/login/options', '/api/v1/auth/webauthn/credentials/{id}']) {
    assert.ok(r.body.paths[p], `${p} in openapi.json`);
  }
});
