// Faults under the SQLite database: a full disk, a disk that turns read-only
// under the running server, a read-only disk at start, and a database locked
// by another process. Each case checks that a write answers a clear 5xx
// problem+json within a bound (no hang, no crash), reads keep working, nothing
// is corrupted (PRAGMA integrity_check with the sqlite3 CLI), acknowledged
// writes are all there and failed ones are not, and writes work again once
// the fault is gone.
//
// The disks are real file systems: a small tmpfs (full disk), and ext4 on a
// loop device mounted errors=remount-ro, forced read-only through
// /sys/fs/ext4/DEV/trigger_fs_error (what the kernel does on an I/O error;
// `mount -o remount,ro` itself is refused with EBUSY while the server holds
// the database open for writing). Needs root, mount, and for ext4 losetup and
// mkfs.ext4; a case that cannot set up its disk is skipped with the reason.
// SQLite only (CRM_TEST_PG is ignored: these are faults of the local file).
//
// Run: node --test tests/reliability/
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, crm } from '../lib/server.mjs';
import { freePort, serveDb } from '../lib/helpers.mjs';

delete process.env.CRM_TEST_PG; // startServer() would pick PostgreSQL otherwise

const ADMIN = 'admin@example.com';
const PASSWORD = 'correct horse battery staple';
// The busy timeout of the SQLite driver (src/store/sqlite.c) is 5 s; a write
// waiting for a lock must answer by then plus this margin.
const BUSY_BOUND_MS = 5000 + 5000;
const REQ_TIMEOUT_MS = 20000; // no request of these tests may take longer: a hang fails

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30000, ...opts });
  return { status: r.status, out: `${r.stdout || ''}${r.stderr || ''}`.trim(), error: r.error };
}
function must(cmd, args) {
  const r = run(cmd, args);
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.out} ${r.error || ''}`);
  return r.out;
}
const isRoot = process.getuid && process.getuid() === 0;

// Every mount made here, undone at the end whatever happens.
const mounts = [];
const loopImages = [];
function cleanupMounts() {
  for (const m of mounts.splice(0).reverse()) {
    run('umount', [m]);
    if (existsSync(m)) run('umount', ['-l', m]);
    try { rmSync(m, { recursive: true, force: true }); } catch { /* still mounted */ }
  }
  for (const img of loopImages.splice(0)) rmSync(img, { force: true });
}
after(cleanupMounts);
process.on('exit', cleanupMounts);

function mountTmpfs(size) {
  const dir = mkdtempSync(join(tmpdir(), 'crm-disk-'));
  const r = run('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
  if (r.status !== 0) { rmSync(dir, { recursive: true, force: true }); return { error: r.out || String(r.error) }; }
  mounts.push(dir);
  return { dir };
}

function mountExt4(sizeMb) {
  const img = join(tmpdir(), `crm-disk-${process.pid}-${Date.now()}.img`);
  const dir = mkdtempSync(join(tmpdir(), 'crm-disk-'));
  loopImages.push(img);
  let r = run('truncate', ['-s', `${sizeMb}M`, img]);
  if (r.status === 0) r = run('mkfs.ext4', ['-q', '-F', img]);
  if (r.status === 0) r = run('mount', ['-o', 'loop,errors=remount-ro', img, dir]);
  if (r.status !== 0) { rmSync(dir, { recursive: true, force: true }); return { error: r.out || String(r.error) }; }
  mounts.push(dir);
  const dev = run('findmnt', ['-n', '-o', 'SOURCE', dir]).out.split('/').pop();
  const trigger = `/sys/fs/ext4/${dev}/trigger_fs_error`;
  if (!existsSync(trigger)) return { dir, img, error: `no ${trigger}` };
  return { dir, img, dev, trigger };
}

// Why a case cannot run here, or null. Probed once, at load time.
function probe(kind) {
  if (!isRoot) return 'needs root (it mounts file systems)';
  if (kind === 'ext4') {
    for (const tool of ['losetup', 'mkfs.ext4', 'findmnt', 'e2fsck']) {
      if (run('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is missing`;
    }
    const m = mountExt4(4);
    cleanupMounts();
    return m.error ? `cannot mount ext4 on a loop device: ${m.error}` : null;
  }
  const m = mountTmpfs('1m');
  cleanupMounts();
  return m.error ? `mount -t tmpfs failed: ${m.error}` : null;
}
const skipTmpfs = probe('tmpfs');
const skipExt4 = skipTmpfs || probe('ext4');
const skipSqlite = run('sqlite3', ['--version']).status === 0 ? null : 'the sqlite3 CLI is missing';

// A request that must answer within `ms`; {status, body, text, ms} or {error, ms}.
async function timed(srv, method, path, body, ms = REQ_TIMEOUT_MS) {
  const t0 = Date.now();
  const headers = { Authorization: `Bearer ${srv.token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  try {
    const r = await fetch(srv.url + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(ms),
    });
    const text = await r.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: r.status, headers: r.headers, body: json, text, ms: Date.now() - t0 };
  } catch (e) {
    return { error: e.name === 'TimeoutError' ? `no answer in ${ms} ms` : String(e), ms: Date.now() - t0 };
  }
}

// want: the status that tells what happened (507 full, 503 read-only or locked).
function assertServerError(r, label, want) {
  assert.ok(!r.error, `${label}: ${r.error}`);
  assert.ok(r.status >= 500 && r.status <= 599, `${label}: expected a 5xx, got ${r.status}: ${r.text}`);
  if (want) assert.equal(r.status, want, `${label}: ${r.text}`);
  const ct = r.headers.get('content-type') || '';
  assert.ok(ct.startsWith('application/problem+json'), `${label}: content-type ${ct}`);
  assert.equal(r.body && r.body.status, r.status, `${label}: problem status: ${r.text}`);
  assert.equal(typeof r.body.title, 'string', `${label}: problem title: ${r.text}`);
  return `${r.status} ${JSON.stringify({ title: r.body.title, detail: r.body.detail })}` +
    (r.headers.get('retry-after') ? ` Retry-After: ${r.headers.get('retry-after')}` : '') + ` in ${r.ms} ms`;
}

// What the server told its administrator: standard error minus access-log lines.
const adminLog = (srv) => srv.log().split('\n').filter((l) => l && !l.startsWith('{"ts"')).slice(-4).join(' | ');

function integrity(db) {
  const r = run('sqlite3', [db, 'PRAGMA integrity_check;']);
  assert.equal(r.status, 0, `sqlite3 integrity_check: ${r.out}`);
  assert.equal(r.out, 'ok', `integrity_check on ${db}: ${r.out}`);
}
const countContacts = (db) => Number(must('sqlite3', [db, 'SELECT count(*) FROM contacts;']));

let seq = 0;
const contact = (notesLen = 0) => ({
  first_name: 'Disk', last_name: `Fault ${++seq}`, emails: [`disk.${process.pid}.${seq}@example.com`],
  ...(notesLen ? { notes: 'n'.repeat(notesLen) } : {}),
});

async function createN(srv, n) {
  const ids = [];
  for (let i = 0; i < n; i++) {
    const r = await timed(srv, 'POST', '/api/v1/contacts', contact(500));
    assert.equal(r.status, 201, `seed POST: ${r.text || r.error}`);
    ids.push(r.body.id);
  }
  return ids;
}

async function readsWork(srv, ids, label) {
  for (const id of [ids[0], ids[ids.length - 1]]) {
    const r = await timed(srv, 'GET', `/api/v1/contacts/${id}`, undefined, 5000);
    assert.equal(r.status, 200, `${label}: GET contact ${id}: ${r.text || r.error}`);
  }
  const l = await timed(srv, 'GET', '/api/v1/contacts?limit=200', undefined, 5000);
  assert.equal(l.status, 200, `${label}: list: ${l.text || l.error}`);
  const s = await timed(srv, 'GET', '/api/v1/search?q=Fault', undefined, 5000);
  assert.equal(s.status, 200, `${label}: search: ${s.text || s.error}`);
}

function initDb(db) {
  crm(['init', '--db', db, '--admin-email', ADMIN, '--admin-name', 'Ada Admin'], { CRM_ADMIN_PASSWORD: PASSWORD });
}

// Every id answered 201 is readable, and the database holds exactly those.
async function acknowledgedPresent(srv, db, ids, label) {
  for (const id of ids) {
    const r = await timed(srv, 'GET', `/api/v1/contacts/${id}`, undefined, 5000);
    assert.equal(r.status, 200, `${label}: acknowledged contact ${id}: ${r.text || r.error}`);
  }
  assert.equal(countContacts(db), ids.length, `${label}: contacts in the database vs acknowledged writes`);
}

test('full disk: writes answer a clear 5xx, reads work, nothing is corrupted, writes recover', {
  skip: skipTmpfs || skipSqlite || undefined, timeout: 180000,
}, async (t) => {
  const m = mountTmpfs('6m');
  assert.ok(!m.error, m.error);
  const db = join(m.dir, 'crm.db');
  initDb(db);
  const srv = await startServer({ db });
  try {
    const ids = await createN(srv, 20);

    // Fill the file system: big chunks, then pages, until ENOSPC.
    const filler = join(m.dir, 'filler');
    const fd = openSync(filler, 'w');
    for (const size of [1 << 20, 65536, 4096, 512]) {
      const chunk = Buffer.alloc(size, 0x55);
      for (;;) { try { writeSync(fd, chunk); } catch (e) { assert.equal(e.code, 'ENOSPC'); break; } }
    }
    closeSync(fd);
    t.diagnostic(`disk full: ${must('df', ['-k', m.dir]).split('\n').pop()}`);

    // Writes: some may still fit in space SQLite already holds (WAL pages);
    // within a bounded number of attempts one must fail, clearly and in time.
    let failed = null;
    for (let i = 0; i < 200 && !failed; i++) {
      const r = await timed(srv, 'POST', '/api/v1/contacts', contact(4000));
      assert.ok(!r.error, `POST ${i} on a full disk: ${r.error}`);
      if (r.status === 201) { ids.push(r.body.id); continue; }
      failed = r;
    }
    assert.ok(failed, 'no write failed on a full disk after 200 attempts');
    const how = assertServerError(failed, 'POST on a full disk', 507);
    t.diagnostic(`POST on a full disk: ${how} (after ${ids.length - 20} more writes fitted)`);
    t.diagnostic(`server log: ${adminLog(srv)}`);
    const patch = await timed(srv, 'PATCH', `/api/v1/contacts/${ids[0]}`, { notes: 'x'.repeat(8000) });
    if (patch.status !== 200) t.diagnostic(`PATCH on a full disk: ${assertServerError(patch, 'PATCH on a full disk')}`);
    else t.diagnostic('PATCH on a full disk: 200 (it fitted in space SQLite held)');
    assert.equal(srv.exited(), null, `the server exited on a full disk:\n${srv.log()}`);
    const hz = await timed(srv, 'GET', '/healthz', undefined, 5000);
    t.diagnostic(`GET /healthz on a full disk: ${hz.status || hz.error}`);
    await readsWork(srv, ids, 'full disk');
    integrity(db);

    // Space returns: writes succeed again at once.
    unlinkSync(filler);
    const ok = await timed(srv, 'POST', '/api/v1/contacts', contact(4000));
    assert.equal(ok.status, 201, `POST after space returned: ${ok.text || ok.error}`);
    ids.push(ok.body.id);
    await acknowledgedPresent(srv, db, ids, 'after the full disk');
    integrity(db);
  } finally {
    const res = await srv.stop();
    t.diagnostic(`exit on SIGTERM: ${JSON.stringify(res)}`);
  }
  integrity(db);
});

test('read-only disk under the running server (ext4 errors=remount-ro): clear 5xx, reads work, recovery', {
  skip: skipExt4 || skipSqlite || undefined, timeout: 180000,
}, async (t) => {
  const m = mountExt4(16);
  assert.ok(!m.error, m.error);
  const db = join(m.dir, 'crm.db');
  initDb(db);
  const srv = await startServer({ db });
  const ids = [];
  let stopped = false;
  try {
    ids.push(...await createN(srv, 20));
    // The server runs SQLite with synchronous=NORMAL: a commit reaches the
    // WAL file but is fsynced only at checkpoints, so the kernel's page cache
    // holds the last ones. An I/O error that aborts the journal drops that
    // cache, like a power cut. Here the first 20 are flushed (syncfs) and
    // must survive; 5 more are left unsynced and their fate is reported.
    must('sync', ['-f', db]);
    const synced = ids.length;
    ids.push(...await createN(srv, 5));
    // The plain way is refused while the server has the file open for writing.
    const rr = run('mount', ['-o', 'remount,ro', m.dir]);
    t.diagnostic(`mount -o remount,ro with the server running: exit ${rr.status} (${rr.out.split('\n')[0]})`);
    if (rr.status === 0) must('mount', ['-o', 'remount,rw', m.dir]);

    // What the kernel does on an I/O error with errors=remount-ro.
    must('sh', ['-c', `echo 1 > ${m.trigger}`]);
    const opts = must('findmnt', ['-n', '-o', 'OPTIONS', m.dir]);
    assert.match(opts, /(^|,)ro(,|$)|emergency_ro/, `the file system should be read-only now: ${opts}`);

    const w = await timed(srv, 'POST', '/api/v1/contacts', contact(4000));
    t.diagnostic(`POST on a read-only disk: ${assertServerError(w, 'POST on a read-only disk', 503)}`);
    const p = await timed(srv, 'PATCH', `/api/v1/contacts/${ids[0]}`, { notes: 'read-only' });
    t.diagnostic(`PATCH on a read-only disk: ${assertServerError(p, 'PATCH on a read-only disk')}`);
    t.diagnostic(`server log: ${adminLog(srv)}`);
    const w2 = await timed(srv, 'POST', '/api/v1/contacts', contact(10));
    assertServerError(w2, 'second POST on a read-only disk');
    assert.equal(srv.exited(), null, `the server exited on a read-only disk:\n${srv.log()}`);
    const hz = await timed(srv, 'GET', '/healthz', undefined, 5000);
    t.diagnostic(`GET /healthz on a read-only disk: ${hz.status || hz.error}`);
    await readsWork(srv, ids, 'read-only disk');

    // Recovery as an administrator does it: stop, unmount, fsck, mount, start.
    const res = await srv.stop();
    stopped = true;
    t.diagnostic(`exit on SIGTERM with the disk read-only: ${JSON.stringify(res)}`);
    must('umount', [m.dir]);
    const fsck = run('e2fsck', ['-f', '-y', m.img]);
    assert.ok(fsck.status === 0 || fsck.status === 1, `e2fsck: ${fsck.status} ${fsck.out}`);
    must('mount', ['-o', 'loop,errors=remount-ro', m.img, m.dir]);
    integrity(db);
    const srv2 = await startServer({ db });
    try {
      const ok = await timed(srv2, 'POST', '/api/v1/contacts', contact(100));
      assert.equal(ok.status, 201, `POST after recovery: ${ok.text || ok.error}`);
      for (const id of ids.slice(0, synced)) {
        const r = await timed(srv2, 'GET', `/api/v1/contacts/${id}`, undefined, 5000);
        assert.equal(r.status, 200, `contact ${id}, acknowledged and synced before the fault: ${r.text || r.error}`);
      }
      let kept = 0;
      for (const id of ids.slice(synced)) {
        const r = await timed(srv2, 'GET', `/api/v1/contacts/${id}`, undefined, 5000);
        if (r.status === 200) kept++;
      }
      t.diagnostic(`acknowledged but not yet synced when the disk failed: ${kept} of ${ids.length - synced} survived`);
      const n = countContacts(db);
      assert.ok(n >= synced + 1 && n <= ids.length + 1, `contacts in the database: ${n}; acknowledged ${ids.length + 1}`);
      ids.push(ok.body.id);
    } finally {
      await srv2.stop();
    }
    integrity(db);
  } finally {
    if (!stopped) await srv.stop();
  }
});

test('read-only disk at start: the server refuses clearly or serves reads; recovery after remount rw', {
  skip: skipTmpfs || skipSqlite || undefined, timeout: 120000,
}, async (t) => {
  const m = mountTmpfs('8m');
  assert.ok(!m.error, m.error);
  const db = join(m.dir, 'crm.db');
  initDb(db);
  const srv = await startServer({ db });
  const ids = await createN(srv, 5);
  const token = srv.token;
  await srv.stop();
  must('mount', ['-o', 'remount,ro', m.dir]);
  const port = await freePort();
  let s = null;
  try {
    s = await serveDb(db, port);
  } catch (e) {
    // Refusing to start is acceptable if it says why.
    t.diagnostic(`crm serve on a read-only disk did not start: ${String(e.message).split('\n').slice(0, 6).join(' | ')}`);
    assert.match(e.message, /read-only|readonly|read only|cannot|permission/i, 'the refusal should name the cause');
  }
  if (s) {
    try {
      const fake = { url: s.url, token };
      const hz = await timed(fake, 'GET', '/healthz', undefined, 5000);
      t.diagnostic(`started on a read-only disk; /healthz ${hz.status || hz.error}`);
      await readsWork(fake, ids, 'read-only at start');
      const w = await timed(fake, 'POST', '/api/v1/contacts', contact(10));
      t.diagnostic(`POST on a read-only disk (at start): ${assertServerError(w, 'POST, read-only at start')}`);
    } finally {
      s.child.kill('SIGTERM');
      await s.exitedP;
    }
  }
  must('mount', ['-o', 'remount,rw', m.dir]);
  integrity(db);
  const srv2 = await startServer({ db });
  try {
    const ok = await timed(srv2, 'POST', '/api/v1/contacts', contact(10));
    assert.equal(ok.status, 201, `POST after remount rw: ${ok.text || ok.error}`);
    ids.push(ok.body.id);
    await acknowledgedPresent(srv2, db, ids, 'after remount rw');
  } finally {
    await srv2.stop();
  }
});

// Holds the write lock: sqlite3 with BEGIN IMMEDIATE, kept open until release().
async function holdWriteLock(db) {
  const p = spawn('sqlite3', [db], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d) => { out += d; });
  p.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((ok) => p.on('exit', ok));
  p.stdin.write("PRAGMA busy_timeout=10000;\nBEGIN IMMEDIATE;\nSELECT 'locked';\n");
  const deadline = Date.now() + 15000;
  while (!out.includes('locked')) {
    if (Date.now() > deadline) { p.kill('SIGKILL'); throw new Error(`sqlite3 did not take the lock: ${out}`); }
    await new Promise((ok) => setTimeout(ok, 20));
  }
  return {
    async release() {
      p.stdin.end('COMMIT;\n.quit\n');
      const t = setTimeout(() => p.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
    kill() { p.kill('SIGKILL'); },
  };
}

test('database locked by another process: a write answers a clear 5xx within the busy bound, then recovers', {
  skip: skipSqlite || undefined, timeout: 120000,
}, async (t) => {
  const srv = await startServer();
  let lock = null;
  try {
    const ids = await createN(srv, 3);
    lock = await holdWriteLock(srv.db);
    const w = await timed(srv, 'POST', '/api/v1/contacts', contact(10));
    const how = assertServerError(w, 'POST with the database locked', 503);
    t.diagnostic(`POST with the database locked: ${how}`);
    t.diagnostic(`server log: ${adminLog(srv)}`);
    assert.ok(w.ms >= 4000, `the write should wait for the busy timeout (5 s) first, answered in ${w.ms} ms`);
    assert.ok(w.ms <= BUSY_BOUND_MS, `the write should answer within ${BUSY_BOUND_MS} ms, took ${w.ms}`);
    const p = await timed(srv, 'PATCH', `/api/v1/contacts/${ids[0]}`, { notes: 'locked' });
    t.diagnostic(`PATCH with the database locked: ${assertServerError(p, 'PATCH with the database locked')}`);
    // Readers are not blocked by a writer in WAL mode.
    const t0 = Date.now();
    await readsWork(srv, ids, 'database locked');
    assert.ok(Date.now() - t0 < 3000, `reads waited ${Date.now() - t0} ms behind the lock`);
    await lock.release();
    lock = null;
    const ok = await timed(srv, 'POST', '/api/v1/contacts', contact(10));
    assert.equal(ok.status, 201, `POST after the lock was released: ${ok.text || ok.error}`);
    ids.push(ok.body.id);
    await acknowledgedPresent(srv, srv.db, ids, 'after the lock');

    // A lock held for less than the busy timeout: the write waits and succeeds.
    lock = await holdWriteLock(srv.db);
    const pending = timed(srv, 'POST', '/api/v1/contacts', contact(10));
    await new Promise((res) => setTimeout(res, 1500));
    await lock.release();
    lock = null;
    const late = await pending;
    assert.equal(late.status, 201, `POST during a 1.5 s lock should wait and succeed: ${late.text || late.error}`);
    t.diagnostic(`POST during a 1.5 s lock: 201 in ${late.ms} ms`);
    ids.push(late.body.id);
    await acknowledgedPresent(srv, srv.db, ids, 'after the short lock');
    integrity(srv.db);
  } finally {
    if (lock) lock.kill();
    await srv.stop();
  }
});
