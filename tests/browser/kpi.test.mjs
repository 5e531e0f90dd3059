// KPI: the admin builds a scorecard in the editor from the keyboard-friendly lines table (a bad
// one is refused naming the field); the person it applies to opens My KPI and sees each line
// explained: actual, target, score with its bar, and the total. Real server, real Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, setup, signIn, withPage } from './helpers.mjs';

let env;
const ids = {};
const password = 'saffron lighthouse quill 27';
before(async () => {
  env = await setup();
  const post = async (path, body) => {
    const r = await api(env.srv, 'POST', path, body);
    assert.ok(r.status === 201 || r.status === 200, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  ids.dept = (await post('/api/v1/departments', { name: 'KPI browser team', parent_id: 1 })).id;
  ids.anna = (await post('/api/v1/users', { email: 'anna.kpi@example.com', name: 'Anna Score', password, department_id: ids.dept })).id;
  for (let i = 0; i < 3; i++) await post('/api/v1/activities', { kind: 'call', direction: 'out', subject: `Call ${i}`, owner_id: ids.anna });
});
after(async () => {
  await env?.close();
  assert.deepEqual(env?.pageErrors.map(String) ?? [], []);
});

test('an admin creates a scorecard in the editor; a bad one is refused naming the field', async () => {
  await withPage(env, 'kpi-editor', async (page) => {
    await signIn(page, env.srv, { hash: '#/kpi?view=cards' });
    await page.getByRole('heading', { name: 'KPI', level: 1 }).waitFor();
    const form = page.getByRole('form', { name: 'Scorecard' });
    await form.waitFor();
    // Saved without a name: the server's 422 is shown field by field.
    await form.getByRole('button', { name: 'Save scorecard' }).click();
    await form.getByRole('alert').getByText('name').first().waitFor();

    await form.getByLabel('Name').fill('Browser month');
    await form.getByLabel('Applies to').selectOption('users');
    await form.getByLabel('People', { exact: true }).selectOption(String(ids.anna));
    await form.getByLabel('Metric 1').selectOption('calls');
    await form.getByLabel('Target 1').fill('2');
    await form.getByLabel('Weight 1').fill('1');
    await form.getByLabel('Rule 1').selectOption('threshold');
    await form.getByRole('button', { name: '+ Add line' }).click();
    await form.getByLabel('Metric 2').selectOption('revenue_won');
    await form.getByLabel('Target 2').fill('100');
    await form.getByLabel('Weight 2').fill('1');
    // Enter in a field saves the form.
    await form.getByLabel('Weight 2').press('Enter');
    await page.getByRole('button', { name: 'Browser month' }).waitFor();
    const list = await api(env.srv, 'GET', '/api/v1/kpi/scorecards');
    const card = list.body.data.find((c) => c.name === 'Browser month');
    assert.ok(card, JSON.stringify(list.body));
    assert.deepEqual(card.user_ids, [ids.anna]);
    assert.deepEqual(card.lines, [
      { metric: 'calls', target: 2, weight: 1, rule: 'threshold', bands: [] },
      { metric: 'revenue_won', target: 10000, weight: 1, rule: 'linear', cap: 100 },
    ]);
  });
});

test('the editor saves with If-Match on the ETag it read: a change saved meanwhile is not overwritten', async () => {
  const card = (await api(env.srv, 'GET', '/api/v1/kpi/scorecards')).body.data.find((c) => c.name === 'Browser month');
  await withPage(env, 'kpi-if-match', async (page) => {
    const read = page.waitForResponse((r) => r.request().method() === 'GET' && r.url().endsWith(`/api/v1/kpi/scorecards/${card.id}`));
    await signIn(page, env.srv, { hash: '#/kpi?view=cards' });
    const form = page.getByRole('form', { name: 'Scorecard' });
    await form.waitFor();
    assert.equal((await read).headers().etag, `"${card.version}"`);
    // Another administrator renames it after the editor read it.
    const other = await api(env.srv, 'PATCH', `/api/v1/kpi/scorecards/${card.id}`, { name: 'Renamed elsewhere' });
    assert.equal(other.status, 200, JSON.stringify(other.body));
    const name = form.getByLabel('Name');
    await name.fill('My rename');
    const sent = page.waitForRequest((r) => r.method() === 'PATCH');
    await form.getByRole('button', { name: 'Save scorecard' }).click();
    assert.equal((await sent).headers()['if-match'], `"${card.version}"`);
    // Refused: the editor shows the version saved meanwhile, which the server kept.
    await page.waitForFunction((el) => el.value === 'Renamed elsewhere', await name.elementHandle());
    assert.equal((await api(env.srv, 'GET', `/api/v1/kpi/scorecards/${card.id}`)).body.name, 'Renamed elsewhere');
    // Saved again on what it now shows: it goes through.
    await name.fill('Browser month');
    const again = page.waitForResponse((r) => r.request().method() === 'PATCH');
    await form.getByRole('button', { name: 'Save scorecard' }).click();
    assert.equal((await again).status(), 200);
    assert.equal((await api(env.srv, 'GET', `/api/v1/kpi/scorecards/${card.id}`)).body.name, 'Browser month');
  });
});

test('My KPI shows the person their lines explained, a bar per line, and the total', async () => {
  await withPage(env, 'kpi-mine', async (page) => {
    await signIn(page, env.srv, { email: 'anna.kpi@example.com', password, hash: '#/kpi' });
    await page.getByRole('heading', { name: 'KPI', level: 1 }).waitFor();
    const lines = page.getByRole('table', { name: 'Scorecard lines' });
    await lines.waitFor();
    // Calls: 3 against 2 is the threshold met; revenue 0 of 100; total (100 + 0) / 2.
    const calls = lines.locator('tr[data-metric="calls"]');
    assert.match(await calls.textContent(), /Calls\s*3\s*2/);
    assert.equal(await calls.getByRole('meter').getAttribute('aria-valuenow'), '100');
    const revenue = lines.locator('tr[data-metric="revenue_won"]');
    assert.equal(await revenue.getByRole('meter').getAttribute('aria-valuenow'), '0');
    assert.equal(await page.getByTestId('kpi-total').textContent(), '50');
    // Not an admin: no editor tab.
    assert.equal(await page.getByRole('tab', { name: 'Scorecards' }).count(), 0);
  });
});

test('the team view lists people with totals; closing the period freezes them, an admin reopens it', async () => {
  await withPage(env, 'kpi-team', async (page) => {
    await signIn(page, env.srv, { hash: '#/kpi?view=team' });
    const team = page.getByRole('table', { name: 'Team' });
    const anna = team.locator(`tr[data-user="${ids.anna}"]`);
    await anna.waitFor();
    assert.equal(await anna.locator('.kpi-person-total').textContent(), '50');
    assert.match(await anna.textContent(), /Open/);
    await page.getByRole('button', { name: 'Close period' }).click();
    await anna.getByText('Closed').waitFor();
    const period = new Date().toISOString().slice(0, 7);
    const card = (await api(env.srv, 'GET', '/api/v1/kpi/scorecards')).body.data[0];
    const frozen = await api(env.srv, 'GET', `/api/v1/kpi/results?scorecard_id=${card.id}&period=${period}`);
    assert.equal(frozen.body.people[0].closed, true);
    await page.getByRole('button', { name: 'Reopen period' }).click();
    await anna.getByText('Open').waitFor();
  });
});
