// Collections: sorting, limits, cursor paging (also while records are added), filters, q.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { stopClean, req, createOk, listAll, addUser, assertProblem } from '../lib/helpers.mjs';

let srv;
let admin;
let bob;
let companies = []; // as created
let contacts = [];

// Deterministic names: a capital then lower-case ASCII letters, so that every
// collation (binary, NOCASE, ICU) orders them the same as JS string comparison.
let seed = 42;
function rnd(n) { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; }
function word(len = 7) {
  let s = String.fromCharCode(65 + rnd(26));
  for (let i = 1; i < len; i++) s += String.fromCharCode(97 + rnd(26));
  return s;
}

async function inBatches(items, fn, size = 8) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(...await Promise.all(items.slice(i, i + size).map(fn)));
  return out;
}

before(async () => {
  srv = await startServer();
  addUser(srv, 'bob@example.com', 'quiet river lamp 123', { name: 'Bob Builder' });
  const users = (await req(srv, 'GET', '/api/v1/users')).body.data;
  admin = users.find((u) => u.email === srv.adminEmail);
  bob = users.find((u) => u.email === 'bob@example.com');
  assert.ok(admin && bob, JSON.stringify(users));
  const specs = [];
  for (let i = 0; i < 120; i++) {
    specs.push({
      name: i === 0 ? 'Acme' : i === 1 ? 'Acorn' : i === 2 ? 'Bacon' : i === 3 ? 'Ac' : word(),
      industry: ['IT', 'IT services', 'Retail', 'Manufacturing'][i % 4],
      source: i % 5 === 0 ? 'web' : 'call',
      tags: i % 6 === 0 ? ['vip', 'north'] : i % 7 === 0 ? ['vip2'] : [],
      owner_id: i % 3 === 0 ? bob.id : admin.id,
    });
  }
  companies = await inBatches(specs, (b) => createOk(srv, 'companies', b));
  const cspecs = [];
  for (let i = 0; i < 60; i++) {
    // Every tenth contact lacks a last name and every tenth (offset) a first name:
    // sorting and paging must cope with empty sort keys.
    cspecs.push({
      first_name: i % 10 === 3 ? undefined : word(5), last_name: i % 10 === 7 ? undefined : word(8),
      company_id: companies[i % 3].id,
      tags: i % 4 === 0 ? ['lead'] : [],
      source: i % 2 ? 'web' : 'fair',
      owner_id: i % 5 === 0 ? bob.id : admin.id,
    });
  }
  contacts = await inBatches(cspecs, (b) => createOk(srv, 'contacts', b));
  // Touch some records so that updated_at differs from created order.
  await inBatches([50, 10, 90, 5], (i) => req(srv, 'PATCH', `/api/v1/companies/${companies[i].id}`,
                                               { body: { notes: 'touched' }, headers: { 'If-Match': '"1"' } }));
  await inBatches([30, 2], (i) => req(srv, 'PATCH', `/api/v1/contacts/${contacts[i].id}`,
                                      { body: { notes: 'touched' }, headers: { 'If-Match': '"1"' } }));
});
after(async () => { await stopClean(srv); });

const ids = (list) => list.map((x) => x.id);
const sorted = (a) => [...a].sort((x, y) => x - y);

test('the default list is ordered by id, 50 per page, with a cursor to the next page', async () => {
  const r = await req(srv, 'GET', '/api/v1/companies');
  assert.equal(r.status, 200);
  assert.equal(r.body.data.length, 50);
  assert.equal(typeof r.body.next_cursor, 'string');
  assert.deepEqual(ids(r.body.data), sorted(ids(companies)).slice(0, 50));
  const all = await listAll(srv, 'companies', '', { limit: 50 });
  assert.deepEqual(ids(all), sorted(ids(companies)));
});

test('limit sets the page size; the last page has next_cursor null', async () => {
  for (const n of [1, 7, 200]) {
    const r = await req(srv, 'GET', `/api/v1/companies?limit=${n}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.data.length, Math.min(n, companies.length), `limit=${n}`);
  }
  const r = await req(srv, 'GET', '/api/v1/companies?limit=200');
  assert.equal(r.body.next_cursor, null, 'everything fits: no next page');
  const c = await req(srv, 'GET', '/api/v1/contacts?limit=60');
  assert.equal(c.body.data.length, 60);
  assert.ok(c.body.next_cursor === null || (await req(srv, 'GET', `/api/v1/contacts?limit=60&cursor=${encodeURIComponent(c.body.next_cursor)}`)).body.data.length === 0);
});

// Ordered by `field`; records without a value (null) sit together at one end.
function assertOrdered(list, field, desc, label) {
  const isNull = list.map((x) => x[field] == null);
  const firstNull = isNull.indexOf(true);
  if (firstNull >= 0) {
    const lastNull = isNull.lastIndexOf(true);
    const block = isNull.slice(firstNull, lastNull + 1);
    assert.ok(block.every(Boolean), `${label}: records without ${field} are not together`);
    assert.ok(firstNull === 0 || lastNull === list.length - 1, `${label}: records without ${field} sit in the middle`);
  }
  const vals = list.filter((x) => x[field] != null);
  for (let i = 1; i < vals.length; i++) {
    const a = vals[i - 1][field];
    const b = vals[i][field];
    const ok = desc ? a >= b : a <= b;
    assert.ok(ok, `${label}: ${JSON.stringify(a)} then ${JSON.stringify(b)} at ${i}`);
  }
}

const SORTS = {
  companies: ['name', 'created_at', 'updated_at', 'id'],
  contacts: ['last_name', 'first_name', 'created_at', 'updated_at', 'id'],
};

for (const [collection, fields] of Object.entries(SORTS)) {
  for (const field of fields) {
    for (const desc of [false, true]) {
      const sort = (desc ? '-' : '') + field;
      test(`${collection}?sort=${sort} is ordered and pages visit every record exactly once`, async () => {
        const expected = sorted(ids(collection === 'companies' ? companies : contacts));
        const one = await listAll(srv, collection, `sort=${sort}`, { limit: 200 });
        assertOrdered(one, field, desc, `${sort} single page`);
        assert.deepEqual(sorted(ids(one)), expected);
        const paged = await listAll(srv, collection, `sort=${encodeURIComponent(sort)}`, { limit: 17 });
        assertOrdered(paged, field, desc, `${sort} across pages of 17`);
        assert.deepEqual(sorted(ids(paged)), expected, 'each record exactly once');
        if (field === 'id') assert.deepEqual(ids(one), desc ? [...expected].reverse() : expected);
      });
    }
  }
}

test('updated_at order puts the records updated last first', async () => {
  const touched = [50, 10, 90, 5].map((i) => companies[i].id);
  const list = await listAll(srv, 'companies', 'sort=-updated_at', { limit: 200 });
  const byId = new Map(list.map((x) => [x.id, x]));
  const oldest = touched.map((id) => byId.get(id).updated_at).sort()[0];
  const ties = list.filter((x) => !touched.includes(x.id) && x.updated_at === oldest).length;
  const firstN = ids(list.slice(0, touched.length + ties));
  for (const id of touched) assert.ok(firstN.includes(id), `record ${id} updated last is listed first`);
});

function filterCases() {
  const c = companies;
  return [
    ['industry=IT', c.filter((x) => x.industry === 'IT')],
    ['industry=IT%20services', c.filter((x) => x.industry === 'IT services')],
    ['source=web', c.filter((x) => x.source === 'web')],
    ['tag=vip', c.filter((x) => x.tags.includes('vip'))],
    ['tag=vip2', c.filter((x) => x.tags.includes('vip2'))],
    [`owner_id=${bob.id}`, c.filter((x) => x.owner_id === bob.id)],
    ['name[prefix]=Ac', c.filter((x) => x.name.startsWith('Ac'))],
    ['name%5Bprefix%5D=Ac', c.filter((x) => x.name.startsWith('Ac'))],
    ['name[prefix]=Acm', c.filter((x) => x.name.startsWith('Acm'))],
    ['industry=IT&tag=vip', c.filter((x) => x.industry === 'IT' && x.tags.includes('vip'))],
    [`industry=Retail&owner_id=${bob.id}&source=call`,
     c.filter((x) => x.industry === 'Retail' && x.owner_id === bob.id && x.source === 'call')],
    ['industry=Nothing', []],
  ];
}

test('company filters return exactly the matching records (AND when combined)', async () => {
  for (const [qs, want] of filterCases()) {
    assert.ok(qs === 'industry=Nothing' || want.length > 0, `fixture covers ${qs}`);
    const got = await listAll(srv, 'companies', qs, { limit: 200 });
    assert.deepEqual(sorted(ids(got)), sorted(ids(want)), qs);
    const paged = await listAll(srv, 'companies', qs, { limit: 9 });
    assert.deepEqual(sorted(ids(paged)), sorted(ids(want)), `${qs} paged by 9`);
  }
});

test('contact filters: company_id, tag, owner_id, source', async () => {
  const k = contacts;
  const cases = [
    [`company_id=${companies[1].id}`, k.filter((x) => x.company_id === companies[1].id)],
    ['tag=lead', k.filter((x) => x.tags.includes('lead'))],
    [`owner_id=${bob.id}`, k.filter((x) => x.owner_id === bob.id)],
    ['source=fair', k.filter((x) => x.source === 'fair')],
    [`company_id=${companies[0].id}&tag=lead`, k.filter((x) => x.company_id === companies[0].id && x.tags.includes('lead'))],
    [`company_id=${companies[50].id}`, []],
  ];
  for (const [qs, want] of cases) {
    const got = await listAll(srv, 'contacts', qs, { limit: 200 });
    assert.deepEqual(sorted(ids(got)), sorted(ids(want)), qs);
  }
});

test('q on a list returns only records that match', async () => {
  const target = companies[40];
  const part = target.name.slice(2, 6).toLowerCase();
  const got = await listAll(srv, 'companies', `q=${encodeURIComponent(part)}`);
  assert.ok(got.some((x) => x.id === target.id), `q=${part} finds ${target.name}`);
  for (const x of got) assert.ok(JSON.stringify(x).toLowerCase().includes(part), `${x.name} matches ${part}`);
  const none = await listAll(srv, 'companies', 'q=zzzzqqqq');
  assert.deepEqual(none, []);
  const person = contacts[8];
  const found = await listAll(srv, 'contacts', `q=${encodeURIComponent(person.last_name)}`);
  assert.ok(found.some((x) => x.id === person.id));
  const combined = await listAll(srv, 'companies', `q=ac&industry=IT`);
  assert.ok(combined.every((x) => x.industry === 'IT'), 'q combines with filters');
  assert.ok(combined.some((x) => x.id === companies[0].id), 'Acme (IT) found by q=ac');
});

test('cursor paging visits every record exactly once while records are added between pages', async () => {
  for (const sort of ['id', '-id', 'name', '-created_at']) {
    const before = ids(await listAll(srv, 'companies', '', { limit: 200 }));
    const seen = [];
    let cursor = null;
    let added = 0;
    for (let page = 0; page < 50; page++) {
      const qs = `sort=${sort}&limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const r = await req(srv, 'GET', `/api/v1/companies?${qs}`);
      assert.equal(r.status, 200, r.text);
      seen.push(...ids(r.body.data));
      cursor = r.body.next_cursor;
      if (!cursor) break;
      // New records sorting before, among and after what was already read.
      for (const name of ['Aaaaaa', 'Mmmmmm', 'Zzzzzz']) {
        const c = await createOk(srv, 'companies', { name: `${name}${word(3).toLowerCase()}`, industry: 'Paging' });
        companies.push(c);
        added++;
      }
    }
    assert.ok(added >= 6, `${sort}: paged through at least three pages`);
    const dup = seen.filter((id, i) => seen.indexOf(id) !== i);
    assert.deepEqual(dup, [], `${sort}: no record twice`);
    const missed = before.filter((id) => !seen.includes(id));
    assert.deepEqual(missed, [], `${sort}: every record that existed before paging was visited`);
  }
});

test('?deleted=true lists only the trash; deleted records leave the live list and filters', async () => {
  const victim = companies.find((x) => x.industry === 'IT' && x.tags.includes('vip'));
  assert.equal((await req(srv, 'DELETE', `/api/v1/companies/${victim.id}`)).status, 204);
  const trash = await listAll(srv, 'companies', 'deleted=true');
  assert.deepEqual(ids(trash), [victim.id]);
  assert.ok(!ids(await listAll(srv, 'companies', 'industry=IT&tag=vip')).includes(victim.id));
  assert.ok(!ids(await listAll(srv, 'companies', `q=${encodeURIComponent(victim.name)}`)).includes(victim.id));
  const live = await listAll(srv, 'companies', 'deleted=false');
  assert.ok(!ids(live).includes(victim.id));
});

test('the trash pages and sorts like any list', async () => {
  const more = companies.filter((x) => x.industry === 'Retail').slice(0, 5);
  for (const c of more) assert.equal((await req(srv, 'DELETE', `/api/v1/companies/${c.id}`)).status, 204);
  const trash = await listAll(srv, 'companies', 'deleted=true&sort=-id', { limit: 2 });
  assert.equal(trash.length, 6);
  assertOrdered(trash, 'id', true, 'trash sort=-id');
  assertProblem(await req(srv, 'GET', '/api/v1/companies?deleted=true&limit=0'), 400);
});
