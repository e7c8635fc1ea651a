/**
 * The playground's event log: the engines' events as the session monitor
 * sees them (public handles only, never a secret), numbered, the last few
 * hundred kept, each with a line a person can read and the anomalies it revealed.
 */

import type { SessionEvent } from '@latchkey/core';
import type { AnomalyKind, Monitor } from '@latchkey/core/monitor';

export interface LoggedEvent {
  /** Increasing: `GET /api/events?after=<id>` returns only newer ones. */
  id: number;
  at: number;
  type: SessionEvent['type'];
  userId: string | null;
  /** Public handle of the session, device or token family, when the event has one. */
  subject: string | null;
  /** True for what an operator should look at: an anomaly the monitor flagged, or a store error. */
  alarm: boolean;
  /** The kinds of the anomalies the monitor flagged on this event (each once per episode). */
  anomalies: AnomalyKind[];
  text: string;
}

/** Alarms whatever the monitor says: reuse, theft, a revoked credential used, a refused login, the store failing. */
const ALARMS = new Set<SessionEvent['type']>([
  'refresh-reuse',
  'remember-me-theft',
  'revoked-used',
  'token-revoked-used',
  'limit-refused',
  'store-error',
  'stale-record',
]);

const short = (handle: string) => handle.slice(0, 8);

function describe(e: SessionEvent): string {
  switch (e.type) {
    case 'created':
      return `session ${short(e.handle)} created`;
    case 'regenerated':
      return `session ${short(e.previous)} got a new ID: ${short(e.handle)}`;
    case 'renewed':
      return `session ${short(e.previous)} renewed its ID (periodic rotation): ${short(e.handle)}`;
    case 'touched':
      return `session ${short(e.handle)} used: idle deadline moved on`;
    case 'expired':
      return `session ${short(e.handle)} expired (${e.reason === 'idle' ? 'idle timeout' : 'absolute cap'})`;
    case 'logout':
      return `session ${short(e.handle)} logged out: ended on the server`;
    case 'revoked':
      return `session ${short(e.handle)} revoked`;
    case 'revoke-all':
      return `logged out everywhere: ${e.count} session(s) ended`;
    case 'revoked-used':
      return `a revoked session's cookie was presented again (${short(e.handle)}): refused`;
    case 'validation-failed':
      return e.reason === 'malformed'
        ? 'a session cookie that is not a Latchkey ID: refused'
        : `a session cookie the store does not know${e.handle ? ` (${short(e.handle)})` : ''}: refused`;
    case 'stale-record':
      return `the store returned session ${short(e.handle)} after its TTL ran out: does it honour TTLs?`;
    case 'evicted':
      return `session ${short(e.handle)} evicted: over the per-user session limit`;
    case 'limit-refused':
      return `login refused: already ${e.limit} sessions`;
    case 'conflict':
      return `session ${short(e.handle)}: a concurrent write won, this one retried`;
    case 'store-error':
      return `store error during ${e.operation}: ${e.code}`;
    case 'token-issued':
      return `access + refresh token issued (family ${short(e.family)})`;
    case 'token-refreshed':
      return `refresh token rotated (family ${short(e.family)})${e.concurrent ? ', concurrent use within the grace window' : ''}`;
    case 'refresh-reuse':
      return `REUSE of a rotated refresh token: family ${short(e.family)} revoked`;
    case 'family-revoked':
      return `refresh-token family ${short(e.family)} revoked`;
    case 'token-revoked':
      return `access token ${short(e.jti)} revoked`;
    case 'user-tokens-revoked':
      return `every token issued so far to this user revoked`;
    case 'token-revoked-used':
      return `a revoked access token was presented again: refused`;
    case 'remember-me-issued':
      return `device ${short(e.device)} remembered`;
    case 'remember-me-used':
      return `device ${short(e.device)} signed its user back in silently (remember-me token rotated)`;
    case 'remember-me-theft':
      return `THEFT suspected: an old remember-me token of device ${short(e.device)} was replayed; every session of the user ended`;
    case 'remember-me-revoked':
      return `device ${short(e.device)} forgotten`;
    default:
      return (e as { type: string }).type;
  }
}

function subjectOf(e: SessionEvent): string | null {
  if ('handle' in e) return e.handle ?? null;
  if ('device' in e) return e.device;
  if ('family' in e) return e.family ?? null;
  return null;
}

export class EventLog {
  readonly #events: LoggedEvent[] = [];
  #next = 1;
  constructor(
    readonly monitor: Monitor,
    private readonly keep = 300,
  ) {}

  /** The engines' `onEvent`: the monitor sees every event; `touched` is left out of the list (it fires on nearly every request). */
  readonly sink = (event: SessionEvent): void => {
    const anomalies = this.monitor.observe(event).map((a) => a.kind);
    if (event.type === 'touched') return;
    this.#events.push({
      id: this.#next++,
      at: event.at,
      type: event.type,
      userId: 'userId' in event && typeof event.userId === 'string' ? event.userId : null,
      subject: subjectOf(event),
      alarm: anomalies.length > 0 || ALARMS.has(event.type),
      anomalies,
      text: describe(event),
    });
    if (this.#events.length > this.keep) this.#events.splice(0, this.#events.length - this.keep);
  };

  /** Events newer than `after`, oldest first. */
  since(after = 0): LoggedEvent[] {
    return this.#events.filter((e) => e.id > after);
  }
}
