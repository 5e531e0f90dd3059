// The knowledge base: articles in Markdown rendered to sanitised HTML on the
// server (exact HTML for hostile inputs: script tags, javascript: and data:
// links, event-handler attributes), categories, search in any language,
// visibility (internal for the desk's staff, public for everyone signed in),
// administrators alone write, every write audited, and the quiz of a
// training article whose results the person and their department's head
// see, and a peer does not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { stopClean, req, assertProblem, assertInvalid, createOk, createToken } from '../lib/helpers.mjs';

let srv;
const users = {};   // key → {id, token}
let roles;
let dept;

const PASSWORD = 'saffron lighthouse quill 27';

async function addPerson(key, roleId, departmentId = 1) {
  const u = await createOk(srv, 'users', {
    email: `${key}@example.com`, name: `Person ${key}`, password: PASSWORD, department_id: departmentId, role_id: roleId,
  });
  users[key] = { id: u.id, token: createToken(srv, u.email, key) };
}

const article = (body) => createOk(srv, 'kb/articles', body);
const html = async (md) => (await article({ title: `T ${Math.random()}`, body: md, visibility: 'public' })).body_html;

before(async () => {
  srv = await startServer();
  roles = Object.fromEntries((await req(srv, 'GET', '/api/v1/roles')).body.data.map((r) => [r.builtin, r]));
  const none = { create: 'none', read: 'none', update: 'none', delete: 'none', export: 'none', import: 'none', assign: 'none', audit: 'none' };
  const noDesk = await createOk(srv, 'roles', { name: 'Sales only', perms: { '*': { ...none, read: 'all' }, tickets: none } });
  dept = await createOk(srv, 'departments', { name: 'Support', kind: 'department', parent_id: 1 });
  await addPerson('agent', roles.support.id, dept.id);
  await addPerson('peer', roles.support.id, dept.id);
  await addPerson('head', roles.head.id, 1);
  await addPerson('sales', noDesk.id);
  const r = await req(srv, 'PATCH', `/api/v1/departments/${dept.id}`, { body: { heads: [users.head.id] } });
  assert.equal(r.status, 200, r.text);
});
after(async () => { await stopClean(srv); });

test('Markdown becomes HTML: emphasis, lists, links and code', async () => {
  assert.equal(await html('**bold** and _it_'), '<p><strong>bold</strong> and <em>it</em></p>\n');
  assert.equal(await html('- one\n- two'), '<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n');
  assert.equal(await html('[docs](https://example.com/a?b=1&c=2)'), '<p><a href="https://example.com/a?b=1&amp;c=2">docs</a></p>\n');
  assert.equal(await html('`<b>` in code'), '<p><code>&lt;b&gt;</code> in code</p>\n');
});

test('hostile Markdown comes out as harmless HTML, exactly', async () => {
  const cases = [
    ['<script>alert(1)</script>', '<!-- raw HTML omitted -->\n'],
    ['hi <script>alert(1)</script> there', '<p>hi <!-- raw HTML omitted -->alert(1)<!-- raw HTML omitted --> there</p>\n'],
    ['<img src=x onerror="alert(1)">', '<!-- raw HTML omitted -->\n'],
    ['text <img src=x onerror=alert(1)> more', '<p>text <!-- raw HTML omitted --> more</p>\n'],
    ['<a href="javascript:alert(1)">x</a>', '<p><!-- raw HTML omitted -->x<!-- raw HTML omitted --></p>\n'],
    ['[click](javascript:alert(1))', '<p><a href="">click</a></p>\n'],
    ['[click](JaVaScRiPt:alert(1))', '<p><a href="">click</a></p>\n'],
    ['[click](vbscript:msgbox(1))', '<p><a href="">click</a></p>\n'],
    ['[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)', '<p><a href="">click</a></p>\n'],
    ['![pic](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)', '<p><img src="" alt="pic" /></p>\n'],
    ['![x" onerror="alert(1)](https://example.com/a.png)', '<p><img src="https://example.com/a.png" alt="x&quot; onerror=&quot;alert(1)" /></p>\n'],
    ['[x](https://example.com/"onmouseover="alert(1))', '<p><a href="https://example.com/%22onmouseover=%22alert(1)">x</a></p>\n'],
    ['<div onclick="alert(1)">block</div>', '<!-- raw HTML omitted -->\n'],
    ['<iframe src="https://evil.example"></iframe>', '<!-- raw HTML omitted -->\n'],
  ];
  for (const [md, want] of cases) assert.equal(await html(md), want, md);
});

test('the HTML is the server\'s: a body_html sent with the article is ignored', async () => {
  const a = await article({ title: 'Override attempt', body: 'plain', body_html: '<script>alert(1)</script>', visibility: 'public' });
  assert.equal(a.body_html, '<p>plain</p>\n');
  const r = await req(srv, 'PATCH', `/api/v1/kb/articles/${a.id}`, { body: { body_html: '<script>alert(2)</script>' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.body_html, '<p>plain</p>\n');
  assert.equal(r.body.search_text, undefined, 'the search text is not handed out');
});

test('bad articles are refused field by field', async () => {
  assertInvalid(await req(srv, 'POST', '/api/v1/kb/articles', { body: { body: 'x' } }), ['title']);
  assertInvalid(await req(srv, 'POST', '/api/v1/kb/articles', { body: { title: 'No body' } }), ['body']);
  assertInvalid(await req(srv, 'POST', '/api/v1/kb/articles', { body: { title: 'V', body: 'x', visibility: 'secret' } }), ['visibility']);
  assertInvalid(await req(srv, 'POST', '/api/v1/kb/articles', { body: { title: 'C', body: 'x', category_id: 999999 } }), ['category_id']);
  assertInvalid(await req(srv, 'POST', '/api/v1/kb/articles', { body: { title: 'Q', body: 'x', quiz: [{ question: 'Why?', choices: ['only one'], answer: 0 }] } }), ['quiz[0]']);
  assertInvalid(await req(srv, 'POST', '/api/v1/kb/articles', { body: { title: 'Q2', body: 'x', quiz: [{ question: 'Why?', choices: ['a', 'b'], answer: 2 }] } }), ['quiz[0]']);
  assertInvalid(await req(srv, 'POST', '/api/v1/kb/articles', { body: { title: 'U', body: 'x', author: 'me' } }), ['author']);
  const dup = await req(srv, 'POST', '/api/v1/kb/articles', { body: { title: 'Override attempt', body: 'again' } });
  assertProblem(dup, 409);
});

test('search finds words in any language, folding case, every word required', async () => {
  const cat = await createOk(srv, 'kb/categories', { name: 'Billing' });
  const en = await article({ title: 'Refund policy', body: 'How to REFUND a customer within 30 days.', visibility: 'public', category_id: cat.id });
  const ru = await article({ title: 'Возврат средств', body: 'Оформите ВОЗВРАТ через бухгалтерию.', visibility: 'public', category_id: cat.id });
  const ja = await article({ title: '返金の手順', body: '返金は経理部で処理します。', visibility: 'public' });
  const ids = async (q, extra = '') => (await req(srv, 'GET', `/api/v1/kb/articles?q=${encodeURIComponent(q)}${extra}`)).body.data.map((a) => a.id);
  assert.deepEqual(await ids('refund'), [en.id]);
  assert.deepEqual(await ids('Refund 30'), [en.id]);
  assert.deepEqual(await ids('refund 31'), []);
  assert.deepEqual(await ids('возврат'), [ru.id]);
  assert.deepEqual(await ids('ВОЗВРАТ бухгалтерию'), [ru.id]);
  assert.deepEqual(await ids('返金'), [ja.id]);
  assert.deepEqual(await ids('経理'), [ja.id]);
  // LIKE's own characters are searched for, not obeyed.
  assert.deepEqual(await ids('ref_nd'), []);
  assert.deepEqual(await ids('ref%d'), []);
  assert.deepEqual((await ids('', `&category_id=${cat.id}`)).sort(), [en.id, ru.id].sort());
  assertProblem(await req(srv, 'GET', '/api/v1/kb/articles?sort=title'), 400);
  assertProblem(await req(srv, 'GET', '/api/v1/kb/articles?category_id=abc'), 400);
  assertProblem(await req(srv, 'GET', `/api/v1/kb/articles?q=${'x'.repeat(300)}`), 400);
  // A category with articles is not deleted.
  assertProblem(await req(srv, 'DELETE', `/api/v1/kb/categories/${cat.id}`), 409);
});

test('internal articles are for the desk\'s staff; public ones for everyone signed in', async () => {
  const inside = await article({ title: 'Escalation phone numbers', body: 'Call the night shift.', visibility: 'internal' });
  const open = await article({ title: 'Opening hours', body: 'We work nine to five.', visibility: 'public' });
  const listed = async (auth) => (await req(srv, 'GET', '/api/v1/kb/articles', { auth })).body.data.map((a) => a.id);

  assert.ok((await listed(users.agent.token)).includes(inside.id), 'an agent reads internal articles');
  const r = await req(srv, 'GET', `/api/v1/kb/articles/${inside.id}`, { auth: users.agent.token });
  assert.equal(r.status, 200);
  assert.equal(r.body.body_html, '<p>Call the night shift.</p>\n');

  const sales = await listed(users.sales.token);
  assert.ok(sales.includes(open.id));
  assert.ok(!sales.includes(inside.id), 'no internal article in the list without the desk');
  assertProblem(await req(srv, 'GET', `/api/v1/kb/articles/${inside.id}`, { auth: users.sales.token }), 404);
  assert.equal((await req(srv, 'GET', `/api/v1/kb/articles/${open.id}`, { auth: users.sales.token })).status, 200);
  assert.deepEqual((await req(srv, 'GET', '/api/v1/kb/articles?q=night', { auth: users.sales.token })).body.data, []);

  assertProblem(await req(srv, 'GET', '/api/v1/kb/articles', { auth: 'not-a-token' }), 401);
});

test('only administrators write articles and categories, and every write is audited', async () => {
  const a = await article({ title: 'Audited article', body: 'v1', visibility: 'public' });
  for (const who of ['agent', 'head', 'sales']) {
    const auth = users[who].token;
    assertProblem(await req(srv, 'POST', '/api/v1/kb/articles', { body: { title: `By ${who}`, body: 'x' }, auth }), 403);
    assertProblem(await req(srv, 'PATCH', `/api/v1/kb/articles/${a.id}`, { body: { body: 'changed' }, auth }), 403);
    assertProblem(await req(srv, 'DELETE', `/api/v1/kb/articles/${a.id}`, { auth }), 403);
    assertProblem(await req(srv, 'POST', '/api/v1/kb/categories', { body: { name: `By ${who}` }, auth }), 403);
  }
  assert.equal((await req(srv, 'GET', `/api/v1/kb/articles/${a.id}`)).body.body, 'v1');
  const p = await req(srv, 'PATCH', `/api/v1/kb/articles/${a.id}`, { body: { body: 'v2' } });
  assert.equal(p.status, 200, p.text);
  assert.equal((await req(srv, 'DELETE', `/api/v1/kb/articles/${a.id}`)).status, 204);
  assertProblem(await req(srv, 'GET', `/api/v1/kb/articles/${a.id}`), 404);
  const log = (await req(srv, 'GET', `/api/v1/audit?entity=kb_articles&record_id=${a.id}`)).body.data.map((e) => e.action).sort();
  assert.deepEqual(log, ['kb_articles.create', 'kb_articles.delete', 'kb_articles.update']);
});

test('a training quiz: answers hidden from readers, scores kept, the head sees the department and a peer does not', async () => {
  const quiz = [
    { question: 'How many days for a refund?', choices: ['7', '30', '90'], answer: 1 },
    { question: 'Who approves a refund?', choices: ['Accounting', 'The client'], answer: 0 },
  ];
  const a = await article({ title: 'Refund training', body: 'Read and answer.', visibility: 'internal', quiz });
  assert.deepEqual(a.quiz, quiz, 'the administrator sees the answers');
  const seen = (await req(srv, 'GET', `/api/v1/kb/articles/${a.id}`, { auth: users.agent.token })).body;
  assert.deepEqual(seen.quiz, quiz.map(({ question, choices }) => ({ question, choices })), 'a reader gets no answers');

  const take = (who, answers) => req(srv, 'POST', `/api/v1/kb/articles/${a.id}/quiz`, { body: { answers }, auth: users[who].token });
  const mine = await take('agent', [1, 1]);
  assert.equal(mine.status, 201, mine.text);
  assert.deepEqual(mine.body, { score: 1, total: 2, correct: [true, false] });
  assert.equal((await take('peer', [1, 0])).body.score, 2);
  assertInvalid(await take('agent', [1]), ['answers']);
  assertInvalid(await take('agent', [1, 5]), ['answers']);
  assertInvalid(await take('agent', ['1', 0]), ['answers']);
  // Someone who may not read the internal article cannot take its quiz.
  assertProblem(await take('sales', [1, 0]), 404);

  const results = async (who) => (await req(srv, 'GET', `/api/v1/kb/articles/${a.id}/quiz-results`, { auth: users[who].token })).body.data.map((r) => [r.name, r.score]);
  assert.deepEqual(await results('agent'), [['Person agent', 1]], 'one\'s own only');
  assert.deepEqual(await results('peer'), [['Person peer', 2]], 'a peer does not see a colleague');
  assert.deepEqual(await results('head'), [['Person agent', 1], ['Person peer', 2]], 'the head sees the department');
  const all = (await req(srv, 'GET', `/api/v1/kb/articles/${a.id}/quiz-results`)).body.data;
  assert.equal(all.length, 2);
  assert.deepEqual(all[0].answers, [1, 1]);

  const plain = await article({ title: 'No quiz here', body: 'x', visibility: 'public' });
  assertProblem(await req(srv, 'POST', `/api/v1/kb/articles/${plain.id}/quiz`, { body: { answers: [] }, auth: users.agent.token }), 404);
  const log = (await req(srv, 'GET', `/api/v1/audit?action=kb_articles.quiz&record_id=${a.id}`)).body.data;
  assert.equal(log.length, 2);
});
