// Crash safety: `crm serve` is killed with SIGKILL in the middle of a burst of
// concurrent writes, ten times on the same database. After each kill the
// database passes SQLite's integrity and foreign key checks, and after each
// restart every write that was answered 2xx is there with the content sent;
// no record holds a part of a write; every record has its audit entry and
// no entry tells of a record that is not there; the audit chain verifies. On PostgreSQL (CRM_TEST_PG) the same
// runs without the SQLite file checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, PG } from '../lib/server.mjs';
import { listAll, waitExit, crmRun, tryCall as call } from '../lib/helpers.mjs';

const ROUNDS = Number(process.env.CRASH_ROUNDS || 10);
const WRITERS = 8;

function sqlite(db, sql) {
  return execFileSync('sqlite3', [db, sql], { encoding: 'utf8', timeout: 60000 }).trim();
}


// What one record must hold: the fields sent on create, and the notes of the
// last acknowledged update (or of the update in flight when the server died).
const companies = new Map(); // name -> {sent, id, notes: Set of allowed values}
const contacts = new Map();

function companyBody(round, w, k) {
  return {
    name: `crash r${round} w${w} n${k}`,
    legal_name: `Crash Legal ${round}-${w}-${k} ООО «Тест»`,
    emails: [`c${round}.${w}.${k}@crash.example`],
    phones: [`+1 555 ${String(round * 1000 + w * 100 + k).padStart(4, '0')}`],
    tags: [`round${round}`, `w${w}`],
    notes: 'v0 ' + 'n'.repeat((k * 37) % 3000),
  };
}

// Writes until `stop.now`: creates companies and contacts, updates its own
// companies, and records what the server acknowledged.
async function writer(srv, round, w, stop) {
  const mine = [];
  for (let k = 0; !stop.now; k++) {
    if (k % 4 === 3 && mine.length) {
      const c = companies.get(mine[(k * 7) % mine.length]);
      const notes = `v${k} updated in round ${round}`;
      c.notes.add(notes); // in flight: may or may not be stored
      const r = await call(srv, 'PATCH', `/api/v1/companies/${c.id}`, { notes });
      if (r.error) break;
      assert.equal(r.status, 200, `PATCH: ${r.text}`);
      c.notes = new Set([notes]); // acknowledged: this and only this
      continue;
    }
    if (k % 4 === 2 && mine.length) {
      const co = companies.get(mine[mine.length - 1]);
      const body = { first_name: `Crash ${w}`, last_name: `r${round} w${w} n${k}`, company_id: co.id,
                     emails: [`p${round}.${w}.${k}@crash.example`], birthday: '1990-05-17' };
      contacts.set(body.last_name, { sent: body, id: null, acked: false });
      const r = await call(srv, 'POST', '/api/v1/contacts', body);
      if (r.error) break;
      assert.equal(r.status, 201, `POST contact: ${r.text}`);
      Object.assign(contacts.get(body.last_name), { id: r.body.id, acked: true });
      continue;
    }
    const body = companyBody(round, w, k);
    companies.set(body.name, { sent: body, id: null, acked: false, notes: new Set([body.notes]) });
    const r = await call(srv, 'POST', '/api/v1/companies', body);
    if (r.error) break;
    assert.equal(r.status, 201, `POST company: ${r.text}`);
    Object.assign(companies.get(body.name), { id: r.body.id, acked: true });
    mine.push(body.name);
  }
}

// Every acknowledged write is present with its content; nothing stored is a
// part of a write.
async function verify(srv, label) {
  const problems = [];
  const storedCo = await listAll(srv, 'companies');
  const byName = new Map(storedCo.map((c) => [c.name, c]));
  for (const [name, c] of companies) {
    const s = byName.get(name);
    if (!s) { if (c.acked) problems.push(`acknowledged company ${name} (id ${c.id}) is missing`); continue; }
    if (c.acked && s.id !== c.id) problems.push(`${name}: id ${s.id}, acknowledged as ${c.id}`);
    for (const f of ['legal_name', 'emails', 'tags']) {
      if (JSON.stringify(s[f]) !== JSON.stringify(c.sent[f])) problems.push(`${name}.${f}: ${JSON.stringify(s[f])} sent ${JSON.stringify(c.sent[f])}`);
    }
    if (s.phones.length !== 1) problems.push(`${name}.phones: ${JSON.stringify(s.phones)}`);
    if (!c.notes.has(s.notes)) problems.push(`${name}.notes: ${String(s.notes).slice(0, 40)}, expected one of ${[...c.notes].map((n) => n.slice(0, 40))}`);
    c.id = s.id; c.acked = true; // stored now, so it must stay
    c.notes = new Set([s.notes]);
  }
  for (const s of storedCo) if (!companies.has(s.name)) problems.push(`a company nobody sent: ${JSON.stringify(s).slice(0, 200)}`);
  const storedCt = await listAll(srv, 'contacts');
  const byLast = new Map(storedCt.map((c) => [c.last_name, c]));
  for (const [last, c] of contacts) {
    const s = byLast.get(last);
    if (!s) { if (c.acked) problems.push(`acknowledged contact ${last} (id ${c.id}) is missing`); continue; }
    for (const f of ['first_name', 'company_id', 'emails', 'birthday']) {
      if (JSON.stringify(s[f]) !== JSON.stringify(c.sent[f])) problems.push(`contact ${last}.${f}: ${JSON.stringify(s[f])} sent ${JSON.stringify(c.sent[f])}`);
    }
    c.id = s.id; c.acked = true;
  }
  for (const s of storedCt) if (!contacts.has(s.last_name)) problems.push(`a contact nobody sent: ${JSON.stringify(s).slice(0, 200)}`);
  // The audit entry is written with the change: both or neither.
  const created = new Set();
  let cursor = null;
  for (let page = 0; page < 10000; page++) {
    const r = await call(srv, 'GET', `/api/v1/audit?action=record.create&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, r.text);
    for (const e of r.body.data) created.add(`${e.entity}/${e.record_id}`);
    cursor = r.body.next_cursor;
    if (!cursor) break;
  }
  const stored = [...storedCo.map((c) => `companies/${c.id}`), ...storedCt.map((c) => `contacts/${c.id}`)];
  for (const k of stored) if (!created.has(k)) problems.push(`${k} has no record.create audit entry`);
  const live = new Set(stored);
  for (const k of created) if (!live.has(k)) problems.push(`an audit entry tells of ${k}, which is not there`);
  const key = PG ? 'crm.audit-key' : `${srv.db}.audit-key`;
  const v = crmRun(['audit', 'verify', '--db', srv.db, '--key', key], {}, { timeout: 60000 });
  if (v.status !== 0) problems.push(`crm audit verify: ${v.stdout} ${v.stderr}`);
  assert.deepEqual(problems.slice(0, 20), [], `${label}: ${problems.length} problems`);
  return { companies: storedCo.length, contacts: storedCt.length };
}

test(`kill -9 during concurrent writes, ${ROUNDS} times: integrity holds, acknowledged writes stay`, async (t) => {
  const first = await startServer();
  const db = first.db;
  let srv = first;
  const stats = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      if (round > 0) srv = await startServer({ db });
      await verify(srv, `after restart ${round}`);
      const stop = { now: false };
      const writers = Array.from({ length: WRITERS }, (_, w) => writer(srv, round, w, stop));
      // Kill at a different moment each round, while the writers are busy.
      await new Promise((ok) => setTimeout(ok, 150 + ((round * 137) % 400)));
      srv.child.kill('SIGKILL');
      const ex = await waitExit(srv.child, 10000);
      assert.ok(ex, 'the server did not die on SIGKILL within 10 s');
      stop.now = true;
      await Promise.all(writers);
      const acked = [...companies.values()].filter((c) => c.acked).length;
      stats.push(acked);
      if (!PG) {
        assert.equal(sqlite(db, 'PRAGMA integrity_check'), 'ok', `integrity_check after kill ${round}`);
        assert.equal(sqlite(db, 'PRAGMA foreign_key_check'), '', `foreign_key_check after kill ${round}`);
      }
      if (srv !== first) await srv.stop(); // its own folder only; the database stays
    }
    srv = await startServer({ db });
    const last = await verify(srv, 'at the end');
    t.diagnostic(`acknowledged companies after each round: ${stats.join(', ')}; stored ${last.companies} companies, ${last.contacts} contacts`);
    assert.ok(stats[stats.length - 1] > ROUNDS * 5, `too few writes got through to test anything: ${stats}`);
  } finally {
    if (srv !== first) await srv.stop();
    await first.stop(); // removes the database
  }
});
