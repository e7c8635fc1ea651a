// A TypeScript app on the expressSession() drop-in selects its req.session type once, and then
// writes express-session code unchanged. Checked by running tsc on such an app, in a program of
// its own: the selection is global, and this repo's other tests use latchkeyMiddleware's type.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

const app = `
import express from 'express';
import { expressSession } from '@latchkey/node';
import { MemoryStore, presets } from '@latchkey/core';

declare module '@latchkey/node' {
  interface SessionMiddlewareMode { expressSession: true }
  interface ExpressSessionData { views: number }
}

const sessions = expressSession({ latchkey: { policy: presets.productivity, store: new MemoryStore() } });
const app = express();
app.use(sessions);
app.get('/', (req, res) => {
  req.session.views = (req.session.views ?? 0) + 1;
  req.session.save((error) => { if (error) throw error; });
  const handle: string | undefined = req.session.id;
  const maxAge: number | null = req.session.cookie.maxAge;
  // @ts-expect-error: a key the app did not declare
  req.session.colour = 'red';
  // @ts-expect-error: req.session.cookie is read-only
  req.session.cookie = null;
  res.json({ handle, maxAge });
});
void sessions.latchkey.revokeUser('ada');
`;

const sealedApp = `
import express from 'express';
import { latchkeyMiddleware, requireFreshAuth, requireSession } from '@latchkey/node';
import { MemoryStore } from '@latchkey/core';
import { createSealedSessions } from '@latchkey/core/sealed';

declare module '@latchkey/node' {
  interface SessionMiddlewareMode { sealed: true }
}

const sessions = createSealedSessions({
  policy: { idleTimeout: '30m', absoluteTimeout: '8h' },
  secrets: ['s'.repeat(32)],
  notBefore: { store: new MemoryStore() },
});
const app = express();
app.use(latchkeyMiddleware(sessions));
app.post('/logout-everywhere', requireSession(), requireFreshAuth('5m'), async (req, res) => {
  await req.session.logout({ everywhere: true });
  res.json({ ok: true });
});
`;

const defaultApp = `
import express from 'express';
import { latchkeyMiddleware } from '@latchkey/node';
import { createLatchkey, MemoryStore } from '@latchkey/core';

const latchkey = createLatchkey({ policy: { idleTimeout: '30m', absoluteTimeout: '8h' }, store: new MemoryStore() });
const app = express();
app.use(latchkeyMiddleware(latchkey));
app.post('/logout', async (req, res) => {
  await req.session.logout();
  // @ts-expect-error: on server-side sessions, log out everywhere is latchkey.revokeUser(userId)
  await req.session.logout({ everywhere: true });
  res.json({ ok: true });
});
`;

/** tsc's errors for `source` as an app, or '' when it typechecks. */
async function typecheck(source: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-drop-in-types-'));
  try {
    await writeFile(join(dir, 'app.ts'), source);
    const compilerOptions = {
      lib: ['ES2022', 'DOM', 'DOM.Iterable'],
      types: ['node'],
      typeRoots: [join(root, 'adapters/node/node_modules/@types')],
      paths: {
        express: [join(root, 'adapters/node/node_modules/@types/express/index.d.ts')],
        '@latchkey/core': [join(root, 'packages/core/src/index.ts')],
        '@latchkey/core/*': [join(root, 'packages/core/src/*/index.ts')],
        '@latchkey/node': [join(root, 'adapters/node/src/index.ts')],
      },
    };
    const tsconfig = {
      extends: join(root, 'tsconfig.base.json'),
      compilerOptions,
      files: ['app.ts'],
    };
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = join(root, 'node_modules/.bin/tsc');
    return await promisify(execFile)(tsc, ['-p', dir], { cwd: dir }).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("latchkeyMiddleware()'s req.session type", () => {
  it('an app on sealed sessions that says so can call logout({ everywhere: true })', async () => {
    expect(await typecheck(sealedApp)).toBe('');
  });

  it('by default it is the server-side session, whose logout() takes no options', async () => {
    expect(await typecheck(defaultApp)).toBe('');
  });
});

describe("expressSession()'s req.session type", () => {
  it('once selected, express-session code typechecks, undeclared keys and cookie writes do not', async () => {
    expect(await typecheck(app)).toBe('');
  });
});
