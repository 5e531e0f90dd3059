// The notification bell: live without reload. A second user is signed in on the page; the admin
// (through the API) gives a task to them; the badge goes to 1 through the event stream, the panel
// lists the notice, Escape closes it with the focus back on the bell, and following the notice
// opens the task and reads it (the count goes back to 0).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, setup, signIn, withPage } from './helpers.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

test('a task reassigned to the signed-in user lights the bell without reload; the notice opens the task and is read', async () => {
  const bea = { email: 'bea.bell@example.com', name: 'Bea Bell', password: 'another long passphrase' };
  const user = await api(env.srv, 'POST', '/api/v1/users', bea);
  assert.equal(user.status, 201, user.text);
  const due = new Date(Date.now() + 3 * 86400000).toISOString();
  const task = await api(env.srv, 'POST', '/api/v1/activities', { kind: 'task', subject: 'Call back Globex', due_at: due });
  assert.equal(task.status, 201, task.text);

  await withPage(env, 'notifications-bell', async (page) => {
    const counts = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/notifications/count')) counts.push(r.url());
    });
    const stream = page.waitForResponse((r) => r.url().endsWith('/api/v1/notifications/stream'));
    await signIn(page, env.srv, { email: bea.email, password: bea.password, hash: '#/my-day' });
    const res = await stream;
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-type'], /text\/event-stream/);

    const bell = page.getByRole('banner').getByRole('button', { name: /^Notifications/ });
    assert.equal(await bell.getAttribute('aria-expanded'), 'false');
    assert.equal(await page.locator('.bell-badge').count(), 0);

    // The admin gives the task to Bea: the open page hears of it through the stream.
    const before = page.url();
    const patch = await api(env.srv, 'PATCH', `/api/v1/activities/${task.body.id}`, { owner_id: user.body.id });
    assert.equal(patch.status, 200, patch.text);
    await page.locator('.bell-badge', { hasText: '1' }).waitFor();
    assert.equal(await bell.getAttribute('aria-label'), 'Notifications, 1 unread');
    assert.equal(page.url(), before);
    assert.deepEqual(counts, [], 'the badge came from the stream, not from polling');

    // The panel: keyboard first — Enter opens, Escape closes and gives the focus back.
    await bell.focus();
    await page.keyboard.press('Enter');
    assert.equal(await bell.getAttribute('aria-expanded'), 'true');
    const panel = page.getByRole('region', { name: 'Notifications' });
    const notice = panel.getByRole('link', { name: /Call back Globex/ });
    await notice.waitFor();
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    assert.equal(await bell.getAttribute('aria-expanded'), 'false');
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('bell-button')), true);

    // Following the notice opens the task and reads it.
    await bell.click();
    const read = page.waitForResponse((r) => /\/api\/v1\/notifications\/\d+\/read$/.test(r.url()));
    await panel.getByRole('link', { name: /Call back Globex/ }).click();
    assert.equal((await read).status(), 200);
    await page.waitForURL(new RegExp(`#/activities/${task.body.id}$`));
    await page.getByRole('heading', { name: 'Call back Globex', level: 1 }).waitFor();
    await page.locator('.bell-badge').waitFor({ state: 'detached' });
    assert.equal(await bell.getAttribute('aria-label'), 'Notifications');
    const count = await page.evaluate(() => fetch('/api/v1/notifications/count').then((r) => r.json()));
    assert.deepEqual(count, { unread: 0 });
  });
  assert.deepEqual(env.pageErrors, []);
});
