// Business processes on two servers sharing one PostgreSQL database: the
// deadline timers of many running instances fire (claimed by either
// server's job runner) while users answer the same steps through both
// servers. Every instance moves on exactly once: it ends once, and either
// its task was answered in time or its deadline branch ran, never both.
// A schedule trigger's occurrence, due on both servers at once, runs once:
// one instance per matching deal, one audited run, the job re-armed.
// Runs when CRM_TEST_PG is set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, PG, pgSql } from '../lib/server.mjs';
import { stopClean, req, createOk } from '../lib/helpers.mjs';
import { pool, waitUntil } from '../lib/load.mjs';

const skip = PG ? false : 'CRM_TEST_PG is not set: PostgreSQL tests run from scripts/check.sh';
let A;
let B;

before(async () => {
  if (!PG) return;
  A = await startServer();
  B = await startServer({ db: A.db });
});
after(async () => {
  if (B) await B.stop();
  if (A) await stopClean(A);
});

test('deadline timers and answers racing on two servers move each instance on once', { skip, timeout: 120000 }, async () => {
  const t = await req(A, 'POST', '/api/v1/process-templates', { body: {
    key: 'race', name: 'Race', entity: 'deals', trigger: { type: 'manual' }, start: 'call',
    steps: [
      { id: 'call', kind: 'task', name: 'Call', responsible: 'record_owner',
        deadline: { amount: 1, unit: 'hours', on_overdue: { action: 'branch', step: 'late' } }, next: 'done' },
      { id: 'late', kind: 'notify', name: 'Late', to: ['record_owner'], text: 'Late {{record.name}}', next: 'done' },
      { id: 'done', kind: 'end', name: 'Done' },
    ] } });
  assert.equal(t.status, 201, t.text);
  const N = 30;
  const insts = [];
  for (let i = 0; i < N; i++) {
    const d = await createOk(A, 'deals', { title: `Race ${i}`, amount: 1 });
    const r = await req(i % 2 ? B : A, 'POST', '/api/v1/process-instances',
      { body: { template_id: t.body.id, entity: 'deals', record_id: d.id } });
    assert.equal(r.status, 201, r.text);
    insts.push(r.body);
  }
  // All deadlines fall due at once; at the same time every step is answered.
  pgSql("UPDATE jobs SET run_at = 0 WHERE kind = 'process_timer' AND done_at IS NULL", A.db);
  const answers = await pool(8, insts, async (inst, i) => {
    const step = inst.steps.find((s) => s.status === 'waiting');
    const r = await req(i % 2 ? A : B, 'POST', `/api/v1/process-steps/${step.id}/complete`, { body: {} });
    assert.ok(r.status === 200 || r.status === 409, r.text);
    return r.status;
  });
  await waitUntil(() => Number(pgSql(`SELECT COUNT(*) FROM process_instances WHERE template_id = ${t.body.id} AND status <> 'completed'`, A.db).trim()) === 0,
    60000, 'every instance completed', 200);
  await waitUntil(() => Number(pgSql("SELECT COUNT(*) FROM jobs WHERE kind = 'process_timer' AND done_at IS NULL", A.db).trim()) === 0,
    60000, 'every timer done', 200);
  let inTime = 0;
  for (const inst of insts) {
    const r = await req(A, 'GET', `/api/v1/process-instances/${inst.id}`);
    const path = r.body.steps.map((s) => `${s.step_id}:${s.status}`);
    assert.equal(r.body.steps.filter((s) => s.step_id === 'done').length, 1, path.join(' '));
    if (path[0] === 'call:done') {
      assert.deepEqual(path, ['call:done', 'done:done']);
      inTime++;
    } else {
      assert.deepEqual(path, ['call:skipped', 'late:done', 'done:done']);
    }
  }
  assert.equal(inTime, answers.filter((s) => s === 200).length, 'each 200 answer is the path taken');
  const twice = pgSql("SELECT COUNT(*) FROM (SELECT job_id FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.kind = 'process_timer' AND r.outcome = 'done' GROUP BY job_id HAVING COUNT(*) > 1) x", A.db).trim();
  assert.equal(twice, '0', 'no timer ran twice');
});

test('a schedule occurrence due on two servers runs once: one instance per matching deal', { skip, timeout: 120000 }, async () => {
  const N = 12;
  for (let i = 0; i < N; i++) await createOk(i % 2 ? B : A, 'deals', { title: `Scheduled ${i}`, amount: 4242 });
  await createOk(A, 'deals', { title: 'Not scheduled', amount: 1 });
  const t = await req(A, 'POST', '/api/v1/process-templates', { body: {
    key: 'sched_race', name: 'Schedule race', entity: 'deals',
    trigger: { type: 'schedule', cron: '0 9 * * 1-5', tz: 'Europe/Berlin', filter: { field: 'amount', op: 'eq', value: 4242 } },
    start: 'done', steps: [{ id: 'done', kind: 'end', name: 'Done' }] } });
  assert.equal(t.status, 201, t.text);
  const key = `process_schedule:${t.body.id}:1`;
  const count = (sql) => Number(pgSql(sql, A.db).trim());
  for (let occurrence = 1; occurrence <= 3; occurrence++) {
    pgSql(`UPDATE jobs SET run_at = 0 WHERE unique_key = '${key}'`, A.db);
    // Due now on both servers: each runner looks within its poll interval.
    await waitUntil(() => count(`SELECT run_at FROM jobs WHERE unique_key = '${key}'`) > Date.now(),
      60000, `occurrence ${occurrence} re-armed`, 100);
    assert.equal(count(`SELECT COUNT(*) FROM process_instances WHERE template_id = ${t.body.id}`), N * occurrence);
    assert.equal(count(`SELECT COUNT(*) FROM audit_log WHERE action = 'process.schedule_run' AND record_id = ${t.body.id}`), occurrence);
  }
  const perDeal = pgSql(`SELECT COUNT(*) FROM process_instances WHERE template_id = ${t.body.id} GROUP BY record_id HAVING COUNT(*) <> 3`, A.db).trim();
  assert.equal(perDeal, '', 'every matching deal got one instance per occurrence');
});
