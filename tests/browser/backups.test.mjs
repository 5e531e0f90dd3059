// The Backups screen (Administration → Backups): the list with size and age,
// "Back up now" adding a row once the job has run, and the warning banner
// while the schedule has no good backup. Real server, real Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { api, setup, signIn, withPage } from './helpers.mjs';

let env;
const dir = mkdtempSync(join(tmpdir(), 'crm-backups-ui-'));

before(async () => {
  // A long interval: the first scheduled backup runs at start, then none during the test.
  env = await setup({ args: ['--backup-dir', dir, '--backup-every', '24h', '--backup-keep', '3'] });
});
after(async () => {
  await env?.close();
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(env?.pageErrors.map(String) ?? [], []);
});

async function waitRuns(n) {
  const deadline = Date.now() + 20000;
  for (;;) {
    const r = await api(env.srv, 'GET', '/api/v1/system/backups');
    if (r.body.data.length >= n && !r.body.running && r.body.queued === 0) return r.body;
    if (Date.now() > deadline) throw new Error(`no ${n} backups: ${r.text}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

test('"Back up now" adds a row with its size and age; the schedule is described', async () => {
  const first = await waitRuns(1);
  await withPage(env, 'backups', async (page) => {
    await signIn(page, env.srv, { hash: '#/contacts' });
    await page.getByRole('link', { name: 'Backups' }).click();
    await page.getByRole('heading', { name: 'Backups', level: 1 }).waitFor();
    await page.getByText('A backup every 24 h').waitFor();
    const rows = page.locator('table.backups-table tbody tr');
    await page.waitForFunction((n) => document.querySelectorAll('table.backups-table tbody tr').length === n, first.data.length);
    assert.equal(await page.locator('.backups-stale').count(), 0, 'no warning after a good backup');
    await page.getByRole('button', { name: 'Back up now' }).click();
    await page.waitForFunction((n) => document.querySelectorAll('table.backups-table tbody tr').length === n + 1, first.data.length);
    const top = rows.first();
    await top.getByText('Back up now').waitFor(); // "Made by"
    assert.match(await top.innerText(), /-now\.crmbak/);
    assert.match(await top.innerText(), /\d+(\.\d)? (B|KB|MB)/, 'the size is shown');
    assert.match(await top.innerText(), /\d+ s/, 'the age is shown');
    assert.match(await top.innerText(), /OK/);
    await page.getByRole('button', { name: 'Back up now' }).waitFor(); // enabled again
  });
  const after2 = await waitRuns(first.data.length + 1);
  assert.ok(existsSync(after2.data[0].file), 'the file the row names exists');
});

test('the screen warns when a schedule is set but there is no good backup', async () => {
  // --no-jobs: the schedule is set but nothing runs it, so there is no good backup.
  const dir2 = mkdtempSync(join(tmpdir(), 'crm-backups-ui-'));
  const other = await startServer({ args: ['--backup-dir', dir2, '--backup-every', '1h', '--no-jobs'] });
  try {
    await withPage(env, 'backups-stale', async (page) => {
      await page.goto(`${other.url}/#/admin/backups`);
      await page.getByLabel('Email').fill(other.adminEmail);
      await page.getByLabel('Password').fill(other.adminPassword);
      await page.getByLabel('Password').press('Enter');
      await page.getByRole('heading', { name: 'Backups', level: 1 }).waitFor();
      await page.locator('.backups-stale').getByText('There is no good backup yet').waitFor();
      await page.getByText('No backups yet.').waitFor();
    });
  } finally {
    await other.stop();
    rmSync(dir2, { recursive: true, force: true });
  }
});
