// Activities in the browser: a task added from a company's timeline shows on my day and on the
// timeline, is completed in place on my day; an overdue task; a call logged on a contact shows on
// the contact's and its company's timelines; a deal's stage move on the deal's timeline; the form
// shows the server's message next to the field; a manager does not see another's task.
// The browser runs in UTC (helpers.mjs), so "today" is the UTC day.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, create, setup, signIn, withPage } from './helpers.mjs';
import { addUser, createToken, req } from '../lib/helpers.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

const timeline = (page) => page.locator('.timeline-card');
const entry = (scope, text) => scope.locator('.timeline-entry', { hasText: text });
const daySection = (page, name) => page.locator(`.day-section.day-${name}`);

test('a task due today added from a company page shows on its timeline and on my day, and leaves when completed there', async () => {
  const company = await create(env.srv, 'companies', { name: 'Initech' });
  await withPage(env, 'activities-task-myday', async (page) => {
    await signIn(page, env.srv, { hash: `#/companies/${company.id}` });
    await timeline(page).getByRole('link', { name: 'Add a task' }).click();
    await page.getByRole('heading', { name: 'New task', level: 1 }).waitFor();
    // The company is filled in from the page the form was opened on.
    assert.equal(await page.locator('#f-company_id').inputValue(), 'Initech');
    await page.locator('#f-subject').fill('Send the Initech proposal');
    await page.getByRole('group', { name: 'Quick deadline' }).getByRole('button', { name: 'Today' }).click();
    assert.equal(await page.locator('#f-due_at').getAttribute('type'), 'date');
    const post = page.waitForResponse((r) => r.url().endsWith('/api/v1/activities') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Save activity' }).click();
    const res = await post;
    assert.equal(res.status(), 201);
    const sent = JSON.parse(res.request().postData());
    // A date alone becomes the end of the local (here UTC) day, with its offset.
    assert.match(sent.due_at, /^\d{4}-\d{2}-\d{2}T23:59:59\+00:00$/);
    assert.equal(sent.company_id, company.id);

    // Back on the company's page, with the new entry on the timeline.
    await page.waitForURL(new RegExp(`#/companies/${company.id}$`));
    await entry(timeline(page), 'Send the Initech proposal').waitFor();

    // My day is in the navigation, with the task under Today.
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'My day' }).click();
    const today = daySection(page, 'today');
    await today.getByText('Send the Initech proposal').waitFor();
    assert.equal(await today.getByRole('link', { name: 'Initech', exact: true }).getAttribute('href'), `#/companies/${company.id}`);

    // Completing it in place: it leaves the list at once, and the server has it done.
    const done = page.waitForResponse((r) => /\/activities\/\d+\/complete$/.test(r.url()));
    await today.getByRole('checkbox', { name: 'Complete “Send the Initech proposal”' }).click();
    await today.getByText('Send the Initech proposal').waitFor({ state: 'detached' });
    assert.equal((await done).status(), 200);
    const list = await api(env.srv, 'GET', `/api/v1/activities?company_id=${company.id}`);
    assert.equal(list.body.data[0].status, 'done');
  });
});

test('a task past its deadline shows under Overdue, and the landing page is my day', async () => {
  await create(env.srv, 'activities', { kind: 'task', subject: 'Renew the lease', due_at: '2026-01-05T09:00:00Z' });
  await withPage(env, 'activities-overdue', async (page) => {
    await signIn(page, env.srv, { hash: '' });
    await page.waitForURL(/#\/my-day/);
    const overdue = daySection(page, 'overdue');
    await overdue.getByText('Renew the lease').waitFor();
    assert.equal(await overdue.locator('.day-entry.overdue').count() >= 1, true);
  });
});

test('a busy part of my day lists its first twenty, counts them all and links to the whole list', async () => {
  for (let i = 0; i < 22; i++)
    await create(env.srv, 'activities', { kind: 'task', subject: `Old chore ${i}`, due_at: `2025-0${1 + (i % 9)}-1${i % 10}T09:00:00Z` });
  const day = (await api(env.srv, 'GET', '/api/v1/activities/my-day')).body;
  assert.ok(day.overdue.count > 20);
  await withPage(env, 'activities-myday-more', async (page) => {
    await signIn(page, env.srv, { hash: '#/my-day' });
    const overdue = daySection(page, 'overdue');
    await overdue.locator('.day-entry').first().waitFor();
    assert.equal(await overdue.locator('.day-entry').count(), 20);
    assert.match(await overdue.locator('.count-pill').innerText(), new RegExp(`^${day.overdue.count}$`));
    await overdue.getByText(`${day.overdue.count - 20} more not shown`).waitFor();
    // Completing one of the twenty brings in the next: still twenty listed, one fewer counted.
    const first = day.overdue.data[0];
    await overdue.getByRole('checkbox', { name: `Complete “${first.subject}”` }).click();
    await overdue.getByText(`${day.overdue.count - 21} more not shown`).waitFor();
    assert.equal(await overdue.locator('.day-entry').count(), 20);
    assert.equal(await overdue.locator('.count-pill').innerText(), String(day.overdue.count - 1));
    await overdue.getByRole('link', { name: 'Show all in the activities list' }).click();
    await page.waitForURL(/#\/activities\?/);
    const q = new URLSearchParams(new URL(page.url()).hash.split('?')[1]);
    assert.deepEqual([q.get('due'), q.get('owner_id'), q.get('status')], ['overdue', String(day.user_id), 'open']);
    await page.getByText(day.overdue.data[1].subject, { exact: true }).waitFor();
  });
  assert.deepEqual(env.pageErrors, []);
});

test('a task is reassigned in two clicks on its page, and both people are notified', async () => {
  addUser(env.srv, 'cy.old@example.com', 'amber otter juggles seventeen lanterns', { name: 'Cy Old' });
  addUser(env.srv, 'bea.new@example.com', 'amber otter juggles seventeen lanterns', { name: 'Bea New' });
  const cy = createToken(env.srv, 'cy.old@example.com', 'cy');
  const bea = createToken(env.srv, 'bea.new@example.com', 'bea');
  const cyId = (await req(env.srv, 'GET', '/api/v1/auth/me', { auth: cy })).body.id;
  const beaId = (await req(env.srv, 'GET', '/api/v1/auth/me', { auth: bea })).body.id;
  const task = await create(env.srv, 'activities', { kind: 'task', subject: 'Call the notary', owner_id: cyId, due_at: '2030-02-01T09:00:00Z' });
  await withPage(env, 'activities-reassign', async (page) => {
    await signIn(page, env.srv, { hash: `#/activities/${task.id}` });
    await page.getByRole('heading', { name: 'Call the notary', level: 1 }).waitFor();
    await page.locator('#activity-owner option', { hasText: 'Bea New' }).waitFor({ state: 'attached' });
    const patch = page.waitForResponse((r) => r.url().endsWith(`/api/v1/activities/${task.id}`) && r.request().method() === 'PATCH');
    await page.locator('#activity-owner').selectOption({ label: 'Bea New' });
    assert.equal((await patch).status(), 200);
    await page.getByText('Given to Bea New').waitFor();
    assert.equal(await page.locator('.detail', { hasText: 'Assignee' }).locator('dd').innerText(), 'Bea New');
  });
  assert.equal((await api(env.srv, 'GET', `/api/v1/activities/${task.id}`)).body.owner_id, beaId);
  const told = async (auth, kind) => (await req(env.srv, 'GET', '/api/v1/notifications', { auth })).body.data.filter((n) => n.kind === kind);
  assert.ok((await told(bea, 'assigned')).some((n) => n.record_id === task.id), 'the new assignee is told');
  assert.equal((await told(cy, 'unassigned')).length, 1, 'the old one is told');
  assert.deepEqual(env.pageErrors, []);
});

test('a call logged on a contact shows on the contact’s and its company’s timelines', async () => {
  const company = await create(env.srv, 'companies', { name: 'Globex' });
  const contact = await create(env.srv, 'contacts', { first_name: 'Hank', last_name: 'Scorpio', company_id: company.id });
  await withPage(env, 'activities-call', async (page) => {
    await signIn(page, env.srv, { hash: `#/contacts/${contact.id}` });
    await timeline(page).getByRole('link', { name: 'Log a call' }).click();
    await page.getByRole('heading', { name: 'Log a call', level: 1 }).waitFor();
    // Only a call's fields: a direction, no deadline or checklist.
    await page.locator('#f-direction').waitFor();
    assert.equal(await page.locator('#f-due_at').count(), 0);
    assert.equal(await page.locator('#f-checklist').count(), 0);
    await page.locator('#f-subject').fill('Talked about the volcano');
    await page.locator('#f-direction').selectOption('in');
    await page.getByRole('button', { name: 'Save activity' }).click();
    await page.waitForURL(new RegExp(`#/contacts/${contact.id}$`));
    await entry(timeline(page), 'Talked about the volcano').waitFor();

    await page.goto(`/#/companies/${company.id}`);
    const call = entry(timeline(page), 'Talked about the volcano');
    await call.waitFor();
    await call.getByRole('img', { name: 'Call' }).waitFor();
    // The timeline's filter: calls only keeps it; notes only does not.
    await timeline(page).getByLabel('Show').selectOption('kind:note');
    await call.waitFor({ state: 'detached' });
    await timeline(page).getByLabel('Show').selectOption('kind:call');
    await call.waitFor();
  });
});

test('a deal’s stage move shows on the deal’s timeline with from and to', async () => {
  const pipelines = (await api(env.srv, 'GET', '/api/v1/pipelines')).body.data[0];
  const [first, second] = pipelines.stages.filter((s) => s.kind === 'open');
  const deal = await create(env.srv, 'deals', { title: 'Moon base' });
  const moved = await api(env.srv, 'POST', `/api/v1/deals/${deal.id}/move`, { stage_id: second.id });
  assert.equal(moved.status, 200, moved.text);
  await withPage(env, 'activities-deal-stage', async (page) => {
    await signIn(page, env.srv, { hash: `#/deals/${deal.id}` });
    const move = timeline(page).locator('.timeline-entry[data-type="stage"]').first();
    await move.getByText(`moved the deal from ${first.name} to ${second.name}`).waitFor();
    await timeline(page).getByLabel('Show').selectOption('type:stage');
    await timeline(page).locator('.timeline-entry[data-type="change"]').first().waitFor({ state: 'detached' });
    // The filtered page arrives after the old one is gone: wait for it, then count.
    await timeline(page).locator('.timeline-entry[data-type="stage"]').nth(1).waitFor();
    assert.equal(await timeline(page).locator('.timeline-entry[data-type="stage"]').count(), 2);
    assert.equal(await timeline(page).locator('.timeline-entry[data-type="change"]').count(), 0);
  });
});

test('the form refuses a meeting ending before it starts, with the server’s message next to End', async () => {
  await withPage(env, 'activities-end-before-start', async (page) => {
    await signIn(page, env.srv, { hash: '#/activities/new?kind=meeting' });
    await page.getByRole('heading', { name: 'Schedule a meeting', level: 1 }).waitFor();
    await page.locator('#f-subject').fill('Kick-off');
    await page.locator('#f-start_at').fill('2026-12-01T10:00');
    await page.locator('#f-end_at').fill('2026-12-01T09:00');
    const post = page.waitForResponse((r) => r.url().endsWith('/api/v1/activities') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Save activity' }).click();
    assert.equal((await post).status(), 422);
    const msg = page.locator('.field-error[data-field="end_at"]');
    await msg.waitFor();
    assert.match(await msg.textContent(), /before start_at/);
    assert.equal(await page.locator('#f-end_at').getAttribute('aria-invalid'), 'true');
    assert.match(page.url(), /#\/activities\/new/);
  });
});

test('a manager (own scope) does not see another manager’s task on a company’s timeline', async () => {
  const roles = (await api(env.srv, 'GET', '/api/v1/roles')).body.data;
  const managerRole = roles.find((r) => r.builtin === 'manager').id;
  const mona = { email: 'mona.act@example.com', name: 'Mona Act', password: 'velvet harbour quietly sings' };
  const monaUser = await api(env.srv, 'POST', '/api/v1/users', { ...mona, role_id: managerRole });
  assert.equal(monaUser.status, 201, monaUser.text);
  const bob = await api(env.srv, 'POST', '/api/v1/users', { email: 'bob.act@example.com', name: 'Bob Act', password: 'another long passphrase', role_id: managerRole });
  assert.equal(bob.status, 201, bob.text);
  const company = await create(env.srv, 'companies', { name: 'Vandelay', owner_id: monaUser.body.id });
  await create(env.srv, 'activities', { kind: 'task', subject: 'Mona’s follow-up', company_id: company.id, owner_id: monaUser.body.id });
  await create(env.srv, 'activities', { kind: 'task', subject: 'Bob’s private task', company_id: company.id, owner_id: bob.body.id });
  await withPage(env, 'activities-manager-scope', async (page) => {
    await signIn(page, env.srv, { email: mona.email, password: mona.password, hash: `#/companies/${company.id}` });
    await entry(timeline(page), 'Mona’s follow-up').waitFor();
    assert.equal(await entry(timeline(page), 'Bob’s private task').count(), 0);
  });
});

test('completing a task that is gone puts it back on my day and says why', async () => {
  const today = new Date();
  const due = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), 23, 59, 0)).toISOString();
  const task = await create(env.srv, 'activities', { kind: 'task', subject: 'Water the plants', due_at: due });
  await withPage(env, 'activities-complete-rollback', async (page) => {
    await signIn(page, env.srv, { hash: '#/my-day' });
    // Today's, or overdue in the last minute of the UTC day.
    const section = page.locator('.day-grid');
    await section.getByText('Water the plants').waitFor();
    const del = await api(env.srv, 'DELETE', `/api/v1/activities/${task.id}`);
    assert.equal(del.status, 204, del.text);
    await section.getByRole('checkbox', { name: 'Complete “Water the plants”' }).click();
    await page.getByText(/Could not complete the task/).waitFor();
    await section.getByText('Water the plants').waitFor();
  });
});

test('the checklist editor adds items with Enter and reorders them with Alt+arrows', async () => {
  await withPage(env, 'activities-checklist', async (page) => {
    await signIn(page, env.srv, { hash: '#/activities/new?kind=task' });
    await page.locator('#f-subject').fill('Prepare the offsite');
    await page.getByRole('button', { name: 'Add an item' }).click();
    await page.getByLabel('Item 1', { exact: true }).fill('Book the room');
    await page.getByLabel('Item 1', { exact: true }).press('Enter');
    await page.getByLabel('Item 2', { exact: true }).fill('Order lunch');
    await page.getByLabel('Item 2', { exact: true }).press('Alt+ArrowUp');
    // The moved item keeps the focus in its new place (after React's render).
    await page.waitForFunction(() => document.activeElement?.value === 'Order lunch');
    assert.equal(await page.getByLabel('Item 1', { exact: true }).inputValue(), 'Order lunch');
    await page.getByLabel('Item 2 done').check();
    const post = page.waitForResponse((r) => r.url().endsWith('/api/v1/activities') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Save activity' }).click();
    const res = await post;
    assert.equal(res.status(), 201);
    assert.deepEqual((await res.json()).checklist, [
      { text: 'Order lunch', done: false },
      { text: 'Book the room', done: true },
    ]);
    await page.getByRole('heading', { name: 'Prepare the offsite', level: 1 }).waitFor();
  });
});

test('the activities list filters from the URL, and a task page completes and reopens it', async () => {
  const late = await create(env.srv, 'activities', { kind: 'task', subject: 'File the taxes', due_at: '2026-02-01T12:00:00Z' });
  await create(env.srv, 'activities', { kind: 'note', body: 'Met at the fair' });
  await withPage(env, 'activities-list', async (page) => {
    await signIn(page, env.srv, { hash: '#/activities?due=overdue' });
    await page.getByRole('heading', { name: 'Activities', level: 1 }).waitFor();
    const table = page.locator('table.data-table');
    await table.getByText('File the taxes').waitFor();
    assert.equal(await table.getByText('Met at the fair').count(), 0);
    await page.getByLabel('Due').selectOption('');
    await page.getByLabel('Kind').selectOption('note');
    await table.getByText('Met at the fair').waitFor();
    await table.getByText('File the taxes').waitFor({ state: 'detached' });
    assert.match(page.url(), /kind=note/);

    await page.goto(`/#/activities/${late.id}`);
    await page.getByRole('heading', { name: 'File the taxes', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Complete' }).click();
    await page.getByRole('button', { name: 'Reopen' }).click();
    await page.getByRole('button', { name: 'Complete' }).waitFor();
    const r = await api(env.srv, 'GET', `/api/v1/activities/${late.id}`);
    assert.equal(r.body.status, 'open');
  });
});
