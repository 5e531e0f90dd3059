// Administration → Processes, the list: an admin sees the shipped templates ready to
// run, opens one to read its trigger, steps and versions, sees a template that can no longer run
// (its responsible user was disabled) with the reason, and finds an archived one under "Archived".
// Real server, real Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addUser, disableUser } from '../lib/helpers.mjs';
import { api, setup, signIn, withPage } from './helpers.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
  assert.deepEqual(env?.pageErrors.map(String) ?? [], []);
});

test('an admin reads the process templates, their state, steps and versions', async () => {
  addUser(env.srv, 'leaver@example.com', 'amber otter juggles seventeen lanterns', { name: 'Leaver' });
  const leaver = (await api(env.srv, 'GET', '/api/v1/users')).body.data.find((u) => u.email === 'leaver@example.com');
  const def = {
    key: 'handover', name: 'Handover', entity: 'companies', trigger: { type: 'created' }, start: 'check',
    steps: [
      { id: 'check', kind: 'task', name: 'Check the company', responsible: { user: leaver.id }, next: 'done' },
      { id: 'done', kind: 'end', name: 'Done' },
    ],
  };
  const made = await api(env.srv, 'POST', '/api/v1/process-templates', def);
  assert.equal(made.status, 201, made.text);
  const renamed = await api(env.srv, 'PUT', `/api/v1/process-templates/${made.body.id}`, { ...def, name: 'Company handover' });
  assert.equal(renamed.body.version, 2);
  disableUser(env.srv, 'leaver@example.com');
  const old = await api(env.srv, 'POST', '/api/v1/process-templates', { ...def, key: 'old_way', name: 'The old way',
    steps: [{ id: 'done', kind: 'end', name: 'Done' }], start: 'done' });
  assert.equal((await api(env.srv, 'POST', `/api/v1/process-templates/${old.body.id}/archive`)).status, 200);

  await withPage(env, 'processes-list', async (page) => {
    await signIn(page, env.srv);
    // The templates under Administration (the other "Processes" in the menu is the monitor).
    await page.locator('nav a[href="#/admin/processes"]').click();
    await page.getByRole('heading', { name: 'Processes', level: 1 }).waitFor();
    const offer = page.locator('tr', { hasText: 'offer_approval' });
    await offer.getByText('Ready', { exact: true }).waitFor();
    await offer.getByText('Shipped').waitFor();
    assert.equal(await page.locator('tr', { hasText: 'Shipped' }).count(), 4);

    await offer.getByRole('button', { name: 'Offer approval', exact: true }).click();
    const card = page.getByRole('article', { name: 'Offer approval' });
    await card.getByText('Starts by hand on a record.').waitFor();
    await card.getByText('Approve the offer').waitFor();
    await card.getByText(/^Version 1, saved /).waitFor();

    const handover = page.locator('tr', { hasText: 'handover' });
    await handover.getByText('Cannot run', { exact: true }).waitFor();
    await handover.getByRole('button', { name: 'Company handover', exact: true }).click();
    const why = page.getByRole('article', { name: 'Company handover' });
    await why.getByText('Why it cannot run').waitFor();
    await why.getByText(`step 'check': no active user has id ${leaver.id}`).waitFor();
    await why.getByText(/^Version 2, saved /).waitFor();
    await why.getByText(/^Version 1, saved /).waitFor();
    assert.equal(await page.locator('tr', { hasText: 'The old way' }).count(), 0);

    await page.getByRole('button', { name: 'Archived' }).click();
    await page.locator('tr', { hasText: 'The old way' }).waitFor();
    assert.equal(await page.locator('tr', { hasText: 'offer_approval' }).count(), 0);
  });
});
