// The audit log in the UI: an administrator changes a company's field, its History tab shows the
// change from → to with their name; the audit screen lists it, the action filter narrows the list,
// the CSV export downloads the same selection (and is itself logged), and the chain status says
// intact. A role without the audit right sees no History tab. Real server, real Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, create, otherBrowser, setup, signIn, SHOTS } from './helpers.mjs';

let env;
let admin; // the administrator's page, kept across the tests (they build on each other)
let co;

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true }).catch(() => {});
}

/** The action codes of the audit table's rows, top to bottom. */
const tableActions = (page) =>
  page.$$eval('table.audit-table tbody tr[data-action]', (rows) => rows.map((r) => r.getAttribute('data-action')));

before(async () => {
  env = await setup();
  co = await create(env.srv, 'companies', { name: 'Ledger & Sons', industry: 'Retail' });
  admin = await env.newPage();
  await signIn(admin, env.srv, { hash: `#/companies/${co.id}` });
});
after(async () => {
  await admin?.close().catch(() => {});
  await env?.close();
  assert.deepEqual(env?.pageErrors.map(String) ?? [], []);
});

test('an edit made in the UI shows in the record\'s History: who, when, the field from → to', async () => {
  const page = admin;
  await page.getByRole('heading', { name: 'Ledger & Sons', level: 1 }).waitFor();
  await page.getByRole('link', { name: 'Edit' }).click();
  await page.getByLabel('Industry').fill('Wholesale, "bulk" & more');
  const patch = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith(`/api/v1/companies/${co.id}`));
  await page.getByLabel('Industry').press('Enter');
  assert.equal((await patch).status(), 200);
  await page.locator('[data-field="industry"] dd', { hasText: 'Wholesale' }).waitFor();

  // Details | History are tabs; the arrow key moves to History and opens it.
  const details = page.getByRole('tab', { name: 'Details' });
  assert.equal(await details.getAttribute('aria-selected'), 'true');
  await details.focus();
  await page.keyboard.press('ArrowRight');
  const history = page.getByRole('tab', { name: 'History' });
  assert.equal(await history.getAttribute('aria-selected'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'History');
  assert.match(page.url(), /\?tab=history$/, 'the tab is in the address, so a reload keeps it');

  const entries = page.locator('.history-entry');
  await entries.first().waitFor();
  const update = page.locator('.history-entry[data-action="record.update"]');
  assert.equal(await update.locator('.history-who').textContent(), 'Ada Admin', 'the name from the directory');
  assert.equal(await update.locator('.history-what').textContent(), 'changed');
  const row = update.locator('tr[data-field="industry"]');
  assert.equal(await row.locator('th').textContent(), 'Industry', 'the field by its label');
  assert.equal(await row.locator('td.from').textContent(), 'Retail');
  assert.equal(await row.locator('td.to').textContent(), '→ Wholesale, "bulk" & more');
  // Newest first: the change, then the creation (with its values folded away).
  assert.deepEqual(await entries.evaluateAll((xs) => xs.map((x) => x.getAttribute('data-action'))), ['record.update', 'record.create']);
  const created = page.locator('.history-entry[data-action="record.create"]');
  assert.equal(await created.locator('.history-what').textContent(), 'created');
  await created.getByText('Values at creation').click();
  await created.locator('tr[data-field="name"] td', { hasText: 'Ledger & Sons' }).waitFor();
  await shot(page, 'audit-history');

  // A transfer reads "gave to <user>".
  const u = await api(env.srv, 'POST', '/api/v1/users', { email: 'gil@example.com', name: 'Gil Green', password: 'mossy granite window forty' });
  assert.equal(u.status, 201, u.text);
  assert.equal((await api(env.srv, 'POST', '/api/v1/companies/transfer', { ids: [co.id], to_user_id: u.body.id })).status, 200);
  await page.reload();
  await page.locator('.history-entry[data-action="record.transfer"] .history-what', { hasText: 'gave to Gil Green' }).waitFor();

  // An administrator goes from the history to the audit screen, filtered to this record.
  await page.getByRole('link', { name: 'Open in the audit log' }).click();
  await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
  await page.locator('[data-filter="record"]', { hasText: `Record #${co.id}` }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('table.audit-table tbody tr[data-action]').length === 3);
  assert.deepEqual(await tableActions(page), ['record.transfer', 'record.update', 'record.create']);
});

test('a contact\'s history: custom fields by their label, long values cut with the whole in a title, more on demand', async () => {
  const { srv } = env;
  const cf = await api(srv, 'POST', '/api/v1/custom-fields', { entity: 'contacts', name: 'segment', label: 'Segment', type: 'text' });
  assert.equal(cf.status, 201, cf.text);
  const c = await create(srv, 'contacts', { first_name: 'Hana', last_name: 'Mori' });
  const long = `${'A long note. '.repeat(12)}The end.`;
  for (let i = 1; i <= 23; i++) {
    const r = await api(srv, 'PATCH', `/api/v1/contacts/${c.id}`, { position: `Step ${i}` });
    assert.equal(r.status, 200, r.text);
  }
  assert.equal((await api(srv, 'PATCH', `/api/v1/contacts/${c.id}`, { custom: { segment: 'Enterprise' }, notes: long })).status, 200);
  const page = admin;
  await page.goto(`/#/contacts/${c.id}?tab=history`);
  await page.getByRole('heading', { name: 'Hana Mori', level: 1 }).waitFor();
  const entries = page.locator('.history-entry');
  await page.waitForFunction(() => document.querySelectorAll('.history-entry').length === 20);
  const top = entries.first();
  assert.equal(await top.locator('tr[data-field="custom.segment"] th').textContent(), 'Segment');
  assert.equal(await top.locator('tr[data-field="custom.segment"] td.to').textContent(), '→ Enterprise');
  const note = top.locator('tr[data-field="notes"] td.to');
  assert.match(await note.textContent(), /^→ A long note\..*…$/);
  assert.equal(await note.getAttribute('title'), long);
  // 25 entries (24 changes and the creation): 20, then the rest on demand.
  const more = page.getByRole('button', { name: 'Load more' });
  await more.click();
  await page.waitForFunction(() => document.querySelectorAll('.history-entry').length === 25);
  assert.equal(await more.count(), 0, 'nothing more to load');
  assert.equal(await entries.last().getAttribute('data-action'), 'record.create');
});

test('the audit screen lists the change, filters by action family, exports CSV and shows the chain intact', async () => {
  const page = admin;
  // The menu's link starts from the whole log again.
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
  await page.waitForFunction(() => document.querySelector('table.audit-table tbody tr[data-action="setting.custom_field_created"]'));
  assert.equal(await page.locator('[data-filter="record"]').count(), 0);
  await page.locator('[data-verify="ok"]', { hasText: /^Chain intact: \d+ entries, \d+ signed checkpoints/ }).waitFor();

  // The edit is there: who, what, a link to the company, a summary that expands to the JSON.
  const row = page.locator(`tr[data-action="record.update"]:has(a[href="#/companies/${co.id}"])`);
  await row.waitFor();
  assert.equal(await row.locator('td').nth(1).textContent(), 'Ada Admin');
  assert.equal(await row.locator('td').nth(2).textContent(), 'Record changed');
  assert.equal(await row.locator('td').nth(4).textContent(), '127.0.0.1');
  assert.match(await row.locator('.audit-summary').textContent(), /^Industry: Retail → Wholesale, "bulk" & more$/);
  const more = row.locator('.audit-detail button');
  assert.equal(await more.textContent(), 'Show all');
  await more.press('Enter');
  assert.equal(await more.getAttribute('aria-expanded'), 'true');
  assert.equal(await more.textContent(), 'Hide');
  const json = JSON.parse(await page.locator('pre.audit-json').first().textContent());
  assert.deepEqual(json.changes.industry, ['Retail', 'Wholesale, "bulk" & more']);
  const all = await tableActions(page);
  assert.ok(all.includes('user.create') && all.includes('record.update'), all.join());

  // The action family narrows the list (and the address keeps the filter).
  await page.getByLabel('Action').selectOption({ label: 'Sign-ins and sessions' });
  await page.waitForFunction(() => [...document.querySelectorAll('table.audit-table tbody tr[data-action]')]
    .every((r) => r.getAttribute('data-action').startsWith('auth.')));
  const auth = await tableActions(page);
  assert.ok(auth.length >= 1 && auth.length < all.length, `${auth.length} of ${all.length}`);
  assert.match(page.url(), /action=auth\./);
  await page.getByLabel('Action').selectOption({ label: 'Records' });
  await page.waitForFunction(() => [...document.querySelectorAll('table.audit-table tbody tr[data-action]')]
    .every((r) => r.getAttribute('data-action').startsWith('record.')));
  await page.getByLabel('Object').selectOption({ label: 'Companies' });
  await row.waitFor();
  await shot(page, 'audit-screen');

  // Export CSV: the same selection, downloaded with the session cookie.
  const link = page.getByRole('link', { name: 'Export CSV' });
  assert.equal(await link.getAttribute('href'), '/api/v1/audit/export?action=record.&entity=companies');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.match(download.suggestedFilename(), /^crm-audit-\d{8}T\d{6}Z\.csv$/);
  const csv = readFileSync(await download.path(), 'utf8');
  const lines = csv.split('\r\n');
  assert.equal(lines[0], 'id,at,actor_email,action,entity,record_id,address,agent,detail');
  const mine = lines.filter((l) => l.includes(`,record.update,companies,${co.id},`));
  assert.equal(mine.length, 1, csv);
  assert.match(mine[0], /,admin@example\.com,record\.update,companies,/);
  assert.ok(mine[0].includes('""industry"":[""Retail"",""Wholesale, \\""bulk\\"" & more""]'), mine[0]);
  assert.ok(lines.slice(1, -1).every((l) => /^\d+,[^,]+,[^,]*,record\.[a-z]+,companies,/.test(l)), 'only company record entries');
  assert.equal(lines.at(-1), '', 'every row ends with CRLF');

  // The export is in the log: choose the audit family and it is the newest entry.
  await page.getByLabel('Object').selectOption({ label: 'Anything' });
  await page.getByLabel('Action').selectOption({ label: 'Audit log' });
  await page.locator('tr[data-action="audit.export"]').first().waitFor();
  const exp = (await api(env.srv, 'GET', '/api/v1/audit?action=audit.export&limit=1')).body.data[0];
  assert.deepEqual(exp.detail.filters, { action: 'record.', entity: 'companies' });
  assert.equal(exp.actor_email, 'admin@example.com');
  assert.equal(exp.detail.rows, lines.length - 2);

  // Clear filters brings everything back, 50 at a time with more on demand.
  for (let i = 0; i < 40; i++) {
    assert.equal((await api(env.srv, 'PATCH', `/api/v1/companies/${co.id}`, { notes: `Note ${i}` })).status, 200);
  }
  const total = (await api(env.srv, 'GET', '/api/v1/audit?limit=500')).body.data.length;
  assert.ok(total > 50, `${total} entries`);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.waitForFunction(() => document.querySelectorAll('table.audit-table tbody tr[data-action]').length === 50 && document.querySelector('tr[data-action="audit.export"]'));
  await page.getByRole('button', { name: 'Load more' }).click();
  await page.waitForFunction((n) => document.querySelectorAll('table.audit-table tbody tr[data-action]').length === n, Math.min(total, 100));
  const ids = await page.$$eval('table.audit-table tbody tr[data-entry]', (rows) => rows.map((r) => Number(r.getAttribute('data-entry'))));
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first, no repeats');
  assert.equal(new Set(ids).size, ids.length);

  // The period is in local days, "to" included; a bad period is explained, not sent.
  const today = new Date().toISOString().slice(0, 10);
  await page.getByLabel('From').fill(today);
  await page.getByLabel('To (included)').fill(today);
  await page.waitForFunction(() => /from=/.test(location.hash) && document.querySelectorAll('table.audit-table tbody tr[data-action]').length === 50);
  await page.getByLabel('From').fill('2999-01-01');
  await page.getByLabel('To (included)').fill('2999-01-02');
  await page.getByText('No entries match these filters.').waitFor();
  await page.getByLabel('From').fill('2026-12-31');
  await page.getByLabel('To (included)').fill('2026-01-01');
  await page.getByText('“From” must not be after “To”.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Export CSV' }).isDisabled(), true);
});

test('the chain status turns red when the log was tampered with', async () => {
  const page = admin;
  // A direct database edit of an old entry, as someone with the file but not the key would make it.
  const { execFileSync } = await import('node:child_process');
  const { PG, pgSql } = await import('../lib/server.mjs');
  const sqlText = 'UPDATE audit_log SET detail = \'{"forged":true}\' WHERE id = 2';
  if (PG) pgSql(sqlText, env.srv.db);
  else execFileSync('sqlite3', [env.srv.db, sqlText]);
  await page.getByRole('button', { name: 'Check again' }).click();
  const banner = page.locator('[data-verify="broken"]');
  await banner.getByText('The audit log was tampered with').waitFor();
  await banner.getByText('entry 2 was changed: its content no longer matches its hash').waitFor();
  await shot(page, 'audit-tampered');
});

test('a role without the audit right sees no History tab', async () => {
  const role = await api(env.srv, 'POST', '/api/v1/roles', {
    name: 'Reader', perms: { companies: { read: 'all', audit: 'none' }, contacts: { read: 'all' } },
  });
  assert.equal(role.status, 201, role.text);
  const who = { email: 'rita@example.com', password: 'lantern pebble orchard ninety' };
  assert.equal((await api(env.srv, 'POST', '/api/v1/users', { ...who, name: 'Rita Reader', role_id: role.body.id })).status, 201);
  const other = await otherBrowser(env.srv);
  try {
    const page = await other.newPage();
    await signIn(page, env.srv, { ...who, hash: `#/companies/${co.id}?tab=history` });
    await page.getByRole('heading', { name: 'Ledger & Sons', level: 1 }).waitFor();
    await page.locator('[data-field="industry"]').waitFor();
    assert.equal(await page.getByRole('tab').count(), 0);
    assert.equal(await page.locator('.history-entry').count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Audit log' }).count(), 0, 'no audit screen in the menu');
  } finally {
    await other.close();
  }
});
