// Plans and plan-fact: an admin and a department's head set targets per person, department or the
// company for this year; a department's plan is shared among its people; plan-fact answers plan,
// actual, percent, the projection at the current pace and the pace still needed, rolled up the
// department tree; a manager sees only their own row, a head their subtree, a peer 403; bad input
// is 422 naming the field; every write is in the audit log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { stopClean, req, assertProblem, assertInvalid, createToken } from '../lib/helpers.mjs';

let srv;
const u = {};
const dept = {};
const period = String(new Date().getUTCFullYear());

async function ok(method, path, body, auth) {
  const r = await req(srv, method, path, { body, auth });
  assert.ok(r.status === 200 || r.status === 201, `${method} ${path} ${JSON.stringify(body)}: ${r.status} ${r.text}`);
  return r.body;
}

before(async () => {
  srv = await startServer();
  dept.sales = (await ok('POST', '/api/v1/departments', { name: 'Plan sales', parent_id: 1 })).id;
  dept.team = (await ok('POST', '/api/v1/departments', { name: 'Plan team', parent_id: dept.sales })).id;
  dept.other = (await ok('POST', '/api/v1/departments', { name: 'Plan other', parent_id: 1 })).id;
  const roles = Object.fromEntries((await req(srv, 'GET', '/api/v1/roles')).body.data.map((r) => [r.builtin, r.id]));
  const people = { head: ['head', 'sales', 'Hedda Head'], a: ['manager', 'team', 'Anna Plan'],
    b: ['manager', 'team', 'Boris Plan'], peer: ['manager', 'other', 'Pia Plan'] };
  for (const [key, [role, d, name]] of Object.entries(people)) {
    const p = await ok('POST', '/api/v1/users', { email: `pl.${key}@example.com`, name, password: 'saffron lighthouse quill 27',
      department_id: dept[d], role_id: roles[role] });
    u[key] = { id: p.id, token: createToken(srv, p.email, `pl-${key}`) };
  }
  await ok('PATCH', `/api/v1/departments/${dept.sales}`, { heads: [u.head.id] });
  const pipe = await ok('POST', '/api/v1/pipelines', { name: 'Plan pipe', stages: [{ name: 'New' }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }] });
  const won = pipe.stages.find((s) => s.kind === 'won');
  const deal = async (owner, amount, win) => {
    const d = await ok('POST', '/api/v1/deals', { title: `Deal ${amount}`, pipeline_id: pipe.id, amount, currency: 'EUR', owner_id: owner });
    if (win) await ok('POST', `/api/v1/deals/${d.id}/move`, { stage_id: won.id });
  };
  await deal(u.a.id, 4000, true);
  await deal(u.a.id, 2000, true);
  await deal(u.b.id, 5000, true);
  await deal(u.a.id, 9000, false);
  await ok('POST', '/api/v1/companies', { name: 'Plan client', owner_id: u.a.id });
  const task = await ok('POST', '/api/v1/activities', { kind: 'task', subject: 'Plan task', owner_id: u.a.id, due_at: '2030-01-01T10:00:00Z' });
  await ok('POST', `/api/v1/activities/${task.id}/complete`);
});
after(async () => { await stopClean(srv); });

const put = (cells, auth) => req(srv, 'PUT', '/api/v1/plans', { body: { period, cells }, auth });

test('targets are written to the grid and read back; the write is audited', async () => {
  const r = await put([
    { scope: 'department', id: dept.sales, metric: 'revenue_won', target: 30000 },
    { scope: 'user', id: u.a.id, metric: 'deals_won', target: 4 },
    { scope: 'company', id: null, metric: 'tasks_done', target: 100 },
  ]);
  assert.equal(r.status, 200, r.text);
  const row = (scope, id) => r.body.rows.find((x) => x.scope === scope && x.id === id);
  assert.deepEqual(row('department', dept.sales).plan, { revenue_won: 30000 });
  assert.deepEqual(row('user', u.a.id).plan, { deals_won: 4 });
  assert.deepEqual(row('company', null).plan, { tasks_done: 100 });
  assert.deepEqual(r.body.metrics, ['revenue_won', 'deals_won', 'avg_deal_size', 'new_clients', 'calls', 'meetings', 'tasks_done']);
  const audit = await req(srv, 'GET', '/api/v1/audit?action=plan.changed');
  assert.equal(audit.status, 200, audit.text);
  assert.ok(audit.body.data.length >= 1);
  // Clearing a target with null.
  const cleared = await put([{ scope: 'company', id: null, metric: 'tasks_done', target: null }]);
  assert.deepEqual(cleared.body.rows.find((x) => x.scope === 'company').plan, {});
});

test('a head splits their team\'s plan equally among its people, the remainder to the first', async () => {
  assert.equal((await put([{ scope: 'department', id: dept.team, metric: 'revenue_won', target: 10001 }], u.head.token)).status, 200);
  const r = await req(srv, 'POST', '/api/v1/plans/split', { body: { department_id: dept.team, metric: 'revenue_won', period, mode: 'equal' }, auth: u.head.token });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.people.map((p) => [p.name, p.target]), [['Anna Plan', 5001], ['Boris Plan', 5000]]);
  const audit = await req(srv, 'GET', '/api/v1/audit?action=plan.split');
  assert.equal(audit.body.data.length, 1);
  assertInvalid(await req(srv, 'POST', '/api/v1/plans/split', { body: { department_id: dept.team, metric: 'calls', period, mode: 'equal' } }), ['metric']);
  assertInvalid(await req(srv, 'POST', '/api/v1/plans/split', { body: { department_id: dept.team, metric: 'revenue_won', period, mode: 'weighted' } }), ['mode']);
});

test('plan-fact: plan, actual, percent, projection and pace per person, rolled up the tree', async () => {
  const r = await req(srv, 'GET', `/api/v1/plans/fact?period=${period}&department_id=${dept.sales}`, { auth: u.head.token });
  assert.equal(r.status, 200, r.text);
  const f = r.body;
  assert.equal(f.from, `${period}-01-01`);
  assert.equal(f.to, `${period}-12-31`);
  assert.ok(f.working_days > 250 && f.elapsed_days >= 1 && f.elapsed_days <= f.working_days);
  const row = (scope, id) => f.rows.find((x) => x.scope === scope && x.id === id);
  assert.deepEqual(f.rows.map((x) => x.name), ['Plan sales', 'Plan team', 'Anna Plan', 'Boris Plan', 'Hedda Head']);
  const proj = (actual) => Math.floor((actual * f.working_days) / f.elapsed_days);
  const a = row('user', u.a.id).metrics;
  // Anna: 4000 + 2000 won (the open 9000 is not), of 5001: 119.98% -> 120.
  assert.deepEqual(a.revenue_won, { plan: 5001, actual: 6000, percent: 120, projection: proj(6000),
    pace_needed: f.working_days > f.elapsed_days ? 0 : null, behind: false });
  assert.equal(a.deals_won.actual, 2);
  assert.equal(a.deals_won.percent, 50);
  assert.deepEqual(a.avg_deal_size, { plan: null, actual: 3000, percent: null, projection: 3000, pace_needed: null, behind: false });
  assert.equal(a.new_clients.actual, 1);
  assert.equal(a.tasks_done.actual, 1);
  assert.equal(a.calls.actual, 0);
  // The team: its own plan (10001) against both people's 11000.
  const team = row('department', dept.team).metrics;
  assert.equal(team.revenue_won.plan, 10001);
  assert.equal(team.revenue_won.actual, 11000);
  // deals_won has no team plan: the sum of its people's (Anna's 4).
  assert.equal(team.deals_won.plan, 4);
  assert.equal(team.deals_won.actual, 3);
  const sales = row('department', dept.sales).metrics;
  assert.equal(sales.revenue_won.plan, 30000);
  assert.equal(sales.revenue_won.actual, 11000);
  assert.equal(sales.revenue_won.percent, 37);
  assert.equal(sales.revenue_won.projection, proj(11000));
  assert.equal(sales.revenue_won.behind, proj(11000) < 30000);
  const left = f.working_days - f.elapsed_days;
  assert.equal(sales.revenue_won.pace_needed, left > 0 ? Math.ceil(19000 / left) : null);
  assert.equal(sales.deals_won.plan, 4, 'rolled up from the team');
});

test('rights: a manager sees only their own row and writes nothing; a head their subtree; a peer 403', async () => {
  const own = await req(srv, 'GET', `/api/v1/plans?period=${period}`, { auth: u.a.token });
  assert.equal(own.status, 200, own.text);
  assert.deepEqual(own.body.rows.map((x) => [x.scope, x.id]), [['user', u.a.id]]);
  const fact = await req(srv, 'GET', `/api/v1/plans/fact?period=${period}`, { auth: u.a.token });
  assert.deepEqual(fact.body.rows.map((x) => [x.scope, x.id]), [['user', u.a.id]]);
  assertProblem(await put([{ scope: 'user', id: u.a.id, metric: 'calls', target: 5 }], u.a.token), 403);
  assertProblem(await req(srv, 'GET', `/api/v1/plans/fact?period=${period}&department_id=${dept.sales}`, { auth: u.peer.token }), 403);
  assertProblem(await put([{ scope: 'company', id: null, metric: 'calls', target: 5 }], u.head.token), 403);
  assertProblem(await put([{ scope: 'user', id: u.peer.id, metric: 'calls', target: 5 }], u.head.token), 403);
  assertProblem(await req(srv, 'POST', '/api/v1/plans/split', { body: { department_id: dept.team, metric: 'revenue_won', period, mode: 'equal' }, auth: u.peer.token }), 403);
  const head = await req(srv, 'GET', `/api/v1/plans?period=${period}`, { auth: u.head.token });
  assert.deepEqual(head.body.rows.map((x) => x.name), ['Plan sales', 'Plan team', 'Anna Plan', 'Boris Plan', 'Hedda Head']);
});

test('bad input is 422 naming the field, and nothing is half-written', async () => {
  assertInvalid(await req(srv, 'GET', '/api/v1/plans?period=2026-Q5'), ['period']);
  assertInvalid(await req(srv, 'GET', '/api/v1/plans/fact?period=26'), ['period']);
  assertInvalid(await req(srv, 'GET', `/api/v1/plans/fact?period=${period}&department_id=x`), ['department_id']);
  const bad = await put([
    { scope: 'user', id: u.b.id, metric: 'calls', target: 7 },
    { scope: 'user', id: u.b.id, metric: 'happiness', target: 1 },
    { scope: 'team', id: 1, metric: 'calls', target: 1 },
    { scope: 'user', id: u.b.id, metric: 'calls', target: -1 },
  ]);
  assertInvalid(bad, ['cells[1].metric', 'cells[2].scope', 'cells[3].target']);
  const grid = await req(srv, 'GET', `/api/v1/plans?period=${period}`);
  assert.equal(grid.body.rows.find((x) => x.scope === 'user' && x.id === u.b.id).plan.calls, undefined, 'nothing written');
  assertInvalid(await req(srv, 'PUT', '/api/v1/plans', { body: { period: '2026-13', cells: [] } }), ['period', 'cells']);
});
