// HTTPS served directly: `crm serve --tls-cert --tls-key` with a self-signed
// certificate made here by the openssl CLI; node's https client trusts it
// as its CA. The answers carry HSTS and the session cookie is Secure.
// Bad certificate flags are refused with a message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, crm } from '../lib/server.mjs';
import { freePort, crmRun, waitExit } from '../lib/helpers.mjs';

const PW = 'correct horse battery staple';
let dir, child, port, ca, out = '';

function get(path, { method = 'GET', body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const r = https.request({ host: '127.0.0.1', port, path, method, ca, servername: 'localhost',
                              headers: body ? { 'Content-Type': 'application/json', ...headers } : headers }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: data }));
    });
    r.on('error', reject);
    r.end(body ? JSON.stringify(body) : undefined);
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crm-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  ca = readFileSync(join(dir, 'cert.pem'));
  const db = join(dir, 'crm.db');
  crm(['init', '--db', db, '--admin-email', 'admin@example.com'], { CRM_ADMIN_PASSWORD: PW });
  port = await freePort();
  child = spawn(BIN, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--tls-cert', join(dir, 'cert.pem'),
    '--tls-key', join(dir, 'key.pem')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const deadline = Date.now() + 15000;
  for (;;) {
    try { if ((await get('/healthz')).status === 200) break; } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`no HTTPS server:\n${out}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
});

after(async () => {
  if (child) {
    child.kill('SIGTERM');
    const res = await waitExit(child, 10000);
    assert.equal(res && res.code, 0, `clean exit:\n${out}`);
  }
  rmSync(dir, { recursive: true, force: true });
});

test('HTTPS answers with HSTS and the security headers; the session cookie is Secure', async () => {
  const h = await get('/healthz');
  assert.equal(h.status, 200);
  assert.match(h.headers['strict-transport-security'] || '', /max-age=\d+/);
  assert.match(h.headers['content-security-policy'] || '', /frame-ancestors 'none'/);
  assert.equal(h.headers['x-frame-options'], 'DENY');
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.match(page.text, /<div id="root">|<script/);
  const l = await get('/api/v1/auth/login', { method: 'POST', body: { email: 'admin@example.com', password: PW } });
  assert.equal(l.status, 200, l.text);
  const cookie = (l.headers['set-cookie'] || []).find((c) => c.startsWith('crm_session='));
  assert.match(cookie, /; Secure/);
  assert.match(cookie, /HttpOnly/);
  assert.match(out, /serving https:\/\//);
});

test('plain HTTP to the HTTPS port gets no answer in clear text', async () => {
  const r = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(3000) }).then(
    (x) => x.status, () => 'refused');
  assert.notEqual(r, 200);
});

test('bad TLS flags are refused with a message that names the file', async () => {
  const db = join(dir, 'crm.db');
  const one = crmRun(['serve', '--db', db, '--listen', '127.0.0.1:1', '--tls-cert', join(dir, 'cert.pem')]);
  assert.equal(one.status, 2);
  assert.match(one.stderr, /both --tls-cert FILE and --tls-key FILE/);
  const missing = crmRun(['serve', '--db', db, '--listen', '127.0.0.1:1', '--tls-cert', join(dir, 'nope.pem'),
    '--tls-key', join(dir, 'key.pem')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /nope\.pem/);
  writeFileSync(join(dir, 'junk.pem'), 'not a certificate\n');
  const junk = crmRun(['serve', '--db', db, '--listen', '127.0.0.1:1', '--tls-cert', join(dir, 'junk.pem'),
    '--tls-key', join(dir, 'key.pem')]);
  assert.equal(junk.status, 1);
  assert.match(junk.stderr, /junk\.pem.*PEM/);
});
