// The funnel report (GET /api/v1/reports/funnel): per stage of a pipeline,
// how many deals created in the period reached it, moved on, how long they
// stayed and what they are worth; won and lost with reasons. Every number
// is the count of the deal list behind it (the drill query plus one
// filter), a viewer only ever counts what they may read, and bad
// parameters are refused by name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { stopClean, req, assertProblem, addUser, createToken, listAll } from '../lib/helpers.mjs';

let srv;
let pipe;          // {id, stages: [A, B, C, Won, Lost]}
let reasons;       // [price, timing]
let manager;       // {id, token}
const deals = {};  // name → id

async function ok(method, path, body, auth) {
  const r = await req(srv, method, path, { body, auth });
  assert.ok(r.status === 200 || r.status === 201, `${method} ${path} ${JSON.stringify(body)}: ${r.status} ${r.text}`);
  return r.body;
}

// A deal created in A and moved along the given stages (names), lost with a reason.
async function deal(name, path, { amount = 1000, currency = 'EUR', owner, source = 'web', reason } = {}) {
  const byName = Object.fromEntries(pipe.stages.map((s) => [s.name, s]));
  const body = { title: name, pipeline_id: pipe.id, amount, currency, source };
  if (owner) body.owner_id = owner;
  const d = await ok('POST', '/api/v1/deals', body);
  for (const stage of path) {
    const move = { stage_id: byName[stage].id };
    if (stage === 'Lost') move.lost_reason_id = reason.id;
    await ok('POST', `/api/v1/deals/${d.id}/move`, move);
  }
  deals[name] = d.id;
}

before(async () => {
  srv = await startServer();
  addUser(srv, 'funnel.manager@example.com', 'pelican harbour drums nine', { name: 'Funnel Manager' });
  const token = createToken(srv, 'funnel.manager@example.com', 'fm');
  manager = { token, id: (await req(srv, 'GET', '/api/v1/auth/me', { auth: token })).body.id };
  pipe = await ok('POST', '/api/v1/pipelines', {
    name: 'Funnel test',
    stages: [{ name: 'A' }, { name: 'B' }, { name: 'C' }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }],
  });
  reasons = [await ok('POST', '/api/v1/lost-reasons', { name: 'Funnel price' }),
             await ok('POST', '/api/v1/lost-reasons', { name: 'Funnel timing' })];
  await deal('d1 stays in A', []);
  await deal('d2 A→B', ['B'], { amount: 2000 });
  await deal('d3 A→C, skips B', ['C'], { amount: 3000, owner: manager.id });
  await deal('d4 A→B→C→Won', ['B', 'C', 'Won'], { amount: 4000, source: 'fair' });
  await deal('d5 A→Won, skips B and C', ['Won'], { amount: 5000, owner: manager.id });
  await deal('d6 A→B→Lost (price)', ['B', 'Lost'], { amount: 600, reason: reasons[0] });
  await deal('d7 A→Lost (timing)', ['Lost'], { amount: 700, reason: reasons[1], owner: manager.id });
  await deal('d8 A→C→B, went back', ['C', 'B'], { amount: 800 });
  await deal('d9 in USD, no rate', ['B'], { amount: 900, currency: 'USD' });
  // In the trash: not counted.
  await deal('d10 trashed', ['B']);
  assert.equal((await req(srv, 'DELETE', `/api/v1/deals/${deals['d10 trashed']}`)).status, 204);
});
after(async () => { await stopClean(srv); });

const funnel = (query = '', auth) => req(srv, 'GET', `/api/v1/reports/funnel?pipeline_id=${pipe.id}${query}`, { auth });

test('the funnel counts what reached each stage, skipping counts as passing, going back keeps what was reached', async () => {
  const r = await funnel();
  assert.equal(r.status, 200, r.text);
  const f = r.body;
  assert.deepEqual(f.pipeline, { id: pipe.id, name: 'Funnel test' });
  assert.equal(f.base_currency, 'EUR');
  const today = new Date().toISOString().slice(0, 10);
  assert.equal(f.to, today);
  const from = new Date(Date.parse(today) - 364 * 86400000).toISOString().slice(0, 10);
  assert.equal(f.from, from, 'the default period is the last 365 days');
  assert.equal(f.total, 9);
  assert.deepEqual(f.stages.map((s) => [s.stage.name, s.stage.kind, s.reached, s.moved_on, s.conversion, s.current]), [
    ['A', 'open', 9, 7, 0.7778, 1],
    ['B', 'open', 7, 4, 0.5714, 3],
    ['C', 'open', 4, 2, 0.5, 1],
    ['Won', 'won', 2, null, null, 2],
  ]);
  // Values: amount_base of the deals that reached the stage; d9 has none.
  assert.deepEqual(f.stages.map((s) => s.value_base), [
    1000 + 2000 + 3000 + 4000 + 5000 + 600 + 700 + 800,
    2000 + 3000 + 4000 + 5000 + 600 + 800,
    3000 + 4000 + 5000 + 800,
    4000 + 5000,
  ]);
  assert.equal(f.unconverted, 1);
  assert.deepEqual(f.won, { count: 2, value_base: 9000 });
  assert.deepEqual(f.lost, {
    count: 2, value_base: 1300,
    reasons: [{ id: reasons[0].id, name: 'Funnel price', count: 1, value_base: 600 },
              { id: reasons[1].id, name: 'Funnel timing', count: 1, value_base: 700 }],
  });
  assert.equal(f.end_to_end, 0.2222);
  // Every deal left A (all but d1); nobody has left Won.
  assert.equal(typeof f.stages[0].avg_ms, 'number');
  assert.ok(f.stages[0].avg_ms >= 0);
  assert.equal(f.stages[3].avg_ms, null);
  assert.equal(f.drill, `pipeline_id=${pipe.id}&created_at%5Bgte%5D=${from}&created_at%5Blte%5D=${today}`);
  // The text of the number, as a curl user sees it.
  assert.match(r.text, /"conversion":0\.7778[,}]/);
});

// Each number is the length of the deal list at drill plus one filter.
async function assertDrills(f, auth) {
  const count = async (extra) => (await listAll(srv, 'deals', `${f.drill}&${extra}`, { auth })).length;
  for (const s of f.stages) {
    assert.equal(await count(`reached_stage=${s.stage.id}`), s.reached, `reached ${s.stage.name}`);
    assert.equal(await count(`stage_id=${s.stage.id}`), s.current, `current ${s.stage.name}`);
  }
  assert.equal((await listAll(srv, 'deals', f.drill, { auth })).length, f.total, 'total');
  assert.equal(await count('status=won'), f.won.count, 'won');
  assert.equal(await count('status=lost'), f.lost.count, 'lost');
  for (const reason of f.lost.reasons) {
    assert.equal(await count(`lost_reason_id=${reason.id}`), reason.count, `reason ${reason.name}`);
  }
}

test('every number clicks through to the deals behind it', async () => {
  const f = (await funnel()).body;
  await assertDrills(f);
  // A lost stage is not a step: reached_stage of it matches nothing.
  const lost = pipe.stages.find((s) => s.kind === 'lost');
  assert.equal((await listAll(srv, 'deals', `${f.drill}&reached_stage=${lost.id}`)).length, 0);
  assertProblem(await req(srv, 'GET', '/api/v1/deals?reached_stage=abc'), 400, 'reached_stage');
});

test('filters narrow the cohort and pass into the drill query', async () => {
  const r = await funnel(`&source=fair&owner_id=${(await req(srv, 'GET', '/api/v1/auth/me')).body.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.total, 1);
  assert.deepEqual(r.body.stages.map((s) => s.reached), [1, 1, 1, 1]);
  assert.match(r.body.drill, /&source=fair&owner_id=\d+$/);
  await assertDrills(r.body);
  // A period that holds none of them.
  const old = await funnel('&from=2020-01-01&to=2020-12-31');
  assert.equal(old.status, 200, old.text);
  assert.equal(old.body.total, 0);
  assert.equal(old.body.end_to_end, null);
  assert.deepEqual(old.body.stages.map((s) => [s.reached, s.conversion, s.avg_ms, s.value_base]),
    [[0, null, null, 0], [0, null, null, 0], [0, null, null, 0], [0, null, null, 0]]);
});

test('a manager with the own scope counts only their own deals', async () => {
  const r = await funnel('', manager.token);
  assert.equal(r.status, 200, r.text);
  const f = r.body;
  assert.equal(f.total, 3);
  assert.deepEqual(f.stages.map((s) => [s.reached, s.current]), [[3, 0], [2, 0], [2, 1], [1, 1]]);
  assert.deepEqual(f.won, { count: 1, value_base: 5000 });
  assert.deepEqual(f.lost.reasons.map((x) => [x.name, x.count]), [['Funnel timing', 1]]);
  await assertDrills(f, manager.token);
  // Asking for the others' deals by filter does not show them either.
  const others = await funnel(`&owner_id=${(await req(srv, 'GET', '/api/v1/auth/me')).body.id}`, manager.token);
  assert.equal(others.body.total, 0);
});

test('bad parameters are refused by name', async () => {
  const cases = [
    ['&from=2026-02-01&to=2026-01-31', 400, 'from'],
    ['&from=2026-13-01', 400, 'from'],
    ['&to=yesterday', 400, 'to'],
    ['&from=2026-1-1', 400, 'from'],
    ['&from=2000-01-01&to=2026-01-01', 400, 'from'],
    ['&colour=red&sort=title', 400, 'colour'],
    ['&limit=5', 400, 'limit'],
    ['&from=2026-01-01&from=2026-02-01', 400, 'from'],
    ['&owner_id=x', 400, 'owner_id'],
  ];
  for (const [q, status, word] of cases) {
    const r = await funnel(q);
    assertProblem(r, status, q);
    assert.match(r.body.detail, new RegExp(word), `${q}: ${r.text}`);
  }
  const unknown = await req(srv, 'GET', '/api/v1/reports/funnel?colour=red&size=big');
  assertProblem(unknown, 400);
  assert.match(unknown.body.detail, /colour, size/);
  assertProblem(await req(srv, 'GET', '/api/v1/reports/funnel?pipeline_id=999999'), 404);
  assertProblem(await req(srv, 'GET', '/api/v1/reports/funnel?pipeline_id=abc'), 400);
  assertProblem(await req(srv, 'GET', '/api/v1/reports/funnel', { auth: null }), 401);
  // No pipeline named: the first active one (the fresh database's "Sales").
  const def = await req(srv, 'GET', '/api/v1/reports/funnel');
  assert.equal(def.status, 200, def.text);
  assert.equal(def.body.pipeline.name, 'Sales');
});

test('restaging a pipeline moves what counts as reached, and the drill-down follows', async () => {
  const p = await ok('POST', '/api/v1/pipelines', {
    name: 'Funnel restage',
    stages: [{ name: 'One' }, { name: 'Two' }, { name: 'Three' }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }],
  });
  const [one, two, three, won, lost] = p.stages;
  const mk = async (path) => {
    const d = await ok('POST', '/api/v1/deals', { title: 'restage', pipeline_id: p.id, amount: 100 });
    for (const s of path) await ok('POST', `/api/v1/deals/${d.id}/move`, { stage_id: s.id });
  };
  await mk([two]);          // One, Two
  await mk([three, two]);   // One, Three, back to Two
  await mk([three]);        // One, Three
  const at = async (want) => {
    const f = (await req(srv, 'GET', `/api/v1/reports/funnel?pipeline_id=${p.id}`)).body;
    assert.deepEqual(f.stages.map((s) => [s.stage.name, s.reached]), want);
    await assertDrills(f);
  };
  await at([['One', 3], ['Two', 3], ['Three', 2], ['Won', 0]]);
  // Three before Two: reaching Three now passes One only; Two passes Three.
  const r = await req(srv, 'PATCH', `/api/v1/pipelines/${p.id}`, {
    body: { stages: [{ id: one.id, name: 'One' }, { id: three.id, name: 'Three' }, { id: two.id, name: 'Two' },
                     { id: won.id, name: 'Won', kind: 'won' }, { id: lost.id, name: 'Lost', kind: 'lost' }] },
  });
  assert.equal(r.status, 200, r.text);
  await at([['One', 3], ['Three', 3], ['Two', 2], ['Won', 0]]);
});
