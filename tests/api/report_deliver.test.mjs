// Report delivery by mail and default dashboards per role (issue 11, docs/reports.md
// "Delivery by mail", docs/api.md "Report subscriptions"): a saved report mailed on a
// schedule as XLSX or CSV to chosen people, each getting the report as THEY see it; the
// subscription is its owner's (or an admin's) alone; a recipient who may not read the report
// is refused; an occurrence is delivered once, across a restart; every delivery is audited
// with its row counts. And an administrator's default dashboard per role, which a user sees
// until they save their own, and gets back on reset. Against a real SMTP server (the sink).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, PG, pgSql } from '../lib/server.mjs';
import { stopClean, req, createOk, assertProblem, assertInvalid, createToken, disableUser, until as untilDone } from '../lib/helpers.mjs';
import { startSmtpSink, parseMail } from '../lib/smtp.mjs';

const PASSWORD = 'cobalt meadow trumpets eleven';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let srv;
let sink;
let mgr;        // {id, token, email}: role manager, owns one deal
let dir;        // role director: reads every deal
let other;      // a manager the report is not shared with
let report;     // a saved count of deals, shared with mgr and dir
let roles;
let library;    // the ready reports by builtin key

function query(sql, db = srv.db) {
  const out = PG ? pgSql(sql, db)
    : execFileSync('sqlite3', ['-batch', '-cmd', '.timeout 10000', '-noheader', '-list', db, sql], { encoding: 'utf8' });
  return out.trim();
}
const until = (what, fn, ms = 20000) => untilDone(what, fn, { ms, srv });

async function ok(method, path, body, auth) {
  const r = await req(srv, method, path, { body, auth });
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${path}: ${r.status} ${r.text}`);
  return r.body;
}

async function user(email, name, role) {
  const u = await ok('POST', '/api/v1/users', { email, name, password: PASSWORD, role_id: roles[role].id });
  return { id: u.id, email, token: createToken(srv, email, name) };
}

const smtpArgs = () => ['--smtp-url', sink.url, '--smtp-from', 'crm@example.com', '--smtp-retry', '1s'];
const mailsTo = (email) => sink.mails().filter((m) => m.to.includes(email));

// The cells of the first sheet of an XLSX file: rows of cell texts (inline or shared strings).
function sheetRows(buf) {
  const d = mkdtempSync(join(tmpdir(), 'crm-xlsx-'));
  try {
    writeFileSync(join(d, 'f.xlsx'), buf);
    const unzip = (name) => {
      try { return execFileSync('unzip', ['-p', join(d, 'f.xlsx'), name], { encoding: 'utf8' }); } catch { return ''; }
    };
    const shared = [...unzip('xl/sharedStrings.xml').matchAll(/<si>.*?<t[^>]*>([^<]*)<\/t>.*?<\/si>/gs)].map((m) => m[1]);
    const sheet = unzip('xl/worksheets/sheet1.xml');
    assert.match(sheet, /<worksheet/, 'the attachment opens as a workbook');
    return [...sheet.matchAll(/<row[^>]*>(.*?)<\/row>/gs)].map((row) =>
      [...row[1].matchAll(/<c ([^>]*?)(?:\/>|>(.*?)<\/c>)/gs)].map(([, attrs, inner = '']) => {
        const v = (/<v>([^<]*)<\/v>/.exec(inner) || /<t[^>]*>([^<]*)<\/t>/.exec(inner) || [])[1] ?? '';
        return /t="s"/.test(attrs) ? shared[Number(v)] : v;
      }));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}

// The one attachment of a received mail: {name, type, data: Buffer}.
function attachmentOf(mail) {
  const m = parseMail(mail.data);
  assert.match(m.headers['content-type'], /^multipart\/mixed; boundary=/);
  assert.ok(m.closed, 'the multipart message is closed');
  assert.match(m.parts[0].headers['content-type'], /^text\/plain/);
  const files = m.parts.filter((p) => /attachment/.test(p.headers['content-disposition'] || ''));
  assert.equal(files.length, 1);
  return { name: /filename="([^"]+)"/.exec(files[0].headers['content-disposition'])[1],
           type: files[0].headers['content-type'].split(';')[0], data: files[0].body, text: m.parts[0].body,
           ctype: files[0].headers['content-type'].replace(/; name="[^"]*"$/, '') };
}

const weekly = { kind: 'weekly', weekday: 1, time: '08:00' };
// A subscription's jobs are keyed report_deliver:<id>.<created_at>:<at> (an id SQLite reuses
// after a delete never meets the old subscription's jobs).
const keyOf = (id) => `report_deliver:${id}.${query(`SELECT created_at FROM report_subscriptions WHERE id = ${id}`)}:`;
const pendingJobs = (id) => query(`SELECT run_at FROM jobs WHERE kind = 'report_deliver' AND done_at IS NULL AND unique_key LIKE 'report_deliver:${id}.%'`)
  .split('\n').filter(Boolean).map(Number);
// The clock: the occurrence's job made due now (as the job tests do).
const fire = (id, at) => query(`UPDATE jobs SET run_at = 0 WHERE kind = 'report_deliver' AND unique_key = '${keyOf(id)}${at}'`);

before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({ args: smtpArgs() });
  roles = Object.fromEntries((await ok('GET', '/api/v1/roles')).data.map((r) => [r.builtin, r]));
  mgr = await user('mira.manager@example.com', 'Mira Manager', 'manager');
  dir = await user('dora.director@example.com', 'Dora Director', 'director');
  other = await user('olaf.other@example.com', 'Olaf Other', 'manager');
  // Three deals: one the manager's own, two the administrator's.
  await createOk(srv, 'deals', { title: 'Mira deal', amount: 1000, currency: 'EUR' }, mgr.token);
  await createOk(srv, 'deals', { title: 'Admin deal 1', amount: 2000, currency: 'EUR' });
  await createOk(srv, 'deals', { title: 'Admin deal 2', amount: 3000, currency: 'EUR' });
  library = Object.fromEntries((await ok('GET', '/api/v1/reports')).data.filter((r) => r.builtin).map((r) => [r.builtin, r.id]));
  report = await ok('POST', '/api/v1/reports', { name: 'Deal count (weekly)', definition: { entity: 'deals', aggregates: [{ fn: 'count' }], chart: 'number' },
                                                 shares: [{ user_id: mgr.id }, { user_id: dir.id }] });
});
after(async () => {
  await stopClean(srv);
  // A server stopped for the restart test: its folder held the database.
  if (srv.previous) await srv.previous.stop();
  await sink.stop();
});

test('a subscription is saved with its schedule read in its time zone, and armed once', async () => {
  const s = await ok('POST', '/api/v1/report-subscriptions', { report_id: report.id, format: 'xlsx', schedule: weekly,
                                                               tz: 'Europe/Berlin', recipients: [mgr.id, dir.id] }, dir.token);
  assert.equal(s.owner_id, dir.id);
  assert.equal(s.report_name, 'Deal count (weekly)');
  assert.equal(s.cron, '0 8 * * 1');
  assert.deepEqual(s.params, {});
  assert.equal(s.active, true);
  assert.equal(s.last_sent_at, null);
  // Every Monday at 08:00 in Berlin: the next one, within a week.
  const next = new Date(s.next_at);
  assert.ok(next > Date.now() && next - Date.now() <= 7 * 86400000, s.next_at);
  const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(next);
  assert.equal(local, 'Mon 08:00');
  assert.deepEqual(pendingJobs(s.id), [next.getTime()]);
  // Without tz: the owner's work calendar's zone (the default calendar's, UTC here).
  const m = await ok('POST', '/api/v1/report-subscriptions', { report_id: report.id, format: 'csv',
                                                               schedule: { kind: 'monthly', day: 3, time: '06:30' }, recipients: [mgr.id] }, mgr.token);
  assert.equal(m.tz, query('SELECT tz FROM work_calendars WHERE is_default = 1'));
  assert.equal(m.cron, '30 6 3 * *');
  // Changing the schedule re-arms: still exactly one pending job, at the new time.
  const r = await req(srv, 'PATCH', `/api/v1/report-subscriptions/${m.id}`, { auth: mgr.token, body: { schedule: { kind: 'cron', expr: '15 7 * * 2-4' } } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), '"2"');
  assert.notEqual(r.body.next_at, m.next_at);
  assert.deepEqual(pendingJobs(m.id), [Date.parse(r.body.next_at)]);
  // Paused: no job at all; resumed: one again.
  assert.equal((await ok('PATCH', `/api/v1/report-subscriptions/${m.id}`, { active: false }, mgr.token)).next_at, null);
  assert.deepEqual(pendingJobs(m.id), []);
  await ok('PATCH', `/api/v1/report-subscriptions/${m.id}`, { active: true }, mgr.token);
  assert.equal(pendingJobs(m.id).length, 1);
  // Deleted: its job goes with it.
  assert.equal((await req(srv, 'DELETE', `/api/v1/report-subscriptions/${m.id}`, { auth: mgr.token })).status, 204);
  assert.deepEqual(pendingJobs(m.id), []);
  assert.equal((await req(srv, 'GET', `/api/v1/report-subscriptions/${m.id}`, { auth: mgr.token })).status, 404);
});

test('a subscription is its owner\'s or an admin\'s; others do not even see it', async () => {
  const s = await ok('POST', '/api/v1/report-subscriptions', { report_id: report.id, format: 'csv', schedule: weekly, recipients: [mgr.id] }, mgr.token);
  const mine = (await ok('GET', '/api/v1/report-subscriptions', undefined, mgr.token)).data.map((x) => x.id);
  assert.ok(mine.includes(s.id));
  assert.ok(!(await ok('GET', '/api/v1/report-subscriptions', undefined, other.token)).data.some((x) => x.id === s.id));
  for (const [method, path, body] of [['GET', `/report-subscriptions/${s.id}`], ['PATCH', `/report-subscriptions/${s.id}`, { format: 'xlsx' }],
    ['DELETE', `/report-subscriptions/${s.id}`], ['POST', `/report-subscriptions/${s.id}/send-now`]]) {
    assertProblem(await req(srv, method, `/api/v1${path}`, { auth: other.token, body }), 404, `${method} ${path}`);
  }
  // An administrator sees and changes everyone's.
  assert.ok((await ok('GET', '/api/v1/report-subscriptions')).data.some((x) => x.id === s.id));
  assert.equal((await ok('PATCH', `/api/v1/report-subscriptions/${s.id}`, { format: 'xlsx' })).format, 'xlsx');
  // A stale If-Match is refused and changes nothing.
  const stale = await req(srv, 'PATCH', `/api/v1/report-subscriptions/${s.id}`, { auth: mgr.token, body: { format: 'csv' }, headers: { 'If-Match': '"1"' } });
  assert.equal(stale.status, 412, stale.text);
  assert.equal((await ok('GET', `/api/v1/report-subscriptions/${s.id}`, undefined, mgr.token)).format, 'xlsx');
  assert.equal((await req(srv, 'DELETE', `/api/v1/report-subscriptions/${s.id}`, { auth: mgr.token })).status, 204);
});

test('bad subscriptions are refused at their field, and a recipient who may not read the report too', async () => {
  const mine = await ok('POST', '/api/v1/reports', { name: 'Mira only', definition: { entity: 'deals', aggregates: [{ fn: 'count' }] } }, mgr.token);
  const good = { report_id: report.id, format: 'xlsx', schedule: weekly, recipients: [mgr.id] };
  const cases = [
    [{ ...good, recipients: [other.id] }, ['recipients[0]']],
    [{ ...good, recipients: [mgr.id, 999999, mgr.id] }, ['recipients[1]', 'recipients[2]']],
    [{ ...good, recipients: [] }, ['recipients']],
    [{ ...good, recipients: Array.from({ length: 51 }, (_, i) => i + 1) }, ['recipients']],
    [{ ...good, report_id: mine.id }, ['report_id']],
    [{ ...good, report_id: 'x' }, ['report_id']],
    [{ ...good, format: 'docx' }, ['format']],
    [{ ...good, schedule: { kind: 'weekly', weekday: 8, time: '08:00' } }, ['schedule.weekday']],
    [{ ...good, schedule: { kind: 'weekly', weekday: 1, time: '24:00' } }, ['schedule.time']],
    [{ ...good, schedule: { kind: 'monthly', day: 31, time: '08:00' } }, ['schedule.day']],
    [{ ...good, schedule: { kind: 'cron', expr: '0 25 * * *' } }, ['schedule.expr']],
    [{ ...good, schedule: { kind: 'yearly' } }, ['schedule.kind']],
    [{ ...good, schedule: { kind: 'weekly', weekday: 1, time: '08:00', day: 3 } }, ['schedule']],
    [{ ...good, schedule: '0 8 * * 1' }, ['schedule']],
    [{ ...good, tz: 'Mars/Olympus' }, ['tz']],
    [{ ...good, params: { from: '2026-01-01', colour: 'red' } }, ['params']],
    [{ ...good, params: { from: '1 Jan' } }, ['params']],
    [{ ...good, params: { days: '-3' } }, ['params']],
    [{ ...good, params: { days: 30 } }, ['params']],
    [{ ...good, active: 'yes' }, ['active']],
    [{ ...good, owner_id: other.id }, ['owner_id']],
  ];
  const before = (await ok('GET', '/api/v1/report-subscriptions')).data.length;
  for (const [body, fields] of cases) {
    assertInvalid(await req(srv, 'POST', '/api/v1/report-subscriptions', { body, auth: dir.token }), fields, JSON.stringify(body).slice(0, 100));
  }
  assert.equal((await ok('GET', '/api/v1/report-subscriptions')).data.length, before, 'nothing was saved');
  // The manager's own report: other people may not be sent it, the owner may.
  assertInvalid(await req(srv, 'POST', '/api/v1/report-subscriptions', { auth: mgr.token, body: { ...good, report_id: mine.id, recipients: [mgr.id, dir.id] } }), ['recipients[1]']);
});

test('a due subscription mails each recipient the XLSX of the report as they see it, audited with row counts', async () => {
  const s = await ok('POST', '/api/v1/report-subscriptions', { report_id: report.id, format: 'xlsx', schedule: weekly,
                                                               recipients: [mgr.id, dir.id] }, dir.token);
  const [armed] = pendingJobs(s.id);
  fire(s.id, armed);
  const [toMgr] = await until('the manager\'s mail', () => mailsTo(mgr.email).length && mailsTo(mgr.email));
  const [toDir] = await until('the director\'s mail', () => mailsTo(dir.email).length && mailsTo(dir.email));
  for (const [mail, count] of [[toMgr, '1'], [toDir, '3']]) {
    assert.match(mail.data, /Subject: Report: Deal count \(weekly\)/);
    const a = attachmentOf(mail);
    assert.equal(a.type, XLSX);
    assert.match(a.name, /^Deal-count-weekly-\d{4}-\d{2}-\d{2}\.xlsx$/);
    // The manager counts her own deal only; the director all three.
    assert.deepEqual(sheetRows(a.data), [['Count'], [count]]);
  }
  // Re-armed for the next Monday; the occurrence's job done exactly once.
  const after = await ok('GET', `/api/v1/report-subscriptions/${s.id}`, undefined, dir.token);
  assert.ok(Date.parse(after.next_at) > Date.now());
  assert.notEqual(after.last_sent_at, null);
  assert.deepEqual(pendingJobs(s.id), [Date.parse(after.next_at)]);
  const audit = (await ok('GET', `/api/v1/audit?action=report.deliver&record_id=${s.id}`)).data;
  assert.equal(audit.length, 1);
  assert.equal(audit[0].detail.trigger, 'schedule');
  assert.deepEqual(audit[0].detail.delivered.map((d) => [d.user_id, d.rows]), [[mgr.id, 1], [dir.id, 1]]);
  await ok('DELETE', `/api/v1/report-subscriptions/${s.id}`, undefined, dir.token);
  // The same again (SQLite may hand out the same id): armed for the same next Monday all the same.
  const again = await ok('POST', '/api/v1/report-subscriptions', { report_id: report.id, format: 'xlsx', schedule: weekly,
                                                                   recipients: [dir.id] }, dir.token);
  assert.deepEqual(pendingJobs(again.id), [Date.parse(again.next_at)]);
  await ok('DELETE', `/api/v1/report-subscriptions/${again.id}`, undefined, dir.token);
});

test('send-now delivers a CSV at once; a recipient who has since lost the report is skipped and named', async () => {
  const shared = await ok('POST', '/api/v1/reports', { name: 'Für Mira & Dora', definition: { entity: 'deals', columns: ['title'], sort: [{ key: 'title' }] },
                                                       shares: [{ user_id: mgr.id }, { user_id: dir.id }] });
  const s = await ok('POST', '/api/v1/report-subscriptions', { report_id: shared.id, format: 'csv', schedule: { kind: 'cron', expr: '0 6 1 1 *' },
                                                               recipients: [mgr.id, dir.id] });
  await ok('PUT', `/api/v1/reports/${shared.id}`, { name: shared.name, definition: shared.definition, shares: [{ user_id: dir.id }] });
  const before = mailsTo(dir.email).length;
  const out = await ok('POST', `/api/v1/report-subscriptions/${s.id}/send-now`);
  assert.deepEqual(out.delivered, [{ user_id: dir.id, rows: 3 }]);
  assert.equal(out.skipped.length, 1);
  assert.equal(out.skipped[0].user_id, mgr.id);
  const mail = await until('the CSV mail', () => mailsTo(dir.email)[before]);
  const a = attachmentOf(mail);
  assert.equal(a.type, 'text/csv');
  // The same media type as the report's export says, from the one table.
  const exported = await req(srv, 'GET', `/api/v1/reports/${shared.id}/export?format=csv`);
  assert.equal(exported.status, 200, exported.text);
  assert.equal(a.ctype, exported.headers.get('content-type'));
  assert.equal(a.ctype, 'text/csv; charset=utf-8');
  assert.match(a.name, /^F-r-Mira-Dora-\d{4}-\d{2}-\d{2}\.csv$/);
  assert.equal(a.data.toString('utf8'), '\uFEFFTitle\r\nAdmin deal 1\r\nAdmin deal 2\r\nMira deal\r\n');
  assert.match(a.text, /3 rows/);
  // The subject keeps the report's own name (RFC 2047 for non-ASCII).
  assert.match(mail.data, /Subject: =\?UTF-8\?B\?/);
  const audit = (await ok('GET', `/api/v1/audit?action=report.deliver&record_id=${s.id}`)).data;
  assert.equal(audit[0].detail.trigger, 'now');
  assert.deepEqual(audit[0].detail.skipped.map((x) => x.user_id), [mgr.id]);
  // The schedule is unchanged by a delivery outside it.
  assert.equal((await ok('GET', `/api/v1/report-subscriptions/${s.id}`)).next_at, s.next_at);
});

test('a ready report is delivered with its parameters', async () => {
  const s = await ok('POST', '/api/v1/report-subscriptions', { report_id: library.revenue_by_month, format: 'csv', schedule: weekly,
                                                               params: { from: '2000-01-01', to: '2000-12-31' }, recipients: [dir.id] }, dir.token);
  assert.deepEqual(s.params, { from: '2000-01-01', to: '2000-12-31' });
  const before = mailsTo(dir.email).length;
  // No deal was won in 2000: the period given reaches the run.
  assert.deepEqual((await ok('POST', `/api/v1/report-subscriptions/${s.id}/send-now`, undefined, dir.token)).delivered, [{ user_id: dir.id, rows: 0 }]);
  const a = attachmentOf(await until('the mail', () => mailsTo(dir.email)[before]));
  assert.match(a.name, /^Revenue-by-month-/);
  // A parameter the report does not take skips every recipient, with the reason, and sends nothing.
  const bad = await ok('PATCH', `/api/v1/report-subscriptions/${s.id}`, { params: { days: '30' } }, dir.token);
  const out = await ok('POST', `/api/v1/report-subscriptions/${bad.id}/send-now`, undefined, dir.token);
  assert.deepEqual(out.delivered, []);
  assert.match(out.skipped[0].reason, /days/);
  await ok('PATCH', `/api/v1/report-subscriptions/${s.id}`, { active: false }, dir.token);
});

test('a PDF subscription mails the report drawn as a PDF, with its numbers', async () => {
  const s = await ok('POST', '/api/v1/report-subscriptions', { report_id: library.revenue_by_month, format: 'pdf', schedule: weekly,
                                                               recipients: [dir.id] }, dir.token);
  const before = mailsTo(dir.email).length;
  await ok('POST', `/api/v1/report-subscriptions/${s.id}/send-now`, undefined, dir.token);
  const a = attachmentOf(await until('the mail', () => mailsTo(dir.email)[before]));
  assert.match(a.name, /^Revenue-by-month-.*\.pdf$/);
  assert.equal(a.type.split(';')[0], 'application/pdf');
  assert.equal(a.data.subarray(0, 5).toString('latin1'), '%PDF-');
  await ok('PATCH', `/api/v1/report-subscriptions/${s.id}`, { active: false }, dir.token);
});

test('an occurrence is delivered once across a restart, and the next one after it', async () => {
  const s = await ok('POST', '/api/v1/report-subscriptions', { report_id: report.id, format: 'xlsx', schedule: weekly, recipients: [dir.id] }, dir.token);
  const base = mailsTo(dir.email).length;
  const [first] = pendingJobs(s.id);
  fire(s.id, first);
  await until('the first occurrence', () => mailsTo(dir.email).length === base + 1);
  // Stop the server (its folder, holding the SQLite database, stays) and start another on the same database.
  const old = srv;
  const gone = new Promise((ok) => old.child.once('exit', ok));
  old.child.kill('SIGTERM');
  await gone;
  srv = await startServer({ db: old.db, args: smtpArgs() });
  srv.previous = old;
  const [second] = pendingJobs(s.id);
  assert.ok(second > first);
  fire(s.id, second);
  await until('the second occurrence', () => pendingJobs(s.id).length === 1 && pendingJobs(s.id)[0] > second && mailsTo(dir.email).length >= base + 2);
  assert.equal(mailsTo(dir.email).length, base + 2, 'one mail per occurrence');
  const runs = query(`SELECT COUNT(*) FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.unique_key LIKE '${keyOf(s.id)}%' AND r.outcome = 'done'`);
  assert.equal(runs, '2');
  const audit = (await ok('GET', `/api/v1/audit?action=report.deliver&record_id=${s.id}`)).data;
  assert.deepEqual(audit.map((e) => e.detail.trigger), ['schedule', 'schedule']);
});

test('a schedule may fire at most once an hour: a cron expression firing more often is refused at schedule', async () => {
  const good = { report_id: report.id, format: 'csv', recipients: [dir.id] };
  for (const expr of ['*/30 * * * *', '0,30 8 * * *', '* 8 * * 1', '0-1 * * * *']) {
    assertInvalid(await req(srv, 'POST', '/api/v1/report-subscriptions', { auth: dir.token, body: { ...good, schedule: { kind: 'cron', expr } } }),
                  ['schedule'], expr);
  }
  // Every hour on the hour is the most a schedule may ask.
  const s = await ok('POST', '/api/v1/report-subscriptions', { ...good, schedule: { kind: 'cron', expr: '0 * * * *' } }, dir.token);
  assert.equal(s.cron, '0 * * * *');
  // A change to a faster schedule is refused too, and changes nothing.
  assertInvalid(await req(srv, 'PATCH', `/api/v1/report-subscriptions/${s.id}`, { auth: dir.token, body: { schedule: { kind: 'cron', expr: '*/5 * * * *' } } }), ['schedule']);
  assert.equal((await ok('GET', `/api/v1/report-subscriptions/${s.id}`, undefined, dir.token)).cron, '0 * * * *');
  // After an occurrence the next one is an hour on, not earlier.
  const [at] = pendingJobs(s.id);
  fire(s.id, at);
  await until('the next occurrence', () => pendingJobs(s.id).length === 1 && pendingJobs(s.id)[0] > at);
  assert.ok(pendingJobs(s.id)[0] - at >= 3600000, `${pendingJobs(s.id)[0] - at} ms after`);
  await ok('PATCH', `/api/v1/report-subscriptions/${s.id}`, { active: false }, dir.token);
});

test('send-now works at most 5 times an hour per subscription; the 6th is a 429 with Retry-After and mails nobody', async () => {
  const s = await ok('POST', '/api/v1/report-subscriptions', { report_id: report.id, format: 'csv', schedule: weekly, recipients: [dir.id] }, dir.token);
  const other = await ok('POST', '/api/v1/report-subscriptions', { report_id: report.id, format: 'csv', schedule: weekly, recipients: [dir.id] }, dir.token);
  const base = mailsTo(dir.email).length;
  for (let k = 0; k < 5; k++) {
    assert.equal((await ok('POST', `/api/v1/report-subscriptions/${s.id}/send-now`, undefined, dir.token)).delivered.length, 1, `send ${k + 1}`);
  }
  const r = await req(srv, 'POST', `/api/v1/report-subscriptions/${s.id}/send-now`, { auth: dir.token });
  const p = assertProblem(r, 429);
  assert.match(p.detail, /5 times an hour/);
  const wait = Number(r.headers.get('retry-after'));
  assert.ok(wait > 0 && wait <= 3600, `Retry-After ${r.headers.get('retry-after')}`);
  // An administrator is held to it as well: the limit is the subscription's, counted in the database.
  assertProblem(await req(srv, 'POST', `/api/v1/report-subscriptions/${s.id}/send-now`), 429);
  assert.equal(query(`SELECT COUNT(*) FROM report_deliveries WHERE subscription_id = ${s.id} AND kind = 'now'`), '5');
  assert.equal((await ok('GET', `/api/v1/audit?action=report.deliver&record_id=${s.id}`)).data.length, 5, 'the refused ones are not deliveries');
  // Another subscription has its own count.
  assert.equal((await ok('POST', `/api/v1/report-subscriptions/${other.id}/send-now`, undefined, dir.token)).delivered.length, 1);
  await until('the six mails', () => mailsTo(dir.email).length >= base + 6);
  assert.equal(mailsTo(dir.email).length, base + 6, 'nothing for the refused ones');
  // Once the oldest leaves the hour, one more may go.
  query(`UPDATE report_deliveries SET sent_at = sent_at - 3600001 WHERE id = (SELECT MIN(id) FROM report_deliveries WHERE subscription_id = ${s.id})`);
  await ok('POST', `/api/v1/report-subscriptions/${s.id}/send-now`, undefined, dir.token);
  assertProblem(await req(srv, 'POST', `/api/v1/report-subscriptions/${s.id}/send-now`, { auth: dir.token }), 429);
  // A send-now that mails nobody (every recipient skipped) does not count.
  const skip = await ok('POST', '/api/v1/report-subscriptions', { report_id: library.revenue_by_month, format: 'csv', schedule: weekly,
                                                                  params: { days: '30' }, recipients: [dir.id] }, dir.token);
  for (let k = 0; k < 6; k++) {
    assert.deepEqual((await ok('POST', `/api/v1/report-subscriptions/${skip.id}/send-now`, undefined, dir.token)).delivered, []);
  }
  for (const x of [s, other, skip]) await ok('PATCH', `/api/v1/report-subscriptions/${x.id}`, { active: false }, dir.token);
});

test('a scheduled delivery renders outside the write transaction: its mails, audit entry, delivery row and next job commit together, once', async () => {
  const s = await ok('POST', '/api/v1/report-subscriptions', { report_id: report.id, format: 'pdf', schedule: weekly, recipients: [mgr.id, dir.id] }, dir.token);
  const [at] = pendingJobs(s.id);
  const outbox = () => Number(query('SELECT COUNT(*) FROM mail_outbox'));
  const before = outbox();
  // (That no write transaction is open while it renders is tests/unit/test_report_deliver.c's: it writes from a
  // second connection in the middle of the render.)
  fire(s.id, at);
  await until('the occurrence', () => pendingJobs(s.id).length === 1 && pendingJobs(s.id)[0] > at);
  const rows = query(`SELECT kind || ' ' || occurrence || ' ' || mails FROM report_deliveries WHERE subscription_id = ${s.id}`);
  assert.equal(rows, `schedule ${at} 2`);
  assert.equal(outbox() - before, 2);
  const audit = (await ok('GET', `/api/v1/audit?action=report.deliver&record_id=${s.id}`)).data;
  assert.equal(audit.length, 1);
  // The occurrence's job is done, its effects written once.
  const job = query(`SELECT COUNT(*) FROM jobs WHERE kind = 'report_deliver' AND unique_key = '${keyOf(s.id)}${at}' AND done_at IS NOT NULL`);
  assert.equal(job, '1');
  // The same occurrence run again (a crash before its job was marked done) sends nothing more.
  query(`UPDATE jobs SET done_at = NULL, run_at = 0 WHERE kind = 'report_deliver' AND unique_key = '${keyOf(s.id)}${at}'`);
  await until('the run again', () => query(`SELECT COUNT(*) FROM jobs WHERE unique_key = '${keyOf(s.id)}${at}' AND done_at IS NOT NULL`) === '1');
  assert.equal(outbox() - before, 2);
  assert.equal((await ok('GET', `/api/v1/audit?action=report.deliver&record_id=${s.id}`)).data.length, 1);
  assert.equal(pendingJobs(s.id).length, 1);
  await ok('PATCH', `/api/v1/report-subscriptions/${s.id}`, { active: false }, dir.token);
});

test('a disabled owner\'s subscription sends nothing and stays armed', async () => {
  const owen = await user('owen.owner@example.com', 'Owen Owner', 'director');
  const s = await ok('POST', '/api/v1/report-subscriptions', { report_id: library.revenue_by_month, format: 'csv', schedule: weekly,
                                                               recipients: [owen.id] }, owen.token);
  disableUser(srv, owen.email);
  const [at] = pendingJobs(s.id);
  fire(s.id, at);
  await until('the occurrence to pass', () => pendingJobs(s.id).length === 1 && pendingJobs(s.id)[0] > at);
  assert.equal(mailsTo(owen.email).length, 0);
  assert.equal((await ok('GET', `/api/v1/audit?action=report.deliver&record_id=${s.id}`)).data.length, 0);
});

test('a role\'s default dashboard is what its members see until they save their own, and again after a reset', async () => {
  const lib = library;
  const hidden = await ok('POST', '/api/v1/reports', { name: 'Admin only', definition: { entity: 'deals', aggregates: [{ fn: 'count' }] } });
  const layout = { sizes: { [lib.revenue_by_month]: { w: 2, h: 1 } } };
  const set = await ok('PUT', `/api/v1/roles/${roles.manager.id}/dashboard`, { report_ids: [lib.revenue_by_month, hidden.id, report.id], layout });
  assert.deepEqual(set.report_ids, [lib.revenue_by_month, hidden.id, report.id]);
  assert.deepEqual((await ok('GET', `/api/v1/roles/${roles.manager.id}/dashboard`)).layout, layout);
  // A manager sees the role's default, without the report only the admin may read.
  const seen = await ok('GET', '/api/v1/dashboard', undefined, mgr.token);
  assert.equal(seen.source, 'role');
  assert.deepEqual(seen.report_ids, [lib.revenue_by_month, report.id]);
  assert.deepEqual(seen.layout, layout);
  // Each member with their own rights: the report shared with Mira is not Olaf's.
  assert.deepEqual((await ok('GET', '/api/v1/dashboard', undefined, other.token)).report_ids, [lib.revenue_by_month]);
  // A director (another role, no default) has none.
  assert.equal((await ok('GET', '/api/v1/dashboard', undefined, dir.token)).source, 'none');
  // Saving one's own wins; a reset brings the default back.
  const own = await ok('PUT', '/api/v1/dashboard', { report_ids: [lib.data_completeness] }, other.token);
  assert.equal(own.source, 'own');
  assert.deepEqual((await ok('GET', '/api/v1/dashboard', undefined, other.token)).report_ids, [lib.data_completeness]);
  const reset = await ok('POST', '/api/v1/dashboard/reset', undefined, other.token);
  assert.equal(reset.source, 'role');
  assert.deepEqual(reset.report_ids, [lib.revenue_by_month]);
  const audit = (await ok('GET', '/api/v1/audit?action=dashboard.&limit=50')).data.map((e) => e.action);
  assert.ok(audit.includes('dashboard.role_default') && audit.includes('dashboard.reset'), audit.join());
  // Only administrators set defaults; bad bodies and unknown roles are refused.
  assertProblem(await req(srv, 'PUT', `/api/v1/roles/${roles.manager.id}/dashboard`, { auth: dir.token, body: { report_ids: [] } }), 403);
  assertProblem(await req(srv, 'GET', `/api/v1/roles/${roles.manager.id}/dashboard`, { auth: dir.token }), 403);
  assertProblem(await req(srv, 'GET', '/api/v1/roles/999999/dashboard'), 404);
  assertInvalid(await req(srv, 'PUT', `/api/v1/roles/${roles.manager.id}/dashboard`, { body: { report_ids: [999999], layout: [] } }), ['report_ids[0]', 'layout']);
  assert.deepEqual((await ok('GET', `/api/v1/roles/${roles.manager.id}/dashboard`)).report_ids, set.report_ids, 'unchanged');
});
