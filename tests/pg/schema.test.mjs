// The two dialects' migrations give the same schema: `crm init` on a SQLite
// file and on a PostgreSQL database, then the tables and their columns are
// read from each catalogue (the sqlite3 CLI, psql) and compared. Whatever one
// dialect has and the other lacks would break `crm migrate-db` and every
// feature that must behave alike on both.
// Runs when CRM_TEST_PG is set (scripts/check.sh, stage "API tests on PostgreSQL").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PG, crm, pgCreateDb, pgDropDb, pgSql } from '../lib/server.mjs';

const skip = PG ? false : 'CRM_TEST_PG is not set: PostgreSQL tests run from scripts/check.sh';
const INIT = ['--admin-email', 'admin@example.com', '--admin-name', 'Ada Admin'];
const ENV = { CRM_ADMIN_PASSWORD: 'correct horse battery staple' };

let dir;
let pgdb;
let lite; // table → [{name, type, notnull}], sorted by column name
let pg;

function sqlite(file, sql) {
  return execFileSync('sqlite3', ['-batch', '-noheader', '-separator', '|', file, sql],
                      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// Declared types in two families: what the copy and the code rely on.
function family(t) {
  const u = t.toUpperCase();
  if (/INT/.test(u)) return 'integer';
  if (/TEXT|CHAR/.test(u)) return 'text';
  return u.toLowerCase();
}

function group(rows) {
  const out = {};
  for (const r of rows) (out[r.table] ||= []).push({ name: r.name, type: family(r.type), notnull: r.notnull });
  for (const cols of Object.values(out)) cols.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

// SQLite: base tables from sqlite_master, leaving out SQLite's own tables and
// the FTS5 search indexes (virtual tables) with their shadow tables, which
// PostgreSQL has as GIN indexes instead.
function sqliteSchema(file) {
  const virt = sqlite(file, "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")
    .split('\n').filter(Boolean);
  const tables = sqlite(file, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .split('\n').filter(Boolean)
    .filter((t) => !virt.includes(t) && !virt.some((v) => t.startsWith(`${v}_`)));
  const rows = [];
  for (const t of tables) {
    // pragma table_info: cid|name|type|notnull|dflt_value|pk
    for (const line of sqlite(file, `PRAGMA table_info("${t}")`).split('\n').filter(Boolean)) {
      const f = line.split('|');
      const pk = Number(f[f.length - 1]) > 0;
      // A primary key column never holds NULL (PostgreSQL says NOT NULL; SQLite's
      // INTEGER PRIMARY KEY is the rowid, which cannot be NULL either).
      rows.push({ table: t, name: f[1], type: f[2], notnull: f[3] === '1' || pk });
    }
  }
  return { virt, schema: group(rows) };
}

function pgSchema(uri) {
  const out = pgSql(`SELECT c.table_name || '|' || c.column_name || '|' || c.data_type || '|' || c.is_nullable
    FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
      AND c.is_generated = 'NEVER'`, uri); // stored search vectors are derived, not data
  return group(out.split('\n').filter(Boolean).map((line) => {
    const [table, name, type, nullable] = line.split('|');
    return { table, name, type, notnull: nullable === 'NO' };
  }));
}

before(() => {
  if (!PG) return;
  dir = mkdtempSync(join(tmpdir(), 'crm-schema-'));
  const file = join(dir, 'crm.db');
  crm(['init', '--db', file, ...INIT], ENV);
  pgdb = pgCreateDb();
  crm(['init', '--db', pgdb.uri, ...INIT], ENV);
  const s = sqliteSchema(file);
  lite = s.schema;
  lite.__virtual = s.virt;
  pg = pgSchema(pgdb.uri);
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (pgdb) pgDropDb(pgdb.name);
});

const tables = (s) => Object.keys(s).filter((t) => !t.startsWith('__')).sort();

test('both dialects have the same application tables', { skip }, () => {
  assert.ok(tables(lite).length >= 8, `SQLite tables: ${tables(lite)}`);
  for (const t of ['users', 'sessions', 'api_tokens', 'companies', 'contacts', 'record_tags', 'custom_fields', 'schema_migrations']) {
    assert.ok(tables(lite).includes(t), `SQLite has ${t}: ${tables(lite)}`);
  }
  assert.deepEqual(tables(pg), tables(lite), 'PostgreSQL tables (left) vs SQLite tables (right)');
});

test('each table has the same columns, in the same type family, with the same NOT NULL', { skip }, () => {
  const diffs = [];
  for (const t of tables(lite)) {
    if (!pg[t]) continue; // reported by the test above
    const a = JSON.stringify(lite[t]);
    const b = JSON.stringify(pg[t]);
    if (a !== b) diffs.push(`${t}:\n  sqlite ${a}\n  pg     ${b}`);
  }
  assert.deepEqual(diffs, [], diffs.join('\n'));
});

test('the search indexes left out on SQLite are the FTS5 tables of searchable tables', { skip }, () => {
  // Guards the filter above: it must drop only search indexes, never a table.
  for (const v of lite.__virtual) {
    assert.match(v, /^[a-z_]+_(tri|words)$/, `virtual table ${v}`);
    assert.ok(lite[v.replace(/_(tri|words)$/, '')], `${v} indexes a table present on both sides`);
  }
  assert.ok(lite.__virtual.includes('contacts_tri') && lite.__virtual.includes('companies_words'), String(lite.__virtual));
});

test('both databases are at the same schema version after crm init', { skip }, () => {
  const file = join(dir, 'crm.db');
  const a = sqlite(file, 'SELECT MAX(version) FROM schema_migrations').trim();
  const b = pgSql('SELECT MAX(version) FROM schema_migrations', pgdb.uri).trim();
  assert.equal(b, a);
});
