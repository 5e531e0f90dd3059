// Security keys (WebAuthn) over real HTTP, with a software authenticator
// written here: node:crypto P-256 keys and a tiny CBOR encoder. Registration
// and sign-in work; every malformed or mismatching answer is refused with
// 400 and nothing is stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { stopClean, assertProblem, addUser, csrfSessions } from '../lib/helpers.mjs';

// Every change made with a session cookie carries its CSRF token (tested in accounts.test.mjs).
const { login, req } = csrfSessions();

const PASSWORD = 'correct horse battery staple';
let srv;
let origin;
let seq = 0;
before(async () => {
  srv = await startServer();
  origin = `http://localhost:${new URL(srv.url).port}`; // the default --origin
});
after(async () => { await stopClean(srv); });

// ---- a tiny CBOR encoder (RFC 8949: definite lengths only) ----
function head(major, n) {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) { const b = Buffer.alloc(3); b[0] = (major << 5) | 25; b.writeUInt16BE(n, 1); return b; }
  const b = Buffer.alloc(5); b[0] = (major << 5) | 26; b.writeUInt32BE(n, 1); return b;
}
export function cbor(v) {
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (Buffer.isBuffer(v)) return Buffer.concat([head(2, v.length), v]);
  if (typeof v === 'string') { const b = Buffer.from(v, 'utf8'); return Buffer.concat([head(3, b.length), b]); }
  if (Array.isArray(v)) return Buffer.concat([head(4, v.length), ...v.map(cbor)]);
  if (v instanceof Map) {
    const parts = [head(5, v.size)];
    for (const [k, x] of v) parts.push(cbor(k), cbor(x));
    return Buffer.concat(parts);
  }
  throw new Error(`cbor: ${typeof v}`);
}

const b64u = (b) => Buffer.from(b).toString('base64url');
const sha256 = (b) => createHash('sha256').update(b).digest();

// A software authenticator holding one P-256 credential.
class SoftKey {
  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.priv = privateKey;
    const jwk = publicKey.export({ format: 'jwk' });
    this.cose = cbor(new Map([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x, 'base64url')], [-3, Buffer.from(jwk.y, 'base64url')]]));
    this.id = randomBytes(16);
    this.count = 0;
  }

  authData({ rpId, flags, count, attested }) {
    const fixed = Buffer.alloc(37);
    sha256(rpId).copy(fixed, 0);
    fixed[32] = flags;
    fixed.writeUInt32BE(count, 33);
    if (!attested) return fixed;
    const len = Buffer.alloc(2); len.writeUInt16BE(this.id.length);
    return Buffer.concat([fixed, Buffer.alloc(16), len, this.id, this.cose]);
  }

  clientData(type, challenge, o) {
    return Buffer.from(JSON.stringify({ type, challenge, origin: o, crossOrigin: false }));
  }

  // navigator.credentials.create() for these options; `bad` spoils one part.
  create(options, bad = {}) {
    const rpId = bad.rpId || options.rp.id;
    const cdj = bad.cdj || this.clientData(bad.type || 'webauthn.create', bad.challenge || options.challenge, bad.origin || origin);
    let ad = this.authData({ rpId, flags: bad.flags ?? 0x45, count: 0, attested: true });
    if (bad.truncate) ad = ad.subarray(0, ad.length - bad.truncate);
    let sig = sign('sha256', Buffer.concat([ad, sha256(cdj)]), this.priv);
    if (bad.sig) sig = Buffer.from(sig.map((x, i) => (i === 10 ? x ^ 1 : x)));
    const stmt = bad.x5c ? new Map([['alg', -7], ['sig', sign('sha256', Buffer.concat([ad, sha256(cdj)]), bad.x5c.key)], ['x5c', [bad.x5c.cert]]])
      : bad.fmt === 'none' ? new Map() : new Map([['alg', -7], ['sig', sig]]);
    const att = bad.att || cbor(new Map([['fmt', bad.fmt || 'packed'], ['attStmt', stmt], ['authData', ad]]));
    return { id: b64u(this.id), rawId: b64u(this.id), type: 'public-key', response: { clientDataJSON: b64u(cdj), attestationObject: b64u(att) } };
  }

  // navigator.credentials.get().
  get(options, bad = {}) {
    this.count = bad.count ?? this.count + 1;
    const cdj = this.clientData(bad.type || 'webauthn.get', bad.challenge || options.challenge, bad.origin || origin);
    const ad = this.authData({ rpId: bad.rpId || options.rpId, flags: bad.flags ?? 0x05, count: this.count, attested: false });
    let sig = sign('sha256', Buffer.concat([ad, sha256(cdj)]), this.priv);
    if (bad.sig) sig = Buffer.from(sig.map((x, i) => (i === 10 ? x ^ 1 : x)));
    return { id: b64u(this.id), rawId: b64u(this.id), type: 'public-key', response: { clientDataJSON: b64u(cdj), authenticatorData: b64u(ad), signature: b64u(sig) } };
  }
}

async function freshUser() {
  const email = `key${++seq}@example.com`;
  addUser(srv, email, PASSWORD, { name: `Key User ${seq}` });
  const { res, cookie } = await login(srv, email, PASSWORD);
  assert.equal(res.status, 200, res.text);
  return { email, cookie };
}

const regOptions = async (cookie) => {
  const r = await req(srv, 'POST', '/api/v1/auth/webauthn/register/options', { auth: { cookie } });
  assert.equal(r.status, 200, r.text);
  return r.body;
};
const finish = (cookie, credential, name = 'My key') => req(srv, 'POST', '/api/v1/auth/webauthn/register/finish', { auth: { cookie }, body: { credential, name } });
const keys = async (cookie) => (await req(srv, 'GET', '/api/v1/auth/webauthn/credentials', { auth: { cookie } })).body.data;

async function register(u, key = new SoftKey()) {
  const r = await finish(u.cookie, key.create(await regOptions(u.cookie)));
  assert.equal(r.status, 201, r.text);
  return { key, res: r };
}

test('registration options bind a fresh challenge to this server as relying party', async () => {
  const u = await freshUser();
  const o = await regOptions(u.cookie);
  assert.equal(o.rp.id, 'localhost');
  assert.equal(Buffer.from(o.challenge, 'base64url').length, 32);
  assert.equal(o.user.name, u.email);
  assert.ok(o.pubKeyCredParams.some((p) => p.alg === -7), 'ES256 offered');
  assert.deepEqual(o.excludeCredentials, []);
  const o2 = await regOptions(u.cookie);
  assert.notEqual(o2.challenge, o.challenge);
});

test('a security key registers, is listed, and signs in as the second step', async () => {
  const u = await freshUser();
  const { key, res } = await register(u);
  assert.equal(res.body.name, 'My key');
  assert.equal(res.body.recovery_codes.length, 10, 'the first factor brings recovery codes');
  const list = await keys(u.cookie);
  assert.equal(list.length, 1);
  assert.equal((await regOptions(u.cookie)).excludeCredentials[0].id, b64u(key.id));

  const a = await login(srv, u.email, PASSWORD);
  assert.equal(a.res.body.mfa_required, true);
  assert.deepEqual(a.res.body.methods, ['webauthn', 'recovery']);
  assertProblem(await req(srv, 'GET', '/api/v1/companies', { auth: { cookie: a.cookie } }), 401);
  const o = await req(srv, 'POST', '/api/v1/auth/webauthn/login/options', { auth: { cookie: a.cookie } });
  assert.equal(o.status, 200, o.text);
  assert.equal(o.body.rpId, 'localhost');
  assert.equal(o.body.allowCredentials[0].id, b64u(key.id));
  const v = await req(srv, 'POST', '/api/v1/auth/2fa/verify', { auth: { cookie: a.cookie }, body: { assertion: key.get(o.body) } });
  assert.equal(v.status, 200, v.text);
  assert.equal((await req(srv, 'GET', '/api/v1/companies', { auth: { cookie: a.cookie } })).status, 200);
  assert.ok((await keys(a.cookie))[0].last_used_at, 'last use recorded');
});

test('packed x5c attestation is checked against the certificate key; "none" is accepted', async () => {
  const u = await freshUser();
  const dir = mkdtempSync(join(tmpdir(), 'crm-x5c-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-subj', '/CN=Test Attestation', '-days', '1', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.der'), '-outform', 'DER'],
    { stdio: 'ignore' });
    const cert = readFileSync(join(dir, 'c.der'));
    const certKey = readFileSync(join(dir, 'k.pem'));
    const good = new SoftKey();
    const r = await finish(u.cookie, good.create(await regOptions(u.cookie), { x5c: { cert, key: certKey } }), 'x5c');
    assert.equal(r.status, 201, r.text);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    assertProblem(await finish(u.cookie, new SoftKey().create(await regOptions(u.cookie), { x5c: { cert, key: other } })), 400, 'signed by another key');
  } finally { rmSync(dir, { recursive: true, force: true }); }
  const none = await finish(u.cookie, new SoftKey().create(await regOptions(u.cookie), { fmt: 'none' }), 'none');
  assert.equal(none.status, 201, none.text);
  assert.equal((await keys(u.cookie)).length, 2);
});

test('bad registrations are refused with 400 and store nothing', async () => {
  const u = await freshUser();
  const cases = [
    ['wrong origin', { origin: 'http://evil.example:1234' }],
    ['wrong rpIdHash', { rpId: 'evil.example' }],
    ['wrong type', { type: 'webauthn.get' }],
    ['unknown challenge', { challenge: b64u(randomBytes(32)) }],
    ['bad signature', { sig: true }],
    ['malformed CBOR', { att: Buffer.from([0xa3, 0x63, 0x66, 0x6d]) }],
    ['CBOR that is not a map', { att: cbor([1, 2, 3]) }],
    ['truncated authData', { truncate: 20 }],
    ['UP flag missing', { flags: 0x44 }],
    ['AT flag missing', { flags: 0x05 }],
    ['unknown format', { fmt: 'tpm' }],
    ['clientDataJSON not JSON', { cdj: Buffer.from('not json') }],
  ];
  const failed = [];
  for (const [label, bad] of cases) {
    const r = await finish(u.cookie, new SoftKey().create(await regOptions(u.cookie), bad));
    if (r.status !== 400 || !/problem\+json/.test(r.headers.get('content-type'))) failed.push(`${label}: ${r.status} ${r.text}`);
  }
  assert.deepEqual(failed, []);
  // Not base64url, missing parts.
  for (const credential of [{}, { response: {} }, { response: { clientDataJSON: '!!!', attestationObject: 'AA' } }]) {
    assertProblem(await finish(u.cookie, credential), 400, JSON.stringify(credential));
  }
  assert.deepEqual(await keys(u.cookie), [], 'nothing stored');
  const st = await req(srv, 'GET', '/api/v1/auth/2fa', { auth: { cookie: u.cookie } });
  assert.equal(st.body.recovery_codes_left, 0);
});

test('a registration challenge works once', async () => {
  const u = await freshUser();
  const o = await regOptions(u.cookie);
  assert.equal((await finish(u.cookie, new SoftKey().create(o))).status, 201);
  assertProblem(await finish(u.cookie, new SoftKey().create(o)), 400, 'reused challenge');
  // A refused try spends the challenge too.
  const o2 = await regOptions(u.cookie);
  assertProblem(await finish(u.cookie, new SoftKey().create(o2, { origin: 'http://evil.example' })), 400);
  assertProblem(await finish(u.cookie, new SoftKey().create(o2)), 400, 'after a refused try');
  assert.equal((await keys(u.cookie)).length, 1);
});

test('bad assertions are refused: signature, counter going back, origin, reused challenge', async () => {
  const u = await freshUser();
  const { key } = await register(u);
  const a = await login(srv, u.email, PASSWORD);
  const opts = async () => (await req(srv, 'POST', '/api/v1/auth/webauthn/login/options', { auth: { cookie: a.cookie } })).body;
  const verify = (assertion) => req(srv, 'POST', '/api/v1/auth/2fa/verify', { auth: { cookie: a.cookie }, body: { assertion } });
  assertProblem(await verify(key.get(await opts(), { sig: true })), 400, 'bad signature');
  assertProblem(await verify(key.get(await opts(), { origin: 'https://evil.example' })), 400, 'wrong origin');
  assertProblem(await verify(key.get(await opts(), { flags: 0x04 })), 400, 'UP missing');
  const o = await opts();
  const ok = await verify(key.get(o, { count: 10 }));
  assert.equal(ok.status, 200, ok.text);

  const b = await login(srv, u.email, PASSWORD);
  const optsB = async () => (await req(srv, 'POST', '/api/v1/auth/webauthn/login/options', { auth: { cookie: b.cookie } })).body;
  const verifyB = (assertion) => req(srv, 'POST', '/api/v1/auth/2fa/verify', { auth: { cookie: b.cookie }, body: { assertion } });
  assertProblem(await verifyB(key.get(o, { count: 11 })), 400, 'reused challenge');
  const p = assertProblem(await verifyB(key.get(await optsB(), { count: 7 })), 400, 'counter went backwards');
  assert.match(p.detail, /cloned/);
  assertProblem(await verifyB(key.get(await optsB(), { count: 0 })), 400, 'counter back to zero');
  const other = new SoftKey();
  other.id = key.id; // same id, another private key
  assertProblem(await verifyB(other.get(await optsB(), { count: 12 })), 400, 'signed by another key');
  assertProblem(await req(srv, 'GET', '/api/v1/companies', { auth: { cookie: b.cookie } }), 401, 'still pending');
});

test('keys can be renamed and removed by their owner only', async () => {
  const u = await freshUser();
  const v = await freshUser();
  await register(u);
  const [k] = await keys(u.cookie);
  const r = await req(srv, 'PATCH', `/api/v1/auth/webauthn/credentials/${k.id}`, { auth: { cookie: u.cookie }, body: { name: 'Blue key' } });
  assert.equal(r.status, 200, r.text);
  assert.equal((await keys(u.cookie))[0].name, 'Blue key');
  assertProblem(await req(srv, 'PATCH', `/api/v1/auth/webauthn/credentials/${k.id}`, { auth: { cookie: v.cookie }, body: { name: 'Mine' } }), 404);
  assertProblem(await req(srv, 'DELETE', `/api/v1/auth/webauthn/credentials/${k.id}`, { auth: { cookie: v.cookie } }), 404);
  assertProblem(await req(srv, 'PATCH', `/api/v1/auth/webauthn/credentials/${k.id}`, { auth: { cookie: u.cookie }, body: { name: 5 } }), 422);
  assert.equal((await req(srv, 'DELETE', `/api/v1/auth/webauthn/credentials/${k.id}`, { auth: { cookie: u.cookie } })).status, 204);
  assert.deepEqual(await keys(u.cookie), []);
  const a = await login(srv, u.email, PASSWORD);
  assert.ok(a.res.body.user, 'no factor left: the password alone signs in');
});

test('a key can step up a session', async () => {
  const u = await freshUser();
  const { key } = await register(u);
  const o = (await req(srv, 'POST', '/api/v1/auth/webauthn/login/options', { auth: { cookie: u.cookie } })).body;
  const r = await req(srv, 'POST', '/api/v1/auth/step-up', { auth: { cookie: u.cookie }, body: { assertion: key.get(o) } });
  assert.equal(r.status, 200, r.text);
});
