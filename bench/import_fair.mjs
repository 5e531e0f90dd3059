// Other users' writes during an import (`make bench-import-fair`).
//
// Starts `crm serve` (CRM_BIN, default build/crm) on a fresh SQLite
// database, uploads BENCH_FAIR_ROWS contacts (default 100,000) as a CSV,
// checks them and runs the import through the job runner, and meanwhile
// one client creates companies one after the other through the API, each
// timed. Prints the import's time and the creates' count, median, p99,
// longest wait, and how many were refused with 503 (no write lock within
// the server's 5 s). Run it with the build before and after a change to the
// write path, on the same machine, and compare.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../tests/lib/server.mjs';
import { req, stopClean } from '../tests/lib/helpers.mjs';

const ROWS = Number(process.env.BENCH_FAIR_ROWS || 100000);
const B = 'crm-bench-fair-boundary';

function csv(n) {
  const lines = ['First name,Last name,E-mail,Phone,Position'];
  for (let i = 1; i <= n; i++) {
    lines.push(`Anna${i},Kowalska,user${i}@fair.example,+1 555 ${String(i).padStart(7, '0')},Manager ${i % 50}`);
  }
  return lines.join('\n') + '\n';
}

function form(data) {
  return Buffer.concat([
    Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="entity"\r\n\r\ncontacts\r\n`),
    Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="file"; filename="c.csv"\r\n` +
      'Content-Type: text/csv\r\n\r\n'), Buffer.from(data), Buffer.from(`\r\n--${B}--\r\n`)]);
}

async function until(srv, id, from) {
  for (;;) {
    const r = await req(srv, 'GET', `/api/v1/imports/${id}`);
    if (r.status !== 200) throw new Error(r.text);
    if (r.body.status !== from) return r.body;
    await new Promise((ok) => setTimeout(ok, 200));
  }
}

const pct = (s, p) => s[Math.min(s.length - 1, Math.floor(s.length * p))];

const files = mkdtempSync(join(tmpdir(), 'crm-fair-'));
const srv = await startServer({ args: ['--max-upload', '256M', '--files-dir', files] });
try {
  const up = await req(srv, 'POST', '/api/v1/imports', { body: form(csv(ROWS)),
    headers: { 'Content-Type': `multipart/form-data; boundary=${B}` } });
  if (up.status !== 201) throw new Error(up.text);
  const id = up.body.id;
  await req(srv, 'POST', `/api/v1/imports/${id}/dry-run`);
  const checked = await until(srv, id, 'checking');
  if (checked.status !== 'checked') throw new Error(JSON.stringify(checked));
  const t0 = Date.now();
  const run = await req(srv, 'POST', `/api/v1/imports/${id}/run`);
  if (run.status !== 202) throw new Error(run.text);
  const waits = [];
  let refused = 0;	// 503: the lock not had within the server's 5 s
  let done = false;
  const watcher = until(srv, id, 'running').then((r) => { done = r; });
  for (let i = 0; !done; i++) {
    const s = process.hrtime.bigint();
    const r = await req(srv, 'POST', '/api/v1/companies', { body: { name: `Fair ${i}` } });
    if (r.status === 503) refused++;
    else if (r.status !== 201) throw new Error(`create ${i}: ${r.status} ${r.text}`);
    waits.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  await watcher;
  const secs = (Date.now() - t0) / 1000;
  waits.sort((a, b) => a - b);
  console.log(`import of ${ROWS} contacts: ${done.status} in ${secs.toFixed(1)} s`);
  console.log(`creates during it: ${waits.length}, median ${pct(waits, 0.5).toFixed(1)} ms, ` +
    `p99 ${pct(waits, 0.99).toFixed(1)} ms, longest ${waits[waits.length - 1].toFixed(1)} ms, ` +
    `refused (503, database busy) ${refused}`);
} catch (e) {
  process.stderr.write(`${e.stack}\nthe server's log ends:\n${srv.log().slice(-3000)}\n`);
  process.exitCode = 1;
} finally {
  await stopClean(srv).catch(() => {});
  rmSync(files, { recursive: true, force: true });
}
