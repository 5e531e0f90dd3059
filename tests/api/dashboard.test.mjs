// Dashboards (issue 11, docs/api.md "Dashboards"): each user's own list of pinned reports and a
// layout the web keeps. Only reports one may see can be pinned, a report deleted or no longer
// shared drops out, nobody reads or writes another's dashboard, and every save is audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { stopClean, req, assertInvalid, addUser, createToken } from '../lib/helpers.mjs';

let srv;
let ann;           // {id, token}: a manager with reports of her own
let bob;           // {id, token}: another manager
let lib;           // the library's reports by builtin key
const def = { entity: 'deals', aggregates: [{ fn: 'count' }], chart: 'number' };

async function user(email, name) {
  addUser(srv, email, 'pelican harbour drums nine', { name });
  const token = createToken(srv, email, name);
  return { token, id: (await req(srv, 'GET', '/api/v1/auth/me', { auth: token })).body.id };
}

async function ok(method, path, body, auth) {
  const r = await req(srv, method, path, { body, auth });
  assert.ok(r.status === 200 || r.status === 201 || r.status === 204, `${method} ${path}: ${r.status} ${r.text}`);
  return r.body;
}

before(async () => {
  srv = await startServer();
  ann = await user('ann.dash@example.com', 'Ann Dash');
  bob = await user('bob.dash@example.com', 'Bob Dash');
  const list = (await ok('GET', '/api/v1/reports')).data;
  lib = Object.fromEntries(list.filter((r) => r.builtin).map((r) => [r.builtin, r.id]));
});
after(async () => { await stopClean(srv); });

test('a dashboard starts empty and keeps the pinned reports in the order given, with the layout', async () => {
  const empty = await ok('GET', '/api/v1/dashboard', undefined, ann.token);
  assert.deepEqual(empty, { report_ids: [], layout: {}, updated_at: null, source: 'none' });
  const mine = await ok('POST', '/api/v1/reports', { name: 'Ann count', definition: def }, ann.token);
  const ids = [mine.id, lib.revenue_by_month, lib.data_completeness];
  const put = await ok('PUT', '/api/v1/dashboard', { report_ids: ids, layout: { columns: 2 } }, ann.token);
  assert.deepEqual(put.report_ids, ids);
  assert.deepEqual(put.layout, { columns: 2 });
  assert.match(put.updated_at, /^\d{4}-\d{2}-\d{2}T/);
  assert.deepEqual(await ok('GET', '/api/v1/dashboard', undefined, ann.token), put);
  // Without a layout, a save keeps the one stored.
  const again = await ok('PUT', '/api/v1/dashboard', { report_ids: [lib.data_completeness, mine.id] }, ann.token);
  assert.deepEqual(again.report_ids, [lib.data_completeness, mine.id]);
  assert.deepEqual(again.layout, { columns: 2 });
  // Each user has their own: Bob's is still empty.
  assert.deepEqual((await ok('GET', '/api/v1/dashboard', undefined, bob.token)).report_ids, []);
});

test('only reports one may see can be pinned; bad bodies are refused at their path and change nothing', async () => {
  const annOnly = await ok('POST', '/api/v1/reports', { name: 'Ann private', definition: def }, ann.token);
  const before = await ok('GET', '/api/v1/dashboard', undefined, bob.token);
  const cases = [
    [{ report_ids: [annOnly.id] }, ['report_ids[0]']],
    [{ report_ids: [999999] }, ['report_ids[0]']],
    [{ report_ids: [lib.revenue_by_month, lib.revenue_by_month] }, ['report_ids[1]']],
    [{ report_ids: ['1', -2, null] }, ['report_ids[0]', 'report_ids[1]', 'report_ids[2]']],
    [{ report_ids: 'all' }, ['report_ids']],
    [{ report_ids: Array.from({ length: 51 }, (_, i) => i + 1) }, ['report_ids']],
    [{}, ['report_ids']],
    [{ report_ids: [], layout: [1, 2] }, ['layout']],
    [{ report_ids: [], layout: { note: 'x'.repeat(5000) } }, ['layout']],
    [{ report_ids: [], owner_id: ann.id }, ['owner_id']],
  ];
  for (const [body, fields] of cases) {
    const r = await req(srv, 'PUT', '/api/v1/dashboard', { body, auth: bob.token });
    assertInvalid(r, fields, JSON.stringify(body).slice(0, 80));
  }
  const notObject = await req(srv, 'PUT', '/api/v1/dashboard', { body: [1], auth: bob.token });
  assert.equal(notObject.status, 400, notObject.text);
  assert.deepEqual(await ok('GET', '/api/v1/dashboard', undefined, bob.token), before);
});

test('a report shared and then unshared, or deleted, drops out of the dashboard', async () => {
  const shared = await ok('POST', '/api/v1/reports', { name: 'Shared with Bob', definition: def, shares: [{ user_id: bob.id }] }, ann.token);
  const gone = await ok('POST', '/api/v1/reports', { name: 'Soon gone', definition: def, shares: [{ user_id: bob.id }] }, ann.token);
  await ok('PUT', '/api/v1/dashboard', { report_ids: [shared.id, lib.revenue_by_source, gone.id] }, bob.token);
  await ok('PUT', `/api/v1/reports/${shared.id}`, { name: 'Shared with Bob', definition: def, shares: [] }, ann.token);
  await ok('DELETE', `/api/v1/reports/${gone.id}`, undefined, ann.token);
  assert.deepEqual((await ok('GET', '/api/v1/dashboard', undefined, bob.token)).report_ids, [lib.revenue_by_source]);
  // Ann, the owner, could still pin hers.
  assert.deepEqual((await ok('PUT', '/api/v1/dashboard', { report_ids: [shared.id] }, ann.token)).report_ids, [shared.id]);
});

test('every save is audited as dashboard.update with the ids; signed out there is no dashboard', async () => {
  await ok('PUT', '/api/v1/dashboard', { report_ids: [lib.overdue_tasks_by_person] }, bob.token);
  const audit = await ok('GET', `/api/v1/audit?action=dashboard.update&actor_id=${bob.id}`);
  assert.ok(audit.data.length >= 1);
  assert.deepEqual(audit.data[0].detail, { report_ids: [lib.overdue_tasks_by_person] });
  assert.equal(audit.data[0].record_id, bob.id);
  const anon = await req(srv, 'GET', '/api/v1/dashboard', { auth: null });
  assert.equal(anon.status, 401);
});
