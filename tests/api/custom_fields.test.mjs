// Typed custom fields: who may define them, each type's valid and invalid values.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import {
  stopClean, req, assertProblem, assertInvalid, createOk, snapshot, addUser, createToken, digits,
} from '../lib/helpers.mjs';

let srv;
let bobToken;
const defs = {}; // type → definition as created

before(async () => {
  srv = await startServer();
  addUser(srv, 'bob@example.com', 'quiet river lamp 123', { name: 'Bob' });
  bobToken = createToken(srv, 'bob@example.com');
});
after(async () => { await stopClean(srv); });

const TYPES = ['text', 'long_text', 'integer', 'decimal', 'money', 'percent', 'date', 'datetime',
               'email', 'phone', 'url', 'choice', 'multichoice', 'boolean'];
const OPTIONS = { choice: ['A', 'B', 'C'], multichoice: ['red', 'green', 'blue'] };

const VALID = {
  text: ['Привет 🌍 日本', 'Ж'.repeat(1000), 'x'],
  long_text: ['Строка\nzwei Zeilen ü', 'ü'.repeat(100000)],
  integer: [42, -7, 0, 2147483648],
  decimal: ['-12.345', '0', '1000000.01'],
  money: [{ amount: 12345, currency: 'EUR' }, { amount: 500, currency: 'RUB' }, { amount: 0, currency: 'JPY' }],
  percent: ['15.5', '100', '0.25'],
  date: ['2026-11-26', '2024-02-29'],
  datetime: ['2026-11-26T17:20:00Z', '2026-11-26T17:20:00.123Z', '2026-11-26T20:20:00+03:00'],
  email: ['anna@example.com'],
  phone: ['+49 30 1234567', '+7 (495) 123-45-67'],
  url: ['https://example.com/a?b=c', 'http://intranet.example:8080/'],
  choice: ['B'],
  multichoice: [['red', 'blue'], ['green'], []],
  boolean: [true, false],
};

const INVALID = {
  text: [5, 'x'.repeat(1001), ['a'], { a: 1 }],
  long_text: ['x'.repeat(100001), {}],
  integer: ['42', 1.5, true, [1]],
  decimal: ['abc', 12.5, '1.2.3', '1,5', 'NaN'],
  money: [{ amount: 12.5, currency: 'EUR' }, { amount: 100, currency: 'euro' }, { amount: 100 },
          100, { amount: '100', currency: 'EUR' }, { amount: 100, currency: 'EUR', extra: 1 }, { currency: 'EUR' }],
  percent: ['abc', 15.5, '15.5%'],
  date: ['2026-02-30', '26.11.2026', 20261126, '2026-11-26T10:00:00Z'],
  datetime: ['yesterday', '2026-13-01T00:00:00Z', '2026-11-26T25:00:00Z', '2026-11-26', 1764177600],
  email: ['not-an-email', 5, 'a@'],
  phone: ['abc', 5, 'call me maybe'],
  url: ['not a url', 5, 'http//broken'],
  choice: ['Z', 1, ['A']],
  multichoice: [['Z'], 'red', ['red', 'red'], [1], ['red', 'Z']],
  boolean: ['true', 1, 'yes', 0],
};

function same(type, got, want) {
  if (type === 'datetime') assert.equal(Date.parse(got), Date.parse(want), `${type}: ${got} vs ${want}`);
  else if (type === 'phone') assert.equal(digits(got), digits(want), `${type}: ${got} vs ${want}`);
  else if (type === 'decimal' || type === 'percent') assert.equal(Number(got), Number(want), `${type}: ${got} vs ${want}`);
  else assert.deepEqual(got, want, type);
}

test('a non-admin can read but not define, change or delete custom fields', async () => {
  const list = await req(srv, 'GET', '/api/v1/custom-fields?entity=contacts', { auth: bobToken });
  assert.equal(list.status, 200, list.text);
  assert.ok(Array.isArray(list.body.data));
  const body = { entity: 'contacts', name: 'sneaky', label: 'Sneaky', type: 'text' };
  assertProblem(await req(srv, 'POST', '/api/v1/custom-fields', { auth: bobToken, body }), 403, 'POST as non-admin');
  const admin = await req(srv, 'POST', '/api/v1/custom-fields', { body: { ...body, name: 'guarded' } });
  assert.equal(admin.status, 201, admin.text);
  assertProblem(await req(srv, 'PATCH', `/api/v1/custom-fields/${admin.body.id}`, { auth: bobToken, body: { label: 'Hacked' } }), 403);
  assertProblem(await req(srv, 'DELETE', `/api/v1/custom-fields/${admin.body.id}`, { auth: bobToken }), 403);
  const after = (await req(srv, 'GET', '/api/v1/custom-fields?entity=contacts')).body.data;
  assert.ok(!after.some((d) => d.name === 'sneaky'), 'nothing defined by the non-admin');
  assert.equal(after.find((d) => d.name === 'guarded').label, 'Sneaky');
  assert.equal((await req(srv, 'DELETE', `/api/v1/custom-fields/${admin.body.id}`)).status, 204);
});

test('an admin defines one field of each of the 14 types', async () => {
  let position = 0;
  for (const type of TYPES) {
    const body = { entity: 'contacts', name: `f_${type}`, label: `Поле ${type}`, type, required: false, position: position++ };
    if (OPTIONS[type]) body.options = OPTIONS[type];
    const r = await req(srv, 'POST', '/api/v1/custom-fields', { body });
    assert.equal(r.status, 201, `${type}: ${r.text}`);
    assert.ok(Number.isInteger(r.body.id));
    for (const k of ['entity', 'name', 'label', 'type', 'required']) assert.deepEqual(r.body[k], body[k], `${type}.${k}`);
    if (OPTIONS[type]) assert.deepEqual(r.body.options, OPTIONS[type]);
    defs[type] = r.body;
  }
  const list = (await req(srv, 'GET', '/api/v1/custom-fields?entity=contacts')).body.data;
  assert.deepEqual(list.map((d) => d.name).sort(), TYPES.map((t) => `f_${t}`).sort());
  const companies = (await req(srv, 'GET', '/api/v1/custom-fields?entity=companies')).body.data;
  assert.deepEqual(companies, [], 'contact fields are not listed for companies');
});

test('bad definitions answer 422 naming the field; duplicates are refused', async () => {
  const base = { entity: 'contacts', name: 'okname', label: 'OK', type: 'text' };
  const cases = [
    [{ ...base, name: 'Bad-Name' }, 'name'], [{ ...base, name: 'x'.repeat(41) }, 'name'], [{ ...base, name: '' }, 'name'],
    [{ ...base, name: 'имя' }, 'name'], [{ ...base, type: 'nosuch' }, 'type'], [{ ...base, entity: 'invoices' }, 'entity'],
    [{ ...base, required: 'yes' }, 'required'], [{ ...base, colour: 'red' }, 'colour'],
  ];
  const before = JSON.stringify((await req(srv, 'GET', '/api/v1/custom-fields?entity=contacts')).body);
  for (const [body, field] of cases) {
    assertInvalid(await req(srv, 'POST', '/api/v1/custom-fields', { body }), [field], JSON.stringify(body));
  }
  const dup = await req(srv, 'POST', '/api/v1/custom-fields', { body: { ...base, name: 'f_text' } });
  assert.ok(dup.status === 409 || dup.status === 422, `duplicate name → ${dup.status} ${dup.text}`);
  assertProblem(dup, dup.status);
  assert.equal(JSON.stringify((await req(srv, 'GET', '/api/v1/custom-fields?entity=contacts')).body), before);
  // The same name on the other entity is a different field.
  const other = await req(srv, 'POST', '/api/v1/custom-fields', { body: { ...base, entity: 'companies', name: 'f_text' } });
  assert.equal(other.status, 201, other.text);
  assert.equal((await req(srv, 'DELETE', `/api/v1/custom-fields/${other.body.id}`)).status, 204);
});

test('a contact round-trips valid values of every type', async () => {
  for (let i = 0; i < 3; i++) {
    const custom = {};
    for (const t of TYPES) custom[`f_${t}`] = VALID[t][i % VALID[t].length];
    const r = await req(srv, 'POST', '/api/v1/contacts', { body: { last_name: `Custom ${i}`, custom } });
    assert.equal(r.status, 201, r.text.slice(0, 1000));
    const got = await req(srv, 'GET', `/api/v1/contacts/${r.body.id}`);
    for (const t of TYPES) {
      same(t, r.body.custom[`f_${t}`], custom[`f_${t}`]);
      same(t, got.body.custom[`f_${t}`], custom[`f_${t}`]);
    }
  }
});

test('false and 0 are values, not blanks', async () => {
  const c = await createOk(srv, 'contacts', { last_name: 'Falsy', custom: { f_boolean: false, f_integer: 0 } });
  const got = (await req(srv, 'GET', `/api/v1/contacts/${c.id}`)).body;
  assert.equal(got.custom.f_boolean, false);
  assert.equal(got.custom.f_integer, 0);
});

test('an invalid value of each type answers 422 naming custom.<name>, and nothing is written', async () => {
  const victim = await createOk(srv, 'contacts', { last_name: 'Victim', custom: { f_text: 'keep', f_integer: 1 } });
  const before = await snapshot(srv, 'contacts');
  for (const t of TYPES) {
    for (const bad of INVALID[t]) {
      const label = `${t} = ${JSON.stringify(bad).slice(0, 40)}`;
      assertInvalid(await req(srv, 'POST', '/api/v1/contacts', { body: { last_name: 'Bad', custom: { [`f_${t}`]: bad } } }),
                    [`custom.f_${t}`], `POST ${label}`);
    }
    const bad = INVALID[t][0];
    assertInvalid(await req(srv, 'PATCH', `/api/v1/contacts/${victim.id}`,
                            { body: { position: 'changed', custom: { [`f_${t}`]: bad } }, headers: { 'If-Match': '"1"' } }),
                  [`custom.f_${t}`], `PATCH ${t}`);
  }
  const many = await req(srv, 'POST', '/api/v1/contacts',
                         { body: { last_name: 'Bad', custom: { f_integer: 'x', f_date: 'x', f_boolean: 'x' } } });
  assertInvalid(many, ['custom.f_integer', 'custom.f_date', 'custom.f_boolean'], 'three bad custom values');
  assert.equal(await snapshot(srv, 'contacts'), before);
});

test('an unknown custom key answers 422 naming it; custom must be an object', async () => {
  const before = await snapshot(srv, 'contacts');
  assertInvalid(await req(srv, 'POST', '/api/v1/contacts', { body: { last_name: 'X', custom: { nope: 1 } } }), ['custom.nope']);
  assertInvalid(await req(srv, 'POST', '/api/v1/contacts', { body: { last_name: 'X', custom: 'x' } }), ['custom']);
  assert.equal(await snapshot(srv, 'contacts'), before);
  // A contact field does not exist on companies.
  const cos = await snapshot(srv, 'companies');
  assertInvalid(await req(srv, 'POST', '/api/v1/companies', { body: { name: 'X', custom: { f_text: 'x' } } }), ['custom.f_text']);
  assert.equal(await snapshot(srv, 'companies'), cos);
});

test('a required custom field must be present and not blank', async () => {
  const def = await req(srv, 'POST', '/api/v1/custom-fields',
                        { body: { entity: 'companies', name: 'inn_region', label: 'Region', type: 'text', required: true } });
  assert.equal(def.status, 201, def.text);
  const before = await snapshot(srv, 'companies');
  assertInvalid(await req(srv, 'POST', '/api/v1/companies', { body: { name: 'No Region' } }), ['custom.inn_region']);
  assertInvalid(await req(srv, 'POST', '/api/v1/companies', { body: { name: 'No Region', custom: {} } }), ['custom.inn_region']);
  assertInvalid(await req(srv, 'POST', '/api/v1/companies', { body: { name: 'No Region', custom: { inn_region: null } } }), ['custom.inn_region']);
  assertInvalid(await req(srv, 'POST', '/api/v1/companies', { body: { name: 'No Region', custom: { inn_region: '' } } }), ['custom.inn_region']);
  assert.equal(await snapshot(srv, 'companies'), before);
  const ok = await createOk(srv, 'companies', { name: 'With Region', custom: { inn_region: 'Москва' } });
  assert.equal(ok.custom.inn_region, 'Москва');
  assertInvalid(await req(srv, 'PATCH', `/api/v1/companies/${ok.id}`,
                          { body: { custom: { inn_region: null } }, headers: { 'If-Match': '"1"' } }), ['custom.inn_region']);
  assert.equal((await req(srv, 'GET', `/api/v1/companies/${ok.id}`)).body.custom.inn_region, 'Москва');
  assert.equal((await req(srv, 'DELETE', `/api/v1/custom-fields/${def.body.id}`)).status, 204);
  await createOk(srv, 'companies', { name: 'After Required Removed' });
});

test('a choice value must be one of the options; PATCHed options take effect', async () => {
  assertInvalid(await req(srv, 'POST', '/api/v1/contacts', { body: { last_name: 'X', custom: { f_choice: 'D' } } }), ['custom.f_choice']);
  const p = await req(srv, 'PATCH', `/api/v1/custom-fields/${defs.choice.id}`,
                      { body: { options: ['A', 'B', 'C', 'D'], label: 'Класс' } });
  assert.equal(p.status, 200, p.text);
  assert.deepEqual(p.body.options, ['A', 'B', 'C', 'D']);
  assert.equal(p.body.label, 'Класс');
  const c = await createOk(srv, 'contacts', { last_name: 'X', custom: { f_choice: 'D' } });
  assert.equal(c.custom.f_choice, 'D');
  assertInvalid(await req(srv, 'PATCH', `/api/v1/custom-fields/${defs.choice.id}`, { body: { type: 'integer' } }), ['type']);
});

test('deleting a definition removes it; the key is then unknown and records stay editable', async () => {
  const def = await req(srv, 'POST', '/api/v1/custom-fields',
                        { body: { entity: 'contacts', name: 'temp_field', label: 'Temp', type: 'integer' } });
  assert.equal(def.status, 201, def.text);
  const c = await createOk(srv, 'contacts', { last_name: 'Temp', custom: { temp_field: 5 } });
  const del = await req(srv, 'DELETE', `/api/v1/custom-fields/${def.body.id}`);
  assert.equal(del.status, 204, del.text);
  const list = (await req(srv, 'GET', '/api/v1/custom-fields?entity=contacts')).body.data;
  assert.ok(!list.some((d) => d.name === 'temp_field'));
  assertProblem(await req(srv, 'DELETE', `/api/v1/custom-fields/${def.body.id}`), 404, 'deleted twice');
  assertInvalid(await req(srv, 'POST', '/api/v1/contacts', { body: { last_name: 'X', custom: { temp_field: 5 } } }), ['custom.temp_field']);
  const got = await req(srv, 'GET', `/api/v1/contacts/${c.id}`);
  assert.equal(got.status, 200);
  const p = await req(srv, 'PATCH', `/api/v1/contacts/${c.id}`, { body: { position: 'Still editable' }, headers: { 'If-Match': got.headers.get('etag') } });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.body.position, 'Still editable');
});
