/**
 * Every TypeScript block of the READMEs and docs/*.md compiles as a user pastes it, against the
 * built packages under `moduleResolution: bundler` and `node16` (test/snippets/check.ts; the
 * convention is in docs/README.md). A failure lists each error as `docs/guide.md:123:5`.
 */
import { beforeAll, expect, it } from 'vitest';
import { checkSnippets, formatErrors, generated } from '../snippets/check.js';
import { docFiles } from '../snippets/extract.js';
import { ensureBuilt } from './ensure-built.js';

beforeAll(ensureBuilt);

it('every doc snippet type-checks under bundler and node16, and each skip says why', async () => {
  const result = await checkSnippets(docFiles(), generated);
  expect(formatErrors(result.errors)).toBe('');
  expect(result.checked.length).toBeGreaterThan(70);
  expect(result.checked.map((s) => s.doc)).toContain('adapters/unstorage/README.md');
  for (const s of result.skipped) expect(s.skip, `${s.doc}:${s.line}`).toMatch(/\w{3,}/);
});
