// Bad input of every kind: the server answers 4xx, names what is wrong, never
// crashes, and never half-writes. Each test compares the collections before and after.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import {
  stopClean, req, rawRequest, assertProblem, assertInvalid, createOk, snapshot, allOf,
} from '../lib/helpers.mjs';

let srv;
let company; // an existing company that PATCH tests try to damage
let contact;
before(async () => {
  srv = await startServer();
  // Ids 1 are decoys for the bad-id test ("1%00", "01x" ... must not reach record 1).
  await createOk(srv, 'companies', { name: 'Decoy Co' });
  await createOk(srv, 'contacts', { last_name: 'Decoy' });
  company = await createOk(srv, 'companies', { name: 'Stable Co', website: 'https://stable.example', tags: ['keep'] });
  contact = await createOk(srv, 'contacts', { first_name: 'Stable', last_name: 'Person', company_id: company.id });
});
after(async () => { await stopClean(srv); });

async function both() {
  return (await snapshot(srv, 'companies')) + (await snapshot(srv, 'contacts'));
}

// Runs `fn` and asserts neither collection changed.
async function unchanged(fn) {
  const a = await both();
  await fn();
  assert.equal(await both(), a, 'a rejected write changed stored data');
}

const post = (path, body, headers) => req(srv, 'POST', path, { body, headers });
const patch = (path, body, version = 1) => req(srv, 'PATCH', path, { body, headers: { 'If-Match': `"${version}"` } });

test('malformed JSON answers 400', async () => {
  await unchanged(async () => {
    for (const body of ['{"name": "x",', '{name: "x"}', "{'name': 'x'}", '{"name": "x"} trailing', '{"name": "x",}',
                        '', ' ', '{"name": "\\x41"}', '{"name": NaN}', '{"a":1 "b":2}']) {
      assertProblem(await post('/api/v1/companies', body), 400, `POST ${JSON.stringify(body)}`);
    }
    assertProblem(await patch(`/api/v1/companies/${company.id}`, '{"name": '), 400, 'PATCH malformed');
  });
});

test('a JSON body that is not an object answers 400', async () => {
  await unchanged(async () => {
    for (const body of ['[]', '[{"name":"x"}]', '"x"', '5', 'null', 'true']) {
      assertProblem(await post('/api/v1/companies', body), 400, `POST ${body}`);
      assertProblem(await post('/api/v1/contacts', body), 400, `POST contacts ${body}`);
    }
    assertProblem(await patch(`/api/v1/companies/${company.id}`, '[]'), 400, 'PATCH []');
    assertProblem(await post('/api/v1/auth/login', '[]'), 400, 'login []');
  });
});

test('wrong types answer 422 with one errors[] entry per bad field', async () => {
  await unchanged(async () => {
    const co = (body, fields) => [`POST companies ${JSON.stringify(body)}`,
      async () => assertInvalid(await post('/api/v1/companies', body), fields)];
    const ct = (body, fields) => [`POST contacts ${JSON.stringify(body)}`,
      async () => assertInvalid(await post('/api/v1/contacts', body), fields)];
    await allOf([
      co({ name: 5, emails: 'x', tags: [1] }, ['name', 'emails', 'tags']),
      co({ name: 'ok', phones: [{}], website: 7, notes: false }, ['phones', 'website', 'notes']),
      co({ name: ['x'] }, ['name']),
      co({ name: 'ok', tags: 'vip' }, ['tags']),
      co({ name: 'ok', custom: [] }, ['custom']),
      co({ name: 'ok', owner_id: '1' }, ['owner_id']),
      co({ name: 'ok', owner_id: 1.5 }, ['owner_id']),
      ct({ first_name: 1, last_name: true, birthday: 19800101 }, ['first_name', 'last_name', 'birthday']),
      ct({ first_name: 'ok', last_name: 5 }, ['last_name']),
      ct({ last_name: 'ok', company_id: '1' }, ['company_id']),
      ['PATCH company name: 5, emails: "x"', async () => assertInvalid(
        await patch(`/api/v1/companies/${company.id}`, { name: 5, emails: 'x' }), ['name', 'emails'])],
    ]);
  });
});

test('a missing required field answers 422 naming it', async () => {
  await unchanged(async () => {
    assertInvalid(await post('/api/v1/companies', {}), ['name']);
    assertInvalid(await post('/api/v1/companies', { industry: 'IT' }), ['name']);
    assertInvalid(await post('/api/v1/companies', { name: '' }), ['name']);
    assertInvalid(await post('/api/v1/companies', { name: null }), ['name']);
    for (const body of [{}, { position: 'CEO' }, { first_name: '', last_name: '' }, { first_name: null }]) {
      const r = await post('/api/v1/contacts', body);
      const p = assertProblem(r, 422, JSON.stringify(body));
      assert.ok(p.errors?.some((e) => e.field === 'first_name' || e.field === 'last_name'),
                `names first_name or last_name: ${r.text}`);
    }
  });
});

test('an unknown field answers 422 naming it', async () => {
  await unchanged(async () => {
    assertInvalid(await post('/api/v1/companies', { name: 'ok', colour: 'red' }), ['colour']);
    assertInvalid(await post('/api/v1/contacts', { last_name: 'ok', 'фамилия': 'x' }), ['фамилия']);
    assertInvalid(await patch(`/api/v1/companies/${company.id}`, { nmae: 'typo' }), ['nmae']);
    assertInvalid(await post('/api/v1/companies', { name: 'ok', company_id: 1 }), ['company_id']);
  });
});

test('strings over their limits answer 422', async () => {
  await unchanged(async () => {
    assertInvalid(await post('/api/v1/companies', { name: 'x'.repeat(201) }), ['name']);
    assertInvalid(await post('/api/v1/companies', { name: 'Ж'.repeat(201) }), ['name']);
    assertInvalid(await post('/api/v1/companies', { name: 'ok', notes: 'n'.repeat(100001) }), ['notes']);
    assertInvalid(await post('/api/v1/contacts', { last_name: 'ok', notes: 'ä'.repeat(100001) }), ['notes']);
    assertInvalid(await patch(`/api/v1/companies/${company.id}`, { name: 'y'.repeat(201) }), ['name']);
  });
});

test('invalid email, URL, phone and birthday answer 422 naming the field', async () => {
  await unchanged(async () => {
    const checks = [];
    const one = (col, body, field) => checks.push([`${col} ${JSON.stringify(body)}`,
      async () => assertInvalid(await post(`/api/v1/${col}`, body), [field])]);
    for (const e of ['not-an-email', 'a@', '@b.example', 'a b@c.example', 'a@b@c.example', '']) {
      one('companies', { name: 'ok', emails: ['good@ok.example', e] }, 'emails');
    }
    checks.push(['the bad element is named emails[1]', async () => {
      const r = await post('/api/v1/companies', { name: 'ok', emails: ['good@ok.example', 'bad'] });
      assert.ok(r.body.errors.some((x) => x.field === 'emails[1]'), r.text);
    }]);
    for (const u of ['not a url', 'http//x', 'https://', 'just-words']) one('companies', { name: 'ok', website: u }, 'website');
    for (const p of ['abc', 'call me', '+', '+++---']) one('companies', { name: 'ok', phones: [p] }, 'phones');
    for (const b of ['2026-02-30', '1990-13-01', '1990-00-10', '1990-1-1', '01.02.1990', 'tomorrow', '1990-02-29',
                     '1990-02-28T00:00:00Z', ' 1990-02-28']) {
      one('contacts', { last_name: 'ok', birthday: b }, 'birthday');
    }
    checks.push(['PATCH birthday 2001-02-29', async () => assertInvalid(
      await patch(`/api/v1/contacts/${contact.id}`, { birthday: '2001-02-29' }), ['birthday'])]);
    await allOf(checks);
  });
});

test('several bad fields in one PATCH: nothing is applied, not even the good ones', async () => {
  await unchanged(async () => {
    assertInvalid(await patch(`/api/v1/companies/${company.id}`, { industry: 'Changed', website: 'not a url' }), ['website']);
    assertInvalid(await patch(`/api/v1/contacts/${contact.id}`, { position: 'Changed', emails: ['bad'] }), ['emails']);
    assertInvalid(await patch(`/api/v1/contacts/${contact.id}`, { position: 'Changed', company_id: 987654 }), ['company_id']);
  });
});

test('a body over 1 MiB answers 413 (with Content-Length and chunked)', async () => {
  await unchanged(async () => {
    const big = JSON.stringify({ name: 'Big', notes: 'x'.repeat(1024 * 1024 + 10) });
    const a = await rawRequest(srv, 'POST', '/api/v1/companies', { chunks: [big] });
    assert.equal(a.status, 413, `Content-Length upload: ${a.error || a.text}`);
    const pieces = [];
    for (let i = 0; i < big.length; i += 64 * 1024) pieces.push(big.slice(i, i + 64 * 1024));
    const b = await rawRequest(srv, 'POST', '/api/v1/companies', { chunks: pieces, chunked: true });
    assert.equal(b.status, 413, `chunked upload: ${b.error || b.text}`);
    const c = await rawRequest(srv, 'PATCH', `/api/v1/companies/${company.id}`,
                               { chunks: [big], headers: { 'If-Match': '"1"' } });
    assert.equal(c.status, 413, `PATCH: ${c.error || c.text}`);
  });
  assert.equal((await req(srv, 'GET', '/healthz')).status, 200);
});

test('a body just under 1 MiB is read in full', async () => {
  // 100,000 chars of notes in a padded body: the limit is on the body, the notes limit still applies.
  const body = JSON.stringify({ name: 'Near Limit', notes: 'n'.repeat(100000) }) + ' '.repeat(900 * 1024);
  const r = await req(srv, 'POST', '/api/v1/companies', { body });
  assert.equal(r.status, 201, r.text.slice(0, 300));
  assert.equal(r.body.notes.length, 100000);
  assert.equal((await req(srv, 'DELETE', `/api/v1/companies/${r.body.id}`)).status, 204);
});

test('bad ids answer 400 or 404, never 500', async () => {
  const ids = ['abc', '0', '-1', '99999999999999999999', '1.5', '1e3', '%20', '1%00', '0x10', '01x', '%E2%82%AC'];
  const wrong = [];
  const before = await both();
  {
    for (const col of ['companies', 'contacts', 'custom-fields']) {
      for (const id of ids) {
        const path = `/api/v1/${col}/${id}`;
        const checks = col === 'custom-fields'
          ? [['PATCH', { label: 'x' }], ['DELETE']]
          : [['GET'], ['PATCH', { notes: 'x' }], ['DELETE'], ['POST', undefined, '/restore']];
        for (const [m, body, suffix = ''] of checks) {
          const r = await req(srv, m, path + suffix, { body, headers: { 'If-Match': '"1"' } });
          const ct = r.headers.get('content-type') || '';
          if (!(r.status === 400 || r.status === 404) || !ct.startsWith('application/problem+json')) {
            wrong.push(`${m} ${path}${suffix} → ${r.status} ${r.text.slice(0, 60)}`);
          }
        }
      }
    }
  }
  assert.deepEqual(wrong, []);
  assert.equal(await both(), before, 'requests with bad ids changed stored data');
});

test('bad list parameters answer 400 naming the parameter', async () => {
  const cases = [
    ['limit=0', 'limit'], ['limit=201', 'limit'], ['limit=abc', 'limit'], ['limit=-1', 'limit'],
    ['limit=1.5', 'limit'], ['limit=99999999999999999999', 'limit'], ['limit=10abc', 'limit'],
    ['sort=nosuch', 'nosuch'], ['sort=-nosuch', 'nosuch'], ['sort=notes', 'notes'], ['sort=--name', 'sort'],
    ['cursor=garbage', 'cursor'], ['cursor=%00%01', 'cursor'], ['cursor=' + 'A'.repeat(5000), 'cursor'],
    ['colour=red', 'colour'], ['name[suffix]=x', 'name[suffix]'], ['deleted=maybe', 'deleted'],
    ['owner_id=abc', 'owner_id'], ['company_id=1', 'company_id'],
    ['name[gte]=a', 'name'], ['created_at[gte]=yesterday', 'created_at'], ['created_at[prefix]=2026', 'created_at'],
    ['department_id=x', 'department_id'], ['tag[lte]=a', 'tag'],
  ];
  const wrong = [];
  for (const [qs, name] of cases) {
    const r = await req(srv, 'GET', `/api/v1/companies?${qs}`);
    const said = JSON.stringify([r.body?.detail, r.body?.title, r.body?.errors]);
    if (r.status !== 400 || !said.includes(name) || !(r.headers.get('content-type') || '').startsWith('application/problem+json')) {
      wrong.push(`GET /api/v1/companies?${qs.slice(0, 40)} → ${r.status} ${r.text.slice(0, 120)}`);
    }
  }
  for (const path of ['/api/v1/contacts?sort=name', '/api/v1/contacts?industry=IT', '/api/v1/search?q=a&limit=0',
                      '/api/v1/search?q=a&limit=abc', '/api/v1/custom-fields?entity=invoices']) {
    const r = await req(srv, 'GET', path);
    if (r.status !== 400) wrong.push(`GET ${path} → ${r.status} ${r.text.slice(0, 120)}`);
  }
  assert.deepEqual(wrong, []);
});

test('odd but well-formed query strings never crash', async () => {
  for (const qs of ['q=%ZZ', 'q=%', 'q=%00', 'q=' + 'x'.repeat(10000), 'q=%F0%9F', 'q=%C0%AF', '&&&', '=', 'q',
                    'q=a&q=b', 'limit=10&limit=20', "q='; DROP TABLE companies; --", 'q=%25%5F', 'q=*', 'q="']) {
    for (const path of ['/api/v1/companies', '/api/v1/contacts', '/api/v1/search']) {
      const r = await req(srv, 'GET', `${path}?${qs}`);
      assert.ok(r.status === 200 || r.status === 400, `${path}?${qs.slice(0, 40)} → ${r.status} ${r.text.slice(0, 200)}`);
    }
  }
  assert.equal((await req(srv, 'GET', `/api/v1/companies/${company.id}`)).status, 200);
});

test('deeply nested JSON answers 400 or 422 without crashing', async () => {
  const n = 100000;
  await unchanged(async () => {
    for (const body of ['['.repeat(n) + ']'.repeat(n),
                        '{"name":' + '['.repeat(n) + ']'.repeat(n) + '}',
                        '{"name":"ok","custom":' + '{"a":'.repeat(n) + '1' + '}'.repeat(n) + '}',
                        '{"name":"ok","tags":' + '['.repeat(n)]) {
      const r = await post('/api/v1/companies', body);
      assert.ok(r.status === 400 || r.status === 422, `${body.slice(0, 30)}… → ${r.status}`);
      assertProblem(r, r.status);
    }
  });
});

test('NUL bytes in strings are either rejected or stored in full, never truncated', async () => {
  for (const name of ['a\u0000b', '\u0000', 'tail\u0000']) {
    const r = await post('/api/v1/companies', { name });
    if (r.status === 201) {
      const got = await req(srv, 'GET', `/api/v1/companies/${r.body.id}`);
      assert.equal(got.body.name, name, 'stored in full');
      await req(srv, 'DELETE', `/api/v1/companies/${r.body.id}`);
    } else {
      assert.ok(r.status === 400 || r.status === 422, `${JSON.stringify(name)} → ${r.status} ${r.text}`);
      assertProblem(r, r.status);
    }
  }
  await unchanged(async () => {
    const r = await post('/api/v1/contacts', { last_name: 'ok', emails: ['a\u0000@b.example'] });
    assert.ok(r.status === 400 || r.status === 422, `${r.status} ${r.text}`);
  });
});

test('an empty string in an optional field means blank (null), never an invalid stored value', async () => {
  const c = await createOk(srv, 'contacts', { last_name: 'Blank', birthday: '', position: '' });
  assert.equal(c.birthday ?? null, null);
  assert.ok(c.position === '' || c.position === null);
  const co = await createOk(srv, 'companies', { name: 'Blank Co', website: '' });
  assert.ok(co.website === '' || co.website === null);
  await req(srv, 'DELETE', `/api/v1/contacts/${c.id}`);
  await req(srv, 'DELETE', `/api/v1/companies/${co.id}`);
});

test('invalid UTF-8 in the body answers 400 or 422', async () => {
  const bodies = [
    Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), // {"name":"\xff\xfe"}
    Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]), // overlong '/'
    Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]), // UTF-8 surrogate
    Buffer.concat([Buffer.from('{"name":"ab'), Buffer.from([0xe6, 0x97]), Buffer.from('"}')]), // truncated sequence
    Buffer.concat([Buffer.from('{"na'), Buffer.from([0xff]), Buffer.from('me":"x"}')]), // in a key
    Buffer.from('{"name":"\\ud800"}'), // escaped lone surrogate
    Buffer.from('{"name":"\\udc00x"}'),
  ];
  await unchanged(async () => {
    for (const b of bodies) {
      const r = await post('/api/v1/companies', b);
      assert.ok(r.status === 400 || r.status === 422, `${b.toString('hex')} → ${r.status} ${r.text}`);
      assertProblem(r, r.status);
    }
  });
});

test('a wrong Content-Type on a write answers 4xx and writes nothing', async () => {
  await unchanged(async () => {
    const r = await post('/api/v1/companies', 'name=Form+Post', { 'Content-Type': 'application/x-www-form-urlencoded' });
    assert.ok(r.status >= 400 && r.status < 500, `${r.status} ${r.text}`);
  });
});

test('the server still answers after all of it, and the stored records are intact', async () => {
  const h = await req(srv, 'GET', '/healthz');
  assert.equal(h.status, 200);
  const c = await req(srv, 'GET', `/api/v1/companies/${company.id}`);
  assert.equal(c.status, 200);
  assert.equal(c.body.name, 'Stable Co');
  assert.equal(c.body.version, 1);
  assert.deepEqual(c.body.tags, ['keep']);
  const p = await req(srv, 'GET', `/api/v1/contacts/${contact.id}`);
  assert.equal(p.body.version, 1);
  assert.equal(p.body.position ?? null, null);
});
