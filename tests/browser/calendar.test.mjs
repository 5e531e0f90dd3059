// The calendar in the browser (which runs in UTC, helpers.mjs): a meeting and a task show in the
// week view on their days; dragging the task to the next day moves its deadline by exactly one day;
// the month view shows both; the keyboard goes to the next and previous period; a move the server
// refuses is put back with its reason.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, create, setup, signIn, withPage } from './helpers.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

const col = (page, day) => page.locator(`.cal-col[data-day="${day}"]`);
const cell = (page, day) => page.locator(`.cal-cell[data-day="${day}"]`);
const subtitle = (page) => page.locator('.calendar-page .page-header .subtitle');

test('week and month views place tasks and meetings, dragging reschedules, keys move the period', async () => {
  const meeting = await create(env.srv, 'activities', {
    kind: 'meeting', subject: 'Quarterly review', start_at: '2030-03-12T14:00:00Z', end_at: '2030-03-12T15:30:00Z',
  });
  const task = await create(env.srv, 'activities', { kind: 'task', subject: 'Send the minutes', due_at: '2030-03-13T10:00:00Z' });
  // One over midnight into Saturday, one that began on the Sunday before the week.
  await create(env.srv, 'activities', { kind: 'meeting', subject: 'Late launch', start_at: '2030-03-15T22:00:00Z', end_at: '2030-03-16T01:00:00Z' });
  await create(env.srv, 'activities', { kind: 'meeting', subject: 'Night shift', start_at: '2030-03-10T23:00:00Z', end_at: '2030-03-11T02:00:00Z' });
  await withPage(env, 'calendar-week', async (page) => {
    await signIn(page, env.srv, { hash: '#/contacts' });
    // The calendar is in the navigation, next to my day.
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Calendar' }).click();
    await page.getByRole('heading', { name: 'Calendar', level: 1 }).waitFor();
    await page.goto('/#/calendar?view=week&date=2030-03-13');
    await page.reload();

    // The week of Monday 11 March 2030: the meeting on Tuesday from 14:00, the task on Wednesday at 10:00.
    await subtitle(page).getByText(/Mar 11\s*–\s*17, 2030/).waitFor();
    const m = col(page, '2030-03-12').locator('.cal-entry', { hasText: 'Quarterly review' });
    await m.waitFor();
    assert.match(await m.innerText(), /\b2:00\s*PM–3:30\s*PM/);
    assert.equal(await m.getAttribute('href'), `#/activities/${meeting.id}`);
    const tk = col(page, '2030-03-13').locator('.cal-entry', { hasText: 'Send the minutes' });
    await tk.waitFor();
    // The meeting is as tall as its hour and a half; the task sits at 10:00.
    const mBox = await m.boundingBox();
    assert.ok(Math.abs(mBox.height - 72) <= 1, `meeting height ${mBox.height}`);
    const from = await col(page, '2030-03-13').boundingBox();
    const tBox = await tk.boundingBox();
    assert.ok(Math.abs(tBox.y - from.y - 480) <= 1, `task top ${tBox.y - from.y}`);

    // A meeting over midnight shows on both days; one begun before the week on its Monday.
    await col(page, '2030-03-15').locator('.cal-entry', { hasText: 'Late launch' }).waitFor();
    await col(page, '2030-03-16').locator('.cal-entry', { hasText: 'Late launch' }).waitFor();
    await col(page, '2030-03-11').locator('.cal-entry', { hasText: 'Night shift' }).waitFor();

    // Dragging the task to Thursday at the same height: its deadline moves by exactly one day.
    const patch = page.waitForResponse((r) => r.url().endsWith(`/api/v1/activities/${task.id}`) && r.request().method() === 'PATCH');
    await tk.dragTo(col(page, '2030-03-14'), { sourcePosition: { x: 10, y: 5 }, targetPosition: { x: 10, y: tBox.y - from.y + 5 } });
    const res = await patch;
    assert.equal(res.status(), 200);
    assert.equal(res.request().headers()['if-match'], `"${task.version}"`);
    await col(page, '2030-03-14').locator('.cal-entry', { hasText: 'Send the minutes' }).waitFor();
    assert.equal(await col(page, '2030-03-13').locator('.cal-entry', { hasText: 'Send the minutes' }).count(), 0);
    const after1 = await api(env.srv, 'GET', `/api/v1/activities/${task.id}`);
    assert.equal(new Date(after1.body.due_at).getTime() - new Date(task.due_at).getTime(), 24 * 3600 * 1000);

    // Clicking an entry opens the activity.
    await m.click();
    await page.waitForURL(new RegExp(`#/activities/${meeting.id}$`));
    await page.goBack();
    await m.waitFor();

    // The month view (M) shows both on their days.
    await page.keyboard.press('m');
    await subtitle(page).getByText('March 2030').waitFor();
    await cell(page, '2030-03-12').locator('.cal-entry', { hasText: 'Quarterly review' }).waitFor();
    await cell(page, '2030-03-14').locator('.cal-entry', { hasText: 'Send the minutes' }).waitFor();
    assert.match(page.url(), /view=month/);

    // → next month, ← back; T today.
    await page.keyboard.press('ArrowRight');
    await subtitle(page).getByText('April 2030').waitFor();
    assert.equal(await page.locator('.cal-entry', { hasText: 'Quarterly review' }).count(), 0);
    await page.keyboard.press('ArrowLeft');
    await subtitle(page).getByText('March 2030').waitFor();
    await cell(page, '2030-03-12').locator('.cal-entry', { hasText: 'Quarterly review' }).waitFor();
    await page.keyboard.press('w');
    await subtitle(page).getByText(/Mar 11\s*–\s*17, 2030/).waitFor();
    await page.keyboard.press('ArrowRight');
    await subtitle(page).getByText(/Mar 18\s*–\s*24, 2030/).waitFor();
    await page.getByRole('button', { name: 'Previous' }).click();
    await subtitle(page).getByText(/Mar 11\s*–\s*17, 2030/).waitFor();
  });
  assert.deepEqual(env.pageErrors, []);
});

test('a meeting moved with the keyboard shifts start and end together; a refused move is put back with the reason', async () => {
  const meeting = await create(env.srv, 'activities', {
    kind: 'meeting', subject: 'Board call', start_at: '2030-05-07T09:00:00Z', end_at: '2030-05-07T10:00:00Z',
  });
  await withPage(env, 'calendar-keyboard-move', async (page) => {
    await signIn(page, env.srv, { hash: '#/calendar?view=week&date=2030-05-07' });
    const entry = (day) => col(page, day).locator('.cal-entry', { hasText: 'Board call' });
    await entry('2030-05-07').focus();
    const patch = page.waitForResponse((r) => r.url().endsWith(`/api/v1/activities/${meeting.id}`) && r.request().method() === 'PATCH');
    await page.keyboard.press('Alt+ArrowRight');
    assert.equal((await patch).status(), 200);
    await entry('2030-05-08').waitFor();
    const moved = (await api(env.srv, 'GET', `/api/v1/activities/${meeting.id}`)).body;
    assert.equal(moved.start_at, '2030-05-08T09:00:00.000Z');
    assert.equal(moved.end_at, '2030-05-08T10:00:00.000Z');

    // Someone changes it meanwhile: the next move is refused (412), and the entry goes back.
    const r = await api(env.srv, 'PATCH', `/api/v1/activities/${meeting.id}`, { place: 'Room 4' });
    assert.equal(r.status, 200);
    await entry('2030-05-08').focus();
    const refused = page.waitForResponse((x) => x.url().endsWith(`/api/v1/activities/${meeting.id}`) && x.request().method() === 'PATCH');
    await page.keyboard.press('Alt+ArrowRight');
    assert.equal((await refused).status(), 412);
    await page.getByRole('alert').filter({ hasText: '“Board call” was not moved' }).waitFor();
    await entry('2030-05-08').waitFor();
    assert.equal(await entry('2030-05-09').count(), 0);
  });
});

test('a head picks a team member and sees the tasks they own and the meetings they take part in', async () => {
  const dept = (await api(env.srv, 'POST', '/api/v1/departments', { name: 'Field team', parent_id: 1 })).body;
  const mk = async (email, name) => (await api(env.srv, 'POST', '/api/v1/users', {
    email, name, department_id: dept.id, password: 'saffron lighthouse quill 27' })).body;
  const kim = await mk('kim.field@example.com', 'Kim Field');
  const lou = await mk('lou.field@example.com', 'Lou Field');
  await create(env.srv, 'activities', { kind: 'task', subject: 'Kim’s own task', owner_id: kim.id, due_at: '2030-05-14T09:00:00Z' });
  await create(env.srv, 'activities', { kind: 'meeting', subject: 'Lou’s meeting with Kim', owner_id: lou.id, participants: [kim.id],
                                        start_at: '2030-05-15T13:00:00Z', end_at: '2030-05-15T14:00:00Z' });
  await create(env.srv, 'activities', { kind: 'meeting', subject: 'Lou alone', owner_id: lou.id,
                                        start_at: '2030-05-16T13:00:00Z', end_at: '2030-05-16T14:00:00Z' });
  await withPage(env, 'calendar-person', async (page) => {
    await signIn(page, env.srv, { hash: '#/calendar?view=week&date=2030-05-14' });
    await page.locator('#calendar-person').selectOption(String(kim.id));
    await col(page, '2030-05-14').locator('.cal-entry', { hasText: 'Kim’s own task' }).waitFor();
    await col(page, '2030-05-15').locator('.cal-entry', { hasText: 'Lou’s meeting with Kim' }).waitFor();
    assert.equal(await page.locator('.cal-entry', { hasText: 'Lou alone' }).count(), 0);
    // Only what Kim owns: the meeting they merely take part in leaves.
    await page.locator('#calendar-role').selectOption('owner');
    await col(page, '2030-05-15').locator('.cal-entry', { hasText: 'Lou’s meeting with Kim' }).waitFor({ state: 'detached' });
    await col(page, '2030-05-14').locator('.cal-entry', { hasText: 'Kim’s own task' }).waitFor();
  });
  assert.deepEqual(env.pageErrors, []);
});
