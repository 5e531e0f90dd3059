// Administration → Working hours: an admin gives a calendar a lunch break and a Saturday morning
// from the keyboard, adds a holiday, sees a bad interval refused beside its day, asks "when is it
// due?", and gives a department the calendar. Real server, real Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, setup, signIn, withPage } from './helpers.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
  assert.deepEqual(env?.pageErrors.map(String) ?? [], []);
});

async function calendarNamed(name) {
  const list = await api(env.srv, 'GET', '/api/v1/work-calendars');
  const c = list.body.data.find((x) => x.name === name);
  return c ? (await api(env.srv, 'GET', `/api/v1/work-calendars/${c.id}`)).body : null;
}

test('an admin edits the hours of a calendar, adds a holiday, and previews a deadline', async () => {
  await withPage(env, 'workcal-edit', async (page) => {
    await signIn(page, env.srv);
    await page.getByRole('link', { name: 'Working hours' }).click();
    await page.getByRole('heading', { name: 'Working hours', level: 1 }).waitFor();
    await page.locator('[data-calendar="Standard"]').getByText('Mon–Fri 09:00-18:00').waitFor();

    await page.getByRole('button', { name: 'Edit Standard' }).click();
    const form = page.getByRole('form', { name: 'Edit “Standard”' });
    // Monday gets a lunch break: 09:00-13:00 and 14:00-18:00.
    await form.getByLabel('Mon, interval 1: to').fill('13:00');
    await form.getByRole('button', { name: 'Add an interval to Mon' }).click();
    await form.getByLabel('Mon, interval 2: from').fill('14:00');
    await form.getByLabel('Mon, interval 2: to').fill('18:00');
    // Saturday opens in the morning, typed wrong first: the server's message shows beside Saturday.
    await form.getByLabel('Closed on Sat').uncheck();
    await form.getByLabel('Sat, interval 1: from').fill('13:00');
    await form.getByLabel('Sat, interval 1: to').fill('09:00');
    await form.getByRole('button', { name: '+ Holiday' }).click();
    await form.getByLabel('Holiday 1: date').fill('2026-12-25');
    await form.getByLabel('Holiday 1: name').fill('Christmas');
    await form.getByLabel('Holiday 1: name').press('Enter');
    const satError = form.locator('[data-field="week[5]"]');
    await satError.waitFor();
    assert.match(await satError.textContent(), /13:00-09:00/);
    assert.equal(await form.getByLabel('Sat, interval 1: from').getAttribute('aria-invalid'), 'true');
    assert.deepEqual((await calendarNamed('Standard')).week[0], ['09:00-18:00'], 'nothing was written');

    await form.getByLabel('Sat, interval 1: from').fill('09:00');
    await form.getByLabel('Sat, interval 1: to').fill('13:00');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });
    await page.locator('[data-calendar="Standard"]').getByText('Mon 09:00-13:00, 14:00-18:00').waitFor();

    const cal = await calendarNamed('Standard');
    assert.deepEqual(cal.week[0], ['09:00-13:00', '14:00-18:00']);
    assert.deepEqual(cal.week[5], ['09:00-13:00']);
    assert.deepEqual(cal.holidays, [{ date: '2026-12-25', name: 'Christmas', hours: null }]);

    // "When is it due?" from Thursday 24 December 17:00 (the browser's zone is UTC) plus 3 working hours:
    // 1 h on Thursday, the 25th is a holiday, 2 h on Saturday morning.
    await page.getByRole('button', { name: 'Edit Standard' }).click();
    const again = page.getByRole('form', { name: 'Edit “Standard”' });
    await again.getByLabel('Start').fill('2026-12-24T17:00');
    await again.getByLabel('Working hours').fill('3');
    await again.getByLabel('Working hours').press('Enter');
    const answer = again.locator('output.workcal-due-answer');
    await page.waitForFunction(() => document.querySelector('output.workcal-due-answer')?.getAttribute('data-due'));
    assert.equal(await answer.getAttribute('data-due'), '2026-12-26T11:00:00.000Z');
    assert.ok(await again.isVisible(), 'Enter in the preview does not save and close the form');
    await again.press('Escape');
    await again.waitFor({ state: 'detached' });
  });
});

test('a department is given a calendar in the departments screen', async () => {
  const cal = await api(env.srv, 'POST', '/api/v1/work-calendars', {
    name: 'Night desk', tz: 'Europe/Berlin', week: Array(7).fill(['00:00-06:00', '22:00-24:00']),
  });
  assert.equal(cal.status, 201, cal.text);
  await withPage(env, 'workcal-department', async (page) => {
    await signIn(page, env.srv);
    await page.getByRole('link', { name: 'Departments' }).click();
    await page.getByRole('button', { name: 'Edit Company' }).click();
    const form = page.getByRole('form', { name: 'Edit “Company”' });
    await form.getByLabel('Working hours').selectOption({ label: 'Night desk' });
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });
    const depts = await api(env.srv, 'GET', '/api/v1/departments');
    assert.equal(depts.body.data.find((d) => d.name === 'Company').calendar_id, cal.body.id);
    // The calendar now names its department, and refuses deletion.
    await page.getByRole('link', { name: 'Working hours' }).click();
    await page.locator('[data-calendar="Night desk"]').getByText('Company').waitFor();
    await page.getByRole('button', { name: 'Delete Night desk' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('alert').getByText(/Company/).waitFor();
  });
});
