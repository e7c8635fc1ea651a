/**
 * The snippet checker can fail, and says where: a markdown fixture with one broken block (and
 * one broken block in a list item) must be reported at its file and line, under both module
 * settings, while its good, context and skipped blocks pass. The docs' own check is
 * test/packaging/snippets.test.ts (it needs the built packages).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { augmentationErrors, checkSnippets, formatErrors } from './check.js';
import { extractSnippets, here, SnippetConventionError } from './extract.js';

const fixtures = join(here, 'fixtures');
const out = join(here, '.generated-fixture');

describe('checkSnippets on a fixture', () => {
  it('names the broken lines as file:line:column, under bundler and node16, and nothing else', async () => {
    const result = await checkSnippets(['broken.md'], out, fixtures);
    expect(result.checked.map((s) => s.line)).toEqual([6, 13, 22, 38]);
    expect(result.skipped.map((s) => s.skip)).toEqual(['shows an error on purpose']);
    const report = formatErrors(result.errors);
    expect(report.split('\n')).toEqual([
      expect.stringMatching(
        /^broken\.md:14:7 \[bundler, node16\] error TS2322: Type 'string' is not assignable to type 'number'\./,
      ),
      expect.stringMatching(
        /^broken\.md:38:9 \[bundler, node16\] error TS2322: Type 'string' is not assignable to type 'boolean'\./,
      ),
    ]);
  }, 60_000);
});

describe('the convention', () => {
  it('refuses a directive that is not directly before a fence, a skip without a reason and an unknown key', () => {
    expect(() => extractSnippets('<!-- snippet: skip (x) -->\n\n```ts\nx\n```\n', 'a.md')).toThrow(
      new SnippetConventionError(
        'a.md:1: a snippet directive must be directly before a code fence',
      ),
    );
    expect(() => extractSnippets('<!-- snippet: skip -->\n```ts\nx\n```\n', 'a.md')).toThrow(
      /a\.md:1: a skip needs its reason/,
    );
    expect(() => extractSnippets('<!-- snippet: contxt=env -->\n```ts\nx\n```\n', 'a.md')).toThrow(
      /unknown snippet directive "contxt=env"/,
    );
    expect(() => extractSnippets('<!-- snippet: context=env -->\n```sh\nx\n```\n', 'a.md')).toThrow(
      /not checked anyway/,
    );
  });

  it('reads a fence tag, contexts and a program', () => {
    const [snippet] = extractSnippets(
      '<!-- snippet: context=env,user program=drop-in -->\n```tsx\nx\n```\n',
      'a.md',
    );
    expect(snippet).toMatchObject({
      line: 3,
      ext: 'tsx',
      code: 'x',
      contexts: ['env', 'user'],
      program: 'drop-in',
    });
  });

  it('flags a declare module in a file with no import, which would replace the module', () => {
    const code = "declare module '@latchkey/core' {\n  interface SessionData { theme?: string }\n}";
    const [bare] = extractSnippets('```ts\n' + code + '\n```\n', 'a.md');
    const [imported] = extractSnippets(
      "```ts\nimport type {} from '@latchkey/core';\n" + code + '\n```\n',
      'a.md',
    );
    expect(augmentationErrors([bare!]).map((e) => e.where)).toEqual(['a.md:2:1', 'a.md:2:1']);
    expect(augmentationErrors([imported!])).toEqual([]);
  });
});
