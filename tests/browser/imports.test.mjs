// Imports in the browser: a CSV with a bad email and an impossible date is uploaded from the
// Imports screen; the columns come mapped from their header names; the date format is chosen;
// the check lists the two bad cells with row, column, value and reason without writing
// anything; importing everything is refused while they are there; importing skipping bad rows
// shows its progress and result; the new contacts are in the list; undo takes them away again.
// An XLSX workbook of two sheets offers its sheets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, setup, signIn, withPage } from './helpers.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

const CSV = [
  'First name,Last name,E-mail,Phone,Birthday',
  'Anna,Smith,anna@import.example,+49 30 1234567,15.03.1990',
  'Bob,Brown,not-an-email,+1 555 0100,01.02.1985',
  'Cara,Jones,cara@import.example,+44 20 7946 0000,31.13.1980',
  'Dan,White,dan@import.example,,',
].join('\r\n');

async function contactsNamed(srv, last) {
  const r = await api(srv, 'GET', `/api/v1/contacts?last_name=${encodeURIComponent(last)}`);
  assert.equal(r.status, 200, r.text);
  return r.body.data;
}

test('a CSV is mapped, checked, imported skipping bad rows, and undone', async () => {
  await withPage(env, 'imports-csv', async (page) => {
    await signIn(page, env.srv, { hash: '#/imports' });
    await page.getByRole('heading', { name: 'Imports' }).waitFor();
    await page.getByRole('link', { name: 'New import' }).click();
    await page.getByLabel('Import into').selectOption('contacts');
    await page.locator('#import-file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    await page.getByRole('button', { name: 'Upload and map columns' }).click();

    // Mapped from the header names.
    await page.getByRole('heading', { name: 'Import of people.csv' }).waitFor();
    assert.equal(await page.getByLabel('Field for column E-mail').inputValue(), 'emails');
    assert.equal(await page.getByLabel('Field for column Birthday').inputValue(), 'birthday');
    assert.equal(await page.getByLabel('Field for column First name').inputValue(), 'first_name');
    await page.getByLabel('Dates are written').selectOption('DD.MM.YYYY');
    await page.getByRole('button', { name: 'Save and check' }).click();

    // The check: counts and every bad cell, nothing written.
    const report = page.getByTestId('dry-run');
    await report.waitFor();
    await report.locator('li.bad').waitFor();
    const text = await report.innerText();
    assert.match(text, /4\s*rows/);
    assert.match(text, /2\s*to create/);
    assert.match(text, /2\s*bad cells/);
    const bad = report.locator('.import-errors tbody tr');
    assert.equal(await bad.count(), 2);
    assert.match(await bad.nth(0).innerText(), /3\s+E-mail\s+not-an-email\s+\S/);
    assert.match(await bad.nth(1).innerText(), /4\s+Birthday\s+31\.13\.1980\s+\S/);
    assert.equal((await contactsNamed(env.srv, 'Smith')).length, 0, 'the check wrote nothing');
    assert.equal(await report.getByRole('button', { name: 'Import all' }).isDisabled(), true);

    await report.getByRole('button', { name: 'Import, skipping bad rows' }).click();
    const result = page.getByTestId('result');
    await result.waitFor({ timeout: 20000 });
    assert.match(await result.innerText(), /2\s*created/);
    assert.match(await result.innerText(), /2\s*not imported/);
    const anna = await contactsNamed(env.srv, 'Smith');
    assert.equal(anna.length, 1);
    assert.deepEqual(anna[0].emails, ['anna@import.example']);
    assert.equal(anna[0].birthday, '1990-03-15');
    assert.equal((await contactsNamed(env.srv, 'Brown')).length, 0, 'the bad row was skipped');

    // Listed in the history; undone in one action.
    await page.getByRole('button', { name: 'Undo import' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Undo import' }).click();
    await page.getByText(/Import undone: 2 records to the trash/).waitFor();
    await page.locator('.state-pill', { hasText: 'Undone' }).first().waitFor();
    assert.equal((await contactsNamed(env.srv, 'Smith')).length, 0);
    assert.equal((await contactsNamed(env.srv, 'White')).length, 0);
    await page.getByRole('link', { name: 'All imports' }).click();
    await page.locator('tr', { hasText: 'people.csv' }).getByText('Undone').waitFor();
  });
});

test('a workbook with two sheets offers them; choosing one reads its columns', async () => {
  const xlsx = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'import', 'contacts.xlsx'));
  await withPage(env, 'imports-xlsx', async (page) => {
    await signIn(page, env.srv, { hash: '#/imports/new?entity=contacts' });
    await page.locator('#import-file').setInputFiles({ name: 'contacts.xlsx', mimeType: 'application/octet-stream', buffer: xlsx });
    await page.getByRole('button', { name: 'Upload and map columns' }).click();
    const sheet = page.getByLabel('Sheet');
    await sheet.waitFor();
    const options = await sheet.locator('option').allInnerTexts();
    assert.ok(options.length >= 2, `sheets: ${options}`);
    const firstHeaders = await page.locator('.import-header').allInnerTexts();
    const patch = page.waitForResponse((r) => /\/api\/v1\/imports\/\d+$/.test(r.url()) && r.request().method() === 'PATCH');
    await sheet.selectOption(options[1]);
    assert.equal((await patch).status(), 200);
    await page.waitForFunction((h) => [...document.querySelectorAll('.import-header')].map((e) => e.textContent).join('|') !== h, firstHeaders.join('|'));
    assert.equal(await sheet.inputValue(), options[1]);
  });
});

test('a file that is not a table is refused with the reason', async () => {
  await withPage(env, 'imports-refused', async (page) => {
    await signIn(page, env.srv, { hash: '#/imports/new?entity=companies' });
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n', 'latin1');
    await page.locator('#import-file').setInputFiles({ name: 'list.csv', mimeType: 'text/csv', buffer: pdf });
    await page.getByRole('button', { name: 'Upload and map columns' }).click();
    await page.getByRole('alert').getByText(/PDF/).waitFor();
  });
});
