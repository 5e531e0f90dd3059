// Process templates: an administrator saves definitions as versioned
// templates (a changed one is a new version, the old ones stay), archives
// and restores them; everyone signed in reads them; broken templates are
// refused with every problem named by its place; the wizard turns a few
// answers into a definition that passes; the shipped templates are there
// on a new database; every change is audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { stopClean, req, assertProblem, assertInvalid, addUser, createToken } from '../lib/helpers.mjs';

let srv;
let manager;
let managerId;
before(async () => {
  srv = await startServer();
  addUser(srv, 'proc.manager@example.com', 'amber otter juggles seventeen lanterns', { name: 'Proc Manager' });
  manager = createToken(srv, 'proc.manager@example.com', 'pm');
  managerId = (await req(srv, 'GET', '/api/v1/auth/me', { auth: manager })).body.id;
});
after(async () => { await stopClean(srv); });

// A small valid process: call, approval (rework loop), end.
function definition(key, extra = {}) {
  return {
    key,
    name: `Process ${key}`,
    description: 'For the tests',
    entity: 'deals',
    trigger: { type: 'manual' },
    start: 'call',
    steps: [
      { id: 'call', kind: 'task', name: 'Call the client', position: { x: 0, y: 0 }, responsible: 'record_owner',
        deadline: { amount: 2, unit: 'hours', on_overdue: { action: 'notify_owner' } }, next: 'approve' },
      { id: 'approve', kind: 'approval', name: 'Approve', position: { x: 0, y: 120 }, approver: 'owner_head',
        branches: { approve: 'done', reject: 'call' } },
      { id: 'done', kind: 'end', name: 'Done', position: { x: 0, y: 240 } },
    ],
    ...extra,
  };
}

test('a new database holds the four shipped templates, valid and marked builtin', async () => {
  const r = await req(srv, 'GET', '/api/v1/process-templates', { auth: manager });
  assert.equal(r.status, 200, r.text);
  const builtin = r.body.data.filter((t) => t.builtin);
  assert.deepEqual(builtin.map((t) => t.key).sort(),
    ['contract_signing', 'lead_follow_up', 'offer_approval', 'subcontractor_order']);
  assert.ok(builtin.every((t) => t.valid === true && t.version === 1 && t.status === 'active'), r.text);
  assert.equal(r.body.next_cursor, null);
  const one = await req(srv, 'GET', `/api/v1/process-templates/${builtin[0].id}`, { auth: manager });
  assert.equal(one.status, 200);
  assert.equal(one.body.definition.key, builtin[0].key);
  assert.deepEqual(one.body.errors, []);
  // Each passes the same check an edited one would.
  const v = await req(srv, 'POST', '/api/v1/process-templates/validate', { body: one.body.definition });
  assert.deepEqual(v.body, { valid: true, errors: [] });
});

test('an admin creates a template; everyone reads it with its definition and versions; it is audited', async () => {
  const r = await req(srv, 'POST', '/api/v1/process-templates', { body: definition('callback') });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('etag'), '"1"');
  assert.equal(r.body.key, 'callback');
  assert.equal(r.body.builtin, false);
  assert.equal(r.body.valid, true);
  assert.deepEqual(r.body.definition, definition('callback'));
  assert.deepEqual(r.body.versions.map((v) => v.version), [1]);
  const read = await req(srv, 'GET', `/api/v1/process-templates/${r.body.id}`, { auth: manager });
  assert.equal(read.status, 200, read.text);
  assert.deepEqual(read.body.definition, definition('callback'));
  const list = await req(srv, 'GET', '/api/v1/process-templates', { auth: manager });
  assert.ok(list.body.data.some((t) => t.id === r.body.id && t.valid));
  const audit = await req(srv, 'GET', '/api/v1/audit?action=process.template_created');
  assert.equal(audit.body.data[0].record_id, r.body.id);
  assert.equal(audit.body.data[0].detail.key, 'callback');
  // The key is the template's: a second one with it is refused.
  assertProblem(await req(srv, 'POST', '/api/v1/process-templates', { body: definition('callback') }), 409);
});

test('saving a changed definition makes a new version; the old one stays readable as it was', async () => {
  const t = (await req(srv, 'POST', '/api/v1/process-templates', { body: definition('versions') })).body;
  const changed = definition('versions', { name: 'Versioned process' });
  changed.steps[0].deadline.amount = 4;
  const r = await req(srv, 'PUT', `/api/v1/process-templates/${t.id}`, { body: changed, headers: { 'If-Match': '"1"' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), '"2"');
  assert.equal(r.body.version, 2);
  assert.equal(r.body.name, 'Versioned process');
  assert.deepEqual(r.body.versions.map((v) => v.version), [2, 1]);
  const v1 = await req(srv, 'GET', `/api/v1/process-templates/${t.id}/versions/1`, { auth: manager });
  assert.equal(v1.status, 200, v1.text);
  assert.equal(v1.body.definition.steps[0].deadline.amount, 2, 'version 1 keeps its definition');
  const v2 = await req(srv, 'GET', `/api/v1/process-templates/${t.id}/versions/2`);
  assert.equal(v2.body.definition.steps[0].deadline.amount, 4);
  assertProblem(await req(srv, 'GET', `/api/v1/process-templates/${t.id}/versions/3`), 404);
  // The same definition again is no new version.
  const same = await req(srv, 'PUT', `/api/v1/process-templates/${t.id}`, { body: changed });
  assert.equal(same.status, 200);
  assert.equal(same.body.version, 2);
  // A stale If-Match is refused, and so is a new key.
  assertProblem(await req(srv, 'PUT', `/api/v1/process-templates/${t.id}`,
    { body: definition('versions'), headers: { 'If-Match': '"1"' } }), 412);
  assertInvalid(await req(srv, 'PUT', `/api/v1/process-templates/${t.id}`, { body: definition('renamed') }), ['key']);
  const audit = await req(srv, 'GET', '/api/v1/audit?action=process.template_versioned');
  assert.ok(audit.body.data.some((e) => e.record_id === t.id && e.detail.version === 2), audit.text);
  assert.equal(audit.body.data.filter((e) => e.record_id === t.id).length, 1, 'an unchanged save is not a change');
});

test('a template is archived instead of deleted, and restored', async () => {
  const t = (await req(srv, 'POST', '/api/v1/process-templates', { body: definition('seasonal') })).body;
  const a = await req(srv, 'POST', `/api/v1/process-templates/${t.id}/archive`);
  assert.equal(a.status, 200, a.text);
  assert.equal(a.body.status, 'archived');
  const active = await req(srv, 'GET', '/api/v1/process-templates');
  assert.ok(!active.body.data.some((x) => x.id === t.id));
  const archived = await req(srv, 'GET', '/api/v1/process-templates?status=archived');
  assert.ok(archived.body.data.some((x) => x.id === t.id));
  assertProblem(await req(srv, 'GET', '/api/v1/process-templates?status=deleted'), 400);
  // An archived template cannot be started by another one.
  assertInvalid(await req(srv, 'POST', '/api/v1/process-templates', {
    body: definition('starter', { start: 'sub', steps: [
      { id: 'sub', kind: 'start_process', name: 'Seasonal', template: 'seasonal', next: 'done' },
      { id: 'done', kind: 'end', name: 'Done' }] }),
  }), ['steps[0].template']);
  const back = await req(srv, 'POST', `/api/v1/process-templates/${t.id}/restore`);
  assert.equal(back.body.status, 'active');
  assert.equal(back.body.version, 1, 'archiving is no new version');
  const audit = await req(srv, 'GET', '/api/v1/audit?action=process.');
  for (const action of ['process.template_archived', 'process.template_restored'])
    assert.ok(audit.body.data.some((e) => e.action === action && e.record_id === t.id), action);
  assertProblem(await req(srv, 'POST', '/api/v1/process-templates/99999/archive'), 404);
});

test('only administrators write templates; every signed-in user reads and validates', async () => {
  const t = (await req(srv, 'POST', '/api/v1/process-templates', { body: definition('admins-only') })).body;
  assertProblem(await req(srv, 'POST', '/api/v1/process-templates', { auth: manager, body: definition('mine') }), 403);
  assertProblem(await req(srv, 'PUT', `/api/v1/process-templates/${t.id}`, { auth: manager, body: definition('admins-only') }), 403);
  assertProblem(await req(srv, 'POST', `/api/v1/process-templates/${t.id}/archive`, { auth: manager }), 403);
  assertProblem(await req(srv, 'POST', `/api/v1/process-templates/${t.id}/restore`, { auth: manager }), 403);
  assert.equal((await req(srv, 'GET', `/api/v1/process-templates/${t.id}`, { auth: manager })).status, 200);
  assert.equal((await req(srv, 'POST', '/api/v1/process-templates/validate', { auth: manager, body: definition('x') })).status, 200);
  assertProblem(await req(srv, 'GET', '/api/v1/process-templates', { auth: null }), 401);
  const names = (await req(srv, 'GET', '/api/v1/process-templates')).body.data.map((x) => x.key);
  assert.ok(!names.includes('mine'));
});

test('broken templates are refused with each problem named by its place, and nothing is saved', async () => {
  const before = (await req(srv, 'GET', '/api/v1/process-templates')).body.data.length;
  const steps = (...s) => definition('broken', { steps: [...s, { id: 'done', kind: 'end', name: 'Done' }] });
  const cases = [
    // an unreachable step
    [definition('broken', { steps: [...definition('x').steps, { id: 'orphan', kind: 'end', name: 'Orphan' }] }),
      ['steps[3]'], /step 'orphan' cannot be reached/],
    // a dead end: a task with no next
    [steps({ id: 'call', kind: 'task', name: 'Call', responsible: 'record_owner' }), ['steps[0].next'], /needs next/],
    // a condition with no branch for an answer
    [steps({ id: 'call', kind: 'condition', name: 'Big?', condition: { field: 'amount', op: 'gt', value: 100 },
      branches: { true: 'done' } }), ['steps[0].branches'], /no branch for 'false'/],
    // an approval with no branch for reject
    [steps({ id: 'call', kind: 'approval', name: 'OK?', approver: 'owner_head', branches: { approve: 'done' } }),
      ['steps[0].branches'], /step 'call': no branch for 'reject'/],
    // a loop with no exit
    [steps({ id: 'call', kind: 'condition', name: '?', condition: { field: 'amount', op: 'empty' },
      branches: { true: 'a', false: 'done' } },
      { id: 'a', kind: 'task', name: 'A', responsible: 'record_owner', next: 'b' },
      { id: 'b', kind: 'task', name: 'B', responsible: 'record_owner', next: 'a' }),
      ['steps[1]', 'steps[2]'], /loop with no exit/],
    // unknown fields, kinds and people
    [steps({ id: 'call', kind: 'condition', name: '?', condition: { field: 'colour', op: 'eq', value: 'red' },
      branches: { true: 'done', false: 'done' } }), ['steps[0].condition.field'], /colour is not a field of deals/],
    [steps({ id: 'call', kind: 'teleport', name: 'Beam' }), ['steps[0].kind'], /unknown/],
    [steps({ id: 'call', kind: 'task', name: 'Call', responsible: { user: 424242 }, next: 'done' }),
      ['steps[0].responsible'], /no active user has id 424242/],
    [steps({ id: 'call', kind: 'move_stage', name: 'Move', stage_id: 424242, next: 'done' }),
      ['steps[0].stage_id'], /no stage/],
    // triggers
    [definition('broken', { trigger: { type: 'schedule', cron: '61 * * * *', tz: 'Europe/Berlin' } }),
      ['trigger.cron'], /minute field/],
    [definition('broken', { trigger: { type: 'field_changed', field: 'stage_name; DROP TABLE deals' } }),
      ['trigger.field'], /is not a field/],
    // malicious "expressions": structure only, never text to evaluate
    [steps({ id: 'call', kind: 'condition', name: '?', condition: 'amount > 0 OR 1=1',
      branches: { true: 'done', false: 'done' } }), ['steps[0].condition'], /a condition is/],
    [steps({ id: 'call', kind: 'notify', name: 'N', to: ['record_owner'], text: 'Hi {{constructor.constructor("x")()}}',
      next: 'done' }), ['steps[0].text'], /is not a placeholder/],
    [steps({ id: 'call', kind: 'webhook', name: 'W', url: 'javascript:alert(1)', next: 'done' }),
      ['steps[0].url'], /https/],
    // members that are not
    [definition('broken', { owner: 1 }), ['owner'], /not a member/],
  ];
  for (const [body, fields, message] of cases) {
    const r = await req(srv, 'POST', '/api/v1/process-templates', { body });
    const p = assertInvalid(r, fields, JSON.stringify(fields));
    assert.match(p.errors.map((e) => e.message).join(' | '), message);
    // validate answers the same problems, without a 422
    const v = await req(srv, 'POST', '/api/v1/process-templates/validate', { body });
    assert.equal(v.status, 200);
    assert.equal(v.body.valid, false);
    assert.deepEqual(v.body.errors, p.errors);
  }
  // Bodies that are not definitions at all.
  assertProblem(await req(srv, 'POST', '/api/v1/process-templates', { body: '[1, 2]' }), 400);
  assertProblem(await req(srv, 'POST', '/api/v1/process-templates', { body: '{"key": ' }), 400);
  assertProblem(await req(srv, 'POST', '/api/v1/process-templates', { body: 'key=x', headers: { 'Content-Type': 'text/plain' } }), 415);
  assertInvalid(await req(srv, 'POST', '/api/v1/process-templates', { body: {} }),
    ['key', 'name', 'entity', 'trigger', 'steps']);
  assert.equal((await req(srv, 'GET', '/api/v1/process-templates')).body.data.length, before);
  assertProblem(await req(srv, 'GET', '/api/v1/process-templates/99999'), 404);
  assertProblem(await req(srv, 'PUT', '/api/v1/process-templates/99999', { body: definition('x') }), 404);
});

test('hostile text in values and names is stored as inert data', async () => {
  const body = definition('inert', {
    name: '<script>alert(1)</script>',
    start: 'check',
    steps: [
      { id: 'check', kind: 'condition', name: "Robert'); DROP TABLE deals;--",
        condition: { field: 'title', op: 'eq', value: "'; DROP TABLE process_templates; --" },
        branches: { true: 'tell', false: 'done' } },
      { id: 'tell', kind: 'notify', name: 'Tell', to: ['record_owner'], text: '<img src=x onerror=alert(1)> {{record.name}}', next: 'done' },
      { id: 'done', kind: 'end', name: 'Done' },
    ],
  });
  const r = await req(srv, 'POST', '/api/v1/process-templates', { body });
  assert.equal(r.status, 201, r.text);
  const back = await req(srv, 'GET', `/api/v1/process-templates/${r.body.id}`);
  assert.deepEqual(back.body.definition, body);
  assert.equal(back.body.name, '<script>alert(1)</script>');
  // Nothing ran: the tables are all there.
  assert.equal((await req(srv, 'GET', '/api/v1/deals')).status, 200);
  assert.ok((await req(srv, 'GET', '/api/v1/process-templates')).body.data.length > 4);
});

test('the wizard turns a few answers into a ready template that validates and saves', async () => {
  const answers = {
    name: 'Quick order',
    entity: 'deals',
    trigger: { type: 'created' },
    steps: [
      { who: 'record_owner', what: 'Call the client', hours: 1 },
      { who: { user: managerId }, what: 'Prepare the order', hours: 8 },
      { who: 'owner_head', what: 'Approve the order', hours: 4, approval: true },
    ],
  };
  const r = await req(srv, 'POST', '/api/v1/process-templates/wizard', { auth: manager, body: answers });
  assert.equal(r.status, 200, r.text);
  const def = r.body;
  assert.equal(def.key, 'quick_order');
  assert.deepEqual(def.trigger, { type: 'created' });
  assert.deepEqual(def.steps.map((s) => [s.id, s.kind]), [
    ['step_1', 'task'], ['step_2', 'task'], ['step_3', 'approval'], ['done', 'end'], ['rejected', 'end']]);
  assert.deepEqual(def.steps[1].responsible, { user: managerId });
  assert.deepEqual(def.steps[0].deadline, { amount: 1, unit: 'hours', on_overdue: { action: 'remind' } });
  assert.deepEqual(def.steps[2].branches, { approve: 'done', reject: 'rejected' });
  assert.ok(def.steps.every((s) => Number.isInteger(s.position.x) && Number.isInteger(s.position.y)));
  const v = await req(srv, 'POST', '/api/v1/process-templates/validate', { body: def });
  assert.deepEqual(v.body, { valid: true, errors: [] });
  // Nothing was saved until the client saves it.
  assert.ok(!(await req(srv, 'GET', '/api/v1/process-templates')).body.data.some((t) => t.key === 'quick_order'));
  const saved = await req(srv, 'POST', '/api/v1/process-templates', { body: def });
  assert.equal(saved.status, 201, saved.text);
  // A manual trigger when none is given.
  const plain = await req(srv, 'POST', '/api/v1/process-templates/wizard', {
    body: { name: 'Plain', entity: 'companies', steps: [{ who: 'record_owner', what: 'Check', hours: 2 }] } });
  assert.deepEqual(plain.body.trigger, { type: 'manual' });
});

test('the wizard names bad answers', async () => {
  assertInvalid(await req(srv, 'POST', '/api/v1/process-templates/wizard', {
    body: {
      name: '', entity: 'ships', steps: [
        { who: 'nobody', what: 'x', hours: 1 },
        { who: 'record_owner', what: '', hours: 0, approval: 'yes' },
        { who: { user: 424242 }, what: 'y', hours: 1, colour: 'red' },
      ],
    },
  }), ['name', 'entity', 'steps[0].who', 'steps[1].what', 'steps[1].hours', 'steps[1].approval',
    'steps[2].who', 'steps[2].colour']);
  assertInvalid(await req(srv, 'POST', '/api/v1/process-templates/wizard', {
    body: { name: 'Sched', entity: 'deals', trigger: { type: 'schedule', cron: 'daily', tz: 'UTC' },
      steps: [{ who: 'record_owner', what: 'x', hours: 1 }] },
  }), ['trigger.cron']);
  assertInvalid(await req(srv, 'POST', '/api/v1/process-templates/wizard', { body: { name: 'x', entity: 'deals', steps: [] } }),
    ['steps']);
});
