// Workload: each person's next days against the hours they are there. A
// small team on a calendar of 09:00-17:00 UTC weekdays, with a holiday, a
// shortened day and an absence; tasks by estimate (30 minutes without one)
// and meetings, organised or attended, summed per day; load in percent;
// the person sees their own, a head their subtree, an administrator all,
// anyone else 403; bad parameters are 422 naming the field; the check
// answers whether one more task would overload someone that day.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { stopClean, req, assertProblem, assertInvalid, createToken } from '../lib/helpers.mjs';

let srv;
const u = {};     // key -> {id, token}
const dept = {};
const act = {};   // name -> activity id

async function post(path, body, auth) {
  const r = await req(srv, 'POST', path, { body, auth });
  assert.ok(r.status === 201 || r.status === 200, `POST ${path} ${JSON.stringify(body)}: ${r.status} ${r.text}`);
  return r.body;
}

before(async () => {
  srv = await startServer();
  const cal = await post('/api/v1/work-calendars', {
    name: 'Team hours', tz: 'UTC',
    week: [['09:00-17:00'], ['09:00-17:00'], ['09:00-17:00'], ['09:00-17:00'], ['09:00-17:00'], [], []],
    holidays: [{ date: '2026-12-09', name: 'Closed' }, { date: '2026-12-10', name: 'Half', hours: ['09:00-13:00'] }],
  });
  dept.sales = (await post('/api/v1/departments', { name: 'Sales', parent_id: 1, calendar_id: cal.id })).id;
  dept.team = (await post('/api/v1/departments', { name: 'Team', parent_id: dept.sales })).id;
  dept.other = (await post('/api/v1/departments', { name: 'Other', parent_id: 1 })).id;
  const roles = Object.fromEntries((await req(srv, 'GET', '/api/v1/roles')).body.data.map((r) => [r.builtin, r.id]));
  const people = { head: ['head', 'sales', 'Hanna Head'], a: ['manager', 'team', 'Anna A'],
    b: ['manager', 'team', 'Boris B'], peer: ['manager', 'other', 'Pia Peer'] };
  for (const [key, [role, d, name]] of Object.entries(people)) {
    const p = await post('/api/v1/users', { email: `wl.${key}@example.com`, name, password: 'saffron lighthouse quill 27',
      department_id: dept[d], role_id: roles[role] });
    u[key] = { id: p.id, token: createToken(srv, p.email, `wl-${key}`) };
  }
  const h = await req(srv, 'PATCH', `/api/v1/departments/${dept.sales}`, { body: { heads: [u.head.id] } });
  assert.equal(h.status, 200, h.text);
  await post(`/api/v1/users/${u.a.id}/absences`, { from: '2026-12-11', to: '2026-12-11', kind: 'vacation' });
  const task = (subject, owner, due, est) => post('/api/v1/activities', { kind: 'task', subject, owner_id: owner,
    due_at: due, ...(est === undefined ? {} : { estimate_min: est }) });
  act.call = (await task('Call the bank', u.a.id, '2026-12-07T10:00:00Z', 120)).id;
  act.noest = (await task('No estimate', u.a.id, '2026-12-07T16:00:00Z')).id;
  act.report = (await task('Write the report', u.a.id, '2026-12-08T12:00:00Z', 120)).id;
  act.holiday = (await task('On the holiday', u.a.id, '2026-12-09T12:00:00Z', 30)).id;
  act.half = (await task('Half day', u.a.id, '2026-12-10T10:00:00Z', 60)).id;
  act.done = (await task('Already done', u.a.id, '2026-12-07T11:00:00Z', 300)).id;
  const done = await req(srv, 'POST', `/api/v1/activities/${act.done}/complete`);
  assert.equal(done.status, 200, done.text);
  act.workshop = (await post('/api/v1/activities', { kind: 'meeting', subject: 'Workshop', owner_id: u.a.id,
    start_at: '2026-12-08T10:00:00Z', end_at: '2026-12-08T17:00:00Z' })).id;
  act.sync = (await post('/api/v1/activities', { kind: 'meeting', subject: 'Sync', owner_id: u.b.id,
    participants: [u.a.id], start_at: '2026-12-07T14:00:00Z', end_at: '2026-12-07T15:00:00Z' })).id;
});
after(async () => { await stopClean(srv); });

const week = (q, auth) => req(srv, 'GET', `/api/v1/workload?from=2026-12-07&days=7&${q}`, { auth });

test('a week of one person: capacity across a holiday, a shortened day, an absence and the weekend; tasks and meetings summed per day', async () => {
  const r = await week(`user_id=${u.a.id}`, u.a.token);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.from, '2026-12-07');
  assert.equal(r.body.to, '2026-12-13');
  assert.equal(r.body.default_estimate_min, 30);
  assert.equal(r.body.people.length, 1);
  const p = r.body.people[0];
  assert.equal(p.name, 'Anna A');
  const cells = p.days.map((d) => [d.date, d.capacity_min, d.absent, d.task_min, d.meeting_min, d.load_pct, d.overloaded]);
  assert.deepEqual(cells, [
    // Mon: 120 + 30 (no estimate) + the 60-minute sync she attends = 210 of 480 = 43.75%.
    ['2026-12-07', 480, false, 150, 60, 44, false],
    // Tue: 120 + a 7-hour workshop = 540 of 480.
    ['2026-12-08', 480, false, 120, 420, 113, true],
    // Wed: a holiday; work on it has no capacity at all.
    ['2026-12-09', 0, false, 30, 0, null, true],
    // Thu: shortened to 09:00-13:00.
    ['2026-12-10', 240, false, 60, 0, 25, false],
    // Fri: away.
    ['2026-12-11', 0, true, 0, 0, 0, false],
    ['2026-12-12', 0, false, 0, 0, 0, false],
    ['2026-12-13', 0, false, 0, 0, 0, false],
  ]);
  assert.equal(p.capacity_min, 1200);
  // 210 + 540 + 30 + 60 = 840 of 480 + 480 + 240.
  assert.equal(p.planned_min, 840);
  assert.equal(p.load_pct, 70);
  const mon = p.days[0].items.map((i) => [i.id, i.kind, i.subject, i.minutes, i.estimated]);
  // Tasks first by deadline, then meetings; a done task is no load.
  assert.deepEqual(mon, [
    [act.call, 'task', 'Call the bank', 120, true],
    [act.noest, 'task', 'No estimate', 30, false],
    [act.sync, 'meeting', 'Sync', 60, true],
  ]);
});

test('a manager sees only their own row; another person of the team or a peer is 403', async () => {
  const own = await req(srv, 'GET', '/api/v1/workload?from=2026-12-07&days=3', { auth: u.a.token });
  assert.equal(own.status, 200, own.text);
  assert.deepEqual(own.body.people.map((p) => p.user_id), [u.a.id]);
  assertProblem(await week(`user_id=${u.b.id}`, u.a.token), 403);
  assertProblem(await week(`department_id=${dept.team}`, u.a.token), 403);
  assertProblem(await week(`user_id=${u.a.id}`, u.peer.token), 403);
  assertProblem(await week(`department_id=${dept.sales}`, u.peer.token), 403);
  assertProblem(await week('user_id=999999', u.a.token), 404);
});

test('a head sees their subtree by department, and nobody outside it', async () => {
  const r = await week(`department_id=${dept.sales}`, u.head.token);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.people.map((p) => p.name), ['Anna A', 'Boris B', 'Hanna Head']);
  const b = r.body.people.find((p) => p.user_id === u.b.id);
  assert.equal(b.days[0].meeting_min, 60, 'the organiser of the sync carries it too');
  const all = await req(srv, 'GET', '/api/v1/workload?from=2026-12-07&days=1', { auth: u.head.token });
  assert.deepEqual(all.body.people.map((p) => p.name), ['Anna A', 'Boris B', 'Hanna Head']);
  assertProblem(await week(`user_id=${u.peer.id}`, u.head.token), 403);
  assertProblem(await week(`department_id=${dept.other}`, u.head.token), 403);
  const admin = await week(`department_id=${dept.other}`);
  assert.equal(admin.status, 200, admin.text);
  assert.deepEqual(admin.body.people.map((p) => p.name), ['Pia Peer']);
});

test('bad parameters are 422 naming the field', async () => {
  assertInvalid(await req(srv, 'GET', '/api/v1/workload?days=63'), ['days']);
  assertInvalid(await req(srv, 'GET', '/api/v1/workload?days=0'), ['days']);
  assertInvalid(await req(srv, 'GET', '/api/v1/workload?from=2026-02-30'), ['from']);
  assertInvalid(await req(srv, 'GET', '/api/v1/workload?user_id=abc&department_id=-1'), ['user_id', 'department_id']);
  assertInvalid(await req(srv, 'POST', '/api/v1/workload/check', { body: { user_id: 'x', due_at: 'tomorrow', estimate_min: -5 } }),
    ['user_id', 'due_at', 'estimate_min']);
});

test('the check tells whether one more task overloads the person that day', async () => {
  const check = (body, auth) => req(srv, 'POST', '/api/v1/workload/check', { body, auth });
  const tue = await check({ user_id: u.a.id, due_at: '2026-12-08T15:00:00Z', estimate_min: 30 }, u.head.token);
  assert.equal(tue.status, 200, tue.text);
  assert.deepEqual(tue.body, { user_id: u.a.id, day: '2026-12-08', capacity_min: 480, planned_before_min: 540,
    planned_after_min: 570, load_before: 113, load_after: 119, overloaded: true });
  const mon = await check({ user_id: u.a.id, due_at: '2026-12-07T09:30:00Z', estimate_min: 60 }, u.a.token);
  assert.equal(mon.body.load_before, 44);
  assert.equal(mon.body.load_after, 56);
  assert.equal(mon.body.overloaded, false);
  // Editing the report: its own 120 minutes are not counted twice.
  const edit = await check({ user_id: u.a.id, due_at: '2026-12-08T15:00:00Z', estimate_min: 120, activity_id: act.report });
  assert.equal(edit.body.planned_before_min, 420);
  assert.equal(edit.body.planned_after_min, 540);
  const noest = await check({ user_id: u.a.id, due_at: '2026-12-10T10:00:00Z' });
  assert.equal(noest.body.planned_after_min, 90, 'no estimate counts 30 minutes');
  assertProblem(await check({ user_id: u.b.id, due_at: '2026-12-08T15:00:00Z' }, u.peer.token), 403);
});

test('reassigning a task moves its minutes from one person to the other', async () => {
  const got = await req(srv, 'GET', `/api/v1/activities/${act.report}`);
  const r = await req(srv, 'PATCH', `/api/v1/activities/${act.report}`, { body: { owner_id: u.b.id },
    headers: { 'If-Match': got.headers.get('etag') } });
  assert.equal(r.status, 200, r.text);
  const after = await week(`department_id=${dept.team}`, u.head.token);
  const tue = (id) => after.body.people.find((p) => p.user_id === id).days[1];
  assert.equal(tue(u.a.id).task_min, 0);
  assert.equal(tue(u.b.id).task_min, 120);
  assert.ok(tue(u.b.id).items.some((i) => i.id === act.report));
});

test("a business process's step counts in the workload of the person who holds it, on its deadline's day", async () => {
  // The shipped lead follow-up: the deal's owner calls back within the hour.
  const tpls = await req(srv, 'GET', '/api/v1/process-templates');
  const follow = tpls.body.data.find((x) => x.key === 'lead_follow_up');
  assert.ok(follow, 'the shipped lead follow-up template');
  const deal = await post('/api/v1/deals', { title: 'Process load', owner_id: u.b.id });
  const inst = await post('/api/v1/process-instances', { template_id: follow.id, entity: 'deals', record_id: deal.id });
  const step = inst.steps.find((x) => x.status === 'waiting');
  assert.ok(step && step.task_id && step.due_at, `a waiting step with a task and a deadline: ${JSON.stringify(inst.steps)}`);
  const day = step.due_at.slice(0, 10);
  const r = await req(srv, 'GET', `/api/v1/workload?user_id=${u.b.id}&from=${day}&days=1`);
  assert.equal(r.status, 200, r.text);
  const items = r.body.people[0].days[0].items;
  assert.ok(items.some((i) => i.id === step.task_id && i.kind === 'task'),
    `the step's task is in Boris's load of ${day}: ${JSON.stringify(items)}`);
});
