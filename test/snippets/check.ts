/**
 * Type-checks the docs' code blocks as a user pastes them: each block is written as its own module
 * under a generated folder and checked by tsc against the built packages, under
 * `moduleResolution: bundler` and `node16`; errors point at the doc line (`docs/guide.md:123:5`).
 * `pnpm check:snippets` runs this file; test/packaging/snippets.test.ts runs it in `pnpm test`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  docFiles,
  extractSnippets,
  here,
  readContexts,
  root,
  SnippetConventionError,
  type Snippet,
} from './extract.js';

const tsc = join(root, 'node_modules/typescript/bin/tsc');

/**
 * Packages whose own type files fail `skipLibCheck: false` in any project, so a snippet importing
 * one goes to a program of that name with `skipLibCheck: true` (the snippets are still checked).
 */
export const libCheckExempt: Record<string, string> = {
  unstorage:
    "unstorage's index.d.mts imports every driver's types, which import its optional peers " +
    "(@azure/*, mongodb, @vercel/kv, …), the Workers globals, and (under node16) '..' with no extension",
};

function programOf(snippet: Snippet): string {
  if (snippet.program !== 'main') return snippet.program;
  for (const name of Object.keys(libCheckExempt)) {
    if (new RegExp(`from '${name}(/[^']*)?'`).test(snippet.code)) return name;
  }
  return 'main';
}

/** The two projects every snippet is checked in: a bundler's and Node's ESM. */
export const configs = {
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
  node16: { module: 'node16', moduleResolution: 'node16' },
} as const;

interface Written {
  snippet: Snippet;
  program: string;
  /** Lines prepended before the snippet's first line. */
  preamble: number;
  /** Where each prepended line came from (contexts.ts), for errors inside a preamble. */
  contextLines: number[];
}

/**
 * Writes each checked snippet as its own module under `out` (one file per block, named after
 * the doc and line: `docs/guide.md.30.ts`), and one tsconfig per program and module setting.
 */
export function writeSnippets(
  snippets: Snippet[],
  out: string,
  contexts = readContexts(),
): Map<string, Written> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'package.json'),
    JSON.stringify({ private: true, type: 'module' }, null, 2) + '\n',
  );
  const written = new Map<string, Written>();
  const programs = new Map<string, string[]>();
  for (const snippet of snippets) {
    if (snippet.skip !== undefined) continue;
    const preamble: string[] = [];
    const contextLines: number[] = [];
    for (const name of snippet.contexts) {
      const context = contexts.get(name);
      if (!context)
        throw new SnippetConventionError(
          `${snippet.doc}:${snippet.line - 1}: no context "${name}" in test/snippets/contexts.ts`,
        );
      preamble.push(...context.lines);
      contextLines.push(...context.lines.map((_, k) => context.line + k));
    }
    const program = programOf(snippet);
    const file = `${program}/${snippet.doc}.${snippet.line}.${snippet.ext}`;
    mkdirSync(dirname(join(out, file)), { recursive: true });
    writeFileSync(join(out, file), [...preamble, snippet.code, ''].join('\n'));
    written.set(file, { snippet, program, preamble: preamble.length, contextLines });
    programs.set(program, [...(programs.get(program) ?? []), file]);
  }
  for (const [program, files] of programs) {
    for (const [name, modules] of Object.entries(configs)) {
      const tsconfig = {
        compilerOptions: {
          ...modules,
          target: 'ES2022',
          lib: ['ES2022', 'DOM', 'DOM.Iterable'],
          types: ['node'],
          strict: true,
          noEmit: true,
          // Declaration files are checked in the main program, which loads every package the
          // snippets import; the others (libCheckExempt's, and the ones a directive names for
          // their augmentations) would check the same files again. TypeScript's own lib files
          // are not a package's types.
          skipLibCheck: program !== 'main',
          skipDefaultLibCheck: true,
          // Every block is a module, so two blocks' `const latchkey` never collide.
          moduleDetection: 'force',
          allowJs: true,
          checkJs: true,
          jsx: 'react-jsx',
        },
        files,
      };
      writeFileSync(
        join(out, `tsconfig.${program}.${name}.json`),
        JSON.stringify(tsconfig, null, 2) + '\n',
      );
    }
  }
  return written;
}

export interface SnippetError {
  /** `docs/guide.md:123:5` (or the generated file's path for an error outside the snippets). */
  where: string;
  config: string;
  message: string;
}

const diagnostic = /^(.+?)\((\d+),(\d+)\): (error TS\d+: .*)$/;

/** Maps tsc's output for one project back to the markdown lines. */
export function mapErrors(
  output: string,
  written: Map<string, Written>,
  config: string,
): SnippetError[] {
  const errors: SnippetError[] = [];
  for (const text of output.split('\n')) {
    const m = diagnostic.exec(text);
    if (!m) {
      if (text.startsWith('  ') && errors.length) errors[errors.length - 1]!.message += '\n' + text;
      else if (text.trim()) errors.push({ where: 'tsc', config, message: text });
      continue;
    }
    const [, file, lineText, colText, message] = m as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    const w = written.get(file);
    const line = Number(lineText);
    const col = Number(colText);
    let where = `${file}:${line}:${col}`;
    if (w && line > w.preamble) {
      where = `${w.snippet.doc}:${w.snippet.line + line - w.preamble - 1}:${col + w.snippet.indent}`;
    } else if (w) {
      where = `test/snippets/contexts.ts:${w.contextLines[line - 1]}:${col} (preamble of ${w.snippet.doc}:${w.snippet.line})`;
    }
    errors.push({ where, config, message });
  }
  return errors;
}

/**
 * A `declare module 'x'` in a file with no import or export declares the module anew instead of
 * augmenting it, and every import of it then loses its exports; `moduleDetection: force` would
 * hide that here, so it is checked by hand.
 */
export function augmentationErrors(snippets: Snippet[]): SnippetError[] {
  return snippets.flatMap((s) => {
    if (s.skip !== undefined || /^\s*(import|export)\b/m.test(s.code)) return [];
    const lines = s.code.split('\n');
    const at = lines.findIndex((l) => /^\s*declare module ['"]/.test(l));
    if (at < 0) return [];
    const name = /declare module ['"]([^'"]+)/.exec(lines[at]!)![1];
    return Object.keys(configs).map((config) => ({
      where: `${s.doc}:${s.line + at}:1`,
      config,
      message: `error augmentation: a file with no import or export declares '${name}' anew instead of augmenting it; add \`import type {} from '${name}';\``,
    }));
  });
}

export interface CheckResult {
  checked: Snippet[];
  skipped: Snippet[];
  errors: SnippetError[];
}

/** Extracts the blocks of `docs` (paths relative to `base`), writes them under `out` and runs tsc on each project. */
export async function checkSnippets(
  docs: string[],
  out: string,
  base = root,
): Promise<CheckResult> {
  const snippets = docs.flatMap((doc) =>
    extractSnippets(readFileSync(join(base, doc), 'utf8'), doc),
  );
  const written = writeSnippets(snippets, out);
  const programs = [...new Set([...written.values()].map((w) => w.program))];
  const runs = programs.flatMap((program) =>
    Object.keys(configs).map(async (config) => {
      const project = `tsconfig.${program}.${config}.json`;
      try {
        await promisify(execFile)(process.execPath, [tsc, '-p', project, '--pretty', 'false'], {
          cwd: out,
          encoding: 'utf8',
          timeout: 120_000,
        });
        return [];
      } catch (error) {
        const { stdout, stderr } = error as { stdout?: string; stderr?: string };
        const errors = mapErrors(stdout ?? '', written, config);
        return errors.length
          ? errors
          : [{ where: project, config, message: stderr || String(error) }];
      }
    }),
  );
  const errors = [...augmentationErrors(snippets), ...(await Promise.all(runs)).flat()];
  return {
    checked: snippets.filter((s) => s.skip === undefined),
    skipped: snippets.filter((s) => s.skip !== undefined),
    errors,
  };
}

/** One line per error, `docs/guide.md:123:5 [bundler, node16] error TS2305: …`: an error both configs report, once. */
export function formatErrors(errors: SnippetError[]): string {
  const byText = new Map<string, { where: string; message: string; configs: string[] }>();
  for (const e of errors) {
    const key = `${e.where}\n${e.message}`;
    const seen = byText.get(key) ?? { where: e.where, message: e.message, configs: [] };
    seen.configs.push(e.config);
    byText.set(key, seen);
  }
  return [...byText.values()]
    .map((e) => `${e.where} [${e.configs.join(', ')}] ${e.message}`)
    .join('\n');
}

/** The generated folder for the repository's own docs (git-ignored). */
export const generated = join(here, '.generated');

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { ensureBuilt } = await import('../packaging/ensure-built.js');
  ensureBuilt();
  const result = await checkSnippets(docFiles(), generated);
  const summary = `${result.checked.length} snippets checked under ${Object.keys(configs).join(' and ')}, ${result.skipped.length} skipped`;
  if (result.errors.length) {
    console.error(formatErrors(result.errors));
    console.error(
      `\n${summary}: ${result.errors.length} errors (generated files in ${relative(process.cwd(), generated)})`,
    );
    process.exit(1);
  }
  console.log(summary);
}
