// The timing half of bench/reports.sh (make bench-reports): every ready report and a
// three-level grouped designer report through the API, as the administrator and as a
// manager, each warmed up once and then timed BENCH_RUNS times in a row, beside plain GROUP
// BYs in the sqlite3 shell on the same file. Prints a Markdown table: median (min-max) ms.
import { execFileSync } from 'node:child_process';

const URL = process.env.BENCH_URL;
const DB = process.env.BENCH_DB_FILE;
const RUNS = Number(process.env.BENCH_RUNS || 7);
const TARGET_MS = 300;
const roles = { admin: process.env.ADMIN_TOKEN, manager: process.env.MANAGER_TOKEN };

// The designer's three levels: the month a deal was made, its pipeline, its status.
const DESIGNED = {
  entity: 'deals', joins: ['pipeline'],
  group_by: [{ field: 'created_at', bucket: 'month' }, { field: 'pipeline.name' }, { field: 'status' }],
  aggregates: [{ fn: 'count' }, { fn: 'sum', field: 'amount_base' }], limit: 10000,
};

// The references: what the sqlite3 shell takes for comparable plain aggregations.
const REFERENCES = [
  ['deals by month, pipeline and status (the designed report\'s GROUP BY)',
    "SELECT strftime('%Y-%m-01', created_at / 1000, 'unixepoch'), pipeline_id, status, COUNT(*), " +
    'SUM(amount_base) FROM deals WHERE deleted_at IS NULL GROUP BY 1, 2, 3;'],
  ['won deals by company (ABC and RFM\'s first step)',
    "SELECT company_id, COUNT(*), SUM(amount_base), MAX(closed_at) FROM deals WHERE deleted_at IS NULL AND status = 'won' GROUP BY 1;"],
  ['activities by owner and kind (3,000,000 rows)',
    'SELECT owner_id, kind, COUNT(*) FROM activities WHERE deleted_at IS NULL GROUP BY 1, 2;'],
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const fmt = (xs) => `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;

async function call(token, method, path, body) {
  const t0 = performance.now();
  const r = await fetch(URL + path, {
    method, headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  const ms = performance.now() - t0;
  if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${text.slice(0, 300)}`);
  return { ms, body: text.startsWith('{') ? JSON.parse(text) : { row_count: '–' } };
}

// A request that fails (a run past its 10 s bound answers 503) is reported, not timed.
async function time(token, method, path, body) {
  try {
    const first = await call(token, method, path, body);
    const ms = [];
    for (let i = 0; i < RUNS; i++) ms.push((await call(token, method, path, body)).ms);
    return { ms, rows: first.body.row_count ?? '–' };
  } catch (e) {
    return { error: String(e.message).slice(0, 120) };
  }
}

function sqliteMs(sql) {
  const ms = [];
  for (let i = 0; i <= RUNS; i++) {
    const out = execFileSync('sqlite3', [DB], { input: `.timer on\n${sql}\n`, encoding: 'utf8', maxBuffer: 1 << 26 });
    const m = out.match(/Run Time: real ([0-9.]+)/);
    if (i > 0 && m) ms.push(Number(m[1]) * 1000);
  }
  return ms;
}

const lib = (await call(roles.admin, 'GET', '/api/v1/reports')).body.data.filter((r) => r.builtin);
const lines = ['| request | admin ms | rows | manager1 ms | rows |', '| --- | ---: | ---: | ---: | ---: |'];
const over = [];
const row = async (name, method, path, body) => {
  const a = await time(roles.admin, method, path, body);
  const m = await time(roles.manager, method, path, body);
  for (const [who, x] of [['admin', a], ['manager1', m]])
    if (x.error || median(x.ms) > TARGET_MS) over.push(`${name} (${who}): ${x.error ?? `${median(x.ms).toFixed(0)} ms`}`);
  const cell = (x) => (x.error ? `failed: ${x.error} | –` : `${fmt(x.ms)} | ${x.rows}`);
  lines.push(`| ${name} | ${cell(a)} | ${cell(m)} |`);
  console.error(`bench-reports: ${name} done`);
};
await row('`GET /healthz` (the server\'s floor)', 'GET', '/healthz');
for (const r of lib) await row(`\`${r.builtin}\``, 'GET', `/api/v1/reports/${r.id}/run`);
await row('designed: deals by created month, pipeline, status', 'POST', '/api/v1/reports/run', { definition: DESIGNED });
lines.push('', '| reference in the sqlite3 shell, same file | ms |', '| --- | ---: |');
for (const [name, sql] of REFERENCES) lines.push(`| ${name} | ${fmt(sqliteMs(sql))} |`);
console.log(lines.join('\n'));
console.log(`\n${RUNS} timed runs each after one warm-up; median (min–max).`);
console.log(over.length ? `Over ${TARGET_MS} ms: ${over.join('; ')}` : `Every request under ${TARGET_MS} ms.`);
