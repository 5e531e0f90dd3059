// The schedule trigger and the tasks a process makes (issue 10): a
// template on a cron schedule starts one instance per record its filter
// matches at each occurrence, from a job per template version that
// re-arms itself at the next occurrence (the job is driven here by moving
// its run_at, as the other job tests do: no sleeping until 09:00); a new
// version ends the old version's job; an archived template's schedule
// starts nothing. Bad schedules are refused naming the member at fault.
// The task of a step names its instance and step, and the activities
// list filters by instance.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, PG, pgSql } from '../lib/server.mjs';
import { stopClean, req, assertInvalid, addUser, createToken, createOk, until } from '../lib/helpers.mjs';

let srv;
let manager, managerId;
let pipe;

function query(sql) {
  const out = PG ? pgSql(sql, srv.db)
    : execFileSync('sqlite3', ['-batch', '-cmd', '.timeout 10000', '-noheader', '-list', srv.db, sql], { encoding: 'utf8' });
  return out.trim();
}

const scheduled = (key, trigger, steps) => ({
  key, name: `Scheduled ${key}`, entity: 'deals', trigger: { type: 'schedule', cron: '0 9 * * 1-5', tz: 'Europe/Berlin', ...trigger },
  start: steps ? steps[0].id : 'check',
  steps: steps || [
    { id: 'check', kind: 'task', name: 'Check the deal', responsible: 'record_owner', next: 'done' },
    { id: 'done', kind: 'end', name: 'Done' },
  ],
});

before(async () => {
  srv = await startServer();
  addUser(srv, 'sched.manager@example.com', 'amber otter juggles seventeen lanterns', { name: 'Sched Manager' });
  manager = createToken(srv, 'sched.manager@example.com', 'sm');
  managerId = (await req(srv, 'GET', '/api/v1/auth/me', { auth: manager })).body.id;
  pipe = (await req(srv, 'POST', '/api/v1/pipelines', { body: { name: 'Sched', stages: [
    { name: 'Lead' }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }] } })).body;
});
after(async () => { await stopClean(srv); });

const job = (tid, version, col) => query(`SELECT ${col} FROM jobs WHERE unique_key = 'process_schedule:${tid}:${version}'`);
const runAt = (tid, version) => Number(job(tid, version, 'run_at'));
const isDone = (tid, version) => job(tid, version, 'done_at IS NOT NULL') === (PG ? 't' : '1');
const fire = (tid, version) => query(`UPDATE jobs SET run_at = 0 WHERE unique_key = 'process_schedule:${tid}:${version}'`);
const instancesOf = async (tid) => (await req(srv, 'GET', `/api/v1/process-instances?template_id=${tid}&status=running`)).body.data;
const runs = async (tid) => (await req(srv, 'GET', '/api/v1/audit?action=process.schedule_run&limit=200')).body.data
  .filter((a) => a.record_id === tid);

test('a schedule with a filter starts one instance per matching deal at an occurrence, then waits for the next one', async () => {
  const big = await createOk(srv, 'deals', { title: 'Big one', amount: 5000, pipeline_id: pipe.id }, manager);
  const big2 = await createOk(srv, 'deals', { title: 'Big two', amount: 9000, pipeline_id: pipe.id }, manager);
  const small = await createOk(srv, 'deals', { title: 'Small one', amount: 10, pipeline_id: pipe.id }, manager);
  const t = await req(srv, 'POST', '/api/v1/process-templates', { body: scheduled('big_weekly', {
    filter: { all: [{ field: 'amount', op: 'gte', value: 1000 }, { field: 'title', op: 'ne', value: 'Big two' }] } }) });
  assert.equal(t.status, 201, t.text);
  // Armed at the next occurrence, which the template shows.
  const armed = runAt(t.body.id, 1);
  assert.ok(armed > Date.now(), 'the job waits for the next 09:00 on a weekday');
  assert.equal(new Date(t.body.next_run_at).getTime(), armed);
  assert.equal(new Date(armed).getUTCMinutes(), 0);
  assert.equal(await instancesOf(t.body.id).then((d) => d.length), 0, 'nothing starts before the occurrence');

  fire(t.body.id, 1);
  const started = await until('the occurrence to start its instances', async () => {
    const d = await instancesOf(t.body.id);
    return d.length > 0 && d;
  });
  assert.deepEqual(started.map((i) => i.record_id), [big.id], 'exactly the deals the filter matches');
  assert.ok(!started.some((i) => i.record_id === big2.id || i.record_id === small.id));
  // Re-armed at the next occurrence, after now: the occurrence ran once.
  await until('the job re-armed', () => runAt(t.body.id, 1) > Date.now());
  assert.equal(isDone(t.body.id, 1), false);
  const audit = await runs(t.body.id);
  assert.equal(audit.length, 1, 'one run for one occurrence');
  assert.equal(audit[0].detail.started, 1);
  assert.equal(audit[0].detail.capped, false);
  const by = (await req(srv, 'GET', '/api/v1/audit?action=process.started&limit=200')).body.data
    .filter((a) => a.detail.template_id === t.body.id);
  assert.deepEqual(by.map((a) => a.detail.by), ['schedule']);

  // The next occurrence (driven the same way) starts again on the matching deals.
  fire(t.body.id, 1);
  await until('the second occurrence', async () => (await instancesOf(t.body.id)).length === 2);
  assert.equal((await runs(t.body.id)).length, 2);
});

test('the task of a process step names its instance and step; the activities list filters by instance', async () => {
  const deal = await createOk(srv, 'deals', { title: 'Linked', amount: 100, pipeline_id: pipe.id }, manager);
  const t = await req(srv, 'POST', '/api/v1/process-templates', { body: { ...scheduled('linked', {}), trigger: { type: 'manual' } } });
  assert.equal(t.status, 201, t.text);
  const start = () => req(srv, 'POST', '/api/v1/process-instances', { auth: manager, body: { template_id: t.body.id, entity: 'deals', record_id: deal.id } });
  const a = (await start()).body;
  const b = (await start()).body;
  const step = a.steps.find((s) => s.status === 'waiting');
  assert.equal(a.record_name, 'Linked', 'the instance names its record as its page does');
  const task = (await req(srv, 'GET', `/api/v1/activities/${step.task_id}`, { auth: manager })).body;
  assert.equal(task.process_instance_id, a.id);
  assert.equal(task.process_step_id, step.id);
  assert.equal(task.process_step_name, 'Check the deal');
  assert.equal(task.process_name, 'Scheduled linked');
  // The list answers the tasks of one instance only.
  const list = (await req(srv, 'GET', `/api/v1/activities?process_instance_id=${a.id}`, { auth: manager })).body.data;
  assert.deepEqual(list.map((x) => x.id), [step.task_id]);
  const other = (await req(srv, 'GET', `/api/v1/activities?process_instance_id=${b.id}`, { auth: manager })).body.data;
  assert.equal(other.length, 1);
  assert.notEqual(other[0].id, step.task_id);
  // Only the engine sets the link.
  assertInvalid(await req(srv, 'PATCH', `/api/v1/activities/${task.id}`, { auth: manager, body: { process_instance_id: b.id } }), ['process_instance_id']);
  assertInvalid(await req(srv, 'POST', '/api/v1/activities', { auth: manager, body: { kind: 'task', subject: 'Fake step', process_step_id: step.id } }), ['process_step_id']);
  // A task made by hand names no process.
  const plain = await createOk(srv, 'activities', { kind: 'task', subject: 'By hand' }, manager);
  assert.equal(plain.process_instance_id, null);
  assert.equal(plain.process_step_name, null);
  // Completing the task completes the step, as before.
  assert.equal((await req(srv, 'PATCH', `/api/v1/activities/${task.id}`, { auth: manager, body: { status: 'done' } })).status, 200);
  const after1 = (await req(srv, 'GET', `/api/v1/process-instances/${a.id}`, { auth: manager })).body;
  assert.equal(after1.status, 'completed');
  assert.equal(task.owner_id, managerId);
});

test('a new version ends the old version\'s schedule job; an archived template\'s schedule starts nothing', async () => {
  await createOk(srv, 'deals', { title: 'Any deal', amount: 1, pipeline_id: pipe.id }, manager);
  const def = scheduled('versioned', { filter: { field: 'title', op: 'eq', value: 'Any deal' } });
  const t = await req(srv, 'POST', '/api/v1/process-templates', { body: def });
  assert.equal(t.status, 201, t.text);
  const v2 = await req(srv, 'PUT', `/api/v1/process-templates/${t.body.id}`, { headers: { 'If-Match': '"1"' },
    body: { ...def, trigger: { ...def.trigger, cron: '30 7 1 * *' } } });
  assert.equal(v2.status, 200, v2.text);
  assert.ok(runAt(t.body.id, 2) > Date.now());
  assert.equal(new Date(v2.body.next_run_at).getTime(), runAt(t.body.id, 2));
  fire(t.body.id, 1);
  await until('the old version\'s job to end', () => isDone(t.body.id, 1));
  assert.equal((await runs(t.body.id)).length, 0, 'the old version starts nothing');

  assert.equal((await req(srv, 'POST', `/api/v1/process-templates/${t.body.id}/archive`)).status, 200);
  fire(t.body.id, 2);
  await until('the archived template\'s job to re-arm', () => runAt(t.body.id, 2) > Date.now());
  assert.equal(isDone(t.body.id, 2), false, 'restoring it needs no new job');
  assert.equal((await instancesOf(t.body.id)).length, 0);
  assert.equal((await req(srv, 'POST', `/api/v1/process-templates/${t.body.id}/restore`)).status, 200);
  fire(t.body.id, 2);
  await until('the restored schedule to start', async () => (await instancesOf(t.body.id)).length === 1);
});

test('bad schedules are refused naming the member at fault', async () => {
  const bad = async (trigger, fields) => {
    const r = await req(srv, 'POST', '/api/v1/process-templates/validate', { body: scheduled('bad_sched', trigger) });
    assertInvalid(r, fields);
    const s = await req(srv, 'POST', '/api/v1/process-templates', { body: scheduled('bad_sched', trigger) });
    assertInvalid(s, fields);
    return r.body.errors;
  };
  await bad({ cron: '61 9 * * *' }, ['trigger.cron']);
  await bad({ cron: '0 9 * *' }, ['trigger.cron']);
  await bad({ cron: '0 0 31 2 *' }, ['trigger.cron']);
  await bad({ cron: '0 9 * * MON' }, ['trigger.cron']);
  await bad({ tz: 'Mars/Olympus' }, ['trigger.tz']);
  await bad({ tz: '../../etc/passwd' }, ['trigger.tz']);
  await bad({ filter: { field: 'no_such_field', op: 'eq', value: 1 } }, ['trigger.filter.field']);
  await bad({ filter: { field: 'amount', op: 'changed' } }, ['trigger.filter']);
  await bad({ filter: 'amount > 5' }, ['trigger.filter']);
  await bad({ every: 'day' }, ['trigger']);
  // Nothing was saved, so nothing was scheduled.
  assert.equal(query("SELECT COUNT(*) FROM process_templates WHERE key = 'bad_sched'"), '0');
});

test('the schedule preview lists the next occurrences on the zone\'s wall clock, and names a bad field', async () => {
  const r = await req(srv, 'POST', '/api/v1/process-templates/schedule-preview', { auth: manager, body: { cron: '30 9 * * 1-5', tz: 'Europe/Berlin' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.next.length, 3);
  assert.equal(r.body.local.length, 3);
  for (let k = 0; k < 3; k++) {
    assert.match(r.body.local[k], /^\d{4}-\d\d-\d\d 09:30$/);
    const d = new Date(r.body.next[k]);
    assert.ok(d.getTime() > Date.now());
    assert.ok([1, 2, 3, 4, 5].includes(d.getUTCDay()), 'weekdays only');
    if (k > 0) assert.ok(d > new Date(r.body.next[k - 1]));
  }
  const five = await req(srv, 'POST', '/api/v1/process-templates/schedule-preview', { auth: manager, body: { cron: '*/15 * * * *', tz: 'UTC', count: 5 } });
  assert.equal(five.body.next.length, 5);
  assert.equal(new Date(five.body.next[1]) - new Date(five.body.next[0]), 15 * 60000);
  assertInvalid(await req(srv, 'POST', '/api/v1/process-templates/schedule-preview', { auth: manager, body: { cron: '0 25 * * *', tz: 'UTC' } }), ['cron']);
  assertInvalid(await req(srv, 'POST', '/api/v1/process-templates/schedule-preview', { auth: manager, body: { cron: '0 9 * * *', tz: 'Nowhere/Land' } }), ['tz']);
  assertInvalid(await req(srv, 'POST', '/api/v1/process-templates/schedule-preview', { auth: manager, body: { cron: '0 9 * * *', tz: 'UTC', count: 11 } }), ['count']);
  assertInvalid(await req(srv, 'POST', '/api/v1/process-templates/schedule-preview', { auth: manager, body: { cron: '0 0 31 2 *', tz: 'UTC' } }), ['cron']);
});
