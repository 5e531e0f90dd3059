// Documents: files attached to companies, contacts, deals and activities.
// The exact bytes come back; rights follow the record; downloads are audited;
// the type comes from the bytes and must agree with the name and declared
// type; names are display text only; bad uploads leave nothing behind (no
// row, no blob, no temporary file) and the server stays responsive.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startServer, PG } from '../lib/server.mjs';
import net from 'node:net';
import { stopClean, req, createOk, crmOk, assertProblem, assertInvalid, addUser, createToken } from '../lib/helpers.mjs';

const MAX = 256 * 1024;   // --max-upload for this server
let srv;
let manager;
let co;        // the admin's company
let myCo;      // the manager's company
let files;     // the documents folder

before(async () => {
  // Its own folder, so the test reads the same place on SQLite and PostgreSQL.
  files = join(mkdtempSync(join(tmpdir(), 'crm-docs-')), 'files');
  srv = await startServer({ args: ['--max-upload', '256K', '--max-documents', '40', '--files-dir', files] });
  addUser(srv, 'doc.manager@example.com', 'amber otter juggles seventeen lanterns', { name: 'Doc Manager' });
  manager = createToken(srv, 'doc.manager@example.com', 'dm');
  co = await createOk(srv, 'companies', { name: 'Documents Corp' });
  myCo = await createOk(srv, 'companies', { name: 'Manager Docs Ltd' }, manager);
});
after(async () => {
  await stopClean(srv);
  rmSync(dirname(files), { recursive: true, force: true });
});

const B = 'crm-test-boundary-7MA4YWxkTrZu0gW';

// One multipart/form-data body: parts of {name, filename, type, data, headers}.
function form(parts, boundary = B, { close = true } = {}) {
  const out = [];
  for (const p of parts) {
    let h = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name ?? 'file'}"`;
    if (p.filename !== undefined) h += `; filename="${p.filename}"`;
    if (p.filenameStar !== undefined) h += `; filename*=${p.filenameStar}`;
    h += '\r\n';
    if (p.type) h += `Content-Type: ${p.type}\r\n`;
    for (const x of p.headers || []) h += `${x}\r\n`;
    out.push(Buffer.from(h + '\r\n', 'utf8'), Buffer.from(p.data ?? ''), Buffer.from('\r\n'));
  }
  if (close) out.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(out);
}

function upload(path, body, { auth, ctype = `multipart/form-data; boundary=${B}` } = {}) {
  return req(srv, 'POST', path, { body, auth, headers: { 'Content-Type': ctype } });
}
const one = (coll, id, data, filename, type, auth) =>
  upload(`/api/v1/${coll}/${id}/documents`, form([{ filename, type, data }]), { auth });

async function download(id, { auth, query = '' } = {}) {
  const r = await fetch(`${srv.url}/api/v1/documents/${id}/content${query}`,
    { headers: { Authorization: `Bearer ${auth ?? srv.token}` } });
  return { status: r.status, headers: r.headers, bytes: Buffer.from(await r.arrayBuffer()) };
}

// Sends only a request's head and answers what arrives first (the status line).
function rawHead(path, headers, auth = `Authorization: Bearer ${srv.token}\r\n`) {
  const u = new URL(srv.url);
  return new Promise((resolve) => {
    const s = net.connect(Number(u.port), u.hostname, () => {
      s.write(`POST ${path} HTTP/1.1\r\nHost: ${u.host}\r\n${auth}${headers}\r\n`);
    });
    let data = '';
    s.on('data', (d) => { data += d; if (data.includes('\r\n\r\n')) { s.destroy(); resolve(data); } });
    s.on('error', () => resolve(data));
    s.on('close', () => resolve(data));
  });
}

const pdf = (n = 5000) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(n), Buffer.from('\n%%EOF\n')]);
const png = () => Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(300)]);
const sha = (b) => createHash('sha256').update(b).digest('hex');

// Every file under the documents folder, relative to it.
function walk(dir, rel = '') {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...walk(p, rel + e + '/'));
    else out.push(rel + e);
  }
  return out;
}

async function docCount(coll, id, auth) {
  const r = await req(srv, 'GET', `/api/v1/${coll}/${id}/documents`, { auth });
  assert.equal(r.status, 200, r.text);
  return r.body.data.length;
}

test('an upload comes back byte for byte, listed, described and stored by its hash', async () => {
  const data = pdf(200000);
  const r = await one('companies', co.id, data, 'Offer 2027.pdf', 'application/pdf');
  assert.equal(r.status, 201, r.text);
  const d = r.body;
  assert.equal(d.name, 'Offer 2027.pdf');
  assert.equal(d.mime, 'application/pdf');
  assert.equal(d.size, data.length);
  assert.equal(d.sha256, sha(data));
  assert.equal(d.entity, 'companies');
  assert.equal(d.record_id, co.id);
  const list = await req(srv, 'GET', `/api/v1/companies/${co.id}/documents`);
  assert.ok(list.body.data.some((x) => x.id === d.id));
  const meta = await req(srv, 'GET', `/api/v1/documents/${d.id}`);
  assert.deepEqual(meta.body, d);
  const got = await download(d.id);
  assert.equal(got.status, 200);
  assert.ok(got.bytes.equals(data), 'the exact bytes');
  assert.equal(got.headers.get('content-type'), 'application/pdf');
  assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
  assert.match(got.headers.get('content-disposition'), /^attachment; filename="Offer 2027.pdf"; filename\*=UTF-8''Offer%202027.pdf$/);
  const prev = await download(d.id, { query: '?inline=1' });
  assert.match(prev.headers.get('content-disposition'), /^inline;/);
  // On disk under ab/cd/<hash>, nowhere else; the same bytes again are stored once.
  assert.ok(existsSync(join(files, d.sha256.slice(0, 2), d.sha256.slice(2, 4), d.sha256)));
  const again = await one('deals', (await createOk(srv, 'deals', { title: 'Doc deal', amount: 100, currency: 'EUR' })).id,
    data, 'copy.pdf');
  assert.equal(again.status, 201, again.text);
  assert.equal(again.body.sha256, d.sha256);
  assert.equal(walk(files).filter((f) => f.endsWith(d.sha256)).length, 1);
});

test('every accepted kind is sniffed; CSV is text/csv; names in any script are encoded for download', async () => {
  const ct = await createOk(srv, 'contacts', { first_name: 'Dora', last_name: 'Docs' });
  const csv = Buffer.from('name;amount\nÄpfel;12\n');
  let r = await one('contacts', ct.id, csv, 'prices.csv', 'text/csv');
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.mime, 'text/csv');
  r = await one('contacts', ct.id, png(), 'scan.png', 'image/png');
  assert.equal(r.body.mime, 'image/png');
  r = await one('contacts', ct.id, Buffer.concat([Buffer.from('ffd8ffe0', 'hex'), randomBytes(100)]), 'photo.JPG', 'image/jpeg');
  assert.equal(r.body.mime, 'image/jpeg');
  r = await one('contacts', ct.id, Buffer.from('GIF89a' + 'x'.repeat(40)), 'a.gif');
  assert.equal(r.body.mime, 'image/gif');
  r = await one('contacts', ct.id, Buffer.concat([Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 '), randomBytes(30)]), 'b.webp');
  assert.equal(r.body.mime, 'image/webp');
  // A call's recording is attached to the call.
  const call = await createOk(srv, 'activities', { kind: 'call', subject: 'Recorded call', direction: 'in', contact_id: ct.id });
  r = await one('activities', call.id, Buffer.concat([Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt '), randomBytes(64)]), 'call.wav', 'audio/wav');
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.mime, 'audio/wav');
  r = await one('activities', call.id, Buffer.concat([Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x17'), randomBytes(64)]), 'call.mp3');
  assert.equal(r.body.mime, 'audio/mpeg');
  r = await one('activities', call.id, Buffer.concat([Buffer.from('OggS\x00\x02'), randomBytes(64)]), 'call.wav', 'audio/wav');
  assert.equal(r.status, 422, 'an Ogg file named .wav is disguised');
  const name = 'Договор №5 契約.pdf';
  r = await one('contacts', ct.id, pdf(100), name);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.name, name);
  const got = await download(r.body.id);
  const cd = got.headers.get('content-disposition');
  assert.ok(cd.includes(`filename*=UTF-8''${encodeURIComponent(name).replace(/%E2%84%96/, '%E2%84%96')}`), cd);
  assert.match(cd, /filename="[ -~]+"/, 'an ASCII stand-in for old clients');
  const text = await download((await one('contacts', ct.id, Buffer.from('plain words'), 'n.txt')).body.id, { query: '?inline=1' });
  assertProblem({ status: text.status, headers: text.headers, text: text.bytes.toString(),
                  body: JSON.parse(text.bytes.toString()) }, 400, 'no inline text');
});

test('documents appear on the timeline and go to the trash, their bytes kept', async () => {
  const c2 = await createOk(srv, 'companies', { name: 'Timeline Docs' });
  const up = await one('companies', c2.id, pdf(50), 'contract.pdf');
  assert.equal(up.status, 201, up.text);
  const tl = await req(srv, 'GET', `/api/v1/companies/${c2.id}/timeline?type=document`);
  assert.equal(tl.status, 200, tl.text);
  assert.equal(tl.body.data.length, 1);
  assert.equal(tl.body.data[0].type, 'document');
  assert.equal(tl.body.data[0].document.name, 'contract.pdf');
  const all = await req(srv, 'GET', `/api/v1/companies/${c2.id}/timeline`);
  assert.ok(all.body.data.some((e) => e.type === 'document' && e.id === up.body.id));
  const del = await req(srv, 'DELETE', `/api/v1/documents/${up.body.id}`);
  assert.equal(del.status, 204, del.text);
  assertProblem(await req(srv, 'GET', `/api/v1/documents/${up.body.id}`), 404);
  assert.equal((await download(up.body.id)).status, 404);
  assert.equal(await docCount('companies', c2.id), 0);
  assert.equal((await req(srv, 'GET', `/api/v1/companies/${c2.id}/timeline?type=document`)).body.data.length, 0);
  const h = up.body.sha256;
  assert.ok(existsSync(join(files, h.slice(0, 2), h.slice(2, 4), h)), 'the blob stays');
});

test('a document comes back from the trash with its bytes, under the delete\'s right, audited', async () => {
  const c3 = await createOk(srv, 'companies', { name: 'Trash Docs' });
  const bytes = pdf(70);
  const up = await one('companies', c3.id, bytes, 'offer.pdf');
  assert.equal(up.status, 201, up.text);
  const id = up.body.id;
  assertProblem(await req(srv, 'POST', `/api/v1/documents/${id}/restore`), 404, 'not in the trash');
  assert.equal((await req(srv, 'DELETE', `/api/v1/documents/${id}`)).status, 204);
  const trash = await req(srv, 'GET', `/api/v1/companies/${c3.id}/documents?deleted=true`);
  assert.equal(trash.status, 200, trash.text);
  assert.deepEqual(trash.body.data.map((d) => d.id), [id]);
  assertProblem(await req(srv, 'GET', `/api/v1/companies/${c3.id}/documents?deleted=maybe`), 400);
  // Not the manager's company: as if there were no such document.
  assertProblem(await req(srv, 'POST', `/api/v1/documents/${id}/restore`, { auth: manager }), 404);
  assertProblem(await req(srv, 'GET', `/api/v1/companies/${c3.id}/documents?deleted=true`, { auth: manager }), 404);
  const back = await req(srv, 'POST', `/api/v1/documents/${id}/restore`);
  assert.equal(back.status, 200, back.text);
  assert.equal(back.body.id, id);
  assert.equal(back.body.name, 'offer.pdf');
  assert.deepEqual((await req(srv, 'GET', `/api/v1/companies/${c3.id}/documents`)).body.data.map((d) => d.id), [id]);
  assert.equal((await req(srv, 'GET', `/api/v1/companies/${c3.id}/documents?deleted=true`)).body.data.length, 0);
  const got = await download(id);
  assert.equal(got.status, 200);
  assert.ok(Buffer.compare(got.bytes, bytes) === 0, 'the same bytes');
  assertProblem(await req(srv, 'POST', `/api/v1/documents/${id}/restore`), 404, 'restored once');
  assertProblem(await req(srv, 'POST', '/api/v1/documents/999999/restore'), 404);
  const log = await req(srv, 'GET', '/api/v1/audit?action=document.restore&limit=50');
  assert.ok(log.body.data.some((e) => e.record_id === id && e.entity === 'documents'), 'restore audited');
  // The manager restores on their own company.
  const mine = await one('companies', myCo.id, pdf(33), 'mine-again.pdf', undefined, manager);
  assert.equal((await req(srv, 'DELETE', `/api/v1/documents/${mine.body.id}`, { auth: manager })).status, 204);
  assert.equal((await req(srv, 'POST', `/api/v1/documents/${mine.body.id}/restore`, { auth: manager })).status, 200);
});

test('a restore that would pass the per-record limit is refused and changes nothing', async () => {
  const c4 = await createOk(srv, 'companies', { name: 'Full Docs' });
  const ids = [];
  for (let i = 0; i < 40; i++) {
    const r = await one('companies', c4.id, pdf(20 + i), `f${i}.pdf`);
    assert.equal(r.status, 201, r.text);
    ids.push(r.body.id);
  }
  assert.equal((await req(srv, 'DELETE', `/api/v1/documents/${ids[0]}`)).status, 204);
  assert.equal((await one('companies', c4.id, pdf(99), 'late.pdf')).status, 201);
  assertInvalid(await req(srv, 'POST', `/api/v1/documents/${ids[0]}/restore`), ['id']);
  assert.equal((await req(srv, 'GET', `/api/v1/companies/${c4.id}/documents?deleted=true`)).body.data.length, 1, 'still in the trash');
  assert.equal(await docCount('companies', c4.id), 40);
});

test('rights: a manager cannot upload to, list, read, download or delete what is not theirs; downloads are audited', async () => {
  const mine = await one('companies', myCo.id, pdf(64), 'mine.pdf', undefined, manager);
  assert.equal(mine.status, 201, mine.text);
  const theirs = await one('companies', co.id, pdf(64), 'theirs.pdf');
  assert.equal(theirs.status, 201, theirs.text);
  assertProblem(await one('companies', co.id, pdf(64), 'x.pdf', undefined, manager), 404, 'upload to another\'s company');
  assertProblem(await req(srv, 'GET', `/api/v1/companies/${co.id}/documents`, { auth: manager }), 404);
  assertProblem(await req(srv, 'GET', `/api/v1/documents/${theirs.body.id}`, { auth: manager }), 404);
  assert.equal((await download(theirs.body.id, { auth: manager })).status, 404);
  assertProblem(await req(srv, 'DELETE', `/api/v1/documents/${theirs.body.id}`, { auth: manager }), 404);
  // Their own works; the download is in the audit log with who and what.
  const got = await download(mine.body.id, { auth: manager });
  assert.equal(got.status, 200);
  const log = await req(srv, 'GET', '/api/v1/audit?action=document.download&limit=50');
  assert.equal(log.status, 200, log.text);
  const e = log.body.data.find((x) => x.record_id === mine.body.id);
  assert.ok(e, 'download audited');
  assert.equal(e.entity, 'documents');
  // The manager's failed attempt left no entry.
  assert.ok(!log.body.data.some((x) => x.record_id === theirs.body.id && x.actor_id !== e.actor_id));
});

test('a reader may list and download but not upload or delete (403); uploads are checked before their body is read', async () => {
  const roles = (await req(srv, 'GET', '/api/v1/roles')).body.data;
  const ro = roles.find((r) => r.builtin === 'readonly');
  assert.ok(ro, 'the built-in read-only role');
  const u = await req(srv, 'POST', '/api/v1/users', { body: { email: 'doc.reader@example.com', name: 'Doc Reader',
    password: 'saffron lighthouse quill 27', department_id: 1, role_id: ro.id } });
  assert.equal(u.status, 201, u.text);
  const reader = createToken(srv, 'doc.reader@example.com', 'dr');
  const d = await one('companies', co.id, pdf(30), 'shown.pdf');
  assert.equal(d.status, 201, d.text);
  assert.ok((await req(srv, 'GET', `/api/v1/companies/${co.id}/documents`, { auth: reader })).body.data.some((x) => x.id === d.body.id));
  const got = await download(d.body.id, { auth: reader });
  assert.equal(got.status, 200);
  assertProblem(await one('companies', co.id, pdf(30), 'nope.pdf', undefined, reader), 403, 'upload by a reader');
  assertProblem(await req(srv, 'DELETE', `/api/v1/documents/${d.body.id}`, { auth: reader }), 403, 'delete by a reader');
  // Refused on the headers: the answer comes while the body is still unsent.
  const ct = `Content-Type: multipart/form-data; boundary=${B}\r\nContent-Length: 200000\r\n`;
  assert.match(await rawHead(`/api/v1/companies/${co.id}/documents`, ct, ''), /^HTTP\/1\.1 401 /);
  assert.match(await rawHead(`/api/v1/companies/${co.id}/documents`, ct, `Authorization: Bearer ${reader}\r\n`), /^HTTP\/1\.1 403 /);
  assert.match(await rawHead(`/api/v1/companies/${co.id}/documents`, ct, `Authorization: Bearer ${manager}\r\n`), /^HTTP\/1\.1 404 /);
  assert.match(await rawHead('/api/v1/companies/0/documents', ct), /^HTTP\/1\.1 400 /);
});

test('bad uploads are refused with the right status and leave nothing behind', async () => {
  const ct = await createOk(srv, 'companies', { name: 'Bad Input Co' });
  const path = `/api/v1/companies/${ct.id}/documents`;
  const before = walk(files).sort();
  const mz = Buffer.concat([Buffer.from('MZ\x90\x00'), randomBytes(500)]);
  const html = Buffer.from('<!DOCTYPE html><script>alert(1)</script>');
  const cases = [
    ['oversize', form([{ filename: 'big.pdf', data: pdf(MAX + 10) }]), 413],
    ['an .exe renamed .pdf', form([{ filename: 'invoice.pdf', type: 'application/pdf', data: mz }]), 422],
    ['HTML renamed .png', form([{ filename: 'cat.png', type: 'image/png', data: html }]), 422],
    ['HTML as text', form([{ filename: 'page.txt', data: html }]), 422],
    ['a PNG named .pdf', form([{ filename: 'report.pdf', data: png() }]), 422],
    ['a PDF declared image/png', form([{ filename: 'scan', type: 'image/png', data: pdf(10) }]), 422],
    ['an executable extension', form([{ filename: 'setup.exe', data: pdf(10) }]), 422],
    ['a plain zip', form([{ filename: 'a.docx', data: Buffer.concat([Buffer.from('PK\x03\x04'), randomBytes(80)]) }]), 422],
    ['an ELF binary', form([{ filename: 'tool', data: Buffer.from('\x7fELF\x02\x01\x01') }]), 422],
    ['binary junk', form([{ filename: 'x.txt', data: Buffer.from([0, 1, 2, 0xff, 0xfe]) }]), 422],
    ['RTL override hiding .exe', form([{ filename: 'invoice\u202Efdp.exe', data: pdf(10) }]), 422],
    ['an empty file', form([{ filename: 'empty.pdf', data: '' }]), 422],
    ['two file parts', form([{ filename: 'a.pdf', data: pdf(10) }, { filename: 'b.pdf', data: pdf(10) }]), 400],
    ['a part not named file', form([{ name: 'upload', filename: 'a.pdf', data: pdf(10) }]), 400],
    ['no filename', form([{ data: pdf(10) }]), 400],
    ['no parts', Buffer.from(`--${B}--\r\n`), 400],
    ['truncated', form([{ filename: 'a.pdf', data: pdf(1000) }], B, { close: false }).subarray(0, 600), 400],
    ['a NUL in filename*', form([{ filenameStar: "UTF-8''a%00.pdf", data: pdf(10) }]), 400],
    ['a name longer than a header line', form([{ filename: 'n'.repeat(5000) + '.pdf', data: pdf(10) }]), 400],
    ['folded header', form([{ filename: 'a.pdf', headers: [' folded: yes'], data: pdf(10) }]), 400],
    ['nested multipart', form([{ filename: 'a.pdf', type: 'multipart/mixed; boundary=x', data: pdf(10) }]), 400],
    ['bare LF lines', Buffer.from(`--${B}\nContent-Disposition: form-data; name="file"; filename="a.txt"\n\nabc\n--${B}--\n`), 400],
    ['another boundary in the body', form([{ filename: 'a.pdf', data: pdf(10) }], 'other-boundary'), 400],
  ];
  for (const [what, body, status] of cases) {
    const r = await upload(path, body);
    assertProblem(r, status, what);
  }
  assertProblem(await upload(path, form([{ filename: 'a.pdf', data: pdf(10) }]), { ctype: 'multipart/form-data' }), 400, 'missing boundary');
  assertProblem(await upload(path, form([{ filename: 'a.pdf', data: pdf(10) }]), { ctype: 'application/pdf' }), 415, 'not a form');
  assertProblem(await upload(path, form([{ filename: 'a.pdf', data: pdf(10) }]), { ctype: `multipart/form-data; boundary="${'x'.repeat(71)}"` }), 400, 'a boundary too long');
  // A body announced larger than the limit is refused before it is read.
  const huge = await rawHead(path, `Content-Type: multipart/form-data; boundary=${B}\r\nContent-Length: ${1024 ** 3}\r\n`);
  assert.match(huge, /^HTTP\/1\.1 413 /, huge);
  // Nothing half-written: no rows, no blobs, no temporary files.
  assert.equal(await docCount('companies', ct.id), 0);
  assert.deepEqual(walk(files).sort(), before);
  assert.ok(!walk(files).some((f) => /\.(upload|spool)-/.test(f)));
  assert.equal((await req(srv, 'GET', '/healthz', { auth: null })).status, 200, 'still responsive');
});

test('path tricks in names stay display text', async () => {
  const ct = await createOk(srv, 'contacts', { first_name: 'Path', last_name: 'Tricks' });
  const names = [
    ['../../etc/passwd', 'passwd'],
    ['a/b.txt', 'b.txt'],
    ['C:\\\\Windows\\\\win.ini.txt', 'win.ini.txt'],
    ['..', 'document.txt'],
    ['.bashrc.txt', 'bashrc.txt'],
    ['tab\there.txt', 'tabhere.txt'],
    ['trailing dots...', 'trailing dots'],
  ];
  for (const [raw, want] of names) {
    const r = await one('contacts', ct.id, Buffer.from('just text\n'), raw);
    assert.equal(r.status, 201, `${raw}: ${r.text}`);
    assert.equal(r.body.name, want, raw);
  }
  const long = 'л'.repeat(400) + '.txt';
  const r = await one('contacts', ct.id, Buffer.from('long name\n'), long);
  assert.equal(r.status, 201, r.text);
  assert.equal([...r.body.name].length, 200);
  assert.ok(r.body.name.endsWith('.txt'), 'the extension is kept');
  assert.ok(!existsSync(join(files, 'passwd')) && !existsSync(join(srv.dir, 'etc')), 'no name reaches the disk');
  for (const f of walk(files)) assert.match(f, /^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/, f);
});

test('the per-record limit and the other record kinds', async () => {
  const act = await createOk(srv, 'activities', { kind: 'note', body: 'with attachments' });
  const r = await one('activities', act.id, pdf(10), 'minutes.pdf');
  assert.equal(r.status, 201, r.text);
  assertProblem(await one('activities', 999999, pdf(10), 'x.pdf'), 404, 'no such record');
  const c3 = await createOk(srv, 'companies', { name: 'Full Co' });
  for (let i = 0; i < 40; i++) {
    const ok = await one('companies', c3.id, Buffer.from(`line ${i}\n`), `n${i}.txt`);
    assert.equal(ok.status, 201, ok.text);
  }
  assertInvalid(await one('companies', c3.id, Buffer.from('one more\n'), 'n.txt'), ['file']);
  // Many uploads at once: all stored, the server answers throughout.
  const c4 = await createOk(srv, 'companies', { name: 'Busy Co' });
  const rs = await Promise.all(Array.from({ length: 12 }, (_, i) => one('companies', c4.id, pdf(20000 + i), `p${i}.pdf`)));
  for (const x of rs) assert.equal(x.status, 201, x.text);
  assert.equal(await docCount('companies', c4.id), 12);
});

test('backups carry the documents folder next to a SQLite database, and restore it', { skip: PG ? 'SQLite backups only' : false }, async () => {
  const s2 = await startServer();   // the default folder: files/ next to the database
  try {
    const c = (await req(s2, 'POST', '/api/v1/companies', { body: { name: 'Backed Up' } })).body;
    const data = pdf(3000);
    const up = await req(s2, 'POST', `/api/v1/companies/${c.id}/documents`,
      { body: form([{ filename: 'kept.pdf', data }]), headers: { 'Content-Type': `multipart/form-data; boundary=${B}` } });
    assert.equal(up.status, 201, up.text);
    const h = up.body.sha256;
    assert.ok(existsSync(join(dirname(s2.db), 'files', h.slice(0, 2), h.slice(2, 4), h)));
    const out = join(s2.dir, 'b.crmbak');
    assert.match(crmOk(['backup', '--db', s2.db, '--to', out]), /1 documents/);
    const target = join(s2.dir, 'restored', 'crm.db');
    crmOk(['restore', '--from', out, '--db', target]);
    const blob = join(dirname(target), 'files', h.slice(0, 2), h.slice(2, 4), h);
    assert.ok(readFileSync(blob).equals(data), 'the restored blob has the bytes');
  } finally {
    await stopClean(s2);
  }
});

test('the OpenAPI description has the document routes', async () => {
  const r = await req(srv, 'GET', '/api/v1/openapi.json', { auth: null });
  const p = r.body.paths;
  assert.ok(p['/api/v1/companies/{id}/documents'].post.requestBody.content['multipart/form-data']);
  assert.ok(p['/api/v1/documents/{id}/content'].get.parameters.some((x) => x.name === 'inline'));
  assert.ok(p['/api/v1/documents/{id}'].delete);
  assert.ok(p['/api/v1/documents/{id}/restore'].post.responses['200']);
  assert.ok(p['/api/v1/deals/{id}/documents'].get.parameters.some((x) => x.name === 'deleted'));
});
