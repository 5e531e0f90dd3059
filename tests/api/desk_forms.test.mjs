// The service desk's public side (issue 13): web forms an administrator
// keeps (and nobody else), their page embeddable only on the sites they
// allow, submissions without a session becoming tickets of channel "form"
// with the client matched by email, floods refused with 429 and
// Retry-After per client address and per form (counted in the database,
// so two servers sharing it count together), the honeypot, size limits on
// every input, hostile HTML kept as text and never echoed as markup; and
// the satisfaction question: a resolved
// ticket's client gets a mail (through a real SMTP server) whose link
// records a rating and comment once, while a used or expired link says so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { PG, pgSql, startServer } from '../lib/server.mjs';
import { stopClean, req, assertProblem, assertInvalid, createOk, createToken, until } from '../lib/helpers.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';
const HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>';

let srv;
let sink;
let agent;          // a support agent: no admin rights

// One request from a chosen loopback address (the whole 127/8 is this
// machine), so that "another client" is a real other address.
function post(path, body, { from = '127.0.0.1', type = 'application/json', headers = {}, server = srv } = {}) {
  const u = new URL(server.url);
  const data = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const r = http.request({ host: u.hostname, port: u.port, method: 'POST', path, localAddress: from, agent: false,
                             headers: { 'Content-Type': type, 'Content-Length': data.length, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: { get: (k) => res.headers[k.toLowerCase()] }, text, body: json });
      });
    });
    r.on('error', reject);
    r.end(data);
  });
}
const formEncode = (o) => new URLSearchParams(o).toString();
const submit = (key, body, opts) => post(`/api/v1/public/forms/${key}/tickets`, body, opts);
const page = (path, headers = {}) => req(srv, 'GET', path, { auth: null, headers: { Accept: 'text/html', ...headers } });
const formTickets = async () => (await req(srv, 'GET', '/api/v1/tickets?channel=form&limit=200')).body.data;

function sql(q) {
  return PG ? pgSql(q, srv.db) : execFileSync('sqlite3', ['-batch', '-cmd', '.timeout 10000', srv.db, q], { encoding: 'utf8' });
}
const mails = () => sink.mails();
// The satisfaction link mailed to addr for ticket id (waits for the mail).
async function linkFor(addr, id) {
  let m;
  await until(`the satisfaction mail to ${addr}`, () => {
    m = mails().find((x) => x.to.includes(addr) && x.data.includes(`#${id}`));
    return Boolean(m);
  }, { srv });
  const found = /\/r\/([A-Za-z0-9_-]+)/.exec(m.data);
  assert.ok(found, `a link in ${m.data}`);
  return `/r/${found[1]}`;
}

before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({ args: ['--smtp-url', sink.url, '--smtp-from', 'desk@example.com', '--smtp-retry', '1s'] });
  const roles = Object.fromEntries((await req(srv, 'GET', '/api/v1/roles')).body.data.map((r) => [r.builtin, r]));
  const u = await createOk(srv, 'users', { email: 'agent@example.com', name: 'Agent', password: 'saffron lighthouse quill 27',
                                           department_id: 1, role_id: roles.support.id });
  agent = createToken(srv, u.email, 'agent');
});
after(async () => {
  await stopClean(srv);
  if (sink) await sink.stop();
});

test('administrators keep web forms; the server makes the public key; others may not read or write them', async () => {
  const q = await createOk(srv, 'queues', { name: 'Web queue' });
  const f = await createOk(srv, 'desk/forms', { name: 'Footer form', origins: ['https://shop.example', 'http://localhost:8080'],
                                               fields: ['name', 'email', 'phone', 'message'], queue_id: q.id, priority: 'high' });
  assert.match(f.public_key, /^[A-Za-z0-9_-]{32}$/);
  assert.equal(f.enabled, true);
  assert.deepEqual([f.address_max, f.address_window_min, f.form_max, f.form_window_min], [5, 10, 200, 60]);
  const other = await createOk(srv, 'desk/forms', { name: 'Other form' });
  assert.notEqual(other.public_key, f.public_key);
  assert.deepEqual(other.fields, ['name', 'email', 'subject', 'message']);
  // The key is the server's, never the client's.
  assertInvalid(await req(srv, 'PATCH', `/api/v1/desk/forms/${f.id}`, { body: { public_key: 'mine' } }), ['public_key']);
  assertInvalid(await req(srv, 'POST', '/api/v1/desk/forms', { body: { name: 'Bad', origins: ['https://shop.example/path', 'javascript:x'],
    fields: ['email'], priority: 'asap', address_max: 0, queue_id: 999999 } }),
  ['origins', 'fields', 'priority', 'address_max', 'queue_id']);
  assertProblem(await req(srv, 'POST', '/api/v1/desk/forms', { body: { name: 'Footer form' } }), 409);
  // A queue a form names is in use.
  assertProblem(await req(srv, 'DELETE', `/api/v1/queues/${q.id}`), 409);
  for (const [m, p, body] of [['GET', '/api/v1/desk/forms'], ['GET', `/api/v1/desk/forms/${f.id}`],
    ['POST', '/api/v1/desk/forms', { name: 'Mine' }], ['PATCH', `/api/v1/desk/forms/${f.id}`, { enabled: false }],
    ['DELETE', `/api/v1/desk/forms/${f.id}`]]) {
    assertProblem(await req(srv, m, p, { body, auth: agent }), 403, `${m} ${p}`);
  }
  assertProblem(await req(srv, 'GET', '/api/v1/desk/forms', { auth: null }), 401);
  const changed = await req(srv, 'PATCH', `/api/v1/desk/forms/${other.id}`, { body: { title: 'Write to us', thanks: 'Got it!' } });
  assert.equal(changed.status, 200, changed.text);
  assert.equal(changed.body.public_key, other.public_key, 'the key stays');
  const audit = await req(srv, 'GET', '/api/v1/audit?entity=web_forms&limit=50');
  assert.ok(audit.body.data.some((e) => e.action === 'web_forms.create' && e.record_id === f.id), 'audited');
  assert.equal((await req(srv, 'DELETE', `/api/v1/desk/forms/${other.id}`)).status, 204);
  assertProblem(await req(srv, 'GET', `/api/v1/desk/forms/${other.id}`), 404);
});

test('the form page is self-contained, framed only by the allowed sites, and escapes what it shows', async () => {
  const f = await createOk(srv, 'desk/forms', { name: 'Framed', title: HOSTILE, origins: ['https://shop.example'] });
  const r = await page(`/f/${f.public_key}`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  const csp = r.headers.get('content-security-policy');
  assert.match(csp, /frame-ancestors 'self' https:\/\/shop\.example$/);
  assert.match(csp, /default-src 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|script-src/);
  assert.equal(r.headers.get('x-frame-options'), null, 'frame-ancestors decides');
  assert.ok(!r.text.includes('<script') && !r.text.includes('<img'), 'no markup from the title');
  assert.ok(r.text.includes('&lt;script&gt;alert(2)&lt;/script&gt;'));
  assert.match(r.text, new RegExp(`<form method="post" action="/api/v1/public/forms/${f.public_key}/tickets">`));
  assert.match(r.text, /name="website"/, 'the honeypot');
  // Everything else keeps the strict headers.
  const api = await req(srv, 'GET', '/api/v1/desk/forms');
  assert.equal(api.headers.get('x-frame-options'), 'DENY');
  assert.match(api.headers.get('content-security-policy'), /frame-ancestors 'none'/);
  // Unknown and malformed keys: a page for a browser, problem+json otherwise.
  const missing = await page('/f/NoSuchKeyAtAll');
  assert.equal(missing.status, 404);
  assert.match(missing.headers.get('content-type'), /^text\/html/);
  assert.match(missing.headers.get('content-security-policy'), /frame-ancestors 'none'/);
  assertProblem(await req(srv, 'GET', '/f/%3Cscript%3E', { auth: null }), 404);
});

test('an allowed origin cannot carry header or policy syntax into the page\'s Content-Security-Policy', async () => {
  const f = await createOk(srv, 'desk/forms', { name: 'Policy', origins: ['https://shop.example'] });
  for (const o of ["https://a.example; script-src 'unsafe-inline'", 'https://a.example https://b.example', '*',
    'https://*.example', 'https://a.example,https://b.example', 'https://a.example\r\nX-Evil: 1', "'self'", 'data:',
    'https://a.example:', 'https://a.example:123456', 'https://', 'HTTPS://a.example']) {
    assertInvalid(await req(srv, 'PATCH', `/api/v1/desk/forms/${f.id}`, { body: { origins: [o] } }), ['origins'], o);
  }
  const p = await page(`/f/${f.public_key}`);
  assert.equal(p.status, 200);
  assert.match(p.headers.get('content-security-policy'), /frame-ancestors 'self' https:\/\/shop\.example$/);
});

test('a submission without a session becomes a ticket of the form, matched to its contact, audited as the form', async () => {
  const q = await createOk(srv, 'queues', { name: 'Form queue' });
  const f = await createOk(srv, 'desk/forms', { name: 'Intake', fields: ['name', 'email', 'phone', 'subject', 'message'],
                                               queue_id: q.id, category: 'billing', priority: 'high' });
  const contact = await createOk(srv, 'contacts', { first_name: 'Known', last_name: 'Client', emails: ['known@example.com'] });
  const r = await submit(f.public_key, { name: 'Known Client', email: 'known@example.com', phone: '+1 555 0100',
                                         subject: 'Invoice', message: 'Please send the invoice again.' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.received, true);
  const t = (await req(srv, 'GET', `/api/v1/tickets/${r.body.ticket_id}`)).body;
  assert.equal(t.channel, 'form');
  assert.equal(t.subject, 'Invoice');
  assert.equal(t.description, 'Name: Known Client\n\nPlease send the invoice again.');
  assert.equal(t.contact_id, contact.id);
  assert.equal(t.queue_id, q.id);
  assert.equal(t.category, 'billing');
  assert.equal(t.priority, 'high');
  assert.equal(t.status, 'new');
  const audit = await req(srv, 'GET', `/api/v1/audit?entity=web_forms&limit=50`);
  const e = audit.body.data.find((x) => x.action === 'web_form.submit' && x.detail.ticket_id === t.id);
  assert.ok(e, 'audited as the form');
  assert.equal(e.record_id, f.id);
  assert.equal(e.detail.form, 'Intake');
  assert.equal(e.detail.address, '127.0.0.1');
  // Without a subject, the message's first line is one.
  const r2 = await submit(f.public_key, { email: 'x@example.com', message: 'First line\nSecond line' });
  assert.equal(r2.status, 201, r2.text);
  assert.equal((await req(srv, 'GET', `/api/v1/tickets/${r2.body.ticket_id}`)).body.subject, 'First line');
  // A plain HTML post (no script) answers a page, framed like the form.
  const p = await submit(f.public_key, formEncode({ email: 'html@example.com', message: 'From a browser without JavaScript' }),
                         { type: 'application/x-www-form-urlencoded' });
  assert.equal(p.status, 200, p.text);
  assert.match(p.headers.get('content-type'), /^text\/html/);
  assert.match(p.text, /Thank you!/);
  assert.match(p.headers.get('content-security-policy'), /frame-ancestors 'self'/);
  assert.ok((await formTickets()).some((x) => x.email === 'html@example.com'));
});

test('bad input is refused field by field, and hostile HTML is stored as text and never echoed as markup', async () => {
  const f = await createOk(srv, 'desk/forms', { name: 'Strict', fields: ['name', 'email', 'phone', 'subject', 'message'],
                                               address_max: 100 });
  const before = (await formTickets()).length;
  assertInvalid(await submit(f.public_key, { email: 'not an email', message: 'hi' }), ['email']);
  assertInvalid(await submit(f.public_key, { email: 'a@example.com', phone: 'call me', message: 'hi' }), ['phone']);
  assertInvalid(await submit(f.public_key, { email: 'a@example.com' }), ['message']);
  assertInvalid(await submit(f.public_key, { message: 'no address' }), ['email']);
  assertInvalid(await submit(f.public_key, { email: 'a@example.com', message: 'x'.repeat(10001) }), ['message']);
  assertInvalid(await submit(f.public_key, { email: 'a@example.com', message: 'hi', name: 'n'.repeat(201) }), ['name']);
  assertInvalid(await submit(f.public_key, { email: 'a@example.com', message: 'hi', subject: 's'.repeat(301) }), ['subject']);
  assertInvalid(await submit(f.public_key, { email: 'a@example.com', message: 'hi', company: 'ACME' }), ['company']);
  assertInvalid(await submit(f.public_key, { email: 'a@example.com', message: 7 }), ['message']);
  assertProblem(await submit(f.public_key, { email: 'a@example.com', message: 'a\u0000b' }), 400);
  const nul = await submit(f.public_key, 'email=a%40example.com&message=a%00b', { type: 'application/x-www-form-urlencoded' });
  assert.equal(nul.status, 400, nul.text);
  assertProblem(await submit(f.public_key, '{"message": "x"', {}), 400);
  assertProblem(await submit(f.public_key, 'message=hi', { type: 'text/plain' }), 415);
  // The largest allowed values pass.
  const max = await submit(f.public_key, { email: 'max@example.com', message: 'm'.repeat(10000), name: 'n'.repeat(200) });
  assert.equal(max.status, 201, max.text);
  // Hostile HTML: the same text back from the API.
  const h = await submit(f.public_key, { email: 'h@example.com', subject: HOSTILE, message: `${HOSTILE}\nmore`, name: HOSTILE });
  assert.equal(h.status, 201, h.text);
  const t = (await req(srv, 'GET', `/api/v1/tickets/${h.body.ticket_id}`)).body;
  assert.equal(t.subject, HOSTILE);
  assert.equal(t.description, `Name: ${HOSTILE}\n\n${HOSTILE}\nmore`);
  // A refused form post shows the form again with the values escaped and the error named.
  const p = await submit(f.public_key, formEncode({ email: 'bad', message: HOSTILE, name: '"><script>alert(3)</script>' }),
                         { type: 'application/x-www-form-urlencoded' });
  assert.equal(p.status, 422, p.text);
  assert.match(p.headers.get('content-type'), /^text\/html/);
  assert.ok(!p.text.includes('<script') && !p.text.includes('<img'), 'nothing echoed as markup');
  assert.ok(p.text.includes('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'));
  assert.match(p.text, /aria-invalid="true" aria-describedby="f-email-err"/);
  assert.match(p.text, /is not an email address/);
  // A malformed form body.
  const bad = await submit(f.public_key, 'message=%zz&email=a%40b.example', { type: 'application/x-www-form-urlencoded' });
  assert.equal(bad.status, 400);
  assert.equal((await formTickets()).length, before + 2, 'only the two good ones were made');
});

// A multipart/form-data body as a browser sends it: parts of [name, value] or [name, value, filename].
function multipart(parts, boundary = '----crmFormBoundary7MA4YWxk') {
  const body = parts.map(([name, value, filename]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"`
    + (filename !== undefined ? `; filename="${filename}"\r\nContent-Type: application/octet-stream` : '')
    + `\r\n\r\n${value}\r\n`).join('') + `--${boundary}--\r\n`;
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

test('a multipart/form-data post is taken like a form post; files, bad bodies and oversize ones are refused with a page', async () => {
  const f = await createOk(srv, 'desk/forms', { name: 'Multipart', fields: ['name', 'email', 'subject', 'message'], address_max: 100 });
  const before = (await formTickets()).length;
  const send = (parts, opts = {}) => {
    const m = multipart(parts, opts.boundary);
    return submit(f.public_key, opts.raw ?? m.body, { type: opts.type ?? m.type });
  };
  const isPage = (r, status, text) => {
    assert.equal(r.status, status, r.text);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.match(r.text, text);
  };
  // Taken: the same thank-you page as a urlencoded post; an empty file input (nothing chosen) is left out.
  const ok = await send([['name', 'Multi Part'], ['email', 'multi@example.com'], ['subject', 'Über multipart'],
    ['message', 'line one\r\nline two'], ['attachment', '', ''], ['website', '']]);
  isPage(ok, 200, /Thank you!/);
  const t = (await formTickets()).find((x) => x.email === 'multi@example.com');
  assert.ok(t, 'the ticket was made');
  assert.equal(t.subject, 'Über multipart');
  assert.equal(t.description, 'Name: Multi Part\n\nline one\r\nline two');
  // A file: refused, nothing made.
  isPage(await send([['email', 'file@example.com'], ['message', 'see file'], ['upload', 'MZ\x90\x00binary', 'evil.exe']]), 400, /takes no files/);
  // Bad field values: the form again, 422, naming the field (the same limits as any post).
  const long = await send([['email', 'long@example.com'], ['message', 'm'.repeat(10001)]]);
  isPage(long, 422, /f-message-err/);
  isPage(await send([['email', 'x@example.com'], ['message', 'hi'], ['company', 'ACME']]), 422, /Please check/);
  // Malformed: no boundary, a boundary other than the body's, a body that stops, a field twice, too many parts.
  isPage(await send([['message', 'hi']], { type: 'multipart/form-data' }), 400, /boundary/);
  isPage(await send([['message', 'hi']], { type: 'multipart/form-data; boundary=other' }), 400, /could not be read/);
  isPage(await send([], { raw: '--b\r\nContent-Disposition: form-data; name="message"\r\n\r\nhi', type: 'multipart/form-data; boundary=b' }), 400, /could not be read/);
  isPage(await send([['message', 'a'], ['message', 'b'], ['email', 'twice@example.com']]), 400, /could not be read/);
  isPage(await send(Array.from({ length: 17 }, (_, i) => [`f${i}`, 'x'])), 400, /more, or longer, parts/);
  // Larger than any request may be: refused before the form sees it.
  const huge = await send([['email', 'huge@example.com'], ['message', 'h'.repeat(1024 * 1024 + 1)]]);
  assert.equal(huge.status, 413);
  // A cross-site form post the form does not allow: a page too.
  const m = multipart([['email', 'c@example.com'], ['message', 'from elsewhere']]);
  isPage(await submit(f.public_key, m.body, { type: m.type, headers: { Origin: 'https://evil.example' } }), 403, /Not accepted from this site/);
  assert.equal((await formTickets()).length, before + 1);
});

test('the subject comes from the first line with words; a blank message is missing, not a broken ticket', async () => {
  const f = await createOk(srv, 'desk/forms', { name: 'Blank lines', address_max: 100 });
  const r = await submit(f.public_key, { email: 'lines@example.com', subject: '  ', message: '\n\r\n  \nPrinter on fire\nsecond' });
  assert.equal(r.status, 201, r.text);
  const t = (await req(srv, 'GET', `/api/v1/tickets/${r.body.ticket_id}`)).body;
  assert.equal(t.subject, 'Printer on fire');
  assertInvalid(await submit(f.public_key, { email: 'lines@example.com', message: ' \n\t\r\n' }), ['message']);
  const p = await submit(f.public_key, formEncode({ email: 'lines@example.com', message: '\r\n\r\n' }),
                         { type: 'application/x-www-form-urlencoded', headers: { Accept: 'text/html' } });
  assert.equal(p.status, 422, p.text);
  assert.match(p.text, /aria-describedby="f-message-err"/);
});

test('the honeypot catches robots: the answer looks the same, no ticket is made', async () => {
  const f = await createOk(srv, 'desk/forms', { name: 'Honeypot', address_max: 100 });
  const before = (await formTickets()).length;
  const r = await submit(f.public_key, { email: 'bot@example.com', message: 'Cheap pills', website: 'http://spam.example' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.body, { received: true });
  const p = await submit(f.public_key, formEncode({ email: 'bot@example.com', message: 'Cheap pills', website: 'x' }),
                         { type: 'application/x-www-form-urlencoded' });
  assert.equal(p.status, 200);
  assert.match(p.text, /Thank you!/);
  assert.equal((await formTickets()).length, before);
  const audit = await req(srv, 'GET', '/api/v1/audit?entity=web_forms&limit=50');
  assert.ok(audit.body.data.some((e) => e.action === 'web_form.honeypot' && e.record_id === f.id));
});

test('floods are refused with 429 and Retry-After: per client address, then per form', async () => {
  const f = await createOk(srv, 'desk/forms', { name: 'Flood', address_max: 2, address_window_min: 10, form_max: 3,
                                               form_window_min: 60 });
  const other = await createOk(srv, 'desk/forms', { name: 'Flood elsewhere', address_max: 2 });
  const ok = (from) => submit(f.public_key, { email: 'f@example.com', message: `from ${from}` }, { from });
  assert.equal((await ok('127.0.0.1')).status, 201);
  assert.equal((await ok('127.0.0.1')).status, 201);
  const third = await ok('127.0.0.1');
  assertProblem(third, 429);
  const wait = Number(third.headers.get('retry-after'));
  assert.ok(Number.isInteger(wait) && wait > 0 && wait <= 600, `Retry-After ${third.headers.get('retry-after')}`);
  assert.match(third.body.detail, /network address/);
  // The same address may still use another form; another address this one.
  assert.equal((await submit(other.public_key, { email: 'f@example.com', message: 'other form' })).status, 201);
  assert.equal((await ok('127.0.0.2')).status, 201);
  // Three in all: the form takes no more from anyone for the next hour.
  const fourth = await ok('127.0.0.3');
  assertProblem(fourth, 429);
  assert.match(fourth.body.detail, /this form/);
  const wait2 = Number(fourth.headers.get('retry-after'));
  assert.ok(wait2 > 600 && wait2 <= 3600, `Retry-After ${wait2}`);
  // A refused one counts nothing, and a browser gets a page saying so.
  const p = await submit(f.public_key, formEncode({ email: 'f@example.com', message: 'again' }),
                         { type: 'application/x-www-form-urlencoded', from: '127.0.0.4' });
  assert.equal(p.status, 429);
  assert.match(p.headers.get('content-type'), /^text\/html/);
  assert.ok(Number(p.headers.get('retry-after')) > 0);
  assert.equal((await formTickets()).filter((t) => t.email === 'f@example.com').length, 4);
  // The counts live in the database: a limit raised by the admin applies at once.
  await req(srv, 'PATCH', `/api/v1/desk/forms/${f.id}`, { body: { form_max: 10 } });
  assert.equal((await ok('127.0.0.3')).status, 201);
});

test('two servers on one database count the same submissions: the form takes exactly its limit', async () => {
  const f = await createOk(srv, 'desk/forms', { name: 'Shared', address_max: 100, form_max: 4 });
  const second = await startServer({ db: srv.db });
  try {
    const sent = await Promise.all(Array.from({ length: 10 }, (_, i) => submit(f.public_key,
      { email: 'shared@example.com', message: `number ${i}` }, { server: i % 2 ? second : srv, from: `127.0.0.${10 + i}` })));
    const codes = sent.map((r) => r.status).sort();
    assert.deepEqual(codes, [201, 201, 201, 201, 429, 429, 429, 429, 429, 429], sent.map((r) => r.text).join('\n'));
    assert.equal((await formTickets()).filter((t) => t.email === 'shared@example.com').length, 4);
  } finally {
    await stopClean(second);
  }
});

test('a turned-off or unknown form takes nothing, and other sites may post only when allowed', async () => {
  const f = await createOk(srv, 'desk/forms', { name: 'Switch', origins: ['https://shop.example'], address_max: 100 });
  const path = `/api/v1/public/forms/${f.public_key}/tickets`;
  // CORS: the preflight and the post from an allowed site, refused from others.
  const pre = await req(srv, 'OPTIONS', path, { auth: null, headers: { Origin: 'https://shop.example',
    'Access-Control-Request-Method': 'POST' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), 'https://shop.example');
  assert.match(pre.headers.get('access-control-allow-headers'), /Content-Type/);
  assertProblem(await req(srv, 'OPTIONS', path, { auth: null, headers: { Origin: 'https://evil.example' } }), 403);
  const from = await submit(f.public_key, { email: 'c@example.com', message: 'from the shop' }, { headers: { Origin: 'https://shop.example' } });
  assert.equal(from.status, 201, from.text);
  assert.equal(from.headers.get('access-control-allow-origin'), 'https://shop.example');
  const before = (await formTickets()).length;
  assertProblem(await submit(f.public_key, { email: 'c@example.com', message: 'from elsewhere' },
                             { headers: { Origin: 'https://evil.example' } }), 403);
  // Turned off: gone for the public, kept for the admin.
  await req(srv, 'PATCH', `/api/v1/desk/forms/${f.id}`, { body: { enabled: false } });
  assertProblem(await submit(f.public_key, { email: 'c@example.com', message: 'hello?' }), 404);
  assert.equal((await page(`/f/${f.public_key}`)).status, 404);
  assertProblem(await submit('NoSuchKey', { email: 'c@example.com', message: 'hello?' }), 404);
  assertProblem(await submit('%3Cb%3E', { email: 'c@example.com', message: 'hello?' }), 404);
  assert.equal((await formTickets()).length, before);
  await req(srv, 'PATCH', `/api/v1/desk/forms/${f.id}`, { body: { enabled: true } });
  assert.equal((await page(`/f/${f.public_key}`)).status, 200);
});

test('a resolved ticket asks its client by mail; the link records the rating and comment once', async () => {
  const f = await createOk(srv, 'desk/forms', { name: 'Feedback', address_max: 100 });
  await createOk(srv, 'contacts', { first_name: 'Happy', emails: ['happy@example.com'] });
  const r = await submit(f.public_key, { email: 'happy@example.com', subject: 'Login problem', message: 'I cannot sign in' });
  const id = r.body.ticket_id;
  const t = (await req(srv, 'GET', `/api/v1/tickets/${id}`)).body;
  const res = await req(srv, 'PATCH', `/api/v1/tickets/${id}`, { body: { status: 'resolved' }, headers: { 'If-Match': `"${t.version}"` } });
  assert.equal(res.status, 200, res.text);
  const link = await linkFor('happy@example.com', id);
  const m = mails().find((x) => x.to.includes('happy@example.com'));
  assert.match(m.data, /Login problem/);
  // The page: five choices and a comment, framed by nobody.
  const q = await page(link);
  assert.equal(q.status, 200, q.text);
  assert.match(q.headers.get('content-security-policy'), /frame-ancestors 'none'/);
  for (let i = 1; i <= 5; i++) assert.match(q.text, new RegExp(`name="rating" value="${i}"`));
  assert.match(q.text, /name="comment"/);
  // A bad answer changes nothing.
  const bad = await post(link, formEncode({ rating: '9' }), { type: 'application/x-www-form-urlencoded' });
  assert.equal(bad.status, 422);
  assertInvalid(await post(link, { rating: 0 }), ['rating']);
  // The answer: recorded on the ticket, the comment as the client's message.
  const a = await post(link, formEncode({ rating: '4', comment: `Quick! ${HOSTILE}` }), { type: 'application/x-www-form-urlencoded' });
  assert.equal(a.status, 200, a.text);
  assert.match(a.text, /4 of 5/);
  assert.equal((await req(srv, 'GET', `/api/v1/tickets/${id}`)).body.satisfaction, 4);
  const msgs = (await req(srv, 'GET', `/api/v1/tickets/${id}/messages`)).body.data;
  const note = msgs.find((x) => x.body.includes('Quick!'));
  assert.ok(note, 'the comment is a message');
  assert.equal(note.kind, 'public');
  assert.equal(note.body, `Satisfaction 4 of 5: Quick! ${HOSTILE}`);
  const audit = await req(srv, 'GET', `/api/v1/audit?entity=tickets&record_id=${id}&limit=50`);
  assert.ok(audit.body.data.some((e) => e.action === 'ticket.satisfaction' && e.detail.rating === 4));
  // Once only.
  const again = await post(link, formEncode({ rating: '1' }), { type: 'application/x-www-form-urlencoded' });
  assert.equal(again.status, 409);
  assert.match(again.text, /answered already/);
  assertProblem(await post(link, { rating: 1 }), 409);
  const seen = await page(link);
  assert.equal(seen.status, 200);
  assert.match(seen.text, /already/);
  assert.equal((await req(srv, 'GET', `/api/v1/tickets/${id}`)).body.satisfaction, 4);
  // Unknown links.
  assertProblem(await post('/r/NoSuchToken', { rating: 5 }), 404);
  assert.equal((await page('/r/NoSuchToken')).status, 404);
});

test('an expired link, and one replaced by a later resolution, are refused with a clear page', async () => {
  const f = await createOk(srv, 'desk/forms', { name: 'Expiry', address_max: 100 });
  await createOk(srv, 'contacts', { first_name: 'Late', emails: ['late@example.com'] });
  const id = (await submit(f.public_key, { email: 'late@example.com', subject: 'Slow answer', message: 'Hello' })).body.ticket_id;
  const resolve = async () => {
    const t = (await req(srv, 'GET', `/api/v1/tickets/${id}`)).body;
    const s = await req(srv, 'PATCH', `/api/v1/tickets/${id}`, { body: { status: t.status === 'resolved' ? 'reopened' : 'resolved' } });
    assert.equal(s.status, 200, s.text);
  };
  await resolve();
  const first = await linkFor('late@example.com', id);
  // Reopened and resolved again: a new question, the first link ends.
  await resolve();
  const reopened = await post(first, { rating: 5 });
  assertProblem(reopened, 409);
  assert.match(reopened.body.detail, /opened again|expired/);
  await resolve();
  let second;
  await until('a second satisfaction mail', () => {
    const links = mails().filter((x) => x.to.includes('late@example.com')).map((x) => /\/r\/([A-Za-z0-9_-]+)/.exec(x.data)[0]);
    second = links.find((l) => l !== first);
    return Boolean(second);
  }, { srv });
  assert.equal((await page(first)).status, 410);
  // The second one expires: its time is set into the past in the database.
  sql(`UPDATE satisfaction_requests SET expires_at = 1 WHERE ticket_id = ${Number(id)}`);
  const g = await page(second);
  assert.equal(g.status, 410);
  assert.match(g.text, /expired/);
  const p = await post(second, formEncode({ rating: '5' }), { type: 'application/x-www-form-urlencoded' });
  assert.equal(p.status, 409);
  assert.match(p.text, /expired/);
  assert.equal((await req(srv, 'GET', `/api/v1/tickets/${id}`)).body.satisfaction, null);
  // Staff still set it by hand.
  const hand = await req(srv, 'PATCH', `/api/v1/tickets/${id}`, { body: { satisfaction: 3 } });
  assert.equal(hand.status, 200, hand.text);
  assert.equal(hand.body.satisfaction, 3);
});

test('only an address kept on a contact is asked: a spammer\'s typed address, resolved, gets no mail and no link', async () => {
  const f = await createOk(srv, 'desk/forms', { name: 'Spam', address_max: 100 });
  const resolve = async (id) => {
    const s = await req(srv, 'PATCH', `/api/v1/tickets/${id}`, { body: { status: 'resolved' } });
    assert.equal(s.status, 200, s.text);
  };
  const spam = (await submit(f.public_key, { email: 'victim@spam.example', subject: 'Buy now', message: 'cheap pills' })).body.ticket_id;
  assert.equal((await req(srv, 'GET', `/api/v1/tickets/${spam}`)).body.contact_id, null);
  await resolve(spam);
  // A contact made after the ticket came in is known by its address all the same.
  await createOk(srv, 'contacts', { first_name: 'Later', emails: ['Later@Example.com'] });
  const later = (await submit(f.public_key, { email: 'later@example.com', subject: 'Before', message: 'Hi' })).body.ticket_id;
  // A ticket filed by an agent for a contact, with an address typed by hand: the contact's own address is asked.
  const c = await createOk(srv, 'contacts', { first_name: 'Own', emails: ['own@example.com', 'own2@example.com'] });
  const typed = await createOk(srv, 'tickets', { subject: 'Typed', contact_id: c.id, email: 'typo@elsewhere.example' });
  await resolve(later);
  await resolve(typed.id);
  await linkFor('later@example.com', later);
  await linkFor('own@example.com', typed.id);
  const rows = (q) => Number(sql(q).trim());
  assert.equal(rows(`SELECT COUNT(*) FROM satisfaction_requests WHERE ticket_id = ${Number(spam)}`), 0);
  assert.equal(rows(`SELECT COUNT(*) FROM mail_outbox WHERE to_addr IN ('victim@spam.example', 'typo@elsewhere.example')`), 0);
  assert.ok(!mails().some((m) => m.to.includes('victim@spam.example') || m.to.includes('typo@elsewhere.example')));
});

test('no mail is sent for a ticket without a client address, nor for one rated already', async () => {
  const t = await createOk(srv, 'tickets', { subject: 'Walk-in', channel: 'phone' });
  const s = await req(srv, 'PATCH', `/api/v1/tickets/${t.id}`, { body: { status: 'resolved', satisfaction: 5 } });
  assert.equal(s.status, 200, s.text);
  const rated = await createOk(srv, 'tickets', { subject: 'Rated', email: 'rated@example.com' });
  const r = await req(srv, 'PATCH', `/api/v1/tickets/${rated.id}`, { body: { status: 'resolved', satisfaction: 5 } });
  assert.equal(r.status, 200, r.text);
  const count = Number(sql(`SELECT COUNT(*) FROM satisfaction_requests WHERE ticket_id IN (${t.id}, ${rated.id})`).trim());
  assert.equal(count, 0);
});
