// Reports in the browser (issue 11): a ready report (revenue by month) on known data shows its
// chart and exact numbers, and a bar opens the deals behind it; the designer builds a report
// (deals by stage, count and sum) with a live preview, saves it, finds it in the library and
// pins it to the dashboard (kept on the server); a bad filter's 422 is shown at that filter; the export links are
// there for an administrator and not for a role without the export right.
// Real server, real Chromium, no mocks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addUser } from '../lib/helpers.mjs';
import { api, rowCount, setup, signIn, withPage } from './helpers.mjs';

let env;
let pipe;
const mgr = { email: 'rita.rep@example.com', password: 'pelican harbour drums nine' };
const month = new Date().toISOString().slice(0, 7);

async function ok(method, path, body) {
  const r = await api(env.srv, method, path, body);
  assert.ok(r.status === 200 || r.status === 201, `${method} ${path}: ${r.status} ${r.text}`);
  return r.body;
}

/** A deal of the pipeline, moved to the stage named (amounts in euro cents; EUR is the base). */
async function deal(title, amount, stage, extra = {}) {
  const d = await ok('POST', '/api/v1/deals', { title, pipeline_id: pipe.id, amount, currency: 'EUR', ...extra });
  const st = pipe.stages.find((s) => s.name === stage);
  const move = { stage_id: st.id };
  if (stage === 'Lost') move.lost_reason_id = (await ok('POST', '/api/v1/lost-reasons', { name: 'Too dear' })).id;
  if (st.id !== d.stage_id) await ok('POST', `/api/v1/deals/${d.id}/move`, move);
  return d;
}

before(async () => {
  env = await setup();
  pipe = await ok('POST', '/api/v1/pipelines', {
    name: 'Reports',
    stages: [{ name: 'Talk', probability: 20 }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }],
  });
  // Won this month: 10.00 + 20.00 + 40.00 euro; lost 7.00; open 5.00.
  await deal('Won Alpha', 1000, 'Won');
  await deal('Won Beta', 2000, 'Won', { source: 'fair' });
  await deal('Won Gamma', 4000, 'Won');
  await deal('Lost Delta', 700, 'Lost');
  await deal('Open Epsilon', 500, 'Talk');
  addUser(env.srv, mgr.email, mgr.password, { name: 'Rita Rep' });
});
after(async () => {
  await env?.close();
  assert.deepEqual(env?.pageErrors.map(String) ?? [], []);
});

/** The cells of the report table's body, row by row, as shown. */
async function cells(page) {
  return page.locator('table.report-table tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent.trim())));
}

test('revenue by month: the chart and the exact numbers, and a bar opens exactly those deals', async () => {
  await withPage(env, 'reports-revenue', async (page) => {
    await signIn(page, env.srv, { hash: '#/reports' });
    await page.getByRole('heading', { name: 'Sales', level: 2 }).waitFor();
    await page.getByText('Won deals by the month they closed: how many and their sum in the base currency.').waitFor();
    await page.getByRole('link', { name: 'Revenue by month' }).click();
    await page.getByRole('heading', { name: 'Revenue by month', level: 1 }).waitFor();
    await rowCount(page, 1);
    const monthLabel = new Date(`${month}-01T00:00:00Z`).toLocaleDateString('en-US', { timeZone: 'UTC', year: 'numeric', month: 'short' });
    const [row] = await cells(page);
    assert.equal(row[1], '3');
    assert.equal(row[2], '€70.00');
    assert.equal(row[0], monthLabel, 'the month is named as a month');
    assert.deepEqual(await page.locator('table.report-table tfoot td').allTextContents(), ['Total', '3', '€70.00']);
    // The chart names itself and its bar: the sum of the month (the last measure).
    const chart = page.getByRole('img', { name: 'Revenue by month: Sum of amount base' });
    await chart.waitFor();
    const bar = chart.locator('a.chart-mark');
    assert.equal(await bar.count(), 1);
    assert.match(await bar.getAttribute('aria-label'), /€70\.00$/);
    // Export links for the administrator.
    const csv = page.getByRole('link', { name: 'CSV' });
    assert.match(await csv.getAttribute('href'), /^\/api\/v1\/reports\/\d+\/export\?format=csv&tz=/);
    assert.match(await page.getByRole('link', { name: 'XLSX' }).getAttribute('href'), /format=xlsx/);
    // The PDF, drawn on the server, downloads with the browser's own session.
    const pdfHref = await page.getByRole('link', { name: 'PDF' }).getAttribute('href');
    assert.match(pdfHref, /^\/api\/v1\/reports\/\d+\/export\?format=pdf&tz=/);
    const pdf = await page.request.get(pdfHref);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
    // The bar is a link to the deals list with the row's filters: the three won deals, no more.
    await bar.click();
    await page.waitForURL(/#\/deals\/list\?/);
    assert.match(page.url(), /status=won/);
    assert.match(page.url(), /pipeline_id=all/);
    assert.equal(await page.locator('select[name=pipeline_id]').inputValue(), 'all');
    await rowCount(page, 3);
    const titles = await page.locator('table.data-table tbody tr').allTextContents();
    for (const name of ['Won Alpha', 'Won Beta', 'Won Gamma']) assert.ok(titles.some((t) => t.includes(name)), name);
    assert.ok(!titles.some((t) => t.includes('Lost Delta') || t.includes('Open Epsilon')));
  });
});

test('the designer builds deals by stage (count and sum), previews it, saves it, and it is pinned to the dashboard', async () => {
  await withPage(env, 'reports-designer', async (page) => {
    await signIn(page, env.srv, { hash: '#/reports' });
    await page.getByRole('link', { name: 'New report' }).click();
    await page.getByRole('heading', { name: 'New report', level: 1 }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Deals by stage');
    await page.getByRole('checkbox', { name: 'Stage' }).check();
    await page.getByRole('button', { name: 'Add group level' }).click();
    await page.getByLabel('Group level 1', { exact: true }).selectOption('stage.name');
    await page.getByRole('button', { name: 'Add value' }).click();
    await page.getByLabel('Value 2', { exact: true }).selectOption('sum');
    await page.getByLabel('Value 2: field').selectOption('amount');
    await page.getByRole('button', { name: 'Add sort' }).click();
    await page.getByLabel('Sort 1: by').selectOption('count');
    await page.getByLabel('Sort 1: direction').selectOption('desc');
    // The preview: Won 3 (70.00), then Lost and Talk with one each.
    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.locator('table.report-table tbody tr').nth(2).waitFor();
    await page.waitForFunction(() => document.querySelector('.designer-preview table.report-table tbody tr td')?.textContent === 'Won');
    const rows = await cells(preview);
    assert.deepEqual(rows[0], ['Won', '3', '€70.00']);
    assert.deepEqual(rows.slice(1).map((r) => r.slice(1)).sort(), [['1', '€5.00'], ['1', '€7.00']]);
    await preview.getByRole('img', { name: 'Deals by stage: Sum of amount' }).waitFor();
    // Shared with Rita (she runs it with her own rights).
    await page.getByRole('group', { name: 'People' }).getByRole('checkbox', { name: 'Rita Rep' }).check();
    const saved = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/reports');
    await page.getByRole('button', { name: 'Save' }).click();
    const made = await (await saved).json();
    assert.deepEqual(made.definition.group_by, [{ field: 'stage.name' }]);
    assert.deepEqual(made.definition.aggregates, [{ fn: 'count' }, { fn: 'sum', field: 'amount' }]);
    const rita = (await api(env.srv, 'GET', '/api/v1/users')).body.data.find((u) => u.email === mgr.email);
    assert.deepEqual(made.shares, [{ user_id: rita.id }]);
    await page.getByRole('heading', { name: 'Deals by stage', level: 1 }).waitFor();
    // In the library, among one's own; opened from there and pinned.
    await page.getByRole('link', { name: 'Library' }).click();
    const own = page.getByRole('region', { name: 'Your and shared reports' });
    await own.getByRole('link', { name: 'Deals by stage' }).click();
    await page.getByRole('button', { name: 'Pin to dashboard' }).click();
    await page.getByRole('button', { name: 'Unpin from dashboard' }).waitFor();
    // The pin is kept on the server, for this user.
    assert.deepEqual((await api(env.srv, 'GET', '/api/v1/dashboard')).body.report_ids, [made.id]);
    await page.goto('/#/reports/dashboard');
    const widget = page.getByRole('region', { name: 'Deals by stage' });
    await widget.getByRole('img', { name: 'Deals by stage: Sum of amount' }).waitFor();
    // Grouped by a joined field, the bars have no list to open: focusable marks, not links.
    assert.equal(await widget.locator('.chart-mark').count(), 3);
    assert.equal(await widget.locator('g.chart-mark[tabindex="0"]').count(), 3);
    // Refresh runs it again.
    const again = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/reports/${made.id}/run`);
    await page.getByRole('button', { name: 'Refresh' }).click();
    assert.equal((await again).status(), 200);
  });
});

test('a filter the server refuses shows its message at that filter', async () => {
  await withPage(env, 'reports-422', async (page) => {
    await signIn(page, env.srv, { hash: '#/reports/new' });
    await page.getByRole('button', { name: 'Add filter' }).click();
    await page.getByLabel('Filter 1: field').selectOption('amount');
    await page.getByLabel('Filter 1: condition').selectOption('gt');
    const refused = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/reports/run' && r.status() === 422);
    await page.getByLabel('Filter 1: value').fill('lots');
    await refused;
    const problem = page.locator('[data-filter="0"] [data-path="filters[0]"]');
    await problem.waitFor();
    assert.match(await problem.textContent(), /value of the field's type/);
    await page.getByText('Fix the marked parts of the report to see its preview.').waitFor();
    // Mended, the problem goes and the preview comes back.
    await page.getByLabel('Filter 1: value').fill('1500');
    await problem.waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.querySelector('.designer-preview .report-answer') !== null);
  });
});

test('a role without the export right sees no export links (the administrator does)', async () => {
  await withPage(env, 'reports-no-export', async (page) => {
    const lib = (await api(env.srv, 'GET', '/api/v1/reports')).body.data;
    const id = lib.find((r) => r.builtin === 'revenue_by_month').id;
    await signIn(page, env.srv, { email: mgr.email, password: mgr.password, hash: `#/reports/${id}` });
    await page.getByRole('heading', { name: 'Revenue by month', level: 1 }).waitFor();
    // The manager owns no deals: the report runs for them and finds nothing.
    await page.getByText('No records match this report.').waitFor();
    assert.equal(await page.getByRole('link', { name: 'CSV' }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'XLSX' }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'PDF' }).count(), 0);
  });
});

test('each chart kind draws the preview; two group levels make a heat map; a mark opens its records from the keyboard', async () => {
  await withPage(env, 'reports-charts', async (page) => {
    await signIn(page, env.srv, { hash: '#/reports/new' });
    await page.getByLabel('Name', { exact: true }).fill('Status by source');
    await page.getByRole('button', { name: 'Add group level' }).click();
    await page.getByLabel('Group level 1', { exact: true }).selectOption('status');
    const preview = page.getByRole('region', { name: 'Preview' });
    // One level: open, won, lost as bars, lines, slices and funnel steps.
    for (const kind of ['bar', 'line', 'area', 'pie', 'funnel']) {
      await page.locator('select[name=chart]').selectOption(kind);
      const chart = preview.getByRole('img', { name: 'Status by source: Count' });
      await chart.waitFor();
      await page.waitForFunction((k) => document.querySelectorAll('.designer-preview .report-chart .chart-mark').length === k, 3);
      assert.deepEqual((await chart.locator('.chart-mark').evaluateAll((ms) => ms.map((m) => m.getAttribute('aria-label')))).sort(), ['lost: 1', 'open: 1', 'won: 3'], kind);
    }
    // Table only: no chart.
    await page.locator('select[name=chart]').selectOption('table');
    await page.waitForFunction(() => !document.querySelector('.designer-preview .report-chart'));
    // Two levels as a heat map: a cell per status and source that has deals.
    await page.getByRole('button', { name: 'Add group level' }).click();
    await page.getByLabel('Group level 2', { exact: true }).selectOption('source');
    await page.locator('select[name=chart]').selectOption('heatmap');
    const heat = preview.getByRole('img', { name: 'Status by source: Count' });
    await heat.waitFor();
    await page.waitForFunction(() => document.querySelectorAll('.designer-preview .report-chart .chart-mark').length === 4);
    assert.deepEqual((await heat.locator('.chart-mark').evaluateAll((ms) => ms.map((m) => m.getAttribute('aria-label')))).sort(), ['lost · —: 1', 'open · —: 1', 'won · fair: 1', 'won · —: 2']);
    // The won-at-a-fair cell from the keyboard: focused, Enter opens that one deal.
    const cell = heat.getByRole('link', { name: 'won · fair: 1' });
    await cell.focus();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'won · fair: 1');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/deals\/list\?/);
    await rowCount(page, 1);
    assert.match(await page.locator('table.data-table tbody tr').first().textContent(), /Won Beta/);
  });
});

test('the designer lists records with chosen columns; an empty list of columns is refused at the columns', async () => {
  await withPage(env, 'reports-list', async (page) => {
    await signIn(page, env.srv, { hash: '#/reports/new' });
    await page.getByRole('button', { name: 'A list of records' }).click();
    await page.getByRole('button', { name: 'Remove column 1' }).click();
    const problem = page.locator('[data-path="columns"]');
    await problem.waitFor();
    await page.getByRole('button', { name: 'Add column' }).click();
    await page.getByLabel('Column 1', { exact: true }).selectOption('title');
    await page.getByRole('button', { name: 'Add column' }).click();
    await page.getByLabel('Column 2', { exact: true }).selectOption('amount');
    await problem.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Add sort' }).click();
    await page.getByLabel('Sort 1: by').selectOption('amount');
    await page.getByLabel('Sort 1: direction').selectOption('desc');
    const preview = page.getByRole('region', { name: 'Preview' });
    await page.waitForFunction(() => document.querySelector('.designer-preview table.report-table tbody tr td')?.textContent === 'Won Gamma');
    const rows = await cells(preview);
    assert.deepEqual(rows.map((r) => r[0]), ['Won Gamma', 'Won Beta', 'Won Alpha', 'Lost Delta', 'Open Epsilon']);
    assert.equal(await preview.locator('table.report-table tfoot').count(), 0);
  });
});

test('the designer does not offer fields the role hides, on the base entity or a joined one', async () => {
  const role = await ok('POST', '/api/v1/roles', {
    name: 'Amount-blind',
    perms: { '*': { create: 'all', read: 'all', update: 'all' } },
    fields: { deals: { amount: 'hidden' }, companies: { tax_id: 'hidden' } },
  });
  const blind = { email: 'blind.reports@example.com', password: 'saffron lighthouse quill 27' };
  await ok('POST', '/api/v1/users', { ...blind, name: 'Blind', role_id: role.id });
  await withPage(env, 'reports-hidden', async (page) => {
    await signIn(page, env.srv, { ...blind, hash: '#/reports/new' });
    await page.getByRole('group', { name: 'With', exact: true }).getByRole('checkbox', { name: 'Company' }).check();
    await page.getByRole('button', { name: 'Add filter' }).click();
    const offered = await page.getByLabel('Filter 1: field').locator('option').evaluateAll((os) => os.map((o) => o.value));
    assert.ok(offered.includes('title') && offered.includes('amount_base') && offered.includes('company.name'), offered.join());
    assert.ok(!offered.includes('amount'), 'a hidden field of the deal');
    assert.ok(!offered.includes('company.tax_id'), 'a hidden field of the joined company');
    await page.getByRole('button', { name: 'Add value' }).click();
    await page.getByLabel('Value 2', { exact: true }).selectOption('sum');
    const summed = await page.getByLabel('Value 2: field').locator('option').evaluateAll((os) => os.map((o) => o.value));
    assert.ok(summed.includes('amount_base') && !summed.includes('amount'), summed.join());
  });
});

test('a saved report is changed in the designer (If-Match) and deleted from it', async () => {
  const made = await ok('POST', '/api/v1/reports', { name: 'To change', definition: { entity: 'deals', aggregates: [{ fn: 'count' }], chart: 'number' } });
  await withPage(env, 'reports-edit', async (page) => {
    await signIn(page, env.srv, { hash: `#/reports/${made.id}` });
    await page.getByRole('heading', { name: 'To change', level: 1 }).waitFor();
    // No groups: one big figure, the five deals.
    await page.locator('.report-number .big-number').filter({ hasText: '5' }).waitFor();
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Changed');
    const put = page.waitForRequest((r) => r.method() === 'PUT' && new URL(r.url()).pathname === `/api/v1/reports/${made.id}`);
    await page.getByRole('button', { name: 'Save' }).click();
    assert.equal((await put).headers()['if-match'], '"1"');
    await page.getByRole('heading', { name: 'Changed', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    assert.equal((await api(env.srv, 'GET', `/api/v1/reports/${made.id}`)).status, 404);
  });
});

test('a ready report\'s filters: the source narrows the numbers, stays in the address, and goes along to the deals', async () => {
  await withPage(env, 'reports-filters', async (page) => {
    await signIn(page, env.srv, { hash: '#/reports' });
    await page.getByRole('link', { name: 'Revenue by month' }).click();
    await page.getByRole('heading', { name: 'Revenue by month', level: 1 }).waitFor();
    await rowCount(page, 1);
    const filters = page.getByRole('search', { name: 'Report parameters' });
    // The ones this report takes, and not the days of the no-contact report.
    for (const name of ['pipeline_id', 'owner_id', 'source', 'segment']) await filters.locator(`[name=${name}]`).waitFor();
    assert.equal(await filters.locator('input[name=days]').count(), 0);
    await filters.getByRole('textbox', { name: 'Source' }).fill('fair');
    await page.waitForURL(/source=fair/);
    await page.locator('table.report-table tfoot td').filter({ hasText: '€20.00' }).waitFor();
    assert.deepEqual((await cells(page))[0].slice(1), ['1', '€20.00']);
    await page.getByRole('img', { name: 'Revenue by month: Sum of amount base' }).locator('a.chart-mark').click();
    await page.waitForURL(/#\/deals\/list\?/);
    assert.match(page.url(), /source=fair/);
    await rowCount(page, 1);
    assert.match(await page.locator('table.data-table tbody tr').first().textContent(), /Won Beta/);
  });
});
