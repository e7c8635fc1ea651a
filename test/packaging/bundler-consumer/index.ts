// A TypeScript project for a bundler (moduleResolution bundler): every @latchkey entry point, imported by name.
import * as client from '@latchkey/client';
import * as core from '@latchkey/core';
import * as coreCookie from '@latchkey/core/cookie';
import * as coreDbsc from '@latchkey/core/dbsc';
import * as coreDpop from '@latchkey/core/dpop';
import * as coreMonitor from '@latchkey/core/monitor';
import * as coreSealed from '@latchkey/core/sealed';
import * as coreStore from '@latchkey/core/store';
import * as coreTesting from '@latchkey/core/testing';
import * as coreTestingPortable from '@latchkey/core/testing/portable';
import * as coreTokens from '@latchkey/core/tokens';
import * as coreWebauthn from '@latchkey/core/webauthn';
import * as deno from '@latchkey/deno';
import * as hono from '@latchkey/hono';
import * as node from '@latchkey/node';
import * as sql from '@latchkey/sql';
import * as sqlLibsql from '@latchkey/sql/libsql';
import * as sqlPg from '@latchkey/sql/pg';
import * as sqlPostgres from '@latchkey/sql/postgres';
import * as unstorage from '@latchkey/unstorage';
import * as unstorageRedis from '@latchkey/unstorage/redis';
import * as workers from '@latchkey/workers';

export const mainExports: Function[] = [
  client.createClient,
  core.createLatchkey,
  coreCookie.serializeCookie,
  coreDbsc.deviceBoundSessions,
  coreDpop.createDpopVerifier,
  coreMonitor.createMonitor,
  coreSealed.createSealedSessions,
  coreStore.checkValue,
  coreTesting.testStore,
  coreTestingPortable.runStoreCases,
  coreTokens.createTokenIssuer,
  coreWebauthn.createPasskeys,
  deno.serveWithSessions,
  hono.latchkey,
  node.latchkeyMiddleware,
  sql.sqlStore,
  sqlLibsql.sqliteStore,
  sqlPg.postgresStore,
  sqlPostgres.postgresJsStore,
  unstorage.unstorageStore,
  unstorageRedis.redisStore,
  workers.withWorkerSessions,
];
