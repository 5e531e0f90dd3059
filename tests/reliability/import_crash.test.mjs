// Crash safety of imports: `crm serve` is killed with SIGKILL while it runs an
// import of 20,000 contacts (asked for over the API, run by the job runner in
// chunks of 500 rows, each chunk one transaction with its records, their
// import_items, their audit entries, their search index rows and the run's
// position), at several moments. After each kill: the database passes
// SQLite's integrity check and the FTS5 indexes theirs; what is stored is a
// whole number of chunks, and the rows, the import's items, its counts, the
// audit and the search index all tell the same story. After each restart the
// run goes on after the last committed chunk (the killed server's job lease
// runs out, another claims it) and at the end every row of the file is there
// exactly once, found by search, with its audit entry, and the audit chain
// verifies. On PostgreSQL (CRM_TEST_PG) the same runs without the SQLite file
// checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, PG } from '../lib/server.mjs';
import { listAll, waitExit, crmRun, req, until } from '../lib/helpers.mjs';

const ROWS = 20000;
const CHUNK = 500; // IMP_CHUNK in src/core/import.h
// Kill once the run has committed this many rows (then it is mid-way).
const KILL_AT = [1000, 7000, 13000];

function sqlite(db, sql) {
  return execFileSync('sqlite3', [db, sql], { encoding: 'utf8', timeout: 60000 }).trim();
}

const last = (i) => `Killq${String(i).padStart(5, '0')}`;

function csv() {
  const rows = ['first_name,last_name,email,phones'];
  for (let i = 1; i <= ROWS; i++) rows.push(`Crash${i},${last(i)},k${i}@kill.example,+1 555 ${String(i).padStart(7, '0')}`);
  return rows.join('\n') + '\n';
}

const B = 'crm-import-crash-7e2d';
async function upload(srv, data) {
  const body = Buffer.concat([
    Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="entity"\r\n\r\ncontacts\r\n`),
    Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="file"; filename="kill.csv"\r\n` +
      'Content-Type: text/csv\r\n\r\n'), Buffer.from(data), Buffer.from(`\r\n--${B}--\r\n`)]);
  const r = await req(srv, 'POST', '/api/v1/imports', {
    body, headers: { 'Content-Type': `multipart/form-data; boundary=${B}` } });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

const getImport = async (srv, id) => {
  const r = await req(srv, 'GET', `/api/v1/imports/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
};

// After a kill, from the file itself: one consistent state, chunk by chunk.
function checkFile(db, id, label) {
  assert.equal(sqlite(db, 'PRAGMA integrity_check'), 'ok', `${label}: integrity_check`);
  assert.equal(sqlite(db, 'PRAGMA foreign_key_check'), '', `${label}: foreign_key_check`);
  for (const idx of ['contacts_tri', 'contacts_words']) {
    assert.equal(sqlite(db, `INSERT INTO ${idx}(${idx}, rank) VALUES ('integrity-check', 1)`), '',
      `${label}: ${idx} integrity-check`);
  }
  assert.equal(sqlite(db, 'SELECT COUNT(*) FROM search_deferred'), '0', `${label}: a deferral outlived its chunk`);
  const [created, resume, status] = sqlite(db, `SELECT created, resume_row, status FROM imports WHERE id = ${id}`).split('|');
  const rows = Number(sqlite(db, "SELECT COUNT(*) FROM contacts WHERE last_name LIKE 'Killq%'"));
  const items = Number(sqlite(db, `SELECT COUNT(*) FROM import_items WHERE import_id = ${id}`));
  const audited = Number(sqlite(db, `SELECT COUNT(*) FROM import_items i WHERE i.import_id = ${id} AND EXISTS ` +
    "(SELECT 1 FROM audit_log a INDEXED BY audit_log_record WHERE a.entity = 'contacts' " +
    "AND a.record_id = i.record_id AND a.action = 'record.create')"));
  const indexed = Number(sqlite(db, "SELECT COUNT(*) FROM contacts_tri WHERE contacts_tri MATCH '\"Killq\"'"));
  assert.deepEqual({ rows, items, audited, indexed, created: Number(created) },
    { rows, items: rows, audited: rows, indexed: rows, created: rows }, `${label}: rows, items, audit, index, counts`);
  if (status === 'running') {
    assert.equal(rows % CHUNK, 0, `${label}: ${rows} rows is not a whole number of chunks`);
    assert.equal(Number(resume), rows + 1, `${label}: the run resumes after row ${resume} (the header is row 1)`);
  }
  return rows;
}

test(`kill -9 during an import of ${ROWS} rows, ${KILL_AT.length} times: consistent, and the run resumes`, async (t) => {
  const files = mkdtempSync(join(tmpdir(), 'crm-impkill-'));
  // A short job lease: the killed server's claim on the run runs out soon.
  const args = ['--job-lease', '2', '--max-upload', '8M', '--files-dir', files];
  const first = await startServer({ args });
  const db = first.db;
  let srv = first;
  const seen = [];
  try {
    const imp = await upload(srv, csv());
    assert.equal((await req(srv, 'POST', `/api/v1/imports/${imp.id}/dry-run`)).status, 202);
    const checked = await until('the dry run', async () => {
      const d = await getImport(srv, imp.id);
      return d.status !== 'checking' && d;
    }, { ms: 120000, srv });
    assert.deepEqual(checked.dry_run, { rows: ROWS, create: ROWS, update: 0, skip: 0, errors: 0 });
    assert.equal((await req(srv, 'POST', `/api/v1/imports/${imp.id}/run`)).status, 202);
    for (const [round, at] of KILL_AT.entries()) {
      if (round > 0) srv = await startServer({ db, args });
      // Kill once the run (resumed, after a restart) has committed `at` rows.
      const d = await until(`${at} rows committed`, async () => {
        const cur = await getImport(srv, imp.id);
        return (cur.created >= at || cur.status !== 'running') && cur;
      }, { ms: 120000, srv });
      assert.equal(d.status, 'running', `the run ended before the kill at ${at} rows: ${JSON.stringify(d)}`);
      srv.child.kill('SIGKILL');
      assert.ok(await waitExit(srv.child, 10000), 'the server did not die on SIGKILL within 10 s');
      if (!PG) seen.push(checkFile(db, imp.id, `after kill ${round}`));
      if (srv !== first) await srv.stop(); // its own folder only; the database stays
    }
    srv = await startServer({ db, args });
    const done = await until('the run to finish', async () => {
      const cur = await getImport(srv, imp.id);
      return cur.status !== 'running' && cur;
    }, { ms: 240000, srv });
    assert.deepEqual([done.status, done.created, done.failed], ['done', ROWS, 0], JSON.stringify(done));
    if (!PG) assert.equal(checkFile(db, imp.id, 'at the end'), ROWS);
    // Every row exactly once, found by search, with its audit entry.
    const stored = (await listAll(srv, 'contacts')).filter((c) => /^Killq/.test(c.last_name));
    assert.equal(stored.length, ROWS);
    assert.equal(new Set(stored.map((c) => c.last_name)).size, ROWS, 'a row was imported twice');
    for (const i of [1, CHUNK, CHUNK + 1, 7777, ROWS]) {
      const r = await req(srv, 'GET', `/api/v1/search?q=${last(i)}`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.data.filter((h) => h.type === 'contact').length, 1, `search ${last(i)}: ${r.text}`);
    }
    const audited = new Set();
    let cursor = null;
    for (let page = 0; page < 1000; page++) {
      const r = await req(srv, 'GET', `/api/v1/audit?action=record.create&entity=contacts&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200, r.text);
      for (const e of r.body.data) audited.add(e.record_id);
      cursor = r.body.next_cursor;
      if (!cursor) break;
    }
    const unaudited = stored.filter((c) => !audited.has(c.id)).length;
    assert.equal(unaudited, 0, `${unaudited} imported contacts have no record.create entry`);
    const key = PG ? 'crm.audit-key' : `${db}.audit-key`;
    const v = crmRun(['audit', 'verify', '--db', db, '--key', key], {}, { timeout: 120000 });
    assert.equal(v.status, 0, `crm audit verify: ${v.stdout} ${v.stderr}`);
    t.diagnostic(`rows stored after each kill: ${seen.join(', ')}`);
  } finally {
    if (srv !== first) await srv.stop();
    await first.stop(); // removes the database
    rmSync(files, { recursive: true, force: true });
  }
});
