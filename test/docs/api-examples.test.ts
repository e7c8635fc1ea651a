/**
 * The API reference's `@example` rule (docs/api.md): every exported function,
 * callable const and public class method of every entry point has one. The
 * fixture proves the checker names what is missing, by name, file and line.
 */
import { Application } from 'typedoc';
import { describe, expect, it, vi } from 'vitest';
import { checkApiExamples, describeMissing, load } from './api-examples.js';

const fixture = 'test/docs/fixture/typedoc.json';
const fixtureMissing = [
  { name: 'subtract', file: 'test/docs/fixture/index.ts', line: 17 },
  { name: 'double', file: 'test/docs/fixture/index.ts', line: 22 },
  { name: 'negate', file: 'test/docs/fixture/index.ts', line: 36 },
  { name: 'Counter.reset', file: 'test/docs/fixture/index.ts', line: 67 },
];

describe('the @example check', () => {
  it('lists each undocumented function, callable const and public method of a surface, and nothing else', async () => {
    expect(await checkApiExamples(fixture)).toEqual(fixtureMissing);
  });

  it('as the pnpm docs plugin, fails the build with an error naming each one', async () => {
    const app = await Application.bootstrap({ options: fixture, plugin: [], logLevel: 'None' });
    const error = vi.spyOn(app.logger, 'error');
    load(app);
    await app.convert();
    expect(app.logger.hasErrors()).toBe(true);
    expect(error).toHaveBeenCalledTimes(1);
    const message = String(error.mock.calls[0]![0]);
    expect(message).toContain('4 exported function(s) without an @example');
    for (const m of fixtureMissing) expect(message).toContain(`${m.name} (${m.file}:${m.line})`);
    expect(message).not.toMatch(/\badd\b|\bhalf\b|increment|answer|area/);
  });

  it('finds every exported function and method of the published entry points documented with an @example', async () => {
    const missing = await checkApiExamples();
    expect(missing, `exported without an @example:\n${describeMissing(missing)}`).toEqual([]);
  }, 120_000); // one TypeScript program over every package: about 10 s on 2 busy cores
});
