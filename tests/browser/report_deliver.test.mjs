// Report delivery and role dashboards in the browser (issue 11): "Deliver by mail" on a report
// saves a weekly delivery to chosen people (a person who may not read the report is refused and
// named), the Deliveries tab lists it and Send now mails the file to the SMTP sink; the dashboard
// grid uses the stored layout (order and widget size) with keyboard-usable move and resize buttons,
// an administrator makes it the Manager role's default, a manager sees it, customises it and resets
// it. Real server, real Chromium, real SMTP sink, no mocks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addUser } from '../lib/helpers.mjs';
import { parseMail, startSmtpSink } from '../lib/smtp.mjs';
import { api, setup, signIn, withPage } from './helpers.mjs';

let env;
let sink;
let report;
let lib;
const rita = { email: 'rita.deliver@example.com', password: 'pelican harbour drums nine' };

async function ok(method, path, body) {
  const r = await api(env.srv, method, path, body);
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${path}: ${r.status} ${r.text}`);
  return r.body;
}

before(async () => {
  sink = await startSmtpSink();
  env = await setup({ args: ['--smtp-url', sink.url, '--smtp-from', 'crm@example.com', '--smtp-retry', '1s'] });
  addUser(env.srv, rita.email, rita.password, { name: 'Rita Rep' });
  await ok('POST', '/api/v1/deals', { title: 'Only deal', amount: 1000, currency: 'EUR' });
  report = await ok('POST', '/api/v1/reports', { name: 'Deal titles', definition: { entity: 'deals', columns: ['title'] } });
  lib = Object.fromEntries((await ok('GET', '/api/v1/reports')).data.filter((r) => r.builtin).map((r) => [r.builtin, r]));
});
after(async () => {
  await env?.close();
  await sink?.stop();
  assert.deepEqual(env?.pageErrors.map(String) ?? [], []);
});

test('Deliver by mail: a weekly delivery is saved for people who may read the report, listed, and sent now', async () => {
  await withPage(env, 'report-deliver', async (page) => {
    await signIn(page, env.srv, { hash: `#/reports/${report.id}` });
    await page.getByRole('heading', { name: 'Deal titles', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Deliver by mail' }).click();
    const dialog = page.getByRole('dialog', { name: 'Deliver “Deal titles” by mail' });
    await dialog.waitFor();
    await dialog.getByLabel('File').selectOption('csv');
    assert.equal(await dialog.getByLabel('Repeat').inputValue(), 'weekly');
    assert.equal(await dialog.getByLabel('Day', { exact: true }).inputValue(), '1');
    assert.equal(await dialog.getByLabel('Time', { exact: true }).inputValue(), '08:00');
    await dialog.getByLabel('Time zone').fill('Europe/Berlin');
    // The report is the administrator's own: Rita may not read it, and is named in the refusal.
    await dialog.getByLabel(/Rita Rep/).check();
    await dialog.getByRole('button', { name: 'Save delivery' }).click();
    await dialog.getByRole('alert').getByText(/Rita Rep \(rita\.deliver@example\.com\): is no active user who may read this report/).waitFor();
    assert.equal((await ok('GET', '/api/v1/report-subscriptions')).data.length, 0, 'nothing saved');
    await dialog.getByLabel(/Rita Rep/).uncheck();
    await dialog.getByRole('button', { name: 'Save delivery' }).click();
    await page.getByText('The delivery is saved').waitFor();
    await dialog.waitFor({ state: 'detached' });
    const [s] = (await ok('GET', '/api/v1/report-subscriptions')).data;
    assert.deepEqual([s.format, s.schedule, s.tz, s.recipients], ['csv', { kind: 'weekly', weekday: 1, time: '08:00' }, 'Europe/Berlin', [s.owner_id]]);

    await page.goto('/#/reports/dashboard');
    await page.getByRole('link', { name: 'Deliveries' }).click();
    const row = page.locator(`tr[data-subscription="${s.id}"]`);
    await row.getByText('Every Monday at 08:00 (Europe/Berlin)').waitFor();
    await row.getByRole('button', { name: 'Send now' }).click();
    await page.getByText('Sent to the outbox').waitFor();
    const deadline = Date.now() + 15000;
    while (sink.mails().length === 0) {
      assert.ok(Date.now() < deadline, 'the mail did not reach the sink within 15 s');
      await page.waitForTimeout(100);
    }
    const m = parseMail(sink.mails()[0].data);
    const file = m.parts.find((p) => /attachment/.test(p.headers['content-disposition'] || ''));
    assert.equal(file.body.toString('utf8'), '\uFEFFTitle\r\nOnly deal\r\n');
    // Paused from the list: no next delivery.
    await row.getByRole('button', { name: 'Pause' }).click();
    await row.getByText('Paused').waitFor();
  });
});

test('the dashboard keeps its layout; a role default is what a manager sees until they change it, and reset brings it back', async () => {
  await ok('PUT', '/api/v1/dashboard', { report_ids: [lib.revenue_by_month.id, lib.data_completeness.id] });
  const rev = 'Revenue by month';
  const comp = 'Data completeness by manager';
  await withPage(env, 'dashboard-layout', async (page) => {
    await signIn(page, env.srv, { hash: '#/reports/dashboard' });
    const widget = (name) => page.getByRole('region', { name, exact: true });
    await widget(rev).waitFor();
    // Keyboard: the resize button takes Enter.
    await page.getByRole('button', { name: `Make ${rev} wider` }).focus();
    await page.keyboard.press('Enter');
    await page.locator(`[data-widget="${lib.revenue_by_month.id}"][data-size="2x1"]`).waitFor();
    await page.getByRole('button', { name: `Move ${comp} earlier` }).click();
    await page.reload();
    await page.locator(`[data-widget="${lib.revenue_by_month.id}"][data-size="2x1"]`).waitFor();
    assert.deepEqual(await page.locator('[data-widget]').evaluateAll((xs) => xs.map((x) => Number(x.dataset.widget))),
                     [lib.data_completeness.id, lib.revenue_by_month.id], 'the stored order');
    const box = await widget(rev).boundingBox();
    const other = await widget(comp).boundingBox();
    assert.ok(box.width > other.width * 1.8, `the wide widget spans two columns (${box.width} vs ${other.width})`);
    await page.getByLabel('Default dashboard for').selectOption({ label: 'Manager' });
    await page.getByRole('button', { name: 'Save this layout as its default' }).click();
    await page.getByText('Saved as the default dashboard of Manager').waitFor();
  });
  await withPage(env, 'dashboard-role-default', async (page) => {
    await signIn(page, env.srv, { email: rita.email, password: rita.password, hash: '#/reports/dashboard' });
    await page.getByText("This is your role's default dashboard").waitFor();
    await page.locator(`[data-widget="${lib.revenue_by_month.id}"][data-size="2x1"]`).waitFor();
    assert.equal(await page.getByRole('button', { name: "Reset to my role's default" }).count(), 0);
    await page.getByRole('button', { name: `Make ${rev} taller` }).click();
    await page.locator(`[data-widget="${lib.revenue_by_month.id}"][data-size="2x2"]`).waitFor();
    await page.getByRole('button', { name: "Reset to my role's default" }).click();
    await page.getByText("Your dashboard is your role's default again").waitFor();
    await page.locator(`[data-widget="${lib.revenue_by_month.id}"][data-size="2x1"]`).waitFor();
  });
});
