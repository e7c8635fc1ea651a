/**
 * What a user sees of their signed-in sessions (ASVS V7.5.2: users can view
 * and end their sessions): a summary per live session, public handles only.
 */

import type { Entry } from './ledger.js';
import type { DeviceFacts } from './record.js';

/** A session as shown in a user's list of signed-in devices (ASVS V7.5.2). */
export interface SessionSummary {
  /** Public handle: revoke by it with `revokeSession`. */
  handle: string;
  current: boolean;
  createdAt: number;
  lastSeenAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  authTime: number | null;
  device: DeviceFacts;
  /** Handle of the remembered login that keeps re-creating this session (see `listRememberedLogins`); absent for a plain login. */
  rememberedLogin?: string;
}

/** Summaries of `entries`, most recently used first, the one with handle `current` marked. */
export function summarize(entries: Entry<unknown>[], current?: string): SessionSummary[] {
  return entries
    .map(({ handle, record }) => ({
      handle,
      current: handle === current,
      createdAt: record.createdAt,
      lastSeenAt: record.lastSeenAt,
      idleExpiresAt: record.idleDeadline,
      absoluteExpiresAt: record.absoluteDeadline,
      authTime: record.authTime,
      device: record.device,
      ...(record.rm ? { rememberedLogin: record.rm } : {}),
    }))
    .sort((a, b) => b.lastSeenAt - a.lastSeenAt);
}
