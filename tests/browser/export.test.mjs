// Export from the lists: on the contacts list with a filter typed in, Export → CSV downloads
// exactly the rows shown, with the list's visible columns (as field names) and a BOM for Excel;
// XLSX downloads a workbook; a role without the export right sees no Export menu at all.
// Real server, real Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '../lib/helpers.mjs';
import { api, create, rowCount, setup, signIn, SHOTS, withPage } from './helpers.mjs';

const PASSWORD = 'quiet harbour lamps at nine';
let env;
const c = {};

before(async () => {
  env = await setup();
  const acme = await create(env.srv, 'companies', { name: 'Acme, Inc.' });
  c.ann = await create(env.srv, 'contacts', {
    first_name: 'Ann', last_name: 'Lee', position: 'Buyer', company_id: acme.id, source: 'fair',
    emails: ['ann@example.com'], phones: ['+1 555 0100'], tags: ['vip'],
  });
  c.eve = await create(env.srv, 'contacts', { first_name: '=cmd', last_name: 'Eve', source: 'fair' });
  c.bob = await create(env.srv, 'contacts', { first_name: 'Bob', last_name: 'Other', source: 'web' });
  const roles = (await api(env.srv, 'GET', '/api/v1/roles')).body.data;
  const u = await api(env.srv, 'POST', '/api/v1/users', {
    email: 'mia@example.com', name: 'Mia Manager', password: PASSWORD,
    role_id: roles.find((r) => r.builtin === 'manager').id,
  });
  assert.equal(u.status, 201, u.text);
});
after(async () => {
  await env?.close();
  assert.deepEqual(env?.pageErrors.map(String) ?? [], []);
});

test('Export → CSV on the filtered contacts list downloads those rows with the visible columns', async () => {
  await withPage(env, 'export-contacts', async (page) => {
    await signIn(page, env.srv, { hash: '#/contacts' });
    await rowCount(page, 3);
    await page.locator('input[name="filter-source"]').fill('fair');
    await rowCount(page, 2);
    await page.getByText('Export', { exact: true }).click();
    await page.screenshot({ path: join(SHOTS, 'export-menu.png') });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: 'CSV (Excel, any app)' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^contacts-\d{4}-\d\d-\d\d\.csv$/);
    const bytes = readFileSync(await download.path());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a BOM, so Excel reads UTF-8');
    const [head, ...rows] = parseCsv(bytes.subarray(3).toString('utf8'));
    assert.deepEqual(head, ['id', 'first_name', 'last_name', 'position', 'company_id', 'company_name', 'emails', 'phones',
                            'tags', 'updated_at']);
    assert.deepEqual(rows.map((r) => r.slice(0, 9)), [
      [String(c.ann.id), 'Ann', 'Lee', 'Buyer', String(c.ann.company_id), 'Acme, Inc.', 'ann@example.com', "'+1 555 0100", 'vip'],
      [String(c.eve.id), "'=cmd", 'Eve', '', '', '', '', '', ''],
    ]);
    assert.equal(rows[0][9], c.ann.updated_at);

    await page.getByText('Export', { exact: true }).click();
    const [xlsx] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: 'Excel workbook (XLSX)' }).click(),
    ]);
    assert.match(xlsx.suggestedFilename(), /^contacts-\d{4}-\d\d-\d\d\.xlsx$/);
    assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString('latin1'), 'PK');
    // Both exports are in the audit log, with the filter the list had.
    const entries = (await api(env.srv, 'GET', '/api/v1/audit?action=contacts.export&limit=5')).body.data;
    assert.deepEqual(entries.map((e) => [e.detail.format, e.detail.filters.source, e.detail.rows]),
                     [['xlsx', 'fair', 2], ['csv', 'fair', 2]]);
  });
});

test('a role without the export right sees no Export menu', async () => {
  await withPage(env, 'export-hidden', async (page) => {
    await signIn(page, env.srv, { email: 'mia@example.com', password: PASSWORD, hash: '#/contacts' });
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
    await page.locator('.page-actions').first().waitFor();
    assert.equal(await page.locator('.export-menu').count(), 0);
    await page.goto('/#/deals/list');
    await page.getByRole('heading', { name: 'Deals', level: 1 }).waitFor();
    assert.equal(await page.locator('.export-menu').count(), 0);
  });
});
