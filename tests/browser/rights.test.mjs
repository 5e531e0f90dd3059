// Rights in the UI: an administrator builds the organisation (a department, a manager), the
// manager signs in from another browser and sees only their own clients; a share made in the
// record's Sharing panel shows them one more; a role change (a matrix cell, a hidden field) takes
// effect on the manager's screens (a hidden field is gone, a read-only one is disabled); the transfer tool gives a manager's clients to someone else.
// Real server, real Chromium, no mocks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { api, create, otherBrowser, rowCount, setup, signIn, SHOTS } from './helpers.mjs';

let env;
let other;          // the manager's own browser
let admin;          // the admin's page, kept across the tests (they build on each other)
let mgrPage;        // the manager's page
const mgr = { email: 'mona@example.com', name: 'Mona Manager', password: 'velvet harbour quietly sings' };
let mgrId;
let adminCo;        // a company the admin owns
let deptId;
let managerRole;    // the built-in Manager role's id

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) }).catch(() => {});
}

/** Waits for the next response to METHOD on a path ending in SUFFIX and returns it. */
function nextResponse(page, method, suffix) {
  return page.waitForResponse((r) => r.request().method() === method && new URL(r.url()).pathname.endsWith(suffix));
}

before(async () => {
  env = await setup();
  adminCo = await create(env.srv, 'companies', { name: 'Admin Holdings' });
  managerRole = (await api(env.srv, 'GET', '/api/v1/roles')).body.data.find((r) => r.builtin === 'manager').id;
  admin = await env.newPage();
  await signIn(admin, env.srv, { hash: '#/companies' });
});
after(async () => {
  await admin?.close().catch(() => {});
  await other?.close();
  await env?.close();
  assert.deepEqual(env?.pageErrors.map(String) ?? [], []);
});

test('an admin adds a department and a manager through the UI; the manager sees only their own companies', async () => {
  const page = admin;
  // Departments: a child of the top department, added from its row; Enter submits.
  await page.getByRole('link', { name: 'Departments' }).click();
  await page.getByRole('heading', { name: 'Departments', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Add a department under Company' }).click();
  const deptForm = page.getByRole('form', { name: 'New department under “Company”' });
  await deptForm.getByLabel('Name').fill('Sales East');
  await deptForm.getByLabel('Kind').selectOption('department');
  const made = nextResponse(page, 'POST', '/api/v1/departments');
  await deptForm.getByLabel('Name').press('Enter');
  const dept = await (await made).json();
  deptId = dept.id;
  assert.equal(dept.parent_id, 1);
  assert.equal(dept.kind, 'department');
  await page.locator('tr[data-dept="Sales East"][data-depth="1"]').waitFor();
  // A team under it; the parent picker of Sales East then offers neither itself nor its team.
  await page.getByRole('button', { name: 'Add a department under Sales East' }).click();
  const teamForm = page.getByRole('form', { name: 'New department under “Sales East”' });
  assert.equal(await teamForm.getByLabel('Kind').inputValue(), 'team');
  await teamForm.getByLabel('Name').fill('Team East 1');
  await teamForm.getByRole('button', { name: 'Add department' }).click();
  await page.locator('tr[data-dept="Team East 1"][data-depth="2"]').waitFor();
  await page.getByRole('button', { name: 'Edit Sales East' }).click();
  const edit = page.getByRole('form', { name: 'Edit “Sales East”' });
  const parents = await edit.getByLabel('Parent').locator('option').allInnerTexts();
  assert.deepEqual(parents.map((x) => x.trim()), ['None (top level)', 'Company']);
  await shot(page, 'rights-departments');
  await edit.getByLabel('Name').press('Escape');
  await edit.waitFor({ state: 'detached' });
  // Collapsing Sales East hides its team; an empty team can be deleted, a department with people cannot.
  await page.getByRole('button', { name: 'Collapse Sales East' }).click();
  await page.locator('tr[data-dept="Team East 1"]').waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Expand Sales East' }).click();
  await page.locator('tr[data-dept="Team East 1"]').waitFor();
  assert.equal(await page.locator('tr[data-dept="Team East 1"] td.members').innerText(), '0');
  await page.getByRole('button', { name: 'Delete Team East 1' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
  await page.locator('tr[data-dept="Team East 1"]').waitFor({ state: 'detached' });

  // Users: a bad email is shown beside the field; then the manager is added.
  await page.getByRole('link', { name: 'Users' }).click();
  await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
  await page.getByRole('button', { name: '+ Add user' }).click();
  const form = page.getByRole('form', { name: 'New user' });
  await form.getByLabel('Email').fill('not an email');
  await form.getByLabel('Name').fill(mgr.name);
  await form.getByLabel('Initial password').fill(mgr.password);
  await form.getByLabel('Department').selectOption(String(deptId));
  await form.getByLabel('Role').selectOption({ label: 'Manager' });
  let post = nextResponse(page, 'POST', '/api/v1/users');
  await form.getByLabel('Initial password').press('Enter');
  const bad = await post;
  assert.equal(bad.status(), 422);
  const problem = await bad.json();
  const emailErr = problem.errors.find((e) => e.field === 'email');
  assert.ok(emailErr, JSON.stringify(problem));
  assert.equal(await form.locator('.field-error[data-field="email"]').innerText(), emailErr.message);
  await form.getByLabel('Email').fill(mgr.email);
  post = nextResponse(page, 'POST', '/api/v1/users');
  await form.getByRole('button', { name: 'Add user' }).click();
  const ok = await post;
  assert.equal(ok.status(), 201, await ok.text());
  mgrId = (await ok.json()).id;
  const row = page.locator(`tr[data-email="${mgr.email}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /Sales East[\s\S]*Manager[\s\S]*Active/);
  await shot(page, 'rights-users');

  await create(env.srv, 'companies', { name: 'Mona Trading', owner_id: mgrId });

  // The manager, in a browser of their own.
  other = await otherBrowser(env.srv);
  mgrPage = await other.newPage();
  mgrPage.on('pageerror', (e) => env.pageErrors.push(e));
  await signIn(mgrPage, env.srv, { email: mgr.email, password: mgr.password, hash: '#/companies' });
  await mgrPage.getByRole('heading', { name: 'Companies', level: 1 }).waitFor();
  await rowCount(mgrPage, 1);
  assert.match(await mgrPage.locator('table.data-table tbody').innerText(), /Mona Trading/);
  assert.doesNotMatch(await mgrPage.locator('table.data-table tbody').innerText(), /Admin Holdings/);
  // No administration for a manager; creating their own companies is allowed.
  assert.equal(await mgrPage.getByRole('link', { name: 'Users' }).count(), 0);
  assert.equal(await mgrPage.getByRole('link', { name: 'Roles' }).count(), 0);
  await mgrPage.getByRole('link', { name: '+ New company' }).waitFor();
  // The admin's company is hidden: its page answers "does not exist".
  await mgrPage.goto(`/#/companies/${adminCo.id}`);
  await mgrPage.getByRole('alert').filter({ hasText: 'does not exist' }).waitFor();
  await shot(mgrPage, 'rights-manager-own');
});

test('the admin shares a company in its Sharing panel; the manager then sees it', async () => {
  const page = admin;
  await page.goto(`/#/companies/${adminCo.id}`);
  await page.getByRole('heading', { name: 'Admin Holdings', level: 1 }).waitFor();
  const panel = page.getByRole('region', { name: 'Sharing' });
  await panel.getByText('Not shared with anyone.').waitFor();
  await panel.getByLabel('Share with').selectOption(`u:${mgrId}`);
  await panel.getByLabel('Access').selectOption('read');
  const post = nextResponse(page, 'POST', `/api/v1/companies/${adminCo.id}/shares`);
  await panel.getByRole('button', { name: 'Share', exact: true }).click();
  assert.equal((await post).status(), 201);
  const share = panel.locator('.share-row', { hasText: mgr.name });
  await share.waitFor();
  assert.match(await share.innerText(), /Read/);
  await shot(page, 'rights-sharing');

  await mgrPage.goto('/#/companies');
  await mgrPage.reload();
  await rowCount(mgrPage, 2);
  assert.match(await mgrPage.locator('table.data-table tbody').innerText(), /Admin Holdings/);
  await mgrPage.locator('tr', { hasText: 'Admin Holdings' }).click();
  await mgrPage.getByRole('heading', { name: 'Admin Holdings', level: 1 }).waitFor();
  // The manager may not manage who sees the admin's company: the server's reason is shown.
  const panel2 = mgrPage.getByRole('region', { name: 'Sharing' });
  await panel2.locator('.share-row').waitFor();
  await panel2.getByLabel('Share with').selectOption(`d:${deptId}`);
  const refused = nextResponse(mgrPage, 'POST', `/api/v1/companies/${adminCo.id}/shares`);
  await panel2.getByRole('button', { name: 'Share', exact: true }).click();
  const r = await refused;
  assert.equal(r.status(), 403);
  const detail = (await r.json()).detail;
  await panel2.getByRole('alert').filter({ hasText: detail || 'not allowed' }).waitFor();
});

test('a role change applies to the manager: a matrix cell and a hidden field', async () => {
  const contact = await create(env.srv, 'contacts', {
    first_name: 'Pat', last_name: 'Phoneholder', phones: ['+1 555 010 7788'], owner_id: mgrId,
  });
  // Before: the manager sees the phone column and the phone, and may move the contact to the trash.
  await mgrPage.goto('/#/contacts');
  await rowCount(mgrPage, 1);
  await mgrPage.getByRole('columnheader', { name: 'Phone' }).waitFor();
  assert.match(await mgrPage.locator('table.data-table tbody').innerText(), /555 010 7788/);

  const page = admin;
  await page.getByRole('link', { name: 'Roles' }).click();
  await page.getByRole('heading', { name: 'Roles', level: 1 }).waitFor();
  // The administrator role is read-only.
  await page.getByRole('link', { name: 'View Administrator' }).click();
  await page.getByText('The administrator role always has every right').waitFor();
  assert.equal(await page.getByLabel('Companies: Read').isDisabled(), true);
  assert.equal(await page.getByRole('button', { name: 'Save' }).count(), 0);
  await page.getByRole('link', { name: 'Back to the list' }).click();

  await page.getByRole('link', { name: 'Edit Manager' }).click();
  await page.getByRole('heading', { name: 'Role: Manager' }).waitFor();
  // The matrix is a grid: arrow keys move between cells.
  await page.getByLabel('Contacts: Update').focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Contacts: Delete');
  await page.keyboard.press('ArrowUp');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Companies: Delete');
  await page.getByLabel('Contacts: Delete').selectOption('none');
  const rules = page.locator('section.field-rules[data-entity="contacts"]');
  await rules.getByLabel('Field', { exact: true }).selectOption('phones');
  await rules.getByLabel('Rule', { exact: true }).selectOption('hidden');
  await rules.getByRole('button', { name: 'Add a field rule for Contacts' }).click();
  await rules.locator('.rule-row[data-field="phones"]').waitFor();
  await rules.getByLabel('Field', { exact: true }).selectOption('emails');
  await rules.getByLabel('Rule', { exact: true }).selectOption('readonly');
  await rules.getByRole('button', { name: 'Add a field rule for Contacts' }).click();
  await rules.locator('.rule-row[data-field="emails"]').waitFor();
  await shot(page, 'rights-role-editor');
  const patch = nextResponse(page, 'PATCH', `/api/v1/roles/${managerRole}`);
  await page.getByRole('button', { name: 'Save' }).click();
  const saved = await patch;
  assert.equal(saved.status(), 200, await saved.text());
  await page.getByRole('heading', { name: 'Roles', level: 1 }).waitFor();
  const role = (await api(env.srv, 'GET', `/api/v1/roles/${managerRole}`)).body;
  assert.equal(role.perms.contacts.delete, 'none');
  assert.equal(role.perms.companies.delete, 'own');
  assert.deepEqual(role.fields.contacts, { phones: 'hidden', emails: 'readonly' });

  // After: no phone column, no phone on the page or the form, no "Move to trash".
  await mgrPage.reload();
  await rowCount(mgrPage, 1);
  await mgrPage.getByRole('columnheader', { name: 'Name' }).waitFor();
  assert.equal(await mgrPage.getByRole('columnheader', { name: 'Phone' }).count(), 0);
  assert.doesNotMatch(await mgrPage.locator('table.data-table').innerText(), /555 010 7788/);
  await mgrPage.goto(`/#/contacts/${contact.id}`);
  await mgrPage.getByRole('heading', { name: 'Pat Phoneholder', level: 1 }).waitFor();
  assert.equal(await mgrPage.locator('[data-field="phones"]').count(), 0);
  assert.doesNotMatch(await mgrPage.locator('main').innerText(), /555 010 7788/);
  assert.equal(await mgrPage.getByRole('button', { name: 'Move to trash' }).count(), 0);
  await mgrPage.getByRole('link', { name: 'Edit' }).click();
  await mgrPage.getByLabel('Last name').waitFor();
  assert.equal(await mgrPage.getByLabel('Phones').count(), 0);
  // A read-only field is shown, disabled.
  assert.equal(await mgrPage.getByLabel('Emails').isDisabled(), true);
  // Saving a visible field keeps the hidden phone as it was.
  await mgrPage.getByLabel('Position').fill('Buyer');
  const upd = nextResponse(mgrPage, 'PATCH', `/api/v1/contacts/${contact.id}`);
  await mgrPage.getByLabel('Position').press('Enter');
  assert.equal((await upd).status(), 200);
  assert.deepEqual((await api(env.srv, 'GET', `/api/v1/contacts/${contact.id}`)).body.phones, ['+1 555 010 7788']);
  await shot(mgrPage, 'rights-manager-hidden-phone');
});

test('the transfer tool gives all of a manager\'s companies to another user and shows the result', async () => {
  const bob = (await api(env.srv, 'POST', '/api/v1/users', {
    email: 'bob@example.com', name: 'Bob Builder', password: 'another long passphrase', role_id: managerRole, department_id: deptId,
  })).body;
  await create(env.srv, 'companies', { name: 'Mona Second', owner_id: mgrId });

  const page = admin;
  await page.getByRole('link', { name: 'Transfer clients' }).click();
  await page.getByRole('heading', { name: 'Transfer clients', level: 1 }).waitFor();
  await page.getByLabel('Records', { exact: true }).selectOption('companies');
  await page.getByLabel('Everything one user owns').check();
  await page.getByLabel('From user').selectOption(String(mgrId));
  await page.getByLabel(/Bob Builder/).check();
  await page.getByRole('button', { name: 'Transfer…' }).click();
  const dialog = page.getByRole('alertdialog');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /2 companies owned by Mona Manager will move to Bob Builder/);
  const post = nextResponse(page, 'POST', '/api/v1/companies/transfer');
  await dialog.getByRole('button', { name: 'Transfer 2' }).click();
  const res = await post;
  assert.equal(res.status(), 200);
  const result = page.locator('.transfer-result');
  await result.getByText('2 companies transferred').waitFor();
  assert.match(await result.locator(`li[data-owner="${bob.id}"]`).innerText(), /Bob Builder: 2 received/);
  await shot(page, 'rights-transfer');
  const owned = (await api(env.srv, 'GET', `/api/v1/companies?owner_id=${bob.id}`)).body.data.map((c) => c.name).sort();
  assert.deepEqual(owned, ['Mona Second', 'Mona Trading']);

  // The manager now sees only the shared company.
  await mgrPage.goto('/#/companies');
  await mgrPage.reload();
  await rowCount(mgrPage, 1);
  assert.match(await mgrPage.locator('table.data-table tbody').innerText(), /Admin Holdings/);
});

test('deactivating a user asks first, says their sessions end, and signs them out at once', async () => {
  const page = admin;
  await page.getByRole('link', { name: 'Users' }).click();
  await page.getByRole('button', { name: `Deactivate ${mgr.name}` }).click();
  const dialog = page.getByRole('alertdialog');
  assert.match(await dialog.innerText(), /sessions and API tokens end at once/);
  // Escape closes it without doing anything.
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await page.getByRole('button', { name: `Deactivate ${mgr.name}` }).click();
  const patch = nextResponse(page, 'PATCH', `/api/v1/users/${mgrId}`);
  await page.getByRole('alertdialog').getByRole('button', { name: 'Deactivate' }).click();
  assert.equal((await patch).status(), 200);
  await page.locator(`tr[data-email="${mgr.email}"]`, { hasText: 'Deactivated' }).waitFor();
  // The manager's next request finds the session gone.
  await mgrPage.reload();
  await mgrPage.getByLabel('Password').waitFor();
});
