// Search in any language: /api/v1/search and ?q= on lists.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { stopClean, req, createOk, listAll } from '../lib/helpers.mjs';

let srv;
const C = {}; // fixtures by key

before(async () => {
  srv = await startServer();
  C.romashka = await createOk(srv, 'companies', { name: 'ООО Ромашка', tax_id: '7707083893', phones: ['+7 (812) 555-01-02'] });
  C.globex = await createOk(srv, 'companies', { name: 'Globex Corporation', tax_id: 'DE811569869', emails: ['office@globex.example'] });
  C.ivanov = await createOk(srv, 'contacts', {
    first_name: 'Иван', last_name: 'Иванов', company_id: C.romashka.id,
    emails: ['ivan.ivanov@romashka.example'], phones: ['+7 (495) 123-45-67'],
  });
  C.ivanova = await createOk(srv, 'contacts', { first_name: 'Мария', last_name: 'Иванова' });
  C.petrov = await createOk(srv, 'contacts', { first_name: 'Пётр', last_name: 'Петров', phones: ['+7 (916) 765-43-21'] });
  C.yamada = await createOk(srv, 'contacts', { first_name: '太郎', last_name: '山田' });
  C.tanaka = await createOk(srv, 'contacts', { first_name: '花子', last_name: '田中' });
  C.mueller = await createOk(srv, 'contacts', { first_name: 'Jürgen', last_name: 'Müller' });
  C.smith = await createOk(srv, 'contacts', { first_name: 'John', last_name: 'Smith', emails: ['john.smith@globex.example'], company_id: C.globex.id });
  C.stroy = await createOk(srv, 'companies', { name: 'Stroy' });
  C.eurostroy = await createOk(srv, 'companies', { name: 'Eurostroy' });
  C.megastroy = await createOk(srv, 'companies', { name: 'Megastroy Group' });
  C.stroymaster = await createOk(srv, 'companies', { name: 'Stroymaster' });
  C.gone = await createOk(srv, 'contacts', { first_name: 'Xavier', last_name: 'Quuxleton', emails: ['xq@gone.example'], phones: ['+1 202 555 0199'] });
  C.goneCo = await createOk(srv, 'companies', { name: 'Quuxleton Holdings', tax_id: '999888777' });
});
after(async () => { await stopClean(srv); });

const TYPE = { ivanov: 'contact', ivanova: 'contact', petrov: 'contact', yamada: 'contact', tanaka: 'contact',
  mueller: 'contact', smith: 'contact', gone: 'contact', romashka: 'company', globex: 'company', stroy: 'company',
  eurostroy: 'company', megastroy: 'company', stroymaster: 'company', goneCo: 'company' };
const key = (hit) => `${hit.type}:${hit.id}`;
const keyOf = (k) => `${TYPE[k]}:${C[k].id}`;

async function search(q, extra = '') {
  const r = await req(srv, 'GET', `/api/v1/search?q=${encodeURIComponent(q)}${extra}`);
  assert.equal(r.status, 200, `search ${q}: ${r.text}`);
  assert.ok(Array.isArray(r.body.data), r.text);
  return r.body.data;
}

// Asserts /search and the entity's list both find fixture `k` for query q.
async function finds(q, k) {
  const hits = await search(q);
  assert.ok(hits.map(key).includes(keyOf(k)), `search "${q}" should find ${k}: ${JSON.stringify(hits)}`);
  const collection = TYPE[k] === 'contact' ? 'contacts' : 'companies';
  const listed = await listAll(srv, collection, `q=${encodeURIComponent(q)}`);
  assert.ok(listed.some((x) => x.id === C[k].id), `${collection}?q=${q} should find ${k}: ${JSON.stringify(listed.map((x) => x.id))}`);
}

async function misses(q, k) {
  const hits = await search(q);
  assert.ok(!hits.map(key).includes(keyOf(k)), `search "${q}" should not find ${k}: ${JSON.stringify(hits)}`);
  const collection = TYPE[k] === 'contact' ? 'contacts' : 'companies';
  const listed = await listAll(srv, collection, `q=${encodeURIComponent(q)}`);
  assert.ok(!listed.some((x) => x.id === C[k].id), `${collection}?q=${q} should not find ${k}`);
}

test('search hits have a type, an id, and a readable title', async () => {
  const hits = await search('Иванов');
  const h = hits.find((x) => key(x) === keyOf('ivanov'));
  assert.ok(h, JSON.stringify(hits));
  assert.equal(typeof h.title, 'string');
  assert.ok(h.title.includes('Иванов') && h.title.includes('Иван'), `title: ${h.title}`);
  const co = (await search('Ромашка')).find((x) => key(x) === keyOf('romashka'));
  assert.ok(co, 'companies are found too');
  assert.equal(co.title, 'ООО Ромашка');
});

test('Russian: any part of a name, in any case', async () => {
  await finds('иван', 'ivanov');
  await finds('иван', 'ivanova');
  await finds('ИВАНОВ', 'ivanov');
  await finds('Иванов', 'ivanova');
  await finds('ванов', 'ivanov');
  await finds('ромашка', 'romashka');
  await finds('пётр', 'petrov');
  await misses('иванова', 'ivanov');
});

test('one and two characters match the start of a word', async () => {
  await finds('ив', 'ivanov');
  await finds('И', 'ivanova');
  await finds('sm', 'smith');
  await finds('j', 'smith');
  await finds('mü', 'mueller');
});

test('Japanese: a two-character surname, and one character as a prefix', async () => {
  await finds('山田', 'yamada');
  await finds('太郎', 'yamada');
  await finds('山', 'yamada');
  await finds('田中', 'tanaka');
  await finds('田', 'tanaka');
  await misses('山田', 'tanaka');
});

test('German: umlauts match in any case', async () => {
  await finds('müller', 'mueller');
  await finds('MÜLLER', 'mueller');
  await finds('Müll', 'mueller');
  await finds('jürgen', 'mueller');
});

test('Latin: any part of a name, in any case', async () => {
  await finds('smith', 'smith');
  await finds('SMITH', 'smith');
  await finds('mit', 'smith');
  await finds('glob', 'globex');
  await finds('corporation', 'globex');
  await misses('smythe', 'smith');
});

test('a first and last name typed together find the person', async () => {
  await finds('Иван Иванов', 'ivanov');
  await finds('John Smith', 'smith');
  await finds('山田 太郎', 'yamada');
});

test('by email, whole or a fragment', async () => {
  await finds('john.smith@globex.example', 'smith');
  await finds('john.smith', 'smith');
  await finds('globex.example', 'smith');
  await finds('ivan.ivanov@', 'ivanov');
  await finds('office@globex', 'globex');
});

test('by tax id, whole or a prefix', async () => {
  await finds('7707083893', 'romashka');
  await finds('770708', 'romashka');
  await finds('DE811569869', 'globex');
  await finds('de811569869', 'globex');
});

test('by phone, typed any way', async () => {
  for (const q of ['4951234567', '+74951234567', '+7 (495) 123-45-67', '7 495 123 45 67', '495 123', '123-45', '(495)']) {
    await finds(q, 'ivanov');
  }
  await finds('8125550102', 'romashka');
  await finds('555-01-02', 'romashka');
  await misses('4951234568', 'ivanov');
});

test('exact and prefix matches rank before matches inside words', async () => {
  const hits = (await search('stroy')).map(key);
  const pos = (k) => {
    const i = hits.indexOf(keyOf(k));
    assert.ok(i >= 0, `"stroy" finds ${k}: ${hits}`);
    return i;
  };
  const front = Math.max(pos('stroy'), pos('stroymaster'));
  const back = Math.min(pos('eurostroy'), pos('megastroy'));
  assert.ok(front < back, `Stroy, Stroymaster before Eurostroy, Megastroy Group: ${hits}`);
  const iv = (await search('ванов')).map(key);
  assert.ok(iv.includes(keyOf('ivanov')), 'substring match in Cyrillic');
});

test('an exact match ranks before longer names that merely start with the query', async () => {
  const hits = (await search('stroy')).map(key);
  assert.equal(hits[0], keyOf('stroy'), `"Stroy" first for "stroy": ${hits}`);
  const iv = (await search('иванов')).map(key);
  assert.ok(iv.indexOf(keyOf('ivanov')) < iv.indexOf(keyOf('ivanova')), `"Иванов" before "Иванова" for "иванов": ${iv}`);
});

test('limit caps the number of hits', async () => {
  const hits = await search('stroy', '&limit=2');
  assert.equal(hits.length, 2);
  assert.equal((await search('stroy', '&limit=20')).length, 4);
});

test('deleted records are not found, restored ones are', async () => {
  await finds('Quuxleton', 'gone');
  await finds('Quuxleton', 'goneCo');
  assert.equal((await req(srv, 'DELETE', `/api/v1/contacts/${C.gone.id}`)).status, 204);
  assert.equal((await req(srv, 'DELETE', `/api/v1/companies/${C.goneCo.id}`)).status, 204);
  for (const q of ['Quuxleton', 'quux', 'Xavier', 'xq@gone.example', '2025550199']) await misses(q, 'gone');
  for (const q of ['Quuxleton', '999888777']) await misses(q, 'goneCo');
  assert.equal((await req(srv, 'POST', `/api/v1/contacts/${C.gone.id}/restore`)).status, 200);
  await finds('Quuxleton', 'gone');
});

test('search follows edits: the new name is found, the old one is not', async () => {
  const c = await createOk(srv, 'contacts', { first_name: 'Oldfirst', last_name: 'Renameme' });
  C.renamed = c;
  TYPE.renamed = 'contact';
  await finds('Renameme', 'renamed');
  const p = await req(srv, 'PATCH', `/api/v1/contacts/${c.id}`, { body: { last_name: 'Newsurname' }, headers: { 'If-Match': '"1"' } });
  assert.equal(p.status, 200, p.text);
  await finds('Newsurname', 'renamed');
  await misses('Renameme', 'renamed');
});

test('an empty or missing q is a 400 on /search, and a no-op on lists', async () => {
  for (const qs of ['', '?q=', '?q=%20%20']) {
    const r = await req(srv, 'GET', `/api/v1/search${qs}`);
    assert.ok(r.status === 400 || (r.status === 200 && Array.isArray(r.body.data)), `/search${qs} → ${r.status}`);
  }
  const all = await listAll(srv, 'contacts');
  const blank = await listAll(srv, 'contacts', 'q=');
  assert.deepEqual(blank.map((x) => x.id), all.map((x) => x.id));
});

test('LIKE and FTS syntax in q is taken literally', async () => {
  for (const q of ['%', '_', '*', '"', 'OR', 'NEAR(a b)', "'", 'иван*', 'a AND b', '^', '-smith']) {
    const r = await req(srv, 'GET', `/api/v1/search?q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, `q=${q}: ${r.status} ${r.text}`);
  }
  const pct = await search('%');
  assert.deepEqual(pct, [], '"%" matches nothing (no record has a % in it)');
  const us = await listAll(srv, 'contacts', 'q=_');
  assert.deepEqual(us, [], '"_" matches nothing');
});

test('a CJK name typed as one word, family name first, is found', async () => {
  const hits = (await search('山田太郎')).map(key);
  assert.equal(hits[0], keyOf('yamada'), `"山田太郎" finds 山田 太郎: ${hits}`);
  const list = await listAll(srv, 'contacts', `q=${encodeURIComponent('田中花子')}`);
  assert.deepEqual(list.map((c) => c.id), [C.tanaka.id]);
});
