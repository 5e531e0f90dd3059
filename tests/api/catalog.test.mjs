// The product catalog: an administrator keeps units (whole or decimal),
// products and price lists; everyone signed in reads them and prices deal
// lines with the quote, which writes nothing; bad input is refused field by
// field; every change is audited. Every expected amount is worked out by hand
// in the comment beside it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { stopClean, req, assertProblem, assertInvalid, addUser, createToken } from '../lib/helpers.mjs';

let srv;
let manager;
let units;
before(async () => {
  srv = await startServer();
  addUser(srv, 'cat.manager@example.com', 'amber otter juggles seventeen lanterns', { name: 'Cat Manager' });
  manager = createToken(srv, 'cat.manager@example.com', 'cm');
  units = Object.fromEntries((await req(srv, 'GET', '/api/v1/units')).body.data.map((u) => [u.name, u]));
});
after(async () => { await stopClean(srv); });

const created = async (path, body) => {
  const r = await req(srv, 'POST', path, { body });
  assert.equal(r.status, 201, r.text);
  return r.body;
};

test('a fresh database has the usual units, whole and decimal', async () => {
  assert.deepEqual(['pcs', 'licence', 'SIM card', 'hour', 'kg', 'm'].map((n) => [n, units[n]?.whole]),
    [['pcs', true], ['licence', true], ['SIM card', true], ['hour', false], ['kg', false], ['m', false]]);
  const r = await req(srv, 'GET', '/api/v1/units', { auth: manager });
  assert.equal(r.status, 200, r.text);
});

test('an admin adds products; a manager reads them but cannot change them', async () => {
  const p = await created('/api/v1/products', {
    name: 'Router X1', sku: 'RX-1', unit_id: units.pcs.id, price: 12990, currency: 'EUR', tax_rate: '20',
    description: 'Dual band',
  });
  assert.deepEqual(p, {
    id: p.id, name: 'Router X1', sku: 'RX-1', description: 'Dual band', unit_id: units.pcs.id, unit: 'pcs',
    whole: true, price: 12990, currency: 'EUR', tax_rate: '20', active: true,
  });
  const got = await req(srv, 'GET', `/api/v1/products/${p.id}`, { auth: manager });
  assert.equal(got.status, 200, got.text);
  assert.equal(got.body.name, 'Router X1');
  assertProblem(await req(srv, 'POST', '/api/v1/products', {
    auth: manager, body: { name: 'Mine', unit_id: units.pcs.id, price: 1, currency: 'EUR' },
  }), 403);
  assertProblem(await req(srv, 'PATCH', `/api/v1/products/${p.id}`, { auth: manager, body: { price: 1 } }), 403);
  assertProblem(await req(srv, 'DELETE', `/api/v1/products/${p.id}`, { auth: manager }), 403);
  assertProblem(await req(srv, 'POST', '/api/v1/units', { auth: manager, body: { name: 'crate' } }), 403);
  assertProblem(await req(srv, 'POST', '/api/v1/price-lists', { auth: manager, body: { name: 'M', currency: 'EUR' } }), 403);
  // The same SKU twice is refused.
  assertProblem(await req(srv, 'POST', '/api/v1/products', {
    body: { name: 'Router copy', sku: 'RX-1', unit_id: units.pcs.id, price: 1, currency: 'EUR' },
  }), 409);
  const audit = await req(srv, 'GET', '/api/v1/audit?action=catalog.product_created');
  assert.equal(audit.body.data[0].record_id, p.id);
});

test('bad products are refused field by field, and nothing is written', async () => {
  const count = (await req(srv, 'GET', '/api/v1/products?limit=200')).body.data.length;
  const ok = { name: 'Cable', unit_id: units.m.id, price: 250, currency: 'EUR' };
  const cases = [
    [{}, ['name', 'unit_id', 'price', 'currency']],
    [{ ...ok, price: -1 }, ['price']],
    [{ ...ok, price: 1.5 }, ['price']],
    [{ ...ok, currency: 'XXY' }, ['currency']],
    [{ ...ok, currency: 'eur' }, ['currency']],
    [{ ...ok, tax_rate: '100.5' }, ['tax_rate']],
    [{ ...ok, tax_rate: '-5' }, ['tax_rate']],
    [{ ...ok, tax_rate: 12.5 }, ['tax_rate']],
    [{ ...ok, name: '' }, ['name']],
    [{ ...ok, sku: '' }, ['sku']],
    [{ ...ok, colour: 'red' }, ['colour']],
    [{ ...ok, unit_id: 99999 }, ['unit_id']],
    [{ ...ok, name: '', price: -1, currency: 'XXX', tax_rate: '101' }, ['name', 'price', 'currency', 'tax_rate']],
  ];
  for (const [body, fields] of cases) assertInvalid(await req(srv, 'POST', '/api/v1/products', { body }), fields, JSON.stringify(body));
  assert.equal((await req(srv, 'GET', '/api/v1/products?limit=200')).body.data.length, count);
  assertProblem(await req(srv, 'GET', '/api/v1/products/99999'), 404);
  assertProblem(await req(srv, 'PATCH', '/api/v1/products/99999', { body: { name: 'x' } }), 404);
});

test('a product changes currency only with its price, and retires instead of vanishing', async () => {
  const p = await created('/api/v1/products', { name: 'Licence Pro', unit_id: units.licence.id, price: 5000, currency: 'EUR' });
  assertInvalid(await req(srv, 'PATCH', `/api/v1/products/${p.id}`, { body: { currency: 'JPY' } }), ['price']);
  const moved = await req(srv, 'PATCH', `/api/v1/products/${p.id}`, { body: { currency: 'JPY', price: 800 } });
  assert.equal(moved.status, 200, moved.text);
  assert.deepEqual([moved.body.currency, moved.body.price, moved.body.tax_rate], ['JPY', 800, '0']);
  const retired = await req(srv, 'PATCH', `/api/v1/products/${p.id}`, { body: { active: false, tax_rate: '12.5', sku: null } });
  assert.deepEqual([retired.body.active, retired.body.tax_rate, retired.body.sku], [false, '12.5', null]);
  assert.equal((await req(srv, 'GET', `/api/v1/products/${p.id}`)).body.active, false, 'an inactive product stays readable');
  const active = (await req(srv, 'GET', '/api/v1/products?active=true&limit=200')).body.data;
  assert.ok(!active.some((x) => x.id === p.id));
});

test('products are searched by part of the name or SKU, in pages', async () => {
  for (const n of ['Antenna A', 'Antenna B', 'Antenna C']) {
    await created('/api/v1/products', { name: n, sku: `ANT-${n.at(-1)}`, unit_id: units.pcs.id, price: 100, currency: 'EUR' });
  }
  const byName = await req(srv, 'GET', '/api/v1/products?q=tenna', { auth: manager });
  assert.deepEqual(byName.body.data.map((p) => p.name), ['Antenna A', 'Antenna B', 'Antenna C']);
  const bySku = await req(srv, 'GET', '/api/v1/products?q=ant-b');
  assert.deepEqual(bySku.body.data.map((p) => p.name), ['Antenna B']);
  assert.deepEqual((await req(srv, 'GET', '/api/v1/products?q=50%25')).body.data, [], '% is a character, not a wildcard');
  const first = await req(srv, 'GET', '/api/v1/products?q=antenna&limit=2');
  assert.equal(first.body.data.length, 2);
  assert.ok(first.body.next_cursor);
  const second = await req(srv, 'GET', `/api/v1/products?q=antenna&limit=2&cursor=${first.body.next_cursor}`);
  assert.deepEqual(second.body.data.map((p) => p.name), ['Antenna C']);
  assert.equal(second.body.next_cursor, null);
  assertProblem(await req(srv, 'GET', '/api/v1/products?limit=0'), 400);
  assertProblem(await req(srv, 'GET', '/api/v1/products?cursor=abc'), 400);
});

test('units: admins add and rename them; one in use keeps its kind and is not deleted', async () => {
  const box = await created('/api/v1/units', { name: 'box', whole: true });
  assert.deepEqual(box, { id: box.id, name: 'box', whole: true });
  assertProblem(await req(srv, 'POST', '/api/v1/units', { body: { name: 'box' } }), 409);
  assertInvalid(await req(srv, 'POST', '/api/v1/units', { body: { name: '', whole: 'yes' } }), ['name', 'whole']);
  const p = await created('/api/v1/products', { name: 'Boxed set', unit_id: box.id, price: 1000, currency: 'EUR' });
  assertProblem(await req(srv, 'PATCH', `/api/v1/units/${box.id}`, { body: { whole: false } }), 409);
  const renamed = await req(srv, 'PATCH', `/api/v1/units/${box.id}`, { body: { name: 'carton' } });
  assert.deepEqual(renamed.body, { id: box.id, name: 'carton', whole: true });
  assertProblem(await req(srv, 'DELETE', `/api/v1/units/${box.id}`), 409);
  assert.equal((await req(srv, 'DELETE', `/api/v1/products/${p.id}`)).status, 204);
  assert.equal((await req(srv, 'DELETE', `/api/v1/units/${box.id}`)).status, 204);
  const audit = (await req(srv, 'GET', '/api/v1/audit?action=catalog.')).body.data.map((e) => e.action);
  assert.ok(['catalog.unit_created', 'catalog.unit_changed', 'catalog.unit_deleted'].every((a) => audit.includes(a)), audit);
});

test('price lists hold prices in one currency; a product deleted leaves them', async () => {
  const router = (await req(srv, 'GET', '/api/v1/products?q=RX-1')).body.data[0];
  const gone = await created('/api/v1/products', { name: 'Old modem', unit_id: units.pcs.id, price: 900, currency: 'EUR' });
  const list = await created('/api/v1/price-lists', {
    name: 'Dealers USD', currency: 'USD', items: [{ product_id: router.id, price: 11000 }, { product_id: gone.id, price: 800 }],
  });
  assert.deepEqual([list.currency, list.active, list.item_count], ['USD', true, 2]);
  assert.deepEqual(list.items.map((i) => [i.name, i.price]), [['Old modem', 800], ['Router X1', 11000]]);
  assert.equal((await req(srv, 'GET', `/api/v1/price-lists/${list.id}`, { auth: manager })).status, 200);
  assertInvalid(await req(srv, 'POST', '/api/v1/price-lists', {
    body: { name: 'Bad', currency: 'ZZZ', items: [{ product_id: router.id, price: -5 }, { product_id: gone.id, price: 1 }] },
  }), ['currency', 'items[0]']);
  assertInvalid(await req(srv, 'POST', '/api/v1/price-lists', {
    body: { name: 'Bad', currency: 'USD', items: [{ product_id: 99999, price: 5 }] },
  }), ['items[0]']);
  assertInvalid(await req(srv, 'POST', '/api/v1/price-lists', {
    body: { name: 'Twice', currency: 'USD', items: [{ product_id: router.id, price: 5 }, { product_id: router.id, price: 6 }] },
  }), ['items[1]']);
  // Its prices are USD cents: the currency changes only with new prices.
  assertInvalid(await req(srv, 'PATCH', `/api/v1/price-lists/${list.id}`, { body: { currency: 'GBP' } }), ['currency']);
  assert.equal((await req(srv, 'DELETE', `/api/v1/products/${gone.id}`)).status, 204);
  const after = (await req(srv, 'GET', `/api/v1/price-lists/${list.id}`)).body;
  assert.deepEqual(after.items.map((i) => i.name), ['Router X1']);
  const audit = (await req(srv, 'GET', '/api/v1/audit?action=catalog.price_list_created')).body.data;
  assert.equal(audit[0].record_id, list.id);
});

test('the quote prices lines exactly, with discounts and tax, and writes nothing', async () => {
  const consulting = await created('/api/v1/products', {
    name: 'Consulting', unit_id: units.hour.id, price: 8000, currency: 'EUR', tax_rate: '20',
  });
  const router = (await req(srv, 'GET', '/api/v1/products?q=RX-1')).body.data[0];
  const auditBefore = (await req(srv, 'GET', '/api/v1/audit?limit=1')).body.data[0].id;
  const r = await req(srv, 'POST', '/api/v1/line-items/quote', {
    auth: manager,
    body: {
      currency: 'EUR',
      items: [
        { product_id: router.id, quantity: '3', discount: '12.5' },
        { product_id: consulting.id, quantity: '2.5' },
        { name: 'Delivery', quantity: 1, price: 1550, tax: '0' },
      ],
    },
  });
  assert.equal(r.status, 200, r.text);
  // 3 x 129.90 = 389.70, less 12.5 % = 340.9875 -> 340.99; 20 % = 68.198 -> 68.20.
  // 2.5 h x 80.00 = 200.00; 20 % = 40.00. Delivery 15.50, no tax.
  assert.deepEqual(r.body.lines.map((l) => [l.name, l.quantity, l.unit, l.price, l.discount, l.tax, l.net, l.tax_amount, l.total]), [
    ['Router X1', '3', 'pcs', 12990, '12.5', '20', 34099, 6820, 40919],
    ['Consulting', '2.5', 'hour', 8000, '0', '20', 20000, 4000, 24000],
    ['Delivery', '1', null, 1550, '0', '0', 1550, 0, 1550],
  ]);
  assert.deepEqual([r.body.currency, r.body.digits, r.body.net, r.body.tax_amount, r.body.total], ['EUR', 2, 55649, 10820, 66469]);
  assert.equal((await req(srv, 'GET', '/api/v1/audit?limit=1')).body.data[0].id, auditBefore, 'a quote is not a change');
  // In USD the router's price comes from the USD list: 2 x 110.00 = 220.00; 20 % = 44.00.
  const usd = await req(srv, 'POST', '/api/v1/line-items/quote', {
    body: { currency: 'USD', items: [{ product_id: router.id, quantity: '2' }] },
  });
  assert.equal(usd.status, 200, usd.text);
  assert.deepEqual([usd.body.lines[0].price, usd.body.net, usd.body.tax_amount, usd.body.total], [11000, 22000, 4400, 26400]);
  // A yen line has no minor unit: 3 x 333 less 10 % = 899.1 -> 899.
  const jpy = await req(srv, 'POST', '/api/v1/line-items/quote', {
    body: { currency: 'JPY', items: [{ name: 'Cable', quantity: '3', price: 333, discount: '10' }] },
  });
  assert.deepEqual([jpy.body.digits, jpy.body.total], [0, 899]);
});

test('the quote refuses bad lines field by field', async () => {
  const router = (await req(srv, 'GET', '/api/v1/products?q=RX-1')).body.data[0];
  const consulting = (await req(srv, 'GET', '/api/v1/products?q=Consulting')).body.data[0];
  const q = (body) => req(srv, 'POST', '/api/v1/line-items/quote', { body });
  const fractional = assertInvalid(await q({ currency: 'EUR', items: [{ product_id: router.id, quantity: '256.76' }] }),
    ['items[0].quantity']);
  assert.match(fractional.errors[0].message, /whole number of pcs/);
  assertInvalid(await q({ currency: 'EUR', items: [{ name: 'SIMs', unit_id: units['SIM card'].id, quantity: '0.5', price: 1 }] }),
    ['items[0].quantity']);
  assertInvalid(await q({ currency: 'EUR', items: [{ name: 'X', quantity: '1', price: -100 }] }), ['items[0].price']);
  assertInvalid(await q({ currency: 'XXQ', items: [] }), ['currency']);
  assertInvalid(await q({ currency: 'EUR', items: [{ name: 'X', quantity: '1', price: 1, tax: '100.01' }] }), ['items[0].tax']);
  assertInvalid(await q({ currency: 'EUR', items: [{ name: 'X', quantity: '1', price: 1, unit_id: 99999 }] }), ['items[0].unit_id']);
  for (const quantity of ['1e3', '-1', '1.2345', '', ' 1', 0, 2.5]) {
    assertInvalid(await q({ currency: 'EUR', items: [{ name: 'X', quantity, price: 1 }] }), ['items[0].quantity'], `quantity ${quantity}`);
  }
  assertInvalid(await q({ currency: 'EUR', items: [{ quantity: '1' }] }), ['items[0].name', 'items[0].price']);
  assertInvalid(await q({ currency: 'EUR', items: [{ product_id: 99999, quantity: '1' }] }), ['items[0].product_id']);
  assertInvalid(await q({ currency: 'GBP', items: [{ product_id: consulting.id, quantity: '1' }] }), ['items[0].price']);
  assertInvalid(await q({ currency: 'EUR', items: [{ name: 'Huge', quantity: '1000000000', price: 1000000000000000 }] }), ['items[0]']);
  assertInvalid(await q({ items: [], colour: 1 }), ['currency', 'colour']);
});
