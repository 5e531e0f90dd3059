// The SMTP sink (tests/lib/smtp_sink.py, Debian's python3-aiosmtpd) as a
// test's helper: started on a free port, its mails read back, stopped, and a
// received message's parts and base64 attachments decoded.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './helpers.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
// Debian's python has aiosmtpd; a python of another origin first on PATH may not.
const PYTHON = process.env.CRM_TEST_PYTHON || (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

// The mails a sink wrote into dir, {from, to: [..], data}, in arrival order.
export function readMails(dir) {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
}

// {port, url, dir, mails(), stop()}: the one way every test starts the sink.
// port and dir may be given, to start it again where a stopped one was (a
// mail server coming back); a folder it made itself goes with stop(), a
// given one stays (its owner removes it).
export async function startSmtpSink({ port, dir } = {}) {
  const p = port ?? await freePort();
  const own = dir === undefined;
  const d = own ? mkdtempSync(join(tmpdir(), 'crm-mail-')) : dir;
  const child = spawn(PYTHON, [join(HERE, 'smtp_sink.py'), '127.0.0.1', String(p), d], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`smtp sink not ready:\n${out}`)), 15000);
    child.stdout.on('data', (c) => { out += c; if (out.includes('ready')) { clearTimeout(t); ok(); } });
    child.stderr.on('data', (c) => { out += c; });
    child.on('exit', (code) => { clearTimeout(t); fail(new Error(`smtp sink exited ${code}:\n${out}`)); });
  });
  child.removeAllListeners('exit');
  return {
    port: p,
    url: `smtp://127.0.0.1:${p}`,
    dir: d,
    mails: () => readMails(d),
    async stop() {
      const gone = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      await gone;
      if (own) rmSync(d, { recursive: true, force: true });
    },
  };
}

// A received message's headers (lower-case names) and, for multipart/mixed,
// its parts: [{headers, body}] with body the text, or a Buffer for base64.
export function parseMail(data) {
  const split = (text) => {
    const at = text.indexOf('\r\n\r\n');
    const head = text.slice(0, at).replace(/\r\n[ \t]+/g, ' ');
    const headers = {};
    for (const line of head.split('\r\n')) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
    }
    return { headers, body: text.slice(at + 4) };
  };
  const msg = split(data);
  const m = /boundary="([^"]+)"/.exec(msg.headers['content-type'] || '');
  if (!m) return { ...msg, parts: [] };
  const chunks = msg.body.split(`--${m[1]}`);
  const parts = chunks.slice(1, -1).map((c) => {
    const p = split(c.replace(/^\r\n/, ''));
    if (/base64/i.test(p.headers['content-transfer-encoding'] || '')) p.body = Buffer.from(p.body.replace(/\s+/g, ''), 'base64');
    return p;
  });
  return { ...msg, parts, closed: chunks[chunks.length - 1].startsWith('--') };
}
