// The forecast screen (Plans → Forecast): the coming months' pipeline, history and combined figures
// in a chart and a table, the backtest below, the method explained; and importing a plan file from
// the grid: a bad file's cells listed, a good one imported into the grid. Real server, real Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, setup, signIn, withPage } from './helpers.mjs';

let env;
const year = String(new Date().getUTCFullYear());
// The month k months from now (UTC), "YYYY-MM".
const month = (k) => {
  const now = new Date();
  const m = now.getUTCFullYear() * 12 + now.getUTCMonth() + k;
  return `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
};

before(async () => {
  env = await setup();
  const post = async (path, body) => {
    const r = await api(env.srv, 'POST', path, body);
    assert.ok(r.status === 201 || r.status === 200, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const pipe = await post('/api/v1/pipelines', { name: 'Forecast board', stages: [{ name: 'Offer', probability: 50 },
    { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }] });
  // 2,500.00 at 50% next month: 1,250 expected.
  await post('/api/v1/deals', { title: 'Next month', pipeline_id: pipe.id, amount: 250000, currency: 'EUR', expected_close: `${month(1)}-10` });
  await post('/api/v1/departments', { name: 'Browser plans', parent_id: 1 });
});
after(async () => {
  await env?.close();
  assert.deepEqual(env?.pageErrors.map(String) ?? [], []);
});

test('the forecast shows the coming months with the weighted pipeline, the backtest and the method', async () => {
  await withPage(env, 'forecast', async (page) => {
    await signIn(page, env.srv, { hash: '#/plans' });
    await page.getByRole('heading', { name: 'Plans', level: 1 }).waitFor();
    await page.getByRole('tab', { name: 'Forecast' }).click();
    const table = page.getByRole('table', { name: 'Forecast' });
    await table.waitFor();
    assert.equal(await table.locator('tbody tr').count(), 6);
    const next = table.locator(`tr[data-month="${month(1)}"]`);
    assert.match(await next.textContent(), /1,250/);
    await page.getByRole('img', { name: /Revenue by month/ }).waitFor();
    assert.equal(await page.getByRole('table', { name: /Backtest/ }).locator('tbody tr').count(), 12);
    await page.getByText('How the forecast is made').click();
    await page.getByText(/the same month of up to three previous years/).waitFor();
    await page.getByLabel('Months ahead').selectOption('3');
    await table.locator('tbody tr').nth(2).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('.forecast-table tbody tr').length === 3);
  });
});

test('a plan file is checked (every bad cell listed) and then imported into the grid', async () => {
  await withPage(env, 'plan-import', async (page) => {
    await signIn(page, env.srv, { hash: `#/plans?period=${year}` });
    const grid = page.getByRole('grid', { name: 'Plan grid' });
    await grid.waitFor();
    await page.getByText('Import targets from a file').click();
    const input = page.getByLabel('Plan file');
    await input.setInputFiles({ name: 'bad.csv', mimeType: 'text/csv',
      buffer: Buffer.from(`who,metric,period,target\nBrowser plans,calls,${year},a lot\n`) });
    await page.getByRole('button', { name: 'Check' }).click();
    await page.getByText('1 bad cells').waitFor();
    const errors = page.locator('.plans-import-errors tbody tr');
    assert.equal(await errors.count(), 1);
    assert.match(await errors.first().textContent(), /^2targeta lot.*whole number/);
    assert.ok(await page.getByRole('button', { name: 'Import' }).isDisabled());
    await input.setInputFiles({ name: 'good.csv', mimeType: 'text/csv',
      buffer: Buffer.from(`who,metric,period,target\nBrowser plans,calls,${year},75\n`) });
    await page.getByRole('button', { name: 'Check' }).click();
    await page.getByText('1 targets, no errors').waitFor();
    await page.getByRole('button', { name: 'Import' }).click();
    await grid.locator('[data-metric="calls"]').getByText('75').waitFor();
    const saved = await api(env.srv, 'GET', `/api/v1/plans?period=${year}`);
    assert.equal(saved.body.rows.find((r) => r.name === 'Browser plans').plan.calls, 75);
  });
});
