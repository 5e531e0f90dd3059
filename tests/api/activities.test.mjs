// Activities: tasks, calls, meetings, emails and notes as records of one kind
// each, checked field by field; completing and reopening tasks; rights by
// ownership with participants reading; "my day" in the user's time zone; and
// the timeline of a company, contact or deal, newest first, paged without
// gaps or repeats, showing each viewer only what they may read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { stopClean, req, createOk, listAll, assertProblem, assertInvalid, addUser, createToken } from '../lib/helpers.mjs';

let srv;
let manager;   // a manager's token (own scope)
let managerId;
let other;     // another manager
let otherId;
let adminId;
let co;        // the admin's company
let myCo;      // the manager's company
const H = 3600000;

before(async () => {
  srv = await startServer();
  addUser(srv, 'act.manager@example.com', 'amber otter juggles seventeen lanterns', { name: 'Act Manager' });
  addUser(srv, 'act.other@example.com', 'amber otter juggles seventeen lanterns', { name: 'Act Other' });
  manager = createToken(srv, 'act.manager@example.com', 'am');
  other = createToken(srv, 'act.other@example.com', 'ao');
  managerId = (await req(srv, 'GET', '/api/v1/auth/me', { auth: manager })).body.id;
  otherId = (await req(srv, 'GET', '/api/v1/auth/me', { auth: other })).body.id;
  adminId = (await req(srv, 'GET', '/api/v1/auth/me')).body.id;
  co = await createOk(srv, 'companies', { name: 'Timeline Corp' });
  myCo = await createOk(srv, 'companies', { name: 'Manager Corp' }, manager);
});
after(async () => { await stopClean(srv); });

const iso = (ms) => new Date(ms).toISOString();
const post = (body, auth) => req(srv, 'POST', '/api/v1/activities', { body, auth });

test('each kind gets its own status, defaults and done_at', async () => {
  const t = await createOk(srv, 'activities', { kind: 'task', subject: 'Send the offer', due_at: iso(Date.now() + 5 * H) });
  assert.equal(t.status, 'open');
  assert.equal(t.priority, 'normal');
  assert.equal(t.done_at, null);
  assert.equal(t.overdue, false);
  assert.equal(t.owner_id, adminId, 'the author is responsible unless told');
  const c = await createOk(srv, 'activities', { kind: 'call', subject: 'Cold call', direction: 'out', phone: '+49 30 1234-56',
                                                duration_s: 95, result: 'call back in May' });
  assert.equal(c.status, 'done');
  assert.ok(c.done_at, 'a logged call happened');
  const m = await createOk(srv, 'activities', { kind: 'meeting', subject: 'Kick-off', start_at: '2030-01-02T09:00:00+01:00',
                                                end_at: '2030-01-02T10:30:00+01:00', place: 'Room 4' });
  assert.equal(m.status, 'planned');
  assert.equal(m.start_at, '2030-01-02T08:00:00.000Z', 'times come back in UTC');
  const n = await createOk(srv, 'activities', { kind: 'note', body: 'Prefers email over phone' });
  assert.equal(n.subject, null);
  const e = await createOk(srv, 'activities', { kind: 'email', subject: 'Offer', email_from: 'me@example.com',
                                                email_to: ['buyer@example.org'], body: 'Please find...' });
  assert.deepEqual(e.email_to, ['buyer@example.org']);
  // A chat message is its text, in or out; it is logged once it happened.
  const chat = await createOk(srv, 'activities', { kind: 'chat', body: 'Can you send the price list?', direction: 'in' });
  assert.equal(chat.status, 'done');
  assert.ok(chat.done_at);
  assertInvalid(await req(srv, 'POST', '/api/v1/activities', { body: { kind: 'chat', subject: 'x' } }), ['body']);
  assertInvalid(await req(srv, 'POST', '/api/v1/activities', { body: { kind: 'chat', body: 'x', direction: 'sideways' } }), ['direction']);
  assertInvalid(await req(srv, 'POST', '/api/v1/activities', { body: { kind: 'chat', body: 'x', phone: '123' } }), ['phone']);
  // The phone is searchable by its digits, typed any way.
  const hits = await listAll(srv, 'activities', 'q=3012345');
  assert.ok(hits.some((x) => x.id === c.id), 'found by digits');
  // Filters of the list: kind, status, due ranges.
  const tasks = await listAll(srv, 'activities', `kind=task&status=open&due_at[gte]=${iso(Date.now())}`);
  assert.ok(tasks.some((x) => x.id === t.id) && tasks.every((x) => x.kind === 'task'));
});

test('bad input is refused field by field, and nothing is written', async () => {
  const before = (await listAll(srv, 'activities')).length;
  assertInvalid(await post({ kind: 'task', subject: 'x', start_at: '2030-01-02T10:00:00Z', due_at: '2030-01-02T09:00:00Z' }),
                ['due_at'], 'due before start');
  assertInvalid(await post({ kind: 'meeting', subject: 'x', start_at: '2030-01-02T10:00:00Z', end_at: '2030-01-01T10:00:00Z' }),
                ['end_at'], 'end before start');
  assertInvalid(await post({ kind: 'task', subject: 'x', owner_id: 999999 }), ['owner_id'], 'unknown assignee');
  assertInvalid(await post({ kind: 'meeting', subject: 'x', start_at: '2030-01-02T10:00:00Z', participants: [managerId, 999999] }),
                ['participants'], 'unknown participant');
  assertInvalid(await post({ kind: 'meeting', subject: 'x', start_at: '2030-01-02T10:00:00Z', participants: [managerId, managerId] }),
                ['participants'], 'a participant twice');
  assertInvalid(await post({ kind: 'fax', subject: 'x' }), ['kind'], 'unknown kind');
  assertInvalid(await post({ subject: 'x' }), ['kind'], 'no kind');
  assertInvalid(await post({ kind: 'task' }), ['subject'], 'a task needs a subject');
  assertInvalid(await post({ kind: 'note' }), ['body'], 'a note needs a text');
  assertInvalid(await post({ kind: 'meeting', subject: 'x' }), ['start_at'], 'a meeting needs a start');
  assertInvalid(await post({ kind: 'call', subject: 'x' }), ['direction'], 'a call has a direction');
  assertInvalid(await post({ kind: 'task', subject: 'x', status: 'held', priority: 'asap' }), ['status', 'priority']);
  assertInvalid(await post({ kind: 'note', body: 'x', due_at: '2030-01-01T00:00:00Z', place: 'here' }), ['due_at', 'place'],
                'fields of other kinds');
  assertInvalid(await post({ kind: 'task', subject: 'x', due_at: 'tomorrow' }), ['due_at'], 'not a time');
  assertInvalid(await post({ kind: 'task', subject: 'x', due_at: '2030-01-01' }), ['due_at'], 'a date has no time zone');
  assertInvalid(await post({ kind: 'task', subject: 'x', estimate_min: -5 }), ['estimate_min']);
  assertInvalid(await post({ kind: 'call', subject: 'x', direction: 'up', phone: 'call me' }), ['direction', 'phone']);
  assertInvalid(await post({ kind: 'email', subject: 'x', email_from: 'nobody', email_to: ['a@example.com'] }), ['email_from']);
  assertInvalid(await post({ kind: 'email', subject: 'x', email_to: ['also nobody'] }), ['email_to']);
  const many = Array.from({ length: 101 }, (_, i) => ({ text: `step ${i}`, done: false }));
  assertInvalid(await post({ kind: 'task', subject: 'x', checklist: many }), ['checklist'], 'at most 100 items');
  const bad = await post({ kind: 'task', subject: 'x', checklist: [{ text: '' }, { text: 'ok', done: 'yes' }, { text: 'a'.repeat(501) }, 7] });
  const p = assertProblem(bad, 422);
  assert.deepEqual(p.errors.map((x) => x.field).sort(),
                   ['checklist[0].text', 'checklist[1].done', 'checklist[2].text', 'checklist[3]'].sort(), bad.text);
  assertInvalid(await post({ kind: 'task', subject: 'x', checklist: '' }), ['checklist']);
  // Links to records the author may not read are not there for them.
  const deal = await createOk(srv, 'deals', { title: 'Admin deal', company_id: co.id });
  const contact = await createOk(srv, 'contacts', { last_name: 'Hidden', company_id: co.id });
  assertInvalid(await post({ kind: 'task', subject: 'x', company_id: co.id, contact_id: contact.id, deal_id: deal.id }, manager),
                ['company_id', 'contact_id', 'deal_id'], 'hidden links');
  assert.equal((await listAll(srv, 'activities')).length, before, 'nothing was written');
});

test('a task is completed and reopened; the kind never changes', async () => {
  const t = await createOk(srv, 'activities', { kind: 'task', subject: 'Finish', checklist: [{ text: 'one', done: true }] });
  const done = await req(srv, 'POST', `/api/v1/activities/${t.id}/complete`, { headers: { 'If-Match': '"1"' } });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.body.status, 'done');
  assert.ok(done.body.done_at);
  assert.equal(done.headers.get('etag'), '"2"');
  const stale = await req(srv, 'POST', `/api/v1/activities/${t.id}/reopen`, { headers: { 'If-Match': '"1"' } });
  assertProblem(stale, 412);
  const open = await req(srv, 'POST', `/api/v1/activities/${t.id}/reopen`);
  assert.equal(open.status, 200, open.text);
  assert.equal(open.body.status, 'open');
  assert.equal(open.body.done_at, null, 'reopening clears done_at');
  assertInvalid(await req(srv, 'PATCH', `/api/v1/activities/${t.id}`, { body: { kind: 'note' } }), ['kind']);
  assertInvalid(await req(srv, 'PATCH', `/api/v1/activities/${t.id}`, { body: { done_at: iso(Date.now()) } }), ['done_at']);
  const call = await createOk(srv, 'activities', { kind: 'call', subject: 'c', direction: 'in' });
  assertInvalid(await req(srv, 'POST', `/api/v1/activities/${call.id}/complete`), ['kind']);
  assertProblem(await req(srv, 'POST', '/api/v1/activities/999999/complete'), 404);
  // Cancelling a task is a PATCH of its status.
  const c = await req(srv, 'PATCH', `/api/v1/activities/${t.id}`, { body: { status: 'cancelled' } });
  assert.equal(c.status, 200, c.text);
  assert.equal(c.body.done_at, null);
});

test('rights: a manager sees what is theirs and what they take part in, and may not give it away', async () => {
  const mine = await createOk(srv, 'activities', { kind: 'task', subject: 'Mine', company_id: myCo.id }, manager);
  const admins = await createOk(srv, 'activities', { kind: 'task', subject: 'Not yours' });
  const meet = await createOk(srv, 'activities', { kind: 'meeting', subject: 'With you', start_at: iso(Date.now() + 2 * H),
                                                   participants: [managerId] });
  const seen = (await listAll(srv, 'activities', '', { auth: manager })).map((x) => x.id);
  assert.ok(seen.includes(mine.id) && seen.includes(meet.id));
  assert.ok(!seen.includes(admins.id));
  assertProblem(await req(srv, 'GET', `/api/v1/activities/${admins.id}`, { auth: manager }), 404);
  const part = await listAll(srv, 'activities', `participant_id=${managerId}`, { auth: manager });
  assert.deepEqual(part.map((x) => x.id), [meet.id]);
  // A participant reads the meeting but does not change it.
  assertProblem(await req(srv, 'PATCH', `/api/v1/activities/${meet.id}`, { auth: manager, body: { place: 'x' } }), 403);
  // Reassigning is a transfer: the assign right, which a manager lacks.
  assertProblem(await req(srv, 'PATCH', `/api/v1/activities/${mine.id}`, { auth: manager, body: { owner_id: otherId } }), 403);
  assertInvalid(await post({ kind: 'task', subject: 'For other', owner_id: otherId }, manager), ['owner_id']);
  // The administrator reassigns, and the new owner sees it.
  const moved = await req(srv, 'PATCH', `/api/v1/activities/${admins.id}`, { body: { owner_id: otherId } });
  assert.equal(moved.status, 200, moved.text);
  assert.equal((await req(srv, 'GET', `/api/v1/activities/${admins.id}`, { auth: other })).status, 200);
});

test('my day: overdue, today, tomorrow and the rest of the week, in the user\'s zone', async () => {
  // A fixed-offset zone where it is about noon now, so "later today" exists.
  const now = Date.now();
  const hourUtc = new Date(now).getUTCHours();
  const off = ((12 - hourUtc + 36) % 24) - 12;         // -12..11, local = utc + off
  const tz = off === 0 ? 'UTC' : `Etc/GMT${off > 0 ? '-' : '+'}${Math.abs(off)}`;  // POSIX sign
  const local = new Date(now + off * H);
  const isoDow = (local.getUTCDay() + 6) % 7;          // 0 Monday .. 6 Sunday
  const u = 'act.day@example.com';
  addUser(srv, u, 'amber otter juggles seventeen lanterns', { name: 'Day User' });
  const tok = createToken(srv, u, 'day');
  const uid = (await req(srv, 'GET', '/api/v1/auth/me', { auth: tok })).body.id;
  const mk = (body) => createOk(srv, 'activities', { owner_id: uid, ...body });
  const late = await mk({ kind: 'task', subject: 'Late', due_at: iso(now - 2 * H) });
  const soon = await mk({ kind: 'task', subject: 'Soon', due_at: iso(now + 1 * H) });
  const tomorrow = await mk({ kind: 'task', subject: 'Tomorrow', due_at: iso(now + 24 * H) });
  const after2 = await mk({ kind: 'task', subject: 'In two days', due_at: iso(now + 48 * H) });
  await mk({ kind: 'task', subject: 'Done already', due_at: iso(now - 3 * H), status: 'done' });
  await mk({ kind: 'task', subject: 'No deadline' });
  const meetEarlier = await mk({ kind: 'meeting', subject: 'Earlier today', start_at: iso(now - 1 * H) });
  const meetYesterday = await mk({ kind: 'meeting', subject: 'Yesterday, not marked held', start_at: iso(now - 24 * H) });
  // Someone else's meeting the user takes part in.
  const joined = await createOk(srv, 'activities', { kind: 'meeting', subject: 'Joined', start_at: iso(now + 2 * H),
                                                     participants: [uid] });
  const r = await req(srv, 'GET', `/api/v1/activities/my-day?tz=${encodeURIComponent(tz)}`, { auth: tok });
  assert.equal(r.status, 200, r.text);
  const ids = (b) => r.body[b].data.map((x) => x.id);
  assert.deepEqual(ids('overdue'), [meetYesterday.id, late.id], 'in time order');
  assert.deepEqual(ids('today'), [meetEarlier.id, soon.id, joined.id]);
  assert.deepEqual(ids('tomorrow'), [tomorrow.id]);
  // The list's overdue filter is the same rule for tasks.
  const overdue = await listAll(srv, 'activities', `owner_id=${uid}&overdue=true`, { auth: tok });
  assert.deepEqual(overdue.map((x) => x.id), [late.id]);
  const notOverdue = (await listAll(srv, 'activities', `owner_id=${uid}&overdue=false`, { auth: tok })).map((x) => x.id);
  assert.ok(!notOverdue.includes(late.id) && notOverdue.includes(soon.id));
  assertProblem(await req(srv, 'GET', '/api/v1/activities?overdue=yes', { auth: tok }), 400);
  assert.deepEqual(ids('this_week'), isoDow <= 4 ? [after2.id] : [], `weekday ${isoDow}`);
  assert.equal(r.body.today.count, 3);
  assert.equal(r.body.today.more, 0);
  assert.equal(r.body.date, local.toISOString().slice(0, 10));
  assert.equal(r.body.tz, tz);
  // A head (here the administrator) looks at the user's day; a manager sees only what they may read.
  const a = await req(srv, 'GET', `/api/v1/activities/my-day?tz=${encodeURIComponent(tz)}&user_id=${uid}`);
  assert.equal(a.status, 200, a.text);
  assert.deepEqual(a.body.today.data.map((x) => x.id), ids('today'));
  const m = await req(srv, 'GET', `/api/v1/activities/my-day?user_id=${uid}`, { auth: manager });
  assert.equal(m.status, 200, m.text);
  for (const b of ['overdue', 'today', 'tomorrow', 'this_week']) assert.equal(m.body[b].count, 0, b);
  // Bad parameters are named.
  assertProblem(await req(srv, 'GET', '/api/v1/activities/my-day?tz=Mars/Olympus', { auth: tok }), 400);
  assertProblem(await req(srv, 'GET', '/api/v1/activities/my-day?tz=../../etc/passwd', { auth: tok }), 400);
  assertProblem(await req(srv, 'GET', '/api/v1/activities/my-day?user_id=abc', { auth: tok }), 400);
  assertProblem(await req(srv, 'GET', '/api/v1/activities/my-day?when=today', { auth: tok }), 400);
  assertProblem(await req(srv, 'GET', '/api/v1/activities/my-day?user_id=999999', { auth: tok }), 404);
  const utc = await req(srv, 'GET', '/api/v1/activities/my-day', { auth: tok });
  assert.equal(utc.body.tz, 'UTC');
});

test('my day follows what one takes part in as it is moved, done, trashed and restored', async () => {
  const u = 'act.part@example.com';
  addUser(srv, u, 'amber otter juggles seventeen lanterns', { name: 'Part User' });
  const tok = createToken(srv, u, 'part');
  const uid = (await req(srv, 'GET', '/api/v1/auth/me', { auth: tok })).body.id;
  const day = async () => (await req(srv, 'GET', '/api/v1/activities/my-day', { auth: tok })).body;
  const where = async (id) => {
    const d = await day();
    return ['overdue', 'today', 'tomorrow', 'this_week'].filter((b) => d[b].data.some((x) => x.id === id));
  };
  const now = Date.now();
  // The administrator's task and meeting, the user named on them.
  const task = await createOk(srv, 'activities', { kind: 'task', subject: 'Their task', due_at: iso(now - H), participants: [uid] });
  const meet = await createOk(srv, 'activities', { kind: 'meeting', subject: 'Their meeting', start_at: iso(now - 30 * H),
                                                   participants: [uid] });
  assert.deepEqual(await where(task.id), ['overdue']);
  assert.deepEqual(await where(meet.id), ['overdue'], 'a meeting of a past day not marked held');
  // Moved later: it moves in my day.
  const later = await req(srv, 'PATCH', `/api/v1/activities/${task.id}`, { body: { due_at: iso(now + 2 * H) } });
  assert.equal(later.status, 200, later.text);
  const moved = await where(task.id);
  assert.equal(moved.length, 1);
  assert.ok(moved[0] === 'today' || moved[0] === 'tomorrow', `no longer overdue: ${moved}`);
  // Done, or held: gone; reopened: back.
  assert.equal((await req(srv, 'POST', `/api/v1/activities/${task.id}/complete`)).status, 200);
  assert.deepEqual(await where(task.id), []);
  assert.equal((await req(srv, 'POST', `/api/v1/activities/${task.id}/reopen`)).status, 200);
  assert.equal((await where(task.id)).length, 1);
  assert.equal((await req(srv, 'PATCH', `/api/v1/activities/${meet.id}`, { body: { status: 'held' } })).status, 200);
  assert.deepEqual(await where(meet.id), []);
  // Trashed: gone; restored: back where it was.
  const before = await where(task.id);
  assert.equal((await req(srv, 'DELETE', `/api/v1/activities/${task.id}`)).status, 204);
  assert.deepEqual(await where(task.id), []);
  assert.equal((await req(srv, 'POST', `/api/v1/activities/${task.id}/restore`)).status, 200);
  assert.deepEqual(await where(task.id), before);
  // Taken off the list: gone.
  assert.equal((await req(srv, 'PATCH', `/api/v1/activities/${task.id}`, { body: { participants: [] } })).status, 200);
  assert.deepEqual(await where(task.id), []);
});

test('my day lists the first entries of each bucket and counts them all; limit asks for more', async () => {
  const u = 'act.many@example.com';
  addUser(srv, u, 'amber otter juggles seventeen lanterns', { name: 'Busy User' });
  const tok = createToken(srv, u, 'many');
  const uid = (await req(srv, 'GET', '/api/v1/auth/me', { auth: tok })).body.id;
  const now = Date.now();
  const made = [];
  for (let i = 0; i < 23; i++)
    made.push((await createOk(srv, 'activities', { kind: 'task', subject: `Late ${i}`, owner_id: uid, due_at: iso(now - (i + 1) * 60000) })).id);
  const get = (q) => req(srv, 'GET', `/api/v1/activities/my-day${q}`, { auth: tok });
  const d = (await get('')).body.overdue;
  assert.equal(d.count, 23);
  assert.equal(d.data.length, 20, 'twenty by default, as the web shows');
  assert.equal(d.more, 3);
  assert.deepEqual(d.data.map((x) => x.id), made.slice().reverse().slice(0, 20), 'the oldest deadline first');
  const all = (await get('?limit=200')).body.overdue;
  assert.equal(all.data.length, 23);
  assert.equal(all.more, 0);
  const one = (await get('?limit=1')).body.overdue;
  assert.deepEqual([one.data.length, one.count, one.more], [1, 23, 22]);
  for (const bad of ['0', '201', '-1', 'abc', '', '1.5'])
    assertProblem(await get(`?limit=${encodeURIComponent(bad)}`), 400, `limit=${bad}`);
});

test('the timeline: activities, changes and stage moves, newest first, paged without gaps', async () => {
  const c = await createOk(srv, 'companies', { name: 'History Ltd' });
  const person = await createOk(srv, 'contacts', { last_name: 'Historian', company_id: c.id });
  const deal = await createOk(srv, 'deals', { title: 'History deal', company_id: c.id });
  const direct = await createOk(srv, 'activities', { kind: 'note', body: 'Direct', company_id: c.id });
  const viaContact = await createOk(srv, 'activities', { kind: 'call', subject: 'Via contact', direction: 'in', contact_id: person.id });
  assert.equal(viaContact.company_id, c.id, 'the company comes from the contact');
  assert.equal(viaContact.contact_name, 'Historian');
  const viaDeal = await createOk(srv, 'activities', { kind: 'task', subject: 'Via deal', deal_id: deal.id });
  assert.equal(viaDeal.company_id, c.id, 'the company comes from the deal');
  assert.equal(viaDeal.deal_name, 'History deal');
  assert.equal((await req(srv, 'PATCH', `/api/v1/companies/${c.id}`, { body: { industry: 'Archives' } })).status, 200);
  const stages = (await req(srv, 'GET', '/api/v1/pipelines/1')).body.stages;
  assert.equal((await req(srv, 'POST', `/api/v1/deals/${deal.id}/move`, { body: { stage_id: stages[1].id } })).status, 200);

  const all = await req(srv, 'GET', `/api/v1/companies/${c.id}/timeline`);
  assert.equal(all.status, 200, all.text);
  const d = all.body.data;
  const acts = d.filter((x) => x.type === 'activity').map((x) => x.id);
  assert.deepEqual(acts, [viaDeal.id, viaContact.id, direct.id], 'newest first');
  const changes = d.filter((x) => x.type === 'change');
  assert.equal(changes[0].action, 'record.update');
  assert.deepEqual(changes[0].changes, { industry: [null, 'Archives'] });
  assert.equal(changes.at(-1).action, 'record.create');
  for (let i = 1; i < d.length; i++) assert.ok(d[i - 1].at >= d[i].at, 'ordered by time');
  assert.equal(all.body.next_cursor, null);

  // A contact's and a deal's own timelines.
  const ct = await req(srv, 'GET', `/api/v1/contacts/${person.id}/timeline?type=activity`);
  assert.deepEqual(ct.body.data.map((x) => x.id), [viaContact.id]);
  const dt = await req(srv, 'GET', `/api/v1/deals/${deal.id}/timeline`);
  assert.equal(dt.status, 200, dt.text);
  const st = dt.body.data.filter((x) => x.type === 'stage');
  assert.deepEqual(st.map((x) => x.stage_id), [stages[1].id, stages[0].id], 'stage moves, newest first');
  assert.deepEqual(st.map((x) => x.from_stage_id), [stages[0].id, null], 'each move says where the deal came from');
  assert.equal(st[0].from_stage_name, stages[0].name);
  assert.ok(!dt.body.data.some((x) => x.type === 'change' && x.changes && 'stage_id' in x.changes),
            'a stage move is a stage entry, not a change');
  assert.deepEqual(dt.body.data.filter((x) => x.type === 'activity').map((x) => x.id), [viaDeal.id]);

  // Filters.
  const calls = await req(srv, 'GET', `/api/v1/companies/${c.id}/timeline?kind=call`);
  assert.deepEqual(calls.body.data.map((x) => x.id), [viaContact.id]);
  const none = await req(srv, 'GET', `/api/v1/companies/${c.id}/timeline?user_id=${managerId}`);
  assert.deepEqual(none.body.data, []);
  for (const q of ['kind=fax', 'type=x', 'limit=0', 'limit=201', 'cursor=abc', 'cursor=1.9.1', 'colour=red', 'user_id=x']) {
    assertProblem(await req(srv, 'GET', `/api/v1/companies/${c.id}/timeline?${q}`), 400, q);
  }
  assertProblem(await req(srv, 'GET', '/api/v1/companies/999999/timeline'), 404);

  // Paging one entry at a time gives the same entries in the same order.
  for (const limit of [1, 2, 3]) {
    const paged = [];
    let cursor = null;
    for (let n = 0; n < 50; n++) {
      const r = await req(srv, 'GET', `/api/v1/companies/${c.id}/timeline?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200, r.text);
      assert.ok(r.body.data.length <= limit);
      paged.push(...r.body.data.map((x) => `${x.type}/${x.id}`));
      cursor = r.body.next_cursor;
      if (!cursor) break;
    }
    assert.deepEqual(paged, d.map((x) => `${x.type}/${x.id}`), `pages of ${limit}`);
  }
});

test('the timeline shows each viewer only what they may read', async () => {
  // The manager's company, with the manager's activity and one of the administrator's.
  const mineAct = await createOk(srv, 'activities', { kind: 'note', body: 'Manager note', company_id: myCo.id }, manager);
  const adminAct = await createOk(srv, 'activities', { kind: 'note', body: 'Admin note', company_id: myCo.id });
  const shared = await createOk(srv, 'activities', { kind: 'meeting', subject: 'Shared', start_at: iso(Date.now() + H),
                                                     company_id: myCo.id, participants: [managerId] });
  const t = await req(srv, 'GET', `/api/v1/companies/${myCo.id}/timeline?type=activity`, { auth: manager });
  assert.equal(t.status, 200, t.text);
  const ids = t.body.data.map((x) => x.id);
  assert.ok(ids.includes(mineAct.id) && ids.includes(shared.id));
  assert.ok(!ids.includes(adminAct.id), 'another owner\'s note stays hidden');
  const full = await req(srv, 'GET', `/api/v1/companies/${myCo.id}/timeline?type=activity`);
  assert.ok(full.body.data.some((x) => x.id === adminAct.id));
  // The manager's own company shows its changes (the audit right on own records).
  const ch = await req(srv, 'GET', `/api/v1/companies/${myCo.id}/timeline?type=change`, { auth: manager });
  assert.equal(ch.body.data[0].action, 'record.create');
  // A company the manager may not read has no timeline for them.
  assertProblem(await req(srv, 'GET', `/api/v1/companies/${co.id}/timeline`, { auth: manager }), 404);
  // A role without the audit right sees activities but no field changes.
  addUser(srv, 'act.support@example.com', 'amber otter juggles seventeen lanterns', { name: 'Support' });
  const roles = (await req(srv, 'GET', '/api/v1/roles')).body.data;
  const support = roles.find((r) => r.builtin === 'support');
  const users = (await req(srv, 'GET', '/api/v1/users')).body.data;
  const sup = users.find((u) => u.email === 'act.support@example.com');
  assert.equal((await req(srv, 'PATCH', `/api/v1/users/${sup.id}`, { body: { role_id: support.id } })).status, 200);
  const supTok = createToken(srv, 'act.support@example.com', 'sup');
  const s = await req(srv, 'GET', `/api/v1/companies/${myCo.id}/timeline`, { auth: supTok });
  assert.equal(s.status, 200, s.text);
  assert.ok(s.body.data.some((x) => x.type === 'activity'));
  assert.ok(!s.body.data.some((x) => x.type === 'change'), 'no audit right, no changes');
});
