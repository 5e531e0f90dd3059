// Accounts and sessions: security headers, the password policy, changing
// one's password, one's own sessions, CSRF and Origin checks, API tokens
// (own list, read-only, expiry), and the system state (read-only, locked).
// Throttling and timeouts have servers of their own (throttle/timeouts tests).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import {
  stopClean, req, assertProblem, assertInvalid, login, addUser, crmRun, crmOk, disableUser,
} from '../lib/helpers.mjs';

let srv;
const ANN = 'ann@example.com';
const ANN_PW = 'violet canyon sparrow 42';
const BEN = 'ben@example.com';
const BEN_PW = 'copper whistle garden 7';
before(async () => {
  srv = await startServer();
  addUser(srv, ANN, ANN_PW, { name: 'Ann Archer' });
  addUser(srv, BEN, BEN_PW, { name: 'Ben Baker' });
});
after(async () => { await stopClean(srv); });

const CSP = /default-src 'self'.*frame-ancestors 'none'/;

function assertSecurityHeaders(res, what) {
  const h = (n) => (res.headers.get ? res.headers.get(n) : res.headers[n.toLowerCase()]);
  assert.match(h('content-security-policy') || '', CSP, `${what}: CSP`);
  assert.doesNotMatch(h('content-security-policy') || '', /script-src[^;]*unsafe-inline/, `${what}: no inline script`);
  assert.equal(h('x-frame-options'), 'DENY', `${what}: X-Frame-Options`);
  assert.equal(h('x-content-type-options'), 'nosniff', `${what}: nosniff`);
  assert.match(h('referrer-policy') || '', /^(no-referrer|same-origin)$/, `${what}: Referrer-Policy`);
}

test('every response carries the security headers: API, errors, files, early refusals', async () => {
  assertSecurityHeaders(await req(srv, 'GET', '/api/v1/auth/me'), 'API 200');
  assertSecurityHeaders(await req(srv, 'GET', '/api/v1/nothing-here'), 'API 404');
  assertSecurityHeaders(await req(srv, 'GET', '/api/v1/auth/me', { auth: null }), 'API 401');
  assertSecurityHeaders(await req(srv, 'GET', '/', { auth: null }), 'index.html');
  assertSecurityHeaders(await req(srv, 'GET', '/healthz', { auth: null }), 'healthz');
  const big = await req(srv, 'POST', '/api/v1/companies', { body: 'x'.repeat(9 * 1024 * 1024) }).catch(() => null);
  if (big && big.status === 413) assertSecurityHeaders(big, '413 from the HTTP layer');
  // No HSTS over plain HTTP (it is sent over TLS: tls.test.mjs).
  assert.equal((await req(srv, 'GET', '/healthz', { auth: null })).headers.get('strict-transport-security'), null);
});

test('the password policy refuses dictionary words, the email and the name, saying why', async () => {
  const cases = [
    ['password123', /dictionary|common/i],
    ['short1', /too short.*10/i],
    ['cleo.flint-2024!', /email/i],
    ['Quartermain rocks 99', /name/i],
  ];
  for (const [pw, why] of cases) {
    const r = crmRun(['user', 'add', '--db', srv.db, '--email', 'cleo.flint@example.com', '--name', 'Cleo Quartermain'],
                     { CRM_PASSWORD: pw });
    assert.notEqual(r.status, 0, `${pw} must be refused`);
    assert.match(r.stderr, why, `${pw}: ${r.stderr}`);
  }
  const init = crmRun(['init', '--db', `${srv.dir}/other.db`, '--admin-email', 'root@example.com'],
                      { CRM_ADMIN_PASSWORD: 'qwertyuiop' });
  assert.notEqual(init.status, 0, 'crm init applies the policy');
  assert.match(init.stderr, /dictionary|common|simple|weak/i, init.stderr);
  const pass = crmRun(['user', 'passwd', '--db', srv.db, '--email', ANN], { CRM_PASSWORD: 'ann archer 12345' });
  assert.notEqual(pass.status, 0, 'crm user passwd applies the policy');
  assert.equal((await login(srv, ANN, ANN_PW)).res.status, 200, 'the old password still works');
});

test('changing one\'s own password: current one checked, policy applied, other sessions end', async () => {
  const email = 'dora@example.com';
  const pw1 = 'lunar teapot orchestra 5';
  const pw2 = 'maple quarry lantern 8';
  addUser(srv, email, pw1, { name: 'Dora Dale' });
  const a = await login(srv, email, pw1);
  const b = await login(srv, email, pw1);
  const path = '/api/v1/auth/password';
  assertInvalid(await req(srv, 'POST', path, { auth: a.auth, body: { current_password: 'wrong one here', new_password: pw2 } }),
                ['current_password']);
  const weak = assertInvalid(await req(srv, 'POST', path, { auth: a.auth, body: { current_password: pw1, new_password: 'password1234' } }),
                             ['new_password']);
  assert.match(weak.detail, /dictionary|common/i);
  assertInvalid(await req(srv, 'POST', path, { auth: a.auth, body: { current_password: pw1, new_password: 'dora dale 2024' } }),
                ['new_password']);
  const ok = await req(srv, 'POST', path, { auth: a.auth, body: { current_password: pw1, new_password: pw2 } });
  assert.equal(ok.status, 204, ok.text);
  assert.equal((await req(srv, 'GET', '/api/v1/auth/me', { auth: a.auth })).status, 200, 'this session stays');
  assertProblem(await req(srv, 'GET', '/api/v1/auth/me', { auth: b.auth }), 401, 'the other session ended');
  assertProblem((await login(srv, email, pw1)).res, 401, 'the old password');
  assert.equal((await login(srv, email, pw2)).res.status, 200, 'the new password');
});

test('one\'s own sessions: listed with the current one marked, ended one by one or all others', async () => {
  const a = await login(srv, ANN, ANN_PW);
  const b = await login(srv, ANN, ANN_PW);
  const ben = await login(srv, BEN, BEN_PW);
  const list = await req(srv, 'GET', '/api/v1/auth/sessions', { auth: a.auth, headers: { 'User-Agent': 'test-agent' } });
  assert.equal(list.status, 200, list.text);
  const cur = list.body.data.filter((s) => s.current);
  assert.equal(cur.length, 1, list.text);
  for (const s of list.body.data) {
    for (const k of ['id', 'created_at', 'last_seen_at', 'address', 'agent']) assert.ok(k in s, `${k} in ${JSON.stringify(s)}`);
  }
  assert.ok(list.body.data.length >= 2);
  const benList = await req(srv, 'GET', '/api/v1/auth/sessions', { auth: ben.auth });
  const benId = benList.body.data.find((s) => s.current).id;
  assert.ok(!list.body.data.some((s) => s.id === benId), 'only one\'s own sessions are listed');
  assertProblem(await req(srv, 'DELETE', `/api/v1/auth/sessions/${benId}`, { auth: a.auth }), 404, 'someone else\'s session');
  assert.equal((await req(srv, 'GET', '/api/v1/auth/me', { auth: ben.auth })).status, 200, 'Ben is still signed in');
  const bId = (await req(srv, 'GET', '/api/v1/auth/sessions', { auth: b.auth })).body.data.find((s) => s.current).id;
  assert.equal((await req(srv, 'DELETE', `/api/v1/auth/sessions/${bId}`, { auth: a.auth })).status, 204);
  assertProblem(await req(srv, 'GET', '/api/v1/auth/me', { auth: b.auth }), 401, 'the ended session');
  const c = await login(srv, ANN, ANN_PW);
  const d = await login(srv, ANN, ANN_PW);
  const out = await req(srv, 'POST', '/api/v1/auth/sessions/revoke-others', { auth: a.auth });
  assert.equal(out.status, 200, out.text);
  assert.ok(out.body.ended >= 2, out.text);
  for (const s of [c, d]) assertProblem(await req(srv, 'GET', '/api/v1/auth/me', { auth: s.auth }), 401, 'signed out elsewhere');
  assert.equal((await req(srv, 'GET', '/api/v1/auth/me', { auth: a.auth })).status, 200, 'this session stays');
  assert.equal((await req(srv, 'GET', '/api/v1/auth/me', { auth: ben.auth })).status, 200, 'others\' sessions stay');
  assertProblem(await req(srv, 'POST', '/api/v1/auth/sessions/revoke-others', { auth: { cookie: a.cookie } }), 403,
                'revoke-others needs the CSRF token too');
});

test('a session cookie change needs the session\'s own X-CSRF-Token; reads and bearer tokens do not', async () => {
  const a = await login(srv, ANN, ANN_PW);
  const b = await login(srv, ANN, ANN_PW);
  assert.match(a.csrf, /^[A-Za-z0-9_-]{40,}$/);
  assert.notEqual(a.csrf, b.csrf, 'each session has its own token');
  const me = await req(srv, 'GET', '/api/v1/auth/me', { auth: { cookie: a.cookie } });
  assert.equal(me.body.csrf_token, a.csrf, 'auth/me hands out the same token');
  const body = { name: 'CSRF Co' };
  const refused = [
    ['missing', { cookie: a.cookie }],
    ['wrong', { cookie: a.cookie, csrf: 'x'.repeat(43) }],
    ['another session\'s', { cookie: a.cookie, csrf: b.csrf }],
    ['empty', { cookie: a.cookie, csrf: ' ' }],
  ];
  for (const [what, auth] of refused) {
    const r = assertProblem(await req(srv, 'POST', '/api/v1/companies', { auth, body }), 403, what);
    assert.match(r.detail, /X-CSRF-Token/);
  }
  for (const m of ['PATCH', 'DELETE']) {
    assertProblem(await req(srv, m, '/api/v1/companies/1', { auth: { cookie: a.cookie }, body: m === 'PATCH' ? {} : undefined }), 403, m);
  }
  const list = await req(srv, 'GET', '/api/v1/companies?q=CSRF', { auth: { cookie: a.cookie } });
  assert.equal(list.status, 200);
  assert.equal(list.body.data.length, 0, 'nothing was written by the refused requests');
  const ok = await req(srv, 'POST', '/api/v1/companies', { auth: a.auth, body });
  assert.equal(ok.status, 201, ok.text);
  const origin = await req(srv, 'POST', '/api/v1/companies', { auth: a.auth, body, headers: { Origin: 'https://evil.example' } });
  assertProblem(origin, 403, 'a foreign Origin');
  assertProblem(await req(srv, 'POST', '/api/v1/companies', { auth: a.auth, body, headers: { Origin: 'null' } }), 403, 'Origin null');
  const same = await req(srv, 'POST', '/api/v1/companies', { auth: a.auth, body: { name: 'Same Origin Co' }, headers: { Origin: srv.url } });
  assert.equal(same.status, 201, same.text);
  const bearer = await req(srv, 'POST', '/api/v1/companies', { body: { name: 'Bearer Co' }, headers: { Origin: 'https://evil.example' } });
  assert.equal(bearer.status, 201, 'bearer tokens are exempt');
});

test('login refuses another site\'s Origin (login CSRF)', async () => {
  const r = await req(srv, 'POST', '/api/v1/auth/login', { auth: null, body: { email: ANN, password: ANN_PW },
                                                           headers: { Origin: 'https://evil.example' } });
  assertProblem(r, 403);
  assert.ok(!(r.headers.getSetCookie() || []).some((c) => c.startsWith('crm_session=') && !/Max-Age=0/.test(c)), 'no session');
  const ok = await req(srv, 'POST', '/api/v1/auth/login', { auth: null, body: { email: ANN, password: ANN_PW },
                                                            headers: { Origin: srv.url } });
  assert.equal(ok.status, 200, ok.text);
});

test('own API tokens: made once with the secret, listed without it, revoked; others\' answer 404', async () => {
  const ann = await login(srv, ANN, ANN_PW);
  const made = await req(srv, 'POST', '/api/v1/auth/tokens', { auth: ann.auth, body: { name: 'ann script', expires_in_days: 30 } });
  assert.equal(made.status, 201, made.text);
  assert.match(made.body.token, /^crm_/);
  assert.ok(Date.parse(made.body.expires_at) > Date.now() + 29 * 86400e3);
  const me = await req(srv, 'GET', '/api/v1/auth/me', { auth: made.body.token });
  assert.equal(me.body.email, ANN);
  const list = await req(srv, 'GET', '/api/v1/auth/tokens', { auth: ann.auth });
  assert.equal(list.status, 200);
  assert.ok(list.body.data.every((t) => t.user === ANN), 'only one\'s own');
  assert.ok(!list.text.includes(made.body.token), 'never the secret again');
  const ben = await login(srv, BEN, BEN_PW);
  assertProblem(await req(srv, 'DELETE', `/api/v1/auth/tokens/${made.body.id}`, { auth: ben.auth }), 404, 'Ben revoking Ann\'s');
  assert.equal((await req(srv, 'GET', '/api/v1/auth/me', { auth: made.body.token })).status, 200);
  assert.equal((await req(srv, 'DELETE', `/api/v1/auth/tokens/${made.body.id}`, { auth: ann.auth })).status, 204);
  assertProblem(await req(srv, 'GET', '/api/v1/auth/me', { auth: made.body.token }), 401, 'revoked');
  const other = await req(srv, 'POST', '/api/v1/auth/tokens', { auth: ann.auth, body: { name: 'second' } });
  assert.equal(other.body.expires_at, null);
  assert.equal((await req(srv, 'DELETE', `/api/v1/auth/tokens/${other.body.id}`)).status, 204, 'an admin revokes anyone\'s');
  assertProblem(await req(srv, 'GET', '/api/v1/auth/me', { auth: other.body.token }), 401);
  assertInvalid(await req(srv, 'POST', '/api/v1/auth/tokens', { auth: ann.auth, body: { name: '' } }), ['name']);
  assertInvalid(await req(srv, 'POST', '/api/v1/auth/tokens', { auth: ann.auth, body: { name: 'x', expires_at: '2001-01-01T00:00:00Z' } }),
                ['expires_at']);
  assertInvalid(await req(srv, 'POST', '/api/v1/auth/tokens', { auth: ann.auth, body: { name: 'x', expires_in_days: 0 } }),
                ['expires_in_days']);
});

test('a read-only token reads but every change answers 403 saying so', async () => {
  const made = await req(srv, 'POST', '/api/v1/auth/tokens', { body: { name: 'reader', read_only: true } });
  assert.equal(made.status, 201, made.text);
  assert.equal(made.body.read_only, true);
  const t = made.body.token;
  assert.equal((await req(srv, 'GET', '/api/v1/companies', { auth: t })).status, 200);
  for (const [m, p, body] of [['POST', '/api/v1/companies', { name: 'RO' }], ['PATCH', '/api/v1/companies/1', {}],
    ['DELETE', '/api/v1/companies/1'], ['POST', '/api/v1/auth/tokens', { name: 'escalate' }],
    ['PUT', '/api/v1/system/state', { state: 'locked' }]]) {
    const r = assertProblem(await req(srv, m, p, { auth: t, body }), 403, `${m} ${p}`);
    assert.match(r.detail, /read-only/);
  }
  const cli = crmOk(['token', 'create', '--db', srv.db, '--user', ANN, '--name', 'cli-ro', '--read-only']).trim();
  assertProblem(await req(srv, 'POST', '/api/v1/companies', { auth: cli, body: { name: 'RO' } }), 403, 'CLI read-only token');
  assert.match(crmOk(['token', 'list', '--db', srv.db]), /cli-ro\s+read/);
});

test('an expired token stops working, with a message that says so', async () => {
  const before = Date.now();
  const t = crmOk(['token', 'create', '--db', srv.db, '--user', ANN, '--name', 'short', '--expires', '4s']).trim();
  assert.equal((await req(srv, 'GET', '/api/v1/auth/me', { auth: t })).status, 200, 'valid before expiry');
  // Made no earlier than `before`: 4 s after it, plus a margin, it has expired.
  await new Promise((ok) => setTimeout(ok, Math.max(0, before + 4300 - Date.now())));
  const r = assertProblem(await req(srv, 'GET', '/api/v1/auth/me', { auth: t }), 401, 'after expiry');
  assert.match(r.detail, /expired/);
  const bad = crmRun(['token', 'create', '--db', srv.db, '--user', ANN, '--expires', 'soon']);
  assert.equal(bad.status, 2, bad.stderr);
});

test('a deactivated user\'s API-made tokens and sessions stop at once', async () => {
  const email = 'gone@example.com';
  const pw = 'harbor pencil thunder 3';
  addUser(srv, email, pw, { name: 'Gil Gone' });
  const s = await login(srv, email, pw);
  const t = await req(srv, 'POST', '/api/v1/auth/tokens', { auth: s.auth, body: { name: 'mine', read_only: true } });
  assert.equal(t.status, 201);
  disableUser(srv, email);
  assertProblem(await req(srv, 'GET', '/api/v1/auth/me', { auth: t.body.token }), 401, 'token');
  assertProblem(await req(srv, 'GET', '/api/v1/auth/sessions', { auth: s.auth }), 401, 'session');
});

test('system read-only: every write answers 503 naming the incident, reads work, admins lift it', async () => {
  const ann = await login(srv, ANN, ANN_PW);
  assertProblem(await req(srv, 'PUT', '/api/v1/system/state', { auth: ann.auth, body: { state: 'read_only' } }), 403, 'non-admin');
  assertInvalid(await req(srv, 'PUT', '/api/v1/system/state', { body: { state: 'sleepy' } }), ['state']);
  const set = await req(srv, 'PUT', '/api/v1/system/state', { body: { state: 'read_only', message: 'Disk swap until 14:00' } });
  assert.equal(set.status, 200, set.text);
  assert.equal(set.body.state, 'read_only');
  try {
    const w = assertProblem(await req(srv, 'POST', '/api/v1/companies', { body: { name: 'During RO' } }), 503, 'admin write');
    assert.match(w.detail, /read-only.*Disk swap until 14:00/);
    assertProblem(await req(srv, 'POST', '/api/v1/companies', { auth: ann.auth, body: { name: 'During RO' } }), 503, 'user write');
    assert.equal((await req(srv, 'GET', '/api/v1/companies', { auth: ann.auth })).status, 200, 'reads work');
    const st = await req(srv, 'GET', '/api/v1/system/state', { auth: ann.auth });
    assert.deepEqual([st.body.state, st.body.message], ['read_only', 'Disk swap until 14:00']);
  } finally {
    const lift = await req(srv, 'PUT', '/api/v1/system/state', { body: { state: 'normal' } });
    assert.equal(lift.status, 200, lift.text);
  }
  assert.equal((await req(srv, 'POST', '/api/v1/companies', { auth: ann.auth, body: { name: 'After RO' } })).status, 201);
});

test('system locked: only administrators sign in and work; set from the CLI, seen within a second', async () => {
  const ann = await login(srv, ANN, ANN_PW);
  const annToken = crmOk(['token', 'create', '--db', srv.db, '--user', ANN, '--name', 'lockcheck']).trim();
  assert.match(crmOk(['system', 'lock', '--db', srv.db, '--message', 'Incident 7']), /locked: Incident 7/);
  try {
    await new Promise((ok) => setTimeout(ok, 1200)); // the server's cache lives at most 1 s
    const s = assertProblem(await req(srv, 'GET', '/api/v1/companies', { auth: ann.auth }), 503, 'user session');
    assert.match(s.detail, /locked.*Incident 7/);
    assertProblem(await req(srv, 'GET', '/api/v1/companies', { auth: annToken }), 503, 'user token');
    const l = assertProblem((await login(srv, ANN, ANN_PW)).res, 503, 'user sign-in');
    assert.match(l.detail, /locked/);
    assert.equal((await req(srv, 'GET', '/api/v1/companies')).status, 200, 'admin token works');
    assert.equal((await login(srv, srv.adminEmail, srv.adminPassword)).res.status, 200, 'admin signs in');
    assert.match(crmOk(['system', 'state', '--db', srv.db]), /^locked/);
  } finally {
    crmOk(['system', 'unlock', '--db', srv.db]);
  }
  await new Promise((ok) => setTimeout(ok, 1200));
  assert.equal((await req(srv, 'GET', '/api/v1/companies', { auth: ann.auth })).status, 200, 'lifted');
});
