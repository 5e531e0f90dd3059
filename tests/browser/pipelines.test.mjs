// Administration → Pipelines: an admin builds a pipeline of four stages from the keyboard (reorder,
// time limit), finds it in the board's pipeline picker, is told why a stage holding a deal cannot be
// removed; adds a lost reason and uses it on the board; and a deal past its stage's time limit shows
// the stuck flag on its card and in the list. Real server, real Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { PG, pgSql } from '../lib/server.mjs';
import { api, create, setup, signIn, withPage } from './helpers.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
  assert.deepEqual(env?.pageErrors.map(String) ?? [], []);
});

/** Runs SQL on the server's database (the sqlite3 CLI, or PostgreSQL when the tests run on it). */
function sql(text) {
  if (PG) return pgSql(text, env.srv.db);
  return execFileSync('sqlite3', [env.srv.db, text], { encoding: 'utf8' });
}

async function pipelineNamed(name) {
  const r = await api(env.srv, 'GET', '/api/v1/pipelines');
  return r.body.data.find((p) => p.name === name);
}

test('an admin builds a pipeline of four stages, reorders them, sets a time limit, and finds it on the board', async () => {
  await withPage(env, 'pipelines-create', async (page) => {
    await signIn(page, env.srv);
    await page.getByRole('link', { name: 'Pipelines' }).click();
    await page.getByRole('heading', { name: 'Pipelines', level: 1 }).waitFor();
    await page.locator('[data-pipeline="Sales"]').waitFor();

    await page.getByRole('button', { name: '+ Add pipeline' }).click();
    const form = page.getByRole('form', { name: 'Add pipeline' });
    await form.getByLabel(/^Name(?! of)/).fill('Field sales');
    // A new pipeline starts with an open, a won and a lost stage; another open one goes before won.
    await form.getByRole('button', { name: '+ Add stage' }).click();
    await form.getByLabel('Name of stage 1').fill('Inbound');
    await form.getByLabel('Name of stage 2').fill('Demo');
    await form.getByLabel('Name of stage 3').fill('Signed');
    await form.getByLabel('Name of stage 4').fill('Dropped');
    assert.equal(await form.getByLabel('Kind: Signed').inputValue(), 'won');
    assert.equal(await form.getByLabel('Kind: Dropped').inputValue(), 'lost');

    // Reorder from the keyboard: the focus stays with the moved row.
    await form.getByRole('button', { name: 'Move “Demo” up' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('tr[data-stage-key]')?.getAttribute('data-stage-name') === 'Demo');
    assert.equal(await page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('data-stage-name')), 'Demo');

    await form.getByLabel('Time limit, days: Demo').fill('5');
    await form.getByLabel('Probability, %: Demo').fill('30');
    await form.getByLabel('Probability, %: Inbound').fill('10');
    await form.getByLabel('Probability, %: Inbound').press('Enter');
    await form.waitFor({ state: 'detached' });
    await page.locator('[data-pipeline="Field sales"] [data-stage="Demo"]').getByText('limit 5 d').waitFor();

    const p = await pipelineNamed('Field sales');
    assert.deepEqual(p.stages.map((s) => [s.name, s.kind, s.probability, s.time_limit_days]), [
      ['Demo', 'open', 30, 5], ['Inbound', 'open', 10, null], ['Signed', 'won', 0, null], ['Dropped', 'lost', 0, null],
    ]);

    // The board's pipeline picker offers it.
    await page.getByRole('link', { name: 'Deals' }).click();
    const picker = page.getByRole('search', { name: 'Filters' }).getByLabel('Pipeline');
    await picker.locator('option', { hasText: 'Field sales' }).waitFor({ state: 'attached' });
    await picker.selectOption({ label: 'Field sales' });
    await page.locator(`.board-column[data-stage="${p.stages[0].id}"]`).waitFor();
  });
});

test('removing a stage that holds a deal is refused with the server’s message beside the stages', async () => {
  await withPage(env, 'pipelines-stage-holds-deal', async (page) => {
    const p = await pipelineNamed('Field sales');
    const inbound = p.stages.find((s) => s.name === 'Inbound');
    await create(env.srv, 'deals', { title: 'Kappa kilns', pipeline_id: p.id, stage_id: inbound.id });
    await signIn(page, env.srv, { hash: '#/admin/pipelines' });
    await page.getByRole('button', { name: 'Edit Field sales' }).click();
    const form = page.getByRole('form', { name: 'Edit “Field sales”' });
    await form.getByRole('button', { name: 'Remove “Inbound”' }).click();
    await form.getByRole('button', { name: 'Save' }).click();
    await form.locator('.field-error', { hasText: "stage 'Inbound' holds 1 deal" }).waitFor();
    assert.equal((await pipelineNamed('Field sales')).stages.length, 4);

    // Deleting the pipeline is refused too: archive it instead (the 409's detail is shown).
    await form.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Delete Field sales' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('alert').filter({ hasText: 'archive it instead' }).waitFor();
    assert.ok(await pipelineNamed('Field sales'));
  });
});

test('a lost reason added on the screen is offered in the board’s lost dialog', async () => {
  await withPage(env, 'pipelines-lost-reason', async (page) => {
    await signIn(page, env.srv, { hash: '#/admin/pipelines' });
    await page.getByLabel('New lost reason').fill('Budget cut');
    await page.getByLabel('New lost reason').press('Enter');
    const row = page.locator('tr[data-reason="Budget cut"]');
    await row.waitFor();
    assert.match(await row.innerText(), /Active/);
    // A second one, renamed and retired: it is not offered.
    await page.getByLabel('New lost reason').fill('Old habit');
    await page.getByRole('button', { name: '+ Add reason' }).click();
    await page.getByRole('button', { name: 'Rename Old habit' }).click();
    await page.getByLabel('Name of “Old habit”').fill('Timing');
    await page.getByLabel('Name of “Old habit”').press('Enter');
    await page.getByRole('button', { name: 'Retire Timing' }).click();
    await page.locator('tr[data-reason="Timing"]').getByText('Retired').waitFor();

    const s = (await api(env.srv, 'GET', '/api/v1/pipelines')).body.data.find((x) => x.name === 'Sales');
    const lost = s.stages.find((x) => x.kind === 'lost');
    const d = await create(env.srv, 'deals', { title: 'Lambda lathes', source: 'reason-test' });
    await page.goto('/#/deals?source=reason-test');
    await page.locator(`.deal-card[data-id="${d.id}"]`).dragTo(page.locator(`.board-column[data-stage="${lost.id}"]`));
    const dialog = page.getByRole('dialog', { name: 'Why was “Lambda lathes” lost?' });
    await dialog.waitFor();
    const offered = await dialog.getByLabel('Reason').locator('option').allInnerTexts();
    assert.ok(offered.includes('Budget cut') && !offered.includes('Timing'), offered.join());
    await dialog.getByLabel('Reason').selectOption({ label: 'Budget cut' });
    await dialog.getByRole('button', { name: 'Mark as lost' }).click();
    await dialog.waitFor({ state: 'detached' });
    const after = (await api(env.srv, 'GET', `/api/v1/deals/${d.id}`)).body;
    const reasons = (await api(env.srv, 'GET', '/api/v1/lost-reasons')).body.data;
    assert.equal(after.lost_reason_id, reasons.find((r) => r.name === 'Budget cut').id);
  });
});

test('a deal past its stage’s time limit is flagged stuck on its board card and in the list', async () => {
  await withPage(env, 'pipelines-stuck', async (page) => {
    const p = await pipelineNamed('Field sales');
    const demo = p.stages.find((s) => s.name === 'Demo');
    const stuck = await create(env.srv, 'deals', { title: 'Mu mixers', pipeline_id: p.id, stage_id: demo.id });
    const fresh = await create(env.srv, 'deals', { title: 'Nu nozzles', pipeline_id: p.id, stage_id: demo.id });
    // Six days ago, against a limit of five.
    const back = 6 * 86400000;
    sql(`UPDATE deals SET stage_entered_at = stage_entered_at - ${back}, stage_due_at = stage_due_at - ${back} WHERE id = ${stuck.id}`);
    assert.equal((await api(env.srv, 'GET', `/api/v1/deals/${stuck.id}`)).body.stuck, true);

    await signIn(page, env.srv, { hash: `#/deals?pipeline_id=${p.id}` });
    await page.locator(`.deal-card[data-id="${stuck.id}"] .stuck-flag`).waitFor();
    assert.equal(await page.locator(`.deal-card[data-id="${fresh.id}"] .stuck-flag`).count(), 0);

    await page.goto(`/#/deals/list?pipeline_id=${p.id}`);
    const row = page.locator('table.data-table tbody tr', { hasText: 'Mu mixers' });
    await row.locator('[data-stuck="true"]').waitFor();
    assert.equal(await page.locator('table.data-table tbody tr', { hasText: 'Nu nozzles' }).locator('[data-stuck]').count(), 0);
  });
});
