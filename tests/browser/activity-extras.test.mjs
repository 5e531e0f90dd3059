// The activity form's reminders and recurrence, and comments on the activity page: a weekly task
// with reminders is created in the form, shows its rule on its page, and once completed the next
// occurrence exists a week later; a comment is added and deleted.
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

test('a weekly task with reminders made in the form comes back a week later when completed', async () => {
  await withPage(env, 'activity-recurrence', async (page) => {
    await signIn(page, env.srv, { hash: '#/activities/new?kind=task' });
    await page.getByRole('heading', { name: 'New task', level: 1 }).waitFor();
    await page.locator('#f-subject').fill('Weekly pipeline review');

    // Without a deadline the task cannot repeat.
    const repeat = page.getByRole('combobox', { name: 'Repeat' });
    assert.equal(await repeat.isDisabled(), true);
    await page.getByRole('group', { name: 'Quick deadline' }).getByRole('button', { name: 'Today' }).click();
    await repeat.selectOption('weekly');
    await page.getByRole('radio', { name: 'After a number of times' }).check();
    await page.getByRole('spinbutton', { name: 'Times' }).fill('3');

    // Reminders: two presets and a custom one, shown as chips; one removed again.
    const reminders = page.getByRole('group', { name: 'Reminders' });
    await reminders.getByRole('button', { name: '1 day before' }).click();
    await reminders.getByRole('button', { name: '15 min before' }).click();
    await reminders.getByRole('button', { name: '1 h before' }).click();
    await reminders.getByLabel('Custom, minutes before').fill('120');
    await reminders.getByLabel('Custom, minutes before').press('Enter');
    await reminders.getByRole('button', { name: 'Remove the reminder “1 h before”' }).click();
    assert.deepEqual(await reminders.locator('.chip').allTextContents(), ['15 min before×', '2 h before×', '1 day before×']);

    const post = page.waitForResponse((r) => r.url().endsWith('/api/v1/activities') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Save activity' }).click();
    const res = await post;
    assert.equal(res.status(), 201, await res.text());
    const sent = JSON.parse(res.request().postData());
    assert.deepEqual(sent.reminders, [15, 120, 1440]);
    assert.deepEqual(sent.recurrence, { freq: 'weekly', interval: 1, count: 3 });
    const first = await res.json();

    // The activity page shows the rule and the reminders.
    await page.waitForURL(new RegExp(`#/activities/${first.id}$`));
    const detail = (label) => page.locator('.detail', { has: page.locator('dt', { hasText: label }) }).locator('dd');
    assert.equal(await detail('Reminders').textContent(), '15 min before, 2 h before, 1 day before');
    assert.equal(await detail('Repeat').textContent(), 'Weekly, every 1 week(s), 3 times in all');

    const done = page.waitForResponse((r) => r.url().endsWith(`/activities/${first.id}/complete`));
    await page.getByRole('button', { name: 'Complete' }).click();
    assert.equal((await done).status(), 200);

    // The next occurrence: open, a week later, in the series (which holds the first too).
    assert.equal(first.series_id, first.id);
    const next = await api(env.srv, 'GET', `/api/v1/activities?series_id=${first.id}&sort=due_at`);
    assert.equal(next.status, 200, next.text);
    assert.deepEqual(next.body.data.map((x) => x.id).slice(0, 1), [first.id]);
    assert.equal(next.body.data.length, 2);
    const n = next.body.data[1];
    assert.equal(n.status, 'open');
    assert.equal(n.subject, 'Weekly pipeline review');
    assert.equal(Date.parse(n.due_at) - Date.parse(first.due_at), 7 * 86400000);
    assert.deepEqual(n.recurrence, first.recurrence);

    await page.goto(`/#/activities/${n.id}`);
    await page.getByRole('heading', { name: 'Weekly pipeline review', level: 1 }).waitFor();
    assert.equal(await detail('Part of a series').getByRole('link', { name: 'Open the first task' }).getAttribute('href'), `#/activities/${first.id}`);
  });
  assert.deepEqual(env.pageErrors, []);
});

test('a comment is added on the activity page and deleted again', async () => {
  const task = await api(env.srv, 'POST', '/api/v1/activities', { kind: 'task', subject: 'Draft the contract' });
  assert.equal(task.status, 201, task.text);
  await withPage(env, 'activity-comments', async (page) => {
    await signIn(page, env.srv, { hash: `#/activities/${task.body.id}` });
    const card = page.getByRole('region', { name: 'Comments' });
    await card.getByText('No comments yet.').waitFor();

    await card.getByLabel('New comment').fill('Legal wants clause 7 reworded.\nDeadline Friday.');
    const post = page.waitForResponse((r) => r.url().endsWith(`/activities/${task.body.id}/comments`) && r.request().method() === 'POST');
    await card.getByRole('button', { name: 'Add comment' }).click();
    assert.equal((await post).status(), 201);
    const item = card.locator('.comment', { hasText: 'Legal wants clause 7 reworded.' });
    await item.waitFor();
    assert.match(await item.textContent(), /Ada Admin/);
    assert.equal(await card.getByLabel('New comment').inputValue(), '');
    let list = await api(env.srv, 'GET', `/api/v1/activities/${task.body.id}/comments`);
    assert.equal(list.body.data.length, 1);
    assert.equal(list.body.data[0].body, 'Legal wants clause 7 reworded.\nDeadline Friday.');

    // Still there after a reload; then deleted by its author.
    await page.reload();
    await item.waitFor();
    const del = page.waitForResponse((r) => /\/comments\/\d+$/.test(r.url()) && r.request().method() === 'DELETE');
    await item.getByRole('button', { name: /^Delete the comment of Ada Admin/ }).click();
    assert.equal((await del).status(), 204);
    await card.getByText('No comments yet.').waitFor();
    list = await api(env.srv, 'GET', `/api/v1/activities/${task.body.id}/comments`);
    assert.deepEqual(list.body.data, []);
  });
  assert.deepEqual(env.pageErrors, []);
});
