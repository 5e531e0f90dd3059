// The service desk's public web form and linked tasks in the browser (issue 13): an
// administrator adds a web form and gets its embed code; the form, framed by an allowed site,
// is filled and sent in Chromium without any session or script, while a site that is not
// allowed cannot frame it; the ticket it made is answered, gets an existing task linked with
// the keyboard and a new one made already linked, loses one again, and is resolved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { api, create, setup, signIn, withPage } from './helpers.mjs';

let env;

before(async () => {
  env = await setup();
  shop = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>Shop</title><h1>Our shop</h1><iframe id="desk" title="Contact form" src="${shopFrames}" style="width:100%;height:640px;border:0"></iframe>`);
  });
  await new Promise((ok) => shop.listen(0, '127.0.0.1', ok));
});
after(async () => {
  await env?.close();
  await new Promise((ok) => (shop ? shop.close(ok) : ok()));
});

// Another site: a small server of its own on this machine (another origin than the CRM's)
// whose page frames whatever form shopFrames names.
let shop;
let shopFrames = '';
const shopOrigin = () => `http://127.0.0.1:${shop.address().port}`;
async function shopPage(page, src) {
  shopFrames = src;
  await page.goto(`${shopOrigin()}/contact.html`);
}

test('an administrator adds a web form, a visitor sends it from an allowed site, an agent links tasks and resolves the ticket', async () => {
  const { srv } = env;
  const existing = await create(srv, 'activities', { kind: 'task', subject: 'Replace toner cartridge', due_at: '2030-01-10T10:00:00Z' });
  let key;

  await withPage(env, 'webform-admin', async (page) => {
    await signIn(page, srv, { hash: '#/admin/web-forms' });
    await page.getByRole('heading', { name: 'Web forms' }).waitFor();
    await page.getByRole('button', { name: 'Add' }).click();
    const form = page.getByRole('form', { name: 'Web forms' });
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Shop contact form');
    await form.getByLabel('Title on the page').fill('Write to Globex support');
    await form.getByLabel(/Sites that may show it/).fill(shopOrigin());
    await form.getByRole('button', { name: 'Save' }).click();
    const row = page.locator('tr', { hasText: 'Shop contact form' });
    await row.waitFor();
    const saved = (await api(srv, 'GET', '/api/v1/desk/forms')).body.data.find((f) => f.name === 'Shop contact form');
    assert.deepEqual(saved.origins, [shopOrigin()]);
    key = saved.public_key;
    const code = await row.getByLabel(/Embed code/).inputValue();
    assert.match(code, new RegExp(`^<iframe src="http://127\\.0\\.0\\.1:\\d+/f/${key}" title="Contact form"`));
  });

  let ticketId;
  await withPage(env, 'webform-public', async (page) => {
    // Not allowed: the browser refuses to show it in another site's frame.
    const elsewhere = await create(srv, 'desk/forms', { name: 'Elsewhere', origins: ['http://other.test'] });
    const navigated = page.waitForEvent('framenavigated', (f) => f.parentFrame() !== null);
    await shopPage(page, `${srv.url}/f/${elsewhere.public_key}`);
    const blocked = await navigated;
    assert.doesNotMatch(blocked.url(), /\/f\//, 'a site that is not allowed cannot frame the form');
    assert.equal(await blocked.locator('textarea').count(), 0);
    // Allowed: shown in the frame, filled and sent without a session.
    await shopPage(page, `${srv.url}/f/${key}`);
    const frame = page.frameLocator('#desk');
    await frame.getByRole('heading', { name: 'Write to Globex support' }).waitFor();
    await frame.getByLabel('Your name').fill('Vera Visitor');
    await frame.getByLabel(/^Email/).fill('vera@example.com');
    await frame.getByLabel('Subject').fill('<b>Printer</b> jams');
    await frame.getByLabel(/How can we help/).fill('It jams on every page.');
    await frame.getByRole('button', { name: 'Send' }).click();
    await frame.getByRole('heading', { name: 'Thank you!' }).waitFor();
    const tickets = (await api(srv, 'GET', '/api/v1/tickets?channel=form')).body.data;
    const made = tickets.find((x) => x.email === 'vera@example.com');
    assert.ok(made, 'the ticket was made');
    assert.equal(made.subject, '<b>Printer</b> jams');
    ticketId = made.id;
  });

  await withPage(env, 'webform-ticket-tasks', async (page) => {
    await signIn(page, srv, { hash: `#/tickets/${ticketId}` });
    await page.locator('h1.ticket-subject', { hasText: '<b>Printer</b> jams' }).waitFor();
    // Answer the client.
    await page.getByLabel('Reply to the client').fill('We are sending a technician.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.locator('.ticket-message.message-public', { hasText: 'sending a technician' }).waitFor();

    // Link the existing task with the keyboard only.
    const card = page.locator('.ticket-tasks-card');
    await card.getByRole('heading', { name: 'Linked tasks' }).waitFor();
    const find = card.getByRole('combobox', { name: 'Link an existing task' });
    await find.focus();
    await page.keyboard.type('toner');
    await card.getByRole('option', { name: /Replace toner cartridge/ }).waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await card.getByRole('link', { name: 'Replace toner cartridge' }).waitFor();

    // A new task, made already linked.
    await card.getByLabel('Or make a new task').fill('Call Vera back');
    await card.getByLabel('Due').fill('2030-02-01');
    await card.getByRole('button', { name: 'Create and link' }).click();
    await card.getByRole('link', { name: 'Call Vera back' }).waitFor();
    let t = (await api(srv, 'GET', `/api/v1/tickets/${ticketId}`)).body;
    const taskIds = t.links.filter((l) => l.entity === 'activities').map((l) => l.id);
    assert.equal(taskIds.length, 2);
    assert.ok(taskIds.includes(existing.id));
    const made = (await api(srv, 'GET', `/api/v1/activities/${taskIds.find((x) => x !== existing.id)}`)).body;
    assert.equal(made.kind, 'task');
    assert.equal(made.subject, 'Call Vera back');

    // Unlink the first one again.
    await card.getByRole('button', { name: 'Unlink the task “Replace toner cartridge”' }).click();
    await card.getByRole('link', { name: 'Replace toner cartridge' }).waitFor({ state: 'detached' });
    t = (await api(srv, 'GET', `/api/v1/tickets/${ticketId}`)).body;
    assert.deepEqual(t.links.filter((l) => l.entity === 'activities').map((l) => l.id), [made.id]);

    // Resolve.
    await page.getByRole('group', { name: 'Change status' }).getByRole('button', { name: 'Resolve' }).click();
    await page.locator('.desk-status[data-status="resolved"]').waitFor();
    assert.equal((await api(srv, 'GET', `/api/v1/tickets/${ticketId}`)).body.status, 'resolved');
  });
  assert.deepEqual(env.pageErrors.map(String), []);
});
