/**
 * The core's own vitest unit files, run outside Node by vitest's own runner
 * (`@vitest/runner`) with `vitest` aliased to ../vitest-shim.ts. The test
 * files come from the virtual module `latchkey:core-tests`, which the bundler
 * (core-suite.test.ts) fills with every packages/core/test/*.test.ts that
 * exists at bundle time, as lazy imports, minus the listed Node-only ones.
 * The runtime entries (deno.ts, bun.ts, workerd.ts) only call this.
 */
import { startTests } from 'vitest-internal:runner';
// @ts-expect-error virtual module generated at bundle time
import { testFiles } from 'latchkey:core-tests';

/** One test's outcome: its file, its full name (suites and test joined by ' > ', as `vitest list` prints it), its state. */
/** `state` is `pass`, `fail` or `skip`; `declared` is the test's mode as written (`skip` only through `skipIf`, the suite bans `.skip`). */
export interface CoreTestResult {
  file: string;
  name: string;
  state: string;
  declared: string;
  error?: string;
}

interface Task {
  type: 'suite' | 'test' | 'file';
  name: string;
  mode: string;
  tasks?: Task[];
  result?: { state?: string; errors?: { message?: string; name?: string }[] };
}

const loaders = testFiles as Record<string, () => Promise<unknown>>;

/** Run every bundled core test file; never throws for failing tests, they are reported. */
export async function runCoreTests(): Promise<CoreTestResult[]> {
  const runner = {
    config: {
      root: '/',
      setupFiles: [],
      name: 'core',
      passWithNoTests: false,
      testNamePattern: undefined,
      allowOnly: false,
      sequence: { shuffle: false, concurrent: false, seed: 0, hooks: 'stack', setupFiles: 'list' },
      chaiConfig: undefined,
      maxConcurrency: 5,
      testTimeout: 30_000,
      hookTimeout: 60_000,
      retry: 0,
      includeTaskLocation: false,
      tags: [],
      tagsFilter: undefined,
      strictTags: false,
    },
    importFile: (filepath: string) => {
      const load = loaders[filepath];
      if (!load) throw new Error(`no bundled test file ${filepath}`);
      return load();
    },
  };
  const files = (await startTests(Object.keys(loaders), runner)) as (Task & {
    filepath: string;
    result?: Task['result'];
  })[];
  const results: CoreTestResult[] = [];
  const walk = (file: string, task: Task, path: string[]) => {
    if (task.type === 'test') {
      const error = task.result?.errors
        ?.map((e) => `${e.name ?? 'Error'}: ${e.message ?? ''}`)
        .join('\n');
      results.push({
        file,
        name: [...path, task.name].join(' > '),
        state: task.result?.state ?? task.mode,
        declared: task.mode,
        ...(error ? { error } : {}),
      });
      return;
    }
    for (const child of task.tasks ?? []) walk(file, child, [...path, task.name]);
  };
  for (const file of files) {
    const fileError = file.result?.errors
      ?.map((e) => `${e.name ?? 'Error'}: ${e.message ?? ''}`)
      .join('\n');
    if (fileError)
      results.push({
        file: file.filepath,
        name: '(file failed to load)',
        state: 'fail',
        declared: 'run',
        error: fileError,
      });
    for (const task of file.tasks ?? []) walk(file.filepath, task, []);
  }
  return results;
}
