// Reports (issue 11, docs/reports.md): the designer's descriptions, saved and
// shared reports, the library of ready reports, exports, and the rights and
// audit around them. One small data set with hand-computed numbers: an
// administrator's records and a manager's (role "manager": own records only,
// no export), so the same report gives each of them different, exact numbers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { stopClean, req, assertProblem, assertInvalid, addUser, createToken, createOk, parseCsv } from '../lib/helpers.mjs';

let srv;
let admin;         // {id, name}
let mgr;           // {id, token}: role manager
let other;         // {id, token}: another manager, for sharing
let third;         // {id, token}: a manager nobody shares with
let pipe;
let reason;
const co = {};     // companies by name
const DAY = 86400000;
const iso = (ms) => new Date(ms).toISOString();
const monthStart = (ms = Date.now()) => iso(ms).slice(0, 7) + '-01';

async function ok(method, path, body, auth) {
  const r = await req(srv, method, path, { body, auth });
  assert.ok(r.status === 200 || r.status === 201, `${method} ${path} ${JSON.stringify(body)}: ${r.status} ${r.text}`);
  return r.body;
}

async function deal(title, { amount, owner, source = 'web', stage, reason: lost, expected } = {}) {
  const byName = Object.fromEntries(pipe.stages.map((s) => [s.name, s]));
  const body = { title, pipeline_id: pipe.id, amount, currency: 'EUR', source };
  if (owner) body.owner_id = owner;
  if (expected) body.expected_close = expected;
  const d = await ok('POST', '/api/v1/deals', body);
  if (stage) {
    const move = { stage_id: byName[stage].id };
    if (stage === 'Lost') move.lost_reason_id = lost.id;
    await ok('POST', `/api/v1/deals/${d.id}/move`, move);
  }
  return d;
}

async function user(email, name) {
  addUser(srv, email, 'pelican harbour drums nine', { name });
  const token = createToken(srv, email, name);
  return { token, id: (await req(srv, 'GET', '/api/v1/auth/me', { auth: token })).body.id };
}

before(async () => {
  srv = await startServer();
  admin = (await req(srv, 'GET', '/api/v1/auth/me')).body;
  mgr = await user('rep.manager@example.com', 'Rep Manager');
  other = await user('rep.other@example.com', 'Rep Other');
  third = await user('rep.third@example.com', 'Rep Third');
  pipe = await ok('POST', '/api/v1/pipelines', {
    name: 'Reports',
    stages: [{ name: 'A', probability: 20 }, { name: 'B', probability: 50 }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }],
  });
  reason = await ok('POST', '/api/v1/lost-reasons', { name: 'Too dear' });
  // Won: admin web 1000, admin fair 2000, manager web 4000. Lost: manager 700.
  await deal('r1', { amount: 1000, stage: 'Won' });
  await deal('r2', { amount: 2000, source: 'fair', stage: 'Won' });
  await deal('r3', { amount: 4000, owner: mgr.id, stage: 'Won' });
  await deal('r4', { amount: 700, owner: mgr.id, stage: 'Lost', reason });
  // Open: A (20 %) 500 and B (50 %) 800 closing in January 2027, B 300 without a date.
  await deal('r5', { amount: 500, expected: '2027-01-15' });
  await deal('r6', { amount: 800, owner: mgr.id, stage: 'B', expected: '2027-01-20' });
  await deal('r7', { amount: 300, stage: 'B' });
  // Companies: last contact 60 days ago, 5 days ago, never (admin's, the manager's).
  co.old = await createOk(srv, 'companies', { name: 'Old Contact Ltd', source: 'fair' });
  co.fresh = await createOk(srv, 'companies', { name: 'Fresh Contact Ltd', source: 'web' });
  co.none = await createOk(srv, 'companies', { name: 'Never Called Ltd', source: 'web' });
  co.mine = await createOk(srv, 'companies', { name: 'Manager Co', source: 'web', owner_id: mgr.id });
  await createOk(srv, 'activities', { kind: 'call', direction: 'out', subject: 'old call', company_id: co.old.id, start_at: iso(Date.now() - 60 * DAY) });
  await createOk(srv, 'activities', { kind: 'call', direction: 'in', subject: 'fresh call', company_id: co.fresh.id, start_at: iso(Date.now() - 5 * DAY) });
  // Tasks: overdue (admin, manager), due tomorrow (manager), done (admin).
  await createOk(srv, 'activities', { kind: 'task', subject: 'late a', due_at: iso(Date.now() - DAY) });
  await createOk(srv, 'activities', { kind: 'task', subject: 'late m', due_at: iso(Date.now() - DAY), owner_id: mgr.id });
  await createOk(srv, 'activities', { kind: 'task', subject: 'soon m', due_at: iso(Date.now() + DAY), owner_id: mgr.id });
  const done = await createOk(srv, 'activities', { kind: 'task', subject: 'done a', due_at: iso(Date.now() + DAY) });
  await ok('POST', `/api/v1/activities/${done.id}/complete`, {});
  await createOk(srv, 'activities', { kind: 'meeting', subject: 'meet', start_at: iso(Date.now() - 2 * DAY), owner_id: mgr.id });
  // Contacts: complete, bare (admin); phone only (manager).
  await createOk(srv, 'contacts', { first_name: 'Full', phones: ['+1 555 000 1111'], emails: ['full@example.com'], source: 'web' });
  await createOk(srv, 'contacts', { first_name: 'Bare' });
  await createOk(srv, 'contacts', { first_name: 'Phone', phones: ['+1 555 000 2222'], owner_id: mgr.id });
});
after(async () => { await stopClean(srv); });

const run = (definition, auth, tz) => req(srv, 'POST', '/api/v1/reports/run', { body: tz ? { definition, tz } : { definition }, auth });

async function library() {
  const r = await req(srv, 'GET', '/api/v1/reports');
  assert.equal(r.status, 200, r.text);
  return Object.fromEntries(r.body.data.filter((x) => x.builtin).map((x) => [x.builtin, x]));
}

async function runLib(key, query = '', auth) {
  const lib = await library();
  const r = await req(srv, 'GET', `/api/v1/reports/${lib[key].id}/run${query}`, { auth });
  assert.equal(r.status, 200, `${key}: ${r.text}`);
  return r.body;
}

const won = { field: 'status', op: 'eq', value: 'won' };

test('the designer groups by month and computes each aggregate exactly', async () => {
  const r = await run({
    entity: 'deals', filters: [won],
    group_by: [{ field: 'closed_at', bucket: 'month' }],
    aggregates: [{ fn: 'count' }, { fn: 'sum', field: 'amount_base' }, { fn: 'avg', field: 'amount_base' },
                 { fn: 'min', field: 'amount' }, { fn: 'max', field: 'amount' }, { fn: 'count_distinct', field: 'source' }],
    chart: 'line',
  });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.columns.map((c) => [c.key, c.type]), [
    ['closed_at:month', 'date'], ['count', 'integer'], ['sum:amount_base', 'integer'], ['avg:amount_base', 'number'],
    ['min:amount', 'integer'], ['max:amount', 'integer'], ['count_distinct:source', 'integer']]);
  assert.deepEqual(r.body.rows, [[monthStart(), 3, 7000, 2333.3333, 1000, 4000, 2]]);
  assert.deepEqual(r.body.totals, [null, 3, 7000, 2333.3333, 1000, 4000, 2]);
  assert.equal(r.body.chart, 'line');
  assert.equal(r.body.truncated, false);
  // The drill opens the deal list behind the row: the same three deals.
  const drill = r.body.drill[0];
  assert.equal(drill.status, 'won');
  const list = await req(srv, 'GET', `/api/v1/deals?${new URLSearchParams(drill)}`);
  assert.equal(list.status, 200, list.text);
  assert.equal(list.body.data.length, 3);
});

test('quarter and year buckets, groups of two levels, a list of records', async () => {
  const q = await run({ entity: 'deals', group_by: [{ field: 'created_at', bucket: 'quarter' }, { field: 'status' }],
                        aggregates: [{ fn: 'count' }], sort: [{ key: 'count', dir: 'desc' }] });
  assert.equal(q.status, 200, q.text);
  const now = new Date();
  const qStart = `${now.getUTCFullYear()}-${String(Math.floor(now.getUTCMonth() / 3) * 3 + 1).padStart(2, '0')}-01`;
  assert.deepEqual(q.body.rows, [[qStart, 'open', 3], [qStart, 'won', 3], [qStart, 'lost', 1]]);
  // Counts, sums, least and greatest of whole numbers: the totals are the
  // rows' (made from them), and stay the whole's when a limit cuts the rows.
  const agg = [{ fn: 'count' }, { fn: 'sum', field: 'amount' }, { fn: 'min', field: 'amount' }, { fn: 'max', field: 'amount' }];
  const whole = await run({ entity: 'deals', group_by: [{ field: 'created_at', bucket: 'month' }, { field: 'status' }],
                            aggregates: agg });
  assert.equal(whole.status, 200, whole.text);
  assert.equal(whole.body.rows.length, 3);
  const sumOf = (i) => whole.body.rows.reduce((a, row) => a + row[i], 0);
  const amounts = whole.body.rows.flatMap((row) => [row[4], row[5]]);
  assert.deepEqual(whole.body.totals, [null, null, 7, sumOf(3), Math.min(...amounts), Math.max(...amounts)]);
  const cut = await run({ entity: 'deals', group_by: [{ field: 'created_at', bucket: 'month' }, { field: 'status' }],
                          aggregates: agg, limit: 1 });
  assert.equal(cut.status, 200, cut.text);
  assert.equal(cut.body.truncated, true);
  assert.deepEqual(cut.body.totals, whole.body.totals);
  const y = await run({ entity: 'deals', group_by: [{ field: 'expected_close', bucket: 'year' }], aggregates: [{ fn: 'count' }] });
  assert.equal(y.status, 200, y.text);
  assert.deepEqual(y.body.rows, [['2027-01-01', 2], [null, 5]]);
  const list = await run({ entity: 'deals', columns: ['title', 'amount', 'stage.name'], joins: ['stage'],
                           filters: [{ field: 'amount', op: 'gte', value: 2000 }], sort: [{ key: 'amount', dir: 'desc' }] });
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.body.rows, [['r3', 4000, 'Won'], ['r2', 2000, 'Won']]);
  assert.equal(list.body.totals, null);
});

test('a report counts only what its viewer may read: admin and manager get different exact numbers', async () => {
  const def = { entity: 'deals', filters: [won], group_by: [{ field: 'source' }],
                aggregates: [{ fn: 'count' }, { fn: 'sum', field: 'amount_base' }] };
  const a = await run(def);
  const m = await run(def, mgr.token);
  assert.equal(a.status, 200, a.text);
  assert.equal(m.status, 200, m.text);
  assert.deepEqual(a.body.rows, [['fair', 1, 2000], ['web', 2, 5000]]);
  assert.deepEqual(m.body.rows, [['web', 1, 4000]]);
  assert.deepEqual(m.body.totals, [null, 1, 4000]);
});

test('a joined record the viewer may not read contributes only its id', async () => {
  // The manager's deal on the administrator's company.
  await deal('r8 on admin co', { amount: 1, owner: mgr.id, source: 'join' });
  const d = (await req(srv, 'GET', '/api/v1/deals?source=join')).body.data[0];
  await ok('PATCH', `/api/v1/deals/${d.id}`, { company_id: co.old.id });
  const def = { entity: 'deals', joins: ['company'], columns: ['title', 'company.id', 'company.name'],
                filters: [{ field: 'source', op: 'eq', value: 'join' }] };
  assert.deepEqual((await run(def)).body.rows, [['r8 on admin co', co.old.id, 'Old Contact Ltd']]);
  assert.deepEqual((await run(def, mgr.token)).body.rows, [['r8 on admin co', co.old.id, null]]);
  assert.equal((await req(srv, 'DELETE', `/api/v1/deals/${d.id}`)).status, 204);
});

test('bad descriptions answer 422 naming each path', async () => {
  const r = await run({ entity: 'deals', group_by: [{ field: 'closed_at', bucket: 'fortnight' }, { field: 'nme' }],
                        aggregates: [{ fn: 'median', field: 'amount' }, { fn: 'sum', field: 'title' }], chart: 'radar', limit: 10001, extra: 1 });
  assertInvalid(r, ['definition.group_by[0].bucket', 'definition.group_by[1].field', 'definition.aggregates[0].fn',
                    'definition.aggregates[1].field', 'definition.chart', 'definition.limit', 'definition.extra']);
  const msg = r.body.errors.find((e) => e.field === 'definition.group_by[0].bucket').message;
  assert.equal(msg, 'must be day, week, month, quarter or year');
  assertInvalid(await run({ entity: 'invoices', aggregates: [{ fn: 'count' }] }), ['definition.entity']);
  assertInvalid(await run({ entity: 'deals' }), ['definition.aggregates']);
  assertInvalid(await run({ entity: 'deals', columns: ['title'], aggregates: [{ fn: 'count' }] }), ['definition.columns']);
  assertInvalid(await run({ entity: 'deals', aggregates: [{ fn: 'count' }], joins: ['owner', 'owner', 'invoice'] }),
                ['definition.joins[1]', 'definition.joins[2]']);
  assertInvalid(await run({ entity: 'deals', aggregates: [{ fn: 'count' }], group_by: [{ field: 'a' }, { field: 'b' }, { field: 'c' }, { field: 'd' }] }),
                ['definition.group_by']);
  // Too deep, and the same key twice.
  assertInvalid(await run({ entity: 'deals', aggregates: [{ fn: 'count' }], filters: [{ field: 'title', op: 'in', value: [[[[[['x']]]]]] }] }),
                ['definition']);
  assertInvalid(await run({ entity: 'deals', aggregates: [{ fn: 'count' }, { fn: 'count' }] }), ['definition.aggregates[1]']);
  // Within every cap, but too many bound values for one statement: 400, not a broken query.
  const many = (n) => Array.from({ length: 50 }, (_, i) => `${n}${i}`);
  assertProblem(await run({ entity: 'deals', aggregates: [{ fn: 'count' }],
                            filters: [{ field: 'source', op: 'in', value: many('a') }, { field: 'title', op: 'in', value: many('b') }] }), 400);
  const v = await req(srv, 'POST', '/api/v1/reports/validate', { body: { definition: { entity: 'deals', aggregates: [{ fn: 'count' }] } } });
  assert.equal(v.status, 200, v.text);
  assert.deepEqual(v.body, { valid: true, columns: [{ key: 'count', label: 'Count', type: 'integer' }] });
});

test('hostile names are refused and hostile values are bound, never SQL', async () => {
  assertInvalid(await run({ entity: 'deals', columns: ['name; DROP TABLE deals'] }), ['definition.columns[0]']);
  assertInvalid(await run({ entity: 'deals', aggregates: [{ fn: 'count' }], group_by: [{ field: "title') --" }] }),
                ['definition.group_by[0].field']);
  const r = await run({ entity: 'deals', aggregates: [{ fn: 'count' }],
                        filters: [{ field: 'title', op: 'eq', value: "x'; DROP TABLE deals; --" },
                                  { field: 'source', op: 'in', value: ["' OR '1'='1", 'web"'] }] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.rows, [[0]]);
  assert.equal((await req(srv, 'GET', '/api/v1/deals?limit=1')).status, 200, 'the deals are still there');
});

test('a field the role hides can be neither column, filter, group nor aggregate', async () => {
  const role = await ok('POST', '/api/v1/roles', {
    name: 'Amount-blind', perms: { '*': { create: 'all', read: 'all', update: 'all' } },
    fields: { deals: { amount_base: 'hidden', source: 'hidden' }, companies: { industry: 'hidden' } },
  });
  const u = await ok('POST', '/api/v1/users', { email: 'blind.rep@example.com', name: 'Blind', password: 'saffron lighthouse quill 27', role_id: role.id });
  const auth = createToken(srv, u.email, 'blind');
  assertInvalid(await run({ entity: 'deals', columns: ['title', 'source'] }, auth), ['definition.columns[1]']);
  assertInvalid(await run({ entity: 'deals', aggregates: [{ fn: 'sum', field: 'amount_base' }], group_by: [{ field: 'source' }],
                            filters: [{ field: 'source', op: 'eq', value: 'web' }], joins: ['company'],
                            sort: [{ key: 'count' }] }, auth),
                ['definition.aggregates[0].field', 'definition.group_by[0].field', 'definition.filters[0].field']);
  assertInvalid(await run({ entity: 'deals', joins: ['company'], columns: ['company.industry'] }, auth), ['definition.columns[0]']);
  // The library's revenue reports name amount_base: refused the same way.
  const lib = await library();
  assertProblem(await req(srv, 'GET', `/api/v1/reports/${lib.revenue_by_source.id}/run`, { auth }), 422);
});

test('the library: revenue by month, source, manager, department; won/lost; new clients', async () => {
  const lib = await library();
  assert.equal(Object.keys(lib).length, 21);
  assert.match(lib.revenue_by_month.explanation, /amount_base/);
  const month = await runLib('revenue_by_month');
  assert.deepEqual(month.rows, [[monthStart(), 3, 7000]]);
  assert.deepEqual((await runLib('revenue_by_month', '', mgr.token)).rows, [[monthStart(), 1, 4000]]);
  // A period without the closings: nothing.
  assert.deepEqual((await runLib('revenue_by_month', '?from=2020-01-01&to=2020-12-31')).rows, []);
  assert.deepEqual((await runLib('revenue_by_source')).rows, [['web', 2, 5000], ['fair', 1, 2000]]);
  assert.deepEqual((await runLib('revenue_by_manager')).rows, [[mgr.id, 'Rep Manager', 1, 4000], [admin.id, admin.name, 2, 3000]]);
  const dept = await runLib('revenue_by_department');
  assert.deepEqual(dept.totals.slice(2), [3, 7000]);
  assert.deepEqual((await runLib('won_lost_reasons')).rows, [['lost', reason.id, 'Too dear', 1, 700], ['won', null, null, 3, 7000]]);
  assert.deepEqual((await runLib('new_clients_by_source')).rows, [['web', 3], ['fair', 1]]);
  assert.deepEqual((await runLib('new_clients_by_source', '', mgr.token)).rows, [['web', 1]]);
});

test('the library: deal size and cycle, pipeline by close month, activity, no contact, overdue, completeness', async () => {
  const cycle = await runLib('deal_size_cycle');
  assert.deepEqual(cycle.rows.map((r) => r.slice(0, 4)), [[admin.id, admin.name, 2, 1500], [mgr.id, 'Rep Manager', 1, 4000]]);
  assert.ok(cycle.rows.every((r) => r[4] >= 0 && r[4] < 1), 'closed the day they were made');
  assert.equal(cycle.drill[0].owner_id, String(admin.id));
  assert.deepEqual((await runLib('pipeline_by_close_month')).rows, [['2027-01-01', 2, 1300, 500], [null, 1, 300, 150]]);
  assert.deepEqual((await runLib('pipeline_by_close_month', '', mgr.token)).rows, [['2027-01-01', 1, 800, 400]]);
  const act = await runLib('activity_by_manager');
  const byOwner = Object.fromEntries(act.rows.map((r) => [r[0], r.slice(2)]));
  assert.deepEqual(byOwner[admin.id], [2, 0, 1, 1]);
  assert.deepEqual(byOwner[mgr.id], [0, 1, 0, 1]);
  const nc = await runLib('clients_no_contact', '?days=30');
  assert.deepEqual(nc.rows.map((r) => r[1]), ['Never Called Ltd', 'Manager Co', 'Old Contact Ltd']);
  assert.deepEqual((await runLib('clients_no_contact', '?days=90')).rows.map((r) => r[1]), ['Never Called Ltd', 'Manager Co']);
  assert.deepEqual((await runLib('clients_no_contact', '?days=59')).rows.map((r) => r[1]), ['Never Called Ltd', 'Manager Co', 'Old Contact Ltd']);
  assert.deepEqual((await runLib('clients_no_contact', '?days=61')).rows.map((r) => r[1]), ['Never Called Ltd', 'Manager Co']);
  assert.deepEqual(nc.rows[2].slice(2), [admin.id, iso(Date.parse(nc.rows[2][3]))], 'the last activity\'s time');
  assert.equal(nc.rows[0][3], null, 'never: no last activity');
  assert.deepEqual((await runLib('clients_no_contact', '', mgr.token)).rows.map((r) => r[1]), ['Manager Co']);
  const overdue = await runLib('overdue_tasks_by_person');
  assert.deepEqual(overdue.rows.map((r) => [r[0], r[2]]).sort(), [[admin.id, 1], [mgr.id, 1]].sort());
  assert.deepEqual((await runLib('overdue_tasks_by_person', '', mgr.token)).rows, [[mgr.id, 'Rep Manager', 1]]);
  const comp = await runLib('data_completeness');
  const cByOwner = Object.fromEntries(comp.rows.map((r) => [r[0], r.slice(2)]));
  assert.deepEqual(cByOwner[admin.id], [2, 50, 50, 50]);
  assert.deepEqual(cByOwner[mgr.id], [1, 0, 100, 100]);
  assertProblem(await req(srv, 'GET', `/api/v1/reports/${(await library()).data_completeness.id}/run?days=3`), 400);
  assertProblem(await req(srv, 'GET', `/api/v1/reports/${(await library()).revenue_by_month.id}/run?tz=Mars/Olympus`), 400);
  assertProblem(await req(srv, 'GET', `/api/v1/reports/${(await library()).revenue_by_month.id}/run?color=red`), 400);
});

test('saved reports: owners edit their own, shares are read-only, others see nothing', async () => {
  const def = { entity: 'deals', group_by: [{ field: 'status' }], aggregates: [{ fn: 'count' }] };
  const saved = await req(srv, 'POST', '/api/v1/reports', { auth: mgr.token, body: { name: 'My statuses', definition: def, shares: [{ user_id: other.id }] } });
  assert.equal(saved.status, 201, saved.text);
  assert.equal(saved.body.owner_id, mgr.id);
  assert.equal(saved.body.editable, true);
  assert.deepEqual(saved.body.shares, [{ user_id: other.id }]);
  const id = saved.body.id;
  // The one it is shared with sees and runs it, with their own rights: nothing of theirs.
  const seen = await req(srv, 'GET', `/api/v1/reports/${id}`, { auth: other.token });
  assert.equal(seen.status, 200, seen.text);
  assert.equal(seen.body.editable, false);
  assert.deepEqual((await req(srv, 'GET', `/api/v1/reports/${id}/run`, { auth: other.token })).body.rows, []);
  assert.deepEqual((await req(srv, 'GET', `/api/v1/reports/${id}/run`, { auth: mgr.token })).body.rows, [['lost', 1], ['open', 1], ['won', 1]]);
  assertProblem(await req(srv, 'PUT', `/api/v1/reports/${id}`, { auth: other.token, body: { name: 'Mine now', definition: def } }), 403);
  assertProblem(await req(srv, 'DELETE', `/api/v1/reports/${id}`, { auth: other.token }), 403);
  // Someone it is not shared with: as if it did not exist.
  assertProblem(await req(srv, 'GET', `/api/v1/reports/${id}`, { auth: third.token }), 404);
  assertProblem(await req(srv, 'GET', `/api/v1/reports/${id}/run`, { auth: third.token }), 404);
  assert.equal((await req(srv, 'GET', '/api/v1/reports', { auth: third.token })).body.data.filter((r) => !r.builtin).length, 0);
  // The owner changes it (If-Match), the admin sees it too.
  const stale = await req(srv, 'PUT', `/api/v1/reports/${id}`, { auth: mgr.token, headers: { 'If-Match': '"9"' }, body: { name: 'x', definition: def } });
  assertProblem(stale, 412);
  const up = await req(srv, 'PUT', `/api/v1/reports/${id}`, { auth: mgr.token, headers: { 'If-Match': '"1"' },
                                                            body: { name: 'Statuses', definition: def, shares: [] } });
  assert.equal(up.status, 200, up.text);
  assert.equal(up.body.version, 2);
  assertProblem(await req(srv, 'GET', `/api/v1/reports/${id}`, { auth: other.token }), 404);
  assert.equal((await req(srv, 'GET', `/api/v1/reports/${id}`)).status, 200);
  // A saved definition is checked like a run's.
  assertInvalid(await req(srv, 'POST', '/api/v1/reports', { auth: mgr.token, body: { name: '', definition: { entity: 'x' }, shares: [{ user_id: 999999 }] } }),
                ['name', 'definition.entity', 'shares[0]']);
  // The library is read-only to all.
  const lib = await library();
  assertProblem(await req(srv, 'PUT', `/api/v1/reports/${lib.revenue_by_month.id}`, { body: { name: 'x', definition: def } }), 403);
  assertProblem(await req(srv, 'DELETE', `/api/v1/reports/${lib.revenue_by_month.id}`), 403);
  assert.equal((await req(srv, 'DELETE', `/api/v1/reports/${id}`, { auth: mgr.token })).status, 204);
  assertProblem(await req(srv, 'GET', `/api/v1/reports/${id}`), 404);
});

test('runs and exports are audited with their row counts; export needs the export right', async () => {
  const before = (await req(srv, 'GET', `/api/v1/audit?action=report.&limit=500`)).body.data.length;
  const saved = await ok('POST', '/api/v1/reports', { name: 'Won by source', definition: {
    entity: 'deals', filters: [won], group_by: [{ field: 'source' }], aggregates: [{ fn: 'count' }, { fn: 'sum', field: 'amount_base' }] } });
  await ok('GET', `/api/v1/reports/${saved.id}/run`);
  const csv = await req(srv, 'GET', `/api/v1/reports/${saved.id}/export?format=csv`);
  assert.equal(csv.status, 200, csv.text);
  assert.equal(csv.headers.get('x-export-rows'), '2');
  assert.deepEqual(parseCsv(csv.text.replace(/^\uFEFF/, '')), [['Source', 'Count', 'Sum of amount base'], ['fair', '1', '2000'], ['web', '2', '5000']]);
  const xlsx = await req(srv, 'GET', `/api/v1/reports/${saved.id}/export?format=xlsx`);
  assert.equal(xlsx.status, 200);
  assert.equal(xlsx.headers.get('x-export-rows'), '2');
  const all = (await req(srv, 'GET', `/api/v1/audit?action=report.&limit=500`)).body.data;
  // Newest first: the entries since this test began (ids of deleted reports come back).
  const audit = all.slice(0, all.length - before);
  assert.ok(all.some((e) => e.action === 'report.run' && e.detail.report_id === null), 'previews are audited too');
  const runs = audit.filter((e) => e.action === 'report.run' && e.record_id === saved.id);
  assert.equal(runs.length, 1);
  assert.equal(runs[0].detail.rows, 2);
  const exports = audit.filter((e) => e.action === 'report.export' && e.record_id === saved.id);
  assert.deepEqual(exports.map((e) => [e.detail.format, e.detail.rows]).sort(), [['csv', 2], ['xlsx', 2]]);
  // A manager has no export right on deals.
  const mine = await req(srv, 'POST', '/api/v1/reports', { auth: mgr.token, body: { name: 'm', definition: {
    entity: 'deals', aggregates: [{ fn: 'count' }] } } });
  assertProblem(await req(srv, 'GET', `/api/v1/reports/${mine.body.id}/export`, { auth: mgr.token }), 403);
});

test('relative periods resolve in the viewer\'s time zone', async () => {
  const r = await run({ entity: 'deals', aggregates: [{ fn: 'count' }],
                        filters: [{ field: 'created_at', op: 'period', value: { period: 'last_n_days', n: 1 } }] }, undefined, 'Pacific/Kiritimati');
  assert.equal(r.status, 200, r.text);
  const y = await run({ entity: 'deals', aggregates: [{ fn: 'count' }],
                        filters: [{ field: 'created_at', op: 'period', value: { period: 'last_year' } }] });
  assert.deepEqual(y.body.rows, [[0]]);
  const t = await run({ entity: 'deals', aggregates: [{ fn: 'count' }],
                        filters: [{ field: 'created_at', op: 'period', value: { period: 'this_year' } }] });
  assert.ok(t.body.rows[0][0] >= 7);
  assertInvalid(await run({ entity: 'deals', aggregates: [{ fn: 'count' }],
                            filters: [{ field: 'created_at', op: 'period', value: { period: 'last_n_days', n: 0 } }] }),
                ['definition.filters[0].value']);
  assertProblem(await run({ entity: 'deals', aggregates: [{ fn: 'count' }] }, undefined, 'Not/AZone'), 400);
});

test('date buckets cut at the viewer\'s local midnight', async () => {
  // Kiritimati is UTC+14 all year: a deal's local day is its UTC time + 14 h.
  const list = await run({ entity: 'deals', columns: ['created_at'] });
  const expected = {};
  for (const [at] of list.body.rows) {
    const day = iso(Date.parse(at) + 14 * 3600000).slice(0, 10);
    expected[day] = (expected[day] || 0) + 1;
  }
  const r = await run({ entity: 'deals', group_by: [{ field: 'created_at', bucket: 'day' }], aggregates: [{ fn: 'count' }] },
                      undefined, 'Pacific/Kiritimati');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.fromEntries(r.body.rows), expected);
  const w = await run({ entity: 'deals', group_by: [{ field: 'created_at', bucket: 'week' }], aggregates: [{ fn: 'count' }] });
  const monday = new Date(); monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
  assert.deepEqual(w.body.rows, [[iso(monday.getTime()).slice(0, 10), list.body.rows.length]]);
});

test('custom fields group, filter and sum by their definition', async () => {
  await ok('POST', '/api/v1/custom-fields', { entity: 'companies', name: 'tier', label: 'Tier', type: 'choice', options: ['gold', 'silver'] });
  await ok('POST', '/api/v1/custom-fields', { entity: 'companies', name: 'seats', label: 'Seats', type: 'integer' });
  await ok('PATCH', `/api/v1/companies/${co.old.id}`, { custom: { tier: 'gold', seats: 10 } });
  await ok('PATCH', `/api/v1/companies/${co.fresh.id}`, { custom: { tier: 'gold', seats: 5 } });
  await ok('PATCH', `/api/v1/companies/${co.none.id}`, { custom: { tier: 'silver', seats: 7 } });
  const r = await run({ entity: 'companies', group_by: [{ field: 'custom.tier' }],
                        aggregates: [{ fn: 'count' }, { fn: 'sum', field: 'custom.seats' }],
                        filters: [{ field: 'custom.seats', op: 'gte', value: 6 }] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.rows, [['gold', 1, 10], ['silver', 1, 7]]);
  assert.deepEqual(r.body.drill, [null, null], 'a custom field has no list filter');
  assertInvalid(await run({ entity: 'companies', aggregates: [{ fn: 'sum', field: 'custom.tier' }] }), ['definition.aggregates[0].field']);
  assertInvalid(await run({ entity: 'companies', aggregates: [{ fn: 'count' }], group_by: [{ field: 'custom.nope' }] }), ['definition.group_by[0].field']);
});

test('a report shared with a department reaches its members, and a library report exports', async () => {
  const dept = await ok('POST', '/api/v1/departments', { name: 'Report readers', kind: 'team', parent_id: 1 });
  assert.equal((await req(srv, 'PATCH', `/api/v1/users/${third.id}`, { body: { department_id: dept.id } })).status, 200);
  const saved = await req(srv, 'POST', '/api/v1/reports', { auth: mgr.token, body: {
    name: 'For the team', definition: { entity: 'companies', aggregates: [{ fn: 'count' }] }, shares: [{ department_id: dept.id }] } });
  assert.equal(saved.status, 201, saved.text);
  assert.equal((await req(srv, 'GET', `/api/v1/reports/${saved.body.id}`, { auth: third.token })).status, 200);
  assertProblem(await req(srv, 'GET', `/api/v1/reports/${saved.body.id}`, { auth: other.token }), 404);
  // A function report of the library as a file: the companies gone quiet for 90 days.
  const lib = await library();
  const csv = await req(srv, 'GET', `/api/v1/reports/${lib.clients_no_contact.id}/export?days=90`);
  assert.equal(csv.status, 200, csv.text);
  const rows = parseCsv(csv.text.replace(/^\uFEFF/, ''));
  assert.deepEqual(rows[0], ['Company id', 'Company', 'Owner id', 'Last activity']);
  assert.deepEqual(rows.slice(1).map((r) => r[1]), ['Never Called Ltd', 'Manager Co']);
  assertProblem(await req(srv, 'GET', `/api/v1/reports/${lib.clients_no_contact.id}/export?format=doc`), 400);
});
