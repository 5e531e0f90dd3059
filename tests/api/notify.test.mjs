// Reminders, notifications and mail, against a real SMTP server (aiosmtpd,
// Debian's python3-aiosmtpd, run by tests/lib/smtp_sink.py): a reminder
// arrives by mail and in the bell; reassigning tells both people; a mail
// sent while the mail server is down is kept, retried and delivered once
// when it is back; the bell is one's own and never tells of records one
// cannot read; the live stream (Server-Sent Events) sends the unread count
// as it changes and ends on sign-out; bad input is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, PG, pgSql } from '../lib/server.mjs';
import { readMails, startSmtpSink } from '../lib/smtp.mjs';
import { stopClean, req, createOk, assertProblem, assertInvalid, addUser, createToken, login, freePort, until as untilDone } from '../lib/helpers.mjs';

const PASSWORD = 'amber otter juggles seventeen lanterns';

let srv;
let smtpPort;
let mailDir;
let sink = null;
let alice; let aliceId;   // managers with the "own" scope
let bob; let bobId;

// The SMTP server: started and stopped on the same port and folder.
async function startSink() {
  sink = await startSmtpSink({ port: smtpPort, dir: mailDir });
}
async function stopSink() {
  if (!sink) return;
  const s = sink;
  sink = null;
  await s.stop();
}

const mails = () => readMails(mailDir);
function until(what, fn, ms = 15000) {
  return untilDone(what, fn, { ms, srv });
}
const mailTo = (addr, subject) => mails().filter((m) => m.to.includes(addr) && (!subject || m.data.includes(`Subject: ${subject}`)));
const notes = async (auth, q = '') => (await req(srv, 'GET', `/api/v1/notifications${q}`, { auth })).body.data;
const unread = async (auth) => (await req(srv, 'GET', '/api/v1/notifications/count', { auth })).body.unread;
const iso = (ms) => new Date(ms).toISOString();

// Reads a Server-Sent Events stream with fetch: next() gives the next event.
async function openStream(auth) {
  const ctrl = new AbortController();
  const headers = typeof auth === 'string' ? { Authorization: `Bearer ${auth}` } : { Cookie: auth.cookie };
  const r = await fetch(`${srv.url}/api/v1/notifications/stream`, { headers, signal: ctrl.signal });
  if (r.status !== 200) return { status: r.status, text: await r.text(), close() {} };
  const reader = r.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  let pending = null;
  async function next(ms = 10000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = buf.indexOf('\n\n');
      if (i >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev = {};
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) ev.event = line.slice(7);
          else if (line.startsWith('data: ')) ev.data = JSON.parse(line.slice(6));
        }
        if (ev.event) return ev;
        continue;   // retry: or a heartbeat comment
      }
      pending = pending || reader.read();
      const left = deadline - Date.now();
      if (left <= 0) return null;
      let timer;
      const got = await Promise.race([pending, new Promise((ok) => { timer = setTimeout(() => ok('timeout'), left); })]);
      clearTimeout(timer);
      if (got === 'timeout') return null;
      pending = null;
      if (got.done) return { event: 'closed' };
      buf += dec.decode(got.value, { stream: true });
    }
  }
  return { status: 200, headers: r.headers, next, close: () => ctrl.abort() };
}

before(async () => {
  smtpPort = await freePort();
  mailDir = mkdtempSync(join(tmpdir(), 'crm-mail-'));
  await startSink();
  srv = await startServer({ args: ['--smtp-url', `smtp://127.0.0.1:${smtpPort}`, '--smtp-from', 'crm@example.com',
                                   '--smtp-retry', '1s', '--smtp-max-attempts', '10'] });
  addUser(srv, 'alice@example.com', PASSWORD, { name: 'Alice' });
  addUser(srv, 'bob@example.com', PASSWORD, { name: 'Bob' });
  alice = createToken(srv, 'alice@example.com', 'alice');
  bob = createToken(srv, 'bob@example.com', 'bob');
  aliceId = (await req(srv, 'GET', '/api/v1/auth/me', { auth: alice })).body.id;
  bobId = (await req(srv, 'GET', '/api/v1/auth/me', { auth: bob })).body.id;
});
after(async () => {
  await stopClean(srv);
  await stopSink();
  rmSync(mailDir, { recursive: true, force: true });
});

test('a reminder arrives by mail and in the bell of the owner and participants', async () => {
  // Due in a minute with a reminder one minute before: due at once.
  const t = await createOk(srv, 'activities', { kind: 'task', subject: 'Call back ACME', due_at: iso(Date.now() + 60000),
                                                reminders: [1] }, alice);
  assert.deepEqual(t.reminders, [1]);
  const m = await until('the reminder mail', () => mailTo('alice@example.com', 'Reminder: Call back ACME')[0]);
  assert.deepEqual(m.to, ['alice@example.com']);
  assert.equal(m.from, 'crm@example.com');
  assert.match(m.data, /Call back ACME/);
  const mine = await notes(alice);
  const n = mine.find((x) => x.kind === 'reminder' && x.record_id === t.id);
  assert.ok(n, JSON.stringify(mine));
  assert.equal(n.entity, 'activities');
  assert.equal(n.read, false);
  assert.ok((await unread(alice)) >= 1);
  assert.ok(!(await notes(bob)).some((x) => x.record_id === t.id), 'nobody else hears of it');

  // A meeting reminds its participants too; one far ahead waits.
  const mt = await createOk(srv, 'activities', { kind: 'meeting', subject: 'Kick-off with Bob', start_at: iso(Date.now() + 120000),
                                                 participants: [bobId], reminders: [2, 1440] }, alice);
  await until('the meeting reminder to Bob', () => mailTo('bob@example.com', 'Reminder: Kick-off with Bob')[0]);
  await until('Bob\'s bell', async () => (await notes(bob)).some((x) => x.kind === 'reminder' && x.record_id === mt.id));
  assert.ok(mailTo('alice@example.com', 'Reminder: Kick-off with Bob').length === 1 ||
            await until('the organiser\'s mail', () => mailTo('alice@example.com', 'Reminder: Kick-off with Bob')[0]));

  // Done before its time: no reminder comes.
  const later = await createOk(srv, 'activities', { kind: 'task', subject: 'Never reminded', due_at: iso(Date.now() + 120000),
                                                    reminders: [0] }, alice);
  const done = await req(srv, 'POST', `/api/v1/activities/${later.id}/complete`, { auth: alice });
  assert.equal(done.status, 200, done.text);
  // Trashed: no reminder either.
  const trashed = await createOk(srv, 'activities', { kind: 'task', subject: 'Trashed reminder', due_at: iso(Date.now() + 61000),
                                                      reminders: [0] }, alice);
  assert.equal((await req(srv, 'DELETE', `/api/v1/activities/${trashed.id}`, { auth: alice })).status, 204);
  await new Promise((ok) => setTimeout(ok, 1500));
  assert.equal(mailTo('alice@example.com', 'Reminder: Never reminded').length, 0);
  assert.equal(mailTo('alice@example.com', 'Reminder: Trashed reminder').length, 0);
});

test('reassigning a task notifies the old and the new owner, each only as far as they may read it', async () => {
  const t = await createOk(srv, 'activities', { kind: 'task', subject: 'Quarterly report', owner_id: aliceId });
  await until('Alice is told', async () => (await notes(alice)).some((x) => x.kind === 'assigned' && x.record_id === t.id));
  const moved = await req(srv, 'PATCH', `/api/v1/activities/${t.id}`, { body: { owner_id: bobId } });
  assert.equal(moved.status, 200, moved.text);
  const b = (await notes(bob)).find((x) => x.kind === 'assigned' && x.record_id === t.id);
  assert.ok(b, 'the new owner is told');
  assert.match(b.title, /Quarterly report/);
  // Alice (own scope) may no longer read it: told that it left her, nothing of it.
  const a = (await notes(alice)).find((x) => x.kind === 'unassigned');
  assert.ok(a, 'the old owner is told');
  assert.equal(a.entity, null);
  assert.equal(a.record_id, null);
  assert.doesNotMatch(a.title + a.body, /Quarterly report/);
  await until('both mails', () => mailTo('bob@example.com', 'Assigned to you: Quarterly report').length === 1 &&
                                   mailTo('alice@example.com').some((m) => /given to someone else/.test(m.data)));
});

test('a bulk transfer of tasks notifies the old and the new owner of each, and a refused one nobody', async () => {
  const t1 = await createOk(srv, 'activities', { kind: 'task', subject: 'Bulk one', owner_id: aliceId });
  const t2 = await createOk(srv, 'activities', { kind: 'meeting', subject: 'Bulk two', owner_id: aliceId,
                                                 start_at: '2030-03-01T10:00:00Z', end_at: '2030-03-01T11:00:00Z' });
  const toBob = (ids) => req(srv, 'POST', '/api/v1/activities/transfer', { body: { ids, to_user_id: bobId } });
  const told = async (auth, kind) => (await notes(auth)).filter((x) => x.kind === kind);
  const aliceBefore = (await told(alice, 'unassigned')).length;
  // One id that does not exist: nothing moves, and nobody hears of anything.
  assert.equal((await toBob([t1.id, 999999])).status, 404);
  assert.ok(!(await told(bob, 'assigned')).some((x) => x.record_id === t1.id), 'a refused transfer tells nobody');
  assert.equal((await told(alice, 'unassigned')).length, aliceBefore);
  const moved = await toBob([t1.id, t2.id]);
  assert.equal(moved.status, 200, moved.text);
  const b = await told(bob, 'assigned');
  for (const t of [t1, t2]) {
    const n = b.find((x) => x.record_id === t.id);
    assert.ok(n, `Bob is told of ${t.subject}`);
    assert.match(n.title, new RegExp(t.subject));
  }
  // Alice (own scope) may no longer read them: told that each left her, nothing of them.
  const all = await told(alice, 'unassigned');
  assert.equal(all.length, aliceBefore + 2);
  const a = all.slice(0, 2); // the newest first
  for (const n of a) assert.doesNotMatch(n.title + n.body, /Bulk/);
});

test('a subject in any language arrives intact, encoded for mail', async () => {
  await createOk(srv, 'activities', { kind: 'task', subject: 'Angebot für Müller – 見積もり', owner_id: bobId });
  const m = await until('the mail', () => mails().find((x) => x.to.includes('bob@example.com') && /=\?UTF-8\?B\?/.test(x.data)));
  const words = [...m.data.matchAll(/=\?UTF-8\?B\?([^?]+)\?=/g)].map((w) => Buffer.from(w[1], 'base64'));
  assert.equal(Buffer.concat(words).toString('utf8'), 'Assigned to you: Angebot für Müller – 見積もり');
  assert.ok(m.data.split('\r\n').every((l) => l.length <= 998), 'no line over the SMTP limit');
});

test('one reads and marks only one\'s own notifications', async () => {
  const mine = await notes(alice);
  assert.ok(mine.length > 0);
  const id = mine[0].id;
  assertProblem(await req(srv, 'POST', `/api/v1/notifications/${id}/read`, { auth: bob }), 404);
  assert.ok(!(await notes(bob)).some((x) => x.id === id));
  const before = await unread(alice);
  const one = await req(srv, 'POST', `/api/v1/notifications/${id}/read`, { auth: alice });
  assert.equal(one.status, 200, one.text);
  assert.equal(one.body.unread, before - (mine[0].read ? 0 : 1));
  const list = await notes(alice);
  assert.ok(list.find((x) => x.id === id).read);
  // Unread first, newest first within each.
  const firstRead = list.findIndex((x) => x.read);
  assert.ok(list.slice(firstRead).every((x) => x.read), 'unread before read');
  const all = await req(srv, 'POST', '/api/v1/notifications/read-all', { auth: alice });
  assert.deepEqual(all.body, { unread: 0 });
  assert.equal(await unread(alice), 0);
  assert.deepEqual(await notes(alice, '?unread=true'), []);
  // Paging.
  const page = await req(srv, 'GET', '/api/v1/notifications?limit=1', { auth: alice });
  assert.equal(page.body.data.length, 1);
  assert.ok(page.body.next_cursor);
  const page2 = await req(srv, 'GET', `/api/v1/notifications?limit=1&cursor=${page.body.next_cursor}`, { auth: alice });
  assert.notEqual(page2.body.data[0].id, page.body.data[0].id);
  assertProblem(await req(srv, 'GET', '/api/v1/notifications?cursor=zz', { auth: alice }), 400);
  assertProblem(await req(srv, 'GET', '/api/v1/notifications?limit=0', { auth: alice }), 400);
  assertProblem(await req(srv, 'GET', '/api/v1/notifications?unread=maybe', { auth: alice }), 400);
  assertProblem(await req(srv, 'GET', '/api/v1/notifications?user_id=1', { auth: alice }), 400);
  assertProblem(await req(srv, 'GET', '/api/v1/notifications', { auth: null }), 401);
});

test('a mail sent while the mail server is down is kept, retried and delivered exactly once', async () => {
  await stopSink();
  const res = await req(srv, 'POST', '/api/v1/system/mail/test', { body: { to: 'outage@example.com' } });
  assert.equal(res.status, 202, res.text);
  assert.equal(res.body.status, 'queued');
  const id = res.body.id;
  const failed = await until('a failed attempt', async () => {
    const s = (await req(srv, 'GET', '/api/v1/system/mail')).body;
    const m = s.recent.find((x) => x.id === id);
    return m && m.attempts >= 1 && m.last_error ? { s, m } : null;
  });
  assert.equal(failed.m.status, 'queued');
  assert.match(failed.m.last_error, /connect/i);
  assert.ok(failed.s.queued >= 1);
  assert.equal(failed.s.configured, true);
  assert.equal(failed.s.url, `smtp://127.0.0.1:${smtpPort}`);
  await startSink();
  await until('the mail after the outage', () => mailTo('outage@example.com').length === 1);
  const sent = await until('sent status', async () => {
    const s = (await req(srv, 'GET', '/api/v1/system/mail')).body;
    const m = s.recent.find((x) => x.id === id);
    return m.status === 'sent' ? m : null;
  });
  assert.equal(sent.last_error, null);
  await new Promise((ok) => setTimeout(ok, 1500));
  assert.equal(mailTo('outage@example.com').length, 1, 'exactly once');
  assert.match(mailTo('outage@example.com')[0].data, /Subject: CRM test mail/);
  // The test mail is audited.
  const audit = await req(srv, 'GET', '/api/v1/audit?action=mail.test');
  if (audit.status === 200) assert.ok(JSON.stringify(audit.body).includes('outage@example.com'), audit.text);
});

test('the test mail and the outbox are for administrators; bad addresses are refused', async () => {
  assertProblem(await req(srv, 'POST', '/api/v1/system/mail/test', { body: { to: 'x@example.com' }, auth: alice }), 403);
  assertProblem(await req(srv, 'GET', '/api/v1/system/mail', { auth: alice }), 403);
  assertInvalid(await req(srv, 'POST', '/api/v1/system/mail/test', { body: { to: 'not an address' } }), ['to']);
  assertInvalid(await req(srv, 'POST', '/api/v1/system/mail/test', { body: { to: 'a@example.com\r\nBcc: x@example.com' } }), ['to']);
  assertInvalid(await req(srv, 'POST', '/api/v1/system/mail/test', { body: {} }), ['to']);
  assertInvalid(await req(srv, 'POST', '/api/v1/system/mail/test', { body: { to: 'a@example.com', cc: 'b@example.com' } }), ['cc']);
});

test('bad reminders are refused and nothing is written', async () => {
  const post = (body) => req(srv, 'POST', '/api/v1/activities', { body, auth: alice });
  const due = iso(Date.now() + 3600000);
  assertInvalid(await post({ kind: 'task', subject: 'x', due_at: due, reminders: 15 }), ['reminders'], 'not an array');
  assertInvalid(await post({ kind: 'task', subject: 'x', due_at: due, reminders: '15' }), ['reminders']);
  assertInvalid(await post({ kind: 'task', subject: 'x', due_at: due, reminders: [-1] }), ['reminders'], 'negative');
  assertInvalid(await post({ kind: 'task', subject: 'x', due_at: due, reminders: [40321] }), ['reminders'], 'beyond four weeks');
  assertInvalid(await post({ kind: 'task', subject: 'x', due_at: due, reminders: [1.5] }), ['reminders'], 'not whole');
  assertInvalid(await post({ kind: 'task', subject: 'x', due_at: due, reminders: [5, 5] }), ['reminders'], 'twice');
  assertInvalid(await post({ kind: 'task', subject: 'x', due_at: due, reminders: [1, 2, 3, 4, 5, 6] }), ['reminders'], 'too many');
  assertInvalid(await post({ kind: 'call', subject: 'x', direction: 'in', reminders: [5] }), ['reminders'], 'a call has none');
  const ok = await createOk(srv, 'activities', { kind: 'task', subject: 'Fine', due_at: due, reminders: [0, 15, 1440] }, alice);
  assert.deepEqual(ok.reminders, [0, 15, 1440]);
  const cleared = await req(srv, 'PATCH', `/api/v1/activities/${ok.id}`, { body: { reminders: null }, auth: alice });
  assert.equal(cleared.status, 200, cleared.text);
});

// Runs SQL on the server's database (tests reach in only to arrange a state
// the API cannot make on demand).
function sql(text) {
  return (PG ? pgSql(text, srv.db)
    : execFileSync('sqlite3', ['-batch', '-cmd', '.timeout 10000', '-noheader', '-list', srv.db, text], { encoding: 'utf8' })).trim();
}

test('reminders whose job already ran once (a retry waiting) are replaced without a database error', async () => {
  const due = iso(Date.now() + 3 * 86400000);
  const t = await createOk(srv, 'activities', { kind: 'task', subject: 'Retrying reminder', due_at: due, reminders: [60] }, alice);
  const [job, key] = sql(`SELECT id, unique_key FROM jobs WHERE unique_key LIKE 'reminder:${t.id}:%' AND done_at IS NULL`).split('|');
  assert.match(job, /^\d+$/, 'one pending reminder job');
  // As if a runner had tried it once and it waits to retry: a run refers to it.
  sql(`INSERT INTO job_runs (job_id, worker, started_at, finished_at, outcome) VALUES (${job}, 'gone:1', 1, 2, 'retry')`);
  const changed = await req(srv, 'PATCH', `/api/v1/activities/${t.id}`, { body: { reminders: [30] }, auth: alice });
  assert.equal(changed.status, 200, changed.text);
  // (SQLite may give the new job the old one's id: keys tell them apart.)
  assert.equal(sql(`SELECT COUNT(*) FROM jobs WHERE unique_key = '${key}'`), '0', 'the old reminder is gone');
  assert.equal(sql(`SELECT COUNT(*) FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE r.worker = 'gone:1'`), '0', 'and its run with it');
  assert.equal(sql(`SELECT COUNT(*) FROM jobs WHERE unique_key LIKE 'reminder:${t.id}:%' AND done_at IS NULL`), '1', 'the new one waits');
});

test('the live stream sends the unread count as it changes', async () => {
  await req(srv, 'POST', '/api/v1/notifications/read-all', { auth: bob });
  const s = await openStream(bob);
  assert.equal(s.status, 200, s.text);
  assert.match(s.headers.get('content-type'), /^text\/event-stream/);
  const first = await s.next();
  assert.deepEqual(first, { event: 'count', data: { unread: 0 } });
  // Something happens for Bob: the count comes without asking.
  await createOk(srv, 'activities', { kind: 'task', subject: 'Live one', owner_id: bobId });
  const ev = await s.next(10000);
  assert.deepEqual(ev, { event: 'count', data: { unread: 1 } });
  // Marking it read (another tab) is sent too.
  await req(srv, 'POST', '/api/v1/notifications/read-all', { auth: bob });
  assert.deepEqual(await s.next(10000), { event: 'count', data: { unread: 0 } });
  s.close();
});

test('streams are bounded per user, and one ends when its session does', async () => {
  const open = [];
  for (let i = 0; i < 5; i++) {
    const s = await openStream(alice);
    assert.equal(s.status, 200, s.text);
    open.push(s);
  }
  const sixth = await openStream(alice);
  assert.equal(sixth.status, 429, sixth.text);
  // The server still answers everyone else at once.
  assert.equal((await req(srv, 'GET', '/api/v1/notifications/count', { auth: bob })).status, 200);
  for (const s of open) s.close();

  const l = await login(srv, 'bob@example.com', PASSWORD);
  assert.equal(l.res.status, 200, l.res.text);
  const s = await openStream(l.auth);
  assert.equal(s.status, 200, s.text);
  assert.equal((await s.next()).event, 'count');
  const out = await req(srv, 'POST', '/api/v1/auth/logout', { auth: l.auth });
  assert.ok(out.status === 204 || out.status === 200, out.text);
  const end = await s.next(12000);
  assert.equal(end && end.event, 'end', JSON.stringify(end));
  s.close();
  // A closed stream's slot is given back (noticed within a heartbeat at most).
  await until('a free slot', async () => {
    const again = await openStream(alice);
    again.close();
    return again.status === 200;
  }, 20000);
});
