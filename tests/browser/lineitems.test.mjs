// Line items on the deal form: a product line picked from the catalog and a free line, totals
// priced live by the server's quote, a per-line refusal shown in place (a fractional quantity of
// a whole unit), and the saved deal's amount being the lines' total. Real server, real Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, idFromUrl, setup, signIn, withPage } from './helpers.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
  assert.deepEqual(env?.pageErrors.map(String) ?? [], []);
});

const totalIs = (page, minor) =>
  page.waitForFunction((m) => document.querySelector('.line-items tr.line-totals')?.getAttribute('data-total') === String(m), minor);

test('a new deal with a product line and a free line: live totals, a refused quantity in place, the amount saved', async () => {
  await withPage(env, 'deal-line-items', async (page) => {
    const { srv } = env;
    const units = (await api(srv, 'GET', '/api/v1/units')).body.data;
    const pcs = units.find((u) => u.name === 'pcs');
    const r = await api(srv, 'POST', '/api/v1/products', {
      name: 'Widget W7', sku: 'W-7', unit_id: pcs.id, price: 1999, currency: 'EUR', tax_rate: '20',
    });
    assert.equal(r.status, 201, r.text);

    await signIn(page, srv, { hash: '#/deals/new' });
    await page.getByRole('heading', { name: 'New deal' }).waitFor();
    await page.getByLabel('Title').fill('Omicron offices');
    await page.getByLabel('Currency').selectOption('EUR');

    // A product line: picked by typing part of its name.
    await page.getByRole('button', { name: '+ Add line' }).click();
    await page.getByLabel('Product or description, line 1').fill('widg');
    await page.getByRole('option', { name: /Widget W7/ }).click();
    assert.equal(await page.getByLabel('Product or description, line 1').inputValue(), 'Widget W7');
    assert.equal(await page.getByLabel('Tax, %, line 1').inputValue(), '20');
    assert.equal(await page.getByLabel('Unit, line 1').locator('option:checked').innerText(), 'pcs');
    await page.getByLabel('Quantity, line 1').fill('150');
    await page.getByLabel('Discount, %, line 1').fill('12.5');
    // 150 × 19.99 − 12.5 % = 2,623.69, + 20 % tax = 3,148.43
    await totalIs(page, 314843);
    // The catalog's price in the deal's currency comes from the quote.
    assert.equal(await page.getByLabel('Price, line 1').getAttribute('placeholder'), '19.99');

    // While there are lines, the amount is theirs.
    assert.equal(await page.getByLabel('Amount').isDisabled(), true);

    // A free line: a name, a unit, a price.
    await page.getByRole('button', { name: '+ Add line' }).click();
    await page.getByLabel('Product or description, line 2').fill('Installation work');
    await page.getByLabel('Quantity, line 2').fill('2.25');
    await page.getByLabel('Unit, line 2').selectOption({ label: 'hour' });
    await page.getByLabel('Price, line 2').fill('73.33');
    await page.getByLabel('Tax, %, line 2').fill('20');
    await totalIs(page, 334642);
    assert.match(await page.locator('.line-items tr.line-totals').innerText(), /3,346\.42/);
    assert.match(await page.locator('.line-items tr[data-line="2"] [data-cell="total"]').innerText(), /197\.99/);

    // A fractional quantity of a whole unit: the server's message on that line, the field marked.
    await page.getByLabel('Quantity, line 1').fill('256.76');
    await page.locator('.line-items tr[data-line="1"] .field-error').getByText('must be a whole number of pcs: 256.76 is not').waitFor();
    assert.equal(await page.getByLabel('Quantity, line 1').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Quantity, line 1').fill('150');
    await totalIs(page, 334642);
    assert.equal(await page.locator('.line-items .field-error').count(), 0);

    const post = page.waitForResponse((res) => res.url().endsWith('/api/v1/deals') && res.request().method() === 'POST');
    await page.getByRole('button', { name: 'Create deal' }).click();
    const res = await post;
    assert.equal(res.status(), 201);
    const sent = JSON.parse(res.request().postData());
    assert.equal('amount' in sent, false);
    assert.equal(sent.items.length, 2);
    assert.deepEqual(sent.items[1], { name: 'Installation work', quantity: '2.25', unit_id: units.find((u) => u.name === 'hour').id, price: 7333, tax: '20' });

    await page.getByRole('heading', { name: 'Omicron offices', level: 1 }).waitFor();
    const id = idFromUrl(page, 'deals');
    const d = (await api(srv, 'GET', `/api/v1/deals/${id}`)).body;
    assert.equal(d.amount, 334642);
    assert.equal(d.items_count, 2);

    // The deal page shows the lines and their total.
    const card = page.locator('.deal-items');
    await card.locator('tr[data-line="2"]').waitFor();
    assert.match(await card.locator('tr[data-line="1"]').innerText(), /Widget W7.*150.*pcs/s);
    assert.match(await card.locator('tr.line-totals').innerText(), /3,346\.42/);

    // Editing starts from the stored lines: removing one changes the total, and the amount follows.
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Quantity, line 2').waitFor();
    assert.equal(await page.getByLabel('Quantity, line 2').inputValue(), '2.25');
    await page.getByRole('button', { name: 'Remove line 2' }).click();
    await totalIs(page, 314843);
    const patch = page.waitForResponse((x) => x.url().endsWith(`/api/v1/deals/${id}`) && x.request().method() === 'PATCH');
    await page.getByRole('button', { name: 'Save' }).click();
    assert.equal((await patch).status(), 200);
    await page.getByRole('heading', { name: 'Omicron offices', level: 1 }).waitFor();
    assert.equal((await api(srv, 'GET', `/api/v1/deals/${id}`)).body.amount, 314843);
  });
});

test('a deal hit in the top-bar search is labelled Deal and opens the deal', async () => {
  await withPage(env, 'search-deal-hit', async (page) => {
    const { srv } = env;
    const r = await api(srv, 'POST', '/api/v1/deals', { title: 'Pi pumps for Zed' });
    assert.equal(r.status, 201, r.text);
    await signIn(page, srv);
    await page.getByRole('combobox', { name: 'Search everything' }).fill('Pi pumps');
    const hit = page.getByRole('option', { name: /Pi pumps for Zed/ });
    await hit.waitFor();
    assert.match(await hit.innerText(), /Deal/);
    await hit.click();
    await page.getByRole('heading', { name: 'Pi pumps for Zed', level: 1 }).waitFor();
    assert.equal(idFromUrl(page, 'deals'), r.body.id);
  });
});
