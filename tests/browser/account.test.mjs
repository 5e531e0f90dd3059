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

test('the calendar feed: made on the Account screen, shown once with a warning, answers text/calendar, and 404 once revoked', async () => {
  await env.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.srv.url });
  await withPage(env, 'account-calendar-feed', async (page) => {
    await signIn(page, env.srv, { hash: '#/account' });
    const card = page.getByRole('region', { name: 'Calendar feed' });
    const made = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/calendar-feed') && r.request().method() === 'POST');
    await card.getByRole('button', { name: 'Create a feed address' }).click();
    assert.equal((await made).status(), 201);
    const field = card.getByLabel('Feed address');
    const url = await field.inputValue();
    assert.match(url, /\/ical\/[A-Za-z0-9_-]{43}\.ics$/);
    assert.match(await card.locator('#feed-warning').innerText(), /Anyone who has this address sees your calendar/);
    await card.getByRole('button', { name: 'Copy' }).click();
    await card.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);

    // The address answers the calendar without signing in.
    const path = new URL(url).pathname;
    let r = await fetch(env.srv.url + path);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/calendar/);
    assert.match(await r.text(), /^BEGIN:VCALENDAR\r\n/);

    // Revoked: the secret is gone from the page and the address answers 404.
    const gone = page.waitForResponse((x) => x.url().endsWith('/api/v1/auth/calendar-feed') && x.request().method() === 'DELETE');
    await card.getByRole('button', { name: 'Revoke the feed address' }).click();
    assert.equal((await gone).status(), 204);
    await card.getByRole('status').filter({ hasText: 'The feed address was revoked' }).waitFor();
    assert.equal(await card.getByLabel('Feed address').count(), 0);
    r = await fetch(env.srv.url + path);
    assert.equal(r.status, 404);

    // Revoking again: there is none.
    await card.getByRole('button', { name: 'Revoke the feed address' }).click();
    await card.getByRole('status').filter({ hasText: 'There was no feed address to revoke.' }).waitFor();
  });
});
