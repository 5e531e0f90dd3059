// The revenue forecast (GET /api/v1/forecast): open deals weighted by their stage's probability in the
// month of their expected close (overdue ones in the current month, undated and far ones apart, deals
// without a rate left out and counted), what was won this month added to it, the same month of the
// year before as the history, the combined figure the larger of the two; a manager's forecast counts
// only their own deals; filters narrow it; bad parameters are 400 naming the parameter.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, PG, pgSql } from '../lib/server.mjs';
import { stopClean, req, assertProblem, addUser, createToken } from '../lib/helpers.mjs';

let srv;
let pipe;
let manager;

function sql(text) {
  if (PG) return pgSql(text, srv.db);
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, text], { encoding: 'utf8' });
}

async function ok(method, path, body, auth) {
  const r = await req(srv, method, path, { body, auth });
  assert.ok(r.status === 200 || r.status === 201, `${method} ${path} ${JSON.stringify(body)}: ${r.status} ${r.text}`);
  return r.body;
}

// The month k months from the current one (UTC): "YYYY-MM".
function month(k) {
  const now = new Date();
  const m = now.getUTCFullYear() * 12 + now.getUTCMonth() + k;
  return `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
}

let reason;

async function deal(title, stage, amount, { expected = '', owner, currency = 'EUR', auth } = {}) {
  const body = { title, pipeline_id: pipe.id, amount, currency, expected_close: expected };
  if (owner) body.owner_id = owner;
  const d = await ok('POST', '/api/v1/deals', body, auth);
  const s = pipe.stages.find((x) => x.name === stage);
  const move = stage === 'Lost' ? { stage_id: s.id, lost_reason_id: reason.id } : { stage_id: s.id };
  if (s.id !== d.stage_id) await ok('POST', `/api/v1/deals/${d.id}/move`, move, auth);
  return d.id;
}

before(async () => {
  srv = await startServer();
  addUser(srv, 'forecast.manager@example.com', 'pelican harbour drums nine', { name: 'Forecast Manager' });
  const token = createToken(srv, 'forecast.manager@example.com', 'fcm');
  manager = { token, id: (await req(srv, 'GET', '/api/v1/auth/me', { auth: token })).body.id };
  pipe = await ok('POST', '/api/v1/pipelines', {
    name: 'Forecast pipe',
    stages: [{ name: 'Lead', probability: 10 }, { name: 'Offer', probability: 50 }, { name: 'Contract', probability: 80 },
      { name: 'Won', kind: 'won', probability: 100 }, { name: 'Lost', kind: 'lost' }],
  });
  reason = await ok('POST', '/api/v1/lost-reasons', { name: 'Forecast price' });
  await deal('next month, half', 'Offer', 10000, { expected: `${month(1)}-15` });         // 5000 in +1
  await deal('next month, 80%', 'Contract', 2500, { expected: `${month(1)}-02` });        // 2000 in +1
  await deal('overdue lead', 'Lead', 3333, { expected: '2020-01-31' });                   // 333.3 now
  await deal('no date', 'Offer', 1000);                                                  // undated 500
  await deal('far away', 'Offer', 4000, { expected: `${month(8)}-01` });                  // beyond 2000
  await deal('no rate', 'Offer', 7000, { currency: 'USD', expected: `${month(1)}-01` });  // unconverted
  await deal('the manager\'s', 'Contract', 5000, { expected: `${month(2)}-10`, owner: manager.id }); // 4000 in +2
  await deal('lost', 'Lost', 9999, { expected: `${month(1)}-01` });                      // not open
  await deal('won now', 'Won', 1500);                                                    // won to date
  // Won eleven months ago: next month's history, a year on.
  const old = await deal('won a year ago', 'Won', 6000);
  const [y, m] = month(-11).split('-').map(Number);
  sql(`UPDATE deals SET closed_at = ${Date.UTC(y, m - 1, 10)} WHERE id = ${old}`);
});
after(async () => { await stopClean(srv); });

test('pipeline weighting, history a year on, and the combined figure on a hand-computed set', async () => {
  const r = await req(srv, 'GET', `/api/v1/forecast?pipeline_id=${pipe.id}`);
  assert.equal(r.status, 200, r.text);
  const f = r.body;
  assert.equal(f.months, 6);
  assert.equal(f.base_currency, 'EUR');
  assert.deepEqual(f.forecast.map((x) => x.month), [0, 1, 2, 3, 4, 5].map(month));
  const [now, next, after2] = f.forecast;
  // The current month: the overdue lead (3333 × 10% = 333.3 → 333) and what was won in it so far.
  assert.equal(now.won_to_date, 1500);
  assert.equal(now.pipeline, 1833);
  assert.equal(now.pipeline_deals, 1);
  assert.equal(now.history, null);          // no revenue twelve months ago
  assert.equal(now.combined, 1833);
  // Next month: 10000 × 50% + 2500 × 80%; the year before brought 6000 (no trend: under 24 months of data).
  assert.equal(next.pipeline, 7000);
  assert.equal(next.pipeline_deals, 2);
  assert.equal(next.history, 6000);
  assert.equal(next.history_years, 1);
  assert.equal(next.combined, 7000);
  assert.ok(next.low <= 6000 && next.high >= 6000);
  // In two months: the manager's 5000 × 80%; a year before brought nothing, after the data's start.
  assert.equal(after2.pipeline, 4000);
  assert.equal(after2.history, 0);
  assert.equal(after2.combined, 4000);
  assert.deepEqual(f.undated, { count: 1, weighted: 500 });
  assert.deepEqual(f.beyond, { count: 1, weighted: 2000 });
  assert.equal(f.unconverted, 1);
  assert.equal(f.trend_bp, null);
  // The backtest: twelve past months with their actuals; none has a year before it to forecast from.
  assert.equal(f.backtest.months.length, 12);
  assert.equal(f.backtest.months[0].month, month(-12));
  assert.equal(f.backtest.months.find((x) => x.month === month(-11)).actual, 6000);
  assert.ok(f.backtest.months.every((x) => x.forecast === null && x.error_bp === null));
  assert.equal(f.backtest.mape_bp, null);
  // A longer horizon brings the far deal into its month.
  const long = await ok('GET', `/api/v1/forecast?pipeline_id=${pipe.id}&months=12`);
  assert.equal(long.forecast.length, 12);
  assert.equal(long.forecast[8].pipeline, 2000);
  assert.deepEqual(long.beyond, { count: 0, weighted: 0 });
});

test('a manager\'s forecast counts only their deals; an owner filter gives the same', async () => {
  const mine = await ok('GET', `/api/v1/forecast?pipeline_id=${pipe.id}`, undefined, manager.token);
  assert.deepEqual(mine.forecast.map((x) => x.pipeline), [0, 0, 4000, 0, 0, 0]);
  assert.ok(mine.forecast.every((x) => x.history === null && x.won_to_date === 0));
  assert.deepEqual(mine.undated, { count: 0, weighted: 0 });
  assert.equal(mine.unconverted, 0);
  assert.ok(mine.backtest.months.every((x) => x.actual === 0));
  const filtered = await ok('GET', `/api/v1/forecast?pipeline_id=${pipe.id}&owner_id=${manager.id}`);
  assert.deepEqual(filtered.forecast, mine.forecast);
  // Another pipeline has none of these deals.
  const other = await ok('POST', '/api/v1/pipelines', { name: 'Empty forecast pipe', stages: [{ name: 'New' },
    { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }] });
  const empty = await ok('GET', `/api/v1/forecast?pipeline_id=${other.id}&months=3`);
  assert.deepEqual(empty.forecast.map((x) => [x.pipeline, x.history, x.combined]), [[0, null, 0], [0, null, 0], [0, null, 0]]);
});

test('history and backtest end to end: two years of won deals, a 1.5 trend, the exact MAPE', async () => {
  // One won deal a month for the 24 months before this one: 1000 each the first year, 1500 the second.
  const hist = await ok('POST', '/api/v1/pipelines', { name: 'History pipe', stages: [{ name: 'Open' },
    { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }] });
  const won = hist.stages.find((x) => x.kind === 'won');
  for (let k = -24; k < 0; k++) {
    const d = await ok('POST', '/api/v1/deals', { title: `History ${k}`, pipeline_id: hist.id, amount: k < -12 ? 1000 : 1500, currency: 'EUR' });
    await ok('POST', `/api/v1/deals/${d.id}/move`, { stage_id: won.id });
    const [y, m] = month(k).split('-').map(Number);
    sql(`UPDATE deals SET closed_at = ${Date.UTC(y, m - 1, 15, 12)} WHERE id = ${d.id}`);
  }
  const f = await ok('GET', `/api/v1/forecast?pipeline_id=${hist.id}&months=3`);
  // 12 × 1500 over 12 × 1000.
  assert.equal(f.trend_bp, 15000);
  // The backtest has no 24 months before any past month: no trend, so each month is forecast as the
  // year before (1000) against 1500: |1000 - 1500| / 1500 = 3333 bp every month.
  assert.deepEqual(f.backtest.months.map((x) => [x.month, x.actual, x.forecast, x.error_bp]),
    Array.from({ length: 12 }, (_, i) => [month(i - 12), 1500, 1000, 3333]));
  assert.equal(f.backtest.mape_bp, 3333);
  // This month: 1500 × 1.5 and 1000 × 1.5 × 1.5 are both 2250; the range widened by the MAPE (750).
  const [now] = f.forecast;
  assert.deepEqual([now.history, now.history_years, now.low, now.high], [2250, 2, 1500, 3000]);
  assert.deepEqual([now.pipeline, now.combined, now.combined_low, now.combined_high], [0, 2250, 1500, 3000]);
});

test('a department filter, and a role that hides deal amounts', async () => {
  const d = await ok('POST', '/api/v1/departments', { name: 'Forecast dept', parent_id: 1 });
  const empty = await ok('GET', `/api/v1/forecast?pipeline_id=${pipe.id}&department_id=${d.id}`);
  assert.ok(empty.forecast.every((x) => x.pipeline === 0));
  await ok('PATCH', `/api/v1/users/${manager.id}`, { department_id: d.id });
  const theirs = await ok('GET', `/api/v1/forecast?pipeline_id=${pipe.id}&department_id=${d.id}`);
  assert.deepEqual(theirs.forecast.map((x) => x.pipeline), [0, 0, 4000, 0, 0, 0]);
  const role = await ok('POST', '/api/v1/roles', { name: 'Forecast-blind', perms: { '*': { read: 'all' } },
    fields: { deals: { amount_base: 'hidden' } } });
  const u = await ok('POST', '/api/v1/users', { email: 'forecast.blind@example.com', name: 'Blind', password: 'saffron lighthouse quill 27', role_id: role.id });
  assertProblem(await req(srv, 'GET', '/api/v1/forecast', { auth: createToken(srv, u.email, 'fcb') }), 403);
});

test('bad parameters are 400 naming the parameter', async () => {
  for (const [q, name] of [['months=2', 'months'], ['months=13', 'months'], ['months=six', 'months'], ['months=', 'months'],
    ['pipeline_id=abc', 'pipeline_id'], ['owner_id=0', 'owner_id'], ['department_id=-1', 'department_id'],
    ['period=2026', 'period'], ['sort=month', 'sort'], ['months=3&months=4', 'months']]) {
    assertProblem(await req(srv, 'GET', `/api/v1/forecast?${q}`), 400, q);
    const r = await req(srv, 'GET', `/api/v1/forecast?${q}`);
    assert.match(r.body.detail, new RegExp(name), q);
  }
  assertProblem(await req(srv, 'GET', '/api/v1/forecast', { auth: 'not-a-token' }), 401);
});
