// Reports as PDF (issue 11, docs/reports.md "Exports"): a ready report and a
// designed one drawn on the server, read back with poppler's pdftotext. One
// small data set with hand-computed numbers: the administrator's won deals
// and those of a role that reads and exports only its own records, so the same
// PDF holds different, exact numbers for each; the manager role has no export
// right at all. Every PDF is an export: the same right, the same audit entry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { stopClean, req, assertProblem, createToken } from '../lib/helpers.mjs';

let srv;
let ola;           // {id, token}: reads, exports only her own records
let mia;           // {id, token}: the built-in manager role, no export right
let base;          // the base currency's code
let dir;
const PASSWORD = 'pelican harbour drums nine';

async function ok(method, path, body, auth) {
  const r = await req(srv, method, path, { body, auth });
  assert.ok(r.status === 200 || r.status === 201, `${method} ${path}: ${r.status} ${r.text}`);
  return r.body;
}

async function addUser(email, name, roleId) {
  const u = await ok('POST', '/api/v1/users', { email, name, password: PASSWORD, role_id: roleId });
  return { id: u.id, token: createToken(srv, email, email.split('@')[0]) };
}

// A download as bytes, and its text as pdftotext reads it (null unless a PDF).
async function pdf(path, auth) {
  const h = { Authorization: `Bearer ${auth ?? srv.token}` };
  const r = await fetch(srv.url + path, { headers: h });
  const bytes = Buffer.from(await r.arrayBuffer());
  let text = null;
  if (r.status === 200) {
    const file = join(dir, 'r.pdf');
    writeFileSync(file, bytes);
    const out = spawnSync('pdftotext', ['-q', file, '-'], { encoding: 'utf8' });
    assert.equal(out.status, 0, `pdftotext: ${out.stderr}`);
    text = out.stdout;
  }
  let body = null;
  try { body = JSON.parse(bytes.toString('utf8')); } catch { /* a file */ }
  return { status: r.status, headers: r.headers, bytes, text, body };
}

async function library() {
  const r = await ok('GET', '/api/v1/reports');
  return Object.fromEntries(r.data.filter((x) => x.builtin).map((x) => [x.builtin, x]));
}

before(async () => {
  srv = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'crm-pdf-'));
  base = (await ok('GET', '/api/v1/currencies')).base;
  const roles = (await ok('GET', '/api/v1/roles')).data;
  const own = await ok('POST', '/api/v1/roles', {
    name: 'Own seller', perms: { '*': { create: 'own', read: 'own', update: 'own', export: 'own' } },
  });
  ola = await addUser('ola.pdf@example.com', 'Ola Own', own.id);
  mia = await addUser('mia.pdf@example.com', 'Mia Manager', roles.find((r) => r.builtin === 'manager').id);
  const pipe = await ok('POST', '/api/v1/pipelines', {
    name: 'PDF', stages: [{ name: 'Open', probability: 20 }, { name: 'Won', kind: 'won' }, { name: 'Lost', kind: 'lost' }],
  });
  const wonStage = pipe.stages.find((s) => s.name === 'Won').id;
  const deal = async (title, amount, source, owner, won = true) => {
    const body = { title, pipeline_id: pipe.id, amount, currency: base, source };
    if (owner) body.owner_id = owner;
    const d = await ok('POST', '/api/v1/deals', body);
    if (won) await ok('POST', `/api/v1/deals/${d.id}/move`, { stage_id: wonStage });
  };
  // Won (minor units): admin web 1,000.00 and fair 2,500.50; Ola web 4,000.00.
  await deal('p1', 100000, 'web');
  await deal('p2', 250050, 'fair');
  await deal('p3', 400000, 'web', ola.id);
  // Open, with a source that looks like markup (control characters are refused
  // on input; the unit test draws them).
  await deal('p4', 700, '<b>bold</b> & <i>x</i>', null, false);
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await stopClean(srv);
});

test('a ready report as PDF: the right type and name, its title, period and exact numbers', async () => {
  const lib = await library();
  const id = lib.revenue_by_source.id;
  const r = await pdf(`/api/v1/reports/${id}/export?format=pdf&tz=Europe/Berlin`);
  assert.equal(r.status, 200, r.bytes.toString());
  assert.equal(r.headers.get('content-type'), 'application/pdf');
  assert.match(r.headers.get('content-disposition'), new RegExp(`^attachment; filename="report-${id}-\\d{4}-\\d{2}-\\d{2}\\.pdf"$`));
  assert.equal(r.headers.get('x-export-rows'), '2');
  assert.equal(r.bytes.subarray(0, 5).toString(), '%PDF-');
  assert.match(r.text, /Revenue by source/);
  assert.match(r.text, /Period: \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2} \(closed_at\)/);
  assert.match(r.text, /\(Europe\/Berlin\)/);
  // web: 1,000.00 + 4,000.00; fair: 2,500.50; all: 7,500.50.
  for (const n of [`5,000.00 ${base}`, `2,500.50 ${base}`, `7,500.50 ${base}`]) assert.ok(r.text.includes(n), `${n} in\n${r.text}`);
  assert.match(r.text, /Total/);
  // A report with no rows says so; its parameter is named.
  const quiet = await pdf(`/api/v1/reports/${lib.clients_no_contact.id}/export?format=pdf&days=90`);
  assert.equal(quiet.status, 200, quiet.bytes.toString());
  assert.match(quiet.text, /No contact for 90 days/);
  assert.match(quiet.text, /No rows\./);
});

test('a designed report as PDF, and its export recorded with the format and row count', async () => {
  const saved = await ok('POST', '/api/v1/reports', { name: 'Won by owner (PDF)', definition: {
    entity: 'deals', joins: ['owner'], filters: [{ field: 'status', op: 'eq', value: 'won' }],
    group_by: [{ field: 'owner.name' }], aggregates: [{ fn: 'count' }, { fn: 'sum', field: 'amount_base' }],
    sort: [{ key: 'sum:amount_base', dir: 'desc' }], chart: 'line' } });
  const r = await pdf(`/api/v1/reports/${saved.id}/export?format=pdf`);
  assert.equal(r.status, 200, r.bytes.toString());
  assert.match(r.text, /Won by owner \(PDF\)/);
  assert.match(r.text, /Filters: status eq won/);
  assert.ok(r.text.includes('Ola Own'));
  for (const n of [`4,000.00 ${base}`, `3,500.50 ${base}`, `7,500.50 ${base}`]) assert.ok(r.text.includes(n), `${n} in\n${r.text}`);
  const audit = (await ok('GET', '/api/v1/audit?action=report.export&limit=5')).data;
  const mine = audit.find((e) => e.record_id === saved.id);
  assert.ok(mine, 'the export is in the audit log');
  assert.equal(mine.detail.format, 'pdf');
  assert.equal(mine.detail.rows, 2);
  assert.equal(mine.detail.entity, 'deals');
});

test('an own-records exporter\'s PDF counts only her records; no export right is 403', async () => {
  const lib = await library();
  const r = await pdf(`/api/v1/reports/${lib.revenue_by_source.id}/export?format=pdf`, ola.token);
  assert.equal(r.status, 200, r.bytes.toString());
  assert.equal(r.headers.get('x-export-rows'), '1');
  assert.ok(r.text.includes(`4,000.00 ${base}`), r.text);
  assert.ok(r.text.includes('Ola Own'), 'the viewer is named');
  assert.ok(!r.text.includes('2,500.50'), 'no record of anyone else');
  assert.ok(!r.text.includes('7,500.50'), 'no total over records of anyone else');
  const before = (await ok('GET', '/api/v1/audit?action=report.export&limit=500')).data.length;
  const denied = await pdf(`/api/v1/reports/${lib.revenue_by_source.id}/export?format=pdf`, mia.token);
  assertProblem({ ...denied, text: denied.bytes.toString() }, 403);
  const after = (await ok('GET', '/api/v1/audit?action=report.export&limit=500')).data.length;
  assert.equal(after, before, 'a refused export leaves no trace of a file');
});

test('hostile names and labels are drawn as text, never as markup', async () => {
  const name = `<b>Bold</b> & <span foreground="red">${'x'.repeat(150)}`;
  const saved = await ok('POST', '/api/v1/reports', { name, definition: {
    entity: 'deals', group_by: [{ field: 'source' }], aggregates: [{ fn: 'count' }], chart: 'bar' } });
  const r = await pdf(`/api/v1/reports/${saved.id}/export?format=pdf`);
  assert.equal(r.status, 200, r.bytes.toString());
  assert.ok(r.text.includes('<b>Bold</b> & <span foreground="red">'), r.text);
  assert.ok(r.text.includes('<b>bold</b> & <i>'), r.text);
});

test('a format the reports do not know is 400; a bad parameter is refused before any file', async () => {
  const lib = await library();
  const bad = await pdf(`/api/v1/reports/${lib.revenue_by_source.id}/export?format=doc`);
  assertProblem({ ...bad, text: bad.bytes.toString() }, 400);
  assert.match(bad.body.detail, /csv, xlsx or pdf/);
  const tz = await pdf(`/api/v1/reports/${lib.revenue_by_source.id}/export?format=pdf&tz=Mars/Olympus`);
  assert.equal(tz.status, 400);
  const missing = await pdf('/api/v1/reports/999999/export?format=pdf');
  assert.equal(missing.status, 404);
});

test('PDFs drawn at the same time each come out whole, with the same numbers', async () => {
  const lib = await library();
  const path = `/api/v1/reports/${lib.revenue_by_source.id}/export?format=pdf`;
  const all = await Promise.all(Array.from({ length: 8 }, () => pdf(path)));
  for (const r of all) {
    assert.equal(r.status, 200);
    assert.ok(r.text.includes(`7,500.50 ${base}`), r.text);
  }
});
