// The `crm` command line: help, version, users, tokens, and how `serve` starts and stops.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { startServer, BIN } from '../lib/server.mjs';
import {
  stopClean, req, crmRun, crmOk, addUser, disableUser, setPassword, createToken, login, createOk, listAll,
  serveDb, freePort, waitExit,
} from '../lib/helpers.mjs';

let srv;
let scratch; // a folder with an initialised database that no server uses
let scratchDb;
before(async () => {
  srv = await startServer();
  scratch = mkdtempSync(join(tmpdir(), 'crm-cli-'));
  scratchDb = join(scratch, 'crm.db');
  crmOk(['init', '--db', scratchDb, '--admin-email', 'root@example.com', '--admin-name', 'Root'],
        { CRM_ADMIN_PASSWORD: 'granite meadow 123' });
});
after(async () => {
  await stopClean(srv);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const out = (r) => r.stdout + r.stderr;

test('crm --help describes the subcommands and exits 0', () => {
  const r = crmRun(['--help']);
  assert.equal(r.status, 0, out(r));
  for (const word of ['serve', 'init', 'user', 'token']) assert.match(r.stdout, new RegExp(`\\b${word}\\b`), `mentions ${word}`);
});

test('crm --version prints a version and exits 0', () => {
  const r = crmRun(['--version']);
  assert.equal(r.status, 0, out(r));
  assert.match(r.stdout, /\d+\.\d+/);
});

test('crm serve --help names its flags and exits 0', () => {
  const r = crmRun(['serve', '--help']);
  assert.equal(r.status, 0, out(r));
  assert.match(r.stdout, /--db\b/);
  assert.match(r.stdout, /--listen\b/);
});

test('crm user --help and crm token --help exit 0 and name their actions', () => {
  const u = crmRun(['user', '--help']);
  assert.equal(u.status, 0, out(u));
  for (const a of ['add', 'list', 'disable', 'passwd']) assert.match(u.stdout, new RegExp(`\\b${a}\\b`), `user --help mentions ${a}`);
  const t = crmRun(['token', '--help']);
  assert.equal(t.status, 0, out(t));
  for (const a of ['create', 'revoke']) assert.match(t.stdout, new RegExp(`\\b${a}\\b`), `token --help mentions ${a}`);
});

test('an unknown command or flag exits non-zero with a message on stderr', () => {
  const a = crmRun(['frobnicate']);
  assert.notEqual(a.status, 0);
  assert.match(a.stderr, /frobnicate/);
  const b = crmRun(['serve', '--no-such-flag']);
  assert.notEqual(b.status, 0);
  assert.match(b.stderr, /no-such-flag/);
});

test('crm user add / list / passwd / disable manage who can sign in', async () => {
  const email = 'carol@example.com';
  addUser(srv, email, 'first password 1', { name: 'Carol Кэрол' });
  const list = crmOk(['user', 'list', '--db', srv.db]);
  assert.match(list, /carol@example\.com/);
  assert.match(list, /admin@example\.com/);
  assert.equal((await login(srv, email, 'first password 1')).res.status, 200);
  const users = (await req(srv, 'GET', '/api/v1/users')).body.data;
  const carol = users.find((u) => u.email === email);
  assert.equal(carol.name, 'Carol Кэрол');
  assert.equal(carol.is_admin, false);
  assert.equal(carol.active, true);

  setPassword(srv, email, 'second password 2');
  assert.equal((await login(srv, email, 'first password 1')).res.status, 401, 'old password no longer works');
  assert.equal((await login(srv, email, 'second password 2')).res.status, 200, 'new password works');

  const line = () => crmOk(['user', 'list', '--db', srv.db]).split('\n').find((l) => l.includes(email));
  const active = line();
  disableUser(srv, email);
  assert.equal((await login(srv, email, 'second password 2')).res.status, 401, 'disabled user cannot sign in');
  const after = (await req(srv, 'GET', '/api/v1/users')).body.data.find((u) => u.email === email);
  assert.equal(after.active, false);
  const disabled = line();
  assert.notEqual(disabled, active, 'user list shows the change');
  assert.match(disabled, /(no|false|disabled|inactive)\s*$/i, `user list shows carol is disabled: ${disabled}`);

  crmOk(['user', 'enable', '--db', srv.db, '--email', email]);
  assert.equal((await login(srv, email, 'second password 2')).res.status, 200, 'enabled again');
});

test('crm user add without CRM_PASSWORD and no terminal prints a generated password that works', async () => {
  const env = { ...process.env };
  delete env.CRM_PASSWORD;
  const r = spawnSync(BIN, ['user', 'add', '--db', srv.db, '--email', 'gen@example.com', '--name', 'Gen'],
                      { env, encoding: 'utf8', timeout: 10000, stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(r.status, 0, `does not hang or fail: ${r.signal} ${r.stdout}${r.stderr}`);
  const said = (r.stdout + r.stderr).split('\n').find((l) => /password/i.test(l));
  assert.ok(said, `prints the generated password: ${r.stdout}${r.stderr}`);
  const password = said.trim().split(/\s+/).pop();
  assert.ok(password.length >= 12, `generated password is long: ${password}`);
  assert.equal((await login(srv, 'gen@example.com', password)).res.status, 200);
});

test('crm user add refuses a duplicate email and a bad email', async () => {
  const dup = crmRun(['user', 'add', '--db', srv.db, '--email', srv.adminEmail, '--name', 'Dup'], { CRM_PASSWORD: 'tulip engine mosaic 9' });
  assert.notEqual(dup.status, 0, 'duplicate email refused');
  assert.ok(dup.stderr.length > 0, 'with a message');
  const bad = crmRun(['user', 'add', '--db', srv.db, '--email', 'not-an-email', '--name', 'Bad'], { CRM_PASSWORD: 'tulip engine mosaic 9' });
  assert.notEqual(bad.status, 0, 'bad email refused');
  const users = (await req(srv, 'GET', '/api/v1/users')).body.data.map((u) => u.email);
  assert.ok(!users.includes('not-an-email'), users.join());
  assert.equal(users.filter((e) => e === srv.adminEmail).length, 1);
});

test('crm token create for an unknown user fails', () => {
  const r = crmRun(['token', 'create', '--db', srv.db, '--user', 'ghost@example.com']);
  assert.notEqual(r.status, 0);
  assert.equal(r.stdout.trim(), '', 'no token printed');
  assert.match(r.stderr, /ghost@example\.com|not found|unknown|no such/i);
});

test('crm init on an existing database does not destroy its data', async () => {
  const c = await createOk(srv, 'companies', { name: 'Survives Re-init' });
  crmRun(['init', '--db', srv.db, '--admin-email', 'other@example.com', '--admin-name', 'Other'],
         { CRM_ADMIN_PASSWORD: 'other password 123' });
  const got = await req(srv, 'GET', `/api/v1/companies/${c.id}`);
  assert.equal(got.status, 200, got.text);
  assert.equal((await req(srv, 'GET', '/api/v1/auth/me')).status, 200, 'existing tokens still work');
});

test('crm serve on a port already in use exits non-zero naming the port', async () => {
  const blocker = net.createServer();
  await new Promise((ok) => blocker.listen(0, '127.0.0.1', ok));
  const { port } = blocker.address();
  try {
    const child = spawn(BIN, ['serve', '--db', scratchDb, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.stdout.on('data', (d) => { err += d; });
    const res = await waitExit(child, 10000);
    if (!res) child.kill('SIGKILL');
    assert.ok(res, 'crm serve should exit, not keep running');
    assert.notEqual(res.code, 0, `exit status ${JSON.stringify(res)}`);
    assert.ok(err.includes(String(port)), `message names port ${port}: ${err}`);
  } finally {
    await new Promise((ok) => blocker.close(ok));
  }
});

test('crm serve --db in a folder that does not exist exits non-zero with a clear message', async () => {
  const port = await freePort();
  const child = spawn(BIN, ['serve', '--db', '/nonexistent/dir/x.db', '--listen', `127.0.0.1:${port}`],
                      { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  child.stdout.on('data', (d) => { err += d; });
  const res = await waitExit(child, 10000);
  if (!res) child.kill('SIGKILL');
  assert.ok(res, 'crm serve should exit, not keep running');
  assert.notEqual(res.code, 0);
  assert.match(err, /\/nonexistent\/dir/, `message names the path: ${err}`);
});

test('SIGTERM during a stream of writes exits 0 and keeps every acknowledged write', async () => {
  const acked = [];
  let stop = false;
  let termSent;
  const reached = new Promise((ok) => { termSent = ok; });
  async function worker(w) {
    for (let i = 0; !stop; i++) {
      try {
        const r = await fetch(`${srv.url}/api/v1/companies`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${srv.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ name: `Stream ${w}-${i}`, notes: 'n'.repeat(2000), tags: ['stream'] }),
        });
        const text = await r.text();
        if (r.status === 201) acked.push(JSON.parse(text).id);
        else if (r.status < 500) assert.fail(`unexpected ${r.status}: ${text}`);
        if (acked.length >= 150) termSent();
      } catch (e) {
        if (e.code === 'ERR_ASSERTION') throw e;
        return; // the server went away
      }
    }
  }
  const workers = [0, 1, 2, 3].map(worker);
  await Promise.race([reached, Promise.all(workers)]);
  assert.ok(acked.length >= 150, `the stream got going before SIGTERM (${acked.length} writes)`);
  srv.child.kill('SIGTERM');
  const res = await waitExit(srv.child, 10000);
  stop = true;
  await Promise.all(workers);
  if (!res) srv.child.kill('SIGKILL');
  assert.ok(res, 'exits within 10 s of SIGTERM');
  assert.deepEqual(res, { code: 0, sig: null }, `exit status: ${srv.log().slice(-2000)}`);

  const check = spawnSync('sqlite3', [srv.db, 'PRAGMA integrity_check;'], { encoding: 'utf8' });
  if (check.status === 0) assert.equal(check.stdout.trim(), 'ok');

  const port = await freePort();
  const again = await serveDb(srv.db, port);
  try {
    const s2 = { ...srv, url: again.url };
    const stored = new Set((await listAll(s2, 'companies', 'tag=stream')).map((c) => c.id));
    const lost = acked.filter((id) => !stored.has(id));
    assert.deepEqual(lost, [], 'every write answered 201 is still there after restart');
    const one = await req(s2, 'GET', `/api/v1/companies/${acked[acked.length - 1]}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.notes.length, 2000, 'the last acknowledged record is whole');
  } finally {
    again.child.kill('SIGTERM');
    const r2 = await waitExit(again.child, 10000);
    if (!r2) again.child.kill('SIGKILL');
    assert.deepEqual(r2, { code: 0, sig: null }, again.log().slice(-2000));
    assert.doesNotMatch(again.log(), /ERROR: (Address|Leak)Sanitizer|runtime error:/);
  }
});

test('SIGTERM lets a request in flight finish, and idle connections do not hold the server up', async () => {
  const s = await startServer();
  const port = Number(new URL(s.url).port);
  const idle = Array.from({ length: 10 }, () => net.connect(port, '127.0.0.1').on('error', () => {}));
  const sock = net.connect(port, '127.0.0.1');
  let answer = '';
  sock.on('data', (d) => { answer += d; });
  sock.on('error', () => {});
  await new Promise((ok) => sock.once('connect', ok));
  const closed = new Promise((ok) => sock.once('close', ok));
  const body = JSON.stringify({ name: 'In Flight Co' });
  // Expect: 100-continue makes the server say when it has the headers: from
  // then on the request is in flight, whatever the load.
  sock.write(`POST /api/v1/companies HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${s.token}\r\n` +
             `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
             'Expect: 100-continue\r\nConnection: close\r\n\r\n');
  await new Promise((ok) => {
    const seen = () => { if (/^HTTP\/1\.1 100 /.test(answer)) { sock.off('data', seen); ok(); } };
    sock.on('data', seen);
    seen();
  });
  sock.write(body.slice(0, 5));
  const sawTerm = new Promise((ok) => {
    const check = () => { if (/SIGTERM/.test(s.log())) ok(); };
    s.child.stderr.on('data', check);
    s.child.stdout.on('data', check);
    check();
  });
  s.child.kill('SIGTERM');
  await sawTerm;
  sock.end(body.slice(5));
  await closed;
  const res = await waitExit(s.child, 8000);
  for (const i of idle) i.destroy();
  assert.match(answer, /^HTTP\/1\.1 100 [^]*\r\n\r\nHTTP\/1\.[01] 201 /, `the request in flight was answered: ${answer.slice(0, 300)}`);
  assert.deepEqual(res, { code: 0, sig: null }, 'exits 0 promptly once the request in flight is done');
  const again = await serveDb(s.db, await freePort());
  try {
    const r = await fetch(`${again.url}/api/v1/companies?q=${encodeURIComponent('In Flight')}`,
                          { headers: { Authorization: `Bearer ${s.token}` } });
    const data = (await r.json()).data;
    assert.equal(data.length, 1, 'the in-flight write was stored');
  } finally {
    again.child.kill('SIGTERM');
    await waitExit(again.child, 10000);
    await s.stop();
  }
});

test('a config file is read, and a bad one is refused naming the line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crm-config-'));
  try {
    const good = join(dir, 'good.conf');
    writeFileSync(good, '# settings\nthreads = 0\n');
    const r1 = spawnSync(BIN, ['serve', '--config', good, '--db', join(dir, 'x.db')], { encoding: 'utf8' });
    assert.notEqual(r1.status, 0);
    assert.match(r1.stderr, /--threads must be 1 to 64/, 'the value from the file was used');
    const bad = join(dir, 'bad.conf');
    writeFileSync(bad, 'listen = 127.0.0.1:1\ncolour = blue\n');
    const r2 = spawnSync(BIN, ['serve', '--config', bad], { encoding: 'utf8' });
    assert.notEqual(r2.status, 0);
    assert.match(r2.stderr, /bad\.conf:2: unknown setting 'colour'/);
    const noeq = join(dir, 'noeq.conf');
    writeFileSync(noeq, 'listen 127.0.0.1:1\n');
    const r3 = spawnSync(BIN, ['serve', '--config', noeq], { encoding: 'utf8' });
    assert.notEqual(r3.status, 0);
    assert.match(r3.stderr, /noeq\.conf:1: expected name = value/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('crm serve refuses bad upload and mail settings with exit 2, naming the flag', async () => {
  const s = await startServer();
  try {
    const cases = [
      [['--max-upload', '25Q'], /--max-upload takes a size such as 25M/],
      [['--max-upload', '0'], /--max-upload/],
      [['--max-documents', '0'], /--max-documents a count from 1 to 10000/],
      [['--max-documents', '5x'], /--max-documents/],
      [['--smtp-max-attempts', '0'], /--smtp-max-attempts must be 1 to 50/],
      [['--smtp-retry', 'forever'], /--smtp-retry a duration/],
      [['--smtp-url', 'ftp://x', '--smtp-from', 'crm@example.com'], /--smtp-url ftp:\/\/x: give smtp:\/\/HOST:PORT/],
      [['--smtp-url', 'smtp://127.0.0.1:1'], /--smtp-url needs --smtp-from/],
    ];
    for (const [args, said] of cases) {
      const r = crmRun(['serve', '--db', s.db, '--listen', '127.0.0.1:0', ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, said, args.join(' '));
    }
  } finally {
    await stopClean(s);
  }
});
