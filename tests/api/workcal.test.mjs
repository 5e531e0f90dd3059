// Working-hours calendars: an administrator defines when the company works
// (time zone, a week of intervals, holidays and shortened days); everyone
// reads them; departments pick one or inherit their parent's, up to the
// default "Standard"; the due preview answers "when is it due?" and "how
// much working time between?"; bad input is refused field by field and
// nothing is half-written; a calendar in use, or the default, is never
// deleted; every change is audited. And people's absences, which their
// workload will be measured against.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { stopClean, req, assertProblem, assertInvalid, addUser, createToken } from '../lib/helpers.mjs';

let srv;
let manager;
let managerId;
before(async () => {
  srv = await startServer();
  addUser(srv, 'cal.manager@example.com', 'amber otter juggles seventeen lanterns', { name: 'Cal Manager' });
  manager = createToken(srv, 'cal.manager@example.com', 'cm');
  const users = (await req(srv, 'GET', '/api/v1/users')).body.data;
  managerId = users.find((u) => u.email === 'cal.manager@example.com').id;
  const roles = (await req(srv, 'GET', '/api/v1/roles')).body.data;
  const role = roles.find((r) => r.builtin === 'manager');
  const r = await req(srv, 'PATCH', `/api/v1/users/${managerId}`, { body: { role_id: role.id } });
  assert.equal(r.status, 200, r.text);
});
after(async () => { await stopClean(srv); });

const OFFICE = [['09:00-13:00', '14:00-18:00'], ['09:00-13:00', '14:00-18:00'], ['09:00-13:00', '14:00-18:00'],
  ['09:00-13:00', '14:00-18:00'], ['09:00-13:00', '14:00-18:00'], [], []];

async function due(id, from, minutes, auth) {
  return req(srv, 'GET', `/api/v1/work-calendars/${id}/due?from=${encodeURIComponent(from)}&minutes=${minutes}`, { auth });
}

test('the default calendar "Standard" is there, Monday to Friday 09:00-18:00 UTC, and cannot be deleted', async () => {
  const list = await req(srv, 'GET', '/api/v1/work-calendars', { auth: manager });
  assert.equal(list.status, 200, list.text);
  const std = list.body.data.find((c) => c.is_default);
  assert.equal(std.name, 'Standard');
  assert.equal(std.tz, 'UTC');
  assert.deepEqual(std.week, [['09:00-18:00'], ['09:00-18:00'], ['09:00-18:00'], ['09:00-18:00'], ['09:00-18:00'], [], []]);
  const del = await req(srv, 'DELETE', `/api/v1/work-calendars/${std.id}`);
  assertProblem(del, 409);
  assert.match(del.body.detail, /Standard/);
  // Friday 16:00 + 3 working hours is Monday 10:00.
  const d = await due(std.id, '2026-11-27T16:00:00Z', 180, manager);
  assert.equal(d.status, 200, d.text);
  assert.equal(d.body.due_at, '2026-11-30T10:00:00.000Z');
});

test('an admin defines a calendar with holidays; it reads back normalised with an ETag; the change is audited', async () => {
  const r = await req(srv, 'POST', '/api/v1/work-calendars', {
    body: {
      name: 'Berlin office', tz: 'Europe/Berlin',
      week: [['14:00-18:00', '09:00-13:00'], ...OFFICE.slice(1)],
      holidays: [
        { date: '2026-12-25', name: 'Christmas' },
        { date: '2026-12-24', name: 'Christmas Eve', hours: ['09:00-12:00'] },
      ],
    },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('etag'), '"1"');
  assert.deepEqual(r.body.week[0], ['09:00-13:00', '14:00-18:00'], 'intervals are stored sorted');
  assert.deepEqual(r.body.holidays, [
    { date: '2026-12-24', name: 'Christmas Eve', hours: ['09:00-12:00'] },
    { date: '2026-12-25', name: 'Christmas', hours: null },
  ]);
  const got = await req(srv, 'GET', `/api/v1/work-calendars/${r.body.id}`, { auth: manager });
  assert.equal(got.status, 200, got.text);
  assert.equal(got.body.tz, 'Europe/Berlin');
  // Thu 24 Dec 11:00 CET (10:00Z) + 2 h: 11-12 that day, the 25th off, weekend, Mon 28th 09:00-10:00 CET.
  const d = await due(r.body.id, '2026-12-24T10:00:00Z', 120, manager);
  assert.equal(d.body.due_at, '2026-12-28T09:00:00.000Z');
  const audit = await req(srv, 'GET', '/api/v1/audit?action=setting.workcal_created');
  assert.equal(audit.body.data[0].record_id, r.body.id);
});

test('changing a calendar replaces its holidays, bumps the version and honours If-Match', async () => {
  const c = (await req(srv, 'POST', '/api/v1/work-calendars', {
    body: { name: 'Support', week: OFFICE, holidays: [{ date: '2026-05-01', name: 'May Day' }] },
  })).body;
  const r = await req(srv, 'PATCH', `/api/v1/work-calendars/${c.id}`, {
    headers: { 'If-Match': '"1"' },
    body: { name: 'Support desk', week: Array(7).fill(['00:00-24:00']), holidays: [{ date: '2026-01-01', name: 'New Year' }] },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.version, 2);
  assert.equal(r.headers.get('etag'), '"2"');
  assert.deepEqual(r.body.holidays.map((h) => h.date), ['2026-01-01']);
  // Round the clock: Saturday noon + 90 minutes is Saturday 13:30.
  assert.equal((await due(c.id, '2026-11-28T12:00:00Z', 90)).body.due_at, '2026-11-28T13:30:00.000Z');
  const stale = await req(srv, 'PATCH', `/api/v1/work-calendars/${c.id}`, { headers: { 'If-Match': '"1"' }, body: { name: 'Old' } });
  assertProblem(stale, 412);
  const kept = await req(srv, 'PATCH', `/api/v1/work-calendars/${c.id}`, { body: { tz: 'Asia/Tokyo' } });
  assert.equal(kept.status, 200, kept.text);
  assert.equal(kept.body.holidays.length, 1, 'holidays stay when they are not given');
  assert.equal(kept.body.name, 'Support desk');
  const audit = await req(srv, 'GET', `/api/v1/audit?action=setting.workcal_changed&record_id=${c.id}`);
  assert.equal(audit.body.data.length, 2);
});

test('bad calendars are refused field by field, and nothing is written', async () => {
  const before = (await req(srv, 'GET', '/api/v1/work-calendars')).body.data.length;
  const many = Array.from({ length: 1001 }, (_, i) => ({ date: new Date(Date.UTC(2030, 0, 1 + i)).toISOString().slice(0, 10), name: 'h' }));
  const cases = [
    [{}, ['name', 'week']],
    [{ name: '', week: OFFICE }, ['name']],
    [{ name: 'x', week: [['18:00-09:00'], [], [], [], [], [], []] }, ['week[0]']],
    [{ name: 'x', week: [['09:00-13:00', '12:00-18:00'], [], [], [], [], [], []] }, ['week[0]']],
    [{ name: 'x', week: [['9-5'], [], [], [], [], [], []] }, ['week[0]']],
    [{ name: 'x', week: [[], [], [], [], [], [], []] }, ['week']],
    [{ name: 'x', week: OFFICE.slice(0, 5) }, ['week']],
    [{ name: 'x', week: OFFICE, tz: 'Mars/Olympus_Mons' }, ['tz']],
    [{ name: 'x', week: OFFICE, tz: '../../etc/passwd' }, ['tz']],
    [{ name: 'x', week: OFFICE, holidays: [{ date: '2026-02-30', name: 'No such day' }] }, ['holidays[0].date']],
    [{ name: 'x', week: OFFICE, holidays: [{ date: '2026-12-31', name: 'NYE', hours: ['16:00-10:00'] }] }, ['holidays[0].hours']],
    [{ name: 'x', week: OFFICE, holidays: [{ date: '2026-12-31', name: 'a' }, { date: '2026-12-31', name: 'b' }] }, ['holidays']],
    [{ name: 'x', week: OFFICE, holidays: many }, ['holidays']],
    [{ name: 'x', week: OFFICE, colour: 'red' }, ['colour']],
  ];
  for (const [body, fields] of cases)
    assertInvalid(await req(srv, 'POST', '/api/v1/work-calendars', { body }), fields, JSON.stringify(body).slice(0, 120));
  const std = (await req(srv, 'GET', '/api/v1/work-calendars')).body.data.find((c) => c.is_default);
  assertInvalid(await req(srv, 'PATCH', `/api/v1/work-calendars/${std.id}`, { body: { week: [[], [], [], [], [], [], []] } }), ['week']);
  const after = await req(srv, 'GET', '/api/v1/work-calendars');
  assert.equal(after.body.data.length, before);
  assert.deepEqual(after.body.data.find((c) => c.is_default).week[0], ['09:00-18:00']);
  // A name is unique.
  assertProblem(await req(srv, 'POST', '/api/v1/work-calendars', { body: { name: 'Standard', week: OFFICE } }), 409);
});

test('a manager reads calendars but may not write them', async () => {
  const std = (await req(srv, 'GET', '/api/v1/work-calendars', { auth: manager })).body.data.find((c) => c.is_default);
  assertProblem(await req(srv, 'POST', '/api/v1/work-calendars', { auth: manager, body: { name: 'Mine', week: OFFICE } }), 403);
  assertProblem(await req(srv, 'PATCH', `/api/v1/work-calendars/${std.id}`, { auth: manager, body: { name: 'Mine' } }), 403);
  assertProblem(await req(srv, 'DELETE', `/api/v1/work-calendars/${std.id}`, { auth: manager }), 403);
  assertProblem(await req(srv, 'GET', '/api/v1/work-calendars', { auth: null }), 401);
  const depts = (await req(srv, 'GET', '/api/v1/departments')).body.data;
  assertProblem(await req(srv, 'PATCH', `/api/v1/departments/${depts[0].id}`, { auth: manager, body: { calendar_id: std.id } }), 403);
});

test('departments inherit their parent\'s calendar up to the default; a calendar in use is not deleted', async () => {
  const cal = (await req(srv, 'POST', '/api/v1/work-calendars', { body: { name: 'Branch hours', tz: 'America/New_York', week: OFFICE } })).body;
  const top = (await req(srv, 'GET', '/api/v1/departments')).body.data.find((d) => d.parent_id === null);
  const branch = (await req(srv, 'POST', '/api/v1/departments', { body: { name: 'East branch', kind: 'branch', parent_id: top.id, calendar_id: cal.id } })).body;
  assert.equal(branch.calendar_id, cal.id);
  const team = (await req(srv, 'POST', '/api/v1/departments', { body: { name: 'East sales', kind: 'team', parent_id: branch.id } })).body;
  assert.equal(team.calendar_id, null);
  let eff = await req(srv, 'GET', `/api/v1/work-calendars/effective?department_id=${team.id}`, { auth: manager });
  assert.equal(eff.status, 200, eff.text);
  assert.equal(eff.body.calendar.id, cal.id, 'the child uses its parent\'s calendar');
  assert.equal(eff.body.set_on_department_id, branch.id);
  // A person works by their department's calendar.
  assert.equal((await req(srv, 'PATCH', `/api/v1/users/${managerId}`, { body: { department_id: team.id } })).status, 200);
  eff = await req(srv, 'GET', `/api/v1/work-calendars/effective?user_id=${managerId}`, { auth: manager });
  assert.equal(eff.body.calendar.name, 'Branch hours');
  // The top department has none: the default.
  eff = await req(srv, 'GET', `/api/v1/work-calendars/effective?department_id=${top.id}`);
  assert.equal(eff.body.calendar.is_default, true);
  assert.equal(eff.body.set_on_department_id, null);
  assertProblem(await req(srv, 'GET', '/api/v1/work-calendars/effective?department_id=999999'), 404);
  assertInvalid(await req(srv, 'GET', '/api/v1/work-calendars/effective?department_id=x'), ['department_id']);
  // In use: refused, naming the department.
  const del = await req(srv, 'DELETE', `/api/v1/work-calendars/${cal.id}`);
  assertProblem(del, 409);
  assert.match(del.body.detail, /East branch/);
  assert.deepEqual((await req(srv, 'GET', `/api/v1/work-calendars/${cal.id}`)).body.departments, [branch.id]);
  // Bad calendar ids for a department are refused; null falls back to the parent's.
  assertInvalid(await req(srv, 'PATCH', `/api/v1/departments/${team.id}`, { body: { calendar_id: 999999 } }), ['calendar_id']);
  assertInvalid(await req(srv, 'PATCH', `/api/v1/departments/${team.id}`, { body: { calendar_id: 'x' } }), ['calendar_id']);
  const unset = await req(srv, 'PATCH', `/api/v1/departments/${branch.id}`, { body: { calendar_id: null } });
  assert.equal(unset.status, 200, unset.text);
  assert.equal(unset.body.calendar_id, null);
  eff = await req(srv, 'GET', `/api/v1/work-calendars/effective?department_id=${team.id}`);
  assert.equal(eff.body.calendar.is_default, true);
  // Unused now: deleted, and audited.
  assert.equal((await req(srv, 'DELETE', `/api/v1/work-calendars/${cal.id}`)).status, 204);
  assertProblem(await req(srv, 'GET', `/api/v1/work-calendars/${cal.id}`), 404);
  const audit = await req(srv, 'GET', '/api/v1/audit?action=setting.workcal_deleted');
  assert.equal(audit.body.data[0].record_id, cal.id);
});

test('the due preview: a deadline, working minutes between, and bad parameters named', async () => {
  const std = (await req(srv, 'GET', '/api/v1/work-calendars')).body.data.find((c) => c.is_default);
  const base = `/api/v1/work-calendars/${std.id}/due`;
  // Zero minutes from Saturday: Monday's opening.
  assert.equal((await due(std.id, '2026-11-28T10:00:00Z', 0)).body.due_at, '2026-11-30T09:00:00.000Z');
  // An offset in from is understood.
  assert.equal((await due(std.id, '2026-11-30T10:00:00+01:00', 60)).body.due_at, '2026-11-30T10:00:00.000Z');
  const between = await req(srv, 'GET', `${base}?from=2026-11-27T17:00:00Z&to=2026-11-30T10:00:00Z`, { auth: manager });
  assert.equal(between.status, 200, between.text);
  assert.equal(between.body.minutes, 120);
  assertInvalid(await req(srv, 'GET', `${base}?minutes=60`), ['from']);
  assertInvalid(await req(srv, 'GET', `${base}?from=yesterday&minutes=60`), ['from']);
  assertInvalid(await req(srv, 'GET', `${base}?from=2026-11-27T17:00:00Z`), ['minutes']);
  assertInvalid(await req(srv, 'GET', `${base}?from=2026-11-27T17:00:00Z&minutes=-5`), ['minutes']);
  assertInvalid(await req(srv, 'GET', `${base}?from=2026-11-27T17:00:00Z&minutes=1e3`), ['minutes']);
  assertInvalid(await req(srv, 'GET', `${base}?from=2026-11-27T17:00:00Z&minutes=99999999999`), ['minutes']);
  // More work than ten years of this calendar hold: refused, not looped.
  assertInvalid(await req(srv, 'GET', `${base}?from=2026-11-27T17:00:00Z&minutes=5000000`), ['minutes']);
  assertInvalid(await req(srv, 'GET', `${base}?from=2000-01-01T00:00:00Z&to=2030-01-01T00:00:00Z`), ['to']);
  assertInvalid(await req(srv, 'GET', `${base}?from=9999-12-31T12:00:00Z&minutes=6000`), ['minutes']);
  assertProblem(await due(999999, '2026-11-27T17:00:00Z', 60), 404);
});

test('the OpenAPI description lists the routes', async () => {
  const r = await req(srv, 'GET', '/api/v1/openapi.json');
  for (const p of ['/api/v1/work-calendars', '/api/v1/work-calendars/{id}', '/api/v1/work-calendars/{id}/due', '/api/v1/work-calendars/effective'])
    assert.ok(r.body.paths[p], p);
  assert.ok(r.body.components.schemas.WorkCalendar);
});

test('absences: an admin records them, the person and their heads read them, others do not; bad ones are refused', async () => {
  addUser(srv, 'abs.head@example.com', 'amber otter juggles seventeen lanterns', { name: 'Abs Head' });
  addUser(srv, 'abs.worker@example.com', 'amber otter juggles seventeen lanterns', { name: 'Abs Worker' });
  addUser(srv, 'abs.peer@example.com', 'amber otter juggles seventeen lanterns', { name: 'Abs Peer' });
  const head = createToken(srv, 'abs.head@example.com', 'ah');
  const worker = createToken(srv, 'abs.worker@example.com', 'aw');
  const peer = createToken(srv, 'abs.peer@example.com', 'ap');
  const users = (await req(srv, 'GET', '/api/v1/users')).body.data;
  const id = (email) => users.find((u) => u.email === email).id;
  const top = (await req(srv, 'GET', '/api/v1/departments')).body.data.find((d) => d.parent_id === null);
  const branch = (await req(srv, 'POST', '/api/v1/departments', { body: { name: 'Abs branch', parent_id: top.id } })).body;
  const team = (await req(srv, 'POST', '/api/v1/departments', { body: { name: 'Abs team', parent_id: branch.id } })).body;
  assert.equal((await req(srv, 'PATCH', `/api/v1/departments/${branch.id}`, { body: { heads: [id('abs.head@example.com')] } })).status, 200);
  for (const [email, dept] of [['abs.worker@example.com', team.id], ['abs.peer@example.com', branch.id]])
    assert.equal((await req(srv, 'PATCH', `/api/v1/users/${id(email)}`, { body: { department_id: dept } })).status, 200);
  const base = `/api/v1/users/${id('abs.worker@example.com')}/absences`;

  const a = await req(srv, 'POST', base, { body: { from: '2026-12-21', to: '2026-12-31', kind: 'vacation', note: 'Winter' } });
  assert.equal(a.status, 201, a.text);
  assert.deepEqual([a.body.from, a.body.to, a.body.kind, a.body.note], ['2026-12-21', '2026-12-31', 'vacation', 'Winter']);
  const b = await req(srv, 'POST', base, { body: { from: '2027-02-03', to: '2027-02-03', kind: 'sick' } });
  assert.equal(b.status, 201, b.text);

  // The person and the head of a department above theirs read them; a colleague does not, nor writes.
  for (const auth of [worker, head]) {
    const r = await req(srv, 'GET', base, { auth });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.data.map((x) => x.from), ['2026-12-21', '2027-02-03']);
  }
  assertProblem(await req(srv, 'GET', base, { auth: peer }), 404);
  assertProblem(await req(srv, 'POST', base, { auth: worker, body: { from: '2027-03-01', to: '2027-03-02', kind: 'other' } }), 403);
  assertProblem(await req(srv, 'DELETE', `${base}/${a.body.id}`, { auth: head }), 403);
  assertProblem(await req(srv, 'GET', '/api/v1/users/999999/absences'), 404);

  // A range keeps those overlapping it.
  const inJan = await req(srv, 'GET', `${base}?from=2026-12-31&to=2027-01-31`, { auth: worker });
  assert.deepEqual(inJan.body.data.map((x) => x.id), [a.body.id]);
  assertInvalid(await req(srv, 'GET', `${base}?from=31.12.2026`), ['from']);

  const cases = [
    [{}, ['from', 'to', 'kind']],
    [{ from: '2027-03-01', to: '2027-02-28', kind: 'other' }, ['to']],
    [{ from: '2027-02-29', to: '2027-03-01', kind: 'other' }, ['from']],
    [{ from: '2027-01-01', to: '2028-06-01', kind: 'other' }, ['to']],
    [{ from: '2027-03-01', to: '2027-03-01', kind: 'holiday' }, ['kind']],
    [{ from: '2027-03-01', to: '2027-03-01', kind: 'other', note: 'x'.repeat(501) }, ['note']],
    [{ from: '2027-03-01', to: '2027-03-01', kind: 'other', mood: 'sad' }, ['mood']],
    // Overlapping an absence already recorded.
    [{ from: '2026-12-30', to: '2027-01-02', kind: 'other' }, ['from']],
  ];
  for (const [body, fields] of cases) assertInvalid(await req(srv, 'POST', base, { body }), fields, JSON.stringify(body));

  const moved = await req(srv, 'PATCH', `${base}/${b.body.id}`, { body: { to: '2027-02-05', note: null } });
  assert.equal(moved.status, 200, moved.text);
  assert.deepEqual([moved.body.from, moved.body.to, moved.body.kind], ['2027-02-03', '2027-02-05', 'sick']);
  assertInvalid(await req(srv, 'PATCH', `${base}/${b.body.id}`, { body: { from: '2026-12-25' } }), ['from']);
  assertProblem(await req(srv, 'PATCH', `/api/v1/users/${id('abs.peer@example.com')}/absences/${b.body.id}`, { body: { kind: 'other' } }), 404);
  assert.equal((await req(srv, 'DELETE', `${base}/${a.body.id}`)).status, 204);
  assert.deepEqual((await req(srv, 'GET', base)).body.data.map((x) => x.id), [b.body.id]);
  const actions = (await req(srv, 'GET', `/api/v1/audit?entity=users&record_id=${id('abs.worker@example.com')}`)).body.data.map((e) => e.action);
  for (const act of ['user.absence_created', 'user.absence_changed', 'user.absence_deleted']) assert.ok(actions.includes(act), act);
});
