// The service desk in the browser (issue 13): a ticket created in the form, answered with a
// canned response (filled by the server) and resolved; the SLA clocks (time left in working
// hours, red once breached); an internal note shown as a note, never as a reply to the client;
// hostile HTML in a subject and a body shown as text; the menu follows the tickets read right;
// the support dashboard draws its bars.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, create, idFromUrl, setup, signIn, withPage } from './helpers.mjs';

let env;
let policy;
let canned;
const ALL_DAY = Array.from({ length: 7 }, () => ['00:00-24:00']);
const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

before(async () => {
  env = await setup();
  const { srv } = env;
  // Around the clock, so that working minutes are wall-clock minutes and the clock is exact.
  const cal = await create(srv, 'work-calendars', { name: 'Around the clock', tz: 'UTC', week: ALL_DAY });
  policy = await create(srv, 'sla-policies', { name: 'High', position: 1, priority: 'high', response_min: 240, resolution_min: 480, calendar_id: cal.id, warn_before_min: 30 });
  canned = await create(srv, 'canned-responses', { name: 'Looking into it', body: 'Hello {{client_name}}, we are on “{{ticket_subject}}” (ticket {{ticket_number}}).' });
});
after(async () => {
  await env?.close();
});

const messages = async (srv, id) => (await api(srv, 'GET', `/api/v1/tickets/${id}/messages`)).body.data;

test('a ticket is created in the form, answered with a canned response and resolved', async () => {
  await withPage(env, 'tickets-lifecycle', async (page) => {
    const { srv } = env;
    const company = await create(srv, 'companies', { name: 'Globex' });
    await signIn(page, srv, { hash: '#/tickets' });
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Tickets' }).waitFor();
    await page.getByRole('link', { name: 'New ticket' }).click();
    await page.getByLabel('Subject').fill('Printer is on fire');
    await page.getByLabel('Description').fill('Smoke since the morning.');
    await page.getByLabel('Priority').selectOption('high');
    await page.getByRole('combobox', { name: 'Company' }).fill('Glob');
    await page.getByRole('option', { name: /Globex/ }).click();
    await page.getByRole('button', { name: 'Create ticket' }).click();
    await page.locator('h1.ticket-subject', { hasText: 'Printer is on fire' }).waitFor();
    const id = idFromUrl(page, 'tickets');
    assert.ok(id > 0);
    const saved = (await api(srv, 'GET', `/api/v1/tickets/${id}`)).body;
    assert.equal(saved.priority, 'high');
    assert.equal(saved.company_id, company.id);
    assert.equal(saved.sla_policy_id, policy.id, 'the high policy applies');
    await page.locator('.ticket-client').getByRole('link', { name: 'Globex' }).waitFor();

    // The SLA clock runs: close to four working hours left for the first response.
    const response = page.locator('.sla-clock[data-target="response"]');
    await page.waitForFunction(() => /left/.test(document.querySelector('.sla-clock[data-target="response"] .sla-clock-left')?.textContent ?? ''));
    assert.equal(await response.getAttribute('data-state'), 'ok');
    assert.match(await response.locator('.sla-clock-left').innerText(), /^3 h 5\d min of working time left$|^4 h 00 min of working time left$/);

    // A canned response: the server fills the placeholders, the text lands in the reply box.
    await page.getByLabel('Canned response').selectOption({ label: 'Looking into it' });
    const box = page.getByLabel('Reply to the client');
    await page.waitForFunction(() => document.querySelector('.reply-body textarea')?.value.includes('Printer is on fire'));
    assert.equal(await box.inputValue(), `Hello Globex, we are on “Printer is on fire” (ticket ${id}).`);
    await box.press('End');
    await box.pressSequentially(' We will call you.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.locator('.ticket-message.message-public', { hasText: 'We will call you.' }).waitFor();
    // The first public reply opens a new ticket and stops the response clock.
    await page.locator('.desk-status[data-status="open"]').waitFor();
    await page.locator('.sla-clock[data-target="response"][data-state="done"]').waitFor();
    const msgs = await messages(srv, id);
    assert.equal(msgs.length, 1);
    assert.equal(msgs[0].kind, 'public');
    assert.equal(msgs[0].body, `Hello Globex, we are on “Printer is on fire” (ticket ${id}). We will call you.`);

    // Resolve with the workflow's button; then the only moves left are close and reopen.
    await page.getByRole('group', { name: 'Change status' }).getByRole('button', { name: 'Resolve' }).click();
    await page.locator('.desk-status[data-status="resolved"]').waitFor();
    const names = await page.getByRole('group', { name: 'Change status' }).getByRole('button').allInnerTexts();
    assert.deepEqual(names, ['Close', 'Reopen']);
    const after = (await api(srv, 'GET', `/api/v1/tickets/${id}`)).body;
    assert.equal(after.status, 'resolved');
    assert.ok(after.resolved_at);
    assert.ok(after.first_response_at);
    // Satisfaction can be given once resolved.
    await page.getByLabel('Satisfaction').selectOption('5');
    await page.waitForFunction(async (tid) => {
      const r = await fetch(`/api/v1/tickets/${tid}`);
      return (await r.json()).satisfaction === 5;
    }, id);
  });
});

test('an internal note is shown as a note, apart from the replies, and stored as internal', async () => {
  await withPage(env, 'tickets-internal-note', async (page) => {
    const { srv } = env;
    const tk = await create(srv, 'tickets', { subject: 'Refund question', priority: 'normal' });
    await signIn(page, srv, { hash: `#/tickets/${tk.id}` });
    await page.getByRole('radio', { name: 'Internal note' }).check();
    await page.getByText('Only staff see internal notes; the client never does.').waitFor();
    await page.getByLabel('Note for colleagues').fill('Customer is on the VIP list, refund without asking.');
    await page.getByRole('button', { name: 'Add note' }).click();
    const note = page.locator('.ticket-message', { hasText: 'VIP list' });
    await note.waitFor();
    assert.equal(await note.getAttribute('data-kind'), 'internal');
    assert.match(await note.locator('.ticket-message-kind').innerText(), /internal note/i);
    assert.equal(await page.locator('.ticket-message.message-public').count(), 0);
    const msgs = await messages(srv, tk.id);
    assert.deepEqual(msgs.map((m) => m.kind), ['internal']);
    // A note is no first response: the ticket stays new.
    assert.equal((await api(srv, 'GET', `/api/v1/tickets/${tk.id}`)).body.status, 'new');
    await page.locator('.desk-status[data-status="new"]').waitFor();
  });
});

test('a breached SLA is red in the list and on the page, and the list filters by it', async () => {
  await withPage(env, 'tickets-breached', async (page) => {
    const { srv } = env;
    const late = await create(srv, 'tickets', { subject: 'Waited since yesterday', priority: 'high', received_at: new Date(Date.now() - 10 * 3600e3).toISOString() });
    const fresh = await create(srv, 'tickets', { subject: 'Just arrived', priority: 'high' });
    await signIn(page, srv, { hash: '#/tickets?priority=high&sla=breached' });
    await page.locator(`tr[data-id="${late.id}"]`).waitFor();
    assert.equal(await page.locator(`tr[data-id="${fresh.id}"]`).count(), 0, 'a running clock is not breached');
    await page.locator(`tr[data-id="${late.id}"] .sla-badge.sla-breached`).waitFor();
    await page.getByRole('link', { name: 'Waited since yesterday' }).click();
    await page.locator('.sla-clock[data-target="resolution"][data-state="breached"]').waitFor();
    const bg = await page.locator('.sla-clock[data-target="resolution"]').evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(bg, 'rgb(253, 236, 238)', 'the breached clock is red');
  });
});

test('an SLA within the policy\'s warning time is amber, in the list and on the page', async () => {
  await withPage(env, 'tickets-at-risk', async (page) => {
    const { srv } = env;
    // First response due 240 working minutes after receipt; the policy warns 30 minutes before.
    const close = await create(srv, 'tickets', { subject: 'Almost due', priority: 'high', received_at: new Date(Date.now() - 225 * 60000).toISOString() });
    const early = await create(srv, 'tickets', { subject: 'Plenty of time', priority: 'high', received_at: new Date(Date.now() - 120 * 60000).toISOString() });
    await signIn(page, srv, { hash: '#/tickets?priority=high&sla=risk' });
    await page.locator(`tr[data-id="${close.id}"] .sla-badge.sla-risk`).waitFor();
    assert.equal(await page.locator(`tr[data-id="${early.id}"]`).count(), 0, '2 hours left is not at risk yet');
    await page.goto(`/#/tickets/${close.id}`);
    const clock = page.locator('.sla-clock[data-target="response"][data-state="risk"]');
    await clock.waitFor();
    await page.waitForFunction(() => /left/.test(document.querySelector('.sla-clock[data-target="response"] .sla-clock-left')?.textContent ?? ''));
    assert.match(await clock.locator('.sla-clock-left').innerText(), /^1\d min of working time left$/);
    assert.equal(await clock.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(255, 244, 214)', 'amber');
  });
});

test('hostile HTML in a subject and a message is shown as text, never run', async () => {
  await withPage(env, 'tickets-hostile', async (page) => {
    const { srv } = env;
    const tk = await create(srv, 'tickets', { subject: HOSTILE, description: HOSTILE });
    const m = await api(srv, 'POST', `/api/v1/tickets/${tk.id}/messages`, { kind: 'public', body: HOSTILE });
    assert.equal(m.status, 201, m.text);
    await signIn(page, srv, { hash: `#/tickets/${tk.id}` });
    await page.locator('.ticket-message').waitFor();
    assert.equal(await page.locator('h1.ticket-subject').innerText(), HOSTILE);
    assert.equal(await page.locator('.ticket-message-body').innerText(), HOSTILE);
    assert.equal(await page.locator('.ticket-page img, .ticket-page script').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
  });
});

test('without the tickets read right there is no Tickets menu and the list is refused', async () => {
  await withPage(env, 'tickets-no-right', async (page) => {
    const { srv } = env;
    const none = { create: 'none', read: 'none', update: 'none', delete: 'none', export: 'none', import: 'none', assign: 'none', audit: 'none' };
    const role = await create(srv, 'roles', {
      name: 'No desk',
      perms: { '*': { ...none, read: 'all' }, tickets: none },
    });
    await create(srv, 'users', { email: 'nodesk@example.com', name: 'No Desk', password: 'saffron lighthouse quill 27', department_id: 1, role_id: role.id });
    await signIn(page, srv, { email: 'nodesk@example.com', password: 'saffron lighthouse quill 27', hash: '#/tickets' });
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'Companies' }).waitFor();
    assert.equal(await nav.getByRole('link', { name: 'Tickets' }).count(), 0);
    await page.getByText('You are not allowed to do this.').waitFor();
  });
});

test('the support dashboard shows open tickets, SLA compliance and bars per agent', async () => {
  await withPage(env, 'tickets-support-dashboard', async (page) => {
    const { srv } = env;
    await create(srv, 'tickets', { subject: 'Counted on the dashboard' });
    const report = (await api(srv, 'GET', '/api/v1/reports/support')).body;
    assert.ok(report.open.total >= 1);
    await signIn(page, srv, { hash: '#/reports/support' });
    await page.getByRole('heading', { name: 'Support dashboard' }).waitFor();
    assert.equal(await page.locator('[data-kpi="open"] strong').innerText(), String(report.open.total));
    const compliance = report.sla.compliance_pct === null ? '—' : `${report.sla.compliance_pct}%`;
    assert.equal(await page.locator('[data-kpi="compliance"] strong').innerText(), compliance);
    // One bar per status, each as long as its share (the data-value is the count drawn).
    for (const s of ['new', 'open', 'waiting', 'reopened']) {
      const v = await page.locator(`svg[aria-label="Open tickets by status"] .support-row[data-key="${s}"] rect`).getAttribute('data-value');
      assert.equal(Number(v), report.open.by_status[s] ?? 0, s);
    }
    // The new ticket's assignee is its author, the administrator: a row of three bars.
    const admin = report.agents.find((a) => a.name === 'Ada Admin');
    assert.ok(admin && admin.open >= 1);
    const row = page.locator(`svg[aria-label="Per agent"] .support-row[data-key="${admin.user_id}"]`);
    assert.equal(Number(await row.locator('rect.bar-open').getAttribute('data-value')), admin.open);
    assert.equal(Number(await row.locator('rect.bar-resolved').getAttribute('data-value')), admin.resolved);
    assert.equal(Number(await row.locator('rect.bar-breached').getAttribute('data-value')), admin.breached);
  });
});

test('an administrator adds a canned response; an unknown placeholder is refused beside its field', async () => {
  await withPage(env, 'tickets-admin-canned', async (page) => {
    const { srv } = env;
    await signIn(page, srv, { hash: '#/admin/canned-responses' });
    await page.getByRole('heading', { name: 'Canned responses' }).waitFor();
    await page.getByRole('button', { name: 'Add' }).click();
    const form = page.getByRole('form', { name: 'Canned responses' });
    await form.getByLabel('Name').fill('Closing');
    await form.getByLabel('Text').fill('Bye {{nonsense}}');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.locator('.field-error').waitFor();
    assert.equal((await api(srv, 'GET', '/api/v1/canned-responses')).body.data.some((c) => c.name === 'Closing'), false);
    await form.getByLabel('Text').fill('Glad we could help, {{client_name}}.');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.locator('table.desk-admin-table th', { hasText: 'Closing' }).waitFor();
    const saved = (await api(srv, 'GET', '/api/v1/canned-responses')).body.data.find((c) => c.name === 'Closing');
    assert.equal(saved.body, 'Glad we could help, {{client_name}}.');
  });
});

test('a deal is linked to a ticket from its page and unlinked again', async () => {
  await withPage(env, 'tickets-link-deal', async (page) => {
    const { srv } = env;
    const deal = await create(srv, 'deals', { title: 'Printer fleet renewal', amount: 100000, currency: 'EUR' });
    const tk = await create(srv, 'tickets', { subject: 'Which printers do we lease?' });
    await signIn(page, srv, { hash: `#/tickets/${tk.id}` });
    await page.locator('.ticket-link-add [role="combobox"]').fill('fleet');
    await page.getByRole('option', { name: /Printer fleet renewal/ }).click();
    await page.locator('.ticket-links').getByRole('link', { name: `Deal #${deal.id}` }).waitFor();
    assert.deepEqual((await api(srv, 'GET', `/api/v1/tickets/${tk.id}`)).body.links, [{ entity: 'deals', id: deal.id }]);
    await page.getByRole('button', { name: `Unlink #${deal.id}` }).click();
    await page.locator('.ticket-links').waitFor({ state: 'detached' });
    assert.deepEqual((await api(srv, 'GET', `/api/v1/tickets/${tk.id}`)).body.links, []);
  });
});
