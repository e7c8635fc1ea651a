/**
 * The demo's passkey step-up in Chromium, driven by its virtual authenticator
 * (CDP `WebAuthn` domain): add a passkey on the dashboard, let the sign-in age
 * past the transfer's limit on the demo clock, and the transfer runs the
 * passkey ceremony and goes through under a new session ID; the password
 * fallback when the passkey does not answer, and for a user who has none.
 */

import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { startDemo, type RunningDemo } from '../../examples/demo/demo.js';
import { waitFor } from '../browser/until.js';
import { ALICE, BOB, MINUTE } from './agent.js';

let demo: RunningDemo;
let dataDir: string;
let profile: string;
let context: BrowserContext;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'latchkey-demo-passkey-'));
  profile = mkdtempSync(join(tmpdir(), 'latchkey-chromium-passkey-'));
  const { chromium } = await import('playwright-core');
  [demo, context] = await Promise.all([
    startDemo({ port: 0, dataDir }),
    chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    }),
  ]);
});
afterAll(async () => {
  await context?.close();
  await demo?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
});

const advance = async (ms: number) => {
  const r = await fetch(demo.origin + '/__demo/clock', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ advanceMs: ms }),
  });
  expect(r.status).toBe(200);
};

/** A tab with a platform authenticator (UV by fingerprint, always present), as a laptop with a passkey has. */
async function tabWithAuthenticator(): Promise<{
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
}> {
  await context.clearCookies();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { page, cdp, authenticatorId };
}

async function signIn(page: Page, [user, password]: readonly [string, string]) {
  await page.goto(demo.origin + '/login');
  await page.fill('#username', user);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(demo.origin + '/'), page.click('#sign-in')]);
}

const me = (page: Page) =>
  page.evaluate(() =>
    fetch('/api/me', { headers: { accept: 'application/json' } }).then((r) => r.json()),
  ) as Promise<{ handle: string; factors: { method: string; userVerified: boolean }[] }>;

async function addPasskey(page: Page) {
  await page.click('#add-passkey');
  await waitFor(
    () => page.textContent('#passkey-result'),
    (t) => /added/.test(t ?? ''),
  );
  expect(await page.textContent('#passkey-result')).toBe('Passkey added.');
  expect(await page.textContent('#passkey-count')).toBe('1');
}

async function transfer(page: Page): Promise<string> {
  await page.goto(demo.origin + '/transfer');
  await page.click('#transfer');
  return (await waitFor(
    () => page.textContent('#transfer-result'),
    (t) => /Transferred|Refused/.test(t ?? ''),
  ))!;
}

it('with a passkey, a stale transfer runs the passkey ceremony, goes through, and the session ID changes', async () => {
  const { page, cdp, authenticatorId } = await tabWithAuthenticator();
  await signIn(page, ALICE);
  await addPasskey(page);
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  expect(credentials).toHaveLength(1);
  await advance(16 * MINUTE); // productivity: the transfer asks again after 15 minutes
  const before = await me(page);
  expect(before.factors.map((f) => f.method)).toEqual(['password']);

  expect(await transfer(page)).toBe('Transferred 100 to bob.');
  expect(await page.isHidden('#step-up')).toBe(true); // no password was asked for
  const after = await me(page);
  expect(after.handle).not.toBe(before.handle);
  expect(after.factors[0]).toMatchObject({ method: 'passkey', userVerified: true });
  const signed = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  expect(signed.credentials[0]!.signCount).toBeGreaterThan(credentials[0]!.signCount);
  await page.close();
});

it('when the passkey cannot verify the person, the transfer falls back to the password', async () => {
  const { page, cdp, authenticatorId } = await tabWithAuthenticator();
  await signIn(page, BOB);
  await addPasskey(page);
  await advance(16 * MINUTE);
  // The fingerprint is not recognised: the authenticator refuses, and the page asks for the password.
  await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
  await page.goto(demo.origin + '/transfer');
  await page.click('#transfer');
  await page.waitForSelector('#step-up:not([hidden])');
  await page.fill('#step-up-password', BOB[1]);
  await page.click('#confirm');
  expect(
    await waitFor(
      () => page.textContent('#transfer-result'),
      (t) => /Transferred|Refused/.test(t ?? ''),
    ),
  ).toBe('Transferred 100 to bob.');
  expect((await me(page)).factors[0]).toMatchObject({ method: 'password' });
  await page.close();
});
