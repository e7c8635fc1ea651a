/**
 * What `vitest` means inside Deno, Bun and workerd when the core's unit tests
 * are bundled for them (esbuild aliases `vitest` to this file). vitest itself
 * needs Node, but its pieces do not: the suite collector and runner
 * (`@vitest/runner`, the same code vitest's browser mode runs) and the
 * assertions (`@vitest/expect`, chai-based) run anywhere. So test names,
 * `it.each` formatting, hook order and matcher semantics are vitest's own.
 *
 * `vi` is the subset the core tests use: `fn` and `spyOn` (from `@vitest/spy`,
 * vitest's own) and `useFakeTimers({ now })` / `useRealTimers()`, which here
 * only pin `Date` (what the one user needs); any other `vi` member throws, so
 * a new test needing more fails loudly instead of passing by accident.
 */
import * as chai from 'vitest-internal:chai';
import {
  ASYMMETRIC_MATCHERS_OBJECT,
  ChaiStyleAssertions,
  GLOBAL_EXPECT,
  JestAsymmetricMatchers,
  JestChaiExpect,
  JestExtend,
  getState,
  setState,
} from 'vitest-internal:expect';
import { fn, spyOn } from 'vitest-internal:spy';

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
} from 'vitest-internal:runner';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(ChaiStyleAssertions);
chai.use(JestAsymmetricMatchers);

type Expect = ((value: unknown, message?: string) => unknown) & Record<string, unknown>;

/** vitest's `createExpect`, without the snapshot and poll machinery the core tests do not use. */
export const expect = ((value: unknown, message?: string) => {
  const { assertionCalls } = getState(expect);
  setState({ assertionCalls: assertionCalls + 1 }, expect);
  return chai.expect(value, message);
}) as Expect;
Object.assign(expect, chai.expect);
Object.assign(expect, (globalThis as Record<PropertyKey, unknown>)[ASYMMETRIC_MATCHERS_OBJECT]);
setState(
  { assertionCalls: 0, isExpectingAssertions: false, expectedAssertionsNumber: null },
  expect,
);
expect.getState = () => getState(expect);
expect.setState = (state: object) => setState(state, expect);
expect.extend = (matchers: object) =>
  (chai.expect as unknown as { extend(e: unknown, m: object): void }).extend(expect, matchers);
(globalThis as Record<PropertyKey, unknown>)[GLOBAL_EXPECT] = expect;

const RealDate = Date;

function useFakeTimers(options: { now?: number | Date } = {}) {
  const now = options.now === undefined ? RealDate.now() : Number(options.now);
  class PinnedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(now);
      else super(...(args as [number]));
    }
    static override now() {
      return now;
    }
  }
  globalThis.Date = PinnedDate as DateConstructor;
  return vi;
}

export const vi: Record<string, unknown> = new Proxy(
  {
    fn,
    spyOn,
    useFakeTimers,
    useRealTimers() {
      globalThis.Date = RealDate;
      return vi;
    },
  } as Record<string, unknown>,
  {
    get(target, key) {
      if (key in target) return target[key as string];
      if (typeof key === 'symbol' || key === 'then') return undefined; // probes (await, inspection), not uses
      throw new Error(
        `vitest-shim: vi.${String(key)} is not supported outside Node; add it to test/runtimes/vitest-shim.ts`,
      );
    },
  },
);
