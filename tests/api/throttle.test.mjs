// Sign-in throttling: 5 failures lock an account for 15 minutes (429 with
// Retry-After, and a message saying how to get back in), 20 from one
// address lock the address; a success clears the account's count; an
// administrator unlocks with the API or `crm user unlock`. Every test has a
// server of its own, since all test clients share the address 127.0.0.1.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { stopClean, req, assertProblem, login, addUser, crmOk } from '../lib/helpers.mjs';

let srv;
beforeEach(async () => { srv = await startServer(); });
afterEach(async () => { await stopClean(srv); });

const PW = 'orbit saffron ladder 11';

async function failTimes(email, n) {
  for (let i = 0; i < n; i++) assertProblem((await login(srv, email, 'wrong guess 12345')).res, 401, `failure ${i + 1}`);
}

function assertLocked(res, re) {
  const p = assertProblem(res, 429);
  const ra = Number(res.headers.get('retry-after'));
  assert.ok(Number.isInteger(ra) && ra > 14 * 60 && ra <= 15 * 60, `Retry-After about 15 min: ${res.headers.get('retry-after')}`);
  assert.match(p.detail, re);
  return p;
}

test('five failures lock the account, even for the right password; others are not affected', async () => {
  addUser(srv, 'lock@example.com', PW, { name: 'Lo Ck' });
  addUser(srv, 'free@example.com', PW, { name: 'Fr Ee' });
  await failTimes('lock@example.com', 5);
  const p = assertLocked((await login(srv, 'lock@example.com', PW)).res,
                         /Too many failed sign-ins for this account\. Try again in 15 minutes, or ask an administrator to unlock it/);
  assert.ok(!('errors' in p));
  assertLocked((await login(srv, 'LOCK@example.com', 'wrong again 123')).res, /this account/);
  assert.equal((await login(srv, 'free@example.com', PW)).res.status, 200, 'another account signs in');
});

test('an unknown email is locked the same way, so a lock tells nothing about who exists', async () => {
  await failTimes('nobody@example.com', 5);
  assertLocked((await login(srv, 'nobody@example.com', 'anything at all')).res, /this account/);
});

test('a success clears the account\'s count', async () => {
  addUser(srv, 'oops@example.com', PW, { name: 'Oo Ps' });
  await failTimes('oops@example.com', 4);
  assert.equal((await login(srv, 'oops@example.com', PW)).res.status, 200);
  await failTimes('oops@example.com', 4);
  assert.equal((await login(srv, 'oops@example.com', PW)).res.status, 200, 'four more failures do not lock it');
});

test('an administrator unlocks with the API (admins only) or the CLI', async () => {
  addUser(srv, 'unl@example.com', PW, { name: 'Un Lk' });
  addUser(srv, 'free@example.com', PW, { name: 'Fr Ee' });
  await failTimes('unl@example.com', 5);
  assertLocked((await login(srv, 'unl@example.com', PW)).res, /this account/);
  const free = await login(srv, 'free@example.com', PW);
  assertProblem(await req(srv, 'POST', '/api/v1/auth/unlock', { auth: free.auth, body: { email: 'unl@example.com' } }), 403);
  assert.equal((await req(srv, 'POST', '/api/v1/auth/unlock', { body: { email: 'UNL@example.com' } })).status, 204);
  assert.equal((await login(srv, 'unl@example.com', PW)).res.status, 200, 'unlocked by the API');
  await failTimes('unl@example.com', 5);
  assertLocked((await login(srv, 'unl@example.com', PW)).res, /this account/);
  assert.match(crmOk(['user', 'unlock', 'unl@example.com', '--db', srv.db]), /unlocked/);
  assert.equal((await login(srv, 'unl@example.com', PW)).res.status, 200, 'unlocked by the CLI');
});

test('twenty failures from one address answer 429 for any account from it', async () => {
  addUser(srv, 'free@example.com', PW, { name: 'Fr Ee' });
  // Spread over new emails, so no account reaches its own limit first.
  for (let i = 0; i < 30; i++) {
    const r = (await login(srv, `spray${i}@example.com`, 'wrong guess 12345')).res;
    if (r.status === 429) {
      const p = assertProblem(r, 429);
      assert.match(p.detail, /network address/);
      assert.ok(Number(r.headers.get('retry-after')) > 0);
      const ok = (await login(srv, 'free@example.com', PW)).res;
      assertProblem(ok, 429, 'even the right password of another account, from this address');
      assert.equal(i, 20, 'the 21st attempt is the first refused');
      return;
    }
    assert.equal(r.status, 401, r.text);
  }
  assert.fail('the address was never throttled');
});
