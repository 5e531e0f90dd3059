// Load helpers for the multi-server and database-outage tests (tests/pg/):
// requests that never hang (every one has a deadline), a classification of
// each answer, streams of writes that record what was acknowledged, and
// polling with deadlines instead of sleeps.
import assert from 'node:assert/strict';
import { listAll } from './helpers.mjs';

// One request with a deadline. Never throws: resolves {status, ct, body, text,
// ms} or {error, ms} when no answer arrived (connection refused or reset, timeout).
export async function send(srv, method, path, { body, token, cookie, timeout = 15000 } = {}) {
  const h = {};
  if (cookie) h.Cookie = cookie;
  else h.Authorization = `Bearer ${token || srv.token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const t0 = Date.now();
  try {
    const r = await fetch(srv.url + path, {
      method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeout),
    });
    const text = await r.text();
    let json;
    try { json = text ? JSON.parse(text) : null; } catch { json = undefined; }
    return { status: r.status, ct: r.headers.get('content-type') || '', body: json, text, headers: r.headers, ms: Date.now() - t0 };
  } catch (e) {
    const cause = e.cause ? ` (${e.cause.code || e.cause.message})` : '';
    return { error: `${e.name}: ${e.message}${cause}`, ms: Date.now() - t0 };
  }
}

// A 5xx answer that is a proper problem+json document.
export function isProblem5xx(r) {
  return r.status >= 500 && r.status <= 599 && r.ct.startsWith('application/problem+json') &&
    r.body && typeof r.body === 'object' && r.body.status === r.status && typeof r.body.title === 'string';
}

// Runs fn over items with at most n in flight; resolves with the results in order.
export async function pool(n, items, fn) {
  const out = new Array(items.length);
  let next = 0;
  async function lane() {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, lane));
  return out;
}

// Polls fn (async, truthy = done) every `every` ms until `ms` have passed; returns its value or throws.
export async function waitUntil(fn, ms, what, every = 25) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try { last = await fn(); } catch (e) { last = undefined; }
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, every));
  }
}

// A stream of company creates from `workers` loops per server, each tagged
// `tag`, until stop(). Every answer is recorded with its time:
//   acked:  {id, name, srv, t} for each 201
//   fails:  {srv, t, status|error, text} for everything else
// `also` (optional) is called between writes for extra reads.
export function writeStream(servers, { tag, workers = 4, notes = 0, timeout = 15000, also } = {}) {
  const acked = [];
  const fails = [];
  const answers = []; // {t, srv, status|error} of every request, in completion order
  let stopped = false;
  let n = 0;
  const loops = [];
  for (const [si, srv] of servers.entries()) {
    for (let w = 0; w < workers; w++) {
      loops.push((async () => {
        while (!stopped) {
          const name = `${tag} ${si}-${w}-${n++}`;
          const t = Date.now();
          const r = await send(srv, 'POST', '/api/v1/companies',
                               { body: { name, tags: [tag], notes: 'n'.repeat(notes) }, timeout });
          const done = Date.now();
          answers.push({ t: done, start: t, srv: si, status: r.status, error: r.error });
          if (r.status === 201) acked.push({ id: r.body.id, name, srv: si, t: done, start: t });
          else fails.push({ srv: si, name, t: done, start: t, status: r.status, error: r.error, ct: r.ct, text: r.text && r.text.slice(0, 500) });
          if (also && !stopped) await also(srv, si);
          // A dead server refuses at once: do not spin on it.
          if (r.error) await new Promise((ok) => setTimeout(ok, 10));
        }
      })());
    }
  }
  return {
    acked, fails, answers,
    async stop() { stopped = true; await Promise.all(loops); },
  };
}

// Asserts that every acknowledged create is stored, through `srv`: listed
// under its tag and whole (its name as sent). `failed` (optional): the
// failures of the stream, checked for writes that happened though denied.
// Returns the stored records by id.
export async function assertAllStored(srv, tag, acked, msg = '', failed = null) {
  const stored = new Map((await listAll(srv, 'companies', `tag=${encodeURIComponent(tag)}`)).map((c) => [c.id, c]));
  const lost = acked.filter((a) => !stored.has(a.id));
  assert.deepEqual(lost.slice(0, 20), [], `${msg}: ${lost.length} of ${acked.length} acknowledged writes are missing`);
  const wrong = acked.filter((a) => stored.get(a.id).name !== a.name);
  assert.deepEqual(wrong.slice(0, 20), [], `${msg}: stored records differ from what was acknowledged`);
  const ids = acked.map((a) => a.id);
  // A failed write may still have happened (the commit went through but the
  // answer did not); then the server must not have claimed that nothing changed.
  const names = new Set([...stored.values()].map((c) => c.name));
  const phantoms = (failed || []).filter((f) => f.name && names.has(f.name));
  const denied = phantoms.filter((f) => /not made|nothing was changed|no change/i.test(f.text || ''));
  assert.deepEqual(denied.slice(0, 5), [], `${msg}: ${denied.length} writes answered as failed and "not made" are stored all the same`);
  assert.equal(new Set(ids).size, ids.length, `${msg}: two acknowledged creates got the same id`);
  return stored;
}

// Short summary of failures for assertion messages.
export function describe(fails, max = 10) {
  const byKind = {};
  for (const f of fails) {
    const k = f.error ? `error ${f.error}` : `${f.status} ${f.ct}`;
    byKind[k] = (byKind[k] || 0) + 1;
  }
  const first = fails.slice(0, max).map((f) => ({ srv: f.srv, status: f.status, error: f.error, ms: f.t - f.start, text: f.text && f.text.slice(0, 160) }));
  return `${JSON.stringify(byKind)}; first: ${JSON.stringify(first)}`;
}

// The last lines of a server's log that are not access-log JSON (errors, warnings).
export function logTail(srv, n = 40) {
  return srv.log().split('\n').filter((l) => l && !l.startsWith('{')).slice(-n).join('\n');
}

// The access-log lines whose status is 5xx (the server's own view of the failures).
export function log5xx(srv, n = 10) {
  return srv.log().split('\n').filter((l) => /"status":\s*5\d\d/.test(l)).slice(0, n).join('\n');
}
