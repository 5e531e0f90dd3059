// The knowledge base in the browser: an administrator writes an article in Markdown and reads
// it back rendered (hostile HTML in it never becomes an element, never runs); someone without the
// service desk reads public articles and not internal ones; a training quiz is taken and scored;
// a ticket reply links an article.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, create, idFromUrl, setup, signIn, withPage } from './helpers.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

const PASSWORD = 'saffron lighthouse quill 27';

test('an article is written in Markdown and read back rendered, hostile HTML dropped', async () => {
  await withPage(env, 'kb-write-read', async (page) => {
    const { srv } = env;
    // The category first, on its admin screen.
    await signIn(page, srv, { hash: '#/admin/kb-categories' });
    await page.getByRole('heading', { name: 'Knowledge base categories' }).waitFor();
    await page.getByRole('button', { name: 'Add' }).click();
    const form = page.getByRole('form', { name: 'Knowledge base categories' });
    await form.getByLabel('Name').fill('Printers');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.locator('table.desk-admin-table th', { hasText: 'Printers' }).waitFor();
    await page.goto('/#/kb');
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Knowledge base' }).waitFor();
    await page.getByRole('link', { name: 'New article' }).click();
    await page.getByLabel('Title').fill('Clearing a paper jam');
    await page.getByLabel('Category').selectOption({ label: 'Printers' });
    await page.getByLabel('Who may read it').selectOption('public');
    await page.getByLabel('Text (Markdown)').fill(
      [
        'Open the **front door** first.',
        '',
        '- pull the tray',
        '- remove the paper',
        '',
        '<img src=x onerror="window.__pwned=1">',
        '',
        '[Vendor manual](https://example.com/manual) and [bad](javascript:window.__pwned=2)',
      ].join('\n'),
    );
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('h1.kb-title', { hasText: 'Clearing a paper jam' }).waitFor();
    const id = idFromUrl(page, 'kb');
    assert.ok(id > 0);
    const body = page.locator('.kb-body');
    assert.equal(await body.locator('strong').innerText(), 'front door');
    assert.deepEqual(await body.locator('li').allInnerTexts(), ['pull the tray', 'remove the paper']);
    assert.equal(await body.locator('a[href="https://example.com/manual"]').innerText(), 'Vendor manual');
    // The unsafe link keeps its text and loses its address; the raw <img> is gone.
    assert.equal(await body.locator('a', { hasText: 'bad' }).getAttribute('href'), null);
    assert.equal(await body.locator('img').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    const saved = (await api(srv, 'GET', `/api/v1/kb/articles/${id}`)).body;
    assert.equal(saved.visibility, 'public');
    assert.match(saved.body_html, /<!-- raw HTML omitted -->/);

    // Found by the search box, in the list.
    await page.getByRole('link', { name: 'Knowledge base' }).first().click();
    await page.getByLabel('Search articles').fill('PAPER jam');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.locator(`.kb-list li[data-id="${id}"]`).waitFor();
    await page.getByLabel('Search articles').fill('toner');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByText('No articles found.').waitFor();
  });
});

test('without the service desk, public articles are read and internal ones are not there', async () => {
  await withPage(env, 'kb-visibility', async (page) => {
    const { srv } = env;
    const open = await create(srv, 'kb/articles', { title: 'Office hours', body: 'Nine to five.', visibility: 'public' });
    const inside = await create(srv, 'kb/articles', { title: 'Night shift phone', body: 'Secret number.', visibility: 'internal' });
    const none = { create: 'none', read: 'none', update: 'none', delete: 'none', export: 'none', import: 'none', assign: 'none', audit: 'none' };
    const role = await create(srv, 'roles', { name: 'Sales, no desk', perms: { '*': { ...none, read: 'all' }, tickets: none } });
    await create(srv, 'users', { email: 'seller@example.com', name: 'Seller', password: PASSWORD, department_id: 1, role_id: role.id });
    await signIn(page, srv, { email: 'seller@example.com', password: PASSWORD, hash: '#/kb' });
    await page.locator(`.kb-list li[data-id="${open.id}"]`).waitFor();
    assert.equal(await page.locator(`.kb-list li[data-id="${inside.id}"]`).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'New article' }).count(), 0, 'no writing without admin');
    await page.goto(`/#/kb/${inside.id}`);
    await page.getByRole('alert').waitFor();
    assert.equal(await page.locator('.kb-body').count(), 0);
  });
});

test('a training quiz is taken and scored, and the result is listed', async () => {
  await withPage(env, 'kb-quiz', async (page) => {
    const { srv } = env;
    const a = await create(srv, 'kb/articles', {
      title: 'Greeting training',
      body: 'Say hello first.',
      visibility: 'internal',
      quiz: [
        { question: 'What comes first?', choices: ['The price', 'Hello'], answer: 1 },
        { question: 'Is shouting fine?', choices: ['Yes', 'No'], answer: 1 },
      ],
    });
    await signIn(page, srv, { hash: `#/kb/${a.id}` });
    await page.getByRole('group', { name: 'What comes first?' }).getByLabel('Hello').check();
    await page.getByRole('group', { name: 'Is shouting fine?' }).getByLabel('Yes').check();
    await page.getByRole('button', { name: 'Send answers' }).click();
    await page.locator('.kb-score', { hasText: 'Your score: 1 of 2' }).waitFor();
    // Each question shows whether it was answered right.
    assert.deepEqual(await page.locator('fieldset.kb-q').evaluateAll((fs) => fs.map((f) => f.className)), ['kb-q right', 'kb-q wrong']);
    await page.locator('.kb-results tbody tr').waitFor();
    assert.match(await page.locator('.kb-results tbody tr').innerText(), /1 \/ 2/);
    const r = (await api(srv, 'GET', `/api/v1/kb/articles/${a.id}/quiz-results`)).body.data;
    assert.deepEqual(r.map((x) => [x.score, x.total, x.answers]), [[1, 2, [1, 0]]]);
  });
});

test('a ticket reply links a public article', async () => {
  await withPage(env, 'kb-reply-link', async (page) => {
    const { srv } = env;
    const art = await create(srv, 'kb/articles', { title: 'Reset your password', body: 'Use the link.', visibility: 'public' });
    await create(srv, 'kb/articles', { title: 'Staff-only reset trick', body: 'x', visibility: 'internal' });
    const tk = await create(srv, 'tickets', { subject: 'Cannot sign in' });
    await signIn(page, srv, { hash: `#/tickets/${tk.id}` });
    const pick = page.getByLabel('Knowledge base article');
    await pick.locator('option', { hasText: 'Reset your password' }).waitFor({ state: 'attached' });
    // A public reply offers public articles only.
    assert.equal(await pick.locator('option', { hasText: 'Staff-only reset trick' }).count(), 0);
    await pick.selectOption({ label: 'Reset your password' });
    const box = page.getByLabel('Reply to the client');
    await page.waitForFunction(() => document.querySelector('.reply-body textarea')?.value.includes('#/kb/'));
    assert.equal(await box.inputValue(), `Reset your password: ${srv.url}/#/kb/${art.id}`);
  });
});
