// Sign in: a wrong password shows an error, the right one shows the app, Enter submits, sign out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, withPage } from './helpers.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

test('a wrong password shows an error and stays on the sign-in screen', async () => {
  await withPage(env, 'auth-bad-password', async (page) => {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Email').fill(env.srv.adminEmail);
    await page.getByLabel('Password').fill('not the password');
    const resp = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.equal((await resp).status(), 401);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /email or password is wrong/i);
    assert.equal(await page.getByRole('navigation', { name: 'Main navigation' }).count(), 0);
  });
});

test('the sign-in form submits with Enter and shows the app; reload keeps the session', async () => {
  await withPage(env, 'auth-signed-in', async (page) => {
    await page.goto('/');
    const email = page.getByLabel('Email');
    await email.waitFor();
    // The email field has focus on load: type without clicking, Tab to the password, Enter.
    await page.keyboard.type(env.srv.adminEmail);
    assert.equal(await email.inputValue(), env.srv.adminEmail);
    await page.keyboard.press('Tab');
    await page.keyboard.type(env.srv.adminPassword);
    const resp = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
    await page.keyboard.press('Enter');
    assert.equal((await resp).status(), 200);
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.waitFor();
    await nav.getByRole('link', { name: 'Companies' }).waitFor();
    // The landing page is the day's work: my day.
    await page.getByRole('heading', { name: 'My day', level: 1 }).waitFor();
    assert.match(page.url(), /#\/my-day/);

    // GET /auth/me on load decides: a reload stays signed in.
    await page.reload();
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
  });
});

test('sign out returns to the sign-in screen and the API refuses the old session', async () => {
  await withPage(env, 'auth-signed-out', async (page) => {
    await page.goto('/');
    await page.getByLabel('Email').fill(env.srv.adminEmail);
    await page.getByLabel('Password').fill(env.srv.adminPassword);
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const status = await page.evaluate(async () => (await fetch('/api/v1/auth/me')).status);
    assert.equal(status, 401);
  });
});
