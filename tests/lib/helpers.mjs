// Shared helpers for the black-box API tests (tests/api/*.test.mjs).
// They build on server.mjs: raw requests with full control over headers and
// bytes, problem+json assertions, paging, and running the `crm` CLI while
// keeping its exit status and stderr.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { BIN } from './server.mjs';

// A request with full control. `auth` is: undefined → the server's admin token,
// null → no Authorization header, a string → that bearer token,
// {cookie: 'crm_session=...', csrf} → only that cookie (and X-CSRF-Token when
// csrf is given), {header: '...'} → that
// literal Authorization header.
export async function req(srv, method, path, { body, auth, headers = {} } = {}) {
  const h = { ...headers };
  if (auth === undefined) h.Authorization = `Bearer ${srv.token}`;
  else if (typeof auth === 'string') h.Authorization = `Bearer ${auth}`;
  else if (auth && auth.cookie) {
    h.Cookie = auth.cookie;
    if (auth.csrf) h['X-CSRF-Token'] = auth.csrf;
  }
  else if (auth && auth.header) h.Authorization = auth.header;
  let payload;
  if (body !== undefined) {
    if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
    payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  }
  const r = await fetch(srv.url + path, { method, headers: h, body: payload });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = undefined; }
  return { status: r.status, headers: r.headers, body: json, text };
}

// A request over a bare node:http connection (no fetch), for bodies fetch
// cannot send the way we want: chunked uploads, huge bodies the server may cut
// off early. Resolves {status, headers, text, body} or {error} when no
// response arrived at all.
export function rawRequest(srv, method, path, { headers = {}, chunks = [], chunked = false } = {}) {
  const u = new URL(srv.url);
  return new Promise((resolve) => {
    let done = false;
    const finish = (v) => { if (!done) { done = true; resolve(v); } };
    const h = { Authorization: `Bearer ${srv.token}`, 'Content-Type': 'application/json', ...headers };
    if (!chunked) h['Content-Length'] = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0);
    const r = http.request({ host: u.hostname, port: u.port, method, path, headers: h, agent: false }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { data += d; });
      res.on('end', () => {
        let json;
        try { json = JSON.parse(data); } catch { json = undefined; }
        finish({ status: res.statusCode, headers: res.headers, text: data, body: json });
      });
      res.on('error', (e) => finish({ status: res.statusCode, headers: res.headers, text: data, error: e }));
    });
    r.on('error', (e) => finish({ error: e }));
    (async () => {
      for (const c of chunks) {
        if (done || r.destroyed) return;
        if (!r.write(c)) {
          await new Promise((ok) => {
            const go = () => { r.off('drain', go); r.off('close', go); ok(); };
            r.on('drain', go);
            r.on('close', go);
          });
        }
      }
      r.end();
    })().catch((e) => finish({ error: e }));
  });
}

// Asserts `res` is an application/problem+json error with this status.
export function assertProblem(res, status, msg = '') {
  assert.equal(res.status, status, `${msg} expected ${status}, got ${res.status}: ${res.text}`);
  const ct = res.headers.get ? res.headers.get('content-type') : res.headers['content-type'];
  assert.ok(ct && ct.startsWith('application/problem+json'),
            `${msg} content-type should be application/problem+json, got ${ct}`);
  assert.ok(res.body && typeof res.body === 'object', `${msg} problem body should be a JSON object: ${res.text}`);
  assert.equal(res.body.status, status, `${msg} problem.status: ${res.text}`);
  assert.equal(typeof res.body.title, 'string', `${msg} problem.title: ${res.text}`);
  return res.body;
}

// Asserts a 422 whose errors[] names exactly these fields (one entry each).
// A field matches an entry named `f` or `f[...]`/`f.…` below it.
export function assertInvalid(res, fields, msg = '') {
  const p = assertProblem(res, 422, msg);
  assert.ok(Array.isArray(p.errors), `${msg} errors[] missing: ${res.text}`);
  for (const e of p.errors) {
    assert.equal(typeof e.field, 'string', `${msg} errors[].field: ${res.text}`);
    assert.equal(typeof e.message, 'string', `${msg} errors[].message: ${res.text}`);
  }
  const under = (name, f) => name === f || name.startsWith(`${f}[`) || name.startsWith(`${f}.`);
  for (const f of fields) {
    assert.ok(p.errors.some((e) => under(e.field, f)), `${msg} errors[] should name ${f}: ${res.text}`);
  }
  assert.equal(p.errors.length, fields.length, `${msg} one errors[] entry per bad field (${fields}): ${res.text}`);
  return p;
}

// Runs each check and collects the failures instead of stopping at the first,
// so one run reports every case that is wrong. Throws one error listing them.
export async function allOf(checks) {
  const failed = [];
  for (const [label, fn] of checks) {
    try { await fn(); } catch (e) { failed.push(`${label}: ${String(e.message).split('\n')[0].slice(0, 400)}`); }
  }
  assert.deepEqual(failed, [], `${failed.length} of ${checks.length} cases failed`);
}

// Every record of a collection, following next_cursor. `query` is a raw query string.
export async function listAll(srv, collection, query = '', { limit = 200, auth } = {}) {
  const out = [];
  let cursor = null;
  for (let page = 0; page < 1000; page++) {
    const qs = [query, `limit=${limit}`, cursor ? `cursor=${encodeURIComponent(cursor)}` : '']
      .filter(Boolean).join('&');
    const r = await req(srv, 'GET', `/api/v1/${collection}?${qs}`, { auth });
    assert.equal(r.status, 200, `GET ${collection}?${qs}: ${r.text}`);
    assert.ok(Array.isArray(r.body.data), r.text);
    out.push(...r.body.data);
    cursor = r.body.next_cursor;
    if (cursor == null) return out;
    assert.equal(typeof cursor, 'string', `next_cursor is a string or null: ${r.text}`);
  }
  throw new Error('paging did not end');
}

// A comparable snapshot of a collection (live and trash), to prove that a
// rejected write changed nothing.
export async function snapshot(srv, collection) {
  const live = await listAll(srv, collection);
  const trash = await listAll(srv, collection, 'deleted=true');
  return JSON.stringify({ live, trash });
}

export async function createOk(srv, collection, body, auth) {
  const r = await req(srv, 'POST', `/api/v1/${collection}`, { body, auth });
  assert.equal(r.status, 201, `POST ${collection} ${JSON.stringify(body).slice(0, 200)}: ${r.text.slice(0, 2000)}`);
  return r.body;
}

// Runs the CLI and returns {status, stdout, stderr} instead of throwing.
export function crmRun(args, env = {}, opts = {}) {
  const r = spawnSync(BIN, args, {
    env: { ...process.env, ...env }, encoding: 'utf8', timeout: opts.timeout || 15000,
    input: opts.input, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout || '', stderr: r.stderr || '', error: r.error };
}

export function crmOk(args, env = {}) {
  const r = crmRun(args, env);
  assert.equal(r.status, 0, `crm ${args.join(' ')} failed (${r.status} ${r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

// CLI user management, in one place so a flag rename is one edit.
export function addUser(srv, email, password, { name = 'Test User', admin = false } = {}) {
  const args = ['user', 'add', '--db', srv.db, '--email', email, '--name', name];
  if (admin) args.push('--admin');
  return crmOk(args, { CRM_PASSWORD: password });
}
export function disableUser(srv, email) {
  return crmOk(['user', 'disable', '--db', srv.db, '--email', email]);
}
export function setPassword(srv, email, password) {
  return crmOk(['user', 'passwd', '--db', srv.db, '--email', email], { CRM_PASSWORD: password });
}
// Prints a new token for `email`; `name` labels it so revokeToken can find its id.
export function createToken(srv, email, name = 'test') {
  return crmOk(['token', 'create', '--db', srv.db, '--user', email, '--name', name]).trim();
}
// Revokes the token labelled `name` (its id is read from `crm token list`).
export function revokeToken(srv, name) {
  const list = crmOk(['token', 'list', '--db', srv.db]);
  const row = list.split('\n').map((l) => l.trim().split(/\s+/)).find((cols) => cols[2] === name);
  assert.ok(row, `token named ${name} in:\n${list}`);
  return crmOk(['token', 'revoke', '--db', srv.db, '--id', row[0]]);
}

// Signs in and returns {res, cookie: 'crm_session=...', setCookie: raw header,
// csrf: the session's CSRF token, auth: {cookie, csrf} for req()}.
export async function login(srv, email, password) {
  const res = await req(srv, 'POST', '/api/v1/auth/login', { body: { email, password }, auth: null });
  const all = res.headers.getSetCookie ? res.headers.getSetCookie() : [res.headers.get('set-cookie')].filter(Boolean);
  const setCookie = all.find((c) => c.startsWith('crm_session=')) || null;
  const cookie = setCookie ? setCookie.split(';')[0] : null;
  const csrf = res.body && res.body.csrf_token;
  return { res, cookie, setCookie, csrf, auth: { cookie, csrf } };
}

// Starts `crm serve` on an existing database; resolves when /healthz answers.
export async function serveDb(db, port, extraArgs = []) {
  const url = `http://127.0.0.1:${port}`;
  let out = '';
  const child = spawn(BIN, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, ...extraArgs],
                      { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  let exited = null;
  const exitedP = new Promise((ok) => child.on('exit', (code, sig) => { exited = { code, sig }; ok(exited); }));
  child.on('error', (e) => { out += String(e); });
  const deadline = Date.now() + 15000;
  for (;;) {
    if (exited) throw new Error(`crm serve exited (${JSON.stringify(exited)}):\n${out}`);
    try {
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`crm serve not ready:\n${out}`); }
    await new Promise((ok) => setTimeout(ok, 20));
  }
  return { url, child, exitedP, log: () => out, exited: () => exited };
}

export function freePort() {
  return new Promise((ok, fail) => {
    const s = net.createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

// Resolves with the exit {code, sig} of a child, or null after `ms`.
export function waitExit(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, sig: child.signalCode });
  }
  return new Promise((ok) => {
    const t = setTimeout(() => ok(null), ms);
    child.once('exit', (code, sig) => { clearTimeout(t); ok({ code, sig }); });
  });
}

// Stops a startServer() server and asserts it shut down cleanly: exit 0 on
// SIGTERM and no sanitizer report in its output (the ASan build prints leaks
// and memory errors only there).
export async function stopClean(srv) {
  if (!srv) return;
  const log = () => srv.log().split('\n').filter((l) => !l.startsWith('{')).join('\n').slice(-4000);
  const res = await srv.stop();
  assert.deepEqual(res, { code: 0, sig: null }, `crm serve exit status on SIGTERM:\n${log()}`);
  assert.doesNotMatch(srv.log(), /ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:/, log());
}

// Digits of a phone number, for comparing numbers a server may reformat.
export const digits = (s) => String(s).replace(/\D/g, '');

// For tests about other things than CSRF (the second factor, say): a login
// that remembers each session's CSRF token, and a req that sends it with
// that session's cookie unless the test sets auth.csrf itself.
export function csrfSessions() {
  const tokens = new Map();
  return {
    async login(srv, email, password) {
      const r = await login(srv, email, password);
      if (r.cookie) tokens.set(r.cookie, r.csrf);
      return r;
    },
    req(srv, method, path, opts = {}) {
      const a = opts.auth;
      if (a && a.cookie && a.csrf === undefined) return req(srv, method, path, { ...opts, auth: { ...a, csrf: tokens.get(a.cookie) } });
      return req(srv, method, path, opts);
    },
  };
}

// One JSON request as the server's admin token, with a 10 s deadline, that
// never throws: {status, body, text}, or {error} when the connection failed
// (the crash tests kill the server under it).
export async function tryCall(srv, method, path, body, headers = {}) {
  try {
    const r = await fetch(srv.url + path, {
      method,
      headers: { Authorization: `Bearer ${srv.token}`, 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10000),
    });
    const text = await r.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: r.status, body: json, text };
  } catch (e) {
    return { error: e };
  }
}

// An RFC 4180 CSV text (CRLF rows, every row ended) as an array of rows of cells.
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; }
    else if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; }
    else cell += ch;
  }
  assert.equal(quoted, false, 'no quote left open');
  assert.equal(row.length + cell.length, 0, 'the last row ends with CRLF');
  return rows;
}
