/**
 * Type-checks the code blocks of the READMEs and docs/*.md as a user would paste them: each
 * TypeScript or JavaScript block becomes its own module, checked by tsc against the built
 * packages under `moduleResolution: bundler` and `node16`, errors reported as `docs/guide.md:123`.
 * The HTML comment convention before a fence is described in docs/README.md ("Code snippets").
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '../..');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const contextsFile = join(here, 'contexts.ts');

/** The fence tags that are code to check, and the extension each is written with. */
const languages: Record<string, string> = {
  ts: 'ts',
  typescript: 'ts',
  tsx: 'tsx',
  js: 'js',
  javascript: 'js',
  mjs: 'mjs',
};

export interface Snippet {
  /** The markdown file, relative to the repository root (`docs/guide.md`). */
  doc: string;
  /** 1-based line of the block's first code line in the markdown file. */
  line: number;
  /** Columns of indentation stripped from every line (a fence inside a list item). */
  indent: number;
  ext: string;
  code: string;
  /** Named preambles from contexts.ts, prepended in this order. */
  contexts: string[];
  /** Snippets sharing a program see each other's `declare module` augmentations. */
  program: string;
  /** Why the block is not checked; undefined for a checked block. */
  skip?: string;
}

/** A convention mistake in a markdown file: a directive the checker cannot honour. */
export class SnippetConventionError extends Error {}

const directive = /^\s*<!--\s*snippet:\s*(.*?)\s*-->\s*$/;

function parseDirective(text: string, where: string): Pick<Snippet, 'contexts' | 'program' | 'skip'> {
  const skip = /^skip\s*\((.+)\)$/.exec(text);
  if (skip) return { contexts: [], program: 'main', skip: skip[1]!.trim() };
  if (/^skip\b/.test(text)) throw new SnippetConventionError(`${where}: a skip needs its reason: <!-- snippet: skip (why) -->`);
  const out = { contexts: [] as string[], program: 'main' };
  for (const part of text.split(/\s+/).filter(Boolean)) {
    const [key, value] = part.split('=', 2);
    if (key === 'context' && value) out.contexts.push(...value.split(',').filter(Boolean));
    else if (key === 'program' && value && /^[\w-]+$/.test(value)) out.program = value;
    else throw new SnippetConventionError(`${where}: unknown snippet directive "${part}" (context=a,b, program=name or skip (reason))`);
  }
  return out;
}

/** Every code block of one markdown file, with the directive that precedes it, if any. */
export function extractSnippets(markdown: string, doc: string): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  let pending: { text: string; line: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/.exec(lines[i]!);
    if (!open) {
      const d = directive.exec(lines[i]!);
      if (pending) throw new SnippetConventionError(`${doc}:${pending.line}: a snippet directive must be directly before a code fence`);
      if (d) pending = { text: d[1]!, line: i + 1 };
      continue;
    }
    const [, indent, fence, tag] = open as unknown as [string, string, string, string];
    const body: string[] = [];
    let j = i + 1;
    const close = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    for (; j < lines.length && !close.test(lines[j]!); j++) body.push(lines[j]!);
    const ext = languages[tag.toLowerCase()];
    const where = `${doc}:${i + 1}`;
    if (pending && !ext) throw new SnippetConventionError(`${where}: a snippet directive before a "${tag || 'untagged'}" block, which is not checked anyway`);
    if (ext) {
      const meta = pending ? parseDirective(pending.text, `${doc}:${pending.line}`) : { contexts: [], program: 'main' };
      const code = body.map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart())).join('\n');
      snippets.push({ doc, line: i + 2, indent: indent.length, ext, code, ...meta });
    }
    pending = undefined;
    i = j;
  }
  if (pending) throw new SnippetConventionError(`${doc}:${pending.line}: a snippet directive must be directly before a code fence`);
  return snippets;
}

interface Context {
  lines: string[];
  /** 1-based line in contexts.ts of the preamble's first line. */
  line: number;
}

/** The named preambles of contexts.ts: the lines between `// #region name` and `// #endregion`. */
export function readContexts(source = readFileSync(contextsFile, 'utf8')): Map<string, Context> {
  const contexts = new Map<string, Context>();
  let current: Context | undefined;
  source.split('\n').forEach((text, i) => {
    const start = /^\/\/ #region ([\w-]+)/.exec(text);
    if (start) contexts.set(start[1]!, (current = { lines: [], line: i + 2 }));
    else if (text.startsWith('// #endregion')) current = undefined;
    else current?.lines.push(text);
  });
  return contexts;
}

/** The markdown files whose code blocks are docs: README.md, {packages,adapters,examples}/*\/README.md, docs/*.md. */
export function docFiles(): string[] {
  const list = (dir: string) => (existsSync(join(root, dir)) ? readdirSync(join(root, dir)).sort() : []);
  const readmes = ['packages', 'adapters', 'examples'].flatMap((top) =>
    list(top)
      .map((name) => `${top}/${name}/README.md`)
      .filter((f) => existsSync(join(root, f))),
  );
  const docs = list('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  return ['README.md', ...readmes, ...docs];
}

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
export function writeSnippets(snippets: Snippet[], out: string, contexts = readContexts()): Map<string, Written> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'package.json'), JSON.stringify({ private: true, type: 'module' }, null, 2) + '\n');
  const written = new Map<string, Written>();
  const programs = new Map<string, string[]>();
  for (const snippet of snippets) {
    if (snippet.skip !== undefined) continue;
    const preamble: string[] = [];
    const contextLines: number[] = [];
    for (const name of snippet.contexts) {
      const context = contexts.get(name);
      if (!context) throw new SnippetConventionError(`${snippet.doc}:${snippet.line - 1}: no context "${name}" in test/snippets/contexts.ts`);
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
      writeFileSync(join(out, `tsconfig.${program}.${name}.json`), JSON.stringify(tsconfig, null, 2) + '\n');
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
export function mapErrors(output: string, written: Map<string, Written>, config: string): SnippetError[] {
  const errors: SnippetError[] = [];
  for (const text of output.split('\n')) {
    const m = diagnostic.exec(text);
    if (!m) {
      if (text.startsWith('  ') && errors.length) errors[errors.length - 1]!.message += '\n' + text;
      else if (text.trim()) errors.push({ where: 'tsc', config, message: text });
      continue;
    }
    const [, file, lineText, colText, message] = m as unknown as [string, string, string, string, string];
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
export async function checkSnippets(docs: string[], out: string, base = root): Promise<CheckResult> {
  const snippets = docs.flatMap((doc) => extractSnippets(readFileSync(join(base, doc), 'utf8'), doc));
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
        return errors.length ? errors : [{ where: project, config, message: stderr || String(error) }];
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

/** One line per error, `docs/guide.md:123:5 [node16] error TS2305: …`, the same error under both configs once. */
export function formatErrors(errors: SnippetError[]): string {
  const byText = new Map<string, string[]>();
  for (const e of errors) {
    const key = `${e.where} ${e.message}`;
    byText.set(key, [...(byText.get(key) ?? []), e.config]);
  }
  return [...byText].map(([key, configs]) => {
    const space = key.indexOf(' ');
    return `${key.slice(0, space)} [${configs.join(', ')}] ${key.slice(space + 1)}`;
  }).join('\n');
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
    console.error(`\n${summary}: ${result.errors.length} errors (generated files in ${relative(process.cwd(), generated)})`);
    process.exit(1);
  }
  console.log(summary);
}
