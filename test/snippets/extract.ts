/**
 * The code blocks of the READMEs and docs/*.md, read from the markdown with the HTML comment
 * directly before each fence (`<!-- snippet: context=… program=… -->` or `skip (reason)`; the
 * convention is in docs/README.md, "Code snippets"). check.ts type-checks what this returns.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '../..');
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

function parseDirective(
  text: string,
  where: string,
): Pick<Snippet, 'contexts' | 'program' | 'skip'> {
  const skip = /^skip\s*\((.+)\)$/.exec(text);
  if (skip) return { contexts: [], program: 'main', skip: skip[1]!.trim() };
  if (/^skip\b/.test(text))
    throw new SnippetConventionError(
      `${where}: a skip needs its reason: <!-- snippet: skip (why) -->`,
    );
  const out = { contexts: [] as string[], program: 'main' };
  for (const part of text.split(/\s+/).filter(Boolean)) {
    const [key, value] = part.split('=', 2);
    if (key === 'context' && value) out.contexts.push(...value.split(',').filter(Boolean));
    else if (key === 'program' && value && /^[\w-]+$/.test(value)) out.program = value;
    else
      throw new SnippetConventionError(
        `${where}: unknown snippet directive "${part}" (context=a,b, program=name or skip (reason))`,
      );
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
      if (pending)
        throw new SnippetConventionError(
          `${doc}:${pending.line}: a snippet directive must be directly before a code fence`,
        );
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
    if (pending && !ext)
      throw new SnippetConventionError(
        `${where}: a snippet directive before a "${tag || 'untagged'}" block, which is not checked anyway`,
      );
    if (ext) {
      const meta = pending
        ? parseDirective(pending.text, `${doc}:${pending.line}`)
        : { contexts: [], program: 'main' };
      const code = body
        .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()))
        .join('\n');
      if (meta.contexts.length && (ext === 'js' || ext === 'mjs'))
        throw new SnippetConventionError(
          `${where}: contexts are TypeScript declarations; tag the block ts to use them`,
        );
      snippets.push({ doc, line: i + 2, indent: indent.length, ext, code, ...meta });
    }
    pending = undefined;
    i = j;
  }
  if (pending)
    throw new SnippetConventionError(
      `${doc}:${pending.line}: a snippet directive must be directly before a code fence`,
    );
  return snippets;
}

export interface Context {
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
  const list = (dir: string) =>
    existsSync(join(root, dir)) ? readdirSync(join(root, dir)).sort() : [];
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
