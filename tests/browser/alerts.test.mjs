// Mass reading: when one person reads more client records than the threshold,
// administrators see a badge on "Audit log" that leads to the alert. Real
// server (with a low --alert-reads), real Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { create, setup, signIn } from './helpers.mjs';

let env;
before(async () => {
  env = await setup({ args: ['--alert-reads', '5', '--alert-window', '1h'] });
  for (let i = 0; i < 8; i++) await create(env.srv, 'contacts', { first_name: 'Alert', last_name: `Reader ${i}` });
});
after(async () => { await env?.close(); });

test('reading more than the threshold puts a badge on "Audit log" that opens the alert', async () => {
  const page = await env.newPage();
  await signIn(page, env.srv, { hash: '#/contacts' });
  const nav = page.getByRole('navigation', { name: 'Main navigation' });
  // The list shows 8 contacts: more than 5 read.
  await page.getByRole('link', { name: /Alert Reader 7|Reader 7/ }).first().waitFor();
  await page.reload();
  const badge = nav.locator('.nav-badge');
  await badge.waitFor({ timeout: 15000 });
  assert.equal(await badge.getAttribute('title'), '1 alerts in the last 24 hours');
  await nav.getByRole('link', { name: /Audit log/ }).click();
  await page.getByText('Alert: read very many client records').first().waitFor();
  assert.match(page.url(), /action=alert\./);
  assert.deepEqual(env.pageErrors.map(String), []);
});
