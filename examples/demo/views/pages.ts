/** The demo's pages, rendered on the server; public/demo.js adds the live parts. */

import type { PresetName, SessionSummary, RememberedLogin } from '@latchkey/core';
import type { DemoUser } from '../users.js';
import { EXPLAIN } from './explain.js';
import { at, countdown, html, type Html } from './html.js';

export interface LoginView {
  users: readonly DemoUser[];
  preset: PresetName;
  rememberMeOffered: boolean;
  returnTo?: string | undefined;
  /** Why the person is here: the core's reason (`idle`, `absolute`, `revoked`) or a failed attempt. */
  notice?: string | undefined;
  error?: string | undefined;
}

const REASONS: Record<string, string> = {
  idle: 'Your session ended after a period of inactivity (idle timeout).',
  absolute: 'Your session reached its absolute lifetime and ended.',
  revoked: 'This session was signed out from another device.',
};

export function loginPage(view: LoginView): Html {
  const notice = view.notice ? (REASONS[view.notice] ?? null) : null;
  return html`<h1>Sign in</h1>
    ${notice ? html`<p class="notice" id="notice">${notice}</p>` : ''}
    ${view.error ? html`<p class="error" id="error" role="alert">${view.error}</p>` : ''}
    <form method="post" action="/login" class="card login" id="login-form">
      ${view.returnTo ? html`<input type="hidden" name="returnTo" value="${view.returnTo}" />` : ''}
      <label
        >User name <input name="username" id="username" autocomplete="username" required
      /></label>
      <label
        >Password
        <input
          name="password"
          id="password"
          type="password"
          autocomplete="current-password"
          required
      /></label>
      ${
        view.rememberMeOffered
          ? html`<label class="check"
              ><input type="checkbox" name="remember" id="remember" value="1" /> Remember me on this
              device</label
            >`
          : html`<p class="hint" id="no-remember">
              The ${view.preset} policy never remembers a device.
            </p>`
      }
      <button type="submit" id="sign-in">Sign in</button>
    </form>
    <section class="card">
      <h2>Demo users</h2>
      <table class="users">
        <tr>
          <th>User name</th>
          <th>Password</th>
        </tr>
        ${view.users.map(
          (u) =>
            html`<tr>
              <td><code>${u.id}</code></td>
              <td><code>${u.password}</code></td>
            </tr>`,
        )}
      </table>
      <p class="hint">
        Passwords are stored as scrypt hashes. New logins get the
        <strong>${view.preset}</strong> policy.
      </p>
      <p class="hint">${EXPLAIN.renewal}</p>
    </section>`;
}

export interface DashboardView {
  user: DemoUser;
  preset: PresetName;
  policy: string;
  handle: string;
  createdAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  authTime: number | null;
  viaRememberMe: boolean;
  rememberMeOffered: boolean;
  /** How many passkeys the user has registered. */
  passkeys: number;
}

export function dashboardPage(view: DashboardView): Html {
  return html`<h1>Hello, ${view.user.name}</h1>
    <section class="card state" id="state">
      <h2>This session</h2>
      <dl>
        <dt>User</dt>
        <dd id="user">${view.user.id}</dd>
        <dt>Policy preset</dt>
        <dd id="preset">${view.preset}</dd>
        <dt>Session handle</dt>
        <dd>
          <code id="handle">${view.handle.slice(0, 16)}</code>
          <span class="hint">(public; the secret ID never leaves the cookie)</span>
        </dd>
        <dt>Created</dt>
        <dd id="created">${at(view.createdAt)}</dd>
        <dt>Idle deadline</dt>
        <dd>${countdown(view.idleExpiresAt, 'idle')}</dd>
        <dt>Absolute deadline</dt>
        <dd>${countdown(view.absoluteExpiresAt, 'absolute')}</dd>
        <dt>Last authenticated</dt>
        <dd id="auth-time">${at(view.authTime)}</dd>
        <dt>Came from remember-me</dt>
        <dd id="via">
          ${view.viaRememberMe ? 'yes: signed back in silently by this device’s remember-me token' : 'no'}
        </dd>
      </dl>
      <p class="hint" id="expired" hidden></p>
    </section>
    <section class="card" id="passkeys">
      <h2>Passkeys</h2>
      <p>
        You have <span id="passkey-count">${String(view.passkeys)}</span> passkey(s).
        <button type="button" id="add-passkey">Add a passkey</button>
      </p>
      <p class="hint">${EXPLAIN.passkey}</p>
      <p id="passkey-result" role="status"></p>
    </section>
    <section class="card">
      <h2>The ${view.preset} policy</h2>
      <p id="policy" class="policy">${view.policy}</p>
      <ul class="explain">
        <li>${EXPLAIN.idle}</li>
        <li>${EXPLAIN.absolute}</li>
        ${view.rememberMeOffered ? html`<li>${EXPLAIN.rememberMe}</li>` : ''}
        <li>${EXPLAIN.logout}</li>
      </ul>
    </section>`;
}

export interface DeviceRow {
  id: string;
  kind: 'session' | 'remembered-device';
  current: boolean;
  createdAt: number;
  lastSeenAt: number;
  userAgent: string | null;
  expiresAt: number;
  /** For a session re-created by remember-me: the remembered device's id (revoking the session forgets it too). */
  rememberedDevice?: string;
}

/** Sessions and remembered devices as `GET /api/sessions` lists them. */
export function deviceRows(
  sessions: readonly SessionSummary[],
  remembered: readonly RememberedLogin[],
  currentDevice: string | undefined,
): DeviceRow[] {
  return [
    ...sessions.map((s) => ({
      id: s.handle,
      kind: 'session' as const,
      current: s.current,
      createdAt: s.createdAt,
      lastSeenAt: s.lastSeenAt,
      userAgent: s.device.userAgent ?? null,
      expiresAt: Math.min(s.idleExpiresAt, s.absoluteExpiresAt),
      ...(s.rememberedLogin ? { rememberedDevice: s.rememberedLogin } : {}),
    })),
    ...remembered.map((r) => ({
      id: r.handle,
      kind: 'remembered-device' as const,
      current: r.handle === currentDevice || (r.session?.current ?? false),
      createdAt: r.createdAt,
      lastSeenAt: r.lastUsedAt,
      userAgent: r.device.userAgent ?? null,
      expiresAt: r.expiresAt,
    })),
  ];
}

function agent(ua: string | null): string {
  if (!ua) return 'unknown device';
  const browser =
    /Firefox\/[\d.]+|Chrom(?:e|ium)\/[\d.]+|Version\/[\d.]+ Safari|Safari\/[\d.]+|curl\/[\d.]+|node/.exec(
      ua,
    );
  return browser ? browser[0] : ua.slice(0, 60);
}

export function devicesPage(rows: readonly DeviceRow[]): Html {
  return html`<h1>Where you are signed in</h1>
    <p class="hint">${EXPLAIN.devices}</p>
    <table class="card devices" id="devices">
      <thead>
        <tr>
          <th>Kind</th>
          <th>Device</th>
          <th>Created</th>
          <th>Last used</th>
          <th>Ends</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (r) =>
            html`<tr data-id="${r.id}" data-kind="${r.kind}" class="${r.current ? 'current' : ''}">
              <td>
                ${r.kind === 'session' ? 'session' : 'remembered device'}${r.current ? html` <strong class="badge">this device</strong>` : ''}
              </td>
              <td title="${r.userAgent ?? ''}">${agent(r.userAgent)}</td>
              <td>${at(r.createdAt)}</td>
              <td>${at(r.lastSeenAt)}</td>
              <td>${at(r.expiresAt)}</td>
              <td>
                <form method="post" action="/api/sessions/${r.id}/revoke" data-enhance="revoke">
                  <button type="submit" class="revoke" data-id="${r.id}">
                    ${r.current ? 'Sign out here' : 'Revoke'}
                  </button>
                </form>
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
    <form method="post" action="/logout-all" class="card">
      <p>
        End every session and forget every remembered device of this account, this one included.
      </p>
      <button type="submit" id="logout-all">Log out everywhere</button>
    </form>`;
}

export function transferPage(view: {
  freshAuthAge: number | null;
  authTime: number | null;
  hasPasskey: boolean;
}): Html {
  return html`<h1>Transfer money</h1>
    <p class="hint">
      ${EXPLAIN.stepUp} This policy asks again after
      ${view.freshAuthAge === null ? 'never' : `${Math.round(view.freshAuthAge / 60_000)} minutes`};
      you last signed in ${at(view.authTime)}.
    </p>
    <p class="hint" id="step-up-policy">
      ${view.hasPasskey ? EXPLAIN.passkeyStepUp : EXPLAIN.passwordStepUp}
    </p>
    <form
      class="card"
      id="transfer-form"
      method="post"
      action="/api/transfer"
      data-enhance="transfer"
    >
      <label>Amount <input name="amount" id="amount" value="100" inputmode="numeric" /></label>
      <label>To <input name="to" id="to" value="bob" /></label>
      <button type="submit" id="transfer">Transfer</button>
    </form>
    <form
      class="card"
      id="step-up"
      method="post"
      action="/api/step-up"
      data-enhance="step-up"
      hidden
    >
      <p><strong>Confirm it is you.</strong> Your last sign-in is too old for this action.</p>
      <label
        >Password
        <input
          name="password"
          id="step-up-password"
          type="password"
          autocomplete="current-password"
      /></label>
      <button type="submit" id="confirm">Confirm</button>
    </form>
    <p id="transfer-result" role="status"></p>`;
}
