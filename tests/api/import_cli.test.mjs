// `crm import`: the same strict import from the command line, in its own
// process, beside a running server on the same database: a dry run first,
// error lines naming row, column, value and reason, an error file, mode all
// and skip, --map, --as with the user's rights, --list and --undo.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { stopClean, crmRun, addUser, listAll } from '../lib/helpers.mjs';

let srv;
let dir;
let files;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crm-impcli-'));
  files = join(dir, 'files');
  srv = await startServer({ args: ['--files-dir', files] });
  addUser(srv, 'cli.manager@example.com', 'amber otter juggles seventeen lanterns', { name: 'CLI Manager' });
});
after(async () => {
  await stopClean(srv);
  rmSync(dir, { recursive: true, force: true });
});

const imp = (args) => crmRun(['import', ...args, '--db', srv.db, '--files-dir', files], {}, { timeout: 60000 });
const file = (name, text) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const CSV = 'First name,Surname,Mail,Phone\n' +
  'Kira,Lund,kira@cli.example,+46 70 123 45 67\n' +
  'Lars,,lars@,4.6701E+10\n' +
  'Maja,Berg,maja@cli.example,\n';

test('crm import --help teaches with examples', () => {
  const r = crmRun(['import', '--help']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /crm import people\.csv --entity contacts --dry-run/);
  assert.match(r.stdout, /--map/);
  assert.match(r.stdout, /--undo/);
});

test('a dry run names every bad cell, writes the error file and nothing else', async () => {
  const errs = join(dir, 'errors.csv');
  const r = imp([file('a.csv', CSV), '--entity', 'contacts', '--map', 'Mail=emails', '--dry-run', '--errors', errs]);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /dry run of import \d+: 3 rows: 2 to create, 0 to update, 0 to skip, 1 bad/);
  assert.match(r.stderr, /row 3, column 'Mail', value 'lars@': 'lars@' is not an email address/);
  assert.match(r.stderr, /row 3, column 'Phone', value '4\.6701E\+10': the phone lost digits in scientific notation/);
  const lines = readFileSync(errs, 'utf8').trim().split('\r\n');
  assert.equal(lines[0], 'row,column,value,reason');
  assert.equal(lines.length, 3);
  assert.ok(!(await listAll(srv, 'contacts')).some((c) => c.first_name === 'Kira'));
});

test('mode all refuses bad rows; mode skip imports the good ones; --list and --undo', async () => {
  const p = file('b.csv', CSV);
  let r = imp([p, '--entity', 'contacts', '--map', 'Mail=emails']);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /The dry run found 1 bad rows/);
  assert.ok(!(await listAll(srv, 'contacts')).some((c) => c.first_name === 'Kira'), 'nothing written');
  r = imp([p, '--entity', 'contacts', '--map', 'Mail=emails', '--mode', 'skip']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const m = r.stdout.match(/import (\d+) done: 3 rows: 2 created, 0 updated, 0 skipped, 1 failed/);
  assert.ok(m, r.stdout);
  assert.match(r.stderr, /importing: 3 of 3 rows \(100%\)/, 'plain progress lines when stderr is no terminal');
  const kira = (await listAll(srv, 'contacts')).find((c) => c.first_name === 'Kira');
  assert.deepEqual([kira.last_name, kira.emails, kira.phones], ['Lund', ['kira@cli.example'], ['+46 70 123 45 67']]);
  r = imp(['--list']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^${m[1]}\\s+done\\s+contacts`, 'm'));
  r = imp(['--undo', m[1]]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /undone: 2 records to the trash, 0 restored, 0 left as they are/);
  assert.ok(!(await listAll(srv, 'contacts')).some((c) => c.first_name === 'Kira'));
  r = imp(['--undo', m[1]]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /undone already/);
});

test('bad flags and rights', () => {
  let r = imp([file('c.csv', CSV), '--entity', 'contacts', '--map', 'Nope=emails']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /the file has no column 'Nope'/);
  r = imp([file('c.csv', CSV)]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--entity/);
  r = imp([file('c.csv', CSV), '--entity', 'contacts', '--mode', 'often']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /options\.mode: must be all or skip/);
  r = imp([file('c.csv', CSV), '--entity', 'contacts', '--as', 'cli.manager@example.com']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /does not allow you to import contacts/);
  r = imp([join(dir, 'missing.csv'), '--entity', 'contacts']);
  assert.equal(r.status, 1);
});
