// One generated robustness test over every route of GET /api/v1/openapi.json:
// each route gets malformed bodies, a wrong type for every property of its
// request schema (read from the OpenAPI components) and extreme values (huge
// and negative-zero numbers, empty strings, a 1 MB string, invalid UTF-8, NUL
// bytes, deep nesting, 10,000-key objects). Every answer must be a 4xx with
// application/problem+json (or a 2xx where the input is in fact valid), never a
// 5xx and never a dropped connection; and the database must not change: the
// companies, contacts (live and trash), custom fields and users are compared
// before and after each route, except for the records a 2xx legitimately wrote.
// Routes that delete or restore only ever get ids that do not exist or bad ids.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer } from '../lib/server.mjs';
import { stopClean, req, createOk, listAll } from '../lib/helpers.mjs';

let srv;
let agent;
let spec;
const ids = {}; // real records used for GET/PATCH
const MISSING_ID = 999999999;

before(async () => {
  srv = await startServer();
  agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const co = await createOk(srv, 'companies', { name: 'Robust Co', website: 'https://robust.example', tags: ['keep'],
                                                emails: ['a@robust.example'], phones: ['+1 555 0100'] });
  const ct = await createOk(srv, 'contacts', { first_name: 'Robust', last_name: 'Person', company_id: co.id,
                                               birthday: '1980-01-02' });
  const cf = await req(srv, 'POST', '/api/v1/custom-fields',
                       { body: { entity: 'contacts', name: 'robust_choice', label: 'Choice', type: 'choice', options: ['A', 'B'] } });
  assert.equal(cf.status, 201, cf.text);
  ids.companies = co.id;
  ids.contacts = ct.id;
  ids['custom-fields'] = cf.body.id;
  // The organisation: a user who is not the admin (whose account must
  // survive), a department and a role of their own.
  const u = await req(srv, 'POST', '/api/v1/users',
                      { body: { email: 'robust@example.com', name: 'Robust User', password: 'walnut ember cascade 1' } });
  assert.equal(u.status, 201, u.text);
  ids.users = u.body.id;
  const d = await req(srv, 'POST', '/api/v1/departments', { body: { name: 'Robust Dept', parent_id: 1 } });
  assert.equal(d.status, 201, d.text);
  ids.departments = d.body.id;
  const role = await req(srv, 'POST', '/api/v1/roles', { body: { name: 'Robust Role', perms: { '*': { read: 'own' } } } });
  assert.equal(role.status, 201, role.text);
  ids.roles = role.body.id;
  const pipe = await req(srv, 'POST', '/api/v1/pipelines', { body: { name: 'Robust pipeline', stages: [
    { name: 'Open' }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }] } });
  assert.equal(pipe.status, 201, pipe.text);
  ids.pipelines = pipe.body.id;
  const reason = await req(srv, 'POST', '/api/v1/lost-reasons', { body: { name: 'Robust reason' } });
  assert.equal(reason.status, 201, reason.text);
  ids['lost-reasons'] = reason.body.id;
  const deal = await createOk(srv, 'deals', { title: 'Robust deal', amount: 125000, currency: 'EUR', company_id: co.id,
                                              contact_ids: [ct.id], expected_close: '2027-01-31', source: 'web' });
  ids.deals = deal.id;
  const act = await createOk(srv, 'activities', { kind: 'task', subject: 'Robust task', due_at: '2027-01-31T10:00:00Z',
                                                  company_id: co.id, contact_id: ct.id, deal_id: deal.id,
                                                  participants: [u.body.id], checklist: [{ text: 'one', done: false }] });
  ids.activities = act.id;
  const doc = await req(srv, 'POST', `/api/v1/companies/${co.id}/documents`, {
    headers: { 'Content-Type': 'multipart/form-data; boundary=robust' },
    body: '--robust\r\nContent-Disposition: form-data; name="file"; filename="robust.txt"\r\n\r\nrobust\r\n--robust--\r\n' });
  assert.equal(doc.status, 201, doc.text);
  ids.documents = doc.body.id;
  const unit = await req(srv, 'POST', '/api/v1/units', { body: { name: 'robust unit' } });
  assert.equal(unit.status, 201, unit.text);
  ids.units = unit.body.id;
  const product = await req(srv, 'POST', '/api/v1/products',
                            { body: { name: 'Robust product', unit_id: unit.body.id, price: 100, currency: 'EUR' } });
  assert.equal(product.status, 201, product.text);
  ids.products = product.body.id;
  const list = await req(srv, 'POST', '/api/v1/price-lists',
                         { body: { name: 'Robust list', currency: 'EUR', items: [{ product_id: product.body.id, price: 90 }] } });
  assert.equal(list.status, 201, list.text);
  ids['price-lists'] = list.body.id;
  const cal = await req(srv, 'POST', '/api/v1/work-calendars', { body: { name: 'Robust hours', tz: 'Europe/Berlin',
    week: [['09:00-18:00'], ['09:00-18:00'], [], [], [], [], []], holidays: [{ date: '2027-01-01', name: 'New Year' }] } });
  assert.equal(cal.status, 201, cal.text);
  ids['work-calendars'] = cal.body.id;
  const rep = await req(srv, 'POST', '/api/v1/reports', { body: { name: 'Robust report',
    definition: { entity: 'deals', group_by: [{ field: 'status' }], aggregates: [{ fn: 'count' }] } } });
  assert.equal(rep.status, 201, rep.text);
  ids.reports = rep.body.id;
  const sub = await req(srv, 'POST', '/api/v1/report-subscriptions', { body: { report_id: rep.body.id, format: 'csv',
    schedule: { kind: 'weekly', weekday: 1, time: '08:00' }, recipients: [(await req(srv, 'GET', '/api/v1/auth/me')).body.id] } });
  assert.equal(sub.status, 201, sub.text);
  ids['report-subscriptions'] = sub.body.id;
  // A template of one's own (a copy of a shipped one), so that hostile bodies
  // aim at a real template's routes.
  const shipped = await req(srv, 'GET', '/api/v1/process-templates');
  assert.equal(shipped.status, 200, shipped.text);
  const first = await req(srv, 'GET', `/api/v1/process-templates/${shipped.body.data[0].id}`);
  const tpl = await req(srv, 'POST', '/api/v1/process-templates', { body: { ...first.body.definition, key: 'robust_copy', name: 'Robust copy' } });
  assert.equal(tpl.status, 201, tpl.text);
  ids['process-templates'] = tpl.body.id;
  // The service desk: a queue, an SLA policy (due in working hours, far
  // from any breach during the sweep), a canned response and a ticket.
  ids.queues = (await createOk(srv, 'queues', { name: 'Robust queue', members: [u.body.id] })).id;
  ids['sla-policies'] = (await createOk(srv, 'sla-policies', { name: 'Robust SLA', response_min: 100000,
                                                              resolution_min: 200000 })).id;
  ids['canned-responses'] = (await createOk(srv, 'canned-responses', { name: 'Robust reply',
                                                                      body: 'Hello {{client_name}}' })).id;
  ids.tickets = (await createOk(srv, 'tickets', { subject: 'Robust ticket', contact_id: ct.id, queue_id: ids.queues,
                                                  links: [{ entity: 'deals', id: deal.id }] })).id;
  ids['desk/forms'] = (await createOk(srv, 'desk/forms', { name: 'Robust form', queue_id: ids.queues,
                                                         origins: ['https://robust.example'] })).id;
  // An import waiting for its mapping, for the import routes.
  const form = new FormData();
  form.append('entity', 'contacts');
  form.append('file', new Blob(['first_name,emails\r\nRobust,robust@example.com\r\n'], { type: 'text/csv' }), 'robust.csv');
  const imp = await fetch(`${srv.url}/api/v1/imports`, { method: 'POST', headers: { Authorization: `Bearer ${srv.token}` }, body: form });
  assert.equal(imp.status, 201, await imp.clone().text());
  ids.imports = (await imp.json()).id;
  // A shipped process template, and an instance of it on the deal waiting at its first step.
  const tpls = await req(srv, 'GET', '/api/v1/process-templates');
  assert.equal(tpls.status, 200, tpls.text);
  const offer = tpls.body.data.find((x) => x.key === 'offer_approval');
  const inst = await req(srv, 'POST', '/api/v1/process-instances', { body: { template_id: offer.id, entity: 'deals', record_id: deal.id } });
  assert.equal(inst.status, 201, inst.text);
  ids['process-instances'] = inst.body.id;
  ids['process-steps'] = inst.body.steps.find((x) => x.status === 'waiting').id;
  ids.processTask = inst.body.steps.find((x) => x.status === 'waiting').task_id;
  ids['kpi/scorecards'] = (await createOk(srv, 'kpi/scorecards', { name: 'Robust KPI', applies: 'users', user_ids: [u.body.id],
    period_kind: 'month', lines: [{ metric: 'calls', target: 10, weight: 1, rule: 'linear' }] })).id;
  // A notification of the admin's own: a reminder whose moment has passed
  // (two days before a deadline a day away) is sent at once. The deadline
  // stays ahead for the whole sweep, so the task never turns overdue in it.
  await createOk(srv, 'activities', { kind: 'task', subject: 'Robust reminder',
                                      due_at: new Date(Date.now() + 86400000).toISOString(), reminders: [2880] });
  for (const deadline = Date.now() + 15000; !ids.notifications;) {
    const n = await req(srv, 'GET', '/api/v1/notifications');
    assert.equal(n.status, 200, n.text);
    if (n.body.data.length > 0) ids.notifications = n.body.data[0].id;
    else if (Date.now() > deadline) assert.fail('the reminder did not arrive within 15 s');
    else await new Promise((ok) => setTimeout(ok, 100));
  }
  const r = await req(srv, 'GET', '/api/v1/openapi.json');
  assert.equal(r.status, 200, r.text);
  spec = r.body;
});
after(async () => {
  if (agent) agent.destroy();
  await stopClean(srv);
});

// One request over a keep-alive connection with any bytes as the body, on
// any method (fetch refuses a body on GET). Resolves {status, headers, text,
// body} or {error} when the connection dropped without an answer.
function send(method, path, body, headers = {}) {
  const u = new URL(srv.url);
  return new Promise((resolve) => {
    const h = { Authorization: `Bearer ${srv.token}`, ...headers };
    if (body !== undefined) {
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
      h['Content-Length'] = body.length;
    }
    const r = http.request({ host: u.hostname, port: u.port, method, path, headers: h, agent }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, body: json });
      });
      res.on('error', (e) => resolve({ error: e }));
    });
    r.setTimeout(30000, () => r.destroy(new Error('no answer within 30 s')));
    r.on('error', (e) => resolve({ error: e }));
    r.end(body);
  });
}

// ---- the values ------------------------------------------------------------

const B = (s) => Buffer.from(s, 'utf8');
const MB = 1024 * 1024;
const bigString = B(JSON.stringify('x'.repeat(MB - 200))); // a 1 MB string inside a body under 1 MiB
const tenKKeys = B(`{${Array.from({ length: 10000 }, (_, i) => `"k${i}":${i}`).join(',')}}`);
const deepArray = (n) => B('['.repeat(n) + ']'.repeat(n));
const deepObject = (n) => B('{"a":'.repeat(n) + '1' + '}'.repeat(n));

// Extreme values, as raw JSON text (numbers exactly as written) or bytes.
// `maybe` marks values that can be valid for some property (then a 2xx is
// accepted, and the record it wrote is checked and left out of the comparison).
const EXTREMES = [
  ['1e308', B('1e308')],
  ['-1e308', B('-1e308')],
  ['1e999 (overflows double)', B('1e999')],
  ['2**64', B('18446744073709551616')],
  ['-(2**63)-1', B('-9223372036854775809')],
  ['2**63-1', B('9223372036854775807')],
  ['-0', B('-0'), 'maybe'],
  ['-0.0', B('-0.0')],
  ['1e-400', B('1e-400')],
  ['empty string', B('""'), 'maybe'],
  ['1 MB string', bigString],
  ['invalid UTF-8 in a string', Buffer.concat([B('"ab'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), B('cd"')])],
  ['overlong UTF-8 NUL', Buffer.concat([B('"a'), Buffer.from([0xc0, 0x80]), B('b"')])],
  ['escaped NUL', B('"a\\u0000b"')],
  ['raw NUL byte in a string', Buffer.concat([B('"a'), Buffer.from([0]), B('b"')])],
  ['lone surrogate', B('"\\ud800x"')],
  ['control characters', B('"a\\u0001\\u001f\\u007fb"'), 'maybe'],
  ['deeply nested array (100000)', deepArray(100000)],
  ['nested array (1000)', deepArray(1000)],
  ['deeply nested object (50000)', deepObject(50000)],
  ['10,000-key object', tenKKeys],
  ['10,000-item array', B(JSON.stringify(Array.from({ length: 10000 }, (_, i) => `t${i}`)))],
];
// Inside an array property (emails, phones, tags, options): the same values as items.
const ITEM_EXTREMES = [
  ['[1e308]', B('[1e308]')],
  ['[2**64]', B('[18446744073709551616]')],
  ['[""]', B('[""]'), 'maybe'],
  ['[1 MB string]', Buffer.concat([B('['), bigString, B(']')])],
  ['[invalid UTF-8]', Buffer.concat([B('["a'), Buffer.from([0xff]), B('"]')])],
  ['[escaped NUL]', B('["a\\u0000b"]')],
  ['[null]', B('[null]')],
  ['[[[...]]]', Buffer.concat([B('['), deepArray(500), B(']')])],
  ['[{10,000 keys}]', Buffer.concat([B('['), tenKKeys, B(']')])],
  ['duplicates', B('["a","a"]'), 'maybe'],
];
const SAMPLE = { string: '"x"', integer: '7', number: '1.5', boolean: 'true', array: '["x"]', object: '{"a":1}', null: 'null' };

function typesOf(schema) {
  if (!schema || schema.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

// Values of the wrong JSON type for a property, plus wrong item types for arrays.
function wrongTypes(schema) {
  const t = typesOf(schema);
  const out = [];
  for (const [k, raw] of Object.entries(SAMPLE)) {
    if (t.includes(k) || (k === 'integer' && t.includes('number'))) continue;
    if (k === 'number' && t.includes('integer')) { out.push(['1.5 for an integer', B(raw)]); continue; }
    if (t.length === 0) continue; // untyped: anything goes
    // null clears an optional field (docs/api.md), arrays and custom included.
    out.push([`${k} for ${t.join('|')}`, B(raw), k === 'null' ? 'maybe' : undefined]);
  }
  if (t.includes('integer')) out.push(['"7" for an integer', B('"7"')]);
  if (t.includes('array')) {
    const it = typesOf(schema.items);
    for (const [k, raw] of Object.entries(SAMPLE)) {
      if (it.length === 0 || it.includes(k) || k === 'null') continue;
      out.push([`[${k}] for array of ${it.join('|')}`, B(`[${raw}]`)]);
    }
  }
  return out;
}

// Whole bodies that are not a valid JSON object, or are hostile as a whole.
const MALFORMED = [
  ['empty', B('')],
  ['whitespace', B('  \n ')],
  ['truncated', B('{"name": "x",')],
  ['single quotes', B("{'name': 'x'}")],
  ['bare key', B('{name: "x"}')],
  ['trailing garbage', B('{"a":1} x')],
  ['two objects', B('{"a":1}{"b":2}')],
  ['trailing comma', B('{"a":1,}')],
  ['NaN', B('{"a": NaN}')],
  ['array', B('[]')],
  ['string', B('"x"')],
  ['number', B('5')],
  ['null', B('null')],
  ['true', B('true')],
  ['empty object', B('{}'), 'maybe'],
  ['duplicate keys', B('{"name":"a","name":"b"}')],
  ['UTF-8 BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), B('{}')])],
  ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
  ['NUL byte', Buffer.from('{"a"\u0000:1}', 'binary')],
  ['only NUL bytes', Buffer.alloc(64)],
  ['UTF-16', Buffer.from('{"a":1}', 'utf16le')],
  ['deep array body', deepArray(200000)],
  ['deep object body', deepObject(100000)],
  ['10,000 unknown keys', tenKKeys],
  ['huge number key', B('{"a":1e99999999}')],
  ['binary noise', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff))],
];

// ---- the routes -------------------------------------------------------------

// A valid body for the routes that create, so that a mutation of one property
// is the only thing wrong with it. Other routes start from {} (or, for a route
// added later, from placeholders for its required properties).
function baseBody(method, path, schema) {
  if (method === 'POST' && path === '/api/v1/companies') return { name: 'Fuzz Co' };
  if (method === 'POST' && path === '/api/v1/contacts') return { last_name: 'Fuzz' };
  if (method === 'POST' && path === '/api/v1/activities') return { kind: 'task', subject: 'Fuzz task' };
  if (method === 'POST' && path === '/api/v1/custom-fields') {
    return { entity: 'companies', name: 'fuzz_field', label: 'Fuzz', type: 'text' };
  }
  if (method === 'POST' && path === '/api/v1/auth/login') return { email: srv.adminEmail, password: 'not the password' };
  const out = {};
  if (method === 'PATCH' || method === 'PUT') return out; // one property at a time
  for (const k of schema?.required || []) {
    const t = typesOf(schema.properties?.[k]);
    out[k] = t.includes('string') ? 'x' : t.includes('integer') ? 1 : t.includes('boolean') ? false : t.includes('array') ? [] : {};
  }
  return out;
}

function bodyWith(base, key, raw) {
  const parts = [];
  for (const [k, v] of Object.entries(base)) if (k !== key) parts.push(B(`${JSON.stringify(k)}:${JSON.stringify(v)}`));
  parts.push(Buffer.concat([B(`${JSON.stringify(key)}:`), raw]));
  const out = [B('{')];
  parts.forEach((p, i) => { if (i) out.push(B(',')); out.push(p); });
  out.push(B('}'));
  return Buffer.concat(out);
}

function resolveRef(ref) {
  const m = /^#\/components\/schemas\/(.+)$/.exec(ref || '');
  return m ? spec.components.schemas[m[1]] : null;
}

// The collection a path is about ("/api/v1/companies/{id}" → "companies",
// "/api/v1/desk/forms/{id}" → "desk/forms", "/api/v1/kpi/scorecards/{id}" →
// "kpi/scorecards").
const collectionOf = (path) => (/^\/api\/v1\/((?:desk\/|kpi\/)?[^/]+)\/\{id\}/.exec(path) || [])[1];

// ---- the database snapshot ------------------------------------------------------

async function dbState() {
  const m = new Map();
  for (const c of ['companies', 'contacts', 'deals', 'activities', 'tickets']) {
    // The names of linked records are read-only, derived from them (compared on their own).
    const norm = (r) => JSON.stringify({ ...r, company_name: undefined, contact_name: undefined, deal_name: undefined,
                                         queue_name: undefined });
    for (const r of await listAll(srv, c)) m.set(`${c}/${r.id}`, norm(r));
    for (const r of await listAll(srv, c, 'deleted=true')) m.set(`${c}/${r.id} (trash)`, norm(r));
  }
  for (const e of ['companies', 'contacts', 'deals']) {
    const r = await req(srv, 'GET', `/api/v1/custom-fields?entity=${e}`);
    assert.equal(r.status, 200, r.text);
    for (const f of r.body.data) m.set(`custom-fields/${f.id}`, JSON.stringify(f));
  }
  const u = await req(srv, 'GET', '/api/v1/users');
  assert.equal(u.status, 200, u.text);
  for (const x of u.body.data) m.set(`users/${x.id}`, JSON.stringify(x));
  for (const c of ['departments', 'roles', 'pipelines', 'lost-reasons', 'units', 'products', 'price-lists', 'work-calendars',
    'reports', 'process-templates', 'queues', 'sla-policies', 'canned-responses', 'desk/forms']) {
    const r = await req(srv, 'GET', `/api/v1/${c}`);
    assert.equal(r.status, 200, r.text);
    for (const x of r.body.data) m.set(`${c}/${x.id}`, JSON.stringify(x));
  }
  const pl = await req(srv, 'GET', `/api/v1/price-lists/${ids['price-lists']}`);
  m.set(`price-lists/${ids['price-lists']} items`, JSON.stringify(pl.body.items));
  const tm = await req(srv, 'GET', `/api/v1/tickets/${ids.tickets}/messages`);
  m.set(`tickets/${ids.tickets} messages`, JSON.stringify(tm.body.data));
  for (const c of ['companies', 'contacts', 'deals', 'activities']) {
    const r = await req(srv, 'GET', `/api/v1/${c}/${ids[c]}/shares`);
    assert.equal(r.status, 200, r.text);
    m.set(`${c}/${ids[c]} shares`, JSON.stringify(r.body.data));
    const d = await req(srv, 'GET', `/api/v1/${c}/${ids[c]}/documents`);
    assert.equal(d.status, 200, d.text);
    m.set(`${c}/${ids[c]} documents`, JSON.stringify(d.body.data));
  }
  return m;
}

// Keys of `a` and `b` that differ, leaving out the records in `legit`.
function changes(a, b, legit) {
  const out = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    if (legit.has(k.replace(/ \(trash\)$/, ''))) continue;
    if (a.get(k) !== b.get(k)) out.push(`${k}: ${(a.get(k) || 'absent').slice(0, 150)} → ${(b.get(k) || 'absent').slice(0, 150)}`);
  }
  return out;
}

// ---- the test --------------------------------------------------------------------

test('every route answers hostile bodies with 4xx problem+json and changes nothing', async (t) => {
  const failures = [];
  const legit = new Set(); // records a 2xx legitimately wrote
  let sent = 0;
  const routes = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [m, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(m)) continue;
      routes.push({ method: m.toUpperCase(), path, op });
    }
  }
  assert.ok(routes.length >= 20, `openapi lists ${routes.length} routes`);

  for (const { method, path, op } of routes) {
    // Server-Sent Events never end by themselves and take no body: the stream
    // has its own tests (notify.test.mjs), including its limits.
    if (path.endsWith('/notifications/stream')) continue;
    const coll = collectionOf(path);
    const writes = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method);
    const destructive = method === 'DELETE' || path.endsWith('/restore');
    // Where the cases go: a real record for reads and updates, one that does
    // not exist (and bad ids) for delete and restore.
    let target = path;
    if (coll) {
      assert.ok(destructive || ids[coll], `no record to use for ${path}`);
      target = path.replace('{id}', String(destructive ? MISSING_ID : ids[coll]));
    }
    const schema = resolveRef(op.requestBody?.content?.['application/json']?.schema?.$ref);
    const hasBody = Boolean(op.requestBody);
    const cases = []; // [label, path, body, maybeValid]
    for (const [label, body, maybe] of MALFORMED) cases.push([`body ${label}`, target, body, maybe || !hasBody]);
    if (schema) {
      const base = baseBody(method, path, schema);
      cases.push(['the base body', target, B(JSON.stringify(base)), true]);
      for (const [prop, ps] of Object.entries(schema.properties || {})) {
        for (const [label, raw, maybe] of wrongTypes(ps)) {
          cases.push([`${prop}: ${label}`, target, bodyWith(base, prop, raw), Boolean(maybe) && !(schema.required || []).includes(prop)]);
        }
        const ex = typesOf(ps).includes('array') ? [...EXTREMES, ...ITEM_EXTREMES] : EXTREMES;
        for (const [label, raw, maybe] of ex) cases.push([`${prop}: ${label}`, target, bodyWith(base, prop, raw), Boolean(maybe)]);
      }
      cases.push(['unknown property', target, bodyWith(base, 'no_such_property', B('1')), false]);
    } else {
      cases.push(['a JSON object', target, B('{"name":"x","id":1}'), true]);
    }
    if (coll) {
      for (const bad of ['0', '-1', 'abc', '1.5', '1e3', '99999999999999999999', '1%00', '%ff', '01x', ' 1']) {
        cases.push([`bad id ${JSON.stringify(bad)}`, path.replace('{id}', encodeURI(bad).replace(/%25/g, '%')), B('{}'), false]);
      }
    }
    cases.push(['body over 1 MiB', target, Buffer.concat([B('{"a":"'), Buffer.alloc(MB, 0x61), B('"}')]), false]);
    cases.push(['text/plain body', target, B('{}'), !hasBody, { 'Content-Type': 'text/plain' }]);

    const before = await dbState();
    // Four requests in flight at a time (the server's default worker count).
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const [label, p, body, maybeValid, headers] = cases[next++];
        const what = `${method} ${p} [${label}]`;
        const r = await send(method, p, body, headers);
        sent++;
        if (r.error) { failures.push(`${what}: no answer (${r.error.code || r.error.message})`); continue; }
        if (r.status >= 500) { failures.push(`${what}: ${r.status} ${r.text.slice(0, 200)}`); continue; }
        if (r.status >= 400) {
          const ct = r.headers['content-type'] || '';
          if (!ct.startsWith('application/problem+json')) failures.push(`${what}: ${r.status} with content-type ${ct}`);
          else if (!r.body || r.body.status !== r.status || typeof r.body.title !== 'string') {
            failures.push(`${what}: ${r.status} with a bad problem body ${r.text.slice(0, 200)}`);
          }
          continue;
        }
        if (r.status < 200 || r.status >= 400) { failures.push(`${what}: unexpected status ${r.status}`); continue; }
        if (process.env.ROBUST_DEBUG) console.log('2xx', what, r.status, body.length < 300 ? body.toString() : body.length);
        // A 2xx: only where the input can be valid, and then we account for what it wrote.
        if (!maybeValid && writes) { failures.push(`${what}: accepted with ${r.status}: ${r.text.slice(0, 200)}`); continue; }
        if (writes) {
          if (method === 'POST' && !coll && r.body && Number.isInteger(r.body.id)) {
            legit.add(`${path.split('/').pop()}/${r.body.id}`);
          } else if (coll && !destructive) {
            legit.add(`${coll}/${ids[coll]}`);
            // Cancelling a process cancels the task its waiting step made.
            if (coll === 'process-instances') legit.add(`activities/${ids.processTask}`);
          } else if (destructive && path.includes('{')) {
            // (A DELETE without an id removes one's own singleton, such as the
            // calendar feed an earlier POST of this test made: that exists.)
            failures.push(`${what}: ${r.status} on a record that does not exist`);
          }
          if (r.body && Number.isInteger(r.body.id) && (coll === 'companies' || coll === 'contacts' || path.endsWith('/companies') || path.endsWith('/contacts'))) {
            // What the 2xx said was stored is what a read gives back.
            const c = coll || path.split('/').pop();
            const g = await req(srv, 'GET', `/api/v1/${c}/${r.body.id}`);
            // (Updates of one record run concurrently: a later version may be read.)
            const same = g.status === 200 && (JSON.stringify(g.body) === JSON.stringify(r.body) ||
                                              (method === 'PATCH' && g.body.version > r.body.version));
            if (!same) {
              failures.push(`${what}: answered ${r.text.slice(0, 200)} but reads back ${g.status} ${g.text.slice(0, 200)}`);
            }
          }
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    if (coll === 'imports') {
      // Running (and undoing) the import writes what its file holds: the one
      // contact of robust.csv, live or in the trash. The job runner does it
      // after the 202, so wait until the import is no longer at work before
      // looking (else its contact can land between the look and the check).
      const deadline = Date.now() + 30000;
      for (;;) {
        const st = (await req(srv, 'GET', `/api/v1/imports/${ids.imports}`)).body?.status;
        if (!['checking', 'running', 'undoing'].includes(st)) break;
        if (Date.now() > deadline) { failures.push(`${method} ${path}: the import stayed ${st}`); break; }
        await new Promise((ok) => setTimeout(ok, 100));
      }
      for (const q of ['q=Robust', 'q=Robust&deleted=true']) {
        const r = await req(srv, 'GET', `/api/v1/contacts?${q}`);
        for (const c of r.body.data) if (c.first_name === 'Robust') legit.add(`contacts/${c.id}`);
      }
    }
    const diff = changes(before, await dbState(), legit);
    if (diff.length) failures.push(`${method} ${path}: the database changed:\n  ${diff.slice(0, 10).join('\n  ')}`);
  }
  t.diagnostic(`${sent} requests over ${routes.length} routes`);
  // The server is still healthy.
  const h = await req(srv, 'GET', '/healthz', { auth: null });
  assert.equal(h.status, 200, h.text);
  assert.deepEqual(failures, [], `${failures.length} of ${sent} hostile requests were mishandled:\n${failures.slice(0, 60).join('\n')}`);
});
