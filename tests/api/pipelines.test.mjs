// Sales pipelines and lost reasons: an administrator defines pipelines as
// ordered stages (probability, time limit, open / won / lost), restages
// them, and keeps the list of lost reasons; everyone reads them; bad input
// is refused field by field and nothing is half-written; changes are audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { stopClean, req, assertProblem, assertInvalid, addUser, createToken } from '../lib/helpers.mjs';

let srv;
let manager;
before(async () => {
  srv = await startServer();
  addUser(srv, 'pipe.manager@example.com', 'amber otter juggles seventeen lanterns', { name: 'Pipe Manager' });
  manager = createToken(srv, 'pipe.manager@example.com', 'pm');
});
after(async () => { await stopClean(srv); });

const STAGES = [
  { name: 'New lead', probability: 10, time_limit_days: 2 },
  { name: 'Offer sent', probability: 50, time_limit_days: 14 },
  { name: 'Won', kind: 'won', probability: 100 },
  { name: 'Lost', kind: 'lost', probability: 0 },
];

test('an admin defines a pipeline; its stages come back in order with their kinds', async () => {
  const r = await req(srv, 'POST', '/api/v1/pipelines', { body: { name: 'New clients', stages: STAGES } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.name, 'New clients');
  assert.deepEqual(r.body.stages.map((s) => [s.name, s.position, s.probability, s.time_limit_days, s.kind]), [
    ['New lead', 0, 10, 2, 'open'], ['Offer sent', 1, 50, 14, 'open'], ['Won', 2, 100, null, 'won'], ['Lost', 3, 0, null, 'lost'],
  ]);
  // Everyone signed in reads them: boards and forms need them.
  const list = await req(srv, 'GET', '/api/v1/pipelines', { auth: manager });
  assert.equal(list.status, 200, list.text);
  assert.ok(list.body.data.some((p) => p.id === r.body.id && p.stages.length === 4));
  const audit = await req(srv, 'GET', '/api/v1/audit?action=setting.pipeline_created');
  assert.equal(audit.body.data[0].record_id, r.body.id);
});

test('restaging keeps the stages given by id, adds new ones and drops the rest, in the new order', async () => {
  const p = (await req(srv, 'POST', '/api/v1/pipelines', { body: { name: 'Renewals', stages: STAGES } })).body;
  const [lead, offer, won, lost] = p.stages;
  const r = await req(srv, 'PATCH', `/api/v1/pipelines/${p.id}`, {
    body: {
      name: 'Renewals 2027',
      stages: [{ id: offer.id, name: 'Offer', probability: 60 }, { name: 'Negotiation', probability: 80 },
               { id: won.id, name: 'Won', kind: 'won', probability: 100 }, { id: lost.id, name: 'Lost', kind: 'lost' }],
    },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.name, 'Renewals 2027');
  assert.deepEqual(r.body.stages.map((s) => s.name), ['Offer', 'Negotiation', 'Won', 'Lost']);
  assert.equal(r.body.stages[0].id, offer.id, 'a kept stage keeps its id');
  assert.ok(!r.body.stages.some((s) => s.id === lead.id), 'a stage left out is gone');
  // Another pipeline's stage cannot be taken over.
  const other = (await req(srv, 'GET', '/api/v1/pipelines')).body.data.find((x) => x.name === 'New clients');
  assertInvalid(await req(srv, 'PATCH', `/api/v1/pipelines/${p.id}`, {
    body: { stages: [{ id: other.stages[0].id, name: 'Stolen' }, { name: 'W', kind: 'won' }, { name: 'L', kind: 'lost' }] },
  }), ['stages']);
  const archived = await req(srv, 'PATCH', `/api/v1/pipelines/${p.id}`, { body: { archived: true } });
  assert.equal(archived.body.archived, true);
  assert.equal(archived.body.stages.length, 4, 'stages stay when they are not given');
});

test('bad pipelines are refused field by field, and nothing is written', async () => {
  const before = (await req(srv, 'GET', '/api/v1/pipelines')).body.data.length;
  const cases = [
    [{}, ['name', 'stages']],
    [{ name: '', stages: STAGES }, ['name']],
    [{ name: 'x', stages: [] }, ['stages']],
    [{ name: 'x', stages: STAGES.slice(0, 2) }, ['stages']],
    [{ name: 'x', stages: [...STAGES, { name: 'Won again', kind: 'won' }] }, ['stages']],
    [{ name: 'x', stages: [{ name: 'A', kind: 'maybe' }, STAGES[2], STAGES[3]] }, ['stages[0]']],
    [{ name: 'x', stages: [{ name: 'A', probability: 101 }, STAGES[2], STAGES[3]] }, ['stages[0]']],
    [{ name: 'x', stages: [{ name: 'A', probability: 12.5 }, STAGES[2], STAGES[3]] }, ['stages[0]']],
    [{ name: 'x', stages: [{ name: 'A', time_limit_days: 0 }, STAGES[2], STAGES[3]] }, ['stages[0]']],
    [{ name: 'x', stages: [{ name: 'A' }, { name: 'A' }, STAGES[2], STAGES[3]] }, ['stages[1]']],
    [{ name: 'x', stages: [{ name: 'A', colour: 'red' }, STAGES[2], STAGES[3]] }, ['stages[0]']],
    [{ name: 'x', stages: [{ id: 5, name: 'A' }, STAGES[2], STAGES[3]] }, ['stages']],
    [{ name: 'x', stages: STAGES, owner: 1 }, ['owner']],
  ];
  for (const [body, fields] of cases) assertInvalid(await req(srv, 'POST', '/api/v1/pipelines', { body }), fields);
  assertProblem(await req(srv, 'POST', '/api/v1/pipelines', { body: { name: 'New clients', stages: STAGES } }), 409);
  assertProblem(await req(srv, 'POST', '/api/v1/pipelines', { auth: manager, body: { name: 'Mine', stages: STAGES } }), 403);
  assert.equal((await req(srv, 'GET', '/api/v1/pipelines')).body.data.length, before);
  assertProblem(await req(srv, 'GET', '/api/v1/pipelines/99999'), 404);
  assertProblem(await req(srv, 'PATCH', '/api/v1/pipelines/99999', { body: { name: 'x' } }), 404);
});

test('a pipeline can be deleted by an admin only', async () => {
  const p = (await req(srv, 'POST', '/api/v1/pipelines', { body: { name: 'Tenders', stages: STAGES } })).body;
  assertProblem(await req(srv, 'DELETE', `/api/v1/pipelines/${p.id}`, { auth: manager }), 403);
  assert.equal((await req(srv, 'DELETE', `/api/v1/pipelines/${p.id}`)).status, 204);
  assertProblem(await req(srv, 'GET', `/api/v1/pipelines/${p.id}`), 404);
});

test('lost reasons: an editable list; names unique; admins change it', async () => {
  const a = await req(srv, 'POST', '/api/v1/lost-reasons', { body: { name: 'Too expensive' } });
  assert.equal(a.status, 201, a.text);
  assert.deepEqual(a.body, { id: a.body.id, name: 'Too expensive', active: true });
  assertProblem(await req(srv, 'POST', '/api/v1/lost-reasons', { body: { name: 'Too expensive' } }), 409);
  assertInvalid(await req(srv, 'POST', '/api/v1/lost-reasons', { body: { name: '', active: 'yes' } }), ['name', 'active']);
  assertProblem(await req(srv, 'POST', '/api/v1/lost-reasons', { auth: manager, body: { name: 'Mine' } }), 403);
  const retired = await req(srv, 'PATCH', `/api/v1/lost-reasons/${a.body.id}`, { body: { active: false } });
  assert.equal(retired.body.active, false);
  assert.equal(retired.body.name, 'Too expensive');
  const list = await req(srv, 'GET', '/api/v1/lost-reasons', { auth: manager });
  assert.equal(list.status, 200);
  assert.ok(list.body.data.some((r) => r.id === a.body.id && r.active === false));
  assert.equal((await req(srv, 'DELETE', `/api/v1/lost-reasons/${a.body.id}`)).status, 204);
  assertProblem(await req(srv, 'PATCH', `/api/v1/lost-reasons/${a.body.id}`, { body: { active: true } }), 404);
  const audit = await req(srv, 'GET', '/api/v1/audit?action=setting.');
  assert.ok(['setting.lost_reason_created', 'setting.lost_reason_changed', 'setting.lost_reason_deleted']
    .every((x) => audit.body.data.some((e) => e.action === x)));
});
