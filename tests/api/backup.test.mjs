// Backups: crm backup while the server runs and takes writes, crm backup
// --verify, crm restore into a new folder served again, refusals of damaged,
// altered and hostile backup files (the target left untouched), the server's
// schedule with its retention, and the admin API. SQLite only: on
// PostgreSQL (CRM_TEST_PG) only the clear refusal is checked.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, existsSync, symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServer, BIN, PG } from '../lib/server.mjs';
import { req, listAll, crmRun, crmOk, addUser, createToken, stopClean, waitExit } from '../lib/helpers.mjs';
import { writeStream, waitUntil, pool } from '../lib/load.mjs';

const run = promisify(execFile);
const servers = [];
const folders = [];
after(async () => {
  for (const s of servers.reverse()) await stopClean(s);
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

function scratch() {
  const d = mkdtempSync(join(tmpdir(), 'crm-backup-test-'));
  folders.push(d);
  return d;
}

// Every file under dir (relative path → sha256), to compare folders byte for byte.
function tree(dir, base = dir, out = {}) {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) tree(p, base, out);
    else out[p.slice(base.length + 1)] = createHash('sha256').update(readFileSync(p)).digest('hex');
  }
  return out;
}

// A checksum over the listed records: sorted by id, every field as the API gives it.
async function recordsSum(srv) {
  const all = {};
  for (const c of ['companies', 'contacts']) {
    const rows = (await listAll(srv, c)).sort((a, b) => a.id - b.id);
    all[c] = rows;
  }
  return {
    companies: all.companies.length,
    contacts: all.contacts.length,
    sum: createHash('sha256').update(JSON.stringify(all)).digest('hex'),
  };
}

// BLAKE2b-256 as the backup format uses it (coreutils b2sum).
function b2(buf) {
  return execFileSync('b2sum', ['-l', '256'], { input: buf }).toString().split(' ')[0];
}
const zstdDecompress = (file) => execFileSync('zstd', ['-q', '-d', '-c', file], { maxBuffer: 1 << 28 });
const zstdCompress = (buf, file) => execFileSync('zstd', ['-q', '-f', '-o', file], { input: buf });

// The decompressed stream split into its parts (see src/core/bkfile.h).
function parse(raw) {
  assert.equal(raw.subarray(0, 8).toString('latin1'), 'CRMBAK\r\n');
  const mlen = raw.readUInt32BE(12);
  const manifest = JSON.parse(raw.subarray(16, 16 + mlen).toString('utf8'));
  return { manifest, rest: raw.subarray(16 + mlen) };
}

// Builds a backup stream from a manifest and entry contents, with a correct
// trailer: only what the test changes on purpose is wrong.
function build(manifest, contents) {
  const parts = [];
  const mtext = Buffer.from(JSON.stringify(manifest));
  const head = Buffer.alloc(16);
  head.write('CRMBAK\r\n', 0, 'latin1');
  head.writeUInt32BE(1, 8);
  head.writeUInt32BE(mtext.length, 12);
  parts.push(head, mtext);
  manifest.entries.forEach((e, i) => {
    const p = Buffer.from(e.path);
    const h = Buffer.alloc(3 + p.length + 8);
    h[0] = 0x46; // 'F'
    h.writeUInt16BE(p.length, 1);
    p.copy(h, 3);
    h.writeBigUInt64BE(BigInt(contents[i].length), 3 + p.length);
    parts.push(h, contents[i]);
  });
  parts.push(Buffer.from('Z'));
  const body = Buffer.concat(parts);
  return Buffer.concat([body, Buffer.from(b2(body), 'hex')]);
}

function entry(path, content) {
  return { path, size: content.length, blake2b: b2(content) };
}

function manifestOf(entries) {
  return {
    format: 1, crm_version: '0.1.0', created_at: '2026-01-01T00:00:00.000Z', dialect: 'sqlite',
    schema_version: 1, entries,
  };
}

// A small valid SQLite database file.
function tinyDb(dir) {
  const p = join(dir, `tiny-${Math.random().toString(36).slice(2)}.db`);
  execFileSync('sqlite3', [p, 'CREATE TABLE t(a); INSERT INTO t VALUES (1);']);
  return readFileSync(p);
}

// Asserts that verify and restore both refuse `file` (naming `why`) and that
// the restore target is left exactly as it was.
function assertRefused(file, why, label) {
  const v = crmRun(['backup', '--verify', file]);
  assert.equal(v.status, 1, `${label}: verify must fail:\n${v.stdout}${v.stderr}`);
  assert.match(v.stderr, /NOT OK/, label);
  assert.match(v.stderr, why, `${label}: verify names the problem: ${v.stderr}`);
  assert.ok(v.stderr.includes(file), `${label}: the message names the file: ${v.stderr}`);
  const target = scratch();
  writeFileSync(join(target, 'unrelated.txt'), 'keep me');
  const before = tree(target);
  const r = crmRun(['restore', '--from', file, '--db', join(target, 'data', 'crm.db')]);
  assert.equal(r.status, 1, `${label}: restore must fail:\n${r.stdout}${r.stderr}`);
  assert.match(r.stderr, why, `${label}: restore names the problem: ${r.stderr}`);
  assert.match(r.stderr, /nothing was restored/, label);
  assert.deepEqual(tree(target), before, `${label}: the target folder is untouched`);
  assert.deepEqual(readdirSync(target).sort(), ['unrelated.txt'], `${label}: no staging folder or data/ left behind`);
}

// ---- PostgreSQL: refused with the right advice ----

test('crm backup on a PostgreSQL database says it is for SQLite and points to pg_dump', { skip: !PG }, async () => {
  const srv = await startServer();
  servers.push(srv);
  const r = crmRun(['backup', '--db', srv.db, '--to', join(scratch(), 'x.crmbak')]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /SQLite databases only/);
  assert.match(r.stderr, /pg_dump/);
  assert.doesNotMatch(r.stderr, /password=|:[^@/]*@/, 'no password in the message');
  const serve = crmRun(['serve', '--db', srv.db, '--listen', '127.0.0.1:1', '--backup-dir', scratch()]);
  assert.equal(serve.status, 2, serve.stderr);
  assert.match(serve.stderr, /pg_dump/);
  // The admin API answers on PostgreSQL too: no schedule, nothing to start.
  const g = await req(srv, 'GET', '/api/v1/system/backups');
  assert.equal(g.status, 200, g.text);
  assert.equal(g.body.schedule, null);
  assert.deepEqual(g.body.data, []);
  assert.equal((await req(srv, 'POST', '/api/v1/system/backups')).status, 409);
});

const sqlite = { skip: PG ? 'backups are for SQLite (PostgreSQL: pg_dump)' : false };

test('a backup taken with writes stopped restores exactly: records, counts, checksum and files', sqlite, async () => {
  const srv = await startServer();
  servers.push(srv);
  // Documents: files/ next to the database, nested, binary, empty.
  const files = join(srv.dir, 'files');
  mkdirSync(join(files, 'contracts', '2026'), { recursive: true });
  writeFileSync(join(files, 'contracts', '2026', 'acme.pdf'), Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 7919) % 256)));
  writeFileSync(join(files, 'readme.txt'), 'Grüße, 東京\n');
  writeFileSync(join(files, 'empty'), '');
  await pool(8, Array.from({ length: 60 }, (_, i) => i), async (i) => {
    const r = await req(srv, 'POST', i % 2 ? '/api/v1/companies' : '/api/v1/contacts',
      { body: i % 2 ? { name: `Firm ${i}`, tags: ['bk'] } : { first_name: 'Ann', last_name: `Lee ${i}`, emails: [`a${i}@x.example`] } });
    assert.equal(r.status, 201, r.text);
  });
  const source = await recordsSum(srv);
  const sourceFiles = tree(files);
  const out = join(scratch(), 'quiet.crmbak');
  const made = crmOk(['backup', '--db', srv.db, '--to', out]);
  assert.match(made, /written/);
  assert.ok(!existsSync(`${out}.tmp`), 'no .tmp left');
  // Changes after the backup must not be in it.
  assert.equal((await req(srv, 'POST', '/api/v1/companies', { body: { name: 'After the backup' } })).status, 201);
  writeFileSync(join(files, 'later.txt'), 'not in the backup');

  assert.match(crmOk(['backup', '--verify', out]), /OK/);
  const target = join(scratch(), 'data');
  const restored = crmOk(['restore', '--from', out, '--db', join(target, 'crm.db')]);
  assert.match(restored, /restored/);
  assert.deepEqual(tree(join(target, 'files')), sourceFiles, 'files/ restored byte for byte, nothing more');
  assert.equal(statSync(join(target, 'files', 'empty')).size, 0);
  const copy = await startServer({ db: join(target, 'crm.db') });
  servers.push(copy);
  const got = await recordsSum(copy);
  assert.deepEqual(got, source, 'the restored server lists the same records as the source at backup time');
  const find = await req(copy, 'GET', '/api/v1/companies?q=After%20the%20backup');
  assert.equal(find.body.data.length, 0, 'a record made after the backup is not in it');
  const search = await req(copy, 'GET', '/api/v1/contacts?q=Lee%2010');
  assert.ok(search.body.data.length >= 1, 'search indexes came along');
});

test('a backup taken under a write load holds every write acknowledged before it began, intact', sqlite, async () => {
  const srv = await startServer({ args: ['--threads', '8'] });
  servers.push(srv);
  const tag = 'load';
  // Notes make the database big enough that the copy takes a while.
  const stream = writeStream([srv], { tag, workers: 6, notes: 4000 });
  await waitUntil(() => stream.acked.length >= 300, 60000, '300 acknowledged writes');
  const ackedBefore = stream.acked.slice();
  const out = join(scratch(), 'load.crmbak');
  await run(BIN, ['backup', '--db', srv.db, '--to', out]);
  const ackedByEnd = stream.acked.length + 6; // plus those in flight
  await waitUntil(() => stream.acked.length >= ackedBefore.length + 50, 30000, 'writes going on after the backup');
  await stream.stop();
  assert.ok(stream.fails.length === 0, `writes failed during the backup: ${JSON.stringify(stream.fails.slice(0, 3))}`);
  assert.ok(stream.acked.length > ackedBefore.length, 'the load went on while the backup ran');

  assert.match(crmOk(['backup', '--verify', out]), /integrity check/);
  const target = join(scratch(), 'data');
  crmOk(['restore', '--from', out, '--db', join(target, 'crm.db')]);
  const copy = await startServer({ db: join(target, 'crm.db') });
  servers.push(copy);
  const stored = await listAll(copy, 'companies', `tag=${tag}`);
  const ids = new Set(stored.map((c) => c.id));
  const lost = ackedBefore.filter((a) => !ids.has(a.id));
  assert.deepEqual(lost, [], 'every write acknowledged before the backup began is in it');
  assert.ok(stored.length >= ackedBefore.length && stored.length <= ackedByEnd,
    `restored count ${stored.length} lies between ${ackedBefore.length} and ${ackedByEnd}`);
  const byId = new Map(stream.acked.map((a) => [a.id, a.name]));
  for (const c of stored) assert.equal(c.name, byId.get(c.id), `record ${c.id} restored whole`);
  // What is in the backup is a prefix of the acknowledged ids: a snapshot, not a mix.
  const maxId = Math.max(...stored.map((c) => c.id));
  const gaps = stream.acked.filter((a) => a.id <= maxId && !ids.has(a.id));
  assert.deepEqual(gaps, [], 'no acknowledged write older than the newest restored one is missing');
});

test('verify and restore refuse a truncated file, a flipped byte, an altered manifest; the target stays untouched', sqlite, async () => {
  const srv = await startServer();
  servers.push(srv);
  mkdirSync(join(srv.dir, 'files'), { recursive: true });
  writeFileSync(join(srv.dir, 'files', 'doc.bin'), Buffer.from(Array.from({ length: 300000 }, (_, i) => (i * 31 + (i >> 8)) % 256)));
  for (let i = 0; i < 30; i++) await req(srv, 'POST', '/api/v1/companies', { body: { name: `T ${i}` } });
  const dir = scratch();
  const good = join(dir, 'good.crmbak');
  crmOk(['backup', '--db', srv.db, '--to', good]);
  assert.match(crmOk(['backup', '--verify', good]), /OK/);
  // A work folder that cannot be made is said to be the trouble, not the backup.
  const noTmp = crmRun(['backup', '--verify', good], { TMPDIR: join(scratch(), 'no', 'such', 'folder') });
  assert.equal(noTmp.status, 1, noTmp.stderr);
  assert.match(noTmp.stderr, /was not checked: cannot make a work folder in .*no\/such\/folder: No such file or directory \(set TMPDIR/);
  assert.doesNotMatch(noTmp.stderr, /NOT OK/);
  const bytes = readFileSync(good);

  const truncated = join(dir, 'truncated.crmbak');
  writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
  assertRefused(truncated, /truncated|ends early|damaged/, 'truncated');

  const flipped = join(dir, 'flipped.crmbak');
  const f = Buffer.from(bytes);
  f[Math.floor(f.length / 2)] ^= 0x01;
  writeFileSync(flipped, f);
  assertRefused(flipped, /damaged|altered|checksum/, 'one byte flipped');

  // The manifest's checksum of the database changed, and the trailer
  // recomputed so that only the manifest is wrong.
  const raw = zstdDecompress(good);
  const { manifest } = parse(raw);
  const contents = [];
  let off = 16 + raw.readUInt32BE(12);
  for (const e of manifest.entries) {
    const plen = raw.readUInt16BE(off + 1);
    const size = Number(raw.readBigUInt64BE(off + 3 + plen));
    contents.push(raw.subarray(off + 11 + plen, off + 11 + plen + size));
    off += 11 + plen + size;
  }
  // Rebuilding the untouched manifest gives back a file that verifies: the crafting is faithful.
  const rebuilt = join(dir, 'rebuilt.crmbak');
  zstdCompress(build(manifest, contents), rebuilt);
  assert.match(crmOk(['backup', '--verify', rebuilt]), /OK/, 'a faithful rebuild verifies');
  const m2 = JSON.parse(JSON.stringify(manifest));
  const h = m2.entries[1].blake2b;
  m2.entries[1].blake2b = (h[0] === '0' ? '1' : '0') + h.slice(1);
  const tampered = join(dir, 'tampered.crmbak');
  zstdCompress(build(m2, contents), tampered);
  assertRefused(tampered, /files\/doc\.bin does not match its checksum/, 'manifest checksum altered');
  // The manifest altered without recomputing the trailer: caught as well.
  const m3 = JSON.parse(JSON.stringify(manifest));
  m3.created_at = '2020-01-01T00:00:00.000Z';
  const b3 = build(m3, contents);
  b3[b3.length - 1] ^= 0xff;
  const trailer = join(dir, 'trailer.crmbak');
  zstdCompress(b3, trailer);
  assertRefused(trailer, /trailer checksum/, 'trailer mismatch');
  // A file that is not a backup at all.
  const notBackup = join(dir, 'not.crmbak');
  writeFileSync(notBackup, 'just some text\n');
  assertRefused(notBackup, /damaged|not a crm backup/, 'not a backup');
});

test('hostile paths in a backup are refused before anything is written', sqlite, () => {
  const dir = scratch();
  const dbBytes = tinyDb(dir);
  const ok = Buffer.from('fine\n');
  // A well-formed control: the same construction with a safe path verifies.
  const control = join(dir, 'control.crmbak');
  zstdCompress(build(manifestOf([entry('database.sqlite', dbBytes), entry('files/ok.txt', ok)]), [dbBytes, ok]), control);
  assert.match(crmOk(['backup', '--verify', control]), /OK/, 'the crafted control file verifies');
  const evil = Buffer.from('owned\n');
  const cases = [
    ['files/../../escape.txt', /unsafe path/],
    ['files/a/../../../escape.txt', /unsafe path/],
    ['/tmp/escape.txt', /unsafe path/],
    ['files//double.txt', /unsafe path/],
    ['files/nul\u0000.txt', /unsafe path|not valid/],
    ['files/back\\slash', /unsafe path/],
    ['elsewhere/x.txt', /files\//],
  ];
  for (const [path, why] of cases) {
    const file = join(dir, `hostile-${cases.findIndex((c) => c[0] === path)}.crmbak`);
    zstdCompress(build(manifestOf([entry('database.sqlite', dbBytes), entry(path, evil)]), [dbBytes, evil]), file);
    assertRefused(file, why, `path ${JSON.stringify(path)}`);
  }
  assert.ok(!existsSync(join(tmpdir(), 'escape.txt')), 'nothing escaped into the temp folder');
  // A path that is both a file and a folder.
  const a = Buffer.from('a');
  const both = join(dir, 'both.crmbak');
  zstdCompress(build(manifestOf([entry('database.sqlite', dbBytes), entry('files/a', a), entry('files/a/b', a)]),
    [dbBytes, a, a]), both);
  assertRefused(both, /both a file and a folder/, 'file and folder');
  // Entries out of order (a repeat).
  const dup = join(dir, 'dup.crmbak');
  zstdCompress(build(manifestOf([entry('database.sqlite', dbBytes), entry('files/x', a), entry('files/x', a)]),
    [dbBytes, a, a]), dup);
  assertRefused(dup, /repeats or is out of order/, 'repeated path');
});

test('restore refuses a folder that holds a database unless --force, keeps the old one, and refuses a running server', sqlite, async () => {
  const srv = await startServer();
  servers.push(srv);
  await req(srv, 'POST', '/api/v1/companies', { body: { name: 'Source firm' } });
  const dir = scratch();
  const file = join(dir, 'b.crmbak');
  crmOk(['backup', '--db', srv.db, '--to', file]);
  const again = crmRun(['backup', '--db', srv.db, '--to', file]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already exists/, 'an existing backup file is never overwritten');

  const other = await startServer();
  servers.push(other);
  await req(other, 'POST', '/api/v1/companies', { body: { name: 'Target firm' } });
  // While its server runs: refused even with --force, nothing changed.
  const live = crmRun(['restore', '--from', file, '--db', other.db, '--force']);
  assert.equal(live.status, 1, live.stderr);
  assert.match(live.stderr, /in use/);
  assert.match(live.stderr, /stop crm serve/);
  // Stopped (its WAL folded into the file); its folder stays until after().
  other.child.kill('SIGTERM');
  assert.deepEqual(await waitExit(other.child, 10000), { code: 0, sig: null });
  const dbBytes = readFileSync(other.db);
  const refused = crmRun(['restore', '--from', file, '--db', other.db]);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /refuses to overwrite/);
  assert.match(refused.stderr, /--force/);
  assert.deepEqual(readFileSync(other.db), dbBytes, 'untouched without --force');
  const forced = crmOk(['restore', '--from', file, '--db', other.db, '--force']);
  const kept = forced.match(/kept as (\S+)/);
  assert.ok(kept, forced);
  assert.deepEqual(readFileSync(kept[1]), dbBytes, 'the replaced database is kept');
  const copy = await startServer({ db: other.db });
  servers.push(copy);
  const names = (await listAll(copy, 'companies')).map((c) => c.name);
  assert.ok(names.includes('Source firm') && !names.includes('Target firm'), names.join(','));
});

test('crm backup refuses a symbolic link in files/ and names it', sqlite, async () => {
  const srv = await startServer();
  servers.push(srv);
  mkdirSync(join(srv.dir, 'files'), { recursive: true });
  symlinkSync('/etc/passwd', join(srv.dir, 'files', 'link'));
  const out = join(scratch(), 'x.crmbak');
  const r = crmRun(['backup', '--db', srv.db, '--to', out]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /files\/link is a symbolic link/);
  assert.ok(!existsSync(out) && !existsSync(`${out}.tmp`), 'no backup file left');
  // Only the folder's lock stays (backups into a folder share it; see
  // core/backup.h): no work folder, no partial file.
  assert.deepEqual(readdirSync(join(out, '..')), ['.crm-backup.lock'], 'no work folder left');
});

test('the server backs up on its schedule, keeps the newest N of its own files, and lists them', sqlite, async () => {
  const dir = scratch();
  writeFileSync(join(dir, 'crm-backup-mine.crmbak'), 'an administrator\'s own file');
  const srv = await startServer({ args: ['--backup-dir', dir, '--backup-every', '2s', '--backup-keep', '2'] });
  servers.push(srv);
  const auto = () => readdirSync(dir).filter((n) => /^crm-backup-\d{8}-\d{6}-\d{3}-auto\.crmbak$/.test(n)).sort();
  const kept = (body) => body.data.filter((b) => b.kind === 'scheduled' && !b.removed)
    .map((b) => b.file.split('/').pop()).sort();
  const state = await waitUntil(async () => {
    const r = await req(srv, 'GET', '/api/v1/system/backups');
    const ok = r.body.data.filter((b) => b.kind === 'scheduled' && b.ok).length;
    return ok >= 4 && JSON.stringify(kept(r.body)) === JSON.stringify(auto()) && auto().length === 2 ? r.body : null;
  }, 30000, 'four scheduled backups, the newest two kept and listed as kept', 100);
  assert.deepEqual({ every_s: state.schedule.every_s, keep: state.schedule.keep }, { every_s: 2, keep: 2 });
  assert.equal(state.stale, false);
  assert.ok(state.data.filter((b) => b.removed).length >= 2, 'older runs are listed as removed');
  for (const b of state.data.filter((x) => x.ok)) {
    assert.ok(b.size > 0 && b.age_s >= 0, JSON.stringify(b));
  }
  const onDisk = auto();
  assert.ok(existsSync(join(dir, 'crm-backup-mine.crmbak')), 'files the schedule did not make are left alone');
  for (const n of onDisk) assert.match(crmOk(['backup', '--verify', join(dir, n)]), /OK/);
});

test('the backups API: admins only, "back up now" runs as a job, stale when the schedule has no good backup', sqlite, async () => {
  const dir = scratch();
  // --no-jobs: the schedule is set but nothing runs it, so it goes stale at once.
  const idle = await startServer({ args: ['--backup-dir', dir, '--backup-every', '1h', '--no-jobs'] });
  servers.push(idle);
  let r = await req(idle, 'GET', '/api/v1/system/backups');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.stale, true, 'a schedule with no good backup is stale');
  assert.equal(r.body.schedule.every_s, 3600);
  addUser(idle, 'manager@example.com', 'Tr0ub4dor&3-horse-staple');
  const mtoken = createToken(idle, 'manager@example.com');
  r = await req(idle, 'GET', '/api/v1/system/backups', { auth: mtoken });
  assert.equal(r.status, 403, r.text);
  r = await req(idle, 'POST', '/api/v1/system/backups', { auth: mtoken });
  assert.equal(r.status, 403, r.text);

  const plain = await startServer();
  servers.push(plain);
  r = await req(plain, 'GET', '/api/v1/system/backups');
  assert.equal(r.status, 200);
  assert.equal(r.body.schedule, null);
  assert.equal(r.body.stale, false, 'no schedule: never stale');
  r = await req(plain, 'POST', '/api/v1/system/backups');
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.detail, /--backup-dir/);

  const dir2 = scratch();
  const srv = await startServer({ args: ['--backup-dir', dir2, '--backup-every', '24h'] });
  servers.push(srv);
  await waitUntil(async () => (await req(srv, 'GET', '/api/v1/system/backups')).body.data.length >= 1, 20000, 'the first scheduled backup');
  r = await req(srv, 'POST', '/api/v1/system/backups');
  assert.equal(r.status, 202, r.text);
  assert.ok(r.body.job_id > 0);
  const listed = await waitUntil(async () => {
    const s = await req(srv, 'GET', '/api/v1/system/backups');
    return s.body.data.find((b) => b.kind === 'manual');
  }, 20000, 'the manual backup');
  assert.equal(listed.ok, true, JSON.stringify(listed));
  assert.match(listed.file, /-now\.crmbak$/);
  assert.ok(existsSync(listed.file));
  assert.match(crmOk(['backup', '--verify', listed.file]), /OK/);
});
