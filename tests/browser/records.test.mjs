// Companies and contacts through the UI: create, link, search as you type, edit, a stale
// edit (412), delete to the trash and restore.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, create, firstRowHas, idFromUrl, rowCount, setup, signIn, withPage } from './helpers.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

const saved = { companyId: null, contactId: null };

test('create a company, then a contact linked to it', async () => {
  await withPage(env, 'records-create', async (page) => {
    const { srv } = env;
    await signIn(page, srv, { hash: '#/companies' });
    await page.getByText('No companies yet — create the first one').waitFor();
    await page.getByRole('link', { name: '+ New company' }).first().click();
    await page.getByRole('heading', { name: 'New company' }).waitFor();
    // The first field has focus.
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'name');
    await page.keyboard.type('Acme Rockets');
    await page.getByLabel('Industry').fill('Aerospace');
    await page.getByLabel('Website').fill('https://acme.example');
    await page.getByLabel('Emails').fill('sales@acme.example');
    await page.getByLabel('Tags').fill('vip, rockets');
    const post = page.waitForResponse((r) => r.url().endsWith('/api/v1/companies') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Create company' }).click();
    assert.equal((await post).status(), 201);
    await page.getByRole('heading', { name: 'Acme Rockets', level: 1 }).waitFor();
    saved.companyId = idFromUrl(page, 'companies');
    assert.ok(saved.companyId, `a company id in ${page.url()}`);
    const c = await api(srv, 'GET', `/api/v1/companies/${saved.companyId}`);
    assert.equal(c.body.industry, 'Aerospace');
    assert.deepEqual(c.body.emails, ['sales@acme.example']);
    assert.deepEqual([...c.body.tags].sort(), ['rockets', 'vip']);

    // A contact, linked to the company with the company picker.
    await page.getByRole('link', { name: 'Contacts', exact: true }).first().click();
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
    await page.getByRole('link', { name: '+ New contact' }).first().click();
    await page.getByLabel('First name').fill('Wile');
    await page.getByLabel('Last name').fill('Coyote');
    await page.getByLabel('Position').fill('Chief Engineer');
    await page.getByLabel('Company').fill('Acme');
    await page.getByRole('option', { name: /Acme Rockets/ }).click();
    await page.getByLabel('Phones').fill('+1 555 010 0200');
    const post2 = page.waitForResponse((r) => r.url().endsWith('/api/v1/contacts') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Create contact' }).click();
    assert.equal((await post2).status(), 201);
    await page.getByRole('heading', { name: 'Wile Coyote', level: 1 }).waitFor();
    saved.contactId = idFromUrl(page, 'contacts');
    const k = await api(srv, 'GET', `/api/v1/contacts/${saved.contactId}`);
    assert.equal(k.body.company_id, saved.companyId);
    // The contact page links to its company, and the company lists the contact.
    await page.locator('[data-field="company_id"] a', { hasText: 'Acme Rockets' }).click();
    await page.getByRole('heading', { name: 'Acme Rockets', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Wile Coyote' }).waitFor();
  });
});

test('the contacts list sorts by a header click and opens a row', async () => {
  await withPage(env, 'records-list', async (page) => {
    const { srv } = env;
    await create(srv, 'contacts', { first_name: 'Bugs', last_name: 'Bunny', source: 'web' });
    await create(srv, 'contacts', { first_name: 'Daffy', last_name: 'Duck', source: 'fair' });
    await signIn(page, srv, { hash: '#/contacts' });
    await page.getByRole('cell', { name: 'Daffy Duck' }).waitFor();
    const sorted = page.waitForResponse((r) => r.url().includes('/api/v1/contacts?') && r.url().includes('sort=last_name'));
    await page.getByRole('button', { name: 'Name' }).click();
    await sorted;
    await firstRowHas(page, 'Bugs Bunny');
    const desc = page.waitForResponse((r) => r.url().includes('sort=-last_name'));
    await page.getByRole('button', { name: 'Name' }).click();
    await desc;
    await firstRowHas(page, 'Daffy Duck');
    // Filter by source.
    const filtered = page.waitForResponse((r) => r.url().includes('source=fair'));
    await page.getByLabel('Source').fill('fair');
    await filtered;
    await rowCount(page, 1);
    await page.getByRole('cell', { name: 'Daffy Duck' }).click();
    await page.getByRole('heading', { name: 'Daffy Duck', level: 1 }).waitFor();
  });
});

test('search as you type in the top bar finds contacts, also in Cyrillic', async () => {
  await withPage(env, 'records-search', async (page) => {
    const { srv } = env;
    const maria = await create(srv, 'contacts', { first_name: 'Мария', last_name: 'Иванова', phones: ['+7 495 123-45-67'] });
    await signIn(page, srv, { hash: '#/companies' });
    const box = page.getByRole('combobox', { name: 'Search everything' });
    await box.click();
    await box.pressSequentially('Coyo');
    const hit = page.getByRole('option', { name: /Coyote/ });
    await hit.waitFor();
    await box.press('Enter');
    await page.getByRole('heading', { name: 'Wile Coyote', level: 1 }).waitFor();

    await box.click();
    await box.pressSequentially('Иван');
    const ru = page.getByRole('option', { name: /Иванова/ });
    await ru.waitFor();
    await page.screenshot({ path: new URL('../../test-artifacts/screenshots/records-search-dropdown.png', import.meta.url).pathname });
    // Arrow keys move, Escape closes, Enter opens.
    await box.press('ArrowDown');
    await box.press('Escape');
    await page.getByRole('listbox').waitFor({ state: 'detached' });
    await box.press('ArrowDown');
    await ru.waitFor();
    const selected = page.locator('[role="option"][aria-selected="true"]');
    assert.match(await selected.innerText(), /Иванова/);
    await box.press('Enter');
    await page.getByRole('heading', { name: 'Мария Иванова', level: 1 }).waitFor();
    assert.equal(idFromUrl(page, 'contacts'), maria.id);
  });
});

test('edit a field and save', async () => {
  await withPage(env, 'records-edit', async (page) => {
    const { srv } = env;
    await signIn(page, srv, { hash: `#/contacts/${saved.contactId}` });
    await page.getByRole('heading', { name: 'Wile Coyote', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Edit' }).click();
    const pos = page.getByLabel('Position');
    await pos.fill('Head of Research');
    const patch = page.waitForResponse((r) => r.url().endsWith(`/api/v1/contacts/${saved.contactId}`) && r.request().method() === 'PATCH');
    await pos.press('Enter'); // Enter submits the form
    const resp = await patch;
    assert.equal(resp.status(), 200);
    assert.ok(resp.request().headers()['if-match'], 'PATCH carries If-Match');
    assert.deepEqual(JSON.parse(resp.request().postData()), { position: 'Head of Research' });
    await page.locator('[data-field="position"] dd', { hasText: 'Head of Research' }).waitFor();
    const k = await api(srv, 'GET', `/api/v1/contacts/${saved.contactId}`);
    assert.equal(k.body.position, 'Head of Research');

    // Escape cancels an edit without saving.
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Position').fill('Should not be saved');
    await page.getByLabel('Position').press('Escape');
    await page.locator('[data-field="position"] dd', { hasText: 'Head of Research' }).waitFor();
  });
});

test('a stale edit shows the conflict message and Reload brings the other change', async () => {
  await withPage(env, 'records-conflict', async (page) => {
    const { srv } = env;
    await signIn(page, srv, { hash: `#/contacts/${saved.contactId}/edit` });
    const pos = page.getByLabel('Position');
    await pos.waitFor();
    assert.equal(await pos.inputValue(), 'Head of Research');

    // Someone else changes the record between opening the form and saving.
    const cur = await api(srv, 'GET', `/api/v1/contacts/${saved.contactId}`);
    const other = await api(srv, 'PATCH', `/api/v1/contacts/${saved.contactId}`, { position: 'CEO' }, { 'If-Match': cur.headers.get('etag') });
    assert.equal(other.status, 200);

    await page.getByLabel('Middle name').fill('E.');
    const patch = page.waitForResponse((r) => r.request().method() === 'PATCH');
    await page.getByRole('button', { name: 'Save' }).click();
    assert.equal((await patch).status(), 412);
    const alert = page.getByRole('alert').filter({ hasText: 'Someone else changed this record; reload to see their changes' });
    await alert.waitFor();
    // Nothing was written.
    const after1 = await api(srv, 'GET', `/api/v1/contacts/${saved.contactId}`);
    assert.equal(after1.body.middle_name ?? null, null);
    await page.screenshot({ path: new URL('../../test-artifacts/screenshots/records-conflict-banner.png', import.meta.url).pathname });

    await alert.getByRole('button', { name: 'Reload' }).click();
    await alert.waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.querySelector('input[name="position"]')?.value === 'CEO');
    // Saving again after the reload works.
    await page.getByLabel('Middle name').fill('E.');
    const patch2 = page.waitForResponse((r) => r.request().method() === 'PATCH');
    await page.getByRole('button', { name: 'Save' }).click();
    assert.equal((await patch2).status(), 200);
    await page.getByRole('heading', { name: 'Wile E. Coyote', level: 1 }).waitFor();
  });
});

test('delete to the trash and restore from the Trash view', async () => {
  await withPage(env, 'records-trash', async (page) => {
    const { srv } = env;
    const road = await create(srv, 'contacts', { first_name: 'Road', last_name: 'Runner' });
    await signIn(page, srv, { hash: `#/contacts/${road.id}` });
    await page.getByRole('heading', { name: 'Road Runner', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Move to trash' }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.waitFor();
    const del = page.waitForResponse((r) => r.request().method() === 'DELETE');
    await dialog.getByRole('button', { name: 'Move to trash' }).click();
    assert.equal((await del).status(), 204);
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
    await page.getByRole('cell', { name: 'Daffy Duck' }).waitFor();
    assert.equal(await page.getByRole('cell', { name: 'Road Runner' }).count(), 0);
    assert.equal((await api(srv, 'GET', `/api/v1/contacts/${road.id}`)).status, 404);

    await page.getByRole('link', { name: 'Trash' }).click();
    await page.getByRole('heading', { name: 'Contacts in the trash' }).waitFor();
    const row = page.locator('tr', { hasText: 'Road Runner' });
    await row.waitFor();
    const restore = page.waitForResponse((r) => r.url().endsWith(`/api/v1/contacts/${road.id}/restore`));
    await row.getByRole('button', { name: /Restore/ }).click();
    assert.equal((await restore).status(), 200);
    await row.waitFor({ state: 'detached' });
    assert.equal((await api(srv, 'GET', `/api/v1/contacts/${road.id}`)).status, 200);
    await page.getByRole('link', { name: /Back to the list/ }).click();
    await page.getByRole('cell', { name: 'Road Runner' }).waitFor();
  });
});

test('a bad email shows the server message beside that email, and the detail in a banner', async () => {
  await withPage(env, 'records-field-error', async (page) => {
    const { srv } = env;
    await signIn(page, srv, { hash: '#/companies/new' });
    await page.getByLabel('Name').first().fill('Bad Mail Ltd');
    await page.getByLabel('Emails').fill('ok@example.com');
    await page.getByRole('button', { name: '+ Add email' }).click();
    await page.getByRole('textbox', { name: 'Email 2' }).fill('not-an-email');
    const post = page.waitForResponse((r) => r.url().endsWith('/api/v1/companies') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Create company' }).click();
    const resp = await post;
    assert.equal(resp.status(), 422);
    const problem = await resp.json();
    const err = problem.errors.find((e) => e.field === 'emails[1]');
    assert.ok(err, JSON.stringify(problem));
    const shown = page.locator('.field-error[data-field="emails[1]"]');
    await shown.waitFor();
    assert.equal(await shown.innerText(), err.message);
    assert.equal(await page.locator('.field-error[data-field="emails[0]"]').count(), 0);
    await page.getByRole('alert').filter({ hasText: problem.detail }).waitFor();
    // Escape leaves the form without saving anything.
    await page.getByRole('textbox', { name: 'Email 2' }).press('Escape');
    await page.getByRole('heading', { name: 'Companies', level: 1 }).waitFor();
    const list = await api(srv, 'GET', '/api/v1/companies?q=Bad%20Mail');
    assert.equal(list.body.data.length, 0);
  });
});
