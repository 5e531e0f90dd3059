// Starts a real `crm` server on a fresh SQLite database for black-box tests.
// The binary is $CRM_BIN (default build/crm), so the same tests run against the
// sanitizer build. Every server gets its own temporary folder and free port.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const BIN = process.env.CRM_BIN ? resolve(process.env.CRM_BIN) : join(ROOT, 'build/crm');

function freePort() {
  return new Promise((ok, fail) => {
    const s = net.createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

export function crm(args, env = {}) {
  return execFileSync(BIN, args, {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

// Returns {url, dir, db, token, adminEmail, adminPassword, log(), stop()}.
// `token` is an admin API token made with `crm token create`.
export async function startServer(opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'crm-test-'));
  const db = join(dir, 'crm.db');
  const adminEmail = 'admin@example.com';
  const adminPassword = 'correct horse battery staple';
  crm(['init', '--db', db, '--admin-email', adminEmail, '--admin-name', 'Ada Admin'],
      { CRM_ADMIN_PASSWORD: adminPassword });
  const token = crm(['token', 'create', '--db', db, '--user', adminEmail]).trim();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let out = '';
  const child = spawn(BIN, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, ...(opts.args || [])],
                      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...(opts.env || {}) } });
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  let exited = null;
  const exitedP = new Promise((ok) => child.on('exit', (code, sig) => { exited = { code, sig }; ok(exited); }));
  child.on('error', (e) => { out += `spawn failed: ${e.message}\n`; exited = exited || { code: null, sig: null, error: e.code }; });
  const deadline = Date.now() + 15000;
  for (;;) {
    if (exited) throw new Error(`crm serve exited (${JSON.stringify(exited)}):\n${out}`);
    try {
      // A server that accepts but never answers must not hang the loop past the deadline.
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`crm serve not ready:\n${out}`);
    }
    await new Promise((ok) => setTimeout(ok, 20));
  }
  return {
    url, dir, db, token, adminEmail, adminPassword, child,
    log: () => out,
    exited: () => exited,
    // Stops with SIGTERM (graceful) and returns the exit status; the folder is removed.
    async stop() {
      if (!exited) child.kill('SIGTERM');
      // The timer is cleared so that it does not keep the test process alive for 10 s.
      let timer;
      const res = await Promise.race([exitedP, new Promise((ok) => { timer = setTimeout(() => ok(null), 10000); })]);
      clearTimeout(timer);
      if (!res) { child.kill('SIGKILL'); await exitedP; }
      rmSync(dir, { recursive: true, force: true });
      return res;
    },
  };
}

// A small JSON client: api(srv, 'GET', '/api/v1/contacts') → {status, headers, body}.
export async function api(srv, method, path, body, headers = {}) {
  const h = { Authorization: `Bearer ${srv.token}`, ...headers };
  let payload;
  if (body !== undefined) {
    h['Content-Type'] = h['Content-Type'] || 'application/json';
    payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  }
  const r = await fetch(srv.url + path, { method, headers: h, body: payload });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = undefined; }
  return { status: r.status, headers: r.headers, body: json, text };
}
