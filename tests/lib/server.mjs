// Starts a real `crm` server on a fresh database for black-box tests.
// The binary is $CRM_BIN (default build/crm), so the same tests run against the
// sanitizer build. Every server gets its own temporary folder and free port.
// The database is a SQLite file in that folder, or, when CRM_TEST_PG holds a
// PostgreSQL URI (postgres://crm@127.0.0.1:PORT/crm, see scripts/pg.sh), a
// fresh database crm_<random> on that server, dropped again by stop().
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const BIN = process.env.CRM_BIN ? resolve(process.env.CRM_BIN) : join(ROOT, 'build/crm');

// LeakSanitizer's known third-party leaks (tests/lsan.supp), unless the caller
// set LSAN_OPTIONS itself.
const LSAN = { LSAN_OPTIONS: process.env.LSAN_OPTIONS ?? `suppressions=${join(ROOT, 'tests/lsan.supp')}` };

// PostgreSQL: the base URI of the test cluster, or null for SQLite.
export const PG = process.env.CRM_TEST_PG || null;

// psql from the PostgreSQL binaries folder (PG_BIN, else Debian's, else PATH).
function psqlBin() {
  const dirs = [process.env.PG_BIN, '/usr/lib/postgresql/15/bin'].filter(Boolean);
  for (const d of dirs) if (existsSync(join(d, 'psql'))) return join(d, 'psql');
  return 'psql';
}

// Runs one SQL command on the database of `uri` (the cluster's base database by default).
export function pgSql(sql, uri = PG) {
  return execFileSync(psqlBin(), ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-d', uri, '-c', sql], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000,
    env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
  });
}

// The URI of database `name` on the same server as `base`.
export function pgUri(name, base = PG) {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

// Creates an empty database crm_<random> and returns {name, uri}.
export function pgCreateDb(base = PG) {
  const name = `crm_${randomBytes(6).toString('hex')}`;
  pgSql(`CREATE DATABASE "${name}"`, base);
  return { name, uri: pgUri(name, base) };
}

// Drops a database even when connections are still open (a killed server's).
export function pgDropDb(name, base = PG) {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
  pgSql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`, base);
}

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
// `db` is what `--db` takes: the SQLite file, or the PostgreSQL URI.
// `token` is an admin API token made with `crm token create`.
// opts.db: serve an existing database made by an earlier startServer() (it is
// not initialised again, and stop() leaves it alone); opts.args, opts.env: extra
// flags and environment for `crm serve`.
export async function startServer(opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'crm-test-'));
  const adminEmail = 'admin@example.com';
  const adminPassword = 'correct horse battery staple';
  let db = opts.db;
  let pgName = null; // the database this server owns and drops
  if (!db) {
    if (PG) {
      const created = pgCreateDb();
      pgName = created.name;
      db = created.uri;
    } else {
      db = join(dir, 'crm.db');
    }
  }
  const cleanup = () => {
    rmSync(dir, { recursive: true, force: true });
    if (pgName) {
      try { pgDropDb(pgName); } catch (e) { process.stderr.write(`dropping ${pgName}: ${e.message}\n`); }
    }
  };
  let token;
  try {
    if (!opts.db) {
      crm(['init', '--db', db, '--admin-email', adminEmail, '--admin-name', 'Ada Admin'],
          { CRM_ADMIN_PASSWORD: adminPassword });
    }
    token = crm(['token', 'create', '--db', db, '--user', adminEmail]).trim();
  } catch (e) {
    cleanup();
    throw new Error(`crm init/token on ${db}: ${e.message}\n${e.stderr || ''}`);
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let out = '';
  // Documents next to the test's files on PostgreSQL too (its default,
  // ./crm-files, would land in the folder the tests run from).
  const filesDir = /^postgres(ql)?:/.test(db) && !(opts.args || []).includes('--files-dir') ?
    ['--files-dir', join(dir, 'files')] : [];
  const child = spawn(BIN, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, ...filesDir, ...(opts.args || [])],
                      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...LSAN, ...(opts.env || {}) } });
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  let exited = null;
  const exitedP = new Promise((ok) => child.on('exit', (code, sig) => { exited = { code, sig }; ok(exited); }));
  child.on('error', (e) => { out += `spawn failed: ${e.message}\n`; exited = exited || { code: null, sig: null, error: e.code }; });
  const deadline = Date.now() + 15000;
  for (;;) {
    if (exited) { cleanup(); throw new Error(`crm serve exited (${JSON.stringify(exited)}):\n${out}`); }
    try {
      // A server that accepts but never answers must not hang the loop past the deadline.
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await Promise.race([exitedP, new Promise((ok) => setTimeout(ok, 5000).unref())]);
      cleanup();
      throw new Error(`crm serve not ready:\n${out}`);
    }
    await new Promise((ok) => setTimeout(ok, 20));
  }
  return {
    url, dir, db, token, adminEmail, adminPassword, child,
    log: () => out,
    exited: () => exited,
    // Stops with SIGTERM (graceful) and returns the exit status; the folder
    // (and the PostgreSQL database this server created) is removed.
    async stop() {
      if (!exited) child.kill('SIGTERM');
      // The timer is cleared so that it does not keep the test process alive for 10 s.
      let timer;
      const res = await Promise.race([exitedP, new Promise((ok) => { timer = setTimeout(() => ok(null), 10000); })]);
      clearTimeout(timer);
      if (!res) { child.kill('SIGKILL'); await exitedP; }
      cleanup();
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
