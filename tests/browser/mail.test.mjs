// The Mail screen: an administrator sees where mail goes and sends a test
// mail, which a real SMTP server (Debian's python3-aiosmtpd, through
// tests/lib/smtp_sink.py) receives; the outbox table shows it sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, withPage, signIn } from './helpers.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';

let env;
let sink;

before(async () => {
  sink = await startSmtpSink();
  env = await setup({ args: ['--smtp-url', sink.url, '--smtp-from', 'crm@example.com'] });
});
after(async () => {
  await env?.close();
  if (sink) await sink.stop();
});

test('an administrator sends a test mail from the Mail screen and sees it sent', async () => {
  await withPage(env, 'mail-test', async (page) => {
    await signIn(page, env.srv, { hash: '#/admin/mail' });
    await page.getByRole('heading', { name: 'Mail', level: 1 }).waitFor();
    await page.getByText('Mail goes out through smtp://127.0.0.1').waitFor();
    await page.getByLabel('To').fill('ops@example.org');
    await page.getByRole('button', { name: 'Send test mail' }).click();
    await page.getByText('A test mail to ops@example.org is in the outbox.').waitFor();
    // The screen looks again while mail waits: the row turns "Sent".
    await page.locator('tr', { hasText: 'ops@example.org' }).getByText('Sent', { exact: true }).waitFor({ timeout: 20000 });
  });
  const mails = sink.mails();
  assert.equal(mails.length, 1);
  assert.deepEqual(mails[0].to, ['ops@example.org']);
  assert.equal(mails[0].from, 'crm@example.com');
});
