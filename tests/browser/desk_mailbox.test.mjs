// Administration → Desk mailbox: an administrator sets up the IMAP mailbox
// of a real dovecot (tests/lib/imap_server.mjs), sees a wrong password as
// the last error after "Check now", fixes it, and a delivered mail becomes
// a ticket whose attachment the agent finds on the ticket's page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, withPage, signIn, api } from './helpers.mjs';
import { startImap } from '../lib/imap_server.mjs';

let env;
let imap;

before(async () => {
  imap = await startImap();
  env = await setup();
});
after(async () => {
  await env?.close();
  await imap?.stop();
});

test('an administrator sets up the desk mailbox, sees a wrong password, and a mail becomes a ticket', async () => {
  const pdf = Buffer.from('%PDF-1.7\n' + 'x'.repeat(500) + '\n%%EOF\n').toString('base64');
  imap.deliver('From: Bea Buyer <bea@example.org>\r\nSubject: Where is my order?\r\nMessage-ID: <b1@example.org>\r\n'
    + 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n'
    + 'Order 77 is late.\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="order-77.pdf"\r\n'
    + `Content-Transfer-Encoding: base64\r\n\r\n${pdf}\r\n--b--\r\n`);
  await withPage(env, 'desk-mailbox', async (page) => {
    await signIn(page, env.srv, { hash: '#/admin/desk-mailbox' });
    await page.getByRole('heading', { name: 'Service desk mailbox', level: 1 }).waitFor();
    await page.getByText('Never checked').waitFor();
    await page.getByLabel('IMAP server').fill(imap.url);
    await page.getByLabel('User').fill(imap.user);
    await page.getByLabel('Password').fill('not the password');
    await page.getByLabel('Allow plain IMAP (loopback test servers only)').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Mailbox settings saved').waitFor();
    await page.getByRole('button', { name: 'Check now' }).click();
    await page.getByTestId('mailbox-error').getByText(/Last error: IMAP: Login denied/).waitFor();

    await page.getByLabel('Password').fill(imap.password);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Mailbox settings saved').last().waitFor();
    await page.getByRole('button', { name: 'Check now' }).click();
    await page.getByText('Mails read: 1').waitFor();
    await page.getByTestId('mailbox-error').getByText('No error').waitFor();
    const r = await api(env.srv, 'GET', '/api/v1/tickets?channel=email');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.data.map((x) => [x.subject, x.email, x.description]),
                     [['Where is my order?', 'bea@example.org', 'Order 77 is late.']]);
    // The agent finds the mail's attachment on the ticket.
    await page.goto(`${env.srv.url}/#/tickets/${r.body.data[0].id}`);
    await page.getByRole('heading', { name: 'Where is my order?' }).waitFor();
    await page.locator('.documents-card').getByRole('link', { name: 'order-77.pdf' }).first().waitFor();
  });
});
