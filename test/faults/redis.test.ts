/**
 * Redis faults, on the real thing: the Hono app on Node over `redisStore`,
 * under a bounded load of authenticated reads and writes. Redis is paused
 * (SIGSTOP: it holds its connections and answers nothing), then resumed;
 * later killed (SIGKILL) and restarted from its append-only file. Every
 * request is counted by status in each phase.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisStore } from '@latchkey/unstorage/redis';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { Client, startFaultApp, tally, type FaultApp } from './fault-app.js';

const CLIENTS = 6;
const BATCH = 30; // requests per phase: bounded

let redis: RedisServer;
let client: Redis;
let bare: Redis;
let app: FaultApp;
let bareApp: FaultApp;
let dir: string;
const clients: Client[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

/** `BATCH` requests spread over the clients, reads and writes alternating, all at once. */
const batch = () =>
  Promise.all(
    Array.from({ length: BATCH }, (_, i) => clients[i % CLIENTS]!.call(i % 2 ? 'write' : 'read')),
  );
/** Every client's committed count, read once the store is back. */
const counts = async () =>
  Promise.all(clients.map(async (c) => ((await c.call('read')).body as { n: number }).n));

async function untilHealthy(): Promise<void> {
  const end = Date.now() + 20_000; // bounded: ioredis reconnects with a short backoff
  while ((await clients[0]!.call('read')).status !== 200) {
    if (Date.now() > end) throw new Error('the app did not recover within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  dir = mkdtempSync(join(tmpdir(), 'latchkey-redis-faults-'));
  redis = await startRedis({ appendOnlyDir: dir });
  // The README's client: no offline queue, no retries per request, a command timeout, an error listener.
  client = new Redis(redis.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 300,
    lazyConnect: true,
  });
  client.on('error', () => {});
  await client.connect();
  app = await startFaultApp(redisStore(client));
  // A client without a command timeout: only the engine's storeTimeout bounds a hung call.
  bare = new Redis(redis.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    lazyConnect: true,
  });
  bare.on('error', () => {});
  await bare.connect();
  bareApp = await startFaultApp(redisStore(bare));
  for (let i = 0; i < CLIENTS; i++) {
    const c = new Client(app.origin);
    await c.login(`user${i}`);
    clients.push(c);
  }
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await app?.close();
  await bareApp?.close();
  client?.disconnect();
  bare?.disconnect();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis faults', () => {
  it('healthy: every read and write answers 200', async () => {
    expect(tally(await batch())).toEqual({ 200: BATCH });
  });

  it('paused: every request answers 503 while Redis is still stopped, none hangs, none signs anyone out', async () => {
    const before = await counts();
    const viaBare = new Client(bareApp.origin);
    viaBare.cookie = clients[0]!.cookie; // the same session, through the app whose client has no timeout
    redis.pause();
    let answers;
    let bareAnswers;
    try {
      // Redis answers nothing until resumed, so each of these ends only by a timeout.
      [answers, bareAnswers] = await Promise.all([
        batch(),
        Promise.all([viaBare.call('read'), viaBare.call('write')]),
      ]);
    } finally {
      redis.resume();
    }
    expect(tally(answers)).toEqual({ 503: BATCH });
    expect(tally(bareAnswers)).toEqual({ 503: 2 });
    expect(answers.filter((a) => a.cleared)).toEqual([]);
    expect(answers.map((a) => a.body)).toEqual(
      Array(BATCH).fill({ error: 'session_store_unavailable' }),
    );
    await untilHealthy();
    // Every session committed before the pause is valid; a write sent during it landed whole or not at all.
    const after = await counts();
    after.forEach((n, i) => expect([before[i], before[i]! + 1]).toContain(n));
    expect(tally(await batch())).toEqual({ 200: BATCH });
  });

  it('killed and restarted from its append-only file: 503 while down, every session back without restarting the app', async () => {
    const before = await counts();
    await redis.stop();
    const down = await batch();
    expect(tally(down)).toEqual({ 503: BATCH });
    expect(down.filter((a) => a.cleared)).toEqual([]);
    await redis.restart();
    await untilHealthy();
    expect(await counts()).toEqual(before);
    expect(tally(await batch())).toEqual({ 200: BATCH });
  });

  it('no unhandled rejection anywhere in the process', () => {
    expect(unhandled).toEqual([]);
  });
});
