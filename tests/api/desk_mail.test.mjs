// The service desk by email, against a real IMAP server (Debian's dovecot,
// run by tests/lib/imap_server.mjs) and a real SMTP sink (aiosmtpd, run by
// tests/lib/smtp_sink.py): a new mail becomes a ticket of the right client
// with its attachment as a document; replies thread by In-Reply-To and by
// the subject's token; the staff's answer is mailed with threading headers
// and the client's reply to it comes back to the same ticket; nothing is
// imported twice (a second server process, a folder read again, a new
// UIDVALIDITY); machine
// mail is ignored; huge mail and hostile HTML are handled; a wrong password
// is shown to the administrator; only administrators see the settings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { startImap } from '../lib/imap_server.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';
import { stopClean, req, createOk, assertProblem, assertInvalid, addUser, createToken, until } from '../lib/helpers.mjs';

const PASSWORD = 'amber otter juggles seventeen lanterns';
const DESK = 'desk@example.com';
const CLIENT = 'client@example.org';

let srv; let imap; let sink; let contact; let agent;

const sent = () => sink.mails();
const header = (data, name) => {
  const m = data.replace(/\r\n[ \t]+/g, ' ').match(new RegExp(`^${name}: (.*)$`, 'mi'));
  return m ? m[1].trim() : null;
};

// A mail as a client's program writes it.
let seq = 0;
function mail({ from = `Carla Client <${CLIENT}>`, subject = 'Printer on fire', id, inReplyTo, references,
                extra = [], text = 'It smokes.\nPlease help.', html, attachments = [] } = {}) {
  const mid = id || `<c${++seq}.${Date.now()}@example.org>`;
  const head = [`From: ${from}`, `To: ${DESK}`, `Subject: ${subject}`, `Message-ID: ${mid}`,
                'Date: Thu, 26 Nov 2026 10:00:00 +0000', 'MIME-Version: 1.0', ...extra];
  if (inReplyTo) head.push(`In-Reply-To: ${inReplyTo}`);
  if (references) head.push(`References: ${references}`);
  const body = html ? { type: 'text/html; charset=UTF-8', data: html } : { type: 'text/plain; charset=UTF-8', data: text };
  if (attachments.length === 0) {
    return { id: mid, raw: `${head.join('\r\n')}\r\nContent-Type: ${body.type}\r\n\r\n${body.data}\r\n` };
  }
  const b = `=-b${seq}-=`;
  const parts = [`--${b}\r\nContent-Type: ${body.type}\r\n\r\n${body.data}\r\n`];
  for (const a of attachments) {
    const b64 = a.data.toString('base64').replace(/.{76}/g, '$&\r\n');
    parts.push(`--${b}\r\nContent-Type: ${a.type}; name="${a.name}"\r\nContent-Disposition: attachment; filename="${a.name}"\r\n`
               + `Content-Transfer-Encoding: base64\r\n\r\n${b64}\r\n`);
  }
  return { id: mid, raw: `${head.join('\r\n')}\r\nContent-Type: multipart/mixed; boundary="${b}"\r\n\r\n${parts.join('')}--${b}--\r\n` };
}
const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(3000, 'x'), Buffer.from('\n%%EOF\n')]);

const check = async (auth) => req(srv, 'POST', '/api/v1/desk/mailbox/check', { auth });
async function checkOk() {
  const r = await check();
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.last_error, null, r.text);
  return r.body;
}
const emailTickets = async () => (await req(srv, 'GET', '/api/v1/tickets?channel=email&limit=200&sort=id')).body.data;
const messages = async (id) => (await req(srv, 'GET', `/api/v1/tickets/${id}/messages`)).body.data;
const settings = (body, auth) => req(srv, 'PUT', '/api/v1/desk/mailbox', { body, auth });

before(async () => {
  sink = await startSmtpSink();
  imap = await startImap();
  srv = await startServer({ args: ['--smtp-url', sink.url, '--smtp-from', DESK,
                                   '--smtp-retry', '1s', '--smtp-max-attempts', '10'] });
  contact = await createOk(srv, 'contacts', { first_name: 'Carla', last_name: 'Client', emails: [CLIENT] });
  addUser(srv, 'agent@example.com', PASSWORD, { name: 'Agnes Agent' });
  agent = createToken(srv, 'agent@example.com');
  const r = await settings({ imap_url: imap.url, allow_plain: true, username: imap.user, password: imap.password });
  assert.equal(r.status, 200, r.text);
});

after(async () => {
  await stopClean(srv);
  if (imap) await imap.stop();
  if (sink) await sink.stop();
});

test('only administrators see and change the mailbox; the password is never shown; bad settings are refused', async () => {
  for (const [m, p] of [['GET', '/api/v1/desk/mailbox'], ['PUT', '/api/v1/desk/mailbox'], ['POST', '/api/v1/desk/mailbox/check']]) {
    assertProblem(await req(srv, m, p, { auth: agent, body: m === 'PUT' ? { enabled: false } : undefined }), 403, `${m} ${p}`);
  }
  const r = await req(srv, 'GET', '/api/v1/desk/mailbox');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.imap_url, imap.url);
  assert.equal(r.body.password_set, true);
  assert.equal(r.body.folder, 'INBOX');
  assert.equal(r.body.poll_seconds, 60);
  assert.ok(!('password' in r.body));
  assert.ok(!r.text.includes(imap.password));
  // The audit names the change, never the password.
  const audit = await req(srv, 'GET', '/api/v1/audit?action=desk_mailbox.update');
  assert.equal(audit.status, 200, audit.text);
  assert.ok(audit.body.data.length >= 1);
  assert.ok(!audit.text.includes(imap.password));

  assertInvalid(await settings({ allow_plain: false }), ['imap_url'], 'plain IMAP needs the explicit flag');
  assertInvalid(await settings({ imap_url: 'imap://mail.example.com', allow_plain: true }), ['imap_url'], 'plain IMAP only to loopback');
  assertInvalid(await settings({ imap_url: 'https://mail.example.com' }), ['imap_url']);
  assertInvalid(await settings({ imap_url: 'imaps://user:pw@mail.example.com' }), ['imap_url']);
  assertInvalid(await settings({ imap_url: 'imaps://mail.example.com/INBOX' }), ['imap_url']);
  assertInvalid(await settings({ poll_seconds: 1 }), ['poll_seconds']);
  assertInvalid(await settings({ folder: 'IN"BOX' }), ['folder']);
  assertInvalid(await settings({ queue_id: 999999 }), ['queue_id']);
  assertInvalid(await settings({ color: 'red' }), ['color']);
  assertInvalid(await settings({ enabled: 'yes' }), ['enabled']);
  // Nothing was half-written.
  assert.deepEqual((await req(srv, 'GET', '/api/v1/desk/mailbox')).body.imap_url, imap.url);
  assert.equal((await settings({ imap_url: 'imaps://mail.example.com:993' })).status, 200);
  assert.equal((await settings({ imap_url: imap.url })).status, 200);
});

let first; let ticket;

test('a new mail becomes a ticket of the sender\'s contact, its attachment a document; the mail is flagged seen', async () => {
  first = mail({ attachments: [{ name: 'photo of the fire.pdf', type: 'application/pdf', data: pdf }] });
  imap.deliver(first.raw);
  const r = await checkOk();
  assert.equal(r.fetched, 1);
  const ts = await emailTickets();
  assert.equal(ts.length, 1);
  ticket = ts[0];
  assert.equal(ticket.subject, 'Printer on fire');
  assert.equal(ticket.channel, 'email');
  assert.equal(ticket.email, CLIENT);
  assert.equal(ticket.contact_id, contact.id);
  assert.equal(ticket.status, 'new');
  assert.match(ticket.description, /It smokes\.\nPlease help\./);
  const docs = (await req(srv, 'GET', `/api/v1/tickets/${ticket.id}/documents`)).body.data;
  assert.equal(docs.length, 1);
  assert.equal(docs[0].name, 'photo of the fire.pdf');
  assert.equal(docs[0].mime, 'application/pdf');
  assert.equal(docs[0].size, pdf.length);
  assert.match(imap.flags(1, 'INBOX'), /\\Seen/);
  // A check with nothing new imports nothing.
  assert.equal((await checkOk()).fetched, 0);
  assert.equal((await emailTickets()).length, 1);
});

test('replies thread into the ticket: by In-Reply-To, and by the subject\'s token from the ticket\'s address', async () => {
  imap.deliver(mail({ subject: 'Re: Printer on fire', inReplyTo: first.id, text: 'Now it beeps too.' }).raw);
  imap.deliver(mail({ subject: `Still broken [#T-${ticket.id}]`, text: 'Any news?' }).raw);
  // The token from another address opens a ticket of its own.
  imap.deliver(mail({ from: 'mallory@evil.example', subject: `Hijack [#T-${ticket.id}]`, text: 'let me in' }).raw);
  assert.equal((await checkOk()).fetched, 3);
  const ms = await messages(ticket.id);
  assert.deepEqual(ms.map((m) => [m.kind, m.author_contact_id, m.body]), [
    ['public', contact.id, 'Now it beeps too.'],
    ['public', contact.id, 'Any news?'],
  ]);
  const ts = await emailTickets();
  assert.equal(ts.length, 2);
  assert.equal(ts[1].email, 'mallory@evil.example');
});

test('the staff\'s answer is mailed with threading headers, and the client\'s reply to it comes back to the ticket, reopening it', async () => {
  const r = await req(srv, 'POST', `/api/v1/tickets/${ticket.id}/messages`, { body: { kind: 'public', body: 'We sent a technician.' } });
  assert.equal(r.status, 201, r.text);
  // An internal note is never mailed.
  assert.equal((await req(srv, 'POST', `/api/v1/tickets/${ticket.id}/messages`, { body: { kind: 'internal', body: 'Fire brigade?' } })).status, 201);
  const got = await until('the answer at the SMTP sink', () => sent().find((m) => m.to.includes(CLIENT)), { srv });
  assert.equal(sent().length, 1);
  assert.equal(header(got.data, 'Subject'), `Re: Printer on fire [#T-${ticket.id}]`);
  const ours = header(got.data, 'Message-ID');
  assert.match(ours, /^<crm-t\d+-m\d+-[0-9a-f]+@example\.com>$/);
  const irt = header(got.data, 'In-Reply-To');
  assert.match(irt, /^<c\d+\.\d+@example\.org>$/);
  const refs = header(got.data, 'References');
  assert.ok(refs.includes(first.id), refs);
  assert.ok(refs.includes(irt), refs);
  assert.match(got.data, /We sent a technician\./);
  assert.doesNotMatch(got.data, /Fire brigade/);
  assert.equal((await req(srv, 'GET', `/api/v1/tickets/${ticket.id}`)).body.status, 'open');

  // Resolved; then the client answers the answer (a subject without the token).
  assert.equal((await req(srv, 'PATCH', `/api/v1/tickets/${ticket.id}`, { body: { status: 'resolved' } })).status, 200);
  imap.deliver(mail({ subject: 'Re: your answer', inReplyTo: ours, references: `${first.id} ${ours}`, text: 'The technician never came.' }).raw);
  assert.equal((await checkOk()).fetched, 1);
  const ms = await messages(ticket.id);
  assert.equal(ms.at(-1).body, 'The technician never came.');
  assert.equal(ms.at(-1).author_contact_id, contact.id);
  assert.equal((await req(srv, 'GET', `/api/v1/tickets/${ticket.id}`)).body.status, 'reopened');
  assert.equal((await emailTickets()).length, 2);
});

test('an email ticket made by hand is answered too: a long subject keeps its token, no In-Reply-To without a mail to answer', async () => {
  const subject = `Long ${'word '.repeat(95)}end`;
  const t = await createOk(srv, 'tickets', { subject, channel: 'email', email: 'walkin@example.org' });
  assert.equal((await req(srv, 'POST', `/api/v1/tickets/${t.id}/messages`, { body: { kind: 'public', body: 'Noted.' } })).status, 201);
  const got = await until('the answer to the walk-in', () => sent().find((m) => m.to.includes('walkin@example.org')), { srv });
  const subj = header(got.data, 'Subject');
  assert.ok(subj.startsWith('Re: Long word'), subj);
  assert.ok(subj.endsWith(`[#T-${t.id}]`), subj);
  assert.ok(subj.length <= 300, String(subj.length));
  assert.equal(header(got.data, 'In-Reply-To'), null);
  assert.equal(header(got.data, 'References'), null);
  assert.match(header(got.data, 'Message-ID'), /^<crm-t\d+-m\d+-[0-9a-f]+@example\.com>$/);
  // A ticket of another channel is never mailed.
  const web = await createOk(srv, 'tickets', { subject: 'By phone', channel: 'phone', email: 'caller@example.org' });
  assert.equal((await req(srv, 'POST', `/api/v1/tickets/${web.id}/messages`, { body: { kind: 'public', body: 'Called back.' } })).status, 201);
  // (The outbox row is written with the message, so its absence is final.)
  const outbox = (await req(srv, 'GET', '/api/v1/system/mail')).body.recent;
  assert.ok(outbox.some((m) => m.to === 'walkin@example.org'));
  assert.ok(!outbox.some((m) => m.to === 'caller@example.org'));
});

test('mail is never imported twice: not by a second server process, not when the folder is read again from the start', async () => {
  const before = (await emailTickets()).length;
  const nmsg = (await messages(ticket.id)).length;
  const other = await startServer({ db: srv.db, args: ['--no-jobs'] });
  try {
    const r = await req(other, 'POST', '/api/v1/desk/mailbox/check');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.fetched, 0);
  } finally {
    await stopClean(other);
  }
  // Another folder and back: the UIDs are read again from 1, and each mail
  // is known by its Message-ID.
  imap.command('CREATE Archive');
  assert.equal((await settings({ folder: 'Archive' })).status, 200);
  assert.equal((await checkOk()).fetched, 0);
  assert.equal((await settings({ folder: 'INBOX' })).status, 200);
  assert.equal((await req(srv, 'GET', '/api/v1/desk/mailbox')).body.last_uid, 0);
  const r = await checkOk();
  assert.equal(r.fetched, 5);
  assert.equal((await emailTickets()).length, before);
  assert.equal((await messages(ticket.id)).length, nmsg);
  // The mailbox rebuilt: a new UIDVALIDITY, the same mails under new UIDs.
  const uv = imap.command('STATUS "INBOX" (UIDVALIDITY)');
  await imap.resetUids();
  assert.notEqual(imap.command('STATUS "INBOX" (UIDVALIDITY)'), uv);
  assert.equal((await checkOk()).fetched, 5);
  assert.equal((await emailTickets()).length, before);
  assert.equal((await messages(ticket.id)).length, nmsg);
  assert.equal((await req(srv, 'GET', '/api/v1/desk/mailbox')).body.last_uid, 5);
});

test('auto-replies and bounces are ignored and never answered', async () => {
  const n = (await emailTickets()).length;
  const outboxSize = async () => { const b = (await req(srv, 'GET', '/api/v1/system/mail')).body; return b.queued + b.sent + b.failed; };
  const mails = await outboxSize();
  imap.deliver(mail({ subject: 'Out of office', extra: ['Auto-Submitted: auto-replied'], text: 'I am away.' }).raw);
  imap.deliver(mail({ from: 'MAILER-DAEMON@example.org', subject: 'Undelivered Mail Returned to Sender', text: 'failed' }).raw);
  imap.deliver(mail({ subject: 'Newsletter', extra: ['Precedence: bulk'], text: 'Buy!' }).raw);
  // A mail from the desk's own address (a loop) too.
  imap.deliver(mail({ from: DESK, subject: `Re: Printer on fire [#T-${ticket.id}]`, text: 'loop' }).raw);
  assert.equal((await checkOk()).fetched, 4);
  assert.equal((await emailTickets()).length, n);
  assert.ok(!(await messages(ticket.id)).some((m) => ['I am away.', 'failed', 'loop'].includes(m.body)));
  assert.equal(await outboxSize(), mails, 'nothing was queued to answer them');
});

test('hostile HTML is stored as plain text; a refused attachment is listed in an internal note', async () => {
  imap.deliver(mail({
    subject: 'HTML only',
    html: '<html><head><style>p{}</style><script>alert("head")</script></head><body><p>Hello <b>desk</b>,</p>'
      + '<script>alert(1)</script><img src=x onerror="alert(2)"><p>a &lt;tag&gt; &amp; more</p><!-- <script>x</script> --></body></html>',
    attachments: [{ name: 'run.exe', type: 'application/octet-stream', data: Buffer.from('MZ\x90\x00\x03\x00\x00\x00binary') }],
  }).raw);
  assert.equal((await checkOk()).fetched, 1);
  const t = (await emailTickets()).find((x) => x.subject === 'HTML only');
  assert.ok(t);
  assert.match(t.description, /Hello desk,/);
  assert.match(t.description, /a <tag> & more/);
  assert.doesNotMatch(t.description, /<script|<b>|<img|alert|onerror|<p>/i);
  assert.equal((await req(srv, 'GET', `/api/v1/tickets/${t.id}/documents`)).body.data.length, 0);
  const notes = (await messages(t.id)).filter((m) => m.kind === 'internal');
  assert.equal(notes.length, 1);
  assert.match(notes[0].body, /run\.exe.*not kept/);
});

test('a mail larger than the limit becomes a ticket from its header alone, saying so', async () => {
  const big = mail({ subject: 'Huge scan', text: 'x'.repeat(76) + '\r\n' + ('y'.repeat(998) + '\r\n').repeat(11000) });
  imap.deliver(big.raw);
  assert.equal((await checkOk()).fetched, 1);
  const t = (await emailTickets()).find((x) => x.subject === 'Huge scan');
  assert.ok(t);
  assert.equal(t.contact_id, contact.id);
  assert.match(t.description, /larger than the limit/);
  assert.ok(t.description.length < 1000);
});

test('a wrong password is shown to the administrator as the last error; the right one clears it', async () => {
  assert.equal((await settings({ password: 'wrong' })).status, 200);
  const r = await check();
  assert.equal(r.status, 200, r.text);
  assert.match(r.body.last_error, /login/i);
  assert.ok(r.body.last_check_at);
  assert.equal((await req(srv, 'GET', '/api/v1/desk/mailbox')).body.last_error, r.body.last_error);
  assert.equal((await settings({ password: imap.password })).status, 200);
  assert.equal((await checkOk()).last_error, null);
});

test('new tickets take the queue and category of the settings; a queue deleted since is left out, the mail kept', async () => {
  const q = await createOk(srv, 'queues', { name: 'Mail queue', rule: 'round_robin', members: [] });
  assert.equal((await settings({ queue_id: q.id, category: 'printers' })).status, 200);
  imap.deliver(mail({ subject: 'Queued by mail', text: 'q' }).raw);
  assert.equal((await checkOk()).fetched, 1);
  let t = (await emailTickets()).find((x) => x.subject === 'Queued by mail');
  assert.equal(t.queue_id, q.id);
  assert.equal(t.category, 'printers');
  assert.equal((await req(srv, 'DELETE', `/api/v1/queues/${q.id}`)).status, 409, 'a queue in use by a ticket stays');
  // A queue no ticket uses can go while the settings still name it.
  const q2 = await createOk(srv, 'queues', { name: 'Short-lived', rule: 'round_robin', members: [] });
  assert.equal((await settings({ queue_id: q2.id })).status, 200);
  assert.equal((await req(srv, 'DELETE', `/api/v1/queues/${q2.id}`)).status, 204);
  imap.deliver(mail({ subject: 'Queue gone', text: 'still here' }).raw);
  assert.equal((await checkOk()).fetched, 1);
  t = (await emailTickets()).find((x) => x.subject === 'Queue gone');
  assert.ok(t, 'the mail became a ticket');
  assert.equal(t.queue_id, null);
  assert.equal(t.category, 'printers');
  assert.equal((await settings({ queue_id: null, category: null })).status, 200);
});

test('enabled, the background job reads the mailbox by itself', async () => {
  const n = (await emailTickets()).length;
  imap.deliver(mail({ subject: 'Found by the job', text: 'polled' }).raw);
  assert.equal((await settings({ enabled: true, poll_seconds: 10 })).status, 200);
  const t = await until('the job to import the mail', async () => (await emailTickets()).find((x) => x.subject === 'Found by the job'), { srv });
  assert.equal(t.contact_id, contact.id);
  assert.equal((await emailTickets()).length, n + 1);
  assert.equal((await settings({ enabled: false })).status, 200);
});
