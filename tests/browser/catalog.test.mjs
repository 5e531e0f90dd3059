// The Products screen (Administration → Products): an admin adds a product
// from the keyboard, sees a refused price named under its field, adds a unit
// and a price list with a price. Real server, real Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, setup, signIn, withPage } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => {
  await env?.close();
  assert.deepEqual(env?.pageErrors.map(String) ?? [], []);
});

test('an admin keeps products, units and price lists from one screen', async () => {
  await withPage(env, 'catalog', async (page) => {
    await signIn(page, env.srv);
    await page.getByRole('link', { name: 'Products' }).click();
    await page.getByRole('heading', { name: 'Products', level: 1 }).waitFor();
    await page.locator('tr[data-unit="SIM card"]').waitFor();

    // A product, typed and saved with Enter; a bad price is named under its field.
    await page.getByRole('button', { name: '+ Add product' }).click();
    const form = page.getByRole('form', { name: 'Add product' });
    await form.getByLabel('Name').fill('Router X1');
    await form.getByLabel('SKU').fill('RX-1');
    await form.getByLabel('Unit').selectOption({ label: 'pcs' });
    await form.getByLabel('Price').fill('12.999');
    await form.getByLabel('Tax, %').fill('20');
    await form.getByLabel('Tax, %').press('Enter');
    await form.locator('.field-error').first().waitFor();
    assert.match(await form.innerText(), /minor units/);
    await form.getByLabel('Price').fill('129.90');
    await form.getByLabel('Price').press('Enter');
    const row = page.locator('tr[data-product="Router X1"]');
    await row.waitFor();
    assert.match(await row.innerText(), /RX-1/);
    assert.match(await row.innerText(), /129\.90/);

    // A unit; Escape leaves a form without saving.
    await page.getByRole('button', { name: '+ Add unit' }).click();
    await page.getByRole('form', { name: 'Add unit' }).getByLabel('Name').press('Escape');
    assert.equal(await page.getByRole('form', { name: 'Add unit' }).count(), 0);
    await page.getByRole('button', { name: '+ Add unit' }).click();
    const unit = page.getByRole('form', { name: 'Add unit' });
    await unit.getByLabel('Name').fill('month');
    await unit.getByLabel('Quantities').selectOption({ label: 'Decimal (hours, kilograms)' });
    await unit.getByRole('button', { name: 'Save' }).click();
    await page.locator('tr[data-unit="month"]').getByText('Decimal').waitFor();

    // A price list in USD with the router's price.
    await page.getByRole('button', { name: '+ Add price list' }).click();
    const pl = page.getByRole('form', { name: 'Add price list' });
    await pl.getByLabel('Name').fill('Dealers USD');
    await pl.getByLabel('Currency').fill('USD');
    await pl.getByRole('button', { name: '+ Add a price' }).click();
    await pl.getByLabel('Product 1').selectOption({ label: 'Router X1 (RX-1)' });
    await pl.getByLabel('Price 1').fill('110');
    await pl.getByRole('button', { name: 'Save' }).click();
    await page.locator('tr[data-price-list="Dealers USD"]').waitFor();
  });
  const lists = (await api(env.srv, 'GET', '/api/v1/price-lists')).body.data;
  const full = (await api(env.srv, 'GET', `/api/v1/price-lists/${lists[0].id}`)).body;
  assert.deepEqual(full.items.map((i) => [i.name, i.price]), [['Router X1', 11000]]);
  const audit = (await api(env.srv, 'GET', '/api/v1/audit?action=catalog.')).body.data.map((e) => e.action);
  assert.ok(audit.includes('catalog.product_created') && audit.includes('catalog.price_list_created'), audit);
});
