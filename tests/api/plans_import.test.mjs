// Plans from a file (POST /api/v1/plans/import) and plans on designer reports ("report:<id>"):
// a CSV or XLSX of targets (who, metric, period, target) is checked cell by cell, a dry run lists
// every bad cell with its row, column and value and writes nothing, a run writes all or nothing
// and is audited; the grid's rights apply per row. A saved report that answers one number is a
// metric whose actual is the report narrowed to the period and the row's people; a report that is
// grouped, or that the writer may not read, is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { stopClean, req, assertProblem, assertInvalid, createToken, crmRun } from '../lib/helpers.mjs';

let srv;
const u = {};
const dept = {};
const year = String(new Date().getUTCFullYear());

async function ok(method, path, body, auth) {
  const r = await req(srv, method, path, { body, auth });
  assert.ok(r.status === 200 || r.status === 201, `${method} ${path} ${JSON.stringify(body)}: ${r.status} ${r.text}`);
  return r.body;
}

const B = 'crm-plan-import-boundary-77c1';
function form(name, data) {
  return Buffer.concat([Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n` +
    'Content-Type: application/octet-stream\r\n\r\n'), Buffer.from(data), Buffer.from(`\r\n--${B}--\r\n`)]);
}
const upload = (data, { dry = false, auth, name = 'plans.csv' } = {}) =>
  req(srv, 'POST', `/api/v1/plans/import${dry ? '?dry_run=true' : ''}`, {
    body: form(name, data), auth, headers: { 'Content-Type': `multipart/form-data; boundary=${B}` } });
const grid = async (period, auth) => (await ok('GET', `/api/v1/plans?period=${period}`, undefined, auth)).rows;
const planOf = (rows, scope, id) => rows.find((x) => x.scope === scope && x.id === id)?.plan;

before(async () => {
  srv = await startServer();
  dept.team = (await ok('POST', '/api/v1/departments', { name: 'Import team', parent_id: 1 })).id;
  dept.other = (await ok('POST', '/api/v1/departments', { name: 'Import other', parent_id: 1 })).id;
  const roles = Object.fromEntries((await req(srv, 'GET', '/api/v1/roles')).body.data.map((r) => [r.builtin, r.id]));
  for (const [key, role, d, name] of [['head', 'head', 'team', 'Ida Head'], ['anna', 'manager', 'team', 'Anna Import'],
    ['peer', 'manager', 'other', 'Pete Import']]) {
    const p = await ok('POST', '/api/v1/users', { email: `pi.${key}@example.com`, name, password: 'saffron lighthouse quill 27',
      department_id: dept[d], role_id: roles[role] });
    u[key] = { id: p.id, token: createToken(srv, p.email, `pi-${key}`) };
  }
  await ok('PATCH', `/api/v1/departments/${dept.team}`, { heads: [u.head.id] });
  const pipe = await ok('POST', '/api/v1/pipelines', { name: 'Import pipe', stages: [{ name: 'New' }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }] });
  const won = pipe.stages.find((s) => s.kind === 'won');
  for (const [owner, amount] of [[u.anna.id, 3000], [u.anna.id, 1200], [u.head.id, 500], [u.peer.id, 7000]]) {
    const d = await ok('POST', '/api/v1/deals', { title: `Import deal ${amount}`, pipeline_id: pipe.id, amount, currency: 'EUR', owner_id: owner });
    await ok('POST', `/api/v1/deals/${d.id}/move`, { stage_id: won.id });
  }
});
after(async () => { await stopClean(srv); });

test('a good file: the dry run writes nothing, the run writes every target and is audited', async () => {
  const csv = `who,Metric,period,TARGET\ncompany,revenue_won,${year},1000000\nImport team,deals_won,${year}-Q4,40\n` +
    `pi.anna@example.com,calls,${year}-11,120\n\nPI.Anna@Example.com,meetings,${year}-11,7\n`;
  const dry = await upload(csv, { dry: true });
  assert.equal(dry.status, 200, dry.text);
  assert.deepEqual(dry.body, { dry_run: true, rows: 4, written: 0, error_count: 0, errors: [] });
  assert.equal(planOf(await grid(year), 'company', null).revenue_won, undefined, 'a dry run writes nothing');
  const run = await upload(csv);
  assert.equal(run.status, 200, run.text);
  assert.equal(run.body.written, 4);
  assert.deepEqual(planOf(await grid(year), 'company', null), { revenue_won: 1000000 });
  assert.deepEqual(planOf(await grid(`${year}-Q4`), 'department', dept.team), { deals_won: 40 });
  assert.deepEqual(planOf(await grid(`${year}-11`), 'user', u.anna.id), { calls: 120, meetings: 7 });
  const audit = await ok('GET', '/api/v1/audit?action=plan.imported');
  assert.equal(audit.data.length, 1);
  // An empty target clears.
  assert.equal((await upload(`who,metric,period,target\npi.anna@example.com,meetings,${year}-11,\n`)).status, 200);
  assert.deepEqual(planOf(await grid(`${year}-11`), 'user', u.anna.id), { calls: 120 });
});

test('a bad file: every bad cell named by row, column and value; nothing written', async () => {
  const csv = ['who,metric,period,target',
    `nobody@example.com,calls,${year},5`,
    `No such team,calls,${year},5`,
    `company,revenue,${year},5`,
    'company,calls,2026-13,5',
    `company,calls,${year},1.5`,
    `company,calls,${year},-3`,
    `company,calls,${year},10`,
    `company,calls,${year},11`,
    `,calls,${year},1`].join('\n');
  const want = [
    [2, 'who', 'nobody@example.com', /no active person/],
    [3, 'who', 'No such team', /no department/],
    [4, 'metric', 'revenue', /not a metric/],
    [5, 'period', '2026-13', /year .* quarter .* month/],
    [6, 'target', '1.5', /whole number/],
    [7, 'target', '-3', /whole number/],
    [9, 'target', '11', /repeats the target of row 8/],
    [10, 'who', '', /required/],
  ];
  const check = (body) => {
    assert.equal(body.error_count, want.length);
    assert.deepEqual(body.errors.map((e) => [e.row, e.column, e.value]), want.map((w) => w.slice(0, 3)));
    body.errors.forEach((e, i) => assert.match(e.reason, want[i][3]));
  };
  const dry = await upload(csv, { dry: true });
  assert.equal(dry.status, 200, dry.text);
  check(dry.body);
  const run = await upload(csv);
  assertProblem(run, 422);
  check(run.body);
  assert.equal(run.body.written, 0);
  assert.equal(planOf(await grid(year), 'company', null).calls, undefined, 'all or nothing');
  // A header that names the wrong columns says so, and only that.
  const head = await upload(`who,metric,when,target\ncompany,calls,${year},5\n`, { dry: true });
  assert.deepEqual(head.body.errors.map((e) => [e.row, e.column, e.value]), [[1, 'when', 'when'], [1, 'period', '']]);
  // Not a table at all, an empty file, not multipart.
  assertInvalid(await upload(''), ['file']);
  assertInvalid(await upload(Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x34, 0x0a, 0x00, 0x01, 0x02])), ['file']);
  assertProblem(await req(srv, 'POST', '/api/v1/plans/import', { body: { who: 'company' } }), 415);
  assertProblem(await req(srv, 'POST', '/api/v1/plans/import?dry_run=maybe', {
    body: form('p.csv', 'who'), headers: { 'Content-Type': `multipart/form-data; boundary=${B}` } }), 400);
});

test('rights per row: a head plans their team and people only; a manager nothing', async () => {
  const csv = `who,metric,period,target\npi.anna@example.com,calls,${year},9\ncompany,calls,${year},9\npi.peer@example.com,calls,${year},9\n`;
  const r = await upload(csv, { dry: true, auth: u.head.token });
  assert.deepEqual(r.body.errors.map((e) => [e.row, e.column]), [[3, 'who'], [4, 'who']]);
  assert.match(r.body.errors[0].reason, /may not plan for the company/);
  assert.match(r.body.errors[1].reason, /may not plan for this person/);
  const own = await upload(`who,metric,period,target\npi.anna@example.com,calls,${year},9\n`, { auth: u.anna.token });
  assertProblem(own, 422);
  assert.match(own.body.errors[0].reason, /may not plan/);
  const good = await upload(`who,metric,period,target\npi.anna@example.com,calls,${year},9\nImport team,calls,${year},20\n`, { auth: u.head.token });
  assert.equal(good.status, 200, good.text);
  assert.equal(planOf(await grid(year, u.head.token), 'user', u.anna.id).calls, 9);
});

test('an XLSX file (written by LibreOffice: numbers and text cells) is read the same', async () => {
  const xlsx = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'plans', 'plans.xlsx'));
  const r = await upload(xlsx, { dry: true, name: 'plans.xlsx' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { dry_run: true, rows: 3, written: 0, error_count: 1, errors: [
    { row: 4, column: 'target', value: 'lots', reason: r.body.errors[0].reason, field: 'row 4: target', message: r.body.errors[0].reason }] });
  assert.match(r.body.errors[0].reason, /whole number/);
});

test('a designer report that answers one number is a metric; its actual is narrowed to the period and the row', async () => {
  // Won revenue; its own period filter (last year) gives way to the plan's period.
  const rep = await ok('POST', '/api/v1/reports', { name: 'Won revenue', definition: { entity: 'deals',
    filters: [{ field: 'status', op: 'eq', value: 'won' }, { field: 'closed_at', op: 'period', value: { period: 'last_year' } }],
    aggregates: [{ fn: 'sum', field: 'amount_base' }], chart: 'number' } });
  const metric = `report:${rep.id}`;
  const put = await req(srv, 'PUT', '/api/v1/plans', { body: { period: year, cells: [
    { scope: 'user', id: u.anna.id, metric, target: 8400 },
    { scope: 'department', id: dept.team, metric, target: 10000 },
    { scope: 'company', id: null, metric, target: 20000 }] } });
  assert.equal(put.status, 200, put.text);
  assert.ok(put.body.metrics.includes(metric));
  assert.equal(planOf(put.body.rows, 'user', u.anna.id)[metric], 8400);
  const fact = await ok('GET', `/api/v1/plans/fact?period=${year}`);
  const row = (scope, id) => fact.rows.find((x) => x.scope === scope && x.id === id).metrics[metric];
  assert.equal(row('user', u.anna.id).actual, 4200);
  assert.equal(row('user', u.anna.id).percent, 50);
  assert.equal(row('department', dept.team).actual, 4700, 'Anna and the head');
  assert.equal(row('company', null).actual, 11700);
  assert.equal(row('user', u.peer.id).plan, null);
  assert.equal(row('user', u.peer.id).actual, 7000);
  // Another period: nothing closed then.
  const last = await ok('GET', `/api/v1/plans/fact?period=${Number(year) - 1}`);
  assert.ok(!last.rows[0].metrics[metric], 'no report metric planned last year');
  // Imported like any metric.
  const imp = await upload(`who,metric,period,target\npi.anna@example.com,${metric},${year}-Q1,100\n`);
  assert.equal(imp.status, 200, imp.text);
  // Refused: a grouped report, a list, one the writer may not read, one that does not exist.
  const grouped = await ok('POST', '/api/v1/reports', { name: 'By owner', definition: { entity: 'deals',
    group_by: [{ field: 'owner_id' }], aggregates: [{ fn: 'count' }] } });
  const list = await ok('POST', '/api/v1/reports', { name: 'A list', definition: { entity: 'deals', columns: ['title'] } });
  const hidden = await ok('POST', '/api/v1/reports', { name: 'Pete\'s own', definition: { entity: 'deals',
    aggregates: [{ fn: 'count' }] } }, u.peer.token);
  for (const [id, auth, why] of [[grouped.id, undefined, /not a single number/], [list.id, undefined, /not a single number/],
    [hidden.id, u.head.token, /no report you may read/], [999999, undefined, /no report you may read/]]) {
    const r = await req(srv, 'PUT', '/api/v1/plans', { body: { period: year, cells: [{ scope: 'user', id: u.anna.id,
      metric: `report:${id}`, target: 1 }] }, auth });
    assertInvalid(r, ['cells[0].metric']);
    assert.match(r.body.errors[0].message, why);
  }
  const bad = await upload(`who,metric,period,target\npi.anna@example.com,report:${grouped.id},${year},1\n`, { dry: true });
  assert.deepEqual(bad.body.errors.map((e) => [e.row, e.column, e.value]), [[2, 'metric', `report:${grouped.id}`]]);
  // A period holds at most 20 report metrics: the 21st is refused, nothing of that write is kept.
  const cells = [];
  for (let i = 0; i < 21; i++) {
    const r = await ok('POST', '/api/v1/reports', { name: `Count ${i}`, definition: { entity: 'deals', aggregates: [{ fn: 'count' }] } });
    cells.push({ scope: 'company', id: null, metric: `report:${r.id}`, target: i });
  }
  const many = await req(srv, 'PUT', '/api/v1/plans', { body: { period: `${year}-06`, cells } });
  assertInvalid(many, ['cells[20].metric']);
  assert.deepEqual(planOf(await grid(`${year}-06`), 'company', null), {});
});

test('crm plans import: the same checks from the command line, a dry run, then the write', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crm-plans-'));
  try {
    const good = join(dir, 'good.csv');
    const bad = join(dir, 'bad.csv');
    writeFileSync(good, `who,metric,period,target\nImport other,new_clients,${year}-Q2,15\n`);
    writeFileSync(bad, `who,metric,period,target\nImport other,new_clients,${year}-Q2,many\n`);
    let r = crmRun(['plans', 'import', bad, '--db', srv.db]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /row 2, target "many": must be a whole number/);
    assert.match(r.stderr, /nothing was written/);
    r = crmRun(['plans', 'import', good, '--dry-run', '--db', srv.db]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /1 target checked, none written/);
    r = crmRun(['plans', 'import', good, '--db', srv.db, '--as', 'pi.anna@example.com']);
    assert.equal(r.status, 1, 'a manager plans for no department');
    assert.match(r.stderr, /may not plan for this department/);
    r = crmRun(['plans', 'import', good, '--db', srv.db]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /1 target written/);
    assert.equal(crmRun(['plans', '--help']).status, 0);
    assert.equal(crmRun(['plans', 'export']).status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the grid after the command line', async () => {
  assert.deepEqual(planOf(await grid(`${year}-Q2`), 'department', dept.other), { new_clients: 15 });
});
