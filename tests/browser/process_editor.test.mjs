// The process editor (#/admin/processes/...): an admin builds a three-step process on the canvas
// from the palette, connects the steps by dragging between handles, edits a step in the side
// panel, sees the server's live validation at the step it names, saves, reloads, makes a second
// version, opens the first read only and restores it; moves a step with the keyboard; the wizard
// turns a few answers into a template the editor shows; a shipped template is copied as a start.
// Real server, real Chromium, real pointer events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addUser } from '../lib/helpers.mjs';
import { api, box, dragBetween, handle, setup, signIn, withPage } from './helpers.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
  assert.deepEqual(env?.pageErrors.map(String) ?? [], []);
});

// A manual task-then-end template on deals: the task's id and name as given.
const taskThenEnd = (key, name, id, task) => ({
  key, name, entity: 'deals', trigger: { type: 'manual' }, start: id,
  steps: [
    { id, kind: 'task', name: task, responsible: 'record_owner', next: 'done', position: { x: 0, y: 0 } },
    { id: 'done', kind: 'end', name: 'Done', position: { x: 0, y: 120 } },
  ],
});

const badge = (page, id) => page.locator(`[data-step="${id}"] .pe-badge`);

async function templateByKey(key) {
  const list = (await api(env.srv, 'GET', '/api/v1/process-templates')).body.data;
  const row = list.find((p) => p.key === key);
  return row ? (await api(env.srv, 'GET', `/api/v1/process-templates/${row.id}`)).body : null;
}

test('an admin builds, validates, saves and versions a process on the canvas', async () => {
  await withPage(env, 'process-editor', async (page) => {
    await signIn(page, env.srv, { hash: '#/admin/processes' });
    await page.getByRole('link', { name: 'New template' }).click();
    await page.getByText('Not saved yet').waitFor();
    const settings = page.getByRole('complementary', { name: 'Template settings' });
    await settings.getByLabel('Name').fill('Offer check');
    await settings.getByLabel('Key').fill('offer_check');

    // Three steps from the palette: each lands below the last and is selected.
    const palette = page.getByRole('navigation', { name: 'Steps' });
    await palette.getByRole('button', { name: 'Add a step: Task' }).click();
    const panel = page.locator('.pe-panel');
    await panel.getByLabel('Name').fill('Prepare the offer');
    await panel.getByLabel('Who does it').selectOption({ label: "The head of the owner's department" });
    await panel.getByLabel('This step has a deadline').check();
    await panel.getByLabel('How long').fill('2');
    await panel.getByLabel('Unit').selectOption({ label: 'working days' });
    await palette.getByRole('button', { name: 'Add a step: Approval' }).click();
    await palette.getByRole('button', { name: 'Add a step: End' }).click();
    await page.getByRole('button', { name: 'Prepare the offer (Task)' }).waitFor();

    // The task's missing "next" is shown at the task, live.
    await badge(page, 'task_1').waitFor();
    await page.getByRole('region', { name: 'Problems' }).getByText("step 'task_1': needs next, the step that follows").waitFor();

    // Connect by dragging from the handles; both answers of the approval lead back: a loop with no exit.
    await dragBetween(page, handle(page, 'task_1', 'next'), box(page, 'approval_1'));
    await dragBetween(page, handle(page, 'approval_1', 'reject'), box(page, 'task_1'));
    await dragBetween(page, handle(page, 'approval_1', 'approve'), box(page, 'task_1'));
    const problems = page.getByRole('region', { name: 'Problems' });
    await problems.getByText("step 'approval_1' never reaches an end step: a dead end or a loop with no exit").waitFor();
    await problems.getByText("step 'end_1' cannot be reached from the start step 'task_1'").waitFor();
    await badge(page, 'end_1').waitFor();
    // Clicking the problem selects its step, whose panel repeats the message.
    await problems.getByRole('button', { name: "step 'task_1' never reaches an end step: a dead end or a loop with no exit" }).click();
    await panel.getByText("step 'task_1' never reaches an end step", { exact: false }).waitFor();

    // Fixed by dragging "approved" to the end instead.
    await dragBetween(page, handle(page, 'approval_1', 'approve'), box(page, 'end_1'));
    await page.getByText('The process can run.').waitFor();
    assert.equal(await page.locator('.pe-badge').count(), 0);

    // The keyboard moves a step: Tab walks the boxes, arrows move the focused one by 10.
    await page.getByRole('button', { name: 'Approval (Approval)' }).focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'End (End)');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    await page.locator('[data-step="end_1"].selected').waitFor();

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/#\/admin\/processes\/\d+$/);
    await page.getByText('Version 1', { exact: true }).waitFor();
  });

  const saved = await templateByKey('offer_check');
  assert.ok(saved, 'the template is listed');
  assert.equal(saved.version, 1);
  assert.equal(saved.valid, true);
  const d = saved.definition;
  assert.equal(d.name, 'Offer check');
  assert.equal(d.start, 'task_1');
  assert.deepEqual(d.steps.map((s) => [s.id, s.kind]), [['task_1', 'task'], ['approval_1', 'approval'], ['end_1', 'end']]);
  assert.equal(d.steps[0].name, 'Prepare the offer');
  assert.equal(d.steps[0].responsible, 'owner_head');
  assert.deepEqual(d.steps[0].deadline, { amount: 2, unit: 'work_days', on_overdue: { action: 'remind' } });
  assert.equal(d.steps[0].next, 'approval_1');
  assert.deepEqual(d.steps[1].branches, { approve: 'end_1', reject: 'task_1' });
  assert.deepEqual(d.steps[2].position, { x: 20, y: 250 });

  await withPage(env, 'process-editor-versions', async (page) => {
    await signIn(page, env.srv, { hash: `#/admin/processes/${saved.id}` });
    await page.getByRole('heading', { name: 'Offer check', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Prepare the offer (Task)' }).waitFor();

    // An arrow is selected with a click and removed with Delete; saving then is refused (422)
    // and the server's problem is shown at the step.
    await page.locator('[data-edge="approval_1:approve:end_1"] .pe-edge-hit').click({ force: true });
    await page.keyboard.press('Delete');
    await badge(page, 'approval_1').waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Not saved: the process cannot run yet. Fix the problems listed.').waitFor();
    await page.getByRole('region', { name: 'Problems' }).getByText("step 'approval_1': no branch for 'approve'").waitFor();
    assert.equal((await templateByKey('offer_check')).version, 1);

    // Put back through the panel's "approved" select, renamed, saved: version 2.
    await box(page, 'approval_1').click();
    const panel = page.locator('.pe-panel');
    await panel.getByLabel('approved').selectOption({ label: 'End' });
    await panel.getByLabel('Name').fill('Approve the offer');
    await page.getByText('The process can run.').waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Version 2', { exact: true }).waitFor();
    const v2 = await templateByKey('offer_check');
    assert.equal(v2.version, 2);
    assert.equal(v2.definition.steps[1].name, 'Approve the offer');

    // Version 1 opens read only and comes back as version 3.
    const versions = page.getByRole('region', { name: 'Versions' });
    await versions.getByRole('link', { name: /^Version 1, saved / }).click();
    await page.getByText('Version 1, read only').waitFor();
    await page.getByRole('button', { name: 'Approval (Approval)' }).waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Steps' }).count(), 0, 'no palette on an old version');
    await page.getByRole('button', { name: 'Restore as new version' }).click();
    await page.getByText('Version 3', { exact: true }).waitFor();
    const v3 = await templateByKey('offer_check');
    assert.equal(v3.version, 3);
    assert.equal(v3.definition.steps[1].name, 'Approval');
    assert.deepEqual(v3.versions.map((v) => v.version), [3, 2, 1]);
  });
});

test('the wizard turns a few answers into a template the editor shows', async () => {
  await withPage(env, 'process-wizard', async (page) => {
    await signIn(page, env.srv, { hash: '#/admin/processes' });
    await page.getByRole('link', { name: 'Wizard' }).click();
    await page.getByLabel('What is the process called?').fill('Quick order');
    await page.getByLabel('What starts it?').selectOption({ label: 'when a record is created' });
    const first = page.getByRole('listitem', { name: 'Step 1' });
    await first.getByLabel('What is done').fill('Call the client');
    await first.getByLabel('Hours it may take').fill('1');
    await page.getByRole('button', { name: 'Add a step' }).click();
    const second = page.getByRole('listitem', { name: 'Step 2' });
    await second.getByLabel('What is done').fill('Approve the order');
    await second.getByLabel('Who does it').selectOption({ label: "The head of the owner's department" });
    await second.getByLabel('It needs an approval').check();
    await page.getByRole('button', { name: 'Make the process' }).click();

    await page.getByText('Not saved yet').waitFor();
    await page.getByRole('heading', { name: 'Quick order', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Call the client (Task)' }).waitFor();
    await page.getByRole('button', { name: 'Approve the order (Approval)' }).waitFor();
    await page.getByText('The process can run.').waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/#\/admin\/processes\/\d+$/);

    // "New template" afterwards starts blank, not from the wizard's answer.
    // The templates under Administration (the other "Processes" in the menu is the monitor).
    await page.locator('nav a[href="#/admin/processes"]').click();
    await page.getByRole('link', { name: 'New template' }).click();
    await page.getByRole('heading', { name: 'New process', level: 1 }).waitFor();
    assert.equal(await page.locator('[data-step]').count(), 0);
  });
  const made = await templateByKey('quick_order');
  assert.equal(made.definition.trigger.type, 'created');
  assert.deepEqual(made.definition.steps.map((s) => s.kind), ['task', 'approval', 'end', 'end']);
  assert.equal(made.definition.steps[0].deadline.amount, 1);
});

test('a shipped template is copied as the start of a new one; bad wizard answers are named', async () => {
  await withPage(env, 'process-copy', async (page) => {
    await signIn(page, env.srv, { hash: '#/admin/processes' });
    await page.getByRole('button', { name: 'Use Offer approval as a start' }).click();
    await page.getByText('Not saved yet').waitFor();
    await page.getByRole('heading', { name: 'Offer approval (copy)', level: 1 }).waitFor();
    await page.getByText('The process can run.').waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/#\/admin\/processes\/\d+$/);

    // Delete on a focused step removes it and the arrows that led to it.
    const send = page.getByRole('button', { name: 'Send the offer to the client (Task)' });
    await send.focus();
    await page.keyboard.press('Delete');
    assert.equal(await send.count(), 0);
    await page.getByRole('region', { name: 'Problems' }).getByText("step 'approve': no branch for 'approve'").waitFor();

    // A kind dragged from the palette lands where it is dropped.
    await page.getByRole('button', { name: 'Add a step: Wait' }).dragTo(page.locator('.process-canvas'), { targetPosition: { x: 500, y: 100 } });
    await page.getByRole('button', { name: 'Wait (Wait)' }).waitFor();
    const dropped = await page.locator('[data-step="wait_1"] .pe-box').boundingBox();
    const canvas = await page.locator('.process-canvas').boundingBox();
    assert.ok(Math.abs(dropped.x + dropped.width / 2 - (canvas.x + 500)) <= 1, 'dropped where the pointer was');

    await page.goto('/#/admin/processes/wizard');
    await page.getByLabel('What is the process called?').fill('Too long');
    await page.getByRole('listitem', { name: 'Step 1' }).getByLabel('What is done').fill('Wait forever');
    await page.getByRole('listitem', { name: 'Step 1' }).getByLabel('Hours it may take').fill('9000');
    await page.getByRole('button', { name: 'Make the process' }).click();
    await page.getByRole('listitem', { name: 'Step 1' }).locator('.field-error').waitFor();
    assert.match(page.url(), /#\/admin\/processes\/wizard$/);
  });
  const copy = await templateByKey('offer_approval_copy');
  const original = await templateByKey('offer_approval');
  assert.equal(copy.builtin, false);
  assert.deepEqual(copy.definition.steps, original.definition.steps);
});

test('a save over a version someone else saved meanwhile is refused (412); only admins reach the editor', async () => {
  const def = taskThenEnd('two_editors', 'Two editors', 'work', 'Work');
  const made = await api(env.srv, 'POST', '/api/v1/process-templates', def);
  assert.equal(made.status, 201, made.text);
  addUser(env.srv, 'clerk@example.com', 'quiet violet harbour nine kites', { name: 'Clerk' });

  await withPage(env, 'process-editor-stale', async (page) => {
    await signIn(page, env.srv, { hash: `#/admin/processes/${made.body.id}` });
    await page.getByRole('button', { name: 'Work (Task)' }).click();
    await page.locator('.pe-panel').getByLabel('Name').fill('Work hard');
    const other = await api(env.srv, 'PUT', `/api/v1/process-templates/${made.body.id}`, { ...def, name: 'Renamed elsewhere' }, { 'If-Match': '"1"' });
    assert.equal(other.status, 200, other.text);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Someone saved this template in the meantime.', { exact: false }).waitFor();
    const now = (await api(env.srv, 'GET', `/api/v1/process-templates/${made.body.id}`)).body;
    assert.equal(now.version, 2);
    assert.equal(now.definition.steps[0].name, 'Work');
  });

  await withPage(env, 'process-editor-clerk', async (page) => {
    await signIn(page, env.srv, { email: 'clerk@example.com', password: 'quiet violet harbour nine kites', hash: `#/admin/processes/${made.body.id}` });
    await page.getByText('Only administrators can open this page.').waitFor();
    assert.equal(await page.locator('.process-canvas').count(), 0);
    await page.goto('/#/admin/processes/wizard');
    await page.getByText('Only administrators can open this page.').waitFor();
  });
});

test('the trigger panel edits a schedule: cron with its next three runs, the zone, and a filter on the records', async () => {
  const def = taskThenEnd('weekly_check', 'Weekly check', 'check', 'Check the deal');
  const made = await api(env.srv, 'POST', '/api/v1/process-templates', def);
  assert.equal(made.status, 201, made.text);
  assert.equal(made.body.next_run_at, null, 'a manual trigger has no next run');

  await withPage(env, 'process-editor-schedule', async (page) => {
    await signIn(page, env.srv, { hash: `#/admin/processes/${made.body.id}` });
    const settings = page.getByRole('complementary', { name: 'Template settings' });
    await settings.getByLabel('Starts').selectOption({ label: 'on a schedule' });
    await settings.getByLabel('Schedule (cron: minute hour day month weekday)').fill('30 9 * * 1-5');
    await settings.getByLabel('Time zone').fill('Europe/Berlin');
    // The server reads the schedule back: the next three runs on the zone's wall clock.
    const next = settings.getByLabel('Next runs');
    await next.getByText(/09:30 \(Europe\/Berlin\)/).nth(2).waitFor();
    assert.equal(await next.locator('li').count(), 3);
    // A bad hour is named at once, in the preview and in the problems.
    await settings.getByLabel('Schedule (cron: minute hour day month weekday)').fill('30 25 * * 1-5');
    await next.getByText(/^cron: the hour field/).waitFor();
    await page.getByRole('region', { name: 'Problems' }).getByText(/trigger: cron the hour field/).waitFor();
    await settings.getByLabel('Schedule (cron: minute hour day month weekday)').fill('30 9 * * 1-5');
    // Only the big deals.
    await settings.getByLabel('Only the records that match a condition').check();
    const filter = settings.getByRole('group', { name: 'Only records where' });
    await filter.getByLabel('Field').selectOption('amount');
    await filter.getByLabel('Comparison').selectOption('gte');
    await filter.getByLabel('Value').fill('1000');
    assert.equal(await filter.getByLabel('Comparison').locator('option[value="changed"]').count(), 0, 'a schedule looks at no write');
    await page.getByText('The process can run.').waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Version 2', { exact: true }).waitFor();
  });
  const saved = (await api(env.srv, 'GET', `/api/v1/process-templates/${made.body.id}`)).body;
  assert.deepEqual(saved.definition.trigger, {
    type: 'schedule', cron: '30 9 * * 1-5', tz: 'Europe/Berlin', filter: { field: 'amount', op: 'gte', value: 1000 },
  });
  assert.ok(new Date(saved.next_run_at) > new Date(), 'the schedule waits for its next run');
});

test('a trigger on a deal\'s stage picks the stage by name', async () => {
  const made = await api(env.srv, 'POST', '/api/v1/process-templates', taskThenEnd('on_proposal', 'On proposal', 'call', 'Call the client'));
  assert.equal(made.status, 201, made.text);
  const stages = (await api(env.srv, 'GET', '/api/v1/pipelines')).body.data[0].stages;
  const proposal = stages.find((s) => s.name === 'Proposal');
  await withPage(env, 'process-editor-stage-trigger', async (page) => {
    await signIn(page, env.srv, { hash: `#/admin/processes/${made.body.id}` });
    const settings = page.getByRole('complementary', { name: 'Template settings' });
    await settings.getByLabel('Starts').selectOption({ label: 'when a field changes' });
    await settings.getByLabel(/^Field/).selectOption('stage_id');
    await settings.getByLabel('Changed to (optional)').selectOption({ label: 'Proposal' });
    await page.getByText('The process can run.').waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Version 2', { exact: true }).waitFor();
  });
  const saved = (await api(env.srv, 'GET', `/api/v1/process-templates/${made.body.id}`)).body;
  assert.deepEqual(saved.definition.trigger, { type: 'field_changed', field: 'stage_id', to: proposal.id });
});
