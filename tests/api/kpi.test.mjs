// KPI scorecards: an admin defines a scorecard for a team; each person's score for this month is
// computed from their records and explained line by line, to the basis point, on a hand-computed
// data set (linear with a cap, threshold, inverse, shares, a line without data whose weight goes to
// the others); closing the month freezes the results, which new data no longer moves, until an
// admin reopens it; a manager sees their own results, a head their subtree's, anyone else 404; bad
// scorecards are 422 naming the field; every write is in the audit log. Process steps on time are
// counted from real steps whose deadlines the test sets in the database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, PG, pgSql } from '../lib/server.mjs';
import { stopClean, req, assertProblem, assertInvalid, createToken } from '../lib/helpers.mjs';

let srv;
let pipe;
let card;
const u = {};
const dept = {};
const now = new Date();
const period = now.toISOString().slice(0, 7);
const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
const monthEnd = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
const iso = (ms) => new Date(ms).toISOString();

async function ok(method, path, body, auth) {
  const r = await req(srv, method, path, { body, auth });
  assert.ok(r.status === 200 || r.status === 201, `${method} ${path} ${JSON.stringify(body)}: ${r.status} ${r.text}`);
  return r.body;
}

async function wonDeal(owner, amount) {
  const d = await ok('POST', '/api/v1/deals', { title: `KPI deal ${amount}`, pipeline_id: pipe.id, amount, currency: 'EUR', owner_id: owner });
  await ok('POST', `/api/v1/deals/${d.id}/move`, { stage_id: pipe.stages.find((s) => s.kind === 'won').id });
}

const lines = [
  { metric: 'revenue_won', target: 10000, weight: 40, rule: 'linear', cap: 120 },
  { metric: 'calls', target: 2, weight: 10, rule: 'threshold' },
  { metric: 'tasks_on_time', target: 9000, weight: 20, rule: 'linear' },
  { metric: 'overdue_tasks', target: 0, weight: 20, rule: 'inverse', worst: 4 },
  { metric: 'data_completeness', target: 8000, weight: 10, rule: 'linear' },
  { metric: 'steps_on_time', target: 9000, weight: 50, rule: 'linear' },
];

before(async () => {
  srv = await startServer();
  dept.sales = (await ok('POST', '/api/v1/departments', { name: 'KPI sales', parent_id: 1 })).id;
  dept.team = (await ok('POST', '/api/v1/departments', { name: 'KPI team', parent_id: dept.sales })).id;
  dept.other = (await ok('POST', '/api/v1/departments', { name: 'KPI other', parent_id: 1 })).id;
  const roles = Object.fromEntries((await req(srv, 'GET', '/api/v1/roles')).body.data.map((r) => [r.builtin, r.id]));
  const people = { head: ['head', 'sales', 'Hanna Head'], a: ['manager', 'team', 'Anna Kpi'],
    b: ['manager', 'team', 'Boris Kpi'], peer: ['manager', 'other', 'Pia Kpi'] };
  for (const [key, [role, d, name]] of Object.entries(people)) {
    const p = await ok('POST', '/api/v1/users', { email: `kpi.${key}@example.com`, name, password: 'saffron lighthouse quill 27',
      department_id: dept[d], role_id: roles[role] });
    u[key] = { id: p.id, token: createToken(srv, p.email, `kpi-${key}`) };
  }
  await ok('PATCH', `/api/v1/departments/${dept.sales}`, { heads: [u.head.id] });
  pipe = await ok('POST', '/api/v1/pipelines', { name: 'KPI pipe', stages: [{ name: 'New' }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }] });
  // Anna: 6000 won; 3 calls; of 3 tasks due this month one done on time, one done late, one
  // open and overdue; of her 2 companies one complete (phone, email, source).
  await wonDeal(u.a.id, 4000);
  await wonDeal(u.a.id, 2000);
  for (let i = 0; i < 3; i++) await ok('POST', '/api/v1/activities', { kind: 'call', direction: 'out', subject: `KPI call ${i}`, owner_id: u.a.id });
  const past = iso(monthStart + 60000);
  const ahead = iso(Date.now() + Math.floor((monthEnd - Date.now()) / 2));
  const late = await ok('POST', '/api/v1/activities', { kind: 'task', subject: 'Late', owner_id: u.a.id, due_at: past });
  await ok('POST', `/api/v1/activities/${late.id}/complete`);
  const early = await ok('POST', '/api/v1/activities', { kind: 'task', subject: 'Early', owner_id: u.a.id, due_at: ahead });
  await ok('POST', `/api/v1/activities/${early.id}/complete`);
  await ok('POST', '/api/v1/activities', { kind: 'task', subject: 'Forgotten', owner_id: u.a.id, due_at: past });
  await ok('POST', '/api/v1/activities', { kind: 'task', subject: 'Not yet due', owner_id: u.a.id, due_at: ahead });
  await ok('POST', '/api/v1/companies', { name: 'KPI full', owner_id: u.a.id, phones: ['+1 555 0101'],
    emails: ['full@kpi.example'], source: 'web' });
  await ok('POST', '/api/v1/companies', { name: 'KPI bare', owner_id: u.a.id });
});
after(async () => { await stopClean(srv); });

test('an admin defines a scorecard; it reads back as written and the write is audited', async () => {
  const r = await req(srv, 'POST', '/api/v1/kpi/scorecards', { body: { name: 'Team month', applies: 'department',
    department_id: dept.team, period_kind: 'month', lines } });
  assert.equal(r.status, 201, r.text);
  card = r.body;
  assert.equal(card.name, 'Team month');
  assert.equal(card.department_id, dept.team);
  assert.deepEqual(card.lines.map((l) => l.metric), lines.map((l) => l.metric));
  assert.deepEqual(card.lines[0], lines[0]);
  assert.deepEqual(card.lines[1], { ...lines[1], bands: [] });
  assert.deepEqual(card.lines[3], lines[3]);
  assert.deepEqual((await ok('GET', `/api/v1/kpi/scorecards/${card.id}`)).lines, card.lines);
  const audit = await ok('GET', '/api/v1/audit?action=kpi.scorecard_created');
  assert.equal(audit.data.length, 1);
});

const line = (person, metric) => person.lines.find((l) => l.metric === metric);

test('scores are exact and explained line by line; a line without data gives its weight away', async () => {
  const r = await ok('GET', `/api/v1/kpi/results?scorecard_id=${card.id}&period=${period}`);
  assert.equal(r.period, period);
  assert.deepEqual(r.people.map((p) => p.name), ['Anna Kpi', 'Boris Kpi']);
  const a = r.people[0];
  assert.equal(a.closed, false);
  // revenue 6000 of 10000: 60.00; calls 3 >= 2: 100; on time 1 of 3 = 3333 bp of 9000: 37.03;
  // overdue 2 (one late, one open) between 0 and 4: 50; complete 1 of 2 = 5000 of 8000: 62.50;
  // no process steps: no data. Total (6000*40 + 10000*10 + 3703*20 + 5000*20 + 6250*10) / 100.
  assert.deepEqual(a.lines.map((l) => [l.metric, l.actual, l.score_bp]), [
    ['revenue_won', 6000, 6000], ['calls', 3, 10000], ['tasks_on_time', 3333, 3703],
    ['overdue_tasks', 2, 5000], ['data_completeness', 5000, 6250], ['steps_on_time', null, null]]);
  assert.equal(line(a, 'steps_on_time').no_data, true);
  assert.equal(line(a, 'revenue_won').contribution_bp, 2400);
  assert.equal(line(a, 'calls').contribution_bp, 1000);
  assert.equal(line(a, 'steps_on_time').contribution_bp, 0);
  assert.equal(a.total_bp, 5765);
  // Boris has done nothing: 0, 0, no data, no overdue (100), no data, no data: 100*20/70.
  const b = r.people[1];
  assert.deepEqual(b.lines.map((l) => l.score_bp), [0, 0, null, 10000, null, null]);
  assert.equal(b.total_bp, 2857);
});

test('rights: a manager sees their own results, a head their subtree, anyone else 404', async () => {
  const own = await ok('GET', `/api/v1/kpi/results?scorecard_id=${card.id}&period=${period}`, undefined, u.a.token);
  assert.deepEqual(own.people.map((p) => p.user_id), [u.a.id]);
  assertProblem(await req(srv, 'GET', `/api/v1/kpi/results?scorecard_id=${card.id}&period=${period}&user_id=${u.b.id}`, { auth: u.a.token }), 404);
  const head = await ok('GET', `/api/v1/kpi/results?scorecard_id=${card.id}&period=${period}`, undefined, u.head.token);
  assert.deepEqual(head.people.map((p) => p.name), ['Anna Kpi', 'Boris Kpi']);
  const one = await ok('GET', `/api/v1/kpi/results?scorecard_id=${card.id}&period=${period}&user_id=${u.b.id}`, undefined, u.head.token);
  assert.deepEqual(one.people.map((p) => p.user_id), [u.b.id]);
  assertProblem(await req(srv, 'GET', `/api/v1/kpi/results?scorecard_id=${card.id}&period=${period}`, { auth: u.peer.token }), 404);
  assertProblem(await req(srv, 'GET', `/api/v1/kpi/scorecards/${card.id}`, { auth: u.peer.token }), 404);
  assert.deepEqual((await ok('GET', '/api/v1/kpi/scorecards', undefined, u.peer.token)).data, []);
  assert.deepEqual((await ok('GET', '/api/v1/kpi/scorecards', undefined, u.a.token)).data.map((c) => c.id), [card.id]);
  // Scorecards are the admin's to write; closing is a head's or the admin's.
  assertProblem(await req(srv, 'POST', '/api/v1/kpi/scorecards', { body: { name: 'Mine', applies: 'users', user_ids: [u.a.id],
    period_kind: 'month', lines }, auth: u.head.token }), 403);
  assertProblem(await req(srv, 'PATCH', `/api/v1/kpi/scorecards/${card.id}`, { body: { name: 'x' }, auth: u.a.token }), 403);
  assertProblem(await req(srv, 'POST', '/api/v1/kpi/periods/close', { body: { scorecard_id: card.id, period }, auth: u.a.token }), 403);
  assertProblem(await req(srv, 'POST', '/api/v1/kpi/periods/close', { body: { scorecard_id: card.id, period }, auth: u.peer.token }), 403);
});

test('who a scorecard applies to is the admin\'s to read: a head and a manager get its name, period and lines only', async () => {
  const pair = await ok('POST', '/api/v1/kpi/scorecards', { name: 'Pair month', applies: 'users', user_ids: [u.a.id, u.b.id],
    period_kind: 'month', lines: [{ metric: 'calls', target: 2, weight: 1, rule: 'threshold' }] });
  const targeting = ['applies', 'user_ids', 'department_id', 'role_id'];
  assert.deepEqual(pair.user_ids, [u.a.id, u.b.id], 'the admin reads the whole definition');
  try {
    for (const who of [u.a, u.head]) {
      const one = await ok('GET', `/api/v1/kpi/scorecards/${pair.id}`, undefined, who.token);
      const listed = (await ok('GET', '/api/v1/kpi/scorecards', undefined, who.token)).data;
      for (const c of [one, ...listed]) {
        for (const k of targeting) assert.ok(!(k in c), `${k} hidden in ${JSON.stringify(c)}`);
        assert.ok(c.name && c.period_kind && Array.isArray(c.lines) && c.version, JSON.stringify(c));
      }
      assert.deepEqual(one.lines, pair.lines);
      assert.ok(listed.some((c) => c.id === pair.id));
    }
    // Their results name only the people they may see.
    const own = await ok('GET', `/api/v1/kpi/results?scorecard_id=${pair.id}&period=${period}`, undefined, u.a.token);
    assert.deepEqual(own.people.map((p) => p.user_id), [u.a.id]);
    for (const k of targeting) assert.ok(!(k in own), k);
  } finally {
    assert.equal((await req(srv, 'DELETE', `/api/v1/kpi/scorecards/${pair.id}`)).status, 204);
  }
});

test('a scorecard is changed with If-Match on its ETag: a stale one answers 412 and changes nothing', async () => {
  const made = await req(srv, 'POST', '/api/v1/kpi/scorecards', { body: { name: 'Guarded', applies: 'users', user_ids: [u.a.id],
    period_kind: 'month', lines: [{ metric: 'calls', target: 2, weight: 1, rule: 'threshold' }] } });
  assert.equal(made.status, 201, made.text);
  try {
    assert.equal(made.headers.get('etag'), `"${made.body.version}"`);
    const read = await req(srv, 'GET', `/api/v1/kpi/scorecards/${made.body.id}`);
    const etag = read.headers.get('etag');
    assert.equal(etag, `"${read.body.version}"`);
    const first = await req(srv, 'PATCH', `/api/v1/kpi/scorecards/${made.body.id}`, { body: { name: 'Guarded 2' }, headers: { 'If-Match': etag } });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.headers.get('etag'), `"${read.body.version + 1}"`);
    // A second editor still holding the first ETag.
    const stale = await req(srv, 'PATCH', `/api/v1/kpi/scorecards/${made.body.id}`, { body: { name: 'Lost update' }, headers: { 'If-Match': etag } });
    assertProblem(stale, 412);
    assertProblem(await req(srv, 'PATCH', `/api/v1/kpi/scorecards/${made.body.id}`, { body: { name: 'Bad tag' }, headers: { 'If-Match': 'banana' } }), 412);
    const now2 = (await ok('GET', `/api/v1/kpi/scorecards/${made.body.id}`));
    assert.equal(now2.name, 'Guarded 2');
    assert.equal(now2.version, read.body.version + 1);
    assert.equal((await ok('GET', `/api/v1/audit?entity=kpi_scorecards&record_id=${made.body.id}&limit=50`)).data
      .filter((e) => e.action === 'kpi.scorecard_changed').length, 1);
    // Without If-Match the change applies to the version it reads.
    assert.equal((await req(srv, 'PATCH', `/api/v1/kpi/scorecards/${made.body.id}`, { body: { name: 'Guarded 3' } })).status, 200);
  } finally {
    assert.equal((await req(srv, 'DELETE', `/api/v1/kpi/scorecards/${made.body.id}`)).status, 204);
  }
});

test('bad scorecards and queries are 422 naming the field; nothing is written', async () => {
  const bad = await req(srv, 'POST', '/api/v1/kpi/scorecards', { body: { name: '', applies: 'department', period_kind: 'week',
    lines: [{ metric: 'luck', target: 1, weight: 1, rule: 'linear' },
      { metric: 'overdue_tasks', target: 5, weight: 1, rule: 'inverse', worst: 3 }] } });
  assertInvalid(bad, ['name', 'period_kind', 'department_id', 'lines[0].metric', 'lines[1].worst']);
  assertInvalid(await req(srv, 'POST', '/api/v1/kpi/scorecards', { body: { name: 'No lines', applies: 'users',
    user_ids: [999999], period_kind: 'month', lines: [] } }), ['user_ids', 'lines']);
  assertInvalid(await req(srv, 'PATCH', `/api/v1/kpi/scorecards/${card.id}`, { body: { lines: [{ metric: 'calls', target: 1,
    weight: 0, rule: 'threshold', bands: [{ min: 3, score: 50 }, { min: 2, score: 100 }] }] } }), ['lines[0].weight', 'lines[0].bands[1].min']);
  assertInvalid(await req(srv, 'PATCH', `/api/v1/kpi/scorecards/${card.id}`, { body: { colour: 'red' } }), ['colour']);
  // A field its kind leaves unused is still checked for its type.
  assertInvalid(await req(srv, 'PATCH', `/api/v1/kpi/scorecards/${card.id}`, { body: { role_id: 'x', user_ids: 3 } }), ['role_id', 'user_ids']);
  assertInvalid(await req(srv, 'PATCH', `/api/v1/kpi/scorecards/${card.id}`, { body: { role_id: 999999 } }), ['role_id']);
  assert.equal((await ok('GET', '/api/v1/kpi/scorecards')).data.length, 1);
  assert.equal((await ok('GET', `/api/v1/kpi/scorecards/${card.id}`)).version, 1);
  assertInvalid(await req(srv, 'GET', `/api/v1/kpi/results?scorecard_id=${card.id}&period=${period.slice(0, 4)}`), ['period']);
  assertInvalid(await req(srv, 'GET', `/api/v1/kpi/results?scorecard_id=x&period=${period}`), ['scorecard_id']);
  assertInvalid(await req(srv, 'GET', `/api/v1/kpi/results?scorecard_id=${card.id}&period=${period}&user_id=-1`), ['user_id']);
  assertProblem(await req(srv, 'GET', `/api/v1/kpi/results?scorecard_id=999999&period=${period}`), 404);
  assertInvalid(await req(srv, 'POST', '/api/v1/kpi/periods/close', { body: { scorecard_id: card.id, period: '2999-01' } }), ['period']);
  assertInvalid(await req(srv, 'POST', '/api/v1/kpi/periods/close', { body: { period } }), ['scorecard_id']);
});

test('a closed period stays frozen when data changes, until an admin reopens it', async () => {
  const closed = await ok('POST', '/api/v1/kpi/periods/close', { scorecard_id: card.id, period }, u.head.token);
  const a = closed.people.find((p) => p.user_id === u.a.id);
  assert.equal(a.closed, true);
  assert.ok(a.closed_at);
  assert.equal(a.total_bp, 5765);
  // New data and a changed scorecard move nothing that is closed.
  await wonDeal(u.a.id, 4000);
  await ok('PATCH', `/api/v1/kpi/scorecards/${card.id}`, { lines: lines.slice(0, 1) });
  const after = await ok('GET', `/api/v1/kpi/results?scorecard_id=${card.id}&period=${period}`, undefined, u.a.token);
  assert.equal(after.people[0].total_bp, 5765);
  assert.equal(line(after.people[0], 'revenue_won').actual, 6000);
  assert.equal(after.people[0].lines.length, 6);
  assert.equal((await ok('GET', '/api/v1/audit?action=kpi.closed')).data.length, 1);
  // Closing again changes nothing; reopening is the admin's alone.
  assert.equal((await ok('POST', '/api/v1/kpi/periods/close', { scorecard_id: card.id, period })).people[0].total_bp, 5765);
  assertProblem(await req(srv, 'POST', '/api/v1/kpi/periods/reopen', { body: { scorecard_id: card.id, period }, auth: u.head.token }), 403);
  const reopened = await ok('POST', '/api/v1/kpi/periods/reopen', { scorecard_id: card.id, period });
  const live = reopened.people.find((p) => p.user_id === u.a.id);
  assert.equal(live.closed, false);
  // Now 10000 won of 10000, the only line left.
  assert.deepEqual(live.lines.map((l) => [l.metric, l.actual, l.score_bp]), [['revenue_won', 10000, 10000]]);
  assert.equal(live.total_bp, 10000);
  assert.equal((await ok('GET', '/api/v1/audit?action=kpi.reopened')).data.length, 1);
});

test('a scorecard for listed people or a role; deleting one hides it', async () => {
  const roles = Object.fromEntries((await req(srv, 'GET', '/api/v1/roles')).body.data.map((r) => [r.builtin, r.id]));
  const listed = await ok('POST', '/api/v1/kpi/scorecards', { name: 'Pia quarter', applies: 'users', user_ids: [u.peer.id],
    period_kind: 'quarter', lines: [{ metric: 'deals_won', target: 0, weight: 1, rule: 'linear' }] });
  const q = `${now.getUTCFullYear()}-Q${Math.floor(now.getUTCMonth() / 3) + 1}`;
  const pia = await ok('GET', `/api/v1/kpi/results?scorecard_id=${listed.id}&period=${q}`, undefined, u.peer.token);
  assert.deepEqual(pia.people.map((p) => [p.name, p.total_bp]), [['Pia Kpi', 10000]], 'a zero target is met');
  const byRole = await ok('POST', '/api/v1/kpi/scorecards', { name: 'Heads year', applies: 'role', role_id: roles.head,
    period_kind: 'year', lines: [{ metric: 'calls', target: 10, weight: 1, rule: 'linear' }] });
  const year = await ok('GET', `/api/v1/kpi/results?scorecard_id=${byRole.id}&period=${now.getUTCFullYear()}`);
  assert.deepEqual(year.people.map((p) => p.name), ['Hanna Head']);
  assert.equal((await req(srv, 'DELETE', `/api/v1/kpi/scorecards/${listed.id}`)).status, 204);
  assertProblem(await req(srv, 'GET', `/api/v1/kpi/scorecards/${listed.id}`), 404);
  assert.equal((await ok('GET', '/api/v1/audit?action=kpi.scorecard_deleted')).data.length, 3);
});

// Deadlines are set in the database: a step's is computed in working hours from now.
function query(sql) {
  const out = PG ? pgSql(sql, srv.db)
    : execFileSync('sqlite3', ['-batch', '-cmd', '.timeout 10000', '-noheader', '-list', srv.db, sql], { encoding: 'utf8' });
  return out.trim();
}

test('process steps on time: of the steps due by now, the share done by their deadline', async () => {
  const tpl = await ok('POST', '/api/v1/process-templates', { key: 'kpi_steps', name: 'KPI steps', entity: 'deals',
    trigger: { type: 'manual' }, start: 'one', steps: [
      { id: 'one', kind: 'task', name: 'First', responsible: 'record_owner', deadline: { amount: 1, unit: 'hours' }, next: 'two' },
      { id: 'two', kind: 'task', name: 'Second', responsible: 'record_owner', deadline: { amount: 1, unit: 'hours' }, next: 'end' },
      { id: 'end', kind: 'end', name: 'End' }] });
  const deal = await ok('POST', '/api/v1/deals', { title: 'KPI steps deal', pipeline_id: pipe.id, amount: 100, currency: 'EUR', owner_id: u.peer.id });
  const inst = await ok('POST', '/api/v1/process-instances', { template_id: tpl.id, entity: 'deals', record_id: deal.id });
  await ok('POST', `/api/v1/process-steps/${inst.steps.find((x) => x.status === 'waiting').id}/complete`, {});
  // The first was done a second before its deadline; the second was due at the month's start and waits.
  query(`UPDATE process_steps SET due_at = done_at + 1000 WHERE instance_id = ${inst.id} AND step_id = 'one'`);
  query(`UPDATE process_steps SET due_at = ${monthStart + 60000} WHERE instance_id = ${inst.id} AND step_id = 'two'`);
  const steps = await ok('POST', '/api/v1/kpi/scorecards', { name: 'Pia steps', applies: 'users', user_ids: [u.peer.id],
    period_kind: 'month', lines: [{ metric: 'steps_on_time', target: 10000, weight: 1, rule: 'linear' }] });
  const r = await ok('GET', `/api/v1/kpi/results?scorecard_id=${steps.id}&period=${period}`, undefined, u.peer.token);
  assert.deepEqual(r.people[0].lines.map((l) => [l.actual, l.score_bp]), [[5000, 5000]]);
  assert.equal(r.people[0].total_bp, 5000);
});
