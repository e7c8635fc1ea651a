/**
 * The client's DPoP key and proofs (RFC 9449 §4.2): a non-extractable ECDSA P-256 key made with
 * WebCrypto and kept in IndexedDB (a structured clone of the CryptoKey, never its bytes), one
 * proof per request (`htm`, `htu`, `iat`, a random `jti`, `ath`, the last `DPoP-Nonce` seen).
 */

/** Where the key pair lives between page loads. Default: IndexedDB (see {@link indexedDbKeyStore}). */
export interface DpopKeyStore {
  /** The stored pair, or `null` when there is none yet. */
  load(): Promise<CryptoKeyPair | null>;
  /** Keep `pair` unless one is already stored; resolves to the pair that is kept (another tab's may have won). */
  save(pair: CryptoKeyPair): Promise<CryptoKeyPair>;
}

/** Signs proofs; made by {@link createDpopSigner}. */
export interface DpopSigner {
  /** A proof for `method url`, with `ath` when an access token goes with it. */
  proof(method: string, url: string, accessToken?: string): Promise<string>;
  /**
   * Learn from a response: the `DPoP-Nonce` it carries (per origin), and the server's clock from
   * its `Date` when this device's clock is more than 5 s off (so `iat` is in the server's time).
   * `true` when it taught something new, so a refused proof is worth one more try.
   */
  observe(url: string, response: Response): boolean;
}

const DB = 'latchkey-dpop';
const STORE = 'keys';
const KEY = 'default';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/**
 * The default key store: one IndexedDB database (`latchkey-dpop` unless `name` says otherwise).
 *
 * @example
 * const client = createClient({ refreshPath: '/auth/refresh', dpop: { keyStore: indexedDbKeyStore('my-app') } });
 */
export function indexedDbKeyStore(name: string = DB): DpopKeyStore {
  let opened: Promise<IDBDatabase> | undefined;
  const db = () => {
    opened ??= new Promise((resolve, reject) => {
      const open = indexedDB.open(name, 1);
      open.onupgradeneeded = () => open.result.createObjectStore(STORE);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    return opened;
  };
  const load = async (): Promise<CryptoKeyPair | null> => {
    const tx = (await db()).transaction(STORE, 'readonly');
    const pair = (await request(tx.objectStore(STORE).get(KEY))) as CryptoKeyPair | undefined;
    return pair?.privateKey && pair.publicKey ? pair : null;
  };
  return {
    load,
    async save(pair) {
      const tx = (await db()).transaction(STORE, 'readwrite');
      try {
        // `add` refuses a second key: two tabs making one at once keep the first.
        await request(tx.objectStore(STORE).add(pair, KEY));
        return pair;
      } catch {
        return (await load()) ?? pair;
      }
    },
  };
}

const encoder = new TextEncoder();
/** A clock difference under this (ms) is left alone: `Date` has whole seconds, the network adds some. */
const SKEW_IGNORED = 5000;

function b64url(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (const byte of view) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const b64json = (value: unknown) => b64url(encoder.encode(JSON.stringify(value)));

/** RFC 9449 §4.2: `htu` is the URL without query and fragment. */
function htuOf(url: string): string {
  const u = new URL(url);
  return u.origin + u.pathname;
}

/**
 * A signer over `keyStore`: loads the key pair, or makes a non-extractable one and keeps it.
 *
 * @example
 * const signer = createDpopSigner(indexedDbKeyStore());
 * const proof = await signer.proof('GET', 'https://api.example.com/me', accessToken);
 */
export function createDpopSigner(
  keyStore: DpopKeyStore = indexedDbKeyStore(),
  now: () => number = () => Date.now(),
): DpopSigner {
  const nonces = new Map<string, string>();
  /** How far the server's clock is ahead of this device's (ms), when more than the 5 s that does not matter. */
  let offset = 0;
  let ready: Promise<{ pair: CryptoKeyPair; header: string }> | undefined;
  const key = () => {
    ready ??= (async () => {
      let pair = await keyStore.load();
      if (!pair) {
        const made = (await crypto.subtle.generateKey(
          { name: 'ECDSA', namedCurve: 'P-256' },
          false,
          ['sign', 'verify'],
        )) as CryptoKeyPair;
        pair = await keyStore.save(made);
      }
      // The public half is always exportable; only its public members go into the header.
      const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
      return { pair, header: b64json({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } }) };
    })();
    ready.catch(() => (ready = undefined));
    return ready;
  };
  return {
    async proof(method, url, accessToken) {
      const { pair, header } = await key();
      const claims: Record<string, unknown> = {
        jti: b64url(crypto.getRandomValues(new Uint8Array(16))),
        htm: method,
        htu: htuOf(url),
        iat: Math.floor((now() + offset) / 1000),
      };
      if (accessToken !== undefined)
        claims.ath = b64url(await crypto.subtle.digest('SHA-256', encoder.encode(accessToken)));
      const nonce = nonces.get(new URL(url).origin);
      if (nonce !== undefined) claims.nonce = nonce;
      const input = `${header}.${b64json(claims)}`;
      // WebCrypto's ECDSA signature is r‖s, the JWS form (RFC 7518 §3.4).
      const signature = await crypto.subtle.sign(
        { name: 'ECDSA', hash: 'SHA-256' },
        pair.privateKey,
        encoder.encode(input),
      );
      return `${input}.${b64url(signature)}`;
    },
    observe(url, response) {
      let learned = false;
      const date = Date.parse(response.headers.get('date') ?? '');
      if (Number.isFinite(date)) {
        const skew = date - now();
        const next = Math.abs(skew) > SKEW_IGNORED ? skew : 0;
        learned = Math.abs(next - offset) > SKEW_IGNORED;
        offset = next;
      }
      const nonce = response.headers.get('dpop-nonce');
      if (nonce === null || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(nonce)) return learned;
      const origin = new URL(url).origin;
      learned ||= nonces.get(origin) !== nonce;
      nonces.set(origin, nonce);
      return learned;
    },
  };
}

/** Whether `response` refused the request's DPoP proof (RFC 9449 §5: 400 from a token endpoint, §7.1: 401 from an API), e.g. for want of a nonce. */
export async function refusedProof(response: Response): Promise<boolean> {
  if (response.status !== 400 && response.status !== 401) return false;
  const challenge = response.headers.get('www-authenticate') ?? '';
  if (/error="(?:use_dpop_nonce|invalid_dpop_proof)"/.test(challenge)) return true;
  if (response.status !== 400) return false;
  try {
    const body = (await response.clone().json()) as { error?: unknown } | null;
    return body?.error === 'use_dpop_nonce' || body?.error === 'invalid_dpop_proof';
  } catch {
    return false;
  }
}
