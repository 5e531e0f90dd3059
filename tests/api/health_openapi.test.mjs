// Health check, the OpenAPI description, and what unknown routes and methods answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { stopClean, req, assertProblem, createOk, login } from '../lib/helpers.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await stopClean(srv); });

// Every route documented in docs/api.md under /api/v1.
const DOCUMENTED = [
  ['post', '/auth/login'], ['post', '/auth/logout'], ['get', '/auth/me'],
  ['get', '/companies'], ['post', '/companies'],
  ['get', '/companies/{id}'], ['patch', '/companies/{id}'], ['delete', '/companies/{id}'],
  ['post', '/companies/{id}/restore'],
  ['get', '/contacts'], ['post', '/contacts'],
  ['get', '/contacts/{id}'], ['patch', '/contacts/{id}'], ['delete', '/contacts/{id}'],
  ['post', '/contacts/{id}/restore'],
  ['get', '/search'],
  ['get', '/custom-fields'], ['post', '/custom-fields'],
  ['patch', '/custom-fields/{id}'], ['delete', '/custom-fields/{id}'],
  ['get', '/users'],
  ['get', '/openapi.json'],
];
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

async function openapi() {
  const r = await req(srv, 'GET', '/api/v1/openapi.json');
  assert.equal(r.status, 200, r.text.slice(0, 500));
  assert.ok(r.body && typeof r.body === 'object', 'openapi.json is a JSON object');
  return r.body;
}

// The document's routes as [method, '/api/v1/...'] pairs, whether its paths
// are written in full or relative to a servers[].url of /api/v1.
function routes(doc) {
  const base = (doc.servers && doc.servers[0] && doc.servers[0].url || '').replace(/^https?:\/\/[^/]+/, '').replace(/\/$/, '');
  const out = [];
  for (const [p, item] of Object.entries(doc.paths || {})) {
    const full = p.startsWith('/api/v1') || p === '/healthz' ? p : base + p;
    for (const m of Object.keys(item)) if (METHODS.includes(m)) out.push([m, full]);
  }
  return out;
}
// Parameter names may differ ({id}, {companyId}); compare shapes.
const shape = (p) => p.replace(/\{[^}]+\}/g, '{}');

test('GET /healthz answers 200 {"status":"ok"} as JSON without credentials', async () => {
  const r = await req(srv, 'GET', '/healthz', { auth: null });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') || '', /^application\/json/);
  assert.deepEqual(r.body, { status: 'ok' });
});

test('openapi.json is OpenAPI 3.x with info and paths', async () => {
  const doc = await openapi();
  assert.match(String(doc.openapi), /^3\.\d+(\.\d+)?$/);
  assert.equal(typeof doc.info?.title, 'string');
  assert.equal(typeof doc.info?.version, 'string');
  assert.ok(doc.paths && typeof doc.paths === 'object');
});

test('openapi.json lists every documented route with its method', async () => {
  const have = new Set(routes(await openapi()).map(([m, p]) => `${m} ${shape(p)}`));
  const missing = DOCUMENTED.map(([m, p]) => `${m} ${shape('/api/v1' + p)}`).filter((k) => !have.has(k));
  assert.deepEqual(missing, [], `routes missing from openapi.json (have: ${[...have].join(', ')})`);
});

test('every route in openapi.json answers its documented method (not 404/405/5xx)', async () => {
  const doc = await openapi();
  // Real ids to put into {id}: a live record, and a trashed one for /restore.
  const company = await createOk(srv, 'companies', { name: 'Route Check Co' });
  const gone = await createOk(srv, 'companies', { name: 'Route Check Trash' });
  const contact = await createOk(srv, 'contacts', { first_name: 'Route', last_name: 'Check' });
  const goneContact = await createOk(srv, 'contacts', { last_name: 'Trash' });
  assert.equal((await req(srv, 'DELETE', `/api/v1/companies/${gone.id}`)).status, 204);
  assert.equal((await req(srv, 'DELETE', `/api/v1/contacts/${goneContact.id}`)).status, 204);
  const field = await req(srv, 'POST', '/api/v1/custom-fields',
                          { body: { entity: 'companies', name: 'route_check', label: 'Route check', type: 'text' } });
  assert.equal(field.status, 201, field.text);
  // Accounts: a token of the admin's own, made to be revoked; a session is
  // made just before its DELETE (revoke-others, a POST, ends them all).
  const spare = await req(srv, 'POST', '/api/v1/auth/tokens', { body: { name: 'route check' } });
  assert.equal(spare.status, 201, spare.text);
  const shares = {};
  for (const [e, rec] of [['companies', company], ['contacts', contact]]) {
    const s = await req(srv, 'POST', `/api/v1/${e}/${rec.id}/shares`, { body: { department_id: 1, access: 'read' } });
    assert.equal(s.status, 201, s.text);
    shares[e] = s.body.data[0].id;
  }
  const idFor = (p) => {
    if (p.includes('/auth/sessions/')) return sessionId;
    if (p.includes('/auth/tokens/')) return spare.body.id;
    if (p.includes('/custom-fields/')) return field.body.id;
    if (p.includes('/contacts/')) return p.endsWith('/restore') ? goneContact.id : contact.id;
    return p.endsWith('/restore') ? gone.id : company.id;
  };
  const order = { get: 0, head: 1, options: 2, post: 3, put: 4, patch: 5, delete: 6, trace: 7 };
  // Within a method, longer paths first: a share is deleted before its record.
  const list = routes(doc).sort((a, b) => order[a[0]] - order[b[0]] || b[1].length - a[1].length);
  assert.ok(list.length >= DOCUMENTED.length);
  const bad = [];
  let sessionId = 0;
  for (const [m, p] of list) {
    if (p.includes('/auth/sessions/{')) {
      const session = await login(srv, srv.adminEmail, srv.adminPassword);
      const mine = await req(srv, 'GET', '/api/v1/auth/sessions', { auth: session.auth });
      sessionId = mine.body.data.find((x) => x.current).id;
    }
    const path = p.replace('{sub}', () => shares[p.split('/')[3]]).replace(/\{[^}]+\}/g, () => idFor(p));
    // Logout is sent without credentials so it cannot end the admin's session.
    const auth = p.endsWith('/auth/logout') ? null : undefined;
    const withBody = m === 'post' || m === 'patch' || m === 'put';
    if (p.endsWith('/notifications/stream')) {
      // Server-Sent Events never end by themselves: the answer's head is enough.
      const ctrl = new AbortController();
      const s = await fetch(srv.url + path, { headers: { Authorization: `Bearer ${srv.token}` }, signal: ctrl.signal });
      ctrl.abort();
      if (s.status !== 200) bad.push(`GET ${path} → ${s.status}`);
      continue;
    }
    const r = await req(srv, m.toUpperCase(), path + (p.endsWith('/search') ? '?q=route' : ''),
                        { auth, body: withBody ? {} : undefined });
    // A 404 from the handler (no such security key of this user) is an
    // answer; only the router's own 404 means the route is missing.
    const routed404 = r.status === 404 && !/There is nothing at/.test(r.text);
    if ((r.status === 404 && !routed404) || r.status === 405 || r.status >= 500) bad.push(`${m.toUpperCase()} ${path} → ${r.status} ${r.text.slice(0, 200)}`);
  }
  assert.deepEqual(bad, []);
});

// Paths outside /api may be answered by the web UI (client-side routes), so only API paths are checked.
test('an unknown API route answers 404 problem+json', async () => {
  for (const path of ['/api/v1/nope', '/api/v1/companies/1/nope', '/api/v1', '/api/v2/companies', '/api/v1/companies/1/restore/x']) {
    assertProblem(await req(srv, 'GET', path), 404, path);
  }
});

test('a known route with the wrong method answers 405 problem+json', async () => {
  const cases = [['PUT', '/api/v1/companies'], ['DELETE', '/api/v1/companies'], ['PATCH', '/api/v1/contacts'],
                 ['POST', '/api/v1/search'], ['POST', '/healthz'], ['DELETE', '/api/v1/auth/me'],
                 ['GET', '/api/v1/auth/login']];
  for (const [m, path] of cases) {
    const r = await req(srv, m, path, m === 'GET' || m === 'DELETE' ? {} : { body: {} });
    assertProblem(r, 405, `${m} ${path}`);
  }
  const c = await createOk(srv, 'companies', { name: 'Method Co' });
  assertProblem(await req(srv, 'PUT', `/api/v1/companies/${c.id}`, { body: { name: 'x' } }), 405, 'PUT item');
  assertProblem(await req(srv, 'POST', `/api/v1/companies/${c.id}`, { body: { name: 'x' } }), 405, 'POST item');
});

test('405 names the allowed methods in an Allow header', async () => {
  const r = await req(srv, 'PUT', '/api/v1/companies', { body: {} });
  assert.equal(r.status, 405);
  const allow = (r.headers.get('allow') || '').toUpperCase();
  assert.match(allow, /\bGET\b/, `Allow: ${allow}`);
  assert.match(allow, /\bPOST\b/, `Allow: ${allow}`);
});
