// Documents in the browser: a PNG chosen with the file picker and a PDF dropped on a company's
// Documents card are listed with their type and size; the PNG previews inline; the PDF downloads
// byte for byte and opens in a tab of its own; HTML bytes named .png show the server's reason;
// a document deleted after confirmation leaves the list and the API's, and comes back from the
// card's trash.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { api, create, setup, signIn, withPage } from './helpers.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

// A real 1×1 PNG, so that the browser can draw it.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** A small well-formed PDF with one empty page. */
function pdfBytes() {
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const card = (page) => page.locator('.documents-card');
const row = (page, name) => card(page).locator('tbody tr', { hasText: name });

test('files uploaded to a company are listed, previewed, downloaded, refused when disguised and deleted', async () => {
  const company = await create(env.srv, 'companies', { name: 'Paperwork Ltd' });
  const pdf = pdfBytes();
  await withPage(env, 'documents-card', async (page) => {
    await signIn(page, env.srv, { hash: `#/companies/${company.id}` });
    await card(page).getByRole('heading', { name: 'Documents' }).waitFor();
    await card(page).getByText('No documents yet').waitFor();

    // The file picker: a PNG.
    const post = page.waitForResponse((r) => r.url().endsWith(`/companies/${company.id}/documents`) && r.request().method() === 'POST');
    await card(page).getByLabel('Upload files').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG });
    assert.equal((await post).status(), 201);
    await row(page, 'logo.png').waitFor();
    assert.match(await row(page, 'logo.png').innerText(), /PNG/);
    assert.match(await row(page, 'logo.png').innerText(), /Ada Admin/);

    // Dropping a PDF on the card uploads it too.
    const dropped = page.waitForResponse((r) => r.url().endsWith(`/companies/${company.id}/documents`) && r.request().method() === 'POST');
    const transfer = await page.evaluateHandle((bytes) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], 'offer.pdf', { type: 'application/pdf' }));
      return dt;
    }, [...pdf]);
    await card(page).dispatchEvent('dragover', { dataTransfer: transfer });
    await card(page).dispatchEvent('drop', { dataTransfer: transfer });
    assert.equal((await dropped).status(), 201);
    await row(page, 'offer.pdf').waitFor();
    assert.match(await row(page, 'offer.pdf').innerText(), /PDF/);
    // Newest first.
    assert.match(await card(page).locator('tbody tr').first().innerText(), /offer\.pdf/);

    // The PNG previews inline: a thumbnail that loaded, and a larger view on request.
    const thumb = row(page, 'logo.png').locator('img');
    assert.equal(await thumb.getAttribute('src'), `/api/v1/documents/${(await api(env.srv, 'GET', `/api/v1/companies/${company.id}/documents`)).body.data[1].id}/content?inline=1`);
    await page.waitForFunction((el) => el.complete && el.naturalWidth === 1, await thumb.elementHandle());
    await card(page).getByRole('button', { name: 'Preview logo.png' }).click();
    const big = card(page).getByRole('img', { name: 'logo.png' });
    await big.waitFor();
    await page.waitForFunction((el) => el.complete && el.naturalWidth === 1, await big.elementHandle());

    // The PDF opens in a tab of its own (the server forbids framing) and downloads byte for byte.
    const open = row(page, 'offer.pdf').getByRole('link', { name: 'Open offer.pdf' });
    assert.equal(await open.getAttribute('target'), '_blank');
    assert.match(await open.getAttribute('href'), /\/content\?inline=1$/);
    const [download] = await Promise.all([page.waitForEvent('download'), row(page, 'offer.pdf').getByRole('link', { name: 'offer.pdf', exact: true }).click()]);
    assert.equal(download.suggestedFilename(), 'offer.pdf');
    assert.deepEqual(readFileSync(await download.path()), pdf);

    // HTML bytes named .png: the server's reason is shown, and nothing is listed.
    const refused = page.waitForResponse((r) => r.url().endsWith(`/companies/${company.id}/documents`) && r.request().method() === 'POST');
    await card(page).getByLabel('Upload files').setInputFiles({ name: 'evil.png', mimeType: 'image/png', buffer: Buffer.from('<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n') });
    const res = await refused;
    assert.equal(res.status(), 422);
    const reason = (await res.json()).errors.find((e) => e.field === 'file').message;
    const alert = card(page).getByRole('alert').filter({ hasText: 'evil.png' });
    await alert.waitFor();
    assert.match(await alert.innerText(), new RegExp(reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.equal(await row(page, 'evil.png').count(), 0);

    // Deleting the PNG after confirming.
    await row(page, 'logo.png').getByRole('button', { name: 'Delete logo.png' }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Move to trash' }).click();
    await row(page, 'logo.png').waitFor({ state: 'detached' });
    const left = await api(env.srv, 'GET', `/api/v1/companies/${company.id}/documents`);
    assert.deepEqual(left.body.data.map((d) => d.name), ['offer.pdf']);

    // The card's trash lists it; Restore puts it back on the card and in the API's list.
    await card(page).getByRole('button', { name: 'Trash' }).click();
    const trash = card(page).locator('.documents-trash');
    await trash.locator('li', { hasText: 'logo.png' }).waitFor();
    await trash.getByRole('button', { name: 'Restore logo.png' }).click();
    await row(page, 'logo.png').waitFor();
    await trash.getByText('The trash is empty').waitFor();
    const back = await api(env.srv, 'GET', `/api/v1/companies/${company.id}/documents`);
    assert.deepEqual(back.body.data.map((d) => d.name).sort(), ['logo.png', 'offer.pdf']);
  });
  assert.deepEqual(env.pageErrors, []);
});

test('an activity’s page has a Documents card too', async () => {
  const a = await create(env.srv, 'activities', { kind: 'task', subject: 'Sign the contract', due_at: '2030-01-05T09:00:00Z' });
  await withPage(env, 'documents-activity', async (page) => {
    await signIn(page, env.srv, { hash: `#/activities/${a.id}` });
    await card(page).getByRole('heading', { name: 'Documents' }).waitFor();
    await card(page).getByLabel('Upload files').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Call back on Monday.\n') });
    await row(page, 'notes.txt').waitFor();
    assert.match(await row(page, 'notes.txt').innerText(), /Text/);
  });
});

test('a file over the server’s size limit shows “too large”', async () => {
  // A server of its own with a 1 KiB limit: the body is refused as soon as it is announced.
  const small = await setup({ args: ['--max-upload', '1K'] });
  try {
    const company = await create(small.srv, 'companies', { name: 'Big Files Inc' });
    await withPage(small, 'documents-too-large', async (page) => {
      await signIn(page, small.srv, { hash: `#/companies/${company.id}` });
      await card(page).getByText('No documents yet').waitFor();
      await card(page).getByLabel('Upload files').setInputFiles({ name: 'big.txt', mimeType: 'text/plain', buffer: Buffer.alloc(2 * 1024 * 1024, 'a') });
      const alert = card(page).getByRole('alert').filter({ hasText: 'big.txt' });
      await alert.waitFor();
      assert.match(await alert.innerText(), /larger than the server accepts/);
      const list = await api(small.srv, 'GET', `/api/v1/companies/${company.id}/documents`);
      assert.deepEqual(list.body.data, []);
    });
  } finally {
    await small.close();
  }
});
