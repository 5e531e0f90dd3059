// The kept tally behind the ready report data_completeness (docs/reports.md
// "Kept tallies"): triggers keep contact_tally in the writing transaction,
// so the report, read from a few tally rows, must answer exactly what a
// count of the contacts themselves answers, after every kind of write:
// create, change of owner, source, phones and emails, trash, restore,
// purge, import. After each step the tally is compared with a recount of
// the contacts, and the report with numbers worked out by hand.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, PG, pgSql } from '../lib/server.mjs';
import { stopClean, req, createOk, addUser, createToken } from '../lib/helpers.mjs';

let srv;
let admin;   // {id}
let mgr;     // {id, token}: role manager, reads own records and shares
let reportId;

const sql = (q) => (PG ? pgSql(q, srv.db)
  : execFileSync('sqlite3', ['-batch', '-cmd', '.timeout 10000', '-noheader', '-list', srv.db, q], { encoding: 'utf8' })).trim();

async function ok(method, path, body, auth) {
  const r = await req(srv, method, path, { body, auth });
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${path} ${JSON.stringify(body)}: ${r.status} ${r.text}`);
  return r.body;
}

// The report's rows by owner id: [contacts, no phone %, no email %, no source %].
async function completeness(auth, query = '') {
  const r = await req(srv, 'GET', `/api/v1/reports/${reportId}/run${query}`, { auth });
  assert.equal(r.status, 200, r.text);
  return Object.fromEntries(r.body.rows.map((row) => [row[0], row.slice(2).map(Number)]));
}

// The tally's live rows against a count of the contacts not in the trash.
function assertTallyExact() {
  const kept = sql('SELECT owner_id, source, contacts, no_phone, no_email FROM contact_tally '
    + 'WHERE contacts <> 0 OR no_phone <> 0 OR no_email <> 0 ORDER BY owner_id, source');
  const counted = sql("SELECT COALESCE(owner_id, 0), COALESCE(source, ''), COUNT(*), "
    + "SUM(CASE WHEN phones IS NULL OR phones IN ('', '[]') THEN 1 ELSE 0 END), "
    + "SUM(CASE WHEN emails IS NULL OR emails IN ('', '[]') THEN 1 ELSE 0 END) "
    + "FROM contacts WHERE deleted_at IS NULL GROUP BY COALESCE(owner_id, 0), COALESCE(source, '') "
    + 'ORDER BY 1, 2');
  assert.equal(kept, counted);
}

before(async () => {
  srv = await startServer();
  admin = (await req(srv, 'GET', '/api/v1/auth/me')).body;
  addUser(srv, 'tally.manager@example.com', 'pelican harbour drums nine', { name: 'Tally Manager' });
  mgr = { token: createToken(srv, 'tally.manager@example.com', 'Tally Manager') };
  mgr.id = (await req(srv, 'GET', '/api/v1/auth/me', { auth: mgr.token })).body.id;
  const lib = (await req(srv, 'GET', '/api/v1/reports')).body.data;
  reportId = lib.find((r) => r.builtin === 'data_completeness').id;
});

after(() => stopClean(srv));

test('the tally follows creates, changes, trash, restore, purge and import, and the report with it', async () => {
  assertTallyExact();
  const a1 = await createOk(srv, 'contacts', { first_name: 'A1', phones: ['+1 555 0101'], emails: ['a1@t.example'], source: 'web' });
  const a2 = await createOk(srv, 'contacts', { first_name: 'A2', emails: ['a2@t.example'] });
  const m1 = await createOk(srv, 'contacts', { first_name: 'M1', phones: ['+1 555 0103'], source: 'fair', owner_id: mgr.id });
  assertTallyExact();
  let rows = await completeness();
  assert.deepEqual(rows[admin.id], [2, 50, 0, 50]);
  assert.deepEqual(rows[mgr.id], [1, 0, 100, 0]);

  // A phone added, an email removed, a source removed, a source changed.
  await ok('PATCH', `/api/v1/contacts/${a2.id}`, { phones: ['+1 555 0102'] });
  await ok('PATCH', `/api/v1/contacts/${a1.id}`, { emails: [], source: 'fair' });
  await ok('PATCH', `/api/v1/contacts/${m1.id}`, { source: null });
  assertTallyExact();
  rows = await completeness();
  assert.deepEqual(rows[admin.id], [2, 0, 50, 50]);
  assert.deepEqual(rows[mgr.id], [1, 0, 100, 100]);
  assert.deepEqual(await completeness(undefined, '?source=fair'), { [admin.id]: [1, 0, 100, 0] });

  // A change of owner moves the contact between the two owners' rows.
  await ok('PATCH', `/api/v1/contacts/${a2.id}`, { owner_id: mgr.id });
  assertTallyExact();
  rows = await completeness();
  assert.deepEqual(rows[admin.id], [1, 0, 100, 0]);
  assert.deepEqual(rows[mgr.id], [2, 0, 50, 100]);
  // The manager sees only his own.
  assert.deepEqual(await completeness(mgr.token), { [mgr.id]: [2, 0, 50, 100] });

  // Trashed: gone from the counts, the owner's row with it; restored: back.
  await ok('DELETE', `/api/v1/contacts/${a1.id}`);
  assertTallyExact();
  rows = await completeness();
  assert.equal(rows[admin.id], undefined);
  assert.deepEqual(rows[mgr.id], [2, 0, 50, 100]);
  await ok('POST', `/api/v1/contacts/${a1.id}/restore`);
  assertTallyExact();
  assert.deepEqual((await completeness())[admin.id], [1, 0, 100, 0]);

  // Purged (deleted for good): from the trash, and straight from the live rows.
  await ok('DELETE', `/api/v1/contacts/${a1.id}`);
  sql(`DELETE FROM contacts WHERE id = ${a1.id}`);
  sql(`DELETE FROM contacts WHERE id = ${m1.id}`);
  assertTallyExact();
  rows = await completeness();
  assert.equal(rows[admin.id], undefined);
  assert.deepEqual(rows[mgr.id], [1, 0, 0, 100]);
});

test('an import counts its contacts; a shared contact counts for the one it is shared with', async () => {
  const B = 'crm-tally-boundary-7d2e';
  const csv = 'First name,E-mail,Phone\r\nImp One,one@imp.example,\r\nImp Two,,+1 555 0199\r\n';
  const body = Buffer.concat([
    Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="entity"\r\n\r\ncontacts\r\n`),
    Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="file"; filename="p.csv"\r\nContent-Type: text/csv\r\n\r\n`),
    Buffer.from(csv), Buffer.from(`\r\n--${B}--\r\n`)]);
  const up = await req(srv, 'POST', '/api/v1/imports', { body,
    headers: { 'Content-Type': `multipart/form-data; boundary=${B}` } });
  assert.equal(up.status, 201, up.text);
  assert.equal((await completeness())[admin.id], undefined);
  const settle = async (from) => {
    for (;;) {
      const d = (await req(srv, 'GET', `/api/v1/imports/${up.body.id}`)).body;
      if (d.status !== from) return d;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  assert.equal((await req(srv, 'POST', `/api/v1/imports/${up.body.id}/dry-run`)).status, 202);
  assert.equal((await settle('checking')).status, 'checked');
  assert.equal((await req(srv, 'POST', `/api/v1/imports/${up.body.id}/run`)).status, 202);
  const done = await settle('running');
  assert.equal(done.status, 'done', JSON.stringify(done));
  assert.equal(done.created, 2);
  assertTallyExact();
  assert.deepEqual((await completeness())[admin.id], [2, 50, 50, 100]);

  // A contact of the admin's shared with the manager: his report counts it
  // under its owner, beside his own row, and nothing else of the admin's.
  const shared = await createOk(srv, 'contacts', { first_name: 'Shared', phones: ['+1 555 0142'], source: 'web' });
  await ok('POST', `/api/v1/contacts/${shared.id}/shares`, { user_id: mgr.id, access: 'read' });
  assertTallyExact();
  const seen = await completeness(mgr.token);
  assert.deepEqual(seen[admin.id], [1, 0, 100, 0]);
  assert.deepEqual(seen[mgr.id], [1, 0, 0, 100]);
  assert.deepEqual(Object.keys(seen).length, 2);
  assert.deepEqual(await completeness(mgr.token, '?source=web'), { [admin.id]: [1, 0, 100, 0] });
  assert.deepEqual(await completeness(mgr.token, `?owner_id=${mgr.id}`), { [mgr.id]: [1, 0, 0, 100] });
});

// activity_by_manager's rows by owner id: [calls, meetings, tasks done, overdue].
async function activity(query, auth) {
  const lib = (await req(srv, 'GET', '/api/v1/reports')).body.data;
  const id = lib.find((r) => r.builtin === 'activity_by_manager').id;
  const r = await req(srv, 'GET', `/api/v1/reports/${id}/run${query}`, { auth });
  assert.equal(r.status, 200, r.text);
  return Object.fromEntries(r.body.rows.map((row) => [row[0], row.slice(2)]));
}

function assertActivityTallyExact() {
  const kept = sql('SELECT owner_id, day, activities, calls, meetings, tasks_done FROM activity_tally '
    + 'WHERE activities <> 0 ORDER BY owner_id, day');
  const counted = sql('SELECT COALESCE(owner_id, 0), created_at / 86400000, COUNT(*), '
    + "SUM(CASE WHEN kind = 'call' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'meeting' THEN 1 ELSE 0 END), "
    + "SUM(CASE WHEN kind = 'task' AND status = 'done' THEN 1 ELSE 0 END) FROM activities "
    + 'WHERE deleted_at IS NULL GROUP BY COALESCE(owner_id, 0), created_at / 86400000 ORDER BY 1, 2');
  assert.equal(kept, counted);
}

test('activity_by_manager: whole days from the tally, the ends of a period in a half-hour zone from the rows, exactly', async () => {
  // 10 to 12 January 2026 in Asia/Kolkata (UTC+05:30, no summer time):
  // [9 Jan 18:30 UTC, 12 Jan 18:29:59.999 UTC]; 10 and 11 January are whole UTC days.
  const HOUR = 3600000;
  const start = Date.UTC(2026, 0, 10) - 5.5 * HOUR;
  const end = Date.UTC(2026, 0, 13) - 5.5 * HOUR - 1;
  const period = '?from=2026-01-10&to=2026-01-12&tz=Asia/Kolkata';
  const at = async (body, createdAt) => {
    const a = await createOk(srv, 'activities', body);
    sql(`UPDATE activities SET created_at = ${createdAt} WHERE id = ${a.id}`);
    return a;
  };
  const due = new Date(Date.now() - 86400000).toISOString();
  await at({ kind: 'call', direction: 'out', subject: 'before' }, start - 1);
  const c1 = await at({ kind: 'call', direction: 'out', subject: 'first ms' }, start);
  const m1 = await at({ kind: 'meeting', subject: 'whole day', start_at: '2026-01-11T12:00:00Z' }, Date.UTC(2026, 0, 11, 12));
  await at({ kind: 'task', subject: 'done', status: 'done' }, Date.UTC(2026, 0, 12));
  const t2 = await at({ kind: 'task', subject: 'late', due_at: due }, end);
  await at({ kind: 'call', direction: 'in', subject: 'after' }, end + 1);
  await at({ kind: 'note', body: 'only a note', owner_id: mgr.id }, Date.UTC(2026, 0, 10, 6));
  assertActivityTallyExact();
  assert.deepEqual(await activity(period), { [admin.id]: [1, 1, 1, 1], [mgr.id]: [0, 0, 0, 0] });

  // The late task done, the meeting given to the manager, the first call trashed.
  await ok('PATCH', `/api/v1/activities/${t2.id}`, { status: 'done' });
  await ok('PATCH', `/api/v1/activities/${m1.id}`, { owner_id: mgr.id });
  await ok('DELETE', `/api/v1/activities/${c1.id}`);
  assertActivityTallyExact();
  assert.deepEqual(await activity(period), { [admin.id]: [0, 0, 2, 0], [mgr.id]: [0, 1, 0, 0] });
  assert.deepEqual(await activity(period, mgr.token), { [mgr.id]: [0, 1, 0, 0] });
  // Restored; then purged for good, from the trash and live.
  await ok('POST', `/api/v1/activities/${c1.id}/restore`);
  assertActivityTallyExact();
  assert.deepEqual((await activity(period))[admin.id], [1, 0, 2, 0]);
  await ok('DELETE', `/api/v1/activities/${c1.id}`);
  sql(`DELETE FROM activities WHERE id = ${c1.id}`);
  sql(`DELETE FROM activities WHERE id = ${m1.id}`);
  assertActivityTallyExact();
  assert.deepEqual(await activity(period), { [admin.id]: [0, 0, 2, 0], [mgr.id]: [0, 0, 0, 0] });
  // A period of one day, inside a UTC day: no whole day, all from the rows.
  assert.deepEqual(await activity('?from=2026-01-12&to=2026-01-12&tz=Asia/Kolkata'), { [admin.id]: [0, 0, 2, 0] });
});

// crm_usage's rows by person id: [sign-ins, created, changed, last sign-in].
async function usage(query, auth) {
  const lib = (await req(srv, 'GET', '/api/v1/reports')).body.data;
  const id = lib.find((r) => r.builtin === 'crm_usage').id;
  const r = await req(srv, 'GET', `/api/v1/reports/${id}/run${query}`, { auth });
  assert.equal(r.status, 200, r.text);
  return Object.fromEntries(r.body.rows.map((row) => [row[0], row.slice(2)]));
}

// audit_tally's live rows against a count of the audit log's entries.
function assertAuditTallyExact() {
  const kept = sql('SELECT actor_id, day, logins, created, updated FROM audit_tally '
    + 'WHERE logins <> 0 OR created <> 0 OR updated <> 0 ORDER BY actor_id, day');
  const counted = sql("SELECT actor_id, at / 86400000, SUM(CASE WHEN action = 'auth.login' THEN 1 ELSE 0 END), "
    + "SUM(CASE WHEN action = 'record.create' THEN 1 ELSE 0 END), "
    + "SUM(CASE WHEN action IN ('record.update', 'record.transfer') THEN 1 ELSE 0 END) "
    + "FROM audit_log WHERE actor_id IS NOT NULL AND action IN ('auth.login', 'record.create', "
    + "'record.update', 'record.transfer') GROUP BY actor_id, at / 86400000 ORDER BY 1, 2");
  assert.equal(kept, counted);
}

test('crm_usage: whole days from the audit tally, the ends of a period in a half-hour zone from the entries, exactly', async () => {
  // The same period as above: [9 Jan 18:30 UTC, 12 Jan 18:29:59.999 UTC] in Asia/Kolkata.
  const HOUR = 3600000;
  const start = Date.UTC(2026, 0, 10) - 5.5 * HOUR;
  const end = Date.UTC(2026, 0, 13) - 5.5 * HOUR - 1;
  const period = '?from=2026-01-10&to=2026-01-12&tz=Asia/Kolkata';
  addUser(srv, 'usage.person@example.com', 'otter lantern quietly seven', { name: 'Usage Person' });
  const person = Number(sql("SELECT id FROM users WHERE email = 'usage.person@example.com'"));
  // Entries of a person who does nothing else here, at chosen times: only
  // the tally's triggers see them (the chain's hashes are not what the
  // server would write; nothing here verifies the chain).
  const entry = (action, at) => sql('INSERT INTO audit_log (id, at, actor_id, action, prev_hash, hash) '
    + `SELECT MAX(id) + 1, ${at}, ${person}, '${action}', 'x', 'x' FROM audit_log RETURNING id`);
  entry('auth.login', start - 1);
  const first = entry('auth.login', start);
  entry('record.create', Date.UTC(2026, 0, 11, 12));
  entry('record.update', Date.UTC(2026, 0, 11, 13));
  entry('record.transfer', Date.UTC(2026, 0, 12, 1));
  entry('report.run', Date.UTC(2026, 0, 12, 2));
  const last = entry('auth.login', end);
  entry('record.create', end + 1);
  assertAuditTallyExact();
  assert.deepEqual((await usage(period))[person], [2, 1, 2, new Date(end).toISOString()]);
  // Archiving removes entries: the tally follows them out.
  sql(`DELETE FROM audit_log WHERE id IN (${first}, ${last})`);
  assertAuditTallyExact();
  assert.deepEqual((await usage(period))[person], [0, 1, 2, null]);
  // A period of one day holds no whole UTC day: all from the entries.
  assert.deepEqual((await usage('?from=2026-01-12&to=2026-01-12&tz=Asia/Kolkata'))[person], [0, 0, 1, null]);
  // A manager reads only their own use.
  assert.deepEqual(Object.keys(await usage(period, mgr.token)), [String(mgr.id)]);
});
