// vitest's inner packages under private names: pnpm does not hoist them to the workspace root, and
// declaring their real names here would shadow the types vitest itself resolves. core-suite.test.ts
// maps each name to the real package in vitest's own dependencies when it bundles.
declare module 'vitest-internal:runner' {
  export {
    afterAll,
    afterEach,
    beforeAll,
    beforeEach,
    describe,
    it,
    onTestFailed,
    onTestFinished,
    suite,
    test,
  } from 'vitest';
  export function startTests(specs: string[], runner: unknown): Promise<unknown[]>;
}
declare module 'vitest-internal:expect' {
  type Plugin = (chai: unknown, utils: unknown) => void;
  export const ASYMMETRIC_MATCHERS_OBJECT: unique symbol;
  export const GLOBAL_EXPECT: unique symbol;
  export const JestAsymmetricMatchers: Plugin;
  export const JestChaiExpect: Plugin;
  export const JestExtend: Plugin;
  export const ChaiStyleAssertions: Plugin;
  export function getState(expect: unknown): { assertionCalls: number };
  export function setState(state: object, expect: unknown): void;
}
declare module 'vitest-internal:spy' {
  export { fn, spyOn } from 'vitest';
}
declare module 'vitest-internal:chai' {
  export function use(plugin: unknown): void;
  export const expect: (value: unknown, message?: string) => unknown;
}
