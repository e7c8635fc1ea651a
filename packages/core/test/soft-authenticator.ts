/**
 * A software WebAuthn authenticator for tests: a real P-256 key in WebCrypto,
 * real CBOR and real ES256 signatures (nothing @simplewebauthn/server checks
 * is faked), so registration and assertions verify as a platform passkey's do.
 * The browser tests use Chromium's virtual authenticator instead.
 */

import { isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';

const enc = new TextEncoder();
const b64 = (bytes: Uint8Array): string =>
  isoBase64URL.fromBuffer(bytes as Uint8Array<ArrayBuffer>);
const sha256 = async (data: Uint8Array): Promise<Uint8Array> =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>));
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
};
const u32 = (n: number) => new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);

/** WebCrypto's raw r‖s signature as the DER SEQUENCE WebAuthn carries. */
function der(raw: Uint8Array): Uint8Array {
  const int = (b: Uint8Array) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = b.slice(i);
    const body = v[0]! & 0x80 ? concat(new Uint8Array([0]), v) : v;
    return concat(new Uint8Array([0x02, body.length]), body);
  };
  const seq = concat(int(raw.slice(0, 32)), int(raw.slice(32)));
  return concat(new Uint8Array([0x30, seq.length]), seq);
}

export interface SoftAuthenticator {
  /** `navigator.credentials.create()`: a registration response for these options. */
  create(options: { challenge: string; rp: { id?: string } }, origin: string): Promise<unknown>;
  /** `navigator.credentials.get()`: an assertion for these options. */
  get(
    options: { challenge: string; rpId?: string },
    origin: string,
    flags?: { userVerified?: boolean },
  ): Promise<Record<string, unknown> & { id: string }>;
  readonly credentialId: string;
}

export async function softAuthenticator(): Promise<SoftAuthenticator> {
  const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const jwk = await crypto.subtle.exportKey('jwk', keys.publicKey);
  const cose = new Map<number, number | Uint8Array>([
    [1, 2],
    [3, -7],
    [-1, 1],
    [-2, isoBase64URL.toBuffer(jwk.x!)],
    [-3, isoBase64URL.toBuffer(jwk.y!)],
  ]);
  const rawId = crypto.getRandomValues(new Uint8Array(16));
  const credentialId = b64(rawId);
  let counter = 0;
  const clientData = (type: string, challenge: string, origin: string) =>
    enc.encode(JSON.stringify({ type, challenge, origin, crossOrigin: false }));

  return {
    credentialId,
    async create(options, origin) {
      const rpIdHash = await sha256(enc.encode(options.rp.id ?? new URL(origin).hostname));
      const authData = concat(
        rpIdHash,
        new Uint8Array([0x45]), // UP | UV | AT
        u32(counter),
        new Uint8Array(16), // AAGUID
        new Uint8Array([0, rawId.length]),
        rawId,
        isoCBOR.encode(cose),
      );
      const attestationObject = isoCBOR.encode(
        new Map<string, unknown>([
          ['fmt', 'none'],
          ['attStmt', new Map()],
          ['authData', authData],
        ]) as never,
      );
      return {
        id: credentialId,
        rawId: credentialId,
        type: 'public-key',
        response: {
          clientDataJSON: b64(clientData('webauthn.create', options.challenge, origin)),
          attestationObject: b64(attestationObject),
          transports: ['internal'],
        },
        clientExtensionResults: {},
      };
    },
    async get(options, origin, flags = {}) {
      const rpIdHash = await sha256(enc.encode(options.rpId ?? new URL(origin).hostname));
      counter += 1;
      const authData = concat(
        rpIdHash,
        new Uint8Array([flags.userVerified === false ? 0x01 : 0x05]),
        u32(counter),
      );
      const data = clientData('webauthn.get', options.challenge, origin);
      const signed = concat(authData, await sha256(data));
      const raw = new Uint8Array(
        await crypto.subtle.sign(
          { name: 'ECDSA', hash: 'SHA-256' },
          keys.privateKey,
          signed as Uint8Array<ArrayBuffer>,
        ),
      );
      return {
        id: credentialId,
        rawId: credentialId,
        type: 'public-key',
        response: {
          clientDataJSON: b64(data),
          authenticatorData: b64(authData),
          signature: b64(der(raw)),
        },
        clientExtensionResults: {},
      };
    },
  };
}
