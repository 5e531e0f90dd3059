// Background jobs: several servers on one database share the work, a job
// runs once, and a job whose server was killed mid-run is taken over when
// its lease ends. Runs on SQLite, and on PostgreSQL when CRM_TEST_PG is set.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, crm, PG, pgSql } from '../lib/server.mjs';
import { stopClean } from '../lib/helpers.mjs';

// Stopped newest first: a later server may use an earlier one's database.
const servers = [];
const killed = new Set();
after(async () => {
  for (const s of servers.reverse()) {
    if (killed.has(s)) await s.stop(); // only removes its folder
    else await stopClean(s);
  }
});

function query(db, sql) {
  const out = PG ? pgSql(sql, db)
    : execFileSync('sqlite3', ['-batch', '-cmd', '.timeout 10000', '-noheader', '-list', db, sql], { encoding: 'utf8' });
  return out.trim();
}

async function until(what, ms, fn) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

const pending = (db) => Number(query(db, "SELECT COUNT(*) FROM jobs WHERE kind = 'noop' AND done_at IS NULL"));

test('two servers share the queued jobs and each job is done exactly once', async () => {
  const a = await startServer({ args: ['--job-lease', '2'] });
  servers.push(a);
  const b = await startServer({ db: a.db, args: ['--job-lease', '2'] });
  servers.push(b);
  assert.match(crm(['jobs', 'ping', '--db', a.db, '--count', '200', '--ms', '5']), /queued 200 jobs/);
  await until('all jobs done', 30000, () => pending(a.db) === 0);
  const twice = query(a.db, "SELECT COUNT(*) FROM (SELECT job_id FROM job_runs WHERE outcome = 'done' GROUP BY job_id HAVING COUNT(*) > 1) x");
  assert.equal(twice, '0', 'no job is done twice');
  const done = query(a.db, "SELECT COUNT(*) FROM jobs WHERE kind = 'noop' AND done_at IS NOT NULL");
  assert.equal(done, '200');
  const listed = crm(['jobs', 'list', '--db', a.db, '--limit', '5']);
  assert.match(listed, /noop/);
});

test('a job whose server is killed mid-run is taken over after its lease', async () => {
  const a = await startServer({ args: ['--job-lease', '1'] });
  servers.push(a);
  // Runs of a second each, and the kill only once one began under 300 ms
  // ago: the kill then lands inside a run. With short runs it could land
  // between one run's end and the next one's claim, leaving nothing
  // unfinished to look for (seen under load on both databases).
  crm(['jobs', 'ping', '--db', a.db, '--count', '8', '--ms', '1000']);
  await until('a job that has just started', 15000, () =>
    Number(query(a.db, 'SELECT COUNT(*) FROM job_runs WHERE outcome IS NULL ' +
      `AND finished_at IS NULL AND started_at > ${Date.now() - 300}`)) > 0);
  killed.add(a);
  a.child.kill('SIGKILL');
  await new Promise((ok) => a.child.once('exit', ok));
  const stranded = Number(query(a.db, "SELECT COUNT(*) FROM jobs WHERE kind = 'noop' AND done_at IS NULL"));
  assert.ok(stranded > 0, 'the killed server left work behind');
  const b = await startServer({ db: a.db, args: ['--job-lease', '1'] });
  servers.push(b);
  await until('the other server finishes everything', 30000, () => pending(a.db) === 0);
  const abandoned = Number(query(a.db, 'SELECT COUNT(*) FROM job_runs WHERE outcome IS NULL'));
  assert.ok(abandoned >= 1, 'the killed run stays recorded as unfinished');
  const twice = query(a.db, "SELECT COUNT(*) FROM (SELECT job_id FROM job_runs WHERE outcome = 'done' GROUP BY job_id HAVING COUNT(*) > 1) x");
  assert.equal(twice, '0');
});

test('crm jobs refuses bad numbers with a message', () => {
  assert.throws(() => crm(['jobs', 'ping', '--db', '/nonexistent/x.db', '--count', '0']),
    (e) => /--count must be 1 to 100000/.test(e.stderr));
  assert.throws(() => crm(['jobs', 'list', '--limit', 'lots']),
    (e) => /--limit must be/.test(e.stderr));
});

// The rights predicates need the planner to know how many records an owner
// has: the server keeps statistics fresh from a recurring job.
test('the server schedules fresh planner statistics, and the job writes them', async () => {
  const a = await startServer();
  servers.push(a);
  const stats = PG ? "SELECT COUNT(*) FROM pg_stat_user_tables WHERE relname = 'contacts' AND last_analyze IS NOT NULL"
    : "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'";
  await until('the analyze job is queued', 10000, () =>
    Number(query(a.db, "SELECT COUNT(*) FROM jobs WHERE kind = 'analyze' AND done_at IS NULL")) === 1);
  const before = Number(query(a.db, stats));
  // Due now rather than a minute after start; it then comes back in hours.
  query(a.db, "UPDATE jobs SET run_at = 0 WHERE kind = 'analyze'");
  await until('the analyze job ran and comes back in hours', 15000, () =>
    Number(query(a.db, "SELECT run_at FROM jobs WHERE kind = 'analyze' AND done_at IS NULL")) > Date.now() + 60 * 60 * 1000);
  assert.ok(Number(query(a.db, stats)) > before, 'statistics written');
  assert.equal(Number(query(a.db, "SELECT COUNT(*) FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.kind = 'analyze' AND r.outcome = 'done'")), 1);
});

// Under steady reading SQLite's automatic checkpoints cannot reset the
// write-ahead log, so the server truncates it from a recurring job.
test('the WAL checkpoint job empties the write-ahead log', { skip: PG ? 'SQLite only' : false }, async () => {
  const { statSync } = await import('node:fs');
  const a = await startServer();
  servers.push(a);
  const notes = 'x'.repeat(10000);
  for (let i = 0; i < 20; i++) {
    await Promise.all(Array.from({ length: 10 }, (_, k) => fetch(`${a.url}/api/v1/companies`, {
      method: 'POST', headers: { Authorization: `Bearer ${a.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `WAL ${i}-${k}`, notes }),
    }).then((r) => r.text())));
  }
  const wal = `${a.db}-wal`;
  const before = statSync(wal).size;
  assert.ok(before > 1000000, `the log grew: ${before} bytes`);
  assert.equal(Number(query(a.db, "SELECT COUNT(*) FROM jobs WHERE kind = 'wal_checkpoint' AND done_at IS NULL")), 1);
  query(a.db, "UPDATE jobs SET run_at = 0 WHERE kind = 'wal_checkpoint'");
  await until('the checkpoint ran and comes back in minutes', 15000, () =>
    Number(query(a.db, "SELECT run_at FROM jobs WHERE kind = 'wal_checkpoint'")) > Date.now() + 5 * 60 * 1000);
  const after = statSync(wal).size;
  assert.ok(after < before / 10, `emptied: ${before} -> ${after} bytes`);
});
