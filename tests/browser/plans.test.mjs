// Plans: the grid editor from the keyboard (arrows between cells, Enter to edit and to save), and
// plan-fact with its bars, a row behind its plan highlighted. Real server, real Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, setup, signIn, withPage } from './helpers.mjs';

let env;
const ids = {};
const year = String(new Date().getUTCFullYear());
before(async () => {
  env = await setup();
  const post = async (path, body) => {
    const r = await api(env.srv, 'POST', path, body);
    assert.ok(r.status === 201 || r.status === 200, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  ids.dept = (await post('/api/v1/departments', { name: 'Grid team', parent_id: 1 })).id;
  ids.anna = (await post('/api/v1/users', { email: 'anna.pl@example.com', name: 'Anna Grid', password: 'saffron lighthouse quill 27', department_id: ids.dept })).id;
  // One task done this year: a plan of 1000 tasks is far behind.
  const task = await post('/api/v1/activities', { kind: 'task', subject: 'Done', owner_id: ids.anna, due_at: '2030-01-01T10:00:00Z' });
  await post(`/api/v1/activities/${task.id}/complete`, {});
});
after(async () => {
  await env?.close();
  assert.deepEqual(env?.pageErrors.map(String) ?? [], []);
});

test('targets are typed into the grid from the keyboard, and plan-fact highlights the row behind', async () => {
  await withPage(env, 'plans-grid', async (page) => {
    await signIn(page, env.srv, { hash: `#/plans?period=${year}` });
    await page.getByRole('heading', { name: 'Plans', level: 1 }).waitFor();
    const grid = page.getByRole('grid', { name: 'Plan grid' });
    await grid.waitFor();
    // Start at the first cell (the company's revenue), go down to the department, right to Tasks done.
    await grid.locator('[data-cell="0-0"]').focus();
    const deptRow = await grid.locator('tbody tr').evaluateAll((rows) => rows.findIndex((r) => r.textContent.includes('Grid team')));
    const annaRow = await grid.locator('tbody tr').evaluateAll((rows) => rows.findIndex((r) => r.textContent.includes('Anna Grid')));
    for (let i = 0; i < annaRow; i++) await page.keyboard.press('ArrowDown');
    for (let j = 0; j < 6; j++) await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-metric')), 'tasks_done');
    await page.keyboard.press('Enter');
    await page.keyboard.type('1000');
    await page.keyboard.press('Enter');
    const cell = grid.locator(`[data-row="user:${ids.anna}"][data-metric="tasks_done"]`);
    await cell.getByText('1,000').waitFor();
    const saved = await api(env.srv, 'GET', `/api/v1/plans?period=${year}`);
    assert.equal(saved.body.rows.find((r) => r.scope === 'user' && r.id === ids.anna).plan.tasks_done, 1000);
    assert.ok(deptRow >= 0);

    await page.getByRole('tab', { name: 'Plan vs fact' }).click();
    await page.getByLabel('Metric').selectOption('tasks_done');
    const row = page.locator(`tr[data-row="user:${ids.anna}"]`);
    await row.waitFor();
    assert.match(await row.getAttribute('class'), /plans-behind/);
    await row.getByText('Behind').waitFor();
    // The department rolls its person's plan up.
    const dept = page.locator(`tr[data-row="department:${ids.dept}"]`);
    assert.match(await dept.textContent(), /1,000/);
  });
});
