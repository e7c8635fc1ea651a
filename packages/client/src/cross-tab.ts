/**
 * Cross-tab news (signed in, signed out, a fresh access token) between the
 * tabs of one origin: a BroadcastChannel, or where there is none a `storage`
 * event whose key holds no secret and is removed as soon as it is written.
 */

/**
 * What one tab tells the others. Only `type` and `reason` ever reach storage.
 * `refreshing` and `refresh-ended` bracket a refresh that brought no token
 * (`token` or `signed-out` ends one that did), so a tab that gets the refresh
 * lock just after another released it waits for the token still in flight.
 */
export interface CrossTabMessage {
  type: 'signed-in' | 'signed-out' | 'token' | 'refreshing' | 'refresh-ended';
  reason?: string;
  accessToken?: string;
  expiresIn?: number;
}

/** How tabs hear each other: `auto` picks BroadcastChannel, then the storage event. */
export type CrossTabMode = 'auto' | 'broadcast-channel' | 'storage' | 'off';

/** An open channel; `carriesTokens` says whether a token can be handed over. */
export interface CrossTab {
  readonly mode: Exclude<CrossTabMode, 'auto'>;
  readonly carriesTokens: boolean;
  post(message: CrossTabMessage): void;
  close(): void;
}

function resolveMode(mode: CrossTabMode): Exclude<CrossTabMode, 'auto'> {
  if (mode !== 'auto') return mode;
  if (typeof BroadcastChannel === 'function') return 'broadcast-channel';
  if (typeof localStorage !== 'undefined' && typeof addEventListener === 'function')
    return 'storage';
  return 'off';
}

const TYPES = new Set<unknown>(['signed-in', 'signed-out', 'token', 'refreshing', 'refresh-ended']);

function parse(data: unknown): CrossTabMessage | null {
  const m = data as CrossTabMessage | null;
  return m && TYPES.has(m.type) ? m : null;
}

/**
 * Open the channel named `name` for this tab.
 *
 * @example
 * const tabs = openCrossTab('latchkey', 'auto', (m) => console.log(m.type));
 * tabs.post({ type: 'signed-out', reason: 'logout' });
 */
export function openCrossTab(
  name: string,
  mode: CrossTabMode,
  onMessage: (message: CrossTabMessage) => void,
): CrossTab {
  const resolved = resolveMode(mode);
  if (resolved === 'broadcast-channel') {
    const channel = new BroadcastChannel(name);
    channel.onmessage = (event: MessageEvent) => {
      const m = parse(event.data);
      if (m) onMessage(m);
    };
    return {
      mode: resolved,
      carriesTokens: true,
      post: (message) => channel.postMessage(message),
      close: () => channel.close(),
    };
  }
  if (resolved === 'storage') {
    const key = `${name}:event`;
    const listener = (event: StorageEvent) => {
      if (event.key !== key || !event.newValue) return;
      try {
        const m = parse(JSON.parse(event.newValue));
        if (m) onMessage({ type: m.type, ...(m.reason ? { reason: m.reason } : {}) });
      } catch {
        // Not ours.
      }
    };
    addEventListener('storage', listener);
    return {
      mode: resolved,
      carriesTokens: false,
      post: (message) => {
        // A nonce makes each write a change, so a repeated message still fires the event.
        const value = { type: message.type, reason: message.reason, nonce: Math.random() };
        try {
          localStorage.setItem(key, JSON.stringify(value));
          localStorage.removeItem(key);
        } catch {
          // Storage refused (private mode, quota): the other tabs learn on their next request.
        }
      },
      close: () => removeEventListener('storage', listener),
    };
  }
  return { mode: 'off', carriesTokens: false, post: () => {}, close: () => {} };
}
