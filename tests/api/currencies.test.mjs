// Currencies: the built-in ISO 4217 list, the base currency, exchange rates
// by date entered one at a time or imported from CSV (all or nothing, each
// bad line named), administrators only for changes, every change audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { stopClean, assertProblem, assertInvalid, createToken, req } from '../lib/helpers.mjs';

const PASSWORD = 'amber otter juggles seventeen lanterns';
let srv;
let mgr; // a manager's token

before(async () => {
  srv = await startServer();
  const roles = (await req(srv, 'GET', '/api/v1/roles')).body.data;
  const manager = roles.find((r) => r.builtin === 'manager');
  const u = await req(srv, 'POST', '/api/v1/users',
                      { body: { email: 'cur@example.com', name: 'Cur Manager', password: PASSWORD, role_id: manager.id } });
  assert.equal(u.status, 201, u.text);
  mgr = createToken(srv, 'cur@example.com', 'cur');
});
after(async () => { await stopClean(srv); });

const put = (body, auth) => req(srv, 'PUT', '/api/v1/currencies/rates', { body, auth });
const csv = (text, auth) => req(srv, 'POST', '/api/v1/currencies/rates/import',
                                { body: text, auth, headers: { 'Content-Type': 'text/csv' } });
const rates = async (query = '') => {
  const r = await req(srv, 'GET', `/api/v1/currencies/rates${query}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
};
async function clearRates() {
  for (const x of (await rates('?limit=1000')).data) {
    assert.equal((await req(srv, 'DELETE', `/api/v1/currencies/rates/${x.id}`)).status, 204);
  }
}

async function newestAudit(n = 20) {
  const r = await req(srv, 'GET', `/api/v1/audit?limit=${n}`);
  assert.equal(r.status, 200, r.text);
  return r.body.data;
}
async function entriesOf(act) {
  const [top] = await newestAudit(1);
  await act();
  return (await newestAudit(50)).filter((e) => e.id > (top ? top.id : 0)).reverse();
}

test('the currency list has ISO codes with their minor-unit digits', async () => {
  const r = await req(srv, 'GET', '/api/v1/currencies', { auth: mgr });
  assert.equal(r.status, 200, r.text);
  const by = Object.fromEntries(r.body.data.map((c) => [c.code, c]));
  for (const [code, d] of [['JPY', 0], ['KRW', 0], ['USD', 2], ['EUR', 2], ['RUB', 2], ['KZT', 2], ['BYN', 2],
    ['UAH', 2], ['CNY', 2], ['GBP', 2], ['CHF', 2], ['INR', 2], ['TRY', 2], ['AED', 2], ['BHD', 3], ['KWD', 3]]) {
    assert.equal(by[code]?.digits, d, code);
  }
  assert.equal(r.body.base, 'EUR');
});

test('the base currency is EUR until an admin sets it; anyone signed in reads it', async () => {
  const r = await req(srv, 'GET', '/api/v1/currencies/base', { auth: mgr });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.currency, 'EUR');
  assert.equal(r.body.digits, 2);
  assert.equal((await req(srv, 'GET', '/api/v1/currencies/base', { auth: null })).status, 401);
});

test('only an admin changes the base, to a known code, and it is audited', async () => {
  assertProblem(await req(srv, 'PUT', '/api/v1/currencies/base', { body: { currency: 'USD' }, auth: mgr }), 403);
  assertInvalid(await req(srv, 'PUT', '/api/v1/currencies/base', { body: { currency: 'XYZ' } }), ['currency']);
  assertInvalid(await req(srv, 'PUT', '/api/v1/currencies/base', { body: { currency: 'usd' } }), ['currency']);
  assertInvalid(await req(srv, 'PUT', '/api/v1/currencies/base', { body: {} }), ['currency']);
  const e = await entriesOf(async () => {
    const r = await req(srv, 'PUT', '/api/v1/currencies/base', { body: { currency: 'RUB' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.currency, 'RUB');
  });
  const hit = e.filter((x) => x.action === 'setting.base_currency');
  assert.equal(hit.length, 1, JSON.stringify(e));
  assert.deepEqual(hit[0].detail, { from: 'EUR', to: 'RUB' });
  assert.equal((await req(srv, 'GET', '/api/v1/currencies/base')).body.currency, 'RUB');
});

test('a rate is set, replaced for the same day, listed, and each change audited', async () => {
  let e = await entriesOf(async () => {
    const r = await put({ currency: 'USD', date: '2026-11-20', rate: '92.4512' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.rate, '92.4512');
    assert.equal(r.body.date, '2026-11-20');
    assert.equal(r.body.created, true);
  });
  let hit = e.filter((x) => x.action === 'setting.rate_set');
  assert.equal(hit.length, 1);
  assert.equal(hit[0].detail.rate, '92.4512');
  assert.equal(hit[0].detail.base, 'RUB');
  assert.equal(hit[0].actor_email, srv.adminEmail);

  e = await entriesOf(async () => {
    const r = await put({ currency: 'USD', date: '2026-11-20', rate: '92.50000' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.created, false);
    assert.equal(r.body.rate, '92.5');
  });
  hit = e.filter((x) => x.action === 'setting.rate_set');
  assert.equal(hit.length, 1);
  assert.equal(hit[0].detail.previous, '92.4512');

  assert.equal((await put({ currency: 'USD', date: '2026-11-25', rate: '93' })).status, 200);
  assert.equal((await put({ currency: 'JPY', date: '2026-11-22', rate: '0.6123456789' })).status, 200);
  const all = (await req(srv, 'GET', '/api/v1/currencies/rates', { auth: mgr })).body;
  assert.deepEqual(all.data.map((x) => [x.currency, x.date, x.rate]),
                   [['USD', '2026-11-25', '93'], ['JPY', '2026-11-22', '0.6123456789'], ['USD', '2026-11-20', '92.5']]);
  const usd = await rates('?currency=USD&from=2026-11-21&to=2026-11-30');
  assert.deepEqual(usd.data.map((x) => x.date), ['2026-11-25']);
  const page = await rates('?limit=2');
  assert.equal(page.data.length, 2);
  const rest = await rates(`?limit=2&cursor=${encodeURIComponent(page.next_cursor)}`);
  assert.deepEqual(rest.data.map((x) => x.date), ['2026-11-20']);
  assert.equal(rest.next_cursor, null);

  const id = all.data[0].id;
  assertProblem(await req(srv, 'DELETE', `/api/v1/currencies/rates/${id}`, { auth: mgr }), 403);
  e = await entriesOf(async () => {
    assert.equal((await req(srv, 'DELETE', `/api/v1/currencies/rates/${id}`)).status, 204);
  });
  hit = e.filter((x) => x.action === 'setting.rate_delete');
  assert.equal(hit.length, 1);
  assert.deepEqual(hit[0].detail, { currency: 'USD', date: '2026-11-25', rate: '93' });
  assertProblem(await req(srv, 'DELETE', `/api/v1/currencies/rates/${id}`), 404);
});

test('the base cannot change while rates are stored', async () => {
  const r = await req(srv, 'PUT', '/api/v1/currencies/base', { body: { currency: 'USD' } });
  assertProblem(r, 409);
  assert.match(r.body.detail, /rates/);
  assert.equal((await req(srv, 'PUT', '/api/v1/currencies/base', { body: { currency: 'RUB' } })).status, 200,
               'setting the same base again is fine');
});

test('bad rates are refused by field, and nothing is written', async () => {
  const before = (await rates()).data.length;
  const cases = [
    [{ currency: 'XYZ', date: '2026-11-20', rate: '1' }, ['currency']],
    [{ currency: 'usd', date: '2026-11-20', rate: '1' }, ['currency']],
    [{ currency: 'RUB', date: '2026-11-20', rate: '1' }, ['currency']], // the base itself
    [{ currency: 'USD', date: '2026-02-30', rate: '1' }, ['date']],
    [{ currency: 'USD', date: '20.11.2026', rate: '1' }, ['date']],
    [{ currency: 'USD', date: '2026-11-20T00:00:00Z', rate: '1' }, ['date']],
    [{ currency: 'USD', date: '2026-11-20', rate: '0' }, ['rate']],
    [{ currency: 'USD', date: '2026-11-20', rate: '0.0000000000' }, ['rate']],
    [{ currency: 'USD', date: '2026-11-20', rate: '-1' }, ['rate']],
    [{ currency: 'USD', date: '2026-11-20', rate: '1.12345678901' }, ['rate']],
    [{ currency: 'USD', date: '2026-11-20', rate: 'ninety' }, ['rate']],
    [{ currency: 'USD', date: '2026-11-20', rate: '1e2' }, ['rate']],
    [{ currency: 'USD', date: '2026-11-20', rate: '100000001' }, ['rate']],
    [{ currency: 'USD', date: '2026-11-20', rate: 92.5 }, ['rate']], // a JSON number is not exact
    [{ currency: 'USD', date: '2026-11-20' }, ['rate']],
    [{ currency: 'USD', date: '2026-11-20', rate: '1', extra: 1 }, ['extra']],
    [{ currency: 'XYZ', date: 'soon', rate: '-5' }, ['currency', 'date', 'rate']],
  ];
  for (const [body, fields] of cases) assertInvalid(await put(body), fields, JSON.stringify(body));
  assertProblem(await req(srv, 'PUT', '/api/v1/currencies/rates', { body: '[1]' }), 400);
  assertProblem(await req(srv, 'PUT', '/api/v1/currencies/rates', { body: 'USD,2026-11-20,1',
                                                                   headers: { 'Content-Type': 'text/csv' } }), 415);
  assertProblem(await put({ currency: 'USD', date: '2026-11-20', rate: '1' }, mgr), 403);
  assertProblem(await put({ currency: 'XYZ' }, mgr), 403, 'a non-admin learns nothing about the body');
  assert.equal((await rates()).data.length, before);
});

test('bad list filters answer 400', async () => {
  for (const q of ['?currency=XYZ', '?from=2026-13-01', '?to=yesterday', '?from=2026-02-01&to=2026-01-01',
    '?limit=0', '?limit=1001', '?limit=ten', '?cursor=abc', '?currency=']) {
    assertProblem(await req(srv, 'GET', `/api/v1/currencies/rates${q}`), 400, q);
  }
});

test('a CSV import with bad lines names each by its line number and writes nothing', async () => {
  await clearRates();
  const text = [
    'currency,date,rate', // 1: header
    'USD,2026-11-01,91.5', // 2: good
    'XYZ,2026-11-01,1', // 3: unknown currency
    'EUR,2026-11-31,99', // 4: no such day
    '', // 5: blank
    'CNY,2026-11-01,0', // 6: zero
    'GBP,2026-11-01', // 7: two cells
    'JPY,2026-11-01,-0.6', // 8: negative
    'CHF,2026-11-01,1.000000000001', // 9: too many digits
    'KZT,2026-11-01,abc', // 10: not a number
    'RUB,2026-11-01,1', // 11: the base
  ].join('\r\n') + '\r\n';
  const [top] = await newestAudit(1);
  const r = await csv(text);
  const p = assertProblem(r, 422);
  assert.deepEqual(p.errors.map((x) => x.field),
                   ['line 3: currency', 'line 4: date', 'line 6: rate', 'line 7', 'line 8: rate', 'line 9: rate',
                    'line 10: rate', 'line 11: currency']);
  assert.match(p.detail, /nothing was imported/);
  assert.equal((await rates()).data.length, 0, 'not even the good line');
  const added = (await newestAudit(5)).filter((e) => e.id > top.id && e.action.startsWith('setting.'));
  assert.deepEqual(added, []);

  const dup = await csv('USD,2026-11-01,91\nUSD,2026-11-01,92\n');
  assert.deepEqual(assertProblem(dup, 422).errors.map((x) => x.field), ['line 2']);
  assertProblem(await csv(''), 422);
  assertProblem(await csv('\n\n'), 422);
});

test('a good CSV import upserts every line in one audited change', async () => {
  assert.equal((await put({ currency: 'USD', date: '2026-11-01', rate: '90' })).status, 200);
  let out;
  const e = await entriesOf(async () => {
    out = await csv('USD,2026-11-01,91.5\nUSD,2026-11-02,91.75\n"KWD", 2026-11-02 ,300.1234\n');
  });
  assert.equal(out.status, 200, out.text);
  assert.deepEqual(out.body, { rows: 3, created: 2, updated: 1 });
  const hit = e.filter((x) => x.action === 'setting.rate_import');
  assert.equal(hit.length, 1, JSON.stringify(e));
  assert.deepEqual(hit[0].detail, { rows: 3, created: 2, updated: 1, currencies: ['USD', 'KWD'], base: 'RUB' });
  const list = (await rates('?currency=USD')).data.map((x) => [x.date, x.rate]);
  assert.deepEqual(list, [['2026-11-02', '91.75'], ['2026-11-01', '91.5']]);
});

test('the import is for admins only and takes text/csv', async () => {
  assertProblem(await csv('USD,2026-11-03,1\n', mgr), 403);
  assertProblem(await req(srv, 'POST', '/api/v1/currencies/rates/import', { body: { currency: 'USD' } }), 415);
  assert.equal((await rates('?from=2026-11-03')).data.length, 0);
});

test('the routes are in the OpenAPI description', async () => {
  const doc = (await req(srv, 'GET', '/api/v1/openapi.json')).body;
  for (const [m, p] of [['get', '/api/v1/currencies'], ['get', '/api/v1/currencies/base'], ['put', '/api/v1/currencies/base'],
    ['get', '/api/v1/currencies/rates'], ['put', '/api/v1/currencies/rates'],
    ['post', '/api/v1/currencies/rates/import'], ['delete', '/api/v1/currencies/rates/{id}']]) {
    assert.equal(typeof doc.paths[p]?.[m]?.summary, 'string', `${m} ${p}`);
  }
  assert.ok(doc.paths['/api/v1/currencies/rates/import'].post.requestBody.content['text/csv']);
});
