/**
 * Policy presets drawn from common practice and the OWASP Session Management
 * Cheat Sheet (idle 2–5 min for high-value apps, 15–30 min for low-risk ones;
 * absolute 4–8 h for office apps). Each is a `PolicyOptions`, so an app can
 * spread one and override a field: `definePolicy({ ...presets.productivity, idleTimeout: '20m' })`.
 */

import { FORBIDS_REMEMBER_ME, type PolicyOptions } from './policy.js';

/**
 * `banking`: idle 10 min, absolute 1 h, no remember-me, step-up after 5 min.
 * For money movement and other high-value actions.
 */
const banking: PolicyOptions = {
  name: 'banking',
  idleTimeout: '10m',
  absoluteTimeout: '1h',
  renewInterval: '15m',
  freshAuthAge: '5m',
  rememberMe: false,
  [FORBIDS_REMEMBER_ME]: true,
  reasons: {
    idle: 'an unattended signed-in screen is the main risk for high-value accounts',
    absolute: 'limits how long a stolen session cookie is worth anything',
    renew: 'a new session ID every 15 minutes shortens the life of a leaked one',
    rememberMe: 'high-value accounts sign in every time',
    freshAuth: 'sensitive actions need a password entered in the last 5 minutes',
  },
};

/**
 * `productivity`: idle 30 min sliding, absolute 24 h, remember-me 14 days,
 * step-up after 15 min. The session cookie dies with the browser, so closing
 * it signs out unless the person ticked "Remember me". For office and SaaS apps.
 */
const productivity: PolicyOptions = {
  name: 'productivity',
  idleTimeout: '30m',
  absoluteTimeout: '24h',
  renewInterval: '1h',
  rememberMe: '14d',
  sessionOnlyCookie: true,
  freshAuthAge: '15m',
  reasons: {
    idle: 'a workday has pauses; 30 minutes matches OWASP guidance for low-risk apps',
    absolute: 'one working day, so a session never outlives the day it began',
    renew: 'a new session ID every hour shortens the life of a leaked one',
    rememberMe:
      'closing the browser signs out; a device the person chose to remember stays signed in for two weeks through a separate, rotating token',
    freshAuth: 'changing credentials or billing needs a password entered in the last 15 minutes',
  },
};

/**
 * `kiosk`: a session-only cookie that dies with the browser, idle 5 min,
 * absolute 1 h, no remember-me. For shared and public terminals.
 */
const kiosk: PolicyOptions = {
  name: 'kiosk',
  idleTimeout: '5m',
  absoluteTimeout: '1h',
  renewInterval: '15m',
  sessionOnlyCookie: true,
  rememberMe: false,
  [FORBIDS_REMEMBER_ME]: true,
  freshAuthAge: '5m',
  reasons: {
    idle: 'the next person at a shared terminal must not find the previous one signed in',
    absolute: 'no session on a shared device lasts longer than one sitting',
    rememberMe: 'a shared device is never remembered',
  },
};

/**
 * `api`: access tokens live 5 min, refresh tokens 14 days (rotating, with
 * reuse detection). The session record itself idles out after 14 days and
 * is capped at 90.
 */
const api: PolicyOptions = {
  name: 'api',
  idleTimeout: '14d',
  absoluteTimeout: '90d',
  renewInterval: false,
  accessTokenTtl: '5m',
  refreshTokenTtl: '14d',
  rememberMe: false,
  [FORBIDS_REMEMBER_ME]: true,
  reasons: {
    idle: 'a client that has not refreshed for 14 days must sign in again (RFC 9700 §4.14.2)',
    absolute: 'refresh-token families end after 90 days whatever their use (ASVS V10.4.8)',
    rememberMe: 'API clients keep a refresh token instead',
  },
};

/** The presets, by name. */
export const presets = Object.freeze({ banking, productivity, kiosk, api });
export type PresetName = keyof typeof presets;
