// Running a process in the browser (issue 10): an admin builds a three-step process in the editor
// (a task for the record's owner, an approval by the admin, an end; a rejection goes back to the
// task), starts it on a deal from the deal page; the deal's owner completes the task from My day,
// the admin rejects it back with a comment, the owner completes it again from the instance view,
// the admin approves, and the instance shows as completed in the monitor and on the deal's
// Processes card. Whoever does not hold the waiting step sees no action buttons.
// Real server, real Chromium, real pointer events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addUser, createToken, req } from '../lib/helpers.mjs';
import { api, box, dragBetween, handle, setup, signIn, withPage } from './helpers.mjs';

const MANAGER = 'proc.manager@example.com';
const MANAGER_PW = 'amber otter juggles seventeen lanterns';

let env, manager, adminId, deal;
before(async () => {
  env = await setup();
  addUser(env.srv, MANAGER, MANAGER_PW, { name: 'Mia Manager' });
  manager = createToken(env.srv, MANAGER, 'pm');
  adminId = (await api(env.srv, 'GET', '/api/v1/auth/me')).body.id;
  const pipe = (await api(env.srv, 'POST', '/api/v1/pipelines', {
    name: 'Run pipe', stages: [{ name: 'Lead' }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }],
  })).body;
  // The manager's own deal: the task is theirs, the approval the admin's.
  const r = await req(env.srv, 'POST', '/api/v1/deals', { auth: manager, body: { title: 'Window order', amount: 900, pipeline_id: pipe.id } });
  assert.equal(r.status, 201, r.text);
  deal = r.body;
});
after(async () => {
  await env?.close();
  assert.deepEqual(env?.pageErrors.map(String) ?? [], []);
});


/** The instance as the API answers it, with its steps. */
async function instance(id) {
  return (await api(env.srv, 'GET', `/api/v1/process-instances/${id}`)).body;
}

test('a process built in the editor runs on a deal: task, rejected, task again, approved, completed', async () => {
  let instId;
  await withPage(env, 'process-run-admin', async (page) => {
    await signIn(page, env.srv, { hash: '#/admin/processes/new' });
    await page.getByText('Not saved yet').waitFor();
    const settings = page.getByRole('complementary', { name: 'Template settings' });
    await settings.getByLabel('Name').fill('Window check');
    await settings.getByLabel('Key').fill('window_check');
    const palette = page.getByRole('navigation', { name: 'Steps' });
    const panel = page.locator('.pe-panel');
    await palette.getByRole('button', { name: 'Add a step: Task' }).click();
    await panel.getByLabel('Name').fill('Measure the windows');
    await panel.getByLabel('Who does it').selectOption({ label: "The record's owner" });
    await palette.getByRole('button', { name: 'Add a step: Approval' }).click();
    await panel.getByLabel('Name').fill('Approve the measures');
    await panel.getByLabel('Who approves').selectOption(`user:${adminId}`);
    await palette.getByRole('button', { name: 'Add a step: End' }).click();
    // The live check's problems shown (the canvas below them moved) before the first drag.
    await page.getByRole('region', { name: 'Problems' }).getByText("step 'task_1': needs next, the step that follows").waitFor();
    await dragBetween(page, handle(page, 'task_1', 'next'), box(page, 'approval_1'));
    await dragBetween(page, handle(page, 'approval_1', 'reject'), box(page, 'task_1'));
    await dragBetween(page, handle(page, 'approval_1', 'approve'), box(page, 'end_1'));
    await page.getByText('The process can run.').waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/#\/admin\/processes\/\d+$/);

    // Started from the deal page; the card lists it at the task, held by the manager.
    await page.goto(`/#/deals/${deal.id}`);
    const card = page.getByRole('region', { name: 'Processes' });
    await card.getByLabel('Process').selectOption({ label: 'Window check' });
    await card.getByRole('button', { name: 'Start' }).click();
    await page.getByText('Process started: Window check').waitFor();
    await card.getByText('Measure the windows · Mia Manager', { exact: false }).waitFor();
    await card.getByRole('link', { name: 'Window check' }).click();
    await page.waitForURL(/#\/processes\/\d+$/);
    instId = Number(/#\/processes\/(\d+)/.exec(page.url())[1]);
    await page.getByRole('heading', { name: 'Window check', level: 1 }).waitFor();
    await page.locator('[data-step="task_1"].prun-step-waiting').waitFor();
    // The template's graph, read only, with the waiting step marked and the rest not yet reached.
    await page.locator('g[data-step="task_1"].run-waiting').waitFor();
    assert.equal(await page.locator('g[data-step="approval_1"][class*="run-"]').count(), 0);
    // The admin does not hold the task: no action buttons, but the admin may cancel.
    assert.equal(await page.getByRole('button', { name: 'Complete the step' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Approve', exact: true }).count(), 0);
    await page.getByRole('button', { name: 'Cancel the process' }).waitFor();
  });
  assert.equal((await instance(instId)).status, 'running');

  // The manager completes the task from My day.
  await withPage(env, 'process-run-myday', async (page) => {
    await signIn(page, env.srv, { email: MANAGER, password: MANAGER_PW, hash: '#/my-day' });
    await page.goto('/#/my-day');
    const steps = page.getByRole('region', { name: 'Process steps' });
    await steps.getByRole('link', { name: 'Measure the windows' }).waitFor();
    await steps.getByRole('button', { name: 'Complete the step' }).click();
    await page.getByText('Step completed').waitFor();
  });
  let inst = await instance(instId);
  assert.equal(inst.current_step, 'approval_1');
  assert.equal(inst.assignee_id, adminId);

  // The admin rejects with a comment: back to the manager's task.
  await withPage(env, 'process-run-reject', async (page) => {
    await signIn(page, env.srv, { hash: `#/processes/${instId}` });
    await page.goto(`/#/processes/${instId}`);
    const approval = page.locator('[data-step="approval_1"].prun-step-waiting');
    await approval.getByLabel('Comment').fill('Measure the balcony too');
    await approval.getByRole('button', { name: 'Reject', exact: true }).click();
    await page.getByText('Rejected', { exact: true }).waitFor();
    await page.locator('[data-step="task_1"].prun-step-waiting').waitFor();
    await page.getByText('Measure the balcony too').waitFor();
  });
  inst = await instance(instId);
  assert.equal(inst.current_step, 'task_1');
  assert.deepEqual(
    inst.steps.filter((s) => s.kind === 'approval').map((s) => [s.outcome, s.comment]),
    [['reject', 'Measure the balcony too']],
  );

  // The manager completes it again from the instance view; the approval is not theirs to answer.
  await withPage(env, 'process-run-task', async (page) => {
    await signIn(page, env.srv, { email: MANAGER, password: MANAGER_PW, hash: `#/processes/${instId}` });
    await page.goto(`/#/processes/${instId}`);
    await page.locator('[data-step="task_1"].prun-step-waiting').getByRole('button', { name: 'Complete the step' }).click();
    await page.getByText('Step completed').waitFor();
    await page.locator('[data-step="approval_1"].prun-step-waiting').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Approve', exact: true }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Complete the step' }).count(), 0);
  });

  // The admin approves; the monitor and the deal's card show it completed.
  await withPage(env, 'process-run-approve', async (page) => {
    await signIn(page, env.srv, { hash: `#/processes/${instId}` });
    await page.goto(`/#/processes/${instId}`);
    await page.locator('[data-step="approval_1"].prun-step-waiting').getByRole('button', { name: 'Approve', exact: true }).click();
    await page.getByText('Approved', { exact: true }).waitFor();
    await page.locator('.page-header .prun-completed').waitFor();
    for (const id of ['task_1', 'approval_1', 'end_1']) await page.locator(`g[data-step="${id}"].run-done`).waitFor();

    await page.goto('/#/processes');
    const table = page.getByRole('table', { name: 'Process instances' });
    // Running by default: the finished one is not there; the status filter shows it.
    await table.getByText('No processes.').waitFor();
    await page.getByLabel('Status').selectOption({ label: 'Completed' });
    await table.getByRole('link', { name: 'Window check' }).waitFor();
    await table.getByText('Completed').waitFor();
    // The template's time per step, as bars.
    await page.getByRole('region', { name: 'Time per step: Window check' }).locator('.prun-bar').first().waitFor();

    await page.goto(`/#/deals/${deal.id}`);
    const card = page.getByRole('region', { name: 'Processes' });
    await card.getByRole('link', { name: 'Window check' }).waitFor();
    await card.getByText('Completed').waitFor();
  });
  inst = await instance(instId);
  assert.equal(inst.status, 'completed');
  assert.deepEqual(
    inst.steps.map((s) => [s.step_id, s.outcome]),
    [['task_1', 'done'], ['approval_1', 'reject'], ['task_1', 'done'], ['approval_1', 'approve'], ['end_1', 'ended']],
  );
});
