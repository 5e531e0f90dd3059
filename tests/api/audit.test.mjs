// The audit log: every kind of action leaves exactly the entry expected, a
// record's history shows who changed which field from what to what, the
// administrator's screen filters, and `crm audit verify` names the first
// entry that was changed, removed, inserted or reordered in the database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, PG, pgSql } from '../lib/server.mjs';
import { stopClean, assertProblem, createOk, createToken, crmRun, csrfSessions, parseCsv } from '../lib/helpers.mjs';

const { login, req } = csrfSessions();
const PASSWORD = 'amber otter juggles seventeen lanterns';
let srv;
let mgr; // {id, token}

before(async () => {
  srv = await startServer();
  const roles = (await req(srv, 'GET', '/api/v1/roles')).body.data;
  const manager = roles.find((r) => r.builtin === 'manager');
  const u = await req(srv, 'POST', '/api/v1/users',
                      { body: { email: 'mia@example.com', name: 'Mia Manager', password: PASSWORD, role_id: manager.id } });
  assert.equal(u.status, 201, u.text);
  mgr = { id: u.body.id, token: createToken(srv, 'mia@example.com', 'mia') };
});
after(async () => { await stopClean(srv); });

const sql = (q) => (PG ? pgSql(q, srv.db)
  : execFileSync('sqlite3', ['-batch', '-cmd', '.timeout 10000', '-noheader', '-list', srv.db, q], { encoding: 'utf8' })).trim();

async function newest(n = 1) {
  const r = await req(srv, 'GET', `/api/v1/audit?limit=${n}`);
  assert.equal(r.status, 200, r.text);
  return r.body.data;
}

// Runs act() and returns the entries it added, oldest first.
async function entriesOf(act) {
  const [top] = await newest();
  await act();
  const r = await req(srv, 'GET', '/api/v1/audit?limit=50');
  return r.body.data.filter((e) => e.id > (top ? top.id : 0)).reverse();
}

function expectOne(entries, action, fields = {}) {
  const hits = entries.filter((e) => e.action === action);
  assert.equal(hits.length, 1, `one ${action} in ${JSON.stringify(entries.map((e) => e.action))}`);
  for (const [k, v] of Object.entries(fields)) assert.deepEqual(hits[0][k], v, `${action}.${k}`);
  return hits[0];
}

test('each kind of record action leaves exactly its entry, with who and from where', async () => {
  let co;
  let e = await entriesOf(async () => { co = await createOk(srv, 'companies', { name: 'Audit Co', industry: 'IT' }); });
  const created = expectOne(e, 'record.create', { entity: 'companies', record_id: co.id, actor_email: srv.adminEmail });
  assert.equal(created.detail.name, 'Audit Co');
  assert.equal(created.address, '127.0.0.1');

  e = await entriesOf(() => req(srv, 'PATCH', `/api/v1/companies/${co.id}`, { body: { industry: 'Retail', custom: {} } }));
  const upd = expectOne(e, 'record.update', { record_id: co.id });
  assert.deepEqual(upd.detail.changes, { industry: ['IT', 'Retail'] }, 'only what changed, from what to what');

  e = await entriesOf(() => req(srv, 'PATCH', `/api/v1/companies/${co.id}`, { body: { owner_id: mgr.id } }));
  assert.deepEqual(expectOne(e, 'record.transfer').detail.changes.owner_id, [1, mgr.id]);

  e = await entriesOf(() => req(srv, 'POST', `/api/v1/companies/${co.id}/shares`, { body: { department_id: 1, access: 'read' } }));
  expectOne(e, 'record.share', { record_id: co.id });
  const shareId = (await req(srv, 'GET', `/api/v1/companies/${co.id}/shares`)).body.data[0].id;
  e = await entriesOf(() => req(srv, 'DELETE', `/api/v1/companies/${co.id}/shares/${shareId}`));
  expectOne(e, 'record.unshare', { record_id: co.id });

  e = await entriesOf(() => req(srv, 'DELETE', `/api/v1/companies/${co.id}`));
  expectOne(e, 'record.delete', { record_id: co.id });
  e = await entriesOf(() => req(srv, 'POST', `/api/v1/companies/${co.id}/restore`));
  expectOne(e, 'record.restore', { record_id: co.id });

  const two = [await createOk(srv, 'contacts', { last_name: 'One' }), await createOk(srv, 'contacts', { last_name: 'Two' })];
  e = await entriesOf(() => req(srv, 'POST', '/api/v1/contacts/transfer', { body: { ids: two.map((c) => c.id), to_user_id: mgr.id } }));
  assert.equal(e.filter((x) => x.action === 'record.transfer').length, 2, 'one entry per record moved');
  assert.equal(expectOne(e, 'bulk.transfer').detail.moved, 2);

  // Refused and invalid requests change nothing and log nothing.
  e = await entriesOf(() => req(srv, 'PATCH', `/api/v1/companies/${co.id}`, { body: { website: 'not a url' } }));
  assert.deepEqual(e, []);
});

test('sign-ins, failures, sign-outs, tokens, users, roles, departments and settings are logged', async () => {
  let e = await entriesOf(() => login(srv, 'mia@example.com', 'not the password'));
  const failed = expectOne(e, 'auth.login_failed', { actor_id: null });
  assert.equal(failed.detail.email, 'mia@example.com');
  let session;
  e = await entriesOf(async () => {
    session = await login(srv, 'mia@example.com', PASSWORD);
  });
  const ok = expectOne(e, 'auth.login', { actor_id: mgr.id });
  assert.equal(ok.address, '127.0.0.1');
  assert.equal(typeof ok.agent, 'string');
  e = await entriesOf(() => req(srv, 'POST', '/api/v1/auth/logout', { auth: { cookie: session.cookie } }));
  expectOne(e, 'auth.logout', { actor_id: mgr.id });

  let tokenId;
  e = await entriesOf(async () => {
    const t = await req(srv, 'POST', '/api/v1/auth/tokens', { auth: mgr.token, body: { name: 'audit' } });
    tokenId = t.body.id;
  });
  expectOne(e, 'token.create', { record_id: tokenId, actor_id: mgr.id });
  e = await entriesOf(() => req(srv, 'DELETE', `/api/v1/auth/tokens/${tokenId}`, { auth: mgr.token }));
  expectOne(e, 'token.revoke', { record_id: tokenId });

  e = await entriesOf(() => req(srv, 'PATCH', `/api/v1/users/${mgr.id}`, { body: { name: 'Mia M.' } }));
  expectOne(e, 'user.update', { entity: 'users', record_id: mgr.id });
  let role;
  e = await entriesOf(async () => { role = (await req(srv, 'POST', '/api/v1/roles', { body: { name: 'Audited role' } })).body; });
  expectOne(e, 'role.create', { record_id: role.id });
  e = await entriesOf(() => req(srv, 'PATCH', `/api/v1/roles/${role.id}`, { body: { require_2fa: true } }));
  assert.deepEqual(expectOne(e, 'role.update').detail, { require_2fa: true });
  e = await entriesOf(() => req(srv, 'DELETE', `/api/v1/roles/${role.id}`));
  expectOne(e, 'role.delete', { record_id: role.id });
  let dept;
  e = await entriesOf(async () => { dept = (await req(srv, 'POST', '/api/v1/departments', { body: { name: 'Audit dept', parent_id: 1 } })).body; });
  expectOne(e, 'department.create', { record_id: dept.id });
  e = await entriesOf(() => req(srv, 'DELETE', `/api/v1/departments/${dept.id}`));
  expectOne(e, 'department.delete', { record_id: dept.id });
  e = await entriesOf(() => req(srv, 'POST', '/api/v1/custom-fields',
                                { body: { entity: 'companies', name: 'audited', label: 'Audited', type: 'text' } }));
  expectOne(e, 'setting.custom_field_created');
  e = await entriesOf(() => req(srv, 'PUT', '/api/v1/system/state', { body: { state: 'read_only', message: 'audit test' } }));
  assert.deepEqual(expectOne(e, 'system.state').detail, { state: 'read_only', message: 'audit test' });
  e = await entriesOf(() => req(srv, 'PUT', '/api/v1/system/state', { body: { state: 'normal' } }));
  expectOne(e, 'system.state');
  // No entry carries a secret.
  assert.doesNotMatch(JSON.stringify(await newest(200)), new RegExp(PASSWORD));
});

test('a record\'s history is for whoever the role gives the audit right on it', async () => {
  const mine = await createOk(srv, 'companies', { name: 'History Co' }, mgr.token);
  await req(srv, 'PATCH', `/api/v1/companies/${mine.id}`, { auth: mgr.token, body: { notes: 'first' } });
  await req(srv, 'PATCH', `/api/v1/companies/${mine.id}`, { auth: mgr.token, body: { notes: 'second' } });
  const h = await req(srv, 'GET', `/api/v1/companies/${mine.id}/history`, { auth: mgr.token });
  assert.equal(h.status, 200, h.text);
  assert.deepEqual(h.body.data.map((x) => x.action), ['record.update', 'record.update', 'record.create']);
  assert.deepEqual(h.body.data[0].detail.changes.notes, ['first', 'second']);
  const theirs = await createOk(srv, 'companies', { name: 'Not Mia\'s' });
  assertProblem(await req(srv, 'GET', `/api/v1/companies/${theirs.id}/history`, { auth: mgr.token }), 404);
  // The administrator's screen is not for managers, even for their own records.
  assertProblem(await req(srv, 'GET', '/api/v1/audit', { auth: mgr.token }), 403);
  assertProblem(await req(srv, 'GET', `/api/v1/audit?entity=companies&record_id=${mine.id}`, { auth: mgr.token }), 403);
});

test('a record\'s history hides what the role hides: created values and changes of hidden fields', async () => {
  const role = (await req(srv, 'POST', '/api/v1/roles', {
    body: {
      name: 'Tax-blind auditor',
      perms: { companies: { read: 'all', audit: 'all' } },
      fields: { companies: { tax_id: 'hidden', 'custom.audited': 'hidden' } },
    },
  })).body;
  assert.ok(role.id, JSON.stringify(role));
  const u = await req(srv, 'POST', '/api/v1/users',
                      { body: { email: 'blind.auditor@example.com', name: 'Blind Auditor', password: PASSWORD, role_id: role.id } });
  assert.equal(u.status, 201, u.text);
  const auth = createToken(srv, 'blind.auditor@example.com', 'blind');
  const co = await createOk(srv, 'companies', { name: 'Secret Tax Co', tax_id: 'TAX-111', custom: { audited: 'x' } });
  const p = await req(srv, 'PATCH', `/api/v1/companies/${co.id}`, { body: { tax_id: 'TAX-222', industry: 'Mining', custom: { audited: 'y' } } });
  assert.equal(p.status, 200, p.text);
  const h = await req(srv, 'GET', `/api/v1/companies/${co.id}/history`, { auth });
  assert.equal(h.status, 200, h.text);
  assert.deepEqual(h.body.data.map((x) => x.action), ['record.update', 'record.create']);
  assert.deepEqual(h.body.data[0].detail.changes, { industry: [null, 'Mining'] });
  assert.equal(h.body.data[1].detail.name, 'Secret Tax Co');
  assert.doesNotMatch(h.text, /TAX-|"audited"/);
  // The administrator still sees everything.
  const all = await req(srv, 'GET', `/api/v1/companies/${co.id}/history`);
  assert.deepEqual(all.body.data[0].detail.changes.tax_id, ['TAX-111', 'TAX-222']);
  assert.deepEqual(all.body.data[0].detail.changes['custom.audited'], ['x', 'y']);
});

test('the audit screen filters by person, action, entity, period and address, and pages', async () => {
  const byMia = await req(srv, 'GET', `/api/v1/audit?actor_id=${mgr.id}&limit=500`);
  assert.ok(byMia.body.data.length > 0);
  assert.ok(byMia.body.data.every((x) => x.actor_id === mgr.id));
  const records = await req(srv, 'GET', '/api/v1/audit?action=record.&limit=500');
  assert.ok(records.body.data.every((x) => x.action.startsWith('record.')));
  assert.ok(records.body.data.some((x) => x.action === 'record.create'));
  const companies = await req(srv, 'GET', '/api/v1/audit?entity=companies&action=record.create&limit=500');
  assert.ok(companies.body.data.every((x) => x.entity === 'companies' && x.action === 'record.create'));
  const future = await req(srv, 'GET', '/api/v1/audit?from=2999-01-01');
  assert.deepEqual(future.body.data, []);
  const today = new Date().toISOString().slice(0, 10);
  assert.ok((await req(srv, 'GET', `/api/v1/audit?from=${today}`)).body.data.length > 0);
  assert.deepEqual((await req(srv, 'GET', '/api/v1/audit?address=10.9.9.9')).body.data, []);
  // Paging walks every entry once, newest first.
  const seen = [];
  let cursor = null;
  for (let i = 0; i < 100; i++) {
    const r = await req(srv, 'GET', `/api/v1/audit?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
    seen.push(...r.body.data.map((x) => x.id));
    cursor = r.body.next_cursor;
    if (!cursor) break;
  }
  assert.deepEqual(seen, [...seen].sort((a, b) => b - a));
  assert.equal(new Set(seen).size, seen.length);
  assert.equal(seen.length, Number(sql('SELECT COUNT(*) FROM audit_log')));
  for (const bad of ['limit=0', 'limit=501', 'limit=x', 'from=yesterday', 'to=2026-13-01', 'actor_id=-1', 'cursor=abc']) {
    assertProblem(await req(srv, 'GET', `/api/v1/audit?${bad}`), 400, bad);
  }
});

test('backups and restores are in the log, and a restored log still verifies', { skip: PG ? 'crm backup is for SQLite' : false }, async () => {
  const file = `${srv.dir}/audit-test.crmbak`;
  const b = crmRun(['backup', '--db', srv.db, '--to', file]);
  assert.equal(b.status, 0, b.stdout + b.stderr);
  const [made] = (await req(srv, 'GET', '/api/v1/audit?action=backup.create')).body.data;
  assert.equal(made.detail.file, file);
  assert.equal(made.detail.kind, 'cli');
  const target = `${srv.dir}/restored/crm.db`;
  const r = crmRun(['restore', '--from', file, '--db', target]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const listed = crmRun(['audit', 'list', '--db', target, '--action', 'backup.']);
  assert.match(listed.stdout, /backup\.restore/);
  const v = crmRun(['audit', 'verify', '--db', target, '--key', `${srv.db}.audit-key`]);
  assert.equal(v.status, 0, v.stdout + v.stderr);
});

test('the CSV export: header, RFC 4180 quoting, formulas defused, itself logged, admins only', async () => {
  const agent = '=HYPERLINK("http://evil.example","click"), @once';
  const co = await req(srv, 'POST', '/api/v1/companies', {
    headers: { 'User-Agent': agent },
    body: { name: 'Export, "Quoted" Co', notes: 'line one\nline two' },
  });
  assert.equal(co.status, 201, co.text);
  const r = await req(srv, 'GET', `/api/v1/audit/export?entity=companies&record_id=${co.body.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="crm-audit-\d{8}T\d{6}Z\.csv"$/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const rows = parseCsv(r.text);
  assert.deepEqual(rows[0], ['id', 'at', 'actor_email', 'action', 'entity', 'record_id', 'address', 'agent', 'detail']);
  assert.equal(rows.length, 2, 'the header and the one entry');
  const [id, at, email, action, entity, recordId, address, agentCell, detail] = rows[1];
  assert.ok(Number(id) > 0);
  assert.match(at, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual([email, action, entity, recordId, address], [srv.adminEmail, 'record.create', 'companies', String(co.body.id), '127.0.0.1']);
  // The formula shows as text: a leading apostrophe, the rest exactly as sent.
  assert.equal(agentCell, `'${agent}`);
  assert.ok(r.text.includes(`"'=HYPERLINK(""http://evil.example"",""click""), @once"`), 'quoted, quotes doubled');
  const values = JSON.parse(detail);
  assert.equal(values.name, 'Export, "Quoted" Co');
  assert.equal(values.notes, 'line one\nline two');
  assert.equal(r.headers.get('x-export-rows'), '1');

  // The export left its own trace, with the filters and the count.
  const [trace] = await newest();
  assert.equal(trace.action, 'audit.export');
  assert.equal(trace.actor_email, srv.adminEmail);
  assert.deepEqual(trace.detail, { filters: { entity: 'companies', record_id: co.body.id }, rows: 1, truncated: false });

  // Filters are the list's: a family of actions, a period.
  const fam = parseCsv((await req(srv, 'GET', '/api/v1/audit/export?action=audit.')).text);
  assert.ok(fam.length >= 2 && fam.slice(1).every((x) => x[3] === 'audit.export'), 'only exports');
  const none = await req(srv, 'GET', '/api/v1/audit/export?from=2999-01-01');
  assert.deepEqual(parseCsv(none.text), [rows[0]], 'only the header');
  assert.deepEqual((await newest())[0].detail, { filters: { from: '2999-01-01T00:00:00.000Z' }, rows: 0, truncated: false });
  assertProblem(await req(srv, 'GET', '/api/v1/audit/export?to=someday'), 400);

  // Not for a manager, not even their own records; a refusal logs nothing.
  const [top] = await newest();
  assertProblem(await req(srv, 'GET', '/api/v1/audit/export', { auth: mgr.token }), 403);
  const mine = await createOk(srv, 'companies', { name: 'Mia export' }, mgr.token);
  assertProblem(await req(srv, 'GET', `/api/v1/audit/export?entity=companies&record_id=${mine.id}`, { auth: mgr.token }), 403);
  const latest = await req(srv, 'GET', '/api/v1/audit?action=audit.export&limit=1');
  assert.equal(latest.body.data[0].id, top.id, 'no audit.export for the refused calls');
});

test('old entries move to a verifiable archive file, and the chain goes on from it', async () => {
  const key = PG ? 'crm.audit-key' : `${srv.db}.audit-key`;
  const file = `${srv.dir}/audit-archive.jsonl`;
  const before = Number(sql('SELECT COUNT(*) FROM audit_log'));
  const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
  const a = crmRun(['audit', 'archive', '--db', srv.db, '--key', key, '--before', tomorrow, '--to', file]);
  assert.equal(a.status, 0, a.stdout + a.stderr);
  assert.match(a.stdout, new RegExp(`moved ${before} entries`));
  assert.equal(Number(sql('SELECT COUNT(*) FROM audit_log')), 1, 'only the archive\'s own entry is left');
  assert.equal(sql('SELECT action FROM audit_log'), 'audit.archive');
  let v = crmRun(['audit', 'verify', '--db', srv.db, '--key', key]);
  assert.equal(v.status, 0, v.stdout + v.stderr);
  v = crmRun(['audit', 'verify-archive', file, '--key', key]);
  assert.equal(v.status, 0, v.stdout + v.stderr);
  assert.match(v.stdout, new RegExp(`${before} entries`));
  // The chain goes on from the anchor.
  await createOk(srv, 'companies', { name: 'After the archive' });
  assert.equal(crmRun(['audit', 'verify', '--db', srv.db, '--key', key]).status, 0);
  // A changed or a missing line in the archive file is named.
  const { readFileSync, writeFileSync } = await import('node:fs');
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  const changed = [...lines];
  changed[3] = changed[3].replace('"action":"', '"action":"x');
  writeFileSync(`${file}.changed`, changed.join('\n') + '\n');
  v = crmRun(['audit', 'verify-archive', `${file}.changed`, '--key', key]);
  assert.equal(v.status, 1);
  assert.match(v.stdout, /entry \d+ was changed/);
  writeFileSync(`${file}.cut`, [...lines.slice(0, 3), ...lines.slice(4)].join('\n') + '\n');
  v = crmRun(['audit', 'verify-archive', `${file}.cut`, '--key', key]);
  assert.match(v.stdout, /entry \d+ is missing from the archive/);
  // The archive is not written over, and without the secret key nothing is archived.
  assert.equal(crmRun(['audit', 'archive', '--db', srv.db, '--key', key, '--before', tomorrow, '--to', file]).status, 1);
});

test('crm audit verify names the first entry changed, removed, inserted or reordered', async () => {
  const key = PG ? 'crm.audit-key' : `${srv.db}.audit-key`;
  const verify = () => crmRun(['audit', 'verify', '--db', srv.db, '--key', key]);
  for (let i = 0; i < 5; i++) await createOk(srv, 'contacts', { last_name: `Chain ${i}` });
  let v = verify();
  assert.equal(v.status, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /OK: the audit log is intact/);
  const api = await req(srv, 'GET', '/api/v1/audit/verify');
  assert.equal(api.body.ok, true, api.text);
  assert.equal(api.body.signatures_checked, true);
  assert.ok(api.body.checkpoints >= 1, 'the server signed a checkpoint');

  const max = Number(sql('SELECT MAX(id) FROM audit_log'));
  const mid = max - 3;
  const row = sql(`SELECT detail FROM audit_log WHERE id = ${mid}`);
  const q = (s) => `'${s.replace(/'/g, "''")}'`;
  // Changed.
  sql(`UPDATE audit_log SET detail = ${q('{"hidden":"trace"}')} WHERE id = ${mid}`);
  v = verify();
  assert.equal(v.status, 1);
  assert.match(v.stdout, new RegExp(`entry ${mid} was changed`));
  sql(`UPDATE audit_log SET detail = ${q(row)} WHERE id = ${mid}`);
  assert.equal(verify().status, 0, 'undone');
  // Removed (and put back).
  const cols = 'id, at, actor_id, actor_email, action, entity, record_id, address, agent, detail, prev_hash, hash';
  sql(`CREATE TABLE audit_saved AS SELECT ${cols} FROM audit_log WHERE id = ${mid}`);
  sql(`DELETE FROM audit_log WHERE id = ${mid}`);
  v = verify();
  assert.match(v.stdout, new RegExp(`entry ${mid} was removed`));
  sql(`INSERT INTO audit_log (${cols}) SELECT ${cols} FROM audit_saved`);
  assert.equal(verify().status, 0, 'put back');
  // Reordered: two entries swap places.
  sql(`UPDATE audit_log SET id = -1 WHERE id = ${mid}`);
  sql(`UPDATE audit_log SET id = ${mid} WHERE id = ${mid + 1}`);
  sql(`UPDATE audit_log SET id = ${mid + 1} WHERE id = -1`);
  v = verify();
  assert.match(v.stdout, new RegExp(`entry ${mid} was inserted or moved`));
  sql(`UPDATE audit_log SET id = -1 WHERE id = ${mid}`);
  sql(`UPDATE audit_log SET id = ${mid} WHERE id = ${mid + 1}`);
  sql(`UPDATE audit_log SET id = ${mid + 1} WHERE id = -1`);
  assert.equal(verify().status, 0, 'order restored');
  // Inserted: a made-up entry in the middle, ids shifted to make room.
  sql(`UPDATE audit_log SET id = id + 1000000 WHERE id >= ${mid}`);
  sql(`UPDATE audit_log SET id = id - 1000000 + 1 WHERE id >= 1000000`);
  sql(`INSERT INTO audit_log (${cols}) SELECT ${mid}, at, actor_id, actor_email, 'record.delete', entity, record_id, address, agent, detail, prev_hash, hash FROM audit_saved`);
  v = verify();
  assert.equal(v.status, 1);
  assert.match(v.stdout, new RegExp(`entry ${mid} was changed|entry ${mid + 1} was inserted or moved`));
  sql(`DELETE FROM audit_log WHERE id = ${mid}`);
  sql(`UPDATE audit_log SET id = id + 1000000 WHERE id > ${mid}`);
  sql(`UPDATE audit_log SET id = id - 1000000 - 1 WHERE id >= 1000000`);
  assert.equal(verify().status, 0, 'insertion undone');
  sql('DROP TABLE audit_saved');

  // A signed head, then the tail removed: the checkpoint tells.
  assert.equal(crmRun(['audit', 'checkpoint', '--db', srv.db, '--key', key]).status, 0);
  const last = Number(sql('SELECT MAX(id) FROM audit_log'));
  const tail = sql(`SELECT detail FROM audit_log WHERE id = ${last}`);
  sql(`CREATE TABLE audit_saved AS SELECT ${cols} FROM audit_log WHERE id = ${last}`);
  sql(`DELETE FROM audit_log WHERE id = ${last}`);
  v = verify();
  assert.match(v.stdout, new RegExp(`entries after ${last - 1} were removed`));
  sql(`INSERT INTO audit_log (${cols}) SELECT ${cols} FROM audit_saved`);
  sql('DROP TABLE audit_saved');
  // The whole chain recomputed by someone with the database but not the key:
  // the entries agree with each other, the signed checkpoint does not.
  sql(`UPDATE audit_log SET hash = ${q('f'.repeat(64))} WHERE id = ${last}`);
  v = verify();
  assert.equal(v.status, 1);
  assert.match(v.stdout, new RegExp(`entry ${last} was changed|rewritten after checkpoint`));
  sql(`UPDATE audit_log SET detail = ${q(tail)} WHERE id = ${last}`);
  // A forged checkpoint signature.
  sql(`UPDATE audit_checkpoints SET signature = ${q('0'.repeat(128))} WHERE id = (SELECT MIN(id) FROM audit_checkpoints)`);
  v = verify();
  assert.match(v.stdout, /checkpoint \d+ has no valid signature/);
});

test('reading more client records than the threshold within the window alerts administrators once', async () => {
  const watched = await startServer({ args: ['--alert-reads', '30', '--alert-window', '1h'] });
  try {
    for (let i = 0; i < 40; i++) {
      const r = await req(watched, 'POST', '/api/v1/contacts', { body: { last_name: `Reader ${i}` } });
      assert.equal(r.status, 201, r.text);
    }
    const alerts = async () => (await req(watched, 'GET', '/api/v1/audit?action=alert.')).body.data;
    // 25 reads: under the threshold.
    await req(watched, 'GET', '/api/v1/contacts?limit=25');
    assert.deepEqual(await alerts(), []);
    // 25 more cross it: one alert, naming who and how many.
    await req(watched, 'GET', '/api/v1/contacts?limit=25');
    const [a] = await alerts();
    assert.equal(a.action, 'alert.mass_reads');
    assert.equal(a.actor_email, watched.adminEmail);
    assert.equal(a.detail.records, 50);
    assert.equal(a.detail.threshold, 30);
    // Reading on in the same window does not repeat it.
    await req(watched, 'GET', '/api/v1/contacts?limit=40');
    await req(watched, 'GET', '/api/v1/search?q=Reader');
    assert.equal((await alerts()).length, 1);
    assert.equal(crmRun(['serve', '--db', watched.db, '--alert-window', 'soon']).status, 2);
  } finally {
    await stopClean(watched);
  }
});


test('crm audit refuses bad arguments with a message and changes nothing', () => {
  const key = PG ? 'crm.audit-key' : `${srv.db}.audit-key`;
  const before = sql('SELECT COUNT(*) FROM audit_log');
  for (const [args, message] of [
    [['archive', '--before', 'yesterday', '--to', `${srv.dir}/x.jsonl`], /--before YYYY-MM-DD/],
    [['archive', '--before', '2026-01-01'], /--to FILE/],
    [['list', '--limit', '9999'], /limit/],
    [['list', '--limit', 'many'], /limit/],
    [['verify-archive', `${srv.dir}/no-such-file.jsonl`], /cannot read/],
    [['frobnicate'], /crm audit verify\|checkpoint/],
  ]) {
    const r = crmRun(['audit', ...args, '--db', srv.db, '--key', key]);
    assert.notEqual(r.status, 0, `crm audit ${args.join(' ')}`);
    assert.match(r.stdout + r.stderr, message, `crm audit ${args.join(' ')}`);
  }
  assert.equal(sql('SELECT COUNT(*) FROM audit_log'), before);
});
