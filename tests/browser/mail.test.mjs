// The Mail screen: an administrator sees where mail goes and sends a test
// mail, which a real SMTP server (Debian's python3-aiosmtpd, through
// tests/lib/smtp_sink.py) receives; the outbox table shows it sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setup, withPage, signIn } from './helpers.mjs';
import { freePort } from '../lib/helpers.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const PYTHON = process.env.CRM_TEST_PYTHON || (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
let env;
let sink;
let mailDir;

before(async () => {
  mailDir = mkdtempSync(join(tmpdir(), 'crm-mail-'));
  const port = await freePort();
  sink = spawn(PYTHON, [join(HERE, '../lib/smtp_sink.py'), '127.0.0.1', String(port), mailDir],
               { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`smtp sink not ready:\n${out}`)), 15000);
    sink.stdout.on('data', (d) => { out += d; if (out.includes('ready')) { clearTimeout(t); ok(); } });
    sink.stderr.on('data', (d) => { out += d; });
  });
  env = await setup({ args: ['--smtp-url', `smtp://127.0.0.1:${port}`, '--smtp-from', 'crm@example.com'] });
});
after(async () => {
  await env?.close();
  if (sink) {
    const gone = new Promise((ok) => sink.once('exit', ok));
    sink.kill('SIGTERM');
    await gone;
  }
  rmSync(mailDir, { recursive: true, force: true });
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
  const mails = readdirSync(mailDir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(mailDir, f), 'utf8')));
  assert.equal(mails.length, 1);
  assert.deepEqual(mails[0].to, ['ops@example.org']);
  assert.equal(mails[0].from, 'crm@example.com');
});
