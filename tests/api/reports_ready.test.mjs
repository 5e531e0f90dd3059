// The rest of the library of ready reports (issue 11, docs/reports.md "The library" and
// "Filters"): revenue by product and by segment, ABC, RFM, repeat purchases, clients stuck at
// the first contact, CRM usage, tickets and SLA, process bottlenecks, and the filters every
// ready report takes. One small data set with hand-computed numbers: an administrator's
// records and a manager's (role "manager": own records only), so the same report gives each
// of them different, exact numbers. Times the API cannot set (a deal's closing, a step's
// duration, an SLA breach) are set in the database, as the process tests do for timers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, PG, pgSql } from '../lib/server.mjs';
import { stopClean, req, assertProblem, addUser, createToken, createOk } from '../lib/helpers.mjs';

let srv;
let admin;         // {id, name}
let mgr;           // {id, token}: role manager
let dept;
let pipe;
let other;         // a second pipeline
const co = {};     // companies by name
const prod = {};   // products by name
const DAY = 86400000;
const PW = 'pelican harbour drums nine';
const iso = (ms) => new Date(ms).toISOString();
const day = (ms) => iso(ms).slice(0, 10);

function query(sql) {
  const out = PG ? pgSql(sql, srv.db)
    : execFileSync('sqlite3', ['-batch', '-cmd', '.timeout 10000', '-noheader', '-list', srv.db, sql], { encoding: 'utf8' });
  return out.trim();
}

async function ok(method, path, body, auth) {
  const r = await req(srv, method, path, { body, auth });
  assert.ok(r.status === 200 || r.status === 201, `${method} ${path} ${JSON.stringify(body)}: ${r.status} ${r.text}`);
  return r.body;
}

// A deal won now (amounts in minor units of EUR, the base currency).
async function won(title, { amount, company, owner, source = 'web', items, pipeline = pipe } = {}) {
  const body = { title, pipeline_id: pipeline.id, currency: 'EUR', source };
  if (items) body.items = items; else body.amount = amount;
  if (company) body.company_id = company.id;
  if (owner) body.owner_id = owner;
  const d = await ok('POST', '/api/v1/deals', body);
  await ok('POST', `/api/v1/deals/${d.id}/move`, { stage_id: pipeline.stages.find((s) => s.kind === 'won').id });
  return d;
}

before(async () => {
  srv = await startServer();
  admin = (await req(srv, 'GET', '/api/v1/auth/me')).body;
  addUser(srv, 'ready.manager@example.com', PW, { name: 'Ready Manager' });
  mgr = { token: createToken(srv, 'ready.manager@example.com', 'rm') };
  mgr.id = (await req(srv, 'GET', '/api/v1/auth/me', { auth: mgr.token })).body.id;
  dept = await ok('POST', '/api/v1/departments', { name: 'Ready team', kind: 'team', parent_id: 1 });
  await ok('PATCH', `/api/v1/users/${mgr.id}`, { department_id: dept.id });
  pipe = await ok('POST', '/api/v1/pipelines', { name: 'Ready', stages: [{ name: 'A' }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }] });
  other = await ok('POST', '/api/v1/pipelines', { name: 'Other', stages: [{ name: 'A' }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }] });
  await ok('POST', '/api/v1/custom-fields', { entity: 'companies', name: 'tier', label: 'Tier', type: 'choice', options: ['gold', 'silver'] });
  co.alpha = await createOk(srv, 'companies', { name: 'Alpha', custom: { tier: 'gold' } });
  co.beta = await createOk(srv, 'companies', { name: 'Beta', custom: { tier: 'silver' } });
  co.gamma = await createOk(srv, 'companies', { name: 'Gamma', custom: { tier: 'gold' }, owner_id: mgr.id });
  co.delta = await createOk(srv, 'companies', { name: 'Delta' });
  const pcs = (await ok('GET', '/api/v1/units')).data.find((u) => u.name === 'pcs');
  const hour = (await ok('GET', '/api/v1/units')).data.find((u) => u.name === 'hour');
  prod.widget = await ok('POST', '/api/v1/products', { name: 'Widget', unit_id: pcs.id, price: 400000, currency: 'EUR' });
  prod.service = await ok('POST', '/api/v1/products', { name: 'Service', unit_id: hour.id, price: 200000, currency: 'EUR' });
  // Won: Alpha 800,000 (2 widgets, web) + 300,000 (1.5 h of service, fair); Beta 200,000 (1
  // widget); Gamma 90,000 (the manager's); Delta 10,000; and 50,000 without a company.
  await won('a1', { company: co.alpha, items: [{ product_id: prod.widget.id, quantity: '2' }] });
  await won('a2', { company: co.alpha, source: 'fair', items: [{ product_id: prod.service.id, quantity: '1.5' }] });
  await won('b1', { company: co.beta, items: [{ product_id: prod.widget.id, quantity: '1', price: 200000 }] });
  await won('g1', { company: co.gamma, amount: 90000, owner: mgr.id });
  await won('e1', { company: co.delta, amount: 10000 });
  await won('n1', { amount: 50000 });
  // Won in the other pipeline, closed long ago (2020): outside every default period.
  const old = await won('old', { company: co.beta, amount: 999, pipeline: other });
  query(`UPDATE deals SET closed_at = ${Date.parse('2020-06-01T12:00:00Z')} WHERE id = ${old.id}`);
});
after(async () => { await stopClean(srv); });

async function library() {
  const r = await req(srv, 'GET', '/api/v1/reports');
  assert.equal(r.status, 200, r.text);
  return Object.fromEntries(r.body.data.filter((x) => x.builtin).map((x) => [x.builtin, x]));
}

async function runRaw(key, query = '', auth) {
  const lib = await library();
  return req(srv, 'GET', `/api/v1/reports/${lib[key].id}/run${query}`, { auth });
}

async function runLib(key, query = '', auth) {
  const r = await runRaw(key, query, auth);
  assert.equal(r.status, 200, `${key}: ${r.text}`);
  return r.body;
}

// The drill of a row opens the records behind it: their number.
async function drillCount(entity, drill) {
  const r = await req(srv, 'GET', `/api/v1/${entity}?${new URLSearchParams({ ...drill, limit: '100' })}`);
  assert.equal(r.status, 200, r.text);
  return r.body.data.length;
}

test('each ready report says which parameters its run takes, and explains itself', async () => {
  const lib = await library();
  assert.equal(Object.keys(lib).length, 21);
  assert.deepEqual(lib.revenue_by_month.params, ['from', 'to', 'owner_id', 'department_id', 'pipeline_id', 'source', 'segment']);
  assert.deepEqual(lib.clients_stuck_first_contact.params, ['days', 'owner_id', 'department_id', 'source', 'segment']);
  assert.deepEqual(lib.crm_usage.params, ['from', 'to', 'owner_id', 'department_id']);
  assert.deepEqual(lib.pipeline_by_close_month.params, ['owner_id', 'department_id', 'pipeline_id', 'source', 'segment']);
  for (const r of Object.values(lib)) assert.ok(r.explanation.length > 20, r.builtin);
  assert.match(lib.abc_clients.explanation, /80 %.*95 %/);
});

test('revenue by product: lines of won deals in the base currency; drill to the deals with the product', async () => {
  const r = await runLib('revenue_by_product');
  assert.deepEqual(r.columns.map((c) => c.key), ['product_id', 'product.name', 'deals', 'quantity', 'revenue_base']);
  assert.deepEqual(r.rows, [[prod.widget.id, 'Widget', 2, 3, 1000000], [prod.service.id, 'Service', 1, 1.5, 300000]]);
  assert.equal(await drillCount('deals', r.drill[0]), 2);
  assert.equal(r.drill[0].product_id, String(prod.widget.id));
  // The manager's won deal has no lines.
  assert.deepEqual((await runLib('revenue_by_product', '', mgr.token)).rows, []);
  assert.deepEqual((await runLib('revenue_by_product', '?source=fair')).rows, [[prod.service.id, 'Service', 1, 1.5, 300000]]);
});

test('revenue by segment: by the company tier; the manager sees only his', async () => {
  const r = await runLib('revenue_by_segment');
  assert.deepEqual(r.rows, [['gold', 3, 1190000], ['silver', 1, 200000], [null, 2, 60000]]);
  assert.equal(r.drill[0].segment, 'gold');
  assert.equal(await drillCount('deals', r.drill[0]), 3);
  assert.equal(r.drill[2], null, 'no segment: no list filter says it');
  assert.deepEqual((await runLib('revenue_by_segment', '', mgr.token)).rows, [['gold', 1, 90000]]);
});

test('ABC: A until 80 % of the revenue, B until 95 %, C after; manager and director differ', async () => {
  const r = await runLib('abc_clients');
  assert.deepEqual(r.rows, [
    [co.alpha.id, 'Alpha', 1100000, 78.6, 78.6, 'A'],
    [co.beta.id, 'Beta', 200000, 14.3, 92.9, 'A'],
    [co.gamma.id, 'Gamma', 90000, 6.4, 99.3, 'B'],
    [co.delta.id, 'Delta', 10000, 0.7, 100, 'C'],
  ]);
  assert.equal(r.drill[0].company_id, String(co.alpha.id));
  assert.equal(await drillCount('deals', r.drill[0]), 2);
  assert.deepEqual((await runLib('abc_clients', '', mgr.token)).rows, [[co.gamma.id, 'Gamma', 90000, 100, 100, 'A']]);
  // Filtered to gold clients: Alpha is 92.4 % of 1,190,000 (A, the one crossing 80 %), and
  // before Gamma lies 92.4 %, under 95 %: B.
  const gold = await runLib('abc_clients', '?segment=gold');
  assert.deepEqual(gold.rows.map((x) => [x[1], x[5]]), [['Alpha', 'A'], ['Gamma', 'B']]);
  assert.equal(gold.drill[1].segment, 'gold', 'the drill keeps the filter');
});

test('RFM: recency to the period\'s end, frequency, monetary, fixed bands and segment names', async () => {
  const r = await runLib('rfm_segments');
  const seg = Object.fromEntries(r.rows.map((x) => [x[1], x.slice(3)]));
  // [days, F, M, r, f, m, segment]; everything closed today.
  assert.deepEqual(seg.Alpha, [0, 2, 1100000, 3, 2, 3, 'champions']);
  assert.deepEqual(seg.Beta, [0, 1, 200000, 3, 1, 2, 'new']);
  assert.deepEqual(seg.Delta, [0, 1, 10000, 3, 1, 1, 'new']);
  assert.deepEqual(r.rows.map((x) => x[1]), ['Alpha', 'Beta', 'Gamma', 'Delta'], 'by monetary, largest first');
  // Seen from 100 days ahead, everyone is old: two deals at risk, one lost.
  const today = Date.now();
  const later = await runLib('rfm_segments', `?from=${day(today - DAY)}&to=${day(today + 100 * DAY)}`);
  const l = Object.fromEntries(later.rows.map((x) => [x[1], [x[3], x[6], x[9]]]));
  assert.deepEqual(l.Alpha, [100, 1, 'at_risk']);
  assert.deepEqual(l.Beta, [100, 1, 'lost']);
  assert.deepEqual((await runLib('rfm_segments', '', mgr.token)).rows.map((x) => x[1]), ['Gamma']);
});

test('repeat purchase rate per quarter, and over the whole period in the totals', async () => {
  const r = await runLib('repeat_purchase_rate');
  const now = new Date();
  const q = `${now.getUTCFullYear()}-${String(Math.floor(now.getUTCMonth() / 3) * 3 + 1).padStart(2, '0')}-01`;
  assert.deepEqual(r.rows, [[q, 4, 1, 25]]);
  assert.deepEqual(r.totals, [null, 4, 1, 25]);
  assert.equal(r.drill[0].status, 'won');
  assert.equal(await drillCount('deals', { ...r.drill[0], pipeline_id: String(pipe.id) }), 6, 'the quarter\'s won deals');
  const m = await runLib('repeat_purchase_rate', '', mgr.token);
  assert.deepEqual(m.rows, [[q, 1, 0, 0]]);
  // Since 2020 Beta has bought twice, but in different quarters.
  const all = await runLib('repeat_purchase_rate', `?from=2020-01-01&to=${day(Date.now())}`);
  assert.deepEqual(all.rows, [['2020-04-01', 1, 0, 0], [q, 4, 1, 25]]);
  assert.deepEqual(all.totals, [null, 4, 2, 50]);
});

test('the filters: owner, department, pipeline, source, segment apply inside every report that takes them', async () => {
  const month = (qs, auth) => runLib('revenue_by_month', qs, auth).then((r) => r.rows.map((x) => x.slice(1)));
  assert.deepEqual(await month(''), [[6, 1450000]]);
  assert.deepEqual(await month(`?owner_id=${mgr.id}`), [[1, 90000]]);
  assert.deepEqual(await month(`?department_id=${dept.id}`), [[1, 90000]]);
  assert.deepEqual(await month('?source=fair'), [[1, 300000]]);
  assert.deepEqual(await month('?segment=gold'), [[3, 1190000]]);
  assert.deepEqual(await month(`?pipeline_id=${other.id}`), []);
  assert.deepEqual(await month(`?pipeline_id=${other.id}&from=2020-01-01&to=2020-12-31`), [[1, 999]]);
  // The drill keeps them: the list behind the row is the same deals.
  const gold = await runLib('revenue_by_source', '?segment=gold');
  assert.deepEqual(gold.rows, [['web', 2, 890000], ['fair', 1, 300000]]);
  assert.equal(gold.drill[0].segment, 'gold');
  assert.equal(await drillCount('deals', gold.drill[0]), 2);
  // Function reports too.
  assert.deepEqual((await runLib('deal_size_cycle', `?department_id=${dept.id}`)).rows.map((x) => x.slice(0, 3)), [[mgr.id, 'Ready Manager', 1]]);
  assert.deepEqual((await runLib('new_clients_by_source', '?segment=gold')).rows, [[null, 2]]);
  // A filter the report does not take, or a malformed one: 400 naming it.
  for (const [key, qs] of [['new_clients_by_source', `?pipeline_id=${pipe.id}`], ['revenue_by_month', '?owner_id=abc'],
    ['revenue_by_month', '?department_id=0'], ['crm_usage', '?segment=gold'], ['revenue_by_month', `?source=${'x'.repeat(201)}`]]) {
    const r = await runRaw(key, qs);
    assertProblem(r, 400);
    assert.match(r.body.detail, /^(pipeline_id|owner_id|department_id|segment|source):/);
  }
  // A designed report takes none of them.
  const mine = await ok('POST', '/api/v1/reports', { name: 'Mine', definition: { entity: 'deals', aggregates: [{ fn: 'count' }] } });
  assertProblem(await req(srv, 'GET', `/api/v1/reports/${mine.id}/run?owner_id=1`), 400);
  // The lists take segment too, and refuse it where there is no company.
  assert.equal((await req(srv, 'GET', '/api/v1/companies?segment=gold')).body.data.length, 2);
});

test('clients stuck at the first contact: one call, meeting or email, long ago, and no deal', async () => {
  const ago = (d) => iso(Date.now() - d * DAY);
  const mk = async (name, acts, owner) => {
    const c = await createOk(srv, 'companies', owner ? { name, owner_id: owner } : { name });
    for (const a of acts) await createOk(srv, 'activities', { company_id: c.id, ...(owner ? { owner_id: owner } : {}), ...a });
    return c;
  };
  const stuck = await mk('Stuck Ltd', [{ kind: 'call', direction: 'out', subject: 'hello', start_at: ago(20) }]);
  await mk('Busy Ltd', [{ kind: 'call', direction: 'out', subject: 'hello', start_at: ago(20) }, { kind: 'note', body: 'more' }]);
  const recent = await mk('Recent Ltd', [{ kind: 'call', direction: 'in', subject: 'hi', start_at: ago(5) }]);
  await mk('Task Ltd', [{ kind: 'task', subject: 'call them', due_at: ago(19) }]);
  const mine = await mk('Mgr Stuck Ltd', [{ kind: 'meeting', subject: 'intro', start_at: ago(30) }], mgr.id);
  const dealt = await mk('Dealt Ltd', [{ kind: 'call', direction: 'out', subject: 'hello', start_at: ago(20) }]);
  await ok('POST', '/api/v1/deals', { title: 'open one', pipeline_id: pipe.id, amount: 1, currency: 'EUR', company_id: dealt.id });
  const r = await runLib('clients_stuck_first_contact');
  assert.deepEqual(r.rows.map((x) => [x[1], x[4]]), [['Mgr Stuck Ltd', 'meeting'], ['Stuck Ltd', 'call']]);
  assert.equal(r.rows[1][0], stuck.id);
  assert.deepEqual((await runLib('clients_stuck_first_contact', '?days=3')).rows.map((x) => x[0]), [mine.id, stuck.id, recent.id]);
  assert.deepEqual((await runLib('clients_stuck_first_contact', '', mgr.token)).rows.map((x) => x[1]), ['Mgr Stuck Ltd']);
  assert.deepEqual((await runLib('clients_stuck_first_contact', `?owner_id=${admin.id}`)).rows.map((x) => x[1]), ['Stuck Ltd']);
  assertProblem(await runRaw('clients_stuck_first_contact', '?days=0'), 400);
});

test('CRM usage: sign-ins, records created and changed per person; a manager sees only himself', async () => {
  for (let i = 0; i < 2; i++) {
    const login = await req(srv, 'POST', '/api/v1/auth/login', { body: { email: 'ready.manager@example.com', password: PW }, auth: null });
    assert.equal(login.status, 200, login.text);
  }
  const c = await createOk(srv, 'companies', { name: 'Made by the manager' }, mgr.token);
  await ok('PATCH', `/api/v1/companies/${c.id}`, { industry: 'Tools' }, mgr.token);
  await ok('PATCH', `/api/v1/companies/${c.id}`, { industry: 'Toys' }, mgr.token);
  const r = await runLib('crm_usage');
  const row = r.rows.find((x) => x[0] === mgr.id);
  assert.deepEqual(row.slice(0, 5), [mgr.id, 'Ready Manager', 2, 1, 2]);
  assert.ok(Date.now() - Date.parse(row[5]) < 600000, 'the last sign-in is recent');
  assert.ok(r.rows.find((x) => x[0] === admin.id)[3] >= 10, 'the administrator created the data set');
  const m = await runLib('crm_usage', '', mgr.token);
  assert.deepEqual(m.rows.map((x) => x[0]), [mgr.id]);
  assert.deepEqual((await runLib('crm_usage', `?department_id=${dept.id}`)).rows.map((x) => x[0]), [mgr.id]);
  assert.deepEqual((await runLib('crm_usage', '?from=2020-01-01&to=2020-01-31')).rows.find((x) => x[0] === mgr.id).slice(2), [0, 0, 0, null]);
});

test('tickets and SLA: per week, queue and priority; decided, met, breached, compliance', async () => {
  const queue = await ok('POST', '/api/v1/queues', { name: 'Ready desk', rule: 'round_robin', members: [admin.id] });
  await ok('POST', '/api/v1/sla-policies', { name: 'Ready SLA', position: 0, response_min: 60, resolution_min: 600 });
  const t = [];
  for (const [priority, owner] of [['high', admin.id], ['high', admin.id], ['high', admin.id], ['normal', mgr.id]])
    t.push(await createOk(srv, 'tickets', { subject: `t ${t.length}`, queue_id: queue.id, priority, owner_id: owner }));
  // t0 resolved in time, t1 breached while open, t2 open; t3 (the manager's) resolved.
  await ok('PATCH', `/api/v1/tickets/${t[0].id}`, { status: 'resolved' });
  await ok('PATCH', `/api/v1/tickets/${t[3].id}`, { status: 'resolved' });
  query(`UPDATE tickets SET response_breached = 1 WHERE id = ${t[1].id}`);
  const r = await runLib('tickets_sla');
  const monday = new Date(); monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
  const w = day(monday.getTime());
  assert.deepEqual(r.rows, [[w, queue.id, 'Ready desk', 'high', 3, 2, 1, 1, 50], [w, queue.id, 'Ready desk', 'normal', 1, 1, 1, 0, 100]]);
  assert.equal(r.drill[0].priority, 'high');
  assert.equal(await drillCount('tickets', r.drill[0]), 3);
  const m = await runLib('tickets_sla', '', mgr.token);
  assert.deepEqual(m.rows, [[w, queue.id, 'Ready desk', 'normal', 1, 1, 1, 0, 100]]);
  assert.deepEqual((await runLib('tickets_sla', `?owner_id=${admin.id}`)).rows.map((x) => x[4]), [3]);
});

test('process bottlenecks: average and longest time per step of each template, on readable records', async () => {
  const tpl = await ok('POST', '/api/v1/process-templates', {
    key: 'ready_flow', name: 'Ready flow', entity: 'deals', trigger: { type: 'manual' }, start: 'call',
    steps: [
      { id: 'call', kind: 'task', name: 'Call the client', responsible: 'record_owner', next: 'done' },
      { id: 'done', kind: 'end', name: 'Done' },
    ],
  });
  const deals = [];
  for (const owner of [admin.id, admin.id, mgr.id]) {
    const d = await ok('POST', '/api/v1/deals', { title: 'flow', pipeline_id: pipe.id, amount: 1, currency: 'EUR', owner_id: owner });
    deals.push(d);
    await ok('POST', '/api/v1/process-instances', { template_id: tpl.id, entity: 'deals', record_id: d.id });
  }
  // Durations set by hand: 2 h and 4 h done on the admin's deals, the manager's still waiting.
  const H = 3600000;
  const now = Date.now();
  query(`UPDATE process_steps SET status = 'done', started_at = ${now - 4 * H}, done_at = ${now - 2 * H} WHERE step_id = 'call' AND instance_id = (SELECT id FROM process_instances WHERE record_id = ${deals[0].id} AND entity = 'deals')`);
  query(`UPDATE process_steps SET status = 'done', started_at = ${now - 5 * H}, done_at = ${now - H} WHERE step_id = 'call' AND instance_id = (SELECT id FROM process_instances WHERE record_id = ${deals[1].id} AND entity = 'deals')`);
  const r = await runLib('process_bottlenecks');
  const call = r.rows.find((x) => x[0] === tpl.id && x[2] === 'call');
  assert.deepEqual(call, [tpl.id, 'Ready flow', 'call', 'Call the client', 2, 3, 4, 1, 0]);
  const m = await runLib('process_bottlenecks', '', mgr.token);
  assert.deepEqual(m.rows.filter((x) => x[0] === tpl.id), [[tpl.id, 'Ready flow', 'call', 'Call the client', 0, null, null, 1, 0]]);
  assert.deepEqual((await runLib('process_bottlenecks', `?owner_id=${mgr.id}`)).rows.filter((x) => x[0] === tpl.id).map((x) => x[7]), [1]);
});

test('a role that hides the amounts or the tier: the reports built on them refuse, and say why', async () => {
  const role = await ok('POST', '/api/v1/roles', {
    name: 'Ready blind', perms: { '*': { read: 'all' } },
    fields: { deals: { amount_base: 'hidden' }, companies: { 'custom.tier': 'hidden' } },
  });
  const u = await ok('POST', '/api/v1/users', { email: 'ready.blind@example.com', name: 'Ready Blind', password: 'saffron lighthouse quill 27', role_id: role.id });
  const auth = createToken(srv, u.email, 'blind');
  for (const key of ['abc_clients', 'rfm_segments', 'revenue_by_segment']) {
    const r = await runRaw(key, '', auth);
    assertProblem(r, 403);
    assert.match(r.body.detail, /hides/);
  }
  assertProblem(await runRaw('revenue_by_month', '?segment=gold', auth), 400);
  // Revenue by product answers, without its money column.
  const p = await runLib('revenue_by_product', '', auth);
  assert.deepEqual(p.rows.map((x) => x[4]), [null, null]);
});
