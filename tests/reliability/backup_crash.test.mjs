// Crash safety of backups: `crm serve` is killed with SIGKILL while it makes a
// backup (asked for over the API) and writers keep writing, several times at
// different moments. After each kill the database passes SQLite's integrity
// check and every acknowledged write is there; the backup folder never holds a
// partial backup under a backup's name, and what a killed backup left (its
// .tmp file and work folder) is cleared by the next one instead of piling up.
// At the end a backup completes, verifies, and restores to a database holding
// every company acknowledged before it started. SQLite only (PostgreSQL is
// backed up with pg_dump).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, PG } from '../lib/server.mjs';
import { listAll, waitExit, crmRun, tryCall as call } from '../lib/helpers.mjs';

const ROUNDS = Number(process.env.BACKUP_CRASH_ROUNDS || 6);

function sqlite(db, sql) {
  return execFileSync('sqlite3', [db, sql], { encoding: 'utf8', timeout: 60000 }).trim();
}


// Sent company names; true once the server answered 201.
const sent = new Map();

async function writer(srv, tag, stop) {
  for (let k = 0; !stop.now; k++) {
    const name = `bk ${tag} n${k}`;
    sent.set(name, false);
    const r = await call(srv, 'POST', '/api/v1/companies', { name, notes: 'x'.repeat(4000) });
    if (r.error) return;
    assert.equal(r.status, 201, r.text);
    sent.set(name, true);
  }
}

async function checkAcknowledged(srv, label) {
  const stored = new Set((await listAll(srv, 'companies')).map((c) => c.name));
  const missing = [...sent].filter(([n, ok]) => ok && !stored.has(n)).map(([n]) => n);
  assert.deepEqual(missing.slice(0, 10), [], `${label}: ${missing.length} acknowledged companies missing`);
  for (const [n] of sent) if (stored.has(n)) sent.set(n, true); // stored now, so it must stay
}

// What is in the backup folder, by kind.
function folder(dir) {
  const names = readdirSync(dir);
  return {
    backups: names.filter((n) => n.endsWith('.crmbak')),
    tmp: names.filter((n) => n.endsWith('.tmp')),
    work: names.filter((n) => n.startsWith('.crm-backup-')),
  };
}

test(`kill -9 during backups, ${ROUNDS} times: integrity holds, no partial backup, leftovers cleared`, { skip: PG ? 'SQLite backups only' : false }, async (t) => {
  const bdir = mkdtempSync(join(tmpdir(), 'crm-bk-'));
  const args = ['--backup-dir', bdir];
  const first = await startServer({ args });
  const db = first.db;
  let srv = first;
  const outcomes = [];
  try {
    // Enough data that a backup takes a while: about 12 MB.
    const seed = { now: false };
    const seeding = Array.from({ length: 6 }, (_, w) => writer(srv, `seed w${w}`, seed));
    while ([...sent.values()].filter(Boolean).length < 3000) await new Promise((ok) => setTimeout(ok, 50));
    seed.now = true;
    await Promise.all(seeding);

    for (let round = 0; round < ROUNDS; round++) {
      if (round > 0) srv = await startServer({ db, args });
      await checkAcknowledged(srv, `after restart ${round}`);
      const stop = { now: false };
      const writers = Array.from({ length: 3 }, (_, w) => writer(srv, `r${round} w${w}`, stop));
      const r = await call(srv, 'POST', '/api/v1/system/backups');
      assert.equal(r.status, 202, r.text);
      // A different moment of the backup each round: the snapshot, the
      // hashing, the compressed writing.
      await new Promise((ok) => setTimeout(ok, 20 + ((round * 173) % 600)));
      srv.child.kill('SIGKILL');
      assert.ok(await waitExit(srv.child, 10000), 'the server did not die on SIGKILL within 10 s');
      stop.now = true;
      await Promise.all(writers);
      assert.equal(sqlite(db, 'PRAGMA integrity_check'), 'ok', `integrity_check after kill ${round}`);
      const f = folder(bdir);
      outcomes.push(`${f.backups.length}/${f.tmp.length}/${f.work.length}`);
      // What a killed backup leaves is at most one .tmp and one work folder:
      // the next backup clears those of earlier ones.
      assert.ok(f.tmp.length <= 1 && f.work.length <= 1, `round ${round}: leftovers pile up: ${JSON.stringify(f)}`);
      for (const b of f.backups) {
        const v = crmRun(['backup', '--verify', join(bdir, b)], {}, { timeout: 120000 });
        assert.equal(v.status, 0, `round ${round}: ${b} is not a whole backup: ${v.stdout}${v.stderr}`);
      }
      if (srv !== first) await srv.stop();
    }

    // One that is left alone completes, verifies and restores.
    srv = await startServer({ db, args });
    await checkAcknowledged(srv, 'at the end');
    const before = folder(bdir).backups;
    const acked = [...sent].filter(([, ok]) => ok).map(([n]) => n);
    const r = await call(srv, 'POST', '/api/v1/system/backups');
    assert.equal(r.status, 202, r.text);
    let made = null;
    for (let i = 0; i < 600 && !made; i++) {
      await new Promise((ok) => setTimeout(ok, 100));
      made = folder(bdir).backups.find((b) => !before.includes(b)) || null;
    }
    assert.ok(made, 'the backup after the crashes did not complete within 60 s');
    let runs;
    for (let i = 0; i < 100; i++) {
      runs = await call(srv, 'GET', '/api/v1/system/backups');
      if (runs.body && runs.body.data.some((d) => d.file && d.file.endsWith(made) && d.ok)) break;
      await new Promise((ok) => setTimeout(ok, 100));
    }
    assert.ok(runs.body.data.some((d) => d.file && d.file.endsWith(made) && d.ok), `not listed as good: ${runs.text}`);
    // A backup asked for just before a kill is still queued and runs after
    // the restart: wait until none runs or waits, then the folder is clean.
    for (let i = 0; i < 600 && (runs.body.running || runs.body.queued > 0); i++) {
      await new Promise((ok) => setTimeout(ok, 100));
      runs = await call(srv, 'GET', '/api/v1/system/backups');
    }
    assert.ok(!runs.body.running && runs.body.queued === 0, `backups still running after 60 s: ${runs.text}`);
    const left = folder(bdir);
    assert.deepEqual([left.tmp, left.work], [[], []], 'a completed backup clears what killed ones left');
    const target = mkdtempSync(join(tmpdir(), 'crm-restore-'));
    try {
      const rdb = join(target, 'crm.db');
      const res = crmRun(['restore', '--from', join(bdir, made), '--db', rdb], {}, { timeout: 120000 });
      assert.equal(res.status, 0, `${res.stdout}${res.stderr}`);
      assert.equal(sqlite(rdb, 'PRAGMA integrity_check'), 'ok');
      const names = new Set(sqlite(rdb, 'SELECT name FROM companies').split('\n'));
      const lost = acked.filter((n) => !names.has(n));
      assert.deepEqual(lost.slice(0, 10), [], `${lost.length} companies acknowledged before the backup are not in it`);
    } finally {
      rmSync(target, { recursive: true, force: true });
    }
    t.diagnostic(`backups/tmp/work folders after each kill: ${outcomes.join(', ')}; companies acknowledged ${acked.length}`);
  } finally {
    if (srv !== first) await srv.stop();
    await first.stop();
    rmSync(bdir, { recursive: true, force: true });
  }
});
