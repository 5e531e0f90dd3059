// PostgreSQL goes away under load: a fast restart, then a longer outage.
// While it is away, requests may fail, but only with a 5xx problem+json answer
// and without hanging; the server must not crash, must answer 200/201 again
// within a few seconds of PostgreSQL being back, and every write it
// acknowledged must be stored.
// This file starts its own throwaway cluster (scripts/pg.sh), so restarting it
// does not disturb the API tests running at the same time on CRM_TEST_PG's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startServer, crm, pgCreateDb, PG } from '../lib/server.mjs';
import { stopClean } from '../lib/helpers.mjs';
import { send, waitUntil, writeStream, assertAllStored, isProblem5xx, describe, logTail, log5xx } from '../lib/load.mjs';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const PGSH = join(ROOT, 'scripts/pg.sh');
const run = promisify(execFile);
const pgsh = async (...args) => (await run(PGSH, args, { encoding: 'utf8', timeout: 60000 })).stdout.trim();

// How soon after PostgreSQL is back the server must answer again.
const RECOVER_MS = 5000;

const skip = PG ? false : 'CRM_TEST_PG is not set: PostgreSQL tests run from scripts/check.sh';
let dir; // the cluster of this file
let base; // its URI
let srv;

before(async () => {
  if (!PG) return;
  dir = mkdtempSync(join(tmpdir(), 'crm-pg-restart-'));
  // Should the test process end without after() (a crash, Ctrl-C), the cluster still stops.
  const stopNow = () => {
    if (!dir) return;
    try { execFileSync(PGSH, ['stop', dir], { stdio: 'ignore', timeout: 30000 }); } catch { /* gone */ }
    rmSync(dir, { recursive: true, force: true });
    dir = null;
  };
  process.on('exit', stopNow);
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => { stopNow(); process.exit(sig === 'SIGINT' ? 130 : 143); });
  base = await pgsh('start', dir);
  const { uri } = pgCreateDb(base);
  crm(['init', '--db', uri, '--admin-email', 'admin@example.com', '--admin-name', 'Ada Admin'],
      { CRM_ADMIN_PASSWORD: 'correct horse battery staple' });
  srv = await startServer({ db: uri });
});
after(async () => {
  try {
    if (srv) await stopClean(srv);
  } finally {
    if (dir) {
      await pgsh('stop', dir).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
      dir = null;
    }
  }
});

const pgLog = () => { try { return readFileSync(join(dir, 'postgres.log'), 'utf8').split('\n').slice(-15).join('\n'); } catch { return ''; } };
const logs = () => `\n--- server ---\n${logTail(srv)}\n${log5xx(srv)}\n--- postgres ---\n${pgLog()}`;

// Reads interleaved with the writes: a list and one record, each 200 or a 5xx problem.
const reads = [];
async function alsoRead(s) {
  const r = await send(s, 'GET', '/api/v1/companies?limit=5&sort=-id');
  reads.push({ t: Date.now(), status: r.status, error: r.error, ct: r.ct, body: r.body, text: r.text && r.text.slice(0, 300) });
}

// The answers of a stream must be 201, or 5xx problem+json; never no answer.
function checkAnswers(stream, what) {
  const wrong = stream.fails.filter((f) => !(f.status >= 500 && f.ct.startsWith('application/problem+json')));
  assert.deepEqual(wrong.slice(0, 10), [], `${what}: ${wrong.length} writes failed other than with a 5xx problem+json: ${describe(wrong)}${logs()}`);
  const badProblem = stream.fails.filter((f) => {
    let b; try { b = JSON.parse(f.text); } catch { return true; }
    return !isProblem5xx({ status: f.status, ct: f.ct, body: b });
  });
  assert.deepEqual(badProblem.slice(0, 5), [], `${what}: malformed problem+json`);
  const wrongReads = reads.filter((r) => !(r.status === 200 || isProblem5xx(r)));
  assert.deepEqual(wrongReads.slice(0, 10), [], `${what}: reads answered other than 200 or 5xx problem+json${logs()}`);
}

// Waits until writes and reads that started after `since` succeed again.
async function recovered(stream, since, what) {
  const t0 = Date.now();
  await waitUntil(() => stream.answers.some((a) => a.start > since && a.status === 201) &&
                        reads.some((r) => r.t > since + 50 && r.status === 200) &&
                        // the most recent answers are all good: not one lucky connection
                        stream.answers.slice(-8).every((a) => a.status === 201),
                  RECOVER_MS, `${what}: 201s again within ${RECOVER_MS} ms after PostgreSQL is back${logs()}`);
  return Date.now() - t0;
}

test('pg_ctl restart (fast) during a stream of writes: no crash, back within seconds, no acknowledged write lost', { skip, timeout: 120000 }, async (t) => {
  const tag = 'restart';
  reads.length = 0;
  const stream = writeStream([srv], { tag, workers: 4, notes: 200, also: alsoRead });
  let back;
  let recoverMs;
  try {
    await waitUntil(() => stream.acked.length >= 100, 30000, '100 writes before the restart');
    const before = stream.answers.length;
    await pgsh('restart', dir);
    back = Date.now();
    assert.equal(srv.exited(), null, `the server survived the restart${logs()}`);
    recoverMs = await recovered(stream, back, 'after pg_ctl restart');
    const after = stream.acked.length;
    await waitUntil(() => stream.acked.length >= after + 100, 30000, '100 more writes after recovery');
    t.diagnostic(`requests during/around the restart: ${stream.answers.length - before}; 5xx answers: ${stream.fails.length} (${describe(stream.fails, 1)}); recovered ${recoverMs} ms after PostgreSQL was back`);
  } finally {
    await stream.stop();
  }
  assert.equal(srv.exited(), null, `the server is still running${logs()}`);
  checkAnswers(stream, 'pg_ctl restart');
  await assertAllStored(srv, tag, stream.acked, 'after pg_ctl restart', stream.fails);
  const h = await send(srv, 'GET', '/healthz');
  assert.equal(h.status, 200, h.text);
});

test('PostgreSQL down for two seconds: the server answers 5xx problem+json promptly, then recovers', { skip, timeout: 120000 }, async (t) => {
  const tag = 'outage';
  reads.length = 0;
  const stream = writeStream([srv], { tag, workers: 4, also: alsoRead, timeout: 10000 });
  let down;
  let upCalled; // when PostgreSQL was asked to start again
  let back; // when it had (pg_ctl start -w returned)
  let recoverMs;
  let during;
  try {
    await waitUntil(() => stream.acked.length >= 50, 30000, '50 writes before the outage');
    await pgsh('stop', dir);
    down = Date.now();
    // While it is down the server keeps answering (an error), it does not hang or die.
    await waitUntil(() => stream.answers.filter((a) => a.start > down && a.status >= 500).length >= 10, 10000,
                    `10 answers (5xx) while PostgreSQL is down${logs()}`);
    assert.equal(srv.exited(), null, `the server survived the outage${logs()}`);
    const hz = await send(srv, 'GET', '/healthz', { timeout: 5000 });
    t.diagnostic(`/healthz while PostgreSQL is down: ${hz.status || hz.error} ${hz.text || ''}`);
    assert.ok(hz.status, `/healthz answers while PostgreSQL is down: ${hz.error}`);
    await waitUntil(() => Date.now() - down >= 2000, 5000, 'two seconds of outage', 50);
    during = stream.answers.filter((a) => a.start > down);
    upCalled = Date.now();
    const again = await pgsh('start', dir);
    back = Date.now();
    assert.equal(again, base, 'PostgreSQL is back on the same port');
    recoverMs = await recovered(stream, back, 'after PostgreSQL came back');
    const after = stream.acked.length;
    await waitUntil(() => stream.acked.length >= after + 50, 30000, '50 more writes after recovery');
    const slow = during.filter((a) => a.t - a.start > 5000);
    t.diagnostic(`answers while down: ${during.length} (${describe(stream.fails, 1)}); slowest ${Math.max(0, ...during.map((a) => a.t - a.start))} ms; recovered ${recoverMs} ms after PostgreSQL was back`);
    assert.deepEqual(slow.slice(0, 5), [], 'no request waits more than 5 s while the database is down');
  } finally {
    await stream.stop();
  }
  assert.equal(srv.exited(), null, `the server is still running${logs()}`);
  checkAnswers(stream, 'outage');
  const acked = stream.acked.filter((a) => a.start > down && a.t < upCalled);
  assert.deepEqual(acked.map((a) => a.id), [], 'no write is acknowledged while the database is down');
  await assertAllStored(srv, tag, stream.acked, 'after the outage', stream.fails);
});

test('PostgreSQL crashes (immediate stop) under load: after crash recovery every acknowledged write is there', { skip, timeout: 120000 }, async (t) => {
  const tag = 'crash';
  reads.length = 0;
  const stream = writeStream([srv], { tag, workers: 4, notes: 300, also: alsoRead, timeout: 10000 });
  let recoverMs;
  try {
    await waitUntil(() => stream.acked.length >= 100, 30000, '100 writes before the crash');
    await pgsh('stop', dir, 'immediate');
    const again = await pgsh('start', dir); // crash recovery replays the WAL
    const back = Date.now();
    assert.equal(again, base, 'PostgreSQL is back on the same port');
    assert.equal(srv.exited(), null, `the server survived the crash${logs()}`);
    recoverMs = await recovered(stream, back, 'after crash recovery');
    const after = stream.acked.length;
    await waitUntil(() => stream.acked.length >= after + 50, 30000, '50 more writes after recovery');
    t.diagnostic(`5xx answers: ${stream.fails.length} (${describe(stream.fails, 1)}); recovered ${recoverMs} ms after PostgreSQL was back`);
  } finally {
    await stream.stop();
  }
  assert.equal(srv.exited(), null, `the server is still running${logs()}`);
  checkAnswers(stream, 'crash');
  await assertAllStored(srv, tag, stream.acked, 'after crash recovery', stream.fails);
});
