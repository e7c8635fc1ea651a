/**
 * The browser half of a passkey ceremony: fetch the options from an app
 * route, call `navigator.credentials.get()` (or `create()`), post the result
 * as JSON. No dependency: base64url ↔ ArrayBuffer by hand where the browser
 * lacks `PublicKeyCredential.parseRequestOptionsFromJSON` and `toJSON`.
 */

import type { StepUpEvent } from './client.js';

/** Where the app serves the ceremony. Both are POSTed JSON, same origin. */
export interface PasskeyRoutes {
  /** Answers `PublicKeyCredentialRequestOptionsJSON` (or creation options for registration); any non-2xx means "no passkey here". */
  optionsPath: string;
  /** Takes the credential as JSON; 2xx when the server accepted it. */
  verifyPath: string;
  /** Default: `globalThis.fetch`. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Default: `navigator.credentials`. */
  credentials?: Pick<CredentialsContainer, 'get' | 'create'>;
}

type Json = Record<string, unknown>;

const toBytes = (text: string): ArrayBuffer => {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out.buffer;
};
const toText = (buffer: ArrayBuffer | ArrayBufferView | null | undefined): string | undefined => {
  if (!buffer) return undefined;
  const bytes =
    buffer instanceof ArrayBuffer
      ? new Uint8Array(buffer)
      : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

interface PkcStatics {
  parseRequestOptionsFromJSON?: (o: Json) => PublicKeyCredentialRequestOptions;
  parseCreationOptionsFromJSON?: (o: Json) => PublicKeyCredentialCreationOptions;
}
const statics = (): PkcStatics =>
  ((globalThis as unknown as { PublicKeyCredential?: PkcStatics }).PublicKeyCredential ??
    {}) as PkcStatics;

const descriptors = (list: unknown) =>
  Array.isArray(list)
    ? list.map((d: Json) => ({ ...d, id: toBytes(String(d.id)) }) as PublicKeyCredentialDescriptor)
    : undefined;

function requestOptions(json: Json): PublicKeyCredentialRequestOptions {
  const parse = statics().parseRequestOptionsFromJSON;
  if (parse) return parse(json);
  const allow = descriptors(json.allowCredentials);
  return {
    ...(json as object),
    challenge: toBytes(String(json.challenge)),
    ...(allow && { allowCredentials: allow }),
  } as PublicKeyCredentialRequestOptions;
}

function creationOptions(json: Json): PublicKeyCredentialCreationOptions {
  const parse = statics().parseCreationOptionsFromJSON;
  if (parse) return parse(json);
  const user = json.user as Json;
  const exclude = descriptors(json.excludeCredentials);
  return {
    ...(json as object),
    challenge: toBytes(String(json.challenge)),
    user: { ...user, id: toBytes(String(user.id)) },
    ...(exclude && { excludeCredentials: exclude }),
  } as PublicKeyCredentialCreationOptions;
}

/** The credential as the server's JSON form (`toJSON()` where the browser has it). */
function credentialJson(credential: PublicKeyCredential): Json {
  // Typed differently by each DOM lib (TypeScript's lacks it, Deno's has it): read it as unknown.
  const toJSON = (credential as unknown as { toJSON?: () => Json }).toJSON;
  if (typeof toJSON === 'function') return toJSON.call(credential);
  const r = credential.response as AuthenticatorAssertionResponse &
    AuthenticatorAttestationResponse & { getTransports?: () => string[] };
  return {
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults?.() ?? {},
    response: {
      clientDataJSON: toText(r.clientDataJSON),
      ...('authenticatorData' in r && {
        authenticatorData: toText(r.authenticatorData),
        signature: toText(r.signature),
        userHandle: toText(r.userHandle),
      }),
      ...('attestationObject' in r && {
        attestationObject: toText(r.attestationObject),
        transports: r.getTransports?.() ?? [],
      }),
    },
  };
}

async function ceremony(routes: PasskeyRoutes, kind: 'get' | 'create'): Promise<boolean> {
  const fetchImpl = routes.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const container = routes.credentials ?? globalThis.navigator?.credentials;
  if (!container) return false;
  const post = (path: string, body: unknown) =>
    fetchImpl(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    });
  const answer = await post(routes.optionsPath, {});
  if (!answer.ok) return false;
  const json = (await answer.json()) as Json;
  let credential: Credential | null;
  try {
    credential =
      kind === 'get'
        ? await container.get({ publicKey: requestOptions(json) })
        : await container.create({ publicKey: creationOptions(json) });
  } catch {
    return false; // the person cancelled, or no authenticator answered (NotAllowedError)
  }
  if (!credential) return false;
  const verified = await post(routes.verifyPath, credentialJson(credential as PublicKeyCredential));
  return verified.ok;
}

/**
 * Run a passkey assertion for step-up: `true` when the server accepted it
 * (the session is re-authenticated under a new ID), `false` when there is no
 * passkey, the person cancelled, or the server refused.
 *
 * @example
 * const ok = await passkeyCeremony({ optionsPath: '/api/passkey/options', verifyPath: '/api/passkey/verify' });
 */
export function passkeyCeremony(routes: PasskeyRoutes): Promise<boolean> {
  return ceremony(routes, 'get');
}

/**
 * Register a passkey for the signed-in user: `true` when the server stored it.
 *
 * @example
 * await registerPasskey({ optionsPath: '/api/passkeys/register/options', verifyPath: '/api/passkeys/register' });
 */
export function registerPasskey(routes: PasskeyRoutes): Promise<boolean> {
  return ceremony(routes, 'create');
}

/**
 * An `onStepUp` that tries the passkey first and falls back (a password
 * prompt the app supplies) when the 403 names methods without `passkey`, the
 * browser has no WebAuthn, or the ceremony fails.
 *
 * @example
 * const client = createClient({
 *   onStepUp: passkeyStepUp({ optionsPath: '/api/passkey/options', verifyPath: '/api/passkey/verify', fallback: askForPassword }),
 * });
 */
export function passkeyStepUp(
  routes: PasskeyRoutes & { fallback?: (event: StepUpEvent) => boolean | Promise<boolean> },
): (event: StepUpEvent) => Promise<boolean> {
  return async (event) => {
    const methods = event.body?.methods;
    const wanted = methods === undefined || methods.includes('passkey');
    const available = routes.credentials !== undefined || 'PublicKeyCredential' in globalThis;
    if (wanted && available && (await passkeyCeremony(routes))) return true;
    return routes.fallback ? routes.fallback(event) : false;
  };
}
