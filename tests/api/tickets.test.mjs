// The service desk (issue 13): tickets as records with a workflow, the client
// found by email or phone, replies and internal notes with the first
// response, SLA due times in working time that stand still while the client
// is waited for, the breach job escalating exactly once, queues assigning by
// round robin and by load, canned responses filled on the server, merging
// duplicates, the support dashboard's numbers, and rights: an agent sees
// what their role allows. Hostile HTML is text in and text out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { PG, pgSql, startServer } from '../lib/server.mjs';
import { stopClean, req, assertProblem, assertInvalid, createOk, createToken, until } from '../lib/helpers.mjs';

let srv;
const users = {};   // key → {id, token}
let roles;
let allDay;         // a 24/7 calendar: working minutes are wall-clock minutes

const ALL_DAY = Array.from({ length: 7 }, () => ['00:00-24:00']);
const HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>';

async function addPerson(key, role) {
  const u = await createOk(srv, 'users', {
    email: `${key}@example.com`, name: `Agent ${key}`, password: 'saffron lighthouse quill 27',
    department_id: 1, role_id: roles[role].id,
  });
  users[key] = { id: u.id, token: createToken(srv, u.email, key) };
}

const get = async (id, auth) => (await req(srv, 'GET', `/api/v1/tickets/${id}`, { auth })).body;
const patch = (id, body, auth) => req(srv, 'PATCH', `/api/v1/tickets/${id}`, { body, auth });
const ms = (s) => Date.parse(s);
// The SLA jobs waiting for ticket id, from the job table itself.
function pendingJobs(id) {
  const sql = `SELECT unique_key FROM jobs WHERE kind = 'sla' AND done_at IS NULL AND unique_key LIKE 'sla:${Number(id)}:%' ORDER BY unique_key`;
  const out = PG ? pgSql(sql, srv.db) : execFileSync('sqlite3', ['-batch', '-cmd', '.timeout 10000', '-noheader', '-list', srv.db, sql], { encoding: 'utf8' });
  return out.trim().split('\n').filter(Boolean).map((k) => k.split(':').slice(2, 4).join(':'));
}

before(async () => {
  srv = await startServer();
  roles = Object.fromEntries((await req(srv, 'GET', '/api/v1/roles')).body.data.map((r) => [r.builtin, r]));
  await addPerson('sup1', 'support');
  await addPerson('sup2', 'support');
  await addPerson('sup3', 'support');
  await addPerson('mgr', 'manager');
  allDay = await createOk(srv, 'work-calendars', { name: 'Around the clock', tz: 'UTC', week: ALL_DAY });
});
after(async () => { await stopClean(srv); });

test('a ticket is created with defaults, stores hostile HTML as text, and refuses bad values field by field', async () => {
  const t = await createOk(srv, 'tickets', { subject: HOSTILE, description: `${HOSTILE}\nsecond line`, channel: 'email' });
  assert.equal(t.subject, HOSTILE);
  assert.equal(t.description, `${HOSTILE}\nsecond line`);
  assert.equal(t.status, 'new');
  assert.equal(t.priority, 'normal');
  assert.equal(t.channel, 'email');
  assert.ok(Math.abs(ms(t.received_at) - Date.now()) < 60000, 'received now');
  const r = await req(srv, 'GET', `/api/v1/tickets/${t.id}`);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.equal(r.body.subject, HOSTILE);
  assert.ok(r.text.includes('\\u003c') || r.text.includes('<img'), 'JSON text, never HTML');
  assertInvalid(await req(srv, 'POST', '/api/v1/tickets', {
    body: { subject: 'x', channel: 'fax', priority: 'asap', email: 'not-an-email', satisfaction: 9 },
  }), ['channel', 'priority', 'email', 'satisfaction']);
  assertInvalid(await req(srv, 'POST', '/api/v1/tickets', { body: { description: 'no subject' } }), ['subject']);
  assertInvalid(await req(srv, 'POST', '/api/v1/tickets', { body: { subject: 'x', status: 'resolved' } }), ['status']);
  assertInvalid(await req(srv, 'POST', '/api/v1/tickets', {
    body: { subject: 'x', received_at: new Date(Date.now() + 86400000).toISOString() },
  }), ['received_at']);
  assertInvalid(await req(srv, 'POST', '/api/v1/tickets', { body: { subject: 'x', queue_id: 99999 } }), ['queue_id']);
  assertInvalid(await req(srv, 'POST', '/api/v1/tickets', { body: { subject: 'x', links: [{ entity: 'companies', id: 1 }] } }), ['links']);
  assertInvalid(await patch(t.id, { channel: 'web' }), ['channel']);
  assertInvalid(await patch(t.id, { first_response_at: '2026-01-01T00:00:00Z' }), ['first_response_at']);
});

test('the status moves only along the workflow, stamping resolved_at and closed_at; satisfaction comes after resolution', async () => {
  const t = await createOk(srv, 'tickets', { subject: 'Printer on fire' });
  assertInvalid(await patch(t.id, { satisfaction: 5 }), ['satisfaction']);
  assertInvalid(await patch(t.id, { status: 'reopened' }), ['status']);
  let r = await patch(t.id, { status: 'open' });
  assert.equal(r.status, 200, r.text);
  assertInvalid(await patch(t.id, { status: 'new' }), ['status']);
  r = await patch(t.id, { status: 'resolved' });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.body.resolved_at);
  assertInvalid(await patch(t.id, { status: 'waiting' }), ['status']);
  assertInvalid(await patch(t.id, { satisfaction: 0 }), ['satisfaction']);
  r = await patch(t.id, { satisfaction: 4 });
  assert.equal(r.body.satisfaction, 4);
  r = await patch(t.id, { status: 'closed' });
  assert.ok(r.body.closed_at);
  assertInvalid(await patch(t.id, { status: 'open' }), ['status']);
  r = await patch(t.id, { status: 'reopened' });
  assert.equal(r.body.resolved_at, null);
  assert.equal(r.body.closed_at, null);
  // A stale If-Match changes nothing.
  const stale = await req(srv, 'PATCH', `/api/v1/tickets/${t.id}`, { body: { status: 'waiting' }, headers: { 'If-Match': '"1"' } });
  assertProblem(stale, 412);
  assert.equal((await get(t.id)).status, 'reopened');
});

test('the client is found by email, else by phone (as digits), else left empty; the company comes with the contact', async () => {
  const co = await createOk(srv, 'companies', { name: 'Matchco' });
  const c = await createOk(srv, 'contacts', {
    first_name: 'Mira', last_name: 'Match', emails: ['Mira@Matchco.example'], phones: ['+49 30 5550 1234'], company_id: co.id,
  });
  const byEmail = await createOk(srv, 'tickets', { subject: 'by email', email: 'mira@matchco.example' });
  assert.equal(byEmail.contact_id, c.id);
  assert.equal(byEmail.company_id, co.id);
  assert.equal(byEmail.contact_name, 'Mira Match');
  const byPhone = await createOk(srv, 'tickets', { subject: 'by phone', phone: '030 5550-1234' });
  assert.equal(byPhone.contact_id, c.id);
  const none = await createOk(srv, 'tickets', { subject: 'stranger', email: 'who@nowhere.example', phone: '+1 555 000 0000' });
  assert.equal(none.contact_id, null);
  assert.equal(none.company_id, null);
  // A contact given wins over the email.
  const other = await createOk(srv, 'contacts', { first_name: 'Otto', last_name: 'Other' });
  const given = await createOk(srv, 'tickets', { subject: 'given', email: 'mira@matchco.example', contact_id: other.id });
  assert.equal(given.contact_id, other.id);
});

test('replies and notes: the first public reply of staff sets first_response_at and opens the ticket; a client reply reopens a waiting one', async () => {
  const c = await createOk(srv, 'contacts', { first_name: 'Rita', last_name: 'Reply', emails: ['rita@reply.example'] });
  const t = await createOk(srv, 'tickets', { subject: 'Cannot log in', contact_id: c.id });
  let m = await req(srv, 'POST', `/api/v1/tickets/${t.id}/messages`, { body: { kind: 'internal', body: 'Checking the logs' } });
  assert.equal(m.status, 201, m.text);
  let cur = await get(t.id);
  assert.equal(cur.first_response_at, null, 'an internal note is no response');
  assert.equal(cur.status, 'new');
  m = await req(srv, 'POST', `/api/v1/tickets/${t.id}/messages`, { body: { kind: 'public', body: HOSTILE } });
  assert.equal(m.status, 201, m.text);
  assert.equal(m.body.body, HOSTILE);
  assert.equal(m.body.author_name, 'Ada Admin');
  cur = await get(t.id);
  assert.equal(cur.first_response_at, m.body.created_at);
  assert.equal(cur.status, 'open');
  await req(srv, 'POST', `/api/v1/tickets/${t.id}/messages`, { body: { kind: 'public', body: 'Second answer' } });
  assert.equal((await get(t.id)).first_response_at, m.body.created_at, 'only the first response counts');
  assert.equal((await patch(t.id, { status: 'waiting' })).status, 200);
  const fromClient = await req(srv, 'POST', `/api/v1/tickets/${t.id}/messages`, { body: { kind: 'public', body: 'Still broken', contact_id: c.id } });
  assert.equal(fromClient.status, 201, fromClient.text);
  assert.equal(fromClient.body.author_contact_id, c.id);
  assert.equal(fromClient.body.author_user_id, null);
  assert.equal((await get(t.id)).status, 'open');
  const list = (await req(srv, 'GET', `/api/v1/tickets/${t.id}/messages`)).body.data;
  assert.deepEqual(list.map((x) => x.kind), ['internal', 'public', 'public', 'public']);
  assertInvalid(await req(srv, 'POST', `/api/v1/tickets/${t.id}/messages`, { body: { kind: 'shout', body: '' } }), ['kind', 'body']);
  assertInvalid(await req(srv, 'POST', `/api/v1/tickets/${t.id}/messages`, { body: { kind: 'internal', body: 'x', contact_id: c.id } }), ['contact_id']);
  assertProblem(await req(srv, 'POST', '/api/v1/tickets/99999/messages', { body: { kind: 'public', body: 'x' } }), 404);
  // On the client's timeline: the ticket and its messages, newest first.
  const tl = (await req(srv, 'GET', `/api/v1/contacts/${c.id}/timeline?type=ticket_message`)).body.data;
  assert.equal(tl.length, 4);
  assert.equal(tl[0].body, 'Still broken');
  const tk = (await req(srv, 'GET', `/api/v1/contacts/${c.id}/timeline?type=ticket`)).body.data;
  assert.deepEqual(tk.map((x) => x.ticket.id), [t.id]);
});

test('SLA: due times in working minutes of the policy calendar from received_at, matched by category', async () => {
  const p = await createOk(srv, 'sla-policies', { name: 'Office hours', category: 'office', response_min: 180, resolution_min: 600 });
  assert.equal(p.calendar_id, null);
  // Standard calendar (Mon-Fri 09:00-18:00 UTC): Fri 16:00 + 180 is Mon 10:00;
  // + 600 is Fri 2 h, Mon 9 h (= 660 > 600): Mon 17:00.
  const t = await createOk(srv, 'tickets', { subject: 'Friday late', category: 'office', received_at: '2026-11-20T16:00:00Z' });
  assert.equal(t.sla_policy_id, p.id);
  assert.equal(t.response_due_at, '2026-11-23T10:00:00.000Z');
  assert.equal(t.resolution_due_at, '2026-11-23T17:00:00.000Z');
  const none = await createOk(srv, 'tickets', { subject: 'no policy', category: 'elsewhere' });
  assert.equal(none.sla_policy_id, null);
  assert.equal(none.response_due_at, null);
  assertInvalid(await req(srv, 'POST', '/api/v1/sla-policies', {
    body: { name: 'Bad', response_min: 0, resolution_min: 10, priority: 'asap', calendar_id: 9999 },
  }), ['response_min', 'priority', 'calendar_id']);
  assertInvalid(await req(srv, 'POST', '/api/v1/sla-policies', {
    body: { name: 'Bad', response_min: 5, resolution_min: 10, colour: 'red' },
  }), ['colour']);
  assertProblem(await req(srv, 'POST', '/api/v1/sla-policies', { body: { name: 'Nope', response_min: 5, resolution_min: 5 }, auth: users.sup1.token }), 403);
  assertProblem(await req(srv, 'POST', '/api/v1/sla-policies', { body: { name: 'Office hours', response_min: 5, resolution_min: 5 } }), 409);
  assert.equal((await req(srv, 'GET', '/api/v1/sla-policies', { auth: users.sup1.token })).status, 200);
  // A calendar an SLA policy counts in is not deleted from under it.
  const cal = await createOk(srv, 'work-calendars', { name: 'Policy hours', tz: 'UTC', week: ALL_DAY });
  const pc = await createOk(srv, 'sla-policies', { name: 'On policy hours', category: 'nobody', response_min: 5, resolution_min: 5, calendar_id: cal.id });
  const del = await req(srv, 'DELETE', `/api/v1/work-calendars/${cal.id}`);
  assertProblem(del, 409);
  assert.match(del.body.detail, /SLA polic/);
  assert.equal((await req(srv, 'DELETE', `/api/v1/sla-policies/${pc.id}`)).status, 204);
  assert.equal((await req(srv, 'DELETE', `/api/v1/work-calendars/${cal.id}`)).status, 204);
});

test('SLA: waiting for the client stops the clock; going on recomputes the due time from what is left', async () => {
  const p = await createOk(srv, 'sla-policies', { name: 'Pause', category: 'pause', response_min: 100000, resolution_min: 100000, calendar_id: allDay.id });
  const received = new Date(Date.now() - 90 * 60000).toISOString();
  const t = await createOk(srv, 'tickets', { subject: 'Waiting game', category: 'pause', received_at: received });
  assert.equal(t.sla_policy_id, p.id);
  assert.equal(ms(t.resolution_due_at), ms(received) + 100000 * 60000);
  const w = (await patch(t.id, { status: 'waiting' })).body;
  assert.equal(w.resolution_due_at, null);
  assert.equal(w.response_due_at, null);
  assert.ok(w.sla_paused_at);
  // Around the clock, the minutes used are the whole minutes since received.
  assert.equal(w.sla_used_min, Math.floor((ms(w.sla_paused_at) - ms(received)) / 60000));
  assert.ok(w.sla_used_min >= 90);
  const o = (await patch(t.id, { status: 'open' })).body;
  assert.equal(o.sla_paused_at, null);
  assert.equal(o.sla_used_min, w.sla_used_min);
  assert.ok(ms(o.sla_started_at) >= ms(w.sla_paused_at));
  assert.equal(ms(o.resolution_due_at), ms(o.sla_started_at) + (100000 - w.sla_used_min) * 60000);
  // Resolved: the clock stops, the due time stays for the record.
  const r = (await patch(t.id, { status: 'resolved' })).body;
  assert.equal(r.resolution_due_at, o.resolution_due_at);
  assert.equal(r.resolution_breached, 0);
});

test('SLA: the jobs follow the due times: replaced on a pause and a resume, dropped in the trash and by a resolution', async () => {
  await createOk(srv, 'sla-policies', { name: 'Jobs', category: 'jobs', response_min: 100000, resolution_min: 200000,
    calendar_id: allDay.id, warn_before_min: 60 });
  const t = await createOk(srv, 'tickets', { subject: 'Job keeper', category: 'jobs' });
  const all = ['resolution:breach', 'resolution:warn', 'response:breach', 'response:warn'];
  assert.deepEqual(pendingJobs(t.id), all);
  await patch(t.id, { status: 'waiting' });
  assert.deepEqual(pendingJobs(t.id), [], 'a stopped clock has no deadline');
  await patch(t.id, { status: 'open' });
  assert.deepEqual(pendingJobs(t.id), all);
  await req(srv, 'POST', `/api/v1/tickets/${t.id}/messages`, { body: { kind: 'public', body: 'answered' } });
  assert.deepEqual(pendingJobs(t.id), ['resolution:breach', 'resolution:warn'], 'answered: no response jobs');
  assert.equal((await req(srv, 'DELETE', `/api/v1/tickets/${t.id}`)).status, 204);
  assert.deepEqual(pendingJobs(t.id), []);
  assert.equal((await req(srv, 'POST', `/api/v1/tickets/${t.id}/restore`)).status, 200);
  assert.deepEqual(pendingJobs(t.id), ['resolution:breach', 'resolution:warn']);
  await patch(t.id, { status: 'resolved' });
  assert.deepEqual(pendingJobs(t.id), []);
});

test('SLA: a breach fires once from the job table and escalates: flag, reassignment, raised priority, notifications, audit', async () => {
  await createOk(srv, 'sla-policies', {
    name: 'Escalating', category: 'urgent-care', response_min: 10, resolution_min: 100000, calendar_id: allDay.id,
    warn_before_min: 5, notify_owner: true, notify_user_ids: [users.sup3.id], reassign_user_id: users.sup2.id, raise_priority: true,
  });
  const received = new Date(Date.now() - 60 * 60000).toISOString();
  const t = await createOk(srv, 'tickets', { subject: 'Server down', category: 'urgent-care', received_at: received, owner_id: users.sup1.id });
  assert.equal(ms(t.response_due_at), ms(received) + 10 * 60000);
  const done = await until('the breach', async () => {
    const cur = await get(t.id);
    return cur.response_breached === 1 ? cur : null;
  }, { srv });
  assert.equal(done.owner_id, users.sup2.id, 'reassigned');
  assert.equal(done.priority, 'high', 'raised one step');
  assert.equal(done.resolution_breached, 0);
  const notes = async (u) => (await req(srv, 'GET', '/api/v1/notifications', { auth: users[u].token })).body.data
    .filter((n) => n.record_id === t.id && n.entity === 'tickets');
  assert.ok((await notes('sup1')).some((n) => n.kind === 'sla_breach'), 'the assignee is told');
  assert.ok((await notes('sup3')).some((n) => n.kind === 'sla_breach'), 'the named user is told');
  assert.ok((await notes('sup2')).some((n) => n.kind === 'assigned'), 'the new assignee is told');
  // Past due already when made: no warning, only the breach.
  assert.ok(!(await notes('sup1')).some((n) => n.kind === 'sla_warning'));
  const audit = (await req(srv, 'GET', `/api/v1/audit?entity=tickets&record_id=${t.id}`)).body.data;
  assert.equal(audit.filter((a) => a.action === 'ticket.sla_breach').length, 1);
  // Saving the ticket again with the same due time does not breach twice.
  assert.equal((await patch(t.id, { description: 'still down' })).status, 200);
  const again = await get(t.id);
  assert.equal(again.owner_id, users.sup2.id);
  const audit2 = (await req(srv, 'GET', `/api/v1/audit?entity=tickets&record_id=${t.id}`)).body.data;
  assert.equal(audit2.filter((a) => a.action === 'ticket.sla_breach').length, 1);
});

test('SLA: a warning comes before the due time, to the assignee, and is no breach', async () => {
  await createOk(srv, 'sla-policies', { name: 'Warned', category: 'warned', response_min: 60, resolution_min: 100000,
    calendar_id: allDay.id, warn_before_min: 120 });
  // Due in an hour, warned two hours before it: the warning is due at once.
  const t = await createOk(srv, 'tickets', { subject: 'Soon due', category: 'warned', owner_id: users.sup2.id });
  const n = await until('the warning', async () => (await req(srv, 'GET', '/api/v1/notifications', { auth: users.sup2.token }))
    .body.data.find((x) => x.kind === 'sla_warning' && x.record_id === t.id), { srv });
  assert.match(n.title, /SLA warning/);
  const cur = await get(t.id);
  assert.equal(cur.response_breached, 0);
  assert.equal(cur.priority, 'normal');
});

test('SLA: a policy matches the company tier (its custom field "tier") and the priority', async () => {
  const cf = await req(srv, 'POST', '/api/v1/custom-fields', { body: { entity: 'companies', name: 'tier', label: 'Tier', type: 'text' } });
  assert.equal(cf.status, 201, cf.text);
  const gold = await createOk(srv, 'sla-policies', { name: 'Gold urgent', position: 0, tier: 'gold', priority: 'urgent', category: 'tiered',
    response_min: 15, resolution_min: 240 });
  const rest = await createOk(srv, 'sla-policies', { name: 'Tiered rest', position: 1, category: 'tiered', response_min: 600, resolution_min: 6000 });
  const g = await createOk(srv, 'companies', { name: 'Goldco', custom: { tier: 'gold' } });
  const b = await createOk(srv, 'companies', { name: 'Bronzeco', custom: { tier: 'bronze' } });
  assert.equal((await createOk(srv, 'tickets', { subject: 't1', category: 'tiered', priority: 'urgent', company_id: g.id })).sla_policy_id, gold.id);
  assert.equal((await createOk(srv, 'tickets', { subject: 't2', category: 'tiered', priority: 'urgent', company_id: b.id })).sla_policy_id, rest.id);
  const t3 = await createOk(srv, 'tickets', { subject: 't3', category: 'tiered', priority: 'low', company_id: g.id });
  assert.equal(t3.sla_policy_id, rest.id);
  // Raising the priority matches the policy again.
  assert.equal((await patch(t3.id, { priority: 'urgent' })).body.sla_policy_id, gold.id);
});

test('SLA: a breach may hand the ticket to a queue, whose rule picks the new assignee', async () => {
  const q = await createOk(srv, 'queues', { name: 'Second line', rule: 'round_robin', members: [users.sup3.id] });
  await createOk(srv, 'sla-policies', { name: 'To second line', category: 'second-line', response_min: 5, resolution_min: 100000,
    calendar_id: allDay.id, notify_owner: false, reassign_queue_id: q.id });
  const t = await createOk(srv, 'tickets', { subject: 'Needs L2', category: 'second-line', owner_id: users.sup1.id,
    received_at: new Date(Date.now() - 600000).toISOString() });
  const done = await until('the breach', async () => {
    const cur = await get(t.id);
    return cur.response_breached === 1 ? cur : null;
  }, { srv });
  assert.equal(done.queue_id, q.id);
  assert.equal(done.queue_name, 'Second line');
  assert.equal(done.owner_id, users.sup3.id);
  assert.equal(done.priority, 'normal', 'not raised unless the policy says so');
  assertProblem(await req(srv, 'DELETE', `/api/v1/queues/${q.id}`), 409);
});

test('SLA: a first response after the due time counts as breached, whatever the jobs did', async () => {
  await createOk(srv, 'sla-policies', { name: 'Late', category: 'late', response_min: 1, resolution_min: 100000, calendar_id: allDay.id, notify_owner: false });
  const t = await createOk(srv, 'tickets', { subject: 'Late answer', category: 'late', received_at: new Date(Date.now() - 3600000).toISOString() });
  await req(srv, 'POST', `/api/v1/tickets/${t.id}/messages`, { body: { kind: 'public', body: 'Sorry for the wait' } });
  assert.equal((await get(t.id)).response_breached, 1);
});

test('queues: round robin takes turns, least loaded picks the member with fewest open tickets, an owner given wins', async () => {
  const rr = await createOk(srv, 'queues', { name: 'Round', rule: 'round_robin', members: [users.sup1.id, users.sup2.id, users.sup3.id] });
  assert.deepEqual(rr.members, [users.sup1.id, users.sup2.id, users.sup3.id].sort((a, b) => a - b));
  const owners = [];
  for (let i = 0; i < 4; i++) owners.push((await createOk(srv, 'tickets', { subject: `rr ${i}`, queue_id: rr.id })).owner_id);
  const ids = [users.sup1.id, users.sup2.id, users.sup3.id];
  assert.deepEqual(owners, [ids[0], ids[1], ids[2], ids[0]]);
  const given = await createOk(srv, 'tickets', { subject: 'mine', queue_id: rr.id, owner_id: users.sup3.id });
  assert.equal(given.owner_id, users.sup3.id);

  const ll = await createOk(srv, 'queues', { name: 'Load', rule: 'least_loaded', members: [users.sup1.id, users.sup2.id, users.sup3.id] });
  const load = async (u) => (await req(srv, 'GET', `/api/v1/tickets?owner_id=${u}&limit=200`)).body.data
    .filter((x) => !['resolved', 'closed'].includes(x.status)).length;
  const before = Object.fromEntries(await Promise.all(ids.map(async (u) => [u, await load(u)])));
  const least = ids.slice().sort((a, b) => before[a] - before[b] || a - b)[0];
  const t = await createOk(srv, 'tickets', { subject: 'balance', queue_id: ll.id });
  assert.equal(t.owner_id, least);
  // Moving a ticket to a queue assigns it too.
  const moved = (await patch(given.id, { queue_id: ll.id })).body;
  assert.ok(ids.includes(moved.owner_id));
  assertInvalid(await req(srv, 'POST', '/api/v1/queues', { body: { name: 'Bad', rule: 'random', members: [99999] } }), ['rule', 'members']);
  assertProblem(await req(srv, 'DELETE', `/api/v1/queues/${rr.id}`), 409);
  assertProblem(await req(srv, 'POST', '/api/v1/queues', { body: { name: 'Mine' }, auth: users.sup1.token }), 403);
});

test('queues: by category, the mapped member takes the ticket; other categories go round', async () => {
  const q = await createOk(srv, 'queues', { name: 'Sorted', rule: 'by_category', members: [users.sup1.id, users.sup2.id],
    category_map: { billing: users.sup3.id } });
  assert.equal((await createOk(srv, 'tickets', { subject: 'invoice', category: 'billing', queue_id: q.id })).owner_id, users.sup3.id);
  assert.equal((await createOk(srv, 'tickets', { subject: 'other', category: 'hardware', queue_id: q.id })).owner_id, users.sup1.id);
  assertInvalid(await req(srv, 'PATCH', `/api/v1/queues/${q.id}`, { body: { category_map: { billing: 'sup3' } } }), ['category_map']);
});

test('canned responses: placeholders filled on the server as plain text; unknown ones refused', async () => {
  const co = await createOk(srv, 'companies', { name: 'Cannedco' });
  const t = await createOk(srv, 'tickets', { subject: HOSTILE, company_id: co.id, owner_id: users.sup1.id });
  const c = await createOk(srv, 'canned-responses', { name: 'Greeting', body: 'Dear {{client_name}}, about #{{ticket_number}} "{{ticket_subject}}". {{agent_name}}' });
  const r = await req(srv, 'POST', `/api/v1/canned-responses/${c.id}/render`, { body: { ticket_id: t.id }, auth: users.sup1.token });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.body, `Dear Cannedco, about #${t.id} "${HOSTILE}". Agent sup1`);
  assertInvalid(await req(srv, 'POST', '/api/v1/canned-responses', { body: { name: 'Leak', body: 'Your password is {{user_password}}' } }), ['body']);
  assertInvalid(await req(srv, 'PATCH', `/api/v1/canned-responses/${c.id}`, { body: { body: '{{ticket_subject' } }), ['body']);
  assertInvalid(await req(srv, 'POST', `/api/v1/canned-responses/${c.id}/render`, { body: { ticket_id: 99999 } }), ['ticket_id']);
  assertProblem(await req(srv, 'POST', `/api/v1/canned-responses/${c.id}/render`, { body: { ticket: 1 } }), 400);
  assertProblem(await req(srv, 'POST', '/api/v1/canned-responses', { body: { name: 'x', body: 'y' }, auth: users.sup1.token }), 403);
});

test('merge: messages and links move, the duplicate is closed with a pointer, both are audited; no merging twice or into itself', async () => {
  const deal = await createOk(srv, 'deals', { title: 'Merge deal' });
  const task = await createOk(srv, 'activities', { kind: 'task', subject: 'Merge task' });
  const a = await createOk(srv, 'tickets', { subject: 'Original', links: [{ entity: 'deals', id: deal.id }] });
  const b = await createOk(srv, 'tickets', { subject: 'Duplicate', links: [{ entity: 'activities', id: task.id }, { entity: 'deals', id: deal.id }] });
  await req(srv, 'POST', `/api/v1/tickets/${b.id}/messages`, { body: { kind: 'public', body: 'dup message' } });
  const r = await req(srv, 'POST', `/api/v1/tickets/${b.id}/merge`, { body: { into: a.id } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.id, a.id);
  assert.deepEqual(r.body.links, [{ entity: 'deals', id: deal.id }, { entity: 'activities', id: task.id }]);
  const msgs = (await req(srv, 'GET', `/api/v1/tickets/${a.id}/messages`)).body.data;
  assert.deepEqual(msgs.map((m) => m.body), ['dup message']);
  const dup = await get(b.id);
  assert.equal(dup.status, 'closed');
  assert.equal(dup.merged_into_id, a.id);
  assert.deepEqual(dup.links, []);
  for (const id of [a.id, b.id]) {
    const audit = (await req(srv, 'GET', `/api/v1/audit?entity=tickets&record_id=${id}`)).body.data;
    assert.ok(audit.some((x) => x.action === 'ticket.merge'), `merge audited on ${id}`);
  }
  assertProblem(await req(srv, 'POST', `/api/v1/tickets/${b.id}/merge`, { body: { into: a.id } }), 409);
  assertProblem(await req(srv, 'POST', `/api/v1/tickets/${b.id}/messages`, { body: { kind: 'public', body: 'late' } }), 409);
  assertInvalid(await req(srv, 'POST', `/api/v1/tickets/${a.id}/merge`, { body: { into: a.id } }), ['into']);
  assertProblem(await req(srv, 'POST', `/api/v1/tickets/${a.id}/merge`, { body: { into: 'x' } }), 400);
  assertProblem(await req(srv, 'POST', `/api/v1/tickets/${a.id}/merge`, { body: { into: 99999 } }), 404);
});

test('rights: a support agent reads every ticket and changes only their own; a manager sees only their own', async () => {
  const mine = await createOk(srv, 'tickets', { subject: 'Agent own' }, users.sup1.token);
  assert.equal(mine.owner_id, users.sup1.id);
  const other = await createOk(srv, 'tickets', { subject: 'Agent other', owner_id: users.sup2.id });
  const mgr = await createOk(srv, 'tickets', { subject: 'Manager own' }, users.mgr.token);
  assert.equal((await req(srv, 'GET', `/api/v1/tickets/${other.id}`, { auth: users.sup1.token })).status, 200);
  assertProblem(await patch(other.id, { priority: 'high' }, users.sup1.token), 403);
  assertProblem(await req(srv, 'POST', `/api/v1/tickets/${other.id}/messages`, { body: { kind: 'public', body: 'x' }, auth: users.sup1.token }), 403);
  assert.equal((await patch(mine.id, { priority: 'high' }, users.sup1.token)).status, 200);
  assertProblem(await req(srv, 'GET', `/api/v1/tickets/${other.id}`, { auth: users.mgr.token }), 404);
  assertProblem(await req(srv, 'GET', `/api/v1/tickets/${other.id}/messages`, { auth: users.mgr.token }), 404);
  const seen = (await req(srv, 'GET', '/api/v1/tickets?limit=200', { auth: users.mgr.token })).body.data.map((t) => t.id);
  assert.deepEqual(seen, [mgr.id]);
  const rep = (await req(srv, 'GET', '/api/v1/reports/support', { auth: users.mgr.token })).body;
  assert.equal(rep.open.total, 1, 'the dashboard counts what the viewer may read');
  assertProblem(await req(srv, 'DELETE', `/api/v1/tickets/${mine.id}`, { auth: users.sup1.token }), 403);
  // The client's timeline shows the tickets and messages the viewer may read, and no others.
  const client = await createOk(srv, 'contacts', { first_name: 'Tina', last_name: 'Timeline' }, users.mgr.token);
  const seenT = await createOk(srv, 'tickets', { subject: 'Visible to the manager', contact_id: client.id }, users.mgr.token);
  const hiddenT = await createOk(srv, 'tickets', { subject: 'Not for the manager', contact_id: client.id, owner_id: users.sup2.id });
  for (const t of [seenT, hiddenT]) {
    const m = await req(srv, 'POST', `/api/v1/tickets/${t.id}/messages`, { body: { kind: 'internal', body: `note on ${t.id}` } });
    assert.equal(m.status, 201, m.text);
  }
  const tl = (await req(srv, 'GET', `/api/v1/contacts/${client.id}/timeline`, { auth: users.mgr.token })).body.data;
  assert.deepEqual(tl.filter((e) => e.type === 'ticket').map((e) => e.ticket.id), [seenT.id]);
  assert.deepEqual(tl.filter((e) => e.type === 'ticket_message').map((e) => e.body), [`note on ${seenT.id}`]);
  const all = (await req(srv, 'GET', `/api/v1/contacts/${client.id}/timeline`)).body.data;
  assert.deepEqual(all.filter((e) => e.type === 'ticket').map((e) => e.ticket.id).sort(), [seenT.id, hiddenT.id].sort());
});

test('the support dashboard is exact on a small data set', async () => {
  // Without the job runner: no breach lands between reading and counting.
  const s = await startServer({ args: ['--no-jobs'] });
  try {
    const day = (d, h) => `2026-11-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:00:00Z`;
    const mk = (body) => createOk(s, 'tickets', body);
    const pol = await createOk(s, 'sla-policies', { name: 'All', response_min: 60, resolution_min: 100000, notify_owner: false });
    // Standard calendar. Mon 23 Nov 09:00 received; answered 10:30 (90 min, breached: 60).
    const a = await mk({ subject: 'A', received_at: day(23, 9) });
    // Tue 24 Nov 09:00 received, answered 09:30 (30 min), resolved 12:00 (180 min).
    const b = await mk({ subject: 'B', received_at: day(24, 9) });
    const c = await mk({ subject: 'C', received_at: day(25, 9) });
    // The first response and resolution times are when they happen: set them
    // through the API now and compute the expected minutes from the answers.
    for (const t of [a, b]) await req(s, 'POST', `/api/v1/tickets/${t.id}/messages`, { body: { kind: 'public', body: 'On it' } });
    await req(s, 'PATCH', `/api/v1/tickets/${b.id}`, { body: { status: 'resolved' } });
    await req(s, 'PATCH', `/api/v1/tickets/${b.id}`, { body: { satisfaction: 5 } });
    await req(s, 'PATCH', `/api/v1/tickets/${c.id}`, { body: { status: 'waiting' } });
    const all = await Promise.all([a, b, c].map(async (t) => (await req(s, 'GET', `/api/v1/tickets/${t.id}`)).body));
    const rep = await req(s, 'GET', '/api/v1/reports/support');
    assert.equal(rep.status, 200, rep.text);
    const r = rep.body;
    assert.equal(r.open.total, 2);
    assert.deepEqual(r.open.by_status, { new: 0, open: 1, waiting: 1, reopened: 0 });
    assert.equal(r.open.by_age.gt_7d + r.open.by_age['3d_7d'] + r.open.by_age['1d_3d'] + r.open.by_age.lt_1d, 2);
    assert.equal(r.sla.with_policy, all.filter((t) => t.sla_policy_id === pol.id && (t.status === 'resolved' || t.response_breached || t.resolution_breached)).length);
    assert.equal(r.sla.breached, all.filter((t) => t.response_breached || t.resolution_breached).length);
    assert.equal(r.satisfaction.count, 1);
    assert.equal(r.satisfaction.average, 5);
    assert.equal(r.first_response_min.count, 2);
    assert.equal(r.resolution_min.count, 1);
    // Working minutes of the Standard calendar between received and answered:
    // the same on the server's side as GET /work-calendars/{id}/due says.
    const cal = (await req(s, 'GET', '/api/v1/work-calendars')).body.data.find((x) => x.is_default);
    const between = async (from, to) => (await req(s, 'GET', `/api/v1/work-calendars/${cal.id}/due?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).body.minutes;
    const fr = (await Promise.all([a, b].map((t, i) => between(t.received_at, all[i].first_response_at)))).sort((x, y) => x - y);
    assert.equal(r.first_response_min.median, fr[0], 'the lower middle of two');
    assert.equal(r.resolution_min.median, await between(b.received_at, all[1].resolved_at));
    assert.deepEqual(r.agents.map((g) => [g.user_id, g.open, g.resolved]), [[1, 2, 1]]);
    assert.deepEqual(r.queues, []);
    assertProblem(await req(s, 'GET', '/api/v1/reports/support?from=yesterday'), 400);
    assertProblem(await req(s, 'GET', '/api/v1/reports/support?colour=red'), 400);
    const none = (await req(s, 'GET', '/api/v1/reports/support?from=2030-01-01')).body;
    assert.equal(none.open.total, 0);
    assert.equal(none.sla.compliance_pct, null);
  } finally {
    await stopClean(s);
  }
});

test('tickets are a record like any: search, trash and restore, history, the OpenAPI description', async () => {
  const t = await createOk(srv, 'tickets', { subject: 'Quokka keyboard failure', email: 'q@quokka.example' });
  const found = (await req(srv, 'GET', '/api/v1/tickets?q=quokka')).body.data.map((x) => x.id);
  assert.ok(found.includes(t.id));
  assert.equal((await req(srv, 'DELETE', `/api/v1/tickets/${t.id}`)).status, 204);
  assertProblem(await req(srv, 'GET', `/api/v1/tickets/${t.id}`), 404);
  assert.equal((await req(srv, 'POST', `/api/v1/tickets/${t.id}/restore`)).status, 200);
  const hist = await req(srv, 'GET', `/api/v1/tickets/${t.id}/history`);
  assert.equal(hist.status, 200, hist.text);
  const doc = (await req(srv, 'GET', '/api/v1/openapi.json')).body;
  for (const p of ['/api/v1/tickets', '/api/v1/tickets/{id}/messages', '/api/v1/tickets/{id}/merge', '/api/v1/sla-policies',
    '/api/v1/queues/{id}', '/api/v1/canned-responses/{id}/render', '/api/v1/reports/support']) assert.ok(doc.paths[p], p);
  assert.ok(doc.components.schemas.Ticket.properties.response_due_at);
});
