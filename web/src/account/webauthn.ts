// The browser side of security keys: the server's JSON options (binary members in
// base64url) become the ArrayBuffers navigator.credentials wants, and the answers go
// back as JSON with base64url members (docs/api.md, "Two-factor sign-in").
import type { JsonOptions } from '../api';

export function fromB64u(s: string): ArrayBuffer {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

export function toB64u(buf: ArrayBuffer | null): string {
  if (!buf) return '';
  const bytes = new Uint8Array(buf);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

type Desc = { type: string; id: string };

const descs = (list: unknown): PublicKeyCredentialDescriptor[] =>
  Array.isArray(list) ? (list as Desc[]).map((d) => ({ type: 'public-key', id: fromB64u(d.id) })) : [];

export function webauthnAvailable(): boolean {
  return typeof window !== 'undefined' && !!window.PublicKeyCredential && !!navigator.credentials;
}

/** navigator.credentials.create() for the server's registration options. */
export async function createCredential(o: JsonOptions): Promise<unknown> {
  const user = o.user as { id: string; name: string; displayName: string };
  const publicKey: PublicKeyCredentialCreationOptions = {
    challenge: fromB64u(o.challenge as string),
    rp: o.rp as PublicKeyCredentialRpEntity,
    user: { id: fromB64u(user.id), name: user.name, displayName: user.displayName },
    pubKeyCredParams: o.pubKeyCredParams as PublicKeyCredentialParameters[],
    timeout: o.timeout as number,
    attestation: o.attestation as AttestationConveyancePreference,
    excludeCredentials: descs(o.excludeCredentials),
    authenticatorSelection: o.authenticatorSelection as AuthenticatorSelectionCriteria,
  };
  const cred = (await navigator.credentials.create({ publicKey })) as PublicKeyCredential | null;
  if (!cred) throw new Error('no credential');
  const r = cred.response as AuthenticatorAttestationResponse;
  return {
    id: cred.id,
    type: cred.type,
    response: { clientDataJSON: toB64u(r.clientDataJSON), attestationObject: toB64u(r.attestationObject) },
  };
}

/** navigator.credentials.get() for the server's assertion options. */
export async function getAssertion(o: JsonOptions): Promise<unknown> {
  const publicKey: PublicKeyCredentialRequestOptions = {
    challenge: fromB64u(o.challenge as string),
    rpId: o.rpId as string,
    timeout: o.timeout as number,
    allowCredentials: descs(o.allowCredentials),
    userVerification: o.userVerification as UserVerificationRequirement,
  };
  const cred = (await navigator.credentials.get({ publicKey })) as PublicKeyCredential | null;
  if (!cred) throw new Error('no assertion');
  const r = cred.response as AuthenticatorAssertionResponse;
  return {
    id: cred.id,
    type: cred.type,
    response: {
      clientDataJSON: toB64u(r.clientDataJSON),
      authenticatorData: toB64u(r.authenticatorData),
      signature: toB64u(r.signature),
      userHandle: toB64u(r.userHandle),
    },
  };
}
