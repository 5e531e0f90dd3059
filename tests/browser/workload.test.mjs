// Workload: a head's heatmap of their team, people by days. An overloaded day shows red; clicking
// it lists the work behind it, and reassigning a task there moves it to a colleague, whose day
// then carries it. Real server, real Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, setup, signIn, withPage } from './helpers.mjs';

let env;
const ids = {};
before(async () => {
  env = await setup();
  const post = async (path, body) => {
    const r = await api(env.srv, 'POST', path, body);
    assert.ok(r.status === 201 || r.status === 200, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  ids.dept = (await post('/api/v1/departments', { name: 'Field team', parent_id: 1 })).id;
  for (const [key, name] of [['anna', 'Anna Field'], ['boris', 'Boris Field']])
    ids[key] = (await post('/api/v1/users', { email: `${key}.wl@example.com`, name, password: 'saffron lighthouse quill 27', department_id: ids.dept })).id;
  // Tuesday 8 December 2026 on the default calendar (09:00-18:00 UTC, 540 minutes): Anna has 600.
  ids.big = (await post('/api/v1/activities', { kind: 'task', subject: 'Quarterly audit', owner_id: ids.anna, due_at: '2026-12-08T15:00:00Z', estimate_min: 600 })).id;
  ids.small = (await post('/api/v1/activities', { kind: 'task', subject: 'Call back', owner_id: ids.boris, due_at: '2026-12-08T10:00:00Z', estimate_min: 60 })).id;
});
after(async () => {
  await env?.close();
  assert.deepEqual(env?.pageErrors.map(String) ?? [], []);
});

test('the heatmap shows an overloaded day in red, and a task reassigned from the cell moves', async () => {
  await withPage(env, 'workload-heatmap', async (page) => {
    await signIn(page, env.srv, { hash: `#/workload?department_id=${ids.dept}&from=2026-12-07` });
    await page.getByRole('heading', { name: 'Team workload', level: 1 }).waitFor();
    const annaTue = page.locator(`.wl-cell[data-user="${ids.anna}"][data-date="2026-12-08"]`);
    const borisTue = page.locator(`.wl-cell[data-user="${ids.boris}"][data-date="2026-12-08"]`);
    await annaTue.waitFor();
    assert.equal(await annaTue.getAttribute('data-band'), 'over');
    assert.equal(await annaTue.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(220, 38, 38)', 'red');
    assert.equal((await annaTue.textContent()).trim(), '111');
    assert.equal(await borisTue.getAttribute('data-band'), 'low');
    // A weekend day is a day off, not free time.
    assert.equal(await page.locator(`.wl-cell[data-user="${ids.anna}"][data-date="2026-12-12"]`).getAttribute('data-band'), 'off');

    await annaTue.click();
    const panel = page.getByRole('complementary', { name: 'Anna Field, 2026-12-08' });
    await panel.waitFor();
    const item = panel.locator(`.workload-item[data-id="${ids.big}"]`);
    await item.getByText('Quarterly audit').waitFor();
    await item.getByLabel('Reassign to…').selectOption(String(ids.boris));
    await item.getByRole('button', { name: 'Reassign' }).click();
    await page.getByText('Task reassigned to Boris Field').waitFor();
    await page.waitForFunction(([sel]) => document.querySelector(sel)?.getAttribute('data-band') === 'over',
      [`.wl-cell[data-user="${ids.boris}"][data-date="2026-12-08"]`]);
    assert.equal(await annaTue.getAttribute('data-band'), 'free');
    const task = await api(env.srv, 'GET', `/api/v1/activities/${ids.big}`);
    assert.equal(task.body.owner_id, ids.boris);
  });
});

test('the task form warns when the assignee and the due date would overload someone', async () => {
  await withPage(env, 'workload-warning', async (page) => {
    await signIn(page, env.srv, { hash: '#/activities/new?kind=task' });
    await page.locator('#f-subject').fill('Board deck');
    await page.locator('#f-owner_id').selectOption(String(ids.anna));
    await page.locator('#f-due_at').fill('2026-12-08T12:00');
    // An hour fits into Anna's free Tuesday (her audit went to Boris above).
    await page.locator('#f-estimate_min').fill('60');
    const check = page.waitForResponse((r) => r.url().endsWith('/api/v1/workload/check'));
    assert.equal((await check).status(), 200);
    assert.equal(await page.getByTestId('overload-warning').count(), 0);
    // Ten hours do not fit into nine.
    const again = page.waitForResponse((r) => r.url().endsWith('/api/v1/workload/check'));
    await page.locator('#f-estimate_min').fill('600');
    await again;
    const warning = page.getByTestId('overload-warning');
    await warning.waitFor();
    assert.match(await warning.innerText(), /This would overload Anna Field on Tuesday.*111%/);
  });
});
