// The authorization matrix, generated rather than hand-listed: for every
// built-in role (and a custom one with the "own department" scope), against
// records owned by the user, a colleague in the same department, someone in
// a child department and in a sibling department, shared and not shared, it
// checks each record route's answer, and that lists, list search, the search
// box and linked records agree. The expectations come from a model of the rule
// written here from the roles the server reports, not from the server's code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { stopClean, req, createOk, listAll, assertProblem, assertInvalid, createToken, parseCsv } from '../lib/helpers.mjs';

let srv;
const ENTITIES = ['companies', 'contacts', 'deals', 'activities', 'tickets'];
const SINGULAR = { companies: 'company', contacts: 'contact', deals: 'deal', activities: 'activity', tickets: 'ticket' };
const MARK = 'Rightsmark';
const dept = {};      // key → id
const users = {};     // key → {id, token, dept, heads: [dept ids], role}
let roles;            // from GET /roles: name → role
const records = {};   // entity → [{id, owner (user key), shares: [...], company (contacts)}]

async function post(path, body, auth) {
  const r = await req(srv, 'POST', path, { body, auth });
  assert.ok(r.status === 201 || r.status === 200, `POST ${path} ${JSON.stringify(body)}: ${r.status} ${r.text}`);
  return r.body;
}

before(async () => {
  srv = await startServer();
  // Company > Branch A > Team A1, and Branch B beside A.
  dept.root = 1;
  dept.A = (await post('/api/v1/departments', { name: 'Branch A', kind: 'branch', parent_id: 1 })).id;
  dept.A1 = (await post('/api/v1/departments', { name: 'Team A1', kind: 'team', parent_id: dept.A })).id;
  dept.B = (await post('/api/v1/departments', { name: 'Branch B', kind: 'branch', parent_id: 1 })).id;
  const all = (await req(srv, 'GET', '/api/v1/roles')).body;
  const teamLead = await post('/api/v1/roles', {
    name: 'Team lead',
    perms: { '*': { create: 'own', read: 'dept', update: 'dept', delete: 'own', assign: 'dept' } },
  });
  roles = Object.fromEntries([...all.data, teamLead].map((r) => [r.builtin || 'teamlead', r]));
  const people = {
    dir: ['director', 'root'], headA: ['head', 'A'], mA: ['manager', 'A'], mA2: ['manager', 'A'],
    mA1: ['manager', 'A1'], mB: ['manager', 'B'], sup: ['support', 'B'], ro: ['readonly', 'root'],
    tl: ['teamlead', 'A'],
  };
  for (const [key, [role, d]] of Object.entries(people)) {
    const u = await post('/api/v1/users', {
      email: `${key.toLowerCase()}@example.com`, name: `User ${key}`, password: `saffron lighthouse quill 27`,
      department_id: dept[d], role_id: roles[role].id,
    });
    users[key] = { id: u.id, dept: dept[d], heads: [], role, token: createToken(srv, u.email, key) };
  }
  const h = await req(srv, 'PATCH', `/api/v1/departments/${dept.A}`, { body: { heads: [users.headA.id] } });
  assert.equal(h.status, 200, h.text);
  users.headA.heads.push(dept.A);
  const me = (await req(srv, 'GET', '/api/v1/auth/me')).body;
  users.admin = { id: me.id, dept: 1, heads: [], role: 'administrator', token: srv.token };

  // Records: one per owner, and three of mB's shared with mA (read, write)
  // and with Team A1 (read).
  const specs = [
    ['mA'], ['mA2'], ['mA1'], ['mB'], ['headA'], ['dir'], ['tl'],
    ['mB', [{ user_id: users.mA.id, access: 'read' }]],
    ['mB', [{ user_id: users.mA.id, access: 'write' }]],
    ['mB', [{ department_id: dept.A1, access: 'read' }]],
  ];
  for (const e of ENTITIES) {
    records[e] = [];
    for (const [i, [owner, shares = []]] of specs.entries()) {
      // Each contact and deal is linked to a company of another owner.
      const company_id = e === 'companies' ? undefined : records.companies[(i + 3) % specs.length].id;
      const body = e === 'companies' ? { name: `${MARK} ${owner} ${i}`, owner_id: users[owner].id }
        : e === 'contacts' ? { first_name: MARK, last_name: `${owner} ${i}`, owner_id: users[owner].id, company_id }
          : e === 'activities' ? { kind: 'task', subject: `${MARK} ${owner} ${i}`, owner_id: users[owner].id, company_id }
            : e === 'tickets' ? { subject: `${MARK} ${owner} ${i}`, owner_id: users[owner].id, company_id }
            : { title: `${MARK} ${owner} ${i}`, owner_id: users[owner].id, company_id, amount: 1000 * (i + 1) };
      const rec = await createOk(srv, e, body);
      for (const s of shares) await post(`/api/v1/${e}/${rec.id}/shares`, s);
      records[e].push({ id: rec.id, owner, shares, company: body.company_id });
    }
  }
});
after(async () => { await stopClean(srv); });

// ---- the model ---------------------------------------------------------------

function subtreeOf(ids) {
  const out = new Set(ids);
  const parent = { [dept.A]: 1, [dept.A1]: dept.A, [dept.B]: 1, 1: null };
  for (let changed = true; changed;) {
    changed = false;
    for (const [child, p] of Object.entries(parent)) {
      if (p !== null && out.has(p) && !out.has(Number(child))) { out.add(Number(child)); changed = true; }
    }
  }
  return out;
}
const home = (u) => new Set([u.dept, ...u.heads]);

function covers(scope, actor, ownerKey) {
  const owner = users[ownerKey];
  switch (scope) {
    case 'all': return true;
    case 'own': return owner.id === actor.id;
    case 'dept': return home(actor).has(owner.dept);
    case 'subtree': return subtreeOf([...home(actor)]).has(owner.dept);
    default: return false;
  }
}
function shared(actor, rec, write) {
  return rec.shares.some((s) => (s.user_id === actor.id || home(actor).has(s.department_id)) &&
                                (!write || s.access === 'write'));
}
function can(actorKey, e, rec, action) {
  const actor = users[actorKey];
  const scope = roles[actor.role].perms[e][action];
  if (actor.role === 'administrator') return true;
  if (action === 'read') return covers(scope, actor, rec.owner) || shared(actor, rec, false);
  if (action === 'update') return covers(scope, actor, rec.owner) || shared(actor, rec, true);
  if (action === 'assign') return covers(scope, actor, rec.owner) && covers(scope, actor, actorKey);
  return covers(scope, actor, rec.owner);
}
const expectStatus = (actorKey, e, rec, action, ok) =>
  (!can(actorKey, e, rec, 'read') ? 404 : can(actorKey, e, rec, action) ? ok : 403);

const ACTORS = () => Object.keys(users);

// ---- the matrix ----------------------------------------------------------------

test('the built-in roles are the documented ones', () => {
  assert.deepEqual(roles.manager.perms.companies,
                   { create: 'own', read: 'own', update: 'own', delete: 'own', export: 'none', import: 'none', assign: 'none', audit: 'own' });
  assert.equal(roles.head.perms.contacts.read, 'subtree');
  assert.equal(roles.director.perms.contacts.assign, 'all');
  assert.equal(roles.support.perms.companies.read, 'all');
  assert.equal(roles.support.perms.companies.delete, 'none');
  assert.deepEqual(Object.values(roles.readonly.perms.contacts).filter((s) => s !== 'none'), ['all']);
  assert.equal(roles.administrator.is_admin, true);
});

for (const e of ENTITIES) {
  test(`${e}: lists, list search and the search box show exactly what each role may read`, async () => {
    for (const a of ACTORS()) {
      const want = records[e].filter((r) => can(a, e, r, 'read')).map((r) => r.id).sort((x, y) => x - y);
      const list = (await listAll(srv, e, '', { auth: users[a].token })).map((r) => r.id).sort((x, y) => x - y);
      assert.deepEqual(list, want, `${a} lists ${e}`);
      const q = (await listAll(srv, e, `q=${MARK}`, { auth: users[a].token })).map((r) => r.id).sort((x, y) => x - y);
      assert.deepEqual(q, want, `${a} lists ${e}?q=`);
      const sorted = (await listAll(srv, e, `sort=-created_at`, { auth: users[a].token, limit: 2 })).map((r) => r.id);
      assert.deepEqual(sorted.sort((x, y) => x - y), want, `${a} pages ${e} two at a time`);
      if (e === 'activities') continue;  // not in the search box (yet)
      const s = await req(srv, 'GET', `/api/v1/search?q=${MARK}&limit=50`, { auth: users[a].token });
      assert.equal(s.status, 200, s.text);
      const type = SINGULAR[e];
      const hits = s.body.data.filter((h) => h.type === type).map((h) => h.id).sort((x, y) => x - y);
      assert.deepEqual(hits, want, `${a} searches ${e}`);
    }
  });

  test(`${e}: reading one record and its shares answers 200, or 404 when hidden`, async () => {
    for (const a of ACTORS()) {
      for (const r of records[e]) {
        const want = can(a, e, r, 'read') ? 200 : 404;
        const g = await req(srv, 'GET', `/api/v1/${e}/${r.id}`, { auth: users[a].token });
        assert.equal(g.status, want, `${a} GET ${e}/${r.id} (owner ${r.owner}): ${g.text}`);
        if (want === 404) assertProblem(g, 404);
        const sh = await req(srv, 'GET', `/api/v1/${e}/${r.id}/shares`, { auth: users[a].token });
        assert.equal(sh.status, want, `${a} GET ${e}/${r.id}/shares: ${sh.text}`);
        // The history needs the audit right on the record.
        const h = await req(srv, 'GET', `/api/v1/${e}/${r.id}/history`, { auth: users[a].token });
        assert.equal(h.status, expectStatus(a, e, r, 'audit', 200), `${a} GET ${e}/${r.id}/history: ${h.text}`);
        // A hidden record and one that does not exist answer alike.
        if (want === 404) assert.equal(g.body.detail.replace(/\d+/, 'N'), `No ${SINGULAR[e]} with id N`);
      }
    }
  });

  test(`${e}: an export holds exactly what each role may both read and export; 403 without the right`, async () => {
    for (const a of ACTORS()) {
      const r = await req(srv, 'GET', `/api/v1/${e}/export?q=${MARK}&columns=id`, { auth: users[a].token });
      if (a !== 'admin' && roles[users[a].role].perms[e].export === 'none') {
        assertProblem(r, 403, `${a} exports ${e}`);
        continue;
      }
      assert.equal(r.status, 200, `${a} exports ${e}: ${r.text}`);
      const want = records[e].filter((x) => can(a, e, x, 'read') && can(a, e, x, 'export')).map((x) => String(x.id));
      const got = parseCsv(r.text).slice(1).map((row) => row[0]);
      assert.deepEqual(got.sort(), want.sort(), `${a} exports ${e}`);
    }
  });

  test(`${e}: update, delete and transfer answer 2xx, 403 when readable but not allowed, 404 when hidden`, async () => {
    const field = e === 'contacts' ? 'position' : e === 'activities' ? 'body' : e === 'tickets' ? 'description' : 'notes';
    for (const a of ACTORS()) {
      const auth = users[a].token;
      for (const r of records[e]) {
        const p = await req(srv, 'PATCH', `/api/v1/${e}/${r.id}`, { auth, body: { [field]: `by ${a}` } });
        assert.equal(p.status, expectStatus(a, e, r, 'update', 200), `${a} PATCH ${e}/${r.id} (owner ${r.owner}): ${p.text}`);

        const t = await req(srv, 'POST', `/api/v1/${e}/transfer`, { auth, body: { ids: [r.id], to_user_id: users[a].id } });
        assert.equal(t.status, expectStatus(a, e, r, 'assign', 200), `${a} transfers ${e}/${r.id} (owner ${r.owner}): ${t.text}`);
        if (t.status === 200) {
          assert.equal(t.body.moved, 1);
          const back = await req(srv, 'POST', `/api/v1/${e}/transfer`, { body: { ids: [r.id], to_user_id: users[r.owner].id } });
          assert.equal(back.status, 200, back.text);
        }

        const d = await req(srv, 'DELETE', `/api/v1/${e}/${r.id}`, { auth });
        assert.equal(d.status, expectStatus(a, e, r, 'delete', 204), `${a} DELETE ${e}/${r.id} (owner ${r.owner}): ${d.text}`);
        // Restoring from the trash takes the delete right too.
        if (d.status !== 204) assert.equal((await req(srv, 'DELETE', `/api/v1/${e}/${r.id}`)).status, 204);
        const back = await req(srv, 'POST', `/api/v1/${e}/${r.id}/restore`, { auth });
        assert.equal(back.status, expectStatus(a, e, r, 'delete', 200), `${a} restores ${e}/${r.id}: ${back.text}`);
        if (back.status !== 200) assert.equal((await req(srv, 'POST', `/api/v1/${e}/${r.id}/restore`)).status, 200);
      }
    }
  });

  test(`${e}: importing needs the import right`, async () => {
    for (const a of ACTORS()) {
      const perms = roles[users[a].role].perms[e];
      const f = await req(srv, 'GET', `/api/v1/imports/fields?entity=${e}`, { auth: users[a].token });
      assert.equal(f.status, perms.import === 'none' && a !== 'admin' ? 403 : 200, `${a} may import ${e}: ${f.text}`);
    }
  });

  test(`${e}: creating needs the create right; giving a new record to someone else needs assign`, async () => {
    for (const a of ACTORS()) {
      const actor = users[a];
      const perms = roles[actor.role].perms[e];
      const body = e === 'companies' ? { name: `Created by ${a}` }
        : e === 'contacts' ? { first_name: 'Created', last_name: a }
          : e === 'activities' ? { kind: 'task', subject: `Created by ${a}` }
            : e === 'tickets' ? { subject: `Created by ${a}` } : { title: `Created by ${a}` };
      const mine = await req(srv, 'POST', `/api/v1/${e}`, { auth: actor.token, body });
      assert.equal(mine.status, perms.create === 'none' && a !== 'admin' ? 403 : 201, `${a} creates ${e}: ${mine.text}`);
      if (mine.status === 201) {
        assert.equal(mine.body.owner_id, actor.id);
        assert.equal((await req(srv, 'DELETE', `/api/v1/${e}/${mine.body.id}`)).status, 204);
      }
      const forB = await req(srv, 'POST', `/api/v1/${e}`, { auth: actor.token, body: { ...body, owner_id: users.mB.id } });
      const allowed = a === 'admin' || a === 'mB' || (perms.create !== 'none' && covers(perms.assign, actor, 'mB'));
      assert.equal(forB.status, perms.create === 'none' && a !== 'admin' ? 403 : allowed ? 201 : 422,
                   `${a} creates ${e} for mB: ${forB.text}`);
      if (forB.status === 422) assertInvalid(forB, ['owner_id']);
      if (forB.status === 201) assert.equal((await req(srv, 'DELETE', `/api/v1/${e}/${forB.body.id}`)).status, 204);
    }
  });
}

test('a linked company the reader may not see shows no name on the contact or deal', async () => {
  for (const a of ACTORS()) {
    for (const e of ['contacts', 'deals', 'activities', 'tickets']) {
      for (const r of records[e].filter((c) => can(a, e, c, 'read'))) {
        const g = await req(srv, 'GET', `/api/v1/${e}/${r.id}`, { auth: users[a].token });
        assert.equal(g.status, 200, g.text);
        const company = records.companies.find((c) => c.id === r.company);
        const sees = can(a, 'companies', company, 'read');
        assert.equal(g.body.company_id, r.company);
        if (sees) assert.match(g.body.company_name, new RegExp(MARK), `${a} sees the name of company ${company.id}`);
        else assert.equal(g.body.company_name, null, `${a} must not see the name of company ${company.id}`);
        const list = await listAll(srv, e, `q=${encodeURIComponent(r.owner)}`, { auth: users[a].token });
        for (const row of list.filter((x) => x.id === r.id)) assert.equal(row.company_name, g.body.company_name);
      }
      // The search box's subtitle is the company's name: not for hidden companies.
      const s = await req(srv, 'GET', `/api/v1/search?q=${MARK}&limit=50`, { auth: users[a].token });
      for (const h of s.body.data.filter((x) => x.type === SINGULAR[e])) {
        const r = records[e].find((c) => c.id === h.id);
        const company = records.companies.find((c) => c.id === r.company);
        if (!can(a, 'companies', company, 'read')) assert.doesNotMatch(h.subtitle, new RegExp(MARK), `${a}: ${h.subtitle}`);
      }
    }
  }
});

test('transferring all of a leaving manager\'s clients to several people, in one step', async () => {
  const made = [];
  for (let i = 0; i < 6; i++) made.push(await createOk(srv, 'companies', { name: `Leaving ${i}`, owner_id: users.mA2.id }));
  // A manager may not, the head of their branch may, within the branch.
  assertProblem(await req(srv, 'POST', '/api/v1/companies/transfer',
                          { auth: users.mA.token, body: { from_user_id: users.mA2.id, to_user_id: users.mA.id } }), 403);
  assertProblem(await req(srv, 'POST', '/api/v1/companies/transfer',
                          { auth: users.headA.token, body: { from_user_id: users.mA2.id, to_user_ids: [users.mA.id, users.mB.id] } }), 403);
  const t = await req(srv, 'POST', '/api/v1/companies/transfer',
                      { auth: users.headA.token, body: { from_user_id: users.mA2.id, to_user_ids: [users.mA.id, users.mA1.id] } });
  assert.equal(t.status, 200, t.text);
  // Every company of mA2's that the head may assign moved: the six and the matrix one.
  assert.equal(t.body.moved, 7);
  assert.deepEqual(t.body.owners, { [users.mA.id]: 4, [users.mA1.id]: 3 });
  for (const c of made) {
    const g = await req(srv, 'GET', `/api/v1/companies/${c.id}`);
    assert.ok([users.mA.id, users.mA1.id].includes(g.body.owner_id), g.text);
  }
  const back = records.companies.find((r) => r.owner === 'mA2');
  assert.equal((await req(srv, 'POST', '/api/v1/companies/transfer', { body: { ids: [back.id], to_user_id: users.mA2.id } })).status, 200);
  for (const c of made) assert.equal((await req(srv, 'DELETE', `/api/v1/companies/${c.id}`)).status, 204);
});

test('transfer input is checked before anything moves', async () => {
  const r = records.companies[0];
  for (const body of [{}, { ids: [r.id] }, { ids: [], to_user_id: users.mA.id }, { ids: ['x'], to_user_id: 1 },
                      { ids: [r.id], from_user_id: 2, to_user_id: 1 }, { ids: [r.id], to_user_id: 0 },
                      { ids: [r.id], to_user_id: 1, extra: true }]) {
    assertProblem(await req(srv, 'POST', '/api/v1/companies/transfer', { body }), 422, JSON.stringify(body));
  }
  // One hidden record refuses the whole list, and the visible one stays put.
  const mine = records.companies.find((x) => x.owner === 'mA');
  const theirs = records.companies.find((x) => x.owner === 'mB' && x.shares.length === 0);
  const t = await req(srv, 'POST', '/api/v1/companies/transfer',
                      { auth: users.headA.token, body: { ids: [mine.id, theirs.id], to_user_id: users.headA.id } });
  assertProblem(t, 404);
  assert.equal((await req(srv, 'GET', `/api/v1/companies/${mine.id}`)).body.owner_id, users.mA.id);
});

test('sharing: who may share, bad shares, and un-sharing', async () => {
  const r = records.contacts.find((x) => x.owner === 'mA');
  const base = `/api/v1/contacts/${r.id}/shares`;
  // mA2 cannot see it, then can once shared, and cannot re-share it.
  assertProblem(await req(srv, 'GET', `/api/v1/contacts/${r.id}`, { auth: users.mA2.token }), 404);
  const s = await req(srv, 'POST', base, { auth: users.mA.token, body: { user_id: users.mA2.id, access: 'read' } });
  assert.equal(s.status, 201, s.text);
  assert.equal((await req(srv, 'GET', `/api/v1/contacts/${r.id}`, { auth: users.mA2.token })).status, 200);
  assertProblem(await req(srv, 'PATCH', `/api/v1/contacts/${r.id}`, { auth: users.mA2.token, body: { position: 'x' } }), 403);
  assertProblem(await req(srv, 'POST', base, { auth: users.mA2.token, body: { user_id: users.mB.id, access: 'read' } }), 403);
  // Sharing again changes the access rather than adding a second share.
  const again = await req(srv, 'POST', base, { auth: users.mA.token, body: { user_id: users.mA2.id, access: 'write' } });
  assert.equal(again.status, 201, again.text);
  assert.equal(again.body.data.filter((x) => x.user_id === users.mA2.id).length, 1);
  assert.equal((await req(srv, 'PATCH', `/api/v1/contacts/${r.id}`, { auth: users.mA2.token, body: { position: 'y' } })).status, 200);
  for (const body of [{}, { user_id: users.mB.id }, { user_id: users.mB.id, access: 'all' },
                      { user_id: users.mB.id, department_id: dept.B, access: 'read' }, { user_id: 999999, access: 'read' },
                      { department_id: 999999, access: 'read' }, { user_id: 'x', access: 'read' }, { user_id: users.mB.id, access: 'read', x: 1 }]) {
    assertProblem(await req(srv, 'POST', base, { auth: users.mA.token, body }), 422, JSON.stringify(body));
  }
  const id = again.body.data.find((x) => x.user_id === users.mA2.id).id;
  assertProblem(await req(srv, 'DELETE', `${base}/${id}`, { auth: users.mA2.token }), 403);
  assert.equal((await req(srv, 'DELETE', `${base}/${id}`, { auth: users.mA.token })).status, 204);
  assertProblem(await req(srv, 'DELETE', `${base}/${id}`, { auth: users.mA.token }), 404);
  assertProblem(await req(srv, 'GET', `/api/v1/contacts/${r.id}`, { auth: users.mA2.token }), 404);
});

test('only an administrator changes departments, roles and users', async () => {
  const auth = users.dir.token;
  for (const [m, p, body] of [['POST', '/api/v1/departments', { name: 'X' }], ['PATCH', `/api/v1/departments/${dept.A}`, { name: 'X' }],
                              ['DELETE', `/api/v1/departments/${dept.A1}`], ['GET', '/api/v1/roles'], ['POST', '/api/v1/roles', { name: 'X' }],
                              ['PATCH', `/api/v1/roles/${roles.manager.id}`, { name: 'X' }], ['DELETE', `/api/v1/roles/${roles.teamlead.id}`],
                              ['POST', '/api/v1/users', { email: 'x@example.com', name: 'X', password: 'a long password here' }],
                              ['PATCH', `/api/v1/users/${users.mA.id}`, { role_id: roles.director.id }]]) {
    assertProblem(await req(srv, m, p, { auth, body }), 403, `${m} ${p}`);
  }
  // Everyone may read the directory and the tree (for pickers).
  assert.equal((await req(srv, 'GET', '/api/v1/departments', { auth })).status, 200);
  assert.equal((await req(srv, 'GET', '/api/v1/users', { auth })).status, 200);
});

test('departments: no cycles, no deleting what is in use, heads must be users', async () => {
  assertInvalid(await req(srv, 'PATCH', `/api/v1/departments/${dept.A}`, { body: { parent_id: dept.A1 } }), ['parent_id']);
  assertInvalid(await req(srv, 'PATCH', `/api/v1/departments/${dept.A}`, { body: { parent_id: dept.A } }), ['parent_id']);
  assertInvalid(await req(srv, 'POST', '/api/v1/departments', { body: { name: '', kind: 'galaxy', parent_id: 999 } }),
                ['name', 'kind', 'parent_id']);
  assertInvalid(await req(srv, 'PATCH', `/api/v1/departments/${dept.A}`, { body: { heads: [999999] } }), ['heads']);
  assertProblem(await req(srv, 'DELETE', `/api/v1/departments/${dept.A}`), 409);
  assertProblem(await req(srv, 'DELETE', '/api/v1/departments/1'), 409);
  const empty = await post('/api/v1/departments', { name: 'Empty team', kind: 'team', parent_id: dept.B });
  assert.equal((await req(srv, 'DELETE', `/api/v1/departments/${empty.id}`)).status, 204);
  assertProblem(await req(srv, 'DELETE', `/api/v1/departments/${empty.id}`), 404);
});

test('roles: names and scopes are checked, built-in and used roles stay', async () => {
  assertInvalid(await req(srv, 'POST', '/api/v1/roles', {
    body: { name: 'Bad', perms: { deals2: { read: 'all' }, companies: { read: 'everything', fly: 'all' } } },
  }), ['perms.deals2', 'perms.companies.read', 'perms.companies.fly']);
  assertInvalid(await req(srv, 'POST', '/api/v1/roles', { body: { name: 'Bad', fields: { contacts: { nope: 'hidden', phones: 'blurred' } } } }),
                ['fields.contacts.nope', 'fields.contacts.phones']);
  assertProblem(await req(srv, 'POST', '/api/v1/roles', { body: { name: 'Manager' } }), 409);
  assertProblem(await req(srv, 'DELETE', `/api/v1/roles/${roles.manager.id}`), 409);
  assertProblem(await req(srv, 'DELETE', `/api/v1/roles/${roles.teamlead.id}`), 409);
  assertProblem(await req(srv, 'PATCH', `/api/v1/roles/${roles.administrator.id}`, { body: { perms: { '*': { read: 'own' } } } }), 403);
});

test('the last administrator cannot be demoted or disabled', async () => {
  assertProblem(await req(srv, 'PATCH', `/api/v1/users/${users.admin.id}`, { body: { role_id: roles.manager.id } }), 409);
  assertProblem(await req(srv, 'PATCH', `/api/v1/users/${users.admin.id}`, { body: { active: false } }), 409);
  assert.equal((await req(srv, 'GET', '/api/v1/auth/me')).status, 200);
});

test('a role change applies at once, and /auth/me tells the UI what the user may do', async () => {
  const me = await req(srv, 'GET', '/api/v1/auth/me', { auth: users.ro.token });
  assert.equal(me.body.role.name, roles.readonly.name);
  assert.equal(me.body.rights.companies.read, 'all');
  assert.equal(me.body.rights.companies.update, 'none');
  const r = records.companies[0];
  assertProblem(await req(srv, 'PATCH', `/api/v1/companies/${r.id}`, { auth: users.ro.token, body: { notes: 'x' } }), 403);
  const up = await req(srv, 'PATCH', `/api/v1/users/${users.ro.id}`, { body: { role_id: roles.director.id } });
  assert.equal(up.status, 200, up.text);
  assert.equal((await req(srv, 'PATCH', `/api/v1/companies/${r.id}`, { auth: users.ro.token, body: { notes: 'x' } })).status, 200);
  assert.equal((await req(srv, 'PATCH', `/api/v1/users/${users.ro.id}`, { body: { role_id: roles.readonly.id } })).status, 200);
});

test('field rules: a hidden field is not shown, filtered, sorted, searched or written; a read-only one is not written', async () => {
  const role = await post('/api/v1/roles', {
    name: 'Phone-blind',
    perms: { '*': { create: 'all', read: 'all', update: 'all' } },
    fields: { contacts: { phones: 'hidden', emails: 'readonly', position: 'hidden' }, companies: { tax_id: 'hidden' } },
  });
  const u = await post('/api/v1/users', { email: 'blind@example.com', name: 'Blind', password: 'saffron lighthouse quill 27', role_id: role.id });
  const auth = createToken(srv, u.email, 'blind');
  const c = await createOk(srv, 'contacts', { first_name: 'Fieldrule', last_name: 'Person', phones: ['+1 555 867 5309'],
                                              emails: ['fieldrule@example.com'], position: 'Chief secret officer' });
  const co = await createOk(srv, 'companies', { name: 'Fieldrule Co', tax_id: 'Hidtax4455' });
  const g = await req(srv, 'GET', `/api/v1/contacts/${c.id}`, { auth });
  assert.equal(g.status, 200, g.text);
  assert.equal('phones' in g.body, false, g.text);
  assert.equal('position' in g.body, false, g.text);
  assert.deepEqual(g.body.emails, ['fieldrule@example.com']);
  for (const row of await listAll(srv, 'contacts', 'q=Fieldrule', { auth })) assert.equal('phones' in row, false);
  // Found by what the user sees, not by what is hidden from them.
  assert.equal((await listAll(srv, 'contacts', 'q=Fieldrule', { auth })).length, 1);
  assert.equal((await listAll(srv, 'contacts', 'q=8675309', { auth })).length, 0);
  assert.equal((await listAll(srv, 'contacts', 'q=secret', { auth })).length, 0);
  assert.equal((await listAll(srv, 'contacts', 'q=8675309')).length, 1, 'the admin finds it by phone');
  const s = await req(srv, 'GET', '/api/v1/search?q=8675309', { auth });
  assert.deepEqual(s.body.data, []);
  assert.equal((await req(srv, 'GET', '/api/v1/search?q=Hidtax4455', { auth })).body.data.length, 0);
  assert.equal((await req(srv, 'GET', '/api/v1/search?q=Hidtax4455')).body.data.length, 1);
  assertProblem(await req(srv, 'GET', '/api/v1/contacts?position=Chief%20secret%20officer', { auth }), 400);
  assertProblem(await req(srv, 'GET', '/api/v1/companies?tax_id=Hidtax4455', { auth }), 400);
  assert.equal((await req(srv, 'GET', '/api/v1/companies?tax_id=Hidtax4455')).body.data.length, 1);
  assertInvalid(await req(srv, 'PATCH', `/api/v1/contacts/${c.id}`, { auth, body: { phones: ['+1 555 000 0000'] } }), ['phones']);
  assertInvalid(await req(srv, 'PATCH', `/api/v1/contacts/${c.id}`, { auth, body: { emails: [] } }), ['emails']);
  // Changing a visible field keeps the hidden ones as they were.
  assert.equal((await req(srv, 'PATCH', `/api/v1/contacts/${c.id}`, { auth, body: { last_name: 'Changed' } })).status, 200);
  const after = (await req(srv, 'GET', `/api/v1/contacts/${c.id}`)).body;
  assert.deepEqual(after.phones, ['+1 555 867 5309']);
  assert.equal(after.position, 'Chief secret officer');
  assert.equal((await req(srv, 'GET', `/api/v1/companies/${co.id}`, { auth })).body.tax_id, undefined);
  const me = (await req(srv, 'GET', '/api/v1/auth/me', { auth })).body;
  assert.deepEqual(me.fields.contacts, { emails: 'readonly', phones: 'hidden', position: 'hidden' });
});

test('a contact cannot be linked to a company its author may not see: answered as missing', async () => {
  const hidden = records.companies.find((r) => r.owner === 'mB' && r.shares.length === 0);
  const own = records.companies.find((r) => r.owner === 'mA');
  const r = await req(srv, 'POST', '/api/v1/contacts', { auth: users.mA.token, body: { last_name: 'Linker', company_id: hidden.id } });
  assertInvalid(r, ['company_id']);
  const missing = await req(srv, 'POST', '/api/v1/contacts', { auth: users.mA.token, body: { last_name: 'Linker', company_id: 99999999 } });
  assert.equal(r.body.errors[0].message.replace(/\d+/, 'N'), missing.body.errors[0].message.replace(/\d+/, 'N'));
  const ok = await req(srv, 'POST', '/api/v1/contacts', { auth: users.mA.token, body: { last_name: 'Linker', company_id: own.id } });
  assert.equal(ok.status, 201, ok.text);
  assert.equal((await req(srv, 'DELETE', `/api/v1/contacts/${ok.body.id}`)).status, 204);
});

test('activities: comments are read and written by exactly those who may read the activity', async () => {
  for (const a of ACTORS()) {
    for (const rec of records.activities) {
      const path = `/api/v1/activities/${rec.id}/comments`;
      const ok = can(a, 'activities', rec, 'read');
      const list = await req(srv, 'GET', path, { auth: users[a].token });
      assert.equal(list.status, ok ? 200 : 404, `${a} lists the comments of ${rec.owner}'s activity: ${list.text}`);
      const add = await req(srv, 'POST', path, { body: { body: `from ${a}` }, auth: users[a].token });
      assert.equal(add.status, ok ? 201 : 404, `${a} comments on ${rec.owner}'s activity: ${add.text}`);
    }
  }
});

test('process templates: every role reads them, only administrators write them', async () => {
  const tpl = (await req(srv, 'GET', '/api/v1/process-templates')).body.data[0];
  const def = (await req(srv, 'GET', `/api/v1/process-templates/${tpl.id}`)).body.definition;
  for (const a of ACTORS()) {
    const auth = users[a].token;
    const admin = roles[users[a].role]?.is_admin === true || a === 'admin';
    const list = await req(srv, 'GET', '/api/v1/process-templates', { auth });
    assert.equal(list.status, 200, `${a} lists process templates: ${list.text}`);
    assert.equal((await req(srv, 'GET', `/api/v1/process-templates/${tpl.id}`, { auth })).status, 200);
    assert.equal((await req(srv, 'GET', `/api/v1/process-templates/${tpl.id}/versions/1`, { auth })).status, 200);
    assert.equal((await req(srv, 'POST', '/api/v1/process-templates/validate', { auth, body: def })).status, 200);
    const create = await req(srv, 'POST', '/api/v1/process-templates', { auth, body: { ...def, key: `rights_${a.toLowerCase()}` } });
    assert.equal(create.status, admin ? 201 : 403, `${a} creates a process template: ${create.text}`);
    const put = await req(srv, 'PUT', `/api/v1/process-templates/${tpl.id}`, { auth, body: def });
    assert.equal(put.status, admin ? 200 : 403, `${a} saves a process template: ${put.text}`);
    for (const op of ['archive', 'restore']) {
      const r = await req(srv, 'POST', `/api/v1/process-templates/${tpl.id}/${op}`, { auth });
      assert.equal(r.status, admin ? 200 : 403, `${a} ${op}s a process template: ${r.text}`);
    }
  }
});

test('running processes: started on, seen on and cancelled on exactly the deals one may read', async () => {
  const tpl = (await req(srv, 'GET', '/api/v1/process-templates')).body.data.find((t) => t.key === 'offer_approval');
  for (const a of ACTORS()) {
    const auth = users[a].token;
    for (const rec of records.deals) {
      const ok = can(a, 'deals', rec, 'read');
      const r = await req(srv, 'POST', '/api/v1/process-instances', { auth, body: { template_id: tpl.id, entity: 'deals', record_id: rec.id } });
      assert.equal(r.status, ok ? 201 : 404, `${a} starts a process on ${rec.owner}'s deal: ${r.text}`);
      if (!ok) continue;
      const seen = await req(srv, 'GET', `/api/v1/process-instances?record=deals:${rec.id}`, { auth });
      assert.ok(seen.body.data.some((x) => x.id === r.body.id), `${a} sees the process on ${rec.owner}'s deal`);
      for (const b of ACTORS()) {
        const g = await req(srv, 'GET', `/api/v1/process-instances/${r.body.id}`, { auth: users[b].token });
        assert.equal(g.status, can(b, 'deals', rec, 'read') ? 200 : 404, `${b} reads ${a}'s process on ${rec.owner}'s deal`);
      }
      const c = await req(srv, 'POST', `/api/v1/process-instances/${r.body.id}/cancel`, { auth });
      assert.equal(c.status, 200, `${a} cancels the process they started: ${c.text}`);
    }
  }
});
