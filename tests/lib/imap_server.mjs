// A real IMAP server for the API tests: Debian's dovecot-imapd started with
// a configuration of its own in a temporary folder (a passwd-file with one
// user, Maildir storage in the folder, plain IMAP on a free loopback port,
// no TLS, no systemd), and stopped after. Run as root (the test machines),
// the login processes take dovenull and the mail ones nobody, as dovecot
// requires; run as anyone else, everything is that user.
//
//   const imap = await startImap();
//   await imap.deliver(rawMail);          // IMAP APPEND with curl
//   imap.url, imap.user, imap.password;  await imap.stop();
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, waitExit } from './helpers.mjs';

const DOVECOT = process.env.CRM_TEST_DOVECOT || '/usr/sbin/dovecot';

function idOf(flag, name) {
  return execFileSync('id', [flag, name], { encoding: 'utf8' }).trim();
}

export async function startImap({ user = 'desk', password = 'desk-secret-42' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'crm-imap-'));
  chmodSync(dir, 0o755);
  const home = join(dir, 'home');
  mkdirSync(home);
  chmodSync(home, 0o1777);
  const port = await freePort();
  const me = userInfo();
  const root = me.uid === 0;
  const loginUser = root ? 'dovenull' : me.username;
  const internalUser = root ? 'dovecot' : me.username;
  const internalGroup = root ? 'dovecot' : idOf('-gn', me.username);
  const mailUid = root ? idOf('-u', 'nobody') : String(me.uid);
  const mailGid = root ? idOf('-g', 'nobody') : String(me.gid);
  writeFileSync(join(dir, 'passwd'), `${user}:{PLAIN}${password}::::::\n`, { mode: 0o644 });
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(conf, `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = ${loginUser}
default_internal_user = ${internalUser}
default_internal_group = ${internalGroup}
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${mailUid} gid=${mailGid} home=${home}/%u
}
mail_location = maildir:${home}/%u/Maildir
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service pop3-login {
  chroot =
}
service submission-login {
  chroot =
}
`);
  const url = `imap://127.0.0.1:${port}`;
  const log = () => { try { return readFileSync(join(dir, 'dovecot.log'), 'utf8'); } catch { return ''; } };
  const curl = (args, input) => execFileSync('curl', ['-sS', '--user', `${user}:${password}`, ...args],
                                             { input, encoding: 'utf8', timeout: 15000 });
  let child = null;
  let out = '';
  // Starts dovecot; ready once a login answers (the master starts its children lazily).
  async function start() {
    child = spawn(DOVECOT, ['-F', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const deadline = Date.now() + 15000;
    for (;;) {
      try { curl([`${url}/`, '-X', 'NOOP']); return; } catch (e) {
        if (child.exitCode !== null || Date.now() > deadline) {
          child.kill('SIGKILL');
          rmSync(dir, { recursive: true, force: true });
          throw new Error(`dovecot not ready: ${e.message}\n${out}\n${log()}`);
        }
      }
      await new Promise((ok) => setTimeout(ok, 50));
    }
  }
  async function halt() {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await waitExit(child, 10000);
    }
  }
  await start();
  let appended = 0;
  return {
    url, user, password, port, dir, log,
    // Appends one mail (a string, lines ending in \r\n or \n) to folder.
    // (IMAP APPEND names the size first: from a file, not a pipe.)
    deliver(raw, folder = 'INBOX') {
      const file = join(dir, `append-${++appended}.eml`);
      writeFileSync(file, raw.replace(/\r?\n/g, '\r\n'));
      curl([`${url}/${folder}`, '-T', file]);
      rmSync(file);
    },
    // The flags of the mail with uid, e.g. "\\Seen".
    flags(uid, folder = 'INBOX') {
      return curl([`${url}/${folder}`, '-X', `UID FETCH ${uid} (FLAGS)`]);
    },
    // A raw IMAP command on folder ('' for none); its untagged answer.
    command(cmd, folder = '') {
      return curl([`${url}/${folder}`, '-X', cmd]);
    },
    // Forgets the UIDs (dovecot's uidlist and indexes) and starts again on
    // the same port: the folder gets a new UIDVALIDITY and renumbers its
    // mails from 1, as a rebuilt or restored mailbox does.
    async resetUids() {
      await halt();
      const md = join(home, user, 'Maildir');
      for (const f of readdirSync(md)) if (f.startsWith('dovecot')) rmSync(join(md, f), { force: true });
      await start();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
