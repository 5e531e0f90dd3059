// Running processes (issue 10, the engine): a process started by hand on
// a deal creates a task for the responsible person and moves on when it
// is completed; an approval branches on the answer (a rejection needs a
// comment); a condition branches on the deal's fields; move_stage moves
// the deal, notify rings the bell, set_field writes the record, all as
// the system and audited; a wait and a deadline are timers in the job
// table that fire once; cancelling closes the open task; the monitor
// lists instances by status, and per template the time per step. Rights:
// a record one cannot read cannot carry one's process, and only the
// assignee (or an admin) answers a step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, PG, pgSql } from '../lib/server.mjs';
import { stopClean, req, assertProblem, assertInvalid, addUser, createToken, createOk } from '../lib/helpers.mjs';

let srv;
let manager, managerId, other, adminId;
let pipe;
const S = {};
let flow;

function query(sql) {
  const out = PG ? pgSql(sql, srv.db)
    : execFileSync('sqlite3', ['-batch', '-cmd', '.timeout 10000', '-noheader', '-list', srv.db, sql], { encoding: 'utf8' });
  return out.trim();
}

async function until(what, fn, ms = 20000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

// Call, then by the amount either approval (with a rework loop), a stage
// move, a notice, a day's wait and a new title; or a notice and the end.
function definition(key) {
  return {
    key, name: `Flow ${key}`, entity: 'deals', trigger: { type: 'manual' }, start: 'call',
    steps: [
      { id: 'call', kind: 'task', name: 'Call the client', responsible: 'record_owner', text: 'About {{record.name}}',
        deadline: { amount: 1, unit: 'hours', on_overdue: { action: 'remind' } }, next: 'big' },
      { id: 'big', kind: 'condition', name: 'Big?', condition: { field: 'amount', op: 'gte', value: 1000 },
        branches: { true: 'approve', false: 'small' } },
      { id: 'approve', kind: 'approval', name: 'Approve the offer', approver: { user: adminId },
        branches: { approve: 'move', reject: 'rework' } },
      { id: 'rework', kind: 'task', name: 'Rework the offer', responsible: 'record_owner', next: 'approve' },
      { id: 'move', kind: 'move_stage', name: 'To offer', stage_id: S.Offer, next: 'tell' },
      { id: 'tell', kind: 'notify', name: 'Approved', to: ['record_owner'], text: '{{record.name}} is approved', next: 'pause' },
      { id: 'pause', kind: 'wait', name: 'Let it rest', duration: { amount: 1, unit: 'days' }, next: 'rename' },
      { id: 'rename', kind: 'set_field', name: 'Rename', field: 'title', value: 'Approved: {{record.name}}', next: 'done' },
      { id: 'small', kind: 'notify', name: 'Small one', to: ['record_owner'], text: 'Small deal {{record.name}}', next: 'done' },
      { id: 'done', kind: 'end', name: 'Done' },
    ],
  };
}

before(async () => {
  // Webhooks may call this test's own HTTPS server on 127.0.0.1 (a test-only flag).
  srv = await startServer({ args: ['--webhook-test-loopback'] });
  adminId = (await req(srv, 'GET', '/api/v1/auth/me')).body.id;
  addUser(srv, 'run.manager@example.com', 'amber otter juggles seventeen lanterns', { name: 'Run Manager' });
  manager = createToken(srv, 'run.manager@example.com', 'rm');
  managerId = (await req(srv, 'GET', '/api/v1/auth/me', { auth: manager })).body.id;
  addUser(srv, 'run.other@example.com', 'amber otter juggles seventeen lanterns', { name: 'Run Other' });
  other = createToken(srv, 'run.other@example.com', 'ro');
  pipe = (await req(srv, 'POST', '/api/v1/pipelines', { body: { name: 'Runs', stages: [
    { name: 'Lead' }, { name: 'Offer' }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }] } })).body;
  for (const s of pipe.stages) S[s.name] = s.id;
  const t = await req(srv, 'POST', '/api/v1/process-templates', { body: definition('flow') });
  assert.equal(t.status, 201, t.text);
  flow = t.body;
});
after(async () => { await stopClean(srv); });

const start = (deal, auth = manager) => req(srv, 'POST', '/api/v1/process-instances',
  { auth, body: { template_id: flow.id, entity: 'deals', record_id: deal.id } });
const get = async (id, auth) => {
  const r = await req(srv, 'GET', `/api/v1/process-instances/${id}`, { auth });
  assert.equal(r.status, 200, r.text);
  return r.body;
};
const waiting = (inst) => inst.steps.find((s) => s.status === 'waiting');
const answer = (inst, body, auth) => req(srv, 'POST', `/api/v1/process-steps/${waiting(inst).id}/complete`, { auth, body });
const fireTimers = (what) => query(`UPDATE jobs SET run_at = 0 WHERE kind = 'process_timer' AND done_at IS NULL AND payload LIKE '%"${what}"%'`);

test('a process on a deal: task, condition, approval with a rejected round, stage move, notice, wait, set field, end', async () => {
  const deal = await createOk(srv, 'deals', { title: 'Big order', amount: 5000, pipeline_id: pipe.id }, manager);
  const r = await start(deal);
  assert.equal(r.status, 201, r.text);
  let inst = r.body;
  assert.equal(inst.status, 'running');
  assert.equal(inst.current_step, 'call');
  assert.equal(inst.assignee_id, managerId);
  assert.equal(inst.version, 1);
  const call = waiting(inst);
  assert.ok(call.task_id > 0 && call.due_at, JSON.stringify(call));
  // The task is the manager's, on the deal, with the text expanded.
  const task = (await req(srv, 'GET', `/api/v1/activities/${call.task_id}`, { auth: manager })).body;
  assert.equal(task.owner_id, managerId);
  assert.equal(task.deal_id, deal.id);
  assert.equal(task.subject, 'Call the client');
  assert.equal(task.body, 'About Big order');
  // Completing the task moves the process on: the amount is big, so to the approval.
  assert.equal((await req(srv, 'POST', `/api/v1/activities/${call.task_id}/complete`, { auth: manager })).status, 200);
  inst = await get(inst.id, manager);
  assert.equal(inst.current_step, 'approve');
  assert.equal(inst.assignee_id, adminId);
  assert.deepEqual(inst.steps.map((s) => [s.step_id, s.status, s.outcome]),
    [['call', 'done', 'done'], ['big', 'done', 'true'], ['approve', 'waiting', null]]);
  // The manager may not answer the admin's approval; a rejection needs a comment.
  assertProblem(await answer(inst, { outcome: 'approve' }, manager), 403);
  assertInvalid(await answer(inst, { outcome: 'reject' }), ['comment']);
  assertInvalid(await answer(inst, { outcome: 'maybe' }), ['outcome']);
  assertInvalid(await answer(inst, { outcome: 'approve', extra: 1 }), ['extra']);
  let a = await answer(inst, { outcome: 'reject', comment: 'Too cheap' });
  assert.equal(a.status, 200, a.text);
  inst = a.body;
  assert.equal(inst.current_step, 'rework');
  const rejected = inst.steps.find((s) => s.step_id === 'approve');
  assert.equal(rejected.outcome, 'reject');
  assert.equal(rejected.comment, 'Too cheap');
  assert.equal(rejected.done_by, adminId);
  // The approval's task was closed with it; the same step cannot be answered twice.
  assert.equal((await req(srv, 'GET', `/api/v1/activities/${rejected.task_id}`)).body.status, 'done');
  assertProblem(await req(srv, 'POST', `/api/v1/process-steps/${rejected.id}/complete`, { body: { outcome: 'approve' } }), 409);
  // The rework is answered from the process view; then approved.
  a = await answer(inst, {}, manager);
  assert.equal(a.status, 200, a.text);
  assert.equal(a.body.current_step, 'approve');
  a = await answer(a.body, { outcome: 'approve', comment: 'Fine now' });
  assert.equal(a.status, 200, a.text);
  inst = a.body;
  // move_stage and notify ran in that answer's transaction; now it waits a day.
  assert.equal(inst.current_step, 'pause');
  assert.ok(waiting(inst).wake_at);
  const moved = (await req(srv, 'GET', `/api/v1/deals/${deal.id}`)).body;
  assert.equal(moved.stage_id, S.Offer);
  const bell = (await req(srv, 'GET', '/api/v1/notifications', { auth: manager })).body.data;
  assert.ok(bell.some((n) => n.kind === 'process' && n.body === 'Big order is approved' && n.record_id === deal.id), JSON.stringify(bell));
  // The day passes (the timer made due): the job runner wakes it once.
  fireTimers('wake');
  inst = await until('the process to end', async () => {
    const x = await get(inst.id, manager);
    return x.status === 'completed' && x;
  });
  assert.equal(inst.current_step, null);
  assert.ok(inst.finished_at);
  assert.equal((await req(srv, 'GET', `/api/v1/deals/${deal.id}`)).body.title, 'Approved: Big order');
  assert.deepEqual(inst.steps.map((s) => s.step_id),
    ['call', 'big', 'approve', 'rework', 'approve', 'move', 'tell', 'pause', 'rename', 'done']);
  const waits = Number(query(`SELECT COUNT(*) FROM process_steps WHERE instance_id = ${inst.id} AND step_id = 'pause'`));
  assert.equal(waits, 1, 'the wait was left once');
  // Started and answered steps are in the audit log; the system's writes too.
  const started = await req(srv, 'GET', '/api/v1/audit?action=process.started');
  assert.ok(started.body.data.some((e) => e.record_id === deal.id));
  const done = await req(srv, 'GET', '/api/v1/audit?action=process.step_completed');
  assert.ok(done.body.data.some((e) => e.detail.outcome === 'reject' && e.detail.comment === 'Too cheap'));
});

test('a condition takes its false branch for a small deal and the process completes', async () => {
  const deal = await createOk(srv, 'deals', { title: 'Tiny', amount: 10, pipeline_id: pipe.id }, manager);
  const inst = (await start(deal)).body;
  // "My day" lists the step waiting for the manager, with its task.
  const day = await req(srv, 'GET', '/api/v1/activities/my-day', { auth: manager });
  assert.equal(day.status, 200, day.text);
  const mine = day.body.process_steps.find((s) => s.instance_id === inst.id);
  assert.equal(mine.step_id, 'call');
  assert.equal(mine.task_id, waiting(inst).task_id);
  assert.equal(mine.entity, 'deals');
  assert.equal(mine.record_id, deal.id);
  // Another user's day, seen by someone who cannot read the deal, does not show it.
  const theirs = await req(srv, 'GET', `/api/v1/activities/my-day?user_id=${managerId}`, { auth: other });
  assert.equal(theirs.status, 200, theirs.text);
  assert.ok(!theirs.body.process_steps.some((s) => s.instance_id === inst.id));
  const a = await answer(inst, {}, manager);
  assert.equal(a.status, 200, a.text);
  assert.equal(a.body.status, 'completed');
  const after = (await req(srv, 'GET', '/api/v1/activities/my-day', { auth: manager })).body;
  assert.ok(!after.process_steps.some((s) => s.instance_id === inst.id));
  assert.deepEqual(a.body.steps.map((s) => [s.step_id, s.outcome]),
    [['call', 'done'], ['big', 'false'], ['small', 'sent'], ['done', 'ended']]);
  // The task made for the step is closed too.
  assert.equal((await req(srv, 'GET', `/api/v1/activities/${a.body.steps[0].task_id}`, { auth: manager })).body.status, 'done');
});

test('a deadline that passes reminds the responsible once and shows as overdue in the monitor', async () => {
  const deal = await createOk(srv, 'deals', { title: 'Slow one', amount: 10, pipeline_id: pipe.id }, manager);
  const inst = (await start(deal)).body;
  fireTimers('deadline');
  const late = await until('the step to be overdue', async () => {
    const x = await get(inst.id, manager);
    return waiting(x).overdue_at && x;
  });
  assert.equal(late.overdue, true);
  const bell = (await req(srv, 'GET', '/api/v1/notifications', { auth: manager })).body.data;
  assert.equal(bell.filter((n) => n.kind === 'process_overdue' && n.record_id === deal.id).length, 1);
  const list = await req(srv, 'GET', '/api/v1/process-instances?status=overdue', { auth: manager });
  assert.equal(list.status, 200, list.text);
  assert.ok(list.body.data.some((x) => x.id === inst.id && x.overdue));
  // Still answerable after its deadline.
  assert.equal((await answer(late, {}, manager)).body.status, 'completed');
});

test('a step whose task falls on a day its assignee does not work warns the assignee', async () => {
  // Away from yesterday to three days on (UTC dates): the step's one-hour
  // deadline falls inside, so its task overloads a day of no working time.
  const day = (d) => new Date(Date.now() + d * 86400000).toISOString().slice(0, 10);
  const away = await req(srv, 'POST', `/api/v1/users/${managerId}/absences`,
    { body: { from: day(-1), to: day(3), kind: 'vacation' } });
  assert.equal(away.status, 201, away.text);
  try {
    const deal = await createOk(srv, 'deals', { title: 'While away', amount: 10, pipeline_id: pipe.id }, manager);
    const inst = (await start(deal)).body;
    const bell = (await req(srv, 'GET', '/api/v1/notifications', { auth: manager })).body.data;
    const warned = bell.filter((n) => n.kind === 'process_overload' && n.record_id === deal.id);
    assert.equal(warned.length, 1, JSON.stringify(bell.slice(0, 5)));
    assert.match(warned[0].body, /does not work/);
    await req(srv, 'POST', `/api/v1/process-instances/${inst.id}/cancel`, { auth: manager });
  } finally {
    await req(srv, 'DELETE', `/api/v1/users/${managerId}/absences/${away.body.id}`);
  }
});

test('the monitor filters by status, template and record; cancelling closes the open task', async () => {
  const deal = await createOk(srv, 'deals', { title: 'To cancel', amount: 10, pipeline_id: pipe.id }, manager);
  const inst = (await start(deal)).body;
  const mine = await req(srv, 'GET', `/api/v1/process-instances?record=deals:${deal.id}`, { auth: manager });
  assert.deepEqual(mine.body.data.map((x) => x.id), [inst.id]);
  assert.equal(mine.body.data[0].current_step_name, 'Call the client');
  const running = await req(srv, 'GET', `/api/v1/process-instances?status=running&template_id=${flow.id}`, { auth: manager });
  assert.ok(running.body.data.some((x) => x.id === inst.id));
  assertProblem(await req(srv, 'GET', '/api/v1/process-instances?status=asleep'), 400);
  assertProblem(await req(srv, 'GET', '/api/v1/process-instances?record=deals'), 400);
  assertProblem(await req(srv, 'GET', '/api/v1/process-instances?template_id=x'), 400);
  // Someone who cannot read the deal cannot cancel (or see) it.
  assertProblem(await req(srv, 'POST', `/api/v1/process-instances/${inst.id}/cancel`, { auth: other }), 404);
  const c = await req(srv, 'POST', `/api/v1/process-instances/${inst.id}/cancel`, { auth: manager });
  assert.equal(c.status, 200, c.text);
  assert.equal(c.body.status, 'cancelled');
  assert.equal(c.body.steps[0].status, 'cancelled');
  assert.equal((await req(srv, 'GET', `/api/v1/activities/${c.body.steps[0].task_id}`, { auth: manager })).body.status, 'cancelled');
  assertProblem(await req(srv, 'POST', `/api/v1/process-instances/${inst.id}/cancel`, { auth: manager }), 409);
  // Completing the cancelled step's task later changes nothing.
  const cancelled = await req(srv, 'GET', '/api/v1/process-instances?status=cancelled', { auth: manager });
  assert.ok(cancelled.body.data.some((x) => x.id === inst.id));
});

test('rights and bad input: a record one cannot read, another entity, unknown templates', async () => {
  const theirs = await createOk(srv, 'deals', { title: 'Admin only', amount: 10, pipeline_id: pipe.id });
  assertProblem(await start(theirs, other), 404);
  const own = await createOk(srv, 'deals', { title: 'Visible', amount: 10, pipeline_id: pipe.id }, manager);
  const inst = (await start(own)).body;
  assertProblem(await req(srv, 'GET', `/api/v1/process-instances/${inst.id}`, { auth: other }), 404);
  const seen = await req(srv, 'GET', '/api/v1/process-instances', { auth: other });
  assert.ok(!seen.body.data.some((x) => x.id === inst.id));
  assertProblem(await req(srv, 'POST', `/api/v1/process-steps/${waiting(inst).id}/complete`, { auth: other, body: {} }), 404);
  assertInvalid(await req(srv, 'POST', '/api/v1/process-instances', { body: {} }), ['template_id', 'entity', 'record_id']);
  const co = await createOk(srv, 'companies', { name: 'Not a deal' });
  assertInvalid(await req(srv, 'POST', '/api/v1/process-instances',
    { body: { template_id: flow.id, entity: 'companies', record_id: co.id } }), ['entity']);
  assertInvalid(await req(srv, 'POST', '/api/v1/process-instances',
    { body: { template_id: 999999, entity: 'deals', record_id: own.id } }), ['template_id']);
  assertProblem(await req(srv, 'POST', '/api/v1/process-instances',
    { body: { template_id: flow.id, entity: 'deals', record_id: 999999 } }), 404);
  assertProblem(await req(srv, 'GET', '/api/v1/process-instances/999999'), 404);
  assertProblem(await req(srv, 'POST', '/api/v1/process-steps/999999/complete', { body: {} }), 404);
});

test('an instance stays on its version when the template changes', async () => {
  const deal = await createOk(srv, 'deals', { title: 'Versioned', amount: 10, pipeline_id: pipe.id }, manager);
  const inst = (await start(deal)).body;
  const def = definition('flow');
  def.steps[8].text = 'Changed text {{record.name}}';
  const u = await req(srv, 'PUT', `/api/v1/process-templates/${flow.id}`, { body: def });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.body.version, 2);
  const a = await answer(inst, {}, manager);
  assert.equal(a.body.version, 1);
  const bell = (await req(srv, 'GET', '/api/v1/notifications', { auth: manager })).body.data;
  assert.ok(bell.some((n) => n.body === 'Small deal Versioned'), 'the old version\'s text');
  const next = (await start(deal)).body;
  assert.equal(next.version, 2);
});

test('per step statistics of a template show counts and times', async () => {
  const r = await req(srv, 'GET', `/api/v1/process-templates/${flow.id}/stats`, { auth: manager });
  assert.equal(r.status, 200, r.text);
  const call = r.body.data.find((s) => s.step_id === 'call');
  assert.ok(call.count >= 4, JSON.stringify(call));
  assert.ok(call.max_ms >= call.avg_ms && call.avg_ms >= 0);
  assert.ok(call.overdue >= 1);
  assertProblem(await req(srv, 'GET', '/api/v1/process-templates/999999/stats'), 404);
});

test('triggers: a created company and a deal moved to won start their processes; a process writing its own trigger field stops 5 deep', async () => {
  const onCreate = await req(srv, 'POST', '/api/v1/process-templates', { body: {
    key: 'welcome', name: 'Welcome a company', entity: 'companies', trigger: { type: 'created' }, start: 'greet',
    steps: [
      { id: 'greet', kind: 'task', name: 'Greet {{record.name}}', responsible: 'record_owner', next: 'done' },
      { id: 'done', kind: 'end', name: 'Done' },
    ] } });
  assert.equal(onCreate.status, 201, onCreate.text);
  const co = await createOk(srv, 'companies', { name: 'Fresh Ltd' }, manager);
  const started = (await req(srv, 'GET', `/api/v1/process-instances?record=companies:${co.id}`, { auth: manager })).body.data;
  assert.equal(started.length, 1);
  assert.equal(started[0].template_id, onCreate.body.id);
  assert.equal(started[0].started_by, null, 'a trigger started it');
  assert.equal(started[0].assignee_id, managerId);
  // Updating the company starts nothing more.
  assert.equal((await req(srv, 'PATCH', `/api/v1/companies/${co.id}`, { auth: manager, body: { industry: 'Retail' } })).status, 200);
  assert.equal((await req(srv, 'GET', `/api/v1/process-instances?record=companies:${co.id}`, { auth: manager })).body.data.length, 1);

  const onWon = await req(srv, 'POST', '/api/v1/process-templates', { body: {
    key: 'won_thanks', name: 'Thank for the order', entity: 'deals', trigger: { type: 'field_changed', field: 'stage_id', to: S.Won },
    start: 'thank', steps: [
      { id: 'thank', kind: 'notify', name: 'Won', to: ['record_owner'], text: 'Won {{record.name}}', next: 'done' },
      { id: 'done', kind: 'end', name: 'Done' },
    ] } });
  assert.equal(onWon.status, 201, onWon.text);
  const deal = await createOk(srv, 'deals', { title: 'Winner', amount: 10, pipeline_id: pipe.id }, manager);
  const byDeal = async () => (await req(srv, 'GET', `/api/v1/process-instances?record=deals:${deal.id}`, { auth: manager })).body.data;
  assert.equal((await byDeal()).length, 0);
  assert.equal((await req(srv, 'POST', `/api/v1/deals/${deal.id}/move`, { auth: manager, body: { stage_id: S.Offer } })).status, 200);
  assert.equal((await byDeal()).length, 0, 'another stage is not the one asked for');
  assert.equal((await req(srv, 'POST', `/api/v1/deals/${deal.id}/move`, { auth: manager, body: { stage_id: S.Won } })).status, 200);
  const won = await byDeal();
  assert.equal(won.length, 1);
  assert.equal(won[0].status, 'completed');
  const bell = (await req(srv, 'GET', '/api/v1/notifications', { auth: manager })).body.data;
  assert.ok(bell.some((n) => n.body === 'Won Winner'));

  // A process whose set_field changes the field that triggers it: the loop guard.
  const loop = await req(srv, 'POST', '/api/v1/process-templates', { body: {
    key: 'echo', name: 'Echo', entity: 'contacts', trigger: { type: 'field_changed', field: 'position' },
    start: 'write', steps: [
      { id: 'write', kind: 'set_field', name: 'Write', field: 'position', value: 'x{{record.position}}', next: 'done' },
      { id: 'done', kind: 'end', name: 'Done' },
    ] } });
  assert.equal(loop.status, 201, loop.text);
  const person = await createOk(srv, 'contacts', { first_name: 'Loop', last_name: 'Test' }, manager);
  assert.equal((await req(srv, 'PATCH', `/api/v1/contacts/${person.id}`, { auth: manager, body: { position: 'a' } })).status, 200);
  const echoes = (await req(srv, 'GET', `/api/v1/process-instances?record=contacts:${person.id}`, { auth: manager })).body.data;
  assert.equal(echoes.length, 5, 'five levels, then the guard');
  assert.ok(echoes.every((x) => x.status === 'completed'));
  assert.equal((await req(srv, 'GET', `/api/v1/contacts/${person.id}`, { auth: manager })).body.position, 'xxxxxa');
  // The shipped new-lead template starts by itself only once an administrator saved it.
  assert.ok(!(await byDeal()).some((x) => x.template_name === 'New lead follow-up'));
});

test('a webhook step calls the address over HTTPS, is retried after a failure, and refuses the server\'s own network', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crm-hook-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const calls = [];
  const hook = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (rq, rs) => {
    let body = '';
    rq.on('data', (d) => { body += d; });
    rq.on('end', () => {
      calls.push({ method: rq.method, type: rq.headers['content-type'], body });
      rs.statusCode = calls.length === 1 ? 500 : 200;
      rs.end('ok');
    });
  });
  await new Promise((ok) => hook.listen(0, '127.0.0.1', ok));
  try {
    const def = (key, url) => ({
      key, name: key, entity: 'deals', trigger: { type: 'manual' }, start: 'call',
      steps: [
        { id: 'call', kind: 'webhook', name: 'Tell the shop', url, body: '{"deal": "{{record.name}}"}', timeout_s: 5, next: 'done' },
        { id: 'done', kind: 'end', name: 'Done' },
      ] });
    const t = await req(srv, 'POST', '/api/v1/process-templates', { body: def('hook', `https://127.0.0.1:${hook.address().port}/hook`) });
    assert.equal(t.status, 201, t.text);
    const deal = await createOk(srv, 'deals', { title: 'Hooked', amount: 10, pipeline_id: pipe.id }, manager);
    const inst = (await req(srv, 'POST', '/api/v1/process-instances', { auth: manager,
      body: { template_id: t.body.id, entity: 'deals', record_id: deal.id } })).body;
    assert.equal(inst.current_step, 'call');
    // The first answer is a 500: the job is kept for a retry with its error, the step waits.
    await until('the first call', () => calls.length === 1);
    await until('the failure recorded', () => /HTTP 500/.test(query("SELECT last_error FROM jobs WHERE kind = 'process_webhook' AND done_at IS NULL")));
    assert.equal(waiting(await get(inst.id, manager)).step_id, 'call');
    assert.deepEqual(calls[0], { method: 'POST', type: 'application/json', body: '{"deal": "Hooked"}' });
    // The retry (made due now) gets a 200 and the process moves on, once.
    query("UPDATE jobs SET run_at = 0 WHERE kind = 'process_webhook' AND done_at IS NULL");
    const done = await until('the process to end', async () => {
      const x = await get(inst.id, manager);
      return x.status === 'completed' && x;
    });
    assert.equal(done.steps[0].outcome, 'HTTP 200');
    assert.equal(calls.length, 2);
    // A private address is refused before any connection is made.
    const lan = await req(srv, 'POST', '/api/v1/process-templates', { body: def('hook_lan', 'https://10.1.2.3/hook') });
    assert.equal(lan.status, 201, lan.text);
    const other = await createOk(srv, 'deals', { title: 'Not sent', amount: 10, pipeline_id: pipe.id }, manager);
    const i2 = (await req(srv, 'POST', '/api/v1/process-instances', { auth: manager,
      body: { template_id: lan.body.id, entity: 'deals', record_id: other.id } })).body;
    await until('the refusal', () => /own network/.test(query("SELECT last_error FROM jobs WHERE kind = 'process_webhook' AND done_at IS NULL")));
    assert.equal((await get(i2.id, manager)).status, 'running');
    assert.equal(calls.length, 2);
  } finally {
    hook.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a date_offset trigger starts its process once on the day, some days before the deal\'s expected close', async () => {
  const t = await req(srv, 'POST', '/api/v1/process-templates', { body: {
    key: 'before_close', name: 'Before the close', entity: 'deals', trigger: { type: 'date_offset', field: 'expected_close', days: -2 },
    start: 'remind', steps: [
      { id: 'remind', kind: 'notify', name: 'Soon', to: ['record_owner'], text: '{{record.name}} closes in two days', next: 'done' },
      { id: 'done', kind: 'end', name: 'Done' },
    ] } });
  assert.equal(t.status, 201, t.text);
  const day = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);
  const soon = await createOk(srv, 'deals', { title: 'Closing soon', amount: 10, pipeline_id: pipe.id, expected_close: day(2) }, manager);
  const later = await createOk(srv, 'deals', { title: 'Closing later', amount: 10, pipeline_id: pipe.id, expected_close: day(3) }, manager);
  const runDaily = () => query("UPDATE jobs SET run_at = 0 WHERE kind = 'process_date_offset'");
  const of = async (d) => (await req(srv, 'GET', `/api/v1/process-instances?record=deals:${d.id}&template_id=${t.body.id}`, { auth: manager })).body.data;
  runDaily();
  const started = await until('the process on the deal closing in two days', async () => (await of(soon)).length === 1 && (await of(soon)));
  assert.equal(started[0].status, 'completed');
  assert.equal((await of(later)).length, 0);
  // The day's job runs again (a restart, a second server): nothing starts twice.
  runDaily();
  await until('the daily job to run again', () => Number(query("SELECT run_at FROM jobs WHERE kind = 'process_date_offset'")) > Date.now());
  assert.equal((await of(soon)).length, 1);
});

test('a wait until a field changes ends with the write that changes it; a wait\'s deadline can branch away', async () => {
  const t = await req(srv, 'POST', '/api/v1/process-templates', { body: {
    key: 'until_amount', name: 'Until the amount changes', entity: 'deals', trigger: { type: 'manual' }, start: 'hold',
    steps: [
      { id: 'hold', kind: 'wait', name: 'Hold', until_changed: 'amount',
        deadline: { amount: 2, unit: 'days', on_overdue: { action: 'branch', step: 'gave_up' } }, next: 'done' },
      { id: 'gave_up', kind: 'end', name: 'Gave up' },
      { id: 'done', kind: 'end', name: 'Done' },
    ] } });
  assert.equal(t.status, 201, t.text);
  const startOn = async (title) => {
    const d = await createOk(srv, 'deals', { title, amount: 10, pipeline_id: pipe.id }, manager);
    const r = await req(srv, 'POST', '/api/v1/process-instances', { auth: manager, body: { template_id: t.body.id, entity: 'deals', record_id: d.id } });
    assert.equal(r.status, 201, r.text);
    return [d, r.body];
  };
  const [d1, i1] = await startOn('Waiting for money');
  assert.equal(i1.current_step, 'hold');
  assert.ok(waiting(i1).due_at);
  // Another field changes: it still waits; the amount changes: it goes on.
  assert.equal((await req(srv, 'PATCH', `/api/v1/deals/${d1.id}`, { auth: manager, body: { title: 'Still waiting' } })).status, 200);
  assert.equal((await get(i1.id, manager)).status, 'running');
  assert.equal((await req(srv, 'PATCH', `/api/v1/deals/${d1.id}`, { auth: manager, body: { amount: 20 } })).status, 200);
  const done = await get(i1.id, manager);
  assert.equal(done.status, 'completed');
  assert.deepEqual(done.steps.map((s) => [s.step_id, s.outcome]), [['hold', 'changed'], ['done', 'ended']]);
  // Nothing changes in time: the deadline takes the other branch.
  const [, i2] = await startOn('Never paid');
  query(`UPDATE jobs SET run_at = 0 WHERE kind = 'process_timer' AND done_at IS NULL AND payload LIKE '%"step":${waiting(i2).id},%'`);
  const late = await until('the deadline branch', async () => {
    const x = await get(i2.id, manager);
    return x.status === 'completed' && x;
  });
  assert.deepEqual(late.steps.map((s) => [s.step_id, s.status]), [['hold', 'skipped'], ['gave_up', 'done']]);
});
