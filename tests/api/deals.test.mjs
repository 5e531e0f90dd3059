// Deals: created in a pipeline's first open stage with money in minor units,
// moved between stages with every stay recorded, lost only with a reason,
// flagged when stuck past a stage's time limit, and shown on the board with
// per-column totals in the base currency. Bad input is refused field by
// field and nothing is half-written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, PG, pgSql } from '../lib/server.mjs';
import { stopClean, req, createOk, listAll, assertProblem, assertInvalid, addUser, createToken } from '../lib/helpers.mjs';

let srv;
let pipe;      // a pipeline of this test's own
let other;     // another pipeline
let reason;    // an active lost reason
let retired;   // a retired one
let manager;   // a manager's token (own scope)
let managerId;
const S = {};  // stage name → id in pipe

// Background work (a job) finishes within a bound, or the test fails.
async function until(what, ms, fn) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

// Time passing, as the database would see it: the test moves a deal's stay back.
function sql(text) {
  if (PG) return pgSql(text, srv.db);
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, text], { encoding: 'utf8' });
}

before(async () => {
  srv = await startServer();
  pipe = (await req(srv, 'POST', '/api/v1/pipelines', { body: { name: 'Deals test', stages: [
    { name: 'Lead', probability: 10, time_limit_days: 2 }, { name: 'Offer', probability: 50 },
    { name: 'Contract', probability: 80, time_limit_days: 10 },
    { name: 'Won', kind: 'won', probability: 100 }, { name: 'Lost', kind: 'lost' }] } })).body;
  for (const s of pipe.stages) S[s.name] = s.id;
  other = (await req(srv, 'POST', '/api/v1/pipelines', { body: { name: 'Tenders', stages: [
    { name: 'Bid' }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }] } })).body;
  reason = (await req(srv, 'POST', '/api/v1/lost-reasons', { body: { name: 'Price too high' } })).body;
  retired = (await req(srv, 'POST', '/api/v1/lost-reasons', { body: { name: 'Old reason' } })).body;
  assert.equal((await req(srv, 'PATCH', `/api/v1/lost-reasons/${retired.id}`, { body: { active: false } })).status, 200);
  addUser(srv, 'deal.manager@example.com', 'amber otter juggles seventeen lanterns', { name: 'Deal Manager' });
  manager = createToken(srv, 'deal.manager@example.com', 'dm');
  managerId = (await req(srv, 'GET', '/api/v1/auth/me', { auth: manager })).body.id;
});
after(async () => { await stopClean(srv); });

const move = (id, body, opts = {}) => req(srv, 'POST', `/api/v1/deals/${id}/move`, { body, ...opts });
const stays = async (id) => {
  const r = await req(srv, 'GET', `/api/v1/deals/${id}/stages`);
  assert.equal(r.status, 200, r.text);
  return r.body;
};

test('a new deal starts in the first open stage of the first pipeline, in the base currency, with its first stay', async () => {
  const d = await createOk(srv, 'deals', { title: 'Fresh deal', amount: 1999 });
  assert.equal(d.pipeline_id, 1, 'the default pipeline of a fresh database');
  assert.equal(d.stage_name, 'New');
  assert.equal(d.status, 'open');
  assert.equal(d.currency, 'EUR');
  assert.equal(d.amount, 1999);
  assert.equal(d.amount_base, 1999, 'the base currency converts to itself');
  assert.equal(d.closed_at, null);
  assert.equal(d.stuck, false);
  // The default pipeline's first stage gives three days.
  assert.equal(Date.parse(d.stage_due_at) - Date.parse(d.stage_entered_at), 3 * 86400000);
  const h = await stays(d.id);
  assert.equal(h.data.length, 1);
  assert.equal(h.data[0].stage_name, 'New');
  assert.equal(h.data[0].left_at, null);
  assert.equal(h.data[0].entered_by_name, 'Ada Admin');
});

test('moving records every stay with its author; the time per stage adds up; coming back counts a second visit', async () => {
  const d = await createOk(srv, 'deals', { title: 'Mover', amount: 50000, pipeline_id: pipe.id });
  assert.equal(d.stage_id, S.Lead);
  let r = await move(d.id, { stage_id: S.Offer }, { auth: undefined });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), `"${d.version + 1}"`);
  assert.equal(r.body.stage_name, 'Offer');
  assert.equal(r.body.stage_due_at, null, 'Offer has no time limit');
  r = await move(d.id, { stage_id: S.Lead });
  assert.equal(r.status, 200, r.text);
  // A PATCH of stage_id is a move too.
  r = await req(srv, 'PATCH', `/api/v1/deals/${d.id}`, { body: { stage_id: S.Contract } });
  assert.equal(r.status, 200, r.text);
  const h = await stays(d.id);
  assert.deepEqual(h.data.map((s) => s.stage_name), ['Lead', 'Offer', 'Lead', 'Contract']);
  for (let i = 0; i + 1 < h.data.length; i++) {
    assert.equal(h.data[i].left_at, h.data[i + 1].entered_at, 'a stay ends when the next begins');
    assert.equal(h.data[i].duration_ms, Date.parse(h.data[i].left_at) - Date.parse(h.data[i].entered_at));
  }
  const lead = h.by_stage.find((b) => b.stage_id === S.Lead);
  assert.equal(lead.visits, 2);
  assert.equal(lead.duration_ms, h.data[0].duration_ms + h.data[2].duration_ms);
  // Moving to the stage it is in changes nothing in the history.
  assert.equal((await move(d.id, { stage_id: S.Contract })).status, 200);
  assert.equal((await stays(d.id)).data.length, 4);
  // The move is in the audit log as a change of stage.
  const audit = await req(srv, 'GET', `/api/v1/deals/${d.id}/history`);
  assert.equal(audit.status, 200, audit.text);
  assert.ok(audit.body.data.some((e) => JSON.stringify(e.detail || {}).includes('stage_id')), audit.text);
});

test('lost needs an active reason; won and lost close the deal; reopening clears the reason and the close', async () => {
  const d = await createOk(srv, 'deals', { title: 'Loser', amount: 700, pipeline_id: pipe.id });
  assertInvalid(await move(d.id, { stage_id: S.Lost }), ['lost_reason_id']);
  assertInvalid(await move(d.id, { stage_id: S.Lost, lost_reason_id: 999999 }), ['lost_reason_id']);
  assertInvalid(await move(d.id, { stage_id: S.Lost, lost_reason_id: retired.id }), ['lost_reason_id']);
  assertInvalid(await move(d.id, { stage_id: S.Offer, lost_reason_id: reason.id }), ['lost_reason_id']);
  assert.equal((await stays(d.id)).data.length, 1, 'refused moves leave no history');
  let r = await move(d.id, { stage_id: S.Lost, lost_reason_id: reason.id, lost_comment: 'Went with a cheaper offer' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'lost');
  assert.equal(r.body.lost_reason_id, reason.id);
  assert.ok(r.body.closed_at, 'a lost deal is closed');
  assert.equal(r.body.stuck, false);
  r = await move(d.id, { stage_id: S.Offer });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'open');
  assert.equal(r.body.lost_reason_id, null);
  assert.equal(r.body.lost_comment, null);
  assert.equal(r.body.closed_at, null);
  // A reason deals were lost for stays in the list, retired rather than deleted.
  const used = (await req(srv, 'POST', '/api/v1/lost-reasons', { body: { name: 'No budget' } })).body;
  const other = await createOk(srv, 'deals', { title: 'Lost for budget', pipeline_id: pipe.id });
  assert.equal((await move(other.id, { stage_id: S.Lost, lost_reason_id: used.id })).status, 200);
  const del = await req(srv, 'DELETE', `/api/v1/lost-reasons/${used.id}`);
  assertProblem(del, 409);
  assert.match(del.body.detail, /1 deal was lost for this reason: retire it/);
  r = await move(d.id, { stage_id: S.Won });
  assert.equal(r.body.status, 'won');
  assert.ok(r.body.closed_at);
  const lost = await listAll(srv, 'deals', `pipeline_id=${pipe.id}&status=won`);
  assert.ok(lost.some((x) => x.id === d.id));
});

test('bad deals and bad moves are refused field by field, and nothing is written', async () => {
  const before = (await listAll(srv, 'deals')).length;
  const bad = [
    [{ amount: 5 }, ['title']],
    [{ title: 'x', amount: -1 }, ['amount']],
    [{ title: 'x', amount: 12.5 }, ['amount']],
    [{ title: 'x', amount: '100' }, ['amount']],
    [{ title: 'x', amount: 1e16 }, ['amount']],
    [{ title: 'x', currency: 'XYZ' }, ['currency']],
    [{ title: 'x', currency: 'usd' }, ['currency']],
    [{ title: 'x', stage_id: 999999 }, ['stage_id']],
    [{ title: 'x', pipeline_id: pipe.id, stage_id: other.stages[0].id }, ['stage_id']],
    [{ title: 'x', pipeline_id: 999999 }, ['pipeline_id']],
    [{ title: 'x', status: 'won' }, ['status']],
    [{ title: 'x', amount_base: 5 }, ['amount_base']],
    [{ title: 'x', closed_at: '2026-01-01T00:00:00Z' }, ['closed_at']],
    [{ title: 'x', contact_ids: [999999] }, ['contact_ids[0]']],
    [{ title: 'x', contact_ids: 'all' }, ['contact_ids']],
    [{ title: 'x', expected_close: '31.12.2026' }, ['expected_close']],
    [{ title: 'x', company_id: 999999 }, ['company_id']],
  ];
  for (const [body, fields] of bad) assertInvalid(await req(srv, 'POST', '/api/v1/deals', { body }), fields, JSON.stringify(body));
  assert.equal((await listAll(srv, 'deals')).length, before);

  const d = await createOk(srv, 'deals', { title: 'Fixed pipeline', pipeline_id: pipe.id });
  assertInvalid(await req(srv, 'PATCH', `/api/v1/deals/${d.id}`, { body: { pipeline_id: other.id } }), ['pipeline_id']);
  assertInvalid(await move(d.id, { stage_id: other.stages[0].id }), ['stage_id']);
  assertInvalid(await move(d.id, { stage_id: 999999 }), ['stage_id']);
  assertInvalid(await move(d.id, {}), ['stage_id']);
  assertInvalid(await move(d.id, { stage_id: S.Offer, title: 'sneaky' }), ['title']);
  assertInvalid(await move(d.id, { stage_id: 'Offer' }), ['stage_id']);
  assertInvalid(await req(srv, 'PATCH', `/api/v1/deals/${d.id}`, { body: { stage_id: null } }), ['stage_id']);
  assertProblem(await move(999999, { stage_id: S.Offer }), 404);
  assertProblem(await move(d.id, { stage_id: S.Offer }, { headers: { 'If-Match': '"99"' } }), 412);
  assertProblem(await move(d.id, { stage_id: S.Offer }, { headers: { 'If-Match': 'nonsense' } }), 412);
  const after = (await req(srv, 'GET', `/api/v1/deals/${d.id}`)).body;
  assert.equal(after.version, d.version);
  assert.equal(after.stage_id, S.Lead);
  assert.equal((await stays(d.id)).data.length, 1);

  // A new deal goes to an active pipeline only.
  const arch = (await req(srv, 'POST', '/api/v1/pipelines', { body: { name: 'Archived one', stages: [
    { name: 'A' }, { name: 'W', kind: 'won' }, { name: 'L', kind: 'lost' }] } })).body;
  assert.equal((await req(srv, 'PATCH', `/api/v1/pipelines/${arch.id}`, { body: { archived: true } })).status, 200);
  assertInvalid(await req(srv, 'POST', '/api/v1/deals', { body: { title: 'x', pipeline_id: arch.id } }), ['pipeline_id']);
});

test('another currency converts at the latest rate; without a rate the deal counts once one is entered', async () => {
  const none = await createOk(srv, 'deals', { title: 'Yen deal', amount: 150000, currency: 'JPY', pipeline_id: pipe.id });
  assert.equal(none.amount_base, null);
  const rate = await req(srv, 'PUT', '/api/v1/currencies/rates', { body: { currency: 'USD', date: '2026-01-01', rate: '0.9' } });
  assert.ok(rate.status === 200 || rate.status === 201, rate.text);
  const usd = await createOk(srv, 'deals', { title: 'Dollar deal', amount: 10050, currency: 'USD', pipeline_id: pipe.id });
  assert.equal(usd.amount_base, 9045, '100.50 USD × 0.9 = 90.45 EUR');
  let board = (await req(srv, 'GET', `/api/v1/deals/board?pipeline_id=${pipe.id}&currency=JPY`)).body;
  let lead = board.columns.find((c) => c.stage.id === S.Lead);
  assert.equal(lead.unconverted, 1);
  assert.equal(lead.amount_base, 0);
  // A yen rate arrives: a background job revalues the deals in yen.
  const jpy = await req(srv, 'PUT', '/api/v1/currencies/rates', { body: { currency: 'JPY', date: '2026-01-01', rate: '0.0061' } });
  assert.ok(jpy.status === 200 || jpy.status === 201, jpy.text);
  const base = await until('the yen deal is revalued', 15000, async () =>
    (await req(srv, 'GET', `/api/v1/deals/${none.id}`)).body.amount_base);
  assert.equal(base, 91500, '150000 JPY × 0.0061 = 915.00 EUR');
  board = (await req(srv, 'GET', `/api/v1/deals/board?pipeline_id=${pipe.id}&currency=JPY`)).body;
  lead = board.columns.find((c) => c.stage.id === S.Lead);
  assert.equal(lead.unconverted, 0);
  assert.equal(lead.amount_base, 91500);
  // A new rate for the dollar applies to open dollar deals too.
  const usd2 = await req(srv, 'PUT', '/api/v1/currencies/rates', { body: { currency: 'USD', date: '2026-02-01', rate: '0.8' } });
  assert.ok(usd2.status === 200 || usd2.status === 201, usd2.text);
  await until('the dollar deal is revalued', 15000, async () =>
    (await req(srv, 'GET', `/api/v1/deals/${usd.id}`)).body.amount_base === 8040);
});

test('a deal past its stage\'s time limit is stuck: flagged on the deal, in lists, on the board; a new limit applies at once', async () => {
  const d = await createOk(srv, 'deals', { title: 'Sleepy', pipeline_id: pipe.id });
  const fresh = await createOk(srv, 'deals', { title: 'Awake', pipeline_id: pipe.id });
  // Three days ago it entered Lead, whose limit is two days.
  sql(`UPDATE deals SET stage_entered_at = stage_entered_at - 259200000, stage_due_at = stage_due_at - 259200000 WHERE id = ${d.id}`);
  assert.equal((await req(srv, 'GET', `/api/v1/deals/${d.id}`)).body.stuck, true);
  const stuck = (await listAll(srv, 'deals', `pipeline_id=${pipe.id}&stuck=true`)).map((x) => x.id);
  assert.ok(stuck.includes(d.id));
  assert.ok(!stuck.includes(fresh.id));
  assert.ok((await listAll(srv, 'deals', `pipeline_id=${pipe.id}&stuck=false`)).some((x) => x.id === fresh.id));
  assertProblem(await req(srv, 'GET', '/api/v1/deals?stuck=maybe'), 400);
  let board = (await req(srv, 'GET', `/api/v1/deals/board?pipeline_id=${pipe.id}`)).body;
  assert.ok(board.columns.find((c) => c.stage.id === S.Lead).stuck >= 1);
  // Five days for Lead now: no longer stuck.
  const stages = pipe.stages.map((s) => ({ id: s.id, name: s.name, kind: s.kind, probability: s.probability,
                                          time_limit_days: s.name === 'Lead' ? 5 : s.time_limit_days }));
  assert.equal((await req(srv, 'PATCH', `/api/v1/pipelines/${pipe.id}`, { body: { stages } })).status, 200);
  assert.equal((await req(srv, 'GET', `/api/v1/deals/${d.id}`)).body.stuck, false);
  // Moving on ends being stuck.
  sql(`UPDATE deals SET stage_due_at = stage_entered_at - 1 WHERE id = ${d.id}`);
  assert.equal((await req(srv, 'GET', `/api/v1/deals/${d.id}`)).body.stuck, true);
  assert.equal((await move(d.id, { stage_id: S.Offer })).body.stuck, false);
  board = (await req(srv, 'GET', `/api/v1/deals/board?pipeline_id=${pipe.id}&stuck=true`)).body;
  assert.ok(!board.columns.some((c) => c.cards.some((x) => x.id === d.id)));
});

test('the board: every stage a column with count and base-currency total; newest cards first; the list\'s filters apply', async () => {
  const p = (await req(srv, 'POST', '/api/v1/pipelines', { body: { name: 'Board test', stages: [
    { name: 'One' }, { name: 'Two' }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }] } })).body;
  const [one, two] = p.stages;
  const made = [];
  for (let i = 0; i < 5; i++) {
    made.push(await createOk(srv, 'deals', { title: `Board ${i}`, pipeline_id: p.id, amount: 100 * (i + 1), source: i % 2 ? 'web' : 'phone' }));
  }
  for (const d of made.slice(3)) assert.equal((await move(d.id, { stage_id: two.id })).status, 200);
  let r = await req(srv, 'GET', `/api/v1/deals/board?pipeline_id=${p.id}&limit=2`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.base_currency, 'EUR');
  assert.deepEqual(r.body.columns.map((c) => c.stage.name), ['One', 'Two', 'Won', 'Lost']);
  const [c1, c2, cw] = r.body.columns;
  assert.equal(c1.count, 3);
  assert.equal(c1.amount_base, 100 + 200 + 300);
  assert.deepEqual(c1.cards.map((x) => x.title), ['Board 2', 'Board 1'], 'newest first, two per column');
  assert.equal(c1.more, true);
  assert.equal(c2.count, 2);
  assert.equal(c2.amount_base, 400 + 500);
  assert.equal(c2.more, false);
  assert.equal(cw.count, 0);
  r = await req(srv, 'GET', `/api/v1/deals/board?pipeline_id=${p.id}&source=web`);
  assert.deepEqual(r.body.columns.map((c) => c.count), [1, 1, 0, 0]);
  r = await req(srv, 'GET', `/api/v1/deals/board?pipeline_id=${p.id}&amount[gte]=300`);
  assert.deepEqual(r.body.columns.map((c) => c.count), [1, 2, 0, 0]);
  const today = new Date().toISOString().slice(0, 10);
  r = await req(srv, 'GET', `/api/v1/deals/board?pipeline_id=${p.id}&created_at[lte]=2000-01-01`);
  assert.deepEqual(r.body.columns.map((c) => c.count), [0, 0, 0, 0]);
  r = await req(srv, 'GET', `/api/v1/deals/board?pipeline_id=${p.id}&created_at=${today}`);
  assert.deepEqual(r.body.columns.map((c) => c.count), [3, 2, 0, 0]);
  assert.equal(one.id, c1.stage.id);
  for (const [qs, name] of [['limit=0', 'limit'], ['limit=101', 'limit'], ['pipeline_id=abc', 'pipeline_id'],
                             ['nosuch=1', 'nosuch'], ['amount[gte]=lots', 'amount'], ['created_at[gte]=soon', 'created_at'],
                             ['q=x', 'q'], ['sort=title', 'sort'], ['deleted=true', 'deleted']]) {
    const b = await req(srv, 'GET', `/api/v1/deals/board?${qs}`);
    assertProblem(b, 400, qs);
    assert.match(b.body.detail, new RegExp(name.replace('[', '\\[')), qs);
  }
  assertProblem(await req(srv, 'GET', '/api/v1/deals/board?pipeline_id=999999'), 404);
});

test('a manager sees and moves only their own deals; the board counts only what they may read', async () => {
  const p = (await req(srv, 'POST', '/api/v1/pipelines', { body: { name: 'Rights board', stages: [
    { name: 'Open' }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }] } })).body;
  const mine = await createOk(srv, 'deals', { title: 'Manager own', pipeline_id: p.id, amount: 10, owner_id: managerId });
  const theirs = await createOk(srv, 'deals', { title: 'Admin own', pipeline_id: p.id, amount: 1000 });
  const b = (await req(srv, 'GET', `/api/v1/deals/board?pipeline_id=${p.id}`, { auth: manager })).body;
  assert.equal(b.columns[0].count, 1);
  assert.equal(b.columns[0].amount_base, 10);
  assert.deepEqual(b.columns[0].cards.map((x) => x.id), [mine.id]);
  assertProblem(await move(theirs.id, { stage_id: p.stages[1].id }, { auth: manager }), 404);
  assertProblem(await req(srv, 'GET', `/api/v1/deals/${theirs.id}/stages`, { auth: manager }), 404);
  const r = await move(mine.id, { stage_id: p.stages[1].id }, { auth: manager });
  assert.equal(r.status, 200, r.text);
  assert.equal((await stays(mine.id)).data[1].entered_by, managerId);
  // A manager cannot change pipelines.
  assertProblem(await req(srv, 'PATCH', `/api/v1/pipelines/${p.id}`, { auth: manager, body: { name: 'Mine now' } }), 403);
});

test('a stage with deals cannot be removed or change its kind; a pipeline with deals is archived, not deleted', async () => {
  const p = (await req(srv, 'POST', '/api/v1/pipelines', { body: { name: 'In use', stages: [
    { name: 'A' }, { name: 'B' }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }] } })).body;
  const [a, b, w, l] = p.stages;
  const d = await createOk(srv, 'deals', { title: 'Holder', pipeline_id: p.id });
  const keep = (s, extra = {}) => ({ id: s.id, name: s.name, kind: s.kind, ...extra });
  assertInvalid(await req(srv, 'PATCH', `/api/v1/pipelines/${p.id}`, { body: { stages: [keep(b), keep(w), keep(l)] } }), ['stages']);
  assertInvalid(await req(srv, 'PATCH', `/api/v1/pipelines/${p.id}`, { body: { stages: [keep(a, { kind: 'won' }), keep(b), keep(l)] } }), ['stages']);
  // Renaming, reordering and swapping names keep the deal where it is.
  let r = await req(srv, 'PATCH', `/api/v1/pipelines/${p.id}`, { body: { stages: [
    keep(b, { name: 'A' }), keep(a, { name: 'B' }), keep(w), keep(l)] } });
  assert.equal(r.status, 200, r.text);
  const now = (await req(srv, 'GET', `/api/v1/deals/${d.id}`)).body;
  assert.equal(now.stage_id, a.id);
  assert.equal(now.stage_name, 'B');
  // An empty stage goes.
  r = await req(srv, 'PATCH', `/api/v1/pipelines/${p.id}`, { body: { stages: [keep(a), keep(w), keep(l)] } });
  assert.equal(r.status, 200, r.text);
  const del = await req(srv, 'DELETE', `/api/v1/pipelines/${p.id}`);
  assertProblem(del, 409);
  assert.match(del.body.detail, /archive/);
  assert.equal((await req(srv, 'DELETE', `/api/v1/deals/${d.id}`)).status, 204);
  assertProblem(await req(srv, 'DELETE', `/api/v1/pipelines/${p.id}`), 409, 'a deal in the trash still holds it');
});

test('deals are found by the search box and by list search; contacts link only when readable', async () => {
  const co = await createOk(srv, 'companies', { name: 'Searchable Holdings' });
  const ct = await createOk(srv, 'contacts', { first_name: 'Dana', last_name: 'Dealmaker' });
  const d = await createOk(srv, 'deals', { title: 'Quokka licence renewal', company_id: co.id, contact_ids: [ct.id], source: 'referral' });
  assert.equal(d.company_name, 'Searchable Holdings');
  assert.deepEqual(d.contact_ids, [ct.id]);
  const s = await req(srv, 'GET', '/api/v1/search?q=quokka');
  assert.equal(s.status, 200, s.text);
  const hit = s.body.data.find((h) => h.type === 'deal');
  assert.equal(hit.id, d.id);
  assert.match(hit.subtitle, /Searchable Holdings/);
  assert.deepEqual((await listAll(srv, 'deals', 'q=quokka')).map((x) => x.id), [d.id]);
  // The manager cannot link the admin's contact (hidden from them).
  assertInvalid(await req(srv, 'POST', '/api/v1/deals', { auth: manager, body: { title: 'Link', contact_ids: [ct.id] } }),
                ['contact_ids[0]']);
  assertInvalid(await req(srv, 'POST', '/api/v1/deals', { body: { title: 'Twice', contact_ids: [ct.id, ct.id] } }),
                ['contact_ids[1]']);
});

test('line items: the amount follows from them, exact to the cent; whole units refuse fractions; bad lines write nothing', async () => {
  const unit = (await req(srv, 'GET', '/api/v1/units')).body.data;
  const pcs = unit.find((u) => u.name === 'pcs');
  const hour = unit.find((u) => u.name === 'hour');
  const sim = await req(srv, 'POST', '/api/v1/products', { body: { name: 'SIM card plan', unit_id: pcs.id, price: 1999, currency: 'EUR', tax_rate: '20' } });
  assert.equal(sim.status, 201, sim.text);
  const d = await createOk(srv, 'deals', { title: 'Fleet of SIMs', pipeline_id: pipe.id, items: [
    { product_id: sim.body.id, quantity: '150', discount: '12.5' },
    { name: 'Installation', quantity: '2.25', unit_id: hour.id, price: 7333, tax: '20' },
  ] });
  // 150 × 19.99 = 2998.50, less 12.5 % = 2623.6875 → 2623.69 net; 20 % tax 524.738 → 524.74; 3148.43.
  // 2.25 × 73.33 = 164.9925 → 164.99 net; tax 32.998 → 33.00; 197.99.
  assert.equal(d.amount, 314843 + 19799);
  assert.equal(d.items_count, 2);
  let items = (await req(srv, 'GET', `/api/v1/deals/${d.id}/items`)).body;
  assert.deepEqual(items.items.map((l) => [l.name, l.quantity, l.unit, l.net, l.tax_amount, l.total]), [
    ['SIM card plan', '150', 'pcs', 262369, 52474, 314843],
    ['Installation', '2.25', 'hour', 16499, 3300, 19799],
  ]);
  assert.equal(items.total, d.amount);
  assert.equal(items.net + items.tax_amount, items.total);

  const bad = [
    [[{ product_id: sim.body.id, quantity: '256.76' }], 'items[0].quantity'],
    [[{ name: 'Free lunch', quantity: '1', price: -100 }], 'items[0].price'],
    [[{ name: 'No price', quantity: '1' }], 'items[0].price'],
    [[{ product_id: 999999, quantity: '1' }], 'items[0].product_id'],
    [[{ name: 'x', quantity: '1', price: 100, tax: '120' }], 'items[0].tax'],
    [[{ name: 'x', quantity: '0', price: 100 }], 'items[0].quantity'],
    [[{ name: 'x', quantity: '1e3', price: 100 }], 'items[0].quantity'],
    ['all', 'items'],
  ];
  for (const [lines, field] of bad) {
    const r = await req(srv, 'PATCH', `/api/v1/deals/${d.id}`, { body: { items: lines } });
    assertInvalid(r, [field], JSON.stringify(lines));
  }
  assertInvalid(await req(srv, 'PATCH', `/api/v1/deals/${d.id}`, { body: { amount: 100 } }), ['amount']);
  assertInvalid(await req(srv, 'PATCH', `/api/v1/deals/${d.id}`, { body: { currency: 'USD' } }), ['currency']);
  assertInvalid(await req(srv, 'POST', '/api/v1/deals', { body: { title: 'Both', amount: 5,
    items: [{ name: 'x', quantity: '1', price: 100 }] } }), ['amount']);
  items = (await req(srv, 'GET', `/api/v1/deals/${d.id}/items`)).body;
  assert.equal(items.items.length, 2, 'refused changes leave the lines as they were');
  // A unit that deal lines use keeps its kind.
  const u = await req(srv, 'PATCH', `/api/v1/units/${hour.id}`, { body: { whole: true } });
  assertProblem(u, 409);
  // Without lines the amount is the deal's own again.
  let r = await req(srv, 'PATCH', `/api/v1/deals/${d.id}`, { body: { items: [] } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.items_count, 0);
  r = await req(srv, 'PATCH', `/api/v1/deals/${d.id}`, { body: { amount: 100, currency: 'USD' } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual((await req(srv, 'GET', `/api/v1/deals/${d.id}/items`)).body.items, []);
  assertProblem(await req(srv, 'GET', '/api/v1/deals/999999/items'), 404);
});
