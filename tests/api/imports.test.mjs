// Imports: a CSV or XLSX file into companies, contacts or deals, strictly.
// Upload -> suggested mapping -> dry run with every bad cell (row, column,
// value, reason) and an error file -> run (all or nothing, or skipping bad
// rows) -> the records exist with exactly the values of the file -> undo.
// Dedupe (update, skip, merge), rights, bad files, legacy encodings and a
// workbook written by LibreOffice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { startServer, PG } from '../lib/server.mjs';
import { stopClean, req, createOk, assertProblem, assertInvalid, listAll, addUser, createToken } from '../lib/helpers.mjs';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/import');
const MAX = 256 * 1024;
let srv;
let files;
let manager;     // a manager: no import right
let director;    // a director: may import, sees only their own imports

before(async () => {
  files = join(mkdtempSync(join(tmpdir(), 'crm-imp-')), 'files');
  srv = await startServer({ args: ['--max-upload', '256K', '--files-dir', files] });
  addUser(srv, 'imp.manager@example.com', 'amber otter juggles seventeen lanterns', { name: 'Imp Manager' });
  manager = createToken(srv, 'imp.manager@example.com', 'im');
  const roles = (await req(srv, 'GET', '/api/v1/roles')).body.data;
  const dir = roles.find((r) => r.builtin === 'director');
  const u = await req(srv, 'POST', '/api/v1/users', { body: {
    email: 'imp.director@example.com', name: 'Imp Director', password: 'saffron lighthouse quill 27',
    role_id: dir.id } });
  assert.equal(u.status, 201, u.text);
  director = createToken(srv, 'imp.director@example.com', 'id');
});
after(async () => {
  await stopClean(srv);
  rmSync(dirname(files), { recursive: true, force: true });
});

const B = 'crm-import-boundary-4f8a1c';
function form(fields, file) {
  const out = [];
  for (const [k, v] of Object.entries(fields)) {
    out.push(Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  if (file) {
    out.push(Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n` +
      `Content-Type: ${file.type || 'text/csv'}\r\n\r\n`), Buffer.from(file.data), Buffer.from('\r\n'));
  }
  out.push(Buffer.from(`--${B}--\r\n`));
  return Buffer.concat(out);
}
const upload = (entity, name, data, { auth, extra = {}, query = '' } = {}) =>
  req(srv, 'POST', `/api/v1/imports${query}`, {
    body: form({ entity, ...extra }, { name, data }), auth,
    headers: { 'Content-Type': `multipart/form-data; boundary=${B}` } });

async function uploadOk(entity, name, data, opts) {
  const r = await upload(entity, name, data, opts);
  assert.equal(r.status, 201, r.text);
  return r.body;
}
const patch = (id, body, auth) => req(srv, 'PATCH', `/api/v1/imports/${id}`, { body, auth });
async function patchOk(id, body, auth) {
  const r = await patch(id, body, auth);
  assert.equal(r.status, 200, r.text);
  return r.body;
}

// Polls the import until its status leaves `from` (the job runner works in
// the background); no fixed sleeps.
async function settle(id, from, auth) {
  const deadline = Date.now() + 20000;
  for (;;) {
    const r = await req(srv, 'GET', `/api/v1/imports/${id}`, { auth });
    assert.equal(r.status, 200, r.text);
    if (r.body.status !== from) return r.body;
    if (Date.now() > deadline) assert.fail(`import ${id} stayed ${from}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}
async function dryRun(id, auth) {
  const r = await req(srv, 'POST', `/api/v1/imports/${id}/dry-run`, { auth });
  assert.equal(r.status, 202, r.text);
  const d = await settle(id, 'checking', auth);
  assert.equal(d.status, 'checked', JSON.stringify(d));
  return d;
}
async function run(id, auth) {
  const r = await req(srv, 'POST', `/api/v1/imports/${id}/run`, { auth });
  assert.equal(r.status, 202, r.text);
  return settle(id, 'running', auth);
}
// Undo answers 202 at once; the job does it and GET shows the result.
async function undo(id, auth) {
  const r = await req(srv, 'POST', `/api/v1/imports/${id}/undo`, { auth });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.body.status, 'undoing');
  const d = await settle(id, 'undoing', auth);
  assert.equal(d.status, 'undone', JSON.stringify(d));
  return d.undo;
}
const mapOf = (imp) => Object.fromEntries(imp.mapping.map((m) => [m.header, m.field]));

const PEOPLE = [
  'Имя,Фамилия,E-mail,Телефон,Birthday,Notes',
  'Anna,Kowalska,anna@imp.example,+48 600 100 200,1990-01-02,first',
  'Bob,,bob@,7.9161E+10,02.01.1990,',
  'Chloé,Martin,chloe@imp.example; c.martin@imp.example,,1985-12-31,"quoted, with comma"',
  'Total,,,,,',
].join('\r\n') + '\r\n';

test('upload: the header, the first rows, a suggested mapping and the fields', async () => {
  const imp = await uploadOk('contacts', 'people.csv', PEOPLE);
  assert.equal(imp.status, 'uploaded');
  assert.equal(imp.format, 'csv');
  assert.equal(imp.encoding, 'UTF-8');
  assert.equal(imp.delimiter, ',');
  assert.deepEqual(imp.headers, ['Имя', 'Фамилия', 'E-mail', 'Телефон', 'Birthday', 'Notes']);
  assert.equal(imp.sample.length, 4);
  assert.deepEqual(imp.sample[0], ['Anna', 'Kowalska', 'anna@imp.example', '+48 600 100 200', '1990-01-02', 'first']);
  assert.deepEqual(mapOf(imp), { Имя: 'first_name', Фамилия: 'last_name', 'E-mail': 'emails',
    Телефон: 'phones', Birthday: 'birthday', Notes: 'notes' });
  const f = Object.fromEntries(imp.fields.map((x) => [x.name, x]));
  assert.equal(f.emails.type, 'emails');
  assert.equal(f.birthday.type, 'date');
  assert.equal(f.company_id.type, 'link');
  assert.equal(f.owner_id.type, 'user');
  const fields = await req(srv, 'GET', '/api/v1/imports/fields?entity=deals');
  assert.equal(fields.status, 200, fields.text);
  const df = Object.fromEntries(fields.body.data.map((x) => [x.name, x]));
  assert.equal(df.amount.type, 'money');
  assert.equal(df.title.required, true);
  assert.equal(df.amount_base, undefined, 'read-only fields are not targets');
});

test('a dry run writes nothing and names every bad cell; the error file has them all', async () => {
  const before = (await listAll(srv, 'contacts')).length;
  const imp = await uploadOk('contacts', 'people.csv', PEOPLE);
  const d = await dryRun(imp.id);
  assert.deepEqual(d.dry_run, { rows: 4, create: 2, update: 0, skip: 1, errors: 1 });
  const bad = d.errors.filter((e) => e.kind === 'error').map((e) => [e.row, e.column, e.value, e.reason]);
  assert.deepEqual(bad, [
    [3, 'E-mail', 'bob@', "'bob@' is not an email address"],
    [3, 'Телефон', '7.9161E+10', 'the phone lost digits in scientific notation: format the column as text in the spreadsheet'],
    [3, 'Birthday', '02.01.1990', 'is not a date in the format YYYY-MM-DD'],
  ]);
  assert.deepEqual(d.errors.filter((e) => e.kind === 'skipped').map((e) => [e.row, e.reason]),
    [[5, 'a total row: not imported']]);
  assert.equal((await listAll(srv, 'contacts')).length, before, 'a dry run writes no record');
  const file = await fetch(`${srv.url}/api/v1/imports/${imp.id}/errors`, { headers: { Authorization: `Bearer ${srv.token}` } });
  assert.equal(file.status, 200);
  assert.match(file.headers.get('content-type'), /^text\/csv/);
  const lines = (await file.text()).trim().split('\r\n');
  assert.deepEqual(lines, [
    'row,column,value,reason',
    '3,"E-mail","bob@","\'bob@\' is not an email address"',
    '3,"Телефон","7.9161E+10","the phone lost digits in scientific notation: format the column as text in the spreadsheet"',
    '3,"Birthday","02.01.1990","is not a date in the format YYYY-MM-DD"',
    '5,"","","skipped: a total row: not imported"',
  ]);
});

test('mode all refuses a file with bad rows; mode skip imports the good ones exactly; undo takes them back', async () => {
  const imp = await uploadOk('contacts', 'people.csv', PEOPLE);
  const refused = await req(srv, 'POST', `/api/v1/imports/${imp.id}/run`);
  assertProblem(refused, 409, 'run before a dry run');
  await dryRun(imp.id);
  const again = await req(srv, 'POST', `/api/v1/imports/${imp.id}/run`);
  assert.match(assertProblem(again, 409, 'mode all with errors').detail, /found 1 bad rows/);
  await patchOk(imp.id, { options: { mode: 'skip' } });
  const done = await run(imp.id);
  assert.equal(done.status, 'done', JSON.stringify(done));
  assert.deepEqual([done.rows_total, done.created, done.updated, done.skipped, done.failed], [4, 2, 0, 1, 1]);
  const mine = (await listAll(srv, 'contacts')).filter((c) => c.notes === 'first' || c.last_name === 'Martin');
  const anna = mine.find((c) => c.first_name === 'Anna');
  assert.deepEqual([anna.last_name, anna.emails, anna.phones, anna.birthday, anna.notes],
    ['Kowalska', ['anna@imp.example'], ['+48 600 100 200'], '1990-01-02', 'first']);
  const chloe = mine.find((c) => c.first_name === 'Chloé');
  assert.deepEqual(chloe.emails, ['chloe@imp.example', 'c.martin@imp.example']);
  assert.equal(chloe.notes, 'quoted, with comma');
  assert.equal(chloe.birthday, '1985-12-31');
  assert.deepEqual(await undo(imp.id), { trashed: 2, restored: 0, conflicts: [], conflicts_total: 0 });
  const after = await listAll(srv, 'contacts');
  assert.ok(!after.some((c) => c.id === anna.id || c.id === chloe.id), 'undone records leave the list');
  assert.equal((await req(srv, 'GET', `/api/v1/imports/${imp.id}`)).body.status, 'undone');
  assertProblem(await req(srv, 'POST', `/api/v1/imports/${imp.id}/undo`), 409, 'undo twice');
  const audit = await req(srv, 'GET', `/api/v1/audit?action=import.`);
  assert.equal(audit.status, 200, audit.text);
  const actions = audit.body.data.filter((e) => e.record_id === imp.id).map((e) => e.action);
  assert.ok(actions.includes('import.upload') && actions.includes('import.run') && actions.includes('import.undo'),
    JSON.stringify(actions));
});

test('dedupe: update, merge and skip per match; a duplicate inside the file matches the first', async () => {
  const a = await createOk(srv, 'contacts', { first_name: 'Dora', last_name: 'Old', emails: ['dora@dd.example'],
    phones: ['+1 555 0100'], position: 'Buyer' });
  const b = await createOk(srv, 'contacts', { first_name: 'Emil', emails: ['emil@dd.example'] });
  const csv = 'email,last_name,phones,position\r\n' +
    'DORA@dd.example,New,+1 555 0199,\r\n' +
    'emil@dd.example,Sommer,,Chief\r\n' +
    'fred@dd.example,Fresh,,\r\n' +
    'fred@dd.example,Again,,Second\r\n';
  // update: the file's values replace the record's
  let imp = await uploadOk('contacts', 'dd.csv', csv);
  assert.equal(mapOf(imp).email, 'emails');
  await patchOk(imp.id, { options: { match: ['email'], on_match: 'update' } });
  let d = await dryRun(imp.id);
  assert.deepEqual(d.dry_run, { rows: 4, create: 1, update: 3, skip: 0, errors: 0 });
  let done = await run(imp.id);
  assert.deepEqual([done.status, done.created, done.updated], ['done', 1, 3]);
  let dora = (await req(srv, 'GET', `/api/v1/contacts/${a.id}`)).body;
  assert.deepEqual([dora.last_name, dora.phones, dora.position], ['New', ['+1 555 0199'], 'Buyer']);
  const freds = (await listAll(srv, 'contacts')).filter((c) => c.emails && c.emails.includes('fred@dd.example'));
  assert.equal(freds.length, 1, 'the second fred row updated the first');
  assert.deepEqual([freds[0].last_name, freds[0].position], ['Again', 'Second']);
  // undo: the created one goes, the updated ones get their values back
  assert.deepEqual(await undo(imp.id), { trashed: 1, restored: 3, conflicts: [], conflicts_total: 0 });
  dora = (await req(srv, 'GET', `/api/v1/contacts/${a.id}`)).body;
  assert.deepEqual([dora.last_name, dora.phones, dora.emails], ['Old', ['+1 555 0100'], ['dora@dd.example']]);
  const emil = (await req(srv, 'GET', `/api/v1/contacts/${b.id}`)).body;
  assert.deepEqual([emil.last_name, emil.position], [null, null]);
  // merge: only empty fields filled, lists united
  imp = await uploadOk('contacts', 'dd.csv', csv);
  await patchOk(imp.id, { options: { match: ['email'], on_match: 'merge' } });
  await dryRun(imp.id);
  done = await run(imp.id);
  assert.equal(done.status, 'done', JSON.stringify(done));
  dora = (await req(srv, 'GET', `/api/v1/contacts/${a.id}`)).body;
  assert.deepEqual([dora.last_name, dora.phones, dora.position], ['Old', ['+1 555 0100', '+1 555 0199'], 'Buyer']);
  const emil2 = (await req(srv, 'GET', `/api/v1/contacts/${b.id}`)).body;
  assert.deepEqual([emil2.last_name, emil2.position], ['Sommer', 'Chief']);
  // a record changed after the import is left by undo and listed
  await req(srv, 'PATCH', `/api/v1/contacts/${a.id}`, { body: { position: 'Changed by hand' } });
  const u2 = await undo(imp.id);
  assert.equal(u2.conflicts_total, 1, JSON.stringify(u2));
  assert.equal(u2.conflicts[0].id, a.id);
  assert.match(u2.conflicts[0].reason, /changed since the import/);
  // skip: matches are left alone
  imp = await uploadOk('contacts', 'dd.csv', csv);
  await patchOk(imp.id, { options: { match: ['email'], on_match: 'skip' } });
  d = await dryRun(imp.id);
  assert.deepEqual([d.dry_run.create, d.dry_run.update, d.dry_run.skip], [1, 0, 3]);
});

test('links by name: none and several are errors; owner by email', async () => {
  await createOk(srv, 'companies', { name: 'Unique Links GmbH' });
  await createOk(srv, 'companies', { name: 'Twin Links' });
  await createOk(srv, 'companies', { name: 'Twin Links' });
  const csv = 'first_name,Company,Owner\r\n' +
    'Gina,Unique Links GmbH,imp.director@example.com\r\n' +
    'Hugo,Twin Links,\r\n' +
    'Ida,Nowhere Inc,\r\n' +
    'Jan,,nobody@example.com\r\n';
  const imp = await uploadOk('contacts', 'links.csv', csv);
  assert.equal(mapOf(imp).Company, 'company_id');
  assert.equal(mapOf(imp).Owner, 'owner_id');
  const d = await dryRun(imp.id);
  assert.deepEqual(d.errors.map((e) => [e.row, e.column, e.reason]), [
    [3, 'Company', "ambiguous: 2 companies named 'Twin Links'"],
    [4, 'Company', "no company named 'Nowhere Inc' that you may see"],
    [5, 'Owner', "no active user with email 'nobody@example.com'"],
  ]);
  await patchOk(imp.id, { options: { mode: 'skip' } });
  const done = await run(imp.id);
  assert.equal(done.created, 1);
  const gina = (await listAll(srv, 'contacts')).find((c) => c.first_name === 'Gina');
  assert.equal(gina.company_name, 'Unique Links GmbH');
  const dir = (await req(srv, 'GET', '/api/v1/auth/me', { auth: director })).body;
  assert.equal(gina.owner_id, dir.id ?? dir.user?.id);
});

test('field names and custom fields map themselves (the export round trip), typed by their definition', async () => {
  const cf = await req(srv, 'POST', '/api/v1/custom-fields', { body: {
    entity: 'companies', name: 'segment', label: 'Segment', type: 'choice', options: ['smb', 'enterprise'] } });
  assert.equal(cf.status, 201, cf.text);
  const cf2 = await req(srv, 'POST', '/api/v1/custom-fields', { body: {
    entity: 'companies', name: 'discount', label: 'Discount', type: 'percent' } });
  assert.equal(cf2.status, 201, cf2.text);
  const csv = 'name,tax_id,website,custom.segment,Discount\r\n' +
    'Round Trip AG,DE123,https://rt.example,smb,15%\r\n' +
    'Big Corp,DE456,,Enterprise,7.5%\r\n';
  const imp = await uploadOk('companies', 'companies.csv', csv);
  assert.deepEqual(mapOf(imp), { name: 'name', tax_id: 'tax_id', website: 'website',
    'custom.segment': 'custom.segment', Discount: 'custom.discount' });
  let d = await dryRun(imp.id);
  assert.deepEqual(d.errors.map((e) => [e.row, e.column, e.value, e.reason]),
    [[3, 'custom.segment', 'Enterprise', "is not one of 'smb', 'enterprise' (map the value onto one)"]]);
  // The unknown value mapped onto a choice.
  const m = imp.mapping.map((x) => (x.header === 'custom.segment' ? { ...x, values: { Enterprise: 'enterprise' } } : x));
  await patchOk(imp.id, { mapping: m });
  d = await dryRun(imp.id);
  assert.equal(d.dry_run.errors, 0, JSON.stringify(d.errors));
  await run(imp.id);
  const all = await listAll(srv, 'companies');
  const rt = all.find((c) => c.name === 'Round Trip AG');
  const big = all.find((c) => c.name === 'Big Corp');
  assert.deepEqual([rt.tax_id, rt.website, rt.custom], ['DE123', 'https://rt.example', { segment: 'smb', discount: '15' }]);
  assert.deepEqual(big.custom, { segment: 'enterprise', discount: '7.5' });
  // The mapping is remembered for the next file of this shape.
  const next = await uploadOk('companies', 'companies2.csv', csv);
  assert.deepEqual(next.mapping.find((x) => x.header === 'custom.segment').values, { Enterprise: 'enterprise' });
});

test('deals: money in the currency\'s minor units, dates and decimals in the stated format', async () => {
  const csv = 'Title;Amount;Currency;Expected close\r\n' +
    'Big deal;1 234,56;EUR;31.12.2026\r\n' +
    'Yen deal;15000;JPY;01.02.2027\r\n' +
    'Too fine;10,555;EUR;01.01.2027\r\n';
  const imp = await uploadOk('deals', 'deals.csv', csv);
  assert.equal(imp.delimiter, ';');
  assert.deepEqual(mapOf(imp), { Title: 'title', Amount: 'amount', Currency: 'currency', 'Expected close': 'expected_close' });
  await patchOk(imp.id, { options: { decimal: ',', date_format: 'DD.MM.YYYY', mode: 'skip' } });
  const d = await dryRun(imp.id);
  assert.deepEqual(d.errors.map((e) => [e.row, e.column, e.reason]),
    [[4, 'Amount', 'has more decimals than the currency has']]);
  const done = await run(imp.id);
  assert.equal(done.created, 2, JSON.stringify(done));
  const deals = await listAll(srv, 'deals');
  const big = deals.find((x) => x.title === 'Big deal');
  assert.deepEqual([big.amount, big.currency, big.expected_close], [123456, 'EUR', '2026-12-31']);
  const yen = deals.find((x) => x.title === 'Yen deal');
  assert.deepEqual([yen.amount, yen.currency], [15000, 'JPY']);
});

test('bad input: entity, unknown field, a field twice, a required field unmapped, options', async () => {
  assertInvalid(await upload('planets', 'x.csv', 'a\r\n1\r\n'), ['entity']);
  assertInvalid(await upload('', 'x.csv', 'a\r\n1\r\n'), ['entity']);
  const imp = await uploadOk('companies', 'x.csv', 'Firm,Other,Third\r\nA,B,C\r\n');
  let r = await patch(imp.id, { mapping: { Firm: 'name', Other: 'shoe_size' } });
  assert.match(assertInvalid(r, ['mapping']).errors[0].message, /no field 'shoe_size'/);
  r = await patch(imp.id, { mapping: { Firm: 'name', Other: 'name' } });
  assert.match(assertInvalid(r, ['mapping']).errors[0].message, /field 'name' is mapped twice/);
  r = await patch(imp.id, { mapping: { Firm: null, Other: 'industry' } });
  assert.match(assertInvalid(r, ['mapping']).errors[0].message, /required field 'name' is not mapped/);
  r = await patch(imp.id, { mapping: {} });
  assert.ok(assertProblem(r, 422).errors.some((e) => /maps no column/.test(e.message)), r.text);
  r = await patch(imp.id, { mapping: { Firm: null, Other: 'industry' } });
  assert.match(assertInvalid(r, ['mapping']).errors[0].message, /required field 'name' is not mapped/);
  r = await patch(imp.id, { mapping: { Firm: 'name', Nope: 'industry' } });
  assert.match(assertInvalid(r, ['mapping']).errors[0].message, /no column 'Nope'/);
  assertInvalid(await patch(imp.id, { options: { mode: 'sometimes' } }), ['options.mode']);
  assertInvalid(await patch(imp.id, { options: { match: ['email', 'shoe'] } }), ['options.match']);
  assertInvalid(await patch(imp.id, { options: { date_format: 'YY/M/D' } }), ['options.date_format']);
  assertInvalid(await patch(imp.id, { status: 'done' }), ['status']);
  assertProblem(await req(srv, 'GET', '/api/v1/imports/999999'), 404);
});

const blobs = () => readdirSync(files, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).length;

test('bad files: a PDF named .csv, an empty file, a too large upload, a malformed workbook', async () => {
  const stored = blobs();
  const pdf = readFileSync(join(FIX, 'not-a-csv.csv'));
  let r = await upload('contacts', 'not-a-csv.csv', pdf);
  const p = assertInvalid(r, ['file']);
  assert.match(p.errors[0].message, /PDF/);
  r = await upload('contacts', 'empty.csv', readFileSync(join(FIX, 'empty.csv')));
  assert.match(assertInvalid(r, ['file']).errors[0].message, /empty/);
  r = await upload('contacts', 'big.csv', Buffer.alloc(MAX + 1024, 'a'));
  assertProblem(r, 413, 'past --max-upload');
  r = await upload('contacts', 'malformed.xlsx', readFileSync(join(FIX, 'malformed.xlsx')));
  assertInvalid(r, ['file']);
  r = await upload('contacts', 'bomb.xlsx', readFileSync(join(FIX, 'bomb.xlsx')));
  assertInvalid(r, ['file']);
  const list = (await req(srv, 'GET', '/api/v1/imports')).body.data;
  assert.ok(!list.some((i) => ['not-a-csv.csv', 'empty.csv', 'big.csv', 'bomb.xlsx'].includes(i.file_name)),
    'a refused file leaves no import');
  assert.equal(blobs(), stored, 'and no file in the folder');
});

test('legacy encodings: Windows-1251 and Shift_JIS CSV written by LibreOffice', async () => {
  const ru = await uploadOk('contacts', 'contacts-1251.csv', readFileSync(join(FIX, 'contacts-1251.csv')));
  assert.equal(ru.encoding, 'WINDOWS-1251');
  assert.equal(ru.delimiter, ';');
  assert.deepEqual(ru.headers, ['Имя', 'Фамилия', 'Компания', 'Город']);
  assert.deepEqual(ru.sample[2], ['Пётр', 'Ёжиков', '', 'Тверь']);
  // The object form is the whole mapping: columns not named are left out.
  await patchOk(ru.id, { mapping: { Имя: 'first_name', Фамилия: 'last_name' } });
  await dryRun(ru.id);
  const done = await run(ru.id);
  assert.equal(done.created, 3, JSON.stringify(done));
  assert.ok((await listAll(srv, 'contacts')).some((c) => c.first_name === 'Пётр' && c.last_name === 'Ёжиков'));
  const ja = await uploadOk('contacts', 'contacts-sjis.csv', readFileSync(join(FIX, 'contacts-sjis.csv')));
  assert.equal(ja.encoding, 'SHIFT_JIS');
  assert.deepEqual(ja.headers, ['名前', '会社', '都市']);
  assert.equal(mapOf(ja)['名前'], 'first_name');
  assert.equal(mapOf(ja)['会社'], 'company_id');
  // The encoding can be stated instead of detected: the header is read
  // again, and a wrong one is refused with the reader's reason.
  const wrong = await patch(ja.id, { encoding: 'WINDOWS-1251' });
  assert.match(assertInvalid(wrong, ['file']).errors[0].message, /not valid WINDOWS-1251/);
  const again = await patchOk(ja.id, { encoding: 'SHIFT_JIS', header_row: 2 });
  assert.deepEqual([again.encoding, again.headers], ['SHIFT_JIS', ['山田 太郎', '株式会社テスト', '東京']]);
});

test('XLSX from LibreOffice: sheets, typed cells, a total row skipped', async () => {
  const x = await uploadOk('contacts', 'contacts.xlsx', readFileSync(join(FIX, 'contacts.xlsx')),
    { query: '?entity=contacts' });
  assert.equal(x.format, 'xlsx');
  assert.deepEqual(x.sheets, ['Contacts', 'Notes']);
  assert.equal(x.sheet, 'Contacts');
  await patchOk(x.id, { mapping: [
    { column: 0, field: 'first_name' }, { column: 1, field: 'last_name' }, { column: 3, field: 'phones' },
    { column: 5, field: 'birthday' }] });
  const d = await dryRun(x.id);
  assert.deepEqual(d.dry_run, { rows: 4, create: 3, update: 0, skip: 1, errors: 0 });
  await run(x.id);
  const anna = (await listAll(srv, 'contacts')).find((c) => c.last_name === 'Smith' && c.first_name === 'Anna');
  assert.deepEqual([anna.phones, anna.birthday], [['79161234567'], '2024-03-15']);
  // Another sheet: its header and rows are read instead.
  const y = await uploadOk('contacts', 'contacts.xlsx', readFileSync(join(FIX, 'contacts.xlsx')));
  const notes = await patchOk(y.id, { sheet: 'Notes' });
  assert.deepEqual([notes.sheet, notes.headers, notes.sample], ['Notes', ['Note', 'Count'], [['Imported from the old CRM', '3']]]);
  assertInvalid(await patch(y.id, { sheet: 'Nope' }), ['file']);
});

test('rights: the import right, one\'s own imports, undo by others', async () => {
  assertProblem(await upload('contacts', 'p.csv', PEOPLE, { auth: manager }), 403, 'manager uploads');
  assertProblem(await upload('contacts', 'p.csv', PEOPLE, { auth: manager, query: '?entity=contacts' }), 403,
    'refused before the body');
  assertProblem(await req(srv, 'GET', '/api/v1/imports/fields?entity=contacts', { auth: manager }), 403);
  const mine = await uploadOk('contacts', 'p.csv', PEOPLE, { auth: director });
  const admins = await uploadOk('contacts', 'p.csv', PEOPLE);
  assertProblem(await req(srv, 'GET', `/api/v1/imports/${admins.id}`, { auth: director }), 404, "another's import");
  assertProblem(await req(srv, 'GET', `/api/v1/imports/${admins.id}/errors`, { auth: director }), 404);
  assertProblem(await patch(admins.id, { options: { mode: 'skip' } }, director), 404);
  assertProblem(await req(srv, 'POST', `/api/v1/imports/${admins.id}/undo`, { auth: director }), 404);
  const dl = (await req(srv, 'GET', '/api/v1/imports', { auth: director })).body.data;
  assert.deepEqual(dl.map((i) => i.id), [mine.id], 'a user lists only their own imports');
  const al = (await req(srv, 'GET', '/api/v1/imports')).body.data;
  assert.ok(al.some((i) => i.id === mine.id) && al.some((i) => i.id === admins.id), 'an admin lists all');
  // The director's run writes records the director owns.
  await patchOk(mine.id, { options: { mode: 'skip' } }, director);
  await dryRun(mine.id, director);
  const done = await run(mine.id, director);
  assert.equal(done.created, 2, JSON.stringify(done));
  const me = (await req(srv, 'GET', '/api/v1/auth/me', { auth: director })).body;
  const theirs = (await listAll(srv, 'contacts', '', { auth: director })).filter((c) => c.notes === 'first');
  assert.ok(theirs.some((c) => c.owner_id === (me.id ?? me.user?.id)));
  // An admin may undo anyone's import; the director then sees it undone.
  assert.equal((await undo(mine.id)).trashed, 2);
  assert.equal((await req(srv, 'GET', `/api/v1/imports/${mine.id}`, { auth: director })).body.status, 'undone');
});

test('mode all: a row refused during the run undoes the chunks already written', async () => {
  await createOk(srv, 'companies', { name: 'Stay Chunk Ltd' });
  const gone = await createOk(srv, 'companies', { name: 'Gone Chunk Ltd' });
  const rows = ['first_name,last_name,Company'];
  for (let i = 1; i <= 1100; i++) rows.push(`Chunk${i},Row,${i === 1100 ? 'Gone Chunk Ltd' : 'Stay Chunk Ltd'}`);
  const imp = await uploadOk('contacts', 'chunks.csv', rows.join('\n') + '\n');
  const d = await dryRun(imp.id);
  assert.deepEqual(d.dry_run, { rows: 1100, create: 1100, update: 0, skip: 0, errors: 0 });
  // The company goes between the dry run and the run: row 1101 is refused
  // after two chunks of 500 were committed.
  assert.equal((await req(srv, 'DELETE', `/api/v1/companies/${gone.id}`)).status, 204);
  const done = await run(imp.id);
  assert.equal(done.status, 'failed', JSON.stringify(done));
  assert.match(done.error, /row 1101/);
  assert.deepEqual(done.errors.map((e) => [e.row, e.column, e.value]), [[1101, 'Company', 'Gone Chunk Ltd']]);
  assert.equal(done.created, 0);
  const left = (await listAll(srv, 'contacts')).filter((c) => /^Chunk\d+$/.test(c.first_name));
  assert.equal(left.length, 0, 'nothing of the file is left');
});

// A run indexes each chunk's new records for search in one statement at the
// chunk's end (not a trigger per row): search must find them at once, in
// every chunk, and a row updated later in the same chunk must be found by its
// new text only; the index must pass SQLite's own FTS5 check.
test('search finds imported records right after the run, in every chunk, with the latest text', async () => {
  const rows = ['first_name,last_name,email'];
  const last = (i) => `Lastq${String(i).padStart(4, '0')}`;
  for (let i = 1; i <= 1200; i++) rows.push(`Srch${i},${last(i)},s${i}@srch.example`);
  rows[700] = 'Srch700,Quokkafied,s600@srch.example'; // row 700 updates row 600 (same chunk)
  const imp = await uploadOk('contacts', 'srch.csv', rows.join('\n') + '\n');
  await patchOk(imp.id, { options: { match: ['email'], on_match: 'update' } });
  await dryRun(imp.id);
  const done = await run(imp.id);
  assert.deepEqual([done.status, done.created, done.updated], ['done', 1199, 1], JSON.stringify(done));
  const hits = async (q) => {
    const r = await req(srv, 'GET', `/api/v1/search?q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, r.text);
    return r.body.data.filter((h) => h.type === 'contact').map((h) => h.title || h.name || JSON.stringify(h));
  };
  for (const i of [1, 499, 501, 1199, 1200]) {
    const h = await hits(last(i));
    assert.equal(h.length, 1, `${last(i)}: ${JSON.stringify(h)}`);
  }
  const list = (await req(srv, 'GET', '/api/v1/contacts?q=Quokkafied')).body.data;
  assert.deepEqual(list.map((c) => [c.first_name, c.emails]), [['Srch700', ['s600@srch.example']]]);
  assert.equal((await hits(last(600))).length, 0, 'the old text of the updated row is out of the index');
  assert.equal((await hits('Srch70')).length, 11, 'word starts: Srch70 and Srch700..Srch709');
  if (!PG) {
    for (const idx of ['contacts_tri', 'contacts_words']) {
      const out = execFileSync('sqlite3', [srv.db, `INSERT INTO ${idx}(${idx}, rank) VALUES ('integrity-check', 1)`],
        { encoding: 'utf8' });
      assert.equal(out.trim(), '', `${idx} integrity-check`);
    }
  }
});

test('a row matching a record the importer may not change is an error saying so', async () => {
  const d = await req(srv, 'POST', '/api/v1/departments', { body: { name: 'Import Branch', kind: 'branch', parent_id: 1 } });
  assert.equal(d.status, 201, d.text);
  const roles = (await req(srv, 'GET', '/api/v1/roles')).body.data;
  const head = roles.find((r) => r.builtin === 'head');
  const u = await req(srv, 'POST', '/api/v1/users', { body: {
    email: 'imp.head@example.com', name: 'Imp Head', password: 'saffron lighthouse quill 27',
    role_id: head.id, department_id: d.body.id } });
  assert.equal(u.status, 201, u.text);
  const headToken = createToken(srv, 'imp.head@example.com', 'ih');
  await createOk(srv, 'contacts', { first_name: 'Owned', last_name: 'ByAdmin', emails: ['owned@guard.example'] });
  const imp = await uploadOk('contacts', 'guard.csv', 'email,last_name\r\nowned@guard.example,Taken\r\nnew@guard.example,Fresh\r\n',
    { auth: headToken });
  await patchOk(imp.id, { options: { match: ['email'], on_match: 'update', mode: 'skip' } }, headToken);
  const dr = await dryRun(imp.id, headToken);
  assert.deepEqual(dr.errors.map((e) => [e.row, e.reason]), [[2, 'matches a record you may not change']]);
  const done = await run(imp.id, headToken);
  assert.deepEqual([done.created, done.updated, done.failed], [1, 0, 1]);
  const owned = (await listAll(srv, 'contacts')).find((c) => c.first_name === 'Owned');
  assert.equal(owned.last_name, 'ByAdmin', 'the record is unchanged');
});

test('round trip: a CSV exported by crm imports back onto the same fields and values', async () => {
  const cf = await req(srv, 'POST', '/api/v1/custom-fields', { body: {
    entity: 'contacts', name: 'budget', label: 'Budget', type: 'money' } });
  assert.equal(cf.status, 201, cf.text);
  const co = await createOk(srv, 'companies', { name: 'Round Trip Contacts Ltd' });
  const made = [
    await createOk(srv, 'contacts', { first_name: 'Rita', last_name: 'Trip', emails: ['rita@rt.example', 'r.trip@rt.example'],
      phones: ['+44 20 7946 0000'], company_id: co.id, birthday: '1980-05-06', source: 'roundtrip', tags: ['vip', 'b2b'],
      notes: 'line one, with a comma', custom: { budget: { amount: 990, currency: 'EUR' } } }),
    await createOk(srv, 'contacts', { first_name: 'Sven', last_name: '=SUM(A1)', source: 'roundtrip', position: '-lead-' }),
  ];
  const ex = await fetch(`${srv.url}/api/v1/contacts/export?format=csv&source=roundtrip`,
    { headers: { Authorization: `Bearer ${srv.token}` } });
  const csv = Buffer.from(await ex.arrayBuffer());
  assert.equal(ex.status, 200, csv.toString());
  for (const c of made) assert.equal((await req(srv, 'DELETE', `/api/v1/contacts/${c.id}`)).status, 204);
  const imp = await uploadOk('contacts', 'contacts-export.csv', csv);
  const m = mapOf(imp);
  for (const f of ['first_name', 'last_name', 'emails', 'phones', 'company_id', 'birthday', 'source', 'tags', 'notes',
    'position', 'owner_id', 'custom.budget']) assert.equal(m[f], f, `${f} maps onto itself: ${JSON.stringify(m)}`);
  const d = await dryRun(imp.id);
  assert.deepEqual(d.errors, [], JSON.stringify(d.errors));
  const done = await run(imp.id);
  assert.equal(done.created, 2, JSON.stringify(done));
  const back = (await listAll(srv, 'contacts')).filter((c) => c.source === 'roundtrip');
  const pick = (c) => ({ first_name: c.first_name, last_name: c.last_name, emails: c.emails, phones: c.phones,
    company_id: c.company_id, birthday: c.birthday, tags: c.tags, notes: c.notes, position: c.position,
    owner_id: c.owner_id, custom: c.custom });
  assert.deepEqual(back.map(pick).sort((a, b) => a.first_name.localeCompare(b.first_name)),
    made.map(pick).sort((a, b) => a.first_name.localeCompare(b.first_name)));
});
