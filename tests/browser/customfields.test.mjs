// Custom fields: an admin defines one, the contact form shows it, the server's field error for a
// bad value appears beside it; money is entered in major units and stored in minor units.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, idFromUrl, setup, signIn, withPage } from './helpers.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

async function addField(page, { label, name, type, options }) {
  await page.getByRole('button', { name: '+ Add field' }).first().click();
  const form = page.getByRole('form', { name: /New field for contacts/ });
  await form.waitFor();
  await form.getByLabel('Label').fill(label);
  if (name) await form.getByLabel('Name').fill(name);
  await form.getByLabel('Type').selectOption(type);
  if (options) await form.getByLabel('Options').fill(options.join('\n'));
  const post = page.waitForResponse((r) => r.url().endsWith('/api/v1/custom-fields') && r.request().method() === 'POST');
  await form.getByRole('button', { name: 'Add field' }).click();
  const resp = await post;
  assert.equal(resp.status(), 201, await resp.text());
  await form.waitFor({ state: 'detached' });
  return resp.json();
}

test('an admin adds custom fields; the contact form shows them and the server checks the values', async () => {
  await withPage(env, 'customfields-form', async (page) => {
    const { srv } = env;
    await signIn(page, srv, { hash: '#/contacts' });
    await page.getByRole('link', { name: 'Custom fields' }).click();
    await page.getByRole('heading', { name: 'Custom fields', level: 1 }).waitFor();
    await page.getByRole('tab', { name: 'Contacts' }).waitFor();
    await page.getByText('No custom fields for contacts yet — add the first one').waitFor();

    const url = await addField(page, { label: 'LinkedIn profile', type: 'url' });
    assert.equal(url.name, 'linkedin_profile'); // suggested from the label
    assert.equal(url.type, 'url');
    await addField(page, { label: 'Segment', name: 'segment', type: 'choice', options: ['Enterprise', 'SMB'] });
    await page.locator('tr[data-name="segment"]').waitFor();
    await page.locator('tr[data-name="linkedin_profile"]').waitFor();
    await page.screenshot({ path: new URL('../../test-artifacts/screenshots/customfields-admin.png', import.meta.url).pathname });

    // The new contact form shows both under "Custom fields".
    await page.getByRole('link', { name: 'Contacts', exact: true }).first().click();
    await page.getByRole('link', { name: '+ New contact' }).first().click();
    const section = page.getByRole('region', { name: 'Custom fields' });
    await section.waitFor();
    await section.getByLabel('LinkedIn profile').fill('not a link');
    await section.getByLabel('Segment').selectOption('SMB');
    await page.getByLabel('Last name').fill('Fudd');
    const post = page.waitForResponse((r) => r.url().endsWith('/api/v1/contacts') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Create contact' }).click();
    const resp = await post;
    assert.equal(resp.status(), 422);
    const problem = await resp.json();
    const serverError = problem.errors.find((e) => e.field === 'custom.linkedin_profile');
    assert.ok(serverError, `the server names custom.linkedin_profile: ${JSON.stringify(problem)}`);
    // The server's message is shown beside the field, and the detail in the banner.
    const fieldError = page.locator('.field-error[data-field="custom.linkedin_profile"]');
    await fieldError.waitFor();
    assert.equal(await fieldError.innerText(), serverError.message);
    assert.equal(await section.getByLabel('LinkedIn profile').getAttribute('aria-invalid'), 'true');
    if (problem.detail) await page.getByRole('alert').filter({ hasText: problem.detail }).waitFor();
    await page.screenshot({ path: new URL('../../test-artifacts/screenshots/customfields-error.png', import.meta.url).pathname });

    // A good value saves; the view shows it.
    await section.getByLabel('LinkedIn profile').fill('https://www.linkedin.com/in/elmer');
    const post2 = page.waitForResponse((r) => r.url().endsWith('/api/v1/contacts') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Create contact' }).click();
    assert.equal((await post2).status(), 201);
    await page.getByRole('heading', { name: 'Fudd', level: 1 }).waitFor();
    await page.locator('[data-field="custom.segment"] dd', { hasText: 'SMB' }).waitFor();
    const id = idFromUrl(page, 'contacts');
    const rec = await api(srv, 'GET', `/api/v1/contacts/${id}`);
    assert.equal(rec.body.custom.linkedin_profile, 'https://www.linkedin.com/in/elmer');
    assert.equal(rec.body.custom.segment, 'SMB');
  });
});

test('money is typed in major units and stored as integer minor units', async () => {
  await withPage(env, 'customfields-money', async (page) => {
    const { srv } = env;
    await signIn(page, srv, { hash: '#/settings/custom-fields?entity=contacts' });
    await page.getByRole('heading', { name: 'Custom fields', level: 1 }).waitFor();
    await page.locator('tr[data-name="segment"]').waitFor();
    await addField(page, { label: 'Budget', name: 'budget', type: 'money' });
    await addField(page, { label: 'Newsletter', name: 'newsletter', type: 'boolean' });
    await page.locator('tr[data-name="budget"]').waitFor();

    await page.goto('/#/contacts/new');
    const section = page.getByRole('region', { name: 'Custom fields' });
    await section.waitFor();
    await page.getByLabel('Last name').fill('Sam');
    await section.getByLabel('Segment').selectOption('Enterprise');
    await section.getByLabel('Budget — Amount').fill('1234.5');
    await section.getByLabel('Budget — Currency').fill('eur');
    await section.getByLabel('Newsletter').check();
    const post = page.waitForResponse((r) => r.url().endsWith('/api/v1/contacts') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Create contact' }).click();
    const resp = await post;
    assert.equal(resp.status(), 201, await resp.text());
    const sent = JSON.parse(resp.request().postData());
    assert.deepEqual(sent.custom.budget, { amount: 123450, currency: 'EUR' });
    assert.equal(sent.custom.newsletter, true);
    await page.getByRole('heading', { name: 'Sam', level: 1 }).waitFor();
    const shown = await page.locator('[data-field="custom.budget"] dd').innerText();
    assert.match(shown, /1,234\.50/);

    // The edit form shows major units with the currency's decimals.
    await page.getByRole('link', { name: 'Edit' }).click();
    assert.equal(await page.getByLabel('Budget — Amount').inputValue(), '1234.50');
    // Three decimals for EUR is refused before anything is sent.
    await page.getByLabel('Budget — Amount').fill('10.125');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.field-error[data-field="custom.budget"]').waitFor();
  });
});

test('an admin edits a field (label, required, options) and deletes one', async () => {
  await withPage(env, 'customfields-edit', async (page) => {
    const { srv } = env;
    await signIn(page, srv, { hash: '#/settings/custom-fields?entity=contacts' });
    const row = page.locator('tr[data-name="segment"]');
    await row.waitFor();
    await row.getByRole('button', { name: 'Edit Segment' }).click();
    const form = page.getByRole('form', { name: /Edit “Segment”/ });
    await form.waitFor();
    assert.equal(await form.getByLabel('Name').isDisabled(), true);
    await form.getByLabel('Label').fill('Customer segment');
    await form.getByRole('checkbox').check();
    await form.getByLabel('Options').fill('Enterprise\nSMB\nStartup');
    const patch = page.waitForResponse((r) => r.url().includes('/api/v1/custom-fields/') && r.request().method() === 'PATCH');
    await form.getByLabel('Label').press('Enter');
    assert.equal((await patch).status(), 200);
    await form.waitFor({ state: 'detached' });
    await row.getByText('Customer segment').waitFor();
    await row.getByText('Enterprise, SMB, Startup').waitFor();
    await row.getByRole('cell', { name: 'Yes' }).waitFor();

    // Required now: a contact without a segment gets the server's error beside the field.
    await page.goto('/#/contacts/new');
    await page.getByLabel('Last name').fill('Porky');
    const post = page.waitForResponse((r) => r.url().endsWith('/api/v1/contacts') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Create contact' }).click();
    const resp = await post;
    assert.equal(resp.status(), 422);
    const problem = await resp.json();
    const err = problem.errors.find((e) => e.field === 'custom.segment');
    assert.ok(err, JSON.stringify(problem));
    const shown = page.locator('.field-error[data-field="custom.segment"]');
    await shown.waitFor();
    assert.equal(await shown.innerText(), err.message);
    // The first field with an error has focus.
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'custom.segment');
    await page.getByRole('combobox', { name: 'Customer segment' }).selectOption('Startup');
    await page.getByRole('button', { name: 'Create contact' }).click();
    await page.getByRole('heading', { name: 'Porky', level: 1 }).waitFor();

    // Delete the Budget field with a confirmation.
    await page.goto('/#/settings/custom-fields?entity=contacts');
    const budget = page.locator('tr[data-name="budget"]');
    await budget.waitFor();
    await budget.getByRole('button', { name: 'Delete Budget' }).click();
    const dialog = page.getByRole('alertdialog');
    const del = page.waitForResponse((r) => r.request().method() === 'DELETE');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    assert.equal((await del).status(), 204);
    await budget.waitFor({ state: 'detached' });
    const defs = await api(srv, 'GET', '/api/v1/custom-fields?entity=contacts');
    assert.ok(!defs.body.data.some((d) => d.name === 'budget'));
  });
});
