// The Sales screens: the board (drag and drop, the lost reason, a keyboard move, a refused move),
// the list with filters from the URL, the deal's page (create with a decimal amount, the stage
// bar, the stage history) and the funnel report with its click-through to the deals.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, create, idFromUrl, rowCount, setup, signIn, withPage } from './helpers.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

// The default pipeline of a fresh database: New, Qualified, Proposal, Negotiation, Won, Lost.
const stages = {};
let reason;

async function stagesOf(srv) {
  if (stages.New) return stages;
  const r = await api(srv, 'GET', '/api/v1/pipelines');
  const p = r.body.data[0];
  stages.pipeline = p.id;
  for (const s of p.stages) stages[s.name] = s.id;
  return stages;
}

async function lostReason(srv) {
  if (reason) return reason;
  const r = await api(srv, 'POST', '/api/v1/lost-reasons', { name: 'Too expensive' });
  assert.equal(r.status, 201, r.text);
  reason = r.body;
  return reason;
}

async function move(srv, id, stageName, extra = {}) {
  const r = await api(srv, 'POST', `/api/v1/deals/${id}/move`, { stage_id: stages[stageName], ...extra });
  assert.equal(r.status, 200, r.text);
  return r.body;
}

const column = (page, stageId) => page.locator(`.board-column[data-stage="${stageId}"]`);
const card = (page, id) => page.locator(`.deal-card[data-id="${id}"]`);

/** Waits until a column's header shows this count and total (minor units of the base currency). */
async function columnIs(page, stageId, count, amount) {
  await page.waitForFunction(
    ([s, n, a]) => {
      const col = document.querySelector(`.board-column[data-stage="${s}"]`);
      return (
        col?.querySelector('.board-count')?.getAttribute('data-count') === String(n) &&
        col?.querySelector('.board-total')?.getAttribute('data-amount') === String(a)
      );
    },
    [stageId, count, amount],
  );
}

test('drag a card to another column: it moves, the totals follow, the stage history records it', async () => {
  await withPage(env, 'deals-board-drag', async (page) => {
    const { srv } = env;
    const s = await stagesOf(srv);
    const alpha = await create(srv, 'deals', { title: 'Alpha rockets', amount: 100000, currency: 'EUR', source: 'board-test' });
    const beta = await create(srv, 'deals', { title: 'Beta boosters', amount: 50000, currency: 'EUR', source: 'board-test' });
    await signIn(page, srv, { hash: '#/deals?source=board-test' });
    await card(page, alpha.id).waitFor();
    await columnIs(page, s.New, 2, 150000);
    await columnIs(page, s.Qualified, 0, 0);
    // The header shows the total as money in the base currency.
    assert.match(await column(page, s.New).locator('.board-total').innerText(), /1,500\.00/);

    await card(page, alpha.id).dragTo(column(page, s.Qualified));
    await column(page, s.Qualified).locator(`.deal-card[data-id="${alpha.id}"]`).waitFor();
    await columnIs(page, s.New, 1, 50000);
    await columnIs(page, s.Qualified, 1, 100000);
    await page.getByText('“Alpha rockets” moved to Qualified').waitFor();

    const h = await api(srv, 'GET', `/api/v1/deals/${alpha.id}/stages`);
    assert.equal(h.status, 200);
    assert.deepEqual(h.body.data.map((v) => v.stage_id), [s.New, s.Qualified]);
    assert.equal(h.body.data[1].entered_by_name, 'Ada Admin');
    assert.equal(h.body.data[0].left_at !== null, true);
    assert.ok(beta.id);
  });
});

test('dropping on Lost asks the reason; confirming marks the deal lost with it', async () => {
  await withPage(env, 'deals-board-lost', async (page) => {
    const { srv } = env;
    const s = await stagesOf(srv);
    const why = await lostReason(srv);
    const gamma = await create(srv, 'deals', { title: 'Gamma gears', amount: 7000, currency: 'EUR', source: 'lost-test' });
    await signIn(page, srv, { hash: '#/deals?source=lost-test' });
    await card(page, gamma.id).waitFor();

    await card(page, gamma.id).dragTo(column(page, s.Lost));
    const dialog = page.getByRole('dialog', { name: 'Why was “Gamma gears” lost?' });
    await dialog.waitFor();
    // The reason has focus; confirming without one says what to do.
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'lost_reason_id');
    await dialog.getByRole('button', { name: 'Mark as lost' }).click();
    await dialog.getByText('Pick the reason the deal was lost.').waitFor();
    await dialog.getByLabel('Reason').selectOption({ label: 'Too expensive' });
    await dialog.getByLabel('Comment (optional)').fill('Went with a cheaper offer');
    await dialog.getByRole('button', { name: 'Mark as lost' }).click();
    await dialog.waitFor({ state: 'detached' });
    await column(page, s.Lost).locator(`.deal-card[data-id="${gamma.id}"]`).waitFor();
    await columnIs(page, s.Lost, 1, 7000);

    const d = await api(srv, 'GET', `/api/v1/deals/${gamma.id}`);
    assert.equal(d.body.status, 'lost');
    assert.equal(d.body.lost_reason_id, why.id);
    assert.equal(d.body.lost_comment, 'Went with a cheaper offer');
  });
});

test('Escape in the lost dialog puts the card back where it was', async () => {
  await withPage(env, 'deals-board-lost-cancel', async (page) => {
    const { srv } = env;
    const s = await stagesOf(srv);
    await lostReason(srv);
    const d = await create(srv, 'deals', { title: 'Delta drills', source: 'cancel-test' });
    await signIn(page, srv, { hash: '#/deals?source=cancel-test' });
    await card(page, d.id).dragTo(column(page, s.Lost));
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await column(page, s.New).locator(`.deal-card[data-id="${d.id}"]`).waitFor();
    assert.equal((await api(srv, 'GET', `/api/v1/deals/${d.id}`)).body.stage_id, s.New);
  });
});

test('a card moves with the keyboard through its “Move to…” select', async () => {
  await withPage(env, 'deals-board-keyboard', async (page) => {
    const { srv } = env;
    const s = await stagesOf(srv);
    const d = await create(srv, 'deals', { title: 'Epsilon engines', amount: 2500, currency: 'EUR', source: 'key-test' });
    await signIn(page, srv, { hash: '#/deals?source=key-test' });
    // Tab from the card's title link reaches its select.
    await card(page, d.id).getByRole('link', { name: 'Epsilon engines' }).focus();
    await page.keyboard.press('Tab');
    const select = page.getByLabel('Move “Epsilon engines” to another stage');
    assert.equal(await select.evaluate((el) => el === document.activeElement), true);
    // Typing a stage's name on a focused select picks it, as a keyboard user would.
    await page.keyboard.type('Proposal');
    await column(page, s.Proposal).locator(`.deal-card[data-id="${d.id}"]`).waitFor();
    await columnIs(page, s.Proposal, 1, 2500);
    assert.equal((await api(srv, 'GET', `/api/v1/deals/${d.id}`)).body.stage_id, s.Proposal);
    // The focus stays with the card in its new column, so the next move is one key away.
    await page.waitForFunction((id) => document.activeElement?.closest('.deal-card')?.getAttribute('data-id') === String(id), d.id);
    assert.equal(await page.evaluate(() => document.activeElement?.closest('.board-column')?.getAttribute('data-stage')), String(s.Proposal));
  });
});

test('a refused move puts the card back and shows the server’s reason', async () => {
  await withPage(env, 'deals-board-refused', async (page) => {
    const { srv } = env;
    const s = await stagesOf(srv);
    const d = await create(srv, 'deals', { title: 'Zeta zeppelins', source: 'refuse-test' });
    await signIn(page, srv, { hash: '#/deals?source=refuse-test' });
    await card(page, d.id).waitFor();
    await page.route('**/api/v1/deals/*/move', (route) =>
      route.fulfill({
        status: 422,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          title: 'Invalid input', status: 422, detail: '1 field is invalid',
          errors: [{ field: 'stage_id', message: 'this stage belongs to another pipeline' }],
        }),
      }),
    );
    await card(page, d.id).dragTo(column(page, s.Negotiation));
    await page.getByRole('alert').filter({ hasText: 'this stage belongs to another pipeline' }).waitFor();
    await column(page, s.New).locator(`.deal-card[data-id="${d.id}"]`).waitFor();
    assert.equal(await column(page, s.Negotiation).locator('.deal-card').count(), 0);
    await page.unroute('**/api/v1/deals/*/move');
  });
});

test('the list takes any filter from the URL and shows it as a removable chip', async () => {
  await withPage(env, 'deals-list', async (page) => {
    const { srv } = env;
    await stagesOf(srv);
    await signIn(page, srv, { hash: '#/deals/list?source=board-test&stage_id=' + stages.Qualified });
    await rowCount(page, 1);
    await page.getByRole('cell', { name: 'Alpha rockets' }).waitFor();
    const chip = page.locator('.chip[data-filter="stage_id"]');
    assert.equal((await chip.innerText()).replace('×', '').trim(), 'Stage: Qualified');
    await chip.getByRole('button', { name: 'Remove filter Stage: Qualified' }).click();
    await rowCount(page, 2);
    assert.ok(!page.url().includes('stage_id'));
    await page.getByRole('searchbox', { name: 'Search' }).fill('Beta');
    await rowCount(page, 1);
    await page.getByRole('cell', { name: 'Beta boosters' }).waitFor();
    assert.ok(page.url().includes('q=Beta'), page.url());
    // Board and list share the filters.
    await page.getByRole('link', { name: 'Board', exact: true }).click();
    await page.locator('.board').waitFor();
    assert.ok(page.url().includes('source=board-test'), page.url());
  });
});

test('create a deal with a decimal amount, move it on its stage bar, see its stage history', async () => {
  await withPage(env, 'deals-page', async (page) => {
    const { srv } = env;
    const s = await stagesOf(srv);
    await signIn(page, srv, { hash: '#/deals/new' });
    await page.getByRole('heading', { name: 'New deal' }).waitFor();
    await page.getByLabel('Title').fill('Eta elevators');
    await page.getByLabel('Amount').fill('1234.56');
    await page.getByLabel('Currency').selectOption('EUR');
    await page.getByLabel('Source').fill('page-test');
    const post = page.waitForResponse((r) => r.url().endsWith('/api/v1/deals') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Create deal' }).click();
    assert.equal((await post).status(), 201);
    await page.getByRole('heading', { name: 'Eta elevators', level: 1 }).waitFor();
    const id = idFromUrl(page, 'deals');
    const d = (await api(srv, 'GET', `/api/v1/deals/${id}`)).body;
    assert.equal(d.amount, 123456);
    assert.equal(d.stage_id, s.New);

    // An amount with more decimals than the currency has is refused before it is sent.
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Amount').fill('10.999');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Write the amount as a number with at most 2 decimals').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();

    const bar = page.getByRole('navigation', { name: 'Stages of the deal' });
    assert.equal(await bar.locator('[aria-current="step"]').innerText(), 'New');
    await bar.getByRole('button', { name: 'Move to Proposal' }).click();
    await bar.locator('[aria-current="step"]', { hasText: 'Proposal' }).waitFor();
    const history = page.locator('table.stage-history tbody tr');
    await page.waitForFunction(() => document.querySelectorAll('table.stage-history tbody tr').length === 2);
    assert.match(await history.first().innerText(), /Proposal.*Ada Admin/s);
    assert.equal(await page.locator(`.stage-total[data-stage="${s.Proposal}"]`).count(), 1);
  });
});

test('a deal’s contacts are picked from a search, by mouse or keyboard, and removed as chips', async () => {
  const a = await create(env.srv, 'contacts', { first_name: 'Pia', last_name: 'Pickerton' });
  const b = await create(env.srv, 'contacts', { first_name: 'Paul', last_name: 'Pickerell' });
  await withPage(env, 'deals-contacts-picker', async (page) => {
    await signIn(page, env.srv, { hash: '#/deals/new' });
    await page.getByRole('heading', { name: 'New deal' }).waitFor();
    await page.getByLabel('Title').fill('Picker deal');
    const box = page.getByPlaceholder('Type a name to add a contact…');
    await box.fill('Pickert');
    const list = page.getByRole('listbox');
    await list.getByRole('option', { name: /Pickerton/ }).click();
    await page.locator('.chip', { hasText: 'Pickerton' }).waitFor();
    // The keyboard: the only match left is the other one.
    await box.fill('Pickere');
    await list.getByRole('option', { name: /Pickerell/ }).waitFor();
    assert.equal(await box.getAttribute('aria-activedescendant'), await list.getByRole('option').first().getAttribute('id'));
    await box.press('Enter');
    await page.locator('.chip', { hasText: 'Pickerell' }).waitFor();
    await page.getByRole('button', { name: /Remove.*Pickerton/ }).click();
    await page.locator('.chip', { hasText: 'Pickerton' }).waitFor({ state: 'detached' });
    const post = page.waitForResponse((r) => r.url().endsWith('/api/v1/deals') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Create deal' }).click();
    const res = await post;
    assert.equal(res.status(), 201);
    const deal = await res.json();
    assert.deepEqual(deal.contact_ids, [b.id]);
    assert.ok(a.id !== b.id);
  });
  assert.deepEqual(env.pageErrors, []);
});

test('a deal with line items keeps its amount and currency locked in the form, and saves other changes', async () => {
  await withPage(env, 'deals-items-locked', async (page) => {
    const { srv } = env;
    const d = await create(srv, 'deals', {
      title: 'Theta turbines', currency: 'EUR', items: [{ name: 'Setup', quantity: '2', price: 5000 }],
    });
    assert.equal(d.amount, 10000);
    await signIn(page, srv, { hash: `#/deals/${d.id}/edit` });
    await page.getByLabel('Title').waitFor();
    assert.equal(await page.getByLabel('Amount').isDisabled(), true);
    assert.equal(await page.getByLabel('Currency').isDisabled(), true);
    await page.locator('[data-name="amount"]').getByText('line items set the amount').waitFor();
    await page.getByLabel('Title').fill('Theta turbines XL');
    const patch = page.waitForResponse((r) => r.url().endsWith(`/api/v1/deals/${d.id}`) && r.request().method() === 'PATCH');
    await page.getByRole('button', { name: 'Save' }).click();
    const res = await patch;
    assert.equal(res.status(), 200);
    assert.deepEqual(Object.keys(JSON.parse(res.request().postData())), ['title']);
  });
});

test('the funnel shows the stages of a known set of deals, and each number opens those deals', async (t) => {
  await withPage(env, 'deals-funnel', async (page) => {
    const { srv } = env;
    const s = await stagesOf(srv);
    const why = await lostReason(srv);
    // Five deals of source "funnel-test": one stays New, one reaches Qualified, one Proposal,
    // one goes all the way to Won, one is lost from New.
    const mk = (title) => create(srv, 'deals', { title, amount: 1000, currency: 'EUR', source: 'funnel-test' });
    const a = await mk('F-a');
    const b = await mk('F-b');
    const c = await mk('F-c');
    const d = await mk('F-d');
    const e = await mk('F-e');
    await move(srv, b.id, 'Qualified');
    await move(srv, c.id, 'Qualified');
    await move(srv, c.id, 'Proposal');
    for (const st of ['Qualified', 'Proposal', 'Negotiation', 'Won']) await move(srv, d.id, st);
    await move(srv, e.id, 'Lost', { lost_reason_id: why.id });
    assert.ok(a.id);

    const real = await api(srv, 'GET', `/api/v1/reports/funnel?pipeline_id=${s.pipeline}&source=funnel-test`);
    if (real.status === 404) {
      // The report is being built on another branch: check the page against its agreed shape.
      t.diagnostic('GET /reports/funnel is not on this server yet: the report is mocked with the agreed shape');
      await page.route('**/api/v1/reports/funnel?*', (route) =>
        route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(mockFunnel(s, why)) }),
      );
    }
    await signIn(page, srv, { hash: `#/reports/funnel?pipeline_id=${s.pipeline}&source=funnel-test` });
    const table = page.locator('table.funnel-table');
    await table.waitFor();
    const reached = async (name) => (await table.locator(`tr[data-row="stage-${s[name]}"] td`).first().innerText()).trim();
    assert.equal(await reached('New'), '5');
    assert.equal(await reached('Qualified'), '3');
    assert.equal(await reached('Proposal'), '2');
    assert.equal(await reached('Negotiation'), '1');
    assert.equal((await table.locator('tr[data-row="won"] td').first().innerText()).trim(), '1');
    assert.equal((await table.locator('tr[data-row="lost"] td').first().innerText()).trim(), '1');
    assert.equal((await table.locator('tr[data-row="total"] td').first().innerText()).trim(), '5');
    // The chart draws a bar per stage.
    assert.equal(await page.locator('svg.funnel-chart .funnel-bar').count(), 5);

    // "Now in stage" of Qualified: the deals still there (one).
    await table.locator(`tr[data-row="stage-${s.Qualified}"] td`).last().getByRole('link').click();
    await page.locator('table.data-table').first().waitFor();
    await rowCount(page, 1);
    await page.getByRole('cell', { name: 'F-b' }).waitFor();
    await page.goBack();
    // The lost count: the deals lost in the cohort (one).
    await table.locator('tr[data-row="lost"] td').first().getByRole('link').click();
    await rowCount(page, 1);
    await page.getByRole('cell', { name: 'F-e' }).waitFor();
    if (real.status !== 404) {
      // Reached Qualified: three deals, through the list's reached_stage filter.
      await page.goBack();
      await table.locator(`tr[data-row="stage-${s.Qualified}"] td`).first().getByRole('link').click();
      await rowCount(page, 3);
    }
  });
});

/** The report for the five funnel-test deals, in the shape agreed for GET /reports/funnel. */
function mockFunnel(s, why) {
  const st = (name, position, kind, probability, reached, movedOn, current) => ({
    stage: { id: s[name], name, position, kind, probability },
    reached, moved_on: movedOn, conversion: reached ? movedOn / reached : null, avg_ms: 3600000,
    value_base: reached * 1000, current,
  });
  return {
    pipeline: { id: s.pipeline, name: 'Sales' }, from: '2026-01-01', to: '2026-12-31', base_currency: 'EUR', total: 5,
    stages: [
      st('New', 0, 'open', 10, 5, 3, 1), st('Qualified', 1, 'open', 25, 3, 2, 1), st('Proposal', 2, 'open', 50, 2, 1, 1),
      st('Negotiation', 3, 'open', 75, 1, 1, 0), st('Won', 4, 'won', 100, 1, 0, 1),
    ],
    won: { count: 1, value_base: 1000 },
    lost: { count: 1, value_base: 1000, reasons: [{ id: why.id, name: why.name, count: 1, value_base: 1000 }] },
    end_to_end: 0.2, unconverted: 0, drill: `pipeline_id=${s.pipeline}&source=funnel-test`,
  };
}
