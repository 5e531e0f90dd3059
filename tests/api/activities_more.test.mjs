// Activities, more: calls a PBX posts with a token (the contact found by the
// phone's digits, idempotent on the PBX's call id), comments on an activity,
// recurring tasks and the iCalendar feed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { stopClean, req, createOk, assertProblem, assertInvalid, addUser, createToken } from '../lib/helpers.mjs';

let srv;
let manager;   // a manager's token (own scope): the user a PBX acts as
let managerId;
let other;     // another manager
let otherId;
let adminId;

before(async () => {
  srv = await startServer();
  addUser(srv, 'more.manager@example.com', 'amber otter juggles seventeen lanterns', { name: 'More Manager' });
  addUser(srv, 'more.other@example.com', 'amber otter juggles seventeen lanterns', { name: 'More Other' });
  manager = createToken(srv, 'more.manager@example.com', 'mm');
  other = createToken(srv, 'more.other@example.com', 'mo');
  managerId = (await req(srv, 'GET', '/api/v1/auth/me', { auth: manager })).body.id;
  otherId = (await req(srv, 'GET', '/api/v1/auth/me', { auth: other })).body.id;
  adminId = (await req(srv, 'GET', '/api/v1/auth/me')).body.id;
});
after(async () => { await stopClean(srv); });

const call = (body, auth) => req(srv, 'POST', '/api/v1/calls', { body, auth });

test('a PBX call lands on the contact whose phone has the same last ten digits', async () => {
  const co = await createOk(srv, 'companies', { name: 'Calling Corp' }, manager);
  const old = await createOk(srv, 'contacts', { last_name: 'Older', phones: ['+49 30 1234 5678'], company_id: co.id }, manager);
  const newer = await createOk(srv, 'contacts', { last_name: 'Newer', phones: ['030 1234-5678'] }, manager);
  // Touch the first so it is the most recently updated of the two.
  const upd = await req(srv, 'PATCH', `/api/v1/contacts/${old.id}`, { body: { first_name: 'Ana' }, auth: manager });
  assert.equal(upd.status, 200, upd.text);
  const r = await call({ direction: 'in', phone: '(030) 12345678', started_at: '2030-03-01T10:00:00Z', duration_s: 75,
                         result: 'wants an offer', external_id: 'pbx-1' }, manager);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.kind, 'call');
  assert.equal(r.body.direction, 'in');
  assert.equal(r.body.owner_id, managerId, 'the token\'s user owns the call');
  assert.equal(r.body.contact_id, old.id, 'the most recently updated match');
  assert.equal(r.body.company_id, co.id, 'the company comes from the contact');
  assert.equal(r.body.start_at, '2030-03-01T10:00:00.000Z');
  assert.equal(r.body.duration_s, 75);
  assert.equal(r.body.result, 'wants an offer');
  assert.equal(r.body.external_id, 'pbx-1');
  assert.equal(r.body.status, 'done');
  assert.ok(newer.id);
  // It is on the contact's timeline.
  const tl = await req(srv, 'GET', `/api/v1/contacts/${old.id}/timeline?type=activity`, { auth: manager });
  assert.ok(tl.body.data.some((e) => e.activity && e.activity.id === r.body.id), tl.text);
});

test('a short extension matches only exactly; no match is a call without a contact', async () => {
  const ext = await createOk(srv, 'contacts', { last_name: 'Desk', phones: ['2231'] }, manager);
  const r = await call({ direction: 'out', phone: '2231', started_at: '2030-03-01T11:00:00Z', duration_s: 5 }, manager);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.contact_id, ext.id);
  const none = await call({ direction: 'out', phone: '+1 555 000 2231', started_at: '2030-03-01T11:00:00Z', duration_s: 0 }, manager);
  assert.equal(none.status, 201, none.text);
  assert.equal(none.body.contact_id, null, 'the last digits of a long number are not an extension');
  assert.match(none.body.subject, /Outgoing call to/);
});

test('a retried post with the same external_id answers the call already logged', async () => {
  const body = { direction: 'in', phone: '+44 20 7946 0000', started_at: '2030-03-02T09:00:00Z', duration_s: 30, external_id: 'pbx-retry' };
  const first = await call(body, manager);
  assert.equal(first.status, 201, first.text);
  const again = await call(body, manager);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.body.id, first.body.id);
  const both = await Promise.all([call({ ...body, external_id: 'pbx-race' }, manager), call({ ...body, external_id: 'pbx-race' }, manager)]);
  assert.deepEqual(both.map((x) => x.status).sort(), [200, 201], both.map((x) => x.text).join('\n'));
  assert.equal(both[0].body.id, both[1].body.id);
  // Another user's call id is not theirs to read: a conflict, not a copy.
  assertProblem(await call(body, other), 409);
});

test('bad call events are refused field by field', async () => {
  assertInvalid(await call({}, manager), ['direction', 'phone', 'started_at', 'duration_s']);
  assertInvalid(await call({ direction: 'sideways', phone: 'call me', started_at: 'yesterday', duration_s: -1 }, manager),
                ['direction', 'phone', 'started_at', 'duration_s']);
  assertInvalid(await call({ direction: 'in', phone: '123', started_at: '2030-01-01T00:00:00Z', duration_s: 604801 }, manager),
                ['duration_s']);
  assertInvalid(await call({ direction: 'in', phone: '123', started_at: '2030-01-01T00:00:00Z', duration_s: 1,
                             external_id: 'x'.repeat(201), result: '' }, manager), ['external_id', 'result']);
  assertInvalid(await call({ direction: 'in', phone: '123', started_at: '2030-01-01T00:00:00Z', duration_s: 1, contact_id: 1 }, manager),
                ['contact_id'], 'the contact is found, not given');
  assertProblem(await req(srv, 'POST', '/api/v1/calls', { body: '[1]', auth: manager }), 400);
});

test('rights: only contacts the token\'s user may read are matched; tokens must be valid and may write', async () => {
  const hidden = await createOk(srv, 'contacts', { last_name: 'Admin Only', phones: ['+1 212 555 0199'] });
  const r = await call({ direction: 'in', phone: '(212) 555-0199', started_at: '2030-03-03T09:00:00Z', duration_s: 12 }, manager);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.contact_id, null, 'the admin\'s contact is not the manager\'s to see');
  const a = await call({ direction: 'in', phone: '(212) 555-0199', started_at: '2030-03-03T09:00:00Z', duration_s: 12 });
  assert.equal(a.body.contact_id, hidden.id, 'the admin sees it');
  assertProblem(await req(srv, 'GET', `/api/v1/activities/${r.body.id}`, { auth: other }), 404);
  assertProblem(await call({ direction: 'in', phone: '1', started_at: '2030-03-03T09:00:00Z', duration_s: 1 }, null), 401);
  assertProblem(await call({ direction: 'in', phone: '1', started_at: '2030-03-03T09:00:00Z', duration_s: 1 }, 'crm_wrong'), 401);
  const ro = await req(srv, 'POST', '/api/v1/auth/tokens', { body: { name: 'pbx-ro', read_only: true }, auth: manager });
  assert.equal(ro.status, 201, ro.text);
  assertProblem(await call({ direction: 'in', phone: '1', started_at: '2030-03-03T09:00:00Z', duration_s: 1 }, ro.body.token), 403);
  assert.ok(adminId && otherId);
});

test('comments: whoever reads an activity comments on it; authors and admins remove them', async () => {
  const task = await createOk(srv, 'activities', { kind: 'task', subject: 'Prepare the offer', participants: [otherId] }, manager);
  const path = `/api/v1/activities/${task.id}/comments`;
  const a = await req(srv, 'POST', path, { body: { body: 'Draft is in the folder.\nPlease check, prices; too' }, auth: manager });
  assert.equal(a.status, 201, a.text);
  assert.equal(a.body.user_id, managerId);
  assert.equal(a.body.user_name, 'More Manager');
  assert.equal(a.body.body, 'Draft is in the folder.\nPlease check, prices; too');
  assert.ok(a.body.created_at);
  const b = await req(srv, 'POST', path, { body: { body: 'Checked.' }, auth: other });
  assert.equal(b.status, 201, 'a participant may comment: ' + b.text);
  const list = await req(srv, 'GET', path, { auth: other });
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.body.data.map((x) => x.id), [a.body.id, b.body.id], 'oldest first');
  // Not one's own: 403; one's own: gone; an admin removes anyone's.
  assertProblem(await req(srv, 'DELETE', `${path}/${a.body.id}`, { auth: other }), 403);
  assert.equal((await req(srv, 'DELETE', `${path}/${b.body.id}`, { auth: other })).status, 204);
  assert.equal((await req(srv, 'DELETE', `${path}/${a.body.id}`)).status, 204);
  assertProblem(await req(srv, 'DELETE', `${path}/${a.body.id}`), 404, 'already removed');
  assert.deepEqual((await req(srv, 'GET', path, { auth: manager })).body.data, []);
  // The activity's history says who said and removed what.
  const h = await req(srv, 'GET', `/api/v1/activities/${task.id}/history`);
  assert.equal(h.status, 200, h.text);
  const actions = JSON.stringify(h.body);
  assert.match(actions, /comment\.create/);
  assert.match(actions, /comment\.delete/);
});

test('comments: hidden activities are not there; bad bodies are refused', async () => {
  const hidden = await createOk(srv, 'activities', { kind: 'task', subject: 'Admin only' });
  const path = `/api/v1/activities/${hidden.id}/comments`;
  assertProblem(await req(srv, 'GET', path, { auth: manager }), 404);
  assertProblem(await req(srv, 'POST', path, { body: { body: 'hi' }, auth: manager }), 404);
  assertProblem(await req(srv, 'GET', '/api/v1/activities/999999/comments'), 404);
  const c = await req(srv, 'POST', path, { body: { body: 'mine' } });
  assert.equal(c.status, 201, c.text);
  assertProblem(await req(srv, 'DELETE', `${path}/${c.body.id}`, { auth: manager }), 404);
  const other2 = await createOk(srv, 'activities', { kind: 'note', body: 'x' });
  assertProblem(await req(srv, 'DELETE', `/api/v1/activities/${other2.id}/comments/${c.body.id}`), 404, 'a comment of another activity');
  assertInvalid(await req(srv, 'POST', path, { body: {} }), ['body']);
  assertInvalid(await req(srv, 'POST', path, { body: { body: '' } }), ['body']);
  assertInvalid(await req(srv, 'POST', path, { body: { body: 'x'.repeat(10001) } }), ['body']);
  assertInvalid(await req(srv, 'POST', path, { body: { body: 42, pinned: true } }), ['body', 'pinned']);
  assertInvalid(await req(srv, 'POST', path, { body: { body: 'bell\u0007' } }), ['body']);
  assert.equal((await req(srv, 'POST', path, { body: { body: 'é'.repeat(10000) } })).status, 201, '10,000 characters fit');
  assertProblem(await req(srv, 'POST', path, { body: 'nope', headers: { 'Content-Type': 'application/json' } }), 400);
  assertProblem(await req(srv, 'POST', `${path}/x`, { body: { body: 'x' } }), 405);
});

test('completing a recurring task creates the next one in the series, until the count is reached', async () => {
  const first = await createOk(srv, 'activities', {
    kind: 'task', subject: 'Monthly report', due_at: '2030-01-31T16:00:00Z', start_at: '2030-01-31T14:00:00Z',
    priority: 'high', participants: [otherId], checklist: [{ text: 'numbers', done: true }, { text: 'send', done: false }],
    tags: ['report'], recurrence: { freq: 'monthly', count: 3 },
  }, manager);
  assert.deepEqual(first.recurrence, { freq: 'monthly', count: 3 });
  assert.equal(first.series_id, first.id, 'the first task is in its series too');
  const complete = (id) => req(srv, 'POST', `/api/v1/activities/${id}/complete`, { auth: manager });
  const series = async () => (await req(srv, 'GET', `/api/v1/activities?series_id=${first.id}&sort=due_at`, { auth: manager })).body.data;
  assert.equal((await complete(first.id)).status, 200);
  let s = await series();
  assert.deepEqual(s.map((x) => x.id).slice(0, 1), [first.id]);
  s = s.filter((x) => x.id !== first.id);
  assert.equal(s.length, 1);
  const second = s[0];
  assert.equal(second.series_id, first.id);
  assert.equal(second.due_at, '2030-02-28T16:00:00.000Z', 'Jan 31 monthly: the end of February');
  assert.equal(second.start_at, '2030-02-28T14:00:00.000Z', 'the start moves with the deadline');
  assert.equal(second.status, 'open');
  assert.equal(second.subject, 'Monthly report');
  assert.equal(second.priority, 'high');
  assert.equal(second.owner_id, managerId);
  assert.deepEqual(second.participants, [otherId]);
  assert.deepEqual(second.tags, ['report']);
  assert.deepEqual(second.checklist, [{ text: 'numbers', done: false }, { text: 'send', done: false }], 'unticked');
  assert.deepEqual(second.recurrence, first.recurrence);
  // Reopening and completing the first again makes no second copy.
  assert.equal((await req(srv, 'POST', `/api/v1/activities/${first.id}/reopen`, { auth: manager })).status, 200);
  assert.equal((await complete(first.id)).status, 200);
  assert.equal((await series()).length, 2);
  assert.equal((await complete(second.id)).status, 200);
  s = await series();
  assert.equal(s.length, 3);
  assert.equal(s[2].due_at, '2030-03-31T16:00:00.000Z', 'back on the 31st');
  assert.equal((await complete(s[2].id)).status, 200);
  assert.equal((await series()).length, 3, 'three occurrences in all: the series is over');
});

test('until ends a series; a rule needs a task with a deadline and a valid shape', async () => {
  const t = await createOk(srv, 'activities', { kind: 'task', subject: 'Weekly', due_at: '2030-05-01T09:00:00Z',
                                                recurrence: { freq: 'weekly', interval: 2, until: '2030-05-15T09:00:00Z' } }, manager);
  await req(srv, 'POST', `/api/v1/activities/${t.id}/complete`, { auth: manager });
  const s = (await req(srv, 'GET', `/api/v1/activities?series_id=${t.id}&sort=due_at`, { auth: manager })).body.data;
  assert.deepEqual(s.map((x) => x.series_id), [t.id, t.id]);
  assert.equal(s[1].due_at, '2030-05-15T09:00:00.000Z');
  await req(srv, 'POST', `/api/v1/activities/${s[1].id}/complete`, { auth: manager });
  assert.equal((await req(srv, 'GET', `/api/v1/activities?series_id=${t.id}`, { auth: manager })).body.data.length, 2);
  const post = (body) => req(srv, 'POST', '/api/v1/activities', { body, auth: manager });
  assertInvalid(await post({ kind: 'task', subject: 'x', recurrence: { freq: 'daily' } }), ['recurrence'], 'no due_at');
  assertInvalid(await post({ kind: 'note', body: 'x', recurrence: { freq: 'daily' } }), ['recurrence'], 'tasks only');
  for (const bad of [{ freq: 'hourly' }, { freq: 'daily', interval: 0 }, { freq: 'daily', interval: 366 },
    { freq: 'daily', count: 1001 }, { freq: 'daily', until: 'soon' }, { freq: 'daily', extra: 1 }, [], 'daily']) {
    assertInvalid(await post({ kind: 'task', subject: 'x', due_at: '2030-01-01T00:00:00Z', recurrence: bad }), ['recurrence'],
                  JSON.stringify(bad));
  }
  assertInvalid(await req(srv, 'PATCH', `/api/v1/activities/${t.id}`, { body: { series_id: 5 }, auth: manager }), ['series_id']);
  const plain = await createOk(srv, 'activities', { kind: 'task', subject: 'Once', due_at: '2030-01-01T00:00:00Z' }, manager);
  await req(srv, 'POST', `/api/v1/activities/${plain.id}/complete`, { auth: manager });
  assert.equal((await req(srv, 'GET', `/api/v1/activities?series_id=${plain.id}`, { auth: manager })).body.data.length, 0);
});

test('the iCalendar feed: a secret address shows the user\'s open tasks and meetings; revoked or wrong answers 404', async () => {
  const soon = (h) => new Date(Date.now() + h * 3600000).toISOString();
  const none = await req(srv, 'GET', '/api/v1/auth/calendar-feed', { auth: other });
  assert.equal(none.status, 200, none.text);
  assert.deepEqual(none.body, { active: false, created_at: null });
  const made = await req(srv, 'POST', '/api/v1/auth/calendar-feed', { auth: other });
  assert.equal(made.status, 201, made.text);
  assert.match(made.body.url, /^https?:\/\/[^/]+\/ical\/[A-Za-z0-9_-]{43}\.ics$/);
  assert.ok(made.body.url.endsWith(made.body.path));
  const task = await createOk(srv, 'activities', { kind: 'task', subject: 'Feed, task; one', due_at: soon(30) }, other);
  const meet = await createOk(srv, 'activities', { kind: 'meeting', subject: 'Feed meeting', start_at: soon(5), end_at: soon(6),
                                                   place: 'Room\\7', participants: [otherId] }, manager);
  const hidden = await createOk(srv, 'activities', { kind: 'task', subject: 'Manager alone', due_at: soon(5) }, manager);
  const feed = await req(srv, 'GET', made.body.path, { auth: null });
  assert.equal(feed.status, 200, feed.text);
  assert.match(feed.headers.get('content-type'), /^text\/calendar/);
  assert.match(feed.headers.get('cache-control'), /no-store/);
  const text = feed.text;
  assert.ok(text.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n'), text.slice(0, 80));
  assert.ok(text.endsWith('END:VCALENDAR\r\n'));
  assert.ok(text.split('\r\n').every((l) => Buffer.byteLength(l) <= 75), 'folded');
  const unfolded = text.replace(/\r\n /g, '');
  assert.match(unfolded, new RegExp(`BEGIN:VTODO\\r\\nUID:activity-${task.id}@crm\\r\\n`));
  assert.match(unfolded, /SUMMARY:Feed\\, task\\; one\r\n/);
  assert.match(unfolded, /DUE:\d{8}T\d{6}Z\r\n/);
  assert.match(unfolded, new RegExp(`BEGIN:VEVENT\\r\\nUID:activity-${meet.id}@crm\\r\\n`), 'a meeting one takes part in');
  assert.match(unfolded, /LOCATION:Room\\\\7\r\n/);
  assert.ok(!unfolded.includes(`activity-${hidden.id}@`), 'not what the user cannot read');
  // HEAD works as GET; a wrong secret, a missing .ics and a revoked one answer 404.
  assertProblem(await req(srv, 'GET', made.body.path.replace(/.{4}\.ics$/, 'AAAA.ics'), { auth: null }), 404);
  assertProblem(await req(srv, 'GET', made.body.path.replace(/\.ics$/, ''), { auth: null }), 404);
  assertProblem(await req(srv, 'GET', '/ical/.ics', { auth: null }), 404);
  assertProblem(await req(srv, 'GET', `/ical/${'x'.repeat(300)}.ics`, { auth: null }), 404);
  const again = await req(srv, 'POST', '/api/v1/auth/calendar-feed', { auth: other });
  assert.equal(again.status, 201);
  assertProblem(await req(srv, 'GET', made.body.path, { auth: null }), 404, 'a new address replaces the old');
  assert.equal((await req(srv, 'GET', again.body.path, { auth: null })).status, 200);
  const live = await req(srv, 'GET', '/api/v1/auth/calendar-feed', { auth: other });
  assert.equal(live.body.active, true);
  assert.ok(Date.parse(live.body.created_at) > 0);
  assert.ok(!JSON.stringify(live.body).includes(again.body.url.split('/').pop()), 'the address is not shown again');
  assert.equal((await req(srv, 'DELETE', '/api/v1/auth/calendar-feed', { auth: other })).status, 204);
  assert.equal((await req(srv, 'GET', '/api/v1/auth/calendar-feed', { auth: other })).body.active, false);
  assertProblem(await req(srv, 'GET', again.body.path, { auth: null }), 404, 'revoked');
  assertProblem(await req(srv, 'DELETE', '/api/v1/auth/calendar-feed', { auth: other }), 404, 'nothing left to revoke');
  assertProblem(await req(srv, 'POST', '/api/v1/auth/calendar-feed', { auth: null }), 401);
});

test('a calendar by person or team: involves lists what one owns and takes part in, involves_department a team\'s', async () => {
  const dept = await createOk(srv, 'departments', { name: 'Calendar team', parent_id: 1 });
  const sub = await createOk(srv, 'departments', { name: 'Calendar sub-team', parent_id: dept.id });
  const mk = async (email, department_id) => {
    const u = await req(srv, 'POST', '/api/v1/users', { body: { email, name: email.split('@')[0], department_id,
                                                                   password: 'saffron lighthouse quill 27' } });
    assert.equal(u.status, 201, u.text);
    return u.body.id;
  };
  const ann = await mk('cal.ann@example.com', dept.id);
  const ben = await mk('cal.ben@example.com', sub.id);
  const range = '&start_at[gte]=2031-01-01T00:00:00Z&start_at[lte]=2031-01-31T00:00:00Z';
  const meet = (subject, body) => createOk(srv, 'activities', { kind: 'meeting', subject, start_at: '2031-01-10T10:00:00Z', ...body });
  const annOwn = await meet('Ann owns', { owner_id: ann });
  const annJoins = await meet('Ann joins', { participants: [ann] });
  const benOwn = await meet('Ben owns', { owner_id: ben });
  const benJoins = await meet('Ben joins', { participants: [ben] });
  await meet('Nobody of theirs', {});
  const ids = async (q) => {
    const r = await req(srv, 'GET', `/api/v1/activities?kind=meeting${range}&sort=start_at&limit=200&${q}`);
    assert.equal(r.status, 200, r.text);
    return r.body.data.map((x) => x.id).sort((a, b) => a - b);
  };
  assert.deepEqual(await ids(`involves=${ann}`), [annOwn.id, annJoins.id]);
  assert.deepEqual(await ids(`owner_id=${ann}`), [annOwn.id], 'owner_id alone leaves out what one takes part in');
  assert.deepEqual(await ids(`involves_department=${dept.id}`), [annOwn.id, annJoins.id, benOwn.id, benJoins.id], 'the team and the one below it');
  assert.deepEqual(await ids(`involves_department=${sub.id}`), [benOwn.id, benJoins.id]);
  assert.deepEqual(await ids(`department_id=${dept.id}`), [annOwn.id, benOwn.id], 'department_id: the owners only');
  assert.deepEqual(await ids(`involves=${ann}&involves_department=${sub.id}`), [], 'filters combine with AND');
  // Rights still apply: a manager (own scope) sees only what they may read of Ann's.
  const m = await req(srv, 'GET', `/api/v1/activities?kind=meeting${range}&involves=${ann}`, { auth: manager });
  assert.equal(m.status, 200, m.text);
  assert.deepEqual(m.body.data, []);
  for (const bad of ['involves=abc', 'involves=0', 'involves_department=-1', 'involves=']) {
    assertProblem(await req(srv, 'GET', `/api/v1/activities?${bad}`), 400, bad);
  }
  const oa = (await req(srv, 'GET', '/api/v1/openapi.json', { auth: null })).body;
  const names = oa.paths['/api/v1/activities'].get.parameters.map((p) => p.name);
  assert.ok(names.includes('involves') && names.includes('involves_department'));
});
