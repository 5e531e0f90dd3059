// TOTP codes computed in the tests with node:crypto (RFC 6238: SHA-1, 30 s
// steps, 6 digits), independently of the server's liboath.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';

export function b32decode(s) {
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0; let acc = 0; const out = [];
  for (const ch of s.replace(/=+$/, '')) {
    const v = alpha.indexOf(ch.toUpperCase());
    assert.ok(v >= 0, `base32 character ${ch}`);
    acc = (acc << 5) | v; bits += 5;
    if (bits >= 8) { out.push((acc >> (bits - 8)) & 0xff); bits -= 8; }
  }
  return Buffer.from(out);
}

// The current 30-second step.
export const nowStep = () => Math.floor(Date.now() / 1000 / 30);

// The code for a base32 secret at a step (the current one by default).
export function totp(secretB32, step = nowStep()) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', b32decode(secretB32)).update(msg).digest();
  const off = h[h.length - 1] & 0xf;
  const bin = (h.readUInt32BE(off) & 0x7fffffff) % 1e6;
  return String(bin).padStart(6, '0');
}
