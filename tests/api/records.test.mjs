// Companies and contacts: create, read, update with If-Match, trash and restore.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { stopClean, req, assertProblem, assertInvalid, createOk, listAll, digits } from '../lib/helpers.mjs';

let srv;
let me;
before(async () => {
  srv = await startServer();
  me = (await req(srv, 'GET', '/api/v1/auth/me')).body;
});
after(async () => { await stopClean(srv); });

const COMPANY = {
  name: 'ООО «Ромашка» 🌼',
  legal_name: '株式会社山田商事',
  tax_id: '7707083893',
  website: 'https://romashka.example/ru/',
  emails: ['info@romashka.example', 'sales@romashka.example'],
  phones: ['+7 495 123-45-67'],
  address: 'Müllerstraße 5, 80331 München — Größe ÄÖÜ äöü ß',
  industry: 'Производство',
  source: 'web',
  notes: 'Первая строка\nsecond line\t🎉 日本語テキスト "quoted" \\ back\\slash',
  tags: ['vip', 'партнёр', 'パートナー', 'ß'],
};

const CONTACT = {
  first_name: 'Иван',
  last_name: 'Иванов',
  middle_name: 'Петрович',
  position: 'Генеральный директор 👔',
  emails: ['ivan@romashka.example'],
  phones: ['+7 916 000-00-01'],
  address: '東京都千代田区 1-1',
  birthday: '1980-02-29',
  source: 'referral',
  notes: 'Jürgen Groß mag Käse 🧀',
  tags: ['decision-maker'],
};

function assertFields(actual, expected) {
  for (const [k, v] of Object.entries(expected)) {
    if (k === 'phones') assert.deepEqual(actual[k].map(digits), v.map(digits), k);
    else assert.deepEqual(actual[k], v, `${k} round-trips`);
  }
}

function checkCreated(r, collection) {
  assert.equal(r.status, 201, r.text);
  const rec = r.body;
  assert.ok(Number.isInteger(rec.id) && rec.id > 0, 'id is a positive integer');
  const loc = r.headers.get('location');
  assert.ok(loc && loc.endsWith(`/api/v1/${collection}/${rec.id}`), `Location: ${loc}`);
  assert.equal(r.headers.get('etag'), `"${rec.version}"`);
  assert.equal(rec.version, 1);
  assert.match(rec.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'RFC 3339 UTC with ms');
  assert.ok(Math.abs(Date.parse(rec.created_at) - Date.now()) < 60000, 'created_at is now');
  assert.equal(rec.created_by, me.id);
  assert.equal(rec.owner_id, me.id, 'owner defaults to the creator');
  assert.equal(rec.deleted_at ?? null, null);
  return rec;
}

test('creating a company returns 201, Location, ETag, and every field round-trips (Unicode)', async () => {
  const rec = checkCreated(await req(srv, 'POST', '/api/v1/companies', { body: COMPANY }), 'companies');
  assertFields(rec, COMPANY);
  const got = await req(srv, 'GET', `/api/v1/companies/${rec.id}`);
  assert.equal(got.status, 200);
  assert.equal(got.headers.get('etag'), '"1"');
  assertFields(got.body, COMPANY);
  assert.deepEqual(got.body, rec, 'GET answers what POST answered');
});

test('creating a contact returns 201, Location, ETag, company_name, and every field round-trips', async () => {
  const co = await createOk(srv, 'companies', { name: 'Müller & Söhne GmbH' });
  const body = { ...CONTACT, company_id: co.id };
  const rec = checkCreated(await req(srv, 'POST', '/api/v1/contacts', { body }), 'contacts');
  assertFields(rec, body);
  assert.equal(rec.company_name, 'Müller & Söhne GmbH');
  const got = await req(srv, 'GET', `/api/v1/contacts/${rec.id}`);
  assert.equal(got.status, 200);
  assertFields(got.body, body);
  assert.equal(got.body.company_name, 'Müller & Söhne GmbH');
});

test('a contact needs only a first or a last name; Japanese names round-trip', async () => {
  const a = await createOk(srv, 'contacts', { last_name: '山田' });
  assert.equal(a.last_name, '山田');
  const b = await createOk(srv, 'contacts', { first_name: '太郎' });
  assert.equal(b.first_name, '太郎');
});

test('escaped JSON (\\u surrogate pairs, \\n) is decoded to the same text', async () => {
  const r = await req(srv, 'POST', '/api/v1/companies',
                      { body: '{"name":"Emoji \\ud83c\\udf3c \\u0416\\u00fc","notes":"a\\nb\\u0009c"}' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.name, 'Emoji 🌼 Жü');
  assert.equal(r.body.notes, 'a\nb\tc');
});

test('a 200-character Cyrillic name is accepted (length counts characters, not bytes)', async () => {
  const name = 'Ж'.repeat(200);
  const c = await createOk(srv, 'companies', { name });
  assert.equal(c.name, name);
});

test('PATCH with If-Match changes only the named fields and bumps version and ETag', async () => {
  const c = await createOk(srv, 'companies', { ...COMPANY, name: 'Patch Me' });
  const r = await req(srv, 'PATCH', `/api/v1/companies/${c.id}`,
                      { body: { industry: 'IT', tags: ['new'] }, headers: { 'If-Match': '"1"' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), '"2"');
  assert.equal(r.body.version, 2);
  assert.equal(r.body.industry, 'IT');
  assert.deepEqual(r.body.tags, ['new']);
  assertFields(r.body, { ...COMPANY, name: 'Patch Me', industry: 'IT', tags: ['new'] });
  assert.ok(r.body.updated_at >= c.updated_at);
  assert.equal(r.body.created_at, c.created_at);
  assert.equal(r.body.updated_by, me.id);
  const got = await req(srv, 'GET', `/api/v1/companies/${c.id}`);
  assert.equal(got.headers.get('etag'), '"2"');
  assert.deepEqual(got.body, r.body);

  const r3 = await req(srv, 'PATCH', `/api/v1/companies/${c.id}`,
                       { body: { name: 'Patched' }, headers: { 'If-Match': '"2"' } });
  assert.equal(r3.status, 200, r3.text);
  assert.equal(r3.body.version, 3);
  assert.equal(r3.headers.get('etag'), '"3"');
});

test('PATCH with a stale If-Match answers 412 and changes nothing', async () => {
  const c = await createOk(srv, 'contacts', { first_name: 'Anna', last_name: 'Schmidt', position: 'CTO' });
  const ok = await req(srv, 'PATCH', `/api/v1/contacts/${c.id}`,
                       { body: { position: 'CEO' }, headers: { 'If-Match': '"1"' } });
  assert.equal(ok.status, 200, ok.text);
  for (const etag of ['"1"', '"3"', '"abc"']) {
    const r = await req(srv, 'PATCH', `/api/v1/contacts/${c.id}`,
                        { body: { position: 'Intern', last_name: 'Changed' }, headers: { 'If-Match': etag } });
    assertProblem(r, 412, `If-Match ${etag}`);
  }
  const got = await req(srv, 'GET', `/api/v1/contacts/${c.id}`);
  assert.equal(got.body.position, 'CEO');
  assert.equal(got.body.last_name, 'Schmidt');
  assert.equal(got.body.version, 2);
  assert.equal(got.headers.get('etag'), '"2"');
});

test('PATCH with null clears an optional field but not a required one', async () => {
  const c = await createOk(srv, 'companies', { name: 'Clear Me', legal_name: 'Clear Me LLC', website: 'https://clear.example' });
  const r = await req(srv, 'PATCH', `/api/v1/companies/${c.id}`,
                      { body: { legal_name: null, website: null }, headers: { 'If-Match': '"1"' } });
  assert.equal(r.status, 200, r.text);
  const got = (await req(srv, 'GET', `/api/v1/companies/${c.id}`)).body;
  assert.equal(got.legal_name ?? null, null);
  assert.equal(got.website ?? null, null);
  assert.equal(got.name, 'Clear Me');
  const bad = await req(srv, 'PATCH', `/api/v1/companies/${c.id}`,
                        { body: { name: null }, headers: { 'If-Match': '"2"' } });
  assertInvalid(bad, ['name']);
  assert.equal((await req(srv, 'GET', `/api/v1/companies/${c.id}`)).body.name, 'Clear Me');
});

test('a contact cannot lose both names by PATCH', async () => {
  const c = await createOk(srv, 'contacts', { first_name: 'Only', last_name: 'Names' });
  const r = await req(srv, 'PATCH', `/api/v1/contacts/${c.id}`,
                      { body: { first_name: null, last_name: null }, headers: { 'If-Match': '"1"' } });
  assert.equal(r.status, 422, r.text);
  const got = (await req(srv, 'GET', `/api/v1/contacts/${c.id}`)).body;
  assert.equal(got.first_name, 'Only');
  assert.equal(got.last_name, 'Names');
});

for (const collection of ['companies', 'contacts']) {
  test(`DELETE moves a ${collection.slice(0, -1)} to the trash and restore brings it back`, async () => {
    const body = collection === 'companies' ? { name: 'Trash Me' } : { first_name: 'Trash', last_name: 'Me' };
    const c = await createOk(srv, collection, body);
    const del = await req(srv, 'DELETE', `/api/v1/${collection}/${c.id}`);
    assert.equal(del.status, 204, del.text);
    assert.equal(del.text, '');
    assertProblem(await req(srv, 'GET', `/api/v1/${collection}/${c.id}`), 404, 'GET trashed');
    assertProblem(await req(srv, 'PATCH', `/api/v1/${collection}/${c.id}`,
                            { body: { notes: 'x' }, headers: { 'If-Match': '"1"' } }), 404, 'PATCH trashed');
    assert.ok(!(await listAll(srv, collection)).some((x) => x.id === c.id), 'not in the live list');
    const trash = await listAll(srv, collection, 'deleted=true');
    const t = trash.find((x) => x.id === c.id);
    assert.ok(t, 'listed with ?deleted=true');
    assert.ok(t.deleted_at && !Number.isNaN(Date.parse(t.deleted_at)), 'deleted_at set');
    assert.ok(trash.every((x) => x.deleted_at), 'the trash lists only deleted records');

    const res = await req(srv, 'POST', `/api/v1/${collection}/${c.id}/restore`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.id, c.id);
    assert.equal(res.body.deleted_at ?? null, null);
    const got = await req(srv, 'GET', `/api/v1/${collection}/${c.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.deleted_at ?? null, null);
    assert.ok((await listAll(srv, collection)).some((x) => x.id === c.id), 'back in the live list');
    assert.ok(!(await listAll(srv, collection, 'deleted=true')).some((x) => x.id === c.id), 'no longer in the trash');
  });

  test(`GET, PATCH, DELETE and restore of a ${collection.slice(0, -1)} that never existed answer 404`, async () => {
    assertProblem(await req(srv, 'GET', `/api/v1/${collection}/987654`), 404);
    assertProblem(await req(srv, 'PATCH', `/api/v1/${collection}/987654`,
                            { body: { notes: 'x' }, headers: { 'If-Match': '"1"' } }), 404);
    assertProblem(await req(srv, 'DELETE', `/api/v1/${collection}/987654`), 404);
    assertProblem(await req(srv, 'POST', `/api/v1/${collection}/987654/restore`), 404);
  });
}

test('contact.company_id must reference an existing company', async () => {
  const before = await listAll(srv, 'contacts');
  assertInvalid(await req(srv, 'POST', '/api/v1/contacts', { body: { last_name: 'Orphan', company_id: 987654 } }),
                ['company_id']);
  assertInvalid(await req(srv, 'POST', '/api/v1/contacts', { body: { last_name: 'Orphan', company_id: 'abc' } }),
                ['company_id']);
  assert.deepEqual(await listAll(srv, 'contacts'), before, 'nothing written');
  const c = await createOk(srv, 'contacts', { last_name: 'Movable' });
  assertInvalid(await req(srv, 'PATCH', `/api/v1/contacts/${c.id}`,
                          { body: { company_id: 987654 }, headers: { 'If-Match': '"1"' } }), ['company_id']);
  assert.equal((await req(srv, 'GET', `/api/v1/contacts/${c.id}`)).body.version, 1);
});

test('company_name on a contact follows the company and clears with company_id', async () => {
  const co = await createOk(srv, 'companies', { name: 'Old Name AG' });
  const c = await createOk(srv, 'contacts', { first_name: 'Eva', company_id: co.id });
  assert.equal(c.company_name, 'Old Name AG');
  const p = await req(srv, 'PATCH', `/api/v1/companies/${co.id}`, { body: { name: 'New Name AG' }, headers: { 'If-Match': '"1"' } });
  assert.equal(p.status, 200, p.text);
  assert.equal((await req(srv, 'GET', `/api/v1/contacts/${c.id}`)).body.company_name, 'New Name AG');
  const listed = (await listAll(srv, 'contacts', `company_id=${co.id}`)).find((x) => x.id === c.id);
  assert.equal(listed.company_name, 'New Name AG', 'company_name in lists too');
  const un = await req(srv, 'PATCH', `/api/v1/contacts/${c.id}`, { body: { company_id: null }, headers: { 'If-Match': '"1"' } });
  assert.equal(un.status, 200, un.text);
  assert.equal(un.body.company_id ?? null, null);
  assert.equal(un.body.company_name ?? null, null);
});

test('owner_id can be set to another user but not to a user that does not exist', async () => {
  assertInvalid(await req(srv, 'POST', '/api/v1/companies', { body: { name: 'Ownerless', owner_id: 987654 } }), ['owner_id']);
  const c = await createOk(srv, 'companies', { name: 'Owned', owner_id: me.id });
  assert.equal(c.owner_id, me.id);
});

test('read-only fields sent on create do not override the server', async () => {
  const r = await req(srv, 'POST', '/api/v1/companies', { body: { name: 'Sneaky', id: 1, version: 99, created_by: 987654 } });
  if (r.status === 201) {
    assert.notEqual(r.body.version, 99);
    assert.equal(r.body.created_by, me.id);
  } else {
    assert.equal(r.status, 422, r.text);
  }
});

test('concurrent PATCHes with the same If-Match: exactly one wins, the rest get 412', async () => {
  const c = await createOk(srv, 'companies', { name: 'Race Co' });
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) =>
    req(srv, 'PATCH', `/api/v1/companies/${c.id}`, { body: { notes: `writer ${i}` }, headers: { 'If-Match': '"1"' } })));
  const codes = results.map((r) => r.status).sort();
  assert.deepEqual(codes, [200, 412, 412, 412, 412, 412, 412, 412], results.map((r) => r.text.slice(0, 100)).join('\n'));
  const winner = results.find((r) => r.status === 200).body;
  const got = (await req(srv, 'GET', `/api/v1/companies/${c.id}`)).body;
  assert.equal(got.version, 2);
  assert.equal(got.notes, winner.notes);
});

test('concurrent creates all succeed with distinct ids', async () => {
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) =>
    req(srv, 'POST', '/api/v1/contacts', { body: { first_name: 'Parallel', last_name: `N${i}` } })));
  const bad = results.filter((r) => r.status !== 201).map((r) => `${r.status} ${r.text.slice(0, 200)}`);
  assert.deepEqual(bad, []);
  const ids = new Set(results.map((r) => r.body.id));
  assert.equal(ids.size, 40);
  const listed = (await listAll(srv, 'contacts')).filter((x) => x.first_name === 'Parallel');
  assert.equal(listed.length, 40);
});
