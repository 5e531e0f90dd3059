// Lists page by next_cursor, the layout holds on a phone, and a lost session leads back to sign-in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, create, LAPTOP, PHONE, rowCount, setup, signIn, SHOTS, withPage } from './helpers.mjs';

let env;
before(async () => {
  env = await setup();
  const { srv } = env;
  const industries = ['Retail', 'Logistics', 'Software', 'Banking'];
  const acme = await create(srv, 'companies', {
    name: 'Acme Corporation', industry: 'Manufacturing', source: 'referral', tags: ['vip'],
    website: 'https://acme.example', emails: ['hello@acme.example'], phones: ['+1 555 0100'],
  });
  for (let i = 1; i <= 30; i++) {
    await create(srv, 'companies', {
      name: `Company ${String(i).padStart(2, '0')}`, industry: industries[i % 4], source: i % 2 ? 'web' : 'fair',
      emails: [`info${i}@example.com`], phones: [`+49 30 1234 ${String(i).padStart(4, '0')}`], tags: i % 3 ? [] : ['partner'],
    });
  }
  await create(srv, 'contacts', {
    first_name: 'Мария', last_name: 'Иванова', position: 'Финансовый директор', company_id: acme.id,
    emails: ['maria@acme.example'], phones: ['+7 495 123-45-67'], tags: ['vip'],
  });
  await create(srv, 'contacts', { first_name: '太郎', last_name: '山田', position: '部長', company_id: acme.id });
  await create(srv, 'contacts', {
    first_name: 'Grace', last_name: 'Hopper', position: 'Rear Admiral', company_id: acme.id, source: 'web',
    emails: ['grace@acme.example', 'g.hopper@navy.example'], birthday: '1906-12-09',
  });
});
after(async () => {
  await env?.close();
});

test('Next and Previous page through a long list by cursor', async () => {
  await withPage(env, 'layout-paging', async (page) => {
    await signIn(page, env.srv, { hash: '#/companies?sort=name' });
    const rows = page.locator('table.data-table tbody tr');
    await page.getByRole('cell', { name: 'Acme Corporation' }).waitFor();
    assert.equal(await rows.count(), 25);
    const next = page.getByRole('button', { name: /Next/ });
    const prev = page.getByRole('button', { name: /Previous/ });
    assert.equal(await prev.isDisabled(), true);
    const p2 = page.waitForResponse((r) => r.url().includes('/api/v1/companies?') && r.url().includes('cursor='));
    await next.click();
    await p2;
    await page.getByText('Page 2').waitFor();
    await rowCount(page, 6);
    await page.getByRole('cell', { name: 'Company 30' }).waitFor();
    assert.equal(await next.isDisabled(), true);
    await prev.click();
    await page.getByText('Page 1').waitFor();
    await page.getByRole('cell', { name: 'Acme Corporation' }).waitFor();
    // The per-list search box narrows the list (q).
    const q = page.waitForResponse((r) => r.url().includes('q=Company+2'));
    await page.getByRole('searchbox', { name: 'Search companies…' }).fill('Company 2');
    await q;
    await rowCount(page, 10);
    await page.screenshot({ path: `${SHOTS}/laptop-companies.png` });
  });
});

test('laptop screens: contact view, edit form and custom fields', async () => {
  await withPage(env, 'laptop-contact-edit', async (page) => {
    await api(env.srv, 'POST', '/api/v1/custom-fields', { entity: 'contacts', name: 'segment', label: 'Segment', type: 'choice', options: ['Enterprise', 'SMB'] });
    await api(env.srv, 'POST', '/api/v1/custom-fields', { entity: 'contacts', name: 'budget', label: 'Budget', type: 'money' });
    await signIn(page, env.srv, { hash: '#/contacts' });
    await page.getByRole('cell', { name: 'Grace Hopper' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/laptop-contacts.png` });
    await page.getByRole('cell', { name: 'Grace Hopper' }).click();
    await page.getByRole('heading', { name: 'Grace Hopper', level: 1 }).waitFor();
    await page.screenshot({ path: `${SHOTS}/laptop-contact.png` });
    await page.goto('/#/settings/custom-fields?entity=contacts');
    await page.locator('tr[data-name="budget"]').waitFor();
    await page.screenshot({ path: `${SHOTS}/laptop-customfields.png` });
    await page.goto('/#/contacts');
    await page.getByRole('cell', { name: 'Grace Hopper' }).click();
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('region', { name: 'Custom fields' }).waitFor();
  }, LAPTOP);
});

test('on a phone the navigation is a top menu and tables scroll sideways', async () => {
  await withPage(env, 'phone-contacts', async (page) => {
    await signIn(page, env.srv, { hash: '#/companies' });
    await page.getByRole('cell', { name: 'Acme Corporation' }).waitFor();
    const nav = await page.locator('.sidebar').boundingBox();
    assert.ok(nav.y < 5 && nav.width >= PHONE.width - 1 && nav.height < 80, `top menu: ${JSON.stringify(nav)}`);
    // The page itself never scrolls sideways; the table does.
    const widths = await page.evaluate(() => ({
      doc: document.documentElement.scrollWidth,
      table: document.querySelector('.table-wrap').scrollWidth,
      wrap: document.querySelector('.table-wrap').clientWidth,
    }));
    assert.ok(widths.doc <= PHONE.width, `document ${widths.doc}px wide`);
    assert.ok(widths.table > widths.wrap, 'the table scrolls horizontally');
    await page.screenshot({ path: `${SHOTS}/phone-companies.png` });
    await page.getByRole('link', { name: 'Contacts', exact: true }).click();
    await page.getByRole('cell', { name: 'Grace Hopper' }).click();
    await page.getByRole('heading', { name: 'Grace Hopper', level: 1 }).waitFor();
    await page.screenshot({ path: `${SHOTS}/phone-contact.png` });
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('First name').waitFor();
    await page.screenshot({ path: `${SHOTS}/phone-contact-edit.png` });
    const doc = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(doc <= PHONE.width, `edit form ${doc}px wide`);
  }, PHONE);
});

test('a lost session leads back to the sign-in screen', async () => {
  await withPage(env, 'layout-session-lost', async (page) => {
    await signIn(page, env.srv, { hash: '#/contacts' });
    await page.getByRole('cell', { name: 'Grace Hopper' }).waitFor();
    await env.context.clearCookies();
    await page.getByRole('link', { name: 'Companies', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('Your session has ended').waitFor();
  });
});

test('the language menu switches the interface to Russian', async () => {
  await withPage(env, 'layout-russian', async (page) => {
    await signIn(page, env.srv, { hash: '#/contacts' });
    await page.getByRole('combobox', { name: 'Language' }).selectOption('ru');
    const nav = page.getByRole('navigation');
    await nav.getByRole('link', { name: 'Компании' }).waitFor();
    await page.getByRole('heading', { name: 'Контакты', level: 1 }).waitFor();
    // The trash link is in Russian too.
    await page.getByRole('link', { name: /Корзина/ }).waitFor();
    await page.getByRole('combobox', { name: 'Язык' }).selectOption('en');
    await nav.getByRole('link', { name: 'Companies' }).waitFor();
  });
});
