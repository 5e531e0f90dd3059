// Exports: GET /api/v1/{entity}/export writes the list a user sees, with its
// filters, search and sort, as CSV (UTF-8 with a BOM, RFC 4180, formulas
// defused) or XLSX; only rows inside the role's export scope, only columns the
// role shows, never without the export right, and always with an audit entry
// that counts the rows. `crm export` does the same from the command line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { stopClean, assertProblem, createOk, createToken, crmRun, parseCsv, req } from '../lib/helpers.mjs';

const PASSWORD = 'amber otter juggles seventeen lanterns';
const BOM = [0xef, 0xbb, 0xbf];
let srv;
let ola; // {id, token}: reads everything, exports only her own; phones hidden
let mia; // {id, token}: the built-in manager, no export right
const c = {}; // contacts by name

// A download: the bytes as sent (fetch's text() would drop the BOM).
async function download(path, auth = srv.token) {
  const r = await fetch(srv.url + path, { headers: { Authorization: `Bearer ${auth}` } });
  const bytes = Buffer.from(await r.arrayBuffer());
  let body = null;
  try { body = JSON.parse(bytes.toString('utf8')); } catch { /* a file */ }
  return { status: r.status, headers: r.headers, bytes, body, text: bytes.toString('utf8') };
}

// The CSV after its BOM, which must be there.
function csvText(r) {
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([...r.bytes.subarray(0, 3)], BOM, 'starts with the UTF-8 BOM');
  return r.bytes.subarray(3).toString('utf8');
}

// Rows as objects keyed by the header.
function records(text) {
  const [head, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

async function newestExport(entity) {
  const r = await req(srv, 'GET', `/api/v1/audit?action=${entity}.export&limit=1`);
  assert.equal(r.status, 200, r.text);
  return r.body.data[0];
}

async function addUser(email, name, roleId) {
  const u = await req(srv, 'POST', '/api/v1/users', { body: { email, name, password: PASSWORD, role_id: roleId } });
  assert.equal(u.status, 201, u.text);
  return { id: u.body.id, token: createToken(srv, email, email.split('@')[0]) };
}

before(async () => {
  srv = await startServer();
  const cf = await req(srv, 'POST', '/api/v1/custom-fields',
                       { body: { entity: 'contacts', name: 'segment', label: 'Segment', type: 'text' } });
  assert.equal(cf.status, 201, cf.text);
  const roles = (await req(srv, 'GET', '/api/v1/roles')).body.data;
  const role = await req(srv, 'POST', '/api/v1/roles', {
    body: {
      name: 'Wide reader, own exporter',
      perms: { '*': { create: 'own', read: 'all', update: 'own', export: 'own' } },
      fields: { contacts: { phones: 'hidden', 'custom.segment': 'hidden' } },
    },
  });
  assert.equal(role.status, 201, role.text);
  ola = await addUser('ola@example.com', 'Ola Own', role.body.id);
  mia = await addUser('mia@example.com', 'Mia Manager', roles.find((r) => r.builtin === 'manager').id);

  const acme = await createOk(srv, 'companies', { name: 'Acme, Inc.' });
  c.ann = await createOk(srv, 'contacts', {
    first_name: 'Ann', last_name: 'Lee', emails: ['ann@example.com', 'a.lee@example.com'], phones: ['+1 555 0100'],
    source: 'fair', company_id: acme.id, birthday: '1980-02-29', tags: ['vip'], custom: { segment: 'SMB' },
  });
  c.formula = await createOk(srv, 'contacts', {
    first_name: '=HYPERLINK("http://evil.example")', last_name: 'Quote "Q", Comma', source: 'fair',
    notes: 'line one\nline two',
  });
  c.bob = await createOk(srv, 'contacts', { first_name: 'Bob', last_name: 'Other', source: 'web' });
  c.ola = await createOk(srv, 'contacts', { first_name: 'Ola', last_name: 'Own', source: 'fair' }, ola.token);
  // A phone she may not see (nor write) on her own contact.
  const p = await req(srv, 'PATCH', `/api/v1/contacts/${c.ola.id}`, { body: { phones: ['+1 555 0199'] } });
  assert.equal(p.status, 200, p.text);
});
after(async () => { await stopClean(srv); });

test('CSV: a BOM, the header of field names, quoting, lists joined, formula-looking text defused', async () => {
  const r = await download('/api/v1/contacts/export?source=fair&sort=id&columns=id,first_name,last_name,emails,custom.segment,tags,notes');
  const text = csvText(r);
  assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
  const day = new Date().toISOString().slice(0, 10);
  assert.equal(r.headers.get('content-disposition'), `attachment; filename="contacts-${day}.csv"`);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.headers.get('x-export-rows'), '3');
  assert.equal(text,
    'id,first_name,last_name,emails,custom.segment,tags,notes\r\n' +
    `${c.ann.id},Ann,Lee,"ann@example.com, a.lee@example.com",SMB,vip,\r\n` +
    `${c.formula.id},"'=HYPERLINK(""http://evil.example"")","Quote ""Q"", Comma",,,,"line one\nline two"\r\n` +
    `${c.ola.id},Ola,Own,,,,\r\n`);
});

test('the default columns: every visible field, names beside ids, owners by name, times in RFC 3339', async () => {
  const rows = records(csvText(await download(`/api/v1/contacts/export?last_name=Lee`)));
  assert.equal(rows.length, 1);
  const [ann] = rows;
  const head = Object.keys(ann);
  assert.deepEqual(head.slice(0, 3), ['id', 'first_name', 'last_name']);
  assert.equal(head.indexOf('company_name'), head.indexOf('company_id') + 1, 'the company name beside its id');
  assert.equal(head.indexOf('owner_name'), head.indexOf('owner_id') + 1, 'the owner name beside the id');
  assert.deepEqual(head.slice(-2), ['created_at', 'updated_at']);
  assert.ok(head.includes('custom.segment'));
  assert.equal(ann.company_name, 'Acme, Inc.');
  assert.equal(ann.owner_id, '1');
  assert.equal(ann.owner_name, 'Ada Admin');
  assert.equal(ann.birthday, '1980-02-29');
  assert.equal(ann.phones, "'+1 555 0100", 'a leading + is defused like any formula start');
  assert.equal(ann.created_at, c.ann.created_at);
  assert.match(ann.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test('filters, search and sort are the list\'s own', async () => {
  const list = await req(srv, 'GET', '/api/v1/contacts?source=fair&sort=-last_name');
  const exp = records(csvText(await download('/api/v1/contacts/export?source=fair&sort=-last_name&columns=id,last_name')));
  assert.deepEqual(exp.map((x) => Number(x.id)), list.body.data.map((x) => x.id), 'the same rows in the same order');
  assert.deepEqual(records(csvText(await download('/api/v1/contacts/export?q=Other&columns=last_name'))), [{ last_name: 'Other' }]);
  assert.deepEqual(records(csvText(await download('/api/v1/contacts/export?tag=vip&columns=id'))), [{ id: String(c.ann.id) }]);
  const none = await download('/api/v1/contacts/export?source=nowhere&columns=id,last_name');
  assert.equal(csvText(none), 'id,last_name\r\n', 'only the header');
  assert.equal(none.headers.get('x-export-rows'), '0');
});

test('money in major units beside its currency; other entities export the same way', async () => {
  const eur = await createOk(srv, 'deals', { title: 'Big one', amount: 125050, currency: 'EUR' });
  const jpy = await createOk(srv, 'deals', { title: 'Yen deal', amount: 5000, currency: 'JPY' });
  const rows = records(csvText(await download('/api/v1/deals/export?sort=id&columns=title,amount,currency,stage_name')));
  assert.deepEqual(rows.map((r) => [r.title, r.amount, r.currency]), [['Big one', '1250.50', 'EUR'], ['Yen deal', '5000', 'JPY']]);
  assert.equal(rows[0].stage_name, eur.stage_name);
  assert.ok(jpy.id > eur.id);
  const acts = await download('/api/v1/activities/export?columns=kind,subject');
  assert.equal(acts.status, 200, acts.text);
  const cos = records(csvText(await download('/api/v1/companies/export?columns=name,owner_name')));
  assert.deepEqual(cos, [{ name: 'Acme, Inc.', owner_name: 'Ada Admin' }]);
});

test('a role exports only inside its export scope, and never a field it hides', async () => {
  // Ola reads all four contacts but may export only her own.
  const seen = await req(srv, 'GET', '/api/v1/contacts?source=fair', { auth: ola.token });
  assert.equal(seen.body.data.length, 3);
  const r = await download('/api/v1/contacts/export?source=fair', ola.token);
  const rows = records(csvText(r));
  assert.deepEqual(rows.map((x) => x.id), [String(c.ola.id)]);
  assert.equal(r.headers.get('x-export-rows'), '1');
  const head = Object.keys(rows[0]);
  assert.ok(!head.includes('phones') && !head.includes('custom.segment'), `no hidden column in ${head}`);
  assert.ok(!csvText(r).includes('555 0199'), 'not even the value');
  // Asking for a hidden column is the same as asking for one that does not exist.
  const hidden = await download('/api/v1/contacts/export?columns=id,phones', ola.token);
  assertProblem(hidden, 400);
  assert.match(hidden.body.detail, /'phones'/);
  assert.match((await download('/api/v1/contacts/export?columns=custom.segment', ola.token)).body.detail, /'custom\.segment'/);
  const entry = await newestExport('contacts');
  assert.equal(entry.actor_email, 'ola@example.com');
  assert.equal(entry.detail.rows, 1);
});

test('the name of a linked record the role may not read is blank; its id stays', async () => {
  const role = await req(srv, 'POST', '/api/v1/roles', {
    body: { name: 'Contacts only', perms: { contacts: { read: 'all', export: 'all' } } },
  });
  assert.equal(role.status, 201, role.text);
  const kim = await addUser('kim@example.com', 'Kim Contacts', role.body.id);
  const rows = records(csvText(await download('/api/v1/contacts/export?last_name=Lee&columns=last_name,company_id,company_name',
                                              kim.token)));
  assert.deepEqual(rows, [{ last_name: 'Lee', company_id: String(c.ann.company_id), company_name: '' }]);
  assertProblem(await download('/api/v1/companies/export', kim.token), 403, 'no export right on companies');
});

test('without the export right: 403 problem+json, and nothing is logged', async () => {
  const before = await newestExport('contacts');
  const r = await download('/api/v1/contacts/export', mia.token);
  assertProblem(r, 403);
  assert.match(r.body.detail, /export/);
  assertProblem(await download('/api/v1/deals/export?format=xlsx', mia.token), 403);
  assert.equal((await newestExport('contacts')).id, before.id);
});

test('bad format, columns, filters and paging are refused by name', async () => {
  const before = await newestExport('contacts');
  const cases = [
    ['format=pdf', /format/],
    ['columns=id,nope', /'nope'/],
    ['columns=id,,last_name', /columns/],
    ['columns=id,id', /'id' is named twice/],
    ['columns=items', /'items'/],
    ['bogus=1', /bogus/],
    ['created_at[gte]=yesterday', /created_at/],
    ['sort=notes', /sort/],
    ['cursor=abc', /cursor/],
    ['limit=10', /limit/],
  ];
  for (const [qs, re] of cases) {
    const r = await download(`/api/v1/contacts/export?${qs}`);
    assertProblem(r, 400, qs);
    assert.match(r.body.detail, re, qs);
  }
  assert.equal((await newestExport('contacts')).id, before.id, 'a refused export leaves no entry');
});

test('every export leaves one audit entry with its format, filters, columns and row count', async () => {
  const r = await download('/api/v1/contacts/export?format=xlsx&source=fair&q=Lee&columns=id,last_name');
  assert.equal(r.status, 200);
  const entry = await newestExport('contacts');
  assert.equal(entry.entity, 'contacts');
  assert.equal(entry.actor_email, srv.adminEmail);
  assert.deepEqual(entry.detail, {
    format: 'xlsx', filters: { source: 'fair' }, q: 'Lee', sort: null, deleted: false,
    columns: ['id', 'last_name'], rows: 1,
  });
});

test('XLSX: a workbook whose sheet holds the rows, numbers as numbers, formulas as text', async () => {
  const r = await download('/api/v1/contacts/export?format=xlsx&source=fair&sort=id&columns=id,first_name,last_name,birthday,emails');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="contacts-\d{4}-\d\d-\d\d\.xlsx"$/);
  assert.equal(r.headers.get('x-export-rows'), '3');
  assert.equal(r.bytes.subarray(0, 2).toString('latin1'), 'PK', 'a zip');
  const file = join(srv.dir, 'export.xlsx');
  writeFileSync(file, r.bytes);
  const sheet = execFileSync('unzip', ['-p', file, 'xl/worksheets/sheet1.xml'], { encoding: 'utf8' });
  for (const s of ['first_name', 'Ann', 'Lee', 'ann@example.com, a.lee@example.com', 'Quote &quot;Q&quot;, Comma'])
    assert.ok(sheet.includes(s) || sheet.includes(s.replaceAll('&quot;', '"')), `${s} in the sheet`);
  assert.ok(sheet.includes('=HYPERLINK('), 'the text kept as it is');
  assert.ok(!sheet.includes('<f>'), 'no formula anywhere');
  assert.match(sheet, /<pane ySplit="1"[^>]*state="frozen"/, 'the header row is frozen');
  assert.match(sheet, /<col min="1" max="1" width=/, 'columns have widths');
  // The id is a number cell; the birthday a serial date (1980-02-29 = 29280) with a date style.
  assert.match(sheet, new RegExp(`<c r="A2"[^>]*><v>${c.ann.id}</v></c>`));
  assert.match(sheet, /<c r="D2" s="\d+"[^>]*><v>29280<\/v><\/c>/);
  const styles = execFileSync('unzip', ['-p', file, 'xl/styles.xml'], { encoding: 'utf8' });
  assert.match(styles, /formatCode="yyyy-mm-dd"/);
  assert.match(styles, /<b\/>/, 'a bold header');
});

test('crm export: the same file from the command line, as the system or as a user', async () => {
  const out = join(srv.dir, 'fair.csv');
  let r = crmRun(['export', 'contacts', '--db', srv.db, '--filter', 'source=fair', '--sort', 'id',
                  '--columns', 'id,last_name', '-o', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /exported 3 contacts/);
  const file = readFileSync(out);
  assert.deepEqual([...file.subarray(0, 3)], BOM);
  assert.equal(file.subarray(3).toString('utf8'),
               `id,last_name\r\n${c.ann.id},Lee\r\n${c.formula.id},"Quote ""Q"", Comma"\r\n${c.ola.id},Own\r\n`);
  // As Ola: her rights, her name in the audit log.
  r = crmRun(['export', 'contacts', '--db', srv.db, '--as', 'ola@example.com', '--columns', 'last_name']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '\ufefflast_name\r\nOwn\r\n');
  assert.equal((await newestExport('contacts')).actor_email, 'ola@example.com');
  r = crmRun(['export', 'contacts', '--db', srv.db, '--as', 'mia@example.com']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /does not allow you to export contacts/);
  // Mistakes are named, and leave no file behind.
  const bad = join(srv.dir, 'bad.csv');
  for (const [args, re] of [
    [['export', 'people'], /'people' is not an entity/],
    [['export', 'contacts', '--format', 'ods', '-o', bad], /--format is csv or xlsx/],
    [['export', 'contacts', '--filter', 'source'], /--filter takes KEY=VALUE/],
    [['export', 'contacts', '--columns', 'id,nope', '-o', bad], /'nope'/],
    [['export', 'contacts', '--as', 'nobody@example.com', '-o', bad], /no user nobody@example.com/],
  ]) {
    r = crmRun([...args, '--db', srv.db]);
    assert.equal(r.status === 0, false, args.join(' '));
    assert.match(r.stderr, re, args.join(' '));
  }
  assert.equal(existsSync(bad), false);
  r = crmRun(['export', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /crm export deals --format xlsx/);
});
