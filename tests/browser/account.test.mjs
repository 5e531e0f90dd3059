// Accounts in the browser: a locked-out account sees why and what to do; "sign
// out everywhere else" on the Account screen ends another browser's session;
// the password form shows the policy's reason; a token's secret is shown once;
// the system-state banner reaches everyone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { setup, withPage, signIn, CHROMIUM, api } from './helpers.mjs';
import { addUser, login } from '../lib/helpers.mjs';

let env;
const EVE = 'eve@example.com';
const EVE_PW = 'pebble harvest comet 31';
before(async () => {
  env = await setup();
  addUser(env.srv, EVE, EVE_PW, { name: 'Eve Evans' });
});
after(async () => {
  await env?.close();
});

test('a locked-out account sees the lockout message on the sign-in screen', async () => {
  const email = 'locked@example.com';
  const pw = 'meteor violin basket 8';
  addUser(env.srv, email, pw, { name: 'Lou Locked' });
  for (let i = 0; i < 5; i++) assert.equal((await login(env.srv, email, 'wrong guess 12345')).res.status, 401);
  await withPage(env, 'account-locked-out', async (page) => {
    await page.goto('/');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(pw);
    const resp = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
    await page.getByLabel('Password').press('Enter');
    assert.equal((await resp).status(), 429);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Too many failed sign-ins for this account\. Try again in 15 minutes, or ask an administrator to unlock it/);
    assert.equal(await page.getByRole('navigation', { name: 'Main navigation' }).count(), 0);
  });
});

test('"sign out everywhere else" ends the session of another browser', async () => {
  const other = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const ctx = await other.newContext({ baseURL: env.srv.url, locale: 'en-US', timezoneId: 'UTC' });
    const elsewhere = await ctx.newPage();
    await signIn(elsewhere, env.srv, { email: EVE, password: EVE_PW });
    await withPage(env, 'account-sessions', async (page) => {
      await signIn(page, env.srv, { email: EVE, password: EVE_PW, hash: '#/account' });
      await page.getByRole('heading', { name: 'Where you are signed in' }).waitFor();
      await page.waitForFunction(() => document.querySelectorAll('table.sessions-table tbody tr').length === 2);
      assert.equal(await page.getByText('This session').count(), 1);
      await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
      await page.waitForFunction(() => document.querySelectorAll('table.sessions-table tbody tr').length === 1);
    });
    await elsewhere.reload();
    await elsewhere.getByRole('heading', { name: 'Sign in' }).waitFor();
    await ctx.close();
  } finally {
    await other.close();
  }
});

test('the Account screen: the password policy\'s reason, a token shown once, keyboard only', async () => {
  await withPage(env, 'account-screen', async (page) => {
    await signIn(page, env.srv, { email: EVE, password: EVE_PW, hash: '#/contacts' });
    await page.getByRole('link', { name: /Account/ }).click();
    await page.getByRole('heading', { name: 'Change password' }).waitFor();
    await page.getByLabel('Current password').fill(EVE_PW);
    await page.getByLabel('New password', { exact: true }).fill('password1234');
    await page.getByLabel('New password again').fill('password1234');
    await page.getByLabel('New password again').press('Enter');
    const alert = page.getByRole('alert').first();
    await alert.waitFor();
    assert.match(await alert.innerText(), /dictionary word or a common password/);
    await page.getByLabel('Name').fill('my script');
    await page.getByRole('checkbox', { name: 'Read-only' }).check();
    await page.getByLabel('Name').press('Enter');
    const secret = page.getByTestId('token-secret');
    await secret.waitFor();
    const token = await secret.innerText();
    assert.match(token, /^crm_/);
    const me = await api({ ...env.srv, token }, 'GET', '/api/v1/auth/me');
    assert.equal(me.body.email, EVE);
    assert.equal((await api({ ...env.srv, token }, 'POST', '/api/v1/companies', { name: 'x' })).status, 403, 'read-only');
    await page.locator('tr[data-token="my script"]').getByRole('button', { name: /Revoke/ }).click();
    await page.locator('tr[data-token="my script"]', { hasText: 'revoked' }).waitFor();
    assert.equal((await api({ ...env.srv, token }, 'GET', '/api/v1/auth/me')).status, 401);
  });
});

test('the system-state banner shows for everyone; an administrator sets and lifts it', async () => {
  await withPage(env, 'account-system-state', async (page) => {
    await signIn(page, env.srv, { hash: '#/account' });
    await page.getByRole('button', { name: 'System state' }).click();
    await page.getByRole('radio', { name: 'Read-only' }).check();
    await page.getByLabel('Message for users').fill('Moving servers until 18:00');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByTestId('system-state').filter({ hasText: 'Read-only' }).waitFor();
  });
  try {
    await withPage(env, 'account-system-banner', async (page) => {
      await signIn(page, env.srv, { email: EVE, password: EVE_PW });
      const banner = page.locator('.system-banner');
      await banner.waitFor();
      assert.match(await banner.innerText(), /read-only.*Moving servers until 18:00/s);
    });
  } finally {
    const r = await api(env.srv, 'PUT', '/api/v1/system/state', { state: 'normal' });
    assert.equal(r.status, 200, r.text);
  }
});
