// Two-factor sign-in in the browser: setting up an authenticator app (QR, code,
// recovery codes) and signing in with a code or a recovery code; registering a
// security key with Chromium's virtual authenticator (DevTools WebAuthn domain)
// and signing in with it. WebAuthn needs a secure context, so these pages are
// opened on http://localhost:PORT, the server's default --origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { setup, withPage } from './helpers.mjs';
import { addUser } from '../lib/helpers.mjs';

const PASSWORD = 'correct horse battery staple';
let env;
let base;
before(async () => {
  env = await setup();
  base = `http://localhost:${new URL(env.srv.url).port}`;
});
after(async () => {
  await env?.close();
});

function totp(secretB32, step) {
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0; let acc = 0; const key = [];
  for (const ch of secretB32) {
    acc = (acc << 5) | alpha.indexOf(ch); bits += 5;
    if (bits >= 8) { key.push((acc >> (bits - 8)) & 0xff); bits -= 8; }
  }
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', Buffer.from(key)).update(msg).digest();
  const off = h[h.length - 1] & 0xf;
  return String((h.readUInt32BE(off) & 0x7fffffff) % 1e6).padStart(6, '0');
}
const nowStep = () => Math.floor(Date.now() / 30000);

async function password(page, email) {
  await page.goto(`${base}/#/contacts`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Password').press('Enter');
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

const nav = (page) => page.getByRole('navigation', { name: 'Main navigation' });

test('an authenticator app is set up from the account screen and then asked for at sign-in', async () => {
  const email = 'app.user@example.com';
  addUser(env.srv, email, PASSWORD, { name: 'App User' });
  await withPage(env, 'twofa-totp', async (page) => {
    await password(page, email);
    await nav(page).waitFor();
    await page.getByRole('link', { name: 'Two-factor sign-in' }).click();
    await page.getByRole('heading', { name: 'Two-factor sign-in' }).waitFor();
    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
    await qr.waitFor();
    assert.ok((await qr.getAttribute('src')).startsWith('data:image/svg+xml'), 'the QR code is an SVG image');
    const secret = (await page.getByTestId('totp-secret').innerText()).trim();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    const step = nowStep();
    await page.getByLabel('Code', { exact: true }).fill(totp(secret, step));
    await page.getByRole('button', { name: 'Turn on' }).click();
    const codes = page.getByRole('list', { name: 'Your recovery codes' }).getByRole('listitem');
    await codes.first().waitFor();
    assert.equal(await codes.count(), 10);
    const recovery = (await codes.nth(3).innerText()).trim();
    assert.match(recovery, /^[a-z2-9]{5}-[a-z2-9]{5}$/);
    await page.getByRole('button', { name: 'I saved them' }).click();
    await page.getByText('Recovery codes left: 10').waitFor();

    // Sign in again: the password is not enough.
    await signOut(page);
    await password(page, email);
    await page.getByRole('heading', { name: 'Two-factor sign-in' }).waitFor();
    assert.equal(await nav(page).count(), 0);
    const code = page.getByLabel('Code', { exact: true });
    assert.equal(await code.getAttribute('autocomplete'), 'one-time-code');
    await code.fill('000000' === totp(secret, step + 1) ? '111111' : '000000');
    await code.press('Enter');
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /code is wrong/i);
    await code.fill(totp(secret, step + 1));
    await code.press('Enter');
    await nav(page).waitFor();

    // And with a recovery code, from the keyboard.
    await signOut(page);
    await password(page, email);
    await page.getByRole('button', { name: 'Use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(recovery);
    await page.getByLabel('Recovery code').press('Enter');
    await nav(page).waitFor();
  });
});

test('a security key is registered with a virtual authenticator and signs in', async () => {
  const email = 'key.user@example.com';
  addUser(env.srv, email, PASSWORD, { name: 'Key User' });
  await withPage(env, 'twofa-webauthn', async (page) => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
    try {
      await password(page, email);
      await nav(page).waitFor();
      await page.goto(`${base}/#/account/two-factor`);
      await page.getByLabel('Key name').fill('Desk key');
      await page.getByRole('button', { name: 'Add security key' }).click();
      // The first factor brings recovery codes.
      await page.getByRole('list', { name: 'Your recovery codes' }).waitFor();
      await page.getByRole('button', { name: 'I saved them' }).click();
      const keys = page.getByRole('list', { name: 'Security keys' });
      await keys.getByText('Desk key').waitFor();
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      assert.equal(credentials.length, 1, 'the authenticator holds the new credential');

      // Rename it from the keyboard.
      await page.getByRole('button', { name: 'Rename Desk key' }).click();
      const name = page.locator('input[id^="key-name-"]');
      await name.fill('Blue key');
      await name.press('Enter');
      await keys.getByText('Blue key').waitFor();

      await signOut(page);
      await password(page, email);
      await page.getByRole('heading', { name: 'Two-factor sign-in' }).waitFor();
      await page.getByRole('button', { name: 'Use a security key' }).click();
      await nav(page).waitFor();
      await page.goto(`${base}/#/account/two-factor`);
      await keys.getByText(/last used/).waitFor();
    } finally {
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId }).catch(() => {});
    }
  });
});

test('a user required to use 2FA sees only the set-up screen until a factor is on', async () => {
  const email = 'must.enrol@example.com';
  addUser(env.srv, email, PASSWORD, { name: 'Must Enrol' });
  const { crmOk } = await import('../lib/helpers.mjs');
  crmOk(['user', 'require-2fa', '--db', env.srv.db, '--email', email]);
  await withPage(env, 'twofa-required', async (page) => {
    await password(page, email);
    await page.getByText('Your account must use two-factor sign-in').waitFor();
    assert.equal(await nav(page).count(), 0, 'no navigation before enrolling');
    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    const secret = (await page.getByTestId('totp-secret').innerText()).trim();
    await page.getByLabel('Code', { exact: true }).fill(totp(secret, nowStep()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('button', { name: 'I saved them' }).click();
    await nav(page).waitFor();
  });
});
